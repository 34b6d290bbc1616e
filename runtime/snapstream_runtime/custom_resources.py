"""CloudFormation custom resources: the answer every outcome owes CloudFormation.

A Lambda-backed custom resource must PUT its result to the pre-signed ``ResponseURL``; one that
never answers hangs the deployment for an hour. Handlers call :func:`respond` on every path.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def respond(
    event: dict[str, Any], status: str, physical_id: str, data: dict[str, str], reason: str = ""
) -> None:
    """Report ``status`` (SUCCESS or FAILED) for ``physical_id``; ``data`` must not be secret."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:3000] or "see the function's log",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "NoEcho": False,  # answers carry public values only
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (CloudFormation's https pre-signed URL)
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()
