"""Shared fixtures for emulator tests: a running in-process Emulator and
botocore clients pointed at it."""

import json
import urllib.request

import botocore.config
import botocore.session
import pytest

from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator

REGION = "us-east-1"


@pytest.fixture(scope="session")
def emu_server():
    emu = Emulator(settings={"create_delay_s": 0.0, "modify_delay_s": 0.0, "delete_delay_s": 0.0})
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def emu(emu_server):
    """The shared emulator, reset (state, counts, faults, settings) for each test."""
    emu_server.reset()
    yield emu_server
    emu_server.reset()


_SESSION = botocore.session.get_session()


def make_client(emu, service, access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY,
                token=None, region=REGION, retries=0):
    cfg = botocore.config.Config(retries={"total_max_attempts": retries + 1, "mode": "standard"},
                                 connect_timeout=5, read_timeout=30)
    return _SESSION.create_client(service, endpoint_url=emu.endpoint, region_name=region,
                                  aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                  aws_session_token=token, config=cfg)


@pytest.fixture
def client(emu):
    """client("ec2") -> a botocore client for the emulator (no retries)."""
    return lambda service, **kw: make_client(emu, service, **kw)


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
    import http.client

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
    import http.client
    host, port = emu.endpoint.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()
