# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Service-account tokens against `kybernetes server`: `kubectl create token` (kubectl
1.32's protobuf body and 1.27's JSON), tokens used by kubectl and the Python client,
refused once their account or bound pod is gone, expired or forged tokens refused, and
the ServiceAccount admission plugin's token volume."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kybernetes.apiserver.authn import serviceaccount as sa_tokens
from kybernetes.pki import jwt
from tests.integration.conftest import KUBECTL_DIR, Kubectl
from tests.integration.test_authn import as_token, whoami
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")


@pytest.fixture
def ns(cluster_kubectl) -> str:
    name = f"sa-{uuid.uuid4().hex[:8]}"
    cluster_kubectl.run("create", "namespace", name)
    wait_for(lambda: cluster_kubectl.run("get", "sa", "default", "-n", name, check=False).returncode == 0)
    yield name
    cluster_kubectl.run("delete", "namespace", name, "--wait=false", check=False)


def refused(kubectl: Kubectl, tmp_path, token: str) -> bool:
    result = as_token(kubectl, tmp_path, token, "auth", "whoami")
    return result.returncode == 1 and "You must be logged in to the server" in result.stderr


def _pod(name: str, account: str = "", **spec) -> str:
    body = {"containers": [{"name": "c", "image": "busybox"}], **spec}
    if account:
        body["serviceAccountName"] = account
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body})


@pytest.mark.parametrize("version", ["1.32", "1.27"])
def test_create_token_and_use_it(cluster, cluster_kubectl, ns, tmp_path, version):
    kubectl = Kubectl(cluster, tmp_path / "cache", version)
    kubectl.run("create", "serviceaccount", "robot", "-n", ns)
    token = kubectl.run("create", "token", "robot", "-n", ns).stdout.strip()
    uid = kubectl.json("get", "serviceaccount", "robot", "-n", ns)["metadata"]["uid"]
    info = whoami(cluster_kubectl, tmp_path, token)  # 1.27's whoami wants v1beta1
    assert info["username"] == f"system:serviceaccount:{ns}:robot" and info["uid"] == uid
    assert info["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}",
                              "system:authenticated"]
    assert info["extra"][sa_tokens.EXTRA_CREDENTIAL_ID][0].startswith("JTI=")
    claims = jwt.unverified_claims(token)
    assert claims["aud"] == ["https://kubernetes.default.svc.cluster.local"]
    assert claims["exp"] - claims["iat"] == 3600
    kubectl.run("delete", "serviceaccount", "robot", "-n", ns)
    assert refused(cluster_kubectl, tmp_path, token)


def test_python_client_with_a_token(cluster, cluster_kubectl, ns, tmp_path):
    from kubernetes import client
    cluster_kubectl.run("create", "serviceaccount", "py", "-n", ns)
    token = cluster_kubectl.run("create", "token", "py", "-n", ns, "--duration", "20m").stdout.strip()
    assert jwt.unverified_claims(token)["exp"] - jwt.unverified_claims(token)["iat"] == 1200
    from kubernetes import config as kube_config
    admin_configuration = client.Configuration()
    kube_config.load_kube_config(config_file=str(cluster.kubeconfig),
                                 client_configuration=admin_configuration)
    with client.ApiClient(admin_configuration) as admin_api:
        requested = client.CoreV1Api(admin_api).create_namespaced_service_account_token(
            "py", ns, {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                       "spec": {"audiences": ["https://kubernetes.default.svc.cluster.local",
                                              "extra"], "expirationSeconds": 900}})
    assert requested.status.token.count(".") == 2
    assert requested.spec.audiences == ["https://kubernetes.default.svc.cluster.local", "extra"]
    assert (requested.status.expiration_timestamp -
            requested.metadata.creation_timestamp).total_seconds() == 900
    configuration = client.Configuration()
    configuration.host = cluster.url
    configuration.ssl_ca_cert = str(cluster.data_dir / "pki" / "ca.crt")
    configuration.api_key = {"authorization": f"Bearer {token}"}
    with client.ApiClient(configuration) as api:
        review = client.AuthenticationV1Api(api).create_self_subject_review(
            {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        assert review.status.user_info.username == f"system:serviceaccount:{ns}:py"
        cluster_kubectl.run("delete", "serviceaccount", "py", "-n", ns)
        with pytest.raises(client.ApiException) as gone:
            client.AuthenticationV1Api(api).create_self_subject_review(
                {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        assert gone.value.status == 401


def test_token_bound_to_a_pod_dies_with_it(cluster_kubectl, ns, tmp_path):
    k = cluster_kubectl
    k.run("create", "serviceaccount", "worker", "-n", ns)
    k.run("apply", "-n", ns, "-f", "-", input=_pod("holder", "worker"))
    k.run("apply", "-n", ns, "-f", "-", input=_pod("stranger"))
    wrong = k.run("create", "token", "worker", "-n", ns, "--bound-object-kind", "Pod",
                  "--bound-object-name", "stranger", check=False)
    assert 'cannot bind token for serviceaccount "worker" to pod running with different ' \
           'serviceaccount name.' in wrong.stderr
    token = k.run("create", "token", "worker", "-n", ns, "--bound-object-kind", "Pod",
                  "--bound-object-name", "holder").stdout.strip()
    pod_uid = k.json("get", "pod", "holder", "-n", ns)["metadata"]["uid"]
    info = whoami(k, tmp_path, token)
    assert info["extra"][sa_tokens.EXTRA_POD_NAME] == ["holder"]
    assert info["extra"][sa_tokens.EXTRA_POD_UID] == [pod_uid]
    k.run("delete", "pod", "holder", "-n", ns, "--grace-period=0", "--force")
    wait_for(lambda: k.run("get", "pod", "holder", "-n", ns, check=False).returncode != 0)
    assert refused(k, tmp_path, token)


def test_token_bound_to_a_secret_dies_with_it(cluster_kubectl, ns, tmp_path):
    k = cluster_kubectl
    k.run("create", "serviceaccount", "worker", "-n", ns)
    k.run("create", "secret", "generic", "anchor", "-n", ns, "--from-literal=a=b")
    token = k.run("create", "token", "worker", "-n", ns, "--bound-object-kind", "Secret",
                  "--bound-object-name", "anchor").stdout.strip()
    assert whoami(k, tmp_path, token)["username"] == f"system:serviceaccount:{ns}:worker"
    k.run("delete", "secret", "anchor", "-n", ns)
    assert refused(k, tmp_path, token)
    missing = k.run("create", "token", "worker", "-n", ns, "--bound-object-kind", "Secret",
                    "--bound-object-name", "anchor", check=False)
    assert 'secrets "anchor" not found' in missing.stderr


def test_token_request_errors(cluster_kubectl, ns):
    short = cluster_kubectl.run("create", "token", "default", "-n", ns, "--duration", "5m", check=False)
    assert "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than " \
           "10 minutes" in short.stderr
    absent = cluster_kubectl.run("create", "token", "nobody", "-n", ns, check=False)
    assert 'serviceaccounts "nobody" not found' in absent.stderr


def _sign_with_cluster_key(cluster, claims: dict) -> str:
    key = serialization.load_pem_private_key((cluster.data_dir / "pki" / "sa.key").read_bytes(),
                                             password=None)
    return jwt.sign(claims, key)


def test_expired_forged_and_foreign_audience_tokens_are_401(cluster, cluster_kubectl, ns, tmp_path):
    account = cluster_kubectl.json("get", "serviceaccount", "default", "-n", ns)
    now = int(time.time())
    fresh = sa_tokens.bound_claims(issuer=sa_tokens.DEFAULT_ISSUER, audiences=[sa_tokens.DEFAULT_ISSUER],
                                   service_account=account, now=now, expiration_seconds=3600)
    assert whoami(cluster_kubectl, tmp_path, _sign_with_cluster_key(cluster, fresh))["username"] == \
        f"system:serviceaccount:{ns}:default"
    expired = sa_tokens.bound_claims(issuer=sa_tokens.DEFAULT_ISSUER,
                                     audiences=[sa_tokens.DEFAULT_ISSUER], service_account=account,
                                     now=now - 7200, expiration_seconds=3600)
    assert refused(cluster_kubectl, tmp_path, _sign_with_cluster_key(cluster, expired))
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert refused(cluster_kubectl, tmp_path, jwt.sign(fresh, other_key))
    foreign = cluster_kubectl.run("create", "token", "default", "-n", ns,
                                  "--audience", "vault").stdout.strip()
    assert jwt.unverified_claims(foreign)["aud"] == ["vault"]
    assert refused(cluster_kubectl, tmp_path, foreign)


def test_pods_get_the_token_volume(cluster_kubectl, ns):
    k = cluster_kubectl
    k.run("apply", "-n", ns, "-f", "-", input=_pod("mounted", initContainers=[
        {"name": "init", "image": "busybox"}]))
    spec = k.json("get", "pod", "mounted", "-n", ns)["spec"]
    assert spec["serviceAccountName"] == "default" and spec["serviceAccount"] == "default"
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == 21
    assert volume["projected"] == {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}
    mount = {"name": volume["name"], "readOnly": True,
             "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    assert spec["containers"][0]["volumeMounts"] == [mount]
    assert spec["initContainers"][0]["volumeMounts"] == [mount]


def test_automount_off_and_missing_account(cluster_kubectl, ns):
    k = cluster_kubectl
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "quiet"},
        "automountServiceAccountToken": False}))
    k.run("apply", "-n", ns, "-f", "-", input=_pod("silent", "quiet"))
    assert "volumes" not in k.json("get", "pod", "silent", "-n", ns)["spec"]
    k.run("apply", "-n", ns, "-f", "-", input=_pod("opted-in", "quiet", automountServiceAccountToken=True))
    assert k.json("get", "pod", "opted-in", "-n", ns)["spec"]["volumes"][0]["name"].startswith(
        "kube-api-access-")
    ghost = k.run("apply", "-n", ns, "-f", "-", input=_pod("haunted", "ghost"), check=False)
    assert ghost.returncode == 1
    assert f'pods "haunted" is forbidden: error looking up service account {ns}/ghost: ' \
           f'serviceaccount "ghost" not found' in ghost.stderr


def test_enforce_mountable_secrets(cluster_kubectl, ns):
    k = cluster_kubectl
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "strict", "annotations": {
            "kubernetes.io/enforce-mountable-secrets": "true"}},
        "secrets": [{"name": "allowed"}]}))
    volumes = [{"name": "s", "secret": {"secretName": "other"}}]
    result = k.run("apply", "-n", ns, "-f", "-", input=_pod("nosy", "strict", volumes=volumes),
                   check=False)
    assert 'pods "nosy" is forbidden: volume with secret.secretName="other" is not allowed ' \
           'because service account strict does not reference that secret' in result.stderr
    volumes[0]["secret"]["secretName"] = "allowed"
    k.run("apply", "-n", ns, "-f", "-", input=_pod("polite", "strict", volumes=volumes))


# ---------------------------------------------------------------- a real pod's token
def _runc_ready() -> bool:
    import os
    import shutil
    return os.geteuid() == 0 and bool(shutil.which("runc")) and bool(shutil.which("docker-registry"))


@pytest.fixture(scope="module")
def runc_cluster(tmp_path_factory):
    from tests.support.runc_cluster import runc_cluster as runc_cluster_running
    with runc_cluster_running(tmp_path_factory, "sa") as server:
        yield server


@pytest.mark.skipif(not _runc_ready(), reason="needs root, runc and docker-registry")
def test_token_mounted_in_a_pod_works_until_the_pod_is_deleted(runc_cluster, tmp_path):
    k = Kubectl(runc_cluster, tmp_path / "cache")
    wait_for(lambda: any(c["type"] == "Ready" and c["status"] == "True"
                         for node in k.json("get", "nodes")["items"]
                         for c in node["status"].get("conditions", [])), timeout=60)
    ns = f"sa-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", ns)
    wait_for(lambda: k.run("get", "sa", "default", "-n", ns, check=False).returncode == 0)
    directory = "/var/run/secrets/kubernetes.io/serviceaccount"
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "reader"},
        "spec": {"containers": [{"name": "c", "image": "busybox", "command": [
            "sh", "-c", f"cat {directory}/token; echo; cat {directory}/namespace; echo; "
                        f"head -1 {directory}/ca.crt; sleep 3600"]}]}}))
    try:
        def logged() -> list[str]:
            lines = k.run("logs", "reader", "-n", ns, check=False).stdout.splitlines()
            return lines if len(lines) >= 3 and lines[0].count(".") == 2 else []
        token, namespace, ca_first_line = wait_for(logged, timeout=120)[:3]
        assert namespace == ns and ca_first_line == "-----BEGIN CERTIFICATE-----"
        claims = jwt.unverified_claims(token)
        assert claims["kubernetes.io"]["pod"]["name"] == "reader"
        assert claims["kubernetes.io"]["warnafter"] - claims["iat"] == 3607
        assert claims["exp"] - claims["iat"] == sa_tokens.EXTENDED_EXPIRATION_SECONDS
        info = whoami(k, tmp_path, token)
        assert info["username"] == f"system:serviceaccount:{ns}:default"
        assert info["extra"][sa_tokens.EXTRA_POD_NAME] == ["reader"]
        k.run("delete", "pod", "reader", "-n", ns, "--grace-period=1")
        wait_for(lambda: k.run("get", "pod", "reader", "-n", ns, check=False).returncode != 0, timeout=120)
        assert refused(k, tmp_path, token)
    finally:
        k.run("delete", "namespace", ns, "--wait=false", check=False)
