"""Nothing stuck in silence: the sweeper that finds media sitting too long in one status.

On a schedule it reads, for each watched status, the media on the sparse index
(:mod:`snapstream_runtime.watch`) that have sat in it longer than the environment's deadline for
that status, and for each media:

1. **The first time in this status, it re-drives the step the media waits for, once**, and
   records that on the record (``stuck``), moving its index key to now so that the media gets a
   whole deadline again:

   - ``uploaded``: ``MediaUploaded`` again on the bus, as the ingest sent it. It reaches
     transcode-submit (videos) and the analysis queue (every kind); each ignores what it did
     already.
   - ``processing`` with its transcode complete: ``MediaTranscoded`` again (packaging).
   - ``processing`` waiting for a MediaConvert or Transcribe job: no event of ours re-drives that
     step (the jobs report through AWS's own ``aws.*`` events, which nobody else may put), so
     the media only gets the second deadline, recorded the same way (``event`` None).
   - ``deleting``: the deletion message is sent again (one the site could not send, or one lost
     with a replaced queue; a deletion is idempotent).

2. **The next time, a whole deadline later with nothing moved**: an ``uploaded`` or
   ``processing`` media is failed with the reason, and its owner told (the failure path of a
   MediaConvert ERROR or CANCELED). A ``deleting`` media cannot fail: it stays on the index and
   is counted by every sweep (the stuck-media alarm stays on) until an operator finishes it.

A media with pipeline activity (``updated_at``) within the deadline is not stuck: its index key
moves to that moment. Each write requires the status and the index key the sweep read (the
failure also ``updated_at``), so a concurrent transition or step wins and the sweep leaves that
media alone (``moved``); running a sweep twice is harmless.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from snapstream_runtime import lifecycle, watch
from snapstream_runtime.adapters.publishing import put_event
from snapstream_runtime.adapters.queues import send
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update
from snapstream_runtime.analysis_steps import IMAGE_STEP, SPEECH_STEP
from snapstream_runtime.announcements import fail_step
from snapstream_runtime.clock import iso
from snapstream_runtime.contract import MEDIA_TRANSCODED, MEDIA_UPLOADED
from snapstream_runtime.deletion_requests import media_message
from snapstream_runtime.ingest import media_uploaded_detail
from snapstream_runtime.lifecycle import Media, MediaGone, StaleTransition, Status, StepState
from snapstream_runtime.settings import Settings
from snapstream_runtime.video import PACKAGE, TRANSCODE, media_transcoded_detail

#: Media handled per status and sweep, oldest first; the rest wait for the next sweep.
MAX_PER_STATUS = 200
DELETION_MESSAGE = "deletion message"


class SweepOutcome(StrEnum):
    #: the step's event sent again (or, where none exists, one more deadline given)
    REDRIVEN = "redriven"
    #: ``deleting``: the deletion message sent again
    RESENT = "resent"
    #: failed with the reason, the owner told
    TIMED_OUT = "timed_out"
    #: ``deleting`` after its message was sent again: for an operator (docs/runbooks.md)
    STILL_DELETING = "still_deleting"
    #: active within the deadline: not stuck, its index key moved to its last activity
    ACTIVE = "active"
    #: left the status, or changed while the sweep looked at it: left alone
    MOVED = "moved"


#: The outcomes that are a stuck media (the ``StuckMedia`` metric counts them).
STUCK = frozenset(
    {
        SweepOutcome.REDRIVEN,
        SweepOutcome.RESENT,
        SweepOutcome.TIMED_OUT,
        SweepOutcome.STILL_DELETING,
    }
)


@dataclass
class SweepReport:
    outcomes: Counter[SweepOutcome] = field(default_factory=Counter)
    #: (media id, error) of the media whose handling raised (the others were handled)
    errors: list[tuple[str, Exception]] = field(default_factory=list)

    @property
    def stuck(self) -> int:
        return sum(count for outcome, count in self.outcomes.items() if outcome in STUCK)


@dataclass(frozen=True)
class Redrive:
    """What a media overdue in its status waits for."""

    #: the step marked failed with the reason (``steps.<step>``)
    step: str
    #: the reason's opening words
    what: str
    #: the SnapStream event that re-drives the step, if there is one
    event: str | None


def redrive_for(media: Media) -> Redrive:
    if media.status is Status.UPLOADED:
        first = {"video": TRANSCODE, "image": IMAGE_STEP}.get(media.kind, SPEECH_STEP)
        return Redrive(first, "processing did not start", MEDIA_UPLOADED)
    if media.kind != "video":
        return Redrive(SPEECH_STEP, "transcription (Transcribe) did not finish", None)
    if lifecycle.step_state(media, TRANSCODE) is StepState.COMPLETE:
        return Redrive(PACKAGE, "packaging did not finish", MEDIA_TRANSCODED)
    return Redrive(TRANSCODE, "transcoding (MediaConvert) did not finish", None)


def sweep(settings: Settings, now: datetime) -> SweepReport:
    """One sweep as of ``now``: every watched status that has a deadline in ``settings``."""
    table, report = Table(settings.table_name), SweepReport()
    for status in watch.WATCHED:
        seconds = settings.stuck_deadlines.get(status)
        if not seconds:
            continue
        deadline = timedelta(seconds=seconds)
        overdue = watch.overdue(table, status, iso(now - deadline), limit=MAX_PER_STATUS)
        for found in overdue:
            try:
                outcome = _sweep_one(
                    table, settings, found, status=Status(status), now=now, deadline=deadline
                )
            except Exception as error:  # the others are still swept; the handler then fails
                report.errors.append((found.media_id, error))
                continue
            report.outcomes[outcome] += 1
    return report


def _sweep_one(
    table: Table,
    settings: Settings,
    found: watch.Watched,
    *,
    status: Status,
    now: datetime,
    deadline: timedelta,
) -> SweepOutcome:
    media = lifecycle.load(table, found.media_id)
    if media is None or media.status is not status or media.item.get(watch.SORT_KEY) != found.key:
        return SweepOutcome.MOVED
    active_at = str(media.item.get("updated_at") or "")
    if active_at >= iso(now - deadline):
        return _moved_on(table, media, found, since=active_at, outcome=SweepOutcome.ACTIVE)
    done = media.item.get("stuck") or {}
    first = done.get("status") != status.value or done.get("entered") != _entered(media)
    if status is Status.DELETING:
        if not first:
            return SweepOutcome.STILL_DELETING
        send(settings.deletion_queue_url, media_message(media.media_id, media.owner_id))
        resent = SweepOutcome.RESENT
        record = _stuck(media, now, DELETION_MESSAGE)
        return _moved_on(table, media, found, since=iso(now), outcome=resent, stuck=record)
    plan = redrive_for(media)
    if first:
        if plan.event:
            put_event(settings.event_bus_name, plan.event, _detail(plan.event, media, settings))
        redriven, record = SweepOutcome.REDRIVEN, _stuck(media, now, plan.event)
        return _moved_on(table, media, found, since=iso(now), outcome=redriven, stuck=record)
    try:
        failed = fail_step(
            table,
            media,
            settings.notifications_topic_arn,
            plan.step,
            _reason(plan, deadline),
            require={watch.SORT_KEY: found.key, "updated_at": media.item.get("updated_at")},
        )
    except (StaleTransition, MediaGone):
        return SweepOutcome.MOVED
    return SweepOutcome.TIMED_OUT if failed else SweepOutcome.MOVED


def _entered(media: Media) -> str:
    return str(media.item.get("status_changed_at") or "")


def _stuck(media: Media, now: datetime, event: str | None) -> dict[str, Any]:
    """What the record says about its re-drive (``stuck``): in which stay in which status."""
    return {
        "status": media.status.value,
        "entered": _entered(media),
        "redriven_at": iso(now),
        "event": event,
    }


def _moved_on(
    table: Table,
    media: Media,
    found: watch.Watched,
    *,
    since: str,
    outcome: SweepOutcome,
    stuck: Mapping[str, Any] | None = None,
) -> SweepOutcome:
    """Move the media's index key to ``since`` (and record ``stuck``), only while it is still
    in its status under the key the sweep read; ``moved`` if not."""
    update = watch.track(Update(), media.status.value, since, media.media_id)
    if stuck is not None:
        update.set("stuck", dict(stuck))
    update.require_equal("status", media.status.value).require_equal(watch.SORT_KEY, found.key)
    try:
        table.update(lifecycle.media_key(media.media_id), update)
    except ConditionFailed:
        return SweepOutcome.MOVED
    return outcome


def _detail(event: str, media: Media, settings: Settings) -> dict[str, Any]:
    if event == MEDIA_UPLOADED:
        return media_uploaded_detail(media, settings.uploads_bucket, settings)
    return media_transcoded_detail(media, settings)


def _reason(plan: Redrive, deadline: timedelta) -> str:
    if plan.event:
        return (
            f"{plan.what}: no progress for {_duration(deadline)}, nor for "
            f"{_duration(deadline)} after {plan.event} was sent again"
        )
    return f"{plan.what}: no progress for {_duration(2 * deadline)}"


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    if minutes % 60:
        return f"{minutes} minutes" if minutes != 1 else "1 minute"
    hours = minutes // 60
    return f"{hours} hours" if hours != 1 else "1 hour"
