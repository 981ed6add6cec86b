# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod sysctls (spec.securityContext.sysctls) as upstream's kubelet admits them; pure.

A sysctl is allowed when it is one of the safe, namespaced sysctls of Kubernetes 1.32
or matches the kubelet's --allowed-unsafe-sysctls (exact names or `prefix.*`); a
net.* sysctl is refused for a hostNetwork pod and an IPC one for a hostIPC pod, since
it would change the node. A refused pod fails with reason SysctlForbidden.
"""
from __future__ import annotations

FORBIDDEN_REASON = "SysctlForbidden"

# Kubernetes 1.32's safe set (each needs at least the kernel version beside it)
SAFE_SYSCTLS: dict[str, tuple[int, int]] = {
    "kernel.shm_rmid_forced": (0, 0),
    "net.ipv4.ip_local_port_range": (0, 0),
    "net.ipv4.tcp_syncookies": (0, 0),
    "net.ipv4.ping_group_range": (0, 0),
    "net.ipv4.ip_unprivileged_port_start": (0, 0),
    "net.ipv4.ip_local_reserved_ports": (3, 16),
    "net.ipv4.tcp_keepalive_time": (4, 5),
    "net.ipv4.tcp_fin_timeout": (4, 6),
    "net.ipv4.tcp_keepalive_intvl": (4, 5),
    "net.ipv4.tcp_keepalive_probes": (4, 5),
    "net.ipv4.tcp_rmem": (4, 15),
    "net.ipv4.tcp_wmem": (4, 15),
}

IPC_SYSCTLS = ("kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
               "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem")
IPC_PREFIXES = ("fs.mqueue.",)
NET_PREFIXES = ("net.",)


def dotted(name: str) -> str:
    """A sysctl name with '/' separators in the usual dotted form; dots inside a part
    (an interface name like eth0.100) become slashes, as upstream converts them."""
    if "/" not in name.lstrip("/"):
        return name
    return name.replace(".", "\0").replace("/", ".").replace("\0", "/").lstrip(".")


def namespace_of(name: str) -> str:
    """"net", "ipc" or "" (not namespaced: it would change the whole node)."""
    if name.startswith(NET_PREFIXES):
        return "net"
    if name in IPC_SYSCTLS or name.startswith(IPC_PREFIXES):
        return "ipc"
    return ""


def kernel_release(text: str) -> tuple[int, int]:
    """(major, minor) from a uname release such as 6.1.0-18-amd64."""
    parts = text.split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return 0, 0


def safe_sysctls(kernel: tuple[int, int]) -> set[str]:
    return {name for name, needed in SAFE_SYSCTLS.items() if kernel >= needed}


def _allowlisted(name: str, allowed: set[str], unsafe_patterns: list[str]) -> bool:
    if name in allowed:
        return True
    for pattern in unsafe_patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif dotted(pattern) == name:
            return True
    return False


def validate_unsafe_patterns(patterns: list[str]) -> None:
    """--allowed-unsafe-sysctls entries must be namespaced sysctls (or `prefix.*` of
    them); raises ValueError naming the first that is not."""
    for pattern in patterns:
        name = dotted(pattern)
        if name.endswith("*"):
            prefix = name[:-1]
            if not (prefix.startswith(NET_PREFIXES) or prefix.startswith(IPC_PREFIXES)
                    or any(s.startswith(prefix) for s in IPC_SYSCTLS)):
                raise ValueError(f'the sysctls "{pattern}" are not known to be namespaced')
        elif not namespace_of(name):
            raise ValueError(f'the sysctl "{pattern}" are not known to be namespaced')


def sysctl_rejection(pod: dict, unsafe_patterns: list[str] = (),
                     kernel: tuple[int, int] = (99, 0)) -> tuple[str, str] | None:
    """None when the kubelet admits the pod's sysctls; else (reason, message) for its
    Failed status, as upstream's sysctl admission handler words them."""
    spec = pod.get("spec") or {}
    allowed = safe_sysctls(kernel)
    for entry in (spec.get("securityContext") or {}).get("sysctls") or []:
        name = dotted(str(entry.get("name", "")))
        problem = ""
        if not _allowlisted(name, allowed, list(unsafe_patterns)):
            problem = f'"{name}" not allowlisted'
        elif namespace_of(name) == "net" and spec.get("hostNetwork"):
            problem = f'"{name}" not allowed with host net enabled'
        elif namespace_of(name) == "ipc" and spec.get("hostIPC"):
            problem = f'"{name}" not allowed with host ipc enabled'
        if problem:
            return FORBIDDEN_REASON, f"Pod was rejected: forbidden sysctl: {problem}"
    return None
