# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What upstream's CertificateSigningRequest strategy does on create: spec.username,
uid, groups and extra are the requester's (whatever the client sent), and the status
starts empty, so approvers and signers can trust who asked."""
from __future__ import annotations

from kybernetes.apiserver.admission import AdmissionRequest, Plugin

ORDER = 5


class CSRRequester(Plugin):
    async def admit(self, request: AdmissionRequest) -> None:
        if request.operation != "CREATE" or request.subresource or request.obj is None:
            return
        if (request.rt.group, request.rt.kind) != ("certificates.k8s.io", "CertificateSigningRequest"):
            return
        user = request.user or {}
        spec = request.obj.setdefault("spec", {})
        spec["username"] = user.get("name", "")
        spec["uid"] = user.get("uid", "")
        spec["groups"] = list(user.get("groups") or [])
        spec["extra"] = {k: list(v) for k, v in (user.get("extra") or {}).items()}
        for key in ("uid", "extra"):
            if not spec[key]:
                spec.pop(key)
        request.obj["status"] = {}


def plugins(server) -> list[Plugin]:
    return [CSRRequester()]
