# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The OpenAPI documents the API server publishes: `/openapi/v3` (a root listing one
document per group-version) and `/openapi/v2` (one swagger 2.0 document).

kubectl reads them for `explain` (the schemas), for `create`/`apply` (a PATCH operation
whose `x-kubernetes-group-version-kind` matches the object and that accepts the
`fieldValidation` query parameter tells kubectl the server validates fields itself) and
for client-side apply (strategic merge is used only when the PATCH operation lists
`application/strategic-merge-patch+json`). Paths must be exactly
`/api[s]/<group>/<version>[/namespaces/{namespace}]/<plural>[/{name}]`.

Schemas come from `kybernetes.api.schema` (built-in kinds) and from the
`openAPIV3Schema` of custom resources; operations from the resource table. Each
group-version document is built on first use and kept as bytes with its hash until
`invalidate()` (called when CustomResourceDefinitions change).
"""
from __future__ import annotations

import copy
import hashlib
import threading
from dataclasses import dataclass

import orjson

from kybernetes.api import schema as k8s_schema
from kybernetes.api.resources import Registry, ResourceType, Subresource

KUBERNETES_VERSION = "v1.32.0"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
OBJECT_META = META + "ObjectMeta"
LIST_META = META + "ListMeta"
STATUS = META + "Status"
DELETE_OPTIONS = META + "DeleteOptions"
PATCH = META + "Patch"
WATCH_EVENT = META + "WatchEvent"
# Always part of a group-version document, whatever its kinds reference.
COMMON_DEFINITIONS = (STATUS, DELETE_OPTIONS, PATCH, WATCH_EVENT)

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
BUILTIN_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)
# Custom resources have no Go struct tags to drive a strategic merge.
CUSTOM_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, APPLY_PATCH)

BUILTIN_MEDIA = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
CUSTOM_MEDIA = ("application/json", "application/yaml")
WATCH_MEDIA = ("application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch")

# name -> (type, description) of every query parameter an operation may take.
QUERY_PARAMETERS: dict[str, tuple[str, str]] = {
    "allowWatchBookmarks": ("boolean", "Ask for BOOKMARK watch events. Servers may ignore it."),
    "continue": ("string", "The continue token of a previous paginated list call."),
    "dryRun": ("string", "When present, modifications are not persisted. "
                         "The only valid value is All."),
    "fieldManager": ("string", "Name of the actor making these changes, recorded in "
                               "managedFields."),
    "fieldSelector": ("string", "Restrict the returned objects by their fields."),
    "fieldValidation": ("string", "How to treat unknown and duplicate fields in the body: "
                                  "Ignore, Warn (the default) or Strict."),
    "force": ("boolean", "Apply requests only: take ownership of conflicting fields."),
    "gracePeriodSeconds": ("integer", "Seconds to wait before the object is deleted."),
    "ignoreStoreReadErrorWithClusterBreakingPotential": (
        "boolean", "Delete an object whose stored data cannot be read."),
    "labelSelector": ("string", "Restrict the returned objects by their labels."),
    "limit": ("integer", "Largest number of items to return; more come with `continue`."),
    "orphanDependents": ("boolean", "Deprecated: use propagationPolicy."),
    "propagationPolicy": ("string", "Garbage collection of dependents: Orphan, Background "
                                    "or Foreground."),
    "resourceVersion": ("string", "Which version of the data to serve or watch from."),
    "resourceVersionMatch": ("string", "How resourceVersion applies to a list: Exact or "
                                       "NotOlderThan."),
    "sendInitialEvents": ("boolean", "Start a watch with the current objects, ended by a "
                                     "bookmark annotated k8s.io/initial-events-end."),
    "timeoutSeconds": ("integer", "Server-side timeout of a list or watch call."),
    "watch": ("boolean", "Watch changes instead of returning a list."),
    # pods/log
    "container": ("string", "The container to use."),
    "follow": ("boolean", "Stream the log."),
    "insecureSkipTLSVerifyBackend": ("boolean", "Do not verify the kubelet's certificate."),
    "limitBytes": ("integer", "Bytes of log to return at most."),
    "previous": ("boolean", "Log of the previous, terminated container."),
    "sinceSeconds": ("integer", "Log lines newer than this many seconds."),
    "sinceTime": ("string", "Log lines newer than this RFC 3339 time."),
    "stream": ("string", "Log stream: All, Stdout or Stderr."),
    "tailLines": ("integer", "Lines from the end of the log to show."),
    "timestamps": ("boolean", "Prefix each line with its timestamp."),
    # exec / attach / portforward / proxy
    "command": ("string", "The command to run, one parameter per argument."),
    "stderr": ("boolean", "Redirect the standard error stream."),
    "stdin": ("boolean", "Redirect the standard input stream."),
    "stdout": ("boolean", "Redirect the standard output stream."),
    "tty": ("boolean", "Allocate a terminal."),
    "ports": ("integer", "Ports to forward."),
    "path": ("string", "Path to proxy to."),
}
PRETTY = ("pretty", "string", "Pretty-print the output.")

WRITE_QUERY = ("dryRun", "fieldManager", "fieldValidation")
PATCH_QUERY = WRITE_QUERY + ("force",)
DELETE_QUERY = ("dryRun", "gracePeriodSeconds",
                "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents",
                "propagationPolicy")
LIST_QUERY = ("allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
              "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
              "timeoutSeconds", "watch")
LOG_QUERY = ("container", "follow", "insecureSkipTLSVerifyBackend", "limitBytes",
             "previous", "sinceSeconds", "sinceTime", "stream", "tailLines", "timestamps")
CONNECT_QUERY = {
    "exec": ("command", "container", "stderr", "stdin", "stdout", "tty"),
    "attach": ("container", "stderr", "stdin", "stdout", "tty"),
    "portforward": ("ports",),
    "proxy": ("path",),
}
# REST verb of a subresource -> (HTTP method, action, operationId verb)
SUBRESOURCE_METHODS = {
    "get": ("get", "get", "read"),
    "update": ("put", "put", "replace"),
    "patch": ("patch", "patch", "patch"),
    "create": ("post", "post", "create"),
    "delete": ("delete", "delete", "delete"),
}
CONNECT_METHODS = {"get": "get", "create": "post", "update": "put", "patch": "patch",
                   "delete": "delete"}


def gv_path(group: str, version: str) -> str:
    """The key of a group-version in the v3 root: `api/v1`, `apis/apps/v1`."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def custom_definition_name(group: str, version: str, kind: str) -> str:
    """Upstream's name for a custom kind: the group in reverse-DNS order, e.g.
    `com.example.stable.v1.CronTab` for stable.example.com/v1 CronTab."""
    return ".".join(reversed(group.split("."))) + f".{version}.{kind}"


def kind_definition_name(rt: ResourceType) -> str | None:
    if rt.custom:
        return custom_definition_name(rt.group, rt.version, rt.kind)
    return k8s_schema.definition_name(rt.group, rt.version, rt.kind)


def list_definition_name(rt: ResourceType) -> str | None:
    if rt.custom:
        return custom_definition_name(rt.group, rt.version, rt.list_kind)
    return k8s_schema.definition_name(rt.group, rt.version, rt.list_kind)


def _camel_group(group: str) -> str:
    """`rbac.authorization.k8s.io` -> `RbacAuthorization`, `` -> `Core`."""
    if not group:
        return "Core"
    if group.endswith(".k8s.io"):
        group = group[: -len(".k8s.io")]
    return "".join(part[:1].upper() + part[1:] for part in group.replace("-", ".").split("."))


def _gvk(group: str, version: str, kind: str) -> dict:
    return {"group": group, "kind": kind, "version": version}


@dataclass
class _Operation:
    """One operation, independent of the OpenAPI version it is rendered into."""
    method: str  # get, put, post, patch, delete
    action: str  # x-kubernetes-action
    operation_id: str
    tag: str
    gvk: dict | None
    body: str | None = None  # request definition
    response: str | None = None  # response definition; None: a plain string
    query: tuple[str, ...] = ()
    codes: tuple[str, ...] = ("200",)
    patch_types: tuple[str, ...] = ()
    media: tuple[str, ...] = BUILTIN_MEDIA


@dataclass
class _PathItem:
    path: str
    namespaced: bool
    named: bool
    operations: list[_Operation]


def _resource_paths(rt: ResourceType) -> list[_PathItem]:
    """Every path and operation upstream serves for one resource."""
    prefix = "/" + gv_path(rt.group, rt.version)
    ns = "/namespaces/{namespace}" if rt.namespaced else ""
    collection = f"{prefix}{ns}/{rt.plural}"
    item = collection + "/{name}"
    tag = (_camel_group(rt.group)[:1].lower() + _camel_group(rt.group)[1:]
           + "_" + rt.version)
    id_mid = _camel_group(rt.group) + rt.version[:1].upper() + rt.version[1:]
    scope = "Namespaced" if rt.namespaced else ""
    kind_def = kind_definition_name(rt)
    list_def = list_definition_name(rt)
    gvk = _gvk(rt.group, rt.version, rt.kind)
    media = CUSTOM_MEDIA if rt.custom else BUILTIN_MEDIA
    patch_types = CUSTOM_PATCH_TYPES if rt.custom else BUILTIN_PATCH_TYPES
    verbs = set(rt.verbs)

    def op(method, action, verb, suffix="", **kw) -> _Operation:
        kw.setdefault("gvk", gvk)
        kw.setdefault("media", media)
        return _Operation(method, action, f"{verb}{id_mid}{scope}{rt.kind}{suffix}", tag, **kw)

    out: list[_PathItem] = []
    ops = []
    if "list" in verbs:
        ops.append(op("get", "list", "list", response=list_def, query=LIST_QUERY,
                      media=media + WATCH_MEDIA[: 1 if rt.custom else 2]))
    if "create" in verbs:
        ops.append(op("post", "post", "create", body=kind_def, response=kind_def,
                      query=WRITE_QUERY, codes=("200", "201", "202")))
    if "deletecollection" in verbs:
        ops.append(op("delete", "deletecollection", "deleteCollection", body=DELETE_OPTIONS,
                      response=STATUS, query=DELETE_QUERY + LIST_QUERY))
    if ops:
        out.append(_PathItem(collection, rt.namespaced, False, ops))
    ops = []
    if "get" in verbs:
        ops.append(op("get", "get", "read", response=kind_def))
    if "update" in verbs:
        ops.append(op("put", "put", "replace", body=kind_def, response=kind_def,
                      query=WRITE_QUERY, codes=("200", "201")))
    if "patch" in verbs:
        ops.append(op("patch", "patch", "patch", body=PATCH, response=kind_def,
                      query=PATCH_QUERY, codes=("200", "201"), patch_types=patch_types))
    if "delete" in verbs:
        ops.append(op("delete", "delete", "delete", body=DELETE_OPTIONS, response=STATUS,
                      query=DELETE_QUERY, codes=("200", "202")))
    if ops:
        out.append(_PathItem(item, rt.namespaced, True, ops))
    if "list" in verbs and rt.namespaced:
        out.append(_PathItem(f"{prefix}/{rt.plural}", False, False, [_Operation(
            "get", "list", f"list{id_mid}{rt.kind}ForAllNamespaces", tag, gvk,
            response=list_def, query=LIST_QUERY, media=media + WATCH_MEDIA)]))
    if "watch" in verbs:
        watch_media = ("application/json", "application/yaml") + WATCH_MEDIA
        watch_ops = [
            (f"{prefix}/watch{ns}/{rt.plural}", rt.namespaced, False, "watchlist",
             f"watch{id_mid}{scope}{rt.kind}List"),
            (f"{prefix}/watch{ns}/{rt.plural}/{{name}}", rt.namespaced, True, "watch",
             f"watch{id_mid}{scope}{rt.kind}"),
        ]
        if rt.namespaced:
            watch_ops.append((f"{prefix}/watch/{rt.plural}", False, False, "watchlist",
                              f"watch{id_mid}{rt.kind}ListForAllNamespaces"))
        for path, namespaced, named, action, op_id in watch_ops:
            out.append(_PathItem(path, namespaced, named, [_Operation(
                "get", action, op_id, tag, gvk, response=WATCH_EVENT, query=LIST_QUERY,
                media=watch_media)]))
    for sub in rt.subresources:
        out.append(_subresource_path(rt, sub, item, tag, id_mid, scope, patch_types, media))
    return out


def _subresource_path(rt: ResourceType, sub: Subresource, item: str, tag: str, id_mid: str,
                      scope: str, patch_types: tuple[str, ...], media) -> _PathItem:
    group = sub.group if sub.version else rt.group
    version = sub.version or rt.version
    gvk = _gvk(group, version, sub.kind)
    suffix = rt.kind + sub.name[:1].upper() + sub.name[1:]
    sub_def = (custom_definition_name(group, version, sub.kind) if rt.custom and not sub.version
               else k8s_schema.definition_name(group, version, sub.kind))
    ops = []
    if sub.name in CONNECT_QUERY:  # streams: exec, attach, portforward, proxy
        for verb in sub.verbs:
            method = CONNECT_METHODS[verb]
            ops.append(_Operation(
                method, "connect",
                f"connect{id_mid}{method[:1].upper()}{method[1:]}{scope}{suffix}", tag, gvk,
                query=CONNECT_QUERY[sub.name], media=("*/*",)))
        return _PathItem(f"{item}/{sub.name}", rt.namespaced, True, ops)
    for verb in sub.verbs:
        method, action, id_verb = SUBRESOURCE_METHODS[verb]
        if sub.name == "log":
            ops.append(_Operation(method, action, f"{id_verb}{id_mid}{scope}{suffix}", tag,
                                  gvk, query=LOG_QUERY, media=("text/plain",)))
            continue
        query, codes, body = (), ("200",), None
        types: tuple[str, ...] = ()
        if method == "put":
            query, codes, body = WRITE_QUERY, ("200", "201"), sub_def
        elif method == "patch":
            query, codes, body, types = PATCH_QUERY, ("200", "201"), PATCH, patch_types
        elif method == "post":
            query, codes, body = WRITE_QUERY, ("200", "201", "202"), sub_def
        elif method == "delete":
            query, codes, body = DELETE_QUERY, ("200", "202"), DELETE_OPTIONS
        ops.append(_Operation(method, action, f"{id_verb}{id_mid}{scope}{suffix}", tag, gvk,
                              body=body, response=sub_def, query=query, codes=codes,
                              patch_types=types, media=media))
    return _PathItem(f"{item}/{sub.name}", rt.namespaced, True, ops)


# ---------------------------------------------------------------- schemas

class _SchemaRenderer:
    """Rewrites the normalized definitions for one OpenAPI version, memoized per name:
    bare refs become `#/components/schemas/X` (v3) or `#/definitions/X` (v2); in v3 a
    ref carrying its own description is wrapped in `allOf` so `explain` keeps it."""

    def __init__(self, ref_prefix: str, wrap_refs: bool) -> None:
        self.ref_prefix = ref_prefix
        self.wrap_refs = wrap_refs
        self._done: dict[str, tuple[dict, frozenset[str]]] = {}

    def ref(self, name: str) -> dict:
        return {"$ref": self.ref_prefix + name}

    def render(self, node, refs: set[str]):
        if isinstance(node, list):
            return [self.render(v, refs) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and isinstance(node["$ref"], str):
            name = node["$ref"]
            refs.add(name)
            rest = {k: self.render(v, refs) for k, v in node.items() if k != "$ref"}
            if rest and self.wrap_refs:
                return {"allOf": [self.ref(name)], **rest}
            return {"$ref": self.ref_prefix + name, **rest}
        out = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                # keys here are field names (JSONSchemaProps has one called "default")
                out[key] = {f: self.render(v, refs) for f, v in value.items()}
            elif key in ("enum", "default", "example"):
                out[key] = value  # literal values, not schemas
            else:
                out[key] = self.render(value, refs)
        return out

    def definition(self, name: str) -> tuple[dict, frozenset[str]]:
        done = self._done.get(name)
        if done is None:
            source = k8s_schema.definitions()[name]
            refs: set[str] = set()
            rendered = self.render(source, refs)
            rendered.pop("$schema", None)
            rendered.pop("$id", None)
            if source.get("x-kubernetes-group-version-kind"):
                # kubernetes-validate pins apiVersion/kind with an enum; upstream does not.
                props = rendered.get("properties", {})
                for field in ("apiVersion", "kind"):
                    if "enum" in props.get(field, {}):
                        props[field] = {k: v for k, v in props[field].items() if k != "enum"}
            done = self._done[name] = (rendered, frozenset(refs))
        return done

    def closure(self, roots, out: dict[str, dict]) -> None:
        """Add every definition reachable from `roots` to `out`."""
        defs = k8s_schema.definitions()
        pending = [r for r in roots if r not in out]
        while pending:
            name = pending.pop()
            if name in out or name not in defs:
                continue
            rendered, refs = self.definition(name)
            out[name] = rendered
            pending.extend(r for r in refs if r not in out)


def _field_description(field: str) -> str:
    """Upstream's description of apiVersion/kind/metadata, as the schema package has it."""
    deployment = k8s_schema.definitions()["io.k8s.api.apps.v1.Deployment"]["properties"]
    return deployment[field].get("description", "")


def custom_kind_schema(rt: ResourceType, renderer: _SchemaRenderer) -> dict:
    """The definition of a custom kind: its CRD schema plus apiVersion, kind and an
    ObjectMeta metadata, as upstream publishes it."""
    body = copy.deepcopy(rt.schema) if rt.schema else {
        "type": "object", "x-kubernetes-preserve-unknown-fields": True}
    body.setdefault("type", "object")
    props = dict(body.get("properties") or {})
    props["apiVersion"] = {"type": "string", "description": _field_description("apiVersion")}
    props["kind"] = {"type": "string", "description": _field_description("kind")}
    props["metadata"] = renderer.render(
        {"$ref": OBJECT_META, "description": _field_description("metadata")}, set())
    body["properties"] = dict(sorted(props.items()))
    body["x-kubernetes-group-version-kind"] = [_gvk(rt.group, rt.version, rt.kind)]
    return body


def custom_list_schema(rt: ResourceType, renderer: _SchemaRenderer) -> dict:
    return {
        "description": f"{rt.kind}List is a list of {rt.kind}",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string", "description": _field_description("apiVersion")},
            "items": {"type": "array", "description": f"List of {rt.plural}.",
                      "items": renderer.ref(custom_definition_name(rt.group, rt.version,
                                                                   rt.kind))},
            "kind": {"type": "string", "description": _field_description("kind")},
            "metadata": renderer.render({"$ref": LIST_META, "description":
                                         "Standard list metadata."}, set()),
        },
        "x-kubernetes-group-version-kind": [_gvk(rt.group, rt.version, rt.list_kind)],
    }


def _schemas_for(resources: list[ResourceType], renderer: _SchemaRenderer) -> dict[str, dict]:
    out: dict[str, dict] = {}
    roots: list[str] = list(COMMON_DEFINITIONS)
    custom = False
    for rt in resources:
        if rt.custom:
            custom = True
            out[custom_definition_name(rt.group, rt.version, rt.kind)] = (
                custom_kind_schema(rt, renderer))
            out[custom_definition_name(rt.group, rt.version, rt.list_kind)] = (
                custom_list_schema(rt, renderer))
        else:
            roots.extend(n for n in (kind_definition_name(rt), list_definition_name(rt)) if n)
        for sub in rt.subresources:
            if sub.version or not rt.custom:
                name = k8s_schema.definition_name(sub.group if sub.version else rt.group,
                                                   sub.version or rt.version, sub.kind)
                if name:
                    roots.append(name)
    if custom:
        roots.extend((OBJECT_META, LIST_META))
    renderer.closure(roots, out)
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- rendering

def _query_parameter_v3(name: str) -> dict:
    kind, description = QUERY_PARAMETERS[name]
    schema = {"type": kind, "uniqueItems": True}
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _query_parameter_v2(name: str) -> dict:
    kind, description = QUERY_PARAMETERS[name]
    return {"uniqueItems": True, "type": kind, "description": description, "name": name,
            "in": "query"}


def _path_parameters_v3(item: _PathItem) -> list[dict]:
    params = []
    if item.named:
        params.append({"name": "name", "in": "path", "description": "name of the object",
                       "required": True, "schema": {"type": "string", "uniqueItems": True}})
    if item.namespaced:
        params.append({"name": "namespace", "in": "path", "description":
                       "object name and auth scope, such as for teams and projects",
                       "required": True, "schema": {"type": "string", "uniqueItems": True}})
    params.append({"name": PRETTY[0], "in": "query", "description": PRETTY[2],
                   "schema": {"type": PRETTY[1], "uniqueItems": True}})
    return params


def _path_parameters_v2(item: _PathItem) -> list[dict]:
    params = []
    if item.named:
        params.append({"uniqueItems": True, "type": "string", "description":
                       "name of the object", "name": "name", "in": "path", "required": True})
    if item.namespaced:
        params.append({"uniqueItems": True, "type": "string", "description":
                       "object name and auth scope, such as for teams and projects",
                       "name": "namespace", "in": "path", "required": True})
    params.append({"uniqueItems": True, "type": PRETTY[1], "description": PRETTY[2],
                   "name": PRETTY[0], "in": "query"})
    return params


CODE_TEXT = {"200": "OK", "201": "Created", "202": "Accepted"}


def _operation_v3(op: _Operation, ref) -> dict:
    response_schema = ref(op.response) if op.response else {"type": "string"}
    content = {media: {"schema": response_schema} for media in op.media}
    out: dict = {
        "tags": [op.tag],
        "description": f"{op.action} {op.gvk['kind'] if op.gvk else ''}".strip(),
        "operationId": op.operation_id,
    }
    if op.query:
        out["parameters"] = [_query_parameter_v3(q) for q in op.query]
    if op.patch_types:
        out["requestBody"] = {"content": {t: {"schema": ref(PATCH)} for t in op.patch_types},
                              "required": True}
    elif op.body:
        out["requestBody"] = {"content": {"*/*": {"schema": ref(op.body)}},
                              "required": op.method != "delete"}
    out["responses"] = {code: {"description": CODE_TEXT[code], "content": content}
                        for code in op.codes}
    out["responses"]["401"] = {"description": "Unauthorized"}
    out["x-kubernetes-action"] = op.action
    if op.gvk:
        out["x-kubernetes-group-version-kind"] = dict(op.gvk)
    return out


def _operation_v2(op: _Operation, ref) -> dict:
    out: dict = {
        "description": f"{op.action} {op.gvk['kind'] if op.gvk else ''}".strip(),
        "consumes": list(op.patch_types) if op.patch_types else ["*/*"],
        "produces": list(op.media),
        "schemes": ["https"],
        "tags": [op.tag],
        "operationId": op.operation_id,
    }
    params = []
    if op.patch_types:
        params.append({"name": "body", "in": "body", "required": True, "schema": ref(PATCH)})
    elif op.body:
        params.append({"name": "body", "in": "body", "required": op.method != "delete",
                       "schema": ref(op.body)})
    params.extend(_query_parameter_v2(q) for q in op.query)
    if params:
        out["parameters"] = params
    response_schema = ref(op.response) if op.response else {"type": "string"}
    out["responses"] = {code: {"description": CODE_TEXT[code], "schema": response_schema}
                        for code in op.codes}
    out["responses"]["401"] = {"description": "Unauthorized"}
    out["x-kubernetes-action"] = op.action
    if op.gvk:
        out["x-kubernetes-group-version-kind"] = dict(op.gvk)
    return out


def _render_paths(resources: list[ResourceType], render_op, path_params) -> dict[str, dict]:
    paths: dict[str, dict] = {}
    for rt in resources:
        for item in _resource_paths(rt):
            entry = paths.setdefault(item.path, {})
            for op in item.operations:
                entry[op.method] = render_op(op)
            entry["parameters"] = path_params(item)
    return dict(sorted(paths.items()))


class OpenAPIDocuments:
    """The OpenAPI v3 and v2 documents of one registry, built lazily and cached."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._lock = threading.Lock()
        self._v3: dict[str, tuple[bytes, str]] = {}
        self._v2: bytes | None = None
        self._v3_renderer = _SchemaRenderer("#/components/schemas/", wrap_refs=True)
        self._v2_renderer = _SchemaRenderer("#/definitions/", wrap_refs=False)

    def invalidate(self) -> None:
        """Forget the documents (their schemas renderings of built-in definitions stay)."""
        with self._lock:
            self._v3.clear()
            self._v2 = None

    def _group_versions(self) -> dict[str, list[ResourceType]]:
        out: dict[str, list[ResourceType]] = {}
        for rt in self._registry.all():
            out.setdefault(gv_path(rt.group, rt.version), []).append(rt)
        for resources in out.values():
            resources.sort(key=lambda r: r.plural)
        return out

    def v3_root(self) -> dict:
        paths = {}
        for path in sorted(self._group_versions()):
            built = self.v3_document(path)
            if built:
                paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={built[1]}"}
        return {"paths": paths}

    def v3_document(self, gv_path: str) -> tuple[bytes, str] | None:
        """(document bytes, hash) of `api/v1` or `apis/<group>/<version>`; None if not served."""
        gv_path = gv_path.strip("/")
        cached = self._v3.get(gv_path)
        if cached is not None:
            return cached
        resources = self._group_versions().get(gv_path)
        if not resources:
            return None
        with self._lock:
            renderer = self._v3_renderer
            ref = renderer.ref
            doc = {
                "openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                "paths": _render_paths(resources, lambda op: _operation_v3(op, ref),
                                       _path_parameters_v3),
                "components": {"schemas": _schemas_for(resources, renderer)},
            }
            body = orjson.dumps(doc)
            built = (body, hashlib.sha512(body).hexdigest().upper())
            self._v3[gv_path] = built
        return built

    def v2_document(self) -> bytes:
        """The swagger 2.0 document of every served resource."""
        if self._v2 is not None:
            return self._v2
        with self._lock:
            resources = sorted(self._registry.all(),
                               key=lambda r: (r.group, r.version, r.plural))
            renderer = self._v2_renderer
            ref = renderer.ref
            doc = {
                "swagger": "2.0",
                "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                "paths": _render_paths(resources, lambda op: _operation_v2(op, ref),
                                       _path_parameters_v2),
                "definitions": _schemas_for(resources, renderer),
            }
            self._v2 = orjson.dumps(doc)
        return self._v2
