"""DynamoDB tables: the single media table (every access pattern a Query or GetItem)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge

#: Attribute names of the single-table design, shared with the runtime's key builders.
PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
#: index name -> (partition key, sort key). GSI1: a user's library; GSI2: all uploads by month.
GLOBAL_INDEXES: dict[str, tuple[str, str]] = {
    "gsi1": ("gsi1pk", "gsi1sk"),
    "gsi2": ("gsi2pk", "gsi2sk"),
}
#: GSI3, sparse and keys only: the media in flight (uploaded, processing, deleting), oldest first
#: in each status. Written only when a media enters or leaves one of these statuses; the
#: stuck-media sweeper's one read (runtime ``snapstream_runtime.watch``).
WATCH_INDEX = "gsi3"
WATCH_INDEX_KEYS = ("gsi3pk", "gsi3sk")
#: The library's sparse indexes, one per list a user or an administrator can pick that GSI1 and
#: GSI2 cannot serve with one Query per page (runtime ``snapstream_runtime.listings``): a media
#: record carries each key while it is on that list, and the status machine moves the status
#: keys in the write that changes its status. The date-ordered ones share GSI1's sort key
#: (``<created>#<media>``); the name-ordered one shares GSI1's partition (``OWNER#<user>``).
#: In creation order: an existing table gains them one per deployment (``library_indexes``).
LIBRARY_INDEXES: dict[str, tuple[str, str]] = {
    "gsi4": ("gsi4pk", "gsi1sk"),  # OWNER#<user>#KIND#<kind>
    "gsi5": ("gsi5pk", "gsi1sk"),  # OWNER#<user>#STATUS#<status>
    "gsi6": ("gsi6pk", "gsi1sk"),  # OWNER#<user>#KIND#<kind>#STATUS#<status>
    "gsi7": ("gsi7pk", "gsi1sk"),  # ALL#<month>#STATUS#<status> (administrators)
    "gsi8": ("gsi1pk", "gsi8sk"),  # OWNER#<user>, by name
}
#: What a list shows of a media (a card), projected into the library's indexes: one Query fills
#: a page, and the pipeline's many other writes to a record (steps, history) write no index.
CARD_ATTRIBUTES = (
    "media_id",
    "owner_id",
    "title",
    "kind",
    "status",
    "status_reason",
    "created_at",
    "size",
    "declared_size",
    "thumbnail",
    "outputs",
    "tags",
)

_PITR_IS_THE_BACKUP = (
    "Point-in-time recovery is on: continuous backups restorable to any second of the last 35 "
    "days, which is this table's backup. An AWS Backup plan is an operator's addition for "
    "longer retention or cross-account copies."
)


def _acknowledge_pitr_as_backup(table: dynamodb.Table) -> None:
    acknowledge(
        table, pack=Pack.NIST_800_53_R5, rule="DynamoDBInBackupPlan", reason=_PITR_IS_THE_BACKUP
    )


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class MediaTable(Construct):
    """The SnapStream single table (users, e-mails, media, tags, analysis, notifications).

    On-demand capacity, KMS with our key, point-in-time recovery, optional deletion protection,
    two sparse GSIs projecting all attributes, the sweeper's sparse keys-only GSI, the library's
    sparse GSIs projecting what a list shows, and a TTL attribute for expiring items.

    Args:
        encryption_key: The KMS key the table is encrypted with (customer managed).
        removal_policy: What happens to the table when it leaves the stack.
        deletion_protection: Refuse deleting the table until this is switched off (prod).
        library_indexes: How many of the library's indexes to create, in order (default: all).
            CloudFormation adds one GSI per update of an existing table: such a table reaches
            all of them one deployment at a time (docs/deployment.md).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey,
        removal_policy: cdk.RemovalPolicy,
        deletion_protection: bool,
        library_indexes: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if library_indexes is not None and not 0 <= library_indexes <= len(LIBRARY_INDEXES):
            raise ValueError(f"library_indexes is from 0 to {len(LIBRARY_INDEXES)}")
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string(PARTITION_KEY),
            sort_key=_string(SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=encryption_key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=deletion_protection,
            time_to_live_attribute=TTL_ATTRIBUTE,
            removal_policy=removal_policy,
        )
        for index_name, (pk, sk) in GLOBAL_INDEXES.items():
            self.table.add_global_secondary_index(
                index_name=index_name,
                partition_key=_string(pk),
                sort_key=_string(sk),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.table.add_global_secondary_index(
            index_name=WATCH_INDEX,
            partition_key=_string(WATCH_INDEX_KEYS[0]),
            sort_key=_string(WATCH_INDEX_KEYS[1]),
            projection_type=dynamodb.ProjectionType.KEYS_ONLY,
        )
        for index_name, (pk, sk) in list(LIBRARY_INDEXES.items())[:library_indexes]:
            self.table.add_global_secondary_index(
                index_name=index_name,
                partition_key=_string(pk),
                sort_key=_string(sk),
                projection_type=dynamodb.ProjectionType.INCLUDE,
                non_key_attributes=list(CARD_ATTRIBUTES),
            )
        _acknowledge_pitr_as_backup(self.table)
