# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ClusterIP and NodePort allocation for Services.

IPAllocator and PortAllocator are the pure in-memory sets. Several API servers share one
store, so the set each hands out from must be the cluster's, not the process's: as
upstream's RangeAllocation does, SharedRange keeps the set as a bitmap under
`/registry/ranges/serviceips` and `/registry/ranges/servicenodeports` and changes it with
compare-and-swap, reloading and retrying when another server wrote in between.
"""
from __future__ import annotations

import asyncio
import base64
import ipaddress
import random
import re
import time
from typing import Iterable

import orjson

from kybernetes.storage.interface import KeyExistsError, RevisionMismatchError, Store

SERVICE_IPS_KEY = "/registry/ranges/serviceips"
NODE_PORTS_KEY = "/registry/ranges/servicenodeports"
_NONZERO_BYTE = re.compile(rb"[^\x00]")


class AllocationError(Exception):
    pass


class IPAllocator:
    def __init__(self, cidr: str) -> None:
        self.network = ipaddress.ip_network(cidr, strict=False)
        self.used: set[ipaddress._BaseAddress] = set()
        # the network address is never handed out; the broadcast neither (IPv4)
        self._first = int(self.network.network_address) + 1
        self._last = int(self.network.broadcast_address) - 1
        self._next = self._first

    @property
    def first_ip(self) -> str:
        return str(ipaddress.ip_address(self._first))

    def dns_ip(self) -> str:
        """The `.10` of the range: the cluster DNS Service address by convention."""
        return str(ipaddress.ip_address(self._first + 9))

    def contains(self, ip: str) -> bool:
        try:
            return ipaddress.ip_address(ip) in self.network
        except ValueError:
            return False

    def allocate(self, ip: str | None = None) -> str:
        if ip:
            address = ipaddress.ip_address(ip)
            if address not in self.network or not self._first <= int(address) <= self._last:
                raise AllocationError(
                    f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. "
                    f"The range of valid IPs is {self.network}")
            if address in self.used:
                raise AllocationError(f"failed to allocate IP {ip}: provided IP is already allocated")
            self.used.add(address)
            return ip
        size = self._last - self._first + 1
        if len(self.used) >= size:
            raise AllocationError("range is full")
        # Upstream prefers the upper part of the range for dynamic allocation so that
        # static addresses (the DNS .10) in the lower part stay free.
        lower_band = min(max(16, size // 16), 256)
        candidates = (self._first + lower_band, self._last)
        for _ in range(64):
            address = ipaddress.ip_address(random.randint(*candidates))
            if address not in self.used:
                self.used.add(address)
                return str(address)
        for value in range(self._first + lower_band, self._last + 1):
            address = ipaddress.ip_address(value)
            if address not in self.used:
                self.used.add(address)
                return str(address)
        for value in range(self._first, self._first + lower_band):
            address = ipaddress.ip_address(value)
            if address not in self.used:
                self.used.add(address)
                return str(address)
        raise AllocationError("range is full")

    def release(self, ip: str) -> None:
        try:
            self.used.discard(ipaddress.ip_address(ip))
        except ValueError:
            pass

    @property
    def range_text(self) -> str:
        return str(self.network)

    def offsets(self) -> list[int]:
        """The allocated addresses as offsets from the network address (bitmap bits)."""
        base = int(self.network.network_address)
        return [int(address) - base for address in self.used]

    def restore(self, offsets: Iterable[int]) -> None:
        base = int(self.network.network_address)
        self.used = {ipaddress.ip_address(base + offset) for offset in offsets}


class PortAllocator:
    def __init__(self, port_range: str = "30000-32767") -> None:
        low, _, high = port_range.partition("-")
        self.low, self.high = int(low), int(high or low)
        self.used: set[int] = set()

    @property
    def range_text(self) -> str:
        return f"{self.low}-{self.high}"

    def allocate(self, port: int | None = None) -> int:
        if port:
            if not self.low <= port <= self.high:
                raise AllocationError(
                    f"provided port is not in the valid range. The range of valid ports is {self.range_text}")
            if port in self.used:
                raise AllocationError("provided port is already allocated")
            self.used.add(port)
            return port
        free = self.high - self.low + 1 - len(self.used)
        if free <= 0:
            raise AllocationError("range is full")
        for _ in range(64):
            candidate = random.randint(self.low, self.high)
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        for candidate in range(self.low, self.high + 1):
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        raise AllocationError("range is full")

    def release(self, port: int) -> None:
        self.used.discard(port)

    def contains(self, port: int) -> bool:
        return self.low <= port <= self.high

    def offsets(self) -> list[int]:
        return [port - self.low for port in self.used]

    def restore(self, offsets: Iterable[int]) -> None:
        self.used = {self.low + offset for offset in offsets}


def encode_bitmap(offsets: Iterable[int]) -> bytes:
    """Bit n set for offset n, as a big-endian integer's bytes (upstream's bitmap).
    Built byte by byte: a /12 range is a million bits, too many for bigint arithmetic
    per bit on every allocation."""
    offsets = list(offsets)
    if not offsets:
        return b""
    size = max(offsets) // 8 + 1
    buffer = bytearray(size)
    for offset in offsets:
        buffer[size - 1 - offset // 8] |= 1 << (offset % 8)
    return bytes(buffer)


def decode_bitmap(data: bytes) -> list[int]:
    out = []
    last = len(data) - 1
    for match in _NONZERO_BYTE.finditer(data):  # skips the zero bytes at C speed
        index = match.start()
        byte = data[index]
        base = 8 * (last - index)
        out.extend(base + bit for bit in range(8) if byte >> bit & 1)
    out.sort()
    return out


def range_allocation(range_text: str, offsets: Iterable[int]) -> bytes:
    """The stored RangeAllocation object."""
    return orjson.dumps({
        "kind": "RangeAllocation", "apiVersion": "v1",
        "metadata": {"creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "range": range_text, "data": base64.b64encode(encode_bitmap(offsets)).decode()})


def range_offsets(value: bytes) -> tuple[str, list[int]]:
    stored = orjson.loads(value)
    return stored.get("range", ""), decode_bitmap(base64.b64decode(stored.get("data") or ""))


class SharedRange:
    """An allocator whose set lives in the store, shared by every API server on it.

    Each change reads the stored bitmap, applies the change to the in-memory allocator
    and writes it back only if nobody wrote since (compare-and-swap on the key's
    revision); a lost race reloads and tries again, so two servers never hand out the
    same value. A value the store does not take is never handed out."""

    RETRIES = 50

    def __init__(self, allocator: IPAllocator | PortAllocator, store: Store, key: str) -> None:
        self.allocator = allocator
        self.store = store
        self.key = key
        self._lock = asyncio.Lock()

    def contains(self, value) -> bool:
        return self.allocator.contains(value)

    async def _change(self, mutate):
        async with self._lock:
            for _ in range(self.RETRIES):
                current = await self.store.get(self.key)
                if current is not None:
                    range_text, offsets = range_offsets(current.value)
                    if range_text and range_text != self.allocator.range_text:
                        raise AllocationError(
                            f"the stored range {range_text} differs from this server's "
                            f"{self.allocator.range_text}; every API server must use the same range")
                    self.allocator.restore(offsets)
                else:
                    self.allocator.restore([])
                before = set(self.allocator.offsets())
                result = mutate()
                after = self.allocator.offsets()
                if current is not None and set(after) == before:
                    return result
                value = range_allocation(self.allocator.range_text, after)
                try:
                    if current is None:
                        await self.store.create(self.key, value)
                    else:
                        await self.store.update(self.key, value, current.mod_revision)
                    return result
                except (KeyExistsError, RevisionMismatchError):
                    await asyncio.sleep(random.uniform(0, 0.01))  # another server won: reload
            raise AllocationError(f"could not update {self.key}: too many concurrent changes")

    async def allocate(self, value=None):
        return await self._change(lambda: self.allocator.allocate(value))

    async def release(self, value) -> None:
        await self._change(lambda: self.allocator.release(value))

    async def ensure_allocated(self, values: Iterable) -> None:
        """Mark values stored objects already hold (start-up: Services written before
        this range was stored, or by a server that died before recording them)."""
        wanted = [v for v in values if self.allocator.contains(v)]

        def mark() -> None:
            for v in wanted:
                try:
                    self.allocator.allocate(v)
                except AllocationError:
                    pass  # already marked
        await self._change(mark)


def service_ips(service: dict) -> list[str]:
    spec = service.get("spec") or {}
    ips = list(spec.get("clusterIPs") or [])
    if not ips and spec.get("clusterIP"):
        ips = [spec["clusterIP"]]
    return [ip for ip in ips if ip and ip != "None"]


def service_node_ports(service: dict) -> list[int]:
    spec = service.get("spec") or {}
    ports = [p.get("nodePort") for p in spec.get("ports") or []]
    if spec.get("healthCheckNodePort"):
        ports.append(spec["healthCheckNodePort"])
    return [p for p in ports if p]


def needs_node_ports(service: dict) -> bool:
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind == "NodePort":
        return True
    return kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)
