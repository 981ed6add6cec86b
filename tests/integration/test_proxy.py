# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's iptables mode end to end: `kybernetes server --runtime runc` programs the
host's iptables; Services are reached from the host by ClusterIP, NodePort and the
built-in load balancer's external IP; `kybernetes proxy --cleanup` removes it all."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not shutil.which("docker-registry"), reason="needs docker-registry")
needs_iptables = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runc") or not shutil.which("iptables-restore"),
    reason="needs root, runc and iptables")


def kube_chains() -> list[str]:
    out = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    return [line.split()[0][1:] for line in out.splitlines()
            if line.startswith(":KUBE-") and not line.startswith(":KUBE-ROUTER")]


def proxy_cleanup() -> None:
    subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "proxy", "--cleanup"], check=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from tests.support.runc_cluster import runc_cluster
    with runc_cluster(tmp_path_factory, "proxy") as server:
        k = Kubectl(server, tmp_path_factory.mktemp("proxy-kubectl"))
        wait_for(lambda: any(c["type"] == "Ready" and c["status"] == "True"
                             for node in k.json("get", "nodes")["items"]
                             for c in node["status"].get("conditions", [])), timeout=60)
        yield k
    assert kube_chains() == []


@pytest.fixture
def ns(cluster) -> str:
    name = f"p-{uuid.uuid4().hex[:8]}"
    cluster.run("create", "namespace", name)
    wait_for(lambda: cluster.run("get", "serviceaccount", "default", "-n", name,
                                 check=False).returncode == 0)
    yield name
    cluster.run("delete", "namespace", name, "--wait=false", check=False)


def get(url: str) -> str:
    return urllib.request.urlopen(url, timeout=10).read().decode()


def reachable(url: str, text: str) -> bool:
    try:
        return text in get(url)
    except OSError:
        return False


def node_ip(k: Kubectl) -> str:
    node = k.json("get", "nodes")["items"][0]
    return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")


@needs_iptables
def test_cluster_ip_spreads_requests_over_three_nginx_pods(cluster: Kubectl, ns: str):
    # each pod serves its own name (downward API), so responses tell which pod answered
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                               "containers": [{"name": "nginx", "image": "nginx", "command": [
                                   "sh", "-c", "echo $POD_NAME > /usr/share/nginx/html/index.html "
                                   "&& exec nginx -g 'daemon off;'"],
                                   "env": [{"name": "POD_NAME", "valueFrom": {
                                       "fieldRef": {"fieldPath": "metadata.name"}}}],
                                   "ports": [{"containerPort": 80}]}]}}}}
    cluster.run("apply", "-n", ns, "-f", "-", input=json.dumps(deployment))
    cluster.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=180s")
    pods = [p["metadata"]["name"] for p in cluster.json("get", "pods", "-n", ns, "-l", "app=web")["items"]]
    cluster.run("expose", "deployment", "web", "-n", ns, "--port=80")
    ip = cluster.json("get", "service", "web", "-n", ns)["spec"]["clusterIP"]
    wait_for(lambda: reachable(f"http://{ip}/", "web-"), timeout=60)
    seen: set[str] = set()

    def every_pod_answered() -> bool:
        # one request per try; a failed one is retried (other clusters on this machine
        # may hold the same pod IPs on cni0), what counts is who answers
        try:
            seen.add(get(f"http://{ip}/").strip())
        except OSError:
            pass
        return len(seen) >= len(pods)
    wait_for(every_pod_answered, timeout=120, interval=0.05)
    assert seen == set(pods)
    chains = kube_chains()
    assert any(c.startswith("KUBE-SVC-") for c in chains)
    assert sum(c.startswith("KUBE-SEP-") for c in chains) >= 3


@needs_iptables
def test_seed_node_port_service_on_node_address(cluster: Kubectl, ns: str):
    from tests.integration.test_pods_runc import HERE
    cluster.run("apply", "-n", ns, "-f", str(HERE / "000-my-service.yaml"))
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "front-end", "labels": {"app": "front-end"}},
           "spec": {"containers": [{"name": "web", "image": "busybox", "command": [
               "sh", "-c", "mkdir -p /www && echo front-end-here > /www/index.html && "
               "httpd -f -p 8080 -h /www"], "ports": [{"containerPort": 8080}]}]}}
    cluster.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    cluster.run("wait", "pod/front-end", "-n", ns, "--for=condition=Ready", "--timeout=120s")
    address = node_ip(cluster)
    wait_for(lambda: reachable(f"http://{address}:30024/", "front-end-here"), timeout=60)
    assert "front-end-here" in get("http://127.0.0.1:30024/")  # route_localnet, as upstream


@needs_iptables
def test_expose_load_balancer_gets_external_ip_and_serves(cluster: Kubectl, ns: str):
    cluster.run("create", "deployment", "my-first-nginx", "-n", ns, "--image=nginx")
    cluster.run("rollout", "status", "deployment/my-first-nginx", "-n", ns, "--timeout=180s")
    cluster.run("expose", "deployment", "my-first-nginx", "-n", ns, "--port=80", "--type=LoadBalancer")
    wait_for(lambda: (cluster.json("get", "service", "my-first-nginx", "-n", ns).get("status") or {})
             .get("loadBalancer", {}).get("ingress"), timeout=60)
    external = cluster.json("get", "service", "my-first-nginx", "-n", ns)["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert external == node_ip(cluster)
    listing = cluster.run("get", "service", "my-first-nginx", "-n", ns).stdout
    assert external in listing and "<pending>" not in listing
    wait_for(lambda: reachable(f"http://{external}/", "Welcome to nginx!"), timeout=60)


@needs_iptables
def test_service_without_endpoints_refuses_connections(cluster: Kubectl, ns: str):
    cluster.run("create", "service", "clusterip", "nobody", "-n", ns, "--tcp=80:80")
    ip = cluster.json("get", "service", "nobody", "-n", ns)["spec"]["clusterIP"]

    def rejected() -> bool:
        try:
            socket.create_connection((ip, 80), timeout=5).close()
        except ConnectionRefusedError:
            return True
        except OSError:
            return False
        return False
    wait_for(rejected, timeout=60)
    assert any(f"-d {ip}/32" in line and "has no endpoints" in line and "REJECT" in line
               for line in subprocess.run(["iptables-save", "-t", "filter"], capture_output=True,
                                          text=True).stdout.splitlines())


@pytest.fixture(scope="module")
def process_cluster(tmp_path_factory):
    from tests.support.runc_cluster import process_cluster as running_process_cluster
    with running_process_cluster(tmp_path_factory, "proxy-process") as k:
        yield k


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_process_runtime_node_port_through_userspace_proxy(process_cluster: Kubectl):
    k = process_cluster
    port = free_port()
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "plain", "labels": {"app": "plain"}},
           "spec": {"containers": [{"name": "web", "image": "busybox", "command": [
               "sh", "-c", f"mkdir -p www && echo served-by-process > www/index.html && "
               f"exec httpd -f -p 127.0.0.1:{port} -h www"],
               "ports": [{"containerPort": port}]}]}}
    k.run("apply", "-f", "-", input=json.dumps(pod))
    k.run("wait", "pod/plain", "--for=condition=Ready", "--timeout=120s")
    k.run("create", "service", "nodeport", "plain", f"--tcp=80:{port}")
    k.run("patch", "service", "plain", "-p", '{"spec":{"selector":{"app":"plain"}}}')
    node_port = k.json("get", "service", "plain")["spec"]["ports"][0]["nodePort"]
    wait_for(lambda: reachable(f"http://127.0.0.1:{node_port}/", "served-by-process"), timeout=60)


SCRATCH_SYNC = """
import sys
from kybernetes.proxy import iptables
from kybernetes.proxy.model import build_service_ports
from kybernetes.proxy.rules import ProxyConfig, generate
from tests.unit.test_proxy_rules import service, slice_for
step = sys.argv[1]
if step == "sync":
    iptables.ensure_jumps()
    iptables.ensure_jumps()
    services = [service(), service(name="db", cluster_ip="10.96.0.21", kind="NodePort", node_port=30500)]
    existing = iptables.chains_in_save(iptables.save(("nat",))).get("nat", set())
    iptables.restore(generate(build_service_ports(services, [slice_for(), slice_for("db")]),
                              ProxyConfig("node-a"), existing))
elif step == "shrink":
    existing = iptables.chains_in_save(iptables.save(("nat",))).get("nat", set())
    iptables.restore(generate(build_service_ports([service()], [slice_for()]),
                              ProxyConfig("node-a"), existing))
elif step == "cleanup":
    iptables.cleanup()
"""


@needs_iptables
def test_sync_in_scratch_netns_is_idempotent_and_leaves_foreign_rules(tmp_path):
    from kybernetes.proxy.rules import JUMPS, service_chain
    from kybernetes.proxy.model import build_service_ports
    from tests.unit.test_proxy_rules import service, slice_for
    netns = f"kybproxy-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    root = str(Path(__file__).resolve().parents[2])

    def inside(*argv: str, stdin: str | None = None) -> str:
        return subprocess.run(["ip", "netns", "exec", netns, *argv], input=stdin, text=True,
                              capture_output=True, check=True, cwd=root).stdout
    try:
        inside("iptables", "-t", "nat", "-N", "FOREIGN")
        inside("iptables", "-t", "nat", "-A", "FOREIGN", "-j", "RETURN")
        inside("iptables", "-t", "nat", "-A", "PREROUTING", "-j", "FOREIGN")
        inside(sys.executable, "-c", SCRATCH_SYNC, "sync")
        saved = inside("iptables-save")
        jumps = [line for line in saved.splitlines()
                 if line.startswith(("-A INPUT", "-A FORWARD", "-A OUTPUT", "-A PREROUTING",
                                     "-A POSTROUTING")) and "KUBE-" in line]
        assert len(jumps) == len(JUMPS)  # ensure_jumps twice: each jump once
        db = service_chain(build_service_ports([service(name="db", cluster_ip="10.96.0.21")],
                                               [slice_for("db")])[0])
        assert f":{db} " in saved
        inside(sys.executable, "-c", SCRATCH_SYNC, "shrink")
        saved = inside("iptables-save")
        assert f":{db} " not in saved and "--dport 30500" not in saved
        assert "-A FOREIGN -j RETURN" in saved and "-A PREROUTING -j FOREIGN" in saved
        inside(sys.executable, "-c", SCRATCH_SYNC, "cleanup")
        saved = inside("iptables-save")
        assert "KUBE-" not in saved
        assert "-A FOREIGN -j RETURN" in saved and "-A PREROUTING -j FOREIGN" in saved
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)
