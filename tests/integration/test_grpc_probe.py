# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A pod's gRPC readiness probe end to end: the kubelet (process runtime, pods on
127.0.0.1) calls grpc.health.v1.Health/Check on the pod's IP and port, and the pod's
Ready condition follows the answer, with upstream's event text while it fails. The
health server is this test's grpcio server listening on the pod's address: the pod's
own container only sleeps, so the test controls what the probe sees."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.integration.conftest import Kubectl
from tests.support.runc_cluster import process_cluster
from tests.support.waiting import wait_for
from tests.unit.test_grpc_probe import HealthServer

pytestmark = pytest.mark.skipif(not shutil.which("docker-registry"), reason="needs docker-registry")


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    with process_cluster(tmp_path_factory, "grpc-probe") as kubectl:
        yield kubectl


def ready(k: Kubectl, name: str) -> bool:
    pod = k.json("get", "pod", name)
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


def test_grpc_readiness_probe_follows_the_health_service(k: Kubectl):
    health = HealthServer()
    try:
        health.status[""] = 2  # NOT_SERVING
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "grpc-ready"},
               "spec": {"containers": [{
                   "name": "app", "image": "busybox", "command": ["sleep", "3600"],
                   "readinessProbe": {"grpc": {"port": health.port},
                                      "periodSeconds": 1, "failureThreshold": 1}}]}}
        k.run("apply", "-f", "-", input=json.dumps(pod))
        wait_for(lambda: k.json("get", "pod", "grpc-ready")["status"].get("phase") == "Running",
                 timeout=120)
        wait_for(lambda: any("Readiness probe failed: service unhealthy (responded with "
                             '"NOT_SERVING")' in e.get("message", "")
                             for e in k.json("get", "events", "--field-selector",
                                             "involvedObject.name=grpc-ready")["items"]), timeout=60)
        assert not ready(k, "grpc-ready")
        health.status[""] = 1  # SERVING
        wait_for(lambda: ready(k, "grpc-ready"), timeout=60)
        health.status[""] = 2
        wait_for(lambda: not ready(k, "grpc-ready"), timeout=60)
    finally:
        k.run("delete", "pod", "grpc-ready", "--grace-period=1", check=False)
        health.stop()
