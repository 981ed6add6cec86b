# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Polling with a deadline: integration tests wait for controllers this way, never by
asserting how long something took."""
from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 90, interval: float = 0.2):
    """The first truthy value of predicate(), or AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(predicate, '__name__', predicate)}")
        time.sleep(interval)
