# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The webhooks in force, read from the API server's watch cache of the configuration
objects (kept current by the store's watch), never from the store per request. The
flattened list is rebuilt only when a configuration changed; configurations are taken
in name order, their webhooks in the order written, as upstream."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kybernetes.apiserver.webhooks.rules import ADMISSION_GROUP

if TYPE_CHECKING:
    from kybernetes.apiserver.objects import Objects

MUTATING_KIND = "MutatingWebhookConfiguration"
VALIDATING_KIND = "ValidatingWebhookConfiguration"


@dataclass(frozen=True)
class Webhook:
    configuration: str
    hook: dict  # the stored (defaulted) webhook entry; shared with the cache: read-only

    @property
    def name(self) -> str:
        return self.hook.get("name", "")

    def get(self, key: str, default=None):
        return self.hook.get(key, default)


def flatten(configurations: list[dict]) -> list[Webhook]:
    ordered = sorted(configurations, key=lambda c: (c.get("metadata") or {}).get("name", ""))
    return [Webhook((c.get("metadata") or {}).get("name", ""), hook)
            for c in ordered for hook in c.get("webhooks") or [] if isinstance(hook, dict)]


class ConfigurationSource:
    def __init__(self, objects: "Objects", kind: str) -> None:
        self.objects = objects
        self.kind = kind
        self._signature: tuple = ()
        self._webhooks: list[Webhook] = []

    def webhooks(self) -> list[Webhook]:
        rt = self.objects.registry.by_kind(ADMISSION_GROUP, "v1", self.kind)
        if rt is None:
            return []
        items, _ = self.objects.cache(rt).list()
        signature = tuple((item.key, item.revision) for item in items)
        if signature != self._signature:
            self._webhooks = flatten([item.obj for item in items])
            self._signature = signature
        return self._webhooks
