"""cdk-nag as a referee: AWS's rule packs over the CloudFormation paydrc generates.

Run by ctest as `python3 tests/nag/nag_test.py` from the repository root with
PAYDRC_BIN set. It compiles specs/payment.pdr with `--target cloudformation`, runs
tests/nag/nag.js (AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5, HIPAA Security) over
every template the deploy manifest lists, and fails on

- an error finding neither excepted in docs/nag-exceptions.md nor listed as a known
  open gap in tests/nag/open_findings.txt;
- an exception whose rule or resource pattern matches no finding, or whose premise
  (PREMISES below) the templates no longer meet;
- a line of open_findings.txt that is no longer found: the list only shrinks.

The packages come from tools/setup.sh (`npm ci` in tests/nag); without them the test
fails and says so, it never skips.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "nag"
EXCEPTIONS = ROOT / "docs" / "nag-exceptions.md"
OPEN_FINDINGS = HERE / "open_findings.txt"
NAG_TIMEOUT = 240
# Variables that change the output on purpose: the referee judges the default compile.
OUTPUT_ENV = ("ENVIRONMENT_SUFFIX", "TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION")


class Finding:
    """One line of nag.js: `pack rule template logicalId`."""

    def __init__(self, line):
        self.line = line
        self.pack, self.rule, self.template, self.logical_id = line.split(" ")


class Exception_:
    """One row of the table in docs/nag-exceptions.md."""

    def __init__(self, ident, rules, resources, reason):
        self.ident, self.rules, self.resources, self.reason = ident, rules, resources, reason

    def covers(self, finding):
        return finding.rule in self.rules and any(glob_match(p, finding.logical_id) for p in self.resources)


def glob_match(pattern, text):
    """`*` matches any run of characters; everything else is literal."""
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), text) is not None


def read_exceptions(text):
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 4 or cells[0] in ("Id", "---"):
            continue
        ident, rules, resources, reason = cells
        rules, resources = re.findall(r"`([^`]+)`", rules), re.findall(r"`([^`]+)`", resources)
        if not rules or not resources or not reason:
            raise ValueError(f"{EXCEPTIONS.name}:{number}: an exception needs rules, resources and a reason")
        rows.append(Exception_(ident, rules, resources, reason))
    return rows


def read_open_findings(text):
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def judge(lines, exceptions, open_findings):
    """What the referee objects to, by kind; empty lists when the findings are as recorded."""
    findings = [Finding(line) for line in lines]
    open_set = set(open_findings)
    verdict = {"unlisted": [], "excepted_and_open": [], "crashed_rule_open": [],
               "stale_exception_rules": [], "stale_exception_resources": [], "stale_open": []}
    excepted = 0
    for f in findings:
        covered = any(e.covers(f) for e in exceptions)
        if covered and f.line in open_set:
            verdict["excepted_and_open"].append(f.line)
        elif covered:
            excepted += 1
        elif f.line not in open_set:
            verdict["unlisted"].append(f.line)
    verdict["crashed_rule_open"] = [line for line in open_findings if Finding(line).rule.endswith("!failed")]
    for e in exceptions:
        mine = [f for f in findings if e.covers(f)]
        verdict["stale_exception_rules"] += [f"{e.ident}: {r}" for r in e.rules if not any(f.rule == r for f in mine)]
        verdict["stale_exception_resources"] += [
            f"{e.ident}: {p}" for p in e.resources if not any(glob_match(p, f.logical_id) for f in mine)]
    found = {f.line for f in findings}
    verdict["stale_open"] = [line for line in open_findings if line not in found]
    return verdict, excepted


def verdict_text(verdict):
    hints = {
        "unlisted": "error findings neither excepted (docs/nag-exceptions.md) nor known open "
                    "(tests/nag/open_findings.txt): fix the generator, or record them",
        "excepted_and_open": "findings both excepted and listed open: keep one",
        "crashed_rule_open": "a rule that crashed is not an open gap: except it with a reason or fix the input",
        "stale_exception_rules": "exception rules that match no finding: remove them",
        "stale_exception_resources": "exception resource patterns that match no finding: remove them",
        "stale_open": "open findings no longer found (fixed?): remove them from tests/nag/open_findings.txt",
    }
    return "\n".join(f"{hints[k]}:\n" + "".join(f"  {x}\n" for x in v) for k, v in verdict.items() if v)


def require_packages():
    """The reason the referee cannot run, or None."""
    if shutil.which("node") is None:
        return "`node` is not on PATH: run `bash tools/setup.sh`"
    package = json.loads((HERE / "package.json").read_text())
    for name, pinned in sorted(package["dependencies"].items()):
        installed = HERE / "node_modules" / name / "package.json"
        if not installed.is_file():
            return f"tests/nag/node_modules lacks {name}: run `bash tools/setup.sh` (it runs `npm ci` in tests/nag)"
        version = json.loads(installed.read_text())["version"]
        if version != pinned:
            return f"tests/nag/node_modules has {name} {version}, package.json pins {pinned}: run `bash tools/setup.sh`"
    return None


def run_nag(*args):
    result = subprocess.run(["node", str(HERE / "nag.js"), *map(str, args)], capture_output=True,
                            text=True, timeout=NAG_TIMEOUT)
    if result.returncode != 0:
        raise AssertionError(f"nag.js failed ({result.returncode}):\n{result.stderr}")
    return result.stdout.splitlines()


def compile_payment(out_dir):
    paydrc = os.environ.get("PAYDRC_BIN")
    if not paydrc:
        raise AssertionError("PAYDRC_BIN is not set (ctest sets it to the built paydrc)")
    env = {k: v for k, v in os.environ.items() if k not in OUTPUT_ENV}
    result = subprocess.run([paydrc, "specs/payment.pdr", "--target", "cloudformation", "-o", str(out_dir)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"paydrc failed:\n{result.stderr}")


def load_templates(out_dir):
    manifest = json.loads((out_dir / "manifest.json").read_text())
    return {s["template"]: json.loads((out_dir / s["template"]).read_text()) for s in manifest["stacks"]}


# ---------------------------------------------------------------- premises
# Each exception's reason rests on facts about the templates; these check them on the
# resources the exception covers, so the reason cannot silently stop being true.

def _resources(templates, patterns, kind=None):
    for name, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            if any(glob_match(p, logical_id) for p in patterns) and kind in (None, resource["Type"]):
                yield name, template["Resources"], logical_id, resource


def _ref_id(value):
    """The logical id a Ref or GetAtt names, else None."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    return None


def _statements(resource):
    """The statements of a role's inline policies, or of a managed policy."""
    props = resource["Properties"]
    documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
    if resource["Type"] == "AWS::IAM::ManagedPolicy":
        documents.append(props["PolicyDocument"])
    for document in documents:
        statements = document["Statement"]
        yield from statements if isinstance(statements, list) else [statements]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def premise_global_cluster(templates, e):
    problems = []
    for name, resources, logical_id, resource in _resources(templates, e.resources):
        cluster = resource if resource["Type"] == "AWS::RDS::DBCluster" else \
            resources.get(_ref_id(resource["Properties"].get("DBClusterIdentifier")), {})
        if "GlobalClusterIdentifier" not in cluster.get("Properties", {}):
            problems.append(f"{name} {logical_id}: not in a global cluster")
    return problems


def premise_backup_at_cluster(templates, e):
    problems = []
    for name, resources, logical_id, resource in _resources(templates, e.resources, "AWS::RDS::DBInstance"):
        cluster = resources.get(_ref_id(resource["Properties"].get("DBClusterIdentifier")), {})
        tags = {(t["Key"], t["Value"]) for t in cluster.get("Properties", {}).get("Tags", [])
                if isinstance(t.get("Value"), str)}
        selected = {(c["ConditionKey"], c["ConditionValue"])
                    for r in resources.values() if r["Type"] == "AWS::Backup::BackupSelection"
                    for c in r["Properties"]["BackupSelection"].get("ListOfTags", [])
                    if c.get("ConditionType") == "STRINGEQUALS"}
        if not tags & selected:
            problems.append(f"{name} {logical_id}: its cluster is not selected by a backup selection's tags")
    return problems


def premise_audit_log(templates, e):
    problems = []
    for name, resources, logical_id, resource in _resources(templates, e.resources, "AWS::RDS::DBCluster"):
        props = resource["Properties"]
        group = resources.get(_ref_id(props.get("DBClusterParameterGroupName")), {})
        parameters = group.get("Properties", {}).get("Parameters", {})
        if "audit" not in props.get("EnableCloudwatchLogsExports", []) or parameters.get("server_audit_logging") != "1":
            problems.append(f"{name} {logical_id}: the audit log is not on and exported")
    return problems


def premise_event_rule_dlq(templates, e):
    problems = []
    for name, resources, logical_id, _ in _resources(templates, e.resources, "AWS::SQS::Queue"):
        dead_letter_of = [r for r in resources.values() if r["Type"] == "AWS::Events::Rule"
                          for t in r["Properties"].get("Targets", [])
                          if _ref_id(t.get("DeadLetterConfig", {}).get("Arn")) == logical_id]
        if not dead_letter_of:
            problems.append(f"{name} {logical_id}: no EventBridge rule target names it as its dead-letter queue")
    return problems


# Resources through which a service invokes a function asynchronously, or that would
# give it a place to send failed events (Lambda Developer Guide, "Asynchronous invocation").
ASYNC_WIRING = {"AWS::Events::Rule", "AWS::SNS::Subscription", "AWS::S3::Bucket",
                "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::EventSourceMapping"}


def premise_sync_only_function(templates, e):
    problems = []
    for name, _, logical_id, _ in _resources(templates, e.resources, "AWS::Lambda::Function"):
        invokers = []
        for other_name, template in templates.items():
            for other_id, r in template["Resources"].items():
                props = r.get("Properties", {})
                if r["Type"] == "AWS::Lambda::Permission" and _ref_id(props.get("FunctionName")) == logical_id:
                    invokers.append(props.get("Principal"))
                elif r["Type"] in ASYNC_WIRING and re.search(rf'"{re.escape(logical_id)}"', json.dumps(r)):
                    problems.append(f"{name} {logical_id}: {other_name} {other_id} ({r['Type']}) names it")
        # Both invoke synchronously (Lambda Developer Guide: "Invoking Lambda with events
        # from other AWS services"; "Using Lambda with Secrets Manager"), API Gateway its
        # Lambda authorizers too: it waits for the policy before it answers.
        if not invokers or not set(invokers) <= {"apigateway.amazonaws.com", "secretsmanager.amazonaws.com"}:
            problems.append(f"{name} {logical_id}: invoked by {invokers}, not by API Gateway or Secrets Manager alone")
    return problems


# Writing streams, and listing them, which the role of the VPC Flow Logs guide also grants.
LOG_STREAM_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}
# The Enhanced Monitoring agent's, as AWS's AmazonRDSEnhancedMonitoringRole grants them.
METRICS_STREAM_ACTIONS = LOG_STREAM_ACTIONS | {"logs:GetLogEvents"}
IAM_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::ManagedPolicy")


def premise_log_stream_arn(templates, e):
    problems = []
    for name, _, logical_id, policy in _resources(templates, e.resources):
        if policy["Type"] not in IAM_POLICY_TYPES:
            problems.append(f"{name} {logical_id}: a {policy['Type']}, not an IAM role or policy")
            continue
        for s in _statements(policy):
            for resource in _as_list(s.get("Resource")):
                sub = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
                if not isinstance(sub, str) or not sub.endswith("*") or sub == "*":
                    continue  # "*" alone: no-resource-level's
                actions = set(_as_list(s["Action"]))
                if re.search(r":log-group:\$\{[A-Za-z0-9]+\}:\*$", sub):
                    allowed = LOG_STREAM_ACTIONS
                elif re.search(r":log-group:RDSOSMetrics:log-stream:\*$", sub):
                    allowed = METRICS_STREAM_ACTIONS
                else:
                    problems.append(f"{name} {logical_id}: {s.get('Sid')} has the wildcard resource {sub}")
                    continue
                if not actions <= allowed:
                    problems.append(f"{name} {logical_id}: {s.get('Sid')} allows more than writing log streams")
    return problems


NO_RESOURCE_LEVEL_ACTIONS = {
    "xray:PutTraceSegments", "xray:PutTelemetryRecords",
    # AWSLambdaVPCAccessExecutionRole's actions (Lambda Developer Guide, VPC permissions).
    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    # A rotation function's new password (Service Authorization Reference: no resource types).
    "secretsmanager:GetRandomPassword",
}


def premise_no_resource_level(templates, e):
    problems = []
    for name, _, logical_id, policy in _resources(templates, e.resources):
        for s in _statements(policy) if policy["Type"] in IAM_POLICY_TYPES else ():
            extra = set(_as_list(s["Action"])) - NO_RESOURCE_LEVEL_ACTIONS
            if "*" in _as_list(s.get("Resource")) and extra:
                problems.append(f"{name} {logical_id}: {s.get('Sid')} allows {sorted(extra)} on every resource")
    return problems


def _is_root(value):
    return isinstance(value, dict) and value.get("Fn::GetAtt", [None, None])[1] == "RootResourceId"


def _rest_method_route(resources, method):
    """`VERB /path` of an AWS::ApiGateway::Method, the path read up its resources."""
    props = method["Properties"]
    parts, at = [], props.get("ResourceId")
    while not _is_root(at):
        resource = resources.get(_ref_id(at), {})
        if resource.get("Type") != "AWS::ApiGateway::Resource":
            return f"{props.get('HttpMethod')} ?"
        parts.insert(0, resource["Properties"]["PathPart"])
        at = resource["Properties"]["ParentId"]
    return f"{props.get('HttpMethod')} /" + "/".join(parts)


def premise_health_route(templates, e):
    """The covered route or method is `GET /health`; every other one has an authorizer
    (HTTP API routes and REST API methods alike)."""
    problems = []
    covered = {(n, i) for n, _, i, _ in _resources(templates, e.resources)}
    for name, template in templates.items():
        resources = template["Resources"]
        for logical_id, r in resources.items():
            props = r.get("Properties", {})
            if r["Type"] == "AWS::ApiGatewayV2::Route":
                route, authorized = props.get("RouteKey"), props.get("AuthorizationType", "NONE") != "NONE"
            elif r["Type"] == "AWS::ApiGateway::Method":
                route = _rest_method_route(resources, r)
                authorized = props.get("AuthorizationType", "NONE") != "NONE" and \
                    (props["AuthorizationType"] != "CUSTOM" or _ref_id(props.get("AuthorizerId")) in resources)
            else:
                continue
            if (name, logical_id) in covered and route != "GET /health":
                problems.append(f"{name} {logical_id}: {route}, not the health route")
            elif (name, logical_id) not in covered and not authorized:
                problems.append(f"{name} {logical_id}: {route} has no authorizer")
    return problems


def premise_nat_public_subnet(templates, e):
    problems = []
    for name, resources, logical_id, route in _resources(templates, e.resources, "AWS::EC2::Route"):
        table = _ref_id(route["Properties"]["RouteTableId"])
        subnets = {_ref_id(r["Properties"]["SubnetId"]) for r in resources.values()
                   if r["Type"] == "AWS::EC2::SubnetRouteTableAssociation"
                   and _ref_id(r["Properties"]["RouteTableId"]) == table}
        for other_id, other in resources.items():
            text = json.dumps(other)
            if other["Type"] not in ("AWS::EC2::NatGateway", "AWS::EC2::SubnetRouteTableAssociation") and \
                    any(re.search(rf'"{re.escape(s)}"', text) for s in subnets):
                problems.append(f"{name} {logical_id}: {other_id} ({other['Type']}) is in a public subnet")
    return problems


BACKUP_SERVICE_POLICIES = {"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"}


def premise_backup_service_role(templates, e):
    problems = []
    for name, resources, logical_id, role in _resources(templates, e.resources, "AWS::IAM::Role"):
        props = role["Properties"]
        services = {service for s in props["AssumeRolePolicyDocument"]["Statement"]
                    for service in _as_list(s.get("Principal", {}).get("Service", []))}
        arns = {a.get("Fn::Sub", "") if isinstance(a, dict) else a for a in props.get("ManagedPolicyArns", [])}
        names = {re.sub(r"^arn:\$\{AWS::Partition\}:iam::aws:policy/service-role/", "", a) for a in arns}
        attached = [i for i, r in resources.items() if r["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
                    and any(_ref_id(x) == logical_id for x in r["Properties"].get("Roles", []))]
        if services != {"backup.amazonaws.com"}:
            problems.append(f"{name} {logical_id}: trusted by {sorted(services)}, not by AWS Backup alone")
        if names != BACKUP_SERVICE_POLICIES or props.get("Policies") or attached:
            problems.append(f"{name} {logical_id}: has more than AWS Backup's two service-role policies")
    return problems


def _runtime_findings(spec_text, today=None):
    """paydrc check's DR-RUNTIME-LIFECYCLE findings on a spec, waived or not."""
    with tempfile.TemporaryDirectory(prefix="paydrc-nag-runtime-") as scratch:
        spec = Path(scratch) / "specs" / "payment.pdr"
        spec.parent.mkdir()
        spec.write_text(spec_text)
        # Function sources resolve against the spec's directory (`../lambda`), and
        # stay inside the project: a copy, not a link out of it.
        shutil.copytree(ROOT / "lambda", Path(scratch) / "lambda")
        (Path(scratch) / ".git").mkdir()  # what marks the project's root
        env = dict(os.environ)
        if today:
            env["SOURCE_DATE_EPOCH"] = str(int(datetime.datetime.fromisoformat(today + "T00:00:00+00:00").timestamp()))
        result = subprocess.run([os.environ["PAYDRC_BIN"], "check", str(spec), "--format", "json"], cwd=ROOT,
                                env=env, capture_output=True, text=True)
    report = json.loads(result.stdout)
    return [f for file in report["files"] for f in file["findings"] if f["id"] == "DR-RUNTIME-LIFECYCLE"]


# paydrc's built-in functions: the logical id's ending, and how the model names them.
BUILTIN_FUNCTIONS = {"MasterRotationFunction": "_master_rotation", "AuthorizerFunction": "_authorizer"}


def premise_runtime_lifecycle(templates, e):
    if not os.environ.get("PAYDRC_BIN"):
        return ["PAYDRC_BIN is not set (ctest sets it to the built paydrc)"]
    spec = (ROOT / "specs" / "payment.pdr").read_text()
    problems = [f"paydrc check: {f['message']}" for f in _runtime_findings(spec)]
    # The rule is live: a month before python3.12's deprecation (2028-10-31) it speaks.
    if not _runtime_findings(re.sub(r'runtime\s*=\s*"python3\.\d+"', 'runtime = "python3.12"', spec), "2028-10-01"):
        problems.append("paydrc check is silent on python3.12 in 2028-10: DR-RUNTIME-LIFECYCLE is not judging")
    # ... and about each kind of paydrc's built-in functions it covers, the rotation
    # function and the JWT authorizer (both python3.13, deprecated 2029-06-30).
    later = _runtime_findings(re.sub(r'runtime\s*=\s*"python3\.\d+"', 'runtime = "python3.14"', spec), "2029-06-01")
    said = " ".join(f["message"] + " " + f.get("hint", "") for f in later)
    for name, _, logical_id, function in _resources(templates, e.resources, "AWS::Lambda::Function"):
        for suffix, kind in BUILTIN_FUNCTIONS.items():
            if logical_id.endswith(suffix) and not re.search(rf"built-in function `\w+{kind}`", said):
                problems.append(f"paydrc check is silent on the built-in function {logical_id} in 2029-06")
    for name, _, logical_id, function in _resources(templates, e.resources, "AWS::Lambda::Function"):
        if not function["Properties"].get("Runtime", "").startswith("python3."):
            problems.append(f"{name} {logical_id}: not a Python 3 runtime")
    return problems


LAMBDA_INVOCATIONS = ":lambda:path/2015-03-31/functions/"


def _lambda_uri(value):
    """Whether an integration or authorizer URI is Lambda's Invoke API."""
    return LAMBDA_INVOCATIONS in json.dumps(value)


def _api_parts(resources, api_id, kind):
    return {i: r for i, r in resources.items()
            if r["Type"] == kind and _ref_id(r["Properties"].get("RestApiId")) == api_id}


def premise_lambda_backend(templates, e):
    """A stage's client certificate is presented only to HTTP integrations: every method
    and authorizer of the stage's API calls Lambda; callers reach it over TLS 1.2 on its
    custom domains alone."""
    problems = []
    for name, resources, logical_id, stage in _resources(templates, e.resources, "AWS::ApiGateway::Stage"):
        api_id = _ref_id(stage["Properties"]["RestApiId"])
        api = resources.get(api_id, {}).get("Properties", {})
        methods = _api_parts(resources, api_id, "AWS::ApiGateway::Method")
        if not methods:
            problems.append(f"{name} {logical_id}: its API has no method in the template")
        for method_id, method in methods.items():
            integration = method["Properties"].get("Integration", {})
            if integration.get("Type") not in ("AWS_PROXY", "AWS") or not _lambda_uri(integration.get("Uri")):
                problems.append(f"{name} {method_id}: a {integration.get('Type')} integration, not Lambda")
        for authorizer_id, authorizer in _api_parts(resources, api_id, "AWS::ApiGateway::Authorizer").items():
            if not _lambda_uri(authorizer["Properties"].get("AuthorizerUri")):
                problems.append(f"{name} {authorizer_id}: an authorizer that does not call Lambda")
        if api.get("DisableExecuteApiEndpoint") is not True:
            problems.append(f"{name} {logical_id}: the execute-api endpoint of {api_id} answers")
        domains = [_ref_id(r["Properties"]["DomainName"]) for r in resources.values()
                   if r["Type"] == "AWS::ApiGateway::BasePathMapping" and _ref_id(r["Properties"].get("RestApiId")) == api_id]
        if not domains:
            problems.append(f"{name} {logical_id}: no custom domain serves it")
        for domain in domains:
            if resources.get(domain, {}).get("Properties", {}).get("SecurityPolicy") != "TLS_1_2":
                problems.append(f"{name} {domain}: its security policy is not TLS_1_2")
    return problems


def _function_routes():
    """ROUTES of the spec's function (`source = "../lambda"`): {path: (verbs)}."""
    import ast
    tree = ast.parse((ROOT / "lambda" / "index.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ROUTES" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def premise_no_response_cache(templates, e):
    """Nothing is cached, so nothing is stored to encrypt; and the function's only GET,
    the one a stage cache would hold, is the health check, which must reach it."""
    problems = []
    routes = _function_routes()
    gets = sorted(path for path, verbs in (routes or {}).items() if "GET" in verbs)
    if gets != ["/health"]:
        problems.append(f"lambda/index.py: the function serves GET on {gets or routes}, not on /health alone")
    if '"cache-control": "no-store"' not in (ROOT / "lambda" / "index.py").read_text():
        problems.append("lambda/index.py: responses no longer say `cache-control: no-store`")
    for name, resources, logical_id, stage in _resources(templates, e.resources, "AWS::ApiGateway::Stage"):
        props = stage["Properties"]
        if props.get("CacheClusterEnabled") or any(m.get("CachingEnabled") for m in props.get("MethodSettings", [])):
            problems.append(f"{name} {logical_id}: caches responses")
    return problems


def _function_of(resources, value):
    """The AWS::Lambda::Function a Lambda invocation URI names."""
    found = re.findall(r'"Fn::GetAtt": \["([A-Za-z0-9]+)", "Arn"\]', json.dumps(value))
    return found[0] if found and resources.get(found[0], {}).get("Type") == "AWS::Lambda::Function" else None


JWT_AUTHORIZER_ARCHIVE = "paydrc-jwt-authorizer-"


def _is_jwt_authorizer(function):
    return str(function["Properties"].get("Code", {}).get("S3Key", "")).startswith(JWT_AUTHORIZER_ARCHIVE)


def premise_oidc_issuer(templates, e):
    """The method's authorizer is paydrc's JWT authorizer for the spec's issuer, and that
    issuer is not a Cognito user pool (for one a Cognito authorizer would do)."""
    problems = []
    for name, resources, logical_id, method in _resources(templates, e.resources, "AWS::ApiGateway::Method"):
        props = method["Properties"]
        authorizer = resources.get(_ref_id(props.get("AuthorizerId")), {})
        function_id = _function_of(resources, authorizer.get("Properties", {}).get("AuthorizerUri"))
        if props.get("AuthorizationType") != "CUSTOM" or authorizer.get("Properties", {}).get("Type") != "TOKEN" \
                or function_id is None or not _is_jwt_authorizer(resources[function_id]):
            problems.append(f"{name} {logical_id}: not authorized by paydrc's JWT authorizer")
            continue
        issuer = resources[function_id]["Properties"].get("Environment", {}).get("Variables", {}).get("ISSUER", "")
        if not isinstance(issuer, str) or not issuer.startswith("https://"):
            problems.append(f"{name} {function_id}: issuer {issuer!r} is not an https URL")
        elif re.match(r"https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/", issuer):
            problems.append(f"{name} {function_id}: the issuer is a Cognito user pool: use a Cognito authorizer")
    return problems


# What the JWT authorizer's role may do: its own log streams, traces, and decrypting its
# environment; nothing in a VPC, a data store, a queue or a secret.
AUTHORIZER_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments",
                      "xray:PutTelemetryRecords", "kms:Decrypt"}


def premise_authorizer_outside_vpc(templates, e):
    """Only paydrc's JWT authorizer runs outside the VPC, its role reaches nothing private,
    and only API Gateway invokes it; every other function runs in the VPC."""
    problems = []
    covered = {(n, i) for n, _, i, _ in _resources(templates, e.resources, "AWS::Lambda::Function")}
    for name, template in templates.items():
        resources = template["Resources"]
        for logical_id, function in resources.items():
            if function["Type"] != "AWS::Lambda::Function":
                continue
            props = function["Properties"]
            if (name, logical_id) not in covered:
                if not props.get("VpcConfig", {}).get("SubnetIds"):
                    problems.append(f"{name} {logical_id}: runs outside the VPC")
                continue
            if not _is_jwt_authorizer(function) or "VpcConfig" in props:
                problems.append(f"{name} {logical_id}: not paydrc's JWT authorizer outside the VPC")
            role_id = _ref_id(props.get("Role"))
            role = resources.get(role_id, {}).get("Properties", {})
            if role.get("ManagedPolicyArns") or role.get("Policies"):
                problems.append(f"{name} {role_id}: holds policies beyond its own access policy")
            for policy_id, policy in resources.items():
                if policy["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy") and \
                        any(_ref_id(r) == role_id for r in policy["Properties"].get("Roles", [])):
                    extra = {a for s in _statements(policy) for a in _as_list(s["Action"])} - AUTHORIZER_ACTIONS
                    if extra:
                        problems.append(f"{name} {policy_id}: allows {sorted(extra)}")
            invokers = {r["Properties"].get("Principal") for r in resources.values()
                        if r["Type"] == "AWS::Lambda::Permission"
                        and _ref_id(r["Properties"].get("FunctionName")) == logical_id}
            if invokers != {"apigateway.amazonaws.com"}:
                problems.append(f"{name} {logical_id}: invoked by {sorted(map(str, invokers))}, not API Gateway alone")
    return problems


PREMISES = {
    "backup-service-role": premise_backup_service_role,
    "runtime-lifecycle": premise_runtime_lifecycle,
    "backtrack-global": premise_global_cluster,
    "minor-upgrade-global": premise_global_cluster,
    "backup-at-cluster": premise_backup_at_cluster,
    "general-log": premise_audit_log,
    "event-rule-dlq": premise_event_rule_dlq,
    "sync-only-function": premise_sync_only_function,
    "log-stream-arn": premise_log_stream_arn,
    "no-resource-level": premise_no_resource_level,
    "health-route": premise_health_route,
    "nat-public-subnet": premise_nat_public_subnet,
    "lambda-backend": premise_lambda_backend,
    "no-response-cache": premise_no_response_cache,
    "oidc-issuer": premise_oidc_issuer,
    "authorizer-outside-vpc": premise_authorizer_outside_vpc,
}


# ---------------------------------------------------------------- tests

class WithReviewedLists(unittest.TestCase):
    """Fails (never skips) without the npm packages; reads the two reviewed lists."""

    @classmethod
    def setUpClass(cls):
        missing = require_packages()
        if missing:
            raise AssertionError(f"nag: {missing}")
        cls.exceptions = read_exceptions(EXCEPTIONS.read_text())
        cls.open_findings = read_open_findings(OPEN_FINDINGS.read_text())


class Referee(WithReviewedLists):
    """The packs over specs/payment.pdr's CloudFormation, against the reviewed lists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scratch = Path(tempfile.mkdtemp(prefix="paydrc-nag-"))
        cls.out = cls.scratch / "cfn"
        compile_payment(cls.out)
        cls.findings = run_nag(cls.out)
        cls.templates = load_templates(cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def test_findings_are_excepted_or_known_open(self):
        verdict, excepted = judge(self.findings, self.exceptions, self.open_findings)
        self.assertFalse(any(verdict.values()), "\n" + verdict_text(verdict))
        print(f"\nnag: {len(self.findings)} error findings over {len(self.templates)} templates: "
              f"{excepted} excepted by {len(self.exceptions)} reviewed exceptions, "
              f"{len(self.open_findings)} known open gaps (tests/nag/open_findings.txt)", file=sys.stderr)

    def test_open_findings_are_sorted_and_unique(self):
        self.assertEqual(self.open_findings, sorted(set(self.open_findings)))

    def test_each_exception_has_a_checked_premise(self):
        self.assertEqual(sorted(e.ident for e in self.exceptions), sorted(PREMISES))
        for e in self.exceptions:
            with self.subTest(exception=e.ident):
                self.assertEqual(PREMISES[e.ident](self.templates, e), [])

    def test_a_broken_premise_fails(self):
        # An instance in a public subnet: the NAT-only reason no longer holds.
        templates = json.loads(json.dumps(self.templates))
        resources = templates["payment-primary.template.json"]["Resources"]
        resources["RefereeInstance"] = {"Type": "AWS::EC2::Instance",
                                        "Properties": {"SubnetId": {"Ref": "PrimaryPublicASubnet"}}}
        entry = next(e for e in self.exceptions if e.ident == "nat-public-subnet")
        self.assertEqual(premise_nat_public_subnet(templates, entry), [
            "payment-primary.template.json PrimaryPublicRouteTableDefault: "
            "RefereeInstance (AWS::EC2::Instance) is in a public subnet"])

    def test_broken_front_door_premises_fail(self):
        # Each REST front door exception stops holding when what its reason rests on changes.
        entries = {e.ident: e for e in self.exceptions}
        cases = [
            ("lambda-backend", "ApiPrimaryRestApiHealthGetMethod",
             lambda p: p["Integration"].update(Type="HTTP_PROXY", Uri="https://backend.example.com/health"),
             "a HTTP_PROXY integration, not Lambda"),
            ("no-response-cache", "ApiPrimaryRestApiStage",
             lambda p: p["MethodSettings"][0].update(CachingEnabled=True), "caches responses"),
            ("oidc-issuer", "ApiPrimaryAuthorizerFunction",
             lambda p: p["Environment"]["Variables"].update(ISSUER="https://cognito-idp.us-east-1.amazonaws.com/x"),
             "the issuer is a Cognito user pool"),
            ("authorizer-outside-vpc", "ProcessorPrimaryFunction", lambda p: p.pop("VpcConfig"),
             "runs outside the VPC"),
            ("health-route", "ApiPrimaryRestApiProxyAnyMethod", lambda p: p.update(AuthorizationType="NONE"),
             "has no authorizer"),
        ]
        for ident, logical_id, change, problem in cases:
            with self.subTest(exception=ident):
                templates = json.loads(json.dumps(self.templates))
                change(templates["payment-primary.template.json"]["Resources"][logical_id]["Properties"])
                problems = PREMISES[ident](templates, entries[ident])
                self.assertTrue(any(problem in p for p in problems), problems)

    def test_output_is_deterministic(self):
        self.assertEqual(run_nag(self.out), self.findings)


# Settings the spec decides, each judged twice: by the packs over the CloudFormation
# and by paydrc's own rule over the infra model, which judges the Terraform from the
# same model. (spec attribute, its weaker value, paydrc's rule, the pack rules that
# must flag exactly what the change adds.)
AGREEMENT = [
    ("monitoring_interval", "0s", "SEC-DB-MONITORING", (),
     {"HIPAA.Security-RDSEnhancedMonitoringEnabled", "NIST.800.53.R5-RDSEnhancedMonitoringEnabled"}),
    ("deletion_protection", "off", "SEC-DB-DELETION-PROTECTION", (),
     {"AwsSolutions-RDS10", "HIPAA.Security-RDSInstanceDeletionProtectionEnabled",
      "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled"}),
    # Without PITR the tables' logical-corruption RPO is the daily backup: DR-RPO fails too.
    # The packs stay silent: their DynamoDBPITREnabled reads AWS::DynamoDB::Table, and
    # global tables are AWS::DynamoDB::GlobalTable. paydrc alone catches it.
    ("point_in_time_recovery", "off", "SEC-TABLE-PITR", ("DR-RPO",), set()),
]


def weaken(spec, attribute, value, rules):
    """The reference spec with every `attribute` set to `value` (added to the first
    database block when the spec leaves it at its default), and `rules` waived so the
    compile writes what the packs must judge."""
    pattern = rf"(\n\s*){re.escape(attribute)} = [^\n]+"
    if re.search(pattern, spec):
        spec = re.sub(pattern, rf"\g<1>{attribute} = {value}", spec)
    else:
        spec = re.sub(r"(\n(\s*)database \w+ \{)", rf"\1\n\2  {attribute} = {value}", spec, count=1)
    waivers = "".join(f'  waive {rule} {{\n    reason = "the nag agreement test weakens {attribute} on purpose"\n'
                      f'    until = 2027-06-30\n  }}\n' for rule in rules)
    return spec[:spec.rstrip().rfind("}")] + waivers + "}\n"


class AgreesWithPaydrc(WithReviewedLists):
    """For each setting the spec decides, the packs and paydrc's SEC rule agree."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scratch = Path(tempfile.mkdtemp(prefix="paydrc-nag-agree-"))
        compile_payment(cls.scratch / "reference")
        cls.reference = set(run_nag(cls.scratch / "reference"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def test_both_flag_each_weakened_setting(self):
        spec = (ROOT / "specs" / "payment.pdr").read_text()
        for attribute, value, rule, also, pack_rules in AGREEMENT:
            with self.subTest(attribute=attribute):
                project = self.scratch / attribute
                (project / "specs").mkdir(parents=True)
                (project / ".git").mkdir()  # what marks the project's root
                shutil.copytree(ROOT / "lambda", project / "lambda")
                weakened = project / "specs" / "payment.pdr"
                weakened.write_text(weaken(spec, attribute, value, (rule, *also)))
                env = {k: v for k, v in os.environ.items() if k not in OUTPUT_ENV}
                paydrc = os.environ["PAYDRC_BIN"]
                result = subprocess.run([paydrc, str(weakened), "--target", "cloudformation", "-o",
                                         str(project / "cfn")], cwd=project, env=env, capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                added = {Finding(line).rule for line in set(run_nag(project / "cfn")) - self.reference}
                self.assertEqual(added, pack_rules, f"{attribute} = {value}: what the packs add")
                report = json.loads(subprocess.run([paydrc, "check", str(weakened), "--format", "json"], cwd=project,
                                                   env=env, capture_output=True, text=True).stdout)
                mine = {f["id"] for file in report["files"] for f in file["findings"] if f.get("waived")}
                self.assertIn(rule, mine, f"{attribute} = {value}: paydrc's own rule")

    def test_the_reference_draws_neither(self):
        report = json.loads(subprocess.run([os.environ["PAYDRC_BIN"], "check", "specs/payment.pdr", "--format",
                                            "json"], cwd=ROOT, capture_output=True, text=True).stdout)
        ids = {f["id"] for file in report["files"] for f in file["findings"]}
        for _, _, rule, _, pack_rules in AGREEMENT:
            self.assertNotIn(rule, ids)
            self.assertFalse({Finding(line).rule for line in self.reference} & pack_rules)


class RefereeCatches(WithReviewedLists):
    """The referee itself: it fails on a violation nobody recorded, and on stale lists."""

    def test_an_unencrypted_bucket_and_queue_fail_in_every_template(self):
        with tempfile.TemporaryDirectory(prefix="paydrc-nag-bad-") as scratch:
            out = Path(scratch) / "cfn"
            compile_payment(out)
            templates = load_templates(out)
            self.assertEqual(len(templates), 4, sorted(templates))
            for name, template in templates.items():
                # Neither encrypted with a key of ours nor restricted to TLS; no logging, no versioning.
                template["Resources"]["RefereeBareBucket"] = {"Type": "AWS::S3::Bucket", "Properties": {}}
                template["Resources"]["RefereeBareQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
                (out / name).write_text(json.dumps(template, indent=1))
            verdict, _ = judge(run_nag(out), self.exceptions, self.open_findings)
        self.assertEqual([k for k, v in verdict.items() if v], ["unlisted"], verdict_text(verdict))
        unlisted = [Finding(line) for line in verdict["unlisted"]]
        # Every template of the manifest was judged, and nothing else drew a new finding.
        self.assertEqual({(f.template, f.logical_id) for f in unlisted},
                         {(t, r) for t in templates for r in ("RefereeBareBucket", "RefereeBareQueue")})
        rules = {f.rule for f in unlisted}
        for rule in ("AwsSolutions-S10", "AwsSolutions-SQS4", "PCI.DSS.321-S3DefaultEncryptionKMS",
                     "PCI.DSS.321-S3BucketSSLRequestsOnly", "HIPAA.Security-S3BucketPublicWriteProhibited"):
            self.assertIn(rule, rules)

    def test_a_stale_exception_fails(self):
        stale = read_exceptions(
            "| gone | `AwsSolutions-S1` | `NoSuchBucket` | a bucket that was removed |\n")
        verdict, _ = judge(self.open_findings, stale, self.open_findings)
        self.assertEqual(verdict["stale_exception_rules"], ["gone: AwsSolutions-S1"])
        self.assertEqual(verdict["stale_exception_resources"], ["gone: NoSuchBucket"])

    def test_an_exception_pattern_that_matches_nothing_fails(self):
        entry = next(e for e in self.exceptions if len(e.resources) > 1)
        narrowed = Exception_(entry.ident, entry.rules, entry.resources + ["Nothing*Here"], entry.reason)
        lines = [line for line in self.open_findings] + self._excepted_lines()
        verdict, _ = judge(lines, [narrowed], [])
        self.assertIn(f"{entry.ident}: Nothing*Here", verdict["stale_exception_resources"])

    def test_a_fixed_open_finding_must_leave_the_list(self):
        # A finding listed as open that nag no longer reports (a made-up one when the
        # list is empty) is stale.
        listed = self.open_findings or ["AwsSolutions AwsSolutions-S1 payment-primary.template.json Gone"]
        fixed = listed[0]
        verdict, _ = judge([line for line in listed if line != fixed], [], listed)
        self.assertEqual(verdict["stale_open"], [fixed])

    def test_a_rule_that_throws_is_printed_failed(self):
        # AwsSolutions-L1 cannot compare a runtime that a parameter gives.
        template = {"Parameters": {"Runtime": {"Type": "String"}},
                    "Resources": {"Function": {"Type": "AWS::Lambda::Function", "Properties": {
                        "Runtime": {"Ref": "Runtime"}, "Role": "role", "Code": {"ZipFile": "pass"}}}}}
        with tempfile.TemporaryDirectory(prefix="paydrc-nag-throw-") as scratch:
            path = Path(scratch) / "throws.template.json"
            path.write_text(json.dumps(template))
            lines = run_nag("--template", path)
        line = "AwsSolutions AwsSolutions-L1!failed throws.template.json Function"
        self.assertIn(line, lines)
        self.assertIn(line, judge(lines, self.exceptions, self.open_findings)[0]["unlisted"])

    def test_a_crashed_rule_is_never_an_open_gap(self):
        line = "AwsSolutions AwsSolutions-SQS4!failed payment-primary.template.json SomeQueue"
        verdict, _ = judge([line], [], [line])
        self.assertEqual(verdict["crashed_rule_open"], [line])
        verdict, _ = judge([line], [], [])
        self.assertEqual(verdict["unlisted"], [line])

    def test_rules_match_exactly(self):
        # `*` in a rule id is literal: `IAM5[Resource::*]` must not cover every IAM5 finding.
        entry = Exception_("x", ["AwsSolutions-IAM5[Resource::*]"], ["*"], "r")
        other = Finding("AwsSolutions AwsSolutions-IAM5[Action::s3:*] t.json SomeRole")
        self.assertFalse(entry.covers(other))

    def _excepted_lines(self):
        """A finding line for each rule and pattern of every exception, made up from the table."""
        return [f"{r.split('-')[0]} {r} t.json {p.replace('*', 'X')}"
                for e in self.exceptions for r in e.rules for p in e.resources]


if __name__ == "__main__":
    unittest.main(verbosity=2)
