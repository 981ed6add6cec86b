# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the runc and process runtimes share: their records on disk, the containers
they watch, status, wait and attach. Subclasses make and tear down the processes."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from pathlib import Path

from kybernetes.kubelet.cri import (ContainerError, ContainerStatus, SandboxStatus,
                                    StreamingProcess)
from kybernetes.kubelet.runtimes.state import (container_status, exit_reason, read_json,
                                               sandbox_config_from_json, write_json)
from kybernetes.kubelet.runtimes.stdio import ContainerIO

UNKNOWN_MESSAGE = "The container could not be located when the pod was terminated"


class Live:
    """What the runtime holds for a container it watches: its streams and its end."""

    def __init__(self, io: ContainerIO) -> None:
        self.io = io
        self.pid = 0
        self.exited = asyncio.Event()
        self.task: asyncio.Task | None = None


class RecordedRuntime:
    """Sandboxes in root/sandboxes/<id>/sandbox.json, containers in
    root/containers/<id>/ (meta.json, exit.json once ended, the stdio FIFOs)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.sandboxes_dir = self.root / "sandboxes"
        self.containers_dir = self.root / "containers"
        self.live: dict[str, Live] = {}
        self.metas: dict[str, dict] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.loaded = False

    # ------------------------------------------------------------------ hooks
    async def _recover(self, meta: dict) -> None:
        """A container without an exit record found at start: watch it again."""

    def _oom_kills(self, meta: dict) -> int:
        return 0

    def _sandbox_alive(self, record: dict) -> bool:
        return True

    # ------------------------------------------------------------------ loading
    async def _load(self) -> None:
        """Once, before the first call: what the runtime needs and finds on disk."""
        await self._load_containers()

    async def _ensure_loaded(self) -> None:
        if self.loaded:
            return
        async with self._lock("load"):  # concurrent first calls wait for one load
            if not self.loaded:
                await self._load()
                self.loaded = True

    async def _load_containers(self) -> None:
        for directory in (self.sandboxes_dir, self.containers_dir):
            directory.mkdir(parents=True, exist_ok=True)
        for directory in sorted(self.containers_dir.iterdir()):
            meta = read_json(directory / "meta.json")
            if meta is None:
                continue
            self.metas[meta["id"]] = meta
            if not (directory / "exit.json").exists():
                await self._recover(meta)

    def _lock(self, key: str) -> asyncio.Lock:
        return self.locks.setdefault(key, asyncio.Lock())

    # ------------------------------------------------------------------ sandboxes
    def _sandbox_record(self, sandbox_id: str) -> dict | None:
        if not sandbox_id or "/" in sandbox_id:
            return None
        return read_json(self.sandboxes_dir / sandbox_id / "sandbox.json")

    def _save_sandbox(self, record: dict) -> None:
        write_json(self.sandboxes_dir / record["id"] / "sandbox.json", record)

    def _sandbox_records(self) -> list[dict]:
        out = []
        if self.sandboxes_dir.is_dir():
            for directory in sorted(self.sandboxes_dir.iterdir()):
                record = read_json(directory / "sandbox.json")
                if record is not None:
                    out.append(record)
        return out

    def _sandbox_status(self, record: dict) -> SandboxStatus:
        state = record["state"]
        if state == "ready" and not self._sandbox_alive(record):
            state = "notready"  # its holder died: the pod needs a new sandbox
        return SandboxStatus(id=record["id"], state=state, ips=list(record["ips"]),
                             netns_path=record.get("netns_path", ""),
                             created_at=record["created_at"],
                             config=sandbox_config_from_json(record["config"]))

    async def sandbox_status(self, sandbox_id: str) -> SandboxStatus | None:
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        return None if record is None else self._sandbox_status(record)

    async def list_sandboxes(self) -> list[SandboxStatus]:
        await self._ensure_loaded()
        return [self._sandbox_status(record) for record in self._sandbox_records()]

    def _ready_sandbox(self, uid: str) -> dict | None:
        for record in self._sandbox_records():
            if record["config"]["uid"] == uid and record["state"] == "ready" \
                    and self._sandbox_alive(record):
                return record
        return None

    # ------------------------------------------------------------------ containers
    def _new_live(self, meta: dict) -> Live:
        io = ContainerIO(self.containers_dir / meta["id"],
                         Path(meta["log_path"]) if meta.get("log_path") else None,
                         tty=meta["tty"], stdin=meta["stdin"], stdin_once=meta["stdin_once"])
        live = Live(io)
        self.live[meta["id"]] = live
        return live

    def _save_meta(self, meta: dict) -> None:
        write_json(self.containers_dir / meta["id"] / "meta.json", meta)

    async def _watch(self, meta: dict, ended: Awaitable[int | None]) -> None:
        """Once the container ends: drain its output, then record how it ended."""
        code = await ended
        live = self.live.get(meta["id"])
        if live is not None:
            await live.io.drained()
        self._write_exit(meta, code)
        if live is not None:
            live.exited.set()

    def _write_exit(self, meta: dict, code: int | None) -> None:
        if code is None:  # not our child (an earlier kubelet's): its status is lost
            record = {"exit_code": 137, "reason": "ContainerStatusUnknown",
                      "message": UNKNOWN_MESSAGE, "finished_at": time.time()}
        else:
            oom = code != 0 and self._oom_kills(meta) > 0
            record = {"exit_code": code, "reason": exit_reason(code, oom),
                      "finished_at": time.time()}
        path = self.containers_dir / meta["id"]
        if path.is_dir():
            write_json(path / "exit.json", record)

    async def container_status(self, container_id: str) -> ContainerStatus | None:
        await self._ensure_loaded()
        meta = self.metas.get(container_id)
        if meta is None:
            return None
        live = self.live.get(container_id)
        exit_record = read_json(self.containers_dir / container_id / "exit.json")
        running = live is not None and not live.exited.is_set()
        return container_status(container_id, meta, exit_record, running,
                                live.pid if live else 0)

    async def list_containers(self, sandbox_id: str | None = None) -> list[ContainerStatus]:
        await self._ensure_loaded()
        out = []
        for container_id, meta in list(self.metas.items()):
            if sandbox_id is None or meta["sandbox_id"] == sandbox_id:
                status = await self.container_status(container_id)
                if status is not None:
                    out.append(status)
        return out

    async def wait_container(self, container_id: str) -> ContainerStatus:
        await self._ensure_loaded()
        live = self.live.get(container_id)
        if live is not None:
            await live.exited.wait()
        status = await self.container_status(container_id)
        if status is None:
            raise ContainerError("RunContainerError", f"container {container_id} not found")
        return status

    def _running(self, container_id: str) -> Live:
        live = self.live.get(container_id)
        if live is None or live.exited.is_set():
            raise ContainerError("RunContainerError",
                                 f"container {container_id} is not running")
        return live

    async def attach(self, container_id: str, *, stdin: bool, stdout: bool = True,
                     stderr: bool = True) -> StreamingProcess:
        await self._ensure_loaded()
        live = self._running(container_id)

        async def wait() -> int:
            return (await self.wait_container(container_id)).exit_code

        return await live.io.attach(stdin=stdin, stdout=stdout, stderr=stderr, wait=wait)

    async def reopen_container_log(self, container_id: str) -> None:
        """After the kubelet rotated the log file (renamed it): write to a new one, as
        CRI's ReopenContainerLog."""
        await self._ensure_loaded()
        self._running(container_id).io.reopen_log()

    async def close(self) -> None:
        """Stop reading output; containers keep running for the next kubelet."""
        for live in self.live.values():
            if live.task is not None:
                live.task.cancel()
            live.io.close()
        self.live.clear()
        self.metas.clear()
        self.loaded = False
