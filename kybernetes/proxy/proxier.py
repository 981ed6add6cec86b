# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The running kube-proxy: informers on Services and EndpointSlices feed a debounced
full sync (upstream's minSyncPeriod 1 s), in iptables mode or the userspace fallback."""
from __future__ import annotations

import argparse
import asyncio
import logging
import time

from kybernetes.client.informer import InformerFactory
from kybernetes.client.rest import Client, resource
from kybernetes.proxy import iptables
from kybernetes.proxy.conntrack import ConntrackCleaner, stale_flow_filters
from kybernetes.proxy.model import build_service_ports
from kybernetes.proxy.rules import ProxyConfig, generate

log = logging.getLogger("kybernetes.proxy")
SERVICES = resource("services")
ENDPOINT_SLICES = resource("endpointslices.discovery.k8s.io")


class Proxier:
    """Watches Services and EndpointSlices; `backend(ports)` programs the node."""

    def __init__(self, client: Client, config: ProxyConfig, mode: str = "iptables",
                 min_sync_period: float = 1.0, sync_period: float = 30.0) -> None:
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
        for informer in (self.services, self.slices):
            informer.add_handler(lambda *_: self.changed.set())

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
    import os
    return "iptables" if os.geteuid() == 0 and iptables.iptables_available() else "userspace"


async def proxy_main(args: argparse.Namespace) -> int:
    """`kybernetes proxy`."""
    from kybernetes.cli.errors import UsageError
    from kybernetes.kubelet.kubelet import local_node_name
    if args.cleanup:
        if not iptables.iptables_available():
            raise UsageError("--cleanup needs iptables, iptables-save and iptables-restore")
        await asyncio.to_thread(iptables.cleanup)
        return 0
    if not args.kubeconfig:
        raise UsageError("--kubeconfig is required")
    mode = args.proxy_mode or default_mode()
    if mode == "iptables" and not iptables.iptables_available():
        raise UsageError("--proxy-mode iptables needs iptables, iptables-save and iptables-restore")
    client = Client.from_kubeconfig(args.kubeconfig, user_agent="kube-proxy")
    config = ProxyConfig(node_name=local_node_name(args.hostname_override),
                         cluster_cidr=args.cluster_cidr,
                         nodeport_addresses=[c for c in args.nodeport_addresses.split(",") if c])
    from kybernetes.cli.components import until_signalled
    task = asyncio.create_task(Proxier(client, config, mode).run(), name="kube-proxy")
    try:
        await until_signalled(task)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
    return 0


def add_proxy_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kubeconfig", default="", help="kubeconfig of the proxy's identity")
    parser.add_argument("--hostname-override", default="", help="the node name (default: hostname)")
    parser.add_argument("--cluster-cidr", default="10.244.0.0/16",
                        help="pod CIDR: traffic from outside it to a ClusterIP is masqueraded")
    parser.add_argument("--proxy-mode", default="", choices=("", "iptables", "userspace"),
                        help="iptables (default as root with iptables) or userspace")
    parser.add_argument("--nodeport-addresses", default="",
                        help="CIDRs of the local addresses that serve NodePorts, comma "
                             "separated (default: every local address)")
    parser.add_argument("--cleanup", action="store_true",
                        help="remove every rule kube-proxy made, then exit")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)
