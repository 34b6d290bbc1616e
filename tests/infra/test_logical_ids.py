"""Pin the logical IDs of stateful resources: a refactor must never replace a bucket or table.

If this test fails, a change renamed or moved a stateful construct; CloudFormation would delete
the old resource (or orphan it, in prod) and create an empty new one. Restore the construct path,
or, if the move is intended, keep the old logical ID with ``override_logical_id``.
"""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ENVIRONMENTS

STATEFUL_TYPES = {
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::Events::EventBus",
    "AWS::Events::Archive",
    "AWS::SecretsManager::Secret",
    "AWS::MediaPackage::PackagingGroup",
    "AWS::CloudFront::Distribution",
    "AWS::SES::EmailIdentity",
    # Web: replacing the site's distribution changes the *.cloudfront.net name users and the
    # site domain's DNS record know, replacing the load balancer makes CloudFront re-create its
    # VPC origin, replacing the session key logs every user out (only a raised
    # web_session_key_generation may).
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
}

PINNED_DATA_STACK = {
    "DataKey2A0DE9E6": "AWS::KMS::Key",
    "AccessLogsBucketCD784A59": "AWS::S3::Bucket",
    "UploadsBucketC4B27CC7": "AWS::S3::Bucket",
    "MediaBucket4022EBBF": "AWS::S3::Bucket",
    "MediaTable1D549DC8": "AWS::DynamoDB::Table",
    "NotificationsTopic11888230": "AWS::SNS::Topic",
    "OperationsTopic6000C985": "AWS::SNS::Topic",
    "IngestQueueDeadLetters837B326F": "AWS::SQS::Queue",
    "IngestQueue88A12394": "AWS::SQS::Queue",
    "EventBusEEC924FB": "AWS::Events::EventBus",
    "EventBusArchive5B309695": "AWS::Events::Archive",
    "PackagingCdnIdentifier5E25B59F": "AWS::SecretsManager::Secret",
    "PackagingGroup6F45719D": "AWS::MediaPackage::PackagingGroup",
    "PlaybackKeyPrivateKey21660139": "AWS::SecretsManager::Secret",
    "CdnLogsA23F7455": "AWS::S3::Bucket",
    "CdnDistribution149FA6C8": "AWS::CloudFront::Distribution",
    "PlaybackKeyGeneratorFailuresF23D44CF": "AWS::SQS::Queue",
}

PINNED_WEB_STACK = {
    "SessionKeyG160D19B8C": "AWS::SecretsManager::Secret",
    "HostingLoadBalancer4CEEB66C": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "SiteDistribution390DED28": "AWS::CloudFront::Distribution",
    "SiteLogsBCCC85C3": "AWS::S3::Bucket",
    "UploadsCorsFunctionFailures43AAD8AD": "AWS::SQS::Queue",
    "OriginAccessFunctionFailures2D0B696E": "AWS::SQS::Queue",
    # e-mail (stacks/mail.py): a replaced identity must be verified again (a domain's DKIM
    # records change), the queues hold bounce and complaint events not yet recorded
    "MailIdentity4EC7C521": "AWS::SES::EmailIdentity",
    "MailEventsTopic6D057CF0": "AWS::SNS::Topic",
    "MailEventsFailuresAEBCE844": "AWS::SQS::Queue",
    "MailEventsDeliveryFailures9584312A": "AWS::SQS::Queue",
}


@pytest.mark.parametrize("env", list(ENVIRONMENTS))
def test_stateful_logical_ids_are_pinned(
    templates: dict[tuple[str, str], dict[str, Any]], env: str
) -> None:
    stateful = {
        logical_id: resource["Type"]
        for logical_id, resource in templates[env, "Data"]["Resources"].items()
        if resource["Type"] in STATEFUL_TYPES
    }
    assert stateful == PINNED_DATA_STACK


@pytest.mark.parametrize("env", list(ENVIRONMENTS))
def test_web_logical_ids_are_pinned(
    templates: dict[tuple[str, str], dict[str, Any]], env: str
) -> None:
    stateful = {
        logical_id: resource["Type"]
        for logical_id, resource in templates[env, "Web"]["Resources"].items()
        if resource["Type"] in STATEFUL_TYPES
    }
    assert stateful == PINNED_WEB_STACK


#: The Pipeline stack is stateless but for its deletion queue: messages there are deletions in
#: progress (a media left `deleting` without its message needs the runbook), so a refactor must
#: not replace it.
PINNED_PIPELINE_QUEUES = {
    "DeletionQueue5D0F6281": "AWS::SQS::Queue",
    "DeletionQueueDeadLetters43EE39B8": "AWS::SQS::Queue",
}


@pytest.mark.parametrize("env", list(ENVIRONMENTS))
def test_the_deletion_queue_logical_ids_are_pinned(
    templates: dict[tuple[str, str], dict[str, Any]], env: str
) -> None:
    resources = templates[env, "Pipeline"]["Resources"]
    found = {lid: resources[lid]["Type"] for lid in PINNED_PIPELINE_QUEUES if lid in resources}
    assert found == PINNED_PIPELINE_QUEUES
