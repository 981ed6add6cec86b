# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The cluster as DNS sees it: services, their endpoints (from EndpointSlices) and
namespaces, indexed for lookups by name and by IP. Built from plain API objects, so the
answer function is tested on hand-made dicts without a server."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Iterable

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True)
class ServicePort:
    name: str
    protocol: str  # TCP, UDP, SCTP
    port: int


@dataclass
class ServiceInfo:
    namespace: str
    name: str
    type: str
    cluster_ips: list[str]
    external_name: str
    ports: list[ServicePort]
    publish_not_ready: bool

    @property
    def headless(self) -> bool:
        return self.type != "ExternalName" and (not self.cluster_ips or self.cluster_ips[0] == "None")


@dataclass
class EndpointInfo:
    address: str
    hostname: str  # the endpoint's hostname, or "" (then the dashed address names it)
    ready: bool
    ports: list[ServicePort] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The first label of this endpoint's DNS name, as CoreDNS names endpoints."""
        return self.hostname or self.address.replace(".", "-").replace(":", "-")


def _service_info(svc: dict) -> ServiceInfo:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    ports = [ServicePort((p.get("name") or "").lower(), p.get("protocol") or "TCP", int(p.get("port") or 0))
             for p in spec.get("ports") or []]
    return ServiceInfo(meta.get("namespace") or "default", meta.get("name", ""),
                       spec.get("type") or "ClusterIP", [ip for ip in ips if ip],
                       (spec.get("externalName") or "").rstrip(".").lower(), ports,
                       bool(spec.get("publishNotReadyAddresses")))


class ClusterView:
    """An immutable snapshot: `services[(ns, name)]`, `endpoints[(ns, service)]`,
    `namespaces`, and `reverse[ip]` (names, relative to the cluster domain, that own it)."""

    def __init__(self, services: Iterable[dict] = (), endpoint_slices: Iterable[dict] = (),
                 namespaces: Iterable[str] = (), serial: int = 0) -> None:
        self.serial = serial
        self.services: dict[tuple[str, str], ServiceInfo] = {}
        for svc in services:
            info = _service_info(svc)
            self.services[(info.namespace, info.name)] = info
        self.namespaces = set(namespaces) | {ns for ns, _ in self.services}
        self.endpoints: dict[tuple[str, str], list[EndpointInfo]] = {}
        for endpoint_slice in endpoint_slices:
            self._add_slice(endpoint_slice)
        self.reverse: dict[str, list[str]] = {}
        for (ns, name), info in self.services.items():
            if not info.headless:
                for ip in info.cluster_ips:
                    self._add_reverse(ip, f"{name}.{ns}.svc")
        for (ns, name), endpoints in self.endpoints.items():
            if (ns, name) in self.services:
                for endpoint in endpoints:
                    self._add_reverse(endpoint.address, f"{endpoint.label}.{name}.{ns}.svc")

    def _add_slice(self, endpoint_slice: dict) -> None:
        meta = endpoint_slice.get("metadata") or {}
        service = (meta.get("labels") or {}).get(SERVICE_NAME_LABEL)
        if not service or endpoint_slice.get("addressType") not in ("IPv4", "IPv6"):
            return  # FQDN slices are deprecated and CoreDNS ignores them too
        ports = [ServicePort((p.get("name") or "").lower(), p.get("protocol") or "TCP", int(p["port"]))
                 for p in endpoint_slice.get("ports") or [] if p.get("port") is not None]
        bucket = self.endpoints.setdefault((meta.get("namespace") or "default", service), [])
        seen = {e.address: e for e in bucket}
        for endpoint in endpoint_slice.get("endpoints") or []:
            ready = (endpoint.get("conditions") or {}).get("ready") is not False
            for address in endpoint.get("addresses") or []:
                existing = seen.get(address)
                if existing is not None:  # the same address in two slices: merge ports
                    existing.ports.extend(p for p in ports if p not in existing.ports)
                    existing.ready = existing.ready or ready
                    continue
                info = EndpointInfo(address, (endpoint.get("hostname") or "").lower(), ready, list(ports))
                bucket.append(info)
                seen[address] = info

    def _add_reverse(self, ip: str, name: str) -> None:
        try:
            key = str(ipaddress.ip_address(ip))
        except ValueError:
            return
        names = self.reverse.setdefault(key, [])
        if name not in names:
            names.append(name)

    def serving_endpoints(self, service: ServiceInfo) -> list[EndpointInfo]:
        """The endpoints a headless service's names resolve to: ready ones, or all of them
        when the service publishes not-ready addresses."""
        endpoints = self.endpoints.get((service.namespace, service.name), [])
        return [e for e in endpoints if e.ready or service.publish_not_ready]
