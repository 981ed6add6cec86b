# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""host-gw routing, as flannel's host-gw backend and kube-router do it: every node
routes each other node's podCIDR via that node's InternalIP, so pods talk across nodes
by their own addresses with no encapsulation and no NAT. Nodes must share a link
(a gateway that is not on-link is refused by the kernel and logged).

The decision is pure (`desired_routes`, `parse_routes`, `route_changes`); `HostGateway`
watches Nodes and applies it with `ip route replace/del` in the namespace it runs in.
Our routes carry their own routing protocol number, so a restarted node finds the ones
it made (and removes those of deleted nodes) without touching anybody else's."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import shutil
import subprocess

from kybernetes.client.informer import InformerFactory
from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.hostgw")

NODES = resource("nodes")
# rtnetlink protocol id for our routes (ip route ... proto 200); any unassigned value
# works, this one is unused by iproute2's rt_protos and the usual routing daemons.
ROUTE_PROTOCOL = "200"
RESYNC_SECONDS = 30.0


def node_internal_ip(node: dict) -> str:
    """The node's first IPv4 InternalIP, or ''."""
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP" and ":" not in address.get("address", ":"):
            return address["address"]
    return ""


def node_pod_cidrs(node: dict) -> list[str]:
    """The node's IPv4 pod CIDRs (spec.podCIDRs, else spec.podCIDR), normalised."""
    spec = node.get("spec") or {}
    cidrs = spec.get("podCIDRs") or ([spec["podCIDR"]] if spec.get("podCIDR") else [])
    out = []
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if network.version == 4:
            out.append(str(network))
    return out


def desired_routes(nodes: list[dict], own_node: str) -> dict[str, str]:
    """podCIDR -> gateway (the owning node's InternalIP) for every node but this one."""
    own = next((n for n in nodes if n["metadata"]["name"] == own_node), None)
    own_ip = node_internal_ip(own) if own is not None else ""
    own_cidrs = set(node_pod_cidrs(own)) if own is not None else set()
    routes: dict[str, str] = {}
    for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        if node["metadata"]["name"] == own_node:
            continue
        gateway = node_internal_ip(node)
        if not gateway or gateway == own_ip:  # no address yet, or the same host
            continue
        for cidr in node_pod_cidrs(node):
            if cidr not in own_cidrs:
                routes.setdefault(cidr, gateway)
    return routes


def parse_routes(text: str) -> dict[str, str]:
    """destination -> gateway from `ip -4 route show proto N` (one route a line)."""
    routes: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 3 and "via" in words:
            destination = words[0]
            if "/" not in destination:
                destination += "/32"
            routes[destination] = words[words.index("via") + 1]
    return routes


def foreign_destinations(text: str) -> set[str]:
    """Destinations of routes not ours, from `ip -4 route show`: a pod CIDR some other
    route already covers exactly (a local bridge's, another cluster's) is left alone."""
    found = set()
    for line in text.splitlines():
        words = line.split()
        if not words or words[0] == "default":
            continue
        protocol = words[words.index("proto") + 1] if "proto" in words[:-1] else ""
        if protocol != ROUTE_PROTOCOL:
            found.add(words[0] if "/" in words[0] else words[0] + "/32")
    return found


def route_changes(current: dict[str, str],
                  desired: dict[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(routes to add or change as (cidr, gateway), destinations to delete)."""
    replace = [(cidr, gw) for cidr, gw in sorted(desired.items()) if current.get(cidr) != gw]
    delete = sorted(cidr for cidr in current if cidr not in desired)
    return replace, delete


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


class HostGateway:
    """Keeps this node's routes to the other nodes' pod CIDRs in step with the Nodes."""

    def __init__(self, client: Client, node_name: str) -> None:
        self.node_name = node_name
        self.informers = InformerFactory(client)
        self.nodes = self.informers.informer(NODES)
        self.changed = asyncio.Event()
        self.nodes.add_handler(lambda *_: self.changed.set())
        self._failing: set[tuple[str, str]] = set()  # logged once until they succeed

    def sync_once(self) -> None:
        desired = desired_routes(self.nodes.list(), self.node_name)
        shown = _ip("-4", "route", "show", "proto", ROUTE_PROTOCOL)
        replace, delete = route_changes(parse_routes(shown.stdout), desired)
        foreign = foreign_destinations(_ip("-4", "route", "show").stdout)
        for cidr in delete:
            result = _ip("route", "del", cidr, "proto", ROUTE_PROTOCOL)
            if result.returncode == 0:
                log.info("removed route to %s (its node is gone)", cidr)
        for cidr, gateway in replace:
            if cidr in foreign:  # `replace` would take over e.g. a bridge's connected route
                if (cidr, "foreign") not in self._failing:
                    self._failing.add((cidr, "foreign"))
                    log.warning("not routing %s via %s: another route for it exists here",
                                cidr, gateway)
                continue
            result = _ip("route", "replace", cidr, "via", gateway, "proto", ROUTE_PROTOCOL)
            if result.returncode != 0:
                if (cidr, gateway) not in self._failing:
                    self._failing.add((cidr, gateway))
                    log.warning("cannot route %s via %s (host-gw needs the nodes on one link): %s",
                                cidr, gateway, result.stderr.strip())
                continue
            self._failing.discard((cidr, gateway))
            log.info("routing pod network %s via node %s", cidr, gateway)

    async def run(self) -> None:
        self.informers.start()
        try:
            await self.informers.wait_synced()
            log.info("host-gw routes for node %s", self.node_name)
            while True:
                self.changed.clear()
                await asyncio.to_thread(self.sync_once)
                try:
                    await asyncio.wait_for(self.changed.wait(), RESYNC_SECONDS)
                except asyncio.TimeoutError:
                    pass
                await asyncio.sleep(0.2)  # a burst of node updates makes one pass
        finally:
            await self.informers.stop()


def available() -> bool:
    return bool(shutil.which("ip"))
