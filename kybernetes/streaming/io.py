# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The thin I/O around the protocol machines: taking over an HTTP connection after a
101 (aiohttp only switches protocols for websocket itself), byte pipes over a raw
connection or a websocket, and an asyncio driver for a SPDY session."""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import WSMsgType, web

from kybernetes.streaming import spdy

READ_SIZE = 64 * 1024


class _Feeder:
    """Stands in for aiohttp's payload parser: every byte after the request goes to a
    StreamReader that we read."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self.reader.feed_data(data)
        return False, b""

    def feed_eof(self) -> None:
        self.reader.feed_eof()


class RawChannel:
    """Both directions of a taken-over connection."""

    def __init__(self, reader: asyncio.StreamReader, transport: asyncio.Transport,
                 drain: Callable[[], Awaitable[None]]) -> None:
        self.reader = reader
        self.transport = transport
        self._drain = drain

    async def read(self) -> bytes:
        return await self.reader.read(READ_SIZE)

    async def write(self, data: bytes) -> None:
        if data and not self.transport.is_closing():
            self.transport.write(data)
            await self._drain()

    def write_eof(self) -> None:
        if not self.transport.is_closing() and self.transport.can_write_eof():
            try:
                self.transport.write_eof()
            except (OSError, RuntimeError, NotImplementedError):  # TLS has no half-close
                pass

    async def close(self) -> None:
        self.transport.close()


async def hijack(request: web.Request, headers: dict[str, str] | list[tuple[str, str]],
                 status: int = 101, reason: str | None = None) -> tuple[RawChannel, web.StreamResponse]:
    """Answer `status` (101) with `headers` and take the connection over. The parser is
    swapped before the answer goes out, so the peer's first frames cannot be read as
    another HTTP request. Return the response from the handler when done."""
    protocol = request.protocol
    transport = request.transport
    if transport is None:
        raise ConnectionResetError("the client went away")
    reader = asyncio.StreamReader(limit=4 * READ_SIZE)
    reader.set_transport(transport)  # pauses reading when we fall behind
    protocol.set_parser(_Feeder(reader))
    protocol.keep_alive(False)
    response = web.StreamResponse(status=status, reason=reason)
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        response.headers.add(name, value)
    response.force_close()
    await response.prepare(request)

    async def drain() -> None:
        # aiohttp's protocol is a flow-control mixin; wait while the transport is full
        helper = getattr(protocol, "_drain_helper", None)
        if helper is not None and transport.get_write_buffer_size() > 256 * 1024:
            await helper()
    return RawChannel(reader, transport, drain), response


class WebSocketByteChannel:
    """A websocket used as a byte pipe (SPDY tunnelled in binary messages)."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws

    async def read(self) -> bytes:
        while True:
            message = await self.ws.receive()
            if message.type == WSMsgType.BINARY:
                if message.data:
                    return message.data
                continue
            if message.type == WSMsgType.TEXT:
                return message.data.encode()
            return b""  # close, error, closed

    async def write(self, data: bytes) -> None:
        if data and not self.ws.closed:
            await self.ws.send_bytes(data)

    def write_eof(self) -> None:
        pass

    async def close(self) -> None:
        if not self.ws.closed:
            await self.ws.close()


async def splice(first: RawChannel, second_reader: asyncio.StreamReader,
                 second_writer: asyncio.StreamWriter) -> None:
    """Copy bytes both ways between a taken-over client connection (`first`) and a
    backend connection. The session is over when the backend is done; when the client
    is done first the backend is told (a half-close where the transport has one,
    else the connection closes, as TLS cannot half-close)."""
    async def forward() -> None:
        try:
            while data := await first.read():
                second_writer.write(data)
                await second_writer.drain()
        except (ConnectionError, OSError):
            pass
        if second_writer.can_write_eof():
            try:
                second_writer.write_eof()
                return
            except (OSError, RuntimeError):
                pass
        second_writer.close()

    async def backward() -> None:
        try:
            while data := await second_reader.read(READ_SIZE):
                await first.write(data)
        except (ConnectionError, OSError):
            pass

    to_backend = asyncio.create_task(forward())
    to_client = asyncio.create_task(backward())
    try:
        await to_client
    finally:
        to_backend.cancel()
        to_client.cancel()
        await asyncio.gather(to_backend, to_client, return_exceptions=True)
        second_writer.close()
        await first.close()


# ------------------------------------------------------------------ SPDY
class SpdyStream:
    """One peer-opened stream: read its data, write ours."""

    def __init__(self, connection: "SpdyConnection", stream_id: int,
                 headers: dict[str, list[str]]) -> None:
        self.connection = connection
        self.stream_id = stream_id
        self.headers = headers
        self.reader = asyncio.StreamReader(limit=4 * READ_SIZE)
        self.reset = False

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or [""])[0]

    async def read(self) -> bytes:
        data = await self.reader.read(READ_SIZE)
        if data:
            self.connection.session.consumed(self.stream_id, len(data))
        return data

    async def write(self, data: bytes) -> None:
        await self.connection.send(self.stream_id, data)

    async def close(self) -> None:
        self.connection.session.close_stream(self.stream_id)
        await self.connection.flush()


class SpdyConnection:
    """Drives a server-side spdy.Session over a byte channel. `on_stream` is called for
    every stream the peer opens (after we have replied to it)."""

    def __init__(self, channel, on_stream: Callable[[SpdyStream], None]) -> None:
        self.channel = channel
        self.session = spdy.Session()
        self.on_stream = on_stream
        self.streams: dict[int, SpdyStream] = {}
        self.closed = asyncio.Event()
        self._write_lock = asyncio.Lock()

    async def flush(self) -> None:
        async with self._write_lock:
            data = self.session.take_outbound()
            if data:
                try:
                    await self.channel.write(data)
                except (ConnectionError, RuntimeError):
                    self.closed.set()

    async def send(self, stream_id: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            state = self.session.streams.get(stream_id)
            if state is None or state.local_closed or self.closed.is_set():
                return
            sent = self.session.send_data(stream_id, bytes(view))
            await self.flush()
            view = view[sent:]
            if view:  # the window is shut: wait for the peer's WINDOW_UPDATE
                await asyncio.sleep(0.01)

    async def run(self) -> None:
        """Read frames until the peer goes away or the connection breaks."""
        try:
            while True:
                data = await self.channel.read()
                if not data:
                    break
                for event in self.session.receive(data):
                    self._dispatch(event)
                await self.flush()
                if self.session.going_away and not self.session.streams:
                    break
        except spdy.SpdyProtocolError:
            self.session.goaway(spdy.PROTOCOL_ERROR)
            await self.flush()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for stream in self.streams.values():
                stream.reader.feed_eof()
            self.closed.set()

    def _dispatch(self, event) -> None:
        if isinstance(event, spdy.StreamOpened):
            stream = SpdyStream(self, event.stream_id, event.headers)
            self.streams[event.stream_id] = stream
            self.session.reply(event.stream_id)
            if event.fin:
                stream.reader.feed_eof()
            self.on_stream(stream)
        elif isinstance(event, spdy.DataReceived):
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                if event.data:
                    stream.reader.feed_data(event.data)
                if event.fin:
                    stream.reader.feed_eof()
        elif isinstance(event, spdy.StreamReset):
            stream = self.streams.pop(event.stream_id, None)
            if stream is not None:
                stream.reset = True
                stream.reader.feed_eof()
        elif isinstance(event, spdy.SessionEnded):
            for stream in self.streams.values():
                stream.reader.feed_eof()

    async def close(self) -> None:
        self.session.goaway()
        await self.flush()
        await self.channel.close()
        self.closed.set()
