# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Each filter and score plugin on hand-built snapshots."""
from __future__ import annotations

from kybernetes.scheduler.config import default_framework
from kybernetes.scheduler.framework import UNRESOLVABLE, UNSCHEDULABLE, CycleState
from kybernetes.scheduler.nodeinfo import PodInfo, pod_requests
from kybernetes.scheduler.plugins import REGISTRY
from kybernetes.scheduler.snapshot import Lookups, Snapshot
from tests.unit.scheduler_fixtures import make_node, make_pod


def run_filter(plugin_name: str, pod: dict, snapshot: Snapshot, node: str, args=None):
    plugin = REGISTRY[plugin_name](args)
    state = CycleState()
    info = PodInfo(pod)
    if hasattr(plugin, "pre_filter"):
        status = plugin.pre_filter(state, info, snapshot)
        if status is not None and status.code != 4:  # 4: skipped
            return status
        if status is not None:
            return None
    return plugin.filter(state, info, snapshot.get(node))


def schedule(pod: dict, snapshot: Snapshot):
    return default_framework().schedule(PodInfo(pod), snapshot)


# ---------------------------------------------------------------- requests
def test_pod_requests_count_init_containers_sidecars_and_overhead():
    pod = make_pod(cpu="500m", memory="100Mi")
    pod["spec"]["containers"].append({"name": "d", "resources": {"requests": {"cpu": "500m"}}})
    pod["spec"]["initContainers"] = [
        {"name": "big-init", "resources": {"requests": {"cpu": "2", "memory": "50Mi"}}}]
    assert pod_requests(pod).milli_cpu == 2000  # the init container's peak wins
    assert pod_requests(pod).memory == 100 * 2**20
    pod["spec"]["initContainers"].insert(0, {"name": "sidecar", "restartPolicy": "Always",
                                             "resources": {"requests": {"cpu": "300m"}}})
    # the sidecar runs beside the containers (1 + 0.3) and beside the later init (2 + 0.3)
    assert pod_requests(pod).milli_cpu == 2300
    pod["spec"]["overhead"] = {"cpu": "100m"}
    assert pod_requests(pod).milli_cpu == 2400
    pod = make_pod(cpu=None)
    assert pod_requests(pod, non_zero=True).milli_cpu == 100
    assert pod_requests(pod, non_zero=True).memory == 200 * 2**20


# ---------------------------------------------------------------- NodeResourcesFit
def test_resources_fit_reports_each_shortage():
    used = make_pod(cpu="3", memory="7Gi", node="n")
    snapshot = Snapshot.build([make_node("n", cpu="4", memory="8Gi")], [used])
    status = run_filter("NodeResourcesFit", make_pod(cpu="2", memory="2Gi"), snapshot, "n")
    assert status.code == UNSCHEDULABLE
    assert status.reasons == ["Insufficient cpu", "Insufficient memory"]
    assert run_filter("NodeResourcesFit", make_pod(cpu="1"), snapshot, "n") is None


def test_resources_fit_pod_count_and_extended_resources():
    snapshot = Snapshot.build([make_node("n", pods="1")], [make_pod(node="n")])
    assert run_filter("NodeResourcesFit", make_pod(), snapshot, "n").reasons == ["Too many pods"]
    gpu_node = make_node("g")
    gpu_node["status"]["allocatable"]["example.com/gpu"] = "1"
    snapshot = Snapshot.build([gpu_node, make_node("plain")])
    pod = make_pod()
    pod["spec"]["containers"][0]["resources"]["requests"]["example.com/gpu"] = "1"
    assert run_filter("NodeResourcesFit", pod, snapshot, "g") is None
    assert run_filter("NodeResourcesFit", pod, snapshot, "plain").reasons == ["Insufficient example.com/gpu"]


def test_least_allocated_and_balanced_scoring():
    snapshot = Snapshot.build([make_node("busy"), make_node("idle")],
                              [make_pod(cpu="3", memory="4Gi", node="busy")])
    fit = REGISTRY["NodeResourcesFit"]()
    info = PodInfo(make_pod(cpu="1", memory="1Gi"))
    assert fit.score({}, info, snapshot.get("idle")) > fit.score({}, info, snapshot.get("busy"))
    most = REGISTRY["NodeResourcesFit"]({"scoringStrategy": {"type": "MostAllocated"}})
    assert most.score({}, info, snapshot.get("busy")) > most.score({}, info, snapshot.get("idle"))
    balanced = REGISTRY["NodeResourcesBalancedAllocation"]()
    # cpu 1/4 and memory 1/8 on the idle node vs cpu 4/4, memory 5/8 on the busy one
    assert balanced.score({}, info, snapshot.get("idle")) == 93
    assert balanced.score({}, info, snapshot.get("busy")) == 81


# ---------------------------------------------------------------- simple filters
def test_node_name_unschedulable_and_ports():
    snapshot = Snapshot.build([make_node("a"), make_node("b", unschedulable=True)],
                              [make_pod(node="a", containers=[
                                  {"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}])])
    assert run_filter("NodeName", make_pod(nodeName="a"), snapshot, "b").reasons == [
        "node(s) didn't match the requested node name"]
    status = run_filter("NodeUnschedulable", make_pod(), snapshot, "b")
    assert status.code == UNRESOLVABLE and status.reasons == ["node(s) were unschedulable"]
    tolerant = make_pod(tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                      "effect": "NoSchedule"}])
    assert run_filter("NodeUnschedulable", tolerant, snapshot, "b") is None
    wants_port = make_pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}])
    assert run_filter("NodePorts", wants_port, snapshot, "a").reasons == [
        "node(s) didn't have free ports for the requested pod ports"]
    assert run_filter("NodePorts", wants_port, snapshot, "b") is None
    udp = make_pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080,
                                                        "protocol": "UDP"}]}])
    assert run_filter("NodePorts", udp, snapshot, "a") is None


def test_node_affinity_required_preferred_and_selector():
    snapshot = Snapshot.build([make_node("ssd", labels={"disk": "ssd", "zone": "a"}),
                               make_node("hdd", labels={"disk": "hdd", "zone": "b"})])
    selector = make_pod(nodeSelector={"disk": "ssd"})
    assert run_filter("NodeAffinity", selector, snapshot, "ssd") is None
    assert run_filter("NodeAffinity", selector, snapshot, "hdd").reasons == [
        "node(s) didn't match Pod's node affinity/selector"]
    required = make_pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]},
                              {"matchFields": [{"key": "metadata.name", "operator": "In",
                                                "values": ["nowhere"]}]}]}}})
    assert run_filter("NodeAffinity", required, snapshot, "hdd") is None
    assert run_filter("NodeAffinity", required, snapshot, "ssd") is not None
    preferred = make_pod(affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 50, "preference": {"matchExpressions": [{"key": "disk", "operator": "In",
                                                            "values": ["hdd"]}]}}]}})
    assert schedule(preferred, snapshot).node == "hdd"


def test_taints_and_tolerations():
    taint = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    snapshot = Snapshot.build([make_node("cp", taints=[taint]),
                               make_node("soft", taints=[{"key": "x", "value": "y",
                                                          "effect": "PreferNoSchedule"}]),
                               make_node("clean")])
    status = run_filter("TaintToleration", make_pod(), snapshot, "cp")
    assert status.code == UNRESOLVABLE
    assert status.reasons == ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]
    tolerant = make_pod(tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}])
    assert run_filter("TaintToleration", tolerant, snapshot, "cp") is None
    assert run_filter("TaintToleration", make_pod(), snapshot, "soft") is None
    framework = default_framework()
    counts = {}
    for _ in range(20):  # PreferNoSchedule: the clean node wins every time
        node = framework.schedule(PodInfo(make_pod()), snapshot).node
        counts[node] = counts.get(node, 0) + 1
    assert counts == {"clean": 20}


# ---------------------------------------------------------------- inter-pod affinity
def _hostname_term(labels: dict) -> dict:
    return {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}


def test_inter_pod_anti_affinity_and_affinity():
    nodes = [make_node("a", labels={"zone": "z1"}), make_node("b", labels={"zone": "z1"}),
             make_node("c", labels={"zone": "z2"})]
    existing = make_pod(labels={"app": "web"}, node="a")
    snapshot = Snapshot.build(nodes, [existing])
    anti = make_pod(labels={"app": "web"}, affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [_hostname_term({"app": "web"})]}})
    assert run_filter("InterPodAffinity", anti, snapshot, "a").reasons == [
        "node(s) didn't match pod anti-affinity rules"]
    assert run_filter("InterPodAffinity", anti, snapshot, "b") is None
    zone_affinity = make_pod(affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}]}})
    assert run_filter("InterPodAffinity", zone_affinity, snapshot, "b") is None
    status = run_filter("InterPodAffinity", zone_affinity, snapshot, "c")
    assert status.code == UNRESOLVABLE and status.reasons == ["node(s) didn't match pod affinity rules"]
    # other namespaces are not looked at unless named
    other_ns = make_pod(namespace="other", affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}]}})
    assert run_filter("InterPodAffinity", other_ns, snapshot, "b") is not None
    other_ns["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0][
        "namespaceSelector"] = {}
    assert run_filter("InterPodAffinity", other_ns, snapshot, "b") is None


def test_existing_pods_anti_affinity_and_first_pod_of_a_group():
    guard = make_pod(labels={"app": "db"}, node="a", affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [_hostname_term({"app": "web"})]}})
    snapshot = Snapshot.build([make_node("a"), make_node("b")], [guard])
    web = make_pod(labels={"app": "web"})
    assert run_filter("InterPodAffinity", web, snapshot, "a").reasons == [
        "node(s) didn't satisfy existing pods anti-affinity rules"]
    assert run_filter("InterPodAffinity", web, snapshot, "b") is None
    first = make_pod(labels={"app": "cache"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [_hostname_term({"app": "cache"})]}})
    assert run_filter("InterPodAffinity", first, snapshot, "b") is None


def test_preferred_pod_affinity_scores_the_domain():
    snapshot = Snapshot.build([make_node("a"), make_node("b")], [make_pod(labels={"app": "web"}, node="b")])
    pod = make_pod(affinity={"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": _hostname_term({"app": "web"})}]}})
    assert all(schedule(pod, snapshot).node == "b" for _ in range(10))


# ---------------------------------------------------------------- topology spread
def test_topology_spread_max_skew_and_missing_label():
    nodes = [make_node("a1", labels={"zone": "a"}), make_node("b1", labels={"zone": "b"}),
             make_node("nolabel")]
    pods = [make_pod(labels={"app": "s"}, node="a1"), make_pod(labels={"app": "s"}, node="a1")]
    snapshot = Snapshot.build(nodes, pods)
    pod = make_pod(labels={"app": "s"}, topologySpreadConstraints=[
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
         "labelSelector": {"matchLabels": {"app": "s"}}}])
    assert run_filter("PodTopologySpread", pod, snapshot, "a1").reasons == [
        "node(s) didn't match pod topology spread constraints"]
    assert run_filter("PodTopologySpread", pod, snapshot, "b1") is None
    status = run_filter("PodTopologySpread", pod, snapshot, "nolabel")
    assert status.code == UNRESOLVABLE
    assert status.reasons == ["node(s) didn't match pod topology spread constraints (missing required label)"]
    # minDomains 3 with two domains: the minimum counts as 0, so b (0 + 1 - 0) fits, a does not
    pod["spec"]["topologySpreadConstraints"][0]["minDomains"] = 3
    assert run_filter("PodTopologySpread", pod, snapshot, "b1") is None


def test_default_spreading_for_pods_a_service_selects():
    lookups = Lookups()
    lookups.services = [{"metadata": {"namespace": "default", "name": "web"},
                         "spec": {"selector": {"app": "web"}}}]
    nodes = [make_node("a"), make_node("b")]
    pods = [make_pod(labels={"app": "web"}, node="a") for _ in range(3)]
    snapshot = Snapshot.build(nodes, pods, lookups)
    assert all(schedule(make_pod(labels={"app": "web"}), snapshot).node == "b" for _ in range(10))


# ---------------------------------------------------------------- volumes
def test_volume_binding_zone_and_wait_for_first_consumer():
    lookups = Lookups()
    lookups.volumes = {"pv-a": {"metadata": {"name": "pv-a"}, "spec": {"nodeAffinity": {"required": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "topology.kubernetes.io/zone",
                                                     "operator": "In", "values": ["a"]}]}]}}}}}
    lookups.claims = {"default/bound": {"metadata": {"name": "bound"}, "spec": {"volumeName": "pv-a"}},
                      "default/later": {"metadata": {"name": "later"},
                                        "spec": {"storageClassName": "wait"}},
                      "default/now": {"metadata": {"name": "now"}, "spec": {"storageClassName": "fast"}}}
    lookups.storage_classes = {
        "wait": {"provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer",
                 "allowedTopologies": [{"matchLabelExpressions": [
                     {"key": "topology.kubernetes.io/zone", "values": ["b"]}]}]},
        "fast": {"provisioner": "x", "volumeBindingMode": "Immediate"}}
    snapshot = Snapshot.build([make_node("in-a", labels={"topology.kubernetes.io/zone": "a"}),
                               make_node("in-b", labels={"topology.kubernetes.io/zone": "b"})],
                              lookups=lookups)

    def with_claim(name):
        return make_pod(volumes=[{"name": "v", "persistentVolumeClaim": {"claimName": name}}])
    assert schedule(with_claim("bound"), snapshot).node == "in-a"
    assert run_filter("VolumeBinding", with_claim("bound"), snapshot, "in-b").reasons == [
        "node(s) had volume node affinity conflict"]
    assert schedule(with_claim("later"), snapshot).node == "in-b"
    result = schedule(with_claim("now"), snapshot)
    assert result.node is None
    assert result.failure_message().startswith(
        "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.")
    missing = schedule(with_claim("ghost"), snapshot).failure_message()
    assert 'persistentvolumeclaim "ghost" not found' in missing
