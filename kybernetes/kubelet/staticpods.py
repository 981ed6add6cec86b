# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Static pods: pods the kubelet reads from files (`--pod-manifest-path`, the config
file's `staticPodPath`) and runs without the API server, and their mirror pods, the
read-only copies it keeps in the API so that `kubectl get pods` shows them.

The pure part turns a manifest into the pod upstream's file source makes of it (name
suffixed with the node, a UID hashed from the content, node and file, the config
annotations, the NoExecute toleration) and builds the mirror. `StaticPods` does the I/O:
rescans the directory every `--file-check-frequency`, runs what it finds through the
kubelet's runtime, and keeps each mirror present, current and carrying the status.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import yaml

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.workqueue import WorkQueue, run_workers

if TYPE_CHECKING:
    from kybernetes.kubelet.kubelet import Kubelet

log = logging.getLogger("kybernetes.kubelet.staticpods")

CONFIG_SOURCE = "kubernetes.io/config.source"
CONFIG_HASH = "kubernetes.io/config.hash"
CONFIG_SEEN = "kubernetes.io/config.seen"
CONFIG_MIRROR = "kubernetes.io/config.mirror"
FILE_SOURCE = "file"
FILE_CHECK_FREQUENCY = 20.0  # upstream's fileCheckFrequency
MIRROR_RETRY = 5.0  # seconds before another try when the API server did not answer
TERMINAL_PHASES = ("Succeeded", "Failed")


class ManifestError(ValueError):
    """A manifest that does not hold a valid pod."""


# ---------------------------------------------------------------- pure: manifests to pods
def rfc3339_nano(seconds: float) -> str:
    """As Go prints time.Now() for config.seen: nanoseconds, UTC offset spelled out."""
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def pod_uid(decoded: dict, node_name: str, source: str) -> str:
    """Upstream's applyDefaults: an md5 of the decoded pod, then of "host:<node>" and
    "file:<path>", so the same manifest on the same node keeps its UID across restarts."""
    hasher = hashlib.md5(orjson.dumps(decoded, option=orjson.OPT_SORT_KEYS))
    hasher.update(f"host:{node_name}".encode())
    hasher.update(f"file:{source}".encode())
    return hasher.hexdigest()


def static_pod_name(name: str, node_name: str) -> str:
    return f"{name}-{node_name.lower()}"


def decode_manifest(data: bytes) -> dict:
    """The one Pod a manifest holds (YAML or JSON), defaulted as the API would."""
    from kybernetes.api.defaults import apply_defaults
    try:
        documents = [d for d in yaml.safe_load_all(data) if d is not None]
    except yaml.YAMLError as exc:
        raise ManifestError(f"could not parse: {exc}".replace("\n", " ")) from None
    if len(documents) != 1:
        raise ManifestError(f"a manifest holds exactly one pod, found {len(documents)} documents")
    pod = documents[0]
    if not isinstance(pod, dict):
        raise ManifestError("invalid pod: not an object")
    if pod.get("apiVersion") != "v1" or pod.get("kind") != "Pod":
        raise ManifestError(f'invalid pod: want apiVersion "v1" and kind "Pod", got apiVersion '
                            f'"{pod.get("apiVersion", "")}", kind "{pod.get("kind", "")}"')
    apply_defaults("", "v1", "Pod", pod)
    return pod


def static_pod(data: bytes, source: str, node_name: str, seen: float) -> dict:
    """The pod the file source makes of manifest `data` read from `source` (its path).
    Raises ManifestError naming what is wrong."""
    from kybernetes.api.validation import validate
    from kybernetes.api.validation.errors import aggregate_text
    from kybernetes.kubelet.containerconfig import qos_class
    pod = decode_manifest(data)
    meta = pod.setdefault("metadata", {})
    uid = meta.get("uid") or pod_uid(pod, node_name, source)
    meta["uid"] = uid
    if meta.get("name"):
        meta["name"] = static_pod_name(meta["name"], node_name)
    meta["namespace"] = meta.get("namespace") or "default"
    spec = pod.setdefault("spec", {})
    spec["nodeName"] = node_name
    annotations = meta.setdefault("annotations", {})
    annotations[CONFIG_HASH] = uid
    annotations[CONFIG_SOURCE] = FILE_SOURCE
    annotations[CONFIG_SEEN] = rfc3339_nano(seen)
    tolerate_no_execute(spec)
    causes = validate("", "v1", "Pod", pod)
    if causes:
        raise ManifestError(f"invalid pod: {aggregate_text(causes)}")
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(pod)}
    return pod


def tolerate_no_execute(spec: dict) -> None:
    """Static pods tolerate every NoExecute taint, so node problems never evict them."""
    wanted = {"operator": "Exists", "effect": "NoExecute"}
    tolerations = spec.setdefault("tolerations", [])
    for toleration in tolerations:
        if (not toleration.get("key") and toleration.get("operator") == "Exists"
                and toleration.get("effect") == "NoExecute"):
            toleration.clear()
            toleration.update(wanted)
            return
    tolerations.append(wanted)


def config_hash(pod: dict) -> str:
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(CONFIG_HASH, "")


def is_mirror_pod(pod: dict) -> bool:
    return CONFIG_MIRROR in ((pod.get("metadata") or {}).get("annotations") or {})


def is_static_pod(pod: dict) -> bool:
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(CONFIG_SOURCE) == FILE_SOURCE


def mirror_is_current(mirror: dict, pod: dict) -> bool:
    """Whether `mirror` mirrors this version of the static pod and is not being deleted."""
    annotations = (mirror.get("metadata") or {}).get("annotations") or {}
    return (annotations.get(CONFIG_MIRROR) == config_hash(pod)
            and not mirror["metadata"].get("deletionTimestamp"))


def mirror_pod(pod: dict, node_name: str, node_uid: str) -> dict:
    """The body of the mirror pod of static pod `pod`, owned by its Node."""
    mirror = {"apiVersion": "v1", "kind": "Pod", "metadata": copy.deepcopy(pod["metadata"]),
              "spec": copy.deepcopy(pod["spec"])}
    meta = mirror["metadata"]
    for transient in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"):
        meta.pop(transient, None)
    meta["annotations"][CONFIG_MIRROR] = config_hash(pod)
    meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": node_name,
                                "uid": node_uid, "controller": True}]
    return mirror


def object_key(pod: dict) -> str:
    meta = pod["metadata"]
    return f"{meta.get('namespace') or 'default'}/{meta['name']}"


@dataclass
class ScanResult:
    pods: dict[str, dict] = field(default_factory=dict)  # key -> pod
    errors: dict[str, str] = field(default_factory=dict)  # file -> why it was skipped


def manifest_paths(path: Path) -> list[Path]:
    """The files upstream's file source reads: `path` itself when it is a file, else the
    regular files in it (not recursing) whose names do not start with a dot."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found = []
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            log.debug("not recursing into manifest path %s", entry)
        elif entry.is_file():
            found.append(entry)
    return found


def scan(path: Path, node_name: str, now: float,
         previous: dict[str, tuple[bytes, dict]] | None = None) -> tuple[ScanResult, dict]:
    """Read every manifest under `path`. A file whose bytes are as last time keeps the
    pod made then (its config.seen, the status kept on it). Returns the result and the
    cache to pass as `previous` next time."""
    previous = previous or {}
    result, cache = ScanResult(), {}
    for file in manifest_paths(path):
        source = str(file)
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            continue  # removed between listing and reading
        except OSError as exc:
            result.errors[source] = str(exc)
            continue
        known = previous.get(source)
        if known is not None and known[0] == data:
            pod = known[1]
        else:
            try:
                pod = static_pod(data, source, node_name, now)
            except ManifestError as exc:
                result.errors[source] = str(exc)
                continue
        key = object_key(pod)
        if key in result.pods:
            result.errors[source] = f'pod "{key}" is already defined by another manifest; ignoring this one'
            continue
        cache[source] = (data, pod)
        result.pods[key] = pod
    return result, cache


def changed_keys(old: dict[str, dict], new: dict[str, dict]) -> set[str]:
    """Pods added, removed, or with a new UID (an edited manifest)."""
    return {key for key in set(old) | set(new)
            if key not in old or key not in new
            or old[key]["metadata"]["uid"] != new[key]["metadata"]["uid"]}


# ---------------------------------------------------------------- I/O: running them
class StaticPods:
    """The kubelet's file pod source and mirror pod manager. `path` None: no static
    pods, but mirrors bound to this node are still cleaned up, as upstream does."""

    def __init__(self, kubelet: "Kubelet", path: Path | None,
                 check_frequency: float = FILE_CHECK_FREQUENCY, workers: int = 2) -> None:
        self.kubelet = kubelet
        self.path = Path(path) if path else None
        self.check_frequency = check_frequency
        self.pods: dict[str, dict] = {}  # key -> the static pod the manifests describe now
        self.running: dict[str, dict] = {}  # key -> the version the runtime runs
        self.finished: set[str] = set()  # uids that ran to completion
        self.queue = WorkQueue("kubelet-static-pods")
        self.workers = workers
        self.scanned = asyncio.Event()
        self._cache: dict[str, tuple[bytes, dict]] = {}
        self._reported: dict[str, str] = {}  # file -> error last logged for it

    # -------------------------------------------------------------- queries
    def static_for(self, pod: dict) -> dict:
        """The static pod a mirror stands for (what runs), or `pod` itself."""
        if is_mirror_pod(pod):
            static = self.running.get(object_key(pod))
            if static is not None:
                return static
        return pod

    def claims(self, key: str, pod: dict) -> bool:
        """Whether an API pod is this source's to handle (a mirror pod); if so its sync is
        queued here."""
        if not is_mirror_pod(pod):
            return False
        self.queue.add(key)
        return True

    def api_pod_gone(self, key: str) -> None:
        """A pod left the API: if it was a mirror we keep, make it again."""
        if key in self.pods:
            self.queue.add(key)

    def api_ready(self) -> None:
        """The node is registered: bring every mirror into being, and report on the Node
        the manifests found bad while there was none to report on."""
        for key in list(self.pods):
            self.queue.add(key)
        for source, message in self._reported.items():
            self._event_on_node(f'Could not process manifest file "{source}": {message}')

    # -------------------------------------------------------------- scanning
    def rescan(self) -> None:
        if self.path is None:
            self.scanned.set()
            return
        result, self._cache = scan(self.path, self.kubelet.node_name, self.kubelet.clock(),
                                   self._cache)
        for source, message in result.errors.items():
            if self._reported.get(source) != message:
                log.error('could not process manifest file "%s": %s', source, message)
                self._event_on_node(f'Could not process manifest file "{source}": {message}')
        self._reported = dict(result.errors)
        for key in changed_keys(self.pods, result.pods):
            self.queue.add(key)
        self.pods = result.pods
        self.scanned.set()

    def _event_on_node(self, message: str) -> None:
        recorder = self.kubelet.recorder
        if recorder is None or not self.kubelet.node_uid:
            return
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": self.kubelet.node_name, "uid": self.kubelet.node_name}}
        try:
            recorder.event(node, "Warning", "FailedStaticPod", message)
        except RuntimeError:
            pass

    async def _watch_files(self) -> None:
        while True:
            try:
                self.rescan()
            except Exception:  # a scan error must not stop later scans
                log.exception("scanning static pod manifests in %s", self.path)
            if self.path is None:
                return
            await asyncio.sleep(self.check_frequency)

    async def run(self) -> None:
        """Scan, then run the static pods until cancelled (no API server needed)."""
        if self.path is not None:
            log.info("watching static pod manifests in %s every %ss", self.path, self.check_frequency)
        watcher = asyncio.create_task(self._watch_files(), name="kubelet-static-pod-files")
        try:
            await self.scanned.wait()
            await run_workers(self.queue, self.sync, workers=self.workers, name="kubelet-static-pods")
        finally:
            watcher.cancel()
            self.queue.shutdown()
            await asyncio.gather(watcher, return_exceptions=True)

    # -------------------------------------------------------------- syncing one pod
    async def sync(self, key: str) -> None:
        kubelet = self.kubelet
        pod = self.pods.get(key)
        running = self.running.get(key)
        if running is not None and (pod is None or running["metadata"]["uid"] != pod["metadata"]["uid"]):
            await self._stop(key, running)
        if pod is None:
            await self._remove_mirror(key)
            return
        uid = pod["metadata"]["uid"]
        self.running[key] = pod
        if uid not in self.finished:
            kubelet.admitted.setdefault(uid, _requests(pod))  # counted against the node
            await kubelet.runtime.start_pod(pod)
            runtime_status = await kubelet.runtime.pod_status(pod)
            if runtime_status is not None:
                self._update_status(pod, runtime_status)
                if pod["status"]["phase"] in TERMINAL_PHASES:
                    self.finished.add(uid)
                    kubelet.admitted.pop(uid, None)
                    await kubelet.runtime.stop_pod(pod, 0)
                elif runtime_status.next_change is not None:
                    self.queue.add_after(key, runtime_status.next_change + 0.01)
        await self._sync_mirror(key, pod)

    def _update_status(self, pod: dict, runtime_status) -> None:
        from kybernetes.kubelet.pods import build_pod_status
        kubelet = self.kubelet
        if runtime_status.sandbox_error and kubelet.recorder is not None:
            kubelet.recorder.event(pod, "Warning", "FailedCreatePodSandBox", runtime_status.sandbox_error)
        new_status = build_pod_status(pod, runtime_status, kubelet.host_ips, kubelet.clock())
        new_status["qosClass"] = pod["status"].get("qosClass")
        pod["status"] = new_status

    async def _stop(self, key: str, pod: dict) -> None:
        """The manifest went away or changed: stop this version within its grace period."""
        kubelet = self.kubelet
        uid = pod["metadata"]["uid"]
        grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
        log.info("stopping static pod %s (%s)", key, uid)
        await kubelet.runtime.stop_pod(pod, grace)
        await kubelet.runtime.cleanup(uid)
        kubelet.admitted.pop(uid, None)
        self.finished.discard(uid)
        self.running.pop(key, None)

    # -------------------------------------------------------------- the mirror
    def _api_mirror(self, key: str) -> dict | None:
        source = self.kubelet.pod_source
        return source.get(key) if source is not None else None

    async def _sync_mirror(self, key: str, pod: dict) -> None:
        """Mirror present, of this version, with this status; retried while the API is away."""
        from kybernetes.kubelet.pods import PODS, status_patch
        kubelet = self.kubelet
        if not kubelet.node_uid or kubelet.pod_source is None:
            return  # not registered yet: api_ready() queues every pod then
        meta = pod["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        try:
            mirror = self._api_mirror(key)
            if mirror is not None and not is_mirror_pod(mirror):
                log.warning("static pod %s: a pod that is not its mirror has the name", key)
                return
            if mirror is not None and not mirror_is_current(mirror, pod):
                await self._delete(mirror)
                mirror = None
            if mirror is None:
                mirror = await self._create_mirror(pod)
                if mirror is None:
                    return  # an outdated mirror still in the way: its deletion queues us
            patch = status_patch(mirror, pod["status"])
            if patch is not None:
                await kubelet.client.patch(PODS, name, patch, namespace, subresource="status")
        except asyncio.CancelledError:
            raise
        except ApiError as exc:
            if exc.code == 404:  # deleted under us: the watch queues the re-creation
                return
            log.warning("mirror pod %s: %s", key, exc)
            self.queue.add_after(key, MIRROR_RETRY)
        except Exception as exc:  # the API server is unreachable: the pod runs on
            log.warning("mirror pod %s: %s", key, exc)
            self.queue.add_after(key, MIRROR_RETRY)

    async def _create_mirror(self, pod: dict) -> dict | None:
        from kybernetes.kubelet.pods import PODS
        kubelet = self.kubelet
        body = mirror_pod(pod, kubelet.node_name, kubelet.node_uid)
        meta = pod["metadata"]
        try:
            created = await kubelet.client.create(PODS, body, meta["namespace"])
            log.info("created mirror pod %s/%s", meta["namespace"], meta["name"])
            return created
        except ApiError as exc:
            if exc.code != 409:
                raise
        existing = await kubelet.client.get(PODS, meta["name"], meta["namespace"])
        if is_mirror_pod(existing) and mirror_is_current(existing, pod):
            return existing
        if is_mirror_pod(existing):
            await self._delete(existing)
        return None

    async def _remove_mirror(self, key: str) -> None:
        """No static pod of this name: its mirror (if any) goes."""
        if self.kubelet.pod_source is None:
            return
        mirror = self._api_mirror(key)
        if mirror is None or not is_mirror_pod(mirror):
            return
        try:
            await self._delete(mirror)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("deleting mirror pod %s: %s", key, exc)
            self.queue.add_after(key, MIRROR_RETRY)

    async def _delete(self, mirror: dict) -> None:
        from kybernetes.kubelet.pods import PODS
        meta = mirror["metadata"]
        try:
            await self.kubelet.client.delete(PODS, meta["name"], meta.get("namespace"),
                                             grace_period=0, uid=meta.get("uid"))
            log.info("deleted mirror pod %s/%s", meta.get("namespace"), meta["name"])
        except ApiError as exc:
            if exc.code not in (404, 409):  # gone already, or another pod under the name
                raise


def _requests(pod: dict) -> dict[str, int]:
    from kybernetes.kubelet.pods import pod_requests
    return pod_requests(pod)
