# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ResourceQuota, LimitRange, HorizontalPodAutoscaler and PodDisruptionBudget against a
running `kybernetes server`, driven through the real kubectl (and the Python client for
the eviction subresource, as `kubectl drain` posts it). No kubelet runs: the tests mark
pods Running and Ready through pods/status."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for

SEED_QUOTA = Path(__file__).parent / "seeds" / "000-resource-quota.yaml"


def pod_yaml(name: str, labels: dict | None = None, resources: dict | None = None) -> str:
    container = {"name": "app", "image": "nginx"}
    if resources is not None:
        container["resources"] = resources
    return json.dumps({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": name, "labels": labels or {"app": "test"}},
                       "spec": {"containers": [container]}})


SMALL = {"requests": {"cpu": "100m", "memory": "128Mi"},
         "limits": {"cpu": "200m", "memory": "256Mi"}}


def mark_ready(k: Kubectl, namespace: str, name: str) -> None:
    patch = {"status": {"phase": "Running", "startTime": "2026-01-01T00:00:00Z",
                        "conditions": [{"type": "Ready", "status": "True"}]}}
    k.run("patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge",
          "-p", json.dumps(patch))


def quota_used(k: Kubectl, namespace: str) -> dict:
    return (k.json("get", "resourcequota", "compute-resources", "-n", namespace)
            .get("status") or {}).get("used") or {}


def test_quota_tracks_usage_and_refuses_past_the_limit(cluster_kubectl: Kubectl,
                                                       cluster_namespace: str):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", str(SEED_QUOTA))
    wait_for(lambda: quota_used(k, ns).get("pods") == "0")
    bare = k.run("apply", "-n", ns, "-f", "-", input=pod_yaml("bare"), check=False)
    assert bare.returncode == 1
    assert ('pods "bare" is forbidden: failed quota: compute-resources: must specify '
            'limits.cpu for: app; limits.memory for: app; requests.cpu for: app; '
            'requests.memory for: app') in bare.stderr
    for index in range(4):
        k.run("apply", "-n", ns, "-f", "-", input=pod_yaml(f"p{index}", resources=SMALL))
    used = quota_used(k, ns)  # charged at admission, before any controller pass
    assert used["pods"] == "4"
    wait_for(lambda: quota_used(k, ns) == {"pods": "4", "requests.cpu": "400m",
                                           "requests.memory": "512Mi", "limits.cpu": "800m",
                                           "limits.memory": "1Gi"})
    fifth = k.run("apply", "-n", ns, "-f", "-", input=pod_yaml("p4", resources=SMALL), check=False)
    assert fifth.returncode == 1
    assert ('pods "p4" is forbidden: exceeded quota: compute-resources, requested: pods=1, '
            'used: pods=4, limited: pods=4') in fifth.stderr
    table = k.run("get", "resourcequota", "-n", ns).stdout
    assert "pods: 4/4" in table and "requests.cpu: 400m/1" in table
    k.run("delete", "pod", "p0", "-n", ns, "--grace-period=0", "--force", "--wait=false")
    wait_for(lambda: quota_used(k, ns).get("pods") == "3")
    k.run("apply", "-n", ns, "-f", "-", input=pod_yaml("p4", resources=SMALL))


def test_limit_range_defaults_and_maximum(cluster_kubectl: Kubectl, cluster_namespace: str):
    k, ns = cluster_kubectl, cluster_namespace
    limit_range = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"},
                   "spec": {"limits": [{"type": "Container", "max": {"cpu": "1"},
                                        "default": {"cpu": "500m", "memory": "256Mi"},
                                        "defaultRequest": {"cpu": "250m", "memory": "128Mi"}}]}}
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps(limit_range))
    k.run("apply", "-n", ns, "-f", "-", input=pod_yaml("plain"))
    pod = k.json("get", "pod", "plain", "-n", ns)
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "250m", "memory": "128Mi"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container app; "
        "cpu, memory limit for container app")
    big = k.run("apply", "-n", ns, "-f", "-", check=False,
                input=pod_yaml("big", resources={"limits": {"cpu": "2"}}))
    assert big.returncode == 1
    assert 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2' \
        in big.stderr


def test_hpa_without_metrics_keeps_min_and_reports_it(cluster_kubectl: Kubectl,
                                                      cluster_namespace: str):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("create", "deployment", "web", "--image=nginx", "--replicas=1", "-n", ns)
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
           "metadata": {"name": "web"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                       "name": "web"},
                    "minReplicas": 2, "maxReplicas": 5,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 50}}}]}}
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps(hpa))
    wait_for(lambda: k.json("get", "deployment", "web", "-n", ns)["spec"]["replicas"] == 2)

    def scaling_active():
        status = k.json("get", "hpa", "web", "-n", ns).get("status") or {}
        return {c["type"]: c for c in status.get("conditions") or []}.get("ScalingActive")
    condition = wait_for(scaling_active, timeout=90)
    assert (condition["status"], condition["reason"]) == ("False", "FailedGetResourceMetric")
    assert condition["message"] == (
        "the HPA was unable to compute the replica count: failed to get cpu utilization: "
        "unable to get metrics for resource cpu: no metrics returned from resource metrics API")
    status = k.json("get", "hpa", "web", "-n", ns)["status"]
    able = {c["type"]: c for c in status["conditions"]}["AbleToScale"]
    assert (able["status"], able["reason"]) == ("True", "SucceededGetScale")
    assert status["currentReplicas"] == 2
    table = k.run("get", "hpa", "web", "-n", ns).stdout
    assert "cpu: <unknown>/50%" in table and "Deployment/web" in table
    events = k.run("get", "events", "-n", ns, "--field-selector",
                   "involvedObject.kind=HorizontalPodAutoscaler").stdout
    assert "FailedGetResourceMetric" in events
    assert "New size: 2; reason: Current number of replicas below Spec.MinReplicas" in events


def test_pdb_refuses_eviction_until_enough_pods_are_ready(cluster_kubectl: Kubectl,
                                                          cluster_namespace: str, cluster_api):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    k, ns = cluster_kubectl, cluster_namespace
    for name in ("db-0", "db-1"):
        k.run("apply", "-n", ns, "-f", "-", input=pod_yaml(name, labels={"app": "db"}))
        mark_ready(k, ns, name)
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "db"},
           "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "db"}}}}
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps(pdb))

    def pdb_status():
        return k.json("get", "pdb", "db", "-n", ns).get("status") or {}
    wait_for(lambda: pdb_status().get("currentHealthy") == 2
             and pdb_status().get("observedGeneration") == 1)
    status = pdb_status()
    assert (status["desiredHealthy"], status["expectedPods"], status["disruptionsAllowed"]) == (2, 2, 0)
    assert status["conditions"][0]["reason"] == "InsufficientPods"
    core = client.CoreV1Api(cluster_api)
    eviction = client.V1Eviction(metadata=client.V1ObjectMeta(name="db-0", namespace=ns))
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod_eviction("db-0", ns, eviction)
    assert refused.value.status == 429
    assert "Cannot evict pod as it would violate the pod's disruption budget." in refused.value.body

    k.run("apply", "-n", ns, "-f", "-", input=pod_yaml("db-2", labels={"app": "db"}))
    mark_ready(k, ns, "db-2")
    wait_for(lambda: pdb_status().get("disruptionsAllowed") == 1)
    rows = k.run("get", "pdb", "db", "-n", ns).stdout.splitlines()
    assert rows[0].split()[:4] == ["NAME", "MIN", "AVAILABLE", "MAX"]
    assert "ALLOWED DISRUPTIONS" in rows[0] and rows[1].split()[:4] == ["db", "2", "N/A", "1"]
    core.create_namespaced_pod_eviction("db-0", ns, eviction)
    wait_for(lambda: k.run("get", "pod", "db-0", "-n", ns, check=False).returncode != 0
             or k.json("get", "pod", "db-0", "-n", ns)["metadata"].get("deletionTimestamp"))


def test_concurrent_creates_cannot_share_the_last_unit(cluster_kubectl: Kubectl,
                                                       cluster_namespace: str, cluster_api):
    from concurrent.futures import ThreadPoolExecutor

    from kubernetes import client
    from kubernetes.client.rest import ApiException
    k, ns = cluster_kubectl, cluster_namespace
    k.run("create", "quota", "one", "--hard=count/configmaps=2", "-n", ns)
    # kube-root-ca.crt may or may not be there yet: wait for the count to settle
    wait_for(lambda: (k.json("get", "quota", "one", "-n", ns).get("status") or {})
             .get("used", {}).get("count/configmaps") == "1")
    core = client.CoreV1Api(cluster_api)

    def create(index: int) -> int:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{index}"}}
        try:
            core.create_namespaced_config_map(ns, body)
            return 201
        except ApiException as exc:
            return exc.status
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(create, range(4)))
    assert codes == [201, 403, 403, 403]
