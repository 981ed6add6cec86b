# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The parts of a container's CRI config that come from its spec alone: the user it
runs as, its cgroup resources and its security settings (pure functions)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kybernetes.api.quantity import parse_quantity
from kybernetes.kubelet.sysctls import dotted

if TYPE_CHECKING:
    from kybernetes.kubelet.cri import Resources

MIN_SHARES = 2
SHARES_PER_CPU = 1024
QUOTA_PERIOD = 100_000
MIN_QUOTA = 1000
GUARANTEED_OOM_SCORE_ADJ = -997
BEST_EFFORT_OOM_SCORE_ADJ = 1000


class ConfigError(Exception):
    """CreateContainerConfigError (or CreateContainerError when `reason` says so)."""

    def __init__(self, message: str, reason: str = "CreateContainerConfigError") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _milli(value: object) -> int:
    return int(-(-parse_quantity(value) * 1000 // 1))


def container_resources(container: dict, qos_class: str, memory_capacity: int) -> "Resources":
    """cpu shares from requests (upstream's MilliCPUToShares), quota from limits, the
    memory limit, and the OOM score adjustment of the pod's QoS class."""
    from kybernetes.kubelet.cri import Resources
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    cpu_request = requests.get("cpu", limits.get("cpu"))
    shares = MIN_SHARES
    if cpu_request is not None:
        shares = max(MIN_SHARES, _milli(cpu_request) * SHARES_PER_CPU // 1000)
    quota = 0
    if limits.get("cpu") is not None:
        quota = max(MIN_QUOTA, _milli(limits["cpu"]) * QUOTA_PERIOD // 1000)
    memory = int(parse_quantity(limits["memory"])) if limits.get("memory") is not None else 0
    if qos_class == "Guaranteed":
        oom = GUARANTEED_OOM_SCORE_ADJ
    elif qos_class == "BestEffort":
        oom = BEST_EFFORT_OOM_SCORE_ADJ
    else:
        request = int(parse_quantity(requests.get("memory", "0")))
        oom = 1000 - (1000 * request) // memory_capacity if memory_capacity else 999
        oom = min(max(oom, 2), 999)
    return Resources(cpu_shares=shares, cpu_quota=quota, cpu_period=QUOTA_PERIOD,
                     memory_limit=memory, oom_score_adj=oom)


def qos_class(pod: dict) -> str:
    """status.qosClass, or computed as upstream's GetPodQOS when the API has not set it."""
    given = (pod.get("status") or {}).get("qosClass")
    if given:
        return given
    spec = pod.get("spec") or {}
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    requests_seen = limits_seen = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for name in ("cpu", "memory"):
            if name in requests or name in limits:
                requests_seen = True
            if name in limits:
                limits_seen = True
            if name not in limits or (name in requests and parse_quantity(requests[name]) !=
                                      parse_quantity(limits[name])):
                guaranteed = False
    if not requests_seen and not limits_seen:
        return "BestEffort"
    return "Guaranteed" if guaranteed and limits_seen else "Burstable"


def _read_db(layers: list[Path], name: str) -> str:
    for layer in reversed(layers):  # the topmost layer that has the file wins
        candidate = layer / "etc" / name
        if candidate.is_file():
            try:
                return candidate.read_text(errors="replace")
            except OSError:
                return ""
    return ""


def _lookup(text: str, name: str, field_index: int) -> tuple[int, int] | None:
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) > 3 and fields[0] == name:
            try:
                return int(fields[2]), int(fields[3]) if field_index == 3 else int(fields[2])
            except ValueError:
                return None
    return None


def image_user(user: str, layers: list[Path]) -> tuple[int, int, str]:
    """(uid, gid, name) of an image's User: "", "uid", "uid:gid", "name", "name:group";
    names are looked up in the image's /etc/passwd and /etc/group."""
    if not user:
        return 0, 0, ""
    name, _, group = user.partition(":")
    if name.isdigit():
        uid, gid = int(name), 0
        if not group:
            passwd = _read_db(layers, "passwd")
            for line in passwd.splitlines():
                fields = line.split(":")
                if len(fields) > 3 and fields[2] == name and fields[3].isdigit():
                    gid = int(fields[3])
                    break
    else:
        found = _lookup(_read_db(layers, "passwd"), name, 3)
        if found is None:
            raise ConfigError(f"unable to find user {name}: no matching entries in passwd file",
                              reason="CreateContainerError")
        uid, gid = found
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            found = _lookup(_read_db(layers, "group"), group, 2)
            if found is None:
                raise ConfigError(f"unable to find group {group}: no matching entries in group file",
                                  reason="CreateContainerError")
            gid = found[0]
    return uid, gid, "" if name.isdigit() else name


def security_settings(pod: dict, container: dict) -> dict:
    """runAsUser/runAsGroup/runAsNonRoot and the rest, container over pod."""
    pod_context = (pod.get("spec") or {}).get("securityContext") or {}
    context = container.get("securityContext") or {}

    def pick(key: str):
        return context[key] if context.get(key) is not None else pod_context.get(key)

    capabilities = context.get("capabilities") or {}
    groups = list(pod_context.get("supplementalGroups") or [])
    if pod_context.get("fsGroup") is not None:
        groups.append(pod_context["fsGroup"])
    return {"run_as_user": pick("runAsUser"), "run_as_group": pick("runAsGroup"),
            "run_as_non_root": pick("runAsNonRoot"), "privileged": bool(context.get("privileged")),
            "capabilities_add": [c.removeprefix("CAP_") for c in capabilities.get("add") or []],
            "capabilities_drop": [c.removeprefix("CAP_") for c in capabilities.get("drop") or []],
            "readonly_rootfs": bool(context.get("readOnlyRootFilesystem")),
            # only an explicit false sets no_new_privs, as upstream's kubelet decides it
            "no_new_privileges": context.get("allowPrivilegeEscalation") is False,
            "supplemental_groups": [int(g) for g in groups],
            "seccomp_profile": context.get("seccompProfile") or pod_context.get("seccompProfile"),
            "proc_mount": context.get("procMount") or "Default",
            "sysctls": {dotted(str(s.get("name", ""))): str(s.get("value", ""))
                        for s in pod_context.get("sysctls") or []}}


def additional_gids(uid: int, gid: int, groups: list[int], layers: list[Path]) -> list[int]:
    """The process's supplementary groups as containerd sets them: its primary group,
    the groups the image's /etc/group lists the user in, then the pod's
    supplementalGroups and fsGroup; each once, in that order."""
    name = ""
    for line in _read_db(layers, "passwd").splitlines():
        fields = line.split(":")
        if len(fields) > 3 and fields[2] == str(uid):
            name = fields[0]
            break
    found = [gid]
    if name:
        for line in _read_db(layers, "group").splitlines():
            fields = line.split(":")
            if len(fields) > 3 and name in fields[3].split(",") and fields[2].isdigit():
                found.append(int(fields[2]))
    found += groups
    return list(dict.fromkeys(found))


def effective_user(pod: dict, container: dict, image_config: dict, layers: list[Path]) -> tuple[int, int, list[int], dict]:
    """(uid, gid, supplemental groups, security settings), checking runAsNonRoot."""
    meta = pod.get("metadata") or {}
    settings = security_settings(pod, container)
    image_user_text = image_config.get("User") or ""
    if settings["run_as_user"] is not None:
        uid = int(settings["run_as_user"])
        gid = 0
        name = ""
        if settings["run_as_group"] is None and image_user_text:
            # the image's group still applies when only the uid is overridden
            _, _, group = image_user_text.partition(":")
            if group.isdigit():
                gid = int(group)
    else:
        uid, gid, name = image_user(image_user_text, layers)
    if settings["run_as_group"] is not None:
        gid = int(settings["run_as_group"])
    if settings["run_as_non_root"]:
        pod_text = f'"{meta.get("name", "")}_{meta.get("namespace", "")}({meta.get("uid", "")})"'
        if settings["run_as_user"] is None and name:
            raise ConfigError(f"container has runAsNonRoot and image has non-numeric user ({name}), "
                              f"cannot verify user is non-root (pod: {pod_text}, container: "
                              f"{container.get('name', '')})")
        if uid == 0:
            raise ConfigError(f"container has runAsNonRoot and image will run as root (pod: {pod_text}, "
                              f"container: {container.get('name', '')})")
    return uid, gid, settings["supplemental_groups"], settings
