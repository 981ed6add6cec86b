# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the proxy needs from Services and EndpointSlices, as plain values (pure).

One `ServicePort` per (service, port) with the endpoints that serve it, resolved from
the service's slices by port name and protocol as kube-proxy's endpoints tracker does."""
from __future__ import annotations

from dataclasses import dataclass, field

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True)
class Endpoint:
    ip: str
    port: int
    node_name: str = ""
    ready: bool = True
    serving: bool = True
    terminating: bool = False

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass
class ServicePort:
    namespace: str
    name: str
    port_name: str
    protocol: str  # TCP, UDP, SCTP
    port: int
    cluster_ips: list[str] = field(default_factory=list)
    node_port: int = 0
    external_ips: list[str] = field(default_factory=list)
    load_balancer_ips: list[str] = field(default_factory=list)
    session_affinity_seconds: int = 0  # 0: no ClientIP affinity
    external_policy_local: bool = False
    internal_policy_local: bool = False
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def port_name_string(self) -> str:
        """ServicePortName.String(): `ns/name` plus `:port` when the port is named."""
        base = f"{self.namespace}/{self.name}"
        return f"{base}:{self.port_name}" if self.port_name else base

    @property
    def has_external(self) -> bool:
        return bool(self.node_port or self.external_ips or self.load_balancer_ips)


def _ipv4(address: str) -> bool:
    return bool(address) and ":" not in address and address != "None"


def endpoints_for_port(slices: list[dict], port_name: str, protocol: str) -> list[Endpoint]:
    """The IPv4 endpoints of the slices that carry a port of that name and protocol,
    without duplicates (an address may sit in two slices while it moves)."""
    seen: dict[str, Endpoint] = {}
    for item in slices:
        if item.get("addressType", "IPv4") != "IPv4":
            continue
        number = None
        for port in item.get("ports") or []:
            if (port.get("name") or "") == port_name and \
                    (port.get("protocol") or "TCP") == protocol and port.get("port"):
                number = int(port["port"])
        if number is None:
            continue
        for endpoint in item.get("endpoints") or []:
            conditions = endpoint.get("conditions") or {}
            ready = conditions.get("ready") is not False  # nil means ready
            for address in (endpoint.get("addresses") or [])[:1]:
                value = Endpoint(address, number, endpoint.get("nodeName") or "",
                                 ready=ready,
                                 serving=conditions.get("serving", ready) is not False,
                                 terminating=bool(conditions.get("terminating")))
                seen.setdefault(value.address, value)
    return sorted(seen.values(), key=lambda e: (tuple(int(x) for x in e.ip.split(".")), e.port))


def service_ports(service: dict, slices: list[dict]) -> list[ServicePort]:
    """The service's ports as the proxy programs them; nothing for headless or
    ExternalName services, which have no virtual IP."""
    meta = service.get("metadata") or {}
    spec = service.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    cluster_ips = [ip for ip in (spec.get("clusterIPs") or [spec.get("clusterIP", "")]) if _ipv4(ip)]
    if kind == "ExternalName" or not cluster_ips:
        return []
    affinity = 0
    if spec.get("sessionAffinity") == "ClientIP":
        config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        affinity = int(config.get("timeoutSeconds") or 10800)
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    lb_ips = [item["ip"] for item in ingress if _ipv4(item.get("ip", ""))] \
        if kind == "LoadBalancer" else []
    external_local = spec.get("externalTrafficPolicy") == "Local" and kind in ("NodePort", "LoadBalancer")
    out = []
    for port in spec.get("ports") or []:
        protocol = port.get("protocol") or "TCP"
        name = port.get("name") or ""
        out.append(ServicePort(
            namespace=meta.get("namespace", "default"), name=meta["name"], port_name=name,
            protocol=protocol, port=int(port["port"]), cluster_ips=cluster_ips,
            node_port=int(port.get("nodePort") or 0) if kind in ("NodePort", "LoadBalancer") else 0,
            external_ips=[ip for ip in spec.get("externalIPs") or [] if _ipv4(ip)],
            load_balancer_ips=lb_ips, session_affinity_seconds=affinity,
            external_policy_local=external_local,
            internal_policy_local=spec.get("internalTrafficPolicy") == "Local",
            endpoints=endpoints_for_port(slices, name, protocol)))
    return out


def build_service_ports(services: list[dict], slices: list[dict]) -> list[ServicePort]:
    """Every service's ports, with slices matched to services by the service-name label."""
    by_service: dict[tuple[str, str], list[dict]] = {}
    for item in slices:
        meta = item.get("metadata") or {}
        owner = (meta.get("labels") or {}).get(SERVICE_NAME_LABEL)
        if owner:
            by_service.setdefault((meta.get("namespace", ""), owner), []).append(item)
    out: list[ServicePort] = []
    for service in services:
        meta = service.get("metadata") or {}
        out.extend(service_ports(service, by_service.get((meta.get("namespace", ""), meta["name"]), [])))
    return sorted(out, key=lambda p: (p.namespace, p.name, p.port_name, p.protocol))
