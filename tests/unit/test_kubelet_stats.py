# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Stats from fixture cgroup and /proc trees: memory working sets, cpu rates, the
Summary, the resource metrics text; and the kubelet's authorization attributes."""
from __future__ import annotations

from pathlib import Path

import pytest

from kybernetes.kubelet import metrics, stats
from kybernetes.kubelet.eviction import memory_usage
from kybernetes.kubelet.webhookauth import access_review, forbidden_message, request_attributes

UID = "1111-2222"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def v1_tree(root: Path) -> Path:
    memory, cpu = root / "memory", root / "cpu,cpuacct"
    write(memory / "memory.usage_in_bytes", "2000000000\n")
    write(memory / "memory.stat", "total_inactive_file 500000000\ntotal_rss 300000000\n"
                                  "total_pgfault 10\ntotal_pgmajfault 2\n")
    pod = f"kubepods/besteffort/pod{UID}"
    write(memory / pod / "memory.usage_in_bytes", "90000000\n")
    write(memory / pod / "memory.stat", "total_inactive_file 10000000\ntotal_rss 70000000\n")
    write(memory / pod / "abc123" / "memory.usage_in_bytes", "85000000\n")
    write(memory / pod / "abc123" / "memory.stat", "total_inactive_file 1000000\ntotal_rss 60000000\n")
    write(cpu / "cpuacct.usage", "5000000000\n")
    write(cpu / pod / "cpuacct.usage", "1000000000\n")
    write(cpu / pod / "abc123" / "cpuacct.usage", "900000000\n")
    return root


def proc_tree(root: Path) -> Path:
    write(root / "meminfo", "MemTotal:        4000000 kB\nMemFree:         1000000 kB\n"
                            "MemAvailable:    2500000 kB\nInactive(file):   500000 kB\n")
    write(root / "stat", "cpu  100 0 50 1000 20 5 5 0 0 0\nbtime 1700000000\n")
    write(root / "loadavg", "0.10 0.20 0.30 2/345 999\n")
    write(root / "sys" / "kernel" / "pid_max", "32768\n")
    return root


def test_v1_cgroup_memory_and_cpu(tmp_path):
    cgroups = stats.Cgroups(v1_tree(tmp_path / "cg"))
    assert cgroups.v1
    memory = cgroups.memory(f"kubepods/besteffort/pod{UID}")
    assert memory["usageBytes"] == 90000000 and memory["workingSetBytes"] == 80000000
    assert memory["rssBytes"] == 70000000
    assert cgroups.cpu_usage_ns(f"kubepods/besteffort/pod{UID}/abc123") == 900000000
    assert cgroups.children(f"kubepods/besteffort/pod{UID}") == ["abc123"]
    assert cgroups.memory("kubepods/podnothere") is None


def test_v2_cgroup_memory_and_cpu(tmp_path):
    root = tmp_path / "cg2"
    write(root / "cgroup.controllers", "cpu memory pids\n")
    write(root / "kubepods" / "podx" / "memory.current", "4096000\n")
    write(root / "kubepods" / "podx" / "memory.stat", "anon 1000\ninactive_file 96000\npgfault 7\n")
    write(root / "kubepods" / "podx" / "cpu.stat", "usage_usec 2500\nuser_usec 2000\n")
    cgroups = stats.Cgroups(root)
    assert not cgroups.v1
    assert cgroups.memory("kubepods/podx") == {"usageBytes": 4096000, "workingSetBytes": 4000000,
                                               "rssBytes": 1000, "pageFaults": 7, "majorPageFaults": 0}
    assert cgroups.cpu_usage_ns("kubepods/podx") == 2_500_000


def test_cpu_rate_needs_two_samples():
    rates = stats.CpuRates(min_interval=0.5)
    assert rates.rate("pod", 10.0, 1_000_000_000) is None
    assert rates.rate("pod", 12.0, 2_000_000_000) == 500_000_000  # half a core
    assert rates.rate("pod", 12.1, 9_000_000_000) == 500_000_000  # too soon: the last rate
    assert rates.rate("pod", 13.0, 100) is None  # counter reset: start over


def test_node_memory_from_proc_when_no_v1_root(tmp_path):
    proc = proc_tree(tmp_path / "proc")
    memory = stats.node_memory(proc, stats.Cgroups(tmp_path / "empty"))
    assert memory["capacityBytes"] == 4000000 * 1024
    assert memory["usageBytes"] == 3000000 * 1024
    assert memory["workingSetBytes"] == 2500000 * 1024
    assert memory["availableBytes"] == 1500000 * 1024
    assert stats.rlimit(proc) == {"maxpid": 32768, "curproc": 345}
    assert stats.proc_stat_cpu_ns((proc / "stat").read_text()) == 160 * 1_000_000_000 // stats.USER_HZ


def api_pod() -> dict:
    return {"metadata": {"name": "web", "namespace": "shop", "uid": UID},
            "status": {"startTime": "2026-01-01T00:00:00Z"}}


def test_summary_from_fixture_trees(tmp_path):
    cgroups = stats.Cgroups(v1_tree(tmp_path / "cg"))
    proc = proc_tree(tmp_path / "proc")
    logs = tmp_path / "logs" / "app"
    write(logs / "0.log", "x" * 5000)
    builder = stats.SummaryBuilder("node-a", tmp_path, cgroups=cgroups, proc=proc)
    item = stats.PodStatsInput(api_pod(), [("app", "runc://abc123", 1700000100.0)], {"app": logs})
    first = builder.summary([item], now=1700000200.0)
    assert first["pods"][0]["cpu"]["usageNanoCores"] == 0  # one sample: no rate yet
    write(cgroups.root / "cpu,cpuacct" / f"kubepods/besteffort/pod{UID}" / "cpuacct.usage", "3000000000\n")
    summary = builder.summary([item], now=1700000210.0)
    node = summary["node"]
    assert node["nodeName"] == "node-a" and node["startTime"] == "2023-11-14T22:13:20Z"
    assert node["memory"]["workingSetBytes"] == 1500000000
    assert node["memory"]["availableBytes"] == 4000000 * 1024 - 1500000000
    assert node["cpu"]["usageCoreNanoSeconds"] == 5000000000
    assert node["rlimit"]["maxpid"] == 32768 and node["fs"]["capacityBytes"] > 0
    [pod] = summary["pods"]
    assert pod["podRef"] == {"name": "web", "namespace": "shop", "uid": UID}
    assert pod["cpu"]["usageNanoCores"] == 200_000_000  # 2 s of cpu over 10 s
    assert pod["memory"]["workingSetBytes"] == 80000000
    [container] = pod["containers"]
    assert container["name"] == "app" and container["memory"]["workingSetBytes"] == 84000000
    assert container["cpu"]["usageCoreNanoSeconds"] == 900000000
    assert container["logs"]["usedBytes"] >= 5000 and pod["ephemeral-storage"]["usedBytes"] >= 5000

    usage = memory_usage(builder, [item])
    assert usage[UID].total == 80000000 and usage[UID].containers == {"app": 84000000}

    text = metrics.resource_metrics(summary, 1700000210.0)
    assert "# TYPE container_cpu_usage_seconds_total counter" in text
    assert 'container_memory_working_set_bytes{container="app",namespace="shop",pod="web"} 84000000 ' \
           '1700000210000' in text
    assert 'pod_memory_working_set_bytes{namespace="shop",pod="web"} 80000000' in text
    assert "node_memory_working_set_bytes 1500000000" in text
    assert "container_start_time_seconds{" in text and " 1700000100 " in text
    trimmed = stats.cpu_and_memory_only(summary)
    assert set(trimmed["pods"][0]["containers"][0]) == {"name", "startTime", "cpu", "memory"}


def test_pod_without_cgroup_uses_nothing(tmp_path):
    builder = stats.SummaryBuilder("n", tmp_path, cgroups=stats.Cgroups(tmp_path / "none"),
                                   proc=proc_tree(tmp_path / "proc"))
    item = stats.PodStatsInput(api_pod(), [("app", "process://p1", None)])
    [pod] = builder.summary([item], now=1.0)["pods"]
    assert pod["memory"]["workingSetBytes"] == 0 and pod["containers"][0]["cpu"]["usageNanoCores"] == 0
    assert memory_usage(builder, [item])[UID].total == 0


def test_kubelet_metrics_text(tmp_path):
    text = metrics.kubelet_metrics("node-a", 3, 4, 1700000000.0)
    assert 'kubelet_node_name{node="node-a"} 1' in text
    assert "kubelet_running_pods 3" in text
    assert 'kubelet_running_containers{container_state="running"} 4' in text
    assert "# TYPE process_resident_memory_bytes gauge" in text


@pytest.mark.parametrize("method, path, verb, subresource", [
    ("GET", "/stats/summary", "get", "stats"),
    ("GET", "/stats", "get", "stats"),
    ("GET", "/metrics/resource", "get", "metrics"),
    ("GET", "/logs/syslog", "get", "log"),
    ("GET", "/spec/", "get", "spec"),
    ("GET", "/pods", "get", "proxy"),
    ("GET", "/statsfoo", "get", "proxy"),
    ("POST", "/exec/ns/pod/c", "create", "proxy"),
    ("GET", "/containerLogs/ns/pod/c", "get", "proxy"),
    ("PUT", "/x", "update", "proxy"),
    ("DELETE", "/x", "delete", "proxy"),
])
def test_request_attributes_follow_upstreams_mapping(method, path, verb, subresource):
    attributes = request_attributes(method, path, "node-a")
    assert (attributes["verb"], attributes["resource"], attributes["subresource"],
            attributes["name"]) == (verb, "nodes", subresource, "node-a")


def test_review_and_forbidden_message():
    user = {"name": "bob", "groups": ["dev", "system:authenticated"]}
    attributes = request_attributes("GET", "/stats/summary", "node-a")
    review = access_review(user, attributes)
    assert review["kind"] == "SubjectAccessReview"
    assert review["spec"]["user"] == "bob" and review["spec"]["groups"] == ["dev", "system:authenticated"]
    assert review["spec"]["resourceAttributes"] == {"verb": "get", "version": "v1", "group": "",
                                                    "resource": "nodes", "subresource": "stats",
                                                    "name": "node-a"}
    assert forbidden_message(user, request_attributes("GET", "/pods", "n")) == \
        "Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)"
