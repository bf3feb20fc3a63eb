"""Adding a block renames nothing that was already there.

A resource's physical name (every name- or identifier-like attribute) and its
address (Terraform `type.name`, CloudFormation stack file and logical id) must
depend only on its own block's label and role, never on what else the spec holds:
a rename is a replacement, and a replaced database, table or bucket is data lost.

The test compiles the reference spec, then the same spec with one extra block of
each repeatable kind the language has (generated here), for both backends, and
compares what the reference spec already had.

Run by ctest as `python3 stable_names_test.py --paydrc PATH --root SOURCE_DIR`.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
import tfroots  # noqa: E402  (paydrc's Terraform output layout)

ARGS = None
OUTPUT_ENV = ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")

# One extra block of each repeatable kind the language has, each with what the
# policies then require of it (a data tier needs a lag alarm and a backup plan).
# Text under "monitor" goes inside the `monitor` block; the rest at system level.
EXTRA_BLOCKS = {
    "region": """
  region tertiary {
    name = "eu-west-1"
    cidr = 10.2.0.0/16
    zones = 3
    nat_gateways = 1
  }
""",
    "database": """
  database audit {
    kind = aurora_global
    engine = "aurora-mysql"
    engine_version = "8.0"
    instance_class = "db.r5.large"
    instances = 2
    writer = primary
    readers = [secondary]
    failover = manual
    operator_response = 5m
    backup_retention = 7d
  }

  backup audit_daily {
    schedule = "cron(0 4 * * ? *)"
    retention = 7d
    copy_to = secondary
    covers = [audit]
  }
""" + """monitor:
    alarm audit_replication_lag {
      metric = replication_lag
      target = audit
      threshold = 60s
    }
""",
    "table": """
  table audit_log {
    kind = dynamodb_global
    hash_key = "entry_id"
    billing = on_demand
    point_in_time_recovery = on
    replicas = [primary, secondary]
  }

  backup audit_log_daily {
    schedule = "cron(0 4 * * ? *)"
    retention = 7d
    copy_to = secondary
    covers = [audit_log]
  }
""" + """monitor:
    alarm audit_log_replication_lag {
      metric = replication_lag
      target = audit_log
      threshold = 60s
    }
""",
    "function": """
  function reporter {
    runtime = "python3.12"
    memory = 512MB
    timeout = 30s
    source = "../lambda"
    handler = "index.handler"
    regions = [primary, secondary]
    access = {
      sessions: read,
    }
  }
""",
    "failover": """
  failover admin {
    zone = "payments.example.com"
    record = "admin"
    target = processor
    jwt_issuer = "https://auth.example.com/"
    jwt_audience = ["payments"]
    front_door = http_api
    primary = primary
    secondary = secondary
    ttl = 60s

    health_check {
      interval = 30s
      failure_threshold = 3
      path = "/health"
      protocol = https
    }
  }
""",
    "events": """
  events refunds {
    from = primary
    to = [secondary]
    archive = on
  }
""",
    "backup": """
  backup weekly {
    schedule = "cron(0 5 ? * SUN *)"
    retention = 30d
    copy_to = secondary
    covers = [sessions]
  }
""",
    "alarm": """monitor:
    alarm processor_errors_high {
      metric = errors
      target = processor
      threshold = 5
    }
""",
    "parameter": """
  parameter transactions_table {
    path = "/payment/{env}/db/dynamodb/transactions"
    value = transactions.name
  }
""",
    "measured": """
  measured aurora_restore {
    value = 2h
    source = "restore drill"
  }
""",
}


# Small edits to existing blocks that add a resource beside the ones already
# there: (old text, new text) replacements on the reference spec.
EXTRA_EDITS = {
    "notify destination first": [('    notify = [\n', '    notify = [\n      "lead@example.com",\n')],
    "reader region": [
        ("  // Aurora global database:", EXTRA_BLOCKS["region"].lstrip("\n") + "\n  // Aurora global database:"),
        ("    readers = [secondary]\n", "    readers = [secondary, tertiary]\n"),
    ],
}


def edited(spec_text, edits):
    for old, new in edits:
        assert spec_text.count(old) == 1, f"the reference spec no longer has exactly one {old!r}; update EXTRA_EDITS"
        spec_text = spec_text.replace(old, new)
    return spec_text


# The cost of an extra Aurora database is not what this test is about: base and
# variants alike get a budget that holds every variant.
BUDGET = ("budget = $1500", "budget = $5000")


def neutral(spec_text):
    assert BUDGET[0] in spec_text, "the reference spec's budget line moved; update BUDGET"
    return spec_text.replace(*BUDGET)


def with_block(spec_text, block):
    system_part, _, monitor_part = block.partition("monitor:\n")
    if monitor_part:
        anchor = "  monitor {\n"
        at = spec_text.index(anchor) + len(anchor)
        spec_text = spec_text[:at] + monitor_part + spec_text[at:]
    at = spec_text.rindex("}")  # the system block's closing brace
    return spec_text[:at] + system_part + spec_text[at:]


# What identifies a resource: its names and identifiers, and for a subscription
# (which has none) the destination it delivers to.
def is_name_key_tf(key):
    return key in ("name", "bucket", "identifier", "endpoint") or key.endswith("_name") or key.endswith("_identifier")


def is_name_key_cfn(key):
    return key in ("Name", "Alias", "Endpoint") or key.endswith("Name") or key.endswith("Identifier")


def terraform_identities(out_dir):
    """address -> {attribute: value} for the name-like attributes of every resource,
    and the root module holding it: each root has its own state, so a resource
    that moves to another root is destroyed in one and created in the other."""
    found = {}
    for root in tfroots.load_roots(str(out_dir)):
        doc = root["config"]
        for kind in ("resource", "data"):
            for rtype, resources in doc.get(kind, {}).items():
                if rtype == "terraform_remote_state":
                    continue
                for rname, body in resources.items():
                    names = {k: v for k, v in body.items() if is_name_key_tf(k)}
                    tags = body.get("tags")
                    if isinstance(tags, dict) and "Name" in tags:
                        names["tags.Name"] = tags["Name"]
                    if kind == "resource":
                        names["root"] = root["dir"]
                        found[f"{kind}.{rtype}.{rname}"] = names
                    else:
                        # Lookups hold no state: each root that reads one has its copy.
                        found[f"{root['dir']}/{kind}.{rtype}.{rname}"] = names
        for name, body in doc.get("output", {}).items():
            # The values one root passes another follow the layout; the model's
            # outputs are what operators and runbooks read, by root and name.
            if not body.get("description", "").startswith("read from this root's state by"):
                found[f"output.{name}"] = {"root": root["dir"]}
    return found


def cfn_names(props, prefix=""):
    names = {}
    for key, value in props.items():
        if is_name_key_cfn(key):
            names[prefix + key] = value
        elif key == "Tags" and isinstance(value, list):
            for tag in value:
                if isinstance(tag, dict) and tag.get("Key") == "Name":
                    names[prefix + "Tags.Name"] = tag.get("Value")
        elif isinstance(value, dict) and not any(k.startswith("Fn::") or k == "Ref" for k in value):
            names.update(cfn_names(value, prefix + key + "."))
    return names


def cloudformation_identities(out_dir):
    """file/logical id -> {property path: value} for the name-like properties."""
    found = {}
    for template in sorted(out_dir.glob("*.template.json")):
        doc = json.loads(template.read_text())
        for logical_id, resource in doc.get("Resources", {}).items():
            names = {"Type": resource.get("Type")}
            names.update(cfn_names(resource.get("Properties", {})))
            found[f"{template.name}/{logical_id}"] = names
        for output_id, output in doc.get("Outputs", {}).items():
            found[f"{template.name}/Outputs/{output_id}"] = {"Export": output.get("Export")}
    return found


def identity_problems(base, variant):
    """What `variant` renamed, lost or moved to another root of what `base` had."""
    problems = []
    for address, names in sorted(base.items()):
        if address not in variant:
            problems.append(f"{address} is gone (renamed or moved)")
            continue
        for attribute, value in names.items():
            now = variant[address].get(attribute)
            if attribute == "root" and now != value:
                problems.append(f"{address} moved from root {value} to root {now}: "
                                "destroyed in one state, created in the other")
            elif now != value:
                problems.append(f"{address} {attribute}: {json.dumps(value)} -> {json.dumps(now)}")
    return problems


IDENTITIES = {"terraform": terraform_identities, "cloudformation": cloudformation_identities}


class StableNames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.project = Path(cls.tmp.name) / "project"
        # A project of its own (the function source must stay inside it).
        (cls.project / ".git").mkdir(parents=True)
        (cls.project / "specs").mkdir()
        shutil.copytree(Path(ARGS.root) / "lambda", cls.project / "lambda")
        cls.reference = neutral((Path(ARGS.root) / "specs" / "payment.pdr").read_text())
        cls.base = {target: cls.compile("base", cls.reference, target) for target in IDENTITIES}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def compile(cls, label, text, target):
        spec = cls.project / "specs" / f"{label}.pdr"
        spec.write_text(text)
        out = Path(cls.tmp.name) / "out" / f"{label}-{target}"
        env = {k: v for k, v in os.environ.items() if k not in OUTPUT_ENV}
        result = subprocess.run([ARGS.paydrc, str(spec), "--target", target, "-o", str(out)],
                                env=env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"{label} ({target}) does not compile:\n{result.stdout}{result.stderr}")
        return IDENTITIES[target](out)

    def test_a_resource_moved_to_another_root_is_flagged(self):
        base = self.base["terraform"]
        address = "resource.aws_rds_cluster.ledger_secondary"
        self.assertEqual(base[address]["root"], "secondary")
        moved = json.loads(json.dumps(base))
        moved[address]["root"] = "secondary-foundation"
        self.assertEqual(identity_problems(base, moved),
                         [f"{address} moved from root secondary to root secondary-foundation: "
                          "destroyed in one state, created in the other"])
        self.assertEqual(identity_problems(base, base), [])

    def test_reference_spec_has_identities(self):
        for target, identities in self.base.items():
            self.assertGreater(len(identities), 50, target)

    def assert_nothing_renamed(self, label, text):
        for target in IDENTITIES:
            with self.subTest(change=label, target=target):
                variant = self.compile(label.replace(" ", "_"), text, target)
                problems = identity_problems(self.base[target], variant)
                self.assertEqual(problems, [], f"{label} changed existing identities:\n" + "\n".join(problems))

    def test_adding_a_block_renames_nothing(self):
        for kind, block in EXTRA_BLOCKS.items():
            self.assert_nothing_renamed(f"adding a {kind} block", with_block(self.reference, block))

    def test_adding_to_a_block_renames_nothing(self):
        for label, edits in EXTRA_EDITS.items():
            self.assert_nothing_renamed(f"adding a {label}", edited(self.reference, edits))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--paydrc", required=True)
    parser.add_argument("--root", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.paydrc = os.path.abspath(ARGS.paydrc)
    ARGS.root = os.path.abspath(ARGS.root)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
