# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The bootstrap signer: keeps kube-public/cluster-info signed for every bootstrap token
with usage-bootstrap-signing, as `jws-kubeconfig-<token id>` keys holding a detached HS256
JWS of the `kubeconfig` key (so a joining node that knows a token can trust the CA it
finds there). Signatures of tokens that are gone or expired are removed."""
from __future__ import annotations

import datetime

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.pki import jws, tokens

CONFIGMAPS = resource("configmaps")
SECRETS = resource("secrets")
CLUSTER_INFO_NAMESPACE = "kube-public"
CLUSTER_INFO = "cluster-info"
KUBECONFIG_KEY = "kubeconfig"
JWS_PREFIX = "jws-kubeconfig-"
KEY = f"{CLUSTER_INFO_NAMESPACE}/{CLUSTER_INFO}"


def signing_tokens(secrets: list[dict], now: datetime.datetime) -> list[tokens.BootstrapToken]:
    found = []
    for secret in secrets:
        if (secret.get("metadata") or {}).get("deletionTimestamp"):
            continue
        token = tokens.token_from_secret(secret)
        if token is not None and "signing" in token.usages and not tokens.is_expired(token, now):
            found.append(token)
    return found


def signed_data(data: dict, signers: list[tokens.BootstrapToken]) -> dict:
    """cluster-info's data with exactly one valid signature per signing token."""
    wanted = {k: v for k, v in data.items() if not k.startswith(JWS_PREFIX)}
    payload = data.get(KUBECONFIG_KEY)
    if payload is None:
        return wanted
    for token in signers:
        key = JWS_PREFIX + token.token_id
        existing = data.get(key)
        if existing and jws.verify_detached(existing, payload.encode(), token.token_id, token.token_secret):
            wanted[key] = existing  # keep: HS256 is deterministic, but avoid needless writes
        else:
            wanted[key] = jws.sign_detached(payload.encode(), token.token_id, token.token_secret)
    return wanted


class BootstrapSignerController(Controller):
    name = "bootstrapsigner"
    workers = 1

    def setup(self) -> None:
        self.configmaps = self.informer(CONFIGMAPS, namespace=CLUSTER_INFO_NAMESPACE)
        self.secrets = self.informer(SECRETS, namespace=tokens.NAMESPACE)
        self.enqueue_on_change(self.configmaps, lambda obj: KEY if obj["metadata"]["name"] == CLUSTER_INFO else None)
        self.enqueue_on_change(self.secrets, lambda obj: KEY if obj.get("type") == tokens.SECRET_TYPE else None)

    async def reconcile(self, key: str) -> None:
        cluster_info = self.configmaps.get(KEY)
        if cluster_info is None:
            return
        now = datetime.datetime.now(datetime.timezone.utc)
        signers = signing_tokens(self.secrets.list(tokens.NAMESPACE), now)
        data = cluster_info.get("data") or {}
        wanted = signed_data(data, signers)
        expiries = [t.expires for t in signers if t.expires is not None]
        if expiries:  # drop the signature when its token expires
            self.queue.add_after(KEY, max(1.0, (min(expiries) - now).total_seconds() + 1))
        if wanted == data:
            return
        try:
            await self.client.update(CONFIGMAPS, {**cluster_info, "data": wanted})
        except ApiError as exc:
            if exc.code == 409:
                self.queue.add_rate_limited(key)
            elif exc.code != 404:
                raise


CONTROLLERS = [BootstrapSignerController]
