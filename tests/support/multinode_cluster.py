# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes server --runtime runc` on the host plus `kybernetes agent` nodes in network
namespaces (tests/support/netns_nodes.py), every node Ready with its podCIDR routed.

    with multinode_cluster(tmp_path_factory, "net", agents=2) as cluster:
        cluster.k.run("get", "nodes")                  # kubectl as admin
        cluster.network.nodes[0].run("ip", "route")    # inside a node
        cluster.node_names                             # server's own node first

The teardown is runc_cluster's (pods deleted, sandboxes released, server stopped,
proxy rules removed), then netns_nodes' (agents stopped, leftovers, namespaces, bridge).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

from tests.integration.conftest import Kubectl, Server, make_user
from tests.support.netns_nodes import NodeNetwork, netns_nodes
from tests.support.waiting import wait_for


@dataclass
class MultinodeCluster:
    server: Server
    k: Kubectl
    network: NodeNetwork
    node_names: list[str]  # the server's own node, then the agents'
    node_ips: dict[str, str]


def _ready_nodes(k: Kubectl) -> dict[str, dict]:
    nodes = {}
    for node in k.json("get", "nodes")["items"]:
        ready = any(c["type"] == "Ready" and c["status"] == "True"
                    for c in node["status"].get("conditions") or [])
        if ready and node["spec"].get("podCIDR"):
            nodes[node["metadata"]["name"]] = node
    return nodes


@contextlib.contextmanager
def multinode_cluster(tmp_path_factory, name: str, agents: int = 2) -> Iterator[MultinodeCluster]:
    from tests.support.runc_cluster import runc_cluster
    with netns_nodes(agents, prefix=name) as network:
        with runc_cluster(tmp_path_factory, name, network.server_args()) as server:
            k = Kubectl(server, tmp_path_factory.mktemp(f"{name}-kubectl"))
            proxy_kubeconfig = make_user(server, "system:kube-proxy")  # seed 000's kube-proxy user
            for node in network.nodes:
                kubeconfig = make_user(server, f"system:node:{node.name}", "system:nodes")
                node.start_agent(kubeconfig, network.api_url(server.port),
                                 extra_args=["--disable-default-registry-endpoint",
                                             "--proxy-kubeconfig", str(proxy_kubeconfig)],
                                 registries_yaml=server.data_dir / "registries.yaml")
            try:
                nodes = wait_for(lambda: (lambda n: n if len(n) == agents + 1 else None)(
                    _ready_nodes(k)), timeout=120)
            except AssertionError:
                logs = "\n".join(f"--- {n.name}\n{a.log_tail()}" for n in network.nodes for a in n.agents)
                raise AssertionError(f"nodes not Ready: {k.run('get', 'nodes', '-o', 'wide').stdout}\n{logs}")
            agent_names = [n.name for n in network.nodes]
            own = [n for n in nodes if n not in agent_names]
            ips = {n: next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
                   for n, node in nodes.items()}
            yield MultinodeCluster(server, k, network, own + agent_names, ips)
