"""Deleting a media's MediaPackage asset: the request is validated against the real service model
(botocore Stubber; moto has no MediaPackage VOD), a missing asset is fine, other errors are not."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import Stubber

from snapstream_runtime import removal


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    stub = Stubber(botocore.session.get_session().create_client("mediapackage-vod", "us-east-1"))
    monkeypatch.setattr(removal, "client", lambda service: stub.client)
    stub.activate()
    return stub


def test_the_asset_is_deleted_by_the_media_id(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = _stubbed(monkeypatch)
    stub.add_response("delete_asset", {}, {"Id": "a" * 32})
    removal._delete_asset("a" * 32)
    stub.assert_no_pending_responses()


def test_an_asset_already_gone_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = _stubbed(monkeypatch)
    stub.add_client_error("delete_asset", "NotFoundException", http_status_code=404)
    removal._delete_asset("b" * 32)
    stub.assert_no_pending_responses()


def test_other_errors_stop_the_deletion_before_any_record_is_touched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stub = _stubbed(monkeypatch)
    stub.add_client_error("delete_asset", "TooManyRequestsException", http_status_code=429)
    with pytest.raises(Exception, match="TooManyRequests"):
        removal._delete_asset("c" * 32)


def test_broad_prefixes_are_refused() -> None:
    for prefix in ["", "uploads/", "media/abc/", "media/abc"]:
        with pytest.raises(ValueError, match="broad prefix"):
            removal.delete_prefix("bucket", prefix)
