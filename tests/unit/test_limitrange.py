# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""LimitRanger defaults and bounds, with upstream's messages."""
from __future__ import annotations

from kybernetes.apiserver.admission_plugins.limitranger import (ANNOTATION, aggregate,
                                                                apply_defaults, claim_violations,
                                                                pod_violations)


def limit_range(*items):
    return {"metadata": {"name": "limits"}, "spec": {"limits": list(items)}}


def pod(*containers):
    return {"metadata": {"name": "x"}, "spec": {"containers": list(containers)}}


def container(name="c", requests=None, limits=None):
    resources = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"name": name, "resources": resources}


CONTAINER_DEFAULTS = {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                      "defaultRequest": {"cpu": "250m", "memory": "128Mi"}}


def test_defaults_fill_missing_requests_and_limits_and_annotate():
    obj = pod(container("web"), container("side", requests={"cpu": "100m"}))
    assert apply_defaults(obj, limit_range(CONTAINER_DEFAULTS))
    web, side = obj["spec"]["containers"]
    assert web["resources"] == {"limits": {"cpu": "500m", "memory": "256Mi"},
                                "requests": {"cpu": "250m", "memory": "128Mi"}}
    assert side["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    assert obj["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: cpu, memory request for container web; "
        "cpu, memory limit for container web; memory request for container side; "
        "cpu, memory limit for container side")


def test_nothing_to_default_leaves_the_pod_alone():
    full = container(requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "1", "memory": "1Gi"})
    obj = pod(full)
    assert not apply_defaults(obj, limit_range(CONTAINER_DEFAULTS))
    assert "annotations" not in obj["metadata"]


def test_container_max():
    rng = limit_range({"type": "Container", "max": {"cpu": "1"}})
    assert pod_violations(rng, pod(container(limits={"cpu": "2"}, requests={"cpu": "2"}))) == [
        "maximum cpu usage per Container is 1, but limit is 2"]
    assert pod_violations(rng, pod(container(requests={"cpu": "500m"}))) == [
        "maximum cpu usage per Container is 1.  No limit is specified"]
    assert pod_violations(rng, pod(container(limits={"cpu": "1"}, requests={"cpu": "1"}))) == []


def test_container_min_and_ratio():
    rng = limit_range({"type": "Container", "min": {"memory": "100Mi"},
                       "maxLimitRequestRatio": {"cpu": "2"}})
    small = container(requests={"memory": "50Mi", "cpu": "100m"}, limits={"cpu": "400m"})
    assert pod_violations(rng, pod(small)) == [
        "minimum memory usage per Container is 100Mi, but request is 50Mi",
        "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000"]
    assert pod_violations(rng, pod(container(limits={"memory": "1Gi"}))) == [
        "minimum memory usage per Container is 100Mi.  No request is specified",
        "cpu max limit to request ratio per Container is 2, but no request is specified or request is 0"]


def test_pod_type_sums_containers():
    rng = limit_range({"type": "Pod", "max": {"cpu": "1"}})
    two = pod(container("a", requests={"cpu": "600m"}, limits={"cpu": "600m"}),
              container("b", requests={"cpu": "600m"}, limits={"cpu": "600m"}))
    assert pod_violations(rng, two) == ["maximum cpu usage per Pod is 1, but limit is 1200m"]


def test_claims():
    rng = limit_range({"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"},
                       "max": {"storage": "2Gi"}})
    claim = {"spec": {"resources": {"requests": {"storage": "5Gi"}}}}
    assert claim_violations(rng, claim) == [
        "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"]
    small = {"spec": {"resources": {"requests": {"storage": "500Mi"}}}}
    assert claim_violations(rng, small) == [
        "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"]


def test_aggregate_like_upstream():
    assert aggregate(["a"]) == "a"
    assert aggregate(["a", "b", "a"]) == "[a, b]"
