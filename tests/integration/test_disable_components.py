# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes server --disable NAME` (k3s's flag): the packaged service load balancer
and cluster DNS can be turned off, and a misspelt name is refused before anything starts."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.integration.conftest import Kubectl, Server
from tests.support.waiting import wait_for


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("disable"), ["--disable", "servicelb,dns"],
                    command="server").start()
    try:
        yield Kubectl(server, tmp_path_factory.mktemp("disable-kubectl"))
    finally:
        server.stop()


def running_controllers(k: Kubectl) -> list[str] | None:
    for line in k.server.log.read_text().splitlines():
        if "controllers running:" in line:
            return line.split("controllers running:", 1)[1].strip().split(", ")
    return None


def test_disabled_servicelb_leaves_load_balancers_pending(k: Kubectl):
    controllers = wait_for(lambda: running_controllers(k), timeout=60)
    assert "servicelb" not in controllers and "deployment" in controllers
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
                        "ports": [{"port": 80}]}}
    k.run("apply", "-f", "-", input=json.dumps(service))
    assert "<pending>" in k.run("get", "service", "web").stdout
    assert not k.json("get", "service", "web").get("status", {}).get("loadBalancer", {}).get("ingress")


def test_disabled_dns_publishes_no_kube_dns_service(k: Kubectl):
    wait_for(lambda: running_controllers(k), timeout=60)
    missing = k.run("get", "service", "kube-dns", "-n", "kube-system", check=False)
    assert missing.returncode != 0 and "NotFound" in missing.stderr


def test_unknown_component_is_a_one_line_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "server", "--data-dir",
                             str(tmp_path), "--disable", "traefik"], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "kybernetes: error: --disable: unknown component traefik "
        "(valid: ingress, servicelb, local-storage, dns)"]
