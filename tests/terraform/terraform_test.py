"""Terraform backend: goldens, `terraform validate`, determinism, configuration.

Run by ctest as `python3 terraform_test.py --paydrc PATH --root SOURCE_DIR`.
Goldens: golden/terraform/<case>/ holds manifest.json and <root>/main.tf.json of
every root module, for specs/payment.pdr (case `payment`) and every
golden/terraform/<case>.pdr. Rewrite them with PAYDRC_UPDATE_GOLDENS=1 and review
the change as a git diff.

`terraform validate` (per root, offline) needs the local mirror of the AWS
provider: TF_PLUGIN_DIR, else the first folder holding
registry.terraform.io/hashicorp/aws under a few usual places (tests/e2e/tfroots.py).
Without `terraform` on PATH those tests skip and say why.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
import tfroots  # noqa: E402  (the output layout and the provider mirror)

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
    found = tfroots.find_plugin_dir()
    return Path(found) if found else None


def generated_files(out):
    """What a golden records: manifest.json and every root's main.tf.json (the
    function zips have their own tests)."""
    return sorted(str(p.relative_to(out)) for p in Path(out).rglob("*.json"))


def merged(out):
    return tfroots.merged_config(str(out))


class Goldens(unittest.TestCase):
    def test_goldens_match(self):
        update = os.environ.get("PAYDRC_UPDATE_GOLDENS") == "1"
        for name, spec in cases().items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out"
                result = compile_spec(spec, out)
                self.assertEqual(result.returncode, 0, result.stderr)
                golden = Path(ARGS.root) / "golden" / "terraform" / name
                actual = generated_files(out)
                if update:
                    for old in generated_files(golden) if golden.is_dir() else []:
                        if old not in actual:
                            (golden / old).unlink()
                    for rel in actual:
                        (golden / rel).parent.mkdir(parents=True, exist_ok=True)
                        (golden / rel).write_bytes((out / rel).read_bytes())
                    for d in sorted(golden.iterdir()):
                        if d.is_dir() and not any(d.iterdir()):
                            d.rmdir()
                    continue
                self.assertTrue(golden.is_dir(), f"{golden} missing: run with PAYDRC_UPDATE_GOLDENS=1")
                self.assertEqual(actual, generated_files(golden),
                                 f"{name}: the roots differ from {golden} (PAYDRC_UPDATE_GOLDENS=1 rewrites them)")
                for rel in actual:
                    self.assertEqual((out / rel).read_text(), (golden / rel).read_text(),
                                     f"{name}: {rel} differs from {golden / rel} "
                                     "(PAYDRC_UPDATE_GOLDENS=1 rewrites it)")


@unittest.skipIf(shutil.which("terraform") is None,
                 "`terraform` is not on PATH: the validate tests need Terraform 1.11")
class Validate(unittest.TestCase):
    def validate(self, out):
        """`terraform validate` of every root of the manifest, offline."""
        plugin_dir = find_plugin_dir()
        self.assertIsNotNone(plugin_dir, "no provider mirror found: set TF_PLUGIN_DIR to the folder "
                                         "holding registry.terraform.io/hashicorp/aws")
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=os.devnull)
        roots = tfroots.load_roots(str(out))
        self.assertTrue(roots, f"{out}: the manifest lists no root")
        for root in roots:
            directory = Path(out) / root["dir"]
            init = subprocess.run(["terraform", "init", "-input=false", "-backend=false",
                                   f"-plugin-dir={plugin_dir}"],
                                  cwd=directory, env=env, capture_output=True, text=True)
            self.assertEqual(init.returncode, 0, root["dir"] + ": " + init.stdout + init.stderr)
            run = subprocess.run(["terraform", "validate", "-json"], cwd=directory, env=env,
                                 capture_output=True, text=True)
            report = json.loads(run.stdout)
            problems = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')}" for d in report["diagnostics"]]
            self.assertEqual((report["error_count"], report["warning_count"]), (0, 0),
                             root["dir"] + ":\n" + "\n".join(problems))
            self.assertTrue(report["valid"], root["dir"])

    def test_compiled_specs_validate(self):
        # Every golden case is one of these specs and `test_goldens_match` holds the
        # compiled bytes equal to the golden's, so this also validates every golden
        # (validating both would load the provider's schema twice per root for nothing).
        goldens = (Path(ARGS.root) / "golden" / "terraform").glob("*/manifest.json")
        self.assertEqual(sorted(p.parent.name for p in goldens), sorted(cases()),
                         "a golden case without its spec, or a spec without its golden")
        for name, spec in cases().items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as tmp:
                result = compile_spec(spec, Path(tmp) / "out")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.validate(Path(tmp) / "out")

    def test_state_bucket_configuration_validates(self):
        with tempfile.TemporaryDirectory() as tmp:
            env = clean_env(TERRAFORM_STATE_BUCKET="payment-state", TERRAFORM_STATE_BUCKET_REGION="us-west-2",
                            ENVIRONMENT_SUFFIX="prod")
            result = compile_spec(Path(ARGS.root) / "specs" / "payment.pdr", Path(tmp) / "out", env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.validate(Path(tmp) / "out")


# A reference to a block inside `${...}`: [data.|ephemeral.]aws_type.name
BLOCK_REF = re.compile(r"(?<![\w.])((?:data|ephemeral)\.)?(aws_\w+|terraform_remote_state)\.([\w-]+)")


def isolation_problems(root, earlier):
    """Why `root` (a manifest entry with its config) would need another region's
    API or a value not read from an earlier root's state; [] when it needs neither."""
    problems = []
    cfg = root["config"]
    role = root["region"]
    aliases = [p.get("alias") for p in tfroots.provider_blocks(cfg)]
    if aliases != [role]:
        problems.append(f"providers {aliases}, expected only {role}")
    if root.get("providers") != [role]:
        problems.append(f"manifest providers {root.get('providers')}")
    declared = set()
    for section in ("resource", "data", "ephemeral"):
        for rtype, blocks in cfg.get(section, {}).items():
            for name, body in blocks.items():
                declared.add((section, rtype, name))
                provider = body.get("provider")
                if rtype != "terraform_remote_state" and provider != f"aws.{role}":
                    problems.append(f"{section}.{rtype}.{name}: provider {provider}")
    # Every string but comments and provider names: expressions and depends_on.
    def strings(value, key=None):
        if isinstance(value, str):
            if key not in ("//", "provider", "description"):
                yield value
        elif isinstance(value, list):
            for item in value:
                yield from strings(item, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from strings(v, k)
    for text in strings({k: v for k, v in cfg.items() if k != "terraform"}):
        for prefix, rtype, name in BLOCK_REF.findall(text):
            section = prefix[:-1] if prefix else "resource"
            if (section, rtype, name) not in declared:
                problems.append(f"reads {prefix}{rtype}.{name}, which this root does not declare")
    remote = sorted(cfg.get("data", {}).get("terraform_remote_state", {}))
    if remote != sorted(root.get("reads", [])):
        problems.append(f"reads {remote}, manifest says {root.get('reads')}")
    for d in remote:
        if d not in earlier:
            problems.append(f"reads the state of {d}, which is not applied before it")
    return problems


class RegionIsolation(unittest.TestCase):
    """Contract C1: each root names only its own region's provider, and reads
    other roots only through their state (data.terraform_remote_state), so the
    roots of a surviving region plan and apply with the lost region's API down."""

    def check_output(self, out):
        roots = tfroots.load_roots(str(out))
        home = roots and next(r["region"] for r in roots if r["stage"] == "main")
        seen_outputs = {}
        earlier = []
        for root in roots:
            self.assertEqual(isolation_problems(root, earlier), [], root["dir"])
            self.assertEqual(root["outputs"], sorted(root["config"].get("output", {})), root["dir"])
            for name in root["outputs"]:
                self.assertNotIn(name, seen_outputs, f"output {name} in {root['dir']} and {seen_outputs.get(name)}")
                seen_outputs[name] = root["dir"]
            earlier.append(root["dir"])
        # The other regions' roots do not read the home region's failover root:
        # its health checks and records fail over without anyone applying anything.
        for root in roots:
            if root["region"] != home and root["stage"] != "watch":
                self.assertNotIn(f"{home}-failover", root["reads"], root["dir"])
        return roots

    def test_every_root_stays_in_its_region(self):
        for name, spec in cases().items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as tmp:
                result = compile_spec(spec, Path(tmp) / "out")
                self.assertEqual(result.returncode, 0, result.stderr)
                roots = self.check_output(Path(tmp) / "out")
                self.assertGreater(len({r["region"] for r in roots}), 1 if name == "payment" else 0)

    def test_payment_secondary_roots_have_no_primary_provider(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            result = compile_spec(Path(ARGS.root) / "specs" / "payment.pdr", out)
            self.assertEqual(result.returncode, 0, result.stderr)
            roots = self.check_output(out)
            secondary = [r for r in roots if r["region"] == "secondary"]
            self.assertTrue(secondary)
            for root in secondary:
                self.assertEqual(root["aws_region"], "us-west-2")
                text = json.dumps(root["config"])
                self.assertNotIn("aws.primary", text, root["dir"])
                self.assertNotIn('"alias": "primary"', text, root["dir"])
            # The regional root does read the primary's values, from its state.
            regional = next(r for r in secondary if r["stage"] == "regional")
            self.assertIn("primary", regional["reads"])
            self.assertEqual(regional["config"]["data"]["terraform_remote_state"]["primary"],
                             {"backend": "local", "config": {"path": "../primary/terraform.tfstate"}})

    def test_the_check_catches_a_reference_into_another_root(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            self.assertEqual(compile_spec(Path(ARGS.root) / "specs" / "payment.pdr", out).returncode, 0)
            roots = tfroots.load_roots(str(out))
            regional = next(r for r in roots if r["region"] == "secondary" and r["stage"] == "regional")
            earlier = [r["dir"] for r in roots[:roots.index(regional)]]
            self.assertEqual(isolation_problems(regional, earlier), [])
            broken = json.loads(json.dumps(regional))
            param = next(iter(broken["config"]["resource"]["aws_ssm_parameter"].values()))
            param["value"] = "${aws_rds_cluster.ledger_primary.endpoint}"
            self.assertTrue(any("ledger_primary" in p for p in isolation_problems(broken, earlier)))
            broken = json.loads(json.dumps(regional))
            broken["config"]["provider"]["aws"].append({"alias": "primary", "region": "us-east-1"})
            self.assertTrue(isolation_problems(broken, earlier))
            self.assertTrue(isolation_problems(regional, []), "reading a root not applied before")


# Attributes holding a name AWS keeps unique in an account, a region, or (custom
# domain names) a region across all accounts; and the resource types whose name
# is only unique inside its parent (an API, a role), which may repeat.
NAME_KEYS = ("name", "name_prefix", "function_name", "identifier", "cluster_identifier",
             "global_cluster_identifier", "final_snapshot_identifier", "alarm_name", "dashboard_name",
             "bucket", "domain_name", "table_name", "queue_name", "topic_name", "role_name")
NAMED_INSIDE_A_PARENT = {"aws_apigatewayv2_authorizer", "aws_apigatewayv2_stage", "aws_api_gateway_authorizer",
                         "aws_api_gateway_request_validator"}


@unittest.skipIf(shutil.which("terraform") is None,
                 "`terraform` is not on PATH: evaluating names needs Terraform 1.11")
class EnvironmentNames(unittest.TestCase):
    """Two environments in one account: no name AWS keeps unique may repeat.

    The names are evaluated by Terraform itself (`terraform console` with the
    compiled default and with `-var environment_suffix=...`), so the conditional
    that gives production the plain API name is checked as Terraform reads it.
    """

    def names(self, out, suffix=None):
        names = {}
        for root in tfroots.load_roots(str(out)):
            names.update(self.root_names(Path(out) / root["dir"], root["config"], suffix))
        return names

    def root_names(self, directory, config, suffix=None):
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
        if not addresses:
            return {}
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
            domain = "aws_api_gateway_domain_name.api_primary.domain_name"
            self.assertEqual(prod[domain], "api.payments.example.com")
            self.assertEqual(dev[domain], "api-dev.payments.example.com")
            for kind in ("aws_acm_certificate", "aws_api_gateway_domain_name"):
                for role in ("primary", "secondary"):
                    self.assertEqual(dev[f"{kind}.api_{role}.domain_name"], dev[domain])
            # Each region's own health name, one label like the failover name.
            for role, region in (("primary", "us-east-1"), ("secondary", "us-west-2")):
                health = f"aws_api_gateway_domain_name.api_{role}_health.domain_name"
                self.assertEqual(prod[health], f"api-{region}.payments.example.com")
                self.assertEqual(dev[health], f"api-{region}-dev.payments.example.com")
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
            return tfroots.load_manifest(str(Path(tmp) / "out")), tfroots.load_roots(str(Path(tmp) / "out")), \
                merged(Path(tmp) / "out")

    def test_local_state_by_default(self):
        manifest, roots, _ = self.load(clean_env())
        self.assertEqual((manifest["format"], manifest["system"], manifest["environment"]), (1, "payment", "dev"))
        for root in roots:
            config = root["config"]
            self.assertNotIn("backend", config["terraform"])
            self.assertEqual(config["variable"]["environment_suffix"]["default"], "dev")
            self.assertEqual(config["terraform"]["required_providers"],
                             {"aws": {"source": "hashicorp/aws", "version": "~> 5.100"}})
            self.assertEqual([p["alias"] for p in config["provider"]["aws"]], [root["region"]])
            self.assertEqual(root["state"], {"backend": "local", "path": root["dir"] + "/terraform.tfstate"})
        self.assertEqual(sorted({r["region"] for r in roots}), ["primary", "secondary"])
        # C1: the stages in apply order, the same as the CloudFormation stacks.
        self.assertEqual([r["dir"] for r in roots],
                         ["secondary-foundation", "primary", "secondary", "primary-failover"])

    def test_s3_backend_and_suffix_from_environment(self):
        _, roots, _ = self.load(clean_env(TERRAFORM_STATE_BUCKET="payment-state",
                                          TERRAFORM_STATE_BUCKET_REGION="us-west-2", ENVIRONMENT_SUFFIX="prod"))
        keys = set()
        for root in roots:
            config = root["config"]
            backend = config["terraform"]["backend"]["s3"]
            self.assertEqual((backend["bucket"], backend["region"]), ("payment-state", "us-west-2"))
            self.assertEqual(backend["key"], f"paydrc/payment/prod/{root['dir']}/terraform.tfstate")
            keys.add(backend["key"])
            self.assertIs(backend["encrypt"], True)
            self.assertIs(backend["use_lockfile"], True)
            self.assertEqual(config["variable"]["environment_suffix"]["default"], "prod")
            # Other roots' state from the same bucket, by variables an operator can
            # point at a replica of the bucket while its region is down.
            for d, remote in config.get("data", {}).get("terraform_remote_state", {}).items():
                self.assertEqual(remote, {"backend": "s3", "config": {
                    "bucket": "${var.state_bucket}", "region": "${var.state_bucket_region}",
                    "key": f"paydrc/payment/prod/{d}/terraform.tfstate"}})
                self.assertEqual(config["variable"]["state_bucket"]["default"], "payment-state")
        self.assertEqual(len(keys), len(roots), "one state per root")

    def test_no_seed_defect_reaches_the_output(self):
        _, _, config = self.load(clean_env())
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
                for root in tfroots.load_roots(str(Path(tmp) / name)):
                    checked += self.check(f"{name}/{root['dir']}", root["config"])
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
            names = sorted(str(p.relative_to(Path(a) / "out")) for p in (Path(a) / "out").rglob("*") if p.is_file())
            self.assertEqual(names, sorted(str(p.relative_to(Path(b) / "out"))
                                           for p in (Path(b) / "out").rglob("*") if p.is_file()))
            self.assertIn("processor.zip", names)
            self.assertIn("secondary/main.tf.json", names)
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
