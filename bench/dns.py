# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Cluster DNS throughput and latency, from a client on the same machine.

Starts a stand-in upstream resolver on port 53 of a random 127/8 address (so forwarded
queries never leave the machine), `kybernetes server --disable-agent` whose
--resolv-conf names it, and 100 ClusterIP Services. Then, over UDP with 16 queries in
flight from one asyncio client, prints for each kind of name:
  queries/s   answered queries per second over the run
  p50 / p99   latency of one query (send to answer)
Kinds: in-cluster A (`svc-N.bench.svc.cluster.local`), in-cluster NXDOMAIN, and a
forwarded name (`example.org`, answered by the stand-in).

    .venv/bin/python bench/dns.py [--queries 5000] [--concurrency 16]   (as root)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dnslib import DNSRecord  # noqa: E402

from kybernetes.dns.static_server import StaticDNSServer  # noqa: E402
from tests.integration.conftest import Kubectl, Server  # noqa: E402
from tests.support.waiting import wait_for  # noqa: E402

SERVICES = 100


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def run_queries(port: int, names: list[str], total: int, concurrency: int) -> tuple[float, list[float]]:
    """(queries per second, latencies in seconds) for `total` A queries over `names`."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    remaining = [total]

    async def worker(index: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect(("127.0.0.1", port))
        try:
            while remaining[0] > 0:
                remaining[0] -= 1
                query = DNSRecord.question(random.choice(names), "A")
                packet = query.pack()
                started = time.perf_counter()
                await loop.sock_sendall(sock, packet)
                while True:
                    reply = await asyncio.wait_for(loop.sock_recv(sock, 65535), 5)
                    if reply[:2] == packet[:2]:
                        break
                latencies.append(time.perf_counter() - started)
        finally:
            sock.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench/dns.py needs root: the stand-in upstream listens on port 53", file=sys.stderr)
        return 1
    upstream = None
    for _ in range(5):
        address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        try:
            upstream = StaticDNSServer({"example.org": ["192.0.2.1"]}, host=address, port=53).start()
            break
        except OSError:
            continue
    if upstream is None:
        print("no loopback address with a free port 53", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-dns-") as tmp:
        resolv = Path(tmp) / "resolv.conf"
        resolv.write_text(f"nameserver {upstream.host}\n")
        server = Server(Path(tmp) / "data", ["--resolv-conf", str(resolv)], command="server").start()
        try:
            kubectl = Kubectl(server, Path(tmp) / "cache")
            kubectl.run("create", "namespace", "bench")
            kubectl.run("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}", "namespace": "bench"},
                 "spec": {"ports": [{"name": "http", "port": 80}]}} for i in range(SERVICES)]}))
            slices = wait_for(lambda: json.loads(kubectl.run(
                "get", "endpointslices", "-n", "kube-system", "-o", "json",
                "-l", "endpointslice.kubernetes.io/managed-by=kybernetes-dns").stdout)["items"], timeout=60)
            port = slices[0]["ports"][0]["port"]
            cluster_names = [f"svc-{i}.bench.svc.cluster.local" for i in range(SERVICES)]
            wait_for(lambda: DNSRecord.parse(DNSRecord.question(cluster_names[-1]).send(
                "127.0.0.1", port, timeout=5)).rr, timeout=60)
            kinds = [("in-cluster A", cluster_names),
                     ("in-cluster NXDOMAIN", [f"missing-{i}.bench.svc.cluster.local" for i in range(50)]),
                     ("forwarded (stand-in upstream)", ["example.org"])]
            print(f"cluster DNS on 127.0.0.1:{port}, {SERVICES} services, "
                  f"{args.concurrency} queries in flight, UDP")
            print(f"{'kind':32} {'queries/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
            for label, names in kinds:
                asyncio.run(run_queries(port, names, 200, args.concurrency))  # warm up
                rate, latencies = asyncio.run(run_queries(port, names, args.queries, args.concurrency))
                print(f"{label:32} {rate:10.0f} {percentile(latencies, 0.5) * 1000:8.2f} "
                      f"{percentile(latencies, 0.99) * 1000:8.2f}")
        finally:
            server.stop()
            upstream.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
