# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Authenticators: client certificates, the static token file, bootstrap tokens and
where a bearer token is found in a request."""
from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from aiohttp.test_utils import make_mocked_request
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from kybernetes.apiserver.authn import AuthenticationError, bootstrap
from kybernetes.apiserver.authn.chain import bearer_token
from kybernetes.apiserver.authn.tokenfile import (TokenFileAuthenticator, TokenFileError,
                                                  parse_token_file)
from kybernetes.apiserver.authn.x509 import ClientCertificateAuthenticator
from kybernetes.pki import certs

UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def ca():
    return certs.new_ca()


def _der(pair: certs.CertPair) -> bytes:
    return pair.certificate().public_bytes(serialization.Encoding.DER)


def test_client_certificate_user(ca):
    authenticator = ClientCertificateAuthenticator(ca.cert_pem)
    der = _der(certs.new_client_cert(ca, "alice", ["devs", "ops"]))
    user = authenticator.authenticate(der)
    assert user == {"name": "alice", "groups": ["devs", "ops", "system:authenticated"],
                    "uid": "", "extra": {"authentication.kubernetes.io/credential-id": [
                        "X509SHA256=" + hashlib.sha256(der).hexdigest()]}}


def test_client_certificate_without_common_name_has_no_opinion(ca):
    from cryptography.x509.oid import NameOID
    genuine = certs.new_client_cert(ca, "x", []).certificate()
    nameless = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "g")]))
                .issuer_name(genuine.issuer).public_key(genuine.public_key())
                .serial_number(genuine.serial_number).not_valid_before(genuine.not_valid_before_utc)
                .not_valid_after(genuine.not_valid_after_utc).sign(ca.private_key(), hashes.SHA256()))
    assert ClientCertificateAuthenticator(ca.cert_pem).authenticate(
        nameless.public_bytes(serialization.Encoding.DER)) is None


def test_client_certificate_from_another_ca_is_refused(ca):
    authenticator = ClientCertificateAuthenticator(ca.cert_pem)
    other = certs.new_ca()
    with pytest.raises(AuthenticationError, match="unknown authority"):
        authenticator.authenticate(_der(certs.new_client_cert(other, "admin", ["system:masters"])))


def test_expired_client_certificate_is_refused(ca):
    authenticator = ClientCertificateAuthenticator(ca.cert_pem)
    der = _der(certs.new_client_cert(ca, "bob", []))
    later = datetime.datetime.now(UTC) + datetime.timedelta(days=400)
    with pytest.raises(AuthenticationError, match="expired"):
        authenticator.authenticate(der, now=later)
    earlier = datetime.datetime.now(UTC) - datetime.timedelta(days=1)
    with pytest.raises(AuthenticationError, match="not yet valid"):
        authenticator.authenticate(der, now=earlier)


def test_serving_certificate_is_not_a_client_certificate(ca):
    authenticator = ClientCertificateAuthenticator(ca.cert_pem)
    serving = certs.new_serving_cert(ca, "kube-apiserver", ["localhost"], ["127.0.0.1"])
    with pytest.raises(AuthenticationError, match="key usage"):
        authenticator.authenticate(_der(serving))


def test_certificate_with_wrong_signature_is_refused(ca):
    genuine = certs.new_client_cert(ca, "carol", []).certificate()
    impostor_key = certs.new_ca().private_key()
    forged = (x509.CertificateBuilder().subject_name(genuine.subject).issuer_name(genuine.issuer)
              .public_key(genuine.public_key()).serial_number(genuine.serial_number)
              .not_valid_before(genuine.not_valid_before_utc)
              .not_valid_after(genuine.not_valid_after_utc).sign(impostor_key, hashes.SHA256()))
    with pytest.raises(AuthenticationError):
        ClientCertificateAuthenticator(ca.cert_pem).authenticate(
            forged.public_bytes(serialization.Encoding.DER))


def test_token_file_parsing():
    tokens = parse_token_file('tok1,alice,uid-1,"devs,ops"\n'
                              'tok2, bob, uid-2\n'
                              '\n'
                              ',nobody,uid-3\n'
                              'tok1,alice2,uid-4\n')
    assert tokens["tok1"] == {"name": "alice2", "groups": [], "uid": "uid-4", "extra": {}}
    assert tokens["tok2"] == {"name": "bob", "groups": [], "uid": "uid-2", "extra": {}}
    assert len(tokens) == 2
    only_groups = parse_token_file('t,carol,u3,"a, b"\n')
    assert only_groups["t"]["groups"] == ["a", "b"]
    with pytest.raises(TokenFileError, match="at least 3 columns"):
        parse_token_file("tok,user\n", "/etc/tokens.csv")


def test_token_file_authenticator_adds_authenticated_group():
    authenticator = TokenFileAuthenticator(parse_token_file('t,carol,u3,"g"\n'))
    assert authenticator.authenticate_token("t")["groups"] == ["g", "system:authenticated"]
    assert authenticator.authenticate_token("t")["groups"] == ["g", "system:authenticated"]
    assert authenticator.authenticate_token("u") is None


def _secret(**data) -> dict:
    values = {"token-id": "abcdef", "token-secret": "0123456789abcdef",
              "usage-bootstrap-authentication": "true"} | data
    return {"metadata": {"name": "bootstrap-token-abcdef", "namespace": "kube-system"},
            "type": "bootstrap.kubernetes.io/token",
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}}


def test_bootstrap_token_matching():
    now = datetime.datetime(2030, 1, 1, tzinfo=UTC)
    assert bootstrap.parse_token("abcdef.0123456789abcdef") == ("abcdef", "0123456789abcdef")
    assert bootstrap.parse_token("ABCDEF.0123456789abcdef") is None
    assert bootstrap.parse_token("abcdef.0123") is None
    user = bootstrap.user_from_secret(
        "abcdef", "0123456789abcdef",
        _secret(**{"auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token"}), now)
    assert user == {"name": "system:bootstrap:abcdef", "uid": "", "extra": {},
                    "groups": ["system:bootstrappers",
                               "system:bootstrappers:kubeadm:default-node-token",
                               "system:authenticated"]}
    assert bootstrap.user_from_secret("abcdef", "ffffffffffffffff", _secret(), now) is None
    assert bootstrap.user_from_secret(
        "abcdef", "0123456789abcdef", _secret(**{"usage-bootstrap-authentication": "false"}), now) is None
    assert bootstrap.user_from_secret(
        "abcdef", "0123456789abcdef", _secret(expiration="2029-12-31T23:59:59Z"), now) is None
    assert bootstrap.user_from_secret(
        "abcdef", "0123456789abcdef", _secret(expiration="2030-01-02T00:00:00Z"), now) is not None
    wrong_type = dict(_secret(), type="Opaque")
    assert bootstrap.user_from_secret("abcdef", "0123456789abcdef", wrong_type, now) is None
    bad_group = _secret(**{"auth-extra-groups": "system:masters"})
    assert bootstrap.user_from_secret("abcdef", "0123456789abcdef", bad_group, now) is None


def test_bearer_token_sources():
    assert bearer_token(make_mocked_request("GET", "/", headers={"Authorization": "Bearer abc"})) == "abc"
    assert bearer_token(make_mocked_request("GET", "/", headers={"Authorization": "Basic eA=="})) is None
    assert bearer_token(make_mocked_request("GET", "/", headers={"Authorization": "Bearer "})) is None
    encoded = base64.urlsafe_b64encode(b"tok.en").rstrip(b"=").decode()
    websocket = make_mocked_request("GET", "/", headers={
        "Upgrade": "websocket", "Connection": "Upgrade",
        "Sec-WebSocket-Protocol": f"v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.{encoded}"})
    assert bearer_token(websocket) == "tok.en"
    broken = make_mocked_request("GET", "/", headers={
        "Upgrade": "websocket", "Sec-WebSocket-Protocol": "base64url.bearer.authorization.k8s.io.!!"})
    with pytest.raises(AuthenticationError):
        bearer_token(broken)


def test_verified_certificate_is_remembered_only_while_valid(ca):
    authenticator = ClientCertificateAuthenticator(ca.cert_pem)
    der = _der(certs.new_client_cert(ca, "dave", ["g"]))
    first = authenticator.authenticate(der)
    first["groups"].append("tampered")  # callers get their own copy
    assert authenticator.authenticate(der)["groups"] == ["g", "system:authenticated"]
    later = datetime.datetime.now(UTC) + datetime.timedelta(days=400)
    with pytest.raises(AuthenticationError, match="expired"):
        authenticator.authenticate(der, now=later)


def test_token_subprotocol_is_not_passed_on():
    from kybernetes.apiserver.authn.chain import without_token_protocol
    request = make_mocked_request("GET", "/", headers={
        "Upgrade": "websocket",
        "Sec-WebSocket-Protocol": "base64url.bearer.authorization.k8s.io.dG9r, v5.channel.k8s.io"})
    assert without_token_protocol(request).headers["Sec-WebSocket-Protocol"] == "v5.channel.k8s.io"
    plain = make_mocked_request("GET", "/", headers={"Sec-WebSocket-Protocol": "v4.channel.k8s.io"})
    assert without_token_protocol(plain) is plain
