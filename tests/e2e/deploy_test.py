#!/usr/bin/env python3
"""End-to-end deploy test: paydrc's Terraform output applied to moto.

Flow (see README.md beside this file):
  1. get the generated directory: $PAYDRC_TF_DIR, else run
     `$PAYDRC_BIN specs/payment.pdr --target terraform -o <tmp>` from the repo root;
  2. copy it to a temp dir and write `zz_moto_override.tf.json`, which points every
     aliased `provider "aws"` of main.tf.json at moto (the generated files stay clean);
  3. start moto with paydrc's extension (moto_ext.py) on 127.0.0.1, free port;
  4. terraform init -plugin-dir (local provider mirror), apply, check with boto3 in
     both regions, `plan -detailed-exitcode` expecting 0 (no changes), destroy.

Skips (with a message) only when `terraform` or moto/boto3 is absent; a missing
generator or provider mirror is a failure.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Whole test stays well under CI's and the brief's 20 minutes.
TOTAL_BUDGET_S = float(os.environ.get("PAYDRC_E2E_BUDGET_S", 17 * 60))
STEP_CAP_S = {"paydrc": 120, "init": 180, "apply": 720, "plan": 300, "unprotect": 300,
              "destroy": 600}

PRIMARY_REGION = "us-east-1"
SECONDARY_REGION = "us-west-2"

# Terraform resource / data / ephemeral type prefix -> provider `endpoints` key.
# Only canonical keys (no aliases: `events`, not `cloudwatchevents`).
ENDPOINT_BY_PREFIX = [
    ("aws_cloudwatch_event_", "events"),
    ("aws_cloudwatch_log_", "logs"),
    ("aws_cloudwatch_", "cloudwatch"),
    ("aws_apigatewayv2_", "apigatewayv2"),
    ("aws_api_gateway_", "apigateway"),
    ("aws_acm_", "acm"),
    ("aws_backup_", "backup"),
    ("aws_dynamodb_", "dynamodb"),
    ("aws_iam_", "iam"),
    ("aws_kms_", "kms"),
    ("aws_lambda_", "lambda"),
    ("aws_rds_", "rds"),
    ("aws_db_", "rds"),
    ("aws_route53_", "route53"),
    ("aws_secretsmanager_", "secretsmanager"),
    ("aws_sns_", "sns"),
    ("aws_sqs_", "sqs"),
    ("aws_ssm_", "ssm"),
    ("aws_s3_", "s3"),
    ("aws_xray_", "xray"),
    ("aws_caller_identity", "sts"),
    ("aws_vpc", "ec2"),
    ("aws_subnet", "ec2"),
    ("aws_internet_gateway", "ec2"),
    ("aws_egress_only_internet_gateway", "ec2"),
    ("aws_eip", "ec2"),
    ("aws_nat_gateway", "ec2"),
    ("aws_route_table", "ec2"),
    ("aws_route", "ec2"),  # after aws_route53_ / aws_route_table
    ("aws_security_group", "ec2"),
    ("aws_network_acl", "ec2"),
    ("aws_default_", "ec2"),
    ("aws_flow_log", "ec2"),
    ("aws_availability_zones", "ec2"),
    ("aws_ec2_", "ec2"),
]
# Needed whatever the resources: STS (account id), and services the provider calls
# behind other resources (ENI cleanup of VPC functions, KMS key lookups, IAM roles).
BASE_ENDPOINTS = {"sts", "iam", "ec2", "kms"}
# Types that make no API call at all.
NO_ENDPOINT = {"aws_partition", "aws_region", "aws_arn", "aws_default_tags",
               "aws_iam_policy_document"}


def endpoint_key(tf_type: str) -> str | None:
    if tf_type in NO_ENDPOINT:
        return None
    for prefix, key in ENDPOINT_BY_PREFIX:
        if tf_type.startswith(prefix):
            return key
    raise KeyError(tf_type)


def provider_blocks(cfg: dict) -> list[dict]:
    blocks = cfg.get("provider", {}).get("aws", [])
    if isinstance(blocks, dict):
        blocks = [blocks]
    return list(blocks)


def used_types(cfg: dict) -> set[str]:
    types = set()
    for section in ("resource", "data", "ephemeral"):
        types.update(cfg.get(section, {}).keys())
    return types


def build_override(cfg: dict, moto_url: str) -> dict:
    """The provider override that points every `provider "aws"` block at moto."""
    keys = set(BASE_ENDPOINTS)
    unknown = []
    for t in sorted(used_types(cfg)):
        try:
            k = endpoint_key(t)
        except KeyError:
            unknown.append(t)
            continue
        if k:
            keys.add(k)
    if unknown:
        raise AssertionError(
            "no moto endpoint mapping for resource types %s: extend "
            "ENDPOINT_BY_PREFIX in tests/e2e/deploy_test.py" % unknown)
    endpoints = {k: moto_url for k in sorted(keys)}
    blocks = provider_blocks(cfg)
    if not blocks:
        blocks = [{}]
    out = []
    for b in blocks:
        o = {}
        if b.get("alias"):
            o["alias"] = b["alias"]
        o.update({
            "access_key": "test",
            "secret_key": "test",
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_requesting_account_id": False,
            "max_retries": 2,
            "endpoints": [endpoints],
        })
        if "s3" in keys:
            o["s3_use_path_style"] = True
        out.append(o)
    override = {"provider": {"aws": out}}
    if cfg.get("terraform", {}).get("backend"):
        # A remote state backend (TERRAFORM_STATE_BUCKET at compile time) would
        # reach real S3: keep state local for the emulator run.
        override["terraform"] = {"backend": {"local": {}}}
    return override


# Arguments that make AWS refuse a delete, and the value that lifts the refusal.
PROTECTION_ARGS = {"deletion_protection": False, "deletion_protection_enabled": False}


def build_unprotect_override(cfg: dict) -> dict:
    """Override that turns off deletion protection wherever main.tf.json turns it on."""
    out: dict = {}
    for rtype, resources in cfg.get("resource", {}).items():
        for name, body in resources.items():
            if not isinstance(body, dict):
                continue
            for arg, off in PROTECTION_ARGS.items():
                if arg in body and body[arg] != off:
                    out.setdefault(rtype, {}).setdefault(name, {})[arg] = off
    return {"resource": out} if out else {}


def find_plugin_dir() -> str | None:
    env = os.environ.get("TF_PLUGIN_DIR")
    if env:
        return env
    home = os.path.expanduser("~")
    roots = ["/opt", "/usr/local/share", "/usr/share",
             os.path.join(home, ".terraform.d"), os.path.join(home, ".local", "share")]
    for root in roots:
        if not os.path.isdir(root):
            continue
        for dirpath, dirnames, _ in os.walk(root):
            if dirpath.count(os.sep) - root.count(os.sep) >= 5:
                dirnames[:] = []
                continue
            if os.path.isdir(os.path.join(dirpath, "registry.terraform.io", "hashicorp", "aws")):
                return dirpath
            dirnames[:] = [d for d in dirnames if not d.startswith(".") or root.endswith(".terraform.d")]
    return None


def have_moto() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


class Deadline:
    def __init__(self, total: float):
        self.end = time.monotonic() + total

    def left(self) -> float:
        return self.end - time.monotonic()

    def timeout(self, step: str) -> float:
        left = self.left()
        if left <= 5:
            raise AssertionError(f"e2e time budget exhausted before step {step}")
        return min(STEP_CAP_S.get(step, 300), left)


def run(cmd, cwd, env, timeout, log_path):
    """Run cmd in its own process group, output to log_path; kill the group on timeout."""
    with open(log_path, "wb") as log:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            return None


def tail(path: str, n: int = 60) -> str:
    try:
        with open(path, "r", errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return ""
    return "".join(lines[-n:])


class MotoProcess:
    """moto + paydrc's extension (moto_ext.py) as a subprocess on 127.0.0.1."""

    def __init__(self, log_path: str):
        self.log_path = log_path
        self.proc = None
        self.url = None

    def start(self, timeout: float = 60):
        env = dict(os.environ)
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        env["MOTO_ACM_VALIDATION_WAIT"] = "0"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "moto_ext.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            env=env, start_new_session=True)
        # read the MOTO_PORT line without blocking forever
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        end = time.monotonic() + timeout
        line = b""
        while time.monotonic() < end and not line.endswith(b"\n"):
            if not sel.select(timeout=max(0.1, end - time.monotonic())):
                break
            ch = self.proc.stdout.read1(1)
            if not ch:
                break
            line += ch
        sel.close()
        m = re.match(rb"MOTO_PORT=(\d+)", line)
        if not m:
            self.stop()
            raise AssertionError("moto did not start: " + tail(self.log_path))
        self.url = f"http://127.0.0.1:{int(m.group(1))}"
        return self.url

    def stop(self):
        if not self.proc:
            return
        try:
            if self.proc.poll() is None:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for f in (self.proc.stdout, getattr(self, "_log", None)):
                try:
                    if f:
                        f.close()
                except OSError:
                    pass
            self.proc = None


TERRAFORM = shutil.which("terraform")


class OverrideFileTest(unittest.TestCase):
    """The override writer alone (no terraform, no moto): fast."""

    CFG = {
        "provider": {"aws": [{"alias": "primary", "region": "us-east-1"},
                             {"alias": "secondary", "region": "us-west-2"}]},
        "resource": {"aws_cloudwatch_event_rule": {"r": {}}, "aws_route53_record": {"r": {}},
                     "aws_route_table": {"r": {}}, "aws_rds_cluster": {"c": {"deletion_protection": True}},
                     "aws_dynamodb_table": {"t": {"deletion_protection_enabled": False}}},
        "ephemeral": {"aws_secretsmanager_random_password": {"p": {}}},
        "data": {"aws_caller_identity": {"c": {}}, "aws_iam_policy_document": {"d": {}}},
    }

    def test_every_alias_gets_credentials_and_endpoints(self):
        o = build_override(self.CFG, "http://127.0.0.1:1")
        blocks = o["provider"]["aws"]
        self.assertEqual([b["alias"] for b in blocks], ["primary", "secondary"])
        for b in blocks:
            self.assertEqual((b["access_key"], b["secret_key"]), ("test", "test"))
            self.assertIs(b["skip_requesting_account_id"], False)
            self.assertEqual(b["max_retries"], 2)
            ep = b["endpoints"][0]
            self.assertLessEqual({"events", "route53", "ec2", "rds", "secretsmanager", "sts"}, set(ep))
            self.assertNotIn("cloudwatchevents", ep)
            self.assertEqual(set(ep.values()), {"http://127.0.0.1:1"})
        self.assertNotIn("terraform", o)

    def test_unknown_resource_type_is_an_error(self):
        with self.assertRaises(AssertionError):
            build_override({"resource": {"aws_made_up_thing": {"x": {}}}}, "http://127.0.0.1:1")

    def test_unprotect_only_what_is_protected(self):
        self.assertEqual(build_unprotect_override(self.CFG),
                         {"resource": {"aws_rds_cluster": {"c": {"deletion_protection": False}}}})


@unittest.skipUnless(TERRAFORM, "terraform is not installed: e2e deploy test skipped")
@unittest.skipUnless(have_moto(), "moto/boto3 are not installed: e2e deploy test skipped")
class DeployToMotoTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.deadline = Deadline(TOTAL_BUDGET_S)
        self.work = tempfile.mkdtemp(prefix="paydrc-e2e-")
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.moto = None
        self.timings: dict[str, float] = {}

    def tearDown(self):
        if self.moto:
            self.moto.stop()
        if os.environ.get("PAYDRC_E2E_KEEP"):
            print(f"\n[e2e] kept work dir {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        if self.timings:
            print("\n[e2e] durations: " + ", ".join(
                f"{k} {v:.1f}s" for k, v in self.timings.items()), file=sys.stderr)

    # -- helpers -----------------------------------------------------------

    def step(self, name, cmd, cwd, env, ok_codes=(0,)):
        log = os.path.join(self.logs, f"{name}.log")
        t0 = time.monotonic()
        rc = run(cmd, cwd, env, self.deadline.timeout(name), log)
        self.timings[name] = time.monotonic() - t0
        if rc is None:
            self.fail(f"{name} timed out after {self.timings[name]:.0f}s\n--- {name} log tail ---\n"
                      f"{tail(log)}\n--- moto log tail ---\n{tail(self.moto_log, 30) if self.moto else ''}")
        if rc not in ok_codes:
            self.fail(f"{name} exited {rc} (expected {ok_codes})\n--- {name} log tail ---\n{tail(log, 120)}")
        return rc

    def generated_dir(self) -> str:
        tf_dir = os.environ.get("PAYDRC_TF_DIR")
        if tf_dir:
            if not os.path.isfile(os.path.join(tf_dir, "main.tf.json")):
                self.fail(f"PAYDRC_TF_DIR={tf_dir} has no main.tf.json")
            return tf_dir
        paydrc = os.environ.get("PAYDRC_BIN")
        if not paydrc or not os.access(paydrc, os.X_OK):
            self.fail("set PAYDRC_TF_DIR (a directory with main.tf.json) or PAYDRC_BIN "
                      f"(the paydrc binary); got PAYDRC_BIN={paydrc!r}")
        out = os.path.join(self.work, "generated")
        env = dict(os.environ)
        for v in ("TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION"):
            env.pop(v, None)
        self.step("paydrc", [paydrc, "specs/payment.pdr", "--target", "terraform", "-o", out],
                  REPO, env)
        if not os.path.isfile(os.path.join(out, "main.tf.json")):
            self.fail(f"paydrc wrote no main.tf.json into {out}")
        return out

    def tf_env(self):
        env = dict(os.environ)
        for v in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
                  "AWS_SHARED_CREDENTIALS_FILE", "TF_CLI_ARGS", "TF_CLI_ARGS_apply",
                  "TF_CLI_ARGS_plan", "TF_CLI_ARGS_destroy", "TF_CLI_ARGS_init",
                  "TF_WORKSPACE", "TF_DATA_DIR"):
            env.pop(v, None)
        env.update({
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": PRIMARY_REGION,
            "AWS_DEFAULT_REGION": PRIMARY_REGION,
            "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
        })
        env.pop("TF_PLUGIN_CACHE_DIR", None)
        # An empty CLI configuration: no user-level provider mirrors or credentials
        # helpers; providers come only from -plugin-dir.
        cli_config = os.path.join(self.work, "terraformrc")
        if not os.path.exists(cli_config):
            open(cli_config, "w").close()
        env["TF_CLI_CONFIG_FILE"] = cli_config
        return env

    def client(self, service, region):
        import boto3
        from botocore.config import Config
        return boto3.client(service, region_name=region, endpoint_url=self.moto.url,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    # -- the test -----------------------------------------------------------

    def test_apply_check_plan_destroy(self):
        plugin_dir = find_plugin_dir()
        if not plugin_dir or not os.path.isdir(
                os.path.join(plugin_dir, "registry.terraform.io", "hashicorp", "aws")):
            self.fail("no local provider mirror: set TF_PLUGIN_DIR to the directory holding "
                      "registry.terraform.io/hashicorp/aws")
        src = self.generated_dir()
        tf = os.path.join(self.work, "tf")
        shutil.copytree(src, tf, ignore=shutil.ignore_patterns(
            ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "zz_*_override.tf.json"))
        with open(os.path.join(tf, "main.tf.json")) as f:
            cfg = json.load(f)
        self.cfg = cfg
        self.env_suffix = (cfg.get("variable", {}).get("environment_suffix", {})
                           .get("default", "dev"))

        self.moto_log = os.path.join(self.logs, "moto.log")
        self.moto = MotoProcess(self.moto_log)
        t0 = time.monotonic()
        url = self.moto.start()
        self.timings["moto start"] = time.monotonic() - t0

        with open(os.path.join(tf, "zz_moto_override.tf.json"), "w") as f:
            json.dump(build_override(cfg, url), f, indent=2)
        self.create_existing_zones()

        env = self.tf_env()
        self.step("init", [TERRAFORM, "init", "-input=false", "-no-color",
                           f"-plugin-dir={plugin_dir}"], tf, env)
        self.step("apply", [TERRAFORM, "apply", "-auto-approve", "-input=false", "-no-color"],
                  tf, env)
        t0 = time.monotonic()
        self.check_resources()
        self.timings["boto3 checks"] = time.monotonic() - t0
        rc = self.step("plan", [TERRAFORM, "plan", "-detailed-exitcode", "-input=false",
                                "-no-color"], tf, env, ok_codes=(0, 2))
        if rc == 2:
            self.fail("post-apply plan is not empty (drift on moto):\n" + self.plan_changes(tf))
        # The generated configuration protects its data tiers (deletion protection on
        # the global cluster, clusters and tables), as it should: lift it the way an
        # operator would, with a configuration change applied before destroy.
        unprotect = build_unprotect_override(cfg)
        if unprotect:
            with open(os.path.join(tf, "zz_moto_teardown_override.tf.json"), "w") as f:
                json.dump(unprotect, f, indent=2)
            self.step("unprotect", [TERRAFORM, "apply", "-auto-approve", "-input=false",
                                    "-no-color"], tf, env)
        self.step("destroy", [TERRAFORM, "destroy", "-auto-approve", "-input=false",
                              "-no-color"], tf, env)
        self.check_destroyed()

    def existing_zones(self) -> list[str]:
        """The zones the configuration looks up rather than creates."""
        zones = self.cfg.get("data", {}).get("aws_route53_zone", {})
        return sorted(z["name"] for z in zones.values() if "name" in z)

    def create_existing_zones(self):
        # paydrc uses an existing, delegated zone by default, as a team would have
        # it before its first deployment: create it the way that team once did.
        r53 = self.client("route53", PRIMARY_REGION)
        for name in self.existing_zones():
            r53.create_hosted_zone(Name=name, CallerReference=f"e2e-{name}")

    def plan_changes(self, tf):
        log = os.path.join(self.logs, "plan.log")
        text = tail(log, 400)
        lines = [l for l in text.splitlines()
                 if re.match(r"\s*(#|[~+-] |-/\+)", l) or "Plan:" in l]
        return "\n".join(lines[:200]) or text

    # -- boto3 checks -------------------------------------------------------

    def check_resources(self):
        env = self.env_suffix
        regions = {"primary": PRIMARY_REGION, "secondary": SECONDARY_REGION}
        cidrs = {"primary": "10.0.0.0/16", "secondary": "10.1.0.0/16"}

        # VPCs and subnets: 3 zones, public + private, inside each region's CIDR.
        for role, region in regions.items():
            ec2 = self.client("ec2", region)
            vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == cidrs[role]]
            self.assertEqual(len(vpcs), 1, f"{role}: one VPC {cidrs[role]} in {region}")
            subnets = ec2.describe_subnets(
                Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
            self.assertGreaterEqual(len(subnets), 6, f"{role}: public+private subnets in 3 zones")
            self.assertEqual(len({s["AvailabilityZone"] for s in subnets}), 3, f"{role}: 3 zones")
            nats = ec2.describe_nat_gateways(
                Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["NatGateways"]
            self.assertGreaterEqual(len([n for n in nats if n["State"] != "deleted"]), 1,
                                    f"{role}: NAT gateway")

        # Aurora global database: writer in the primary region, reader in the secondary.
        rds1 = self.client("rds", PRIMARY_REGION)
        gcs = [g for g in rds1.describe_global_clusters()["GlobalClusters"]
               if g["GlobalClusterIdentifier"] == f"payment-ledger-global-{env}"]
        self.assertEqual(len(gcs), 1, f"global cluster payment-ledger-global-{env}")
        gc = gcs[0]
        self.assertEqual(gc["Engine"], "aurora-mysql")
        self.assertTrue(gc["EngineVersion"].startswith("8.0"), gc["EngineVersion"])
        members = gc["GlobalClusterMembers"]
        self.assertEqual(len(members), 2, members)
        writers = [m for m in members if m["IsWriter"]]
        readers = [m for m in members if not m["IsWriter"]]
        self.assertEqual(len(writers), 1)
        self.assertIn(f":{PRIMARY_REGION}:", writers[0]["DBClusterArn"])
        self.assertIn(f":{SECONDARY_REGION}:", readers[0]["DBClusterArn"])
        self.cluster_endpoints = {}
        for role, region in regions.items():
            rds = self.client("rds", region)
            arn = (writers if role == "primary" else readers)[0]["DBClusterArn"]
            cl = rds.describe_db_clusters(DBClusterIdentifier=arn)["DBClusters"][0]
            self.assertEqual(cl["Engine"], "aurora-mysql")
            self.assertTrue(cl["StorageEncrypted"], f"{role} cluster encrypted")
            self.assertTrue(cl.get("IAMDatabaseAuthenticationEnabled"), f"{role}: IAM auth")
            self.assertEqual(sorted(cl.get("EnabledCloudwatchLogsExports", [])),
                             ["audit", "error", "slowquery"], f"{role}: log exports")
            self.assertNotIn("BacktrackWindow", {k for k, v in cl.items() if v}, "no Backtrack")
            self.assertGreaterEqual(len(cl.get("DBClusterMembers", [])), 1, f"{role}: instances")
            insts = rds.describe_db_instances(
                Filters=[{"Name": "db-cluster-id", "Values": [cl["DBClusterIdentifier"]]}]
            )["DBInstances"]
            self.assertGreaterEqual(len(insts), 1)
            for i in insts:
                self.assertEqual(i["DBInstanceClass"], "db.r5.large")
            self.cluster_endpoints[role] = cl["Endpoint"]

        # DynamoDB global tables: sessions and transactions, replica in the secondary.
        ddb1 = self.client("dynamodb", PRIMARY_REGION)
        ddb2 = self.client("dynamodb", SECONDARY_REGION)
        names1 = ddb1.list_tables()["TableNames"]
        names2 = set(ddb2.list_tables()["TableNames"])
        self.table_names = {}
        for logical in ("sessions", "transactions"):
            matches = [n for n in names1 if logical in n]
            self.assertEqual(len(matches), 1, f"one {logical} table in {PRIMARY_REGION}: {names1}")
            name = matches[0]
            self.table_names[logical] = name
            t = ddb1.describe_table(TableName=name)["Table"]
            self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
            self.assertTrue(t.get("StreamSpecification", {}).get("StreamEnabled"), f"{name}: stream")
            self.assertEqual(t.get("SSEDescription", {}).get("SSEType"), "KMS", f"{name}: SSE KMS")
            replicas = {r["RegionName"]: r["ReplicaStatus"] for r in t.get("Replicas", [])}
            self.assertEqual(replicas.get(SECONDARY_REGION), "ACTIVE", f"{name}: replica {replicas}")
            self.assertIn(name, names2, f"{name}: replica table in {SECONDARY_REGION}")
            for ddb in (ddb1, ddb2):
                pitr = ddb.describe_continuous_backups(TableName=name)[
                    "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
                self.assertEqual(pitr["PointInTimeRecoveryStatus"], "ENABLED", f"{name}: PITR")

        # The payment function in both regions: python3.12+, 1 GB, its environment contract.
        for role, region in regions.items():
            lam = self.client("lambda", region)
            fns = lam.list_functions()["Functions"]
            name = f"payment-processor-{role}-{env}"
            by_name = {f["FunctionName"]: f for f in fns}
            self.assertIn(name, by_name, f"{region}: functions {sorted(by_name)}")
            fn = lam.get_function(FunctionName=name)["Configuration"]
            m = re.fullmatch(r"python3\.(\d+)", fn["Runtime"])
            self.assertTrue(m and int(m.group(1)) >= 12, f"{name}: runtime {fn['Runtime']}")
            self.assertEqual(fn["MemorySize"], 1024, name)
            self.assertEqual(fn.get("TracingConfig", {}).get("Mode"), "Active", f"{name}: X-Ray")
            self.assertTrue(fn.get("VpcConfig", {}).get("SubnetIds"), f"{name}: in the VPC")
            variables = fn.get("Environment", {}).get("Variables", {})
            for var in ("SESSIONS_TABLE", "TRANSACTIONS_TABLE", "EVENT_BUS_NAME", "ENVIRONMENT_SUFFIX"):
                self.assertIn(var, variables, f"{name}: environment")
            self.assertEqual(variables["SESSIONS_TABLE"], self.table_names["sessions"])
            self.assertEqual(variables["TRANSACTIONS_TABLE"], self.table_names["transactions"])

        # Route 53: failover records for the API with health checks (30 s, 3 failures).
        # The zone is the existing one (paydrc creates none); the name is the
        # environment's own: prod answers on the plain name (the spec's
        # plain_name_environments), every other environment on api-<env>.
        r53 = self.client("route53", PRIMARY_REGION)
        self.assertEqual(self.existing_zones(), ["payments.example.com"])
        zones = [z for z in r53.list_hosted_zones()["HostedZones"]
                 if z["Name"] == "payments.example.com."]
        self.assertEqual(len(zones), 1, "hosted zone payments.example.com, and no second one")
        api_name = "api.payments.example.com" if env == "prod" else f"api-{env}.payments.example.com"
        for region in regions.values():
            domains = [d["DomainName"] for d in self.client("apigatewayv2", region).get_domain_names()["Items"]]
            self.assertEqual(domains, [api_name], f"{region}: API custom domain")
        rrs = r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        failover = {r["Failover"]: r for r in rrs if r.get("Failover")}
        self.assertEqual(set(failover), {"PRIMARY", "SECONDARY"}, f"failover records {rrs}")
        for r in failover.values():
            self.assertEqual(r["Name"], api_name + ".")
            self.assertNotIn("lambda-url", json.dumps(r), "no record points at a function URL")
            self.assertTrue(r.get("HealthCheckId"), f"{r['Failover']}: health check")
            hc = r53.get_health_check(HealthCheckId=r["HealthCheckId"])["HealthCheck"]
            hcc = hc["HealthCheckConfig"]
            self.assertEqual(hcc.get("RequestInterval"), 30)
            self.assertEqual(hcc.get("FailureThreshold"), 3)

        # EventBridge: a bus in each region, a primary rule forwarding to the secondary bus.
        buses = {}
        for role, region in regions.items():
            ev = self.client("events", region)
            custom = [b for b in ev.list_event_buses()["EventBuses"] if b["Name"] != "default"]
            self.assertTrue(custom, f"{region}: custom event bus")
            buses[role] = custom
        ev1 = self.client("events", PRIMARY_REGION)
        forward = []
        for bus in buses["primary"]:
            for rule in ev1.list_rules(EventBusName=bus["Name"])["Rules"]:
                for tgt in ev1.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus["Name"])["Targets"]:
                    if f":events:{SECONDARY_REGION}:" in tgt["Arn"] and ":event-bus/" in tgt["Arn"]:
                        forward.append(tgt)
                        self.assertTrue(tgt.get("RoleArn"), "cross-region target needs a role")
                        # Undelivered events wait in a queue instead of being dropped.
                        self.assertIn(":sqs:", tgt.get("DeadLetterConfig", {}).get("Arn", ""), tgt)
                        self.assertEqual(tgt.get("RetryPolicy", {}).get("MaximumRetryAttempts"), 185, tgt)
        self.assertTrue(forward, "a rule forwarding primary events to the secondary bus")

        # AWS Backup: vaults in both regions, daily plan 03:00 UTC, 7 days, copy to secondary.
        vault_arns = {}
        for role, region in regions.items():
            vaults = self.client("backup", region).list_backup_vaults()["BackupVaultList"]
            self.assertTrue(vaults, f"{region}: backup vault")
            vault_arns[role] = {v["BackupVaultArn"] for v in vaults}
        bk1 = self.client("backup", PRIMARY_REGION)
        plans = bk1.list_backup_plans()["BackupPlansList"]
        self.assertTrue(plans, "backup plan")
        rules = []
        for p in plans:
            rules += bk1.get_backup_plan(BackupPlanId=p["BackupPlanId"])["BackupPlan"]["Rules"]
        daily = [r for r in rules if r.get("ScheduleExpression") == "cron(0 3 * * ? *)"]
        self.assertTrue(daily, f"daily 03:00 UTC rule: {rules}")
        r = daily[0]
        self.assertEqual(r.get("Lifecycle", {}).get("DeleteAfterDays"), 7)
        copies = [c["DestinationBackupVaultArn"] for c in r.get("CopyActions", [])]
        self.assertTrue(any(a in vault_arns["secondary"] for a in copies), f"copy to secondary: {copies}")
        # A plan and a tag selection in every region that can hold the writer: after a
        # failover the new writer's region keeps backing it up. Vaults are locked.
        for role, region in regions.items():
            bk = self.client("backup", region)
            regional = bk.list_backup_plans()["BackupPlansList"]
            self.assertTrue(regional, f"{region}: backup plan")
            sels = []
            for p in regional:
                sels += bk.list_backup_selections(BackupPlanId=p["BackupPlanId"])["BackupSelectionsList"]
            self.assertTrue(sels, f"{region}: backup selection")
            sel = bk.get_backup_selection(BackupPlanId=sels[0]["BackupPlanId"],
                                          SelectionId=sels[0]["SelectionId"])["BackupSelection"]
            self.assertTrue(sel.get("ListOfTags"), f"{region}: selection by tag: {sel}")
            for v in bk.list_backup_vaults()["BackupVaultList"]:
                self.assertTrue(v.get("Locked"), f"{region}: vault lock: {v}")

        # CloudWatch: alarms wired to SNS, dashboards per region.
        alarms = []
        for role, region in regions.items():
            cw = self.client("cloudwatch", region)
            alarms += cw.describe_alarms()["MetricAlarms"]
            dashes = {d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]}
            self.assertIn(f"payment-{role}-{env}", dashes, f"{region}: dashboard")
        names = {a["AlarmName"]: a for a in alarms}
        self.assertIn(f"payment-replication-lag-secondary-{env}", names, sorted(names))
        lag = names[f"payment-replication-lag-secondary-{env}"]
        # AuroraGlobalDBReplicationLag is in milliseconds.
        self.assertIn(lag["Threshold"], (60.0, 60000.0))
        # An Aurora secondary that stops reporting its lag is the failure to page on.
        self.assertEqual(lag["TreatMissingData"], "breaching")

        def metrics(a):
            """(namespace, metric) pairs of an alarm, plain or metric math."""
            if a.get("MetricName"):
                yield a.get("Namespace"), a["MetricName"]
            for q in a.get("Metrics") or []:
                m = (q.get("MetricStat") or {}).get("Metric") or {}
                if m.get("MetricName"):
                    yield m.get("Namespace"), m["MetricName"]

        self.assertTrue(any(("AWS/Lambda", "Errors") in set(metrics(a)) for a in alarms),
                        "function errors alarm")
        self.assertTrue(any(ns == "AWS/DynamoDB" and "Throttle" in name
                            for a in alarms for ns, name in metrics(a)), "DynamoDB throttle alarms")
        for a in alarms:
            self.assertTrue(a.get("AlarmActions"), f"{a['AlarmName']}: wired to SNS")
        # DynamoDB lag: one per (sending, receiving) pair per table, in the sending
        # region. DynamoDB publishes ReplicationLatency only while items replicate,
        # so missing data keeps the alarm's state (Aurora's lag alarm breaches).
        lag = [a for a in alarms if ("AWS/DynamoDB", "ReplicationLatency") in set(metrics(a))]
        self.assertEqual(len(lag), 4, sorted(a["AlarmName"] for a in lag))
        for a in lag:
            self.assertEqual(a["TreatMissingData"], "ignore", a["AlarmName"])
            receiving = {d["Name"]: d["Value"] for d in a["Dimensions"]}["ReceivingRegion"]
            self.assertNotIn(receiving, a["AlarmArn"], f"{a['AlarmName']}: placed in the sending region")
        # Route 53 health checks: alarms in us-east-1, where the metric lives.
        health = [a for a in alarms if ("AWS/Route53", "HealthCheckStatus") in set(metrics(a))]
        self.assertEqual(len(health), 2)
        for a in health:
            self.assertIn(":us-east-1:", a["AlarmArn"])
        # The API's server errors, per region.
        self.assertEqual(sum(("AWS/ApiGateway", "5xx") in set(metrics(a)) for a in alarms), 2)
        # Each region's alarm topic pages the spec's destinations.
        for role, region in regions.items():
            subs = self.client("sns", region).list_subscriptions()["Subscriptions"]
            self.assertEqual(sorted(s["Protocol"] for s in subs), ["email", "https"], region)

        # SSM parameters.
        ssm = self.client("ssm", PRIMARY_REGION)
        params = {}
        for p in ("db/primary/endpoint", "db/secondary/endpoint", "db/dynamodb/table"):
            name = f"/payment/{env}/{p}"
            params[p] = ssm.get_parameter(Name=name)["Parameter"]["Value"]
        self.assertEqual(params["db/primary/endpoint"], self.cluster_endpoints["primary"])
        self.assertEqual(params["db/secondary/endpoint"], self.cluster_endpoints["secondary"])
        self.assertEqual(params["db/dynamodb/table"], self.table_names["sessions"])

    def check_destroyed(self):
        # The existing zone is someone else's (every environment shares it): destroy
        # leaves it, with none of this deployment's records.
        r53 = self.client("route53", PRIMARY_REGION)
        zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == "payments.example.com."]
        self.assertEqual(len(zones), 1, "the existing zone outlives destroy")
        left = r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        self.assertEqual(sorted(r["Type"] for r in left), ["NS", "SOA"], f"records left behind: {left}")
        rds1 = self.client("rds", PRIMARY_REGION)
        self.assertEqual(rds1.describe_global_clusters()["GlobalClusters"], [], "global cluster destroyed")
        for region in (PRIMARY_REGION, SECONDARY_REGION):
            self.assertEqual(self.client("rds", region).describe_db_clusters()["DBClusters"], [])
            self.assertEqual(self.client("dynamodb", region).list_tables()["TableNames"], [])
            self.assertEqual(self.client("lambda", region).list_functions()["Functions"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
