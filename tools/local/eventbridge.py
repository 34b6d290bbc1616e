"""EventBridge, locally: the synthesized template's rules, read for the local pipeline.

A rule with an event pattern routes to its function (directly, or through the queue the
function's event source mapping reads); patterns are matched as EventBridge matches the forms
our rules use. A scheduled rule (``rate(...)``) runs its function at the template's own rate,
with the event EventBridge sends (``Scheduled Event``).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tools.local.aws import ACCOUNT, REGION, LocalResources


@dataclass(frozen=True)
class Route:
    rule: str
    pattern: dict[str, Any]
    #: the function that handles matching events (for a queue target: the queue's consumer).
    function: str
    through_queue: bool


@dataclass(frozen=True)
class Schedule:
    """A scheduled rule: its function runs every ``every_seconds``."""

    rule: str
    function: str
    every_seconds: int


_RATE = re.compile(r"^rate\((?P<count>\d+) (?P<unit>minute|hour|day)s?\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def resolve_deep(value: Any, resources: LocalResources) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref")):
            return resources.resolve(value)
        return {k: resolve_deep(v, resources) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_deep(v, resources) for v in value]
    return value


def routes(template: Mapping[str, Any], resources: LocalResources) -> list[Route]:
    """The template's EventBridge rules with their patterns resolved to local values."""
    consumers = {
        json.dumps(r["Properties"]["EventSourceArn"]): r["Properties"]["FunctionName"]["Ref"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    }
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Events::Rule" or "EventPattern" not in resource["Properties"]:
            continue
        pattern = resolve_deep(resource["Properties"]["EventPattern"], resources)
        for target in resource["Properties"].get("Targets", []):
            arn = target["Arn"]
            [target_id, _] = arn["Fn::GetAtt"]
            if template["Resources"][target_id]["Type"] == "AWS::Lambda::Function":
                found.append(Route(logical_id, pattern, target_id, through_queue=False))
            elif json.dumps(arn) in consumers:
                found.append(Route(logical_id, pattern, consumers[json.dumps(arn)], True))
    return found


def schedules(template: Mapping[str, Any]) -> list[Schedule]:
    """The template's scheduled rules (``rate(...)``) that invoke a function."""
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Events::Rule":
            continue
        expression = resource["Properties"].get("ScheduleExpression", "")
        if not expression:
            continue
        rate = _RATE.match(expression)
        if rate is None:
            raise ValueError(f"{logical_id}: only rate() schedules run locally, not {expression}")
        every = int(rate["count"]) * _UNIT_SECONDS[rate["unit"]]
        for target in resource["Properties"].get("Targets", []):
            [target_id, _] = target["Arn"]["Fn::GetAtt"]
            found.append(Schedule(logical_id, target_id, every))
    return found


def scheduled_event(rule: str, moment: float) -> dict[str, Any]:
    """What EventBridge passes a function for one run of a scheduled rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment)),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"],
        "detail": {},
    }


def matches(pattern: Any, event: Any) -> bool:
    """EventBridge matching for the pattern forms our rules use (values, prefix, nesting)."""
    if isinstance(pattern, dict):
        if not isinstance(event, dict):
            return False
        return all(matches(sub, event.get(key)) for key, sub in pattern.items())
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict) and "prefix" in option:
                if isinstance(event, str) and event.startswith(option["prefix"]):
                    return True
            elif event == option or (isinstance(event, list) and option in event):
                return True
        return False
    return bool(pattern == event)
