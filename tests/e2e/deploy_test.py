#!/usr/bin/env python3
"""End-to-end deploy test: paydrc's Terraform output applied to moto.

Flow (see README.md beside this file; the machinery is tfroots.py):
  1. get the generated directory: $PAYDRC_TF_DIR, else run
     `$PAYDRC_BIN specs/payment.pdr --target terraform -o <tmp>` from the repo root;
  2. copy it to a temp dir and write `zz_moto_override.tf.json` into every root,
     pointing its aliased `provider "aws"` at moto (the generated files stay clean);
  3. start moto with paydrc's extension (moto_ext.py) on 127.0.0.1, free port;
  4. per root, in manifest order: terraform init -plugin-dir (local provider
     mirror), apply; check with boto3 in both regions; `plan -detailed-exitcode`
     of every root expecting 0 (no changes); destroy the roots in reverse order.

Skips (with a message) only when `terraform` or moto/boto3 is absent; a missing
generator or provider mirror is a failure.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Whole test stays well under CI's and the brief's 20 minutes.
TOTAL_BUDGET_S = float(os.environ.get("PAYDRC_E2E_BUDGET_S", 17 * 60))
STEP_CAP_S = {"paydrc": 120, "init": 180, "apply": 720, "plan": 300, "unprotect": 300,
              "destroy": 600}

PRIMARY_REGION = "us-east-1"
SECONDARY_REGION = "us-west-2"

sys.path.insert(0, HERE)
import tfroots  # noqa: E402
from tfroots import (Deadline, MotoProcess, StepFailed, Workspace, build_override,  # noqa: E402
                     build_unprotect_override, closed_port_url, find_plugin_dir, have_moto, run, tail)


TERRAFORM = shutil.which("terraform")


class OverrideFileTest(unittest.TestCase):
    """The override writer alone (no terraform, no moto): fast."""

    CFG = {
        "provider": {"aws": [{"alias": "primary", "region": "us-east-1"},
                             {"alias": "secondary", "region": "us-west-2"}]},
        "resource": {"aws_cloudwatch_event_rule": {"r": {}}, "aws_route53_record": {"r": {}},
                     "aws_route_table": {"r": {}}, "aws_rds_cluster": {"c": {"deletion_protection": True}},
                     "aws_dynamodb_table": {"t": {"deletion_protection_enabled": False}}},
        "ephemeral": {"aws_secretsmanager_random_password": {"p": {}}},
        "data": {"aws_caller_identity": {"c": {}}, "aws_iam_policy_document": {"d": {}}},
    }

    def test_every_alias_gets_credentials_and_endpoints(self):
        o = build_override(self.CFG, "http://127.0.0.1:1")
        blocks = o["provider"]["aws"]
        self.assertEqual([b["alias"] for b in blocks], ["primary", "secondary"])
        for b in blocks:
            self.assertEqual((b["access_key"], b["secret_key"]), ("test", "test"))
            self.assertIs(b["skip_requesting_account_id"], False)
            self.assertEqual(b["max_retries"], 2)
            ep = b["endpoints"][0]
            self.assertLessEqual({"events", "route53", "ec2", "rds", "secretsmanager", "sts"}, set(ep))
            self.assertNotIn("cloudwatchevents", ep)
            self.assertEqual(set(ep.values()), {"http://127.0.0.1:1"})
        self.assertNotIn("terraform", o)

    def test_one_region_can_point_elsewhere(self):
        # A region taken away: its provider at a closed port, the others at moto.
        o = build_override(self.CFG, "http://127.0.0.1:1", {"primary": "http://127.0.0.1:2"})
        urls = {b["alias"]: set(b["endpoints"][0].values()) for b in o["provider"]["aws"]}
        self.assertEqual(urls, {"primary": {"http://127.0.0.1:2"}, "secondary": {"http://127.0.0.1:1"}})
        closed = closed_port_url()
        self.assertRegex(closed, r"^http://127\.0\.0\.1:\d+$")

    def test_remote_state_makes_no_api_call(self):
        cfg = {"provider": {"aws": [{"alias": "secondary"}]},
               "terraform": {"backend": {"s3": {"bucket": "b"}}},
               "data": {"terraform_remote_state": {"primary": {"backend": "s3"}}}}
        o = build_override(cfg, "http://127.0.0.1:1")
        self.assertEqual(o["terraform"], {"backend": {"local": {}}})
        self.assertEqual(o["data"]["terraform_remote_state"]["primary"],
                         {"backend": "local", "config": {"path": "../primary/terraform.tfstate"}})

    def test_unknown_resource_type_is_an_error(self):
        with self.assertRaises(AssertionError):
            build_override({"resource": {"aws_made_up_thing": {"x": {}}}}, "http://127.0.0.1:1")

    def test_unprotect_only_what_is_protected(self):
        self.assertEqual(build_unprotect_override(self.CFG),
                         {"resource": {"aws_rds_cluster": {"c": {"deletion_protection": False}}}})


@unittest.skipUnless(TERRAFORM, "terraform is not installed: e2e deploy test skipped")
@unittest.skipUnless(have_moto(), "moto/boto3 are not installed: e2e deploy test skipped")
class DeployToMotoTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.deadline = Deadline(TOTAL_BUDGET_S, STEP_CAP_S)
        self.work = tempfile.mkdtemp(prefix="paydrc-e2e-")
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.moto = None
        self.timings: dict[str, float] = {}

    def tearDown(self):
        if self.moto:
            self.moto.stop()
        if os.environ.get("PAYDRC_E2E_KEEP"):
            print(f"\n[e2e] kept work dir {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        if self.timings:
            print("\n[e2e] durations: " + ", ".join(
                f"{k} {v:.1f}s" for k, v in self.timings.items()), file=sys.stderr)

    # -- helpers -----------------------------------------------------------

    def step(self, name, cmd, cwd, env, ok_codes=(0,)):
        log = os.path.join(self.logs, f"{name}.log")
        t0 = time.monotonic()
        rc = run(cmd, cwd, env, self.deadline.timeout(name), log)
        self.timings[name] = time.monotonic() - t0
        if rc is None:
            self.fail(f"{name} timed out after {self.timings[name]:.0f}s\n--- {name} log tail ---\n{tail(log)}")
        if rc not in ok_codes:
            self.fail(f"{name} exited {rc} (expected {ok_codes})\n--- {name} log tail ---\n{tail(log, 120)}")
        return rc

    def generated_dir(self) -> str:
        tf_dir = os.environ.get("PAYDRC_TF_DIR")
        if tf_dir:
            if not os.path.isfile(os.path.join(tf_dir, "manifest.json")):
                self.fail(f"PAYDRC_TF_DIR={tf_dir} has no manifest.json (paydrc's Terraform roots)")
            return tf_dir
        paydrc = os.environ.get("PAYDRC_BIN")
        if not paydrc or not os.access(paydrc, os.X_OK):
            self.fail("set PAYDRC_TF_DIR (a directory paydrc wrote Terraform roots to) or PAYDRC_BIN "
                      f"(the paydrc binary); got PAYDRC_BIN={paydrc!r}")
        out = os.path.join(self.work, "generated")
        env = dict(os.environ)
        for v in ("TERRAFORM_STATE_BUCKET", "TERRAFORM_STATE_BUCKET_REGION"):
            env.pop(v, None)
        self.step("paydrc", [paydrc, "specs/payment.pdr", "--target", "terraform", "-o", out],
                  REPO, env)
        if not os.path.isfile(os.path.join(out, "manifest.json")):
            self.fail(f"paydrc wrote no manifest.json into {out}")
        return out

    def client(self, service, region):
        import boto3
        from botocore.config import Config
        return boto3.client(service, region_name=region, endpoint_url=self.moto.url,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    def assert_denies_without_tls(self, policy, action, what):
        """The TLS-only statement: Deny, anyone, `action`, when aws:SecureTransport is false."""
        for st in policy.get("Statement", []):
            actions = st.get("Action")
            actions = [actions] if isinstance(actions, str) else actions or []
            principal = st.get("Principal")
            if (st.get("Effect") == "Deny" and action in actions
                    and principal in ("*", {"AWS": "*"})
                    and str(st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"):
                return
        self.fail(f"{what}: no statement denying {action} without TLS in {json.dumps(policy)}")

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
        self.assertGreater(len(ws.roots), 1, "one root module per region stage")
        self.env_suffix = (ws.roots[0]["config"].get("variable", {}).get("environment_suffix", {})
                           .get("default", "dev"))

        self.moto_log = os.path.join(self.logs, "moto.log")
        self.moto = MotoProcess(self.moto_log)
        t0 = time.monotonic()
        url = self.moto.start()
        self.timings["moto start"] = time.monotonic() - t0
        ws.write_overrides(url)
        self.create_existing_zones()

        try:
            # Root by root in manifest order: each applies on the state of the earlier ones.
            # The account owner's one-time setting a REST stage's access log needs,
            # before the first root that deploys one (the spec waives
            # DR-API-ACCOUNT-ROLE for exactly this bootstrap).
            bootstrapped = False
            for d in ws.dirs():
                ws.init([d])
                if tfroots.stages_rest_api(ws.root(d)) and not bootstrapped:
                    tfroots.bootstrap_api_gateway_account(self.client, (PRIMARY_REGION, SECONDARY_REGION))
                    bootstrapped = True
                ws.apply([d])
            t0 = time.monotonic()
            self.check_resources()
            self.timings["boto3 checks"] = time.monotonic() - t0
            for d in ws.dirs():
                if ws.plan(d) == 2:
                    self.fail(f"post-apply plan of {d} is not empty (drift on moto):\n"
                              + ws.plan_changes(f"plan {d}"))
            self.check_region_outage_plans(ws, url)
            # The generated configuration protects its data tiers (deletion protection on
            # the global cluster, clusters and tables), as it should: lift it the way an
            # operator would, with a configuration change applied before destroy.
            ws.unprotect()
            ws.destroy()
        except StepFailed as e:
            self.fail(f"{e}\n--- moto log tail ---\n{tail(self.moto_log, 30)}")
        finally:
            self.timings.update(ws.timings)
        self.check_destroyed()

    def check_region_outage_plans(self, ws, url):
        """Contract C1 on the emulator: with the home region's API unreachable (its
        provider pointed at a closed local port), every root of the other regions
        still plans, without changes: it reads the home region's values from state.
        The home region's main root, planned the same way, fails: the cut is real."""
        home = next(r["region"] for r in ws.roots if r["stage"] == "main")
        ws.write_overrides(url, {home: closed_port_url()})
        try:
            for r in ws.roots:
                if r["region"] == home:
                    continue
                name = f"outage-plan {r['dir']}"
                if ws.plan(r["dir"], name) == 2:
                    self.fail(f"{r['dir']} plans changes with {home} down:\n" + ws.plan_changes(name))
            main = next(r["dir"] for r in ws.roots if r["stage"] == "main")
            with self.assertRaises(StepFailed, msg=f"{main} planned with its region's API unreachable"):
                ws.plan(main, f"outage-plan {main}")
        finally:
            ws.write_overrides(url)

    def existing_zones(self) -> list[str]:
        """The zones the configuration looks up rather than creates."""
        return self.ws.existing_zones()

    def create_existing_zones(self):
        # paydrc uses an existing, delegated zone by default, as a team would have
        # it before its first deployment: create it the way that team once did.
        r53 = self.client("route53", PRIMARY_REGION)
        for name in self.existing_zones():
            r53.create_hosted_zone(Name=name, CallerReference=f"e2e-{name}")

    # -- boto3 checks -------------------------------------------------------

    def check_resources(self):
        env = self.env_suffix
        regions = {"primary": PRIMARY_REGION, "secondary": SECONDARY_REGION}
        cidrs = {"primary": "10.0.0.0/16", "secondary": "10.1.0.0/16"}

        # VPCs and subnets: 3 zones, public + private, inside each region's CIDR.
        for role, region in regions.items():
            ec2 = self.client("ec2", region)
            vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == cidrs[role]]
            self.assertEqual(len(vpcs), 1, f"{role}: one VPC {cidrs[role]} in {region}")
            subnets = ec2.describe_subnets(
                Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
            self.assertGreaterEqual(len(subnets), 6, f"{role}: public+private subnets in 3 zones")
            self.assertEqual(len({s["AvailabilityZone"] for s in subnets}), 3, f"{role}: 3 zones")
            nats = ec2.describe_nat_gateways(
                Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["NatGateways"]
            self.assertGreaterEqual(len([n for n in nats if n["State"] != "deleted"]), 1,
                                    f"{role}: NAT gateway")
            # The payment path reaches AWS without the NAT gateway: DynamoDB through a
            # gateway endpoint, the Data API, EventBridge, SSM and X-Ray through
            # interface endpoints with private DNS in every private subnet.
            endpoints = ec2.describe_vpc_endpoints(
                Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["VpcEndpoints"]
            by_service = {e["ServiceName"].rsplit(".", 1)[1]: e for e in endpoints}
            self.assertEqual(sorted(by_service), ["dynamodb", "events", "rds-data", "ssm", "xray"], role)
            self.assertEqual(by_service["dynamodb"]["VpcEndpointType"], "Gateway")
            for service in ("events", "rds-data", "ssm", "xray"):
                e = by_service[service]
                self.assertEqual((e["VpcEndpointType"], e["PrivateDnsEnabled"]), ("Interface", True), service)
                self.assertEqual(len(e["SubnetIds"]), 3, service)
                self.assertEqual(len(e["Groups"]), 1, service)

        # Aurora global database: writer in the primary region, reader in the secondary.
        rds1 = self.client("rds", PRIMARY_REGION)
        gcs = [g for g in rds1.describe_global_clusters()["GlobalClusters"]
               if g["GlobalClusterIdentifier"] == f"payment-ledger-global-{env}"]
        self.assertEqual(len(gcs), 1, f"global cluster payment-ledger-global-{env}")
        gc = gcs[0]
        self.assertEqual(gc["Engine"], "aurora-mysql")
        self.assertTrue(gc["EngineVersion"].startswith("8.0"), gc["EngineVersion"])
        members = gc["GlobalClusterMembers"]
        self.assertEqual(len(members), 2, members)
        writers = [m for m in members if m["IsWriter"]]
        readers = [m for m in members if not m["IsWriter"]]
        self.assertEqual(len(writers), 1)
        self.assertIn(f":{PRIMARY_REGION}:", writers[0]["DBClusterArn"])
        self.assertIn(f":{SECONDARY_REGION}:", readers[0]["DBClusterArn"])
        self.cluster_endpoints = {}
        for role, region in regions.items():
            rds = self.client("rds", region)
            arn = (writers if role == "primary" else readers)[0]["DBClusterArn"]
            cl = rds.describe_db_clusters(DBClusterIdentifier=arn)["DBClusters"][0]
            self.assertEqual(cl["Engine"], "aurora-mysql")
            self.assertTrue(cl["StorageEncrypted"], f"{role} cluster encrypted")
            self.assertTrue(cl.get("IAMDatabaseAuthenticationEnabled"), f"{role}: IAM auth")
            self.assertEqual(sorted(cl.get("EnabledCloudwatchLogsExports", [])),
                             ["audit", "error", "slowquery"], f"{role}: log exports")
            self.assertNotIn("BacktrackWindow", {k for k, v in cl.items() if v}, "no Backtrack")
            self.assertGreaterEqual(len(cl.get("DBClusterMembers", [])), 1, f"{role}: instances")
            insts = rds.describe_db_instances(
                Filters=[{"Name": "db-cluster-id", "Values": [cl["DBClusterIdentifier"]]}]
            )["DBInstances"]
            self.assertGreaterEqual(len(insts), 1)
            for i in insts:
                self.assertEqual(i["DBInstanceClass"], "db.r5.large")
                # Enhanced Monitoring as sent (moto_ext's rds_instance_enhanced_monitoring keeps
                # what stock moto drops; moto samples nothing): every minute, through this
                # region's role, which only RDS monitoring of this account may assume.
                self.assertEqual(i.get("MonitoringInterval"), 60, f"{role}: {i['DBInstanceIdentifier']} monitoring")
                self.assertTrue(i.get("MonitoringRoleArn", "").endswith(
                    f":role/payment-ledger-monitoring-{role}-{env}"), f"{role}: monitoring role {i}")
            iam = self.client("iam", PRIMARY_REGION)
            trust = iam.get_role(RoleName=f"payment-ledger-monitoring-{role}-{env}")["Role"][
                "AssumeRolePolicyDocument"]
            if isinstance(trust, str):
                trust = json.loads(urllib.parse.unquote(trust))
            statement = trust["Statement"][0]
            self.assertEqual(statement["Principal"], {"Service": "monitoring.rds.amazonaws.com"})
            self.assertIn("aws:SourceAccount", statement.get("Condition", {}).get("StringEquals", {}))
            # A customer-managed copy of AmazonRDSEnhancedMonitoringRole narrowed to this
            # region's RDSOSMetrics group; no inline policy.
            role_name = f"payment-ledger-monitoring-{role}-{env}"
            attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
            self.assertEqual([p["PolicyName"] for p in attached], [f"{role_name}-enhanced-monitoring"])
            self.assertEqual(iam.list_role_policies(RoleName=role_name)["PolicyNames"], [])
            policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
            document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
                "PolicyVersion"]["Document"]
            if isinstance(document, str):
                document = json.loads(urllib.parse.unquote(document))
            account = self.client("sts", PRIMARY_REGION).get_caller_identity()["Account"]
            resources = sorted(r for st in document["Statement"]
                               for r in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"]))
            self.assertEqual(resources, [f"arn:aws:logs:{region}:{account}:log-group:RDSOSMetrics",
                                         f"arn:aws:logs:{region}:{account}:log-group:RDSOSMetrics:log-stream:*"])
            self.assertEqual(cl["Port"], 3307, f"{role}: the spec's port")
            # The exports' log groups: created first by the deployment, kept and encrypted.
            logs = self.client("logs", region)
            for log in ("audit", "error", "slowquery"):
                name = f"/aws/rds/cluster/{cl['DBClusterIdentifier']}/{log}"
                groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
                          if g["logGroupName"] == name]
                self.assertEqual(len(groups), 1, f"{role}: log group {name}")
                self.assertEqual(groups[0].get("retentionInDays"), 365, name)
                self.assertTrue(groups[0].get("kmsKeyId"), f"{name}: encrypted")
            self.cluster_endpoints[role] = cl["Endpoint"]

        # DynamoDB global tables: sessions and transactions, replica in the secondary.
        ddb1 = self.client("dynamodb", PRIMARY_REGION)
        ddb2 = self.client("dynamodb", SECONDARY_REGION)
        names1 = ddb1.list_tables()["TableNames"]
        names2 = set(ddb2.list_tables()["TableNames"])
        self.table_names = {}
        for logical in ("sessions", "transactions"):
            matches = [n for n in names1 if logical in n]
            self.assertEqual(len(matches), 1, f"one {logical} table in {PRIMARY_REGION}: {names1}")
            name = matches[0]
            self.table_names[logical] = name
            t = ddb1.describe_table(TableName=name)["Table"]
            self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
            self.assertTrue(t.get("StreamSpecification", {}).get("StreamEnabled"), f"{name}: stream")
            self.assertEqual(t.get("SSEDescription", {}).get("SSEType"), "KMS", f"{name}: SSE KMS")
            replicas = {r["RegionName"]: r["ReplicaStatus"] for r in t.get("Replicas", [])}
            self.assertEqual(replicas.get(SECONDARY_REGION), "ACTIVE", f"{name}: replica {replicas}")
            self.assertIn(name, names2, f"{name}: replica table in {SECONDARY_REGION}")
            for ddb in (ddb1, ddb2):
                pitr = ddb.describe_continuous_backups(TableName=name)[
                    "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
                self.assertEqual(pitr["PointInTimeRecoveryStatus"], "ENABLED", f"{name}: PITR")

        # The payment function in both regions: python3.12+, 1 GB, its environment contract.
        for role, region in regions.items():
            lam = self.client("lambda", region)
            fns = lam.list_functions()["Functions"]
            name = f"payment-processor-{role}-{env}"
            by_name = {f["FunctionName"]: f for f in fns}
            self.assertIn(name, by_name, f"{region}: functions {sorted(by_name)}")
            fn = lam.get_function(FunctionName=name)["Configuration"]
            m = re.fullmatch(r"python3\.(\d+)", fn["Runtime"])
            self.assertTrue(m and int(m.group(1)) >= 12, f"{name}: runtime {fn['Runtime']}")
            self.assertEqual(fn["MemorySize"], 1024, name)
            self.assertEqual(fn.get("TracingConfig", {}).get("Mode"), "Active", f"{name}: X-Ray")
            self.assertTrue(fn.get("VpcConfig", {}).get("SubnetIds"), f"{name}: in the VPC")
            variables = fn.get("Environment", {}).get("Variables", {})
            for var in ("SESSIONS_TABLE", "TRANSACTIONS_TABLE", "EVENT_BUS_NAME", "ENVIRONMENT_SUFFIX"):
                self.assertIn(var, variables, f"{name}: environment")
            self.assertEqual(variables["SESSIONS_TABLE"], self.table_names["sessions"])
            self.assertEqual(variables["TRANSACTIONS_TABLE"], self.table_names["transactions"])
            # API Gateway invokes it synchronously: a dead-letter queue could never receive.
            self.assertNotIn("TargetArn", fn.get("DeadLetterConfig") or {}, f"{name}: no dead-letter queue")

        # Route 53: failover records for the API with health checks (30 s, 3 failures).
        # The zone is the existing one (paydrc creates none); the name is the
        # environment's own: prod answers on the plain name (the spec's
        # plain_name_environments), every other environment on api-<env>.
        r53 = self.client("route53", PRIMARY_REGION)
        self.assertEqual(self.existing_zones(), ["payments.example.com"])
        zones = [z for z in r53.list_hosted_zones()["HostedZones"]
                 if z["Name"] == "payments.example.com."]
        self.assertEqual(len(zones), 1, "hosted zone payments.example.com, and no second one")
        api_name = "api.payments.example.com" if env == "prod" else f"api-{env}.payments.example.com"
        # The front door: a regional REST API per region, reachable only through its
        # custom domains (the failover name and the region's own health name) and
        # behind the region's AWS WAF web ACL.
        health_names = {}
        for role, region in regions.items():
            ag = self.client("apigateway", region)
            [api] = ag.get_rest_apis()["items"]
            self.assertTrue(api.get("disableExecuteApiEndpoint"), f"{region}: execute-api endpoint disabled")
            self.assertEqual(api.get("endpointConfiguration", {}).get("types"), ["REGIONAL"], region)
            health = (f"api-{region}.payments.example.com" if env == "prod"
                      else f"api-{region}-{env}.payments.example.com")
            health_names[role] = health
            domains = sorted(d["domainName"] for d in ag.get_domain_names()["items"])
            self.assertEqual(domains, sorted([api_name, health]), f"{region}: API custom domains")
            for domain in domains:
                [mapping] = ag.get_base_path_mappings(domainName=domain)["items"]
                self.assertEqual((mapping["restApiId"], mapping["stage"]), (api["id"], "live"), domain)
            stage = ag.get_stage(restApiId=api["id"], stageName="live")
            self.assertTrue(stage.get("accessLogSettings", {}).get("destinationArn"), f"{region}: access log")
            self.assertTrue(stage.get("tracingEnabled"), f"{region}: X-Ray")
            # Execution logs: errors only, no request or response data, into the group
            # API Gateway writes to, created first with the region's key and a retention.
            settings = stage.get("methodSettings", {}).get("*/*", {})
            self.assertEqual((settings.get("loggingLevel"), settings.get("dataTraceEnabled")), ("ERROR", False),
                             f"{region}: method settings {settings}")
            group = f"API-Gateway-Execution-Logs_{api['id']}/live"
            [found] = [g for g in self.client("logs", region).describe_log_groups(
                logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group]
            self.assertEqual(found.get("retentionInDays"), 365, group)
            self.assertTrue(found.get("kmsKeyId"), f"{group}: encrypted with the region's key")
            waf = self.client("wafv2", region)
            stage_arn = f"arn:aws:apigateway:{region}::/restapis/{api['id']}/stages/live"
            acl = waf.get_web_acl_for_resource(ResourceArn=stage_arn).get("WebACL")
            self.assertTrue(acl, f"{region}: web ACL on the stage")
            [authorizer] = ag.get_authorizers(restApiId=api["id"])["items"]
            self.assertEqual(authorizer["type"], "TOKEN", region)
        rrs = r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        failover = {r["Failover"]: r for r in rrs if r.get("Failover")}
        self.assertEqual(set(failover), {"PRIMARY", "SECONDARY"}, f"failover records {rrs}")
        for r in failover.values():
            self.assertEqual(r["Name"], api_name + ".")
            self.assertNotIn("lambda-url", json.dumps(r), "no record points at a function URL")
            self.assertTrue(r.get("HealthCheckId"), f"{r['Failover']}: health check")
            hc = r53.get_health_check(HealthCheckId=r["HealthCheckId"])["HealthCheck"]
            hcc = hc["HealthCheckConfig"]
            # Each check probes its region's own health name: execute-api is off.
            self.assertIn(hcc.get("FullyQualifiedDomainName"), health_names.values(), hcc)
            self.assertEqual(hcc.get("RequestInterval"), 30)
            self.assertEqual(hcc.get("FailureThreshold"), 3)

        # EventBridge: a bus in each region, a primary rule forwarding to the secondary bus.
        buses = {}
        for role, region in regions.items():
            ev = self.client("events", region)
            custom = [b for b in ev.list_event_buses()["EventBuses"] if b["Name"] != "default"]
            self.assertTrue(custom, f"{region}: custom event bus")
            buses[role] = custom
        ev1 = self.client("events", PRIMARY_REGION)
        forward = []
        for bus in buses["primary"]:
            for rule in ev1.list_rules(EventBusName=bus["Name"])["Rules"]:
                for tgt in ev1.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus["Name"])["Targets"]:
                    if f":events:{SECONDARY_REGION}:" in tgt["Arn"] and ":event-bus/" in tgt["Arn"]:
                        forward.append(tgt)
                        self.assertTrue(tgt.get("RoleArn"), "cross-region target needs a role")
                        # Undelivered events wait in a queue instead of being dropped.
                        self.assertIn(":sqs:", tgt.get("DeadLetterConfig", {}).get("Arn", ""), tgt)
                        self.assertEqual(tgt.get("RetryPolicy", {}).get("MaximumRetryAttempts"), 185, tgt)
        self.assertTrue(forward, "a rule forwarding primary events to the secondary bus")
        # Every queue (the rule's dead-letter queue among them) refuses requests without TLS.
        queue_urls = []
        for region in regions.values():
            sqs = self.client("sqs", region)
            for url in sqs.list_queues().get("QueueUrls", []):
                queue_urls.append(url)
                policy = json.loads(sqs.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
                self.assert_denies_without_tls(policy, "sqs:*", url)
        self.assertTrue(any(t["DeadLetterConfig"]["Arn"].split(":")[-1] in u for t in forward for u in queue_urls),
                        f"the rule's dead-letter queue is one of {queue_urls}")

        # AWS Backup: vaults in both regions, daily plan 03:00 UTC, 7 days, copy to secondary.
        vault_arns = {}
        for role, region in regions.items():
            vaults = self.client("backup", region).list_backup_vaults()["BackupVaultList"]
            self.assertTrue(vaults, f"{region}: backup vault")
            vault_arns[role] = {v["BackupVaultArn"] for v in vaults}
        bk1 = self.client("backup", PRIMARY_REGION)
        plans = bk1.list_backup_plans()["BackupPlansList"]
        self.assertTrue(plans, "backup plan")
        rules = []
        for p in plans:
            rules += bk1.get_backup_plan(BackupPlanId=p["BackupPlanId"])["BackupPlan"]["Rules"]
        daily = [r for r in rules if r.get("ScheduleExpression") == "cron(0 3 * * ? *)"]
        self.assertTrue(daily, f"daily 03:00 UTC rule: {rules}")
        r = daily[0]
        self.assertEqual(r.get("Lifecycle", {}).get("DeleteAfterDays"), 7)
        copies = [c["DestinationBackupVaultArn"] for c in r.get("CopyActions", [])]
        self.assertTrue(any(a in vault_arns["secondary"] for a in copies), f"copy to secondary: {copies}")
        # A plan and a tag selection in every region that can hold the writer: after a
        # failover the new writer's region keeps backing it up. Vaults are locked.
        for role, region in regions.items():
            bk = self.client("backup", region)
            regional = bk.list_backup_plans()["BackupPlansList"]
            self.assertTrue(regional, f"{region}: backup plan")
            sels = []
            for p in regional:
                sels += bk.list_backup_selections(BackupPlanId=p["BackupPlanId"])["BackupSelectionsList"]
            self.assertTrue(sels, f"{region}: backup selection")
            sel = bk.get_backup_selection(BackupPlanId=sels[0]["BackupPlanId"],
                                          SelectionId=sels[0]["SelectionId"])["BackupSelection"]
            self.assertTrue(sel.get("ListOfTags"), f"{region}: selection by tag: {sel}")
            for v in bk.list_backup_vaults()["BackupVaultList"]:
                self.assertTrue(v.get("Locked"), f"{region}: vault lock: {v}")
                # Nobody deletes a recovery point or shortens its life by hand.
                policy = json.loads(bk.get_backup_vault_access_policy(
                    BackupVaultName=v["BackupVaultName"])["Policy"])
                [deny] = policy["Statement"]
                self.assertEqual((deny["Effect"], deny["Principal"], deny["Resource"]),
                                 ("Deny", {"AWS": "*"}, "*"), f"{region}: vault policy {policy}")
                self.assertEqual(sorted(deny["Action"]),
                                 ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"])

        # CloudWatch: alarms wired to SNS, dashboards per region.
        alarms = []
        for role, region in regions.items():
            cw = self.client("cloudwatch", region)
            alarms += cw.describe_alarms()["MetricAlarms"]
            dashes = {d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]}
            self.assertIn(f"payment-{role}-{env}", dashes, f"{region}: dashboard")
        names = {a["AlarmName"]: a for a in alarms}
        self.assertIn(f"payment-replication-lag-secondary-{env}", names, sorted(names))
        lag = names[f"payment-replication-lag-secondary-{env}"]
        # AuroraGlobalDBReplicationLag is in milliseconds.
        self.assertIn(lag["Threshold"], (60.0, 60000.0))
        # An Aurora secondary that stops reporting its lag is the failure to page on.
        self.assertEqual(lag["TreatMissingData"], "breaching")

        def metrics(a):
            """(namespace, metric) pairs of an alarm, plain or metric math."""
            if a.get("MetricName"):
                yield a.get("Namespace"), a["MetricName"]
            for q in a.get("Metrics") or []:
                m = (q.get("MetricStat") or {}).get("Metric") or {}
                if m.get("MetricName"):
                    yield m.get("Namespace"), m["MetricName"]

        self.assertTrue(any(("AWS/Lambda", "Errors") in set(metrics(a)) for a in alarms),
                        "function errors alarm")
        self.assertTrue(any(ns == "AWS/DynamoDB" and "Throttle" in name
                            for a in alarms for ns, name in metrics(a)), "DynamoDB throttle alarms")
        for a in alarms:
            self.assertTrue(a.get("AlarmActions"), f"{a['AlarmName']}: wired to SNS")
        # DynamoDB lag: one per (sending, receiving) pair per table, in the sending
        # region. DynamoDB publishes ReplicationLatency only while items replicate,
        # so missing data keeps the alarm's state (Aurora's lag alarm breaches).
        lag = [a for a in alarms if ("AWS/DynamoDB", "ReplicationLatency") in set(metrics(a))]
        self.assertEqual(len(lag), 4, sorted(a["AlarmName"] for a in lag))
        for a in lag:
            self.assertEqual(a["TreatMissingData"], "ignore", a["AlarmName"])
            receiving = {d["Name"]: d["Value"] for d in a["Dimensions"]}["ReceivingRegion"]
            self.assertNotIn(receiving, a["AlarmArn"], f"{a['AlarmName']}: placed in the sending region")
        # Route 53 health checks: alarms in us-east-1, where the metric lives.
        health = [a for a in alarms if ("AWS/Route53", "HealthCheckStatus") in set(metrics(a))]
        self.assertEqual(len(health), 2)
        for a in health:
            self.assertIn(":us-east-1:", a["AlarmArn"])
        # The API's server errors, per region.
        self.assertEqual(sum(("AWS/ApiGateway", "5XXError") in set(metrics(a)) for a in alarms), 2)
        # Each region's alarm topic pages the spec's destinations.
        for role, region in regions.items():
            subs = self.client("sns", region).list_subscriptions()["Subscriptions"]
            self.assertEqual(sorted(s["Protocol"] for s in subs), ["email", "https"], region)
            # Its policy refuses publishing without TLS and lets this region's alarms publish.
            sns = self.client("sns", region)
            for topic in sns.list_topics()["Topics"]:
                policy = json.loads(sns.get_topic_attributes(TopicArn=topic["TopicArn"])["Attributes"]["Policy"])
                self.assert_denies_without_tls(policy, "sns:Publish", topic["TopicArn"])
                self.assertIn("cloudwatch.amazonaws.com", json.dumps(policy), topic["TopicArn"])

        # SSM parameters.
        ssm = self.client("ssm", PRIMARY_REGION)
        params = {}
        for p in ("db/primary/endpoint", "db/secondary/endpoint", "db/dynamodb/table"):
            name = f"/payment/{env}/{p}"
            params[p] = ssm.get_parameter(Name=name)["Parameter"]["Value"]
        self.assertEqual(params["db/primary/endpoint"], self.cluster_endpoints["primary"])
        self.assertEqual(params["db/secondary/endpoint"], self.cluster_endpoints["secondary"])
        self.assertEqual(params["db/dynamodb/table"], self.table_names["sessions"])

        # The master secret rotates every 30 days through paydrc's rotation function in
        # the writer's region (moto_ext refuses RotateSecret unless the function lets
        # Secrets Manager invoke it for this secret).
        sm = self.client("secretsmanager", PRIMARY_REGION)
        secret = sm.describe_secret(SecretId=f"payment/{env}/ledger/master")
        self.assertTrue(secret.get("RotationEnabled"), secret)
        self.assertEqual(secret["RotationRules"]["AutomaticallyAfterDays"], 30)
        lam = self.client("lambda", PRIMARY_REGION)
        rotation = lam.get_function(FunctionName=f"payment-ledger-rotation-{env}")["Configuration"]
        self.assertEqual(secret["RotationLambdaARN"], rotation["FunctionArn"])
        self.assertEqual(rotation["Environment"]["Variables"]["GLOBAL_CLUSTER_ID"], f"payment-ledger-global-{env}")
        stages = sorted(s for v in secret["VersionIdsToStages"].values() for s in v)
        self.assertEqual(stages, ["AWSCURRENT"], "configuring rotation did not rotate")

    def check_destroyed(self):
        # The existing zone is someone else's (every environment shares it): destroy
        # leaves it, with none of this deployment's records.
        r53 = self.client("route53", PRIMARY_REGION)
        zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == "payments.example.com."]
        self.assertEqual(len(zones), 1, "the existing zone outlives destroy")
        left = r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        self.assertEqual(sorted(r["Type"] for r in left), ["NS", "SOA"], f"records left behind: {left}")
        rds1 = self.client("rds", PRIMARY_REGION)
        self.assertEqual(rds1.describe_global_clusters()["GlobalClusters"], [], "global cluster destroyed")
        for region in (PRIMARY_REGION, SECONDARY_REGION):
            self.assertEqual(self.client("rds", region).describe_db_clusters()["DBClusters"], [])
            self.assertEqual(self.client("dynamodb", region).list_tables()["TableNames"], [])
            self.assertEqual(self.client("lambda", region).list_functions()["Functions"], [])
            self.assertEqual(self.client("apigateway", region).get_rest_apis()["items"], [])
            self.assertEqual(self.client("apigateway", region).get_domain_names()["items"], [])
            self.assertEqual(self.client("wafv2", region).list_web_acls(Scope="REGIONAL")["WebACLs"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
