# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""CSR rules per signer, signing, expirationSeconds, auto-approval decisions, join's CSR."""
from __future__ import annotations

import base64
import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kybernetes.cli.bootstrap_join import JoinError, csr_object, csr_outcome, node_csr
from kybernetes.controllers import csrapproving, csrsigning
from kybernetes.pki import certs

NOW = datetime.datetime.now(datetime.timezone.utc)


def request(cn: str, orgs: list[str] = (), dns: list[str] = (), ips: list[str] = ()) -> x509.CertificateSigningRequest:
    names = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    names.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(names))
    sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())


def spec_of(req: x509.CertificateSigningRequest, **extra) -> dict:
    return {"request": base64.b64encode(req.public_bytes(serialization.Encoding.PEM)).decode(), **extra}


CLIENT = ["digital signature", "client auth"]
SERVING = ["digital signature", "server auth"]


def test_kubelet_client_rules() -> None:
    good = request("system:node:n1", ["system:nodes"])
    csrsigning.validate(csrsigning.KUBELET_CLIENT, good, CLIENT)
    csrsigning.validate(csrsigning.KUBELET_CLIENT, good, CLIENT + ["key encipherment"])
    with pytest.raises(csrsigning.InvalidRequest, match="organization"):
        csrsigning.validate(csrsigning.KUBELET_CLIENT, request("system:node:n1", ["system:masters"]), CLIENT)
    with pytest.raises(csrsigning.InvalidRequest, match="common name"):
        csrsigning.validate(csrsigning.KUBELET_CLIENT, request("admin", ["system:nodes"]), CLIENT)
    with pytest.raises(csrsigning.InvalidRequest, match="not allowed"):
        csrsigning.validate(csrsigning.KUBELET_CLIENT, good, CLIENT + ["server auth"])
    with pytest.raises(csrsigning.InvalidRequest, match="requires"):
        csrsigning.validate(csrsigning.KUBELET_CLIENT, good, ["client auth"])
    with pytest.raises(csrsigning.InvalidRequest, match="subjectAltNames"):
        csrsigning.validate(csrsigning.KUBELET_CLIENT,
                            request("system:node:n1", ["system:nodes"], dns=["n1"]), CLIENT)


def test_kubelet_serving_rules() -> None:
    csrsigning.validate(csrsigning.KUBELET_SERVING,
                        request("system:node:n1", ["system:nodes"], dns=["n1"], ips=["10.0.0.5"]), SERVING)
    with pytest.raises(csrsigning.InvalidRequest, match="at least one DNS or IP"):
        csrsigning.validate(csrsigning.KUBELET_SERVING, request("system:node:n1", ["system:nodes"]), SERVING)
    with pytest.raises(csrsigning.InvalidRequest, match="not allowed"):
        csrsigning.validate(csrsigning.KUBELET_SERVING,
                            request("system:node:n1", ["system:nodes"], dns=["n1"]), CLIENT)


def test_kube_apiserver_client_rules() -> None:
    csrsigning.validate(csrsigning.KUBE_APISERVER_CLIENT, request("jane", ["devs"]), ["client auth"])
    with pytest.raises(csrsigning.InvalidRequest):
        csrsigning.validate(csrsigning.KUBE_APISERVER_CLIENT, request("jane"), SERVING)
    with pytest.raises(csrsigning.InvalidRequest, match="not handled"):
        csrsigning.validate("example.com/other", request("jane"), ["client auth"])


def test_signed_certificate_carries_subject_usages_and_lifetime() -> None:
    ca = certs.new_ca()
    req = request("system:node:n1", ["system:nodes"], dns=["n1"], ips=["10.0.0.5"])
    lifetime = csrsigning.duration({"expirationSeconds": 3600})
    pem = csrsigning.sign(req, SERVING, ca.certificate(), ca.private_key(), lifetime, NOW)
    cert = x509.load_pem_x509_certificate(pem)
    assert certs.is_signed_by(pem, ca.cert_pem)
    assert cert.subject == req.subject
    assert cert.public_key().public_numbers() == req.public_key().public_numbers()
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.SERVER_AUTH]
    assert certs.cert_sans(pem) == ({"n1"}, {"10.0.0.5"})
    assert cert.not_valid_after_utc - NOW.replace(microsecond=0) <= datetime.timedelta(seconds=3600)
    assert cert.not_valid_after_utc - NOW > datetime.timedelta(seconds=3500)


def test_expiration_seconds_bounds() -> None:
    assert csrsigning.duration({}) == csrsigning.DEFAULT_DURATION
    assert csrsigning.duration({"expirationSeconds": 60}) == datetime.timedelta(seconds=600)
    assert csrsigning.duration({"expirationSeconds": 10 ** 9}) == csrsigning.DEFAULT_DURATION


def test_needs_signing_only_when_approved_and_unsigned() -> None:
    approved = {"spec": {"signerName": csrsigning.KUBELET_CLIENT},
                "status": {"conditions": [{"type": "Approved", "status": "True"}]}}
    assert csrsigning.needs_signing(approved)
    assert not csrsigning.needs_signing({**approved, "status": {**approved["status"], "certificate": "eA=="}})
    assert not csrsigning.needs_signing({"spec": approved["spec"], "status": {}})
    assert not csrsigning.needs_signing({"spec": {"signerName": "example.com/x"}, "status": approved["status"]})
    denied = {"spec": approved["spec"], "status": {"conditions": [{"type": "Approved"}, {"type": "Denied"}]}}
    assert not csrsigning.needs_signing(denied)


def test_garbage_requests_are_invalid() -> None:
    with pytest.raises(csrsigning.InvalidRequest, match="unable to parse"):
        csrsigning.load_request({"request": base64.b64encode(b"not a csr").decode()})


def test_approval_asks_nodeclient_or_selfnodeclient() -> None:
    csr = {"spec": {"username": "system:bootstrap:abcdef", "groups": ["system:bootstrappers"], "uid": ""}}
    assert csrapproving.review_subresource(csr, "system:node:n1") == "nodeclient"
    renewing = {"spec": {"username": "system:node:n1", "groups": ["system:nodes"]}}
    assert csrapproving.review_subresource(renewing, "system:node:n1") == "selfnodeclient"
    review = csrapproving.subject_access_review(csr["spec"], "nodeclient")["spec"]
    assert review["user"] == "system:bootstrap:abcdef" and review["groups"] == ["system:bootstrappers"]
    assert review["resourceAttributes"] == {"group": "certificates.k8s.io", "resource": "certificatesigningrequests",
                                            "verb": "create", "subresource": "nodeclient"}
    condition = csrapproving.approved({"status": {}}, "2026-11-22T10:00:00Z")["status"]["conditions"][0]
    assert (condition["type"], condition["reason"], condition["message"]) == (
        "Approved", "AutoApproved", "Auto approving kubelet client certificate after SubjectAccessReview.")


def test_join_csr_matches_the_kubelet_client_signer() -> None:
    key_pem, csr_pem = node_csr("joined-1")
    obj = csr_object("joined-1", csr_pem)
    req = csrsigning.load_request(obj["spec"])
    csrsigning.validate(obj["spec"]["signerName"], req, obj["spec"]["usages"])
    assert csrsigning.subject_of(req) == ("system:node:joined-1", ["system:nodes"])
    assert isinstance(serialization.load_pem_private_key(key_pem, None), ec.EllipticCurvePrivateKey)
    assert csr_outcome({"metadata": {"name": "x"}, "status": {}}) is None
    assert csr_outcome({"metadata": {"name": "x"}, "status": {"certificate": "aGk="}}) == b"hi"
    with pytest.raises(JoinError, match="x was denied"):
        csr_outcome({"metadata": {"name": "x"}, "status": {"conditions": [{"type": "Denied", "reason": "No"}]}})


def test_only_an_exact_kube_proxy_client_request_is_auto_approvable() -> None:
    signer = {"signerName": csrsigning.KUBE_APISERVER_CLIENT, "usages": CLIENT}
    proxy = request("system:kube-proxy")
    assert csrapproving.is_kube_proxy_request(spec_of(proxy, **signer), proxy)
    for other in (request("system:kube-proxy", ["system:masters"]), request("admin"),
                  request("system:kube-proxy", dns=["x"])):
        assert not csrapproving.is_kube_proxy_request(spec_of(other, **signer), other)
    assert not csrapproving.is_kube_proxy_request(
        spec_of(proxy, signerName=csrsigning.KUBE_APISERVER_CLIENT, usages=SERVING), proxy)
    assert not csrapproving.is_kube_proxy_request(
        spec_of(proxy, signerName=csrsigning.KUBELET_CLIENT, usages=CLIENT), proxy)


def test_join_asks_for_a_kube_proxy_certificate_the_signer_accepts() -> None:
    from kybernetes.cli.bootstrap_join import KUBE_APISERVER_CLIENT_SIGNER, client_csr
    _, csr_pem = client_csr("system:kube-proxy", [])
    obj = csr_object("joined-1", csr_pem, signer=KUBE_APISERVER_CLIENT_SIGNER, prefix="kube-proxy-csr")
    req = csrsigning.load_request(obj["spec"])
    csrsigning.validate(obj["spec"]["signerName"], req, obj["spec"]["usages"])
    assert csrapproving.is_kube_proxy_request(obj["spec"], req)
    assert obj["metadata"]["name"].startswith("kube-proxy-csr-joined-1-")
