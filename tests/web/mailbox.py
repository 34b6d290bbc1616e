"""What the site sent through (moto's) SES: the messages, and the links in them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from moto.ses.models import ses_backends

from tools.local.aws import ACCOUNT

REGION = "us-east-1"
_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class SiteMail:
    """The environment's SES identity (the site's sender) and configuration set, in moto."""

    sender: str
    configuration_set: str


@dataclass(frozen=True)
class Mail:
    source: str
    to: list[str]
    subject: str
    body: str

    def link(self, path_prefix: str) -> str:
        """The path (and ``#fragment``, where the token travels) of the first link in the body
        under ``path_prefix``."""
        for url in _LINK.findall(self.body):
            parts = urlsplit(str(url))
            if parts.path.startswith(path_prefix):
                return f"{parts.path}#{parts.fragment}" if parts.fragment else parts.path
        raise AssertionError(f"no {path_prefix} link in {self.body!r}")


def sent(to: str | None = None) -> list[Mail]:
    """Every message SES accepted (oldest first), or those to ``to``."""
    found = [
        Mail(
            source=m.source,
            to=list(m.destinations.get("ToAddresses", [])),
            subject=m.subject,
            body=m.body,
        )
        for m in ses_backends[ACCOUNT][REGION].sent_messages
    ]
    return [m for m in found if to is None or to in m.to]
