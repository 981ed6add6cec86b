# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The ServiceAccount admission plugin (on by default in Kubernetes 1.32).

A new pod runs as `default` unless it names a service account, which must exist (the
`default` one is looked up a few times: the serviceaccount controller creates it just
after its namespace). Unless the pod or its account turns automountServiceAccountToken
off, every container and init container mounts a projected `kube-api-access-<5>` volume
(a bound token, the cluster CA, the namespace) read-only at
/var/run/secrets/kubernetes.io/serviceaccount; the account's imagePullSecrets are copied
to a pod that has none. An account annotated kubernetes.io/enforce-mountable-secrets
limits the pod to the secrets it lists."""
from __future__ import annotations

import asyncio
import random

from kybernetes.apiserver import errors
from kybernetes.apiserver.admission import AdmissionRequest, Plugin
from kybernetes.apiserver.objects import GENERATE_NAME_CHARS

ORDER = 20  # after LimitRanger, before Priority, as upstream's plugin order
DEFAULT_SERVICE_ACCOUNT = "default"
VOLUME_PREFIX = "kube-api-access-"
MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_EXPIRATION_SECONDS = 3607
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
ENFORCE_MOUNTABLE_SECRETS = "kubernetes.io/enforce-mountable-secrets"
DEFAULT_LOOKUP_ATTEMPTS = 10  # the default account is retried, others looked up once


def mirror_pod_problem(spec: dict) -> str | None:
    """Why a mirror pod may not be created (upstream's words), or None."""
    from kybernetes.apiserver.admission_plugins.noderestriction import references
    if spec.get("serviceAccountName") or spec.get("serviceAccount"):
        return "a mirror pod may not reference service accounts"
    if references(spec, "secretRef", "secretKeyRef", "secret"):
        return "a mirror pod may not reference secrets"
    for volume in spec.get("volumes") or ():
        if any(source.get("serviceAccountToken") is not None
               for source in (volume.get("projected") or {}).get("sources") or ()):
            return "a mirror pod may not use ServiceAccountToken volume projections"
    return None


def should_automount(account: dict, pod: dict) -> bool:
    """The pod's choice wins, then the account's; on when neither says."""
    pod_choice = (pod.get("spec") or {}).get("automountServiceAccountToken")
    if pod_choice is not None:
        return bool(pod_choice)
    account_choice = account.get("automountServiceAccountToken")
    return True if account_choice is None else bool(account_choice)


def token_volume(name: str) -> dict:
    return {"name": name, "projected": {"defaultMode": 0o644, "sources": [
        {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}},
        {"configMap": {"name": ROOT_CA_CONFIG_MAP, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}


def mount_token(pod: dict, suffix: str) -> None:
    """Add the token volume and a read-only mount of it to every (init) container that
    does not already mount something at the service-account path."""
    spec = pod.setdefault("spec", {})
    volumes = spec.get("volumes") or []
    existing = next((v["name"] for v in volumes if str(v.get("name", "")).startswith(VOLUME_PREFIX)), "")
    name = existing or VOLUME_PREFIX + suffix
    mount = {"name": name, "readOnly": True, "mountPath": MOUNT_PATH}
    needed = False
    for section in ("initContainers", "containers"):
        for container in spec.get(section) or []:
            mounts = container.get("volumeMounts") or []
            if any(m.get("mountPath") == MOUNT_PATH for m in mounts):
                continue
            container["volumeMounts"] = [*mounts, dict(mount)]
            needed = True
    if needed and not existing:
        spec["volumes"] = [*volumes, token_volume(name)]


def _named(refs: list | None) -> set[str]:
    return {r.get("name", "") for r in refs or [] if isinstance(r, dict)}


def unmountable_secret(pod: dict, account: dict) -> str | None:
    """Why the pod may not use a secret its account does not list, or None."""
    allowed, name = _named(account.get("secrets")), account["metadata"]["name"]
    spec = pod.get("spec") or {}
    for volume in spec.get("volumes") or []:
        secret = (volume.get("secret") or {}).get("secretName")
        if secret is not None and secret not in allowed:
            return (f'volume with secret.secretName="{secret}" is not allowed because service '
                    f'account {name} does not reference that secret')
        for source in (volume.get("projected") or {}).get("sources") or []:
            secret = (source.get("secret") or {}).get("name")
            if secret is not None and secret not in allowed:
                return (f'projected volume with secret.name="{secret}" is not allowed because '
                        f'service account {name} does not reference that secret')
    for section, label in (("initContainers", "init container"), ("containers", "container"),
                           ("ephemeralContainers", "ephemeral container")):
        for container in spec.get(section) or []:
            for env in container.get("env") or []:
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref.get("name") not in allowed:
                    return (f'{label} {container.get("name")} with envVar {env.get("name")} '
                            f'referencing secret.secretName="{ref.get("name")}" is not allowed '
                            f'because service account {name} does not reference that secret')
            for source in container.get("envFrom") or []:
                ref = source.get("secretRef")
                if ref and ref.get("name") not in allowed:
                    return (f'{label} {container.get("name")} with envFrom referencing '
                            f'secret.secretName="{ref.get("name")}" is not allowed because '
                            f'service account {name} does not reference that secret')
    pull_allowed = _named(account.get("imagePullSecrets"))
    for ref in spec.get("imagePullSecrets") or []:
        if ref.get("name") not in pull_allowed:
            return (f'pull secret with name "{ref.get("name")}" is not allowed because service '
                    f'account {name} does not reference that imagePullSecret')
    return None


class ServiceAccountAdmission(Plugin):
    name = "ServiceAccount"

    def __init__(self, server) -> None:
        self.server = server

    @staticmethod
    def _applies(request: AdmissionRequest) -> bool:
        return request.rt.group == "" and request.rt.kind == "Pod" and \
            request.operation == "CREATE" and not request.subresource and request.obj is not None

    async def _account(self, request: AdmissionRequest, namespace: str, name: str) -> dict | None:
        """From the cache first, then live reads; the default account a few times, with a
        short random pause, since its controller creates it right after the namespace."""
        rt = request.objects.registry.by_kind("", "v1", "ServiceAccount")
        cached = request.objects.cache(rt).get(request.objects.key(rt, namespace, name))
        if cached is not None:
            return cached.obj
        attempts = DEFAULT_LOOKUP_ATTEMPTS if name == DEFAULT_SERVICE_ACCOUNT else 1
        pause = random.uniform(0.1, 0.2)
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(pause)
            cached = await request.objects.get_cached(rt, namespace, name)
            if cached is not None:
                return cached.obj
        return None

    def _forbidden(self, request: AdmissionRequest, why: str) -> errors.ApiError:
        name = request.obj["metadata"].get("name", "")
        return errors.forbidden(f'pods "{name}" is forbidden: {why}', request.rt, name)

    async def admit(self, request: AdmissionRequest) -> None:
        if not self._applies(request):
            return
        pod = request.obj
        if (pod["metadata"].get("annotations") or {}).get(MIRROR_ANNOTATION) is not None:
            problem = mirror_pod_problem(pod.get("spec") or {})
            if problem:  # static pods run without the API: they may not depend on it
                raise self._forbidden(request, problem)
            return
        spec = pod.setdefault("spec", {})
        account_name = spec.get("serviceAccountName") or spec.get("serviceAccount") or \
            DEFAULT_SERVICE_ACCOUNT
        spec["serviceAccountName"] = spec["serviceAccount"] = account_name
        namespace = pod["metadata"].get("namespace", "")
        account = await self._account(request, namespace, account_name)
        if account is None:
            raise self._forbidden(request, f"error looking up service account {namespace}/"
                                           f'{account_name}: serviceaccount "{account_name}" not found')
        if should_automount(account, pod):
            mount_token(pod, "".join(random.choice(GENERATE_NAME_CHARS) for _ in range(5)))
        if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [{"name": r.get("name", "")} for r in account["imagePullSecrets"]]

    async def validate(self, request: AdmissionRequest) -> None:
        if not self._applies(request):
            return
        pod = request.obj
        if (pod["metadata"].get("annotations") or {}).get(MIRROR_ANNOTATION) is not None:
            return
        spec = pod.get("spec") or {}
        account = await self._account(request, pod["metadata"].get("namespace", ""),
                                      spec.get("serviceAccountName") or DEFAULT_SERVICE_ACCOUNT)
        if account is None:
            return  # admit has refused it already
        if (account["metadata"].get("annotations") or {}).get(ENFORCE_MOUNTABLE_SECRETS) == "true":
            why = unmountable_secret(pod, account)
            if why:
                raise self._forbidden(request, why)


def plugins(server) -> list[Plugin]:
    return [ServiceAccountAdmission(server)]
