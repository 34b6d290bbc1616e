"""CloudFormation custom resource ``Custom::BucketCors``: a bucket's CORS rules, set from a stack
that deploys after the bucket's own.

The uploads bucket lives in the Data stack, but the browser origin that uploads into it (the
site's CloudFront name) exists only once the Web stack has deployed. Create/Update put the rules
given in ``Rules`` (S3 API shape) on ``Bucket``; Delete removes them. The physical id names the
bucket, so moving the rules to another bucket removes them from the old one.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.adapters import storage
from snapstream_runtime.custom_resources import respond
from snapstream_runtime.observability import logger, tracer

#: CloudFormation hands every property over as a string; these S3 fields are integers.
_INTEGER_FIELDS = ("MaxAgeSeconds",)


def cors_rules(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``Rules`` property as S3 expects it (integers restored)."""
    rules = properties.get("Rules")
    if not isinstance(rules, list) or not rules:
        raise ValueError("Rules must be a non-empty list of CORS rules")
    return [
        {name: int(value) if name in _INTEGER_FIELDS else value for name, value in rule.items()}
        for rule in rules
    ]


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    properties = event.get("ResourceProperties", {})
    bucket = str(properties.get("Bucket", ""))
    physical_id = f"cors:{bucket}"
    try:
        if event["RequestType"] == "Delete":
            # Only the bucket this resource names loses its rules (the id is "cors:<bucket>").
            if event.get("PhysicalResourceId") == physical_id and bucket:
                storage.remove_cors(bucket)
        else:
            rules = cors_rules(properties)
            storage.put_cors(bucket, rules)
            origins = sorted({origin for rule in rules for origin in rule["AllowedOrigins"]})
            logger.info("bucket CORS set", extra={"bucket": bucket, "origins": origins})
        respond(event, "SUCCESS", physical_id, {})
    except Exception as error:  # every failure must reach CloudFormation
        logger.exception("bucket CORS failed")
        respond(event, "FAILED", physical_id, {}, reason=f"{type(error).__name__}: {error}")
