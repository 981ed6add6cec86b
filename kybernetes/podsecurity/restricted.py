# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The restricted checks of the Pod Security Standards (on top of the baseline ones)."""
from __future__ import annotations

from kybernetes.podsecurity.baseline import valid_seccomp_type
from kybernetes.podsecurity.results import (ALLOWED, CheckFn, CheckResult, containers,
                                            containers_phrase, forbidden, is_windows,
                                            join_quote, named_setters, pluralize,
                                            security_context)

# --------------------------------------------------------------------- volume types

ALLOWED_VOLUME_SOURCES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                          "persistentVolumeClaim", "projected", "secret")
# the sources the restricted level refuses, in upstream's order, by their JSON names
RESTRICTED_VOLUME_SOURCES = (
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
    "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
    "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
    "scaleIO", "storageos")


def restricted_volumes(meta: dict, spec: dict) -> CheckResult:
    bad: list[str] = []
    kinds: set[str] = set()
    for volume in spec.get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        if any(volume.get(source) is not None for source in ALLOWED_VOLUME_SOURCES):
            continue
        bad.append(volume.get("name", ""))
        kinds.add(next((s for s in RESTRICTED_VOLUME_SOURCES if volume.get(s) is not None),
                       "unknown"))
    if bad:
        return forbidden("restricted volume types", " ".join([
            pluralize("volume", "volumes", len(bad)), join_quote(bad),
            pluralize("uses", "use", len(bad)),
            pluralize("restricted volume type", "restricted volume types", len(kinds)),
            join_quote(sorted(kinds))]))
    return ALLOWED

# --------------------------------------------------------------------- privilege escalation


def allow_privilege_escalation_1_8(meta: dict, spec: dict) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("allowPrivilegeEscalation") is not False]
    if bad:
        return forbidden("allowPrivilegeEscalation != false",
                         f"{containers_phrase(bad)} must set "
                         "securityContext.allowPrivilegeEscalation=false")
    return ALLOWED


def windows_exempt(check: CheckFn) -> CheckFn:
    """From policy v1.25 a pod with spec.os.name=windows is exempt (API validation
    already refuses these Linux-only fields on it)."""
    def exempted(meta: dict, spec: dict) -> CheckResult:
        return ALLOWED if is_windows(spec) else check(meta, spec)
    exempted.__name__ = check.__name__ + "_1_25"
    return exempted

# --------------------------------------------------------------------- run as non-root


def run_as_non_root(meta: dict, spec: dict) -> CheckResult:
    pod_value = security_context(spec).get("runAsNonRoot")
    pod_bad = pod_value is False
    pod_non_root = pod_value is True
    explicit: list[str] = []
    implicit: list[str] = []
    for container in containers(spec):
        value = security_context(container).get("runAsNonRoot")
        if value is not None:
            if value is False:
                explicit.append(container.get("name", ""))
        elif not pod_non_root:
            implicit.append(container.get("name", ""))
    setters = named_setters(pod_bad, explicit)
    if setters:
        return forbidden("runAsNonRoot != true", f"{' and '.join(setters)} must not set "
                                                 "securityContext.runAsNonRoot=false")
    if implicit:
        return forbidden("runAsNonRoot != true", f"pod or {containers_phrase(implicit)} must set "
                                                 "securityContext.runAsNonRoot=true")
    return ALLOWED

# --------------------------------------------------------------------- run as user


def _is_root(value: object) -> bool:
    return type(value) is int and value == 0


def run_as_user(meta: dict, spec: dict) -> CheckResult:
    pod_bad = _is_root(security_context(spec).get("runAsUser"))
    bad = [c.get("name", "") for c in containers(spec)
           if _is_root(security_context(c).get("runAsUser"))]
    setters = named_setters(pod_bad, bad)
    if setters:
        return forbidden("runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0")
    return ALLOWED

# --------------------------------------------------------------------- seccomp


def seccomp_restricted(meta: dict, spec: dict) -> CheckResult:
    bad_values: set[str] = set()
    pod_profile = security_context(spec).get("seccompProfile")
    pod_bad = pod_set = False
    if isinstance(pod_profile, dict):
        if valid_seccomp_type(pod_profile.get("type")):
            pod_set = True
        else:
            pod_bad = True
            bad_values.add(str(pod_profile.get("type", "")))
    explicit: list[str] = []
    implicit: list[str] = []
    for container in containers(spec):
        profile = security_context(container).get("seccompProfile")
        if isinstance(profile, dict):
            if not valid_seccomp_type(profile.get("type")):
                explicit.append(container.get("name", ""))
                bad_values.add(str(profile.get("type", "")))
        elif not pod_set:
            implicit.append(container.get("name", ""))
    setters = named_setters(pod_bad, explicit)
    if setters:
        return forbidden("seccompProfile", f"{' and '.join(setters)} must not set "
                                           "securityContext.seccompProfile.type to "
                                           f"{join_quote(sorted(bad_values))}")
    if implicit:
        return forbidden("seccompProfile", f"pod or {containers_phrase(implicit)} must set "
                                           'securityContext.seccompProfile.type to '
                                           '"RuntimeDefault" or "Localhost"')
    return ALLOWED

# --------------------------------------------------------------------- capabilities


def capabilities_restricted(meta: dict, spec: dict) -> CheckResult:
    missing_drop: list[str] = []
    adding: list[str] = []
    extra: set[str] = set()
    for container in containers(spec):
        capabilities = security_context(container).get("capabilities")
        if not isinstance(capabilities, dict):
            missing_drop.append(container.get("name", ""))
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing_drop.append(container.get("name", ""))
        beyond = [str(c) for c in capabilities.get("add") or [] if c != "NET_BIND_SERVICE"]
        if beyond:
            adding.append(container.get("name", ""))
            extra.update(beyond)
    details = []
    if missing_drop:
        details.append(f'{containers_phrase(missing_drop)} must set '
                       'securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(f"{containers_phrase(adding)} must not include "
                       f"{join_quote(sorted(extra))} in securityContext.capabilities.add")
    return forbidden("unrestricted capabilities", "; ".join(details)) if details else ALLOWED
