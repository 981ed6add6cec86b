# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Kubernetes `Status` errors, built the way apimachinery's api/errors helpers build them.

Clients compare these bodies, so the key order is upstream's: kind, apiVersion, metadata,
status, message, reason, details, code; `group` is left out for the core group.
"""
from __future__ import annotations

from http import HTTPStatus

from kybernetes.api.resources import ResourceType


class ApiError(Exception):
    """An error that becomes a Status response."""

    def __init__(self, code: int, reason: str, message: str, *, name: str = "",
                 group: str = "", kind: str = "", causes: list[dict] | None = None,
                 retry_after: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes or []
        self.retry_after = retry_after

    def status(self) -> dict:
        body: dict = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                      "status": "Failure", "message": self.message, "reason": self.reason}
        details: dict = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        if self.causes:
            details["causes"] = self.causes
        if self.retry_after:
            details["retryAfterSeconds"] = self.retry_after
        if details or self.reason in ("NotFound", "AlreadyExists", "Conflict", "Invalid"):
            body["details"] = details
        if not self.reason:
            del body["reason"]
        body["code"] = self.code
        return body


def success_status(details: dict | None = None, code: int | None = None) -> dict:
    body: dict = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        body["details"] = details
    if code:
        body["code"] = code
    return body


def not_found(rt: ResourceType, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{rt.group_resource} "{name}" not found',
                    name=name, group=rt.group, kind=rt.plural)


def already_exists(rt: ResourceType, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{rt.group_resource} "{name}" already exists',
                    name=name, group=rt.group, kind=rt.plural)


def conflict(rt: ResourceType, name: str, why: str) -> ApiError:
    return ApiError(409, "Conflict",
                    f'Operation cannot be fulfilled on {rt.group_resource} "{name}": {why}',
                    name=name, group=rt.group, kind=rt.plural)


MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def invalid(rt: ResourceType, name: str, causes: list[dict], message: str = "") -> ApiError:
    if not message:
        qualified = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
        parts = [f"{c['field']}: {c['message']}" if c.get("field") else c["message"]
                 for c in causes]
        joined = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
        message = f'{qualified} "{name}" is invalid: {joined}'
    return ApiError(422, "Invalid", message, name=name,
                    group=rt.group, kind=rt.kind, causes=causes)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def method_not_allowed(message: str = "the server does not allow this method on the requested resource") -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def forbidden(message: str, rt: ResourceType | None = None, name: str = "") -> ApiError:
    return ApiError(403, "Forbidden", message, name=name,
                    group=rt.group if rt else "", kind=rt.plural if rt else "")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType",
                    f'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf'
                    if not content_type.endswith("patch+json") and "apply" not in content_type
                    else f"the server does not support {content_type}")


def too_large() -> ApiError:
    return ApiError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728")


def internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", f"Internal error occurred: {message}")


def http_reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


class PrebuiltStatusError(ApiError):
    """An error whose Status body another module already built (patch, apply)."""

    def __init__(self, status: dict) -> None:
        super().__init__(status.get("code", 500), status.get("reason", ""),
                         status.get("message", ""))
        self._status = status

    def status(self) -> dict:
        return self._status
