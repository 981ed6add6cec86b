# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The websocket channel protocols of exec, attach and port-forward (*.channel.k8s.io).

Every binary message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error,
4 resize. The base64 variants send text messages whose first character is the channel
digit and whose rest is base64. v4 puts a Status JSON on the error channel; v5 adds the
CLOSE signal `[255, channel]` (the sender will write no more on that channel).
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import orjson

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE_SIGNAL = 255

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
V4_BASE64 = "v4.base64.channel.k8s.io"
PRE_V4 = "channel.k8s.io"
PRE_V4_BASE64 = "base64.channel.k8s.io"
# The kubelet's preference does not matter: the client's order decides (first offered
# that the server supports), as upstream's wsstream negotiation does.
REMOTE_COMMAND_PROTOCOLS = (V5, V4, V4_BASE64, PRE_V4, PRE_V4_BASE64)
PORT_FORWARD_PROTOCOLS = (V4, V4_BASE64, PRE_V4, PRE_V4_BASE64)


class ChannelProtocolError(Exception):
    """A message that does not follow the negotiated channel protocol."""


@dataclass(frozen=True)
class ChannelProtocol:
    """The negotiated protocol; "" (no Sec-WebSocket-Protocol) behaves as channel.k8s.io."""
    name: str

    @property
    def base64(self) -> bool:
        return "base64" in self.name

    @property
    def version(self) -> int:
        if self.name.startswith("v5."):
            return 5
        if self.name.startswith("v4."):
            return 4
        return 1

    @property
    def status_errors(self) -> bool:
        """Whether the error channel carries a Status object (v4+) or plain text."""
        return self.version >= 4

    @property
    def has_close(self) -> bool:
        return self.version >= 5

    def encode(self, channel: int, data: bytes) -> bytes | str:
        """One message for `channel`; text (str) for the base64 variants."""
        if self.base64:
            return str(channel) + base64.b64encode(data).decode("ascii")
        return bytes((channel,)) + data

    def encode_close(self, channel: int) -> bytes:
        if not self.has_close:
            raise ChannelProtocolError(f"{self.name or PRE_V4} has no close signal")
        return bytes((CLOSE_SIGNAL, channel))

    def decode(self, message: bytes | str) -> tuple[int, bytes, bool]:
        """(channel, data, is_close) of one received message. An empty message carries
        nothing and decodes as channel -1. The frame's type does not matter, as in
        upstream's server: the Python client sends text frames with a raw channel byte."""
        if self.base64:
            text = message if isinstance(message, str) else message.decode("ascii", "replace")
            if not text:
                return -1, b"", False
            if not text[0].isdigit():
                raise ChannelProtocolError(f"invalid channel {text[0]!r}")
            try:
                return int(text[0]), base64.b64decode(text[1:], validate=True), False
            except (binascii.Error, ValueError) as exc:
                raise ChannelProtocolError(f"invalid base64 data: {exc}") from None
        if isinstance(message, str):
            message = message.encode("utf-8")
        if not message:
            return -1, b"", False
        channel = message[0]
        if channel == CLOSE_SIGNAL and self.has_close:
            if len(message) != 2:
                raise ChannelProtocolError("a close signal is [255, channel]")
            return message[1], b"", True
        return channel, bytes(message[1:]), False


def negotiate(offered: list[str], supported: tuple[str, ...]) -> str | None:
    """The first protocol the client offered that we support; "" when it offered none
    (the legacy default, channel.k8s.io); None when nothing matches."""
    if not offered:
        return ""
    for name in offered:
        if name in supported:
            return name
    return None


def offered_protocols(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


# ------------------------------------------------------------------ error channel
def success_status() -> bytes:
    return orjson.dumps({"metadata": {}, "status": "Success"})


def exit_code_status(argv: list[str], code: int) -> bytes:
    """The Status a v4+ client turns into `command terminated with exit code N`."""
    return orjson.dumps({
        "metadata": {}, "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command "
                   f"{_argv_text(argv)}, exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}})


def failure_status(message: str) -> bytes:
    return orjson.dumps({"metadata": {}, "status": "Failure", "message": message,
                         "reason": "InternalError", "code": 500,
                         "details": {"causes": [{"message": message}]}})


def error_message(protocol: ChannelProtocol, argv: list[str], code: int | None,
                  failure: str = "") -> bytes | None:
    """What goes on the error channel when the process is done: a Status (v4+), or
    plain text for older protocols (nothing on success)."""
    if protocol.status_errors:
        if failure:
            return failure_status(failure)
        return success_status() if not code else exit_code_status(argv, code)
    if failure:
        return failure.encode()
    if code:
        return f"command terminated with non-zero exit code: exit status {code}".encode()
    return None


def _argv_text(argv: list[str]) -> str:
    return "[" + " ".join(argv) + "]"


# ------------------------------------------------------------------ resize
def parse_resize(data: bytes) -> list[tuple[int, int]]:
    """(width, height) of each `{"Width":w,"Height":h}` in `data`; objects may be
    concatenated or newline-separated (a json.Encoder stream)."""
    sizes = []
    for line in data.replace(b"}{", b"}\n{").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise ChannelProtocolError(f"invalid resize message {line[:80]!r}") from None
        if not isinstance(value, dict):
            raise ChannelProtocolError(f"invalid resize message {line[:80]!r}")
        width, height = value.get("Width", 0), value.get("Height", 0)
        if not isinstance(width, int) or not isinstance(height, int) or width < 0 or height < 0:
            raise ChannelProtocolError(f"invalid terminal size {line[:80]!r}")
        sizes.append((width, height))
    return sizes


# ------------------------------------------------------------------ legacy port-forward
def port_forward_channels(port_index: int) -> tuple[int, int]:
    """(data channel, error channel) of the i-th port of `?ports=a,b`."""
    return 2 * port_index, 2 * port_index + 1


def port_forward_first_message(protocol: ChannelProtocol, channel: int, port: int) -> bytes | str:
    """The server's first message on each port-forward channel: the port, little-endian."""
    return protocol.encode(channel, bytes((port & 0xFF, (port >> 8) & 0xFF)))


def parse_ports(values: list[str]) -> list[int]:
    """`ports=80,443` (possibly repeated) as upstream's kubelet reads it."""
    ports: list[int] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            try:
                port = int(item)
            except ValueError:
                raise ChannelProtocolError(f'unable to parse "{item}" as a port: '
                                           f'invalid syntax') from None
            if not 0 < port <= 65535:
                raise ChannelProtocolError(f"port {item} must be > 0 and <= 65535")
            ports.append(port)
    return ports
