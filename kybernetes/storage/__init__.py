# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Storage: the etcd-shaped Store interface, its backends, and the API server's watch cache.

`open_store("memory:")` or `open_store("sqlite:/var/lib/kybernetes/state.db")` picks a backend.
"""
from __future__ import annotations

from kybernetes.storage.interface import Store


def open_store(spec: str) -> Store:
    """A Store for `memory:` or `sqlite:PATH` (the file is created if missing)."""
    scheme, _, rest = spec.partition(":")
    if scheme == "memory" and not rest:
        from kybernetes.storage.memory import MemoryStore
        return MemoryStore()
    if scheme == "sqlite" and rest:
        from kybernetes.storage.sqlite import SqliteStore
        return SqliteStore(rest)
    raise ValueError(f"unknown store {spec!r}: expected 'memory:' or 'sqlite:PATH'")
