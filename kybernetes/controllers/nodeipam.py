# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node IPAM (upstream's range allocator): every Node gets `spec.podCIDR` and
`spec.podCIDRs`, one subnet of `--cluster-cidr` of size `--node-cidr-mask-size`, never
two nodes the same. The set of used subnets is rebuilt from the nodes at start and a
subnet is freed when its node is deleted."""
from __future__ import annotations

import ipaddress

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

NODES = resource("nodes")


class CIDRsExhausted(Exception):
    pass


class CIDRSet:
    """The subnets of one cluster CIDR; hands them out in turn, wrapping around, so a
    freed subnet is not reused at once (as upstream's cidrset does)."""

    def __init__(self, cluster_cidr: str, mask_size: int) -> None:
        self.network = ipaddress.ip_network(cluster_cidr, strict=False)
        if mask_size < self.network.prefixlen or mask_size > self.network.max_prefixlen:
            raise ValueError(f"node CIDR mask size {mask_size} does not fit in {cluster_cidr}")
        self.mask_size = mask_size
        self.size = 1 << (mask_size - self.network.prefixlen)
        self.step = 1 << (self.network.max_prefixlen - mask_size)
        self.used: set[int] = set()
        self.next_candidate = 0

    def subnet(self, index: int) -> str:
        address = self.network.network_address + index * self.step
        return f"{address}/{self.mask_size}"

    def index_of(self, cidr: str) -> int | None:
        """The index of `cidr` in this set, or None when it is not one of its subnets."""
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return None
        if net.version != self.network.version or net.prefixlen != self.mask_size or \
                not net.subnet_of(self.network):
            return None
        return (int(net.network_address) - int(self.network.network_address)) // self.step

    def allocate(self) -> str:
        for offset in range(self.size):
            index = (self.next_candidate + offset) % self.size
            if index not in self.used:
                self.used.add(index)
                self.next_candidate = (index + 1) % self.size
                return self.subnet(index)
        raise CIDRsExhausted(f"no free /{self.mask_size} subnet left in {self.network}")

    def occupy(self, cidr: str) -> bool:
        index = self.index_of(cidr)
        if index is None:
            return False
        self.used.add(index)
        return True

    def release(self, cidr: str) -> None:
        index = self.index_of(cidr)
        if index is not None:
            self.used.discard(index)


def node_pod_cidrs(node: dict) -> list[str]:
    spec = node.get("spec") or {}
    return list(spec.get("podCIDRs") or ([spec["podCIDR"]] if spec.get("podCIDR") else []))


def pod_cidr_patch(cidr: str) -> dict:
    return {"spec": {"podCIDR": cidr, "podCIDRs": [cidr]}}


class NodeIpamController(Controller):
    name = "nodeipam"
    workers = 1  # one allocator: serial allocation keeps it free of races

    def setup(self) -> None:
        self.cidrs = CIDRSet(self.options.cluster_cidr, self.options.node_cidr_mask_size)
        self.pending: dict[str, str] = {}  # node name -> subnet allocated, not yet seen stored
        self.nodes = self.informer(NODES)
        if not self.options.allocate_node_cidrs:
            return
        self.nodes.add_handler(self._on_node)

    def _on_node(self, kind: str, old: dict | None, new: dict | None) -> None:
        if kind == "DELETED" and old is not None:
            for cidr in node_pod_cidrs(old):
                self.cidrs.release(cidr)
            pending = self.pending.pop(old["metadata"]["name"], None)
            if pending:
                self.cidrs.release(pending)
            return
        if new is not None:
            self.queue.add(new["metadata"]["name"])

    async def run(self) -> None:
        if not self.options.allocate_node_cidrs:
            return
        for node in self.nodes.list():  # rebuild before anything is handed out
            for cidr in node_pod_cidrs(node):
                self.cidrs.occupy(cidr)
        await super().run()

    async def reconcile(self, key: str) -> None:
        node = self.nodes.get(key)
        if node is None:
            return
        stored = node_pod_cidrs(node)
        if stored:
            for cidr in stored:
                self.cidrs.occupy(cidr)
            pending = self.pending.pop(key, None)
            if pending and pending not in stored:
                self.cidrs.release(pending)
            return
        cidr = self.pending.get(key)
        if cidr is None:
            try:
                cidr = self.cidrs.allocate()
            except CIDRsExhausted:
                self.recorder.event(node, "Normal", "CIDRNotAvailable",
                                    f"Node {key} status is now: CIDRNotAvailable")
                return
            self.pending[key] = cidr
        try:
            await self.client.patch(NODES, key, pod_cidr_patch(cidr))
        except ApiError as exc:
            if exc.code == 404:
                self.pending.pop(key, None)
                self.cidrs.release(cidr)
                return
            raise


CONTROLLERS = [NodeIpamController]
