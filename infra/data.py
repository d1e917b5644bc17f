"""Data: the stage's customer-managed key and every DynamoDB table, built from the PynamoDB models."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from .config import StageConfig
from .schema import KEY_TYPES, Index, Key, TableSpec, table_specs

_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}
_STREAMS = {
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}


# The account (through IAM policies) administers and uses the key; spelled out instead of "kms:*" so that no
# policy of the stack grants every action of a service.
KEY_ADMIN_ACTIONS = tuple(f"kms:{a}" for a in (
    "CreateAlias", "CreateGrant", "DeleteAlias", "DescribeKey", "DisableKey", "DisableKeyRotation", "EnableKey",
    "EnableKeyRotation", "GetKeyPolicy", "GetKeyRotationStatus", "ListAliases", "ListGrants", "ListKeyPolicies",
    "ListKeyRotations", "ListResourceTags", "PutKeyPolicy", "RetireGrant", "RevokeGrant", "RotateKeyOnDemand",
    "ScheduleKeyDeletion", "CancelKeyDeletion", "TagResource", "UntagResource", "UpdateAlias",
    "UpdateKeyDescription",
))
KEY_USE_ACTIONS = tuple(f"kms:{a}" for a in (
    "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
))


# Moving a stage that holds cases to the sharded work-queue and review indexes (infra/README.md): DynamoDB
# creates or deletes one index per table update, so the deploys in between carry the old indexes too,
# chosen by the CDK context ``queueIndexMigration`` (step 1: old + the first new; 2: old + both new; 3: the
# second old + both new; unset: the models' indexes only), on the cases, reviews and parcels tables alike.
LEGACY_INDEXES: dict[str, tuple[Index, ...]] = {
    "cases": (Index("by_receiving_office", Key("receiving_office_id", "S"), Key("receiving_sort", "S"), "ALL"),
              Index("by_handling_office", Key("handling_office_id", "S"), Key("handling_sort", "S"), "ALL")),
    "reviews": (Index("by_office", Key("office_id", "S"), Key("created_at", "S"), "ALL"),
                Index("by_city", Key("city", "S"), Key("created_at", "S"), "ALL")),
    # The parcel listings before their sharded keys-only indexes (issue 15's partition heat, figure 10).
    "parcels": (Index("parcels_from", Key("from_office_id", "S"), Key("listing", "S"), "ALL"),
                Index("parcels_to", Key("to_office_id", "S"), Key("listing", "S"), "ALL")),
}
NEW_INDEXES = {"cases": ("by_receiving_queue", "by_handling_queue"), "reviews": ("by_office_shard", "by_city_shard"),
               "parcels": ("parcels_from_shard", "parcels_to_shard")}
MIGRATION_STEPS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {  # step -> (old kept, new left out)
    "1": ((0, 1), (1,)),
    "2": ((0, 1), ()),
    "3": ((1,), ()),
}


def migration_indexes(spec: TableSpec, step: str | None) -> TableSpec:
    """A table's indexes for a step of the migration (tables other than cases, reviews and parcels as they
    are)."""
    if spec.logical not in LEGACY_INDEXES or not step:
        return spec
    if step not in MIGRATION_STEPS:
        raise ValueError(f"queueIndexMigration must be one of {sorted(MIGRATION_STEPS)}, not {step!r}")
    keep, leave_out = MIGRATION_STEPS[step]
    left_out = {NEW_INDEXES[spec.logical][i] for i in leave_out}
    old = tuple(LEGACY_INDEXES[spec.logical][i] for i in keep)
    types = {k.name: k.type for i in old for k in (i.partition_key, i.sort_key) if k is not None}
    return replace(spec, global_indexes=tuple(i for i in spec.global_indexes if i.name not in left_out) + old,
                   attribute_types={**spec.attribute_types, **types})


# Moving a stage's legs-of-a-case index from ``by_case`` (ALL projected: every change of a leg rewrote its
# entry) to ``by_case_keys`` (keys only, the models' own), issue 15's lighter writes: a projection cannot
# change in place, so the new index is built beside the old one. The CDK context ``legIndexMigration`` "1"
# keeps ``by_case`` too (unset: the models' indexes only); infra/README.md gives the three deploys.
LEGACY_LEG_INDEX = Index("by_case", Key("case_no", "S"), Key("case_version", "N"), "ALL")


def leg_index_migration(spec: TableSpec, step: str | None) -> TableSpec:
    """The shipments table's indexes while its legs-of-a-case index moves (other tables as they are)."""
    if spec.logical != "shipments" or not step:
        return spec
    if step != "1":
        raise ValueError(f"legIndexMigration must be 1 or unset, not {step!r}")
    return replace(spec, global_indexes=(*spec.global_indexes, LEGACY_LEG_INDEX))


def _attribute(key: Key | None) -> dynamodb.Attribute | None:
    if key is None:
        return None
    return dynamodb.Attribute(name=key.name, type=dynamodb.AttributeType[KEY_TYPES[key.type]])


class DataConstruct(Construct):
    """The tables (``tables[logical]``) and the stage key (``key``).

    The key encrypts the tables, queues, topics, log groups, the webhook secret and the functions'
    environment in every stage; production tables are retained when the stack is deleted and protected
    against deletion.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self, "Key", alias=f"alias/{config.resource_prefix}", enable_key_rotation=True,
            description=f"{config.resource_prefix}: data, queues, topics and logs of the cross-city service",
            removal_policy=removal, pending_window=Duration.days(30 if config.production else 7),
            policy=iam.PolicyDocument(statements=[iam.PolicyStatement(
                sid="AccountAdministersAndUsesThroughIam", principals=[iam.AccountRootPrincipal()],
                actions=list(KEY_ADMIN_ACTIONS + KEY_USE_ACTIONS), resources=["*"],
            )]),
        )
        # CloudWatch Logs encrypts the stage's log groups with this key, only for log groups of this account
        # and region (the encryption context names the log group).
        self.key.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchLogsEncryptsThisStagesLogGroups",
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.{Aws.URL_SUFFIX}")],
            actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                     "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
            resources=["*"],  # in a key policy "*" means this key
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"}},
        ))
        step = self.node.try_get_context("queueIndexMigration")
        legs = self.node.try_get_context("legIndexMigration")
        self.specs: dict[str, TableSpec] = {
            spec.logical: leg_index_migration(migration_indexes(spec, str(step) if step else None),
                                              str(legs) if legs else None)
            for spec in table_specs()}
        self.tables: dict[str, dynamodb.Table] = {
            spec.logical: self._table(spec, config, removal) for spec in self.specs.values()
        }

    def table_and_index_arns(self, logical: str) -> list[str]:
        """One table and each of its indexes by name (no wildcard)."""
        table, spec = self.tables[logical], self.specs[logical]
        return [table.table_arn,
                *(f"{table.table_arn}/index/{i.name}" for i in (*spec.global_indexes, *spec.local_indexes))]

    def _table(self, spec: TableSpec, config: StageConfig, removal: RemovalPolicy) -> dynamodb.Table:
        encryption = dict(encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED, encryption_key=self.key)
        table = dynamodb.Table(
            self, _construct_id(spec.logical),
            table_name=spec.name(config.resource_prefix),
            partition_key=_attribute(spec.partition_key),  # type: ignore[arg-type]
            sort_key=_attribute(spec.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            stream=_STREAMS[spec.stream_view_type] if spec.stream_view_type else None,
            time_to_live_attribute=spec.ttl_attribute,
            deletion_protection=config.production,
            removal_policy=removal,
            **encryption,  # type: ignore[arg-type]
        )
        for index in spec.global_indexes:
            table.add_global_secondary_index(**_index_props(index))
        for index in spec.local_indexes:
            props = _index_props(index)
            props.pop("partition_key")
            table.add_local_secondary_index(**props)
        return table


def _index_props(index: Index) -> dict[str, Any]:
    props: dict[str, Any] = dict(
        index_name=index.name,
        partition_key=_attribute(index.partition_key),
        projection_type=_PROJECTIONS[index.projection],
    )
    if index.sort_key is not None:
        props["sort_key"] = _attribute(index.sort_key)
    if index.non_key_attributes:
        props["non_key_attributes"] = list(index.non_key_attributes)
    return props


def _construct_id(logical: str) -> str:
    return "".join(part.capitalize() for part in logical.replace("_", "-").split("-")) + "Table"
