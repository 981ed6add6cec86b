# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The running kube-proxy: informers on Services and EndpointSlices feed a debounced
full sync (upstream's minSyncPeriod 1 s), in iptables mode or the userspace fallback;
with a ProxyHealth, the syncs and this node's Node object feed the health server."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time

from kybernetes.client.informer import InformerFactory
from kybernetes.client.rest import Client, resource
from kybernetes.proxy import iptables
from kybernetes.proxy.config import ProxyConfigError, ProxySettings
from kybernetes.proxy.conntrack import ConntrackCleaner, stale_flow_filters
from kybernetes.proxy.healthz import ProxyHealth, serve_health
from kybernetes.proxy.model import build_service_ports
from kybernetes.proxy.rules import ProxyConfig, generate

log = logging.getLogger("kybernetes.proxy")
SERVICES = resource("services")
ENDPOINT_SLICES = resource("endpointslices.discovery.k8s.io")
NODES = resource("nodes")


class Proxier:
    """Watches Services and EndpointSlices; `backend(ports)` programs the node."""

    def __init__(self, client: Client, config: ProxyConfig, mode: str = "iptables",
                 min_sync_period: float = 1.0, sync_period: float = 30.0,
                 health: ProxyHealth | None = None) -> None:
        self.client = client
        self.config = config
        self.mode = mode
        self.min_sync_period = min_sync_period
        self.sync_period = sync_period
        self.informers = InformerFactory(client)
        self.services = self.informers.informer(SERVICES)
        self.slices = self.informers.informer(ENDPOINT_SLICES)
        self.changed = asyncio.Event()
        self.last_sync_seconds = 0.0
        self.userspace = None
        self.conntrack = ConntrackCleaner()
        self.programmed: list = []  # the ServicePorts of the last successful sync
        self.health = health
        for informer in (self.services, self.slices):
            informer.add_handler(lambda *_: self._queue())
        if health is not None:  # /healthz reports this node's eligibility, as upstream
            self.nodes = self.informers.informer(NODES, field_selector=f"metadata.name={config.node_name}")
            self.nodes.add_handler(lambda kind, old, new: health.sync_node(None if kind == "DELETED" else new))

    def _queue(self) -> None:
        self.changed.set()
        if self.health is not None:
            self.health.queued_update()

    def sync_once(self) -> None:
        ports = build_service_ports(self.services.list(), self.slices.list())
        started = time.monotonic()
        if self.mode == "iptables":
            existing = iptables.chains_in_save(iptables.save(("nat",))).get("nat", set())
            iptables.restore(generate(ports, self.config, existing))
            # after the new rules are in, as upstream: UDP flows to endpoints that are gone
            self.conntrack.delete(stale_flow_filters(self.programmed, ports))
            self.programmed = ports
        self.last_sync_seconds = time.monotonic() - started
        log.debug("synced %d service ports in %.3fs", len(ports), self.last_sync_seconds)

    async def run(self) -> None:
        if self.mode == "iptables":
            await asyncio.to_thread(iptables.prepare_kernel)
            await asyncio.to_thread(iptables.ensure_jumps)
        else:
            from kybernetes.proxy.userspace import UserspaceProxy
            self.userspace = UserspaceProxy()
        self.informers.start()
        try:
            await self.informers.wait_synced()
            log.info("kube-proxy (%s mode) running for node %s", self.mode, self.config.node_name)
            while True:
                self.changed.clear()
                try:
                    if self.userspace is not None:
                        await self.userspace.sync(build_service_ports(
                            self.services.list(), self.slices.list()))
                    else:
                        await asyncio.to_thread(self.sync_once)
                    if self.health is not None:
                        self.health.updated()
                except OSError as exc:
                    log.error("sync failed: %s", exc)
                await asyncio.sleep(self.min_sync_period)
                try:
                    await asyncio.wait_for(self.changed.wait(), self.sync_period)
                except asyncio.TimeoutError:
                    pass
        finally:
            await self.informers.stop()
            if self.userspace is not None:
                await self.userspace.close()


def default_mode() -> str:
    return "iptables" if os.geteuid() == 0 and iptables.iptables_available() else "userspace"


async def proxy_main(args: argparse.Namespace) -> int:
    """`kybernetes proxy`."""
    from kybernetes.cli.errors import UsageError
    from kybernetes.proxy.options import resolve_settings
    if args.cleanup:
        if not iptables.iptables_available():
            raise UsageError("--cleanup needs iptables, iptables-save and iptables-restore")
        await asyncio.to_thread(iptables.cleanup)
        return 0
    try:
        settings = resolve_settings(args)
    except ProxyConfigError as exc:
        raise UsageError(str(exc)) from None
    for warning in settings.warnings:
        log.warning("%s", warning)
    if not settings.kubeconfig:
        raise UsageError("--kubeconfig (clientConnection.kubeconfig in --config) is required")
    mode = settings.mode or default_mode()
    if mode == "iptables" and not iptables.iptables_available():
        raise UsageError("--proxy-mode iptables needs iptables, iptables-save and iptables-restore")
    if not os.path.isfile(settings.kubeconfig):  # upstream's wording (and exit status 1)
        raise OSError(f"stat {settings.kubeconfig}: no such file or directory")
    client = Client.from_kubeconfig(settings.kubeconfig, user_agent="kube-proxy")
    if settings.master:
        client.base_url = settings.master.rstrip("/")
    task = asyncio.create_task(run_proxy(client, settings, mode), name="kube-proxy")
    from kybernetes.cli.components import until_signalled
    try:
        await until_signalled(task)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
    return 0


async def run_proxy(client: Client, settings: ProxySettings, mode: str, node_name: str = "",
                    pod_egress_masquerade: bool = False) -> None:
    """The proxier with `settings` and its health server (if it has an address), until
    cancelled; `node_name` (an agent's) wins over the settings' hostnameOverride."""
    from kybernetes.kubelet.kubelet import local_node_name
    config = ProxyConfig(node_name=node_name or local_node_name(settings.hostname_override),
                         cluster_cidr=settings.cluster_cidr,
                         nodeport_addresses=[c for c in settings.nodeport_addresses if c != "primary"],
                         pod_egress_masquerade=pod_egress_masquerade,
                         masquerade_all=settings.masquerade_all, masquerade_bit=settings.masquerade_bit)
    if "primary" in settings.nodeport_addresses:
        log.warning("nodePortAddresses 'primary' is not implemented: NodePorts are served on every "
                    "local address")
    if settings.metrics_bind_address:
        log.info("metricsBindAddress %s accepted: kybernetes's kube-proxy serves no /metrics",
                 settings.metrics_bind_address)
    if settings.conntrack:
        log.info("conntrack settings accepted, not applied: kybernetes leaves the kernel's "
                 "conntrack limits and timeouts as they are")
    # upstream's healthTimeout: twice the sync period
    health = ProxyHealth(2 * settings.sync_period) if settings.healthz_bind_address else None
    tasks = [asyncio.create_task(Proxier(client, config, mode, settings.min_sync_period,
                                         settings.sync_period, health).run(), name="proxier")]
    if health is not None:
        tasks.append(asyncio.create_task(serve_health(health, settings.healthz_bind_address,
                                                      settings.bind_address_hard_fail), name="healthz"))
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

