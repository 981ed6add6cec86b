# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Checks for networking.k8s.io/v1 (Ingress, IngressClass, NetworkPolicy) and
discovery.k8s.io/v1 EndpointSlice."""
from __future__ import annotations

import ipaddress

from .errors import Cause, index, invalid, join, not_supported, required
from .meta import (is_dns1123_subdomain, is_port_name, is_port_number, validate_cidr,
                   validate_dns1123_label, validate_label_selector)
from .pods import PROTOCOLS

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def _validate_backend(backend: dict | None, path: str) -> list[Cause]:
    if backend is None:
        return []
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if service is None and resource is None:
        return [invalid(path, "", "resource or service backend is required")]
    if resource is not None:
        return [] if resource.get("kind") and resource.get("name") else \
            [required(join(path, "resource.name"))]
    causes: list[Cause] = []
    name = service.get("name", "")
    if not name:
        causes.append(required(join(path, "service.name")))
    else:
        causes.extend(invalid(join(path, "service.name"), name, m)
                      for m in _dns1035(name))
    port = service.get("port") or {}
    has_name, has_number = bool(port.get("name")), port.get("number") is not None
    if has_name and has_number:
        causes.append(invalid(join(path, "service.port"), "", "cannot set both port name & port number"))
    elif has_name:
        causes.extend(invalid(join(path, "service.port.name"), port["name"], m)
                      for m in is_port_name(port["name"]))
    elif has_number:
        causes.extend(invalid(join(path, "service.port.number"), port["number"], m)
                      for m in is_port_number(port["number"]))
    else:
        causes.append(required(join(path, "service.port"), "port name or number is required"))
    return causes


def _dns1035(name: str) -> list[str]:
    from .meta import is_dns1035_label
    return is_dns1035_label(name)


def validate_ingress(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    rules = spec.get("rules") or []
    if spec.get("defaultBackend") is None and not rules:
        causes.append(invalid("spec", "", "either `defaultBackend` or `rules` must be specified"))
    causes.extend(_validate_backend(spec.get("defaultBackend"), "spec.defaultBackend"))
    if spec.get("ingressClassName"):
        causes.extend(invalid("spec.ingressClassName", spec["ingressClassName"], m)
                      for m in is_dns1123_subdomain(spec["ingressClassName"]))
    for i, rule in enumerate(rules):
        rpath = index("spec.rules", i)
        host = rule.get("host", "")
        if host:
            check = host[2:] if host.startswith("*.") else host
            causes.extend(invalid(join(rpath, "host"), host, m) for m in is_dns1123_subdomain(check))
        http = rule.get("http")
        if http is None:
            continue
        paths = http.get("paths") or []
        if not paths:
            causes.append(required(join(rpath, "http.paths")))
        for j, item in enumerate(paths):
            ppath = index(join(rpath, "http.paths"), j)
            path_type = item.get("pathType")
            if not path_type:
                causes.append(required(join(ppath, "pathType"), "pathType must be specified"))
            elif path_type not in PATH_TYPES:
                causes.append(not_supported(join(ppath, "pathType"), path_type, PATH_TYPES))
            value = item.get("path", "")
            if path_type in ("Exact", "Prefix"):
                if not value.startswith("/"):
                    causes.append(invalid(join(ppath, "path"), value, "must be an absolute path"))
                elif "//" in value:
                    causes.append(invalid(join(ppath, "path"), value, "must not contain '//'"))
            elif value and not value.startswith("/"):
                causes.append(invalid(join(ppath, "path"), value, "must be an absolute path"))
            if item.get("backend") is None:
                causes.append(required(join(ppath, "backend")))
            causes.extend(_validate_backend(item.get("backend"), join(ppath, "backend")))
    for i, tls in enumerate(spec.get("tls") or []):
        for j, host in enumerate(tls.get("hosts") or []):
            check = host[2:] if host.startswith("*.") else host
            causes.extend(invalid(index(join(index("spec.tls", i), "hosts"), j), host, m)
                          for m in is_dns1123_subdomain(check))
    return causes


def validate_ingress_class(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    controller = spec.get("controller", "")
    causes: list[Cause] = []
    if not controller:
        causes.append(required("spec.controller"))
    elif "/" not in controller:
        causes.append(invalid("spec.controller", controller,
                              "must be a domain-prefixed path (such as \"acme.io/foo\")"))
    elif len(controller) > 250:
        causes.append({"reason": "FieldValueTooLong", "field": "spec.controller",
                       "message": "Too long: may not be more than 250 bytes"})
    if old is not None and controller != (old.get("spec") or {}).get("controller"):
        causes.append(invalid("spec.controller", controller, "field is immutable"))
    return causes


def _validate_peer_ports(ports, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, port in enumerate(ports or []):
        ppath = index(path, i)
        protocol = port.get("protocol")
        if protocol and protocol not in PROTOCOLS:
            causes.append(not_supported(join(ppath, "protocol"), protocol, PROTOCOLS))
        value = port.get("port")
        if isinstance(value, int):
            causes.extend(invalid(join(ppath, "port"), value, m) for m in is_port_number(value))
        elif isinstance(value, str):
            causes.extend(invalid(join(ppath, "port"), value, m) for m in is_port_name(value))
        end = port.get("endPort")
        if end is not None:
            if isinstance(value, int):
                if end < value:
                    causes.append(invalid(join(ppath, "endPort"), end,
                                          "must be greater than or equal to `port`"))
                causes.extend(invalid(join(ppath, "endPort"), end, m) for m in is_port_number(end))
            elif isinstance(value, str):
                causes.append(invalid(join(ppath, "endPort"), end,
                                      "may not be specified when `port` is non-numeric"))
            else:
                causes.append(invalid(join(ppath, "endPort"), end,
                                      "may not be specified when `port` is not specified"))
    return causes


def _validate_peers(peers, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, peer in enumerate(peers or []):
        ppath = index(path, i)
        count = sum(1 for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None)
        if count == 0:
            causes.append(required(ppath, "must specify a peer"))
        elif peer.get("ipBlock") is not None and count > 1:
            causes.append(forbidden_peer(ppath))
        causes.extend(validate_label_selector(peer.get("podSelector"), join(ppath, "podSelector")))
        causes.extend(validate_label_selector(peer.get("namespaceSelector"),
                                              join(ppath, "namespaceSelector")))
        block = peer.get("ipBlock")
        if block is not None:
            if not block.get("cidr"):
                causes.append(required(join(ppath, "ipBlock.cidr")))
            else:
                causes.extend(_validate_ip_block(block, join(ppath, "ipBlock")))
    return causes


def _validate_ip_block(block: dict, path: str) -> list[Cause]:
    """cidr, then each `except` entry: a valid CIDR strictly inside cidr (upstream's
    ValidateIPBlock)."""
    causes = validate_cidr(join(path, "cidr"), block["cidr"])
    if causes:
        return causes
    network = ipaddress.ip_network(block["cidr"], strict=False)
    for i, text in enumerate(block.get("except") or []):
        epath = index(join(path, "except"), i)
        errors = validate_cidr(epath, text)
        if errors:
            causes.extend(errors)
            continue
        excluded = ipaddress.ip_network(text, strict=False)
        if excluded.version != network.version or excluded.network_address not in network \
                or network.prefixlen >= excluded.prefixlen:
            causes.append(invalid(epath, text, "must be a strict subset of `cidr`"))
    return causes


def forbidden_peer(path: str) -> Cause:
    from .errors import forbidden
    return forbidden(path, "may not specify both ipBlock and another peer")


def validate_network_policy(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for i, rule in enumerate(spec.get("ingress") or []):
        rpath = index("spec.ingress", i)
        causes.extend(_validate_peer_ports(rule.get("ports"), join(rpath, "ports")))
        causes.extend(_validate_peers(rule.get("from"), join(rpath, "from")))
    for i, rule in enumerate(spec.get("egress") or []):
        rpath = index("spec.egress", i)
        causes.extend(_validate_peer_ports(rule.get("ports"), join(rpath, "ports")))
        causes.extend(_validate_peers(rule.get("to"), join(rpath, "to")))
    types = spec.get("policyTypes") or []
    if len(types) > 2:
        causes.append(invalid("spec.policyTypes", types, "may not specify more than two policyTypes"))
        return causes
    for i, ptype in enumerate(types):
        if ptype not in ("Ingress", "Egress"):
            causes.append(not_supported(index("spec.policyTypes", i), ptype, ("Ingress", "Egress")))
    return causes


def validate_endpoint_slice(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    address_type = obj.get("addressType", "")
    if address_type not in ("IPv4", "IPv6", "FQDN"):
        causes.append(not_supported("addressType", address_type, ("FQDN", "IPv4", "IPv6"))
                      if address_type else required("addressType"))
    for i, endpoint in enumerate(obj.get("endpoints") or []):
        addresses = endpoint.get("addresses") or []
        epath = index("endpoints", i)
        if not addresses:
            causes.append(required(join(epath, "addresses"), "must contain at least 1 address"))
        from .meta import validate_ip
        for j, address in enumerate(addresses):
            if address_type in ("IPv4", "IPv6"):
                causes.extend(validate_ip(index(join(epath, "addresses"), j), address))
    for i, port in enumerate(obj.get("ports") or []):
        ppath = index("ports", i)
        if port.get("name"):
            causes.extend(validate_dns1123_label(join(ppath, "name"), port["name"]))
        if port.get("protocol") and port["protocol"] not in PROTOCOLS:
            causes.append(not_supported(join(ppath, "protocol"), port["protocol"], PROTOCOLS))
    if old is not None and address_type != old.get("addressType"):
        causes.append(invalid("addressType", address_type, "field is immutable"))
    return causes


NETWORKING_VALIDATORS = {
    ("networking.k8s.io", "Ingress"): validate_ingress,
    ("networking.k8s.io", "IngressClass"): validate_ingress_class,
    ("networking.k8s.io", "NetworkPolicy"): validate_network_policy,
    ("discovery.k8s.io", "EndpointSlice"): validate_endpoint_slice,
}
