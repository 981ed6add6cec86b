# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The CSR approving controller: approves kubelet client certificate requests
(kubernetes.io/kube-apiserver-client-kubelet) when a SubjectAccessReview says the
requester may create certificatesigningrequests/nodeclient (a new node, e.g. a bootstrap
token) or, for a node renewing its own certificate, .../selfnodeclient. A node joining
with `kybernetes join` also asks for the credential of the kube-proxy it runs (a client
certificate for exactly CN=system:kube-proxy, kubernetes.io/kube-apiserver-client); it is
approved on the same nodeclient permission, as k3s's server hands its agents a kube-proxy
certificate. Anything else is left for a human (`kubectl certificate approve|deny`)."""
from __future__ import annotations

import datetime

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.controllers.csrsigning import (CSRS, KUBE_APISERVER_CLIENT, KUBELET_CLIENT,
                                               InvalidRequest, load_request, subject_of, validate)

SUBJECT_ACCESS_REVIEWS = resource("subjectaccessreviews.authorization.k8s.io")
APPROVE_MESSAGE = "Auto approving kubelet client certificate after SubjectAccessReview."
PROXY_APPROVE_MESSAGE = "Auto approving kube-proxy client certificate after SubjectAccessReview."
KUBE_PROXY_USER = "system:kube-proxy"
CLIENT_USAGES = {"digital signature", "key encipherment", "client auth"}


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


def is_kube_proxy_request(spec: dict, request) -> bool:
    """A client certificate for exactly system:kube-proxy (no groups, no SANs)."""
    if spec.get("signerName") != KUBE_APISERVER_CLIENT:
        return False
    if not set(spec.get("usages") or []) <= CLIENT_USAGES or "client auth" not in (spec.get("usages") or []):
        return False
    from cryptography import x509
    try:
        request.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return False
    except x509.ExtensionNotFound:
        pass
    return subject_of(request) == (KUBE_PROXY_USER, [])


def approved(csr: dict, now: str, message: str = APPROVE_MESSAGE) -> dict:
    conditions = list((csr.get("status") or {}).get("conditions") or [])
    conditions.append({"type": "Approved", "status": "True", "reason": "AutoApproved",
                       "message": message, "lastUpdateTime": now, "lastTransitionTime": now})
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
        message = APPROVE_MESSAGE
        try:
            request = load_request(spec)
            if spec.get("signerName") == KUBELET_CLIENT:
                validate(KUBELET_CLIENT, request, list(spec.get("usages") or []))
                subresource = review_subresource(csr, subject_of(request)[0])
            elif is_kube_proxy_request(spec, request):
                subresource, message = "nodeclient", PROXY_APPROVE_MESSAGE
            else:
                return
        except InvalidRequest:
            return  # not a node client request: the signer reports why once approved
        review = await self.client.create(SUBJECT_ACCESS_REVIEWS, subject_access_review(spec, subresource))
        if not (review.get("status") or {}).get("allowed"):
            return
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            await self.client.update(CSRS, approved(csr, now, message), subresource="approval")
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise
            if exc.code == 409:
                self.queue.add_rate_limited(key)


CONTROLLERS = [CSRApprovingController]
