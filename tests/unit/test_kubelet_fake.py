# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's decisions with the fake runtime, without a server: status transitions,
admission, graceful deletion order, the Node it registers, the IP ranges."""
from __future__ import annotations

import asyncio

from kybernetes.apiserver.errors import ApiError
from kybernetes.kubelet.kubelet import Kubelet
from kybernetes.kubelet.node import NodeConfig, build_node, parse_taints
from kybernetes.kubelet.pods import admit, build_pod_status, pod_requests, status_patch
from kybernetes.kubelet.runtimes.fake import (FakeRuntime, container_timeline, fallback_pod_cidr,
                                              normalize_image)


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_pod(name="p", policy="Always", annotations=None, requests=None, uid=None, **spec) -> dict:
    container = {"name": "c", "image": "busybox"}
    if requests:
        container["resources"] = {"requests": requests}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": uid or f"uid-{name}",
                         "annotations": annotations or {}},
            "spec": {"nodeName": "n1", "restartPolicy": policy, "containers": [container], **spec},
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}


def status_at(runtime: FakeRuntime, clock: Clock, pod: dict, at: float, stopping=False) -> dict:
    clock.now = at
    return build_pod_status(pod, runtime.pod_status_now(pod), ["198.18.0.1"], at, stopping=stopping)


def conditions(status: dict) -> dict:
    return {c["type"]: (c["status"], c.get("reason", "")) for c in status["conditions"]}


def run(coroutine):
    return asyncio.run(coroutine)


# ---------------------------------------------------------------- status transitions
def test_always_pod_runs_and_is_ready():
    clock = Clock()
    runtime = FakeRuntime(clock=clock)
    pod = make_pod()
    run(runtime.start_pod(pod))
    status = status_at(runtime, clock, pod, clock.now + 3600)
    assert status["phase"] == "Running"
    assert status["podIP"] == "10.244.0.2" and status["podIPs"] == [{"ip": "10.244.0.2"}]
    assert status["hostIP"] == "198.18.0.1"
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    assert set(conditions(status).values()) == {("True", "")}
    container = status["containerStatuses"][0]
    assert container["ready"] and container["started"] and container["restartCount"] == 0
    assert "running" in container["state"]
    assert container["image"] == "docker.io/library/busybox:latest"
    assert container["imageID"].startswith("docker.io/library/busybox@sha256:")
    assert container["containerID"].startswith("fake://")
    assert status["qosClass"] == "BestEffort"


def test_never_pod_runs_then_succeeds():
    clock = Clock()
    runtime = FakeRuntime(run_seconds=1.0, clock=clock)
    pod = make_pod(policy="Never")
    start = clock.now
    run(runtime.start_pod(pod))
    running = status_at(runtime, clock, pod, start + 0.5)
    assert running["phase"] == "Running"
    assert runtime.pod_status_now(pod).next_change == 0.5
    done = status_at(runtime, clock, pod, start + 2)
    assert done["phase"] == "Succeeded"
    terminated = done["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 0 and terminated["reason"] == "Completed"
    assert conditions(done)["Ready"] == ("False", "PodCompleted")
    assert conditions(done)["ContainersReady"] == ("False", "PodCompleted")
    assert conditions(done)["Initialized"] == ("True", "PodCompleted")
    assert conditions(done)["PodReadyToStartContainers"][0] == "False"


def test_exit_code_annotation_fails_the_pod():
    clock = Clock()
    runtime = FakeRuntime(clock=clock)
    pod = make_pod(policy="Never", annotations={"kybernetes.io/fake-exit-code": "3",
                                                "kybernetes.io/fake-run-seconds": "5"})
    run(runtime.start_pod(pod))
    assert status_at(runtime, clock, pod, clock.now + 4)["phase"] == "Running"
    failed = status_at(runtime, clock, pod, clock.now + 2)
    assert failed["phase"] == "Failed"
    terminated = failed["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 3 and terminated["reason"] == "Error"
    assert conditions(failed)["Ready"] == ("False", "PodFailed")


def test_on_failure_pod_crash_loops_with_back_off():
    clock = Clock()
    start = clock.now
    pod = make_pod(policy="OnFailure", annotations={"kybernetes.io/fake-exit-code": "1"})
    container = pod["spec"]["containers"][0]
    # attempt 0 ends at 1 s, attempt 1 starts at once and ends at 2 s, back-off 10 s
    state, _ = container_timeline(pod, container, start, start + 1.5, None, 1.0)
    assert state.state == "running" and state.restart_count == 1
    assert state.last_termination.exit_code == 1
    state, change = container_timeline(pod, container, start, start + 5, None, 1.0)
    assert state.state == "waiting" and state.reason == "CrashLoopBackOff"
    assert state.restart_count == 1 and change == 7
    assert "back-off 10s restarting failed container=c" in state.message
    state, _ = container_timeline(pod, container, start, start + 12.5, None, 1.0)
    assert state.state == "running" and state.restart_count == 2
    runtime = FakeRuntime(clock=clock)
    run(runtime.start_pod(pod))
    assert status_at(runtime, clock, pod, start + 5)["phase"] == "Running"


def test_init_containers_complete_before_the_pod_runs():
    clock = Clock()
    runtime = FakeRuntime(clock=clock)
    pod = make_pod(initContainers=[{"name": "init", "image": "busybox"}])
    run(runtime.start_pod(pod))
    status = status_at(runtime, clock, pod, clock.now + 1)
    init = status["initContainerStatuses"][0]
    assert init["state"]["terminated"]["reason"] == "Completed" and init["ready"]
    assert conditions(status)["Initialized"] == ("True", "")
    assert status["phase"] == "Running"


def test_status_patch_only_when_changed_and_clears_stale_fields():
    clock = Clock()
    runtime = FakeRuntime(clock=clock)
    pod = make_pod()
    run(runtime.start_pod(pod))
    status = status_at(runtime, clock, pod, clock.now)
    patch = status_patch(pod, status)
    assert patch["status"]["phase"] == "Running" and patch["status"]["reason"] is None
    pod["status"] = status
    later = status_at(runtime, clock, pod, clock.now + 60)
    assert status_patch(pod, later) is None  # transition times are kept: nothing to write


def test_pod_ips_come_from_the_pod_cidr_and_are_reused():
    clock = Clock()
    runtime = FakeRuntime(clock=clock)
    runtime.configure_node({"spec": {"podCIDR": "10.244.7.0/24"}})
    first, second = make_pod("a"), make_pod("b")
    run(runtime.start_pod(first))
    run(runtime.start_pod(second))
    assert runtime.pod_status_now(first).pod_ips == ["10.244.7.2"]
    assert runtime.pod_status_now(second).pod_ips == ["10.244.7.3"]
    run(runtime.cleanup("uid-a"))
    third = make_pod("c")
    run(runtime.start_pod(third))
    assert runtime.pod_status_now(third).pod_ips[0] in ("10.244.7.2", "10.244.7.4")


def test_fallback_cidrs_split_the_cluster_range():
    assert fallback_pod_cidr(0, 3) == "10.244.0.0/24"
    assert fallback_pod_cidr(5, 100) == "10.244.5.0/24"
    assert fallback_pod_cidr(999, 1000) == "10.244.249.192/26"
    assert len({fallback_pod_cidr(i, 1000) for i in range(1000)}) == 1000


def test_normalize_image():
    assert normalize_image("nginx") == "docker.io/library/nginx:latest"
    assert normalize_image("nginx:1.7.9") == "docker.io/library/nginx:1.7.9"
    assert normalize_image("bitnami/redis") == "docker.io/bitnami/redis:latest"
    assert normalize_image("registry.k8s.io/pause:3.9") == "registry.k8s.io/pause:3.9"
    assert normalize_image("localhost:5000/x") == "localhost:5000/x:latest"


# ---------------------------------------------------------------- admission
def test_admission_by_resources_in_upstream_order():
    allocatable = {"cpu": 2000, "memory": 4 * 2**30, "pods": 2, "ephemeral-storage": 10**10}
    small = make_pod(requests={"cpu": "500m", "memory": "1Gi"})
    assert admit(small, allocatable, [], {}) is None
    used = [pod_requests(small)]
    too_much_cpu = make_pod(requests={"cpu": "1600m"})
    reason, message = admit(too_much_cpu, allocatable, used, {})
    assert reason == "OutOfcpu"
    assert message == ("Pod was rejected: Node didn't have enough resource: cpu, "
                       "requested: 1600, used: 500, capacity: 2000")
    reason, message = admit(make_pod(requests={"memory": "4Gi"}), allocatable, used, {})
    assert reason == "OutOfmemory" and "requested: 4294967296, used: 1073741824" in message
    reason, _ = admit(make_pod(), allocatable, used * 2, {})
    assert reason == "OutOfpods"
    reason, _ = admit(make_pod(requests={"example.com/gpu": "1"}), allocatable, [], {})
    assert reason == "OutOfexample.com/gpu"
    reason, _ = admit(make_pod(nodeSelector={"disk": "ssd"}), allocatable, [], {"disk": "hdd"})
    assert reason == "NodeAffinity"


def test_pod_requests_count_init_containers_as_upstream():
    pod = make_pod(requests={"cpu": "100m"})
    pod["spec"]["initContainers"] = [
        {"name": "i", "image": "x", "resources": {"requests": {"cpu": "1", "memory": "64Mi"}}}]
    assert pod_requests(pod) == {"cpu": 1000, "memory": 64 * 2**20}


# ---------------------------------------------------------------- the kubelet with a recording client
class RecordingClient:
    """Stands in for the HTTP transport in these unit tests: records the kubelet's writes
    in order (integration tests run the same code against a real server)."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    async def patch(self, rt, name, patch, namespace=None, *, subresource="", **kw):
        self.calls.append(("patch", rt.plural, name, subresource, patch))
        return {}

    async def delete(self, rt, name, namespace=None, **kw):
        self.calls.append(("delete", rt.plural, name, kw))
        return {}

    async def create(self, rt, obj, namespace=None, **kw):
        self.calls.append(("create", rt.plural, obj["metadata"]["name"]))
        if rt.plural == "nodes":
            return dict(obj, metadata=dict(obj["metadata"], uid="node-uid"))
        return obj


def make_kubelet(clock: Clock, pods: str = "110", cpu: str = "2") -> tuple[Kubelet, RecordingClient]:
    client = RecordingClient()
    config = NodeConfig(name="n1", capacity={"cpu": cpu, "memory": "4Gi", "pods": pods},
                        internal_ip="198.18.0.1")
    kubelet = Kubelet(client, config, FakeRuntime(clock=clock), clock=clock)
    run(kubelet.register())
    return kubelet, client


def test_register_creates_node_then_lease_owned_by_it():
    kubelet, client = make_kubelet(Clock())
    assert client.calls == [("create", "nodes", "n1"), ("create", "leases", "n1")]
    assert kubelet.node_uid == "node-uid" and kubelet.allocatable["cpu"] == 2000


def test_kubelet_rejects_pods_that_do_not_fit():
    clock = Clock()
    kubelet, client = make_kubelet(clock, cpu="1")
    run(kubelet.sync_pod("default/a", make_pod("a", requests={"cpu": "800m"})))
    run(kubelet.sync_pod("default/b", make_pod("b", requests={"cpu": "800m"})))
    posted = [c for c in client.calls if c[0] == "patch" and c[3] == "status"]
    assert posted[0][4]["status"]["phase"] == "Running"
    assert posted[1][2] == "b" and posted[1][4]["status"]["phase"] == "Failed"
    assert posted[1][4]["status"]["reason"] == "OutOfcpu"
    # once a finished pod frees its share, the next one fits
    run(kubelet.forget_pod("default/a"))
    run(kubelet.sync_pod("default/c", make_pod("c", requests={"cpu": "800m"})))
    assert client.calls[-1][2] == "c" and client.calls[-1][4]["status"]["phase"] == "Running"


def test_graceful_deletion_stops_posts_then_deletes_with_uid():
    clock = Clock()
    kubelet, client = make_kubelet(clock)
    pod = make_pod("web")
    run(kubelet.sync_pod("default/web", pod))
    client.calls.clear()
    deleting = make_pod("web")
    deleting["status"] = {"phase": "Running", "qosClass": "BestEffort"}
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    deleting["metadata"]["deletionGracePeriodSeconds"] = 30
    clock.now += 5
    run(kubelet.sync_pod("default/web", deleting))
    kinds = [c[0] for c in client.calls]
    assert kinds == ["patch", "delete"]
    final = client.calls[0][4]["status"]
    assert final["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    assert final["phase"] == "Succeeded"
    assert client.calls[1][3] == {"grace_period": 0, "uid": "uid-web"}
    assert kubelet.runtime.pod_status_now(deleting).pod_ips == []  # the IP is released


def test_deleting_a_pod_that_is_already_gone_is_quiet():
    class GoneClient(RecordingClient):
        async def delete(self, rt, name, namespace=None, **kw):
            raise ApiError(404, "NotFound", "gone")
    clock = Clock()
    kubelet = Kubelet(GoneClient(), NodeConfig(name="n1", capacity={"cpu": "1", "memory": "1Gi",
                                                                    "pods": "10"}),
                      FakeRuntime(clock=clock), clock=clock)
    pod = make_pod("x")
    pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    run(kubelet.sync_pod("default/x", pod))


# ---------------------------------------------------------------- the Node
def test_node_registration_object():
    config = NodeConfig(name="n7", capacity={"cpu": "8", "memory": "32Gi", "pods": "110"},
                        labels={"zone": "a"}, taints=parse_taints("dedicated=infra:NoSchedule"),
                        internal_ip="198.18.0.7")
    node = build_node(config, 1_700_000_000.0)
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "n7" and labels["kubernetes.io/os"] == "linux"
    assert labels["beta.kubernetes.io/arch"] == labels["kubernetes.io/arch"] and labels["zone"] == "a"
    assert node["spec"]["taints"] == [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}]
    status = node["status"]
    assert status["allocatable"]["memory"] == "32Gi" and status["capacity"]["pods"] == "110"
    assert [c["type"] for c in status["conditions"]] == ["MemoryPressure", "DiskPressure",
                                                         "PIDPressure", "Ready"]
    assert status["conditions"][3]["status"] == "True"
    assert status["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 10250}}
    assert status["addresses"][0] == {"type": "InternalIP", "address": "198.18.0.7"}
    info = status["nodeInfo"]
    assert info["kubeletVersion"] == "v1.32.4" and info["containerRuntimeVersion"] == "fake://0.1.0"
    other = build_node(NodeConfig(name="n8", capacity=config.capacity), 1_700_000_000.0)
    for field in ("machineID", "systemUUID", "bootID"):
        assert other["status"]["nodeInfo"][field] != info[field]
