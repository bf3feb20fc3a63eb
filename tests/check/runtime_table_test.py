"""The Lambda runtime lifecycle table in compiler/check/runtimes.cpp must agree
with AWS's data as cfn-lint ships it (cfnlint/data/AdditionalSpecs/
LmbdRuntimeLifecycle.json). Skips only when cfn-lint is not installed."""
import json
import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ours():
    text = open(os.path.join(ROOT, "compiler/check/runtimes.cpp"), encoding="utf-8").read()
    rows = re.findall(r'\{"([^"]+)", "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)"\}', text)
    return {r[0]: {"deprecated": r[1], "create-block": r[2], "update-block": r[3], "successor": r[4] or None} for r in rows}


class RuntimeTable(unittest.TestCase):
    def test_matches_cfn_lint(self):
        try:
            import cfnlint
        except ImportError:
            self.skipTest("cfn-lint is not installed")
        path = os.path.join(os.path.dirname(cfnlint.__file__), "data/AdditionalSpecs/LmbdRuntimeLifecycle.json")
        theirs = json.load(open(path, encoding="utf-8"))
        table = ours()
        self.assertGreater(len(table), 30)
        for runtime, dates in theirs.items():
            with self.subTest(runtime=runtime):
                self.assertIn(runtime, table)
                for key in ("deprecated", "create-block", "update-block", "successor"):
                    self.assertEqual(table[runtime][key], dates.get(key), key)

    def test_python311_is_blocked_from_2026_07_31(self):
        self.assertEqual(ours()["python3.11"]["create-block"], "2026-07-31")
        self.assertEqual(ours()["python3.11"]["deprecated"], "2026-06-30")


if __name__ == "__main__":
    sys.exit(unittest.main())
