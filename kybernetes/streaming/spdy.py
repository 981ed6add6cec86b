# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""SPDY/3.1 as a sans-IO state machine: frames in, events out, bytes to send.

Frames (SPDY/3 draft, section 2): a control frame is `1 | version(15) | type(16) |
flags(8) | length(24) | payload`; a data frame is `0 | stream id(31) | flags(8) |
length(24) | data`. Header blocks are `count(32) [len(32) name len(32) value]*`, zlib
compressed with the SPDY/3 dictionary, one compression context per direction for the
whole connection (each block ends with a sync flush).

The peers we serve (client-go through moby/spdystream) implement no flow control: they
never send WINDOW_UPDATE and send past our window. So by default the session tracks
both windows without enforcing them (credits still go back with WINDOW_UPDATE, as the
spec asks); a peer that does flow control gets it with enforce_flow_control=True.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

VERSION = 3

SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS = 1, 2, 3, 4
PING, GOAWAY, HEADERS, WINDOW_UPDATE = 6, 7, 8, 9
FLAG_FIN, FLAG_UNIDIRECTIONAL = 0x01, 0x02

# RST_STREAM status codes
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, UNSUPPORTED_VERSION = 1, 2, 3, 4
CANCEL, INTERNAL_ERROR, FLOW_CONTROL_ERROR, STREAM_IN_USE, STREAM_ALREADY_CLOSED = 5, 6, 7, 8, 9
# SETTINGS ids
SETTINGS_INITIAL_WINDOW_SIZE = 7
DEFAULT_WINDOW = 64 * 1024
MAX_DATA_LENGTH = (1 << 24) - 1
MAX_WINDOW = (1 << 31) - 1

# The SPDY/3 header dictionary: length-prefixed common header names, then common values.
_DICTIONARY_NAMES = (
    "options head post put delete trace accept accept-charset accept-encoding "
    "accept-language accept-ranges age allow authorization cache-control connection "
    "content-base content-encoding content-language content-length content-location "
    "content-md5 content-range content-type date etag expect expires from host if-match "
    "if-modified-since if-none-match if-range if-unmodified-since last-modified location "
    "max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after "
    "server te trailer transfer-encoding upgrade user-agent vary via warning "
    "www-authenticate method get status|200 OK version HTTP/1.1 url public set-cookie "
    "keep-alive origin").replace("|", " ")
_DICTIONARY_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417"
    "502504505203 Non-Authoritative Information204 No Content301 Moved Permanently"
    "400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error"
    "501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct "
    "Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,"
    "image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,"
    "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")


def _dictionary() -> bytes:
    words = _DICTIONARY_NAMES.split(" ")
    # "200 OK" is one entry with a space in it
    index = words.index("200")
    words[index:index + 2] = ["200 OK"]
    out = bytearray()
    for word in words:
        out += struct.pack(">I", len(word)) + word.encode("ascii")
    return bytes(out) + _DICTIONARY_TAIL.encode("ascii")


DICTIONARY = _dictionary()


class SpdyProtocolError(Exception):
    """The peer broke the protocol; the session is unusable (send GOAWAY and close)."""


# ------------------------------------------------------------------ frames
@dataclass
class SynStream:
    stream_id: int
    headers: dict[str, list[str]]
    associated_to: int = 0
    priority: int = 0
    flags: int = 0


@dataclass
class SynReply:
    stream_id: int
    headers: dict[str, list[str]]
    flags: int = 0


@dataclass
class Headers:
    stream_id: int
    headers: dict[str, list[str]]
    flags: int = 0


@dataclass
class RstStream:
    stream_id: int
    status: int


@dataclass
class Settings:
    entries: list[tuple[int, int, int]]  # (flags, id, value)
    flags: int = 0


@dataclass
class Ping:
    ping_id: int


@dataclass
class GoAway:
    last_good_stream_id: int
    status: int = 0


@dataclass
class WindowUpdate:
    stream_id: int
    delta: int


@dataclass
class Data:
    stream_id: int
    data: bytes
    flags: int = 0

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


Frame = SynStream | SynReply | Headers | RstStream | Settings | Ping | GoAway | WindowUpdate | Data


def encode_header_block(headers: dict[str, list[str]]) -> bytes:
    """The uncompressed name/value block; names lowercased, several values NUL-joined."""
    out = bytearray(struct.pack(">I", len(headers)))
    for name, values in headers.items():
        raw_name = name.lower().encode()
        raw_value = b"\x00".join(v.encode() for v in values)
        out += struct.pack(">I", len(raw_name)) + raw_name
        out += struct.pack(">I", len(raw_value)) + raw_value
    return bytes(out)


def decode_header_block(block: bytes) -> dict[str, list[str]]:
    try:
        (count,), offset = struct.unpack_from(">I", block), 4
        headers: dict[str, list[str]] = {}
        for _ in range(count):
            (length,) = struct.unpack_from(">I", block, offset)
            name = block[offset + 4:offset + 4 + length]
            offset += 4 + length
            (length,) = struct.unpack_from(">I", block, offset)
            value = block[offset + 4:offset + 4 + length]
            offset += 4 + length
            if len(value) != length or not name:
                raise SpdyProtocolError("truncated header block")
            key = name.decode("utf-8", "replace").lower()
            headers.setdefault(key, []).extend(v.decode("utf-8", "replace") for v in value.split(b"\x00"))
    except struct.error:
        raise SpdyProtocolError("truncated header block") from None
    return headers


class Framer:
    """Encodes and decodes frames; owns the two zlib contexts of one connection."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, 8,
                                            zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
        self._decompressor = zlib.decompressobj(15, DICTIONARY)
        self._buffer = bytearray()

    # -------------------------------------------------------------- encoding
    def compress(self, headers: dict[str, list[str]]) -> bytes:
        block = encode_header_block(headers)
        return self._compressor.compress(block) + self._compressor.flush(zlib.Z_SYNC_FLUSH)

    @staticmethod
    def _control(frame_type: int, flags: int, payload: bytes) -> bytes:
        if len(payload) > MAX_DATA_LENGTH:
            raise ValueError("control frame too long")
        return struct.pack(">HHI", 0x8000 | VERSION, frame_type, (flags << 24) | len(payload)) + payload

    def encode(self, frame: Frame) -> bytes:
        if isinstance(frame, Data):
            if len(frame.data) > MAX_DATA_LENGTH:
                raise ValueError("data frame too long")
            return struct.pack(">II", frame.stream_id & MAX_WINDOW,
                               (frame.flags << 24) | len(frame.data)) + frame.data
        if isinstance(frame, SynStream):
            payload = struct.pack(">IIBB", frame.stream_id, frame.associated_to,
                                  (frame.priority & 7) << 5, 0) + self.compress(frame.headers)
            return self._control(SYN_STREAM, frame.flags, payload)
        if isinstance(frame, SynReply):
            return self._control(SYN_REPLY, frame.flags,
                                 struct.pack(">I", frame.stream_id) + self.compress(frame.headers))
        if isinstance(frame, Headers):
            return self._control(HEADERS, frame.flags,
                                 struct.pack(">I", frame.stream_id) + self.compress(frame.headers))
        if isinstance(frame, RstStream):
            return self._control(RST_STREAM, 0, struct.pack(">II", frame.stream_id, frame.status))
        if isinstance(frame, Settings):
            payload = struct.pack(">I", len(frame.entries)) + b"".join(
                struct.pack(">II", (flags << 24) | ident, value) for flags, ident, value in frame.entries)
            return self._control(SETTINGS, frame.flags, payload)
        if isinstance(frame, Ping):
            return self._control(PING, 0, struct.pack(">I", frame.ping_id))
        if isinstance(frame, GoAway):
            return self._control(GOAWAY, 0, struct.pack(">II", frame.last_good_stream_id, frame.status))
        if isinstance(frame, WindowUpdate):
            return self._control(WINDOW_UPDATE, 0, struct.pack(">II", frame.stream_id, frame.delta))
        raise TypeError(f"not a SPDY frame: {frame!r}")

    # -------------------------------------------------------------- decoding
    def feed(self, data: bytes) -> list[Frame]:
        """Every complete frame in what has arrived so far."""
        self._buffer += data
        frames = []
        while len(self._buffer) >= 8:
            first, second = struct.unpack_from(">II", self._buffer)
            length = second & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            payload = bytes(self._buffer[8:8 + length])
            del self._buffer[:8 + length]
            flags = second >> 24
            if first & 0x80000000:
                version, frame_type = (first >> 16) & 0x7FFF, first & 0xFFFF
                if version != VERSION:
                    raise SpdyProtocolError(f"unsupported SPDY version {version}")
                frame = self._decode_control(frame_type, flags, payload)
                if frame is not None:
                    frames.append(frame)
            else:
                frames.append(Data(first & MAX_WINDOW, payload, flags))
        return frames

    def _headers(self, compressed: bytes) -> dict[str, list[str]]:
        try:
            block = self._decompressor.decompress(compressed)
        except zlib.error as exc:
            raise SpdyProtocolError(f"bad header compression: {exc}") from None
        return decode_header_block(block)

    def _decode_control(self, frame_type: int, flags: int, payload: bytes) -> Frame | None:
        try:
            if frame_type == SYN_STREAM:
                stream_id, associated, priority, _ = struct.unpack_from(">IIBB", payload)
                return SynStream(stream_id & MAX_WINDOW, self._headers(payload[10:]),
                                 associated & MAX_WINDOW, priority >> 5, flags)
            if frame_type in (SYN_REPLY, HEADERS):
                (stream_id,) = struct.unpack_from(">I", payload)
                kind = SynReply if frame_type == SYN_REPLY else Headers
                return kind(stream_id & MAX_WINDOW, self._headers(payload[4:]), flags)
            if frame_type == RST_STREAM:
                stream_id, status = struct.unpack_from(">II", payload)
                return RstStream(stream_id & MAX_WINDOW, status)
            if frame_type == SETTINGS:
                (count,) = struct.unpack_from(">I", payload)
                entries = []
                for index in range(count):
                    word, value = struct.unpack_from(">II", payload, 4 + 8 * index)
                    entries.append((word >> 24, word & 0xFFFFFF, value))
                return Settings(entries, flags)
            if frame_type == PING:
                return Ping(struct.unpack_from(">I", payload)[0])
            if frame_type == GOAWAY:
                last = struct.unpack_from(">I", payload)[0] & MAX_WINDOW
                status = struct.unpack_from(">I", payload, 4)[0] if len(payload) >= 8 else 0
                return GoAway(last, status)
            if frame_type == WINDOW_UPDATE:
                stream_id, delta = struct.unpack_from(">II", payload)
                return WindowUpdate(stream_id & MAX_WINDOW, delta & MAX_WINDOW)
        except struct.error:
            raise SpdyProtocolError(f"truncated control frame of type {frame_type}") from None
        return None  # unknown control frames are ignored, as the spec asks


# ------------------------------------------------------------------ session
@dataclass
class StreamOpened:
    stream_id: int
    headers: dict[str, list[str]]
    fin: bool


@dataclass
class DataReceived:
    stream_id: int
    data: bytes
    fin: bool


@dataclass
class StreamReset:
    stream_id: int
    status: int


@dataclass
class SessionEnded:
    """The peer sent GOAWAY."""
    last_good_stream_id: int
    status: int


Event = StreamOpened | DataReceived | StreamReset | SessionEnded


@dataclass
class _Stream:
    stream_id: int
    headers: dict[str, list[str]]
    send_window: int
    receive_window: int
    remote_closed: bool = False
    local_closed: bool = False
    replied: bool = False
    unacknowledged: int = 0  # bytes received and not yet credited back


@dataclass
class Session:
    """A server-side SPDY/3.1 session: the peer opens streams (odd ids), we reply and
    exchange data on them. Feed bytes with `receive`, send what `take_outbound` returns."""
    enforce_flow_control: bool = False
    initial_window: int = DEFAULT_WINDOW
    framer: Framer = field(default_factory=Framer)
    streams: dict[int, _Stream] = field(default_factory=dict)
    last_stream_id: int = 0
    send_window: int = DEFAULT_WINDOW  # the session window (SPDY/3.1)
    peer_initial_window: int = DEFAULT_WINDOW
    going_away: bool = False
    _outbound: bytearray = field(default_factory=bytearray)
    _session_unacknowledged: int = 0

    def take_outbound(self) -> bytes:
        data = bytes(self._outbound)
        self._outbound.clear()
        return data

    def _send(self, frame: Frame) -> None:
        self._outbound += self.framer.encode(frame)

    # -------------------------------------------------------------- input
    def receive(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        for frame in self.framer.feed(data):
            events.extend(self._handle(frame))
        return events

    def _handle(self, frame: Frame) -> list[Event]:
        if isinstance(frame, SynStream):
            return self._open(frame)
        if isinstance(frame, Data):
            return self._data(frame)
        if isinstance(frame, RstStream):
            stream = self.streams.pop(frame.stream_id, None)
            return [StreamReset(frame.stream_id, frame.status)] if stream is not None else []
        if isinstance(frame, Ping):
            if frame.ping_id % 2 == 1:  # the peer's ping (client ids are odd): echo it
                self._send(frame)
            return []
        if isinstance(frame, GoAway):
            self.going_away = True
            return [SessionEnded(frame.last_good_stream_id, frame.status)]
        if isinstance(frame, Settings):
            for _, ident, value in frame.entries:
                if ident == SETTINGS_INITIAL_WINDOW_SIZE and 0 < value <= MAX_WINDOW:
                    delta = value - self.peer_initial_window
                    self.peer_initial_window = value
                    for stream in self.streams.values():
                        stream.send_window += delta
            return []
        if isinstance(frame, WindowUpdate):
            if frame.stream_id == 0:
                self.send_window = min(self.send_window + frame.delta, MAX_WINDOW)
            elif frame.stream_id in self.streams:
                stream = self.streams[frame.stream_id]
                stream.send_window = min(stream.send_window + frame.delta, MAX_WINDOW)
            return []
        if isinstance(frame, Headers):
            if frame.stream_id in self.streams:
                self.streams[frame.stream_id].headers.update(frame.headers)
                if frame.flags & FLAG_FIN:
                    self.streams[frame.stream_id].remote_closed = True
                    return [DataReceived(frame.stream_id, b"", True)]
            return []
        return []  # SYN_REPLY: we open no streams

    def _open(self, frame: SynStream) -> list[Event]:
        if frame.stream_id % 2 == 0 or frame.stream_id <= self.last_stream_id:
            self._send(RstStream(frame.stream_id, PROTOCOL_ERROR))
            return []
        self.last_stream_id = frame.stream_id
        if self.going_away:
            self._send(RstStream(frame.stream_id, REFUSED_STREAM))
            return []
        fin = bool(frame.flags & FLAG_FIN)
        self.streams[frame.stream_id] = _Stream(
            frame.stream_id, frame.headers, self.peer_initial_window, self.initial_window,
            remote_closed=fin, local_closed=bool(frame.flags & FLAG_UNIDIRECTIONAL))
        return [StreamOpened(frame.stream_id, frame.headers, fin)]

    def _data(self, frame: Data) -> list[Event]:
        stream = self.streams.get(frame.stream_id)
        if stream is None or stream.remote_closed:
            self._send(RstStream(frame.stream_id, INVALID_STREAM if stream is None
                                 else STREAM_ALREADY_CLOSED))
            return []
        size = len(frame.data)
        stream.receive_window -= size
        if stream.receive_window < 0 and self.enforce_flow_control:
            self._send(RstStream(frame.stream_id, FLOW_CONTROL_ERROR))
            self.streams.pop(frame.stream_id, None)
            return [StreamReset(frame.stream_id, FLOW_CONTROL_ERROR)]
        if frame.fin:
            stream.remote_closed = True
            self._forget_if_done(stream)
        return [DataReceived(frame.stream_id, frame.data, frame.fin)]

    def consumed(self, stream_id: int, size: int) -> None:
        """The application has taken `size` bytes of a stream's data: credit the peer
        once half a window has been used, on the stream and on the session."""
        stream = self.streams.get(stream_id)
        if stream is not None and not stream.remote_closed:
            stream.unacknowledged += size
            if stream.unacknowledged >= self.initial_window // 2:
                self._send(WindowUpdate(stream_id, stream.unacknowledged))
                stream.receive_window += stream.unacknowledged
                stream.unacknowledged = 0
        self._session_unacknowledged += size
        if self._session_unacknowledged >= DEFAULT_WINDOW // 2:
            self._send(WindowUpdate(0, self._session_unacknowledged))
            self._session_unacknowledged = 0

    # -------------------------------------------------------------- output
    def reply(self, stream_id: int, headers: dict[str, list[str]] | None = None,
              fin: bool = False) -> None:
        stream = self.streams.get(stream_id)
        if stream is None or stream.replied:
            return
        stream.replied = True
        self._send(SynReply(stream_id, headers or {}, FLAG_FIN if fin else 0))
        if fin:
            stream.local_closed = True
            self._forget_if_done(stream)

    def sendable(self, stream_id: int) -> int:
        """How many bytes the windows allow on a stream now."""
        stream = self.streams.get(stream_id)
        if stream is None or stream.local_closed:
            return 0
        if not self.enforce_flow_control:
            return MAX_DATA_LENGTH
        return max(0, min(stream.send_window, self.send_window))

    def send_data(self, stream_id: int, data: bytes, fin: bool = False) -> int:
        """Send as much of `data` as the windows allow; returns the bytes sent (all of
        them unless windows are enforced). `fin` applies only if all were sent."""
        stream = self.streams.get(stream_id)
        if stream is None or stream.local_closed:
            return 0
        size = min(len(data), self.sendable(stream_id))
        for start in range(0, size, 16 * 1024):
            chunk = data[start:min(size, start + 16 * 1024)]
            self._send(Data(stream_id, chunk))
        stream.send_window -= size
        self.send_window -= size
        if fin and size == len(data):
            self.close_stream(stream_id)
        return size

    def close_stream(self, stream_id: int) -> None:
        """Half-close our side (an empty DATA frame with FIN)."""
        stream = self.streams.get(stream_id)
        if stream is None or stream.local_closed:
            return
        stream.local_closed = True
        self._send(Data(stream_id, b"", FLAG_FIN))
        self._forget_if_done(stream)

    def reset(self, stream_id: int, status: int = CANCEL) -> None:
        if self.streams.pop(stream_id, None) is not None:
            self._send(RstStream(stream_id, status))

    def ping(self, ping_id: int) -> None:
        """Our own ping (server ids are even)."""
        self._send(Ping(ping_id))

    def goaway(self, status: int = 0) -> None:
        if not self.going_away:
            self.going_away = True
            self._send(GoAway(self.last_stream_id, status))

    def _forget_if_done(self, stream: _Stream) -> None:
        if stream.local_closed and stream.remote_closed:
            self.streams.pop(stream.stream_id, None)
