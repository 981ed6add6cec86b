# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The legacy service-account token controller (kube-controller-manager's
"serviceaccount-token"): a Secret of type kubernetes.io/service-account-token that names
a ServiceAccount (annotation kubernetes.io/service-account.name, optionally .uid) gets
`token` (a legacy JWT signed with --service-account-private-key-file), `ca.crt` and
`namespace` filled in and the account's uid annotated. A token Secret whose account does
not exist (or is another account of the same name) is deleted, so deleting a
ServiceAccount deletes its token Secrets; a deleted token Secret is dropped from its
account's `secrets` list. As upstream, it runs with the controller manager's own
identity, never a service account's."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kybernetes.apiserver.authn.serviceaccount import legacy_claims
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.informer import object_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller, ControllerOptions
from kybernetes.controllers.serviceaccount import root_ca_path
from kybernetes.pki import jwt

SECRETS = resource("secrets")
SERVICE_ACCOUNTS = resource("serviceaccounts")
TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
NAME_ANNOTATION = "kubernetes.io/service-account.name"
UID_ANNOTATION = "kubernetes.io/service-account.uid"
TOKEN_KEY, CA_KEY, NAMESPACE_KEY = "token", "ca.crt", "namespace"
SECRET_KEY_PREFIX = "secret:"
ACCOUNT_KEY_PREFIX = "serviceaccount:"


def is_token_secret(secret: dict) -> bool:
    return secret.get("type") == TOKEN_SECRET_TYPE


def referenced_account(secret: dict) -> tuple[str, str]:
    """(name, uid) of the ServiceAccount a token Secret names; uid may be ""."""
    annotations = secret["metadata"].get("annotations") or {}
    return annotations.get(NAME_ANNOTATION, ""), annotations.get(UID_ANNOTATION, "")


def references(secret: dict, account: dict) -> bool:
    """Whether a token Secret belongs to this ServiceAccount (name, and uid when set)."""
    if not is_token_secret(secret):
        return False
    name, uid = referenced_account(secret)
    meta = account["metadata"]
    return name == meta["name"] and (not uid or uid == meta.get("uid"))


def account_matches(secret: dict, account: dict | None) -> bool:
    return account is not None and not account["metadata"].get("deletionTimestamp") \
        and references(secret, account)


def _decoded(data: dict, key: str) -> bytes:
    try:
        return base64.b64decode(data.get(key) or "")
    except ValueError:
        return b""


@dataclass
class SecretUpdate:
    """The Secret's new data and annotations (the whole maps), to write with an update."""
    data: dict[str, str]
    annotations: dict[str, str]


def token_secret_update(secret: dict, account: dict, ca_pem: bytes,
                        sign: Callable[[dict], str]) -> SecretUpdate | None:
    """What a token Secret of `account` lacks: a token (signed by `sign` from the legacy
    claims), the CA (when there is one) and the namespace; None when it is complete."""
    data = dict(secret.get("data") or {})
    namespace = secret["metadata"]["namespace"]
    needs_ca = bool(ca_pem) and _decoded(data, CA_KEY) != ca_pem
    needs_namespace = _decoded(data, NAMESPACE_KEY) != namespace.encode()
    needs_token = not _decoded(data, TOKEN_KEY)
    if not (needs_ca or needs_namespace or needs_token):
        return None
    if needs_ca:
        data[CA_KEY] = base64.b64encode(ca_pem).decode()
    if needs_namespace:
        data[NAMESPACE_KEY] = base64.b64encode(namespace.encode()).decode()
    if needs_token:
        token = sign(legacy_claims(account, secret))
        data[TOKEN_KEY] = base64.b64encode(token.encode()).decode()
    annotations = dict(secret["metadata"].get("annotations") or {})
    annotations[NAME_ANNOTATION] = account["metadata"]["name"]
    annotations[UID_ANNOTATION] = account["metadata"].get("uid", "")
    return SecretUpdate(data, annotations)


def without_secret_reference(account: dict, secret_name: str) -> list[dict] | None:
    """The account's `secrets` list minus `secret_name`; None when it does not list it."""
    listed = account.get("secrets") or []
    kept = [ref for ref in listed if ref.get("name") != secret_name]
    return kept if len(kept) != len(listed) else None


def signing_key_path(options: ControllerOptions) -> Path | None:
    """--service-account-private-key-file, else `kybernetes server`'s pki/sa.key."""
    if options.service_account_private_key_file:
        return Path(options.service_account_private_key_file)
    if options.data_dir and (Path(options.data_dir) / "pki" / "sa.key").is_file():
        return Path(options.data_dir) / "pki" / "sa.key"
    return None


class ServiceAccountTokenController(Controller):
    name = "serviceaccount-token"
    workers = 2

    def setup(self) -> None:
        self.secrets = self.informer(SECRETS)
        self.accounts = self.informer(SERVICE_ACCOUNTS)
        self.enqueue_on_change(self.secrets, lambda s: SECRET_KEY_PREFIX + object_key(s)
                               if is_token_secret(s) else None)
        self.enqueue_on_change(self.accounts, self._keys_for_account)
        self.secrets.add_handler(self._token_secret_deleted)
        self.deleted: dict[str, tuple[str, str]] = {}  # secret key -> (account name, uid)
        self._private_key = None
        self._ca_pem: bytes | None = None
        self.warned = False

    def _keys_for_account(self, account: dict) -> list[str]:
        """A changed or deleted account: the token Secrets that name it."""
        namespace, name = account["metadata"].get("namespace", ""), account["metadata"]["name"]
        return [SECRET_KEY_PREFIX + object_key(s) for s in self.secrets.list(namespace)
                if is_token_secret(s) and referenced_account(s)[0] == name]

    def _token_secret_deleted(self, kind: str, old: dict | None, new: dict | None) -> None:
        """A deleted token Secret leaves its account's `secrets` list (upstream's
        removeSecretReference); references to other Secrets are not ours to touch."""
        if kind == "DELETED" and old is not None and is_token_secret(old):
            key = object_key(old)
            self.deleted[key] = referenced_account(old)
            self.queue.add(ACCOUNT_KEY_PREFIX + key)

    def _signer(self) -> Callable[[dict], str] | None:
        if self._private_key is None:
            path = signing_key_path(self.options)
            if path is None:
                return None
            self._private_key = jwt.load_private_key(path.read_bytes())
        key = self._private_key
        return lambda claims: jwt.sign(claims, key)

    def _root_ca(self) -> bytes:
        if self._ca_pem is None:
            path = root_ca_path(self.options)
            self._ca_pem = path.read_bytes() if path is not None else b""
        return self._ca_pem

    async def reconcile(self, key: str) -> None:
        if key.startswith(ACCOUNT_KEY_PREFIX):
            await self._sync_account(key[len(ACCOUNT_KEY_PREFIX):])
        elif key.startswith(SECRET_KEY_PREFIX):
            await self._sync_secret(key[len(SECRET_KEY_PREFIX):])

    async def _account(self, secret: dict, live: bool) -> dict | None:
        """The account the Secret names, from the cache; with `live`, read from the API
        on a miss (an account created a moment ago may not be cached yet)."""
        namespace = secret["metadata"]["namespace"]
        name, _ = referenced_account(secret)
        account = self.accounts.get_by(namespace, name)
        if account_matches(secret, account) or not live:
            return account if account_matches(secret, account) else None
        account = await self.client.get_or_none(SERVICE_ACCOUNTS, name, namespace)
        return account if account_matches(secret, account) else None

    async def _sync_secret(self, key: str) -> None:
        secret = self.secrets.get(key)
        if secret is None or secret["metadata"].get("deletionTimestamp") or not is_token_secret(secret):
            return
        meta = secret["metadata"]
        account = await self._account(secret, live=True)
        if account is None:
            self.log.info("deleting token secret %s: its service account %r does not exist",
                          key, referenced_account(secret)[0])
            try:
                await self.client.delete(SECRETS, meta["name"], meta["namespace"], uid=meta.get("uid"))
            except ApiError as exc:
                if exc.code not in (404, 409):
                    raise
            return
        sign = self._signer()
        if sign is None:
            if not self.warned:
                self.log.warning("no --service-account-private-key-file: token secrets stay empty")
                self.warned = True
            return
        # decide on the live object: the cache may lag behind our own last write
        live = await self.client.get_or_none(SECRETS, meta["name"], meta["namespace"])
        if live is None or live["metadata"].get("uid") != meta.get("uid"):
            return
        update = token_secret_update(live, account, self._root_ca(), sign)
        if update is None:
            return
        body = {**live, "data": update.data,
                "metadata": {**live["metadata"], "annotations": update.annotations}}
        try:
            await self.client.update(SECRETS, body)
        except ApiError as exc:
            if exc.code == 409:
                self.queue.add_rate_limited(SECRET_KEY_PREFIX + key)
            elif exc.code != 404:
                raise

    async def _sync_account(self, secret_key: str) -> None:
        """Drop a deleted token Secret from the `secrets` list of the account it named."""
        if secret_key not in self.deleted:
            return
        account_name, account_uid = self.deleted[secret_key]
        namespace, _, secret_name = secret_key.partition("/")
        if self.secrets.get(secret_key) is not None:  # made again under the same name
            self.deleted.pop(secret_key, None)
            return
        account = await self.client.get_or_none(SERVICE_ACCOUNTS, account_name, namespace)
        kept = None if account is None or (account_uid and account["metadata"].get("uid") != account_uid) \
            else without_secret_reference(account, secret_name)
        if kept is None:
            self.deleted.pop(secret_key, None)
            return
        try:
            await self.client.update(SERVICE_ACCOUNTS, {**account, "secrets": kept})
        except ApiError as exc:
            if exc.code == 409:
                self.queue.add_rate_limited(ACCOUNT_KEY_PREFIX + secret_key)
                return
            if exc.code != 404:
                raise
        self.deleted.pop(secret_key, None)


CONTROLLERS = [ServiceAccountTokenController]
