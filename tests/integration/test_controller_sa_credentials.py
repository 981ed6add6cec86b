# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""--use-service-account-credentials: with it, the controllers act as their kube-system
service accounts (the audit log names system:serviceaccount:kube-system:deployment-
controller for the ReplicaSet the Deployment made), in `kybernetes server` and in a
separate `kybernetes controller-manager`; a Deployment still rolls out (on a simulated node)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")
POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/openapi*"]
  - level: Metadata
"""
DEPLOYMENT_CONTROLLER = "system:serviceaccount:kube-system:deployment-controller"
REPLICASET_CONTROLLER = "system:serviceaccount:kube-system:replicaset-controller"


def audit_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def creators(path: Path, resource: str, namespace: str) -> set[str]:
    return {e["user"]["username"] for e in audit_events(path)
            if e.get("verb") == "create" and (e.get("objectRef") or {}).get("resource") == resource
            and (e.get("objectRef") or {}).get("namespace") == namespace
            and not (e.get("objectRef") or {}).get("subresource")
            and e.get("stage") == "ResponseComplete"}


def audit_flags(tmp: Path) -> list[str]:
    (tmp / "policy.yaml").write_text(POLICY)
    return ["--audit-policy-file", str(tmp / "policy.yaml"), "--audit-log-path", str(tmp / "audit.log")]


def roll_out(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("create", "namespace", namespace)
    kubectl.run("create", "deployment", "web", "--image", "nginx", "--replicas", "2", "-n", namespace)
    kubectl.run("rollout", "status", "deployment/web", "-n", namespace, "--timeout", "120s", timeout=150)


def check_identities(kubectl: Kubectl, audit_log: Path, namespace: str) -> None:
    wait_for(lambda: creators(audit_log, "replicasets", namespace) == {DEPLOYMENT_CONTROLLER})
    wait_for(lambda: creators(audit_log, "pods", namespace) == {REPLICASET_CONTROLLER})
    # the accounts the manager made, and what RBAC lets them do
    kubectl.run("get", "serviceaccount", "deployment-controller", "-n", "kube-system")
    assert kubectl.run("auth", "can-i", "create", "replicasets", "-n", namespace,
                       f"--as={DEPLOYMENT_CONTROLLER}").stdout.strip() == "yes"
    assert kubectl.run("auth", "can-i", "create", "secrets", "-n", namespace,
                       f"--as={DEPLOYMENT_CONTROLLER}", check=False).stdout.strip() == "no"


def test_server_controllers_use_their_service_accounts(tmp_path):
    server = Server(tmp_path / "data", ["--runtime", "fake", "--use-service-account-credentials",
                                        *audit_flags(tmp_path)], command="server")
    try:
        server.start()
        kubectl = Kubectl(server, tmp_path / "cache")
        roll_out(kubectl, "rollout")
        check_identities(kubectl, tmp_path / "audit.log", "rollout")
    finally:
        server.stop()


def test_standalone_controller_manager_uses_service_accounts(tmp_path):
    server = Server(tmp_path / "data", [*audit_flags(tmp_path)], command="apiserver")
    manager = None
    try:
        server.start()
        kubectl = Kubectl(server, tmp_path / "cache")
        manager_config = tmp_path / "cm.kubeconfig"
        manager_config.write_text(subprocess.run(
            [sys.executable, "-m", "kybernetes.cli.main", "kubeconfig", "user",
             "system:kube-controller-manager", "--data-dir", str(server.data_dir)],
            capture_output=True, text=True, check=True).stdout)
        log = open(tmp_path / "cm.log", "wb")
        manager = subprocess.Popen(
            [sys.executable, "-m", "kybernetes.cli.main", "controller-manager", "--kubeconfig",
             str(manager_config), "--use-service-account-credentials", "--leader-elect=false",
             "--root-ca-file", str(server.data_dir / "pki" / "ca.crt"),
             "--service-account-private-key-file", str(server.data_dir / "pki" / "sa.key")],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # no scheduler or node here: the controllers' writes are what is checked
        kubectl.run("create", "namespace", "standalone")
        kubectl.run("create", "deployment", "web", "--image", "nginx", "--replicas", "2", "-n", "standalone")
        wait_for(lambda: len(kubectl.json("get", "pods", "-n", "standalone")["items"]) == 2)
        check_identities(kubectl, tmp_path / "audit.log", "standalone")
        assert manager.poll() is None
    finally:
        if manager is not None:
            manager.terminate()
            try:
                manager.wait(timeout=15)
            except subprocess.TimeoutExpired:
                manager.kill()
                manager.wait()
        server.stop()


def test_client_builder_renews_tokens_before_they_expire(cluster):
    """The builder against a real server, its clock moved past 80% of the token's life:
    the account is made, the first token works, and a fresh one replaces it."""
    import asyncio

    from kybernetes.client.rest import Client, resource
    from kybernetes.controllers.clientbuilder import (ServiceAccountClientBuilder,
                                                      kubeconfig_client_factory)
    reviews = resource("selfsubjectreviews.authentication.k8s.io")
    account = f"builder-test-{uuid.uuid4().hex[:6]}"

    async def scenario() -> None:
        now = [time.time()]
        root = Client.from_kubeconfig(cluster.kubeconfig)
        builder = ServiceAccountClientBuilder(root, kubeconfig_client_factory(cluster.kubeconfig),
                                              expiration_seconds=600, clock=lambda: now[0])
        client = builder.client_for(account)
        try:
            await builder.start()
            first = client.session.headers["Authorization"]
            review = await client.create(reviews, {"apiVersion": "authentication.k8s.io/v1",
                                                   "kind": "SelfSubjectReview"})
            assert review["status"]["userInfo"]["username"] == f"system:serviceaccount:kube-system:{account}"
            renewing = asyncio.create_task(builder.run())
            now[0] += 600 * 0.8 + 1  # past the renewal point
            for _ in range(200):
                if client.session.headers["Authorization"] != first:
                    break
                await asyncio.sleep(0.05)
            renewing.cancel()
            assert client.session.headers["Authorization"] != first
            review = await client.create(reviews, {"apiVersion": "authentication.k8s.io/v1",
                                                   "kind": "SelfSubjectReview"})
            assert review["status"]["userInfo"]["username"] == f"system:serviceaccount:kube-system:{account}"
        finally:
            await builder.close()
            await root.request("DELETE", f"/api/v1/namespaces/kube-system/serviceaccounts/{account}")
            await root.close()
    asyncio.run(scenario())
