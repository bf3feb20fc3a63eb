"""The paydrc command line: exit statuses (0 ok, 1 spec errors, 2 usage or
unreadable input), located errors for hostile bytes, and nothing written when a
spec has errors. PAYDRC_BIN names the binary (ctest sets it)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("PAYDRC_BIN") or os.path.join(ROOT, "build/compiler/driver/paydrc"))
PINNED = {"SOURCE_DATE_EPOCH": "1795478400", "NO_COLOR": "1"}  # 2026-11-24


def run(*args, cwd=ROOT, env=None, timeout=60):
    e = dict(os.environ)
    e.update(PINNED)
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], cwd=cwd, env=e, capture_output=True, timeout=timeout)


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="paydrc-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def test_version_and_help(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(b"paydrc "))
        self.assertEqual(run("--help").returncode, 0)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run("--bogus").returncode, 2)
        self.assertEqual(run("specs/payment.pdr", "--target", "pulumi").returncode, 2)
        self.assertEqual(run("check").returncode, 2)
        self.assertEqual(run("specs/payment.pdr").returncode, 2)  # no --target
        self.assertEqual(run("check", os.path.join(self.tmp, "missing.pdr")).returncode, 2)
        self.assertEqual(run("check", self.tmp).returncode, 2)  # a directory

    def test_reference_spec_checks_and_is_formatted(self):
        self.assertEqual(run("check", "specs/payment.pdr").returncode, 0)
        self.assertEqual(run("fmt", "--check", "specs/payment.pdr").returncode, 0)

    def test_check_json(self):
        bad = self.write("bad.pdr", "system x {\n  objectives { rpo = 5 }\n}\n")
        r = run("check", "--format", "json", bad)
        self.assertEqual(r.returncode, 1)
        out = json.loads(r.stdout)
        diags = out["files"][0]["diagnostics"]
        self.assertTrue(any(d["id"] == "type-mismatch" and d["range"]["line"] == 2 for d in diags))

    def test_seed_defects_each_get_one_located_error_with_a_hint(self):
        spec = open(os.path.join(ROOT, "specs/payment.pdr"), encoding="utf-8").read()
        spec = spec.replace('runtime = "python3.12"', 'runtime = "python3.11"')
        spec = spec.replace("front_door = rest_api", "front_door = function_url")
        spec = spec.replace("failover = manual", "failover = switchover")
        spec = spec.replace("    backup_retention = 7d\n", "    backup_retention = 7d\n    backtrack = 24h\n", 1)
        path = os.path.join(ROOT, "specs", ".seed_defects_test.pdr")  # inside the project: source stays valid
        with open(path, "w", encoding="utf-8") as f:
            f.write(spec)
        try:
            r = run("check", "--format", "json", path)
        finally:
            os.remove(path)
        self.assertEqual(r.returncode, 1)
        diags = json.loads(r.stdout)["files"][0]["diagnostics"]
        ids = sorted(d["id"] for d in diags)
        self.assertEqual(ids, ["backtrack-on-global", "function-url-failover", "runtime-not-deployable", "switchover-for-outage"])
        for d in diags:
            self.assertTrue(d["hint"])
            self.assertGreater(d["range"]["line"], 0)
            self.assertGreater(d["range"]["column"], 0)

    def test_hostile_bytes_get_located_errors_and_write_nothing(self):
        cases = {
            "empty": b"",
            "binary": bytes(range(256)) * 40,
            "truncated": open(os.path.join(ROOT, "specs/payment.pdr"), "rb").read()[:900],
            "deep_lists": b"system x { a = " + b"[" * 100000 + b"]" * 100000 + b" }",
            "deep_blocks": b"system x " + b"{ a " * 100000,
            "deep_maps": b"system x { a = " + b"{ k: " * 100000,
            "big_string": b'system x { packs = ["' + b"a" * (5 * 1024 * 1024) + b'"] }',
            "big_unterminated": b'system x { packs = ["' + b"a" * (5 * 1024 * 1024),
            "nul": b"system x {\n  packs = [\"a\x00\"]\n}\n",
            "invalid_utf8": b"system x {\n  \xff\xfe = 1\n}\n",
            "lone_cr": b"system x {\r  packs = []\r}\r",
            "junk_tokens": b"} ] = , : " * 100000,
        }
        for name, data in cases.items():
            with self.subTest(name):
                spec = self.write(name + ".pdr", data)
                out = os.path.join(self.tmp, "out-" + name)
                r = run(spec, "--target", "terraform", "-o", out, timeout=60)
                self.assertEqual(r.returncode, 1, r.stderr[-2000:])
                first = r.stderr.decode("utf-8", "replace").splitlines()[0]
                self.assertRegex(first, r"^.*\.pdr:\d+:\d+: error: ")
                self.assertFalse(os.path.exists(out))
                self.assertEqual(sorted(os.listdir(self.tmp)), sorted(os.listdir(self.tmp)))
                leftovers = [n for n in os.listdir(self.tmp) if n.startswith("out-")]
                self.assertEqual(leftovers, [])

    def test_compile_writes_the_whole_output(self):
        out = os.path.join(self.tmp, "tf")
        r = run("specs/payment.pdr", "--target", "terraform", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        # One root module per region stage, listed in apply order (README, "Terraform output").
        with open(os.path.join(out, "manifest.json")) as f:
            roots = [r["dir"] for r in json.load(f)["roots"]]
        self.assertIn("secondary", roots)
        for d in roots:
            self.assertTrue(os.path.isfile(os.path.join(out, d, "main.tf.json")), d)
        self.assertEqual([n for n in os.listdir(self.tmp) if n != "tf"], [])  # no temp dirs left behind
        # A second compile replaces only the files paydrc wrote (tests/cli/output_test.py).
        with open(os.path.join(out, "notes.txt"), "w") as f:
            f.write("mine")
        self.assertEqual(run("specs/payment.pdr", "--target", "terraform", "-o", out).returncode, 0)
        with open(os.path.join(out, "notes.txt")) as f:
            self.assertEqual(f.read(), "mine")

    def test_policy_errors_block_output_and_fail_check(self):
        spec = "golden/policies/DR-RTO/fail.pdr"
        out = os.path.join(self.tmp, "tf")
        r = run(spec, "--target", "terraform", "-o", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"[DR-RTO]", r.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(run("check", spec).returncode, 1)
        # Warnings alone pass.
        self.assertEqual(run("check", "golden/policies/DR-EVENTS-ARCHIVE/fail.pdr").returncode, 0)

    def test_check_under_both_packs(self):
        self.assertEqual(run("check", "--pack", "baseline", "specs/payment.pdr").returncode, 0)
        # The reference spec passes the pci-dss pack (its REST front door carries AWS
        # WAF, PCI DSS 6.4.2); the same system behind an HTTP API, which WAF cannot
        # protect, fails with exactly one SEC-API-WAF error per region.
        pci = run("check", "--pack", "pci-dss", "specs/payment.pdr")
        self.assertEqual(pci.returncode, 0, pci.stderr.decode())
        self.assertNotIn(": error: ", pci.stderr.decode())
        spec = open(os.path.join(ROOT, "specs/payment.pdr"), encoding="utf-8").read()
        self.assertIn("front_door = rest_api", spec)
        http = os.path.join(ROOT, "specs", ".http_front_door_test.pdr")  # inside the project: source stays valid
        with open(http, "w", encoding="utf-8") as f:
            f.write(spec.replace("front_door = rest_api", "front_door = http_api"))
        try:
            pci = run("check", "--pack", "pci-dss", http)
        finally:
            os.remove(http)
        self.assertEqual(pci.returncode, 1)
        errors = [line for line in pci.stderr.decode().splitlines() if ": error: " in line]
        self.assertEqual(len(errors), 2, errors)
        self.assertTrue(all(line.endswith("[SEC-API-WAF]") for line in errors), errors)
        self.assertEqual(run("check", "--pack", "nope", "specs/payment.pdr").returncode, 1)

    def test_explain_is_a_markdown_review_with_a_safe_runbook(self):
        r = run("explain", "specs/payment.pdr")
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout.decode()
        self.assertTrue(text.startswith("# paydrc review: `payment`"))
        self.assertIn("| region outage | 10m30s / 15m ok | 2m / 5m ok |", text)
        # Every term names what delivers it, in both backends.
        self.assertIn("delivered by `aws_sns_topic_subscription.secondary_alarms_email_77e00aa1 / SecondaryAlarmsEmail77e00aa1Subscription", text)
        self.assertIn("--global-cluster-identifier payment-ledger-global-dev", text)
        self.assertIn("--allow-data-loss", text)  # an outage runbook cannot use a switchover
        # The embedded runbook (`paydrc runbook`): real names and outputs, no placeholders.
        self.assertIn("aws rds failover-global-cluster --region us-west-2", text)
        self.assertIn('"$API_PRIMARY_HEALTH_CHECK_ID"', text)
        self.assertNotIn("<id of", text)
        self.assertNotIn("--disable", text)
        again = run("explain", "specs/payment.pdr", env={"TZ": "Pacific/Auckland", "ENVIRONMENT_SUFFIX": "prod"})
        self.assertIn("payment-ledger-global-prod", again.stdout.decode())
        self.assertEqual(run("explain", "golden/policies/DR-RTO/fail.pdr").returncode, 1)
        # --target works for explain as for compiling.
        cfn = run("explain", "--target", "cloudformation", "specs/payment.pdr").stdout.decode()
        self.assertIn("## Deploying with cloudformation", cfn)
        self.assertIn("1. `payment-secondary-foundation-${EnvironmentSuffix}` in us-west-2", cfn)
        tf = run("explain", "--target", "terraform", "specs/payment.pdr").stdout.decode()
        self.assertIn("1. `secondary-foundation` in us-west-2", tf)
        self.assertIn("4. `primary-failover` in us-east-1", tf)
        self.assertIn("for dir in secondary-foundation primary secondary primary-failover; do", tf)
        self.assertEqual(run("explain", "--target", "pulumi", "specs/payment.pdr").returncode, 2)

    def test_dr_budget(self):
        r = run("dr", "specs/payment.pdr")
        self.assertEqual(r.returncode, 0)
        text = r.stdout.decode()
        self.assertIn("region outage", text)
        self.assertIn("RTO      10m30s of    15m", text)
        # The operator is paged by the secondary's lag alarm (it survives the outage),
        # and the budget names the alarm and who it notifies.
        self.assertIn("paging: alarm `replication_lag` in `secondary`", text)
        self.assertIn("by aws_cloudwatch_metric_alarm.replication_lag_secondary / ReplicationLagSecondaryAlarm in secondary", text)
        self.assertIn("total per month", text)

    def test_dr_json_and_exit_status(self):
        r = run("dr", "--format", "json", "specs/payment.pdr")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["objectives_met"])
        region = next(s for s in doc["scenarios"] if s["scenario"] == "region_outage")
        self.assertEqual(region["rto"]["achieved_seconds"], 630)
        for term in region["rto"]["terms"]:
            if term["basis"] != "declared":
                self.assertTrue(term["evidence"], term["what"])
        # An objective that is not met fails the command, so CI can gate on it.
        self.assertEqual(run("dr", "golden/policies/DR-RTO/fail.pdr").returncode, 1)
        self.assertEqual(run("dr", "golden/policies/DR-RTO/fail_nobody_paged.pdr").returncode, 1)

    def test_mutated_specs_never_crash(self):
        # Deterministic byte-level mutations of the reference spec: every run must
        # end with 0 or 1 and a located first error, never a signal or a hang.
        import random
        rng = random.Random(20261124)
        original = open(os.path.join(ROOT, "specs/payment.pdr"), "rb").read()
        tokens = [b"{", b"}", b"[", b"]", b"=", b",", b":", b"\"", b"$", b"5m", b"0.0.0.0/0", b"\x00", b"\xff",
                  b"//", b"\n", b"system", b"region", b"-1", b"99999999999999999999", b"2027-02-30"]
        for i in range(150):
            data = bytearray(original)
            for _ in range(rng.randint(1, 6)):
                pos = rng.randrange(len(data))
                choice = rng.random()
                if choice < 0.4:
                    del data[pos:pos + rng.randint(1, 40)]
                elif choice < 0.8:
                    data[pos:pos] = rng.choice(tokens)
                else:
                    data[pos] = rng.randrange(256)
            spec = self.write(f"mut{i}.pdr", bytes(data))
            r = run("check", spec, timeout=30)
            self.assertIn(r.returncode, (0, 1), f"case {i}: {r.stderr[-500:]!r}")
            if r.returncode == 1 and b": error: " in r.stderr:
                first = r.stderr.split(b"\n")[0]
                self.assertRegex(first, rb"(\.pdr|\.yaml):\d+:\d+: error: ", f"case {i}")

    def test_fmt_rewrites_and_check_detects(self):
        path = self.write("messy.pdr", "system x{objectives{rpo=5m rto=15m}}\n")
        self.assertEqual(run("fmt", "--check", path).returncode, 1)
        self.assertEqual(run("fmt", path).returncode, 0)
        self.assertEqual(run("fmt", "--check", path).returncode, 0)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "system x {\n  objectives {\n    rpo = 5m\n    rto = 15m\n  }\n}\n")

    def test_fmt_refuses_syntax_errors_without_touching_the_file(self):
        path = self.write("broken.pdr", "system x {\n")
        self.assertEqual(run("fmt", path).returncode, 1)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "system x {\n")

    def test_dump_is_stable(self):
        a = run("dump", "ir", "specs/payment.pdr")
        b = run("dump", "ir", os.path.join(ROOT, "specs/payment.pdr"), cwd=self.tmp, env={"TZ": "Asia/Tokyo", "LC_ALL": "C"})
        self.assertEqual(a.returncode, 0)
        self.assertEqual(a.stdout, b.stdout)
        self.assertEqual(run("dump", "ast", "specs/payment.pdr").returncode, 0)

    def test_no_color_unless_terminal(self):
        bad = self.write("bad.pdr", "system x {}\n")
        r = run("check", bad)
        self.assertNotIn(b"\x1b[", r.stderr)


ENVIRONMENTS = """
  environment dev {
    budget = $1400

    database ledger {
      instance_class = "db.r6g.large"
    }

    function processor {
      memory = 512MB
    }
  }

  environment staging {
  }

  environment prod {
  }
"""


class Environments(unittest.TestCase):
    """One spec, several environments: overrides, selection, every environment
    judged by `check`, waivers limited to some environments."""

    def setUp(self):
        # Inside specs/ so the function source stays inside the project.
        self.dir = tempfile.mkdtemp(prefix=".envs-", dir=os.path.join(ROOT, "specs"))
        self.out = tempfile.mkdtemp(prefix="paydrc-envs-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.out, ignore_errors=True)

    def spec(self, extra=ENVIRONMENTS, edit=lambda s: s):
        with open(os.path.join(ROOT, "specs/payment.pdr"), encoding="utf-8") as f:
            base = f.read()
        base = edit(base.replace('source = "../lambda"', 'source = "../../lambda"'))
        end = base.rstrip().rindex("}")
        path = os.path.join(self.dir, "payment.pdr")
        with open(path, "w", encoding="utf-8") as f:
            f.write(base[:end] + extra + "}\n")
        return path

    def compile(self, spec, target, env_name, **kw):
        out = os.path.join(self.out, target, env_name)
        r = run(spec, "--target", target, "-o", out, env={"ENVIRONMENT_SUFFIX": env_name}, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    @staticmethod
    def differences(a, b, path=()):
        if isinstance(a, dict) and isinstance(b, dict):
            out = set()
            for k in set(a) | set(b):
                if k not in a or k not in b:
                    out.add(path + (k,))
                else:
                    out |= Environments.differences(a[k], b[k], path + (k,))
            return out
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            out = set()
            for i, (x, y) in enumerate(zip(a, b)):
                out |= Environments.differences(x, y, path + (i,))
            return out
        return set() if a == b else {path}

    def test_terraform_of_dev_and_prod_differ_exactly_in_the_overrides(self):
        spec = self.spec()
        dirs = {name: self.compile(spec, "terraform", name) for name in ("dev", "prod")}
        roots = {}
        for name in ("dev", "prod"):
            with open(os.path.join(dirs[name], "manifest.json")) as f:
                roots[name] = [r["dir"] for r in json.load(f)["roots"]]
        self.assertEqual(roots["dev"], roots["prod"])
        leaves = set()
        for root in roots["dev"]:
            docs = {}
            for name in ("dev", "prod"):
                with open(os.path.join(dirs[name], root, "main.tf.json")) as f:
                    docs[name] = json.load(f)
            diff = self.differences(docs["dev"], docs["prod"])
            outside_variable = {p for p in diff if p[:2] != ("variable", "environment_suffix")}
            leaves |= {(p[1], p[-1]) for p in outside_variable}
            for name in ("dev", "prod"):
                variable = docs[name]["variable"]["environment_suffix"]
                self.assertEqual(variable["default"], name)
                # Planned with another suffix, this file would deploy that environment with these settings.
                conditions = [v["condition"] for v in variable["validation"]]
                self.assertIn('${var.environment_suffix == "%s"}' % name, conditions)
        self.assertEqual(sorted(leaves),
                         [("aws_lambda_function", "memory_size"), ("aws_rds_cluster_instance", "instance_class")])

    def test_cloudformation_of_dev_and_prod_differ_exactly_in_the_overrides(self):
        spec = self.spec()
        dirs = {name: self.compile(spec, "cloudformation", name) for name in ("dev", "prod")}
        templates = sorted(n for n in os.listdir(dirs["dev"]) if n.endswith(".json"))
        self.assertEqual(templates, sorted(n for n in os.listdir(dirs["prod"]) if n.endswith(".json")))
        leaves = set()
        for t in templates:
            docs = {}
            for name in ("dev", "prod"):
                with open(os.path.join(dirs[name], t)) as f:
                    docs[name] = json.load(f)
            for p in self.differences(docs["dev"], docs["prod"]):
                if t == "manifest.json":
                    self.assertEqual(p[:2], ("inputs", "EnvironmentSuffix"), p)
                elif p[:2] == ("Parameters", "EnvironmentSuffix"):
                    self.assertIn(p[2], ("Default", "AllowedValues", "ConstraintDescription"), p)
                else:
                    leaves.add((docs["dev"]["Resources"][p[1]]["Type"], p[-1]))
            params = docs["dev"].get("Parameters", {})
            if "EnvironmentSuffix" in params:
                self.assertEqual(params["EnvironmentSuffix"]["AllowedValues"], ["dev"])
        self.assertEqual(sorted(leaves), [("AWS::Lambda::Function", "MemorySize"), ("AWS::RDS::DBInstance", "DBInstanceClass")])

    def test_selecting_an_undeclared_environment_is_a_usage_error(self):
        spec = self.spec()
        out = os.path.join(self.out, "typo")
        r = run(spec, "--target", "terraform", "-o", out, env={"ENVIRONMENT_SUFFIX": "prd"})
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(b"did you mean `prod`?", r.stderr)
        self.assertFalse(os.path.exists(out))
        # The default (`dev`) is declared here; --env selects, and must agree with the variable.
        self.assertEqual(run(spec, "--target", "terraform", "-o", out, "--env", "staging").returncode, 0)
        r = run(spec, "--target", "terraform", "-o", out, "--env", "prod", env={"ENVIRONMENT_SUFFIX": "dev"})
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"disagree", r.stderr)
        self.assertEqual(run("dr", "--env", "prd", spec).returncode, 2)
        self.assertEqual(run("explain", spec, env={"ENVIRONMENT_SUFFIX": "qa"}).returncode, 2)
        # A spec declaring no environments compiles under any valid suffix, as before.
        self.assertEqual(run("specs/payment.pdr", "-t", "terraform", "-o", os.path.join(self.out, "any"),
                             "--env", "qa").returncode, 0)

    def test_dr_and_explain_name_the_selected_environment(self):
        spec = self.spec()
        r = run("dr", "--env", "dev", spec)
        self.assertIn(b"Recovery budget for `payment` in environment `dev`", r.stdout)
        r = run("dr", "--format", "json", spec, env={"ENVIRONMENT_SUFFIX": "prod"})
        self.assertEqual(json.loads(r.stdout)["environment"], "prod")
        r = run("explain", "--env", "prod", spec)
        self.assertIn(b"environment `prod` (its overrides applied", r.stdout)

    def test_check_judges_every_environment_and_waivers_hold_where_they_say(self):
        # One NAT gateway per region everywhere, accepted outside production only.
        limit = lambda s: s.replace("    until = 2027-06-30\n  }", '    until = 2027-06-30\n    environments = ["dev", "staging"]\n  }')
        spec = self.spec(edit=limit)
        r = run("check", "--format", "json", spec)
        doc = json.loads(r.stdout)["files"][0]
        self.assertEqual(doc["environments"], ["dev", "staging", "prod"])
        nat = [(f["range"]["line"], f["waived"], f["environments"]) for f in doc["findings"] if f["id"] == "COST-NAT-SINGLE"]
        lines = sorted({line for line, _, _ in nat})
        self.assertEqual(len(lines), 2)  # the two regions
        for line in lines:
            self.assertEqual(sorted((w, e) for l, w, e in nat if l == line),
                             [(False, ["prod"]), (True, ["dev", "staging"])])
        text = run("check", spec).stderr.decode()
        self.assertIn("note: in environment `prod`", text)
        sarif = json.loads(run("check", "--format", "sarif", spec).stdout)
        results = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "COST-NAT-SINGLE"]
        unwaived = [x for x in results if "suppressions" not in x]
        self.assertTrue(unwaived)
        for x in unwaived:
            self.assertEqual(x["properties"]["environments"], ["prod"])
            self.assertIn("(environment: prod)", x["message"]["text"])

    def test_a_violation_only_prod_has_is_found_whichever_environment_compiles(self):
        # prod alone turns PITR off on a table; dev compiles and is fine.
        extra = ENVIRONMENTS.replace("  environment prod {\n  }", "  environment prod {\n    table sessions {\n      point_in_time_recovery = off\n    }\n  }")
        spec = self.spec(extra)
        doc = json.loads(run("check", "--format", "json", spec).stdout)["files"][0]
        prod_only = [f for f in doc["findings"] if f["environments"] == ["prod"] and not f["waived"]]
        # The rule on the table, located at the override, and the DR analysis of
        # prod: without PITR its logical-corruption RPO is missed.
        self.assertEqual(sorted(f["id"] for f in prod_only), ["DR-RPO", "SEC-TABLE-PITR"], doc["findings"])
        pitr = next(f for f in prod_only if f["id"] == "SEC-TABLE-PITR")
        with open(spec, encoding="utf-8") as f:
            self.assertIn("point_in_time_recovery = off", f.read().splitlines()[pitr["range"]["line"] - 1])
        self.assertEqual(run("check", spec).returncode, 1)
        # dev alone compiles: what it generates is dev's.
        self.assertEqual(run(spec, "-t", "terraform", "-o", os.path.join(self.out, "dev")).returncode, 0)

    def test_bad_overrides_are_located_errors(self):
        extra = """
  environment dev {
    region primary {
      name = "eu-west-1"
    }

    database ledgr {
      instances = 1
    }
  }
"""
        r = run("check", self.spec(extra))
        self.assertEqual(r.returncode, 1)
        text = r.stderr.decode()
        self.assertIn("`name` of `region primary` cannot vary per environment [fixed-across-environments]", text)
        self.assertIn("did you mean `ledger`?", text)


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
