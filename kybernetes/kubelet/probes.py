# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Liveness, readiness and startup probes, as upstream's prober does them.

`ProbeCounter` is the pure decision: consecutive results against successThreshold and
failureThreshold flip the probe's result. `run_probe` performs one exec, httpGet,
tcpSocket or grpc check. `ProbeWorker` (in podworker) calls both every periodSeconds.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Awaitable, Callable

USER_AGENT = "kube-probe/1.32"
MAX_PROBE_OUTPUT = 10 * 1024


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    initial_delay: float = 0.0
    period: float = 10.0
    timeout: float = 1.0
    success_threshold: int = 1
    failure_threshold: int = 3

    @classmethod
    def from_spec(cls, probe: dict) -> "ProbeSettings":
        return cls(initial_delay=float(probe.get("initialDelaySeconds") or 0),
                   period=float(probe.get("periodSeconds") or 10),
                   timeout=float(probe.get("timeoutSeconds") or 1),
                   success_threshold=int(probe.get("successThreshold") or 1),
                   failure_threshold=int(probe.get("failureThreshold") or 3))


class ProbeCounter:
    """The result of one probe of one container: liveness starts succeeded, readiness and
    startup failed; `record` returns True when a result flips it."""

    def __init__(self, kind: str, settings: ProbeSettings) -> None:
        self.kind = kind
        self.settings = settings
        self.result = kind == "liveness"
        self.successes = 0
        self.failures = 0

    def record(self, success: bool) -> bool:
        if success:
            self.successes += 1
            self.failures = 0
            if not self.result and self.successes >= self.settings.success_threshold:
                self.result = True
                return True
            return False
        self.failures += 1
        self.successes = 0
        if self.result and self.failures >= self.settings.failure_threshold:
            self.result = False
            return True
        return False

    @property
    def failed(self) -> bool:
        """For liveness and startup: the container must be restarted."""
        return self.failures >= self.settings.failure_threshold

    def reset(self) -> None:
        self.result = self.kind == "liveness"
        self.successes = self.failures = 0


# ---------------------------------------------------------------- performing a probe
ExecFunction = Callable[[list[str], float], Awaitable[tuple[int, str]]]


def resolve_port(port: object, container: dict) -> int:
    """A probe's port by number or by the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    text = str(port)
    if text.isdigit():
        return int(text)
    for entry in container.get("ports") or []:
        if entry.get("name") == text:
            return int(entry.get("containerPort", 0))
    raise ValueError(f"couldn't find port {text} in container")


def http_url(action: dict, pod_ip: str, container: dict) -> str:
    host = action.get("host") or pod_ip
    port = resolve_port(action.get("port"), container)
    scheme = (action.get("scheme") or "HTTP").lower()
    path = action.get("path") or "/"
    if not path.startswith("/"):
        path = "/" + path
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}{path}"


async def probe_http(action: dict, pod_ip: str, container: dict, timeout: float) -> tuple[bool, str]:
    import aiohttp
    try:
        url = http_url(action, pod_ip, container)
    except ValueError as exc:
        return False, str(exc)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    for header in action.get("httpHeaders") or []:
        headers[header.get("name", "")] = header.get("value", "")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.get(url, headers=headers, allow_redirects=False, ssl=False) as response:
                await response.content.read(MAX_PROBE_OUTPUT)  # drained, as upstream reads it
                if 200 <= response.status < 400:
                    return True, ""
                return False, f"HTTP probe failed with statuscode: {response.status}"
    except asyncio.TimeoutError:
        return False, (f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while '
                       f'awaiting headers)')
    except aiohttp.ClientConnectorError as exc:
        return False, f'Get "{url}": dial tcp {exc.host}:{exc.port}: connect: {_os_reason(exc.os_error)}'
    except aiohttp.ClientError as exc:
        return False, f'Get "{url}": {exc}'


def _os_reason(error: OSError | None) -> str:
    if error is None:
        return "connection refused"
    import os
    return os.strerror(error.errno).lower() if error.errno else str(error)


async def probe_tcp(action: dict, pod_ip: str, container: dict, timeout: float) -> tuple[bool, str]:
    host = action.get("host") or pod_ip
    try:
        port = resolve_port(action.get("port"), container)
    except ValueError as exc:
        return False, str(exc)
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except asyncio.TimeoutError:
        return False, f"dial tcp {host}:{port}: i/o timeout"
    except OSError as exc:
        return False, f"dial tcp {host}:{port}: connect: {_os_reason(exc)}"
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True, ""


async def run_probe(probe: dict, container: dict, pod_ip: str, run_exec: ExecFunction) -> tuple[bool, str]:
    """One try of `probe`: (success, why not)."""
    timeout = float(probe.get("timeoutSeconds") or 1)
    if probe.get("exec") is not None:
        argv = list(probe["exec"].get("command") or [])
        try:
            code, output = await asyncio.wait_for(run_exec(argv, timeout), timeout + 1)
        except asyncio.TimeoutError:
            return False, f"command {argv!r} timed out"
        except Exception as exc:  # the runtime could not exec (container gone, ...)
            return False, str(exc)
        if code == 0:
            return True, ""
        return False, output  # upstream's event carries the command's output, even empty
    if probe.get("httpGet") is not None:
        return await probe_http(probe["httpGet"], pod_ip, container, timeout)
    if probe.get("tcpSocket") is not None:
        return await probe_tcp(probe["tcpSocket"], pod_ip, container, timeout)
    if probe.get("grpc") is not None:
        from kybernetes.kubelet.grpcprobe import probe_grpc  # grpcio loads only when used
        return await probe_grpc(probe["grpc"], pod_ip, timeout)
    return False, "missing probe handler"
