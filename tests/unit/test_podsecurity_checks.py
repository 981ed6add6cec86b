# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Each Pod Security Standards check: what it allows, what it forbids, and upstream's
exact reason and detail wording (singular and plural)."""
from __future__ import annotations

import pytest

from kybernetes.podsecurity import baseline, restricted
from kybernetes.podsecurity.results import CheckResult, aggregate


def spec_with(*containers: dict, **fields) -> dict:
    return {"containers": list(containers), **fields}


def c(name: str, image: str = "busybox", **security) -> dict:
    container = {"name": name, "image": image}
    if security:
        container["securityContext"] = security
    return container


def refused(result: CheckResult) -> tuple[str, str]:
    assert not result.allowed
    return result.reason, result.detail


# --------------------------------------------------------------------- baseline


def test_host_namespaces() -> None:
    assert baseline.host_namespaces({}, spec_with(c("a"))).allowed
    assert baseline.host_namespaces({}, spec_with(c("a"), hostNetwork=False)).allowed
    assert refused(baseline.host_namespaces({}, spec_with(c("a"), hostNetwork=True))) == (
        "host namespaces", "hostNetwork=true")
    assert refused(baseline.host_namespaces(
        {}, spec_with(c("a"), hostIPC=True, hostPID=True, hostNetwork=True))) == (
        "host namespaces", "hostNetwork=true, hostPID=true, hostIPC=true")


def test_privileged() -> None:
    assert baseline.privileged({}, spec_with(c("a", privileged=False))).allowed
    spec = {"initContainers": [c("init", privileged=True)],
            "containers": [c("a", privileged=True), c("b")]}
    assert refused(baseline.privileged({}, spec)) == (
        "privileged", 'containers "init", "a" must not set securityContext.privileged=true')
    assert refused(baseline.privileged({}, spec_with(c("a", privileged=True))))[1] == \
        'container "a" must not set securityContext.privileged=true'


def test_ephemeral_containers_are_checked_too() -> None:
    spec = spec_with(c("a"), ephemeralContainers=[c("debug", privileged=True)])
    assert refused(baseline.privileged({}, spec))[1] == \
        'container "debug" must not set securityContext.privileged=true'


def test_capabilities_baseline() -> None:
    allowed = c("a", capabilities={"add": ["CHOWN", "NET_BIND_SERVICE", "SYS_CHROOT"]})
    assert baseline.capabilities_baseline({}, spec_with(allowed)).allowed
    spec = spec_with(c("a", capabilities={"add": ["NET_RAW", "CHOWN"]}),
                     c("b", capabilities={"add": ["SYS_ADMIN", "NET_RAW"]}))
    assert refused(baseline.capabilities_baseline({}, spec)) == (
        "non-default capabilities",
        'containers "a", "b" must not include "NET_RAW", "SYS_ADMIN" in '
        "securityContext.capabilities.add")


def test_host_path_volumes() -> None:
    assert baseline.host_path_volumes({}, spec_with(c("a"), volumes=[
        {"name": "e", "emptyDir": {}}])).allowed
    assert refused(baseline.host_path_volumes({}, spec_with(c("a"), volumes=[
        {"name": "v", "hostPath": {"path": "/"}}]))) == ("hostPath volumes", 'volume "v"')
    assert refused(baseline.host_path_volumes({}, spec_with(c("a"), volumes=[
        {"name": "x", "hostPath": {"path": "/"}}, {"name": "y", "hostPath": {"path": "/a"}}]
    )))[1] == 'volumes "x", "y"'


def test_host_ports() -> None:
    assert baseline.host_ports({}, spec_with({"name": "a", "ports": [
        {"containerPort": 80}, {"containerPort": 81, "hostPort": 0}]})).allowed
    one = spec_with({"name": "b", "ports": [{"containerPort": 80, "hostPort": 20}]})
    assert refused(baseline.host_ports({}, one)) == ("hostPort", 'container "b" uses hostPort 20')
    many = spec_with({"name": "a", "ports": [{"containerPort": 1}]},
                     {"name": "b", "ports": [{"containerPort": 1, "hostPort": 10},
                                             {"containerPort": 2, "hostPort": 20}]},
                     {"name": "c", "ports": [{"containerPort": 1, "hostPort": 30}]})
    assert refused(baseline.host_ports({}, many))[1] == 'containers "b", "c" use hostPorts 10, 20, 30'


def test_app_armor() -> None:
    ok = spec_with(c("a", appArmorProfile={"type": "RuntimeDefault"}),
                   c("b", appArmorProfile={"type": "Localhost", "localhostProfile": "p"}))
    assert baseline.app_armor_profile({}, ok).allowed
    pod = spec_with(c("a"), securityContext={"appArmorProfile": {"type": "Unconfined"}})
    assert refused(baseline.app_armor_profile({}, pod)) == (
        "forbidden AppArmor profile", 'pod must not set AppArmor profile type to "Unconfined"')
    container = {"initContainers": [c("bar", appArmorProfile={"type": "Unconfined"})],
                 "containers": [c("a")]}
    assert refused(baseline.app_armor_profile({}, container))[1] == \
        'container "bar" must not set AppArmor profile type to "Unconfined"'
    meta = {"annotations": {
        "container.apparmor.security.beta.kubernetes.io/a": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/c": "localhost/mine",
        "unrelated": "unconfined"}}
    assert refused(baseline.app_armor_profile(meta, spec_with(c("a")))) == (
        "forbidden AppArmor profile",
        'annotation must not set AppArmor profile type to '
        '"container.apparmor.security.beta.kubernetes.io/a="unconfined""')
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    several = {"annotations": {prefix: "bogus", prefix + "a": "", prefix + "c": "localhost/",
                               prefix + "e": "unconfined", prefix + "f": "unknown"}}
    assert refused(baseline.app_armor_profile(several, spec_with(c("a")))) == (
        "forbidden AppArmor profiles",
        f'annotations must not set AppArmor profile type to "{prefix}="bogus"", '
        f'"{prefix}e="unconfined"", "{prefix}f="unknown""')


def test_selinux_options() -> None:
    ok = spec_with(c("a", seLinuxOptions={"type": "container_t", "level": "s0:c1"}))
    assert baseline.se_linux_options(baseline.SELINUX_TYPES_1_31)({}, ok).allowed
    check = baseline.se_linux_options(baseline.SELINUX_TYPES_1_31)
    spec = spec_with(c("e", seLinuxOptions={"type": "bar"}),
                     c("f", seLinuxOptions={"user": "u"}),
                     c("g", seLinuxOptions={"role": "r"}),
                     securityContext={"seLinuxOptions": {"type": "foo", "user": "u", "role": "r"}})
    assert refused(check({}, spec)) == (
        "seLinuxOptions",
        'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: '
        'types "bar", "foo"; user may not be set; role may not be set')
    bad_type = spec_with(c("a"), securityContext={"seLinuxOptions": {"type": "bad"}})
    assert refused(check({}, bad_type))[1] == \
        'pod set forbidden securityContext.seLinuxOptions: type "bad"'


def test_selinux_container_engine_type_allowed_from_1_31() -> None:
    spec = spec_with(c("a", seLinuxOptions={"type": "container_engine_t"}))
    assert baseline.se_linux_options(baseline.SELINUX_TYPES_1_31)({}, spec).allowed
    assert not baseline.se_linux_options(baseline.SELINUX_TYPES_1_0)({}, spec).allowed


def test_proc_mount() -> None:
    assert baseline.proc_mount({}, spec_with(c("a", procMount="Default"))).allowed
    assert refused(baseline.proc_mount({}, spec_with(c("a", procMount="Unmasked")))) == (
        "procMount", 'container "a" must not set securityContext.procMount to "Unmasked"')


def test_seccomp_baseline() -> None:
    assert baseline.seccomp_baseline({}, spec_with(c("a"))).allowed
    assert baseline.seccomp_baseline({}, spec_with(
        c("a", seccompProfile={"type": "Localhost", "localhostProfile": "x.json"}))).allowed
    spec = spec_with(c("a", seccompProfile={"type": "Unconfined"}),
                     securityContext={"seccompProfile": {"type": "Unconfined"}})
    assert refused(baseline.seccomp_baseline({}, spec)) == (
        "seccompProfile",
        'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"')


def test_seccomp_annotations_before_1_19() -> None:
    meta = {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined",
                            "container.seccomp.security.alpha.kubernetes.io/a": "runtime/default"}}
    assert refused(baseline.seccomp_baseline_annotations(meta, spec_with(c("a")))) == (
        "seccompProfile",
        'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"')


def test_sysctls_by_version() -> None:
    spec = spec_with(c("a"), securityContext={"sysctls": [
        {"name": "net.ipv4.tcp_rmem", "value": "1"}, {"name": "kernel.msgmax", "value": "1"},
        {"name": "kernel.shm_rmid_forced", "value": "1"}]})
    assert refused(baseline.sysctls(baseline.SAFE_SYSCTLS_1_32)({}, spec)) == (
        "forbidden sysctls", "kernel.msgmax")
    assert refused(baseline.sysctls(baseline.SAFE_SYSCTLS_1_29)({}, spec))[1] == \
        "net.ipv4.tcp_rmem, kernel.msgmax"


def test_windows_host_process() -> None:
    spec = spec_with(c("e", windowsOptions={"hostProcess": True}),
                     c("f", windowsOptions={"hostProcess": True}),
                     securityContext={"windowsOptions": {"hostProcess": True}})
    assert refused(baseline.windows_host_process({}, spec)) == (
        "hostProcess",
        'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true')
    assert baseline.windows_host_process({}, spec_with(
        c("a", windowsOptions={"hostProcess": False}))).allowed

# --------------------------------------------------------------------- restricted


def test_restricted_volumes() -> None:
    allowed = [{"name": n, k: {}} for n, k in (
        ("a", "configMap"), ("b", "csi"), ("c", "downwardAPI"), ("d", "emptyDir"),
        ("e", "ephemeral"), ("f", "persistentVolumeClaim"), ("g", "projected"), ("h", "secret"))]
    assert restricted.restricted_volumes({}, spec_with(c("x"), volumes=allowed)).allowed
    bad = [{"name": "host", "hostPath": {"path": "/"}}, {"name": "share", "nfs": {}},
           {"name": "ceph", "cephfs": {}}, {"name": "odd", "somethingNew": {}}]
    assert refused(restricted.restricted_volumes({}, spec_with(c("x"), volumes=bad))) == (
        "restricted volume types",
        'volumes "host", "share", "ceph", "odd" use restricted volume types '
        '"cephfs", "hostPath", "nfs", "unknown"')
    one = [{"name": "v", "hostPath": {"path": "/"}}]
    assert refused(restricted.restricted_volumes({}, spec_with(c("x"), volumes=one)))[1] == \
        'volume "v" uses restricted volume type "hostPath"'


def test_allow_privilege_escalation() -> None:
    ok = spec_with(c("a", allowPrivilegeEscalation=False))
    assert restricted.allow_privilege_escalation_1_8({}, ok).allowed
    spec = spec_with(c("a"), c("b", allowPrivilegeEscalation=True),
                     c("ok", allowPrivilegeEscalation=False))
    assert refused(restricted.allow_privilege_escalation_1_8({}, spec)) == (
        "allowPrivilegeEscalation != false",
        'containers "a", "b" must set securityContext.allowPrivilegeEscalation=false')


def test_windows_pods_are_exempt_from_linux_only_checks_from_1_25() -> None:
    spec = spec_with(c("a"), os={"name": "windows"})
    assert restricted.windows_exempt(restricted.allow_privilege_escalation_1_8)({}, spec).allowed
    assert not restricted.allow_privilege_escalation_1_8({}, spec).allowed
    assert restricted.windows_exempt(restricted.seccomp_restricted)({}, spec).allowed
    assert restricted.windows_exempt(restricted.capabilities_restricted)({}, spec).allowed
    linux = spec_with(c("a"), os={"name": "linux"})
    assert not restricted.windows_exempt(restricted.capabilities_restricted)({}, linux).allowed


def test_run_as_non_root() -> None:
    assert restricted.run_as_non_root({}, spec_with(c("a"), securityContext={
        "runAsNonRoot": True})).allowed
    assert restricted.run_as_non_root({}, spec_with(c("a", runAsNonRoot=True))).allowed
    implicit = spec_with(c("a"), c("b", runAsNonRoot=True), c("d"))
    assert refused(restricted.run_as_non_root({}, implicit)) == (
        "runAsNonRoot != true",
        'pod or containers "a", "d" must set securityContext.runAsNonRoot=true')
    explicit = spec_with(c("a", runAsNonRoot=False), securityContext={"runAsNonRoot": False})
    assert refused(restricted.run_as_non_root({}, explicit))[1] == \
        'pod and container "a" must not set securityContext.runAsNonRoot=false'
    # a container's own false wins over the pod's true
    override = spec_with(c("a", runAsNonRoot=False), securityContext={"runAsNonRoot": True})
    assert refused(restricted.run_as_non_root({}, override))[1] == \
        'container "a" must not set securityContext.runAsNonRoot=false'


def test_run_as_user() -> None:
    assert restricted.run_as_user({}, spec_with(c("a", runAsUser=1000))).allowed
    assert restricted.run_as_user({}, spec_with(c("a"))).allowed
    spec = spec_with(c("a", runAsUser=0), c("b", runAsUser=5), securityContext={"runAsUser": 0})
    assert refused(restricted.run_as_user({}, spec)) == (
        "runAsUser=0", 'pod and container "a" must not set runAsUser=0')


def test_seccomp_restricted() -> None:
    assert restricted.seccomp_restricted({}, spec_with(c("a"), securityContext={
        "seccompProfile": {"type": "RuntimeDefault"}})).allowed
    assert restricted.seccomp_restricted({}, spec_with(
        c("a", seccompProfile={"type": "Localhost", "localhostProfile": "p"}))).allowed
    assert refused(restricted.seccomp_restricted({}, spec_with(c("a"), c("b")))) == (
        "seccompProfile",
        'pod or containers "a", "b" must set securityContext.seccompProfile.type to '
        '"RuntimeDefault" or "Localhost"')
    explicit = spec_with(c("a", seccompProfile={"type": "Unconfined"}), securityContext={
        "seccompProfile": {"type": "RuntimeDefault"}})
    assert refused(restricted.seccomp_restricted({}, explicit))[1] == \
        'container "a" must not set securityContext.seccompProfile.type to "Unconfined"'


def test_capabilities_restricted() -> None:
    ok = spec_with(c("a", capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}))
    assert restricted.capabilities_restricted({}, ok).allowed
    spec = spec_with(c("a"), c("b", capabilities={"drop": ["NET_RAW"]}),
                     c("c", capabilities={"drop": ["ALL"], "add": ["CHOWN", "NET_RAW"]}))
    assert refused(restricted.capabilities_restricted({}, spec)) == (
        "unrestricted capabilities",
        'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; '
        'container "c" must not include "CHOWN", "NET_RAW" in securityContext.capabilities.add')


# --------------------------------------------------------------------- aggregation


@pytest.mark.parametrize("results, detail, reason", [
    ([CheckResult(True)], "", ""),
    ([CheckResult(False, "a", "x"), CheckResult(True), CheckResult(False, "b", "")],
     "a (x), b", "a, b"),
    ([CheckResult(False, "", "d")], "unknown forbidden reason (d)", "unknown forbidden reason"),
])
def test_aggregate(results, detail, reason) -> None:
    result = aggregate(results)
    assert result.allowed == (reason == "")
    assert result.forbidden_detail() == detail
    assert result.forbidden_reason() == reason
