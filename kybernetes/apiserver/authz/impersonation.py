# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""User impersonation (Impersonate-User/-Group/-Uid/-Extra-* headers; `kubectl --as`),
as kube-apiserver's impersonation filter: the requester needs `impersonate` on each
users/groups/serviceaccounts/uids/userextras it asks for; the request then runs as the
impersonated user."""
from __future__ import annotations

from typing import Callable, Mapping
from urllib.parse import unquote

from kybernetes.apiserver import errors
from kybernetes.apiserver.authz.attributes import Attributes, Decision, forbidden_error
from kybernetes.apiserver.authz.rbac import SERVICE_ACCOUNT_PREFIX

USER_HEADER = "Impersonate-User"
GROUP_HEADER = "Impersonate-Group"
UID_HEADER = "Impersonate-Uid"
EXTRA_PREFIX = "Impersonate-Extra-"
ANONYMOUS = "system:anonymous"


def requested(headers) -> tuple[str, list[str], str, dict[str, list[str]]] | None:
    """(user, groups, uid, extra) the headers ask for, or None without any."""
    user = headers.get(USER_HEADER, "")
    groups = list(headers.getall(GROUP_HEADER, [])) if hasattr(headers, "getall") else \
        ([headers[GROUP_HEADER]] if GROUP_HEADER in headers else [])
    uid = headers.get(UID_HEADER, "")
    extra: dict[str, list[str]] = {}
    for key in headers.keys():
        if key.lower().startswith(EXTRA_PREFIX.lower()):
            name = unquote(key[len(EXTRA_PREFIX):]).lower()
            values = headers.getall(key, []) if hasattr(headers, "getall") else [headers[key]]
            extra.setdefault(name, [])
            for value in values:
                if value not in extra[name]:
                    extra[name].append(value)
    if not user and not groups and not uid and not extra:
        return None
    if not user:
        # upstream answers this with an internal error too
        asked = [f"{GROUP_HEADER}: {g}" for g in groups] + ([f"{UID_HEADER}: {uid}"] if uid else []) \
            + [f"{EXTRA_PREFIX}{k}: {v}" for k, vs in extra.items() for v in vs]
        raise errors.internal(f"requested {asked} without impersonating a user")
    return user, groups, uid, extra


def checks(user: str, groups: list[str], uid: str, extra: Mapping[str, list[str]]) -> list[Attributes]:
    """The `impersonate` permissions the request needs."""
    out = []
    if user.startswith(SERVICE_ACCOUNT_PREFIX) and user.count(":") == 3:
        _, _, namespace, name = user.split(":", 3)
        out.append(Attributes(verb="impersonate", resource="serviceaccounts", namespace=namespace,
                              name=name))
    else:
        out.append(Attributes(verb="impersonate", resource="users", name=user))
    for group in groups:
        out.append(Attributes(verb="impersonate", resource="groups", name=group))
    for key, values in extra.items():
        for value in values:
            out.append(Attributes(verb="impersonate", group="authentication.k8s.io",
                                  resource="userextras", subresource=key, name=value))
    if uid:
        out.append(Attributes(verb="impersonate", group="authentication.k8s.io", resource="uids",
                              name=uid))
    return out


def impersonated_user(user: str, groups: list[str], uid: str, extra: dict[str, list[str]]) -> dict:
    groups = list(groups)
    if user.startswith(SERVICE_ACCOUNT_PREFIX) and user.count(":") == 3 and not groups:
        namespace = user.split(":")[2]
        groups = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
    always = "system:unauthenticated" if user == ANONYMOUS else "system:authenticated"
    if always not in groups:
        groups.append(always)
    out = {"name": user, "groups": groups}
    if uid:
        out["uid"] = uid
    if extra:
        out["extra"] = extra
    return out


def impersonate(requester: dict, headers, authorize: Callable[[dict, Attributes], Decision]) -> dict | None:
    """The user the request runs as, or None without impersonation headers; raises the
    403 upstream answers when the requester may not impersonate."""
    asked = requested(headers)
    if asked is None:
        return None
    for attrs in checks(*asked):
        decision = authorize(requester, attrs)
        if not decision.allowed:
            raise forbidden_error(requester.get("name", ""), attrs, decision.reason)
    return impersonated_user(*asked)
