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
            if not spec.get("user") and not spec.get("groups"):
                raise _invalid_review(rt, "spec.user,spec.groups", "null",
                                      "at least one of user or group must be specified")
            subject = {"name": spec.get("user", ""), "groups": spec.get("groups") or []}
            if spec.get("uid"):
                subject["uid"] = spec["uid"]
            if spec.get("extra"):
                subject["extra"] = spec["extra"]
        attrs = spec.get("resourceAttributes")
        if bool(attrs) == bool(spec.get("nonResourceAttributes")):
            raise _invalid_review(rt, "spec.resourceAttributes", "null", "exactly one of "
                                  "nonResourceAttributes or resourceAttributes must be specified")
        if rt.kind == "LocalSubjectAccessReview" and attrs:
            if attrs.get("namespace") != info.namespace:
                raise _invalid_review(rt, "spec.resourceAttributes.namespace",
                                      attrs.get("namespace") or "", "must match metadata.namespace")
        review["status"] = self.server.authorizer.review(
            subject, attrs, spec.get("nonResourceAttributes"))
        review.setdefault("metadata", {})["creationTimestamp"] = None
        return json_response(review, 201)

    async def rules_review(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        review = await self._review_body(request, rt)
        namespace = (review.get("spec") or {}).get("namespace", "")
        resource_rules, non_resource_rules, problems = self.server.authorizer.rules_review(
            request.get("user") or {}, namespace)
        review["status"] = {"resourceRules": resource_rules,
                            "nonResourceRules": non_resource_rules, "incomplete": bool(problems)}
        if problems:
            review["status"]["evaluationError"] = ", ".join(problems)
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
        spec = review.get("spec") or {}
        token, audiences = spec.get("token", ""), spec.get("audiences") or []
        if not token:
            raise errors.bad_request("token is required for TokenReview in authentication.k8s.io")
        found = await self.server.authenticator.authenticate_token(token, audiences)
        review["status"] = {"authenticated": bool(found)}
        if found:
            user, matched = found
            review["status"]["user"] = {k: v for k, v in (
                ("username", user["name"]), ("uid", user.get("uid")),
                ("groups", user.get("groups")), ("extra", user.get("extra"))) if v}
            review["status"]["audiences"] = matched
        else:
            review["status"]["error"] = "invalid bearer token"
            review["status"]["user"] = {}
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


def _invalid_review(rt: ResourceType, field: str, value: str, why: str) -> errors.ApiError:
    cause = {"reason": "FieldValueInvalid", "message": f'Invalid value: "{value}": {why}',
             "field": field}
    return errors.invalid(rt, "", [cause])


def _component(name: str, condition: dict) -> dict:
    return {"kind": "ComponentStatus", "apiVersion": "v1",
            "metadata": {"name": name, "creationTimestamp": None}, "conditions": [condition]}
