# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""HTTP handlers for resource requests: get, list, watch, create, update, patch, delete,
deletecollection, and the status and scale subresources."""
from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from aiohttp import web

from kybernetes.api import fieldcheck, selectors
from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import apply as server_side_apply
from kybernetes.apiserver import codec, errors, patch as patches
from kybernetes.apiserver.admission import collecting_output
from kybernetes.apiserver.audit_http import annotate
from kybernetes.apiserver.conversion import storage_type
from kybernetes.apiserver.requestinfo import RequestInfo
from kybernetes.apiserver.watch import serve_watch

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+cbor": "apply-cbor",
}


def json_response(body: object, status: int = 200, headers: dict | None = None) -> web.Response:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return web.Response(body=data, status=status, content_type="application/json",
                        headers=headers)


def field_manager(request: web.Request) -> str:
    manager = request.query.get("fieldManager")
    if manager:
        if len(manager) > 128:
            raise errors.ApiError(
                422, "Invalid", f'fieldManager: Too long: may not be more than 128 bytes')
        return manager
    agent = request.headers.get("User-Agent", "")
    return agent.split("/", 1)[0][:128] or "unknown"


def is_dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    for value in values:
        if value != "All":
            raise errors.bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')
    return bool(values)


def field_validation(request: web.Request) -> str:
    value = request.query.get("fieldValidation", "Warn") or "Warn"
    if value not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(
            f'fieldValidation: Unsupported value: "{value}": supported values: '
            f'"Ignore", "Strict", "Warn"')
    return value


class ResourceHandlers:
    def __init__(self, server: "APIServer") -> None:
        self.server = server
        self.objects = server.objects
        self.registry = server.registry

    # ---------------------------------------------------------------- dispatch
    async def handle(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.StreamResponse:
        """Serve the request; what admission plugins said on the way (warnings, audit
        annotations) goes to the response's Warning headers and the audit events."""
        with collecting_output() as output:
            try:
                response = await self._handle(request, info, rt)
            except errors.ApiError as exc:
                if not output.warnings:
                    raise
                # a refused request carries its warnings too (a webhook may deny and warn)
                response = json_response(exc.status(), exc.code)
            finally:
                for key, value in output.audit_annotations.items():
                    annotate(request, key, value)
        if output.warnings and not response.prepared:
            add_warnings(response, output.warnings)
        return response

    async def _handle(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.StreamResponse:
        method = request.method
        if info.subresource and info.subresource not in ("status", "scale"):
            return await self.server.subresources.handle(request, info, rt)
        if rt.kind in self.server.virtual_kinds:
            return await self.server.virtual_kinds[rt.kind](request, info, rt)
        if info.namespace is None and rt.namespaced and info.name:
            raise errors.not_found(rt, info.name)
        if not rt.namespaced and info.namespace:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        if info.subresource == "scale":
            return await self.server.subresources.scale(request, info, rt)
        if method == "GET":
            if info.name and not info.watch_path:
                return await self.get(request, info, rt)
            if info.watch_path or request.query.get("watch") in ("true", "1"):
                return await serve_watch(self.server, request, info, rt, self.predicate(request, rt))
            return await self.list(request, info, rt)
        if method == "POST" and not info.name:
            return await self.create(request, info, rt)
        if method == "PUT" and info.name:
            return await self.update(request, info, rt)
        if method == "PATCH" and info.name:
            return await self.patch(request, info, rt)
        if method == "DELETE":
            if info.name:
                return await self.delete(request, info, rt)
            return await self.delete_collection(request, info, rt)
        raise errors.method_not_allowed()

    # ---------------------------------------------------------------- reads
    def predicate(self, request: web.Request, rt: ResourceType):
        label_text = request.query.get("labelSelector", "")
        field_text = request.query.get("fieldSelector", "")
        try:
            labels = selectors.parse_label_selector(label_text) if label_text else None
            fields = selectors.parse_field_selector(field_text) if field_text else None
            if fields is not None:
                selectors.check_field_selector(rt.group, rt.kind, fields)
        except selectors.SelectorError as exc:
            raise errors.bad_request(str(exc)) from None
        if labels is not None and labels.empty():
            labels = None
        if fields is not None and not fields.requirements:
            fields = None
        if labels is None and fields is None:
            return None
        group, kind = rt.group, rt.kind

        def matches(obj: dict) -> bool:
            if labels is not None and not labels.matches(
                    (obj.get("metadata") or {}).get("labels") or {}):
                return False
            if fields is not None and not fields.matches(selectors.field_values(group, kind, obj)):
                return False
            return True
        matches.fields = fields  # type: ignore[attr-defined]
        return matches

    async def get(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        accept = request.headers.get("Accept", "")
        if storage_type(self.registry, rt) is rt and not codec.wants_table(accept) and \
                not codec.wants_partial_metadata(accept):
            cached = await self.objects.get_cached(rt, info.namespace, info.name)
            if cached is None:
                raise errors.not_found(rt, info.name)
            return json_response(cached.raw)  # the bytes the cache already holds
        obj = await self.objects.get(rt, info.namespace, info.name)
        return self.respond_object(request, rt, obj)

    def respond_object(self, request: web.Request, rt: ResourceType, obj: dict,
                       status: int = 200, headers: dict | None = None) -> web.Response:
        accept = request.headers.get("Accept", "")
        if codec.wants_table(accept):
            printer = self.server.table_printer(rt)
            table = printer.table([obj], request.query.get("includeObject", "Metadata"),
                                  obj.get("metadata", {}).get("resourceVersion", ""))
            return json_response(table, status, headers)
        if codec.wants_partial_metadata(accept):
            return json_response(codec.partial_metadata(obj), status, headers)
        return json_response(obj, status, headers)

    async def list(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        query = request.query
        if query.get("sendInitialEvents"):
            raise errors.ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: '
                                  'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list',
                                  causes=[{"reason": "FieldValueForbidden", "field": "sendInitialEvents",
                                           "message": "Forbidden: sendInitialEvents is forbidden for list"}])
        match = query.get("resourceVersionMatch", "")
        rv = query.get("resourceVersion", "")
        if match:
            if match not in ("NotOlderThan", "Exact"):
                raise errors.bad_request(f'resourceVersionMatch: Unsupported value: "{match}"')
            if not rv:
                raise _invalid_list("resourceVersionMatch",
                                    "resourceVersionMatch is forbidden unless resourceVersion is provided")
            if query.get("continue"):
                raise _invalid_list("resourceVersionMatch",
                                    "resourceVersionMatch is forbidden when continue is provided")
            if match == "Exact" and rv == "0":
                raise _invalid_list("resourceVersionMatch",
                                    'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        try:
            limit = int(query.get("limit", "0") or 0)
        except ValueError:
            raise errors.bad_request(f'invalid limit "{query.get("limit")}"') from None
        predicate = self.predicate(request, rt)
        index = None
        fields = getattr(predicate, "fields", None)
        if rt.kind == "Pod" and rt.group == "" and fields is not None:
            for field, op, value in fields.requirements:
                if field == "spec.nodeName" and op in ("=", "=="):
                    index = ("spec.nodeName", value)
        items, list_rv, token, remaining = await self.objects.list(
            rt, info.namespace, predicate=predicate, index=index, limit=limit,
            continue_token=query.get("continue", ""), resource_version=rv, match=match)
        accept = request.headers.get("Accept", "")
        converted = storage_type(self.registry, rt) is not rt
        view = (lambda item: self.objects.view(rt, item)) if converted else None
        if codec.wants_table(accept):
            printer = self.server.table_printer(rt)
            objs = [self.objects.view(rt, item) for item in items]
            table = printer.table(objs, query.get("includeObject", "Metadata"), list_rv,
                                  token, remaining)
            return json_response(table)
        if codec.wants_partial_metadata(accept):
            objs = [codec.partial_metadata(self.objects.view(rt, item)) for item in items]
            meta = {"resourceVersion": list_rv}
            if token:
                meta["continue"] = token
            return json_response({"kind": "PartialObjectMetadataList",
                                  "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                                  "items": objs})
        raws = codec.object_raws(items, view)
        return json_response(codec.list_bytes(rt, raws, list_rv, token, remaining))

    # ---------------------------------------------------------------- writes
    async def read_body(self, request: web.Request) -> bytes:
        if request.content_length and request.content_length > codec.MAX_BODY:
            raise errors.too_large()
        chunks: list[bytes] = []
        size = 0
        while True:  # read() returns what has arrived so far: loop to the end
            chunk = await request.content.read(codec.MAX_BODY + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > codec.MAX_BODY:
                raise errors.too_large()
        request["request_body"] = body = b"".join(chunks)  # the audit log's requestObject
        return body

    async def decode_object(self, request: web.Request, rt: ResourceType,
                            body: bytes | None = None) -> tuple[dict, list[str]]:
        """The request body as an object of kind `rt`, with unknown fields handled as
        fieldValidation asks. Returns (object, warnings)."""
        if body is None:
            body = await self.read_body(request)
        if not body.strip():
            raise errors.bad_request("the body of the request was empty")
        obj = codec.decode_body(body, request.headers.get("Content-Type", ""))
        if not isinstance(obj, dict):
            raise errors.bad_request(
                f"couldn't get version/kind; json parse error: expected an object, got {type(obj).__name__}")
        # a body may leave out kind and apiVersion: the endpoint's fill them in, as
        # upstream's decoder defaults them (the Python client sends V1ConfigMap(...) so)
        kind = obj.setdefault("kind", rt.kind) or rt.kind
        api_version = obj.get("apiVersion")
        if not api_version:
            obj["apiVersion"] = rt.api_version
        if kind != rt.kind or (api_version and api_version != rt.api_version and
                               not self._convertible(rt, api_version)):
            raise errors.bad_request(
                f'the API version in the data ({api_version}) does not match the expected API version ({rt.api_version})'
                if kind == rt.kind else
                f"{kind} in version \"{(api_version or '').rpartition('/')[2]}\" cannot be handled as a {rt.kind}: "
                f"converting (v1.{kind}) to ({rt.version}.{rt.kind}): unknown conversion")
        warnings = self.check_fields(request, rt, obj, body)
        return obj, warnings

    def _convertible(self, rt: ResourceType, api_version: str) -> bool:
        group, _, version = api_version.rpartition("/")
        return group == rt.group and self.registry.by_kind(group, version, rt.kind) is not None

    def check_fields(self, request: web.Request, rt: ResourceType, obj: dict,
                     body: bytes | None, patch_body: bool = False) -> list[str]:
        """Unknown and duplicate fields, as fieldValidation asks: Strict refuses them,
        Warn returns them as warnings; either way unknown fields of a built-in kind are
        dropped from `obj` (a patch body is left for the patched object's pruning)."""
        mode = field_validation(request)
        schema = self.server.schema_of(rt)
        unknown = fieldcheck.unknown_fields(obj, schema) if schema is not None else []
        if unknown and not patch_body and not rt.custom:
            for path in unknown:
                _delete_path(obj, path)
        if mode == "Ignore":
            return []
        problems: list[str] = []
        if body is not None and codec.media_type(request.headers.get("Content-Type", "")) in (
                "", "application/json", "application/merge-patch+json",
                "application/strategic-merge-patch+json"):
            problems += [f'duplicate field "{p}"' for p in fieldcheck.duplicate_fields(body)]
        problems += [f'unknown field "{p}"' for p in unknown]
        if not problems:
            return []
        if mode == "Strict":
            raise errors.bad_request(fieldcheck.strict_error_message(rt.kind, rt.version, problems))
        return problems

    def respond_write(self, request: web.Request, rt: ResourceType, obj: dict, status: int,
                      warnings: list[str]) -> web.Response:
        headers = None
        if warnings:
            headers = {"Warning": ", ".join(f'299 - "{_quote(w)}"' for w in warnings)}
        return self.respond_object(request, rt, obj, status, headers)

    async def create(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        if "create" not in rt.verbs:
            raise errors.method_not_allowed()
        obj, warnings = await self.decode_object(request, rt)
        dry_run = is_dry_run(request)
        created = await self.objects.create(rt, info.namespace, obj, manager=field_manager(request),
                                            dry_run=dry_run, user=request.get("user"))
        return self.respond_write(request, rt, created, 201, warnings)

    async def update(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        obj, warnings = await self.decode_object(request, rt)
        dry_run = is_dry_run(request)
        # a status write keeps the stored spec: strategies.prepare_for_update sees to it
        result, created = await self.objects.update(
            rt, info.namespace, info.name, lambda current: obj, manager=field_manager(request),
            subresource=info.subresource, dry_run=dry_run, user=request.get("user"),
            create_missing=rt.kind in _CREATE_ON_UPDATE)
        return self.respond_write(request, rt, result, 201 if created else 200, warnings)

    async def patch(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        content_type = codec.media_type(request.headers.get("Content-Type", ""))
        patch_type = PATCH_TYPES.get(content_type)
        if patch_type is None or patch_type == "apply-cbor" or (
                patch_type == "strategic" and rt.custom):
            raise errors.ApiError(
                415, "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types include: "
                f"application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                + ("" if rt.custom else ", application/strategic-merge-patch+json"))
        body = await self.read_body(request)
        patch_body = codec.decode_body(body, content_type)
        dry_run = is_dry_run(request)
        manager = request.query.get("fieldManager", "")
        force = request.query.get("force") == "true"
        if patch_type == "apply":
            if not manager:
                raise errors.ApiError(
                    422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                    'Required value: is required for apply patch',
                    causes=[{"reason": "FieldValueRequired", "field": "fieldManager",
                             "message": "Required value: is required for apply patch"}])
            if not isinstance(patch_body, dict):
                raise errors.bad_request("error decoding YAML: the apply body must be an object")
        elif request.query.get("force"):
            raise errors.ApiError(
                422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: '
                'may not be specified for non-apply patch',
                causes=[{"reason": "FieldValueForbidden", "field": "force",
                         "message": "Forbidden: may not be specified for non-apply patch"}])
        if not manager:
            manager = field_manager(request)
        if patch_type == "json":
            if not isinstance(patch_body, list):
                raise errors.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        elif not isinstance(patch_body, dict):
            raise errors.bad_request("couldn't get version/kind; json parse error: expected an object")
        warnings: list[str] = []
        if patch_type != "json":
            warnings = self.check_fields(request, rt, patch_body, body, patch_body=True)
        schema = self.server.schema_of(rt)
        subresource = info.subresource
        status_subresource = rt.subresource("status") is not None

        def mutate(current: dict | None) -> dict:
            if current is None:
                # only apply creates
                applied = server_side_apply.apply_patch(
                    None, patch_body, manager=manager, force=force,
                    api_version=rt.api_version, schema=schema, now=_now(),
                    subresource=subresource, status_subresource=status_subresource)
                prune_unknown(rt, schema, applied)
                return applied
            try:
                if patch_type == "json":
                    new = patches.json_patch(current, patch_body)
                elif patch_type == "merge":
                    new = patches.merge_patch(current, patch_body)
                elif patch_type == "strategic":
                    new = patches.strategic_merge_patch(current, patch_body, schema)
                else:
                    new = server_side_apply.apply_patch(
                        current, patch_body, manager=manager, force=force,
                        api_version=rt.api_version, schema=schema, now=_now(),
                        subresource=subresource, status_subresource=status_subresource)
            except patches.PatchError as exc:
                raise errors.PrebuiltStatusError(exc.status()) from None
            except server_side_apply.ApplyConflictError as exc:
                raise exc.to_api_error() from None
            if patch_type == "json":
                if not isinstance(new.get("metadata"), dict):
                    raise errors.bad_request("metadata must be an object")
                fix = self.check_fields(request, rt, new, None)
                warnings.extend(fix)
            prune_unknown(rt, schema, new)
            return new
        result, created = await self.objects.update(
            rt, info.namespace, info.name, mutate, manager=manager, subresource=subresource,
            dry_run=dry_run, user=request.get("user"),
            create_missing=patch_type == "apply" and not subresource,
            manage_fields=patch_type != "apply")
        return self.respond_write(request, rt, result, 201 if created else 200, warnings)

    async def delete_options(self, request: web.Request) -> dict:
        body = await self.read_body(request)
        options: dict = {}
        if body.strip():
            decoded = codec.decode_body(body, request.headers.get("Content-Type", ""))
            if not isinstance(decoded, dict):
                raise errors.bad_request("DeleteOptions must be an object")
            options = decoded
        query = request.query
        if "gracePeriodSeconds" in query:
            try:
                options["gracePeriodSeconds"] = int(query["gracePeriodSeconds"])
            except ValueError:
                raise errors.bad_request("gracePeriodSeconds must be an integer") from None
        if "propagationPolicy" in query:
            options["propagationPolicy"] = query["propagationPolicy"]
        if "orphanDependents" in query:
            options["orphanDependents"] = query["orphanDependents"] == "true"
        if query.getall("dryRun", []):
            options["dryRun"] = query.getall("dryRun")
        policy = options.get("propagationPolicy")
        if policy is not None and policy not in ("Orphan", "Background", "Foreground"):
            raise errors.ApiError(
                422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: '
                f'Unsupported value: "{policy}": supported values: "Foreground", "Background", "Orphan", "nil"',
                causes=[{"reason": "FieldValueNotSupported", "field": "propagationPolicy",
                         "message": f'Unsupported value: "{policy}"'}])
        for value in options.get("dryRun") or []:
            if value != "All":
                raise errors.bad_request(f'dryRun: Unsupported value: "{value}"')
        return options

    async def delete(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.Response:
        options = await self.delete_options(request)
        obj, removed = await self.objects.delete(rt, info.namespace, info.name, options,
                                                 user=request.get("user"))
        if removed and not (rt.group == "" and rt.kind in _RETURNS_DELETED_OBJECT):
            return json_response(errors.success_status({
                "name": info.name, "group": rt.group, "kind": rt.plural,
                "uid": obj["metadata"].get("uid")}))
        return self.respond_object(request, rt, obj)

    async def delete_collection(self, request: web.Request, info: RequestInfo,
                                rt: ResourceType) -> web.Response:
        if "deletecollection" not in rt.verbs:
            raise errors.method_not_allowed()
        options = await self.delete_options(request)
        predicate = self.predicate(request, rt)
        items, list_rv, _, _ = await self.objects.list(rt, info.namespace, predicate=predicate)
        deleted = []
        for item in items:
            try:
                obj, _ = await self.objects.delete(rt, item.namespace or None, item.name,
                                                   options, user=request.get("user"))
                deleted.append(obj)
            except errors.ApiError as exc:
                if exc.code != 404:
                    raise
        return json_response({"kind": rt.list_kind, "apiVersion": rt.api_version,
                              "metadata": {"resourceVersion": list_rv}, "items": deleted})


# Kinds whose DELETE answers with the object rather than a Status (upstream's
# ReturnDeletedObject; their OpenAPI delete responses say so too).
_RETURNS_DELETED_OBJECT = {"Pod", "Service", "PersistentVolume", "PersistentVolumeClaim"}

# Kinds a PUT may create, as upstream's AllowCreateOnUpdate says.
_CREATE_ON_UPDATE = {"Endpoints", "Event", "Lease", "LimitRange", "Node"}


def _invalid_list(field: str, message: str) -> errors.ApiError:
    return errors.ApiError(422, "Invalid", f'ListOptions.meta.k8s.io "" is invalid: {field}: '
                           f'Forbidden: {message}',
                           causes=[{"reason": "FieldValueForbidden", "field": field,
                                    "message": f"Forbidden: {message}"}])


def _delete_path(obj: dict, path: str) -> None:
    """Delete `a.b[2].c` from obj (paths as fieldcheck reports them)."""
    tokens: list[str | int] = []
    for part in path.split("."):
        while "[" in part:
            head, _, rest = part.partition("[")
            if head:
                tokens.append(head)
            index, _, part = rest.partition("]")
            tokens.append(int(index))
        if part:
            tokens.append(part)
    node: object = obj
    for token in tokens[:-1]:
        try:
            node = node[token]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict):
        node.pop(tokens[-1], None)


def prune_unknown(rt: ResourceType, schema: dict | None, obj: dict) -> None:
    """Drop fields the kind does not have, as decoding into upstream's types does."""
    if rt.custom or schema is None:
        return  # custom resources are pruned by their structural schema on write
    for path in fieldcheck.unknown_fields(obj, schema):
        _delete_path(obj, path)


def add_warnings(response: web.StreamResponse, warnings: list[str]) -> None:
    """Append warnings to the response's Warning header (each once, as upstream's
    warning recorder deduplicates)."""
    existing = response.headers.get("Warning", "")
    seen: set[str] = set()
    values = [existing] if existing else []
    for text in warnings:
        if text not in seen:
            seen.add(text)
            values.append(f'299 - "{_quote(text)}"')
    response.headers["Warning"] = ", ".join(values)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _now() -> str:
    from kybernetes.apiserver.objects import now_rfc3339
    return now_rfc3339()
