"""What AWS would refuse is refused at compile time: adversarial specs.

Run by ctest as `python3 limits_test.py --paydrc PATH --root SOURCE_DIR`.

For each kind of name a spec controls, the test searches the longest block name
paydrc accepts, then checks that
  - one character more is refused with a located `aws-name-invalid` error and
    nothing is written;
  - at the boundary, compiled with a 16-character ENVIRONMENT_SUFFIX (the longest
    the suffix rule allows), the AWS name is exactly at AWS's limit: so the
    boundary is AWS's and not a stricter one of paydrc's;
  - every spec paydrc accepts, for both targets, passes `terraform validate`
    (one `terraform init` against the local provider mirror, its data directory
    shared by every configuration) and `cfn-lint` (one call per region).
Other adversarial specs: underscores in names (valid IAM Sids), too many blocks
for one CloudFormation stack, sub-hourly backups, one zone with a database.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "terraform"))
from terraform_test import find_plugin_dir, merged, tfroots  # noqa: E402  (the one way tests find the provider mirror)

ARGS = None
LONGEST_SUFFIX = "abcdefghijklmnop"  # 16 characters: backends::kEnvironmentSuffixRule allows no more
OUTPUT_ENV = ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")

# Specs are the reference system (specs/payment.pdr, which passes every policy)
# with one thing changed, so a refusal can only come from what is being tested.
def reference():
    text = (Path(ARGS.root) / "specs" / "payment.pdr").read_text()
    # A budget sized for the reference system would refuse the many-block specs.
    return text.replace('source = "../lambda"', 'source = "src"').replace("budget = $1500", "budget = $100000")


def renamed(old, new):
    return re.sub(rf"\b{old}\b", new, reference())


FUNCTION = """
  function {name} {{
    runtime = "python3.12"
    memory = 512MB
    timeout = 10s
    source = "src"
    handler = "index.handler"
    regions = [primary]
    reserved_concurrency = 5
  }}
"""


def with_blocks(text, blocks):
    head, tail = text.rsplit("}", 1)
    return head + "".join(blocks) + "}" + tail


def with_functions(count):
    return with_blocks(reference(), [FUNCTION.format(name=f"f{i:02d}") for i in range(count)])


def with_schedule(schedule):
    return reference().replace('schedule = "cron(0 3 * * ? *)"', f'schedule = "{schedule}"')


def with_one_zone():
    text = reference()
    first = text.index("zones = 3")
    return text[:first] + "zones = 1" + text[first + len("zones = 3"):]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in OUTPUT_ENV}
    env.update(extra)
    return env


class Workspace:
    """Specs and their outputs in one temporary directory."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "src").mkdir()
        (self.root / "src" / "index.py").write_text("def handler(event, context):\n    return {}\n")
        self.count = 0
        self.accepted = []  # (target, output directory)

    def compile(self, text, target, suffix=None):
        self.count += 1
        path = self.root / f"case{self.count}.pdr"
        path.write_text(text)
        out = self.root / f"out{self.count}-{target}"
        env = clean_env(**({"ENVIRONMENT_SUFFIX": suffix} if suffix else {}))
        run = subprocess.run([ARGS.paydrc, str(path), "--target", target, "-o", str(out)], env=env,
                             capture_output=True, text=True)
        return path, out, run


def block_lines(text, kind):
    return [n for n, line in enumerate(text.splitlines(), start=1)
            if line.strip().startswith(f"{kind} ") and line.strip().endswith("{")]


def block_end(text, start):
    """The line of the `}` closing the top-level block opened on line `start`."""
    lines = text.splitlines()
    for number in range(start, len(lines)):
        if lines[number] == "  }":
            return number + 1
    raise AssertionError(f"block on line {start} is not closed")


def block_line(text, kind, name):
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == f"{kind} {name} {{":
            return number
    raise AssertionError(f"no `{kind} {name}` block")


# Each kind of name: a spec with a block of that name, the block kind, and how to
# read the AWS names built from the boundary case's label in the Terraform output,
# each with AWS's limit for it. The binding limit may be another resource's: the
# database's label is also in its Enhanced Monitoring role's name (IAM, 64).
def tf_function_names(doc, label):
    return [(r["function_name"], 64) for r in doc["resource"]["aws_lambda_function"].values()]


def tf_table_names(doc, label):
    return [(r["name"], 255) for r in doc["resource"]["aws_dynamodb_table"].values()]


def tf_rds_identifiers(doc, label):
    res = doc["resource"]
    rds = ([r["cluster_identifier"] for r in res["aws_rds_cluster"].values()] +
           [r["identifier"] for r in res["aws_rds_cluster_instance"].values()] +
           [r["global_cluster_identifier"] for r in res["aws_rds_global_cluster"].values()])
    roles = [r["name"] for r in res["aws_iam_role"].values() if f"-{label}-" in r["name"]]
    return [(v, 63) for v in rds] + [(v, 64) for v in roles]


NAME_KINDS = {
    # label -> (spec for a name, block kind, names in the output with their AWS limits)
    "function": (lambda n: renamed("processor", n), "function", tf_function_names),
    "table": (lambda n: renamed("sessions", n), "table", tf_table_names),
    "database": (lambda n: renamed("ledger", n), "database", tf_rds_identifiers),
}


def identifier(length):
    base = "n" + "abcdefghij" * 30
    return base[:length]


def with_suffix(value):
    return value.replace("${var.environment_suffix}", LONGEST_SUFFIX)


class Limits(unittest.TestCase):
    ws = None

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.tmp.cleanup()

    def assert_refused(self, text, target, kind, name, diag_id):
        path, out, run = self.ws.compile(text, target)
        self.assertEqual(run.returncode, 1, run.stderr)
        starts = [block_line(text, kind, name)] if name else block_lines(text, kind)
        lines = [n for start in starts for n in range(start, block_end(text, start) + 1)]
        self.assertRegex(run.stderr,
                         rf"{re.escape(str(path))}:({'|'.join(map(str, lines))}):\d+: error: .*\[{diag_id}\]")
        self.assertIn("hint:", run.stderr)
        self.assertFalse(out.exists() and any(out.iterdir()), f"{out} was written")
        return run.stderr

    def accept(self, text, target, suffix=None):
        path, out, run = self.ws.compile(text, target, suffix)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.ws.accepted.append((target, out))
        return out

    def longest_accepted(self, make):
        low, high = 1, 280  # low is accepted, high refused
        _, _, run = self.ws.compile(make(identifier(low)), "terraform")
        self.assertEqual(run.returncode, 0, run.stderr)
        while high - low > 1:
            mid = (low + high) // 2
            _, _, run = self.ws.compile(make(identifier(mid)), "terraform")
            if run.returncode == 0:
                low = mid
            else:
                self.assertEqual(run.returncode, 1, run.stderr)
                high = mid
        return low

    def test_names_at_and_over_each_limit(self):
        for label, (make, kind, names_in) in NAME_KINDS.items():
            with self.subTest(kind=label):
                n = self.longest_accepted(make)
                # One more character is refused at the block, nothing written.
                stderr = self.assert_refused(make(identifier(n + 1)), "terraform", kind, identifier(n + 1),
                                             "aws-name-invalid")
                self.assertIn("characters long", stderr)
                # At the boundary, with the longest suffix, a name is exactly at AWS's limit.
                out = self.accept(make(identifier(n)), "terraform", suffix=LONGEST_SUFFIX)
                self.accept(make(identifier(n)), "cloudformation", suffix=LONGEST_SUFFIX)
                doc = merged(out)
                # Every name within its limit, and the longest of them exactly at it.
                names = [(with_suffix(v), limit) for v, limit in names_in(doc, identifier(n))]
                slack = [limit - len(v) for v, limit in names]
                self.assertEqual(min(slack), 0, f"{label}: boundary names {names}")

    def test_underscore_names_compile_with_valid_sids(self):
        text = renamed("sessions", "order_items")
        out = self.accept(text, "terraform")
        self.accept(text, "cloudformation")
        doc = merged(out)
        # Every policy document: role policies, key policies, trust policies.
        sids = [statement.get("sid", "") for document in doc["data"]["aws_iam_policy_document"].values()
                for statement in document["statement"]]
        self.assertIn("TableOrderItems", sids)
        for sid in sids:
            self.assertRegex(sid, r"^[A-Za-z0-9]*$")

    def test_too_many_functions_for_one_stack(self):
        many = with_functions(130)
        self.accept(many, "terraform")
        stderr = self.assert_refused(many, "cloudformation", "function", None, "stack-limit")
        self.assertIn("500", stderr)
        # `check` refuses it as well: a green pre-commit never precedes a red build.
        path = self.ws.root / "many.pdr"
        path.write_text(many)
        run = subprocess.run([ARGS.paydrc, "check", str(path)], env=clean_env(), capture_output=True, text=True)
        self.assertEqual(run.returncode, 1, run.stderr)
        self.assertIn("[stack-limit]", run.stderr)
        run = subprocess.run([ARGS.paydrc, "check", "--target", "terraform", str(path)], env=clean_env(),
                             capture_output=True, text=True)
        self.assertNotIn("[stack-limit]", run.stderr)
        # Fewer functions fit one stack.
        self.accept(with_functions(30), "cloudformation")

    def test_backup_frequency(self):
        backup = with_schedule
        for schedule in ("rate(30 minutes)", "rate(59 minutes)", "cron(0/15 * * * ? *)", "cron(0,30 * * * ? *)"):
            with self.subTest(schedule=schedule):
                self.assert_refused(backup(schedule), "terraform", "backup", "daily", "schedule-too-frequent")
        for schedule in ("rate(1 hour)", "rate(60 minutes)", "cron(0 * * * ? *)"):
            with self.subTest(schedule=schedule):
                self.accept(backup(schedule), "terraform")
                self.accept(backup(schedule), "cloudformation")

    def test_single_zone_database(self):
        for target in ("terraform", "cloudformation"):
            self.assert_refused(with_one_zone(), target, "database", "ledger", "subnet-group-zones")

    # Runs last (unittest sorts by name): every accepted output, both referees.
    def test_zz_referees_report_nothing_on_accepted_output(self):
        self.assertGreater(len(self.ws.accepted), 0)
        tf_dirs = [d for t, d in self.ws.accepted if t == "terraform"]
        cfn_dirs = [d for t, d in self.ws.accepted if t == "cloudformation"]
        if shutil.which("terraform"):
            self.run_terraform(tf_dirs)
        else:
            print("skipped terraform validate: `terraform` is not on PATH", file=sys.stderr)
        if shutil.which("cfn-lint"):
            self.run_cfn_lint(cfn_dirs)
        else:
            print("skipped cfn-lint: `cfn-lint` is not on PATH", file=sys.stderr)

    def run_terraform(self, outputs):
        # Every root module of every accepted output.
        dirs = [out / root["dir"] for out in outputs for root in tfroots.load_roots(str(out))]
        plugin_dir = find_plugin_dir()
        self.assertIsNotNone(plugin_dir, "no provider mirror: set TF_PLUGIN_DIR")
        data_dir = self.ws.root / "tf-data"
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=os.devnull,
                   TF_DATA_DIR=str(data_dir))
        # One init; every configuration needs the same single provider, so the
        # others reuse its data directory and lock file.
        init = subprocess.run(["terraform", "init", "-input=false", "-backend=false", f"-plugin-dir={plugin_dir}"],
                              cwd=dirs[0], env=env, capture_output=True, text=True)
        self.assertEqual(init.returncode, 0, init.stdout + init.stderr)
        lock = dirs[0] / ".terraform.lock.hcl"
        for d in dirs:
            with self.subTest(config=f"{d.parent.name}/{d.name}"):
                if d != dirs[0]:
                    shutil.copy(lock, d / ".terraform.lock.hcl")
                run = subprocess.run(["terraform", "validate", "-json"], cwd=d, env=env, capture_output=True,
                                     text=True)
                report = json.loads(run.stdout)
                problems = [f"{x['severity']}: {x['summary']}: {x.get('detail', '')}" for x in report["diagnostics"]]
                self.assertEqual((report["error_count"], report["warning_count"]), (0, 0), "\n".join(problems))

    def run_cfn_lint(self, dirs):
        by_region = {}
        for d in dirs:
            manifest = json.loads((d / "manifest.json").read_text())
            for stack in manifest["stacks"]:
                by_region.setdefault(stack["region"], []).append(str(d / stack["template"]))
        for region, templates in sorted(by_region.items()):
            # Errors and warnings, experimental rules included. Informational
            # findings are left out: near the resource limit cfn-lint says the
            # template approaches it, which AWS does not refuse.
            run = subprocess.run(["cfn-lint", "--format", "json", "-e", "--regions", region, "--", *templates],
                                 capture_output=True, text=True)
            findings = json.loads(run.stdout or "[]")
            problems = [f"{f['Filename']}: {f['Rule']['Id']} {f['Message']}" for f in findings]
            self.assertEqual(problems, [], f"cfn-lint in {region}")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--paydrc", required=True)
    parser.add_argument("--root", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
