"""SigV4 verification using botocore's own signer.

The received request is rebuilt as a botocore AWSRequest containing exactly
the headers the client listed in SignedHeaders, and signed with
botocore.auth.SigV4Auth using the secret known for the access key and the
request's own X-Amz-Date; the signatures are then compared in constant time.
"""

import datetime
import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote, unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=15)

class AuthInfo:
    """What the client claims: parsed from the Authorization header or the
    presigned query parameters."""

    def __init__(self, access_key, date, region, service, signed_headers, signature,
                 amz_date, token, presigned=False, expires=None):
        self.access_key = access_key
        self.date = date
        self.region = region
        self.service = service
        self.signed_headers = signed_headers
        self.signature = signature
        self.amz_date = amz_date
        self.token = token
        self.presigned = presigned
        self.expires = expires


class AuthParseError(Exception):
    pass


def _header(headers, name):
    """Case-insensitive single header lookup (headers: list of (k, v))."""
    lname = name.lower()
    for k, v in headers:
        if k.lower() == lname:
            return v
    return None


def _split_scope(cred):
    parts = cred.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AuthParseError("Credential should be scoped to a valid region, "
                             "service and terminated with aws4_request")
    return parts


def parse_auth(headers, query_pairs):
    """Return AuthInfo, None if the request carries no SigV4 auth at all, or
    raise AuthParseError for a malformed Authorization header."""
    auth = _header(headers, "Authorization")
    if auth is not None:
        auth = auth.strip()
        if not auth.startswith(ALGORITHM + " "):
            raise AuthParseError("Unsupported authorization type")
        fields = {}
        for part in auth[len(ALGORITHM):].split(","):
            k, eq, v = part.strip().partition("=")
            if eq:
                fields[k] = v.strip()
        if not all(fields.get(k) for k in ("Credential", "SignedHeaders", "Signature")) or \
                not re.fullmatch(r"[0-9a-fA-F]+", fields["Signature"]):
            raise AuthParseError(
                "Authorization header requires 'Credential', 'Signature' and "
                "'SignedHeaders' parameters")
        ak, date, region, service, _ = _split_scope(fields["Credential"])
        return AuthInfo(ak, date, region, service, fields["SignedHeaders"].lower().split(";"),
                        fields["Signature"].lower(), _header(headers, "X-Amz-Date"),
                        _header(headers, "X-Amz-Security-Token"))
    q = dict(query_pairs)
    if "X-Amz-Algorithm" in q:
        if q["X-Amz-Algorithm"] != ALGORITHM:
            raise AuthParseError("Unsupported X-Amz-Algorithm")
        for need in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"):
            if need not in q:
                raise AuthParseError(f"Query-string authentication requires the {need} parameter")
        ak, date, region, service, _ = _split_scope(q["X-Amz-Credential"])
        expires = None
        if "X-Amz-Expires" in q:
            try:
                expires = int(q["X-Amz-Expires"])
            except ValueError:
                raise AuthParseError("X-Amz-Expires should be a number")
        return AuthInfo(ak, date, region, service, q["X-Amz-SignedHeaders"].lower().split(";"),
                        q["X-Amz-Signature"].lower(), q["X-Amz-Date"],
                        q.get("X-Amz-Security-Token"), presigned=True, expires=expires)
    return None


def parse_amz_date(value):
    try:
        return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


class _ListedHeadersSigV4(SigV4Auth):
    """SigV4Auth that signs exactly the headers the client listed (botocore's
    default drops a blacklist such as user-agent, which other clients may sign)."""

    def __init__(self, credentials, service, region, listed):
        super().__init__(credentials, service, region)
        self._listed = listed

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._listed:
            values = request.headers.get_all(name) or []
            for v in values:
                header_map[name] = v
        return header_map


def expected_signature(info, secret_key, method, raw_path, headers, body):
    """Compute the signature botocore would produce for this request.

    raw_path: the request target exactly as received (path + '?' + query).
    headers:  list of (name, value) as received.
    """
    creds = Credentials(info.access_key, secret_key, info.token)
    path, _, query = raw_path.partition("?")
    # Canonical query: every key and value percent-decoded then re-encoded
    # (RFC 3986 unreserved kept), sorted; the presigned signature excluded.
    params = []
    for part in query.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        k, v = unquote(k), unquote(v)
        if info.presigned and k == "X-Amz-Signature":
            continue
        params.append((k, v))
    url = "http://emulator" + path
    req = AWSRequest(method=method, url=url, data=body)
    req.params = params
    listed = set(info.signed_headers)
    for k, v in headers:
        if k.lower() in listed:
            # HTTPHeaders is an email.message.Message: item assignment appends,
            # so repeated headers are kept (SigV4 joins them with ',').
            req.headers[k.lower()] = v
    req.context["timestamp"] = info.amz_date
    signer = _ListedHeadersSigV4(creds, info.service, info.region, sorted(listed))
    canonical = signer.canonical_request(req)
    sts = signer.string_to_sign(req, canonical)
    return signer.signature(sts, req)


def signatures_equal(a, b):
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


def body_sha256(body):
    return hashlib.sha256(body).hexdigest()


__all__ = ["parse_auth", "expected_signature", "AuthInfo", "AuthParseError", "parse_amz_date",
           "MAX_SKEW", "signatures_equal", "body_sha256", "quote", "parse_qsl"]
