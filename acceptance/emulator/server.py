"""The local AWS emulator: HTTP server, routing, SigV4 verification, faults,
control endpoint.  See acceptance/emulator/README.md and
/work/notes/emulator-interface.md for the interface."""

import collections
import datetime
import email.utils
import importlib
import importlib.util
import json
import random
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import protocols, sigv4
from .errors import AwsError, not_implemented

DEFAULT_ACCESS_KEY = "AKIDEMULATOR00000000"
DEFAULT_SECRET_KEY = "emulator-secret-key"  # test-only credential
MAX_BODY = 16 * 1024 * 1024

SERVICE_NAMES = ["sts", "iam", "ec2", "kms", "elasticache", "secretsmanager", "logs", "ssm"]
# IAM is a global service signed for us-east-1; STS accepts the global
# (us-east-1) scope and the emulator's own region.
GLOBAL_SERVICES = {"iam": ("us-east-1",), "sts": ("us-east-1",)}

DEFAULT_SETTINGS = {
    "create_delay_s": 2.0,
    "modify_delay_s": 1.0,
    "delete_delay_s": 1.0,
    "clock_offset_s": 0.0,
}

# Operations AWS serves without SigV4 (botocore disables signing for them).
UNSIGNED_OPERATIONS = {("sts", "AssumeRoleWithWebIdentity"), ("sts", "AssumeRoleWithSAML")}

FAULT_ACTIONS = {"throttle", "error500", "error503", "latency", "drop", "error"}


class _DropConnection(Exception):
    """Fault 'drop': close the socket without answering."""


def _utc(ts):
    return ts.strftime("%Y%m%dT%H%M%SZ")


class _Server(ThreadingHTTPServer):
    """The listening server; with an ssl_context, every accepted connection
    is wrapped in TLS on its own handler thread, so a client that stalls or
    fails the handshake never holds up the accept loop."""

    daemon_threads = True
    ssl_context = None
    handshake_timeout_s = 10.0

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        request.settimeout(self.handshake_timeout_s)
        try:
            # wrap_socket detaches `request`; the TLS socket is closed here.
            conn = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            # The client refused our certificate, spoke plain HTTP, or left:
            # the client reports it; nothing to answer.
            return
        try:
            conn.settimeout(None)
            super().finish_request(conn, client_address)
        finally:
            try:
                conn.close()
            except OSError:
                pass


def tls_context(cert_file, key_file):
    """A server TLS context (TLS 1.2 or later) with this PEM certificate
    chain and key; raises OSError/ssl.SSLError when they cannot be loaded."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_file, key_file)
    return ctx


class Emulator:
    """In-process emulator. ``start()`` serves on a background thread.

    tls_cert/tls_key (PEM file paths, both or neither): serve HTTPS instead
    of plain HTTP; ``endpoint`` is then https://host:port."""

    def __init__(self, access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY,
                 region="us-east-1", settings=None, port=0, seed=1, host="127.0.0.1",
                 account_id="123456789012", user_name="emulator", verbose=False,
                 tls_cert=None, tls_key=None):
        if (tls_cert is None) != (tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.region = region
        self.account_id = account_id
        self.partition = "aws"
        self.host = host
        self.port = port
        self.seed = seed
        self.verbose = verbose
        self.user_name = user_name
        self.lock = threading.RLock()
        self._access_key = access_key
        self._secret_key = secret_key
        self._base_settings = dict(DEFAULT_SETTINGS)
        self._base_settings.update(settings or {})
        self._tls = threading.local()
        self._server = None
        self._thread = None
        self._models = {}
        self._available = [n for n in SERVICE_NAMES if self._module_exists(n)]
        self.reset()

    # ---- state -------------------------------------------------------
    @staticmethod
    def _module_exists(name):
        return importlib.util.find_spec(f"acceptance.emulator.services.{name}") is not None

    def reset(self):
        with self.lock:
            self.settings = dict(self._base_settings)
            self._rng = random.Random(self.seed)
            self._fault_rng = random.Random(self.seed + 1)
            self._faults = []
            self._fault_seq = 0
            self.counts = collections.Counter()
            self.log = collections.deque(maxlen=1000)
            self._creds = {
                self._access_key: {
                    "secret": self._secret_key, "token": None, "expiration": None,
                    "identity": self.configured_identity(),
                }
            }
            self._services = {}
            for name in self._available:
                mod = importlib.import_module(f"acceptance.emulator.services.{name}")
                self._services[name] = mod.Service(self)

    def configured_identity(self):
        return {
            "Arn": f"arn:{self.partition}:iam::{self.account_id}:user/{self.user_name}",
            "UserId": "AIDA" + "EMULATOR" + "0" * 9,  # 21 chars like AWS user ids
            "Account": self.account_id,
        }

    # ---- API for services -------------------------------------------
    def now(self):
        return (datetime.datetime.now(datetime.timezone.utc)
                + datetime.timedelta(seconds=float(self.settings.get("clock_offset_s", 0) or 0)))

    def new_id(self, prefix, n_hex=17):
        with self.lock:
            return prefix + "".join(self._rng.choice("0123456789abcdef") for _ in range(n_hex))

    def random_string(self, n, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
        with self.lock:
            return "".join(self._rng.choice(alphabet) for _ in range(n))

    def random_bytes(self, n):
        with self.lock:
            return bytes(self._rng.getrandbits(8) for _ in range(n))

    @staticmethod
    def request_id():
        return str(uuid.uuid4())

    def service(self, name):
        return self._services.get(name)

    def users_of(self, kind, ident):
        out = []
        for svc in self._services.values():
            fn = getattr(svc, "uses", None)
            if fn is not None:
                out.extend(fn(kind, ident) or [])
        return out

    def register_credentials(self, access_key, secret_key, token, expiration, identity):
        """Used by the STS service for temporary credentials."""
        with self.lock:
            self._creds[access_key] = {"secret": secret_key, "token": token,
                                       "expiration": expiration, "identity": identity}

    def caller(self):
        """Identity (Arn, UserId, Account) of the credentials of the request
        being handled on this thread."""
        return getattr(self._tls, "identity", None) or self.configured_identity()

    def resources(self):
        out = {}
        with self.lock:
            for name, svc in self._services.items():
                out[name] = list(svc.resources())
        return out

    # ---- faults ------------------------------------------------------
    def add_fault(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("fault must be a JSON object")
        action = spec.get("action")
        if action not in FAULT_ACTIONS:
            raise ValueError(f"action must be one of {sorted(FAULT_ACTIONS)}")
        service = spec.get("service", "*")
        if service != "*" and service not in SERVICE_NAMES:
            raise ValueError(f"unknown service {service!r}")
        operation = spec.get("operation", "*")
        if not isinstance(operation, str):
            raise ValueError("operation must be a string")
        if service != "*" and operation != "*":
            if operation not in self.model(service).operation_names:
                raise ValueError(f"{service} has no operation {operation!r}")
        rate = spec.get("rate")
        nth = spec.get("nth")
        if rate is not None and (not isinstance(rate, (int, float)) or not 0 <= rate <= 1):
            raise ValueError("rate must be a number in [0, 1]")
        if nth is not None and (not isinstance(nth, int) or isinstance(nth, bool) or nth < 1):
            raise ValueError("nth must be a positive integer")
        if rate is not None and nth is not None:
            raise ValueError("give rate or nth, not both")
        times = spec.get("times", 1 if nth is not None else None)
        if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
            raise ValueError("times must be a positive integer")
        status = spec.get("status", 400)
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400..599)")
        if action == "error" and not isinstance(spec.get("code"), str):
            raise ValueError("action=error needs a string 'code'")
        latency = spec.get("latency_ms", 0)
        if not isinstance(latency, (int, float)) or latency < 0 or latency > 600000:
            raise ValueError("latency_ms must be a number in [0, 600000]")
        with self.lock:
            self._fault_seq += 1
            fault = {
                "id": f"f{self._fault_seq}", "service": service, "operation": operation,
                "action": action, "code": spec.get("code"),
                "message": str(spec.get("message", spec.get("code") or "")),
                "status": status, "latency_ms": latency, "rate": rate, "nth": nth,
                "times": times, "fired": 0, "seen": 0,
            }
            self._faults.append(fault)
            return fault["id"]

    def clear_faults(self):
        with self.lock:
            self._faults = []

    def _decide_faults(self, service, operation):
        """Return (latency_s, fault-or-None) for this request."""
        latency = 0.0
        chosen = None
        with self.lock:
            for f in self._faults:
                if f["service"] not in ("*", service) or f["operation"] not in ("*", operation):
                    continue
                if f["times"] is not None and f["fired"] >= f["times"]:
                    continue
                f["seen"] += 1
                if f["nth"] is not None:
                    fire = f["seen"] % f["nth"] == 0
                elif f["rate"] is not None:
                    fire = self._fault_rng.random() < f["rate"]
                else:
                    fire = True
                if not fire:
                    continue
                if f["action"] == "latency":
                    f["fired"] += 1
                    latency += f["latency_ms"] / 1000.0
                    continue
                if chosen is None:
                    f["fired"] += 1
                    chosen = f
        return latency, chosen

    # ---- models ------------------------------------------------------
    def model(self, name):
        m = self._models.get(name)
        if m is None:
            m = protocols.service_model(name)
            self._models[name] = m
        return m

    # ---- server lifecycle -------------------------------------------
    @property
    def endpoint(self):
        scheme = "https" if self.tls_cert else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def start(self):
        # Load the models up front so the first request is not slow.
        for name in self._available:
            self.model(name)
        handler = type("BoundHandler", (_Handler,), {"emu": self})
        ctx = tls_context(self.tls_cert, self.tls_key) if self.tls_cert else None
        self._server = _Server((self.host, self.port), handler)
        self._server.ssl_context = ctx
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="aws-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.start()
        self._thread.join()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- request processing -----------------------------------------
    def _record(self, service, operation, status, code, request_id=None):
        with self.lock:
            if service and operation:
                self.counts[f"{service}:{operation}"] += 1
            entry = {"service": service, "operation": operation, "status": status, "code": code,
                     "request_id": request_id}
            self.log.append(entry)
        if self.verbose:
            print(f"emulator: {service}:{operation} -> {status} {code or ''} [{request_id}]",
                  file=sys.stderr, flush=True)

    def handle_aws(self, method, raw_path, headers, body):
        """Process one AWS API request. Returns (status, content_type, body,
        extra_headers) or raises _DropConnection."""
        rid = self.request_id()
        split = urlsplit(raw_path)
        try:
            query_pairs = parse_qsl(split.query, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            query_pairs = []
        target = sigv4._header(headers, "X-Amz-Target")
        service = None
        protocol = "json" if target else "query"
        namespace = ""
        operation = None
        try:
            try:
                info = sigv4.parse_auth(headers, query_pairs)
            except sigv4.AuthParseError as e:
                info = None
                auth_error = str(e)
            else:
                auth_error = None
            if info is None and auth_error is None and not target:
                # Unsigned query requests: only operations AWS serves without
                # auth (STS AssumeRoleWithWebIdentity/SAML) are routed.
                if self._unsigned_action(method, query_pairs, body) is not None:
                    service = "sts"
                    protocol = "query"
                    namespace = self.model("sts").metadata.get("xmlNamespace", "")
            if info is not None:
                service = info.service
                if service in self._services:
                    model = self.model(service)
                    protocol = model.metadata["protocol"]
                    namespace = model.metadata.get("xmlNamespace", "")
            # Operation name (needed for counting even when auth fails).
            op_model, params_pairs, early = self._operation(service, protocol, method,
                                                            target, query_pairs, body)
            if op_model is not None:
                operation = op_model.name
            if auth_error is not None:
                raise _auth_error(protocol, "incomplete", auth_error)
            unsigned_ok = info is None and (service, operation) in UNSIGNED_OPERATIONS
            if info is None and not unsigned_ok:
                raise _auth_error(protocol, "missing")
            if service not in self._services:
                raise AwsError("InvalidAction" if protocol != "json" else "UnknownOperationException",
                               f"The emulator does not implement service {service}")
            if info is not None:
                self._authenticate(info, protocol, service, method, raw_path, headers, body)
            if early is not None:
                raise early
            latency, fault = self._decide_faults(service, operation)
            if latency:
                time.sleep(latency)
            if fault is not None:
                self._raise_fault(fault, protocol)
            if protocol == "json":
                params = protocols.parse_json_params(body, op_model)
            else:
                params = protocols.parse_query_params(params_pairs, op_model, protocol == "ec2")
            svc = self._services[service]
            fn = getattr(svc, f"op_{operation}", None)
            if fn is None:
                raise not_implemented(service, operation, protocol)
            with self.lock:
                self._tls.identity = (self._creds[info.access_key]["identity"]
                                      if info is not None else None)
                try:
                    result = fn(params)
                finally:
                    self._tls.identity = None
            if protocol == "json":
                out = protocols.serialize_json_response(op_model, result)
                ctype = "application/x-amz-json-1.1"
            elif protocol == "ec2":
                out = protocols.serialize_ec2_response(op_model, result, rid)
                ctype = "text/xml;charset=UTF-8"
            else:
                out = protocols.serialize_query_response(op_model, result, rid)
                ctype = "text/xml"
            self._record(service, operation, 200, None, rid)
            return 200, ctype, out, {"x-amzn-RequestId": rid}
        except _DropConnection:
            self._record(service, operation, 0, "drop", rid)
            raise
        except protocols.ParamErrors as pe:
            err = protocols.render_param_errors(service, protocol, pe.problems)
        except AwsError as e:
            err = e
        except protocols.SerializationError as e:
            print(f"emulator: handler {service}:{operation} returned a result that does not fit "
                  f"the output shape: {e}", file=sys.stderr, flush=True)
            err = _internal(protocol)
        except Exception:  # never leak a traceback to the client
            print(f"emulator: internal error in {service}:{operation}:\n{traceback.format_exc()}",
                  file=sys.stderr, flush=True)
            err = _internal(protocol)
        ctype, out = protocols.serialize_error(protocol, namespace, err, rid)
        self._record(service, operation, err.status, err.code, rid)
        return err.status, ctype, out, {"x-amzn-RequestId": rid}

    def _unsigned_action(self, method, query_pairs, body):
        pairs = list(query_pairs)
        if method == "POST" and body:
            try:
                pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
            except (UnicodeDecodeError, ValueError):
                return None
        for k, v in pairs:
            if k == "Action" and ("sts", v) in UNSIGNED_OPERATIONS:
                return v
        return None

    def _operation(self, service, protocol, method, target, query_pairs, body):
        """Find the operation. Returns (op_model|None, form pairs, AwsError|None)."""
        if protocol == "json":
            if method != "POST":
                return None, None, AwsError("UnknownOperationException", "", 400)
            if service not in self._services:
                return None, None, None
            model = self.model(service)
            prefix = model.metadata.get("targetPrefix", "")
            t_prefix, _, op = (target or "").partition(".")
            if t_prefix != prefix or op not in model.operation_names:
                return None, None, AwsError("UnknownOperationException", "", 400)
            return model.operation_model(op), None, None
        pairs = [p for p in query_pairs if not p[0].startswith("X-Amz-")]
        if method == "POST" and body:
            try:
                text = body.decode("utf-8")
                pairs += parse_qsl(text, keep_blank_values=True, errors="strict")
            except (UnicodeDecodeError, ValueError):
                return None, None, AwsError(
                    "MalformedQueryString" if protocol == "query" else "InvalidParameterValue",
                    "The request body is not valid UTF-8 form-urlencoded data")
        elif method not in ("GET", "POST"):
            return None, None, AwsError("InvalidAction" if protocol == "query" else "InvalidAction",
                                        f"HTTP method {method} is not supported")
        action = None
        version = None
        rest = []
        for k, v in pairs:
            if k == "Action":
                action = v
            elif k == "Version":
                version = v
            else:
                rest.append((k, v))
        if service not in self._services:
            return None, rest, None
        model = self.model(service)
        if not action:
            return None, rest, AwsError("MissingAction", "Missing Action")
        if action not in model.operation_names:
            if protocol == "ec2":
                return None, rest, AwsError("InvalidAction",
                                            f"The action {action} is not valid for this web service.")
            return None, rest, AwsError("InvalidAction",
                                        f"Could not find operation {action} for version "
                                        f"{version or model.api_version}")
        if version is not None and version != model.api_version and protocol == "query":
            return None, rest, AwsError("InvalidAction",
                                        f"Could not find operation {action} for version {version}")
        return model.operation_model(action), rest, None

    def _authenticate(self, info, protocol, service, method, raw_path, headers, body):
        with self.lock:
            cred = self._creds.get(info.access_key)
        if cred is None:
            raise _auth_error(protocol, "unknown_key")
        if cred["token"] is None:
            if info.token:
                raise _auth_error(protocol, "unknown_key")
        elif not info.token or not sigv4.signatures_equal(info.token, cred["token"]):
            raise _auth_error(protocol, "unknown_key")
        amz = sigv4.parse_amz_date(info.amz_date)
        if amz is None:
            raise _auth_error(protocol, "incomplete",
                              "Authorization header requires existence of either a 'X-Amz-Date' "
                              "or a 'Date' header.")
        if info.date != info.amz_date[:8]:
            raise _auth_error(protocol, "mismatch_text",
                              f"Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                              f"version of date from HTTP: '{info.date}' != '{info.amz_date[:8]}', "
                              f"from '{info.amz_date}'.")
        allowed = GLOBAL_SERVICES.get(service, ()) + (self.region,)
        if service == "iam":
            allowed = ("us-east-1",)
        if info.region not in allowed:
            raise _auth_error(protocol, "mismatch_text",
                              f"Credential should be scoped to a valid region, not '{info.region}'. ")
        missing_signed = "host" not in info.signed_headers
        if missing_signed:
            raise _auth_error(protocol, "mismatch")
        expected = sigv4.expected_signature(info, cred["secret"], method, raw_path, headers, body)
        if not sigv4.signatures_equal(expected, info.signature):
            raise _auth_error(protocol, "mismatch")
        declared = sigv4._header(headers, "X-Amz-Content-SHA256")
        if declared is not None and declared != "UNSIGNED-PAYLOAD" \
                and declared.lower() != sigv4.body_sha256(body):
            raise _auth_error(protocol, "mismatch_text",
                              "The provided 'x-amz-content-sha256' header does not match what "
                              "was computed.")
        now = self.now()
        if info.presigned and info.expires is not None:
            if now > amz + datetime.timedelta(seconds=info.expires):
                raise _auth_error(protocol, "expired",
                                  f"Signature expired: {info.amz_date} is now earlier than "
                                  f"{_utc(now - datetime.timedelta(seconds=info.expires))}")
        if amz < now - sigv4.MAX_SKEW:
            raise _auth_error(protocol, "expired",
                              f"Signature expired: {info.amz_date} is now earlier than "
                              f"{_utc(now - sigv4.MAX_SKEW)} ({_utc(now)} - 15 min.)")
        if amz > now + sigv4.MAX_SKEW:
            raise _auth_error(protocol, "expired",
                              f"Signature not yet current: {info.amz_date} is still later than "
                              f"{_utc(now + sigv4.MAX_SKEW)} ({_utc(now)} + 15 min.)")
        if cred["expiration"] is not None and now >= cred["expiration"]:
            raise _auth_error(protocol, "expired_token")

    def _raise_fault(self, fault, protocol):
        action = fault["action"]
        if action == "drop":
            raise _DropConnection()
        if action == "throttle":
            if protocol == "ec2":
                raise AwsError("RequestLimitExceeded", "Request limit exceeded.", 503, sender=False)
            if protocol == "json":
                raise AwsError("ThrottlingException", "Rate exceeded", 400)
            raise AwsError("Throttling", "Rate exceeded", 400)
        if action == "error500":
            raise _internal(protocol)
        if action == "error503":
            if protocol == "ec2":
                raise AwsError("Unavailable", "The server is overloaded and can't handle the request.",
                               503, sender=False)
            raise AwsError("ServiceUnavailable", "Service is unavailable", 503, sender=False)
        if action == "error":
            raise AwsError(fault["code"], fault["message"], fault["status"],
                           sender=fault["status"] < 500)


def _internal(protocol):
    if protocol == "ec2":
        return AwsError("InternalError", "An internal error has occurred", 500, sender=False)
    return AwsError("InternalFailure", "An internal error has occurred", 500, sender=False)


_SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                 "Check your AWS Secret Access Key and signing method. "
                 "Consult the service documentation for details.")


def _auth_error(protocol, kind, text=None):
    """Authentication failures as each protocol family reports them.

    query (sts, iam, elasticache): 403 with codes MissingAuthenticationToken,
        InvalidClientTokenId, SignatureDoesNotMatch (also for clock skew,
        "Signature expired: ..."), ExpiredToken, IncompleteSignature.
    json (kms, secretsmanager, logs, ssm): 400 with the *Exception suffixed
        codes: MissingAuthenticationTokenException, UnrecognizedClientException,
        InvalidSignatureException (mismatch and clock skew), ExpiredTokenException,
        IncompleteSignatureException.
    ec2: 401 AuthFailure for unknown keys / bad signatures, 401
        MissingAuthenticationToken, 400 RequestExpired for clock skew and
        expired session credentials.
    """
    if protocol == "json":
        table = {
            "missing": ("MissingAuthenticationTokenException", "Missing Authentication Token", 400),
            "incomplete": ("IncompleteSignatureException", text, 400),
            "unknown_key": ("UnrecognizedClientException",
                            "The security token included in the request is invalid.", 400),
            "mismatch": ("InvalidSignatureException", _SIG_MISMATCH, 400),
            "mismatch_text": ("InvalidSignatureException", text, 400),
            "expired": ("InvalidSignatureException", text, 400),
            "expired_token": ("ExpiredTokenException",
                              "The security token included in the request is expired", 400),
        }
    elif protocol == "ec2":
        table = {
            "missing": ("MissingAuthenticationToken",
                        "The request must contain either a valid (registered) AWS access key ID "
                        "or X.509 certificate.", 401),
            "incomplete": ("IncompleteSignature", text, 400),
            "unknown_key": ("AuthFailure",
                            "AWS was not able to validate the provided access credentials", 401),
            "mismatch": ("AuthFailure",
                         "AWS was not able to validate the provided access credentials", 401),
            "mismatch_text": ("AuthFailure",
                              "AWS was not able to validate the provided access credentials", 401),
            "expired": ("RequestExpired", "Request has expired.", 400),
            "expired_token": ("RequestExpired", "Request has expired.", 400),
        }
    else:
        table = {
            "missing": ("MissingAuthenticationToken", "Request is missing Authentication Token", 403),
            "incomplete": ("IncompleteSignature", text, 403),
            "unknown_key": ("InvalidClientTokenId",
                            "The security token included in the request is invalid.", 403),
            "mismatch": ("SignatureDoesNotMatch", _SIG_MISMATCH, 403),
            "mismatch_text": ("SignatureDoesNotMatch", text, 403),
            "expired": ("SignatureDoesNotMatch", text, 403),
            "expired_token": ("ExpiredToken",
                              "The security token included in the request is expired", 403),
        }
    code, msg, status = table[kind]
    return AwsError(code, msg, status)


class _BodyTooLarge(Exception):
    pass


class _BadRequest(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive
    # client's delayed ACK stalls every response by ~40 ms.
    disable_nagle_algorithm = True
    server_version = "AmazonEmulator"
    # A client that stalls (idle keep-alive, short body) frees its thread after this.
    timeout = 300

    def version_string(self):
        return self.server_version
    emu = None  # set on the bound subclass

    def date_time_string(self, timestamp=None):
        # The Date header follows the emulator's clock (clock_offset_s), which
        # is what clients use to estimate and correct their clock skew.
        if timestamp is None:
            timestamp = self.emu.now().timestamp()
        return email.utils.formatdate(timestamp, usegmt=True)

    def log_message(self, fmt, *args):  # request lines can hold presigned tokens: never log
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise _BadRequest("truncated chunked body")
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise _BadRequest("bad chunk size")
                if size == 0:
                    while True:
                        trailer = self.rfile.readline(8192)
                        if trailer in (b"\r\n", b"\n", b""):
                            break
                    break
                total += size
                if total > MAX_BODY:
                    raise _BodyTooLarge()
                data = self.rfile.read(size)
                if len(data) != size:
                    raise _BadRequest("truncated chunk")
                chunks.append(data)
                self.rfile.readline(8)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise _BadRequest("bad Content-Length")
        if n < 0:
            raise _BadRequest("bad Content-Length")
        if n > MAX_BODY:
            raise _BodyTooLarge()
        data = self.rfile.read(n)
        if len(data) != n:
            raise _BadRequest("truncated body")
        return data

    def _send(self, status, ctype, body, extra=None, close=False):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self):
        try:
            body = self._read_body()
        except _BodyTooLarge:
            err = AwsError("RequestEntityTooLarge", "Request body exceeds the 16 MiB limit", 413)
            ctype, out = protocols.serialize_error("query", "", err, self.emu.request_id())
            self._send(413, ctype, out, close=True)
            return
        except _BadRequest as e:
            err = AwsError("MalformedInput", str(e), 400)
            ctype, out = protocols.serialize_error("query", "", err, self.emu.request_id())
            self._send(400, ctype, out, close=True)
            return
        path = self.path
        if path.startswith("/_emulator/") or path == "/_emulator":
            self._control(path, body)
            return
        headers = list(self.headers.items())
        try:
            status, ctype, out, extra = self.emu.handle_aws(self.command, path, headers, body)
        except _DropConnection:
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(status, ctype, out, extra)

    def _json(self, status, obj):
        self._send(status, "application/json", json.dumps(obj).encode("utf-8"))

    def _control(self, path, body):
        emu = self.emu
        route = urlsplit(path).path.rstrip("/")
        method = self.command
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (UnicodeDecodeError, ValueError):
            self._json(400, {"error": "body must be JSON"})
            return
        try:
            if route == "/_emulator/health" and method == "GET":
                return self._json(200, {"ok": True})
            if route == "/_emulator/resources" and method == "GET":
                return self._json(200, emu.resources())
            if route == "/_emulator/counts" and method == "GET":
                with emu.lock:
                    return self._json(200, dict(emu.counts))
            if route == "/_emulator/log" and method == "GET":
                with emu.lock:
                    return self._json(200, list(emu.log))
            if route == "/_emulator/reset" and method == "POST":
                emu.reset()
                return self._json(200, {"ok": True})
            if route == "/_emulator/settings" and method == "POST":
                if not isinstance(data, dict):
                    return self._json(400, {"error": "settings must be a JSON object"})
                for k, v in data.items():
                    if k.endswith("_s") and \
                            (isinstance(v, bool) or not isinstance(v, (int, float))):
                        return self._json(400, {"error": f"setting {k} must be a number"})
                with emu.lock:
                    emu.settings.update(data)
                    return self._json(200, dict(emu.settings))
            if route == "/_emulator/settings" and method == "GET":
                with emu.lock:
                    return self._json(200, dict(emu.settings))
            if route == "/_emulator/faults" and method == "POST":
                try:
                    fid = emu.add_fault(data)
                except ValueError as e:
                    return self._json(400, {"error": str(e)})
                return self._json(200, {"id": fid})
            if route == "/_emulator/faults" and method == "DELETE":
                emu.clear_faults()
                return self._json(200, {"ok": True})
            if route == "/_emulator/faults" and method == "GET":
                with emu.lock:
                    return self._json(200, [dict(f) for f in emu._faults])
            return self._json(404, {"error": f"no control route {method} {route}"})
        except Exception:
            print(f"emulator: control error:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            return self._json(500, {"error": "internal error"})

    do_GET = _dispatch
    do_POST = _dispatch
    do_PUT = _dispatch
    do_DELETE = _dispatch
    do_HEAD = _dispatch
    do_PATCH = _dispatch
