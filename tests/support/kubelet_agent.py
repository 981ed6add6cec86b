# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A `kybernetes agent` process joined to a test Server with its own node credentials.

    agent = Agent(cluster, tmp_path, "node-a", ["--runtime", "fake"]).start()
    ...
    agent.stop()

The agent listens on ephemeral ports (its HTTPS server and no healthz), so several may
run beside each other and beside other tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import Server, make_user


class Agent:
    def __init__(self, cluster: Server, directory: Path, node_name: str, extra_args: list[str] = (),
                 kubeconfig: Path | None = None) -> None:
        self.cluster = cluster
        self.directory = Path(directory)
        self.node_name = node_name
        self.extra_args = list(extra_args)
        self.kubeconfig = kubeconfig
        self.process: subprocess.Popen | None = None
        self.log = self.directory / f"agent-{node_name}.log"

    def args(self) -> list[str]:
        if self.kubeconfig is None:
            self.kubeconfig = make_user(self.cluster, f"system:node:{self.node_name}", "system:nodes")
        args = [sys.executable, "-m", "kybernetes.cli.main", "agent", "--kubeconfig", str(self.kubeconfig),
                "--hostname-override", self.node_name, "--node-ip", "127.0.0.1"]
        if "--port" not in self.extra_args:
            args += ["--port", "0"]
        if "--healthz-port" not in self.extra_args:
            args += ["--healthz-port", "0"]
        return args + self.extra_args

    def start(self) -> "Agent":
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.args(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_agent(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    """`kybernetes agent ARGS` expected to exit by itself (a usage error)."""
    return subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "agent", *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def leftover_processes(token: str) -> list[int]:
    """Pids of the containers a test started (their command line carries `token`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids
