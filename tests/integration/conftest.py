# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Fixtures that start a real kybernetes API server and drive it as users do: with the
real kubectl binaries and the official `kubernetes` Python client."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

KUBECTL_DIR = Path("/usr/lib/google-cloud-sdk/bin")
KUBECTL_VERSIONS = ("1.27", "1.32", "1.33")
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A `kybernetes apiserver` process in its own data dir."""

    def __init__(self, data_dir: Path, extra_args: list[str] = (), command: str = "apiserver") -> None:
        self.command = command
        self.data_dir = data_dir
        self.port = free_port()
        self.kubeconfig = data_dir / "admin.kubeconfig"
        self.url = f"https://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args)
        if command == "server" and "--runtime" not in self.extra_args:
            # no kubelet unless a test asks for one: its containers would outlive the server
            self.extra_args.append("--disable-agent")
        self.process: subprocess.Popen | None = None
        self.log = data_dir / "server.log"

    def start(self) -> "Server":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kybernetes.cli.main", self.command, "--data-dir",
             str(self.data_dir), "--port", str(self.port), "--bind-address", "127.0.0.1",
             *self.extra_args], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    if self.kubeconfig.exists():
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self, sig: int = 9) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Kubectl:
    def __init__(self, server: Server, cache_dir: Path, version: str = "1.32") -> None:
        self.server = server
        self.cache_dir = cache_dir
        self.binary = str(KUBECTL_DIR / f"kubectl.{version}")
        self.version = version

    def run(self, *args: str, input: str | None = None, check: bool = True,
            env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        full_env = dict(os.environ, KUBECONFIG=str(self.server.kubeconfig))
        full_env.pop("KUBECTL_EXTERNAL_DIFF", None)
        if env:
            full_env.update(env)
        result = subprocess.run([self.binary, "--cache-dir", str(self.cache_dir), *args],
                                input=input, capture_output=True, text=True, env=full_env,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args, "-o", "json").stdout)


def make_user(cluster: Server, name: str, *groups: str) -> Path:
    """A kubeconfig for `name` in `groups`, as `kybernetes kubeconfig user` prints it."""
    args = [sys.executable, "-m", "kybernetes.cli.main", "kubeconfig", "user", name,
            "--data-dir", str(cluster.data_dir)]
    for group in groups:
        args += ["--group", group]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    path = cluster.data_dir / f"user-{name.replace(':', '_')}-{uuid.uuid4().hex[:6]}.kubeconfig"
    path.write_text(out)
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    # The API server alone has no controller making each namespace's "default"
    # ServiceAccount, so its admission is off, as envtest runs kube-apiserver.
    srv = Server(tmp_path_factory.mktemp("server"),
                 ["--disable-admission-plugins=ServiceAccount"]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Server:
    """`kybernetes server`: the API server with every component that exists."""
    srv = Server(tmp_path_factory.mktemp("cluster"), command="server").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def cluster_kubectl(cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(cluster, tmp_path_factory.mktemp("cluster-kubectl-cache"))


@pytest.fixture
def cluster_namespace(cluster_kubectl) -> str:
    name = f"c-{uuid.uuid4().hex[:8]}"
    cluster_kubectl.run("create", "namespace", name)
    return name


@pytest.fixture(scope="session")
def cluster_api(cluster):
    from kubernetes import client, config
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(cluster.kubeconfig),
                            client_configuration=configuration)
    return client.ApiClient(configuration)


@pytest.fixture(scope="session")
def kubectl(server, tmp_path_factory) -> Kubectl:
    return Kubectl(server, tmp_path_factory.mktemp("kubectl-cache"))


@pytest.fixture(params=KUBECTL_VERSIONS)
def any_kubectl(request, server, tmp_path_factory) -> Kubectl:
    return Kubectl(server, tmp_path_factory.mktemp(f"cache-{request.param}"), request.param)


@pytest.fixture
def namespace(kubectl) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    return name


@pytest.fixture(scope="session")
def api_client(server):
    from kubernetes import client, config
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig),
                            client_configuration=configuration)
    return client.ApiClient(configuration)
