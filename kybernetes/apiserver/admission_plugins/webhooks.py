# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""MutatingAdmissionWebhook and ValidatingAdmissionWebhook (on by default in 1.32).

Upstream orders them near the end: mutating webhooks after the built-in mutating
plugins, validating webhooks after every other validation and just before
ResourceQuota. One plugin here does both: its `admit` is the mutating phase, its
`validate` the validating phase. A DELETE passes only the admit phase of kybernetes'
write path, so both kinds of webhook are called from there for it (mutating first)."""
from __future__ import annotations

from kybernetes.apiserver.admission import AdmissionRequest, Plugin
from kybernetes.apiserver.webhooks.dispatch import WebhookDispatcher

ORDER = 900  # after the built-in plugins, before ResourceQuota (1000)


class MutatingAdmissionWebhook(Plugin):
    name = "MutatingAdmissionWebhook"

    def __init__(self, dispatcher: WebhookDispatcher) -> None:
        self.dispatcher = dispatcher

    async def admit(self, request: AdmissionRequest) -> None:
        await self.dispatcher.mutate(request)


class ValidatingAdmissionWebhook(Plugin):
    name = "ValidatingAdmissionWebhook"

    def __init__(self, dispatcher: WebhookDispatcher) -> None:
        self.dispatcher = dispatcher

    async def admit(self, request: AdmissionRequest) -> None:
        if request.operation == "DELETE":  # DELETE has no validate phase here
            await self.dispatcher.validate(request)

    async def validate(self, request: AdmissionRequest) -> None:
        if request.operation != "DELETE":
            await self.dispatcher.validate(request)


def plugins(server) -> list[Plugin]:
    dispatcher = WebhookDispatcher(server.objects)
    return [MutatingAdmissionWebhook(dispatcher), ValidatingAdmissionWebhook(dispatcher)]
