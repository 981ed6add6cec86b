# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Encryption at rest: the EncryptionConfiguration parser and validation, each provider's
stored layout, prefix selection and rotation, and the encrypting store under a watch
cache (ciphertext in the store, plain JSON above it, unreadable keys remembered)."""
from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kybernetes.apiserver.encrypted_store import EncryptedStore
from kybernetes.apiserver.encryption import (EncryptionConfigError, TransformError,
                                             load_encryption_config, parse_encryption_config)
from kybernetes.storage.memory import MemoryStore
from kybernetes.storage.watchcache import WatchCache

KEY1 = base64.b64encode(b"1" * 32).decode()
KEY2 = base64.b64encode(b"2" * 32).decode()
SECRET_KEY = "/registry/secrets/default/s1"


def config(*providers, resources=("secrets",)):
    return {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
            "resources": [{"resources": list(resources), "providers": list(providers)}]}


def aescbc(*keys):
    return {"aescbc": {"keys": [{"name": n, "secret": s} for n, s in keys]}}


def aesgcm(*keys):
    return {"aesgcm": {"keys": [{"name": n, "secret": s} for n, s in keys]}}


def secretbox(*keys):
    return {"secretbox": {"keys": [{"name": n, "secret": s} for n, s in keys]}}


IDENTITY = {"identity": {}}


def transformer(document, group="", resource="secrets"):
    return parse_encryption_config(document).transformer_for(group, resource)


# ------------------------------------------------------------------ stored layouts
def test_aescbc_layout_is_prefix_iv_and_pkcs7_ciphertext():
    t = transformer(config(aescbc(("key1", KEY1)), IDENTITY))
    stored = t.to_storage(b'{"data":"plain"}', SECRET_KEY.encode())
    prefix = b"k8s:enc:aescbc:v1:key1:"
    assert stored.startswith(prefix)
    body = stored[len(prefix):]
    assert len(body) == 16 + 32  # IV, then 16 bytes of data and a whole block of padding
    decryptor = Cipher(algorithms.AES(b"1" * 32), modes.CBC(body[:16])).decryptor()
    padded = decryptor.update(body[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    assert unpadder.update(padded) + unpadder.finalize() == b'{"data":"plain"}'
    assert t.from_storage(stored, SECRET_KEY.encode()) == b'{"data":"plain"}'


def test_aescbc_uses_a_random_iv():
    t = transformer(config(aescbc(("key1", KEY1))))
    assert t.to_storage(b"same", b"k") != t.to_storage(b"same", b"k")


def test_aesgcm_layout_uses_the_store_key_as_authenticated_data():
    t = transformer(config(aesgcm(("k", KEY2))))
    stored = t.to_storage(b"hello", SECRET_KEY.encode())
    prefix = b"k8s:enc:aesgcm:v1:k:"
    body = stored[len(prefix):]
    assert AESGCM(b"2" * 32).decrypt(body[:12], body[12:], SECRET_KEY.encode()) == b"hello"
    with pytest.raises(TransformError):  # copied under another key: refused
        t.from_storage(stored, b"/registry/secrets/default/other")


def test_secretbox_layout_is_nonce_and_box():
    from nacl.secret import SecretBox
    t = transformer(config(secretbox(("sb", KEY1))))
    stored = t.to_storage(b"boxed", b"k")
    body = stored[len(b"k8s:enc:secretbox:v1:sb:"):]
    assert stored.startswith(b"k8s:enc:secretbox:v1:sb:")
    assert SecretBox(b"1" * 32).decrypt(body[24:], body[:24]) == b"boxed"
    assert t.from_storage(stored, b"k") == b"boxed"


# ------------------------------------------------------------------ reading and rotation
def test_first_provider_writes_and_every_provider_reads():
    old = transformer(config(aescbc(("key1", KEY1)), IDENTITY))
    written_by_key1 = old.to_storage(b"v1", b"k")
    rotated = transformer(config(aescbc(("key2", KEY2), ("key1", KEY1)), IDENTITY))
    assert rotated.to_storage(b"v", b"k").startswith(b"k8s:enc:aescbc:v1:key2:")
    assert rotated.from_storage_stale(written_by_key1, b"k") == (b"v1", True)  # old key
    assert rotated.from_storage_stale(rotated.to_storage(b"v2", b"k"), b"k") == (b"v2", False)
    assert rotated.from_storage_stale(b'{"plain":1}', b"k") == (b'{"plain":1}', True)


def test_identity_first_reads_encrypted_data_through_a_later_provider():
    t = transformer(config(IDENTITY, aescbc(("key1", KEY1))))
    encrypted = transformer(config(aescbc(("key1", KEY1)))).to_storage(b"x", b"k")
    assert t.to_storage(b"x", b"k") == b"x"
    assert t.from_storage(encrypted, b"k") == b"x"


def test_unknown_key_names_it():
    written = transformer(config(aescbc(("key9", KEY2)))).to_storage(b"x", b"k")
    t = transformer(config(aescbc(("key1", KEY1)), IDENTITY))
    with pytest.raises(TransformError, match='no matching key was found for the provided AES '
                                             'transformer.*"key9"'):
        t.from_storage(written, b"k")


def test_wrong_secret_under_the_same_key_name_fails():
    written = transformer(config(aescbc(("key1", KEY2)))).to_storage(b"x" * 40, b"k")
    with pytest.raises(TransformError):
        transformer(config(aescbc(("key1", KEY1)))).from_storage(written, b"k")


def test_identity_only_refuses_encrypted_data():
    # identity's own refusal lets other providers try; with none left, upstream's message
    written = transformer(config(aescbc(("key1", KEY1)))).to_storage(b"x", b"k")
    with pytest.raises(TransformError, match="no matching prefix found"):
        transformer(config(IDENTITY)).from_storage(written, b"k")


def test_no_matching_prefix():
    with pytest.raises(TransformError, match="no matching prefix found"):
        transformer(config(aescbc(("key1", KEY1)))).from_storage(b'{"plain":1}', b"k")


# ------------------------------------------------------------------ resources
def test_wildcards_resolve_as_upstream():
    document = {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
                "resources": [
                    {"resources": ["secrets"], "providers": [aescbc(("a", KEY1))]},
                    {"resources": ["*.apps"], "providers": [aesgcm(("g", KEY1))]},
                    {"resources": ["*.*"], "providers": [secretbox(("s", KEY1))]}]}
    parsed = parse_encryption_config(document)

    def writer(group, resource):
        return parsed.transformer_for(group, resource).transformers[0][0]
    assert writer("", "secrets") == b"k8s:enc:aescbc:v1:"
    assert writer("apps", "deployments") == b"k8s:enc:aesgcm:v1:"
    assert writer("", "configmaps") == b"k8s:enc:secretbox:v1:"
    assert writer("example.com", "widgets") == b"k8s:enc:secretbox:v1:"


def test_unlisted_resources_have_no_transformer():
    parsed = parse_encryption_config(config(aescbc(("a", KEY1))))
    assert parsed.transformer_for("", "configmaps") is None
    core = parse_encryption_config(config(aescbc(("a", KEY1)), resources=["*."]))
    assert core.transformer_for("", "configmaps") is not None
    assert core.transformer_for("apps", "deployments") is None


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("document, message", [
    ({"kind": "EncryptionConfig", "apiVersion": "v1", "resources": []},
     "use apiVersion: apiserver.config.k8s.io/v1 with kind: EncryptionConfiguration"),
    (config(), "resources[0].providers: Required value"),
    (config(aescbc(("key1", "not base64!"))), "secrets must be base64 encoded"),
    (config(aescbc(("key1", base64.b64encode(b"short").decode()))),
     "secret is not of the expected length, got 5, expected one of [16 24 32]"),
    (config(secretbox(("k", base64.b64encode(b"x" * 16).decode()))),
     "expected one of [32]"),
    (config(aescbc(("", KEY1))), "name is a mandatory field for a key"),
    (config({"aescbc": {"keys": []}}), "at least one keys is required"),
    (config({**aescbc(("a", KEY1)), **IDENTITY}), "more than one provider specified"),
    (config({"rot13": {}}), 'unknown provider "rot13"'),
    (config(IDENTITY, resources=["*"]), "use '*.' to encrypt all the resources"),
    (config(IDENTITY, resources=["Secrets"]), "should not contain capital letters"),
    (config(IDENTITY, resources=["secrets", "*."]), "overlapping resources"),
    (config(IDENTITY, resources=["secrets", "secrets"]), "cannot be specified multiple times"),
    (config(IDENTITY, resources=["events.events.k8s.io"]), "Use 'events' instead"),
    (config(IDENTITY, resources=["secrets.*"]), "across groups is not supported"),
    (config({"kms": {"name": "k", "endpoint": "unix:///k.sock"}}), "KMS plugin"),
])
def test_invalid_configs_are_one_line_errors(document, message):
    with pytest.raises(EncryptionConfigError) as caught:
        parse_encryption_config(document)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_file_errors(tmp_path):
    with pytest.raises(EncryptionConfigError, match="error opening encryption provider"):
        load_encryption_config(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(EncryptionConfigError, match="is empty"):
        load_encryption_config(empty)
    broken = tmp_path / "broken.yaml"
    broken.write_text("resources: [\n")
    with pytest.raises(EncryptionConfigError, match="error while parsing file"):
        load_encryption_config(broken)


# ------------------------------------------------------------------ the store
def _resolve(prefix):
    return {"/registry/secrets/": ("", "secrets"),
            "/registry/configmaps/": ("", "configmaps")}.get(prefix)


def _store(document, inner=None):
    return EncryptedStore(inner or MemoryStore(), parse_encryption_config(document), _resolve)


def _obj(name, value):
    return orjson.dumps({"metadata": {"name": name, "namespace": "default"}, "data": value})


def test_store_holds_ciphertext_and_the_cache_plain_json():
    async def main():
        inner = MemoryStore()
        store = _store(config(aescbc(("key1", KEY1)), IDENTITY), inner)
        cache = WatchCache(store, "/registry/secrets/")
        await store.create(SECRET_KEY, _obj("s1", "first-plaintext"))
        await store.create("/registry/configmaps/default/c1", _obj("c1", "configmap-plain"))
        await cache.start()
        raw = (await inner.get(SECRET_KEY)).value
        assert raw.startswith(b"k8s:enc:aescbc:v1:key1:") and b"first-plaintext" not in raw
        assert (await inner.get("/registry/configmaps/default/c1")).value.startswith(b"{")
        assert cache.get(SECRET_KEY).obj["data"] == "first-plaintext"
        watcher = cache.watch(cache.revision)
        revision = await store.update(SECRET_KEY, _obj("s1", "second"), cache.get(SECRET_KEY).revision)
        event = await watcher.next(timeout=5)
        assert event.type == "MODIFIED" and event.obj.obj["data"] == "second"
        assert b"second" not in (await inner.get(SECRET_KEY)).value
        await cache.wait_fresh(revision)
        watcher.close()
        await cache.stop()
        await store.close()
    asyncio.run(main())


def test_unreadable_values_are_left_out_and_remembered():
    async def main():
        inner = MemoryStore()
        writer = _store(config(aescbc(("key9", KEY2))), inner)
        await writer.create(SECRET_KEY, _obj("s1", "x"))
        await writer.create("/registry/secrets/default/s2", b'{"metadata":{"name":"s2"}}')
        reader = _store(config(aescbc(("key1", KEY1)), IDENTITY), inner)
        cache = WatchCache(reader, "/registry/secrets/")
        await cache.start()
        assert cache.get(SECRET_KEY) is None
        assert cache.get("/registry/secrets/default/s2") is None
        assert '"key9"' in reader.unreadable[SECRET_KEY]
        assert reader.unreadable[SECRET_KEY].startswith(
            f'unable to transform key "{SECRET_KEY}": no matching key was found')
        # a rewrite with a key the reader has makes it readable and visible
        good = _store(config(aescbc(("key1", KEY1))), inner)
        kv = await inner.get(SECRET_KEY)
        revision = await good.update(SECRET_KEY, _obj("s1", "rewritten"), kv.mod_revision)
        await cache.wait_fresh(revision)
        assert cache.get(SECRET_KEY).obj["data"] == "rewritten"
        assert SECRET_KEY not in reader.unreadable
        # a readable object overwritten with an unknown key drops out of the cache
        kv = await inner.get(SECRET_KEY)
        revision = await writer.update(SECRET_KEY, _obj("s1", "again"), kv.mod_revision)
        await cache.wait_fresh(revision)
        assert cache.get(SECRET_KEY) is None and SECRET_KEY in reader.unreadable
        # and deleting it forgets it
        revision = await inner.delete(SECRET_KEY)
        await cache.wait_fresh(revision)
        assert SECRET_KEY not in reader.unreadable
        await cache.stop()
        await reader.close()
    asyncio.run(main())


def test_reload_swaps_the_writing_key():
    store = _store(config(aescbc(("key1", KEY1)), IDENTITY))
    assert store._encrypt(SECRET_KEY, b"{}").startswith(b"k8s:enc:aescbc:v1:key1:")
    store.replace_config(parse_encryption_config(config(aesgcm(("key2", KEY2)),
                                                        aescbc(("key1", KEY1)))))
    assert store._encrypt(SECRET_KEY, b"{}").startswith(b"k8s:enc:aesgcm:v1:key2:")


def test_a_resource_no_longer_listed_refuses_encrypted_values():
    async def main():
        inner = MemoryStore()
        await _store(config(aescbc(("key1", KEY1)), resources=["configmaps"]), inner).create(
            "/registry/configmaps/default/c1", _obj("c1", "x"))
        reader = _store(config(aescbc(("key1", KEY1)), resources=["secrets"]), inner)
        assert await reader.get("/registry/configmaps/default/c1") is None
        assert "identity transformer tried to read encrypted data" in \
            reader.unreadable["/registry/configmaps/default/c1"]
        # plain values of unlisted resources pass through untouched
        await inner.create("/registry/configmaps/default/c2", _obj("c2", "y"))
        assert (await reader.get("/registry/configmaps/default/c2")).value == _obj("c2", "y")
        await reader.close()
    asyncio.run(main())


def test_values_under_an_old_key_are_stale():
    async def main():
        inner = MemoryStore()
        await _store(config(aescbc(("key1", KEY1))), inner).create(SECRET_KEY, _obj("s1", "x"))
        await inner.create("/registry/secrets/default/plain", _obj("plain", "y"))
        rotated = _store(config(aescbc(("key2", KEY2), ("key1", KEY1)), IDENTITY), inner)
        assert await rotated.is_stale(SECRET_KEY)
        assert await rotated.is_stale("/registry/secrets/default/plain")
        kv = await rotated.get(SECRET_KEY)
        await rotated.update(SECRET_KEY, kv.value, kv.mod_revision)
        assert not await rotated.is_stale(SECRET_KEY)
        assert (await inner.get(SECRET_KEY)).value.startswith(b"k8s:enc:aescbc:v1:key2:")
        assert not await rotated.is_stale("/registry/configmaps/default/none")
        await rotated.close()
    asyncio.run(main())


def test_reload_lists_again_and_finds_what_the_new_key_reads():
    async def main():
        inner = MemoryStore()
        await _store(config(aescbc(("key2", KEY2))), inner).create(SECRET_KEY, _obj("s1", "x"))
        reader = _store(config(aescbc(("key1", KEY1)), IDENTITY), inner)
        reader.reload_path = Path("/nonexistent")  # as with automatic reload; no file needed
        cache = WatchCache(reader, "/registry/secrets/")
        await cache.start()
        assert cache.get(SECRET_KEY) is None and SECRET_KEY in reader.unreadable
        await asyncio.sleep(0)  # the cache now waits on its watch
        reader.replace_config(parse_encryption_config(
            config(aescbc(("key1", KEY1), ("key2", KEY2)), IDENTITY)))
        for _ in range(100):
            if cache.get(SECRET_KEY) is not None:
                break
            await asyncio.sleep(0.05)
        assert cache.get(SECRET_KEY).obj["data"] == "x"
        assert not reader.unreadable
        await cache.stop()
        await reader.close()
    asyncio.run(main())
