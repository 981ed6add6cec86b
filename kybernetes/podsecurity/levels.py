# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod Security Standards levels, policy versions and the namespace labels that choose
them, as k8s.io/pod-security-admission/api defines them."""
from __future__ import annotations

import re
from dataclasses import dataclass

PRIVILEGED, BASELINE, RESTRICTED = "privileged", "baseline", "restricted"
LEVELS = (PRIVILEGED, BASELINE, RESTRICTED)  # least to most strict
LATEST = "latest"

LABEL_PREFIX = "pod-security.kubernetes.io/"
ENFORCE_LEVEL_LABEL = LABEL_PREFIX + "enforce"
ENFORCE_VERSION_LABEL = LABEL_PREFIX + "enforce-version"
AUDIT_LEVEL_LABEL = LABEL_PREFIX + "audit"
AUDIT_VERSION_LABEL = LABEL_PREFIX + "audit-version"
WARN_LEVEL_LABEL = LABEL_PREFIX + "warn"
WARN_VERSION_LABEL = LABEL_PREFIX + "warn-version"

# audit annotation keys (the API server prefixes them with LABEL_PREFIX)
EXEMPT_ANNOTATION = "exempt"
AUDIT_VIOLATIONS_ANNOTATION = "audit-violations"
ENFORCE_POLICY_ANNOTATION = "enforce-policy"

LEVEL_ERROR = "must be one of privileged, baseline, restricted"
VERSION_ERROR = 'must be "latest" or "v1.x"'
_VERSION = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")


@dataclass(frozen=True)
class Version:
    """A policy version: v1.<minor>, or latest (newer than any numbered version)."""
    minor: int = 0
    latest: bool = False

    def __str__(self) -> str:
        return LATEST if self.latest else f"v1.{self.minor}"

    def older(self, other: "Version") -> bool:
        if self.latest:
            return False
        if other.latest:
            return True
        return self.minor < other.minor


LATEST_VERSION = Version(latest=True)


def parse_level(text: str) -> tuple[str, str | None]:
    """(level, error): an unknown level evaluates as restricted, with an error."""
    if text in LEVELS:
        return text, None
    return RESTRICTED, LEVEL_ERROR


def parse_version(text: str) -> tuple[Version, str | None]:
    """(version, error): "latest" or "v1.x"; anything else evaluates as latest, with an error."""
    if text == LATEST:
        return LATEST_VERSION, None
    match = _VERSION.match(text)
    if match is None:
        return LATEST_VERSION, VERSION_ERROR
    return Version(int(match.group(1))), None


def compare_levels(a: str, b: str) -> int:
    """-1, 0 or 1 as level a is less strict than, as strict as or stricter than b."""
    if a == b:
        return 0
    order = {level: rank for rank, level in enumerate(LEVELS)}
    if a in order and b in order:
        return -1 if order[a] < order[b] else 1
    return 0


@dataclass(frozen=True)
class LevelVersion:
    level: str
    version: Version = LATEST_VERSION

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"

    def equivalent(self, other: "LevelVersion") -> bool:
        return (self.level == PRIVILEGED and other.level == PRIVILEGED) or self == other


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion = LevelVersion(PRIVILEGED)
    audit: LevelVersion = LevelVersion(PRIVILEGED)
    warn: LevelVersion = LevelVersion(PRIVILEGED)

    def fully_privileged(self) -> bool:
        return self.enforce.level == self.audit.level == self.warn.level == PRIVILEGED

    def equivalent(self, other: "Policy") -> bool:
        return self.enforce.equivalent(other.enforce) and self.audit.equivalent(other.audit) \
            and self.warn.equivalent(other.warn)


@dataclass(frozen=True)
class LabelError:
    """An invalid namespace label: field.Invalid on metadata.labels[<label>]."""
    label: str
    value: str
    detail: str

    @property
    def field(self) -> str:
        return f"metadata.labels[{self.label}]"

    @property
    def message(self) -> str:
        return f'Invalid value: "{self.value}": {self.detail}'

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def policy_to_evaluate(labels: dict | None, defaults: Policy) -> tuple[Policy, list[LabelError]]:
    """The namespace's policy from its labels, falling back to `defaults` for unset ones.
    A valid policy comes back even with errors: a bad enforce level enforces restricted,
    bad audit and warn levels fail open to privileged, bad versions mean latest. Warn
    follows an explicitly set, stricter enforce level when warn is not set itself."""
    if not labels:
        return defaults, []
    errors: list[LabelError] = []
    enforce, audit, warn = defaults.enforce, defaults.audit, defaults.warn
    has_enforce_level = has_warn_level = has_warn_version = False

    def level_of(label: str, fail_open: bool) -> str:
        level, error = parse_level(labels[label])
        if error:
            errors.append(LabelError(label, labels[label], error))
            return PRIVILEGED if fail_open else level
        return level

    def version_of(label: str) -> Version:
        version, error = parse_version(labels[label])
        if error:
            errors.append(LabelError(label, labels[label], error))
        return version

    if ENFORCE_LEVEL_LABEL in labels:
        before = len(errors)
        enforce = LevelVersion(level_of(ENFORCE_LEVEL_LABEL, False), enforce.version)
        has_enforce_level = len(errors) == before
    if ENFORCE_VERSION_LABEL in labels:
        enforce = LevelVersion(enforce.level, version_of(ENFORCE_VERSION_LABEL))
    if AUDIT_LEVEL_LABEL in labels:
        audit = LevelVersion(level_of(AUDIT_LEVEL_LABEL, True), audit.version)
    if AUDIT_VERSION_LABEL in labels:
        audit = LevelVersion(audit.level, version_of(AUDIT_VERSION_LABEL))
    if WARN_LEVEL_LABEL in labels:
        has_warn_level = True
        warn = LevelVersion(level_of(WARN_LEVEL_LABEL, True), warn.version)
    if WARN_VERSION_LABEL in labels:
        has_warn_version = True
        warn = LevelVersion(warn.level, version_of(WARN_VERSION_LABEL))
    if not has_warn_level and has_enforce_level and compare_levels(enforce.level, warn.level) > 0:
        warn = LevelVersion(enforce.level, warn.version if has_warn_version else enforce.version)
    return Policy(enforce, audit, warn), errors
