# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's exec and attach sessions: the protocol machines of kybernetes.streaming
wired to a runtime's processes. They speak websocket channels (v1..v5.channel.k8s.io)
or, after kubectl's fallback, SPDY/3.1 streams (v1..v4). Port-forward is in
kybernetes.kubelet.portforwarder."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from aiohttp import WSMsgType, web

from kybernetes.kubelet.cri import StreamingProcess
from kybernetes.streaming import channels, remotecommand, spdy
from kybernetes.streaming.io import READ_SIZE, SpdyConnection, SpdyStream, hijack

log = logging.getLogger("kybernetes.kubelet.streams")
STREAM_CREATION_TIMEOUT = 30.0  # upstream's default for the client to open its streams


class StreamRequestError(Exception):
    """A streaming request that cannot be served; `code` is the HTTP status."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class CommandOptions:
    argv: list[str]
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool


def _flag(query, name: str) -> bool:
    return query.get(name, "").lower() in ("1", "true", "t", "yes")


def command_options(query, exec_: bool) -> CommandOptions:
    """Read exec/attach options from the query as upstream's kubelet does."""
    options = CommandOptions(list(query.getall("command", [])) if exec_ else [],
                             _flag(query, "stdin"), _flag(query, "stdout"),
                             _flag(query, "stderr"), _flag(query, "tty"))
    if exec_ and not options.argv:
        raise StreamRequestError(400, "you must specify at least one command for the container")
    if not (options.stdin or options.stdout or options.stderr):
        raise StreamRequestError(400, "you must specify at least 1 of stdin, stdout, stderr")
    if options.tty and options.stderr:
        options.stderr = False  # a terminal merges stderr into stdout
    return options


def upgrade_kind(request: web.Request) -> str:
    value = request.headers.get("Upgrade", "").strip().lower()
    if value == "websocket":
        return "websocket"
    if value.startswith("spdy/3.1"):
        return "spdy"
    raise StreamRequestError(400, "Upgrade request required")


async def _pump(reader: asyncio.StreamReader | None, send: Callable[[bytes], Awaitable[None]]) -> None:
    if reader is None:
        return
    while True:
        try:
            data = await reader.read(READ_SIZE)
        except OSError:  # a terminal's master reads EIO once the process side closed
            return
        if not data:
            return
        await send(data)


Starter = Callable[[], Awaitable[StreamingProcess]]
FIRST_SIZE_WAIT = 1.0  # how long a terminal session waits for the client's size


class _Process:
    """The client's side of a process that may not have started yet: stdin, the
    close of stdin and terminal sizes that arrive early are kept until it has."""

    def __init__(self) -> None:
        self.process: StreamingProcess | None = None
        self.size: tuple[int, int] | None = None
        self.sized = asyncio.Event()
        self._early_stdin: list[bytes] = []
        self._stdin_closed = False

    async def start(self, starter: Starter, tty: bool) -> StreamingProcess:
        if tty:  # start at the client's terminal size (it sends it first thing)
            try:
                await asyncio.wait_for(self.sized.wait(), FIRST_SIZE_WAIT)
            except asyncio.TimeoutError:
                pass
        process = await starter()
        self.process = process
        if self.size is not None:
            process.resize(*self.size)
        for data in self._early_stdin:
            await self._write(data)
        self._early_stdin.clear()
        if self._stdin_closed:
            self.close_stdin()
        return process

    def resize(self, width: int, height: int) -> None:
        self.size = (width, height)
        self.sized.set()
        if self.process is not None:
            self.process.resize(width, height)

    async def stdin(self, data: bytes) -> None:
        if self.process is None:
            self._early_stdin.append(data)
        else:
            await self._write(data)

    async def _write(self, data: bytes) -> None:
        stdin = self.process.stdin
        if stdin is None or stdin.is_closing():
            return
        try:
            stdin.write(data)
            await stdin.drain()
        except (ConnectionError, OSError, RuntimeError):
            pass

    def close_stdin(self) -> None:
        self._stdin_closed = True
        stdin = self.process.stdin if self.process is not None else None
        if stdin is not None and not stdin.is_closing():
            try:
                if stdin.can_write_eof():
                    stdin.write_eof()
                else:
                    stdin.close()
            except (OSError, RuntimeError):
                pass


async def _finish(process: StreamingProcess, pumps: list[asyncio.Task],
                  client_gone: Awaitable) -> int | None:
    """The exit code once the process has ended and its output is read; None when the
    client went away first (then the process is killed)."""
    exit_task = asyncio.ensure_future(process.wait())
    gone_task = asyncio.ensure_future(client_gone)
    try:
        await asyncio.wait({exit_task, gone_task}, return_when=asyncio.FIRST_COMPLETED)
        if not exit_task.done():
            await process.kill()
            return None
        await asyncio.gather(*pumps, return_exceptions=True)
        return exit_task.result()
    finally:
        gone_task.cancel()
        if not exit_task.done():
            exit_task.cancel()


# ------------------------------------------------------------------ exec / attach
def _reported(options: CommandOptions, code: int | None) -> int | None:
    """The exit code the error channel reports: exec's; attach reports success when the
    container ends, as upstream's (kubectl run -i reads the pod's phase for the code)."""
    if code is not None and not options.argv:
        return 0
    return code


async def serve_remote_command(request: web.Request, options: CommandOptions,
                               starter: Starter) -> web.StreamResponse:
    """Upgrade to the protocol the client asked for, then start the process (as
    upstream, once the client's streams exist) and connect it. A process that cannot
    start is reported on the error channel."""
    kind = upgrade_kind(request)
    if kind == "websocket":
        return await _websocket_command(request, options, starter)
    return await _spdy_command(request, options, starter)


async def _websocket_command(request: web.Request, options: CommandOptions,
                             starter: Starter) -> web.StreamResponse:
    offered = channels.offered_protocols(request.headers.get("Sec-WebSocket-Protocol", ""))
    name = channels.negotiate(offered, channels.REMOTE_COMMAND_PROTOCOLS)
    if name is None:
        raise StreamRequestError(400, f"unable to negotiate a websocket protocol: client "
                                      f"supports {offered}, server accepts "
                                      f"{list(channels.REMOTE_COMMAND_PROTOCOLS)}")
    protocol = channels.ChannelProtocol(name)
    ws = web.WebSocketResponse(protocols=(name,) if name else (), autoping=True,
                               max_msg_size=0, compress=False)
    await ws.prepare(request)
    send_lock = asyncio.Lock()
    target = _Process()

    async def send(channel: int, data: bytes) -> None:
        message = protocol.encode(channel, data)
        async with send_lock:
            if ws.closed:
                return
            if isinstance(message, str):
                await ws.send_str(message)
            else:
                await ws.send_bytes(message)

    async def incoming() -> None:
        async for message in ws:
            if message.type not in (WSMsgType.BINARY, WSMsgType.TEXT):
                continue
            try:
                channel, data, is_close = protocol.decode(message.data)
                if channel == channels.STDIN:
                    if is_close:
                        target.close_stdin()
                    elif data:
                        await target.stdin(data)
                elif channel == channels.RESIZE and data:
                    for width, height in channels.parse_resize(data):
                        target.resize(width, height)
            except channels.ChannelProtocolError as exc:
                log.info("exec stream: %s", exc)

    reader = asyncio.create_task(incoming())
    pumps: list[asyncio.Task] = []
    try:
        try:
            process = await target.start(starter, options.tty)
        except Exception as exc:  # the runtime could not run it: the client hears why
            message = channels.error_message(protocol, options.argv, None, str(exc))
            await send(channels.ERROR, message)
            await ws.close()
            return ws
        if options.stdout and process.stdout is not None:
            pumps.append(asyncio.create_task(_pump(process.stdout, lambda d: send(channels.STDOUT, d))))
        if options.stderr and process.stderr is not None:
            pumps.append(asyncio.create_task(_pump(process.stderr, lambda d: send(channels.STDERR, d))))
        code = _reported(options, await _finish(process, pumps, asyncio.shield(reader)))
        if code is not None:
            message = channels.error_message(protocol, options.argv, code)
            if message is not None:
                await send(channels.ERROR, message)
            await ws.close()
    finally:
        for task in (*pumps, reader):
            task.cancel()
        await asyncio.gather(*pumps, reader, return_exceptions=True)
    return ws


def spdy_protocol(request: web.Request, supported: tuple[str, ...]) -> str:
    offered = remotecommand.offered(request.headers.getall(remotecommand.PROTOCOL_HEADER, []))
    if not offered:
        return ""  # an old client: the first protocol version
    chosen = remotecommand.negotiate(offered, supported)
    if chosen is None:
        raise StreamRequestError(403, f"unable to upgrade: unable to negotiate protocol: client "
                                      f"supports {offered}, server accepts {list(supported)}")
    return chosen


async def _spdy_command(request: web.Request, options: CommandOptions,
                        starter: Starter) -> web.StreamResponse:
    version = spdy_protocol(request, remotecommand.SUPPORTED)
    headers = [("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1")]
    if version:
        headers.append((remotecommand.PROTOCOL_HEADER, version))
    channel, response = await hijack(request, headers)
    expected = remotecommand.expected_streams(version or remotecommand.V1, stdin=options.stdin,
                                              stdout=options.stdout, stderr=options.stderr,
                                              tty=options.tty)
    streams = remotecommand.StreamSet(expected)
    by_type: dict[str, SpdyStream] = {}
    ready = asyncio.Event()
    target = _Process()

    def on_stream(stream: SpdyStream) -> None:
        try:
            kind = streams.add(stream.stream_id, stream.headers)
        except remotecommand.RemoteCommandError as exc:
            log.info("exec over SPDY: %s", exc)
            connection.session.reset(stream.stream_id, spdy.PROTOCOL_ERROR)
            return
        by_type[kind] = stream
        if streams.complete:
            ready.set()

    connection = SpdyConnection(channel, on_stream)
    runner = asyncio.create_task(connection.run())
    tasks: list[asyncio.Task] = []
    try:
        waiter = asyncio.create_task(ready.wait())
        closed = asyncio.create_task(connection.closed.wait())
        await asyncio.wait({waiter, closed}, timeout=STREAM_CREATION_TIMEOUT,
                           return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        closed.cancel()
        if not ready.is_set():
            return response

        async def stdin_copy(stream: SpdyStream) -> None:
            while data := await stream.read():
                await target.stdin(data)
            target.close_stdin()

        async def resize_copy(stream: SpdyStream) -> None:
            pending = b""
            while data := await stream.read():
                pending += data
                complete, _, pending = pending.rpartition(b"\n")
                try:
                    for width, height in channels.parse_resize(complete):
                        target.resize(width, height)
                except channels.ChannelProtocolError as exc:
                    log.info("exec over SPDY: %s", exc)

        async def output_copy(reader, stream: SpdyStream) -> None:
            await _pump(reader, stream.write)
            await stream.close()

        if remotecommand.STDIN in by_type:
            tasks.append(asyncio.create_task(stdin_copy(by_type[remotecommand.STDIN])))
        if remotecommand.RESIZE in by_type:
            tasks.append(asyncio.create_task(resize_copy(by_type[remotecommand.RESIZE])))
        error_stream = by_type[remotecommand.ERROR]
        try:
            process = await target.start(starter, options.tty and remotecommand.RESIZE in by_type)
        except Exception as exc:  # the runtime could not run it: the client hears why
            message = remotecommand.error_stream_message(version or remotecommand.V1,
                                                         options.argv, None, str(exc))
            await error_stream.write(message or str(exc).encode())
            await error_stream.close()
            return response
        pumps = []
        for kind, reader in ((remotecommand.STDOUT, process.stdout),
                             (remotecommand.STDERR, process.stderr)):
            if kind in by_type:
                pumps.append(asyncio.create_task(output_copy(reader, by_type[kind])))
        tasks.extend(pumps)
        code = _reported(options, await _finish(process, pumps, connection.closed.wait()))
        if code is not None:
            message = remotecommand.error_stream_message(version or remotecommand.V1,
                                                         options.argv, code)
            if message:
                await error_stream.write(message)
            await error_stream.close()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await connection.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    return response
