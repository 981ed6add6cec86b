# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NetworkPolicy end to end: `kybernetes server --runtime runc` enforces policies on its
own node with iptables. An nginx pod app=db in namespace A; busybox clients in A (one
role=frontend, one not) and in B (role=frontend); A is labelled team=x, B team=y.
Policies are applied with the real kubectl and checked with `timeout 2 wget` from inside the
clients; the db pod's httpGet readiness probe must keep passing while it is isolated.
Deleting the policies restores access and removes every KUBE-NWPLCY chain."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for

needs_cluster = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runc") or not shutil.which("iptables-restore")
    or not shutil.which("docker-registry"), reason="needs root, runc, iptables and docker-registry")
needs_iptables = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("iptables-restore") or not shutil.which("ip"),
    reason="needs root, iptables and ip")
ROOT = str(Path(__file__).resolve().parents[2])


def nwplcy_lines(save: str | None = None) -> int:
    """`iptables-save | grep -c NWPLCY`."""
    if save is None:
        save = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    return sum("NWPLCY" in line for line in save.splitlines())


def netpol_cleanup() -> None:
    subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "netpol", "--cleanup"],
                   check=True, cwd=ROOT)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from tests.support.runc_cluster import runc_cluster
    try:
        with runc_cluster(tmp_path_factory, "netpol") as server:
            k = Kubectl(server, tmp_path_factory.mktemp("netpol-kubectl"))
            wait_for(lambda: any(c["type"] == "Ready" and c["status"] == "True"
                                 for node in k.json("get", "nodes")["items"]
                                 for c in node["status"].get("conditions", [])), timeout=60)
            yield k
    finally:
        # a stopped server leaves its rules in place (as kube-router does): remove them
        netpol_cleanup()
    assert nwplcy_lines() == 0


def busybox(name: str, labels: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                {"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}


def nginx(name: str, labels: dict, probe: bool = False) -> dict:
    container = {"name": "nginx", "image": "nginx",
                 "ports": [{"name": "http", "containerPort": 80}]}
    if probe:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": "http"},
                                       "periodSeconds": 2, "failureThreshold": 1}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [container]}}


def network_policy(name: str, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name}, "spec": spec}


def apply(k: Kubectl, namespace: str, obj: dict) -> None:
    k.run("apply", "-n", namespace, "-f", "-", input=json.dumps(obj))


def reaches(k: Kubectl, namespace: str, client: str, ip: str) -> bool:
    # `timeout 2 wget`, not `wget -T 2`: Debian's busybox-static is built without wget's
    # timeout option, and crashes (SIGSEGV) when given -T
    result = k.run("exec", "-n", namespace, client, "--", "timeout", "2", "wget", "-q", "-O", "-",
                   f"http://{ip}/", check=False, timeout=60)
    return result.returncode == 0 and "Welcome to nginx" in result.stdout


def ready(k: Kubectl, namespace: str, pod: str) -> bool:
    conditions = k.json("get", "pod", pod, "-n", namespace)["status"].get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


@needs_cluster
def test_policies_isolate_admit_and_restore(cluster: Kubectl):
    k = cluster
    suffix = uuid.uuid4().hex[:6]
    ns_a, ns_b = f"np-a-{suffix}", f"np-b-{suffix}"
    for namespace, team in ((ns_a, "x"), (ns_b, "y")):
        k.run("create", "namespace", namespace)
        k.run("label", "namespace", namespace, f"team={team}")
        wait_for(lambda: k.run("get", "serviceaccount", "default", "-n", namespace,
                               check=False).returncode == 0)
    try:
        apply(k, ns_a, nginx("db", {"app": "db"}, probe=True))
        apply(k, ns_b, nginx("web", {"app": "web"}))
        clients = [(ns_a, "front"), (ns_a, "other"), (ns_b, "front")]
        apply(k, ns_a, busybox("front", {"role": "frontend"}))
        apply(k, ns_a, busybox("other", {"role": "other"}))
        apply(k, ns_b, busybox("front", {"role": "frontend"}))
        for namespace, pod in clients + [(ns_a, "db"), (ns_b, "web")]:
            k.run("wait", f"pod/{pod}", "-n", namespace, "--for=condition=Ready", "--timeout=180s")
        db_ip = k.json("get", "pod", "db", "-n", ns_a)["status"]["podIP"]
        web_ip = k.json("get", "pod", "web", "-n", ns_b)["status"]["podIP"]

        def probe_failures() -> int:
            """Unhealthy events of the db so far (a probe may fail before nginx listens)."""
            return sum(e.get("count", 1) for e in k.json("get", "events", "-n", ns_a)["items"]
                       if e.get("reason") == "Unhealthy" and e["involvedObject"].get("name") == "db")
        failures_before_policies = probe_failures()

        def reachability() -> dict:
            return {(ns, pod): reaches(k, ns, pod, db_ip) for ns, pod in clients}

        # no policy: everyone reaches the db
        for namespace, pod in clients:
            wait_for(lambda: reaches(k, namespace, pod, db_ip), timeout=60)

        # default deny ingress in A: nobody does
        apply(k, ns_a, network_policy("default-deny-ingress", {
            "podSelector": {}, "policyTypes": ["Ingress"]}))
        wait_for(lambda: not any(reachability().values()), timeout=60)
        assert nwplcy_lines() > 0
        # the kubelet's probe comes from the node: the isolated db stays Ready
        assert ready(k, ns_a, "db")

        # frontends of team=x namespaces on port 80: exactly A's frontend
        apply(k, ns_a, network_policy("allow-team-x-frontends", {
            "podSelector": {"matchLabels": {"app": "db"}},
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}},
                                   "podSelector": {"matchLabels": {"role": "frontend"}}}],
                         "ports": [{"protocol": "TCP", "port": 80}]}]}))
        expected = {(ns_a, "front"): True, (ns_a, "other"): False, (ns_b, "front"): False}
        wait_for(lambda: reachability() == expected, timeout=60)

        # egress: A's frontend may reach everything but the db's address
        apply(k, ns_a, network_policy("frontend-egress", {
            "podSelector": {"matchLabels": {"role": "frontend"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [f"{db_ip}/32"]}}]}]}))
        wait_for(lambda: not reaches(k, ns_a, "front", db_ip), timeout=60)
        assert reaches(k, ns_a, "front", web_ip)
        assert ready(k, ns_a, "db")
        policies = k.run("get", "networkpolicies", "-n", ns_a).stdout
        assert "allow-team-x-frontends" in policies and "app=db" in policies

        # deleting the policies restores access and takes every chain away
        k.run("delete", "networkpolicies", "--all", "-n", ns_a)
        for namespace, pod in clients:
            wait_for(lambda: reaches(k, namespace, pod, db_ip), timeout=60)
        wait_for(lambda: nwplcy_lines() == 0, timeout=60)
        assert probe_failures() == failures_before_policies  # policies never blocked the kubelet
    finally:
        for namespace in (ns_a, ns_b):
            k.run("delete", "namespace", namespace, "--wait=false", check=False)


SCRATCH = """
import json, sys
from kybernetes.netpol import iptables
from kybernetes.netpol.rules import desired_chains
from tests.unit.test_netpol_rules import NAMESPACES, PODS, policy
step = sys.argv[1]
deny = [policy("deny", "a", types=["Ingress", "Egress"])]
allow = [policy("allow", "a", {"matchLabels": {"app": "db"}},
                ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
                          "ports": [{"port": 80}, {"port": 443}, {"port": "http"},
                                    {"protocol": "SCTP", "port": 9000, "endPort": 9100}]}],
                egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.2.0/24"]}}],
                         "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP"}]}])]
one = desired_chains(deny, PODS, NAMESPACES, "node-a")
two = desired_chains(deny + allow, PODS, NAMESPACES, "node-a")
if step == "apply":
    iptables.apply(one, None, set())
    iptables.apply(one, None, set())
elif step == "grow":
    iptables.apply(two, one)
elif step == "shrink":
    iptables.apply({}, two)
elif step == "regrow":
    iptables.apply(two, None, set())
elif step == "cleanup":
    iptables.cleanup()
print(json.dumps({c: len(r) for c, r in two.items()}))
"""


@needs_iptables
def test_apply_and_cleanup_in_scratch_netns_leave_foreign_rules():
    netns = f"kybnetpol-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", netns], check=True)

    def inside(*argv: str) -> str:
        return subprocess.run(["ip", "netns", "exec", netns, *argv], text=True,
                              capture_output=True, check=True, cwd=ROOT).stdout
    try:
        inside("iptables", "-N", "FOREIGN")
        inside("iptables", "-A", "FOREIGN", "-j", "RETURN")
        inside("iptables", "-A", "FORWARD", "-j", "FOREIGN")
        inside(sys.executable, "-c", SCRATCH, "apply")  # twice: the jump is there once
        saved = inside("iptables-save", "-t", "filter")
        forward = [line for line in saved.splitlines() if line.startswith("-A FORWARD")]
        assert forward[0].endswith("-j KUBE-NWPLCY-FORWARD")
        assert sum("KUBE-NWPLCY-FORWARD" in line for line in forward) == 1
        assert "-A FORWARD -j FOREIGN" in forward
        # another jump inserted above ours (kube-proxy starting later): ours goes first again
        inside("iptables", "-I", "FORWARD", "1", "-j", "FOREIGN")
        wanted = json.loads(inside(sys.executable, "-c", SCRATCH, "grow"))
        saved = inside("iptables-save", "-t", "filter")
        forward = [line for line in saved.splitlines() if line.startswith("-A FORWARD")]
        assert forward[0].endswith("-j KUBE-NWPLCY-FORWARD")
        from kybernetes.netpol.rules import own_chains_in_save
        assert own_chains_in_save(saved) == wanted
        assert "--dports 80,443" in saved and "-j DROP" in saved
        assert "-m sctp --dport 9000:9100" in saved and "-d 10.1.3.0/24 -p udp" in saved
        inside(sys.executable, "-c", SCRATCH, "shrink")
        assert nwplcy_lines(inside("iptables-save")) == 0
        inside(sys.executable, "-c", SCRATCH, "regrow")
        assert nwplcy_lines(inside("iptables-save")) > 0
        inside(sys.executable, "-c", SCRATCH, "cleanup")
        saved = inside("iptables-save")
        assert nwplcy_lines(saved) == 0
        assert "-A FOREIGN -j RETURN" in saved and "-A FORWARD -j FOREIGN" in saved
    finally:
        subprocess.run(["ip", "netns", "delete", netns], check=False)


def test_netpol_command_without_kubeconfig_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "netpol"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    expected = "--kubeconfig is required" if shutil.which("iptables-restore") else "needs iptables"
    assert result.stderr.startswith("kybernetes: error:") and expected in result.stderr
    assert "Traceback" not in result.stderr
