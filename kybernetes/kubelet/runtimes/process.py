# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Containers as plain host processes: the `process` ContainerRuntime.

For development machines without root: no namespaces, no cgroups, no images mounted.
What a pod gets:

- A sandbox is a directory. Pods share the host's network: every pod reports
  127.0.0.1 as its IP (services reach them through the userspace proxy), and
  port-forward connects to 127.0.0.1:<port>.
- A container is a subprocess in its own session with exactly the configured env
  (PATH defaulted). Its executable is looked up in the image's layers first (top
  layer first, symlinks resolved inside the layers, `$PATH` of the container's env
  for a bare name), so `busybox`'s /bin/sh runs the image's busybox; a command the
  image does not have is looked up on the host's PATH. Its working directory is the
  configured one if it exists on the host, else the container's own state directory.
  uid/gid are applied only when the kubelet runs as root.
- Resource limits are not enforced (RLIMIT_AS is not a memory limit: it counts
  address space, not resident memory); OOMKilled never happens here.
- stdout/stderr go to the CRI log through the same FIFOs and writer as runc, so a
  container survives a kubelet restart (its exit status is then lost:
  ContainerStatusUnknown, as upstream reports it).
"""
from __future__ import annotations

import asyncio
import fcntl
import os
import secrets
import shutil
import signal
import subprocess
import termios
import time
from pathlib import Path

from kybernetes.kubelet.cri import (ContainerConfig, ContainerError, SandboxConfig,
                                    SandboxError, SandboxStatus, StreamingProcess)
from kybernetes.kubelet.runtimes import reaper
from kybernetes.kubelet.runtimes.base import RecordedRuntime
from kybernetes.kubelet.runtimes.imagepath import find_executable
from kybernetes.kubelet.runtimes.oci import DEFAULT_PATH
from kybernetes.kubelet.runtimes.state import sandbox_config_to_json
from kybernetes.kubelet.runtimes.crilog import LogFile, StreamPump
from kybernetes.kubelet.runtimes.stdio import pipe_writer, pty_streams, set_winsize

POD_IP = "127.0.0.1"


class ProcessRuntime(RecordedRuntime):
    name = "process"
    version = "0.1.0"

    def __init__(self, root: Path) -> None:
        super().__init__(root)

    @staticmethod
    def available() -> str | None:
        return None

    def configure(self, pod_cidr: str) -> None:
        """Pods use the host's network here: nothing to configure."""

    async def _recover(self, meta: dict) -> None:
        pid = meta.get("pid", 0)
        if pid and reaper.alive(pid, meta.get("pid_start", "")):
            live = self._new_live(meta)
            live.io.reopen()
            live.pid = pid
            live.task = asyncio.create_task(self._watch(meta, reaper.wait_exit_code(pid)))
        elif meta.get("started_at"):  # ended while no kubelet watched: status lost
            self._write_exit(meta, None)

    # ------------------------------------------------------------------ sandboxes
    async def run_sandbox(self, config: SandboxConfig) -> SandboxStatus:
        await self._ensure_loaded()
        async with self._lock("pod:" + config.uid):
            existing = self._ready_sandbox(config.uid)
            if existing is not None:
                return self._sandbox_status(existing)
            sandbox_id = secrets.token_hex(32)
            (self.sandboxes_dir / sandbox_id).mkdir(parents=True)
            record = {"id": sandbox_id, "config": sandbox_config_to_json(config),
                      "created_at": time.time(), "state": "ready",
                      "ips": [] if config.host_network else [POD_IP], "netns_path": ""}
            self._save_sandbox(record)
            return self._sandbox_status(record)

    async def stop_sandbox(self, sandbox_id: str) -> None:
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None:
            return
        for meta in list(self.metas.values()):
            if meta["sandbox_id"] == sandbox_id:
                await self.stop_container(meta["id"], 0)
        record["state"] = "notready"
        self._save_sandbox(record)

    async def remove_sandbox(self, sandbox_id: str) -> None:
        await self._ensure_loaded()
        if self._sandbox_record(sandbox_id) is None:
            return
        await self.stop_sandbox(sandbox_id)
        for meta in list(self.metas.values()):
            if meta["sandbox_id"] == sandbox_id:
                await self.remove_container(meta["id"])
        shutil.rmtree(self.sandboxes_dir / sandbox_id, ignore_errors=True)

    # ------------------------------------------------------------------ containers
    async def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None or record["state"] != "ready":
            raise ContainerError("CreateContainerError", f"sandbox {sandbox_id} is not ready")
        if not config.argv:
            raise ContainerError("CreateContainerError", "no command specified")
        env = dict(config.env)
        env.setdefault("PATH", DEFAULT_PATH)
        env.setdefault("HOSTNAME", record["config"]["hostname"])
        executable = find_executable(config.argv[0], config.rootfs_layers, env["PATH"])
        if executable is None:
            raise ContainerError("CreateContainerError",
                                 f'exec: "{config.argv[0]}": executable file not found '
                                 f'in $PATH')
        container_id = secrets.token_hex(32)
        directory = self.containers_dir / container_id
        directory.mkdir(parents=True)
        cwd = config.working_dir if os.path.isdir(config.working_dir or "/") else \
            str(directory)
        meta = {"id": container_id, "name": config.name, "sandbox_id": sandbox_id,
                "attempt": config.attempt, "image_id": config.image_id,
                "image_ref": config.image_ref, "created_at": time.time(),
                "log_path": str(config.log_path) if config.log_path else "",
                "tty": config.tty, "stdin": config.stdin, "stdin_once": config.stdin_once,
                "labels": config.labels, "started_at": None, "argv": list(config.argv),
                "executable": executable, "env": env, "cwd": cwd,
                "layers": [str(p) for p in config.rootfs_layers],
                "uid": config.uid, "gid": config.gid,
                "groups": list(config.supplemental_groups)}
        self.metas[container_id] = meta
        self._save_meta(meta)
        return container_id

    async def start_container(self, container_id: str) -> None:
        await self._ensure_loaded()
        meta = self.metas.get(container_id)
        if meta is None:
            raise ContainerError("RunContainerError", f"container {container_id} not found")
        if container_id in self.live:
            raise ContainerError("RunContainerError", "container already started")
        live = self._new_live(meta)
        meta["started_at"] = time.time()
        try:
            if meta["tty"]:
                master, slave = os.openpty()
                try:
                    child = Child.spawn(meta, meta["argv"], meta["executable"], slave, slave,
                                        slave, tty=True)
                finally:
                    os.close(slave)
                live.io.start_tty(master)
            else:
                stdin, stdout, stderr = live.io.open_for_container()
                try:
                    child = Child.spawn(meta, meta["argv"], meta["executable"], stdin,
                                        stdout, stderr, tty=False)
                finally:
                    live.io.close_container_ends()
        except OSError as error:
            live.io.close()
            del self.live[container_id]
            meta["started_at"] = None
            raise ContainerError("RunContainerError", str(error)) from None
        live.pid = child.pid
        meta["pid"] = child.pid
        meta["pid_start"] = reaper.start_time(child.pid)
        self._save_meta(meta)
        live.task = asyncio.create_task(self._watch(meta, child.wait()))

    async def stop_container(self, container_id: str, timeout: float) -> None:
        await self._ensure_loaded()
        live = self.live.get(container_id)
        if live is None or live.exited.is_set():
            return
        if timeout > 0:
            _signal_group(live.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(live.exited.wait(), timeout)
                return
            except asyncio.TimeoutError:
                pass
        _signal_group(live.pid, signal.SIGKILL)
        await live.exited.wait()

    async def remove_container(self, container_id: str) -> None:
        await self._ensure_loaded()
        if container_id in self.live:
            await self.stop_container(container_id, 0)
            live = self.live.pop(container_id)
            live.io.close()
        shutil.rmtree(self.containers_dir / container_id, ignore_errors=True)
        self.metas.pop(container_id, None)

    # ------------------------------------------------------------------ streaming
    async def exec(self, container_id: str, argv: list[str], *, tty: bool, stdin: bool,
                   stdout: bool = True, stderr: bool = True) -> StreamingProcess:
        """Runs `argv` on the host with the container's env and working directory."""
        await self._ensure_loaded()
        self._running(container_id)
        meta = self.metas[container_id]
        layers = [Path(p) for p in meta["layers"]]
        executable = find_executable(argv[0], layers, meta["env"]["PATH"]) if argv else None
        if executable is None:
            raise ContainerError("RunContainerError",
                                 f'exec: "{argv[0] if argv else ""}": executable file not '
                                 f'found in $PATH')
        if tty:
            master, slave = os.openpty()
            try:
                child = Child.spawn(meta, argv, executable, slave, slave, slave, tty=True)
            finally:
                os.close(slave)
            writer, reader, pump = await pty_streams(master, stdin)

            async def wait_tty() -> int:
                code = await child.wait()
                await pump.drained()
                return code

            def resize(width: int, height: int) -> None:
                if not pump.done.is_set():
                    set_winsize(pump.fd, width, height)

            return StreamingProcess(stdin=writer, stdout=reader, stderr=None, wait=wait_tty,
                                    resize=resize, kill=child.kill)
        ours, theirs = [], []
        for wanted, mode in ((stdin, "w"), (stdout, "r"), (stderr, "r")):
            if not wanted:
                ours.append(-1)
                theirs.append(os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC))
                continue
            read_end, write_end = os.pipe2(os.O_CLOEXEC)
            ours.append(write_end if mode == "w" else read_end)
            theirs.append(read_end if mode == "w" else write_end)
        try:
            child = Child.spawn(meta, argv, executable, *theirs, tty=False)
        except OSError:
            for fd in ours:
                if fd >= 0:
                    os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        writer = await pipe_writer(ours[0]) if stdin else None
        readers = [StreamPump(fd, name, LogFile(None)).subscribe() if fd >= 0 else None
                   for fd, name in ((ours[1], "stdout"), (ours[2], "stderr"))]
        return StreamingProcess(stdin=writer, stdout=readers[0], stderr=readers[1],
                                wait=child.wait, resize=lambda w, h: None, kill=child.kill)

    async def port_forward(self, sandbox_id: str, port: int):
        """Pods share the host's network here: the port on the host's loopback."""
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None or record["state"] != "ready":
            raise SandboxError(f"pod sandbox {sandbox_id} is not ready")
        return await asyncio.open_connection("127.0.0.1", port)


class Child:
    """A process started with subprocess.Popen (whose `executable=` keeps argv[0], which
    busybox needs; uvloop's subprocess_exec does not) and waited for through a pidfd."""

    def __init__(self, popen: subprocess.Popen) -> None:
        self.popen = popen
        self.pid = popen.pid
        self.ended = reaper.watch(popen.pid)

    @classmethod
    def spawn(cls, meta: dict, argv: list[str], executable: str, stdin: int, stdout: int,
              stderr: int, *, tty: bool) -> "Child":
        switch = os.geteuid() == 0 and (meta["uid"], meta["gid"]) != (0, 0)
        return cls(subprocess.Popen(
            argv, executable=executable, env=meta["env"], cwd=meta["cwd"], stdin=stdin,
            stdout=stdout, stderr=stderr, start_new_session=True, close_fds=True,
            preexec_fn=_take_controlling_tty if tty else None,
            user=meta["uid"] if switch else None, group=meta["gid"] if switch else None,
            extra_groups=meta["groups"] if switch else None))

    async def wait(self) -> int:
        status = await asyncio.shield(self.ended)
        code = -1 if status is None else reaper.exit_code(status)
        self.popen.returncode = code  # reaped by us: Popen must not wait for it again
        return code

    async def kill(self) -> None:
        if not self.ended.done():
            _signal_group(self.pid, signal.SIGKILL)


def _take_controlling_tty() -> None:
    """In the child, after setsid: the pty slave on fd 0 becomes its terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _signal_group(pid: int, signum: int) -> None:
    """The container's whole session: it was started as its own process group."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
