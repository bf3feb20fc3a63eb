#!/usr/bin/env python3
"""The drill extensions of moto_ext.py, checked with boto3 against the
server run as the drill runs it: a subprocess on 127.0.0.1, free port.

Each test takes a region down and back through the control route and checks what
AWS documents for that situation (the citations are in moto_ext.py's docstrings).
Seconds, no terraform. Skipped only when moto/boto3 cannot be imported.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from deploy_test import MotoProcess, have_moto  # noqa: E402

EAST, WEST = "us-east-1", "us-west-2"


def control(url, path, body=None):
    """GET (body None) or POST JSON to a moto_ext control route; (status, json)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + "/_paydrc/" + path, data=data,
                                 headers={"Content-Type": "application/json"},
                                 method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


class EmulatorCase(unittest.TestCase):
    """One moto_ext server for the class; boto3 clients and the outage control."""

    maxDiff = None
    prefix = "paydrc-moto-ext-"

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix=cls.prefix)
        cls.moto = MotoProcess(os.path.join(cls.work, "moto.log"))
        cls.url = cls.moto.start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def client(self, service, region):
        import boto3
        from botocore.config import Config
        return boto3.client(service, region_name=region, endpoint_url=self.url,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    def outage(self, region, down):
        status, body = control(self.url, "outage", {"region": region, "down": down})
        self.assertEqual(status, 200, body)
        self.assertEqual(region in body["down"], down)

    def reset(self):
        """moto's own reset route: a fresh emulator state, every region up, no
        recorded statements (moto_ext clears its drill state on that route)."""
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"),
                               timeout=10).close()
        self.assertEqual(control(self.url, "outage")[1], {"down": []})


@unittest.skipUnless(have_moto(), "moto/boto3 are not installed")
class MotoExtTest(EmulatorCase):

    def tearDown(self):
        for region in (EAST, WEST):
            self.outage(region, False)

    def assertCode(self, code, fn, *args, **kwargs):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception)
        return cm.exception

    # -- region outage control ----------------------------------------------

    def test_outage_refuses_the_region_but_not_route53(self):
        ddb_east, ddb_west = self.client("dynamodb", EAST), self.client("dynamodb", WEST)
        for ddb in (ddb_east, ddb_west):
            ddb.create_table(TableName="outage-t", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        r53 = self.client("route53", EAST)  # Route 53 signs with us-east-1
        r53.create_hosted_zone(Name="outage.example.com", CallerReference="outage")
        self.outage(EAST, True)
        err = self.assertCode("ServiceUnavailable", ddb_east.describe_table, TableName="outage-t")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        self.assertEqual(ddb_west.describe_table(TableName="outage-t")["Table"]["TableName"], "outage-t")
        self.assertCode("ServiceUnavailable", self.client("rds", EAST).describe_db_clusters)
        self.assertIn("outage.example.com.",
                      [z["Name"] for z in r53.list_hosted_zones()["HostedZones"]])
        self.assertEqual(control(self.url, "outage")[1], {"down": [EAST]})
        self.outage(EAST, False)
        self.assertEqual(ddb_east.describe_table(TableName="outage-t")["Table"]["TableName"], "outage-t")

    def test_outage_control_rejects_malformed_requests(self):
        self.assertEqual(control(self.url, "outage", {"region": EAST})[0], 400)
        self.assertEqual(control(self.url, "outage", {"region": EAST, "down": "yes"})[0], 400)
        self.assertEqual(control(self.url, "nothing-here")[0], 404)

    def test_moto_reset_clears_the_drill_state(self):
        self.outage(WEST, True)
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"),
                               timeout=10).close()
        self.assertEqual(control(self.url, "outage")[1], {"down": []})
        self.assertEqual(control(self.url, "data-api/statements")[1], {"statements": {}})

    # -- global clusters -------------------------------------------------------

    def make_global(self, name):
        """A global cluster with a writer in us-east-1 and a secondary in us-west-2."""
        east, west = self.client("rds", EAST), self.client("rds", WEST)
        east.create_global_cluster(GlobalClusterIdentifier=name, Engine="aurora-mysql",
                                   EngineVersion="8.0.mysql_aurora.3.10.0")
        arns = {}
        for rds, region in ((east, EAST), (west, WEST)):
            arns[region] = rds.create_db_cluster(
                DBClusterIdentifier=f"{name}-{region}", Engine="aurora-mysql",
                EngineVersion="8.0.mysql_aurora.3.10.0", GlobalClusterIdentifier=name,
                MasterUsername="admin", MasterUserPassword="password123",
            )["DBCluster"]["DBClusterArn"]
        return arns

    def members(self, name, region=WEST):
        gc = self.client("rds", region).describe_global_clusters(
            GlobalClusterIdentifier=name)["GlobalClusters"][0]
        self.assertEqual(gc.get("FailoverState"), None)
        return {m["DBClusterArn"]: (m["IsWriter"], m.get("SynchronizationStatus"))
                for m in gc["GlobalClusterMembers"]}

    def test_switchover_needs_the_primary_and_moves_the_writer(self):
        arns = self.make_global("gsw")
        west = self.client("rds", WEST)
        west.switchover_global_cluster(GlobalClusterIdentifier="gsw",
                                       TargetDbClusterIdentifier=arns[WEST])
        self.assertEqual(self.members("gsw"), {arns[WEST]: (True, "connected"),
                                               arns[EAST]: (False, "connected")})
        # the demoted primary replicates from the new writer at once
        old = self.client("rds", EAST).describe_db_clusters(
            DBClusterIdentifier="gsw-us-east-1")["DBClusters"][0]
        self.assertEqual(old.get("ReplicationSourceIdentifier"), arns[WEST])
        # back, with FailoverGlobalCluster without AllowDataLoss (a switchover)
        west.failover_global_cluster(GlobalClusterIdentifier="gsw",
                                     TargetDbClusterIdentifier=arns[EAST])
        self.assertEqual(self.members("gsw")[arns[EAST]], (True, "connected"))
        self.outage(EAST, True)
        for call in (west.switchover_global_cluster, west.failover_global_cluster):
            self.assertCode("InvalidGlobalClusterStateFault", call,
                            GlobalClusterIdentifier="gsw", TargetDbClusterIdentifier=arns[WEST])
        self.assertEqual(self.members("gsw")[arns[EAST]], (True, "connected"))
        self.assertCode("InvalidParameterCombination", west.failover_global_cluster,
                        GlobalClusterIdentifier="gsw", TargetDbClusterIdentifier=arns[WEST],
                        AllowDataLoss=True, Switchover=True)

    def test_failover_with_data_loss_then_the_old_primary_rejoins(self):
        arns = self.make_global("gfo")
        west = self.client("rds", WEST)
        self.outage(EAST, True)
        self.assertCode("DBClusterNotFoundFault", west.failover_global_cluster,
                        GlobalClusterIdentifier="gfo", TargetDbClusterIdentifier="nope",
                        AllowDataLoss=True)
        self.assertCode("GlobalClusterNotFoundFault", west.failover_global_cluster,
                        GlobalClusterIdentifier="gfo-typo", TargetDbClusterIdentifier=arns[WEST],
                        AllowDataLoss=True)
        west.failover_global_cluster(GlobalClusterIdentifier="gfo",
                                     TargetDbClusterIdentifier=arns[WEST], AllowDataLoss=True)
        self.assertEqual(self.members("gfo"), {arns[WEST]: (True, "connected"),
                                               arns[EAST]: (False, "pending-resync")})
        self.assertCode("InvalidDBClusterStateFault", west.failover_global_cluster,
                        GlobalClusterIdentifier="gfo", TargetDbClusterIdentifier=arns[WEST],
                        AllowDataLoss=True)
        new_writer = west.describe_db_clusters(DBClusterIdentifier="gfo-us-west-2")["DBClusters"][0]
        self.assertFalse(new_writer.get("ReplicationSourceIdentifier"))
        # a switchover back is refused until the old primary is in sync again
        self.outage(EAST, False)
        self.assertEqual(self.members("gfo", EAST), {arns[WEST]: (True, "connected"),
                                                     arns[EAST]: (False, "connected")})
        west.switchover_global_cluster(GlobalClusterIdentifier="gfo",
                                       TargetDbClusterIdentifier=arns[EAST])
        self.assertEqual(self.members("gfo")[arns[EAST]], (True, "connected"))

    # -- Route 53 -------------------------------------------------------------

    def test_health_checks_follow_the_region_inverted_and_disabled(self):
        r53 = self.client("route53", EAST)

        def check(region, **extra):
            cfg = {"Type": "HTTPS", "FullyQualifiedDomainName": f"abc123.execute-api.{region}.amazonaws.com",
                   "Port": 443, "ResourcePath": "/health", "RequestInterval": 30,
                   "FailureThreshold": 3, **extra}
            return r53.create_health_check(CallerReference=json.dumps(cfg, sort_keys=True),
                                           HealthCheckConfig=cfg)["HealthCheck"]["Id"]

        def healthy(hc_id):
            obs = r53.get_health_check_status(HealthCheckId=hc_id)["HealthCheckObservations"]
            self.assertTrue(obs)
            states = {o["StatusReport"]["Status"].startswith("Success") for o in obs}
            self.assertEqual(len(states), 1, obs)
            return states.pop()

        east, west = check(EAST), check(WEST)
        inverted, disabled = check(EAST, Inverted=True), check(EAST, Disabled=True)
        both = check(EAST, Inverted=True, Disabled=True)
        up = {h: healthy(h) for h in (east, west, inverted, disabled, both)}
        self.assertEqual(up, {east: True, west: True, inverted: False, disabled: True, both: False})
        self.outage(EAST, True)
        down = {h: healthy(h) for h in (east, west, inverted, disabled, both)}
        self.assertEqual(down, {east: False, west: True, inverted: True, disabled: True, both: False})

    def test_dns_answer_follows_failover_and_alias_targets(self):
        r53 = self.client("route53", EAST)
        zone = r53.create_hosted_zone(Name="dns.example.com", CallerReference="dns")["HostedZone"]["Id"]
        targets = {r: f"d-{r}.execute-api.{r}.amazonaws.com" for r in (EAST, WEST)}
        changes = [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": "plain.dns.example.com", "Type": "A", "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.1"}]}}]
        for role, region in (("PRIMARY", EAST), ("SECONDARY", WEST)):
            cfg = {"Type": "HTTPS", "FullyQualifiedDomainName": f"x.execute-api.{region}.amazonaws.com",
                   "Port": 443, "ResourcePath": "/health"}
            hc = r53.create_health_check(CallerReference=f"dns-{role}", HealthCheckConfig=cfg)
            changes.append({"Action": "CREATE", "ResourceRecordSet": {
                "Name": "api.dns.example.com", "Type": "A", "SetIdentifier": role.lower(),
                "Failover": role, "HealthCheckId": hc["HealthCheck"]["Id"],
                "AliasTarget": {"HostedZoneId": "Z1UJRXOUMOOFQ8", "DNSName": targets[region],
                                "EvaluateTargetHealth": True}}})
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})

        def answer(name):
            out = r53.test_dns_answer(HostedZoneId=zone, RecordName=name, RecordType="A")
            return out["ResponseCode"], out["RecordData"]

        self.assertEqual(answer("plain.dns.example.com"), ("NOERROR", ["192.0.2.1"]))
        self.assertEqual(answer("missing.dns.example.com"), ("NXDOMAIN", []))
        self.assertEqual(answer("api.dns.example.com"), ("NOERROR", [targets[EAST]]))
        self.outage(EAST, True)
        self.assertEqual(answer("api.dns.example.com"), ("NOERROR", [targets[WEST]]))
        self.outage(WEST, True)  # both unhealthy: Route 53 answers the primary
        self.assertEqual(answer("api.dns.example.com"), ("NOERROR", [targets[EAST]]))
        self.outage(WEST, False)
        self.outage(EAST, False)
        self.assertEqual(answer("api.dns.example.com"), ("NOERROR", [targets[EAST]]))

    # -- RDS Data API -----------------------------------------------------------

    def test_data_api_needs_endpoint_secret_and_writer_and_records_statements(self):
        arns = self.make_global("gdata")
        secrets = {}
        for region in (EAST, WEST):
            rds = self.client("rds", region)
            secrets[region] = self.client("secretsmanager", region).create_secret(
                Name="ledger-master", SecretString='{"username":"admin","password":"x"}')["ARN"]
        data = {r: self.client("rds-data", r) for r in (EAST, WEST)}

        def run(region, arn, secret, amount="10.00"):
            return data[region].execute_statement(
                resourceArn=arn, secretArn=secret, database="payments",
                sql="INSERT INTO ledger (transaction_id, amount) VALUES (:id, :amount)",
                parameters=[{"name": "id", "value": {"stringValue": f"t-{region}-{amount}"}},
                            {"name": "amount", "value": {"stringValue": amount}}])

        self.assertCode("HttpEndpointNotEnabledException", run, EAST, arns[EAST], secrets[EAST])
        for region in (EAST, WEST):
            rds = self.client("rds", region)
            out = rds.enable_http_endpoint(ResourceArn=arns[region])
            self.assertTrue(out["HttpEndpointEnabled"])
            cl = rds.describe_db_clusters(DBClusterIdentifier=arns[region])["DBClusters"][0]
            self.assertTrue(cl["HttpEndpointEnabled"])
        self.assertCode("BadRequestException", run, EAST, arns[WEST], secrets[EAST])
        self.assertCode("SecretsErrorException", run, EAST, arns[EAST], secrets[WEST])
        run(EAST, arns[EAST], secrets[EAST])
        # the secondary has no writer until it is promoted
        self.assertCode("DatabaseUnavailableException", run, WEST, arns[WEST], secrets[WEST])
        self.outage(EAST, True)
        self.client("rds", WEST).failover_global_cluster(
            GlobalClusterIdentifier="gdata", TargetDbClusterIdentifier=arns[WEST], AllowDataLoss=True)
        run(WEST, arns[WEST], secrets[WEST], amount="12.50")
        status, body = control(self.url, "data-api/statements?resourceArn=" + arns[WEST])
        self.assertEqual(status, 200)
        self.assertEqual(list(body["statements"]), [arns[WEST]])
        [stmt] = body["statements"][arns[WEST]]
        self.assertTrue(stmt["sql"].startswith("INSERT INTO ledger"))
        self.assertEqual(stmt["parameters"][1], {"name": "amount", "value": {"stringValue": "12.50"}})
        self.assertEqual((stmt["database"], stmt["secretArn"], stmt["region"]),
                         ("payments", secrets[WEST], WEST))
        everything = control(self.url, "data-api/statements")[1]["statements"]
        self.assertEqual(len(everything[arns[EAST]]), 1)


    # -- AWS Backup vault access policy --------------------------------------

    def test_vault_access_policy_is_kept_and_refuses_action_wildcards(self):
        backup = self.client("backup", EAST)
        backup.create_backup_vault(BackupVaultName="v-policy")
        self.assertCode("ResourceNotFoundException", backup.get_backup_vault_access_policy,
                        BackupVaultName="v-policy")
        deny = {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyRecoveryPointDeletion", "Effect": "Deny", "Principal": {"AWS": "*"},
            "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"], "Resource": "*"}]}
        backup.put_backup_vault_access_policy(BackupVaultName="v-policy", Policy=json.dumps(deny))
        got = backup.get_backup_vault_access_policy(BackupVaultName="v-policy")
        self.assertEqual(json.loads(got["Policy"]), deny)
        self.assertTrue(got["BackupVaultArn"].endswith(":backup-vault:v-policy"))
        wildcard = json.loads(json.dumps(deny))
        wildcard["Statement"][0]["Action"] = "backup:Delete*"
        self.assertCode("InvalidParameterValueException", backup.put_backup_vault_access_policy,
                        BackupVaultName="v-policy", Policy=json.dumps(wildcard))
        self.assertCode("ResourceNotFoundException", backup.put_backup_vault_access_policy,
                        BackupVaultName="no-such-vault", Policy=json.dumps(deny))
        backup.delete_backup_vault_access_policy(BackupVaultName="v-policy")
        self.assertCode("ResourceNotFoundException", backup.get_backup_vault_access_policy,
                        BackupVaultName="v-policy")


    # -- Secrets Manager rotation function -----------------------------------

    def test_rotation_needs_a_permission_for_this_secret_and_runs_only_the_test_step(self):
        import io
        import zipfile
        iam, lam, sm = self.client("iam", EAST), self.client("lambda", EAST), self.client("secretsmanager", EAST)
        role = iam.create_role(RoleName="rotation-test", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("index.py", "def handler(event, context):\n    raise RuntimeError('must not run')\n")
        fn = lam.create_function(FunctionName="rotation-test", Runtime="python3.13", Handler="index.handler",
                                 Role=role["Role"]["Arn"], Code={"ZipFile": code.getvalue()})["FunctionArn"]
        secret = sm.create_secret(Name="rotation-test/master", SecretString='{"password": "old"}')["ARN"]
        other = sm.create_secret(Name="rotation-test/other", SecretString='{"password": "x"}')["ARN"]
        rotate = dict(SecretId=secret, RotationLambdaARN=fn, RotationRules={"AutomaticallyAfterDays": 30},
                      RotateImmediately=False)
        self.assertCode("AccessDeniedException", sm.rotate_secret, **rotate)  # no policy at all
        lam.add_permission(FunctionName="rotation-test", StatementId="OtherSecret", Action="lambda:InvokeFunction",
                           Principal="secretsmanager.amazonaws.com", SourceArn=other)
        self.assertCode("AccessDeniedException", sm.rotate_secret, **rotate)  # scoped to another secret
        lam.add_permission(FunctionName="rotation-test", StatementId="ThisSecret", Action="lambda:InvokeFunction",
                           Principal="secretsmanager.amazonaws.com", SourceArn=secret)
        sm.rotate_secret(**rotate)
        described = sm.describe_secret(SecretId=secret)
        self.assertTrue(described["RotationEnabled"])
        self.assertEqual(described["RotationLambdaARN"], fn)
        self.assertEqual(described["RotationRules"]["AutomaticallyAfterDays"], 30)
        stages = sorted(s for v in described["VersionIdsToStages"].values() for s in v)
        self.assertEqual(stages, ["AWSCURRENT"], "the configuration test leaves no AWSPENDING version")
        self.assertEqual(json.loads(sm.get_secret_value(SecretId=secret)["SecretString"]), {"password": "old"})

    # -- EC2 interface endpoints ---------------------------------------------

    def test_private_dns_on_an_interface_endpoint_needs_dns_hostnames(self):
        ec2 = self.client("ec2", WEST)
        vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
        endpoint = dict(VpcId=vpc, ServiceName=f"com.amazonaws.{WEST}.events", VpcEndpointType="Interface",
                        SubnetIds=[subnet], PrivateDnsEnabled=True)
        self.assertCode("InvalidParameter", ec2.create_vpc_endpoint, **endpoint)  # hostnames off by default
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        created = ec2.create_vpc_endpoint(**endpoint)["VpcEndpoint"]
        self.assertTrue(created["PrivateDnsEnabled"])
        self.assertEqual(created["VpcEndpointType"], "Interface")

    # -- API Gateway REST APIs and AWS WAF (the REST front door) ----------------

    def rest_api_with_stage(self, region, name):
        """A REST API with one MOCK method, deployed to stage `live`: (api id, stage ARN)."""
        ag = self.client("apigateway", region)
        api = ag.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"]
        root = next(r["id"] for r in ag.get_resources(restApiId=api)["items"] if r["path"] == "/")
        ag.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
        ag.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        deployment = ag.create_deployment(restApiId=api)["id"]
        ag.create_stage(restApiId=api, stageName="live", deploymentId=deployment)
        return api, f"arn:aws:apigateway:{region}::/restapis/{api}/stages/live"

    def test_rest_domain_names_report_their_regions_zone(self):
        for region, zone in ((EAST, "Z1UJRXOUMOOFQ8"), (WEST, "Z2OJLYMUO9EFXC")):
            ag = self.client("apigateway", region)
            dn = ag.create_domain_name(
                domainName=f"api-{region}.zone.example.com", securityPolicy="TLS_1_2",
                regionalCertificateArn=f"arn:aws:acm:{region}:123456789012:certificate/x",
                endpointConfiguration={"types": ["REGIONAL"]})
            self.assertEqual(dn["regionalHostedZoneId"], zone)
            self.assertRegex(dn["regionalDomainName"], rf"^d-\w+\.execute-api\.{region}\.amazonaws\.com$")
            self.assertNotIn("distributionDomainName", dn)
            self.assertNotIn("distributionHostedZoneId", dn)
            got = ag.get_domain_name(domainName=f"api-{region}.zone.example.com")
            self.assertEqual(got["regionalHostedZoneId"], zone)

    def test_token_authorizer_keeps_its_identity_validation_expression(self):
        ag = self.client("apigateway", EAST)
        api = ag.create_rest_api(name="authz")["id"]
        expression = r"^Bearer [-0-9A-Za-z_.]+$"
        created = ag.create_authorizer(
            restApiId=api, name="jwt", type="TOKEN", identitySource="method.request.header.Authorization",
            identityValidationExpression=expression,
            authorizerUri=f"arn:aws:apigateway:{EAST}:lambda:path/2015-03-31/functions/"
                          f"arn:aws:lambda:{EAST}:123456789012:function:authz/invocations")
        self.assertEqual(created["identityValidationExpression"], expression)
        got = ag.get_authorizer(restApiId=api, authorizerId=created["id"])
        self.assertEqual(got["identityValidationExpression"], expression)

    def test_stage_logging_needs_an_account_role_api_gateway_can_assume(self):
        region = "eu-west-1"  # API Gateway's account settings are per region: keep this one to itself
        ag, iam = self.client("apigateway", region), self.client("iam", region)
        api, _ = self.rest_api_with_stage(region, "logging")
        log_group = f"arn:aws:logs:{region}:123456789012:log-group:/aws/apigateway/logging"
        access_log = [{"op": "replace", "path": "/accessLogSettings/destinationArn", "value": log_group},
                      {"op": "replace", "path": "/accessLogSettings/format",
                       "value": '{"requestId":"$context.requestId"}'}]
        err = self.assertCode("BadRequestException", ag.update_stage, restApiId=api, stageName="live",
                              patchOperations=access_log)
        self.assertIn("CloudWatch Logs role ARN must be set in account settings", str(err))
        self.assertCode("BadRequestException", ag.update_stage, restApiId=api, stageName="live",
                        patchOperations=[{"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}])
        # a role that only Lambda may assume is refused as the account's CloudWatch role
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
        lambda_role = iam.create_role(RoleName="not-for-apigw", AssumeRolePolicyDocument=json.dumps(trust))
        self.assertCode("BadRequestException", ag.update_account, patchOperations=[
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": lambda_role["Role"]["Arn"]}])
        trust["Statement"][0]["Principal"]["Service"] = "apigateway.amazonaws.com"
        role = iam.create_role(RoleName="apigw-cloudwatch", AssumeRolePolicyDocument=json.dumps(trust))
        ag.update_account(patchOperations=[
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": role["Role"]["Arn"]}])
        self.assertEqual(ag.get_account()["cloudwatchRoleArn"], role["Role"]["Arn"])
        stage = ag.update_stage(restApiId=api, stageName="live", patchOperations=access_log)
        self.assertEqual(stage["accessLogSettings"]["destinationArn"], log_group)
        self.assertCode("BadRequestException", ag.update_stage, restApiId=api, stageName="live",
                        patchOperations=[{"op": "replace", "path": "/accessLogSettings/format",
                                          "value": '{"ip":"$context.identity.sourceIp"}'}])
        # the other regions' settings are their own
        self.assertIsNone(self.client("apigateway", EAST).get_account().get("cloudwatchRoleArn"))

    def test_waf_associates_only_existing_stages_of_its_region_and_logs_to_aws_waf_logs(self):
        waf, logs = self.client("wafv2", EAST), self.client("logs", EAST)
        visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acl"}
        acl = waf.create_web_acl(Name="front-door", Scope="REGIONAL", DefaultAction={"Allow": {}},
                                 VisibilityConfig=visibility)["Summary"]["ARN"]
        api, stage_arn = self.rest_api_with_stage(EAST, "waf")
        _, west_stage = self.rest_api_with_stage(WEST, "waf-west")
        self.assertCode("WAFNonexistentItemException", waf.associate_web_acl, WebACLArn=acl,
                        ResourceArn=f"arn:aws:apigateway:{EAST}::/restapis/{api}/stages/nope")
        self.assertCode("WAFInvalidParameterException", waf.associate_web_acl, WebACLArn=acl,
                        ResourceArn=west_stage)
        waf.associate_web_acl(WebACLArn=acl, ResourceArn=stage_arn)
        self.assertEqual(waf.get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]["ARN"], acl)
        self.assertEqual(self.client("apigateway", EAST).get_stage(restApiId=api, stageName="live")["webAclArn"], acl)

        def log_to(*names):
            return waf.put_logging_configuration(LoggingConfiguration={
                "ResourceArn": acl, "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}],
                "LogDestinationConfigs": [f"arn:aws:logs:{EAST}:123456789012:log-group:{n}" for n in names]})

        logs.create_log_group(logGroupName="/aws/waf/front-door")
        self.assertCode("WAFInvalidParameterException", log_to, "/aws/waf/front-door")
        self.assertCode("WAFNonexistentItemException", log_to, "aws-waf-logs-missing")
        logs.create_log_group(logGroupName="aws-waf-logs-front-door")
        logs.create_log_group(logGroupName="aws-waf-logs-second")
        self.assertCode("WAFInvalidParameterException", log_to, "aws-waf-logs-front-door", "aws-waf-logs-second")
        log_to("aws-waf-logs-front-door")
        got = waf.get_logging_configuration(ResourceArn=acl)["LoggingConfiguration"]
        self.assertEqual(got["LogDestinationConfigs"],
                         [f"arn:aws:logs:{EAST}:123456789012:log-group:aws-waf-logs-front-door"])
        self.assertCode("WAFNonexistentItemException", waf.put_logging_configuration, LoggingConfiguration={
            "ResourceArn": acl.replace("front-door", "no-such-acl"),
            "LogDestinationConfigs": [f"arn:aws:logs:{EAST}:123456789012:log-group:aws-waf-logs-front-door"]})

    def test_health_check_of_a_custom_name_follows_the_region_it_resolves_to(self):
        r53 = self.client("route53", EAST)
        zone = r53.create_hosted_zone(Name="names.example.com", CallerReference="names")["HostedZone"]["Id"]
        records = [
            ("api-us-east-1.names.example.com", {"AliasTarget": {
                "HostedZoneId": "Z1UJRXOUMOOFQ8", "DNSName": f"d-abc.execute-api.{EAST}.amazonaws.com",
                "EvaluateTargetHealth": False}}),
            ("api-us-west-2.names.example.com", {"AliasTarget": {
                "HostedZoneId": "Z2OJLYMUO9EFXC", "DNSName": f"d-def.execute-api.{WEST}.amazonaws.com",
                "EvaluateTargetHealth": False}}),
            ("east-cname.names.example.com", {"TTL": 60, "Type": "CNAME",
                                              "ResourceRecords": [{"Value": "api-us-east-1.names.example.com"}]}),
            ("static.names.example.com", {"TTL": 60, "ResourceRecords": [{"Value": "192.0.2.10"}]}),
        ]
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": dict({"Name": name, "Type": "A"}, **rr)}
            for name, rr in records]})

        def check(name):
            cfg = {"Type": "HTTPS", "FullyQualifiedDomainName": name, "Port": 443,
                   "ResourcePath": "/health", "EnableSNI": True}
            return r53.create_health_check(CallerReference=f"names-{name}", HealthCheckConfig=cfg)["HealthCheck"]["Id"]

        def healthy(hc_id):
            obs = r53.get_health_check_status(HealthCheckId=hc_id)["HealthCheckObservations"]
            return {o["StatusReport"]["Status"].startswith("Success") for o in obs} == {True}

        east, west = check("api-us-east-1.names.example.com"), check("api-us-west-2.names.example.com")
        chained, static = check("east-cname.names.example.com"), check("static.names.example.com")
        every = (east, west, chained, static)
        self.assertEqual([healthy(h) for h in every], [True, True, True, True])
        self.outage(EAST, True)
        self.assertEqual([healthy(h) for h in every], [False, True, False, True])
        self.outage(EAST, False)
        self.assertEqual([healthy(h) for h in every], [True, True, True, True])



if __name__ == "__main__":
    unittest.main(verbosity=2)
