"""The built-in JWT authorizer (builtin/jwt_authorizer/index.py): tokens signed here with
`cryptography`, the issuer's discovery document and key set served from dicts, and the
clock held still. Run from the repository root:

    python3 -B -m unittest discover -s tests/builtin -v
"""

import base64
import hashlib
import hmac
import importlib.util
import json
import logging
import os
import pathlib
import unittest
import urllib.error
import urllib.request
from unittest import mock

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_module():
    spec = importlib.util.spec_from_file_location("jwt_authorizer", ROOT / "builtin/jwt_authorizer/index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


authorizer = load_module()
REAL_FETCH = authorizer._fetch_json

ISSUER = "https://idp.example.com/pool"
DISCOVERY = ISSUER + "/.well-known/openid-configuration"
JWKS_URI = "https://idp.example.com/pool/.well-known/jwks.json"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/payments"
STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*"
NOW = 1_700_000_000
ENV = {"ISSUER": ISSUER, "AUDIENCE": "payments-api, ops-console", "JWKS_CACHE_SECONDS": "3600"}

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROTATED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
WEAK_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value):
    return b64url(json.dumps(value).encode())


def jwk(private_key, kid, **extra):
    numbers = private_key.public_key().public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64url(n), "e": b64url(e), **extra}


HASHES = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}


def sign(claims, key=KEY, kid="key-1", alg="RS256", header=None):
    head = {"alg": alg, "typ": "JWT", "kid": kid} if header is None else header
    signing_input = f"{b64json(head)}.{b64json(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), HASHES[alg])
    return f"{signing_input}.{b64url(signature)}"


def claims(**changes):
    base = {
        "iss": ISSUER,
        "sub": "user-7f3a",
        "aud": "payments-api",
        "exp": NOW + 600,
        "iat": NOW - 10,
        "scope": "payments/write",
        "token_use": "access",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


class FakeIdP:
    """Serves the discovery document and key set; counts every GET."""

    def __init__(self):
        self.documents = {
            DISCOVERY: {"issuer": ISSUER, "jwks_uri": JWKS_URI},
            JWKS_URI: {"keys": [jwk(KEY, "key-1"), jwk(WEAK_KEY, "weak")]},
        }
        self.calls = []
        self.error = None

    def __call__(self, url, timeout):
        self.calls.append((url, timeout))
        if self.error is not None:
            raise self.error
        return json.loads(json.dumps(self.documents[url]))

    def count(self, url):
        return sum(1 for called, _ in self.calls if called == url)


class AuthorizerTest(unittest.TestCase):
    def setUp(self):
        for patcher in (
            mock.patch.dict(os.environ, ENV),
            mock.patch.object(authorizer, "_now", lambda: self.now),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)
        self.idp = FakeIdP()
        patcher = mock.patch.object(authorizer, "_fetch_json", self.idp)
        patcher.start()
        self.addCleanup(patcher.stop)
        authorizer._reset_cache()
        self.now = NOW

    def authorize(self, header, method_arn=METHOD_ARN):
        event = {"type": "TOKEN", "authorizationToken": header, "methodArn": method_arn}
        return authorizer.handler(event, None)

    def allowed(self, token):
        result = self.authorize("Bearer " + token)
        self.assertEqual(result["policyDocument"]["Statement"][0]["Effect"], "Allow")
        return result

    def denied(self, header, reason, bearer=True):
        """The call raises exactly Exception("Unauthorized") and logs `deny: reason`."""
        with self.assertLogs("jwt_authorizer", level="INFO") as logs:
            with self.assertRaises(Exception) as raised:
                self.authorize(("Bearer " + header) if bearer else header)
        self.assertIs(type(raised.exception), Exception)
        self.assertEqual(str(raised.exception), "Unauthorized")
        self.assertIn(f"WARNING:jwt_authorizer:deny: {reason}", logs.output)
        return logs.output

    # --- allow ------------------------------------------------------------------

    def test_valid_token_allows_every_method_of_the_stage(self):
        result = self.authorize("Bearer " + sign(claims()))
        self.assertEqual(
            result,
            {
                "principalId": "user-7f3a",
                "policyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": STAGE_ARN}],
                },
                "context": {"sub": "user-7f3a", "scope": "payments/write", "token_use": "access"},
            },
        )

    def test_stage_resource_for_root_and_nested_paths(self):
        token = sign(claims())
        for arn in (
            "arn:aws:execute-api:eu-west-1:210987654321:zz9/live/GET/",
            "arn:aws:execute-api:eu-west-1:210987654321:zz9/live/DELETE/a/b/c",
        ):
            resource = self.authorize(token, arn)["policyDocument"]["Statement"][0]["Resource"]
            self.assertEqual(resource, "arn:aws:execute-api:eu-west-1:210987654321:zz9/live/*")

    def test_bearer_in_any_case_and_bare_token(self):
        token = sign(claims())
        for header in ("Bearer " + token, "bearer " + token, "BEARER   " + token, token, f"  {token}  "):
            self.assertEqual(self.authorize(header)["principalId"], "user-7f3a", header[:10])
        self.denied("Basic " + token, "malformed token", bearer=False)

    def test_context_holds_only_scalars(self):
        token = sign(claims(scope=None, scp=["payments/read", "payments/write"], client_id="app-1",
                            address={"street": "x"}, groups=["admins"]))
        context = self.allowed(token)["context"]
        self.assertEqual(
            context, {"sub": "user-7f3a", "scope": "payments/read payments/write", "token_use": "access",
                      "client_id": "app-1"}
        )
        self.assertTrue(all(isinstance(v, (str, int, float, bool)) for v in context.values()))

    def test_scope_absent_leaves_it_out_of_the_context(self):
        context = self.allowed(sign(claims(scope=None, token_use=None)))["context"]
        self.assertEqual(context, {"sub": "user-7f3a"})

    def test_rs384_and_rs512(self):
        self.idp.documents[JWKS_URI]["keys"].append(jwk(OTHER_KEY, "key-any", alg=None))
        for alg in ("RS384", "RS512"):
            self.assertEqual(self.allowed(sign(claims(), OTHER_KEY, "key-any", alg))["principalId"], "user-7f3a")

    def test_key_alg_must_match_token_alg(self):
        self.denied(sign(claims(), alg="RS512"), "alg does not match key")

    def test_issuer_with_trailing_slash(self):
        issuer = "https://idp.example.com/tenant/"
        os.environ["ISSUER"] = issuer
        self.idp.documents["https://idp.example.com/tenant/.well-known/openid-configuration"] = {"jwks_uri": JWKS_URI}
        self.allowed(sign(claims(iss=issuer)))
        self.denied(sign(claims(iss=issuer.rstrip("/"))), "wrong issuer")

    # --- claims -----------------------------------------------------------------

    def test_wrong_issuer(self):
        self.denied(sign(claims(iss="https://evil.example.com/pool")), "wrong issuer")
        self.denied(sign(claims(iss=ISSUER + "/")), "wrong issuer")
        self.denied(sign(claims(iss=None)), "wrong issuer")

    def test_wrong_audience(self):
        self.denied(sign(claims(aud="other-app")), "wrong audience")
        self.denied(sign(claims(aud="payments-api,ops-console")), "wrong audience")
        self.denied(sign(claims(aud=42)), "wrong audience")

    def test_audience_list(self):
        self.allowed(sign(claims(aud=["reporting", "ops-console"])))
        self.denied(sign(claims(aud=["reporting", "billing"])), "wrong audience")
        self.denied(sign(claims(aud=[])), "wrong audience")

    def test_client_id_counts_only_without_aud(self):
        self.allowed(sign(claims(aud=None, client_id="payments-api")))
        self.denied(sign(claims(aud=None, client_id="other-app")), "wrong audience")
        self.denied(sign(claims(aud=None)), "wrong audience")
        # With both present the HTTP API authorizer evaluates aud only.
        self.denied(sign(claims(aud="other-app", client_id="payments-api")), "wrong audience")

    def test_expired(self):
        self.denied(sign(claims(exp=NOW - 1)), "expired")
        self.denied(sign(claims(exp=NOW)), "expired")  # no leeway on exp
        self.allowed(sign(claims(exp=NOW + 1)))

    def test_missing_or_non_numeric_exp(self):
        self.denied(sign(claims(exp=None)), "missing exp")
        self.denied(sign(claims(exp=str(NOW + 600))), "bad exp")
        self.denied(sign(claims(exp=True)), "bad exp")

    def test_nbf_in_the_future(self):
        self.denied(sign(claims(nbf=NOW + 60)), "not yet valid")
        self.denied(sign(claims(nbf=NOW + authorizer.LEEWAY_SECONDS + 1)), "not yet valid")
        self.allowed(sign(claims(nbf=NOW + authorizer.LEEWAY_SECONDS)))
        self.allowed(sign(claims(nbf=NOW - 60)))
        self.denied(sign(claims(nbf="soon")), "bad nbf")

    def test_iat_in_the_future(self):
        self.denied(sign(claims(iat=NOW + 60)), "issued in the future")
        self.allowed(sign(claims(iat=None)))

    def test_missing_subject(self):
        self.denied(sign(claims(sub=None)), "no subject")
        self.denied(sign(claims(sub="")), "no subject")

    # --- algorithm and signature ---------------------------------------------------

    def test_alg_none(self):
        for alg in ("none", "None", "NONE"):
            unsigned = f"{b64json({'alg': alg, 'kid': 'key-1'})}.{b64json(claims())}"
            self.denied(unsigned + ".", "malformed token")
            self.denied(unsigned + ".AAAA", "unsupported alg")
        self.assertEqual(self.idp.calls, [])

    def test_hs256_with_the_public_key_as_secret(self):
        pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        for secret in (pem, pem.strip()):
            signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': 'key-1'})}.{b64json(claims())}"
            mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
            self.denied(f"{signing_input}.{b64url(mac)}", "unsupported alg")
        self.assertEqual(self.idp.calls, [])

    def test_other_algorithms_refused(self):
        for alg in ("HS512", "ES256", "PS256", "RS1", ""):
            token = f"{b64json({'alg': alg, 'kid': 'key-1'})}.{b64json(claims())}.AAAA"
            self.denied(token, "unsupported alg")
        self.denied(f"{b64json({'kid': 'key-1'})}.{b64json(claims())}.AAAA", "unsupported alg")

    def test_tampered_payload(self):
        head, _, signature = sign(claims()).split(".")
        forged = f"{head}.{b64json(claims(sub='admin'))}.{signature}"
        self.denied(forged, "bad signature")

    def test_tampered_header(self):
        _, payload, signature = sign(claims()).split(".")
        forged = f"{b64json({'alg': 'RS256', 'kid': 'key-1', 'typ': 'at+jwt'})}.{payload}.{signature}"
        self.denied(forged, "bad signature")

    def test_signature_from_another_key(self):
        self.denied(sign(claims(), key=OTHER_KEY, kid="key-1"), "bad signature")

    def test_signature_of_the_wrong_length(self):
        head, payload, signature = sign(claims()).split(".")
        raw = base64.urlsafe_b64decode(signature + "==")
        self.denied(f"{head}.{payload}.{b64url(raw[1:])}", "bad signature")
        longer = b64url(bytes(1) + raw)
        self.denied(f"{head}.{payload}.{longer}", "bad signature")

    def test_short_key_refused(self):
        self.denied(sign(claims(), key=WEAK_KEY, kid="weak"), "weak key")
        self.assertEqual(len(self.idp.calls), 2)  # a known kid: no refetch

    def test_crit_header_refused(self):
        header = {"alg": "RS256", "kid": "key-1", "crit": ["exp"], "exp": 1}
        self.denied(sign(claims(), header=header), "unsupported header")

    def test_missing_kid(self):
        self.denied(sign(claims(), header={"alg": "RS256"}), "no kid")
        self.assertEqual(self.idp.calls, [])

    def test_malformed_tokens(self):
        good = sign(claims())
        head, payload, signature = good.split(".")
        duplicate = b64url(b'{"alg":"RS256","kid":"key-1","alg":"none"}')
        for token in (
            "abc",
            f"{head}.{payload}",
            f"{good}.extra",
            f"{head}..{signature}",
            f"{head}*.{payload}.{signature}",
            f"{head}=.{payload}.{signature}",
            f"{b64url(b'not json')}.{payload}.{signature}",
            f"{b64json(['alg', 'RS256'])}.{payload}.{signature}",
            f"{duplicate}.{payload}.{signature}",
            f"{b64url(bytes([0xff, 0xfe]))}.{payload}.{signature}",
            "x" * (authorizer.MAX_TOKEN_CHARS + 1),
        ):
            self.denied(token, "malformed token")

    def test_signed_payload_that_is_not_a_json_object(self):
        for body in (b"not json", b"[1, 2]", b'{"exp": NaN}'):
            signing_input = f"{b64json({'alg': 'RS256', 'kid': 'key-1'})}.{b64url(body)}"
            signature = KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
            self.denied(f"{signing_input}.{b64url(signature)}", "malformed token")

    def test_no_token(self):
        self.denied("", "no token", bearer=False)
        self.denied("Bearer   ", "no token", bearer=False)
        with self.assertLogs("jwt_authorizer") as logs, self.assertRaisesRegex(Exception, "^Unauthorized$"):
            authorizer.handler({"type": "TOKEN", "methodArn": METHOD_ARN}, None)
        self.assertEqual(logs.output, ["WARNING:jwt_authorizer:deny: no token"])

    def test_bad_method_arn(self):
        token = "Bearer " + sign(claims())
        for arn in (None, "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:execute-api:us-east-1:1:abc123", "nonsense"):
            with self.assertLogs("jwt_authorizer") as logs, self.assertRaisesRegex(Exception, "^Unauthorized$"):
                self.authorize(token, arn)
            self.assertEqual(logs.output, ["WARNING:jwt_authorizer:deny: bad methodArn"])

    # --- keys -------------------------------------------------------------------

    def test_discovery_then_key_set_with_the_timeout(self):
        os.environ["HTTP_TIMEOUT_SECONDS"] = "1.5"
        self.allowed(sign(claims()))
        self.assertEqual(self.idp.calls, [(DISCOVERY, 1.5), (JWKS_URI, 1.5)])

    def test_cache_reused_across_calls(self):
        for i in range(20):
            self.now = NOW + i * 100
            self.allowed(sign(claims(exp=NOW + 7200)))
        self.assertEqual(self.idp.count(DISCOVERY), 1)
        self.assertEqual(self.idp.count(JWKS_URI), 1)
        self.now = NOW + 3600  # JWKS_CACHE_SECONDS after the first fetch
        self.allowed(sign(claims(exp=NOW + 7200)))
        self.assertEqual(self.idp.count(DISCOVERY), 2)
        self.assertEqual(self.idp.count(JWKS_URI), 2)

    def test_unknown_kid_refetches_at_most_once_a_minute(self):
        self.allowed(sign(claims()))
        self.assertEqual(len(self.idp.calls), 2)
        self.now = NOW + 61
        self.denied(sign(claims(), key=ROTATED_KEY, kid="key-2"), "unknown kid")
        self.assertEqual(self.idp.count(DISCOVERY), 2)
        self.assertEqual(self.idp.count(JWKS_URI), 2)
        self.now = NOW + 90  # 29 s after the refetch
        self.denied(sign(claims(), key=ROTATED_KEY, kid="forged-kid"), "unknown kid")
        self.assertEqual(len(self.idp.calls), 4)
        # The issuer publishes a rotated key: seen on the next refetch.
        self.idp.documents[JWKS_URI]["keys"].append(jwk(ROTATED_KEY, "key-2"))
        self.now = NOW + 122
        self.allowed(sign(claims(), key=ROTATED_KEY, kid="key-2"))
        self.assertEqual(len(self.idp.calls), 6)
        self.allowed(sign(claims()))  # the earlier key is still there
        self.assertEqual(len(self.idp.calls), 6)

    def test_unknown_kid_right_after_the_first_fetch_does_not_refetch(self):
        self.denied(sign(claims(), key=ROTATED_KEY, kid="key-2"), "unknown kid")
        self.assertEqual(len(self.idp.calls), 2)

    def test_unusable_keys_are_ignored(self):
        enc = jwk(OTHER_KEY, "enc-key", use="enc")
        verify_only_not = jwk(OTHER_KEY, "wrap-key", key_ops=["wrapKey"])
        ec_key = {"kty": "EC", "kid": "ec-key", "crv": "P-256", "x": "AAAA", "y": "AAAA"}
        broken = {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"}
        self.idp.documents[JWKS_URI]["keys"] += [enc, verify_only_not, ec_key, broken]
        self.allowed(sign(claims()))
        for kid in ("enc-key", "wrap-key", "ec-key", "broken"):
            self.denied(sign(claims(), key=OTHER_KEY, kid=kid), "unknown kid")
        self.assertEqual(len(self.idp.calls), 2)

    def test_http_jwks_uri_refused(self):
        self.idp.documents[DISCOVERY]["jwks_uri"] = "http://idp.example.com/pool/.well-known/jwks.json"
        logs = self.denied(sign(claims()), "keys unavailable")
        self.assertIn("ERROR:jwt_authorizer:key discovery failed: jwks_uri is not an https URL", logs)
        self.assertEqual(self.idp.calls, [(DISCOVERY, 3.0)])

    def test_discovery_without_jwks_uri(self):
        del self.idp.documents[DISCOVERY]["jwks_uri"]
        self.denied(sign(claims()), "keys unavailable")
        self.assertEqual(len(self.idp.calls), 1)

    def test_fetch_error_is_unauthorized_and_backs_off(self):
        self.idp.error = urllib.error.URLError("connection refused")
        logs = self.denied(sign(claims()), "keys unavailable")
        self.assertIn("ERROR:jwt_authorizer:key discovery failed: URLError", logs)
        self.assertEqual(len(self.idp.calls), 1)
        self.now = NOW + authorizer.RETRY_AFTER_FAILURE_SECONDS - 1
        self.denied(sign(claims()), "keys unavailable")
        self.assertEqual(len(self.idp.calls), 1)  # not retried yet
        self.idp.error = None
        self.now = NOW + authorizer.RETRY_AFTER_FAILURE_SECONDS
        self.allowed(sign(claims()))
        self.assertEqual(len(self.idp.calls), 3)

    def test_timeout_is_unauthorized(self):
        self.idp.error = TimeoutError("timed out")
        self.denied(sign(claims()), "keys unavailable")

    # --- logging and configuration -----------------------------------------------

    def test_token_and_claims_never_logged(self):
        secret_sub = "sub-4111111111111111"
        tokens = [
            sign(claims(sub=secret_sub)),  # allowed
            sign(claims(sub=secret_sub, exp=NOW - 5)),  # expired
            sign(claims(sub=secret_sub), key=OTHER_KEY),  # bad signature
            sign(claims(sub=secret_sub), key=OTHER_KEY, kid="kid-" + secret_sub),  # unknown kid
        ]
        with self.assertLogs(level="DEBUG") as logs:  # the root logger: every record
            self.assertEqual(self.authorize("Bearer " + tokens[0])["principalId"], secret_sub)
            for token in tokens[1:]:
                with self.assertRaisesRegex(Exception, "^Unauthorized$"):
                    self.authorize("Bearer " + token)
            with mock.patch.object(authorizer, "_check_claims", side_effect=ValueError(tokens[0])):
                with self.assertRaisesRegex(Exception, "^Unauthorized$") as raised:
                    self.authorize("Bearer " + tokens[0])
        self.assertIsNone(raised.exception.__cause__)
        self.assertTrue(raised.exception.__suppress_context__)
        output = "\n".join(logs.output)
        self.assertIn("deny: expired", output)
        self.assertIn("deny: bad signature", output)
        self.assertIn("deny: unknown kid", output)
        self.assertIn("deny: internal error (ValueError)", output)
        for token in tokens:
            for piece in token.split("."):
                self.assertNotIn(piece, output)
        self.assertNotIn(secret_sub, output)

    def test_configuration_errors_are_not_unauthorized(self):
        token = "Bearer " + sign(claims())
        for name, value in (
            ("ISSUER", ""),
            ("ISSUER", "http://idp.example.com/pool"),
            ("ISSUER", "https://idp.example.com/pool?x=1"),
            ("ISSUER", "https://idp.example.com/pool#f"),
            ("AUDIENCE", ""),
            ("AUDIENCE", " , "),
            ("JWKS_CACHE_SECONDS", "hour"),
            ("HTTP_TIMEOUT_SECONDS", "0"),
        ):
            with mock.patch.dict(os.environ, {name: value}):
                with self.assertRaises(authorizer.ConfigError, msg=f"{name}={value!r}"):
                    self.authorize(token)
        with mock.patch.dict(os.environ):
            del os.environ["ISSUER"]
            with self.assertRaises(authorizer.ConfigError):
                self.authorize(token)
        self.assertEqual(self.idp.calls, [])

    def test_cache_is_per_issuer(self):
        self.allowed(sign(claims()))
        other = "https://login.example.org"
        os.environ["ISSUER"] = other
        self.idp.documents[other + "/.well-known/openid-configuration"] = {"jwks_uri": JWKS_URI}
        self.allowed(sign(claims(iss=other)))
        self.assertEqual(self.idp.count(other + "/.well-known/openid-configuration"), 1)


class FetchTest(unittest.TestCase):
    """The real fetch refuses anything but https, without touching the network."""

    def test_refuses_non_https_urls(self):
        for url in ("http://idp.example.com/jwks.json", "ftp://idp.example.com/x", "file:///etc/passwd", "https://"):
            with mock.patch.object(urllib.request.OpenerDirector, "open") as opened:
                with self.assertRaises(authorizer._KeySetError):
                    REAL_FETCH(url, 1)
                opened.assert_not_called()

    def test_redirects_only_to_https(self):
        redirect = authorizer._HttpsOnlyRedirect()
        request = urllib.request.Request("https://idp.example.com/pool/.well-known/openid-configuration")
        for target in ("http://idp.example.com/jwks.json", "HTTP://evil.example.com/x"):
            with self.assertRaises(authorizer._KeySetError):
                redirect.redirect_request(request, None, 302, "Found", {}, target)
        followed = redirect.redirect_request(request, None, 301, "Moved", {}, "https://keys.example.com/jwks.json")
        self.assertEqual(followed.full_url, "https://keys.example.com/jwks.json")

    def test_reads_json_over_https(self):
        class Response:
            def __init__(self, body):
                self.body = body

            def read(self, limit):
                return self.body[:limit]

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        with mock.patch.object(urllib.request.OpenerDirector, "open", return_value=Response(b'{"keys": []}')) as opened:
            self.assertEqual(REAL_FETCH("https://idp.example.com/jwks.json", 2.5), {"keys": []})
        request = opened.call_args.args[0]
        self.assertEqual(request.full_url, "https://idp.example.com/jwks.json")
        self.assertEqual(opened.call_args.kwargs, {"timeout": 2.5})
        big = b" " * (authorizer.MAX_DOCUMENT_BYTES + 1)
        with mock.patch.object(urllib.request.OpenerDirector, "open", return_value=Response(big)):
            with self.assertRaises(authorizer._KeySetError):
                REAL_FETCH("https://idp.example.com/jwks.json", 2.5)


class VerifyTest(unittest.TestCase):
    """The pure-Python RSASSA-PKCS1-v1_5 check against `cryptography`'s signatures."""

    def key(self, private_key):
        numbers = private_key.public_key().public_numbers()
        return (numbers.n, numbers.e, None)

    def test_accepts_exactly_the_signed_message(self):
        for alg, digest in HASHES.items():
            signature = KEY.sign(b"message", padding.PKCS1v15(), digest)
            authorizer._verify(alg, self.key(KEY), b"message", signature)
            with self.assertRaises(authorizer._Deny):
                authorizer._verify(alg, self.key(KEY), b"messagf", signature)
            with self.assertRaises(authorizer._Deny):
                authorizer._verify(alg, self.key(OTHER_KEY), b"message", signature)

    def test_pss_signature_refused(self):
        signature = KEY.sign(
            b"message", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
        )
        with self.assertRaises(authorizer._Deny) as raised:
            authorizer._verify("RS256", self.key(KEY), b"message", signature)
        self.assertEqual(raised.exception.reason, "bad signature")

    def test_digest_of_another_hash_refused(self):
        signature = KEY.sign(b"message", padding.PKCS1v15(), hashes.SHA512())
        with self.assertRaises(authorizer._Deny):
            authorizer._verify("RS256", self.key(KEY), b"message", signature)

    def test_signature_not_below_modulus_refused(self):
        n, e, _ = self.key(KEY)
        k = (n.bit_length() + 7) // 8
        with self.assertRaises(authorizer._Deny):
            authorizer._verify("RS256", (n, e, None), b"message", n.to_bytes(k, "big"))


if __name__ == "__main__":
    unittest.main()
