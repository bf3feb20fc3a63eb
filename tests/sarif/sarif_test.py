"""`paydrc check --format sarif` against the SARIF 2.1.0 schema (from
../shared/schemas, or PAYDRC_SARIF_SCHEMA), plus what GitHub code scanning
needs: every rule in tool.driver.rules with help text, results located in the
.pdr, waived findings as suppressions."""
import json
import os
import subprocess
import sys
import unittest

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("PAYDRC_BIN") or os.path.join(ROOT, "build/compiler/driver/paydrc"))
SCHEMA = os.environ.get("PAYDRC_SARIF_SCHEMA") or os.path.join(
    os.path.dirname(ROOT), "shared", "schemas", "sarif-schema-2.1.0.json")
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1795478400", NO_COLOR="1")


def sarif(*specs):
    r = subprocess.run([BIN, "check", "--format", "sarif", *specs], cwd=ROOT, env=ENV, capture_output=True, timeout=60)
    return r.returncode, json.loads(r.stdout)


class Sarif(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA, encoding="utf-8") as f:
            cls.validator = jsonschema.Draft4Validator(json.load(f))

    def assertValid(self, doc):
        errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.path))
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors[:5]], [])

    def test_clean_spec(self):
        code, doc = sarif("specs/payment.pdr")
        self.assertEqual(code, 0)
        self.assertValid(doc)
        run = doc["runs"][0]
        ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
        for rule in ("DR-RTO", "DR-RPO", "COST-BUDGET", "WAIVER-EXPIRED", "syntax-error"):
            self.assertIn(rule, ids)
        for rule in run["tool"]["driver"]["rules"]:
            self.assertTrue(rule["help"]["text"])
        # The reference spec's waived findings (two NAT gateways, its placeholder
        # domain) are suppressions, not failures.
        waived = [r for r in run["results"] if r.get("suppressions")]
        self.assertEqual(sorted(r["ruleId"] for r in waived),
                         ["COST-NAT-SINGLE", "COST-NAT-SINGLE", "DR-API-ACCOUNT-ROLE", "DR-API-ACCOUNT-ROLE",
                          "DR-ZONE-RESERVED"])

    def test_findings_are_located(self):
        code, doc = sarif("golden/policies/DR-RTO/fail.pdr", "golden/policies/WAIVER-EXPIRED/fail.pdr")
        self.assertEqual(code, 1)
        self.assertValid(doc)
        results = doc["runs"][0]["results"]
        rto = [r for r in results if r["ruleId"] == "DR-RTO"]
        self.assertTrue(rto)
        loc = rto[0]["locations"][0]["physicalLocation"]
        self.assertEqual(loc["artifactLocation"]["uri"], "golden/policies/DR-RTO/fail.pdr")
        self.assertEqual(loc["region"]["startLine"], 9)
        self.assertTrue(rto[0]["relatedLocations"])  # the budget's contributors
        self.assertEqual(rto[0]["level"], "error")
        rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
        self.assertEqual(rule_ids[rto[0]["ruleIndex"]], "DR-RTO")
        self.assertTrue(any(r["ruleId"] == "WAIVER-EXPIRED" for r in results))

    def test_custom_rules_are_listed_with_their_results(self):
        code, doc = sarif("tests/policies/data/custom.pdr")
        self.assertValid(doc)
        run = doc["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        custom = {r["id"]: r for r in rules if "custom" in r["properties"]["tags"]}
        self.assertIn("ORG-FN-MEMORY", custom)
        self.assertIn("Condition:", custom["ORG-FN-MEMORY"]["help"]["text"])
        results = [r for r in run["results"] if r["ruleId"] in custom]
        self.assertTrue(results)
        for r in results:
            self.assertEqual(rules[r["ruleIndex"]]["id"], r["ruleId"])

    def test_spec_errors(self):
        code, doc = sarif("golden/fail_backtrack_on_global.pdr")
        self.assertEqual(code, 1)
        self.assertValid(doc)
        self.assertEqual([r["ruleId"] for r in doc["runs"][0]["results"]], ["backtrack-on-global"])


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
