# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Which UDP conntrack entries a proxy sync leaves stale, and the pod egress masquerade."""
from __future__ import annotations

import logging

from kybernetes.proxy.conntrack import ConntrackCleaner, stale_flow_filters
from kybernetes.proxy.model import Endpoint, ServicePort
from kybernetes.proxy.rules import POD_EGRESS, ProxyConfig, generate


def port(*endpoint_ips: str, protocol: str = "UDP", cluster_ip: str = "10.96.0.10",
         node_port: int = 0, ready: bool = True) -> ServicePort:
    return ServicePort("kube-system", "kube-dns", "dns", protocol, 53, cluster_ips=[cluster_ip],
                       node_port=node_port,
                       endpoints=[Endpoint(ip, 53, "n", ready=ready) for ip in endpoint_ips])


def test_an_endpoint_going_away_clears_its_nat_entries():
    old = [port("10.244.1.5", "10.244.2.7")]
    new = [port("10.244.2.7")]
    assert stale_flow_filters(old, new) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10", "--dst-nat", "10.244.1.5"]]


def test_a_service_gaining_its_first_endpoint_clears_the_entries_for_its_ip():
    assert stale_flow_filters([port()], [port("10.244.1.5")]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10"]]
    # also a service that did not exist before (the proxy's first sync included)
    assert stale_flow_filters([], [port("10.244.1.5")]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10"]]
    # an endpoint that is not ready does not count
    assert stale_flow_filters([port("10.244.1.5", ready=False)], [port("10.244.1.5")]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10"]]


def test_a_deleted_service_or_a_new_cluster_ip_clears_the_old_ips_entries():
    assert stale_flow_filters([port("10.244.1.5")], []) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10", "--dst-nat", "10.244.1.5"]]
    assert stale_flow_filters([port("10.244.1.5")], [port("10.244.1.5", cluster_ip="10.96.0.11")]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10", "--dst-nat", "10.244.1.5"],
        ["-p", "udp", "--orig-dst", "10.96.0.11"]]


def test_node_ports_are_cleared_like_service_ips():
    old = [port("10.244.1.5", node_port=30053)]
    assert stale_flow_filters(old, [port("10.244.2.7", node_port=30053)]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10", "--dst-nat", "10.244.1.5"],
        ["-p", "udp", "--dport", "30053", "--dst-nat", "10.244.1.5"]]
    assert stale_flow_filters([port(node_port=30053)], [port("10.244.2.7", node_port=30053)]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.10"], ["-p", "udp", "--dport", "30053"]]


def test_tcp_services_and_unchanged_udp_services_need_nothing():
    assert stale_flow_filters([port("10.244.1.5", protocol="TCP")], []) == []
    same = [port("10.244.1.5")]
    assert stale_flow_filters(same, [port("10.244.1.5")]) == []


def test_a_missing_conntrack_binary_warns_once(caplog):
    cleaner = ConntrackCleaner(binary="/nonexistent/conntrack")
    with caplog.at_level(logging.WARNING, logger="kybernetes.proxy"):
        assert cleaner.delete([["-p", "udp", "--orig-dst", "10.96.0.10"]]) == 0
        assert cleaner.delete([["-p", "udp", "--orig-dst", "10.96.0.10"]]) == 0
    warnings = [r for r in caplog.records if "conntrack not found" in r.getMessage()]
    assert len(warnings) == 1


def egress_rules(config: ProxyConfig) -> list[str]:
    return [line for line in generate([], config).splitlines() if line.startswith(f"-A {POD_EGRESS} ")]


def test_pod_egress_masquerade_keeps_pod_to_pod_sources():
    rules = egress_rules(ProxyConfig("n", cluster_cidr="10.244.0.0/16", pod_egress_masquerade=True))
    assert rules == [
        f'-A {POD_EGRESS} -m comment --comment "pod to pod: keep the source address" '
        "-s 10.244.0.0/16 -d 10.244.0.0/16 -j RETURN",
        f'-A {POD_EGRESS} -m comment --comment "pod traffic leaving the cluster network" '
        "-s 10.244.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE --random-fully"]
    # a standalone kube-proxy leaves masquerading to the network plugin: it neither
    # fills the chain nor declares it (which would empty what an agent's proxy wrote)
    assert egress_rules(ProxyConfig("n", cluster_cidr="10.244.0.0/16")) == []
    assert f":{POD_EGRESS} " not in generate([], ProxyConfig("n"))
    assert f":{POD_EGRESS} - [0:0]" in generate([], ProxyConfig("n", pod_egress_masquerade=True))
