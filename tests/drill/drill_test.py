#!/usr/bin/env python3
"""The region-outage drill (issue 11, item 3): paydrc's runbook executed against the
emulator while the primary region is down.

Two test classes:

- StepRunnerTest (seconds): the runbook step runner (steps.py) with the real AWS CLI
  against moto_ext: a promotion step as the runbook writes it and its verification pass during an outage,
  and the same step broken on purpose (wrong global cluster identifier, the lost
  region, a wrong expectation, an undeclared variable, placeholder text) fails the
  runner. This is the "test of the test": a wrong runbook fails the drill.
- RegionOutageDrillTest (minutes): compile specs/payment.pdr for Terraform (one root per region stage),
  apply every root to moto_ext, take the primary region down (emulator control AND the
  primary provider's endpoints pointed at a closed local port in the overrides), run
  the runbook's region_outage scenario (`paydrc runbook --format json`), assert the
  writer moved, DNS answers the secondary, the secondary region's roots plan and apply,
  and no plan touches an rds/dynamodb/route53 resource; bring the primary back, run the
  failback scenario, assert every root plans empty. The payment path runs
  lambda/index.py's handler in-process with the secondary function's deployed
  environment (see PaymentPath for exactly what it checks).

A missing tool (terraform, the AWS CLI, moto, the provider mirror) fails the drill
rather than skipping it: a drill that can be skipped proves nothing in CI.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

import steps  # noqa: E402
import tfroots  # noqa: E402
from deploy_test import MotoProcess, build_override, find_plugin_dir, have_moto, run, tail  # noqa: E402
from moto_ext_test import EAST, WEST, EmulatorCase, control  # noqa: E402

ENV_SUFFIX = "dev"
TERRAFORM = shutil.which("terraform")
AWS_CLI = shutil.which("aws")
TOTAL_BUDGET_S = float(os.environ.get("PAYDRC_DRILL_BUDGET_S", 22 * 60))
# Resource types whose change after a failover would undo or damage it.
DATA_AND_DNS_PREFIXES = ("aws_rds_", "aws_db_", "aws_dynamodb_", "aws_route53_")


def require(ok, why: str):
    """A test class that fails, not skips, without a tool it needs."""
    def wrap(cls):
        base = cls.setUp

        def set_up(self):
            self.assertTrue(ok, why)
            base(self)
        cls.setUp = set_up
        return cls
    return wrap


def set_region_down(url: str, region: str, down: bool):
    status, state = control(url, "outage", {"region": region, "down": down})
    assert status == 200 and (region in state["down"]) == down, state


def touches_data_or_dns(address: str) -> bool:
    """Whether a plan's resource address (`module.m.aws_rds_cluster.x["k"]`) is a
    database, table or DNS resource."""
    rtype = next((p for p in address.split("[")[0].split(".") if p.startswith("aws_")), "")
    return rtype.startswith(DATA_AND_DNS_PREFIXES)


def undoes_failover(address: str, actions: list[str]) -> bool:
    """Whether a planned change, once the primary is back, would undo or damage the
    failover: any change to a database or table, or a DNS resource replaced or
    removed. An in-place update of a failover record is the role swap the spec got
    during the outage, which could not reach Route 53's API then; the failback's
    first steps apply it and check that DNS still answers the secondary."""
    if not touches_data_or_dns(address):
        return False
    rtype = next((p for p in address.split("[")[0].split(".") if p.startswith("aws_")), "")
    return not (rtype == "aws_route53_record" and actions == ["update"])


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once, which is
    how the primary's API endpoints look to Terraform during the drill."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def boto(service, region, url):
    import boto3
    from botocore.config import Config
    return boto3.client(service, region_name=region, endpoint_url=url,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def make_global_cluster(url: str, name: str) -> dict[str, str]:
    arns = {}
    boto("rds", EAST, url).create_global_cluster(
        GlobalClusterIdentifier=name, Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.10.0")
    for role, region in (("primary", EAST), ("secondary", WEST)):
        arns[role] = boto("rds", region, url).create_db_cluster(
            DBClusterIdentifier=f"payment-ledger-{role}-{ENV_SUFFIX}", Engine="aurora-mysql",
            EngineVersion="8.0.mysql_aurora.3.10.0", GlobalClusterIdentifier=name,
            MasterUsername="admin", MasterUserPassword="password123")["DBCluster"]["DBClusterArn"]
    return arns


def writer_arn(url: str, name: str, region: str = WEST) -> str:
    gc = boto("rds", region, url).describe_global_clusters(GlobalClusterIdentifier=name)["GlobalClusters"][0]
    return next(m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"])


# A promotion step as `paydrc runbook --format json` writes it.
GLOBAL_ID = f"payment-ledger-global-{ENV_SUFFIX}"
PROMOTE = {
    "id": "promote_ledger", "title": "Promote the secondary ledger", "kind": "command",
    "does": "fails the global database over to the secondary region, accepting data loss",
    "command": (f"aws rds failover-global-cluster --region {WEST} --global-cluster-identifier {GLOBAL_ID} "
                "--target-db-cluster-identifier \"$LEDGER_SECONDARY_ARN\" --allow-data-loss"),
    "verify": {"command": (f"aws rds describe-global-clusters --region {WEST} --global-cluster-identifier "
                           f"{GLOBAL_ID} --query 'GlobalClusters[0].GlobalClusterMembers[?IsWriter]"
                           ".DBClusterArn | [0]' --output text"),
               "expect": "$LEDGER_SECONDARY_ARN"},
    "duration_seconds": 60, "budget_term": "data tier promotion",
}
RUNBOOK_VARIABLES = [
    {"name": "LEDGER_SECONDARY_ARN", "description": "secondary ledger cluster",
     "terraform": {"root": "secondary", "output": "ledger_secondary_cluster_arn"}},
    {"name": "TF_DIR", "description": "directory paydrc wrote the Terraform roots to", "operator": True},
]


@require(have_moto(), "moto/boto3 are not installed (tools/setup.sh installs them)")
@require(AWS_CLI, "the AWS CLI is not installed (tools/setup.sh installs Debian's awscli)")
class StepRunnerTest(EmulatorCase):
    """The runner with the real AWS CLI against moto_ext, on a promotion step as the runbook writes it."""

    prefix = "paydrc-drill-steps-"

    def setUp(self):
        self.reset()
        self.arns = make_global_cluster(self.url, GLOBAL_ID)
        outputs = {"secondary": {"ledger_secondary_cluster_arn": self.arns["secondary"]}}
        runbook = {"variables": RUNBOOK_VARIABLES}
        self.variables = steps.resolve_variables(runbook, outputs.__getitem__, {"TF_DIR": self.work})
        self.log = []
        env = steps.aws_cli_env(self.url, shim_dir=os.path.join(self.work, "bin"))
        self.runner = steps.StepRunner(env, self.variables,
                                       declared={v["name"] for v in RUNBOOK_VARIABLES},
                                       timeout=120, log=self.log.append)
        set_region_down(self.url, EAST, True)

    def broken(self, **changes):
        step = json.loads(json.dumps(PROMOTE))
        for key, value in changes.items():
            if key == "verify_expect":
                step["verify"]["expect"] = value
            else:
                step[key] = value
        return step

    def assertStepFails(self, step, why):
        with self.assertRaises(steps.StepFailed, msg=why) as cm:
            self.runner.run_step("region_outage", step)
        self.assertEqual(writer_arn(self.url, GLOBAL_ID), self.arns["primary"],
                         f"{why}: a failed step must leave the writer where it was")
        return str(cm.exception)

    def test_contract_example_promotes_during_the_outage(self):
        [result] = self.runner.run_scenario({"id": "region_outage", "steps": [PROMOTE]})
        self.assertTrue(result.executed)
        self.assertEqual(result.notes, [f"verified: {self.arns['secondary']}"])
        self.assertEqual(writer_arn(self.url, GLOBAL_ID), self.arns["secondary"])

    def test_wrong_cluster_identifier_fails(self):
        cmd = PROMOTE["command"].replace(GLOBAL_ID, GLOBAL_ID.replace("-dev", "-prod"))
        msg = self.assertStepFails(self.broken(command=cmd), "wrong global cluster id")
        self.assertIn("GlobalClusterNotFoundFault", msg)

    def test_lost_region_fails(self):
        cmd = PROMOTE["command"].replace(f"--region {WEST}", f"--region {EAST}")
        msg = self.assertStepFails(self.broken(command=cmd), "promotion through the lost region")
        self.assertIn("ServiceUnavailable", msg)

    def test_switchover_instead_of_failover_fails(self):
        cmd = PROMOTE["command"].replace(" --allow-data-loss", "")
        msg = self.assertStepFails(self.broken(command=cmd), "switchover while the primary is down")
        self.assertIn("InvalidGlobalClusterStateFault", msg)

    def test_wrong_expectation_fails(self):
        self.runner.variables["LEDGER_PRIMARY_ARN"] = self.arns["primary"]
        self.runner.declared.add("LEDGER_PRIMARY_ARN")
        step = self.broken(verify_expect="$LEDGER_PRIMARY_ARN")
        with self.assertRaises(steps.StepFailed) as cm:
            self.runner.run_step("region_outage", step)
        self.assertIn("verify expected", str(cm.exception))

    def test_undeclared_variable_and_placeholder_fail_before_running(self):
        cmd = PROMOTE["command"].replace("$LEDGER_SECONDARY_ARN", "$LEDGER_ARN")
        self.assertIn("undeclared", self.assertStepFails(self.broken(command=cmd), "undeclared"))
        cmd = PROMOTE["command"].replace("\"$LEDGER_SECONDARY_ARN\"", "<arn of payment-ledger-secondary-dev>")
        self.assertIn("placeholder", self.assertStepFails(self.broken(command=cmd), "placeholder"))
        self.assertFalse(self.log, "nothing ran")


class SpecEditTest(unittest.TestCase):
    SPEC = ("system payment {\n  database ledger {\n    kind = aurora_global\n    writer = primary\n"
            "    readers = [secondary]\n  }\n  table sessions {\n    replicas = [primary]\n  }\n}\n")

    def test_adds_then_replaces_an_attribute_inside_the_block(self):
        once = steps.set_spec_attribute(self.SPEC, "database ledger", "promoted", "secondary")
        self.assertIn("    readers = [secondary]\n    promoted = secondary\n  }\n  table sessions", once)
        twice = steps.set_spec_attribute(once, "database ledger", "promoted", "primary")
        self.assertEqual(twice.count("promoted"), 1)
        self.assertIn("    promoted = primary\n", twice)
        self.assertIn('name = "a b"', steps.set_spec_attribute(self.SPEC, "table sessions", "name", "a b"))
        self.assertEqual(steps.set_spec_attribute(once, "database ledger", "promoted", None), self.SPEC)

    def test_missing_block_fails(self):
        with self.assertRaises(steps.StepFailed):
            steps.set_spec_attribute(self.SPEC, "database books", "promoted", "secondary")


class DrillPartsTest(unittest.TestCase):
    """The full drill's pieces that need no emulator: overrides during an outage and
    what counts as undoing a failover."""

    MANIFEST = {"format": 1, "roots": [
        {"dir": "primary", "region": "primary", "aws_region": EAST, "providers": ["primary"]},
        {"dir": "secondary", "region": "secondary", "aws_region": WEST, "providers": ["secondary"]},
        {"dir": "secondary-failover", "region": "secondary", "aws_region": WEST,
         "providers": ["primary", "secondary"]}]}

    def test_down_region_providers_point_at_a_closed_port(self):
        with tempfile.TemporaryDirectory() as tmp:
            generated = os.path.join(tmp, "generated")
            for root in self.MANIFEST["roots"]:
                os.makedirs(os.path.join(generated, root["dir"]))
                cfg = {"provider": {"aws": [{"alias": p, "region": EAST if p == "primary" else WEST}
                                            for p in root["providers"]]},
                       "resource": {"aws_rds_cluster": {"c": {}}}}
                with open(os.path.join(generated, root["dir"], "main.tf.json"), "w") as f:
                    json.dump(cfg, f)
            roots = Roots(tmp, "http://127.0.0.1:1", generated, self.MANIFEST)
            roots.down.add("primary")
            roots.write_overrides()
            self.assertEqual([r["dir"] for r in roots.roots() if roots.reachable(r)], ["secondary"])
            for root in roots.roots():
                with open(os.path.join(roots.path(root), "zz_moto_override.tf.json")) as f:
                    blocks = json.load(f)["provider"]["aws"]
                for block in blocks:
                    urls = set(block["endpoints"][0].values())
                    self.assertEqual(len(urls), 1)
                    if block["alias"] == "primary":
                        self.assertNotEqual(urls, {"http://127.0.0.1:1"}, root["dir"])
                    else:
                        self.assertEqual(urls, {"http://127.0.0.1:1"}, root["dir"])

    def test_data_and_dns_addresses(self):
        self.assertTrue(touches_data_or_dns('module.m.aws_rds_cluster.ledger_secondary'))
        self.assertTrue(touches_data_or_dns('aws_route53_record.api_validation["api-dev"]'))
        self.assertTrue(touches_data_or_dns("aws_dynamodb_table.sessions"))
        self.assertFalse(touches_data_or_dns("aws_lambda_function.processor_secondary"))
        self.assertFalse(touches_data_or_dns("aws_route_table.private"))

    def test_what_undoes_a_failover(self):
        self.assertTrue(undoes_failover("aws_rds_global_cluster.ledger", ["update"]))
        self.assertTrue(undoes_failover("aws_rds_cluster.ledger_primary", ["delete", "create"]))
        self.assertTrue(undoes_failover("aws_route53_record.api_secondary", ["delete", "create"]))
        self.assertTrue(undoes_failover("aws_route53_health_check.api_primary", ["update"]))
        self.assertFalse(undoes_failover("aws_route53_record.api_secondary", ["update"]))
        self.assertFalse(undoes_failover("aws_lambda_function.processor_primary", ["update"]))


# ---------------------------------------------------------------------------
# The full drill
# ---------------------------------------------------------------------------


def paydrc_bin() -> str:
    path = os.environ.get("PAYDRC_BIN")
    if not path or not os.access(path, os.X_OK):
        raise AssertionError(f"set PAYDRC_BIN to the paydrc binary (got {path!r})")
    return path


def compile_terraform(spec: str, out: str, cwd: str = REPO):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")}
    proc = subprocess.run([paydrc_bin(), spec, "--target", "terraform", "-o", out], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"paydrc {spec} --target terraform failed:\n{proc.stderr}")


def load_manifest(out: str) -> dict:
    """The Terraform output's manifest.json (roots in apply order)."""
    path = os.path.join(out, "manifest.json")
    if not os.path.isfile(path):
        raise AssertionError("the Terraform output has no manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    if manifest.get("format") != 1 or not manifest.get("roots"):
        raise AssertionError(f"manifest.json is not format 1: {manifest}")
    return manifest


def fetch_runbook(spec: str, cwd: str = REPO) -> dict:
    """`paydrc runbook SPEC --format json --target terraform` , or
    the JSON file named by PAYDRC_DRILL_RUNBOOK (to try a runbook before it is built in)."""
    if os.environ.get("PAYDRC_DRILL_RUNBOOK"):
        with open(os.environ["PAYDRC_DRILL_RUNBOOK"]) as f:
            return json.load(f)
    proc = subprocess.run([paydrc_bin(), "runbook", spec, "--format", "json", "--target", "terraform"],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"`paydrc runbook --format json` failed: {proc.stderr.strip()[:300]}")
    runbook = json.loads(proc.stdout)
    if runbook.get("format") != 1:
        raise AssertionError(f"runbook JSON is not format 1: {str(runbook)[:300]}")
    return runbook


class Roots:
    """The compiled roots copied into the drill's work dir, with the emulator overrides.

    Every `provider "aws"` alias of a root points at moto, except aliases of a region
    that is down, which point at a closed local port (the issue: "point that provider's
    endpoints at a closed local port")."""

    def __init__(self, work: str, moto_url: str, generated: str, manifest: dict):
        self.moto_url = moto_url
        self.dir = os.path.join(work, "tf")
        shutil.copytree(generated, self.dir)
        self.manifest = manifest
        self.aws_region = {r["region"]: r["aws_region"] for r in manifest["roots"]}
        self.down: set[str] = set()

    def roots(self, region: str | None = None) -> list[dict]:
        return [r for r in self.manifest["roots"] if region is None or r["region"] == region]

    def path(self, root: dict | str) -> str:
        return os.path.join(self.dir, root if isinstance(root, str) else root["dir"])

    def config(self, root) -> dict:
        with open(os.path.join(self.path(root), "main.tf.json")) as f:
            return json.load(f)

    def write_overrides(self):
        dead = f"http://127.0.0.1:{closed_port()}"
        for root in self.roots():
            override = build_override(self.config(root), self.moto_url)
            for block in override["provider"]["aws"]:
                if block.get("alias") in self.down:
                    block["endpoints"] = [{k: dead for k in block["endpoints"][0]}]
                    block["max_retries"] = 1
            with open(os.path.join(self.path(root), "zz_moto_override.tf.json"), "w") as f:
                json.dump(override, f, indent=2)

    def reachable(self, root: dict) -> bool:
        return not (set(root.get("providers", [])) & self.down)

    def refresh_from(self, generated: str):
        """After a spec_edit recompile: new configuration, same state and overrides."""
        for root in self.roots():
            shutil.copy2(os.path.join(generated, root["dir"], "main.tf.json"),
                         os.path.join(self.path(root), "main.tf.json"))


class PaymentPath:
    """lambda/index.py's handler run in this process with the secondary function's
    deployed environment (GetFunctionConfiguration in moto) and boto3 pointed at the
    emulator (AWS_ENDPOINT_URL).

    What it checks: a POST /payments answered 201 whose transaction_id appears among
    the parameters of an RDS Data API ExecuteStatement that moto_ext recorded for the
    promoted cluster's ARN (with the secret and HTTP endpoint checks moto_ext applies).
    Not checked: the SQL itself (moto runs none), rows, or replication between regions.
    Before promotion the same send must not leave any such statement (the Data API
    refuses a secondary without a writer) and must not be answered 201."""

    SOURCE = os.environ.get("PAYDRC_DRILL_LAMBDA_SOURCE") or os.path.join(REPO, "lambda", "index.py")

    def __init__(self, url: str, function_name: str, region: str):
        cfg = boto("lambda", region, url).get_function_configuration(FunctionName=function_name)
        self.url, self.region = url, region
        self.environment = dict(cfg.get("Environment", {}).get("Variables", {}))

    def send(self, amount="42.00") -> tuple[dict, str]:
        """(the handler's response, the payment's transaction id)."""
        key = f"drill-{uuid.uuid4()}"
        env = {**self.environment, "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
               "AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "test",
               "AWS_SECRET_ACCESS_KEY": "test", "AWS_MAX_ATTEMPTS": "1"}
        spec = importlib.util.spec_from_file_location(f"paydrc_drill_index_{uuid.uuid4().hex}",
                                                      self.SOURCE)
        module = importlib.util.module_from_spec(spec)
        sys.dont_write_bytecode = True
        with mock.patch.dict(os.environ, env):
            spec.loader.exec_module(module)
            event = {"version": "2.0", "rawPath": "/payments", "headers": {"idempotency-key": key},
                     "requestContext": {"http": {"method": "POST", "path": "/payments"}},
                     "body": json.dumps({"amount": amount, "currency": "USD", "session_id": "drill"}),
                     "isBase64Encoded": False}
            response = module.handler(event, None)
        # the id the function derives from the idempotency key (lambda/index.py)
        return response, str(uuid.uuid5(module.TRANSACTION_NAMESPACE, key))

    def ledger_statements_mentioning(self, text: str, cluster_arn: str | None = None) -> list[dict]:
        path = "data-api/statements" + (f"?resourceArn={cluster_arn}" if cluster_arn else "")
        found = []
        for stmts in control(self.url, path)[1]["statements"].values():
            found += [s for s in stmts if text in json.dumps(s["parameters"])]
        return found


def function_writes_ledger(source: str) -> None:
    with open(source) as f:
        if "LEDGER_CLUSTER_ARN" not in f.read():
            raise AssertionError("lambda/index.py does not write the ledger through the Data API")


@require(have_moto(), "moto/boto3 are not installed (tools/setup.sh installs them)")
class PaymentPathTest(EmulatorCase):
    """PaymentPath against a hand-made deployment in moto_ext (what Terraform would
    create, minus what the function does not call): the ledger write fails on the
    unpromoted secondary and lands in its Data API record once it is promoted."""

    prefix = "paydrc-drill-payment-"

    def setUp(self):
        function_writes_ledger(PaymentPath.SOURCE)
        self.reset()

    def deploy_secondary_function(self) -> dict[str, str]:
        import io
        import zipfile
        arns = make_global_cluster(self.url, GLOBAL_ID)
        rds = self.client("rds", WEST)
        rds.enable_http_endpoint(ResourceArn=arns["secondary"])
        secret = self.client("secretsmanager", WEST).create_secret(
            Name="payment-ledger-master-dev", SecretString='{"username":"admin","password":"x"}')["ARN"]
        ddb = self.client("dynamodb", WEST)
        for table, key in (("payment-sessions-dev", "session_id"), ("payment-transactions-dev", "transaction_id")):
            ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
        self.client("events", WEST).create_event_bus(Name="payment-payments-dev")
        role = self.client("iam", EAST).create_role(
            RoleName="payment-processor-secondary-dev",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("index.py", "def handler(event, context):\n    return {}\n")
        self.client("lambda", WEST).create_function(
            FunctionName="payment-processor-secondary-dev", Runtime="python3.12", Role=role,
            Handler="index.handler", Code={"ZipFile": code.getvalue()},
            Environment={"Variables": {
                "SESSIONS_TABLE": "payment-sessions-dev", "TRANSACTIONS_TABLE": "payment-transactions-dev",
                "EVENT_BUS_NAME": "payment-payments-dev", "ENVIRONMENT_SUFFIX": "dev",
                "LEDGER_CLUSTER_ARN": arns["secondary"], "LEDGER_SECRET_ARN": secret,
                "LEDGER_DATABASE": "payments", "LEDGER_ENGINE": "aurora-mysql"}})
        return arns

    def test_ledger_write_needs_the_promotion(self):
        arns = self.deploy_secondary_function()
        payments = PaymentPath(self.url, "payment-processor-secondary-dev", WEST)
        self.outage(EAST, True)
        response, txn = payments.send()
        self.assertEqual(response["statusCode"], 503, response)
        self.assertEqual(payments.ledger_statements_mentioning(txn), [])
        self.client("rds", WEST).failover_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=arns["secondary"],
            AllowDataLoss=True)
        response, txn = payments.send()
        self.assertEqual(response["statusCode"], 201, response)
        self.assertEqual(len(payments.ledger_statements_mentioning(txn, arns["secondary"])), 1)
        self.assertEqual(payments.ledger_statements_mentioning(txn, arns["primary"]), [])


@require(TERRAFORM, "terraform is not installed")
@require(AWS_CLI, "the AWS CLI is not installed (tools/setup.sh installs Debian's awscli)")
@require(have_moto(), "moto/boto3 are not installed (tools/setup.sh installs them)")
class RegionOutageDrillTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.end = time.monotonic() + TOTAL_BUDGET_S
        self.work = tempfile.mkdtemp(prefix="paydrc-drill-")
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.moto = None
        self.counter = 0

    def tearDown(self):
        if self.moto:
            self.moto.stop()
        if os.environ.get("PAYDRC_E2E_KEEP"):
            print(f"\n[drill] kept work dir {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------

    def tf_env(self) -> dict:
        env = steps.aws_cli_env(self.moto.url, shim_dir=os.path.join(self.work, "bin"))
        for var in ("TF_CLI_ARGS", "TF_CLI_ARGS_plan", "TF_WORKSPACE", "TF_DATA_DIR",
                    "TF_PLUGIN_CACHE_DIR"):
            env.pop(var, None)
        cli_config = os.path.join(self.work, "terraformrc")
        open(cli_config, "a").close()
        env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
                    "TF_CLI_CONFIG_FILE": cli_config, "TF_CLI_ARGS_apply": "-auto-approve"})
        return env

    def terraform(self, root, *args, ok=(0,)) -> int:
        self.counter += 1
        name = f"{self.counter:02d}-{root['dir']}-{args[0]}"
        log = os.path.join(self.logs, name + ".log")
        left = self.end - time.monotonic()
        if left < 10:
            self.fail(f"drill time budget exhausted before {name}")
        rc = run([TERRAFORM, f"-chdir={self.roots.path(root)}", *args, "-input=false", "-no-color"],
                 self.work, self.tf_env(), min(left, 720), log)
        if rc not in ok:
            self.fail(f"terraform {' '.join(args)} in {root['dir']} exited {rc}:\n{tail(log, 80)}")
        return rc

    def outputs(self, root_dir: str) -> dict:
        proc = subprocess.run([TERRAFORM, f"-chdir={self.roots.path(root_dir)}", "output", "-json"],
                              env=self.tf_env(), capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return {k: v["value"] for k, v in json.loads(proc.stdout).items()}

    def output(self, name: str):
        """A model output from whichever root holds it (exactly one does)."""
        for root in self.roots.roots():
            if name in root.get("outputs", []):
                return self.outputs(root["dir"])[name]
        self.fail(f"no root lists output {name}")

    def planned_changes(self, root) -> list[tuple[str, list[str]]]:
        plan = os.path.join(self.work, f"{root['dir']}.plan")
        self.terraform(root, "plan", f"-out={plan}", "-detailed-exitcode", ok=(0, 2))
        proc = subprocess.run([TERRAFORM, f"-chdir={self.roots.path(root)}", "show", "-json", plan],
                              env=self.tf_env(), capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return [(rc["address"], rc["change"]["actions"])
                for rc in json.loads(proc.stdout).get("resource_changes", [])
                if rc["change"]["actions"] not in (["no-op"], ["read"])]

    def take_primary(self, down: bool):
        set_region_down(self.moto.url, EAST, down)
        (self.roots.down.add if down else self.roots.down.discard)("primary")
        self.roots.write_overrides()

    def recompile(self, edits: list[dict]):
        """spec_edit: the edited copy of the spec, recompiled into the drill's roots."""
        path = os.path.join(self.work, "specs", "payment.pdr")
        with open(path) as f:
            text = f.read()
        for edit in edits:
            for attribute, value in edit["set"].items():
                text = steps.set_spec_attribute(text, edit["block"], attribute, value)
        with open(path, "w") as f:
            f.write(text)
        out = os.path.join(self.work, f"gen-{uuid.uuid4().hex[:8]}")
        compile_terraform(path, out, cwd=self.work)
        self.roots.refresh_from(out)

    def runner(self) -> steps.StepRunner:
        declared = {v["name"] for v in self.runbook["variables"]}
        variables = steps.resolve_variables(self.runbook, self.outputs, {
            "TF_DIR": self.roots.dir,
            "RESTORE_TIME": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 300)),
        })
        env = self.tf_env()
        log_path = os.path.join(self.logs, "runbook.log")

        def log(text):
            with open(log_path, "a") as f:
                f.write(text + "\n")

        return steps.StepRunner(env, variables, declared, recompile=self.recompile, timeout=720, log=log)

    # -- the drill ---------------------------------------------------------------

    def test_region_outage_drill(self):
        spec = os.path.join(self.work, "specs", "payment.pdr")
        os.makedirs(os.path.dirname(spec))
        shutil.copy2(os.path.join(REPO, "specs", "payment.pdr"), spec)
        # The work dir is a project of its own (paydrc's project root is the nearest
        # directory with .git) holding the spec's `source = "../lambda"`: paydrc
        # refuses a function source outside the project, a symlink out of it included.
        shutil.copytree(os.path.join(REPO, "lambda"), os.path.join(self.work, "lambda"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(["git", "init", "-q", self.work], check=True, timeout=60)
        generated = os.path.join(self.work, "generated")
        compile_terraform(spec, generated, cwd=self.work)
        manifest = load_manifest(generated)
        self.runbook = fetch_runbook(spec, cwd=self.work)
        plugin_dir = find_plugin_dir()
        self.assertTrue(plugin_dir, "no local provider mirror: set TF_PLUGIN_DIR")

        self.moto = MotoProcess(os.path.join(self.logs, "moto.log"))
        self.moto.start()
        self.roots = Roots(self.work, self.moto.url, generated, manifest)
        self.roots.write_overrides()
        self.create_existing_zones()
        # The account's bootstrap, which the reference's DR-API-ACCOUNT-ROLE waiver
        # relies on: API Gateway's CloudWatch Logs role in both regions.
        tfroots.bootstrap_api_gateway_account(lambda service, region: boto(service, region, self.moto.url),
                                              (EAST, WEST))
        for root in self.roots.roots():
            self.terraform(root, "init", f"-plugin-dir={plugin_dir}")
            self.terraform(root, "apply")

        global_id = self.output("ledger_global_cluster_id")
        primary_arn = self.output("ledger_primary_cluster_arn")
        secondary_arn = self.output("ledger_secondary_cluster_arn")
        self.assertEqual(writer_arn(self.moto.url, global_id, EAST), primary_arn)
        self.assertEqual(self.dns_answer(), self.output("api_primary_target_domain"))
        payments = PaymentPath(self.moto.url, f"payment-processor-secondary-{ENV_SUFFIX}", WEST)

        # -- the primary region goes away
        self.take_primary(True)
        response, txn = payments.send()
        self.assertNotEqual(response["statusCode"], 201, f"payment before promotion: {response}")
        self.assertEqual(payments.ledger_statements_mentioning(txn), [],
                         "a ledger write before promotion must fail (the secondary has no writer)")

        outage = steps.scenario(self.runbook, "region_outage")
        self.assert_broken_promotion_fails(outage, global_id, primary_arn)
        self.runner().run_scenario(outage)
        self.assertEqual(writer_arn(self.moto.url, global_id, WEST), secondary_arn, "the writer moved")
        self.assertEqual(self.dns_answer(), self.output("api_secondary_target_domain"),
                         "DNS answers the secondary")
        for root in self.roots.roots():
            if self.roots.reachable(root):
                changes = self.planned_changes(root)
                self.assertEqual([c for c in changes if touches_data_or_dns(c[0])], [],
                                 f"{root['dir']}: a plan after the failover must not undo it")
                if root["region"] == "secondary":
                    self.terraform(root, "apply")
        self.assertTrue([r for r in self.roots.roots("secondary") if self.roots.reachable(r)],
                        "the secondary region has roots that plan without the primary")

        response, txn = payments.send()
        self.assertEqual(response["statusCode"], 201, response)
        self.assertEqual(json.loads(response["body"])["transaction_id"], txn)
        self.assertTrue(payments.ledger_statements_mentioning(txn, secondary_arn),
                        f"payment {txn} is not in the promoted ledger's Data API record")

        # -- the primary comes back: its roots must not undo the failover either
        self.take_primary(False)
        for root in self.roots.roots():
            changes = self.planned_changes(root)
            self.assertEqual([c for c in changes if undoes_failover(*c)], [],
                             f"{root['dir']}: a plan with the primary back must not undo the failover")
        # -- failback, then nothing left to change anywhere
        self.runner().run_scenario(steps.scenario(self.runbook, "failback"))
        for root in self.roots.roots():
            self.assertEqual(self.planned_changes(root), [], f"{root['dir']}: plan after failback")

    def assert_broken_promotion_fails(self, outage: dict, global_id: str, primary_arn: str):
        """The test of the test on the real runbook: its promotion step with the global
        cluster's identifier misspelt, then sent to the lost region, must each stop
        the runner and leave the writer in place."""
        promote = [s for s in outage["steps"] if "failover-global-cluster" in (s.get("command") or "")]
        self.assertEqual(len(promote), 1, "one promotion step in region_outage")
        wrong_id = dict(promote[0], command=promote[0]["command"].replace(global_id, global_id + "x"))
        wrong_region = dict(promote[0], command=promote[0]["command"].replace(WEST, EAST))
        self.assertNotEqual(wrong_region["command"], promote[0]["command"], "the step names its region")
        for broken in (wrong_id, wrong_region):
            with self.assertRaises(steps.StepFailed, msg=broken["command"]):
                self.runner().run_step("region_outage", broken)
            self.assertEqual(writer_arn(self.moto.url, global_id, WEST), primary_arn)

    def create_existing_zones(self):
        r53 = boto("route53", EAST, self.moto.url)
        names = set()
        for root in self.roots.roots():
            for z in self.roots.config(root).get("data", {}).get("aws_route53_zone", {}).values():
                if "name" in z:
                    names.add(z["name"])
        for name in sorted(names):
            r53.create_hosted_zone(Name=name, CallerReference=f"drill-{name}")

    def dns_answer(self) -> str:
        """What Route 53 answers for the API name (TestDNSAnswer; moto_ext answers an
        alias record with its target's DNS name)."""
        zone = self.output("api_zone_id")
        name = f"api-{ENV_SUFFIX}.payments.example.com"
        out = boto("route53", EAST, self.moto.url).test_dns_answer(
            HostedZoneId=zone, RecordName=name, RecordType="A")
        self.assertEqual(out["ResponseCode"], "NOERROR", out)
        return ",".join(out["RecordData"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
