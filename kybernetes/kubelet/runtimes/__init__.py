# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The container runtime interface the kubelet drives, and what a runtime reports back.

A runtime owns sandboxes (a pod's network identity) and containers; the kubelet owns
everything the API sees. The kubelet asks `start_pod`, `stop_pod`, `pod_status` and
`cleanup`; it turns the `PodRuntimeStatus` it gets into the pod's API status (see
`kybernetes.kubelet.pods`). `fake` implements it with no processes; `runc` and
`process` will implement the same methods with real ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ContainerState:
    """One container as the runtime sees it (times are Unix seconds)."""
    name: str
    state: str  # "waiting" | "running" | "terminated"
    image: str = ""
    image_id: str = ""
    container_id: str = ""
    reason: str = ""
    message: str = ""
    exit_code: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    restart_count: int = 0
    ready: bool = False
    started: bool = False
    last_termination: "ContainerState | None" = None


@dataclass(slots=True)
class PodRuntimeStatus:
    """A pod's sandbox and containers. `next_change` is how many seconds until the
    runtime's state may change on its own (a container finishing, a back-off ending):
    the kubelet syncs the pod again then; None means only on events."""
    sandbox_ready: bool
    pod_ips: list[str] = field(default_factory=list)
    containers: list[ContainerState] = field(default_factory=list)
    init_containers: list[ContainerState] = field(default_factory=list)
    started_at: float | None = None
    next_change: float | None = None
    # a sandbox that could not be made (no IP left, ...): reason and message for events
    sandbox_error: str = ""


class RuntimeNotAvailable(Exception):
    """This runtime cannot run on this machine (or is not written yet)."""


class Runtime:
    """What the kubelet needs from a container runtime. All methods are coroutines so
    real runtimes can do I/O; a runtime must be safe to call for unknown pods."""

    name = "abstract"
    version = "0.0.0"

    @property
    def runtime_version(self) -> str:
        """containerRuntimeVersion as the Node reports it, e.g. `fake://0.1.0`."""
        return f"{self.name}://{self.version}"

    def configure_node(self, node: dict) -> None:
        """Called with the Node whenever the kubelet learns of it (spec.podCIDR, ...)."""

    def network_not_ready(self) -> str:
        """Why pods cannot get a network yet (the runtime status's NetworkReady=false
        message, e.g. no CNI configuration), or "" when they can."""
        return ""

    async def start_pod(self, pod: dict) -> None:
        """Make the sandbox and start the pod's containers (init containers first)."""
        raise NotImplementedError

    async def stop_pod(self, pod: dict, grace_seconds: float) -> None:
        """Stop every container within `grace_seconds` and tear down the sandbox; the
        containers' final states stay visible to `pod_status` until `cleanup`."""
        raise NotImplementedError

    async def pod_status(self, pod: dict) -> PodRuntimeStatus | None:
        """The pod's sandbox and containers, or None if this runtime never started it."""
        raise NotImplementedError

    async def cleanup(self, uid: str) -> None:
        """Forget a pod that no longer exists in the API (free its IP, its files)."""
        raise NotImplementedError

    # -------------------------------------------------------------- streaming
    # Used by the kubelet's HTTP server (kybernetes.kubelet.server). A runtime without
    # processes raises RuntimeNotAvailable, which the server answers with a Status.
    async def exec(self, pod: dict, container: str, argv: list[str], *, tty: bool,
                   stdin: bool, stdout: bool = True, stderr: bool = True):
        """A kybernetes.kubelet.cri.StreamingProcess running argv in the container."""
        raise RuntimeNotAvailable(f"the {self.name} runtime does not support exec")

    async def attach(self, pod: dict, container: str, *, stdin: bool, stdout: bool = True,
                     stderr: bool = True):
        """A StreamingProcess connected to the container's main process."""
        raise RuntimeNotAvailable(f"the {self.name} runtime does not support attach")

    def log_path(self, pod: dict, container: str, previous: bool = False):
        """The container's CRI-format log file (the previous instance's with
        `previous`), or None when there is none."""
        return None

    async def port_forward(self, pod: dict, port: int):
        """(reader, writer) of a TCP connection to `port` on the pod's localhost."""
        raise RuntimeNotAvailable(f"the {self.name} runtime does not support port-forward")

    async def close(self) -> None:
        """Release what the runtime holds for the whole node."""


def make_runtime(name: str, **options) -> Runtime:
    """The runtime called `name`. `fake` takes FakeRuntime's options; `runc` and
    `process` take PodManager's (client, data_dir, node_name, ...) and raise
    RuntimeNotAvailable when this machine cannot run them (runc missing, not root)."""
    if name == "fake":
        from kybernetes.kubelet.runtimes.fake import FakeRuntime
        return FakeRuntime(**options)
    if name in ("runc", "process"):
        from kybernetes.kubelet.podmanager import make_pod_manager
        return make_pod_manager(name, **options)
    raise RuntimeNotAvailable(f"unknown runtime {name!r} (choose fake, runc or process)")
