# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node lifecycle, node IPAM, the PersistentVolume binder and the local-path
provisioner in a running `kybernetes server`, driven with the real kubectl.

Nodes here are plain Node objects whose kubelet the test plays (status and Lease
written by hand). They carry a NoSchedule taint of their own so no other test's pods
land on them, live in a zone of their own, and are deleted at the end."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone
from ipaddress import ip_network
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for

SEED_DIR = Path(__file__).parent / "seeds"
UNREACHABLE = "node.kubernetes.io/unreachable"


def stamp(micro: bool = False) -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def get(k: Kubectl, *args: str) -> dict | None:
    result = k.run("get", *args, "-o", "json", check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


class FakeKubelet:
    """Posts a Ready heartbeat and renews the node's Lease, as a kubelet does."""

    def __init__(self, k: Kubectl, node: str) -> None:
        self.k, self.node = k, node
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def beat(self) -> None:
        now = stamp()
        ready = {"type": "Ready", "status": "True", "reason": "KubeletReady",
                 "message": "kubelet is posting ready status", "lastHeartbeatTime": now,
                 "lastTransitionTime": now}
        self.k.run("patch", "node", self.node, "--subresource=status", "--type=strategic",
                   "-p", json.dumps({"status": {"conditions": [ready]}}))
        self.k.run("apply", "-f", "-", input=json.dumps({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": self.node, "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": self.node, "leaseDurationSeconds": 40,
                     "renewTime": stamp(micro=True)}}))

    def _loop(self) -> None:
        while not self.stop.wait(5):
            try:
                self.beat()
            except AssertionError:
                pass

    def start(self) -> "FakeKubelet":
        self.beat()
        self.thread.start()
        return self


def make_node(k: Kubectl, name: str, zone: str, owner: str) -> None:
    k.run("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                              "topology.kubernetes.io/zone": zone}},
        "spec": {"taints": [{"key": "kybernetes.test/owner", "value": owner, "effect": "NoSchedule"}]}}))


def pod_manifest(name: str, namespace: str, node: str | None, **spec) -> str:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"schedulerName": "nobody", "terminationGracePeriodSeconds": 30,
                     "containers": [{"name": "c", "image": "busybox"}], **spec}}
    if node:
        body["spec"]["nodeName"] = node
    return json.dumps(body)


def events_for(k: Kubectl, namespace: str, name: str) -> list[dict]:
    items = k.json("get", "events", "-n", namespace,
                   f"--field-selector=involvedObject.name={name}")["items"]
    return items


@pytest.fixture
def nodes(cluster_kubectl):
    made: list[str] = []
    yield made
    for name in made:
        cluster_kubectl.run("delete", "node", name, "--wait=false", check=False)
        cluster_kubectl.run("delete", "lease", name, "-n", "kube-node-lease", check=False)


# ---------------------------------------------------------------------------- IPAM
def test_new_nodes_get_distinct_pod_cidrs(cluster_kubectl, nodes):
    k = cluster_kubectl
    names = [f"ipam-{uuid.uuid4().hex[:6]}-{i}" for i in range(2)]
    for name in names:
        make_node(k, name, "ipam", "ipam")
        nodes.append(name)
    cidrs = [wait_for(lambda n=name: (get(k, "node", n) or {}).get("spec", {}).get("podCIDR"))
             for name in names]
    for name, cidr in zip(names, cidrs):
        node = get(k, "node", name)
        assert node["spec"]["podCIDRs"] == [cidr]
        assert ip_network(cidr).prefixlen == 24 and ip_network(cidr).subnet_of(ip_network("10.244.0.0/16"))
    everyone = [n["spec"].get("podCIDR") for n in k.json("get", "nodes")["items"] if n["spec"].get("podCIDR")]
    assert len(everyone) == len(set(everyone))  # no two nodes share a range


# ---------------------------------------------------------------------------- volumes
def test_static_volume_binds_and_is_released(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    cls = f"manual-{ns}"
    k.run("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"{ns}-small"},
         "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                  "storageClassName": cls, "hostPath": {"path": "/tmp/small"}}},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"{ns}-fits"},
         "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
                  "storageClassName": cls, "hostPath": {"path": "/tmp/fits"}}},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"{ns}-huge"},
         "spec": {"capacity": {"storage": "50Gi"}, "accessModes": ["ReadWriteOnce"],
                  "storageClassName": cls, "hostPath": {"path": "/tmp/huge"}}}]}))
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "claim"},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                 "resources": {"requests": {"storage": "2Gi"}}}}))
    try:
        claim = wait_for(lambda: (c := get(k, "pvc", "claim", "-n", ns)) and
                         c.get("status", {}).get("phase") == "Bound" and c)
        assert claim["spec"]["volumeName"] == f"{ns}-fits"
        assert claim["status"]["capacity"] == {"storage": "5Gi"}
        assert claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
        volume = wait_for(lambda: (v := get(k, "pv", f"{ns}-fits")) and
                          v.get("status", {}).get("phase") == "Bound" and v)
        assert volume["spec"]["claimRef"]["name"] == "claim"
        assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
        assert volume["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
        assert get(k, "pv", f"{ns}-small")["status"]["phase"] == "Available"
        table = k.run("get", "pvc", "claim", "-n", ns).stdout
        assert "Bound" in table and f"{ns}-fits" in table
        k.run("delete", "pvc", "claim", "-n", ns)
        # Retain (the default for a static volume): Released, still naming its old claim
        wait_for(lambda: get(k, "pv", f"{ns}-fits")["status"]["phase"] == "Released")
    finally:
        k.run("delete", "pv", f"{ns}-small", f"{ns}-fits", f"{ns}-huge", "--wait=false", check=False)


def test_default_local_path_class_provisions_for_the_pods_node(cluster, cluster_kubectl,
                                                               cluster_namespace, nodes):
    k, ns = cluster_kubectl, cluster_namespace
    storage_class = wait_for(lambda: get(k, "storageclass", "local-path"))
    assert storage_class["provisioner"] == "rancher.io/local-path"
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    assert "(default)" in k.run("get", "storageclass", "local-path").stdout
    node = f"lp-{uuid.uuid4().hex[:6]}"
    make_node(k, node, f"zone-{node}", ns)
    nodes.append(node)
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}))
    claim = get(k, "pvc", "data", "-n", ns)
    assert claim["spec"]["storageClassName"] == "local-path"  # DefaultStorageClass admission
    wait_for(lambda: any(e["reason"] == "WaitForFirstConsumer" and
                         e["message"] == "waiting for first consumer to be created before binding"
                         for e in events_for(k, ns, "data")))
    assert get(k, "pvc", "data", "-n", ns)["status"]["phase"] == "Pending"
    k.run("apply", "-n", ns, "-f", "-", input=pod_manifest(
        "user", ns, None, volumes=[{"name": "v", "persistentVolumeClaim": {"claimName": "data"}}]))
    k.run("create", "--raw", f"/api/v1/namespaces/{ns}/pods/user/binding", "-f", "-",
          input=json.dumps({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "user"},
                            "target": {"kind": "Node", "name": node}}))
    claim = wait_for(lambda: (c := get(k, "pvc", "data", "-n", ns)) and
                     c.get("status", {}).get("phase") == "Bound" and c, timeout=60)
    volume_name = claim["spec"]["volumeName"]
    assert volume_name == f"pvc-{claim['metadata']['uid']}"
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "rancher.io/local-path"
    volume = get(k, "pv", volume_name)
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert volume["spec"]["hostPath"]["type"] == "DirectoryOrCreate"
    assert volume["spec"]["hostPath"]["path"] == str(
        cluster.data_dir.resolve() / "storage" / f"{volume_name}_{ns}_data")
    terms = volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
                                            "values": [node]}]}]
    reasons = {e["reason"] for e in events_for(k, ns, "data")}
    assert {"ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"} <= reasons
    described = k.run("describe", "pvc", "data", "-n", ns).stdout
    assert "ProvisioningSucceeded" in described
    # reclaimPolicy Delete: the claim goes, so does the volume
    k.run("delete", "pod", "user", "-n", ns, "--grace-period=0", "--force")
    k.run("delete", "pvc", "data", "-n", ns)
    wait_for(lambda: get(k, "pv", volume_name) is None, timeout=60)


def test_claims_that_cannot_be_provisioned_stay_pending_with_events(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-f", str(SEED_DIR / "000-storage-class.yaml"))  # kubernetes.io/azure-disk
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "azure"},
         "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "my-storage-class",
                  "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "classless"},
         "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                  "resources": {"requests": {"storage": "999Gi"}}}}]}))
    # 1.32 migrates the in-tree azure-disk provisioner to its CSI driver and names that
    expected = ("Waiting for a volume to be created either by the external provisioner "
                "'disk.csi.azure.com' or manually by the system administrator. If volume creation "
                "is delayed, please verify that the provisioner is running and correctly registered.")
    wait_for(lambda: any(e["reason"] == "ExternalProvisioning" and e["message"] == expected
                         for e in events_for(k, ns, "azure")))
    azure = get(k, "pvc", "azure", "-n", ns)
    assert azure["status"]["phase"] == "Pending"
    assert azure["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-provisioner"] == "disk.csi.azure.com"
    wait_for(lambda: any(e["reason"] == "FailedBinding" and e["message"] ==
                         "no persistent volumes available for this claim and no storage class is set"
                         for e in events_for(k, ns, "classless")))
    assert "ExternalProvisioning" in k.run("describe", "pvc", "azure", "-n", ns).stdout


# ---------------------------------------------------------------------------- lifecycle
def test_silent_node_goes_unknown_is_tainted_and_its_pods_evicted(cluster_kubectl, cluster_namespace,
                                                                  nodes):
    """The one slow test: waits out the 50 s node-monitor-grace-period."""
    k, ns = cluster_kubectl, cluster_namespace
    zone = f"zone-{ns}"
    alive, silent = f"alive-{ns}", f"silent-{ns}"
    for name in (alive, silent):
        make_node(k, name, zone, ns)
        nodes.append(name)
    kubelet = FakeKubelet(k, alive).start()
    FakeKubelet(k, silent).beat()  # one heartbeat, then silence
    try:
        short = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5},
                 {"key": "kybernetes.test/owner", "operator": "Exists"}]
        owner = [{"key": "kybernetes.test/owner", "operator": "Exists"}]
        k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("short", ns, silent, tolerations=short))
        k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("patient", ns, silent, tolerations=owner))
        k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("intolerant", ns, alive, tolerations=owner))
        patient = get(k, "pod", "patient", "-n", ns)
        defaults = {(t["key"], t.get("tolerationSeconds")) for t in patient["spec"]["tolerations"]}
        assert {(UNREACHABLE, 300), ("node.kubernetes.io/not-ready", 300)} <= defaults
        k.run("patch", "pod", "patient", "-n", ns, "--subresource=status", "--type=merge", "-p",
              json.dumps({"status": {"phase": "Running", "conditions": [
                  {"type": "Ready", "status": "True", "lastTransitionTime": stamp()}]}}))

        # a NoExecute taint nothing tolerates: the pod goes at once
        k.run("taint", "node", alive, "example.com/drain=now:NoExecute")
        intolerant = wait_for(lambda: (p := get(k, "pod", "intolerant", "-n", ns)) is None or
                              (p["metadata"].get("deletionTimestamp") and p) or None)
        if isinstance(intolerant, dict):
            conditions = {c["type"]: c for c in intolerant["status"]["conditions"]}
            assert conditions["DisruptionTarget"]["reason"] == "DeletionByTaintManager"
        k.run("taint", "node", alive, "example.com/drain-")

        # the silent node: Unknown after the grace period, then tainted
        node = wait_for(lambda: (n := get(k, "node", silent)) and any(
            c["type"] == "Ready" and c["status"] == "Unknown" for c in n["status"]["conditions"]) and n,
            timeout=150, interval=2)
        ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
        assert ready["reason"] == "NodeStatusUnknown"
        assert ready["message"] == "Kubelet stopped posting node status."
        assert "NotReady" in k.run("get", "node", silent).stdout
        node = wait_for(lambda: (n := get(k, "node", silent)) and {
            (t["key"], t["effect"]) for t in n["spec"].get("taints") or []} >= {
            (UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")} and n, timeout=60)
        assert all(t.get("timeAdded") for t in node["spec"]["taints"] if t["key"] == UNREACHABLE)
        alive_node = get(k, "node", alive)
        assert not any(t["key"] == UNREACHABLE for t in alive_node["spec"].get("taints") or [])

        # tolerationSeconds 5: deleted soon after, with the DisruptionTarget condition first
        evicted = wait_for(lambda: (p := get(k, "pod", "short", "-n", ns)) is None or
                           (p["metadata"].get("deletionTimestamp") and p) or None, timeout=60)
        if isinstance(evicted, dict):
            conditions = {c["type"]: c for c in evicted["status"]["conditions"]}
            assert conditions["DisruptionTarget"]["reason"] == "DeletionByTaintManager"
        # the default 300 s toleration keeps the other pod, now marked not ready
        patient = wait_for(lambda: (p := get(k, "pod", "patient", "-n", ns)) and any(
            c["type"] == "Ready" and c["status"] == "False" for c in p["status"]["conditions"]) and p)
        assert not patient["metadata"].get("deletionTimestamp")

        # the kubelet is back: the unreachable taints go
        FakeKubelet(k, silent).beat()
        wait_for(lambda: not any(t["key"] == UNREACHABLE
                                 for t in get(k, "node", silent)["spec"].get("taints") or []),
                 timeout=60)
    finally:
        kubelet.stop.set()
        k.run("delete", "pods", "--all", "-n", ns, "--grace-period=0", "--force", check=False)
