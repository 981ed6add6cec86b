# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`exec` into runc containers (part of RuncRuntime).

Without a TTY, `runc exec` runs in the foreground with pipes for stdio and exits with
the process's status. With a TTY, `runc exec --detach --tty` hands the pty master over
a console socket and the process, orphaned by runc, comes to the kubelet (the
subreaper), which waits for it through a pidfd.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import signal
from pathlib import Path

from kybernetes.kubelet.cri import ContainerError, StreamingProcess
from kybernetes.kubelet.runtimes import oci, reaper
from kybernetes.kubelet.runtimes.imagepath import find_executable
from kybernetes.kubelet.runtimes.stdio import ConsoleSocket, pty_streams, set_winsize


class RuncExec:
    """Mixed into RuncRuntime: uses its runc, runc_root, containers_dir, metas,
    _runc_cmd, _running and _ensure_loaded."""

    async def exec(self, container_id: str, argv: list[str], *, tty: bool, stdin: bool,
                   stdout: bool = True, stderr: bool = True) -> StreamingProcess:
        await self._ensure_loaded()
        self._running(container_id)
        bundle = self.containers_dir / container_id
        self._check_executable(bundle, argv)
        token = secrets.token_hex(6)
        pid_file = bundle / f"exec-{token}.pid"
        if tty:
            return await self._exec_tty(container_id, argv, stdin, bundle, token, pid_file)
        pipe = asyncio.subprocess.PIPE
        proc = await asyncio.create_subprocess_exec(
            self.runc, "--root", str(self.runc_root), "exec", "--pid-file", str(pid_file),
            container_id, *argv, stdin=pipe if stdin else asyncio.subprocess.DEVNULL,
            stdout=pipe if stdout else asyncio.subprocess.DEVNULL,
            stderr=pipe if stderr else asyncio.subprocess.DEVNULL)

        async def wait() -> int:
            code = await proc.wait()
            pid_file.unlink(missing_ok=True)
            return code

        async def kill() -> None:
            """The process first, so that runc reaps it and exits on its own; should
            runc die first, the orphan comes to us (subreaper) and the watch reaps it."""
            try:
                pid = int(pid_file.read_text())
                reaper.watch(pid)  # resolves (and closes its pidfd) once the process ends
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), 5)
            except asyncio.TimeoutError:
                proc.kill()

        return StreamingProcess(stdin=proc.stdin, stdout=proc.stdout, stderr=proc.stderr,
                                wait=wait, resize=lambda w, h: None, kill=kill)

    def _check_executable(self, bundle: Path, argv: list[str]) -> None:
        """A command the image lacks is an error of the exec call, as containerd's
        "executable file not found in $PATH", not output of a failed process."""
        if not argv:
            raise ContainerError("RunContainerError", "exec: no command given")
        if "/" in argv[0] and not argv[0].startswith("/"):
            return  # relative to the working directory: let the runtime resolve it
        path = next((e[5:] for e in self.metas[bundle.name].get("env", [])
                     if e.startswith("PATH=")), oci.DEFAULT_PATH)
        if find_executable(argv[0], [bundle / "rootfs"], path, host_fallback=False) is None:
            raise ContainerError("RunContainerError",
                                 f'OCI runtime exec failed: exec failed: unable to start '
                                 f'container process: exec: "{argv[0]}": executable file '
                                 f'not found in $PATH')

    async def _exec_tty(self, container_id: str, argv: list[str], stdin: bool,
                        bundle: Path, token: str, pid_file: Path) -> StreamingProcess:
        console = ConsoleSocket()
        try:
            code, out = await self._runc_cmd(
                "exec", "--detach", "--tty", "--console-socket", str(console.path),
                "--pid-file", str(pid_file), container_id, *argv)
            if code != 0:
                raise ContainerError("RunContainerError", out)
            master = console.receive()
        except OSError as error:
            raise ContainerError("RunContainerError", str(error)) from None
        finally:
            console.close()
        pid = int(pid_file.read_text())
        pid_file.unlink(missing_ok=True)
        ended = reaper.watch(pid)
        writer, reader, pump = await pty_streams(master, stdin)

        async def wait() -> int:
            status = await ended
            await pump.drained()
            return -1 if status is None else reaper.exit_code(status)

        async def kill() -> None:
            if not ended.done():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        def resize(width: int, height: int) -> None:
            if not pump.done.is_set():
                set_winsize(pump.fd, width, height)

        return StreamingProcess(stdin=writer, stdout=reader, stderr=None, wait=wait,
                                resize=resize, kill=kill)
