# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""exec and attach over SPDY (client-go's remotecommand fallback): the protocol is chosen
with X-Stream-Protocol-Version, then the client opens one SPDY stream per standard
stream, each named by its `streamType` header."""
from __future__ import annotations

from dataclasses import dataclass, field

from kybernetes.streaming import channels

PROTOCOL_HEADER = "X-Stream-Protocol-Version"
V4, V3, V2, V1 = "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"
SUPPORTED = (V4, V3, V2, V1)

STREAM_TYPE = "streamtype"
STDIN, STDOUT, STDERR, ERROR, RESIZE = "stdin", "stdout", "stderr", "error", "resize"


class RemoteCommandError(Exception):
    """The client's streams do not match what it asked for."""


def offered(header_values: list[str]) -> list[str]:
    """Every protocol of possibly repeated, possibly comma-separated header values."""
    return [p.strip() for value in header_values for p in value.split(",") if p.strip()]


def negotiate(offered_versions: list[str], supported: tuple[str, ...] = SUPPORTED) -> str | None:
    """The first offered version we support (the client's order), as upstream's
    httpstream.Handshake; None when none matches."""
    for version in offered_versions:
        if version in supported:
            return version
    return None


def version_number(protocol: str) -> int:
    return {V4: 4, V3: 3, V2: 2}.get(protocol, 1)


def expected_streams(protocol: str, *, stdin: bool, stdout: bool, stderr: bool,
                     tty: bool) -> set[str]:
    """The stream types the client will open for these options."""
    wanted = {ERROR}
    if stdin:
        wanted.add(STDIN)
    if stdout:
        wanted.add(STDOUT)
    if stderr and not tty:
        wanted.add(STDERR)
    if tty and version_number(protocol) >= 3:
        wanted.add(RESIZE)
    return wanted


@dataclass
class StreamSet:
    """Collects the client's streams until all it should open are there."""
    expected: set[str]
    by_type: dict[str, int] = field(default_factory=dict)

    def add(self, stream_id: int, headers: dict[str, list[str]]) -> str:
        kind = (headers.get(STREAM_TYPE) or [""])[0]
        if kind not in (STDIN, STDOUT, STDERR, ERROR, RESIZE):
            raise RemoteCommandError(f"unexpected stream type: {kind!r}")
        if kind in self.by_type:
            raise RemoteCommandError(f"duplicate stream of type {kind}")
        self.by_type[kind] = stream_id
        return kind

    @property
    def complete(self) -> bool:
        return self.expected <= set(self.by_type)

    def type_of(self, stream_id: int) -> str | None:
        for kind, ident in self.by_type.items():
            if ident == stream_id:
                return kind
        return None


def error_stream_message(protocol: str, argv: list[str], code: int | None,
                         failure: str = "") -> bytes | None:
    """What the error stream carries at the end: a Status from v4 on, text before."""
    as_channel = channels.ChannelProtocol(channels.V4 if version_number(protocol) >= 4 else "")
    return channels.error_message(as_channel, argv, code, failure)
