"""Terraform roots on moto: the reusable half of the e2e tests.

paydrc's Terraform output is one root module per region stage, listed in apply
order in `manifest.json` (README, "Terraform output"). This module reads that
layout and runs it against the emulator:

- `load_roots(dir)`: the manifest's roots in apply order, each with its config;
- `find_plugin_dir()`: the local mirror of the AWS provider (TF_PLUGIN_DIR or a search);
- `build_override(cfg, url, endpoint_urls)`: the `zz_moto_override.tf.json` of one
  root, every provider alias pointed at moto, or one alias (a region "taken away")
  at another URL, e.g. `closed_port_url()`;
- `MotoProcess`: moto plus paydrc's extension (moto_ext.py) on 127.0.0.1;
- `Workspace`: a copy of the output with init / apply / plan / destroy of the roots
  in manifest order (destroy in reverse), each step bounded in time and logged;
- `bootstrap_api_gateway_account(client, regions)`: the account owner's one-time
  setting a REST front door's stage needs (`DR-API-ACCOUNT-ROLE`).

Used by deploy_test.py; a region-outage drill imports it the same way
(`sys.path.insert(0, tests/e2e)`; `import tfroots`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TERRAFORM = shutil.which("terraform")
OVERRIDE = "zz_moto_override.tf.json"
TEARDOWN_OVERRIDE = "zz_moto_teardown_override.tf.json"

# Terraform resource / data / ephemeral type prefix -> provider `endpoints` key.
# Only canonical keys (no aliases: `events`, not `cloudwatchevents`).
ENDPOINT_BY_PREFIX = [
    ("aws_cloudwatch_event_", "events"),
    ("aws_cloudwatch_log_", "logs"),
    ("aws_cloudwatch_", "cloudwatch"),
    ("aws_apigatewayv2_", "apigatewayv2"),
    ("aws_api_gateway_", "apigateway"),
    ("aws_acm_", "acm"),
    ("aws_backup_", "backup"),
    ("aws_dynamodb_", "dynamodb"),
    ("aws_iam_", "iam"),
    ("aws_kms_", "kms"),
    ("aws_lambda_", "lambda"),
    ("aws_rds_", "rds"),
    ("aws_db_", "rds"),
    ("aws_route53_", "route53"),
    ("aws_secretsmanager_", "secretsmanager"),
    ("aws_sns_", "sns"),
    ("aws_sqs_", "sqs"),
    ("aws_ssm_", "ssm"),
    ("aws_s3_", "s3"),
    ("aws_xray_", "xray"),
    ("aws_wafv2_", "wafv2"),
    ("aws_caller_identity", "sts"),
    ("aws_vpc", "ec2"),
    ("aws_subnet", "ec2"),
    ("aws_internet_gateway", "ec2"),
    ("aws_egress_only_internet_gateway", "ec2"),
    ("aws_eip", "ec2"),
    ("aws_nat_gateway", "ec2"),
    ("aws_route_table", "ec2"),
    ("aws_route", "ec2"),  # after aws_route53_ / aws_route_table
    ("aws_security_group", "ec2"),
    ("aws_network_acl", "ec2"),
    ("aws_default_", "ec2"),
    ("aws_flow_log", "ec2"),
    ("aws_availability_zones", "ec2"),
    ("aws_ec2_", "ec2"),
]
# Needed whatever the resources: STS (account id), and services the provider calls
# behind other resources (ENI cleanup of VPC functions, KMS key lookups, IAM roles).
BASE_ENDPOINTS = {"sts", "iam", "ec2", "kms"}
# Types that make no AWS API call at all (terraform_remote_state reads state files).
NO_ENDPOINT = {"aws_partition", "aws_region", "aws_arn", "aws_default_tags",
               "aws_iam_policy_document", "terraform_remote_state"}


def endpoint_key(tf_type: str) -> str | None:
    if tf_type in NO_ENDPOINT:
        return None
    for prefix, key in ENDPOINT_BY_PREFIX:
        if tf_type.startswith(prefix):
            return key
    raise KeyError(tf_type)


# -- the output layout ------------------------------------------------------

def load_manifest(out_dir: str) -> dict:
    with open(os.path.join(out_dir, "manifest.json")) as f:
        return json.load(f)


def load_roots(out_dir: str) -> list[dict]:
    """The manifest's roots in apply order, each entry with its `config`
    (the parsed `<dir>/main.tf.json`)."""
    roots = []
    for entry in load_manifest(out_dir)["roots"]:
        with open(os.path.join(out_dir, entry["dir"], "main.tf.json")) as f:
            roots.append(dict(entry, config=json.load(f)))
    return roots


def merged_config(out_dir: str) -> dict:
    """Every root's blocks and outputs in one dict (section -> type -> name ->
    body), for tests that look at what is deployed, not where."""
    whole: dict = {}
    for root in load_roots(out_dir):
        for section in ("resource", "data", "ephemeral", "output"):
            for key, value in root["config"].get(section, {}).items():
                if section == "output":
                    whole.setdefault(section, {})[key] = value
                else:
                    whole.setdefault(section, {}).setdefault(key, {}).update(value)
    return whole


def provider_blocks(cfg: dict) -> list[dict]:
    blocks = cfg.get("provider", {}).get("aws", [])
    if isinstance(blocks, dict):
        blocks = [blocks]
    return list(blocks)


def used_types(cfg: dict) -> set[str]:
    types = set()
    for section in ("resource", "data", "ephemeral"):
        types.update(cfg.get(section, {}).keys())
    return types


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def build_override(cfg: dict, moto_url: str, endpoint_urls: dict[str, str] | None = None) -> dict:
    """The provider override of one root: every `provider "aws"` alias at moto,
    except the aliases in `endpoint_urls` (role -> URL), which go there instead."""
    keys = set(BASE_ENDPOINTS)
    unknown = []
    for t in sorted(used_types(cfg)):
        try:
            k = endpoint_key(t)
        except KeyError:
            unknown.append(t)
            continue
        if k:
            keys.add(k)
    if unknown:
        raise AssertionError(
            "no moto endpoint mapping for resource types %s: extend "
            "ENDPOINT_BY_PREFIX in tests/e2e/tfroots.py" % unknown)
    blocks = provider_blocks(cfg) or [{}]
    out = []
    for b in blocks:
        url = (endpoint_urls or {}).get(b.get("alias"), moto_url)
        o = {}
        if b.get("alias"):
            o["alias"] = b["alias"]
        o.update({
            "access_key": "test",
            "secret_key": "test",
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_requesting_account_id": False,
            "max_retries": 2,
            "endpoints": [{k: url for k in sorted(keys)}],
        })
        if "s3" in keys:
            o["s3_use_path_style"] = True
        out.append(o)
    override = {"provider": {"aws": out}}
    if cfg.get("terraform", {}).get("backend"):
        # A remote state backend (TERRAFORM_STATE_BUCKET at compile time) would
        # reach real S3: keep state local for the emulator run, and read the
        # other roots' state from the local files beside it.
        override["terraform"] = {"backend": {"local": {}}}
        reads = cfg.get("data", {}).get("terraform_remote_state", {})
        if reads:
            override["data"] = {"terraform_remote_state": {
                d: {"backend": "local", "config": {"path": f"../{d}/terraform.tfstate"}} for d in reads}}
    return override


# Arguments that make AWS refuse a delete, and the value that lifts the refusal.
PROTECTION_ARGS = {"deletion_protection": False, "deletion_protection_enabled": False}


def build_unprotect_override(cfg: dict) -> dict:
    """Override that turns off deletion protection wherever a root turns it on."""
    out: dict = {}
    for rtype, resources in cfg.get("resource", {}).items():
        for name, body in resources.items():
            if not isinstance(body, dict):
                continue
            for arg, off in PROTECTION_ARGS.items():
                if arg in body and body[arg] != off:
                    out.setdefault(rtype, {}).setdefault(name, {})[arg] = off
    return {"resource": out} if out else {}


def find_plugin_dir() -> str | None:
    """The folder holding registry.terraform.io/hashicorp/aws: TF_PLUGIN_DIR, else
    a bounded search of the usual places."""
    env = os.environ.get("TF_PLUGIN_DIR")
    if env:
        return env
    home = os.path.expanduser("~")
    bases = ["/opt", "/usr/local/share", "/usr/share",
             os.path.join(home, ".terraform.d"), os.path.join(home, ".local", "share")]
    for base in bases:
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, _ in os.walk(base):
            if dirpath.count(os.sep) - base.count(os.sep) >= 5:
                dirnames[:] = []
                continue
            if os.path.isdir(os.path.join(dirpath, "registry.terraform.io", "hashicorp", "aws")):
                return dirpath
            dirnames[:] = [d for d in dirnames if not d.startswith(".") or base.endswith(".terraform.d")]
    return None


def have_moto() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


# -- bounded processes --------------------------------------------------------

class Deadline:
    def __init__(self, total: float, caps: dict[str, float] | None = None):
        self.end = time.monotonic() + total
        self.caps = caps or {}

    def left(self) -> float:
        return self.end - time.monotonic()

    def timeout(self, step: str) -> float:
        left = self.left()
        if left <= 5:
            raise AssertionError(f"time budget exhausted before step {step}")
        kind = step.split(" ")[0]
        return min(self.caps.get(kind, 300), left)


def run(cmd, cwd, env, timeout, log_path):
    """Run cmd in its own process group, output to log_path; kill the group on timeout."""
    with open(log_path, "wb") as log:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            return None


def tail(path: str, n: int = 60) -> str:
    try:
        with open(path, "r", errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return ""
    return "".join(lines[-n:])


class MotoProcess:
    """moto + paydrc's extension (moto_ext.py) as a subprocess on 127.0.0.1."""

    def __init__(self, log_path: str):
        self.log_path = log_path
        self.proc = None
        self.url = None

    def start(self, timeout: float = 60):
        env = dict(os.environ)
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        env["MOTO_ACM_VALIDATION_WAIT"] = "0"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "moto_ext.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            env=env, start_new_session=True)
        # read the MOTO_PORT line without blocking forever
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        end = time.monotonic() + timeout
        line = b""
        while time.monotonic() < end and not line.endswith(b"\n"):
            if not sel.select(timeout=max(0.1, end - time.monotonic())):
                break
            ch = self.proc.stdout.read1(1)
            if not ch:
                break
            line += ch
        sel.close()
        m = re.match(rb"MOTO_PORT=(\d+)", line)
        if not m:
            self.stop()
            raise AssertionError("moto did not start: " + tail(self.log_path))
        self.url = f"http://127.0.0.1:{int(m.group(1))}"
        return self.url

    def stop(self):
        if not self.proc:
            return
        try:
            if self.proc.poll() is None:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for f in (self.proc.stdout, getattr(self, "_log", None)):
                try:
                    if f:
                        f.close()
                except OSError:
                    pass
            self.proc = None


def terraform_env(work: str, default_region: str = "us-east-1") -> dict:
    """The environment of every terraform run: test credentials, no user config."""
    env = dict(os.environ)
    for v in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
              "AWS_SHARED_CREDENTIALS_FILE", "TF_CLI_ARGS", "TF_CLI_ARGS_apply",
              "TF_CLI_ARGS_plan", "TF_CLI_ARGS_destroy", "TF_CLI_ARGS_init",
              "TF_WORKSPACE", "TF_DATA_DIR", "TF_PLUGIN_CACHE_DIR"):
        env.pop(v, None)
    env.update({
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": default_region,
        "AWS_DEFAULT_REGION": default_region,
        "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
    })
    # An empty CLI configuration: no user-level provider mirrors or credentials
    # helpers; providers come only from -plugin-dir.
    cli_config = os.path.join(work, "terraformrc")
    if not os.path.exists(cli_config):
        open(cli_config, "w").close()
    env["TF_CLI_CONFIG_FILE"] = cli_config
    return env


class StepFailed(AssertionError):
    pass


class Workspace:
    """A copy of paydrc's Terraform output, run root by root in manifest order.

    Every step is `terraform -chdir=<root> ...` with a log in `logs/<step>.log`
    (step names: `init primary`, `apply secondary`, ...) and a timeout from
    `deadline`; a failure raises StepFailed with the log's tail.
    """

    def __init__(self, src: str, work: str, plugin_dir: str, deadline: Deadline):
        self.work = work
        self.tf = os.path.join(work, "tf")
        self.logs = os.path.join(work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        shutil.copytree(src, self.tf, ignore=shutil.ignore_patterns(
            ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "zz_*_override.tf.json"))
        self.plugin_dir = plugin_dir
        self.deadline = deadline
        self.roots = load_roots(self.tf)
        self.env = terraform_env(work)
        self.timings: dict[str, float] = {}

    def dirs(self) -> list[str]:
        return [r["dir"] for r in self.roots]

    def root(self, directory: str) -> dict:
        return next(r for r in self.roots if r["dir"] == directory)

    def path(self, directory: str) -> str:
        return os.path.join(self.tf, directory)

    def log(self, step: str) -> str:
        return os.path.join(self.logs, step.replace(" ", "-") + ".log")

    def write_overrides(self, moto_url: str, endpoint_urls: dict[str, str] | None = None):
        """Every root's provider override: moto, or `endpoint_urls[role]` for a role."""
        for r in self.roots:
            with open(os.path.join(self.path(r["dir"]), OVERRIDE), "w") as f:
                json.dump(build_override(r["config"], moto_url, endpoint_urls), f, indent=2)

    def step(self, name: str, directory: str, args: list[str], ok_codes=(0,)) -> int:
        log = self.log(name)
        t0 = time.monotonic()
        rc = run([TERRAFORM, f"-chdir={self.path(directory)}"] + args, self.tf, self.env,
                 self.deadline.timeout(name), log)
        self.timings[name] = time.monotonic() - t0
        if rc is None:
            raise StepFailed(f"{name} timed out after {self.timings[name]:.0f}s\n--- log tail ---\n{tail(log)}")
        if rc not in ok_codes:
            raise StepFailed(f"{name} exited {rc} (expected {ok_codes})\n--- log tail ---\n{tail(log, 120)}")
        return rc

    def init(self, dirs: list[str] | None = None):
        for d in dirs or self.dirs():
            self.step(f"init {d}", d, ["init", "-input=false", "-no-color", f"-plugin-dir={self.plugin_dir}"])

    def apply(self, dirs: list[str] | None = None):
        for d in dirs or self.dirs():
            self.step(f"apply {d}", d, ["apply", "-auto-approve", "-input=false", "-no-color"])

    def plan(self, directory: str, name: str | None = None) -> int:
        """`plan -detailed-exitcode`: 0 no changes, 2 changes."""
        return self.step(name or f"plan {directory}", directory,
                         ["plan", "-detailed-exitcode", "-input=false", "-no-color"], ok_codes=(0, 2))

    def plan_changes(self, step: str) -> str:
        text = tail(self.log(step), 400)
        lines = [line for line in text.splitlines()
                 if re.match(r"\s*(#|[~+-] |-/\+)", line) or "Plan:" in line]
        return "\n".join(lines[:200]) or text

    def unprotect(self):
        """Lift deletion protection the way an operator would: a configuration
        change applied, root by root, before destroy."""
        for r in self.roots:
            unprotect = build_unprotect_override(r["config"])
            if not unprotect:
                continue
            with open(os.path.join(self.path(r["dir"]), TEARDOWN_OVERRIDE), "w") as f:
                json.dump(unprotect, f, indent=2)
            self.step(f"unprotect {r['dir']}", r["dir"], ["apply", "-auto-approve", "-input=false", "-no-color"])

    def destroy(self):
        """Destroy every root, in reverse manifest order."""
        for d in reversed(self.dirs()):
            self.step(f"destroy {d}", d, ["destroy", "-auto-approve", "-input=false", "-no-color"])

    def existing_zones(self) -> list[str]:
        """The zones the roots look up rather than create."""
        names = set()
        for r in self.roots:
            for z in r["config"].get("data", {}).get("aws_route53_zone", {}).values():
                if "name" in z:
                    names.add(z["name"])
        return sorted(names)


ACCOUNT_APIGW_ROLE = "account-apigateway-cloudwatch"


def bootstrap_api_gateway_account(client, regions) -> str:
    """What an account's owner does once per account and region before the first
    REST front door (`front_door`'s reference, `DR-API-ACCOUNT-ROLE`): a role API
    Gateway may assume, with AWS's AmazonAPIGatewayPushToCloudWatchLogs policy,
    named in each region's account settings (API Gateway Developer Guide, "Set up
    CloudWatch logging for REST APIs in API Gateway"). `client(service, region)`
    makes a boto3 client on the emulator. Returns the role's ARN."""
    iam = client("iam", "us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "apigateway.amazonaws.com"}}]}
    role = iam.create_role(RoleName=ACCOUNT_APIGW_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=ACCOUNT_APIGW_ROLE,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
    for region in regions:
        client("apigateway", region).update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    return role


def stages_rest_api(root: dict) -> bool:
    """Whether a root deploys a REST API stage (and so needs the account's role)."""
    return bool(root["config"].get("resource", {}).get("aws_api_gateway_stage"))
