"""Terraform backend: goldens, `terraform validate`, determinism, configuration.

Run by ctest as `python3 terraform_test.py --paydrc PATH --root SOURCE_DIR`.
Goldens: golden/terraform/<case>/main.tf.json for specs/payment.pdr (case
`payment`) and every golden/terraform/<case>.pdr. Rewrite them with
PAYDRC_UPDATE_GOLDENS=1 and review the change as a git diff.

`terraform validate` needs the local mirror of the AWS provider: TF_PLUGIN_DIR,
else the first folder holding registry.terraform.io/hashicorp/aws under a few
usual places. Without `terraform` on PATH those tests skip and say why.
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

ARGS = None
# Variables that change the output on purpose; each test sets them itself.
OUTPUT_ENV = ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")


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
    result = subprocess.run([ARGS.paydrc, str(spec), "--target", "terraform", "-o", str(out_dir)],
                            env=env or clean_env(), cwd=cwd, capture_output=True, text=True)
    return result


def find_plugin_dir():
    candidates = []
    if os.environ.get("TF_PLUGIN_DIR"):
        candidates.append(Path(os.environ["TF_PLUGIN_DIR"]))
    for base in (Path("/opt"), Path("/usr/share"), Path("/usr/local/share"),
                 Path.home() / ".terraform.d", Path.home() / ".local/share/terraform"):
        if base.is_dir():
            candidates.append(base)
            candidates.extend(sorted(p for p in base.iterdir() if p.is_dir()))
            plugins = base / "plugins"
            if plugins.is_dir():
                candidates.append(plugins)
    for c in candidates:
        if (c / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return c
    return None


class Goldens(unittest.TestCase):
    def test_goldens_match(self):
        update = os.environ.get("PAYDRC_UPDATE_GOLDENS") == "1"
        for name, spec in cases().items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out"
                result = compile_spec(spec, out)
                self.assertEqual(result.returncode, 0, result.stderr)
                actual = (out / "main.tf.json").read_bytes()
                golden = Path(ARGS.root) / "golden" / "terraform" / name / "main.tf.json"
                if update:
                    golden.parent.mkdir(parents=True, exist_ok=True)
                    golden.write_bytes(actual)
                    continue
                self.assertTrue(golden.exists(), f"{golden} missing: run with PAYDRC_UPDATE_GOLDENS=1")
                self.assertEqual(actual.decode(), golden.read_text(),
                                 f"{name}: output differs from {golden} "
                                 "(PAYDRC_UPDATE_GOLDENS=1 rewrites it)")


@unittest.skipIf(shutil.which("terraform") is None,
                 "`terraform` is not on PATH: the validate tests need Terraform 1.11")
class Validate(unittest.TestCase):
    def validate(self, directory):
        plugin_dir = find_plugin_dir()
        self.assertIsNotNone(plugin_dir, "no provider mirror found: set TF_PLUGIN_DIR to the folder "
                                         "holding registry.terraform.io/hashicorp/aws")
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=os.devnull)
        init = subprocess.run(["terraform", "init", "-input=false", "-backend=false", f"-plugin-dir={plugin_dir}"],
                              cwd=directory, env=env, capture_output=True, text=True)
        self.assertEqual(init.returncode, 0, init.stdout + init.stderr)
        run = subprocess.run(["terraform", "validate", "-json"], cwd=directory, env=env,
                             capture_output=True, text=True)
        report = json.loads(run.stdout)
        problems = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')}" for d in report["diagnostics"]]
        self.assertEqual((report["error_count"], report["warning_count"]), (0, 0), "\n".join(problems))
        self.assertTrue(report["valid"])

    def test_compiled_specs_validate(self):
        for name, spec in cases().items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as tmp:
                result = compile_spec(spec, Path(tmp) / "out")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.validate(Path(tmp) / "out")

    def test_goldens_validate(self):
        for golden in sorted((Path(ARGS.root) / "golden" / "terraform").glob("*/main.tf.json")):
            with self.subTest(golden=str(golden)), tempfile.TemporaryDirectory() as tmp:
                shutil.copy(golden, tmp)
                self.validate(Path(tmp))

    def test_state_bucket_configuration_validates(self):
        with tempfile.TemporaryDirectory() as tmp:
            env = clean_env(TERRAFORM_STATE_BUCKET="payment-state", TERRAFORM_STATE_BUCKET_REGION="us-west-2",
                            ENVIRONMENT_SUFFIX="prod")
            result = compile_spec(Path(ARGS.root) / "specs" / "payment.pdr", Path(tmp) / "out", env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.validate(Path(tmp) / "out")


# Attributes holding a name AWS keeps unique in an account, a region, or (custom
# domain names) a region across all accounts; and the resource types whose name
# is only unique inside its parent (an API, a role), which may repeat.
NAME_KEYS = ("name", "name_prefix", "function_name", "identifier", "cluster_identifier",
             "global_cluster_identifier", "final_snapshot_identifier", "alarm_name", "dashboard_name",
             "bucket", "domain_name", "table_name", "queue_name", "topic_name", "role_name")
NAMED_INSIDE_A_PARENT = {"aws_apigatewayv2_authorizer", "aws_apigatewayv2_stage", "aws_iam_role_policy"}


@unittest.skipIf(shutil.which("terraform") is None,
                 "`terraform` is not on PATH: evaluating names needs Terraform 1.11")
class EnvironmentNames(unittest.TestCase):
    """Two environments in one account: no name AWS keeps unique may repeat.

    The names are evaluated by Terraform itself (`terraform console` with the
    compiled default and with `-var environment_suffix=...`), so the conditional
    that gives production the plain API name is checked as Terraform reads it.
    """

    def names(self, directory, suffix=None):
        config = json.loads((directory / "main.tf.json").read_text())
        found = {}
        for rtype, resources in config["resource"].items():
            if rtype in NAMED_INSIDE_A_PARENT:
                continue
            for rname, body in resources.items():
                for key in NAME_KEYS:
                    value = body.get(key)
                    # Names made of other resources' attributes (validation records
                    # from each.value) follow those resources.
                    if isinstance(value, str) and not re.search(r"\$\{(each\.|aws_|data\.)", value):
                        found[f"{rtype}.{rname}.{key}"] = value
        addresses = sorted(found)
        plugin_dir = find_plugin_dir()
        self.assertIsNotNone(plugin_dir, "no provider mirror found: set TF_PLUGIN_DIR")
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=os.devnull)
        if not (directory / ".terraform").exists():
            init = subprocess.run(["terraform", "init", "-input=false", "-backend=false",
                                   f"-plugin-dir={plugin_dir}"], cwd=directory, env=env,
                                  capture_output=True, text=True)
            self.assertEqual(init.returncode, 0, init.stdout + init.stderr)
        # One expression (console prints the result of the last line only): a list
        # of every name's template, in address order.
        stdin = "jsonencode([" + ", ".join(f"\"{found[a]}\"" for a in addresses) + "])\n"
        cmd = ["terraform", "console"] + ([f"-var=environment_suffix={suffix}"] if suffix else [])
        run = subprocess.run(cmd, cwd=directory, env=env, input=stdin, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertTrue(run.stdout.strip().startswith("\""), run.stdout[:2000] + run.stderr[:2000])
        values = json.loads(json.loads(run.stdout.strip().splitlines()[-1]))
        self.assertEqual(len(values), len(addresses), run.stdout)
        return dict(zip(addresses, values))

    def test_dev_and_prod_share_no_unique_name(self):
        spec = Path(ARGS.root) / "specs" / "payment.pdr"
        with tempfile.TemporaryDirectory() as tmp:
            built = {}
            for suffix in ("dev", "prod"):
                out = Path(tmp) / suffix
                result = compile_spec(spec, out, env=clean_env(ENVIRONMENT_SUFFIX=suffix))
                self.assertEqual(result.returncode, 0, result.stderr)
                built[suffix] = self.names(out)
            dev, prod = built["dev"], built["prod"]
            self.assertEqual(sorted(dev), sorted(prod))
            self.assertGreater(len(dev), 50)
            same = {a: dev[a] for a in dev if dev[a] == prod[a]}
            self.assertEqual(same, {}, "names both environments would claim")
            # The API: production on the plain name (the spec says so), dev on its own.
            domain = "aws_apigatewayv2_domain_name.api_primary.domain_name"
            self.assertEqual(prod[domain], "api.payments.example.com")
            self.assertEqual(dev[domain], "api-dev.payments.example.com")
            for kind in ("aws_acm_certificate", "aws_apigatewayv2_domain_name"):
                for role in ("primary", "secondary"):
                    self.assertEqual(dev[f"{kind}.api_{role}.domain_name"], dev[domain])
            for role in ("primary", "secondary"):
                self.assertEqual(dev[f"aws_route53_record.api_{role}.name"], dev[domain])
            # One artifact serves every environment: the prod build planned for dev
            # names exactly what the dev build does, never production's names.
            self.assertEqual(self.names(Path(tmp) / "prod", suffix="dev"), dev)
            self.assertEqual(self.names(Path(tmp) / "dev", suffix="prod"), prod)


class Configuration(unittest.TestCase):
    def load(self, env):
        with tempfile.TemporaryDirectory() as tmp:
            result = compile_spec(Path(ARGS.root) / "specs" / "payment.pdr", Path(tmp) / "out", env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            return json.loads((Path(tmp) / "out" / "main.tf.json").read_text())

    def test_local_state_by_default(self):
        config = self.load(clean_env())
        self.assertNotIn("backend", config["terraform"])
        self.assertEqual(config["variable"]["environment_suffix"]["default"], "dev")
        self.assertEqual(config["terraform"]["required_providers"], {"aws": {"source": "hashicorp/aws", "version": "~> 5.100"}})
        self.assertEqual(sorted(p["alias"] for p in config["provider"]["aws"]), ["primary", "secondary"])

    def test_s3_backend_and_suffix_from_environment(self):
        config = self.load(clean_env(TERRAFORM_STATE_BUCKET="payment-state",
                                     TERRAFORM_STATE_BUCKET_REGION="us-west-2", ENVIRONMENT_SUFFIX="prod"))
        backend = config["terraform"]["backend"]["s3"]
        self.assertEqual((backend["bucket"], backend["region"]), ("payment-state", "us-west-2"))
        self.assertIs(backend["encrypt"], True)
        self.assertIs(backend["use_lockfile"], True)
        self.assertEqual(config["variable"]["environment_suffix"]["default"], "prod")

    def test_no_seed_defect_reaches_the_output(self):
        config = self.load(clean_env())
        resources = config["resource"]
        for cluster in resources["aws_rds_cluster"].values():
            self.assertNotIn("backtrack_window", cluster)
            self.assertNotIn("master_password", cluster)
            self.assertNotIn("manage_master_user_password", cluster)
        self.assertNotIn("aws_lambda_function_url", resources)
        for record in resources["aws_route53_record"].values():
            self.assertNotEqual(record.get("type"), "CNAME")
        for function in resources["aws_lambda_function"].values():
            self.assertNotIn(function["runtime"], ("python3.8", "python3.9", "python3.10", "python3.11"))
        text = json.dumps(config)
        self.assertIn("master_password_wo", text)
        self.assertIn("secret_string_wo", text)


class GlobalDatabaseLifecycle(unittest.TestCase):
    """What AWS reports on a member of a global database but paydrc never sends
    must not plan a change: a secondary's `replication_source_identifier` (planning
    it away promotes the secondary out of the global database) and the member's
    `engine_version` after an upgrade made through the global cluster."""

    def members(self, doc):
        clusters = doc.get("resource", {}).get("aws_rds_cluster", {})
        return {name: body for name, body in clusters.items() if body.get("global_cluster_identifier")}

    def check(self, label, doc):
        members = self.members(doc)
        for name, body in members.items():
            ignored = [item for block in body.get("lifecycle", []) for item in block.get("ignore_changes", [])]
            for attribute in ("replication_source_identifier", "engine_version"):
                self.assertIn(attribute, ignored, f"{label}: aws_rds_cluster.{name} does not ignore {attribute}")
        for name, body in doc.get("resource", {}).get("aws_rds_cluster_instance", {}).items():
            cluster = body["cluster_identifier"].removeprefix("${aws_rds_cluster.").split(".")[0]
            if cluster in members:
                self.assertEqual(body.get("engine_version"), "${aws_rds_cluster." + cluster + ".engine_version}",
                                 f"{label}: aws_rds_cluster_instance.{name} pins an engine version of its own")
        return len(members)

    def test_every_member_cluster_ignores_what_aws_reports(self):
        checked = 0
        with tempfile.TemporaryDirectory() as tmp:
            for name, spec in cases().items():
                result = compile_spec(spec, Path(tmp) / name)
                self.assertEqual(result.returncode, 0, result.stderr)
                checked += self.check(name, json.loads((Path(tmp) / name / "main.tf.json").read_text()))
        self.assertGreater(checked, 0, "no spec has a global database: the test would check nothing")


class Determinism(unittest.TestCase):
    def test_identical_bytes_across_time_zone_locale_and_directory(self):
        spec = (Path(ARGS.root) / "specs" / "payment.pdr").resolve()
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            first = compile_spec(spec, Path(a) / "out", env=clean_env(TZ="UTC", LC_ALL="C", LANG="C"), cwd=a)
            # A relative spec path from another directory, another zone and locale.
            relative = os.path.relpath(spec, b)
            second = compile_spec(relative, Path(b) / "out", cwd=b,
                                  env=clean_env(TZ="Pacific/Kiritimati", LC_ALL="C.UTF-8", LANG="de_DE.UTF-8"))
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertEqual(second.returncode, 0, second.stderr)
            names = sorted(p.name for p in (Path(a) / "out").iterdir())
            self.assertEqual(names, sorted(p.name for p in (Path(b) / "out").iterdir()))
            self.assertIn("processor.zip", names)
            for name in names:
                self.assertEqual((Path(a) / "out" / name).read_bytes(), (Path(b) / "out" / name).read_bytes(), name)


class Packaging(unittest.TestCase):
    def test_source_outside_the_project_is_an_error(self):
        spec_text = (Path(ARGS.root) / "golden" / "terraform" / "minimal.pdr").read_text()
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "project"
            (project / ".git").mkdir(parents=True)
            (Path(tmp) / "outside").mkdir()
            (Path(tmp) / "outside" / "index.py").write_text("def handler(e, c): pass\n")
            spec = project / "spec.pdr"
            spec.write_text(spec_text.replace('source = "minimal_src"', 'source = "../outside"'))
            result = compile_spec(spec, Path(tmp) / "out")
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("source-outside-project", result.stdout + result.stderr)
            self.assertFalse((Path(tmp) / "out").exists())


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
