# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Table printers for services and networking: Service, Endpoints, EndpointSlice,
Ingress, IngressClass, NetworkPolicy."""
from __future__ import annotations

from datetime import datetime

from .columns import age_column, column, name_column, printer, wide
from .formatting import (NONE, age, dig, format_label_selector, format_labels, join_host_port,
                         list_with_more, name_of)


def _load_balancer_addresses(status: dict | None) -> str:
    """IPs (else hostnames) of the load balancer, sorted and de-duplicated. The server
    prints the wide form, so the list is never clipped."""
    addresses = set()
    for ingress in (status or {}).get("ingress") or []:
        if ingress.get("ip"):
            addresses.add(ingress["ip"])
        elif ingress.get("hostname"):
            addresses.add(ingress["hostname"])
    return ",".join(sorted(addresses))


def service_external_ip(service: dict) -> str:
    spec = service.get("spec") or {}
    service_type = spec.get("type") or "ClusterIP"
    external_ips = spec.get("externalIPs") or []
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else NONE
    if service_type == "LoadBalancer":
        balancer = _load_balancer_addresses(dig(service, "status", "loadBalancer"))
        if external_ips:
            return ",".join(([*balancer.split(",")] if balancer else []) + external_ips)
        return balancer or "<pending>"
    if service_type == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict] | None) -> str:
    """`80/TCP`, or `80:30080/TCP` when a node port is allocated, comma separated."""
    pieces = []
    for port in ports or []:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port', 0)}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port', 0)}/{protocol}")
    return ",".join(pieces)


@printer("", "Service", [
    name_column(),
    column("Type", description="How the service is exposed."),
    column("Cluster-IP", description="The IP address of the service inside the cluster."),
    column("External-IP", description="Addresses the service answers on outside the cluster."),
    column("Port(s)", description="The ports the service exposes."),
    age_column(),
    wide("Selector", "Labels of the pods traffic is routed to."),
])
def service_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or []
    cluster_ip = (cluster_ips[0] if cluster_ips else spec.get("clusterIP")) or NONE
    return [name_of(obj), spec.get("type") or "ClusterIP", cluster_ip, service_external_ip(obj),
            service_ports(spec.get("ports")) or NONE, age(obj, now),
            format_labels(spec.get("selector"))]


def format_endpoints(subsets: list[dict] | None) -> str:
    """Up to three address:port pairs of an Endpoints object, then `+ N more...`."""
    if not subsets:
        return NONE
    shown: list[str] = []
    count = 0
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            # headless services without ports list bare addresses
            count += len(addresses)
            shown.extend(a.get("ip", "") for a in addresses)
            continue
        for port in ports:
            count += len(addresses)
            shown.extend(join_host_port(a.get("ip", ""), port.get("port", 0)) for a in addresses)
    limit = 3
    text = ",".join(shown[:limit])
    if len(shown) > limit:
        return f"{text} + {count - limit} more..."
    return text


@printer("", "Endpoints", [
    name_column(),
    column("Endpoints", description="The addresses and ports of the service's backends."),
    age_column(),
])
def endpoints_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), format_endpoints(obj.get("subsets")), age(obj, now)]


@printer("discovery.k8s.io", "EndpointSlice", [
    name_column(),
    column("AddressType", description="The type of address the slice carries."),
    column("Ports", description="The ports of the endpoints."),
    column("Endpoints", description="The addresses of the endpoints."),
    age_column(),
])
def endpoint_slice_cells(obj: dict, now: datetime) -> list:
    ports = []
    for port in obj.get("ports") or []:
        if port.get("port") is not None:
            ports.append(str(port["port"]))
        elif port.get("name") is not None:
            ports.append(port["name"])
        else:
            ports.append("*")
    addresses = [address for endpoint in obj.get("endpoints") or []
                 for address in endpoint.get("addresses") or []]
    return [name_of(obj), obj.get("addressType", ""), list_with_more(ports, len(ports), 3),
            list_with_more(addresses, len(addresses), 3), age(obj, now)]


def _ingress_hosts(rules: list[dict] | None) -> str:
    rules = rules or []
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    text = ",".join(hosts)
    if more:
        return f"{text} + {len(rules) - 3} more..."
    return text


@printer("networking.k8s.io", "Ingress", [
    name_column(),
    column("Class", description="The IngressClass that handles this ingress."),
    column("Hosts", description="Hosts that incoming requests are matched against."),
    column("Address", description="Where the load balancer receives traffic."),
    column("Ports", description="Ports the ingress opens."),
    age_column(),
])
def ingress_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    return [name_of(obj), spec.get("ingressClassName") or NONE, _ingress_hosts(spec.get("rules")),
            _load_balancer_addresses(dig(obj, "status", "loadBalancer")),
            "80, 443" if spec.get("tls") else "80", age(obj, now)]


@printer("networking.k8s.io", "IngressClass", [
    name_column(),
    column("Controller", description="Controller that is responsible for handling this class"),
    column("Parameters", description="A reference to a resource with additional parameters"),
    age_column(),
])
def ingress_class_cells(obj: dict, now: datetime) -> list:
    parameters = dig(obj, "spec", "parameters")
    parameters_cell = NONE
    if parameters is not None:
        parameters_cell = parameters.get("kind", "")
        if parameters.get("apiGroup") is not None:
            parameters_cell += "." + parameters["apiGroup"]
        parameters_cell += "/" + parameters.get("name", "")
    return [name_of(obj), dig(obj, "spec", "controller", default=""), parameters_cell,
            age(obj, now)]


@printer("networking.k8s.io", "NetworkPolicy", [
    name_column(),
    column("Pod-Selector", description="The pods the policy applies to."),
    age_column(),
])
def network_policy_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), format_label_selector(dig(obj, "spec", "podSelector")), age(obj, now)]
