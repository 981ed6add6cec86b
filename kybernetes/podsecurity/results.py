# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Check results and the helpers every check uses to word them as upstream does."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterator

UNKNOWN_FORBIDDEN_REASON = "unknown forbidden reason"


@dataclass(frozen=True)
class CheckResult:
    allowed: bool
    reason: str = ""  # succinct, always shown
    detail: str = ""  # the containers, volumes or values at fault; may be empty


ALLOWED = CheckResult(True)


def forbidden(reason: str, detail: str = "") -> CheckResult:
    return CheckResult(False, reason, detail)


@dataclass
class AggregateResult:
    allowed: bool = True
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def forbidden_reason(self) -> str:
        """e.g. `host namespaces, privileged` (what namespace-wide warnings show)."""
        return ", ".join(self.reasons)

    def forbidden_detail(self) -> str:
        """e.g. `host namespaces (hostNetwork=true), privileged (container "c" must not
        set securityContext.privileged=true)`: each reason with its detail in parentheses."""
        return ", ".join(f"{reason} ({detail})" if detail else reason
                         for reason, detail in zip(self.reasons, self.details))


def aggregate(results: list[CheckResult]) -> AggregateResult:
    out = AggregateResult()
    for result in results:
        if not result.allowed:
            out.allowed = False
            out.reasons.append(result.reason or UNKNOWN_FORBIDDEN_REASON)
            out.details.append(result.detail)
    return out


def join_quote(items: list[str]) -> str:
    return "" if not items else '"' + '", "'.join(items) + '"'


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def go_quote(text: str) -> str:
    """A string as Go's %q prints it (close enough: JSON escaping, non-ASCII kept)."""
    return json.dumps(text, ensure_ascii=False)


def containers(spec: dict) -> Iterator[dict]:
    """Init containers, containers, then ephemeral containers (upstream's visit order)."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                yield container


def security_context(container_or_spec: dict) -> dict:
    value = container_or_spec.get("securityContext")
    return value if isinstance(value, dict) else {}


def is_windows(spec: dict) -> bool:
    return ((spec.get("os") or {}).get("name")) == "windows"


def named_setters(pod_bad: bool, bad_containers: list[str]) -> list[str]:
    """["pod", 'containers "a", "b"'] for the pod and the containers that set a bad value."""
    setters = ["pod"] if pod_bad else []
    if bad_containers:
        setters.append(f"{pluralize('container', 'containers', len(bad_containers))} "
                       f"{join_quote(bad_containers)}")
    return setters


def containers_phrase(names: list[str]) -> str:
    return f"{pluralize('container', 'containers', len(names))} {join_quote(names)}"


CheckFn = Callable[[dict, dict], CheckResult]  # (pod metadata, pod spec) -> result
