"""Request-path cost as data grows: SnapStream's queries vs the reference design's scans.

The same moto table (the synthesized media table) is filled with N media records spread over 100
users, each with one tag item, and the profile counters. For each N, the items DynamoDB examined
(ScannedCount, summed over every call a request makes) are counted for:

- SnapStream: library page (GSI1 Query), tag search (Query), dashboard (GetItem), create (PutItem);
- reference design notes: library by Scan + FilterExpression on owner_id until a page is full,
  the next record number by Scan(Select=COUNT) before each insert, counts by scanning.
"""

from __future__ import annotations

import os
import time
from typing import Any

import boto3
from moto import mock_aws

from bench.pipeline_calls import _templates
from tools.local_aws import provision

USERS = 100
PAGE = 24


def _fill(table: str, size: int, owners: list[str] | None = None) -> None:
    """N media records (with one tag item each) over ``owners`` (default: 100 users)."""
    from snapstream_runtime.adapters.table import to_attributes

    dynamodb = boto3.client("dynamodb")
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        pending: dict[str, Any] = {table: batch[:]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        batch.clear()

    for index in range(size):
        owner = owners[index % len(owners)] if owners else f"{index % USERS:032x}"
        media = f"{index:032x}"
        created = f"2026-11-{1 + index % 28:02d}T00:00:{index % 60:02d}.{index:06d}Z"
        common = {
            "media_id": media,
            "owner_id": owner,
            "created_at": created,
            "status": "ready",
            "kind": "image",
            "title": f"photo {index}.jpg",
            "content_type": "image/jpeg",
            "file_name": f"photo {index}.jpg",
            "upload_key": f"uploads/{owner}/{media}/photo {index}.jpg",
            "declared_size": 1000,
        }
        batch.append(
            {
                "PutRequest": {
                    "Item": to_attributes(
                        {
                            "pk": f"MEDIA#{media}",
                            "sk": "META",
                            "gsi1pk": f"OWNER#{owner}",
                            "gsi1sk": f"{created}#{media}",
                            "gsi2pk": "ALL#2026-11",
                            "gsi2sk": f"{created}#{media}",
                            "tags": ["flood"],
                            **common,
                        }
                    )
                }
            }
        )
        batch.append(
            {
                "PutRequest": {
                    "Item": to_attributes(
                        {
                            "pk": f"TAG#{owner}#flood",
                            "sk": f"{created}#{media}",
                            "tag": "flood",
                            **common,
                        }
                    )
                }
            }
        )
        if len(batch) >= 24:
            flush()
    for user in range(0 if owners else USERS):
        per_user = size // USERS
        batch.append(
            {
                "PutRequest": {
                    "Item": to_attributes(
                        {
                            "pk": f"USER#{user:032x}",
                            "sk": "PROFILE",
                            "count_uploads": per_user,
                            "count_completed": per_user,
                        }
                    )
                }
            }
        )
        if len(batch) >= 24:
            flush()
    if batch:
        flush()


def _ours(table: str, owner: str) -> dict[str, int]:
    from snapstream_runtime.adapters import clients
    from snapstream_runtime.adapters.table import Table

    clients.reset()
    dynamodb = boto3.client("dynamodb")
    library = dynamodb.query(
        TableName=table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": f"OWNER#{owner}"}},
        ScanIndexForward=False,
        Limit=PAGE,
    )
    search = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"TAG#{owner}#flood"}},
        ScanIndexForward=False,
        Limit=PAGE,
    )
    Table(table).get(f"USER#{owner}", "PROFILE")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "MEDIA#new"}, "sk": {"S": "META"}})
    return {
        "library page": library["ScannedCount"],
        "tag search": search["ScannedCount"],
        "dashboard counts": 1,  # one GetItem reads one item
        "create media record": 0,  # one PutItem reads nothing
    }


def _scan_all(table: str, **request: Any) -> tuple[int, list[dict[str, Any]]]:
    dynamodb = boto3.client("dynamodb")
    scanned, items, start = 0, [], None
    while True:
        page = dynamodb.scan(
            TableName=table, **request, **({"ExclusiveStartKey": start} if start else {})
        )
        scanned += page["ScannedCount"]
        items += page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return scanned, items


def _reference(table: str, owner: str) -> dict[str, int]:
    dynamodb = boto3.client("dynamodb")
    # Library: Scan with a filter on owner_id, page after page, until a page of results is full.
    scanned, found, start = 0, 0, None
    while found < PAGE:
        page = dynamodb.scan(
            TableName=table,
            FilterExpression="owner_id = :o AND sk = :m",
            ExpressionAttributeValues={":o": {"S": owner}, ":m": {"S": "META"}},
            Limit=PAGE,
            **({"ExclusiveStartKey": start} if start else {}),
        )
        scanned += page["ScannedCount"]
        found += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    search_scanned, _ = _scan_all(
        table,
        FilterExpression="owner_id = :o AND contains(tags, :t)",
        ExpressionAttributeValues={":o": {"S": owner}, ":t": {"S": "flood"}},
    )
    counts_scanned, _ = _scan_all(
        table, FilterExpression="owner_id = :o", ExpressionAttributeValues={":o": {"S": owner}}
    )
    create_scanned, _ = _scan_all(table, Select="COUNT")
    return {
        "library page": scanned,
        "tag search": search_scanned,
        "dashboard counts": counts_scanned,
        "create media record": create_scanned,
    }


def measure(sizes: tuple[int, ...]) -> dict[int, dict[str, dict[str, int]]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    data, _ = _templates()
    results: dict[int, dict[str, dict[str, int]]] = {}
    owner = f"{7:032x}"
    for size in sizes:
        with mock_aws():
            resources = provision(data)
            table = resources.names[resources.find("MediaTable")]
            started = time.perf_counter()
            _fill(table, size)
            print(f"  filled {size} media in {time.perf_counter() - started:.0f} s", flush=True)
            results[size] = {
                "snapstream": _ours(table, owner),
                "reference": _reference(table, owner),
            }
    return results


def section(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> list[str]:
    results = measure(sizes)
    first, last = sizes[0], sizes[-1]
    operations = list(results[first]["snapstream"])
    lines = [
        "## Request-path cost as data grows",
        "",
        "Items DynamoDB examined per request (ScannedCount; GetItem/PutItem counted as 1/0),",
        f"with N media records over {USERS} users in the synthesized table (moto). Reference =",
        "the original design notes: Scan + FilterExpression on owner_id, Scan(Select=COUNT)",
        "before each insert, counts by scanning. SnapStream's pages read at most the page size",
        f"({PAGE}); with 1,000 media each of the {USERS} users has only 10.",
        "",
        "| request | design | "
        + " | ".join(f"N={n:,}" for n in sizes)
        + f" | growth {first:,} -> {last:,} |",
        "|---|---|" + "---|" * len(sizes) + "---|",
    ]
    for operation in operations:
        for design in ("snapstream", "reference"):
            values = [results[n][design][operation] for n in sizes]
            growth = (
                f"{values[-1] / values[0]:.0f}x"
                if values[0]
                else ("1x" if values[-1] == 0 else "n/a")
            )
            lines.append(
                f"| {operation} | {design} | "
                + " | ".join(f"{v:,}" for v in values)
                + f" | {growth} |"
            )
    lines.append("")
    return lines
