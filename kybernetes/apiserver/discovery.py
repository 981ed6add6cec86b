# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""API discovery documents: legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated
(apidiscovery.k8s.io/v2), built from the resource registry."""
from __future__ import annotations

from kybernetes.api.resources import GROUP_ORDER, Registry, ResourceType

AGGREGATED_MEDIA = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def wants_aggregated(accept: str) -> str | None:
    """The aggregated version the client accepts first ('v2' or 'v2beta1'), or None."""
    for part in accept.split(","):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p)
        if params.get("g") == "apidiscovery.k8s.io" and \
                params.get("as") == "APIGroupDiscoveryList" and params.get("v") in ("v2", "v2beta1"):
            return params["v"]
    return None


def _sorted_groups(registry: Registry) -> list[tuple[str, list[str]]]:
    groups = registry.group_versions()
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def api_versions(server_address: str) -> dict:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group_entry(group: str, versions: list[str]) -> dict:
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}


def api_group_list(registry: Registry) -> dict:
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group_entry(g, vs) for g, vs in _sorted_groups(registry) if g]}


def api_group(registry: Registry, group: str) -> dict | None:
    versions = registry.group_versions().get(group)
    if not versions:
        return None
    return dict(_group_entry(group, versions), kind="APIGroup", apiVersion="v1")


def api_resource_list(registry: Registry, group: str, version: str) -> dict | None:
    types = registry.in_group_version(group, version)
    if not types:
        return None
    resources = []
    for rt in types:
        entry = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                 "kind": rt.kind, "verbs": list(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for sub in rt.subresources:
            sub_entry = {"name": f"{rt.plural}/{sub.name}", "singularName": "",
                         "namespaced": rt.namespaced, "kind": sub.kind, "verbs": list(sub.verbs)}
            if sub.group:
                sub_entry["group"], sub_entry["version"] = sub.group, sub.version
            resources.append(sub_entry)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": resources}


def _aggregated_resource(rt: ResourceType) -> dict:
    entry = {"resource": rt.plural, "responseKind": {"group": rt.group, "version": rt.version,
                                                    "kind": rt.kind},
             "scope": "Namespaced" if rt.namespaced else "Cluster",
             "singularResource": rt.singular, "verbs": list(rt.verbs)}
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subs = []
    for sub in rt.subresources:
        subs.append({"subresource": sub.name, "responseKind": {
            "group": sub.group if sub.group else rt.group,
            "version": sub.version if sub.version else rt.version, "kind": sub.kind},
            "verbs": list(sub.verbs)})
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(registry: Registry, legacy: bool, version: str = "v2") -> dict:
    """The APIGroupDiscoveryList for /api (legacy=True) or /apis."""
    items = []
    for group, versions in _sorted_groups(registry):
        if (group == "") != legacy:
            continue
        entries = []
        for v in versions:
            entries.append({"version": v, "resources": [
                _aggregated_resource(rt) for rt in registry.in_group_version(group, v)],
                "freshness": "Current"})
        items.append({"metadata": {"name": group} if group else {},
                      "versions": entries})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}",
            "metadata": {}, "items": items}
