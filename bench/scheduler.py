# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Scheduler throughput, in the style of upstream's scheduler_perf, run in-process: the
scheduler's own cache, queue and default profile against synthetic nodes (no API
server, no binding I/O). Each pod goes through what the scheduling loop does for it:
pop, snapshot, PreFilter/Filter over the sampled nodes, Score, select, assume.

Prints pods scheduled per second and p50/p99 attempt latency for:
  SchedulingBasic         500 nodes /  5,000 pods
  SchedulingBasic       5,000 nodes / 10,000 pods
  PodAntiAffinity       5,000 nodes /  2,000 pods (required anti-affinity on hostname)
and the per-pod cost as the node count grows (100 / 1,000 / 5,000 nodes).

    .venv/bin/python bench/scheduler.py [--quick]
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kybernetes.scheduler.cache import Cache  # noqa: E402
from kybernetes.scheduler.config import default_framework  # noqa: E402
from kybernetes.scheduler.framework import CycleState  # noqa: E402
from kybernetes.scheduler.nodeinfo import PodInfo  # noqa: E402
from kybernetes.scheduler.queue import SchedulingQueue  # noqa: E402


def node(index: int) -> dict:
    # scheduler_perf's node-default: 4 cpu, 32Gi, 110 pods
    name = f"node-{index}"
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {}, "status": {"allocatable": {"cpu": "4", "memory": "32Gi", "pods": "110"}}}


def basic_pod(index: int) -> dict:
    return {"metadata": {"name": f"pod-{index}", "namespace": "sched-0", "uid": f"uid-{index}",
                         "labels": {}},
            "spec": {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10",
                                     "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}}}],
                     "priority": 0}}


def anti_affinity_pod(index: int) -> dict:
    pod = basic_pod(index)
    pod["metadata"]["labels"] = {"color": "green"}
    pod["spec"]["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"color": "green"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    return pod


def run(nodes: int, pods: int, make_pod, label: str) -> dict:
    cache = Cache()
    for index in range(nodes):
        cache.add_node(node(index))
    queue = SchedulingQueue()
    framework = default_framework()
    for index in range(pods):
        queue.add(PodInfo(make_pod(index)))
    latencies = []
    failed = 0
    gc.collect()
    started = time.perf_counter()
    while True:
        qp = queue.pop_nowait()
        if qp is None:
            break
        begin = time.perf_counter()
        result = framework.schedule(qp.info, cache.snapshot(), queue.nominated, CycleState())
        if result.node is not None:
            cache.assume(qp.info, result.node)
            cache.finish_binding(qp.info.uid)
        else:
            failed += 1
        queue.done(qp.info.uid)
        latencies.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    latencies.sort()
    figures = {"label": label, "nodes": nodes, "pods": pods, "failed": failed,
               "seconds": elapsed, "pods_per_second": pods / elapsed,
               "p50_ms": latencies[len(latencies) // 2] * 1000,
               "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
               "mean_us": statistics.fmean(latencies) * 1e6}
    print(f"{label:<16} {nodes:>6} nodes {pods:>7} pods  {figures['pods_per_second']:8.1f} pods/s  "
          f"p50 {figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:6.2f} ms  "
          f"({elapsed:.1f} s{', %d unschedulable' % failed if failed else ''})", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the pods")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"python {sys.version.split()[0]}, in-process framework, default profile")
    run(500, 5000 // scale, basic_pod, "SchedulingBasic")
    run(5000, 10000 // scale, basic_pod, "SchedulingBasic")
    run(5000, 2000 // scale, anti_affinity_pod, "PodAntiAffinity")
    print("per-pod cost as nodes grow (basic pods, 1,000 each):")
    for count in (100, 1000, 5000):
        figures = run(count, 1000 // scale, basic_pod, "NodeScaling")
        print(f"    {count:>5} nodes: {figures['mean_us']:8.0f} us per pod")
    return 0


if __name__ == "__main__":
    sys.exit(main())
