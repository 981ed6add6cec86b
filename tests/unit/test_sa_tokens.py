# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Service-account JWTs: signing and verification, the claims upstream puts in bound and
legacy tokens, their validation, and the ServiceAccount admission plugin's pod changes."""
from __future__ import annotations

import asyncio
import base64

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kybernetes.apiserver.admission_plugins import serviceaccount as sa_admission
from kybernetes.apiserver.authn import AuthenticationError
from kybernetes.apiserver.authn import serviceaccount as sa
from kybernetes.apiserver.authn.tokenrequest import check_request
from kybernetes.apiserver.errors import ApiError
from kybernetes.pki import jwt

NOW = 1_800_000_000
ISSUER = "https://kubernetes.default.svc.cluster.local"


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def account(name="robot", namespace="ns", uid="sa-uid") -> dict:
    return {"metadata": {"name": name, "namespace": namespace, "uid": uid}}


def pod(name="p", uid="pod-uid", sa_name="robot") -> dict:
    return {"metadata": {"name": name, "namespace": "ns", "uid": uid},
            "spec": {"serviceAccountName": sa_name}}


def _header(token: str) -> dict:
    return orjson.loads(jwt.b64url_decode(token.split(".")[0]))


@pytest.mark.parametrize("key_name,alg", [("rsa_key", "RS256"), ("ec_key", "ES256")])
def test_jwt_round_trip_uses_the_keys_algorithm(request, key_name, alg):
    key = request.getfixturevalue(key_name)
    token = jwt.sign({"sub": "x", "n": 1}, key)
    assert _header(token) == {"alg": alg, "kid": jwt.key_id(key.public_key())}
    assert jwt.verify(token, [key.public_key()]) == {"sub": "x", "n": 1}


def test_jwt_refuses_other_keys_and_tampering(rsa_key, ec_key):
    token = jwt.sign({"sub": "x"}, rsa_key)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.JWTError, match="invalid signature"):
        jwt.verify(token, [other.public_key(), ec_key.public_key()])
    head, _, signature = token.split(".")
    forged = head + "." + jwt.b64url_encode(b'{"sub":"admin"}') + "." + signature
    with pytest.raises(jwt.JWTError):
        jwt.verify(forged, [rsa_key.public_key()])
    unsigned = jwt.b64url_encode(b'{"alg":"none"}') + "." + jwt.b64url_encode(b'{"sub":"x"}') + "."
    with pytest.raises(jwt.JWTError, match="unsupported signing algorithm"):
        jwt.verify(unsigned, [rsa_key.public_key()])
    with pytest.raises(jwt.JWTError):
        jwt.verify("not-a-jwt", [rsa_key.public_key()])


def test_public_keys_from_pem_bundles(rsa_key, ec_key):
    from cryptography.hazmat.primitives import serialization
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    private_pem = ec_key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption())
    keys = jwt.load_public_keys(public_pem + private_pem)
    assert [jwt.key_id(k) for k in keys] == [jwt.key_id(rsa_key.public_key()),
                                             jwt.key_id(ec_key.public_key())]
    assert jwt.key_id(jwt.load_private_key(private_pem).public_key()) == jwt.key_id(ec_key.public_key())


def test_bound_claims_as_upstream():
    claims = sa.bound_claims(issuer=ISSUER, audiences=["api"], service_account=account(),
                             now=NOW, expiration_seconds=3600, pod=pod(),
                             node={"metadata": {"name": "n1", "uid": "node-uid"}}, jti="j-1")
    assert claims == {
        "aud": ["api"], "exp": NOW + 3600, "iat": NOW, "nbf": NOW, "iss": ISSUER, "jti": "j-1",
        "sub": "system:serviceaccount:ns:robot",
        "kubernetes.io": {"namespace": "ns", "serviceaccount": {"name": "robot", "uid": "sa-uid"},
                          "pod": {"name": "p", "uid": "pod-uid"},
                          "node": {"name": "n1", "uid": "node-uid"}}}


def test_bound_claims_validation():
    claims = sa.bound_claims(issuer=ISSUER, audiences=["api", "vault"], service_account=account(),
                             now=NOW, expiration_seconds=600, pod=pod(), jti="j-2")
    info, matched = sa.check_bound_claims(claims, issuers=[ISSUER], audiences=["vault", "x"], now=NOW)
    assert matched == ["vault"]
    user = info.user()
    assert user == {"name": "system:serviceaccount:ns:robot", "uid": "sa-uid",
                    "groups": ["system:serviceaccounts", "system:serviceaccounts:ns",
                               "system:authenticated"],
                    "extra": {sa.EXTRA_POD_NAME: ["p"], sa.EXTRA_POD_UID: ["pod-uid"],
                              sa.EXTRA_CREDENTIAL_ID: ["JTI=j-2"]}}
    with pytest.raises(AuthenticationError, match="audiences"):
        sa.check_bound_claims(claims, issuers=[ISSUER], audiences=["other"], now=NOW)
    with pytest.raises(AuthenticationError, match="issuer"):
        sa.check_bound_claims(claims, issuers=["https://elsewhere"], audiences=["api"], now=NOW)
    with pytest.raises(AuthenticationError, match="expired"):
        sa.check_bound_claims(claims, issuers=[ISSUER], audiences=["api"],
                              now=NOW + 600 + sa.LEEWAY + 1)
    with pytest.raises(AuthenticationError, match="not valid yet"):
        sa.check_bound_claims(claims, issuers=[ISSUER], audiences=["api"],
                              now=NOW - sa.LEEWAY - 1)
    wrong_subject = dict(claims, sub="system:serviceaccount:kube-system:admin")
    with pytest.raises(AuthenticationError, match="subject"):
        sa.check_bound_claims(wrong_subject, issuers=[ISSUER], audiences=["api"], now=NOW)


def test_username_split():
    assert sa.split_username("system:serviceaccount:ns:robot") == ("ns", "robot")
    assert sa.split_username("system:node:n1") is None
    assert sa.split_username("system:serviceaccount:ns") is None


class Objects:
    """The objects a token names, as the server's cache would hold them."""

    def __init__(self, *objs: tuple[str, dict]) -> None:
        self.items = {(kind, o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
                      for kind, o in objs}

    async def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self.items.get((kind, namespace, name))


def _authenticate(authenticator, token, now=NOW, audiences=None):
    return asyncio.run(authenticator.authenticate_token(token, now, audiences))


def test_authenticator_checks_signature_and_live_objects(rsa_key):
    objects = Objects(("ServiceAccount", account()), ("Pod", pod()))
    authenticator = sa.ServiceAccountTokenAuthenticator(
        [rsa_key.public_key()], [ISSUER], [ISSUER], objects.get)
    token = jwt.sign(sa.bound_claims(issuer=ISSUER, audiences=[ISSUER], service_account=account(),
                                     now=NOW, expiration_seconds=3600, pod=pod()), rsa_key)
    assert authenticator.handles(token)
    user, audiences = _authenticate(authenticator, token)
    assert user["name"] == "system:serviceaccount:ns:robot" and audiences == [ISSUER]
    del objects.items[("Pod", "ns", "p")]
    with pytest.raises(AuthenticationError, match="pod ns/p has been deleted"):
        _authenticate(authenticator, token)
    objects.items[("Pod", "ns", "p")] = pod(uid="recreated")
    with pytest.raises(AuthenticationError, match="does not match claim"):
        _authenticate(authenticator, token)
    objects.items[("Pod", "ns", "p")] = pod()
    del objects.items[("ServiceAccount", "ns", "robot")]
    with pytest.raises(AuthenticationError, match="serviceaccount ns/robot has been deleted"):
        _authenticate(authenticator, token)
    assert not authenticator.handles(jwt.sign({"iss": "someone-else"}, rsa_key))
    assert not authenticator.handles("abcdef.0123456789abcdef")


def test_legacy_token_needs_its_secret(rsa_key):
    secret = {"type": "kubernetes.io/service-account-token", "metadata": {
        "name": "robot-token", "namespace": "ns", "uid": "s-uid", "annotations": {
            "kubernetes.io/service-account.name": "robot",
            "kubernetes.io/service-account.uid": "sa-uid"}}}
    token = jwt.sign(sa.legacy_claims(account(), secret), rsa_key)
    secret["data"] = {"token": base64.b64encode(token.encode()).decode()}
    objects = Objects(("ServiceAccount", account()), ("Secret", secret))
    authenticator = sa.ServiceAccountTokenAuthenticator(
        [rsa_key.public_key()], [ISSUER], [ISSUER], objects.get)
    user, _ = _authenticate(authenticator, token)
    assert user["name"] == "system:serviceaccount:ns:robot" and user["uid"] == "sa-uid"
    # the Secret remade for another account (or another account of that name) no longer vouches
    secret["metadata"]["annotations"]["kubernetes.io/service-account.name"] = "other"
    with pytest.raises(AuthenticationError, match="does not reference service account robot"):
        _authenticate(authenticator, token)
    secret["metadata"]["annotations"]["kubernetes.io/service-account.name"] = "robot"
    secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"] = "another-uid"
    with pytest.raises(AuthenticationError, match="does not reference"):
        _authenticate(authenticator, token)
    secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"] = "sa-uid"
    secret["data"] = {"token": base64.b64encode(b"rotated").decode()}
    with pytest.raises(AuthenticationError):
        _authenticate(authenticator, token)


def test_token_request_defaults_and_limits():
    checked = check_request("robot", "ns", {"kind": "TokenRequest", "spec": {}})
    assert checked["spec"] == {"expirationSeconds": 3600, "audiences": []}
    with pytest.raises(ApiError) as too_short:
        check_request("robot", "ns", {"spec": {"expirationSeconds": 599}})
    assert too_short.value.code == 422
    assert too_short.value.message == (
        'TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: '
        'Invalid value: 599: may not specify a duration less than 10 minutes')
    with pytest.raises(ApiError) as wrong_name:
        check_request("robot", "ns", {"metadata": {"name": "other"}, "spec": {}})
    assert wrong_name.value.code == 422


# ---------------------------------------------------------------- admission plugin
def test_pod_gets_the_kube_api_access_volume():
    new_pod = {"metadata": {"name": "p"}, "spec": {
        "initContainers": [{"name": "init"}],
        "containers": [{"name": "a"}, {"name": "b", "volumeMounts": [
            {"name": "own", "mountPath": sa_admission.MOUNT_PATH}]}]}}
    sa_admission.mount_token(new_pod, "abcde")
    spec = new_pod["spec"]
    assert spec["volumes"] == [sa_admission.token_volume("kube-api-access-abcde")]
    mount = {"name": "kube-api-access-abcde", "readOnly": True, "mountPath": sa_admission.MOUNT_PATH}
    assert spec["initContainers"][0]["volumeMounts"] == [mount]
    assert spec["containers"][0]["volumeMounts"] == [mount]
    assert spec["containers"][1]["volumeMounts"] == [{"name": "own", "mountPath": sa_admission.MOUNT_PATH}]
    sources = spec["volumes"][0]["projected"]["sources"]
    assert sources[0] == {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}
    assert spec["volumes"][0]["projected"]["defaultMode"] == 420


def test_automount_choice():
    assert sa_admission.should_automount({}, {"spec": {}})
    assert not sa_admission.should_automount({"automountServiceAccountToken": False}, {"spec": {}})
    assert sa_admission.should_automount({"automountServiceAccountToken": False},
                                         {"spec": {"automountServiceAccountToken": True}})
    assert not sa_admission.should_automount({}, {"spec": {"automountServiceAccountToken": False}})


def test_enforce_mountable_secrets():
    robot = {"metadata": {"name": "robot"}, "secrets": [{"name": "ok"}]}
    allowed = {"spec": {"volumes": [{"name": "v", "secret": {"secretName": "ok"}}],
                        "containers": [{"name": "c"}]}}
    assert sa_admission.unmountable_secret(allowed, robot) is None
    refused = {"spec": {"containers": [{"name": "c", "env": [
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "k"}}}]}]}}
    assert sa_admission.unmountable_secret(refused, robot) == (
        'container c with envVar PASSWORD referencing secret.secretName="db" is not allowed '
        'because service account robot does not reference that secret')
