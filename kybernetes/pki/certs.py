# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The cluster's certificates: a CA, serving and client certificates, and the kubeadm layout.

Keys are ECDSA P-256 (kubeadm's `encryptionAlgorithm: ECDSA-P256`) rather than kubeadm's
default RSA 2048: every client we target (kubectl, client-go, Python's ssl, the kubernetes
client) accepts them, and generating one takes about a millisecond instead of tens to
hundreds, which matters for a server meant to start in well under a second. The
service-account signing key stays RSA 2048 because service-account tokens are RS256,
as upstream issues them and as every token verifier expects.

`ensure_pki` keeps kubeadm's file names under one directory and is idempotent: it reuses
what is there and re-issues only what is missing, expired, not signed by the current CA
or, for the API server's serving certificate, issued for other names.
"""
from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import os
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "PKIError", "CertPair", "new_ca", "new_serving_cert", "new_client_cert", "load_pair",
    "write_pair", "ca_hash", "cert_sans", "default_serving_sans", "is_signed_by", "expires_within",
    "ClusterPKI", "ensure_pki", "new_service_account_key", "write_file_atomic",
]

# Certificates are back-dated so that a node whose clock is a little behind accepts them.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# A certificate this close to expiry is treated as expired and re-issued.
RENEW_BEFORE = datetime.timedelta(days=1)


class PKIError(Exception):
    """The PKI directory cannot be brought to a usable state (a CA certificate without its key)."""


@dataclass
class CertPair:
    """A PEM certificate and its PEM private key."""
    cert_pem: bytes
    key_pem: bytes

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def private_key(self):
        return serialization.load_pem_private_key(self.key_pem, password=None)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key) -> bytes:
    # "EC PRIVATE KEY" / "RSA PRIVATE KEY", the forms kubeadm writes.
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _name(common_name: str, organizations: Iterable[str] = ()) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def new_ca(common_name: str = "kubernetes", days: int = 3650) -> CertPair:
    """A self-signed CA certificate, valid `days` days."""
    key = _new_key()
    now = _now()
    subject = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def _issue(ca: CertPair, subject: x509.Name, usage: x509.ObjectIdentifier, days: int,
           sans: list[x509.GeneralName] | None = None) -> CertPair:
    ca_cert, ca_key = ca.certificate(), ca.private_key()
    key = _new_key()
    now = _now()
    not_after = min(now + datetime.timedelta(days=days), ca_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return CertPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def new_serving_cert(ca: CertPair, common_name: str, dns_names: list[str], ips: list[str],
                     days: int = 365) -> CertPair:
    """A TLS server certificate (serverAuth) for the given names and addresses."""
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in dict.fromkeys(dns_names)]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in dict.fromkeys(ips)]
    return _issue(ca, _name(common_name), ExtendedKeyUsageOID.SERVER_AUTH, days, sans)


def new_client_cert(ca: CertPair, user: str, groups: list[str], days: int = 365) -> CertPair:
    """A TLS client certificate (clientAuth): CN is the user name, each O a group."""
    return _issue(ca, _name(user, groups), ExtendedKeyUsageOID.CLIENT_AUTH, days)


def new_service_account_key() -> tuple[bytes, bytes]:
    """(private PEM, public PEM) of an RSA 2048 key for signing service-account tokens."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return _key_pem(key), public


def load_pair(cert_path: str | os.PathLike, key_path: str | os.PathLike) -> CertPair:
    return CertPair(Path(cert_path).read_bytes(), Path(key_path).read_bytes())


def write_file_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write atomically (temporary file, then rename) with the given permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_pair(pair: CertPair, cert_path: str | os.PathLike, key_path: str | os.PathLike) -> None:
    """Write the certificate (0644) and the key (0600)."""
    write_file_atomic(Path(key_path), pair.key_pem, 0o600)
    write_file_atomic(Path(cert_path), pair.cert_pem, 0o644)


def ca_hash(ca_cert_pem: bytes) -> str:
    """`sha256:<hex>` of the CA's DER SubjectPublicKeyInfo (kubeadm's discovery-token-ca-cert-hash)."""
    cert = x509.load_pem_x509_certificate(ca_cert_pem)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(spki).hexdigest()


def cert_sans(cert_pem: bytes) -> tuple[set[str], set[str]]:
    """(DNS names, IP addresses) in the certificate's subjectAltName."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), set()
    return set(san.get_values_for_type(x509.DNSName)), {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}


def is_signed_by(cert_pem: bytes, ca_cert_pem: bytes) -> bool:
    """True when `ca_cert_pem` issued and signed the certificate."""
    cert, ca_cert = x509.load_pem_x509_certificate(cert_pem), x509.load_pem_x509_certificate(ca_cert_pem)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def expires_within(cert_pem: bytes, margin: datetime.timedelta = RENEW_BEFORE) -> bool:
    """True when the certificate is expired, not yet valid, or expires within `margin`."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    now = _now()
    return cert.not_valid_after_utc - margin <= now or cert.not_valid_before_utc > now + CLOCK_SKEW


# --- serving certificate names -----------------------------------------------------------

def _usable_host_ip(text: str) -> str | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
        return None
    return str(ip)


def host_addresses() -> list[str]:
    """This machine's non-loopback addresses: the host name's addresses plus `ip -j addr`."""
    found: list[str] = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.append(info[4][0])
    except OSError:
        pass
    try:
        out = subprocess.run(["ip", "-j", "addr"], capture_output=True, timeout=5, check=True).stdout
        for interface in json.loads(out or b"[]"):
            for addr in interface.get("addr_info", []):
                if "local" in addr:
                    found.append(addr["local"])
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    usable = (_usable_host_ip(a) for a in found)
    return list(dict.fromkeys(ip for ip in usable if ip))


def service_cidr_first_ips(service_cidr: str) -> list[str]:
    """The first address of each (comma-separated) service CIDR: the `kubernetes` Service's IP."""
    return [str(ipaddress.ip_network(part.strip(), strict=False)[1])
            for part in service_cidr.split(",") if part.strip()]


def default_serving_sans(service_cidr: str, cluster_domain: str = "cluster.local",
                         extra: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(DNS names, IPs) the API server's certificate covers: local names, the host, the
    `kubernetes` Service's names and address, and every `--tls-san` in `extra`."""
    hostname = socket.gethostname()
    dns = ["localhost", hostname, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
           f"kubernetes.default.svc.{cluster_domain}"]
    ips = ["127.0.0.1", *host_addresses(), *service_cidr_first_ips(service_cidr)]
    for item in extra:
        item = item.strip()
        if not item:
            continue
        try:
            ips.append(str(ipaddress.ip_address(item)))
        except ValueError:
            dns.append(item)
    return list(dict.fromkeys(d for d in dns if d)), list(dict.fromkeys(ips))


# --- the cluster's PKI directory ------------------------------------------------------------

APISERVER_CN = "kube-apiserver"
APISERVER_KUBELET_CLIENT_CN = "kube-apiserver-kubelet-client"
# kubeadm 1.29+ puts this client in kubeadm:cluster-admins; we have no kubeadm binding for
# that group, so it gets system:masters as older kubeadm did.
APISERVER_KUBELET_CLIENT_GROUPS = ["system:masters"]
FRONT_PROXY_CA_CN = "front-proxy-ca"
FRONT_PROXY_CLIENT_CN = "front-proxy-client"
ADMIN_USER, ADMIN_GROUPS = "admin", ["system:masters"]


@dataclass
class ClusterPKI:
    pki_dir: Path
    ca: CertPair
    apiserver: CertPair
    apiserver_kubelet_client: CertPair
    front_proxy_ca: CertPair
    front_proxy_client: CertPair
    admin: CertPair
    service_account_key_pem: bytes
    service_account_pub_pem: bytes
    issued: list[str] = field(default_factory=list)  # base names (re)written by this call

    def path(self, name: str) -> Path:
        """e.g. `path("ca.crt")`, for flags such as --client-ca-file."""
        return self.pki_dir / name


def _normalize_ips(ips: Iterable[str]) -> set[str]:
    return {str(ipaddress.ip_address(ip)) for ip in ips}


def _load_if_present(pki_dir: Path, base: str) -> CertPair | None:
    cert, key = pki_dir / f"{base}.crt", pki_dir / f"{base}.key"
    if cert.exists() and key.exists():
        return load_pair(cert, key)
    return None


def _ensure_ca(pki_dir: Path, base: str, common_name: str, issued: list[str]) -> CertPair:
    pair = _load_if_present(pki_dir, base)
    if pair is not None and not expires_within(pair.cert_pem):
        return pair
    if (pki_dir / f"{base}.crt").exists() and not (pki_dir / f"{base}.key").exists():
        raise PKIError(f"{pki_dir / (base + '.crt')} exists without its key {base}.key: cannot sign with it")
    pair = new_ca(common_name)
    write_pair(pair, pki_dir / f"{base}.crt", pki_dir / f"{base}.key")
    issued.append(base)
    return pair


def _ensure_leaf(pki_dir: Path, base: str, ca: CertPair, issued: list[str], make, wanted_sans=None) -> CertPair:
    pair = _load_if_present(pki_dir, base)
    if pair is not None and not expires_within(pair.cert_pem) and is_signed_by(pair.cert_pem, ca.cert_pem):
        if wanted_sans is None:
            return pair
        have_dns, have_ips = cert_sans(pair.cert_pem)
        if have_dns == set(wanted_sans[0]) and have_ips == _normalize_ips(wanted_sans[1]):
            return pair
    pair = make()
    write_pair(pair, pki_dir / f"{base}.crt", pki_dir / f"{base}.key")
    issued.append(base)
    return pair


def _ensure_service_account_key(pki_dir: Path, issued: list[str]) -> tuple[bytes, bytes]:
    key_path, pub_path = pki_dir / "sa.key", pki_dir / "sa.pub"
    if key_path.exists():
        key_pem = key_path.read_bytes()
        public = serialization.load_pem_private_key(key_pem, password=None).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        if not pub_path.exists() or pub_path.read_bytes() != public:
            write_file_atomic(pub_path, public, 0o644)
            issued.append("sa.pub")
        return key_pem, public
    key_pem, public = new_service_account_key()
    write_file_atomic(key_path, key_pem, 0o600)
    write_file_atomic(pub_path, public, 0o644)
    issued.append("sa")
    return key_pem, public


def ensure_pki(pki_dir: str | os.PathLike, sans: tuple[Iterable[str], Iterable[str]]) -> ClusterPKI:
    """Create or reuse the cluster's certificates under `pki_dir` with kubeadm's file names.

    `sans` is (DNS names, IPs) for apiserver.crt (see `default_serving_sans`).
    """
    pki_dir = Path(pki_dir)
    pki_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(pki_dir, 0o700)
    dns, ips = list(dict.fromkeys(sans[0])), [str(ipaddress.ip_address(ip)) for ip in dict.fromkeys(sans[1])]
    issued: list[str] = []
    ca = _ensure_ca(pki_dir, "ca", "kubernetes", issued)
    apiserver = _ensure_leaf(pki_dir, "apiserver", ca, issued,
                             lambda: new_serving_cert(ca, APISERVER_CN, dns, ips), wanted_sans=(dns, ips))
    kubelet_client = _ensure_leaf(pki_dir, "apiserver-kubelet-client", ca, issued,
                                  lambda: new_client_cert(ca, APISERVER_KUBELET_CLIENT_CN,
                                                          APISERVER_KUBELET_CLIENT_GROUPS))
    front_proxy_ca = _ensure_ca(pki_dir, "front-proxy-ca", FRONT_PROXY_CA_CN, issued)
    front_proxy_client = _ensure_leaf(pki_dir, "front-proxy-client", front_proxy_ca, issued,
                                      lambda: new_client_cert(front_proxy_ca, FRONT_PROXY_CLIENT_CN, []))
    admin = _ensure_leaf(pki_dir, "admin", ca, issued, lambda: new_client_cert(ca, ADMIN_USER, ADMIN_GROUPS))
    sa_key, sa_pub = _ensure_service_account_key(pki_dir, issued)
    return ClusterPKI(pki_dir, ca, apiserver, kubelet_client, front_proxy_ca, front_proxy_client, admin,
                      sa_key, sa_pub, issued)
