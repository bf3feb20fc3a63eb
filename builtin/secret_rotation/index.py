"""Rotates the master password of an Aurora global database (built into paydrc).

Secrets Manager calls a rotation function four times per rotation, each with the
secret, a version id (`ClientRequestToken`) and a step (Secrets Manager User Guide,
"Lambda rotation functions"):

- createSecret: store a new random password as the version AWSPENDING;
- setSecret: make it the master password of the global database's writer cluster
  (RDS ModifyDBCluster with ApplyImmediately; the password lives in the cluster's
  storage, which every secondary cluster replicates);
- testSecret: wait until the writer has applied it (no pending MasterUserPassword,
  status `available`); when called without a rotation (RotateSecret with
  RotateImmediately false tests the configuration this way) it checks that this
  function can find and describe the writer;
- finishSecret: move AWSCURRENT to the new version.

Single-user rotation through the RDS API needs no SQL driver and no connection to
the database, and it follows the writer: the global cluster names its writer on
every call, so after a failover the password changes where the writer now is.
Between setSecret and finishSecret the database already takes the new password
while AWSCURRENT still holds the old one, so clients that sign in with the secret
(the RDS Data API does, on every call) fail for that window; the schedule's window
should be a quiet hour.

Environment: GLOBAL_CLUSTER_ID, PASSWORD_LENGTH, EXCLUDE_CHARACTERS and
APPLY_TIMEOUT_SECONDS (how long testSecret waits).
"""

import json
import os
import time

import boto3

PENDING = "AWSPENDING"
CURRENT = "AWSCURRENT"


class RotationError(Exception):
    """A step cannot complete: Secrets Manager marks the rotation failed."""


def _config():
    return {
        "global_cluster": os.environ["GLOBAL_CLUSTER_ID"],
        "length": int(os.environ.get("PASSWORD_LENGTH", "32")),
        "exclude": os.environ.get("EXCLUDE_CHARACTERS", "/'\"@"),
        "timeout": float(os.environ.get("APPLY_TIMEOUT_SECONDS", "120")),
    }


def handler(event, context, *, clients=None, sleep=time.sleep, clock=time.monotonic):
    clients = clients or _Clients()
    secret_id = event["SecretId"]
    token = event["ClientRequestToken"]
    step = event["Step"]
    config = _config()
    sm = clients.secretsmanager()

    meta = sm.describe_secret(SecretId=secret_id)
    if not meta.get("RotationEnabled") and step != "testSecret":
        raise RotationError(f"rotation is not enabled on {secret_id}")
    stages = meta.get("VersionIdsToStages", {})
    if token not in stages:
        raise RotationError(f"{token} is not a version of {secret_id}")
    if CURRENT in stages[token] and step != "testSecret":
        return  # an earlier call finished this rotation
    if PENDING not in stages[token]:
        raise RotationError(f"version {token} of {secret_id} is not {PENDING}")

    if step == "createSecret":
        _create(sm, secret_id, token, config)
    elif step == "setSecret":
        _set(sm, clients, secret_id, token, config)
    elif step == "testSecret":
        _test(clients, config, sleep, clock)
    elif step == "finishSecret":
        _finish(sm, secret_id, token, stages)
    else:
        raise RotationError(f"unknown step {step!r}")


class _Clients:
    """boto3 clients; tests pass their own."""

    def secretsmanager(self):
        return boto3.client("secretsmanager")

    def rds(self, region=None):
        return boto3.client("rds", region_name=region) if region else boto3.client("rds")


def _create(sm, secret_id, token, config):
    try:
        sm.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage=PENDING)
        return  # a retried createSecret: the pending password exists
    except sm.exceptions.ResourceNotFoundException:
        pass
    current = json.loads(sm.get_secret_value(SecretId=secret_id, VersionStage=CURRENT)["SecretString"])
    password = sm.get_random_password(
        PasswordLength=config["length"], ExcludeCharacters=config["exclude"], RequireEachIncludedType=True
    )["RandomPassword"]
    current["password"] = password
    sm.put_secret_value(
        SecretId=secret_id, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=[PENDING]
    )


def _writer(clients, config):
    """The writer cluster's region and identifier, read from the global cluster."""
    rds = clients.rds()
    found = rds.describe_global_clusters(GlobalClusterIdentifier=config["global_cluster"])["GlobalClusters"]
    if not found:
        raise RotationError(f"global cluster {config['global_cluster']} not found")
    for member in found[0].get("GlobalClusterMembers", []):
        if member.get("IsWriter"):
            arn = member["DBClusterArn"]  # arn:aws:rds:REGION:ACCOUNT:cluster:ID
            parts = arn.split(":")
            return parts[3], parts[6]
    raise RotationError(f"global cluster {config['global_cluster']} has no writer (a failover in progress?)")


def _set(sm, clients, secret_id, token, config):
    pending = json.loads(sm.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage=PENDING)["SecretString"])
    region, cluster = _writer(clients, config)
    clients.rds(region).modify_db_cluster(
        DBClusterIdentifier=cluster, MasterUserPassword=pending["password"], ApplyImmediately=True
    )


def _test(clients, config, sleep, clock):
    region, cluster = _writer(clients, config)
    rds = clients.rds(region)
    deadline = clock() + config["timeout"]
    while True:
        found = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
        pending = found.get("PendingModifiedValues", {})
        if found.get("Status") == "available" and "MasterUserPassword" not in pending:
            return
        if clock() >= deadline:
            raise RotationError(
                f"cluster {cluster} in {region} has not applied the new password "
                f"(status {found.get('Status')!r}) after {config['timeout']:.0f}s"
            )
        sleep(5)


def _finish(sm, secret_id, token, stages):
    previous = next((v for v, s in stages.items() if CURRENT in s), None)
    sm.update_secret_version_stage(
        SecretId=secret_id, VersionStage=CURRENT, MoveToVersionId=token, RemoveFromVersionId=previous
    )
