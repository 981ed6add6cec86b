# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Store benchmark: SQLite, 1-member etcd and 3-member etcd in one run. Prints figures,
asserts nothing.

For each backend, through the Store interface (`open_store`):
  creates/s with 1 and 32 concurrent writers, gets/s with 32 concurrent readers, range of
  1,000 keys (p50), watch delivery latency (create acknowledged -> event out of
  Store.watch, p50/p99);
and through a real `kybernetes apiserver` on that backend: 2,000 ConfigMap POSTs from 32
concurrent HTTPS clients (admin certificate), creates/s and p50/p99.

Ceilings measured in the same run: raw etcd puts/s on etcd's JSON gateway (aiohttp, 32
concurrent, no transaction, no client-side work beyond the request), `etcdctl check perf
--load=s` and `--load=l` each on a fresh 3-member cluster (s offers only 150 puts/s: a
pass/fail check; l offers 8,000/s, so its measured throughput is etcd's own ceiling here), and raw SQLite commits/s (bench/sqlite_raw.py) for SQLite.

    .venv/bin/python bench/store.py [--check-perf s,l]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kybernetes.storage import open_store  # noqa: E402
from sqlite_raw import raw_sqlite_commits_per_sec  # noqa: E402

VALUE = (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bench","namespace":'
         b'"default","uid":"6a5e1f9c-2b1d-4c1e-9a43-0d6f2e7b5a11"},"data":{"k":"v"}}')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


# ------------------------------------------------------------------ etcd clusters

class EtcdCluster:
    """`size` etcd members on loopback ports, each listed in --initial-cluster."""

    def __init__(self, base: Path, size: int, token: str) -> None:
        self.base = base
        self.token = token
        self.members = [(f"m{i}", free_port(), free_port()) for i in range(size)]
        self.urls = [f"http://127.0.0.1:{client}" for _, client, _ in self.members]
        self.processes: list[subprocess.Popen] = []

    def start(self) -> "EtcdCluster":
        initial = ",".join(f"{name}=http://127.0.0.1:{peer}" for name, _, peer in self.members)
        for name, client, peer in self.members:
            directory = self.base / name
            directory.mkdir(parents=True, exist_ok=True)
            log = open(directory / "etcd.log", "ab")
            url = f"http://127.0.0.1:{client}"
            self.processes.append(subprocess.Popen(
                ["etcd", "--name", name, "--data-dir", str(directory / "data"),
                 "--listen-client-urls", url, "--advertise-client-urls", url,
                 "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                 "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                 "--initial-cluster", initial, "--initial-cluster-state", "new",
                 "--initial-cluster-token", self.token],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        pending = list(self.urls)
        while pending and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(pending[0] + "/health", timeout=1) as response:
                    if b'"true"' in response.read():
                        pending.pop(0)
                        continue
            except OSError:
                pass
            time.sleep(0.05)
        if pending:
            self.stop()
            raise RuntimeError(f"etcd cluster {self.token} not healthy: {pending}")
        return self

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# ------------------------------------------------------------------ Store figures

async def run_workers(count: int, total: int, work) -> tuple[float, list[float]]:
    latencies: list[float] = []
    items = iter(range(total))

    async def worker() -> None:
        for i in items:
            started = time.perf_counter()
            await work(i)
            latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(count)))
    return total / (time.perf_counter() - started), latencies


async def store_figures(spec: str, results: dict) -> None:
    store = open_store(spec)
    try:
        await store.create("/registry/warm/0", VALUE)
        for i in range(1, 50):
            await store.create(f"/registry/warm/{i}", VALUE)
        rate, lat = await run_workers(1, 500, lambda i: store.create(
            f"/registry/configmaps/one/cm-{i}", VALUE))
        results["create 1"] = (rate, lat)
        rate, lat = await run_workers(32, 3000, lambda i: store.create(
            f"/registry/configmaps/many/cm-{i}", VALUE))
        results["create 32"] = (rate, lat)

        async def get_one(i: int) -> None:
            if await store.get(f"/registry/configmaps/many/cm-{i % 3000}") is None:
                raise RuntimeError("missing key")
        rate, lat = await run_workers(32, 5000, get_one)
        results["get 32"] = (rate, lat)
        # 1,000 keys under their own prefix, then ranged
        await run_workers(32, 1000, lambda i: store.create(
            f"/registry/configmaps/ranged/cm-{i:05d}", VALUE))
        times = []
        for _ in range(11):
            started = time.perf_counter()
            kvs, _ = await store.range("/registry/configmaps/ranged/")
            times.append(time.perf_counter() - started)
            if len(kvs) != 1000:
                raise RuntimeError(f"range returned {len(kvs)}")
        results["range 1000"] = times
        results["watch"] = await watch_latency(store)
    finally:
        await store.close()


async def watch_latency(store, events: int = 300) -> list[float]:
    """Create acknowledged -> event out of Store.watch, one create at a time."""
    acked: dict[str, float] = {}
    arrived: dict[str, float] = {}
    prefix = "/registry/configmaps/watched/"
    # make sure the watch is live: its first event is a sentinel create
    watch = store.watch(prefix, 0)
    done = asyncio.Event()
    first = asyncio.Event()

    async def consume() -> None:
        async for event in watch:
            now = time.perf_counter()
            arrived[event.kv.key] = now
            first.set()
            if len(arrived) == events + 1:
                done.set()
                return
    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    await store.create(prefix + "sentinel", VALUE)
    await asyncio.wait_for(first.wait(), 30)
    for i in range(events):
        key = f"{prefix}cm-{i}"
        await store.create(key, VALUE)
        acked[key] = time.perf_counter()
        await asyncio.sleep(0.005)
    await asyncio.wait_for(done.wait(), 60)
    task.cancel()
    if hasattr(watch, "aclose"):
        await watch.aclose()
    # negative: the event came out of the watch before the create's caller resumed
    return [arrived[k] - acked[k] for k in acked]


# ------------------------------------------------------------------ raw gateway

async def raw_gateway_puts(urls: list[str], total: int = 5000, clients: int = 32) -> float:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))
    value = base64.b64encode(VALUE).decode()
    try:
        async def put(i: int) -> None:
            url = urls[0]
            body = {"key": base64.b64encode(f"/raw/put-{i}".encode()).decode(), "value": value}
            async with session.post(url + "/v3/kv/put", data=orjson.dumps(body)) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"put: {response.status}")
        for i in range(50):
            await put(total + i)
        rate, _ = await run_workers(clients, total, put)
        return rate
    finally:
        await session.close()


def check_perf(base: Path, load: str) -> str:
    """`etcdctl check perf --load=LOAD` on a fresh 3-member cluster: its verdict lines."""
    cluster = EtcdCluster(base / f"checkperf-{load}", 3, f"checkperf-{load}").start()
    try:
        done = subprocess.run(["etcdctl", "--endpoints", ",".join(cluster.urls), "check", "perf",
                               f"--load={load}"], capture_output=True, text=True, timeout=240)
        verdicts = re.findall(r"(?:PASS|FAIL|WARN)[^\r\n]*", done.stdout + done.stderr)
        return "\n".join(verdicts) or (done.stdout + done.stderr)[-2000:]
    finally:
        cluster.stop()


def etcd_requests(urls: list[str]) -> dict[str, int]:
    """Range and Txn requests handled so far, summed over the members (their /metrics)."""
    totals = {"Range": 0, "Txn": 0}
    for url in urls:
        with urllib.request.urlopen(url + "/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith("grpc_server_handled_total{") and 'grpc_service="etcdserverpb.KV"' in line:
                    method = re.search(r'grpc_method="(\w+)"', line).group(1)
                    if method in totals:
                        totals[method] += int(float(line.rsplit(" ", 1)[1]))
    return totals


# ------------------------------------------------------------------ API server

def start_apiserver(data_dir: Path, etcd_urls: list[str] | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "kybernetes.cli.main", "apiserver", "--data-dir",
               str(data_dir), "--port", str(port), "--bind-address", "127.0.0.1"]
    if etcd_urls:
        command += ["--etcd-servers", ",".join(etcd_urls)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir / "apiserver.log", "ab")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, cwd=str(ROOT))
    base = f"https://127.0.0.1:{port}"
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"apiserver exited: {(data_dir / 'apiserver.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/readyz", context=context, timeout=1) as r:
                if r.read() == b"ok":
                    return process, base
        except OSError:
            time.sleep(0.05)
    return process, base  # not ready: the POSTs will fail and say so


async def api_creates(base: str, pki: Path, total: int = 2000,
                      clients: int = 32) -> tuple[float, list[float]]:
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    sessions = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context, limit=1))
                for _ in range(clients)]
    path = base + "/api/v1/namespaces/default/configmaps"
    try:
        async def post(session: aiohttp.ClientSession, name: str) -> None:
            body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                    "data": {"k": "v"}}
            async with session.post(path, data=orjson.dumps(body),
                                    headers={"Content-Type": "application/json"}) as response:
                await response.read()
                if response.status != 201:
                    raise RuntimeError(f"POST: {response.status}")
        for i, session in enumerate(sessions):  # open every connection first
            await post(session, f"warm-{i}")
        latencies: list[float] = []
        items = iter(range(total))

        async def client(session: aiohttp.ClientSession) -> None:
            for i in items:
                started = time.perf_counter()
                await post(session, f"cm-{i}")
                latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        await asyncio.gather(*(client(s) for s in sessions))
        return total / (time.perf_counter() - started), latencies
    finally:
        for session in sessions:
            await session.close()


def api_figures(data_dir: Path, etcd_urls: list[str] | None, pids: list[int]) -> tuple:
    process, base = start_apiserver(data_dir, etcd_urls)
    pids.append(process.pid)
    try:
        return asyncio.run(api_creates(base, data_dir / "pki"))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ------------------------------------------------------------------ main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check-perf", default="s,l",
                        help="etcdctl check perf loads to run, each on a fresh 3-member "
                             "cluster (comma separated; empty to skip)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="kyb-store-bench-"))
    print(f"kybernetes store benchmark ({os.cpu_count()} cores, data under {base})", flush=True)
    clusters: list[EtcdCluster] = []
    started_pids: list[int] = []
    rows: dict[str, dict] = {}
    try:
        perf_outputs = {}
        for load in filter(None, args.check_perf.split(",")):
            print(f"etcdctl check perf --load={load} on a fresh 3-member cluster (60 s)...",
                  flush=True)
            perf_outputs[load] = check_perf(base, load)
        backends = [("SQLite", None), ("etcd x1", 1), ("etcd x3", 3)]
        for label, size in backends:
            results: dict = {}
            if size is None:
                spec = f"sqlite:{base / 'sqlite' / 'state.db'}"
                (base / "sqlite").mkdir()
                urls = None
            else:
                cluster = EtcdCluster(base / f"etcd{size}", size, f"bench{size}").start()
                clusters.append(cluster)
                urls = cluster.urls
                spec = "etcd:" + ",".join(urls)
            print(f"{label}: Store figures...", flush=True)
            asyncio.run(store_figures(spec, results))
            print(f"{label}: API server figures...", flush=True)
            before = etcd_requests(urls) if urls else None
            results["api"] = api_figures(base / f"api-{label.replace(' ', '')}", urls, started_pids)
            if urls:
                after = etcd_requests(urls)
                posts = 2000 + 32
                results["per post"] = (f"{(after['Range'] - before['Range']) / posts:.1f}R+"
                                       f"{(after['Txn'] - before['Txn']) / posts:.1f}T")
            if size is None:
                results["ceiling"] = raw_sqlite_commits_per_sec(str(base / "raw.db"), seconds=3.0)
            else:
                results["ceiling"] = asyncio.run(raw_gateway_puts(urls))
                cluster.stop()
            rows[label] = results

        print()
        header = (f"{'':<34}" + "".join(f"{label:>16}" for label in rows))
        print(header)
        print("-" * len(header))

        def row(name: str, cell) -> None:
            print(f"{name:<34}" + "".join(f"{cell(r):>16}" for r in rows.values()))
        row("Store.create, 1 writer  /s", lambda r: f"{r['create 1'][0]:.0f}")
        row("  p50 / p99 ms", lambda r: f"{ms(percentile(r['create 1'][1], .5))}/{ms(percentile(r['create 1'][1], .99))}")
        row("Store.create, 32 writers /s", lambda r: f"{r['create 32'][0]:.0f}")
        row("  p50 / p99 ms", lambda r: f"{ms(percentile(r['create 32'][1], .5))}/{ms(percentile(r['create 32'][1], .99))}")
        row("Store.get, 32 readers /s", lambda r: f"{r['get 32'][0]:.0f}")
        row("Store.range 1,000 keys p50 ms", lambda r: ms(percentile(r['range 1000'], .5)))
        row("watch ack->event p50 ms", lambda r: ms(percentile(r['watch'], .5)))
        row("watch ack->event p99 ms", lambda r: ms(percentile(r['watch'], .99)))
        row("API POST ConfigMap, 32 clients /s", lambda r: f"{r['api'][0]:.0f}")
        row("  p50 / p99 ms", lambda r: f"{ms(percentile(r['api'][1], .5))}/{ms(percentile(r['api'][1], .99))}")
        row("  etcd Range+Txn requests per POST", lambda r: r.get("per post", "-"))
        row("ceiling /s (see below)", lambda r: f"{r['ceiling']:.0f}")
        row("Store creates(32) / ceiling", lambda r: f"{r['create 32'][0] / r['ceiling']:.2f}")
        row("API creates / ceiling", lambda r: f"{r['api'][0] / r['ceiling']:.2f}")
        print()
        print("watch: event arrival minus the create's return, one create at a time; <= 0 means "
              "the event was out of Store.watch before the writer resumed.")
        print("per POST: etcd KV requests during the API run (incl. API server start and "
              "32 warm-up POSTs) / 2,032 POSTs.")
        print("ceiling: SQLite = raw sqlite3 commits/s, one row per transaction (same pragmas);")
        print("         etcd   = raw gateway puts/s: POST /v3/kv/put, aiohttp, 32 concurrent, "
              "to the first member")
        for load, output in perf_outputs.items():
            print()
            print(f"etcdctl check perf --load={load} (fresh 3-member cluster; etcdctl caps the "
                  f"offered load: s 150, m 1000, l 8000, xl 15000 writes/s):")
            print(output)
            measured = re.search(r"Throughput (?:is|too low:) (\d+) writes/s", output)
            if measured and "etcd x3" in rows and load != "s":
                ceiling = int(measured.group(1))
                x3 = rows["etcd x3"]
                print(f"ratio to it (etcd x3): Store creates(32) {x3['create 32'][0] / ceiling:.2f}, "
                      f"API creates {x3['api'][0] / ceiling:.2f}")
    finally:
        for cluster in clusters:
            cluster.stop()


if __name__ == "__main__":
    main()
