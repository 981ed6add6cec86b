# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Storage: the etcd-shaped Store interface, its backends, and the API server's watch cache.

`open_store("memory:")`, `open_store("sqlite:/var/lib/kybernetes/state.db")` or
`open_store("etcd:https://10.0.0.1:2379,https://10.0.0.2:2379", ca_file=..., ...)` picks a
backend.
"""
from __future__ import annotations

from kybernetes.storage.interface import Store


def open_store(spec: str, *, ca_file: str | None = None, cert_file: str | None = None,
               key_file: str | None = None) -> Store:
    """A Store for `memory:`, `sqlite:PATH` (the file is created if missing) or
    `etcd:URL[,URL...]` (TLS files for etcd's client port, as --etcd-cafile & co.)."""
    scheme, _, rest = spec.partition(":")
    if scheme == "etcd" and rest:
        from kybernetes.storage.etcd import EtcdStore
        return EtcdStore([u.strip() for u in rest.split(",") if u.strip()], ca_file=ca_file,
                         cert_file=cert_file, key_file=key_file)
    if scheme == "memory" and not rest:
        from kybernetes.storage.memory import MemoryStore
        return MemoryStore()
    if scheme == "sqlite" and rest:
        from kybernetes.storage.sqlite import SqliteStore
        return SqliteStore(rest)
    raise ValueError(f"unknown store {spec!r}: expected 'memory:', 'sqlite:PATH' or 'etcd:URL[,URL]'")
