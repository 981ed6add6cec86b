# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""High-availability benchmark: how long clients and leaders take to move after a
death. Prints figures, asserts nothing.

On a 3-member etcd cluster with TLS and two `kybernetes apiserver`s:
  - client-side load balancer, requests: a load-balanced client GETs in a loop; the API
    server it uses is killed with SIGKILL; time until its next successful answer (from
    the other server), over several rounds;
  - client-side load balancer, watches: time from the kill until a watch that was open on
    the dead server delivers the next event (written through the survivor);
  - leader takeover: two `kybernetes controller-manager` with upstream's lease timing
    (15 s lease, 10 s renew deadline, 2 s retry); time from SIGKILL of the holder until the
    Lease names the other (bounded by the lease duration plus one retry period).

    .venv/bin/python bench/ha.py [--rounds 3] [--lease-duration 15s]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kybernetes.client.rest import Client, resource  # noqa: E402
from tests.support.etcd import EtcdCluster  # noqa: E402
from tests.support.ha import Component, start_apiservers, write_ha_kubeconfig  # noqa: E402

CONFIGMAPS = resource("configmaps")
LEASES = resource("leases.coordination.k8s.io")


async def request_failover(kubeconfig: Path, servers, namespace: str) -> float:
    """Seconds from killing the client's server to its next successful GET."""
    client = Client.from_kubeconfig(kubeconfig)
    try:
        await client.get(resource("namespaces"), namespace)
        victim = next(s for s in servers if s.url == client.base_url)
        victim.kill()
        killed = time.perf_counter()
        while True:
            try:
                await client.get(resource("namespaces"), namespace)
                return time.perf_counter() - killed
            except Exception:  # not yet: every server tried once already
                await asyncio.sleep(0.01)
    finally:
        await client.close()


async def watch_failover(kubeconfig: Path, servers, namespace: str) -> float:
    """Seconds from killing the watch's server to the watch's next event."""
    client = Client.from_kubeconfig(kubeconfig)
    try:
        await client.create(CONFIGMAPS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w"},
                                         "data": {"v": "0"}}, namespace)
        _, rv = await client.list(CONFIGMAPS, namespace)
        victim = next(s for s in servers if s.url == client.base_url)
        survivor = next(s for s in servers if s is not victim)
        writer = Client.from_kubeconfig(survivor.kubeconfig)
        delivered = asyncio.get_running_loop().create_future()

        async def watch() -> None:
            async for kind, obj in client.watch(CONFIGMAPS, namespace, resource_version=rv):
                if kind == "MODIFIED" and obj["data"]["v"] == "1":
                    delivered.set_result(time.perf_counter())
                    return
        task = asyncio.create_task(watch())
        await asyncio.sleep(0.3)
        victim.kill()
        killed = time.perf_counter()
        await writer.patch(CONFIGMAPS, "w", {"data": {"v": "1"}}, namespace)
        await writer.close()
        at = await asyncio.wait_for(delivered, 60)
        await task
        return at - killed
    finally:
        await client.close()


def leader_takeover(kubeconfig: Path, base: Path, lease_duration: str) -> float:
    managers = [Component(f"cm-{i}", ["controller-manager", "--kubeconfig", str(kubeconfig),
                                      "--leader-elect-lease-duration", lease_duration],
                          base / f"cm-{i}.log") for i in range(2)]
    try:
        async def holder() -> str:
            client = Client.from_kubeconfig(kubeconfig)
            try:
                lease = await client.get_or_none(LEASES, "kube-controller-manager", "kube-system")
                return ((lease or {}).get("spec") or {}).get("holderIdentity", "")
            finally:
                await client.close()
        first = ""
        while not first:
            time.sleep(0.2)
            first = asyncio.run(holder())
        time.sleep(3)  # both up: the second is a candidate
        leader = next(m for m in managers if f"{first} became leader" in m.output())
        leader.kill()
        killed = time.perf_counter()
        while asyncio.run(holder()) in ("", first):
            time.sleep(0.05)
        return time.perf_counter() - killed
    finally:
        for manager in managers:
            manager.stop()


def control_plane(base: Path):
    etcd = EtcdCluster(base / "etcd").start()
    try:
        servers = start_apiservers(base, 2, etcd.apiserver_flags())
    except Exception:
        etcd.stop()
        raise
    return etcd, servers, write_ha_kubeconfig(servers, base / "ha.kubeconfig")


def stop(etcd, servers) -> None:
    for server in servers:
        server.stop()
    etcd.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lease-duration", default="15s")
    args = parser.parse_args()
    requests, watches = [], []
    with tempfile.TemporaryDirectory(prefix="bench-ha-") as tmp:
        for round_ in range(args.rounds):
            base = Path(tmp) / f"round-{round_}"
            etcd, servers, kubeconfig = control_plane(base)
            try:
                requests.append(asyncio.run(request_failover(kubeconfig, servers, "default")))
            finally:
                stop(etcd, servers)
            etcd, servers, kubeconfig = control_plane(base / "watch")
            try:
                watches.append(asyncio.run(watch_failover(kubeconfig, servers, "default")))
            finally:
                stop(etcd, servers)
        base = Path(tmp) / "leader"
        etcd, servers, kubeconfig = control_plane(base)
        try:
            takeover = leader_takeover(kubeconfig, base, args.lease_duration)
        finally:
            stop(etcd, servers)

    def ms(values: list[float]) -> str:
        return (f"median {statistics.median(values) * 1000:.0f} ms, "
                f"max {max(values) * 1000:.0f} ms over {len(values)} rounds")
    print("client-side load balancer (2 API servers, 3 etcd members with TLS):")
    print(f"  request failover after SIGKILL of the client's API server: {ms(requests)}")
    print(f"  watch resumed on the other server, next event delivered:   {ms(watches)}")
    print(f"controller-manager leader takeover after SIGKILL of the holder: {takeover:.1f} s "
          f"(lease duration {args.lease_duration}, retry period 2s)")


if __name__ == "__main__":
    main()
