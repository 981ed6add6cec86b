# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""HPA replica computation with a fake metrics source: utilization ratio, tolerance,
bounds, the scale-down stabilization window, behavior policies, missing metrics."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from kybernetes.api.selectors import parse_label_selector
from kybernetes.controllers.hpa import (History, PodMetric, decide, limit_with_behavior,
                                        no_metrics, record_scale_event, resource_replicas,
                                        set_condition)

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
LONG_AGO = "2026-01-01T11:00:00Z"


def ready_pod(name, cpu="100m"):
    return {"metadata": {"name": name, "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
            "status": {"phase": "Running", "startTime": LONG_AGO,
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": LONG_AGO}]}}


def fake_source(per_pod_milli):
    """A metrics source for tests: every pod uses `per_pod_milli` millicores."""
    async def source(namespace, selector, resource_name, container):
        return {name: PodMetric(value, NOW - timedelta(seconds=10))
                for name, value in per_pod_milli.items()}
    return source


def samples_from(source, pods):
    return [asyncio.run(source("ns", parse_label_selector("app=web"), "cpu", None))]


def hpa(min_replicas=1, max_replicas=10, target=50, behavior=None):
    spec = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": min_replicas, "maxReplicas": max_replicas,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}]}
    if behavior is not None:
        spec["behavior"] = behavior
    return {"metadata": {"name": "web", "namespace": "ns"}, "spec": spec}


def scale(replicas):
    return {"spec": {"replicas": replicas}, "status": {"replicas": replicas, "selector": "app=web"}}


def test_utilization_ratio_scales_up():
    pods = [ready_pod("a"), ready_pod("b")]
    metrics = {"a": PodMetric(100), "b": PodMetric(100)}  # 100% of a 100m request
    replicas, utilization, raw = resource_replicas(2, 50, pods, metrics, "cpu", None, NOW)
    assert (replicas, utilization, raw) == (4, 100, 100)


def test_within_tolerance_keeps_replicas():
    pods = [ready_pod("a"), ready_pod("b")]
    metrics = {"a": PodMetric(54), "b": PodMetric(54)}  # 54% vs 50%: ratio 1.08
    assert resource_replicas(2, 50, pods, metrics, "cpu", None, NOW)[0] == 2
    metrics = {"a": PodMetric(56), "b": PodMetric(56)}  # ratio 1.12
    assert resource_replicas(2, 50, pods, metrics, "cpu", None, NOW)[0] == 3


def test_missing_pod_metrics_damp_scale_down():
    pods = [ready_pod("a"), ready_pod("b"), ready_pod("c")]
    # a and b at 10%; c has no sample and counts as 100% when scaling down
    metrics = {"a": PodMetric(10), "b": PodMetric(10)}
    assert resource_replicas(3, 50, pods, metrics, "cpu", None, NOW)[0] == 3


def test_decide_scales_up_with_fake_source():
    pods = [ready_pod("a"), ready_pod("b")]
    samples = samples_from(fake_source({"a": 100, "b": 100}), pods)
    decision = decide(hpa(), scale(2), pods, samples, History(), NOW)
    assert decision.desired == 4 and decision.rescale
    assert decision.reason == "cpu resource utilization (percentage of request) above target"
    assert decision.statuses == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageValue": "100m", "averageUtilization": 100}}}]
    assert ("ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully "
            "calculate a replica count from cpu resource utilization (percentage of request)") \
        in decision.conditions


def test_decide_caps_at_max_and_reports_scaling_limited():
    pods = [ready_pod("a"), ready_pod("b")]
    samples = samples_from(fake_source({"a": 500, "b": 500}), pods)  # wants 20
    decision = decide(hpa(max_replicas=5), scale(2), pods, samples, History(), NOW)
    assert decision.desired == 4  # the scale-up rate limit max(2*2, 4) comes first
    assert ("ScalingLimited", "True", "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate") \
        in decision.conditions
    decision = decide(hpa(max_replicas=3), scale(2), pods, samples, History(), NOW)
    assert decision.desired == 3
    assert ("ScalingLimited", "True", "TooManyReplicas",
            "the desired replica count is more than the maximum replica count") in decision.conditions


def test_scale_down_waits_for_the_stabilization_window():
    pods = [ready_pod(n) for n in "abcd"]
    busy = samples_from(fake_source({n: 50 for n in "abcd"}), pods)  # at target: 4
    idle = samples_from(fake_source({n: 10 for n in "abcd"}), pods)  # wants 1
    history = History()
    assert decide(hpa(), scale(4), pods, busy, history, NOW).desired == 4
    held = decide(hpa(), scale(4), pods, idle, history, NOW + timedelta(seconds=60))
    assert held.desired == 4 and not held.rescale
    assert ("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher "
            "than current one, applying the highest recent recommendation") in held.conditions
    later = decide(hpa(), scale(4), pods, idle, history, NOW + timedelta(seconds=301))
    assert later.desired == 1 and later.reason == "All metrics below target"


def test_behavior_policies_limit_the_rate():
    behavior = {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                            "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}]},
                "scaleDown": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                              "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}
    history = History()
    assert limit_with_behavior(2, 10, 1, 20, behavior, history, NOW)[:2] == (4, "ScaleUpLimit")
    record_scale_event(history, behavior, 2, 4, NOW)
    # two already added within the period: the period started at 2, so 4 is the cap
    assert limit_with_behavior(4, 10, 1, 20, behavior, history, NOW + timedelta(seconds=10))[0] == 4
    assert limit_with_behavior(4, 10, 1, 20, behavior, history, NOW + timedelta(seconds=61))[0] == 6
    assert limit_with_behavior(8, 1, 1, 20, behavior, History(), NOW)[:2] == (4, "ScaleDownLimit")


def test_missing_metrics_reports_upstreams_condition_and_events():
    pods = [ready_pod("a")]
    samples = [asyncio.run(no_metrics("ns", parse_label_selector("app=web"), "cpu", None))]
    decision = decide(hpa(), scale(1), pods, samples, History(), NOW)
    assert not decision.rescale and decision.statuses == [{"type": ""}]
    assert ("ScalingActive", "False", "FailedGetResourceMetric",
            "the HPA was unable to compute the replica count: failed to get cpu utilization: "
            "unable to get metrics for resource cpu: no metrics returned from resource metrics API"
            ) in decision.conditions
    assert decision.events == [
        ("Warning", "FailedGetResourceMetric", "failed to get cpu utilization: unable to get "
         "metrics for resource cpu: no metrics returned from resource metrics API"),
        ("Warning", "FailedComputeMetricsReplicas", "invalid metrics (1 invalid out of 1), first "
         "error is: failed to get cpu resource metric value: failed to get cpu utilization: "
         "unable to get metrics for resource cpu: no metrics returned from resource metrics API")]


def test_bounds_apply_without_metrics():
    below = decide(hpa(min_replicas=2), scale(1), [], [{}], History(), NOW)
    assert (below.desired, below.rescale, below.reason) == (
        2, True, "Current number of replicas below Spec.MinReplicas")
    above = decide(hpa(max_replicas=3), scale(5), [], [{}], History(), NOW)
    assert (above.desired, above.reason) == (3, "Current number of replicas above Spec.MaxReplicas")
    off = decide(hpa(), scale(0), [], [{}], History(), NOW)
    assert not off.rescale and off.conditions[-1][2] == "ScalingDisabled"


def test_condition_transition_time_moves_only_on_status_change():
    conditions = []
    set_condition(conditions, "AbleToScale", "True", "SucceededGetScale", "m", "t1")
    set_condition(conditions, "AbleToScale", "True", "SucceededRescale", "m2", "t2")
    assert conditions[0]["lastTransitionTime"] == "t1" and conditions[0]["reason"] == "SucceededRescale"
    set_condition(conditions, "AbleToScale", "False", "FailedGetScale", "m3", "t3")
    assert conditions[0]["lastTransitionTime"] == "t3"
