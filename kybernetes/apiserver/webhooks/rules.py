# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Which requests a webhook is called for: its rules (operations, apiGroups,
apiVersions, resources with subresources, scope), matchPolicy Equivalent, its
namespaceSelector and objectSelector, and the resources never sent to any webhook.

Pure functions over plain dicts; upstream's rules.Matcher, namespace and object
matchers and equivalent-resource lookup are the model.

Equivalent resources here are the resources served from one store (upstream's
EquivalentResourceMapper is filled from the same fact): HorizontalPodAutoscalers in
autoscaling/v2 and autoscaling/v1, Events in core v1 and events.k8s.io/v1, and every
served version of a custom resource. Everything else (Deployments: apps/v1 only) is
served in one version and has no equivalents."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from kybernetes.api.resources import Registry, ResourceType
from kybernetes.api.selectors import SelectorError, selector_from_label_selector_object
from kybernetes.apiserver.conversion import storage_type

# Requests for these are never sent to webhooks, so that a broken webhook cannot stop
# anyone from fixing or removing it (upstream's IsExemptAdmissionConfigurationResource).
ADMISSION_GROUP = "admissionregistration.k8s.io"
EXEMPT_RESOURCES = frozenset({
    "validatingwebhookconfigurations", "mutatingwebhookconfigurations",
    "validatingadmissionpolicies", "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
})


@dataclass(frozen=True)
class Target:
    """The group/version/resource a rule is checked against, with the kind it serves."""
    group: str
    version: str
    resource: str
    kind: str

    @classmethod
    def of(cls, rt: ResourceType) -> "Target":
        return cls(rt.group, rt.version, rt.plural, rt.kind)


def is_exempt(group: str, resource: str) -> bool:
    return group == ADMISSION_GROUP and resource in EXEMPT_RESOURCES


def _exact_or_wildcard(items: list | None, requested: str) -> bool:
    return any(item == "*" or item == requested for item in items or [])


def _split_resource(text: str) -> tuple[str, str]:
    resource, _, subresource = text.partition("/")
    return resource, subresource


def rule_matches(rule: Mapping, operation: str, target: Target, subresource: str,
                 namespaced: bool) -> bool:
    """One RuleWithOperations against a request. `*` among resources matches every
    resource but no subresource; `*/*` matches all; `pods/*` pods and its subresources."""
    scope = rule.get("scope") or "*"
    if scope == "Cluster" and namespaced or scope == "Namespaced" and not namespaced:
        return False
    if not _exact_or_wildcard(rule.get("operations"), operation):
        return False
    if not _exact_or_wildcard(rule.get("apiGroups"), target.group):
        return False
    if not _exact_or_wildcard(rule.get("apiVersions"), target.version):
        return False
    for text in rule.get("resources") or []:
        resource, sub = _split_resource(text)
        if (resource == "*" or resource == target.resource) and (sub == "*" or sub == subresource):
            return True
    return False


def equivalents(registry: Registry, rt: ResourceType) -> list[ResourceType]:
    """The other served group/versions of the resource `rt` (same store), in a stable
    order: the preferred (storage) version first."""
    stored = storage_type(registry, rt)
    found = [other for other in registry.all()
             if other is not rt and other.plural == rt.plural
             and storage_type(registry, other).storage_prefix() == stored.storage_prefix()]
    return sorted(found, key=lambda other: (other is not stored, not other.preferred,
                                            other.group, other.version))


def matching_target(hook: Mapping, operation: str, rt: ResourceType, subresource: str,
                    registry: Registry | None) -> Target | None:
    """The resource the webhook sees the request as, or None when its rules do not
    match. Under matchPolicy Equivalent (the default) a request also matches through
    an equivalent resource; earlier rules win."""
    rules = hook.get("rules") or []
    direct = Target.of(rt)
    if any(rule_matches(rule, operation, direct, subresource, rt.namespaced) for rule in rules):
        return direct
    if (hook.get("matchPolicy") or "Equivalent") != "Equivalent" or registry is None:
        return None
    others = [Target.of(other) for other in equivalents(registry, rt)]
    for rule in rules:
        for other in others:
            if rule_matches(rule, operation, other, subresource, rt.namespaced):
                return other
    return None


def _labels(obj: Mapping | None) -> dict:
    return ((obj or {}).get("metadata") or {}).get("labels") or {}


def selector_matches(selector: Mapping | None, labels: Mapping[str, str]) -> bool:
    """A metav1.LabelSelector against labels; absent or {} matches everything. A
    selector that cannot be parsed matches nothing (validation refuses such selectors)."""
    if not selector:
        return True
    try:
        return selector_from_label_selector_object(selector).matches(labels)
    except SelectorError:
        return False


def namespace_selector_applies(rt: ResourceType, namespace: str) -> bool:
    """Cluster-scoped requests (other than for Namespaces) always pass a namespaceSelector."""
    return bool(namespace) or (rt.group == "" and rt.plural == "namespaces")


def namespace_labels_from_request(rt: ResourceType, operation: str, obj: Mapping | None,
                                  old: Mapping | None) -> dict | None:
    """For a request on a Namespace itself the labels the selector sees are the object's
    own (the old object's for DELETE); None for every other resource."""
    if not (rt.group == "" and rt.plural == "namespaces"):
        return None
    return _labels(old if operation == "DELETE" or obj is None else obj)


def object_selector_matches(selector: Mapping | None, obj: Mapping | None,
                            old: Mapping | None) -> bool:
    """objectSelector: the new or the old object's labels (either one matching is
    enough, as upstream: an update that removes the label is still seen)."""
    if not selector:
        return True
    return any(candidate is not None and selector_matches(selector, _labels(candidate))
               for candidate in (obj, old))
