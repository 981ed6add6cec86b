# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The pod network across nodes: `kybernetes server --runtime runc` on the host (its own
node) plus two `kybernetes agent` nodes in network namespaces (tests/support/netns_nodes.py),
host-gw routes between their pod CIDRs, and kube-proxy on every node.

Pods reach pods on other nodes by pod IP and keep their source address (no NAT); a
ClusterIP Service over nginx pods on the three nodes answers from a pod on each node;
the seed NodePort Service answers on every node's address; a UDP Service's stale
conntrack entries are cleared when its endpoint moves; NetworkPolicies are enforced in
the destination node's own network namespace."""
from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support.netns_nodes import needs_netns
from tests.support.runc_cluster import needs_runc
from tests.support.waiting import wait_for

pytestmark = [needs_runc, needs_netns]

SEEDS = Path(__file__).resolve().parent / "seeds"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from tests.support.multinode_cluster import multinode_cluster
    with multinode_cluster(tmp_path_factory, "mnet", agents=2) as running:
        yield running
    # nothing of the nodes is left on the host
    network = running.network
    assert network.bridge not in subprocess.run(["ip", "link"], capture_output=True, text=True).stdout
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert not [n for n in network.nodes if n.netns in netns]
    assert str(network.work_dir) not in open("/proc/mounts").read()
    assert _kube_rules_on_host() == 0


def _kube_rules_on_host() -> int:
    out = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    return sum("KUBE" in line for line in out.splitlines())


@pytest.fixture
def ns(cluster) -> str:
    name = f"mn-{uuid.uuid4().hex[:8]}"
    cluster.k.run("create", "namespace", name)
    wait_for(lambda: cluster.k.run("get", "serviceaccount", "default", "-n", name,
                                   check=False).returncode == 0)
    yield name
    cluster.k.run("delete", "namespace", name, "--wait=false", check=False)


def pod(name: str, node: str, command: str, labels: dict | None = None, image: str = "busybox",
        env: list | None = None) -> dict:
    container = {"name": "main", "image": image, "command": ["sh", "-c", command]}
    if env:
        container["env"] = env
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 1, "containers": [container]}}


def run_pods(cluster, ns: str, *pods: dict) -> dict[str, dict]:
    cluster.k.run("apply", "-n", ns, "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                  "items": list(pods)}))
    names = [f"pod/{p['metadata']['name']}" for p in pods]
    cluster.k.run("wait", "-n", ns, *names, "--for=condition=Ready", "--timeout=180s", timeout=200)
    return {p["metadata"]["name"]: p for p in cluster.k.json("get", "pods", "-n", ns)["items"]}


def in_pod(cluster, ns: str, name: str, command: str, check: bool = False) -> subprocess.CompletedProcess:
    return cluster.k.run("exec", "-n", ns, name, "--", "sh", "-c", command, check=check, timeout=60)


def fetch(cluster, ns: str, client: str, url: str) -> str:
    """One HTTP GET from inside a pod; '' when it fails (busybox wget has no -T here)."""
    result = in_pod(cluster, ns, client, f"timeout 5 wget -qO- {url}")
    return result.stdout.strip() if result.returncode == 0 else ""


# The client's address as the server saw it: busybox httpd hands it to CGI scripts.
ECHO_CLIENT_ADDRESS = ("mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\n"
                       "echo\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && "
                       "exec httpd -f -p 8080 -h /www")
SLEEPER = "exec sleep 3600"


def test_every_node_routes_the_other_nodes_pod_cidrs(cluster):
    nodes = {n["metadata"]["name"]: n for n in cluster.k.json("get", "nodes")["items"]}
    cidrs = {name: node["spec"]["podCIDR"] for name, node in nodes.items()}
    assert len(set(cidrs.values())) == 3

    def routes_in(text: str) -> dict[str, str]:
        out = {}
        for line in text.splitlines():
            words = line.split()
            if "proto" in words and words[words.index("proto") + 1] == "200":
                out[words[0]] = words[words.index("via") + 1]
        return out

    for netns_node in cluster.network.nodes:
        expected = {cidrs[n]: cluster.node_ips[n] for n in cidrs if n != netns_node.name}
        wait_for(lambda: routes_in(netns_node.run("ip", "-4", "route").stdout) == expected, timeout=60)
    host_expected = {cidrs[n.name]: n.ip for n in cluster.network.nodes}
    wait_for(lambda: all(routes_in(subprocess.run(["ip", "-4", "route"], capture_output=True,
                                                  text=True).stdout).get(c) == gw
                         for c, gw in host_expected.items()), timeout=60)


def test_a_new_node_gets_a_route_and_a_deleted_one_loses_it(cluster):
    ghost_ip = str(list(cluster.network.subnet.hosts())[98])  # .99: on the link, nobody there
    name = f"ghost-{uuid.uuid4().hex[:6]}"
    cluster.k.run("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node",
                                                         "metadata": {"name": name}}))
    try:
        cluster.k.run("patch", "node", name, "--subresource=status", "--type=merge", "-p", json.dumps(
            {"status": {"addresses": [{"type": "InternalIP", "address": ghost_ip}]}}))
        cidr = wait_for(lambda: cluster.k.json("get", "node", name)["spec"].get("podCIDR"), timeout=60)
        node = cluster.network.nodes[0]
        wanted = f"{cidr} via {ghost_ip} dev eth0 proto 200"
        wait_for(lambda: wanted in node.run("ip", "-4", "route").stdout, timeout=60)
    finally:
        cluster.k.run("delete", "node", name, "--wait=false", check=False)
    wait_for(lambda: ghost_ip not in node.run("ip", "-4", "route").stdout, timeout=60)


def test_agents_proxy_as_kube_proxy_not_as_the_node(cluster):
    """kube-proxy, NetworkPolicy and host-gw inside `kybernetes agent` run as
    system:kube-proxy (--proxy-kubeconfig); the node's own identity keeps upstream's limits."""
    node = cluster.network.nodes[0].name
    for verb, resource in (("watch", "services"), ("list", "endpointslices.discovery.k8s.io"),
                           ("list", "nodes"), ("list", "networkpolicies.networking.k8s.io")):
        answer = cluster.k.run("auth", "can-i", verb, resource, "--as=system:kube-proxy",
                               check=False).stdout.strip()
        assert answer == "yes", (verb, resource)
    for resource in ("nodes", "pods", "networkpolicies.networking.k8s.io"):
        answer = cluster.k.run("auth", "can-i", "list", resource, "-A", f"--as=system:node:{node}",
                               "--as-group=system:nodes", check=False).stdout.strip()
        assert answer.split(" ")[0] == "no", resource
    # and the rules it wrote are in the node's own network namespace
    rules = cluster.network.nodes[0].run("iptables-save", "-t", "nat").stdout
    assert "default/kubernetes:https cluster IP" in rules and ":KUBE-POD-EGRESS" in rules


def test_pod_to_pod_across_nodes_keeps_the_source_address(cluster, ns):
    server_node, client_nodes = cluster.node_names[1], [cluster.node_names[0], cluster.node_names[2]]
    pods = run_pods(cluster, ns, pod("echo", server_node, ECHO_CLIENT_ADDRESS),
                    *(pod(f"client-{i}", node, SLEEPER) for i, node in enumerate(client_nodes)))
    echo_ip = pods["echo"]["status"]["podIP"]
    assert ipaddress.ip_address(echo_ip) in ipaddress.ip_network(
        cluster.k.json("get", "node", server_node)["spec"]["podCIDR"])
    for i in range(len(client_nodes)):
        client_ip = pods[f"client-{i}"]["status"]["podIP"]
        seen = wait_for(lambda: fetch(cluster, ns, f"client-{i}", f"http://{echo_ip}:8080/cgi-bin/ip"),
                        timeout=60)
        # busybox httpd reports IPv4 peers in their v4-mapped form
        assert seen.strip("[]").removeprefix("::ffff:") == client_ip


NGINX_NAMED = ("echo $NODE_NAME > /usr/share/nginx/html/index.html && exec nginx -g 'daemon off;'")


def test_cluster_ip_service_over_three_nodes_from_a_pod_on_each(cluster, ns):
    node_env = [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]
    backends = [pod(f"web-{i}", node, NGINX_NAMED, {"app": "web"}, image="nginx", env=node_env)
                for i, node in enumerate(cluster.node_names)]
    clients = [pod(f"client-{i}", node, SLEEPER) for i, node in enumerate(cluster.node_names)]
    run_pods(cluster, ns, *backends, *clients)
    cluster.k.run("create", "service", "clusterip", "web", "-n", ns, "--tcp=80:80")
    ip = cluster.k.json("get", "service", "web", "-n", ns)["spec"]["clusterIP"]
    for i in range(len(cluster.node_names)):
        seen: set[str] = set()

        def every_backend_answered() -> bool:
            # a burst of requests from inside the pod; each answer names its backend's node
            result = in_pod(cluster, ns, f"client-{i}",
                            f"for n in $(seq 12); do timeout 3 wget -qO- http://{ip}/; done")
            seen.update(line.strip() for line in result.stdout.splitlines() if line.strip())
            return seen >= set(cluster.node_names)
        wait_for(every_backend_answered, timeout=120, interval=0.5)
        assert seen == set(cluster.node_names)


def test_seed_node_port_service_on_every_node_address(cluster, ns):
    cluster.k.run("apply", "-n", ns, "-f", str(SEEDS / "000-my-service.yaml"))
    run_pods(cluster, ns, pod("front-end", cluster.node_names[2],
                              "mkdir -p /www && echo front-end-here > /www/index.html && "
                              "exec httpd -f -p 8080 -h /www", {"app": "front-end"}))

    def answers(address: str) -> bool:
        result = subprocess.run(["timeout", "5", "busybox", "wget", "-qO-", f"http://{address}:30024/"],
                                capture_output=True, text=True)
        return "front-end-here" in result.stdout
    for name in cluster.node_names:  # from the host, to each node's InternalIP
        wait_for(lambda: answers(cluster.node_ips[name]), timeout=90, interval=0.5)


UDP_REPLIER = """
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = sock.recvfrom(512)
    sock.sendto(sys.argv[3].encode(), peer)
"""

# One fixed source port for every probe, as a resolver's long-lived socket has: the
# kernel keeps NATing that flow to whatever endpoint its conntrack entry names.
UDP_PROBE = """
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("0.0.0.0", 40053))
sock.settimeout(2)
sock.sendto(b"ping", (sys.argv[1], 53))
try:
    print(sock.recvfrom(512)[0].decode())
except OSError:
    print("no answer")
"""


def udp_slice(ip: str) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "udp-manual", "labels": {"kubernetes.io/service-name": "udp"}},
            "addressType": "IPv4", "ports": [{"name": "dns", "port": 5353, "protocol": "UDP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}]}


@pytest.mark.skipif(not shutil.which("conntrack"), reason="needs conntrack")
def test_udp_flow_follows_the_service_to_its_new_endpoint(cluster, ns):
    """Endpoint A is replaced by B while A still answers: only the proxy deleting the
    flow's conntrack entry sends the client's next datagram to B."""
    import sys
    client_node, a_node = cluster.network.nodes
    repliers = [a_node.popen(sys.executable, "-c", UDP_REPLIER, a_node.ip, "5353", "from-a",
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                subprocess.Popen([sys.executable, "-c", UDP_REPLIER, cluster.network.host_ip, "5353",
                                  "from-b"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        cluster.k.run("apply", "-n", ns, "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "udp"},
            "spec": {"ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 5353}]}}))
        ip = cluster.k.json("get", "service", "udp", "-n", ns)["spec"]["clusterIP"]
        cluster.k.run("apply", "-n", ns, "-f", "-", input=json.dumps(udp_slice(a_node.ip)))

        def probe() -> str:
            return client_node.run(sys.executable, "-c", UDP_PROBE, ip, check=False).stdout.strip()
        wait_for(lambda: probe() == "from-a", timeout=60, interval=0.5)
        assert f"src={a_node.ip}" in client_node.run("conntrack", "-L", "-p", "udp", "--orig-dst", ip).stdout
        cluster.k.run("apply", "-n", ns, "-f", "-", input=json.dumps(udp_slice(cluster.network.host_ip)))
        wait_for(lambda: probe() == "from-b", timeout=60, interval=0.5)
        entries = client_node.run("conntrack", "-L", "-p", "udp", "--orig-dst", ip).stdout
        assert f"src={a_node.ip}" not in entries and "sport=40053" in entries
    finally:
        for replier in repliers:
            replier.kill()
            replier.wait()


def _policy_chains(save_text: str) -> list[str]:
    return [line.split()[0][1:] for line in save_text.splitlines() if line.startswith(":KUBE-NWPLCY")]


def _host_policy_rules_of(ns: str) -> list[str]:
    """The host's policy rules naming `ns` (other clusters on this machine may have their own)."""
    out = subprocess.run(["iptables-save", "-t", "filter"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "KUBE-NWPLCY" in line and f"{ns}/" in line]


def reaches(cluster, ns: str, client: str, ip: str) -> bool:
    """One GET from `client` to nginx at `ip` (timeout: busybox wget -T segfaults here)."""
    result = in_pod(cluster, ns, client, f"timeout 2 wget -qO- http://{ip}/")
    return result.returncode == 0 and "Welcome to nginx" in result.stdout


def test_network_policy_is_enforced_on_the_destination_node(cluster, ns):
    """An nginx pod on one netns node, clients on the two other nodes: a default-deny
    ingress policy blocks both, an allow-from-frontend policy lets only the labelled one
    in, and deleting the policies opens it again. The db pod's chains live in its node's
    own network namespace; each client's (the deny policy isolates them too) in its own
    node's; none is left anywhere afterwards."""
    db_node = cluster.network.nodes[0]
    frontend_node, other_node = cluster.node_names[2], cluster.node_names[0]
    assert db_node.name == cluster.node_names[1]
    pods = run_pods(cluster, ns, pod("db", db_node.name, "exec nginx -g 'daemon off;'", {"app": "db"},
                                     image="nginx"),
                    pod("frontend", frontend_node, SLEEPER, {"role": "frontend"}),
                    pod("other", other_node, SLEEPER, {"role": "other"}))
    db_ip = pods["db"]["status"]["podIP"]
    clients = ("frontend", "other")
    for client in clients:
        wait_for(lambda: reaches(cluster, ns, client, db_ip), timeout=60, interval=0.5)

    deny = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny-ingress"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
    allow = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": "db-from-frontend"},
             "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                      "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                   "ports": [{"protocol": "TCP", "port": 80}]}]}}
    try:
        cluster.k.run("apply", "-n", ns, "-f", "-", input=json.dumps(deny))
        for client in clients:
            wait_for(lambda: not reaches(cluster, ns, client, db_ip), timeout=60, interval=0.5)
        chains = _policy_chains(db_node.run("iptables-save", "-t", "filter").stdout)
        assert "KUBE-NWPLCY-FORWARD" in chains and any(c.startswith("KUBE-NWPLCY-I-") for c in chains)
        # the host's node isolates only its own pod, "other"; the db pod's rules are not there
        wait_for(lambda: any(f"{ns}/other is isolated" in r for r in _host_policy_rules_of(ns)),
                 timeout=60)
        host_rules = _host_policy_rules_of(ns)
        assert not any(f"{ns}/db " in r or f'{ns}/db"' in r for r in host_rules)

        cluster.k.run("apply", "-n", ns, "-f", "-", input=json.dumps(allow))
        wait_for(lambda: reaches(cluster, ns, "frontend", db_ip), timeout=60, interval=0.5)
        for _ in range(3):  # still shut out after the allow policy is in force
            assert not reaches(cluster, ns, "other", db_ip)
    finally:
        cluster.k.run("delete", "networkpolicy", "-n", ns, "default-deny-ingress", "db-from-frontend",
                      "--ignore-not-found", check=False)
    for client in clients:
        wait_for(lambda: reaches(cluster, ns, client, db_ip), timeout=60, interval=0.5)
    # the last policy gone, every node removes its chains and FORWARD's jump
    for node in cluster.network.nodes:
        wait_for(lambda: _policy_chains(node.run("iptables-save", "-t", "filter").stdout) == [],
                 timeout=60)
        assert "KUBE-NWPLCY" not in node.run("iptables", "-S", "FORWARD").stdout
    wait_for(lambda: _host_policy_rules_of(ns) == [], timeout=60)
