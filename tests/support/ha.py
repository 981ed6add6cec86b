# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A highly available control plane of real processes for tests: API servers sharing one
etcd cluster and one PKI, components pointed at all of them through the client-side
load balancer (the kubeconfig's `kybernetes.io/servers` extension)."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from kybernetes.client.loadbalancer import with_servers
from tests.integration.conftest import Server

# What a joining control-plane member needs from the first one, as kubeadm's
# `join --control-plane` copies it: the CAs and the service-account key pair. Each
# server issues its own serving certificate (its own SANs) from the shared CA.
SHARED_PKI = ("ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key")


def copy_shared_pki(source_data_dir: Path, target_data_dir: Path) -> None:
    target = target_data_dir / "pki"
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    for name in SHARED_PKI:
        shutil.copy2(source_data_dir / "pki" / name, target / name)


def start_apiservers(base: Path, count: int, extra_args: list[str]) -> list[Server]:
    """`count` API servers on their own ports; the first makes the PKI, the others get
    a copy of its shared part. Stops what started if one fails."""
    servers: list[Server] = []
    try:
        for index in range(count):
            server = Server(base / f"apiserver-{index}", extra_args, command="apiserver")
            servers.append(server)
            if index:
                copy_shared_pki(servers[0].data_dir, server.data_dir)
            server.start()
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


def write_ha_kubeconfig(servers: list[Server], path: Path) -> Path:
    """The first server's admin kubeconfig listing every server for the client LB."""
    config = yaml.safe_load(servers[0].kubeconfig.read_text())
    path.write_text(yaml.safe_dump(with_servers(config, [s.url for s in servers]), sort_keys=False))
    path.chmod(0o600)
    return path


class Component:
    """A `kybernetes <command>` process (controller-manager, scheduler, simulate, agent)."""

    def __init__(self, name: str, args: list[str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "kybernetes.cli.main", *args],
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
