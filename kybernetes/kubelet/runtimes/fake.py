# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The `fake` runtime: pods with no processes, for thousands of simulated nodes.

Containers "run" the moment they start. What they do is a function of time since the
pod started, so a status is computed, never stored:

- restartPolicy Always: containers run until the pod is stopped.
- Never / OnFailure (Jobs): containers finish after `run_seconds` (1 s by default) with
  exit code 0; annotation `kybernetes.io/fake-run-seconds` changes the duration and
  `kybernetes.io/fake-exit-code` the exit code. OnFailure restarts a failing container
  with the kubelet's back-off (immediately, then 10 s doubling to 5 min), and so does
  Always when one of the annotations asks it to finish (a simulated crash loop).
- Init containers complete at once (sidecars, restartPolicy Always, keep running).

Pod IPs come from the node's spec.podCIDR, or from `fallback_cidr` until it has one.
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from kybernetes.kubelet.runtimes import ContainerState, PodRuntimeStatus, Runtime

RUN_SECONDS_ANNOTATION = "kybernetes.io/fake-run-seconds"
EXIT_CODE_ANNOTATION = "kybernetes.io/fake-exit-code"
BACKOFF_INITIAL, BACKOFF_MAX = 10.0, 300.0
SIMULATED_CLUSTER_CIDR = "10.244.0.0/16"


def fallback_pod_cidr(index: int, total: int = 256, cluster_cidr: str = SIMULATED_CLUSTER_CIDR) -> str:
    """Node `index`'s share of `cluster_cidr` when `total` nodes split it: a /24 each
    while they fit, smaller blocks beyond 256 nodes (a /16 holds 65k pod IPs in all)."""
    network = ipaddress.ip_network(cluster_cidr)
    bits = max(1, math.ceil(math.log2(max(total, 2))))
    prefix = min(max(network.prefixlen + bits, 24), 30)
    blocks = 2 ** (prefix - network.prefixlen)
    size = 2 ** (network.max_prefixlen - prefix)
    base = int(network.network_address) + (index % blocks) * size
    return f"{ipaddress.ip_address(base)}/{prefix}"


def normalize_image(image: str) -> str:
    """The image reference as container runtimes report it: docker.io/library/nginx:latest."""
    name, digest = (image.split("@", 1) + [""])[:2]
    first, _, rest = name.partition("/")
    if not rest:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def fake_image_id(image: str) -> str:
    normalized = normalize_image(image)
    repository = normalized.split("@", 1)[0].rsplit(":", 1)[0] if "@" not in normalized else \
        normalized.split("@", 1)[0]
    return f"{repository}@sha256:{hashlib.sha256(normalized.encode()).hexdigest()}"


class IPAllocator:
    """Addresses of one pod CIDR, skipping the network address, the gateway (.1) and
    broadcast, reusing freed ones."""

    def __init__(self, cidr: str) -> None:
        self.network = ipaddress.ip_network(cidr, strict=False)
        self.base = int(self.network.network_address)
        self.size = self.network.num_addresses
        self.used: set[int] = set()
        self.hint = 2

    def allocate(self) -> str | None:
        for step in range(self.size):
            offset = 2 + (self.hint - 2 + step) % max(self.size - 3, 1)
            if offset not in self.used and offset < self.size - 1:
                self.used.add(offset)
                self.hint = offset + 1
                return str(ipaddress.ip_address(self.base + offset))
        return None

    def release(self, ip: str) -> None:
        try:
            address = int(ipaddress.ip_address(ip))
        except ValueError:
            return
        self.used.discard(address - self.base)


class _FakePod:
    __slots__ = ("uid", "started_at", "stopped_at", "ip", "allocator")

    def __init__(self, uid: str, started_at: float, ip: str | None, allocator: IPAllocator | None) -> None:
        self.uid = uid
        self.started_at = started_at
        self.stopped_at: float | None = None
        self.ip = ip
        self.allocator = allocator


def _annotation_float(pod: dict, key: str) -> float | None:
    value = ((pod.get("metadata") or {}).get("annotations") or {}).get(key)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _container_id(uid: str, name: str, attempt: int) -> str:
    return "fake://" + hashlib.sha256(f"{uid}/{name}/{attempt}".encode()).hexdigest()


def _terminated(name: str, uid: str, attempt: int, exit_code: int, started: float,
                finished: float, image: str) -> ContainerState:
    return ContainerState(name=name, state="terminated", image=normalize_image(image),
                          image_id=fake_image_id(image), container_id=_container_id(uid, name, attempt),
                          reason="Completed" if exit_code == 0 else "Error", exit_code=exit_code,
                          started_at=started, finished_at=finished, restart_count=attempt)


def container_timeline(pod: dict, container: dict, start: float, now: float,
                       stopped_at: float | None, default_run_seconds: float) -> tuple[ContainerState, float | None]:
    """The state of one regular container at `now`, and seconds until it next changes."""
    meta = pod.get("metadata") or {}
    uid, name, image = meta.get("uid", ""), container["name"], container.get("image", "")
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    run_seconds = _annotation_float(pod, RUN_SECONDS_ANNOTATION)
    exit_annotation = _annotation_float(pod, EXIT_CODE_ANNOTATION)
    exit_code = int(exit_annotation) if exit_annotation is not None else 0
    finishes = policy != "Always" or run_seconds is not None or exit_annotation is not None
    run = max(run_seconds if run_seconds is not None else default_run_seconds, 0.0)
    end_of_time = stopped_at if stopped_at is not None else now
    restarts = policy == "Always" or (policy == "OnFailure" and exit_code != 0)

    attempt, attempt_start, last = 0, start, None
    while True:
        running_state = ContainerState(
            name=name, state="running", image=normalize_image(image), image_id=fake_image_id(image),
            container_id=_container_id(uid, name, attempt), started_at=attempt_start,
            restart_count=attempt, ready=True, started=True, last_termination=last)
        attempt_end = attempt_start + run if finishes else math.inf
        if end_of_time < attempt_end:
            if stopped_at is not None:  # stopped by the kubelet: a clean exit
                done = _terminated(name, uid, attempt, 0, attempt_start, stopped_at, image)
                done.last_termination = last
                return done, None
            return running_state, (attempt_end - now if finishes else None)
        done = _terminated(name, uid, attempt, exit_code, attempt_start, attempt_end, image)
        done.last_termination = last
        if not restarts:
            return done, None
        delay = 0.0 if attempt == 0 else min(BACKOFF_INITIAL * 2 ** (attempt - 1), BACKOFF_MAX)
        next_start = attempt_end + delay
        if end_of_time < next_start:
            if stopped_at is not None:
                return done, None
            waiting = ContainerState(
                name=name, state="waiting", image=normalize_image(image),
                image_id=fake_image_id(image), reason="CrashLoopBackOff",
                message=f"back-off {int(delay)}s restarting failed container={name} "
                        f"pod={meta.get('name', '')}_{meta.get('namespace', '')}({uid})",
                restart_count=attempt, last_termination=done)
            return waiting, next_start - now
        attempt += 1
        attempt_start, last = next_start, done
        done.last_termination = None


def init_container_states(pod: dict, start: float, stopped_at: float | None) -> list[ContainerState]:
    uid = (pod.get("metadata") or {}).get("uid", "")
    states = []
    for container in (pod.get("spec") or {}).get("initContainers") or []:
        name, image = container["name"], container.get("image", "")
        if container.get("restartPolicy") == "Always" and stopped_at is None:  # a sidecar
            states.append(ContainerState(
                name=name, state="running", image=normalize_image(image),
                image_id=fake_image_id(image), container_id=_container_id(uid, name, 0),
                started_at=start, ready=True, started=True))
            continue
        done = _terminated(name, uid, 0, 0, start, stopped_at if container.get(
            "restartPolicy") == "Always" else start, image)
        done.ready = container.get("restartPolicy") != "Always"
        states.append(done)
    return states


class FakeRuntime(Runtime):
    name = "fake"
    version = "0.1.0"

    def __init__(self, run_seconds: float = 1.0, fallback_cidr: str = "10.244.0.0/24",
                 clock=time.time) -> None:
        self.run_seconds = run_seconds
        self.clock = clock
        self.pods: dict[str, _FakePod] = {}
        self.fallback = fallback_cidr
        self._allocator: IPAllocator | None = None
        self._cidr: str | None = None

    def configure_node(self, node: dict) -> None:
        cidr = (node.get("spec") or {}).get("podCIDR")
        if cidr and cidr != self._cidr:
            self._cidr = cidr
            self._allocator = None  # new pods take addresses from the assigned range

    def _ip_allocator(self) -> IPAllocator:
        if self._allocator is None:
            self._allocator = IPAllocator(self._cidr or self.fallback)
        return self._allocator

    async def start_pod(self, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        if uid in self.pods:
            return
        if (pod.get("spec") or {}).get("hostNetwork"):
            ip, allocator = None, None
        else:
            allocator = self._ip_allocator()
            ip = allocator.allocate()
        self.pods[uid] = _FakePod(uid, self.clock(), ip, allocator)

    async def stop_pod(self, pod: dict, grace_seconds: float) -> None:
        state = self.pods.get(pod["metadata"]["uid"])
        if state is None or state.stopped_at is not None:
            return
        state.stopped_at = self.clock()
        if state.ip and state.allocator is not None:
            state.allocator.release(state.ip)

    def pod_status_now(self, pod: dict) -> PodRuntimeStatus | None:
        state = self.pods.get(pod["metadata"]["uid"])
        if state is None:
            return None
        now = self.clock()
        spec = pod.get("spec") or {}
        if state.ip is None and not spec.get("hostNetwork") and state.stopped_at is None:
            self.retry_sandbox(pod)
        if state.ip is None and not spec.get("hostNetwork") and state.stopped_at is None:
            network = self._cidr or self.fallback
            return PodRuntimeStatus(
                sandbox_ready=False, started_at=state.started_at, next_change=10.0,
                sandbox_error=f'Failed to create pod sandbox: failed to allocate for range 0: '
                              f'no IP addresses available in range set: {network}',
                containers=[ContainerState(name=c["name"], state="waiting", image=normalize_image(
                    c.get("image", "")), reason="ContainerCreating") for c in spec.get("containers") or []])
        containers, next_changes = [], []
        for container in spec.get("containers") or []:
            status, change = container_timeline(pod, container, state.started_at, now,
                                                state.stopped_at, self.run_seconds)
            containers.append(status)
            if change is not None:
                next_changes.append(change)
        return PodRuntimeStatus(
            sandbox_ready=state.stopped_at is None,
            pod_ips=[state.ip] if state.ip and state.stopped_at is None else [],
            containers=containers, init_containers=init_container_states(pod, state.started_at, state.stopped_at),
            started_at=state.started_at, next_change=min(next_changes) if next_changes else None)

    async def pod_status(self, pod: dict) -> PodRuntimeStatus | None:
        return self.pod_status_now(pod)

    def retry_sandbox(self, pod: dict) -> None:
        """Try again to give an IP to a pod whose sandbox failed for the lack of one."""
        state = self.pods.get(pod["metadata"]["uid"])
        if state is not None and state.ip is None and not (pod.get("spec") or {}).get("hostNetwork"):
            state.allocator = self._ip_allocator()
            state.ip = state.allocator.allocate()

    async def cleanup(self, uid: str) -> None:
        state = self.pods.pop(uid, None)
        if state is not None and state.stopped_at is None and state.ip and state.allocator:
            state.allocator.release(state.ip)
