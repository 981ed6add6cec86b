# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""PodSecurity admission with a real server, the real kubectl and the Python client:
enforce refuses with upstream's message (dry-run too), warn prints kubectl warnings,
workloads are warned and never refused, a namespace label change warns about existing
pods, bad labels are refused, the AdmissionConfiguration's defaults and exemptions apply,
audit annotations reach the audit log, and --disable-admission-plugins turns it off."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server, make_user
from tests.support.waiting import wait_for

ENFORCE = "pod-security.kubernetes.io/enforce"
WARN = "pod-security.kubernetes.io/warn"
AUDIT = "pod-security.kubernetes.io/audit"


def restricted_violations(container: str) -> str:
    return (f'allowPrivilegeEscalation != false (container "{container}" must set '
            f"securityContext.allowPrivilegeEscalation=false), unrestricted capabilities "
            f'(container "{container}" must set securityContext.capabilities.drop=["ALL"]), '
            f'runAsNonRoot != true (pod or container "{container}" must set '
            f"securityContext.runAsNonRoot=true), seccompProfile (pod or container "
            f'"{container}" must set securityContext.seccompProfile.type to "RuntimeDefault" '
            f'or "Localhost")')


def pod_manifest(name: str, namespace: str, security: dict | None = None,
                 pod_security: dict | None = None, **spec) -> str:
    container = {"name": "c", "image": "busybox"}
    if security is not None:
        container["securityContext"] = security
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [container], **spec}}
    if pod_security is not None:
        body["spec"]["securityContext"] = pod_security
    return json.dumps(body)


COMPLIANT = {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 1000,
             "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}


def warnings_of(stderr: str) -> list[str]:
    return [line[len("Warning: "):] for line in stderr.splitlines() if line.startswith("Warning: ")]


# ------------------------------------------------------------------ enforce


def test_enforce_restricted_refuses_kubectl_run(kubectl: Kubectl, namespace: str) -> None:
    labelled = kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    assert f"namespace/{namespace} labeled" in labelled.stdout
    result = kubectl.run("run", "plain", "--image=nginx", "-n", namespace, check=False)
    assert result.returncode == 1
    assert (f'Error from server (Forbidden): pods "plain" is forbidden: violates PodSecurity '
            f'"restricted:latest": {restricted_violations("plain")}') in result.stderr
    assert kubectl.run("get", "pod", "plain", "-n", namespace, check=False).returncode != 0


def test_enforce_admits_a_compliant_pod(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    result = kubectl.run("apply", "-f", "-",
                         input=pod_manifest("good", namespace, COMPLIANT))
    assert "pod/good created" in result.stdout
    assert warnings_of(result.stderr) == []
    assert kubectl.json("get", "pod", "good", "-n", namespace)["metadata"]["name"] == "good"


def test_enforce_applies_to_server_dry_run(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    result = kubectl.run("run", "dry", "--image=nginx", "-n", namespace, "--dry-run=server",
                         check=False)
    assert result.returncode == 1
    assert (f'pods "dry" is forbidden: violates PodSecurity "restricted:latest": '
            f'{restricted_violations("dry")}') in result.stderr


def test_enforce_baseline_names_each_violation(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=baseline")
    manifest = pod_manifest("host", namespace, {"privileged": True}, hostNetwork=True,
                            volumes=[{"name": "root", "hostPath": {"path": "/"}}])
    result = kubectl.run("apply", "-f", "-", input=manifest, check=False)
    assert result.returncode == 1
    assert ('violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), '
            'hostPath volumes (volume "root"), privileged (container "c" must not set '
            "securityContext.privileged=true)") in result.stderr


def test_pinned_version_is_evaluated_at_that_version(kubectl: Kubectl, namespace: str) -> None:
    # net.ipv4.tcp_rmem became a safe sysctl in policy v1.32
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=baseline", f"{ENFORCE}-version=v1.31")
    sysctls = {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"}]}
    refused = kubectl.run("apply", "-f", "-", check=False,
                          input=pod_manifest("old", namespace, pod_security=sysctls))
    assert ('violates PodSecurity "baseline:v1.31": forbidden sysctls (net.ipv4.tcp_rmem)'
            in refused.stderr)
    kubectl.run("label", "ns", namespace, f"{ENFORCE}-version=latest", "--overwrite")
    kubectl.run("apply", "-f", "-", input=pod_manifest("new", namespace, pod_security=sysctls))


def test_metadata_only_update_of_a_violating_pod_is_allowed(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("run", "before", "--image=nginx", "-n", namespace)
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    kubectl.run("label", "pod", "before", "-n", namespace, "touched=yes")
    changed = kubectl.run("set", "image", "pod/before", "before=nginx:2", "-n", namespace,
                          check=False)
    assert changed.returncode == 1
    assert 'pods "before" is forbidden: violates PodSecurity "restricted:latest"' in changed.stderr


def test_every_kubectl_version_shows_refusals_and_warnings(any_kubectl: Kubectl,
                                                          namespace: str) -> None:
    kubectl = any_kubectl
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=baseline", f"{WARN}=restricted")
    refused = kubectl.run("run", "host", "--image=nginx", "-n", namespace, "--port=80",
                          "--overrides", '{"spec": {"hostNetwork": true}}', check=False)
    assert refused.returncode == 1
    # hostNetwork pods get hostPort defaulted to containerPort, so both are named
    assert ('pods "host" is forbidden: violates PodSecurity "baseline:latest": host namespaces '
            '(hostNetwork=true), hostPort (container "host" uses hostPort 80)\n') in refused.stderr
    warned = kubectl.run("run", "plain", "--image=nginx", "-n", namespace)
    assert warnings_of(warned.stderr) == [
        f'would violate PodSecurity "restricted:latest": {restricted_violations("plain")}']


# ------------------------------------------------------------------ warn and workloads


def test_warn_level_prints_kubectl_warning(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("label", "ns", namespace, f"{WARN}=baseline")
    result = kubectl.run("apply", "-f", "-",
                         input=pod_manifest("priv", namespace, {"privileged": True}))
    assert "pod/priv created" in result.stdout
    assert warnings_of(result.stderr) == [
        'would violate PodSecurity "baseline:latest": privileged (container "c" must not set '
        "securityContext.privileged=true)"]


def test_deployment_in_enforced_namespace_is_created_with_a_warning(
        kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    result = kubectl.run("create", "deployment", "web", "--image=nginx", "-n", namespace)
    assert "deployment.apps/web created" in result.stdout
    assert warnings_of(result.stderr) == [
        f'would violate PodSecurity "restricted:latest": {restricted_violations("nginx")}']
    job = kubectl.run("create", "cronjob", "tick", "--image=busybox", "--schedule=* * * * *",
                      "-n", namespace)
    assert warnings_of(job.stderr) == [
        f'would violate PodSecurity "restricted:latest": {restricted_violations("tick")}']


# ------------------------------------------------------------------ namespace labels


def test_labelling_a_namespace_warns_about_existing_pods(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("run", "old-a", "--image=nginx", "-n", namespace)
    kubectl.run("run", "old-b", "--image=nginx", "-n", namespace)
    kubectl.run("apply", "-f", "-", input=pod_manifest("fine", namespace, COMPLIANT))
    result = kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    assert f"namespace/{namespace} labeled" in result.stdout
    assert warnings_of(result.stderr) == [
        f'existing pods in namespace "{namespace}" violate the new PodSecurity enforce level '
        f'"restricted:latest"',
        "old-a (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, "
        "runAsNonRoot != true, seccompProfile"]
    labels = kubectl.json("get", "ns", namespace)["metadata"]["labels"]
    assert labels[ENFORCE] == "restricted"


def test_invalid_label_value_is_refused(kubectl: Kubectl, namespace: str) -> None:
    result = kubectl.run("label", "ns", namespace, f"{ENFORCE}=strict", check=False)
    assert result.returncode == 1
    assert (f'The Namespace "{namespace}" is invalid: metadata.labels[{ENFORCE}]: Invalid value: '
            f'"strict": must be one of privileged, baseline, restricted') in result.stderr
    version = kubectl.run("label", "ns", namespace, f"{ENFORCE}-version=1.25", check=False)
    assert (f'metadata.labels[{ENFORCE}-version]: Invalid value: "1.25": must be "latest" or '
            f'"v1.x"') in version.stderr
    created = kubectl.run("apply", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": f"bad-{uuid.uuid4().hex[:6]}", "labels": {AUDIT: "loud"}}}))
    assert created.returncode == 1
    assert f'metadata.labels[{AUDIT}]: Invalid value: "loud"' in created.stderr


# ------------------------------------------------------------------ Python client


def test_python_client_sees_forbidden_status(api_client, kubectl: Kubectl, namespace: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="py"), spec=client.V1PodSpec(
        containers=[client.V1Container(name="app", image="nginx")]))
    with pytest.raises(ApiException) as caught:
        client.CoreV1Api(api_client).create_namespaced_pod(namespace, pod)
    assert caught.value.status == 403
    status = json.loads(caught.value.body)
    assert status["reason"] == "Forbidden"
    assert status["details"] == {"name": "py", "kind": "pods"}
    assert status["message"] == (f'pods "py" is forbidden: violates PodSecurity '
                                 f'"restricted:latest": {restricted_violations("app")}')


# ------------------------------------------------------------------ configuration


ADMISSION_CONFIG = """apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: baseline
      enforce-version: latest
      audit: restricted
    exemptions:
      namespaces: [exempt-ns]
      runtimeClasses: [trusted]
      usernames: [psa-bot]
"""
AUDIT_POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
  resources:
  - group: ""
    resources: ["pods"]
- level: None
"""


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    base = tmp_path_factory.mktemp("podsecurity-config")
    (base / "admission.yaml").write_text(ADMISSION_CONFIG)
    (base / "audit-policy.yaml").write_text(AUDIT_POLICY)
    server = Server(base / "data", [
        "--disable-admission-plugins=ServiceAccount",
        f"--admission-control-config-file={base / 'admission.yaml'}",
        f"--audit-policy-file={base / 'audit-policy.yaml'}",
        f"--audit-log-path={base / 'audit.log'}"])
    try:
        server.start()
        yield server, Kubectl(server, base / "cache"), base / "audit.log"
    finally:
        server.stop()


def _audit_events(path: Path, name: str) -> list[dict]:
    if not path.exists():
        return []
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [e for e in events if (e.get("objectRef") or {}).get("name") == name
            and e.get("stage") == "ResponseComplete" and e.get("verb") == "create"]


def test_configured_defaults_and_namespace_exemption(configured) -> None:
    _, kubectl, _ = configured
    namespace = f"d-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "namespace", namespace)
    kubectl.run("create", "namespace", "exempt-ns")
    privileged = pod_manifest("priv", namespace, {"privileged": True})
    refused = kubectl.run("apply", "-f", "-", input=privileged, check=False)
    assert refused.returncode == 1
    assert 'violates PodSecurity "baseline:latest": privileged' in refused.stderr
    exempt = kubectl.run("apply", "-f", "-", input=pod_manifest("priv", "exempt-ns",
                                                                {"privileged": True}))
    assert "pod/priv created" in exempt.stdout
    assert warnings_of(exempt.stderr) == []
    labelled = kubectl.run("label", "ns", "exempt-ns", f"{ENFORCE}=restricted")
    assert warnings_of(labelled.stderr) == [
        'namespace "exempt-ns" is exempt from Pod Security, and the policy '
        "(enforce=restricted:latest) will be ignored"]


def test_configured_runtime_class_exemption(configured) -> None:
    _, kubectl, _ = configured
    namespace = f"r-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "namespace", namespace)
    kubectl.run("apply", "-f", "-", input=json.dumps({
        "apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
        "metadata": {"name": "trusted"}, "handler": "runc"}))
    body = json.loads(pod_manifest("trusted", namespace, {"privileged": True}))
    body["spec"]["runtimeClassName"] = "trusted"
    kubectl.run("apply", "-f", "-", input=json.dumps(body))
    assert kubectl.json("get", "pod", "trusted", "-n", namespace)["spec"]["runtimeClassName"] == "trusted"


def test_configured_username_exemption(configured) -> None:
    server, kubectl, audit_log = configured
    namespace = f"u-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "namespace", namespace)
    bot = make_user(server, "psa-bot", "system:masters")
    manifest = pod_manifest("by-bot", namespace, {"privileged": True})
    created = kubectl.run("apply", "-f", "-", input=manifest, env={"KUBECONFIG": str(bot)})
    assert "pod/by-bot created" in created.stdout
    refused = kubectl.run("apply", "-f", "-", input=manifest.replace("by-bot", "by-admin"),
                          check=False)
    assert 'pods "by-admin" is forbidden: violates PodSecurity "baseline:latest"' in refused.stderr
    event = wait_for(lambda: _audit_events(audit_log, "by-bot"))[0]
    assert event["annotations"]["pod-security.kubernetes.io/exempt"] == "user"


def test_audit_annotations_reach_the_audit_log(configured) -> None:
    _, kubectl, audit_log = configured
    namespace = f"a-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "namespace", namespace)
    kubectl.run("run", "audited", "--image=nginx", "-n", namespace)
    event = wait_for(lambda: _audit_events(audit_log, "audited"))[0]
    annotations = event["annotations"]
    assert annotations["pod-security.kubernetes.io/enforce-policy"] == "baseline:latest"
    assert annotations["pod-security.kubernetes.io/audit-violations"] == (
        f'would violate PodSecurity "restricted:latest": {restricted_violations("audited")}')
    kubectl.run("run", "refused", "--image=nginx", "-n", namespace, "--privileged", check=False)
    refused = wait_for(lambda: _audit_events(audit_log, "refused"))[0]
    assert refused["responseStatus"]["code"] == 403
    assert refused["annotations"]["pod-security.kubernetes.io/enforce-policy"] == "baseline:latest"


def test_bad_admission_config_file_is_a_one_line_error(tmp_path) -> None:
    bad = tmp_path / "admission.yaml"
    bad.write_text(ADMISSION_CONFIG.replace("enforce: baseline", "enforce: strict"))
    server = Server(tmp_path / "data", [f"--admission-control-config-file={bad}"])
    with pytest.raises(RuntimeError) as caught:
        server.start()
    server.stop()
    assert ('defaults.enforce: Invalid value: "strict": must be one of privileged, baseline, '
            "restricted") in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_disabled_plugin_enforces_nothing(tmp_path) -> None:
    server = Server(tmp_path / "data",
                    ["--disable-admission-plugins=ServiceAccount,PodSecurity"])
    try:
        server.start()
        kubectl = Kubectl(server, tmp_path / "cache")
        kubectl.run("create", "namespace", "locked")
        kubectl.run("label", "ns", "locked", f"{ENFORCE}=restricted")
        result = kubectl.run("run", "plain", "--image=nginx", "-n", "locked")
        assert "pod/plain created" in result.stdout
        assert warnings_of(result.stderr) == []
    finally:
        server.stop()


def test_replicaset_pods_refused_by_enforce_become_failed_create_events(
        cluster_kubectl: Kubectl, cluster_namespace: str) -> None:
    kubectl, namespace = cluster_kubectl, cluster_namespace
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    kubectl.run("create", "deployment", "web", "--image=nginx", "-n", namespace)

    def failed_create() -> list[dict]:
        events = kubectl.json("get", "events", "-n", namespace)["items"]
        return [e for e in events if e.get("reason") == "FailedCreate"
                and e["involvedObject"]["kind"] == "ReplicaSet"]
    event = wait_for(failed_create)[0]
    assert event["type"] == "Warning"
    assert event["message"].startswith('Error creating: pods "web-')
    assert f'is forbidden: violates PodSecurity "restricted:latest": {restricted_violations("nginx")}' \
        in event["message"]
    assert kubectl.json("get", "pods", "-n", namespace)["items"] == []


def test_ephemeral_debug_containers_are_enforced(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("label", "ns", namespace, f"{ENFORCE}=restricted")
    kubectl.run("apply", "-f", "-", input=pod_manifest("target", namespace, COMPLIANT))
    refused = kubectl.run("debug", "target", "-n", namespace, "--image=busybox", "-c", "dbg",
                          "--profile=general", check=False)
    assert refused.returncode == 1
    assert ('pods "target" is forbidden: violates PodSecurity "restricted:latest": '
            'allowPrivilegeEscalation != false (container "dbg" must set') in refused.stderr
    kubectl.run("debug", "target", "-n", namespace, "--image=busybox", "-c", "dbg",
                "--profile=restricted")
    spec = kubectl.json("get", "pod", "target", "-n", namespace)["spec"]
    assert [c["name"] for c in spec["ephemeralContainers"]] == ["dbg"]
