# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Kubelet client-certificate rotation against `kybernetes server --cluster-signing-duration
60s`: a node joined with a bootstrap token keeps its certificate in
<root-dir>/pki/kubelet-client-current.pem, renews it through self-node CSRs that the
controllers approve, switches to each new one without restarting, and stays Ready (its
Lease keeps being renewed) well past the lifetime of its first certificate."""
from __future__ import annotations

import datetime
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from kybernetes.pki import certs
from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")
NODE = "rotating-1"


def current_certificate(pki: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate((pki / "kubelet-client-current.pem").read_bytes())
    except (FileNotFoundError, ValueError):
        return None


def node_ready(kubectl: Kubectl) -> bool:
    result = kubectl.run("get", "node", NODE, "-o", "json", check=False)
    if result.returncode != 0:
        return False
    conditions = json.loads(result.stdout)["status"].get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def lease_renewed_after(kubectl: Kubectl, moment: datetime.datetime) -> bool:
    lease = kubectl.json("get", "lease", NODE, "-n", "kube-node-lease")
    renewed = datetime.datetime.fromisoformat(lease["spec"]["renewTime"].replace("Z", "+00:00"))
    return renewed > moment


def test_node_certificate_rotates_and_node_stays_ready(tmp_path):
    server = Server(tmp_path / "server", ["--cluster-signing-duration", "60s"], command="server")
    node_dir = tmp_path / "node"
    process = None
    try:
        server.start()
        kubectl = Kubectl(server, tmp_path / "cache")
        token = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "token", "create",
                                "--data-dir", str(server.data_dir)],
                               capture_output=True, text=True, check=True).stdout.strip()
        ca_hash = certs.ca_hash((server.data_dir / "pki" / "ca.crt").read_bytes())
        log = open(tmp_path / "join.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "kybernetes.cli.main", "join", f"127.0.0.1:{server.port}", "--token", token,
             "--discovery-token-ca-cert-hash", ca_hash, "--runtime", "fake", "--node-name", NODE,
             "--data-dir", str(node_dir), "--root-dir", str(node_dir / "kubelet"), "--port", "0",
             "--healthz-port", "0"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def ready():
            assert process.poll() is None, (tmp_path / "join.log").read_text()
            return node_ready(kubectl)
        wait_for(ready)
        pki = node_dir / "kubelet" / "pki"
        first = current_certificate(pki)
        assert first is not None and (pki / "kubelet-client-current.pem").is_symlink()
        # the kubeconfig names the rotating file, as kubeadm's kubelet.conf
        kubeconfig = (node_dir / "kubelet.kubeconfig").read_text()
        assert f"client-certificate: {pki / 'kubelet-client-current.pem'}" in kubeconfig
        assert first.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc) \
            <= datetime.timedelta(seconds=60)

        serials = [first.serial_number]

        def rotated():
            assert process.poll() is None, (tmp_path / "join.log").read_text()
            cert = current_certificate(pki)
            if cert is not None and cert.serial_number != serials[-1]:
                serials.append(cert.serial_number)
            return len(serials) >= 3
        wait_for(rotated, timeout=150)
        # each renewal was a node asking for itself, approved as such
        renewals = [c for c in kubectl.json("get", "csr")["items"]
                    if c["spec"]["username"] == f"system:node:{NODE}"]
        assert len(renewals) >= 2
        for csr in renewals:
            if csr["status"].get("certificate"):
                approved = next(c for c in csr["status"]["conditions"] if c["type"] == "Approved")
                assert approved["reason"] == "AutoApproved"
        # past the first certificate's end the kubelet still talks to the API: the switch worked
        wait_for(lambda: datetime.datetime.now(datetime.timezone.utc) > first.not_valid_after_utc
                 + datetime.timedelta(seconds=1), timeout=120)
        after = datetime.datetime.now(datetime.timezone.utc)
        wait_for(lambda: lease_renewed_after(kubectl, after), timeout=60)
        assert node_ready(kubectl) and process.poll() is None
        files = sorted(p.name for p in pki.glob("kubelet-client-*.pem") if not p.is_symlink())
        assert len(files) >= 1 and (pki / "kubelet-client-current.pem").resolve().name in files
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        server.stop()
