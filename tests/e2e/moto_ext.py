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

import os
import sys

PATCHES: dict = {}


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


def main(argv: list[str]) -> int:
    import signal
    import threading

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

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
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
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
