# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""PodSecurity admission (on by default, as in Kubernetes 1.32): the Pod Security
Standards level a namespace's pod-security.kubernetes.io/* labels ask for is enforced on
pods (403 Forbidden), warned about in Warning headers and recorded in audit annotations;
pod templates of workloads get warnings and audit annotations only. The decisions are in
kybernetes/podsecurity; this module feeds them the namespace and the pods.

Configuration: the PodSecurity entry of --admission-control-config-file (cluster-wide
defaults and exemptions); without one every mode defaults to privileged:latest and
nothing is exempt. --disable-admission-plugins=PodSecurity turns it off."""
from __future__ import annotations

from kybernetes.apiserver import errors
from kybernetes.apiserver.admission import AdmissionRequest, Plugin
from kybernetes.podsecurity import PodSecurityAdmission, load_admission_configuration
from kybernetes.podsecurity.admission import (IGNORED_POD_SUBRESOURCES, POD_TEMPLATE_KINDS,
                                              Decision)
from kybernetes.podsecurity.config import DEFAULT_CONFIGURATION
from kybernetes.podsecurity.levels import LABEL_PREFIX

ORDER = 50  # a validating plugin: after the mutating built-ins, before webhooks and quota
CONFIG_FILE_KEY = "admission_control_config_file"  # APIServerConfig.extra


class PodSecurity(Plugin):
    name = "PodSecurity"

    def __init__(self, server) -> None:
        path = (getattr(server.config, "extra", None) or {}).get(CONFIG_FILE_KEY)
        config = load_admission_configuration(path) if path else DEFAULT_CONFIGURATION
        self.policy = PodSecurityAdmission(config)
        self.namespaces_rt = server.registry.by_kind("", "v1", "Namespace")
        self.pods_rt = server.registry.by_kind("", "v1", "Pod")

    async def _namespace(self, request: AdmissionRequest, name: str) -> dict:
        objects = request.objects
        cached = objects.cache(self.namespaces_rt).get(objects.key(self.namespaces_rt, None, name))
        if cached is None:
            cached = await objects.get_cached(self.namespaces_rt, None, name)
        if cached is None:
            raise errors.ApiError(404, "NotFound", f'namespaces "{name}" not found',
                                  name=name, kind="namespaces")
        return cached.obj

    async def validate(self, request: AdmissionRequest) -> None:
        if request.operation not in ("CREATE", "UPDATE") or request.obj is None:
            return
        rt = request.rt
        if rt.group == "" and rt.kind == "Namespace":
            await self._validate_namespace(request)
            return
        is_pod = rt.group == "" and rt.kind == "Pod"
        if not is_pod and (rt.group, rt.kind) not in POD_TEMPLATE_KINDS:
            return
        if request.subresource in IGNORED_POD_SUBRESOURCES or \
                (request.subresource and not is_pod):
            return  # never evaluated (status writes are most writes): skip the lookup too
        meta = request.obj.get("metadata") or {}
        namespace_name = meta.get("namespace") or ""
        username = (request.user or {}).get("name", "")
        labels = ((await self._namespace(request, namespace_name)).get("metadata") or {}).get("labels")
        if is_pod:
            decision = self.policy.validate_pod(request.operation, request.subresource,
                                                namespace_name, labels, username,
                                                request.obj, request.old)
        else:
            decision = self.policy.validate_pod_controller(
                request.subresource, namespace_name, labels, username, rt.group, rt.kind,
                request.obj)
        self._report(request, decision)
        if not decision.allowed:
            name = meta.get("name") or meta.get("generateName") or ""
            raise errors.forbidden(f'{rt.group_resource} "{name}" is forbidden: '
                                   f"{decision.forbidden_message}", rt, name)

    async def _validate_namespace(self, request: AdmissionRequest) -> None:
        if request.subresource:
            return
        name = (request.obj.get("metadata") or {}).get("name", "")

        def pods() -> list[dict]:  # from the watch cache, as upstream's pod lister; only
            items, _ = request.objects.cache(self.pods_rt).list(name)  # when enforce goes up
            return [item.obj for item in items]

        decision = self.policy.validate_namespace(request.operation, request.obj, request.old,
                                                  pods)
        self._report(request, decision)
        if decision.invalid_labels:
            causes = [{"reason": "FieldValueInvalid", "message": e.message, "field": e.field}
                      for e in decision.invalid_labels]
            raise errors.invalid(request.rt, name, causes)

    @staticmethod
    def _report(request: AdmissionRequest, decision: Decision) -> None:
        for warning in decision.warnings:
            if warning not in request.warnings:
                request.warnings.append(warning)
        for key, value in decision.audit_annotations.items():
            request.audit_annotations[LABEL_PREFIX + key] = value


def plugins(server) -> list[Plugin]:
    return [PodSecurity(server)]
