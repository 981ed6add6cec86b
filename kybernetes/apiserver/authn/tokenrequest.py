# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""POST serviceaccounts/<name>/token: a TokenRequest (authentication.k8s.io/v1, JSON or
protobuf) answered with a signed bound token, as kube-apiserver's token REST does."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from aiohttp import web

from kybernetes.apiserver import codec, errors
from kybernetes.apiserver.authn.serviceaccount import (EXTENDED_EXPIRATION_SECONDS,
                                                       WARN_ONLY_EXPIRATION_SECONDS, bound_claims)
from kybernetes.apiserver.handlers import json_response

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 1 << 32
GROUP = "authentication.k8s.io"


def _invalid(name: str, field: str, value, why: str) -> errors.ApiError:
    shown = value if isinstance(value, (int, float)) else f'"{value}"'
    message = f"Invalid value: {shown}: {why}"
    return errors.ApiError(422, "Invalid", f'TokenRequest.{GROUP} "{name}" is invalid: {field}: {message}',
                           name=name, group=GROUP, kind="TokenRequest",
                           causes=[{"reason": "FieldValueInvalid", "message": message, "field": field}])


def check_request(name: str, namespace: str, request: object) -> dict:
    """The TokenRequest with its defaults, or the Status upstream's validation gives."""
    if not isinstance(request, dict):
        raise errors.bad_request("the body must be a TokenRequest object")
    if request.get("kind") not in (None, "", "TokenRequest"):
        raise errors.bad_request(f"{request.get('kind')} in version \"v1\" cannot be handled as a "
                                 f"TokenRequest: converting to TokenRequest: unknown conversion")
    meta = request.get("metadata") or {}
    if meta.get("name") and meta["name"] != name:
        raise _invalid(name, "metadata.name", meta["name"], "must match the service account name if specified")
    if meta.get("namespace") and meta["namespace"] != namespace:
        raise _invalid(name, "metadata.namespace", meta["namespace"],
                       "must match the service account namespace if specified")
    spec = dict(request.get("spec") or {})
    seconds = spec.get("expirationSeconds")
    if seconds is None:
        seconds = DEFAULT_EXPIRATION_SECONDS
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise errors.bad_request("spec.expirationSeconds must be an integer")
    if seconds < MIN_EXPIRATION_SECONDS:
        raise _invalid(name, "spec.expirationSeconds", seconds,
                       "may not specify a duration less than 10 minutes")
    if seconds > MAX_EXPIRATION_SECONDS:
        raise _invalid(name, "spec.expirationSeconds", seconds,
                       "may not specify a duration larger than 2^32 seconds")
    spec["expirationSeconds"] = seconds
    audiences = spec.get("audiences") or []
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise errors.bad_request("spec.audiences must be a list of strings")
    spec["audiences"] = audiences
    return {**request, "spec": spec}


def _rfc3339(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _get(server: "APIServer", kind: str, namespace: str | None, name: str) -> dict:
    rt = server.registry.by_kind("", "v1", kind)
    return await server.objects.get(rt, namespace, name)


async def _bound_objects(server: "APIServer", sa_name: str, namespace: str,
                         ref: dict | None) -> dict:
    if not ref:
        return {}
    kind, api_version = ref.get("kind", ""), ref.get("apiVersion", "") or "v1"
    if api_version != "v1" or kind not in ("Pod", "Secret", "Node"):
        group_version = api_version if "/" in api_version else f"/{api_version}"
        raise errors.bad_request(f"cannot bind token to object of type {group_version}, Kind={kind}")
    if not ref.get("name"):
        raise errors.bad_request("spec.boundObjectRef.name: Required value")
    bound: dict = {}
    if kind == "Pod":
        pod = await _get(server, "Pod", namespace, ref["name"])
        if (pod.get("spec") or {}).get("serviceAccountName", "") != sa_name:
            raise errors.bad_request(f'cannot bind token for serviceaccount "{sa_name}" to pod '
                                     f'running with different serviceaccount name.')
        bound["pod"], target = pod, pod
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name:
            try:
                bound["node"] = await _get(server, "Node", None, node_name)
            except errors.ApiError as exc:
                if exc.code != 404:
                    raise
                bound["node"] = {"metadata": {"name": node_name}}
    elif kind == "Secret":
        target = bound["secret"] = await _get(server, "Secret", namespace, ref["name"])
    else:
        target = bound["node"] = await _get(server, "Node", None, ref["name"])
    uid = ref.get("uid")
    if uid and uid != target["metadata"].get("uid"):
        raise errors.ApiError(
            409, "Conflict", f'Operation cannot be fulfilled on {kind} "{ref["name"]}": the UID in '
            f'the bound object reference ({uid}) does not match the UID in record. The object '
            f'might have been deleted and then recreated', name=ref["name"], kind=kind)
    return bound


async def create_token(server: "APIServer", request: web.Request, namespace: str,
                       name: str) -> web.Response:
    if request.method != "POST":
        raise errors.method_not_allowed()
    authenticator = server.authenticator
    if authenticator.issuer is None:
        raise errors.ApiError(503, "ServiceUnavailable",
                              "the service account token signer is not configured on this server "
                              "(--service-account-signing-key-file)")
    body = await server.resources.read_body(request)
    if not body.strip():
        raise errors.bad_request("the body of the request was empty")
    token_request = check_request(name, namespace, codec.decode_body(
        body, request.headers.get("Content-Type", "")))
    account = await _get(server, "ServiceAccount", namespace, name)
    meta = token_request.get("metadata") or {}
    if meta.get("uid") and meta["uid"] != account["metadata"].get("uid"):
        raise errors.ApiError(
            409, "Conflict", f'Operation cannot be fulfilled on TokenRequest.{GROUP} "{name}": '
            f'the UID in the token request ({meta["uid"]}) does not match the UID of the service '
            f'account ({account["metadata"].get("uid")})', name=name, group=GROUP, kind="TokenRequest")
    spec = token_request["spec"]
    bound = await _bound_objects(server, name, namespace, spec.get("boundObjectRef"))
    audiences = spec["audiences"] or list(authenticator.api_audiences)
    now = int(time.time())
    seconds = spec["expirationSeconds"]
    options = authenticator.options
    warnings = []
    if options.max_token_expiration and seconds > options.max_token_expiration:
        warnings.append(f"requested expiration of {seconds} seconds shortened to "
                        f"{options.max_token_expiration} seconds")
        seconds = spec["expirationSeconds"] = options.max_token_expiration
    lifetime, warn_after = seconds, None
    if options.extend_token_expiration and seconds == WARN_ONLY_EXPIRATION_SECONDS and \
            "pod" in bound and set(audiences) <= set(authenticator.api_audiences):
        # kubelet's projected tokens for the API: a year of life, a warning after the hour
        lifetime, warn_after = EXTENDED_EXPIRATION_SECONDS, now + seconds
    claims = bound_claims(issuer=authenticator.issuer.issuer, audiences=audiences,
                          service_account=account, now=now, expiration_seconds=lifetime,
                          pod=bound.get("pod"), secret=bound.get("secret"), node=bound.get("node"),
                          warn_after=warn_after)
    account_meta = account["metadata"]
    reply = {"kind": "TokenRequest", "apiVersion": f"{GROUP}/v1",
             "metadata": {"name": name, "namespace": namespace,
                          "uid": account_meta.get("uid", ""), "creationTimestamp": _rfc3339(now)},
             "spec": {**spec, "audiences": audiences},
             "status": {"token": authenticator.issuer.sign(claims),
                        "expirationTimestamp": _rfc3339(now + seconds)}}
    headers = {"Warning": ", ".join(f'299 - "{w}"' for w in warnings)} if warnings else None
    return json_response(reply, 201, headers=headers)
