"""SES bounces and complaints: the mail-events handler, with its function's environment as
synthesized (Web stack), against moto. Every call it makes is judged against its role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from snapstream_runtime import keys, observability
from snapstream_runtime import settings as settings_module
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.handlers import mail_events as mail_events_handler
from snapstream_runtime.mail_events import UNDELIVERABLE, is_deliverable, recipients
from snapstream_runtime.settings import Settings
from tools.local.aws import LocalResources, function_environment


class _Context:
    function_name = "mail-events"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:mail-events"
    aws_request_id = "request"


@pytest.fixture
def as_mail_events(
    templates: dict[tuple[str, str], dict[str, Any]],
    local_aws: LocalResources,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    environment = function_environment(templates["dev", "Web"], "MailEvents", local_aws)
    assert set(environment) >= {"TABLE_NAME", "SNAPSTREAM_ENVIRONMENT", "POWERTOOLS_SERVICE_NAME"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(observability.metrics, "service", "mail-events")
    observability.metrics.clear_metrics()
    settings_module.current_settings.cache_clear()
    yield Settings.from_environment(environment)
    settings_module.current_settings.cache_clear()
    observability.metrics.clear_metrics()


def _event(*messages: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {"EventSource": "aws:sns", "Sns": {"MessageId": f"m{n}", "Message": json.dumps(m)}}
            for n, m in enumerate(messages)
        ]
    }


def _bounce(kind: str, *addresses: str) -> dict[str, Any]:
    return {
        "eventType": "Bounce",
        "mail": {"messageId": "0100abc"},
        "bounce": {
            "bounceType": kind,
            "bouncedRecipients": [{"emailAddress": a} for a in addresses],
        },
    }


def _claim(table: Table, address: str, user_id: str = "u" * 32) -> None:
    table.put_new({**keys.email_key(address), "user_id": user_id})


def test_bounces_and_complaints_mark_the_address_undeliverable(as_mail_events: Settings) -> None:
    table = Table(as_mail_events.table_name)
    for address in ("gone@example.com", "angry@example.com", "busy@example.com"):
        _claim(table, address)
    complaint = {
        "notificationType": "Complaint",  # an identity notification reads the same
        "complaint": {"complainedRecipients": [{"emailAddress": "Angry <ANGRY@example.com>"}]},
    }
    result = mail_events_handler.handler(
        _event(
            _bounce("Permanent", "gone@example.com", "stranger@example.com"),
            complaint,
            _bounce("Transient", "busy@example.com"),
            {"eventType": "Delivery"},
            _bounce("Permanent", "stranger@example.com"),
        ),
        _Context(),
    )
    assert result == {"outcomes": ["recorded", "recorded", "transient", "ignored", "no_account"]}
    assert table.get(**keys.email_key("gone@example.com"))[UNDELIVERABLE] == "bounce"  # type: ignore[index]
    assert table.get(**keys.email_key("angry@example.com"))[UNDELIVERABLE] == "complaint"  # type: ignore[index]
    assert is_deliverable(table.get(**keys.email_key("busy@example.com")))
    # no claim is ever created: that would keep the address from registering
    assert table.get(**keys.email_key("stranger@example.com")) is None
    # a redelivery writes the same
    again = mail_events_handler.handler(
        _event(_bounce("Permanent", "gone@example.com")), _Context()
    )
    assert again == {"outcomes": ["recorded"]}


def test_only_permanent_bounces_and_complaints_name_recipients() -> None:
    assert recipients(_bounce("Permanent", "A@Example.com", "a@example.com")) == (
        "bounce",
        ["a@example.com"],
    )
    assert recipients(_bounce("Undetermined", "a@example.com")) == (None, [])
    assert recipients({"eventType": "Send"}) == (None, [])
    assert recipients({"eventType": "Complaint", "complaint": {}}) == ("complaint", [])
