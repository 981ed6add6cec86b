# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod startup latency with real containers, next to bare runc as the floor.

Starts a local docker-registry holding busybox (tests/support/registry.py), `kybernetes
server --disable-agent` (API server, controllers, scheduler) and `kybernetes agent
--runtime runc` in its own process, so the kubelet's memory is its own. The image is
pulled once before measuring ("image already present", as upstream's pod startup SLO).

Prints, for 1, 10 and 50 pods created at once (busybox `sleep 3600`):
  create -> Running  p50/p99 as a watch in this process observes status.phase Running
  bare runc          `runc run --detach` of a busybox bundle, p50/p99 over 10 runs
  ratio              pod p50 / runc p50 (goal: under 3; upstream's SLO is p99 <= 5 s)
  kubelet RSS        the agent process with 0 and with 50 pods running
  CPU                seconds the agent (with its runc/CNI children), the server and the
                     whole machine were busy per round: the machine is shared, so the
                     load average is printed too

Each round starts on a quiet node: the previous round's pods are gone from the API and
their sandboxes torn down (upstream's pod startup SLO is about startup, not teardown).

    .venv/bin/python bench/pods.py [--counts 1,10,50]   (as root, runc installed)
"""
from __future__ import annotations

import argparse
import os
import shutil
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

from tests.integration.conftest import Server, free_port  # noqa: E402
from tests.support.waiting import wait_for  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` and of its waited-for children."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent neither idle nor waiting for I/O."""
    with open("/proc/stat") as handle:
        values = [int(value) for value in handle.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def busybox_bundle(directory: Path) -> Path:
    rootfs = directory / "rootfs"
    (rootfs / "bin").mkdir(parents=True)
    shutil.copy("/usr/bin/busybox", rootfs / "bin" / "busybox")
    for applet in ("sh", "sleep"):
        (rootfs / "bin" / applet).symlink_to("busybox")
    subprocess.run(["runc", "spec", "--bundle", str(directory)], check=True)
    config = (directory / "config.json").read_text()
    config = config.replace('"terminal": true', '"terminal": false').replace(
        '"sh"', '"sleep", "3600"')
    (directory / "config.json").write_text(config)
    return directory


def bare_runc(runs: int = 10) -> list[float]:
    """Seconds for `runc run --detach` to return with the container running."""
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        bundle = busybox_bundle(Path(tmp) / "bundle")
        for _ in range(runs):
            name = f"bench-{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            subprocess.run(["runc", "run", "--detach", "--bundle", str(bundle), name], check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            timings.append(time.perf_counter() - started)
            subprocess.run(["runc", "delete", "--force", name], check=False)
    return timings


class RunningWatch:
    """Records when each pod of a namespace is first seen Running."""

    def __init__(self, core, namespace: str) -> None:
        from kubernetes import watch
        self.core, self.namespace = core, namespace
        self.running: dict[str, float] = {}
        self.watch = watch.Watch()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for event in self.watch.stream(self.core.list_namespaced_pod, self.namespace,
                                           timeout_seconds=600):
                pod = event["object"]
                if pod.status and pod.status.phase == "Running":
                    self.running.setdefault(pod.metadata.name, time.perf_counter())
        except Exception:  # stop() ends the stream mid-chunk
            pass

    def stop(self) -> None:
        self.watch.stop()


def pod_body(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                {"name": "app", "image": "busybox", "imagePullPolicy": "IfNotPresent",
                 "command": ["sleep", "3600"]}]}}


def measure(core, namespace: str, count: int) -> list[float]:
    from concurrent.futures import ThreadPoolExecutor
    watcher = RunningWatch(core, namespace)
    time.sleep(0.5)  # the watch is established
    created: dict[str, float] = {}

    def create(index: int) -> None:
        name = f"p{count}-{index}"
        created[name] = time.perf_counter()
        core.create_namespaced_pod(namespace, pod_body(name))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(count)))
    wait_for(lambda: all(name in watcher.running for name in created), timeout=300)
    watcher.stop()
    return [watcher.running[name] - created[name] for name in created]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="1,10,50")
    args = parser.parse_args()
    if os.geteuid() != 0 or not shutil.which("runc"):
        sys.exit("bench/pods.py needs root and runc")
    from kubernetes import client, config
    from tests.support.registry import seed_registry, start_registry, write_registries_yaml

    work = Path(tempfile.mkdtemp(prefix="bench-pods-"))
    registry = start_registry(work / "registry")
    server = agent = None
    try:
        seed_registry(registry)
        write_registries_yaml(work / "agent" / "registries.yaml", registry.url)
        server = Server(work / "cluster", ["--disable-agent"], command="server").start()
        agent_log = open(work / "agent.log", "wb")
        agent = subprocess.Popen(
            [sys.executable, "-m", "kybernetes.cli.main", "agent", "--kubeconfig",
             str(server.kubeconfig), "--runtime", "runc", "--root-dir", str(work / "agent"),
             "--disable-default-registry-endpoint", "--kubelet-port", str(free_port())], stdout=agent_log, stderr=subprocess.STDOUT)
        configuration = client.Configuration()
        config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=configuration)
        core = client.CoreV1Api(client.ApiClient(configuration))
        wait_for(lambda: core.list_node().items, timeout=60)
        namespace = "bench-pods"
        core.create_namespace({"metadata": {"name": namespace}})
        wait_for(lambda: core.list_namespaced_service_account(namespace).items, timeout=60)
        sandboxes = work / "agent" / "runc" / "sandboxes"

        def delete_all() -> None:
            core.delete_collection_namespaced_pod(namespace, grace_period_seconds=0)
            wait_for(lambda: not core.list_namespaced_pod(namespace).items, timeout=300)
            # the kubelet removes sandboxes after the pods leave the API: let it finish
            wait_for(lambda: not sandboxes.is_dir() or not any(sandboxes.iterdir()),
                     timeout=300)

        measure(core, namespace, 1)  # pulls the image
        delete_all()
        time.sleep(2)
        idle_rss = rss_mb(agent.pid)
        print(f"load average before: {load_average()}  ({os.cpu_count()} CPUs)")

        floor = bare_runc()
        floor_p50 = statistics.median(floor)
        print(f"bare runc run --detach: p50 {floor_p50 * 1000:.0f} ms  p99 "
              f"{percentile(floor, 0.99) * 1000:.0f} ms  (10 runs)")
        busy_rss = idle_rss
        for count in [int(c) for c in args.counts.split(",")]:
            agent_cpu, server_cpu = cpu_seconds(agent.pid), cpu_seconds(server.process.pid)
            machine = machine_busy_seconds()
            latencies = measure(core, namespace, count)
            p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
            print(f"{count:3d} pods: create->Running p50 {p50 * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms"
                  f"  ratio to bare runc (p50) {p50 / floor_p50:.1f}x")
            print(f"          CPU per pod: agent {(cpu_seconds(agent.pid) - agent_cpu) / count * 1000:.0f} ms"
                  f"  server {(cpu_seconds(server.process.pid) - server_cpu) / count * 1000:.0f} ms"
                  f"  whole machine {(machine_busy_seconds() - machine) / count * 1000:.0f} ms"
                  f"  (load average {load_average()})")
            if count == max(int(c) for c in args.counts.split(",")):
                busy_rss = rss_mb(agent.pid)
            delete_all()
        print(f"kubelet (agent process) RSS: {idle_rss:.0f} MB with 0 pods, "
              f"{busy_rss:.0f} MB with {max(int(c) for c in args.counts.split(','))} pods")
    finally:
        if agent is not None:
            agent.terminate()
            agent.wait(timeout=60)
        if server is not None:
            server.stop()
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
