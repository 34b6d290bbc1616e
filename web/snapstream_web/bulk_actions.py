"""One action on several of the owner's media at once (the library's selection): delete them,
or add or remove one tag. Each media goes through the same path as on its own page: a deletion
is marked and handed to the deletion queue (runtime ``deletion_requests``), a tag is applied or
removed in its own transaction. The owner's media only, even for administrators; anything else
is reported as not found, never as someone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from snapstream_web import media_service
from snapstream_web.media_service import MediaNotFound

DELETE, ADD_TAG, REMOVE_TAG = "delete", "tag", "untag"
ACTIONS = (DELETE, ADD_TAG, REMOVE_TAG)
#: at most this many media per request (a library page holds fewer)
MAX_SELECTED = 50
_MEDIA_ID = re.compile(r"^[0-9a-f]{32}$")


class BadSelection(ValueError):
    """An action or selection the site cannot carry out; the message is for people."""


@dataclass
class Outcome:
    """Which media the action was done to, which were not found, which failed (try again)."""

    done: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _check(action: str, media_ids: list[str], tag: str | None) -> list[str]:
    if action not in ACTIONS:
        raise BadSelection(f"the action is one of {', '.join(ACTIONS)}")
    chosen = list(dict.fromkeys(media_ids))
    if not chosen:
        raise BadSelection("select at least one media")
    if len(chosen) > MAX_SELECTED:
        raise BadSelection(f"select at most {MAX_SELECTED} media at a time")
    if action != DELETE and not (tag or "").strip():
        raise BadSelection("type the tag to add or remove")
    if len(tag or "") > media_service.MAX_TAG_INPUT:
        raise BadSelection(f"a tag has at most {media_service.MAX_TAG_INPUT} characters")
    return chosen


def apply(
    settings: Settings, owner_id: str, action: str, media_ids: list[str], tag: str | None = None
) -> Outcome:
    """Do ``action`` to each selected media of the owner (:class:`BadSelection` for a request
    that cannot be carried out; ``BadTag``, before anything is done, for a tag that cannot be
    one)."""
    chosen = _check(action, media_ids, tag)
    outcome = Outcome()
    for media_id in chosen:
        try:
            if not _MEDIA_ID.match(media_id):
                raise MediaNotFound(media_id)
            media = media_service.load_owned(settings, media_id, owner_id=owner_id)
            if action == DELETE:
                media_service.remove(settings, media, requester_id=owner_id)
            elif media.status is Status.DELETING:
                raise MediaNotFound(media_id)
            elif action == ADD_TAG:
                media_service.add_tag(settings, media, tag or "", owner_id=owner_id)
            else:
                media_service.remove_tag(settings, media, tag or "", owner_id=owner_id)
        except (MediaNotFound, PermissionError):  # PermissionError: marked deleting meanwhile
            outcome.not_found.append(media_id)
        except DeletionNotStarted:
            outcome.failed.append(media_id)
        else:
            outcome.done.append(media_id)
    return outcome


_DONE = {DELETE: "{n} being deleted", ADD_TAG: "{n} tagged", REMOVE_TAG: "{n} untagged"}


def summary(outcome: Outcome, action: str) -> list[tuple[str, str]]:
    """What the owner is told (message, category) after ``action``."""
    said = []
    if outcome.done:
        done = _DONE.get(action, "{n} done").format(n=f"{len(outcome.done)} media")
        said.append((f"{done}.", "success"))
    if outcome.not_found:
        said.append((f"{len(outcome.not_found)} media not found (deleted meanwhile?).", "error"))
    if outcome.failed:
        failed = f"{len(outcome.failed)} media marked for deletion but it did not start"
        said.append((f"{failed}: try again.", "error"))
    return said
