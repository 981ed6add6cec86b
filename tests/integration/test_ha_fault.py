# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The fault test of a highly available control plane, all real processes: a 3-member
etcd cluster with TLS from the cluster CA, two API servers, two controller managers,
one scheduler and three simulated nodes, every component pointed at both API servers
through the client-side load balancer.

While a Deployment scales and rolls and client threads write ConfigMaps (counting the
writes the API acknowledged) and watch them, it kills -9 one etcd member, then the API
server the load-balanced clients prefer, then the leading controller manager. Then:
every acknowledged write reads back with its last acknowledged value; each key's watch
saw every acknowledged resourceVersion (none missed across the API server's death: the
watches resumed elsewhere from their last resourceVersion); the Deployment reaches its
replicas on the new image; the controller-manager Lease moved to the survivor (the
time it took is printed, never asserted).
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource
from kybernetes.pki import certs
from tests.integration.conftest import Kubectl
from tests.support.etcd import EtcdCluster, etcd_available
from tests.support.ha import Component, start_apiservers, write_ha_kubeconfig
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not etcd_available(), reason="etcd is not installed")

CONFIGMAPS = resource("configmaps")
KEYS_PER_WRITER = 4
WRITERS = 2
LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD = 8, 5, 1  # seconds; short to keep the test short
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: registry.example/web:v1
"""


@dataclass
class KeySet:
    """One writer thread's keys: what it got acknowledged, what its watch saw."""
    index: int
    namespace: str
    kubeconfig: Path
    acked: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> [(value, rv)]
    observed: dict[str, list[str]] = field(default_factory=dict)  # key -> rvs the watch saw
    errors: list[str] = field(default_factory=list)  # failures a client saw and retried
    watch_failure: str = ""
    failovers: int = 0  # times this thread's load-balanced client moved to another server
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def label(self) -> str:
        return f"set-{self.index}"

    def keys(self) -> list[str]:
        return [f"cm-{self.index}-{k}" for k in range(KEYS_PER_WRITER)]

    def acked_count(self) -> int:
        return sum(len(v) for v in self.acked.values())

    # ------------------------------------------------------------ the thread
    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        client = Client.from_kubeconfig(self.kubeconfig, user_agent=f"ha-writer-{self.index}")
        try:
            _, start_rv = await client.list(CONFIGMAPS, self.namespace,
                                            label_selector=f"set={self.label}")
            watcher = asyncio.create_task(self._watch(client, start_rv))
            await self._write(client)
            # the watch has had every acknowledged write once it saw each key's last one
            for _ in range(600):
                if self.watch_failure or self._caught_up():
                    break
                await asyncio.sleep(0.1)
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            self.failovers = client.pool.failovers
        finally:
            await client.close()

    async def _write(self, client: Client) -> None:
        created: set[str] = set()
        round_ = 0
        while not self.stop.is_set():
            round_ += 1
            for key in self.keys():
                value = str(round_)
                while True:  # the same value until acknowledged: no unacknowledged write after
                    try:
                        if key not in created:
                            try:
                                obj = await client.create(CONFIGMAPS, {
                                    "apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": key, "labels": {"set": self.label}},
                                    "data": {"value": value}}, self.namespace)
                            except ApiError as exc:
                                if exc.code != 409:
                                    raise
                                created.add(key)  # an unacknowledged create went through
                                continue
                            created.add(key)
                        else:
                            obj = await client.patch(CONFIGMAPS, key, {"data": {"value": value}},
                                                     self.namespace)
                        self.acked.setdefault(key, []).append(
                            (obj["data"]["value"], obj["metadata"]["resourceVersion"]))
                        break
                    except Exception as exc:  # a dying server: not acknowledged, try again
                        self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                        await asyncio.sleep(0.1)
                await asyncio.sleep(0.02)

    async def _watch(self, client: Client, resource_version: str) -> None:
        try:
            while True:
                async for kind, obj in client.watch(CONFIGMAPS, self.namespace,
                                                    resource_version=resource_version,
                                                    label_selector=f"set={self.label}"):
                    resource_version = obj["metadata"]["resourceVersion"]
                    if kind in ("ADDED", "MODIFIED"):
                        self.observed.setdefault(obj["metadata"]["name"], []).append(resource_version)
                # the server ended the stream cleanly: watch on from where it was
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any other end is a failure of the test
            self.watch_failure = f"{type(exc).__name__}: {exc}"

    def _caught_up(self) -> bool:
        return all(acked[-1][1] in self.observed.get(key, []) for key, acked in self.acked.items())


def lease_holder(kubectl: Kubectl) -> str:
    result = kubectl.run("get", "lease", "-n", "kube-system", "kube-controller-manager",
                         "-o", "json", check=False)
    return json.loads(result.stdout)["spec"].get("holderIdentity", "") if result.returncode == 0 else ""


def test_control_plane_survives_etcd_member_apiserver_and_leader_deaths(tmp_path):
    base = tmp_path
    started: list = []  # everything with a stop(), stopped in reverse order at the end
    key_sets: list[KeySet] = []
    try:
        # the cluster CA first: etcd's certificates come from it, as in seed 000
        pki = certs.ensure_pki(base / "apiserver-0" / "pki", certs.default_serving_sans("10.96.0.0/12"))
        etcd = EtcdCluster(base / "etcd", ca=pki.ca)
        started.append(etcd)
        etcd.start()
        servers = start_apiservers(base, 2, etcd.apiserver_flags())
        started.extend(servers)
        first, second = servers
        kubeconfig = write_ha_kubeconfig(servers, base / "ha.kubeconfig")
        kubectl = Kubectl(second, base / "kubectl-cache")  # kubectl talks to one server: the survivor

        lease_flags = ["--leader-elect-lease-duration", f"{LEASE_DURATION}s",
                       "--leader-elect-renew-deadline", f"{RENEW_DEADLINE}s",
                       "--leader-elect-retry-period", f"{RETRY_PERIOD}s"]
        managers = [Component(f"cm-{i}", ["controller-manager", "--kubeconfig", str(kubeconfig),
                                          *lease_flags], base / f"cm-{i}.log") for i in range(2)]
        started.extend(managers)
        # the scheduler gets its servers from --master instead of the kubeconfig extension
        scheduler = Component("scheduler", ["scheduler", "--kubeconfig", str(first.kubeconfig),
                                            "--master", f"{first.url},{second.url}"],
                              base / "scheduler.log")
        nodes = Component("simulate", ["simulate", "--nodes", "3", "--kubeconfig", str(kubeconfig),
                                       "--run-seconds", "0"], base / "simulate.log")
        started.extend([scheduler, nodes])

        def components_alive() -> None:
            for component in (*managers, scheduler, nodes):
                assert component.alive() or component.process.returncode == -9, \
                    f"{component.name} exited:\n{component.output()[-3000:]}"

        def leading_manager() -> Component | None:
            components_alive()
            holder = lease_holder(kubectl)
            return next((m for m in managers if holder and f"{holder} became leader" in m.output()),
                        None)
        leader = wait_for(leading_manager, timeout=60)
        wait_for(lambda: components_alive() or "registered 3 nodes" in nodes.output(), timeout=60)

        namespace = f"ha-{uuid.uuid4().hex[:6]}"
        kubectl.run("create", "namespace", namespace)
        kubectl.run("apply", "-n", namespace, "-f", "-", input=DEPLOYMENT)
        for index in range(WRITERS):
            key_set = KeySet(index, namespace, kubeconfig)
            key_set.thread = threading.Thread(target=key_set.run, name=f"writer-{index}", daemon=True)
            key_sets.append(key_set)
            key_set.thread.start()

        def writes_acknowledged(at_least: int):
            return lambda: all(k.acked_count() >= at_least for k in key_sets)
        wait_for(writes_acknowledged(8), timeout=60)
        kubectl.run("scale", "-n", namespace, "deployment/web", "--replicas=6")

        # fault 1: an etcd member (the first: the one every API server started on)
        etcd.members[0].kill()
        counts = [k.acked_count() for k in key_sets]
        wait_for(writes_acknowledged(max(counts) + 8), timeout=60)
        kubectl.run("set", "image", "-n", namespace, "deployment/web", "c=registry.example/web:v2")

        # fault 2: the API server the load-balanced clients prefer
        first.kill()
        counts = [k.acked_count() for k in key_sets]
        wait_for(writes_acknowledged(max(counts) + 8), timeout=60)

        # fault 3: the leading controller manager; the other takes the Lease once it expires
        old_holder = lease_holder(kubectl)
        leader.kill()
        killed_at = time.monotonic()
        survivor = next(m for m in managers if m is not leader)

        def lease_moved():
            assert survivor.alive(), survivor.output()[-3000:]
            holder = lease_holder(kubectl)
            return holder and holder != old_holder and holder
        new_holder = wait_for(lease_moved, timeout=90, interval=0.1)
        takeover = time.monotonic() - killed_at
        assert f"{new_holder} became leader" in survivor.output()
        print(f"\ncontroller-manager Lease moved {takeover:.1f} s after SIGKILL of its holder "
              f"(lease duration {LEASE_DURATION} s, retry period {RETRY_PERIOD} s)")

        counts = [k.acked_count() for k in key_sets]
        wait_for(writes_acknowledged(max(counts) + 4), timeout=60)
        for key_set in key_sets:
            key_set.stop.set()
        for key_set in key_sets:
            key_set.thread.join(timeout=90)
            assert not key_set.thread.is_alive(), "a writer did not finish"

        # every acknowledged write reads back with its last acknowledged value, and each
        # key's watch saw every acknowledged resourceVersion
        async def read_back() -> dict[str, str]:
            client = Client.from_kubeconfig(kubeconfig)
            try:
                items, _ = await client.list(CONFIGMAPS, namespace)
                return {i["metadata"]["name"]: i["data"]["value"] for i in items
                        if i["metadata"]["name"].startswith("cm-")}
            finally:
                await client.close()
        stored = asyncio.run(read_back())
        total = 0
        for key_set in key_sets:
            assert not key_set.watch_failure, key_set.watch_failure
            for key, acked in key_set.acked.items():
                total += len(acked)
                assert stored[key] == acked[-1][0], (key, stored[key], acked[-1])
                observed = set(key_set.observed.get(key, []))
                missed = [rv for _, rv in acked if rv not in observed]
                assert not missed, f"{key}: the watch missed acknowledged resourceVersions {missed}"
        # the clients' preferred server died: each moved to the other (and stayed there)
        assert all(k.failovers >= 1 for k in key_sets), [k.failovers for k in key_sets]
        retried = sum(len(k.errors) for k in key_sets)
        print(f"{total} acknowledged ConfigMap writes, all read back and watched; "
              f"{retried} attempts failed during the faults and were retried")

        # the Deployment reaches its replicas on the new image
        def rolled_out():
            components_alive()
            deployment = kubectl.json("get", "deployment", "-n", namespace, "web")
            status = deployment.get("status") or {}
            return (status.get("observedGeneration") == deployment["metadata"]["generation"]
                    and status.get("updatedReplicas") == 6 and status.get("availableReplicas") == 6
                    and status.get("replicas") == 6 and deployment)
        wait_for(rolled_out, timeout=120)
        pods = kubectl.json("get", "pods", "-n", namespace, "-l", "app=web")["items"]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        assert len(live) == 6
        assert {p["spec"]["containers"][0]["image"] for p in live} == {"registry.example/web:v2"}
        assert all(p["status"].get("phase") == "Running" for p in live)
    finally:
        for key_set in key_sets:
            key_set.stop.set()
        for key_set in key_sets:
            if key_set.thread is not None:
                key_set.thread.join(timeout=30)
        for item in reversed(started):
            item.stop()
