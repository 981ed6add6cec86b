# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Legacy service-account token Secrets against `kybernetes server`, with the real
kubectl: the token controller fills them, kubectl uses the token, and the token dies
with its Secret or its ServiceAccount; a Secret naming no account is deleted."""
from __future__ import annotations

import base64
import json
import uuid

import pytest

from kybernetes.pki import jwt
from tests.integration.conftest import KUBECTL_DIR, Kubectl
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")


def token_secret(name: str, account: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                       "metadata": {"name": name,
                                    "annotations": {"kubernetes.io/service-account.name": account}}})


@pytest.fixture
def ns(cluster_kubectl) -> str:
    name = f"lt-{uuid.uuid4().hex[:8]}"
    cluster_kubectl.run("create", "namespace", name)
    yield name
    cluster_kubectl.run("delete", "namespace", name, "--wait=false", check=False)


def filled(kubectl: Kubectl, ns: str, name: str) -> dict | None:
    result = kubectl.run("get", "secret", name, "-n", ns, "-o", "json", check=False)
    if result.returncode != 0:
        return None
    secret = json.loads(result.stdout)
    return secret if "token" in (secret.get("data") or {}) else None


def with_token(kubectl: Kubectl, token: str, *args: str):
    """kubectl with only the token as credential (no client certificate)."""
    return kubectl.run("--kubeconfig", "/dev/null", "--server", kubectl.server.url,
                       "--certificate-authority", str(kubectl.server.data_dir / "pki" / "ca.crt"),
                       "--token", token, *args, check=False,
                       env={"KUBECONFIG": ""})


def test_token_secret_filled_used_and_revoked(cluster, cluster_kubectl, ns):
    kubectl = cluster_kubectl
    kubectl.run("create", "serviceaccount", "robot", "-n", ns)
    sa_uid = kubectl.json("get", "serviceaccount", "robot", "-n", ns)["metadata"]["uid"]
    kubectl.run("apply", "-n", ns, "-f", "-", input=token_secret("robot-token", "robot"))
    secret = wait_for(lambda: filled(kubectl, ns, "robot-token"))
    data = {k: base64.b64decode(v) for k, v in secret["data"].items()}
    assert data["namespace"] == ns.encode()
    assert data["ca.crt"] == (cluster.data_dir / "pki" / "ca.crt").read_bytes()
    assert secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"] == sa_uid
    token = data["token"].decode()
    claims = jwt.unverified_claims(token)
    assert claims["iss"] == "kubernetes/serviceaccount"
    assert claims["sub"] == f"system:serviceaccount:{ns}:robot"
    assert claims["kubernetes.io/serviceaccount/secret.name"] == "robot-token"
    assert claims["kubernetes.io/serviceaccount/service-account.uid"] == sa_uid
    assert "exp" not in claims  # legacy tokens never expire

    described = kubectl.run("describe", "secret", "robot-token", "-n", ns).stdout
    assert "Type:  kubernetes.io/service-account-token" in described
    assert "kubernetes.io/service-account.name: robot" in described
    assert any(line.split() == ["token:", token] for line in described.splitlines())
    assert any(line.split()[:2] == ["ca.crt:", str(len(data["ca.crt"]))] for line in described.splitlines())

    whoami = with_token(kubectl, token, "auth", "whoami", "-o", "json")
    assert whoami.returncode == 0, whoami.stderr
    user = json.loads(whoami.stdout)["status"]["userInfo"]
    assert user["username"] == f"system:serviceaccount:{ns}:robot" and user["uid"] == sa_uid
    # authenticated but not authorized: RBAC gives the account nothing in the namespace
    forbidden = with_token(kubectl, token, "get", "secrets", "-n", ns)
    assert forbidden.returncode == 1 and "Forbidden" in forbidden.stderr

    kubectl.run("delete", "secret", "robot-token", "-n", ns)
    refused = with_token(kubectl, token, "auth", "whoami")
    assert refused.returncode == 1 and "You must be logged in to the server" in refused.stderr


def test_secrets_of_a_missing_or_deleted_account_are_deleted(cluster_kubectl, ns):
    kubectl = cluster_kubectl
    kubectl.run("apply", "-n", ns, "-f", "-", input=token_secret("nobody-token", "nobody"))
    wait_for(lambda: kubectl.run("get", "secret", "nobody-token", "-n", ns, check=False).returncode == 1)

    kubectl.run("create", "serviceaccount", "builder", "-n", ns)
    for name in ("builder-a", "builder-b"):
        kubectl.run("apply", "-n", ns, "-f", "-", input=token_secret(name, "builder"))
    token = base64.b64decode(wait_for(lambda: filled(kubectl, ns, "builder-a"))["data"]["token"]).decode()
    wait_for(lambda: filled(kubectl, ns, "builder-b"))
    assert with_token(kubectl, token, "auth", "whoami").returncode == 0
    kubectl.run("delete", "serviceaccount", "builder", "-n", ns)
    wait_for(lambda: not [line for line in kubectl.run("get", "secrets", "-n", ns, "-o", "name").stdout.split()
                          if "builder-" in line])
    # a new account under the old name does not revive the old token
    kubectl.run("create", "serviceaccount", "builder", "-n", ns)
    refused = with_token(kubectl, token, "auth", "whoami")
    assert refused.returncode == 1 and "You must be logged in to the server" in refused.stderr


def test_a_deleted_token_secret_leaves_its_accounts_secrets_list(cluster_kubectl, ns):
    kubectl = cluster_kubectl
    kubectl.run("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "lister"},
        "secrets": [{"name": "lister-token"}, {"name": "some-other-secret"}]}))
    kubectl.run("apply", "-n", ns, "-f", "-", input=token_secret("lister-token", "lister"))
    wait_for(lambda: filled(kubectl, ns, "lister-token"))
    kubectl.run("delete", "secret", "lister-token", "-n", ns)
    wait_for(lambda: kubectl.json("get", "serviceaccount", "lister", "-n", ns).get("secrets")
             == [{"name": "some-other-secret"}])
