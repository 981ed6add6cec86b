# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kubectl delete namespace` with the controller manager running: contents go, then
the namespace."""
from __future__ import annotations

from tests.integration.conftest import Kubectl


def test_delete_namespace_removes_contents(cluster_kubectl: Kubectl):
    k = cluster_kubectl
    k.run("create", "namespace", "doomed")
    k.run("create", "configmap", "c", "-n", "doomed")
    k.run("create", "deployment", "d", "--image=nginx", "-n", "doomed")
    k.run("create", "service", "clusterip", "s", "--tcp=80", "-n", "doomed")
    out = k.run("delete", "namespace", "doomed", "--timeout=60s").stdout
    assert 'namespace "doomed" deleted' in out
    assert k.run("get", "namespace", "doomed", check=False).returncode == 1
    again = k.run("create", "configmap", "c", "-n", "doomed", check=False)
    assert again.returncode == 1 and 'namespaces "doomed" not found' in again.stderr
    cs = k.run("get", "componentstatuses").stdout
    assert "controller-manager" in cs and "Healthy" in cs
