# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Reading CRI container log files: parsing, partial lines, tail, since, timestamps,
limitBytes, and following across rotation."""
from __future__ import annotations

import asyncio

import pytest

from kybernetes.kubelet import logs
from kybernetes.kubelet.logs import LogFormatter, LogOptions
from kybernetes.kubelet.server import log_options

T0 = "2026-01-02T03:04:05.123456789Z"
T0_NANOS = 1767323045 * 1_000_000_000 + 123456789


def test_parse_lines():
    entry = logs.parse_line(f"{T0} stdout F hello world\n".encode())
    assert (entry.timestamp, entry.nanos, entry.stream, entry.partial, entry.content) == \
        (T0, T0_NANOS, "stdout", False, b"hello world")
    partial = logs.parse_line(f"{T0} stderr P part".encode())
    assert partial.partial and partial.stream == "stderr"
    assert logs.parse_line(f"{T0} stdout F".encode()).content == b""
    assert logs.parse_line(f"{T0} stdout F:x with spaces  kept ".encode()).content == b"with spaces  kept "
    for bad in (b"garbage", f"{T0} stdin F x".encode(), f"{T0} stdout Q x".encode(),
                b"yesterday stdout F x"):
        with pytest.raises(logs.LogFormatError):
            logs.parse_line(bad)


def test_timestamps():
    assert logs.parse_timestamp(T0) == T0_NANOS
    assert logs.parse_timestamp("2026-01-02T03:04:05Z") == 1767323045 * 1_000_000_000
    assert logs.parse_timestamp("2026-01-02T05:04:05.5+02:00") == 1767323045 * 1_000_000_000 + 500_000_000
    assert logs.format_timestamp(T0_NANOS) == T0
    assert logs.format_timestamp(1767323045 * 1_000_000_000 + 500_000_000) == "2026-01-02T03:04:05.5Z"
    with pytest.raises(logs.LogFormatError):
        logs.parse_timestamp("2026-01-02 03:04:05")


def entries(*lines: str) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def test_partial_lines_join_and_take_one_timestamp():
    data = entries(f"{T0} stdout P abc", f"{T0} stdout P def", f"{T0} stdout F ghi", f"{T0} stderr F next")
    out, rest = logs.format_lines(data, LogFormatter(LogOptions()))
    assert (out, rest) == (b"abcdefghi\nnext\n", b"")
    out, _ = logs.format_lines(data, LogFormatter(LogOptions(timestamps=True)))
    assert out == f"{T0} abcdefghi\n{T0} next\n".encode()


def test_unfinished_line_waits_and_bad_lines_are_skipped():
    data = entries(f"{T0} stdout F one", "not a log line") + f"{T0} stdout F tw".encode()
    out, rest = logs.format_lines(data, LogFormatter(LogOptions()))
    assert out == b"one\n"
    assert rest == f"{T0} stdout F tw".encode()


def test_since_and_limit_bytes():
    older = "2026-01-02T03:00:00Z"
    data = entries(f"{older} stdout F old", f"{T0} stdout F new", f"{T0} stdout F newer")
    since = LogFormatter(LogOptions(since_nanos=logs.parse_timestamp("2026-01-02T03:04:00Z")))
    assert logs.format_lines(data, since)[0] == b"new\nnewer\n"
    limited = LogFormatter(LogOptions(limit_bytes=6))
    assert logs.format_lines(data, limited)[0] == b"old\nne"
    assert limited.exhausted


def test_tail_offset(tmp_path):
    path = tmp_path / "log"
    path.write_bytes(b"a\nb\nc\n")
    with open(path, "rb") as handle:
        assert [logs.tail_offset(handle, n) for n in (0, 1, 2, 3, 10)] == [6, 4, 2, 0, 0]
    path.write_bytes(b"a\nb\nc")  # the last line is still being written
    with open(path, "rb") as handle:
        assert [logs.tail_offset(handle, n) for n in (1, 2, 5)] == [4, 2, 0]
    path.write_bytes(b"")
    with open(path, "rb") as handle:
        assert logs.tail_offset(handle, 3) == 0
    # lines spanning the read blocks
    lines = [f"line {i}".encode() * 50 for i in range(3000)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    with open(path, "rb") as handle:
        handle.seek(logs.tail_offset(handle, 1234))
        assert handle.read().split(b"\n")[:-1] == lines[-1234:]


def run_stream(path, options, **kwargs) -> bytes:
    out = bytearray()

    async def write(data: bytes) -> None:
        out.extend(data)
    asyncio.run(logs.stream_log(path, options, write, **kwargs))
    return bytes(out)


def test_stream_log_tail(tmp_path):
    path = tmp_path / "c.log"
    path.write_bytes(entries(*(f"{T0} stdout F line{i}" for i in range(5))))
    assert run_stream(path, LogOptions(tail_lines=2)) == b"line3\nline4\n"
    assert run_stream(path, LogOptions(tail_lines=0)) == b""
    assert run_stream(path, LogOptions()) == b"".join(b"line%d\n" % i for i in range(5))


def test_follow_across_rotation_until_the_container_stops(tmp_path):
    path = tmp_path / "c.log"
    path.write_bytes(entries(f"{T0} stdout F first"))
    state = {"running": True}

    async def running() -> bool:
        return state["running"]

    async def main() -> bytes:
        out = bytearray()
        seen = asyncio.Event()

        async def write(data: bytes) -> None:
            out.extend(data)
            seen.set()

        async def wait_for(text: bytes) -> None:
            while text not in out:
                seen.clear()
                await seen.wait()
        task = asyncio.create_task(logs.stream_log(path, LogOptions(follow=True), write,
                                                   running=running, poll_interval=0.01))
        await wait_for(b"first\n")
        with open(path, "ab") as handle:
            handle.write(f"{T0} stdout F sec".encode())  # half a line: nothing yet
            handle.flush()
            handle.write(f"ond-half\n{T0} stdout F second\n".encode())
        await wait_for(b"second\n")
        path.rename(tmp_path / "c.log.1")  # rotation: a new file at the same path
        path.write_bytes(entries(f"{T0} stdout F third"))
        await wait_for(b"third\n")
        with open(path, "ab") as handle:
            handle.write(entries(f"{T0} stdout F last words"))
        state["running"] = False
        await task  # ends by itself once the container has stopped
        return bytes(out)
    assert asyncio.run(main()) == b"first\nsecond-half\nsecond\nthird\nlast words\n"


def test_follow_moves_to_a_restarted_containers_new_file(tmp_path):
    first, second = tmp_path / "0.log", tmp_path / "1.log"
    first.write_bytes(entries(f"{T0} stdout F before"))
    current = {"path": first}

    async def running() -> bool:
        return current["path"] == first

    async def main() -> bytes:
        out = bytearray()

        async def write(data: bytes) -> None:
            out.extend(data)
            if data == b"before\n":
                second.write_bytes(entries(f"{T0} stdout F after"))
                current["path"] = second
        await logs.stream_log(first, LogOptions(follow=True), write, running=running,
                              current_path=lambda: current["path"], poll_interval=0.01)
        return bytes(out)
    assert asyncio.run(main()) == b"before\nafter\n"


def test_log_options_from_the_query():
    options = log_options({"follow": "true", "tailLines": "10", "timestamps": "true",
                           "limitBytes": "100", "sinceSeconds": "60"}, now=1000.0)
    assert (options.follow, options.tail_lines, options.timestamps, options.limit_bytes) == (True, 10, True, 100)
    assert options.since_nanos == 940 * 1_000_000_000
    assert log_options({"sinceTime": T0}, now=0).since_nanos == T0_NANOS
    for bad, message in (({"tailLines": "x"}, "must be an integer"),
                         ({"tailLines": "-1"}, "greater than or equal to 0"),
                         ({"limitBytes": "0"}, "greater than or equal to 1"),
                         ({"sinceSeconds": "5", "sinceTime": T0}, "at most one"),
                         ({"sinceTime": "yesterday"}, "RFC 3339")):
        with pytest.raises(ValueError, match=message):
            log_options(bad, now=0)
