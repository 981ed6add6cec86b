# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""StatefulSets and DaemonSets against a real `kybernetes server`, driven with kubectl.
There is no scheduler or kubelet here yet: `FakeKubelet` plays both for the test's own
nodes (binds pending pods through pods/binding, marks them Running and Ready, finishes
graceful deletions, renews the node Leases)."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import pytest
from kubernetes import client

pytestmark = pytest.mark.usefixtures("cluster")


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeKubelet:
    """Nodes with Ready=True whose pods (in one namespace) start at once."""

    def __init__(self, api_client, kubectl, namespace: str) -> None:
        self.core = client.CoreV1Api(api_client)
        self.coordination = client.CoordinationV1Api(api_client)
        self.kubectl = kubectl
        self.namespace = namespace
        self.nodes: list[str] = []
        self.last_renew = 0.0
        self.ready = True  # False: leave pods Pending (to watch the controller wait)

    def add_node(self, name: str, labels: dict | None = None, taints: list | None = None) -> None:
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
                "spec": {"taints": taints or []},
                "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                           "lastHeartbeatTime": now_rfc3339(),
                                           "lastTransitionTime": now_rfc3339()}],
                           "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                           "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
        self.kubectl.run("create", "-f", "-", input=json.dumps(node))
        self.nodes.append(name)
        self.renew_leases(force=True)

    def remove_node(self, name: str) -> None:
        self.kubectl.run("delete", "node", name)
        self.nodes.remove(name)

    def renew_leases(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.last_renew < 10:
            return
        self.last_renew = time.monotonic()
        for name in self.nodes:
            body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
                    "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                             "renewTime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}}
            try:
                self.coordination.patch_namespaced_lease(name, "kube-node-lease", body)
            except client.ApiException as exc:
                if exc.status != 404:
                    raise
                self.coordination.create_namespaced_lease("kube-node-lease", body)

    def step(self) -> None:
        self.renew_leases()
        for pod in self.core.list_namespaced_pod(self.namespace).items:
            name = pod.metadata.name
            if pod.metadata.deletion_timestamp:
                self._delete_now(name)
                continue
            node = pod.spec.node_name
            if not node:
                node = self._target(pod)
                if node is None:
                    continue
                binding = client.V1Binding(metadata=client.V1ObjectMeta(name=name),
                                           target=client.V1ObjectReference(kind="Node", name=node))
                try:
                    self.core.create_namespaced_pod_binding(name, self.namespace, binding,
                                                            _preload_content=False)
                except client.ApiException as exc:
                    if exc.status not in (404, 409):
                        raise
            if self.ready and node in self.nodes and (pod.status.phase or "Pending") == "Pending":
                self.core.patch_namespaced_pod_status(name, self.namespace, {"status": {
                    "phase": "Running", "podIP": "10.244.9.9", "startTime": now_rfc3339(),
                    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now_rfc3339()},
                                   {"type": "ContainersReady", "status": "True",
                                    "lastTransitionTime": now_rfc3339()}]}})

    def _target(self, pod) -> str | None:
        """A daemon pod's node from its affinity; any other pod goes to our first node."""
        affinity = pod.spec.affinity
        required = affinity and affinity.node_affinity and \
            affinity.node_affinity.required_during_scheduling_ignored_during_execution
        if required:
            for term in required.node_selector_terms:
                for field in term.match_fields or []:
                    if field.key == "metadata.name":
                        return field.values[0] if field.values[0] in self.nodes else None
        return self.nodes[0] if self.nodes else None

    def _delete_now(self, name: str) -> None:
        try:
            self.core.delete_namespaced_pod(name, self.namespace, grace_period_seconds=0)
        except client.ApiException as exc:
            if exc.status != 404:
                raise

    def cleanup(self) -> None:
        for name in list(self.nodes):
            self.kubectl.run("delete", "node", name, "--ignore-not-found")


@pytest.fixture
def kubelet(cluster_api, cluster_kubectl, cluster_namespace):
    fake = FakeKubelet(cluster_api, cluster_kubectl, cluster_namespace)
    yield fake
    fake.cleanup()


def wait_for(predicate, kubelet: FakeKubelet | None = None, timeout: float = 90, what: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        if kubelet is not None:
            kubelet.step()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.3)


def pod_names(kubectl, namespace: str, selector: str) -> list[str]:
    pods = kubectl.json("get", "pods", "-n", namespace, "-l", selector)["items"]
    return sorted(p["metadata"]["name"] for p in pods)


def statefulset_yaml(name: str, replicas: int, image: str = "nginx:1.25", extra: str = "") -> str:
    return f"""
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
spec:
  serviceName: {name}
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
{extra}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: nginx
        image: {image}
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
"""


# ---------------------------------------------------------------- StatefulSet
def test_statefulset_scales_in_order(cluster_kubectl, cluster_namespace, kubelet):
    k, ns = cluster_kubectl, cluster_namespace
    kubelet.add_node(f"sts-node-{uuid.uuid4().hex[:6]}")
    k.run("apply", "-n", ns, "-f", "-", input=statefulset_yaml("web", 0))
    k.run("scale", "-n", ns, "statefulset/web", "--replicas=3")

    # OrderedReady: web-0 exists, and while it is not Ready the controller stops there
    kubelet.ready = False
    wait_for(lambda: pod_names(k, ns, "app=web") == ["web-0"], kubelet, what="web-0")

    def synced_with_one_pod():
        sts = k.json("get", "-n", ns, "statefulset", "web")
        status = sts["status"]
        return status.get("observedGeneration") == sts["metadata"]["generation"] and \
            status.get("replicas") == 1 and status.get("currentRevision")
    wait_for(synced_with_one_pod, kubelet, what="status after web-0")
    assert pod_names(k, ns, "app=web") == ["web-0"]

    kubelet.ready = True
    seen: list[list[str]] = []

    def all_three_ready():
        names = pod_names(k, ns, "app=web")
        if not seen or seen[-1] != names:
            seen.append(names)
        return k.json("get", "-n", ns, "statefulset", "web")["status"].get("readyReplicas") == 3
    wait_for(all_three_ready, kubelet, what="3 ready replicas")
    assert all(names == [f"web-{i}" for i in range(len(names))] for names in seen), seen

    pod = k.json("get", "-n", ns, "pod", "web-1")
    assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    assert pod["spec"]["hostname"] == "web-1" and pod["spec"]["subdomain"] == "web"
    status = k.json("get", "-n", ns, "statefulset", "web")["status"]
    assert pod["metadata"]["labels"]["controller-revision-hash"] == status["updateRevision"]
    assert status["currentReplicas"] == 3 and status["updatedReplicas"] == 3
    assert status["availableReplicas"] == 3

    # scale down: highest ordinal first, one at a time
    k.run("scale", "-n", ns, "statefulset/web", "--replicas=1")
    seen.clear()

    def down_to_one():
        names = pod_names(k, ns, "app=web")
        if not seen or seen[-1] != names:
            seen.append(names)
        return names == ["web-0"]
    wait_for(down_to_one, kubelet, what="scale down to web-0")
    assert all(names == [f"web-{i}" for i in range(len(names))] for names in seen), seen

    events = k.run("get", "events", "-n", ns, "--field-selector",
                   "involvedObject.kind=StatefulSet").stdout
    assert "create Pod web-0 in StatefulSet web successful" in events
    assert "delete Pod web-2 in StatefulSet web successful" in events
    assert "create Claim www-web-0 Pod web-0 in StatefulSet web success" in events

    # the claims of every ordinal that ever ran survive the scale-down (Retain)
    claims = k.json("get", "pvc", "-n", ns)["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == ["www-web-0", "www-web-1", "www-web-2"]
    assert all(c["metadata"]["labels"] == {"app": "web"} for c in claims)
    assert all(not c["metadata"].get("ownerReferences") for c in claims)


def test_statefulset_claims_survive_pod_deletion(cluster_kubectl, cluster_namespace, kubelet):
    k, ns = cluster_kubectl, cluster_namespace
    kubelet.add_node(f"sts-node-{uuid.uuid4().hex[:6]}")
    extra = "  podManagementPolicy: Parallel\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}"
    k.run("apply", "-n", ns, "-f", "-", input=statefulset_yaml("db", 2, extra=extra))
    wait_for(lambda: k.json("get", "-n", ns, "sts", "db")["status"].get("readyReplicas") == 2,
             kubelet, what="2 ready")
    claim = k.json("get", "-n", ns, "pvc", "www-db-1")
    pod = k.json("get", "-n", ns, "pod", "db-1")
    assert pod["spec"]["volumes"][0] == {"name": "www", "persistentVolumeClaim": {"claimName": "www-db-1"}}
    sts_uid = k.json("get", "-n", ns, "sts", "db")["metadata"]["uid"]
    assert [(r["kind"], r["uid"]) for r in claim["metadata"]["ownerReferences"]] == [("StatefulSet", sts_uid)]

    k.run("delete", "-n", ns, "pod", "db-1", "--wait=false")

    def replaced():
        kubelet.step()
        new = k.json("get", "-n", ns, "pod", "db-1") if "db-1" in pod_names(k, ns, "app=db") else None
        return new if new and new["metadata"]["uid"] != pod["metadata"]["uid"] else None
    new_pod = wait_for(replaced, kubelet, what="db-1 recreated")
    assert new_pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "www-db-1"
    assert k.json("get", "-n", ns, "pvc", "www-db-1")["metadata"]["uid"] == claim["metadata"]["uid"]

    # whenDeleted: Delete: deleting the set lets the garbage collector remove the claims
    k.run("delete", "-n", ns, "sts", "db", "--wait=false")
    wait_for(lambda: not k.json("get", "pvc", "-n", ns)["items"], kubelet, what="claims collected")


def test_statefulset_rolling_update_with_partition(cluster_kubectl, cluster_namespace, kubelet):
    k, ns = cluster_kubectl, cluster_namespace
    kubelet.add_node(f"sts-node-{uuid.uuid4().hex[:6]}")
    k.run("apply", "-n", ns, "-f", "-", input=statefulset_yaml("web", 3, extra="  podManagementPolicy: Parallel"))
    wait_for(lambda: k.json("get", "-n", ns, "sts", "web")["status"].get("readyReplicas") == 3,
             kubelet, what="3 ready")
    old_revision = k.json("get", "-n", ns, "sts", "web")["status"]["currentRevision"]

    k.run("patch", "-n", ns, "sts", "web", "-p",
          '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}')
    k.run("set", "image", "-n", ns, "sts/web", "nginx=nginx:1.27")

    def partitioned():
        sts = k.json("get", "-n", ns, "sts", "web")
        return sts["status"].get("updatedReplicas") == 1 and sts["status"].get("readyReplicas") == 3 \
            and sts["status"]["observedGeneration"] == sts["metadata"]["generation"]
    wait_for(partitioned, kubelet, what="ordinal 2 updated")
    status = k.json("get", "-n", ns, "sts", "web")["status"]
    assert status["currentRevision"] == old_revision != status["updateRevision"]
    images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
              for p in k.json("get", "pods", "-n", ns, "-l", "app=web")["items"]}
    assert images == {"web-0": "nginx:1.25", "web-1": "nginx:1.25", "web-2": "nginx:1.27"}
    out = k.run("rollout", "status", "-n", ns, "sts/web", "--timeout=60s").stdout
    assert "partitioned roll out complete" in out

    k.run("patch", "-n", ns, "sts", "web", "-p",
          '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}')

    def complete():
        status = k.json("get", "-n", ns, "sts", "web")["status"]
        return status.get("updatedReplicas") == 3 and status.get("readyReplicas") == 3 and \
            status["currentRevision"] == status["updateRevision"]
    wait_for(complete, kubelet, what="rollout complete")
    revisions = k.json("get", "controllerrevisions", "-n", ns)["items"]
    assert sorted(r["revision"] for r in revisions) == [1, 2]
    assert all(r["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet" for r in revisions)
    history = k.run("rollout", "history", "-n", ns, "sts/web").stdout
    assert "REVISION" in history and "1" in history and "2" in history

    k.run("rollout", "undo", "-n", ns, "sts/web")
    assert k.json("get", "-n", ns, "sts", "web")["spec"]["template"]["spec"]["containers"][0]["image"] \
        == "nginx:1.25"

    def rolled_back():
        status = k.json("get", "-n", ns, "sts", "web")["status"]
        images = {p["spec"]["containers"][0]["image"]
                  for p in k.json("get", "pods", "-n", ns, "-l", "app=web")["items"]}
        return status["updateRevision"] == old_revision == status["currentRevision"] and \
            images == {"nginx:1.25"} and status.get("readyReplicas") == 3
    wait_for(rolled_back, kubelet, what="rolled back to revision 1")
    # the old revision was reused and renumbered, not duplicated
    revisions = k.json("get", "controllerrevisions", "-n", ns)["items"]
    assert {r["metadata"]["name"]: r["revision"] for r in revisions}[old_revision] == 3


# ---------------------------------------------------------------- DaemonSet
def daemonset_yaml(name: str, label: str, image: str = "agent:1") -> str:
    return f"""
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      nodeSelector: {{ds-test: "{label}"}}
      containers:
      - name: agent
        image: {image}
"""


def test_daemonset_follows_nodes(cluster_kubectl, cluster_namespace, kubelet):
    k, ns = cluster_kubectl, cluster_namespace
    label = uuid.uuid4().hex[:8]
    a, b, c, d = (f"ds-{label}-{x}" for x in "abcd")
    kubelet.add_node(a, {"ds-test": label})
    kubelet.add_node(b, {"ds-test": label}, taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    kubelet.add_node(c)  # no label: not selected
    k.run("apply", "-n", ns, "-f", "-", input=daemonset_yaml("agent", label))

    def status_is(**wanted):
        def check():
            ds = k.json("get", "-n", ns, "ds", "agent")
            status = ds["status"]
            return status.get("observedGeneration") == ds["metadata"]["generation"] and \
                all(status.get(key, 0) == value for key, value in wanted.items())
        return check

    wait_for(status_is(desiredNumberScheduled=1, currentNumberScheduled=1, numberReady=1,
                       numberAvailable=1, updatedNumberScheduled=1, numberMisscheduled=0),
             kubelet, what="one pod on node a")
    [pod] = k.json("get", "pods", "-n", ns, "-l", "app=agent")["items"]
    assert pod["spec"]["nodeName"] == a
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms == {"nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": [a]}]}]}
    tolerations = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in tolerations
    assert ("node.kubernetes.io/not-ready", "NoExecute") in tolerations
    assert pod["metadata"]["generateName"] == "agent-"
    assert pod["metadata"]["labels"]["controller-revision-hash"]
    k.run("rollout", "status", "-n", ns, "ds/agent", "--timeout=60s")

    kubelet.add_node(d, {"ds-test": label})  # a new node gets one
    wait_for(status_is(desiredNumberScheduled=2, numberReady=2), kubelet, what="pod on new node d")
    nodes = sorted(p["spec"]["nodeName"] for p in k.json("get", "pods", "-n", ns, "-l", "app=agent")["items"])
    assert nodes == sorted([a, d])

    kubelet.remove_node(a)  # a removed node no longer counts
    wait_for(status_is(desiredNumberScheduled=1), kubelet, what="desired drops to 1")

    # a rolling update replaces the pod on d
    k.run("set", "image", "-n", ns, "ds/agent", "agent=agent:2")

    def updated():
        pods = [p for p in k.json("get", "pods", "-n", ns, "-l", "app=agent")["items"]
                if p["spec"].get("nodeName") == d and not p["metadata"].get("deletionTimestamp")]
        return status_is(updatedNumberScheduled=1, numberAvailable=1)() and \
            [p["spec"]["containers"][0]["image"] for p in pods] == ["agent:2"]
    wait_for(updated, kubelet, what="pod on d updated")
    out = k.run("rollout", "status", "-n", ns, "ds/agent", "--timeout=60s").stdout
    assert "successfully rolled out" in out
    assert len(k.json("get", "controllerrevisions", "-n", ns)["items"]) == 2
    events = k.run("get", "events", "-n", ns, "--field-selector", "involvedObject.kind=DaemonSet").stdout
    assert "SuccessfulCreate" in events and "Created pod: agent-" in events
