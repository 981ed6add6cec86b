# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes simulate` against a real cluster: nodes register Ready with Leases, pods
bound to them run, finish and go away, and the Leases stop when the process dies."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
from kubernetes import client
from tests.support.waiting import wait_for

RUN_LABEL = "kybernetes.io/simulated-run"


@pytest.fixture(scope="module")
def simulation(cluster, cluster_kubectl, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("simulate") / "simulate.log"
    log = open(log_path, "wb")
    prefix = f"t{uuid.uuid4().hex[:4]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "kybernetes.cli.main", "simulate", "--nodes", "3",
         "--name-prefix", prefix, "--cpu", "4", "--memory", "8Gi"],
        env=dict(os.environ, KUBECONFIG=str(cluster.kubeconfig)),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def run_id():
        text = log_path.read_text()
        if process.poll() is not None:
            raise AssertionError(f"simulate exited: {text}")
        return "registered 3 nodes" in text and text.split(f"{RUN_LABEL}=")[1].split(")")[0]
    process.run_id = wait_for(run_id)
    process.log_path = log_path
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    # the cluster is shared by other tests: leave no dead nodes behind
    cluster_kubectl.run("delete", "nodes", "-l", f"{RUN_LABEL}={process.run_id}", "--wait=false",
                        check=False)


def simulated_nodes(cluster_kubectl, simulation) -> list[dict]:
    return cluster_kubectl.json("get", "nodes", "-l", f"{RUN_LABEL}={simulation.run_id}")["items"]


def lease_renew_times(cluster_kubectl, names) -> dict[str, str]:
    leases = cluster_kubectl.json("get", "leases", "-n", "kube-node-lease")["items"]
    return {l["metadata"]["name"]: l["spec"]["renewTime"] for l in leases
            if l["metadata"]["name"] in names}


def bound_pod(cluster_api, namespace: str, node: str, name: str, **spec) -> None:
    core = client.CoreV1Api(cluster_api)
    # a scheduler name no scheduler answers to: the binding below is the only one
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox"}],
                     "schedulerName": "bound-by-test", **spec}}
    core.create_namespaced_pod(namespace, body)
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
               "target": {"apiVersion": "v1", "kind": "Node", "name": node}}
    core.create_namespaced_pod_binding(name, namespace, binding, _preload_content=False)


def test_nodes_register_ready_with_leases(cluster_kubectl, simulation):
    nodes = simulated_nodes(cluster_kubectl, simulation)
    assert len(nodes) == 3
    for node in nodes:
        ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"][0]
        assert ready["status"] == "True" and ready["reason"] == "KubeletReady"
        assert node["status"]["capacity"]["cpu"] == "4"
        assert node["status"]["nodeInfo"]["containerRuntimeVersion"] == "fake://0.1.0"
        assert node["metadata"]["labels"]["kubernetes.io/hostname"] == node["metadata"]["name"]
    names = {n["metadata"]["name"] for n in nodes}
    leases = cluster_kubectl.json("get", "leases", "-n", "kube-node-lease")["items"]
    ours = [l for l in leases if l["metadata"]["name"] in names]
    assert len(ours) == 3
    uids = {n["metadata"]["name"]: n["metadata"]["uid"] for n in nodes}
    for lease in ours:
        assert lease["spec"]["leaseDurationSeconds"] == 40
        assert lease["spec"]["holderIdentity"] == lease["metadata"]["name"]
        owner = lease["metadata"]["ownerReferences"][0]
        assert owner["kind"] == "Node" and owner["uid"] == uids[lease["metadata"]["name"]]
    table = cluster_kubectl.run("get", "nodes", "-l", f"{RUN_LABEL}={simulation.run_id}").stdout
    assert table.count(" Ready ") == 3


def test_bound_pod_runs_with_ip_and_ready(cluster_kubectl, cluster_api, cluster_namespace, simulation):
    node = simulated_nodes(cluster_kubectl, simulation)[0]["metadata"]["name"]
    bound_pod(cluster_api, cluster_namespace, node, "web")

    def running():
        pod = cluster_kubectl.json("get", "pod", "web", "-n", cluster_namespace)
        return pod["status"].get("phase") == "Running" and pod
    pod = wait_for(running)
    status = pod["status"]
    assert status["podIP"].startswith("10.244.")
    assert status["hostIP"].startswith("198.18.")
    ready = {c["type"]: c["status"] for c in status["conditions"]}
    assert ready["Ready"] == "True" and ready["ContainersReady"] == "True"
    assert status["containerStatuses"][0]["state"]["running"]["startedAt"]
    out = cluster_kubectl.run("get", "pod", "web", "-n", cluster_namespace).stdout
    assert "1/1" in out and "Running" in out


def test_never_pod_succeeds_and_failing_one_fails(cluster_kubectl, cluster_api, cluster_namespace,
                                                  simulation):
    node = simulated_nodes(cluster_kubectl, simulation)[1]["metadata"]["name"]
    bound_pod(cluster_api, cluster_namespace, node, "job", restartPolicy="Never")
    core = client.CoreV1Api(cluster_api)
    core.create_namespaced_pod(cluster_namespace, {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "bad", "annotations": {"kybernetes.io/fake-exit-code": "2"}},
        "spec": {"nodeName": node, "restartPolicy": "Never",
                 "containers": [{"name": "c", "image": "busybox"}]}})

    def phase(name):
        return cluster_kubectl.json("get", "pod", name, "-n", cluster_namespace)["status"].get("phase")
    wait_for(lambda: phase("job") == "Succeeded")
    wait_for(lambda: phase("bad") == "Failed")
    bad = cluster_kubectl.json("get", "pod", "bad", "-n", cluster_namespace)
    assert bad["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 2
    out = cluster_kubectl.run("get", "pods", "-n", cluster_namespace).stdout
    assert "Completed" in out and "Error" in out


def test_pod_that_does_not_fit_is_rejected(cluster_kubectl, cluster_api, cluster_namespace, simulation):
    node = simulated_nodes(cluster_kubectl, simulation)[2]["metadata"]["name"]
    bound_pod(cluster_api, cluster_namespace, node, "huge",
              containers=[{"name": "c", "image": "busybox", "resources": {"requests": {"cpu": "5"}}}])

    def rejected():
        pod = cluster_kubectl.json("get", "pod", "huge", "-n", cluster_namespace)
        return pod["status"].get("phase") == "Failed" and pod
    pod = wait_for(rejected)
    assert pod["status"]["reason"] == "OutOfcpu"
    # `used` counts whatever else the shared cluster's scheduler placed on that node
    assert re.search(r"Node didn't have enough resource: cpu, requested: 5000, used: \d+, "
                     r"capacity: 4000", pod["status"]["message"])


def test_deleting_a_pod_completes(cluster_kubectl, cluster_api, cluster_namespace, simulation):
    node = simulated_nodes(cluster_kubectl, simulation)[2]["metadata"]["name"]
    bound_pod(cluster_api, cluster_namespace, node, "doomed")
    wait_for(lambda: cluster_kubectl.json("get", "pod", "doomed", "-n", cluster_namespace)
             ["status"].get("phase") == "Running")
    # the default grace period (30 s) is not waited out: the kubelet stops the pod and
    # removes it as soon as it has stopped
    cluster_kubectl.run("delete", "pod", "doomed", "-n", cluster_namespace, "--wait=true",
                        "--timeout=60s")
    gone = cluster_kubectl.run("get", "pod", "doomed", "-n", cluster_namespace, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr


def test_leases_renew_and_stop_when_the_process_dies(cluster_kubectl, simulation):
    names = {n["metadata"]["name"] for n in simulated_nodes(cluster_kubectl, simulation)}
    first = lease_renew_times(cluster_kubectl, names)

    def all_renewed():
        now = lease_renew_times(cluster_kubectl, names)
        return all(now[name] != first[name] for name in names) and now
    renewed = wait_for(all_renewed, timeout=60, interval=1)
    simulation.send_signal(signal.SIGKILL)
    simulation.wait(timeout=30)
    after_kill = lease_renew_times(cluster_kubectl, names)
    time.sleep(21)  # two renewal intervals: a live kubelet would have renewed twice
    assert lease_renew_times(cluster_kubectl, names) == after_kill
    assert len(renewed) == 3
