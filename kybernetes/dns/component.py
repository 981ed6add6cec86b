# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes dns`: informers on Services, EndpointSlices and Namespaces feeding the
cluster view, the DNS server, and (when asked) the kube-dns Service pointing at it."""
from __future__ import annotations

import argparse
import asyncio
import logging
import time

from kybernetes.client.informer import InformerFactory
from kybernetes.client.rest import Client, resource
from kybernetes.dns import addon
from kybernetes.dns.forward import Forwarder, read_upstreams
from kybernetes.dns.server import DNSServer
from kybernetes.dns.view import ClusterView

log = logging.getLogger("kybernetes.dns")


class DNSComponent:
    def __init__(self, client: Client, *, bind_address: str, port: int = 53,
                 cluster_domain: str = "cluster.local", upstream_resolv: str = "/etc/resolv.conf",
                 service_cidr: str = "", publish_client: Client | None = None,
                 node_name: str = "", advertise_address: str = "") -> None:
        self.client = client
        self.advertise_address = advertise_address or bind_address
        self.bind_address = bind_address
        self.requested_port = port
        self.cluster_domain = cluster_domain
        self.service_cidr = service_cidr
        self.publish_client = publish_client
        self.node_name = node_name
        skip = {bind_address, self.advertise_address}
        if service_cidr:
            skip.add(addon.cluster_dns_ip(service_cidr))
        self.forwarder = Forwarder(read_upstreams(upstream_resolv, skip))
        factory = InformerFactory(client)
        self.factory = factory
        self.services = factory.informer(resource("services"))
        self.slices = factory.informer(resource("endpointslices.discovery.k8s.io"))
        self.namespaces = factory.informer(resource("namespaces"))
        for informer in (self.services, self.slices, self.namespaces):
            informer.add_handler(self._changed)
        self._view = ClusterView()
        self._stale = True
        self._serial = int(time.time())
        self.server = DNSServer(self.view, self.forwarder, cluster_domain)

    def _changed(self, kind: str, old: dict | None, new: dict | None) -> None:
        self._stale = True
        self._serial = int(time.time())

    def view(self) -> ClusterView:
        """The current view, rebuilt at most once per burst of changes (on the next query)."""
        if self._stale:
            self._stale = False
            self._view = ClusterView(self.services.store.values(), self.slices.store.values(),
                                     self.namespaces.store.keys(), self._serial)
        return self._view

    async def listen(self) -> int:
        """Bind the requested port, or a free one when it is taken or needs privileges."""
        try:
            return await self.server.start(self.bind_address, self.requested_port)
        except OSError as exc:
            if self.requested_port == 0:  # (uvloop's bind errors carry no errno to sort by)
                raise
            log.info("DNS port %d on %s unavailable (%s): using a free port",
                     self.requested_port, self.bind_address, exc)
            return await self.server.start(self.bind_address, 0)

    async def run(self, fatal: bool = True) -> None:
        """Serve until cancelled. With fatal=False (inside `kybernetes server`) a DNS
        port that cannot be opened is logged and the rest of the cluster keeps running."""
        if self.publish_client is not None and self.service_cidr:
            await self._retry(addon.publish_rbac, self.publish_client)  # before reading as coredns
        self.factory.start()
        try:
            port = await self.listen()
        except OSError as exc:
            await self.factory.stop()
            if fatal:
                raise
            log.error("cluster DNS not started: cannot listen on %s: %s", self.bind_address, exc)
            await asyncio.Event().wait()
            return
        log.info("cluster DNS for %s listening on %s:%d (udp, tcp), forwarding to %s",
                 self.cluster_domain, self.bind_address, port,
                 ", ".join(f"{h}:{p}" for h, p in self.forwarder.upstreams) or "nothing")
        try:
            if self.publish_client is not None and self.service_cidr:
                await self._publish(port)
            await asyncio.Event().wait()
        finally:
            await self.server.stop()
            await self.factory.stop()

    async def _publish(self, port: int) -> None:
        await self._retry(addon.publish, self.publish_client, self.service_cidr,
                          self.advertise_address, port, self.node_name)

    @staticmethod
    async def _retry(function, *args) -> None:
        delay = 0.2
        while True:  # the API server may still be starting, kube-system not yet made
            try:
                return await function(*args)
            except Exception as exc:
                log.debug("cluster DNS add-on: %r", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)


async def dns_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.main import UsageError
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port: {args.port} is not a port (0-65535)")
    if not args.kubeconfig.is_file():
        raise UsageError(f"--kubeconfig: {args.kubeconfig} does not exist")
    if args.service_cidr:
        try:
            addon.cluster_dns_ip(args.service_cidr)
        except ValueError:
            raise UsageError(f"--service-cluster-ip-range: invalid CIDR {args.service_cidr!r}") from None
    advertise = args.advertise_address
    if args.service_cidr and not advertise and args.bind_address in ("0.0.0.0", "::", ""):
        from kybernetes.pki.certs import host_addresses
        advertise = (host_addresses() or ["127.0.0.1"])[0]  # the slice needs a real address
    client = Client.from_kubeconfig(args.kubeconfig, user_agent="kybernetes-dns")
    try:
        component = DNSComponent(client, bind_address=args.bind_address, port=args.port,
                                 cluster_domain=args.cluster_domain,
                                 upstream_resolv=args.upstream_resolv,
                                 service_cidr=args.service_cidr,
                                 publish_client=client if args.service_cidr else None,
                                 advertise_address=advertise)
        from kybernetes.cli.components import until_signalled
        task = asyncio.create_task(component.run(), name="dns")
        await until_signalled(task)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await client.close()
    return 0
