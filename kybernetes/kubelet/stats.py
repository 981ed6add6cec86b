# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node and pod statistics as upstream's kubelet serves them: the Summary API
(/stats/summary, stats.k8s.io/v1alpha1), from which metrics.py writes the resource
metrics endpoint metrics-server scrapes.

Numbers come from /proc, statvfs and the pods' cgroups (the runc runtime puts each pod
under kubepods/pod<uid>, each container in a child named by its id); the readers take
their roots as arguments so tests point them at fixture trees. Runtimes without
cgroups (process, fake) report pods with no usage.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PODS_PARENT = "kubepods"
USER_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def rfc3339(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _int(path: Path) -> int | None:
    text = _read(path)
    try:
        return int(text.split()[0]) if text else None
    except ValueError:
        return None


def parse_flat_keyed(text: str) -> dict[str, int]:
    """memory.stat / cpu.stat: `name value` lines."""
    values = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            values[parts[0]] = int(parts[1])
    return values


# ---------------------------------------------------------------- cgroups
class Cgroups:
    """Memory and cpu of a cgroup, on v1 (per-controller hierarchies) or v2."""

    def __init__(self, root: Path = CGROUP_ROOT) -> None:
        self.root = Path(root)
        self.v1 = (self.root / "memory").is_dir()

    def memory(self, relative: str) -> dict | None:
        """usageBytes, workingSetBytes (usage less inactive file pages, as cAdvisor), rssBytes,
        pageFaults, majorPageFaults; None when the cgroup does not exist."""
        relative = relative.strip("/")
        if self.v1:
            base = self.root / "memory" / relative
            usage = _int(base / "memory.usage_in_bytes")
            stat_text = _read(base / "memory.stat")
            if usage is None or stat_text is None:
                return None
            stat = parse_flat_keyed(stat_text)
            inactive = stat.get("total_inactive_file", stat.get("inactive_file", 0))
            rss = stat.get("total_rss", stat.get("rss", 0))
            faults, major = stat.get("total_pgfault", 0), stat.get("total_pgmajfault", 0)
        else:
            base = self.root / relative
            usage = _int(base / "memory.current")
            stat_text = _read(base / "memory.stat")
            if usage is None or stat_text is None:
                return None
            stat = parse_flat_keyed(stat_text)
            inactive, rss = stat.get("inactive_file", 0), stat.get("anon", 0)
            faults, major = stat.get("pgfault", 0), stat.get("pgmajfault", 0)
        return {"usageBytes": usage, "workingSetBytes": max(usage - inactive, 0), "rssBytes": rss,
                "pageFaults": faults, "majorPageFaults": major}

    def cpu_usage_ns(self, relative: str) -> int | None:
        """Cumulative cpu time of the cgroup in nanoseconds."""
        relative = relative.strip("/")
        if self.v1:
            for controller in ("cpuacct", "cpu,cpuacct", "cpu"):
                value = _int(self.root / controller / relative / "cpuacct.usage")
                if value is not None:
                    return value
            return None
        text = _read(self.root / relative / "cpu.stat")
        if text is None:
            return None
        usec = parse_flat_keyed(text).get("usage_usec")
        return None if usec is None else usec * 1000

    def children(self, relative: str) -> list[str]:
        base = (self.root / "memory" / relative.strip("/")) if self.v1 else self.root / relative.strip("/")
        try:
            return sorted(p.name for p in base.iterdir() if p.is_dir())
        except OSError:
            return []


def pod_cgroup(pod: dict) -> str:
    """The pod's cgroup as the kubelet makes it: kubepods/pod<uid> for Guaranteed pods,
    kubepods/burstable|besteffort/pod<uid> for the others."""
    from kybernetes.kubelet.containerconfig import qos_class
    qos, uid = qos_class(pod), pod["metadata"]["uid"]
    return f"{PODS_PARENT}/pod{uid}" if qos == "Guaranteed" else f"{PODS_PARENT}/{qos.lower()}/pod{uid}"


class CpuRates:
    """usageNanoCores from two samples of a cumulative counter, as cAdvisor derives it."""

    def __init__(self, min_interval: float = 0.5) -> None:
        self.min_interval = min_interval
        self._samples: dict[str, tuple[float, int]] = {}
        self._rates: dict[str, int] = {}

    def rate(self, key: str, now: float, usage_ns: int) -> int | None:
        previous = self._samples.get(key)
        if previous is None or usage_ns < previous[1]:
            self._samples[key] = (now, usage_ns)
            return None
        if now - previous[0] < self.min_interval:
            return self._rates.get(key)
        rate = int((usage_ns - previous[1]) / (now - previous[0]))
        self._samples[key] = (now, usage_ns)
        self._rates[key] = rate
        return rate

    def forget_except(self, keys: set[str]) -> None:
        for key in list(self._samples):
            if key not in keys:
                self._samples.pop(key, None)
                self._rates.pop(key, None)


# ---------------------------------------------------------------- /proc and filesystems
def proc_stat_cpu_ns(text: str) -> int:
    """Busy cpu time of the machine from /proc/stat's `cpu` line (idle and iowait excluded)."""
    for line in text.splitlines():
        if line.startswith("cpu "):
            fields = [int(v) for v in line.split()[1:]]
            busy = sum(fields[:3]) + sum(fields[5:8])  # user nice system, irq softirq steal
            return busy * 1_000_000_000 // USER_HZ
    return 0


def meminfo(text: str) -> dict[str, int]:
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[name] = int(parts[0]) * (1024 if len(parts) > 1 and parts[1] == "kB" else 1)
    return values


def node_memory(proc: Path = Path("/proc"), cgroups: Cgroups | None = None) -> dict:
    """The node's memory as the Summary API reports it: the root cgroup's usage and
    working set (v1), else /proc/meminfo's; availableBytes = capacity - working set."""
    info = meminfo(_read(proc / "meminfo") or "")
    capacity = info.get("MemTotal", 0)
    root = (cgroups or Cgroups()).memory("") if (cgroups or Cgroups()).v1 else None
    if root is None:
        usage = capacity - info.get("MemFree", 0)
        working_set = max(usage - info.get("Inactive(file)", 0), 0)
        root = {"usageBytes": usage, "workingSetBytes": working_set,
                "rssBytes": info.get("AnonPages", 0), "pageFaults": 0, "majorPageFaults": 0}
    root["availableBytes"] = max(capacity - root["workingSetBytes"], 0)
    return root | {"capacityBytes": capacity}


def node_memory_available() -> tuple[int, int]:
    """(capacity, available) for the memory.available eviction signal."""
    memory = node_memory()
    return memory["capacityBytes"], memory["availableBytes"]


def filesystem(path: Path) -> dict | None:
    """FsStats of the filesystem holding `path` (its nearest existing ancestor)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    capacity = st.f_blocks * st.f_frsize
    available = st.f_bavail * st.f_frsize
    return {"availableBytes": available, "capacityBytes": capacity,
            "usedBytes": (st.f_blocks - st.f_bfree) * st.f_frsize,
            "inodesFree": st.f_favail, "inodes": st.f_files, "inodesUsed": st.f_files - st.f_ffree}


def rlimit(proc: Path = Path("/proc")) -> dict:
    """maxpid (the kernel's pid_max) and curproc (tasks now, from /proc/loadavg)."""
    maxpid = _int(proc / "sys" / "kernel" / "pid_max") or 0
    loadavg = (_read(proc / "loadavg") or "").split()
    current = 0
    if len(loadavg) >= 4 and "/" in loadavg[3]:
        current = int(loadavg[3].split("/")[1])
    return {"maxpid": maxpid, "curproc": current}


def directory_usage(path: Path) -> dict:
    """usedBytes and inodesUsed of a directory tree (container logs, emptyDirs)."""
    used = inodes = 0
    for dirpath, dirnames, filenames in os.walk(path):
        inodes += 1 + len(filenames)
        for name in filenames:
            try:
                used += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except OSError:
                pass
    return {"usedBytes": used, "inodesUsed": inodes}


# ---------------------------------------------------------------- the Summary API
@dataclass
class PodStatsInput:
    """What the kubelet knows of a running pod: its object, its containers' names and ids
    (the runtime's), start times, and directories whose size counts as its storage."""
    pod: dict
    containers: list[tuple[str, str, float | None]] = field(default_factory=list)  # name, id, started
    log_dirs: dict[str, Path] = field(default_factory=dict)  # container -> log dir


class SummaryBuilder:
    """Builds the Summary from cgroups, /proc and statvfs, keeping cpu samples between
    calls so usageNanoCores is a rate over the last interval."""

    def __init__(self, node_name: str, root_dir: Path, cgroups: Cgroups | None = None,
                 proc: Path = Path("/proc"), images_dir: Path | None = None) -> None:
        self.node_name = node_name
        self.root_dir = Path(root_dir)
        self.images_dir = Path(images_dir) if images_dir else self.root_dir
        self.cgroups = cgroups or Cgroups()
        self.proc = proc
        self.rates = CpuRates()
        self.started = time.time()

    def _cpu(self, key: str, usage_ns: int | None, now: float) -> dict:
        cpu = {"time": rfc3339(now)}
        if usage_ns is None:
            return cpu | {"usageNanoCores": 0, "usageCoreNanoSeconds": 0}
        rate = self.rates.rate(key, now, usage_ns)
        cpu["usageNanoCores"] = rate if rate is not None else 0
        cpu["usageCoreNanoSeconds"] = usage_ns
        return cpu

    def node_cpu_ns(self) -> int:
        value = self.cgroups.cpu_usage_ns("") if self.cgroups.v1 else None
        return value if value is not None else proc_stat_cpu_ns(_read(self.proc / "stat") or "")

    def pod_memory(self, pod: dict) -> tuple[dict | None, dict[str, dict]]:
        """A pod's memory and its containers' (by container id), from its cgroup."""
        relative = pod_cgroup(pod)
        pod = self.cgroups.memory(relative)
        if pod is None:
            return None, {}
        return pod, {child: memory for child in self.cgroups.children(relative)
                     if (memory := self.cgroups.memory(f"{relative}/{child}")) is not None}

    def summary(self, pods: list[PodStatsInput], now: float | None = None) -> dict:
        now = time.time() if now is None else now
        stamp = rfc3339(now)
        node_memory_stats = node_memory(self.proc, self.cgroups)
        node_memory_stats.pop("capacityBytes", None)
        nodefs = filesystem(self.root_dir) or {}
        imagefs = filesystem(self.images_dir) or {}
        boot = _boot_time(self.proc)
        node = {"nodeName": self.node_name, "startTime": rfc3339(boot or self.started),
                "cpu": self._cpu("/", self.node_cpu_ns(), now),
                "memory": {"time": stamp, **node_memory_stats},
                "fs": {"time": stamp, **nodefs},
                "runtime": {"imageFs": {"time": stamp, **imagefs},
                            "containerFs": {"time": stamp, **imagefs}},
                "rlimit": {"time": stamp, **rlimit(self.proc)},
                "systemContainers": [{"name": "pods", "startTime": rfc3339(self.started),
                                      "cpu": self._cpu(PODS_PARENT, self.cgroups.cpu_usage_ns(PODS_PARENT), now),
                                      "memory": {"time": stamp, **(self.cgroups.memory(PODS_PARENT) or {})}}]}
        keys = {"/", PODS_PARENT}
        pod_stats = [self._pod(item, now, keys) for item in pods]
        self.rates.forget_except(keys)  # pods gone: their samples go too
        return {"node": node, "pods": pod_stats}

    def _pod(self, item: PodStatsInput, now: float, keys: set[str]) -> dict:
        stamp = rfc3339(now)
        meta = item.pod["metadata"]
        uid = meta["uid"]
        relative = pod_cgroup(item.pod)
        pod_memory, by_id = self.pod_memory(item.pod)
        keys.add(relative)
        containers = []
        ephemeral_used = 0
        for name, container_id, started in item.containers:
            short_id = container_id.split("://")[-1]
            cpu_ns = self.cgroups.cpu_usage_ns(f"{relative}/{short_id}") if pod_memory else None
            keys.add(f"{relative}/{short_id}")
            memory = by_id.get(short_id) or {"usageBytes": 0, "workingSetBytes": 0, "rssBytes": 0,
                                              "pageFaults": 0, "majorPageFaults": 0}
            logs = {"time": stamp, **(filesystem(self.root_dir) or {})}
            if name in item.log_dirs:
                logs.update(directory_usage(item.log_dirs[name]))
                ephemeral_used += logs["usedBytes"]
            containers.append({"name": name, "startTime": rfc3339(started or now),
                               "cpu": self._cpu(f"{relative}/{short_id}", cpu_ns, now),
                               "memory": {"time": stamp, **memory},
                               "rootfs": {"time": stamp, **(filesystem(self.images_dir) or {}),
                                          "usedBytes": 0, "inodesUsed": 0},
                               "logs": logs})
        started_at = (item.pod.get("status") or {}).get("startTime") or stamp
        fs = filesystem(self.root_dir) or {}
        return {"podRef": {"name": meta["name"], "namespace": meta.get("namespace", "default"), "uid": uid},
                "startTime": started_at, "containers": containers,
                "cpu": self._cpu(relative, self.cgroups.cpu_usage_ns(relative) if pod_memory else None, now),
                "memory": {"time": stamp, **(pod_memory or {"usageBytes": 0, "workingSetBytes": 0,
                                                            "rssBytes": 0, "pageFaults": 0,
                                                            "majorPageFaults": 0})},
                "volume": [],
                "ephemeral-storage": {"time": stamp, "availableBytes": fs.get("availableBytes", 0),
                                      "capacityBytes": fs.get("capacityBytes", 0),
                                      "usedBytes": ephemeral_used, "inodesFree": fs.get("inodesFree", 0),
                                      "inodes": fs.get("inodes", 0), "inodesUsed": 0},
                "process_stats": {"process_count": self._process_count(relative)}}

    def _process_count(self, relative: str) -> int:
        base = self.cgroups.root / ("pids" if self.cgroups.v1 else "") / relative
        current = _int(base / "pids.current")
        return current or 0


def _boot_time(proc: Path) -> float | None:
    for line in (_read(proc / "stat") or "").splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return None


# ---------------------------------------------------------------- the kubelet's pods
async def running_pod_inputs(kubelet) -> list[PodStatsInput]:
    """The pods bound to this kubelet that have a sandbox, with their containers."""
    source = getattr(kubelet, "pod_source", None)
    inputs = []
    for pod in list(source.list()) if source is not None else []:
        status = await kubelet.runtime.pod_status(pod)
        if status is None or not status.sandbox_ready:
            continue
        item = PodStatsInput(pod)
        for container in status.containers:
            if container.state != "running":
                continue
            item.containers.append((container.name, container.container_id, container.started_at))
            path = kubelet.runtime.log_path(pod, container.name)
            if path is not None:
                item.log_dirs[container.name] = Path(path).parent
        inputs.append(item)
    return inputs


async def kubelet_summary(kubelet) -> dict:
    builder = kubelet.stats
    return builder.summary(await running_pod_inputs(kubelet))


def cpu_and_memory_only(summary: dict) -> dict:
    """`?only_cpu_and_memory=true`: what metrics-server's older versions asked for."""
    node = summary["node"]
    keep = ("name", "startTime", "cpu", "memory")
    return {"node": {k: node[k] for k in ("nodeName", "startTime", "cpu", "memory", "systemContainers")
                     if k in node},
            "pods": [{"podRef": pod["podRef"], "startTime": pod["startTime"], "cpu": pod["cpu"],
                      "memory": pod["memory"],
                      "containers": [{k: c[k] for k in keep if k in c} for c in pod["containers"]]}
                     for pod in summary["pods"]]}
