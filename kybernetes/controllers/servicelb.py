# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The built-in service load balancer (k3s's servicelb role): a LoadBalancer Service gets
the nodes' InternalIPs (or the addresses of `--servicelb-pool`, options.extra
"servicelb_pool") in status.loadBalancer.ingress; kube-proxy then serves those IPs."""
from __future__ import annotations

from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

SERVICES = resource("services")
NODES = resource("nodes")


def node_addresses(nodes: list[dict]) -> list[str]:
    """Ready nodes' InternalIPs (IPv4), sorted and without duplicates."""
    out = set()
    for node in nodes:
        status = node.get("status") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in status.get("conditions") or [])
        for address in status.get("addresses") or []:
            if ready and address.get("type") == "InternalIP" and ":" not in address.get("address", ""):
                out.add(address["address"])
    return sorted(out)


def desired_ingress(service: dict, addresses: list[str]) -> list[dict] | None:
    """The ingress list a LoadBalancer service should show; None for other services
    and for ones another load balancer class owns."""
    spec = service.get("spec") or {}
    if spec.get("type") != "LoadBalancer" or spec.get("loadBalancerClass"):
        return None
    wanted = [spec["loadBalancerIP"]] if spec.get("loadBalancerIP") else addresses
    return [{"ip": ip} for ip in wanted]


class ServiceLBController(Controller):
    name = "servicelb"
    workers = 1

    def setup(self) -> None:
        self.services = self.informer(SERVICES)
        self.nodes = self.informer(NODES)
        self.enqueue_on_change(self.services)
        self.enqueue_on_change(self.nodes, lambda _: [
            key for key, s in self.services.store.items()
            if (s.get("spec") or {}).get("type") == "LoadBalancer"])

    async def reconcile(self, key: str) -> None:
        service = self.services.get(key)
        if service is None:
            return
        pool = [ip for ip in str(self.options.extra.get("servicelb_pool", "")).split(",") if ip]
        wanted = desired_ingress(service, pool or node_addresses(self.nodes.list()))
        if wanted is None:
            return
        current = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if [i.get("ip") for i in current] == [i["ip"] for i in wanted]:
            return
        await self.client.patch(SERVICES, service["metadata"]["name"],
                                {"status": {"loadBalancer": {"ingress": wanted}}},
                                service["metadata"]["namespace"], subresource="status")


CONTROLLERS = [ServiceLBController]
