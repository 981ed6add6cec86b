# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The watch cache over a real store: lists, indexes, watch semantics (initial events,
history, too-old, selector transitions, slow watchers) and freshness."""
from __future__ import annotations

import asyncio

import orjson
import pytest

from kybernetes.storage.memory import MemoryStore
from kybernetes.storage.etcd import EtcdStore
from kybernetes.storage.sqlite import SqliteStore
from tests.support.etcd import EtcdMember, etcd_available
from kybernetes.storage.watchcache import TooOldError, WatchCache

PODS = "/registry/pods/"


def pod(name, namespace="default", node="", labels=None):
    return orjson.dumps({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": name, "namespace": namespace,
                                      "labels": labels or {}},
                         "spec": {"nodeName": node}})


def by_node(obj):
    return [obj["spec"].get("nodeName", "")]


@pytest.fixture(params=["memory", "sqlite", "etcd"])
def make_store(request, tmp_path):
    if request.param == "etcd":
        if not etcd_available():
            pytest.skip("etcd is not installed (make install installs it as root)")
        member = EtcdMember(tmp_path / "etcd").start()
        request.addfinalizer(member.stop)

    def make():
        if request.param == "etcd":
            return EtcdStore([member.url])
        return MemoryStore() if request.param == "memory" else SqliteStore(str(tmp_path / "db"))
    return make


def run(make_store, scenario, **cache_options):
    async def main():
        store = make_store()
        cache = WatchCache(store, PODS, indexers={"spec.nodeName": by_node}, **cache_options)
        try:
            await scenario(store, cache)
        finally:
            await cache.stop()
            await store.close()
    asyncio.run(main())


async def events(watcher, count):
    return [(e.type, e.obj.name, e.obj.revision) for e in
            [await watcher.__anext__() for _ in range(count)]]


def test_start_lists_existing_objects(make_store):
    async def scenario(store, cache):
        first = await store.create(PODS + "default/a", pod("a"))
        second = await store.create("/registry/nodes/n1", b"{}")
        await cache.start()
        cached = cache.get(PODS + "default/a")
        assert (cached.namespace, cached.name, cached.revision) == ("default", "a", first)
        assert cached.obj["metadata"]["resourceVersion"] == str(first)
        assert orjson.loads(cached.raw) == cached.obj
        assert cache.revision == second
        assert cache.get("/registry/nodes/n1") is None
    run(make_store, scenario)


def test_list_by_namespace_index_and_predicate(make_store):
    async def scenario(store, cache):
        await cache.start()
        await store.create(PODS + "b/p2", pod("p2", "b", node="n1", labels={"app": "x"}))
        await store.create(PODS + "a/p3", pod("p3", "a", node="n2"))
        await store.create(PODS + "a/p1", pod("p1", "a", node="n1"))
        await store.create(PODS + "ab/p0", pod("p0", "ab"))
        last = await store.current_revision()
        await cache.wait_fresh(last)
        items, revision = cache.list()
        assert [o.key for o in items] == sorted(o.key for o in items)
        assert len(items) == 4 and revision == last
        assert [o.name for o in cache.list(namespace="a")[0]] == ["p1", "p3"]
        assert [o.name for o in cache.list(index=("spec.nodeName", "n1"))[0]] == ["p1", "p2"]
        assert [o.name for o in cache.list(namespace="a", index=("spec.nodeName", "n1"))[0]] \
            == ["p1"]
        labelled = cache.list(predicate=lambda o: o["metadata"]["labels"]["app"] == "x")[0]
        assert [o.name for o in labelled] == ["p2"]  # objects lacking the label: no match
        # The index follows updates and deletes.
        p1 = cache.get(PODS + "a/p1")
        await store.update(p1.key, pod("p1", "a", node="n3"), p1.revision)
        await store.delete(PODS + "b/p2")
        await cache.wait_fresh(await store.current_revision())
        assert cache.list(index=("spec.nodeName", "n1"))[0] == []
        assert [o.name for o in cache.list(index=("spec.nodeName", "n3"))[0]] == ["p1"]
        assert len(cache) == 3
    run(make_store, scenario)


def test_watch_from_zero_sends_current_objects_then_changes(make_store):
    async def scenario(store, cache):
        b = await store.create(PODS + "ns/b", pod("b", "ns"))
        a = await store.create(PODS + "ns/a", pod("a", "ns"))
        await cache.start()
        async with cache.watch(0) as watcher:
            created = await store.create(PODS + "ns/c", pod("c", "ns"))
            assert await events(watcher, 3) == [
                ("ADDED", "a", a), ("ADDED", "b", b), ("ADDED", "c", created)]
        assert watcher.closed
    run(make_store, scenario)


def test_watch_from_revision_replays_history(make_store):
    async def scenario(store, cache):
        await cache.start()
        one = await store.create(PODS + "ns/a", pod("a", "ns"))
        two = await store.update(PODS + "ns/a", pod("a", "ns", node="n"), one)
        three = await store.delete(PODS + "ns/a")
        await cache.wait_fresh(three)
        watcher = cache.watch(one)
        assert await events(watcher, 2) == [("MODIFIED", "a", two), ("DELETED", "a", three)]
        deleted = cache.watch(two)
        event = await deleted.__anext__()
        # A delete carries the last state with the delete's revision.
        assert event.obj.obj["spec"]["nodeName"] == "n"
        assert event.obj.obj["metadata"]["resourceVersion"] == str(three)
        assert orjson.loads(event.obj.raw)["metadata"]["resourceVersion"] == str(three)
        watcher.close()
        deleted.close()
    run(make_store, scenario)


def test_watch_too_old_for_history(make_store):
    async def scenario(store, cache):
        await cache.start()
        base = await store.current_revision()  # 0, or 1 on a fresh etcd
        for i in range(6):
            await store.create(PODS + f"ns/p{i}", pod(f"p{i}", "ns"))
        await cache.wait_fresh(base + 6)
        with pytest.raises(TooOldError) as error:
            cache.watch(base + 1)
        assert error.value.requested == base + 1 and error.value.oldest == base + 3
        assert f"too old resource version: {base + 1} ({base + 3})" in str(error.value)
        watcher = cache.watch(base + 3)
        assert [name for _, name, _ in await events(watcher, 3)] == ["p3", "p4", "p5"]
        watcher.close()
    run(make_store, scenario, history_size=3)


def test_predicate_transitions(make_store):
    async def scenario(store, cache):
        await cache.start()
        on_node = lambda obj: obj["spec"]["nodeName"] == "n1"  # noqa: E731
        watcher = cache.watch(0, predicate=on_node, namespace="ns")
        key = PODS + "ns/a"
        r1 = await store.create(key, pod("a", "ns"))                        # never matched
        r2 = await store.update(key, pod("a", "ns", node="n1"), r1)         # starts matching
        r3 = await store.update(key, pod("a", "ns", node="n1", labels={"x": "y"}), r2)
        r4 = await store.update(key, pod("a", "ns", node="n2"), r3)         # stops matching
        await store.create(PODS + "other/b", pod("b", "other", node="n1"))  # other namespace
        r6 = await store.update(key, pod("a", "ns", node="n1"), r4)
        r7 = await store.delete(key)
        got = await events(watcher, 4)
        assert got == [("ADDED", "a", r2), ("MODIFIED", "a", r3), ("DELETED", "a", r4),
                       ("ADDED", "a", r6)]
        last = await watcher.__anext__()
        assert (last.type, last.obj.revision) == ("DELETED", r7)
        assert await watcher.next(timeout=0.01) is None
        watcher.close()
    run(make_store, scenario)


def test_index_watch_only_sees_its_objects(make_store):
    async def scenario(store, cache):
        await cache.start()
        watcher = cache.watch(0, index=("spec.nodeName", "n1"))
        a = await store.create(PODS + "ns/a", pod("a", "ns", node="n2"))
        await store.create(PODS + "ns/b", pod("b", "ns", node="n1"))
        await store.update(PODS + "ns/a", pod("a", "ns", node="n1"), a)
        got = await events(watcher, 2)
        assert [(t, n) for t, n, _ in got] == [("ADDED", "b"), ("ADDED", "a")]
        watcher.close()
    run(make_store, scenario)


def test_slow_watcher_is_dropped_without_blocking_others(make_store):
    async def scenario(store, cache):
        await cache.start()
        slow = cache.watch(0, queue_size=3)
        fast = cache.watch(0)
        for i in range(5):
            await store.create(PODS + f"ns/p{i}", pod(f"p{i}", "ns"))
        assert [n for _, n, _ in await events(fast, 5)] == [f"p{i}" for i in range(5)]
        with pytest.raises(TooOldError):
            await slow.next()
        fast.close()
    run(make_store, scenario)


def test_bookmark_revision_and_freshness_follow_other_prefixes(make_store):
    async def scenario(store, cache):
        await cache.start()
        before = cache.revision
        watcher = cache.watch(0)
        await store.create(PODS + "ns/a", pod("a", "ns"))
        assert watcher.bookmark_revision == before  # the event is not read yet
        assert (await watcher.next(timeout=0.5)).obj.name == "a"
        other = await store.create("/registry/nodes/n1", b"{}")
        await cache.wait_fresh(other)  # must not hang: nothing under our prefix changed
        assert cache.revision == other
        assert watcher.bookmark_revision == other
        assert cache.list()[1] == other
        assert await cache.wait_consistent() == other
        watcher.close()
        with pytest.raises(StopAsyncIteration):
            await watcher.next()
    run(make_store, scenario)


def test_cluster_scoped_keys():
    async def scenario():
        store = MemoryStore()
        await store.create("/registry/nodes/n1", b'{"metadata":{"name":"n1"}}')
        cache = WatchCache(store, "/registry/nodes")
        await cache.start()
        node = cache.get("/registry/nodes/n1")
        assert (node.namespace, node.name) == ("", "n1")
        assert [o.name for o in cache.list(namespace="")[0]] == ["n1"]
        await cache.stop()
    asyncio.run(scenario())


def test_stop_ends_watchers(make_store):
    async def scenario(store, cache):
        await cache.start()
        watchers = [cache.watch(0), cache.watch(0, namespace="ns"),
                     cache.watch(0, index=("spec.nodeName", "n1"))]
        waiting = [asyncio.ensure_future(watcher.next()) for watcher in watchers]
        await asyncio.sleep(0)
        await cache.stop()
        for future in waiting:
            with pytest.raises(StopAsyncIteration):
                await future
        assert all(watcher.closed for watcher in watchers)
    run(make_store, scenario)
