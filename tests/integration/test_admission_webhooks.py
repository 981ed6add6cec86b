# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Admission webhooks end to end: a real API server calls a real HTTPS webhook server
(tests/support/admission_webhook.py: aiohttp in a thread, its certificate signed by a
test CA) that this test runs,
reached by url and through a Service with a hand-made EndpointSlice; kubectl and the
Python client see what users of a real cluster see.

Every webhook configuration here selects only namespaces carrying this module's label
(or only webhook configurations), so other tests sharing the server are unaffected;
each is deleted when its test ends."""
from __future__ import annotations

import base64
import json
import socket
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server
from tests.support.admission_webhook import WebhookServer, make_certificates
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")

SELECT_LABEL = "webhook-test"
SERVICE_NAME = "hook"


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def module_label() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def service_namespace(kubectl, module_label) -> str:
    name = f"wh-{module_label}"
    kubectl.run("create", "namespace", name)
    kubectl.run("label", "namespace", name, f"{SELECT_LABEL}={module_label}")
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture(scope="module")
def webhook_tls(tmp_path_factory, service_namespace) -> tuple[bytes, Path, Path]:
    return make_certificates(tmp_path_factory.mktemp("webhook-pki"),
                             [f"{SERVICE_NAME}.{service_namespace}.svc"])


@pytest.fixture(scope="module")
def webhook(webhook_tls) -> WebhookServer:
    _, cert, key = webhook_tls
    server = WebhookServer(cert, key).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ca_bundle(webhook_tls) -> str:
    return base64.b64encode(webhook_tls[0]).decode()


@pytest.fixture
def selected_namespace(kubectl, module_label) -> str:
    """A namespace the module's webhooks select."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    kubectl.run("label", "namespace", name, f"{SELECT_LABEL}={module_label}")
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false", check=False)


class Configurations:
    """Creates webhook configurations and deletes them when the test ends."""

    def __init__(self, kubectl, module_label: str) -> None:
        self.kubectl = kubectl
        self.module_label = module_label
        self.created: list[tuple[str, str]] = []

    def webhook(self, name: str, client_config: dict, *, resources=("pods",), operations=("CREATE",),
                groups=("",), **fields) -> dict:
        hook = {"name": name, "clientConfig": client_config, "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "namespaceSelector": {"matchLabels": {SELECT_LABEL: self.module_label}},
                "rules": [{"operations": list(operations), "apiGroups": list(groups),
                           "apiVersions": ["v1"], "resources": list(resources)}]}
        hook.update(fields)
        return hook

    def create(self, kind: str, name: str, *webhooks: dict) -> None:
        body = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                "metadata": {"name": name}, "webhooks": list(webhooks)}
        self.kubectl.run("create", "-f", "-", input=json.dumps(body))
        self.created.append((kind.lower(), name))

    def cleanup(self) -> None:
        for kind, name in reversed(self.created):
            self.kubectl.run("delete", kind, name, "--ignore-not-found", check=False)


@pytest.fixture
def configurations(kubectl, module_label):
    made = Configurations(kubectl, module_label)
    yield made
    made.cleanup()


def pod_manifest(name: str, namespace: str, **labels: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": name, "namespace": namespace, "labels": labels},
                       "spec": {"containers": [{"name": "c", "image": "busybox"}]}})


def apply_pod(kubectl, name: str, namespace: str, *extra: str, **labels: str):
    return kubectl.run("apply", "-f", "-", *extra, input=pod_manifest(name, namespace, **labels),
                       check=False)


def refused_when(kubectl, namespace: str, text: str, **labels: str):
    """Create pods until the webhook configuration (seen through the server's watch
    cache, so shortly after it is created) refuses one with `text`; the refusal."""
    def attempt():
        result = apply_pod(kubectl, f"probe-{uuid.uuid4().hex[:6]}", namespace, **labels)
        return result if result.returncode != 0 and text in result.stderr else None
    return wait_for(attempt, timeout=30)


# ---------------------------------------------------------------------- tests
def test_validating_webhook_by_url_denies_labelled_pods(kubectl, webhook, ca_bundle,
                                                        configurations, selected_namespace):
    configurations.create("ValidatingWebhookConfiguration", "deny-bad-pods", configurations.webhook(
        "deny.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle}))
    message = ('admission webhook "deny.webhooks.kybernetes.test" denied the request: '
               "pods labelled bad=true are not allowed")
    refused = refused_when(kubectl, selected_namespace, message, bad="true")
    assert refused.returncode == 1
    assert "Error from server" in refused.stderr
    assert apply_pod(kubectl, "good", selected_namespace, good="true").returncode == 0
    assert kubectl.json("get", "pod", "good", "-n", selected_namespace)["metadata"]["name"] == "good"
    review = webhook.reviews("validate", "good")[-1]["request"]
    assert review["operation"] == "CREATE" and review["namespace"] == selected_namespace
    assert review["kind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert review["resource"] == {"group": "", "version": "v1", "resource": "pods"}
    assert review["userInfo"]["username"] and review["options"]["kind"] == "CreateOptions"
    assert review["object"]["metadata"]["labels"] == {"good": "true"}
    # an update that turns the pod bad is refused too (the rule lists CREATE only: add UPDATE)
    configurations.create("ValidatingWebhookConfiguration", "deny-bad-updates", configurations.webhook(
        "deny-updates.webhooks.kybernetes.test", {"url": webhook.url("validate"),
                                                  "caBundle": ca_bundle}, operations=("UPDATE",)))

    def relabel_refused():
        result = kubectl.run("label", "pod", "good", "-n", selected_namespace, "bad=true",
                             check=False)
        return result if result.returncode else None
    result = wait_for(relabel_refused, timeout=30)
    assert 'admission webhook "deny-updates.webhooks.kybernetes.test" denied the request' in result.stderr


def test_python_client_sees_the_webhook_status(api_client, kubectl, webhook, ca_bundle,
                                               configurations, selected_namespace):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    configurations.create("ValidatingWebhookConfiguration", "deny-bad-pods-py", configurations.webhook(
        "deny-py.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle}))
    refused_when(kubectl, selected_namespace, "deny-py.webhooks.kybernetes.test", bad="true")
    core = client.CoreV1Api(api_client)
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="py-bad", labels={"bad": "true"}),
                       spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))
    with pytest.raises(ApiException) as caught:
        core.create_namespaced_pod(selected_namespace, pod)
    assert caught.value.status == 403
    status = json.loads(caught.value.body)
    assert status["kind"] == "Status" and status["code"] == 403 and status["status"] == "Failure"
    assert status["message"] == ('admission webhook "deny-py.webhooks.kybernetes.test" denied the '
                                 "request: pods labelled bad=true are not allowed")


def test_mutating_webhook_by_service_reference(kubectl, webhook, ca_bundle, configurations,
                                               service_namespace):
    # a Service without a selector and an EndpointSlice made by hand: no controller
    # manages (or overwrites) the slices of a selector-less Service
    kubectl.run("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": SERVICE_NAME, "namespace": service_namespace},
         "spec": {"ports": [{"name": "https", "port": 443, "targetPort": webhook.port}]}},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": {"name": f"{SERVICE_NAME}-manual", "namespace": service_namespace,
                      "labels": {"kubernetes.io/service-name": SERVICE_NAME}},
         "addressType": "IPv4", "ports": [{"name": "https", "port": webhook.port, "protocol": "TCP"}],
         "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}]}]}))
    configurations.create("MutatingWebhookConfiguration", "label-pods", configurations.webhook(
        "label.webhooks.kybernetes.test",
        {"service": {"name": SERVICE_NAME, "namespace": service_namespace, "path": "/mutate"},
         "caBundle": ca_bundle}))

    def mutated():
        name = f"m-{uuid.uuid4().hex[:6]}"
        apply_pod(kubectl, name, service_namespace, app="web")
        labels = kubectl.json("get", "pod", name, "-n", service_namespace)["metadata"].get("labels")
        return labels if labels.get("mutated") == "by-webhook" else None
    labels = wait_for(mutated, timeout=30)
    assert labels["app"] == "web"
    shown = kubectl.run("get", "pods", "-n", service_namespace, "-l", "mutated=by-webhook",
                        "--show-labels").stdout
    assert "mutated=by-webhook" in shown
    hosts = {host for path, host, _ in list(webhook.received) if path == "mutate"}
    assert hosts == {f"{SERVICE_NAME}.{service_namespace}.svc"}  # TLS and Host: the Service's name


def test_mutation_is_validated_like_user_input(kubectl, webhook, ca_bundle, configurations,
                                               selected_namespace):
    """A patch that makes the object invalid fails the request with 422, as if the
    user had sent the bad value."""
    configurations.create("MutatingWebhookConfiguration", "invalidate", configurations.webhook(
        "invalidate.webhooks.kybernetes.test", {"url": webhook.url("invalidate"),
                                                "caBundle": ca_bundle}))
    refused = refused_when(kubectl, selected_namespace, "is invalid", app="x")
    assert 'metadata.labels: Invalid value: "not a valid key!"' in refused.stderr
    assert refused.stderr.startswith("The Pod \"probe-")


def test_selectors_limit_which_requests_are_sent(kubectl, namespace, webhook, ca_bundle,
                                                 configurations, selected_namespace):
    configurations.create("ValidatingWebhookConfiguration", "deny-bad-selected", configurations.webhook(
        "deny-selected.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle},
        objectSelector={"matchExpressions": [{"key": "skip-webhook", "operator": "DoesNotExist"}]}))
    refused_when(kubectl, selected_namespace, "deny-selected.webhooks.kybernetes.test", bad="true")
    # a namespace without the label is not selected; an object with skip-webhook is not
    assert apply_pod(kubectl, "bad-elsewhere", namespace, bad="true").returncode == 0
    assert apply_pod(kubectl, "bad-skipped", selected_namespace, bad="true",
                     **{"skip-webhook": "yes"}).returncode == 0
    assert not webhook.reviews("validate", "bad-elsewhere")
    assert not webhook.reviews("validate", "bad-skipped")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_failure_policy_when_the_webhook_is_down(kubectl, ca_bundle, configurations,
                                                 selected_namespace):
    port = closed_port()
    url = f"https://127.0.0.1:{port}/validate"
    configurations.create("ValidatingWebhookConfiguration", "down-ignore", configurations.webhook(
        "down-ignore.webhooks.kybernetes.test", {"url": url, "caBundle": ca_bundle},
        failurePolicy="Ignore"))
    configurations.create("ValidatingWebhookConfiguration", "down-fail", configurations.webhook(
        "down-fail.webhooks.kybernetes.test", {"url": url, "caBundle": ca_bundle},
        objectSelector={"matchLabels": {"strict": "true"}}))
    message = ('Internal error occurred: failed calling webhook "down-fail.webhooks.kybernetes.test": '
               f'failed to call webhook: Post "{url}?timeout=10s": dial tcp 127.0.0.1:{port}: '
               "connect: connection refused")
    refused = refused_when(kubectl, selected_namespace, message, strict="true")
    assert "Error from server (InternalError)" in refused.stderr
    # only the Ignore webhook matches this one: the request goes on
    assert apply_pod(kubectl, "lenient", selected_namespace, strict="false").returncode == 0


def test_webhook_timeout(kubectl, webhook, ca_bundle, configurations, selected_namespace):
    configurations.create("ValidatingWebhookConfiguration", "slow", configurations.webhook(
        "slow.webhooks.kybernetes.test", {"url": webhook.url("slow"), "caBundle": ca_bundle},
        timeoutSeconds=1, objectSelector={"matchLabels": {"slow": "true"}}))
    text = (f'failed calling webhook "slow.webhooks.kybernetes.test": failed to call webhook: '
            f'Post "{webhook.url("slow")}?timeout=1s": context deadline exceeded')
    refused = refused_when(kubectl, selected_namespace, text, slow="true")
    assert refused.returncode == 1


def test_untrusted_certificate_is_a_call_failure(kubectl, webhook, configurations,
                                                 selected_namespace, tmp_path):
    other_ca, _, _ = make_certificates(tmp_path, [])
    configurations.create("ValidatingWebhookConfiguration", "wrong-ca", configurations.webhook(
        "wrong-ca.webhooks.kybernetes.test",
        {"url": webhook.url("validate"), "caBundle": base64.b64encode(other_ca).decode()},
        objectSelector={"matchLabels": {"tls": "check"}}))
    refused_when(kubectl, selected_namespace, "x509: certificate signed by unknown authority",
                 tls="check")


def test_dry_run_goes_to_side_effect_free_webhooks(kubectl, webhook, ca_bundle, configurations,
                                                   selected_namespace):
    configurations.create("ValidatingWebhookConfiguration", "dry-run", configurations.webhook(
        "dry-run.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle},
        sideEffects="NoneOnDryRun"))
    refused_when(kubectl, selected_namespace, "dry-run.webhooks.kybernetes.test", bad="true")
    result = apply_pod(kubectl, "dry", selected_namespace, "--dry-run=server", ok="true")
    assert result.returncode == 0, result.stderr
    review = webhook.reviews("validate", "dry")[-1]["request"]
    assert review["dryRun"] is True and review["options"]["dryRun"] == ["All"]
    assert kubectl.run("get", "pod", "dry", "-n", selected_namespace, check=False).returncode == 1
    refused = apply_pod(kubectl, "dry-bad", selected_namespace, "--dry-run=server", bad="true")
    assert refused.returncode == 1 and "denied the request" in refused.stderr
    # v1 has no way to store a webhook with side effects: it is refused up front
    bad = configurations.webhook("effects.webhooks.kybernetes.test", {"url": webhook.url("validate")},
                                 sideEffects="Some")
    result = kubectl.run("create", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "side-effects"}, "webhooks": [bad]}))
    assert result.returncode == 1
    assert 'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", ' \
           '"NoneOnDryRun"' in result.stderr


def test_webhook_warnings_reach_kubectl(kubectl, webhook, ca_bundle, configurations,
                                        selected_namespace):
    configurations.create("ValidatingWebhookConfiguration", "warn", configurations.webhook(
        "warn.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle}))
    refused_when(kubectl, selected_namespace, "warn.webhooks.kybernetes.test", bad="true")
    result = apply_pod(kubectl, "warned", selected_namespace, warn="true")
    assert result.returncode == 0, result.stderr
    assert "Warning: pod is labelled warn=true" in result.stderr
    # a refusal carries the webhook's warnings too
    result = apply_pod(kubectl, "warned-bad", selected_namespace, warn="true", bad="true")
    assert result.returncode == 1
    assert "Warning: pod is labelled warn=true" in result.stderr
    assert 'admission webhook "warn.webhooks.kybernetes.test" denied the request' in result.stderr


def test_reinvocation_if_needed(kubectl, webhook, ca_bundle, configurations, selected_namespace):
    # configurations run in name order: "a-first" before "b-second"
    configurations.create("MutatingWebhookConfiguration", "a-first", configurations.webhook(
        "first.webhooks.kybernetes.test", {"url": webhook.url("reinvoke-first"), "caBundle": ca_bundle},
        reinvocationPolicy="IfNeeded", objectSelector={"matchLabels": {"reinvoke": "yes"}}))
    configurations.create("MutatingWebhookConfiguration", "b-second", configurations.webhook(
        "second.webhooks.kybernetes.test", {"url": webhook.url("reinvoke-second"), "caBundle": ca_bundle},
        objectSelector={"matchLabels": {"reinvoke": "yes"}}))

    def both_ran():
        name = f"r-{uuid.uuid4().hex[:6]}"
        apply_pod(kubectl, name, selected_namespace, reinvoke="yes")
        labels = kubectl.json("get", "pod", name, "-n", selected_namespace)["metadata"]["labels"]
        return (name, labels) if labels.get("second") == "done" else None
    name, labels = wait_for(both_ran, timeout=30)
    assert labels.get("first-saw-second") == "true"  # the first webhook was called again
    assert len(webhook.reviews("reinvoke-first", name)) == 2
    assert len(webhook.reviews("reinvoke-second", name)) == 1


def test_webhook_configurations_are_never_sent_to_webhooks(kubectl, ca_bundle, configurations):
    """A broken webhook that claims the webhook configurations cannot lock anyone out."""
    url = f"https://127.0.0.1:{closed_port()}/validate"
    configurations.create("ValidatingWebhookConfiguration", "lockout", configurations.webhook(
        "lockout.webhooks.kybernetes.test", {"url": url, "caBundle": ca_bundle},
        groups=("admissionregistration.k8s.io",), resources=("*",),
        operations=("*",), namespaceSelector={}))
    configurations.create("MutatingWebhookConfiguration", "still-possible", configurations.webhook(
        "other.webhooks.kybernetes.test", {"url": url, "caBundle": ca_bundle},
        objectSelector={"matchLabels": {"never": "matches"}}))
    result = kubectl.run("delete", "validatingwebhookconfiguration", "lockout", check=False)
    assert result.returncode == 0, result.stderr


def test_delete_is_sent_with_the_old_object(kubectl, webhook, ca_bundle, configurations,
                                            selected_namespace):
    assert apply_pod(kubectl, "keep", selected_namespace, bad="true").returncode == 0
    configurations.create("ValidatingWebhookConfiguration", "protect", configurations.webhook(
        "protect.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle},
        operations=("DELETE",)))

    def delete_refused():
        result = kubectl.run("delete", "pod", "keep", "-n", selected_namespace, "--wait=false",
                             check=False)
        return result if result.returncode else None
    refused = wait_for(delete_refused, timeout=30)
    assert ('admission webhook "protect.webhooks.kybernetes.test" denied the request: '
            "pods labelled bad=true are not allowed") in refused.stderr
    review = webhook.reviews("validate", "keep")[-1]["request"]
    assert review["operation"] == "DELETE" and review["object"] is None
    assert review["oldObject"]["metadata"]["labels"] == {"bad": "true"}
    assert review["options"]["kind"] == "DeleteOptions"
    assert kubectl.json("get", "pod", "keep", "-n", selected_namespace)["metadata"]["name"] == "keep"


def test_equivalent_version_is_matched_and_converted(kubectl, webhook, ca_bundle, configurations,
                                                     selected_namespace):
    """A webhook asking for autoscaling/v1 HorizontalPodAutoscalers sees a v2 request
    as v1 (matchPolicy Equivalent, the default); with Exact it is not called."""
    configurations.create("ValidatingWebhookConfiguration", "hpa-v1", configurations.webhook(
        "hpa-v1.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle},
        groups=("autoscaling",), resources=("horizontalpodautoscalers",)))
    configurations.create("ValidatingWebhookConfiguration", "hpa-v1-exact", configurations.webhook(
        "hpa-v1-exact.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle},
        groups=("autoscaling",), resources=("horizontalpodautoscalers",), matchPolicy="Exact",
        objectSelector={"matchLabels": {"exact": "true"}}))
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
           "metadata": {"namespace": selected_namespace, "labels": {"exact": "true"}},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "minReplicas": 1, "maxReplicas": 3,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 50}}}]}}

    def reviewed():
        name = f"hpa-{uuid.uuid4().hex[:6]}"
        hpa["metadata"]["name"] = name
        kubectl.run("create", "-f", "-", input=json.dumps(hpa))
        found = webhook.reviews("validate", name)
        return found[-1]["request"] if found else None
    request = wait_for(reviewed, timeout=30)
    assert request["kind"] == {"group": "autoscaling", "version": "v1", "kind": "HorizontalPodAutoscaler"}
    assert request["requestKind"]["version"] == "v2"
    assert request["resource"]["version"] == "v1" and request["requestResource"]["version"] == "v2"
    assert request["object"]["apiVersion"] == "autoscaling/v1"
    assert request["object"]["spec"]["targetCPUUtilizationPercentage"] == 50
    # only the Equivalent webhook was called (the Exact one would make a second review)
    assert len(webhook.reviews("validate", request["name"])) == 1


def test_audit_annotations(tmp_path, webhook, ca_bundle, module_label):
    """What webhooks add to the audit log: their auditAnnotations under their name, a
    note for each webhook that failed open, and one per mutating webhook call."""
    (tmp_path / "policy.yaml").write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\n"
                                          "rules:\n  - level: Metadata\n")
    log = tmp_path / "audit.log"
    server = Server(tmp_path / "data", ["--disable-admission-plugins=ServiceAccount",
                                        "--audit-policy-file", str(tmp_path / "policy.yaml"),
                                        "--audit-log-path", str(log)]).start()
    try:
        kubectl = Kubectl(server, tmp_path / "cache")
        kubectl.run("create", "namespace", "audited")
        kubectl.run("label", "namespace", "audited", f"{SELECT_LABEL}={module_label}")
        made = Configurations(kubectl, module_label)
        down = f"https://127.0.0.1:{closed_port()}/validate"
        made.create("ValidatingWebhookConfiguration", "a-audit", made.webhook(
            "audit.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle}),
            made.webhook("down.webhooks.kybernetes.test", {"url": down, "caBundle": ca_bundle},
                         failurePolicy="Ignore"))
        made.create("MutatingWebhookConfiguration", "label", made.webhook(
            "label.webhooks.kybernetes.test", {"url": webhook.url("mutate"), "caBundle": ca_bundle}))

        def annotations():
            name = f"a-{uuid.uuid4().hex[:6]}"
            apply_pod(kubectl, name, "audited", warn="true")
            for line in (log.read_text().splitlines() if log.exists() else []):
                event = json.loads(line)
                ref = event.get("objectRef") or {}
                if ref.get("name") == name and event.get("verb") == "create" and \
                        event.get("stage") == "ResponseComplete" and \
                        "audit.webhooks.kybernetes.test/seen" in (event.get("annotations") or {}):
                    return event["annotations"]
            return None
        found = wait_for(annotations, timeout=30)
        assert found["audit.webhooks.kybernetes.test/seen"] == "warn"
        assert found["failed-open.validating.webhook.admission.k8s.io/round_0_index_1"] == \
            "down.webhooks.kybernetes.test"
        assert json.loads(found["mutation.webhook.admission.k8s.io/round_0_index_0"]) == {
            "configuration": "label", "webhook": "label.webhooks.kybernetes.test", "mutated": True}
    finally:
        server.stop()


def test_namespace_selector_on_namespaces_sees_their_own_labels(kubectl, webhook, ca_bundle,
                                                                configurations, module_label):
    configurations.create("ValidatingWebhookConfiguration", "deny-bad-namespaces", configurations.webhook(
        "deny-ns.webhooks.kybernetes.test", {"url": webhook.url("validate"), "caBundle": ca_bundle},
        resources=("namespaces",)))

    def namespace(name: str, **labels: str):
        return kubectl.run("create", "-f", "-", check=False, input=json.dumps({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels}}))
    made: list[str] = []
    try:
        def refused():
            name = f"ns-{uuid.uuid4().hex[:6]}"
            result = namespace(name, bad="true", **{SELECT_LABEL: module_label})
            made.append(name)
            return result if result.returncode else None
        result = wait_for(refused, timeout=30)
        assert 'admission webhook "deny-ns.webhooks.kybernetes.test" denied the request' in result.stderr
        # the same labels without the selected one: the webhook is not asked
        name = f"ns-{uuid.uuid4().hex[:6]}"
        made.append(name)
        assert namespace(name, bad="true").returncode == 0
        assert not webhook.reviews("validate", name)
    finally:
        for name in made:
            kubectl.run("delete", "namespace", name, "--ignore-not-found", "--wait=false",
                        check=False)
