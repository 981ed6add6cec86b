# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The AdmissionReview a webhook is sent and answers (admission.k8s.io/v1, and v1beta1
for webhooks that only list it), and the errors a webhook's answer becomes, worded as
kube-apiserver words them. Pure: no I/O."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, Mapping

import orjson

from kybernetes.apiserver import errors
from kybernetes.apiserver.webhooks.rules import Target

ADMISSION_GROUP_VERSIONS = {"v1": "admission.k8s.io/v1", "v1beta1": "admission.k8s.io/v1beta1"}
OPTIONS_KINDS = {"CREATE": "CreateOptions", "UPDATE": "UpdateOptions", "DELETE": "DeleteOptions"}
PATCH_TYPE_JSON = "JSONPatch"

# audit annotation keys (upstream's, so audit pipelines keep working)
VALIDATING_FAILED_OPEN = "failed-open.validating.webhook.admission.k8s.io/round_0_index_{index}"
MUTATING_FAILED_OPEN = "failed-open.mutation.webhook.admission.k8s.io/round_{round}_index_{index}"
MUTATION_ANNOTATION = "mutation.webhook.admission.k8s.io/round_{round}_index_{index}"
PATCH_ANNOTATION = "patch.webhook.admission.k8s.io/round_{round}_index_{index}"


class InvalidResponse(Exception):
    """The webhook's answer is not a usable AdmissionReview response."""


@dataclass
class ReviewResponse:
    allowed: bool
    result: dict | None = None  # the Status a denial carries
    patch: list | None = None  # decoded JSONPatch operations
    patch_type: str = ""
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)


def review_version(accepted: list | None) -> str | None:
    """The first AdmissionReview version the webhook accepts that we speak."""
    for version in accepted or []:
        if version in ADMISSION_GROUP_VERSIONS:
            return version
    return None


def user_info(user: Mapping | None) -> dict:
    """authentication.k8s.io UserInfo from the server's user dict (empty fields left out)."""
    user = user or {}
    info: dict = {}
    if user.get("name"):
        info["username"] = user["name"]
    if user.get("uid"):
        info["uid"] = user["uid"]
    if user.get("groups"):
        info["groups"] = list(user["groups"])
    if user.get("extra"):
        info["extra"] = {k: list(v) for k, v in user["extra"].items()}
    return info


def request_options(operation: str, dry_run: bool, extra: Mapping | None = None) -> dict | None:
    """The operation's options object, as meta.k8s.io/v1 (none for CONNECT)."""
    kind = OPTIONS_KINDS.get(operation)
    if kind is None:
        return None
    options: dict = {"kind": kind, "apiVersion": "meta.k8s.io/v1"}
    if extra:
        options.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    if dry_run:
        options["dryRun"] = ["All"]
    return options


def _gvk(target: Target, kind: str | None = None) -> dict:
    return {"group": target.group, "version": target.version, "kind": kind or target.kind}


def _gvr(target: Target) -> dict:
    return {"group": target.group, "version": target.version, "resource": target.resource}


def build_review(version: str, uid: str, *, target: Target, request_target: Target,
                 kind: str, request_kind: str, subresource: str, name: str, namespace: str,
                 operation: str, user: Mapping | None, obj: dict | None, old: dict | None,
                 dry_run: bool, options: dict | None) -> dict:
    """The AdmissionReview body. `target` is the resource as the webhook's rules matched
    it (an equivalent version under matchPolicy Equivalent), `request_target` as the
    client sent it; `kind`/`request_kind` are the kinds served there (for a subresource,
    the subresource's kind)."""
    request: dict[str, Any] = {
        "uid": uid,
        "kind": _gvk(target, kind),
        "resource": _gvr(target),
    }
    if subresource:
        request["subResource"] = subresource
    request["requestKind"] = _gvk(request_target, request_kind)
    request["requestResource"] = _gvr(request_target)
    if subresource:
        request["requestSubResource"] = subresource
    if name:
        request["name"] = name
    if namespace:
        request["namespace"] = namespace
    request["operation"] = operation
    request["userInfo"] = user_info(user)
    request["object"] = obj
    request["oldObject"] = old
    request["dryRun"] = dry_run
    if options is not None:
        request["options"] = options
    return {"kind": "AdmissionReview", "apiVersion": ADMISSION_GROUP_VERSIONS[version],
            "request": request}


def parse_response(body: bytes, uid: str, version: str, mutating: bool) -> ReviewResponse:
    """The webhook's answer, checked as upstream's VerifyAdmissionResponse checks it."""
    try:
        review = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidResponse(f"invalid character in response body: {exc}") from None
    if not isinstance(review, dict):
        raise InvalidResponse("the response body is not an AdmissionReview object")
    response = review.get("response")
    if not isinstance(response, dict):
        raise InvalidResponse("webhook response was absent")
    if version == "v1":
        if response.get("uid") != uid:
            raise InvalidResponse(f'expected response.uid="{uid}", got "{response.get("uid") or ""}"')
        got_version = review.get("apiVersion") or ""
        group, _, got = got_version.rpartition("/")
        if got_version != "admission.k8s.io/v1" or review.get("kind") != "AdmissionReview":
            raise InvalidResponse(
                "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
                f"{group + '/' if group else ''}{got}, Kind={review.get('kind') or ''}")
    patch_text = response.get("patch") or ""
    patch_type = response.get("patchType") or ""
    if version == "v1beta1" and patch_text and not patch_type:
        patch_type = PATCH_TYPE_JSON  # v1beta1 webhooks could leave it out
    if mutating and patch_text and not patch_type:
        raise InvalidResponse("webhook returned response.patch but not response.patchType")
    if mutating and patch_type and not patch_text:
        raise InvalidResponse("webhook returned response.patchType but not response.patch")
    if not mutating and patch_text:
        raise InvalidResponse("validating webhooks may not return response.patch")
    if not mutating and patch_type:
        raise InvalidResponse("validating webhooks may not return response.patchType")
    patch = None
    if patch_text:
        if patch_type != PATCH_TYPE_JSON:
            raise InvalidResponse(f'unsupported patch type "{patch_type}"')
        try:
            patch = orjson.loads(base64.b64decode(patch_text, validate=True))
        except (binascii.Error, ValueError):
            raise InvalidResponse("response.patch is not a base64-encoded JSON patch") from None
        if not isinstance(patch, list):
            raise InvalidResponse("response.patch is not a JSON patch (a list of operations)")
    result = response.get("status")
    warnings = response.get("warnings") or []
    annotations = response.get("auditAnnotations") or {}
    if not isinstance(warnings, list) or not isinstance(annotations, dict) or \
            (result is not None and not isinstance(result, dict)):
        raise InvalidResponse("response.warnings, response.auditAnnotations or response.status "
                              "has the wrong type")
    return ReviewResponse(allowed=response.get("allowed") is True, result=result, patch=patch,
                          patch_type=patch_type, warnings=[str(w) for w in warnings],
                          audit_annotations={str(k): str(v) for k, v in annotations.items()})


def denial(webhook: str, result: Mapping | None) -> errors.ApiError:
    """A webhook's refusal as the client sees it: its own code (400 when below 400), its
    reason and details, and `admission webhook "<name>" denied the request: <message>`."""
    result = dict(result or {})
    code = result.get("code") if isinstance(result.get("code"), int) else 0
    if code < 400:
        code = 400
    denied_by = f'admission webhook "{webhook}" denied the request'
    if result.get("message"):
        message = f"{denied_by}: {result['message']}"
    elif result.get("reason"):
        message = f"{denied_by}: {result['reason']}"
    else:
        message = f"{denied_by} without explanation"
    status: dict = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": message}
    if result.get("reason"):
        status["reason"] = result["reason"]
    if isinstance(result.get("details"), dict):
        status["details"] = result["details"]
    status["code"] = code
    return errors.PrebuiltStatusError(status)


def calling_error(webhook: str, why: str) -> str:
    """`failed calling webhook "<name>": <why>`: the text of a failed call."""
    return f'failed calling webhook "{webhook}": {why}'


def failed_call(webhook: str, why: str) -> errors.ApiError:
    """A failed call under failurePolicy Fail: 500 InternalError, as upstream."""
    message = calling_error(webhook, why)
    error = errors.internal(message)
    error.causes = [{"message": message}]
    return error


def dry_run_unsupported(webhook: str) -> errors.ApiError:
    return errors.bad_request(f'admission webhook "{webhook}" does not support dry run')


def supports_dry_run(hook: Mapping) -> bool:
    return hook.get("sideEffects") in ("None", "NoneOnDryRun")


def mutation_annotation(configuration: str, webhook: str, mutated: bool) -> str:
    return orjson.dumps({"configuration": configuration, "webhook": webhook,
                         "mutated": mutated}).decode()


def patch_annotation(configuration: str, webhook: str, patch: list) -> str:
    return orjson.dumps({"configuration": configuration, "webhook": webhook, "patch": patch,
                         "patchType": PATCH_TYPE_JSON}).decode()
