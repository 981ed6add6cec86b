# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Bootstrap tokens, the detached JWS of cluster-info, the CA hash and join's discovery checks."""
from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from kybernetes.cli.bootstrap_join import JoinError, check_discovery_flags, trusted_cluster_info
from kybernetes.cli.errors import UsageError
from kybernetes.controllers.bootstrapsigner import signed_data, signing_tokens
from kybernetes.controllers.tokencleaner import expiry_delay
from kybernetes.pki import certs, jws, tokens

NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)


def test_generated_tokens_are_well_formed_and_random() -> None:
    made = {tokens.generate_token() for _ in range(50)}
    assert len(made) == 50
    for token in made:
        assert tokens.TOKEN_PATTERN.match(token)
        assert tokens.parse_token(token) == tuple(token.split("."))


@pytest.mark.parametrize("bad", ["abcdef0123456789abcdef", "ABCDEF.0123456789abcdef", "abcde.0123456789abcdef",
                                 "abcdef.0123456789abcde", ""])
def test_malformed_tokens_are_refused(bad: str) -> None:
    with pytest.raises(tokens.TokenError, match="was not of the form"):
        tokens.parse_token(bad)


def test_token_secret_round_trips_as_kubeadm_writes_it() -> None:
    token = tokens.BootstrapToken("abcdef", "0123456789abcdef", "for node 2",
                                  NOW + datetime.timedelta(hours=24))
    secret = tokens.token_secret(token)
    assert secret["type"] == "bootstrap.kubernetes.io/token"
    assert secret["metadata"] == {"name": "bootstrap-token-abcdef", "namespace": "kube-system"}
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data == {"token-id": "abcdef", "token-secret": "0123456789abcdef", "description": "for node 2",
                    "expiration": "2026-11-23T10:00:00Z", "usage-bootstrap-signing": "true",
                    "usage-bootstrap-authentication": "true",
                    "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token"}
    back = tokens.token_from_secret(secret)
    assert back == tokens.BootstrapToken("abcdef", "0123456789abcdef", "for node 2",
                                         NOW + datetime.timedelta(hours=24),
                                         ["authentication", "signing"], [tokens.DEFAULT_GROUP])


def test_the_api_servers_authenticator_accepts_the_secret() -> None:
    from kybernetes.apiserver.authn.bootstrap import user_from_secret
    secret = tokens.token_secret(tokens.BootstrapToken("abcdef", "0123456789abcdef", expires=None))
    user = user_from_secret("abcdef", "0123456789abcdef", secret, NOW)
    assert user is not None
    assert tokens.DEFAULT_GROUP in user["groups"] and "system:bootstrappers" in user["groups"]


def test_token_table_shows_ttl_and_forever() -> None:
    table = tokens.token_table([
        tokens.BootstrapToken("abcdef", "0123456789abcdef", "", NOW + datetime.timedelta(hours=23, minutes=59)),
        tokens.BootstrapToken("ghijkl", "0123456789abcdef", "mine", None, ["signing"], []),
        tokens.BootstrapToken("mnopqr", "0123456789abcdef", "", NOW - datetime.timedelta(seconds=5))], NOW)
    lines = table.splitlines()
    assert lines[0].split() == ["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA", "GROUPS"]
    assert lines[1].split() == ["abcdef.0123456789abcdef", "23h", "2026-11-23T09:59:00Z",
                                "signing,authentication", "<none>", tokens.DEFAULT_GROUP]
    assert lines[2].split() == ["ghijkl.0123456789abcdef", "<forever>", "<never>", "signing", "mine", "<none>"]
    assert lines[3].split()[1] == "<invalid>"


def test_group_and_usage_validation() -> None:
    assert tokens.validate_groups(["system:bootstrappers:worker"]) == ["system:bootstrappers:worker"]
    with pytest.raises(tokens.TokenError):
        tokens.validate_groups(["system:masters"])
    with pytest.raises(tokens.TokenError):
        tokens.validate_usages(["signing", "admin"])


def test_jws_known_vector_and_verification() -> None:
    # computed independently with `openssl dgst -sha256 -hmac 0123456789abcdef`
    expected = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..nfv9AT0Rwd1ujYEJLG-hOOZLaeT4V-_vSYtkd9uZtx8"
    assert jws.sign_detached(b"hello kubeconfig", "abcdef", "0123456789abcdef") == expected
    assert jws.verify_detached(expected, b"hello kubeconfig", "abcdef", "0123456789abcdef")
    assert not jws.verify_detached(expected, b"hello kubeconfig!", "abcdef", "0123456789abcdef")
    assert not jws.verify_detached(expected, b"hello kubeconfig", "abcdef", "0123456789abcdeg")
    assert not jws.verify_detached(expected, b"hello kubeconfig", "zzzzzz", "0123456789abcdef")
    assert not jws.verify_detached("garbage", b"hello kubeconfig", "abcdef", "0123456789abcdef")


def test_ca_hash_is_sha256_of_the_spki() -> None:
    ca = certs.new_ca()
    spki = ca.certificate().public_key().public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    assert certs.ca_hash(ca.cert_pem) == "sha256:" + hashlib.sha256(spki).hexdigest()


def _cluster_info(ca_pem: bytes) -> dict:
    kubeconfig = yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": [{"name": "", "cluster": {
        "server": "https://10.0.0.1:6443", "certificate-authority-data": base64.b64encode(ca_pem).decode()}}]})
    return {"data": {"kubeconfig": kubeconfig}}


def test_signer_signs_for_signing_tokens_only_and_drops_stale_signatures() -> None:
    secrets = [tokens.token_secret(tokens.BootstrapToken("abcdef", "0123456789abcdef", expires=None)),
               tokens.token_secret(tokens.BootstrapToken("authon", "0123456789abcdef", usages=["authentication"])),
               tokens.token_secret(tokens.BootstrapToken("oldold", "0123456789abcdef",
                                                         expires=NOW - datetime.timedelta(seconds=1)))]
    signers = signing_tokens(secrets, NOW)
    assert [t.token_id for t in signers] == ["abcdef"]
    data = {**_cluster_info(certs.new_ca().cert_pem)["data"], "jws-kubeconfig-gone00": "x..y"}
    signed = signed_data(data, signers)
    assert set(signed) == {"kubeconfig", "jws-kubeconfig-abcdef"}
    assert jws.verify_detached(signed["jws-kubeconfig-abcdef"], data["kubeconfig"].encode(),
                               "abcdef", "0123456789abcdef")
    assert signed_data(signed, signers) == signed


def test_discovery_pins_the_ca_and_checks_the_signature() -> None:
    ca = certs.new_ca()
    configmap = _cluster_info(ca.cert_pem)
    token = tokens.BootstrapToken("abcdef", "0123456789abcdef")
    configmap["data"] = signed_data(configmap["data"], [token])
    good = certs.ca_hash(ca.cert_pem)
    server, ca_pem = trusted_cluster_info(configmap, "abcdef", "0123456789abcdef", [good], False)
    assert (server, ca_pem) == ("https://10.0.0.1:6443", ca.cert_pem)
    other = certs.ca_hash(certs.new_ca().cert_pem)
    with pytest.raises(JoinError, match=f'none of the public keys "{good}" are pinned'):
        trusted_cluster_info(configmap, "abcdef", "0123456789abcdef", [other], False)
    assert trusted_cluster_info(configmap, "abcdef", "0123456789abcdef", [], True)[1] == ca.cert_pem
    with pytest.raises(JoinError, match="failed to verify JWS signature"):
        trusted_cluster_info(configmap, "abcdef", "0123456789abcdeX", [good], False)
    with pytest.raises(JoinError, match='token id "zzzzzz" is invalid'):
        trusted_cluster_info(configmap, "zzzzzz", "0123456789abcdef", [good], False)


def test_discovery_flags_need_a_hash_or_the_unsafe_flag() -> None:
    with pytest.raises(UsageError, match="unsafe-skip-ca-verification"):
        check_discovery_flags([], False)
    with pytest.raises(UsageError, match="invalid hash"):
        check_discovery_flags(["md5:abc"], False)
    assert check_discovery_flags(["sha256:" + "AB" * 32], False) == ["sha256:" + "ab" * 32]


def test_token_cleaner_delay() -> None:
    soon = tokens.token_secret(tokens.BootstrapToken("abcdef", "0123456789abcdef",
                                                     expires=NOW + datetime.timedelta(seconds=30)))
    assert expiry_delay(soon, NOW) == 30
    assert expiry_delay(soon, NOW + datetime.timedelta(minutes=1)) == 0
    assert expiry_delay(tokens.token_secret(tokens.BootstrapToken("abcdef", "0123456789abcdef", expires=None)),
                        NOW) is None
    assert expiry_delay({"type": "Opaque", "metadata": {"name": "x"}}, NOW) is None
