# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Picking the address a Service-referenced webhook is dialled at: the Service port
named by the webhook's port, then a ready endpoint serving that port name, from the
Service's EndpointSlices (label kubernetes.io/service-name), else its Endpoints object.
Pure; the caller looks the objects up (upstream's ResolveEndpoint, which
--enable-aggregator-routing uses for webhooks too)."""
from __future__ import annotations

import random
from typing import Mapping


class Unresolvable(Exception):
    """No address: the text is what upstream reports."""


def service_port_name(service: Mapping | None, name: str, port: int) -> str:
    if service is None:
        raise Unresolvable(f'service "{name}" not found')
    spec = service.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    if kind not in ("ClusterIP", "NodePort", "LoadBalancer"):
        raise Unresolvable(f'unsupported service type "{kind}"')
    for entry in spec.get("ports") or []:
        if entry.get("port") == port:
            return entry.get("name") or ""
    raise Unresolvable(f'no service port {port} found for service "{name}"')


def _ready(endpoint: Mapping) -> bool:
    conditions = endpoint.get("conditions") or {}
    return conditions.get("ready") is not False  # unset means ready


def addresses_from_slices(slices: list[Mapping], port_name: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for endpoint_slice in slices:
        if endpoint_slice.get("addressType", "IPv4") not in ("IPv4", "IPv6"):
            continue
        ports = [p for p in endpoint_slice.get("ports") or [] if (p.get("name") or "") == port_name
                 and (p.get("protocol") or "TCP") == "TCP" and p.get("port")]
        for port in ports:
            for endpoint in endpoint_slice.get("endpoints") or []:
                if _ready(endpoint):
                    found.extend((address, int(port["port"])) for address in
                                 endpoint.get("addresses") or [])
    return found


def addresses_from_endpoints(endpoints: Mapping | None, port_name: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for subset in (endpoints or {}).get("subsets") or []:
        for port in subset.get("ports") or []:
            if (port.get("name") or "") == port_name and port.get("port"):
                found.extend((address.get("ip"), int(port["port"]))
                             for address in subset.get("addresses") or [] if address.get("ip"))
    return found


def pick(addresses: list[tuple[str, int]], name: str) -> tuple[str, int]:
    if not addresses:
        raise Unresolvable(f'no endpoints available for service "{name}"')
    return random.choice(addresses)
