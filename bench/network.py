# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's cost: HTTP requests/s through a ClusterIP versus straight to the pod IP
(same run, same nginx pod), and the iptables sync time for 1,000 Services.

The first part starts a local docker-registry and `kybernetes server --runtime runc`
(so its proxy programs this host's iptables), runs one nginx pod behind a ClusterIP
Service, and measures each target for a few seconds with a new connection per request
(where DNAT and conntrack cost). The second part generates the rules for 1,000 services
of 3 endpoints each and applies them with iptables-restore inside a scratch network
namespace, deleted afterwards. Everything started is stopped; `proxy --cleanup` runs last.

    .venv/bin/python bench/network.py [--seconds 5] [--services 1000]   (as root)
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import Kubectl, Server  # noqa: E402
from tests.support.waiting import wait_for  # noqa: E402


def requests_per_second(host: str, seconds: float, threads: int = 4) -> float:
    done = [0] * threads
    failed = [0] * threads
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(host, 80, timeout=10)
            try:
                connection.request("GET", "/")
                connection.getresponse().read()
                done[index] += 1
            except OSError:
                failed[index] += 1
            finally:
                connection.close()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if sum(failed):
        print(f"  {host}: {sum(failed)} requests failed", file=sys.stderr)
    return sum(done) / (time.monotonic() - started)


def measure_cluster_ip(seconds: float) -> None:
    from tests.support.registry import seed_registry, start_registry, write_registries_yaml
    with tempfile.TemporaryDirectory(prefix="kyb-bench-net-") as tmp:
        base = Path(tmp)
        registry = start_registry(base / "registry")
        server = None
        try:
            seed_registry(registry)
            (base / "data").mkdir()
            write_registries_yaml(base / "data" / "registries.yaml", registry.url)
            server = Server(base / "data", ["--runtime", "runc",
                                            "--disable-default-registry-endpoint"],
                            command="server").start()
            k = Kubectl(server, base / "kubectl")
            wait_for(lambda: k.json("get", "nodes")["items"], timeout=60)
            k.run("create", "deployment", "bench", "--image=nginx", "--port=80")
            k.run("rollout", "status", "deployment/bench", "--timeout=180s")
            k.run("expose", "deployment", "bench", "--port=80")
            pod_ip = k.json("get", "pods", "-l", "app=bench")["items"][0]["status"]["podIP"]
            cluster_ip = k.json("get", "service", "bench")["spec"]["clusterIP"]

            def answers(host: str) -> bool:
                try:
                    http.client.HTTPConnection(host, 80, timeout=5).request("GET", "/")
                    return True
                except OSError:
                    return False
            wait_for(lambda: answers(pod_ip) and answers(cluster_ip), timeout=60)
            direct = requests_per_second(pod_ip, seconds)
            via_service = requests_per_second(cluster_ip, seconds)
            print(f"pod IP     {pod_ip:>15}: {direct:8.0f} requests/s")
            print(f"ClusterIP  {cluster_ip:>15}: {via_service:8.0f} requests/s")
            if direct:
                print(f"ratio ClusterIP / pod IP: {via_service / direct:.2f}")
        finally:
            try:
                if server is not None:
                    k = Kubectl(server, base / "cleanup")
                    k.run("delete", "deployment", "bench", "--wait=false", check=False)
                    k.run("delete", "pods", "--all", "-A", "--grace-period=1", "--wait=false",
                          check=False)
                    wait_for(lambda: not k.json("get", "pods", "-A")["items"], timeout=120)
            finally:
                if server is not None:
                    server.stop()
                registry.stop()
            subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "proxy", "--cleanup"],
                           check=False)


def synthetic_objects(count: int) -> tuple[list[dict], list[dict]]:
    services, slices = [], []
    for i in range(count):
        name = f"svc-{i}"
        services.append({"metadata": {"name": name, "namespace": "bench"},
                         "spec": {"type": "NodePort" if i % 10 == 0 else "ClusterIP",
                                  "clusterIP": f"10.96.{i // 250}.{i % 250 + 1}",
                                  "ports": [{"name": "http", "port": 80, "protocol": "TCP",
                                             "nodePort": 30000 + i if i % 10 == 0 else None}]}})
        slices.append({"metadata": {"namespace": "bench",
                                    "labels": {"kubernetes.io/service-name": name}},
                       "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                       "endpoints": [{"addresses": [f"10.244.{(i * 3 + j) // 250}.{(i * 3 + j) % 250 + 2}"],
                                      "conditions": {"ready": True}, "nodeName": "bench"}
                                     for j in range(3)]})
    return services, slices


def measure_sync(count: int, rounds: int = 3) -> None:
    from kybernetes.proxy.iptables import chains_in_save
    from kybernetes.proxy.model import build_service_ports
    from kybernetes.proxy.rules import ProxyConfig, generate
    namespace = f"kyb-bench-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        services, slices = synthetic_objects(count)
        generated, applied = [], []
        for _ in range(rounds):
            started = time.monotonic()
            existing = chains_in_save(subprocess.run(
                ["ip", "netns", "exec", namespace, "iptables-save", "-t", "nat"],
                capture_output=True, text=True).stdout).get("nat", set())
            text = generate(build_service_ports(services, slices), ProxyConfig("bench"), existing)
            middle = time.monotonic()
            subprocess.run(["ip", "netns", "exec", namespace, "iptables-restore", "-w", "--noflush"],
                           input=text, text=True, check=True)
            generated.append(middle - started)
            applied.append(time.monotonic() - middle)
        rules = text.count("\n-A ")
        print(f"sync of {count} services ({rules} rules): generate {statistics.median(generated) * 1000:.0f} ms, "
              f"iptables-restore {statistics.median(applied) * 1000:.0f} ms, "
              f"total {statistics.median([a + b for a, b in zip(generated, applied)]) * 1000:.0f} ms "
              f"(median of {rounds})")
    finally:
        subprocess.run(["ip", "netns", "del", namespace], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--skip-cluster", action="store_true", help="only the sync measurement")
    args = parser.parse_args()
    measure_sync(args.services)
    if not args.skip_cluster:
        measure_cluster_ip(args.seconds)


if __name__ == "__main__":
    main()
