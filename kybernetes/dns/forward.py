# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Forwarding names outside the cluster to the node's resolvers (CoreDNS's
`forward . /etc/resolv.conf`): UDP first, TCP again when the answer comes back truncated,
the next resolver when one does not answer."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import struct
from pathlib import Path

log = logging.getLogger("kybernetes.dns.forward")

UDP_TIMEOUT = 2.0
TCP_TIMEOUT = 5.0


def parse_resolv_conf(text: str, skip: set[str] = frozenset()) -> list[tuple[str, int]]:
    """The `nameserver` lines as (address, 53), leaving out our own addresses (`skip`) so a
    node whose resolv.conf names the cluster DNS does not forward to itself in a loop."""
    servers: list[tuple[str, int]] = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            address = fields[1].split("%", 1)[0]  # a zone index (fe80::1%eth0) is not routable here
            try:
                address = str(ipaddress.ip_address(address))
            except ValueError:
                continue
            if address not in skip and (address, 53) not in servers:
                servers.append((address, 53))
    return servers


def read_upstreams(path: str | Path, skip: set[str] = frozenset()) -> list[tuple[str, int]]:
    try:
        return parse_resolv_conf(Path(path).read_text(), skip)
    except OSError as exc:
        log.warning("cannot read %s (%s): names outside the cluster will fail", path, exc)
        return []


class _OneShot(asyncio.DatagramProtocol):
    def __init__(self, query_id: bytes) -> None:
        self.query_id = query_id
        self.reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr) -> None:
        if data[:2] == self.query_id and not self.reply.done():
            self.reply.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(exc)


async def query_udp(packet: bytes, server: tuple[str, int], timeout: float = UDP_TIMEOUT) -> bytes:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _OneShot(packet[:2]), remote_addr=server)
    try:
        transport.sendto(packet)
        return await asyncio.wait_for(protocol.reply, timeout)
    finally:
        transport.close()


async def query_tcp(packet: bytes, server: tuple[str, int], timeout: float = TCP_TIMEOUT) -> bytes:
    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(*server)
        try:
            writer.write(struct.pack("!H", len(packet)) + packet)
            await writer.drain()
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            return await reader.readexactly(length)
        finally:
            writer.close()
    return await asyncio.wait_for(exchange(), timeout)


def _truncated(reply: bytes) -> bool:
    return len(reply) >= 3 and bool(reply[2] & 0x02)


class Forwarder:
    """Sends a query on to the upstream resolvers; None when none of them answered."""

    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        self.upstreams = upstreams

    async def forward(self, packet: bytes, over_tcp: bool = False) -> bytes | None:
        for server in self.upstreams:
            try:
                if not over_tcp:
                    reply = await query_udp(packet, server)
                    if not _truncated(reply):
                        return reply
                return await query_tcp(packet, server)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, struct.error) as exc:
                log.debug("upstream %s:%d did not answer: %r", *server, exc)
        return None
