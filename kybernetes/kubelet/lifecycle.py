# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""postStart/preStop hooks and running a command in a container to completion (for
exec probes and exec hooks), over the CRI's streaming exec."""
from __future__ import annotations

import asyncio

from kybernetes.kubelet.probes import MAX_PROBE_OUTPUT, probe_http


async def exec_to_completion(runtime, container_id: str, argv: list[str], timeout: float) -> tuple[int, str]:
    """(exit code, combined output up to 10 KiB) of argv run in the container."""
    process = await runtime.exec(container_id, argv, tty=False, stdin=False)
    output = bytearray()

    async def drain(stream) -> None:
        if stream is None:
            return
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                return
            if len(output) < MAX_PROBE_OUTPUT:
                output.extend(chunk[:MAX_PROBE_OUTPUT - len(output)])

    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(drain(process.stdout), drain(process.stderr))
            code = await process.wait()
    except TimeoutError:
        try:
            await process.kill()
        except Exception:  # it may have ended meanwhile
            pass
        raise asyncio.TimeoutError(f"command {argv!r} timed out") from None
    return code, output.decode(errors="replace")


def pod_text(pod: dict) -> str:
    meta = pod.get("metadata") or {}
    return f'{meta.get("name", "")}_{meta.get("namespace", "")}({meta.get("uid", "")})'


async def run_hook(kind: str, handler: dict, *, runtime, container_id: str, container: dict,
                   pod: dict, pod_ip: str, timeout: float) -> str | None:
    """Run a lifecycle handler; None on success, else upstream's failure message."""
    name = container.get("name", "")
    if handler.get("exec") is not None:
        argv = list(handler["exec"].get("command") or [])
        try:
            code, output = await exec_to_completion(runtime, container_id, argv, timeout)
        except Exception as exc:
            return (f'Exec lifecycle hook ({argv}) for Container "{name}" in Pod "{pod_text(pod)}" '
                    f'failed - error: {exc}, message: ""')
        if code != 0:
            return (f"Exec lifecycle hook ({argv}) for Container \"{name}\" in Pod \"{pod_text(pod)}\" "
                    f"failed - error: command '{' '.join(argv)}' exited with {code}: {output}, "
                    f'message: "{output}"')
        return None
    if handler.get("httpGet") is not None:
        ok, message = await probe_http(handler["httpGet"], pod_ip, container, timeout)
        if ok:
            return None
        return (f'HTTP lifecycle hook ({handler["httpGet"].get("path", "")}) for Container "{name}" in '
                f'Pod "{pod_text(pod)}" failed - error: {message}, message: ""')
    if handler.get("sleep") is not None:
        await asyncio.sleep(min(float(handler["sleep"].get("seconds") or 0), timeout))
        return None
    return f"{kind} hook for container {name!r} has no handler"
