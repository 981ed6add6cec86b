# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The low-level container runtime contract, in the shape of Kubernetes' CRI.

Two layers run a real pod:

- `kybernetes.kubelet.podmanager.PodManager` implements the kubelet's `Runtime`
  (start_pod/stop_pod/pod_status/cleanup/exec/logs/port_forward). It owns everything
  Kubernetes defines: image pulls and policies, init containers, restart policy and
  CrashLoopBackOff, probes, hooks, graceful termination, env and volumes, the argv from
  the image config and the pod's command/args. It is written once.
- A `ContainerRuntime` (this file) does only what CRI's RuntimeService does: sandboxes
  (a pod's shared network/IPC/UTS namespaces) and containers inside them, each started,
  stopped, inspected, exec'd into. `runc` (real OCI containers) and `process` (host
  processes, no isolation) implement it.

Everything is plain data; ids are opaque strings the runtime chooses. A runtime keeps
its state on disk under its root so a restarted kubelet finds its sandboxes and
containers again (`list_sandboxes`, `list_containers`).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


# ------------------------------------------------------------------ sandboxes
@dataclass(slots=True)
class PortMapping:
    container_port: int
    host_port: int
    protocol: str = "TCP"  # TCP | UDP | SCTP
    host_ip: str = ""


@dataclass(slots=True)
class SandboxConfig:
    uid: str
    name: str
    namespace: str
    hostname: str  # pod name, or spec.hostname; UTS namespace's hostname
    host_network: bool = False
    host_ipc: bool = False
    host_pid: bool = False
    share_process_namespace: bool = False
    # files the kubelet wrote, bind-mounted into every container at /etc/...
    resolv_conf: Path | None = None
    hosts_file: Path | None = None
    hostname_file: Path | None = None
    port_mappings: list[PortMapping] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    # cgroup parent for the pod (e.g. "kubepods/burstable/pod<uid>"); "" = runtime default
    cgroup_parent: str = ""
    log_directory: Path | None = None  # /var/log/pods/<ns>_<name>_<uid>


@dataclass(slots=True)
class SandboxStatus:
    id: str
    state: str  # "ready" | "notready"
    ips: list[str] = field(default_factory=list)  # the pod IPs (empty for hostNetwork)
    netns_path: str = ""  # /var/run/netns/<name>, "" for hostNetwork
    created_at: float = 0.0
    config: SandboxConfig | None = None


# ------------------------------------------------------------------ containers
@dataclass(slots=True)
class Mount:
    host_path: Path
    container_path: str
    readonly: bool = False
    propagation: str = "private"  # private | rslave | rshared
    # a file (not directory) mount; the runtime creates the target as a file
    is_file: bool = False


@dataclass(slots=True)
class Resources:
    cpu_shares: int = 2  # cpu.shares from requests.cpu (upstream: milli*1024/1000, min 2)
    cpu_quota: int = 0  # microseconds per period from limits.cpu; 0 = unlimited
    cpu_period: int = 100_000
    memory_limit: int = 0  # bytes; 0 = unlimited
    oom_score_adj: int = 0


@dataclass(slots=True)
class ContainerConfig:
    name: str
    attempt: int  # restart count this container will have; part of its log file name
    image_id: str  # sha256:... of the image config (what the image store returned)
    image_ref: str  # docker.io/library/nginx:1.7.9 (normalized, as reported in status)
    rootfs_layers: list[Path]  # unpacked layer directories, lowest first (overlay lowerdirs)
    argv: list[str]  # final: image Entrypoint/Cmd merged with the pod's command/args
    env: list[tuple[str, str]] = field(default_factory=list)  # final, in order
    working_dir: str = "/"
    uid: int = 0
    gid: int = 0
    supplemental_groups: list[int] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    tty: bool = False
    stdin: bool = False
    stdin_once: bool = False
    privileged: bool = False
    capabilities_add: list[str] = field(default_factory=list)  # "NET_ADMIN" (no CAP_ prefix)
    capabilities_drop: list[str] = field(default_factory=list)
    readonly_rootfs: bool = False
    no_new_privileges: bool = False  # securityContext.allowPrivilegeEscalation: false
    seccomp: dict | None = None  # OCI linux.seccomp; None = unconfined
    proc_mount: str = "Default"  # securityContext.procMount: Default | Unmasked
    # the pod's securityContext.sysctls, set in the pod's namespaces (OCI linux.sysctl)
    sysctls: dict[str, str] = field(default_factory=dict)
    # CRI log file the runtime writes stdout/stderr to, in the CRI format:
    # `2026-01-02T03:04:05.123456789Z stdout F text` ("P" for a partial line)
    log_path: Path | None = None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ContainerStatus:
    id: str
    name: str
    sandbox_id: str
    state: str  # "created" | "running" | "exited" | "unknown"
    attempt: int = 0
    pid: int = 0
    exit_code: int = 0
    # "" | "Completed" | "Error" | "OOMKilled" | "ContainerStatusUnknown"
    reason: str = ""
    message: str = ""
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    image_id: str = ""
    image_ref: str = ""
    log_path: Path | None = None


# ------------------------------------------------------------------ streaming
@dataclass
class StreamingProcess:
    """A process the caller talks to: exec'd into a container, or attached to one.

    `stdin` is None unless stdin was asked for; `stdout`/`stderr` are None when not
    asked for (with a TTY, stderr is merged into stdout and is None). `wait()` returns
    the exit code (attach: the container's, when it ends). `resize` applies to a TTY."""
    stdin: asyncio.StreamWriter | None
    stdout: asyncio.StreamReader | None
    stderr: asyncio.StreamReader | None
    wait: "callable"  # async () -> int
    resize: "callable"  # (width: int, height: int) -> None
    kill: "callable"  # async () -> None


class ContainerRuntime(Protocol):
    name: str  # "runc" | "process"
    version: str

    async def run_sandbox(self, config: SandboxConfig) -> SandboxStatus:
        """Create the pod's namespaces and network (CNI ADD); idempotent per config.uid."""

    async def stop_sandbox(self, sandbox_id: str) -> None:
        """Stop every container left and tear down the network (CNI DEL); idempotent."""

    async def remove_sandbox(self, sandbox_id: str) -> None:
        """Forget the sandbox: remove its namespaces, files and cgroups; idempotent."""

    async def sandbox_status(self, sandbox_id: str) -> SandboxStatus | None: ...

    async def list_sandboxes(self) -> list[SandboxStatus]: ...

    async def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        """Prepare the container (rootfs, spec); returns its id. Raises
        ContainerError for a config that cannot run (missing executable, ...)."""

    async def start_container(self, container_id: str) -> None: ...

    async def stop_container(self, container_id: str, timeout: float) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; returns once it has exited."""

    async def remove_container(self, container_id: str) -> None: ...

    async def container_status(self, container_id: str) -> ContainerStatus | None: ...

    async def list_containers(self, sandbox_id: str | None = None) -> list[ContainerStatus]: ...

    async def wait_container(self, container_id: str) -> ContainerStatus:
        """Returns once the container has exited (immediately if it has)."""

    async def exec(self, container_id: str, argv: list[str], *, tty: bool, stdin: bool,
                   stdout: bool = True, stderr: bool = True) -> StreamingProcess: ...

    async def attach(self, container_id: str, *, stdin: bool, stdout: bool = True,
                     stderr: bool = True) -> StreamingProcess: ...

    async def port_forward(self, sandbox_id: str, port: int) -> tuple[asyncio.StreamReader,
                                                                       asyncio.StreamWriter]:
        """A TCP connection to `port` on the pod's localhost (inside its netns)."""

    async def close(self) -> None: ...


class ContainerError(Exception):
    """A container could not be created or started; `reason` is the API's reason
    (CreateContainerError, RunContainerError, CreateContainerConfigError)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class SandboxError(Exception):
    """The sandbox could not be made (CNI failed, no IP left): FailedCreatePodSandBox."""
