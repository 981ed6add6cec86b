# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Levels and versions, namespace labels to policy, which checks apply at each level and
version, and the PodSecurity configuration file."""
from __future__ import annotations

import pytest

from kybernetes.podsecurity import (ConfigError, LevelVersion, Policy, Version,
                                    load_admission_configuration,
                                    parse_pod_security_configuration, policy_to_evaluate)
from kybernetes.podsecurity.levels import compare_levels, parse_level, parse_version
from kybernetes.podsecurity.registry import NEWEST_MINOR, checks_for, evaluate_pod
from kybernetes.podsecurity.results import aggregate

P = "pod-security.kubernetes.io/"


def test_parse_level() -> None:
    assert parse_level("baseline") == ("baseline", None)
    assert parse_level("Baseline") == ("restricted",
                                       "must be one of privileged, baseline, restricted")


@pytest.mark.parametrize("text, shown", [("latest", "latest"), ("v1.0", "v1.0"),
                                         ("v1.25", "v1.25"), ("v1.99", "v1.99")])
def test_parse_version(text, shown) -> None:
    version, error = parse_version(text)
    assert error is None and str(version) == shown


@pytest.mark.parametrize("text", ["1.25", "v1.025", "v2.0", "v1.", "", "Latest", "v1.2.3"])
def test_bad_versions_mean_latest_with_an_error(text) -> None:
    version, error = parse_version(text)
    assert version == Version(latest=True)
    assert error == 'must be "latest" or "v1.x"'


def test_version_order() -> None:
    assert Version(24).older(Version(25))
    assert Version(99).older(Version(latest=True))
    assert not Version(latest=True).older(Version(99))


def test_compare_levels() -> None:
    assert compare_levels("restricted", "baseline") == 1
    assert compare_levels("privileged", "baseline") == -1
    assert compare_levels("baseline", "baseline") == 0


def test_no_labels_means_the_defaults() -> None:
    defaults = Policy(LevelVersion("baseline"))
    assert policy_to_evaluate({}, defaults) == (defaults, [])
    assert policy_to_evaluate({"team": "a"}, defaults) == (defaults, [])


def test_labels_choose_each_mode() -> None:
    policy, errors = policy_to_evaluate({
        P + "enforce": "baseline", P + "enforce-version": "v1.24",
        P + "audit": "restricted", P + "warn": "restricted", P + "warn-version": "v1.30"},
        Policy())
    assert errors == []
    assert str(policy.enforce) == "baseline:v1.24"
    assert str(policy.audit) == "restricted:latest"
    assert str(policy.warn) == "restricted:v1.30"


def test_warn_follows_a_stricter_enforce_level() -> None:
    policy, _ = policy_to_evaluate({P + "enforce": "restricted", P + "enforce-version": "v1.29"},
                                   Policy())
    assert str(policy.warn) == "restricted:v1.29"
    kept, _ = policy_to_evaluate({P + "enforce": "restricted", P + "warn-version": "v1.20"},
                                 Policy())
    assert str(kept.warn) == "restricted:v1.20"
    explicit, _ = policy_to_evaluate({P + "enforce": "restricted", P + "warn": "privileged"},
                                     Policy())
    assert str(explicit.warn) == "privileged:latest"


def test_invalid_labels_enforce_restricted_and_fail_open_for_audit_and_warn() -> None:
    policy, errors = policy_to_evaluate({P + "enforce": "bogus", P + "audit": "bogus",
                                         P + "warn": "bogus", P + "audit-version": "x"}, Policy())
    assert policy.enforce.level == "restricted"
    assert policy.audit.level == "privileged" and policy.warn.level == "privileged"
    assert [str(e) for e in errors] == [
        f'metadata.labels[{P}enforce]: Invalid value: "bogus": must be one of privileged, '
        f"baseline, restricted",
        f'metadata.labels[{P}audit]: Invalid value: "bogus": must be one of privileged, '
        f"baseline, restricted",
        f'metadata.labels[{P}audit-version]: Invalid value: "x": must be "latest" or "v1.x"',
        f'metadata.labels[{P}warn]: Invalid value: "bogus": must be one of privileged, '
        f"baseline, restricted"]
    # an invalid enforce level does not carry warn along with it
    assert policy.warn.level == "privileged"


# --------------------------------------------------------------------- registry


def ids(level: str, minor: int) -> list[str]:
    return [check_id for check_id, _ in checks_for(level, minor)]


def test_latest_is_the_newest_check_revision() -> None:
    assert NEWEST_MINOR == 32


def test_restricted_replaces_the_baseline_checks_it_overrides() -> None:
    assert ids("restricted", 32) == [
        "appArmorProfile", "hostNamespaces", "hostPorts", "privileged", "procMount",
        "seLinuxOptions", "sysctls", "windowsHostProcess", "allowPrivilegeEscalation",
        "capabilities_restricted", "restrictedVolumes", "runAsNonRoot", "runAsUser",
        "seccompProfile_restricted"]
    assert ids("baseline", 32) == [
        "appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes",
        "hostPorts", "privileged", "procMount", "seLinuxOptions", "seccompProfile_baseline",
        "sysctls", "windowsHostProcess"]
    assert ids("privileged", 32) == []


def test_checks_appear_at_the_version_they_were_added() -> None:
    assert "allowPrivilegeEscalation" not in ids("restricted", 7)
    assert "allowPrivilegeEscalation" in ids("restricted", 8)
    assert "runAsUser" not in ids("restricted", 22) and "runAsUser" in ids("restricted", 23)
    # before 1.22 the restricted level keeps the baseline capabilities check
    assert "capabilities_baseline" in ids("restricted", 21)
    assert "capabilities_restricted" not in ids("restricted", 21)
    assert "seccompProfile_baseline" in ids("restricted", 18)


def plain_pod() -> dict:
    return {"containers": [{"name": "app", "image": "nginx"}]}


def test_evaluate_pod_at_pinned_versions() -> None:
    def reasons(version: Version) -> list[str]:
        return aggregate(evaluate_pod(LevelVersion("restricted", version), {}, plain_pod())).reasons
    assert reasons(Version(latest=True)) == [
        "allowPrivilegeEscalation != false", "unrestricted capabilities", "runAsNonRoot != true",
        "seccompProfile"]
    assert reasons(Version(99)) == reasons(Version(latest=True))
    assert reasons(Version(21)) == ["allowPrivilegeEscalation != false", "runAsNonRoot != true",
                                    "seccompProfile"]
    assert reasons(Version(18)) == ["allowPrivilegeEscalation != false", "runAsNonRoot != true"]
    assert reasons(Version(0)) == ["runAsNonRoot != true"]
    assert evaluate_pod(LevelVersion("privileged"), {}, plain_pod()) == []
    assert aggregate(evaluate_pod(LevelVersion("baseline"), {}, plain_pod())).allowed


def test_windows_exemption_starts_at_1_25() -> None:
    spec = {**plain_pod(), "os": {"name": "windows"}}
    latest = aggregate(evaluate_pod(LevelVersion("restricted"), {}, spec))
    assert latest.reasons == ["runAsNonRoot != true"]
    v124 = aggregate(evaluate_pod(LevelVersion("restricted", Version(24)), {}, spec))
    assert "seccompProfile" in v124.reasons


# --------------------------------------------------------------------- configuration

CONFIG = {"apiVersion": "pod-security.admission.config.k8s.io/v1",
          "kind": "PodSecurityConfiguration"}


def test_configuration_defaults_to_privileged_latest() -> None:
    config = parse_pod_security_configuration(dict(CONFIG))
    assert config.defaults == Policy()
    assert config.exemptions.namespaces == ()


def test_configuration_defaults_and_exemptions() -> None:
    config = parse_pod_security_configuration({
        **CONFIG, "defaults": {"enforce": "baseline", "enforce-version": "v1.30",
                               "warn": "restricted"},
        "exemptions": {"usernames": ["alice"], "namespaces": ["kube-system"],
                       "runtimeClasses": ["kata"]}})
    assert str(config.defaults.enforce) == "baseline:v1.30"
    assert str(config.defaults.warn) == "restricted:latest"
    assert str(config.defaults.audit) == "privileged:latest"
    assert config.exemptions.usernames == ("alice",)
    assert config.exemptions.runtime_classes == ("kata",)


@pytest.mark.parametrize("doc, message", [
    ({"defaults": {"enforce": "strict"}},
     'defaults.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted'),
    ({"defaults": {"audit-version": "1.2"}},
     'defaults.audit-version: Invalid value: "1.2": must be "latest" or "v1.x"'),
    ({"exemptions": {"namespaces": ["a", "a"]}}, 'exemptions.namespaces[1]: Duplicate value: "a"'),
    ({"exemptions": {"namespaces": ["Bad_NS"]}}, 'exemptions.namespaces[0]: Invalid value: "Bad_NS"'),
    ({"exemptions": {"usernames": [""]}},
     'exemptions.usernames[0]: Invalid value: "": username must not be empty'),
])
def test_configuration_errors_name_the_field(doc, message) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_pod_security_configuration({**CONFIG, **doc})
    assert message in str(caught.value)


def test_configuration_versions() -> None:
    for version in ("v1", "v1beta1", "v1alpha1"):
        parse_pod_security_configuration({**CONFIG, "apiVersion":
                                          f"pod-security.admission.config.k8s.io/{version}"})
    with pytest.raises(ConfigError, match="PodSecurityConfiguration"):
        parse_pod_security_configuration({**CONFIG, "apiVersion": "v1"})


ADMISSION = """apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: SomethingElse
  configuration: {}
- name: PodSecurity
  {placement}
"""


def test_admission_configuration_inline_and_by_path(tmp_path) -> None:
    inline = tmp_path / "inline.yaml"
    inline.write_text(ADMISSION.replace("{placement}", """configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: restricted}"""))
    assert load_admission_configuration(inline).defaults.enforce.level == "restricted"
    (tmp_path / "psa.yaml").write_text(
        "apiVersion: pod-security.admission.config.k8s.io/v1beta1\n"
        "kind: PodSecurityConfiguration\nexemptions: {namespaces: [ops]}\n")
    by_path = tmp_path / "by-path.yaml"
    by_path.write_text(ADMISSION.replace("{placement}", "path: psa.yaml"))
    assert load_admission_configuration(by_path).exemptions.namespaces == ("ops",)


def test_admission_configuration_errors(tmp_path) -> None:
    wrong_kind = tmp_path / "wrong.yaml"
    wrong_kind.write_text("apiVersion: v1\nkind: ConfigMap\n")
    with pytest.raises(ConfigError, match="AdmissionConfiguration"):
        load_admission_configuration(wrong_kind)
    with pytest.raises(ConfigError, match="unable to read"):
        load_admission_configuration(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(ADMISSION.replace("{placement}", """configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {warn: loud}"""))
    with pytest.raises(ConfigError) as caught:
        load_admission_configuration(bad)
    assert str(caught.value) == (
        'couldn\'t init admission plugin "PodSecurity": PodSecurity invalid: defaults.warn: '
        'Invalid value: "loud": must be one of privileged, baseline, restricted')
    unnamed = tmp_path / "unnamed.yaml"
    unnamed.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\n"
                       "plugins: []\n")
    assert load_admission_configuration(unnamed).defaults == Policy()
