"""paydrc payment function: POST /payments and GET /health.

Handler ``index.handler`` for API Gateway HTTP API / Lambda function URL
events (payload format 2.0). Standard library and boto3 only.

POST /payments stores a transaction, records it in the Aurora ledger and
against the session and publishes a ``PaymentProcessed`` event. The steps run
in this order, each safe to repeat, so that a retry (same Idempotency-Key)
after a crash between any two of them finishes the remaining work and returns
the same transaction_id:

1. conditional put of the transaction (status PENDING) -- the only step that
   decides whether a request is new; the id is derived from the idempotency
   key, so concurrent retries race on one item and exactly one wins;
2. ledger insert through the RDS Data API into this region's cluster, keyed by
   transaction_id and a no-op when the row exists (MySQL ``ON DUPLICATE KEY
   UPDATE``, PostgreSQL ``ON CONFLICT DO NOTHING``), so it is recorded once;
3. session update, conditional on the transaction id not yet being in the
   session's string set, so the session is counted once;
4. put_events (at-least-once: a retry, or a concurrent duplicate request that
   finds the record still PENDING, may publish again; consumers deduplicate on
   ``detail.transaction_id``, as they must for EventBridge anyway);
5. mark the transaction COMPLETED; later retries are answered from the
   record without writing anything.

A ledger failure (a cluster that is not the writer -- an unpromoted global
secondary answers errors -- a throttled or unreachable Data API) answers 503
like any other dependency failure: nothing reports the payment as processed,
the transaction stays PENDING and no event is published, and a retry with the
same Idempotency-Key writes the ledger row and completes the payment.
"""

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

REQUIRED_ENV = ("SESSIONS_TABLE", "TRANSACTIONS_TABLE", "EVENT_BUS_NAME", "AWS_REGION",
                "LEDGER_CLUSTER_ARN", "LEDGER_SECRET_ARN", "LEDGER_DATABASE", "LEDGER_ENGINE")
ROUTES = {"/payments": ("POST",), "/health": ("GET",)}
PAYMENT_FIELDS = ("amount", "currency", "session_id")
MAX_BODY_BYTES = 8 * 1024
DEFAULT_MAX_AMOUNT = Decimal("1000000")
MAX_AMOUNT_CEILING = Decimal("1e15")  # keeps quantize() exact at default precision
HEALTH_CACHE_SECONDS = 10.0
EVENT_SOURCE = "paydrc.payments"
EVENT_DETAIL_TYPE = "PaymentProcessed"
# Fixed namespace for idempotency-key -> transaction_id. Never change it:
# retries of already-stored payments would get a different id.
TRANSACTION_NAMESPACE = uuid.UUID("5f0c6f3e-8a8e-4d43-9a3c-2b7d0f6a1e55")

SESSION_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII
AMOUNT_STRING_RE = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")  # ASCII digits only

# ISO 4217 active codes -> minor units (decimal places). Codes without a
# minor unit (precious metals, XDR, test codes) are deliberately absent.
_MINOR_UNITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
    2: "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV "
       "BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK "
       "DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL "
       "HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
       "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO "
       "NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK "
       "SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
       "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG",
}
CURRENCIES = {code: units for units, codes in _MINOR_UNITS.items() for code in codes.split()}

# Payment calls: bounded so a dead dependency answers 503 well inside the
# Lambda timeout. Health calls: Route 53 wants an answer within 2 seconds.
_PAYMENT_CONFIG = Config(connect_timeout=2, read_timeout=3,
                         retries={"max_attempts": 3, "mode": "standard"})
_HEALTH_CONFIG = Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1})
# Ledger statements: a single-row insert answers in milliseconds; a cluster that
# is failing over should fail this request fast (the client retries) rather
# than hold it for the Lambda timeout.
_LEDGER_CONFIG = Config(connect_timeout=2, read_timeout=5,
                        retries={"max_attempts": 2, "mode": "standard"})

# The ledger: one row per payment, keyed by transaction id. Both engines take
# this DDL; the idempotent insert differs (see _LEDGER_INSERT).
LEDGER_TABLE = "payments"
_LEDGER_DDL = ("CREATE TABLE IF NOT EXISTS payments ("
               "transaction_id CHAR(36) NOT NULL PRIMARY KEY, "
               "session_id VARCHAR(128) NOT NULL, "
               "amount DECIMAL(24, 4) NOT NULL, "
               "currency CHAR(3) NOT NULL, "
               "region VARCHAR(32) NOT NULL, "
               "created_at VARCHAR(40) NOT NULL)")
_LEDGER_COLUMNS = ("INSERT INTO payments (transaction_id, session_id, amount, currency, region, created_at) "
                   "VALUES (:transaction_id, :session_id, :amount, :currency, :region, :created_at)")
# A second insert of a transaction id changes nothing and raises nothing.
_LEDGER_INSERT = {
    "aurora-mysql": _LEDGER_COLUMNS + " ON DUPLICATE KEY UPDATE transaction_id = transaction_id",
    "aurora-postgresql": _LEDGER_COLUMNS + " ON CONFLICT (transaction_id) DO NOTHING",
}


class _JsonFormatter(logging.Formatter):
    """One JSON object per line; only the explicit ``fields`` are emitted."""

    def format(self, record):
        entry = {"level": record.levelname, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str, sort_keys=True)


logger = logging.getLogger("paydrc.payments")
if not logger.handlers:
    _stdout = logging.StreamHandler(sys.stdout)
    _stdout.setFormatter(_JsonFormatter())
    logger.addHandler(_stdout)
logger.setLevel(logging.INFO)
logger.propagate = False  # the Lambda root handler would prefix non-JSON text


def _log(level, message, ctx, **fields):
    # Never pass bodies, headers, idempotency keys or session ids here.
    logger.log(level, message, extra={"fields": {**ctx, **fields}})


class _BadRequest(Exception):
    """Client error; the message is ours and never echoes client input."""


class _Conflict(Exception):
    pass


class _ConfigError(Exception):
    pass


class _DependencyError(Exception):
    pass


_clients = {}
_clients_lock = threading.Lock()


def _client(service, region, config=_PAYMENT_CONFIG):
    """Lazily created, cached per (service, region, config); thread-safe."""
    key = (service, region, id(config))
    client = _clients.get(key)
    if client is None:
        with _clients_lock:  # boto3 client creation itself is not thread-safe
            client = _clients.get(key)
            if client is None:
                client = boto3.session.Session().client(service, region_name=region, config=config)
                _clients[key] = client
    return client


def _config():
    """Read at call time so tests (and config changes) take effect."""
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise _ConfigError("missing environment: " + ",".join(missing))
    max_amount = DEFAULT_MAX_AMOUNT
    raw = os.environ.get("MAX_AMOUNT")
    if raw:
        if not AMOUNT_STRING_RE.fullmatch(raw):
            raise _ConfigError("MAX_AMOUNT is not a decimal")
        max_amount = Decimal(raw)
        if not 0 < max_amount <= MAX_AMOUNT_CEILING:
            raise _ConfigError("MAX_AMOUNT out of range")
    if os.environ["LEDGER_ENGINE"] not in _LEDGER_INSERT:
        raise _ConfigError("LEDGER_ENGINE is not a supported engine")
    return {
        "region": os.environ["AWS_REGION"],
        "sessions_table": os.environ["SESSIONS_TABLE"],
        "transactions_table": os.environ["TRANSACTIONS_TABLE"],
        "event_bus": os.environ["EVENT_BUS_NAME"],
        "ledger": {"cluster_arn": os.environ["LEDGER_CLUSTER_ARN"],
                   "secret_arn": os.environ["LEDGER_SECRET_ARN"],
                   "database": os.environ["LEDGER_DATABASE"],
                   "engine": os.environ["LEDGER_ENGINE"]},
        "environment": os.environ.get("ENVIRONMENT_SUFFIX", ""),
        "max_amount": max_amount,
    }


def _response(status, body, headers=None):
    all_headers = {"content-type": "application/json", "cache-control": "no-store"}
    all_headers.update(headers or {})
    return {"statusCode": status, "headers": all_headers, "body": json.dumps(body)}


# ---------------------------------------------------------------- parsing

def _reject_constant(name):
    raise ValueError("non-finite number")  # NaN, Infinity, -Infinity


def _unique_keys(pairs):
    # Duplicate keys would make "the same body" ambiguous for idempotency.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate key")
    return obj


def _read_json_body(event):
    body = event.get("body")
    if body is None or body == "":
        raise _BadRequest("request body is required")
    if not isinstance(body, str):
        raise _BadRequest("malformed request body")
    if len(body) > (MAX_BODY_BYTES + 2) // 3 * 4:  # cheap bound before decoding
        raise _BadRequest("request body too large")
    try:
        if event.get("isBase64Encoded") is True:
            raw = base64.b64decode(body, validate=True)
        else:
            raw = body.encode("utf-8")
    except (binascii.Error, ValueError):  # ValueError covers non-ASCII and lone surrogates
        raise _BadRequest("request body is not valid base64") from None
    if len(raw) > MAX_BODY_BYTES:
        raise _BadRequest("request body too large")
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal,
                          parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError):  # includes JSONDecodeError, UnicodeDecodeError
        raise _BadRequest("request body is not valid JSON") from None


def _decimal_places(amount):
    """Significant decimal places: trailing zeros do not count (1.50 -> 1)."""
    _, digits, exponent = amount.as_tuple()
    if exponent >= 0:
        return 0
    text = "".join(map(str, digits))
    return max(0, -exponent - (len(text) - len(text.rstrip("0"))))


def _parse_amount(value, minor_units, max_amount):
    # JSON numbers (int or decimal, never float) and plain decimal strings
    # ("12.50") are accepted; bools, exponents in strings, signs are not.
    if isinstance(value, bool):
        raise _BadRequest("amount must be a number or a decimal string")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str) and AMOUNT_STRING_RE.fullmatch(value):
        amount = Decimal(value)
    else:
        raise _BadRequest("amount must be a number or a decimal string")
    if not amount.is_finite() or amount <= 0:
        raise _BadRequest("amount must be greater than 0")
    if amount > max_amount:
        raise _BadRequest("amount exceeds the maximum allowed")
    if _decimal_places(amount) > minor_units:
        raise _BadRequest("amount has more decimal places than the currency allows")
    return amount.quantize(Decimal((0, (1,), -minor_units)))  # exact: only pads zeros


def _parse_payment(data, cfg):
    if not isinstance(data, dict):
        raise _BadRequest("request body must be a JSON object")
    if set(data) - set(PAYMENT_FIELDS):
        raise _BadRequest("request body has unexpected fields")
    for field in PAYMENT_FIELDS:
        if field not in data:
            raise _BadRequest("missing field: " + field)
    currency = data["currency"]
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise _BadRequest("currency must be a supported ISO 4217 code")
    session_id = data["session_id"]
    if not isinstance(session_id, str) or not SESSION_ID_RE.fullmatch(session_id):
        raise _BadRequest("session_id must be 1-128 characters of A-Z a-z 0-9 _ -")
    amount = _parse_amount(data["amount"], CURRENCIES[currency], cfg["max_amount"])
    return {"amount": amount, "currency": currency, "session_id": session_id}


def _idempotency_key(headers):
    if not isinstance(headers, dict):
        return None
    value = next((v for k, v in headers.items()
                  if isinstance(k, str) and k.lower() == "idempotency-key"), None)
    if value is None:
        return None
    if not isinstance(value, str) or not IDEMPOTENCY_KEY_RE.fullmatch(value):
        raise _BadRequest("Idempotency-Key must be 1-255 visible ASCII characters")
    return value


# ---------------------------------------------------------------- payments

def _error_code(exc):
    return exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""


def _process_payment(event, cfg, ctx):
    key = _idempotency_key(event.get("headers"))
    payment = _parse_payment(_read_json_body(event), cfg)
    amount = str(payment["amount"])
    canonical = json.dumps({**payment, "amount": amount}, sort_keys=True, separators=(",", ":"))
    request_hash = hashlib.sha256(canonical.encode()).hexdigest()
    txn_id = str(uuid.uuid5(TRANSACTION_NAMESPACE, key) if key is not None else uuid.uuid4())
    ctx["transaction_id"] = txn_id
    now = datetime.now(timezone.utc).isoformat()
    ddb = _client("dynamodb", cfg["region"])
    txn_key = {"transaction_id": {"S": txn_id}}

    created, status = True, "PENDING"
    try:
        ddb.put_item(
            TableName=cfg["transactions_table"],
            Item={**txn_key, "session_id": {"S": payment["session_id"]},
                  "amount": {"N": amount}, "currency": {"S": payment["currency"]},
                  "request_hash": {"S": request_hash}, "status": {"S": "PENDING"},
                  "region": {"S": cfg["region"]}, "created_at": {"S": now}},
            ConditionExpression="attribute_not_exists(transaction_id)")
    except ClientError as exc:
        if _error_code(exc) != "ConditionalCheckFailedException":
            raise
        existing = ddb.get_item(TableName=cfg["transactions_table"], Key=txn_key,
                                ConsistentRead=True).get("Item")
        if existing is None:  # deleted in between: nothing sane to do but fail
            raise _DependencyError("transaction vanished") from None
        if existing.get("request_hash", {}).get("S") != request_hash:
            raise _Conflict() from None
        created, status = False, existing.get("status", {}).get("S")
        now = existing.get("created_at", {}).get("S", now)

    if status != "COMPLETED":
        _record_in_ledger(cfg, payment, amount, txn_id, now)
        _record_in_session(ddb, cfg, payment, amount, txn_id, now)
        _publish(cfg, payment, amount, txn_id, now)
        ddb.update_item(TableName=cfg["transactions_table"], Key=txn_key,
                        UpdateExpression="SET #s = :done",
                        ExpressionAttributeNames={"#s": "status"},
                        ExpressionAttributeValues={":done": {"S": "COMPLETED"}})

    code = 201 if created else 200
    _log(logging.INFO, "payment_processed", ctx, status=code, replayed=not created,
         idempotent=key is not None)
    return _response(code, {
        "message": "Payment processed", "transaction_id": txn_id, "amount": amount,
        "currency": payment["currency"], "region": cfg["region"],
        "session_id": payment["session_id"],
    }, {"idempotent-replayed": "true"} if not created else None)


# Clusters (ARN, database) whose ledger table this container has created.
_ledger_ready = set()


def _ledger_statement(cfg, sql, parameters=None):
    ledger = cfg["ledger"]
    request = {"resourceArn": ledger["cluster_arn"], "secretArn": ledger["secret_arn"],
               "database": ledger["database"], "sql": sql}
    if parameters:
        request["parameters"] = parameters
    _client("rds-data", cfg["region"], _LEDGER_CONFIG).execute_statement(**request)


def _record_in_ledger(cfg, payment, amount, txn_id, now):
    """Inserts the payment's ledger row once, whatever the number of retries.

    The table is created if absent once per container and cluster (the DDL is
    idempotent too, so racing containers are harmless).
    """
    ledger = cfg["ledger"]
    target = (ledger["cluster_arn"], ledger["database"])
    if target not in _ledger_ready:
        _ledger_statement(cfg, _LEDGER_DDL)
        _ledger_ready.add(target)

    def text(name, value):
        return {"name": name, "value": {"stringValue": value}}
    _ledger_statement(cfg, _LEDGER_INSERT[ledger["engine"]], [
        text("transaction_id", txn_id), text("session_id", payment["session_id"]),
        {**text("amount", amount), "typeHint": "DECIMAL"}, text("currency", payment["currency"]),
        text("region", cfg["region"]), text("created_at", now)])


def _record_in_session(ddb, cfg, payment, amount, txn_id, now):
    """Creates the session if absent; counts each transaction exactly once."""
    try:
        ddb.update_item(
            TableName=cfg["sessions_table"],
            Key={"session_id": {"S": payment["session_id"]}},
            UpdateExpression=("ADD transaction_ids :txs, payment_count :one, #total :amount "
                              "SET last_transaction_id = :tx, updated_at = :now, "
                              "created_at = if_not_exists(created_at, :now)"),
            ConditionExpression="attribute_not_exists(transaction_ids) OR NOT contains(transaction_ids, :tx)",
            # Currency codes come from CURRENCIES, so the attribute name is safe.
            ExpressionAttributeNames={"#total": "total_" + payment["currency"]},
            ExpressionAttributeValues={":txs": {"SS": [txn_id]}, ":tx": {"S": txn_id},
                                       ":one": {"N": "1"}, ":amount": {"N": amount},
                                       ":now": {"S": now}})
    except ClientError as exc:
        if _error_code(exc) != "ConditionalCheckFailedException":
            raise  # else: already recorded by an earlier attempt


def _publish(cfg, payment, amount, txn_id, now):
    detail = {"transaction_id": txn_id, "session_id": payment["session_id"], "amount": amount,
              "currency": payment["currency"], "region": cfg["region"],
              "environment": cfg["environment"], "created_at": now}
    result = _client("events", cfg["region"]).put_events(Entries=[{
        "Source": EVENT_SOURCE, "DetailType": EVENT_DETAIL_TYPE,
        "Detail": json.dumps(detail), "EventBusName": cfg["event_bus"]}])
    if result.get("FailedEntryCount"):
        raise _DependencyError("event not accepted")


# ---------------------------------------------------------------- health

_health_cache = {"key": None, "ok": False, "expires": 0.0}
_monotonic = time.monotonic  # patched by tests; never the wall clock

# The item the health probe writes. Transaction ids are UUIDs, so this key never
# names a payment; the probe's condition (no `status`) also refuses to touch one.
HEALTH_CANARY_KEY = "__paydrc_health__"


def _probe_payment_path(cfg):
    """One conditional write to the transactions table: the data-plane call every
    payment makes first. DescribeTable (control plane) stays green while writes
    fail (throttling, a lost key grant, a table that no longer accepts writes),
    which would leave Route 53 routing every payment to a region answering 503.
    """
    _client("dynamodb", cfg["region"], _HEALTH_CONFIG).update_item(
        TableName=cfg["transactions_table"],
        Key={"transaction_id": {"S": HEALTH_CANARY_KEY}},
        UpdateExpression="SET #checked = :now, #region = :region",
        # Always true for the canary (it never gets a status); false for a payment.
        ConditionExpression="attribute_not_exists(#status)",
        ExpressionAttributeNames={"#checked": "health_checked_at", "#region": "health_region",
                                  "#status": "status"},
        ExpressionAttributeValues={":now": {"S": datetime.now(timezone.utc).isoformat()},
                                   ":region": {"S": cfg["region"]}})


def _health(ctx):
    """200 only if configured and a conditional write of the canary item succeeds.

    The result (good or bad) is cached for HEALTH_CACHE_SECONDS so Route 53's
    many checkers cost about one write per warm instance per period.
    """
    try:
        cfg = _config()
    except _ConfigError as exc:
        _log(logging.ERROR, "health_unavailable", ctx, reason=str(exc))
        return _response(503, {"status": "unavailable"})
    cache_key = (cfg["region"], cfg["transactions_table"])
    now = _monotonic()
    if _health_cache["key"] == cache_key and now < _health_cache["expires"]:
        ok = _health_cache["ok"]
    else:
        try:
            _probe_payment_path(cfg)
            ok = True
        except (ClientError, BotoCoreError) as exc:
            ok = False
            _log(logging.ERROR, "health_unavailable", ctx, error_class=type(exc).__name__,
                 error_code=_error_code(exc))
        _health_cache.update(key=cache_key, ok=ok, expires=now + HEALTH_CACHE_SECONDS)
    if ok:
        return _response(200, {"status": "ok", "region": cfg["region"]})
    return _response(503, {"status": "unavailable"})


# ---------------------------------------------------------------- entry point

def _method_and_path(event):
    """The request's method and path from either proxy payload: an HTTP API's
    version 2.0 (`requestContext.http.method`, `rawPath`) or a REST API's version
    1.0 (`httpMethod`, `path`; API Gateway Developer Guide, "Input format of a
    Lambda function for proxy integration"). paydrc deploys either front door."""
    if event.get("version") == "2.0":
        try:
            method = event["requestContext"]["http"]["method"]
        except (KeyError, TypeError):
            method = None
        path = event.get("rawPath")
    else:
        method = event.get("httpMethod")
        path = event.get("path")
    return (method if isinstance(method, str) else None, path if isinstance(path, str) else None)


def handler(event, context=None):
    ctx = {"region": os.environ.get("AWS_REGION", "")}
    if getattr(context, "aws_request_id", None):
        ctx["request_id"] = context.aws_request_id
    event = event if isinstance(event, dict) else {}
    method, path = _method_and_path(event)

    allowed = ROUTES.get(path)
    if allowed is None:
        _log(logging.INFO, "request_rejected", ctx, status=404)
        return _response(404, {"error": "Not found"})
    if method not in allowed:
        _log(logging.INFO, "request_rejected", ctx, status=405)
        return _response(405, {"error": "Method not allowed"}, {"allow": ", ".join(allowed)})
    if path == "/health":
        return _health(ctx)

    try:
        return _process_payment(event, _config(), ctx)
    except _BadRequest as exc:
        _log(logging.INFO, "request_rejected", ctx, status=400, reason=str(exc))
        return _response(400, {"error": str(exc)})
    except _Conflict:
        _log(logging.WARNING, "idempotency_conflict", ctx, status=409)
        return _response(409, {"error": "Idempotency-Key was already used with a different request"})
    except _ConfigError as exc:  # the message lists missing variable names only
        _log(logging.ERROR, "configuration_error", ctx, status=503, reason=str(exc))
        return _response(503, {"error": "Service temporarily unavailable"})
    except (_DependencyError, ClientError, BotoCoreError) as exc:
        # AWS error text names tables and ARNs: log class and code only.
        # The operation tells a ledger failure (ExecuteStatement) from the others.
        _log(logging.ERROR, "dependency_failure", ctx, status=503,
             error_class=type(exc).__name__, error_code=_error_code(exc),
             operation=getattr(exc, "operation_name", ""))
        return _response(503, {"error": "Service temporarily unavailable"})
    except Exception as exc:  # last resort: never leak a stack trace to the client
        _log(logging.ERROR, "internal_error", ctx, status=500, error_class=type(exc).__name__)
        return _response(500, {"error": "Internal error"})
