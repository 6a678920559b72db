"""The emulator's optional TLS (--tls-cert/--tls-key, Emulator(tls_cert=,
tls_key=)): HTTPS with the given certificate, plain HTTP still the default,
and clients that fail the handshake never stop it serving."""

import os
import signal
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import botocore.session
import pytest

from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator
from acceptance.emulator.testpki import make_ca, make_server_cert, pem, write_server

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("emu-pki")
    ca, ca_key = make_ca("emulator test CA")
    (d / "ca.pem").write_bytes(pem(ca))
    cert, key = write_server(d, "server", *make_server_cert(ca, ca_key, ["localhost"], ["127.0.0.1"]))
    return {"ca": str(d / "ca.pem"), "cert": cert, "key": key, "dir": d}


@pytest.fixture(scope="module")
def tls_emu(pki):
    e = Emulator(tls_cert=pki["cert"], tls_key=pki["key"]).start()
    yield e
    e.stop()


def health(endpoint, cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(endpoint + "/_emulator/health", context=ctx, timeout=10) as r:
        return r.status


def test_plain_http_is_still_the_default():
    e = Emulator().start()
    try:
        assert e.endpoint.startswith("http://127.0.0.1:")
    finally:
        e.stop()


def test_https_with_the_given_certificate(tls_emu, pki):
    assert tls_emu.endpoint.startswith("https://127.0.0.1:")
    assert health(tls_emu.endpoint, pki["ca"]) == 200
    sts = botocore.session.get_session().create_client(
        "sts", endpoint_url=tls_emu.endpoint, region_name="us-east-1", verify=pki["ca"],
        aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY)
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_failed_handshakes_do_not_stop_it(tls_emu, pki):
    host, port = "127.0.0.1", tls_emu.port
    # A client that does not trust the certificate.
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        health(tls_emu.endpoint, None)
    # Plain HTTP on the TLS port.
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            s.recv(100)
        except OSError:
            pass
    # A client that connects and says nothing, left open meanwhile.
    idle = socket.create_connection((host, port), timeout=5)
    try:
        assert health(tls_emu.endpoint, pki["ca"]) == 200
    finally:
        idle.close()


def test_command_line_tls(pki):
    proc = subprocess.Popen([sys.executable, "-m", "acceptance.emulator", "--port", "0",
                             "--tls-cert", pki["cert"], "--tls-key", pki["key"]],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("EMULATOR_ENDPOINT=https://127.0.0.1:"), line
        assert health(line.split("=", 1)[1], pki["ca"]) == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0


@pytest.mark.parametrize("args, status, message", [
    (["--tls-cert", "{cert}"], 2, "--tls-cert and --tls-key go together"),
    (["--tls-cert", "{dir}/missing.pem", "--tls-key", "{key}"], 1, "cannot load --tls-cert"),
    (["--tls-cert", "{key}", "--tls-key", "{key}"], 1, "cannot load --tls-cert"),
])
def test_command_line_refuses_bad_tls_files(pki, args, status, message):
    args = [a.format(**pki) for a in args]
    res = subprocess.run([sys.executable, "-m", "acceptance.emulator", "--port", "0", *args],
                         cwd=REPO, capture_output=True, text=True, timeout=30)
    assert res.returncode == status, res.stderr
    assert message in res.stderr
    assert res.stdout == ""
