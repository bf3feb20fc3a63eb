"""Checks a JWT for a REST API the way an HTTP API JWT authorizer does (built into paydrc).

A REST API (which AWS WAF can protect) calls this function as a TOKEN Lambda
authorizer: API Gateway passes the identity-source header and the called method's
ARN (API Gateway Developer Guide, "Input to an API Gateway Lambda authorizer"):

    {"type": "TOKEN", "authorizationToken": "Bearer eyJ...",
     "methodArn": "arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH"}

The checks follow "Control access to HTTP APIs with JWT authorizers" and "Troubleshooting
issues with HTTP API JWT authorizers" (API Gateway Developer Guide):

- the header holds the token alone or after `Bearer ` (the scheme in any case);
- the signing key comes from the issuer's OIDC discovery document
  (`{issuer}/.well-known/openid-configuration`, OpenID Connect Discovery 1.0 section 4),
  whose `jwks_uri` names the key set; only RSA keys (`kty` RSA, `use` absent or `sig`)
  are kept, and the token's `kid` header must name one of them;
- the algorithm is RS256, RS384 or RS512 (RSASSA-PKCS1-v1_5, RFC 7518 section 3.3),
  verified here in pure Python as RFC 8017 section 8.2.2 describes: m = s^e mod n,
  compared with the EMSA-PKCS1-v1_5 encoding (section 9.2) of the signing input's
  digest. `none`, HS* (which would let a public key serve as an HMAC secret) and every
  other algorithm are refused, and so are moduli under 2048 bits;
- `iss` must equal ISSUER exactly (a trailing slash counts);
- `aud` (a string or a list) must hold one of the AUDIENCE entries; only when the token
  has no `aud` is `client_id` compared instead, as the HTTP API authorizer does
  (Cognito access tokens carry `client_id`, its ID tokens `aud`);
- `exp` is required and must be after now; `nbf` and `iat`, when present, must not be
  after now. LEEWAY_SECONDS (5) tolerates an issuer clock slightly ahead of this one for
  `nbf` and `iat` only: an expired token is never accepted.

Keys are cached in the module (so across the invocations a warm execution environment
serves) for JWKS_CACHE_SECONDS; the HTTP API authorizer caches them up to two hours. A
`kid` missing from the cache refetches the key set (so the issuer's key rotation is
seen), at most once every REFETCH_INTERVAL_SECONDS, so forged `kid`s cannot turn this
function into a flood against the issuer; a failed fetch is not retried for
RETRY_AFTER_FAILURE_SECONDS. Every fetch is an HTTPS GET (redirects too) with a timeout.

A valid token is answered with an Allow policy for every method of the stage
(`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/*`): API Gateway caches the result by
token, and a policy naming only the first method called would deny the others from the
cache. The context passes `sub` and, when they are strings, `scope` (or `scp`),
`token_use` and `client_id`; API Gateway accepts only strings, numbers and booleans
there. Any refusal raises Exception("Unauthorized"), which API Gateway answers with 401
("Output from an API Gateway Lambda authorizer"); the log names the reason's kind
("deny: expired") and never the token or a claim value. A configuration error raises
ConfigError instead, which API Gateway answers with 500, so that a broken deployment is
not mistaken for bad tokens.

Environment: ISSUER (https URL), AUDIENCE (comma-separated), JWKS_CACHE_SECONDS (3600)
and HTTP_TIMEOUT_SECONDS (3). Only the standard library is used.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import os
import re
import ssl
import time
import urllib.parse
import urllib.request

logger = logging.getLogger("jwt_authorizer")

LEEWAY_SECONDS = 5
REFETCH_INTERVAL_SECONDS = 60
RETRY_AFTER_FAILURE_SECONDS = 5
MIN_MODULUS_BITS = 2048
MAX_MODULUS_BITS = 16384
MAX_TOKEN_CHARS = 16384
MAX_DOCUMENT_BYTES = 1 << 20

# DER DigestInfo prefixes of RFC 8017 section 9.2, note 1.
ALGORITHMS = {
    "RS256": ("sha256", bytes.fromhex("3031300d060960864801650304020105000420")),
    "RS384": ("sha384", bytes.fromhex("3041300d060960864801650304020205000430")),
    "RS512": ("sha512", bytes.fromhex("3051300d060960864801650304020305000440")),
}

_B64URL = re.compile(r"[A-Za-z0-9_-]*")

_now = time.time  # tests replace it


class ConfigError(Exception):
    """The function's environment is wrong: API Gateway answers 500."""


class _Deny(Exception):
    """The token is refused; `reason` is a kind safe to log."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _config():
    issuer = os.environ.get("ISSUER", "")
    parts = urllib.parse.urlsplit(issuer)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment or "?" in issuer:
        raise ConfigError("ISSUER must be an https URL without query or fragment")
    audiences = tuple(a.strip() for a in os.environ.get("AUDIENCE", "").split(",") if a.strip())
    if not audiences:
        raise ConfigError("AUDIENCE must name at least one audience")
    try:
        cache_seconds = float(os.environ.get("JWKS_CACHE_SECONDS", "3600"))
        timeout = float(os.environ.get("HTTP_TIMEOUT_SECONDS", "3"))
    except ValueError:
        raise ConfigError("JWKS_CACHE_SECONDS and HTTP_TIMEOUT_SECONDS must be numbers") from None
    if not cache_seconds >= 0 or not timeout > 0:
        raise ConfigError("JWKS_CACHE_SECONDS must be >= 0 and HTTP_TIMEOUT_SECONDS > 0")
    return {"issuer": issuer, "audiences": audiences, "cache_seconds": cache_seconds, "timeout": timeout}


def handler(event, context):
    config = _config()
    try:
        event = event if isinstance(event, dict) else {}
        resource = _stage_arn(event.get("methodArn"))
        token = _extract(event.get("authorizationToken"))
        claims = _validate(token, config)
    except _Deny as deny:
        logger.warning("deny: %s", deny.reason)
        raise Exception("Unauthorized") from None
    except Exception as error:  # a bug must still deny, and its message may quote the token
        logger.error("deny: internal error (%s)", type(error).__name__)
        raise Exception("Unauthorized") from None

    result_context = {"sub": claims["sub"]}
    scope = claims.get("scope", claims.get("scp"))
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        scope = " ".join(scope)
    if isinstance(scope, str):
        result_context["scope"] = scope
    for name in ("token_use", "client_id"):
        if isinstance(claims.get(name), str):
            result_context[name] = claims[name]
    return {
        "principalId": claims["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
        "context": result_context,
    }


def _stage_arn(method_arn):
    """arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH -> ...:API/STAGE/*"""
    if not isinstance(method_arn, str):
        raise _Deny("bad methodArn")
    parts = method_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "execute-api":
        raise _Deny("bad methodArn")
    path = parts[5].split("/")
    if len(path) < 2 or not path[0] or not path[1]:
        raise _Deny("bad methodArn")
    return ":".join(parts[:5]) + f":{path[0]}/{path[1]}/*"


def _extract(header):
    if not isinstance(header, str):
        raise _Deny("no token")
    value = header.strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    if not value:
        raise _Deny("no token")
    if len(value) > MAX_TOKEN_CHARS:
        raise _Deny("malformed token")
    return value


def _b64url(text):
    """Base64url without padding (RFC 7515 section 2), strictly."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise _Deny("malformed token")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise _Deny("malformed token") from None


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate member")
        result[key] = value
    return result


def _refuse_constant(name):
    raise ValueError("non-finite number")


def _json_object(raw):
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Deny("malformed token") from None
    if not isinstance(value, dict):
        raise _Deny("malformed token")
    return value


def _validate(token, config):
    now = _now()
    pieces = token.split(".")
    if len(pieces) != 3 or not all(pieces):
        raise _Deny("malformed token")
    header = _json_object(_b64url(pieces[0]))
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise _Deny("unsupported alg")
    if "crit" in header:  # RFC 7515 section 4.1.11: no extension is understood here
        raise _Deny("unsupported header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _Deny("no kid")
    signature = _b64url(pieces[2])
    payload_bytes = _b64url(pieces[1])
    key = _signing_key(kid, config, now)
    _verify(alg, key, f"{pieces[0]}.{pieces[1]}".encode("ascii"), signature)
    claims = _json_object(payload_bytes)
    _check_claims(claims, config, now)
    return claims


def _verify(alg, key, signing_input, signature):
    """RSASSA-PKCS1-v1_5 verification, RFC 8017 sections 8.2.2 and 9.2."""
    n, e, key_alg = key
    if key_alg is not None and key_alg != alg:
        raise _Deny("alg does not match key")
    if n.bit_length() < MIN_MODULUS_BITS:
        raise _Deny("weak key")
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        raise _Deny("bad signature")
    s = int.from_bytes(signature, "big")
    if s >= n:
        raise _Deny("bad signature")
    encoded = pow(s, e, n).to_bytes(k, "big")
    hash_name, prefix = ALGORITHMS[alg]
    t = prefix + hashlib.new(hash_name, signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    if not hmac.compare_digest(encoded, expected):
        raise _Deny("bad signature")


def _numeric(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_claims(claims, config, now):
    if claims.get("iss") != config["issuer"]:
        raise _Deny("wrong issuer")
    if "aud" in claims:
        aud = claims["aud"]
        aud = [aud] if isinstance(aud, str) else aud
        if not isinstance(aud, list) or not any(isinstance(a, str) and a in config["audiences"] for a in aud):
            raise _Deny("wrong audience")
    elif not (isinstance(claims.get("client_id"), str) and claims["client_id"] in config["audiences"]):
        raise _Deny("wrong audience")
    if "exp" not in claims:
        raise _Deny("missing exp")
    if not _numeric(claims["exp"]):
        raise _Deny("bad exp")
    if not now < claims["exp"]:
        raise _Deny("expired")
    for name, reason in (("nbf", "not yet valid"), ("iat", "issued in the future")):
        if name in claims:
            if not _numeric(claims[name]):
                raise _Deny(f"bad {name}")
            if claims[name] > now + LEEWAY_SECONDS:
                raise _Deny(reason)
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _Deny("no subject")


# Key discovery and cache -------------------------------------------------------------

_cache = {"issuer": None, "keys": None, "fetched_at": 0.0, "attempted_at": None, "failed_at": None}


def _reset_cache(issuer=None):
    _cache.update(issuer=issuer, keys=None, fetched_at=0.0, attempted_at=None, failed_at=None)


def _signing_key(kid, config, now):
    if _cache["issuer"] != config["issuer"]:
        _reset_cache(config["issuer"])
    keys = _cache["keys"]
    if keys is None or now - _cache["fetched_at"] >= config["cache_seconds"]:
        if _cache["failed_at"] is not None and now - _cache["failed_at"] < RETRY_AFTER_FAILURE_SECONDS:
            raise _Deny("keys unavailable")
        keys = _refresh(config, now)
    elif kid not in keys and now - _cache["attempted_at"] >= REFETCH_INTERVAL_SECONDS:
        keys = _refresh(config, now)
    if kid not in keys:
        raise _Deny("unknown kid")
    return keys[kid]


def _refresh(config, now):
    _cache["attempted_at"] = now
    try:
        base = config["issuer"].rstrip("/")
        discovery = _fetch_json(base + "/.well-known/openid-configuration", config["timeout"])
        jwks_uri = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
        if not _is_https(jwks_uri):
            raise _KeySetError("jwks_uri is not an https URL")
        keys = _parse_jwks(_fetch_json(jwks_uri, config["timeout"]))
    except _KeySetError as error:
        logger.error("key discovery failed: %s", error)
        _cache["failed_at"] = now
        raise _Deny("keys unavailable") from None
    except Exception as error:
        logger.error("key discovery failed: %s", type(error).__name__)
        _cache["failed_at"] = now
        raise _Deny("keys unavailable") from None
    _cache.update(keys=keys, fetched_at=now, failed_at=None)
    logger.info("loaded %d signing keys", len(keys))
    return keys


class _KeySetError(Exception):
    """The discovery document or key set is unusable; the message is safe to log."""


def _is_https(url):
    if not isinstance(url, str):
        return False
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def _parse_jwks(document):
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise _KeySetError("key set has no keys list")
    keys = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        kid, alg, ops = jwk.get("kid"), jwk.get("alg"), jwk.get("key_ops")
        if not isinstance(kid, str) or not kid or kid in keys:
            continue
        if alg is not None and alg not in ALGORITHMS:
            continue
        if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
            continue
        try:
            n = int.from_bytes(_b64url(jwk["n"]), "big")
            e = int.from_bytes(_b64url(jwk["e"]), "big")
        except (KeyError, TypeError, _Deny):
            continue
        if n.bit_length() > MAX_MODULUS_BITS or n % 2 == 0 or e < 3 or e % 2 == 0 or e >= n:
            continue
        keys[kid] = (n, e, alg)
    return keys


class _HttpsOnlyRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another https URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not _is_https(urllib.parse.urljoin(req.full_url, newurl)):
            raise _KeySetError("redirect to a URL that is not https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch_json(url, timeout):
    """GET an https URL and parse its JSON body (tests replace this function)."""
    if not _is_https(url):
        raise _KeySetError("URL is not https")
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), _HttpsOnlyRedirect()
    )
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "paydrc-jwt-authorizer"})
    with opener.open(request, timeout=timeout) as response:
        body = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise _KeySetError("document too large")
    return json.loads(body)
