# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ClusterIP and NodePort allocation for Services.

The allocated sets are rebuilt from the stored Services at start-up and kept in memory;
the API server is the only writer of Services, so no separate store record is needed.
"""
from __future__ import annotations

import ipaddress
import random


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
