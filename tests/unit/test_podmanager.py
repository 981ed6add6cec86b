# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The pod manager's worker logic over an in-memory CRI runtime: starting, restart
policies and CrashLoopBackOff, init containers, image pull failures, config errors,
probes, hooks, stopping, cleanup and re-adoption after a kubelet restart."""
from __future__ import annotations

import asyncio
import time

from kybernetes.kubelet.podmanager import PodManager
from kybernetes.kubelet.pods import build_pod_status
from tests.unit.podmanager_double import DoubleImages, DoubleRuntime, Events

TIMEOUT = 20.0


def make_pod(containers, *, name="p", uid="uid-1", policy="Always", init=None, **spec) -> dict:
    pod_spec = {"restartPolicy": policy, "containers": containers, "enableServiceLinks": False,
                "terminationGracePeriodSeconds": 1, **spec}
    if init:
        pod_spec["initContainers"] = init
    return {"metadata": {"name": name, "namespace": "ns", "uid": uid}, "spec": pod_spec,
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}


def container(name="c", argv=("run",), **extra) -> dict:
    return {"name": name, "image": "busybox", "command": list(argv), "imagePullPolicy": "IfNotPresent",
            **extra}


class Harness:
    def __init__(self, tmp_path, present=("busybox",)) -> None:
        layer = tmp_path / "layer"
        (layer / "etc").mkdir(parents=True, exist_ok=True)
        (layer / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nwww:x:33:34::/var/www:/bin/sh\n")
        self.cri = DoubleRuntime()
        self.images = DoubleImages(layer, present)
        self.events = Events()
        self.tmp_path = tmp_path
        self.changes: list[str] = []
        self.manager = self.new_manager()

    def new_manager(self) -> PodManager:
        manager = PodManager(self.cri, self.images, client=None, data_dir=self.tmp_path / "kubelet",
                             node_name="n1", recorder=self.events, log_root=self.tmp_path / "logs")
        manager.on_change = self.changes.append
        manager.host_ips = ["192.0.2.1"]
        return manager

    async def status(self, pod):
        return await self.manager.pod_status(pod)

    async def until(self, pod, predicate, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            status = await self.manager.pod_status(pod)
            if status is not None and predicate(status):
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; last status {status}")
            await asyncio.sleep(0.02)


def by_name(states):
    return {s.name: s for s in states}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def test_a_pod_runs_with_events_and_status(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container()])
        await h.manager.start_pod(pod)
        await h.manager.start_pod(pod)  # idempotent
        status = await h.until(pod, lambda s: s.containers[0].state == "running")
        state = status.containers[0]
        assert status.sandbox_ready and status.pod_ips == ["10.244.0.2"]
        assert state.container_id.startswith("double://") and state.ready and state.started
        assert state.image == "docker.io/library/busybox:latest"
        assert state.image_id == "docker.io/library/busybox@sha256:" + "b" * 64
        assert h.events.reasons() == ["Pulled", "Created", "Started"]
        assert h.events.seen[0][2] == 'Container image "busybox" already present on machine'
        assert "ns/p" in h.changes
        api = build_pod_status(pod, status, ["192.0.2.1"], time.time())
        assert api["phase"] == "Running" and api["podIP"] == "10.244.0.2"
        config = next(iter(h.cri.configs.values()))
        assert config.argv == ["run"] and ("PATH", "/bin") in config.env
        assert config.log_path == tmp_path / "logs" / "ns_p_uid-1" / "c" / "0.log"
        assert any(m.container_path == "/dev/termination-log" for m in config.mounts)
        assert config.labels["io.kubernetes.pod.uid"] == "uid-1"
        hosts = (tmp_path / "kubelet" / "pods" / "uid-1" / "etc-hosts").read_text()
        assert "10.244.0.2\tp\n" in hosts
        await h.manager.close()
    run(main())


def test_pulling_an_absent_image_reports_pulling_and_pulled(tmp_path):
    async def main():
        h = Harness(tmp_path, present=())
        pod = make_pod([container()])
        await h.manager.start_pod(pod)
        await h.until(pod, lambda s: s.containers[0].state == "running")
        assert h.events.reasons()[:2] == ["Pulling", "Pulled"]
        assert h.events.seen[1][2].startswith('Successfully pulled image "busybox" in ')
        assert h.events.seen[1][2].endswith("Image size: 1234 bytes.")
        await h.manager.close()
    run(main())


def test_crash_loop_back_off(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(argv=("exit", "3"))])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].reason == "CrashLoopBackOff")
        state = status.containers[0]
        assert state.state == "waiting" and state.restart_count == 1
        assert state.message == "back-off 10s restarting failed container=c pod=p_ns(uid-1)"
        last = state.last_termination
        assert last.state == "terminated" and last.exit_code == 3 and last.reason == "Error"
        assert [a for a in h.cri.log if a[0] == "start"] == [("start", "c"), ("start", "c")]
        assert "BackOff" in h.events.reasons()
        api = build_pod_status(pod, status, [], time.time())
        assert api["phase"] == "Running"
        assert api["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        await h.manager.close()
    run(main())


def test_never_and_on_failure_policies(tmp_path):
    async def main():
        h = Harness(tmp_path)
        done = make_pod([container(argv=("exit", "0"))], policy="Never")
        failed = make_pod([container(argv=("exit", "2"))], policy="Never", name="f", uid="uid-2")
        fine = make_pod([container(argv=("exit", "0"))], policy="OnFailure", name="o", uid="uid-3")
        for pod in (done, failed, fine):
            await h.manager.start_pod(pod)
        for pod, phase, reason in ((done, "Succeeded", "Completed"), (failed, "Failed", "Error"),
                                   (fine, "Succeeded", "Completed")):
            status = await h.until(pod, lambda s: s.containers[0].state == "terminated")
            assert status.containers[0].reason == reason
            assert build_pod_status(pod, status, [], time.time())["phase"] == phase
        await asyncio.sleep(0.1)
        assert sum(1 for action, _ in h.cri.log if action == "start") == 3  # none restarted
        await h.manager.close()
    run(main())


def test_init_containers_run_in_order_then_the_containers(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container("main")],
                       init=[container("first", ("exit-after", "0.05", "0")), container("second", ("exit", "0")),
                             container("side", ("run",), restartPolicy="Always")])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: by_name(s.containers)["main"].state == "running")
        starts = [name for action, name in h.cri.log if action == "start"]
        assert starts == ["first", "second", "side", "main"]
        init = by_name(status.init_containers)
        assert init["first"].state == "terminated" and init["first"].ready
        assert init["side"].state == "running"
        api = build_pod_status(pod, status, [], time.time())
        assert {c["type"]: c["status"] for c in api["conditions"]}["Initialized"] == "True"
        await h.manager.close()
    run(main())


def test_a_failing_init_container_with_never_fails_the_pod(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container("main")], policy="Never", init=[container("setup", ("exit", "1"))])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.init_containers[0].state == "terminated")
        assert status.containers[0].state == "waiting" and status.containers[0].reason == "PodInitializing"
        api = build_pod_status(pod, status, [], time.time())
        assert api["phase"] == "Failed"
        assert api["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Error"
        assert ("start", "main") not in h.cri.log
        await h.manager.close()
    run(main())


def test_waiting_init_container_keeps_the_pod_pending(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container("main")], init=[container("setup", ("run",))])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.init_containers[0].state == "running")
        api = build_pod_status(pod, status, [], time.time())
        assert api["phase"] == "Pending"
        assert api["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
        await h.manager.close()
    run(main())


def test_image_pull_failure_then_back_off(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([{"name": "c", "image": "nope:1", "imagePullPolicy": "IfNotPresent"}])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].reason == "ErrImagePull")
        assert "not found" in status.containers[0].message
        assert ("Warning", "Failed", 'Failed to pull image "nope:1": failed to pull and unpack image '
                                     '"docker.io/library/nope:1": not found') in h.events.seen
        assert ("Warning", "Failed", "Error: ErrImagePull") in h.events.seen
        h.manager.workers["uid-1"].wake.set()  # a sync inside the back-off window
        status = await h.until(pod, lambda s: s.containers[0].reason == "ImagePullBackOff")
        assert status.containers[0].message == 'Back-off pulling image "nope:1"'
        assert ("Normal", "BackOff", 'Back-off pulling image "nope:1"') in h.events.seen
        assert h.images.pulls == ["nope:1"]
        await h.manager.close()
    run(main())


def test_never_pull_policy_without_the_image(tmp_path):
    async def main():
        h = Harness(tmp_path, present=())
        pod = make_pod([{"name": "c", "image": "busybox", "imagePullPolicy": "Never"}])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].reason == "ErrImageNeverPull")
        assert status.containers[0].message == 'Container image "busybox" is not present with pull policy of Never'
        await h.manager.close()
    run(main())


def test_missing_config_map_is_a_config_error(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(env=[{"name": "X", "valueFrom": {
            "configMapKeyRef": {"name": "settings", "key": "k"}}}])])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].reason == "CreateContainerConfigError")
        assert status.containers[0].message == 'configmap "settings" not found'
        assert ("Warning", "Failed", 'Error: configmap "settings" not found') in h.events.seen
        await h.manager.close()
    run(main())


def test_run_as_non_root_is_checked(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(securityContext={"runAsNonRoot": True})])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].reason == "CreateContainerConfigError")
        assert status.containers[0].message.startswith("container has runAsNonRoot and image will run as root")
        await h.manager.close()
    run(main())


def test_create_container_error(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(argv=("missing-binary",))])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].reason == "CreateContainerError")
        assert "executable file not found" in status.containers[0].message
        await h.manager.close()
    run(main())


def test_sandbox_error_is_reported_and_retried(tmp_path):
    async def main():
        h = Harness(tmp_path)
        h.cri.sandbox_failures = 1
        pod = make_pod([container()])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: bool(s.sandbox_error))
        assert status.sandbox_error == ("Failed to create pod sandbox: no IP addresses available in "
                                        "range set: 10.244.0.0/30")
        assert not status.sandbox_ready
        status = await h.until(pod, lambda s: s.containers[0].state == "running")
        assert status.sandbox_error == ""
        await h.manager.close()
    run(main())


def test_readiness_and_liveness_probes(tmp_path):
    async def main():
        h = Harness(tmp_path)
        ready = {"exec": {"command": ["true"]}, "periodSeconds": 0.05}
        unready = {"exec": {"command": ["false"]}, "periodSeconds": 0.05, "failureThreshold": 1}
        pod = make_pod([container("good", readinessProbe=ready), container("bad", readinessProbe=unready),
                        container("dying", livenessProbe=unready)])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: by_name(s.containers)["good"].ready)
        assert not by_name(status.containers)["bad"].ready
        api = build_pod_status(pod, status, [], time.time())
        ready_condition = next(c for c in api["conditions"] if c["type"] == "Ready")
        assert ready_condition["status"] == "False"
        assert "unready status: [bad" in ready_condition["message"]
        status = await h.until(pod, lambda s: by_name(s.containers)["dying"].restart_count >= 1)
        assert ("Warning", "Unhealthy", "Liveness probe failed: failed\n") in h.events.seen
        assert ("Normal", "Killing", "Container dying failed liveness probe, will be restarted") in h.events.seen
        assert ("Warning", "Unhealthy", "Readiness probe failed: failed\n") in h.events.seen
        await h.manager.close()
    run(main())


def test_startup_probe_gates_readiness(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(startupProbe={"exec": {"command": ["hang"]}, "timeoutSeconds": 30,
                                                "periodSeconds": 0.05})])
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].state == "running")
        await asyncio.sleep(0.2)
        status = await h.status(pod)
        assert not status.containers[0].started and not status.containers[0].ready
        await h.manager.close()
    run(main())


def test_failed_post_start_hook_kills_the_container(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(lifecycle={"postStart": {"exec": {"command": ["false"]}}})], policy="Never")
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].state == "terminated")
        assert "FailedPostStartHook" in h.events.reasons()
        assert status.containers[0].exit_code != 0
        await h.manager.close()
    run(main())


def test_stop_runs_pre_stop_then_stops_everything_and_cleanup_removes_it(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container("a", lifecycle={"preStop": {"exec": {"command": ["false"]}}}), container("b")],
                       volumes=[{"name": "scratch", "emptyDir": {}}])
        await h.manager.start_pod(pod)
        await h.until(pod, lambda s: all(c.state == "running" for c in s.containers))
        await h.manager.stop_pod(pod, 1)
        status = await h.status(pod)
        assert all(c.state == "terminated" for c in status.containers) and not status.sandbox_ready
        assert "FailedPreStopHook" in h.events.reasons()
        api = build_pod_status(pod, status, [], time.time(), stopping=True)
        assert api["phase"] == "Failed"  # killed by SIGTERM: exit 143
        pod_dir = tmp_path / "kubelet" / "pods" / "uid-1"
        assert (pod_dir / "volumes" / "kubernetes.io~empty-dir" / "scratch").is_dir()
        await h.manager.cleanup("uid-1")
        assert await h.status(pod) is None
        assert not h.cri.sandboxes and not h.cri.containers
        assert not pod_dir.exists() and not (tmp_path / "logs" / "ns_p_uid-1").exists()
        await h.manager.close()
    run(main())


def test_a_restarted_kubelet_adopts_running_containers(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container()])
        await h.manager.start_pod(pod)
        first = await h.until(pod, lambda s: s.containers[0].state == "running")
        await h.manager.close()
        h.manager = h.new_manager()  # a new kubelet, same runtime state
        await h.manager.start_pod(pod)
        status = await h.until(pod, lambda s: s.containers[0].state == "running")
        assert status.containers[0].container_id == first.containers[0].container_id
        assert sum(1 for action, _ in h.cri.log if action == "create") == 1
        assert sum(1 for action, _ in h.cri.log if action == "run_sandbox") == 1
        # the adopted container is still watched: its exit is seen and it restarts
        cid = status.containers[0].container_id.split("://")[1]
        h.cri._exit(cid, 1)
        status = await h.until(pod, lambda s: s.containers[0].restart_count == 1
                               and s.containers[0].state == "running")
        assert status.containers[0].last_termination.exit_code == 1
        await h.manager.close()
    run(main())


def test_log_path_current_and_previous(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(argv=("exit", "1"))])
        await h.manager.start_pod(pod)
        await h.until(pod, lambda s: s.containers[0].reason == "CrashLoopBackOff")
        for attempt in (0, 1):
            path = tmp_path / "logs" / "ns_p_uid-1" / "c" / f"{attempt}.log"
            path.write_text(f"2026-01-01T00:00:00.000000000Z stdout F run {attempt}\n")
        assert h.manager.log_path(pod, "c").name == "1.log"
        assert h.manager.log_path(pod, "c", previous=True).name == "1.log"
        assert h.manager.log_path(pod, "nope") is None
        await h.manager.close()
    run(main())


def test_termination_message_fallback_to_logs(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container(argv=("exit-after", "0.1", "1"),
                                  terminationMessagePolicy="FallbackToLogsOnError")], policy="Never")
        await h.manager.start_pod(pod)
        await h.until(pod, lambda s: s.containers[0].state == "running")
        path = tmp_path / "logs" / "ns_p_uid-1" / "c" / "0.log"
        path.write_text("2026-01-01T00:00:00Z stderr P par\n2026-01-01T00:00:00Z stderr F tial\n"
                        "2026-01-01T00:00:00Z stdout F boom\n")
        status = await h.until(pod, lambda s: s.containers[0].state == "terminated")
        assert status.containers[0].message == "partial\nboom\n"
        await h.manager.close()
    run(main())


def test_sandboxes_of_pods_deleted_while_the_kubelet_was_down_are_removed(tmp_path, monkeypatch):
    import kybernetes.kubelet.podmanager as podmanager
    monkeypatch.setattr(podmanager, "ORPHAN_GRACE", 0.05)

    async def main():
        h = Harness(tmp_path)
        kept, gone = make_pod([container()]), make_pod([container()], name="gone", uid="uid-gone")
        for pod in (kept, gone):
            await h.manager.start_pod(pod)
            await h.until(pod, lambda s: s.containers[0].state == "running")
        await h.manager.close()
        h.manager = h.new_manager()
        # the kubelet's first sync of the pod that still exists: its final status is visible
        status = await h.manager.pod_status(kept)
        assert status is not None and status.containers[0].state == "running"
        await h.manager.start_pod(kept)
        deadline = time.monotonic() + TIMEOUT
        while any(s.config.uid == "uid-gone" for s in h.cri.sandboxes.values()):
            assert time.monotonic() < deadline, "the orphan sandbox was not removed"
            await asyncio.sleep(0.02)
        assert [s.config.uid for s in h.cri.sandboxes.values()] == ["uid-1"]
        assert {c.name for c in h.cri.containers.values()} == {"c"} and len(h.cri.containers) == 1
        await h.manager.close()
    run(main())


def test_a_new_image_restarts_the_container(tmp_path):
    async def main():
        h = Harness(tmp_path, present=("busybox", "nginx"))
        pod = make_pod([container()], policy="Never")
        await h.manager.start_pod(pod)
        first = await h.until(pod, lambda s: s.containers[0].state == "running")
        changed = make_pod([{**container(), "image": "nginx"}], policy="Never")
        await h.manager.start_pod(changed)
        status = await h.until(changed, lambda s: s.containers[0].state == "running"
                               and s.containers[0].container_id != first.containers[0].container_id)
        assert status.containers[0].image == "docker.io/library/nginx:latest"
        assert status.containers[0].restart_count == 1
        assert ("Normal", "Killing", "Container c definition changed, will be restarted") in h.events.seen
        await h.manager.close()
    run(main())


def test_a_dead_sandbox_is_replaced_and_its_containers_restarted(tmp_path):
    async def main():
        h = Harness(tmp_path)
        pod = make_pod([container()])
        await h.manager.start_pod(pod)
        first = await h.until(pod, lambda s: s.containers[0].state == "running")
        old_sandbox = h.manager.workers["uid-1"].sandbox.id
        h.cri.sandboxes[old_sandbox].state = "notready"  # its holder process died
        await h.manager.start_pod(pod)  # the next sync notices
        status = await h.until(pod, lambda s: s.containers[0].state == "running"
                               and s.containers[0].restart_count == 1)
        assert status.pod_ips != first.pod_ips and status.sandbox_ready
        assert ("Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.") \
            in h.events.seen
        assert sum(1 for action, _ in h.cri.log if action == "run_sandbox") == 2
        await h.manager.close()
    run(main())
