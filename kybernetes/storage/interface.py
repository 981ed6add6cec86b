# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The store interface, shaped like etcd's KV and Watch APIs.

Every backend (memory, sqlite, later etcd) keeps one global, strictly increasing revision.
Each successful write gets a new revision; a key remembers the revision that created it
and the one that last modified it. Values are opaque bytes (the API server stores JSON
objects without metadata.resourceVersion; the mod revision becomes the resourceVersion).
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import AsyncIterator, Literal


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: bytes
    create_revision: int
    mod_revision: int


@dataclass(frozen=True, slots=True)
class Event:
    """A change. For PUT, `kv` is the new state; `prev` the state before (None on create).
    For DELETE, `kv.value` is the last value and `kv.mod_revision` the delete's revision."""
    type: Literal["PUT", "DELETE"]
    kv: KeyValue
    prev: KeyValue | None

    @property
    def revision(self) -> int:
        return self.kv.mod_revision

    @property
    def is_create(self) -> bool:
        return self.type == "PUT" and self.prev is None


class StorageError(Exception):
    pass


class KeyExistsError(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key exists: {key}")
        self.key = key


class KeyNotFoundError(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key not found: {key}")
        self.key = key


class RevisionMismatchError(StorageError):
    """A compare-and-swap lost: the key's mod revision is not the expected one."""
    def __init__(self, key: str, current: KeyValue) -> None:
        super().__init__(f"revision mismatch on {key}: now at {current.mod_revision}")
        self.key = key
        self.current = current


class CompactedError(StorageError):
    """A watch or read asked for a revision older than the compacted one."""
    def __init__(self, requested: int, compacted: int) -> None:
        super().__init__(f"required revision {requested} has been compacted (at {compacted})")
        self.requested = requested
        self.compacted = compacted


class Store(abc.ABC):
    """An etcd-shaped key-value store. All methods are coroutines except `watch`, which
    returns an async iterator. A write is acknowledged (its coroutine returns) only once it
    is durable."""

    @abc.abstractmethod
    async def current_revision(self) -> int: ...

    @abc.abstractmethod
    async def compacted_revision(self) -> int: ...

    @abc.abstractmethod
    async def get(self, key: str) -> KeyValue | None: ...

    @abc.abstractmethod
    async def range(self, prefix: str, limit: int = 0,
                    start_after: str = "") -> tuple[list[KeyValue], int]:
        """Keys starting with `prefix` (sorted by key, after `start_after`, at most `limit`
        if non-zero) at the current revision, and that revision."""

    @abc.abstractmethod
    async def count(self, prefix: str) -> int: ...

    @abc.abstractmethod
    async def create(self, key: str, value: bytes) -> int:
        """Store a new key. Returns the write's revision. KeyExistsError if present."""

    @abc.abstractmethod
    async def update(self, key: str, value: bytes, expected_mod_revision: int) -> int:
        """Replace a key if its mod revision is still `expected_mod_revision`.
        KeyNotFoundError if absent, RevisionMismatchError otherwise."""

    @abc.abstractmethod
    async def delete(self, key: str, expected_mod_revision: int = 0) -> int:
        """Delete a key (only if at `expected_mod_revision` when non-zero). Returns the
        delete's revision. KeyNotFoundError / RevisionMismatchError as update."""

    @abc.abstractmethod
    def watch(self, prefix: str, start_revision: int) -> AsyncIterator[Event]:
        """Every change under `prefix` with revision >= start_revision, in revision order,
        then live changes until the iterator is closed. CompactedError (raised on the
        first iteration) when start_revision is below the compacted revision.
        start_revision 0 means from now on."""

    @abc.abstractmethod
    async def compact(self, revision: int) -> None:
        """Forget the history before `revision` (the latest state of every key stays)."""

    @abc.abstractmethod
    async def close(self) -> None: ...
