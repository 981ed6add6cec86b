# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The client-side load balancer: which API server a request goes to.

As a k3s agent does, a client that knows several API servers sticks to one and moves to
the next when that one stops answering (connection refused or reset, a 5xx from a server
losing its store). A server that failed is passed over for a short cool-down, then tried
again like the others. Pure: the clock is injected, no I/O here.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

# The kubeconfig cluster extension that lists every API server (the `server` field keeps
# the first, so kubectl and other clients that ignore extensions still work).
SERVERS_EXTENSION = "kybernetes.io/servers"

FAILURE_COOLDOWN = 5.0  # seconds a failed server is passed over while others answer

# Methods that may be sent again after the connection broke mid-request: the server may
# have acted on the first copy, and for these that is harmless.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Answers that mean "this server cannot serve now", not "your request is wrong".
FAILOVER_STATUSES = frozenset({500, 502, 503, 504})


def parse_servers(value: str | Iterable[str]) -> list[str]:
    """`https://a:6443,https://b:6444` (or a list of URLs) as a clean list, in order,
    without duplicates or trailing slashes."""
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        url = item.strip().rstrip("/")
        if not url:
            continue
        if "://" not in url:
            raise ValueError(f"API server {item.strip()!r} is not a URL (https://HOST:PORT)")
        if url not in out:
            out.append(url)
    if not out:
        raise ValueError("no API server given")
    return out


def servers_from_cluster(cluster: dict) -> list[str]:
    """The servers a kubeconfig cluster entry names: the `kybernetes.io/servers`
    extension (`extension: {servers: [URL, ...]}`) if present, else `server` (which may
    itself be a comma-separated list)."""
    for entry in cluster.get("extensions") or []:
        if isinstance(entry, dict) and entry.get("name") == SERVERS_EXTENSION:
            extension = entry.get("extension") or {}
            listed = extension.get("servers") if isinstance(extension, dict) else None
            if listed:
                return parse_servers(listed)
    return parse_servers(cluster.get("server") or "")


class ServerPool:
    """The API servers one client may use and which one it prefers now."""

    def __init__(self, servers: str | Iterable[str],
                 clock: Callable[[], float] = time.monotonic,
                 cooldown: float = FAILURE_COOLDOWN) -> None:
        self.servers = parse_servers(servers)
        self.clock = clock
        self.cooldown = cooldown
        self.current = 0
        self._failed_at: dict[str, float] = {}
        self.failovers = 0  # times the preferred server changed after a failure

    @property
    def preferred(self) -> str:
        return self.servers[self.current]

    def healthy(self, server: str) -> bool:
        failed = self._failed_at.get(server)
        return failed is None or self.clock() - failed >= self.cooldown

    def candidates(self) -> list[str]:
        """Every server, in the order to try them: the preferred one, then the others in
        list order, servers still cooling down after a failure last."""
        ordered = self.servers[self.current:] + self.servers[:self.current]
        return [s for s in ordered if self.healthy(s)] + [s for s in ordered if not self.healthy(s)]

    def succeeded(self, server: str) -> None:
        self._failed_at.pop(server, None)
        if server != self.preferred and not self.healthy(self.preferred):
            self.current = self.servers.index(server)

    def failed(self, server: str) -> None:
        """`server` did not answer: move the preference to the next healthy one."""
        self._failed_at[server] = self.clock()
        if server == self.preferred and len(self.servers) > 1:
            for offset in range(1, len(self.servers)):
                index = (self.current + offset) % len(self.servers)
                if self.healthy(self.servers[index]):
                    self.current = index
                    break
            else:
                self.current = (self.current + 1) % len(self.servers)
            self.failovers += 1


def should_retry(method: str, sent: bool) -> bool:
    """Whether a request that failed on one server may be sent to the next: always if
    it never reached the server, otherwise only if sending it twice is harmless."""
    return not sent or method.upper() in IDEMPOTENT_METHODS


def with_servers(kubeconfig: dict, servers: Iterable[str]) -> dict:
    """A copy of a kubeconfig (parsed) whose clusters list `servers` in the
    `kybernetes.io/servers` extension and keep the first as `server`."""
    servers = parse_servers(list(servers))
    out = dict(kubeconfig)
    out["clusters"] = []
    for entry in kubeconfig.get("clusters") or []:
        cluster = dict(entry.get("cluster") or {}, server=servers[0])
        extensions = [e for e in cluster.get("extensions") or []
                      if not (isinstance(e, dict) and e.get("name") == SERVERS_EXTENSION)]
        cluster["extensions"] = extensions + [
            {"name": SERVERS_EXTENSION, "extension": {"servers": servers}}]
        out["clusters"].append(dict(entry, cluster=cluster))
    return out
