# ruff: noqa: F811 (fixtures imported from deletion_support)
"""Nothing stuck in silence: the sweeper, with a frozen clock, against moto provisioned from the
templates, with its function's environment as synthesized. Every call it makes is judged against
the StuckMedia role (tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import snapstream_runtime.clock as clock_module
from snapstream_runtime import library, lifecycle, observability, stuck_media, watch
from snapstream_runtime.adapters.publishing import put_event as real_put
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.clock import iso
from snapstream_runtime.deletion_requests import (
    DeletionNotStarted,
    media_message,
    request_media_deletion,
)
from snapstream_runtime.handlers import stuck_media as stuck_media_handler
from snapstream_runtime.ingest import ObjectCreated, ingest, media_uploaded_detail
from snapstream_runtime.lifecycle import Media, Status, StepState
from snapstream_runtime.settings import Settings
from snapstream_runtime.stuck_media import sweep
from snapstream_runtime.video import PACKAGE, TRANSCODE
from tests.runtime.conftest import Observed
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
    settle,
)
from tests.runtime.samples import SAMPLES
from tests.runtime.uploads_helpers import OWNER, put_object, ticket_for
from tools.local.aws import LocalResources, function_environment
from tools.local.pipeline import LocalPipeline

Templates = dict[tuple[str, str], dict[str, Any]]
HOURS = 3600


@dataclasses.dataclass
class FrozenClock:
    """``utc_now`` of every runtime module, held still until moved."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen, real = FrozenClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC)), clock_module.utc_now
    for name, module in list(sys.modules.items()):
        if name.startswith("snapstream_runtime") and getattr(module, "utc_now", None) is real:
            monkeypatch.setattr(module, "utc_now", frozen)
    return frozen


@pytest.fixture
def sweeper_environment(
    templates: Templates, local_aws: LocalResources, deletion_queue: DeletionQueue
) -> dict[str, str]:
    """The StuckMedia function's environment as synthesized (deletion queue included)."""
    return function_environment(templates["dev", "Pipeline"], "StuckMediaFunction", local_aws)


@pytest.fixture
def sweeper(sweeper_environment: dict[str, str]) -> Settings:
    return Settings.from_environment(sweeper_environment)


def _uploaded(settings: Settings, sample: str = "mp4", name: str = "Council.mp4") -> Media:
    body, content_type = SAMPLES[sample]
    ticket = ticket_for(settings, name, content_type, len(body))
    version = put_object(settings, ticket.key, body)
    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    return _load(settings, ticket.media_id)


def _load(settings: Settings, media_id: str) -> Media:
    media = lifecycle.load(Table(settings.table_name), media_id)
    assert media is not None
    return media


def _processing(settings: Settings, media: Media, transcode: StepState) -> Media:
    """As submit_transcode (or, for a finished job, transcode-state) leaves a video."""
    lifecycle.transition(
        Table(settings.table_name),
        media,
        Status.PROCESSING,
        fields={f"steps.{TRANSCODE}": lifecycle.step_value(transcode, "1700000000000-abc")},
    )
    return _load(settings, media.media_id)


def _outcomes(report: stuck_media.SweepReport) -> dict[str, int]:
    assert report.errors == []
    return {outcome.value: count for outcome, count in report.outcomes.items()}


def test_the_watch_index_holds_exactly_the_media_in_flight(
    clock: FrozenClock, settings: Settings
) -> None:
    table = Table(settings.table_name)
    ticket = ticket_for(settings, "a.mp4", "video/mp4", 10)
    assert watch.PARTITION_KEY not in _load(settings, ticket.media_id).item  # awaiting upload
    media = _uploaded(settings)
    entered = iso(clock.now)
    assert media.item[watch.PARTITION_KEY] == "WATCH#uploaded"
    assert media.item[watch.SORT_KEY] == f"{entered}#{media.media_id}"
    clock.advance(minutes=5)
    media = _processing(settings, media, StepState.SUBMITTED)
    assert media.item[watch.PARTITION_KEY] == "WATCH#processing"
    assert media.item[watch.SORT_KEY] == f"{iso(clock.now)}#{media.media_id}"
    lifecycle.transition(table, media, Status.READY)
    assert watch.PARTITION_KEY not in _load(settings, media.media_id).item
    assert watch.SORT_KEY not in _load(settings, media.media_id).item
    rejected = ticket_for(settings, "b.png", "image/png", 10)
    version = put_object(settings, rejected.key, b"not an image at all")
    ingest(ObjectCreated(settings.uploads_bucket, rejected.key, version), settings)
    assert _load(settings, rejected.media_id).status is Status.REJECTED
    assert watch.PARTITION_KEY not in _load(settings, rejected.media_id).item


def test_an_upload_that_never_starts_is_redriven_once_then_failed_and_its_owner_told(
    clock: FrozenClock, settings: Settings, sweeper: Settings, observed: Observed
) -> None:
    media = _uploaded(settings)
    observed.events(), observed.notifications()
    deadline = sweeper.stuck_deadlines["uploaded"]
    assert deadline == 2 * HOURS  # dev's stuck_uploaded_minutes

    assert _outcomes(sweep(sweeper, clock.advance(seconds=deadline - 60))) == {}
    report = sweep(sweeper, clock.advance(minutes=2))
    assert _outcomes(report) == {"redriven": 1} and report.stuck == 1
    [event] = observed.events()
    assert event["detail-type"] == "MediaUploaded" and event["source"] == "snapstream.media"
    assert event["detail"] == media_uploaded_detail(media, sweeper.uploads_bucket, sweeper)
    redriven = _load(settings, media.media_id)
    assert redriven.status is Status.UPLOADED
    assert redriven.item["stuck"] == {
        "status": "uploaded",
        "entered": media.item["status_changed_at"],
        "redriven_at": iso(clock.now),
        "event": "MediaUploaded",
    }
    assert redriven.item[watch.SORT_KEY] == f"{iso(clock.now)}#{media.media_id}"
    # The same sweep again (a retried invocation), or any before another deadline: nothing.
    assert _outcomes(sweep(sweeper, clock.now)) == {}
    assert _outcomes(sweep(sweeper, clock.advance(seconds=deadline - 60))) == {}
    assert observed.events() == []

    report = sweep(sweeper, clock.advance(minutes=2))
    assert _outcomes(report) == {"timed_out": 1} and report.stuck == 1
    failed = _load(settings, media.media_id)
    reason = (
        "processing did not start: no progress for 2 hours, nor for 2 hours after "
        "MediaUploaded was sent again"
    )
    assert failed.status is Status.FAILED and failed.status_reason == reason
    assert failed.item["steps"][TRANSCODE]["state"] == "failed"
    assert watch.PARTITION_KEY not in failed.item
    [note] = observed.notifications()
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.failed"
    assert note["MessageAttributes"]["user_id"]["StringValue"] == OWNER
    assert reason in note["Body"]
    assert "announce_pending" not in failed.item
    counts = library.dashboard(settings.table_name, OWNER)
    assert (counts["processing"], counts["failed"]) == (0, 1)
    assert observed.events() == []
    assert _outcomes(sweep(sweeper, clock.advance(days=3))) == {}


def test_a_transcoded_video_that_is_never_packaged_gets_media_transcoded_again(
    clock: FrozenClock, settings: Settings, sweeper: Settings, observed: Observed
) -> None:
    media = _processing(settings, _uploaded(settings), StepState.COMPLETE)
    observed.events(), observed.notifications()
    deadline = sweeper.stuck_deadlines["processing"]
    assert deadline == 6 * HOURS

    assert _outcomes(sweep(sweeper, clock.advance(seconds=deadline + 60))) == {"redriven": 1}
    [event] = observed.events()
    assert event["detail-type"] == "MediaTranscoded"
    assert event["detail"] == {
        "media_id": media.media_id,
        "owner_id": OWNER,
        "environment": "dev",
    }
    assert _outcomes(sweep(sweeper, clock.advance(seconds=deadline + 60))) == {"timed_out": 1}
    failed = _load(settings, media.media_id)
    assert failed.status_reason == (
        "packaging did not finish: no progress for 6 hours, nor for 6 hours after "
        "MediaTranscoded was sent again"
    )
    assert failed.item["steps"][PACKAGE]["state"] == "failed"


def test_a_silent_transcode_gets_one_more_deadline_and_a_progressing_one_is_left_alone(
    clock: FrozenClock, settings: Settings, sweeper: Settings, observed: Observed
) -> None:
    table = Table(settings.table_name)
    media = _processing(settings, _uploaded(settings), StepState.SUBMITTED)
    observed.events(), observed.notifications()
    clock.advance(hours=5)
    lifecycle.record_step(table, media.media_id, TRANSCODE, StepState.PROGRESSING, "40%")
    progressed = iso(clock.now)

    # Past the deadline since it entered processing, but active an hour ago: not stuck.
    report = sweep(sweeper, clock.advance(hours=1, minutes=1))
    assert _outcomes(report) == {"active": 1} and report.stuck == 0
    active = _load(settings, media.media_id)
    assert active.item[watch.SORT_KEY] == f"{progressed}#{media.media_id}"
    assert "stuck" not in active.item

    # Six hours without a word from MediaConvert: nothing of ours can re-drive the job.
    assert _outcomes(sweep(sweeper, clock.advance(hours=5))) == {"redriven": 1}
    assert observed.events() == []
    assert _load(settings, media.media_id).item["stuck"]["event"] is None
    assert _outcomes(sweep(sweeper, clock.advance(hours=6, minutes=1))) == {"timed_out": 1}
    failed = _load(settings, media.media_id)
    assert failed.status_reason == (
        "transcoding (MediaConvert) did not finish: no progress for 12 hours"
    )
    assert failed.item["steps"][TRANSCODE]["state"] == "failed"
    [note] = observed.notifications()
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.failed"


def test_a_concurrent_step_wins_over_the_failure(
    clock: FrozenClock,
    settings: Settings,
    sweeper: Settings,
    observed: Observed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sweeper read the media; before its write, the job reports progress: the failure
    (conditional on the index key and ``updated_at`` it read) is not written."""
    table = Table(settings.table_name)
    media = _processing(settings, _uploaded(settings), StepState.SUBMITTED)
    observed.notifications()
    assert _outcomes(sweep(sweeper, clock.advance(hours=6, minutes=1))) == {"redriven": 1}
    real_load, raced = lifecycle.load, list[str]()

    def load_then_progress(table_: Table, media_id: str) -> Media | None:
        found = real_load(table_, media_id)
        if not raced:
            raced.append(media_id)
            lifecycle.record_step(table, media_id, TRANSCODE, StepState.PROGRESSING, "99%")
        return found

    monkeypatch.setattr(lifecycle, "load", load_then_progress)
    assert _outcomes(sweep(sweeper, clock.advance(hours=6, minutes=1))) == {"moved": 1}
    monkeypatch.setattr(lifecycle, "load", real_load)
    survived = _load(settings, media.media_id)
    assert survived.status is Status.PROCESSING
    assert survived.item["steps"][TRANSCODE]["detail"] == "99%"
    assert observed.notifications() == []


def test_a_transition_between_the_read_and_the_redrive_wins(
    clock: FrozenClock, settings: Settings, sweeper: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = Table(settings.table_name)
    media = _processing(settings, _uploaded(settings), StepState.COMPLETE)
    real_load = lifecycle.load

    def load_then_ready(table_: Table, media_id: str) -> Media | None:
        found = real_load(table_, media_id)
        monkeypatch.setattr(lifecycle, "load", real_load)
        lifecycle.transition(table, media, Status.READY)  # the package step, just now
        return found

    monkeypatch.setattr(lifecycle, "load", load_then_ready)
    assert _outcomes(sweep(sweeper, clock.advance(hours=6, minutes=1))) == {"moved": 1}
    ready = _load(settings, media.media_id)
    assert ready.status is Status.READY and "stuck" not in ready.item
    assert watch.PARTITION_KEY not in ready.item


@pytest.mark.usefixtures("as_deletion_function")
def test_a_deletion_whose_message_was_never_sent_is_sent_once_then_counted_until_gone(
    clock: FrozenClock, settings: Settings, sweeper: Settings, deletion_queue: DeletionQueue
) -> None:
    media = _uploaded(settings, "png", "doomed.png")
    site = dataclasses.replace(sweeper, deletion_queue_url="")  # the site could not send it
    with pytest.raises(DeletionNotStarted):
        request_media_deletion(site, media, requested_by=OWNER)
    marked = _load(settings, media.media_id)
    assert marked.status is Status.DELETING and marked.item["deletion"]["attempts"] == 0
    assert marked.item[watch.PARTITION_KEY] == "WATCH#deleting"
    assert deletion_queue.bodies() == []
    deadline = sweeper.stuck_deadlines["deleting"]

    assert _outcomes(sweep(sweeper, clock.advance(seconds=deadline + 60))) == {"resent": 1}
    assert deletion_queue.bodies() == [media_message(media.media_id, OWNER)]
    assert _load(settings, media.media_id).item["stuck"]["event"] == "deletion message"
    # Once: a deletion still there a deadline later is counted (the alarm), never re-sent.
    report = sweep(sweeper, clock.advance(seconds=deadline + 60))
    assert _outcomes(report) == {"still_deleting": 1} and report.stuck == 1
    assert _outcomes(sweep(sweeper, clock.advance(seconds=deadline + 60))) == {"still_deleting": 1}
    assert len(deletion_queue.bodies()) == 1

    assert settle(deletion_queue) == [{"batchItemFailures": []}]
    assert lifecycle.load(Table(settings.table_name), media.media_id) is None
    assert _outcomes(sweep(sweeper, clock.advance(days=1))) == {}


def _emitted_metrics(output: str) -> dict[str, Any]:
    [blob] = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    metrics: dict[str, Any] = blob
    return metrics


def _scheduled(moment: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "5f1c6a3e-0000-4000-8000-000000000001",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/stuck-media"],
        "detail": {},
    }


class _Context:
    function_name = "stuck-media"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:stuck-media"
    aws_request_id = "request"


@pytest.fixture
def as_sweeper(
    sweeper_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    for name, value in sweeper_environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(observability.metrics, "service", "stuck-media")
    observability.metrics.clear_metrics()
    from snapstream_runtime import settings as settings_module

    settings_module.current_settings.cache_clear()
    yield
    settings_module.current_settings.cache_clear()
    observability.metrics.clear_metrics()


@pytest.mark.usefixtures("as_sweeper")
def test_the_handler_sweeps_as_of_its_schedule_and_counts_the_stuck(
    clock: FrozenClock,
    settings: Settings,
    observed: Observed,
    capsys: pytest.CaptureFixture[str],
) -> None:
    media = _uploaded(settings, "png", "photo.png")
    observed.events()
    capsys.readouterr()
    scheduled = clock.now + timedelta(hours=2, minutes=15)

    result = stuck_media_handler.handler(_scheduled(scheduled), _Context())

    assert result == {"stuck": 1, "redriven": 1}
    assert _load(settings, media.media_id).item["stuck"]["redriven_at"] == iso(scheduled)
    [event] = observed.events()
    assert event["detail"]["media_id"] == media.media_id and event["detail"]["kind"] == "image"
    metrics = _emitted_metrics(capsys.readouterr().out)
    assert metrics["StuckMedia"] == [1.0] and metrics["StuckMedia_redriven"] == [1.0]
    assert metrics["service"] == "stuck-media"
    assert "StuckMediaDuration" in metrics

    # Nothing stuck is a value too (the alarm recovers on it).
    assert stuck_media_handler.handler(_scheduled(scheduled), _Context()) == {"stuck": 0}
    assert _emitted_metrics(capsys.readouterr().out)["StuckMedia"] == [0.0]


@pytest.mark.usefixtures("as_sweeper")
def test_one_media_that_cannot_be_swept_does_not_stop_the_others_and_fails_the_run(
    clock: FrozenClock,
    settings: Settings,
    observed: Observed,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = _uploaded(settings, "png", "broken.png")
    fine = _uploaded(settings, "png", "fine.png")
    observed.events()

    def put_event(bus: str, detail_type: str, detail: dict[str, Any]) -> None:
        if detail["media_id"] == broken.media_id:
            raise RuntimeError("EventBridge is unavailable")
        real_put(bus, detail_type, detail)

    monkeypatch.setattr(stuck_media, "put_event", put_event)
    capsys.readouterr()
    scheduled = _scheduled(clock.now + timedelta(hours=3))
    with pytest.raises(stuck_media_handler.SweepIncomplete):
        stuck_media_handler.handler(scheduled, _Context())
    assert "stuck" in _load(settings, fine.media_id).item
    assert "stuck" not in _load(settings, broken.media_id).item  # the retry will re-drive it
    metrics = _emitted_metrics(capsys.readouterr().out)
    assert metrics["StuckMedia_failed"] == [1.0] and metrics["StuckMedia_redriven"] == [1.0]

    monkeypatch.setattr(stuck_media, "put_event", real_put)
    assert stuck_media_handler.handler(scheduled, _Context()) == {"stuck": 1, "redriven": 1}
    assert {e["detail"]["media_id"] for e in observed.events()} == {
        fine.media_id,
        broken.media_id,
    }


def test_make_dev_runs_the_sweeper_on_the_templates_schedule(
    templates: Templates,
    local_aws: LocalResources,
    settings: Settings,
    deletion_queue: DeletionQueue,
    clock: FrozenClock,
) -> None:
    """The local worker invokes the real handler at the rule's own rate (tools/local/pipeline)."""
    started = time.time()
    clock.now = datetime.fromtimestamp(started, UTC) - timedelta(hours=3)
    media = _uploaded(settings, "png", "three hours ago.png")
    saved = dict(os.environ)
    try:
        pipeline = LocalPipeline(templates, local_aws, settings)
        [schedule] = pipeline.schedules
        assert schedule.every_seconds == 15 * 60
        assert pipeline.run_schedules(now=started + 60) == 0  # not due before its first period
        assert pipeline.run_schedules(now=started + 15 * 60 + 1) == 1
        assert pipeline.run_schedules(now=started + 16 * 60) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    swept = _load(settings, media.media_id)
    assert swept.item["stuck"]["event"] == "MediaUploaded"
