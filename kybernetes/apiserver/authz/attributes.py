# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Authorization attributes of a request (upstream's RequestInfo as authorizers see it),
decisions, and the Forbidden Status the API answers a refused request with."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from kybernetes.apiserver import errors

ALLOW, DENY, NO_OPINION = "Allow", "Deny", "NoOpinion"

_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
          "DELETE": "delete"}
# /namespaces/<name>/<these> is the namespace object's subresource, not a namespaced list
_NAMESPACE_SUBRESOURCES = {"status", "finalize"}


@dataclass(slots=True)
class Attributes:
    """What is being asked: a resource request (verb on group/resource[/subresource]
    [name] [namespace]) or a non-resource one (verb on path)."""
    verb: str
    resource_request: bool = True
    group: str = ""
    version: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""
    field_selector: dict = field(default_factory=dict)  # exact-match field requirements
    label_selector: str = ""

    @property
    def qualified_resource(self) -> str:
        """`pods`, `deployments.apps`: how Status messages name a resource."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


@dataclass(slots=True)
class Decision:
    decision: str
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW


def _exact_fields(text: str) -> dict:
    """`a=b,c==d,e!=f` -> {a: b, c: d}: the requirements an authorizer may rely on."""
    out: dict = {}
    for term in text.split(","):
        if "!=" in term:
            continue
        key, sep, value = term.replace("==", "=").partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def from_request(method: str, path: str, query: Mapping[str, str]) -> Attributes:
    """The attributes kube-apiserver's RequestInfoFactory derives from a request."""
    parts = [p for p in path.split("/") if p]
    verb = _VERBS.get(method.upper(), method.lower())
    if not parts or parts[0] not in ("api", "apis"):
        return Attributes(verb=method.lower(), resource_request=False, path=path)
    if parts[0] == "api":
        head, rest = ("", parts[1] if len(parts) > 1 else ""), parts[2:]
    else:
        head, rest = (parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""), parts[3:]
    if not rest or (parts[0] == "apis" and len(parts) < 3) or (parts[0] == "api" and len(parts) < 2):
        return Attributes(verb=method.lower(), resource_request=False, path=path)
    attrs = Attributes(verb=verb, group=head[0], version=head[1], path=path)
    if rest[0] == "watch":
        attrs.verb, rest = "watch", rest[1:]
    if rest and rest[0] == "namespaces":
        if len(rest) > 1:
            attrs.namespace = rest[1]
            if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
                rest = rest[2:]
    if not rest:
        return Attributes(verb=method.lower(), resource_request=False, path=path)
    attrs.resource = rest[0]
    if len(rest) > 1:
        attrs.name = rest[1]
    if len(rest) > 2:
        attrs.subresource = rest[2]
    if attrs.verb == "get" and not attrs.name:
        attrs.verb = "watch" if query.get("watch") in ("true", "1") else "list"
    elif attrs.verb == "delete" and not attrs.name:
        attrs.verb = "deletecollection"
    if attrs.verb in ("list", "watch", "deletecollection"):
        attrs.field_selector = _exact_fields(query.get("fieldSelector", ""))
        attrs.label_selector = query.get("labelSelector", "")
        # a list of one object by name is authorized as that object, as upstream does
        if attrs.verb != "deletecollection" and attrs.field_selector.get("metadata.name"):
            attrs.name = attrs.field_selector["metadata.name"]
    return attrs


def from_review(resource_attributes: Mapping | None, non_resource_attributes: Mapping | None) -> Attributes:
    """The attributes a SubjectAccessReview's spec asks about."""
    if resource_attributes:
        ra = resource_attributes
        return Attributes(verb=ra.get("verb", ""), group=ra.get("group", ""),
                          version=ra.get("version", ""), resource=ra.get("resource", ""),
                          subresource=ra.get("subresource", ""),
                          namespace=ra.get("namespace", ""), name=ra.get("name", ""))
    nra = non_resource_attributes or {}
    return Attributes(verb=nra.get("verb", ""), resource_request=False, path=nra.get("path", ""))


def forbidden_message(user_name: str, attrs: Attributes) -> str:
    if not attrs.resource_request:
        return f'User "{user_name}" cannot {attrs.verb} path "{attrs.path}"'
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    scope = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
    return (f'User "{user_name}" cannot {attrs.verb} resource "{resource}" '
            f'in API group "{attrs.group}" {scope}')


def forbidden_error(user_name: str, attrs: Attributes, reason: str = "") -> errors.ApiError:
    """403 as kube-apiserver's authorization filter writes it."""
    message = forbidden_message(user_name, attrs)
    if reason:
        message = f"{message}: {reason}"
    return forbidden_status(attrs.group, attrs.resource if attrs.resource_request else "",
                            attrs.name if attrs.resource_request else "", message)


def forbidden_status(group: str, resource: str, name: str, message: str) -> errors.ApiError:
    """apimachinery's NewForbidden(groupResource, name, err)."""
    if not resource:
        text = f"forbidden: {message}"
    else:
        qualified = f"{resource}.{group}" if group else resource
        text = f'{qualified} "{name}" is forbidden: {message}' if name else \
            f"{qualified} is forbidden: {message}"
    return errors.ApiError(403, "Forbidden", text, name=name, group=group, kind=resource)
