# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The userspace proxy (the process runtime's fallback) on loopback sockets."""
from __future__ import annotations

import asyncio
import socket

from kybernetes.proxy.model import Endpoint, ServicePort
from kybernetes.proxy.userspace import UserspaceProxy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def backend(reply: bytes) -> asyncio.AbstractServer:
    async def handle(reader, writer):
        await reader.readline()
        writer.write(reply)
        await writer.drain()
        writer.close()
    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def ask(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"hello\n")
    await writer.drain()
    try:
        data = await reader.read()
    except ConnectionResetError:  # closed with our request unread: no answer either
        data = b""
    writer.close()
    return data


def test_node_port_round_robins_over_ready_endpoints_and_follows_changes():
    async def scenario():
        one, two = await backend(b"one"), await backend(b"two")
        node_port = free_port()
        endpoints = [Endpoint("127.0.0.1", s.sockets[0].getsockname()[1]) for s in (one, two)]
        not_ready = Endpoint("127.0.0.1", free_port(), ready=False)
        port = ServicePort("default", "web", "", "TCP", 80, ["10.96.0.5"], node_port=node_port,
                           endpoints=[*endpoints, not_ready])
        proxy = UserspaceProxy("127.0.0.1")
        try:
            await proxy.sync([port])
            answers = [await ask(node_port) for _ in range(4)]
            assert sorted(answers) == [b"one", b"one", b"two", b"two"]
            port.endpoints = [endpoints[1]]
            await proxy.sync([port])
            assert {await ask(node_port) for _ in range(3)} == {b"two"}
            port.endpoints = []
            await proxy.sync([port])
            assert await ask(node_port) == b""  # closed at once: no endpoint
            await proxy.sync([])
            try:
                await ask(node_port)
                raise AssertionError("the node port still listens after its service went")
            except ConnectionRefusedError:
                pass
        finally:
            await proxy.close()
            one.close()
            two.close()
    asyncio.run(scenario())
