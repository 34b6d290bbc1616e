"""Private playback: short-lived CloudFront signatures for one media, for its owner (or an admin).

Nobody can watch a video by knowing its URL: every CloudFront behaviour requires a signature from
the playback key group. A signature covers one media's folder (custom policy with a wildcard), so
the player can fetch manifests and segments by appending the same query string to each request
(hls.js ``xhrSetup``); it expires after ``ttl_seconds``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from snapstream_runtime.adapters.secrets import secret_string
from snapstream_runtime.lifecycle import Media, Status
from snapstream_runtime.settings import Settings

VIDEO_FORMATS = ("hls", "dash", "cmaf")


class PlaybackDenied(PermissionError):
    """The viewer may not watch this media."""


class NotPlayable(ValueError):
    """The media has nothing to play yet (or never will)."""


@dataclass(frozen=True)
class SignedPlayback:
    expires_at: int
    #: format -> signed URL: "hls", "dash", "cmaf" (video), "mp4", "poster" where they exist.
    urls: dict[str, str]
    #: format -> the query string that authorizes every request in that format's folder.
    queries: dict[str, str]
    #: format -> the wildcard resource its signature covers.
    resources: dict[str, str]


def _rsa_signer(private_key_pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("the playback signing key must be an RSA private key")
    return key


def _policy(resource: str, expires_at: int) -> str:
    return json.dumps(
        {
            "Statement": [
                {"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires_at}}}
            ]
        },
        separators=(",", ":"),
    )


def signed_playback(
    media: Media,
    *,
    viewer_id: str,
    viewer_is_admin: bool,
    cdn_domain: str,
    video_domain: str | None = None,
    key_pair_id: str,
    private_key_pem: str,
    ttl_seconds: int = 300,
    now: float | None = None,
) -> SignedPlayback:
    """Signed URLs for ``media`` (its owner or an admin only), valid ``ttl_seconds``.

    Video manifests are signed for ``video_domain`` (the site's own distribution, which serves
    ``/out/*`` too, so a player fetches them same-origin) when given, else for ``cdn_domain``;
    the MP4 and the poster always come from ``cdn_domain``.
    """
    if media.owner_id != viewer_id and not viewer_is_admin:
        raise PlaybackDenied("only the owner of this media can play it")
    playback: dict[str, str] = media.item.get("playback") or {}
    outputs: dict[str, str] = media.item.get("outputs") or {}
    if media.status is not Status.READY or not playback:
        raise NotPlayable(f"this media is {media.status.value}, not ready to play")
    key = _rsa_signer(private_key_pem)

    def sign(message: bytes) -> bytes:
        # CloudFront signed URLs are defined as RSA with SHA-1 over the policy.
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303

    signer = CloudFrontSigner(key_pair_id, sign)
    expires_at = int((now if now is not None else time.time()) + ttl_seconds)
    files_base = f"https://{cdn_domain}"
    video_base = f"https://{video_domain or cdn_domain}"
    # Each format is signed for its own manifest's folder only (MediaPackage puts an asset's
    # manifests and segments under asset-specific folders), never for a shared prefix.
    paths = {name: path for name, path in playback.items() if name in VIDEO_FORMATS}
    files = {name: f"/{outputs[name]}" for name in ("mp4", "poster") if outputs.get(name)}
    urls: dict[str, str] = {}
    queries: dict[str, str] = {}
    resources: dict[str, str] = {}
    bases = {**dict.fromkeys(paths, video_base), **dict.fromkeys(files, files_base)}
    for name, path in {**paths, **files}.items():
        base = bases[name]
        resource = f"{base}{path[: path.rfind('/') + 1]}*"
        url = signer.generate_presigned_url(f"{base}{path}", policy=_policy(resource, expires_at))
        urls[name], queries[name], resources[name] = url, url.split("?", 1)[1], resource
    return SignedPlayback(expires_at=expires_at, urls=urls, queries=queries, resources=resources)


def playback_for_viewer(
    media: Media, *, viewer_id: str, viewer_is_admin: bool, settings: Settings
) -> SignedPlayback:
    """:func:`signed_playback` with the deployed key pair (private key from Secrets Manager)."""
    return signed_playback(
        media,
        viewer_id=viewer_id,
        viewer_is_admin=viewer_is_admin,
        cdn_domain=settings.cdn_domain,
        video_domain=settings.site_domain or None,
        key_pair_id=settings.playback_key_pair_id,
        private_key_pem=secret_string(settings.playback_key_secret_arn),
        ttl_seconds=settings.playback_ttl_seconds,
    )
