"""The Lambda code asset and the dependencies layer, shared by every stack with functions."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from stacks.runtime_contract import RUNTIME_ROOT

REPO = RUNTIME_ROOT.parent
LAYER_DIR = REPO / "build" / "lambda-layer"
_ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.mypy_cache"]


def runtime_code() -> lambda_.Code:
    """The Lambda code asset: ``runtime/`` with ``snapstream_runtime`` at its root."""
    return lambda_.Code.from_asset(str(RUNTIME_ROOT), exclude=_ASSET_EXCLUDES)


def runtime_bundle(scope: Construct, construct_id: str) -> s3_assets.Asset:
    """``runtime/`` as a zip in the assets bucket: the very object :func:`runtime_code` uploads
    (same source, same excludes, same hash), for hosts that install ``snapstream_runtime``."""
    return s3_assets.Asset(scope, construct_id, path=str(RUNTIME_ROOT), exclude=_ASSET_EXCLUDES)


def dependencies_layer(scope: Construct) -> lambda_.LayerVersion:
    """Third-party Lambda code built for arm64 / Python 3.14 by ``make setup`` into build/."""
    if not (LAYER_DIR / "python").is_dir():
        raise FileNotFoundError(
            f"{LAYER_DIR}/python is missing: run `make setup` (it builds the Lambda layer)"
        )
    return lambda_.LayerVersion(
        scope,
        "Dependencies",
        description="Powertools, X-Ray SDK and cryptography, pinned in requirements-lambda.txt",
        code=lambda_.Code.from_asset(str(LAYER_DIR), exclude=_ASSET_EXCLUDES),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_14],
        compatible_architectures=[lambda_.Architecture.ARM_64],
    )
