# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""An in-memory cri.ContainerRuntime and ImageService for the pod manager's unit tests:
no processes; a container's argv says what it does:

    ["run"]                 runs until stopped (SIGTERM: exit 143, SIGKILL: 137)
    ["exit", "N"]           exits with N as soon as it starts
    ["exit-after", "S", "N"] exits with N after S seconds

exec runs `true` (0), `false` (1, output "failed\\n") and `hang` (never ends)."""
from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

from kybernetes.kubelet.cri import (ContainerConfig, ContainerError, ContainerStatus, SandboxConfig,
                                    SandboxError, SandboxStatus, StreamingProcess)
from kybernetes.kubelet.images import ImageInfo, ImagePullError


class DoubleRuntime:
    name = "double"
    version = "0.0.1"

    def __init__(self) -> None:
        self.sandboxes: dict[str, SandboxStatus] = {}
        self.containers: dict[str, ContainerStatus] = {}
        self.configs: dict[str, ContainerConfig] = {}
        self.exits: dict[str, asyncio.Future] = {}
        self.log: list[tuple[str, str]] = []  # (action, container name)
        self.sandbox_failures = 0
        self.ids = itertools.count(1)
        self.ips = itertools.count(2)

    async def run_sandbox(self, config: SandboxConfig) -> SandboxStatus:
        if self.sandbox_failures:
            self.sandbox_failures -= 1
            raise SandboxError("no IP addresses available in range set: 10.244.0.0/30")
        for sandbox in self.sandboxes.values():
            if sandbox.config.uid == config.uid and sandbox.state == "ready":
                return await self.sandbox_status(sandbox.id)
        sandbox = SandboxStatus(id=f"sb{next(self.ids)}", state="ready", ips=[f"10.244.0.{next(self.ips)}"],
                                created_at=time.time(), config=config)
        self.sandboxes[sandbox.id] = sandbox
        self.log.append(("run_sandbox", config.name))
        return await self.sandbox_status(sandbox.id)

    async def stop_sandbox(self, sandbox_id: str) -> None:
        for container_id, status in self.containers.items():
            if status.sandbox_id == sandbox_id and status.state == "running":
                self._exit(container_id, 137)
        if sandbox_id in self.sandboxes:
            self.sandboxes[sandbox_id].state = "notready"

    async def remove_sandbox(self, sandbox_id: str) -> None:
        self.sandboxes.pop(sandbox_id, None)
        self.log.append(("remove_sandbox", sandbox_id))

    async def sandbox_status(self, sandbox_id: str) -> SandboxStatus | None:
        sandbox = self.sandboxes.get(sandbox_id)
        return None if sandbox is None else SandboxStatus(
            id=sandbox.id, state=sandbox.state, ips=list(sandbox.ips), created_at=sandbox.created_at,
            config=sandbox.config)

    async def list_sandboxes(self) -> list[SandboxStatus]:
        return [await self.sandbox_status(sandbox_id) for sandbox_id in self.sandboxes]

    async def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        if config.argv and config.argv[0] == "missing-binary":
            raise ContainerError("CreateContainerError", 'exec: "missing-binary": executable file not found')
        container_id = f"c{next(self.ids)}"
        self.containers[container_id] = ContainerStatus(
            id=container_id, name=config.name, sandbox_id=sandbox_id, state="created",
            attempt=config.attempt, created_at=time.time(), image_id=config.image_id,
            image_ref=config.image_ref, log_path=config.log_path)
        self.configs[container_id] = config
        self.exits[container_id] = asyncio.get_running_loop().create_future()
        self.log.append(("create", config.name))
        return container_id

    def _exit(self, container_id: str, code: int, reason: str = "") -> None:
        status = self.containers[container_id]
        if status.state == "exited":
            return
        status.state = "exited"
        status.exit_code = code
        status.reason = reason or ("Completed" if code == 0 else "Error")
        status.finished_at = time.time()
        future = self.exits[container_id]
        if not future.done():
            future.set_result(None)

    async def start_container(self, container_id: str) -> None:
        status = self.containers[container_id]
        status.state = "running"
        status.started_at = time.time()
        argv = self.configs[container_id].argv
        self.log.append(("start", status.name))
        loop = asyncio.get_running_loop()
        if argv[0] == "exit":
            loop.call_soon(self._exit, container_id, int(argv[1]))
        elif argv[0] == "exit-after":
            loop.call_later(float(argv[1]), self._exit, container_id, int(argv[2]))

    async def stop_container(self, container_id: str, timeout: float) -> None:
        status = self.containers.get(container_id)
        if status is not None and status.state == "running":
            self.log.append(("stop", status.name))
            self._exit(container_id, 143 if timeout > 0 else 137)

    async def remove_container(self, container_id: str) -> None:
        status = self.containers.pop(container_id, None)
        if status is not None:
            self.log.append(("remove", status.name))

    async def container_status(self, container_id: str) -> ContainerStatus | None:
        status = self.containers.get(container_id)
        return None if status is None else ContainerStatus(**{
            field: getattr(status, field) for field in ContainerStatus.__slots__})

    async def list_containers(self, sandbox_id: str | None = None) -> list[ContainerStatus]:
        return [await self.container_status(cid) for cid, s in self.containers.items()
                if sandbox_id is None or s.sandbox_id == sandbox_id]

    async def wait_container(self, container_id: str) -> ContainerStatus:
        await asyncio.shield(self.exits[container_id])
        return await self.container_status(container_id)

    async def exec(self, container_id: str, argv: list[str], *, tty: bool, stdin: bool,
                   stdout: bool = True, stderr: bool = True) -> StreamingProcess:
        out = asyncio.StreamReader()
        err = asyncio.StreamReader()
        done = asyncio.get_running_loop().create_future()
        if argv == ["hang"]:
            pass
        elif argv == ["true"]:
            done.set_result(0)
        else:
            out.feed_data(b"failed\n")
            done.set_result(1)
        if done.done():
            out.feed_eof()
            err.feed_eof()

        async def wait() -> int:
            return await done

        async def kill() -> None:
            if not done.done():
                out.feed_eof()
                err.feed_eof()
                done.set_result(137)

        return StreamingProcess(stdin=None, stdout=out, stderr=err, wait=wait,
                                resize=lambda w, h: None, kill=kill)

    async def attach(self, container_id: str, *, stdin: bool, stdout: bool = True, stderr: bool = True):
        raise ContainerError("NotSupported", "attach")

    async def port_forward(self, sandbox_id: str, port: int):
        raise ContainerError("NotSupported", "port-forward")

    async def close(self) -> None:
        pass


class DoubleImages:
    """Images by name: `busybox` and `nginx` exist; anything with `nope` fails to pull."""

    def __init__(self, layer: Path, present: tuple[str, ...] = ()) -> None:
        self.layer = layer
        self.present = set(present)
        self.pulls: list[str] = []

    def _info(self, image: str) -> ImageInfo:
        name = image if "/" in image else f"docker.io/library/{image}"
        if ":" not in name.rsplit("/", 1)[-1]:
            name += ":latest"
        repository = name.rsplit(":", 1)[0]
        return ImageInfo(id="sha256:" + "a" * 64, ref=name, repo_digest=f"{repository}@sha256:" + "b" * 64,
                         config={"Cmd": ["run"], "Env": ["PATH=/bin"]}, layers=[self.layer], size=1234)

    def lookup(self, image: str) -> ImageInfo | None:
        return self._info(image) if image in self.present else None

    async def ensure(self, image: str, policy: str = "IfNotPresent", pull_secrets=()) -> ImageInfo:
        self.pulls.append(image)
        if "nope" in image:
            raise ImagePullError("ErrImagePull", f'failed to pull and unpack image "docker.io/library/{image}": '
                                                 f'not found')
        self.present.add(image)
        return self._info(image)


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def event(self, obj: dict, kind: str, reason: str, message: str) -> None:
        self.seen.append((kind, reason, message))

    def reasons(self) -> list[str]:
        return [reason for _kind, reason, _message in self.seen]
