# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The real kubectl (1.27, 1.32, 1.33) against a real kybernetes API server."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Kubectl

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.7.9
        ports:
        - containerPort: 80
"""


def test_version_and_discovery(any_kubectl: Kubectl):
    out = any_kubectl.run("version", "-o", "json").stdout
    server = json.loads(out)["serverVersion"]
    assert (server["major"], server["minor"]) == ("1", "32")
    resources = any_kubectl.run("api-resources", "-o", "wide").stdout
    for line in ("deployments", "horizontalpodautoscalers", "customresourcedefinitions",
                 "selfsubjectaccessreviews", "endpointslices", "leases"):
        assert line in resources
    assert "deploy" in any_kubectl.run("api-resources", "--api-group=apps").stdout
    namespaces = any_kubectl.run("get", "namespaces").stdout
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert name in namespaces


def test_apply_twice_then_change(any_kubectl: Kubectl, namespace: str, tmp_path: Path):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(DEPLOYMENT)
    k = any_kubectl
    assert "created" in k.run("apply", "-n", namespace, "-f", str(manifest)).stdout
    assert "unchanged" in k.run("apply", "-n", namespace, "-f", str(manifest)).stdout
    manifest.write_text(DEPLOYMENT.replace("replicas: 3", "replicas: 5").replace(
        "nginx:1.7.9", "nginx:1.9.1"))
    assert "configured" in k.run("apply", "-n", namespace, "-f", str(manifest)).stdout
    obj = k.json("get", "deploy", "web", "-n", namespace)
    assert obj["spec"]["replicas"] == 5
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.9.1"
    assert obj["metadata"]["generation"] == 2
    # defaults as upstream applies them
    assert obj["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": "25%", "maxUnavailable": "25%"}}
    assert obj["spec"]["revisionHistoryLimit"] == 10
    pod_spec = obj["spec"]["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Always" and pod_spec["dnsPolicy"] == "ClusterFirst"
    assert pod_spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert pod_spec["containers"][0]["ports"][0]["protocol"] == "TCP"
    # -o wide columns from the server's Table
    wide = k.run("get", "deploy", "-n", namespace, "-o", "wide").stdout
    assert wide.split("\n")[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
                                           "CONTAINERS", "IMAGES", "SELECTOR"]
    assert "nginx:1.9.1" in wide and "app=web" in wide


def test_server_side_apply_conflict_and_force(kubectl: Kubectl, namespace: str, tmp_path: Path):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(DEPLOYMENT)
    assert "serverside-applied" in kubectl.run(
        "apply", "--server-side", "-n", namespace, "-f", str(manifest)).stdout
    kubectl.run("scale", "deploy", "web", "-n", namespace, "--replicas=1")
    manifest.write_text(DEPLOYMENT.replace("replicas: 3", "replicas: 4"))
    failed = kubectl.run("apply", "--server-side", "-n", namespace, "-f", str(manifest),
                         check=False)
    assert failed.returncode != 0
    assert "conflict" in failed.stderr and ".spec.replicas" in failed.stderr
    kubectl.run("apply", "--server-side", "--force-conflicts", "-n", namespace,
                "-f", str(manifest))
    obj = kubectl.json("get", "deploy", "web", "-n", namespace, "--show-managed-fields")
    assert obj["spec"]["replicas"] == 4
    managers = {(m["manager"], m["operation"]) for m in obj["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers


def test_get_watch_sees_events(kubectl: Kubectl, namespace: str):
    watcher = subprocess.Popen(
        [kubectl.binary, "--cache-dir", str(kubectl.cache_dir), "get", "configmaps", "-w",
         "-n", namespace, "--output-watch-events"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, KUBECONFIG=str(kubectl.server.kubeconfig)))
    try:
        time.sleep(1.5)
        kubectl.run("create", "configmap", "watched", "-n", namespace, "--from-literal=a=1")
        kubectl.run("label", "configmap", "watched", "-n", namespace, "x=y")
        kubectl.run("delete", "configmap", "watched", "-n", namespace)
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len([l for l in lines if "watched" in l]) < 3:
            line = watcher.stdout.readline()
            if not line:
                break
            lines.append(line)
    finally:
        watcher.terminate()
        watcher.wait()
    events = [line.split()[0] for line in lines if "watched" in line]
    assert events == ["ADDED", "MODIFIED", "DELETED"]


def test_edit_with_editor_script(kubectl: Kubectl, namespace: str, tmp_path: Path):
    kubectl.run("create", "deployment", "ed", "--image=nginx", "-n", namespace)
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 1/replicas: 6/' \"$1\"\n")
    editor.chmod(0o755)
    out = kubectl.run("edit", "deploy", "ed", "-n", namespace, env={"EDITOR": str(editor)})
    assert "edited" in out.stdout
    assert kubectl.json("get", "deploy", "ed", "-n", namespace)["spec"]["replicas"] == 6


def test_wait_for_condition(kubectl: Kubectl, namespace: str, api_client):
    from kubernetes import client
    kubectl.run("create", "configmap", "dummy", "-n", namespace)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "waiter"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    core = client.CoreV1Api(api_client)
    core.create_namespaced_pod(namespace, pod)
    waiter = subprocess.Popen(
        [kubectl.binary, "--cache-dir", str(kubectl.cache_dir), "wait", "--for=condition=Ready",
         "pod/waiter", "-n", namespace, "--timeout=60s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, KUBECONFIG=str(kubectl.server.kubeconfig)))
    time.sleep(1)
    status = {"status": {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
    core.patch_namespaced_pod_status("waiter", namespace, status)
    out, err = waiter.communicate(timeout=90)
    assert waiter.returncode == 0, err
    assert "condition met" in out


def test_diff_and_explain(kubectl: Kubectl, namespace: str, tmp_path: Path):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(DEPLOYMENT)
    kubectl.run("apply", "-n", namespace, "-f", str(manifest))
    same = kubectl.run("diff", "-n", namespace, "-f", str(manifest), check=False)
    assert same.returncode == 0 and same.stdout == ""
    manifest.write_text(DEPLOYMENT.replace("replicas: 3", "replicas: 8"))
    changed = kubectl.run("diff", "-n", namespace, "-f", str(manifest), check=False)
    assert changed.returncode == 1
    assert "-  replicas: 3" in changed.stdout and "+  replicas: 8" in changed.stdout
    explained = kubectl.run("explain", "deployment.spec.strategy").stdout
    assert "rollingUpdate" in explained and "DeploymentStrategy" in explained
    assert "containerPort" in kubectl.run("explain", "pods.spec.containers.ports").stdout


def test_auth_can_i_and_whoami(any_kubectl: Kubectl):
    assert any_kubectl.run("auth", "can-i", "create", "deployments").stdout.strip() == "yes"
    if any_kubectl.version != "1.27":  # `auth whoami` is beta from 1.28
        assert "admin" in any_kubectl.run("auth", "whoami").stdout


def test_imperative_creates_send_protobuf(any_kubectl: Kubectl, namespace: str):
    """kubectl >= 1.32 sends these bodies as protobuf; 1.27 as JSON."""
    k = any_kubectl
    k.run("create", "configmap", "c1", "-n", namespace, "--from-literal=key=value")
    k.run("create", "secret", "generic", "s1", "-n", namespace, "--from-literal=p=q")
    k.run("create", "deployment", "d1", "-n", namespace, "--image=nginx", "--replicas=2")
    k.run("create", "service", "clusterip", "svc1", "-n", namespace, "--tcp=80:8080")
    k.run("create", "job", "j1", "-n", namespace, "--image=busybox")
    k.run("create", "cronjob", "cj1", "-n", namespace, "--image=busybox", "--schedule=*/5 * * * *")
    k.run("create", "role", "r1", "-n", namespace, "--verb=get", "--resource=pods")
    k.run("create", "quota", "q1", "-n", namespace, "--hard=pods=10")
    assert k.json("get", "configmap", "c1", "-n", namespace)["data"] == {"key": "value"}
    secret = k.json("get", "secret", "s1", "-n", namespace)
    assert secret["data"] == {"p": "cQ=="} and secret["type"] == "Opaque"
    assert k.json("get", "deploy", "d1", "-n", namespace)["spec"]["replicas"] == 2
    svc = k.json("get", "svc", "svc1", "-n", namespace)
    assert svc["spec"]["ports"][0]["targetPort"] == 8080 and svc["spec"]["clusterIP"]
    table = k.run("get", "all", "-n", namespace).stdout
    assert "deployment.apps/d1" in table and "service/svc1" in table
    assert "cronjob.batch/cj1" in table and "job.batch/j1" in table


def test_delete_cascade_and_wait(kubectl: Kubectl, namespace: str):
    kubectl.run("create", "configmap", "gone", "-n", namespace)
    out = kubectl.run("delete", "configmap", "gone", "-n", namespace).stdout
    assert 'configmap "gone" deleted' in out
    missing = kubectl.run("get", "configmap", "gone", "-n", namespace, check=False)
    assert missing.returncode == 1
    assert 'Error from server (NotFound): configmaps "gone" not found' in missing.stderr


def test_labels_selectors_and_sorting(kubectl: Kubectl, namespace: str):
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        kubectl.run("create", "configmap", name, "-n", namespace)
        kubectl.run("label", "configmap", name, "-n", namespace, f"tier={tier}")
    names = kubectl.run("get", "cm", "-n", namespace, "-l", "tier=web", "-o", "name").stdout.split()
    assert names == ["configmap/a", "configmap/c"]
    names = kubectl.run("get", "cm", "-n", namespace, "-l", "tier in (db)", "-o", "name").stdout.split()
    assert names == ["configmap/b"]
    names = kubectl.run("get", "cm", "-n", namespace, "--field-selector", "metadata.name!=a",
                        "-l", "tier", "-o", "name").stdout.split()
    assert names == ["configmap/b", "configmap/c"]
    shown = kubectl.run("get", "cm", "-n", namespace, "-l", "tier", "--show-labels",
                        "--sort-by=.metadata.name").stdout
    assert "tier=db" in shown
    chunked = kubectl.run("get", "cm", "-n", namespace, "--chunk-size=1", "-o", "name").stdout
    assert {"configmap/a", "configmap/b", "configmap/c"} <= set(chunked.split())


def test_scale_and_rollout_view(kubectl: Kubectl, namespace: str):
    kubectl.run("create", "deployment", "sc", "--image=nginx", "-n", namespace)
    kubectl.run("scale", "deployment", "sc", "-n", namespace, "--replicas=4")
    assert kubectl.json("get", "deploy", "sc", "-n", namespace)["spec"]["replicas"] == 4
    kubectl.run("scale", "deployment", "sc", "-n", namespace, "--replicas=2",
                "--current-replicas=4")
    bad = kubectl.run("scale", "deployment", "sc", "-n", namespace, "--replicas=9",
                      "--current-replicas=4", check=False)
    assert bad.returncode != 0
    assert kubectl.json("get", "deploy", "sc", "-n", namespace)["spec"]["replicas"] == 2


def test_get_componentstatuses(kubectl: Kubectl):
    out = kubectl.run("get", "componentstatuses").stdout
    assert "etcd-0" in out and "scheduler" in out and "controller-manager" in out


def test_cluster_info(kubectl: Kubectl):
    out = kubectl.run("cluster-info").stdout
    assert "Kubernetes control plane is running at" in out


def test_yaml_output_round_trip(kubectl: Kubectl, namespace: str):
    kubectl.run("create", "configmap", "rt", "-n", namespace, "--from-literal=a=1")
    text = kubectl.run("get", "configmap", "rt", "-n", namespace, "-o", "yaml").stdout
    obj = yaml.safe_load(text)
    obj["data"]["b"] = "2"
    replaced = kubectl.run("replace", "-f", "-", input=yaml.safe_dump(obj)).stdout
    assert "replaced" in replaced
    stale = kubectl.run("replace", "-f", "-", input=yaml.safe_dump(obj), check=False)
    assert stale.returncode != 0 and "the object has been modified" in stale.stderr


@pytest.mark.parametrize("flag", ["--dry-run=server"])
def test_dry_run_persists_nothing(kubectl: Kubectl, namespace: str, flag: str):
    kubectl.run("create", "configmap", "dry", "-n", namespace, flag)
    assert kubectl.run("get", "cm", "dry", "-n", namespace, check=False).returncode == 1
