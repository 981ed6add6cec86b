# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Back-off of container restarts and image pulls: 10 s doubling to 5 min, forgotten
after twice the maximum."""
from __future__ import annotations

from kybernetes.kubelet.backoff import BackOff


def test_delays_double_up_to_the_maximum():
    backoff = BackOff()
    now = 1000.0
    delays = []
    for _ in range(8):
        delays.append(backoff.next("c", now))
        now += 1
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]


def test_remaining_since_the_exit():
    backoff = BackOff()
    backoff.next("c", 100.0)  # restarted at 100: the next restart waits 10 s after an exit
    assert backoff.remaining_since("c", 103.0, 104.0) == 9.0
    assert backoff.remaining_since("c", 103.0, 113.0) == 0.0
    assert backoff.remaining_since("other", 103.0, 104.0) == 0.0


def test_a_long_run_resets_the_back_off():
    backoff = BackOff()
    for t in range(5):
        backoff.next("c", 100.0 + t)
    assert backoff.get("c") == 160
    # the container then ran for more than 10 minutes before exiting
    assert backoff.remaining_since("c", 104.0 + 601, 104.0 + 602) == 0.0
    assert backoff.next("c", 104.0 + 602) == 10


def test_pull_back_off_counts_from_the_last_failure():
    backoff = BackOff()
    backoff.next("nginx", 50.0)
    assert backoff.remaining("nginx", 55.0) == 5.0
    assert backoff.remaining("nginx", 61.0) == 0.0
    backoff.reset("nginx")
    assert backoff.remaining("nginx", 51.0) == 0.0
