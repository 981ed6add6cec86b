# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Checks for rbac.authorization.k8s.io/v1: Role, ClusterRole and their bindings."""
from __future__ import annotations

from .errors import Cause, index, invalid, join, not_supported, required
from .meta import name_is_path_segment

RBAC_GROUP = "rbac.authorization.k8s.io"


def _validate_rules(rules, path: str, namespaced: bool) -> list[Cause]:
    causes: list[Cause] = []
    for i, rule in enumerate(rules or []):
        rpath = index(path, i)
        if not rule.get("verbs"):
            causes.append(required(join(rpath, "verbs"), "verbs must contain at least one value"))
        urls = rule.get("nonResourceURLs") or []
        if urls:
            if namespaced:
                causes.append(invalid(join(rpath, "nonResourceURLs"), urls,
                                      "namespaced rules cannot apply to non-resource URLs"))
            if rule.get("apiGroups") or rule.get("resources"):
                causes.append(invalid(join(rpath, "nonResourceURLs"), urls,
                                      "rules cannot apply to both regular resources and "
                                      "non-resource URLs"))
            continue
        if not rule.get("apiGroups"):
            causes.append(required(join(rpath, "apiGroups"), "resource rules must supply at "
                                   "least one api group"))
        if not rule.get("resources"):
            causes.append(required(join(rpath, "resources"), "resource rules must supply at "
                                   "least one resource"))
    return causes


def validate_role(obj: dict, old: dict | None) -> list[Cause]:
    return _validate_rules(obj.get("rules"), "rules", True)


def validate_cluster_role(obj: dict, old: dict | None) -> list[Cause]:
    causes = _validate_rules(obj.get("rules"), "rules", False)
    rule = obj.get("aggregationRule")
    if rule is not None and not rule.get("clusterRoleSelectors"):
        causes.append(required("aggregationRule.clusterRoleSelectors",
                               "at least one clusterRoleSelector required if aggregationRule "
                               "is non-nil"))
    return causes


def _validate_binding(obj: dict, old: dict | None, namespaced: bool) -> list[Cause]:
    causes: list[Cause] = []
    role_ref = obj.get("roleRef") or {}
    if role_ref.get("apiGroup") != RBAC_GROUP:
        causes.append(not_supported("roleRef.apiGroup", role_ref.get("apiGroup", ""), (RBAC_GROUP,)))
    kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    if role_ref.get("kind") not in kinds:
        causes.append(not_supported("roleRef.kind", role_ref.get("kind", ""), kinds))
    if not role_ref.get("name"):
        causes.append(required("roleRef.name"))
    else:
        causes.extend(invalid("roleRef.name", role_ref["name"], m)
                      for m in name_is_path_segment(role_ref["name"]))
    for i, subject in enumerate(obj.get("subjects") or []):
        spath = index("subjects", i)
        name = subject.get("name", "")
        if not name:
            causes.append(required(join(spath, "name")))
        kind = subject.get("kind", "")
        if kind == "ServiceAccount":
            if name:
                causes.extend(invalid(join(spath, "name"), name, m)
                              for m in _sa_name(name))
            if subject.get("apiGroup"):
                causes.append(not_supported(join(spath, "apiGroup"), subject["apiGroup"], ("",)))
            if not namespaced and not subject.get("namespace"):
                causes.append(required(join(spath, "namespace")))
        elif kind in ("User", "Group"):
            if subject.get("apiGroup") != RBAC_GROUP:
                causes.append(not_supported(join(spath, "apiGroup"), subject.get("apiGroup", ""),
                                            (RBAC_GROUP,)))
        else:
            causes.append(not_supported(join(spath, "kind"), kind,
                                        ("ServiceAccount", "User", "Group")))
    if old is not None and role_ref != (old.get("roleRef") or {}):
        causes.append(invalid("roleRef", _role_ref_repr(role_ref),
                              "cannot change roleRef"))
    return causes


def _sa_name(name: str) -> list[str]:
    from .meta import is_dns1123_subdomain
    return is_dns1123_subdomain(name)


def _role_ref_repr(role_ref: dict):
    from .errors import GoValue, go_quote
    return GoValue(f"rbac.RoleRef{{APIGroup:{go_quote(role_ref.get('apiGroup', ''))}, "
                   f"Kind:{go_quote(role_ref.get('kind', ''))}, "
                   f"Name:{go_quote(role_ref.get('name', ''))}}}")


RBAC_VALIDATORS = {
    (RBAC_GROUP, "Role"): validate_role,
    (RBAC_GROUP, "ClusterRole"): validate_cluster_role,
    (RBAC_GROUP, "RoleBinding"): lambda obj, old: _validate_binding(obj, old, True),
    (RBAC_GROUP, "ClusterRoleBinding"): lambda obj, old: _validate_binding(obj, old, False),
}
