"""Helpers for emulator tests: botocore clients, raw signed requests and the
control endpoint. (A uniquely named module, so tests import it unambiguously
even when several test folders with their own conftest.py are collected.)"""

import http.client
import json
import os
import sys
import urllib.error
import urllib.request

import botocore.config
import botocore.session

_REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY  # noqa: E402

REGION = "us-east-1"


_SESSION = botocore.session.get_session()


def make_client(emu, service, access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY,
                token=None, region=REGION, retries=0):
    cfg = botocore.config.Config(retries={"total_max_attempts": retries + 1, "mode": "standard"},
                                 connect_timeout=5, read_timeout=30)
    return _SESSION.create_client(service, endpoint_url=emu.endpoint, region_name=region,
                                  aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                  aws_session_token=token, config=cfg)


def control(emu, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(emu.endpoint + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def signed_raw(emu, service, body=b"", headers=None, method="POST", path="/",
               access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY, token=None,
               when=None, region=REGION, tamper=None):
    """Send a raw SigV4-signed request (signed with botocore at time `when`,
    default now). Returns (status, headers dict, body bytes).
    tamper(headers_dict, body) -> (headers, body) alters the request after signing."""
    import datetime

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    when = when or datetime.datetime.now(datetime.timezone.utc)
    host = emu.endpoint.split("//", 1)[1]
    req = AWSRequest(method=method, url=emu.endpoint + path, data=body,
                     headers=dict(headers or {}))
    req.headers["Host"] = host

    class _At(SigV4Auth):
        def add_auth(self, request):
            request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
            self._modify_request_before_signing(request)
            cr = self.canonical_request(request)
            sts = self.string_to_sign(request, cr)
            self._inject_signature_to_request(request, self.signature(sts, request))

    _At(Credentials(access_key, secret_key, token), service, region).add_auth(req)
    hdrs = {k: v for k, v in req.headers.items()}
    data = body
    if tamper is not None:
        hdrs, data = tamper(hdrs, data)
    return raw(emu, method, path, data, hdrs)


def raw(emu, method, path, body=b"", headers=None):
    host, port = emu.endpoint.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()

