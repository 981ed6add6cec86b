# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Checks for apps/v1 workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet."""
from __future__ import annotations

import re

from .errors import Cause, forbidden, immutable, invalid, join, not_supported, required
from .meta import (label_selector_repr, selector_matches, validate_label_selector,
                   validate_nonnegative)
from .pods import validate_pod_template

_PERCENT_RE = re.compile(r"^[0-9]+%$")


def validate_selector_and_template(spec: dict, path: str, kind_word: str,
                                   allowed_restart: tuple[str, ...] = ("Always",)) -> list[Cause]:
    """A workload's selector (required, non-empty, matching its template's labels) and template."""
    causes: list[Cause] = []
    selector = spec.get("selector")
    spath = join(path, "selector")
    if selector is None:
        causes.append(required(spath))
    else:
        causes.extend(validate_label_selector(selector, spath))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            causes.append(invalid(spath, label_selector_repr(selector),
                                  f"empty selector is invalid for {kind_word}"))
    template = spec.get("template")
    tpath = join(path, "template")
    if template is None:
        causes.append(required(tpath))
        return causes
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector and (selector.get("matchLabels") or selector.get("matchExpressions")) \
            and not selector_matches(selector, labels):
        causes.append(invalid(join(tpath, "metadata.labels"), labels,
                              "`selector` does not match template `labels`"))
    causes.extend(validate_pod_template(template, tpath))
    restart = (template.get("spec") or {}).get("restartPolicy")
    if restart and restart not in allowed_restart:
        causes.append(not_supported(join(tpath, "spec.restartPolicy"), restart, allowed_restart))
    if (template.get("spec") or {}).get("activeDeadlineSeconds") is not None:
        causes.append(invalid(join(tpath, "spec.activeDeadlineSeconds"),
                              template["spec"]["activeDeadlineSeconds"],
                              "activeDeadlineSeconds in ReplicaSet is not Supported"))
    return causes


def validate_int_or_percent(value, path: str) -> list[Cause]:
    if isinstance(value, str):
        if not _PERCENT_RE.match(value):
            return [invalid(path, value, "a valid percent string must be a numeric string "
                            "followed by an ending '%' (e.g. '1%',  or '93%', regex used for "
                            "validation is '[0-9]+%')")]
        if int(value[:-1]) > 100:
            return [invalid(path, value, "must not be greater than 100%")]
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return validate_nonnegative(path, value)
    return [invalid(path, value, "must be an integer or percentage (e.g '5%')")]


def _is_zero(value) -> bool:
    return value in (0, "0%") or value is None


def _selector_immutable(obj: dict, old: dict | None) -> list[Cause]:
    if old is None:
        return []
    new_selector = (obj.get("spec") or {}).get("selector")
    if new_selector != (old.get("spec") or {}).get("selector"):
        return [immutable("spec.selector", label_selector_repr(new_selector))]
    return []


def validate_deployment(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(validate_selector_and_template(spec, "spec", "deployment"))
    strategy = spec.get("strategy") or {}
    stype = strategy.get("type", "")
    if stype not in ("Recreate", "RollingUpdate"):
        causes.append(not_supported("spec.strategy.type", stype, ("Recreate", "RollingUpdate"))
                      if stype else required("spec.strategy.type"))
    rolling = strategy.get("rollingUpdate")
    if stype == "Recreate" and rolling is not None:
        causes.append(forbidden("spec.strategy.rollingUpdate",
                                "may not be specified when strategy `type` is 'Recreate'"))
    if stype == "RollingUpdate" and rolling is not None:
        rpath = "spec.strategy.rollingUpdate"
        causes.extend(validate_int_or_percent(rolling.get("maxUnavailable"), rpath + ".maxUnavailable"))
        causes.extend(validate_int_or_percent(rolling.get("maxSurge"), rpath + ".maxSurge"))
        if _is_zero(rolling.get("maxUnavailable")) and _is_zero(rolling.get("maxSurge")):
            causes.append(invalid(rpath + ".maxUnavailable", rolling.get("maxUnavailable", 0),
                                  "may not be 0 when `maxSurge` is 0"))
    causes.extend(validate_nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit")))
    causes.extend(validate_nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        causes.extend(validate_nonnegative("spec.progressDeadlineSeconds", deadline))
        if isinstance(deadline, int) and deadline <= (spec.get("minReadySeconds") or 0):
            causes.append(invalid("spec.progressDeadlineSeconds", deadline,
                                  "must be greater than minReadySeconds"))
    causes.extend(_selector_immutable(obj, old))
    return causes


def validate_replica_set(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(validate_nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    causes.extend(validate_selector_and_template(spec, "spec", "deployment"))
    causes.extend(_selector_immutable(obj, old))
    return causes


STATEFULSET_UPDATABLE = ("'replicas', 'ordinals', 'template', 'updateStrategy', "
                         "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds'")


def validate_stateful_set(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_nonnegative("spec.replicas", spec.get("replicas"))
    policy = spec.get("podManagementPolicy", "")
    if policy not in ("OrderedReady", "Parallel"):
        causes.append(not_supported("spec.podManagementPolicy", policy, ("OrderedReady", "Parallel"))
                      if policy else required("spec.podManagementPolicy", ""))
    strategy = spec.get("updateStrategy") or {}
    stype = strategy.get("type", "")
    if stype not in ("OnDelete", "RollingUpdate"):
        causes.append(not_supported("spec.updateStrategy.type", stype, ("OnDelete", "RollingUpdate"))
                      if stype else required("spec.updateStrategy", ""))
    if stype == "OnDelete" and strategy.get("rollingUpdate") is not None:
        causes.append(invalid("spec.updateStrategy.rollingUpdate", "OnDelete",
                              "only allowed for updateStrategy 'RollingUpdate'"))
    partition = (strategy.get("rollingUpdate") or {}).get("partition")
    causes.extend(validate_nonnegative("spec.updateStrategy.rollingUpdate.partition", partition))
    for field in ("whenDeleted", "whenScaled"):
        value = (spec.get("persistentVolumeClaimRetentionPolicy") or {}).get(field)
        if value is not None and value not in ("Retain", "Delete"):
            causes.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{field}",
                                        value, ("Retain", "Delete")))
    causes.extend(validate_selector_and_template(spec, "spec", "statefulset"))
    if spec.get("serviceName"):
        from .meta import validate_dns1123_label
        causes.extend(validate_dns1123_label("spec.serviceName", spec["serviceName"]))
    if old is not None:
        new_rest, old_rest = dict(spec), dict(old.get("spec") or {})
        for field in ("replicas", "ordinals", "template", "updateStrategy",
                      "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
                      "revisionHistoryLimit"):
            new_rest.pop(field, None)
            old_rest.pop(field, None)
        if new_rest != old_rest:
            causes.append(forbidden("spec", "updates to statefulset spec for fields other than "
                                    f"{STATEFULSET_UPDATABLE} are forbidden"))
    return causes


def validate_daemon_set(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_selector_and_template(spec, "spec", "daemonset")
    strategy = spec.get("updateStrategy") or {}
    stype = strategy.get("type", "")
    if stype not in ("OnDelete", "RollingUpdate"):
        causes.append(not_supported("spec.updateStrategy.type", stype, ("OnDelete", "RollingUpdate"))
                      if stype else required("spec.updateStrategy.type"))
    rolling = strategy.get("rollingUpdate")
    if stype == "RollingUpdate" and rolling is not None:
        rpath = "spec.updateStrategy.rollingUpdate"
        causes.extend(validate_int_or_percent(rolling.get("maxUnavailable"), rpath + ".maxUnavailable"))
        causes.extend(validate_int_or_percent(rolling.get("maxSurge"), rpath + ".maxSurge"))
        if _is_zero(rolling.get("maxUnavailable")) and _is_zero(rolling.get("maxSurge")):
            causes.append(invalid(rpath + ".maxUnavailable", rolling.get("maxUnavailable", 0),
                                  "may not be 0 when `maxSurge` is 0"))
    causes.extend(validate_nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    causes.extend(_selector_immutable(obj, old))
    return causes


APPS_VALIDATORS = {
    "Deployment": validate_deployment,
    "ReplicaSet": validate_replica_set,
    "StatefulSet": validate_stateful_set,
    "DaemonSet": validate_daemon_set,
}
