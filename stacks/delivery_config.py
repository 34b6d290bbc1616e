"""The optional delivery pipeline's settings, from the ``delivery`` context value.

Off unless given, e.g. ``-c delivery='{"account": "111111111111", "region": "us-east-1",
"connection_arn": "arn:aws:codeconnections:us-east-1:111111111111:connection/…",
"repository": "owner/snapstream", "branch": "main"}'`` (a JSON string on the command line, an
object in ``cdk.json``). The environments it deploys keep their own account/Region from
:mod:`stacks.config`; docs/deployment.md tells how to bootstrap them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stacks.config import ENVIRONMENTS, EnvironmentConfig

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_CONNECTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[\w-]+$"
)
_REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")
_BRANCH = re.compile(r"^[\w./-]+$")


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    """Where the pipeline lives and which repository branch it builds."""

    #: the pipeline's (tooling) account and Region.
    account: str
    region: str
    #: an AWS CodeConnections (or CodeStar Connections) connection, approved once in the console.
    connection_arn: str
    #: ``owner/name`` of the repository the connection can read.
    repository: str
    branch: str = "main"

    def __post_init__(self) -> None:
        problems = []
        if not _ACCOUNT.match(str(self.account)):
            problems.append(f"account {self.account!r} must be 12 digits")
        if not _REGION.match(str(self.region)):
            problems.append(f"region {self.region!r} must be a Region name such as us-east-1")
        if not _CONNECTION_ARN.match(str(self.connection_arn)):
            problems.append(
                f"connection_arn {self.connection_arn!r} must be a CodeConnections connection ARN "
                "(arn:aws:codeconnections:<region>:<account>:connection/<id>)"
            )
        if not _REPOSITORY.match(str(self.repository)):
            problems.append(f"repository {self.repository!r} must be owner/name")
        if not _BRANCH.match(str(self.branch)) or ".." in str(self.branch):
            problems.append(f"branch {self.branch!r} is not a valid branch name")
        if problems:
            raise ValueError("delivery context: " + "; ".join(problems))


def delivery_from_context(value: object) -> DeliveryConfig | None:
    """The ``delivery`` context value (JSON string or object) as a config; None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"delivery context is not valid JSON: {error}") from error
    if not isinstance(value, Mapping):
        raise ValueError("delivery context must be a JSON object")
    settings: dict[str, Any] = dict(value)
    fields = {f.name for f in dataclasses.fields(DeliveryConfig)}
    unknown = set(settings) - fields
    if unknown:
        raise ValueError(f"delivery context: unknown settings {sorted(unknown)}")
    required = {f.name for f in dataclasses.fields(DeliveryConfig)} - {"branch"}
    missing = required - set(settings)
    if missing:
        raise ValueError(f"delivery context: missing settings {sorted(missing)}")
    return DeliveryConfig(**settings)


def check_pipeline_environments(environments: Sequence[EnvironmentConfig]) -> None:
    """The pipeline deploys every environment, in order, each to an explicit account."""
    names = [config.name for config in environments]
    if names != list(ENVIRONMENTS):
        raise ValueError(
            f"the delivery pipeline deploys every environment {list(ENVIRONMENTS)} in order; "
            f"got {names} (do not combine -c delivery with -c environments)"
        )
    unset = [config.name for config in environments if config.account is None]
    if unset:
        raise ValueError(
            f"the delivery pipeline needs an account for every environment; none for {unset}: "
            'set them in context, e.g. -c snapstream=\'{"dev": {"account": "222222222222"}, ...}\''
        )
