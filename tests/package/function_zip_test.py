"""The zip paydrc builds for the payment function holds exactly the function's own
files (lambda/, nothing else), byte for byte, with fixed timestamps and
permissions, and `source_code_hash` is the base64 SHA-256 of that zip. The same
holds for paydrc's built-in rotation function (builtin/secret_rotation), whose
sources are compiled into the binary."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("PAYDRC_BIN") or os.path.join(ROOT, "build/compiler/driver/paydrc"))


def function_files(directory="lambda"):
    out = {}
    src = os.path.join(ROOT, directory)
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if d != "__pycache__" and not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, src).replace(os.sep, "/")] = open(path, "rb").read()
    return out


class FunctionZip(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="paydrc-zip-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_zip_holds_exactly_the_function(self):
        out = os.path.join(self.tmp, "tf")
        r = subprocess.run([BIN, "specs/payment.pdr", "--target", "terraform", "-o", out], cwd=ROOT,
                           capture_output=True, timeout=120, env=dict(os.environ, SOURCE_DATE_EPOCH="1795478400"))
        self.assertEqual(r.returncode, 0, r.stderr)
        archives = {"processor.zip": "lambda", "paydrc-secret-rotation.zip": "builtin/secret_rotation",
                    "paydrc-jwt-authorizer.zip": "builtin/jwt_authorizer"}
        digests = {}
        for name, directory in archives.items():
            zip_path = os.path.join(out, name)
            expected = function_files(directory)
            self.assertIn("index.py", expected)
            with zipfile.ZipFile(zip_path) as z:
                infos = z.infolist()
                self.assertEqual([i.filename for i in infos], sorted(expected))
                for info in infos:
                    self.assertEqual(z.read(info), expected[info.filename], info.filename)
                    self.assertEqual(info.date_time, (1980, 1, 1, 0, 0, 0))
                    self.assertEqual((info.external_attr >> 16) & 0o777, 0o644)
            digests[name] = base64.b64encode(hashlib.sha256(open(zip_path, "rb").read()).digest()).decode()
        # The zips sit beside the root modules; each root's functions point at theirs.
        with open(os.path.join(out, "manifest.json")) as f:
            roots = [r["dir"] for r in json.load(f)["roots"]]
        seen = []
        for root in roots:
            with open(os.path.join(out, root, "main.tf.json")) as f:
                functions = json.load(f).get("resource", {}).get("aws_lambda_function", {}).values()
            for fn in functions:
                name = fn["filename"].removeprefix("${path.module}/../")
                self.assertIn(name, archives)
                self.assertEqual(fn["source_code_hash"], digests[name], name)
                seen.append(name)
        # the payment function and the JWT authorizer in each region, one shared archive
        # each; one rotation function
        self.assertEqual(sorted(seen), ["paydrc-jwt-authorizer.zip", "paydrc-jwt-authorizer.zip",
                                        "paydrc-secret-rotation.zip", "processor.zip", "processor.zip"])

if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
