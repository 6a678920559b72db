"""Client certificates made the way go-plugin's AutoMTLS makes them.

Terraform starts every provider with go-plugin's ``AutoMTLS``: before it runs
the binary it creates a throw-away self-signed certificate (go-plugin
``mtls.go``, ``generateCert``) and hands the PEM to the plugin in the
``PLUGIN_CLIENT_CERT`` environment variable. The plugin pins exactly that
certificate as the only client CA, makes its own certificate the same way and
returns it (DER, unpadded base64) in the handshake line.

:func:`generate_client_cert` reproduces ``generateCert``:

- key: ECDSA on P-521, signature ECDSA with SHA-512 (what Go's x509 picks for
  a P-521 key);
- serial: uniformly random below 2**128;
- subject = issuer = O=HashiCorp, CN=localhost (self-signed);
- validity: from 30 seconds ago to 262980 hours (about 30 years) from now;
- extensions, in the order Go writes them: KeyUsage (critical)
  digitalSignature | keyEncipherment | keyAgreement | keyCertSign;
  ExtendedKeyUsage clientAuth, serverAuth; BasicConstraints (critical)
  CA=true with no path length; SubjectKeyIdentifier (Go adds one to every CA
  certificate, SHA-1 of the public key); SubjectAltName DNS:localhost;
- PEM blocks "CERTIFICATE" and "EC PRIVATE KEY" (SEC 1, unencrypted).

The private key never leaves this process except into the TLS stack; do not
log it.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "localhost"
ORGANIZATION = "HashiCorp"
# go-plugin: NotBefore = now - 30s, NotAfter = now + 262980h.
NOT_BEFORE_SKEW = datetime.timedelta(seconds=30)
LIFETIME = datetime.timedelta(hours=262980)
SERIAL_LIMIT = 1 << 128


@dataclass(frozen=True)
class ClientCertificate:
    """A certificate and its key, both PEM-encoded bytes."""

    cert_pem: bytes
    key_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def __repr__(self) -> str:  # never show the key
        return f"ClientCertificate(serial={self.certificate.serial_number:x})"


def _name() -> x509.Name:
    # Go's pkix.Name orders O before CN, one attribute per RDN.
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        x509.NameAttribute(NameOID.COMMON_NAME, HOST),
    ])


def generate_client_cert(now: datetime.datetime | None = None) -> ClientCertificate:
    """Return a new certificate/key pair exactly like go-plugin's generateCert.

    ``now`` (an aware or naive UTC datetime) is for tests; it defaults to the
    current time.
    """
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    now = now.replace(microsecond=0)

    key = ec.generate_private_key(ec.SECP521R1())
    serial = 0
    while serial == 0:  # x509 serials must be positive; 0 has odds 2**-128
        serial = secrets.randbelow(SERIAL_LIMIT)

    name = _name()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - NOT_BEFORE_SKEW)
        .not_valid_after(now + LIFETIME)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([
                ExtendedKeyUsageOID.CLIENT_AUTH,
                ExtendedKeyUsageOID.SERVER_AUTH,
            ]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
    )
    cert = builder.sign(key, hashes.SHA512())

    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # "EC PRIVATE KEY"
        serialization.NoEncryption(),
    )
    return ClientCertificate(cert_pem=cert_pem, key_pem=key_pem)


def der_to_pem(der: bytes) -> bytes:
    """Parse a DER certificate (raises ValueError if it is not one) and return PEM."""
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
