# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The baseline checks of the Pod Security Standards: each takes the pod's metadata and
spec (plain dicts, as on the wire) and words what it forbids as upstream does."""
from __future__ import annotations

from kybernetes.podsecurity.results import (ALLOWED, CheckResult, containers,
                                            containers_phrase, forbidden, go_quote,
                                            join_quote, named_setters, pluralize,
                                            security_context)

# --------------------------------------------------------------------- hostProcess


def windows_host_process(meta: dict, spec: dict) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec)
           if (security_context(c).get("windowsOptions") or {}).get("hostProcess") is True]
    pod_bad = (security_context(spec).get("windowsOptions") or {}).get("hostProcess") is True
    setters = named_setters(pod_bad, bad)
    if setters:
        return forbidden("hostProcess", f"{' and '.join(setters)} must not set "
                                        "securityContext.windowsOptions.hostProcess=true")
    return ALLOWED

# --------------------------------------------------------------------- host namespaces


def host_namespaces(meta: dict, spec: dict) -> CheckResult:
    shared = [f"{field}=true" for field in ("hostNetwork", "hostPID", "hostIPC")
              if spec.get(field) is True]
    return forbidden("host namespaces", ", ".join(shared)) if shared else ALLOWED

# --------------------------------------------------------------------- privileged


def privileged(meta: dict, spec: dict) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("privileged") is True]
    if bad:
        return forbidden("privileged", f"{containers_phrase(bad)} must not set "
                                       "securityContext.privileged=true")
    return ALLOWED

# --------------------------------------------------------------------- capabilities

BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})


def capabilities_baseline(meta: dict, spec: dict) -> CheckResult:
    bad: list[str] = []
    extra: set[str] = set()
    for container in containers(spec):
        added = (security_context(container).get("capabilities") or {}).get("add") or []
        beyond = [str(c) for c in added if c not in BASELINE_CAPABILITIES]
        if beyond:
            bad.append(container.get("name", ""))
            extra.update(beyond)
    if bad:
        return forbidden("non-default capabilities",
                         f"{containers_phrase(bad)} must not include {join_quote(sorted(extra))} "
                         "in securityContext.capabilities.add")
    return ALLOWED

# --------------------------------------------------------------------- hostPath volumes


def host_path_volumes(meta: dict, spec: dict) -> CheckResult:
    bad = [v.get("name", "") for v in spec.get("volumes") or []
           if isinstance(v, dict) and v.get("hostPath") is not None]
    if bad:
        return forbidden("hostPath volumes",
                         f"{pluralize('volume', 'volumes', len(bad))} {join_quote(bad)}")
    return ALLOWED

# --------------------------------------------------------------------- hostPorts


def host_ports(meta: dict, spec: dict) -> CheckResult:
    bad: list[str] = []
    ports: set[str] = set()
    for container in containers(spec):
        used = [str(p.get("hostPort")) for p in container.get("ports") or []
                if isinstance(p, dict) and p.get("hostPort")]
        if used:
            bad.append(container.get("name", ""))
            ports.update(used)
    if bad:
        return forbidden("hostPort", " ".join([
            containers_phrase(bad), pluralize("uses", "use", len(bad)),
            pluralize("hostPort", "hostPorts", len(ports)), ", ".join(sorted(ports))]))
    return ALLOWED

# --------------------------------------------------------------------- AppArmor

APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def _allowed_apparmor_annotation(value: str) -> bool:
    return value in ("", "runtime/default") or value.startswith("localhost/")


def app_armor_profile(meta: dict, spec: dict) -> CheckResult:
    bad_values: set[str] = set()
    pod_profile = security_context(spec).get("appArmorProfile")
    pod_bad = isinstance(pod_profile, dict) and \
        pod_profile.get("type") not in ("RuntimeDefault", "Localhost")
    if pod_bad:
        bad_values.add(str(pod_profile.get("type", "")))
    bad: list[str] = []
    for container in containers(spec):
        profile = security_context(container).get("appArmorProfile")
        if isinstance(profile, dict) and profile.get("type") not in ("RuntimeDefault", "Localhost"):
            bad.append(container.get("name", ""))
            bad_values.add(str(profile.get("type", "")))
    setters = named_setters(pod_bad, bad)
    annotations = sorted(f"{key}={go_quote(str(value))}"
                         for key, value in (meta.get("annotations") or {}).items()
                         if key.startswith(APPARMOR_ANNOTATION_PREFIX)
                         and not _allowed_apparmor_annotation(str(value)))
    values = sorted(bad_values) + annotations
    if annotations:
        setters.append(pluralize("annotation", "annotations", len(annotations)))
    if setters:
        return forbidden(
            pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(values)),
            f"{' and '.join(setters)} must not set AppArmor profile type to {join_quote(values)}")
    return ALLOWED

# --------------------------------------------------------------------- SELinux

SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}


def se_linux_options(allowed_types: frozenset[str]):
    def check(meta: dict, spec: dict) -> CheckResult:
        bad_types: set[str] = set()
        flags = {"user": False, "role": False}

        def valid(options: dict) -> bool:
            ok = True
            kind = options.get("type") or ""
            if kind not in allowed_types:
                ok = False
                bad_types.add(kind)
            for key in ("user", "role"):
                if options.get(key):
                    ok = False
                    flags[key] = True
            return ok

        pod_options = security_context(spec).get("seLinuxOptions")
        pod_bad = isinstance(pod_options, dict) and not valid(pod_options)
        bad = []
        for container in containers(spec):
            options = security_context(container).get("seLinuxOptions")
            if isinstance(options, dict) and not valid(options):
                bad.append(container.get("name", ""))
        setters = named_setters(pod_bad, bad)
        if not setters:
            return ALLOWED
        data = []
        if bad_types:
            data.append(f"{pluralize('type', 'types', len(bad_types))} "
                        f"{join_quote(sorted(bad_types))}")
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        return forbidden("seLinuxOptions", f"{' and '.join(setters)} set forbidden "
                                           f"securityContext.seLinuxOptions: {'; '.join(data)}")
    return check

# --------------------------------------------------------------------- /proc mount


def proc_mount(meta: dict, spec: dict) -> CheckResult:
    bad: list[str] = []
    kinds: set[str] = set()
    for container in containers(spec):
        mount = security_context(container).get("procMount")
        if mount is not None and mount != "Default":
            bad.append(container.get("name", ""))
            kinds.add(str(mount))
    if bad:
        return forbidden("procMount", f"{containers_phrase(bad)} must not set "
                                      f"securityContext.procMount to {join_quote(sorted(kinds))}")
    return ALLOWED

# --------------------------------------------------------------------- seccomp

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def valid_seccomp_type(kind: object) -> bool:
    return kind in ("Localhost", "RuntimeDefault")


def _valid_seccomp_annotation(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def seccomp_baseline_annotations(meta: dict, spec: dict) -> CheckResult:
    """Policy versions before 1.19 look at the alpha annotations."""
    annotations = meta.get("annotations") or {}
    bad: set[str] = set()
    keys = [SECCOMP_POD_ANNOTATION] + [SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.get("name", "")
                                       for c in containers(spec)]
    for key in keys:
        if key in annotations and not _valid_seccomp_annotation(str(annotations[key])):
            bad.add(f"{key}={go_quote(str(annotations[key]))}")
    if bad:
        return forbidden("seccompProfile", f"forbidden {pluralize('annotation', 'annotations', len(bad))} "
                                           f"{', '.join(sorted(bad))}")
    return ALLOWED


def seccomp_baseline(meta: dict, spec: dict) -> CheckResult:
    bad_values: set[str] = set()
    pod_profile = security_context(spec).get("seccompProfile")
    pod_bad = isinstance(pod_profile, dict) and not valid_seccomp_type(pod_profile.get("type"))
    if pod_bad:
        bad_values.add(str(pod_profile.get("type", "")))
    bad: list[str] = []
    for container in containers(spec):
        profile = security_context(container).get("seccompProfile")
        if isinstance(profile, dict) and not valid_seccomp_type(profile.get("type")):
            bad.append(container.get("name", ""))
            bad_values.add(str(profile.get("type", "")))
    setters = named_setters(pod_bad, bad)
    if setters:
        return forbidden("seccompProfile", f"{' and '.join(setters)} must not set "
                                           "securityContext.seccompProfile.type to "
                                           f"{join_quote(sorted(bad_values))}")
    return ALLOWED

# --------------------------------------------------------------------- sysctls

SAFE_SYSCTLS_1_0 = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"})
SAFE_SYSCTLS_1_27 = SAFE_SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SAFE_SYSCTLS_1_29 = SAFE_SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes"}
SAFE_SYSCTLS_1_32 = SAFE_SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


def sysctls(allowed: frozenset[str]):
    def check(meta: dict, spec: dict) -> CheckResult:
        bad = [str(s.get("name", "")) for s in security_context(spec).get("sysctls") or []
               if isinstance(s, dict) and s.get("name") not in allowed]
        return forbidden("forbidden sysctls", ", ".join(bad)) if bad else ALLOWED
    return check
