# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Ingress benchmark: prints figures, asserts nothing.

Starts `kybernetes server` (no node), `kybernetes ingress` on free loopback ports, and
two stand-in pods: nginx processes on 127.0.0.1 answering a fixed body (an EndpointSlice
sends their Services there, as to a pod IP). In the same run it measures:
  requests/s (and p50/p99) straight to the pod address and through the ingress, with
  the same keep-alive client, and their ratio;
  with 100 Ingresses served, the time from an Ingress update being stored to traffic
  taking the new backend (render, nginx -t, graceful reload), and the controller's
  pure render time for those 100 Ingresses.

    .venv/bin/python bench/ingress.py [--seconds 5] [--concurrency 32] [--ingresses 100]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.integration.conftest import Kubectl, Server, free_port  # noqa: E402
from tests.support.waiting import wait_for  # noqa: E402

NGINX = shutil.which("nginx", path=f"{os.defpath}:/usr/sbin")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_pod_stand_in(directory: Path, body: str) -> tuple[subprocess.Popen, int]:
    """An nginx answering `body` on 127.0.0.1:<free port> (one worker, as a small pod)."""
    port = free_port()
    directory.mkdir(parents=True)
    (directory / "tmp").mkdir()
    conf = directory / "nginx.conf"
    conf.write_text(
        f"daemon off; worker_processes 1; pid {directory}/nginx.pid; error_log {directory}/error.log;\n"
        "events { worker_connections 4096; }\n"
        f"http {{ access_log off; client_body_temp_path {directory}/tmp; proxy_temp_path {directory}/tmp;"
        f" fastcgi_temp_path {directory}/tmp; uwsgi_temp_path {directory}/tmp; scgi_temp_path {directory}/tmp;\n"
        f"  server {{ listen 127.0.0.1:{port}; keepalive_requests 100000;"
        f" location / {{ return 200 \"{body}\\n\"; }} }} }}\n")
    process = subprocess.Popen([NGINX, "-p", str(directory), "-c", str(conf), "-e",
                                str(directory / "error.log")], stdin=subprocess.DEVNULL)
    return process, port


def backend_objects(name: str, port: int) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
             "spec": {"ports": [{"name": "http", "port": 80, "targetPort": port}]}},
            {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
             "metadata": {"name": f"{name}-bench", "labels": {
                 "kubernetes.io/service-name": name,
                 "endpointslice.kubernetes.io/managed-by": "bench.kybernetes.io"}},
             "addressType": "IPv4", "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
             "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}]}]


def ingress(name: str, host: str, service: str) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name},
            "spec": {"rules": [{"host": host, "http": {"paths": [
                {"path": "/", "pathType": "Prefix",
                 "backend": {"service": {"name": service, "port": {"number": 80}}}}]}}]}}


def apply(k: Kubectl, *objects: dict) -> None:
    k.run("apply", "-n", "bench", "-f", "-",
          input=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)}))


async def load(url: str, host: str | None, seconds: float, concurrency: int) -> tuple[float, list[float]]:
    """Requests/s and latencies of `concurrency` keep-alive clients for `seconds`."""
    headers = {"Host": host} if host else {}
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url}: HTTP {response.status}")
                latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(latencies) / (time.perf_counter() - started), latencies


def body_of(port: int, host: str) -> str:
    result = subprocess.run(["curl", "-s", "--max-time", "5", "-H", f"Host: {host}",
                             f"http://127.0.0.1:{port}/"], capture_output=True, text=True)
    return result.stdout.strip()


def render_time(k: Kubectl, rounds: int = 20) -> float:
    """Seconds to build the model and render nginx.conf from the cluster's objects."""
    from kybernetes.ingress import model
    from kybernetes.ingress.render import Layout, render
    objects = {kind: k.json("get", kind, "-A")["items"]
               for kind in ("ingresses", "services", "endpointslices", "secrets")}
    started = time.perf_counter()
    for _ in range(rounds):
        render(model.build(objects["ingresses"], objects["services"], objects["endpointslices"],
                           objects["secrets"]), Layout(Path("/tmp/bench")))
    return (time.perf_counter() - started) / rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--ingresses", type=int, default=100)
    parser.add_argument("--reloads", type=int, default=6)
    args = parser.parse_args()
    if NGINX is None or not shutil.which("curl"):
        print("bench/ingress.py needs nginx and curl", file=sys.stderr)
        return 1
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="bench-ingress-") as tmp:
        root = Path(tmp)
        server = Server(root / "data", command="server").start()
        try:
            k = Kubectl(server, root / "cache")
            pod_a, port_a = start_pod_stand_in(root / "pod-a", "pod-a")
            pod_b, port_b = start_pod_stand_in(root / "pod-b", "pod-b")
            processes += [pod_a, pod_b]
            http_port = free_port()
            controller = subprocess.Popen(
                [sys.executable, "-m", "kybernetes.cli.main", "ingress", "--kubeconfig",
                 str(server.kubeconfig), "--data-dir", str(root / "ingress"), "--http-port",
                 str(http_port), "--https-port", str(free_port()), "--bind-address", "127.0.0.1"],
                stdin=subprocess.DEVNULL, stdout=open(root / "controller.log", "wb"),
                stderr=subprocess.STDOUT)
            processes.insert(0, controller)
            k.run("create", "namespace", "bench")
            k.run("apply", "-f", "-", input=json.dumps({
                "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                "metadata": {"name": "nginx", "annotations": {
                    "ingressclass.kubernetes.io/is-default-class": "true"}},
                "spec": {"controller": "kybernetes.io/ingress-nginx"}}))
            apply(k, *backend_objects("a", port_a), *backend_objects("b", port_b),
                  ingress("bench", "bench.test", "a"))
            wait_for(lambda: body_of(http_port, "bench.test") == "pod-a", timeout=60)

            print(f"{args.concurrency} keep-alive clients (aiohttp), {args.seconds:.0f} s each, "
                  f"stand-in pod: nginx on 127.0.0.1 answering a fixed body")
            print(f"{'path':28} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8}")
            rates = {}
            for label, url, host in (("direct to the pod address", f"http://127.0.0.1:{port_a}/", None),
                                     ("through the ingress", f"http://127.0.0.1:{http_port}/",
                                      "bench.test")):
                asyncio.run(load(url, host, 1, args.concurrency))  # warm up
                rate, latencies = asyncio.run(load(url, host, args.seconds, args.concurrency))
                rates[label] = rate
                print(f"{label:28} {rate:11.0f} {percentile(latencies, 0.5) * 1000:8.2f} "
                      f"{percentile(latencies, 0.99) * 1000:8.2f}")
            print(f"ingress / direct ratio: {rates['through the ingress'] / rates['direct to the pod address']:.2f}")

            apply(k, *(ingress(f"many-{i}", f"host-{i}.bench.test", "a")
                       for i in range(args.ingresses)))
            last = f"host-{args.ingresses - 1}.bench.test"
            wait_for(lambda: body_of(http_port, last) == "pod-a", timeout=120)
            times = []
            for round_ in range(args.reloads):
                target, body = ("b", "pod-b") if round_ % 2 == 0 else ("a", "pod-a")
                apply(k, ingress("many-0", "host-0.bench.test", target))
                started = time.perf_counter()
                wait_for(lambda: body_of(http_port, "host-0.bench.test") == body, timeout=60,
                         interval=0.01)
                times.append(time.perf_counter() - started)
            print(f"with {args.ingresses + 1} Ingresses: update stored -> traffic moved "
                  f"p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                  f"({args.reloads} updates)")
            print(f"render of {args.ingresses + 1} Ingresses (model + nginx.conf): "
                  f"{render_time(k) * 1000:.1f} ms")
        finally:
            for process in processes:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
