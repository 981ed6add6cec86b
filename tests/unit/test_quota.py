# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Quota usage of objects, admission charging decisions and the controller's status."""
from __future__ import annotations

import pytest

from kybernetes.api import quota
from kybernetes.apiserver.admission_plugins.quota import (QuotaRefused, check_charge, refund,
                                                          request_charges)
from kybernetes.controllers.resourcequota import desired_status, status_changed


def pod(name="p", cpu="500m", memory="512Mi", limit_cpu="1", limit_memory="1Gi", phase=None,
        **spec):
    resources = {"requests": {"cpu": cpu, "memory": memory},
                 "limits": {"cpu": limit_cpu, "memory": limit_memory}}
    obj = {"metadata": {"name": name, "namespace": "ns"},
           "spec": {"containers": [{"name": "c", "resources": resources}], **spec}}
    if phase:
        obj["status"] = {"phase": phase}
    return obj


def compute_quota(used=None, hard=None, **spec):
    hard = hard or {"pods": "4", "requests.cpu": "1", "requests.memory": "1Gi",
                    "limits.cpu": "2", "limits.memory": "2Gi"}
    status = {"hard": hard}
    if used is not None:
        status["used"] = used
    return {"metadata": {"name": "compute-resources", "namespace": "ns"},
            "spec": {"hard": hard, **spec}, "status": status}


def test_pod_usage_counts_requests_limits_and_object():
    usage = quota.render(quota.pod_usage(pod()))
    assert usage == {"count/pods": "1", "pods": "1", "cpu": "500m", "requests.cpu": "500m",
                     "memory": "512Mi", "requests.memory": "512Mi", "limits.cpu": "1",
                     "limits.memory": "1Gi"}


def test_terminal_pod_costs_only_its_object_count():
    assert quota.render(quota.pod_usage(pod(phase="Succeeded"))) == {"count/pods": "1"}
    assert quota.render(quota.pod_usage(pod(phase="Failed"))) == {"count/pods": "1"}


def test_init_containers_set_a_floor_and_sidecars_add():
    obj = pod(cpu="100m")
    obj["spec"]["initContainers"] = [
        {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}},
        {"name": "init", "resources": {"requests": {"cpu": "1"}}}]
    requests = quota.render(quota.pod_aggregate(obj, "requests"))
    # max(100m + 50m sidecar, 1 + 50m sidecar started before it)
    assert requests["cpu"] == "1050m"


def test_sums_keep_the_first_terms_format_unless_it_is_zero():
    total = quota.add(quota.parse_amounts({"memory": "512Mi"}), quota.parse_amounts({"memory": "512Mi"}))
    assert quota.render(total) == {"memory": "1Gi"}
    decimal = quota.add(quota.parse_amounts({"memory": "0"}), quota.parse_amounts({"memory": "512Mi"}))
    assert quota.render(decimal) == {"memory": "512Mi"}  # upstream's Quantity.Add


def test_service_and_claim_usage():
    service = {"spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 443}]}}
    assert quota.render(quota.service_usage(service)) == {
        "count/services": "1", "services": "1", "services.nodeports": "2"}
    balancer = {"spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}
    assert quota.render(quota.service_usage(balancer))["services.loadbalancers"] == "1"
    claim = {"spec": {"storageClassName": "gold", "resources": {"requests": {"storage": "5Gi"}}}}
    assert quota.render(quota.claim_usage(claim)) == {
        "count/persistentvolumeclaims": "1", "persistentvolumeclaims": "1",
        "requests.storage": "5Gi",
        "gold.storageclass.storage.k8s.io/requests.storage": "5Gi",
        "gold.storageclass.storage.k8s.io/persistentvolumeclaims": "1"}


def test_object_counts_by_group_and_legacy_names():
    assert quota.render(quota.usage("apps", "deployments", {})) == {"count/deployments.apps": "1"}
    assert quota.render(quota.usage("", "configmaps", {})) == {"count/configmaps": "1",
                                                               "configmaps": "1"}
    assert quota.matching_resources("batch", "jobs", ["count/jobs.batch", "pods"]) == \
        ["count/jobs.batch"]
    assert quota.counted_kinds(["count/jobs.batch", "requests.cpu", "secrets"]) == {
        ("batch", "jobs"), ("", "pods"), ("", "secrets")}


def test_scopes():
    best_effort = {"metadata": {"name": "b"}, "spec": {"containers": [{"name": "c"}]}}
    scoped = compute_quota(hard={"pods": "1"}, scopes=["BestEffort"])
    assert quota.matches_scopes(scoped, "", "pods", best_effort)
    assert not quota.matches_scopes(scoped, "", "pods", pod())
    assert not quota.matches_scopes(scoped, "", "services", {})
    terminating = compute_quota(hard={"pods": "1"}, scopes=["Terminating"])
    assert quota.matches_scopes(terminating, "", "pods", pod(activeDeadlineSeconds=10))
    assert not quota.matches_scopes(terminating, "", "pods", pod())
    by_class = compute_quota(hard={"pods": "1"}, scopeSelector={"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]})
    assert quota.matches_scopes(by_class, "", "pods", pod(priorityClassName="high"))
    assert not quota.matches_scopes(by_class, "", "pods", pod(priorityClassName="low"))


def test_fifth_pod_refused_with_upstreams_message():
    full = compute_quota(used={"pods": "4", "requests.cpu": "800m", "requests.memory": "512Mi",
                               "limits.cpu": "1", "limits.memory": "1Gi"})
    with pytest.raises(QuotaRefused) as caught:
        request_charges([full], "", "pods", "CREATE", pod(cpu="100m", memory="64Mi"), None)
    assert str(caught.value) == ("exceeded quota: compute-resources, requested: pods=1, "
                                 "used: pods=4, limited: pods=4")


def test_several_exceeded_resources_are_listed_sorted():
    q = compute_quota(used={"pods": "1", "requests.cpu": "800m", "requests.memory": "900Mi",
                            "limits.cpu": "1", "limits.memory": "1Gi"})
    with pytest.raises(QuotaRefused) as caught:
        request_charges([q], "", "pods", "CREATE", pod(cpu="500m", memory="512Mi"), None)
    assert str(caught.value) == (
        "exceeded quota: compute-resources, requested: requests.cpu=500m,requests.memory=512Mi, "
        "used: requests.cpu=800m,requests.memory=900Mi, limited: requests.cpu=1,requests.memory=1Gi")


def test_pod_without_limits_refused():
    q = compute_quota(used={"pods": "0", "requests.cpu": "0", "requests.memory": "0",
                            "limits.cpu": "0", "limits.memory": "0"})
    bare = {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "db"}, {"name": "wp"}]}}
    with pytest.raises(QuotaRefused) as caught:
        request_charges([q], "", "pods", "CREATE", bare, None)
    assert str(caught.value) == (
        "failed quota: compute-resources: must specify limits.cpu for: db,wp; "
        "limits.memory for: db,wp; requests.cpu for: db,wp; requests.memory for: db,wp")


def test_quota_without_status_is_not_enforced_and_unknown_usage_refuses():
    fresh = compute_quota()
    fresh["status"] = {}
    assert request_charges([fresh], "", "pods", "CREATE", pod(), None) == {}
    unknown = compute_quota(used={"pods": "0"})
    with pytest.raises(QuotaRefused, match="status unknown for quota: compute-resources, "
                                           "resources: limits.cpu,limits.memory"):
        request_charges([unknown], "", "pods", "CREATE", pod(), None)


def test_charge_then_refund():
    q = compute_quota(used={"pods": "1", "requests.cpu": "500m", "requests.memory": "512Mi",
                            "limits.cpu": "1", "limits.memory": "1Gi"})
    charges = request_charges([q], "", "pods", "CREATE", pod(), None)
    assert quota.render(charges["compute-resources"])["requests.cpu"] == "500m"
    used = check_charge(q, charges["compute-resources"])
    assert quota.render(used)["pods"] == "2" and quota.render(used)["requests.cpu"] == "1"
    q["status"]["used"] = quota.render(used)
    assert quota.render(refund(q, charges["compute-resources"]))["pods"] == "1"


def test_update_charges_only_the_increase():
    q = compute_quota(hard={"services.nodeports": "2", "services": "5"},
                      used={"services.nodeports": "1", "services": "1"})
    old = {"metadata": {"resourceVersion": "5"}, "spec": {"type": "NodePort", "ports": [{"port": 1}]}}
    new = {"metadata": {}, "spec": {"type": "NodePort", "ports": [{"port": 1}, {"port": 2}]}}
    charges = request_charges([q], "", "services", "UPDATE", new, old)
    assert quota.render(charges["compute-resources"]) == {"services.nodeports": "1"}


def test_controller_status_counts_live_pods_only():
    q = compute_quota()
    q["status"] = {}
    pods = [pod("a"), pod("b"), pod("c", phase="Succeeded")]
    status = desired_status(q, {("", "pods"): pods})
    assert status == {"hard": {"limits.cpu": "2", "limits.memory": "2Gi", "pods": "4",
                               "requests.cpu": "1", "requests.memory": "1Gi"},
                      "used": {"limits.cpu": "2", "limits.memory": "2Gi", "pods": "2",
                               "requests.cpu": "1", "requests.memory": "1Gi"}}
    assert status_changed({}, status)
    same = {"hard": dict(status["hard"]), "used": dict(status["used"], **{"limits.memory": "2048Mi"})}
    assert not status_changed(same, status)
    empty = desired_status(q, {("", "pods"): []})
    assert empty["used"]["pods"] == "0" and empty["used"]["requests.memory"] == "0"


def test_quota_is_recounted_only_when_new_or_its_spec_moved():
    from kybernetes.controllers.resourcequota import needs_recount
    q = {"spec": {"hard": {"pods": "2"}}}
    assert needs_recount(q)
    q["status"] = {"hard": {"pods": "2"}, "used": {"pods": "1"}}
    assert not needs_recount(q)  # admission's charge alone does not trigger a recount
    q["spec"]["hard"]["pods"] = "3"
    assert needs_recount(q)


def test_shrank_sees_any_amount_going_down():
    from kybernetes.api.quota import parse_amounts, shrank
    before = parse_amounts({"pods": "1", "requests.cpu": "500m"})
    assert not shrank(before, parse_amounts({"pods": "1", "requests.cpu": "1"}))
    assert shrank(before, parse_amounts({"pods": "1", "requests.cpu": "100m"}))
    assert shrank(before, parse_amounts({}))
