"""The built-in master-password rotation function (builtin/secret_rotation/index.py),
against moto in-process: Secrets Manager's four steps, the writer followed after a
failover, retries, and refusals. Run from the repository root:

    python3 -B -m unittest discover -s tests/builtin -v
"""

import importlib.util
import json
import os
import pathlib
import sys
import unittest
from unittest import mock

import boto3
from moto import mock_aws
from moto.rds.models import rds_backends
from moto.secretsmanager.models import secretsmanager_backends

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
INITIAL = "initial-password-0123456789"


def load_module():
    spec = importlib.util.spec_from_file_location("secret_rotation", ROOT / "builtin/secret_rotation/index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rotation = load_module()

# moto's DescribeGlobalClusters ignores the identifier; the emulator extension the
# deploy test uses answers as AWS does (GlobalClusterNotFoundFault).
sys.path.insert(0, str(ROOT / "tests/e2e"))
import moto_ext  # noqa: E402

moto_ext.PATCHES["rds_describe_global_cluster_by_id"]()
moto_ext.PATCHES["rds_global_failover"]()  # FailoverGlobalCluster, absent from moto


class Clients:
    def __init__(self, home):
        self.home = home
        self.rds_regions = []

    def secretsmanager(self):
        return boto3.client("secretsmanager", region_name=self.home)

    def rds(self, region=None):
        self.rds_regions.append(region or self.home)
        return boto3.client("rds", region_name=region or self.home)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


ENV = {
    "GLOBAL_CLUSTER_ID": "ledger-global",
    "PASSWORD_LENGTH": "32",
    "EXCLUDE_CHARACTERS": "/'\"@",
    "APPLY_TIMEOUT_SECONDS": "60",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@mock_aws
class RotationTest(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ, ENV)
        patcher.start()
        self.addCleanup(patcher.stop)
        east = boto3.client("rds", region_name="us-east-1")
        west = boto3.client("rds", region_name="us-west-2")
        east.create_global_cluster(GlobalClusterIdentifier="ledger-global", Engine="aurora-mysql")
        east.create_db_cluster(
            DBClusterIdentifier="ledger-primary",
            Engine="aurora-mysql",
            MasterUsername="ledger_admin",
            MasterUserPassword="initial-password-0123456789",
            GlobalClusterIdentifier="ledger-global",
        )
        west.create_db_cluster(
            DBClusterIdentifier="ledger-secondary", Engine="aurora-mysql", GlobalClusterIdentifier="ledger-global"
        )
        # moto 5.2.1 does not keep the password CreateDBCluster was given; record it
        # the way ModifyDBCluster does, so the tests can tell old from new.
        self.cluster("us-east-1", "ledger-primary").master_user_password = INITIAL
        self.sm = boto3.client("secretsmanager", region_name="us-east-1")
        self.sm.create_secret(
            Name="payment/ledger/master",
            SecretString=json.dumps({"username": "ledger_admin", "password": "initial-password-0123456789"}),
        )
        # What RotateSecret records (moto would also invoke the function, which needs Docker).
        secret = secretsmanager_backends[ACCOUNT]["us-east-1"].secrets["payment/ledger/master"]
        secret.rotation_requested = secret.rotation_enabled = True
        self.clients = Clients("us-east-1")
        self.clock = FakeClock()

    def cluster(self, region, name):
        return rds_backends[ACCOUNT][region].clusters[name]

    def password(self, region, name):
        return getattr(self.cluster(region, name), "_master_user_password", None)

    def begin(self, token):
        """What Secrets Manager does before it calls createSecret: a new version id
        labelled AWSPENDING, with no value yet (GetSecretValue on it answers
        ResourceNotFoundException)."""
        secret = secretsmanager_backends[ACCOUNT]["us-east-1"].secrets["payment/ledger/master"]
        secret.remove_version_stages_from_old_versions(["AWSPENDING"])
        secret.versions[token] = {"createdate": 0, "version_id": token, "version_stages": ["AWSPENDING"]}
        return token

    def step(self, name, token):
        rotation.handler(
            {"SecretId": "payment/ledger/master", "ClientRequestToken": token, "Step": name},
            None,
            clients=self.clients,
            sleep=self.clock.sleep,
            clock=self.clock,
        )

    def rotate(self, token):
        for name in ("createSecret", "setSecret", "testSecret", "finishSecret"):
            self.step(name, token)

    def secret(self, stage="AWSCURRENT"):
        return json.loads(self.sm.get_secret_value(SecretId="payment/ledger/master", VersionStage=stage)["SecretString"])

    def stages(self):
        return self.sm.describe_secret(SecretId="payment/ledger/master")["VersionIdsToStages"]

    def test_rotation_sets_the_writer_then_moves_current(self):
        token = self.begin("11111111-1111-1111-1111-111111111111")
        self.step("createSecret", token)
        pending = self.secret("AWSPENDING")
        self.assertNotEqual(pending["password"], INITIAL)
        self.assertEqual(len(pending["password"]), 32)
        self.assertFalse(set(pending["password"]) & set("/'\"@"))
        self.assertEqual(pending["username"], "ledger_admin")
        self.assertEqual(self.secret()["password"], INITIAL, "AWSCURRENT moves only in finishSecret")
        self.assertEqual(self.password("us-east-1", "ledger-primary"), INITIAL)
        self.step("setSecret", token)
        self.assertEqual(self.password("us-east-1", "ledger-primary"), pending["password"])
        self.step("testSecret", token)
        self.step("finishSecret", token)
        self.assertEqual(self.secret()["password"], pending["password"])
        self.assertIn("AWSCURRENT", self.stages()[token])
        self.assertEqual(sum("AWSCURRENT" in s for s in self.stages().values()), 1)

    def test_retried_steps_keep_the_same_password(self):
        token = self.begin("22222222-2222-2222-2222-222222222222")
        self.step("createSecret", token)
        first = self.secret("AWSPENDING")["password"]
        self.step("createSecret", token)
        self.assertEqual(self.secret("AWSPENDING")["password"], first)
        self.step("setSecret", token)
        self.step("setSecret", token)
        self.assertEqual(self.password("us-east-1", "ledger-primary"), first)
        self.step("testSecret", token)
        self.step("finishSecret", token)
        self.step("finishSecret", token)  # already current: nothing to do
        self.assertEqual(self.secret()["password"], first)

    def test_after_a_failover_the_new_writer_gets_the_password(self):
        west = boto3.client("rds", region_name="us-west-2")
        west.failover_global_cluster(
            GlobalClusterIdentifier="ledger-global",
            TargetDbClusterIdentifier=self.cluster("us-west-2", "ledger-secondary").arn,
            AllowDataLoss=True,
        )
        token = self.begin("33333333-3333-3333-3333-333333333333")
        self.rotate(token)
        password = self.secret()["password"]
        self.assertEqual(self.password("us-west-2", "ledger-secondary"), password)
        self.assertNotEqual(self.password("us-east-1", "ledger-primary"), password)
        self.assertIn("us-west-2", self.clients.rds_regions)

    def test_a_writer_that_has_not_applied_the_password_fails_the_test_step(self):
        token = self.begin("44444444-4444-4444-4444-444444444444")
        self.step("createSecret", token)
        self.step("setSecret", token)
        self.cluster("us-east-1", "ledger-primary").status = "resetting-master-credentials"
        with self.assertRaisesRegex(rotation.RotationError, "has not applied the new password"):
            self.step("testSecret", token)
        self.assertGreaterEqual(self.clock.now, 60, "it waits APPLY_TIMEOUT_SECONDS before failing")
        self.assertEqual(self.secret()["password"], INITIAL, "AWSCURRENT is untouched")

    def test_a_global_cluster_without_writer_fails_the_set_step(self):
        token = self.begin("55555555-5555-5555-5555-555555555555")
        self.step("createSecret", token)
        with mock.patch.dict(os.environ, {"GLOBAL_CLUSTER_ID": "no-such-global"}):
            with self.assertRaisesRegex(Exception, "GlobalClusterNotFoundFault"):
                self.step("setSecret", token)
        self.cluster("us-east-1", "ledger-primary").is_writer = False  # mid-failover
        with self.assertRaisesRegex(rotation.RotationError, "has no writer"):
            self.step("setSecret", token)
        self.assertEqual(self.password("us-east-1", "ledger-primary"), INITIAL)

    def test_unknown_or_non_pending_versions_are_refused(self):
        with self.assertRaisesRegex(rotation.RotationError, "is not a version"):
            self.step("createSecret", "99999999-9999-9999-9999-999999999999")
        current = next(v for v, s in self.stages().items() if "AWSCURRENT" in s)
        self.step("createSecret", current)  # already current: returns without change
        self.assertEqual(self.secret()["password"], INITIAL)
        token = self.begin("66666666-6666-6666-6666-666666666666")
        with self.assertRaisesRegex(rotation.RotationError, "unknown step"):
            self.step("dropSecret", token)

    def test_rotation_must_be_enabled(self):
        secretsmanager_backends[ACCOUNT]["us-east-1"].secrets["payment/ledger/master"].rotation_enabled = False
        token = self.begin("77777777-7777-7777-7777-777777777777")
        with self.assertRaisesRegex(rotation.RotationError, "not enabled"):
            self.step("createSecret", token)


if __name__ == "__main__":
    unittest.main()
