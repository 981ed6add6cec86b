# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The CSR approving controller: approves kubelet client certificate requests
(kubernetes.io/kube-apiserver-client-kubelet) when a SubjectAccessReview says the
requester may create certificatesigningrequests/nodeclient (a new node, e.g. a bootstrap
token) or, for a node renewing its own certificate, .../selfnodeclient. Anything else is
left for a human (`kubectl certificate approve|deny`)."""
from __future__ import annotations

import datetime

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.controllers.csrsigning import (CSRS, KUBELET_CLIENT, InvalidRequest, load_request,
                                               subject_of, validate)

SUBJECT_ACCESS_REVIEWS = resource("subjectaccessreviews.authorization.k8s.io")
APPROVE_MESSAGE = "Auto approving kubelet client certificate after SubjectAccessReview."


def _decided(csr: dict) -> bool:
    return any(c.get("type") in ("Approved", "Denied")
               for c in (csr.get("status") or {}).get("conditions") or [])


def review_subresource(csr: dict, common_name: str) -> str:
    """selfnodeclient when the requester asks for its own name, else nodeclient."""
    return "selfnodeclient" if (csr.get("spec") or {}).get("username") == common_name else "nodeclient"


def subject_access_review(spec: dict, subresource: str) -> dict:
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": spec.get("username", ""), "uid": spec.get("uid", ""),
                     "groups": list(spec.get("groups") or []), "extra": spec.get("extra") or {},
                     "resourceAttributes": {"group": "certificates.k8s.io",
                                            "resource": "certificatesigningrequests",
                                            "verb": "create", "subresource": subresource}}}


def approved(csr: dict, now: str) -> dict:
    conditions = list((csr.get("status") or {}).get("conditions") or [])
    conditions.append({"type": "Approved", "status": "True", "reason": "AutoApproved",
                       "message": APPROVE_MESSAGE, "lastUpdateTime": now, "lastTransitionTime": now})
    return {**csr, "status": {**(csr.get("status") or {}), "conditions": conditions}}


class CSRApprovingController(Controller):
    name = "csrapproving"

    def setup(self) -> None:
        self.csrs = self.informer(CSRS)
        self.enqueue_on_change(self.csrs)

    async def reconcile(self, key: str) -> None:
        csr = self.csrs.get(key)
        if csr is None or _decided(csr) or (csr.get("status") or {}).get("certificate"):
            return
        spec = csr.get("spec") or {}
        if spec.get("signerName") != KUBELET_CLIENT:
            return
        try:
            request = load_request(spec)
            validate(KUBELET_CLIENT, request, list(spec.get("usages") or []))
        except InvalidRequest:
            return  # not a node client request: the signer reports why once approved
        subresource = review_subresource(csr, subject_of(request)[0])
        review = await self.client.create(SUBJECT_ACCESS_REVIEWS, subject_access_review(spec, subresource))
        if not (review.get("status") or {}).get("allowed"):
            return
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            await self.client.update(CSRS, approved(csr, now), subresource="approval")
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise
            if exc.code == 409:
                self.queue.add_rate_limited(key)


CONTROLLERS = [CSRApprovingController]
