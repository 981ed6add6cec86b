# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""End-to-end scheduling on simulated nodes, each component in its own process, as they
run in a real cluster: `kybernetes apiserver` (fresh temp data dir), `kybernetes
scheduler --kubeconfig <data-dir>/admin.kubeconfig`, `kybernetes simulate --nodes N`
(KUBECONFIG set) and `kybernetes controller-manager` (its node lifecycle controller lifts
the not-ready taint new Nodes are admitted with). For each size, P unowned pods with small requests are created by 16
concurrent clients through the API (aiohttp, the admin client certificate from
<data-dir>/pki), and one watch started before the first create observes them.

Prints, per size (100 nodes / 1,000 pods and 1,000 nodes / 3,000 pods by default):
  create -> scheduled   (spec.nodeName seen by the watch) p50/p99, pods scheduled per
                        second (first create to last bound)
  create -> Running     (status.phase Running seen by the watch) p50/p99, total time
  RSS of the simulate process idle (after registration) and with the pods running, per
  node; RSS of the scheduler and the API server; CPU seconds each process used during
  the pod phase (where the time goes on this 2-core machine).
Then a "backlog" phase (skip with --no-backlog): the scheduler process is stopped
(SIGSTOP) while P more pods are created, and continued; the drain rate after that is
the scheduler with its binding writes and the kubelets' status writes, without the
creates competing for the API server.

    .venv/bin/python bench/scheduler_e2e.py [--sizes 100:1000,1000:3000] [--clients 16]

Latencies are measured from just before each create request is sent to when the
watch event arrives in this process, so they include this process's own scheduling
delays (it shares the CPUs with the components).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
NAMESPACE = "bench-e2e"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return float("nan")


def progress(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Processes:
    """The component processes of one run; stopped by PID on the way out, whatever happened."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.data_dir / f"{name}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "kybernetes.cli.main", *args],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=ROOT, env=env, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        try:
            return (self.data_dir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return ""

    def check(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: {self.log(name)[-2000:]}")

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                try:
                    os.kill(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in reversed(list(self.procs.values())):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


class Api:
    def __init__(self, url: str, pki: Path, connections: int) -> None:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self.url = url
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, limit=connections + 4),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30))

    async def request(self, method: str, path: str, body: dict | None = None,
                      ok: tuple[int, ...] = (200, 201)) -> dict:
        async with self.session.request(method, self.url + path, json=body) as resp:
            data = await resp.json(content_type=None)
            if resp.status not in ok:
                raise RuntimeError(f"{method} {path}: {resp.status} {data}")
            return data

    async def close(self) -> None:
        await self.session.close()


def pod(index: int) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{index}", "labels": {"app": "bench-e2e"}},
            "spec": {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}],
                     "terminationGracePeriodSeconds": 0}}


class Observer:
    """One pod watch in the namespace: first time each pod is seen bound and Running."""

    def __init__(self, api: Api, expected: int, namespace: str) -> None:
        self.api = api
        self.namespace = namespace
        self.expected = expected
        self.bound: dict[str, float] = {}
        self.running: dict[str, float] = {}
        self.events = 0
        self.all_running = asyncio.Event()
        self.all_bound = asyncio.Event()

    async def run(self, resource_version: str) -> None:
        rv = resource_version
        while True:
            path = (f"/api/v1/namespaces/{self.namespace}/pods?watch=1&resourceVersion={rv}"
                    f"&allowWatchBookmarks=true&timeoutSeconds=3600")
            async with self.api.session.get(self.api.url + path) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"watch: {resp.status} {await resp.text()}")
                async for line in resp.content:
                    now = time.monotonic()
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    obj = event.get("object") or {}
                    meta = obj.get("metadata") or {}
                    rv = meta.get("resourceVersion", rv)
                    if event.get("type") not in ("ADDED", "MODIFIED"):
                        if event.get("type") == "ERROR":
                            raise RuntimeError(f"watch error: {obj}")
                        continue
                    self.events += 1
                    name = meta.get("name", "")
                    if (obj.get("spec") or {}).get("nodeName") and name not in self.bound:
                        self.bound[name] = now
                        if len(self.bound) >= self.expected:
                            self.all_bound.set()
                    if (obj.get("status") or {}).get("phase") == "Running" and name not in self.running:
                        self.running[name] = now
                        if len(self.running) >= self.expected:
                            self.all_running.set()


async def wait_for(what: str, check, procs: Processes, timeout: float, interval: float = 0.5):
    progress(f"waiting for {what}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check()
        result = await check()
        if result:
            return result
        await asyncio.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


async def phase(api: Api, procs: Processes, pids: dict[str, int], namespace: str, pods: int,
                clients: int, hold_scheduler: bool) -> None:
    """Create `pods` pods in `namespace` and print how they got bound and Running. With
    `hold_scheduler` the scheduler process is stopped (SIGSTOP) while they are created and
    continued after, so what follows is the scheduler draining a backlog, binding writes
    and kubelet status writes without the creates competing for the API server."""
    await api.request("POST", "/api/v1/namespaces", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    listing = await api.request("GET", f"/api/v1/namespaces/{namespace}/pods")
    observer = Observer(api, pods, namespace)
    watch = asyncio.create_task(observer.run(listing["metadata"]["resourceVersion"]))
    await asyncio.sleep(0.5)  # the watch is open before the first create
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    created: dict[str, float] = {}
    create_latency: list[float] = []
    next_index = iter(range(pods))

    async def creator() -> None:
        for index in next_index:
            body = pod(index)
            started = time.monotonic()
            created[body["metadata"]["name"]] = started
            await api.request("POST", f"/api/v1/namespaces/{namespace}/pods", body)
            create_latency.append(time.monotonic() - started)

    stopped = False
    try:
        if hold_scheduler:
            os.kill(pids["scheduler"], signal.SIGSTOP)
            stopped = True
        progress(f"creating {pods} pods in {namespace}")
        first_create = time.monotonic()
        await asyncio.gather(*(creator() for _ in range(clients)))
        last_create_done = time.monotonic()
        cpu_created = {name: cpu_seconds(pid) for name, pid in pids.items()}
    finally:
        if stopped:
            os.kill(pids["scheduler"], signal.SIGCONT)
    released = time.monotonic()
    last_report = [time.monotonic()]

    async def all_done():
        if time.monotonic() - last_report[0] > 10:
            last_report[0] = time.monotonic()
            progress(f"{len(observer.bound)} bound, {len(observer.running)} Running, "
                     f"{observer.events} watch events")
        if watch.done():
            watch.result()  # raises the watch's error
        return observer.all_running.is_set() and observer.all_bound.is_set()
    try:
        await wait_for("every pod Running", all_done, procs, 1800, 0.2)
    finally:
        watch.cancel()
    cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    await asyncio.sleep(3)

    to_bound = [observer.bound[name] - created[name] for name in created]
    to_running = [observer.running[name] - created[name] for name in created]
    first_bound, last_bound = min(observer.bound.values()), max(observer.bound.values())
    last_running = max(observer.running.values())
    bound_to_running = [observer.running[name] - observer.bound[name] for name in created]
    create_wall = last_create_done - first_create
    print(f"  -- {'backlog: scheduler stopped while creating, then continued' if hold_scheduler else 'live: scheduler running while creating'}")
    print(f"  create requests: {pods / create_wall:.0f} pods/s, "
          f"latency p50 {percentile(create_latency, .5) * 1000:.0f} ms "
          f"p99 {percentile(create_latency, .99) * 1000:.0f} ms, all created in {create_wall:.1f}s")
    if hold_scheduler:
        drain = last_bound - released
        print(f"  continued -> last bound {drain:.1f}s: {pods / drain:.1f} pods scheduled/s "
              f"(first bound {first_bound - released:.2f}s after continuing); "
              f"bound -> Running p50 {percentile(bound_to_running, .5) * 1000:.0f} ms "
              f"p99 {percentile(bound_to_running, .99) * 1000:.0f} ms; "
              f"continued -> last Running {last_running - released:.1f}s")
    else:
        print(f"  create -> scheduled: p50 {percentile(to_bound, .5) * 1000:.0f} ms "
              f"p99 {percentile(to_bound, .99) * 1000:.0f} ms; "
              f"{pods / (last_bound - first_create):.1f} pods scheduled/s "
              f"(first create to last bound {last_bound - first_create:.1f}s)")
        print(f"  create -> Running:   p50 {percentile(to_running, .5) * 1000:.0f} ms "
              f"p99 {percentile(to_running, .99) * 1000:.0f} ms; "
              f"total {last_running - first_create:.1f}s (first create to last Running); "
              f"bound -> Running p50 {percentile(bound_to_running, .5) * 1000:.0f} ms "
              f"p99 {percentile(bound_to_running, .99) * 1000:.0f} ms")
    parts = ", ".join(f"{name} {cpu_created[name] - cpu_before[name]:.1f}+"
                      f"{cpu_after[name] - cpu_created[name]:.1f}" for name in pids)
    print(f"  CPU seconds (while creating + after, until all Running; wall {create_wall:.1f}"
          f"+{last_running - last_create_done:.1f}s; watch saw {observer.events} events): {parts}")


async def run_size(nodes: int, pods: int, clients: int, keep: bool, backlog: bool) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix=f"kyb-e2e-{nodes}-"))
    procs = Processes(data_dir)
    api: Api | None = None
    try:
        port = free_port()
        procs.start("apiserver", ["apiserver", "--data-dir", str(data_dir), "--port", str(port),
                                  "--bind-address", "127.0.0.1"])
        kubeconfig = data_dir / "admin.kubeconfig"
        deadline = time.monotonic() + 60
        while not kubeconfig.exists() or not (data_dir / "pki" / "admin.key").exists():
            procs.check()
            if time.monotonic() > deadline:
                raise RuntimeError("API server did not write admin.kubeconfig")
            await asyncio.sleep(0.1)
        api = Api(f"https://127.0.0.1:{port}", data_dir / "pki", clients)

        async def ready():
            try:
                async with api.session.get(api.url + "/readyz") as resp:
                    return resp.status == 200
            except aiohttp.ClientError:
                return False
        await wait_for("the API server", ready, procs, 60, 0.1)

        env = dict(os.environ, KUBECONFIG=str(kubeconfig))
        scheduler = procs.start("scheduler", ["scheduler", "--kubeconfig", str(kubeconfig)])
        # the API server's TaintNodesByCondition admission gives every new Node the
        # not-ready:NoSchedule taint, as upstream's does; the node lifecycle controller
        # lifts it once the node is Ready, so a cluster that schedules needs it
        procs.start("controller-manager", ["controller-manager", "--kubeconfig", str(kubeconfig)])
        simulate = procs.start("simulate", ["simulate", "--nodes", str(nodes)], env=env)

        async def leader():
            try:
                lease = await api.request("GET", "/apis/coordination.k8s.io/v1/namespaces/"
                                                 "kube-system/leases/kube-scheduler")
            except RuntimeError:
                return None
            return (lease.get("spec") or {}).get("holderIdentity")
        await wait_for("the scheduler's lease", leader, procs, 60)

        registered_at = time.monotonic()

        async def registered():
            return "registered" in procs.log("simulate")
        await wait_for("simulate to register its nodes", registered, procs, 600)
        register_line = next(line for line in procs.log("simulate").splitlines()
                             if line.startswith("registered"))

        async def nodes_listed():
            listing = await api.request("GET", "/api/v1/nodes?limit=5000")
            ready_nodes = [n for n in listing.get("items", []) if any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in (n.get("status") or {}).get("conditions") or []) and not any(
                t.get("key") == "node.kubernetes.io/not-ready"
                for t in (n.get("spec") or {}).get("taints") or [])]
            return len(ready_nodes) >= nodes
        await wait_for(f"{nodes} Ready, untainted nodes", nodes_listed, procs, 300)
        settle = time.monotonic() - registered_at
        await asyncio.sleep(5)  # let the registration burst and the first heartbeats pass
        idle_sim = rss_mb(simulate.pid)
        idle_sched = rss_mb(scheduler.pid)
        pids = {"apiserver": procs.procs["apiserver"].pid, "scheduler": scheduler.pid,
                "simulate": simulate.pid, "controller-manager": procs.procs["controller-manager"].pid,
                "bench": os.getpid()}
        # the cost of an idle cluster of this size: leases and node status, no pods
        idle_window = 10.0
        idle_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await asyncio.sleep(idle_window)
        idle_cpu = ", ".join(f"{name} {(cpu_seconds(pid) - idle_before[name]) / idle_window * 100:.0f}%"
                             for name, pid in pids.items() if name != "bench")

        print(f"\n== {nodes} nodes / {pods} pods ({clients} concurrent creating clients) ==")
        print(f"  simulate: {register_line}  (all {nodes} Ready and untainted "
              f"{settle:.1f}s after the scheduler led)")
        print(f"  idle cluster CPU (of one core, over {idle_window:.0f}s, no pods): {idle_cpu}")
        await phase(api, procs, pids, NAMESPACE, pods, clients, hold_scheduler=False)
        busy_sim = rss_mb(simulate.pid)
        busy_sched = rss_mb(scheduler.pid)
        print(f"  RSS simulate: idle {idle_sim:.0f} MB ({idle_sim / nodes * 1024:.0f} KB/node), "
              f"with {pods} pods running {busy_sim:.0f} MB ({busy_sim / nodes * 1024:.0f} KB/node)")
        print(f"  RSS scheduler: idle {idle_sched:.0f} MB, after {busy_sched:.0f} MB; apiserver "
              f"{rss_mb(pids['apiserver']):.0f} MB; controller-manager "
              f"{rss_mb(pids['controller-manager']):.0f} MB")
        if backlog:
            await phase(api, procs, pids, NAMESPACE + "-backlog", pods, clients, hold_scheduler=True)
            print(f"  RSS after the backlog phase ({2 * pods} pods running): simulate "
                  f"{rss_mb(simulate.pid):.0f} MB, scheduler {rss_mb(scheduler.pid):.0f} MB, "
                  f"apiserver {rss_mb(pids['apiserver']):.0f} MB")
    finally:
        if api is not None:
            await api.close()
        procs.stop()
        if keep:
            print(f"  (data dir kept: {data_dir})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100:1000,1000:3000",
                        help="comma-separated NODES:PODS runs (default 100:1000,1000:3000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent creating clients")
    parser.add_argument("--no-backlog", dest="backlog", action="store_false",
                        help="skip the second phase (scheduler stopped while the pods are created)")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    args = parser.parse_args()
    def stop(signum, frame):  # terminate like Ctrl-C, so the components are stopped too
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    sizes = [tuple(int(x) for x in item.split(":")) for item in args.sizes.split(",") if item]
    for nodes, pods in sizes:
        asyncio.run(run_size(nodes, pods, args.clients, args.keep, args.backlog))
    return 0


if __name__ == "__main__":
    sys.exit(main())
