"""What `paydrc FILE -o DIR` may touch: only files it wrote itself, listed with
their SHA-256 in DIR/.paydrc-files. Terraform's working files, a repository, the
spec and the function source survive; anything paydrc cannot prove is its own
makes it refuse with exit 2 and change nothing. Also the environment variables
that shape the output (ENVIRONMENT_SUFFIX, TERRAFORM_STATE_BUCKET), checked at
compile time. PAYDRC_BIN names the binary (ctest sets it)."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import ROOT, run  # noqa: E402

MINIMAL = os.path.join(ROOT, "golden", "terraform", "minimal.pdr")
MINIMAL_SRC = os.path.join(ROOT, "golden", "terraform", "minimal_src")
# Variables that change the output on purpose; each test sets them itself.
OUTPUT_ENV = {"ENVIRONMENT_SUFFIX": "", "TERRAFORM_STATE_BUCKET": "", "TERRAFORM_STATE_BUCKET_REGION": ""}
MANIFEST = ".paydrc-files"
# What the minimal spec compiles to: one root module per region stage (README,
# "Terraform output"), the roots' manifest and the function zip.
HOME = "east"
WRITTEN = ["east/main.tf.json", "manifest.json", "west-foundation/main.tf.json", "west/main.tf.json", "worker.zip"]
TOP = ["east", "manifest.json", "west", "west-foundation", "worker.zip"]


def read(path, text=False):
    with open(path, encoding="utf-8") if text else open(path, "rb") as f:
        return f.read()


def compile_tf(spec, out, cwd=ROOT, **env):
    return run(spec, "--target", "terraform", "-o", out, cwd=cwd, env={**OUTPUT_ENV, **env})


def snapshot(top):
    """Every path below `top` with its bytes (files), its target (links) or None (directories)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for d in dirnames:
            found[os.path.relpath(os.path.join(dirpath, d), top)] = None
        for f in filenames:
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, top)
            found[rel] = ("link", os.readlink(path)) if os.path.islink(path) else read(path)
    return found


def manifest(out):
    entries = {}
    with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
        for line in f:
            digest, name = line.rstrip("\n").split("  ", 1)
            entries[name] = digest
    return entries


def sha256(path):
    return hashlib.sha256(read(path)).hexdigest()


class OutputDirectory(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="paydrc-output-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def project(self, spec_dir=".", source_dir="minimal_src", git=True):
        """A repository holding the minimal spec and its function source; returns (root, spec path)."""
        root = os.path.join(self.tmp, "project")
        os.makedirs(os.path.join(root, spec_dir), exist_ok=True)
        shutil.copytree(MINIMAL_SRC, os.path.join(root, source_dir))
        source = os.path.relpath(os.path.join(root, source_dir), os.path.join(root, spec_dir))
        text = read(MINIMAL, text=True).replace('source = "minimal_src"', f'source = "{source}"')
        spec = os.path.join(root, spec_dir, "app.pdr")
        with open(spec, "w", encoding="utf-8") as f:
            f.write(text)
        if git:
            if shutil.which("git"):
                subprocess.run(["git", "init", "-q", root], check=True)
            else:
                os.makedirs(os.path.join(root, ".git"))
                with open(os.path.join(root, ".git", "HEAD"), "w") as f:
                    f.write("ref: refs/heads/main\n")
        return root, spec

    def assert_refused(self, result, *phrases):
        self.assertEqual(result.returncode, 2, result.stderr.decode(errors="replace"))
        err = result.stderr.decode()
        self.assertIn("paydrc: error: ", err)
        self.assertIn("\nhint: ", err)
        for phrase in phrases:
            self.assertIn(phrase, err)

    def test_terraform_working_files_survive_a_recompile(self):
        root, spec = self.project()
        out = os.path.join(root, "infra")
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        # What `terraform init` and a local apply leave beside a root's configuration.
        os.makedirs(os.path.join(out, HOME, ".terraform", "providers"))
        kept = {f"{HOME}/.terraform/providers/marker": b"provider", f"{HOME}/.terraform.lock.hcl": b"# lock\n",
                f"{HOME}/terraform.tfstate": b'{"version": 4}\n', f"{HOME}/terraform.tfstate.backup": b'{"version": 4}\n',
                f"{HOME}/zz_override.tf.json": b"{}\n", "notes.md": b"mine\n"}
        for name, data in kept.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
        r = compile_tf(spec, out, ENVIRONMENT_SUFFIX="prod")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, data in kept.items():
            with open(os.path.join(out, name), "rb") as f:
                self.assertEqual(f.read(), data, name)
        config = json.loads(read(os.path.join(out, HOME, "main.tf.json")))
        self.assertEqual(config["variable"]["environment_suffix"]["default"], "prod")
        # The manifest lists exactly what paydrc wrote, as `sha256sum -c` reads it.
        listed = manifest(out)
        self.assertEqual(sorted(listed), WRITTEN)
        for name, digest in listed.items():
            self.assertEqual(digest, sha256(os.path.join(out, name)), name)
        self.assertEqual([n for _, _, files in os.walk(out) for n in files if n.endswith(".tmp")], [])

    def test_identical_recompile_leaves_files_untouched(self):
        root, spec = self.project()
        out = os.path.join(root, "infra")
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        before = {n: os.stat(os.path.join(out, n)).st_ino for n in WRITTEN}
        r = compile_tf(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"%d unchanged" % len(WRITTEN), r.stderr)
        self.assertEqual(before, {n: os.stat(os.path.join(out, n)).st_ino for n in before})

    def test_output_into_a_repository_with_the_spec_is_refused(self):
        root, spec = self.project()
        before = snapshot(root)
        self.assertIn(".git", before)
        r = compile_tf("app.pdr", ".", cwd=root)
        self.assert_refused(r, "refusing to write into `.`: it holds the spec `app.pdr`")
        self.assertEqual(snapshot(root), before)
        # The same from outside, and for any directory above the spec.
        self.assert_refused(compile_tf(spec, root), "it holds the spec")
        self.assert_refused(compile_tf(spec, self.tmp), "it holds the spec")
        self.assertEqual(snapshot(root), before)

    def test_spec_in_a_subdirectory_of_the_output_is_refused(self):
        root, spec = self.project(spec_dir="specs", source_dir="src")
        before = snapshot(root)
        r = compile_tf("specs/app.pdr", ".", cwd=root)
        self.assert_refused(r, "it holds the spec `specs/app.pdr`")
        self.assert_refused(compile_tf(spec, os.path.join(root, "specs")), "it holds the spec")
        self.assertEqual(snapshot(root), before)

    def test_function_source_is_never_an_output_directory(self):
        root, spec = self.project(spec_dir="specs", source_dir="functions/src")
        before = snapshot(root)
        self.assert_refused(compile_tf(spec, os.path.join(root, "functions")), "it holds the function source")
        self.assert_refused(compile_tf(spec, os.path.join(root, "functions", "src", "out")),
                            "it is inside the function source")
        self.assertEqual(snapshot(root), before)

    def test_stale_files_are_removed_and_changed_ones_refused(self):
        root, spec = self.project()
        out = os.path.join(root, "infra")
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        renamed = os.path.join(root, "renamed.pdr")
        with open(renamed, "w", encoding="utf-8") as f:
            f.write(read(spec, text=True).replace("worker", "runner"))
        # A file of the earlier compile that was changed since is not removed.
        with open(os.path.join(out, "worker.zip"), "ab") as f:
            f.write(b"edited")
        before = snapshot(out)
        self.assert_refused(compile_tf(renamed, out), "worker.zip` was written by an earlier compile and changed since")
        self.assertEqual(snapshot(out), before)
        # Unchanged, it is removed and dropped from the manifest.
        self.assertEqual(compile_tf(spec, out).returncode, 2)  # still edited: refused for the same file
        os.remove(os.path.join(out, "worker.zip"))
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        r = compile_tf(renamed, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"removed 1 the previous compile wrote: worker.zip", r.stderr)
        self.assertEqual(sorted(n for n in os.listdir(out)), sorted([MANIFEST, *TOP[:-1], "runner.zip"]))
        self.assertEqual(sorted(manifest(out)), sorted([*WRITTEN[:-1], "runner.zip"]))

    def plant_earlier_root(self, out, name, extra=None):
        """A root directory an earlier compile wrote (listed in the manifest) that
        this compile no longer produces, with `extra` files someone added to it."""
        os.makedirs(os.path.join(out, name))
        path = os.path.join(out, name, "main.tf.json")
        with open(path, "w") as f:
            f.write('{"old": "root"}\n')
        with open(os.path.join(out, MANIFEST), "a") as f:
            f.write(f"{sha256(path)}  {name}/main.tf.json\n")
        for rel, data in (extra or {}).items():
            with open(os.path.join(out, name, rel), "wb") as f:
                f.write(data)

    def test_a_root_directory_goes_only_when_nothing_else_is_in_it(self):
        root, spec = self.project()
        out = os.path.join(root, "infra")
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        self.plant_earlier_root(out, "gone")
        self.plant_earlier_root(out, "applied", {"terraform.tfstate": b'{"version": 4}\n'})
        r = compile_tf(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"applied/main.tf.json", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "gone")))
        # A root someone applied keeps its state (and so its directory).
        self.assertEqual(sorted(os.listdir(os.path.join(out, "applied"))), ["terraform.tfstate"])
        self.assertEqual(sorted(manifest(out)), WRITTEN)

    def test_a_root_directory_that_is_a_link_or_a_file_is_refused(self):
        root, spec = self.project()
        out = os.path.join(root, "infra")
        elsewhere = os.path.join(root, "elsewhere")
        os.makedirs(elsewhere)
        os.makedirs(out)
        os.symlink(elsewhere, os.path.join(out, HOME))
        before = snapshot(root)
        self.assert_refused(compile_tf(spec, out), f"`{os.path.join(out, HOME)}` exists and is not a directory")
        self.assertEqual(snapshot(root), before)
        os.remove(os.path.join(out, HOME))
        with open(os.path.join(out, HOME), "w") as f:
            f.write("a file\n")
        self.assert_refused(compile_tf(spec, out), "is not a directory paydrc can write")
        self.assertEqual(os.listdir(elsewhere), [])

    def test_a_file_paydrc_did_not_write_is_never_replaced(self):
        root, spec = self.project()
        out = os.path.join(root, "infra")
        os.makedirs(os.path.join(out, HOME))
        with open(os.path.join(out, HOME, "main.tf.json"), "w") as f:
            f.write('{"hand": "written"}\n')
        before = snapshot(out)
        self.assert_refused(compile_tf(spec, out), "main.tf.json` exists and paydrc did not write it")
        self.assertEqual(snapshot(out), before)  # no zip, no manifest
        # Nor one paydrc wrote and someone edited since.
        os.remove(os.path.join(out, HOME, "main.tf.json"))
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        with open(os.path.join(out, HOME, "main.tf.json"), "a") as f:
            f.write(" ")
        before = snapshot(out)
        self.assert_refused(compile_tf(spec, out, ENVIRONMENT_SUFFIX="prod"),
                            "main.tf.json` was changed since paydrc wrote it")
        self.assertEqual(snapshot(out), before)
        # A symbolic link in the way is not paydrc's either.
        os.remove(os.path.join(out, "worker.zip"))
        os.symlink(spec, os.path.join(out, "worker.zip"))
        with open(os.path.join(out, HOME, "main.tf.json"), "rb+") as f:
            f.truncate(os.path.getsize(os.path.join(out, HOME, "main.tf.json")) - 1)
        self.assert_refused(compile_tf(spec, out), "worker.zip` exists and paydrc did not write it")
        self.assertTrue(os.path.islink(os.path.join(out, "worker.zip")))

    def test_output_that_is_a_file_or_a_broken_manifest_is_refused(self):
        root, spec = self.project()
        path = os.path.join(root, "notes.txt")
        with open(path, "w") as f:
            f.write("notes\n")
        self.assert_refused(compile_tf(spec, path), "exists and is not a directory")
        self.assertEqual(read(path, text=True), "notes\n")
        out = os.path.join(root, "infra")
        self.assertEqual(compile_tf(spec, out).returncode, 0)
        with open(os.path.join(out, MANIFEST), "a") as f:
            f.write("not a digest  main.tf.json\n")
        before = snapshot(out)
        line = len(WRITTEN) + 1
        self.assert_refused(compile_tf(spec, out),
                            f"`{os.path.join(out, MANIFEST)}` is not a paydrc manifest (line {line})")
        self.assertEqual(snapshot(out), before)
        # Nor may a name in it leave the directory.
        with open(os.path.join(out, MANIFEST), "w") as f:
            f.write(f"{'0' * 64}  ../escape\n")
        self.assert_refused(compile_tf(spec, out), "is not a paydrc manifest (line 1)")

    def test_a_new_output_directory_is_created_with_its_parents(self):
        root, spec = self.project()
        out = os.path.join(root, "build", "envs", "dev")
        r = compile_tf(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), sorted([MANIFEST, *TOP]))


class EnvironmentVariables(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="paydrc-env-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def config(self, **env):
        out = os.path.join(self.tmp, "out")
        shutil.rmtree(out, ignore_errors=True)
        r = compile_tf(MINIMAL, out, **env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(read(os.path.join(out, HOME, "main.tf.json")))

    def test_environment_suffix_is_checked_at_compile_time(self):
        out = os.path.join(self.tmp, "out")
        for bad in ("Prod", "-dev", "dev-", "dev_1", "a" * 17, "prod\n", "d\x1bv"):
            for target in ("terraform", "cloudformation"):
                with self.subTest(suffix=bad, target=target):
                    r = run(MINIMAL, "--target", target, "-o", out, env={**OUTPUT_ENV, "ENVIRONMENT_SUFFIX": bad})
                    self.assertEqual(r.returncode, 2, r.stderr)
                    err = r.stderr.decode()
                    self.assertTrue(err.startswith("paydrc: error: `ENVIRONMENT_SUFFIX` is `"), err)
                    self.assertIn("it must be 1 to 16 lowercase letters, digits or hyphens, starting and ending "
                                  "with a letter or digit", err)
                    self.assertNotIn("\x1b", err)
                    self.assertFalse(os.path.exists(out))
        r = run("explain", MINIMAL, env={"ENVIRONMENT_SUFFIX": "Prod"})
        self.assertEqual(r.returncode, 2)
        for good in ("prod", "a", "a" * 16, "qa-2", "7"):
            with self.subTest(suffix=good):
                self.assertEqual(self.config(ENVIRONMENT_SUFFIX=good)["variable"]["environment_suffix"]["default"],
                                 good)

    def test_generated_validation_states_the_same_rule(self):
        rule = self.config()["variable"]["environment_suffix"]["validation"]
        self.assertEqual(len(rule), 1)  # local state: any valid suffix may be passed with -var
        self.assertEqual(rule[0]["condition"],
                         '${can(regex("^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$", var.environment_suffix))}')
        self.assertIn("starting and ending with a letter or digit", rule[0]["error_message"])

    def test_each_environment_has_its_own_state_key(self):
        keys = {}
        for suffix in ("dev", "prod"):
            config = self.config(TERRAFORM_STATE_BUCKET="payment-state", ENVIRONMENT_SUFFIX=suffix)
            backend = config["terraform"]["backend"]["s3"]
            keys[suffix] = backend["key"]
            variable = config["variable"]["environment_suffix"]
            state = f"s3://payment-state/paydrc/ledgerless/{suffix}/<root>/terraform.tfstate"
            self.assertIn(state, variable["description"])
            # The key cannot follow a -var override, so the override is refused at plan time.
            self.assertEqual(variable["validation"][1]["condition"], f'${{var.environment_suffix == "{suffix}"}}')
            self.assertIn(state, variable["validation"][1]["error_message"])
        self.assertEqual(keys, {"dev": f"paydrc/ledgerless/dev/{HOME}/terraform.tfstate",
                                "prod": f"paydrc/ledgerless/prod/{HOME}/terraform.tfstate"})
        # Unset ENVIRONMENT_SUFFIX is dev.
        config = self.config(TERRAFORM_STATE_BUCKET="payment-state")
        self.assertEqual(config["terraform"]["backend"]["s3"]["key"],
                         f"paydrc/ledgerless/dev/{HOME}/terraform.tfstate")

    def test_state_bucket_name_is_checked(self):
        out = os.path.join(self.tmp, "out")
        for bad in ("ab", "Payment-State", "payment_state", "-payment", 'x"${y}', "a" * 64):
            with self.subTest(bucket=bad):
                r = compile_tf(MINIMAL, out, TERRAFORM_STATE_BUCKET=bad)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(b"`TERRAFORM_STATE_BUCKET` is `", r.stderr)
                self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
