# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Request metrics in the Prometheus text format, named as kube-apiserver names them."""
from __future__ import annotations

import bisect
import os
import resource
from collections import defaultdict

from aiohttp import web

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver.requestinfo import parse

BUCKETS = (0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10,
           15, 20, 30, 45, 60)
_VERBS = {"GET": "GET", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE"}


class Metrics:
    def __init__(self) -> None:
        self.requests: dict[tuple, int] = defaultdict(int)
        self.durations: dict[tuple, list] = {}
        self.watchers: dict[str, int] = defaultdict(int)

    def observe(self, request: web.Request, code: int, seconds: float) -> None:
        info = parse(request.path)
        resource_name = info.resource if info else ""
        verb = _VERBS.get(request.method, request.method)
        if request.query.get("watch") in ("true", "1"):
            verb = "WATCH"
        elif request.method == "GET" and info and info.resource and not info.name:
            verb = "LIST"
        group = info.group if info else ""
        key = (verb, group, resource_name, info.subresource if info else "", str(code))
        self.requests[key] += 1
        dkey = key[:4]
        hist = self.durations.get(dkey)
        if hist is None:
            hist = self.durations[dkey] = [[0] * len(BUCKETS), 0, 0.0]
        index = bisect.bisect_left(BUCKETS, seconds)
        if index < len(BUCKETS):
            hist[0][index] += 1
        hist[1] += 1
        hist[2] += seconds

    def watchers_add(self, rt: ResourceType, delta: int) -> None:
        self.watchers[rt.group_resource] += delta

    def render(self, object_counts: dict[str, int]) -> str:
        lines = ["# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, group, resource, subresource and HTTP response code.",
                 "# TYPE apiserver_request_total counter"]
        for (verb, group, res, sub, code), count in sorted(self.requests.items()):
            lines.append(f'apiserver_request_total{{code="{code}",group="{group}",resource="{res}",'
                         f'subresource="{sub}",verb="{verb}"}} {count}')
        lines += ["# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb, group, resource and subresource.",
                  "# TYPE apiserver_request_duration_seconds histogram"]
        for (verb, group, res, sub), (buckets, count, total) in sorted(self.durations.items()):
            labels = f'group="{group}",resource="{res}",subresource="{sub}",verb="{verb}"'
            running = 0
            for bound, n in zip(BUCKETS, buckets):
                running += n
                lines.append(f'apiserver_request_duration_seconds_bucket{{{labels},le="{bound}"}} {running}')
            lines.append(f'apiserver_request_duration_seconds_bucket{{{labels},le="+Inf"}} {count}')
            lines.append(f"apiserver_request_duration_seconds_sum{{{labels}}} {total:.6f}")
            lines.append(f"apiserver_request_duration_seconds_count{{{labels}}} {count}")
        lines += ["# HELP apiserver_registered_watchers Number of currently registered watchers for a given resources",
                  "# TYPE apiserver_registered_watchers gauge"]
        for res, count in sorted(self.watchers.items()):
            lines.append(f'apiserver_registered_watchers{{resource="{res}"}} {count}')
        lines += ["# HELP apiserver_storage_objects Number of stored objects at the time of last check split by kind.",
                  "# TYPE apiserver_storage_objects gauge"]
        for res, count in sorted(object_counts.items()):
            lines.append(f'apiserver_storage_objects{{resource="{res}"}} {count}')
        lines += ["# HELP process_resident_memory_bytes Resident memory size in bytes.",
                  "# TYPE process_resident_memory_bytes gauge",
                  f"process_resident_memory_bytes {_rss_bytes()}",
                  "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
                  "# TYPE process_cpu_seconds_total counter",
                  f"process_cpu_seconds_total {_cpu_seconds():.2f}"]
        return "\n".join(lines) + "\n"


def _rss_bytes() -> int:
    try:
        with open(f"/proc/{os.getpid()}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
