# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Real etcd members for tests (Debian's etcd-server; `make install` installs it as root)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def etcd_available() -> bool:
    return shutil.which("etcd") is not None


class EtcdMember:
    """One etcd member on loopback ports in its own data dir."""

    def __init__(self, data_dir: Path, name: str = "default") -> None:
        self.data_dir = data_dir
        self.name = name
        self.client_port = _free_port()
        self.peer_port = _free_port()
        self.url = f"http://127.0.0.1:{self.client_port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "EtcdMember":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "etcd.log", "ab")
        self.process = subprocess.Popen(
            ["etcd", "--name", self.name, "--data-dir", str(self.data_dir / "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", f"http://127.0.0.1:{self.peer_port}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{self.peer_port}",
             "--initial-cluster", f"{self.name}=http://127.0.0.1:{self.peer_port}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                    if b"true" in response.read():
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"etcd did not start: {(self.data_dir / 'etcd.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
