"""Tests for lambda/index.py (the paydrc payment function).

unittest + moto's mock_aws, all in-process: no network, no wall clock, no
dependence on the current directory. See tests/lambda/README.md.
"""

import base64
import importlib.util
import io
import json
import logging
import os
import pathlib
import sys
import threading
import unittest
import uuid
from decimal import Decimal
from unittest import mock

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

REPO = pathlib.Path(__file__).resolve().parents[2]
# `lambda` is a keyword, so load the handler module by file path, without
# leaving a __pycache__ in the deployable lambda/ directory.
sys.dont_write_bytecode = True
_spec = importlib.util.spec_from_file_location("paydrc_payment_index", REPO / "lambda" / "index.py")
index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(index)

REGION = "us-east-1"
SESSIONS = "paydrc-sessions-test"
TRANSACTIONS = "paydrc-transactions-test"
BUS = "paydrc-bus-test"
LEDGER_CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:paydrc-ledger-primary-test"
LEDGER_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:paydrc/test/ledger/master-AbC123"
LEDGER_DATABASE = "payments"
ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
    "SESSIONS_TABLE": SESSIONS, "TRANSACTIONS_TABLE": TRANSACTIONS,
    "EVENT_BUS_NAME": BUS, "ENVIRONMENT_SUFFIX": "test",
    "LEDGER_CLUSTER_ARN": LEDGER_CLUSTER, "LEDGER_SECRET_ARN": LEDGER_SECRET,
    "LEDGER_DATABASE": LEDGER_DATABASE, "LEDGER_ENGINE": "aurora-mysql",
}

# The idempotent insert each engine understands; the other engine's clause is a
# syntax error there (MySQL has no ON CONFLICT, PostgreSQL no ON DUPLICATE KEY).
CONFLICT_CLAUSES = {
    "aurora-mysql": "ON DUPLICATE KEY UPDATE transaction_id = transaction_id",
    "aurora-postgresql": "ON CONFLICT (transaction_id) DO NOTHING",
}


def data_api_error(code, message="statement failed"):
    return ClientError({"Error": {"Code": code, "Message": message}}, "ExecuteStatement")


class FakeDataApi:
    """An rds-data client for one writer cluster holding the ledger table.

    It records every ExecuteStatement request, refuses requests for another
    cluster, secret or database, enforces the ledger's primary key (a second
    insert of a transaction id without the engine's conflict clause fails as
    the engine would) and rejects the other engine's clause. `fail` makes the
    next statements fail with that exception, as a secondary that is not yet
    promoted does.
    """

    def __init__(self, engine="aurora-mysql"):
        self.engine = engine
        self.statements = []
        self.rows = {}
        self.table = False
        self.fail = None
        self.lock = threading.Lock()

    def execute_statement(self, **request):
        with self.lock:
            self.statements.append(request)
            if self.fail is not None:
                raise self.fail
            if (request.get("resourceArn"), request.get("secretArn"), request.get("database")) != \
                    (LEDGER_CLUSTER, LEDGER_SECRET, LEDGER_DATABASE):
                raise data_api_error("BadRequestException", "wrong cluster, secret or database")
            sql = request["sql"]
            if sql.startswith("CREATE TABLE IF NOT EXISTS payments ("):
                self.table = True
                return {"numberOfRecordsUpdated": 0}
            if not sql.startswith("INSERT INTO payments "):
                raise data_api_error("BadRequestException", "unexpected statement")
            if not self.table:
                raise data_api_error("BadRequestException", "table payments does not exist")
            other = [c for e, c in CONFLICT_CLAUSES.items() if e != self.engine]
            if any(clause in sql for clause in other):
                raise data_api_error("BadRequestException", "syntax error")
            values = {p["name"]: p["value"]["stringValue"] for p in request["parameters"]}
            if values["transaction_id"] in self.rows:
                if not sql.endswith(CONFLICT_CLAUSES[self.engine]):
                    raise data_api_error("BadRequestException", "duplicate key")
                return {"numberOfRecordsUpdated": 0}
            self.rows[values["transaction_id"]] = values
            return {"numberOfRecordsUpdated": 1}

    def inserts(self):
        return [s for s in self.statements if s["sql"].startswith("INSERT")]

    def creates(self):
        return [s for s in self.statements if s["sql"].startswith("CREATE")]


def make_event(method="POST", path="/payments", body=None, headers=None, b64=False):
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"content-type": "application/json", **(headers or {})},
        "requestContext": {"http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                    "sourceIp": "192.0.2.1", "userAgent": "test"}},
        "body": body, "isBase64Encoded": b64,
    }


def make_rest_event(method="POST", path="/payments", body=None, headers=None, b64=False):
    """A REST API's Lambda proxy event (payload format 1.0): header names as the
    client sent them, the method and path at the top level."""
    return {
        "resource": "/{proxy+}", "path": path, "httpMethod": method,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "multiValueHeaders": {},
        "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": method, "path": path, "stage": "live",
                           "identity": {"sourceIp": "192.0.2.1"}, "authorizer": {"principalId": "user-1"}},
        "body": body, "isBase64Encoded": b64,
    }


def payment(amount="12.50", currency="USD", session_id="sess-1"):
    return {"amount": amount, "currency": currency, "session_id": session_id}


class PaymentTestCase(unittest.TestCase):
    def setUp(self):
        env = mock.patch.dict(os.environ, ENV)
        env.start()
        self.addCleanup(env.stop)
        for name in ("AWS_PROFILE", "MAX_AMOUNT", "AWS_ENDPOINT_URL"):
            os.environ.pop(name, None)
        aws = mock_aws()
        aws.start()
        self.addCleanup(aws.stop)

        # Fresh module state: no clients bound to an old mock, no cached health,
        # no ledger table known to exist.
        index._clients.clear()
        index._ledger_ready.clear()
        index._health_cache.update(key=None, ok=False, expires=0.0)
        self.clock = [1000.0]
        clock = mock.patch.object(index, "_monotonic", lambda: self.clock[0])
        clock.start()
        self.addCleanup(clock.stop)

        # Capture the function's real log output (its own JSON formatter).
        self.log = io.StringIO()
        capture = logging.StreamHandler(self.log)
        capture.setFormatter(index._JsonFormatter())
        saved = index.logger.handlers[:]
        index.logger.handlers = [capture]
        self.addCleanup(setattr, index.logger, "handlers", saved)

        self.ddb = boto3.client("dynamodb", region_name=REGION)
        self.events = boto3.client("events", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.create_table(TRANSACTIONS, "transaction_id")
        self.create_table(SESSIONS, "session_id")
        self.queue_url = self.sqs.create_queue(QueueName="paydrc-events")["QueueUrl"]
        self.queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.create_bus()

        # moto's rds-data answers every statement with nothing; the fake keeps
        # the ledger's rows and enforces its key.
        self.ledger = FakeDataApi()
        real = index._client

        def client(service, region, config=index._PAYMENT_CONFIG):
            return self.ledger if service == "rds-data" else real(service, region, config)
        ledger = mock.patch.object(index, "_client", client)
        ledger.start()
        self.addCleanup(ledger.stop)

    # -- fixtures ---------------------------------------------------------

    def create_table(self, name, key):
        self.ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])

    def create_bus(self):
        """The bus plus a rule forwarding our events to an SQS queue we can read."""
        self.events.create_event_bus(Name=BUS)
        self.events.put_rule(Name="to-queue", EventBusName=BUS,
                             EventPattern=json.dumps({"source": [index.EVENT_SOURCE]}))
        self.events.put_targets(Rule="to-queue", EventBusName=BUS,
                                Targets=[{"Id": "queue", "Arn": self.queue_arn}])

    def delete_bus(self):
        self.events.remove_targets(Rule="to-queue", EventBusName=BUS, Ids=["queue"])
        self.events.delete_rule(Name="to-queue", EventBusName=BUS)
        self.events.delete_event_bus(Name=BUS)

    # -- helpers ----------------------------------------------------------

    def call(self, event):
        response = index.handler(event, None)
        self.assertEqual(response["headers"]["content-type"], "application/json")
        return response["statusCode"], json.loads(response["body"]), response["headers"]

    def post(self, body, key=None, headers=None, raw=False):
        headers = dict(headers or {})
        if key is not None:
            headers["idempotency-key"] = key
        return self.call(make_event(body=body if raw else json.dumps(body), headers=headers))

    def items(self, table):
        return self.ddb.scan(TableName=table, ConsistentRead=True)["Items"]

    def transaction(self, txn_id):
        return self.ddb.get_item(TableName=TRANSACTIONS,
                                 Key={"transaction_id": {"S": txn_id}})["Item"]

    def session(self, session_id="sess-1"):
        return self.ddb.get_item(TableName=SESSIONS, Key={"session_id": {"S": session_id}})["Item"]

    def published(self):
        """Drain the queue; return the EventBridge events it received."""
        events = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                return events
            for message in messages:
                events.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])

    def log_lines(self):
        lines = self.log.getvalue().splitlines()
        for line in lines:
            self.assertIsInstance(json.loads(line), dict, line)
        return [json.loads(line) for line in lines]

    def assert_nothing_stored(self):
        self.assertEqual(self.items(TRANSACTIONS), [])
        self.assertEqual(self.items(SESSIONS), [])
        self.assertEqual(self.published(), [])


class SuccessTest(PaymentTestCase):
    def test_created_with_transaction_session_and_event(self):
        status, body, _ = self.post(payment())
        self.assertEqual(status, 201)
        txn_id = body.pop("transaction_id")
        self.assertEqual(uuid.UUID(txn_id).version, 4)  # no Idempotency-Key: random
        self.assertEqual(body, {"message": "Payment processed", "amount": "12.50",
                                "currency": "USD", "region": REGION, "session_id": "sess-1"})

        item = self.transaction(txn_id)
        self.assertEqual(Decimal(item["amount"]["N"]), Decimal("12.50"))
        self.assertEqual(item["currency"]["S"], "USD")
        self.assertEqual(item["session_id"]["S"], "sess-1")
        self.assertEqual(item["status"]["S"], "COMPLETED")
        self.assertEqual(item["region"]["S"], REGION)
        self.assertEqual(len(item["request_hash"]["S"]), 64)
        self.assertEqual(len(self.items(TRANSACTIONS)), 1)

        session = self.session()
        self.assertEqual(session["transaction_ids"]["SS"], [txn_id])
        self.assertEqual(session["payment_count"]["N"], "1")
        self.assertEqual(Decimal(session["total_USD"]["N"]), Decimal("12.50"))
        self.assertEqual(session["last_transaction_id"]["S"], txn_id)

        [event] = self.published()
        self.assertEqual(event["source"], index.EVENT_SOURCE)
        self.assertEqual(event["detail-type"], index.EVENT_DETAIL_TYPE)
        self.assertEqual(event["detail"]["transaction_id"], txn_id)
        self.assertEqual(event["detail"]["amount"], "12.50")
        self.assertEqual(event["detail"]["currency"], "USD")
        self.assertEqual(event["detail"]["environment"], "test")

    def test_amount_forms_and_minor_units(self):
        cases = [  # (amount as sent, currency, amount answered)
            ("12.5", "USD", "12.50"), (Decimal("12.5"), "USD", "12.50"), (10, "USD", "10.00"),
            ("0.01", "USD", "0.01"), (Decimal("0.1"), "USD", "0.10"),
            (100, "JPY", "100"), ("100", "JPY", "100"), (Decimal("100.00"), "JPY", "100"),
            ("1.234", "BHD", "1.234"), ("1.5", "KWD", "1.500"), ("0.0001", "CLF", "0.0001"),
            (Decimal("1E+2"), "EUR", "100.00"), ("1000000", "USD", "1000000.00"),
        ]
        for n, (amount, currency, expected) in enumerate(cases):
            with self.subTest(amount=amount, currency=currency):
                # json.dumps cannot write Decimal; build the JSON number by hand.
                literal = json.dumps(amount) if not isinstance(amount, Decimal) else str(amount)
                raw = '{"amount": %s, "currency": "%s", "session_id": "s%d"}' % (literal, currency, n)
                status, body, _ = self.post(raw, raw=True)
                self.assertEqual(status, 201, body)
                self.assertEqual(body["amount"], expected)
                self.assertEqual(Decimal(self.transaction(body["transaction_id"])["amount"]["N"]),
                                 Decimal(expected))

    def test_float_precision_is_kept(self):
        # 0.1 + 0.2 style amounts must not pick up binary float noise.
        status, body, _ = self.post('{"amount": 0.30, "currency": "USD", "session_id": "s"}', raw=True)
        self.assertEqual((status, body["amount"]), (201, "0.30"))
        self.post('{"amount": 0.10, "currency": "USD", "session_id": "s"}', raw=True)
        self.post('{"amount": 0.20, "currency": "USD", "session_id": "s"}', raw=True)
        self.assertEqual(Decimal(self.session("s")["total_USD"]["N"]), Decimal("0.6"))
        self.assertEqual(self.session("s")["payment_count"]["N"], "3")

    def test_existing_session_is_updated_not_replaced(self):
        self.ddb.put_item(TableName=SESSIONS, Item={"session_id": {"S": "sess-1"},
                                                     "user": {"S": "u-1"}})
        _, first, _ = self.post(payment("1.00"))
        _, second, _ = self.post(payment("2.00"))
        session = self.session()
        self.assertEqual(session["user"]["S"], "u-1")
        self.assertEqual(session["payment_count"]["N"], "2")
        self.assertEqual(sorted(session["transaction_ids"]["SS"]),
                         sorted([first["transaction_id"], second["transaction_id"]]))
        self.assertEqual(Decimal(session["total_USD"]["N"]), Decimal("3"))

    def test_base64_body(self):
        raw = base64.b64encode(json.dumps(payment()).encode()).decode()
        status, body, _ = self.call(make_event(body=raw, b64=True))
        self.assertEqual((status, body["amount"]), (201, "12.50"))

    def test_max_amount_is_configurable(self):
        os.environ["MAX_AMOUNT"] = "50"
        self.assertEqual(self.post(payment("50"))[0], 201)
        self.assertEqual(self.post(payment("50.01"))[0], 400)

    def test_invalid_max_amount_configuration_is_503(self):
        for value in ("abc", "0", "-5", "1e400"):
            with self.subTest(value=value):
                os.environ["MAX_AMOUNT"] = value
                self.assertEqual(self.post(payment())[0], 503)
        self.assert_nothing_stored()


class ValidationTest(PaymentTestCase):
    def assert_rejected(self, event):
        status, body, _ = self.call(event)
        self.assertEqual(status, 400, body)
        self.assertEqual(list(body), ["error"])
        self.assertIsInstance(body["error"], str)

    def test_malformed_bodies(self):
        too_big = json.dumps(payment())[:-1] + " " * index.MAX_BODY_BYTES + "}"
        deep = "[" * 4000 + "]" * 4000  # valid JSON, deeper than the recursion limit
        cases = {
            "missing body": None, "empty body": "", "not json": "amount=1",
            "array": json.dumps([payment()]), "string": '"x"', "null": "null", "number": "1",
            "NaN": '{"amount": NaN, "currency": "USD", "session_id": "s"}',
            "Infinity": '{"amount": Infinity, "currency": "USD", "session_id": "s"}',
            "-Infinity": '{"amount": -Infinity, "currency": "USD", "session_id": "s"}',
            "duplicate key": '{"amount": "1", "amount": "2", "currency": "USD", "session_id": "s"}',
            "BOM": "\ufeff" + json.dumps(payment()),
            "lone surrogate": '{"amount": "1", "currency": "USD", "session_id": "\ud800"}',
            "oversize": too_big, "deep nesting": deep,
            "trailing data": json.dumps(payment()) + "x",
            "huge integer": '{"amount": %s, "currency": "USD", "session_id": "s"}' % ("9" * 5000),
        }
        for name, raw in cases.items():
            with self.subTest(name):
                self.assert_rejected(make_event(body=raw))
        self.assert_rejected({**make_event(body=json.dumps(payment())), "body": {"amount": 1}})
        self.assert_nothing_stored()

    def test_bad_base64(self):
        good = base64.b64encode(json.dumps(payment()).encode()).decode()
        cases = {"not base64": "!!!not base64!!!", "bad padding": good[:-1],
                 "non-ascii": good + "é", "embedded newline": good[:8] + "\n" + good[8:],
                 "invalid utf-8": base64.b64encode(b'{"amount": "\xff"}').decode(),
                 "oversize": base64.b64encode(b" " * (index.MAX_BODY_BYTES + 1)).decode()}
        for name, raw in cases.items():
            with self.subTest(name):
                self.assert_rejected(make_event(body=raw, b64=True))
        self.assert_nothing_stored()

    def test_bad_fields(self):
        cases = {
            "missing amount": {"currency": "USD", "session_id": "s"},
            "missing currency": {"amount": "1", "session_id": "s"},
            "missing session": {"amount": "1", "currency": "USD"},
            "extra field": {**payment(), "note": "x"},
            "amount true": payment(True), "amount false": payment(False),
            "amount null": payment(None), "amount list": payment([1]), "amount object": payment({}),
            "amount zero": payment(0), "amount zero string": payment("0.00"),
            "amount negative": payment(-1), "amount negative string": payment("-1"),
            "amount exponent string": payment("1e3"), "amount padded": payment(" 1"),
            "amount comma": payment("1,00"), "amount empty": payment(""),
            "amount leading dot": payment(".5"), "amount trailing dot": payment("1."),
            "amount non-ascii digits": payment("\u0661\u0662"), "amount NaN string": payment("NaN"),
            "amount Infinity string": payment("Infinity"),
            "USD three places": payment("12.345"), "JPY decimals": payment("100.5", "JPY"),
            "BHD four places": payment("1.2345", "BHD"),
            "above maximum": payment("1000000.01"), "far above maximum": payment(10**30),
            "currency lower": payment(currency="usd"), "currency unknown": payment(currency="XXX"),
            "currency metal": payment(currency="XAU"), "currency number": payment(currency=840),
            "currency null": payment(currency=None),
            "session empty": payment(session_id=""), "session long": payment(session_id="a" * 129),
            "session space": payment(session_id="a b"), "session unicode": payment(session_id="ü"),
            "session newline": payment(session_id="abc\n"), "session number": payment(session_id=1),
            "session list": payment(session_id=["a"]),
        }
        for name, body in cases.items():
            with self.subTest(name):
                self.assert_rejected(make_event(body=json.dumps(body)))
        for name, raw in {"JPY decimal number": '{"amount": 1.5, "currency": "JPY", "session_id": "s"}',
                          "tiny exponent": '{"amount": 1e-400, "currency": "USD", "session_id": "s"}',
                          "huge exponent": '{"amount": 1e400, "currency": "USD", "session_id": "s"}',
                          "negative zero": '{"amount": -0.0, "currency": "USD", "session_id": "s"}'}.items():
            with self.subTest(name):
                self.assert_rejected(make_event(body=raw))
        self.assert_nothing_stored()

    def test_boundaries_accepted(self):
        self.assertEqual(self.post(payment(session_id="a" * 128))[0], 201)
        self.assertEqual(self.post(payment(session_id="A-z_0-9"))[0], 201)

    def test_bad_idempotency_key(self):
        for key in ("", "k" * 256, "has space", "tab\t", "ünï"):
            with self.subTest(key=key):
                self.assert_rejected(make_event(body=json.dumps(payment()),
                                                headers={"idempotency-key": key}))
        self.assert_nothing_stored()


class RoutingTest(PaymentTestCase):
    def test_unknown_path_404(self):
        for path in ("/", "/payment", "/payments/", "/health/x", ""):
            with self.subTest(path=path):
                status, body, _ = self.call(make_event(path=path, body=json.dumps(payment())))
                self.assertEqual((status, list(body)), (404, ["error"]))
        self.assertEqual(index.handler({}, None)["statusCode"], 404)
        self.assertEqual(index.handler("garbage", None)["statusCode"], 404)
        self.assert_nothing_stored()

    def test_wrong_method_405(self):
        for method, path, allow in (("GET", "/payments", "POST"), ("PUT", "/payments", "POST"),
                                    ("DELETE", "/payments", "POST"), ("POST", "/health", "GET")):
            with self.subTest(method=method, path=path):
                status, body, headers = self.call(make_event(method, path, json.dumps(payment())))
                self.assertEqual((status, list(body)), (405, ["error"]))
                self.assertEqual(headers["allow"], allow)
        event = make_event(body=json.dumps(payment()))
        event["requestContext"] = "garbage"
        self.assertEqual(index.handler(event, None)["statusCode"], 405)
        self.assert_nothing_stored()


class RestApiPayloadTest(PaymentTestCase):
    """The REST front door (`front_door = rest_api`) sends payload format 1.0."""

    def test_payment_through_a_rest_api(self):
        status, body, _ = self.call(make_rest_event(body=json.dumps(payment()),
                                                    headers={"Idempotency-Key": "rest-key-1"}))
        self.assertEqual(status, 201, body)
        self.assertEqual(body["transaction_id"], str(uuid.uuid5(index.TRANSACTION_NAMESPACE, "rest-key-1")))
        self.assertEqual(len(self.items(TRANSACTIONS)), 1)

    def test_health_routing_and_methods(self):
        status, body, _ = self.call(make_rest_event("GET", "/health"))
        self.assertEqual((status, body), (200, {"status": "ok", "region": REGION}))
        status, _, headers = self.call(make_rest_event("GET", "/payments"))
        self.assertEqual((status, headers["allow"]), (405, "POST"))
        status, _, _ = self.call(make_rest_event("POST", "/nope", json.dumps(payment())))
        self.assertEqual(status, 404)
        # A 1.0 event's method is never read from a 2.0 field, nor the reverse.
        mixed = make_rest_event("POST", "/payments", json.dumps(payment()))
        mixed["version"] = "2.0"
        self.assertEqual(self.call(mixed)[0], 404)


class HealthTest(PaymentTestCase):
    def health(self):
        return self.call(make_event("GET", "/health"))

    def canary(self):
        return self.ddb.get_item(TableName=TRANSACTIONS, ConsistentRead=True,
                                 Key={"transaction_id": {"S": index.HEALTH_CANARY_KEY}}).get("Item")

    def test_ok(self):
        status, body, headers = self.health()
        self.assertEqual((status, body), (200, {"status": "ok", "region": REGION}))
        self.assertEqual(headers["cache-control"], "no-store")

    def test_probe_writes_the_canary_item(self):
        # The payment path's first call is a conditional write to the transactions
        # table: the probe makes one too, on a fixed key no payment can have.
        self.assertIsNone(self.canary())
        self.assertEqual(self.health()[0], 200)
        canary = self.canary()
        self.assertEqual(canary["health_region"], {"S": REGION})
        self.assertIn("health_checked_at", canary)
        self.assertNotIn("status", canary)  # never looks like a payment
        self.clock[0] += index.HEALTH_CACHE_SECONDS
        self.assertEqual(self.health()[0], 200)  # the condition holds again

    def test_probe_never_overwrites_a_payment(self):
        status, body, _ = self.post(payment())
        self.assertEqual(status, 201)
        stored = self.transaction(body["transaction_id"])
        self.assertEqual(self.health()[0], 200)
        self.assertEqual(self.transaction(body["transaction_id"]), stored)
        self.assertEqual(len(self.items(TRANSACTIONS)), 2)  # the payment and the canary

    def test_probe_is_one_conditional_update(self):
        stub = mock.Mock()
        with mock.patch.object(index, "_client", return_value=stub) as client:
            self.assertEqual(self.health()[0], 200)
        client.assert_called_once_with("dynamodb", REGION, index._HEALTH_CONFIG)
        stub.describe_table.assert_not_called()  # control plane proves nothing
        stub.update_item.assert_called_once()
        kwargs = stub.update_item.call_args.kwargs
        self.assertEqual(kwargs["TableName"], TRANSACTIONS)
        self.assertEqual(kwargs["Key"], {"transaction_id": {"S": "__paydrc_health__"}})
        self.assertIn("ConditionExpression", kwargs)

    def test_health_config_is_short(self):
        config = index._HEALTH_CONFIG
        self.assertLessEqual(config.connect_timeout + config.read_timeout, 2)
        self.assertEqual(config.retries["max_attempts"], 1)

    def test_data_plane_failure_while_control_plane_answers(self):
        # DescribeTable succeeds, writes do not: the region cannot take payments.
        for code in ("AccessDeniedException", "ProvisionedThroughputExceededException",
                     "ThrottlingException", "InternalServerError"):
            with self.subTest(code=code):
                index._health_cache.update(key=None, ok=False, expires=0.0)
                stub = mock.Mock()
                stub.describe_table.return_value = {"Table": {"TableStatus": "ACTIVE"}}
                stub.update_item.side_effect = ClientError(
                    {"Error": {"Code": code, "Message": "arn:aws:dynamodb:secret"}}, "UpdateItem")
                with mock.patch.object(index, "_client", return_value=stub):
                    self.assertEqual(self.health()[:2], (503, {"status": "unavailable"}))
                self.assertNotIn("arn:aws", self.log.getvalue())

    def test_missing_configuration(self):
        for name in ("SESSIONS_TABLE", "TRANSACTIONS_TABLE", "EVENT_BUS_NAME", "AWS_REGION",
                     "LEDGER_CLUSTER_ARN", "LEDGER_SECRET_ARN", "LEDGER_DATABASE", "LEDGER_ENGINE"):
            with self.subTest(name=name), mock.patch.dict(os.environ):
                del os.environ[name]
                self.assertEqual(self.health()[:2], (503, {"status": "unavailable"}))

    def test_table_missing(self):
        self.ddb.delete_table(TableName=TRANSACTIONS)
        status, body, _ = self.health()
        self.assertEqual((status, body), (503, {"status": "unavailable"}))

    def test_result_is_cached_briefly(self):
        self.assertEqual(self.health()[0], 200)
        self.ddb.delete_table(TableName=TRANSACTIONS)
        self.clock[0] += index.HEALTH_CACHE_SECONDS - 1
        self.assertEqual(self.health()[0], 200)  # cached
        self.clock[0] += 2
        self.assertEqual(self.health()[0], 503)  # expired: checked again
        self.create_table(TRANSACTIONS, "transaction_id")
        self.assertEqual(self.health()[0], 503)  # failure is cached too
        self.clock[0] += index.HEALTH_CACHE_SECONDS
        self.assertEqual(self.health()[0], 200)

    def test_one_probe_per_period(self):
        real = index._client
        calls = []

        def counting(service, region, config=index._PAYMENT_CONFIG):
            client = real(service, region, config)
            calls.append(service)
            return client
        with mock.patch.object(index, "_client", counting):
            for _ in range(5):
                self.assertEqual(self.health()[0], 200)
        self.assertEqual(calls, ["dynamodb"])

    def test_endpoint_unreachable(self):
        stub = mock.Mock()
        stub.update_item.side_effect = EndpointConnectionError(endpoint_url="https://x")
        with mock.patch.object(index, "_client", return_value=stub):
            self.assertEqual(self.health()[:2], (503, {"status": "unavailable"}))


class IdempotencyTest(PaymentTestCase):
    def test_same_key_same_body_replays(self):
        status1, first, _ = self.post(payment(), key="order-42")
        status2, second, headers = self.post(payment(), key="order-42")
        self.assertEqual((status1, status2), (201, 200))
        self.assertEqual(first, second)
        self.assertEqual(headers["idempotent-replayed"], "true")
        self.assertEqual(first["transaction_id"], str(uuid.uuid5(index.TRANSACTION_NAMESPACE, "order-42")))
        self.assertEqual(len(self.items(TRANSACTIONS)), 1)
        self.assertEqual(self.session()["payment_count"]["N"], "1")
        self.assertEqual(len(self.published()), 1)

    def test_equivalent_body_is_the_same_request(self):
        _, first, _ = self.post(payment("12.5"), key="k")
        status, second, _ = self.post('{"session_id": "sess-1", "currency": "USD", "amount": 12.50}',
                                      key="k", raw=True)
        self.assertEqual((status, second["transaction_id"]), (200, first["transaction_id"]))
        self.assertEqual(len(self.items(TRANSACTIONS)), 1)

    def test_header_name_case_is_ignored(self):
        _, first, _ = self.post(payment(), headers={"Idempotency-Key": "k"})
        _, second, _ = self.post(payment(), key="k")
        self.assertEqual(first["transaction_id"], second["transaction_id"])

    def test_same_key_different_body_conflicts(self):
        _, first, _ = self.post(payment(), key="k")
        for body in (payment("13.00"), payment(currency="EUR"), payment(session_id="other")):
            with self.subTest(body=body):
                status, answer, _ = self.post(body, key="k")
                self.assertEqual((status, list(answer)), (409, ["error"]))
        [item] = self.items(TRANSACTIONS)
        self.assertEqual(Decimal(item["amount"]["N"]), Decimal("12.50"))
        self.assertEqual([s["session_id"]["S"] for s in self.items(SESSIONS)], ["sess-1"])
        self.assertEqual(len(self.published()), 1)

    def test_different_keys_and_no_key_are_different_payments(self):
        ids = {self.post(payment(), key="a")[1]["transaction_id"],
               self.post(payment(), key="b")[1]["transaction_id"],
               self.post(payment())[1]["transaction_id"],
               self.post(payment())[1]["transaction_id"]}
        self.assertEqual(len(ids), 4)
        self.assertEqual(self.session()["payment_count"]["N"], "4")


class RecoveryTest(PaymentTestCase):
    """A retry after a failure between steps finishes the work exactly once."""

    def assert_completed_once(self, txn_id, min_events=1):
        self.assertEqual(len(self.items(TRANSACTIONS)), 1)
        self.assertEqual(self.transaction(txn_id)["status"]["S"], "COMPLETED")
        session = self.session()
        self.assertEqual(session["payment_count"]["N"], "1")
        self.assertEqual(session["transaction_ids"]["SS"], [txn_id])
        self.assertEqual(Decimal(session["total_USD"]["N"]), Decimal("12.50"))
        events = self.published()
        self.assertGreaterEqual(len(events), min_events)
        self.assertEqual({e["detail"]["transaction_id"] for e in events}, {txn_id})
        return events

    def test_session_step_fails_then_retry(self):
        self.ddb.delete_table(TableName=SESSIONS)
        self.assertEqual(self.post(payment(), key="k")[0], 503)
        [item] = self.items(TRANSACTIONS)
        self.assertEqual(item["status"]["S"], "PENDING")
        self.assertEqual(self.published(), [])
        self.create_table(SESSIONS, "session_id")
        status, body, _ = self.post(payment(), key="k")
        self.assertEqual((status, body["transaction_id"]), (200, item["transaction_id"]["S"]))
        self.assertEqual(len(self.assert_completed_once(body["transaction_id"])), 1)

    def test_event_step_fails_then_retry(self):
        self.delete_bus()
        self.assertEqual(self.post(payment(), key="k")[0], 503)
        self.assertEqual(self.session()["payment_count"]["N"], "1")  # step 2 happened
        self.create_bus()
        status, body, _ = self.post(payment(), key="k")
        self.assertEqual(status, 200)
        self.assertEqual(len(self.assert_completed_once(body["transaction_id"])), 1)

    def test_crash_before_completion_mark_then_retry(self):
        real = index._client

        class FailingCompletion:  # DynamoDB client whose final status update fails
            def __init__(self, client):
                self.client = client

            def __getattr__(self, name):
                return getattr(self.client, name)

            def update_item(self, **kwargs):
                if kwargs["TableName"] == TRANSACTIONS:
                    raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}},
                                      "UpdateItem")
                return self.client.update_item(**kwargs)

        def client(service, region, config=index._PAYMENT_CONFIG):
            c = real(service, region, config)
            return FailingCompletion(c) if service == "dynamodb" else c
        with mock.patch.object(index, "_client", client):
            self.assertEqual(self.post(payment(), key="k")[0], 503)
        status, body, _ = self.post(payment(), key="k")
        self.assertEqual(status, 200)
        # The event went out before the crash and again on retry: at-least-once.
        self.assertEqual(len(self.assert_completed_once(body["transaction_id"], 2)), 2)
        self.assertEqual(self.post(payment(), key="k")[0], 200)
        self.assertEqual(self.published(), [])  # completed: nothing more is written


def _locked(method, lock):
    def wrapper(*args, **kwargs):
        with lock:
            return method(*args, **kwargs)
    return wrapper


class ConcurrencyTest(PaymentTestCase):
    THREADS = 8

    def setUp(self):
        super().setUp()
        # DynamoDB evaluates a condition and writes an item atomically; moto's
        # in-memory backend does not lock, so emulate that guarantee here.
        lock = threading.RLock()
        for name in ("put_item", "update_item"):
            patcher = mock.patch.object(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name), lock))
            patcher.start()
            self.addCleanup(patcher.stop)

    def run_threads(self, make_body_and_key):
        barrier = threading.Barrier(self.THREADS)
        results = [None] * self.THREADS

        def worker(i):
            body, key = make_body_and_key(i)
            barrier.wait()
            results[i] = self.post(body, key=key)[:2]
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(self.THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return results

    def test_concurrent_retries_store_once(self):
        results = self.run_threads(lambda i: (payment(), "same-key"))
        statuses = sorted(status for status, _ in results)
        self.assertEqual(statuses, [200] * (self.THREADS - 1) + [201])
        ids = {body["transaction_id"] for _, body in results}
        self.assertEqual(len(ids), 1)
        [txn_id] = ids
        self.assertEqual(len(self.items(TRANSACTIONS)), 1)
        self.assertEqual(self.transaction(txn_id)["status"]["S"], "COMPLETED")
        session = self.session()
        self.assertEqual(session["payment_count"]["N"], "1")
        self.assertEqual(session["transaction_ids"]["SS"], [txn_id])
        self.assertEqual(Decimal(session["total_USD"]["N"]), Decimal("12.50"))
        events = self.published()
        self.assertGreaterEqual(len(events), 1)  # at-least-once, never another id
        self.assertEqual({e["detail"]["transaction_id"] for e in events}, {txn_id})

    def test_concurrent_distinct_payments_all_counted(self):
        results = self.run_threads(lambda i: (payment("1.25"), "key-%d" % i))
        self.assertEqual([status for status, _ in results], [201] * self.THREADS)
        self.assertEqual(len(self.items(TRANSACTIONS)), self.THREADS)
        session = self.session()
        self.assertEqual(session["payment_count"]["N"], str(self.THREADS))
        self.assertEqual(Decimal(session["total_USD"]["N"]), Decimal("1.25") * self.THREADS)


class DependencyFailureTest(PaymentTestCase):
    # AWS error text (names tables and ARNs), endpoints, stack traces. The
    # logs may carry the error class and code; the response body may not.
    LEAKS = (TRANSACTIONS, SESSIONS, BUS, "Requested resource", "arn:", "Traceback",
             "botocore", "boom", "https://", "amazonaws")

    def assert_generic_503(self, status, body):
        self.assertEqual((status, body), (503, {"error": "Service temporarily unavailable"}))
        for leak in self.LEAKS + ("ResourceNotFound", "Exception"):
            self.assertNotIn(leak, json.dumps(body))
        for leak in self.LEAKS:
            self.assertNotIn(leak, self.log.getvalue())

    def test_transactions_table_missing(self):
        self.ddb.delete_table(TableName=TRANSACTIONS)
        self.assert_generic_503(*self.post(payment(), key="k")[:2])
        self.assertEqual(self.items(SESSIONS), [])
        self.assertEqual(self.published(), [])
        [line] = self.log_lines()
        self.assertEqual((line["error_class"], line["error_code"]),
                         ("ResourceNotFoundException", "ResourceNotFoundException"))

    def test_client_errors(self):
        errors = [EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
                  ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                         "Message": "boom on table " + TRANSACTIONS}}, "PutItem")]
        for error in errors:
            with self.subTest(error=type(error).__name__):
                stub = mock.Mock()
                stub.put_item.side_effect = error
                with mock.patch.object(index, "_client", return_value=stub):
                    self.assert_generic_503(*self.post(payment())[:2])

    def test_event_rejected(self):
        stub = mock.Mock()
        stub.put_events.return_value = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "x"}]}
        real = index._client
        with mock.patch.object(index, "_client",
                               lambda s, r, c=None: stub if s == "events" else real(s, r)):
            self.assert_generic_503(*self.post(payment())[:2])

    def test_unexpected_error_is_generic_500(self):
        stub = mock.Mock()
        stub.put_item.side_effect = RuntimeError("boom " + TRANSACTIONS)
        with mock.patch.object(index, "_client", return_value=stub):
            status, body, _ = self.post(payment())
        self.assertEqual((status, body), (500, {"error": "Internal error"}))
        self.assertNotIn("boom", self.log.getvalue())


class LedgerTest(PaymentTestCase):
    """Step 2: the payment's row in the Aurora ledger, through the RDS Data API."""

    def test_payment_is_recorded_in_the_ledger(self):
        status, body, _ = self.post(payment(), key="k")
        self.assertEqual(status, 201)
        txn_id = body["transaction_id"]
        self.assertEqual(self.ledger.rows, {txn_id: {
            "transaction_id": txn_id, "session_id": "sess-1", "amount": "12.50", "currency": "USD",
            "region": REGION, "created_at": self.transaction(txn_id)["created_at"]["S"]}})
        create, insert = self.ledger.statements
        self.assertTrue(create["sql"].startswith("CREATE TABLE IF NOT EXISTS payments ("))
        self.assertIn("transaction_id CHAR(36) NOT NULL PRIMARY KEY", create["sql"])
        self.assertEqual([p for p in insert["parameters"] if p["name"] == "amount"],
                         [{"name": "amount", "value": {"stringValue": "12.50"}, "typeHint": "DECIMAL"}])
        for statement in (create, insert):
            self.assertEqual((statement["resourceArn"], statement["secretArn"], statement["database"]),
                             (LEDGER_CLUSTER, LEDGER_SECRET, LEDGER_DATABASE))

    def test_ledger_client_has_short_timeouts(self):
        calls = []
        real = index._client

        def counting(service, region, config=index._PAYMENT_CONFIG):
            calls.append((service, region, config))
            return real(service, region, config)
        with mock.patch.object(index, "_client", counting):
            self.assertEqual(self.post(payment())[0], 201)
        self.assertIn(("rds-data", REGION, index._LEDGER_CONFIG), calls)
        config = index._LEDGER_CONFIG
        self.assertLessEqual(config.connect_timeout + config.read_timeout, 10)
        self.assertLessEqual(config.retries["max_attempts"], 2)

    def test_table_is_created_once_per_container(self):
        for n in range(3):
            self.assertEqual(self.post(payment(), key="k%d" % n)[0], 201)
        self.assertEqual((len(self.ledger.creates()), len(self.ledger.inserts())), (1, 3))
        index._ledger_ready.clear()  # a new container
        self.assertEqual(self.post(payment(), key="k3")[0], 201)
        self.assertEqual(len(self.ledger.creates()), 2)

    def test_replay_of_a_completed_payment_writes_nothing(self):
        self.post(payment(), key="k")
        self.assertEqual(self.post(payment(), key="k")[0], 200)
        self.assertEqual(len(self.ledger.inserts()), 1)

    def test_retry_after_a_later_failure_inserts_no_second_row(self):
        # The ledger row was written, then the session step failed: the retry
        # runs the insert again, which the conflict clause turns into a no-op.
        self.ddb.delete_table(TableName=SESSIONS)
        self.assertEqual(self.post(payment(), key="k")[0], 503)
        self.assertEqual(len(self.ledger.rows), 1)
        self.create_table(SESSIONS, "session_id")
        status, body, _ = self.post(payment(), key="k")
        self.assertEqual(status, 200)
        self.assertEqual(len(self.ledger.inserts()), 2)
        self.assertEqual(list(self.ledger.rows), [body["transaction_id"]])

    def test_engine_specific_insert(self):
        for engine, clause in CONFLICT_CLAUSES.items():
            with self.subTest(engine=engine):
                os.environ["LEDGER_ENGINE"] = engine
                self.ledger = FakeDataApi(engine)
                index._ledger_ready.clear()
                status, body, _ = self.post(payment(), key="key-" + engine)
                self.assertEqual(status, 201)
                [insert] = self.ledger.inserts()
                self.assertTrue(insert["sql"].endswith(clause), insert["sql"])
                # The same insert again (a retry) changes nothing and fails nothing.
                config = index._config()
                index._record_in_ledger(config, {"session_id": "sess-1", "currency": "USD"}, "12.50",
                                        body["transaction_id"], "2026-01-01T00:00:00+00:00")
                self.assertEqual(len(self.ledger.inserts()), 2)
                self.assertEqual(len(self.ledger.rows), 1)

    def test_fake_refuses_the_other_engines_clause(self):
        # The engine-specific test above proves something only if the fake
        # rejects what the other engine would: an insert built for MySQL fails
        # on PostgreSQL.
        self.ledger = FakeDataApi("aurora-postgresql")
        self.assertEqual(self.post(payment())[0], 503)
        self.assertEqual(self.ledger.rows, {})

    def test_unsupported_engine_is_a_configuration_error(self):
        os.environ["LEDGER_ENGINE"] = "mysql"
        self.assertEqual(self.post(payment())[0], 503)
        self.assertEqual(self.ledger.statements, [])
        self.assert_nothing_stored()

    def test_ledger_failure_reports_nothing_and_the_retry_completes(self):
        # An unpromoted global secondary (or a throttled, unreachable Data API).
        for error in (data_api_error("BadRequestException", "arn:aws:rds: cluster is not the writer"),
                      data_api_error("ThrottlingException"),
                      EndpointConnectionError(endpoint_url="https://rds-data.us-east-1.amazonaws.com")):
            with self.subTest(error=type(error).__name__):
                key = "k-%d" % len(self.ledger.statements)
                self.ledger.fail = error
                status, body, _ = self.post(payment(session_id="s" + key), key=key)
                self.assertEqual((status, body), (503, {"error": "Service temporarily unavailable"}))
                [item] = [i for i in self.items(TRANSACTIONS) if i["session_id"]["S"] == "s" + key]
                self.assertEqual(item["status"]["S"], "PENDING")  # not reported as processed
                self.assertNotIn("s" + key, [s["session_id"]["S"] for s in self.items(SESSIONS)])
                self.assertEqual(self.published(), [])
                self.assertNotIn("arn:aws", self.log.getvalue())

                self.ledger.fail = None
                status, body, _ = self.post(payment(session_id="s" + key), key=key)
                self.assertEqual(status, 200)
                self.assertEqual(self.transaction(body["transaction_id"])["status"]["S"], "COMPLETED")
                self.assertIn(body["transaction_id"], self.ledger.rows)
                self.assertEqual(self.session("s" + key)["payment_count"]["N"], "1")
                self.assertEqual([e["detail"]["transaction_id"] for e in self.published()],
                                 [body["transaction_id"]])
        lines = [line for line in self.log_lines() if line["message"] == "dependency_failure"]
        self.assertEqual([line["operation"] for line in lines[:2]], ["ExecuteStatement"] * 2)

    def test_failed_table_creation_is_retried(self):
        self.ledger.fail = data_api_error("InternalServerErrorException")
        self.assertEqual(self.post(payment(), key="k")[0], 503)
        self.assertEqual(index._ledger_ready, set())
        self.ledger.fail = None
        self.assertEqual(self.post(payment(), key="k")[0], 200)
        self.assertEqual(len(self.ledger.creates()), 2)
        self.assertEqual(len(self.ledger.rows), 1)


class LoggingTest(PaymentTestCase):
    SECRETS = ("Bearer s3cr3t-token", "idem-s3cr3t", "sess-s3cr3t")

    def test_logs_are_json_without_secrets(self):
        headers = {"authorization": self.SECRETS[0], "cookie": "c=s3cr3t"}
        status, body, _ = self.post(payment(session_id=self.SECRETS[2]), key=self.SECRETS[1],
                                    headers=headers)
        self.assertEqual(status, 201)
        self.post({"amount": "1", "currency": "USD", "session_id": self.SECRETS[2], "x": "s3cr3t"},
                  headers=headers)  # 400
        self.post(payment("99", session_id=self.SECRETS[2]), key=self.SECRETS[1], headers=headers)  # 409
        self.ddb.delete_table(TableName=SESSIONS)
        self.post(payment(session_id=self.SECRETS[2]), headers=headers)  # 503
        self.call(make_event("GET", "/health", headers=headers))

        lines = self.log_lines()
        self.assertEqual([line["message"] for line in lines],
                         ["payment_processed", "request_rejected", "idempotency_conflict",
                          "dependency_failure"])
        self.assertNotIn("s3cr3t", self.log.getvalue())
        first = lines[0]
        self.assertEqual((first["transaction_id"], first["status"], first["region"]),
                         (body["transaction_id"], 201, REGION))
        self.assertEqual(lines[1]["status"], 400)
        self.assertEqual(lines[3]["error_code"], "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main()
