# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Encryption at rest: the EncryptionConfiguration file (apiserver.config.k8s.io/v1) and
the value transformers it describes, as kube-apiserver 1.32 has them.

Stored values keep upstream's layout so data moves between kybernetes and kube-apiserver:
`k8s:enc:aescbc:v1:<key>:` + IV(16) + AES-CBC(PKCS#7) ciphertext;
`k8s:enc:aesgcm:v1:<key>:` + nonce(12) + AES-GCM ciphertext and tag, with the store key as
authenticated data; `k8s:enc:secretbox:v1:<key>:` + nonce(24) + XSalsa20-Poly1305 box;
identity stores the plain bytes. The first provider of a resource encrypts; all decrypt.
This module is pure (no I/O besides reading the file in `load_encryption_config`).
"""
from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.exceptions import InvalidTag

API_VERSION = "apiserver.config.k8s.io/v1"
KIND = "EncryptionConfiguration"
ENCRYPTED_PREFIX = b"k8s:enc:"
AES_KEY_SIZES = (16, 24, 32)
SECRETBOX_KEY_SIZES = (32,)
_PROVIDERS = ("kms", "aesgcm", "aescbc", "secretbox", "identity")


class EncryptionConfigError(ValueError):
    """The configuration file is unreadable or invalid: a one-line startup error."""


class TransformError(Exception):
    """A stored value could not be decrypted (wrong key, unknown key, corrupt data)."""


class Transformer(Protocol):
    def to_storage(self, data: bytes, context: bytes) -> bytes: ...
    def from_storage(self, data: bytes, context: bytes) -> bytes: ...


# ----------------------------------------------------------------------- the ciphers
class AESCBCTransformer:
    """IV || AES-CBC(data + PKCS#7 padding); no authentication, as upstream's aescbc."""

    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.AES(key)

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        encryptor = Cipher(self._algorithm, modes.CBC(iv)).encryptor()
        return iv + encryptor.update(padded) + encryptor.finalize()

    def from_storage(self, data: bytes, context: bytes) -> bytes:
        if len(data) < 16:
            raise TransformError("the stored data was shorter than the required size")
        iv, body = data[:16], data[16:]
        if len(body) % 16:
            raise TransformError("the stored data is not a multiple of the block size")
        decryptor = Cipher(self._algorithm, modes.CBC(iv)).decryptor()
        plain = decryptor.update(body) + decryptor.finalize()
        if not plain:
            raise TransformError("invalid PKCS7 data (empty or not padded)")
        size = plain[-1]
        if size == 0 or size > len(plain):
            raise TransformError("invalid PKCS7 data (empty or not padded)")
        if plain[-size:] != bytes([size]) * size:
            raise TransformError("invalid padding on input")
        return plain[:-size]


class AESGCMTransformer:
    """nonce(12) || AES-GCM(data) with the store key as authenticated data, so a value
    copied under another key does not decrypt."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, context)

    def from_storage(self, data: bytes, context: bytes) -> bytes:
        if len(data) < 12:
            raise TransformError("the stored data was shorter than the required size")
        try:
            return self._aead.decrypt(data[:12], data[12:], context)
        except InvalidTag:
            raise TransformError("cipher: message authentication failed") from None


class SecretboxTransformer:
    """nonce(24) || XSalsa20-Poly1305 box (tag then ciphertext), as NaCl's secretbox.
    PyNaCl is imported here only: `cryptography` has no XSalsa20-Poly1305."""

    def __init__(self, key: bytes) -> None:
        from nacl.secret import SecretBox
        self._box = SecretBox(key)

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        return bytes(self._box.encrypt(data))  # nonce || tag || ciphertext

    def from_storage(self, data: bytes, context: bytes) -> bytes:
        from nacl.exceptions import CryptoError
        if len(data) < 24:
            raise TransformError("the stored data was shorter than the required size")
        try:
            return self._box.decrypt(data)
        except CryptoError:
            raise TransformError("attempted to decrypt an invalid value") from None


class IdentityTransformer:
    """Plain bytes; refuses to read encrypted data so a later provider gets to try."""

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        return data

    def from_storage(self, data: bytes, context: bytes) -> bytes:
        if data.startswith(ENCRYPTED_PREFIX):
            raise TransformError("identity transformer tried to read encrypted data")
        return data


@dataclass
class PrefixTransformers:
    """Picks the transformer whose prefix the stored value starts with; writes with the
    first. An empty prefix (identity) that fails lets the others try, and a failing match
    does not stop a later one with the same prefix (two aescbc entries in rotation)."""
    transformers: list[tuple[bytes, Transformer]]
    no_match: str = "no matching prefix found"

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        prefix, transformer = self.transformers[0]
        return prefix + transformer.to_storage(data, context)

    def from_storage(self, data: bytes, context: bytes) -> bytes:
        return self.from_storage_stale(data, context)[0]

    def from_storage_stale(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        """(plain bytes, stale): stale when not read by the first (writing) transformer."""
        errors: list[str] = []
        for index, (prefix, transformer) in enumerate(self.transformers):
            if not data.startswith(prefix):
                continue
            try:
                if isinstance(transformer, PrefixTransformers):  # a provider's keys
                    plain, stale = transformer.from_storage_stale(data[len(prefix):], context)
                    return plain, stale or index != 0
                return transformer.from_storage(data[len(prefix):], context), index != 0
            except TransformError as exc:
                if prefix:
                    errors.append(str(exc))
        if errors:
            raise TransformError(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
        raise TransformError(self.no_match)

    @property
    def writes_encrypted(self) -> bool:
        return bool(self.transformers[0][0])


class _KeyedTransformers(PrefixTransformers):
    """One provider's keys: names the stored key when none of them matches."""

    def from_storage_stale(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        try:
            return super().from_storage_stale(data, context)
        except TransformError as exc:
            if str(exc) == self.no_match:
                name = data.split(b":", 1)[0].decode("utf-8", "replace")
                raise TransformError(f'{self.no_match} (the value was written with key "{name}", '
                                     f'which is not configured)') from None
            raise


# ----------------------------------------------------------------------- the config
@dataclass
class EncryptionConfig:
    """Transformers by (group, resource); `*` wildcards as upstream resolves them."""
    by_resource: dict[tuple[str, str], PrefixTransformers] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)  # as written, for logs

    def transformer_for(self, group: str, resource: str) -> PrefixTransformers | None:
        """The resource's transformers; None means unlisted (stored plain)."""
        return (self.by_resource.get((group, resource))
                or self.by_resource.get((group, "*"))
                or self.by_resource.get(("*", "*")))


def parse_group_resource(text: str) -> tuple[str, str]:
    """`secrets` -> ("", "secrets"); `deployments.apps` -> ("apps", "deployments");
    `*.` -> ("", "*"); `*.*` -> ("*", "*")."""
    resource, _, group = text.partition(".")
    return group, resource


def load_encryption_config(path: str | Path) -> EncryptionConfig:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise EncryptionConfigError(
            f"error opening encryption provider configuration file {str(path)!r}: "
            f"{exc.strerror or exc}") from None
    if not text.strip():
        raise EncryptionConfigError(f"encryption provider configuration file {str(path)!r} is empty")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EncryptionConfigError(f"error while parsing file {str(path)!r}: "
                                    f"{str(exc).splitlines()[0]}") from None
    try:
        return parse_encryption_config(document)
    except EncryptionConfigError as exc:
        raise EncryptionConfigError(f"error while parsing file {str(path)!r}: {exc}") from None


def parse_encryption_config(document: object) -> EncryptionConfig:
    if not isinstance(document, dict):
        raise EncryptionConfigError(f"expected an {KIND} object, got {type(document).__name__}")
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if (api_version, kind) != (API_VERSION, KIND):
        raise EncryptionConfigError(
            f'no kind "{kind}" is registered for version "{api_version}": use apiVersion: '
            f"{API_VERSION} with kind: {KIND} (kind EncryptionConfig and apiVersion v1 "
            f"were removed)")
    problems = validate(document)
    if problems:
        raise EncryptionConfigError("; ".join(problems))
    config = EncryptionConfig()
    for entry in document["resources"]:
        providers = _providers(entry["providers"])
        for resource in entry["resources"]:
            key = parse_group_resource(resource)
            if key in config.by_resource:  # listed in several entries: providers add up
                config.by_resource[key].transformers.extend(providers.transformers)
            else:
                config.by_resource[key] = PrefixTransformers(list(providers.transformers))
            config.resources.append(resource)
    return config


def _providers(providers: list[dict]) -> PrefixTransformers:
    out: list[tuple[bytes, Transformer]] = []
    for provider in providers:
        name = next(iter(provider))
        if name == "identity":
            out.append((b"", IdentityTransformer()))
            continue
        if name == "kms":
            raise EncryptionConfigError(
                "the kms provider needs a KMS plugin over gRPC, which kybernetes does not "
                "support; use aescbc, aesgcm or secretbox")
        make = {"aescbc": AESCBCTransformer, "aesgcm": AESGCMTransformer,
                "secretbox": SecretboxTransformer}[name]
        keyed: list[tuple[bytes, Transformer]] = []
        for key in provider[name]["keys"]:
            keyed.append((key["name"].encode() + b":", make(base64.b64decode(key["secret"]))))
        label = "Secretbox" if name == "secretbox" else "AES"
        out.append((f"k8s:enc:{name}:v1:".encode(), _KeyedTransformers(
            keyed, f"no matching key was found for the provided {label} transformer")))
    return PrefixTransformers(out)


# ----------------------------------------------------------------------- validation
def validate(document: dict) -> list[str]:
    """Upstream's ValidateEncryptionConfiguration, as `path: message` strings."""
    resources = document.get("resources")
    if not isinstance(resources, list) or not resources:
        return ["resources: Required value: at least one resources is required"]
    problems: list[str] = []
    for i, entry in enumerate(resources):
        base = f"resources[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{base}: Invalid value: expected an object with resources and providers")
            continue
        names = entry.get("resources") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f"{base}.resources: Invalid value: must be a list of strings")
            names = []
        if not names:
            problems.append(f"{base}.resources: Required value: at least one "
                            f"{base}.resources is required")
        problems += _validate_resource_names(names, f"{base}.resources")
        providers = entry.get("providers") or []
        if not isinstance(providers, list):
            problems.append(f"{base}.providers: Invalid value: must be a list")
            providers = []
        if not providers:
            problems.append(f"{base}.providers: Required value: at least one "
                            f"{base}.providers is required")
        for j, provider in enumerate(providers):
            problems += _validate_provider(provider, f"{base}.providers[{j}]")
    return problems


def _validate_resource_names(names: list[str], path: str) -> list[str]:
    problems = []
    parsed = [parse_group_resource(n) for n in names]
    if len(set(parsed)) != len(parsed):
        problems.append(f"{path}: Invalid value: {names}: the same resource cannot be "
                        f"specified multiple times")
    overlap = len(parsed) > 1 and any(
        p == ("*", "*") or any(p[0] == q[0] and "*" in (p[1], q[1]) and p != q for q in parsed)
        for p in parsed)
    if overlap:
        problems.append(f"{path}: Invalid value: {names}: using overlapping resources such as "
                        f"'secrets' and '*.' in the same resource list is not allowed as they "
                        f"will be masked")
    for j, name in enumerate(names):
        group, resource = parse_group_resource(name)
        message = ""
        if name.lower() != name:
            message = "resource name should not contain capital letters"
        elif name == "*":
            message = "use '*.' to encrypt all the resources from core API group or *.* to " \
                      "encrypt all resources"
        elif name in ("apiserveripinfo", "serviceipallocations", "servicenodeportallocations"):
            message = "resources which do not have REST API/s cannot be encrypted"
        elif group == "events.k8s.io":
            message = "'*.events.k8s.io' objects are stored using the 'events' API group in " \
                      "etcd. Use 'events' instead in the config file"
        elif group == "extensions":
            message = "'extensions' group has been removed and cannot be used for encryption"
        elif group == "*" and resource != "*":
            message = "encrypting the same resource across groups is not supported"
        if message:
            problems.append(f'{path}[{j}]: Invalid value: "{name}": {message}')
    return problems


def _validate_provider(provider: object, path: str) -> list[str]:
    if not isinstance(provider, dict):
        return [f"{path}: Invalid value: provider must be an object"]
    found = [name for name in _PROVIDERS if provider.get(name) is not None]
    unknown = [name for name in provider if name not in _PROVIDERS]
    if unknown:
        return [f'{path}: Invalid value: unknown provider "{unknown[0]}": expected one of '
                f"kms, aesgcm, aescbc, secretbox, identity"]
    if not found:
        return [f"{path}: Invalid value: provider does not contain any of the expected "
                f"providers: KMS, AESGCM, AESCBC, Secretbox, Identity"]
    if len(found) > 1:
        return [f"{path}: Invalid value: more than one provider specified in a single "
                f"element, should split into different list elements"]
    name = found[0]
    if name in ("identity", "kms"):
        return []
    sizes = SECRETBOX_KEY_SIZES if name == "secretbox" else AES_KEY_SIZES
    keys = (provider[name] or {}).get("keys") if isinstance(provider[name], dict) else None
    keys_path = f"{path}.{name}.keys"
    if not keys or not isinstance(keys, list):
        return [f"{keys_path}: Required value: at least one keys is required"]
    problems = []
    seen: set[str] = set()
    for k, key in enumerate(keys):
        key_path = f"{keys_path}[{k}]"
        if not isinstance(key, dict):
            problems.append(f"{key_path}: Invalid value: a key needs a name and a secret")
            continue
        key_name, secret = key.get("name"), key.get("secret")
        if not key_name:
            problems.append(f"{key_path}.name: Required value: name is a mandatory field for a key")
        elif ":" in str(key_name):
            problems.append(f'{key_path}.name: Invalid value: "{key_name}": must not contain \':\'')
        elif key_name in seen:
            problems.append(f'{key_path}.name: Duplicate value: "{key_name}"')
        seen.add(str(key_name))
        if not secret:
            problems.append(f"{key_path}.secret: Required value: secret is a mandatory field for a key")
            continue
        try:
            raw = base64.b64decode(str(secret), validate=True)
        except (binascii.Error, ValueError):
            problems.append(f'{key_path}.secret: Invalid value: "REDACTED": secrets must be base64 encoded')
            continue
        if len(raw) not in sizes:
            problems.append(f'{key_path}.secret: Invalid value: "REDACTED": secret is not of the '
                            f"expected length, got {len(raw)}, expected one of "
                            f"[{' '.join(map(str, sizes))}]")
    return problems
