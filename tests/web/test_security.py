"""CSRF, cookies, headers, escaping, health check, error shapes."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

from flask import Flask, request

from snapstream_runtime.settings import Settings
from snapstream_web import create_app
from snapstream_web.config import WebConfig
from tests.web.browser import BASE, Browser, BrowserFactory

STATIC = Path(__file__).resolve().parents[2] / "web" / "snapstream_web" / "static"


def test_forms_and_api_calls_without_the_csrf_token_are_refused(
    make_browser: BrowserFactory,
) -> None:
    browser = make_browser()
    browser.register("alice")
    assert browser.form("/profile/username", {"username": "mallory"}, csrf=False).status_code == 400
    forged = browser.client.post(
        "/profile/username", data={"username": "mallory", "csrf_token": "forged"}, base_url=BASE
    )
    assert forged.status_code == 400
    upload = {"file_name": "a.png", "content_type": "image/png", "size": 10}
    assert browser.api("POST", "/api/uploads", upload, csrf=False).status_code == 400
    assert browser.api("DELETE", "/api/notifications", csrf=False).status_code == 400
    assert "alice" in browser.get("/profile").get_data(as_text=True)
    # a logout cannot be forced by a cross-site GET or token-less POST
    assert browser.client.get("/logout", base_url=BASE).status_code == 405
    assert browser.form("/logout", {}, csrf=False).status_code == 400
    assert browser.get("/library").status_code == 200


def test_registration_needs_a_token_too(browser: Browser) -> None:
    response = browser.client.post(
        "/register",
        data={
            "email": "a@example.com",
            "username": "aaa",
            "password": "x" * 12,
            "confirm": "x" * 12,
        },
        base_url=BASE,
    )
    assert response.status_code == 400


def test_session_cookie_is_secure_httponly_samesite(browser: Browser) -> None:
    response = browser.register("alice")
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(browser: Browser) -> None:
    response = browser.get("/login")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "<script>" not in response.get_data(as_text=True)  # no inline scripts (CSP)


def test_the_csp_names_this_environments_buckets_and_no_other_aws_host(
    browser: Browser, web_settings: Settings
) -> None:
    policy = browser.get("/login").headers["Content-Security-Policy"]
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src "))
    sources = connect.split()[1:]
    assert "https://*.amazonaws.com" not in policy
    uploads = web_settings.uploads_bucket
    assert f"https://{uploads}.s3.amazonaws.com" in sources
    assert f"https://{uploads}.s3.us-east-1.amazonaws.com" in sources
    assert f"https://{web_settings.media_bucket}.s3.us-east-1.amazonaws.com" in sources
    aws_hosts = [s for s in sources if s.endswith(".amazonaws.com")]
    assert all(
        host.removeprefix("https://").split(".s3.")[0] in {uploads, web_settings.media_bucket}
        for host in aws_hosts
    )


def test_static_urls_are_fingerprinted_and_cached_for_a_year(browser: Browser) -> None:
    page = browser.get("/login").get_data(as_text=True)
    match = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{16}))"', page)
    assert match is not None, "the stylesheet URL carries its content hash"
    url, version = match.groups()
    assert version == hashlib.sha256(STATIC.joinpath("app.css").read_bytes()).hexdigest()[:16]
    response = browser.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # A stale or forged version is served, but never cached as if it were this content.
    stale = browser.get("/static/app.css?v=0000000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    assert "immutable" not in browser.get("/static/app.css").headers.get("Cache-Control", "")


def test_deployed_the_site_builds_https_urls_behind_its_proxies(web_config: WebConfig) -> None:
    """Through CloudFront and the internal load balancer the request arrives as plain HTTP
    with two X-Forwarded-For entries; the site still knows it is served over HTTPS."""
    app = create_app(dataclasses.replace(web_config, proxy_count=2))

    @app.get("/_probe")
    def probe() -> dict[str, str]:
        return {"scheme": request.scheme, "remote": str(request.remote_addr)}

    response = app.test_client().get(
        "/_probe", headers={"X-Forwarded-For": "203.0.113.7, 10.0.3.4"}
    )
    assert response.get_json() == {"scheme": "https", "remote": "203.0.113.7"}


def test_health_check_needs_no_session_and_no_aws(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert not app.debug


def test_api_errors_are_json_and_pages_are_html(browser: Browser) -> None:
    browser.register("alice")
    api = browser.api("GET", "/api/nothing-here")
    assert api.status_code == 404 and api.json["status"] == 404
    page = browser.get("/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_large_request_bodies_are_refused(browser: Browser) -> None:
    browser.register("alice")
    response = browser.api("POST", "/api/uploads", {"file_name": "x" * 100_000})
    assert response.status_code == 413


def test_injection_in_names_and_tags_is_inert(make_browser: BrowserFactory, web_settings) -> None:
    from tests.web.media_helpers import upload

    browser = make_browser()
    browser.register("alice")
    media_id = upload(browser, web_settings, name="x.png")
    hostile = "\"'><script>alert(1)</script> OR 1=1; DROP TABLE media;--"
    assert browser.api("POST", f"/api/media/{media_id}/tags", {"tag": hostile}).status_code == 201
    page = browser.get(f"/media/{media_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    tags = browser.api("GET", f"/api/media/{media_id}").json["tags"]
    assert len(tags) == 1 and "<" not in tags[0]
