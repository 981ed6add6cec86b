# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Cluster DNS from inside real pods, in both ways a server is set up: bound to 127.0.0.1
(a single node; the DNS then serves pods on a routable address of the machine, not on
loopback) and bound to 0.0.0.0 with nodes in network namespaces (the pod asking is on
another node than the DNS server).

Note on `nslookup kubernetes.default`: the test images' busybox is Debian's 1.35, whose
nslookup applies the resolv.conf search list only to names without a dot (the reason
Kubernetes' own DNS debugging page pins busybox:1.28). So the short dotted name is
checked through the C library's resolver (wget), and nslookup gets the full name and a
dotless one."""
from __future__ import annotations

import ipaddress
import json

import pytest

from tests.integration.conftest import Kubectl
from tests.support.netns_nodes import netns_missing
from tests.support.runc_cluster import needs_runc
from tests.support.waiting import wait_for

pytestmark = needs_runc


class Setup:
    def __init__(self, k: Kubectl, node: str) -> None:
        self.k = k
        self.node = node  # where the asking pod runs


@pytest.fixture(scope="module", params=["server-on-loopback", "server-on-all-addresses-multinode"])
def setup(request, tmp_path_factory):
    if request.param == "server-on-loopback":
        from tests.support.runc_cluster import runc_cluster
        with runc_cluster(tmp_path_factory, "dnspod") as server:
            k = Kubectl(server, tmp_path_factory.mktemp("dnspod-kubectl"))
            node = wait_for(lambda: next((n["metadata"]["name"] for n in k.json("get", "nodes")["items"]
                                          if any(c["type"] == "Ready" and c["status"] == "True"
                                                 for c in n["status"].get("conditions") or [])), None),
                            timeout=60)
            yield Setup(k, node)
    else:
        if netns_missing() is not None:
            pytest.skip(netns_missing())
        from tests.support.multinode_cluster import multinode_cluster
        with multinode_cluster(tmp_path_factory, "dnsmn", agents=1) as cluster:
            yield Setup(cluster.k, cluster.network.nodes[0].name)


@pytest.fixture
def ns(setup) -> str:
    """The default namespace (the names asked for are nginx.default...); emptied after."""
    yield "default"
    setup.k.run("delete", "deployment,service", "nginx", "-n", "default", "--ignore-not-found", check=False)
    setup.k.run("delete", "pod", "asker", "-n", "default", "--ignore-not-found", "--wait=false", check=False)


def in_pod(setup: Setup, ns: str, command: str):
    return setup.k.run("exec", "-n", ns, "asker", "--", "sh", "-c", command, check=False, timeout=60)


def test_names_resolve_and_serve_from_inside_a_busybox_pod(setup, ns):
    k = setup.k
    # the nginx Deployment and Service the brief names: nginx.<ns>.svc.cluster.local
    k.run("create", "deployment", "nginx", "-n", ns, "--image=nginx")
    k.run("expose", "deployment", "nginx", "-n", ns, "--port=80")
    asker = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "asker"},
             "spec": {"nodeName": setup.node, "terminationGracePeriodSeconds": 1,
                      "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]}}
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps(asker))
    k.run("rollout", "status", "deployment/nginx", "-n", ns, "--timeout=180s", timeout=200)
    ready = k.run("wait", "-n", ns, "pod/asker", "--for=condition=Ready", "--timeout=120s",
                  timeout=140, check=False)
    assert ready.returncode == 0, k.run("describe", "pod", "asker", "-n", ns).stdout

    # the kube-dns endpoint is an address pods route to, never loopback
    slices = k.json("get", "endpointslices", "-n", "kube-system", "-l",
                    "kubernetes.io/service-name=kube-dns")["items"]
    dns_address = slices[0]["endpoints"][0]["addresses"][0]
    assert not ipaddress.ip_address(dns_address).is_loopback

    resolv = in_pod(setup, ns, "cat /etc/resolv.conf").stdout
    assert "nameserver 10.96.0.10" in resolv and f"search {ns}.svc.cluster.local" in resolv

    def answers(name: str, address: str) -> bool:
        # (with the search list busybox exits 1 when any candidate was NXDOMAIN)
        return f"Address: {address}" in in_pod(setup, ns, f"nslookup {name}").stdout
    wait_for(lambda: answers("kubernetes.default.svc.cluster.local", "10.96.0.1"), timeout=60)
    wait_for(lambda: answers("kubernetes", "10.96.0.1"), timeout=30)  # through the search list
    service_ip = k.json("get", "service", "nginx", "-n", ns)["spec"]["clusterIP"]
    wait_for(lambda: answers(f"nginx.{ns}.svc.cluster.local", service_ip), timeout=60)
    # the C library resolver applies the search list to `kubernetes.default`: the name
    # resolves (the HTTPS port then answers plain HTTP with an error, which is fine)
    result = in_pod(setup, ns, "timeout 5 wget -qO- http://kubernetes.default:443/ 2>&1")
    assert "bad address" not in result.stdout
    page = wait_for(lambda: (lambda r: r.stdout if r.returncode == 0 else "")(
        in_pod(setup, ns, f"timeout 5 wget -qO- http://nginx.{ns}.svc.cluster.local")), timeout=60)
    assert "Welcome to nginx!" in page
