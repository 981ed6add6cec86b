# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The legacy token controller's decisions: which Secrets are an account's, what a token
Secret lacks, and the legacy JWT it gets (verified with the public key)."""
from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kybernetes.apiserver.authn import serviceaccount as sa
from kybernetes.controllers import serviceaccounttoken as tokens
from kybernetes.pki import jwt

CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def account(name="robot", uid="sa-uid") -> dict:
    return {"metadata": {"name": name, "namespace": "ns", "uid": uid}}


def secret(name="robot-token", account_name="robot", uid="", data=None, kind=tokens.TOKEN_SECRET_TYPE) -> dict:
    annotations = {tokens.NAME_ANNOTATION: account_name}
    if uid:
        annotations[tokens.UID_ANNOTATION] = uid
    return {"type": kind, "data": data or {},
            "metadata": {"name": name, "namespace": "ns", "uid": "secret-uid", "annotations": annotations}}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_which_secrets_belong_to_an_account():
    assert tokens.references(secret(), account())
    assert tokens.references(secret(uid="sa-uid"), account())
    assert not tokens.references(secret(uid="older-uid"), account())  # an account of the same name, remade
    assert not tokens.references(secret(account_name="other"), account())
    assert not tokens.references(secret(kind="Opaque"), account())
    deleting = account()
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert not tokens.account_matches(secret(), deleting)
    assert not tokens.account_matches(secret(), None)


def test_an_empty_token_secret_is_filled(key):
    update = tokens.token_secret_update(secret(), account(), CA, lambda claims: jwt.sign(claims, key))
    assert update is not None
    assert base64.b64decode(update.data["ca.crt"]) == CA
    assert base64.b64decode(update.data["namespace"]) == b"ns"
    assert update.annotations == {tokens.NAME_ANNOTATION: "robot", tokens.UID_ANNOTATION: "sa-uid"}
    token = base64.b64decode(update.data["token"]).decode()
    claims = jwt.verify(token, [key.public_key()])
    assert claims == {"iss": "kubernetes/serviceaccount",
                      "kubernetes.io/serviceaccount/namespace": "ns",
                      "kubernetes.io/serviceaccount/secret.name": "robot-token",
                      "kubernetes.io/serviceaccount/service-account.name": "robot",
                      "kubernetes.io/serviceaccount/service-account.uid": "sa-uid",
                      "sub": "system:serviceaccount:ns:robot"}
    # the authenticator reads the same claims back
    info = sa.check_legacy_claims(claims)
    assert (info.namespace, info.name, info.uid, info.secret_name) == ("ns", "robot", "sa-uid", "robot-token")


def test_a_complete_secret_is_left_alone_and_a_kept_token_is_not_reissued(key):
    signed = []

    def sign(claims):
        signed.append(claims)
        return jwt.sign(claims, key)
    complete = secret(uid="sa-uid", data={"token": b64(b"tok"), "ca.crt": b64(CA), "namespace": b64(b"ns")})
    assert tokens.token_secret_update(complete, account(), CA, sign) is None
    stale_ca = secret(data={"token": b64(b"tok"), "ca.crt": b64(b"old"), "namespace": b64(b"ns")})
    update = tokens.token_secret_update(stale_ca, account(), CA, sign)
    assert update is not None and base64.b64decode(update.data["ca.crt"]) == CA
    assert update.data["token"] == b64(b"tok") and not signed
    # no CA known: token and namespace still filled, ca.crt left out
    update = tokens.token_secret_update(secret(), account(), b"", sign)
    assert update is not None and "ca.crt" not in update.data and len(signed) == 1


def test_a_deleted_token_secret_leaves_the_accounts_list():
    acc = {**account(), "secrets": [{"name": "a"}, {"name": "b"}]}
    assert tokens.without_secret_reference(acc, "b") == [{"name": "a"}]
    assert tokens.without_secret_reference(acc, "c") is None  # not listed: nothing to write
    assert tokens.without_secret_reference(account(), "a") is None


def test_signing_key_from_flag_or_data_dir(tmp_path):
    from kybernetes.controllers.base import ControllerOptions
    assert tokens.signing_key_path(ControllerOptions()) is None
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "sa.key").write_text("k")
    assert tokens.signing_key_path(ControllerOptions(data_dir=tmp_path)) == tmp_path / "pki" / "sa.key"
    flag = tmp_path / "other.key"
    assert tokens.signing_key_path(ControllerOptions(data_dir=tmp_path,
                                                     service_account_private_key_file=flag)) == flag
