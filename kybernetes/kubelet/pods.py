# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pods on a node: admission, the API status built from what the runtime reports, and
the dispatcher that feeds pod changes from one watch to the kubelets they belong to.

Admission and status are pure functions (pod and runtime state in, decision or status
out), as upstream's lifecycle/predicate.go and status/generate.go decide them.
"""
from __future__ import annotations

import logging
import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from kybernetes.api.quantity import parse_quantity
from kybernetes.client.informer import Informer, object_key
from kybernetes.client.rest import Client, resource
from kybernetes.client.workqueue import WorkQueue, run_workers
from kybernetes.kubelet.runtimes import ContainerState, PodRuntimeStatus

if TYPE_CHECKING:
    from kybernetes.kubelet.kubelet import Kubelet

log = logging.getLogger("kybernetes.kubelet")
PODS = resource("pods")
TERMINAL_PHASES = ("Succeeded", "Failed")
# The conditions the kubelet writes; any other (DisruptionTarget, readiness gates) is kept.
KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                      "PodScheduled")
# The top-level status fields the kubelet owns; absent ones are cleared in the patch.
KUBELET_STATUS_FIELDS = ("phase", "conditions", "containerStatuses", "initContainerStatuses",
                         "hostIP", "hostIPs", "podIP", "podIPs", "startTime", "reason", "message")
OUT_OF = {"cpu": "OutOfcpu", "memory": "OutOfmemory", "ephemeral-storage": "OutOfephemeral-storage",
          "pods": "OutOfpods"}


def rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- resources and admission
def quantity_value(name: str, value: object) -> int:
    """A resource quantity as the scheduler counts it: millicores for cpu, units otherwise."""
    amount = parse_quantity(value)
    return math.ceil(amount * 1000) if name == "cpu" else math.ceil(amount)


def resource_list(values: dict | None) -> dict[str, int]:
    return {name: quantity_value(name, value) for name, value in (values or {}).items()}


def pod_requests(pod: dict) -> dict[str, int]:
    """What a pod asks of a node: its containers and sidecars together, or its largest
    init container if that is more (per resource), plus the pod overhead."""
    spec = pod.get("spec") or {}
    total: dict[str, int] = {}
    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for container in spec.get("initContainers") or []:
        requests = resource_list((container.get("resources") or {}).get("requests"))
        if container.get("restartPolicy") == "Always":
            for name, value in requests.items():
                sidecars[name] = sidecars.get(name, 0) + value
        else:
            for name, value in requests.items():
                init_peak[name] = max(init_peak.get(name, 0), value + sidecars.get(name, 0))
    for container in spec.get("containers") or []:
        for name, value in resource_list((container.get("resources") or {}).get("requests")).items():
            total[name] = total.get(name, 0) + value
    for name, value in sidecars.items():
        total[name] = total.get(name, 0) + value
    for name, value in init_peak.items():
        total[name] = max(total.get(name, 0), value)
    for name, value in resource_list(spec.get("overhead")).items():
        total[name] = total.get(name, 0) + value
    return total


def admit(pod: dict, allocatable: dict[str, int], admitted: list[dict[str, int]],
          node_labels: dict[str, str]) -> tuple[str, str] | None:
    """None if the pod may run here, else (reason, message) for its Failed status, checked
    in upstream's order: the pod count, then cpu, memory, ephemeral-storage, the rest."""
    node_selector = (pod.get("spec") or {}).get("nodeSelector") or {}
    if any(node_labels.get(key) != value for key, value in node_selector.items()):
        return ("NodeAffinity", "Predicate NodeAffinity failed: node(s) didn't match Pod's "
                                "node affinity/selector")
    used: dict[str, int] = {}
    for requests in admitted:
        for name, value in requests.items():
            used[name] = used.get(name, 0) + value
    requested = pod_requests(pod)
    checks = [("pods", 1, len(admitted))]
    for name in ("cpu", "memory", "ephemeral-storage"):
        if requested.get(name):
            checks.append((name, requested[name], used.get(name, 0)))
    for name in sorted(requested):
        if name not in ("cpu", "memory", "ephemeral-storage", "pods") and requested[name]:
            checks.append((name, requested[name], used.get(name, 0)))
    for name, amount, in_use in checks:
        capacity = allocatable.get(name, 0)
        if amount + in_use > capacity:
            reason = OUT_OF.get(name, f"OutOf{name}")
            return reason, (f"Pod was rejected: Node didn't have enough resource: {name}, "
                            f"requested: {amount}, used: {in_use}, capacity: {capacity}")
    return None


# ---------------------------------------------------------------- status
def _api_state(state: ContainerState) -> dict:
    if state.state == "running":
        return {"running": {"startedAt": rfc3339(state.started_at or 0)}}
    if state.state == "terminated":
        terminated = {"exitCode": state.exit_code, "reason": state.reason,
                      "startedAt": rfc3339(state.started_at or 0),
                      "finishedAt": rfc3339(state.finished_at or 0)}
        if state.message:  # the termination message (file or log tail)
            terminated["message"] = state.message
        if state.container_id:
            terminated["containerID"] = state.container_id
        return {"terminated": terminated}
    waiting = {"reason": state.reason or "ContainerCreating"}
    if state.message:
        waiting["message"] = state.message
    return {"waiting": waiting}


def api_container_status(state: ContainerState, spec_container: dict) -> dict:
    status = {"name": state.name, "state": _api_state(state),
              "lastState": _api_state(state.last_termination) if state.last_termination else {},
              "ready": state.ready, "restartCount": state.restart_count,
              "image": state.image or spec_container.get("image", ""), "imageID": state.image_id,
              "started": state.started}
    if state.container_id:
        status["containerID"] = state.container_id
    mounts = []
    for mount in spec_container.get("volumeMounts") or []:
        entry = {"name": mount["name"], "mountPath": mount["mountPath"]}
        if mount.get("readOnly"):
            entry["readOnly"] = True
            entry["recursiveReadOnly"] = "Disabled"
        mounts.append(entry)
    if mounts:
        status["volumeMounts"] = mounts
    return status


def pod_phase(pod: dict, runtime: PodRuntimeStatus, stopping: bool = False) -> str:
    """Upstream's getPhase over the regular containers; a stopped pod is terminal."""
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    if stopping:
        policy = "Never"
    waiting = running = stopped = succeeded = failed = 0
    for state in runtime.containers:
        if state.state == "running":
            running += 1
        elif state.state == "terminated":
            stopped += 1
            if state.exit_code == 0:
                succeeded += 1
            else:
                failed += 1
        elif state.last_termination is not None:
            stopped += 1
        else:
            waiting += 1
    sidecars = {c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []
                if c.get("restartPolicy") == "Always"}
    for state in runtime.init_containers:
        # a failed init container that will not be restarted fails the pod (upstream's getPhase)
        if (state.state == "terminated" and state.exit_code != 0 and state.name not in sidecars
                and policy == "Never"):
            return "Failed"
    for state in runtime.init_containers:
        if state.state != "terminated" and state.state != "running":
            return "Pending"
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if policy == "Always":
            return "Running"
        if policy == "OnFailure":
            return "Succeeded" if stopped == succeeded else "Running"
        return "Failed" if failed else "Succeeded"
    return "Pending"


def _names(names: list[str]) -> str:
    return "[" + " ".join(names) + "]"  # as Go prints a []string


def pod_conditions(pod: dict, runtime: PodRuntimeStatus, phase: str, now: str) -> list[dict]:
    spec = pod.get("spec") or {}
    old = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
    init_states = {s.name: s for s in runtime.init_containers}
    states = {s.name: s for s in runtime.containers}

    def condition(kind: str, status: str, reason: str = "", message: str = "") -> dict:
        previous = old.get(kind)
        result = {"type": kind, "status": status, "lastProbeTime": None,
                  "lastTransitionTime": previous.get("lastTransitionTime") if previous and
                  previous.get("status") == status else now}
        if reason:
            result["reason"] = reason
        if message:
            result["message"] = message
        return result

    # a finished pod's sandbox is torn down with it
    sandbox = runtime.sandbox_ready and phase not in TERMINAL_PHASES
    ready_to_start = condition("PodReadyToStartContainers", "True" if sandbox else "False")

    incomplete = [c["name"] for c in spec.get("initContainers") or []
                  if c["name"] in init_states and not (
                      init_states[c["name"]].started if c.get("restartPolicy") == "Always"
                      else init_states[c["name"]].ready)]
    unknown_init = [c["name"] for c in spec.get("initContainers") or [] if c["name"] not in init_states]
    any_started = any(s.state in ("running", "terminated") or s.last_termination for s in states.values())
    if phase == "Succeeded" and not unknown_init:
        initialized = condition("Initialized", "True", "PodCompleted")
    elif any_started or not (incomplete or unknown_init):
        initialized = condition("Initialized", "True")
    else:
        parts = []
        if unknown_init:
            parts.append(f"containers with unknown status: {_names(unknown_init)}")
        if incomplete:
            parts.append(f"containers with incomplete status: {_names(incomplete)}")
        initialized = condition("Initialized", "False", "ContainersNotInitialized", ", ".join(parts))

    expected = [c["name"] for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    expected += [c["name"] for c in spec.get("containers") or []]
    every = {**init_states, **states}
    unknown = [name for name in expected if name not in every]
    unready = [name for name in expected if name in every and not every[name].ready]
    if phase == "Succeeded" and not unknown:
        ready_args = ("False", "PodCompleted", "")
    elif phase == "Failed":
        ready_args = ("False", "PodFailed", "")
    elif unknown or unready:
        parts = []
        if unknown:
            parts.append(f"containers with unknown status: {_names(unknown)}")
        if unready:
            parts.append(f"containers with unready status: {_names(unready)}")
        ready_args = ("False", "ContainersNotReady", ", ".join(parts))
    else:
        ready_args = ("True", "", "")
    containers_ready = condition("ContainersReady", *ready_args)
    pod_ready = condition("Ready", *ready_args)
    if ready_args[0] == "True":
        gates = []
        for gate in spec.get("readinessGates") or []:
            kind = gate.get("conditionType", "")
            found = old.get(kind)
            if found is None:
                gates.append(f'corresponding condition of pod readiness gate "{kind}" does not exist.')
            elif found.get("status") != "True":
                gates.append(f'the status of pod readiness gate "{kind}" is not "True", but '
                             f'{found.get("status")}')
        if gates:
            pod_ready = condition("Ready", "False", "ReadinessGatesNotReady", ", ".join(gates))
    scheduled = old.get("PodScheduled") or {"type": "PodScheduled", "status": "True",
                                            "lastProbeTime": None, "lastTransitionTime": now}
    others = [c for kind, c in old.items() if kind not in KUBELET_CONDITIONS]
    return others + [ready_to_start, initialized, pod_ready, containers_ready, scheduled]


def build_pod_status(pod: dict, runtime: PodRuntimeStatus, host_ips: list[str], now: float,
                     stopping: bool = False) -> dict:
    """The pod's API status from the runtime's view of it."""
    spec = pod.get("spec") or {}
    old = pod.get("status") or {}
    now_text = rfc3339(now)
    phase = pod_phase(pod, runtime, stopping)
    by_name = {s.name: s for s in runtime.containers}
    init_by_name = {s.name: s for s in runtime.init_containers}
    status: dict = {"phase": phase,
                    "conditions": pod_conditions(pod, runtime, phase, now_text)}
    if host_ips:
        status["hostIP"] = host_ips[0]
        status["hostIPs"] = [{"ip": ip} for ip in host_ips]
    pod_ips = runtime.pod_ips or ([host_ips[0]] if spec.get("hostNetwork") and host_ips else [])
    if pod_ips:
        status["podIP"] = pod_ips[0]
        status["podIPs"] = [{"ip": ip} for ip in pod_ips]
    elif old.get("podIP"):  # a stopped sandbox keeps the addresses it had in the status
        status["podIP"], status["podIPs"] = old["podIP"], old.get("podIPs") or [{"ip": old["podIP"]}]
    status["startTime"] = old.get("startTime") or rfc3339(runtime.started_at or now)
    if spec.get("initContainers"):
        status["initContainerStatuses"] = [
            api_container_status(init_by_name[c["name"]], c) for c in spec["initContainers"]
            if c["name"] in init_by_name]
    status["containerStatuses"] = sorted(
        (api_container_status(by_name[c["name"]], c) for c in spec.get("containers") or []
         if c["name"] in by_name), key=lambda s: s["name"])
    if old.get("qosClass"):
        status["qosClass"] = old["qosClass"]
    return status


def rejected_status(pod: dict, reason: str, message: str) -> dict:
    status = {"phase": "Failed", "reason": reason, "message": message}
    old = pod.get("status") or {}
    if old.get("qosClass"):
        status["qosClass"] = old["qosClass"]
    if old.get("conditions"):
        status["conditions"] = old["conditions"]
    return status


def _without_nulls(value: object) -> object:
    """For comparing with what the server stored: a null field and an absent one agree."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def status_patch(pod: dict, new_status: dict) -> dict | None:
    """A merge patch taking the pod's status to `new_status` (the kubelet's fields only),
    or None when nothing changed. Lists are replaced whole by a merge patch, so only the
    top-level fields need clearing."""
    old = pod.get("status") or {}
    if all(_without_nulls(old.get(field)) == _without_nulls(new_status.get(field))
           for field in KUBELET_STATUS_FIELDS):
        return None
    patch = {field: new_status.get(field) for field in KUBELET_STATUS_FIELDS}
    return {"status": patch}


# ---------------------------------------------------------------- dispatch
class PodDispatcher:
    """One pod watch for any number of kubelets in this process: events are routed by
    spec.nodeName to the kubelet of that node and synced by a shared pool of workers."""

    def __init__(self, client: Client, field_selector: str, workers: int = 4) -> None:
        self.informer = Informer(client, PODS, field_selector=field_selector)
        self.informer.add_handler(self._on_change)
        self.queue = WorkQueue("kubelet-pods")
        self.kubelets: dict[str, "Kubelet"] = {}
        self.node_of: dict[str, str] = {}  # pod key -> node, to route deletions
        self.workers = workers

    def add(self, kubelet: "Kubelet") -> None:
        self.kubelets[kubelet.node_name] = kubelet
        kubelet.queue = self.queue

    def _on_change(self, kind: str, old: dict | None, new: dict | None) -> None:
        if new is not None:
            # managedFields are half a pod's bytes and no kubelet reads them; this informer
            # is private to the dispatcher, so trimming its copy in place is safe
            new.get("metadata", {}).pop("managedFields", None)
        obj = new or old
        node = (obj.get("spec") or {}).get("nodeName", "")
        if node in self.kubelets:
            key = object_key(obj)
            self.node_of[key] = node
            self.queue.add(key)

    async def sync(self, key: str) -> None:
        node = self.node_of.get(key)
        kubelet = self.kubelets.get(node) if node else None
        if kubelet is None:
            return
        pod = self.informer.get(key)
        if pod is None:
            self.node_of.pop(key, None)
            await kubelet.forget_pod(key)
            return
        await kubelet.sync_pod(key, pod)

    async def run(self) -> None:
        self.informer.start()
        try:
            await run_workers(self.queue, self.sync, workers=self.workers, name="kubelet-pods")
        finally:
            self.queue.shutdown()
            await self.informer.stop()
