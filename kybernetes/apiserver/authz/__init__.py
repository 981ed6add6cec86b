# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Authorization: `--authorization-mode` (AlwaysAllow, AlwaysDeny, Node, RBAC) as a union
of authorizers, asked in order until one allows or denies; system:masters is allowed
first, as kube-apiserver's privileged-group authorizer does. Also the request filter
(impersonation, then the decision) and the answers to access reviews."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from kybernetes.apiserver.audit_http import annotate
from kybernetes.apiserver.authz.attributes import (ALLOW, DENY, NO_OPINION, Attributes, Decision,
                                                   forbidden_error, from_request, from_review)
from kybernetes.apiserver.authz.impersonation import impersonate

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

log = logging.getLogger("kybernetes.authz")
MODES = ("AlwaysAllow", "AlwaysDeny", "Node", "RBAC")
MASTERS = "system:masters"
ALL_RESOURCES = {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
ALL_URLS = {"verbs": ["*"], "nonResourceURLs": ["*"]}
_CONNECT_SUBRESOURCES = ("exec", "attach", "portforward")


class Authorizer(Protocol):
    def authorize(self, user: dict, attrs: Attributes) -> Decision: ...
    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]: ...


class _Privileged:
    def authorize(self, user: dict, attrs: Attributes) -> Decision:
        return Decision(ALLOW) if MASTERS in (user.get("groups") or ()) else Decision(NO_OPINION)

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]:
        if MASTERS in (user.get("groups") or ()):
            return [ALL_RESOURCES, ALL_URLS], []
        return [], []


class _Always:
    def __init__(self, decision: str) -> None:
        self.decision = decision

    def authorize(self, user: dict, attrs: Attributes) -> Decision:
        return Decision(self.decision)

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]:
        return ([ALL_RESOURCES, ALL_URLS] if self.decision == ALLOW else []), []


def parse_modes(text: str) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes:
        raise ValueError("--authorization-mode: at least one mode is required")
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f'--authorization-mode: unknown authorization mode "{mode}" '
                             f'(supported: {", ".join(MODES)})')
    if len(set(modes)) != len(modes):
        raise ValueError(f"--authorization-mode: {text!r} names a mode more than once")
    return modes


class Authorization:
    """The server's authorizer chain."""

    def __init__(self, server: "APIServer | None", modes: str = "AlwaysAllow") -> None:
        self.server = server
        self.modes = parse_modes(modes)
        self.chain: list = [_Privileged()]
        self.rbac = None
        self.node = None
        for mode in self.modes:
            if mode == "AlwaysAllow":
                self.chain.append(_Always(ALLOW))
            elif mode == "AlwaysDeny":
                self.chain.append(_Always(DENY))
            elif mode == "Node":
                from kybernetes.apiserver.authz.node import NodeAuthorizer
                from kybernetes.apiserver.authz.policy import node_rules
                self.node = NodeAuthorizer(server, node_rules())
                self.chain.append(self.node)
            elif mode == "RBAC":
                from kybernetes.apiserver.authz.rbac_authorizer import RBACAuthorizer
                self.rbac = RBACAuthorizer(server)
                self.chain.append(self.rbac)

    @property
    def always_allow(self) -> bool:
        return self.modes == ["AlwaysAllow"]

    async def start(self) -> None:
        """After the watch caches run: index them, then write the default policy."""
        for part in (self.node, self.rbac):
            if part is not None:
                part.start()
        if self.rbac is not None:
            from kybernetes.apiserver.authz.reconcile import reconcile_policy
            await reconcile_policy(self.server)

    def stop(self) -> None:
        for part in (self.node, self.rbac):
            if part is not None:
                part.stop()

    # ---- decisions
    def authorize(self, user: dict, attrs: Attributes) -> Decision:
        reasons = []
        for authorizer in self.chain:
            decision = authorizer.authorize(user, attrs)
            if decision.decision in (ALLOW, DENY):
                return decision
            if decision.reason:
                reasons.append(decision.reason)
        return Decision(NO_OPINION, ", ".join(reasons))

    def authorize_attributes(self, user: dict, resource_attributes: dict | None,
                             non_resource_attributes: dict | None) -> tuple[bool, str]:
        """For SubjectAccessReview and friends: (allowed, reason)."""
        decision = self.authorize(user, from_review(resource_attributes, non_resource_attributes))
        return decision.allowed, decision.reason

    def review(self, user: dict, resource_attributes: dict | None,
               non_resource_attributes: dict | None) -> dict:
        """The status of an access review: allowed, denied, reason."""
        decision = self.authorize(user, from_review(resource_attributes, non_resource_attributes))
        status: dict = {"allowed": decision.allowed}
        if decision.decision == DENY:
            status["denied"] = True
        if decision.reason:
            status["reason"] = decision.reason
        return status

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[dict]]:
        resource_rules, url_rules, _ = self.rules_review(user, namespace)
        return resource_rules, url_rules

    def rules_review(self, user: dict, namespace: str) -> tuple[list[dict], list[dict], list[str]]:
        """(resource rules, non-resource rules, evaluation errors) as a
        SelfSubjectRulesReview reports them."""
        resource_rules: list[dict] = []
        url_rules: list[dict] = []
        problems: list[str] = []
        for authorizer in self.chain:
            rules, errors_found = authorizer.rules_for(user, namespace)
            problems.extend(errors_found)
            for rule in rules:
                if rule.get("nonResourceURLs"):
                    url_rules.append({"verbs": list(rule.get("verbs") or []),
                                      "nonResourceURLs": list(rule["nonResourceURLs"])})
                elif rule.get("resources"):
                    out = {"verbs": list(rule.get("verbs") or []),
                           "apiGroups": list(rule.get("apiGroups") or []),
                           "resources": list(rule.get("resources") or [])}
                    if rule.get("resourceNames"):
                        out["resourceNames"] = list(rule["resourceNames"])
                    resource_rules.append(out)
        return resource_rules, url_rules, problems

    # ---- the request filter
    def filter(self, request: web.Request) -> dict:
        """Impersonation, then authorization of the request; returns the user the
        request runs as, or raises the 403."""
        user = request["user"]
        # every request drains the indexes' pending events, so none pile up while only
        # system:masters (decided before any index is read) is talking
        for part in (self.node, self.rbac):
            if part is not None:
                part.sync()
        as_user = impersonate(user, request.headers, self.authorize)
        if as_user is not None:
            request["impersonator"] = user
            user = request["user"] = as_user
        if self.always_allow:
            return user
        attrs = from_request(request.method, request.path, request.query)
        decision = self.authorize(user, attrs)
        annotate(request, "authorization.k8s.io/decision", "allow" if decision.allowed else "forbid")
        annotate(request, "authorization.k8s.io/reason", decision.reason or "")  # "" as upstream
        if not decision.allowed:
            raise forbidden_error(user.get("name", ""), attrs, decision.reason)
        if attrs.verb == "get" and attrs.resource == "pods" and \
                attrs.subresource in _CONNECT_SUBRESOURCES:
            # a websocket upgrade (GET) to exec/attach/portforward needs `create` too, as
            # 1.32 checks (AuthorizePodWebsocketUpgradeCreatePermission)
            attrs.verb = "create"
            decision = self.authorize(user, attrs)
            if not decision.allowed:
                raise forbidden_error(user.get("name", ""), attrs, decision.reason)
        return user


def admission_plugins(server: "APIServer") -> list:
    """Write-path checks RBAC needs: escalation prevention on roles and bindings."""
    from kybernetes.apiserver.authz.escalation import EscalationCheck
    authorization = getattr(server, "authorizer", None)
    if authorization is None or authorization.rbac is None:
        return []
    return [EscalationCheck(authorization)]


__all__ = ["Authorization", "Attributes", "Decision", "parse_modes", "admission_plugins",
           "ALLOW", "DENY", "NO_OPINION"]
