"""Who may try a password (or a second-factor code) now: throttles and known browsers.

The policy (docs/website.md, "Throttling"), built from ``throttle.py``'s growing delays:

- **per client address** (``request.remote_addr``; deployed, ProxyFix takes it from the
  ``X-Forwarded-For`` CloudFront adds), an IPv6 address counted by its /64 network (the
  smallest allocation a subscriber gets: rotating through it must not buy fresh guesses), and
  also by its /48 with four times the free failures (sites are often given a /56 or /48, whose
  65,536 /64s would each start afresh): ``address_throttle`` (20 free failures, then 30 s
  doubling to 15 min). An attempt from a waiting address is refused without checking anything.
- **per account**: ``account_throttle`` (5 free failures, then the same growing waits) for
  attempts from browsers that never logged in to the account. A browser that did carries a
  signed ``snapstream_device`` cookie naming the account (90 days) and is exempt from the
  account's wait, though not from its own address's. So failures by strangers can delay new
  browsers for a while, never the owner's own; and whoever guesses from many addresses still
  waits on the account.
- attempts refused while waiting are not counted, counts are forgotten 6 hours after the last
  failure, and a login clears its account's count (never its address's: a stranger's own
  account must not reset their address).
- wrong second-factor codes count like wrong passwords, on the address and the account.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import ipaddress

from flask import request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from snapstream_runtime import keys
from snapstream_web import accounts, security, throttle
from snapstream_web.accounts import AccountError, LoginFailed, LoginLocked, User

DEVICE_COOKIE = "snapstream_device"
DEVICE_SECONDS = 90 * 24 * 3600
#: accounts one browser is remembered for (the most recent ones).
DEVICE_ACCOUNTS = 5


#: the smallest IPv6 prefix a subscriber is given, throttled as one address
IPV6_PREFIX = 64
#: a wider IPv6 network, counted too, and how many times the address's free failures it has
IPV6_SITE_PREFIX, IPV6_SITE_FACTOR = 48, 4


def throttled_address(address: str, prefix: int = IPV6_PREFIX) -> str:
    """``address`` as counted: an IPv4 address (IPv4-mapped IPv6 too) as itself, an IPv6
    address as its network of ``prefix`` bits; anything unparsable as given."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{prefix}", strict=False))
    return str(parsed)


def _address_buckets() -> list[tuple[dict[str, str], throttle.Throttle]]:
    """The client's address throttles: its address (or /64), and for IPv6 its /48 too."""
    policy, address = security.web_config().address_throttle, request.remote_addr or "unknown"
    counted = throttled_address(address)
    buckets = [(keys.login_address_key(counted), policy)]
    site = throttled_address(address, IPV6_SITE_PREFIX)
    if site != counted:
        wider = dataclasses.replace(policy, free_failures=policy.free_failures * IPV6_SITE_FACTOR)
        buckets.append((keys.login_address_key(site), wider))
    return buckets


def _refuse_if_address_waiting() -> None:
    for key, _ in _address_buckets():
        _refuse_if_waiting(key)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(security.web_config().secret_key, salt="snapstream-device")


def _account_tag(email: str) -> str:
    """An account's name in the device cookie: a keyed hash (the cookie shows no address)."""
    key = security.web_config().secret_key.encode()
    return hmac.new(key, f"device:{email}".encode(), hashlib.sha256).hexdigest()[:32]


def _known_tags() -> list[str]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        tags = _serializer().loads(raw, max_age=DEVICE_SECONDS)
    except BadSignature:
        return []
    return [str(tag) for tag in tags] if isinstance(tags, list) else []


def is_known_browser(email: str) -> bool:
    tag = _account_tag(email)
    return any(hmac.compare_digest(tag, known) for known in _known_tags())


def remember_browser(response: Response, user: User) -> Response:
    """Mark this browser as one that logged in to ``user``'s account (after a full login)."""
    tag = _account_tag(user.email)
    tags = [tag, *(known for known in _known_tags() if known != tag)][:DEVICE_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(tags),
        max_age=DEVICE_SECONDS,
        secure=security.web_config().secure_cookies,
        httponly=True,
        samesite="Lax",
    )
    return response


def _refuse_if_waiting(key: dict[str, str]) -> None:
    wait = throttle.wait_seconds(security.table(), key)
    if wait:
        raise LoginLocked(wait)


def _count_failure(email: str | None) -> None:
    table, config = security.table(), security.web_config()
    for key, policy in _address_buckets():
        throttle.record_failure(table, key, policy)
    if email:
        throttle.record_failure(table, keys.login_key(email), config.account_throttle)


def check_password(email: str, password: str) -> User:
    """The account these credentials open, within the throttles; raises ``LoginLocked`` (wait
    ``retry_after`` seconds), ``LoginFailed`` (or its ``AccountBeingDeleted`` and
    ``AccountDisabled``: the password was right)."""
    _refuse_if_address_waiting()
    try:
        normalized = accounts.normalize_email(email)
    except AccountError:
        _count_failure(None)
        raise LoginFailed("wrong e-mail or password") from None
    if not is_known_browser(normalized):
        _refuse_if_waiting(keys.login_key(normalized))
    try:
        return accounts.authenticate(security.table(), email=normalized, password=password)
    except LoginFailed as failed:
        if type(failed) is LoginFailed:  # not the right password for a closed account
            _count_failure(normalized)
        raise


def logged_in(response: Response, user: User) -> Response:
    """A login completed (password, and code if the account has two-factor on): forget the
    account's failures and remember this browser for it."""
    throttle.clear(security.table(), keys.login_key(user.email))
    return remember_browser(response, user)


def check_code_allowed(user: User) -> None:
    """Refuse a second-factor code from a waiting address, or for a waiting account from a
    browser the account does not know."""
    _refuse_if_address_waiting()
    if not is_known_browser(user.email):
        _refuse_if_waiting(keys.login_key(user.email))


def count_wrong_code(user: User) -> None:
    _count_failure(user.email)


def check_current_password(user: User, password: str) -> bool:
    """Whether ``password`` is the signed-in user's (confirming a deletion, a password change,
    turning two-factor on): counted and refused while waiting like a login, on the address and,
    from a browser the account does not know, on the account (a stolen session must not be able
    to guess the password)."""
    _refuse_if_address_waiting()
    if not is_known_browser(user.email):
        _refuse_if_waiting(keys.login_key(user.email))
    profile = security.table().get(**keys.profile_key(user.user_id))
    if accounts.password_matches(profile, password):
        return True
    _count_failure(user.email)
    return False
