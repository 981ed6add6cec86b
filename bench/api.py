# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""API server benchmark: prints figures, asserts nothing.

Starts a real `kybernetes apiserver` (SQLite store) in a temporary data dir and measures,
over HTTPS with the admin client certificate:
  start-to-ready, idle RSS, creates/s and gets/s with 1 and 32 clients (p50/p99),
  list of 1,000 and 10,000 pods, watch delivery latency to 100 watchers, RSS with
  10,000 pods, and raw SQLite commits/s in the same run (the ratio's baseline).

    .venv/bin/python bench/api.py [--pods 10000]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sqlite_raw import raw_sqlite_commits_per_sec  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": "bench", "tier": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.7.9",
                                     "ports": [{"containerPort": 80}],
                                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}


class Client:
    def __init__(self, base: str, pki: Path, connections: int) -> None:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self.base = base
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
            ssl=context, limit=connections))

    async def post(self, path: str, body: dict) -> float:
        started = time.perf_counter()
        async with self.session.post(self.base + path, data=orjson.dumps(body),
                                     headers={"Content-Type": "application/json"}) as response:
            await response.read()
            if response.status != 201:
                raise RuntimeError(f"POST {path}: {response.status}")
        return time.perf_counter() - started

    async def get(self, path: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        async with self.session.get(self.base + path) as response:
            data = await response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status}")
        return time.perf_counter() - started, data

    async def close(self) -> None:
        await self.session.close()


async def run_clients(count: int, total: int, work) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(total))

    async def worker() -> None:
        for i in queue:
            latencies.append(await work(i))
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(count)))
    return total / (time.perf_counter() - started), latencies


def line(label: str, rate: float, latencies: list[float]) -> str:
    return (f"{label:<34} {rate:8.0f}/s   p50 {percentile(latencies, .5) * 1000:6.2f} ms"
            f"   p99 {percentile(latencies, .99) * 1000:6.2f} ms")


async def bench(args: argparse.Namespace, base: str, pki: Path, pid: int) -> None:
    client = Client(base, pki, 64)
    ns = "/api/v1/namespaces/default"
    try:
        # warm up connections and caches
        for i in range(50):
            await client.post(f"{ns}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                   "metadata": {"name": f"warm-{i}"}})
        results = {}
        for clients in (1, 32):
            total = 500 if clients == 1 else 3000
            rate, lat = await run_clients(clients, total, lambda i, c=clients: client.post(
                f"{ns}/pods", pod(f"c{c}-{i}")))
            results[f"create {clients}"] = rate
            print(line(f"create pod, {clients} client(s)", rate, lat), flush=True)
        for clients in (1, 32):
            total = 1000 if clients == 1 else 5000

            async def get_one(i: int) -> float:
                seconds, _ = await client.get(f"{ns}/pods/c32-{i % 3000}")
                return seconds
            rate, lat = await run_clients(clients, total, get_one)
            print(line(f"get pod, {clients} client(s)", rate, lat), flush=True)
        # fill up to 1,000 then 10,000 pods and list them
        existing = 3500
        for target in (1000, args.pods):
            if existing < target:
                await run_clients(32, target - existing, lambda i, e=existing: client.post(
                    f"{ns}/pods", pod(f"fill-{e + i}")))
                existing = target
            times = []
            for _ in range(5):
                seconds, data = await client.get(f"{ns}/pods?limit={target}")
                times.append(seconds)
            count = len(orjson.loads(data)["items"])
            print(f"list {count:>6} pods                       p50 {statistics.median(times) * 1000:8.1f} ms"
                  f"   max {max(times) * 1000:8.1f} ms   ({len(data) / 1e6:.1f} MB)", flush=True)
        print(f"RSS with {existing} pods (+ {3550} other objects): {rss_mb(pid):.0f} MB", flush=True)
        await watch_latency(client, base, pki)
        raw = raw_sqlite_commits_per_sec(os.path.join(tempfile.mkdtemp(prefix="kyb-raw-"), "raw.db"),
                                         seconds=2.0)
        print(f"raw SQLite commits/s (same pragmas, one row per commit): {raw:.0f}/s")
        print(f"ratio API creates/s (32 clients) to raw SQLite commits/s: "
              f"{results['create 32'] / raw:.2f}")
    finally:
        await client.close()


async def watch_latency(client: Client, base: str, pki: Path, watchers: int = 100,
                        events: int = 200) -> None:
    ns = "/api/v1/namespaces/kube-public"
    sent: dict[str, float] = {}
    delays: list[float] = []
    ready = asyncio.Event()
    started = 0

    watch_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
        ssl=client.session.connector._ssl, limit=watchers + 10))

    async def watcher() -> None:  # one connection per watcher
        nonlocal started
        async with watch_session.get(base + f"{ns}/configmaps?watch=true&timeoutSeconds=120"
                                     ) as response:
            started += 1
            if started == watchers:
                ready.set()
            seen = 0
            async for raw_line in response.content:
                now = time.perf_counter()
                name = orjson.loads(raw_line)["object"]["metadata"]["name"]
                if name in sent:
                    delays.append(now - sent[name])
                    seen += 1
                    if seen == events:
                        return
    tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
    await asyncio.wait_for(ready.wait(), 60)
    await asyncio.sleep(0.5)
    for i in range(events):
        name = f"watched-{i}"
        sent[name] = time.perf_counter()
        await client.post(f"{ns}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                               "metadata": {"name": name}})
        await asyncio.sleep(0.01)
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    await watch_session.close()
    print(f"watch delivery, {watchers} watchers x {events} events: "
          f"p50 {percentile(delays, .5) * 1000:.2f} ms   p99 {percentile(delays, .99) * 1000:.2f} ms "
          f"(from the create request being sent)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=10000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kyb-bench-"))
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kybernetes.cli.main", "apiserver", "--data-dir", str(data_dir),
         "--port", str(port), "--bind-address", "127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"https://127.0.0.1:{port}"
    pki = data_dir / "pki"
    try:
        ready = None
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        import urllib.request
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(base + "/readyz", context=context, timeout=1) as r:
                    if r.read() == b"ok":
                        ready = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.01)
        print(f"kybernetes API server benchmark ({os.cpu_count()} cores)")
        print(f"start to ready (process spawn to /readyz ok, first start with PKI): {ready:.2f} s")
        time.sleep(1)
        print(f"RSS idle: {rss_mb(process.pid):.0f} MB")
        asyncio.run(bench(args, base, pki, process.pid))
    finally:
        process.terminate()
        process.wait(10)
    # a second start on the same data dir, PKI already there and 10k objects to load
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kybernetes.cli.main", "apiserver", "--data-dir", str(data_dir),
         "--port", str(port), "--bind-address", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(base + "/readyz", context=context, timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.01)
        print(f"restart to ready with {args.pods} pods stored: {time.perf_counter() - started:.2f} s")
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
