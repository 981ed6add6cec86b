# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The HorizontalPodAutoscaler controller (autoscaling/v2), as upstream's
pkg/controller/podautoscaler: every 15 s it reads the target's scale subresource,
keeps the replica count within minReplicas..maxReplicas, and otherwise proposes a count
from resource metrics (utilization or average value, tolerance 0.1), stabilized
(scale-down window 300 s) and rate-limited by `behavior` policies.

Metrics come from a pluggable source: `async source(namespace, selector, resource,
container) -> {pod name: PodMetric}`. Until a metrics API exists, the default source
returns nothing, and the HPA reports what upstream reports without metrics-server
(ScalingActive False, FailedGetResourceMetric). Put another source in
`ControllerOptions.extra["hpa_metrics_source"]` to plug one in."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Awaitable, Callable

from kybernetes.api.quantity import DECIMAL_SI, format_quantity, parse_quantity
from kybernetes.api.resources import builtin_registry
from kybernetes.api.selectors import LabelSelector, parse_label_selector
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

HPAS = resource("horizontalpodautoscalers.autoscaling")
PODS = resource("pods")
SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
TOLERANCE = 0.1  # --horizontal-pod-autoscaler-tolerance
DOWNSCALE_WINDOW = 300.0  # --horizontal-pod-autoscaler-downscale-stabilization
CPU_INITIALIZATION_PERIOD = 300.0  # --horizontal-pod-autoscaler-cpu-initialization-period
INITIAL_READINESS_DELAY = 30.0  # --horizontal-pod-autoscaler-initial-readiness-delay


@dataclass
class PodMetric:
    value: int  # milli-units (millicores, milli-bytes) as upstream's metrics client
    timestamp: datetime | None = None
    window: float = 30.0


MetricsSource = Callable[[str, LabelSelector, str, str | None], Awaitable[dict[str, PodMetric]]]


async def no_metrics(namespace: str, selector: LabelSelector, resource_name: str,
                     container: str | None) -> dict[str, PodMetric]:
    """The source while no resource metrics API (metrics.k8s.io) exists: no samples."""
    return {}


class MetricError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# ---------------------------------------------------------------------- replica maths
def _time(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def group_pods(pods: list[dict], metrics: dict[str, PodMetric], resource_name: str,
               now: datetime) -> tuple[int, set[str], set[str], set[str]]:
    """(ready count, unready, missing, ignored) pod names, as upstream's groupPods."""
    ready, unready, missing, ignored = 0, set(), set(), set()
    for pod in pods:
        name = pod["metadata"]["name"]
        status = pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or status.get("phase") == "Failed":
            ignored.add(name)
            continue
        if status.get("phase") == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource_name == "cpu":
            condition = next((c for c in status.get("conditions") or []
                              if c.get("type") == "Ready"), None)
            started = _time(status.get("startTime"))
            if condition is None or started is None:
                is_unready = True
            else:
                changed = _time(condition.get("lastTransitionTime")) or started
                if started + timedelta(seconds=CPU_INITIALIZATION_PERIOD) > now:
                    is_unready = condition.get("status") == "False" or (
                        metric.timestamp is not None and
                        metric.timestamp < changed + timedelta(seconds=metric.window))
                else:
                    is_unready = condition.get("status") == "False" and \
                        started + timedelta(seconds=INITIAL_READINESS_DELAY) > changed
            if is_unready:
                unready.add(name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def pod_requests(pods: list[dict], resource_name: str, container: str | None) -> dict[str, int]:
    """Milli-unit requests of each pod; MetricError when a container has none."""
    out: dict[str, int] = {}
    for pod in pods:
        total = 0
        for c in (pod.get("spec") or {}).get("containers") or []:
            if container and c.get("name") != container:
                continue
            value = ((c.get("resources") or {}).get("requests") or {}).get(resource_name)
            if value is None:
                raise MetricError("FailedGetResourceMetric", (
                    f"missing request for {resource_name} in container {c.get('name')} "
                    f"of Pod {pod['metadata']['name']}"))
            total += math.ceil(parse_quantity(value) * 1000)
        out[pod["metadata"]["name"]] = total
    return out


def utilization_ratio(metrics: dict[str, int], requests: dict[str, int],
                      target: int) -> tuple[float, int, int]:
    """(usage ratio, utilization %, average raw milli value) over pods with requests."""
    used = requested = count = 0
    for name, value in metrics.items():
        if name in requests:
            used += value
            requested += requests[name]
            count += 1
    if requested == 0:
        raise MetricError("FailedGetResourceMetric", "no metrics returned matched known pods")
    utilization = (used * 100) // requested
    return utilization / target, utilization, used // count


def _propose(current: int, ready: int, ratio_of: Callable[[dict[str, int]], float],
             samples: dict[str, int], unready: set[str], missing: set[str],
             fill_low: Callable[[str], int]) -> int:
    """Upstream's shared proposal rule: scale by the usage ratio, and when pods lack
    samples, assume the least helpful value for them and hold still if that flips the
    direction or lands within tolerance."""
    ratio = ratio_of(samples)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current
        return math.ceil(ratio * ready)
    filled = dict(samples)
    for name in missing:
        if ratio < 1.0:
            filled[name] = fill_low(name)
        elif ratio > 1.0:
            filled[name] = 0
    if scale_up_with_unready:
        for name in unready:
            filled[name] = 0
    new_ratio = ratio_of(filled)
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (new_ratio < 1.0 < ratio):
        return current
    proposed = math.ceil(new_ratio * len(filled))
    if (new_ratio < 1.0 and proposed > current) or (new_ratio > 1.0 and proposed < current):
        return current
    return proposed


def resource_replicas(current: int, target_utilization: int, pods: list[dict],
                      metrics: dict[str, PodMetric], resource_name: str,
                      container: str | None, now: datetime) -> tuple[int, int, int]:
    """(replicas, utilization %, average milli value) for a Utilization target."""
    if not metrics:
        raise MetricError("FailedGetResourceMetric", (
            f"unable to get metrics for resource {resource_name}: "
            "no metrics returned from resource metrics API"))
    if not pods:
        raise MetricError("FailedGetResourceMetric",
                          "no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, resource_name, now)
    samples = {n: m.value for n, m in metrics.items() if n not in ignored and n not in unready}
    if not samples:
        raise MetricError("FailedGetResourceMetric",
                          "did not receive metrics for targeted pods (pods might be unready)")
    requests = pod_requests(pods, resource_name, container)
    _, utilization, raw = utilization_ratio(samples, requests, target_utilization)
    fallback = max(100, target_utilization)
    replicas = _propose(current, ready,
                        lambda s: utilization_ratio(s, requests, target_utilization)[0],
                        samples, unready, missing, lambda name: requests[name] * fallback // 100)
    return replicas, utilization, raw


def average_value_replicas(current: int, target_milli: int, pods: list[dict],
                           metrics: dict[str, PodMetric], resource_name: str,
                           now: datetime) -> tuple[int, int]:
    """(replicas, average milli value) for an AverageValue target."""
    if not metrics:
        raise MetricError("FailedGetResourceMetric", (
            f"unable to get metrics for resource {resource_name}: "
            "no metrics returned from resource metrics API"))
    ready, unready, missing, ignored = group_pods(pods, metrics, resource_name, now)
    samples = {n: m.value for n, m in metrics.items() if n not in ignored and n not in unready}
    if not samples:
        raise MetricError("FailedGetResourceMetric",
                          "did not receive metrics for targeted pods (pods might be unready)")

    def ratio_of(values: dict[str, int]) -> float:
        return (sum(values.values()) / len(values)) / target_milli
    average = sum(samples.values()) // len(samples)
    return _propose(current, ready, ratio_of, samples, unready, missing,
                    lambda name: target_milli), average


# ---------------------------------------------------------------------- normalization
@dataclass
class ScaleEvent:
    change: int
    timestamp: datetime
    outdated: bool = False


@dataclass
class History:
    """What upstream keeps per HPA in memory: recommendations and recent scale events."""
    recommendations: list[tuple[datetime, int]] = field(default_factory=list)
    scale_up: list[ScaleEvent] = field(default_factory=list)
    scale_down: list[ScaleEvent] = field(default_factory=list)

    def record(self, now: datetime, replicas: int, keep_after: datetime) -> None:
        for index, (stamp, _) in enumerate(self.recommendations):
            if stamp < keep_after:  # reuse one stale slot, as upstream
                self.recommendations[index] = (now, replicas)
                return
        self.recommendations.append((now, replicas))


def _scale_up_limit(current: int) -> int:
    return max(2 * current, 4)


def limit_replicas(current: int, desired: int, minimum: int, maximum: int) -> tuple[int, str, str]:
    """Without `behavior`: (allowed, ScalingLimited reason, message)."""
    if maximum > _scale_up_limit(current):
        top, reason, message = _scale_up_limit(current), "ScaleUpLimit", \
            "the desired replica count is increasing faster than the maximum scale rate"
    else:
        top, reason, message = maximum, "TooManyReplicas", \
            "the desired replica count is more than the maximum replica count"
    if desired < minimum:
        return minimum, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
    if desired > top:
        return top, reason, message
    return desired, "DesiredWithinRange", "the desired count is within the acceptable range"


def stabilize(history: History, desired: int, now: datetime,
              window: float = DOWNSCALE_WINDOW) -> int:
    """Without `behavior`: the highest recommendation of the last `window` seconds."""
    cutoff = now - timedelta(seconds=window)
    best = max([desired] + [r for stamp, r in history.recommendations if stamp >= cutoff])
    history.record(now, desired, cutoff)
    return best


def stabilize_with_behavior(history: History, current: int, desired: int, behavior: dict,
                            now: datetime) -> tuple[int, str, str]:
    up_window = (behavior.get("scaleUp") or {}).get("stabilizationWindowSeconds", 0)
    down_window = (behavior.get("scaleDown") or {}).get("stabilizationWindowSeconds")
    if down_window is None:
        down_window = DOWNSCALE_WINDOW
    up_cutoff = now - timedelta(seconds=up_window)
    down_cutoff = now - timedelta(seconds=down_window)
    up, down = desired, desired
    for stamp, replicas in history.recommendations:
        if stamp > up_cutoff:
            up = min(up, replicas)
        if stamp > down_cutoff:
            down = max(down, replicas)
    recommendation = min(max(current, up), down)
    history.record(now, desired, min(up_cutoff, down_cutoff))
    if desired >= current:
        return recommendation, "ScaleUpStabilized", \
            "recent recommendations were lower than current one, applying the lowest recent recommendation"
    return recommendation, "ScaleDownStabilized", \
        "recent recommendations were higher than current one, applying the highest recent recommendation"


def _changes_within(events: list[ScaleEvent], period: int, now: datetime) -> int:
    cutoff = now - timedelta(seconds=period)
    return sum(e.change for e in events if e.timestamp > cutoff)


def scale_up_limit(current: int, history: History, rules: dict, now: datetime) -> int:
    policy = rules.get("selectPolicy", "Max")
    if policy == "Disabled":
        return current
    pick = min if policy == "Min" else max
    result = None
    for item in rules.get("policies") or []:
        period = item.get("periodSeconds", 15)
        start = current - _changes_within(history.scale_up, period, now) + \
            _changes_within(history.scale_down, period, now)
        if item.get("type") == "Pods":
            proposed = start + item.get("value", 0)
        else:
            proposed = math.ceil(start * (1 + item.get("value", 0) / 100))
        result = proposed if result is None else pick(result, proposed)
    return current if result is None else result


def scale_down_limit(current: int, history: History, rules: dict, now: datetime) -> int:
    policy = rules.get("selectPolicy", "Max")
    if policy == "Disabled":
        return current
    pick = max if policy == "Min" else min
    result = None
    for item in rules.get("policies") or []:
        period = item.get("periodSeconds", 15)
        start = current - _changes_within(history.scale_up, period, now) + \
            _changes_within(history.scale_down, period, now)
        if item.get("type") == "Pods":
            proposed = start - item.get("value", 0)
        else:
            proposed = int(start * (1 - item.get("value", 0) / 100))
        result = proposed if result is None else pick(result, proposed)
    return current if result is None else result


def limit_with_behavior(current: int, desired: int, minimum: int, maximum: int,
                        behavior: dict, history: History, now: datetime) -> tuple[int, str, str]:
    if desired > current:
        limit = max(scale_up_limit(current, history, behavior.get("scaleUp") or {}, now), current)
        if maximum > limit:
            top, reason, message = limit, "ScaleUpLimit", \
                "the desired replica count is increasing faster than the maximum scale rate"
        else:
            top, reason, message = maximum, "TooManyReplicas", \
                "the desired replica count is more than the maximum replica count"
        if desired > top:
            return top, reason, message
    elif desired < current:
        limit = min(scale_down_limit(current, history, behavior.get("scaleDown") or {}, now), current)
        if minimum < limit:
            bottom, reason, message = limit, "ScaleDownLimit", \
                "the desired replica count is decreasing faster than the maximum scale rate"
        else:
            bottom, reason, message = minimum, "TooFewReplicas", \
                "the desired replica count is less than the minimum replica count"
        if desired < bottom:
            return bottom, reason, message
    return desired, "DesiredWithinRange", "the desired count is within the acceptable range"


def record_scale_event(history: History, behavior: dict | None, before: int, after: int,
                       now: datetime) -> None:
    if behavior is None or before == after:
        return
    up = after > before
    rules = (behavior.get("scaleUp") if up else behavior.get("scaleDown")) or {}
    longest = max([p.get("periodSeconds", 15) for p in rules.get("policies") or []] or [0])
    events = history.scale_up if up else history.scale_down
    cutoff = now - timedelta(seconds=longest)
    for event in events:
        if event.timestamp < cutoff:
            event.outdated = True
    new = ScaleEvent(abs(after - before), now)
    for index, event in enumerate(events):
        if event.outdated:
            events[index] = new
            return
    events.append(new)


# ---------------------------------------------------------------------- one pass
@dataclass
class MetricsOutcome:
    replicas: int  # -1 when no metric gave a usable proposal
    metric_name: str
    statuses: list[dict]
    condition: tuple[str, str, str, str] | None  # (type, status, reason, message)
    events: list[tuple[str, str, str]]  # (type, reason, message)
    error: str = ""


def _metric_source(spec: dict) -> tuple[str, dict]:
    kind = spec.get("type", "")
    key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}.get(kind, "")
    return kind, spec.get(key) or {}


def compute_metric(spec: dict, current: int, pods: list[dict],
                   samples: dict[str, PodMetric] | None, now: datetime) -> tuple[int, str, dict]:
    """(proposal, metric name, metric status) for one metric; MetricError with the
    condition reason and the error text upstream shows when it cannot."""
    kind, source = _metric_source(spec)
    if kind not in ("Resource", "ContainerResource"):
        reason = f"FailedGet{kind}Metric" if kind else "InvalidMetricSourceType"
        api = "external" if kind == "External" else "custom"
        raise MetricError(reason, (
            f"unable to get {api} metric: unable to fetch metrics from {api} metrics API: "
            f"no {api} metrics API ({api}.metrics.k8s.io) registered"))
    name = source.get("name", "")
    container = source.get("container") if kind == "ContainerResource" else None
    reason = "FailedGetResourceMetric" if kind == "Resource" else "FailedGetContainerResourceMetric"
    target = source.get("target") or {}
    status_key = "resource" if kind == "Resource" else "containerResource"
    if target.get("averageValue") is not None:
        target_milli = math.ceil(parse_quantity(target["averageValue"]) * 1000)
        try:
            replicas, average = average_value_replicas(current, target_milli, pods,
                                                       samples or {}, name, now)
        except MetricError as exc:
            raise MetricError(reason, f"failed to get {name} usage: {exc}") from None
        current_value = {"averageValue": format_quantity(Fraction(average, 1000), DECIMAL_SI)}
        metric_name = f"{name} resource"
    elif target.get("averageUtilization") is not None:
        try:
            replicas, utilization, raw = resource_replicas(
                current, target["averageUtilization"], pods, samples or {}, name,
                container, now)
        except MetricError as exc:
            raise MetricError(reason, f"failed to get {name} utilization: {exc}") from None
        current_value = {"averageValue": format_quantity(Fraction(raw, 1000), DECIMAL_SI),
                         "averageUtilization": utilization}
        metric_name = f"{name} resource utilization (percentage of request)"
    else:
        raise MetricError(reason, "invalid resource metric source: neither an average "
                          "utilization target nor an average value (usage) target was set")
    body = {"name": name, "current": current_value}
    if container:
        body["container"] = container
    return replicas, metric_name, {"type": kind, status_key: body}


def compute_replicas_for_metrics(hpa: dict, scale: dict, pods: list[dict],
                                 samples: list[dict[str, PodMetric] | None],
                                 now: datetime) -> MetricsOutcome:
    """Upstream's computeReplicasForMetrics: the largest proposal over all metrics; an
    error when every metric failed (or some failed and the rest would scale down)."""
    specs = (hpa.get("spec") or {}).get("metrics") or []
    current = (scale.get("spec") or {}).get("replicas", 0)
    if not (scale.get("status") or {}).get("selector"):
        return MetricsOutcome(-1, "", [], ("ScalingActive", "False", "InvalidSelector",
                                           "the HPA target's scale is missing a selector"),
                              [("Warning", "SelectorRequired", "selector is required")],
                              "selector is required")
    statuses: list[dict] = [{"type": ""} for _ in specs]
    events: list[tuple[str, str, str]] = []
    replicas, metric_name = 0, ""
    invalid, first_error, first_condition = 0, "", None
    for index, spec in enumerate(specs):
        try:
            proposal, name, statuses[index] = compute_metric(
                spec, current, pods, samples[index] if index < len(samples) else None, now)
        except MetricError as exc:
            events.append(("Warning", exc.reason, str(exc)))
            if invalid == 0:
                kind, source = _metric_source(spec)
                label = {"Resource": f"{source.get('name', '')} resource metric value",
                         "ContainerResource": f"{source.get('name', '')} container metric value",
                         "Pods": "pods metric value", "Object": "object metric value",
                         "External": f"external metric {(source.get('metric') or {}).get('name', '')}"
                         }.get(kind, "metric value")
                first_error = f"failed to get {label}: {exc}"
                first_condition = ("ScalingActive", "False", exc.reason,
                                   f"the HPA was unable to compute the replica count: {exc}")
            invalid += 1
            continue
        if replicas == 0 or proposal > replicas:
            replicas, metric_name = proposal, name
    error = ""
    if invalid:
        error = f"invalid metrics ({invalid} invalid out of {len(specs)}), first error is: {first_error}"
    if invalid >= len(specs) or (invalid and replicas < current):
        return MetricsOutcome(-1, "", statuses, first_condition, events, error)
    return MetricsOutcome(replicas, metric_name, statuses,
                          ("ScalingActive", "True", "ValidMetricFound",
                           f"the HPA was able to successfully calculate a replica count from {metric_name}"),
                          events, error)


def set_condition(conditions: list[dict], kind: str, status: str, reason: str, message: str,
                  now: str) -> None:
    """Update or add a condition; its transition time moves only when status changes."""
    for condition in conditions:
        if condition.get("type") == kind:
            if condition.get("status") != status:
                condition["lastTransitionTime"] = now
            condition.update(status=status, reason=reason, message=message)
            return
    conditions.append({"type": kind, "status": status, "lastTransitionTime": now,
                       "reason": reason, "message": message})


@dataclass
class Decision:
    desired: int
    rescale: bool
    reason: str
    conditions: list[tuple[str, str, str, str]]
    events: list[tuple[str, str, str]]
    statuses: list[dict] | None  # None: keep status.currentMetrics as it was
    failed: str = ""  # metrics failed: status keeps its desiredReplicas


def decide(hpa: dict, scale: dict, pods: list[dict], samples: list[dict[str, PodMetric] | None],
           history: History, now: datetime) -> Decision:
    """Everything but I/O of upstream's reconcileAutoscaler, after the scale was read."""
    spec = hpa.get("spec") or {}
    current = (scale.get("spec") or {}).get("replicas", 0)
    minimum = spec.get("minReplicas", 1)
    maximum = spec.get("maxReplicas", 0)
    behavior = spec.get("behavior")
    conditions: list[tuple[str, str, str, str]] = [
        ("AbleToScale", "True", "SucceededGetScale",
         "the HPA controller was able to get the target's current scale")]
    if not history.recommendations:
        history.recommendations.append((now, current))
    if current == 0 and minimum != 0:
        conditions.append(("ScalingActive", "False", "ScalingDisabled",
                           "scaling is disabled since the replica count of the target is zero"))
        return Decision(0, False, "", conditions, [], None)
    if current > maximum:
        return Decision(maximum, True, "Current number of replicas above Spec.MaxReplicas",
                        conditions, [], None)
    if current < minimum:
        return Decision(minimum, True, "Current number of replicas below Spec.MinReplicas",
                        conditions, [], None)
    outcome = compute_replicas_for_metrics(hpa, scale, pods, samples, now)
    if outcome.condition:
        conditions.append(outcome.condition)
    events = list(outcome.events)
    if outcome.replicas == -1:
        events.append(("Warning", "FailedComputeMetricsReplicas", outcome.error))
        return Decision(current, False, "", conditions, events, outcome.statuses, outcome.error)
    desired = max(0, outcome.replicas)
    reason = ""
    if desired > current:
        reason = f"{outcome.metric_name} above target"
    elif desired < current:
        reason = "All metrics below target"
    if behavior is None:
        stabilized = stabilize(history, desired, now)
        conditions.append(("AbleToScale", "True", "ScaleDownStabilized",
                           "recent recommendations were higher than current one, applying the "
                           "highest recent recommendation") if stabilized != desired else
                          ("AbleToScale", "True", "ReadyForNewScale",
                           "recommended size matches current size"))
        final, limit_reason, message = limit_replicas(current, stabilized, minimum, maximum)
    else:
        stabilized, why, text = stabilize_with_behavior(history, current, desired, behavior, now)
        conditions.append(("AbleToScale", "True", why, text) if stabilized != desired else
                          ("AbleToScale", "True", "ReadyForNewScale",
                           "recommended size matches current size"))
        final, limit_reason, message = limit_with_behavior(current, stabilized, minimum, maximum,
                                                           behavior, history, now)
    conditions.append(("ScalingLimited", "False" if final == stabilized else "True",
                       limit_reason, message))
    return Decision(final, final != current, reason, conditions, events, outcome.statuses)


def _now_text(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


class HorizontalPodAutoscalerController(Controller):
    name = "horizontal-pod-autoscaler"
    workers = 2

    def setup(self) -> None:
        self.hpas = self.informer(HPAS)
        self.pods = self.informer(PODS)
        self.hpas.add_handler(self._on_hpa)
        self.events = EventRecorder(self.client, "horizontal-pod-autoscaler")
        self.metrics_source: MetricsSource = self.options.extra.get("hpa_metrics_source", no_metrics)
        self.histories: dict[str, History] = {}

    def _on_hpa(self, event: str, old: dict | None, new: dict | None) -> None:
        """New and changed specs now; our own status writes wait for the next period."""
        if event != "MODIFIED" or old is None or new is None or \
                old["metadata"].get("generation") != new["metadata"].get("generation"):
            self.enqueue(new or old)

    async def stopped(self) -> None:
        await super().stopped()
        await self.events.flush()

    async def reconcile(self, key: str) -> None:
        hpa = self.hpas.get(key)
        if hpa is None:
            self.histories.pop(key, None)
            return
        self.queue.add_after(key, SYNC_PERIOD)
        now = datetime.now(timezone.utc)
        namespace, spec = hpa["metadata"]["namespace"], hpa.get("spec") or {}
        status = _copy(hpa.get("status") or {})
        conditions: list[dict] = status.setdefault("conditions", [])
        ref = spec.get("scaleTargetRef") or {}
        try:
            rt = builtin_registry().by_api_version(ref.get("apiVersion", ""), ref.get("kind", ""))
            if rt is None or rt.subresource("scale") is None:
                group = ref.get("apiVersion", "").rpartition("/")[0]
                raise ApiError(404, "NotFound",
                               f'no matches for kind "{ref.get("kind", "")}" in group "{group}"')
            scale = await self.client.get(rt, ref.get("name", ""), namespace, subresource="scale")
        except ApiError as exc:
            self.events.event(hpa, "Warning", "FailedGetScale", exc.message)
            set_condition(conditions, "AbleToScale", "False", "FailedGetScale",
                          f"the HPA controller was unable to get the target's current scale: "
                          f"{exc.message}", _now_text(now))
            await self._write_status(hpa, status)
            return
        current = (scale.get("spec") or {}).get("replicas", 0)
        pods, samples = await self._samples(hpa, scale, namespace)
        history = self.histories.setdefault(key, History())
        decision = decide(hpa, scale, pods, samples, history, now)
        for kind, state, reason, message in decision.conditions:
            set_condition(conditions, kind, state, reason, message, _now_text(now))
        for event_type, reason, message in decision.events:
            self.events.event(hpa, event_type, reason, message)
        if decision.rescale:
            try:
                scale["spec"]["replicas"] = decision.desired
                await self.client.update(rt, scale, subresource="scale")
            except ApiError as exc:
                self.events.event(hpa, "Warning", "FailedRescale",
                                  f"New size: {decision.desired}; reason: {decision.reason}; "
                                  f"error: {exc.message}")
                set_condition(conditions, "AbleToScale", "False", "FailedUpdateScale",
                              f"the HPA controller was unable to update the target scale: "
                              f"{exc.message}", _now_text(now))
                status["currentReplicas"] = current
                await self._write_status(hpa, status)
                return
            set_condition(conditions, "AbleToScale", "True", "SucceededRescale",
                          f"the HPA controller was able to update the target scale to "
                          f"{decision.desired}", _now_text(now))
            self.events.event(hpa, "Normal", "SuccessfulRescale",
                              f"New size: {decision.desired}; reason: {decision.reason}")
            record_scale_event(history, spec.get("behavior"), current, decision.desired, now)
            status["lastScaleTime"] = _now_text(now)
        status["currentReplicas"] = current
        if not decision.failed:
            status["desiredReplicas"] = decision.desired if decision.rescale else current
        if decision.statuses is not None:
            status["currentMetrics"] = decision.statuses
        await self._write_status(hpa, status)

    async def _samples(self, hpa: dict, scale: dict,
                       namespace: str) -> tuple[list[dict], list[dict[str, PodMetric] | None]]:
        """The target's pods and, per metric, the samples the metrics source gives."""
        text = (scale.get("status") or {}).get("selector") or ""
        if not text:
            return [], []
        try:
            selector = parse_label_selector(text)
        except ValueError:
            return [], []
        pods = [p for p in self.pods.list(namespace)
                if selector.matches((p.get("metadata") or {}).get("labels") or {})]
        samples: list[dict[str, PodMetric] | None] = []
        for spec in (hpa.get("spec") or {}).get("metrics") or []:
            kind, source = _metric_source(spec)
            if kind not in ("Resource", "ContainerResource"):
                samples.append(None)
                continue
            try:
                samples.append(await self.metrics_source(
                    namespace, selector, source.get("name", ""),
                    source.get("container") if kind == "ContainerResource" else None))
            except Exception as exc:  # a failing source is "no metrics", as upstream
                self.log.debug("metrics source failed: %s", exc)
                samples.append({})
        return pods, samples

    async def _write_status(self, hpa: dict, status: dict) -> None:
        if status == (hpa.get("status") or {}):
            return
        await self.client.update_status(HPAS, dict(hpa, status=status))


def _copy(obj: dict) -> dict:
    import orjson
    return orjson.loads(orjson.dumps(obj))


CONTROLLERS = [HorizontalPodAutoscalerController]
