# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Hand-built nodes and pods for the scheduler's unit tests."""
from __future__ import annotations

import itertools

_uids = itertools.count()


def make_node(name: str, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
              labels: dict | None = None, taints: list | None = None, **spec) -> dict:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": taints or [], **spec},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}}


def make_pod(name: str = "", cpu: str | None = "100m", memory: str | None = None,
             namespace: str = "default", labels: dict | None = None, node: str = "",
             priority: int = 0, **spec) -> dict:
    requests = {}
    if cpu:
        requests["cpu"] = cpu
    if memory:
        requests["memory"] = memory
    uid = f"uid-{next(_uids)}"
    pod = {"metadata": {"name": name or uid, "namespace": namespace, "uid": uid,
                        "labels": labels or {}},
           "spec": {"containers": [{"name": "c", "resources": {"requests": requests}}],
                    "priority": priority, **spec},
           "status": {}}
    if node:
        pod["spec"]["nodeName"] = node
    return pod
