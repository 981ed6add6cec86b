# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Kinds that are answered, not stored: access reviews, `whoami`, Binding, ComponentStatus."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from aiohttp import web

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import codec, errors
from kybernetes.apiserver.handlers import json_response
from kybernetes.apiserver.requestinfo import RequestInfo

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

LEADER_LEASE_GRACE = 60  # seconds a component's leader lease may go unrenewed and count as healthy


class VirtualKinds(dict):
    """kind -> handler(request, info, rt)."""

    def __init__(self, server: "APIServer") -> None:
        super().__init__()
        self.server = server
        for kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview"):
            self[kind] = self.access_review
        self["SelfSubjectRulesReview"] = self.rules_review
        self["SelfSubjectReview"] = self.self_subject_review
        self["TokenReview"] = self.token_review
        self["Binding"] = self.binding
        self["ComponentStatus"] = self.component_status

    async def _review_body(self, request: web.Request, rt: ResourceType) -> dict:
        if request.method != "POST" or request.match_info.get("name"):
            raise errors.method_not_allowed()
        body, _ = await self.server.resources.decode_object(request, rt)
        return body

    async def access_review(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        review = await self._review_body(request, rt)
        spec = review.get("spec") or {}
        user = request.get("user") or {}
        if rt.kind == "SelfSubjectAccessReview":
            subject = user
        else:
            subject = {"name": spec.get("user", ""), "groups": spec.get("groups") or []}
        attrs = spec.get("resourceAttributes") or {}
        if rt.kind == "LocalSubjectAccessReview":
            if attrs.get("namespace") not in (None, "", info.namespace):
                raise errors.bad_request("spec.resourceAttributes.namespace must match the request namespace")
            attrs = dict(attrs, namespace=info.namespace)
        allowed, reason = self.server.authorizer.authorize_attributes(
            subject, attrs, spec.get("nonResourceAttributes"))
        review["status"] = {"allowed": allowed}
        if reason:
            review["status"]["reason"] = reason
        review.setdefault("metadata", {})["creationTimestamp"] = None
        return json_response(review, 201)

    async def rules_review(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        review = await self._review_body(request, rt)
        namespace = (review.get("spec") or {}).get("namespace", "")
        resource_rules, non_resource_rules = self.server.authorizer.rules_for(
            request.get("user") or {}, namespace)
        review["status"] = {"resourceRules": resource_rules,
                            "nonResourceRules": non_resource_rules, "incomplete": False}
        review.setdefault("metadata", {})["creationTimestamp"] = None
        return json_response(review, 201)

    async def self_subject_review(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        review = await self._review_body(request, rt)
        user = request.get("user") or {}
        info_out = {"username": user.get("name", "")}
        if user.get("uid"):
            info_out["uid"] = user["uid"]
        if user.get("groups"):
            info_out["groups"] = user["groups"]
        if user.get("extra"):
            info_out["extra"] = user["extra"]
        review["status"] = {"userInfo": info_out}
        review.setdefault("metadata", {})["creationTimestamp"] = None
        return json_response(review, 201)

    async def token_review(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        review = await self._review_body(request, rt)
        token = (review.get("spec") or {}).get("token", "")
        user = await self.server.authenticator.authenticate_token(token) if token else None
        review["status"] = {"authenticated": bool(user)}
        if user:
            review["status"]["user"] = {"username": user["name"], "groups": user.get("groups", [])}
        review.setdefault("metadata", {})["creationTimestamp"] = None
        return json_response(review, 201)

    async def binding(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        if request.method != "POST" or info.name:
            raise errors.method_not_allowed()
        body = await self.server.resources.read_body(request)
        binding = codec.decode_body(body, request.headers.get("Content-Type", ""))
        if not isinstance(binding, dict):
            raise errors.bad_request("the body must be a Binding object")
        name = (binding.get("metadata") or {}).get("name", "")
        pods = self.server.registry.by_kind("", "v1", "Pod")
        return await self.server.subresources.bind(request, pods, info.namespace, name, binding)

    async def component_status(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        if request.method != "GET":
            raise errors.method_not_allowed()
        statuses = await self.statuses()
        if info.name:
            statuses = [s for s in statuses if s["metadata"]["name"] == info.name]
            if not statuses:
                raise errors.not_found(rt, info.name)
        if codec.wants_table(request.headers.get("Accept", "")):
            return json_response(self.server.table_printer(rt).table(
                statuses, request.query.get("includeObject", "Metadata")))
        if info.name:
            return json_response(statuses[0])
        return json_response({"kind": "ComponentStatusList", "apiVersion": "v1",
                              "metadata": {}, "items": statuses})

    async def statuses(self) -> list[dict]:
        """scheduler and controller-manager are healthy while their leader lease is
        fresh; each store member answers for itself."""
        leases = self.server.registry.by_kind("coordination.k8s.io", "v1", "Lease")
        items = []
        now = datetime.now(timezone.utc)
        for component, lease_name in (("scheduler", "kube-scheduler"),
                                      ("controller-manager", "kube-controller-manager")):
            cached = await self.server.objects.get_cached(leases, "kube-system", lease_name)
            renew = ((cached.obj.get("spec") or {}).get("renewTime") if cached else None) or ""
            healthy = False
            if renew:
                try:
                    stamp = datetime.fromisoformat(renew.replace("Z", "+00:00"))
                    healthy = (now - stamp).total_seconds() < LEADER_LEASE_GRACE
                except ValueError:
                    healthy = False
            condition = {"type": "Healthy", "status": "True" if healthy else "False"}
            if healthy:
                condition["message"] = "ok"
            else:
                condition["error"] = f"no {component} holds the {lease_name} lease"
            items.append(_component(component, condition))
        for name, healthy, message in await self.server.store_health():
            condition = {"type": "Healthy", "status": "True" if healthy else "False"}
            condition["message" if healthy else "error"] = message
            items.append(_component(name, condition))
        return items


def _component(name: str, condition: dict) -> dict:
    return {"kind": "ComponentStatus", "apiVersion": "v1",
            "metadata": {"name": name, "creationTimestamp": None}, "conditions": [condition]}
