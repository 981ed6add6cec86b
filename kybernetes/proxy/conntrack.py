# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Stale UDP conntrack entries, as kube-proxy clears them after a sync.

UDP has no connection to end: a client that keeps sending to a Service IP keeps using
the conntrack entry (and so the DNAT to one endpoint) made by its first packet. So
when an endpoint goes away, its entries are deleted (the next packet is NATed afresh),
and when a UDP service that had no endpoints gets one, the entries for its IP made
meanwhile (not NATed at all) are deleted too. `stale_flow_filters` decides (pure);
`ConntrackCleaner` runs `conntrack -D` with each filter."""
from __future__ import annotations

import logging
import shutil
import subprocess

from kybernetes.proxy.model import ServicePort
from kybernetes.proxy.rules import usable

log = logging.getLogger("kybernetes.proxy")

UDP = "UDP"


def _service_ips(port: ServicePort) -> list[str]:
    return [*port.cluster_ips, *port.external_ips, *port.load_balancer_ips]


def _udp(ports: list[ServicePort]) -> list[ServicePort]:
    return [p for p in ports if p.protocol == UDP]


def _nat_pairs(ports: list[ServicePort]) -> tuple[set[tuple[str, str]], set[tuple[int, str]]]:
    """((service IP, endpoint IP), (node port, endpoint IP)) the rules DNAT between."""
    by_ip, by_node_port = set(), set()
    for port in _udp(ports):
        for endpoint in usable(port.endpoints):
            by_ip.update((ip, endpoint.ip) for ip in _service_ips(port))
            if port.node_port:
                by_node_port.add((port.node_port, endpoint.ip))
    return by_ip, by_node_port


def _served(ports: list[ServicePort]) -> tuple[set[str], set[int]]:
    """Service IPs and node ports of UDP services that have an endpoint."""
    ips, node_ports = set(), set()
    for port in _udp(ports):
        if usable(port.endpoints):
            ips.update(_service_ips(port))
            if port.node_port:
                node_ports.add(port.node_port)
    return ips, node_ports


def stale_flow_filters(old: list[ServicePort], new: list[ServicePort]) -> list[list[str]]:
    """`conntrack -D` arguments for the entries the change from `old` to `new` left stale:
    an endpoint gone (or its service gone, or the service IP changed), and a service IP
    or node port that had no endpoint and now has one."""
    old_ip_pairs, old_port_pairs = _nat_pairs(old)
    new_ip_pairs, new_port_pairs = _nat_pairs(new)
    filters: list[list[str]] = []
    for service_ip, endpoint_ip in sorted(old_ip_pairs - new_ip_pairs):
        filters.append(["-p", "udp", "--orig-dst", service_ip, "--dst-nat", endpoint_ip])
    for node_port, endpoint_ip in sorted(old_port_pairs - new_port_pairs):
        filters.append(["-p", "udp", "--dport", str(node_port), "--dst-nat", endpoint_ip])
    old_ips, old_node_ports = _served(old)
    new_ips, new_node_ports = _served(new)
    for service_ip in sorted(new_ips - old_ips):
        filters.append(["-p", "udp", "--orig-dst", service_ip])
    for node_port in sorted(new_node_ports - old_node_ports):
        filters.append(["-p", "udp", "--dport", str(node_port)])
    return filters


class ConntrackCleaner:
    """Runs the deletions; without the `conntrack` binary it warns once and does nothing."""

    def __init__(self, binary: str = "conntrack") -> None:
        self.binary = binary
        self._warned = False

    def available(self) -> bool:
        if shutil.which(self.binary):
            return True
        if not self._warned:
            self._warned = True
            log.warning("conntrack not found: stale UDP entries are not cleared when Service "
                        "endpoints change (install the conntrack package)")
        return False

    def delete(self, filters: list[list[str]]) -> int:
        """Run `conntrack -D` for each filter; how many runs failed for another reason
        than finding nothing to delete."""
        if not filters or not self.available():
            return 0
        failures = 0
        for args in filters:
            result = subprocess.run([self.binary, "-D", *args], capture_output=True, text=True)
            # exit status 1 with "0 flow entries have been deleted" just means none matched
            if result.returncode != 0 and "0 flow entries" not in result.stderr:
                failures += 1
                log.warning("conntrack -D %s: %s", " ".join(args), result.stderr.strip())
            else:
                log.debug("conntrack -D %s: %s", " ".join(args), result.stderr.strip())
        return failures
