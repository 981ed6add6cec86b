# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Which checks apply at each level and policy version, as upstream's check registry
resolves them: every check has revisions from a minimum version on; a restricted check
may replace baseline checks; results come in check-ID order, baseline checks first.
Versions newer than the newest revision (and "latest") evaluate as that newest one."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kybernetes.podsecurity import baseline, restricted
from kybernetes.podsecurity.levels import BASELINE, PRIVILEGED, RESTRICTED, LevelVersion, Version
from kybernetes.podsecurity.results import CheckFn, CheckResult


@dataclass(frozen=True)
class Revision:
    minimum: int  # policy version 1.<minimum> and later
    check: CheckFn
    overrides: tuple[str, ...] = ()  # baseline check IDs this restricted check replaces


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    revisions: tuple[Revision, ...] = field(default_factory=tuple)


CHECKS: tuple[Check, ...] = (
    # baseline
    Check("appArmorProfile", BASELINE, (Revision(0, baseline.app_armor_profile),)),
    Check("capabilities_baseline", BASELINE, (Revision(0, baseline.capabilities_baseline),)),
    Check("hostNamespaces", BASELINE, (Revision(0, baseline.host_namespaces),)),
    Check("hostPathVolumes", BASELINE, (Revision(0, baseline.host_path_volumes),)),
    Check("hostPorts", BASELINE, (Revision(0, baseline.host_ports),)),
    Check("privileged", BASELINE, (Revision(0, baseline.privileged),)),
    Check("procMount", BASELINE, (Revision(0, baseline.proc_mount),)),
    Check("seLinuxOptions", BASELINE, (
        Revision(0, baseline.se_linux_options(baseline.SELINUX_TYPES_1_0)),
        Revision(31, baseline.se_linux_options(baseline.SELINUX_TYPES_1_31)))),
    Check("seccompProfile_baseline", BASELINE, (
        Revision(0, baseline.seccomp_baseline_annotations),
        Revision(19, baseline.seccomp_baseline))),
    Check("sysctls", BASELINE, (
        Revision(0, baseline.sysctls(baseline.SAFE_SYSCTLS_1_0)),
        Revision(27, baseline.sysctls(baseline.SAFE_SYSCTLS_1_27)),
        Revision(29, baseline.sysctls(baseline.SAFE_SYSCTLS_1_29)),
        Revision(32, baseline.sysctls(baseline.SAFE_SYSCTLS_1_32)))),
    Check("windowsHostProcess", BASELINE, (Revision(0, baseline.windows_host_process),)),
    # restricted
    Check("allowPrivilegeEscalation", RESTRICTED, (
        Revision(8, restricted.allow_privilege_escalation_1_8),
        Revision(25, restricted.windows_exempt(restricted.allow_privilege_escalation_1_8)))),
    Check("capabilities_restricted", RESTRICTED, (
        Revision(22, restricted.capabilities_restricted, ("capabilities_baseline",)),
        Revision(25, restricted.windows_exempt(restricted.capabilities_restricted),
                 ("capabilities_baseline",)))),
    Check("restrictedVolumes", RESTRICTED, (
        Revision(0, restricted.restricted_volumes, ("hostPathVolumes",)),)),
    Check("runAsNonRoot", RESTRICTED, (Revision(0, restricted.run_as_non_root),)),
    Check("runAsUser", RESTRICTED, (Revision(23, restricted.run_as_user),)),
    Check("seccompProfile_restricted", RESTRICTED, (
        Revision(19, restricted.seccomp_restricted, ("seccompProfile_baseline",)),
        Revision(25, restricted.windows_exempt(restricted.seccomp_restricted),
                 ("seccompProfile_baseline",)))),
)

NEWEST_MINOR = max(r.minimum for c in CHECKS for r in c.revisions)  # 32: "latest" is v1.32


def _revision_at(check: Check, minor: int) -> Revision | None:
    chosen = None
    for revision in check.revisions:
        if revision.minimum <= minor:
            chosen = revision
    return chosen


@lru_cache(maxsize=None)
def checks_for(level: str, minor: int) -> tuple[tuple[str, CheckFn], ...]:
    """(check ID, check) in evaluation order for a level at policy version 1.<minor>."""
    if level == PRIVILEGED:
        return ()
    chosen: dict[str, Revision] = {}
    for check in CHECKS:
        if check.level == BASELINE or level != BASELINE:
            revision = _revision_at(check, minor)
            if revision is not None:
                chosen[check.id] = revision
    overridden = {o for revision in chosen.values() for o in revision.overrides}
    levels = {check.id: check.level for check in CHECKS}
    ordered = sorted((cid for cid in chosen if levels[cid] == BASELINE and cid not in overridden)) \
        + sorted(cid for cid in chosen if levels[cid] != BASELINE)
    return tuple((cid, chosen[cid].check) for cid in ordered)


def effective_minor(version: Version) -> int:
    return NEWEST_MINOR if version.latest or version.minor > NEWEST_MINOR else version.minor


def evaluate_pod(level_version: LevelVersion, meta: dict | None, spec: dict | None) -> list[CheckResult]:
    """Every applicable check's result for a pod's (or a template's) metadata and spec."""
    if level_version.level == PRIVILEGED:
        return []
    meta = meta if isinstance(meta, dict) else {}
    spec = spec if isinstance(spec, dict) else {}
    return [check(meta, spec) for _, check in
            checks_for(level_version.level, effective_minor(level_version.version))]
