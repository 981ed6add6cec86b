# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Tests for the server-side table printers: columns and cells as kube-apiserver 1.32
serves them to `kubectl get`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kybernetes.api.printers import (column_definitions, custom_columns, human_duration,
                                     row_cells, row_conditions)
from kybernetes.api.printers.custom import go_float
from kybernetes.api.printers.jsonpath import find
from kybernetes.api.resources import BUILTIN

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def ago(**delta) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, namespace: str | None = "default", created: str | None = None, **extra):
    out = {"name": name, "creationTimestamp": created or ago(minutes=5), **extra}
    if namespace:
        out["namespace"] = namespace
    return out


def names(group: str, kind: str) -> list[str]:
    return [c["name"] for c in column_definitions(group, kind)]


def wide_names(group: str, kind: str) -> list[str]:
    return [c["name"] for c in column_definitions(group, kind) if c["priority"] > 0]


# --- human_duration ----------------------------------------------------------------------

@pytest.mark.parametrize("seconds, expected", [
    (-5, "<invalid>"), (-2, "<invalid>"), (-1.5, "0s"), (-1, "0s"), (0, "0s"), (0.9, "0s"),
    (2, "2s"), (59, "59s"), (119, "119s"), (120, "2m"), (150, "2m30s"), (9 * 60 + 59, "9m59s"),
    (10 * 60, "10m"), (10 * 60 + 30, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 5 * 60, "3h5m"), (7 * 3600 + 59 * 60, "7h59m"), (8 * 3600 + 30 * 60, "8h"),
    (47 * 3600, "47h"), (48 * 3600, "2d"), (2 * 86400 + 5 * 3600, "2d5h"), (7 * 86400 + 23 * 3600,
                                                                          "7d23h"),
    (8 * 86400, "8d"), (25 * 86400, "25d"), (729 * 86400, "729d"), (730 * 86400, "2y"),
    (731 * 86400, "2y1d"), (3 * 365 * 86400, "3y"), (8 * 365 * 86400, "8y"),
    (20 * 365 * 86400 + 100 * 86400, "20y"),
])
def test_human_duration(seconds, expected):
    assert human_duration(seconds) == expected


# --- columns -----------------------------------------------------------------------------

def test_every_column_has_the_five_wire_fields_and_name_format():
    for rt in BUILTIN:
        columns = column_definitions(rt.group, rt.kind)
        for c in columns:
            assert set(c) == {"name", "type", "format", "description", "priority"}
            assert c["description"]
        name_columns = [c for c in columns if c["name"] == "Name"]
        assert name_columns and name_columns[0]["format"] == "name", rt.kind


def test_pod_columns_match_upstream():
    columns = column_definitions("", "Pod")
    assert [(c["name"], c["type"], c["priority"]) for c in columns] == [
        ("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0),
        ("Restarts", "string", 0), ("Age", "string", 0), ("IP", "string", 1),
        ("Node", "string", 1), ("Nominated Node", "string", 1), ("Readiness Gates", "string", 1)]


@pytest.mark.parametrize("group, kind, expected, expected_wide", [
    ("apps", "Deployment", ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers",
                            "Images", "Selector"], ["Containers", "Images", "Selector"]),
    ("batch", "Job", ["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images",
                      "Selector"], ["Containers", "Images", "Selector"]),
    ("batch", "CronJob", ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule",
                          "Age", "Containers", "Images", "Selector"],
     ["Containers", "Images", "Selector"]),
    ("", "Service", ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"],
     ["Selector"]),
    ("", "Node", ["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP",
                  "OS-Image", "Kernel-Version", "Container-Runtime"],
     ["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"]),
    ("", "Event", ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message",
                   "First Seen", "Count", "Name"],
     ["Subobject", "Source", "First Seen", "Count", "Name"]),
    ("rbac.authorization.k8s.io", "RoleBinding", ["Name", "Role", "Age", "Users", "Groups",
                                                  "ServiceAccounts"],
     ["Users", "Groups", "ServiceAccounts"]),
    ("", "PersistentVolume", ["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status",
                              "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age",
                              "VolumeMode"], ["VolumeMode"]),
])
def test_column_names_and_wide_columns(group, kind, expected, expected_wide):
    assert names(group, kind) == expected
    assert wide_names(group, kind) == expected_wide


def test_column_types_where_upstream_uses_non_strings():
    def types(group, kind):
        return {c["name"]: c["type"] for c in column_definitions(group, kind)}
    assert types("apps", "ReplicaSet")["Desired"] == "integer"
    assert types("batch", "CronJob")["Suspend"] == "boolean"
    assert types("batch", "CronJob")["Active"] == "integer"
    assert types("scheduling.k8s.io", "PriorityClass")["Global-Default"] == "boolean"
    assert types("policy", "PodDisruptionBudget")["Allowed Disruptions"] == "integer"
    assert types("apps", "Deployment")["Up-to-date"] == "string"


@pytest.mark.parametrize("group, kind", [
    ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "ClusterRole"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"), ("", "LimitRange"),
    ("example.com", "Widget"),
])
def test_kinds_without_printer_get_the_default_table(group, kind):
    columns = column_definitions(group, kind)
    assert [(c["name"], c["type"], c["format"]) for c in columns] == [
        ("Name", "string", "name"), ("Created At", "date", "")]
    obj = {"metadata": meta("admin", created="2026-02-28T10:20:30.123456Z")}
    assert row_cells(group, kind, obj, NOW) == ["admin", "2026-02-28T10:20:30Z"]


def test_column_definitions_returns_copies():
    column_definitions("", "Pod")[0]["name"] = "changed"
    assert column_definitions("", "Pod")[0]["name"] == "Name"


# --- pods --------------------------------------------------------------------------------

def pod(status: dict, spec: dict | None = None, **metadata) -> dict:
    return {"metadata": meta("web-1", **metadata),
            "spec": spec or {"containers": [{"name": "app", "image": "nginx"}]},
            "status": status}


def running(name="app", restarts=0, ready=True, last_finished=None) -> dict:
    status = {"name": name, "ready": ready, "restartCount": restarts,
              "state": {"running": {"startedAt": ago(minutes=4)}}}
    if last_finished:
        status["lastState"] = {"terminated": {"exitCode": 1, "finishedAt": last_finished}}
    return status


def test_running_pod_row_with_wide_cells():
    obj = pod({"phase": "Running", "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}],
               "conditions": [{"type": "Ready", "status": "True"}],
               "containerStatuses": [running()]},
              spec={"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}]})
    assert row_cells("", "Pod", obj, NOW) == [
        "web-1", "1/1", "Running", "0", "5m", "10.244.0.5", "node-1", "<none>", "<none>"]


def test_pending_unscheduled_pod():
    obj = pod({"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]})
    assert row_cells("", "Pod", obj, NOW) == [
        "web-1", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>"]


def test_restarts_show_when_the_last_one_happened():
    obj = pod({"phase": "Running", "containerStatuses": [
        running(restarts=2, last_finished=ago(minutes=3))]})
    assert row_cells("", "Pod", obj, NOW)[3] == "2 (3m ago)"


@pytest.mark.parametrize("status, expected", [
    ({"phase": "Pending", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0,
         "state": {"waiting": {"reason": "ContainerCreating"}}}]}, "ContainerCreating"),
    ({"phase": "Running", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 5,
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}, "CrashLoopBackOff"),
    ({"phase": "Pending", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0,
         "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}, "ImagePullBackOff"),
    ({"phase": "Succeeded", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}, "Completed"),
    ({"phase": "Failed", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}, "OOMKilled"),
    ({"phase": "Failed", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 3}}}]}, "ExitCode:3"),
    ({"phase": "Failed", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 0, "signal": 9}}}]}, "Signal:9"),
    ({"phase": "Failed", "reason": "Evicted", "message": "low on memory"}, "Evicted"),
    ({"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]},
     "SchedulingGated"),
])
def test_pod_status_reasons(status, expected):
    assert row_cells("", "Pod", pod(status), NOW)[2] == expected


def init_pod(init_statuses: list[dict], conditions=()) -> dict:
    spec = {"initContainers": [{"name": "migrate", "image": "busybox"},
                               {"name": "seed", "image": "busybox"}],
            "containers": [{"name": "app", "image": "nginx"}]}
    return pod({"phase": "Pending", "conditions": list(conditions),
                "initContainerStatuses": init_statuses,
                "containerStatuses": [{"name": "app", "ready": False, "restartCount": 0,
                                       "state": {"waiting": {"reason": "PodInitializing"}}}]},
               spec=spec)


def test_init_container_progress():
    statuses = [{"name": "migrate", "restartCount": 0, "ready": False,
                 "state": {"running": {"startedAt": ago(minutes=1)}}},
                {"name": "seed", "restartCount": 0, "ready": False,
                 "state": {"waiting": {"reason": "PodInitializing"}}}]
    assert row_cells("", "Pod", init_pod(statuses), NOW)[1:4] == ["0/1", "Init:0/2", "0"]
    statuses[0]["state"] = {"terminated": {"exitCode": 0, "reason": "Completed"}}
    statuses[1]["state"] = {"running": {"startedAt": ago(seconds=10)}}
    assert row_cells("", "Pod", init_pod(statuses), NOW)[2] == "Init:1/2"


def test_init_container_failures():
    crash = [{"name": "migrate", "restartCount": 3, "ready": False,
              "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(minutes=1)}},
              "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]
    assert row_cells("", "Pod", init_pod(crash), NOW)[2:4] == ["Init:CrashLoopBackOff",
                                                               "3 (60s ago)"]
    failed = [{"name": "migrate", "restartCount": 0, "ready": False,
               "state": {"terminated": {"exitCode": 2}}}]
    assert row_cells("", "Pod", init_pod(failed), NOW)[2] == "Init:ExitCode:2"
    errored = [{"name": "migrate", "restartCount": 0, "ready": False,
                "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]
    assert row_cells("", "Pod", init_pod(errored), NOW)[2] == "Init:Error"


def test_pod_initializing_after_init_containers_finish():
    done = [{"name": n, "restartCount": 0, "ready": False,
             "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
            for n in ("migrate", "seed")]
    row = row_cells("", "Pod", init_pod(done, [{"type": "Initialized", "status": "True"}]), NOW)
    assert row[1:3] == ["0/1", "PodInitializing"]


def test_sidecar_counts_in_ready_and_restarts():
    spec = {"initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
            "containers": [{"name": "app", "image": "nginx"}]}
    status = {"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"},
                                                 {"type": "Ready", "status": "True"}],
              "initContainerStatuses": [{
                  "name": "proxy", "ready": True, "started": True, "restartCount": 1,
                  "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(hours=1)}},
                  "state": {"running": {"startedAt": ago(hours=1)}}}],
              "containerStatuses": [running()]}
    assert row_cells("", "Pod", pod(status, spec=spec), NOW)[1:4] == ["2/2", "Running",
                                                                      "1 (60m ago)"]


def test_completed_container_with_a_running_sibling():
    status = {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
              "containerStatuses": [
                  running("a"),
                  {"name": "b", "ready": False, "restartCount": 0,
                   "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}
    spec = {"containers": [{"name": "a"}, {"name": "b"}]}
    assert row_cells("", "Pod", pod(status, spec=spec), NOW)[1:3] == ["1/2", "NotReady"]
    status["conditions"] = [{"type": "Ready", "status": "True"}]
    assert row_cells("", "Pod", pod(status, spec=spec), NOW)[2] == "Running"


def test_terminating_and_node_lost_pods():
    status = {"phase": "Running", "containerStatuses": [running()]}
    deleting = pod(status, deletionTimestamp=ago(seconds=5))
    assert row_cells("", "Pod", deleting, NOW)[2] == "Terminating"
    lost = pod({**status, "reason": "NodeLost"}, deletionTimestamp=ago(seconds=5))
    assert row_cells("", "Pod", lost, NOW)[2] == "Unknown"
    finished = pod({"phase": "Succeeded"}, deletionTimestamp=ago(seconds=5))
    assert row_cells("", "Pod", finished, NOW)[2] == "Succeeded"


def test_readiness_gates_cell():
    spec = {"containers": [{"name": "app"}],
            "readinessGates": [{"conditionType": "example.com/lb"},
                               {"conditionType": "example.com/dns"}]}
    status = {"phase": "Running", "conditions": [{"type": "example.com/lb", "status": "True"}]}
    assert row_cells("", "Pod", pod(status, spec=spec), NOW)[8] == "1/2"


# --- workloads ---------------------------------------------------------------------------

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"},
                                    {"name": "log", "image": "busybox"}]}}


def test_deployment_row():
    obj = {"metadata": meta("web", created=ago(days=2, hours=5)),
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "tier": "fe"}},
                    "template": TEMPLATE},
           "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3,
                      "availableReplicas": 2}}
    assert row_cells("apps", "Deployment", obj, NOW) == [
        "web", "2/3", 3, 2, "2d5h", "nginx,log", "nginx:1.27,busybox", "app=web,tier=fe"]


def test_fresh_deployment_without_status():
    obj = {"metadata": meta("web"), "spec": {"replicas": 1, "template": TEMPLATE,
                                             "selector": {"matchLabels": {"app": "web"}}}}
    assert row_cells("apps", "Deployment", obj, NOW)[:4] == ["web", "0/1", 0, 0]


def test_replica_set_and_replication_controller_rows():
    rs = {"metadata": meta("web-5d9c"),
          "spec": {"replicas": 3, "template": TEMPLATE, "selector": {
              "matchLabels": {"app": "web"},
              "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                                   {"key": "canary", "operator": "DoesNotExist"}]}},
          "status": {"replicas": 3, "readyReplicas": 3}}
    assert row_cells("apps", "ReplicaSet", rs, NOW) == [
        "web-5d9c", 3, 3, 3, "5m", "nginx,log", "nginx:1.27,busybox",
        "app=web,!canary,env in (dev,prod)"]
    rc = {"metadata": meta("old"), "spec": {"replicas": 2, "selector": {"app": "old"},
                                            "template": TEMPLATE}, "status": {"replicas": 2}}
    assert row_cells("", "ReplicationController", rc, NOW) == [
        "old", 2, 2, 0, "5m", "nginx,log", "nginx:1.27,busybox", "app=old"]


def test_stateful_set_and_daemon_set_rows():
    sts = {"metadata": meta("db"), "spec": {"replicas": 3, "template": TEMPLATE},
           "status": {"replicas": 3, "readyReplicas": 1}}
    assert row_cells("apps", "StatefulSet", sts, NOW) == [
        "db", "1/3", "5m", "nginx,log", "nginx:1.27,busybox"]
    template = {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                         "containers": [{"name": "agent", "image": "agent:1"}]}}
    ds = {"metadata": meta("agent"), "spec": {"template": template,
                                              "selector": {"matchLabels": {"app": "agent"}}},
          "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                     "updatedNumberScheduled": 3, "numberAvailable": 2}}
    assert row_cells("apps", "DaemonSet", ds, NOW) == [
        "agent", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "5m", "agent", "agent:1", "app=agent"]


def job(spec: dict, status: dict, **metadata) -> dict:
    return {"metadata": meta("pi", **metadata),
            "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}]}},
                     "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "abc"}},
                     **spec},
            "status": status}


def test_job_rows():
    complete = job({"completions": 1, "parallelism": 1},
                   {"succeeded": 1, "startTime": ago(minutes=5),
                    "completionTime": ago(minutes=4, seconds=20),
                    "conditions": [{"type": "SuccessCriteriaMet", "status": "True"},
                                   {"type": "Complete", "status": "True"}]})
    assert row_cells("batch", "Job", complete, NOW) == [
        "pi", "Complete", "1/1", "40s", "5m", "pi", "perl",
        "batch.kubernetes.io/controller-uid=abc"]
    running_job = job({"parallelism": 3}, {"active": 3, "startTime": ago(minutes=2)})
    assert row_cells("batch", "Job", running_job, NOW)[1:4] == ["Running", "0/1 of 3", "2m"]
    fresh = job({"completions": 5}, {})
    assert row_cells("batch", "Job", fresh, NOW)[1:4] == ["Running", "0/5", ""]
    failed = job({"completions": 1}, {"failed": 6, "startTime": ago(minutes=3), "conditions": [
        {"type": "FailureTarget", "status": "True"}, {"type": "Failed", "status": "True"}]})
    assert row_cells("batch", "Job", failed, NOW)[1] == "Failed"
    suspended = job({"completions": 1, "suspend": True}, {"conditions": [
        {"type": "Suspended", "status": "True"}]})
    assert row_cells("batch", "Job", suspended, NOW)[1] == "Suspended"


def test_cron_job_row():
    obj = {"metadata": meta("backup", created=ago(days=1)),
           "spec": {"schedule": "*/5 * * * *", "suspend": False, "jobTemplate": {"spec": {
               "template": {"spec": {"containers": [{"name": "b", "image": "busybox"}]}}}}},
           "status": {"active": [{"name": "backup-1"}], "lastScheduleTime": ago(minutes=3)}}
    assert row_cells("batch", "CronJob", obj, NOW) == [
        "backup", "*/5 * * * *", "<none>", "False", 1, "3m", "24h", "b", "busybox", "<none>"]
    obj["spec"]["timeZone"] = "Europe/Paris"
    del obj["status"]
    assert row_cells("batch", "CronJob", obj, NOW)[2:6] == ["Europe/Paris", "False", 0, "<none>"]


def test_hpa_rows():
    v2 = {"metadata": meta("web"),
          "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                   "minReplicas": 1, "maxReplicas": 10,
                   "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                       "type": "Utilization", "averageUtilization": 80}}}]},
          "status": {"currentReplicas": 2, "currentMetrics": [{"type": "Resource", "resource": {
              "name": "cpu", "current": {"averageUtilization": 45, "averageValue": "120m"}}}]}}
    assert row_cells("autoscaling", "HorizontalPodAutoscaler", v2, NOW) == [
        "web", "Deployment/web", "cpu: 45%/80%", "1", 10, 2, "5m"]
    del v2["status"]["currentMetrics"]
    assert row_cells("autoscaling", "HorizontalPodAutoscaler", v2, NOW)[2] == "cpu: <unknown>/80%"
    v2["spec"]["metrics"] += [
        {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                  "target": {"type": "AverageValue", "averageValue": "1k"}}},
        {"type": "Resource", "resource": {"name": "memory", "target": {
            "type": "AverageValue", "averageValue": "500Mi"}}}]
    assert row_cells("autoscaling", "HorizontalPodAutoscaler", v2, NOW)[2] == (
        "cpu: <unknown>/80%, <unknown>/1k + 1 more...")
    v1 = {"metadata": meta("old"),
          "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "old"}, "maxReplicas": 4,
                   "targetCPUUtilizationPercentage": 50},
          "status": {"currentReplicas": 1, "currentCPUUtilizationPercentage": 12}}
    assert row_cells("autoscaling", "HorizontalPodAutoscaler", v1, NOW)[2:6] == [
        "cpu: 12%/50%", "<unset>", 4, 1]


def test_pdb_and_controller_revision_rows():
    pdb = {"metadata": meta("web"), "spec": {"minAvailable": "50%"},
           "status": {"disruptionsAllowed": 1}}
    assert row_cells("policy", "PodDisruptionBudget", pdb, NOW) == ["web", "50%", "N/A", 1, "5m"]
    revision = {"metadata": meta("db-7c9f", ownerReferences=[
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": True}]),
        "revision": 2}
    assert row_cells("apps", "ControllerRevision", revision, NOW) == [
        "db-7c9f", "statefulset.apps/db", 2, "5m"]


# --- services and networking -------------------------------------------------------------

def service(spec: dict, status: dict | None = None) -> dict:
    return {"metadata": meta("web"), "spec": spec, "status": status or {}}


def test_service_rows():
    cluster_ip = service({"type": "ClusterIP", "clusterIP": "10.96.0.20",
                          "clusterIPs": ["10.96.0.20"], "selector": {"app": "web"},
                          "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"},
                                    {"port": 53, "protocol": "UDP"}]})
    assert row_cells("", "Service", cluster_ip, NOW) == [
        "web", "ClusterIP", "10.96.0.20", "<none>", "80/TCP,53/UDP", "5m", "app=web"]
    node_port = service({"type": "NodePort", "clusterIPs": ["10.96.0.21"],
                         "externalIPs": ["192.0.2.10"],
                         "ports": [{"port": 80, "nodePort": 30024, "protocol": "TCP"}]})
    assert row_cells("", "Service", node_port, NOW)[1:5] == [
        "NodePort", "10.96.0.21", "192.0.2.10", "80:30024/TCP"]
    pending = service({"type": "LoadBalancer", "clusterIPs": ["10.96.0.22"],
                       "ports": [{"port": 443, "nodePort": 31443, "protocol": "TCP"}]})
    assert row_cells("", "Service", pending, NOW)[3] == "<pending>"
    balanced = service(pending["spec"], {"loadBalancer": {"ingress": [
        {"ip": "203.0.113.9"}, {"hostname": "lb.example.com"}]}})
    assert row_cells("", "Service", balanced, NOW)[3] == "203.0.113.9,lb.example.com"
    external_name = service({"type": "ExternalName", "externalName": "db.example.com"})
    assert row_cells("", "Service", external_name, NOW) == [
        "web", "ExternalName", "<none>", "db.example.com", "<none>", "5m", "<none>"]
    headless = service({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"],
                        "ports": [{"port": 5432, "protocol": "TCP"}]})
    assert row_cells("", "Service", headless, NOW)[2] == "None"


def test_endpoints_and_endpoint_slice_rows():
    endpoints = {"metadata": meta("web"), "subsets": [{
        "addresses": [{"ip": "10.244.1.2"}, {"ip": "10.244.1.3"}, {"ip": "fd00::5"}],
        "ports": [{"port": 8080, "protocol": "TCP"}, {"name": "m", "port": 9090}]}]}
    assert row_cells("", "Endpoints", endpoints, NOW) == [
        "web", "10.244.1.2:8080,10.244.1.3:8080,[fd00::5]:8080 + 3 more...", "5m"]
    assert row_cells("", "Endpoints", {"metadata": meta("none")}, NOW)[1] == "<none>"
    slice_ = {"metadata": meta("web-abc"), "addressType": "IPv4",
              "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
              "endpoints": [{"addresses": ["10.244.1.2"]}, {"addresses": ["10.244.1.3"]}]}
    assert row_cells("discovery.k8s.io", "EndpointSlice", slice_, NOW) == [
        "web-abc", "IPv4", "8080", "10.244.1.2,10.244.1.3", "5m"]
    empty = {"metadata": meta("e"), "addressType": "IPv4"}
    assert row_cells("discovery.k8s.io", "EndpointSlice", empty, NOW)[2:4] == ["<unset>",
                                                                              "<unset>"]


def test_ingress_rows():
    obj = {"metadata": meta("web"),
           "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"]}],
                    "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]},
           "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}}
    assert row_cells("networking.k8s.io", "Ingress", obj, NOW) == [
        "web", "nginx", "a.example.com,b.example.com", "192.0.2.1", "80, 443", "5m"]
    bare = {"metadata": meta("any"), "spec": {"defaultBackend": {"service": {"name": "web"}}}}
    assert row_cells("networking.k8s.io", "Ingress", bare, NOW) == [
        "any", "<none>", "*", "", "80", "5m"]
    many = {"metadata": meta("many"), "spec": {"rules": [{"host": f"h{i}.example"}
                                                         for i in range(5)]}}
    assert row_cells("networking.k8s.io", "Ingress", many, NOW)[2] == (
        "h0.example,h1.example,h2.example + 2 more...")


def test_ingress_class_and_network_policy_rows():
    klass = {"metadata": meta("nginx", None), "spec": {
        "controller": "k8s.io/ingress-nginx",
        "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters",
                       "name": "external-lb"}}}
    assert row_cells("networking.k8s.io", "IngressClass", klass, NOW) == [
        "nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "5m"]
    policy = {"metadata": meta("deny"), "spec": {"podSelector": {}}}
    assert row_cells("networking.k8s.io", "NetworkPolicy", policy, NOW) == ["deny", "<none>", "5m"]
    policy["spec"]["podSelector"] = {"matchLabels": {"role": "db"}}
    assert row_cells("networking.k8s.io", "NetworkPolicy", policy, NOW)[1] == "role=db"


# --- nodes, namespaces, events -----------------------------------------------------------

def node(labels: dict, ready: str = "True", unschedulable: bool = False) -> dict:
    return {"metadata": meta("node-1", None, created=ago(days=30), labels=labels),
            "spec": {"unschedulable": unschedulable} if unschedulable else {},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                      {"type": "Ready", "status": ready}],
                       "addresses": [{"type": "InternalIP", "address": "172.18.0.2"},
                                     {"type": "Hostname", "address": "node-1"}],
                       "nodeInfo": {"kubeletVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12",
                                    "kernelVersion": "6.1.0-18-amd64",
                                    "containerRuntimeVersion": "containerd://1.7.24"}}}


def test_node_row():
    obj = node({"node-role.kubernetes.io/control-plane": "", "kubernetes.io/os": "linux"})
    assert row_cells("", "Node", obj, NOW) == [
        "node-1", "Ready", "control-plane", "30d", "v1.32.4", "172.18.0.2", "<none>",
        "Debian GNU/Linux 12", "6.1.0-18-amd64", "containerd://1.7.24"]


def test_node_status_and_roles():
    cordoned = node({}, ready="Unknown", unschedulable=True)
    assert row_cells("", "Node", cordoned, NOW)[1:3] == ["NotReady,SchedulingDisabled", "<none>"]
    no_conditions = node({"kubernetes.io/role": "edge", "node-role.kubernetes.io/worker": "",
                          "node-role.kubernetes.io/": "x",
                          "node-role.kubernetes.io/control-plane": "true"})
    no_conditions["status"]["conditions"] = []
    assert row_cells("", "Node", no_conditions, NOW)[1:3] == [
        "Unknown", "control-plane,edge,worker"]
    no_conditions["status"]["nodeInfo"] = {}
    assert row_cells("", "Node", no_conditions, NOW)[7:] == ["<unknown>"] * 3


def test_namespace_row():
    obj = {"metadata": meta("kube-system", None, created=ago(days=400)),
           "status": {"phase": "Active"}}
    assert row_cells("", "Namespace", obj, NOW) == ["kube-system", "Active", "400d"]


def test_core_event_row():
    obj = {"metadata": meta("web-1.17f2a"), "type": "Warning", "reason": "BackOff",
           "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{app}"},
           "message": "Back-off restarting failed container\n", "count": 7,
           "source": {"component": "kubelet", "host": "node-1"},
           "firstTimestamp": ago(minutes=10), "lastTimestamp": ago(seconds=30)}
    assert row_cells("", "Event", obj, NOW) == [
        "30s", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, node-1",
        "Back-off restarting failed container", "10m", 7, "web-1.17f2a"]


def test_new_style_event_rows():
    core = {"metadata": meta("e1"), "type": "Normal", "reason": "Scheduled",
            "involvedObject": {"kind": "Pod", "name": "web-1"},
            "message": "Successfully assigned default/web-1 to node-1",
            "eventTime": "2026-03-01T11:58:00.123456Z", "reportingController": "default-scheduler",
            "reportingInstance": "default-scheduler-cp-1"}
    # 119.88 seconds: truncated, as Go converts the duration to whole seconds
    assert row_cells("", "Event", core, NOW) == [
        "119s", "Normal", "Scheduled", "pod/web-1", "", "default-scheduler, default-scheduler-cp-1",
        "Successfully assigned default/web-1 to node-1", "119s", 1, "e1"]
    events_api = {"metadata": meta("e2"), "type": "Normal", "reason": "Pulled",
                  "regarding": {"kind": "Pod", "name": "web-1"}, "note": "Pulled image",
                  "eventTime": ago(minutes=9), "reportingController": "kubelet",
                  "series": {"count": 4, "lastObservedTime": ago(minutes=1)}}
    assert row_cells("events.k8s.io", "Event", events_api, NOW) == [
        "60s", "Normal", "Pulled", "pod/web-1", "", "kubelet", "Pulled image", "9m", 4, "e2"]


# --- configuration, access, storage ------------------------------------------------------

def test_configuration_rows():
    secret = {"metadata": meta("tls"), "type": "kubernetes.io/tls",
              "data": {"tls.crt": "Y3J0", "tls.key": "a2V5"}}
    assert row_cells("", "Secret", secret, NOW) == ["tls", "kubernetes.io/tls", 2, "5m"]
    config_map = {"metadata": meta("cfg"), "data": {"a": "1"}, "binaryData": {"b": "AA=="}}
    assert row_cells("", "ConfigMap", config_map, NOW) == ["cfg", 2, "5m"]
    assert row_cells("", "ConfigMap", {"metadata": meta("empty")}, NOW) == ["empty", 0, "5m"]
    account = {"metadata": meta("default")}
    assert row_cells("", "ServiceAccount", account, NOW) == ["default", 0, "5m"]
    quota = {"metadata": meta("compute"), "status": {
        "hard": {"pods": "10", "requests.cpu": "1", "limits.memory": "2Gi", "limits.cpu": "2"},
        "used": {"pods": "3", "requests.cpu": "250m", "limits.cpu": "500m"}}}
    assert row_cells("", "ResourceQuota", quota, NOW) == [
        "compute", "pods: 3/10, requests.cpu: 250m/1", "limits.cpu: 500m/2, limits.memory: 0/2Gi",
        "5m"]


def test_cluster_scoped_config_rows():
    priority = {"metadata": meta("high", None), "value": 1000000, "globalDefault": False,
                "preemptionPolicy": "PreemptLowerPriority"}
    assert row_cells("scheduling.k8s.io", "PriorityClass", priority, NOW) == [
        "high", 1000000, False, "5m", "PreemptLowerPriority"]
    lease = {"metadata": meta("node-1", "kube-node-lease"), "spec": {"holderIdentity": "node-1"}}
    assert row_cells("coordination.k8s.io", "Lease", lease, NOW) == ["node-1", "node-1", "5m"]
    runtime_class = {"metadata": meta("gvisor", None), "handler": "runsc"}
    assert row_cells("node.k8s.io", "RuntimeClass", runtime_class, NOW) == ["gvisor", "runsc", "5m"]
    status = {"metadata": meta("etcd-0", None), "conditions": [
        {"type": "Healthy", "status": "True", "message": "ok"}]}
    assert row_cells("", "ComponentStatus", status, NOW) == ["etcd-0", "Healthy", "ok", ""]
    webhook = {"metadata": meta("policy", None), "webhooks": [{"name": "a"}, {"name": "b"}]}
    assert row_cells("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", webhook,
                     NOW) == ["policy", 2, "5m"]


def test_role_binding_rows():
    binding = {"metadata": meta("read"), "roleRef": {"kind": "ClusterRole", "name": "view",
                                                     "apiGroup": "rbac.authorization.k8s.io"},
               "subjects": [{"kind": "User", "name": "jane"}, {"kind": "User", "name": "bob"},
                            {"kind": "Group", "name": "devs"},
                            {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"}]}
    expected = ["read", "ClusterRole/view", "5m", "jane, bob", "devs", "tools/ci"]
    assert row_cells("rbac.authorization.k8s.io", "RoleBinding", binding, NOW) == expected
    assert row_cells("rbac.authorization.k8s.io", "ClusterRoleBinding", binding, NOW) == expected


def test_csr_rows():
    csr = {"metadata": meta("node-csr", None), "spec": {
        "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
        "username": "system:bootstrap:abcdef", "expirationSeconds": 86400}, "status": {}}
    assert row_cells("certificates.k8s.io", "CertificateSigningRequest", csr, NOW) == [
        "node-csr", "5m", "kubernetes.io/kube-apiserver-client-kubelet",
        "system:bootstrap:abcdef", "24h", "Pending"]
    csr["status"] = {"conditions": [{"type": "Approved", "status": "True"}],
                     "certificate": "LS0t"}
    del csr["spec"]["expirationSeconds"]
    assert row_cells("certificates.k8s.io", "CertificateSigningRequest", csr, NOW)[4:] == [
        "<none>", "Approved,Issued"]


def test_storage_rows():
    volume = {"metadata": meta("pv-1", None), "spec": {
        "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "standard",
        "claimRef": {"namespace": "default", "name": "data"}, "volumeMode": "Filesystem"},
        "status": {"phase": "Bound"}}
    assert row_cells("", "PersistentVolume", volume, NOW) == [
        "pv-1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard", "<unset>", "",
        "5m", "Filesystem"]
    claim = {"metadata": meta("data"), "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
        "storageClassName": "standard", "volumeMode": "Filesystem"}, "status": {"phase": "Pending"}}
    assert row_cells("", "PersistentVolumeClaim", claim, NOW) == [
        "data", "Pending", "", "", "", "standard", "<unset>", "5m", "Filesystem"]
    claim["spec"]["volumeName"] = "pv-1"
    claim["status"] = {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                       "capacity": {"storage": "10Gi"}}
    assert row_cells("", "PersistentVolumeClaim", claim, NOW)[1:5] == [
        "Bound", "pv-1", "10Gi", "RWO"]


def test_storage_class_rows():
    klass = {"metadata": meta("standard", None, annotations={
        "storageclass.kubernetes.io/is-default-class": "true"}),
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer"}
    assert row_cells("storage.k8s.io", "StorageClass", klass, NOW) == [
        "standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", False,
        "5m"]
    plain = {"metadata": meta("fast", None), "provisioner": "csi.example.com",
             "allowVolumeExpansion": True}
    assert row_cells("storage.k8s.io", "StorageClass", plain, NOW) == [
        "fast", "csi.example.com", "Delete", "Immediate", True, "5m"]


def test_csi_rows():
    driver = {"metadata": meta("csi.example.com", None), "spec": {
        "podInfoOnMount": True, "volumeLifecycleModes": ["Persistent", "Ephemeral"]}}
    assert row_cells("storage.k8s.io", "CSIDriver", driver, NOW) == [
        "csi.example.com", True, True, False, "<unset>", False, "Persistent,Ephemeral", "5m"]
    csi_node = {"metadata": meta("node-1", None), "spec": {"drivers": [{"name": "a"}]}}
    assert row_cells("storage.k8s.io", "CSINode", csi_node, NOW) == ["node-1", 1, "5m"]
    attachment = {"metadata": meta("csi-123", None), "spec": {
        "attacher": "csi.example.com", "nodeName": "node-1",
        "source": {"persistentVolumeName": "pv-1"}}, "status": {"attached": True}}
    assert row_cells("storage.k8s.io", "VolumeAttachment", attachment, NOW) == [
        "csi-123", "csi.example.com", "pv-1", "node-1", True, "5m"]


def test_every_builtin_printer_copes_with_a_bare_object():
    bare = {"metadata": {"name": "x"}}
    for rt in BUILTIN:
        cells = row_cells(rt.group, rt.kind, bare, NOW)
        assert len(cells) == len(column_definitions(rt.group, rt.kind)), rt.kind


# --- custom resources --------------------------------------------------------------------

CRONTAB = {
    "apiVersion": "stable.example.com/v1", "kind": "CronTab",
    "metadata": meta("my-cron", created=ago(hours=3, minutes=5)),
    "spec": {"cronSpec": "* * * * */5", "image": "my-cron-image", "replicas": 3,
             "weight": 0.25, "paused": False, "selector": {"app": "cron"},
             "ports": [80, 443]},
    "status": {"conditions": [{"type": "Synced", "status": "True"},
                              {"type": "Ready", "status": "False", "reason": "Waiting"}],
               "lastRun": ago(minutes=7)},
}


def test_custom_columns_types_and_filters():
    columns, cells = custom_columns([
        {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
        {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
        {"name": "Ready", "type": "string",
         "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
        {"name": "Reason", "type": "string", "priority": 1,
         "jsonPath": ".status.conditions[?(@.status!='True')].reason"},
        {"name": "Weight", "type": "number", "jsonPath": ".spec.weight"},
        {"name": "Paused", "type": "boolean", "jsonPath": ".spec.paused"},
        {"name": "Last Run", "type": "date", "jsonPath": ".status.lastRun"},
        {"name": "Missing", "type": "string", "jsonPath": ".spec.nothing.here"},
        {"name": "Selector", "type": "string", "jsonPath": ".spec.selector"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ])
    assert [c["name"] for c in columns] == ["Name", "Spec", "Replicas", "Ready", "Reason",
                                            "Weight", "Paused", "Last Run", "Missing",
                                            "Selector", "Age"]
    assert columns[0]["format"] == "name"
    assert columns[4]["priority"] == 1
    assert columns[1]["description"] == (
        "Custom resource definition column (in JSONPath format): .spec.cronSpec")
    assert cells(CRONTAB, NOW) == ["my-cron", "* * * * */5", 3, "False", "Waiting", 0.25, False,
                                   "7m", None, '{"app":"cron"}', "3h5m"]


def test_custom_columns_mismatched_types_give_null_cells():
    _, cells = custom_columns([
        {"name": "N", "type": "integer", "jsonPath": ".spec.image"},
        {"name": "B", "type": "boolean", "jsonPath": ".spec.replicas"},
        {"name": "D", "type": "date", "jsonPath": ".spec.image"},
        {"name": "Ports", "type": "string", "jsonPath": ".spec.ports"},
        {"name": "First", "type": "integer", "jsonPath": ".spec.ports[0]"},
        {"name": "Last", "type": "integer", "jsonPath": ".spec.ports[-1]"},
    ])
    assert cells(CRONTAB, NOW) == ["my-cron", None, None, "<invalid>", "[80,443]", 80, 443]


def test_crd_without_printer_columns_gets_age():
    columns, cells = custom_columns([])
    assert [(c["name"], c["type"]) for c in columns] == [("Name", "string"), ("Age", "date")]
    assert cells(CRONTAB, NOW) == ["my-cron", "3h5m"]


@pytest.mark.parametrize("path, expected", [
    (".spec.replicas", [3]),
    ("{.spec.replicas}", [3]),
    (".spec.ports[*]", [80, 443]),
    (".spec.ports[0:1]", [80]),
    (".status.conditions[*].type", ["Synced", "Ready"]),
    (".status.conditions[?(@.type=='Synced')].status", ["True"]),
    ("..type", ["Synced", "Ready"]),
    (".metadata['name']", ["my-cron"]),
    (".spec.ports[?(@ > 100)]", [443]),
    (".status.conditions[?(@.reason)].type", ["Ready"]),
    (".spec.missing[0]", []),
])
def test_jsonpath(path, expected):
    assert find(path, CRONTAB) == expected


def test_jsonpath_escaped_dots_in_keys():
    obj = {"metadata": {"annotations": {"example.com/owner": "team-a"}}}
    assert find(".metadata.annotations.example\\.com/owner", obj) == ["team-a"]
    assert find(".metadata.annotations['example.com/owner']", obj) == ["team-a"]


@pytest.mark.parametrize("value, expected", [
    (0.25, "0.25"), (1.5, "1.5"), (100000.0, "100000"), (1e6, "1e+06"),
    (1234567.0, "1.234567e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5, "-2.5"),
])
def test_go_float(value, expected):
    assert go_float(value) == expected


@pytest.mark.parametrize("written, shown", [
    ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"), ("0.5", "500m"), ("1000m", "1"),
    ("1000k", "1M"), ("512", "512"), ("100Mi", "100Mi"), ("0.0000000001", "1n"),
    ("12e6", "12e6"), ("-1Gi", "-1Gi"), (None, "0"), ("not-a-quantity", "not-a-quantity"),
])
def test_quantities_print_in_canonical_form(written, shown):
    volume = {"metadata": meta("pv", None), "spec": {"capacity": {"storage": written}}}
    if written is None:
        volume["spec"] = {}
    assert row_cells("", "PersistentVolume", volume, NOW)[1] == shown


def test_row_conditions_mark_finished_pods():
    assert row_conditions("", "Pod", pod({"phase": "Running"})) is None
    assert row_conditions("", "Pod", pod({"phase": "Succeeded"})) == [
        {"type": "Completed", "status": "True", "reason": "Succeeded",
         "message": "The pod has completed successfully."}]
    assert row_conditions("", "Pod", pod({"phase": "Failed"}))[0]["reason"] == "Failed"
    assert row_conditions("apps", "Deployment", {"status": {"phase": "Failed"}}) is None
