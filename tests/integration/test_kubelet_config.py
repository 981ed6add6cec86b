# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes agent --config FILE` with a KubeletConfiguration, as seed 000's kubelet
unit runs it: the file's fields take effect, flags given beside it win, the server's
authentication follows `authentication` (anonymous, bearer tokens through TokenReview,
the x509 client CA) and it serves the `tlsCertFile` given; a file it cannot use is a
one-line error and exit status 2."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import Kubectl, Server
from tests.support.kubelet_agent import Agent, run_agent
from tests.support.waiting import wait_for

CONFIG = """kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: {anonymous}
  webhook:
    enabled: true
  x509:
    clientCAFile: "{ca}"
authorization:
  mode: Webhook
clusterDomain: "cluster.local"
clusterDNS:
  - "10.20.0.10"
runtimeRequestTimeout: "15m"
staticPodPath: manifests
fileCheckFrequency: 1s
maxPods: 7
healthzPort: 0
registerWithTaints:
- key: dedicated
  value: config
  effect: NoSchedule
{extra}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("kubelet-config-cluster"), command="server").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(cluster, tmp_path_factory.mktemp("kubelet-config-kubectl"))


def write_config(directory, cluster: Server, anonymous: bool = False, extra: str = ""):
    (directory / "manifests").mkdir(exist_ok=True)
    path = directory / "kubelet-config.yaml"
    path.write_text(CONFIG.format(anonymous=str(anonymous).lower(), ca=cluster.data_dir / "pki" / "ca.crt",
                                  extra=extra))
    return path


def node(admin: Kubectl, name: str) -> dict | None:
    result = admin.run("get", "node", name, "-o", "json", check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def kubelet_get(port: int, path: str, token: str = "", ca_file=None) -> tuple[int, str]:
    context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else ssl._create_unverified_context()
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def kubelet_port(admin: Kubectl, name: str) -> int:
    return wait_for(lambda: (node(admin, name) or {}).get("status", {}).get("daemonEndpoints", {}).get(
        "kubeletEndpoint", {}).get("Port"), timeout=60)


def test_the_config_file_configures_the_kubelet(cluster, admin, tmp_path):
    config = write_config(tmp_path, cluster, extra="bogusField: true")
    (tmp_path / "manifests" / "etcd.yaml").write_text(json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "etcd", "namespace": "kube-system"},
        "spec": {"containers": [{"name": "etcd", "image": "busybox:1.36"}]}}))
    agent = Agent(cluster, tmp_path, "config-node", ["--runtime", "fake", "--config", str(config)]).start()
    try:
        registered = wait_for(lambda: node(admin, "config-node"), timeout=60)
        assert registered["status"]["capacity"]["pods"] == "7"
        assert registered["spec"]["taints"] == [{"key": "dedicated", "value": "config", "effect": "NoSchedule"}]
        # staticPodPath relative to the file, read every second
        wait_for(lambda: admin.run("get", "pod", "-n", "kube-system", "etcd-config-node", check=False)
                 .returncode == 0, timeout=60)
        # the unknown field is named, as upstream's lenient decoding logs it, and the rest applied
        assert 'unknown field "bogusField"' in agent.output()
        port = kubelet_port(admin, "config-node")
        status, body = kubelet_get(port, "/pods")  # no credentials, anonymous off
        assert status == 401 and body == "Unauthorized"
        # a bearer token is reviewed by the API server (TokenReview), then authorized (SAR)
        admin.run("create", "serviceaccount", "kubelet-reader")
        token = admin.run("create", "token", "kubelet-reader").stdout.strip()
        status, body = kubelet_get(port, "/pods", token=token)
        assert status == 403
        assert "user=system:serviceaccount:default:kubelet-reader" in body and "subresource=proxy" in body
        assert kubelet_get(port, "/pods", token="not-a-token")[0] == 401
        admin.run("create", "clusterrole", "kubelet-proxy-reader", "--verb=get", "--resource=nodes/proxy")
        admin.run("create", "clusterrolebinding", "kubelet-reader", "--clusterrole=kubelet-proxy-reader",
                  "--serviceaccount=default:kubelet-reader")
        status, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(
            kubelet_get(port, "/pods", token=token)), timeout=60)
        assert "etcd-config-node" in body
    finally:
        agent.stop()


def test_anonymous_requests_are_authorized_like_any_user(cluster, admin, tmp_path):
    config = write_config(tmp_path, cluster, anonymous=True)
    agent = Agent(cluster, tmp_path, "anon-node", ["--runtime", "fake", "--config", str(config)]).start()
    try:
        port = kubelet_port(admin, "anon-node")
        status, body = kubelet_get(port, "/pods")
        assert status == 403 and "user=system:anonymous" in body
        admin.run("create", "clusterrole", "anonymous-kubelet-stats", "--verb=get", "--resource=nodes/stats")
        admin.run("create", "clusterrolebinding", "anonymous-kubelet-stats",
                  "--clusterrole=anonymous-kubelet-stats", "--user=system:anonymous")
        wait_for(lambda: kubelet_get(port, "/stats/summary")[0] == 200, timeout=60)
        assert kubelet_get(port, "/pods")[0] == 403  # still only what RBAC grants
    finally:
        agent.stop()
        admin.run("delete", "clusterrolebinding", "anonymous-kubelet-stats", check=False)


def test_flags_win_over_the_file_and_the_given_certificate_is_served(cluster, admin, tmp_path):
    from kybernetes.pki import certs
    ca = certs.new_ca("test-kubelet-ca")
    serving = certs.new_serving_cert(ca, "flags-node", ["flags-node", "localhost"], ["127.0.0.1"])
    certs.write_pair(serving, tmp_path / "flags-node.pem", tmp_path / "flags-node-key.pem")
    (tmp_path / "serving-ca.pem").write_bytes(ca.cert_pem)
    config = write_config(tmp_path, cluster, extra="tlsCertFile: flags-node.pem\n"
                                                   "tlsPrivateKeyFile: flags-node-key.pem\n")
    agent = Agent(cluster, tmp_path, "flags-node", ["--runtime", "fake", "--config", str(config),
                                                    "--max-pods", "9", "--register-with-taints", ""]).start()
    try:
        registered = wait_for(lambda: node(admin, "flags-node"), timeout=60)
        assert registered["status"]["capacity"]["pods"] == "9"
        assert not registered["spec"].get("taints")
        port = kubelet_port(admin, "flags-node")
        # verified against the CA of the given certificate: the kubelet serves that one
        assert kubelet_get(port, "/pods", ca_file=tmp_path / "serving-ca.pem")[0] == 401
    finally:
        agent.stop()


@pytest.mark.parametrize("text, message", [
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n",
     'no kind "KubeProxyConfiguration" is registered for version "kubelet.config.k8s.io/v1beta1"'),
    ("apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n",
     'no kind "KubeletConfiguration" is registered for version "kubelet.config.k8s.io/v1alpha1"'),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: lots\n",
     "cannot unmarshal string into Go struct field KubeletConfiguration.maxPods of type int32"),
])
def test_a_config_the_kubelet_cannot_use_is_a_one_line_error(cluster, tmp_path, text, message):
    config = tmp_path / "kubelet-config.yaml"
    config.write_text(text)
    result = run_agent(["--kubeconfig", str(cluster.kubeconfig), "--runtime", "fake", "--config", str(config)])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"kybernetes: error: failed to load kubelet config file, path: {config}, error:")
    assert message in lines[0]
    missing = run_agent(["--kubeconfig", str(cluster.kubeconfig), "--config", str(tmp_path / "nope.yaml")])
    assert missing.returncode == 2 and "No such file or directory" in missing.stderr


def test_register_node_false_waits_for_the_node_an_admin_creates(cluster, admin, tmp_path):
    config = write_config(tmp_path, cluster, extra="registerNode: false\n")
    agent = Agent(cluster, tmp_path, "manual-node", ["--runtime", "fake", "--config", str(config)]).start()
    try:
        wait_for(lambda: 'registering node manual-node: nodes "manual-node" not found' in agent.output(),
                 timeout=60)
        assert node(admin, "manual-node") is None  # the kubelet did not create it
        admin.run("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node",
                                                         "metadata": {"name": "manual-node"}}))
        ready = wait_for(lambda: (lambda n: n if n and n.get("status", {}).get("nodeInfo") else None)(
            node(admin, "manual-node")), timeout=60)
        assert ready["status"]["capacity"]["pods"] == "7"
        assert any(c["type"] == "Ready" for c in ready["status"]["conditions"])
    finally:
        agent.stop()
