# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Reading the CRI log format (`<RFC3339Nano> <stream> <P|F> <text>`) for the
termination message fallback and the log tail the kubelet reports."""
from __future__ import annotations

from pathlib import Path

FALLBACK_LINES = 80
FALLBACK_BYTES = 2048
MAX_TERMINATION_MESSAGE = 4096


def parse_cri_line(line: bytes) -> tuple[str, bool, bytes] | None:
    """(stream, complete, text) of one CRI log line, or None if it is not one."""
    parts = line.rstrip(b"\n").split(b" ", 3)
    if len(parts) < 3:
        return None
    stream, tag = parts[1].decode(errors="replace"), parts[2]
    text = parts[3] if len(parts) > 3 else b""
    return stream, not tag.startswith(b"P"), text


def tail_log(path: Path | None, lines: int = FALLBACK_LINES, max_bytes: int = FALLBACK_BYTES) -> str:
    """The last `lines` lines of a container's log (at most `max_bytes`, the end kept)."""
    if path is None:
        return ""
    try:
        with open(path, "rb") as log:
            log.seek(0, 2)
            size = log.tell()
            log.seek(max(0, size - 256 * 1024))
            raw = log.read()
    except OSError:
        return ""
    out: list[bytes] = []
    pending = b""
    for line in raw.splitlines():
        parsed = parse_cri_line(line)
        if parsed is None:
            continue
        _stream, complete, text = parsed
        pending += text
        if complete:
            out.append(pending)
            pending = b""
    if pending:
        out.append(pending)
    text = b"\n".join(out[-lines:])
    if out:
        text += b"\n"
    return text[-max_bytes:].decode(errors="replace")


def termination_message(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        with open(path, "rb") as file:
            return file.read(MAX_TERMINATION_MESSAGE).decode(errors="replace")
    except OSError:
        return ""
