# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Tests for the cluster PKI (certificates, kubeadm layout) and kubeconfig files."""
from __future__ import annotations

import datetime
import ipaddress
import shutil
import socket
import ssl
import stat
import subprocess
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kybernetes.pki import certs
from kybernetes.pki.certs import (
    CertPair, ca_hash, cert_sans, default_serving_sans, ensure_pki, is_signed_by, load_pair,
    new_ca, new_client_cert, new_serving_cert, write_pair,
)
from kybernetes.pki.kubeconfig import KubeconfigError, kubeconfig_yaml, load_kubeconfig, write_kubeconfig


@pytest.fixture(scope="module")
def ca() -> CertPair:
    return new_ca()


def _verify(cert: x509.Certificate, ca_cert: x509.Certificate) -> None:
    public = ca_cert.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    else:
        public.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)


def test_ca_is_self_signed_ca(ca):
    cert = ca.certificate()
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kubernetes"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    _verify(cert, cert)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > datetime.timedelta(days=3649)


def test_serving_cert_verifies_and_has_sans(ca):
    pair = new_serving_cert(ca, "kube-apiserver", ["localhost", "kubernetes.default.svc"], ["127.0.0.1", "10.96.0.1", "::1"])
    cert = pair.certificate()
    _verify(cert, ca.certificate())
    cert.verify_directly_issued_by(ca.certificate())
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert_sans(pair.cert_pem) == ({"localhost", "kubernetes.default.svc"}, {"127.0.0.1", "10.96.0.1", "::1"})
    # The key in the pair belongs to the certificate.
    assert pair.private_key().public_key().public_numbers() == cert.public_key().public_numbers()


def test_client_cert_subject(ca):
    pair = new_client_cert(ca, "alice", ["devs", "system:masters"])
    cert = pair.certificate()
    _verify(cert, ca.certificate())
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)] == ["alice"]
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["devs", "system:masters"]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert is_signed_by(pair.cert_pem, ca.cert_pem)
    assert not is_signed_by(pair.cert_pem, new_ca().cert_pem)


def test_write_and_load_pair_modes(tmp_path, ca):
    write_pair(ca, tmp_path / "x" / "ca.crt", tmp_path / "x" / "ca.key")
    assert stat.S_IMODE((tmp_path / "x" / "ca.key").stat().st_mode) == 0o600
    assert load_pair(tmp_path / "x" / "ca.crt", tmp_path / "x" / "ca.key") == ca


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_ca_hash_matches_openssl_pipeline(ca):
    pubkey = subprocess.run(["openssl", "x509", "-pubkey", "-noout"], input=ca.cert_pem,
                            capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pubkey,
                         capture_output=True, check=True).stdout
    digest = subprocess.run(["sha256sum"], input=der, capture_output=True, check=True).stdout.split()[0]
    assert ca_hash(ca.cert_pem) == "sha256:" + digest.decode()


def test_default_serving_sans(monkeypatch):
    monkeypatch.setattr(certs, "host_addresses", lambda: ["192.0.2.7"])
    dns, ips = default_serving_sans("10.96.0.0/12", "corp.local", ["api.example.com", "203.0.113.9", "::1"])
    assert dns[:1] == ["localhost"]
    for name in ("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                 "kubernetes.default.svc.corp.local", "api.example.com", socket.gethostname()):
        assert name in dns
    assert set(ips) == {"127.0.0.1", "192.0.2.7", "10.96.0.1", "203.0.113.9", "::1"}
    assert "203.0.113.9" not in dns


def test_host_addresses_exclude_loopback():
    addresses = certs.host_addresses()
    assert "127.0.0.1" not in addresses and "::1" not in addresses


def test_ensure_pki_layout_and_idempotence(tmp_path):
    sans = (["localhost", "kubernetes"], ["127.0.0.1", "10.96.0.1"])
    first = ensure_pki(tmp_path / "pki", sans)
    names = {p.name for p in (tmp_path / "pki").iterdir()}
    assert names == {"ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "apiserver-kubelet-client.crt",
                     "apiserver-kubelet-client.key", "front-proxy-ca.crt", "front-proxy-ca.key",
                     "front-proxy-client.crt", "front-proxy-client.key", "sa.key", "sa.pub",
                     "admin.crt", "admin.key"}
    for name in names:
        mode = stat.S_IMODE((tmp_path / "pki" / name).stat().st_mode)
        assert mode == (0o600 if name.endswith(".key") else 0o644), name
    admin = first.admin.certificate()
    assert admin.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "admin"
    assert admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    assert is_signed_by(first.front_proxy_client.cert_pem, first.front_proxy_ca.cert_pem)
    assert not is_signed_by(first.front_proxy_client.cert_pem, first.ca.cert_pem)
    sa = serialization.load_pem_private_key(first.service_account_key_pem, None)
    assert isinstance(sa, rsa.RSAPrivateKey)
    assert serialization.load_pem_public_key(first.service_account_pub_pem).public_numbers() == \
        sa.public_key().public_numbers()

    second = ensure_pki(tmp_path / "pki", (["kubernetes", "localhost"], ["10.96.0.1", "127.0.0.1"]))
    assert second.issued == []
    assert second.ca == first.ca and second.apiserver == first.apiserver and second.admin == first.admin
    assert second.service_account_key_pem == first.service_account_key_pem


def test_ensure_pki_reissues_on_san_change_only(tmp_path):
    first = ensure_pki(tmp_path, (["localhost"], ["127.0.0.1"]))
    changed = ensure_pki(tmp_path, (["localhost", "api.example.com"], ["127.0.0.1"]))
    assert changed.issued == ["apiserver"]
    assert changed.ca == first.ca and changed.admin == first.admin
    assert changed.apiserver != first.apiserver
    assert cert_sans(changed.apiserver.cert_pem) == ({"localhost", "api.example.com"}, {"127.0.0.1"})
    assert is_signed_by(changed.apiserver.cert_pem, first.ca.cert_pem)


def test_ensure_pki_reissues_expired_serving_cert(tmp_path):
    first = ensure_pki(tmp_path, (["localhost"], ["127.0.0.1"]))
    # Replace apiserver.crt with one that expired yesterday, same names and CA.
    ca_cert, ca_key = first.ca.certificate(), first.ca.private_key()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    expired = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
               .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(7)
               .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now - datetime.timedelta(days=1))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                           x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))
    (tmp_path / "apiserver.crt").write_bytes(expired.public_bytes(serialization.Encoding.PEM))
    again = ensure_pki(tmp_path, (["localhost"], ["127.0.0.1"]))
    assert again.issued == ["apiserver"]
    assert again.apiserver.certificate().not_valid_after_utc > now


def test_ensure_pki_ca_cert_without_key_is_an_error(tmp_path):
    ensure_pki(tmp_path, (["localhost"], ["127.0.0.1"]))
    (tmp_path / "ca.key").unlink()
    (tmp_path / "apiserver.crt").unlink()
    with pytest.raises(certs.PKIError, match="ca.crt exists without its key"):
        ensure_pki(tmp_path, (["localhost"], ["127.0.0.1"]))


def test_kubeconfig_round_trip(tmp_path, ca):
    admin = new_client_cert(ca, "admin", ["system:masters"])
    text = kubeconfig_yaml("https://127.0.0.1:6443", ca.cert_pem, client=admin)
    path = tmp_path / "admin.kubeconfig"
    write_kubeconfig(path, text)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["admin.kubeconfig"]  # no temp file left
    config = load_kubeconfig(path)
    assert config["current-context"] == "kybernetes" and config["kind"] == "Config"
    assert config.server() == "https://127.0.0.1:6443"
    assert config.ca_pem() == ca.cert_pem
    assert config.client_cert_pem() == admin.cert_pem and config.client_key_pem() == admin.key_pem
    assert config.token() is None
    assert config.namespace() == "default"
    with pytest.raises(KubeconfigError):
        config.server("missing-context")


def test_kubeconfig_token_and_file_references(tmp_path, ca):
    text = kubeconfig_yaml("https://10.0.0.1:6443", ca.cert_pem, token="abc.def", user_name="bob",
                           context_name="ctx", cluster_name="c1", namespace="team")
    write_kubeconfig(tmp_path / "bob.conf", text)
    config = load_kubeconfig(tmp_path / "bob.conf")
    assert config.token() == "abc.def" and config.client_cert_pem() is None
    assert config.namespace() == "team" and config.context()["user"] == "bob"
    # A hand-written kubeconfig with relative file paths, as seed clusters use.
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_bytes(ca.cert_pem)
    (tmp_path / "tok").write_text("filetoken\n")
    (tmp_path / "k.yaml").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'https://h:6443', certificate-authority: certs/ca.pem}}]\n"
        "users: [{name: u, user: {tokenFile: tok}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n")
    other = load_kubeconfig(tmp_path / "k.yaml")
    assert other.ca_pem() == ca.cert_pem and other.token() == "filetoken"


def test_tls_handshake_with_client_certificate(tmp_path):
    pki = ensure_pki(tmp_path / "pki", (["localhost"], ["127.0.0.1"]))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(pki.path("apiserver.crt"), pki.path("apiserver.key"))
    server_ctx.load_verify_locations(pki.path("ca.crt"))
    server_ctx.verify_mode = ssl.CERT_OPTIONAL

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: dict = {}

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            seen["peer"] = tls.getpeercert()
            tls.sendall(b"ok")

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(pki.path("ca.crt")))
        client_ctx.load_cert_chain(pki.path("admin.crt"), pki.path("admin.key"))
        with socket.create_connection(("127.0.0.1", port)) as raw:
            with client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.recv(2) == b"ok"
                server_cert = tls.getpeercert()
    finally:
        thread.join()
        listener.close()
    subject = dict(item for rdn in seen["peer"]["subject"] for item in rdn)
    assert subject["commonName"] == "admin" and subject["organizationName"] == "system:masters"
    assert ("DNS", "localhost") in server_cert["subjectAltName"]
    assert ("IP Address", "127.0.0.1") in server_cert["subjectAltName"]


def test_tls_rejects_server_cert_for_other_name(tmp_path):
    pki = ensure_pki(tmp_path / "pki", (["localhost"], ["127.0.0.1"]))
    client_ctx = ssl.create_default_context(cafile=str(pki.path("ca.crt")))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(pki.path("apiserver.crt"), pki.path("apiserver.key"))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            server_ctx.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            conn.close()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port)) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                client_ctx.wrap_socket(raw, server_hostname="not-in-the-cert.example")
    finally:
        thread.join()
        listener.close()
