# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Per-key exponential back-off, as upstream's flowcontrol.Backoff is used by the kubelet
for container restarts (CrashLoopBackOff) and image pulls (ImagePullBackOff): 10 s
doubling to 5 min; an entry untouched for twice the maximum starts again from 10 s
(so a container that ran 10 minutes before crashing is restarted after 10 s)."""
from __future__ import annotations

from dataclasses import dataclass

INITIAL_BACKOFF = 10.0
MAX_BACKOFF = 300.0


@dataclass(slots=True)
class _Entry:
    delay: float
    last_update: float


class BackOff:
    def __init__(self, initial: float = INITIAL_BACKOFF, maximum: float = MAX_BACKOFF) -> None:
        self.initial = initial
        self.maximum = maximum
        self.entries: dict[str, _Entry] = {}

    def _expired(self, entry: _Entry, now: float) -> bool:
        return now - entry.last_update > 2 * self.maximum

    def next(self, key: str, now: float) -> float:
        """Record one more failure at `now`; returns the delay before the next try."""
        entry = self.entries.get(key)
        if entry is None or self._expired(entry, now):
            entry = self.entries[key] = _Entry(self.initial, now)
        else:
            entry.delay = min(entry.delay * 2, self.maximum)
            entry.last_update = now
        return entry.delay

    def get(self, key: str) -> float:
        entry = self.entries.get(key)
        return entry.delay if entry is not None else 0.0

    def remaining_since(self, key: str, event_time: float, now: float) -> float:
        """Seconds still to wait, counted from `event_time` (when the container exited
        or the pull failed), before `key` may be tried again; 0 when it may be now.
        An entry whose last try is more than twice the maximum before `event_time`
        no longer counts (the container ran long enough)."""
        entry = self.entries.get(key)
        if entry is None or event_time - entry.last_update > 2 * self.maximum:
            return 0.0
        return max(0.0, event_time + entry.delay - now)

    def remaining(self, key: str, now: float) -> float:
        """Seconds until `key` may be tried again counted from its last try (pulls)."""
        entry = self.entries.get(key)
        if entry is None:
            return 0.0
        return max(0.0, entry.last_update + entry.delay - now)

    def reset(self, key: str) -> None:
        self.entries.pop(key, None)

    def reset_prefix(self, prefix: str) -> None:
        for key in [k for k in self.entries if k.startswith(prefix)]:
            del self.entries[key]
