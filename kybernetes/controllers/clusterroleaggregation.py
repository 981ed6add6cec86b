# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets,
as its rules, the rules of every ClusterRole its selectors match (admin, edit and view
pick up roles labelled rbac.authorization.k8s.io/aggregate-to-*)."""
from __future__ import annotations

from kybernetes.api import selectors
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.informer import object_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

CLUSTER_ROLES = resource("clusterroles.rbac.authorization.k8s.io")


def aggregated_rules(role: dict, cluster_roles: list[dict]) -> list[dict]:
    """The rules `role` aggregates: those of the roles its selectors match, in name
    order, each rule once."""
    selector_list = [selectors.selector_from_label_selector_object(s)
                     for s in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []]
    name = role["metadata"]["name"]
    rules: list[dict] = []
    for other in sorted(cluster_roles, key=lambda r: r["metadata"]["name"]):
        if other["metadata"]["name"] == name:
            continue
        labels = other["metadata"].get("labels") or {}
        if not any(not s.empty() and s.matches(labels) for s in selector_list):
            continue
        for rule in other.get("rules") or []:
            if rule not in rules:
                rules.append(rule)
    return rules


class ClusterRoleAggregationController(Controller):
    name = "clusterrole-aggregation"
    workers = 1

    def setup(self) -> None:
        self.roles = self.informer(CLUSTER_ROLES)

        def handler(kind: str, old: dict | None, new: dict | None) -> None:
            # any role may now match (or stop matching) any aggregating role
            for role in self.roles.list():
                if role.get("aggregationRule"):
                    self.queue.add(object_key(role))
            for obj in (old, new):
                if obj is not None and obj.get("aggregationRule"):
                    self.queue.add(object_key(obj))
        self.roles.add_handler(handler)

    async def reconcile(self, key: str) -> None:
        role = self.roles.get(key)
        if role is None or not role.get("aggregationRule"):
            return
        wanted = aggregated_rules(role, self.roles.list())
        if (role.get("rules") or []) == wanted:
            return
        try:
            # an update carries the resourceVersion read: a stale copy gets 409, and the
            # informer's event for the newer one queues this role again
            await self.client.update(CLUSTER_ROLES, dict(role, rules=wanted))
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise

CONTROLLERS = [ClusterRoleAggregationController]
