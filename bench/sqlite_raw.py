# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Write throughput of the SQLite store against plain sqlite3.

The baseline is one INSERT and one COMMIT per row through the stdlib sqlite3 module, with
the pragmas SqliteStore uses: what a store without group commit could reach at best.
SqliteStore.create with many concurrent writers should beat it, because its writer thread
commits every write that is waiting in one transaction.

Run: python bench/sqlite_raw.py [DIR]   (prints figures; asserts nothing)
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time

if __name__ == "__main__":  # run as a script from a checkout
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kybernetes.storage.sqlite import SCHEMA, SqliteStore, connect

VALUE = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bench"},"data":{"k":"v"}}'


def raw_sqlite_commits_per_sec(path: str, seconds: float = 2.0) -> float:
    """Rows per second inserted into a kine-shaped table, one transaction per row."""
    conn = connect(path)
    conn.executescript(SCHEMA)
    insert = ("INSERT INTO kine (key, created, deleted, create_revision, prev_revision, value,"
              " old_value) VALUES (?, 1, 0, 0, 0, ?, NULL)")
    rows = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        conn.execute("BEGIN")
        conn.execute(insert, (f"/registry/raw/{rows}", VALUE))
        conn.execute("COMMIT")
        rows += 1
        if rows % 64 == 0 and time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    conn.close()
    return rows / elapsed


def store_creates_per_sec(path: str, concurrency: int, seconds: float = 2.0) -> float:
    """Acknowledged SqliteStore.create calls per second with `concurrency` writers."""

    async def run() -> float:
        store = SqliteStore(path)
        done = 0
        stop_at = time.perf_counter() + seconds

        async def writer(number: int) -> None:
            nonlocal done
            sequence = 0
            while time.perf_counter() < stop_at:
                await store.create(f"/registry/bench/{number}-{sequence}", VALUE)
                sequence += 1
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(writer(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - start
        await store.close()
        return done / elapsed

    try:
        import uvloop  # the server's loop
        return uvloop.run(run())
    except ImportError:
        return asyncio.run(run())


def main() -> None:
    directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="kyb-bench-")
    raw = raw_sqlite_commits_per_sec(os.path.join(directory, "raw.db"))
    print(f"raw sqlite3 INSERT+COMMIT per row: {raw:10.0f} rows/s")
    for concurrency in (1, 8, 32, 128):
        rate = store_creates_per_sec(os.path.join(directory, f"store-{concurrency}.db"),
                                     concurrency)
        print(f"SqliteStore.create, {concurrency:3d} writers:  {rate:10.0f} creates/s"
              f"  ({rate / raw:.2f}x raw)")


if __name__ == "__main__":
    main()
