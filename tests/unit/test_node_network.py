# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The agent's network flags, and the address the cluster DNS serves pods on."""
from __future__ import annotations

import argparse

from kybernetes.dns.addon import pod_reachable_address
from kybernetes.kubelet.flags import add_agent_flags
from kybernetes.network.node import check_node_network_flags


def agent_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_agent_flags(parser)
    return parser.parse_args(["--kubeconfig", "/dev/null", *argv])


def test_network_flags_default_to_host_gw_with_the_proxy_on():
    args = agent_args()
    assert (args.cluster_cidr, args.flannel_backend, args.disable_kube_proxy,
            args.proxy_kubeconfig) == ("10.244.0.0/16", "host-gw", False, None)
    assert check_node_network_flags(args) is None


def test_bad_network_flags_get_one_line_errors(tmp_path):
    assert check_node_network_flags(agent_args("--cluster-cidr", "10.244.0.0/33")) == \
        "--cluster-cidr: invalid CIDR '10.244.0.0/33'"
    assert check_node_network_flags(agent_args("--cluster-cidr", "fd00::/48")) == \
        "--cluster-cidr: fd00::/48 is not an IPv4 CIDR (only IPv4 is routed)"
    missing = tmp_path / "proxy.kubeconfig"
    assert check_node_network_flags(agent_args("--proxy-kubeconfig", str(missing))) == \
        f"--proxy-kubeconfig: {missing} does not exist"
    assert check_node_network_flags(agent_args("--nodeport-addresses", "10.0.0.0/8,nope")) == \
        "--nodeport-addresses: invalid CIDR 'nope'"


def test_dns_serves_pods_on_a_routable_address_when_the_server_is_on_loopback():
    hosts = ["127.0.1.1", "fe80::1", "192.0.2.2", "10.244.0.1"]
    assert pod_reachable_address("127.0.0.1", hosts, pod_network=True) == "192.0.2.2"
    # a routable advertise address stays; so does loopback without a pod network
    assert pod_reachable_address("172.31.4.1", hosts, pod_network=True) == "172.31.4.1"
    assert pod_reachable_address("127.0.0.1", hosts, pod_network=False) == "127.0.0.1"
    # nothing routable on the machine: loopback it is
    assert pod_reachable_address("127.0.0.1", ["127.0.1.1"], pod_network=True) == "127.0.0.1"


def test_a_node_without_its_pod_network_is_not_ready_until_it_has_one():
    from kybernetes.kubelet.node import NETWORK_NOT_READY, node_conditions
    waiting = {c["type"]: c for c in node_conditions(10.0, not_ready=NETWORK_NOT_READY)}
    assert waiting["Ready"]["status"] == "False"
    assert waiting["Ready"]["reason"] == "KubeletNotReady"
    assert "NetworkReady=false reason:NetworkPluginNotReady" in waiting["Ready"]["message"]
    assert waiting["MemoryPressure"]["status"] == "False"
    ready = {c["type"]: c for c in node_conditions(20.0, list(waiting.values()))}
    assert ready["Ready"]["status"] == "True"
    assert ready["Ready"]["lastTransitionTime"] != waiting["Ready"]["lastTransitionTime"]
