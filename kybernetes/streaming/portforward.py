# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Port-forward streams over SPDY (`portforward.k8s.io`): for each forwarded
connection the client opens an error stream and a data stream, both carrying the
`port` and `requestID` headers; the pair is complete when both have arrived."""
from __future__ import annotations

from dataclasses import dataclass, field

PROTOCOL = "portforward.k8s.io"
WEBSOCKET_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
STREAM_TYPE, PORT, REQUEST_ID = "streamtype", "port", "requestid"
DATA, ERROR = "data", "error"


class PortForwardError(Exception):
    """Stream headers that do not describe a port-forward stream."""


def parse_port(text: str) -> int:
    """The `port` header, with upstream's messages for bad values."""
    try:
        port = int(text)
    except ValueError:
        raise PortForwardError(f'unable to parse "{text}" as a port: invalid syntax') from None
    if not 0 < port <= 65535:
        raise PortForwardError(f'port "{text}" must be > 0')
    return port


@dataclass
class StreamPair:
    request_id: str
    port: int = 0
    data_stream: int | None = None
    error_stream: int | None = None

    @property
    def complete(self) -> bool:
        return self.data_stream is not None and self.error_stream is not None


@dataclass
class Pairs:
    """Pending pairs by requestID. Old clients that send no requestID are paired by
    stream id: the error stream is opened first, so stream n's data stream is n + 2."""
    pending: dict[str, StreamPair] = field(default_factory=dict)

    def add(self, stream_id: int, headers: dict[str, list[str]]) -> StreamPair | None:
        """Record a stream; returns its pair once both streams are there."""
        kind = (headers.get(STREAM_TYPE) or [""])[0]
        if kind not in (DATA, ERROR):
            raise PortForwardError(f"invalid stream type {kind!r}")
        port_text = (headers.get(PORT) or [""])[0]
        if not port_text:
            raise PortForwardError(f"{PORT} header is required")
        port = parse_port(port_text)
        request_id = (headers.get(REQUEST_ID) or [""])[0]
        if not request_id:
            request_id = str(stream_id if kind == ERROR else stream_id - 2)
        pair = self.pending.setdefault(request_id, StreamPair(request_id, port))
        if kind == DATA:
            if pair.data_stream is not None:
                raise PortForwardError(f"duplicate data stream for request {request_id}")
            pair.data_stream = stream_id
        else:
            if pair.error_stream is not None:
                raise PortForwardError(f"duplicate error stream for request {request_id}")
            pair.error_stream = stream_id
        if pair.complete:
            del self.pending[request_id]
            return pair
        return None

    def forget_stream(self, stream_id: int) -> None:
        for key, pair in list(self.pending.items()):
            if stream_id in (pair.data_stream, pair.error_stream):
                del self.pending[key]


def forward_error(port: int, pod: str, uid: str, reason: str) -> bytes:
    return f"error forwarding port {port} to pod {pod}, uid {uid}: {reason}".encode()
