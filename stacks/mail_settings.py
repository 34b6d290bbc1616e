"""Checks of an environment's e-mail settings (stacks/config.py; the resources: stacks/mail.py)."""

from __future__ import annotations

import re

_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9._%+-]{1,64}$")


def mail_problems(
    *,
    mail_from: str,
    mail_domain: str | None,
    email_verification_hours: int,
    password_reset_minutes: int,
) -> list[str]:
    """What is wrong with these settings, in words (empty: nothing)."""
    problems = []
    local, _, domain = mail_from.partition("@")
    if not _LOCAL_PART.match(local) or not _DOMAIN.match(domain):
        problems.append(f"mail_from {mail_from!r} is not a plain e-mail address")
    if mail_domain is not None and (
        not _DOMAIN.match(mail_domain) or not mail_from.lower().endswith("@" + mail_domain.lower())
    ):
        problems.append(f"mail_domain {mail_domain!r} must be a domain name, the one of mail_from")
    if not 1 <= email_verification_hours <= 7 * 24:
        problems.append("email_verification_hours must be 1-168")
    if not 5 <= password_reset_minutes <= 24 * 60:
        problems.append("password_reset_minutes must be 5-1440")
    return problems
