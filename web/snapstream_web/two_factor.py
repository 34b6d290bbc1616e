"""Optional two-factor authentication with time-based one-time codes (TOTP, RFC 6238: pyotp).

Any user may turn it on from the profile page; where ``require_admin_two_factor`` is set
(staging, prod) an administrator must, before anything else. Profile attributes:

- ``totp_pending``: the secret being enrolled (shown once as text, an ``otpauth://`` URI and a QR
  code), until a code from the app confirms it;
- ``totp_secret``: the confirmed secret. Both are stored encrypted (Fernet: AES-128-CBC with
  HMAC-SHA256) under a key derived with HKDF from the site's secret key, never logged and never
  returned by any page or API;
- ``totp_last_step``: the last 30-second step whose code was accepted: a code works once;
- ``recovery_codes``: SHA-256 hashes of ten single-use recovery codes (80 random bits each),
  shown once when two-factor is turned on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from typing import Any

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update
from snapstream_web.accounts import User

ISSUER = "SnapStream"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_TOTP_CODE = re.compile(r"[0-9]{6}")
_RECOVERY_CODE = re.compile(rf"[{_RECOVERY_ALPHABET}]{{16}}")


class TwoFactorError(ValueError):
    """Something the user can correct; the message says what."""


def _cipher(site_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"snapstream totp secret v1"
    ).derive(site_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(site_key: str, secret: str) -> str:
    return _cipher(site_key).encrypt(secret.encode()).decode()


def unseal(site_key: str, sealed: str | None) -> str | None:
    """The secret, or None if there is none or it cannot be read (another site key)."""
    if not sealed:
        return None
    try:
        return _cipher(site_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def enrolment_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The URI as an SVG QR code in a ``data:`` URI (the CSP allows ``img-src data:``)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


def begin(table: Table, user: User, site_key: str) -> str:
    """A new secret to enrol (replacing any unconfirmed one): stored sealed until confirmed."""
    secret = pyotp.random_base32()
    table.update(
        keys.profile_key(user.user_id),
        Update().set("totp_pending", seal(site_key, secret)).require_exists("pk"),
    )
    return secret


def pending_secret(table: Table, user: User, site_key: str) -> str | None:
    profile = table.get(**keys.profile_key(user.user_id)) or {}
    return unseal(site_key, profile.get("totp_pending"))


def clock() -> float:
    """Now, in seconds since the epoch (tests move it)."""
    return time.time()


def _matching_step(secret: str, code: str, at: float) -> int | None:
    """The 30-second step (this one, or one either side for clock drift) whose code is ``code``."""
    if not _TOTP_CODE.fullmatch(code):
        return None
    totp, current = pyotp.TOTP(secret), int(at // STEP_SECONDS)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalized(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def new_recovery_codes() -> list[str]:
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        for _ in range(RECOVERY_CODES)
    ]
    return ["-".join(code[i : i + 4] for i in range(0, 16, 4)) for code in codes]


def confirm(table: Table, user: User, code: str, site_key: str) -> list[str]:
    """Turn two-factor on with the pending secret, if ``code`` is its current code; the recovery
    codes to show (once). Moves ``auth_version``: the caller ends the account's other sessions."""
    profile = table.get(**keys.profile_key(user.user_id)) or {}
    sealed = profile.get("totp_pending")
    secret = unseal(site_key, sealed)
    if secret is None:
        raise TwoFactorError("start the set-up again: no secret is waiting to be confirmed")
    step = _matching_step(secret, _normalized(code), clock())
    if step is None:
        raise TwoFactorError("that code is not right; check the app's clock and try again")
    codes = new_recovery_codes()
    update = (
        Update()
        .set("totp_secret", sealed)
        .set("totp_last_step", step)
        .set("recovery_codes", {_recovery_hash(_normalized(c)) for c in codes})
        .remove("totp_pending")
        .add("auth_version", 1)
        .require_equal("totp_pending", sealed)
    )
    try:
        table.update(keys.profile_key(user.user_id), update)
    except ConditionFailed:
        raise TwoFactorError("the set-up changed meanwhile; start it again") from None
    return codes


def verify(table: Table, user_id: str, code: str, site_key: str) -> bool:
    """Whether ``code`` is the account's current TOTP code (not used before) or one of its
    unused recovery codes (used up now)."""
    profile = table.get(**keys.profile_key(user_id)) or {}
    given = _normalized(code)
    if _TOTP_CODE.fullmatch(given):
        secret = unseal(site_key, profile.get("totp_secret"))
        step = _matching_step(secret, given, clock()) if secret else None
        if step is None:
            return False
        try:  # each step's code is accepted once (no replay of an observed code)
            table.update(
                keys.profile_key(user_id),
                Update()
                .set("totp_last_step", step)
                .require_exists("totp_secret")
                .require(
                    "attribute_not_exists(#last) OR #last < :step",
                    {"#last": "totp_last_step"},
                    {":step": step},
                ),
            )
        except ConditionFailed:
            return False
        return True
    if _RECOVERY_CODE.fullmatch(given):
        return _use_recovery_code(table, user_id, _recovery_hash(given))
    return False


def _use_recovery_code(table: Table, user_id: str, hashed: str) -> bool:
    used = (
        Update()
        .discard("recovery_codes", {hashed})
        .require("contains(recovery_codes, :code)", {}, {":code": hashed})
    )
    try:
        table.update(keys.profile_key(user_id), used)
    except ConditionFailed:
        return False
    return True


def needs_new_secret(table: Table, user: User, site_key: str) -> bool:
    """Two-factor is on but its secret cannot be read here any more (the site key was
    replaced): the user logs in with a recovery code and sets it up again."""
    if not user.two_factor:
        return False
    profile = table.get(**keys.profile_key(user.user_id)) or {}
    return unseal(site_key, profile.get("totp_secret")) is None


def recovery_codes_left(table: Table, user: User) -> int:
    profile: dict[str, Any] = table.get(**keys.profile_key(user.user_id)) or {}
    return len(profile.get("recovery_codes") or ())


def turn_off(table: Table, user: User) -> None:
    table.update(
        keys.profile_key(user.user_id),
        Update()
        .remove("totp_secret")
        .remove("totp_pending")
        .remove("totp_last_step")
        .remove("recovery_codes")
        .add("auth_version", 1)  # less protection: the caller ends the other sessions
        .require_exists("pk"),
    )
