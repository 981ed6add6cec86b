# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the kubelet's fast pod startup must keep: a pod's containers get the service
environment variables of Services made before and after the kubelet started (they come
from a watch-kept cache now, not an API call per container), its namespaces are pinned
without a holder process (none for a plain pod, one for shareProcessNamespace), and
its hostname and loopback work in them. `kybernetes server --runtime runc` with the
real kubectl."""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from tests.integration.conftest import Kubectl
from tests.support.runc_cluster import (fresh_namespace, needs_runc, ready_kubectl,
                                        runc_cluster as runc_cluster_running)
from tests.support.waiting import wait_for

pytestmark = needs_runc


@pytest.fixture(scope="module")
def runc_cluster(tmp_path_factory):
    with runc_cluster_running(tmp_path_factory, "startup") as server:
        yield server


@pytest.fixture(scope="module")
def rk(runc_cluster, tmp_path_factory) -> Kubectl:
    return ready_kubectl(runc_cluster, tmp_path_factory.mktemp("startup-kubectl"))


@pytest.fixture
def ns(rk) -> str:
    with fresh_namespace(rk, "s") as name:
        yield name


def run_pod(rk: Kubectl, ns: str, name: str, script: str, **spec) -> str:
    """The pod's output once it has succeeded."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"restartPolicy": "Never", **spec, "containers": [
               {"name": "main", "image": "busybox", "command": ["sh", "-c", script]}]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    wait_for(lambda: (rk.json("get", "pod", name, "-n", ns).get("status") or {})
             .get("phase") in ("Succeeded", "Failed"), timeout=90)
    assert rk.json("get", "pod", name, "-n", ns)["status"]["phase"] == "Succeeded"
    return rk.run("logs", name, "-n", ns).stdout


def test_service_environment_follows_services(rk: Kubectl, ns: str):
    rk.run("create", "service", "clusterip", "early-db", "--tcp=5432:5432", "-n", ns)
    early_ip = rk.json("get", "service", "early-db", "-n", ns)["spec"]["clusterIP"]
    first = run_pod(rk, ns, "env-1", "env")
    assert f"EARLY_DB_SERVICE_HOST={early_ip}" in first.splitlines()
    assert "EARLY_DB_SERVICE_PORT=5432" in first.splitlines()
    assert any(line.startswith("KUBERNETES_SERVICE_HOST=") for line in first.splitlines())
    # a Service made now reaches the next pod's containers through the kubelet's watch
    rk.run("create", "service", "clusterip", "late-cache", "--tcp=6379:6379", "-n", ns)
    late_ip = rk.json("get", "service", "late-cache", "-n", ns)["spec"]["clusterIP"]
    wait_for(lambda: f"LATE_CACHE_SERVICE_HOST={late_ip}" in
             run_pod(rk, ns, f"env-{uuid.uuid4().hex[:6]}", "env").splitlines(), timeout=60)
    # and a deleted one leaves it
    rk.run("delete", "service", "early-db", "-n", ns)
    wait_for(lambda: "EARLY_DB_SERVICE_HOST" not in
             run_pod(rk, ns, f"env-{uuid.uuid4().hex[:6]}", "env"), timeout=60)
    disabled = run_pod(rk, ns, "no-links", "env", enableServiceLinks=False)
    assert "LATE_CACHE_SERVICE_HOST" not in disabled
    assert any(line.startswith("KUBERNETES_SERVICE_HOST=") for line in disabled.splitlines())


def runc_processes(runc_cluster, pod_uid: str) -> list[str]:
    """The runc containers (holder included) the kubelet runs for one pod."""
    root = runc_cluster.data_dir / "kubelet" / "runc" / "runc"
    listed = json.loads(subprocess.run(["runc", "--root", str(root), "list", "--format", "json"],
                                       capture_output=True, text=True, check=True).stdout or "[]")
    out = []
    for container in listed or []:
        with open(f"{container['bundle']}/config.json") as handle:
            annotations = json.load(handle).get("annotations") or {}
        if annotations.get("io.kubernetes.pod.uid") == pod_uid:
            out.append(annotations.get("io.kubernetes.container.name", ""))
    return sorted(out)


def test_pod_namespaces_without_and_with_a_holder(rk: Kubectl, ns: str, runc_cluster):
    for name, share in (("plain", False), ("shared", True)):
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
               "spec": {"shareProcessNamespace": share, "terminationGracePeriodSeconds": 1,
                        "containers": [
                            {"name": "main", "image": "busybox", "command": ["sleep", "3600"]},
                            {"name": "side", "image": "busybox", "command": ["sleep", "3601"]}]}}
        rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))

    def all_running(name: str) -> bool:
        statuses = (rk.json("get", "pod", name, "-n", ns).get("status") or {}) \
            .get("containerStatuses") or []
        return len(statuses) == 2 and all("running" in s["state"] for s in statuses)

    look = "hostname; ip -o link show lo | grep -q LOWER_UP && echo lo-up; " \
           "ps -o args | grep -c '[s]leep 3601'; true"
    seen = {}
    for name in ("plain", "shared"):
        wait_for(lambda: all_running(name), timeout=90)
        seen[name] = rk.run("exec", name, "-c", "main", "-n", ns, "--", "sh", "-c", look).stdout.split()
    # own hostname and loopback; only a shared PID namespace shows the other container
    assert seen == {"plain": ["plain", "lo-up", "0"], "shared": ["shared", "lo-up", "1"]}
    plain_uid = rk.json("get", "pod", "plain", "-n", ns)["metadata"]["uid"]
    shared_uid = rk.json("get", "pod", "shared", "-n", ns)["metadata"]["uid"]
    assert runc_processes(runc_cluster, plain_uid) == ["main", "side"]
    assert runc_processes(runc_cluster, shared_uid) == ["POD", "main", "side"]
    # the containers of a pod share its UTS namespace
    assert rk.run("exec", "plain", "-c", "side", "-n", ns, "--", "hostname").stdout.strip() == "plain"
