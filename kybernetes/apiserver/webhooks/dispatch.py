# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Calling the webhooks a request matches, as kube-apiserver's MutatingAdmissionWebhook
and ValidatingAdmissionWebhook plugins do.

Mutating webhooks run one after another (configurations by name); each JSONPatch is
applied to the object in the version the webhook matched, defaults are applied again,
and the object is validated again at the end as if the user had sent it. A webhook
with reinvocationPolicy IfNeeded is called a second time (once) when a webhook after
it changed the object. Validating webhooks run concurrently on the final object; the
first refusal in configuration order wins.

A webhook that cannot be called (unreachable, timed out, a bad answer) refuses the
request with 500 under failurePolicy Fail; under Ignore the request goes on and the
audit log notes it. A dry-run request is refused with 400 by a webhook whose
sideEffects are not None/NoneOnDryRun. CONNECT requests (exec, attach, port-forward)
do not pass through admission in kybernetes and are not sent to webhooks."""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import errors
from kybernetes.apiserver import patch as patches
from kybernetes.apiserver.conversion import from_storage, to_storage
from kybernetes.apiserver.webhooks import client, endpoints, review, rules
from kybernetes.apiserver.webhooks.configurations import (MUTATING_KIND, VALIDATING_KIND,
                                                          ConfigurationSource, Webhook)

if TYPE_CHECKING:
    from kybernetes.apiserver.admission import AdmissionRequest
    from kybernetes.apiserver.objects import Objects

log = logging.getLogger("kybernetes.apiserver.webhooks")

# server-owned metadata a webhook's patch cannot change (upstream sets or checks these
# after mutating admission)
_KEPT_METADATA = ("uid", "creationTimestamp", "namespace", "resourceVersion", "generation",
                  "deletionTimestamp", "deletionGracePeriodSeconds")


class _CallError(Exception):
    """A webhook could not be called: failurePolicy decides (text after the name)."""


@dataclass
class _Invocation:
    webhook: Webhook
    target: rules.Target  # as the webhook's rules matched it
    target_rt: ResourceType


def _deep_copy(obj: dict | None) -> dict | None:
    return None if obj is None else orjson.loads(orjson.dumps(obj))


class WebhookDispatcher:
    def __init__(self, objects: "Objects") -> None:
        self.objects = objects
        self.registry = objects.registry
        self.mutating = ConfigurationSource(objects, MUTATING_KIND)
        self.validating = ConfigurationSource(objects, VALIDATING_KIND)

    # ------------------------------------------------------------------ phases
    async def mutate(self, request: "AdmissionRequest") -> None:
        if rules.is_exempt(request.rt.group, request.rt.plural):
            return
        hooks = self.mutating.webhooks()
        if not hooks:
            return
        invoked_if_needed: list[int] = []
        reinvoke: set[int] = set()
        changed_any = False
        for index, webhook in enumerate(hooks):
            called, changed = await self._mutate_once(request, webhook, 0, index)
            if changed:
                changed_any = True
                reinvoke.update(invoked_if_needed)
            if called and webhook.get("reinvocationPolicy") == "IfNeeded":
                invoked_if_needed.append(index)
        for index in sorted(reinvoke):
            _, changed = await self._mutate_once(request, hooks[index], 1, index)
            changed_any = changed_any or changed
        if changed_any and request.obj is not None:
            # the patched object must be as valid as if the user had sent it
            self.objects.validate(request.rt, request.obj, request.old, request.subresource)

    async def validate(self, request: "AdmissionRequest") -> None:
        if rules.is_exempt(request.rt.group, request.rt.plural):
            return
        hooks = self.validating.webhooks()
        if not hooks:
            return
        invocations = []
        for index, webhook in enumerate(hooks):
            try:
                invocation = await self._invocation(request, webhook)
            except _CallError as exc:
                self._fail_or_ignore(request, webhook, str(exc),
                                     review.VALIDATING_FAILED_OPEN.format(index=index))
                continue
            if invocation is not None:
                invocations.append((index, invocation))
        if not invocations:
            return
        results = await asyncio.gather(
            *(self._validate_one(request, invocation, index) for index, invocation in invocations),
            return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    # ------------------------------------------------------------------ matching
    async def _invocation(self, request: "AdmissionRequest", webhook: Webhook) -> _Invocation | None:
        rt = request.rt
        target = rules.matching_target(webhook.hook, _operation(request), rt,
                                       request.subresource, self.registry)
        if target is None:
            return None
        namespace = self._namespace_of(request)
        selector = webhook.get("namespaceSelector")
        if selector and rules.namespace_selector_applies(rt, namespace):
            labels = rules.namespace_labels_from_request(rt, request.operation, request.obj,
                                                         request.old)
            if labels is None:
                labels = await self._namespace_labels(namespace)
            if not rules.selector_matches(selector, labels):
                return None
        if not rules.object_selector_matches(webhook.get("objectSelector"), request.obj,
                                             request.old):
            return None
        if webhook.get("matchConditions"):
            raise _CallError("failed evaluating match conditions: CEL matchConditions are not "
                             "supported by this server")
        target_rt = self.registry.by_resource(target.group, target.version, target.resource) or rt
        return _Invocation(webhook, target, target_rt)

    @staticmethod
    def _namespace_of(request: "AdmissionRequest") -> str:
        if not request.rt.namespaced:
            return ""
        source = request.obj if request.obj is not None else request.old
        return ((source or {}).get("metadata") or {}).get("namespace") or ""

    async def _namespace_labels(self, namespace: str) -> dict:
        ns_rt = self.registry.by_kind("", "v1", "Namespace")
        cached = self.objects.cache(ns_rt).get(self.objects.key(ns_rt, None, namespace))
        if cached is None:
            cached = await self.objects.get_cached(ns_rt, None, namespace)
        if cached is None:
            raise errors.internal(f'namespaces "{namespace}" not found')
        return (cached.obj.get("metadata") or {}).get("labels") or {}

    # ------------------------------------------------------------------ one call
    def _fail_or_ignore(self, request: "AdmissionRequest", webhook: Webhook, why: str,
                        failed_open_key: str) -> None:
        if webhook.get("failurePolicy", "Fail") == "Ignore":
            log.warning("failed calling webhook, failing open %s: %s", webhook.name, why)
            request.audit_annotations.setdefault(failed_open_key, webhook.name)
            return
        log.warning("failed calling webhook, failing closed %s: %s", webhook.name, why)
        raise review.failed_call(webhook.name, why)

    async def _mutate_once(self, request: "AdmissionRequest", webhook: Webhook, round_: int,
                           index: int) -> tuple[bool, bool]:
        """(called, changed the object)."""
        try:
            invocation = await self._invocation(request, webhook)
            if invocation is None:
                return False, False
            answer = await self._call(request, invocation, mutating=True)
        except _CallError as exc:
            self._fail_or_ignore(request, webhook, str(exc), review.MUTATING_FAILED_OPEN.format(
                round=round_, index=index))
            return True, False
        changed = False
        if answer.allowed and answer.patch and request.obj is not None:
            changed = self._apply_patch(request, invocation, answer.patch)
            if changed:
                request.audit_annotations.setdefault(
                    review.PATCH_ANNOTATION.format(round=round_, index=index),
                    review.patch_annotation(webhook.configuration, webhook.name, answer.patch))
        request.audit_annotations.setdefault(
            review.MUTATION_ANNOTATION.format(round=round_, index=index),
            review.mutation_annotation(webhook.configuration, webhook.name, changed))
        if not answer.allowed:
            raise review.denial(webhook.name, answer.result)
        return True, changed

    async def _validate_one(self, request: "AdmissionRequest", invocation: _Invocation,
                            index: int) -> None:
        try:
            answer = await self._call(request, invocation, mutating=False)
        except _CallError as exc:
            self._fail_or_ignore(request, invocation.webhook, str(exc),
                                 review.VALIDATING_FAILED_OPEN.format(index=index))
            return
        if not answer.allowed:
            raise review.denial(invocation.webhook.name, answer.result)

    async def _call(self, request: "AdmissionRequest", invocation: _Invocation,
                    mutating: bool) -> review.ReviewResponse:
        webhook = invocation.webhook
        if request.dry_run and not review.supports_dry_run(webhook.hook):
            raise review.dry_run_unsupported(webhook.name)
        version = review.review_version(webhook.get("admissionReviewVersions"))
        if version is None:
            raise _CallError("could not create admission objects: webhook does not accept "
                             "known AdmissionReview versions")
        uid = str(uuid.uuid4())
        body = orjson.dumps(self._review(request, invocation, version, uid))
        timeout = int(webhook.get("timeoutSeconds") or 10)
        destination = await self._destination(webhook, timeout)
        try:
            data = await client.post_review(destination, body,
                                            ca_bundle=(webhook.get("clientConfig") or {}).get(
                                                "caBundle") or "", timeout=timeout)
        except client.CallFailed as exc:
            raise _CallError(f"failed to call webhook: {exc}") from None
        try:
            answer = review.parse_response(data, uid, version, mutating)
        except review.InvalidResponse as exc:
            raise _CallError(f"received invalid webhook response: {exc}") from None
        for key, value in answer.audit_annotations.items():
            request.audit_annotations.setdefault(f"{webhook.name}/{key}", value)
        for warning in answer.warnings:
            if warning not in request.warnings:
                request.warnings.append(warning)
        return answer

    async def _destination(self, webhook: Webhook, timeout: int) -> client.Destination:
        config = webhook.get("clientConfig") or {}
        if config.get("url"):
            return client.Destination(client.url_with_timeout(config["url"], timeout))
        service = config.get("service") or {}
        url = client.service_url(service, timeout)
        try:
            address = await self._service_address(service)
        except endpoints.Unresolvable as exc:
            raise _CallError(f'failed to call webhook: Post "{url}": {exc}') from None
        return client.Destination(url, address)

    async def _service_address(self, service: dict) -> tuple[str, int]:
        namespace, name = service.get("namespace") or "", service.get("name") or ""
        svc_rt = self.registry.by_kind("", "v1", "Service")
        cached = self.objects.cache(svc_rt).get(self.objects.key(svc_rt, namespace, name))
        port_name = endpoints.service_port_name(cached.obj if cached else None, name,
                                                int(service.get("port") or 443))
        slice_rt = self.registry.by_kind("discovery.k8s.io", "v1", "EndpointSlice")
        slices, _ = self.objects.cache(slice_rt).list(namespace=namespace, predicate=lambda o: (
            (o.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name") == name)
        addresses = endpoints.addresses_from_slices([s.obj for s in slices], port_name)
        if not addresses:
            ep_rt = self.registry.by_kind("", "v1", "Endpoints")
            ep = self.objects.cache(ep_rt).get(self.objects.key(ep_rt, namespace, name))
            addresses = endpoints.addresses_from_endpoints(ep.obj if ep else None, port_name)
        return endpoints.pick(addresses, name)

    # ------------------------------------------------------------------ objects
    def _kind_of(self, rt: ResourceType, subresource: str) -> tuple[str, rules.Target]:
        """The kind (and its group/version) a request on rt[/subresource] carries."""
        sub = rt.subresource(subresource) if subresource else None
        if sub is None:
            return rt.kind, rules.Target.of(rt)
        return sub.kind, rules.Target(sub.group or rt.group, sub.version or rt.version,
                                      rt.plural, sub.kind)

    def _review(self, request: "AdmissionRequest", invocation: _Invocation, version: str,
                uid: str) -> dict:
        rt, target_rt = request.rt, invocation.target_rt
        obj = self._as_version(request.obj, rt, target_rt, request.subresource)
        old = self._as_version(request.old, rt, target_rt, request.subresource)
        meta = ((request.obj if request.obj is not None else request.old) or {}).get("metadata") or {}
        kind, _ = self._kind_of(target_rt, request.subresource)
        request_kind, _ = self._kind_of(rt, request.subresource)
        target = invocation.target
        request_target = rules.Target.of(rt)
        return review.build_review(
            version, uid, target=target, request_target=request_target, kind=kind,
            request_kind=request_kind, subresource=request.subresource,
            name=meta.get("name") or "", namespace=meta.get("namespace") or "",
            operation=_operation(request), user=request.user, obj=obj, old=old,
            dry_run=request.dry_run, options=review.request_options(_operation(request),
                                                                    request.dry_run))

    def _as_version(self, obj: dict | None, rt: ResourceType, target_rt: ResourceType,
                    subresource: str) -> dict | None:
        if obj is None:
            return None
        if subresource == "scale":
            return _scale_of(obj, rt)
        if subresource == "binding":
            return _binding_of(obj) if obj.get("spec", {}).get("nodeName") else None
        if target_rt is rt:
            return obj
        converted = from_storage(target_rt, to_storage(self.registry, rt, obj))
        if converted is obj or converted.get("apiVersion") != target_rt.api_version:
            converted = dict(converted, apiVersion=target_rt.api_version)
        return converted

    def _apply_patch(self, request: "AdmissionRequest", invocation: _Invocation,
                     operations: list) -> bool:
        """Patch request.obj in place; True when it changed."""
        if request.subresource and self._kind_of(request.rt, request.subresource)[0] != request.rt.kind:
            raise errors.internal(f'admission webhook "{invocation.webhook.name}" returned a '
                                  f"patch for {request.subresource}, which kybernetes cannot "
                                  "apply to a subresource of another kind")
        rt, target_rt = request.rt, invocation.target_rt
        before = self._as_version(request.obj, rt, target_rt, request.subresource)
        try:
            patched = patches.json_patch(before, operations)
        except patches.PatchError as exc:
            raise errors.internal(str(exc)) from None
        if target_rt is not rt:
            patched = from_storage(rt, to_storage(self.registry, target_rt, patched))
            patched["apiVersion"] = rt.api_version
        self.objects.default(rt, patched)
        meta = patched.get("metadata")
        if not isinstance(meta, dict):
            raise errors.internal(f'admission webhook "{invocation.webhook.name}" returned a '
                                  "patch that removed metadata")
        original_meta = request.obj.get("metadata") or {}
        for key in _KEPT_METADATA:
            if key in original_meta:
                meta[key] = original_meta[key]
            else:
                meta.pop(key, None)
        patched["kind"], patched["apiVersion"] = rt.kind, rt.api_version
        if patched == request.obj:
            return False
        request.obj.clear()
        request.obj.update(patched)
        return True


def _operation(request: "AdmissionRequest") -> str:
    """The operation as upstream names it: binding a pod is a CREATE of pods/binding
    (kybernetes writes it as an update of the pod)."""
    return "CREATE" if request.subresource == "binding" else request.operation


def _binding_of(pod: dict) -> dict:
    """The Binding a pods/binding request creates."""
    meta = pod.get("metadata") or {}
    return {"kind": "Binding", "apiVersion": "v1",
            "metadata": {k: meta[k] for k in ("name", "namespace") if k in meta},
            "target": {"kind": "Node", "name": (pod.get("spec") or {}).get("nodeName", "")}}


def _scale_of(obj: dict, rt: ResourceType) -> dict:
    """The autoscaling/v1 Scale a scale-subresource request is about."""
    meta = obj.get("metadata") or {}
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    scale_meta = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp") if k in meta}
    scale = {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": scale_meta,
             "spec": {"replicas": spec.get("replicas", 0)},
             "status": {"replicas": status.get("replicas", 0)}}
    selector = status.get("selector")
    if selector:
        scale["status"]["selector"] = selector
    return scale
