# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""RBAC escalation prevention, as upstream's role and binding storage enforces it: a
user may write a Role/ClusterRole only with rules they already hold (or with the
`escalate` verb on it), and a binding only to a role whose rules they hold (or with
`bind` on it). system:masters may do anything."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kybernetes.apiserver import errors
from kybernetes.apiserver.admission import AdmissionRequest, Plugin
from kybernetes.apiserver.authz import rbac
from kybernetes.apiserver.authz.attributes import Attributes, forbidden_status

if TYPE_CHECKING:
    from kybernetes.apiserver.authz import Authorization

MASTERS = "system:masters"
FULL_AUTHORITY = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
                  {"verbs": ["*"], "nonResourceURLs": ["*"]}]


class EscalationCheck(Plugin):
    def __init__(self, authorization: "Authorization") -> None:
        self.authorization = authorization

    async def validate(self, request: AdmissionRequest) -> None:
        rt = request.rt
        if rt.group != rbac.RBAC_GROUP or request.operation not in ("CREATE", "UPDATE") \
                or request.obj is None or request.user is None:
            return
        user = request.user
        if MASTERS in (user.get("groups") or ()):
            return
        obj, old = request.obj, request.old
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or ""
        name = meta.get("name") or meta.get("generateName") or ""
        if rt.kind in ("Role", "ClusterRole"):
            if old is not None and old.get("rules") == obj.get("rules") and \
                    old.get("aggregationRule") == obj.get("aggregationRule"):
                return
            self._check_role(user, rt.plural, namespace, name, obj)
        elif rt.kind in ("RoleBinding", "ClusterRoleBinding"):
            if old is not None and old.get("roleRef") == obj.get("roleRef") and \
                    old.get("subjects") == obj.get("subjects"):
                return
            self._check_binding(user, rt.plural, namespace, name, obj)

    def _allowed(self, user: dict, verb: str, resource: str, namespace: str, name: str) -> bool:
        attrs = Attributes(verb=verb, group=rbac.RBAC_GROUP, resource=resource,
                           namespace=namespace, name=name)
        return self.authorization.authorize(user, attrs).allowed

    def _held_rules(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]:
        if self.authorization.rbac is None:
            return [], []
        return self.authorization.rbac.rules_for(user, namespace)

    def _check_role(self, user: dict, plural: str, namespace: str, name: str, role: dict) -> None:
        if self._allowed(user, "escalate", plural, namespace, name):
            return
        held, problems = self._held_rules(user, namespace)
        if role.get("aggregationRule"):
            if rbac.uncovered(held, FULL_AUTHORITY):
                raise forbidden_status(rbac.RBAC_GROUP, plural, name,
                                       "must have cluster-admin privileges to use the aggregationRule")
            return
        missing = rbac.uncovered(held, role.get("rules") or [])
        if missing:
            raise _escalation_error(user, plural, name, missing, problems)

    def _check_binding(self, user: dict, plural: str, namespace: str, name: str, binding: dict) -> None:
        ref = binding.get("roleRef") or {}
        ref_plural = "clusterroles" if ref.get("kind") == "ClusterRole" else "roles"
        if self._allowed(user, "bind", ref_plural, namespace, ref.get("name", "")):
            return
        held, problems = self._held_rules(user, namespace)  # brings the index up to date
        index = self.authorization.rbac.index if self.authorization.rbac is not None else None
        granted = index.role_rules(namespace, binding) if index is not None else None
        if granted is None:
            kind = "clusterroles" if ref_plural == "clusterroles" else "roles"
            raise errors.ApiError(404, "NotFound", f'{kind}.rbac.authorization.k8s.io '
                                  f'"{ref.get("name", "")}" not found', name=ref.get("name", ""),
                                  group=rbac.RBAC_GROUP, kind=kind)
        missing = rbac.uncovered(held, granted)
        if missing:
            raise _escalation_error(user, plural, name, missing, problems)


def _escalation_error(user: dict, plural: str, name: str, missing: list[dict],
                      problems: list[str]) -> errors.ApiError:
    message = rbac.escalation_message(user, missing)
    if problems:
        message += f"; resolution errors: [{' '.join(problems)}]"
    return forbidden_status(rbac.RBAC_GROUP, plural, name, message)
