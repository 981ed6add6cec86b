# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The default Store: SQLite as a revision-ordered log, the design of k3s's kine.

Each write appends one row to `kine`; its id is the write's revision. The newest row of a
key is its state (a row with deleted=1 means absent). A row carries the previous value
(`old_value`), so a watch can be replayed from the log alone, and compaction can drop every
superseded row below a revision without losing a replayable event.

One writer thread owns the write connection. Writes are queued; the writer takes all that
are waiting, checks each one's precondition in order (so compare-and-swap is correct under
any concurrency), commits them in one transaction (group commit), and only then hands the
results back to the event loop, where watchers see the events before the writers' awaits
return. Reads use their own connections.
"""
from __future__ import annotations

import asyncio
import itertools
import queue
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import AsyncIterator

from kybernetes.storage.interface import (
    CompactedError, Event, KeyExistsError, KeyNotFoundError, KeyValue,
    RevisionMismatchError, StorageError, Store,
)
from kybernetes.storage.memory import WatchFanout, prefix_end

SCHEMA = """
CREATE TABLE IF NOT EXISTS kine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    created INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    create_revision INTEGER NOT NULL,
    prev_revision INTEGER NOT NULL,
    value BLOB,
    old_value BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_key_id ON kine (key, id);
CREATE TABLE IF NOT EXISTS kine_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# Durability: synchronous=FULL fsyncs the WAL at every commit, so an acknowledged write
# survives kill -9 and also an OS crash or power loss, as etcd's does (and as kine's
# SQLite default is). Group commit makes that one fsync per batch, not per write.
# synchronous="NORMAL" (write(2) only: survives kill -9, not power loss) is there for
# throw-away clusters that want the extra speed.
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=10000")

MAX_BATCH = 2000

_CREATE, _UPDATE, _DELETE, _COMPACT, _STOP = range(5)

_ABSENT: tuple = ("absent",)  # prefetched: the key has no row

_ROW_COLUMNS = "id, key, created, deleted, create_revision, prev_revision, value, old_value"


def connect(path: str, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection with the store's pragmas, in autocommit mode (transactions explicit)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def _event_from_row(row: tuple) -> Event:
    revision, key, created, deleted, create_revision, prev_revision, value, old_value = row
    prev = None if created else KeyValue(key, old_value, create_revision, prev_revision)
    return Event("DELETE" if deleted else "PUT",
                 KeyValue(key, value, create_revision, revision), prev)


def _key_bounds(prefix: str, start_after: str = "") -> tuple[str, tuple[str, ...]]:
    """SQL that restricts `key` to a prefix (SQLite compares TEXT bytewise, which orders
    UTF-8 like code points), and its parameters."""
    low = max(prefix, start_after)
    op = ">" if start_after and start_after >= prefix else ">="
    end = prefix_end(prefix)
    if end is None:
        return f"key {op} ?", (low,)
    return f"key {op} ? AND key < ?", (low, end)


class SqliteStore(Store):
    """`SqliteStore(path)`: use it from one event loop. Writes go through the writer
    thread; `current_revision()` is the newest revision whose write has been acknowledged
    (and whose events every watcher has been offered)."""

    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        self.path = path
        self._writer_conn = connect(path, synchronous)
        self._writer_conn.executescript(SCHEMA)
        self._reader = connect(path, synchronous)  # small reads, on the event loop
        self._bulk_reader = connect(path, synchronous)  # ranges and replays, off the loop
        self._bulk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-read")
        revision = self._read_sequence(self._reader)
        self._compacted = self._read_compacted(self._reader)
        self._writer_revision = revision  # owned by the writer thread
        self._fanout = WatchFanout(revision)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="sqlite-writer",
                                        daemon=True)
        self._writer.start()

    @staticmethod
    def _read_sequence(conn: sqlite3.Connection) -> int:
        # AUTOINCREMENT's counter survives deleting the newest rows (compaction), so the
        # revision never goes back, even across restarts.
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'kine'").fetchone()
        return row[0] if row else 0

    @staticmethod
    def _read_compacted(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM kine_meta WHERE name = 'compacted'").fetchone()
        return row[0] if row else 0

    # ---- reads -----------------------------------------------------------------------

    async def current_revision(self) -> int:
        return self._fanout.revision

    async def compacted_revision(self) -> int:
        return self._compacted

    async def get(self, key: str) -> KeyValue | None:
        row = self._reader.execute(
            "SELECT id, deleted, create_revision, value FROM kine WHERE key = ? "
            "ORDER BY id DESC LIMIT 1", (key,)).fetchone()
        if row is None or row[1]:
            return None
        return KeyValue(key, row[3], row[2], row[0])

    async def _off_loop(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self._bulk, function, *args)

    def _range_sync(self, prefix: str, limit: int, start_after: str
                    ) -> tuple[list[KeyValue], int]:
        where, params = _key_bounds(prefix, start_after)
        sql = ("SELECT k.key, k.value, k.create_revision, k.id FROM kine AS k JOIN "
               f"(SELECT MAX(id) AS id FROM kine WHERE {where} GROUP BY key) AS newest "
               "ON k.id = newest.id WHERE k.deleted = 0 ORDER BY k.key")
        if limit > 0:
            sql += f" LIMIT {int(limit)}"
        conn = self._bulk_reader
        conn.execute("BEGIN")  # one snapshot for the rows and the revision
        try:
            rows = conn.execute(sql, params).fetchall()
            revision = self._read_sequence(conn)
        finally:
            conn.execute("COMMIT")
        return [KeyValue(*row) for row in rows], revision

    async def range(self, prefix: str, limit: int = 0,
                    start_after: str = "") -> tuple[list[KeyValue], int]:
        return await self._off_loop(self._range_sync, prefix, limit, start_after)

    def _count_sync(self, prefix: str) -> int:
        where, params = _key_bounds(prefix)
        return self._bulk_reader.execute(
            "SELECT COUNT(*) FROM kine AS k JOIN "
            f"(SELECT MAX(id) AS id FROM kine WHERE {where} GROUP BY key) AS newest "
            "ON k.id = newest.id WHERE k.deleted = 0", params).fetchone()[0]

    async def count(self, prefix: str) -> int:
        return await self._off_loop(self._count_sync, prefix)

    def _replay_sync(self, prefix: str, from_revision: int, to_revision: int,
                     limit: int) -> list[Event]:
        where, params = _key_bounds(prefix)
        conn = self._bulk_reader
        conn.execute("BEGIN")  # the compaction mark and the rows from the same snapshot
        try:
            compacted = self._read_compacted(conn)
            if from_revision < compacted:
                raise CompactedError(from_revision, compacted)
            rows = conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM kine WHERE id >= ? AND id <= ? AND {where} "
                f"ORDER BY id LIMIT {int(limit)}",
                (from_revision, to_revision, *params)).fetchall()
        finally:
            conn.execute("COMMIT")
        return [_event_from_row(row) for row in rows]

    async def _replay(self, prefix: str, from_revision: int, to_revision: int,
                      limit: int) -> list[Event]:
        return await self._off_loop(self._replay_sync, prefix, from_revision, to_revision,
                                    limit)

    def watch(self, prefix: str, start_revision: int) -> AsyncIterator[Event]:
        if self._closed:
            raise StorageError("store is closed")
        return self._fanout.watch(prefix, start_revision, self._replay)

    # ---- writes ----------------------------------------------------------------------

    async def _submit(self, kind: int, key: str, value: bytes | None, expected: int):
        if self._closed:
            raise StorageError("store is closed")
        future = asyncio.get_running_loop().create_future()
        self._queue.put((kind, key, value, expected, future))
        return await future

    async def create(self, key: str, value: bytes) -> int:
        return await self._submit(_CREATE, key, bytes(value), 0)

    async def update(self, key: str, value: bytes, expected_mod_revision: int) -> int:
        return await self._submit(_UPDATE, key, bytes(value), expected_mod_revision)

    async def delete(self, key: str, expected_mod_revision: int = 0) -> int:
        return await self._submit(_DELETE, key, None, expected_mod_revision)

    async def compact(self, revision: int) -> None:
        await self._submit(_COMPACT, "", None, revision)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put((_STOP, "", None, 0, None))
        await asyncio.to_thread(self._writer.join)
        self._fanout.close_all()
        self._bulk.shutdown(wait=True)
        for conn in (self._writer_conn, self._reader, self._bulk_reader):
            conn.close()

    # ---- the writer thread -----------------------------------------------------------

    def _write_loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            writes: list[tuple] = []
            for op in batch:
                if op[0] in (_CREATE, _UPDATE, _DELETE):
                    writes.append(op)
                    continue
                if writes:  # keep order: writes queued before a compaction commit first
                    self._commit_writes(writes)
                    writes = []
                if op[0] == _STOP:
                    self._fail_queued()
                    return
                self._commit_compaction(op)
            if writes:
                self._commit_writes(writes)

    def _fail_queued(self) -> None:
        while True:
            try:
                op = self._queue.get_nowait()
            except queue.Empty:
                return
            if op[4] is not None:
                self._resolve([(op[4], StorageError("store is closed"))], [], None)

    def _commit_writes(self, ops: list[tuple]) -> None:
        """Check and store a group of writes, committing them together.

        The preconditions are read outside a transaction and the rows are then written by
        one multi-row INSERT, which in autocommit mode is its own transaction. That is
        safe because this thread is the database's only writer (a store owns its file), and
        it keeps the GIL hand-offs per group to two statements."""
        writer = _BatchWriter(self._writer_conn, self._writer_revision)
        outcomes: list[tuple[asyncio.Future, object]] = []
        events: list[Event] = []
        try:
            writer.prefetch({op[1] for op in ops})
            for kind, key, value, expected, future in ops:
                result = writer.apply(kind, key, value, expected)
                if isinstance(result, Event):
                    events.append(result)
                    result = result.kv.mod_revision
                outcomes.append((future, result))
            writer.flush()
            self._writer_revision = writer.revision
        except Exception as error:  # nothing of the group is stored
            failure = StorageError(f"sqlite write failed: {error}")
            outcomes = [(op[4], failure) for op in ops]
            events = []
        self._resolve(outcomes, events, None)

    def _commit_compaction(self, op: tuple) -> None:
        revision, future = op[3], op[4]
        conn = self._writer_conn
        compacted = None
        try:
            current = self._writer_revision
            compacted = self._read_compacted(conn)
            if revision > current:
                result: object = StorageError(
                    f"cannot compact to revision {revision}: newer than current {current}")
            elif revision <= compacted:
                result = None
            else:
                conn.execute("BEGIN IMMEDIATE")
                # Superseded rows below `revision` go; so do tombstones (their key is
                # absent). Newer rows keep old_value: every event from `revision` on stays
                # replayable.
                conn.execute(
                    "DELETE FROM kine WHERE id < ? AND (deleted = 1 OR EXISTS (SELECT 1 FROM "
                    "kine AS newer WHERE newer.key = kine.key AND newer.id > kine.id))",
                    (revision,))
                conn.execute("INSERT OR REPLACE INTO kine_meta (name, value) "
                             "VALUES ('compacted', ?)", (revision,))
                conn.execute("COMMIT")
                compacted, result = revision, None
        except Exception as error:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            result = StorageError(f"sqlite compaction failed: {error}")
        self._resolve([(future, result)], [], compacted)

    def _resolve(self, outcomes: list, events: list[Event], compacted: int | None) -> None:
        loop = None
        for future, _ in outcomes:
            loop = future.get_loop()
            break
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._acknowledge, outcomes, events, compacted)
        except RuntimeError:  # the loop closed meanwhile; nobody is waiting any more
            pass

    def _acknowledge(self, outcomes: list, events: list[Event], compacted: int | None) -> None:
        """On the event loop, after the commit: publish the events (so a watcher has seen a
        write before its writer returns), then complete the writers' futures."""
        if compacted is not None:
            self._compacted = max(self._compacted, compacted)
        self._fanout.publish(events)
        for future, result in outcomes:
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)


class _BatchWriter:
    """Applies one group of writes: checks each precondition against the newest state
    (including the group's earlier writes, kept in `pending`), then inserts all the rows
    with one statement."""

    def __init__(self, conn: sqlite3.Connection, revision: int) -> None:
        self.conn = conn
        self.revision = revision
        self.rows: list[tuple] = []
        self.pending: dict[str, tuple] = {}  # key -> (id, deleted, create_revision, value)

    def prefetch(self, keys: set[str]) -> None:
        """Read the newest row of every key the batch writes, in one statement."""
        if not keys:
            return
        keys = list(keys)
        marks = ",".join("?" * len(keys))
        self.pending = dict.fromkeys(keys, _ABSENT)
        for key, *state in self.conn.execute(
                "SELECT k.key, k.id, k.deleted, k.create_revision, k.value FROM kine AS k "
                f"WHERE k.id IN (SELECT MAX(id) FROM kine WHERE key IN ({marks}) GROUP BY key)",
                keys):
            self.pending[key] = tuple(state)

    def _newest(self, key: str) -> tuple | None:
        state = self.pending.get(key)
        if state is _ABSENT:
            return None
        if state is None:
            state = self.conn.execute(
                "SELECT id, deleted, create_revision, value FROM kine WHERE key = ? "
                "ORDER BY id DESC LIMIT 1", (key,)).fetchone()
        return state

    def apply(self, kind: int, key: str, value: bytes | None,
              expected: int) -> Event | Exception:
        newest = self._newest(key)
        exists = newest is not None and not newest[1]
        revision = self.revision + 1
        if kind == _CREATE:
            if exists:
                return KeyExistsError(key)
            row = (revision, key, 1, 0, revision, newest[0] if newest else 0, value, None)
        else:
            if not exists:
                return KeyNotFoundError(key)
            mod_revision, _, create_revision, old_value = newest
            if (expected or kind == _UPDATE) and mod_revision != expected:
                return RevisionMismatchError(
                    key, KeyValue(key, old_value, create_revision, mod_revision))
            if kind == _UPDATE:
                row = (revision, key, 0, 0, create_revision, mod_revision, value, old_value)
            else:
                row = (revision, key, 0, 1, create_revision, mod_revision, old_value, old_value)
        self.revision = revision
        self.rows.append(row)
        self.pending[key] = (revision, row[3], row[4], row[6])
        return _event_from_row(row)

    def flush(self) -> None:
        if self.rows:
            marks = ",".join(["(?,?,?,?,?,?,?,?)"] * len(self.rows))
            self.conn.execute(f"INSERT INTO kine ({_ROW_COLUMNS}) VALUES {marks}",
                              list(itertools.chain.from_iterable(self.rows)))
            self.rows = []
