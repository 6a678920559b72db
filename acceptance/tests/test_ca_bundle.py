"""Which CA certificates the provider trusts for HTTPS to AWS (aws/cabundle.h):
AWS_CA_BUNDLE, then SSL_CERT_FILE / SSL_CERT_DIR, then the system bundle.

Each test starts the provider against an emulator serving HTTPS with a
certificate from a throwaway CA made here, and runs ConfigureProvider with
credential validation on, so STS GetCallerIdentity really goes over TLS.
Runs against $PROVIDER_BIN (the debug build, or the static release binary)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from acceptance.driver import cty, plugin
from acceptance.emulator.server import Emulator
from acceptance.emulator.testpki import make_ca, make_server_cert, pem, write_server
from acceptance.tests import support

ACCOUNT = support.Account("AKIDCABUNDLETEST0000", "ca-bundle-test-secret-key", "eu-west-1")
STS_CALL = "sts:GetCallerIdentity"


# ---- a throwaway PKI -------------------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """ca.pem (trusted by the tests), other-ca.pem (an unrelated CA), the
    emulator's server certificate for 127.0.0.1/localhost, and one for
    another host name only."""
    d = tmp_path_factory.mktemp("pki")
    ca, ca_key = make_ca("provider test CA")
    other, _ = make_ca("unrelated test CA")
    (d / "ca.pem").write_bytes(pem(ca))
    (d / "other-ca.pem").write_bytes(pem(other))
    server = write_server(d, "server", *make_server_cert(ca, ca_key, ["localhost"], ["127.0.0.1"]))
    wrong = write_server(d, "wrong-name", *make_server_cert(ca, ca_key, ["elsewhere.example"], []))
    return {"dir": d, "ca": str(d / "ca.pem"), "other_ca": str(d / "other-ca.pem"),
            "server": server, "wrong_name": wrong}


@pytest.fixture(scope="module")
def emu(pki):
    """One HTTPS emulator for the file (the tests count its STS calls)."""
    e = Emulator(access_key=ACCOUNT.access_key, secret_key=ACCOUNT.secret_key, region=ACCOUNT.region,
                 tls_cert=pki["server"][0], tls_key=pki["server"][1])
    e.start()
    yield e
    e.stop()


@pytest.fixture(scope="module")
def hashed_dir(pki):
    """A directory holding ca.pem under its OpenSSL subject-hash name, as
    SSL_CERT_DIR / CURLOPT_CAPATH expect (made with the openssl tool)."""
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("the openssl command is not installed (needed to name a hashed certificate directory)")
    h = subprocess.run([openssl, "x509", "-hash", "-noout", "-in", pki["ca"]], check=True,
                       capture_output=True, text=True).stdout.strip()
    d = pki["dir"] / "hashed"
    d.mkdir(exist_ok=True)
    shutil.copy(pki["ca"], d / f"{h}.0")
    return str(d)


# ---- the provider ----------------------------------------------------------

def sts_calls(emu):
    with emu.lock:
        return emu.counts.get(STS_CALL, 0)


def provider_env(**extra):
    """The account's credentials, none of the machine's trust or proxy
    settings, debug logs on; extra overrides (None removes)."""
    env = ACCOUNT.env()
    env.update({"AWS_CA_BUNDLE": None, "SSL_CERT_FILE": None, "SSL_CERT_DIR": None,
                "https_proxy": None, "HTTPS_PROXY": None, "all_proxy": None, "ALL_PROXY": None,
                "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost",
                "TF_LOG": "debug"})
    env.update(extra)
    return env


def configure(binary, endpoint, env, skip_validation=False):
    """ConfigureProvider with every endpoint at `endpoint` and credential
    validation on (unless skip_validation): (error diagnostics as
    (summary, detail), stderr text).  Asserts the provider then shuts down
    cleanly (no crash) and never logged the secret key."""
    p = plugin.start_provider(binary, env=env)
    try:
        schema = p.stub.GetProviderSchema(p.pb.GetProviderSchema.Request())
        resp = p.stub.ConfigureProvider(support.configure_request(
            p.pb, schema, ACCOUNT.region, endpoint,
            skip_credentials_validation=cty.BoolVal(skip_validation)))
        rc = p.shutdown()
    except BaseException:
        p.kill()
        raise
    logs = "\n".join(p.stderr_lines())
    assert rc == 0, logs
    assert "fatal error" not in logs
    assert ACCOUNT.secret_key not in logs
    return [(d.summary, d.detail) for d in resp.diagnostics if d.severity == 1], logs


def assert_configured(binary, emu, env, source):
    before = sts_calls(emu)
    errors, logs = configure(binary, emu.endpoint, env)
    assert errors == []
    assert sts_calls(emu) == before + 1
    assert f"CA certificates: {source}" in logs, logs


def assert_untrusted(binary, emu, env, source):
    """ConfigureProvider fails on the certificate, before any request
    reached the emulator, and says which CA certificates were trusted."""
    before = sts_calls(emu)
    errors, _ = configure(binary, emu.endpoint, env)
    assert len(errors) == 1, errors
    summary, detail = errors[0]
    assert summary == "STS GetCallerIdentity failed", errors
    assert "certificate" in detail.lower(), detail
    assert f"trusted CA certificates: {source}" in detail, detail
    assert sts_calls(emu) == before


# ---- the choice ------------------------------------------------------------

def test_emulator_serves_https(emu):
    assert emu.endpoint.startswith("https://127.0.0.1:")


def test_aws_ca_bundle_is_trusted(binary, emu, pki):
    assert_configured(binary, emu, provider_env(AWS_CA_BUNDLE=pki["ca"]),
                      f"AWS_CA_BUNDLE (file {pki['ca']})")


def test_ssl_cert_file_is_trusted(binary, emu, pki):
    assert_configured(binary, emu, provider_env(SSL_CERT_FILE=pki["ca"]),
                      f"SSL_CERT_FILE/SSL_CERT_DIR (file {pki['ca']}")


def test_ssl_cert_dir_is_trusted(binary, emu, hashed_dir):
    assert_configured(binary, emu, provider_env(SSL_CERT_DIR=hashed_dir),
                      "SSL_CERT_FILE/SSL_CERT_DIR (")


def test_system_store_does_not_trust_the_test_ca(binary, emu):
    assert_untrusted(binary, emu, provider_env(), "")


def test_aws_ca_bundle_wins_over_ssl_cert_file(binary, emu, pki):
    assert_configured(binary, emu, provider_env(AWS_CA_BUNDLE=pki["ca"], SSL_CERT_FILE=pki["other_ca"]),
                      f"AWS_CA_BUNDLE (file {pki['ca']})")
    assert_untrusted(binary, emu, provider_env(AWS_CA_BUNDLE=pki["other_ca"], SSL_CERT_FILE=pki["ca"]),
                     f"AWS_CA_BUNDLE (file {pki['other_ca']})")


def test_aws_ca_bundle_is_the_only_trust(binary, emu, pki, hashed_dir):
    """With AWS_CA_BUNDLE, no directory (SSL_CERT_DIR, /etc/ssl/certs,
    libcurl's built-in one) adds trust: the AWS SDKs use the bundle alone."""
    assert_untrusted(binary, emu, provider_env(AWS_CA_BUNDLE=pki["other_ca"], SSL_CERT_DIR=hashed_dir),
                     f"AWS_CA_BUNDLE (file {pki['other_ca']})")


def test_host_name_is_verified(binary, pki):
    """A certificate from the trusted CA for another host name is refused."""
    e = Emulator(access_key=ACCOUNT.access_key, secret_key=ACCOUNT.secret_key, region=ACCOUNT.region,
                 tls_cert=pki["wrong_name"][0], tls_key=pki["wrong_name"][1])
    e.start()
    try:
        assert_untrusted(binary, e, provider_env(AWS_CA_BUNDLE=pki["ca"]), "AWS_CA_BUNDLE")
    finally:
        e.stop()


# ---- unusable settings -----------------------------------------------------

UNUSABLE = [
    ("AWS_CA_BUNDLE", "/nonexistent/ca.pem", "does not exist"),
    ("AWS_CA_BUNDLE", "{dir}", "is a directory, not a PEM file"),
    ("AWS_CA_BUNDLE", "{dir}/not-pem.txt", "holds no PEM certificate"),
    ("SSL_CERT_FILE", "/nonexistent/ca.pem", "does not exist"),
    ("SSL_CERT_DIR", "/nonexistent/certs", "does not exist"),
    ("SSL_CERT_DIR", "{dir}/ca.pem", "is a file, not a directory"),
]


@pytest.mark.parametrize("variable, path, why", UNUSABLE)
def test_unusable_setting_is_an_error_naming_it(binary, emu, pki, variable, path, why):
    (pki["dir"] / "not-pem.txt").write_text("these are not the certificates you are looking for\n")
    path = path.format(dir=pki["dir"])
    before = sts_calls(emu)
    errors, _ = configure(binary, emu.endpoint, provider_env(**{variable: path}))
    assert len(errors) == 1, errors
    summary, detail = errors[0]
    assert summary == "Invalid AWS configuration"
    assert f'{variable} ' in detail and f'"{path}"' in detail and why in detail, detail
    assert sts_calls(emu) == before


def test_unusable_aws_ca_bundle_fails_even_without_validation(binary, emu):
    """The check belongs to the transport, not to the STS call: with
    skip_credentials_validation a bad AWS_CA_BUNDLE still fails at once."""
    errors, _ = configure(binary, emu.endpoint, provider_env(AWS_CA_BUNDLE="/nonexistent/ca.pem"),
                          skip_validation=True)
    assert len(errors) == 1 and "AWS_CA_BUNDLE" in errors[0][1], errors
