# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A Store that encrypts values on their way in and decrypts them on their way out, as
upstream's etcd3 store applies its value transformer: the backend holds ciphertext, and
everything above (the watch caches, GET, list, watch) sees plain JSON.

A value that cannot be decrypted (its key is no longer configured, or it is corrupt) is
left out of reads and remembered; the API answers a request for that object with an
internal error naming its store key, instead of failing the whole server.
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import AsyncIterator, Callable

from kybernetes.apiserver.encryption import (ENCRYPTED_PREFIX, EncryptionConfig,
                                             EncryptionConfigError, PrefixTransformers,
                                             TransformError, load_encryption_config)
from kybernetes.storage.interface import Event, KeyValue, StorageError, Store

log = logging.getLogger("kybernetes.apiserver.encryption")

# store key prefix ("/registry/secrets/") -> (group, resource), or None when not a resource
Resolver = Callable[[str], "tuple[str, str] | None"]


def encrypted_store(inner: Store, config, resolve: Resolver) -> "EncryptedStore":
    """Wrap `inner` as the APIServerConfig's --encryption-provider-config says
    (EncryptionConfigError when the file is invalid)."""
    path = Path(config.encryption_provider_config)
    store = EncryptedStore(inner, load_encryption_config(path), resolve)
    if config.encryption_provider_config_automatic_reload:
        store.reload_path = path
    return store


class EncryptedStore(Store):
    def __init__(self, inner: Store, config: EncryptionConfig, resolve: Resolver) -> None:
        self.inner = inner
        self.config = config
        self._resolve = resolve
        self._by_prefix: dict[str, PrefixTransformers | None] = {}
        self.unreadable: dict[str, str] = {}  # store key -> why it could not be decrypted
        self._reloader: asyncio.Task | None = None
        self.reload_path: Path | None = None  # watched for changes once serving
        self._reloaded: asyncio.Future | None = None  # resolved at the next reload

    # ---- transformers --------------------------------------------------------------
    def _transformer(self, key: str) -> PrefixTransformers | None:
        prefix = _resource_prefix(key)
        if prefix in self._by_prefix:
            return self._by_prefix[prefix]
        resolved = self._resolve(prefix)
        if resolved is None:  # not a resource (yet: a custom resource may come)
            return None
        transformer = self._by_prefix[prefix] = self.config.transformer_for(*resolved)
        return transformer

    def _encrypt(self, key: str, value: bytes) -> bytes:
        transformer = self._transformer(key)
        return transformer.to_storage(value, key.encode()) if transformer else value

    def _decrypt(self, kv: KeyValue, record: bool = True) -> KeyValue | None:
        """The plain KeyValue, or None (and, with `record`, the key remembered as
        unreadable) when it cannot be decrypted."""
        transformer = self._transformer(kv.key)
        value = kv.value
        try:
            if transformer is not None:
                value = transformer.from_storage(value, kv.key.encode())
            elif value.startswith(ENCRYPTED_PREFIX):  # the resource is no longer listed
                raise TransformError("identity transformer tried to read encrypted data")
        except TransformError as exc:
            if record:
                reason = f'unable to transform key "{kv.key}": {exc}'
                if self.unreadable.get(kv.key) != reason:
                    log.error("%s", reason)
                self.unreadable[kv.key] = reason
            return None
        if record:
            self.unreadable.pop(kv.key, None)
        if value is kv.value:
            return kv
        return KeyValue(kv.key, value, kv.create_revision, kv.mod_revision)

    def _decrypt_event(self, event: Event) -> Event | None:
        """The event as the watch cache should see it. Keys in `unreadable` are exactly
        those the cache does not hold, which decides what each change means to it."""
        key = event.kv.key
        if event.type == "DELETE":
            if self.unreadable.pop(key, None) is not None:
                return None  # never in the cache
            kv = self._decrypt(event.kv, record=False) or _placeholder(event.kv)
            return Event("DELETE", kv, None)
        was_unreadable = key in self.unreadable
        kv = self._decrypt(event.kv)
        if kv is None:
            if was_unreadable:
                return None
            # the cache holds an older, readable state: drop it, so reads report the
            # error instead of serving stale data
            return Event("DELETE", _placeholder(event.kv), None)
        prev = None
        if event.prev is not None and not was_unreadable:
            prev = self._decrypt(event.prev, record=False)
        return Event("PUT", kv, prev)

    # ---- reads -----------------------------------------------------------------------
    async def current_revision(self) -> int:
        return await self.inner.current_revision()

    async def compacted_revision(self) -> int:
        return await self.inner.compacted_revision()

    async def get(self, key: str) -> KeyValue | None:
        kv = await self.inner.get(key)
        return self._decrypt(kv) if kv is not None else None

    async def range(self, prefix: str, limit: int = 0,
                    start_after: str = "") -> tuple[list[KeyValue], int]:
        if self.reload_path is not None and self._reloader is None:
            self._reloader = asyncio.create_task(self._watch_config(self.reload_path, 1.0))
        items, revision = await self.inner.range(prefix, limit, start_after)
        if not limit and not start_after:  # a whole prefix: forget what is gone
            for key in [k for k in self.unreadable if k.startswith(prefix)]:
                del self.unreadable[key]
        plain = [kv for kv in map(self._decrypt, items) if kv is not None]
        return plain, revision

    async def is_stale(self, key: str) -> bool:
        """Whether the stored value was written by a provider or key other than the first
        (or unencrypted where it should be): an update that changes nothing must still
        rewrite it, which is how `kubectl replace` moves data to the new key."""
        kv = await self.inner.get(key)
        transformer = self._transformer(key)
        if kv is None or transformer is None:
            return False
        try:
            return transformer.from_storage_stale(kv.value, key.encode())[1]
        except TransformError:
            return False

    async def count(self, prefix: str) -> int:
        return await self.inner.count(prefix)

    def watch(self, prefix: str, start_revision: int) -> AsyncIterator[Event]:
        return _DecryptingWatch(self, self.inner.watch(prefix, start_revision), prefix)

    # ---- writes ----------------------------------------------------------------------
    async def create(self, key: str, value: bytes) -> int:
        return await self.inner.create(key, self._encrypt(key, value))

    async def update(self, key: str, value: bytes, expected_mod_revision: int) -> int:
        return await self.inner.update(key, self._encrypt(key, value), expected_mod_revision)

    async def delete(self, key: str, expected_mod_revision: int = 0) -> int:
        return await self.inner.delete(key, expected_mod_revision)

    async def compact(self, revision: int) -> None:
        await self.inner.compact(revision)

    async def close(self) -> None:
        if self._reloader is not None:
            self._reloader.cancel()
        await self.inner.close()

    def __getattr__(self, name: str):
        # backend extras (member_health, ...) pass through
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    # ---- --encryption-provider-config-automatic-reload -------------------------------
    def replace_config(self, config: EncryptionConfig) -> None:
        self.config = config
        self._by_prefix = {}
        # watches of prefixes with unreadable objects end, so their caches list again
        # and pick up what the new keys can read
        reloaded, self._reloaded = self._reloaded, None
        if reloaded is not None and not reloaded.done():
            reloaded.set_result(None)

    def _unreadable_under(self, prefix: str) -> bool:
        return any(key.startswith(prefix) for key in self.unreadable)

    def _next_reload(self) -> asyncio.Future:
        if self._reloaded is None:
            self._reloaded = asyncio.get_running_loop().create_future()
        return self._reloaded

    async def _watch_config(self, path: Path, interval: float) -> None:
        last = _read(path)
        while True:
            await asyncio.sleep(interval)
            current = _read(path)
            if current == last:
                continue
            last = current
            try:
                self.replace_config(load_encryption_config(path))
                log.info("reloaded encryption provider configuration %s", path)
            except EncryptionConfigError as exc:  # keep serving with the previous one
                log.error("not reloading the encryption provider configuration: %s", exc)


class _DecryptingWatch:
    """The backend's watch with every value decrypted; keeps its progress and close."""

    def __init__(self, store: EncryptedStore, inner: AsyncIterator[Event], prefix: str) -> None:
        self._store = store
        self._inner = inner
        self._prefix = prefix
        self._relist = False

    @property
    def progress_revision(self) -> int:
        return self._inner.progress_revision  # type: ignore[attr-defined]

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def __aiter__(self) -> "_DecryptingWatch":
        return self

    async def __anext__(self) -> Event:
        while True:
            store = self._store
            if self._relist:
                raise StorageError("the encryption provider configuration changed: listing again")
            if store.reload_path is not None and store._unreadable_under(self._prefix):
                raw = await self._next_or_reload()
            else:
                raw = await self._inner.__anext__()
            event = store._decrypt_event(raw)
            if event is not None:
                return event

    async def _next_or_reload(self) -> Event:
        """The next event, or StorageError once the configuration is reloaded: the watch
        cache then lists again, and objects the new keys decrypt appear."""
        following = asyncio.ensure_future(self._inner.__anext__())
        reloaded = self._store._next_reload()
        await asyncio.wait({following, reloaded}, return_when=asyncio.FIRST_COMPLETED)
        if following.done():
            self._relist = reloaded.done()  # both at once: the event first, then relist
            return following.result()
        following.cancel()
        raise StorageError("the encryption provider configuration changed: listing again")

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


def _resource_prefix(key: str) -> str:
    """`/registry/secrets/ns/name` -> `/registry/secrets/`; custom resources keep their
    group: `/registry/example.com/widgets/ns/name` -> `/registry/example.com/widgets/`."""
    parts = key.split("/")
    if len(parts) > 3 and "." in parts[2]:
        return "/".join(parts[:4]) + "/"
    return "/".join(parts[:3]) + "/"


def _placeholder(kv: KeyValue) -> KeyValue:
    """A delete's value when the real one cannot be read (the cache uses its own copy)."""
    return KeyValue(kv.key, b"{}", kv.create_revision, kv.mod_revision)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
