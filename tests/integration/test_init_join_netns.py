# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Seed 002's kubeadm flow, end to end on one machine: `kybernetes init` on the host
(every path in a temporary directory, the API server advertised on a host bridge, pods
run with runc), the printed `kybernetes join ...` line run inside two network
namespaces (tests/support/netns_nodes.py) as two worker machines, three nodes Ready, and
a `kubectl create deployment` of nginx whose three pods spread over the three nodes
(topology spread on the host name, tolerating the control-plane taint) and each answer
HTTP on its pod IP from the host (host-gw routes carry the traffic)."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.conftest import KUBECTL_DIR, free_port
from tests.support.netns_nodes import Agent, NetnsNode, needs_netns, netns_nodes
from tests.support.runc_cluster import mounts_under, needs_runc
from tests.support.waiting import wait_for

pytestmark = [needs_runc, needs_netns,
              pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                 reason="kubectl 1.32 is not installed")]
REPO = Path(__file__).resolve().parents[2]
CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane"


def kubectl(admin: Path, *args: str, check: bool = True, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([str(KUBECTL_DIR / "kubectl.1.32"), *args], capture_output=True, text=True,
                            env=dict(os.environ, KUBECONFIG=str(admin)), input=input, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def kubectl_json(admin: Path, *args: str) -> dict:
    return json.loads(kubectl(admin, *args, "-o", "json").stdout)


def parse_join_line(output: str) -> list[str]:
    """The arguments of the `kybernetes join ...` line init printed (it spans two lines,
    joined by a backslash, as kubeadm prints it)."""
    text = output.replace("\\\n", " ")
    match = re.search(r"^kybernetes join (\S+) --token (\S+)\s+"
                      r"--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})", text, re.MULTILINE)
    assert match, output
    return ["join", match.group(1), "--token", match.group(2), "--discovery-token-ca-cert-hash", match.group(3)]


def stop_process_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:  # not our child (init started it): poll for its end
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)


def join_inside(node: NetnsNode, join_args: list[str], registries_yaml: Path, registry_port: int) -> Agent:
    """Run the printed join line inside the node, as root on that machine would; the join
    goes on as the node's agent, which netns_nodes stops and cleans up like its own."""
    root = node.work_dir / "kubelet"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(registries_yaml, root / "registries.yaml")  # the runc runtime reads ROOT/registries.yaml
    node.forward_host_port(registry_port)  # the registry listens on the host's loopback
    log = node.work_dir / "join.log"
    process = node.popen(
        sys.executable, "-m", "kybernetes.cli.main", *join_args, "--node-name", node.name,
        "--node-ip", node.ip, "--data-dir", str(node.work_dir / "etc"), "--root-dir", str(root),
        "--runtime", "runc", "--disable-default-registry-endpoint",
        cwd=str(REPO), stdout=open(log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    agent = Agent(process, root, log)
    node.agents.append(agent)
    return agent


def cni_subnet(kubelet_root: Path) -> str:
    """The pod subnet in the node's CNI configuration, '' before there is one."""
    for conflist in kubelet_root.glob("**/net.d/10-kybernetes.conflist"):
        try:
            plugins = json.loads(conflist.read_text())["plugins"]
            return plugins[0]["ipam"]["ranges"][0][0]["subnet"]
        except (OSError, ValueError, KeyError, IndexError):
            return ""
    return ""


def diagnostics(network) -> str:
    """The host's routes and each node's routes and agent log, for a failure message."""
    parts = ["host routes:\n" + subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout]
    for node in network.nodes:
        routes = node.run("ip", "-4", "route", check=False).stdout
        logs = "\n".join(agent.log_tail() for agent in node.agents)
        parts.append(f"--- {node.name} ({node.ip}) routes:\n{routes}\nlog:\n{logs}")
    return "\n".join(parts)


def ready_nodes(admin: Path) -> dict[str, dict]:
    found = {}
    for node in kubectl_json(admin, "get", "nodes")["items"]:
        if any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"].get("conditions") or []):
            found[node["metadata"]["name"]] = node
    return found


def spread_deployment(admin: Path, replicas: int) -> str:
    """`kubectl create deployment` of nginx, with the pods spread one per host name and
    allowed on the control plane (kubeadm taints it NoSchedule)."""
    manifest = json.loads(kubectl(admin, "create", "deployment", "web", "--image", "nginx", "--replicas",
                                  str(replicas), "--port", "80", "--dry-run=client", "-o", "json").stdout)
    spec = manifest["spec"]["template"]["spec"]
    spec["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                          "whenUnsatisfiable": "DoNotSchedule",
                                          "labelSelector": {"matchLabels": {"app": "web"}}}]
    spec["tolerations"] = [{"key": CONTROL_PLANE_TAINT, "operator": "Exists", "effect": "NoSchedule"}]
    spec["terminationGracePeriodSeconds"] = 1
    return kubectl(admin, "apply", "-f", "-", input=json.dumps(manifest)).stdout


def http_get_from_host(ip: str) -> str:
    """The page at http://IP/ fetched from the host, '' while it does not answer."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://{ip}/", timeout=3) as response:
            return response.read().decode(errors="replace")
    except OSError:
        return ""


def test_init_then_join_two_machines_and_spread_nginx(tmp_path):
    from tests.support.registry import seed_registry, start_registry, write_registries_yaml
    registry = start_registry(tmp_path / "registry")
    try:
        seed_registry(registry)
        with netns_nodes(2, prefix="join") as network:
            # short: the server's Unix socket lives in the data dir (108-byte path limit)
            layout = Path(tempfile.mkdtemp(prefix="kyinit-"))
            data_dir, pki_dir = layout / "var", layout / "etc" / "pki"
            data_dir.mkdir(parents=True)
            registries_yaml = data_dir / "registries.yaml"  # the server's own kubelet reads it here
            write_registries_yaml(registries_yaml, registry.url)
            port = free_port()
            init = subprocess.run(
                [sys.executable, "-m", "kybernetes.cli.main", "init", "--detach", "--data-dir", str(data_dir),
                 "--pki-dir", str(pki_dir), "--systemd-dir", str(layout / "systemd"),
                 "--apiserver-advertise-address", network.host_ip, "--apiserver-bind-port", str(port),
                 "--bind-address", "0.0.0.0", "--runtime", "runc", "--ignore-preflight-errors", "all"],
                capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL, cwd=str(REPO))
            pid_file = data_dir / "server.pid"
            admin = layout / "etc" / "admin.conf"
            try:
                assert init.returncode == 0, init.stdout + init.stderr
                assert "Your Kubernetes control-plane has initialized successfully!" in init.stdout
                join_args = parse_join_line(init.stdout)
                assert join_args[1] == f"{network.host_ip}:{port}"
                registry_port = urlsplit(registry.url).port
                for node in network.nodes:
                    join_inside(node, join_args, registries_yaml, registry_port)

                def three_ready():
                    for node in network.nodes:
                        for agent in node.agents:
                            assert agent.running(), f"{node.name}:\n{agent.log_tail()}"
                    nodes = ready_nodes(admin)
                    if len(nodes) != 3 or not all(n["spec"].get("podCIDR") for n in nodes.values()):
                        return None
                    # and each kubelet has put its assigned range into its CNI configuration
                    # (pods started before that would get addresses no other node routes)
                    roots = {node.name: node.work_dir / "kubelet" for node in network.nodes}
                    roots.update({name: data_dir / "kubelet" for name in nodes if name not in roots})
                    return nodes if all(cni_subnet(roots[name]) == node["spec"]["podCIDR"]
                                        for name, node in nodes.items()) else None
                nodes = wait_for(three_ready, timeout=180)
                control_plane = [n for n, node in nodes.items()
                                 if CONTROL_PLANE_TAINT in (node["metadata"].get("labels") or {})]
                assert len(control_plane) == 1
                assert set(nodes) == {*control_plane, *(n.name for n in network.nodes)}
                for node in network.nodes:  # the workers joined with their own addresses
                    addresses = nodes[node.name]["status"]["addresses"]
                    assert {"type": "InternalIP", "address": node.ip} in addresses
                # the workers' client certificates came from TLS bootstrap, approved automatically
                csrs = [c for c in kubectl_json(admin, "get", "csr")["items"]
                        if c["spec"]["username"].startswith("system:bootstrap:")]
                assert len(csrs) >= 2 and all(
                    any(cond["type"] == "Approved" for cond in c["status"]["conditions"]) for c in csrs)

                spread_deployment(admin, 3)
                kubectl(admin, "rollout", "status", "deployment/web", "--timeout=240s", timeout=260)
                pods = [p for p in kubectl_json(admin, "get", "pods", "-l", "app=web")["items"]
                        if not p["metadata"].get("deletionTimestamp")]
                assert len(pods) == 3
                assert sorted(p["spec"]["nodeName"] for p in pods) == sorted(nodes)
                for pod in pods:
                    assert pod["status"]["phase"] == "Running"
                    pod_ip = pod["status"]["podIP"]
                    try:
                        page = wait_for(lambda: http_get_from_host(pod_ip), timeout=60)
                    except AssertionError:
                        raise AssertionError(f"{pod['metadata']['name']} on {pod['spec']['nodeName']} does not "
                                             f"answer at {pod_ip}\n{diagnostics(network)}") from None
                    assert "nginx" in page.lower(), page
            finally:
                try:
                    if admin.exists() and pid_file.exists():
                        kubectl(admin, "delete", "deployments", "--all", "--wait=false", check=False)
                        kubectl(admin, "delete", "pods", "--all", "-A", "--grace-period=1", "--wait=false",
                                check=False)
                        try:
                            wait_for(lambda: not kubectl_json(admin, "get", "pods", "-A")["items"], timeout=120)
                            wait_for(lambda: not list((data_dir / "kubelet" / "runc" / "sandboxes").glob("*"))
                                     if (data_dir / "kubelet" / "runc" / "sandboxes").is_dir() else True,
                                     timeout=120)
                        except AssertionError:
                            pass  # the leftovers are removed below and by netns_nodes
                        for node in network.nodes:  # agents go while the server can still see them
                            node.stop_agents()
                finally:
                    if pid_file.exists():
                        stop_process_group(int(pid_file.read_text()))
                    for mount in mounts_under(layout):
                        subprocess.run(["umount", "-l", mount], check=False)
                    subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "proxy", "--cleanup"],
                                   check=False, capture_output=True)
                    shutil.rmtree(layout, ignore_errors=True)
    finally:
        registry.stop()
