"""IAM condition operators, with IAM's semantics for set operators, ``IfExists`` and missing keys.

A ``Condition`` block is true when every operator and every key in it is true (AND); the values
listed for one key are alternatives (OR). Condition key names are case-insensitive.

Missing key (not in the request context):
- ``...IfExists``: true. ``Null``: true for "true", false for "false".
- ``ForAllValues:``: true (also for an empty list). ``ForAnyValue:``: false.
- a plain positive operator (``StringEquals``, ``ArnLike``, ``Bool`` ...): false.
- a plain negated operator (``StringNotEquals``, ``ArnNotLike`` ...): true, as IAM documents
  ("if the policy condition requires that the key is not matched ... the condition is true").
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tools.authority.model import ContextValue, Unmodeled
from tools.authority.patterns import arn_match, glob_match, substitute

Context = Mapping[str, ContextValue]
#: positive test of one request value against one policy value, in a request context.
_Test = Callable[[str, str, Context], bool]


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> datetime:
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _equals(ignore_case: bool) -> _Test:
    def test(value: str, policy: str, context: Context) -> bool:
        wanted = substitute(policy, context)
        if wanted is None:
            return False
        return value.lower() == wanted.lower() if ignore_case else value == wanted

    return test


def _plain(compare: Callable[[str, str], bool]) -> _Test:
    """A test that takes no policy variables (numbers, dates, Bool, addresses)."""
    return lambda value, policy, _context: compare(value, policy)


def _ip(value: str, policy: str) -> bool:
    return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)


def _binary(value: str, policy: str) -> bool:
    return base64.b64decode(value) == base64.b64decode(policy)


def _like(value: str, policy: str, context: Context) -> bool:
    return glob_match(policy, value, context)


def _arn(value: str, policy: str, context: Context) -> bool:
    return arn_match(policy, value, context)


#: base operator -> (positive test, negated?). "Not" operators are the negation of their
#: positive counterpart over all policy values.
_OPERATORS: dict[str, tuple[_Test, bool]] = {
    "StringEquals": (_equals(False), False),
    "StringNotEquals": (_equals(False), True),
    "StringEqualsIgnoreCase": (_equals(True), False),
    "StringNotEqualsIgnoreCase": (_equals(True), True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "ArnEquals": (_arn, False),
    "ArnLike": (_arn, False),
    "ArnNotEquals": (_arn, True),
    "ArnNotLike": (_arn, True),
    "Bool": (_plain(lambda v, p: v.lower() == p.lower()), False),
    "NumericEquals": (_plain(lambda v, p: _number(v) == _number(p)), False),
    "NumericNotEquals": (_plain(lambda v, p: _number(v) == _number(p)), True),
    "NumericLessThan": (_plain(lambda v, p: _number(v) < _number(p)), False),
    "NumericLessThanEquals": (_plain(lambda v, p: _number(v) <= _number(p)), False),
    "NumericGreaterThan": (_plain(lambda v, p: _number(v) > _number(p)), False),
    "NumericGreaterThanEquals": (_plain(lambda v, p: _number(v) >= _number(p)), False),
    "DateEquals": (_plain(lambda v, p: _date(v) == _date(p)), False),
    "DateNotEquals": (_plain(lambda v, p: _date(v) == _date(p)), True),
    "DateLessThan": (_plain(lambda v, p: _date(v) < _date(p)), False),
    "DateLessThanEquals": (_plain(lambda v, p: _date(v) <= _date(p)), False),
    "DateGreaterThan": (_plain(lambda v, p: _date(v) > _date(p)), False),
    "DateGreaterThanEquals": (_plain(lambda v, p: _date(v) >= _date(p)), False),
    "IpAddress": (_plain(_ip), False),
    "NotIpAddress": (_plain(_ip), True),
    "BinaryEquals": (_plain(_binary), False),
}


def parse(operator: str) -> tuple[str | None, str, bool]:
    """``ForAllValues:StringLikeIfExists`` -> ("ForAllValues", "StringLike", True)."""
    prefix: str | None = None
    base = operator
    if ":" in operator:
        prefix, base = operator.split(":", 1)
        if prefix not in ("ForAllValues", "ForAnyValue"):
            raise Unmodeled(f"condition operator {operator!r}: unknown set prefix")
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base.removesuffix("IfExists")
    if base == "Null":
        if prefix or if_exists:
            raise Unmodeled(f"condition operator {operator!r}")
    elif base not in _OPERATORS:
        raise Unmodeled(f"condition operator {operator!r} is not modeled")
    return prefix, base, if_exists


def lookup(context: Context, key: str) -> list[str] | None:
    """The request's values for ``key`` (case-insensitive), as strings; None when absent."""
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return _strings(value)
    return None


def _strings(value: ContextValue) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int):
        return [str(value)]
    return [str(item) for item in value]


def _policy_values(values: Any) -> list[str]:
    items = values if isinstance(values, Sequence) and not isinstance(values, str) else [values]
    return ["true" if v is True else "false" if v is False else str(v) for v in items]


#: Condition keys the request model always supplies where AWS would: the evaluator's own
#: (principal, transport, a service's source) and those tools.authority.calls maps from each
#: call. Only for these is a key's absence from a request a fact rather than a modelling gap.
MODELED_KEYS = frozenset(
    {
        "aws:securetransport",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalservicename",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:tagkeys",
        "dynamodb:leadingkeys",
        "events:detail-type",
        "events:source",
        "iam:passedtoservice",
        "kms:viaservice",
        "s3:prefix",
        "sns:endpoint",
        "sns:protocol",
        "transcribe:outputbucketname",
        "transcribe:outputencryptionkmskeyid",
        "transcribe:outputkey",
    }
)


def evaluate(
    conditions: Mapping[str, Mapping[str, Any]], context: Context, *, allows: bool = True
) -> bool:
    """Whether a statement's ``Condition`` block holds for the request ``context``.

    Where a key's absence would widen access (an Allow that then holds, a Deny that then does
    not), the key must be one the request model supplies (:data:`MODELED_KEYS`): otherwise the
    absence may be the model's gap, and the evaluator refuses to guess (``Unmodeled``)."""
    results = [
        (key, _holds(operator, key, values, context))
        for operator, tests in conditions.items()
        for key, values in tests.items()
    ]
    for key, holds in results:
        widens = holds if allows else not holds
        if widens and not lookup(context, key) and key.lower() not in MODELED_KEYS:
            raise Unmodeled(f"condition key {key} is not in the request model")
    return all(holds for _, holds in results)


def _holds(operator: str, key: str, values: Any, context: Context) -> bool:
    prefix, base, if_exists = parse(operator)
    present = lookup(context, key)
    policy = _policy_values(values)
    if base == "Null":
        wanted = {p.lower() for p in policy}
        return ("true" if not present else "false") in wanted
    if not present:  # absent, or an empty list
        if if_exists:
            return True
        if prefix == "ForAllValues":
            return True
        if prefix == "ForAnyValue":
            return False
        return _OPERATORS[base][1]  # plain: negated operators hold, positive ones do not
    test, negated = _OPERATORS[base]

    def one(value: str) -> bool:
        matched = any(test(value, pattern, context) for pattern in policy)
        return not matched if negated else matched

    if prefix == "ForAllValues":
        return all(one(value) for value in present)
    if prefix == "ForAnyValue":
        return any(one(value) for value in present)
    if len(present) != 1:
        raise Unmodeled(
            f"{operator} on {key}, which has {len(present)} values in the request: use a set "
            "operator (ForAllValues:/ForAnyValue:)"
        )
    return one(present[0])
