# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Endpoints and EndpointSlices computed from a Service and its pods (no server)."""
from __future__ import annotations

from kybernetes.controllers.endpoints import (
    TRIGGER_TIME_ANNOTATION, desired_endpoints, desired_subsets, manages_endpoints,
    selected_pods, services_selecting)
from kybernetes.controllers.endpointslice import (
    CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, plan_slices)


def service(name="web", ports=None, selector=None, **spec):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "ns", "uid": "svc-uid",
                         "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"team": "a"}},
            "spec": {"selector": {"app": "web"} if selector is None else selector,
                     "ports": ports if ports is not None else
                     [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                     "clusterIP": spec.pop("clusterIP", "10.96.0.20"), **spec}}


def pod(name, ip, ready=True, port=8080, labels=None, deleting=False, **spec):
    p = {"metadata": {"name": name, "namespace": "ns", "uid": f"uid-{name}",
                      "labels": {"app": "web"} if labels is None else labels,
                      "creationTimestamp": "2026-01-01T00:00:01Z"},
         "spec": {"nodeName": "node-1", "containers": [
             {"name": "c", "ports": [{"name": "http", "containerPort": port}]}], **spec},
         "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}] if ip else [],
                    "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                    "lastTransitionTime": "2026-01-01T00:00:02Z"}]}}
    if deleting:
        p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:03Z"
    return p


def ips(addresses):
    return [a["ip"] for a in addresses or []]


def test_ready_and_not_ready_addresses_with_named_ports_resolved_per_pod():
    pods = [pod("a", "10.0.0.1"), pod("b", "10.0.0.2", ready=False), pod("c", "10.0.0.3", port=9090)]
    subsets = desired_subsets(service(), pods)
    by_port = {s["ports"][0]["port"]: s for s in subsets}
    assert ips(by_port[8080]["addresses"]) == ["10.0.0.1"]
    assert ips(by_port[8080]["notReadyAddresses"]) == ["10.0.0.2"]
    assert ips(by_port[9090]["addresses"]) == ["10.0.0.3"]
    assert by_port[8080]["ports"] == [{"port": 8080, "protocol": "TCP", "name": "http"}]
    address = by_port[8080]["addresses"][0]
    assert address["nodeName"] == "node-1"
    assert address["targetRef"] == {"kind": "Pod", "namespace": "ns", "name": "a", "uid": "uid-a"}


def test_pods_without_ip_terminating_or_unresolvable_port_are_left_out():
    no_port = pod("d", "10.0.0.4")
    no_port["spec"]["containers"][0]["ports"] = []
    pods = [pod("a", "10.0.0.1"), pod("b", ""), pod("c", "10.0.0.3", deleting=True), no_port]
    subsets = desired_subsets(service(), pods)
    assert len(subsets) == 1 and ips(subsets[0]["addresses"]) == ["10.0.0.1"]
    assert "notReadyAddresses" not in subsets[0]


def test_publish_not_ready_addresses_puts_everyone_in_addresses():
    pods = [pod("a", "10.0.0.1"), pod("b", "10.0.0.2", ready=False),
            pod("c", "10.0.0.3", deleting=True)]
    subsets = desired_subsets(service(publishNotReadyAddresses=True), pods)
    assert ips(subsets[0]["addresses"]) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]


def test_headless_hostname_and_portless_headless_service():
    svc = service(clusterIP="None", ports=[])
    pods = [pod("a", "10.0.0.1", hostname="web-0", subdomain="web"),
            pod("b", "10.0.0.2", hostname="other", subdomain="elsewhere")]
    subsets = desired_subsets(svc, pods)
    assert subsets == [{"addresses": [
        {"ip": "10.0.0.1", "hostname": "web-0", "nodeName": "node-1",
         "targetRef": {"kind": "Pod", "namespace": "ns", "name": "a", "uid": "uid-a"}},
        {"ip": "10.0.0.2", "nodeName": "node-1",
         "targetRef": {"kind": "Pod", "namespace": "ns", "name": "b", "uid": "uid-b"}}]}]
    wanted = desired_endpoints(svc, pods, None)
    assert wanted["metadata"]["labels"] == {"team": "a", "service.kubernetes.io/headless": ""}


def test_endpoints_written_only_when_content_changes():
    svc = service()
    pods = [pod("a", "10.0.0.1")]
    first = desired_endpoints(svc, pods, None)
    assert first["metadata"]["annotations"][TRIGGER_TIME_ANNOTATION] == "2026-01-01T00:00:02Z"
    first["metadata"]["resourceVersion"] = "5"
    assert desired_endpoints(svc, pods, first) is None
    changed = desired_endpoints(svc, pods + [pod("b", "10.0.0.2")], first)
    assert changed["metadata"]["resourceVersion"] == "5"
    assert ips(changed["subsets"][0]["addresses"]) == ["10.0.0.1", "10.0.0.2"]


def test_services_without_selector_are_user_managed():
    assert not manages_endpoints(service(selector={}))
    assert not manages_endpoints(service(type="ExternalName"))
    assert manages_endpoints(service())
    other = pod("x", "10.0.0.9", labels={"app": "db"})
    assert selected_pods(service(), [pod("a", "10.0.0.1"), other])[0]["metadata"]["name"] == "a"
    assert services_selecting([service(), service("plain", selector={})], other) == []


# ------------------------------------------------------------------ EndpointSlices
def test_slices_conditions_labels_and_owner():
    pods = [pod("a", "10.0.0.1"), pod("b", "10.0.0.2", ready=False),
            pod("c", "10.0.0.3", deleting=True)]
    plan = plan_slices(service(), pods, [])
    assert len(plan.creates) == 1 and not plan.updates and not plan.deletes
    created = plan.creates[0]
    assert created["metadata"]["generateName"] == "web-"
    assert created["metadata"]["labels"] == {"team": "a", SERVICE_NAME_LABEL: "web",
                                             MANAGED_BY_LABEL: CONTROLLER_NAME}
    assert created["metadata"]["ownerReferences"][0]["uid"] == "svc-uid"
    assert created["addressType"] == "IPv4"
    assert created["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    conditions = {e["targetRef"]["name"]: e["conditions"] for e in created["endpoints"]}
    assert conditions == {"a": {"ready": True, "serving": True, "terminating": False},
                          "b": {"ready": False, "serving": False, "terminating": False},
                          "c": {"ready": False, "serving": True, "terminating": True}}


def test_slices_hold_at_most_the_limit_and_keep_endpoints_in_place():
    pods = [pod(f"p{i}", f"10.0.1.{i}") for i in range(5)]
    plan = plan_slices(service(), pods, [], max_per_slice=2)
    assert [len(s["endpoints"]) for s in plan.creates] == [2, 2, 1]
    existing = []
    for index, created in enumerate(plan.creates):
        existing.append(dict(created, metadata=dict(created["metadata"], name=f"web-{index}",
                                                    resourceVersion="1")))
    assert plan_slices(service(), pods, existing, max_per_slice=2).updates == []
    # p0 goes away, p9 arrives: one slice loses an endpoint, the gap is refilled
    later = plan_slices(service(), pods[1:] + [pod("p9", "10.0.1.9")], existing, max_per_slice=2)
    assert not later.creates and not later.deletes
    assert [s["metadata"]["name"] for s in later.updates] == ["web-0"]
    assert sorted(e["targetRef"]["name"] for e in later.updates[0]["endpoints"]) == ["p1", "p9"]


def test_slices_split_by_resolved_ports_and_placeholder_when_empty():
    pods = [pod("a", "10.0.0.1"), pod("b", "10.0.0.2", port=9090)]
    plan = plan_slices(service(), pods, [])
    assert sorted(s["ports"][0]["port"] for s in plan.creates) == [8080, 9090]
    empty = plan_slices(service(), [], [])
    assert len(empty.creates) == 1 and empty.creates[0]["endpoints"] == []
    assert empty.creates[0]["ports"] == []
    existing = [dict(s, metadata=dict(s["metadata"], name=f"web-{i}"))
                for i, s in enumerate(plan.creates)]
    gone = plan_slices(service(), [], existing)
    assert sorted(gone.deletes) == ["web-0", "web-1"] and len(gone.creates) == 1


def test_placeholder_becomes_the_first_real_slice():
    (placeholder,) = plan_slices(service(), [], []).creates
    placeholder = dict(placeholder, metadata=dict(placeholder["metadata"], name="web-abcde"))
    plan = plan_slices(service(), [pod("a", "10.0.0.1")], [placeholder])
    assert not plan.creates and not plan.deletes
    (updated,) = plan.updates
    assert updated["metadata"]["name"] == "web-abcde"
    assert [e["addresses"] for e in updated["endpoints"]] == [["10.0.0.1"]]
    assert updated["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
