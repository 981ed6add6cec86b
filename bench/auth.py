# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What TLS and RBAC add to a request, measured in one run against one server.

Starts `kybernetes server --disable-agent` (default `--authorization-mode=Node,RBAC`; its
controller manager fills the aggregated `view` role) in a temp dir,
makes a user `viewer` bound to the `view` ClusterRole (`kybernetes kubeconfig user`), and
times sequential GETs of one ConfigMap (N each, after a warm-up) along four paths:

  socket, no TLS     the in-process Unix socket (a component identity that RBAC
                     authorizes: system:kube-controller-manager)
  TLS, masters       HTTPS keep-alive as the admin (system:masters skips RBAC)
  TLS + RBAC         HTTPS keep-alive as `viewer` (RBAC evaluates the view role)
  TLS handshake      a new HTTPS connection per request as `viewer` (handshake + RBAC)

Prints p50/p99 per path and the differences: TLS = (TLS, masters) - socket; RBAC =
(TLS + RBAC) - (TLS, masters); handshake = (TLS handshake) - (TLS + RBAC).

    .venv/bin/python bench/auth.py [--requests 2000]
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import Server  # noqa: E402

NAMESPACE, NAME = "default", "bench-auth"
PATH = f"/api/v1/namespaces/{NAMESPACE}/configmaps/{NAME}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def tls_context(kubeconfig: dict, workdir: Path, name: str) -> ssl.SSLContext:
    import base64
    cluster = kubeconfig["clusters"][0]["cluster"]
    user = kubeconfig["users"][0]["user"]
    ca = workdir / f"{name}-ca.crt"
    cert = workdir / f"{name}.crt"
    key = workdir / f"{name}.key"
    ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
    cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
    key.write_bytes(base64.b64decode(user["client-key-data"]))
    context = ssl.create_default_context(cafile=str(ca))
    context.load_cert_chain(str(cert), str(key))
    return context


async def timed(session: aiohttp.ClientSession, url: str, count: int,
                headers: dict | None = None) -> list[float]:
    for _ in range(50):  # warm-up: caches, connection
        async with session.get(url, headers=headers) as response:
            assert response.status == 200, await response.text()
            await response.read()
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            await response.read()
        timings.append(time.perf_counter() - started)
    return timings


async def measure(server: Server, admin: dict, viewer: dict, workdir: Path, count: int) -> dict:
    results = {}
    socket_path = server.data_dir / "apiserver.sock"
    connector = aiohttp.UnixConnector(path=str(socket_path))
    async with aiohttp.ClientSession(connector=connector) as session:
        results["socket, no TLS"] = await timed(
            session, "http://localhost" + PATH,
            count, headers={"Kybernetes-Component": "system:kube-controller-manager"})
    for label, config, reuse in (("TLS, masters", admin, True), ("TLS + RBAC", viewer, True),
                                 ("TLS handshake", viewer, False)):
        context = tls_context(config, workdir, label.replace(" ", "").replace(",", "").replace("+", ""))
        connector = aiohttp.TCPConnector(ssl=context, force_close=not reuse)
        async with aiohttp.ClientSession(connector=connector) as session:
            results[label] = await timed(session, server.url + PATH,
                                         count if reuse else max(count // 4, 100))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    server = Server(work / "server", command="server").start()
    try:
        kubectl = ["kubectl", "--kubeconfig", str(server.kubeconfig)]
        subprocess.run([*kubectl, "create", "configmap", NAME, "-n", NAMESPACE, "--from-literal=a=b"],
                       check=True, capture_output=True)
        subprocess.run([*kubectl, "create", "clusterrolebinding", "bench-viewer", "--clusterrole=view",
                        "--user=viewer"], check=True, capture_output=True)
        made = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "kubeconfig", "user", "viewer",
                               "--data-dir", str(server.data_dir), "--server", server.url],
                              check=True, capture_output=True, text=True)
        viewer = yaml.safe_load(made.stdout)
        from tests.support.waiting import wait_for
        wait_for(lambda: subprocess.run([*kubectl, "auth", "can-i", "get", "configmaps", "--as",
                                         "viewer"], capture_output=True, text=True).stdout.strip() == "yes")
        admin = yaml.safe_load(server.kubeconfig.read_text())
        results = asyncio.run(measure(server, admin, viewer, work, args.requests))
        p50 = {label: statistics.median(values) * 1e6 for label, values in results.items()}
        for label, values in results.items():
            print(f"{label:16s} p50 {p50[label]:7.0f} µs  p99 {percentile(values, 0.99) * 1e6:7.0f} µs"
                  f"  ({len(values)} GETs)")
        print(f"added by TLS (keep-alive):  {p50['TLS, masters'] - p50['socket, no TLS']:+.0f} µs p50")
        print(f"added by RBAC:              {p50['TLS + RBAC'] - p50['TLS, masters']:+.0f} µs p50")
        print(f"added by a TLS handshake:   {p50['TLS handshake'] - p50['TLS + RBAC']:+.0f} µs p50")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
