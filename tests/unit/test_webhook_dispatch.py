# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The webhook plugins on the write path of an in-memory API server, for what is
decided before any call is made: dry-run refusal by webhooks with side effects (a
configuration stored by an older server, written straight to the store as such),
no AdmissionReview version in common, CEL matchConditions, failurePolicy, and the
configuration objects being exempt."""
from __future__ import annotations

import asyncio

import orjson
import pytest

from kybernetes.apiserver import errors
from kybernetes.apiserver.server import APIServer, APIServerConfig

GROUP = "admissionregistration.k8s.io"


def hook(name: str, **fields) -> dict:
    out = {"name": name, "clientConfig": {"url": "https://127.0.0.1:1/never"},
           "rules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"],
                      "resources": ["*"], "scope": "*"}],
           "failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": {},
           "objectSelector": {}, "sideEffects": "None", "timeoutSeconds": 1,
           "admissionReviewVersions": ["v1"]}
    out.update(fields)
    return out


def run(configurations: list[tuple[str, dict]], scenario) -> None:
    """Start an in-memory server, store the configurations as they are (no validation:
    as an older server may have stored them), then run `scenario(server)`."""
    async def main():
        server = APIServer(APIServerConfig(datastore="memory:",
                                           disabled_admission_plugins=["ServiceAccount"]))
        await server.start()
        try:
            for kind, webhook in configurations:
                name = webhook["name"].split(".")[0]
                obj = {"apiVersion": f"{GROUP}/v1", "kind": kind,
                       "metadata": {"name": name, "uid": name}, "webhooks": [webhook]}
                rt = server.registry.by_kind(GROUP, "v1", kind)
                await server.store.create(server.objects.key(rt, None, name), orjson.dumps(obj))
                await server.objects.fresh_cache(rt)
            await scenario(server)
        finally:
            await server.stop()
    asyncio.run(main())


async def create_configmap(server, dry_run: bool = False) -> dict:
    rt = server.registry.by_kind("", "v1", "ConfigMap")
    return await server.objects.create(rt, "default", {"metadata": {"name": "cm"}, "data": {}},
                                       manager="test", dry_run=dry_run)


def test_dry_run_refused_by_webhook_with_side_effects():
    async def scenario(server):
        with pytest.raises(errors.ApiError) as caught:
            await create_configmap(server, dry_run=True)
        assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
        assert caught.value.message == 'admission webhook "effects.example.com" does not support dry run'
    run([("ValidatingWebhookConfiguration", hook("effects.example.com", sideEffects="Unknown",
                                                 failurePolicy="Ignore"))], scenario)


@pytest.mark.parametrize("fields,why", [
    ({"admissionReviewVersions": ["v2"]},
     "could not create admission objects: webhook does not accept known AdmissionReview versions"),
    ({"matchConditions": [{"name": "x", "expression": "true"}]},
     "failed evaluating match conditions"),
])
@pytest.mark.parametrize("kind", ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"])
def test_failures_before_the_call_follow_failure_policy(fields, why, kind):
    async def refused(server):
        with pytest.raises(errors.ApiError) as caught:
            await create_configmap(server)
        assert (caught.value.code, caught.value.reason) == (500, "InternalError")
        assert caught.value.message.startswith(
            f'Internal error occurred: failed calling webhook "broken.example.com": {why}')
    run([(kind, hook("broken.example.com", **fields))], refused)

    async def allowed(server):
        created = await create_configmap(server)
        assert created["metadata"]["name"] == "cm"
    run([(kind, hook("broken.example.com", failurePolicy="Ignore", **fields))], allowed)


def test_unreachable_webhook_fails_closed_but_not_for_its_own_configuration():
    async def scenario(server):
        with pytest.raises(errors.ApiError) as caught:
            await create_configmap(server)
        assert caught.value.message == (
            'Internal error occurred: failed calling webhook "down.example.com": failed to call '
            'webhook: Post "https://127.0.0.1:1/never?timeout=1s": dial tcp 127.0.0.1:1: connect: '
            "connection refused")
        rt = server.registry.by_kind(GROUP, "v1", "ValidatingWebhookConfiguration")
        _, removed = await server.objects.delete(rt, None, "down", {})
        assert removed
    run([("ValidatingWebhookConfiguration", hook("down.example.com"))], scenario)
