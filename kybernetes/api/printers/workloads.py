# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Table printers for pods and the controllers that make them (core, apps, batch,
autoscaling, policy), with the columns kube-apiserver 1.32 serves."""
from __future__ import annotations

from datetime import datetime

from .columns import (NAME_DESCRIPTION, age_column, column, name_column, printer,
                      template_columns, wide)
from .formatting import (NONE, UNKNOWN, UNSET, age, bool_pointer, container_cells, dig,
                         format_label_selector, format_labels, human_duration, int_or_string,
                         meta, name_of, parse_time, quantity, seconds_between, selector_string,
                         since)

# --- Pod ---------------------------------------------------------------------------------

POD_COLUMNS = [
    name_column(),
    column("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
    column("Status", description="The aggregate status of the containers in this pod."),
    column("Restarts", description="How often the pod's containers restarted, and when last."),
    age_column(),
    wide("IP", "IP address allocated to the pod."),
    wide("Node", "The node the pod is bound to."),
    wide("Nominated Node", "The node the scheduler expects to preempt pods on for this one."),
    wide("Readiness Gates", "Readiness gates that are true, of all the pod declares."),
]

NODE_UNREACHABLE_REASON = "NodeLost"


def _is_restartable_init_container(container: dict | None) -> bool:
    """A sidecar: an init container with restartPolicy Always."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(conditions: list[dict] | None, condition_type: str) -> bool:
    return any(c.get("type") == condition_type and c.get("status") == "True"
               for c in conditions or [])


def _later(current: datetime | None, candidate: str | None) -> datetime | None:
    parsed = parse_time(candidate)
    if parsed is None:
        return current
    if current is None or current < parsed:
        return parsed
    return current


def _terminated_reason(terminated: dict, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def pod_status_summary(pod: dict, now: datetime) -> tuple[str, str, str]:
    """(Ready, Status, Restarts) exactly as `kubectl get pods` shows them."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    init_specs = spec.get("initContainers") or []
    init_by_name = {c.get("name"): c for c in init_specs}
    conditions = status.get("conditions") or []

    total = len(spec.get("containers") or [])
    total += sum(1 for c in init_specs if _is_restartable_init_container(c))
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None

    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for condition in conditions:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    for index, container in enumerate(status.get("initContainerStatuses") or []):
        restarts += container.get("restartCount", 0)
        last_terminated = dig(container, "lastState", "terminated")
        if last_terminated is not None:
            last_restart = _later(last_restart, last_terminated.get("finishedAt"))
        sidecar = _is_restartable_init_container(init_by_name.get(container.get("name")))
        if sidecar:
            sidecar_restarts += container.get("restartCount", 0)
            if last_terminated is not None:
                last_sidecar_restart = _later(last_sidecar_restart,
                                              last_terminated.get("finishedAt"))
        state = container.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if sidecar and container.get("started"):
            if container.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting is not None and waiting.get("reason") and \
                waiting.get("reason") != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        # sidecars keep counting once the pod is initialized; finished init containers do not
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += container.get("restartCount", 0)
            last_terminated = dig(container, "lastState", "terminated")
            if last_terminated is not None:
                last_restart = _later(last_restart, last_terminated.get("finishedAt"))
            state = container.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(conditions, "Ready") else "NotReady"

    deleting = meta(pod).get("deletionTimestamp") is not None
    if deleting and status.get("reason") == NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_cell = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_cell = f"{restarts} ({human_duration(seconds_between(last_restart, now))} ago)"
    return f"{ready}/{total}", reason, restarts_cell


@printer("", "Pod", POD_COLUMNS)
def pod_cells(pod: dict, now: datetime) -> list:
    ready, reason, restarts = pod_status_summary(pod, now)
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    pod_ips = status.get("podIPs") or []
    pod_ip = (pod_ips[0].get("ip") if pod_ips else status.get("podIP")) or NONE
    gates = spec.get("readinessGates") or []
    gates_cell = NONE
    if gates:
        conditions = status.get("conditions") or []
        true_count = 0
        for gate in gates:
            for condition in conditions:
                if condition.get("type") == gate.get("conditionType"):
                    true_count += condition.get("status") == "True"
                    break
        gates_cell = f"{true_count}/{len(gates)}"
    return [name_of(pod), ready, reason, restarts, age(pod, now), pod_ip,
            spec.get("nodeName") or NONE, status.get("nominatedNodeName") or NONE, gates_cell]


@printer("", "PodTemplate", [
    name_column(),
    column("Containers", description="Names of each container in the template."),
    column("Images", description="Images referenced by each container in the template."),
    column("Pod Labels", description="The labels for the pod template."),
])
def pod_template_cells(obj: dict, now: datetime) -> list:
    names, images = container_cells(dig(obj, "template", "spec", "containers"))
    return [name_of(obj), names, images, format_labels(dig(obj, "template", "metadata", "labels"))]


# --- controllers -------------------------------------------------------------------------

def _template_cells(obj: dict, selector: str | None = None) -> list:
    names, images = container_cells(dig(obj, "spec", "template", "spec", "containers"))
    cells = [names, images]
    if selector is not None:
        cells.append(selector)
    return cells


@printer("", "ReplicationController", [
    name_column(),
    column("Desired", "integer", "Number of desired pods."),
    column("Current", "integer", "Most recently observed number of replicas."),
    column("Ready", "integer", "Number of ready pods targeted by this controller."),
    age_column(), *template_columns(),
])
def replication_controller_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), dig(obj, "spec", "replicas", default=1),
            dig(obj, "status", "replicas", default=0),
            dig(obj, "status", "readyReplicas", default=0), age(obj, now),
            *_template_cells(obj, format_labels(dig(obj, "spec", "selector")))]


@printer("apps", "ReplicaSet", [
    name_column(),
    column("Desired", "integer", "Number of desired pods."),
    column("Current", "integer", "Most recently observed number of replicas."),
    column("Ready", "integer", "Number of ready pods targeted by this ReplicaSet."),
    age_column(), *template_columns(),
])
def replica_set_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), dig(obj, "spec", "replicas", default=1),
            dig(obj, "status", "replicas", default=0),
            dig(obj, "status", "readyReplicas", default=0), age(obj, now),
            *_template_cells(obj, format_label_selector(dig(obj, "spec", "selector")))]


@printer("apps", "Deployment", [
    name_column(),
    column("Ready", description="Number of the pod with ready state"),
    column("Up-to-date", description="Pods updated to the current template."),
    column("Available", description="Pods available for at least minReadySeconds."),
    age_column(), *template_columns(),
])
def deployment_cells(obj: dict, now: datetime) -> list:
    ready = dig(obj, "status", "readyReplicas", default=0)
    desired = dig(obj, "spec", "replicas", default=1)
    return [name_of(obj), f"{ready}/{desired}", dig(obj, "status", "updatedReplicas", default=0),
            dig(obj, "status", "availableReplicas", default=0), age(obj, now),
            *_template_cells(obj, selector_string(dig(obj, "spec", "selector")))]


@printer("apps", "StatefulSet", [
    name_column(),
    column("Ready", description="Number of the pod with ready state"),
    age_column(), *template_columns(with_selector=False),
])
def stateful_set_cells(obj: dict, now: datetime) -> list:
    ready = dig(obj, "status", "readyReplicas", default=0)
    desired = dig(obj, "spec", "replicas", default=1)
    return [name_of(obj), f"{ready}/{desired}", age(obj, now), *_template_cells(obj)]


@printer("apps", "DaemonSet", [
    name_column(),
    column("Desired", "integer", "Nodes that should run the daemon pod."),
    column("Current", "integer", "Nodes running at least one daemon pod that should."),
    column("Ready", "integer", "Nodes whose daemon pod is ready."),
    column("Up-to-date", "integer", "Nodes running the updated daemon pod."),
    column("Available", "integer", "Nodes whose daemon pod is available."),
    column("Node Selector", description="Labels a node must have to run the pod."),
    age_column(), *template_columns(),
])
def daemon_set_cells(obj: dict, now: datetime) -> list:
    status = obj.get("status") or {}
    return [name_of(obj), status.get("desiredNumberScheduled", 0),
            status.get("currentNumberScheduled", 0), status.get("numberReady", 0),
            status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            format_labels(dig(obj, "spec", "template", "spec", "nodeSelector")), age(obj, now),
            *_template_cells(obj, format_label_selector(dig(obj, "spec", "selector")))]


@printer("apps", "ControllerRevision", [
    name_column(),
    column("Controller", description="Controller of the object"),
    column("Revision", description="Revision of the state this object holds."),
    age_column(),
])
def controller_revision_cells(obj: dict, now: datetime) -> list:
    controller = NONE
    for owner in meta(obj).get("ownerReferences") or []:
        if owner.get("controller"):
            group = owner.get("apiVersion", "").rpartition("/")[0]
            kind = owner.get("kind", "")
            group_kind = f"{kind}.{group}" if group else kind
            controller = f"{group_kind.lower()}/{owner.get('name', '')}" if kind else owner.get(
                "name", "")
            break
    return [name_of(obj), controller, obj.get("revision", 0), age(obj, now)]


# --- batch -------------------------------------------------------------------------------

def _job_condition(conditions: list[dict] | None, condition_type: str) -> bool:
    """hasJobCondition: the first condition of the type decides."""
    for condition in conditions or []:
        if condition.get("type") == condition_type:
            return condition.get("status") == "True"
    return False


@printer("batch", "Job", [
    name_column(),
    column("Status", description="Status of the job."),
    column("Completions", description="Succeeded pods of those wanted."),
    column("Duration", description="Time required to complete the job."),
    age_column(), *template_columns(),
])
def job_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    started = parse_time(status.get("startTime"))
    finished = parse_time(status.get("completionTime"))
    duration = ""
    if started is not None:
        duration = human_duration(seconds_between(started, finished or now))
    conditions = status.get("conditions")
    if _job_condition(conditions, "Complete"):
        state = "Complete"
    elif _job_condition(conditions, "Failed"):
        state = "Failed"
    elif meta(obj).get("deletionTimestamp") is not None:
        state = "Terminating"
    elif _job_condition(conditions, "Suspended"):
        state = "Suspended"
    elif _job_condition(conditions, "FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    return [name_of(obj), state, completions, duration, age(obj, now),
            *_template_cells(obj, format_label_selector(spec.get("selector")))]


@printer("batch", "CronJob", [
    name_column(),
    column("Schedule", description="The schedule in Cron format."),
    column("Timezone", description="The time zone the schedule is read in."),
    column("Suspend", "boolean", "Whether later runs are suspended."),
    column("Active", "integer", "Jobs running now."),
    column("Last Schedule", description="When a job was last scheduled."),
    age_column(), *template_columns(),
])
def cron_job_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    last = dig(obj, "status", "lastScheduleTime")
    names, images = container_cells(
        dig(spec, "jobTemplate", "spec", "template", "spec", "containers"))
    return [name_of(obj), spec.get("schedule", ""), spec.get("timeZone") or NONE,
            bool_pointer(spec.get("suspend")), len(dig(obj, "status", "active", default=[])),
            since(last, now) if last else NONE, age(obj, now), names, images,
            format_label_selector(dig(spec, "jobTemplate", "spec", "selector"))]


# --- autoscaling and policy --------------------------------------------------------------

def _metric_targets(specs: list[dict], statuses: list[dict]) -> str:
    """formatHPAMetrics: `cpu: 40%/80%`, at most two, then `+ N more...`."""
    if not specs:
        return NONE
    shown = []
    for index, spec in enumerate(specs):
        status = statuses[index] if index < len(statuses) else {}
        kind = spec.get("type")
        if kind in ("External", "Object"):
            key = kind.lower()
            target = dig(spec, key, "target", default={})
            current = dig(status, key, "current", default={}) if status.get(key) else None
            if target.get("averageValue") is not None:
                now_value = UNKNOWN
                if current is not None and current.get("averageValue") is not None:
                    now_value = quantity(current["averageValue"])
                shown.append(f"{now_value}/{quantity(target['averageValue'])} (avg)")
            else:
                now_value = quantity(current.get("value")) if current is not None else UNKNOWN
                shown.append(f"{now_value}/{quantity(target.get('value'))}")
        elif kind == "Pods":
            target = dig(spec, "pods", "target", default={})
            now_value = UNKNOWN
            if status.get("pods"):
                now_value = quantity(dig(status, "pods", "current", "averageValue"))
            shown.append(f"{now_value}/{quantity(target.get('averageValue'))}")
        elif kind in ("Resource", "ContainerResource"):
            key = "resource" if kind == "Resource" else "containerResource"
            source = spec.get(key) or {}
            target = source.get("target") or {}
            current = dig(status, key, "current") if status.get(key) else None
            if target.get("averageValue") is not None:
                now_value = UNKNOWN
                if current is not None:
                    now_value = quantity(current.get("averageValue"))
                shown.append(f"{source.get('name', '')}: {now_value}/"
                             f"{quantity(target['averageValue'])}")
            else:
                now_value = UNKNOWN
                if current is not None and current.get("averageUtilization") is not None:
                    now_value = f"{current['averageUtilization']}%"
                wanted = "<auto>"
                if target.get("averageUtilization") is not None:
                    wanted = f"{target['averageUtilization']}%"
                shown.append(f"{source.get('name', '')}: {now_value}/{wanted}")
        else:
            shown.append("<unknown type>")
    text = ", ".join(shown[:2])
    if len(shown) > 2:
        return f"{text} + {len(shown) - 2} more..."
    return text


def _v1_cpu_metrics(obj: dict) -> tuple[list[dict], list[dict]]:
    """autoscaling/v1 keeps one CPU target; shape it as the v2 metrics upstream converts to."""
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    target = spec.get("targetCPUUtilizationPercentage")
    if target is None:
        return [], []
    metric = {"type": "Resource",
              "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                     "averageUtilization": target}}}
    current = status.get("currentCPUUtilizationPercentage")
    statuses = []
    if current is not None:
        statuses = [{"type": "Resource",
                     "resource": {"name": "cpu", "current": {"averageUtilization": current}}}]
    return [metric], statuses


@printer("autoscaling", "HorizontalPodAutoscaler", [
    name_column(),
    column("Reference", description="The scale target the autoscaler drives."),
    column("Targets", description="Current and target values of each metric."),
    column("MinPods", description="Lower limit for the number of replicas."),
    column("MaxPods", description="Upper limit for the number of replicas."),
    column("Replicas", description="Current number of replicas."),
    age_column(),
])
def horizontal_pod_autoscaler_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    specs = spec.get("metrics") or []
    statuses = status.get("currentMetrics") or []
    if not specs and "targetCPUUtilizationPercentage" in spec:
        specs, statuses = _v1_cpu_metrics(obj)
    target_ref = spec.get("scaleTargetRef") or {}
    min_pods = spec.get("minReplicas")
    return [name_of(obj), f"{target_ref.get('kind', '')}/{target_ref.get('name', '')}",
            _metric_targets(specs, statuses), UNSET if min_pods is None else str(min_pods),
            spec.get("maxReplicas", 0), status.get("currentReplicas", 0), age(obj, now)]


@printer("autoscaling", "Scale", [
    column("Name", description=NAME_DESCRIPTION),
    column("Desired", "integer", "Desired number of replicas."),
    column("Available", "integer", "Observed number of replicas."),
    age_column(),
])
def scale_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), dig(obj, "spec", "replicas", default=0),
            dig(obj, "status", "replicas", default=0), age(obj, now)]


@printer("policy", "PodDisruptionBudget", [
    name_column(),
    column("Min Available", description="The minimum number of pods that must be available."),
    column("Max Unavailable", description="The maximum number of pods that may be unavailable."),
    column("Allowed Disruptions", "integer",
           "Calculated number of pods that may be disrupted at this time."),
    age_column(),
])
def pod_disruption_budget_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    minimum = spec.get("minAvailable")
    maximum = spec.get("maxUnavailable")
    return [name_of(obj), "N/A" if minimum is None else int_or_string(minimum),
            "N/A" if maximum is None else int_or_string(maximum),
            dig(obj, "status", "disruptionsAllowed", default=0), age(obj, now)]
