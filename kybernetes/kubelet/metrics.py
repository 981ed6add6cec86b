# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's Prometheus endpoints and machine info: /metrics/resource (the families
metrics-server scrapes, from a Summary), /metrics (the kubelet's own gauges and the
process_* families) and /spec (cAdvisor's MachineInfo)."""
from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from kybernetes.kubelet.stats import _read, rfc3339


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    escaped = (f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
               for k, v in labels.items())
    return "{" + ",".join(escaped) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))


class Exposition:
    """Prometheus text format 0.0.4, families written in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str,
               samples: list[tuple[dict[str, str], float, int | None]]) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value, timestamp_ms in samples:
            stamp = f" {timestamp_ms}" if timestamp_ms is not None else ""
            self.lines.append(f"{name}{_labels(labels)} {_number(value)}{stamp}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def resource_metrics(summary: dict, now: float) -> str:
    """/metrics/resource from a Summary, the families metrics-server reads."""
    out = Exposition()
    ms = int(now * 1000)
    pods = summary.get("pods") or []
    node = summary["node"]

    def pod_labels(pod: dict) -> dict:
        return {"namespace": pod["podRef"]["namespace"], "pod": pod["podRef"]["name"]}
    containers = [(pod, c) for pod in pods for c in pod["containers"]]
    out.family("container_cpu_usage_seconds_total", "counter",
               "[STABLE] Cumulative cpu time consumed by the container in core-seconds",
               [({"container": c["name"], **pod_labels(p)}, c["cpu"].get("usageCoreNanoSeconds", 0) / 1e9, ms)
                for p, c in containers])
    out.family("container_memory_working_set_bytes", "gauge",
               "[STABLE] Current working set of the container in bytes",
               [({"container": c["name"], **pod_labels(p)}, c["memory"].get("workingSetBytes", 0), ms)
                for p, c in containers])
    out.family("container_start_time_seconds", "gauge",
               "[STABLE] Start time of the container since unix epoch in seconds",
               [({"container": c["name"], **pod_labels(p)}, _epoch(c["startTime"]), ms)
                for p, c in containers])
    out.family("node_cpu_usage_seconds_total", "counter",
               "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
               [({}, node["cpu"].get("usageCoreNanoSeconds", 0) / 1e9, ms)])
    out.family("node_memory_working_set_bytes", "gauge",
               "[STABLE] Current working set of the node in bytes",
               [({}, node["memory"].get("workingSetBytes", 0), ms)])
    out.family("pod_cpu_usage_seconds_total", "counter",
               "[STABLE] Cumulative cpu time consumed by the pod in core-seconds",
               [(pod_labels(p), p["cpu"].get("usageCoreNanoSeconds", 0) / 1e9, ms) for p in pods])
    out.family("pod_memory_working_set_bytes", "gauge",
               "[STABLE] Current working set of the pod in bytes",
               [(pod_labels(p), p["memory"].get("workingSetBytes", 0), ms) for p in pods])
    out.family("resource_scrape_error", "gauge",
               "[STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
               [({}, 0, None)])
    return out.text()


def _epoch(stamp: str) -> float:
    import calendar
    return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))


def kubelet_metrics(node_name: str, running_pods: int, running_containers: int,
                    started: float, proc: Path = Path("/proc")) -> str:
    """The kubelet's own /metrics: pod and container counts, its node name, and the
    process_* families every Go component exports."""
    out = Exposition()
    out.family("kubelet_node_name", "gauge", "[ALPHA] The node's name. The count is always 1.",
               [({"node": node_name}, 1, None)])
    out.family("kubelet_running_pods", "gauge",
               "[ALPHA] Number of pods that have a running pod sandbox", [({}, running_pods, None)])
    out.family("kubelet_running_containers", "gauge", "[ALPHA] Number of containers currently running",
               [({"container_state": "running"}, running_containers, None)])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_pages = 0
    statm = (_read(proc / "self" / "statm") or "").split()
    if len(statm) > 1:
        rss_pages = int(statm[1])
    try:
        open_fds = len(os.listdir(proc / "self" / "fd"))
    except OSError:
        open_fds = 0
    out.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
               [({}, round(usage.ru_utime + usage.ru_stime, 2), None)])
    out.family("process_open_fds", "gauge", "Number of open file descriptors.", [({}, open_fds, None)])
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
               [({}, rss_pages * os.sysconf("SC_PAGE_SIZE"), None)])
    out.family("process_start_time_seconds", "gauge",
               "Start time of the process since unix epoch in seconds.", [({}, round(started, 2), None)])
    return out.text()


def machine_info(node_name: str, capacity_memory: int, proc: Path = Path("/proc")) -> dict:
    """/spec: cAdvisor's MachineInfo, the fields it always has."""
    from kybernetes.kubelet.node import node_identity
    identity = node_identity(node_name)
    frequency = 0
    for line in (_read(proc / "cpuinfo") or "").splitlines():
        if line.startswith("cpu MHz"):
            frequency = int(float(line.split(":")[1]) * 1000)
            break
    boot_id = (_read(proc / "sys" / "kernel" / "random" / "boot_id") or "").strip()
    return {"timestamp": rfc3339(time.time()), "num_cores": os.cpu_count() or 1,
            "num_physical_cores": os.cpu_count() or 1, "num_sockets": 1,
            "cpu_frequency_khz": frequency, "memory_capacity": capacity_memory,
            "machine_id": identity["machineID"], "system_uuid": identity["systemUUID"],
            "boot_id": boot_id, "filesystems": [], "disk_map": {}, "network_devices": [],
            "topology": [], "cloud_provider": "Unknown", "instance_type": "Unknown",
            "instance_id": "None"}
