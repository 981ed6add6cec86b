# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The PodSecurity admission decisions, pure: given the request's objects, the
namespace's labels and the configuration, what is refused, what is warned and what the
audit event records. The API server plugin (kybernetes/apiserver/admission_plugins/
podsecurity.py) feeds it and turns its Decision into a Status, headers and annotations."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kybernetes.podsecurity.config import DEFAULT_CONFIGURATION, PodSecurityConfiguration
from kybernetes.podsecurity.levels import (AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL,
                                           AUDIT_VIOLATIONS_ANNOTATION, ENFORCE_LEVEL_LABEL,
                                           ENFORCE_POLICY_ANNOTATION, ENFORCE_VERSION_LABEL,
                                           EXEMPT_ANNOTATION, LATEST_VERSION, PRIVILEGED,
                                           WARN_LEVEL_LABEL, WARN_VERSION_LABEL, LabelError,
                                           LevelVersion, Policy, compare_levels,
                                           policy_to_evaluate)
from kybernetes.podsecurity.registry import evaluate_pod
from kybernetes.podsecurity.results import AggregateResult, aggregate

MAX_PODS_TO_CHECK = 3000  # a namespace label change checks at most this many pods

# Pod subresources that cannot change what the pod runs (upstream skips them).
IGNORED_POD_SUBRESOURCES = frozenset({"exec", "attach", "binding", "eviction", "log",
                                      "portforward", "proxy", "status"})

# (group, kind) of the workload resources whose pod templates are checked (warn and
# audit only: the pods they create are what enforce refuses)
POD_TEMPLATE_KINDS = frozenset({
    ("", "ReplicationController"), ("", "PodTemplate"), ("apps", "ReplicaSet"),
    ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
    ("batch", "Job"), ("batch", "CronJob")})


@dataclass
class Decision:
    allowed: bool = True
    forbidden_message: str = ""  # e.g. violates PodSecurity "restricted:latest": ...
    invalid_labels: list[LabelError] = field(default_factory=list)  # 422 on a namespace
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)  # keys without prefix


def pod_template(group: str, kind: str, obj: dict) -> tuple[dict, dict] | None:
    """(metadata, spec) of a workload's pod template, None when it has none."""
    spec = obj.get("spec") or {}
    if (group, kind) == ("", "PodTemplate"):
        template = obj.get("template")
    elif (group, kind) == ("batch", "CronJob"):
        template = (((spec.get("jobTemplate") or {}).get("spec")) or {}).get("template")
    else:
        template = spec.get("template")
    if not isinstance(template, dict):
        return None
    return template.get("metadata") or {}, template.get("spec") or {}


def is_significant_pod_update(pod: dict, old: dict) -> bool:
    """Only what a pod runs matters on update (the rest of a pod's spec is immutable):
    container images, and ephemeral containers added or changed."""
    spec, old_spec = pod.get("spec") or {}, old.get("spec") or {}
    for key in ("containers", "initContainers"):
        new_list, old_list = spec.get(key) or [], old_spec.get(key) or []
        if len(new_list) != len(old_list):
            return True
        if any(n.get("image") != o.get("image") for n, o in zip(new_list, old_list)):
            return True
    old_ephemeral = {c.get("name"): c for c in old_spec.get("ephemeralContainers") or []}
    for container in spec.get("ephemeralContainers") or []:
        before = old_ephemeral.get(container.get("name"))
        if before is None or before.get("image") != container.get("image"):
            return True
    return False


def _controller_uid(pod: dict) -> str | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


class PodSecurityAdmission:
    def __init__(self, config: PodSecurityConfiguration = DEFAULT_CONFIGURATION) -> None:
        self.config = config

    # ---------------------------------------------------------------- policy
    def policy(self, labels: dict | None) -> tuple[Policy, list[LabelError]]:
        return policy_to_evaluate(labels, self.config.defaults)

    def exempt_namespace(self, namespace: str) -> bool:
        return bool(namespace) and namespace in self.config.exemptions.namespaces

    def exempt_user(self, username: str) -> bool:
        return bool(username) and username in self.config.exemptions.usernames

    def exempt_runtime_class(self, name: str | None) -> bool:
        return bool(name) and name in self.config.exemptions.runtime_classes

    # ---------------------------------------------------------------- namespaces
    def validate_namespace(self, operation: str, namespace: dict, old: dict | None,
                           list_pods: Callable[[], list[dict]]) -> Decision:
        """A namespace create or update: bad labels are refused; raising the enforce
        level warns about the existing pods that the new level would refuse."""
        meta = namespace.get("metadata") or {}
        name, labels = meta.get("name", ""), meta.get("labels") or {}
        new_policy, new_errors = self.policy(labels)
        if operation == "CREATE":
            if new_errors:
                return Decision(False, invalid_labels=new_errors)
            return self._exempt_namespace_decision(name, new_policy, labels)
        if operation != "UPDATE" or old is None:
            return Decision()
        old_policy, old_errors = self.policy((old.get("metadata") or {}).get("labels") or {})
        if new_errors and (not old_errors or new_errors != old_errors):
            return Decision(False, invalid_labels=new_errors)
        enforce, old_enforce = new_policy.enforce, old_policy.enforce
        if enforce == old_enforce or enforce.level == PRIVILEGED:
            return Decision()
        if enforce.version == old_enforce.version and \
                compare_levels(enforce.level, old_enforce.level) < 1:
            return Decision()  # same version, no stricter: nothing newly refused
        if self.exempt_namespace(name):
            return self._exempt_namespace_decision(name, new_policy, labels)
        return Decision(warnings=self.evaluate_pods_in_namespace(name, enforce, list_pods()))

    def _exempt_namespace_decision(self, name: str, policy: Policy, labels: dict) -> Decision:
        if not self.exempt_namespace(name) or policy.fully_privileged() or \
                policy.equivalent(self.config.defaults):
            return Decision()
        shown = []
        for mode, level_label, version_label in (
                ("enforce", ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL),
                ("audit", AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL),
                ("warn", WARN_LEVEL_LABEL, WARN_VERSION_LABEL)):
            level_version = getattr(policy, mode)
            if level_version.level != PRIVILEGED and (level_label in labels or version_label in labels):
                shown.append(f"{mode}={level_version}")
        return Decision(warnings=[f'namespace "{name}" is exempt from Pod Security, and the '
                                  f"policy ({', '.join(shown)}) will be ignored"])

    def evaluate_pods_in_namespace(self, namespace: str, enforce: LevelVersion,
                                   pods: list[dict]) -> list[str]:
        """Warnings for the pods a new enforce level would refuse: one per distinct set
        of reasons, naming the first pod by name and how many others share it."""
        pods = self._prioritized(pods)
        total = len(pods)
        pods = pods[:MAX_PODS_TO_CHECK]
        seen: dict[str, list] = {}  # reasons -> [first pod name, count]
        order: list[str] = []
        for pod in pods:
            meta = pod.get("metadata") or {}
            result = aggregate(evaluate_pod(enforce, meta, pod.get("spec") or {}))
            if result.allowed:
                continue
            reasons = result.forbidden_reason()
            entry = seen.get(reasons)
            if entry is None:
                seen[reasons] = [meta.get("name", ""), 1]
                order.append(reasons)
            else:
                entry[0] = min(entry[0], meta.get("name", ""))
                entry[1] += 1
        warnings = []
        if len(pods) < total:
            warnings.append(f"new PodSecurity enforce level only checked against the first "
                            f"{len(pods)} of {total} existing pods")
        if order:
            warnings.append(f'existing pods in namespace "{namespace}" violate the new '
                            f'PodSecurity enforce level "{enforce}"')
        per_pod = []
        for reasons in order:
            name, count = seen[reasons]
            if count == 1:
                per_pod.append(f"{name}: {reasons}")
            elif count == 2:
                per_pod.append(f"{name} (and 1 other pod): {reasons}")
            else:
                per_pod.append(f"{name} (and {count - 1} other pods): {reasons}")
        return warnings + sorted(per_pod)

    def _prioritized(self, pods: list[dict]) -> list[dict]:
        """Pods without a controller and one pod per controller first, then the rest
        (replicas usually fail alike); pods of exempt runtime classes are left out."""
        first, duplicates, controllers = [], [], set()
        for pod in pods:
            if self.exempt_runtime_class((pod.get("spec") or {}).get("runtimeClassName")):
                continue
            uid = _controller_uid(pod)
            if uid is None:
                first.append(pod)
            elif uid in controllers:
                duplicates.append(pod)
            else:
                controllers.add(uid)
                first.append(pod)
        return first + duplicates

    # ---------------------------------------------------------------- pods
    def validate_pod(self, operation: str, subresource: str, namespace: str,
                     namespace_labels: dict | None, username: str, pod: dict,
                     old: dict | None) -> Decision:
        if subresource in IGNORED_POD_SUBRESOURCES:
            return Decision()
        if self.exempt_namespace(namespace):
            return Decision(audit_annotations={EXEMPT_ANNOTATION: "namespace"})
        if self.exempt_user(username):
            return Decision(audit_annotations={EXEMPT_ANNOTATION: "user"})
        policy, errors = self.policy(namespace_labels)
        if not errors and policy.fully_privileged():
            return Decision(audit_annotations={
                ENFORCE_POLICY_ANNOTATION: str(LevelVersion(PRIVILEGED, LATEST_VERSION))})
        if operation == "UPDATE" and old is not None and not is_significant_pod_update(pod, old):
            return Decision()
        return self.evaluate(policy, errors, pod.get("metadata") or {}, pod.get("spec") or {},
                             enforce=True)

    def validate_pod_controller(self, subresource: str, namespace: str,
                                namespace_labels: dict | None, username: str,
                                group: str, kind: str, obj: dict) -> Decision:
        if subresource:
            return Decision()
        if self.exempt_namespace(namespace):
            return Decision(audit_annotations={EXEMPT_ANNOTATION: "namespace"})
        if self.exempt_user(username):
            return Decision(audit_annotations={EXEMPT_ANNOTATION: "user"})
        policy, errors = self.policy(namespace_labels)
        if not errors and policy.warn.level == PRIVILEGED and policy.audit.level == PRIVILEGED:
            return Decision()
        template = pod_template(group, kind, obj)
        if template is None:
            return Decision()
        return self.evaluate(policy, errors, template[0], template[1], enforce=False)

    def evaluate(self, policy: Policy, errors: list[LabelError], meta: dict, spec: dict,
                 enforce: bool) -> Decision:
        if self.exempt_runtime_class(spec.get("runtimeClassName")):
            return Decision(audit_annotations={EXEMPT_ANNOTATION: "runtimeClass"})
        decision = Decision()
        if errors:
            decision.audit_annotations["error"] = "Failed to parse policy: " + _aggregate_errors(errors)
        results: dict[LevelVersion, AggregateResult] = {}

        def result_for(level_version: LevelVersion) -> AggregateResult:
            if level_version not in results:
                results[level_version] = aggregate(evaluate_pod(level_version, meta, spec))
            return results[level_version]

        if enforce:
            decision.audit_annotations[ENFORCE_POLICY_ANNOTATION] = str(policy.enforce)
            result = result_for(policy.enforce)
            if not result.allowed:
                decision.allowed = False
                decision.forbidden_message = (f'violates PodSecurity "{policy.enforce}": '
                                              f"{result.forbidden_detail()}")
        audit = result_for(policy.audit)
        if not audit.allowed:
            decision.audit_annotations[AUDIT_VIOLATIONS_ANNOTATION] = (
                f'would violate PodSecurity "{policy.audit}": {audit.forbidden_detail()}')
        if decision.allowed:  # no warnings on a request refused anyway
            warn = result_for(policy.warn)
            if not warn.allowed:
                decision.warnings.append(
                    f'would violate PodSecurity "{policy.warn}": {warn.forbidden_detail()}')
        return decision


def _aggregate_errors(errors: list[LabelError]) -> str:
    """As apimachinery aggregates field errors: one alone, several in brackets."""
    texts = [str(e) for e in errors]
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
