# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The AdmissionReview exchanged with webhooks, the errors answers become, and picking
the endpoint of a Service-referenced webhook."""
from __future__ import annotations

import base64

import orjson
import pytest

from kybernetes.apiserver.webhooks import client, endpoints, review
from kybernetes.apiserver.webhooks.rules import Target

PODS = Target("", "v1", "pods", "Pod")
HPA_V1 = Target("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler")
HPA_V2 = Target("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler")
USER = {"name": "alice", "uid": "u-1", "groups": ["devs", "system:authenticated"],
        "extra": {"scopes": ["a"]}}


def pod_review(**overrides):
    args = dict(target=PODS, request_target=PODS, kind="Pod", request_kind="Pod",
                subresource="", name="web", namespace="ns1", operation="CREATE", user=USER,
                obj={"kind": "Pod", "metadata": {"name": "web"}}, old=None, dry_run=False,
                options=review.request_options("CREATE", False))
    args.update(overrides)
    return review.build_review("v1", "uid-1", **args)


def test_request_body_v1():
    body = pod_review()
    assert body["apiVersion"] == "admission.k8s.io/v1" and body["kind"] == "AdmissionReview"
    request = body["request"]
    assert request["uid"] == "uid-1"
    assert request["kind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert request["resource"] == {"group": "", "version": "v1", "resource": "pods"}
    assert request["requestKind"] == request["kind"]
    assert request["requestResource"] == request["resource"]
    assert "subResource" not in request
    assert (request["name"], request["namespace"], request["operation"]) == ("web", "ns1", "CREATE")
    assert request["userInfo"] == {"username": "alice", "uid": "u-1",
                                   "groups": ["devs", "system:authenticated"],
                                   "extra": {"scopes": ["a"]}}
    assert request["object"]["metadata"]["name"] == "web"
    assert request["oldObject"] is None
    assert request["dryRun"] is False
    assert request["options"] == {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}


def test_request_body_subresource_equivalent_and_dry_run_delete():
    body = pod_review(target=HPA_V1, request_target=HPA_V2, kind="HorizontalPodAutoscaler",
                      request_kind="HorizontalPodAutoscaler", subresource="status",
                      operation="DELETE", obj=None, old={"metadata": {"name": "web"}},
                      dry_run=True, options=review.request_options("DELETE", True))["request"]
    assert body["resource"]["version"] == "v1" and body["requestResource"]["version"] == "v2"
    assert body["kind"]["version"] == "v1" and body["requestKind"]["version"] == "v2"
    assert body["subResource"] == body["requestSubResource"] == "status"
    assert body["object"] is None and body["oldObject"] == {"metadata": {"name": "web"}}
    assert body["dryRun"] is True
    assert body["options"] == {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1",
                               "dryRun": ["All"]}


def test_review_version_negotiation():
    assert review.review_version(["v2", "v1beta1", "v1"]) == "v1beta1"
    assert review.review_version(["v1"]) == "v1"
    assert review.review_version(["v2"]) is None
    assert review.build_review("v1beta1", "u", **{k: v for k, v in dict(
        target=PODS, request_target=PODS, kind="Pod", request_kind="Pod", subresource="",
        name="", namespace="", operation="CREATE", user=None, obj={}, old=None,
        dry_run=False, options=None).items()})["apiVersion"] == "admission.k8s.io/v1beta1"


def answer(response: dict, api_version="admission.k8s.io/v1", kind="AdmissionReview") -> bytes:
    return orjson.dumps({"apiVersion": api_version, "kind": kind, "response": response})


def b64(value) -> str:
    return base64.b64encode(orjson.dumps(value)).decode()


def test_parse_allowed_with_patch_warnings_and_annotations():
    patch = [{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]
    parsed = review.parse_response(answer({
        "uid": "u1", "allowed": True, "patchType": "JSONPatch", "patch": b64(patch),
        "warnings": ["careful"], "auditAnnotations": {"k": "v"}}), "u1", "v1", mutating=True)
    assert parsed.allowed and parsed.patch == patch
    assert parsed.warnings == ["careful"] and parsed.audit_annotations == {"k": "v"}


@pytest.mark.parametrize("response,mutating,message", [
    ({"uid": "other", "allowed": True}, False, 'expected response.uid="u1", got "other"'),
    ({"uid": "u1", "allowed": True, "patch": b64([])}, True,
     "webhook returned response.patch but not response.patchType"),
    ({"uid": "u1", "allowed": True, "patchType": "JSONPatch"}, True,
     "webhook returned response.patchType but not response.patch"),
    ({"uid": "u1", "allowed": True, "patch": b64([]), "patchType": "JSONPatch"}, False,
     "validating webhooks may not return response.patch"),
    ({"uid": "u1", "allowed": True, "patch": b64([]), "patchType": "Merge"}, True,
     'unsupported patch type "Merge"'),
])
def test_parse_refuses_bad_answers(response, mutating, message):
    with pytest.raises(review.InvalidResponse, match=message.replace("(", r"\(")):
        review.parse_response(answer(response), "u1", "v1", mutating)


def test_parse_checks_kind_and_presence():
    with pytest.raises(review.InvalidResponse, match="expected webhook response of "
                       "admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1"):
        review.parse_response(answer({"uid": "u1", "allowed": True},
                                     api_version="admission.k8s.io/v1beta1"), "u1", "v1", False)
    with pytest.raises(review.InvalidResponse, match="webhook response was absent"):
        review.parse_response(b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}',
                              "u1", "v1", False)
    # v1beta1 answers need neither uid nor kind checks, and may leave patchType out
    parsed = review.parse_response(orjson.dumps({"response": {
        "allowed": True, "patch": b64([])}}), "u1", "v1beta1", True)
    assert parsed.patch_type == "JSONPatch" and parsed.patch == []


def test_denial_status_as_upstream():
    status = review.denial("deny.example.com", {"message": "no bad pods", "code": 403,
                                                "reason": "Forbidden"}).status()
    assert status["message"] == 'admission webhook "deny.example.com" denied the request: no bad pods'
    assert (status["code"], status["reason"], status["status"]) == (403, "Forbidden", "Failure")
    # below 400 becomes 400; reason stands in for a missing message; no reason left out
    status = review.denial("d.example.com", {"code": 200, "reason": "Nope"}).status()
    assert status["code"] == 400
    assert status["message"] == 'admission webhook "d.example.com" denied the request: Nope'
    status = review.denial("d.example.com", None).status()
    assert status["message"] == 'admission webhook "d.example.com" denied the request without explanation'
    assert "reason" not in status and status["code"] == 400


def test_failed_call_and_dry_run_errors():
    error = review.failed_call("w.example.com", 'failed to call webhook: Post "https://x/": EOF')
    assert error.code == 500 and error.reason == "InternalError"
    assert error.message == ('Internal error occurred: failed calling webhook "w.example.com": '
                             'failed to call webhook: Post "https://x/": EOF')
    error = review.dry_run_unsupported("w.example.com")
    assert (error.code, error.reason) == (400, "BadRequest")
    assert error.message == 'admission webhook "w.example.com" does not support dry run'
    assert review.supports_dry_run({"sideEffects": "NoneOnDryRun"})
    assert not review.supports_dry_run({"sideEffects": "Some"})


def test_urls_carry_the_timeout():
    assert client.url_with_timeout("https://127.0.0.1:8443/validate", 10) == \
        "https://127.0.0.1:8443/validate?timeout=10s"
    assert client.service_url({"name": "hook", "namespace": "ns", "path": "/m", "port": 443}, 5) == \
        "https://hook.ns.svc:443/m?timeout=5s"


SERVICE = {"metadata": {"name": "hook"}, "spec": {"ports": [
    {"name": "https", "port": 443, "targetPort": 8443}]}}


def test_endpoint_from_slices_by_port_name_and_readiness():
    port_name = endpoints.service_port_name(SERVICE, "hook", 443)
    slices = [{"addressType": "IPv4", "ports": [{"name": "https", "port": 9443}],
               "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": False}},
                             {"addresses": ["127.0.0.1"]}]},
              {"addressType": "IPv4", "ports": [{"name": "other", "port": 1}],
               "endpoints": [{"addresses": ["10.0.0.2"]}]}]
    assert endpoints.addresses_from_slices(slices, port_name) == [("127.0.0.1", 9443)]
    assert endpoints.pick([("127.0.0.1", 9443)], "hook") == ("127.0.0.1", 9443)


def test_endpoint_errors():
    with pytest.raises(endpoints.Unresolvable, match='service "hook" not found'):
        endpoints.service_port_name(None, "hook", 443)
    with pytest.raises(endpoints.Unresolvable, match='no service port 444 found for service "hook"'):
        endpoints.service_port_name(SERVICE, "hook", 444)
    with pytest.raises(endpoints.Unresolvable, match='no endpoints available for service "hook"'):
        endpoints.pick([], "hook")
    with pytest.raises(endpoints.Unresolvable, match='unsupported service type "ExternalName"'):
        endpoints.service_port_name({"spec": {"type": "ExternalName"}}, "hook", 443)


def test_endpoint_from_endpoints_object():
    ep = {"subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"name": "https", "port": 7443}]}]}
    assert endpoints.addresses_from_endpoints(ep, "https") == [("127.0.0.1", 7443)]
    assert endpoints.addresses_from_endpoints(ep, "") == []
