"""The single DynamoDB table through the low-level client (lighter to import than resources)."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from snapstream_runtime.adapters.clients import client

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def to_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_dynamodb_value(v)) for k, v in item.items()}


def _dynamodb_value(value: Any) -> Any:
    """DynamoDB numbers must be Decimal; floats (scores, confidences) are converted exactly."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        return [_dynamodb_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _dynamodb_value(v) for k, v in value.items()}
    return value


def from_attributes(attributes: Mapping[str, Any]) -> Item:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in attributes.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers arrive as Decimal; give back int where the number is whole."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class ConditionFailed(Exception):
    """A conditional write found the item in another state than expected."""

    def __init__(self, message: str, reasons: Sequence[str | None] = ()) -> None:
        super().__init__(message)
        #: a transaction's cancellation reason per item, in order (``ConditionalCheckFailed``,
        #: ``None``, ...); empty for a single write
        self.reasons = list(reasons)


@dataclass(frozen=True)
class KeyQuery:
    """One Query: a key ``condition`` on the table or its ``index``, optionally filtered (a
    filter thins what is returned, never what is read), in key order or ``descending``."""

    condition: str
    values: Mapping[str, Any]
    index: str | None = None
    filter: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    projection: str | None = None
    descending: bool = False

    def request(self, table_name: str) -> dict[str, Any]:
        return {
            "TableName": table_name,
            "KeyConditionExpression": self.condition,
            "ExpressionAttributeValues": to_attributes(self.values),
            **({"IndexName": self.index} if self.index else {}),
            **({"FilterExpression": self.filter} if self.filter else {}),
            **({"ExpressionAttributeNames": dict(self.names)} if self.names else {}),
            **({"ProjectionExpression": self.projection} if self.projection else {}),
            **({"ScanIndexForward": False} if self.descending else {}),
        }


class Table:
    def __init__(self, name: str) -> None:
        self.name = name

    def get(self, pk: str, sk: str) -> Item | None:
        response = client("dynamodb").get_item(
            TableName=self.name, Key=to_attributes({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        return from_attributes(response["Item"]) if "Item" in response else None

    def get_many(self, keys: Sequence[Mapping[str, str]], *, rounds: int = 5) -> list[Item]:
        """The items (at most 100) found for ``keys``, in one BatchGetItem, asking again for
        the keys DynamoDB left unprocessed at most ``rounds`` times in all."""
        if not keys:
            return []
        request: dict[str, Any] = {self.name: {"Keys": [to_attributes(k) for k in keys]}}
        found: list[Item] = []
        for _ in range(rounds):
            response = client("dynamodb").batch_get_item(RequestItems=request)
            found.extend(from_attributes(raw) for raw in response["Responses"].get(self.name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        return found

    def put(self, item: Mapping[str, Any]) -> None:
        """Put an item, replacing any with the same key."""
        client("dynamodb").put_item(TableName=self.name, Item=to_attributes(item))

    def put_new(self, item: Mapping[str, Any]) -> None:
        """Put an item that must not exist yet."""
        try:
            client("dynamodb").put_item(
                TableName=self.name,
                Item=to_attributes(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except client("dynamodb").exceptions.ConditionalCheckFailedException as error:
            raise ConditionFailed(f"{item['pk']}/{item['sk']} already exists") from error

    def update(
        self, key: Mapping[str, str], update: Update, *, return_updated: bool = False
    ) -> Item:
        """Apply ``update``; with ``return_updated``, the attributes it changed (new values)."""
        returning = {"ReturnValues": "UPDATED_NEW"} if return_updated else {}
        try:
            response = client("dynamodb").update_item(
                TableName=self.name, Key=to_attributes(key), **update.request(), **returning
            )
        except client("dynamodb").exceptions.ConditionalCheckFailedException as error:
            raise ConditionFailed(f"{key['pk']}/{key['sk']}: condition failed") from error
        return from_attributes(response.get("Attributes") or {})

    def delete(self, key: Mapping[str, str], when: Condition | None = None) -> bool:
        """Delete one item (deleting a missing item succeeds); False, and nothing deleted, if
        the ``when`` condition does not hold."""
        try:
            client("dynamodb").delete_item(
                TableName=self.name, Key=to_attributes(key), **(when.request() if when else {})
            )
        except client("dynamodb").exceptions.ConditionalCheckFailedException:
            return False
        return True

    def item_keys(self, pk: str, *, sk_prefix: str = "") -> list[dict[str, Any]]:
        """The keys (attribute form) of every item of partition ``pk`` whose sort key starts
        with ``sk_prefix``, every page of the Query."""
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if sk_prefix else "")
        values = {":pk": pk, **({":prefix": sk_prefix} if sk_prefix else {})}
        found = self.items(KeyQuery(condition, values, projection="pk, sk"))
        return [to_attributes({"pk": item["pk"], "sk": item["sk"]}) for item in found]

    def items(
        self, query: KeyQuery, *, limit: int | None = None, page_size: int | None = None
    ) -> Iterator[Item]:
        """The items of ``query``, every page (each read when the one before is used up), at
        most ``limit`` of them; ``page_size`` bounds what one request reads."""
        if limit:
            paging = {"MaxItems": limit, "PageSize": min(limit, 100)}
        else:
            paging = {"PageSize": page_size} if page_size else {}
        paginator = client("dynamodb").get_paginator("query")
        pages = paginator.paginate(**query.request(self.name), PaginationConfig=paging)
        found = (from_attributes(item) for page in pages for item in page["Items"])
        return itertools.islice(found, limit) if limit else found

    def page(
        self, query: KeyQuery, *, limit: int, start: Mapping[str, Any] | None = None
    ) -> tuple[list[Item], Item | None]:
        """One request's page of ``query``, from after the key ``start``: its items (at most
        ``limit`` read) and the last key it read while more may follow."""
        request = {**query.request(self.name), "Limit": limit}
        if start:
            request["ExclusiveStartKey"] = to_attributes(start)
        response = client("dynamodb").query(**request)
        last = response.get("LastEvaluatedKey")
        items = [from_attributes(i) for i in response["Items"]]
        return items, from_attributes(last) if last else None

    def transact(self, items: Sequence[Mapping[str, Any]], *, attempts: int = 5) -> None:
        """Write all items or none; a failed condition raises :class:`ConditionFailed`.

        A ``TransactionConflict`` (another transaction on one of the items at the same moment;
        the SDK does not retry it) is retried with jittered backoff.
        """
        for attempt in range(attempts):
            try:
                client("dynamodb").transact_write_items(TransactItems=list(items))
                return
            except client("dynamodb").exceptions.TransactionCanceledException as error:
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons:
                    message = f"transaction condition failed: {reasons}"
                    raise ConditionFailed(message, reasons) from error
                if "TransactionConflict" not in reasons or attempt == attempts - 1:
                    raise
                time.sleep(random.uniform(0.05, 0.1) * 2**attempt)  # noqa: S311 (jitter)


def batch_write(
    table_name: str, requests: Sequence[Mapping[str, Any]], *, attempts: int = 6
) -> None:
    """``BatchWriteItem`` in chunks of 25, retrying unprocessed items with backoff."""
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table_name: list(requests[start : start + 25])}
        for attempt in range(attempts):
            pending = (
                client("dynamodb").batch_write_item(RequestItems=pending).get("UnprocessedItems")
                or {}
            )
            if not pending:
                break
            time.sleep(random.uniform(0.05, 0.1) * 2**attempt)  # noqa: S311 (jitter)
        else:
            raise RuntimeError("DynamoDB kept throttling a batch write")


def delete_keys(table_name: str, keys: Sequence[Mapping[str, Any]]) -> None:
    """Delete items by their (serialized) keys."""
    batch_write(table_name, [{"DeleteRequest": {"Key": key}} for key in keys])


class Condition:
    """Builds one ConditionExpression with generated placeholders, so callers never collide."""

    def __init__(self) -> None:
        self._condition: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def _name(self, path: str) -> str:
        parts = []
        for part in path.split("."):
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = part
            parts.append(placeholder)
        return ".".join(parts)

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def require_equal(self, path: str, value: Any) -> Self:
        self._condition.append(f"{self._name(path)} = {self._value(value)}")
        return self

    def require_not_equal(self, path: str, value: Any) -> Self:
        """``path`` is absent or holds another value."""
        name = self._name(path)
        self._condition.append(f"(attribute_not_exists({name}) OR {name} <> {self._value(value)})")
        return self

    def require(self, expression: str, names: dict[str, str], values: dict[str, Any]) -> Self:
        """A condition written out, with its own placeholders (never ``#n<i>``/``:v<i>``)."""
        self._condition.append(f"({expression})")
        self.names.update(names)
        self.values.update(values)
        return self

    def require_in(self, path: str, values: Sequence[Any]) -> Self:
        placeholders = ", ".join(self._value(v) for v in values)
        self._condition.append(f"{self._name(path)} IN ({placeholders})")
        return self

    def require_absent(self, path: str) -> Self:
        self._condition.append(f"attribute_not_exists({self._name(path)})")
        return self

    def require_exists(self, path: str) -> Self:
        self._condition.append(f"attribute_exists({self._name(path)})")
        return self

    def request(self) -> dict[str, Any]:
        request: dict[str, Any] = {}
        if self.names:
            request["ExpressionAttributeNames"] = self.names
        if self.values:
            request["ExpressionAttributeValues"] = to_attributes(self.values)
        if self._condition:
            request["ConditionExpression"] = " AND ".join(self._condition)
        return request


class Update(Condition):
    """Builds one UpdateExpression (and its condition) with generated placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self._set: list[str] = []
        self._add: list[str] = []
        self._remove: list[str] = []
        self._delete: list[str] = []

    def set(self, path: str, value: Any) -> Update:
        self._set.append(f"{self._name(path)} = {self._value(value)}")
        return self

    def append(self, path: str, entries: list[Any]) -> Update:
        name = self._name(path)
        empty, new = self._value([]), self._value(entries)
        self._set.append(f"{name} = list_append(if_not_exists({name}, {empty}), {new})")
        return self

    def add(self, path: str, amount: int) -> Update:
        if amount:
            self._add.append(f"{self._name(path)} {self._value(amount)}")
        return self

    def remove(self, path: str) -> Update:
        self._remove.append(self._name(path))
        return self

    def discard(self, path: str, members: Set[Any]) -> Update:
        """Take ``members`` out of the set at ``path``."""
        self._delete.append(f"{self._name(path)} {self._value(members)}")
        return self

    @property
    def has_changes(self) -> bool:
        return bool(self._set or self._add or self._remove or self._delete)

    def request(self) -> dict[str, Any]:
        clauses = []
        if self._set:
            clauses.append("SET " + ", ".join(self._set))
        if self._add:
            clauses.append("ADD " + ", ".join(self._add))
        if self._remove:
            clauses.append("REMOVE " + ", ".join(self._remove))
        if self._delete:
            clauses.append("DELETE " + ", ".join(self._delete))
        return {"UpdateExpression": " ".join(clauses), **super().request()}

    def transact_item(self, table_name: str, key: Mapping[str, str]) -> dict[str, Any]:
        return {"Update": {"TableName": table_name, "Key": to_attributes(key), **self.request()}}


def put_transact_item(table_name: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table_name,
            "Item": to_attributes(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
