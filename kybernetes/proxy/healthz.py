# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's health server (healthzBindAddress, 0.0.0.0:10256 by default): `/livez`
answers whether the rules keep up with Service and EndpointSlice changes, `/healthz`
that and whether this node may take traffic (not being deleted, not tainted
ToBeDeletedByClusterAutoscaler), as upstream's bodies and codes (200 or 503), which
load balancers probe.

Upstream's definition of healthy: a change queued and not written within
healthTimeout (twice the sync period) makes the proxy unhealthy until a sync succeeds."""
from __future__ import annotations

import asyncio
import datetime
import logging
import time
from typing import Callable

log = logging.getLogger("kybernetes.proxy")
TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler"


def go_time(epoch: float) -> str:
    """A time as Go's time.Time prints it (what upstream's %q of it shows)."""
    if epoch <= 0:
        return "0001-01-01 00:00:00 +0000 UTC"
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    nanos = f"{moment.microsecond * 1000:09d}".rstrip("0")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (f".{nanos}" if nanos else "") + " +0000 UTC"


class ProxyHealth:
    """What the sync loop reports (queued_update, updated) and the Node watch says."""

    def __init__(self, health_timeout: float, clock: Callable[[], float] = time.time) -> None:
        self.health_timeout = health_timeout
        self.clock = clock
        self.last_updated = 0.0
        self.oldest_pending = 0.0  # 0: nothing queued
        self.node_eligible = True  # until the Node says otherwise, as upstream starts

    def queued_update(self) -> None:
        if not self.oldest_pending:
            self.oldest_pending = self.clock()

    def updated(self) -> None:
        self.oldest_pending = 0.0
        self.last_updated = self.clock()

    def sync_node(self, node: dict | None) -> None:
        if node is None:
            return
        deleting = bool((node.get("metadata") or {}).get("deletionTimestamp"))
        tainted = any(t.get("key") == TO_BE_DELETED_TAINT for t in (node.get("spec") or {}).get("taints") or ())
        self.node_eligible = not deleting and not tainted

    def healthy(self) -> bool:
        return not self.oldest_pending or self.clock() - self.oldest_pending < self.health_timeout

    def livez(self) -> tuple[int, str]:
        """(status, body) of /livez."""
        now = self.clock()
        healthy = self.healthy()
        last = now if healthy else self.last_updated  # upstream: "recent" while healthy
        return (200 if healthy else 503), f'{{"lastUpdated": "{go_time(last)}","currentTime": "{go_time(now)}"}}'

    def healthz(self) -> tuple[int, str]:
        """(status, body) of /healthz: livez and the node's eligibility."""
        now = self.clock()
        healthy = self.healthy() and self.node_eligible
        last = now if healthy else self.last_updated
        eligible = "true" if self.node_eligible else "false"
        return (200 if healthy else 503), (f'{{"lastUpdated": "{go_time(last)}","currentTime": '
                                           f'"{go_time(now)}", "nodeEligible": {eligible}}}')


def split_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


async def serve_health(health: ProxyHealth, address: str, hard_fail: bool = False,
                       retry_seconds: float = 5.0) -> None:
    """Serve /healthz and /livez on `address` until cancelled. A bind failure is logged
    and retried every `retry_seconds`, or raised with `hard_fail` (bindAddressHardFail)."""
    from aiohttp import web

    def answer(status_body: tuple[int, str]) -> web.Response:
        status, body = status_body
        return web.Response(status=status, body=body.encode(), headers={  # no charset, as upstream
            "Content-Type": "application/json", "X-Content-Type-Options": "nosniff"})

    app = web.Application()
    app.router.add_get("/healthz", lambda _request: _respond(answer, health.healthz))
    app.router.add_get("/livez", lambda _request: _respond(answer, health.livez))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, port = split_host_port(address)
    try:
        while True:
            try:
                await web.TCPSite(runner, host, port).start()
                log.info("kube-proxy health server on %s (/healthz, /livez)", address)
                break
            except OSError as exc:
                message = f"failed to start proxy healthz on {address}: {exc.strerror or exc}"
                if hard_fail:
                    raise OSError(message) from None
                log.error("%s; retrying in %gs", message, retry_seconds)
                await asyncio.sleep(retry_seconds)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def _respond(answer, state):
    return answer(state())
