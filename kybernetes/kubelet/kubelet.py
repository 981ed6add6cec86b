# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet: registers its Node, keeps its Lease and status, and runs the pods bound
to it through a runtime.

`Kubelet.run()` runs one node alone with its own pod watch (`kybernetes agent`, the
server's own node). `kybernetes.kubelet.simulate` runs thousands of them on one shared
watch and one shared timer heap; both drive the same `sync_pod`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.rest import Client, resource
from kybernetes.client.workqueue import WorkQueue
from kybernetes.kubelet import lease as leases
from kybernetes.kubelet.eviction import pressure_rejection
from kybernetes.kubelet.sysctls import kernel_release, sysctl_rejection
from kybernetes.kubelet.node import (NETWORK_NOT_READY, STATUS_CHECK_INTERVAL, STATUS_REPORT_INTERVAL,
                                     NodeConfig, build_node, node_conditions)
from kybernetes.kubelet.pods import (PODS, TERMINAL_PHASES, PodDispatcher, admit, build_pod_status,
                                     pod_requests, rejected_status, resource_list, status_patch)
from kybernetes.kubelet.runtimes import Runtime

KERNEL = kernel_release(os.uname().release)  # safe sysctls depend on the kernel's version
log = logging.getLogger("kybernetes.kubelet")
NODES = resource("nodes")
NETWORK_CHECK_INTERVAL = 1.0  # how soon a third-party plugin's new CNI config makes the node Ready


class Kubelet:
    def __init__(self, client: Client, config: NodeConfig, runtime: Runtime, *,
                 recorder: EventRecorder | None = None, clock=time.time) -> None:
        self.client = client
        self.config = config
        self.node_name = config.name
        self.runtime = runtime
        self.recorder = recorder
        self.clock = clock
        self.node_uid = ""
        self.labels: dict[str, str] = {}
        self.allocatable: dict[str, int] = {}
        self.conditions: list[dict] = []
        self.last_status_post = 0.0
        self.queue: WorkQueue | None = None  # set by the dispatcher that feeds this kubelet
        self.pod_uids: dict[str, str] = {}  # pod key -> uid of the pod the runtime has
        self.admitted: dict[str, dict[str, int]] = {}  # uid -> requests, for admission
        self.finished: set[str] = set()  # uids whose terminal status is posted
        self._stopped = asyncio.Event()
        # the pods bound here (an informer), where the kubelet's HTTP server finds them
        self.pod_source = None
        self.serving = None  # a kybernetes.kubelet.server.KubeletServer run() starts
        self.stats = None  # a kybernetes.kubelet.stats.SummaryBuilder for /stats and eviction
        self.eviction = None  # a kybernetes.kubelet.eviction.EvictionManager
        self.pressures: set[str] = set()  # node conditions under pressure now
        self.pod_cidr = ""  # spec.podCIDR of the Node, once the node IPAM controller set it
        # the pod network's range comes from spec.podCIDR (an agent without --pod-cidr):
        # pods that need it wait for it, as upstream's wait for a ready network plugin
        self.requires_pod_cidr = False
        self._network_waiting: set[str] = set()  # uids told "network is not ready"
        self.posted_not_ready = ""  # the not_ready the Node's Ready condition last got
        self.static_pods = None  # a kybernetes.kubelet.staticpods.StaticPods: file pods, mirrors
        self.register_node = True  # False (--register-node=false): an admin creates the Node
        self.allowed_unsafe_sysctls: list[str] = []  # --allowed-unsafe-sysctls

    @property
    def host_ips(self) -> list[str]:
        return [self.config.internal_ip] if self.config.internal_ip else []

    # ---------------------------------------------------------------- node and lease
    def _learn_node(self, node: dict) -> None:
        self.node_uid = node["metadata"]["uid"]
        self.labels = node["metadata"].get("labels") or {}
        status = node.get("status") or {}
        self.allocatable = resource_list(status.get("allocatable"))
        self.conditions = status.get("conditions") or []
        self.pod_cidr = (node.get("spec") or {}).get("podCIDR") or ""
        self.runtime.configure_node(node)

    @property
    def not_ready(self) -> str:
        """Why the node is not Ready (Ready's message), or "": a node whose pod network
        waits for its podCIDR, or for a third-party plugin's CNI configuration, is
        NotReady, so nothing is scheduled on it yet."""
        if self.requires_pod_cidr and not self.pod_cidr:
            return NETWORK_NOT_READY
        return self.runtime.network_not_ready()

    def _pod_network_not_ready(self) -> str:
        """The runtime's NetworkReady=false message while pods cannot get a network."""
        if self.requires_pod_cidr and not self.pod_cidr:
            return ("container runtime network not ready: NetworkReady=false reason:"
                    "NetworkPluginNotReady message:the node has no podCIDR yet")
        return self.runtime.network_not_ready()

    async def refresh_network_status(self) -> None:
        """Post Ready at once when the network's readiness changed since the last post
        (a CNI configuration appeared or went), as containerd's watch of its conf dir
        makes the kubelet's next status update do."""
        if self.node_uid and self.not_ready != self.posted_not_ready:
            await self.check_node_status(force=True)

    async def refresh_pod_cidr(self) -> None:
        """Read the Node again while it has no podCIDR: the controller assigns it after
        registration, and the pod network's config must follow (upstream's status loop
        reads its Node every 10 s for this). The node turns Ready at once when it comes."""
        if not self.pod_cidr:
            self._learn_node(await self.client.get(NODES, self.node_name))
            if self.pod_cidr and self.requires_pod_cidr:
                await self.check_node_status(force=True)

    async def _await_pod_cidr(self, attempts: int = 40, interval: float = 0.5) -> None:
        """Right after registration, poll briefly so the first pods get the assigned range."""
        for _ in range(attempts):
            if self.pod_cidr:
                return
            await asyncio.sleep(interval)
            try:
                await self.refresh_pod_cidr()
            except Exception as exc:  # the 10 s status check tries again
                log.debug("reading node %s: %s", self.node_name, exc)

    async def register(self) -> None:
        """Create the Node (or take over the existing one) and its Lease."""
        now = self.clock()
        body = build_node(self.config, now)
        not_ready = self.not_ready
        registered_not_ready = bool(not_ready)
        if registered_not_ready:
            body["status"]["conditions"] = node_conditions(now, not_ready=not_ready)
        try:
            if not self.register_node:  # only report on the Node an admin made (404 until then)
                raise ApiError(409, "AlreadyExists", "registration is off")
            node = await self.client.create(NODES, body)
        except ApiError as exc:
            if exc.code != 409:
                raise
            # registered before (a restart): bring its status and labels up to date
            await self.client.patch(NODES, self.node_name, {"metadata": {
                "labels": body["metadata"]["labels"]}})
            node = await self.client.patch(NODES, self.node_name, {"status": body["status"]},
                                           subresource="status")
        self._learn_node(node)
        self.last_status_post = now
        self.posted_not_ready = not_ready
        if registered_not_ready and not self.not_ready:
            await self.check_node_status(force=True)  # a re-registered node had its podCIDR
        await self.ensure_lease()

    async def ensure_lease(self) -> None:
        body = leases.lease_body(self.node_name, self.node_uid, self.clock())
        try:
            await self.client.create(leases.LEASES, body, leases.LEASE_NAMESPACE)
        except ApiError as exc:
            if exc.code != 409:
                raise
            await self.client.patch(leases.LEASES, self.node_name, {
                "metadata": {"ownerReferences": body["metadata"]["ownerReferences"]},
                "spec": body["spec"]}, leases.LEASE_NAMESPACE)

    async def renew_lease(self) -> None:
        try:
            await self.client.patch(leases.LEASES, self.node_name,
                                    leases.renew_patch(self.clock()), leases.LEASE_NAMESPACE)
        except ApiError as exc:
            if exc.code != 404:
                raise
            await self.ensure_lease()

    async def check_node_status(self, force: bool = False) -> None:
        """Post the conditions when 5 minutes have passed, or at once when the eviction
        manager's pressure conditions changed (`force`)."""
        now = self.clock()
        if not force and now - self.last_status_post < STATUS_REPORT_INTERVAL:
            return
        not_ready = self.not_ready
        conditions = node_conditions(now, self.conditions, self.pressures, not_ready)
        node = await self.client.patch(NODES, self.node_name, {"status": {"conditions": conditions}},
                                       subresource="status")
        self.last_status_post = now
        self.posted_not_ready = not_ready
        self._learn_node(node)

    # ---------------------------------------------------------------- pods
    async def sync_pod(self, key: str, pod: dict) -> None:
        """Bring one pod's runtime state and API status to what its spec asks."""
        if self.static_pods is not None and self.static_pods.claims(key, pod):
            return  # a mirror pod: staticpods.py keeps it, the static pod is what runs
        meta, status = pod["metadata"], pod.get("status") or {}
        uid = meta["uid"]
        known = self.pod_uids.get(key)
        if known is not None and known != uid:  # deleted and made again under the same name
            await self.forget_pod(key)
        self.pod_uids[key] = uid
        if meta.get("deletionTimestamp"):
            await self._terminate(key, pod)
            return
        if uid in self.finished:
            return
        if status.get("phase") in TERMINAL_PHASES:
            self._finish(uid)
            await self.runtime.stop_pod(pod, 0)
            return
        if uid not in self.admitted:
            if not status.get("startTime"):
                rejection = pressure_rejection(pod, self.pressures) or admit(
                    pod, self.allocatable, list(self.admitted.values()), self.labels) or \
                    sysctl_rejection(pod, self.allowed_unsafe_sysctls, KERNEL)
                if rejection is not None:
                    self._finish(uid)
                    await self._post_status(pod, rejected_status(pod, *rejection))
                    if self.recorder is not None:
                        self.recorder.event(pod, "Warning", rejection[0], rejection[1])
                    return
            self.admitted[uid] = pod_requests(pod)
        network_not_ready = "" if (pod.get("spec") or {}).get("hostNetwork") else \
            self._pod_network_not_ready()  # hostNetwork pods (a CNI installer's) run anyway
        if network_not_ready:
            if uid not in self._network_waiting and self.recorder is not None:
                self._network_waiting.add(uid)
                self.recorder.event(pod, "Warning", "NetworkNotReady",
                                    f"network is not ready: {network_not_ready}")
            if self.queue is not None:
                self.queue.add_after(key, 1.0)
            return
        await self.runtime.start_pod(pod)
        runtime_status = await self.runtime.pod_status(pod)
        if runtime_status is None:
            return
        if runtime_status.sandbox_error and self.recorder is not None:
            self.recorder.event(pod, "Warning", "FailedCreatePodSandBox", runtime_status.sandbox_error)
        new_status = build_pod_status(pod, runtime_status, self.host_ips, self.clock())
        await self._post_status(pod, new_status)
        if new_status["phase"] in TERMINAL_PHASES:
            self._finish(uid)
            await self.runtime.stop_pod(pod, 0)
        elif runtime_status.next_change is not None and self.queue is not None:
            self.queue.add_after(key, runtime_status.next_change + 0.01)

    async def _terminate(self, key: str, pod: dict) -> None:
        """Graceful deletion: stop the containers within the grace period, post their final
        state, then delete the pod for good (grace 0, this uid only), as upstream does."""
        meta = pod["metadata"]
        uid = meta["uid"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
        runtime_status = await self.runtime.pod_status(pod)
        if runtime_status is not None and uid not in self.finished:
            await self.runtime.stop_pod(pod, grace)
            runtime_status = await self.runtime.pod_status(pod)
            if runtime_status is not None:
                final = build_pod_status(pod, runtime_status, self.host_ips, self.clock(), stopping=True)
                try:
                    await self._post_status(pod, final)
                except ApiError as exc:
                    if exc.code != 404:
                        raise
        self._finish(uid)
        try:
            await self.client.delete(PODS, meta["name"], meta.get("namespace"), grace_period=0, uid=uid)
        except ApiError as exc:
            if exc.code not in (404, 409):  # gone already, or a newer pod under the name
                raise

    def _finish(self, uid: str) -> None:
        self.admitted.pop(uid, None)
        self.finished.add(uid)

    async def _post_status(self, pod: dict, new_status: dict) -> None:
        patch = status_patch(pod, new_status)
        if patch is None:
            return
        meta = pod["metadata"]
        await self.client.patch(PODS, meta["name"], patch, meta.get("namespace"), subresource="status")

    async def forget_pod(self, key: str) -> None:
        """The pod left the API: release what the runtime holds for it."""
        if self.static_pods is not None:
            self.static_pods.api_pod_gone(key)  # a deleted mirror is made again
        uid = self.pod_uids.pop(key, None)
        if uid is None:
            return
        self.admitted.pop(uid, None)
        self.finished.discard(uid)
        self._network_waiting.discard(uid)
        await self.runtime.cleanup(uid)

    # ---------------------------------------------------------------- running alone
    async def run(self, workers: int = 4) -> None:
        """Register, then run this node's pods, lease and status until cancelled."""
        from kybernetes.kubelet.lease import PeriodicScheduler
        if self.serving is not None:  # listening first: the Node reports the bound port
            self.config.kubelet_port = await self.serving.start()
        # static pods run before (and without) the API server, as kubeadm's control plane needs
        static = None if self.static_pods is None else asyncio.create_task(
            self.static_pods.run(), name=f"kubelet-static-pods-{self.node_name}")
        try:
            await self._register_with_retry()
        except BaseException:
            if static is not None:
                static.cancel()
                await asyncio.gather(static, return_exceptions=True)
            if self.serving is not None:
                await self.serving.stop()
            raise
        dispatcher = PodDispatcher(self.client, f"spec.nodeName={self.node_name}", workers=workers)
        dispatcher.add(self)
        self.pod_source = dispatcher.informer
        if self.static_pods is not None:
            self.static_pods.api_ready()
        scheduler = PeriodicScheduler(concurrency=2)
        scheduler.every(leases.RENEW_INTERVAL, self.renew_lease)
        scheduler.every(STATUS_CHECK_INTERVAL, self.check_node_status)
        scheduler.every(STATUS_CHECK_INTERVAL, self.refresh_pod_cidr)  # (simulated nodes skip it)
        scheduler.every(NETWORK_CHECK_INTERVAL, self.refresh_network_status)
        if self.eviction is not None:
            from kybernetes.kubelet.eviction import MONITORING_INTERVAL, eviction_round
            scheduler.every(MONITORING_INTERVAL, lambda: eviction_round(self), first_in=1.0)
        log.info("node %s registered (runtime %s)", self.node_name, self.runtime.runtime_version)
        tasks = [asyncio.create_task(dispatcher.run(), name=f"kubelet-pods-{self.node_name}"),
                 asyncio.create_task(scheduler.run(), name=f"kubelet-heartbeat-{self.node_name}"),
                 asyncio.create_task(self._await_pod_cidr(), name=f"kubelet-pod-cidr-{self.node_name}")]
        if static is not None:
            tasks.append(static)
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.serving is not None:
                await self.serving.stop()
            await self.runtime.close()

    async def _register_with_retry(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.register()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server may still be starting
                log.warning("registering node %s: %s", self.node_name, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 7.0)


# ---------------------------------------------------------------- this machine as a node
def local_node_name(override: str = "") -> str:
    import socket
    return (override or socket.gethostname()).lower()


def local_kubelet(client: Client, runtime_name: str, *, node_name: str = "", node_ip: str = "",
                  labels: dict[str, str] | None = None, taints: list[dict] | None = None,
                  max_pods: int = 110, pod_cidr: str = "", data_dir: str = "/",
                  kubelet_address: str = "0.0.0.0", kubelet_port: int | None = None,
                  client_ca_pem: bytes | None = None, root_dir: str = "",
                  disable_default_registry_endpoint: bool = False,
                  eviction_hard: str | None = None, eviction_soft: str = "",
                  eviction_soft_grace_period: str = "",
                  eviction_pressure_transition_period: str = "5m0s",
                  authorization_mode: str = "Webhook", healthz_port: int = 10248,
                  healthz_bind_address: str = "127.0.0.1", cluster_dns: list[str] | None = None,
                  cluster_domain: str = "cluster.local",
                  network_options: dict | None = None) -> Kubelet:
    """A kubelet for this machine: its capacity, its addresses; raises
    RuntimeNotAvailable for a runtime not written yet. Its HTTPS server listens on
    `kubelet_port` (10250 when None, or any free port when that one is taken); with
    the cluster CA in `data_dir`/pki (inside `kybernetes server`) its certificate is
    the cluster's, otherwise self-signed. `network_options` are make_pod_manager's pod
    network options (network.node.pod_network_options: a third-party CNI plugin's)."""
    import zlib
    from kybernetes.kubelet.node import machine_allocatable, machine_capacity
    from kybernetes.kubelet.runtimes import make_runtime
    from kybernetes.kubelet.runtimes.fake import fallback_pod_cidr
    name = local_node_name(node_name)
    options = {}
    recorder = EventRecorder(client, "kubelet", host=name)
    if runtime_name == "fake":  # a /24 of 10.244.0.0/16 picked by name until one is assigned
        options["fallback_cidr"] = pod_cidr or fallback_pod_cidr(zlib.crc32(name.encode()) % 256)
    else:
        from pathlib import Path
        root = Path(root_dir) if root_dir else kubelet_root_dir(data_dir)
        registries = Path(data_dir) / "registries.yaml"
        options.update(client=client, data_dir=root, node_name=name, recorder=recorder,
                       fallback_pod_cidr=pod_cidr or "10.244.0.0/24",
                       registries_file=registries if data_dir != "/" and registries.is_file() else None,
                       disable_default_registry_endpoint=disable_default_registry_endpoint,
                       cluster_dns=cluster_dns, cluster_domain=cluster_domain,
                       **(network_options or {}))
    runtime = make_runtime(runtime_name, **options)
    if not node_ip:
        from kybernetes.pki.certs import host_addresses
        addresses = [a for a in host_addresses() if ":" not in a]
        node_ip = addresses[0] if addresses else "127.0.0.1"
    capacity = machine_capacity(data_dir)
    capacity["pods"] = str(max_pods)
    from pathlib import Path
    from kybernetes.kubelet import eviction, stats
    hard = eviction.parse_thresholds(eviction.DEFAULT_EVICTION_HARD if eviction_hard is None
                                     else eviction_hard)  # ThresholdError (a ValueError) for bad flags
    soft = eviction.parse_thresholds(eviction_soft, hard=False, grace_periods=eviction.parse_grace_periods(
        eviction_soft_grace_period)) if eviction_soft else []
    transition = eviction.parse_duration(eviction_pressure_transition_period)
    config = NodeConfig(name=name, capacity=capacity, allocatable=machine_allocatable(capacity, hard),
                        labels=labels or {}, taints=taints or [], internal_ip=node_ip,
                        runtime_version=runtime.runtime_version, pod_cidr=pod_cidr)
    kubelet = Kubelet(client, config, runtime, recorder=recorder)
    stats_root = Path(root_dir) if root_dir else kubelet_root_dir(data_dir)
    kubelet.stats = stats.SummaryBuilder(name, eviction.existing_dir(stats_root))
    kubelet.eviction = eviction.EvictionManager(
        hard + soft, lambda: eviction.observe_node(eviction.existing_dir(stats_root)),
        transition_period=transition)
    from kybernetes.kubelet.staticpods import StaticPods
    kubelet.static_pods = StaticPods(kubelet, None)  # `agent` gives it a manifest path
    if hasattr(runtime, "on_change"):  # pod workers ask for a status post when a container changes
        def on_change(key: str) -> None:
            if key in kubelet.static_pods.pods:
                kubelet.static_pods.queue.add(key)
            elif kubelet.queue is not None:
                kubelet.queue.add(key)
        runtime.on_change = on_change
    from pathlib import Path
    from kybernetes.kubelet.node import KUBELET_PORT
    from kybernetes.kubelet.server import (KubeletServer, ServingCertificate, allow_authenticated,
                                           load_cluster_ca)
    from kybernetes.kubelet.webhookauth import WebhookAuthorizer
    cluster_ca = load_cluster_ca(Path(data_dir) / "pki")
    certificate = ServingCertificate(name, [node_ip], client_ca_pem or (
        cluster_ca.cert_pem if cluster_ca else None), cluster_ca)
    kubelet.serving = KubeletServer(kubelet, address=kubelet_address,
                                    port=KUBELET_PORT if kubelet_port is None else kubelet_port,
                                    certificate=certificate,
                                    authorize=WebhookAuthorizer(client) if authorization_mode == "Webhook"
                                    else allow_authenticated,
                                    fall_back_to_ephemeral=kubelet_port is None,
                                    healthz_address=healthz_bind_address, healthz_port=healthz_port)
    return kubelet


def default_runtime() -> str:
    """runc as root where runc is installed, host processes otherwise."""
    import os
    import shutil
    return "runc" if os.geteuid() == 0 and shutil.which("runc") else "process"


def kubelet_root_dir(data_dir: str):
    """Where the kubelet keeps pods, images and runtime state: DATA_DIR/kubelet inside
    `kybernetes server`, /var/lib/kybernetes/kubelet for a root agent, else under ~."""
    import os
    from pathlib import Path
    if data_dir and data_dir != "/":
        return Path(data_dir) / "kubelet"
    if os.geteuid() == 0:
        return Path("/var/lib/kybernetes/kubelet")
    return Path.home() / ".local" / "share" / "kybernetes" / "kubelet"


def usage_error(message: str) -> int:
    """A one-line error and exit status 2 (raised UsageError would not be recognised when
    the CLI runs as `python -m kybernetes.cli.main`, a second copy of that module)."""
    import sys
    print(f"kybernetes: error: {message}", file=sys.stderr)
    return 2
