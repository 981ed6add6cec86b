# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The nginx master process the controller owns: started in the foreground as our
child (its own pid file, prefix, temp dirs and error log under the controller's
directory), configuration written atomically and checked with `nginx -t` before a
SIGHUP reloads it gracefully, stopped with the controller."""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from pathlib import Path

from kybernetes.ingress.render import Layout
from kybernetes.ingress.tls import fake_certificate, still_valid

log = logging.getLogger("kybernetes.ingress")


class NginxError(RuntimeError):
    """nginx could not start; the message is nginx's own."""


class ConfigurationRefused(NginxError):
    """`nginx -t` refused a configuration; the message is nginx's own."""


def nginx_binary(name: str = "nginx") -> str | None:
    """The nginx executable: on PATH, or in the sbin directories a user's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path=f"{os.defpath}:/usr/sbin:/sbin")


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def prepare_directory(layout: Layout) -> None:
    """The instance's directories, and the fake certificate (made once, kept while valid)."""
    for directory in (layout.directory, layout.certificates, layout.temp):
        directory.mkdir(parents=True, exist_ok=True)
    layout.certificates.chmod(0o700)
    current = layout.default_certificate
    if not current.exists() or not still_valid(current.read_bytes()):
        write_atomically(current, fake_certificate(), 0o600)


def sync_certificates(layout: Layout, certificates: dict[str, bytes]) -> list[Path]:
    """Write the certificates the configuration names (0600); return the files no
    longer named, to remove once nginx has loaded a configuration without them."""
    for name, pem in certificates.items():
        path = layout.certificates / name
        if not path.exists() or path.read_bytes() != pem:
            write_atomically(path, pem, 0o600)
    return [p for p in layout.certificates.iterdir()
            if p.name not in certificates and not p.name.startswith(".")]


def _quit_with_parent() -> None:
    """In the forked child: a graceful stop (SIGQUIT) when the controller dies, so a
    killed controller leaves no nginx holding the ports (Linux's PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)
    except (OSError, AttributeError):  # not Linux/glibc: _stop_leftover covers the next start
        pass


def _retired(pid: int) -> bool:
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return not title or b"shutting down" in title  # (an exited, unreaped worker has none)


class Nginx:
    def __init__(self, layout: Layout, binary: str = "nginx") -> None:
        self.layout = layout
        self.binary = nginx_binary(binary) or binary
        self.process: asyncio.subprocess.Process | None = None

    def _argv(self, config: Path, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.layout.directory), "-c", str(config),
                "-e", str(self.layout.error_log), *extra]

    async def test(self, text: str) -> None:
        """`nginx -t` on `text` (written beside the live file); ConfigurationRefused with nginx's
        complaint when it is refused."""
        candidate = self.layout.directory / "nginx.conf.candidate"
        write_atomically(candidate, text.encode())
        process = await asyncio.create_subprocess_exec(
            *self._argv(candidate, "-t", "-q"), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)
        output, _ = await process.communicate()
        if process.returncode != 0:
            lines = [line for line in output.decode(errors="replace").splitlines()
                     if "[emerg]" in line or "[crit]" in line or "[alert]" in line]
            raise ConfigurationRefused("; ".join(lines) or output.decode(errors="replace").strip()
                                       or f"nginx -t exited with {process.returncode}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def apply(self, text: str) -> None:
        """Check `text`, make it the live configuration, then start nginx or reload it.
        A refused configuration raises ConfigurationRefused and leaves the running one
        alone; NginxError when nginx cannot start (a port taken, say)."""
        await self.test(text)
        write_atomically(self.layout.config, text.encode())
        if self.running:
            workers = self.workers()
            os.kill(self.process.pid, signal.SIGHUP)
            await self._wait_new_workers(workers)
        else:
            await self.start()

    async def start(self) -> None:
        await self._stop_leftover()
        self.process = await asyncio.create_subprocess_exec(
            *self._argv(self.layout.config), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to the controller is not a fast stop of nginx
            preexec_fn=_quit_with_parent)
        for _ in range(100):
            if self.process.returncode is not None:
                break
            if self.workers():
                log.info("nginx master %d serving on ports %d and %d", self.process.pid,
                         self.layout.http_port, self.layout.https_port)
                return
            await asyncio.sleep(0.05)
        if self.process.returncode is None:
            return  # slow to fork its workers, but alive
        raise NginxError(f"nginx exited with {self.process.returncode}: {self._log_tail()}")

    async def _stop_leftover(self) -> None:
        """A master of ours left by a killed controller still holds the ports: stop it
        and wait (a little) for it to let them go."""
        try:
            pid = int(self.layout.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"nginx" not in cmdline or str(self.layout.config).encode() not in cmdline:
            return  # the pid is someone else's now
        log.info("stopping nginx %d left by an earlier run", pid)
        try:
            os.kill(pid, signal.SIGQUIT)
            for _ in range(100):
                await asyncio.sleep(0.05)
                os.kill(pid, 0)
        except ProcessLookupError:
            return

    def workers(self) -> set[int]:
        """The master's current worker processes."""
        if not self.running:
            return set()
        pid = self.process.pid
        try:
            return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
        except OSError:
            return set()

    async def _wait_new_workers(self, old: set[int], attempts: int = 250) -> None:
        """Until the master runs workers of the new configuration and every old worker
        has stopped accepting (gone, or titled "shutting down" while it finishes its
        requests): from then on every new connection gets the new configuration."""
        for _ in range(attempts):
            if self.workers() - old and all(_retired(pid) for pid in old):
                return
            await asyncio.sleep(0.02)
        log.warning("nginx has not replaced its workers after a reload: %s", self._log_tail())

    def _log_tail(self) -> str:
        try:
            return " ".join(self.layout.error_log.read_text(errors="replace").splitlines()[-3:])
        except OSError:
            return ""

    async def stop(self, graceful: bool = True) -> None:
        """SIGQUIT (finish the requests in flight) then SIGTERM if it takes too long."""
        if not self.running:
            return
        self.process.send_signal(signal.SIGQUIT if graceful else signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except asyncio.TimeoutError:
            self.process.kill()
            await self.process.wait()
        log.info("nginx stopped")
