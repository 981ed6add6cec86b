# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Service-account tokens: JWTs signed with the service-account key.

Bound tokens (TokenRequest, the pods' projected volume) carry iss, aud, exp, iat, nbf,
jti, sub and a `kubernetes.io` claim naming the namespace, the service account and the
object the token is bound to (pod, secret or node). Legacy tokens (token Secrets) carry
the `kubernetes.io/serviceaccount/*` claims and issuer `kubernetes/serviceaccount`.
Validation checks the signature, issuer, audiences and time, then that the account and
the bound object still exist with the same uid, so a token dies with its pod.
"""
from __future__ import annotations

import base64
import hmac
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable

from kybernetes.apiserver.authn import AuthenticationError, make_user, with_authenticated_group
from kybernetes.pki import jwt

LEGACY_ISSUER = "kubernetes/serviceaccount"
DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"
USER_PREFIX = "system:serviceaccount:"
ALL_GROUP = "system:serviceaccounts"
# kubelet asks for 3607 s; with --service-account-extend-token-expiration (on by
# default) such pod-bound tokens live a year and only warn after the 3607 s.
WARN_ONLY_EXPIRATION_SECONDS = 3607
EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600
# a token whose bound object was deleted more than this long ago is refused
DELETED_OBJECT_GRACE = 60
LEEWAY = 60  # seconds of clock skew tolerated on exp/nbf/iat, as upstream

EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name"
EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid"
EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name"
EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid"
EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"

LEGACY_NAMESPACE = "kubernetes.io/serviceaccount/namespace"
LEGACY_SECRET_NAME = "kubernetes.io/serviceaccount/secret.name"
LEGACY_SA_NAME = "kubernetes.io/serviceaccount/service-account.name"
LEGACY_SA_UID = "kubernetes.io/serviceaccount/service-account.uid"
# the token Secret a legacy token names, and the label that retires it
LEGACY_SECRET_TYPE = "kubernetes.io/service-account-token"
LEGACY_SECRET_SA_ANNOTATION = "kubernetes.io/service-account.name"
LEGACY_SECRET_UID_ANNOTATION = "kubernetes.io/service-account.uid"
LEGACY_INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since"


def username(namespace: str, name: str) -> str:
    return f"{USER_PREFIX}{namespace}:{name}"


def split_username(user: str) -> tuple[str, str] | None:
    if not user.startswith(USER_PREFIX):
        return None
    namespace, _, name = user[len(USER_PREFIX):].partition(":")
    return (namespace, name) if namespace and name and ":" not in name else None


@dataclass
class ServiceAccountInfo:
    namespace: str
    name: str
    uid: str
    pod_name: str = ""
    pod_uid: str = ""
    secret_name: str = ""
    secret_uid: str = ""
    node_name: str = ""
    node_uid: str = ""
    credential_id: str = ""

    def user(self) -> dict:
        extra: dict[str, list[str]] = {}
        if self.pod_name and self.pod_uid:
            extra[EXTRA_POD_NAME] = [self.pod_name]
            extra[EXTRA_POD_UID] = [self.pod_uid]
        if self.credential_id:
            extra[EXTRA_CREDENTIAL_ID] = [self.credential_id]
        if self.node_name:
            extra[EXTRA_NODE_NAME] = [self.node_name]
            if self.node_uid:
                extra[EXTRA_NODE_UID] = [self.node_uid]
        return with_authenticated_group(make_user(
            username(self.namespace, self.name),
            [ALL_GROUP, f"{ALL_GROUP}:{self.namespace}"], self.uid, extra))


def _ref(obj: dict | None) -> dict | None:
    if obj is None:
        return None
    meta = obj.get("metadata") or {}
    return {"name": meta.get("name", ""), "uid": meta.get("uid", "")}


def bound_claims(*, issuer: str, audiences: list[str], service_account: dict,
                 now: int, expiration_seconds: int, pod: dict | None = None,
                 secret: dict | None = None, node: dict | None = None,
                 warn_after: int | None = None, jti: str | None = None) -> dict:
    """The claims of a bound token; times are seconds since the epoch."""
    meta = service_account["metadata"]
    private: dict = {"namespace": meta["namespace"],
                     "serviceaccount": {"name": meta["name"], "uid": meta.get("uid", "")}}
    if pod is not None:
        private["pod"] = _ref(pod)
    if secret is not None:
        private["secret"] = _ref(secret)
    if node is not None:
        private["node"] = {k: v for k, v in _ref(node).items() if v}
    if warn_after is not None:
        private["warnafter"] = warn_after
    return {"aud": list(audiences), "exp": now + expiration_seconds, "iat": now,
            "iss": issuer, "jti": jti or str(uuid.uuid4()), "kubernetes.io": private,
            "nbf": now, "sub": username(meta["namespace"], meta["name"])}


def legacy_claims(service_account: dict, secret: dict) -> dict:
    meta = service_account["metadata"]
    return {"iss": LEGACY_ISSUER, LEGACY_NAMESPACE: meta["namespace"],
            LEGACY_SECRET_NAME: secret["metadata"]["name"], LEGACY_SA_NAME: meta["name"],
            LEGACY_SA_UID: meta.get("uid", ""), "sub": username(meta["namespace"], meta["name"])}


def _audiences(claims: dict) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    return [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def check_bound_claims(claims: dict, *, issuers: list[str], audiences: list[str],
                       now: int) -> tuple[ServiceAccountInfo, list[str]]:
    """The account a bound token names and the audiences it is good for here;
    AuthenticationError for a token issued by us that is not (any longer) valid."""
    if claims.get("iss") not in issuers:
        raise AuthenticationError("token issuer is not accepted")
    matched = [a for a in audiences if a in _audiences(claims)]
    if not matched:
        raise AuthenticationError("token audiences is invalid for the target audiences")
    for name in ("exp", "iat", "nbf"):
        if name in claims and not isinstance(claims[name], (int, float)):
            raise AuthenticationError(f"invalid {name} claim")
    if "exp" not in claims:
        raise AuthenticationError("token has no expiration")
    if now > claims["exp"] + LEEWAY:
        raise AuthenticationError("service account token has expired")
    if "nbf" in claims and now < claims["nbf"] - LEEWAY:
        raise AuthenticationError("service account token is not valid yet")
    if "iat" in claims and now < claims["iat"] - LEEWAY:
        raise AuthenticationError("service account token is issued in the future")
    private = claims.get("kubernetes.io")
    if not isinstance(private, dict):
        raise AuthenticationError("service account token claims are missing")
    account = private.get("serviceaccount") or {}
    namespace = private.get("namespace", "")
    if not namespace or not isinstance(account, dict) or not account.get("name"):
        raise AuthenticationError("service account token claims are incomplete")
    if claims.get("sub") != username(namespace, account["name"]):
        raise AuthenticationError("service account token subject does not match its claims")
    info = ServiceAccountInfo(namespace, account["name"], account.get("uid", ""))
    for kind in ("pod", "secret", "node"):
        ref = private.get(kind)
        if isinstance(ref, dict):
            setattr(info, f"{kind}_name", ref.get("name", ""))
            setattr(info, f"{kind}_uid", ref.get("uid", ""))
    if isinstance(claims.get("jti"), str) and claims["jti"]:
        info.credential_id = f"JTI={claims['jti']}"
    return info, matched


def check_legacy_claims(claims: dict) -> ServiceAccountInfo:
    names = (claims.get(LEGACY_NAMESPACE), claims.get(LEGACY_SA_NAME), claims.get(LEGACY_SECRET_NAME))
    if not all(isinstance(n, str) and n for n in names):
        raise AuthenticationError("service account token claims are incomplete")
    if claims.get("sub") != username(names[0], names[1]):
        raise AuthenticationError("service account token subject does not match its claims")
    return ServiceAccountInfo(names[0], names[1], claims.get(LEGACY_SA_UID, ""),
                              secret_name=names[2])


# kind ("ServiceAccount", "Pod", "Secret", "Node"), namespace, name -> object or None
ObjectGetter = Callable[[str, str, str], Awaitable[dict | None]]


def _deleted_long_ago(obj: dict, now: int) -> bool:
    from datetime import datetime
    stamp = (obj.get("metadata") or {}).get("deletionTimestamp")
    if not stamp:
        return False
    deleted = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    return deleted < now - DELETED_OBJECT_GRACE


class ServiceAccountTokenAuthenticator:
    def __init__(self, public_keys: list, issuers: list[str], api_audiences: list[str],
                 get_object: ObjectGetter) -> None:
        self.public_keys = public_keys
        self.issuers = list(issuers)
        self.api_audiences = list(api_audiences)
        self.get_object = get_object

    def handles(self, token: str) -> bool:
        """Whether the token is a JWT from an issuer this server accepts."""
        if not jwt.looks_like_jwt(token):
            return False
        try:
            issuer = jwt.unverified_claims(token).get("iss")
        except jwt.JWTError:
            return False
        return issuer in self.issuers or issuer == LEGACY_ISSUER

    async def authenticate_token(self, token: str, now: int,
                                 audiences: list[str] | None = None) -> tuple[dict, list[str]]:
        """(user, audiences) for a token `handles` accepted; AuthenticationError otherwise."""
        try:
            claims = jwt.verify(token, self.public_keys)
        except jwt.JWTError as exc:
            raise AuthenticationError(str(exc)) from None
        wanted = list(audiences or self.api_audiences)
        if claims.get("iss") == LEGACY_ISSUER:
            info = check_legacy_claims(claims)
            await self._check_legacy_secret(info, token)
            matched = wanted
        else:
            info, matched = check_bound_claims(claims, issuers=self.issuers, audiences=wanted, now=now)
        await self._check_objects(info, now)
        return info.user(), matched

    async def _live(self, kind: str, namespace: str, name: str, uid: str, now: int) -> dict:
        obj = await self.get_object(kind, namespace, name)
        where = f"{namespace}/{name}" if namespace else name
        if obj is None:
            raise AuthenticationError(f"{kind.lower()} {where} has been deleted")
        actual = (obj.get("metadata") or {}).get("uid", "")
        if uid and actual != uid:
            raise AuthenticationError(f"{kind.lower()} UID ({actual}) does not match claim ({uid})")
        if _deleted_long_ago(obj, now):
            raise AuthenticationError(f"{kind.lower()} {where} is being deleted")
        return obj

    async def _check_objects(self, info: ServiceAccountInfo, now: int) -> None:
        await self._live("ServiceAccount", info.namespace, info.name, info.uid, now)
        if info.pod_name:
            await self._live("Pod", info.namespace, info.pod_name, info.pod_uid, now)
        if info.secret_name and info.secret_uid:
            await self._live("Secret", info.namespace, info.secret_name, info.secret_uid, now)
        if info.node_name and info.node_uid and not info.pod_name:
            await self._live("Node", "", info.node_name, info.node_uid, now)

    async def _check_legacy_secret(self, info: ServiceAccountInfo, token: str) -> None:
        secret = await self.get_object("Secret", info.namespace, info.secret_name)
        if secret is None:
            raise AuthenticationError(f"secret {info.namespace}/{info.secret_name} has been deleted")
        meta = secret.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        # the Secret must still be this account's token Secret (not remade for another)
        if secret.get("type") != LEGACY_SECRET_TYPE or \
                annotations.get(LEGACY_SECRET_SA_ANNOTATION) != info.name or \
                annotations.get(LEGACY_SECRET_UID_ANNOTATION, info.uid) != info.uid:
            raise AuthenticationError(f"secret {info.namespace}/{info.secret_name} does not "
                                      f"reference service account {info.name}")
        if meta.get("deletionTimestamp"):
            raise AuthenticationError(f"secret {info.namespace}/{info.secret_name} is being deleted")
        if (meta.get("labels") or {}).get(LEGACY_INVALID_SINCE_LABEL):
            raise AuthenticationError("token has been invalidated")
        stored = (secret.get("data") or {}).get("token", "")
        try:
            stored = base64.b64decode(stored).decode()
        except (ValueError, UnicodeDecodeError):
            stored = ""
        if not hmac.compare_digest(stored.encode(), token.encode()):
            raise AuthenticationError("token does not match the secret's token")


class TokenIssuer:
    """Signs service-account tokens with the --service-account-signing-key-file key."""

    def __init__(self, private_key, issuer: str) -> None:
        self.private_key = private_key
        self.issuer = issuer

    def sign(self, claims: dict) -> str:
        return jwt.sign(claims, self.private_key)
