# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's port-forward sessions: SPDY/3.1 port-forward streams (over a raw
upgrade, or tunnelled in a websocket as kubectl 1.30+ does) and the Python client's
legacy websocket channels (`?ports=`), each forwarded to a runtime's connection."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from aiohttp import WSMsgType, web

from kybernetes.kubelet.streamserver import StreamRequestError, spdy_protocol, upgrade_kind
from kybernetes.streaming import channels, portforward, remotecommand, spdy
from kybernetes.streaming.io import READ_SIZE, SpdyConnection, SpdyStream, WebSocketByteChannel, hijack

log = logging.getLogger("kybernetes.kubelet.streams")
Forwarder = Callable[[int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


async def serve_port_forward(request: web.Request, forward: Forwarder, pod_name: str,
                             uid: str) -> web.StreamResponse:
    kind = upgrade_kind(request)
    if kind == "spdy":
        version = spdy_protocol(request, (portforward.PROTOCOL,))
        headers = [("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1")]
        if version:
            headers.append((remotecommand.PROTOCOL_HEADER, version))
        channel, response = await hijack(request, headers)
        await _spdy_port_forward(channel, forward, pod_name, uid)
        return response
    offered = channels.offered_protocols(request.headers.get("Sec-WebSocket-Protocol", ""))
    if portforward.WEBSOCKET_TUNNEL_PROTOCOL in offered:
        ws = web.WebSocketResponse(protocols=(portforward.WEBSOCKET_TUNNEL_PROTOCOL,),
                                   autoping=True, max_msg_size=0, compress=False)
        await ws.prepare(request)
        await _spdy_port_forward(WebSocketByteChannel(ws), forward, pod_name, uid)
        return ws
    return await _channel_port_forward(request, offered, forward, pod_name, uid)


async def _spdy_port_forward(channel, forward: Forwarder, pod_name: str, uid: str) -> None:
    pairs = portforward.Pairs()
    tasks: set[asyncio.Task] = set()

    def on_stream(stream: SpdyStream) -> None:
        try:
            pair = pairs.add(stream.stream_id, stream.headers)
        except portforward.PortForwardError as exc:
            log.info("port-forward: %s", exc)
            connection.session.reset(stream.stream_id, spdy.PROTOCOL_ERROR)
            return
        if pair is not None:
            task = asyncio.create_task(_forward_pair(connection, pair, forward, pod_name, uid))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    connection = SpdyConnection(channel, on_stream)
    try:
        await connection.run()
    finally:
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await connection.close()


async def _forward_pair(connection: SpdyConnection, pair: portforward.StreamPair,
                        forward: Forwarder, pod_name: str, uid: str) -> None:
    data = connection.streams[pair.data_stream]
    error = connection.streams[pair.error_stream]
    try:
        reader, writer = await forward(pair.port)
    except Exception as exc:  # refused, no such port, runtime without networking
        await error.write(portforward.forward_error(pair.port, pod_name, uid, str(exc)))
        await error.close()
        await data.close()
        return

    async def to_pod() -> None:
        try:
            while chunk := await data.read():
                writer.write(chunk)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            pass

    async def from_pod() -> None:
        try:
            while chunk := await reader.read(READ_SIZE):
                await data.write(chunk)
        except (ConnectionError, OSError):
            pass
        await data.close()

    try:
        await asyncio.gather(to_pod(), from_pod())
    finally:
        writer.close()
        await error.close()


async def _channel_port_forward(request: web.Request, offered: list[str], forward: Forwarder,
                                pod_name: str, uid: str) -> web.StreamResponse:
    """The Python client's protocol: one data and one error channel per `ports=` entry."""
    try:
        ports = channels.parse_ports(request.query.getall("ports", []))
    except channels.ChannelProtocolError as exc:
        raise StreamRequestError(400, str(exc)) from None
    if not ports:
        raise StreamRequestError(400, 'query parameter "port" is required')
    name = channels.negotiate(offered, channels.PORT_FORWARD_PROTOCOLS)
    if name is None:
        raise StreamRequestError(400, f"unable to negotiate a websocket protocol: client supports "
                                      f"{offered}, server accepts {list(channels.PORT_FORWARD_PROTOCOLS)}")
    protocol = channels.ChannelProtocol(name)
    ws = web.WebSocketResponse(protocols=(name,) if name else (), autoping=True,
                               max_msg_size=0, compress=False)
    await ws.prepare(request)
    lock = asyncio.Lock()

    async def send(message) -> None:
        async with lock:
            if ws.closed:
                return
            if isinstance(message, str):
                await ws.send_str(message)
            else:
                await ws.send_bytes(message)

    writers: dict[int, asyncio.StreamWriter] = {}
    tasks: list[asyncio.Task] = []
    for index, port in enumerate(ports):
        data_channel, error_channel = channels.port_forward_channels(index)
        await send(channels.port_forward_first_message(protocol, data_channel, port))
        await send(channels.port_forward_first_message(protocol, error_channel, port))
        try:
            reader, writer = await forward(port)
        except Exception as exc:
            await send(protocol.encode(error_channel,
                                       portforward.forward_error(port, pod_name, uid, str(exc))))
            continue
        writers[data_channel] = writer

        async def from_pod(reader=reader, channel=data_channel) -> None:
            try:
                while chunk := await reader.read(READ_SIZE):
                    await send(protocol.encode(channel, chunk))
            except (ConnectionError, OSError):
                pass
        tasks.append(asyncio.create_task(from_pod()))
    try:
        async for message in ws:
            if message.type not in (WSMsgType.BINARY, WSMsgType.TEXT):
                continue
            try:
                channel, data, is_close = protocol.decode(message.data)
            except channels.ChannelProtocolError as exc:
                log.info("port-forward: %s", exc)
                continue
            writer = writers.get(channel)
            if writer is None:
                continue
            if is_close:
                if writer.can_write_eof():
                    writer.write_eof()
            elif data:
                writer.write(data)
                await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for writer in writers.values():
            writer.close()
        await ws.close()
    return ws
