# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""OCI runtime-spec (config.json) for a pod's containers and its sandbox; pure.

Defaults follow what containerd gives a Kubernetes container: its default capability
set, runc's masked and read-only paths, /proc, /dev, /dev/pts, /dev/mqueue, /sys and
the cgroup filesystem mounted, and the pod's files at /etc/hosts, /etc/resolv.conf and
/etc/hostname. `privileged` lifts all of that (every capability, every device, no
masked paths, /sys and cgroups writable), as upstream does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kybernetes.kubelet.cri import ContainerConfig, SandboxConfig

OCI_VERSION = "1.0.2-dev"

# containerd's pkg/oci default capabilities (what a pod gets without securityContext)
DEFAULT_CAPABILITIES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
]

# every capability runc 1.1 knows (privileged containers get all of them)
ALL_CAPABILITIES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
    "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
]

MASKED_PATHS = [
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware",
]
READONLY_PATHS = [
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
]

# the character devices every container may use (runc adds the nodes itself)
DEFAULT_DEVICE_RULES = [
    {"allow": False, "access": "rwm"},
    {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"},   # null
    {"allow": True, "type": "c", "major": 1, "minor": 5, "access": "rwm"},   # zero
    {"allow": True, "type": "c", "major": 1, "minor": 7, "access": "rwm"},   # full
    {"allow": True, "type": "c", "major": 1, "minor": 8, "access": "rwm"},   # random
    {"allow": True, "type": "c", "major": 1, "minor": 9, "access": "rwm"},   # urandom
    {"allow": True, "type": "c", "major": 5, "minor": 0, "access": "rwm"},   # tty
    {"allow": True, "type": "c", "major": 5, "minor": 1, "access": "rwm"},   # console
    {"allow": True, "type": "c", "major": 5, "minor": 2, "access": "rwm"},   # ptmx
    {"allow": True, "type": "c", "major": 136, "access": "rwm"},             # pts/*
]

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(slots=True)
class Namespaces:
    """Where each shared namespace lives: a /proc/<pid>/ns/... or /var/run/netns path
    to join, "" for a new one, None to stay in the host's."""
    network: str | None = ""
    ipc: str | None = ""
    uts: str | None = ""
    pid: str | None = ""
    extra: dict[str, str] = field(default_factory=dict)

    def to_spec(self) -> list[dict]:
        out = [{"type": "mount"}]
        for kind, path in (("network", self.network), ("ipc", self.ipc),
                           ("uts", self.uts), ("pid", self.pid)):
            if path is None:
                continue
            out.append({"type": kind, "path": path} if path else {"type": kind})
        return out


def capability_name(name: str) -> str:
    name = name.upper()
    return name if name.startswith("CAP_") else "CAP_" + name


def capabilities_from_mask(mask: int) -> list[str]:
    """The capabilities set in a /proc/<pid>/status mask (ALL_CAPABILITIES is in bit order)."""
    return [name for bit, name in enumerate(ALL_CAPABILITIES) if mask >> bit & 1]


def capabilities(config: ContainerConfig, host: list[str] | None = None) -> list[str]:
    """The default set plus adds minus drops; "ALL" works on both sides as upstream.
    Privileged and "ALL" mean every capability the runtime itself holds (`host`), as
    containerd gives them; a kernel or a parent without one cannot hand it on."""
    everything = list(ALL_CAPABILITIES if host is None else host)
    if config.privileged:
        return everything
    adds = [capability_name(c) for c in config.capabilities_add]
    drops = {capability_name(c) for c in config.capabilities_drop}
    caps = list(everything) if "CAP_ALL" in adds else list(DEFAULT_CAPABILITIES)
    caps += [c for c in adds if c != "CAP_ALL" and c not in caps]
    if "CAP_ALL" in drops:
        caps = [c for c in adds if c != "CAP_ALL"]
    return [c for c in caps if c not in drops]


def base_mounts(privileged: bool, shm_path: str | None) -> list[dict]:
    sys_options = ["nosuid", "noexec", "nodev"] + ([] if privileged else ["ro"])
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                     "gid=5"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": sys_options},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime",
                     "rw" if privileged else "ro"]},
    ]
    if shm_path:
        mounts.append({"destination": "/dev/shm", "type": "bind", "source": shm_path,
                       "options": ["rbind", "nosuid", "noexec", "nodev", "rw"]})
    else:
        mounts.append({"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
                       "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]})
    return mounts


def bind_mount(source: str, destination: str, readonly: bool,
               propagation: str = "private") -> dict:
    options = ["rbind", "ro" if readonly else "rw"]
    options.append(propagation if propagation in ("rslave", "rshared") else "rprivate")
    return {"destination": destination, "type": "bind", "source": source,
            "options": options}


def pod_file_mounts(sandbox: SandboxConfig) -> list[dict]:
    out = []
    for path, destination in ((sandbox.hosts_file, "/etc/hosts"),
                              (sandbox.resolv_conf, "/etc/resolv.conf"),
                              (sandbox.hostname_file, "/etc/hostname")):
        if path is not None:
            out.append(bind_mount(str(path), destination, readonly=False))
    return out


def resources(config: ContainerConfig, swap_accounting: bool = True) -> dict:
    res = config.resources
    cpu: dict = {"shares": max(2, res.cpu_shares)}
    if res.cpu_quota > 0:
        cpu["quota"] = res.cpu_quota
        cpu["period"] = res.cpu_period
    out: dict = {"cpu": cpu, "devices": [{"allow": True, "access": "rwm"}]
                 if config.privileged else list(DEFAULT_DEVICE_RULES)}
    if res.memory_limit > 0:
        out["memory"] = {"limit": res.memory_limit}
        if swap_accounting:  # no swap for the container: memory+swap == memory
            out["memory"]["swap"] = res.memory_limit
    return out


def container_spec(sandbox: SandboxConfig, config: ContainerConfig, *, rootfs: str,
                   namespaces: Namespaces, cgroups_path: str, hostname: str,
                   shm_path: str | None = None, pids_limit: int = 0,
                   min_oom_score_adj: int = -1000, swap_accounting: bool = True,
                   host_capabilities: list[str] | None = None) -> dict:
    """The config.json of one container of `sandbox`. `min_oom_score_adj` is the lowest
    score this kubelet may set (without CAP_SYS_RESOURCE, its own); `swap_accounting`
    says whether the kernel can limit memory+swap (cgroup v1 memory.memsw.*);
    `host_capabilities` are the ones the runtime holds (privileged gets them all)."""
    env = [f"{name}={value}" for name, value in config.env]
    if not any(e.startswith("PATH=") for e in env):
        env.insert(0, f"PATH={DEFAULT_PATH}")
    if config.tty and not any(e.startswith("TERM=") for e in env):
        env.append("TERM=xterm")
    if hostname and not any(e.startswith("HOSTNAME=") for e in env):
        env.append(f"HOSTNAME={hostname}")
    caps = capabilities(config, host_capabilities)
    process = {
        "terminal": config.tty,
        "user": {"uid": config.uid, "gid": config.gid,
                 "additionalGids": list(config.supplemental_groups)},
        "args": list(config.argv),
        "env": env,
        "cwd": config.working_dir or "/",
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps,
                         # containerd leaves inheritable/ambient empty (CVE-2022-24769)
                         "inheritable": [], "ambient": []},
        "noNewPrivileges": config.no_new_privileges,
        "oomScoreAdj": max(config.resources.oom_score_adj, min_oom_score_adj),
    }
    mounts = base_mounts(config.privileged, shm_path) + pod_file_mounts(sandbox)
    for m in config.mounts:
        mounts.append(bind_mount(str(m.host_path), m.container_path, m.readonly,
                                 m.propagation))
    linux_resources = resources(config, swap_accounting)
    if pids_limit > 0:
        linux_resources["pids"] = {"limit": pids_limit}
    linux: dict = {
        "resources": linux_resources,
        "cgroupsPath": cgroups_path,
        "namespaces": namespaces.to_spec(),
    }
    if not config.privileged and config.proc_mount != "Unmasked":
        linux["maskedPaths"] = list(MASKED_PATHS)
        linux["readonlyPaths"] = list(READONLY_PATHS)
    if config.seccomp is not None:
        linux["seccomp"] = config.seccomp
    if config.sysctls:
        linux["sysctl"] = dict(config.sysctls)
    if any(m.propagation in ("rslave", "rshared") for m in config.mounts):
        linux["rootfsPropagation"] = "rslave"
    spec = {
        "ociVersion": OCI_VERSION,
        "process": process,
        "root": {"path": rootfs, "readonly": config.readonly_rootfs},
        "mounts": mounts,
        "linux": linux,
        "annotations": {"io.kubernetes.pod.uid": sandbox.uid,
                        "io.kubernetes.pod.name": sandbox.name,
                        "io.kubernetes.pod.namespace": sandbox.namespace,
                        "io.kubernetes.container.name": config.name},
    }
    if namespaces.uts is not None and not namespaces.uts:
        spec["hostname"] = hostname
    return spec


def sandbox_spec(sandbox: SandboxConfig, *, rootfs: str, netns_path: str | None,
                 cgroups_path: str, shm_path: str | None = None,
                 min_oom_score_adj: int = -1000, ipc_path: str | None = None,
                 uts_path: str | None = None) -> dict:
    """The pod's long-lived holder of its PID namespace (the pause container): busybox
    sh as PID 1 that reaps orphans and sleeps. It joins the pod's IPC and UTS
    namespaces at `ipc_path`/`uts_path` when they are pinned, else makes them."""
    config = ContainerConfig(name="POD", attempt=0, image_id="", image_ref="",
                             rootfs_layers=[],
                             argv=["/bin/busybox", "sh", "-c",
                                   "trap 'exit 0' TERM INT; "
                                   "while :; do /bin/busybox sleep 2147483647 & wait; done"],
                             capabilities_drop=["ALL"], readonly_rootfs=True)
    config.resources.cpu_shares = 2
    config.resources.oom_score_adj = -998
    namespaces = Namespaces(network=None if sandbox.host_network else (netns_path or ""),
                            ipc=None if sandbox.host_ipc else (ipc_path or ""),
                            uts=None if sandbox.host_network else (uts_path or ""),
                            pid=None if sandbox.host_pid else "")
    spec = container_spec(sandbox, config, rootfs=rootfs, namespaces=namespaces,
                          cgroups_path=cgroups_path, hostname=sandbox.hostname,
                          shm_path=shm_path, min_oom_score_adj=min_oom_score_adj)
    # the pod's /etc files are for its containers; the holder needs none
    spec["mounts"] = [m for m in spec["mounts"] if not m["destination"].startswith("/etc/")]
    return spec
