#!/usr/bin/env python3
"""paydrc's own small extension of moto 5.2.1, used as the end-to-end deploy target.

Run as a script, it applies the patches below and serves moto on 127.0.0.1 on a
free port, printing ``MOTO_PORT=<port>`` on stdout once it accepts requests; it
stops on SIGTERM/SIGINT or when its standard input closes (so it dies with the
test harness that started it).

Each patch fills one gap of stock moto 5.2.1 that keeps ``terraform apply`` /
``plan`` / ``destroy`` of paydrc's Terraform output from working (see DESIGN.md,
"What is known about moto 5.2.1 as a deploy target", and README.md beside this file).
Patches are small and named; ``PAYDRC_MOTO_DISABLE=name1,name2`` (or ``all``)
leaves the named ones out, to show what each one is for.
"""
from __future__ import annotations

import json
import os
import re
import sys
import threading

PATCHES: dict = {}
_STATE_LOCK = threading.Lock()  # guards the drill state below (threaded server)


def patch(name):
    """Register a patch function under a stable name."""

    def deco(fn):
        PATCHES[name] = fn
        return fn

    return deco


MOTO_VERSION = "5.2.1"  # the version these patches were written against
_applied: list[str] = []


def apply_patches(disabled: set[str] | None = None) -> list[str]:
    """Apply every registered patch not in `disabled` (once per process)."""
    if _applied:
        return list(_applied)
    import moto

    if moto.__version__ != MOTO_VERSION:
        print(f"moto_ext: written for moto {MOTO_VERSION}, running {moto.__version__}",
              file=sys.stderr)
    disabled = disabled or set()
    for name, fn in PATCHES.items():
        if "all" in disabled or name in disabled:
            continue
        fn()
        _applied.append(name)
    return list(_applied)


# ---------------------------------------------------------------------------
# patches
# ---------------------------------------------------------------------------


@patch("dynamodb_replica_updates")
def _dynamodb_replica_updates():
    """Gap: UpdateTable drops `ReplicaUpdates`, so an aws_dynamodb_table `replica`
    block waits 30 minutes for a replica that never appears (and the provider reads
    the replica's stream, key and PITR from a table in the replica's region).

    Fill: Create makes the table in the replica region (same schema, billing,
    stream; SSE with the replica's key) and lists it in both tables' `Replicas` as
    ACTIVE; Update records the new key; Delete removes the replica table and both
    entries."""
    import copy

    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    Table.paydrc_replicas = None  # region -> ReplicaDescription dict

    def replicas(table):
        if table.paydrc_replicas is None:
            table.paydrc_replicas = {}
        return table.paydrc_replicas

    orig_describe = Table.describe

    def describe(self, base_key="TableDescription"):
        result = orig_describe(self, base_key=base_key)
        if self.paydrc_replicas:
            result[base_key]["Replicas"] = [
                dict(r) for _, r in sorted(self.paydrc_replicas.items())]
            result[base_key]["GlobalTableVersion"] = "2019.11.21"
        return result

    Table.describe = describe

    def create_replica(src, region, spec):
        backend = dynamodb_backends[src.account_id][region]
        key = spec.get("KMSMasterKeyId")
        sse = None
        if src.sse_specification and src.sse_specification.get("Enabled"):
            sse = {"Enabled": True, "SSEType": "KMS"}
            if key:
                sse["KMSMasterKeyId"] = key
        if src.name not in backend.tables:
            stream = None
            if src.stream_specification and src.stream_specification.get("StreamEnabled"):
                stream = copy.deepcopy(src.stream_specification)
            replica = backend.create_table(
                src.name, schema=copy.deepcopy(src.schema), throughput=None,
                attr=copy.deepcopy(src.attr), global_indexes=None, indexes=None,
                streams=stream, billing_mode=src.billing_mode, sse_specification=sse,
                tags=copy.deepcopy(src.tags), deletion_protection_enabled=False,
                warm_throughput=None)
            if src.billing_mode != "PAY_PER_REQUEST":
                replica.throughput = copy.deepcopy(src.throughput)
            replica.global_indexes = copy.deepcopy(src.global_indexes)
            replica.indexes = copy.deepcopy(src.indexes)
        replica = backend.tables[src.name]
        desc = {"RegionName": region, "ReplicaStatus": "ACTIVE"}
        if sse:
            desc["KMSMasterKeyId"] = replica.sse_specification["KMSMasterKeyId"]
        replicas(src)[region] = desc
        # every member of a global table lists the others
        replicas(replica)[src.region_name] = {
            "RegionName": src.region_name, "ReplicaStatus": "ACTIVE"}

    def update_replica(src, region, spec):
        desc = replicas(src).get(region)
        if desc is None:
            return
        key = spec.get("KMSMasterKeyId")
        replica = dynamodb_backends[src.account_id][region].tables.get(src.name)
        if key and replica is not None and replica.sse_specification:
            replica.sse_specification["KMSMasterKeyId"] = key
            desc["KMSMasterKeyId"] = key

    def delete_replica(src, region):
        replicas(src).pop(region, None)
        backend = dynamodb_backends[src.account_id][region]
        replica = backend.tables.get(src.name)
        if replica is not None:
            replicas(replica).pop(src.region_name, None)
            replica.deletion_protection_enabled = False
            backend.delete_table(src.name)

    orig_update_table = DynamoHandler.update_table

    def update_table(self):
        updates = self.body.get("ReplicaUpdates") or []
        if updates:
            src = self.dynamodb_backend.get_table(self.body["TableName"])
            for u in updates:
                if "Create" in u:
                    create_replica(src, u["Create"]["RegionName"], u["Create"])
                elif "Update" in u:
                    update_replica(src, u["Update"]["RegionName"], u["Update"])
                elif "Delete" in u:
                    delete_replica(src, u["Delete"]["RegionName"])
        return orig_update_table(self)

    DynamoHandler.update_table = update_table


@patch("backup_selections")
def _backup_selections():
    """Gap: CreateBackupSelection (and Get/Delete/List) are not implemented, so
    aws_backup_selection fails. Fill: a minimal store per backup plan that returns
    what was sent."""
    import json
    import uuid

    from moto.backup import urls
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.backup.responses import BackupResponse
    from moto.core.utils import unix_time

    urls.url_paths["{0}/backup/plans/(?P<plan>[^/]+)/selections/$"] = BackupResponse.dispatch
    urls.url_paths["{0}/backup/plans/(?P<plan>[^/]+)/selections/(?P<sel>[^/]+)$"] = (
        BackupResponse.dispatch)

    def store(backend):
        if not hasattr(backend, "paydrc_selections"):
            backend.paydrc_selections = {}
        return backend.paydrc_selections

    def plan_id(self):
        return self.path.split("/backup/plans/")[1].split("/")[0]

    def create_backup_selection(self):
        pid = plan_id(self)
        self.backup_backend.get_backup_plan(backup_plan_id=pid, version_id=None)  # 404s
        body = json.loads(self.body or "{}")
        sel_id = str(uuid.uuid4())
        item = {
            "SelectionId": sel_id,
            "BackupPlanId": pid,
            "BackupSelection": body.get("BackupSelection", {}),
            "CreationDate": unix_time(),
            "CreatorRequestId": body.get("CreatorRequestId"),
        }
        store(self.backup_backend)[(pid, sel_id)] = item
        return json.dumps({k: item[k] for k in ("SelectionId", "BackupPlanId", "CreationDate")})

    def get_item(self):
        pid = plan_id(self)
        sel_id = self.path.rstrip("/").split("/")[-1]
        item = store(self.backup_backend).get((pid, sel_id))
        if item is None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup selection {sel_id}")
        return pid, sel_id, item

    def get_backup_selection(self):
        _, _, item = get_item(self)
        return json.dumps({k: v for k, v in item.items() if v is not None})

    def delete_backup_selection(self):
        pid, sel_id, _ = get_item(self)
        del store(self.backup_backend)[(pid, sel_id)]
        return "{}"

    def list_backup_selections(self):
        pid = plan_id(self)
        out = []
        for (p, _), item in sorted(store(self.backup_backend).items()):
            if p == pid:
                sel = item["BackupSelection"]
                out.append({"SelectionId": item["SelectionId"], "BackupPlanId": p,
                            "SelectionName": sel.get("SelectionName"),
                            "IamRoleArn": sel.get("IamRoleArn"),
                            "CreationDate": item["CreationDate"]})
        return json.dumps({"BackupSelectionsList": out})

    BackupResponse.create_backup_selection = create_backup_selection
    BackupResponse.get_backup_selection = get_backup_selection
    BackupResponse.delete_backup_selection = delete_backup_selection
    BackupResponse.list_backup_selections = list_backup_selections


@patch("backup_recovery_points")
def _backup_recovery_points():
    """Gap: ListRecoveryPointsByBackupVault has no route, so aws_backup_vault with
    `force_destroy` cannot be destroyed. Fill: the route, answering with no
    recovery points (moto never makes any: start_backup_job is not emulated)."""
    import json

    from moto.backup import urls
    from moto.backup.responses import BackupResponse

    urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$"] = BackupResponse.dispatch

    def list_recovery_points_by_backup_vault(self):
        name = self.path.split("/backup-vaults/")[1].split("/")[0]
        self.backup_backend.describe_backup_vault(name)  # 404 for an unknown vault
        return json.dumps({"RecoveryPoints": []})

    BackupResponse.list_recovery_points_by_backup_vault = list_recovery_points_by_backup_vault


@patch("backup_vault_access_policy")
def _backup_vault_access_policy():
    """Gap: Put/Get/DeleteBackupVaultAccessPolicy have no route, so
    aws_backup_vault_policy fails. Fill: keep the policy on the vault, as sent, and
    refuse what AWS refuses: a wildcard in an Action ("AWS Backup access policies
    don't support a wildcard in the Action key", AWS Backup Developer Guide, "Vault
    access policies"), and an unknown vault (ResourceNotFoundException, AWS Backup
    API Reference, PutBackupVaultAccessPolicy)."""
    import json

    from moto.backup import urls
    from moto.backup.exceptions import InvalidParameterValueException, ResourceNotFoundException
    from moto.backup.responses import BackupResponse

    urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/access-policy/?$"] = BackupResponse.dispatch

    def vault(self):
        return self.backup_backend.describe_backup_vault(self.path.split("/backup-vaults/")[1].split("/")[0])

    def put_backup_vault_access_policy(self):
        v = vault(self)
        policy = json.loads(self.body or "{}").get("Policy", "")
        statements = json.loads(policy).get("Statement", [])
        for st in statements if isinstance(statements, list) else [statements]:
            actions = st.get("Action", [])
            for action in [actions] if isinstance(actions, str) else actions:
                if "*" in action:
                    raise InvalidParameterValueException(
                        f"Backup vault access policies do not support a wildcard in Action: {action}")
        v.paydrc_access_policy = policy
        return "{}"

    def get_backup_vault_access_policy(self):
        v = vault(self)
        policy = getattr(v, "paydrc_access_policy", None)
        if policy is None:
            raise ResourceNotFoundException(f"Backup vault {v.backup_vault_name} has no access policy")
        return json.dumps({"BackupVaultName": v.backup_vault_name, "BackupVaultArn": v.backup_vault_arn,
                           "Policy": policy})

    def delete_backup_vault_access_policy(self):
        vault(self).paydrc_access_policy = None
        return "{}"

    BackupResponse.put_backup_vault_access_policy = put_backup_vault_access_policy
    BackupResponse.get_backup_vault_access_policy = get_backup_vault_access_policy
    BackupResponse.delete_backup_vault_access_policy = delete_backup_vault_access_policy


@patch("rds_no_scaling_info_for_provisioned")
def _rds_no_scaling_info_for_provisioned():
    """Gap: every Aurora cluster reports a `ScalingConfigurationInfo` of nulls, which
    the provider reads as a `scaling_configuration` block: a phantom diff on every
    plan. Fill: report it only for serverless (v1) clusters, as AWS does."""
    from moto.rds.models import DBCluster

    orig = DBCluster.scaling_configuration_info

    def scaling_configuration_info(self):
        if self.engine_mode != "serverless" and not self.scaling_configuration:
            return None
        return orig.fget(self)

    DBCluster.scaling_configuration_info = property(scaling_configuration_info)


@patch("rds_global_cluster_database_name")
def _rds_global_cluster_database_name():
    """Gap: CreateGlobalCluster drops `DatabaseName`, so aws_rds_global_cluster's
    `database_name` reads back empty and forces a replacement. Fill: keep it."""
    from moto.rds.models import GlobalCluster
    from moto.rds.responses import RDSResponse

    GlobalCluster.database_name = None
    orig = RDSResponse.create_global_cluster

    def create_global_cluster(self):
        result = orig(self)
        name = self.params.get("DatabaseName")
        if name:
            result.result["GlobalCluster"].database_name = name
        return result

    RDSResponse.create_global_cluster = create_global_cluster


@patch("rds_instance_enhanced_monitoring")
def _rds_instance_enhanced_monitoring():
    """Gap: CreateDBInstance and ModifyDBInstance drop `MonitoringInterval` and
    `MonitoringRoleArn`, so aws_rds_cluster_instance reads back 0 and no role and
    plans Enhanced Monitoring again after every apply. Fill: keep and report what
    the request set, as AWS does (nothing is monitored: moto has no OS to sample).
    Source: Amazon RDS API Reference, CreateDBInstance and DBInstance (the response
    carries MonitoringInterval and MonitoringRoleArn as set)."""
    from moto.rds.models import DBInstance
    from moto.rds.responses import RDSResponse

    DBInstance.monitoring_interval = None
    DBInstance.monitoring_role_arn = None

    def keeping(orig):
        def handler(self):
            result = orig(self)
            instance = result.result["DBInstance"]
            if self.params.get("MonitoringInterval") is not None:
                instance.monitoring_interval = int(self.params["MonitoringInterval"])
            if self.params.get("MonitoringRoleArn") is not None:
                instance.monitoring_role_arn = self.params["MonitoringRoleArn"]
            return result

        return handler

    RDSResponse.create_db_instance = keeping(RDSResponse.create_db_instance)
    RDSResponse.modify_db_instance = keeping(RDSResponse.modify_db_instance)


@patch("rds_cross_region_global_detach")
def _rds_cross_region_global_detach():
    """Gap: global clusters live in moto's us-east-1 RDS backend, but DeleteDBCluster
    and RemoveFromGlobalCluster only look in the caller's region, so a secondary
    cluster in another region is never detached and destroying the global cluster
    waits forever. Fill: detach from the global cluster wherever it is stored."""
    from moto.rds.models import RDSBackend, rds_backends

    def detach(backend, cluster):
        for regional in rds_backends[backend.account_id].values():
            for gc in list(regional.global_clusters.values()):
                if cluster in gc.members:
                    gc.members.remove(cluster)
                    if cluster.is_writer and gc.members:
                        gc.members[0].is_writer = True
                    cluster.global_cluster_identifier = None
                    return gc
        return None

    def find(backend, identifier):
        for regional in rds_backends[backend.account_id].values():
            for c in regional.clusters.values():
                if identifier in (c.db_cluster_identifier, c.db_cluster_arn):
                    return c
        return None

    orig_delete = RDSBackend.delete_db_cluster

    def delete_db_cluster(self, cluster_identifier, snapshot_name=None):
        cluster = self.clusters.get(cluster_identifier)
        if cluster is not None and not cluster.deletion_protection and not cluster.members:
            detach(self, cluster)
        return orig_delete(self, cluster_identifier, snapshot_name)

    def remove_from_global_cluster(self, global_cluster_identifier, db_cluster_identifier):
        cluster = find(self, db_cluster_identifier)
        if cluster is None:
            return None
        return detach(self, cluster)

    RDSBackend.delete_db_cluster = delete_db_cluster
    RDSBackend.remove_from_global_cluster = remove_from_global_cluster


@patch("rds_secondary_replication_source")
def _rds_secondary_replication_source():
    """Gap (fidelity, not function): AWS reports the primary cluster's ARN as the
    `ReplicationSourceIdentifier` of every secondary cluster of a global database;
    moto reports none. The provider reads it into `replication_source_identifier`,
    and a configuration that does not ignore it plans its removal, which promotes
    the secondary out of the global database (aws_rds_cluster docs,
    `replication_source_identifier`; terraform-provider-aws PR #40921). Fill: while
    a cluster is a non-writer member of a global cluster, report the writer's ARN,
    as AWS does; once detached, report what it was created with."""
    from moto.rds.models import DBCluster, rds_backends

    def global_writer(cluster):
        account = getattr(cluster, "account_id", None)
        if account is None or account not in rds_backends:
            return None
        for regional in rds_backends[account].values():
            for gc in regional.global_clusters.values():
                if cluster in gc.members and not cluster.is_writer:
                    return next((m for m in gc.members if m.is_writer), None)
        return None

    def get_source(self):
        writer = global_writer(self)
        if writer is not None:
            return writer.db_cluster_arn
        return self.__dict__.get("_created_replication_source")

    def set_source(self, value):
        self.__dict__["_created_replication_source"] = value

    DBCluster.replication_source_identifier = property(get_source, set_source)


@patch("rds_global_cluster_tags")
def _rds_global_cluster_tags():
    """Gap: CreateGlobalCluster drops `Tags`, and ListTagsForResource / AddTags reject
    a global cluster's region-less ARN (`arn:aws:rds::<acct>:global-cluster:<id>`),
    so the provider's `default_tags` show as a change on every plan. Fill: keep the
    tags and resolve global-cluster ARNs to the cluster."""
    from moto.rds.models import RDSBackend, rds_backends
    from moto.rds.responses import RDSResponse

    orig_create = RDSResponse.create_global_cluster

    def create_global_cluster(self):
        result = orig_create(self)
        tags = self.params.get("Tags")
        if tags:
            result.result["GlobalCluster"].tags = tags
        return result

    RDSResponse.create_global_cluster = create_global_cluster

    orig_lookup = RDSBackend._get_resource_for_tagging

    def _get_resource_for_tagging(self, arn):
        if ":global-cluster:" in (arn or ""):
            ident = arn.split(":global-cluster:", 1)[1]
            for regional in rds_backends[self.account_id].values():
                if ident in regional.global_clusters:
                    return regional.global_clusters[ident]
            return None
        return orig_lookup(self, arn)

    RDSBackend._get_resource_for_tagging = _get_resource_for_tagging


@patch("rds_modify_global_cluster")
def _rds_modify_global_cluster():
    """Gap: ModifyGlobalCluster is not implemented (HTTP 500), so turning off the
    global cluster's `deletion_protection` (what a teardown must do first) fails.
    Fill: a minimal ModifyGlobalCluster for DeletionProtection and EngineVersion."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import RDSClientError
    from moto.rds.responses import RDSResponse

    def modify_global_cluster(self):
        params = self.params
        ident = params["GlobalClusterIdentifier"]
        gc = self.global_backend.global_clusters.get(ident)
        if gc is None:
            raise RDSClientError("GlobalClusterNotFoundFault",
                                 f"Global cluster {ident} not found")
        if params.get("DeletionProtection") is not None:
            gc.deletion_protection = params["DeletionProtection"]
        if params.get("EngineVersion"):
            gc.engine_version = params["EngineVersion"]
        return ActionResult({"GlobalCluster": gc})

    RDSResponse.modify_global_cluster = modify_global_cluster


@patch("backup_tags_path")
def _backup_tags_path():
    """Gap: ListTags/TagResource/UntagResource take the ARN from a fixed position in
    the path, which only works with boto3's trailing slash (`/tags/<arn>/`); the Go
    SDK sends `/tags/<arn>`, so the provider reads no tags on backup vaults and
    plans (a `tags_all` diff on every plan). Fill: take everything after the
    prefix."""
    import json
    from urllib.parse import unquote

    from moto.backup.responses import BackupResponse

    def arn_after(path, prefix):
        return unquote(path.split(prefix, 1)[1].strip("/"))

    def list_tags(self):
        tags = self.backup_backend.list_tags(resource_arn=arn_after(self.path, "/tags/"))
        return json.dumps({"Tags": tags})

    def tag_resource(self):
        params = json.loads(self.body)
        self.backup_backend.tag_resource(
            resource_arn=arn_after(self.path, "/tags/"), tags=params.get("Tags"))
        return "{}"

    def untag_resource(self):
        params = json.loads(self.body)
        self.backup_backend.untag_resource(
            resource_arn=arn_after(self.path, "/untag/"),
            tag_key_list=params.get("TagKeyList"))
        return "{}"

    BackupResponse.list_tags = list_tags
    BackupResponse.tag_resource = tag_resource
    BackupResponse.untag_resource = untag_resource


@patch("lambda_kms_and_dlq")
def _lambda_kms_and_dlq():
    """Gap: GetFunction(Configuration) never returns `KMSKeyArn` nor
    `DeadLetterConfig`, so a function with an encrypted environment and a
    dead-letter queue shows both as additions on every plan. Fill: keep and
    return them (create and UpdateFunctionConfiguration)."""
    from moto.awslambda.models import LambdaFunction

    orig_init = LambdaFunction.__init__

    def __init__(self, account_id, spec, region, version=1):
        orig_init(self, account_id, spec, region, version)
        self.paydrc_kms_key_arn = spec.get("KMSKeyArn")
        self.paydrc_dead_letter = spec.get("DeadLetterConfig")

    orig_get = LambdaFunction.get_configuration

    def get_configuration(self, on_create=False):
        config = orig_get(self, on_create=on_create)
        if getattr(self, "paydrc_kms_key_arn", None):
            config["KMSKeyArn"] = self.paydrc_kms_key_arn
        if (getattr(self, "paydrc_dead_letter", None) or {}).get("TargetArn"):
            config["DeadLetterConfig"] = self.paydrc_dead_letter
        return config

    orig_update = LambdaFunction.update_configuration

    def update_configuration(self, config_updates):
        if "KMSKeyArn" in config_updates:
            self.paydrc_kms_key_arn = config_updates["KMSKeyArn"] or None
        if "DeadLetterConfig" in config_updates:
            self.paydrc_dead_letter = config_updates["DeadLetterConfig"] or None
        return orig_update(self, config_updates)

    LambdaFunction.__init__ = __init__
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration


@patch("ec2_sg_rule_group_description")
def _ec2_sg_rule_group_description():
    """Gap: DescribeSecurityGroupRules takes a rule's description from its CIDR range
    only, so a rule that references another security group (the database port
    open to the function's group) comes back without its description: an
    aws_vpc_security_group_ingress/egress_rule diff on every plan. Fill: fall back
    to the referenced group's description."""
    from moto.ec2.models.security_groups import SecurityGroupRule

    def description(self):
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    SecurityGroupRule.description = property(description)


@patch("secretsmanager_replica_kms_key")
def _secretsmanager_replica_kms_key():
    """Gap: a secret's replica always reports `KmsKeyId: alias/aws/secretsmanager`,
    whatever key was asked for in AddReplicaRegions, so aws_secretsmanager_secret's
    `replica { kms_key_id }` is replaced on every plan. Fill: report the key asked
    for."""
    from moto.secretsmanager.models import FakeSecret

    orig = FakeSecret.create_replicas

    def create_replicas(self, replica_regions, force_overwrite):
        replicas = orig(self, replica_regions, force_overwrite=force_overwrite)
        wanted = {c["Region"]: c.get("KmsKeyId") for c in replica_regions or []}
        for replica in replicas:
            if wanted.get(replica.region):
                replica.config["KmsKeyId"] = wanted[replica.region]
        return replicas

    FakeSecret.create_replicas = create_replicas


# Route 53 hosted zone of regional API Gateway endpoints, per region (AWS General
# Reference, "Amazon API Gateway endpoints and quotas").
APIGW_REGIONAL_ZONE = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
}


@patch("secretsmanager_rotation_function")
def _secretsmanager_rotation_function():
    """Gap: RotateSecret with a RotationLambdaARN invokes the function through moto's
    Lambda, which needs Docker, and never checks that Secrets Manager may invoke it.
    Fill what AWS does when rotation is configured: "Secrets Manager checks the
    permissions of the function. The role policy for the function must grant the
    Secrets Manager service principal permission to invoke the function"
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html,
    "access denied when trying to configure rotation"): refuse with
    AccessDeniedException unless the function's resource policy allows
    secretsmanager.amazonaws.com lambda:InvokeFunction, with an aws:SourceArn
    condition, if any, naming this secret. The function is not run (its code is
    tested in tests/builtin against moto in-process); the invocations that would
    have happened are recorded on the secret (`paydrc_rotation_steps`). With
    RotateImmediately false AWS runs only testSecret, on an AWSPENDING version it
    removes again (RotateSecret API reference, RotateImmediately)."""
    import fnmatch
    import json

    from moto.awslambda.utils import get_backend
    from moto.secretsmanager.exceptions import SecretsManagerClientError
    from moto.secretsmanager.models import SecretsManagerBackend

    orig = SecretsManagerBackend.rotate_secret

    def allowed(policy: dict, secret_arn: str) -> bool:
        for st in policy.get("Statement", []):
            principal = st.get("Principal", {})
            service = principal.get("Service") if isinstance(principal, dict) else principal
            actions = st.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if st.get("Effect") != "Allow" or service != "secretsmanager.amazonaws.com":
                continue
            if "lambda:InvokeFunction" not in actions and "lambda:*" not in actions:
                continue
            source = st.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn") or st.get(
                "Condition", {}).get("ArnEquals", {}).get("AWS:SourceArn")
            if source is None or fnmatch.fnmatchcase(secret_arn, source):  # ArnLike's * and ?
                return True
        return False

    def rotate_secret(self, secret_id, client_request_token=None, rotation_lambda_arn=None, rotation_rules=None,
                      rotate_immediately=True):
        if not rotation_lambda_arn:
            return orig(self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately)
        secret = self.describe_secret(secret_id)
        lam = get_backend(self.account_id, self.region_name)
        try:
            policy = json.loads(json.loads(lam.get_policy(rotation_lambda_arn))["Policy"])
        except Exception:  # no policy at all: GetPolicy answers ResourceNotFoundException
            policy = {}
        if not allowed(policy, secret.arn):
            raise SecretsManagerClientError(
                "AccessDeniedException",
                "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy "
                "grants access to the principal secretsmanager.amazonaws.com.")
        steps = []
        original_invoke = lam.invoke

        def record(arn, qualifier, body, headers, response_headers):
            steps.append(json.loads(body)["Step"])
            return b""

        lam.invoke = record
        try:
            result = orig(self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules,
                          rotate_immediately)
        finally:
            lam.invoke = original_invoke
        secret.paydrc_rotation_steps = getattr(secret, "paydrc_rotation_steps", []) + steps
        if not rotate_immediately:
            # the configuration test's AWSPENDING version goes away again
            for version_id, version in list(secret.versions.items()):
                if version.get("version_stages") == ["AWSPENDING"]:
                    del secret.versions[version_id]
        return result

    SecretsManagerBackend.rotate_secret = rotate_secret


@patch("ec2_interface_endpoint_private_dns")
def _ec2_interface_endpoint_private_dns():
    """Gap: CreateVpcEndpoint accepts PrivateDnsEnabled on an interface endpoint in a
    VPC without DNS hostnames or DNS resolution. AWS refuses it: "To use private
    DNS, you must enable DNS hostnames and DNS resolution for your VPC"
    (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html,
    prerequisites). Fill: InvalidParameter in that case."""
    from moto.ec2.exceptions import InvalidParameter
    from moto.ec2.models.vpcs import VPCBackend

    orig = VPCBackend.create_vpc_endpoint

    def create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
        if (endpoint_type or "").lower() == "interface" and kwargs.get("private_dns_enabled"):
            vpc = self.get_vpc(vpc_id)
            if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
                raise InvalidParameter(
                    f"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes "
                    f"set to true for {vpc_id}")
        return orig(self, vpc_id, service_name, endpoint_type, *args, **kwargs)

    VPCBackend.create_vpc_endpoint = create_vpc_endpoint


@patch("apigatewayv2_domain_name_status")
def _apigatewayv2_domain_name_status():
    """Gap: API Gateway v2 domain names come back with no `domainNameStatus` and no
    target domain / hosted zone (apply waits for AVAILABLE, then fails; the alias
    record has no target), and with `mutualTlsAuthentication: {}` that the provider
    reads as a configured block (drift). Fill: an AVAILABLE status, a
    `d-xxxx.execute-api.<region>.amazonaws.com` target with the regional hosted zone,
    and no mutualTlsAuthentication unless one was configured."""
    import hashlib

    from moto.apigatewayv2.models import DomainName

    orig_init = DomainName.__init__

    def __init__(self, domain_name, domain_name_configurations, mutual_tls_authentication,
                 tags, backend):
        orig_init(self, domain_name, domain_name_configurations, mutual_tls_authentication,
                  tags, backend)
        region = backend.region_name
        digest = hashlib.sha256(f"{backend.account_id}/{region}/{domain_name}".encode())
        target = f"d-{digest.hexdigest()[:10]}.execute-api.{region}.amazonaws.com"
        for conf in self.domain_name_configurations or []:
            conf.setdefault("endpointType", "REGIONAL")
            conf.setdefault("securityPolicy", "TLS_1_2")
            conf.setdefault("domainNameStatus", "AVAILABLE")
            conf.setdefault("apiGatewayDomainName", target)
            conf.setdefault("hostedZoneId", APIGW_REGIONAL_ZONE.get(region, "Z1UJRXOUMOOFQ8"))
            conf.setdefault("ipAddressType", "ipv4")

    orig_to_json = DomainName.to_json

    def to_json(self):
        out = orig_to_json(self)
        if not out.get("mutualTlsAuthentication"):
            out.pop("mutualTlsAuthentication", None)
        return out

    DomainName.__init__ = __init__
    DomainName.to_json = to_json


# -- API Gateway REST APIs (v1) and AWS WAF: the REST front door ---------------


@patch("apigateway_domain_name_regional")
def _apigateway_domain_name_regional():
    """Gap: REST (v1) custom domain names report CloudFront's hosted zone
    (Z2FDTNDATAQYW2) as `regionalHostedZoneId` in every region, and a CloudFront
    `distributionDomainName` / `distributionHostedZoneId` even for a REGIONAL-only
    name. AWS documents "regionalHostedZoneId: The region-specific Amazon Route 53 Hosted
    Zone ID of the regional endpoint", and Z2FDTNDATAQYW2 as "The region-agnostic Amazon
    Route 53 Hosted Zone ID of the edge-optimized endpoint" (distributionHostedZoneId;
    https://docs.aws.amazon.com/apigateway/latest/api/API_DomainName.html); the
    zone of each region's regional endpoints is listed in the AWS General Reference
    (https://docs.aws.amazon.com/general/latest/gr/apigateway.html). An alias record
    built from the stock answer targets `d-....execute-api.<region>.amazonaws.com` in
    CloudFront's zone, which Route 53 refuses. Fill: the region's API Gateway zone, and
    no distribution fields unless the name has an EDGE endpoint."""
    from moto.apigateway.models import DomainName

    orig_init = DomainName.__init__

    def __init__(self, domain_name, **kwargs):
        orig_init(self, domain_name, **kwargs)
        region = kwargs.get("region_name") or "us-east-1"
        self.regional_hosted_zone_id = APIGW_REGIONAL_ZONE.get(region, self.regional_hosted_zone_id)

    orig_to_json = DomainName.to_json

    def to_json(self):
        out = orig_to_json(self)
        types = (self.endpoint_configuration or {}).get("types") or ["EDGE"]
        if "EDGE" not in types:
            out.pop("distributionDomainName", None)
            out.pop("distributionHostedZoneId", None)
        return out

    DomainName.__init__ = __init__
    DomainName.to_json = to_json


@patch("apigateway_authorizer_identity_validation")
def _apigateway_authorizer_identity_validation():
    """Gap: CreateAuthorizer drops `identityValidationExpression` (moto passes it on
    under a misspelt keyword), so GetAuthorizer never returns it and every plan
    updates `identity_validation_expression` of an aws_api_gateway_authorizer. AWS
    keeps it: "identityValidationExpression: A validation expression for the incoming
    identity token. For TOKEN authorizers, this value is a regular expression"
    (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html,
    returned by GetAuthorizer). Fill: keep it."""
    from moto.apigateway.models import RestAPI

    orig = RestAPI.create_authorizer

    def create_authorizer(self, *args, **kwargs):
        authorizer = orig(self, *args, **kwargs)
        # the backend passes it by keyword, under moto's spelling
        expression = kwargs.get("identiy_validation_expression")
        if expression:
            authorizer.identity_validation_expression = expression
        return authorizer

    RestAPI.create_authorizer = create_authorizer


# "CloudWatch Logs role ARN must be set in account settings to enable logging": the
# error API Gateway answers when a REST API stage turns on access or execution logging
# in a region whose account settings name no CloudWatch role.
APIGW_NO_LOG_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"


@patch("apigateway_stage_logging_needs_account_role")
def _apigateway_stage_logging_needs_account_role():
    """Gap: moto lets a REST API (v1) stage turn on access logging (or execution
    logging) in any account. AWS needs the region's API Gateway account settings to
    name a role API Gateway can assume first: "To enable CloudWatch Logs, you must
    grant API Gateway permission to read and write logs to CloudWatch for your
    account ... create an IAM role with apigateway.amazonaws.com as its trusted
    entity, attach [AmazonAPIGatewayPushToCloudWatchLogs] to the IAM role, and set the
    IAM role ARN on the cloudWatchRoleArn property on your Account"
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html,
    "Permissions for CloudWatch logging"; the setting is per region:
    AWS::ApiGateway::Account, "one AWS::ApiGateway::Account resource per region per
    account"). Without it UpdateStage answers BadRequestException "CloudWatch Logs role
    ARN must be set in account settings to enable logging". The same page: "The access
    log format must include at least $context.requestId or $context.extendedRequestId".
    UpdateAccount refuses a role that API Gateway cannot assume (BadRequestException
    "The role ARN does not have required permissions set to API Gateway").
    Fill: those three refusals (UpdateStage, UpdateAccount)."""
    from moto.apigateway.exceptions import BadRequestException
    from moto.apigateway.models import APIGatewayBackend
    from moto.iam.models import iam_backends

    def enables_logging(op):
        if op.get("op") not in ("replace", "add"):
            return False
        path, value = op.get("path") or "", op.get("value")
        if path.startswith("/accessLogSettings/"):
            return bool(value)
        if path.endswith("/logging/loglevel"):
            return str(value).upper() not in ("", "OFF", "NONE")
        if path.endswith("/logging/dataTrace"):
            return str(value).lower() == "true"
        return False

    orig_update_stage = APIGatewayBackend.update_stage

    def update_stage(self, function_id, stage_name, patch_operations):
        ops = patch_operations or []
        if any(enables_logging(op) for op in ops) and not self.account.cloudwatch_role_arn:
            raise BadRequestException(APIGW_NO_LOG_ROLE)
        fmt = next((op.get("value") for op in ops
                    if op.get("path") == "/accessLogSettings/format" and op.get("value")), None)
        if fmt is not None and "$context.requestId" not in fmt and "$context.extendedRequestId" not in fmt:
            raise BadRequestException(
                "Access Log format must contain at least one of $context.requestId or $context.extendedRequestId")
        return orig_update_stage(self, function_id, stage_name, patch_operations)

    def assumable_by_apigateway(account_id, role_arn):
        try:
            role = iam_backends[account_id][role_arn.split(":")[1]].get_role_by_arn(role_arn)
            doc = json.loads(role.assume_role_policy_document)
        except Exception:  # no such role, or no trust policy to read
            return False
        statements = doc.get("Statement") or []
        for st in [statements] if isinstance(statements, dict) else statements:
            actions = st.get("Action") or []
            actions = [actions] if isinstance(actions, str) else actions
            services = (st.get("Principal") or {}).get("Service") if isinstance(st.get("Principal"), dict) else None
            services = [services] if isinstance(services, str) else services or []
            if (st.get("Effect") == "Allow" and "apigateway.amazonaws.com" in services
                    and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions)):
                return True
        return False

    orig_update_account = APIGatewayBackend.update_account

    def update_account(self, patch_operations):
        for op in patch_operations or []:
            if "/cloudwatchRoleArn" in (op.get("path") or "") and op.get("value"):
                if not assumable_by_apigateway(self.account_id, op["value"]):
                    raise BadRequestException(
                        "The role ARN does not have required permissions set to API Gateway")
        return orig_update_account(self, patch_operations)

    APIGatewayBackend.update_stage = update_stage
    APIGatewayBackend.update_account = update_account


@patch("wafv2_association_and_logging")
def _wafv2_association_and_logging():
    """Gap: AssociateWebACL accepts any resource ARN, and PutLoggingConfiguration any
    web ACL and any destinations. AWS refuses:
    - an association with a resource that does not exist (WAFNonexistentItemException,
      "AWS WAF couldn't perform the operation because your resource doesn't exist"; a
      REST API stage is named `arn:partition:apigateway:region::/restapis/api-id/stages/stage-name`,
      https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html) or
      in another region than the web ACL ("The web ACL and any AWS WAF resources that
      it uses must be located in the Region where the associated resource is located",
      https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html);
    - a logging configuration of a web ACL that does not exist, with other than one
      destination ("You can define one logging destination per web ACL"), or with a
      destination whose name does not start with `aws-waf-logs-` ("The name that you
      give the destination must start with aws-waf-logs-",
      https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html),
      or a CloudWatch Logs log group that does not exist.
    Fill: those refusals (WAFNonexistentItemException / WAFInvalidParameterException);
    checked for API Gateway stage ARNs and CloudWatch Logs destinations, the kinds
    paydrc uses."""
    from moto.apigateway.models import apigateway_backends
    from moto.logs.models import logs_backends
    from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError
    from moto.wafv2.models import WAFV2Backend

    class WAFInvalidParameterException(WAFv2ClientError):
        def __init__(self, field, reason):
            super().__init__("WAFInvalidParameterException",
                             f"Error reason: {reason}, field: {field}, parameter: ")

    stage_arn = re.compile(r"^arn:[\w-]+:apigateway:([a-z0-9-]+)::/restapis/([^/]+)/stages/([^/]+)$")
    log_group_arn = re.compile(r"^arn:[\w-]+:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$")

    orig_associate = WAFV2Backend.associate_web_acl

    def associate_web_acl(self, web_acl_arn, resource_arn):
        m = stage_arn.match(resource_arn or "")
        if m:
            region, api_id, stage = m.groups()
            if region != self.region_name or f":{self.region_name}:" not in web_acl_arn:
                raise WAFInvalidParameterException("RESOURCE_ARN",
                                                   "the resource is in another Region than the web ACL")
            api = apigateway_backends[self.account_id][region].apis.get(api_id)
            if api is None or stage not in api.stages:
                raise WAFNonexistentItemException()
        return orig_associate(self, web_acl_arn, resource_arn)

    orig_put_logging = WAFV2Backend.put_logging_configuration

    def put_logging_configuration(self, arn, log_destination_configs, *args, **kwargs):
        if not any(acl.arn == arn for acl in self.wacls.values()):
            raise WAFNonexistentItemException()
        if len(log_destination_configs or []) != 1:
            raise WAFInvalidParameterException("LOG_DESTINATION", "exactly one logging destination per web ACL")
        destination = log_destination_configs[0]
        m = log_group_arn.match(destination)
        if m:
            name = m.group(3)
        elif ":s3:::" in destination:
            name = destination.split(":::", 1)[1].split("/")[0]
        else:  # a Firehose delivery stream
            name = destination.rsplit("/", 1)[-1]
        if not name.startswith("aws-waf-logs-"):
            raise WAFInvalidParameterException("LOG_DESTINATION",
                                               "the destination's name must start with aws-waf-logs-")
        if m:
            region, account, group = m.groups()
            if group not in logs_backends[account][region].groups:
                raise WAFNonexistentItemException()
        return orig_put_logging(self, arn, log_destination_configs, *args, **kwargs)

    WAFV2Backend.associate_web_acl = associate_web_acl
    WAFV2Backend.put_logging_configuration = put_logging_configuration


# Set by the patch route53_health_check_names: (account, name) -> region or None.
_NAME_REGION_RESOLVER = None


@patch("route53_health_check_names")
def _route53_health_check_names():
    """Gap (drill): route53_health_and_dns tells a health check's region from its
    FullyQualifiedDomainName only when that is a regional AWS name
    (`*.execute-api.<region>.amazonaws.com`); a check of a custom name (the REST front
    door probes `api-<region>-<env>.<zone>`) stays healthy whatever region is down.
    Route 53 resolves the name: "Route 53 sends a DNS request to resolve the domain
    name in FullyQualifiedDomainName at the interval that you specify in
    RequestInterval. Using an IPv4 address that DNS returns, Route 53 then checks the
    health of the endpoint"
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
    Fill: resolve the name through the public hosted zones the emulator holds (alias
    and CNAME records, a few hops, a single answer), and use the region of the
    regional AWS name it reaches. A name that resolves to nothing regional keeps the
    old answer (healthy)."""
    global _NAME_REGION_RESOLVER
    from moto.route53.models import route53_backends

    def resolve(account, name, hops=5):
        name = (name or "").rstrip(".").lower()
        for _ in range(hops):
            region = region_of_host(name)
            if region:
                return region
            targets = set()
            for partition_backend in route53_backends[account].values():
                for zone in partition_backend.zones.values():
                    if zone.private_zone:
                        continue
                    for rr in zone.rrsets:
                        if rr.name.rstrip(".").lower() != name or rr.type not in ("A", "AAAA", "CNAME"):
                            continue
                        if rr.alias_target:
                            targets.add(rr.alias_target.get("DNSName", "").rstrip(".").lower())
                        elif rr.type == "CNAME":
                            for r in rr.records or []:
                                targets.add((r if isinstance(r, str) else r.get("Value", "")).rstrip(".").lower())
            if len(targets) != 1:
                return None
            name = targets.pop()
        return None

    _NAME_REGION_RESOLVER = resolve


# ---------------------------------------------------------------------------
# DR drill extensions: what stock moto is silent about and a region-outage drill
# needs. Unlike the gap fills above these add behaviour;
# each cites the AWS behaviour it reproduces.
# ---------------------------------------------------------------------------

# Regions taken "down" through the control route. Read by the WSGI wrapper (every
# request) and by the Route 53 and RDS extensions.
_DOWN_REGIONS: set[str] = set()
# Data API statements per cluster ARN, in the order they ran.
_DATA_API_STATEMENTS: dict[str, list[dict]] = {}

# Services left reachable while a region is down. Route 53's data plane (DNS answers,
# health checkers) is distributed over points of presence worldwide and outlives any
# one region; its control plane is in us-east-1 (AWS Fault Isolation Boundaries
# whitepaper, "Global services":
# https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html).
# The emulator keeps Route 53's API up so the drill can observe that data plane
# (GetHealthCheckStatus, TestDNSAnswer) and read records; it does not model the
# control plane's own outage with us-east-1. IAM is not exempt: "The IAM control plane
# consists of all public IAM APIs" and lives in us-east-1 (same whitepaper, Appendix A),
# and SDKs sign IAM calls for us-east-1, so every IAM call fails while us-east-1 is down,
# as it may in AWS (Terraform's refresh of an IAM role included).
GLOBAL_SERVICES = frozenset({"route53"})

_REGION_IN_HOST = re.compile(
    r"(?:^|\.)((?:[a-z]{2})(?:-gov)?-[a-z]+-\d)\.(?:amazonaws\.com|on\.aws)\.?$")


def region_down(region: str | None) -> bool:
    return bool(region) and region in _DOWN_REGIONS


def region_of_host(host: str | None) -> str | None:
    """The AWS region a regional endpoint name belongs to
    (`d-x.execute-api.us-east-1.amazonaws.com`, `x.lambda-url.us-west-2.on.aws`,
    `x.elb.us-east-1.amazonaws.com`), or None for other names."""
    m = _REGION_IN_HOST.search((host or "").lower())
    return m.group(1) if m else None


def signed_scope(environ: dict) -> tuple[str | None, str | None]:
    """(region, service) of a request's SigV4 credential scope
    (`Credential=AKID/20250101/us-east-1/rds/aws4_request`, header or presigned query)."""
    from urllib.parse import parse_qs, unquote

    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=([^,\s]+)", auth)
    cred = m.group(1) if m else None
    if cred is None:
        q = parse_qs(environ.get("QUERY_STRING", ""))
        cred = (q.get("X-Amz-Credential") or [None])[0]
    if not cred:
        return None, None
    parts = unquote(cred).split("/")
    if len(parts) < 5:
        return None, None
    return parts[2], parts[3]


class DrillControl:
    """WSGI wrapper around moto's app: the control routes under /_paydrc/, and the
    region outage. While a region is down, every request signed for it is refused
    with 503 ServiceUnavailable and `Connection: close`, the nearest an HTTP server
    gets to an unreachable endpoint (SDKs retry it, then fail), except requests to
    GLOBAL_SERVICES.

    Routes (JSON):
      POST /_paydrc/outage {"region": "us-east-1", "down": true|false} -> {"down": [...]}
      GET  /_paydrc/outage                                           -> {"down": [...]}
      GET  /_paydrc/data-api/statements[?resourceArn=ARN]           -> {"statements": {ARN: [...]}}
    """

    PREFIX = "/_paydrc/"

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.PREFIX):
            return self.control(environ, start_response, path[len(self.PREFIX):])
        if path == "/moto-api/reset":  # moto's own reset clears the drill's state too
            with _STATE_LOCK:
                _DOWN_REGIONS.clear()
                _DATA_API_STATEMENTS.clear()
        region, service = signed_scope(environ)
        if region_down(region) and service not in GLOBAL_SERVICES:
            message = f"{service} in {region} is unreachable (region taken down by the drill)"
            # An error body the SDKs parse for the request's protocol: JSON for the
            # JSON protocols, the query/REST-XML error document otherwise.
            if "json" in environ.get("CONTENT_TYPE", ""):
                ctype = "application/x-amz-json-1.1"
                body = json.dumps({"__type": "ServiceUnavailable", "message": message}).encode()
            else:
                ctype = "text/xml"
                body = ("<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>"
                        f"<Message>{message}</Message></Error></ErrorResponse>").encode()
            start_response("503 Service Unavailable", [
                ("Content-Type", ctype), ("Content-Length", str(len(body))), ("Connection", "close")])
            return [body]
        return self.app(environ, start_response)

    @staticmethod
    def reply(start_response, status, obj):
        body = json.dumps(obj, sort_keys=True, default=str).encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(body)))])
        return [body]

    def control(self, environ, start_response, route):
        from urllib.parse import parse_qs

        method = environ.get("REQUEST_METHOD", "GET")
        if route == "outage":
            if method == "POST":
                try:
                    size = int(environ.get("CONTENT_LENGTH") or 0)
                    req = json.loads(environ["wsgi.input"].read(size) or b"{}")
                    region, down = req["region"], req["down"]
                    if not isinstance(region, str) or not isinstance(down, bool):
                        raise ValueError
                except (ValueError, KeyError, TypeError):
                    return self.reply(start_response, "400 Bad Request",
                                      {"error": 'expected {"region": str, "down": bool}'})
                with _STATE_LOCK:
                    (_DOWN_REGIONS.add if down else _DOWN_REGIONS.discard)(region)
            return self.reply(start_response, "200 OK", {"down": sorted(_DOWN_REGIONS)})
        if route == "data-api/statements" and method == "GET":
            want = parse_qs(environ.get("QUERY_STRING", "")).get("resourceArn")
            with _STATE_LOCK:
                out = {arn: list(stmts) for arn, stmts in _DATA_API_STATEMENTS.items()
                       if not want or arn in want}
            return self.reply(start_response, "200 OK", {"statements": out})
        return self.reply(start_response, "404 Not Found", {"error": f"no route {route}"})


@patch("rds_global_failover")
def _rds_global_failover():
    """Adds FailoverGlobalCluster and SwitchoverGlobalCluster (absent from moto 5.2.1),
    faithful to what a region outage drill must see:

    - FailoverGlobalCluster with AllowDataLoss (a global failover) promotes the target
      even while the writer's region is down ("Failing over - use this operation to
      respond to an unplanned event, such as a Regional disaster in the primary
      Region": https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html).
      AllowDataLoss together with Switchover is refused (same page, "Constraints").
    - Without AllowDataLoss it is a switchover, as is SwitchoverGlobalCluster
      (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html):
      every secondary is first synchronized with the primary and the primary demoted,
      so it needs the primary (and every member) reachable and in sync; otherwise
      InvalidGlobalClusterStateFault (one of the operation's documented faults). On
      success the old primary is a secondary at once.
    - After a failover with data loss the old primary cannot be reached; Aurora adds
      it back as a secondary once its Region is available again, after taking a
      snapshot of it (Aurora User Guide, "Using failover or switchover in Amazon Aurora
      Global Database", unplanned failover:
      https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html;
      AWS Database Blog "Introducing - Aurora Global Database Failover"). Here it stays
      listed as a non-writer member with SynchronizationStatus `pending-resync` while
      its region is down and turns `connected` when the region is back.
    - GlobalClusterMember.SynchronizationStatus and GlobalCluster.FailoverState
      (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html:
      "empty unless a switchover or failover operation is scheduled or is in progress";
      the emulator completes both at once, so it is always empty).
    The writer flag is the one rds_secondary_replication_source and
    rds_cross_region_global_detach already read, so ReplicationSourceIdentifier and
    detaching follow the writer wherever it moved."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import DBCluster, GlobalCluster, rds_backends
    from moto.rds.responses import RDSResponse

    def cluster_region(cluster):
        return cluster.db_cluster_arn.split(":")[3]

    def sync_status(cluster):
        if getattr(cluster, "paydrc_pending_resync", False) and not region_down(
                cluster_region(cluster)):
            # its region is back: Aurora rebuilds it as a secondary
            cluster.paydrc_pending_resync = False
        return "pending-resync" if getattr(cluster, "paydrc_pending_resync", False) else "connected"

    orig_members = GlobalCluster.global_cluster_members

    def global_cluster_members(self):
        members = orig_members.fget(self)
        by_arn = {m.db_cluster_arn: m for m in self.members}
        for m in members:
            m["SynchronizationStatus"] = sync_status(by_arn[m["DBClusterArn"]])
        return members

    GlobalCluster.global_cluster_members = property(global_cluster_members)

    def lookup(self, params):
        ident = (params.get("GlobalClusterIdentifier") or "").lower()
        gc = self.global_backend.global_clusters.get(ident)
        if gc is None:
            raise RDSClientError("GlobalClusterNotFoundFault",
                                 f"Global cluster {ident} not found.")
        target_id = params.get("TargetDbClusterIdentifier") or ""
        target = next((m for m in gc.members
                       if target_id in (m.db_cluster_arn, m.db_cluster_identifier)), None)
        if target is None:
            found = any(target_id in (c.db_cluster_arn, c.db_cluster_identifier)
                        for regional in rds_backends[self.current_account].values()
                        for c in regional.clusters.values())
            if not found:
                raise RDSClientError("DBClusterNotFoundFault",
                                     f"DBCluster {target_id} not found.")
            raise RDSClientError("InvalidDBClusterStateFault",
                                 f"DBCluster {target_id} is not a member of {ident}.")
        if target.is_writer:
            raise RDSClientError("InvalidDBClusterStateFault",
                                 f"DBCluster {target_id} is already the primary of {ident}.")
        writer = next((m for m in gc.members if m.is_writer), None)
        return gc, target, writer

    def move_writer(gc, target, writer):
        if writer is not None:
            writer.is_writer = False
        target.is_writer = True
        target.paydrc_pending_resync = False

    def switchover(self, params):
        gc, target, writer = lookup(self, params)
        unreachable = [m.db_cluster_arn for m in gc.members
                       if region_down(cluster_region(m)) or sync_status(m) != "connected"]
        if unreachable:
            raise RDSClientError(
                "InvalidGlobalClusterStateFault",
                f"Global cluster {gc.global_cluster_identifier} cannot switch over: "
                f"members not available or not in sync: {', '.join(unreachable)}. "
                "Use FailoverGlobalCluster with AllowDataLoss to fail over.")
        move_writer(gc, target, writer)
        return ActionResult({"GlobalCluster": gc})

    def failover_global_cluster(self):
        params = self.params
        allow = bool(params.get("AllowDataLoss"))
        if allow and params.get("Switchover"):
            raise RDSClientError("InvalidParameterCombination",
                                 "AllowDataLoss and Switchover cannot both be specified.")
        if not allow:
            return switchover(self, params)
        gc, target, writer = lookup(self, params)
        move_writer(gc, target, writer)
        if writer is not None:
            # Unreachable now; Aurora adds it back as a secondary when it can.
            writer.paydrc_pending_resync = True
        return ActionResult({"GlobalCluster": gc})

    def switchover_global_cluster(self):
        return switchover(self, self.params)

    RDSResponse.failover_global_cluster = failover_global_cluster
    RDSResponse.switchover_global_cluster = switchover_global_cluster
    DBCluster.paydrc_pending_resync = False


@patch("rds_describe_global_cluster_by_id")
def _rds_describe_global_cluster_by_id():
    """Gap: DescribeGlobalClusters ignores `GlobalClusterIdentifier` and lists every
    global cluster, so a runbook's `describe-global-clusters --global-cluster-identifier
    X --query 'GlobalClusters[0]...'` can read another cluster. Fill: answer only the
    named one, or GlobalClusterNotFoundFault (the operation's documented fault:
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html)."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import RDSClientError
    from moto.rds.responses import RDSResponse

    orig = RDSResponse.describe_global_clusters

    def describe_global_clusters(self):
        ident = (self.params.get("GlobalClusterIdentifier") or "").lower()
        if not ident:
            return orig(self)
        gc = self.global_backend.global_clusters.get(ident)
        if gc is None:
            raise RDSClientError("GlobalClusterNotFoundFault", f"Global cluster {ident} not found.")
        return ActionResult({"GlobalClusters": [gc]})

    RDSResponse.describe_global_clusters = describe_global_clusters


@patch("rds_http_endpoint_provisioned")
def _rds_http_endpoint_provisioned():
    """Gap: moto lets only a few Aurora Serverless v1 versions enable the HTTP
    endpoint and has no EnableHttpEndpoint/DisableHttpEndpoint, which is how the RDS
    Data API is turned on for provisioned and Serverless v2 clusters
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_EnableHttpEndpoint.html,
    "applies only to Aurora Serverless v2 and provisioned DB clusters"; the provider's
    aws_rds_cluster `enable_http_endpoint` calls it for provisioned clusters). Fill:
    accept the setting for any Aurora engine, add both actions."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import DBClusterNotFoundError
    from moto.rds.models import DBCluster, rds_backends
    from moto.rds.responses import RDSResponse

    orig = DBCluster.enable_http_endpoint

    def set_http_endpoint(self, val):
        if val is not None and str(self.engine).startswith("aurora"):
            self._enable_http_endpoint = bool(val)
        else:
            orig.fset(self, val)

    DBCluster.enable_http_endpoint = property(orig.fget, set_http_endpoint)

    def toggle(self, enabled):
        arn = self.params.get("ResourceArn") or ""
        backend = rds_backends[self.current_account][self.region]
        cluster = next((c for c in backend.clusters.values() if c.db_cluster_arn == arn), None)
        if cluster is None:
            raise DBClusterNotFoundError(arn)
        cluster._enable_http_endpoint = enabled
        return ActionResult({"ResourceArn": arn, "HttpEndpointEnabled": enabled})

    RDSResponse.enable_http_endpoint = lambda self: toggle(self, True)
    RDSResponse.disable_http_endpoint = lambda self: toggle(self, False)


@patch("rds_data_api")
def _rds_data_api():
    """Gap: moto's rds-data ExecuteStatement accepts any ARN and any secret and
    records nothing. Fill, after the RDS Data API reference and user guide:
    - the cluster must exist in the region called (else BadRequestException);
    - its HTTP endpoint must be enabled (HttpEndpointNotEnabledException, "The HTTP
      endpoint for using RDS Data API isn't enabled for the DB cluster":
      https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_ExecuteStatement.html);
    - the secret must exist in that region's Secrets Manager (SecretsErrorException:
      "the secret provided wasn't found", same page);
    - the cluster must have a writer: "read and write queries sent to the secondary
      cluster fail while it lacks a writer instance. Once a secondary cluster is
      promoted [...] Data API queries on that DB instance succeed"
      (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.limitations.html);
      a non-writer member of a global cluster gets DatabaseUnavailableException ("The
      writer instance in the DB cluster isn't available").
    Each statement that passes is recorded with its parameters, database and secret
    under the cluster ARN (GET /_paydrc/data-api/statements); SQL is not executed, the
    answer is moto's (empty unless queued through moto's own API)."""
    from moto.core.exceptions import JsonRESTError
    from moto.rds.models import rds_backends
    from moto.rdsdata.responses import RDSDataServiceResponse
    from moto.secretsmanager.models import secretsmanager_backends

    class DataApiError(JsonRESTError):
        def __init__(self, code, message, status=400):
            super().__init__(code, message)
            self.code = status

    orig = RDSDataServiceResponse.execute_statement

    def execute_statement(self):
        arn = self._get_param("resourceArn") or ""
        secret = self._get_param("secretArn") or ""
        cluster = next((c for c in rds_backends[self.current_account][self.region].clusters.values()
                        if c.db_cluster_arn == arn), None)
        if cluster is None:
            raise DataApiError("BadRequestException",
                               f"Invalid cluster arn: {arn} (no such cluster in {self.region})")
        if not cluster.enable_http_endpoint:
            raise DataApiError("HttpEndpointNotEnabledException",
                               f"HttpEndpoint is not enabled for cluster {arn}")
        found = secretsmanager_backends[self.current_account][self.region].secrets.get(secret)
        if not secret or found is None or (hasattr(found, "is_deleted") and found.is_deleted()):
            raise DataApiError("SecretsErrorException",
                               f"Secrets Manager can't find the specified secret {secret}")
        for regional in rds_backends[self.current_account].values():
            for gc in regional.global_clusters.values():
                if cluster in gc.members and not cluster.is_writer:
                    raise DataApiError(
                        "DatabaseUnavailableException",
                        f"The writer instance in the DB cluster {arn} isn't available: "
                        "a secondary of a global database has none until it is promoted",
                        status=504)
        entry = {"sql": self._get_param("sql"), "parameters": self._get_param("parameters") or [],
                 "database": self._get_param("database"), "secretArn": secret,
                 "transactionId": self._get_param("transactionId"), "region": self.region}
        with _STATE_LOCK:
            _DATA_API_STATEMENTS.setdefault(arn, []).append(entry)
        return orig(self)

    RDSDataServiceResponse.execute_statement = execute_statement


@patch("route53_health_and_dns")
def _route53_health_and_dns():
    """Route 53 answers that follow endpoint reachability (moto always reports
    success and has no TestDNSAnswer):
    - GetHealthCheckStatus: an endpoint check whose FullyQualifiedDomainName is a
      regional AWS name (`<id>.execute-api.<region>.amazonaws.com`, `*.<region>.on.aws`,
      ...) or whose IPAddress is an Elastic IP of a region fails while that region is
      down. Inverted: "Route 53 considers the health check to be unhealthy when the
      status is healthy and vice versa"
      (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html).
      Disabled: "Route 53 considers the status of the health check to always be
      healthy" (HealthCheckConfig.Disabled,
      https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
      Calculated checks are refused, as AWS does ("You can't use GetHealthCheckStatus
      to get the status of a calculated health check"). The observations report the
      status Route 53 acts on, one per checker region.
    - TestDNSAnswer (GET /2013-04-01/testdnsanswer,
      https://docs.aws.amazon.com/Route53/latest/APIReference/API_TestDNSAnswer.html):
      simple records answer their values; failover records answer PRIMARY while it is
      healthy, else SECONDARY, and PRIMARY again when both are unhealthy ("If both
      are unhealthy, Route 53 responds with the primary": Route 53 Developer Guide,
      "Active-passive failover",
      https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html).
      A record is healthy when its health check is and, for an alias with
      EvaluateTargetHealth, when its target's region is up.
      RecordData differs from AWS for alias records: AWS answers the IP addresses the
      alias target resolves to; the emulator cannot resolve names, so it answers the
      alias target's DNS name (without the trailing dot). A test reads which target
      was chosen from it."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.ec2.models import ec2_backends
    from moto.route53 import urls
    from moto.route53.exceptions import InvalidInput
    from moto.route53.responses import Route53

    urls.url_paths[r"{0}/(?P<api_version>[\d_-]+)/testdnsanswer$"] = Route53.dispatch

    def ip_region(account, ip):
        for region, backend in ec2_backends[account].items():
            if region_down(region) and any(
                    getattr(a, "public_ip", None) == ip for a in backend.addresses.values()):
                return region
        return None

    def endpoint_healthy(account, hc):
        region = region_of_host(hc.fqdn) if hc.fqdn else None
        if region is None and hc.fqdn and _NAME_REGION_RESOLVER is not None:
            region = _NAME_REGION_RESOLVER(account, hc.fqdn)  # a custom name: resolve it
        if region is None and hc.ip_address:
            region = ip_region(account, hc.ip_address)
        return not region_down(region)

    def effective_healthy(account, hc):
        # A disabled check counts as healthy; inverting applies on top (the documented
        # way to stop routing to a resource whose check is disabled).
        healthy = True if hc.disabled else endpoint_healthy(account, hc)
        return (not healthy) if hc.inverted else healthy

    def get_health_check_status(self):
        hc = self.backend.get_health_check(self._get_param("HealthCheckId"))
        if (hc.type_ or "").upper() == "CALCULATED":
            raise InvalidInput("You can't use GetHealthCheckStatus to get the status of "
                               "a calculated health check")
        ok = effective_healthy(self.current_account, hc)
        note = "".join([" (disabled: considered healthy)" if hc.disabled else "",
                        " (inverted)" if hc.inverted else ""])
        status = ("Success: HTTP Status Code 200, OK" if ok
                  else "Failure: Connection timed out. The endpoint or the internet "
                       "connection is down, or requests are being blocked by your firewall")
        observations = [{"Region": r, "IPAddress": hc.ip_address or "127.0.13.37",
                         "StatusReport": {"Status": status + note, "CheckedTime": utcnow()}}
                        for r in (hc.regions or ["us-east-1", "us-west-2", "eu-west-1"])]
        return ActionResult({"HealthCheckObservations": observations})

    def record_healthy(self, rr):
        if rr.health_check_id:
            hc = self.backend.health_checks.get(rr.health_check_id)
            if hc is not None and not effective_healthy(self.current_account, hc):
                return False
        alias = rr.alias_target or {}
        if alias and str(alias.get("EvaluateTargetHealth")).lower() == "true":
            if region_down(region_of_host(alias.get("DNSName"))):
                return False
        return True

    def answer(rr):
        if rr.alias_target:
            return [rr.alias_target.get("DNSName", "").rstrip(".")]
        return [r if isinstance(r, str) else r.get("Value") for r in rr.records or []]

    def test_dns_answer(self):
        zone = self.backend.get_hosted_zone(self._get_param("HostedZoneId"))
        name = (self._get_param("RecordName") or "").rstrip(".").lower()
        rtype = self._get_param("RecordType")
        rrs = [r for r in zone.rrsets
               if r.name.rstrip(".").lower() == name and r.type == rtype]
        code = "NOERROR" if rrs else "NXDOMAIN"
        failover = {r.failover: r for r in rrs if r.failover}
        if failover:
            primary, secondary = failover.get("PRIMARY"), failover.get("SECONDARY")
            chosen = primary
            if primary is None or (not record_healthy(self, primary) and secondary is not None
                                   and record_healthy(self, secondary)):
                chosen = secondary
            data = answer(chosen) if chosen is not None else []
        else:
            data = [v for r in rrs for v in answer(r)]
        return ActionResult({"Nameserver": "ns-1.awsdns-00.com", "RecordName": name,
                             "RecordType": rtype, "RecordData": data,
                             "ResponseCode": code, "Protocol": "UDP"})

    Route53.get_health_check_status = get_health_check_status
    Route53.test_dns_answer = test_dns_answer


def main(argv: list[str]) -> int:
    import signal

    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")
    disabled = {
        p.strip()
        for p in os.environ.get("PAYDRC_MOTO_DISABLE", "").split(",")
        if p.strip()
    }
    unknown = disabled - set(PATCHES) - {"all"}
    if unknown:
        print(f"moto_ext: unknown patch names {sorted(unknown)}", file=sys.stderr)
        return 2
    applied = apply_patches(disabled)
    print(f"moto_ext: patches applied: {', '.join(applied) or '(none)'}", file=sys.stderr)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    # moto's ThreadedMotoServer, with the drill's control routes and outage in front.
    app = DrillControl(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    print(f"MOTO_PORT={port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def watch_stdin():
        try:
            while sys.stdin.read(4096):
                pass
        except Exception:
            pass
        stop.set()

    if "--no-stdin-watch" not in argv:
        threading.Thread(target=watch_stdin, daemon=True).start()
    stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
