# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""host-gw route computation: which pod CIDRs go via which node, and what to change."""
from __future__ import annotations

from kybernetes.network.hostgw import desired_routes, foreign_destinations, parse_routes, route_changes


def node(name: str, ip: str = "", cidr: str = "", cidrs: list[str] | None = None) -> dict:
    spec = {}
    if cidr:
        spec["podCIDR"] = cidr
    if cidrs:
        spec["podCIDRs"] = cidrs
    addresses = [{"type": "Hostname", "address": name}]
    if ip:
        addresses.insert(0, {"type": "InternalIP", "address": ip})
    return {"metadata": {"name": name}, "spec": spec, "status": {"addresses": addresses}}


def test_every_other_nodes_pod_cidr_goes_via_its_internal_ip():
    nodes = [node("a", "172.31.5.1", "10.244.0.0/24"), node("b", "172.31.5.10", "10.244.1.0/24"),
             node("c", "172.31.5.11", "10.244.2.0/24")]
    assert desired_routes(nodes, "b") == {"10.244.0.0/24": "172.31.5.1", "10.244.2.0/24": "172.31.5.11"}
    assert desired_routes(nodes, "a") == {"10.244.1.0/24": "172.31.5.10", "10.244.2.0/24": "172.31.5.11"}


def test_nodes_without_a_cidr_or_an_address_or_on_the_same_host_get_no_route():
    nodes = [node("me", "172.31.5.1", "10.244.0.0/24"), node("no-cidr", "172.31.5.10"),
             node("no-ip", "", "10.244.2.0/24"), node("same-host", "172.31.5.1", "10.244.3.0/24"),
             node("v6", "172.31.5.12", cidrs=["fd00::/64", "10.244.4.0/24"])]
    assert desired_routes(nodes, "me") == {"10.244.4.0/24": "172.31.5.12"}


def test_the_own_node_need_not_be_known_yet():
    assert desired_routes([node("b", "172.31.5.10", "10.244.1.0/24")], "a") == \
        {"10.244.1.0/24": "172.31.5.10"}


def test_parse_ip_route_show():
    text = ("10.244.1.0/24 via 172.31.5.10 dev eth0 proto 200 \n"
            "10.244.2.0/24 via 172.31.5.11 dev eth0 proto 200 \n"
            "10.9.9.9 via 172.31.5.12 dev eth0 proto 200\n"
            "172.31.5.0/24 dev eth0 proto kernel scope link src 172.31.5.1\n")
    assert parse_routes(text) == {"10.244.1.0/24": "172.31.5.10", "10.244.2.0/24": "172.31.5.11",
                                  "10.9.9.9/32": "172.31.5.12"}


def test_changes_replace_new_and_moved_routes_and_delete_routes_of_deleted_nodes():
    current = {"10.244.1.0/24": "172.31.5.10", "10.244.2.0/24": "172.31.5.11",
               "10.244.3.0/24": "172.31.5.12"}
    desired = {"10.244.1.0/24": "172.31.5.10", "10.244.2.0/24": "172.31.5.20",
               "10.244.4.0/24": "172.31.5.13"}
    replace, delete = route_changes(current, desired)
    assert replace == [("10.244.2.0/24", "172.31.5.20"), ("10.244.4.0/24", "172.31.5.13")]
    assert delete == ["10.244.3.0/24"]
    assert route_changes(desired, desired) == ([], [])


def test_routes_not_ours_are_never_replaced():
    text = ("default via 192.0.2.1 dev eth0 \n"
            "10.244.0.0/24 dev cni0 proto kernel scope link src 10.244.0.1 \n"
            "10.244.1.0/24 via 172.31.5.10 dev eth0 proto 200 \n"
            "10.244.9.0/24 via 192.0.2.9 dev eth0 \n"
            "10.1.2.3 dev eth0 proto static\n")
    assert foreign_destinations(text) == {"10.244.0.0/24", "10.244.9.0/24", "10.1.2.3/32"}
