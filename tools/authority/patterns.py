"""Wildcard (``*``, ``?``) and policy-variable (``${aws:username}``) matching, as IAM does it.

Policy variables are replaced by the request's value for that key (``${key, 'default'}`` uses
the default when the key is missing); ``${*}``, ``${?}`` and ``${$}`` stand for the literal
characters. A variable whose key the request lacks (and that has no default) makes the element
not match, as in IAM.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from tools.authority.model import Unmodeled

_PIECE = re.compile(r"\$\{[^}]*\}|[*?:]|[^$*?:]+|\$")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_LITERAL_VARIABLES = {"${*}": "*", "${?}": "?", "${$}": "$"}

Context = Mapping[str, str | bool | int | Sequence[str]]


def _variable(piece: str, context: Context | None) -> str | None:
    if piece in _LITERAL_VARIABLES:
        return _LITERAL_VARIABLES[piece]
    inner = piece[2:-1]
    default = None
    matched = _DEFAULT.match(inner)
    if matched:
        inner, default = matched.groups()
    value = None
    for name, candidate in (context or {}).items():
        if name.lower() == inner.strip().lower():
            value = candidate
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    if len(value) == 1:
        return str(value[0])
    raise Unmodeled(f"policy variable {piece} with a multi-valued request key")


def to_regex(
    pattern: str,
    context: Context | None = None,
    *,
    wildcards: bool = True,
    arn: bool = False,
    ignore_case: bool = False,
) -> re.Pattern[str] | None:
    """A regex for ``pattern``; None when a policy variable has no value.

    With ``arn``, wildcards do not cross ``:`` within the first five ARN components (IAM's
    Arn* operators match the six components separately).
    """
    parts: list[str] = []
    colons = 0
    for piece in _PIECE.findall(pattern):
        if piece.startswith("${") and piece.endswith("}"):
            value = _variable(piece, context)
            if value is None:
                return None
            parts.append(re.escape(value))
        elif piece in "*?" and wildcards:
            confined = arn and colons < 5
            if piece == "*":
                parts.append("[^:]*" if confined else ".*")
            else:
                parts.append("[^:]" if confined else ".")
        else:
            colons += piece.count(":")
            parts.append(re.escape(piece))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def glob_match(pattern: str, value: str, context: Context | None = None) -> bool:
    """Case-sensitive wildcard match (resources, ``StringLike``)."""
    if pattern == "*":
        return True
    if "$" not in pattern:
        return _static(pattern, False).fullmatch(value) is not None
    compiled = to_regex(pattern, context)
    return compiled is not None and compiled.fullmatch(value) is not None


def action_match(pattern: str, action: str) -> bool:
    """Case-insensitive wildcard match of an action (``s3:Get*`` vs ``s3:GetObject``)."""
    return pattern == "*" or _static(pattern, True).fullmatch(action) is not None


def substitute(text: str, context: Context | None) -> str | None:
    """``text`` with its policy variables replaced (no wildcards); None if one has no value."""
    if "$" not in text:
        return text
    parts = []
    for piece in _PIECE.findall(text):
        if piece.startswith("${") and piece.endswith("}"):
            value = _variable(piece, context)
            if value is None:
                return None
            parts.append(value)
        else:
            parts.append(piece)
    return "".join(parts)


def arn_match(pattern: str, value: str, context: Context | None = None) -> bool:
    """IAM's ArnLike/ArnEquals: component-wise wildcard match of a six-part ARN."""
    if pattern == "*":
        return True
    if value.count(":") < 5:
        return False
    compiled = to_regex(pattern, context, arn=True)
    return compiled is not None and compiled.fullmatch(value) is not None


@functools.cache
def _static(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    compiled = to_regex(pattern, None, ignore_case=ignore_case)
    assert compiled is not None  # no variables in a static pattern
    return compiled
