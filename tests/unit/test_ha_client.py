# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The client-side load balancer's choices and the store-shared Service ranges."""
from __future__ import annotations

import asyncio

import pytest

from kybernetes.apiserver.allocators import (AllocationError, IPAllocator, PortAllocator,
                                             SharedRange, decode_bitmap, encode_bitmap,
                                             range_offsets)
from kybernetes.client.loadbalancer import (ServerPool, parse_servers, servers_from_cluster,
                                            should_retry)
from kybernetes.storage.memory import MemoryStore


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_parse_servers_splits_and_cleans():
    assert parse_servers(" https://a:6443/, https://b:6444 ,https://a:6443") == [
        "https://a:6443", "https://b:6444"]
    with pytest.raises(ValueError, match="not a URL"):
        parse_servers("a:6443")
    with pytest.raises(ValueError, match="no API server"):
        parse_servers(" , ")


def test_servers_from_cluster_prefers_the_extension():
    cluster = {"server": "https://a:6443", "extensions": [
        {"name": "other", "extension": {}},
        {"name": "kybernetes.io/servers", "extension": {"servers": ["https://a:6443", "https://b:1"]}}]}
    assert servers_from_cluster(cluster) == ["https://a:6443", "https://b:1"]
    assert servers_from_cluster({"server": "https://a:1,https://b:2"}) == ["https://a:1", "https://b:2"]


def test_pool_fails_over_and_passes_over_a_failed_server_until_cooled_down():
    clock = Clock()
    pool = ServerPool("https://a,https://b,https://c", clock=clock, cooldown=5)
    assert pool.preferred == "https://a"
    pool.failed("https://a")
    assert pool.preferred == "https://b"
    assert pool.candidates() == ["https://b", "https://c", "https://a"]
    pool.failed("https://b")
    assert pool.preferred == "https://c"
    assert pool.candidates() == ["https://c", "https://a", "https://b"]
    clock.now += 6  # both cooled down: tried again in list order after the preferred one
    assert pool.candidates() == ["https://c", "https://a", "https://b"]
    assert pool.failovers == 2


def test_pool_failure_of_a_non_preferred_server_keeps_the_preference():
    pool = ServerPool(["https://a", "https://b"], clock=Clock())
    pool.failed("https://b")
    assert pool.preferred == "https://a"
    assert pool.failovers == 0


def test_pool_success_elsewhere_moves_the_preference_off_a_failed_server():
    pool = ServerPool(["https://a", "https://b"], clock=Clock())
    pool.failed("https://a")
    pool.failed("https://b")  # every server failed: the preference went round
    pool.succeeded("https://b")
    assert pool.preferred == "https://b"
    assert pool.healthy("https://b") and not pool.healthy("https://a")


def test_only_unsent_or_idempotent_requests_are_resent():
    assert should_retry("POST", sent=False)
    assert should_retry("GET", sent=True)
    assert not should_retry("POST", sent=True)
    assert not should_retry("PUT", sent=True)


def test_bitmap_round_trip():
    assert decode_bitmap(encode_bitmap([0, 3, 17, 200])) == [0, 3, 17, 200]
    assert encode_bitmap([]) == b""
    assert encode_bitmap([0, 9]) == bytes([0b10, 0b00000001])
    # a /12 service range is a million bits
    high = [5, 65536, (1 << 20) - 2]
    assert decode_bitmap(encode_bitmap(high)) == high
    assert len(encode_bitmap(high)) == 1 << 17


def test_shared_ranges_on_one_store_never_hand_out_a_value_twice():
    async def scenario():
        store = MemoryStore()
        # two API servers: their own in-memory allocators, one store
        servers = [SharedRange(PortAllocator("30000-30039"), store, "/registry/ranges/servicenodeports")
                   for _ in range(2)]
        got = await asyncio.gather(*(servers[i % 2].allocate() for i in range(40)))
        assert sorted(got) == list(range(30000, 30040))
        with pytest.raises(AllocationError, match="range is full"):
            await servers[0].allocate()
        await servers[1].release(30005)
        assert await servers[0].allocate() == 30005
        with pytest.raises(AllocationError, match="already allocated"):
            await servers[1].allocate(30005)
        stored = await store.get("/registry/ranges/servicenodeports")
        assert range_offsets(stored.value) == ("30000-30039", list(range(40)))
    asyncio.run(scenario())


def test_shared_ip_range_marks_existing_services_and_refuses_a_different_range():
    async def scenario():
        store = MemoryStore()
        first = SharedRange(IPAllocator("10.96.0.0/28"), store, "/registry/ranges/serviceips")
        await first.ensure_allocated(["10.96.0.1", "10.96.0.10", "192.168.0.1"])
        second = SharedRange(IPAllocator("10.96.0.0/28"), store, "/registry/ranges/serviceips")
        with pytest.raises(AllocationError, match="already allocated"):
            await second.allocate("10.96.0.10")
        assert await second.allocate("10.96.0.11") == "10.96.0.11"
        other = SharedRange(IPAllocator("10.100.0.0/24"), store, "/registry/ranges/serviceips")
        with pytest.raises(AllocationError, match="every API server must use the same range"):
            await other.allocate()
    asyncio.run(scenario())
