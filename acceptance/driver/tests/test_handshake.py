"""go-plugin handshake, mTLS and process-lifecycle tests for the provider.

The first group checks the driver itself (certificate, handshake parser,
environment) and needs no provider. The rest start the real provider binary
(fixture ``provider_binary``) the way Terraform does and check what
Terraform relies on. Where the expected behaviour is go-plugin's, the test
says so; where it is this project's own contract (TF_PLUGIN_TCP, parent-death
exit, SIGTERM), it says that too.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from acceptance.driver import certs, plugin
from acceptance.driver.plugin import HandshakeError, start_provider

REPO_ROOT = Path(__file__).resolve().parents[3]
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
LEVELS = {"trace", "debug", "info", "warn", "error"}
REATTACH_RE = re.compile(r"TF_REATTACH_PROVIDERS='(\{.*\})'")
PROVIDER_ADDRESS = "registry.terraform.io/secure-iac/secure"
# go-plugin Client.Kill: after GRPCClient.Close (Shutdown RPC) it waits 2 s for
# the process, then kills it (which would leave the unix socket behind).
GRACEFUL_EXIT_S = 2.0

grpc = pytest.importorskip("grpc")
plugin.stubs_path()
import grpc_broker_pb2_grpc  # noqa: E402
import grpc_controller_pb2  # noqa: E402
import grpc_controller_pb2_grpc  # noqa: E402
import grpc_health_v1_pb2  # noqa: E402
import grpc_health_v1_pb2_grpc  # noqa: E402
import tfplugin6_pb2  # noqa: E402
import grpc_stdio_pb2_grpc  # noqa: E402
import tfplugin6_pb2_grpc  # noqa: E402
from google.protobuf import empty_pb2  # noqa: E402


# ---------------------------------------------------------------- helpers


def assert_go_plugin_cert(cert: x509.Certificate, curve: str = "secp521r1") -> None:
    """What go-plugin's generateCert (mtls.go) produces (P-521 there; the
    provider's server key is P-256, see provider/tls.c)."""
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "HashiCorp"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert cert.subject == name, cert.subject.rfc4514_string()
    assert cert.issuer == cert.subject, "must be self-signed"
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == curve
    # self-signature verifies
    key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    assert 0 < cert.serial_number < (1 << 128)

    bc = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
    assert bc.critical and bc.value.ca is True
    ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    assert ku.critical
    assert ku.value.digital_signature and ku.value.key_encipherment
    assert ku.value.key_agreement and ku.value.key_cert_sign
    assert not (ku.value.content_commitment or ku.value.data_encipherment or ku.value.crl_sign)
    eku = cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert set(eku.value) == {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH}
    san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    assert san.value.get_values_for_type(x509.DNSName) == ["localhost"]

    lifetime = cert.not_valid_after - cert.not_valid_before
    expected = datetime.timedelta(hours=262980, seconds=30)
    assert abs(lifetime - expected) <= datetime.timedelta(seconds=2), lifetime
    now = datetime.datetime.utcnow()
    assert cert.not_valid_before <= now < cert.not_valid_after


def no_error_diagnostics(diags) -> None:
    errors = [d for d in diags if d.severity == tfplugin6_pb2.Diagnostic.ERROR]
    assert not errors, [f"{d.summary}: {d.detail}" for d in errors]


def rpc_code(fn) -> "grpc.StatusCode":
    try:
        fn()
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


def process_gone(pid: int) -> bool:
    """True when pid no longer runs (absent, or a zombie awaiting its reaper)."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    state = data.rsplit(")", 1)[1].split()[0]
    return state in ("Z", "X")


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process_gone(pid):
            return True
        time.sleep(0.05)
    return process_gone(pid)


def read_lines_until(stream, predicate, timeout: float) -> tuple[str | None, list[str]]:
    """Read lines from a binary stream on a thread until predicate matches."""
    lines: list[str] = []
    found: list[str] = []
    done = threading.Event()

    def reader():
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append(line)
            if predicate(line):
                found.append(line)
                break
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout)
    return (found[0] if found else None), lines


def run_direct(binary: str, env: dict, timeout: float = 10.0) -> subprocess.CompletedProcess:
    return subprocess.run([binary], stdin=subprocess.DEVNULL, capture_output=True,
                          env=env, timeout=timeout)


# ------------------------------------------------- driver-only tests


def test_client_cert_is_like_go_plugin_generatecert():
    c = certs.generate_client_cert()
    cert = c.certificate
    assert_go_plugin_cert(cert)
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA512)
    assert c.cert_pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    assert c.key_pem.startswith(b"-----BEGIN EC PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(c.key_pem, password=None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    # SubjectKeyIdentifier as Go adds for CA certificates
    ski = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    assert ski.value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    # fresh key and serial every time
    other = certs.generate_client_cert().certificate
    assert other.serial_number != cert.serial_number
    assert other.public_key().public_numbers() != cert.public_key().public_numbers()
    assert "PRIVATE" not in repr(c)


def _cert_field(c: certs.ClientCertificate) -> str:
    der = c.certificate.public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode().rstrip("=")


def test_parse_handshake_accepts_go_plugin_lines():
    field = _cert_field(certs.generate_client_cert())
    hs = plugin.parse_handshake(f"1|6|unix|/tmp/plugin123|grpc|{field}\n",
                                offered_versions=[5, 6], tls=True)
    assert hs["network"] == "unix" and hs["address"] == "/tmp/plugin123"
    assert hs["core_protocol"] == 1 and hs["app_protocol"] == 6 and hs["protocol"] == "grpc"
    assert hs["server_cert_pem"].startswith(b"-----BEGIN CERTIFICATE-----")
    hs = plugin.parse_handshake("1|6|tcp|127.0.0.1:10001|grpc|", offered_versions=[6], tls=False)
    assert hs["network"] == "tcp" and hs["server_cert_der"] is None


@pytest.mark.parametrize("line, tls, why", [
    ("", True, "expected CORE"),
    ("hello world", True, "expected CORE"),
    ("1|6|unix|/tmp/p", True, "no protocol field"),
    ("2|6|unix|/tmp/p|grpc|CERT", True, "core protocol"),
    ("x|6|unix|/tmp/p|grpc|CERT", True, "core protocol"),
    ("1|5|unix|/tmp/p|grpc|CERT", True, "driver speaks only 6"),
    ("1|7|unix|/tmp/p|grpc|CERT", True, "incompatible API version"),
    ("1|6|pipe|/tmp/p|grpc|CERT", True, "unknown network"),
    ("1|6|unix|relative/p|grpc|CERT", True, "absolute path"),
    ("1|6|tcp|127.0.0.1|grpc|CERT", True, "host:port"),
    ("1|6|unix|/tmp/p|netrpc|CERT", True, "unsupported plugin protocol"),
    ("1|6|unix|/tmp/p|grpc|", True, "no server certificate"),
    ("1|6|unix|/tmp/p|grpc|PADDED==", True, "base64"),
    ("1|6|unix|/tmp/p|grpc|bm90IGEgY2VydGlmaWNhdGUgYXQgYWxsLCBqdXN0IHNvbWUgdGV4dA", True,
     "server cert"),
    ("1|6|unix|/tmp/p|grpc|CERT", False, "PLUGIN_CLIENT_CERT was not set"),
])
def test_parse_handshake_rejects(line, tls, why):
    if line.endswith("CERT") and tls:
        line = line[:-4] + _cert_field(certs.generate_client_cert())
    with pytest.raises(HandshakeError) as exc:
        plugin.parse_handshake(line, offered_versions=[5, 6], tls=tls)
    assert why in str(exc.value)
    assert repr(line.strip()) in str(exc.value) or line == ""


def test_environment_is_terraforms(monkeypatch):
    monkeypatch.setenv("FROM_CALLER", "kept")
    monkeypatch.setenv("TF_PLUGIN_TCP", "1")
    c = certs.generate_client_cert()
    env = plugin.plugin_environment({"EXTRA": "x", "FROM_CALLER": None},
                                    client_cert_pem=c.cert_pem)
    assert env["TF_PLUGIN_MAGIC_COOKIE"] == plugin.MAGIC_COOKIE_VALUE
    assert env["PLUGIN_PROTOCOL_VERSIONS"] == "5,6"
    assert env["PLUGIN_MIN_PORT"] == "10000" and env["PLUGIN_MAX_PORT"] == "25000"
    assert env["PLUGIN_CLIENT_CERT"] == c.cert_pem.decode()
    assert env["EXTRA"] == "x" and "FROM_CALLER" not in env
    assert "TF_PLUGIN_TCP" not in env  # unix requested
    env = plugin.plugin_environment(None, client_cert_pem=None, unix=False)
    assert "PLUGIN_CLIENT_CERT" not in env and env["TF_PLUGIN_TCP"] == "1"


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-plugin"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_driver_times_out_without_handshake(tmp_path):
    binary = _script(tmp_path, "echo starting >&2; exec sleep 30")
    t0 = time.monotonic()
    with pytest.raises(HandshakeError) as exc:
        start_provider(binary, timeout=1.0)
    assert time.monotonic() - t0 < 5
    assert "timeout" in str(exc.value) and "starting" in str(exc.value)


def test_driver_reports_early_exit_with_stderr(tmp_path):
    binary = _script(tmp_path, "echo 'This binary is a plugin.' >&2; exit 3")
    with pytest.raises(HandshakeError) as exc:
        start_provider(binary, timeout=5.0)
    assert exc.value.returncode == 3 and exc.value.line is None
    assert exc.value.stderr == ["This binary is a plugin."]


def test_driver_quotes_a_non_handshake_line(tmp_path):
    binary = _script(tmp_path, "echo 'hello from the plugin'; exec sleep 30")
    with pytest.raises(HandshakeError) as exc:
        start_provider(binary, timeout=5.0)
    assert exc.value.line == "hello from the plugin"
    assert "'hello from the plugin'" in str(exc.value)


def test_driver_passes_terraforms_environment(tmp_path):
    out = tmp_path / "env.txt"
    binary = _script(tmp_path, f"env > {out}; exit 1")
    with pytest.raises(HandshakeError):
        start_provider(binary, timeout=5.0, env={"EXTRA_VAR": "1"})
    got = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line
               and not line.startswith(" "))
    assert got["TF_PLUGIN_MAGIC_COOKIE"] == plugin.MAGIC_COOKIE_VALUE
    assert got["PLUGIN_PROTOCOL_VERSIONS"] == "5,6"
    assert got["PLUGIN_MIN_PORT"] == "10000" and got["PLUGIN_MAX_PORT"] == "25000"
    assert got["EXTRA_VAR"] == "1"
    pem = out.read_text().split("PLUGIN_CLIENT_CERT=", 1)[1]
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" not in out.read_text(), "the client key must never reach the plugin"


# ------------------------------------------------- provider tests


def test_unix_mtls_handshake_health_and_rpcs(provider_binary):
    with start_provider(provider_binary) as p:
        hs = p.handshake
        assert hs["core_protocol"] == 1 and hs["app_protocol"] == 6
        assert hs["network"] == "unix", hs["line"]
        assert hs["protocol"] == "grpc"
        assert stat.S_ISSOCK(os.stat(hs["address"]).st_mode), hs["address"]
        assert p.health("plugin") == "SERVING"
        md = p.stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=10)
        no_error_diagnostics(md.diagnostics)
        schema = p.stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(), timeout=10)
        no_error_diagnostics(schema.diagnostics)
        assert schema.HasField("provider"), "GetProviderSchema has no provider schema"
        # every resource announced by GetMetadata has a schema
        for r in md.resources:
            assert r.type_name in schema.resource_schemas, r.type_name
        assert p.unexpected_stdout() == []


def test_server_certificate_is_like_go_plugin(provider_binary):
    with start_provider(provider_binary) as p:
        field = p.handshake["line"].split("|")[5]
        assert "=" not in field, "server cert must be unpadded base64 (RawStdEncoding)"
        cert = x509.load_der_x509_certificate(p.handshake["server_cert_der"])
        assert_go_plugin_cert(cert, curve="secp256r1")
        assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
        assert cert.public_bytes(serialization.Encoding.DER) != \
            p.client_cert.certificate.public_bytes(serialization.Encoding.DER)


def test_unix_socket_honours_plugin_unix_socket_dir(provider_binary, tmp_path):
    # go-plugin (server.go serverListener_unix): os.CreateTemp(PLUGIN_UNIX_SOCKET_DIR, "plugin*")
    sockdir = tmp_path / "sock"
    sockdir.mkdir()
    with start_provider(provider_binary, env={"PLUGIN_UNIX_SOCKET_DIR": str(sockdir)}) as p:
        addr = Path(p.handshake["address"])
        assert addr.parent == sockdir, addr
        assert p.health() == "SERVING"
    assert not addr.exists(), "socket left behind"


def test_unix_socket_defaults_to_tmpdir(provider_binary, tmp_path):
    # go-plugin: os.CreateTemp("", "plugin*") when PLUGIN_UNIX_SOCKET_DIR is unset,
    # i.e. $TMPDIR.
    env = {"TMPDIR": str(tmp_path), "PLUGIN_UNIX_SOCKET_DIR": None}
    with start_provider(provider_binary, env=env) as p:
        addr = Path(p.handshake["address"])
        assert addr.parent == tmp_path and addr.name.startswith("plugin"), addr
        assert p.health() == "SERVING"
    assert not addr.exists(), "socket left behind"


def test_unusable_socket_dir_is_a_clear_error_or_tcp(provider_binary, tmp_path):
    # go-plugin fails ("plugin init error") when the socket cannot be made;
    # falling back to TCP on 127.0.0.1 is also acceptable. A hang, a silent
    # exit or a crash is not.
    missing = tmp_path / "does-not-exist"
    try:
        p = start_provider(provider_binary, timeout=10,
                           env={"PLUGIN_UNIX_SOCKET_DIR": str(missing), "TF_LOG": None})
    except HandshakeError as err:
        assert err.line is None and err.returncode not in (None, 0), str(err)
        assert err.returncode > 0, f"killed by a signal: {err.returncode}"
        assert str(missing) in "\n".join(err.stderr), err.stderr
        return
    with p:
        assert p.handshake["network"] == "tcp", p.handshake["line"]
        assert p.handshake["address"].startswith("127.0.0.1:")
        assert p.health() == "SERVING"


def test_tcp_mode(provider_binary):
    # Our own switch (go-plugin listens on TCP only on Windows): TF_PLUGIN_TCP=1.
    with start_provider(provider_binary, unix=False) as p:
        hs = p.handshake
        assert hs["network"] == "tcp", hs["line"]
        host, port = hs["address"].rsplit(":", 1)
        assert host == "127.0.0.1"
        assert 10000 <= int(port) <= 25000
        assert p.health() == "SERVING"
        md = p.stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=10)
        no_error_diagnostics(md.diagnostics)


def test_tcp_mode_honours_port_range(provider_binary):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        busy = s.getsockname()[1]
        s.listen()
        # the first port of the range is taken: the provider must skip to the next
        env = {"PLUGIN_MIN_PORT": str(busy), "PLUGIN_MAX_PORT": str(busy + 3)}
        with start_provider(provider_binary, unix=False, env=env) as p:
            port = int(p.handshake["address"].rsplit(":", 1)[1])
            assert busy < port <= busy + 3, p.handshake["line"]
            assert p.health() == "SERVING"


@pytest.mark.parametrize("cookie", ["wrong-cookie", None], ids=["wrong", "missing"])
def test_bad_magic_cookie_exits_1_with_message(provider_binary, cookie):
    env = plugin.plugin_environment({plugin.MAGIC_COOKIE_KEY: cookie},
                                    client_cert_pem=certs.generate_client_cert().cert_pem)
    res = run_direct(provider_binary, env)
    assert res.returncode == 1, (res.returncode, res.stderr)
    assert res.stdout == b"", f"nothing may go to stdout, got {res.stdout!r}"
    text = res.stderr.decode("utf-8", "replace").strip()
    assert text, "expected a human-readable message on stderr"
    first = text.splitlines()[0]
    assert not first.startswith("{"), f"message should be for a human, not JSON: {first}"
    assert re.search(r"[A-Za-z]+ [A-Za-z]+", text), text


def test_protocol_versions_without_6_is_a_clear_error(provider_binary):
    # go-plugin's server would announce its own (only) version 6 and the
    # client then refuses it; a provider that exits with a message is also
    # a clear error. Announcing 5, hanging or exiting silently is not.
    with pytest.raises(HandshakeError) as exc:
        start_provider(provider_binary, env={"PLUGIN_PROTOCOL_VERSIONS": "5"}, timeout=10)
    err = exc.value
    if err.line is None:
        assert err.returncode not in (None, 0), str(err)
        assert any(line.strip() for line in err.stderr), "exited without a message"
    else:
        assert "incompatible API version" in str(err) and err.line.split("|")[1] == "6", str(err)


@pytest.mark.parametrize("versions", ["6,5", "6", "4,5,6"])
def test_negotiates_6_whatever_the_order(provider_binary, versions):
    # Terraform sends the keys of a Go map, so "5,6" or "6,5".
    with start_provider(provider_binary, env={"PLUGIN_PROTOCOL_VERSIONS": versions}) as p:
        assert p.handshake["app_protocol"] == 6
        assert p.health() == "SERVING"


@pytest.mark.parametrize("env, unix, what", [
    ({"PLUGIN_CLIENT_CERT": "not a certificate"}, True, "PLUGIN_CLIENT_CERT"),
    ({"PLUGIN_MIN_PORT": "20000", "PLUGIN_MAX_PORT": "10000"}, False, "PLUGIN_MIN_PORT"),
    ({"PLUGIN_MIN_PORT": "ten"}, False, "PLUGIN_MIN_PORT"),
], ids=["bad-client-cert", "min-port-above-max", "bad-min-port"])
def test_startup_errors_exit_with_a_message(provider_binary, env, unix, what):
    # go-plugin reports these on stderr (logger.Error "plugin init error"
    # with the PLUGIN_MIN_PORT/PLUGIN_MAX_PORT text); a provider must never
    # fail silently, whatever TF_LOG says.
    env = {**env, "TF_LOG": None, "TF_LOG_PROVIDER": None}
    with pytest.raises(HandshakeError) as exc:
        start_provider(provider_binary, env=env, unix=unix, timeout=10)
    err = exc.value
    assert err.line is None, f"expected no handshake, got {err.line!r}"
    assert err.returncode not in (None, 0), str(err)
    text = "\n".join(err.stderr)
    assert what in text, f"stderr should name {what}: {err.stderr!r}"


def test_health_service_names_like_grpc_go(provider_binary):
    # go-plugin registers grpc-go's health server: "" (the whole server) and
    # "plugin" are SERVING, any other name is NOT_FOUND.
    with start_provider(provider_binary) as p:
        assert p.health("plugin") == "SERVING"
        assert p.health("") == "SERVING"
        code = rpc_code(lambda: p.health("no-such-service"))
        assert code == grpc.StatusCode.NOT_FOUND, code


def test_stdio_and_broker_calls_do_not_hang(provider_binary):
    # Terraform's go-plugin client calls GRPCStdio.StreamStdio (SyncStdout is
    # set) and GRPCBroker.StartStream on connect. go-plugin tolerates
    # UNIMPLEMENTED for both; a working stream stays open (DEADLINE_EXCEEDED
    # here). Either way the server must keep serving.
    ok = {grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.DEADLINE_EXCEEDED}
    with start_provider(provider_binary) as p:
        code = rpc_code(lambda: list(grpc_stdio_pb2_grpc.GRPCStdioStub(p.channel).StreamStdio(
            empty_pb2.Empty(), timeout=1)))
        assert code in ok, code
        code = rpc_code(lambda: list(grpc_broker_pb2_grpc.GRPCBrokerStub(p.channel).StartStream(
            iter(()), timeout=1)))
        assert code in ok, code
        assert p.health() == "SERVING"


def test_shutdown_is_prompt_with_another_idle_connection(provider_binary):
    # go-plugin's GRPCController.Shutdown calls grpc Server.Stop(), which
    # closes every connection at once; an idle extra client must not hold
    # the process past go-plugin's 2 s grace.
    p = start_provider(provider_binary)
    other = p.open_channel()
    try:
        grpc_health_v1_pb2_grpc.HealthStub(other).Check(
            grpc_health_v1_pb2.HealthCheckRequest(service="plugin"), timeout=5)
        time.sleep(0.5)
        t0 = time.monotonic()
        grpc_controller_pb2_grpc.GRPCControllerStub(p.channel).Shutdown(
            grpc_controller_pb2.Empty(), timeout=5)
        p.channel.close()
        try:
            rc = p.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = None
        elapsed = time.monotonic() - t0
    finally:
        other.close()
        if p.process.poll() is None:
            p.kill()
    assert rc == 0, rc
    assert elapsed < GRACEFUL_EXIT_S, (
        f"exited {elapsed:.2f}s after Shutdown while another client kept an idle "
        f"connection (go-plugin stops at once; Terraform kills after 2 s)")


def test_tls_layer_serves_the_announced_certificate(provider_binary, tmp_path):
    # Below gRPC: a TLS 1.3 handshake (what Terraform's Go client negotiates)
    # with the pinned client certificate succeeds, selects h2, and the peer
    # certificate is exactly the DER announced in the handshake line.
    # (TLS 1.2, go-plugin's MinVersion, is not checked: gRPC core 1.51 offers
    # only P-256 for ECDHE, so a P-521 certificate fails there with
    # "wrong curve"; no Go client is affected since they all prefer TLS 1.3.)
    import ssl
    with start_provider(provider_binary) as p:
        (tmp_path / "c.pem").write_bytes(p.client_cert.cert_pem)
        (tmp_path / "k.pem").write_bytes(p.client_cert.key_pem)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(cadata=p.handshake["server_cert_pem"].decode())
        ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
        ctx.set_alpn_protocols(["h2"])
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        raw.settimeout(10)
        raw.connect(p.handshake["address"])
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.3"
            assert tls.selected_alpn_protocol() == "h2"
            assert tls.getpeercert(binary_form=True) == p.handshake["server_cert_der"]
        assert p.health() == "SERVING"


def test_large_messages_are_accepted(provider_binary):
    # terraform-plugin-go's server takes messages up to 256 MiB (gRPC's
    # default is 4 MiB); Terraform sends whole configurations and states.
    msgpack = pytest.importorskip("msgpack")
    blob = msgpack.packb({"x": "y" * (20 << 20)})
    with start_provider(provider_binary) as p:
        req = tfplugin6_pb2.ValidateProviderConfig.Request(
            config=tfplugin6_pb2.DynamicValue(msgpack=blob))
        try:
            p.stub.ValidateProviderConfig(req, timeout=60)  # diagnostics are fine
        except grpc.RpcError as exc:
            pytest.fail(f"a 20 MiB request failed: {exc.code()} {exc.details()}")
        assert p.health() == "SERVING"


def test_repeated_start_stop_cycles(provider_binary, tmp_path):
    for i in range(15):
        p = start_provider(provider_binary, env={"PLUGIN_UNIX_SOCKET_DIR": str(tmp_path)})
        try:
            s = p.stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(), timeout=10)
            no_error_diagnostics(s.diagnostics)
            rc = p.shutdown(timeout=5)
        finally:
            if p.process.poll() is None:
                p.kill()
        assert rc == 0, (i, rc, p.stderr_lines()[-5:])
    assert list(tmp_path.iterdir()) == [], "sockets left behind"


def test_no_client_certificate_is_rejected(provider_binary):
    with start_provider(provider_binary) as p:
        ch = p.open_channel(client_cert=False)
        try:
            code = rpc_code(lambda: grpc_health_v1_pb2_grpc.HealthStub(ch).Check(
                grpc_health_v1_pb2.HealthCheckRequest(service="plugin"), timeout=5))
        finally:
            ch.close()
        assert code == grpc.StatusCode.UNAVAILABLE, code
        assert p.health() == "SERVING", "server must survive a rejected client"


def test_other_client_certificate_is_rejected(provider_binary):
    with start_provider(provider_binary) as p:
        stranger = certs.generate_client_cert()  # same shape, not the pinned one
        ch = p.open_channel(client_cert=stranger)
        try:
            code = rpc_code(lambda: tfplugin6_pb2_grpc.ProviderStub(ch).GetMetadata(
                tfplugin6_pb2.GetMetadata.Request(), timeout=5))
        finally:
            ch.close()
        assert code == grpc.StatusCode.UNAVAILABLE, code
        assert p.health() == "SERVING"


def test_plaintext_client_against_tls_server_fails(provider_binary):
    with start_provider(provider_binary) as p:
        ch = p.open_channel(tls=False)
        try:
            code = rpc_code(lambda: tfplugin6_pb2_grpc.ProviderStub(ch).GetMetadata(
                tfplugin6_pb2.GetMetadata.Request(), timeout=5))
        finally:
            ch.close()
        assert code == grpc.StatusCode.UNAVAILABLE, code
        assert p.health() == "SERVING"


def test_tls_disabled_serves_plaintext(provider_binary):
    with start_provider(provider_binary, tls=False) as p:
        assert p.handshake["server_cert_der"] is None
        assert p.health() == "SERVING"
        md = p.stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=10)
        no_error_diagnostics(md.diagnostics)
        # and a TLS client cannot talk to it
        ch = p.open_channel(tls=True, client_cert=certs.generate_client_cert(),
                            root_pem=certs.generate_client_cert().cert_pem)
        try:
            code = rpc_code(lambda: tfplugin6_pb2_grpc.ProviderStub(ch).GetMetadata(
                tfplugin6_pb2.GetMetadata.Request(), timeout=5))
        finally:
            ch.close()
        assert code == grpc.StatusCode.UNAVAILABLE, code


def test_ten_concurrent_clients(provider_binary):
    n = 10
    with start_provider(provider_binary) as p:
        reference = p.stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(), timeout=10)
        ref_md = p.stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=10)
        barrier = threading.Barrier(n)
        errors: list[str] = []

        def worker(i: int) -> None:
            # half share Terraform's channel, half open their own connection
            ch = p.channel if i % 2 == 0 else p.open_channel()
            stub = tfplugin6_pb2_grpc.ProviderStub(ch)
            try:
                barrier.wait(timeout=10)
                for _ in range(3):
                    s = stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(),
                                               timeout=20)
                    m = stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=20)
                    if s != reference:
                        errors.append(f"thread {i}: GetProviderSchema differs")
                    if m != ref_md:
                        errors.append(f"thread {i}: GetMetadata differs")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"thread {i}: {exc!r}")
            finally:
                if ch is not p.channel:
                    ch.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "a client hung"
        assert not errors, errors
        assert p.health() == "SERVING"


def test_cancelled_and_expired_calls_leave_the_server_healthy(provider_binary):
    # Calls that expire or are cancelled mid-flight, and connections closed
    # under them, exercise the server's cancellation paths (run this file
    # with PROVIDER_BIN pointing at the ASan build to check memory safety).
    import random
    outcomes: dict = {}
    lock = threading.Lock()
    with start_provider(provider_binary, env={"TF_LOG": None, "TF_LOG_PROVIDER": None}) as p:
        def worker(seed: int) -> None:
            rnd = random.Random(seed)
            for _ in range(25):
                own = rnd.random() < 0.3
                ch = p.open_channel() if own else p.channel
                try:
                    fut = tfplugin6_pb2_grpc.ProviderStub(ch).GetProviderSchema.future(
                        tfplugin6_pb2.GetProviderSchema.Request(),
                        timeout=rnd.choice([0.0005, 0.002, 0.01, 2]))
                    if rnd.random() < 0.3:
                        fut.cancel()
                    if own and rnd.random() < 0.5:
                        ch.close()
                    try:
                        fut.result()
                        key = "OK"
                    except grpc.RpcError as exc:
                        key = exc.code().name
                    except grpc.FutureCancelledError:
                        key = "cancelled"
                    with lock:
                        outcomes[key] = outcomes.get(key, 0) + 1
                finally:
                    if own:
                        ch.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        allowed = {"OK", "cancelled", "CANCELLED", "DEADLINE_EXCEEDED", "UNAVAILABLE"}
        assert set(outcomes) <= allowed, outcomes
        assert p.health() == "SERVING"
        s = p.stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(), timeout=10)
        no_error_diagnostics(s.diagnostics)
        assert p.shutdown(timeout=5) == 0
    assert p.stderr_lines() == [], p.stderr_lines()[:20]


def test_controller_shutdown_exits_zero_promptly_and_removes_socket(provider_binary):
    p = start_provider(provider_binary)
    try:
        sock = p.handshake["address"]
        t0 = time.monotonic()
        rc = p.shutdown(timeout=5)
        elapsed = time.monotonic() - t0
    finally:
        if p.process.poll() is None:
            p.kill()
    assert rc == 0, (rc, p.stderr_lines()[-10:])
    assert elapsed < GRACEFUL_EXIT_S, f"took {elapsed:.2f}s to exit after Shutdown"
    assert not os.path.exists(sock), f"unix socket {sock} left behind"
    assert p.unexpected_stdout() == []


INTERMEDIATE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from acceptance.driver.plugin import start_provider
p = start_provider(sys.argv[2])
print(p.process.pid, flush=True)
time.sleep(600)
"""


def test_provider_exits_when_its_parent_dies(provider_binary):
    parent = subprocess.Popen([sys.executable, "-c", INTERMEDIATE, str(REPO_ROOT), provider_binary],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    pid = None
    try:
        line, _ = read_lines_until(parent.stdout, lambda s: s.strip().isdigit(), 20)
        assert line is not None, parent.stderr.read1(4096) if parent.poll() is not None else \
            "intermediate process did not start the provider"
        pid = int(line)
        assert not process_gone(pid)
        parent.kill()  # SIGKILL: no cleanup in the parent
        parent.wait(5)
        assert wait_gone(pid, 5.0), f"provider {pid} still running 5s after its parent died"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if pid is not None and not process_gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_sigint_is_ignored_and_sigterm_ends_it(provider_binary):
    with start_provider(provider_binary) as p:
        p.signal(signal.SIGINT)
        time.sleep(1.0)
        assert p.process.poll() is None, "provider died on SIGINT (go-plugin ignores it)"
        assert p.health() == "SERVING"
        p.signal(signal.SIGINT)
        time.sleep(0.3)
        assert p.process.poll() is None
        p.signal(signal.SIGTERM)
        try:
            rc = p.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail("provider still running 5s after SIGTERM")
        assert rc in (0, -signal.SIGTERM), rc


def test_trace_logging_is_hclog_json(provider_binary):
    p = start_provider(provider_binary, env={"TF_LOG": "trace", "TF_LOG_PROVIDER": None})
    try:
        p.health()
        p.stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=10)
        p.stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(), timeout=10)
        assert p.shutdown(timeout=5) == 0
    finally:
        if p.process.poll() is None:
            p.kill()
    lines = p.stderr_lines()
    assert lines, "TF_LOG=trace produced no log lines"
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            pytest.fail(f"stderr line is not JSON: {line!r}")
        assert isinstance(rec, dict), line
        assert rec.get("@level") in LEVELS, line
        assert isinstance(rec.get("@message"), str) and rec["@message"], line
        assert TIMESTAMP_RE.match(str(rec.get("@timestamp"))), line
    assert p.log_records() == [json.loads(line) for line in lines]
    assert p.unexpected_stdout() == [], "stdout must carry only the handshake"


def test_silent_without_tf_log(provider_binary):
    p = start_provider(provider_binary, env={"TF_LOG": None, "TF_LOG_PROVIDER": None})
    try:
        p.health()
        p.stub.GetMetadata(tfplugin6_pb2.GetMetadata.Request(), timeout=10)
        p.stub.GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(), timeout=10)
        assert p.shutdown(timeout=5) == 0
    finally:
        if p.process.poll() is None:
            p.kill()
    assert p.stderr_lines() == [], p.stderr_lines()[:10]
    assert p.unexpected_stdout() == []


def test_debug_mode_prints_reattach_config(provider_binary):
    env = plugin.plugin_environment({plugin.MAGIC_COOKIE_KEY: None, "TF_LOG": None},
                                    client_cert_pem=None)
    proc = subprocess.Popen([provider_binary, "-debug"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line, lines = read_lines_until(proc.stdout, lambda s: "TF_REATTACH_PROVIDERS=" in s, 10)
        assert line is not None, f"no TF_REATTACH_PROVIDERS line on stdout: {lines!r}"
        m = REATTACH_RE.search(line)
        assert m, f"expected TF_REATTACH_PROVIDERS='<json>': {line!r}"
        cfg = json.loads(m.group(1))
        assert list(cfg) == [PROVIDER_ADDRESS], cfg
        rc = cfg[PROVIDER_ADDRESS]
        assert rc["Protocol"] == "grpc"
        assert rc["ProtocolVersion"] == 6
        assert rc["Pid"] == proc.pid
        assert rc["Test"] is True
        assert rc["Addr"]["Network"] in ("unix", "tcp")
        addr = rc["Addr"]["String"]
        target = "unix:" + addr if rc["Addr"]["Network"] == "unix" else addr
        # Terraform reattaches without TLS
        with grpc.insecure_channel(target) as ch:
            h = grpc_health_v1_pb2_grpc.HealthStub(ch).Check(
                grpc_health_v1_pb2.HealthCheckRequest(service="plugin"), timeout=10)
            assert h.status == grpc_health_v1_pb2.HealthCheckResponse.SERVING
            md = tfplugin6_pb2_grpc.ProviderStub(ch).GetMetadata(
                tfplugin6_pb2.GetMetadata.Request(), timeout=10)
            no_error_diagnostics(md.diagnostics)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
