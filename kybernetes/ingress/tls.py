# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""TLS material for the ingress: checking kubernetes.io/tls Secrets (a certificate,
its matching key, the host it must name) and the self-signed certificate served when a
host has none that works (ingress-nginx's "Kubernetes Ingress Controller Fake
Certificate")."""
from __future__ import annotations

import base64
import binascii
import datetime
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

FAKE_CERT_COMMON_NAME = "Kubernetes Ingress Controller Fake Certificate"


class TLSError(ValueError):
    """A Secret that cannot serve TLS; the message says why."""


@dataclass(frozen=True)
class Certificate:
    pem: bytes  # certificate chain then key, as nginx's ssl_certificate(_key) read it
    names: tuple[str, ...]  # DNS names (SANs, else the common name)


def secret_pair(secret: dict) -> tuple[bytes, bytes]:
    """tls.crt and tls.key of a Secret, decoded."""
    data = secret.get("data") or {}
    missing = [k for k in ("tls.crt", "tls.key") if not data.get(k)]
    if missing:
        raise TLSError(f"no {' and '.join(missing)} in the secret")
    try:
        return base64.b64decode(data["tls.crt"]), base64.b64decode(data["tls.key"])
    except (binascii.Error, ValueError):
        raise TLSError("tls.crt or tls.key is not base64") from None


@functools.lru_cache(maxsize=512)
def load_certificate(cert_pem: bytes, key_pem: bytes) -> Certificate:
    """Parse and check a certificate and key (cached: Secrets rarely change)."""
    try:
        chain = x509.load_pem_x509_certificates(cert_pem)
    except ValueError as exc:
        raise TLSError(f"tls.crt is not a PEM certificate: {exc}") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise TLSError(f"tls.key is not an unencrypted PEM private key: {exc}") from None
    leaf = chain[0]
    public = lambda k: k.public_bytes(serialization.Encoding.DER,  # noqa: E731
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    if public(leaf.public_key()) != public(key.public_key()):
        raise TLSError("tls.key does not match the certificate in tls.crt")
    try:
        names = tuple(leaf.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = tuple(a.value for a in leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
                      if isinstance(a.value, str))
    body = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    key_body = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return Certificate(pem=body + key_body, names=names)


def name_matches(pattern: str, host: str) -> bool:
    """RFC 6125 matching as Go's VerifyHostname: a wildcard stands for one whole label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern == host:
        return True
    if pattern.startswith("*.") and host.startswith("*."):
        return pattern == host
    if pattern.startswith("*."):
        first, _, rest = host.partition(".")
        return bool(first) and rest == pattern[2:]
    return False


def covers(certificate: Certificate, host: str) -> bool:
    return any(name_matches(name, host) for name in certificate.names)


def fake_certificate(now: datetime.datetime | None = None) -> bytes:
    """ingress-nginx's default certificate: self-signed, RSA 2048, a year long, for
    ingress.local; served where no Secret gives a certificate for the host."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Co"),
                      x509.NameAttribute(NameOID.COMMON_NAME, FAKE_CERT_COMMON_NAME)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("ingress.local")]),
                           critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True,
                                         content_commitment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def still_valid(pem: bytes, now: datetime.datetime | None = None) -> bool:
    """Whether a stored fake certificate can be used again (parses, not near expiry)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    try:
        cert = x509.load_pem_x509_certificate(pem)
        serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        return False
    return cert.not_valid_after_utc > now + datetime.timedelta(days=7)
