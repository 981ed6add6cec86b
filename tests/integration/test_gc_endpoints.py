# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Against `kybernetes server`: cascading deletes in each propagation mode, Endpoints and
EndpointSlices following pods, and what every namespace gets (the `default`
ServiceAccount and the `kube-root-ca.crt` ConfigMap). Pods are marked Running and Ready
by the test through pods/status, as a kubelet would."""
from __future__ import annotations

import json
import time

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for


def get_json(k: Kubectl, *args: str) -> dict | None:
    result = k.run("get", *args, "-o", "json", check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def mark_pod(k: Kubectl, namespace: str, name: str, ip: str, ready: bool) -> None:
    """What a kubelet would report: Running, an IP, and the Ready condition."""
    status = "True" if ready else "False"
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    patch = {"status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                        "conditions": [{"type": "Ready", "status": status,
                                        "lastTransitionTime": now}]}}
    k.run("patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge",
          "-p", json.dumps(patch))


# ------------------------------------------------------------------ namespaces
def test_every_namespace_gets_default_service_account_and_root_ca(cluster, cluster_kubectl,
                                                                    cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    wait_for(lambda: get_json(k, "serviceaccount", "default", "-n", ns))
    config_map = wait_for(lambda: get_json(k, "configmap", "kube-root-ca.crt", "-n", ns))
    assert config_map["data"]["ca.crt"] == (cluster.data_dir / "pki" / "ca.crt").read_text()
    assert "kubernetes.io/description" in config_map["metadata"]["annotations"]
    old_uid = get_json(k, "serviceaccount", "default", "-n", ns)["metadata"]["uid"]
    k.run("delete", "serviceaccount", "default", "-n", ns)
    k.run("delete", "configmap", "kube-root-ca.crt", "-n", ns)
    again = wait_for(lambda: get_json(k, "serviceaccount", "default", "-n", ns))
    assert again["metadata"]["uid"] != old_uid
    wait_for(lambda: get_json(k, "configmap", "kube-root-ca.crt", "-n", ns))


# ------------------------------------------------------------------ garbage collector
def make_owner_and_dependent(k: Kubectl, ns: str, block: bool = False) -> None:
    k.run("create", "configmap", "owner", "-n", ns)
    uid = get_json(k, "configmap", "owner", "-n", ns)["metadata"]["uid"]
    dependent = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "dependent", "namespace": ns, "ownerReferences": [
                     {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid,
                      "blockOwnerDeletion": block}]},
                 "data": {"k": "v"}}
    k.run("apply", "-f", "-", input=json.dumps(dependent))


def test_background_delete_removes_dependents(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    make_owner_and_dependent(k, ns)
    k.run("delete", "configmap", "owner", "-n", ns)
    wait_for(lambda: get_json(k, "configmap", "dependent", "-n", ns) is None)


def test_foreground_delete_waits_for_blocking_dependents(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    make_owner_and_dependent(k, ns, block=True)
    # a finalizer on the dependent holds it, so the owner must wait in foregroundDeletion
    k.run("patch", "configmap", "dependent", "-n", ns, "--type=merge",
          "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    k.run("delete", "configmap", "owner", "-n", ns, "--cascade=foreground", "--wait=false")
    dependent = wait_for(lambda: (get_json(k, "configmap", "dependent", "-n", ns) or {})
                         .get("metadata", {}).get("deletionTimestamp") and
                         get_json(k, "configmap", "dependent", "-n", ns))
    assert dependent["metadata"]["deletionTimestamp"]
    owner = get_json(k, "configmap", "owner", "-n", ns)
    assert owner is not None and "foregroundDeletion" in owner["metadata"]["finalizers"]
    k.run("patch", "configmap", "dependent", "-n", ns, "--type=merge",
          "-p", '{"metadata":{"finalizers":null}}')
    wait_for(lambda: get_json(k, "configmap", "owner", "-n", ns) is None)
    assert get_json(k, "configmap", "dependent", "-n", ns) is None


def test_orphan_delete_keeps_dependents_without_the_reference(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    make_owner_and_dependent(k, ns, block=True)
    k.run("delete", "configmap", "owner", "-n", ns, "--cascade=orphan")
    assert get_json(k, "configmap", "owner", "-n", ns) is None
    dependent = get_json(k, "configmap", "dependent", "-n", ns)
    assert dependent is not None and not dependent["metadata"].get("ownerReferences")


def test_dangling_reference_is_collected(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("create", "configmap", "owner", "-n", ns)  # same name, but not the uid referred to
    dependent = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "stray", "namespace": ns, "ownerReferences": [
                     {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                      "uid": "00000000-0000-0000-0000-000000000000"}]}}
    k.run("apply", "-f", "-", input=json.dumps(dependent))
    wait_for(lambda: get_json(k, "configmap", "stray", "-n", ns) is None)
    assert get_json(k, "configmap", "owner", "-n", ns) is not None


# ------------------------------------------------------------------ endpoints
SERVICE_AND_PODS = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
"""

POD = """
apiVersion: v1
kind: Pod
metadata: {name: %s, labels: {app: web}}
spec:
  containers:
  - name: c
    image: busybox
    ports: [{name: http, containerPort: %d}]
"""


def test_service_endpoints_and_slices_follow_pod_readiness(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    wait_for(lambda: get_json(k, "serviceaccount", "default", "-n", ns))  # pods need it
    k.run("apply", "-n", ns, "-f", "-", input=SERVICE_AND_PODS)
    addresses = {"web-0": "10.244.7.10", "web-1": "10.244.7.11", "web-2": "10.244.7.12"}
    for name in addresses:
        k.run("apply", "-n", ns, "-f", "-", input=POD % (name, 8080))
    for name, ip in addresses.items():
        mark_pod(k, ns, name, ip, ready=True)

    def endpoint_ips(field: str) -> list[str]:
        endpoints = get_json(k, "endpoints", "web", "-n", ns) or {}
        return sorted(a["ip"] for s in endpoints.get("subsets") or [] for a in s.get(field) or [])

    wait_for(lambda: endpoint_ips("addresses") == sorted(addresses.values()))
    endpoints = get_json(k, "endpoints", "web", "-n", ns)
    assert endpoints["subsets"][0]["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert endpoints["subsets"][0]["addresses"][0]["targetRef"]["kind"] == "Pod"
    assert "endpoints.kubernetes.io/last-change-trigger-time" in endpoints["metadata"]["annotations"]

    def slices() -> list[dict]:
        found = get_json(k, "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=web")
        return (found or {}).get("items") or []

    def slice_ready() -> dict[str, bool]:
        return {e["addresses"][0]: e["conditions"]["ready"]
                for s in slices() for e in s.get("endpoints") or []}

    wait_for(lambda: slice_ready() == {ip: True for ip in addresses.values()})
    (only,) = slices()
    assert only["metadata"]["name"].startswith("web-")
    assert only["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslice-controller.k8s.io"
    assert only["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]

    mark_pod(k, ns, "web-1", addresses["web-1"], ready=False)
    wait_for(lambda: endpoint_ips("notReadyAddresses") == ["10.244.7.11"])
    assert endpoint_ips("addresses") == ["10.244.7.10", "10.244.7.12"]
    wait_for(lambda: slice_ready().get("10.244.7.11") is False)

    k.run("get", "endpoints", "web", "-n", ns)  # kubectl prints it
    k.run("delete", "service", "web", "-n", ns)
    wait_for(lambda: get_json(k, "endpoints", "web", "-n", ns) is None)
    wait_for(lambda: slices() == [])  # owned by the service: collected


def test_service_without_selector_keeps_user_endpoints(cluster_kubectl, cluster_namespace):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("create", "service", "clusterip", "external", "--tcp=80", "-n", ns)
    k.run("patch", "service", "external", "-n", ns, "--type=json",
          "-p", '[{"op":"remove","path":"/spec/selector"}]')
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "external"},
                 "subsets": [{"addresses": [{"ip": "192.0.2.1"}], "ports": [{"port": 80}]}]}
    k.run("apply", "-n", ns, "-f", "-", input=json.dumps(endpoints))
    # give the controllers a chance to (wrongly) act, then check nothing changed
    k.run("label", "service", "external", "-n", ns, "touched=yes")
    time.sleep(1)
    kept = get_json(k, "endpoints", "external", "-n", ns)
    assert kept["subsets"][0]["addresses"] == [{"ip": "192.0.2.1"}]
