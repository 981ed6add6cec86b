# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""RBAC rule semantics, pure: does a PolicyRule allow a request, does a binding's subject
name a user, does one set of rules cover another (escalation prevention), and the
compact rule strings upstream prints in escalation errors."""
from __future__ import annotations

from typing import Iterable

from kybernetes.apiserver.authz.attributes import Attributes

RBAC_GROUP = "rbac.authorization.k8s.io"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


def _has(values: Iterable[str] | None, wanted: str) -> bool:
    values = values or ()
    return "*" in values or wanted in values


def verb_matches(rule: dict, verb: str) -> bool:
    return _has(rule.get("verbs"), verb)


def group_matches(rule: dict, group: str) -> bool:
    return _has(rule.get("apiGroups"), group)


def resource_matches(rule: dict, resource: str, subresource: str) -> bool:
    """`*` matches everything, `pods` only pods itself, `pods/log` that subresource,
    `pods/*` every subresource of pods, `*/scale` scale of anything."""
    combined = f"{resource}/{subresource}" if subresource else resource
    for item in rule.get("resources") or ():
        if item == "*" or item == combined:
            return True
        if not subresource:
            continue
        if item == f"{resource}/*" or item == f"*/{subresource}":
            return True
    return False


def name_matches(rule: dict, name: str) -> bool:
    names = rule.get("resourceNames") or ()
    return not names or name in names


def url_matches(rule: dict, path: str) -> bool:
    for url in rule.get("nonResourceURLs") or ():
        if url == "*" or url == path:
            return True
        if url.endswith("*") and path.startswith(url[:-1]):
            return True
    return False


def rule_allows(rule: dict, attrs: Attributes) -> bool:
    if attrs.resource_request:
        return (verb_matches(rule, attrs.verb) and group_matches(rule, attrs.group)
                and resource_matches(rule, attrs.resource, attrs.subresource)
                and name_matches(rule, attrs.name))
    return verb_matches(rule, attrs.verb) and url_matches(rule, attrs.path)


def rules_allow(rules: Iterable[dict], attrs: Attributes) -> bool:
    return any(rule_allows(rule, attrs) for rule in rules)


def service_account_user(namespace: str, name: str) -> str:
    return f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}"


def subject_key(subject: dict, binding_namespace: str) -> tuple[str, str] | None:
    """("user", name) or ("group", name) a subject stands for; None if malformed."""
    kind, name = subject.get("kind"), subject.get("name", "")
    if not name:
        return None
    if kind == "User":
        return ("user", name)
    if kind == "Group":
        return ("group", name)
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        if not namespace:
            return None
        return ("user", service_account_user(namespace, name))
    return None


def applies_to(subject: dict, user: dict, binding_namespace: str) -> bool:
    key = subject_key(subject, binding_namespace)
    if key is None:
        return False
    if key[0] == "user":
        return key[1] == user.get("name")
    return key[1] in (user.get("groups") or ())


# ---- escalation: do the rules someone holds cover the rules they grant ------------------

def breakdown(rule: dict) -> list[dict]:
    """One rule per (group, resource, name, verb) or (url, verb), as upstream's
    BreakdownRule splits a rule before checking coverage."""
    out: list[dict] = []
    for verb in rule.get("verbs") or ():
        for group in rule.get("apiGroups") or ():
            for resource in rule.get("resources") or ():
                names = rule.get("resourceNames") or [None]
                for name in names:
                    atom = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                    if name is not None:
                        atom["resourceNames"] = [name]
                    out.append(atom)
        for url in rule.get("nonResourceURLs") or ():
            out.append({"nonResourceURLs": [url], "verbs": [verb]})
    return out


def _owner_resource_covers(owner: str, wanted: str) -> bool:
    if owner == "*" or owner == wanted:
        return True
    # pods/* covers pods/log; */scale covers deployments/scale (never a bare resource)
    if "/" in wanted:
        resource, _, sub = wanted.partition("/")
        return owner in (f"{resource}/*", f"*/{sub}")
    return False


def _owner_url_covers(owner: str, wanted: str) -> bool:
    if owner == "*" or owner == wanted:
        return True
    return owner.endswith("*") and wanted.startswith(owner[:-1])


def rule_covers(owner: dict, atom: dict) -> bool:
    """Whether `owner` grants everything the single-valued rule `atom` grants."""
    if not _has(owner.get("verbs"), atom["verbs"][0]):
        return False
    if atom.get("nonResourceURLs"):
        return any(_owner_url_covers(url, atom["nonResourceURLs"][0])
                   for url in owner.get("nonResourceURLs") or ())
    if not _has(owner.get("apiGroups"), atom["apiGroups"][0]):
        return False
    if not any(_owner_resource_covers(r, atom["resources"][0]) for r in owner.get("resources") or ()):
        return False
    owner_names = owner.get("resourceNames") or []
    if not owner_names:
        return True
    wanted_names = atom.get("resourceNames") or []
    return bool(wanted_names) and wanted_names[0] in owner_names


def uncovered(owner_rules: list[dict], requested: list[dict]) -> list[dict]:
    """The single-valued pieces of `requested` that no rule in `owner_rules` covers."""
    missing: list[dict] = []
    for rule in requested:
        for atom in breakdown(rule):
            if not any(rule_covers(owner, atom) for owner in owner_rules):
                missing.append(atom)
    return missing


def compact(rules: list[dict]) -> list[dict]:
    """Merge single-verb pieces that differ only in verb (upstream's CompactRules)."""
    merged: dict[tuple, dict] = {}
    for rule in rules:
        key = (tuple(rule.get("apiGroups") or ()), tuple(rule.get("resources") or ()),
               tuple(rule.get("resourceNames") or ()), tuple(rule.get("nonResourceURLs") or ()))
        if key in merged:
            for verb in rule.get("verbs") or ():
                if verb not in merged[key]["verbs"]:
                    merged[key]["verbs"].append(verb)
        else:
            merged[key] = {k: list(v) for k, v in rule.items()}
    return list(merged.values())


def go_quote_list(values: Iterable[str]) -> str:
    """Go's %q of a []string: ["a" "b"]."""
    import json
    return "[" + " ".join(json.dumps(v) for v in values) + "]"


def compact_string(rule: dict) -> str:
    """A rule as upstream's escalation errors print it:
    {APIGroups:[""], Resources:["pods"], Verbs:["delete"]}."""
    parts = []
    for field, label in (("apiGroups", "APIGroups"), ("resources", "Resources"),
                         ("nonResourceURLs", "NonResourceURLs"),
                         ("resourceNames", "ResourceNames"), ("verbs", "Verbs")):
        if rule.get(field):
            parts.append(f"{label}:{go_quote_list(rule[field])}")
    return "{" + ", ".join(parts) + "}"


def escalation_message(user: dict, missing: list[dict]) -> str:
    lines = "\n".join(compact_string(rule) for rule in compact(missing))
    return (f'user "{user.get("name", "")}" (groups={go_quote_list(user.get("groups") or [])}) '
            f"is attempting to grant RBAC permissions not currently held:\n{lines}")
