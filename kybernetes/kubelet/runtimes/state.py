# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""On-disk records of sandboxes and containers, so a restarted kubelet finds them.

Each record is a small JSON file replaced atomically (write a temporary file, rename),
so a kubelet killed half way leaves the old record or the new one. There is no fsync:
it would stall the event loop for milliseconds per write, and what a record describes
(processes, mounts, namespaces) does not survive the power loss it would guard against."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import orjson

from kybernetes.kubelet.cri import ContainerStatus, PortMapping, SandboxConfig


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(orjson.dumps(data, default=str))
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    try:
        with open(path, "rb") as f:
            return orjson.loads(f.read())
    except (OSError, ValueError):
        return None


def sandbox_config_to_json(config: SandboxConfig) -> dict:
    return orjson.loads(orjson.dumps(dataclasses.asdict(config), default=str))


def sandbox_config_from_json(data: dict) -> SandboxConfig:
    data = dict(data)
    for key in ("resolv_conf", "hosts_file", "hostname_file", "log_directory"):
        if data.get(key):
            data[key] = Path(data[key])
    data["port_mappings"] = [PortMapping(**pm) for pm in data.get("port_mappings", [])]
    known = {f.name for f in dataclasses.fields(SandboxConfig)}
    return SandboxConfig(**{k: v for k, v in data.items() if k in known})


def exit_reason(exit_code: int, oom_killed: bool) -> str:
    """The terminated state's reason as the kubelet reports it."""
    if oom_killed:
        return "OOMKilled"
    return "Completed" if exit_code == 0 else "Error"


def container_status(container_id: str, meta: dict, exit_record: dict | None,
                     running: bool, pid: int = 0) -> ContainerStatus:
    """Status from a container's record, its exit record and whether it runs. A
    started container that is neither running nor has an exit record ended while no
    kubelet watched: exited, ContainerStatusUnknown, 137, as upstream reports it."""
    status = ContainerStatus(
        id=container_id, name=meta["name"], sandbox_id=meta["sandbox_id"],
        state="created", attempt=meta.get("attempt", 0), pid=pid,
        created_at=meta.get("created_at", 0.0), started_at=meta.get("started_at"),
        image_id=meta.get("image_id", ""), image_ref=meta.get("image_ref", ""),
        log_path=Path(meta["log_path"]) if meta.get("log_path") else None)
    if exit_record is not None:
        status.state = "exited"
        status.pid = 0
        status.exit_code = exit_record["exit_code"]
        status.reason = exit_record.get("reason", "")
        status.message = exit_record.get("message", "")
        status.finished_at = exit_record.get("finished_at")
    elif running:
        status.state = "running" if meta.get("started_at") else "created"
    elif meta.get("started_at") or meta.get("lost"):
        status.state = "exited"
        status.pid = 0
        status.exit_code = 137
        status.reason = "ContainerStatusUnknown"
        status.message = "The container could not be located when the pod was terminated"
        status.finished_at = meta.get("lost_at") or meta.get("started_at")
    else:
        status.state = "created"
    return status
