# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The controllers end to end, on simulated nodes: `kybernetes server --runtime fake`
(API server, controller manager, scheduler and one simulated kubelet in one process) and
`kybernetes simulate --nodes 20 --pods 110` (a second process) in a temporary data dir.

Prints:
  - the time from creating a 1,000-replica Deployment to all 1,000 pods existing, and
    to all 1,000 reported Running by the simulated kubelets;
  - the time to roll those 1,000 pods to a new image: from the patch to the Deployment's
    status showing replicas == updatedReplicas == availableReplicas == 1,000 (what
    `kubectl rollout status` waits for), checked with `kubectl rollout status` after;
  - API writes per second during the rollout, from the server's own /metrics
    (apiserver_request_total before and after), with the Deployment, ReplicaSet and pod
    writes broken out: the honest measure of how fast the controllers reconcile;
  - the RSS (and CPU seconds) of the server process idle and with the 1,000 pods, and
    the RSS of the simulate process.

The bench talks to the API with aiohttp and the admin client certificate in
<data-dir>/pki; it watches the namespace's pods (one watch) to time creation and Running.

    .venv/bin/python bench/controllers.py [--replicas 1000] [--nodes 20]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"
NAMESPACE = "bench"
WRITE_VERBS = ("POST", "PUT", "PATCH", "DELETE")
METRIC = re.compile(r'^apiserver_request_total\{code="(\d+)",group="([^"]*)",resource="([^"]*)",'
                    r'subresource="([^"]*)",verb="([A-Z]+)"\} (\d+)$')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def deployment(replicas: int, image: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": NAMESPACE},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{
                                      "name": "web", "image": image,
                                      "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}}


class Api:
    def __init__(self, url: str, pki: Path) -> None:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self.url = url
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, limit=8),
            timeout=aiohttp.ClientTimeout(total=None, sock_read=None))

    async def call(self, method: str, path: str, body=None, content_type="application/json",
                   ok=(200, 201)) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        async with self.session.request(method, self.url + path, data=data,
                                        headers={"Content-Type": content_type}) as response:
            text = await response.text()
            if response.status not in ok:
                raise RuntimeError(f"{method} {path}: {response.status} {text[:500]}")
            return json.loads(text) if text.startswith("{") else {}

    async def metrics(self) -> dict[tuple, int]:
        async with self.session.get(self.url + "/metrics") as response:
            text = await response.text()
        counts: dict[tuple, int] = {}
        for line in text.splitlines():
            match = METRIC.match(line)
            if match:
                code, group, res, sub, verb, value = match.groups()
                counts[(verb, group, res, sub, code)] = int(value)
        return counts

    async def close(self) -> None:
        await self.session.close()


class PodWatch:
    """One watch on the namespace's pods: when did the count, and the Running count of
    pods with a given image, reach a target."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.pods: dict[str, tuple[str, str]] = {}  # name -> (phase, image)
        self.waiters: list[tuple] = []
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        listing = await self.api.call("GET", f"/api/v1/namespaces/{NAMESPACE}/pods")
        for pod in listing["items"]:
            self._apply("ADDED", pod)
        self.task = asyncio.create_task(self._run(listing["metadata"]["resourceVersion"]))

    async def _run(self, rv: str) -> None:
        path = (f"/api/v1/namespaces/{NAMESPACE}/pods?watch=true&resourceVersion={rv}"
                f"&allowWatchBookmarks=true")
        async with self.api.session.get(self.api.url + path) as response:
            if response.status != 200:
                raise RuntimeError(f"watch: {response.status} {await response.text()}")
            buffer = b""
            async for chunk in response.content.iter_any():
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.strip():
                        event = json.loads(line)
                        if event["type"] == "ERROR":
                            raise RuntimeError(f"watch error: {event['object']}")
                        self._apply(event["type"], event["object"])

    def _apply(self, kind: str, pod: dict) -> None:
        name = pod["metadata"].get("name")
        if kind == "DELETED":
            self.pods.pop(name, None)
        elif kind in ("ADDED", "MODIFIED"):
            image = pod["spec"]["containers"][0]["image"]
            self.pods[name] = ((pod.get("status") or {}).get("phase") or "", image)
        for waiter in list(self.waiters):
            predicate, future = waiter
            if not future.done() and predicate(self):
                future.set_result(time.monotonic())
                self.waiters.remove(waiter)

    def count(self, image: str | None = None, phase: str | None = None) -> int:
        return sum(1 for p, i in self.pods.values()
                   if (image is None or i == image) and (phase is None or p == phase))

    async def until(self, predicate, timeout: float) -> float:
        if predicate(self):
            return time.monotonic()
        future = asyncio.get_running_loop().create_future()
        self.waiters.append((predicate, future))
        done, _ = await asyncio.wait([future, self.task], timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if future in done:
            return future.result()
        if self.task in done:
            self.task.result()
        raise TimeoutError(f"timed out; pods {len(self.pods)}, running {self.count(phase='Running')}")

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass


def write_delta(before: dict, after: dict) -> dict[tuple, int]:
    delta: dict[tuple, int] = defaultdict(int)
    for key, value in after.items():
        verb, group, res, sub, code = key
        if verb in WRITE_VERBS:
            diff = value - before.get(key, 0)
            if diff:
                delta[(verb, res, sub)] += diff
    return delta


def wait_file(path: Path, process: subprocess.Popen, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited: {path.read_text()[-3000:]}")
        content = path.read_text(errors="replace") if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)
    raise RuntimeError(f"{text!r} not seen in {path} after {timeout} s")


async def bench(args, data_dir: Path, server: subprocess.Popen, simulate: subprocess.Popen,
                url: str) -> None:
    api = Api(url, data_dir / "pki")
    replicas = args.replicas
    try:
        total_nodes = args.nodes + 1
        deadline = time.monotonic() + 120
        while True:
            nodes = (await api.call("GET", "/api/v1/nodes"))["items"]
            ready = [n for n in nodes if any(c["type"] == "Ready" and c["status"] == "True"
                                             for c in n.get("status", {}).get("conditions", []))]
            if len(ready) >= total_nodes:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(ready)} of {total_nodes} nodes Ready")
            await asyncio.sleep(0.5)
        await asyncio.sleep(5)  # let the registration burst settle
        print(f"nodes Ready: {len(ready)} (1 in the server process, {args.nodes} simulated, "
              f"{args.pods} pods each)")
        print(f"server RSS idle (apiserver + controller-manager + scheduler + 1 kubelet): "
              f"{proc_rss_mb(server.pid):.0f} MB")
        print(f"simulate RSS idle ({args.nodes} nodes): {proc_rss_mb(simulate.pid):.0f} MB")

        await api.call("POST", "/api/v1/namespaces",
                       {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        await asyncio.sleep(1)  # the namespace's ServiceAccount comes first (admission needs it)
        watch = PodWatch(api)
        await watch.start()

        cpu0 = proc_cpu_seconds(server.pid)
        sim_cpu0 = proc_cpu_seconds(simulate.pid)
        started = time.monotonic()
        await api.call("POST", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments",
                       deployment(replicas, "registry.example/web:v1"))
        created = await watch.until(lambda w: len(w.pods) >= replicas, args.timeout)
        print(f"{replicas}-replica Deployment, create -> all {replicas} pods exist: "
              f"{created - started:.1f} s ({replicas / (created - started):.0f} pods/s)")
        running = await watch.until(lambda w: w.count(phase="Running") >= replicas, args.timeout)
        print(f"{replicas}-replica Deployment, create -> all {replicas} pods Running: "
              f"{running - started:.1f} s")
        dep_path = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/web"

        def complete(dep: dict, image_generation: int) -> bool:
            status = dep.get("status") or {}
            return (status.get("observedGeneration", 0) >= image_generation
                    and status.get("replicas") == replicas
                    and status.get("updatedReplicas") == replicas
                    and status.get("availableReplicas") == replicas)
        while not complete(dep := await api.call("GET", dep_path), dep["metadata"]["generation"]):
            await asyncio.sleep(0.25)
        available = time.monotonic()
        print(f"{replicas}-replica Deployment, create -> status available {replicas}/{replicas}: "
              f"{available - started:.1f} s")
        print(f"server CPU during the create: {proc_cpu_seconds(server.pid) - cpu0:.1f} s; "
              f"simulate CPU: {proc_cpu_seconds(simulate.pid) - sim_cpu0:.1f} s")
        await asyncio.sleep(3)
        print(f"server RSS with {replicas} pods: {proc_rss_mb(server.pid):.0f} MB")
        print(f"simulate RSS with {replicas} pods: {proc_rss_mb(simulate.pid):.0f} MB")

        # ------------------------------------------------------------- rolling update
        metrics_before = await api.metrics()
        cpu0 = proc_cpu_seconds(server.pid)
        peak_rss = proc_rss_mb(server.pid)
        started = time.monotonic()
        patched = await api.call(
            "PATCH", dep_path,
            {"spec": {"template": {"spec": {"containers": [{"name": "web",
                                                            "image": "registry.example/web:v2"}]}}}},
            content_type="application/strategic-merge-patch+json")
        generation = patched["metadata"]["generation"]
        while True:
            dep = await api.call("GET", dep_path)
            peak_rss = max(peak_rss, proc_rss_mb(server.pid))
            if complete(dep, generation):
                break
            if time.monotonic() - started > args.timeout:
                raise RuntimeError(f"rollout not done after {args.timeout} s: {dep.get('status')}")
            await asyncio.sleep(0.25)
        finished = time.monotonic()
        elapsed = finished - started
        metrics_after = await api.metrics()
        cpu = proc_cpu_seconds(server.pid) - cpu0
        print(f"rolling update of {replicas} pods to a new image (maxSurge 25%, maxUnavailable 25%): "
              f"{elapsed:.1f} s")
        rollout = subprocess.run([KUBECTL, "rollout", "status", "deployment/web", "-n", NAMESPACE,
                                  "--timeout=60s"], capture_output=True, text=True,
                                 env=dict(os.environ, KUBECONFIG=str(data_dir / "admin.kubeconfig")))
        print(f"kubectl rollout status: exit {rollout.returncode}: "
              f"{(rollout.stdout.strip().splitlines() or [rollout.stderr.strip()])[-1]}")
        delta = write_delta(metrics_before, metrics_after)
        total = sum(delta.values())
        print(f"API writes/s during the rollout: {total / elapsed:.0f} ({total} writes in {elapsed:.1f} s)")
        by_resource: dict[str, int] = defaultdict(int)
        for (verb, res, sub), count in delta.items():
            by_resource[res + ("/" + sub if sub else "")] += count
        for name in ("deployments", "deployments/status", "replicasets", "replicasets/status",
                     "pods", "pods/binding", "pods/status"):
            if name in by_resource:
                print(f"    {name:<20} {by_resource[name]:>6} writes  {by_resource[name] / elapsed:7.1f}/s")
        controller_writes = sum(by_resource.get(n, 0) for n in
                                ("deployments", "deployments/status", "replicasets",
                                 "replicasets/status", "pods", "pods/status"))
        print(f"Deployment + ReplicaSet + pod (incl. status) writes/s during the rollout: "
              f"{controller_writes / elapsed:.0f}")
        others = {n: c for n, c in by_resource.items() if n not in (
            "deployments", "deployments/status", "replicasets", "replicasets/status",
            "pods", "pods/binding", "pods/status")}
        if others:
            print("    other writes: " + ", ".join(f"{n} {c}" for n, c in sorted(others.items())))
        verbs = defaultdict(int)
        for (verb, res, sub), count in delta.items():
            verbs[verb] += count
        print("    by verb: " + ", ".join(f"{v} {c}" for v, c in sorted(verbs.items())))
        print(f"server CPU during the rollout: {cpu:.1f} s ({cpu / elapsed * 100:.0f}% of one core)")
        print(f"server RSS after the rollout: {proc_rss_mb(server.pid):.0f} MB "
              f"(peak seen during it {peak_rss:.0f} MB)")
        print(f"simulate RSS after the rollout: {proc_rss_mb(simulate.pid):.0f} MB")
        await asyncio.sleep(30)
        objects = {}
        async with api.session.get(api.url + "/metrics") as response:
            for line in (await response.text()).splitlines():
                if line.startswith("apiserver_storage_objects{"):
                    name, value = line.rsplit(" ", 1)
                    objects[name.split('"')[1]] = int(value)
        print(f"server RSS 30 s after the rollout (idle): {proc_rss_mb(server.pid):.0f} MB; stored "
              + ", ".join(f"{k} {objects[k]}" for k in ("pods", "replicasets", "events")
                          if k in objects))
        await watch.stop()
    finally:
        await api.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--pods", type=int, default=110, help="pod capacity of each simulated node")
    parser.add_argument("--timeout", type=float, default=900, help="give up on a phase after this")
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kybernetes-bench-controllers-"))
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    server_log = data_dir / "server.log"
    simulate_log = data_dir / "simulate.log"
    processes: list[subprocess.Popen] = []
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, data dir {data_dir}")
    try:
        server = subprocess.Popen(
            [PYTHON, "-m", "kybernetes.cli.main", "server", "--runtime", "fake", "--data-dir",
             str(data_dir), "--port", str(port), "--bind-address", "127.0.0.1"],
            cwd=ROOT, stdout=open(server_log, "wb"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        processes.append(server)
        wait_file(server_log, server, "ready in", 120)
        simulate = subprocess.Popen(
            [PYTHON, "-m", "kybernetes.cli.main", "simulate", "--nodes", str(args.nodes),
             "--pods", str(args.pods)],
            cwd=ROOT, env=dict(os.environ, KUBECONFIG=str(data_dir / "admin.kubeconfig")),
            stdout=open(simulate_log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        processes.append(simulate)
        wait_file(simulate_log, simulate, "registered", 120)
        asyncio.run(bench(args, data_dir, server, simulate, url))
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if args.keep:
            print(f"logs in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
