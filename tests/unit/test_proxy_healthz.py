# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's /healthz and /livez answers from the sync loop's reports and the Node."""
from __future__ import annotations

import json

from kybernetes.proxy.healthz import ProxyHealth, go_time


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_go_time_prints_as_gos_time_string():
    assert go_time(1700000000.5) == "2023-11-14 22:13:20.5 +0000 UTC"
    assert go_time(1700000000) == "2023-11-14 22:13:20 +0000 UTC"
    assert go_time(0) == "0001-01-01 00:00:00 +0000 UTC"


def test_healthy_while_starting_and_while_changes_are_written_in_time():
    clock = Clock(1000.0)
    health = ProxyHealth(60.0, clock)
    status, body = health.healthz()
    assert status == 200
    assert json.loads(body) == {"lastUpdated": go_time(1000.0), "currentTime": go_time(1000.0),
                                "nodeEligible": True}
    health.queued_update()
    clock.now += 59
    assert health.livez()[0] == 200
    health.updated()
    clock.now += 600  # nothing queued: healthy however long ago the last sync was
    assert health.healthz()[0] == 200


def test_a_change_not_written_within_the_timeout_is_unhealthy_until_a_sync():
    clock = Clock(1000.0)
    health = ProxyHealth(60.0, clock)
    health.updated()
    health.queued_update()
    clock.now += 30
    health.queued_update()  # the oldest pending change counts
    clock.now += 31
    status, body = health.livez()
    assert status == 503
    assert json.loads(body) == {"lastUpdated": go_time(1000.0), "currentTime": go_time(1061.0)}
    assert health.healthz()[0] == 503
    health.updated()
    assert health.livez()[0] == 200


def test_a_node_being_deleted_or_tainted_fails_healthz_not_livez():
    health = ProxyHealth(60.0, Clock(1000.0))
    health.sync_node({"metadata": {"name": "n", "deletionTimestamp": "2026-01-01T00:00:00Z"}})
    status, body = health.healthz()
    assert status == 503 and json.loads(body)["nodeEligible"] is False
    assert health.livez()[0] == 200
    health.sync_node({"metadata": {"name": "n"}, "spec": {"taints": [
        {"key": "ToBeDeletedByClusterAutoscaler", "effect": "NoSchedule"}]}})
    assert health.healthz()[0] == 503
    health.sync_node({"metadata": {"name": "n"}, "spec": {}})
    assert health.healthz()[0] == 200
