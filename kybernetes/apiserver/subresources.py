# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Subresources other than status: scale, binding, eviction, finalize, approval, and the
node-facing ones (log, exec, attach, portforward, proxy) that later reach the kubelet."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from kybernetes.api import selectors
from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import codec, errors, patch as patches
from kybernetes.apiserver.handlers import PATCH_TYPES, field_manager, is_dry_run, json_response
from kybernetes.apiserver.objects import now_rfc3339
from kybernetes.apiserver.requestinfo import RequestInfo

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer


class Subresources:
    def __init__(self, server: "APIServer") -> None:
        self.server = server
        self.objects = server.objects
        # log/exec/attach/portforward/proxy handlers; empty until a node proxy is plugged in
        self.node_handlers: dict[str, object] = {}

    async def handle(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.StreamResponse:
        sub = rt.subresource(info.subresource)
        if sub is None or not info.name:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        key = (rt.group, rt.kind, info.subresource)
        if key == ("", "Pod", "binding"):
            return await self.binding(request, info, rt)
        if key == ("", "Pod", "eviction"):
            return await self.eviction(request, info, rt)
        if info.subresource in ("finalize", "approval"):
            if request.method == "GET" and info.subresource == "approval":
                return json_response(await self.objects.get(rt, info.namespace, info.name))
            if request.method != "PUT":
                raise errors.method_not_allowed()
            return await self.server.resources.update(request, info, rt)
        if info.subresource == "ephemeralcontainers":
            if request.method == "GET":
                return json_response(await self.objects.get(rt, info.namespace, info.name))
            return await self.server.resources.patch(request, info, rt) \
                if request.method == "PATCH" else await self.server.resources.update(request, info, rt)
        if key == ("", "ServiceAccount", "token"):
            from kybernetes.apiserver.authn.tokenrequest import create_token
            return await create_token(self.server, request, info.namespace, info.name)
        handler = self.node_handlers.get(info.subresource)
        if handler is None:
            obj = await self.objects.get(rt, info.namespace, info.name)
            if rt.kind == "Pod" and not (obj.get("spec") or {}).get("nodeName"):
                raise errors.bad_request(f"pod {info.name} does not have a host assigned")
            raise errors.ApiError(503, "ServiceUnavailable",
                                  f"no node agent is serving {info.subresource} on this server")
        return await handler(request, info, rt)  # type: ignore[operator]

    # ---------------------------------------------------------------- scale
    async def scale(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        if rt.subresource("scale") is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        if request.method == "GET":
            parent = await self.objects.get(rt, info.namespace, info.name)
            return json_response(build_scale(rt, parent))
        if request.method not in ("PUT", "PATCH"):
            raise errors.method_not_allowed()
        body = await self.server.resources.read_body(request)
        content_type = request.headers.get("Content-Type", "")
        decoded = codec.decode_body(body, content_type)
        patch_type = PATCH_TYPES.get(codec.media_type(content_type)) if request.method == "PATCH" else None
        if request.method == "PATCH" and patch_type is None:
            raise errors.ApiError(415, "UnsupportedMediaType",
                                  f"the server does not support {content_type}")

        def mutate(current: dict | None) -> dict:
            scale = build_scale(rt, current)
            if request.method == "PUT":
                wanted = decoded
                if not isinstance(wanted, dict):
                    raise errors.bad_request("the body must be a Scale object")
                body_rv = (wanted.get("metadata") or {}).get("resourceVersion")
                if body_rv and body_rv != current["metadata"].get("resourceVersion"):
                    raise errors.conflict(rt, info.name, errors.MODIFIED)
            else:
                try:
                    if patch_type == "json":
                        wanted = patches.json_patch(scale, decoded)
                    elif patch_type == "merge":
                        wanted = patches.merge_patch(scale, decoded)
                    else:
                        wanted = patches.strategic_merge_patch(scale, decoded, None)
                except patches.PatchError as exc:
                    raise errors.PrebuiltStatusError(exc.status()) from None
            replicas = (wanted.get("spec") or {}).get("replicas", 0)
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise errors.ApiError(
                    422, "Invalid", f'Scale.autoscaling "{info.name}" is invalid: spec.replicas: '
                    f'Invalid value: {replicas}: must be greater than or equal to 0',
                    name=info.name, group="autoscaling", kind="Scale",
                    causes=[{"reason": "FieldValueInvalid", "field": "spec.replicas",
                             "message": f"Invalid value: {replicas}: must be greater than or equal to 0"}])
            current.setdefault("spec", {})["replicas"] = replicas
            current["metadata"].pop("resourceVersion", None)
            return current
        result, _ = await self.objects.update(
            rt, info.namespace, info.name, mutate, manager=field_manager(request),
            subresource="scale", dry_run=is_dry_run(request), user=request.get("user"))
        return json_response(build_scale(rt, result))

    # ---------------------------------------------------------------- binding
    async def binding(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        if request.method != "POST":
            raise errors.method_not_allowed()
        body = await self.server.resources.read_body(request)
        binding = codec.decode_body(body, request.headers.get("Content-Type", ""))
        return await self.bind(request, rt, info.namespace, info.name, binding)

    async def bind(self, request: web.Request, rt: ResourceType, namespace: str | None,
                   name: str, binding: object) -> web.Response:
        if not isinstance(binding, dict) or not (binding.get("target") or {}).get("name"):
            raise errors.ApiError(
                422, "Invalid", f'Binding "{name}" is invalid: target.name: Required value',
                name=name, kind="Binding",
                causes=[{"reason": "FieldValueRequired", "field": "target.name",
                         "message": "Required value"}])
        node = binding["target"]["name"]
        annotations = (binding.get("metadata") or {}).get("annotations") or {}

        def assign(pod: dict | None) -> dict:
            spec = pod.setdefault("spec", {})
            if pod["metadata"].get("deletionTimestamp"):
                raise errors.conflict(rt, name, f"pod {name} is being deleted, cannot be assigned to a host")
            if spec.get("nodeName"):
                raise errors.ApiError(
                    409, "Conflict", f'Operation cannot be fulfilled on pods/binding "{name}": '
                    f'pod {name} is already assigned to node "{spec["nodeName"]}"',
                    name=name, kind="pods/binding")
            spec["nodeName"] = node
            if annotations:
                pod["metadata"].setdefault("annotations", {}).update(annotations)
            status = pod.setdefault("status", {})
            conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
            conditions.append({"type": "PodScheduled", "status": "True",
                               "lastProbeTime": None, "lastTransitionTime": now_rfc3339()})
            status["conditions"] = conditions
            return pod
        await self.objects.update(rt, namespace, name, assign, manager=field_manager(request),
                                  subresource="binding", dry_run=is_dry_run(request),
                                  user=request.get("user"))
        return json_response(errors.success_status(code=201), 201)

    # ---------------------------------------------------------------- eviction
    async def eviction(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        if request.method != "POST":
            raise errors.method_not_allowed()
        body = await self.server.resources.read_body(request)
        eviction = codec.decode_body(body, request.headers.get("Content-Type", "")) if body.strip() else {}
        if not isinstance(eviction, dict):
            raise errors.bad_request("the body must be an Eviction object")
        named = (eviction.get("metadata") or {}).get("name")
        if named and named != info.name:
            raise errors.bad_request("name in URL does not match name in Eviction object")
        options = dict(eviction.get("deleteOptions") or {})
        pod = await self.objects.get(rt, info.namespace, info.name)
        phase = (pod.get("status") or {}).get("phase")
        if phase not in ("Succeeded", "Failed", "Pending") and not pod["metadata"].get("deletionTimestamp"):
            await self._take_disruption(pod)
            options.setdefault("preconditions", {})["resourceVersion"] = pod["metadata"]["resourceVersion"]
        await self.objects.delete(rt, info.namespace, info.name, options, user=request.get("user"))
        return json_response(errors.success_status(code=201), 201)

    async def _take_disruption(self, pod: dict) -> None:
        """As upstream's eviction: the pod's one PodDisruptionBudget must allow a
        disruption, which this eviction takes (status.disruptionsAllowed - 1 and the pod in
        disruptedPods) with compare-and-swap before the pod is deleted."""
        pdb_rt = self.server.registry.by_kind("policy", "v1", "PodDisruptionBudget")
        namespace = pod["metadata"]["namespace"]
        items, _, _, _ = await self.objects.list(pdb_rt, namespace)
        labels = pod["metadata"].get("labels") or {}
        matching = []
        for item in items:
            selector = (item.obj.get("spec") or {}).get("selector")
            if not selector:  # a nil or empty selector selects nothing here, as upstream
                continue
            if selectors.selector_from_label_selector_object(selector).matches(labels):
                matching.append(item.obj)
        if not matching:
            return
        if len(matching) > 1:
            raise errors.internal("This pod has more than one PodDisruptionBudget, which the "
                                  "eviction subresource does not support.")
        name = matching[0]["metadata"]["name"]
        pod_name = pod["metadata"]["name"]
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in (pod.get("status") or {}).get("conditions") or [])

        def take(current: dict | None) -> dict:
            if current is None:
                raise errors.not_found(pdb_rt, name)
            status = current.setdefault("status", {})
            if status.get("observedGeneration", 0) < current["metadata"].get("generation", 1):
                raise errors.ApiError(
                    429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                    "disruption budget.", retry_after=10,
                    causes=[{"reason": "DisruptionBudget", "message":
                             f"The disruption budget {name} is still being processed by the server."}])
            allowed = status.get("disruptionsAllowed", 0)
            if allowed < 0:
                raise errors.forbidden("pdb disruptions allowed is negative")
            if len(status.get("disruptedPods") or {}) > 2000:
                raise errors.forbidden("DisruptedPods map too big - too many evictions not confirmed by PDB controller")
            if not ready and status.get("currentHealthy", 0) >= status.get("desiredHealthy", 0) > 0:
                return current  # an unhealthy pod may go without using the budget
            if allowed <= 0:
                raise errors.ApiError(
                    429, "TooManyRequests",
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                    causes=[{"reason": "DisruptionBudget", "message":
                             f"The disruption budget {name} needs "
                             f"{status.get('desiredHealthy', 0)} healthy pods and has "
                             f"{status.get('currentHealthy', 0)} currently"}])
            status["disruptionsAllowed"] = allowed - 1
            status.setdefault("disruptedPods", {})[pod_name] = now_rfc3339()
            return current
        await self.objects.update(pdb_rt, namespace, name, take, manager="kube-apiserver",
                                  subresource="status")


def build_scale(rt: ResourceType, parent: dict) -> dict:
    meta = parent["metadata"]
    spec, status = parent.get("spec") or {}, parent.get("status") or {}
    selector = spec.get("selector")
    if rt.kind == "ReplicationController":
        text = ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items()))
    elif rt.custom:
        text = status.get("selector", "")
    else:
        text = selectors.label_selector_to_string(selector or {}) if selector else ""
    scale_meta = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                        "creationTimestamp") if k in meta}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": scale_meta,
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0), "selector": text}}
