# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's stats and metrics endpoints through the API server's nodes/proxy, its
Webhook authorization of direct callers (403 with upstream's message, 401 without a
certificate), and node-pressure eviction: a threshold above the machine's memory makes
the node report MemoryPressure (memory.available<99%), get the memory-pressure taint, and evict the
BestEffort pod first."""
from __future__ import annotations

import json
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from kybernetes.api.quantity import parse_quantity
from tests.integration.conftest import Kubectl, Server, free_port, make_user
from tests.support.runc_cluster import needs_runc, runc_cluster as runc_cluster_running
from tests.support.waiting import wait_for


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kubelet-endpoints"), ["--runtime", "fake"],
                 command="server").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def k(cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(cluster, tmp_path_factory.mktemp("kubelet-endpoints-kubectl"))


@pytest.fixture(scope="module")
def node(k) -> str:
    def registered():
        items = k.json("get", "nodes")["items"]
        return items[0]["metadata"]["name"] if items else None
    return wait_for(registered)


def pod_yaml(name: str, namespace: str, node_name: str = "", memory: str = "") -> str:
    resources = f"\n      resources: {{requests: {{memory: {memory}}}}}" if memory else ""
    bound = f"\n  nodeName: {node_name}" if node_name else ""
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {namespace}}}
spec:{bound}
  containers:
    - name: app
      image: busybox{resources}
"""


@pytest.fixture
def namespace(k):
    name = f"kubelet-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", name)
    yield name
    k.run("delete", "namespace", name, "--wait=false", check=False)


def test_stats_summary_and_metrics_through_the_api_server(k, node, namespace):
    k.run("apply", "-f", "-", input=pod_yaml("web", namespace))
    wait_for(lambda: k.json("get", "pod", "-n", namespace, "web")["status"].get("phase") == "Running")

    def summary_with_pod():
        summary = json.loads(k.run("get", "--raw", f"/api/v1/nodes/{node}/proxy/stats/summary").stdout)
        refs = [p["podRef"] for p in summary["pods"]]
        return summary if any(r["name"] == "web" and r["namespace"] == namespace for r in refs) else None
    summary = wait_for(summary_with_pod)
    assert summary["node"]["nodeName"] == node
    assert summary["node"]["memory"]["workingSetBytes"] > 0
    assert summary["node"]["memory"]["availableBytes"] > 0
    assert summary["node"]["cpu"]["usageCoreNanoSeconds"] > 0
    assert summary["node"]["fs"]["capacityBytes"] > summary["node"]["fs"]["availableBytes"] > 0
    assert summary["node"]["rlimit"]["maxpid"] > 0
    [pod] = [p for p in summary["pods"] if p["podRef"]["name"] == "web"]
    assert [c["name"] for c in pod["containers"]] == ["app"]

    resource = k.run("get", "--raw", f"/api/v1/nodes/{node}/proxy/metrics/resource").stdout
    assert "# TYPE node_cpu_usage_seconds_total counter" in resource
    assert f'pod_memory_working_set_bytes{{namespace="{namespace}",pod="web"}}' in resource
    assert f'container_cpu_usage_seconds_total{{container="app",namespace="{namespace}",pod="web"}}' in resource

    metrics = k.run("get", "--raw", f"/api/v1/nodes/{node}/proxy/metrics").stdout
    assert f'kubelet_node_name{{node="{node}"}} 1' in metrics
    running = [line for line in metrics.splitlines() if line.startswith("kubelet_running_pods ")]
    assert running and int(running[0].split()[1]) >= 1
    spec = json.loads(k.run("get", "--raw", f"/api/v1/nodes/{node}/proxy/spec/").stdout)
    assert spec["num_cores"] >= 1 and spec["memory_capacity"] > 0


def _kubelet_get(port: int, path: str, cluster: Server, kubeconfig: Path | None):
    context = ssl.create_default_context(cafile=str(cluster.data_dir / "pki" / "ca.crt"))
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the kubelet's serving cert is not what is tested here
    if kubeconfig is not None:
        user = yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]
        import base64
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = Path(tmp) / "c.crt", Path(tmp) / "c.key"
            cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
            key.write_bytes(base64.b64decode(user["client-key-data"]))
            context.load_cert_chain(str(cert), str(key))
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", context=context, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_kubelet_authorizes_direct_callers_with_subject_access_reviews(k, cluster, node):
    port = k.json("get", "node", node)["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
    assert _kubelet_get(port, "/stats/summary", cluster, None) == (401, "Unauthorized")
    name = f"bob-{uuid.uuid4().hex[:6]}"
    bob = make_user(cluster, name)
    code, body = _kubelet_get(port, "/stats/summary", cluster, bob)
    assert code == 403
    assert body == f"Forbidden (user={name}, verb=get, resource=nodes, subresource=stats)"
    code, body = _kubelet_get(port, "/pods", cluster, bob)
    assert (code, body) == (403, f"Forbidden (user={name}, verb=get, resource=nodes, subresource=proxy)")
    # the API server's own kubelet client is allowed everything
    admin_like = _kubelet_get(port, "/metrics", cluster, None)
    assert admin_like[0] == 401
    # granted nodes/stats, bob gets the summary once the denial's cache entry (30 s) expires
    k.run("create", "clusterrole", f"{name}-stats", "--verb=get", "--resource=nodes/stats")
    k.run("create", "clusterrolebinding", f"{name}-stats", f"--clusterrole={name}-stats", f"--user={name}")
    try:
        code, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(
            _kubelet_get(port, "/stats/summary", cluster, bob)))
        assert json.loads(body)["node"]["nodeName"] == node
        # stats only: the rest of the kubelet's API stays closed
        assert _kubelet_get(port, "/pods", cluster, bob)[0] == 403
    finally:
        k.run("delete", "clusterrolebinding", f"{name}-stats", check=False)
        k.run("delete", "clusterrole", f"{name}-stats", check=False)


def test_memory_pressure_sets_the_condition_and_evicts_besteffort_first(k, cluster, namespace, tmp_path):
    node_name = f"pressure-{uuid.uuid4().hex[:6]}"
    kubeconfig = make_user(cluster, f"system:node:{node_name}", "system:nodes")
    # bound before the node exists, so both are there at the first monitoring round
    k.run("apply", "-f", "-", input=pod_yaml("burstable", namespace, node_name, "64Mi"))
    k.run("apply", "-f", "-", input=pod_yaml("besteffort", namespace, node_name))
    healthz_port = free_port()
    log = open(tmp_path / "agent.log", "wb")
    agent = subprocess.Popen(
        [sys.executable, "-m", "kybernetes.cli.main", "agent", "--kubeconfig", str(kubeconfig),
         "--runtime", "fake", "--hostname-override", node_name, "--port", "0",
         "--address", "127.0.0.1", "--node-ip", "127.0.0.1", "--root-dir", str(tmp_path / "root"),
         "--eviction-hard", "memory.available<99%", "--healthz-port", str(healthz_port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def pressure_condition():
            node = k.json("get", "node", node_name) if k.run("get", "node", node_name, check=False).returncode == 0 else None
            if node is None:
                return None
            conditions = {c["type"]: c for c in node["status"].get("conditions") or []}
            memory = conditions.get("MemoryPressure")
            return node if memory and memory["status"] == "True" else None
        node = wait_for(pressure_condition)
        # upstream's plain-HTTP healthz on localhost, no credentials needed
        with urllib.request.urlopen(f"http://127.0.0.1:{healthz_port}/healthz", timeout=30) as reply:
            assert reply.read() == b"ok"
        memory = {c["type"]: c for c in node["status"]["conditions"]}["MemoryPressure"]
        assert memory["reason"] == "KubeletHasInsufficientMemory"
        assert memory["message"] == "kubelet has insufficient memory available"
        wait_for(lambda: f"Node {node_name} status is now: NodeHasInsufficientMemory" in k.run(
            "get", "events", "-n", "default", "--field-selector",
            f"involvedObject.name={node_name},reason=NodeHasInsufficientMemory").stdout)
        # allocatable is capacity less the hard threshold: 1% is left
        capacity, allocatable = (int(parse_quantity(node["status"][key]["memory"]))
                                 for key in ("capacity", "allocatable"))
        assert capacity // 100 - 1024 <= allocatable <= capacity // 100 + 1024

        def first_failed():
            pods = {p["metadata"]["name"]: p for p in k.json("get", "pods", "-n", namespace)["items"]}
            failed = [n for n, p in pods.items() if p["status"].get("phase") == "Failed"]
            return (failed, pods) if failed else None
        failed, pods = wait_for(first_failed)
        assert failed == ["besteffort"]
        status = pods["besteffort"]["status"]
        assert status["reason"] == "Evicted"
        assert status["message"].startswith(
            "The node was low on resource: memory. Threshold quantity: ")
        assert ", available: " in status["message"]
        events = k.run("get", "events", "-n", namespace, "--field-selector",
                       "involvedObject.name=besteffort,reason=Evicted").stdout
        assert "The node was low on resource: memory." in events
        # the node lifecycle controller taints the node as upstream's TaintNodesByCondition
        wait_for(lambda: any(t["key"] == "node.kubernetes.io/memory-pressure" and t["effect"] == "NoSchedule"
                             for t in k.json("get", "node", node_name)["spec"].get("taints") or []))
        # one pod per monitoring interval: the burstable pod follows
        wait_for(lambda: k.json("get", "pod", "-n", namespace, "burstable")["status"].get("reason") == "Evicted")
    finally:
        agent.terminate()
        try:
            agent.wait(timeout=20)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
        log.close()
        k.run("delete", "node", node_name, "--wait=false", check=False)


# ---------------------------------------------------------------- real containers (runc)
@pytest.fixture(scope="module")
def runc_cluster(tmp_path_factory):
    with runc_cluster_running(tmp_path_factory, "stats") as server:
        yield server


@needs_runc
def test_summary_of_a_real_busybox_pod(runc_cluster, tmp_path_factory):
    k = Kubectl(runc_cluster, tmp_path_factory.mktemp("stats-runc-kubectl"))
    node = wait_for(lambda: (k.json("get", "nodes")["items"] or [{}])[0].get("metadata", {}).get("name"))
    ns = f"stats-{uuid.uuid4().hex[:6]}"
    k.run("create", "namespace", ns)
    wait_for(lambda: k.run("get", "serviceaccount", "default", "-n", ns, check=False).returncode == 0)
    k.run("run", "busy", "-n", ns, "--image=busybox", "--restart=Never", "--", "sh", "-c",
          "x=$(head -c 4000000 /dev/zero | tr '\\0' a); while true; do sleep 1; done")
    wait_for(lambda: k.json("get", "pod", "-n", ns, "busy")["status"].get("phase") == "Running", timeout=120)

    def busy_stats():
        summary = json.loads(k.run("get", "--raw", f"/api/v1/nodes/{node}/proxy/stats/summary").stdout)
        pods = [p for p in summary["pods"] if p["podRef"]["namespace"] == ns]
        if pods and pods[0]["containers"] and pods[0]["memory"]["workingSetBytes"] > 4_000_000:
            return pods[0]
        return None
    pod = wait_for(busy_stats, timeout=120)
    [container] = pod["containers"]
    assert container["name"] == "busy"
    assert container["memory"]["workingSetBytes"] > 4_000_000  # the shell holds 4 MB
    assert container["cpu"]["usageCoreNanoSeconds"] > 0
    assert pod["process_stats"]["process_count"] >= 1
    resource = k.run("get", "--raw", f"/api/v1/nodes/{node}/proxy/metrics/resource").stdout
    line = [entry for entry in resource.splitlines()
            if entry.startswith(f'container_memory_working_set_bytes{{container="busy",namespace="{ns}"')]
    assert line and int(line[0].split()[1]) > 4_000_000
    k.run("delete", "namespace", ns, "--wait=false", check=False)
