"""Start a Terraform provider binary exactly the way Terraform does.

Terraform launches providers through hashicorp/go-plugin (``client.go``,
``Client.Start``) with the handshake config of Terraform's internal/plugin
package and ``AutoMTLS`` on. This module repeats those steps:

1. Environment: the caller's environment, then go-plugin's variables, then
   the caller's overrides (a later value wins, as with Go's exec):

   - ``TF_PLUGIN_MAGIC_COOKIE=d602bf8f...72b2`` (Terraform's magic cookie);
   - ``PLUGIN_MIN_PORT=10000`` / ``PLUGIN_MAX_PORT=25000`` (go-plugin's
     defaults; Terraform sets no ports of its own);
   - ``PLUGIN_PROTOCOL_VERSIONS=5,6``: Terraform's client offers every key of
     its ``VersionedPlugins`` map, which holds protocol 5 and 6 (Go map order
     is random, so Terraform sends "5,6" or "6,5");
   - ``PLUGIN_CLIENT_CERT``: PEM of a fresh certificate (:mod:`.certs`).

   ``TF_PLUGIN_TCP=1`` is NOT go-plugin: go-plugin servers only listen on TCP
   on Windows. It is this project's own switch, which our C provider honours
   to listen on 127.0.0.1 within PLUGIN_MIN_PORT..PLUGIN_MAX_PORT
   (``start_provider(unix=False)`` sets it).

2. stdin is /dev/null, stdout is a pipe read line by line (go-plugin's
   scanner), stderr is read line by line on its own thread and kept.

3. The first stdout line must be the handshake
   ``CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT`` and is checked like
   go-plugin does: core protocol 1; app protocol one of the versions offered
   (and 6, the only one this driver speaks); network unix or tcp; protocol
   grpc (Terraform allows only gRPC); server certificate unpadded standard
   base64 of an X.509 DER certificate when mTLS is on, and absent when it is
   off. Anything else is a :class:`HandshakeError` that quotes the line and
   the end of stderr.

4. gRPC over TLS, trusting only the server's certificate, presenting ours,
   with the TLS server name "localhost"; plaintext when TLS is off.

The generated Python stubs live in build/py (see :func:`stubs_path`).
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Mapping

from . import certs

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_DIR = REPO_ROOT / "proto"
STUBS_DIR = REPO_ROOT / "build" / "py"
GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin"

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6
TERRAFORM_PROTOCOL_VERSIONS = "5,6"
MIN_PORT = 10000
MAX_PORT = 25000
TCP_SWITCH = "TF_PLUGIN_TCP"  # our own switch, not go-plugin's
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
TLS_SERVER_NAME = "localhost"
STDERR_TAIL_LINES = 20

_BASE64_STD_UNPADDED = re.compile(r"^[A-Za-z0-9+/]+$")


class PluginError(RuntimeError):
    """The provider could not be started or talked to as Terraform would."""


class HandshakeError(PluginError):
    """The provider's handshake was missing, malformed or incompatible.

    ``line`` is the offending stdout line (None if there was none),
    ``returncode`` the exit status if the process had exited, ``stderr`` the
    lines it wrote to stderr so far.
    """

    def __init__(self, message: str, *, line: str | None = None,
                 returncode: int | None = None, stderr: list[str] | None = None):
        self.line = line
        self.returncode = returncode
        self.stderr = list(stderr or [])
        parts = [message]
        if line is not None:
            parts.append(f"handshake line: {line!r}")
        if returncode is not None:
            parts.append(f"exit status: {returncode}")
        if self.stderr:
            tail = self.stderr[-STDERR_TAIL_LINES:]
            parts.append("stderr (last %d lines):\n  %s" % (len(tail), "\n  ".join(tail)))
        super().__init__("\n".join(parts))


# --------------------------------------------------------------------------
# Generated stubs


def _stubs_stale() -> bool:
    protos = sorted(PROTO_DIR.glob("*.proto"))
    if not protos:
        raise PluginError(f"no .proto files in {PROTO_DIR}")
    newest_proto = max(p.stat().st_mtime for p in protos)
    for proto in protos:
        for suffix in ("_pb2.py", "_pb2_grpc.py"):
            out = STUBS_DIR / (proto.stem + suffix)
            if not out.exists() or out.stat().st_mtime < newest_proto:
                return True
    return False


def stubs_path() -> str:
    """Return build/py, generating the Python stubs there first if they are
    missing or older than a .proto file, and put it on sys.path.

    Uses the same protoc command as the Makefile. A lock file serialises
    concurrent callers.
    """
    STUBS_DIR.mkdir(parents=True, exist_ok=True)
    with open(STUBS_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _stubs_stale():
            cmd = ["protoc", "-I", str(PROTO_DIR), f"--python_out={STUBS_DIR}",
                   f"--grpc_out={STUBS_DIR}",
                   f"--plugin=protoc-gen-grpc={GRPC_PYTHON_PLUGIN}",
                   *sorted(str(p) for p in PROTO_DIR.glob("*.proto"))]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                raise PluginError(f"protoc failed ({' '.join(cmd)}):\n{res.stderr}")
    path = str(STUBS_DIR)
    if path not in sys.path:
        sys.path.insert(0, path)
    return path


def _modules():
    stubs_path()
    import grpc  # noqa: F401  (import late so the error names the stubs first)
    import grpc_controller_pb2
    import grpc_controller_pb2_grpc
    import grpc_health_v1_pb2
    import grpc_health_v1_pb2_grpc
    import tfplugin6_pb2
    import tfplugin6_pb2_grpc
    return (grpc_controller_pb2, grpc_controller_pb2_grpc, grpc_health_v1_pb2,
            grpc_health_v1_pb2_grpc, tfplugin6_pb2, tfplugin6_pb2_grpc)


# --------------------------------------------------------------------------
# Environment and handshake


def plugin_environment(env: Mapping[str, str | None] | None = None, *,
                       client_cert_pem: bytes | None = None,
                       unix: bool = True) -> dict[str, str]:
    """The environment Terraform gives a provider.

    Starts from os.environ, adds go-plugin's variables, then applies ``env``
    (a value of None removes the variable). Without ``client_cert_pem``
    PLUGIN_CLIENT_CERT is removed (TLS off). ``unix=False`` sets our own
    TF_PLUGIN_TCP=1 switch; ``unix=True`` removes it.
    """
    out = dict(os.environ)
    out[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
    out["PLUGIN_MIN_PORT"] = str(MIN_PORT)
    out["PLUGIN_MAX_PORT"] = str(MAX_PORT)
    out["PLUGIN_PROTOCOL_VERSIONS"] = TERRAFORM_PROTOCOL_VERSIONS
    if client_cert_pem is not None:
        out["PLUGIN_CLIENT_CERT"] = client_cert_pem.decode("ascii")
    else:
        out.pop("PLUGIN_CLIENT_CERT", None)
    if unix:
        out.pop(TCP_SWITCH, None)
    else:
        out[TCP_SWITCH] = "1"
    for key, value in (env or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _offered_versions(env: Mapping[str, str]) -> list[int]:
    versions = []
    for item in env.get("PLUGIN_PROTOCOL_VERSIONS", "").split(","):
        try:
            versions.append(int(item))
        except ValueError:
            continue
    return versions


def _decode_raw_std_base64(text: str) -> bytes:
    # Go's base64.RawStdEncoding: standard alphabet, no padding.
    if not _BASE64_STD_UNPADDED.match(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded standard base64")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not unpadded standard base64: {exc}") from None


def parse_handshake(line: str, *, offered_versions: list[int], tls: bool) -> dict:
    """Check a go-plugin handshake line; return its fields.

    Returns a dict with core_protocol (int), app_protocol (int), network,
    address, protocol, server_cert_der (bytes or None), server_cert_pem
    (bytes or None) and line (the stripped line). Raises HandshakeError,
    quoting the line, when go-plugin's client (with Terraform's settings)
    would refuse it, or when it negotiates a protocol other than 6.
    """
    raw = line
    line = line.strip()
    parts = line.split("|", 5)

    def bad(why: str) -> HandshakeError:
        return HandshakeError(f"invalid plugin handshake: {why}", line=raw)

    if len(parts) < 4:
        raise bad("expected CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT")
    if len(parts) < 5:
        raise bad("no protocol field; Terraform accepts only grpc plugins")
    core, app, network, address, protocol = parts[:5]
    cert_field = parts[5] if len(parts) == 6 else ""

    try:
        core_v = int(core)
    except ValueError:
        raise bad(f"core protocol version {core!r} is not an integer") from None
    if core_v != CORE_PROTOCOL_VERSION:
        raise bad(f"incompatible core protocol version {core_v}, want {CORE_PROTOCOL_VERSION}")

    try:
        app_v = int(app)
    except ValueError:
        raise bad(f"app protocol version {app!r} is not an integer") from None
    if app_v not in offered_versions:
        raise bad(f"incompatible API version with plugin: plugin version {app_v}, "
                  f"client versions {offered_versions}")
    if app_v != APP_PROTOCOL_VERSION:
        raise bad(f"negotiated protocol {app_v}; this driver speaks only "
                  f"{APP_PROTOCOL_VERSION}")

    if network == "unix":
        if not address.startswith("/"):
            raise bad(f"unix socket address {address!r} is not an absolute path")
    elif network == "tcp":
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise bad(f"tcp address {address!r} is not host:port")
    else:
        raise bad(f"unknown network type {network!r} (want unix or tcp)")

    if protocol != "grpc":
        raise bad(f"unsupported plugin protocol {protocol!r}; supported: ['grpc']")

    der = pem = None
    if tls:
        if not cert_field:
            raise bad("mTLS requested (PLUGIN_CLIENT_CERT set) but no server certificate")
        try:
            der = _decode_raw_std_base64(cert_field)
            pem = certs.der_to_pem(der)
        except ValueError as exc:
            raise bad(f"error parsing server cert: {exc}") from None
    elif cert_field:
        raise bad("server certificate sent although PLUGIN_CLIENT_CERT was not set")

    return {
        "core_protocol": core_v,
        "app_protocol": app_v,
        "network": network,
        "address": address,
        "protocol": protocol,
        "server_cert_der": der,
        "server_cert_pem": pem,
        "line": line,
    }


# --------------------------------------------------------------------------
# Provider process


class Provider:
    """A running provider process and a gRPC connection to it.

    Attributes: ``stub`` (tfplugin6 ProviderStub on ``channel``), ``pb`` (the
    tfplugin6_pb2 module), ``channel``, ``process`` (subprocess.Popen),
    ``handshake`` (dict from :func:`parse_handshake`), ``client_cert``
    (:class:`certs.ClientCertificate` or None), ``env`` (the environment the
    process got), plus ``health_pb`` / ``controller_pb`` modules.
    """

    def __init__(self, process: subprocess.Popen, env: dict[str, str],
                 client_cert: certs.ClientCertificate | None):
        (self.controller_pb, self._controller_grpc, self.health_pb,
         self._health_grpc, self.pb, self._tf_grpc) = _modules()
        self.process = process
        self.env = env
        self.client_cert = client_cert
        self.handshake: dict = {}
        self.channel = None
        self.stub = None
        self.shutdown_rpc_error = None
        self._stderr: list[str] = []
        self._stdout_extra: list[str] = []
        self._cond = threading.Condition()
        self._stdout_q: queue.Queue = queue.Queue()
        self._threads = [
            threading.Thread(target=self._read_stderr, daemon=True, name="provider-stderr"),
            threading.Thread(target=self._read_stdout, daemon=True, name="provider-stdout"),
        ]
        for t in self._threads:
            t.start()

    # -- readers

    def _read_stderr(self) -> None:
        for raw in iter(self.process.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._cond:
                self._stderr.append(line)
                self._cond.notify_all()

    def _read_stdout(self) -> None:
        first = True
        for raw in iter(self.process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if first:
                self._stdout_q.put(line)
                first = False
            else:
                with self._cond:
                    self._stdout_extra.append(line)
                    self._cond.notify_all()
        if first:
            self._stdout_q.put(None)  # EOF before any line

    # -- start

    def _handshake(self, timeout: float, tls: bool) -> None:
        try:
            line = self._stdout_q.get(timeout=timeout)
        except queue.Empty:
            raise HandshakeError(f"timeout after {timeout:g}s waiting for the plugin handshake",
                                 stderr=self.stderr_lines()) from None
        if line is None:
            rc = self._wait_quietly(2.0)
            if rc is not None:
                self._finish_readers(2.0)  # all of stderr, for the message
            raise HandshakeError("plugin exited before we could connect (no handshake line)",
                                 returncode=rc, stderr=self.stderr_lines())
        try:
            self.handshake = parse_handshake(
                line, offered_versions=_offered_versions(self.env), tls=tls)
        except HandshakeError as exc:
            raise HandshakeError(str(exc).split("\n")[0], line=line,
                                 returncode=self.process.poll(),
                                 stderr=self.stderr_lines()) from None

    def _wait_quietly(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    @property
    def target(self) -> str:
        """gRPC target string for the handshake address."""
        if self.handshake["network"] == "unix":
            return "unix:" + self.handshake["address"]
        return self.handshake["address"]

    def open_channel(self, *, client_cert: certs.ClientCertificate | None | bool = True,
                     tls: bool | None = None, root_pem: bytes | None = None):
        """Open a new gRPC channel to the provider.

        Defaults reproduce Terraform's connection. For negative tests:
        ``tls=False`` gives a plaintext channel; ``client_cert=False``
        presents no client certificate; a ClientCertificate presents that one
        instead of the pinned one; ``root_pem`` trusts another server cert.
        """
        import grpc
        options = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ]
        if tls is None:
            tls = self.client_cert is not None
        if not tls:
            return grpc.insecure_channel(self.target, options=options)
        if client_cert is True:
            client_cert = self.client_cert
        root = root_pem if root_pem is not None else self.handshake.get("server_cert_pem")
        if client_cert:
            creds = grpc.ssl_channel_credentials(root_certificates=root,
                                                 private_key=client_cert.key_pem,
                                                 certificate_chain=client_cert.cert_pem)
        else:
            creds = grpc.ssl_channel_credentials(root_certificates=root)
        return grpc.secure_channel(
            self.target, creds,
            options=[("grpc.ssl_target_name_override", TLS_SERVER_NAME), *options])

    def _connect(self, timeout: float) -> None:
        import grpc
        self.channel = self.open_channel()
        try:
            grpc.channel_ready_future(self.channel).result(timeout=max(timeout, 0.1))
        except grpc.FutureTimeoutError:
            raise HandshakeError(
                f"could not connect to the plugin at {self.target} within {timeout:g}s",
                line=self.handshake.get("line"), returncode=self.process.poll(),
                stderr=self.stderr_lines()) from None
        self.stub = self._tf_grpc.ProviderStub(self.channel)

    # -- observation

    def stderr_lines(self) -> list[str]:
        with self._cond:
            return list(self._stderr)

    def log_records(self) -> list[dict]:
        """stderr lines parsed as JSON objects; other lines as {"@raw": line}."""
        out = []
        for line in self.stderr_lines():
            try:
                rec = json.loads(line)
            except ValueError:
                rec = None
            out.append(rec if isinstance(rec, dict) else {"@raw": line})
        return out

    def unexpected_stdout(self) -> list[str]:
        """Lines printed on stdout after the handshake line (should be none)."""
        with self._cond:
            return list(self._stdout_extra)

    def wait_for_stderr(self, predicate: Callable[[str], bool], timeout: float = 5.0) -> str | None:
        """Wait until a stderr line satisfies ``predicate``; return it or None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for line in self._stderr[seen:]:
                    if predicate(line):
                        return line
                seen = len(self._stderr)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def health(self, service: str = "plugin", timeout: float = 5.0) -> str:
        """grpc.health.v1 Check; returns the status name, e.g. "SERVING"."""
        stub = self._health_grpc.HealthStub(self.channel)
        resp = stub.Check(self.health_pb.HealthCheckRequest(service=service), timeout=timeout)
        return self.health_pb.HealthCheckResponse.ServingStatus.Name(resp.status)

    # -- stop

    def _finish_readers(self, timeout: float = 5.0) -> None:
        for t in self._threads:
            t.join(timeout)

    def _close_channel(self) -> None:
        if self.channel is not None:
            self.channel.close()

    def shutdown(self, timeout: float = 5.0) -> int:
        """GRPCController.Shutdown, then wait for the process; return its exit code.

        An error from the Shutdown RPC itself is kept in ``shutdown_rpc_error``
        (a server may drop the connection while answering). Raises PluginError
        (after killing it) if the process has not exited within ``timeout``.
        """
        import grpc
        if self.process.poll() is None and self.channel is not None:
            stub = self._controller_grpc.GRPCControllerStub(self.channel)
            try:
                stub.Shutdown(self.controller_pb.Empty(), timeout=timeout)
            except grpc.RpcError as exc:
                self.shutdown_rpc_error = exc
        # go-plugin's GRPCClient.Close: Shutdown, then close the connection,
        # then (Client.Kill) wait for the process.
        self._close_channel()
        try:
            rc = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise PluginError(f"provider did not exit within {timeout:g}s of "
                              f"GRPCController.Shutdown; killed it") from None
        self._close_channel()
        self._finish_readers()
        return rc

    def kill(self) -> int:
        """SIGKILL the process (if running) and return its exit status."""
        if self.process.poll() is None:
            self.process.kill()
        rc = self.process.wait()
        self._close_channel()
        self._finish_readers()
        return rc

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def __enter__(self) -> "Provider":
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            try:
                self.shutdown(timeout=5.0)
            except PluginError:
                pass
        else:
            self.kill()


def start_provider(binary: str, *, env: Mapping[str, str | None] | None = None,
                   tls: bool = True, unix: bool = True,
                   client_cert: certs.ClientCertificate | None = None,
                   timeout: float = 10.0, args: tuple[str, ...] = ()) -> Provider:
    """Start ``binary`` as Terraform would and connect to it.

    ``env`` overrides/removes (None) variables after go-plugin's; ``tls``
    enables AutoMTLS (PLUGIN_CLIENT_CERT; ``client_cert`` to choose it,
    else a fresh one); ``unix=False`` asks for TCP via TF_PLUGIN_TCP=1;
    ``timeout`` bounds the handshake and the connection. Raises
    HandshakeError/PluginError, never leaving the process running.
    """
    if tls and client_cert is None:
        client_cert = certs.generate_client_cert()
    if not tls:
        client_cert = None
    full_env = plugin_environment(
        env, client_cert_pem=client_cert.cert_pem if client_cert else None, unix=unix)
    _modules()  # fail on stubs before starting anything
    deadline = time.monotonic() + timeout
    try:
        process = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=full_env, close_fds=True)
    except OSError as exc:
        raise PluginError(f"cannot run provider {binary}: {exc}") from None
    provider = Provider(process, full_env, client_cert)
    try:
        provider._handshake(timeout, tls=client_cert is not None)
        provider._connect(deadline - time.monotonic())
    except BaseException:
        provider.kill()
        raise
    return provider


__all__ = [
    "APP_PROTOCOL_VERSION", "CORE_PROTOCOL_VERSION", "HandshakeError", "MAGIC_COOKIE_KEY",
    "MAGIC_COOKIE_VALUE", "PluginError", "Provider", "TCP_SWITCH", "parse_handshake",
    "plugin_environment", "start_provider", "stubs_path",
]


def _main(argv: list[str]) -> int:
    """python3 -m acceptance.driver.plugin BINARY [--tcp] [--no-tls]:
    start BINARY like Terraform, print the handshake, health and metadata,
    shut it down and print its stderr. For checking a build by hand."""
    import argparse
    ap = argparse.ArgumentParser(prog="python3 -m acceptance.driver.plugin")
    ap.add_argument("binary")
    ap.add_argument("--tcp", action="store_true", help="ask for TCP (TF_PLUGIN_TCP=1)")
    ap.add_argument("--no-tls", action="store_true", help="no PLUGIN_CLIENT_CERT")
    opts = ap.parse_args(argv)
    try:
        p = start_provider(opts.binary, tls=not opts.no_tls, unix=not opts.tcp)
    except PluginError as exc:
        print(exc, file=sys.stderr)
        return 1
    with p:
        hs = p.handshake
        print(f"handshake: core {hs['core_protocol']} app {hs['app_protocol']} "
              f"{hs['network']} {hs['address']} {hs['protocol']} "
              f"tls={'yes' if hs['server_cert_der'] else 'no'}")
        print("health(plugin):", p.health())
        md = p.stub.GetMetadata(p.pb.GetMetadata.Request(), timeout=10)
        print("resources:", ", ".join(r.type_name for r in md.resources) or "-")
        print("data sources:", ", ".join(d.type_name for d in md.data_sources) or "-")
        print("exit status after Shutdown:", p.shutdown())
    for line in p.stderr_lines():
        print("stderr:", line)
    extra = p.unexpected_stdout()
    if extra:
        print("UNEXPECTED STDOUT:", extra)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
