"""The zip paydrc builds for the payment function holds exactly the function's own
files (lambda/, nothing else), byte for byte, with fixed timestamps and
permissions, and `source_code_hash` is the base64 SHA-256 of that zip."""
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


def function_files():
    out = {}
    src = os.path.join(ROOT, "lambda")
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
        zip_path = os.path.join(out, "processor.zip")
        expected = function_files()
        self.assertIn("index.py", expected)
        with zipfile.ZipFile(zip_path) as z:
            infos = z.infolist()
            self.assertEqual([i.filename for i in infos], sorted(expected))
            for info in infos:
                self.assertEqual(z.read(info), expected[info.filename], info.filename)
                self.assertEqual(info.date_time, (1980, 1, 1, 0, 0, 0))
                self.assertEqual((info.external_attr >> 16) & 0o777, 0o644)
        digest = base64.b64encode(hashlib.sha256(open(zip_path, "rb").read()).digest()).decode()
        # The zip sits beside the root modules; each root's functions point at it.
        with open(os.path.join(out, "manifest.json")) as f:
            roots = [r["dir"] for r in json.load(f)["roots"]]
        hashes = []
        for root in roots:
            with open(os.path.join(out, root, "main.tf.json")) as f:
                functions = json.load(f).get("resource", {}).get("aws_lambda_function", {}).values()
            for fn in functions:
                self.assertEqual(fn["filename"], "${path.module}/../" + os.path.basename(zip_path))
                hashes.append(fn["source_code_hash"])
        self.assertEqual(hashes, [digest] * len(hashes))
        self.assertEqual(len(hashes), 2)  # one function per region, one shared archive


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
