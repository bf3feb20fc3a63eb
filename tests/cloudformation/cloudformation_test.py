"""CloudFormation backend: goldens, cfn-lint, the manifest's structure, the seed's
components and posture, determinism.

Run by ctest as `python3 cloudformation_test.py --paydrc PATH --root SOURCE_DIR`.
Goldens: golden/cloudformation/<case>/ holds every template and manifest.json
for specs/payment.pdr (case `payment`) and every golden/terraform/<case>.pdr (the
Terraform backend's specs, reused). Rewrite them with PAYDRC_UPDATE_GOLDENS=1 and
review the change as a git diff. The zips are not kept: the manifest names them
by content hash, and the tests check the written zips against it.

The referee is cfn-lint (1.51 here) against the real resource specifications;
without `cfn-lint` on PATH those tests skip and say why. moto's CloudFormation
is not a deploy target (it stubs RDS, global tables, backup and alarms), so the
deployability argument rests on cfn-lint and the manifest tests below.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ARGS = None
# Variables that change the output on purpose; each test sets them itself.
OUTPUT_ENV = ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")
UPDATE = os.environ.get("PAYDRC_UPDATE_GOLDENS") == "1"


def cases():
    root = Path(ARGS.root)
    found = {"payment": root / "specs" / "payment.pdr"}
    for spec in sorted((root / "golden" / "terraform").glob("*.pdr")):
        found[spec.stem] = spec
    return found


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in OUTPUT_ENV}
    env.update(extra)
    return env


def compile_spec(spec, out_dir, env=None, cwd=None):
    return subprocess.run([ARGS.paydrc, str(spec), "--target", "cloudformation", "-o", str(out_dir)],
                          env=env or clean_env(), cwd=cwd, capture_output=True, text=True)


_COMPILED = {}


def compiled(name):
    """The output directory of one case, compiled once per run."""
    if name not in _COMPILED:
        out = Path(tempfile.mkdtemp(prefix=f"paydrc-cfn-{name}-")) / "out"
        result = compile_spec(cases()[name], out)
        if result.returncode != 0:
            raise AssertionError(f"{name}: paydrc failed:\n{result.stderr}")
        _COMPILED[name] = out
    return _COMPILED[name]


def load(out):
    manifest = json.loads((out / "manifest.json").read_text())
    templates = {s["template"]: json.loads((out / s["template"]).read_text()) for s in manifest["stacks"]}
    return manifest, templates


def walk(node, path=()):
    """Every (path, value) below node."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def stack_outputs_read(template):
    for path, node in walk(template):
        if isinstance(node, dict) and "Fn::GetStackOutput" in node:
            yield path, node["Fn::GetStackOutput"]


def resources(template, type_name):
    return {k: v for k, v in template.get("Resources", {}).items() if v["Type"] == type_name}


def all_resources(templates, type_name):
    out = {}
    for name, t in templates.items():
        for k, v in resources(t, type_name).items():
            out[(name, k)] = v
    return out


class Goldens(unittest.TestCase):
    def test_goldens_match(self):
        for name in cases():
            with self.subTest(case=name):
                out = compiled(name)
                written = sorted(p.name for p in out.iterdir() if p.suffix == ".json")
                golden_dir = Path(ARGS.root) / "golden" / "cloudformation" / name
                if UPDATE:
                    if golden_dir.exists():
                        shutil.rmtree(golden_dir)
                    golden_dir.mkdir(parents=True)
                    for f in written:
                        shutil.copy(out / f, golden_dir / f)
                    continue
                self.assertTrue(golden_dir.is_dir(), f"{golden_dir} missing: run with PAYDRC_UPDATE_GOLDENS=1")
                self.assertEqual(written, sorted(p.name for p in golden_dir.iterdir()),
                                 f"{name}: the set of files differs from {golden_dir}")
                for f in written:
                    self.assertEqual((out / f).read_text(), (golden_dir / f).read_text(),
                                     f"{name}/{f}: output differs from the golden "
                                     "(PAYDRC_UPDATE_GOLDENS=1 rewrites it)")


@unittest.skipIf(shutil.which("cfn-lint") is None, "`cfn-lint` is not on PATH: the lint tests need cfn-lint 1.51")
class Lint(unittest.TestCase):
    def lint(self, path, region):
        # -c I: informational findings count too; -e: experimental rules as well.
        run = subprocess.run(["cfn-lint", "--format", "json", "-c", "I", "-e", "--regions", region, "--", str(path)],
                             capture_output=True, text=True)
        findings = json.loads(run.stdout or "[]")
        problems = [f"{f['Rule']['Id']} {f['Message']} ({'/'.join(map(str, f['Location']['Path']))})"
                    for f in findings]
        self.assertEqual(problems, [], f"{path.name}: cfn-lint findings")
        self.assertEqual(run.returncode, 0, run.stderr)

    def test_every_template_lints_clean_in_its_region(self):
        for name in cases():
            manifest, _ = load(compiled(name))
            for stack in manifest["stacks"]:
                with self.subTest(case=name, template=stack["template"]):
                    self.lint(compiled(name) / stack["template"], stack["region"])

    def test_goldens_lint_clean(self):
        for golden in sorted((Path(ARGS.root) / "golden" / "cloudformation").glob("*/manifest.json")):
            manifest = json.loads(golden.read_text())
            for stack in manifest["stacks"]:
                with self.subTest(golden=str(golden.parent.name), template=stack["template"]):
                    self.lint(golden.parent / stack["template"], stack["region"])


# What each stateful type keeps, as (DeletionPolicy, UpdateReplacePolicy). Named
# data outlives a stack deletion and a replacement but not a failed first create:
# a retained half-created resource keeps its name and blocks every retry, so
# `RetainExceptOnCreate` (CloudFormation User Guide, DeletionPolicy attribute);
# UpdateReplacePolicy has no such value, so Retain there. Clusters snapshot; their
# instances hold no data of their own.
KEEPS = {
    "AWS::KMS::Key": ("RetainExceptOnCreate", "Retain"),
    "AWS::SecretsManager::Secret": ("RetainExceptOnCreate", "Retain"),
    "AWS::DynamoDB::GlobalTable": ("RetainExceptOnCreate", "Retain"),
    "AWS::Backup::BackupVault": ("RetainExceptOnCreate", "Retain"),
    "AWS::Logs::LogGroup": ("RetainExceptOnCreate", "Retain"),
    "AWS::SQS::Queue": ("RetainExceptOnCreate", "Retain"),
    "AWS::RDS::DBCluster": ("Snapshot", "Snapshot"),
    "AWS::RDS::DBInstance": ("Delete", "Delete"),
}
# Hosted zones are being reworked separately; they are not judged here.
NOT_JUDGED = {"AWS::Route53::HostedZone"}


class DeletionPolicies(unittest.TestCase):
    def test_every_stateful_resource_in_every_golden_keeps_its_data_but_not_a_failed_create(self):
        seen = set()
        for template in sorted((Path(ARGS.root) / "golden" / "cloudformation").glob("*/*.template.json")):
            for logical_id, resource in json.loads(template.read_text())["Resources"].items():
                where = f"{template.parent.name}/{template.name} {logical_id} ({resource['Type']})"
                policies = (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
                if resource["Type"] in KEEPS:
                    seen.add(resource["Type"])
                    self.assertEqual(policies, KEEPS[resource["Type"]], where)
                elif resource["Type"] not in NOT_JUDGED:
                    # A type that keeps data must be in KEEPS, and so judged.
                    self.assertNotIn(policies[0], ("Retain", "RetainExceptOnCreate", "Snapshot"),
                                     f"{where}: keeps data but is not in KEEPS")
        self.assertEqual(seen, set(KEEPS), "a type of KEEPS appears in no golden: the table is stale")


class Manifest(unittest.TestCase):
    """A person deploys with the manifest alone: these are its promises."""

    def each_case(self):
        for name in cases():
            with self.subTest(case=name):
                yield name, compiled(name), *load(compiled(name))

    def test_stacks_are_numbered_in_order_and_named_after_system_and_role(self):
        for name, out, manifest, templates in self.each_case():
            system = manifest["system"]
            self.assertEqual([s["order"] for s in manifest["stacks"]], list(range(1, len(manifest["stacks"]) + 1)))
            names = [s["stack_name"] for s in manifest["stacks"]]
            self.assertEqual(len(names), len(set(names)))
            for s in manifest["stacks"]:
                self.assertTrue(s["template"].startswith(f"{system}-{s['role']}"), s["template"])
                self.assertTrue(s["template"].endswith(".template.json"))
                self.assertEqual(s["stack_name"], s["template"][:-len(".template.json")] + "-${EnvironmentSuffix}")
            # One main stack, in the home region, before every regional stack.
            stages = [s["stage"] for s in manifest["stacks"]]
            self.assertEqual(stages.count("main"), 1)
            main = stages.index("main")
            for i, s in enumerate(manifest["stacks"]):
                if s["stage"] == "regional":
                    self.assertGreater(i, main)
                if s["stage"] == "foundation":
                    self.assertLess(i, main)

    def test_order_is_acyclic_and_every_value_read_has_an_earlier_producer(self):
        for name, out, manifest, templates in self.each_case():
            position = {s["stack_name"]: i for i, s in enumerate(manifest["stacks"])}
            by_name = {s["stack_name"]: s for s in manifest["stacks"]}
            graph = {s["stack_name"]: set() for s in manifest["stacks"]}
            for i, s in enumerate(manifest["stacks"]):
                template = templates[s["template"]]
                found = set()
                for path, ref in stack_outputs_read(template):
                    stack_name = ref["StackName"]
                    self.assertIsInstance(stack_name, dict, f"{s['template']} {path}: stack name not from the suffix")
                    producer = stack_name["Fn::Sub"]
                    self.assertIn(producer, position, f"{s['template']} {path}: reads unknown stack {producer}")
                    self.assertLess(position[producer], i, f"{s['template']} {path}: reads a later stack {producer}")
                    self.assertEqual(ref["Region"], by_name[producer]["region"], f"{path}: wrong region")
                    outputs = templates[by_name[producer]["template"]].get("Outputs", {})
                    self.assertIn(ref["OutputName"], outputs, f"{path}: {producer} has no output {ref['OutputName']}")
                    found.add((producer, ref["OutputName"], ref["Region"]))
                    graph[s["stack_name"]].add(producer)
                listed = {(r["stack"], r["output"], r["region"]) for r in s["reads"]}
                self.assertEqual(found, listed, f"{s['template']}: manifest `reads` differs from the template")
                self.assertEqual(set(s["after"]), {r[0] for r in found})
                # Fn::ImportValue cannot cross regions; every cross-stack value uses one mechanism.
                self.assertNotIn("Fn::ImportValue", json.dumps(template))
            # Kahn's algorithm over the reads: every stack gets placed.
            remaining = {k: set(v) for k, v in graph.items()}
            placed = []
            while True:
                ready = sorted(k for k, v in remaining.items() if not v)
                if not ready:
                    break
                for k in ready:
                    placed.append(k)
                    del remaining[k]
                for v in remaining.values():
                    v.difference_update(ready)
            self.assertEqual(remaining, {}, "cycle among stacks")
            self.assertEqual(manifest["cross_stack_values"]["mechanism"], "Fn::GetStackOutput")

    def test_cross_region_values_exist_for_the_reference_system(self):
        manifest, templates = load(compiled("payment"))
        crossing = [(s["region"], r["region"], r["output"]) for s in manifest["stacks"] for r in s["reads"]
                    if r["region"] != s["region"]]
        outputs = {c[2] for c in crossing}
        # The replica key before the global table and the secret replica; the
        # replication targets before the rule and the backup copy; the global
        # cluster before the reader; the secondary's front door before the DNS.
        for expected in ("SecondaryKeyArn", "PaymentsSecondaryEventBusArn", "DailySecondaryBackupVaultArn",
                         "LedgerGlobalClusterId", "ApiSecondaryRestDomainTargetDomain"):
            self.assertIn(expected, outputs)
        order = [s["stage"] for s in manifest["stacks"]]
        self.assertEqual(order, ["foundation", "main", "regional", "failover"])
        self.assertEqual([s["region"] for s in manifest["stacks"]], ["us-west-2", "us-east-1", "us-west-2", "us-east-1"])

    def test_every_parameter_is_supplied(self):
        for name, out, manifest, templates in self.each_case():
            inputs = manifest["inputs"]
            for s in manifest["stacks"]:
                declared = templates[s["template"]].get("Parameters", {})
                supplied = s["parameters"]
                self.assertEqual(set(supplied), set(declared), f"{s['template']}: parameters differ")
                for param, source in supplied.items():
                    self.assertEqual(set(source), {"input"}, f"{s['template']}: {param}")
                    self.assertIn(source["input"], inputs, f"{s['template']}: {param} names no manifest input")
                for param, spec in declared.items():
                    if "Default" not in spec:
                        self.assertIn(param, supplied, f"{s['template']}: {param} has no default and no value")
                if "EnvironmentSuffix" in declared:
                    self.assertEqual(declared["EnvironmentSuffix"]["Default"], inputs["EnvironmentSuffix"]["default"])
                if "ArtifactBucket" in declared:
                    self.assertEqual(inputs[supplied["ArtifactBucket"]["input"]]["region"], s["region"],
                                     f"{s['template']}: artifact bucket from another region")

    def test_artifacts_match_the_zips_written(self):
        for name, out, manifest, templates in self.each_case():
            zips = sorted(p.name for p in out.iterdir() if p.suffix == ".zip")
            self.assertEqual(zips, sorted(a["file"] for a in manifest["artifacts"]))
            for a in manifest["artifacts"]:
                data = (out / a["file"]).read_bytes()
                digest = hashlib.sha256(data).digest()
                self.assertEqual(a["sha256"], digest.hex())
                self.assertEqual(a["sha256_base64"], base64.b64encode(digest).decode())
                self.assertIn(digest.hex(), a["file"])
                self.assertEqual(a["key"], a["file"])
            # Every function's code is an artifact uploaded to its own stack's region.
            for s in manifest["stacks"]:
                for logical, fn in resources(templates[s["template"]], "AWS::Lambda::Function").items():
                    code = fn["Properties"]["Code"]
                    self.assertEqual(code["S3Bucket"], {"Ref": "ArtifactBucket"})
                    artifact = [a for a in manifest["artifacts"] if a["key"] == code["S3Key"]]
                    self.assertEqual(len(artifact), 1, f"{logical}: {code['S3Key']} is not in the manifest")
                    bucket = s["parameters"]["ArtifactBucket"]["input"]
                    self.assertIn({"region": s["region"], "bucket": {"input": bucket}}, artifact[0]["upload_to"])

    def test_capabilities_cover_named_iam(self):
        for name, out, manifest, templates in self.each_case():
            for s in manifest["stacks"]:
                has_iam = any(r["Type"].startswith("AWS::IAM::") for r in templates[s["template"]]["Resources"].values())
                self.assertEqual("CAPABILITY_NAMED_IAM" in s["capabilities"], has_iam, s["template"])


class SeedComponents(unittest.TestCase):
    """Every component of the reference system, in the stack that owns it."""

    @classmethod
    def setUpClass(cls):
        cls.manifest, cls.templates = load(compiled("payment"))
        cls.primary = cls.templates["payment-primary.template.json"]
        cls.secondary = cls.templates["payment-secondary.template.json"]
        cls.foundation = cls.templates["payment-secondary-foundation.template.json"]
        cls.failover = cls.templates["payment-primary-failover.template.json"]

    def count(self, type_name):
        return len(all_resources(self.templates, type_name))

    def test_network(self):
        for t in (self.primary, self.secondary):
            self.assertEqual(len(resources(t, "AWS::EC2::VPC")), 1)
            subnets = resources(t, "AWS::EC2::Subnet")
            self.assertEqual(len(subnets), 6)  # 3 zones, public + private
            self.assertTrue(all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets.values()))
            self.assertEqual(len(resources(t, "AWS::EC2::NatGateway")), 1)
            self.assertEqual(len(resources(t, "AWS::EC2::FlowLog")), 1)
            self.assertGreaterEqual(len(resources(t, "AWS::EC2::SecurityGroup")), 2)
        cidrs = {v["Properties"]["CidrBlock"] for v in all_resources(self.templates, "AWS::EC2::VPC").values()}
        self.assertEqual(cidrs, {"10.0.0.0/16", "10.1.0.0/16"})

    def test_aurora_global_database(self):
        globals_ = resources(self.primary, "AWS::RDS::GlobalCluster")
        self.assertEqual(len(globals_), 1)
        (global_id, global_cluster), = globals_.items()
        self.assertEqual(global_cluster["Properties"]["GlobalClusterIdentifier"],
                         {"Fn::Sub": "payment-ledger-global-${EnvironmentSuffix}"})
        (_, writer), = resources(self.primary, "AWS::RDS::DBCluster").items()
        self.assertEqual(writer["Properties"]["GlobalClusterIdentifier"], {"Ref": global_id})
        self.assertEqual(writer["Properties"]["MasterUserPassword"],
                         {"Fn::Sub": "{{resolve:secretsmanager:${LedgerMasterSecret}:SecretString:password}}"})
        self.assertNotIn("BacktrackWindow", writer["Properties"])
        self.assertNotIn("ManageMasterUserPassword", writer["Properties"])
        (_, reader), = resources(self.secondary, "AWS::RDS::DBCluster").items()
        ref = reader["Properties"]["GlobalClusterIdentifier"]["Fn::GetStackOutput"]
        self.assertEqual((ref["OutputName"], ref["Region"]), (f"{global_id}Id", "us-east-1"))
        self.assertEqual(self.primary["Outputs"][ref["OutputName"]]["Value"], {"Ref": global_id})
        self.assertNotIn("MasterUserPassword", reader["Properties"])
        self.assertEqual(len(resources(self.primary, "AWS::RDS::DBInstance")), 2)
        self.assertEqual(len(resources(self.secondary, "AWS::RDS::DBInstance")), 2)
        secret = resources(self.primary, "AWS::SecretsManager::Secret")["LedgerMasterSecret"]["Properties"]
        self.assertIn("GenerateSecretString", secret)
        self.assertNotIn("SecretString", secret)

    def test_dynamodb_global_tables_with_a_key_per_replica(self):
        tables = resources(self.primary, "AWS::DynamoDB::GlobalTable")
        names = {t["Properties"]["TableName"]["Fn::Sub"] for t in tables.values()}
        self.assertEqual(names, {"payment-sessions-${EnvironmentSuffix}", "payment-transactions-${EnvironmentSuffix}"})
        self.assertEqual(self.count("AWS::DynamoDB::GlobalTable"), 2)
        for t in tables.values():
            replicas = {r["Region"]: r for r in t["Properties"]["Replicas"]}
            self.assertEqual(set(replicas), {"us-east-1", "us-west-2"})
            self.assertEqual(replicas["us-east-1"]["SSESpecification"]["KMSMasterKeyId"],
                             {"Fn::GetAtt": ["PrimaryKey", "Arn"]})
            remote = replicas["us-west-2"]["SSESpecification"]["KMSMasterKeyId"]["Fn::GetStackOutput"]
            self.assertEqual(remote["StackName"], {"Fn::Sub": "payment-secondary-foundation-${EnvironmentSuffix}"})
            self.assertIn(remote["OutputName"], self.foundation["Outputs"])
            for r in replicas.values():
                self.assertTrue(r["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])

    def test_function_per_region_behind_a_regional_front_door(self):
        for t, region in ((self.primary, "primary"), (self.secondary, "secondary")):
            functions = resources(t, "AWS::Lambda::Function")
            # the payment function and the front door's JWT authorizer; the primary
            # (the writer's region) also runs the master secret's rotation
            expected = {f"Processor{region.capitalize()}Function", f"Api{region.capitalize()}AuthorizerFunction"}
            if region == "primary":
                expected.add("LedgerMasterRotationFunction")
            self.assertEqual(set(functions), expected)
            fn = functions[f"Processor{region.capitalize()}Function"]
            self.assertEqual(fn["Properties"]["MemorySize"], 1024)
            self.assertNotIn(fn["Properties"]["Runtime"], ("python3.8", "python3.9", "python3.10", "python3.11"))
            self.assertIn("VpcConfig", fn["Properties"])
            (_, api), = resources(t, "AWS::ApiGateway::RestApi").items()
            self.assertTrue(api["Properties"]["DisableExecuteApiEndpoint"])
            self.assertEqual(api["Properties"]["EndpointConfiguration"]["Types"], ["REGIONAL"])
            domains = resources(t, "AWS::ApiGateway::DomainName")
            self.assertEqual(len(domains), 2)  # the failover name and the region's health name
            for domain in domains.values():
                self.assertEqual(domain["Properties"]["EndpointConfiguration"]["Types"], ["REGIONAL"])
                self.assertEqual(domain["Properties"]["SecurityPolicy"], "TLS_1_2")
            self.assertEqual(len(resources(t, "AWS::CertificateManager::Certificate")), 1)
            self.assertEqual(len(resources(t, "AWS::ApiGateway::BasePathMapping")), 2)
            self.assertEqual(len(resources(t, "AWS::WAFv2::WebACLAssociation")), 1)
            self.assertEqual(len(resources(t, "AWS::ApiGatewayV2::Api")), 0)
        self.assertEqual(self.count("AWS::Lambda::Url"), 0)

    def test_route53_failover_records_and_health_checks(self):
        records = resources(self.failover, "AWS::Route53::RecordSet")
        failover = [r for r in records.values() if "Failover" in r["Properties"]]
        self.assertEqual(sorted(r["Properties"]["Failover"] for r in failover), ["PRIMARY", "SECONDARY"])
        # Beside them, each region's health name: a plain alias of that region's domain.
        self.assertEqual(len(records) - len(failover), 2)
        for r in records.values():
            self.assertEqual(r["Properties"]["Type"], "A")
            self.assertIn("AliasTarget", r["Properties"])
        checks = resources(self.failover, "AWS::Route53::HealthCheck")
        self.assertEqual(len(checks), 2)
        for c in checks.values():
            config = c["Properties"]["HealthCheckConfig"]
            self.assertEqual((config["RequestInterval"], config["FailureThreshold"], config["ResourcePath"]),
                             (30, 3, "/health"))
        # The zone exists already: a parameter of each stack that writes into it, never a resource.
        self.assertEqual(self.count("AWS::Route53::HostedZone"), 0)
        for r in records.values():
            self.assertEqual(r["Properties"]["HostedZoneId"], {"Ref": "ApiZoneId"})
        for template in (self.primary, self.secondary):
            for c in resources(template, "AWS::CertificateManager::Certificate").values():
                # the failover name and the region's health name, both in the zone
                options = c["Properties"]["DomainValidationOptions"]
                self.assertEqual(len(options), 2)
                for option in options:
                    self.assertEqual(option["HostedZoneId"], {"Ref": "ApiZoneId"})
            self.assertEqual(template["Parameters"]["ApiZoneId"]["Type"], "AWS::Route53::HostedZone::Id")
            self.assertNotIn("Default", template["Parameters"]["ApiZoneId"])
        for path, node in walk(self.templates):
            if isinstance(node, dict) and node.get("Type") == "AWS::Route53::RecordSet":
                self.assertNotEqual(node["Properties"].get("Type"), "CNAME")

    def test_event_replication(self):
        self.assertEqual(self.count("AWS::Events::EventBus"), 2)
        (_, rule), = resources(self.primary, "AWS::Events::Rule").items()
        target = rule["Properties"]["Targets"][0]
        self.assertEqual(target["Arn"]["Fn::GetStackOutput"]["Region"], "us-west-2")
        self.assertIn("RoleArn", target)

    def test_backup_with_cross_region_copy(self):
        self.assertEqual(len(resources(self.primary, "AWS::Backup::BackupVault")), 1)
        self.assertEqual(len(resources(self.foundation, "AWS::Backup::BackupVault")), 1)
        (_, plan), = resources(self.primary, "AWS::Backup::BackupPlan").items()
        rule = plan["Properties"]["BackupPlan"]["BackupPlanRule"][0]
        self.assertEqual(rule["ScheduleExpression"], "cron(0 3 * * ? *)")
        self.assertEqual(rule["Lifecycle"]["DeleteAfterDays"], 7)
        self.assertEqual(rule["CopyActions"][0]["DestinationBackupVaultArn"]["Fn::GetStackOutput"]["Region"],
                         "us-west-2")
        self.assertEqual(rule["CopyActions"][0]["DestinationBackupVaultArn"]["Fn::GetStackOutput"]["Region"],
                         "us-west-2")
        # Each region that can hold the writer has its own plan, selecting by tag,
        # copying to the other region; vaults are locked (governance mode).
        for template, other in ((self.primary, "us-west-2"), (self.secondary, "us-east-1")):
            (_, selection), = resources(template, "AWS::Backup::BackupSelection").items()
            self.assertNotIn("Resources", selection["Properties"]["BackupSelection"])
            self.assertEqual(selection["Properties"]["BackupSelection"]["ListOfTags"][0]["ConditionKey"],
                             "paydrc-backup-daily")
            (_, regional), = resources(template, "AWS::Backup::BackupPlan").items()
            copy = regional["Properties"]["BackupPlan"]["BackupPlanRule"][0]["CopyActions"][0]
            self.assertEqual(copy["DestinationBackupVaultArn"]["Fn::GetStackOutput"]["Region"], other)
        for vault in all_resources(self.templates, "AWS::Backup::BackupVault").values():
            self.assertEqual(vault["Properties"]["LockConfiguration"], {"MinRetentionDays": 7})

    def test_monitoring(self):
        dashboards = all_resources(self.templates, "AWS::CloudWatch::Dashboard")
        self.assertEqual(sorted(d["Properties"]["DashboardName"]["Fn::Sub"] for d in dashboards.values()),
                         ["payment-primary-${EnvironmentSuffix}", "payment-secondary-${EnvironmentSuffix}"])
        alarms = all_resources(self.templates, "AWS::CloudWatch::Alarm")
        names = {a["Properties"]["AlarmName"]["Fn::Sub"] for a in alarms.values()}
        self.assertIn("payment-replication-lag-secondary-${EnvironmentSuffix}", names)
        self.assertTrue(any("processor-errors" in n for n in names))
        self.assertTrue(any("throttles" in n for n in names))
        self.assertEqual(self.count("AWS::SNS::Topic"), 2)
        # CloudWatch notifies topics of the alarm's own region only: a topic of the
        # same stack, or of an earlier stack in the same region (the health-check
        # alarms deploy with the health checks, after the region's topic).
        region_of = {s["template"]: s["region"] for s in self.manifest["stacks"]}
        topic_region = {logical: region_of[t] for (t, logical) in all_resources(self.templates, "AWS::SNS::Topic")}
        for (template, logical), a in alarms.items():
            for action in a["Properties"]["AlarmActions"] + a["Properties"]["OKActions"]:
                if "Ref" in action:
                    self.assertIn(action["Ref"], resources(self.templates[template], "AWS::SNS::Topic"), logical)
                else:
                    read = action["Fn::GetStackOutput"]
                    self.assertEqual(read["Region"], region_of[template], f"{logical}: topic of another region")
                    self.assertTrue(read["OutputName"].endswith("TopicArn"), logical)
                    self.assertIn(read["OutputName"][:-len("Arn")], topic_region, logical)
        # Each region's topic pages the spec's destinations.
        subscriptions = all_resources(self.templates, "AWS::SNS::Subscription")
        self.assertEqual(sorted(s["Properties"]["Protocol"] for s in subscriptions.values()),
                         ["email", "email", "https", "https"])
        # paydrc's own alarms: health checks (us-east-1) and each API's 5xx.
        metrics = sorted(a["Properties"].get("MetricName", "") for a in alarms.values())
        self.assertEqual(metrics.count("HealthCheckStatus"), 2)
        self.assertEqual(metrics.count("5XXError"), 2)
        self.assertEqual(metrics.count("ReplicationLatency"), 4)

    def test_ssm_parameters_and_keys(self):
        paths = {p["Properties"]["Name"]["Fn::Sub"] for p in all_resources(self.templates, "AWS::SSM::Parameter").values()}
        self.assertEqual(paths, {"/payment/${EnvironmentSuffix}/db/primary/endpoint",
                                 "/payment/${EnvironmentSuffix}/db/secondary/endpoint",
                                 "/payment/${EnvironmentSuffix}/db/dynamodb/table"})
        self.assertEqual(self.count("AWS::SSM::Parameter"), 6)  # each path in both regions
        # Each region: the data key and, apart from it, the key of its backup vaults.
        self.assertEqual(sorted(resources(self.primary, "AWS::KMS::Key")), ["PrimaryBackupKey", "PrimaryKey"])
        self.assertEqual(sorted(resources(self.foundation, "AWS::KMS::Key")), ["SecondaryBackupKey", "SecondaryKey"])
        vaults = all_resources(self.templates, "AWS::Backup::BackupVault")
        self.assertEqual(sorted(v["Properties"]["EncryptionKeyArn"]["Fn::GetAtt"][0] for v in vaults.values()),
                         ["PrimaryBackupKey", "SecondaryBackupKey"])
        for k in all_resources(self.templates, "AWS::KMS::Key").values():
            self.assertTrue(k["Properties"]["EnableKeyRotation"])


class Posture(unittest.TestCase):
    """The Terraform backend's posture, read back from the templates of every case."""

    def each(self):
        for name in cases():
            with self.subTest(case=name):
                yield load(compiled(name))[1]

    def test_no_wildcard_actions(self):
        # In an Allow only: a Deny of `sqs:*` (the TLS-only statement) takes away, never grants.
        for templates in self.each():
            for path, node in walk(templates):
                # IAM statements only (a WAF rule's `Action` is Block/Allow/Count).
                if isinstance(node, dict) and "Action" in node and "Effect" in node and node["Effect"] != "Deny":
                    actions = node["Action"] if isinstance(node["Action"], list) else [node["Action"]]
                    for a in actions:
                        self.assertFalse(a == "*" or a.endswith(":*"), f"{path}: wildcard action {a}")

    def test_encryption_with_customer_managed_keys(self):
        checks = {"AWS::Logs::LogGroup": "KmsKeyId", "AWS::SNS::Topic": "KmsMasterKeyId",
                  "AWS::SQS::Queue": "KmsMasterKeyId", "AWS::Lambda::Function": "KmsKeyArn",
                  "AWS::RDS::DBCluster": "KmsKeyId", "AWS::SecretsManager::Secret": "KmsKeyId",
                  "AWS::Backup::BackupVault": "EncryptionKeyArn"}
        for templates in self.each():
            for type_name, prop in checks.items():
                for key, r in all_resources(templates, type_name).items():
                    self.assertIn(prop, r["Properties"], f"{key}: no customer-managed key")
            for key, r in all_resources(templates, "AWS::RDS::DBCluster").items():
                self.assertIs(r["Properties"]["StorageEncrypted"], True)
            for key, t in all_resources(templates, "AWS::DynamoDB::GlobalTable").items():
                for replica in t["Properties"]["Replicas"]:
                    self.assertIn("KMSMasterKeyId", replica["SSESpecification"], key)

    def test_no_open_ingress_and_private_placement(self):
        for templates in self.each():
            for key, sg in all_resources(templates, "AWS::EC2::SecurityGroup").items():
                for rule in sg["Properties"].get("SecurityGroupIngress", []):
                    self.assertNotEqual(rule.get("CidrIp"), "0.0.0.0/0", key)
            for key, rule in all_resources(templates, "AWS::EC2::SecurityGroupIngress").items():
                self.assertNotEqual(rule["Properties"].get("CidrIp"), "0.0.0.0/0", key)
            private = {k[1] for k, s in all_resources(templates, "AWS::EC2::Subnet").items()
                       if {"Key": "Tier", "Value": "private"} in s["Properties"]["Tags"]}
            for key, fn in all_resources(templates, "AWS::Lambda::Function").items():
                if "VpcConfig" not in fn["Properties"]:
                    # paydrc's JWT authorizer alone runs outside: it fetches the
                    # issuer's public keys and its role grants no data access.
                    self.assertTrue(key[1].endswith("AuthorizerFunction"), f"{key}: outside the VPC")
                    continue
                subnets = {s["Ref"] for s in fn["Properties"]["VpcConfig"]["SubnetIds"]}
                self.assertTrue(subnets <= private, f"{key}: not in private subnets")

    def test_no_literal_secrets(self):
        for templates in self.each():
            for path, node in walk(templates):
                if path and path[-1] in ("MasterUserPassword", "SecretString", "Password"):
                    self.assertIn("{{resolve:secretsmanager:", json.dumps(node), path)


# Properties holding a name AWS keeps unique in an account, a region, or (custom
# domain names) a region across all accounts.
UNIQUE_NAMES = {
    "AWS::ApiGatewayV2::DomainName": "DomainName", "AWS::CertificateManager::Certificate": "DomainName",
    "AWS::Route53::RecordSet": "Name", "AWS::IAM::Role": "RoleName", "AWS::KMS::Alias": "AliasName",
    "AWS::RDS::GlobalCluster": "GlobalClusterIdentifier", "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
    "AWS::DynamoDB::GlobalTable": "TableName", "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName", "AWS::SNS::Topic": "TopicName", "AWS::SQS::Queue": "QueueName",
    "AWS::SecretsManager::Secret": "Name", "AWS::Events::EventBus": "Name", "AWS::Events::Rule": "Name",
    "AWS::Backup::BackupVault": "BackupVaultName", "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName", "AWS::SSM::Parameter": "Name",
}


def evaluate(node, suffix, conditions):
    """A name as CloudFormation resolves it for EnvironmentSuffix=suffix; other
    parameters and resources as <Name>."""
    if isinstance(node, str):
        return node
    (fn, arg), = node.items()
    if fn == "Ref":
        return suffix if arg == "EnvironmentSuffix" else f"<{arg}>"
    if fn == "Fn::Sub":
        template, variables = (arg, {}) if isinstance(arg, str) else arg
        values = {k: evaluate(v, suffix, conditions) for k, v in variables.items()}
        values.setdefault("EnvironmentSuffix", suffix)
        return re.sub(r"\$\{([^}!]+)\}", lambda m: values.get(m[1], f"<{m[1]}>"), template)
    if fn == "Fn::Join":
        return arg[0].join(evaluate(p, suffix, conditions) for p in arg[1])
    if fn == "Fn::If":
        return evaluate(arg[1] if holds(conditions[arg[0]], suffix, conditions) else arg[2], suffix, conditions)
    return f"<{fn}>"


def holds(condition, suffix, conditions):
    (fn, arg), = condition.items()
    if fn == "Fn::Equals":
        return evaluate(arg[0], suffix, conditions) == evaluate(arg[1], suffix, conditions)
    if fn == "Fn::Or":
        return any(holds(c, suffix, conditions) for c in arg)
    raise AssertionError(f"unexpected condition {condition}")


class EnvironmentNames(unittest.TestCase):
    """Two environments in one account: no name AWS keeps unique may repeat."""

    def names(self, out, suffix):
        manifest, templates = load(out)
        found = {}
        for name, t in templates.items():
            for logical, r in t.get("Resources", {}).items():
                key = UNIQUE_NAMES.get(r["Type"])
                if key and key in r.get("Properties", {}):
                    value = evaluate(r["Properties"][key], suffix, t.get("Conditions", {}))
                    # A resource's own id (a REST API's) differs between environments.
                    for other in t.get("Resources", {}):
                        value = value.replace(f"<{other}>", f"<{other} of {suffix}>")
                    found[f"{name}:{logical}"] = value
        return found

    def test_dev_and_prod_share_no_unique_name(self):
        out = compiled("payment")
        dev, prod = self.names(out, "dev"), self.names(out, "prod")
        self.assertGreater(len(dev), 40)
        self.assertEqual({k: v for k, v in dev.items() if prod[k] == v}, {}, "names both environments would claim")
        domains = {v for k, v in dev.items() if "ApiDomain" in k or "Certificate" in k or "Record" in k}
        self.assertEqual(domains, {"api-dev.payments.example.com", "api-us-east-1-dev.payments.example.com",
                                   "api-us-west-2-dev.payments.example.com"})
        domains = {v for k, v in prod.items() if "ApiDomain" in k or "Certificate" in k or "Record" in k}
        self.assertEqual(domains, {"api.payments.example.com", "api-us-east-1.payments.example.com",
                                   "api-us-west-2.payments.example.com"})

    def test_created_zone_is_kept_once_created(self):
        manifest, templates = load(compiled("zone_created"))
        (zone,) = all_resources(templates, "AWS::Route53::HostedZone").values()
        self.assertEqual((zone["DeletionPolicy"], zone["UpdateReplacePolicy"]), ("RetainExceptOnCreate", "Retain"))
        self.assertNotIn("OrdersZoneId", manifest["inputs"])
        names = {v for k, v in self.names(compiled("zone_created"), "qa").items() if "Record" in k}
        self.assertEqual(names, {"qa.shop.example.net"})
        names = {v for k, v in self.names(compiled("zone_created"), "prod").items() if "Record" in k}
        self.assertEqual(names, {"shop.example.net"})

    def test_zone_id_is_the_parameter_default(self):
        manifest, templates = load(compiled("zone_by_id"))
        self.assertEqual(all_resources(templates, "AWS::Route53::HostedZone"), {})
        self.assertEqual(manifest["inputs"]["OrdersZoneId"]["default"], "Z0123456789ABCDEFGHIJ")
        for t in templates.values():
            if "OrdersZoneId" in t.get("Parameters", {}):
                self.assertEqual(t["Parameters"]["OrdersZoneId"]["Default"], "Z0123456789ABCDEFGHIJ")
        for suffix, expected in (("prod", "orders.shop.example.net"), ("production", "orders.shop.example.net"),
                                 ("staging", "orders-staging.shop.example.net")):
            names = {v for k, v in self.names(compiled("zone_by_id"), suffix).items() if "ApiDomain" in k}
            self.assertEqual(names, {expected}, suffix)


class Configuration(unittest.TestCase):
    def test_suffix_default_comes_from_the_environment(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = compile_spec(Path(ARGS.root) / "specs" / "payment.pdr", Path(tmp) / "out",
                                  env=clean_env(ENVIRONMENT_SUFFIX="prod"))
            self.assertEqual(result.returncode, 0, result.stderr)
            manifest, templates = load(Path(tmp) / "out")
            self.assertEqual(manifest["inputs"]["EnvironmentSuffix"]["default"], "prod")
            for t in templates.values():
                self.assertEqual(t["Parameters"]["EnvironmentSuffix"]["Default"], "prod")

    def test_default_suffix_matches_terraform(self):
        manifest, templates = load(compiled("payment"))
        # Every Terraform root declares the same variable; the main root stands for them.
        terraform = json.loads((Path(ARGS.root) / "golden" / "terraform" / "payment" / "primary" / "main.tf.json")
                               .read_text())
        self.assertEqual(manifest["inputs"]["EnvironmentSuffix"]["default"],
                         terraform["variable"]["environment_suffix"]["default"])
        pattern = templates["payment-primary.template.json"]["Parameters"]["EnvironmentSuffix"]["AllowedPattern"]
        self.assertTrue(re.fullmatch(pattern, "dev"))
        self.assertFalse(re.fullmatch(pattern, "Prod_1"))

    def test_secure_parameter_is_refused(self):
        spec_text = (Path(ARGS.root) / "golden" / "terraform" / "minimal.pdr").read_text()
        spec_text = spec_text.rstrip().rstrip("}") + (
            '\n  parameter orders_table {\n    path = "/ledgerless/{env}/orders"\n    value = orders.name\n'
            '    secure = on\n  }\n}\n')
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "project"
            (project / ".git").mkdir(parents=True)
            shutil.copytree(Path(ARGS.root) / "golden" / "terraform" / "minimal_src", project / "minimal_src")
            spec = project / "spec.pdr"
            spec.write_text(spec_text)
            result = compile_spec(spec, Path(tmp) / "out")
            self.assertNotEqual(result.returncode, 0, result.stderr)
            self.assertIn("SecureString", result.stderr)
            self.assertFalse((Path(tmp) / "out").exists())


class Determinism(unittest.TestCase):
    def test_identical_bytes_across_time_zone_locale_and_directory(self):
        spec = (Path(ARGS.root) / "specs" / "payment.pdr").resolve()
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            first = compile_spec(spec, Path(a) / "out", env=clean_env(TZ="UTC", LC_ALL="C", LANG="C"), cwd=a)
            relative = os.path.relpath(spec, b)
            second = compile_spec(relative, Path(b) / "out", cwd=b,
                                  env=clean_env(TZ="Pacific/Kiritimati", LC_ALL="C.UTF-8", LANG="de_DE.UTF-8"))
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertEqual(second.returncode, 0, second.stderr)
            names = sorted(p.name for p in (Path(a) / "out").iterdir())
            self.assertEqual(names, sorted(p.name for p in (Path(b) / "out").iterdir()))
            self.assertIn("manifest.json", names)
            for name in names:
                self.assertEqual((Path(a) / "out" / name).read_bytes(), (Path(b) / "out" / name).read_bytes(), name)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--paydrc", required=True)
    parser.add_argument("--root", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.paydrc = os.path.abspath(ARGS.paydrc)
    ARGS.root = os.path.abspath(ARGS.root)
    try:
        program = unittest.main(argv=[sys.argv[0]] + rest, verbosity=2, exit=False)
    finally:
        for out in _COMPILED.values():
            shutil.rmtree(out.parent, ignore_errors=True)
    sys.exit(0 if program.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
