# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Two standalone controller managers against one `kybernetes apiserver`: exactly one
holds the Lease kube-system/kube-controller-manager and does the work; when it is killed
with SIGKILL (no release of the lease), the other takes the lease over once it expires
and the controllers work again.

`controller-manager` has no flag to set its leader-election identity (upstream has none
either: the identity is `<hostname>_<uuid>`), so the processes are mapped to identities
by starting the first one alone, reading the holder it wrote, then starting the second.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.integration.conftest import Kubectl, Server
from tests.support.waiting import wait_for

LEASE = ("kube-system", "kube-controller-manager")
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: c
        image: registry.example/{name}:v1
"""


class ControllerManagerProcess:
    def __init__(self, server: Server, log_path) -> None:
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kybernetes.cli.main", "controller-manager",
             "--kubeconfig", str(server.kubeconfig)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.identity = ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def apiserver(tmp_path):
    server = Server(tmp_path / "apiserver", command="apiserver").start()
    yield server
    server.stop()


@pytest.fixture
def managers(apiserver, tmp_path):
    started: list[ControllerManagerProcess] = []

    def start() -> ControllerManagerProcess:
        manager = ControllerManagerProcess(apiserver, tmp_path / f"cm-{len(started)}.log")
        started.append(manager)
        return manager
    yield start
    for manager in started:
        manager.stop()


def lease_spec(kubectl: Kubectl) -> dict:
    result = kubectl.run("get", "lease", "-n", LEASE[0], LEASE[1], "-o", "json", check=False)
    if result.returncode != 0:
        return {}
    return json.loads(result.stdout).get("spec") or {}


def replicaset_of(kubectl: Kubectl, namespace: str, deployment: str) -> list[dict]:
    items = kubectl.json("get", "replicasets", "-n", namespace)["items"]
    return [rs for rs in items
            if any(ref.get("kind") == "Deployment" and ref.get("name") == deployment
                   and ref.get("controller") for ref in rs["metadata"].get("ownerReferences") or [])]


def test_one_leader_works_and_the_other_takes_over(apiserver, managers, tmp_path):
    kubectl = Kubectl(apiserver, tmp_path / "kubectl-cache")
    namespace = f"ha-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "namespace", namespace)

    first = managers()

    def first_holds_lease():
        assert first.alive(), f"controller manager exited:\n{first.output()[-3000:]}"
        return lease_spec(kubectl).get("holderIdentity")
    first.identity = wait_for(first_holds_lease)
    # the holder identity is upstream's `<hostname>_<uuid>`
    assert "_" in first.identity
    assert first.identity in first.output()  # it logged "<identity> became leader of ..."

    second = managers()
    # the second one is a candidate: up, retrying, and not the holder; give it a few
    # retry periods (2 s each) to make a wrong grab visible
    time.sleep(6)
    assert second.alive(), f"second controller manager exited:\n{second.output()[-3000:]}"
    spec = lease_spec(kubectl)
    assert spec["holderIdentity"] == first.identity
    assert "became leader" not in second.output()

    # the leader works: a Deployment gets its ReplicaSet
    kubectl.run("apply", "-n", namespace, "-f", "-", input=DEPLOYMENT.format(name="before"))

    def before_has_replicaset():
        return replicaset_of(kubectl, namespace, "before")
    rs = wait_for(before_has_replicaset)
    assert len(rs) == 1 and rs[0]["spec"]["replicas"] == 2
    transitions = spec.get("leaseTransitions") or 0

    # kill -9 the leader: it cannot release the lease, the other waits it out
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=30)
    killed_at = time.monotonic()

    def someone_else_holds_lease():
        assert second.alive(), f"second controller manager exited:\n{second.output()[-3000:]}"
        holder = lease_spec(kubectl).get("holderIdentity")
        return holder and holder != first.identity and holder
    second.identity = wait_for(someone_else_holds_lease, timeout=60)
    takeover = time.monotonic() - killed_at
    print(f"\ncontroller-manager takeover after SIGKILL of the leader: {takeover:.1f} s "
          f"(lease duration 15 s, retry period 2 s)")
    assert second.identity in second.output()
    spec = lease_spec(kubectl)
    assert spec["leaseTransitions"] == transitions + 1

    # the new leader works: a second Deployment gets its ReplicaSet
    kubectl.run("apply", "-n", namespace, "-f", "-", input=DEPLOYMENT.format(name="after"))

    def after_has_replicaset():
        return replicaset_of(kubectl, namespace, "after")
    rs = wait_for(after_has_replicaset)
    assert len(rs) == 1 and rs[0]["spec"]["replicas"] == 2
    # and the old Deployment still has exactly its one ReplicaSet (no duplicate made)
    assert len(replicaset_of(kubectl, namespace, "before")) == 1
