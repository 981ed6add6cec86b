# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's `Runtime` for real containers: Kubernetes' pod semantics (see
podworker.py) on top of a CRI `ContainerRuntime` (runc or host processes) and the
ImageService. One PodWorker per pod does the work; this class routes the kubelet's
calls to them, re-adopts what a previous kubelet left running, and cleans up."""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path

from kybernetes.api.quantity import parse_quantity
from kybernetes.kubelet.containerconfig import qos_class
from kybernetes.kubelet.containerrecord import ContainerRecord
from kybernetes.kubelet.containerstart import ContainerStarter
from kybernetes.kubelet.cri import ContainerError, SandboxStatus
from kybernetes.kubelet.podworker import PodWorker
from kybernetes.kubelet.runtimes import PodRuntimeStatus, Runtime, RuntimeNotAvailable
from kybernetes.kubelet.volumes import VolumeManager

log = logging.getLogger("kybernetes.kubelet.pods")
UID_LABEL = "io.kubernetes.pod.uid"
ORPHAN_GRACE = 120.0  # seconds after start before unclaimed sandboxes are removed


class PodManager(Runtime):
    def __init__(self, cri, images, *, client, data_dir: Path, node_name: str, recorder=None,
                 cluster_dns: list[str] | None = None, cluster_domain: str = "cluster.local",
                 log_root: Path | None = None) -> None:
        self.cri = cri
        self.images = images
        self.client = client
        self.data_dir = Path(data_dir)
        self.node_name = node_name
        self.recorder = recorder
        self.cluster_dns = list(cluster_dns if cluster_dns is not None else ["10.96.0.10"])
        self.cluster_domain = cluster_domain
        self.name = cri.name
        self.version = getattr(cri, "version", "0.1.0")
        self.pods_dir = self.data_dir / "pods"
        if log_root is None:
            log_root = Path("/var/log/pods") if os.geteuid() == 0 else self.data_dir / "logs"
        self.log_root = log_root
        self.workers: dict[str, PodWorker] = {}
        self.on_change = None  # (key) -> None, set by the kubelet's wiring
        self.host_ips: list[str] = []
        self.allocatable: dict[str, str] = {}
        self.memory_capacity = 0
        self.allowed_unsafe_sysctls: list[str] = []  # --allowed-unsafe-sysctls
        self.seccomp_default = False  # --seccomp-default: RuntimeDefault when a pod names none
        self.starter = ContainerStarter(self)
        self.volumes = VolumeManager(client, self.pods_dir, warn=self._warn,
                                     node_allocatable=lambda: self.allocatable)
        self._adopted: dict[str, list[SandboxStatus]] | None = None
        self._adopt_lock = asyncio.Lock()
        self._housekeeping: asyncio.Task | None = None
        self._image_gc: asyncio.Task | None = None
        self._services = None  # an Informer of every Service, started by service_lister()
        self.image_gc_policy = None  # a kybernetes.kubelet.images.gc.GCPolicy (flags, config file)
        self.image_collector = None  # the ImageGarbageCollector, once the first pod started it

    def _warn(self, pod: dict, reason: str, message: str) -> None:
        if self.recorder is not None:
            self.recorder.event(pod, "Warning", reason, message)

    # ---------------------------------------------------------------- node
    def configure_node(self, node: dict) -> None:
        status = node.get("status") or {}
        addresses = [a.get("address", "") for a in status.get("addresses") or []
                     if a.get("type") == "InternalIP"]
        if addresses:
            self.host_ips = addresses
        self.allocatable = dict(status.get("allocatable") or {})
        capacity = (status.get("capacity") or {}).get("memory")
        if capacity:
            self.memory_capacity = int(parse_quantity(capacity))
        pod_cidr = (node.get("spec") or {}).get("podCIDR")
        configure = getattr(self.cri, "configure", None)
        if pod_cidr and configure is not None and pod_cidr != getattr(self.cri, "pod_cidr", None):
            configure(pod_cidr)  # the CNI config follows the CIDR the controller assigned
        try:
            self.service_lister()  # listing before the first pod comes
        except RuntimeError:  # no event loop running (a test calling this alone)
            pass

    def network_not_ready(self) -> str:
        """The runtime's NetworkReady=false message while the pod network has no
        configuration (a third-party plugin not installed yet), else ""."""
        check = getattr(self.cri, "network_not_ready", None)
        return check() if check is not None else ""

    def service_lister(self):
        """The Services as a cache kept by a watch (upstream's service lister), for the
        containers' service environment variables; None until it has listed once."""
        if self.client is None:
            return None
        if self._services is None:
            from kybernetes.client.informer import Informer
            from kybernetes.client.rest import resource
            self._services = Informer(self.client, resource("services"))
            self._services.start()
        return self._services if self._services.synced.is_set() else None

    def pod_log_dir(self, pod: dict) -> Path:
        meta = pod["metadata"]
        return self.log_root / f"{meta.get('namespace', 'default')}_{meta['name']}_{meta['uid']}"

    def cgroup_parent(self, pod: dict) -> str:
        qos = qos_class(pod)
        uid = pod["metadata"]["uid"]
        if qos == "Guaranteed":
            return f"kubepods/pod{uid}"
        return f"kubepods/{qos.lower()}/pod{uid}"

    # ---------------------------------------------------------------- adoption
    async def _adoptions(self) -> dict[str, list[SandboxStatus]]:
        """The sandboxes a previous kubelet left, by pod uid (read once)."""
        if self._adopted is not None:
            return self._adopted
        async with self._adopt_lock:
            if self._adopted is None:
                found: dict[str, list[SandboxStatus]] = {}
                try:
                    sandboxes = await self.cri.list_sandboxes()
                except Exception as exc:
                    log.warning("listing sandboxes: %s", exc)
                    sandboxes = []
                for sandbox in sandboxes:
                    config = sandbox.config
                    uid = (config.uid or config.labels.get(UID_LABEL, "")) if config else ""
                    if uid:
                        found.setdefault(uid, []).append(sandbox)
                self._adopted = found
                if found:
                    self._housekeeping = asyncio.get_running_loop().create_task(
                        self._remove_orphans(), name="kubelet-orphan-sandboxes")
        return self._adopted

    async def _remove_orphans(self) -> None:
        """Sandboxes of pods deleted while no kubelet ran: once every pod bound here has
        been synced (the kubelet lists them all at start), what is still unclaimed goes."""
        await asyncio.sleep(ORPHAN_GRACE)
        for uid, sandboxes in list((self._adopted or {}).items()):
            if uid in self.workers:
                continue
            self._adopted.pop(uid, None)
            log.info("removing the sandboxes of pod %s, which no longer exists", uid)
            for sandbox in sandboxes:
                await self._remove_sandbox(sandbox.id)
            await self.volumes.cleanup(uid)
            config = sandboxes[0].config
            if config is not None and config.log_directory is not None:
                shutil.rmtree(config.log_directory, ignore_errors=True)

    async def _adopt(self, worker: PodWorker, sandboxes: list[SandboxStatus]) -> None:
        sandboxes = sorted(sandboxes, key=lambda s: (s.state == "ready", s.created_at))
        newest = sandboxes[-1]
        for stale in sandboxes[:-1]:
            await self._remove_sandbox(stale.id)
        worker.sandbox = newest
        containers = await self.cri.list_containers(newest.id)
        by_name: dict[str, list] = {}
        for status in containers:
            by_name.setdefault(status.name, []).append(status)
        for name, statuses in by_name.items():
            record: ContainerRecord | None = worker.records.get(name)
            if record is None:
                for status in statuses:
                    await self._quietly(self.cri.remove_container(status.id))
                continue
            statuses.sort(key=lambda s: (s.attempt, s.created_at))
            record.current = statuses[-1]
            record.previous = statuses[-2] if len(statuses) > 1 else None
            record.attempts = statuses[-1].attempt + 1
            record.image_ref = statuses[-1].image_ref
            record.image_id = statuses[-1].image_id
            for older in statuses[:-2]:
                await self._quietly(self.cri.remove_container(older.id))
            if record.current.state == "running":
                record.started = True
                record.ready = not record.spec.get("readinessProbe")
                worker.watch_exit(record, record.current.id)
                self.starter.start_probes(worker, record, record.current.id)
        if newest.state == "ready" and newest.config is not None:
            worker.volumes = None  # set up again on the first pass (idempotent)

    async def _worker(self, pod: dict) -> PodWorker:
        uid = pod["metadata"]["uid"]
        worker = self.workers.get(uid)
        if worker is not None:
            return worker
        adopted = (await self._adoptions()).pop(uid, None)
        worker = self.workers.get(uid)  # another call may have made it meanwhile
        if worker is None:
            worker = PodWorker(self, pod)
            self.workers[uid] = worker
            if adopted:
                await self._adopt(worker, adopted)
        return worker

    # ---------------------------------------------------------------- image garbage
    def images_in_use(self) -> set[str]:
        in_use: set[str] = set()
        for worker in self.workers.values():
            for record in worker.records.values():
                in_use.add(record.spec.get("image", ""))
                if record.image_ref:
                    in_use.add(record.image_ref)
        in_use.discard("")
        return in_use

    async def _collect_images(self) -> None:
        """Upstream's image GC (images/gc.py): every 5 minutes, unused images go when the
        image filesystem is above 85% (down to 80%)."""
        from kybernetes.kubelet.images.gc import ImageGarbageCollector
        if getattr(self.images, "store", None) is None:
            return
        self.image_collector = ImageGarbageCollector(
            self.images, self.images_in_use, node_name=self.node_name, recorder=self.recorder,
            policy=self.image_gc_policy)  # also what disk-pressure reclaim can call
        await self.image_collector.run()

    # ---------------------------------------------------------------- the Runtime interface
    async def start_pod(self, pod: dict) -> None:
        if self._image_gc is None:
            self._image_gc = asyncio.get_running_loop().create_task(self._collect_images(),
                                                                    name="kubelet-image-gc")
        worker = await self._worker(pod)
        worker.update(pod)

    async def stop_pod(self, pod: dict, grace_seconds: float) -> None:
        uid = pod["metadata"]["uid"]
        worker = self.workers.get(uid)
        if worker is None:
            if uid not in await self._adoptions():
                return
            worker = await self._worker(pod)
        if worker.stopped:
            return
        worker.pod = pod
        await worker.stop(grace_seconds)

    async def pod_status(self, pod: dict) -> PodRuntimeStatus | None:
        uid = pod["metadata"]["uid"]
        worker = self.workers.get(uid)
        if worker is None:
            if uid not in await self._adoptions():
                return None
            worker = await self._worker(pod)  # left running by a previous kubelet
        worker.pod = pod
        return worker.status()

    async def cleanup(self, uid: str) -> None:
        worker = self.workers.pop(uid, None)
        sandbox_ids: set[str] = set()
        log_dir = None
        if worker is not None:
            if not worker.stopped:
                await worker.stop(0)
            if worker.sandbox is not None:
                sandbox_ids.add(worker.sandbox.id)
            log_dir = self.pod_log_dir(worker.pod)
        for sandbox in (await self._adoptions()).pop(uid, []):
            sandbox_ids.add(sandbox.id)
        try:
            for sandbox in await self.cri.list_sandboxes():
                config = sandbox.config
                if config is not None and (config.uid or config.labels.get(UID_LABEL)) == uid:
                    sandbox_ids.add(sandbox.id)
                    if log_dir is None and config.log_directory is not None:
                        log_dir = config.log_directory
        except Exception as exc:
            log.warning("listing sandboxes: %s", exc)
        for sandbox_id in sandbox_ids:
            await self._remove_sandbox(sandbox_id)
        await self.volumes.cleanup(uid)
        self.volumes.tokens = {k: v for k, v in self.volumes.tokens.items() if k[0] != uid}
        if log_dir is not None:
            shutil.rmtree(log_dir, ignore_errors=True)

    async def _remove_sandbox(self, sandbox_id: str) -> None:
        try:
            for status in await self.cri.list_containers(sandbox_id):
                await self._quietly(self.cri.stop_container(status.id, 0))
                await self._quietly(self.cri.remove_container(status.id))
        except Exception as exc:
            log.warning("listing the containers of sandbox %s: %s", sandbox_id, exc)
        await self._quietly(self.cri.stop_sandbox(sandbox_id))
        await self._quietly(self.cri.remove_sandbox(sandbox_id))

    @staticmethod
    async def _quietly(call) -> None:
        try:
            await call
        except Exception as exc:  # cleanup goes on past a container already gone
            log.debug("cleanup step failed: %s", exc)

    # ---------------------------------------------------------------- streaming
    def _record(self, pod: dict, container: str) -> ContainerRecord:
        worker = self.workers.get(pod["metadata"]["uid"])
        record = worker.records.get(container) if worker is not None else None
        if record is None or record.current is None:
            raise ContainerError("NotFound", f'container not found ("{container}")')
        return record

    def _running_id(self, pod: dict, container: str) -> str:
        record = self._record(pod, container)
        if record.current.state != "running":
            raise ContainerError("NotRunning", f'container not running ("{container}")')
        return record.current.id

    async def exec(self, pod: dict, container: str, argv: list[str], *, tty: bool, stdin: bool,
                   stdout: bool = True, stderr: bool = True):
        return await self.cri.exec(self._running_id(pod, container), argv, tty=tty, stdin=stdin,
                                   stdout=stdout, stderr=stderr)

    async def attach(self, pod: dict, container: str, *, stdin: bool, stdout: bool = True,
                     stderr: bool = True):
        return await self.cri.attach(self._running_id(pod, container), stdin=stdin, stdout=stdout,
                                     stderr=stderr)

    def log_path(self, pod: dict, container: str, previous: bool = False):
        worker = self.workers.get(pod["metadata"]["uid"])
        record = worker.records.get(container) if worker is not None else None
        if record is None:
            return None
        status = record.previous if previous else record.current
        if previous and record.current is not None and record.waiting_reason and record.exited:
            status = record.current  # waiting to restart: the last run is the "previous" one
        if status is None:
            return None
        path = status.log_path or (self.pod_log_dir(pod) / container / f"{status.attempt}.log")
        return path if Path(path).exists() else None

    async def port_forward(self, pod: dict, port: int):
        worker = self.workers.get(pod["metadata"]["uid"])
        if worker is None or worker.sandbox is None or worker.stopped:
            raise ContainerError("NotFound", f"pod {pod['metadata'].get('name', '')} has no running sandbox")
        return await self.cri.port_forward(worker.sandbox.id, port)

    async def close(self) -> None:
        for task in (self._housekeeping, self._image_gc):
            if task is not None:
                task.cancel()
        for worker in list(self.workers.values()):
            if worker.task is not None:
                worker.task.cancel()
            for record in worker.records.values():
                record.cancel_tasks()
        tasks = [w.task for w in self.workers.values() if w.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._services is not None:
            await self._services.stop()
            self._services = None
        close = getattr(self.cri, "close", None)
        if close is not None:
            await close()


def make_pod_manager(name: str, *, client, data_dir: Path, node_name: str, recorder=None,
                     cluster_dns: list[str] | None = None, cluster_domain: str = "cluster.local",
                     fallback_pod_cidr: str = "10.244.0.0/24", registries_file: Path | None = None,
                     disable_default_registry_endpoint: bool = False,
                     builtin_network: bool = True, cni_conf_dir: Path | None = None,
                     cni_bin_dirs: list[str] | None = None) -> PodManager:
    """The `runc` or `process` runtime: the CRI runtime, the image service and the pod
    manager over them. Raises RuntimeNotAvailable when this machine cannot run it.
    Without `builtin_network` runc pods use the CNI network a third-party plugin writes
    into `cni_conf_dir` (the cni_* defaults are RuncRuntime's)."""
    from kybernetes.kubelet.images import ImageService, RegistriesConfig
    data_dir = Path(data_dir)
    if name == "runc":
        from kybernetes.kubelet.runtimes.runc import RuncRuntime
        reason = RuncRuntime.available()
        if reason is not None:
            raise RuntimeNotAvailable(reason)
        (data_dir / "runc").mkdir(parents=True, exist_ok=True)
        cri = RuncRuntime(data_dir / "runc", pod_cidr=fallback_pod_cidr,
                          builtin_network=builtin_network, cni_conf_dir=cni_conf_dir,
                          cni_plugin_dirs=cni_bin_dirs)
    elif name == "process":
        from kybernetes.kubelet.runtimes.process import ProcessRuntime
        (data_dir / "process").mkdir(parents=True, exist_ok=True)
        cri = ProcessRuntime(data_dir / "process")
    else:
        raise RuntimeNotAvailable(f"unknown runtime {name!r}")
    registries = RegistriesConfig.load(Path(registries_file) if registries_file else
                                       data_dir / "registries.yaml",
                                       disable_default_endpoint=disable_default_registry_endpoint)
    images = ImageService(root=data_dir / "images", registries=registries)
    return PodManager(cri, images, client=client, data_dir=data_dir, node_name=node_name,
                      recorder=recorder, cluster_dns=cluster_dns, cluster_domain=cluster_domain)
