# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ResourceQuota admission: a write that would take a namespace past one of its quotas
is refused with 403 and upstream's message; an admitted one is charged to the quota's
status.used at once (compare-and-swap on the quota, re-checked on every retry), so two
creates racing for the last unit cannot both win. The resource-quota controller later
recomputes status.used from what is really stored.

Upstream runs ResourceQuota last, in the validating phase, after the webhooks."""
from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from kybernetes.api import quota
from kybernetes.apiserver import errors
from kybernetes.apiserver.admission import AdmissionRequest, Plugin

if TYPE_CHECKING:
    from kybernetes.apiserver.objects import Objects

ORDER = 1000
MANAGER = "kube-apiserver"
# kinds upstream's quota admission never evaluates
IGNORED = {("", "events"), ("events.k8s.io", "events")}
_REMEMBERED_CHARGES = 1024


class QuotaRefused(Exception):
    """The part of upstream's message after `<resource> "<name>" is forbidden: `."""


def _hard(q: dict) -> quota.Amounts:
    return quota.parse_amounts((q.get("status") or {}).get("hard"))


def _used(q: dict) -> quota.Amounts:
    return quota.parse_amounts((q.get("status") or {}).get("used"))


def request_charges(quotas: list[dict], group: str, plural: str, operation: str,
                    obj: dict, old: dict | None) -> dict[str, quota.Amounts]:
    """quota name -> what this write adds to it; QuotaRefused when the object breaks a
    quota's constraints, a quota's usage is not known yet, or a limit would be passed.
    Quotas are enforced by their status.hard, as upstream (the controller fills it)."""
    interesting: list[dict] = []
    for q in quotas:
        hard_names = list(_hard(q))
        if not quota.quota_matches(q, hard_names, group, plural, obj):
            continue
        restricted = quota.matching_resources(group, plural, hard_names)
        if (group, plural) == ("", "pods"):
            missing = quota.missing_container_resources(obj, restricted)
            if missing:
                raise QuotaRefused(f"failed quota: {q['metadata']['name']}: {missing}")
        used = _used(q)
        unknown = [name for name in restricted if name not in used]
        if unknown:
            raise QuotaRefused(f"status unknown for quota: {q['metadata']['name']}, "
                               f"resources: {','.join(sorted(unknown))}")
        interesting.append(q)
    if not interesting:
        return {}
    delta = quota.usage(group, plural, obj)
    charges: dict[str, quota.Amounts] = {}
    for q in interesting:
        charge = delta
        if operation == "UPDATE" and old is not None and \
                (old.get("metadata") or {}).get("resourceVersion") and \
                quota.matches_scopes(q, group, plural, old):
            charge = quota.subtract_non_negative(delta, quota.usage(group, plural, old))
        charge = quota.without_zeros(quota.mask(charge, _hard(q)))
        if charge:
            check_charge(q, charge)
            charges[q["metadata"]["name"]] = charge
    return charges


def check_charge(q: dict, charge: quota.Amounts) -> quota.Amounts:
    """The quota's status.used after `charge`, or QuotaRefused with upstream's message."""
    hard, used = _hard(q), _used(q)
    new_used = quota.add(used, charge)
    over = quota.exceeded(quota.mask(new_used, charge), hard)
    if over:
        raise QuotaRefused(
            f"exceeded quota: {q['metadata']['name']}, "
            f"requested: {quota.pretty(quota.mask(charge, over))}, "
            f"used: {quota.pretty(quota.mask(used, over))}, "
            f"limited: {quota.pretty(quota.mask(hard, over))}")
    return new_used


def refund(q: dict, charge: quota.Amounts) -> quota.Amounts:
    return quota.subtract_non_negative(_used(q), charge)


def forbidden(request: AdmissionRequest, why: str) -> errors.ApiError:
    name = (request.obj or {}).get("metadata", {}).get("name", "")
    resource = request.rt.group_resource
    subject = f'{resource} "{name}"' if name else resource
    return errors.forbidden(f"{subject} is forbidden: {why}", request.rt, name)


class ResourceQuotaAdmission(Plugin):
    def __init__(self, server) -> None:
        self.quota_type = server.registry.by_kind("", "v1", "ResourceQuota")
        # (namespace, uid) -> {quota name: charge}, to refund when the store refuses
        self._charged: OrderedDict[tuple[str, str], dict[str, quota.Amounts]] = OrderedDict()

    async def validate(self, request: AdmissionRequest) -> None:
        rt, obj = request.rt, request.obj
        if obj is None or not rt.namespaced or (rt.group, rt.plural) in IGNORED:
            return
        if not quota.handles(rt.group, rt.plural, request.operation, request.subresource):
            return
        namespace = (obj.get("metadata") or {}).get("namespace") or ""
        items, _, _, _ = await request.objects.list(self.quota_type, namespace)
        if not items:
            return
        try:
            charges = request_charges([item.obj for item in items], rt.group, rt.plural,
                                      request.operation, obj, request.old)
        except QuotaRefused as exc:
            raise forbidden(request, str(exc)) from None
        if not charges or request.dry_run:
            return
        done: dict[str, quota.Amounts] = {}
        try:
            for name, charge in charges.items():
                await self._write_used(request.objects, namespace, name,
                                       lambda q, c=charge: check_charge(q, c))
                done[name] = charge
        except QuotaRefused as exc:
            await self._refund(request.objects, namespace, done)
            raise forbidden(request, str(exc)) from None
        except BaseException:
            await self._refund(request.objects, namespace, done)
            raise
        if request.operation == "CREATE":
            key = (namespace, obj["metadata"].get("uid", ""))
            self._charged[key] = done
            while len(self._charged) > _REMEMBERED_CHARGES:
                self._charged.popitem(last=False)

    async def rollback(self, request: AdmissionRequest) -> None:
        obj = request.obj or {}
        namespace = (obj.get("metadata") or {}).get("namespace") or ""
        done = self._charged.pop((namespace, (obj.get("metadata") or {}).get("uid", "")), None)
        if done:
            await self._refund(request.objects, namespace, done)

    async def _refund(self, objects: "Objects", namespace: str,
                      charges: dict[str, quota.Amounts]) -> None:
        for name, charge in charges.items():
            try:
                await self._write_used(objects, namespace, name, lambda q, c=charge: refund(q, c))
            except errors.ApiError:
                pass  # the controller's next pass corrects it

    async def _write_used(self, objects: "Objects", namespace: str, name: str, compute) -> None:
        """Set status.used to compute(current quota); compute runs again on each retry."""

        def mutate(current: dict | None) -> dict:
            if current is None:
                raise errors.not_found(self.quota_type, name)
            used = compute(current)
            status = current.setdefault("status", {})
            status["used"] = quota.render(used)
            return current
        try:
            await objects.update(self.quota_type, namespace, name, mutate, manager=MANAGER,
                                 subresource="status")
        except errors.ApiError as exc:
            if exc.code == 404:  # the quota went away meanwhile: nothing to charge
                return
            raise


def plugins(server) -> list[Plugin]:
    return [ResourceQuotaAdmission(server)]
