"""`paydrc runbook`: goldens, and every emitted AWS CLI command
checked against the service models the CLI itself uses (botocore), so a misspelt
command or flag fails here rather than during an outage.

Run by ctest as `python3 runbook_test.py --paydrc PATH --root SOURCE_DIR`.
Goldens: golden/runbook/<case>.json and .md for specs/payment.pdr (`payment`) and
every golden/terraform/<case>.pdr; PAYDRC_UPDATE_GOLDENS=1 rewrites them.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import botocore.session
import jmespath
from botocore import xform_name

ARGS = None
VAR_USE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
PLACEHOLDER = re.compile(r"<[A-Za-z][^<>]*>")
# Options every AWS CLI command takes (aws help: global options) that the runbook uses.
GLOBAL_OPTIONS = {"--region", "--query", "--output"}


def cases():
    root = Path(ARGS.root)
    found = {"payment": root / "specs" / "payment.pdr"}
    for spec in sorted((root / "golden" / "terraform").glob("*.pdr")):
        found[spec.stem] = spec
    return found


def paydrc(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET")}
    proc = subprocess.run([ARGS.paydrc, *map(str, args)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"paydrc {' '.join(map(str, args))}: {proc.stderr}")
    return proc.stdout


def runbook(spec, target="terraform"):
    return json.loads(paydrc("runbook", spec, "--format", "json", "--target", target))


class CliModel:
    """The AWS CLI's commands as botocore describes them."""

    def __init__(self):
        self.session = botocore.session.get_session()

    def check(self, words):
        """Raises AssertionError unless `words` (after `aws`) is a valid command."""
        service = words[0]
        model = self.session.get_service_model(service)
        ops = {xform_name(op, "-"): op for op in model.operation_names}
        rest = words[1:]
        if rest[0] == "wait":
            waiters = self.session.get_waiter_model(service)
            names = {xform_name(w, "-"): w for w in waiters.waiter_names}
            assert rest[1] in names, f"aws {service} wait {rest[1]}: no such waiter"
            op = waiters.get_waiter(names[rest[1]]).operation
            args = rest[2:]
        elif service == "cloudformation" and rest[0] == "deploy":
            # A CLI customization, not an API operation: its own argument table.
            from awscli.customizations.cloudformation.deploy import DeployCommand
            allowed = {"--" + a["name"] for a in DeployCommand.ARG_TABLE}
            allowed |= {"--no-" + a["name"][3:] for a in DeployCommand.ARG_TABLE if a["name"].startswith("no-")}
            allowed |= {"--fail-on-empty-changeset", "--no-fail-on-empty-changeset"}
            for flag in [w for w in rest[1:] if w.startswith("--")]:
                assert flag in allowed | GLOBAL_OPTIONS, f"aws cloudformation deploy: unknown flag {flag}"
            for required in ("--template-file", "--stack-name"):
                assert required in rest, f"aws cloudformation deploy: missing {required}"
            return
        else:
            assert rest[0] in ops, f"aws {service} {rest[0]}: no such operation"
            op = ops[rest[0]]
            args = rest[1:]
        shape = model.operation_model(op).input_shape
        members = {xform_name(m, "-"): m for m in shape.members}
        flags = set()
        for w in args:
            if not w.startswith("--"):
                continue
            name = w[2:]
            if w in GLOBAL_OPTIONS:
                continue
            if name.startswith("no-") and name[3:] in members and shape.members[members[name[3:]]].type_name == "boolean":
                flags.add(name[3:])
                continue
            assert name in members, f"aws {service} {rest[0]}: unknown flag {w} (input shape {shape.name})"
            flags.add(name)
        if rest[0] != "wait":
            for req in shape.required_members:
                assert xform_name(req, "-") in flags, f"aws {service} {rest[0]}: missing required --{xform_name(req, '-')}"
        if "--query" in args:
            jmespath.compile(args[args.index("--query") + 1])


def commands_of(step):
    for text in (step.get("command"), (step.get("verify") or {}).get("command")):
        if text:
            yield text


def aws_invocations(text):
    """Each `aws ...` in a shell line (commands joined with &&)."""
    for part in text.split(" && "):
        words = shlex.split(part)
        if words and words[0] == "aws":
            yield words[1:]


class Runbooks(unittest.TestCase):
    def test_goldens_match(self):
        update = os.environ.get("PAYDRC_UPDATE_GOLDENS") == "1"
        out_dir = Path(ARGS.root) / "golden" / "runbook"
        for name, spec in cases().items():
            for ext, fmt in (("json", "json"), ("md", "markdown")):
                with self.subTest(case=name, format=fmt):
                    actual = paydrc("runbook", spec, "--format", fmt)
                    golden = out_dir / f"{name}.{ext}"
                    if update:
                        out_dir.mkdir(parents=True, exist_ok=True)
                        golden.write_text(actual)
                        continue
                    self.assertTrue(golden.exists(), f"{golden} missing: run with PAYDRC_UPDATE_GOLDENS=1")
                    self.assertEqual(golden.read_text(), actual, f"{golden} differs")

    def test_every_aws_command_parses_against_the_cli_models(self):
        cli = CliModel()
        for name, spec in cases().items():
            for target in ("terraform", "cloudformation"):
                for sc in runbook(spec, target)["scenarios"]:
                    for step in sc["steps"]:
                        for text in commands_of(step):
                            for words in aws_invocations(text):
                                with self.subTest(case=name, step=step["id"], command=text):
                                    cli.check(words)

    def test_the_checker_rejects_a_misspelt_flag(self):
        cli = CliModel()
        with self.assertRaises(AssertionError):
            cli.check(["rds", "failover-global-cluster", "--global-cluster-identifier", "g",
                       "--target-cluster-identifier", "x", "--allow-data-loss"])
        with self.assertRaises(AssertionError):
            cli.check(["rds", "switchover-global-cluster", "--global-cluster-identifier", "g"])
        cli.check(["rds", "switchover-global-cluster", "--global-cluster-identifier", "g",
                   "--target-db-cluster-identifier", "x"])

    def test_steps_add_up_to_the_budget(self):
        for name, spec in cases().items():
            rb = runbook(spec)
            dr = json.loads(paydrc("dr", spec, "--format", "json") if name != "payment" else
                            paydrc("dr", spec, "--format", "json"))
            rto = {s["scenario"]: s["rto"] for s in dr["scenarios"]}
            budgeted = {"region_outage": "region_outage", "zone_outage": "az_outage",
                        "logical_corruption": "logical_corruption"}
            for sc in rb["scenarios"]:
                with self.subTest(case=name, scenario=sc["id"]):
                    self.assertTrue(sc["steps"], "no empty scenarios")
                    total = sum(s["duration_seconds"] for s in sc["steps"])
                    if sc["id"] not in budgeted:
                        self.assertIsNone(sc["budget_seconds"])
                        self.assertEqual(total, 0)
                        continue
                    bound = rto[budgeted[sc["id"]]]
                    self.assertEqual(sc["budget_seconds"], bound["achieved_seconds"])
                    self.assertEqual(total, sc["budget_seconds"])
                    terms = {t["what"]: t["seconds"] for t in bound["terms"]}
                    for step in sc["steps"]:
                        if step["budget_term"] is not None:
                            self.assertIn(step["budget_term"], terms, step["id"])

    def test_variables_are_declared_and_emitted(self):
        for name, spec in cases().items():
            rb = runbook(spec)
            declared = {v["name"] for v in rb["variables"]}
            with tempfile.TemporaryDirectory() as tmp:
                paydrc(spec, "--target", "cloudformation", "-o", Path(tmp) / "cfn")
                paydrc(spec, "--target", "terraform", "-o", Path(tmp) / "tf")
                manifest = json.loads((Path(tmp) / "cfn" / "manifest.json").read_text())
                templates = {m["stack_name"].replace("${EnvironmentSuffix}", rb["environment"]):
                             json.loads((Path(tmp) / "cfn" / m["template"]).read_text()) for m in manifest["stacks"]}
                # The root named by the runbook must itself emit the output:
                # `terraform -chdir=<root> output` reads that root's state only.
                tf_outputs = {main.parent.name: set(json.loads(main.read_text()).get("output", {}))
                              for main in (Path(tmp) / "tf").glob("*/main.tf.json")}
            for v in rb["variables"]:
                with self.subTest(case=name, variable=v["name"]):
                    if v.get("operator"):
                        continue
                    cfn = v["cloudformation"]
                    self.assertIn(cfn["output"], templates[cfn["stack"]].get("Outputs", {}))
                    self.assertIn(v["terraform"]["output"], tf_outputs[v["terraform"]["root"]])
            for sc in rb["scenarios"]:
                for step in sc["steps"]:
                    for text in list(commands_of(step)) + [(step.get("verify") or {}).get("expect") or ""]:
                        used = {a or b for a, b in VAR_USE.findall(text)}
                        self.assertLessEqual(used, declared, f"{name} {step['id']}: {text}")
                        self.assertIsNone(PLACEHOLDER.search(text), f"{name} {step['id']}: {text}")

    def test_outage_touches_only_the_surviving_region(self):
        rb = runbook(cases()["payment"])
        sc = next(s for s in rb["scenarios"] if s["id"] == "region_outage")
        for step in sc["steps"]:
            for text in commands_of(step):
                # Route 53 (global, signed for us-east-1) is the one exception: reads only.
                if text.startswith("aws route53 "):
                    self.assertRegex(text, r"^aws route53 (get|list|test)-", step["id"])
                    continue
                self.assertNotIn("us-east-1", text, step["id"])
                self.assertNotIn("TF_DIR/primary", text, step["id"])
        promote = next(s for s in sc["steps"] if s["id"] == "promote_ledger")
        self.assertIn("--allow-data-loss", promote["command"])

    def test_failback_first_brings_the_returning_region_onto_the_outage_spec(self):
        """The outage could not apply the lost region's roots (they hold the DNS
        records); failback applies them before anything else, then checks DNS still
        answers the survivor, and only then switches the writer back."""
        rb = runbook(cases()["payment"])
        outage = next(s for s in rb["scenarios"] if s["id"] == "region_outage")
        self.assertEqual(outage["steps"][-1]["id"], "defer_primary")
        self.assertEqual(outage["steps"][-1]["kind"], "manual")
        ids = [s["id"] for s in next(s for s in rb["scenarios"] if s["id"] == "failback")["steps"]]
        returning = [i for i in ids[:ids.index("switchover_ledger")] if i.startswith("return_")]
        self.assertEqual(returning, ["return_plan_primary", "return_apply_primary",
                                     "return_plan_primary_failover", "return_apply_primary_failover"])
        self.assertLess(ids.index("return_apply_primary_failover"), ids.index("dns_api"))
        self.assertLess(ids.index("dns_api"), ids.index("switchover_ledger"))
        self.assertEqual(len(ids), len(set(ids)), "step ids are unique within a scenario")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--paydrc", required=True)
    parser.add_argument("--root", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
