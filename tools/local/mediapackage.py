"""MediaPackage VOD's stand-in for ``make dev``: a client answering the calls SnapStream makes.

moto has no ``mediapackage-vod`` (it answers 500), so locally an asset *is* the HLS output it was
created from, which the site serves itself. The stand-in replaces the ``mediapackage-vod`` client
of ``snapstream_runtime.adapters.video_services`` only, so the real adapter code runs:
``CreateAsset`` records the asset and returns an egress endpoint for it (422 for an id that
exists, as AWS answers), ``DescribeAsset`` returns it, and ``DeleteAsset`` forgets it and removes
its HLS output (manifests and segments) from the local media bucket, answering
``NotFoundException`` for an asset it does not know, as AWS does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from snapstream_runtime.adapters import video_services

HLS_SUFFIXES = (".m3u8", ".ts")


@dataclass(frozen=True)
class LocalAsset:
    asset_id: str
    bucket: str
    manifest: str  # the HLS output's main manifest in the media bucket


class LocalMediaPackage:
    """Assets in memory; safe to call from the worker and the site threads."""

    def __init__(self, packaging_configurations: str = "{}") -> None:
        self.hls_configuration = json.loads(packaging_configurations or "{}").get("hls", "hls")
        self.assets: dict[str, LocalAsset] = {}
        self._lock = threading.Lock()

    def _endpoints(self, asset: LocalAsset) -> dict[str, Any]:
        url = f"https://local.invalid/{asset.manifest}"
        return {
            "Id": asset.asset_id,
            "EgressEndpoints": [{"PackagingConfigurationId": self.hls_configuration, "Url": url}],
        }

    def create_asset(self, *, Id: str, SourceArn: str, **others: Any) -> dict[str, Any]:
        bucket, _, manifest = SourceArn.split(":::", 1)[1].partition("/")
        with self._lock:
            if Id in self.assets:
                raise _error("UnprocessableEntityException", f"asset {Id} exists", "CreateAsset")
            asset = self.assets[Id] = LocalAsset(Id, bucket, manifest)
        return self._endpoints(asset)

    def describe_asset(self, *, Id: str) -> dict[str, Any]:
        with self._lock:
            asset = self.assets.get(Id)
        if asset is None:
            raise _error("NotFoundException", f"asset {Id} not found", "DescribeAsset")
        return self._endpoints(asset)

    def delete_asset(self, *, Id: str) -> dict[str, Any]:
        """The asset goes, and with it its HLS output (the local stream stops)."""
        with self._lock:
            asset = self.assets.pop(Id, None)
        if asset is None:
            raise _error("NotFoundException", f"asset {Id} not found", "DeleteAsset")
        s3 = boto3.client("s3")
        folder = asset.manifest.rsplit("/", 1)[0] + "/"
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=asset.bucket, Prefix=folder)
        doomed = [
            {"Key": entry["Key"]}
            for page in pages
            for entry in page.get("Contents", [])
            if entry["Key"].endswith(HLS_SUFFIXES)
        ]
        for start in range(0, len(doomed), 1000):
            s3.delete_objects(Bucket=asset.bucket, Delete={"Objects": doomed[start : start + 1000]})
        return {}


def _error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@contextmanager
def installed(packager: LocalMediaPackage) -> Iterator[LocalMediaPackage]:
    """``packager`` answers the adapters' ``mediapackage-vod`` calls for the block."""
    namespace = vars(video_services)
    real = namespace["client"]
    namespace["client"] = lambda name: packager if name == "mediapackage-vod" else real(name)
    try:
        yield packager
    finally:
        namespace["client"] = real
