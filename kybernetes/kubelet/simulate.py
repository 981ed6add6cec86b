# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes simulate --nodes N`: thousands of kubelets with the fake runtime in one
process, as kubemark's hollow nodes and KWOK do.

What keeps a simulated node cheap: one HTTP client for all; ONE pod watch (every pod with
a spec.nodeName) routed to the kubelets by node name, instead of a watch per node; one
timer heap for every lease renewal and status check; and per node only a few small dicts.
Node names are `<prefix>-<run id>-<index>`, unique per run; nodes carry the label
`kybernetes.io/simulated-run=<run id>` so a run can be removed with one kubectl command.
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import random
import secrets
import time
from pathlib import Path

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client
from kybernetes.kubelet import lease as leases
from kybernetes.kubelet.kubelet import NODES, Kubelet
from kybernetes.kubelet.node import STATUS_CHECK_INTERVAL, NodeConfig, parse_labels
from kybernetes.kubelet.pods import PodDispatcher
from kybernetes.kubelet.runtimes.fake import FakeRuntime, fallback_pod_cidr

log = logging.getLogger("kybernetes.simulate")
RUN_LABEL = "kybernetes.io/simulated-run"
# simulated nodes' own addresses: the benchmarking range of RFC 2544, clear of pod/service nets
NODE_ADDRESS_BASE = int(ipaddress.ip_address("198.18.0.1"))


def simulated_node_ip(index: int) -> str:
    return str(ipaddress.ip_address(NODE_ADDRESS_BASE + index % (2 ** 17 - 2)))


def rss_megabytes() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Simulation:
    def __init__(self, client: Client, count: int, *, prefix: str = "sim", run_id: str | None = None,
                 capacity: dict[str, str] | None = None, labels: dict[str, str] | None = None,
                 run_seconds: float = 1.0, workers: int = 16, register_concurrency: int = 32) -> None:
        self.client = client
        self.count = count
        self.run_id = run_id or secrets.token_hex(3)[:5]
        self.prefix = prefix
        self.capacity = capacity or {"cpu": "8", "memory": "32Gi", "pods": "110",
                                     "ephemeral-storage": "100Gi"}
        self.labels = dict(labels or {})
        self.labels[RUN_LABEL] = self.run_id
        self.run_seconds = run_seconds
        self.register_concurrency = register_concurrency
        self.dispatcher = PodDispatcher(client, "spec.nodeName!=", workers=workers)
        self.scheduler = leases.PeriodicScheduler(concurrency=32)
        self.kubelets: list[Kubelet] = []
        self.registered = asyncio.Event()
        self.register_seconds = 0.0

    def node_name(self, index: int) -> str:
        return f"{self.prefix}-{self.run_id}-{index}"

    def make_kubelet(self, index: int) -> Kubelet:
        runtime = FakeRuntime(run_seconds=self.run_seconds,
                              fallback_cidr=fallback_pod_cidr(index, self.count))
        config = NodeConfig(name=self.node_name(index), capacity=self.capacity, labels=self.labels,
                            internal_ip=simulated_node_ip(index),
                            runtime_version=runtime.runtime_version)
        return Kubelet(self.client, config, runtime)

    async def _register(self, kubelet: Kubelet, limit: asyncio.Semaphore) -> None:
        delay = 0.2
        while True:
            async with limit:
                try:
                    await kubelet.register()
                    break
                except ApiError as exc:
                    if exc.code < 500 and exc.code != 429:
                        raise
                    log.warning("registering %s: %s", kubelet.node_name, exc.message)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        self.dispatcher.add(kubelet)
        # spread the renewals over the interval: nodes registered in one burst would
        # otherwise renew in one burst every 10 s
        self.scheduler.every(leases.RENEW_INTERVAL, kubelet.renew_lease,
                             first_in=random.uniform(0, leases.RENEW_INTERVAL))
        self.scheduler.every(STATUS_CHECK_INTERVAL, kubelet.check_node_status,
                             first_in=random.uniform(0, STATUS_CHECK_INTERVAL))

    async def register_all(self) -> None:
        started = time.monotonic()
        limit = asyncio.Semaphore(self.register_concurrency)
        self.kubelets = [self.make_kubelet(index) for index in range(self.count)]
        await asyncio.gather(*(self._register(k, limit) for k in self.kubelets))
        self.register_seconds = time.monotonic() - started
        self.registered.set()

    async def run(self) -> None:
        scheduler_task = asyncio.create_task(self.scheduler.run(), name="simulate-heartbeats")
        try:
            await self.register_all()
            await self.dispatcher.run()
        finally:
            scheduler_task.cancel()
            await asyncio.gather(scheduler_task, return_exceptions=True)

    async def delete_nodes(self) -> None:
        limit = asyncio.Semaphore(self.register_concurrency)

        async def delete(kubelet: Kubelet) -> None:
            async with limit:
                try:
                    await self.client.delete(NODES, kubelet.node_name)
                except ApiError:
                    pass
        await asyncio.gather(*(delete(k) for k in self.kubelets))


def kubeconfig_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    for candidate in (os.environ.get("KUBECONFIG") or "").split(os.pathsep):
        if candidate and Path(candidate).expanduser().is_file():
            return Path(candidate).expanduser()
    default = Path.home() / ".kube" / "config"
    return default if default.is_file() else None


async def simulate_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.components import until_signalled
    from kybernetes.kubelet.kubelet import usage_error
    if args.nodes < 1:
        return usage_error("--nodes must be at least 1")
    try:
        labels = parse_labels(args.node_labels)
    except ValueError as exc:
        return usage_error(str(exc))
    path = kubeconfig_path(args.kubeconfig)
    if path is None:
        return usage_error("no kubeconfig: set KUBECONFIG or pass --kubeconfig")
    client = Client.from_kubeconfig(path, user_agent="kubelet", max_connections=64)
    capacity = {"cpu": args.cpu, "memory": args.memory, "pods": args.pods,
                "ephemeral-storage": args.ephemeral_storage}
    simulation = Simulation(client, args.nodes, prefix=args.name_prefix, capacity=capacity,
                            labels=labels, run_seconds=args.run_seconds, workers=args.workers)
    print(f"simulating {args.nodes} nodes {simulation.node_name(0)} .. "
          f"{simulation.node_name(args.nodes - 1)} (label {RUN_LABEL}={simulation.run_id})", flush=True)
    task = asyncio.create_task(simulation.run(), name="simulate")

    async def report() -> None:
        await simulation.registered.wait()
        print(f"registered {args.nodes} nodes in {simulation.register_seconds:.1f}s; "
              f"RSS {rss_megabytes():.0f} MB", flush=True)
    reporter = asyncio.create_task(report())
    try:
        await until_signalled(task)
    finally:
        reporter.cancel()
        task.cancel()
        await asyncio.gather(task, reporter, return_exceptions=True)
        if args.delete_nodes_on_exit:
            await simulation.delete_nodes()
        await client.close()
    return 0
