"""Sending one plain-text e-mail through Amazon SES (v2)."""

from __future__ import annotations

from snapstream_runtime.adapters.clients import client


def send_text_email(
    *, sender: str, to: str, subject: str, text: str, configuration_set: str
) -> None:
    """From ``sender`` (an address SES may send as), through ``configuration_set``."""
    client("sesv2").send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [to]},
        Content={
            "Simple": {
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            }
        },
        ConfigurationSetName=configuration_set,
    )
