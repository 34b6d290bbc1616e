"""The local platform only (``make dev``): the site's e-mail goes to an outbox page, not out.

Deployed, the site sends through Amazon SES (:mod:`snapstream_web.mail`). Locally there is no
SES: ``tools/local/platform.py`` turns on ``WebConfig.local_mail``, and :func:`install` puts this
outbox in SES's place and registers ``/dev/outbox``, which lists what the site would have sent,
newest first, kept in memory until the platform stops. It says so: nothing was sent. Never
registered when deployed.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, render_template

from snapstream_runtime.clock import iso, utc_now
from snapstream_web.mail import MAILER, Message

blueprint = Blueprint("outbox", __name__, url_prefix="/dev")
#: what a message's text shows as a link
_URL = re.compile(r"(https?://[^\s<>\"']+)")


@dataclass(frozen=True)
class Kept:
    at: str
    message: Message

    def segments(self) -> list[tuple[str, bool]]:
        """The text as (piece, is a link) pairs, for the page to link the URLs (escaped)."""
        return [(piece, bool(_URL.fullmatch(piece))) for piece in _URL.split(self.message.text)]


class Outbox:
    """A mailer that keeps messages (the newest ``limit``) instead of sending them."""

    def __init__(self, limit: int = 200) -> None:
        self._kept: deque[Kept] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self._kept.appendleft(Kept(iso(utc_now()), message))

    def messages(self) -> list[Kept]:
        with self._lock:
            return list(self._kept)


def install(app: Flask) -> Outbox:
    """Make ``app`` keep its mail in a local outbox and show it at ``/dev/outbox``."""
    outbox = Outbox()
    app.extensions[MAILER] = outbox
    app.register_blueprint(blueprint)
    app.jinja_env.globals["local_outbox"] = True
    return outbox


@blueprint.get("/outbox")
def outbox_page() -> Any:
    from snapstream_web.mail import mailer

    kept = mailer()
    messages = kept.messages() if isinstance(kept, Outbox) else []
    page = render_template("outbox.html", messages=messages)
    return page, 200, {"Cache-Control": "no-store"}
