"""The spec after a failover replaces, moves and detaches nothing.

After the ledger fails over, the team records it in the spec (`promoted =
secondary`) and makes the API serve from the promoted writer (the failover's
`primary`/`secondary` swapped), then recompiles. Applying that output must not
replace, move or detach a global cluster, cluster, instance, table, secret,
zone, record, health check or API domain name: a replaced cluster or table is
data lost, a replaced record or health check is an outage of the failover path.

The test compiles the reference spec and golden/terraform/payment_after_failover.pdr
for both backends and compares every protected resource by address (Terraform
`type.name`; CloudFormation stack template and logical id) and by the attributes
that can only be set at creation. It also checks that the after-failover spec is
exactly that edit of the reference spec, and that the intended changes happen.

Run by ctest as `python3 after_failover_test.py --paydrc PATH --root SOURCE_DIR`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ARGS = None
OUTPUT_ENV = ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")
CASE = "payment_after_failover"

# The edits that turn the reference spec into the after-failover case.
EDITS = [
    ("    writer = primary\n    readers = [secondary]\n",
     "    writer = primary\n    readers = [secondary]\n    promoted = secondary\n"),
    ("    primary = primary\n    secondary = secondary\n", "    primary = secondary\n    secondary = primary\n"),
    ('    source = "../lambda"\n', '    source = "../../lambda"\n'),  # the case lives two levels down
]

# Terraform: per protected type, the arguments that force a replacement
# (`ForceNew: true` in the resource's schema in terraform-provider-aws,
# internal/service/<service>/<resource>.go; `terraform providers schema -json`
# does not report ForceNew, so the list is kept here and test_terraform_attributes_exist
# checks every name against the 5.100 schema), plus what detaches or resets a
# member without a replacement: `global_cluster_identifier` (detaches the
# cluster from the global database), `replication_source_identifier`, the
# master password's write-only version (a new version resets the password), and
# `provider` for every type (another provider alias is another region).
TERRAFORM_CREATION_ONLY = {
    # internal/service/rds/global_cluster.go
    "aws_rds_global_cluster": ["global_cluster_identifier", "database_name", "engine", "source_db_cluster_identifier",
                               "storage_encrypted"],
    # internal/service/rds/cluster.go
    "aws_rds_cluster": ["availability_zones", "cluster_identifier", "cluster_identifier_prefix",
                        "cluster_scalability_type", "database_name", "db_subnet_group_name", "db_system_id", "engine",
                        "engine_mode", "kms_key_id", "master_username", "restore_to_point_in_time", "s3_import",
                        "snapshot_identifier", "source_region", "storage_encrypted",
                        "global_cluster_identifier", "replication_source_identifier", "master_password_wo_version"],
    # internal/service/rds/cluster_instance.go
    "aws_rds_cluster_instance": ["identifier", "identifier_prefix", "cluster_identifier", "engine",
                                 "availability_zone", "db_subnet_group_name", "custom_iam_instance_profile"],
    # internal/service/dynamodb/table.go
    "aws_dynamodb_table": ["name", "hash_key", "range_key", "restore_source_name", "restore_source_table_arn",
                           "restore_to_latest_time", "restore_date_time"],
    # internal/service/route53/zone.go
    "aws_route53_zone": ["name", "delegation_set_id"],
    # internal/service/route53/record.go: name and zone_id; type and set_identifier
    # identify the record set too (its four-part key), so they must not move either.
    "aws_route53_record": ["name", "zone_id", "type", "set_identifier"],
    # internal/service/route53/health_check.go
    "aws_route53_health_check": ["type", "request_interval", "measure_latency", "reference_name",
                                 "routing_control_arn"],
    # internal/service/apigateway/domain_name.go (the REST front door's custom domains;
    # the certificate_* uploads paydrc does not use are ForceNew too)
    "aws_api_gateway_domain_name": ["domain_name", "certificate_body", "certificate_chain", "certificate_private_key"],
    # internal/service/secretsmanager/secret.go: where the master secret and its replica live
    "aws_secretsmanager_secret": ["name", "name_prefix", "replica"],
}

# CloudFormation: the protected types; their create-only properties come from the
# resource specifications cfn-lint ships (`createOnlyProperties`), read at run time.
# Also kept: what detaches a member or resets its credentials without a replacement.
CFN_PROTECTED = ("AWS::RDS::GlobalCluster", "AWS::RDS::DBCluster", "AWS::RDS::DBInstance",
                 "AWS::DynamoDB::GlobalTable", "AWS::ApiGateway::DomainName", "AWS::SecretsManager::Secret")
CFN_ALSO_KEPT = {"AWS::RDS::DBCluster": ["/properties/GlobalClusterIdentifier", "/properties/MasterUsername",
                                         "/properties/MasterUserPassword", "/properties/Engine"],
                 "AWS::SecretsManager::Secret": ["/properties/ReplicaRegions"]}


def clean_env():
    return {k: v for k, v in os.environ.items() if k not in OUTPUT_ENV}


def compile_spec(spec, target, out_dir):
    result = subprocess.run([ARGS.paydrc, str(spec), "--target", target, "-o", str(out_dir)],
                            env=clean_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"paydrc {spec.name} --target {target} failed:\n{result.stderr}")
    return out_dir


def terraform_resources(out_dir):
    """`type.name` -> (root directory, body) for every resource of an output
    directory: one main.tf.json or one per root module (any depth)."""
    found = {}
    for path in sorted(Path(out_dir).rglob("*.tf.json")):
        doc = json.loads(path.read_text())
        for rtype, resources in doc.get("resource", {}).items():
            for rname, body in resources.items():
                address = f"{rtype}.{rname}"
                if address in found:
                    raise AssertionError(f"{address} is declared twice in {out_dir}")
                found[address] = (str(path.parent.relative_to(out_dir)), body)
    return found


def protected_terraform(rtype):
    return rtype in TERRAFORM_CREATION_ONLY or rtype.startswith("aws_route53_")


def terraform_problems(before, after):
    """What applying `after` over `before` would replace, move or detach."""
    problems = []
    for address, (root, body) in sorted(before.items()):
        rtype = address.split(".", 1)[0]
        if not protected_terraform(rtype):
            continue
        if address not in after:
            problems.append(f"{address} disappears (destroyed, or created again under another address)")
            continue
        _, new = after[address]
        for attribute in ["provider"] + TERRAFORM_CREATION_ONLY.get(rtype, []):
            if body.get(attribute) != new.get(attribute):
                problems.append(f"{address}: `{attribute}` changes from {json.dumps(body.get(attribute))} "
                                f"to {json.dumps(new.get(attribute))}")
    return problems


def cloudformation_resources(out_dir):
    """`stack template/logical id` -> (stack region, resource) for every template."""
    manifest = json.loads((Path(out_dir) / "manifest.json").read_text())
    found = {}
    for stack in manifest["stacks"]:
        doc = json.loads((Path(out_dir) / stack["template"]).read_text())
        for logical_id, resource in doc.get("Resources", {}).items():
            found[f"{stack['template']}/{logical_id}"] = (stack["region"], resource)
    return found


def pointer(properties, path):
    """The value at a schema pointer such as /properties/HealthCheckConfig/Type (None if absent)."""
    value = properties
    for part in path.split("/")[2:]:  # skip "" and "properties"
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def create_only(region, rtype):
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # cfn-lint 1.x, as the backend tests use
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, rtype).schema
    return list(schema.get("createOnlyProperties", [])) + CFN_ALSO_KEPT.get(rtype, [])


def cloudformation_problems(before, after):
    problems = []
    for key, (region, resource) in sorted(before.items()):
        rtype = resource["Type"]
        if rtype not in CFN_PROTECTED and not rtype.startswith("AWS::Route53::"):
            continue
        if key not in after:
            problems.append(f"{key} ({rtype}) disappears from its stack (deleted, or created again elsewhere)")
            continue
        _, new = after[key]
        if new["Type"] != rtype:
            problems.append(f"{key}: type changes from {rtype} to {new['Type']}")
            continue
        for path in create_only(region, rtype):
            old_value = pointer(resource.get("Properties", {}), path)
            new_value = pointer(new.get("Properties", {}), path)
            if old_value != new_value:
                problems.append(f"{key}: create-only {path} changes from {json.dumps(old_value)} "
                                f"to {json.dumps(new_value)}")
    return problems


def find_plugin_dir():
    sys.path.insert(0, str(Path(ARGS.root) / "tests" / "terraform"))
    import terraform_test  # the backend tests' search: TF_PLUGIN_DIR, else the usual places
    return terraform_test.find_plugin_dir()


class AfterFailover(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = Path(cls.tmp.name)
        root = Path(ARGS.root)
        cls.reference = root / "specs" / "payment.pdr"
        cls.promoted = root / "golden" / "terraform" / f"{CASE}.pdr"
        cls.out = {}
        for target in ("terraform", "cloudformation"):
            for name, spec in (("reference", cls.reference), ("promoted", cls.promoted)):
                cls.out[target, name] = compile_spec(spec, target, tmp / f"{target}-{name}")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_case_is_the_reference_spec_after_a_failover(self):
        text = self.reference.read_text()
        for old, new in EDITS:
            self.assertEqual(text.count(old), 1, f"the reference spec no longer has exactly one {old!r}")
            text = text.replace(old, new)
        body = lambda spec: spec.split("system payment {", 1)[1]  # noqa: E731 (headers differ)
        self.assertEqual(body(self.promoted.read_text()), body(text),
                         f"{self.promoted.name} is no longer the reference spec with EDITS applied")

    def test_terraform_replaces_nothing(self):
        before = terraform_resources(self.out["terraform", "reference"])
        after = terraform_resources(self.out["terraform", "promoted"])
        # Every protected kind is there to be compared (a Route 53 zone only when the spec creates one).
        kinds = {a.split(".", 1)[0] for a in before if protected_terraform(a.split(".", 1)[0])}
        self.assertEqual(kinds, set(TERRAFORM_CREATION_ONLY) - {"aws_route53_zone"})
        self.assertEqual(terraform_problems(before, after), [])

    def test_cloudformation_replaces_nothing(self):
        before = cloudformation_resources(self.out["cloudformation", "reference"])
        after = cloudformation_resources(self.out["cloudformation", "promoted"])
        kinds = {r["Type"] for _, r in before.values()}
        self.assertLessEqual(set(CFN_PROTECTED) | {"AWS::Route53::RecordSet", "AWS::Route53::HealthCheck"}, kinds)
        self.assertEqual(cloudformation_problems(before, after), [])

    def test_what_changes_is_the_failover_type_and_the_lag_alarm(self):
        # The case must not be a no-op: the records swap their failover type in
        # place, and the replication-lag alarm watches the old writer now.
        before = terraform_resources(self.out["terraform", "reference"])
        after = terraform_resources(self.out["terraform", "promoted"])
        for role, old, new in (("primary", "PRIMARY", "SECONDARY"), ("secondary", "SECONDARY", "PRIMARY")):
            address = f"aws_route53_record.api_{role}"
            self.assertEqual(before[address][1]["failover_routing_policy"], [{"type": old}])
            self.assertEqual(after[address][1]["failover_routing_policy"], [{"type": new}])
        lag = lambda res: sorted(json.dumps(b["dimensions"]) for a, (_, b) in res.items()  # noqa: E731
                                 if a.startswith("aws_cloudwatch_metric_alarm.")
                                 and b.get("metric_name") == "AuroraGlobalDBReplicationLag")
        self.assertEqual(lag(before), ['{"DBClusterIdentifier": "payment-ledger-secondary-${var.environment_suffix}"}'])
        self.assertEqual(lag(after), ['{"DBClusterIdentifier": "payment-ledger-primary-${var.environment_suffix}"}'])

    def test_comparison_catches_replacements(self):
        # The test of the test: each mutation of the after-failover output is reported.
        before = terraform_resources(self.out["terraform", "reference"])
        mutations = {
            "cluster database_name": ("aws_rds_cluster.ledger_primary", "database_name", "other"),
            "cluster detached": ("aws_rds_cluster.ledger_secondary", "global_cluster_identifier", None),
            "instance moved": ("aws_rds_cluster_instance.ledger_primary_1", "provider", "aws.secondary"),
            "record renamed": ("aws_route53_record.api_primary", "set_identifier", "secondary"),
            "table renamed": ("aws_dynamodb_table.transactions", "name", "payment-txns"),
        }
        for label, (address, attribute, value) in mutations.items():
            with self.subTest(label):
                after = json.loads(json.dumps(terraform_resources(self.out["terraform", "promoted"])))
                after[address][1][attribute] = value
                self.assertTrue(any(address in p and attribute in p for p in terraform_problems(before, after)))
        after = terraform_resources(self.out["terraform", "promoted"])
        del after["aws_route53_health_check.api_secondary"]
        self.assertEqual(terraform_problems(before, after),
                         ["aws_route53_health_check.api_secondary disappears (destroyed, or created again "
                          "under another address)"])
        cfn_before = cloudformation_resources(self.out["cloudformation", "reference"])
        cfn_after = json.loads(json.dumps(cloudformation_resources(self.out["cloudformation", "promoted"])))
        [cluster] = [k for k, (_, r) in cfn_after.items() if r["Type"] == "AWS::RDS::DBCluster"
                     and "DatabaseName" in r["Properties"]]
        cfn_after[cluster][1]["Properties"]["DatabaseName"] = "other"
        [check] = [k for k, (_, r) in cfn_after.items() if r["Type"] == "AWS::Route53::HealthCheck"][:1]
        cfn_after[check][1]["Properties"]["HealthCheckConfig"]["RequestInterval"] = 10
        problems = cloudformation_problems(cfn_before, cfn_after)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("/properties/DatabaseName", problems[0] + problems[1])
        self.assertIn("/properties/HealthCheckConfig/RequestInterval", problems[0] + problems[1])

    @unittest.skipIf(shutil.which("terraform") is None, "`terraform` is not on PATH")
    def test_terraform_attributes_exist(self):
        # Every attribute listed above is one the provider (5.100) knows.
        plugin_dir = find_plugin_dir()
        self.assertIsNotNone(plugin_dir, "no provider mirror: set TF_PLUGIN_DIR")
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=os.devnull)
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "main.tf.json").write_text(json.dumps(
                {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}}))
            init = subprocess.run(["terraform", "init", "-input=false", "-backend=false",
                                   f"-plugin-dir={plugin_dir}"], cwd=tmp, env=env, capture_output=True, text=True)
            self.assertEqual(init.returncode, 0, init.stderr)
            run = subprocess.run(["terraform", "providers", "schema", "-json"], cwd=tmp, env=env,
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
        schemas = json.loads(run.stdout)["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
        for rtype, attributes in TERRAFORM_CREATION_ONLY.items():
            block = schemas["resource_schemas"][rtype]["block"]
            known = set(block.get("attributes", {})) | set(block.get("block_types", {}))
            with self.subTest(rtype):
                self.assertEqual([a for a in attributes if a not in known], [])


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--paydrc", required=True)
    parser.add_argument("--root", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
