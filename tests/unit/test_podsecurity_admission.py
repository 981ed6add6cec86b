# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""PodSecurity admission decisions (pure): pods enforced, workloads warned and audited,
significant pod updates, namespace label changes, exemptions; and the admission output
(warnings, audit annotations) the API server collects per request."""
from __future__ import annotations

import asyncio

from aiohttp import web

from kybernetes.apiserver.admission import AdmissionRequest, collecting_output
from kybernetes.apiserver.handlers import add_warnings
from kybernetes.podsecurity import PodSecurityAdmission, pod_template
from kybernetes.podsecurity.admission import is_significant_pod_update
from kybernetes.podsecurity.config import Exemptions, PodSecurityConfiguration
from kybernetes.podsecurity.levels import LevelVersion, Policy

P = "pod-security.kubernetes.io/"
RESTRICTED = {P + "enforce": "restricted"}
PLAIN_DETAIL = (
    'allowPrivilegeEscalation != false (container "app" must set '
    "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "
    '"app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or '
    'container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or '
    'container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
    '"Localhost")')


def pod(name: str = "p", image: str = "nginx", owner: str | None = None, **spec) -> dict:
    meta: dict = {"name": name, "namespace": "ns"}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": True, "kind": "ReplicaSet",
                                    "name": owner, "apiVersion": "apps/v1"}]
    return {"metadata": meta,
            "spec": {"containers": [{"name": "app", "image": image}], **spec}}


def privileged_pod(name: str = "p") -> dict:
    body = pod(name)
    body["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    return body


def namespace(name: str = "ns", **labels) -> dict:
    return {"metadata": {"name": name, "labels": labels}}


ADMISSION = PodSecurityAdmission()

# --------------------------------------------------------------------- pods


def test_enforce_refuses_with_upstream_message_and_annotates() -> None:
    decision = ADMISSION.validate_pod("CREATE", "", "ns", RESTRICTED, "alice", pod(), None)
    assert not decision.allowed
    assert decision.forbidden_message == f'violates PodSecurity "restricted:latest": {PLAIN_DETAIL}'
    assert decision.audit_annotations == {"enforce-policy": "restricted:latest"}
    assert decision.warnings == []  # a refused request gets no warnings


def test_unlabelled_namespace_is_privileged() -> None:
    decision = ADMISSION.validate_pod("CREATE", "", "ns", {}, "alice", privileged_pod(), None)
    assert decision.allowed
    assert decision.audit_annotations == {"enforce-policy": "privileged:latest"}


def test_warn_and_audit_levels() -> None:
    labels = {P + "warn": "baseline", P + "audit": "restricted"}
    decision = ADMISSION.validate_pod("CREATE", "", "ns", labels, "", privileged_pod(), None)
    assert decision.allowed
    assert decision.warnings == [
        'would violate PodSecurity "baseline:latest": privileged (container "app" must not set '
        "securityContext.privileged=true)"]
    assert decision.audit_annotations["enforce-policy"] == "privileged:latest"
    assert decision.audit_annotations["audit-violations"].startswith(
        'would violate PodSecurity "restricted:latest": privileged (container "app" must not '
        "set securityContext.privileged=true), allowPrivilegeEscalation != false")


def test_ignored_subresources_and_insignificant_updates() -> None:
    for sub in ("status", "binding", "exec", "log", "eviction"):
        assert ADMISSION.validate_pod("UPDATE", sub, "ns", RESTRICTED, "", pod(), pod()).allowed
    relabelled = pod()
    relabelled["metadata"]["labels"] = {"a": "b"}
    relabelled["spec"]["activeDeadlineSeconds"] = 30
    assert ADMISSION.validate_pod("UPDATE", "", "ns", RESTRICTED, "", relabelled, pod()).allowed
    new_image = pod(image="nginx:2")
    assert not ADMISSION.validate_pod("UPDATE", "", "ns", RESTRICTED, "", new_image, pod()).allowed
    # ephemeral containers are a pod subresource upstream checks
    debug = pod(ephemeralContainers=[{"name": "dbg", "image": "busybox"}])
    assert not ADMISSION.validate_pod("UPDATE", "ephemeralcontainers", "ns", RESTRICTED, "",
                                      debug, pod()).allowed


def test_significant_pod_update() -> None:
    assert not is_significant_pod_update(pod(), pod())
    assert is_significant_pod_update(pod(image="other"), pod())
    more = pod()
    more["spec"]["initContainers"] = [{"name": "i", "image": "busybox"}]
    assert is_significant_pod_update(more, pod())
    with_debug = pod(ephemeralContainers=[{"name": "d", "image": "busybox"}])
    assert is_significant_pod_update(with_debug, pod())
    assert not is_significant_pod_update(with_debug, with_debug)


def test_invalid_namespace_labels_enforce_restricted_and_are_recorded() -> None:
    decision = ADMISSION.validate_pod("CREATE", "", "ns", {P + "enforce": "strict"}, "",
                                      pod(), None)
    assert not decision.allowed
    assert decision.forbidden_message.startswith('violates PodSecurity "restricted:latest"')
    assert decision.audit_annotations["error"] == (
        f'Failed to parse policy: metadata.labels[{P}enforce]: Invalid value: "strict": must be '
        "one of privileged, baseline, restricted")


def test_exemptions() -> None:
    admission = PodSecurityAdmission(PodSecurityConfiguration(
        Policy(LevelVersion("restricted")),
        Exemptions(usernames=("ci-bot",), namespaces=("ops",), runtime_classes=("kata",))))
    assert not admission.validate_pod("CREATE", "", "ns", {}, "alice", pod(), None).allowed
    by_ns = admission.validate_pod("CREATE", "", "ops", {}, "alice", pod(), None)
    assert by_ns.allowed and by_ns.audit_annotations == {"exempt": "namespace"}
    by_user = admission.validate_pod("CREATE", "", "ns", {}, "ci-bot", pod(), None)
    assert by_user.allowed and by_user.audit_annotations == {"exempt": "user"}
    kata = pod(runtimeClassName="kata")
    by_class = admission.validate_pod("CREATE", "", "ns", {}, "alice", kata, None)
    assert by_class.allowed and by_class.audit_annotations == {"exempt": "runtimeClass"}


# --------------------------------------------------------------------- workloads


def deployment(spec: dict) -> dict:
    return {"metadata": {"name": "d", "namespace": "ns"},
            "spec": {"template": {"metadata": {"labels": {"app": "d"}}, "spec": spec}}}


def test_workloads_are_warned_never_refused() -> None:
    decision = ADMISSION.validate_pod_controller("", "ns", RESTRICTED, "", "apps", "Deployment",
                                                 deployment(pod()["spec"]))
    assert decision.allowed
    assert decision.warnings == [f'would violate PodSecurity "restricted:latest": {PLAIN_DETAIL}']
    assert "enforce-policy" not in decision.audit_annotations
    assert ADMISSION.validate_pod_controller("scale", "ns", RESTRICTED, "", "apps", "Deployment",
                                             deployment(pod()["spec"])).warnings == []
    assert ADMISSION.validate_pod_controller("", "ns", {}, "", "apps", "Deployment",
                                             deployment(pod()["spec"])).warnings == []


def test_pod_templates_of_each_kind() -> None:
    spec = pod()["spec"]
    template = {"metadata": {}, "spec": spec}
    assert pod_template("apps", "Deployment", {"spec": {"template": template}})[1] is spec
    assert pod_template("", "PodTemplate", {"template": template})[1] is spec
    cron = {"spec": {"jobTemplate": {"spec": {"template": template}}}}
    assert pod_template("batch", "CronJob", cron)[1] is spec
    assert pod_template("", "ReplicationController", {"spec": {}}) is None


# --------------------------------------------------------------------- namespaces


def test_namespace_with_bad_labels_is_invalid() -> None:
    decision = ADMISSION.validate_namespace(
        "CREATE", namespace(**{P + "enforce": "strict", P + "warn-version": "v2"}), None, list)
    assert not decision.allowed
    assert [(e.field, e.message) for e in decision.invalid_labels] == [
        (f"metadata.labels[{P}enforce]",
         'Invalid value: "strict": must be one of privileged, baseline, restricted'),
        (f"metadata.labels[{P}warn-version]", 'Invalid value: "v2": must be "latest" or "v1.x"')]


def test_namespace_update_keeping_the_same_bad_labels_is_allowed() -> None:
    bad = namespace(**{P + "enforce": "strict"})
    relabelled = namespace(**{P + "enforce": "strict", "team": "a"})
    assert ADMISSION.validate_namespace("UPDATE", relabelled, bad, list).allowed


def test_raising_enforce_warns_about_existing_pods() -> None:
    pods = [pod("web-2", owner="rs1"), pod("web-1", owner="rs1"), pod("web-3", owner="rs1"),
            privileged_pod("priv"), pod("solo")]
    decision = ADMISSION.validate_namespace("UPDATE", namespace(**RESTRICTED), namespace(),
                                            lambda: pods)
    assert decision.allowed
    plain = "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"
    assert decision.warnings == [
        'existing pods in namespace "ns" violate the new PodSecurity enforce level '
        '"restricted:latest"',
        f"priv: privileged, {plain}",
        f"solo (and 3 other pods): {plain}"]


def test_lowering_or_keeping_enforce_lists_no_pods() -> None:
    def fail() -> list:
        raise AssertionError("pods listed")
    restricted = namespace(**RESTRICTED)
    baseline = namespace(**{P + "enforce": "baseline"})
    assert ADMISSION.validate_namespace("UPDATE", baseline, restricted, fail).warnings == []
    assert ADMISSION.validate_namespace("UPDATE", restricted, restricted, fail).warnings == []
    assert ADMISSION.validate_namespace("UPDATE", namespace(), restricted, fail).warnings == []
    compliant = ADMISSION.validate_namespace("UPDATE", restricted, namespace(), lambda: [])
    assert compliant.warnings == []


def test_exempt_namespace_label_warning() -> None:
    admission = PodSecurityAdmission(PodSecurityConfiguration(
        exemptions=Exemptions(namespaces=("ops",))))
    decision = admission.validate_namespace(
        "CREATE", namespace("ops", **{P + "enforce": "restricted", P + "audit": "baseline"}),
        None, list)
    assert decision.warnings == ['namespace "ops" is exempt from Pod Security, and the policy '
                                 "(enforce=restricted:latest, audit=baseline:latest) will be "
                                 "ignored"]


# --------------------------------------------------------------------- admission output


def request() -> AdmissionRequest:
    return AdmissionRequest("CREATE", None, {}, None, None, False, None)  # type: ignore[arg-type]


def test_admission_requests_share_one_output_per_api_request() -> None:
    async def one(tag: str) -> tuple[list, dict]:
        with collecting_output() as output:
            first, second = request(), request()
            first.warnings.append(f"w-{tag}")
            await asyncio.sleep(0)  # the other request runs meanwhile
            second.audit_annotations["k"] = tag
            return output.warnings, output.audit_annotations

    async def both():
        return await asyncio.gather(one("a"), one("b"))

    (warnings_a, notes_a), (warnings_b, notes_b) = asyncio.run(both())
    assert (warnings_a, notes_a) == (["w-a"], {"k": "a"})
    assert (warnings_b, notes_b) == (["w-b"], {"k": "b"})
    outside = request()
    outside.warnings.append("dropped")
    assert request().warnings == []  # without a collector each request has its own list


def test_add_warnings_appends_once_each() -> None:
    response = web.Response(headers={"Warning": '299 - "unknown field \\"x\\""'})
    add_warnings(response, ['would violate PodSecurity "baseline:latest": a "b"',
                            'would violate PodSecurity "baseline:latest": a "b"'])
    assert response.headers["Warning"] == (
        '299 - "unknown field \\"x\\"", '
        '299 - "would violate PodSecurity \\"baseline:latest\\": a \\"b\\""')
