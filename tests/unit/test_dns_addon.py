# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kube-dns Service and EndpointSlice the DNS component publishes."""
from __future__ import annotations

import pytest

from kybernetes.controllers.endpoints import manages_endpoints
from kybernetes.dns.addon import cluster_dns_ip, desired_rbac, desired_service, desired_slice


@pytest.mark.parametrize("cidr,expected", [("10.96.0.0/12", "10.96.0.10"), ("10.43.0.0/16", "10.43.0.10"),
                                           ("fd00:10:96::/112", "fd00:10:96::a"),
                                           ("10.96.0.0/12,fd00::/108", "10.96.0.10")])
def test_cluster_dns_is_the_tenth_address(cidr, expected):
    assert cluster_dns_ip(cidr) == expected


def test_service_looks_like_the_coredns_addons():
    svc = desired_service("10.96.0.10")
    assert svc["metadata"]["namespace"] == "kube-system" and svc["metadata"]["name"] == "kube-dns"
    assert svc["metadata"]["labels"]["k8s-app"] == "kube-dns"
    assert svc["metadata"]["labels"]["kubernetes.io/name"] == "CoreDNS"
    assert svc["spec"]["clusterIP"] == "10.96.0.10"
    assert [(p["name"], p["port"], p["protocol"]) for p in svc["spec"]["ports"]] == [
        ("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")]
    # no selector: the endpoint controllers leave our EndpointSlice alone
    assert not manages_endpoints(svc)


def test_slice_points_at_where_the_server_listens():
    endpoint_slice = desired_slice("192.168.1.5", 5353, "node-a")
    assert endpoint_slice["metadata"]["labels"] == {
        "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "kybernetes-dns"}
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["endpoints"][0]["addresses"] == ["192.168.1.5"]
    assert endpoint_slice["endpoints"][0]["nodeName"] == "node-a"
    assert {(p["name"], p["port"], p["protocol"]) for p in endpoint_slice["ports"]} == {
        ("dns", 5353, "UDP"), ("dns-tcp", 5353, "TCP")}
    assert desired_slice("fd00::5", 53)["addressType"] == "IPv6"


def test_rbac_lets_coredns_read_what_it_answers_from():
    role, binding = desired_rbac()
    granted = {(group, res) for rule in role["rules"] for group in rule["apiGroups"]
               for res in rule["resources"] if set(rule["verbs"]) >= {"list", "watch"}}
    assert {("", "services"), ("", "namespaces"), ("discovery.k8s.io", "endpointslices")} <= granted
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "coredns", "namespace": "kube-system"}]
