# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the pod worker knows of one container of a pod across its restarts, and the
ContainerState (the kubelet's view, see runtimes/__init__.py) it reports."""
from __future__ import annotations

import asyncio
from pathlib import Path

from kybernetes.kubelet.cri import ContainerStatus
from kybernetes.kubelet.images.reference import InvalidReference, normalize
from kybernetes.kubelet.runtimes import ContainerState

INIT, SIDECAR, REGULAR = "init", "sidecar", "regular"


def normalized_image(image: str) -> str:
    """docker.io/library/nginx:latest for `nginx`, as runtimes report status.image."""
    try:
        return normalize(image)
    except InvalidReference:
        return image


class ContainerRecord:
    def __init__(self, spec: dict, kind: str) -> None:
        self.spec = spec
        self.name: str = spec["name"]
        self.kind = kind
        self.current: ContainerStatus | None = None  # the newest instance
        self.previous: ContainerStatus | None = None  # the one before, for lastState
        self.current_message = ""
        self.previous_message = ""
        self.attempts = 0  # instances created so far: the next one's attempt number
        self.waiting_reason = ""
        self.waiting_message = ""
        self.image_ref = ""
        self.image_id = ""
        self.ready = False
        self.started = False
        self.message_file: Path | None = None
        self.tasks: list[asyncio.Task] = []  # the exit waiter and the probe workers
        self.spec_changed = False  # a new image: kill and start again

    @property
    def running(self) -> bool:
        return self.current is not None and self.current.state in ("running", "created")

    @property
    def exited(self) -> bool:
        return self.current is not None and self.current.state in ("exited", "unknown")

    @property
    def succeeded(self) -> bool:
        return self.exited and self.current.exit_code == 0

    def cancel_tasks(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.tasks.clear()

    def _terminated(self, status: ContainerStatus, message: str, runtime: str) -> ContainerState:
        reason = status.reason or ("Completed" if status.exit_code == 0 else "Error")
        if status.state == "unknown":
            reason = status.reason or "ContainerStatusUnknown"
        return ContainerState(
            name=self.name, state="terminated", image=self.image_ref or normalized_image(self.spec.get("image", "")),
            image_id=self.image_id, container_id=f"{runtime}://{status.id}", reason=reason,
            message=message or status.message, exit_code=status.exit_code,
            started_at=status.started_at or status.created_at, finished_at=status.finished_at,
            restart_count=status.attempt, ready=self.kind == INIT and status.exit_code == 0)

    def state(self, runtime: str, default_waiting: str = "ContainerCreating") -> ContainerState:
        image = self.image_ref or normalized_image(self.spec.get("image", ""))
        current, previous = self.current, self.previous
        last = self._terminated(previous, self.previous_message, runtime) if previous is not None else None
        if current is None:
            return ContainerState(name=self.name, state="waiting", image=image, image_id=self.image_id,
                                  reason=self.waiting_reason or default_waiting,
                                  message=self.waiting_message if self.waiting_reason else "",
                                  restart_count=0, last_termination=None)
        if current.state == "running":
            return ContainerState(name=self.name, state="running", image=image, image_id=self.image_id,
                                  container_id=f"{runtime}://{current.id}", started_at=current.started_at,
                                  restart_count=current.attempt, ready=self.ready, started=self.started,
                                  last_termination=last)
        if current.state == "created":
            return ContainerState(name=self.name, state="waiting", image=image, image_id=self.image_id,
                                  container_id=f"{runtime}://{current.id}", reason="ContainerCreating",
                                  restart_count=current.attempt, last_termination=last)
        done = self._terminated(current, self.current_message, runtime)
        if self.waiting_reason:  # a restart is pending: waiting, with this run as lastState
            return ContainerState(name=self.name, state="waiting", image=image, image_id=self.image_id,
                                  reason=self.waiting_reason, message=self.waiting_message,
                                  restart_count=current.attempt, last_termination=done)
        done.last_termination = last
        return done
