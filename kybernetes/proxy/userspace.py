# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The userspace fallback for nodes without a pod network (the `process` runtime):
an asyncio TCP proxy on each service's NodePort, forwarding round-robin to the ready
endpoints. ClusterIPs are not routable without a pod network, so only NodePorts serve."""
from __future__ import annotations

import asyncio
import itertools
import logging

from kybernetes.proxy.model import ServicePort
from kybernetes.proxy.rules import usable

log = logging.getLogger("kybernetes.proxy.userspace")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.write_eof() if writer.can_write_eof() else writer.close()
        except (OSError, RuntimeError):
            pass


class _Listener:
    def __init__(self, port: ServicePort) -> None:
        self.port = port
        self.rotation = itertools.count()
        self.server: asyncio.AbstractServer | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        endpoints = usable(self.port.endpoints)
        upstream = None
        for _ in range(len(endpoints)):
            endpoint = endpoints[next(self.rotation) % len(endpoints)]
            try:
                upstream = await asyncio.open_connection(endpoint.ip, endpoint.port)
                break
            except OSError:
                continue
        if upstream is None:  # no endpoint: refuse as the iptables REJECT would
            writer.close()
            return
        up_reader, up_writer = upstream
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        for w in (writer, up_writer):
            w.close()


class UserspaceProxy:
    def __init__(self, host: str = "0.0.0.0") -> None:
        self.host = host
        self.listeners: dict[tuple[int, str], _Listener] = {}

    async def sync(self, ports: list[ServicePort]) -> None:
        wanted = {(p.node_port, p.protocol): p for p in ports if p.node_port and p.protocol == "TCP"}
        for key in list(self.listeners):
            if key not in wanted:
                listener = self.listeners.pop(key)
                listener.server.close()
                await listener.server.wait_closed()
        for key, port in wanted.items():
            listener = self.listeners.get(key)
            if listener is not None:
                listener.port = port  # new endpoints take effect for the next connection
                continue
            listener = _Listener(port)
            try:
                listener.server = await asyncio.start_server(listener._handle, self.host, key[0],
                                                             reuse_address=True)
            except OSError as exc:
                log.warning("cannot listen on node port %d for %s: %s", key[0],
                            port.port_name_string, exc)
                continue
            self.listeners[key] = listener

    async def close(self) -> None:
        for listener in self.listeners.values():
            listener.server.close()
        self.listeners.clear()
