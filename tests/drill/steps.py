"""Executes the scenarios of a paydrc runbook (`paydrc runbook --format json`).

A step's `command` and `verify.command` run verbatim with bash; the runbook's
variables are exported to them, so `"$LEDGER_SECONDARY_ARN"` is expanded by the
shell exactly as on an operator's machine. `verify.expect` is compared with the
trimmed stdout after substituting the same variables. `terraform` steps run the
same way with the drill's Terraform environment; `spec_edit` steps edit a copy of
the spec and hand it to a recompile callback; `automatic` steps only verify;
`manual` steps are recorded as not executed.

The runner refuses what the runbook format forbids: a `$VAR` that "variables" does not declare, and
`<placeholder>` text. Any failure raises StepFailed naming the step, the command,
its exit status and output, so a wrong runbook fails the drill.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field

VAR_USE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# `<id of payment-api-primary-dev>`-style text a runbook must never contain; shell
# redirections (`< file`, `2>&1`) do not match (no letter right after `<`).
PLACEHOLDER = re.compile(r"<[A-Za-z][^<>]*>")
KINDS = ("command", "terraform", "spec_edit", "automatic", "manual")


class StepFailed(AssertionError):
    pass


@dataclass
class StepResult:
    scenario: str
    step: str
    kind: str
    executed: bool
    seconds: float = 0.0
    output: str = ""
    notes: list[str] = field(default_factory=list)


def used_variables(text: str) -> set[str]:
    return {a or b for a, b in VAR_USE.findall(text or "")}


def substitute(text: str, variables: dict[str, str]) -> str:
    """`$VAR` / `${VAR}` replaced by its value; an unknown name is an error."""

    def one(m):
        name = m.group(1) or m.group(2)
        if name not in variables:
            raise KeyError(name)
        return variables[name]

    return VAR_USE.sub(one, text)


def aws_cli_shim(directory: str, endpoint_url: str) -> str:
    """A directory holding an `aws` that runs the real AWS CLI with
    `--endpoint-url`. AWS_ENDPOINT_URL alone is not enough: AWS CLI v1 replaces the
    endpoint of rds, docdb, neptune (and a few others) in us-east-1 with a fixed host
    unless `--endpoint-url` is on the command line
    (awscli/customizations/overridesslcommonname.py), so the primary region's RDS
    calls would leave the emulator. The runbook's command text is unchanged."""
    real = shutil.which("aws")
    if real is None:
        raise StepFailed("the AWS CLI (`aws`) is not on PATH")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "aws")
    with open(path, "w") as f:
        f.write(f'#!/bin/sh\nexec {shlex.quote(real)} --endpoint-url {shlex.quote(endpoint_url)} "$@"\n')
    os.chmod(path, 0o755)
    return directory


def aws_cli_env(endpoint_url: str, base: dict | None = None, shim_dir: str | None = None) -> dict:
    """The AWS CLI (v1 or v2) pointed at the emulator with dummy credentials: no
    profile, config file or metadata lookup from this machine, few retries, so a
    call to a region that is down fails within seconds. With `shim_dir`, `aws` on
    PATH is aws_cli_shim's."""
    env = dict(base if base is not None else os.environ)
    if shim_dir:
        env["PATH"] = aws_cli_shim(shim_dir, endpoint_url) + os.pathsep + env.get("PATH", "")
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                "AWS_REGION", "AWS_CA_BUNDLE"):
        env.pop(var, None)
    env.update({
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard",
    })
    return env


def set_spec_attribute(spec_text: str, block: str, attribute: str, value) -> str:
    """The spec with `attribute = value` set inside `block` (`"database ledger"`):
    replaced where the block has it, else added before the block's closing brace.
    Strings that are identifiers stay bare (region labels); others are quoted."""
    words = block.split()
    head = re.compile(r"^(\s*)" + r"\s+".join(map(re.escape, words)) + r"\s*\{\s*$", re.M)
    m = head.search(spec_text)
    if m is None:
        raise StepFailed(f"spec_edit: no block `{block}` in the spec")
    depth, pos = 0, m.end() - 1
    while pos < len(spec_text):
        ch = spec_text[pos]
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            break
        pos += 1
    else:
        raise StepFailed(f"spec_edit: block `{block}` is not closed")
    body = spec_text[m.end():pos]
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        text = value
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        text = str(value)
    indent = m.group(1) + "  "
    line = re.compile(r"^(\s*)" + re.escape(attribute) + r"\s*=.*$", re.M)
    if value is None:
        # `null` removes the attribute (failback drops `promoted`).
        body = re.sub(r"^[ \t]*" + re.escape(attribute) + r"[ \t]*=.*\n?", "", body, count=1, flags=re.M)
        return spec_text[:m.end()] + body + spec_text[pos:]
    if line.search(body):
        body = line.sub(lambda lm: f"{lm.group(1)}{attribute} = {text}", body, count=1)
    else:
        body = body.rstrip(" ") + f"{indent}{attribute} = {text}\n" + m.group(1)
    return spec_text[:m.end()] + body + spec_text[pos:]


class StepRunner:
    """Runs runbook steps; `env` is the environment commands see (aws_cli_env plus
    whatever Terraform needs), `variables` the resolved runbook variables."""

    def __init__(self, env: dict, variables: dict[str, str], declared: set[str] | None = None,
                 recompile=None, timeout: float = 300, log=None):
        self.env = dict(env)
        self.variables = dict(variables)
        self.declared = set(declared if declared is not None else variables)
        self.recompile = recompile  # callable(edits: list[dict]) -> None, for spec_edit steps
        self.pending_edits: list[dict] = []
        self.timeout = timeout
        self.log = log or (lambda text: None)

    # -- checks the format asks of every command ------------------------------------

    def check_text(self, step_id: str, text: str):
        undeclared = used_variables(text) - self.declared
        if undeclared:
            raise StepFailed(f"step {step_id}: uses undeclared variables {sorted(undeclared)}: {text}")
        missing = used_variables(text) - set(self.variables)
        if missing:
            raise StepFailed(f"step {step_id}: variables without a value {sorted(missing)}: {text}")
        if PLACEHOLDER.search(text):
            raise StepFailed(f"step {step_id}: placeholder text in {text}")

    def shell(self, step_id: str, command: str) -> str:
        self.check_text(step_id, command)
        env = dict(self.env)
        env.update(self.variables)
        t0 = time.monotonic()
        proc = subprocess.Popen(["bash", "-c", command], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise StepFailed(f"step {step_id}: timed out after {self.timeout:.0f}s: {command}\n"
                             f"{err.decode(errors='replace')[-2000:]}")
        text = out.decode(errors="replace")
        self.log(f"[{step_id}] $ {command}\n  -> exit {proc.returncode} in "
                 f"{time.monotonic() - t0:.1f}s\n{text[-1500:]}{err.decode(errors='replace')[-1500:]}")
        if proc.returncode != 0:
            raise StepFailed(f"step {step_id}: exit {proc.returncode}: {command}\n"
                             f"stdout: {text[-2000:]}\nstderr: {err.decode(errors='replace')[-2000:]}")
        return text

    def verify(self, step_id: str, verify: dict | None) -> str:
        if not verify:
            return ""
        out = self.shell(step_id + ".verify", verify["command"]).strip()
        if "expect" in verify:
            self.check_text(step_id + ".expect", verify["expect"])
            want = substitute(verify["expect"], self.variables).strip()
            if out != want:
                raise StepFailed(f"step {step_id}: verify expected {want!r}, got {out!r}\n"
                                 f"command: {verify['command']}")
        return out

    # -- steps ----------------------------------------------------------------

    def run_step(self, scenario_id: str, step: dict) -> StepResult:
        kind, step_id = step.get("kind"), step.get("id", "?")
        if kind not in KINDS:
            raise StepFailed(f"step {step_id}: unknown kind {kind!r}")
        result = StepResult(scenario_id, step_id, kind, executed=kind != "manual")
        t0 = time.monotonic()
        if kind in ("command", "terraform"):
            if not step.get("command"):
                raise StepFailed(f"step {step_id}: a {kind} step without a command")
            result.output = self.shell(step_id, step["command"])
        elif kind == "spec_edit":
            edit = step.get("edit") or {}
            if not edit.get("block") or not edit.get("set"):
                raise StepFailed(f"step {step_id}: spec_edit without edit.block / edit.set")
            if self.recompile is None:
                raise StepFailed(f"step {step_id}: spec_edit but the runner has no recompile")
            # Consecutive edits are one change to the spec (the failover swap
            # belongs with `promoted`): run_scenario recompiles after the last.
            self.pending_edits.append(edit)
            return result
        elif kind == "manual":
            result.notes.append("manual step: not executed by the drill")
            return result
        verify_out = self.verify(step_id, step.get("verify"))
        if verify_out:
            result.notes.append(f"verified: {verify_out}")
        result.seconds = time.monotonic() - t0
        return result

    def run_scenario(self, scenario: dict) -> list[StepResult]:
        steps = scenario.get("steps") or []
        if not steps:
            raise StepFailed(f"scenario {scenario.get('id')}: no steps")
        results = []
        for s in steps:
            if s.get("kind") != "spec_edit":
                self.flush_edits()
            results.append(self.run_step(scenario["id"], s))
        self.flush_edits()
        return results

    def flush_edits(self):
        if self.pending_edits:
            edits, self.pending_edits = self.pending_edits, []
            self.recompile(edits)


def scenario(runbook: dict, scenario_id: str) -> dict:
    for s in runbook.get("scenarios", []):
        if s.get("id") == scenario_id:
            return s
    raise StepFailed(f"runbook has no scenario {scenario_id!r}: "
                     f"{[s.get('id') for s in runbook.get('scenarios', [])]}")


def resolve_variables(runbook: dict, terraform_output, operator: dict[str, str]) -> dict[str, str]:
    """Values of the runbook's variables: `terraform` ones from the named root's
    outputs (terraform_output(root) -> {name: value}), operator ones from `operator`."""
    values: dict[str, str] = {}
    cache: dict[str, dict] = {}
    for var in runbook.get("variables", []):
        name = var["name"]
        if var.get("operator"):
            if name not in operator:
                raise StepFailed(f"operator variable {name} has no value in the drill")
            values[name] = operator[name]
            continue
        tf = var.get("terraform")
        if not tf:
            raise StepFailed(f"variable {name}: neither `terraform` nor `operator`")
        root = tf["root"]
        if root not in cache:
            cache[root] = terraform_output(root)
        if tf["output"] not in cache[root]:
            raise StepFailed(f"variable {name}: root {root} has no output {tf['output']} "
                             f"(has {sorted(cache[root])})")
        values[name] = str(cache[root][tf["output"]])
    return values
