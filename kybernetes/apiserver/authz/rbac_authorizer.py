# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The RBAC authorizer: Roles, ClusterRoles and their bindings, read from the API
server's watch cache and indexed by subject (user name or group)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from kybernetes.apiserver.authz import rbac
from kybernetes.apiserver.authz.attributes import ALLOW, NO_OPINION, Attributes, Decision
from kybernetes.apiserver.authz.follower import CacheFollower

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer
    from kybernetes.storage.watchcache import CachedObject


_MAX_REMEMBERED = 50_000


class RBACIndex:
    """Roles by (namespace, name), bindings by subject. Pure: fed object events."""

    def __init__(self) -> None:
        self.roles: dict[tuple[str, str], list[dict]] = {}  # ("", name) for ClusterRoles
        self.bindings: dict[tuple[str, str], dict] = {}  # (namespace or "", name) -> binding
        self.by_subject: dict[tuple[str, str], set[tuple[str, str]]] = {}
        # decisions remembered until the next change of any role or binding: components
        # ask the same questions over and over, and RBAC objects rarely change
        self._decisions: dict[tuple, Decision] = {}

    # ---- feeding
    def set_role(self, namespace: str, name: str, role: dict | None) -> None:
        self._decisions.clear()
        if role is None:
            self.roles.pop((namespace, name), None)
        else:
            self.roles[(namespace, name)] = list(role.get("rules") or [])

    def set_binding(self, namespace: str, name: str, binding: dict | None) -> None:
        self._decisions.clear()
        key = (namespace, name)
        old = self.bindings.pop(key, None)
        if old is not None:
            for subject in old.get("subjects") or ():
                skey = rbac.subject_key(subject, namespace)
                if skey is not None:
                    keys = self.by_subject.get(skey)
                    if keys is not None:
                        keys.discard(key)
                        if not keys:
                            del self.by_subject[skey]
        if binding is None:
            return
        self.bindings[key] = binding
        for subject in binding.get("subjects") or ():
            skey = rbac.subject_key(subject, namespace)
            if skey is not None:
                self.by_subject.setdefault(skey, set()).add(key)

    def clear_roles(self, cluster: bool) -> None:
        for key in [k for k in self.roles if (k[0] == "") == cluster]:
            del self.roles[key]

    def clear_bindings(self, cluster: bool) -> None:
        for key in [k for k in self.bindings if (k[0] == "") == cluster]:
            self.set_binding(key[0], key[1], None)

    # ---- reading
    def bindings_for(self, user: dict, namespace: str) -> Iterator[tuple[str, dict]]:
        """(binding namespace, binding) of every binding naming the user that applies in
        `namespace`: all ClusterRoleBindings, and RoleBindings of that namespace."""
        subjects = [("user", user.get("name", ""))] + [("group", g) for g in user.get("groups") or ()]
        seen: set[tuple[str, str]] = set()
        for skey in subjects:
            for key in self.by_subject.get(skey, ()):
                if key in seen:
                    continue
                seen.add(key)
                if key[0] == "" or key[0] == namespace:
                    yield key[0], self.bindings[key]

    def role_rules(self, binding_namespace: str, binding: dict) -> list[dict] | None:
        ref = binding.get("roleRef") or {}
        if ref.get("kind") == "ClusterRole":
            return self.roles.get(("", ref.get("name", "")))
        if ref.get("kind") == "Role" and binding_namespace:
            return self.roles.get((binding_namespace, ref.get("name", "")))
        return None

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]:
        """Every rule the user holds in `namespace` ("" for cluster-wide only), and the
        errors met resolving them (bindings to roles that do not exist)."""
        rules: list[dict] = []
        problems: list[str] = []
        for binding_namespace, binding in self.bindings_for(user, namespace):
            found = self.role_rules(binding_namespace, binding)
            if found is None:
                problems.append(_missing_role(binding_namespace, binding))
                continue
            rules.extend(found)
        return rules, problems

    def authorize(self, user: dict, attrs: Attributes) -> Decision:
        key = (user.get("name", ""), tuple(user.get("groups") or ()), attrs.resource_request,
               attrs.verb, attrs.group, attrs.resource, attrs.subresource, attrs.namespace,
               attrs.name, attrs.path)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) >= _MAX_REMEMBERED:
                self._decisions.clear()
            decision = self._decisions[key] = self._authorize(user, attrs)
        return decision

    def _authorize(self, user: dict, attrs: Attributes) -> Decision:
        problems: list[str] = []
        for binding_namespace, binding in self.bindings_for(user, attrs.namespace):
            rules = self.role_rules(binding_namespace, binding)
            if rules is None:
                problems.append(_missing_role(binding_namespace, binding))
                continue
            if rbac.rules_allow(rules, attrs):
                return Decision(ALLOW, f"RBAC: allowed by {_describe(binding_namespace, binding, user)}")
        reason = f"RBAC: [{', '.join(problems)}]" if len(problems) > 1 else \
            (f"RBAC: {problems[0]}" if problems else "")
        return Decision(NO_OPINION, reason)


def _describe(namespace: str, binding: dict, user: dict) -> str:
    """Which binding allowed, as upstream's SubjectAccessReview reasons say it."""
    ref = binding.get("roleRef") or {}
    name = (binding.get("metadata") or {}).get("name", "")
    kind = f'RoleBinding "{name}/{namespace}"' if namespace else f'ClusterRoleBinding "{name}"'
    subject = next((s for s in binding.get("subjects") or () if rbac.applies_to(s, user, namespace)), {})
    who = subject.get("name", "")
    if subject.get("kind") == "ServiceAccount":
        who = f'{subject.get("namespace") or namespace}/{who}'
    return f'{kind} of {ref.get("kind", "")} "{ref.get("name", "")}" to {subject.get("kind", "")} "{who}"'


def _missing_role(namespace: str, binding: dict) -> str:
    ref = binding.get("roleRef") or {}
    kind = "clusterrole" if ref.get("kind") == "ClusterRole" else "role"
    return f'{kind}.rbac.authorization.k8s.io "{ref.get("name", "")}" not found'


class RBACAuthorizer:
    """RBAC over the server's cache; `start()` once the caches are running."""

    def __init__(self, server: "APIServer") -> None:
        self.server = server
        self.index = RBACIndex()
        self.followers: list[CacheFollower] = []

    def start(self) -> None:
        registry = self.server.registry
        for kind, is_role, cluster in (("ClusterRole", True, True), ("Role", True, False),
                                       ("ClusterRoleBinding", False, True),
                                       ("RoleBinding", False, False)):
            rt = registry.by_kind(rbac.RBAC_GROUP, "v1", kind)
            cache = self.server.objects.cache(rt)
            self.followers.append(CacheFollower(
                cache, self._role_handler() if is_role else self._binding_handler(),
                (lambda c=cluster: self.index.clear_roles(c)) if is_role else
                (lambda c=cluster: self.index.clear_bindings(c))))

    def stop(self) -> None:
        for follower in self.followers:
            follower.close()

    def _role_handler(self):
        def handle(kind: str, cached: "CachedObject") -> None:
            self.index.set_role(cached.namespace, cached.name,
                                None if kind == "DELETED" else cached.obj)
        return handle

    def _binding_handler(self):
        def handle(kind: str, cached: "CachedObject") -> None:
            self.index.set_binding(cached.namespace, cached.name,
                                   None if kind == "DELETED" else cached.obj)
        return handle

    def sync(self) -> None:
        for follower in self.followers:
            follower.drain()

    def authorize(self, user: dict, attrs: Attributes) -> Decision:
        self.sync()
        return self.index.authorize(user, attrs)

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]:
        self.sync()
        return self.index.rules_for(user, namespace)
