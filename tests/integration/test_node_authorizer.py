# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Node authorizer and NodeRestriction against a real API server: kubelet
identities (system:node:<name> in system:nodes) made with `kybernetes kubeconfig user`,
driven with the real kubectl and plain HTTPS requests."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server
from tests.integration.test_rbac import as_user, make_user

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")


@pytest.fixture(scope="module")
def node_cluster(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("nodeauthz")).start()  # `kybernetes apiserver`
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(node_cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(node_cluster, tmp_path_factory.mktemp("nodeauthz-kubectl"))


@pytest.fixture(scope="module")
def nodes(node_cluster, admin):
    """Two registered nodes, each with its own kubeconfig."""
    suffix = uuid.uuid4().hex[:6]
    out = {}
    for short in ("a", "b"):
        name = f"node-{short}-{suffix}"
        kubeconfig = make_user(node_cluster, f"system:node:{name}", "system:nodes")
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}
        # a kubelet registers its own Node
        as_user(admin, kubeconfig, "create", "-f", "-", input=json.dumps(node), check=True)
        out[short] = (name, kubeconfig)
    return out


def _pod(name: str, node: str, secret: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": {"nodeName": node, "containers": [{
                           "name": "c", "image": "busybox",
                           "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": secret, "key": "k"}}}]}]}})


def _request(cluster: Server, kubeconfig, method: str, path: str, body: dict | None = None,
             content_type: str = "application/merge-patch+json") -> tuple[int, dict]:
    config = yaml.safe_load(kubeconfig.read_text())
    user = config["users"][0]["user"]
    import base64
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = f"{tmp}/c.crt", f"{tmp}/c.key"
        open(cert, "wb").write(base64.b64decode(user["client-certificate-data"]))
        open(key, "wb").write(base64.b64decode(user["client-key-data"]))
        context = ssl.create_default_context(cafile=str(cluster.data_dir / "pki" / "ca.crt"))
        context.load_cert_chain(cert, key)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(cluster.url + path, data=data, method=method,
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_node_reads_only_the_secrets_of_its_pods(admin, node_cluster, nodes, namespace):
    (name_a, kc_a), (name_b, kc_b) = nodes["a"], nodes["b"]
    admin.run("create", "secret", "generic", "for-a", "--from-literal=k=v", "-n", namespace)
    admin.run("create", "secret", "generic", "for-b", "--from-literal=k=v", "-n", namespace)
    admin.run("create", "-n", namespace, "-f", "-", input=_pod("on-a", name_a, "for-a"))
    admin.run("create", "-n", namespace, "-f", "-", input=_pod("on-b", name_b, "for-b"))

    got = as_user(admin, kc_a, "get", "secret", "for-a", "-n", namespace, "-o", "name", check=True)
    assert got.stdout.strip() == "secret/for-a"
    refused = as_user(admin, kc_a, "get", "secret", "for-b", "-n", namespace)
    assert refused.returncode != 0
    assert (f'Error from server (Forbidden): secrets "for-b" is forbidden: User '
            f'"system:node:{name_a}" cannot get resource "secrets" in API group "" in the '
            f'namespace "{namespace}": no relationship found between node \'{name_a}\' and this '
            f'object') in refused.stderr
    as_user(admin, kc_b, "get", "secret", "for-b", "-n", namespace, check=True)
    # listing every secret is never allowed
    listed = as_user(admin, kc_a, "get", "secrets", "-n", namespace)
    assert listed.returncode != 0 and "Forbidden" in listed.stderr
    # the pod leaves the node: so does the access
    admin.run("delete", "pod", "on-a", "-n", namespace, "--grace-period=0", "--force")
    denied = as_user(admin, kc_a, "get", "secret", "for-a", "-n", namespace)
    assert "no relationship found" in denied.stderr


def test_a_node_sees_its_own_node_and_pods_only(admin, node_cluster, nodes, namespace):
    (name_a, kc_a), (name_b, _) = nodes["a"], nodes["b"]
    as_user(admin, kc_a, "get", "node", name_a, check=True)
    other = as_user(admin, kc_a, "get", "node", name_b)
    assert (f'nodes "{name_b}" is forbidden: User "system:node:{name_a}" cannot get resource '
            f'"nodes" in API group "" at the cluster scope: node \'{name_a}\' cannot read '
            f'\'{name_b}\', only its own Node object') in other.stderr
    admin.run("create", "secret", "generic", "s", "--from-literal=k=v", "-n", namespace)
    admin.run("create", "-n", namespace, "-f", "-", input=_pod("mine", name_a, "s"))
    listed = as_user(admin, kc_a, "get", "pods", "-A", f"--field-selector=spec.nodeName={name_a}",
                     "-o", "name", check=True)
    assert "pod/mine" in listed.stdout
    everything = as_user(admin, kc_a, "get", "pods", "-A")
    assert "can only list/watch pods with spec.nodeName field selector" in everything.stderr


def test_node_restriction_refuses_changes_to_another_node(admin, node_cluster, nodes, namespace):
    (name_a, kc_a), (name_b, _) = nodes["a"], nodes["b"]
    code, body = _request(node_cluster, kc_a, "PATCH", f"/api/v1/nodes/{name_b}",
                          {"metadata": {"labels": {"stolen": "yes"}}})
    assert code == 403
    assert body["message"] == (f'nodes "{name_b}" is forbidden: node "{name_a}" is not allowed '
                               f'to modify node "{name_b}"')
    assert "stolen" not in (admin.json("get", "node", name_b)["metadata"].get("labels") or {})
    code, body = _request(node_cluster, kc_a, "PATCH", f"/api/v1/nodes/{name_a}",
                          {"metadata": {"labels": {"mine": "yes"}}})
    assert code == 200 and body["metadata"]["labels"]["mine"] == "yes"
    code, body = _request(node_cluster, kc_a, "PATCH", f"/api/v1/nodes/{name_b}/status",
                          {"status": {"conditions": []}})
    assert code == 403
    # a node may delete only pods bound to it
    admin.run("create", "secret", "generic", "s2", "--from-literal=k=v", "-n", namespace)
    admin.run("create", "-n", namespace, "-f", "-", input=_pod("on-b", name_b, "s2"))
    code, body = _request(node_cluster, kc_a, "DELETE", f"/api/v1/namespaces/{namespace}/pods/on-b")
    assert code == 403
    assert body["message"] == (f'pods "on-b" is forbidden: node "{name_a}" can only delete pods '
                               f'with spec.nodeName set to itself')
    # ... and a lease only with its own name
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": name_b, "namespace": "kube-node-lease"}, "spec": {}}
    code, body = _request(node_cluster, kc_a, "POST",
                          "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease,
                          content_type="application/json")
    assert code == 403
    assert body["message"].endswith(f'node "{name_a}" is not allowed to modify lease "{name_b}"')
    lease["metadata"]["name"] = name_a
    code, _ = _request(node_cluster, kc_a, "POST",
                       "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease,
                       content_type="application/json")
    assert code == 201


@pytest.fixture
def namespace(admin) -> str:
    name = f"na-{uuid.uuid4().hex[:8]}"
    admin.run("create", "namespace", name)
    # no controller manager here to make the default service account pods need
    admin.run("create", "serviceaccount", "default", "-n", name)
    yield name
    admin.run("delete", "namespace", name, "--wait=false", check=False)
