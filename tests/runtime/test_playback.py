"""Signed playback: owner (or admin) only, short-lived, verifiable with the public key."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from snapstream_runtime.lifecycle import Media, Status
from snapstream_runtime.playback import NotPlayable, PlaybackDenied, signed_playback
from snapstream_runtime.playback_keys import generate_key_pair
from tools.authority.proof import Authority

OWNER, OTHER = "1" * 32, "2" * 32
KEYS = generate_key_pair()
CDN = "d111111abcdef8.cloudfront.net"


def _media(status: Status = Status.READY) -> Media:
    media_id = "a" * 32
    item: dict[str, Any] = {
        "playback": {
            "hls": "/out/v1/asset123/hlscfg/index.m3u8",
            "dash": "/out/v1/asset123/dashcfg/index.mpd",
            "cmaf": "/out/v1/asset123/cmafcfg/index.m3u8",
        },
        "outputs": {
            "mp4": f"media/{OWNER}/{media_id}/index_720p.mp4",
            "poster": f"media/{OWNER}/{media_id}/index_poster.0000000.jpg",
        },
    }
    return Media(
        media_id=media_id,
        owner_id=OWNER,
        status=status,
        kind="video",
        content_type="video/mp4",
        title="clip",
        file_name="clip.mp4",
        upload_key="uploads/x",
        created_at="2026-11-22T00:00:00.000000Z",
        declared_size=1,
        item=item,
    )


def _sign(media: Media, viewer: str, admin: bool = False, video_domain: str | None = None) -> Any:
    return signed_playback(
        media,
        viewer_id=viewer,
        viewer_is_admin=admin,
        cdn_domain=CDN,
        video_domain=video_domain,
        key_pair_id="K2JCJMDEHXQW5F",
        private_key_pem=KEYS.private_pem,
        ttl_seconds=300,
        now=1_800_000_000,
    )


def _decode(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def _verified_policy(url: str) -> dict[str, Any]:
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert params["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    policy = _decode(params["Policy"])
    public_key = serialization.load_pem_public_key(KEYS.public_pem.encode())
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(_decode(params["Signature"]), policy, padding.PKCS1v15(), hashes.SHA1())
    document: dict[str, Any] = json.loads(policy)
    return document


def test_the_owner_gets_verifiable_short_lived_urls_for_every_format() -> None:
    playback = _sign(_media(), OWNER)
    assert set(playback.urls) == {"hls", "dash", "cmaf", "mp4", "poster"}
    assert playback.expires_at == 1_800_000_300
    for name, url in playback.urls.items():
        assert url.startswith(f"https://{CDN}/"), name
        [statement] = _verified_policy(url)["Statement"]
        assert statement["Condition"] == {"DateLessThan": {"AWS:EpochTime": 1_800_000_300}}
    [video] = _verified_policy(playback.urls["hls"])["Statement"]
    assert video["Resource"] == f"https://{CDN}/out/v1/asset123/hlscfg/*"  # its own folder only
    [dash] = _verified_policy(playback.urls["dash"])["Statement"]
    assert dash["Resource"] == f"https://{CDN}/out/v1/asset123/dashcfg/*"
    [files] = _verified_policy(playback.urls["mp4"])["Statement"]
    assert files["Resource"] == f"https://{CDN}/media/{OWNER}/{'a' * 32}/*"
    assert playback.queries["hls"] == playback.urls["hls"].split("?", 1)[1]


def test_a_signature_from_another_key_does_not_verify() -> None:
    other = generate_key_pair()
    url = signed_playback(
        _media(),
        viewer_id=OWNER,
        viewer_is_admin=False,
        cdn_domain=CDN,
        key_pair_id="K2JCJMDEHXQW5F",
        private_key_pem=other.private_pem,
    ).urls["hls"]
    with pytest.raises(InvalidSignature):
        _verified_policy(url)


def test_another_user_gets_nothing() -> None:
    with pytest.raises(PlaybackDenied):
        _sign(_media(), OTHER)


def test_an_admin_may_play() -> None:
    assert _sign(_media(), OTHER, admin=True).urls


@pytest.mark.parametrize("status", [Status.PROCESSING, Status.FAILED, Status.UPLOADED])
def test_media_that_is_not_ready_cannot_be_played(status: Status) -> None:
    with pytest.raises(NotPlayable):
        _sign(_media(status), OWNER)


def test_the_deployed_key_is_read_from_secrets_manager(
    local_aws: Any, settings: Any, dev_authority: Authority
) -> None:
    """The site signs playback with the private key from its synthesized secret."""
    import dataclasses

    import boto3

    from snapstream_runtime.adapters import secrets
    from snapstream_runtime.playback import playback_for_viewer

    secrets.forget()
    env = dev_authority.env
    name = env.name(
        "Data", env.find("Data", "PlaybackKeyPrivateKey", "AWS::SecretsManager::Secret")
    )
    arn = boto3.client("secretsmanager").create_secret(Name=name, SecretString=KEYS.private_pem)[
        "ARN"
    ]
    deployed = dataclasses.replace(
        settings, cdn_domain=CDN, playback_key_pair_id="K2JCJMDEHXQW5F", playback_key_secret_arn=arn
    )
    playback = playback_for_viewer(  # the site's entry point: judged as the site's call
        _media(), viewer_id=OWNER, viewer_is_admin=False, settings=deployed
    )
    assert _verified_policy(playback.urls["hls"])["Statement"][0]["Resource"].endswith(
        "/out/v1/asset123/hlscfg/*"
    )
    with pytest.raises(PlaybackDenied):
        playback_for_viewer(_media(), viewer_id=OTHER, viewer_is_admin=False, settings=deployed)


def test_video_plays_from_the_site_itself_and_files_from_the_cdn() -> None:
    """Deployed, the site's own distribution serves /out/* too: a player fetches manifests
    same-origin (no CORS), each signed for that host; the MP4 and poster stay on the CDN."""
    site = "d2site.cloudfront.net"
    playback = _sign(_media(), OWNER, video_domain=site)
    for name in ("hls", "dash", "cmaf"):
        assert playback.urls[name].startswith(f"https://{site}/out/"), name
        [statement] = _verified_policy(playback.urls[name])["Statement"]
        assert statement["Resource"].startswith(f"https://{site}/out/")
    for name in ("mp4", "poster"):
        assert playback.urls[name].startswith(f"https://{CDN}/media/"), name
