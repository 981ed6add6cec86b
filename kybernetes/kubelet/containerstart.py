# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Starting one container of a pod, as kuberuntime's startContainer does: the image
(policy, pull, back-off, events), the config (argv, env, user, mounts, resources),
create and start, the postStart hook, then its probes."""
from __future__ import annotations

import asyncio
import inspect
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kybernetes.kubelet.command import container_argv
from kybernetes.kubelet.containerconfig import (ConfigError, additional_gids, container_resources,
                                                effective_user, qos_class)
from kybernetes.kubelet.containerlogs import tail_log, termination_message
from kybernetes.kubelet.containerrecord import REGULAR, SIDECAR, ContainerRecord
from kybernetes.kubelet.cri import ContainerConfig, ContainerError, ContainerStatus, Mount
from kybernetes.kubelet.env import (EnvError, EnvSources, container_env, merge_image_env,
                                    referenced_objects)
from kybernetes.kubelet.images import ImageInfo, ImagePullError
from kybernetes.kubelet.lifecycle import exec_to_completion, run_hook
from kybernetes.kubelet.probes import ProbeCounter, ProbeSettings, run_probe
from kybernetes.kubelet.sysctls import kernel_release, sysctl_rejection
from kybernetes.kubelet.volumes import container_mounts

if TYPE_CHECKING:
    from kybernetes.kubelet.podworker import PodWorker

log = logging.getLogger("kybernetes.kubelet.pods")
PULL_RETRY_FLOOR = 1.0


def go_duration(seconds: float) -> str:
    """A duration as Go's time.Duration prints it (1.234s, 523ms)."""
    if seconds < 1:
        return f"{seconds * 1000:.3f}".rstrip("0").rstrip(".") + "ms"
    if seconds < 60:
        return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m" + f"{rest:.3f}".rstrip("0").rstrip(".") + "s"


def pull_policy(container: dict) -> str:
    policy = container.get("imagePullPolicy")
    if policy:
        return policy
    image = container.get("image", "")
    last = image.rsplit("/", 1)[-1]
    return "Always" if "@" not in image and (":" not in last or last.endswith(":latest")) else "IfNotPresent"


async def _maybe_await(value):
    return await value if inspect.isawaitable(value) else value


class ContainerStarter:
    def __init__(self, manager) -> None:
        self.manager = manager

    # ---------------------------------------------------------------- images
    async def _pull_secrets(self, pod: dict) -> list[dict]:
        from kybernetes.client.rest import resource
        namespace = pod["metadata"].get("namespace", "default")
        found = []
        if self.manager.client is None:
            return found
        for ref in (pod.get("spec") or {}).get("imagePullSecrets") or []:
            try:
                secret = await self.manager.client.get_or_none(resource("secrets"), ref.get("name", ""), namespace)
            except Exception as exc:  # a missing secret is not an error upstream either
                log.warning("reading pull secret %s: %s", ref.get("name"), exc)
                secret = None
            if secret is not None:
                found.append(secret)
        return found

    async def image(self, worker: "PodWorker", record: ContainerRecord) -> ImageInfo | float:
        images = self.manager.images
        image = record.spec.get("image", "")
        policy = pull_policy(record.spec)
        key = image
        now = time.time()
        wait = worker.pull_backoff.remaining(key, now)
        if wait > 0:
            message = f'Back-off pulling image "{image}"'
            if record.waiting_reason != "ImagePullBackOff":
                worker.event("Normal", "BackOff", message)
                worker.event("Warning", "Failed", "Error: ImagePullBackOff")
            record.waiting_reason, record.waiting_message = "ImagePullBackOff", message
            return wait
        present = None
        if policy != "Always":
            try:
                present = await _maybe_await(images.lookup(image))
            except Exception:  # an invalid reference: ensure() reports it
                present = None
        if present is not None:
            worker.event("Normal", "Pulled", f'Container image "{image}" already present on machine')
            return present
        if policy == "Never":
            message = f'Container image "{image}" is not present with pull policy of Never'
            worker.event("Warning", "ErrImageNeverPull", message)
            record.waiting_reason, record.waiting_message = "ErrImageNeverPull", message
            return 10.0
        worker.event("Normal", "Pulling", f'Pulling image "{image}"')
        started = time.monotonic()
        try:
            secrets = await self._pull_secrets(worker.pod)
            info = await images.ensure(image, policy, secrets)
        except ImagePullError as exc:
            delay = worker.pull_backoff.next(key, time.time())
            worker.event("Warning", "Failed", f'Failed to pull image "{image}": {exc.message}')
            worker.event("Warning", "Failed", f"Error: {exc.reason or 'ErrImagePull'}")
            record.waiting_reason = exc.reason or "ErrImagePull"
            record.waiting_message = exc.message
            return delay
        worker.pull_backoff.reset(key)
        took = go_duration(time.monotonic() - started)
        worker.event("Normal", "Pulled", f'Successfully pulled image "{image}" in {took} ({took} including '
                                         f'waiting). Image size: {info.size} bytes.')
        return info

    # ---------------------------------------------------------------- config
    async def env_sources(self, worker: "PodWorker", containers: list[dict]) -> EnvSources:
        from kybernetes.client.rest import resource
        client, pod = self.manager.client, worker.pod
        namespace = pod["metadata"].get("namespace", "default")
        config_maps, secret_names = referenced_objects(pod, containers)
        sources = EnvSources(node_allocatable=dict(self.manager.allocatable),
                             pod_ips=worker._pod_ips(), host_ips=list(self.manager.host_ips))
        if client is None:  # no API server (unit tests): nothing to read
            return sources
        for name in config_maps:
            sources.config_maps[name] = await client.get_or_none(resource("configmaps"), name, namespace)
        for name in secret_names:
            sources.secrets[name] = await client.get_or_none(resource("secrets"), name, namespace)
        services = resource("services")
        lister = self.manager.service_lister()
        try:
            service_links = (pod.get("spec") or {}).get("enableServiceLinks", True) is not False
            if lister is not None:  # no API round trip per container, as upstream
                sources.services = lister.list(namespace) if service_links else []
                master = lister.get_by("default", "kubernetes")
            else:  # until the lister has listed once
                if service_links:
                    sources.services, _ = await client.list(services, namespace)
                master = await client.get_or_none(services, "kubernetes", "default")
        except Exception:
            from kybernetes.kubelet.staticpods import is_static_pod
            if not is_static_pod(pod):
                raise
            return sources  # as upstream: a static pod starts with the services known, none offline
        sources.master_services = [master] if master is not None else []
        if namespace == "default" and sources.services:
            sources.master_services = [s for s in sources.services if s["metadata"]["name"] == "kubernetes"]
        return sources

    async def build_config(self, worker: "PodWorker", record: ContainerRecord, info: ImageInfo) -> ContainerConfig:
        pod, spec = worker.pod, record.spec
        sources = await self.env_sources(worker, [spec])
        resolved = container_env(pod, spec, sources)
        for kind, ref, keys in resolved.invalid_keys:
            worker.event("Warning", "InvalidEnvironmentVariableNames",
                         f"Keys [{', '.join(keys)}] from the EnvFrom {kind} {ref} were skipped since "
                         f"they are considered invalid environment variable names.")
        pod_env = dict(resolved.env)
        image_config = info.config or {}
        argv = container_argv(image_config, spec.get("command"), spec.get("args"), pod_env)
        if not argv:
            raise ConfigError("failed to create containerd container: no command specified",
                              reason="CreateContainerError")
        uid, gid, groups, security = effective_user(pod, spec, image_config, info.layers)
        # the kubelet's admission refuses such a pod first; this keeps a forbidden sysctl
        # off the node whatever path the pod took here
        rejection = sysctl_rejection(pod, self.manager.allowed_unsafe_sysctls,
                                     kernel_release(os.uname().release))
        if rejection is not None:
            raise ConfigError(rejection[1].removeprefix("Pod was rejected: "))
        groups = additional_gids(uid, gid, groups, info.layers)
        try:
            mounts = container_mounts(spec, worker.volumes, (pod.get("spec") or {}).get("volumes") or [],
                                      pod_env)
        except (ValueError, OSError) as exc:
            raise ConfigError(str(exc)) from None
        attempt = record.attempts
        message_path = spec.get("terminationMessagePath") or "/dev/termination-log"
        from kybernetes.kubelet.podworker import new_message_file
        record.message_file = new_message_file(worker.pod_dir, record.name)
        mounts.append(Mount(host_path=record.message_file, container_path=message_path, is_file=True))
        log_dir = self.manager.pod_log_dir(pod) / record.name
        log_dir.mkdir(parents=True, exist_ok=True)
        meta = pod["metadata"]
        config = ContainerConfig(
            name=record.name, attempt=attempt, image_id=info.id, image_ref=info.ref,
            rootfs_layers=list(info.layers), argv=argv,
            env=merge_image_env(image_config.get("Env") or [], resolved.env),
            working_dir=spec.get("workingDir") or image_config.get("WorkingDir") or "/",
            uid=uid, gid=gid, supplemental_groups=groups, mounts=mounts,
            resources=container_resources(spec, qos_class(pod), self.manager.memory_capacity),
            tty=bool(spec.get("tty")), stdin=bool(spec.get("stdin")), stdin_once=bool(spec.get("stdinOnce")),
            privileged=security["privileged"], capabilities_add=security["capabilities_add"],
            capabilities_drop=security["capabilities_drop"], readonly_rootfs=security["readonly_rootfs"],
            no_new_privileges=security["no_new_privileges"],
            log_path=log_dir / f"{attempt}.log",
            labels={"io.kubernetes.pod.uid": meta["uid"], "io.kubernetes.pod.name": meta["name"],
                    "io.kubernetes.pod.namespace": meta.get("namespace", "default"),
                    "io.kubernetes.container.name": record.name,
                    "io.kubernetes.container.restartCount": str(attempt)},
            proc_mount=security["proc_mount"], sysctls=security["sysctls"])
        config.seccomp = self.seccomp(config, security["seccomp_profile"])
        return config

    def seccomp(self, config: ContainerConfig, profile: dict | None) -> dict | None:
        """linux.seccomp for the container (RuntimeDefault, Localhost from
        <kubelet root>/seccomp, or none), given the capabilities it will have."""
        from kybernetes.kubelet.runtimes import oci, seccomp
        profile = seccomp.effective_profile(None, profile,
                                            self.manager.seccomp_default)
        try:
            caps = oci.capabilities(config, getattr(self.manager.cri, "host_capabilities", None))
            return seccomp.oci_seccomp(profile, caps, config.privileged,
                                       Path(self.manager.data_dir) / "seccomp")
        except seccomp.SeccompProfileError as exc:
            raise ConfigError(f"failed to create containerd container: {exc}",
                              reason="CreateContainerError") from None

    def termination_message(self, record: ContainerRecord, status: ContainerStatus) -> str:
        message = termination_message(record.message_file)
        policy = record.spec.get("terminationMessagePolicy") or "File"
        if not message and policy == "FallbackToLogsOnError" and status.exit_code != 0:
            message = tail_log(status.log_path)
        return message

    # ---------------------------------------------------------------- start
    async def start(self, worker: "PodWorker", record: ContainerRecord) -> float | None:
        """Start a new instance of `record`; None when started, else seconds to wait."""
        cri = self.manager.cri
        info = await self.image(worker, record)
        if not isinstance(info, ImageInfo):
            return info
        record.image_ref = info.ref
        record.image_id = info.repo_digest or info.id
        try:
            config = await self.build_config(worker, record, info)
        except (EnvError, ConfigError) as exc:
            reason = getattr(exc, "reason", "CreateContainerConfigError")
            record.waiting_reason, record.waiting_message = reason, str(exc)
            worker.event("Warning", "Failed", f"Error: {exc}")
            return 5.0
        try:
            container_id = await cri.create_container(worker.sandbox.id, config)
        except ContainerError as exc:
            record.waiting_reason, record.waiting_message = exc.reason or "CreateContainerError", exc.message
            worker.event("Warning", "Failed", f"Error: {exc.message}")
            return worker.crash_backoff.next(f"create/{record.name}", time.time())
        record.attempts += 1
        older = record.previous
        if record.current is not None:
            record.previous, record.previous_message = record.current, record.current_message
        record.current = await cri.container_status(container_id) or ContainerStatus(
            id=container_id, name=record.name, sandbox_id=worker.sandbox.id, state="created",
            attempt=config.attempt, log_path=config.log_path)
        record.current_message = ""
        record.cancel_tasks()
        if older is not None:  # keep one dead instance (for --previous), as upstream's GC does
            try:
                await cri.remove_container(older.id)
            except Exception as exc:
                log.debug("removing old container %s: %s", older.id, exc)
        worker.event("Normal", "Created", f"Created container {record.name}")
        try:
            await cri.start_container(container_id)
        except ContainerError as exc:
            worker.event("Warning", "Failed", f"Error: {exc.message}")
            status = await cri.container_status(container_id)
            record.current = status or record.current
            if record.current.state in ("created", "running"):
                record.current.state = "exited"
            record.current.exit_code = record.current.exit_code or 128
            record.current.reason = "StartError"
            record.current.finished_at = record.current.finished_at or time.time()
            record.current_message = exc.message
            record.waiting_reason = ""
            return None
        record.waiting_reason = record.waiting_message = ""
        record.current = await cri.container_status(container_id) or record.current
        probes = record.spec
        record.started = not probes.get("startupProbe")
        record.ready = record.started and not probes.get("readinessProbe")
        if record.kind not in (REGULAR, SIDECAR):
            record.ready = False
        worker.event("Normal", "Started", f"Started container {record.name}")
        worker.watch_exit(record, container_id)
        post_start = (record.spec.get("lifecycle") or {}).get("postStart")
        if post_start:
            failure = await run_hook("PostStart", post_start, runtime=cri, container_id=container_id,
                                     container=record.spec, pod=worker.pod, pod_ip=worker.pod_ip,
                                     timeout=self.grace(worker.pod))
            if failure is not None:
                worker.event("Warning", "FailedPostStartHook", failure)
                await worker.kill_container(record, self.grace(worker.pod),
                                            f"Container {record.name} failed post start hook")
                return None
        self.start_probes(worker, record, container_id)
        return None

    @staticmethod
    def grace(pod: dict) -> float:
        value = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
        return float(30 if value is None else value)

    # ---------------------------------------------------------------- probes
    def start_probes(self, worker: "PodWorker", record: ContainerRecord, container_id: str) -> None:
        loop = asyncio.get_running_loop()
        for kind in ("startup", "liveness", "readiness"):
            probe = record.spec.get(f"{kind}Probe")
            if probe and (record.kind != "init"):
                record.tasks.append(loop.create_task(
                    self.probe_loop(worker, record, container_id, kind, probe),
                    name=f"probe-{kind}-{worker.key}-{record.name}"))

    async def probe_loop(self, worker: "PodWorker", record: ContainerRecord, container_id: str,
                         kind: str, probe: dict) -> None:
        settings = ProbeSettings.from_spec(probe)
        counter = ProbeCounter(kind, settings)
        cri = self.manager.cri

        async def run_exec(argv: list[str], timeout: float) -> tuple[int, str]:
            return await exec_to_completion(cri, container_id, argv, timeout)

        await asyncio.sleep(settings.initial_delay)
        title = kind.capitalize()
        while record.current is not None and record.current.id == container_id and record.running:
            if kind != "startup" and not record.started:
                await asyncio.sleep(min(settings.period, 1.0))
                continue
            ok, message = await run_probe(probe, record.spec, worker.pod_ip, run_exec)
            if not (record.current is not None and record.current.id == container_id and record.running):
                return
            if not ok:
                worker.event("Warning", "Unhealthy", f"{title} probe failed: {message}")
            counter.record(ok)
            if kind == "readiness":
                if record.ready != counter.result:
                    record.ready = counter.result
                    worker.notify()
            elif kind == "startup":
                if counter.result:
                    record.started = True
                    record.ready = not record.spec.get("readinessProbe")
                    worker.notify()
                    worker.wake.set()
                    return
                if counter.failed:
                    await self._restart(worker, record, probe, "startup")
                    return
            elif not counter.result:
                await self._restart(worker, record, probe, "liveness")
                return
            await asyncio.sleep(settings.period)

    async def _restart(self, worker: "PodWorker", record: ContainerRecord, probe: dict, kind: str) -> None:
        grace = probe.get("terminationGracePeriodSeconds")
        grace = float(grace) if grace is not None else self.grace(worker.pod)
        # kill_container is awaited from this probe task: detach it from the record so
        # the restart that follows does not cancel the kill half way
        task = asyncio.current_task()
        if task in record.tasks:
            record.tasks.remove(task)
        await worker.kill_container(record, grace, f"Container {record.name} failed {kind} probe, "
                                                   f"will be restarted")
        worker.wake.set()
        worker.notify()
