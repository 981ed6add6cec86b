# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Checks for the smaller kinds: autoscaling, policy, scheduling, coordination, events,
certificates, admission webhooks, storage and node classes."""
from __future__ import annotations

from .errors import Cause, invalid, not_supported, required
from .meta import is_dns1123_subdomain, validate_label_selector, validate_nonnegative


def validate_hpa(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    ref = spec.get("scaleTargetRef") or {}
    if not ref.get("kind"):
        causes.append(required("spec.scaleTargetRef.kind"))
    if not ref.get("name"):
        causes.append(required("spec.scaleTargetRef.name"))
    min_replicas = spec.get("minReplicas")
    if isinstance(min_replicas, int) and min_replicas < 1:
        causes.append(invalid("spec.minReplicas", min_replicas,
                              "must be greater than or equal to 1"))
    max_replicas = spec.get("maxReplicas")
    if not isinstance(max_replicas, int) or max_replicas < 1:
        causes.append(invalid("spec.maxReplicas", max_replicas if max_replicas is not None else 0,
                              "must be greater than 0"))
    elif isinstance(min_replicas, int) and max_replicas < min_replicas:
        causes.append(invalid("spec.maxReplicas", max_replicas,
                              "must be greater than or equal to `minReplicas`"))
    target = spec.get("targetCPUUtilizationPercentage")
    if isinstance(target, int) and target < 1:
        causes.append(invalid("spec.targetCPUUtilizationPercentage", target,
                              "must be greater than 0"))
    return causes


def validate_pdb(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        causes.append(invalid("spec", "", "minAvailable and maxUnavailable cannot be both set"))
    from .apps import validate_int_or_percent
    for field in ("minAvailable", "maxUnavailable"):
        if spec.get(field) is not None:
            causes.extend(validate_int_or_percent(spec[field], f"spec.{field}"))
    causes.extend(validate_label_selector(spec.get("selector"), "spec.selector"))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        causes.append(not_supported("spec.unhealthyPodEvictionPolicy", policy,
                                    ("AlwaysAllow", "IfHealthyBudget")))
    return causes


def validate_priority_class(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    name = (obj.get("metadata") or {}).get("name", "")
    value = obj.get("value")
    if name.startswith("system-") and name not in ("system-cluster-critical",
                                                   "system-node-critical"):
        causes.append(invalid("metadata.name", name, "priority class names with 'system-' "
                              "prefix are reserved for system use only"))
    if isinstance(value, int) and value > 1_000_000_000 and not name.startswith("system-"):
        causes.append(forbidden_value(value))
    policy = obj.get("preemptionPolicy")
    if policy is not None and policy not in ("PreemptLowerPriority", "Never"):
        causes.append(not_supported("preemptionPolicy", policy, ("Never", "PreemptLowerPriority")))
    if old is not None:
        if value != old.get("value"):
            causes.append(invalid("value", value, "field is immutable"))
        if obj.get("preemptionPolicy") != old.get("preemptionPolicy"):
            causes.append(invalid("preemptionPolicy", obj.get("preemptionPolicy"),
                                  "field is immutable"))
    return causes


def forbidden_value(value) -> Cause:
    from .errors import forbidden
    return forbidden("value", "maximum allowed value of a user defined priority is 1000000000")


def validate_lease(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_nonnegative("spec.leaseTransitions", spec.get("leaseTransitions"))
    duration = spec.get("leaseDurationSeconds")
    if isinstance(duration, int) and duration <= 0:
        causes.append(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    return causes


def validate_events_event(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    if not obj.get("eventTime"):
        causes.append(required("eventTime"))
    if obj.get("type") not in ("Normal", "Warning"):
        causes.append(not_supported("type", obj.get("type", ""), ("Normal", "Warning")))
    if not obj.get("reportingController"):
        causes.append(required("reportingController"))
    if not obj.get("reportingInstance"):
        causes.append(required("reportingInstance"))
    if not obj.get("action"):
        causes.append(required("action"))
    if not obj.get("reason"):
        causes.append(required("reason"))
    return causes


def validate_csr(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    if not spec.get("request"):
        causes.append(required("spec.request"))
    if not spec.get("signerName"):
        causes.append(required("spec.signerName"))
    elif "/" not in spec["signerName"]:
        causes.append(invalid("spec.signerName", spec["signerName"],
                              "must be a fully qualified domain and path of the form "
                              "'example.com/signer-name'"))
    if not spec.get("usages"):
        causes.append(required("spec.usages"))
    seconds = spec.get("expirationSeconds")
    if isinstance(seconds, int) and seconds < 600:
        causes.append(invalid("spec.expirationSeconds", seconds, "may not specify a duration "
                              "less than 600 seconds (10 minutes)"))
    return causes


def _validate_webhooks(obj: dict, mutating: bool) -> list[Cause]:
    from .admissionregistration import validate_webhook_configuration
    return validate_webhook_configuration(obj, mutating)


def validate_storage_class(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    provisioner = obj.get("provisioner", "")
    if not provisioner:
        causes.append(required("provisioner"))
    else:
        causes.extend(invalid("provisioner", provisioner, m)
                      for m in is_dns1123_subdomain(provisioner.lower().replace("/", ".")))
    policy = obj.get("reclaimPolicy")
    if policy is not None and policy not in ("Delete", "Retain"):
        causes.append(not_supported("reclaimPolicy", policy, ("Delete", "Retain")))
    mode = obj.get("volumeBindingMode")
    if mode is not None and mode not in ("Immediate", "WaitForFirstConsumer"):
        causes.append(not_supported("volumeBindingMode", mode, ("Immediate", "WaitForFirstConsumer")))
    if old is not None:
        for field in ("parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"):
            if obj.get(field) != old.get(field):
                detail = ("updates to parameters are forbidden." if field == "parameters"
                          else "field is immutable")
                from .errors import forbidden
                causes.append(forbidden(field, detail) if field == "parameters"
                              else invalid(field, obj.get(field), detail))
    return causes


def validate_runtime_class(obj: dict, old: dict | None) -> list[Cause]:
    handler = obj.get("handler", "")
    if not handler:
        return [required("handler")]
    from .meta import is_dns1123_label
    causes = [invalid("handler", handler, m) for m in is_dns1123_label(handler)]
    if old is not None and handler != old.get("handler"):
        causes.append(invalid("handler", handler, "field is immutable"))
    return causes


OTHER_VALIDATORS = {
    ("autoscaling", "HorizontalPodAutoscaler"): validate_hpa,
    ("policy", "PodDisruptionBudget"): validate_pdb,
    ("scheduling.k8s.io", "PriorityClass"): validate_priority_class,
    ("coordination.k8s.io", "Lease"): validate_lease,
    ("events.k8s.io", "Event"): validate_events_event,
    ("certificates.k8s.io", "CertificateSigningRequest"): validate_csr,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"):
        lambda obj, old: _validate_webhooks(obj, True),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"):
        lambda obj, old: _validate_webhooks(obj, False),
    ("storage.k8s.io", "StorageClass"): validate_storage_class,
    ("node.k8s.io", "RuntimeClass"): validate_runtime_class,
}
