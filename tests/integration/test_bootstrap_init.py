# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes init` in temporary directories (never /etc): kubeadm's file layout, the
server started from the unit's flags, the printed join line, and a node joining with it."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kybernetes.pki import certs
from tests.integration.conftest import KUBECTL_DIR, free_port
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")


def kubectl(kubeconfig: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(KUBECTL_DIR / "kubectl.1.32"), *args], capture_output=True, text=True,
                            env=dict(os.environ, KUBECONFIG=str(kubeconfig)), timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {result.stdout}{result.stderr}")
    return result


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            pass
        import time
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def initialized(tmp_path):
    port = free_port()
    layout = {"data": tmp_path / "var", "pki": tmp_path / "etc" / "pki", "systemd": tmp_path / "systemd",
              "etc": tmp_path / "etc", "port": port}
    result = subprocess.run(
        [sys.executable, "-m", "kybernetes.cli.main", "init", "--detach", "--data-dir", str(layout["data"]),
         "--pki-dir", str(layout["pki"]), "--systemd-dir", str(layout["systemd"]),
         "--apiserver-bind-port", str(port), "--apiserver-advertise-address", "127.0.0.1",
         "--bind-address", "127.0.0.1", "--control-plane-endpoint", f"127.0.0.1:{port}",
         "--pod-network-cidr", "10.100.0.0/16", "--service-cidr", "10.97.0.0/16", "--runtime", "fake",
         "--ignore-preflight-errors", "all"],
        capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    pid_file = layout["data"] / "server.pid"
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        layout["output"] = result.stdout
        yield layout
    finally:
        if pid_file.exists():
            _stop(int(pid_file.read_text()))


def test_init_writes_kubeadms_layout_and_prints_the_join_line(initialized, tmp_path) -> None:
    etc, pki = initialized["etc"], initialized["pki"]
    for name in ("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "apiserver-kubelet-client.crt",
                 "front-proxy-ca.crt", "front-proxy-client.crt", "sa.key", "sa.pub"):
        assert (pki / name).is_file(), name
    for name in ("admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"):
        assert (etc / name).is_file(), name
    unit = (initialized["systemd"] / "kybernetes.service").read_text()
    assert "--cluster-cidr 10.100.0.0/16" in unit and "--service-cluster-ip-range 10.97.0.0/16" in unit
    assert f"--cluster-signing-key-file {pki / 'ca.key'}" in unit
    joined = initialized["output"].replace(" \\\n\t", " ")
    match = re.search(r"^kybernetes join (\S+) --token (\S+) --discovery-token-ca-cert-hash (\S+)$", joined, re.M)
    assert match, initialized["output"]
    assert match.group(1) == f"127.0.0.1:{initialized['port']}"
    assert match.group(3) == certs.ca_hash((pki / "ca.crt").read_bytes())
    admin = etc / "admin.conf"
    whoami = json.loads(kubectl(admin, "auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]
    assert whoami["username"] == "kubernetes-admin" and "kubeadm:cluster-admins" in whoami["groups"]
    assert kubectl(admin, "auth", "can-i", "*", "*").stdout.strip() == "yes"
    assert kubectl(admin, "get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}").stdout == "10.97.0.1"
    info = yaml.safe_load(json.loads(kubectl(admin, "-n", "kube-public", "get", "cm", "cluster-info", "-o",
                                             "json").stdout)["data"]["kubeconfig"])
    assert info["clusters"][0]["cluster"]["server"] == f"https://127.0.0.1:{initialized['port']}"
    config = yaml.safe_load(json.loads(kubectl(admin, "-n", "kube-system", "get", "cm", "kubeadm-config", "-o",
                                               "json").stdout)["data"]["ClusterConfiguration"])
    assert config["kind"] == "ClusterConfiguration"
    assert config["networking"]["podSubnet"] == "10.100.0.0/16"
    assert config["controlPlaneEndpoint"] == f"127.0.0.1:{initialized['port']}"
    host = socket.gethostname().lower()
    node = json.loads(kubectl(admin, "get", "node", host, "-o", "json").stdout)
    assert "node-role.kubernetes.io/control-plane" in node["metadata"]["labels"]
    assert {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"} in node["spec"]["taints"]
    assert re.search(rf"^{re.escape(host)}\s+\S+\s+control-plane\s", kubectl(admin, "get", "nodes").stdout, re.M)
    expiration = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "certs", "check-expiration",
                                 "--pki-dir", str(pki)], capture_output=True, text=True, check=True).stdout
    assert {"admin.conf", "super-admin.conf", "scheduler.conf", "controller-manager.conf"} <= \
        {line.split()[0] for line in expiration.splitlines() if line}
    again = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "init", "--pki-dir", str(pki),
                            "--data-dir", str(initialized["data"]), "--systemd-dir", str(initialized["systemd"])],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert f"[ERROR FileAvailable-{str(etc / 'admin.conf').replace('/', '-')}]" in again.stderr

    # a worker joins with the printed line
    node_dir = tmp_path / "worker"
    log = open(tmp_path / "join.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "kybernetes.cli.main", *match.group(0).split()[1:],
                               "--runtime", "fake", "--node-name", "worker-1", "--data-dir", str(node_dir),
                               "--root-dir", str(node_dir / "kubelet"), "--port", "0"],
                              stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def ready():
            assert worker.poll() is None, (tmp_path / "join.log").read_text()
            result = kubectl(admin, "get", "node", "worker-1", "-o", "json", check=False)
            return result.returncode == 0 and any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in json.loads(result.stdout)["status"].get("conditions") or [])
        wait_for(ready)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def test_init_preflight_refuses_a_busy_port(tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kybernetes.cli.main", "init", "--data-dir", str(tmp_path / "var"),
             "--pki-dir", str(tmp_path / "etc" / "pki"), "--systemd-dir", str(tmp_path / "systemd"),
             "--apiserver-bind-port", str(port), "--bind-address", "127.0.0.1"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert f"[ERROR Port-{port}]: Port {port} is in use" in result.stderr
    assert "--ignore-preflight-errors" in result.stderr
    assert not (tmp_path / "etc").exists()  # nothing written before the checks pass
