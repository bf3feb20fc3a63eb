#!/usr/bin/env python3
"""End-to-end test of `front_door = rest_api`: paydrc's Terraform for a small spec
(tests/e2e/rest_front_door.pdr: one function in two regions behind a regional REST API
per region, AWS WAF, paydrc's JWT authorizer, Route 53 failover) applied to moto.

Flow (the machinery is tfroots.py, shared with deploy_test.py):
  1. get the generated directory: $PAYDRC_TF_DIR, else run
     `$PAYDRC_BIN tests/e2e/rest_front_door.pdr --target terraform -o <tmp>` from the
     repository root;
  2. start moto with paydrc's extension (moto_ext.py) on 127.0.0.1, free port; create
     the existing hosted zone the spec names;
  3. per root, in manifest order: terraform init -plugin-dir (local provider mirror),
     apply;
  4. boto3 checks in both regions (see check_region / check_route53), then a region
     outage through moto_ext's control route: the primary's health check fails and the
     API's name answers with the secondary;
  5. `plan -detailed-exitcode` of every root expecting 0 (the second apply is clean);
     destroy the roots in reverse order; check that nothing is left.

Bounded: every step has a timeout and the whole test a budget of at most 10 minutes
(PAYDRC_E2E_REST_BUDGET_S may lower it). Skips (with a message) only when `terraform`
or moto/boto3 is absent; a missing generator or provider mirror is a failure.
`PAYDRC_E2E_KEEP=1` keeps the temp dir with its logs.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SPEC = "tests/e2e/rest_front_door.pdr"  # relative to REPO: paydrc resolves sources from it

BUDGET_CAP_S = 600.0  # the whole test, at most 10 minutes
TOTAL_BUDGET_S = min(float(os.environ.get("PAYDRC_E2E_REST_BUDGET_S", BUDGET_CAP_S)), BUDGET_CAP_S)
STEP_CAP_S = {"paydrc": 60, "init": 120, "apply": 300, "plan": 120, "unprotect": 120, "destroy": 300}

ZONE = "payments.example.com"  # the spec's `zone`, an existing zone paydrc looks up
RECORD = "api"                 # the spec's `record`
JWT_ISSUER = "https://auth.example.com/"  # the spec's jwt_issuer / jwt_audience
JWT_AUDIENCE = "payments"
WAF_RATE_LIMIT = 2000          # waf_rate_limit's default (docs/language.md)
# AWS managed rule groups AWS WAF offers every web ACL ("AWS Managed Rules rule groups
# list", https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html);
# a name outside it is refused by AWS, never by moto.
AWS_MANAGED_RULE_GROUPS = {
    "AWSManagedRulesCommonRuleSet", "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesUnixRuleSet", "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet", "AWSManagedRulesWordPressRuleSet",
    "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet",
    "AWSManagedRulesAntiDDoSRuleSet",
}
# What the front door must carry (docs/language.md, `front_door = rest_api`): common
# exploits, known bad inputs, IP reputation.
REQUIRED_RULE_GROUPS = {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                        "AWSManagedRulesAmazonIpReputationList"}

sys.path.insert(0, HERE)
import tfroots  # noqa: E402
from moto_ext import APIGW_REGIONAL_ZONE  # noqa: E402  (API Gateway's regional zones, cited there)
from tfroots import (Deadline, MotoProcess, StepFailed, Workspace, build_override,  # noqa: E402
                     find_plugin_dir, have_moto, run, tail)

TERRAFORM = shutil.which("terraform")
# A well-formed bearer token (three base64url parts) and two that are not.
SAMPLE_JWT = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwYXllciJ9.c2lnbmF0dXJl"
NOT_JWTS = ["Basic dXNlcjpwYXNz", "Bearer not-a-token"]


class OverrideTest(unittest.TestCase):
    """The provider override of a REST front door root (no terraform, no moto): fast."""

    def test_waf_and_api_gateway_types_reach_moto(self):
        cfg = {"provider": {"aws": [{"alias": "primary", "region": "us-east-1"}]},
               "resource": {"aws_wafv2_web_acl": {"a": {}}, "aws_wafv2_web_acl_association": {"a": {}},
                            "aws_wafv2_web_acl_logging_configuration": {"a": {}},
                            "aws_api_gateway_rest_api": {"a": {}}, "aws_acm_certificate": {"a": {}}}}
        [block] = build_override(cfg, "http://127.0.0.1:1")["provider"]["aws"]
        self.assertLessEqual({"wafv2", "apigateway", "acm", "sts"}, set(block["endpoints"][0]))
        self.assertEqual(set(block["endpoints"][0].values()), {"http://127.0.0.1:1"})


@unittest.skipUnless(TERRAFORM, "terraform is not installed: e2e REST front door test skipped")
@unittest.skipUnless(have_moto(), "moto/boto3 are not installed: e2e REST front door test skipped")
class RestFrontDoorTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.deadline = Deadline(TOTAL_BUDGET_S, STEP_CAP_S)
        self.work = tempfile.mkdtemp(prefix="paydrc-e2e-rest-")
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.moto = None
        self.timings: dict[str, float] = {}
        self.started = time.monotonic()

    def tearDown(self):
        if self.moto:
            self.moto.stop()
        if os.environ.get("PAYDRC_E2E_KEEP"):
            print(f"\n[e2e-rest] kept work dir {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        self.timings["whole test"] = time.monotonic() - self.started
        print("\n[e2e-rest] durations: " + ", ".join(
            f"{k} {v:.1f}s" for k, v in self.timings.items()), file=sys.stderr)

    # -- helpers -----------------------------------------------------------

    def generated_dir(self) -> str:
        tf_dir = os.environ.get("PAYDRC_TF_DIR")
        if tf_dir:
            if not os.path.isfile(os.path.join(tf_dir, "manifest.json")):
                self.fail(f"PAYDRC_TF_DIR={tf_dir} has no manifest.json (paydrc's Terraform roots)")
            return tf_dir
        paydrc = os.environ.get("PAYDRC_BIN")
        if not paydrc or not os.access(paydrc, os.X_OK):
            self.fail("set PAYDRC_BIN (the paydrc binary) or PAYDRC_TF_DIR (a directory paydrc wrote "
                      f"{SPEC}'s Terraform roots to); got PAYDRC_BIN={paydrc!r}")
        out = os.path.join(self.work, "generated")
        env = dict(os.environ)
        for v in ("TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION"):
            env.pop(v, None)
        log = os.path.join(self.logs, "paydrc.log")
        t0 = time.monotonic()
        rc = run([paydrc, SPEC, "--target", "terraform", "-o", out], REPO, env,
                 self.deadline.timeout("paydrc"), log)
        self.timings["paydrc"] = time.monotonic() - t0
        if rc != 0:
            self.fail(f"paydrc exited {rc} compiling {SPEC}\n{tail(log)}")
        if not os.path.isfile(os.path.join(out, "manifest.json")):
            self.fail(f"paydrc wrote no manifest.json into {out}")
        return out

    def client(self, service, region):
        import boto3
        from botocore.config import Config
        return boto3.client(service, region_name=region, endpoint_url=self.moto.url,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    def outage(self, region: str, down: bool):
        """moto_ext's drill control: take a region's APIs down or bring them back."""
        req = urllib.request.Request(self.moto.url + "/_paydrc/outage",
                                     data=json.dumps({"region": region, "down": down}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            self.assertEqual(resp.status, 200)
            self.assertEqual(region in json.loads(resp.read())["down"], down)

    # -- the test -----------------------------------------------------------

    def test_apply_check_plan_destroy(self):
        plugin_dir = find_plugin_dir()
        if not plugin_dir or not os.path.isdir(
                os.path.join(plugin_dir, "registry.terraform.io", "hashicorp", "aws")):
            self.fail("no local provider mirror: set TF_PLUGIN_DIR to the directory holding "
                      "registry.terraform.io/hashicorp/aws")
        src = self.generated_dir()
        ws = Workspace(src, self.work, plugin_dir, self.deadline)
        self.ws = ws
        # role (`region primary`) -> AWS region, from the manifest
        self.regions = {r["region"]: r["aws_region"] for r in ws.roots}
        self.assertEqual(sorted(self.regions), ["primary", "secondary"], "two regions")
        main = next(r for r in ws.roots if r["stage"] == "main")
        self.env_suffix = main["config"].get("variable", {}).get("environment_suffix", {}).get("default", "dev")
        self.api_name = f"{RECORD}-{self.env_suffix}.{ZONE}"

        self.moto_log = os.path.join(self.logs, "moto.log")
        self.moto = MotoProcess(self.moto_log)
        t0 = time.monotonic()
        url = self.moto.start()
        self.timings["moto start"] = time.monotonic() - t0
        ws.write_overrides(url)
        self.assertEqual(ws.existing_zones(), [ZONE], "the spec's zone is looked up, not created")
        # The zone exists and is delegated before the first deployment, as a team has it.
        self.client("route53", "us-east-1").create_hosted_zone(Name=ZONE, CallerReference=f"e2e-{ZONE}")

        try:
            bootstrapped = False
            for d in ws.dirs():  # each root applies on the state of the earlier ones
                ws.init([d])
                if tfroots.stages_rest_api(ws.root(d)) and not bootstrapped:
                    # The documented prerequisite (`front_door`'s reference): without
                    # the region's API Gateway CloudWatch Logs role the stage is
                    # refused; once the account sets it, applying again completes.
                    with self.assertRaises(StepFailed, msg="a REST stage's access log needs the account's role"):
                        ws.apply([d])
                    self.bootstrap_api_gateway_account()
                    bootstrapped = True
                ws.apply([d])
            self.assertTrue(bootstrapped, "no root deploys a REST API stage")
            t0 = time.monotonic()
            found = {role: self.check_region(role, region) for role, region in self.regions.items()}
            self.check_route53(found)
            self.check_failover_follows_the_health_names(found)
            self.timings["boto3 checks"] = time.monotonic() - t0
            for d in ws.dirs():
                if ws.plan(d) == 2:
                    self.fail(f"the second plan of {d} is not empty: applying again would change "
                              f"what the first apply made:\n" + ws.plan_changes(f"plan {d}"))
            ws.unprotect()
            ws.destroy()
        except StepFailed as e:
            self.fail(f"{e}\n--- moto log tail ---\n{tail(self.moto_log, 30)}")
        finally:
            self.timings.update(ws.timings)
        self.check_destroyed()

    def bootstrap_api_gateway_account(self):
        tfroots.bootstrap_api_gateway_account(self.client, self.regions.values())

    # -- boto3 checks -------------------------------------------------------

    def health_name(self, region: str) -> str:
        return f"{RECORD}-{region}-{self.env_suffix}.{ZONE}"

    def check_region(self, role: str, region: str) -> dict:
        """Everything of the front door inside one region; returns what the Route 53
        checks need (the domain names' regional targets)."""
        ag = self.client("apigateway", region)
        lam = self.client("lambda", region)
        logs = self.client("logs", region)
        account = self.client("sts", region).get_caller_identity()["Account"]
        where = f"{role} ({region})"

        # The REST API: regional, its default execute-api endpoint disabled, so clients
        # reach it only through the custom domains (and so through AWS WAF).
        apis = ag.get_rest_apis()["items"]
        self.assertEqual(len(apis), 1, f"{where}: one REST API, got {[a['name'] for a in apis]}")
        api = apis[0]
        api_id = api["id"]
        self.assertIs(api.get("disableExecuteApiEndpoint"), True, f"{where}: execute-api endpoint disabled")
        self.assertEqual(api.get("endpointConfiguration", {}).get("types"), ["REGIONAL"], where)
        execute_prefix = f"arn:aws:execute-api:{region}:{account}:{api_id}/"

        # The JWT authorizer: a TOKEN authorizer reading the Authorization header,
        # backed by paydrc's authorizer function in this same region.
        authorizers = ag.get_authorizers(restApiId=api_id)["items"]
        self.assertEqual(len(authorizers), 1, f"{where}: authorizers {authorizers}")
        authz = authorizers[0]
        self.assertEqual(authz["type"], "TOKEN", where)
        self.assertEqual(authz["identitySource"], "method.request.header.Authorization", where)
        authz_fn_arn = self.function_of_uri(authz.get("authorizerUri", ""), region, f"{where}: authorizer")
        if authz.get("identityValidationExpression"):
            pattern = re.compile(authz["identityValidationExpression"])
            self.assertTrue(pattern.fullmatch(SAMPLE_JWT), f"{where}: a bearer JWT must pass {pattern.pattern}")
            for bad in NOT_JWTS:
                self.assertFalse(pattern.fullmatch(bad), f"{where}: {bad!r} passes {pattern.pattern}")

        # Routes: ANY /{proxy+} behind the authorizer, GET /health open (Route 53 probes
        # it without a token); both a Lambda proxy integration of the handler.
        resources = {r["path"]: r for r in ag.get_resources(restApiId=api_id, limit=500)["items"]}
        self.assertLessEqual({"/{proxy+}", "/health"}, set(resources), f"{where}: paths {sorted(resources)}")
        routes = {}
        for path, verb in (("/{proxy+}", "ANY"), ("/health", "GET")):
            self.assertIn(verb, resources[path].get("resourceMethods", {}), f"{where}: {verb} {path}")
            method = ag.get_method(restApiId=api_id, resourceId=resources[path]["id"], httpMethod=verb)
            integ = method.get("methodIntegration") or {}
            self.assertEqual((integ.get("type"), integ.get("httpMethod")), ("AWS_PROXY", "POST"),
                             f"{where}: {verb} {path} integration {integ}")
            routes[path] = (method, self.function_of_uri(integ.get("uri", ""), region, f"{where}: {verb} {path}"))
        proxy, health = routes["/{proxy+}"][0], routes["/health"][0]
        self.assertEqual((proxy["authorizationType"], proxy.get("authorizerId")), ("CUSTOM", authz["id"]),
                         f"{where}: ANY /{{proxy+}} must go through the JWT authorizer")
        self.assertEqual(health["authorizationType"], "NONE", f"{where}: GET /health is open")
        handler_fn_arn = routes["/{proxy+}"][1]
        self.assertEqual(routes["/health"][1], handler_fn_arn, f"{where}: both routes reach the handler")
        self.assertNotEqual(handler_fn_arn, authz_fn_arn, f"{where}: the authorizer is its own function")

        # The functions: the authorizer outside the VPC (it fetches the issuer's keys and
        # needs no data tier), configured for the spec's issuer and audience (the
        # environment builtin/jwt_authorizer/index.py reads: ISSUER, AUDIENCE comma-separated).
        authz_fn = lam.get_function(FunctionName=authz_fn_arn)["Configuration"]
        self.assertFalse((authz_fn.get("VpcConfig") or {}).get("SubnetIds"),
                         f"{where}: the authorizer function has no VPC config: {authz_fn.get('VpcConfig')}")
        variables = (authz_fn.get("Environment") or {}).get("Variables", {})
        self.assertEqual(variables.get("ISSUER"), JWT_ISSUER, f"{where}: authorizer environment {variables}")
        self.assertIn(JWT_AUDIENCE, variables.get("AUDIENCE", "").split(","), f"{where}: {variables}")
        lam.get_function(FunctionName=handler_fn_arn)  # the handler exists in this region

        # API Gateway may invoke both functions, and only from this API.
        for fn_arn in (handler_fn_arn, authz_fn_arn):
            statements = json.loads(lam.get_policy(FunctionName=fn_arn)["Policy"])["Statement"]
            grants = [st for st in statements
                      if st.get("Principal", {}).get("Service") == "apigateway.amazonaws.com"]
            self.assertTrue(grants, f"{where}: no permission for apigateway on {fn_arn}")
            for st in grants:
                self.assertEqual((st["Effect"], st["Action"]), ("Allow", "lambda:InvokeFunction"), st)
                source = st.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn", "")
                self.assertTrue(source.startswith(execute_prefix),
                                f"{where}: {fn_arn} grant not scoped to API {api_id}: {st}")

        # Stage `live`: deployed, access logs into this API's log group.
        stages = {s["stageName"]: s for s in ag.get_stages(restApiId=api_id)["item"]}
        self.assertIn("live", stages, f"{where}: stages {sorted(stages)}")
        stage = stages["live"]
        deployments = {d["id"] for d in ag.get_deployments(restApiId=api_id)["items"]}
        self.assertIn(stage.get("deploymentId"), deployments, f"{where}: stage deployed")
        access = stage.get("accessLogSettings") or {}
        groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
        access_group = self.log_group_of_arn(access.get("destinationArn", ""), region, groups,
                                             f"{where}: access logs")
        self.assertEqual(access_group, f"/aws/apigateway/{api['name']}", f"{where}: the API's own log group")
        self.assertIn("$context.requestId", access.get("format", ""), f"{where}: access log format")
        stage_arn = f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/live"

        # AWS WAF: a regional web ACL on the stage, AWS managed rule groups that block
        # (not count), a per-IP rate limit, logs to aws-waf-logs-* without the token.
        waf = self.client("wafv2", region)
        acl_for_stage = waf.get_web_acl_for_resource(ResourceArn=stage_arn).get("WebACL")
        self.assertTrue(acl_for_stage, f"{where}: no web ACL associated with {stage_arn}")
        acl_arn = acl_for_stage["ARN"]
        self.assertIn(f":wafv2:{region}:{account}:regional/webacl/", acl_arn, f"{where}: a REGIONAL web ACL")
        self.assertEqual(stage.get("webAclArn"), acl_arn, f"{where}: the stage reports its web ACL")
        acl = waf.get_web_acl(Name=acl_for_stage["Name"], Scope="REGIONAL", Id=acl_for_stage["Id"])["WebACL"]
        self.assertIn("Allow", acl["DefaultAction"], f"{where}: rules block, the rest is allowed")
        rules = acl["Rules"]
        self.assertEqual(len({r["Priority"] for r in rules}), len(rules), f"{where}: distinct priorities")
        managed = {}
        for r in rules:
            group = r["Statement"].get("ManagedRuleGroupStatement")
            if group:
                self.assertEqual(group["VendorName"], "AWS", r["Name"])
                self.assertIn(group["Name"], AWS_MANAGED_RULE_GROUPS, f"{where}: no such AWS managed rule group")
                self.assertEqual(r.get("OverrideAction"), {"None": {}},
                                 f"{where}: {group['Name']} must enforce its actions, not count")
                managed[group["Name"]] = r
        self.assertLessEqual(REQUIRED_RULE_GROUPS, set(managed), f"{where}: managed rule groups {sorted(managed)}")
        rate = [r for r in rules if "RateBasedStatement" in r["Statement"]]
        self.assertEqual(len(rate), 1, f"{where}: one rate-based rule")
        self.assertIn("Block", rate[0]["Action"], f"{where}: the rate limit blocks")
        self.assertEqual(rate[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"], "IP")
        self.assertEqual(rate[0]["Statement"]["RateBasedStatement"]["Limit"], WAF_RATE_LIMIT)
        logging = waf.get_logging_configuration(ResourceArn=acl_arn)["LoggingConfiguration"]
        [destination] = logging["LogDestinationConfigs"]
        waf_group = self.log_group_of_arn(destination, region, groups, f"{where}: WAF logs")
        self.assertTrue(waf_group.startswith("aws-waf-logs-"), f"{where}: WAF log group {waf_group}")
        redacted = {(f.get("SingleHeader") or {}).get("Name", "").lower() for f in logging.get("RedactedFields", [])}
        self.assertIn("authorization", redacted, f"{where}: the bearer token stays out of the WAF logs")

        # Two custom domains: the failover name and this region's own health name, each
        # regional, TLS 1.2, an issued certificate of this region covering it, mapped to
        # this API's `live` stage.
        acm = self.client("acm", region)
        domains = {d["domainName"]: d for d in ag.get_domain_names()["items"]}
        self.assertEqual(sorted(domains), sorted([self.api_name, self.health_name(region)]), where)
        targets = {}
        for name, dn in domains.items():
            self.assertEqual(dn.get("endpointConfiguration", {}).get("types"), ["REGIONAL"], name)
            self.assertEqual(dn.get("securityPolicy"), "TLS_1_2", name)
            self.assertEqual(dn.get("domainNameStatus"), "AVAILABLE", name)
            self.assertEqual(dn.get("regionalHostedZoneId"), APIGW_REGIONAL_ZONE[region], name)
            self.assertRegex(dn.get("regionalDomainName", ""), rf"\.execute-api\.{region}\.amazonaws\.com$", name)
            cert_arn = dn.get("regionalCertificateArn", "")
            self.assertTrue(cert_arn.startswith(f"arn:aws:acm:{region}:"), f"{name}: certificate {cert_arn}")
            cert = acm.describe_certificate(CertificateArn=cert_arn)["Certificate"]
            self.assertEqual(cert["Status"], "ISSUED", f"{name}: certificate")
            self.assertIn(name, {cert["DomainName"], *cert.get("SubjectAlternativeNames", [])},
                          f"{name}: the certificate covers the name")
            mappings = ag.get_base_path_mappings(domainName=name).get("items", [])
            self.assertEqual([(m.get("restApiId"), m.get("stage"), m.get("basePath")) for m in mappings],
                             [(api_id, "live", "(none)")], f"{name}: base path mapping")
            targets[name] = (dn["regionalDomainName"], dn["regionalHostedZoneId"])
        return {"targets": targets}

    def function_of_uri(self, uri: str, region: str, what: str) -> str:
        """The function ARN in a Lambda (proxy or authorizer) URI; it must be in `region`."""
        m = re.fullmatch(rf"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                         rf"(arn:aws:lambda:{region}:\d{{12}}:function:[^/:]+)/invocations", uri)
        self.assertTrue(m, f"{what}: URI {uri!r} does not name a function of {region}")
        return m.group(1)

    def log_group_of_arn(self, arn: str, region: str, groups: dict, what: str) -> str:
        m = re.fullmatch(rf"arn:aws:logs:{region}:\d{{12}}:log-group:(.+?)(:\*)?", arn or "")
        self.assertTrue(m, f"{what}: {arn!r} is not a log group of {region}")
        self.assertIn(m.group(1), groups, f"{what}: log group {m.group(1)} does not exist")
        return m.group(1)

    def check_route53(self, found: dict):
        r53 = self.client("route53", "us-east-1")
        zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == ZONE + "."]
        self.assertEqual(len(zones), 1, "the existing zone, and no second one")
        self.zone_id = zones[0]["Id"]
        rrs = r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        self.health_checks = {}
        for role, region in self.regions.items():
            targets = found[role]["targets"]
            # The health name: a plain alias to this region's health domain, so Route 53's
            # checks reach this region only, whatever the failover record answers.
            health = self.health_name(region)
            plain = [r for r in rrs if r["Name"] == health + "." and r["Type"] == "A"]
            self.assertEqual(len(plain), 1, f"{health}: one A record")
            self.assertNotIn("Failover", plain[0], health)
            alias = plain[0].get("AliasTarget") or {}
            self.assertEqual((alias.get("DNSName", "").rstrip("."), alias.get("HostedZoneId")), targets[health],
                             f"{health}: alias to {region}'s health domain")
        failover = {r["Failover"]: r for r in rrs if r.get("Failover")}
        self.assertEqual(sorted(failover), ["PRIMARY", "SECONDARY"], f"failover records {rrs}")
        for kind, role in (("PRIMARY", "primary"), ("SECONDARY", "secondary")):
            region = self.regions[role]
            rec = failover[kind]
            self.assertEqual((rec["Name"], rec["Type"]), (self.api_name + ".", "A"), kind)
            alias = rec.get("AliasTarget") or {}
            self.assertEqual((alias.get("DNSName", "").rstrip("."), alias.get("HostedZoneId")),
                             found[role]["targets"][self.api_name], f"{kind}: alias to {region}'s API domain")
            self.assertTrue(alias.get("EvaluateTargetHealth"), kind)
            self.assertTrue(rec.get("HealthCheckId"), f"{kind}: health check")
            hcc = r53.get_health_check(HealthCheckId=rec["HealthCheckId"])["HealthCheck"]["HealthCheckConfig"]
            # execute-api is disabled, so only the region's custom health name can answer.
            self.assertEqual(hcc.get("FullyQualifiedDomainName"), self.health_name(region),
                             f"{kind}: the check probes {region}'s health name")
            self.assertNotIn("execute-api", hcc.get("FullyQualifiedDomainName", ""))
            self.assertEqual((hcc["Type"], hcc.get("Port"), hcc.get("ResourcePath"), hcc.get("EnableSNI")),
                             ("HTTPS", 443, "/health", True), f"{kind}: {hcc}")
            self.health_checks[role] = rec["HealthCheckId"]
        self.failover_targets = {role: found[role]["targets"][self.api_name][0] for role in self.regions}

    def check_failover_follows_the_health_names(self, found: dict):
        """With the primary region's APIs down (moto_ext's drill control), its health
        check fails through the health name and the API's name answers with the
        secondary; with the region back, with the primary again."""
        r53 = self.client("route53", "us-east-1")

        def healthy(role):
            obs = r53.get_health_check_status(HealthCheckId=self.health_checks[role])["HealthCheckObservations"]
            return all(o["StatusReport"]["Status"].startswith("Success") for o in obs)

        def answer():
            out = r53.test_dns_answer(HostedZoneId=self.zone_id, RecordName=self.api_name, RecordType="A")
            return out["RecordData"]

        self.assertEqual((healthy("primary"), healthy("secondary")), (True, True))
        self.assertEqual(answer(), [self.failover_targets["primary"]])
        self.outage(self.regions["primary"], True)
        try:
            self.assertEqual((healthy("primary"), healthy("secondary")), (False, True),
                             "the primary's check must fail with its region down")
            self.assertEqual(answer(), [self.failover_targets["secondary"]])
        finally:
            self.outage(self.regions["primary"], False)
        self.assertEqual(answer(), [self.failover_targets["primary"]])

    def check_destroyed(self):
        r53 = self.client("route53", "us-east-1")
        zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == ZONE + "."]
        self.assertEqual(len(zones), 1, "the existing zone outlives destroy")
        left = r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        self.assertEqual(sorted(r["Type"] for r in left), ["NS", "SOA"], f"records left behind: {left}")
        self.assertEqual(r53.list_health_checks()["HealthChecks"], [], "health checks left behind")
        for region in self.regions.values():
            ag = self.client("apigateway", region)
            self.assertEqual(ag.get_rest_apis()["items"], [], f"{region}: REST APIs left behind")
            self.assertEqual(ag.get_domain_names()["items"], [], f"{region}: domain names left behind")
            self.assertEqual(self.client("wafv2", region).list_web_acls(Scope="REGIONAL")["WebACLs"], [],
                             f"{region}: web ACLs left behind")
            self.assertEqual(self.client("lambda", region).list_functions()["Functions"], [],
                             f"{region}: functions left behind")


if __name__ == "__main__":
    unittest.main(verbosity=2)
