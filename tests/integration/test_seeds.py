# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Every seed YAML (corrected copies under seeds/) applied with the real kubectl, and the
seed YAML that 1.32 refuses refused the same way."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Kubectl

SEED_DIR = Path(__file__).parent / "seeds"
GOOD = sorted(p for p in SEED_DIR.glob("*.yaml") if "broken" not in p.name and "v1beta1" not in p.name)


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_seed_applies_and_reads_back(kubectl: Kubectl, namespace: str, path: Path):
    out = kubectl.run("apply", "-n", namespace, "-f", str(path)).stdout
    for doc in documents(path):
        kind, name = doc["kind"], doc["metadata"]["name"]
        assert f"{kind.lower()}" in out.lower() and name in out
        flags = [] if kind == "StorageClass" else ["-n", namespace]
        stored = kubectl.json("get", kind.lower(), name, *flags)
        assert stored["metadata"]["uid"]
        if kind == "Service" and doc["spec"].get("type") == "NodePort":
            assert all(p.get("nodePort") for p in stored["spec"]["ports"])
    versions = kubectl.run("get", "-n", namespace, "-f", str(path), "-o",
                           "jsonpath={.items[*].metadata.resourceVersion}").stdout
    # applying again writes nothing (kubectl may still send a patch: `cpu: 0.25` in a
    # manifest differs from the stored `250m`, and the server finds it a no-op)
    kubectl.run("apply", "-n", namespace, "-f", str(path))
    assert kubectl.run("get", "-n", namespace, "-f", str(path), "-o",
                       "jsonpath={.items[*].metadata.resourceVersion}").stdout == versions
    kubectl.run("delete", "-n", namespace, "-f", str(path), "--wait=false")


def test_quantities_are_canonical(kubectl: Kubectl, namespace: str):
    kubectl.run("apply", "-n", namespace, "-f", str(SEED_DIR / "000-frontend-pod.yaml"))
    pod = kubectl.json("get", "pod", "frontend", "-n", namespace)
    wp = pod["spec"]["containers"][1]["resources"]
    assert wp["requests"]["cpu"] == "250m"  # written as 0.25 in the seed
    assert pod["status"]["qosClass"] == "Burstable"


def test_nodeport_30024_is_taken_once(kubectl: Kubectl, namespace: str, tmp_path: Path):
    kubectl.run("apply", "-n", namespace, "-f", str(SEED_DIR / "000-my-service.yaml"))
    svc = kubectl.json("get", "svc", "my-service", "-n", namespace)
    assert svc["spec"]["ports"][0]["nodePort"] == 30024
    text = (SEED_DIR / "000-my-service.yaml").read_text().replace("my-service", "my-service-2")
    copy = tmp_path / "svc2.yaml"
    copy.write_text(text)
    result = kubectl.run("apply", "-n", namespace, "-f", str(copy), check=False)
    assert result.returncode == 1
    assert "spec.ports[0].nodePort: Invalid value: 30024: provided port is already allocated" in result.stderr
    kubectl.run("delete", "svc", "my-service", "-n", namespace)


def test_removed_api_is_refused_as_upstream(kubectl: Kubectl, namespace: str):
    result = kubectl.run("apply", "-n", namespace, "-f", str(SEED_DIR / "003-ingress-v1beta1.yaml"),
                         check=False)
    assert result.returncode == 1
    assert 'no matches for kind "Ingress" in version "extensions/v1beta1"' in result.stderr


def test_seed_with_lost_indentation_is_refused(kubectl: Kubectl, namespace: str):
    result = kubectl.run("apply", "-n", namespace, "-f",
                         str(SEED_DIR / "000-hello-pod-broken.yaml"), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_get_the_seed_objects_as_tables(kubectl: Kubectl, namespace: str):
    for name in ("000-nginx-deployment.yaml", "000-gluster-pvc.yaml", "000-resource-quota.yaml",
                 "000-config-and-secret.yaml", "003-ingress.yaml"):
        kubectl.run("apply", "-n", namespace, "-f", str(SEED_DIR / name))
    out = kubectl.run("get", "deploy,pods,svc,pvc,quota,cm,secret,ing", "-n", namespace,
                      "-o", "wide").stdout
    assert "deployment.apps/nginx-deployment" in out
    assert "persistentvolumeclaim/gluster-pvc" in out and "Pending" in out
    assert "resourcequota/compute-resources" in out
    assert "ingress.networking.k8s.io/example" in out and "www.example.com" in out
    assert "secret/kube-secret" in out and "Opaque" in out
