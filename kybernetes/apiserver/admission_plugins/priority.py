# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Priority admission: a new pod's spec.priorityClassName resolves to spec.priority and
spec.preemptionPolicy (no name: the globalDefault class, the lowest if several, else
priority 0); an unknown class, or a priority that disagrees with its class, is refused
with upstream's message. Only one PriorityClass may be the global default."""
from __future__ import annotations

from kybernetes.apiserver import errors
from kybernetes.apiserver.admission import AdmissionRequest, Plugin

ORDER = 35  # after ServiceAccount and the node plugins, before DefaultTolerationSeconds
DEFAULT_PRIORITY = 0
DEFAULT_PREEMPTION_POLICY = "PreemptLowerPriority"


def default_class(classes: list[dict]) -> dict | None:
    chosen = None
    for item in classes:
        if item.get("globalDefault") and (chosen is None or item.get("value", 0) < chosen.get("value", 0)):
            chosen = item
    return chosen


def resolve(pod: dict, classes: list[dict]) -> tuple[int, str, str | None]:
    """(priority, preemption policy, error message or None) for a new pod."""
    spec = pod.get("spec") or {}
    name = spec.get("priorityClassName") or ""
    if name:
        found = next((c for c in classes if (c.get("metadata") or {}).get("name") == name), None)
        if found is None:
            return 0, "", f"no PriorityClass with name {name} was found"
    else:
        found = default_class(classes)
    if found is None:
        priority, policy = DEFAULT_PRIORITY, DEFAULT_PREEMPTION_POLICY
    else:
        priority = found.get("value", 0)
        policy = found.get("preemptionPolicy") or DEFAULT_PREEMPTION_POLICY
    given = spec.get("priority")
    if given is not None and given != priority:
        return priority, policy, (
            f"the integer value of priority ({given}) must not be provided in pod spec; priority "
            f"admission controller computed {priority} from the given PriorityClass name")
    given_policy = spec.get("preemptionPolicy")
    if given_policy is not None and given_policy != policy:
        return priority, policy, (
            f"the string value of PreemptionPolicy ({given_policy}) must not be provided in pod "
            f"spec; priority admission controller computed {policy} from the given PriorityClass name")
    return priority, policy, None


class PriorityAdmission(Plugin):
    def __init__(self, server) -> None:
        self.classes_rt = server.registry.by_kind("scheduling.k8s.io", "v1", "PriorityClass")

    async def _classes(self, request: AdmissionRequest) -> list[dict]:
        items, _, _, _ = await request.objects.list(self.classes_rt, None)
        return [item.obj for item in items]

    async def admit(self, request: AdmissionRequest) -> None:
        rt = request.rt
        if request.operation != "CREATE" or request.subresource or request.obj is None:
            return
        if rt.group == "" and rt.kind == "Pod":
            pod = request.obj
            priority, policy, problem = resolve(pod, await self._classes(request))
            if problem:
                name = (pod.get("metadata") or {}).get("name") or \
                    (pod.get("metadata") or {}).get("generateName") or ""
                raise errors.forbidden(f'pods "{name}" is forbidden: {problem}', rt, name)
            spec = pod.setdefault("spec", {})
            spec["priority"] = priority
            spec["preemptionPolicy"] = policy

    async def validate(self, request: AdmissionRequest) -> None:
        rt = request.rt
        if rt.group != "scheduling.k8s.io" or rt.kind != "PriorityClass" or request.obj is None \
                or request.operation not in ("CREATE", "UPDATE") or request.subresource:
            return
        if not request.obj.get("globalDefault"):
            return
        name = (request.obj.get("metadata") or {}).get("name", "")
        for item in await self._classes(request):
            other = (item.get("metadata") or {}).get("name")
            if item.get("globalDefault") and other != name:
                raise errors.forbidden(
                    f'priorityclasses.scheduling.k8s.io "{name}" is forbidden: PriorityClass '
                    f"{other} is already marked as default. Only one default can exist",
                    rt, name)


def plugins(server) -> list[Plugin]:
    return [PriorityAdmission(server)]
