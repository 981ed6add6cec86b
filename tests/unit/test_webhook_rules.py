# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Which requests admission webhooks are called for: rules, matchPolicy Equivalent,
namespace and object selectors, exempt resources; and the live configuration list."""
from __future__ import annotations

import pytest

from kybernetes.api.resources import builtin_registry
from kybernetes.apiserver.webhooks import rules
from kybernetes.apiserver.webhooks.configurations import flatten

REGISTRY = builtin_registry()
PODS = REGISTRY.by_resource("", "v1", "pods")
NAMESPACES = REGISTRY.by_resource("", "v1", "namespaces")
NODES = REGISTRY.by_resource("", "v1", "nodes")
DEPLOYMENTS = REGISTRY.by_resource("apps", "v1", "deployments")
HPA_V1 = REGISTRY.by_resource("autoscaling", "v1", "horizontalpodautoscalers")
HPA_V2 = REGISTRY.by_resource("autoscaling", "v2", "horizontalpodautoscalers")
CORE_EVENTS = REGISTRY.by_resource("", "v1", "events")
NEW_EVENTS = REGISTRY.by_resource("events.k8s.io", "v1", "events")


def rule(operations=("*",), groups=("",), versions=("v1",), resources=("pods",), scope=None):
    out = {"operations": list(operations), "apiGroups": list(groups),
           "apiVersions": list(versions), "resources": list(resources)}
    if scope is not None:
        out["scope"] = scope
    return out


def matches(r, operation="CREATE", rt=PODS, subresource="") -> bool:
    return rules.rule_matches(r, operation, rules.Target.of(rt), subresource, rt.namespaced)


@pytest.mark.parametrize("operations,operation,expected", [
    (["CREATE"], "CREATE", True),
    (["CREATE"], "UPDATE", False),
    (["*"], "DELETE", True),
    (["UPDATE", "DELETE"], "DELETE", True),
    (["CONNECT"], "CREATE", False),
])
def test_operations(operations, operation, expected):
    assert matches(rule(operations=operations), operation) is expected


@pytest.mark.parametrize("resources,subresource,expected", [
    (["pods"], "", True),
    (["pods"], "status", False),
    (["pods/status"], "status", True),
    (["pods/status"], "", False),
    (["pods/*"], "", True),
    (["pods/*"], "status", True),
    (["*"], "", True),
    (["*"], "status", False),
    (["*/*"], "status", True),
    (["*/status"], "status", True),
    (["*/status"], "", False),
    (["configmaps"], "", False),
])
def test_resources_and_subresources(resources, subresource, expected):
    assert matches(rule(resources=resources), subresource=subresource) is expected


def test_groups_and_versions_with_wildcards():
    assert matches(rule(groups=[""], resources=["deployments"]), rt=DEPLOYMENTS) is False
    assert matches(rule(groups=["apps"], resources=["deployments"], versions=["v1"]),
                   rt=DEPLOYMENTS)
    assert matches(rule(groups=["*"], versions=["*"], resources=["*"]), rt=DEPLOYMENTS)
    assert not matches(rule(groups=["apps"], versions=["v1beta1"], resources=["deployments"]),
                       rt=DEPLOYMENTS)


@pytest.mark.parametrize("scope,rt,expected", [
    ("*", PODS, True), ("*", NODES, True),
    ("Namespaced", PODS, True), ("Namespaced", NODES, False),
    ("Cluster", PODS, False), ("Cluster", NODES, True),
    ("Cluster", NAMESPACES, True), ("Namespaced", NAMESPACES, False),
])
def test_scope(scope, rt, expected):
    r = rule(resources=["*"], groups=["*"], versions=["*"], scope=scope)
    assert matches(r, rt=rt) is expected


def test_equivalent_versions_match_under_equivalent_policy_only():
    hook = {"rules": [rule(groups=["autoscaling"], versions=["v1"],
                           resources=["horizontalpodautoscalers"])]}
    # a request through v2 reaches a webhook that asked for v1, seen as v1
    target = rules.matching_target(dict(hook, matchPolicy="Equivalent"), "CREATE", HPA_V2, "",
                                   REGISTRY)
    assert target == rules.Target("autoscaling", "v1", "horizontalpodautoscalers",
                                  "HorizontalPodAutoscaler")
    assert rules.matching_target(dict(hook, matchPolicy="Exact"), "CREATE", HPA_V2, "",
                                 REGISTRY) is None
    # a direct match is preferred over an equivalent one
    assert rules.matching_target(hook, "CREATE", HPA_V1, "", REGISTRY).version == "v1"


def test_events_are_equivalent_across_groups():
    hook = {"rules": [rule(groups=["events.k8s.io"], resources=["events"])]}
    target = rules.matching_target(hook, "CREATE", CORE_EVENTS, "", REGISTRY)
    assert target is not None and target.group == "events.k8s.io"
    assert {(rt.group, rt.version) for rt in rules.equivalents(REGISTRY, NEW_EVENTS)} == {("", "v1")}


def test_deployments_have_no_equivalents():
    assert rules.equivalents(REGISTRY, DEPLOYMENTS) == []
    hook = {"rules": [rule(groups=["extensions"], versions=["v1beta1"], resources=["deployments"])]}
    assert rules.matching_target(hook, "CREATE", DEPLOYMENTS, "", REGISTRY) is None


def test_exempt_configuration_resources():
    assert rules.is_exempt("admissionregistration.k8s.io", "validatingwebhookconfigurations")
    assert rules.is_exempt("admissionregistration.k8s.io", "mutatingwebhookconfigurations")
    assert not rules.is_exempt("", "pods")
    assert not rules.is_exempt("admissionregistration.k8s.io", "somethingelse")


def labelled(**labels) -> dict:
    return {"metadata": {"name": "x", "labels": labels}}


def test_selectors():
    selector = {"matchLabels": {"env": "prod"}}
    assert rules.selector_matches(selector, {"env": "prod", "x": "y"})
    assert not rules.selector_matches(selector, {"env": "dev"})
    assert rules.selector_matches({}, {}) and rules.selector_matches(None, {})
    expression = {"matchExpressions": [{"key": "skip", "operator": "DoesNotExist"}]}
    assert rules.selector_matches(expression, {})
    assert not rules.selector_matches(expression, {"skip": "1"})


def test_object_selector_looks_at_new_and_old_objects():
    selector = {"matchLabels": {"bad": "true"}}
    assert rules.object_selector_matches(selector, labelled(bad="true"), None)
    assert not rules.object_selector_matches(selector, labelled(bad="false"), None)
    # an update removing the label is still seen; a DELETE has only the old object
    assert rules.object_selector_matches(selector, labelled(), labelled(bad="true"))
    assert rules.object_selector_matches(selector, None, labelled(bad="true"))
    assert rules.object_selector_matches({}, None, None)


def test_namespace_selector_scope_and_namespace_objects():
    assert rules.namespace_selector_applies(PODS, "default")
    assert not rules.namespace_selector_applies(NODES, "")
    assert rules.namespace_selector_applies(NAMESPACES, "")
    assert rules.namespace_labels_from_request(PODS, "CREATE", labelled(a="1"), None) is None
    assert rules.namespace_labels_from_request(NAMESPACES, "CREATE", labelled(a="1"), None) == {"a": "1"}
    assert rules.namespace_labels_from_request(NAMESPACES, "DELETE", None, labelled(b="2")) == {"b": "2"}


def test_configurations_flatten_in_name_order():
    configs = [{"metadata": {"name": "zeta"}, "webhooks": [{"name": "z.example.com"}]},
               {"metadata": {"name": "alpha"}, "webhooks": [{"name": "a1.example.com"},
                                                            {"name": "a2.example.com"}]}]
    assert [(w.configuration, w.name) for w in flatten(configs)] == [
        ("alpha", "a1.example.com"), ("alpha", "a2.example.com"), ("zeta", "z.example.com")]
