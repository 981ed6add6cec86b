# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The official `kubernetes` Python client against a real kybernetes API server."""
from __future__ import annotations

import json
import threading
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException


def configmap(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}


def test_crud_with_resource_versions(api_client, namespace):
    core = client.CoreV1Api(api_client)
    created = core.create_namespaced_config_map(namespace, configmap("one"))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.creation_timestamp is not None
    got = core.read_namespaced_config_map("one", namespace)
    assert got.metadata.resource_version == created.metadata.resource_version
    got.data["k"] = "w"
    updated = core.replace_namespaced_config_map("one", namespace, got)
    assert int(updated.metadata.resource_version) > int(created.metadata.resource_version)
    # a stale resourceVersion loses with 409 Conflict
    got.data["k"] = "x"
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("one", namespace, got)
    assert conflict.value.status == 409
    assert "the object has been modified" in conflict.value.body
    with pytest.raises(ApiException) as exists:
        core.create_namespaced_config_map(namespace, configmap("one"))
    assert exists.value.status == 409 and "already exists" in exists.value.body
    core.delete_namespaced_config_map("one", namespace)
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("one", namespace)
    assert missing.value.status == 404


def test_generate_name_and_generation(api_client, namespace):
    apps = client.AppsV1Api(api_client)
    body = {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"generateName": "gen-"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                     "template": {"metadata": {"labels": {"a": "b"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    created = apps.create_namespaced_deployment(namespace, body)
    name = created.metadata.name
    assert name.startswith("gen-") and len(name) == len("gen-") + 5
    assert created.metadata.generation == 1
    apps.patch_namespaced_deployment(name, namespace, {"metadata": {"labels": {"x": "y"}}})
    assert apps.read_namespaced_deployment(name, namespace).metadata.generation == 1
    apps.patch_namespaced_deployment(name, namespace, {"spec": {"replicas": 3}})
    assert apps.read_namespaced_deployment(name, namespace).metadata.generation == 2
    # status writes go through /status only and never bump generation
    apps.patch_namespaced_deployment_status(name, namespace, {"status": {"replicas": 3}})
    after = apps.read_namespaced_deployment(name, namespace)
    assert after.status.replicas == 3 and after.metadata.generation == 2
    apps.patch_namespaced_deployment(name, namespace, {"status": {"replicas": 7}})
    assert apps.read_namespaced_deployment(name, namespace).status.replicas == 3
    scale = apps.read_namespaced_deployment_scale(name, namespace)
    assert scale.spec.replicas == 3 and scale.status.selector == "a=b"
    apps.patch_namespaced_deployment_scale(name, namespace, {"spec": {"replicas": 5}})
    assert apps.read_namespaced_deployment(name, namespace).spec.replicas == 5


def test_patch_types(api_client, namespace):
    core = client.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, configmap("p"))
    json_patch = [{"op": "add", "path": "/data/j", "value": "1"}]
    assert core.patch_namespaced_config_map("p", namespace, json_patch).data["j"] == "1"
    api_client.set_default_header("Content-Type", "application/merge-patch+json")
    try:
        merged = core.patch_namespaced_config_map("p", namespace, {"data": {"k": None}})
    finally:
        api_client.default_headers.pop("Content-Type", None)
    assert merged.data == {"j": "1"}
    bad = [{"op": "test", "path": "/data/j", "value": "2"}]
    with pytest.raises(ApiException) as failed:
        core.patch_namespaced_config_map("p", namespace, bad)
    assert failed.value.status == 422


def test_list_pagination_and_selectors(api_client, namespace):
    core = client.CoreV1Api(api_client)
    for i in range(7):
        core.create_namespaced_config_map(namespace, configmap(f"page-{i}", parity=str(i % 2)))
    first = core.list_namespaced_config_map(namespace, limit=3, label_selector="parity")
    assert len(first.items) == 3 and first.metadata._continue
    assert first.metadata.remaining_item_count == 4
    names = [i.metadata.name for i in first.items]
    token = first.metadata._continue
    while token:
        page = core.list_namespaced_config_map(namespace, limit=3, _continue=token,
                                               label_selector="parity")
        names += [i.metadata.name for i in page.items]
        token = page.metadata._continue
    assert names == [f"page-{i}" for i in range(7)]
    odd = core.list_namespaced_config_map(namespace, label_selector="parity=1")
    assert [i.metadata.name for i in odd.items] == ["page-1", "page-3", "page-5"]
    notin = core.list_namespaced_config_map(namespace, label_selector="parity notin (1)")
    assert len(notin.items) == 4
    by_name = core.list_namespaced_config_map(namespace, field_selector="metadata.name=page-2")
    assert [i.metadata.name for i in by_name.items] == ["page-2"]
    with pytest.raises(ApiException) as bad_field:
        core.list_namespaced_config_map(namespace, field_selector="spec.nothing=1")
    assert bad_field.value.status == 400
    everywhere = core.list_config_map_for_all_namespaces(label_selector="parity=0")
    assert {i.metadata.namespace for i in everywhere.items} == {namespace}
    with pytest.raises(ApiException) as bad_token:
        core.list_namespaced_config_map(namespace, limit=3, _continue="not-a-token")
    assert bad_token.value.status == 400


def test_pod_field_selectors(api_client, namespace):
    core = client.CoreV1Api(api_client)
    for name, node in (("on-a", "node-a"), ("on-b", "node-b"), ("nowhere", None)):
        spec = {"containers": [{"name": "c", "image": "busybox"}]}
        if node:
            spec["nodeName"] = node
        core.create_namespaced_pod(namespace, {"apiVersion": "v1", "kind": "Pod",
                                               "metadata": {"name": name}, "spec": spec})
    on_a = core.list_namespaced_pod(namespace, field_selector="spec.nodeName=node-a")
    assert [p.metadata.name for p in on_a.items] == ["on-a"]
    unbound = core.list_namespaced_pod(namespace, field_selector="spec.nodeName=")
    assert [p.metadata.name for p in unbound.items] == ["nowhere"]
    pending = core.list_namespaced_pod(namespace, field_selector="status.phase=Pending")
    assert len(pending.items) == 3


def test_watch_stream_and_410(api_client, namespace):
    core = client.CoreV1Api(api_client)
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    events: list[tuple[str, str]] = []

    def consume():
        w = watch.Watch()
        for event in w.stream(core.list_namespaced_config_map, namespace,
                              resource_version=start, timeout_seconds=20):
            events.append((event["type"], event["object"].metadata.name))
            if len(events) == 3:
                w.stop()

    thread = threading.Thread(target=consume)
    thread.start()
    time.sleep(0.5)
    core.create_namespaced_config_map(namespace, configmap("w1"))
    core.patch_namespaced_config_map("w1", namespace, {"data": {"x": "y"}})
    core.delete_namespaced_config_map("w1", namespace)
    thread.join(30)
    assert events == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    # a revision older than the watch history gets 410 Gone as an ERROR event
    resp = core.list_namespaced_config_map(namespace, watch=True, resource_version="1",
                                           timeout_seconds=5, _preload_content=False)
    assert resp.status == 200
    line = resp.readline()
    resp.release_conn()
    if b'"ERROR"' in line:
        assert b'"code":410' in line and b"too old resource version" in line


def test_finalizers_hold_deletion(api_client, namespace):
    core = client.CoreV1Api(api_client)
    body = configmap("held")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    core.create_namespaced_config_map(namespace, body)
    core.delete_namespaced_config_map("held", namespace)
    held = core.read_namespaced_config_map("held", namespace)
    assert held.metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("held", namespace, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_config_map("held", namespace)
    assert gone.value.status == 404


def test_pod_defaults_and_binding(api_client, namespace):
    core = client.CoreV1Api(api_client)
    pod = core.create_namespaced_pod(namespace, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "def"},
        "spec": {"containers": [{"name": "c", "image": "busybox:latest",
                                 "resources": {"limits": {"cpu": "0.25", "memory": "128Mi"}}}]}})
    spec = pod.spec
    assert spec.restart_policy == "Always" and spec.dns_policy == "ClusterFirst"
    assert spec.termination_grace_period_seconds == 30
    assert spec.scheduler_name == "default-scheduler"
    container = spec.containers[0]
    assert container.image_pull_policy == "Always"
    assert container.resources.limits["cpu"] == "250m"
    assert container.resources.requests == {"cpu": "250m", "memory": "128Mi"}
    assert pod.status.phase == "Pending" and pod.status.qos_class == "Guaranteed"
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "def"},
               "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}}
    core.create_namespaced_pod_binding("def", namespace, binding, _preload_content=False)
    bound = core.read_namespaced_pod("def", namespace)
    assert bound.spec.node_name == "node-1"
    assert any(c.type == "PodScheduled" and c.status == "True" for c in bound.status.conditions)
    with pytest.raises(ApiException) as again:
        core.create_namespaced_pod_binding("def", namespace, binding, _preload_content=False)
    assert again.value.status == 409
    # a bound pod is deleted gracefully: it stays until its kubelet finishes it
    core.delete_namespaced_pod("def", namespace)
    terminating = core.read_namespaced_pod("def", namespace)
    assert terminating.metadata.deletion_timestamp is not None
    assert terminating.metadata.deletion_grace_period_seconds == 30
    core.delete_namespaced_pod("def", namespace, grace_period_seconds=0)
    with pytest.raises(ApiException):
        core.read_namespaced_pod("def", namespace)


def test_services_get_ips_and_node_ports(api_client, namespace):
    core = client.CoreV1Api(api_client)
    svc = core.create_namespaced_service(namespace, {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "np"},
        "spec": {"type": "NodePort", "selector": {"app": "x"},
                 "ports": [{"port": 80, "targetPort": "http"}]}})
    assert svc.spec.cluster_ip.startswith("10.")
    assert 30000 <= svc.spec.ports[0].node_port <= 32767
    assert svc.spec.ports[0].protocol == "TCP" and svc.spec.session_affinity == "None"
    clash = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np2"},
             "spec": {"type": "NodePort", "ports": [
                 {"port": 80, "nodePort": svc.spec.ports[0].node_port}]}}
    with pytest.raises(ApiException) as taken:
        core.create_namespaced_service(namespace, clash)
    assert taken.value.status == 422 and "provided port is already allocated" in taken.value.body
    same_ip = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ip2"},
               "spec": {"clusterIP": svc.spec.cluster_ip, "ports": [{"port": 80}]}}
    with pytest.raises(ApiException) as ip_taken:
        core.create_namespaced_service(namespace, same_ip)
    assert ip_taken.value.status == 422
    headless = core.create_namespaced_service(namespace, {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "hl"},
        "spec": {"clusterIP": "None", "ports": [{"port": 80}]}})
    assert headless.spec.cluster_ip == "None"
    kubernetes = core.read_namespaced_service("kubernetes", "default")
    assert kubernetes.spec.cluster_ip == "10.96.0.1"
    # a released port can be taken again
    core.delete_namespaced_service("np", namespace)
    reuse = core.create_namespaced_service(namespace, clash)
    assert reuse.spec.ports[0].node_port == svc.spec.ports[0].node_port


def test_namespace_lifecycle(api_client):
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as missing:
        core.create_namespaced_config_map("no-such-namespace", configmap("x"))
    assert missing.value.status == 404
    assert json.loads(missing.value.body)["message"] == 'namespaces "no-such-namespace" not found'
    core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ending"}})
    core.delete_namespace("ending")
    ns = core.read_namespace("ending")
    assert ns.status.phase == "Terminating" and ns.spec.finalizers == ["kubernetes"]
    with pytest.raises(ApiException) as terminating:
        core.create_namespaced_config_map("ending", configmap("x"))
    assert terminating.value.status == 403
    assert "because it is being terminated" in terminating.value.body
    # the namespace controller's last step: empty spec.finalizers through /finalize
    ns.spec.finalizers = []
    core.replace_namespace_finalize("ending", ns)
    with pytest.raises(ApiException) as gone:
        core.read_namespace("ending")
    assert gone.value.status == 404


def test_dry_run_and_delete_collection(api_client, namespace):
    core = client.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, configmap("dry"), dry_run="All")
    assert core.list_namespaced_config_map(namespace).items == []
    for i in range(3):
        core.create_namespaced_config_map(namespace, configmap(f"dc-{i}", batch="yes"))
    core.create_namespaced_config_map(namespace, configmap("keep"))
    core.delete_collection_namespaced_config_map(namespace, label_selector="batch=yes")
    left = [c.metadata.name for c in core.list_namespaced_config_map(namespace).items]
    assert left == ["keep"]


def test_hpa_served_in_two_versions(api_client, namespace):
    v1 = client.AutoscalingV1Api(api_client)
    v2 = client.AutoscalingV2Api(api_client)
    v1.create_namespaced_horizontal_pod_autoscaler(namespace, {
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
                 "minReplicas": 1, "maxReplicas": 4, "targetCPUUtilizationPercentage": 60}})
    as_v2 = v2.read_namespaced_horizontal_pod_autoscaler("h", namespace)
    metric = as_v2.spec.metrics[0]
    assert metric.type == "Resource" and metric.resource.target.average_utilization == 60
    as_v1 = v1.read_namespaced_horizontal_pod_autoscaler("h", namespace)
    assert as_v1.spec.target_cpu_utilization_percentage == 60


def test_events_in_both_groups(api_client, namespace):
    core = client.CoreV1Api(api_client)
    core.create_namespaced_event(namespace, {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": namespace},
        "reason": "Tested", "message": "hello", "type": "Normal", "count": 1,
        "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z",
        "source": {"component": "test"}, "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingComponent": "test", "reportingInstance": "test-1", "action": "Testing"})
    found = core.list_namespaced_event(namespace, field_selector="involvedObject.name=p,reason=Tested")
    assert [e.metadata.name for e in found.items] == ["e1"]
    events_v1 = client.EventsV1Api(api_client).read_namespaced_event("e1", namespace)
    assert events_v1.note == "hello" and events_v1.regarding.name == "p"
