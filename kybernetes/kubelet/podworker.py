# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""One pod's worker: an asyncio task that brings the pod's sandbox and containers to
what its spec asks, as upstream's pod worker and kuberuntime SyncPod do, so that
pulls, probes and back-offs never block the kubelet's queue.

Each pass: the sandbox (with back-off on SandboxError); the volumes (re-synced
periodically so configMap/secret volumes follow their objects); init containers in
order, each to completion (sidecars started and kept running); then every regular
container, restarted per restartPolicy with CrashLoopBackOff. A container's exit, a
probe result or a new pod spec wakes the worker; every change of the reported state
calls the manager's `on_change(key)` so the kubelet posts the status at once.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kybernetes.kubelet.backoff import BackOff
from kybernetes.kubelet.containerrecord import INIT, REGULAR, SIDECAR, ContainerRecord
from kybernetes.kubelet.cri import (ContainerError, PortMapping, SandboxConfig, SandboxError,
                                    SandboxStatus)
from kybernetes.kubelet.hostfiles import hosts_file, resolv_conf, uts_hostname, write_in_place
from kybernetes.kubelet.lifecycle import pod_text, run_hook
from kybernetes.kubelet.runtimes import PodRuntimeStatus
from kybernetes.kubelet.volumes import PodVolumes, VolumeError

if TYPE_CHECKING:
    from kybernetes.kubelet.podmanager import PodManager

log = logging.getLogger("kybernetes.kubelet.pods")
IDLE_RESYNC = 60.0  # a pod with nothing pending is looked at again this often
VOLUME_RESYNC = 10.0  # configMap/secret/projected volumes follow their objects this fast
CONFIG_RETRY = 5.0  # CreateContainerConfigError and FailedMount are retried this often
MIN_GRACE = 2.0  # upstream's minimumGracePeriodInSeconds for a kill


class PodWorker:
    def __init__(self, manager: "PodManager", pod: dict) -> None:
        self.manager = manager
        self.pod = pod
        meta = pod["metadata"]
        self.uid: str = meta["uid"]
        self.key = f"{meta.get('namespace', 'default')}/{meta['name']}"
        self.records: dict[str, ContainerRecord] = {}
        spec = pod.get("spec") or {}
        for container in spec.get("initContainers") or []:
            kind = SIDECAR if container.get("restartPolicy") == "Always" else INIT
            self.records[container["name"]] = ContainerRecord(container, kind)
        for container in spec.get("containers") or []:
            self.records[container["name"]] = ContainerRecord(container, REGULAR)
        self.sandbox: SandboxStatus | None = None
        self.sandbox_error = ""
        self.volumes: PodVolumes | None = None
        self.volumes_synced_at = 0.0
        self.crash_backoff = BackOff()
        self.pull_backoff = BackOff()
        self.sandbox_backoff = BackOff(initial=1.0, maximum=60.0)
        self.wake = asyncio.Event()
        self.lock = asyncio.Lock()
        self.task: asyncio.Task | None = None
        self.stopping = False
        self.stopped = False
        self.started_at = time.time()
        self.last_reported: PodRuntimeStatus | None = None

    # ---------------------------------------------------------------- plumbing
    @property
    def cri(self):
        return self.manager.cri

    @property
    def pod_dir(self) -> Path:
        return self.manager.pods_dir / self.uid

    @property
    def pod_ip(self) -> str:
        if self.sandbox is not None and self.sandbox.ips:
            return self.sandbox.ips[0]
        return self.manager.host_ips[0] if self.manager.host_ips else "127.0.0.1"

    def event(self, kind: str, reason: str, message: str) -> None:
        recorder = self.manager.recorder
        if recorder is not None:
            try:
                recorder.event(self.pod, kind, reason, message)
            except RuntimeError:  # no running loop (shutting down)
                pass

    def update(self, pod: dict) -> None:
        """The pod as the API has it now; starts the worker on first call."""
        self.pod = pod
        if self.stopping:
            return
        spec = pod.get("spec") or {}
        for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
            record = self.records.get(container.get("name"))
            if record is not None and container.get("image") != record.spec.get("image"):
                record.spec = container  # the image is the one mutable field: restart with it
                record.spec_changed = True
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self.run(), name=f"pod-worker-{self.key}")
        self.wake.set()

    def notify(self) -> None:
        """Tell the kubelet when what it would report has changed."""
        snapshot = self.status()
        if snapshot == self.last_reported:
            return
        self.last_reported = snapshot
        if self.manager.on_change is not None:
            self.manager.on_change(self.key)

    # ---------------------------------------------------------------- the loop
    async def run(self) -> None:
        while not self.stopping:
            self.wake.clear()
            try:
                async with self.lock:
                    if self.stopping:
                        return
                    delay = await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("syncing pod %s", self.key)
                delay = CONFIG_RETRY
            self.notify()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=max(delay, 0.05))
            except asyncio.TimeoutError:
                pass

    def _policy(self) -> str:
        return (self.pod.get("spec") or {}).get("restartPolicy") or "Always"

    async def sync(self) -> float:
        """One pass; returns seconds until the next one is needed."""
        if self.sandbox is None and self.volumes is None and not self._volumes_use_pod_ips():
            await self._sandbox_and_volumes()
        if not await self.ensure_sandbox():
            return max(self.sandbox_backoff.remaining("sandbox", time.time()), 0.5)
        if not await self.ensure_volumes():
            return CONFIG_RETRY
        delays = [VOLUME_RESYNC if self._has_synced_volumes() else IDLE_RESYNC]
        for record in self.records.values():
            if record.kind == REGULAR:
                continue
            if record.kind == SIDECAR:
                delay = await self.keep_running(record, "Always")
                if delay is not None:
                    delays.append(delay)
                if not (record.current is not None and record.current.state == "running" and record.started):
                    return min(delays)
                continue
            if record.succeeded:
                continue
            if record.running:
                return min(delays)
            if record.exited and self._policy() == "Never":
                return min(delays)  # the pod has failed: nothing more starts
            delay = await self.keep_running(record, "OnFailure")
            if delay is not None:
                delays.append(delay)
            return min(delays)
        for record in self.records.values():
            if record.kind == REGULAR:
                delay = await self.keep_running(record, self._policy())
                if delay is not None:
                    delays.append(delay)
        return min(delays)

    async def _sandbox_and_volumes(self) -> None:
        """The first pass makes the sandbox and mounts the volumes at once: neither needs
        the other (upstream mounts volumes first), and each mostly waits (for the
        network plugins, for the API)."""
        results = await asyncio.gather(self.ensure_sandbox(), self.ensure_volumes(),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def _volumes_use_pod_ips(self) -> bool:
        """Whether a downward API volume shows the pod's IPs (known once the sandbox is)."""
        for volume in (self.pod.get("spec") or {}).get("volumes") or []:
            items = list((volume.get("downwardAPI") or {}).get("items") or [])
            for source in (volume.get("projected") or {}).get("sources") or []:
                items += (source.get("downwardAPI") or {}).get("items") or []
            if any(((item.get("fieldRef") or {}).get("fieldPath") or "").startswith("status.")
                   for item in items):
                return True
        return False

    def _has_synced_volumes(self) -> bool:
        return any(key in volume for volume in (self.pod.get("spec") or {}).get("volumes") or []
                   for key in ("configMap", "secret", "projected", "downwardAPI"))

    # ---------------------------------------------------------------- sandbox and volumes
    def sandbox_config(self) -> SandboxConfig:
        meta, spec = self.pod["metadata"], self.pod.get("spec") or {}
        manager = self.manager
        ports = []
        for container in spec.get("containers") or []:
            for port in container.get("ports") or []:
                if port.get("hostPort"):
                    ports.append(PortMapping(container_port=int(port.get("containerPort", 0)),
                                             host_port=int(port["hostPort"]),
                                             protocol=port.get("protocol") or "TCP",
                                             host_ip=port.get("hostIP") or ""))
        base = self.pod_dir
        return SandboxConfig(
            uid=self.uid, name=meta["name"], namespace=meta.get("namespace", "default"),
            hostname=uts_hostname(self.pod, manager.cluster_domain),
            host_network=bool(spec.get("hostNetwork")), host_ipc=bool(spec.get("hostIPC")),
            host_pid=bool(spec.get("hostPID")),
            share_process_namespace=bool(spec.get("shareProcessNamespace")),
            resolv_conf=base / "etc-resolv.conf", hosts_file=base / "etc-hosts",
            hostname_file=base / "etc-hostname", port_mappings=ports,
            labels={**(meta.get("labels") or {}), "io.kubernetes.pod.uid": self.uid,
                    "io.kubernetes.pod.name": meta["name"],
                    "io.kubernetes.pod.namespace": meta.get("namespace", "default")},
            annotations=dict(meta.get("annotations") or {}),
            cgroup_parent=manager.cgroup_parent(self.pod),
            log_directory=manager.pod_log_dir(self.pod))

    def write_host_files(self, config: SandboxConfig, ips: list[str]) -> None:
        manager = self.manager
        write_in_place(config.hosts_file, hosts_file(self.pod, ips, manager.cluster_domain))
        write_in_place(config.resolv_conf, resolv_conf(self.pod, manager.cluster_dns, manager.cluster_domain))
        write_in_place(config.hostname_file, config.hostname + "\n")

    async def ensure_sandbox(self) -> bool:
        if self.sandbox is not None:
            if self.sandbox.state == "ready" and await self._sandbox_alive():
                return True
            await self._replace_dead_sandbox()
        now = time.time()
        if self.sandbox_backoff.remaining("sandbox", now) > 0:
            return False
        config = self.sandbox_config()
        config.log_directory.mkdir(parents=True, exist_ok=True)
        self.write_host_files(config, [])
        try:
            self.sandbox = await self.cri.run_sandbox(config)
        except SandboxError as exc:
            self.sandbox_error = f"Failed to create pod sandbox: {exc}"
            self.sandbox_backoff.next("sandbox", now)
            return False
        self.sandbox_error = ""
        self.sandbox_backoff.reset("sandbox")
        self.write_host_files(config, list(self.sandbox.ips))
        return True

    async def _sandbox_alive(self) -> bool:
        try:
            current = await self.cri.sandbox_status(self.sandbox.id)
        except Exception as exc:
            log.warning("sandbox status of %s: %s", self.key, exc)
            return True
        return current is not None and current.state == "ready"

    async def _replace_dead_sandbox(self) -> None:
        """A dead sandbox (its holder killed, the node rebooted) is replaced: its
        containers are killed and start again in the new one, per restartPolicy."""
        self.event("Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
        for record in self.records.values():
            if record.running:
                await self.kill_container(record, 0)
        try:
            await self.cri.stop_sandbox(self.sandbox.id)
        except Exception as exc:
            log.warning("stopping the dead sandbox of %s: %s", self.key, exc)
        self.sandbox = None
        self.volumes_synced_at = 0.0  # downward API files carry the pod IP

    async def ensure_volumes(self) -> bool:
        now = time.time()
        if self.volumes is not None and now - self.volumes_synced_at < VOLUME_RESYNC:
            return True
        try:
            volumes = await self.manager.volumes.setup(self.pod, self._pod_ips(), self.manager.host_ips)
        except VolumeError as exc:
            self.event("Warning", "FailedMount", exc.event_message)
            return self.volumes is not None  # a failed refresh keeps what is mounted
        self.volumes = volumes
        self.volumes_synced_at = now
        return True

    def _pod_ips(self) -> list[str]:
        if self.sandbox is not None and self.sandbox.ips:
            return list(self.sandbox.ips)
        if (self.pod.get("spec") or {}).get("hostNetwork"):
            return list(self.manager.host_ips)
        return []

    # ---------------------------------------------------------------- containers
    async def keep_running(self, record: ContainerRecord, policy: str) -> float | None:
        """Start or restart one container as `policy` says; seconds to wait, if any."""
        now = time.time()
        current = record.current
        if record.spec_changed:
            record.spec_changed = False
            if record.running:
                await self.kill_container(record, self.manager.starter.grace(self.pod),
                                          f"Container {record.name} definition changed, will be restarted")
            if record.current is not None:
                self.crash_backoff.reset(record.name)
                return await self.manager.starter.start(self, record)
        if record.running:
            return None
        if current is not None:  # it has exited
            restart = policy == "Always" or (policy == "OnFailure" and current.exit_code != 0)
            if not restart:
                record.waiting_reason = record.waiting_message = ""
                return None
            wait = self.crash_backoff.remaining_since(record.name, current.finished_at or now, now)
            if wait > 0:
                delay = self.crash_backoff.get(record.name)
                if record.waiting_reason != "CrashLoopBackOff":
                    self.event("Warning", "BackOff", f"Back-off restarting failed container "
                                                     f"{record.name} in pod {pod_text(self.pod)}")
                record.waiting_reason = "CrashLoopBackOff"
                record.waiting_message = (f"back-off {int(delay)}s restarting failed container="
                                          f"{record.name} pod={pod_text(self.pod)}")
                return wait
        delay = await self.manager.starter.start(self, record)
        if delay is None and current is not None and record.current is not current:
            self.crash_backoff.next(record.name, time.time())
        return delay

    def watch_exit(self, record: ContainerRecord, container_id: str) -> None:
        async def waiter() -> None:
            status = await self.cri.wait_container(container_id)
            if record.current is not None and record.current.id == container_id:
                record.current = status
                record.current_message = self.manager.starter.termination_message(record, status)
                record.ready = False
            self.wake.set()
            self.notify()
        task = asyncio.get_running_loop().create_task(waiter(), name=f"wait-{self.key}-{record.name}")
        record.tasks.append(task)

    async def kill_container(self, record: ContainerRecord, grace: float, message: str = "") -> None:
        """preStop (within the grace period), then SIGTERM and SIGKILL at its end."""
        current = record.current
        if current is None or current.state not in ("running", "created"):
            return
        deadline = time.time() + max(grace, MIN_GRACE)
        self.event("Normal", "Killing", message or f"Stopping container {record.name}")
        pre_stop = ((record.spec.get("lifecycle") or {}).get("preStop"))
        if pre_stop and current.state == "running":
            failure = await run_hook("PreStop", pre_stop, runtime=self.cri, container_id=current.id,
                                     container=record.spec, pod=self.pod, pod_ip=self.pod_ip,
                                     timeout=max(deadline - time.time(), 0.1))
            if failure is not None:
                self.event("Warning", "FailedPreStopHook", failure)
        try:
            await self.cri.stop_container(current.id, max(deadline - time.time(), 0.0))
        except ContainerError as exc:
            log.warning("stopping container %s of %s: %s", record.name, self.key, exc)
        status = await self.cri.container_status(current.id)
        if status is not None and record.current is current:
            record.current = status
            record.current_message = self.manager.starter.termination_message(record, status)
        record.ready = False

    # ---------------------------------------------------------------- stopping
    async def stop(self, grace: float) -> None:
        """Stop everything within `grace` seconds; the final states stay reported."""
        self.stopping = True
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        async with self.lock:
            for record in self.records.values():
                for task in record.tasks:
                    task.cancel()
            groups = [[r for r in self.records.values() if r.kind == REGULAR],
                      [r for r in reversed(self.records.values()) if r.kind != REGULAR]]
            deadline = time.time() + grace
            for group in groups:
                await asyncio.gather(*(self.kill_container(r, deadline - time.time()) for r in group),
                                     return_exceptions=True)
            for record in self.records.values():
                record.tasks.clear()
                if record.current is None and not record.waiting_reason:
                    record.waiting_reason = "ContainerCreating"
            if self.sandbox is not None:
                try:
                    await self.cri.stop_sandbox(self.sandbox.id)
                except Exception as exc:
                    log.warning("stopping the sandbox of %s: %s", self.key, exc)
            self.stopped = True
        self.notify()

    # ---------------------------------------------------------------- status
    def status(self) -> PodRuntimeStatus:
        runtime = self.manager.cri.name
        sandbox_ready = self.sandbox is not None and self.sandbox.state == "ready" and not self.stopped
        initializing = False
        init_states, states = [], []
        for record in self.records.values():
            if record.kind == REGULAR:
                continue
            init_states.append(record.state(runtime, "PodInitializing" if self.sandbox else "ContainerCreating"))
            if not (record.succeeded or (record.kind == SIDECAR and record.running and record.started)):
                initializing = True
        for record in self.records.values():
            if record.kind == REGULAR:
                waiting = "PodInitializing" if initializing and self.sandbox else "ContainerCreating"
                states.append(record.state(runtime, waiting))
        return PodRuntimeStatus(
            sandbox_ready=sandbox_ready, pod_ips=list(self.sandbox.ips) if sandbox_ready else [],
            containers=states, init_containers=init_states, started_at=self.started_at,
            next_change=None, sandbox_error=self.sandbox_error)


def new_message_file(pod_dir: Path, name: str) -> Path:
    """The host file behind a container's terminationMessagePath (one per instance)."""
    directory = pod_dir / "containers" / name
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / secrets.token_hex(4)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o666)
    os.close(fd)
    os.chmod(path, 0o666)
    return path
