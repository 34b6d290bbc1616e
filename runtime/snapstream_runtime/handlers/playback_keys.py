"""CloudFormation custom resource ``Custom::PlaybackKeyPair``.

Create/Update: generate a key pair, store the private key as the secret's new value, answer with
the public key only. Delete: nothing to do (the secret is its own resource). Every outcome is
reported to CloudFormation's pre-signed response URL, so a failure fails the deployment visibly
instead of hanging it.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.adapters.secrets import put_secret_string
from snapstream_runtime.custom_resources import respond
from snapstream_runtime.observability import logger, tracer
from snapstream_runtime.playback_keys import generate_key_pair


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    properties = event.get("ResourceProperties", {})
    physical_id = (
        event.get("PhysicalResourceId") or f"playback-key-{properties.get('Generation', '0')}"
    )
    try:
        if event["RequestType"] == "Delete":
            respond(event, "SUCCESS", physical_id, {})
            return
        pair = generate_key_pair()
        put_secret_string(properties["SecretArn"], pair.private_pem)
        physical_id = f"playback-key-{properties.get('Generation', '0')}"
        logger.info(
            "playback key pair generated", extra={"generation": properties.get("Generation")}
        )
        respond(event, "SUCCESS", physical_id, {"PublicKeyPem": pair.public_pem})
    except Exception as error:  # every failure must reach CloudFormation
        logger.exception("playback key pair failed")
        respond(event, "FAILED", physical_id, {}, reason=f"{type(error).__name__}: {error}")
