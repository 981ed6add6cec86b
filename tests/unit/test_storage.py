# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""One suite run against every Store backend (memory and sqlite): reads, compare-and-swap
writes, ranges, watch replay and live delivery, compaction, and sqlite's persistence."""
from __future__ import annotations

import asyncio
import os

import pytest

from kybernetes.storage import open_store
from kybernetes.storage.interface import (
    CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, StorageError,
)
from kybernetes.storage.memory import MemoryStore
from kybernetes.storage.etcd import EtcdStore
from kybernetes.storage.sqlite import SqliteStore
from tests.support.etcd import EtcdMember, etcd_available


@pytest.fixture(params=["memory", "sqlite", "etcd"])
def make_store(request, tmp_path):
    if request.param == "etcd":
        if not etcd_available():
            pytest.skip("etcd is not installed (make install installs it as root)")
        member = EtcdMember(tmp_path / "etcd").start()
        request.addfinalizer(member.stop)

    def make():
        if request.param == "memory":
            return MemoryStore()
        if request.param == "etcd":
            return EtcdStore([member.url])
        return SqliteStore(str(tmp_path / "state.db"))
    return make


def run(make_store, scenario):
    async def main():
        store = make_store()
        try:
            await scenario(store)
        finally:
            await store.close()
    asyncio.run(main())


async def take(watch, count):
    return [await watch.__anext__() for _ in range(count)]


def test_create_get_and_revisions(make_store):
    async def scenario(store):
        # a fresh store is at revision 0 (etcd: 1); every write takes the next one
        base = await store.current_revision()
        assert base in (0, 1)
        assert await store.get("/a/x") is None
        first = await store.create("/a/x", b"one")
        second = await store.create("/a/y", b"two")
        assert (first, second) == (base + 1, base + 2)
        kv = await store.get("/a/x")
        assert (kv.key, kv.value, kv.create_revision, kv.mod_revision) == (
            "/a/x", b"one", base + 1, base + 1)
        assert await store.current_revision() == base + 2
        with pytest.raises(KeyExistsError):
            await store.create("/a/x", b"again")
        assert await store.current_revision() == base + 2  # a failed write takes no revision
    run(make_store, scenario)


def test_update_is_compare_and_swap(make_store):
    async def scenario(store):
        created = await store.create("/a/x", b"v1")
        updated = await store.update("/a/x", b"v2", created)
        kv = await store.get("/a/x")
        assert (kv.value, kv.create_revision, kv.mod_revision) == (b"v2", created, updated)
        with pytest.raises(RevisionMismatchError) as mismatch:
            await store.update("/a/x", b"v3", created)
        assert mismatch.value.current.mod_revision == updated
        assert mismatch.value.current.value == b"v2"
        with pytest.raises(KeyNotFoundError):
            await store.update("/a/missing", b"v", 1)
        assert (await store.get("/a/x")).value == b"v2"
    run(make_store, scenario)


def test_delete_and_recreate(make_store):
    async def scenario(store):
        created = await store.create("/a/x", b"v1")
        with pytest.raises(RevisionMismatchError):
            await store.delete("/a/x", created + 5)
        deleted = await store.delete("/a/x", created)
        assert deleted == created + 1
        assert await store.get("/a/x") is None
        with pytest.raises(KeyNotFoundError):
            await store.delete("/a/x")
        again = await store.create("/a/x", b"v2")
        kv = await store.get("/a/x")
        assert (kv.create_revision, kv.mod_revision, kv.value) == (again, again, b"v2")
        await store.delete("/a/x")  # unconditional
        assert await store.get("/a/x") is None
    run(make_store, scenario)


def test_range_limit_start_after_and_count(make_store):
    async def scenario(store):
        base = await store.current_revision()
        for key in ["/r/pods/ns1/b", "/r/pods/ns1/a", "/r/pods/ns2/c", "/r/podsx/z", "/r/q"]:
            await store.create(key, key.encode())
        await store.delete("/r/pods/ns2/c")
        items, revision = await store.range("/r/pods/")
        assert [kv.key for kv in items] == ["/r/pods/ns1/a", "/r/pods/ns1/b"]
        assert revision == base + 6
        assert items[0].value == b"/r/pods/ns1/a"
        items, _ = await store.range("/r/", limit=2)
        assert [kv.key for kv in items] == ["/r/pods/ns1/a", "/r/pods/ns1/b"]
        items, _ = await store.range("/r/", limit=2, start_after="/r/pods/ns1/b")
        assert [kv.key for kv in items] == ["/r/podsx/z", "/r/q"]
        items, _ = await store.range("/r/pods", start_after="/r/pods/ns1/a")
        assert [kv.key for kv in items] == ["/r/pods/ns1/b", "/r/podsx/z"]
        assert await store.count("/r/pods/") == 2
        assert await store.count("/r/") == 4
        assert await store.count("/nothing/") == 0
    run(make_store, scenario)


def test_watch_replays_history_then_goes_live(make_store):
    async def scenario(store):
        one = await store.create("/w/a", b"1")
        await store.create("/other/z", b"not ours")
        two = await store.update("/w/a", b"2", one)
        watch = store.watch("/w/", one)
        three = await store.delete("/w/a")
        four = await store.create("/w/b", b"b")
        events = await take(watch, 4)
        assert [(e.type, e.kv.key, e.revision) for e in events] == [
            ("PUT", "/w/a", one), ("PUT", "/w/a", two), ("DELETE", "/w/a", three),
            ("PUT", "/w/b", four)]
        assert events[0].is_create and events[0].prev is None
        assert events[1].prev.value == b"1" and events[1].kv.value == b"2"
        assert events[2].kv.value == b"2" and events[2].prev.mod_revision == two
        assert events[3].is_create
        await watch.aclose()
    run(make_store, scenario)


def test_watch_from_zero_sees_only_new_changes(make_store):
    async def scenario(store):
        await store.create("/w/old", b"")
        watch = store.watch("/w/", 0)
        new = await store.create("/w/new", b"")
        event = await watch.__anext__()
        assert (event.kv.key, event.revision) == ("/w/new", new)
        await watch.aclose()
    run(make_store, scenario)


def test_watch_has_no_gaps_or_duplicates_under_concurrent_writes(make_store):
    async def scenario(store):
        async def writer(number):
            for i in range(30):
                await store.create(f"/g/{number}/{i}", b"x")

        base = await store.current_revision()
        writers = [asyncio.create_task(writer(n)) for n in range(4)]
        await asyncio.sleep(0)
        await store.create("/g/start", b"")
        # Start watches at several points while the writers run.
        watches = []
        for start in (base + 1, base + 5, base + 20):
            watches.append((start, store.watch("/g/", start)))
            await asyncio.sleep(0)
        await asyncio.gather(*writers)
        final = await store.current_revision()
        for start, watch in watches:
            revisions = [e.revision for e in await take(watch, final - start + 1)]
            assert revisions == list(range(start, final + 1))
            await watch.aclose()
    run(make_store, scenario)


def test_compaction(make_store):
    async def scenario(store):
        created = await store.create("/c/a", b"1")
        updated = await store.update("/c/a", b"2", created)
        await store.create("/c/gone", b"g")
        deleted = await store.delete("/c/gone")
        last = await store.update("/c/a", b"3", updated)
        await store.compact(deleted)
        assert await store.compacted_revision() == deleted
        with pytest.raises(CompactedError) as error:
            await store.watch("/c/", deleted - 1).__anext__()
        assert (error.value.requested, error.value.compacted) == (deleted - 1, deleted)
        events = await take(store.watch("/c/", deleted), 2)
        assert [(e.type, e.revision) for e in events] == [("DELETE", deleted), ("PUT", last)]
        assert events[1].prev.value == b"2"  # the previous value survives compaction
        await store.compact(last)
        kv = await store.get("/c/a")
        assert (kv.value, kv.create_revision, kv.mod_revision) == (b"3", created, last)
        assert [kv.key for kv in (await store.range("/c/"))[0]] == ["/c/a"]
        await store.compact(created)  # older than the compacted revision: nothing to do
        assert await store.compacted_revision() == last
        with pytest.raises(StorageError):
            await store.compact(last + 10)
        after = await store.create("/c/b", b"")
        assert after == last + 1
    run(make_store, scenario)


def test_concurrent_compare_and_swap(make_store):
    async def scenario(store):
        revision = await store.create("/cas/counter", b"0")
        conflicts = 0

        async def increment():
            nonlocal conflicts
            while True:
                kv = await store.get("/cas/counter")
                try:
                    await store.update(kv.key, str(int(kv.value) + 1).encode(), kv.mod_revision)
                    return
                except RevisionMismatchError:
                    conflicts += 1

        await asyncio.gather(*(increment() for _ in range(25)))
        assert (await store.get("/cas/counter")).value == b"25"
        assert await store.current_revision() == revision + 25

        results = await asyncio.gather(*(store.create("/cas/once", str(i).encode())
                                         for i in range(10)), return_exceptions=True)
        winners = [r for r in results if isinstance(r, int)]
        assert len(winners) == 1
        assert sum(isinstance(r, KeyExistsError) for r in results) == 9
        stale = await asyncio.gather(*(store.update("/cas/once", b"u", winners[0])
                                       for _ in range(5)), return_exceptions=True)
        assert sum(isinstance(r, int) for r in stale) == 1
    run(make_store, scenario)


def test_many_concurrent_creates_get_distinct_revisions(make_store):
    async def scenario(store):
        base = await store.current_revision()
        revisions = await asyncio.gather(*(store.create(f"/many/{i}", b"v") for i in range(300)))
        assert sorted(revisions) == list(range(base + 1, base + 301))
        assert await store.count("/many/") == 300
    run(make_store, scenario)


def test_sqlite_state_and_revisions_persist_across_reopen(tmp_path):
    path = str(tmp_path / "state.db")

    async def first():
        store = SqliteStore(path)
        created = await store.create("/p/a", b"1")
        await store.update("/p/a", b"2", created)
        await store.create("/p/b", b"b")
        await store.compact(3)
        await store.create("/p/tmp", b"t")
        last = await store.delete("/p/tmp")
        await store.close()
        return last

    async def second(last):
        store = SqliteStore(path)
        assert await store.current_revision() == last
        assert await store.compacted_revision() == 3
        kv = await store.get("/p/a")
        assert (kv.value, kv.create_revision, kv.mod_revision) == (b"2", 1, 2)
        events = await take(store.watch("/p/", 3), 3)
        assert [(e.type, e.kv.key) for e in events] == [
            ("PUT", "/p/b"), ("PUT", "/p/tmp"), ("DELETE", "/p/tmp")]
        # Compacting away the newest row (a delete) must not lower the revision.
        await store.compact(last)
        await store.close()
        store = SqliteStore(path)
        assert await store.current_revision() == last
        assert await store.create("/p/c", b"") == last + 1
        await store.close()

    last = asyncio.run(first())
    asyncio.run(second(last))


def test_sqlite_uses_wal(tmp_path):
    path = str(tmp_path / "state.db")

    async def scenario():
        store = SqliteStore(path)
        await store.create("/x", b"")
        mode = store._reader.execute("PRAGMA journal_mode").fetchone()[0]
        await store.close()
        return mode

    assert asyncio.run(scenario()) == "wal"
    assert os.path.exists(path)


def test_open_store(tmp_path):
    assert isinstance(open_store("memory:"), MemoryStore)
    store = open_store(f"sqlite:{tmp_path / 'db'}")
    assert isinstance(store, SqliteStore)
    asyncio.run(store.close())
    with pytest.raises(ValueError):
        open_store("etcd3://nowhere")
