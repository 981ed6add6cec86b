# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Audit (audit.k8s.io/v1): the policy that decides how much of each request is logged,
and the events built from a request, as kube-apiserver 1.32 writes them.

Pure: no I/O except reading the policy file. The HTTP hook is in audit_http.py and the
log writer in audit_log.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

API_VERSION = "audit.k8s.io/v1"
LEVELS = ("None", "Metadata", "Request", "RequestResponse")
STAGES = ("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic")
# upstream's long-running requests: their ResponseStarted stage is logged on its own
LONG_RUNNING_VERBS = frozenset({"watch", "proxy"})
LONG_RUNNING_SUBRESOURCES = frozenset({"attach", "exec", "proxy", "log", "portforward"})


class AuditPolicyError(ValueError):
    """The policy file is unreadable or invalid: a one-line startup error."""


def level_at_least(level: str, wanted: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(wanted)


# ----------------------------------------------------------------------- the policy
@dataclass(frozen=True)
class GroupResources:
    group: str = ""
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyRule:
    level: str
    users: tuple[str, ...] = ()
    user_groups: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    resources: tuple[GroupResources, ...] = ()
    namespaces: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()
    omit_stages: tuple[str, ...] = ()
    omit_managed_fields: bool | None = None


@dataclass(frozen=True)
class Attributes:
    """What the policy looks at: who, what verb, on which resource or path."""
    user: dict
    verb: str
    path: str
    resource_request: bool = False
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""


@dataclass(frozen=True)
class RequestAuditConfig:
    level: str
    omit_stages: frozenset[str] = frozenset()
    omit_managed_fields: bool = False


@dataclass
class Policy:
    rules: list[PolicyRule] = field(default_factory=list)
    omit_stages: tuple[str, ...] = ()
    omit_managed_fields: bool = False

    def evaluate(self, attrs: Attributes) -> RequestAuditConfig:
        """The first matching rule wins; no match means level None."""
        for rule in self.rules:
            if rule_matches(rule, attrs):
                omit_managed = self.omit_managed_fields if rule.omit_managed_fields is None \
                    else rule.omit_managed_fields
                return RequestAuditConfig(rule.level,
                                          frozenset(self.omit_stages) | frozenset(rule.omit_stages),
                                          omit_managed)
        return RequestAuditConfig("None", frozenset(self.omit_stages), self.omit_managed_fields)


def rule_matches(rule: PolicyRule, attrs: Attributes) -> bool:
    user = attrs.user or {}
    if rule.users and user.get("name", "") not in rule.users:
        return False
    if rule.user_groups and not set(user.get("groups") or ()) & set(rule.user_groups):
        return False
    if rule.verbs and attrs.verb not in rule.verbs:
        return False
    if rule.namespaces or rule.resources:
        return _matches_resource(rule, attrs)
    if rule.non_resource_urls:
        return not attrs.resource_request and any(
            _path_matches(attrs.path, spec) for spec in rule.non_resource_urls)
    return True


def _path_matches(path: str, spec: str) -> bool:
    return spec == "*" or spec == path or (spec.endswith("*") and path.startswith(spec.rstrip("*")))


def _matches_resource(rule: PolicyRule, attrs: Attributes) -> bool:
    if not attrs.resource_request:
        return False
    if rule.namespaces and attrs.namespace not in rule.namespaces:  # "" = cluster-scoped
        return False
    if not rule.resources:
        return True
    combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    for gr in rule.resources:
        if gr.group != attrs.group:
            continue
        if not gr.resources:
            return True
        if gr.resource_names and attrs.name not in gr.resource_names:
            continue
        for res in gr.resources:
            if res in (combined, "*"):
                return True
            if attrs.subresource and res.startswith("*/") and res[2:] == attrs.subresource:
                return True
            if res.endswith("/*") and res[:-2] == attrs.resource:
                return True
    return False


def load_policy(path: str | Path) -> Policy:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise AuditPolicyError(f"failed to read file path {str(path)!r}: {exc.strerror or exc}") from None
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise AuditPolicyError(f"failed decoding file {str(path)!r}: "
                               f"{str(exc).splitlines()[0]}") from None
    if not documents:
        raise AuditPolicyError(f"file {str(path)!r} contained no data")
    try:
        policy = parse_policy(documents[0])
    except AuditPolicyError as exc:
        raise AuditPolicyError(f"loading audit policy file {str(path)!r}: {exc}") from None
    if not policy.rules:
        raise AuditPolicyError(f"loaded illegal policy with 0 rules from file {str(path)!r}")
    return policy


def parse_policy(document: object) -> Policy:
    if not isinstance(document, dict):
        raise AuditPolicyError("expected a Policy object")
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if kind != "Policy" or api_version != API_VERSION:
        raise AuditPolicyError(
            f'no kind "{kind}" is registered for version "{api_version}": use apiVersion: '
            f"{API_VERSION} with kind: Policy (audit.k8s.io/v1alpha1 and v1beta1 were removed)")
    problems: list[str] = []
    omit = _strings(document.get("omitStages"), "omitStages", problems)
    problems += _check_stages(omit, "omitStages")
    rules = []
    for i, raw in enumerate(document.get("rules") or []):
        rule = _parse_rule(raw, f"rules[{i}]", problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise AuditPolicyError("; ".join(problems))
    return Policy(rules, tuple(omit), bool(document.get("omitManagedFields", False)))


def _parse_rule(raw: object, path: str, problems: list[str]) -> PolicyRule | None:
    if not isinstance(raw, dict):
        problems.append(f"{path}: Invalid value: a rule must be an object")
        return None
    level = raw.get("level")
    if level not in LEVELS:
        problems.append(f'{path}.level: Unsupported value: "{level}": supported values: '
                        + ", ".join(f'"{lv}"' for lv in LEVELS))
    urls = _strings(raw.get("nonResourceURLs"), f"{path}.nonResourceURLs", problems)
    namespaces = _strings(raw.get("namespaces"), f"{path}.namespaces", problems)
    resources = []
    for j, gr in enumerate(raw.get("resources") or []):
        gr_path = f"{path}.resources[{j}]"
        if not isinstance(gr, dict):
            problems.append(f"{gr_path}: Invalid value: expected an object")
            continue
        names = _strings(gr.get("resourceNames"), f"{gr_path}.resourceNames", problems)
        plural = _strings(gr.get("resources"), f"{gr_path}.resources", problems)
        if names and not plural:
            problems.append(f"{gr_path}.resourceNames: Invalid value: {names}: resourceNames "
                            f"require a non-empty resource list")
        for res in plural:
            if "*" in res.replace("*/", "", 1).replace("/*", "", 1) and res != "*":
                problems.append(f'{gr_path}.resources: Invalid value: "{res}": wildcards are '
                                f'"*", "*/subresource" and "resource/*"')
        resources.append(GroupResources(str(gr.get("group") or ""), tuple(plural), tuple(names)))
    if urls and (resources or namespaces):
        problems.append(f"{path}.nonResourceURLs: Invalid value: rules cannot apply to both "
                        f"regular resources and non-resource URLs")
    for url in urls:
        if "*" in url.rstrip("*") or not (url.startswith("/") or url == "*"):
            problems.append(f'{path}.nonResourceURLs: Invalid value: "{url}": a path starting '
                            f'with "/", with "*" only at its end')
    omit = _strings(raw.get("omitStages"), f"{path}.omitStages", problems)
    problems += _check_stages(omit, f"{path}.omitStages")
    managed = raw.get("omitManagedFields")
    return PolicyRule(
        level=str(level), users=tuple(_strings(raw.get("users"), f"{path}.users", problems)),
        user_groups=tuple(_strings(raw.get("userGroups"), f"{path}.userGroups", problems)),
        verbs=tuple(_strings(raw.get("verbs"), f"{path}.verbs", problems)),
        resources=tuple(resources), namespaces=tuple(namespaces), non_resource_urls=tuple(urls),
        omit_stages=tuple(omit), omit_managed_fields=None if managed is None else bool(managed))


def _strings(value: object, path: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{path}: Invalid value: must be a list of strings")
        return []
    return list(value)


def _check_stages(stages: list[str], path: str) -> list[str]:
    return [f'{path}: Unsupported value: "{s}": supported values: '
            + ", ".join(f'"{st}"' for st in STAGES) for s in stages if s not in STAGES]


# ----------------------------------------------------------------------- the events
def request_verb(method: str, resource_request: bool, has_name: bool, watch: bool) -> str:
    """The verb as upstream's RequestInfo names it."""
    if not resource_request:
        return method.lower()
    if method in ("GET", "HEAD"):
        if watch:
            return "watch"
        return "get" if has_name else "list"
    if method == "DELETE":
        return "delete" if has_name else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())


def is_long_running(attrs: Attributes) -> bool:
    return attrs.verb in LONG_RUNNING_VERBS or (
        attrs.resource_request and attrs.subresource in LONG_RUNNING_SUBRESOURCES)


def timestamp(when: float) -> str:
    """RFC 3339 with microseconds, as audit events carry their times."""
    return datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_user(user: dict | None) -> dict:
    """A user as authentication.k8s.io/v1 UserInfo."""
    if not user:
        return {}
    out: dict = {"username": user.get("name", "")}
    if user.get("uid"):
        out["uid"] = user["uid"]
    if user.get("groups"):
        out["groups"] = list(user["groups"])
    if user.get("extra"):
        out["extra"] = user["extra"]
    return out


@dataclass
class AuditEvent:
    """One request's audit state; `build(stage, now)` gives the event for a stage."""
    audit_id: str
    config: RequestAuditConfig
    attrs: Attributes
    request_uri: str
    received: float
    source_ips: list[str] = field(default_factory=list)
    user_agent: str = ""
    api_version: str = ""
    impersonated_user: dict | None = None
    object_meta: dict = field(default_factory=dict)  # uid / resourceVersion from the body
    response_status: dict | None = None
    request_object: object = None
    response_object: object = None
    annotations: dict[str, str] = field(default_factory=dict)

    def object_ref(self) -> dict | None:
        attrs = self.attrs
        if not attrs.resource_request:
            return None
        ref: dict = {"resource": attrs.resource}
        if attrs.namespace:
            ref["namespace"] = attrs.namespace
        name = attrs.name or self.object_meta.get("name", "")
        if name:
            ref["name"] = name
        if self.object_meta.get("uid"):
            ref["uid"] = self.object_meta["uid"]
        if attrs.group:
            ref["apiGroup"] = attrs.group
        if self.api_version:
            ref["apiVersion"] = self.api_version
        if self.object_meta.get("resourceVersion"):
            ref["resourceVersion"] = self.object_meta["resourceVersion"]
        if attrs.subresource:
            ref["subresource"] = attrs.subresource
        return ref

    def build(self, stage: str, now: float) -> dict:
        event: dict = {"kind": "Event", "apiVersion": API_VERSION, "level": self.config.level,
                       "auditID": self.audit_id, "stage": stage,
                       "requestURI": self.request_uri, "verb": self.attrs.verb,
                       "user": event_user(self.attrs.user)}
        if self.impersonated_user:
            event["impersonatedUser"] = event_user(self.impersonated_user)
        if self.source_ips:
            event["sourceIPs"] = self.source_ips
        if self.user_agent:
            event["userAgent"] = self.user_agent
        ref = self.object_ref()
        if ref is not None:
            event["objectRef"] = ref
        if stage != "RequestReceived" and self.response_status is not None:
            event["responseStatus"] = self.response_status
        level = self.config.level
        if level_at_least(level, "Request") and self.request_object is not None:
            event["requestObject"] = self._trim(self.request_object)
        if level_at_least(level, "RequestResponse") and self.response_object is not None \
                and stage == "ResponseComplete":
            event["responseObject"] = self._trim(self.response_object)
        event["requestReceivedTimestamp"] = timestamp(self.received)
        event["stageTimestamp"] = timestamp(now)
        if self.annotations:
            event["annotations"] = dict(self.annotations)
        return event

    def _trim(self, obj: object) -> object:
        if not self.config.omit_managed_fields or not isinstance(obj, dict):
            return obj
        return omit_managed_fields(obj)


def omit_managed_fields(obj: dict) -> dict:
    """A copy without metadata.managedFields (and so for each item of a list)."""
    out = dict(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        out["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    if isinstance(out.get("items"), list):
        out["items"] = [omit_managed_fields(i) if isinstance(i, dict) else i for i in out["items"]]
    return out


def response_status(code: int, body: object) -> dict:
    """responseStatus: the bounded fields of a Status body, or just the code."""
    status: dict = {"metadata": {}}
    if isinstance(body, dict) and body.get("kind") == "Status":
        for key in ("status", "message", "reason", "details"):
            if body.get(key):
                status[key] = body[key]
    status["code"] = code
    return status
