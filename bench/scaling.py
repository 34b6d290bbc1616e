"""Request-path cost as data grows: SnapStream's queries vs the reference design's scans.

The same moto table (the synthesized media table) is filled with N media records spread over 100
users, each with one tag item, and the profile counters. For each N, the items DynamoDB examined
(ScannedCount, summed over every call a request makes) are counted for:

- SnapStream: library page (GSI1 Query), tag search (Query), dashboard (GetItem), create (PutItem);
- reference design notes: library by Scan + FilterExpression on owner_id until a page is full,
  the next record number by Scan(Select=COUNT) before each insert, counts by scanning.

And the library's filtered pages (one user's videos, failed videos, failed media): one Query of
the index holding exactly that list, against GSI1 with a FilterExpression (SnapStream before
#19), read page after page until a page of results is full. One media in 10 is a video, one
in 25 failed, the same for every user, the first of each user's media a video.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

from bench.capacity import item_size, read_units, write_units
from bench.pipeline_calls import _templates
from tools.local.aws import provision

USERS = 100
PAGE = 24


def media_items(index: int, owner: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The META record and the tag item of media number ``index`` (low-level attribute format)."""
    from snapstream_runtime import listings
    from snapstream_runtime.adapters.table import to_attributes

    media = f"{index:032x}"
    created = f"2026-11-{1 + index % 28:02d}T00:00:{index % 60:02d}.{index:06d}Z"
    nth = index // USERS  # the same mix for every user, whoever owns the media
    kind, status = ("video" if nth % 10 == 0 else "image"), ("failed" if nth % 25 == 5 else "ready")
    title = f"photo {index}.jpg"
    common = {
        "media_id": media,
        "owner_id": owner,
        "created_at": created,
        "status": status,
        "kind": kind,
        "title": title,
        "content_type": "image/jpeg",
        "file_name": title,
        "upload_key": f"uploads/{owner}/{media}/{title}",
        "declared_size": 1000,
    }
    listed = {"owner_id": owner, "kind": kind, "created_at": created, "status": status}
    meta = {
        "pk": f"MEDIA#{media}",
        "sk": "META",
        "gsi1pk": f"OWNER#{owner}",
        "gsi1sk": f"{created}#{media}",
        "gsi2pk": "ALL#2026-11",
        "gsi2sk": f"{created}#{media}",
        **listings.record_keys(**listed, media_id=media, title=title),
        "tags": ["flood"],
        **common,
    }
    tag = {"pk": f"TAG#{owner}#flood", "sk": f"{created}#{media}", "tag": "flood", **common}
    return to_attributes(meta), to_attributes(tag)


def _fill(table: str, size: int, owners: list[str] | None = None) -> float:
    """N media records (with one tag item each) over ``owners`` (default: 100 users); returns
    the mean item size in bytes."""
    from snapstream_runtime.adapters.table import to_attributes

    dynamodb = boto3.client("dynamodb")
    batch: list[dict[str, Any]] = []
    total_bytes = items = 0

    def add(item: dict[str, Any]) -> None:
        nonlocal total_bytes, items
        total_bytes, items = total_bytes + item_size(item), items + 1
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) >= 24:
            flush()

    def flush() -> None:
        pending: dict[str, Any] = {table: batch[:]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        batch.clear()

    for index in range(size):
        owner = owners[index % len(owners)] if owners else f"{index % USERS:032x}"
        for item in media_items(index, owner):
            add(item)
    for user in range(0 if owners else USERS):
        per_user = size // USERS
        add(
            to_attributes(
                {
                    "pk": f"USER#{user:032x}",
                    "sk": "PROFILE",
                    "count_uploads": per_user,
                    "count_completed": per_user,
                }
            )
        )
    if batch:
        flush()
    return total_bytes / items


@dataclass(frozen=True)
class Cost:
    """What one request made DynamoDB do: items examined, capacity units consumed."""

    examined: int
    capacity: float


def _ours(table: str, owner: str, size: int) -> dict[str, Cost]:
    from snapstream_runtime.adapters import clients

    clients.reset()
    dynamodb = boto3.client("dynamodb")

    def query(**request: Any) -> Cost:
        page = dynamodb.query(TableName=table, ScanIndexForward=False, Limit=PAGE, **request)
        examined = sum(item_size(item) for item in page["Items"])  # no filter: all returned
        return Cost(page["ScannedCount"], read_units(examined))

    profile = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"USER#{owner}"}, "sk": {"S": "PROFILE"}}
    )["Item"]
    new_record, _ = media_items(size, owner)
    dynamodb.put_item(TableName=table, Item=new_record)
    return {
        "library page": query(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": f"OWNER#{owner}"}},
        ),
        "tag search": query(
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"TAG#{owner}#flood"}},
        ),
        # one GetItem reads one item; one PutItem reads nothing and writes the record, its two
        # full index entries (owner, all uploads) and its five library entries (a card each)
        "dashboard counts": Cost(1, read_units(item_size(profile))),
        "create media record": Cost(0, _creation_units(new_record)),
    }


def _creation_units(record: dict[str, Any]) -> float:
    from snapstream_constructs.tables import CARD_ATTRIBUTES
    from snapstream_runtime.listings import INDEXES

    card = {k: v for k, v in record.items() if k in {*CARD_ATTRIBUTES, "pk", "sk"}}
    entries = [{**card, **{a: record[a] for a in keys}} for keys in INDEXES.values()]
    return write_units(item_size(record), indexes=2) + sum(
        write_units(item_size(e)) for e in entries
    )


#: (request, index holding exactly that list or None for GSI1, its partition, GSI1 filter)
_FILTERED = (
    ("videos", "gsi4", "OWNER#{o}#KIND#video", {"kind": "video"}),
    (
        "failed videos",
        "gsi6",
        "OWNER#{o}#KIND#video#STATUS#failed",
        {"kind": "video", "status": "failed"},
    ),
    ("failed media", "gsi5", "OWNER#{o}#STATUS#failed", {"status": "failed"}),
)


def _filtered(table: str, owner: str, mean_bytes: float) -> dict[str, dict[str, Cost]]:
    """The first page of each filtered list: SnapStream's one Query of its own index, and GSI1
    with a FilterExpression read until a page is full (charged for every item it examined, as
    a filtered Query is; moto does not say their bytes: ScannedCount x the mean item)."""
    from snapstream_runtime.listings import INDEXES

    dynamodb = boto3.client("dynamodb")
    costs: dict[str, dict[str, Cost]] = {}
    for name, index, partition, wanted in _FILTERED:
        key = INDEXES[index][0]
        page = dynamodb.query(
            TableName=table,
            IndexName=index,
            KeyConditionExpression=f"{key} = :p",
            ExpressionAttributeValues={":p": {"S": partition.format(o=owner)}},
            ScanIndexForward=False,
            Limit=PAGE,
        )
        ours = Cost(page["ScannedCount"], read_units(sum(item_size(i) for i in page["Items"])))
        scanned, found, capacity, start = 0, 0, 0.0, None
        while found < PAGE:
            before = dynamodb.query(
                TableName=table,
                IndexName="gsi1",
                KeyConditionExpression="gsi1pk = :p",
                FilterExpression=" AND ".join(f"#{k} = :{k}" for k in wanted),
                ExpressionAttributeNames={f"#{k}": k for k in wanted},
                ExpressionAttributeValues={
                    ":p": {"S": f"OWNER#{owner}"},
                    **{f":{k}": {"S": v} for k, v in wanted.items()},
                },
                ScanIndexForward=False,
                Limit=PAGE,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            scanned += before["ScannedCount"]
            capacity += read_units(before["ScannedCount"] * mean_bytes)
            found += before["Count"]
            start = before.get("LastEvaluatedKey")
            if not start:
                break
        costs[name] = {"snapstream": ours, "reference": Cost(scanned, capacity)}
    return costs


def _scan_all(table: str, mean_bytes: float, **request: Any) -> Cost:
    """Every page of a Scan; each page is charged for the items it examined."""
    dynamodb = boto3.client("dynamodb")
    scanned, capacity, start = 0, 0.0, None
    while True:
        page = dynamodb.scan(
            TableName=table, **request, **({"ExclusiveStartKey": start} if start else {})
        )
        scanned += page["ScannedCount"]
        capacity += read_units(page["ScannedCount"] * mean_bytes)
        start = page.get("LastEvaluatedKey")
        if not start:
            return Cost(scanned, capacity)


def _reference(table: str, owner: str, size: int, mean_bytes: float) -> dict[str, Cost]:
    """The reference design's requests. A filtered Scan is charged for what it examined, which
    moto does not report, so each page's bytes are its ScannedCount x the table's mean item."""
    dynamodb = boto3.client("dynamodb")
    # Library: Scan with a filter on owner_id, page after page, until a page of results is full.
    scanned, found, capacity, start = 0, 0, 0.0, None
    while found < PAGE:
        page = dynamodb.scan(
            TableName=table,
            FilterExpression="owner_id = :o AND sk = :m",
            ExpressionAttributeValues={":o": {"S": owner}, ":m": {"S": "META"}},
            Limit=PAGE,
            **({"ExclusiveStartKey": start} if start else {}),
        )
        scanned += page["ScannedCount"]
        capacity += read_units(page["ScannedCount"] * mean_bytes)
        found += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    count = _scan_all(table, mean_bytes, Select="COUNT")
    new_record, _ = media_items(size, owner)
    return {
        "library page": Cost(scanned, capacity),
        "tag search": _scan_all(
            table,
            mean_bytes,
            FilterExpression="owner_id = :o AND contains(tags, :t)",
            ExpressionAttributeValues={":o": {"S": owner}, ":t": {"S": "flood"}},
        ),
        "dashboard counts": _scan_all(
            table,
            mean_bytes,
            FilterExpression="owner_id = :o",
            ExpressionAttributeValues={":o": {"S": owner}},
        ),
        # the next record number by Scan(Select=COUNT), then the PutItem (no indexes there)
        "create media record": Cost(
            count.examined, count.capacity + write_units(item_size(new_record))
        ),
    }


def measure(sizes: tuple[int, ...]) -> dict[int, dict[str, dict[str, Cost]]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    data, _ = _templates()
    results: dict[int, dict[str, dict[str, Cost]]] = {}
    owner = f"{7:032x}"
    for size in sizes:
        with mock_aws():
            resources = provision(data)
            table = resources.names[resources.find("MediaTable")]
            started = time.perf_counter()
            mean_bytes = _fill(table, size)
            print(f"  filled {size} media in {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            reference = _reference(table, owner, size, mean_bytes)
            print(f"  reference requests in {time.perf_counter() - started:.0f} s", flush=True)
            results[size] = {"snapstream": _ours(table, owner, size), "reference": reference}
            for name, designs in _filtered(table, owner, mean_bytes).items():
                FILTERED_RESULTS.setdefault(size, {})[name] = designs
    return results


#: the filtered pages measured by the last :func:`measure`: size -> request -> design -> cost
FILTERED_RESULTS: dict[int, dict[str, dict[str, Cost]]] = {}


def section(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> list[str]:
    results = measure(sizes)
    operations = list(results[sizes[0]]["snapstream"])
    lines = [
        "## Request-path cost as data grows",
        "",
        "Items DynamoDB examined per request (ScannedCount; GetItem/PutItem counted as 1/0),",
        f"with N media records over {USERS} users in the synthesized table (moto). Reference =",
        "the original design notes: Scan + FilterExpression on owner_id, Scan(Select=COUNT)",
        "before each insert, counts by scanning. SnapStream's pages read at most the page size",
        f"({PAGE}); with 1,000 media each of the {USERS} users has only 10.",
        "",
        *_table(results, sizes, operations, lambda cost: cost.examined, "{:,}"),
        "",
        "Capacity units per request (read units for reads, eventually consistent; write units",
        "for the write, the table and each index the record appears in), by DynamoDB's rules",
        "applied to the bytes examined (bench/capacity.py; moto does not meter capacity):",
        "",
        *_table(results, sizes, operations, lambda cost: cost.capacity, "{:,.1f}"),
        "",
        *_filtered_section(sizes),
    ]
    lines.append("")
    return lines


def _filtered_section(sizes: tuple[int, ...]) -> list[str]:
    by_design = {
        n: {
            design: {name: costs[design] for name, costs in FILTERED_RESULTS[n].items()}
            for design in ("snapstream", "reference")
        }
        for n in sizes
    }
    requests = [name for name, *_ in _FILTERED]
    return [
        "### Filtered library pages",
        "",
        "The first page (24) of one user's videos (1 media in 10), failed videos (1 in 50) and",
        "failed media (1 in 25). snapstream = one Query of the index holding exactly that list",
        "(gsi4, gsi6, gsi5; projecting a card's attributes); reference = GSI1 with a",
        "FilterExpression, as before #19, read until a page of results is full (each filtered",
        "read is charged for every item it examined). Items examined:",
        "",
        *_table(by_design, sizes, requests, lambda cost: cost.examined, "{:,}"),
        "",
        "Capacity units (read units, eventually consistent):",
        "",
        *_table(by_design, sizes, requests, lambda cost: cost.capacity, "{:,.1f}"),
    ]


def _table(
    results: dict[int, dict[str, dict[str, Cost]]],
    sizes: tuple[int, ...],
    operations: list[str],
    value_of: Callable[[Cost], float],
    number: str,
) -> list[str]:
    """One row per request and design, one column per size, and the growth first -> last."""
    rows = [
        "| request | design | "
        + " | ".join(f"N={n:,}" for n in sizes)
        + f" | growth {sizes[0]:,} -> {sizes[-1]:,} |",
        "|---|---|" + "---|" * len(sizes) + "---|",
    ]
    for operation in operations:
        for design in ("snapstream", "reference"):
            values = [value_of(results[n][design][operation]) for n in sizes]
            growth = (
                f"{values[-1] / values[0]:.0f}x"
                if values[0]
                else ("1x" if values[-1] == 0 else "n/a")
            )
            rows.append(
                f"| {operation} | {design} | "
                + " | ".join(number.format(v) for v in values)
                + f" | {growth} |"
            )
    return rows
