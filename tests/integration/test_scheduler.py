# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The scheduler inside `kybernetes server`, driven with the real kubectl: Node objects
made by the test (no kubelets), pods placed by resources, selectors, anti-affinity and
taints, the FailedScheduling message, preemption and other schedulers' pods.

Each test's nodes carry a group label and a NoSchedule taint only its pods tolerate, so
nodes other tests create in the shared cluster never take these pods."""
from __future__ import annotations

import json
import re
import uuid

import pytest
from tests.support.waiting import wait_for

GROUP_KEY = "scheduler-test.kybernetes.io/group"


class Group:
    """Nodes for one test, and pods that only fit on them."""

    def __init__(self, kubectl, namespace: str) -> None:
        self.kubectl = kubectl
        self.namespace = namespace
        self.id = uuid.uuid4().hex[:6]
        self.nodes: list[str] = []

    def node(self, name: str, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
             labels: dict | None = None, taints: list | None = None) -> str:
        full = f"{name}-{self.id}"
        body = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": full, "labels": {
                    "kubernetes.io/hostname": full, GROUP_KEY: self.id, **(labels or {})}},
                "spec": {"taints": [{"key": GROUP_KEY, "value": self.id, "effect": "NoSchedule"},
                                    *(taints or [])]},
                "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": pods},
                           "allocatable": {"cpu": cpu, "memory": memory, "pods": pods},
                           "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                           "message": "kubelet is posting ready status"}]}}
        self.kubectl.run("create", "-f", "-", input=json.dumps(body))
        self.nodes.append(full)
        return full

    def pod(self, name: str, cpu: str = "100m", labels: dict | None = None, extra_spec: dict | None = None,
            tolerate_group: bool = True) -> dict:
        spec = {"containers": [{"name": "c", "image": "busybox",
                                "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}],
                "nodeSelector": {GROUP_KEY: self.id},
                "tolerations": [{"key": GROUP_KEY, "operator": "Equal", "value": self.id,
                                 "effect": "NoSchedule"}] if tolerate_group else []}
        for key, value in (extra_spec or {}).items():
            if isinstance(value, dict) and isinstance(spec.get(key), dict):
                spec[key] = {**spec[key], **value}
            else:
                spec[key] = value
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": self.namespace, "labels": labels or {}},
                "spec": spec}
        self.kubectl.run("create", "-f", "-", input=json.dumps(body))
        return body

    def get(self, name: str) -> dict:
        return self.kubectl.json("get", "pod", name, "-n", self.namespace)

    def node_of(self, name: str) -> str:
        return (self.get(name).get("spec") or {}).get("nodeName") or ""

    def wait_bound(self, name: str) -> str:
        return wait_for(lambda: self.node_of(name))

    def condition(self, name: str) -> dict:
        pod = self.get(name)
        return next((c for c in (pod.get("status") or {}).get("conditions") or []
                     if c.get("type") == "PodScheduled"), {})

    def cleanup(self) -> None:
        self.kubectl.run("delete", "pods", "--all", "-n", self.namespace, "--grace-period=0",
                         "--force", "--wait=false", check=False)
        if self.nodes:
            self.kubectl.run("delete", "nodes", *self.nodes, "--wait=false", check=False)


@pytest.fixture
def group(cluster_kubectl, cluster_namespace):
    g = Group(cluster_kubectl, cluster_namespace)
    yield g
    g.cleanup()


def test_pod_goes_to_the_node_with_room(group):
    group.node("small", cpu="1")
    big = group.node("big", cpu="8")
    group.pod("wants-two-cpus", cpu="2")
    assert group.wait_bound("wants-two-cpus") == big
    condition = group.condition("wants-two-cpus")
    assert condition.get("status") == "True"
    events = group.kubectl.json("get", "events", "-n", group.namespace,
                                "--field-selector", "involvedObject.name=wants-two-cpus")
    scheduled = [e for e in events["items"] if e.get("reason") == "Scheduled"]
    assert scheduled and scheduled[0]["message"] == \
        f"Successfully assigned {group.namespace}/wants-two-cpus to {big}"


def test_node_selector(group):
    group.node("plain")
    ssd = group.node("fast", labels={"disktype": "ssd"})
    group.pod("needs-ssd", extra_spec={"nodeSelector": {"disktype": "ssd"}})
    assert group.wait_bound("needs-ssd") == ssd


def test_required_anti_affinity_spreads_three_pods(group):
    nodes = {group.node(f"n{i}") for i in range(3)}
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
        "labelSelector": {"matchLabels": {"app": "spread"}},
        "topologyKey": "kubernetes.io/hostname"}]}}
    for index in range(3):
        group.pod(f"spread-{index}", labels={"app": "spread"}, extra_spec={"affinity": anti})
    placed = {group.wait_bound(f"spread-{index}") for index in range(3)}
    assert placed == nodes
    # a fourth has nowhere to go
    group.pod("spread-3", labels={"app": "spread"}, extra_spec={"affinity": anti})
    condition = wait_for(lambda: group.condition("spread-3").get("reason") == "Unschedulable"
                         and group.condition("spread-3"))
    assert "3 node(s) didn't match pod anti-affinity rules" in condition["message"]


def test_taint_without_toleration_is_avoided(group):
    tainted = group.node("tainted", taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    clean = group.node("clean")
    group.pod("no-toleration")
    assert group.wait_bound("no-toleration") == clean
    group.pod("tolerates", extra_spec={"nodeSelector": {"kubernetes.io/hostname": tainted},
                                       "tolerations": [
        {"key": GROUP_KEY, "operator": "Exists"},
        {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]})
    assert group.wait_bound("tolerates") == tainted


def test_impossible_pod_gets_failed_scheduling(group):
    group.node("a", cpu="1")
    group.node("b", cpu="1", taints=[{"key": "node-role.kubernetes.io/control-plane",
                                      "effect": "NoSchedule"}])
    group.pod("too-big", cpu="2")
    condition = wait_for(lambda: group.condition("too-big").get("reason") == "Unschedulable"
                         and group.condition("too-big"))
    assert condition["status"] == "False"
    message = condition["message"]
    assert re.match(r"0/\d+ nodes are available: ", message), message
    assert "1 Insufficient cpu" in message
    assert "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }" in message
    assert " preemption: 0/" in message and "Preemption is not helpful for scheduling" in message
    described = wait_for(lambda: (out := group.kubectl.run(
        "describe", "pod", "too-big", "-n", group.namespace).stdout) and "FailedScheduling" in out and out)
    assert "Warning  FailedScheduling" in described
    assert "Insufficient cpu" in described
    assert group.node_of("too-big") == ""


def test_preemption_of_a_lower_priority_pod(group, cluster_kubectl):
    low_class, high_class = f"low-{group.id}", f"high-{group.id}"
    for name, value in ((low_class, 100), (high_class, 1000)):
        cluster_kubectl.run("create", "priorityclass", name, f"--value={value}")
    try:
        node = group.node("only", cpu="2")
        group.pod("victim", cpu="1500m", extra_spec={"priorityClassName": low_class})
        assert group.wait_bound("victim") == node
        assert group.get("victim")["spec"]["priority"] == 100
        group.pod("preemptor", cpu="1500m", extra_spec={"priorityClassName": high_class})

        def victim_marked():
            pod = group.get("victim")
            targets = [c for c in pod["status"].get("conditions") or [] if c["type"] == "DisruptionTarget"]
            return pod["metadata"].get("deletionTimestamp") and targets and targets[0]
        target = wait_for(victim_marked)
        assert target["reason"] == "PreemptionByScheduler"
        assert wait_for(lambda: group.get("preemptor")["status"].get("nominatedNodeName")) == node
        # no kubelet here to finish the victim's graceful termination: do it as it would
        cluster_kubectl.run("delete", "pod", "victim", "-n", group.namespace, "--grace-period=0",
                            "--force")
        assert group.wait_bound("preemptor") == node
    finally:
        cluster_kubectl.run("delete", "priorityclass", low_class, high_class, check=False)


def test_unknown_priority_class_is_refused(group):
    result = group.kubectl.run("run", "x", "--image=busybox", "-n", group.namespace,
                               "--overrides", json.dumps({"spec": {"priorityClassName": "nope"}}),
                               check=False)
    assert result.returncode != 0
    assert 'pods "x" is forbidden: no PriorityClass with name nope was found' in result.stderr


def test_pod_for_another_scheduler_stays_pending(group):
    group.node("any")
    group.pod("elsewhere", extra_spec={"schedulerName": "other-scheduler"})
    group.pod("ours")
    group.wait_bound("ours")
    # the default scheduler has taken a later pod; the other one it leaves alone
    pod = group.get("elsewhere")
    assert not pod["spec"].get("nodeName")
    assert not [c for c in pod["status"].get("conditions") or [] if c["type"] == "PodScheduled"]


def test_scheduler_holds_the_lease(cluster_kubectl):
    lease = wait_for(lambda: cluster_kubectl.json("get", "lease", "kube-scheduler", "-n", "kube-system")
                     if cluster_kubectl.run("get", "lease", "kube-scheduler", "-n", "kube-system",
                                            check=False).returncode == 0 else None)
    assert lease["spec"]["holderIdentity"]


def test_standalone_scheduler_with_a_config_file(group, cluster, tmp_path):
    import subprocess
    import sys
    old = tmp_path / "old.yaml"
    old.write_text("apiVersion: componentconfig/v1alpha1\nkind: KubeSchedulerConfiguration\n"
                   f"clientConnection:\n  kubeconfig: {cluster.kubeconfig}\n"
                   "leaderElection:\n  leaderElect: true\n")
    refused = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "scheduler",
                              "--config", str(old)], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "componentconfig/v1alpha1" in refused.stderr
    assert "kubescheduler.config.k8s.io/v1" in refused.stderr
    config = tmp_path / "scheduler.yaml"
    config.write_text("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                      f"clientConnection:\n  kubeconfig: {cluster.kubeconfig}\n"
                      f"leaderElection:\n  leaderElect: true\n  resourceName: other-{group.id}\n"
                      f"profiles:\n- schedulerName: other-{group.id}\n")
    process = subprocess.Popen([sys.executable, "-m", "kybernetes.cli.main", "scheduler",
                                "--config", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        node = group.node("for-other")
        group.pod("by-other", extra_spec={"schedulerName": f"other-{group.id}"})
        assert group.wait_bound("by-other") == node
        events = group.kubectl.json("get", "events", "-n", group.namespace,
                                    "--field-selector", "involvedObject.name=by-other")
        assert any(e.get("reason") == "Scheduled" and e["source"]["component"] == f"other-{group.id}"
                   for e in events["items"])
    finally:
        process.terminate()
        process.wait(timeout=30)
