"""E-mail from the site: address verification, password resets, notices to an address's owner.

Deployed, each message goes through Amazon SES (``sesv2`` ``SendEmail``) from the one address
the site's role may send as (``MAIL_FROM_ADDRESS``), through the environment's configuration
set (``MAIL_CONFIGURATION_SET``: TLS required, bounces and complaints handled; stacks/mail.py).
Under ``make dev`` the local outbox stands in (:mod:`snapstream_web.views.outbox`): nothing is
sent.

The views hand their mail work to :func:`after_response`: it runs once the response has been
sent, so that an answer takes as long whether or not an address has an account (looking the
address up, writing a token and calling SES all happen after it). A failure there is logged,
never shown: the answer must not depend on it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from flask import Response, after_this_request, current_app

from snapstream_runtime.adapters.outgoing_mail import send_text_email
from snapstream_web.config import WebConfig

log = logging.getLogger("snapstream_web.mail")
#: ``app.extensions`` key of the app's mailer (the local outbox installs its own).
MAILER = "snapstream.mailer"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, message: Message) -> None: ...


class SesMailer:
    """Sends through SES v2 as ``sender``, through ``configuration_set``."""

    def __init__(self, sender: str, configuration_set: str) -> None:
        if not sender or not configuration_set:
            raise RuntimeError(
                "e-mail is not configured (MAIL_FROM_ADDRESS, MAIL_CONFIGURATION_SET)"
            )
        self.sender, self.configuration_set = sender, configuration_set

    def send(self, message: Message) -> None:
        send_text_email(
            sender=self.sender,
            to=message.to,
            subject=message.subject,
            text=message.text,
            configuration_set=self.configuration_set,
        )


def mailer() -> Mailer:
    """The app's mailer: the local outbox if installed, else SES with the app's settings."""
    extensions = current_app.extensions
    if MAILER not in extensions:
        config = cast("WebConfig", extensions["snapstream"])
        extensions[MAILER] = SesMailer(config.mail_from, config.mail_configuration_set)
    return cast("Mailer", extensions[MAILER])


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` once this request's response has been sent (outside the request: ``work``
    must carry what it needs, such as the table, the mailer and absolute links)."""

    @after_this_request
    def attach(response: Response) -> Response:
        response.call_on_close(functools.partial(_guarded, work))
        return response


def _guarded(work: Callable[[], Any]) -> None:
    try:
        work()
    except Exception:  # the visitor has their answer already; an operator reads the log
        log.exception("e-mail work after the response failed")
