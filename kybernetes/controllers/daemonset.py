# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The DaemonSet controller: one pod on every node the set's pods may run on (node
name, nodeSelector and required node affinity, taints against tolerations), pinned to
its node by a `metadata.name` node-affinity field so the scheduler places it; replaced
by RollingUpdate (maxUnavailable, or maxSurge) or left for OnDelete; templates kept as
ControllerRevisions. The decisions are the plain functions before the controller."""
from __future__ import annotations

import copy
import time
from datetime import datetime, timezone

from kybernetes.api.selectors import SelectorError, selector_from_label_selector_object
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller, controller_of, owner_keys
from kybernetes.controllers.history import (CONTROLLER_REVISIONS, POD_REVISION_LABEL,
                                            RevisionCollision, RevisionHistory,
                                            controller_ref, owned_revisions)
from kybernetes.controllers.statefulset_util import is_available, is_ready

DAEMON_SETS = resource("daemonsets.apps")
PODS = resource("pods")
NODES = resource("nodes")
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"


# ---------------------------------------------------------------- node eligibility
def default_tolerations(host_network: bool) -> list[dict]:
    """What upstream adds to every daemon pod so node conditions never evict it."""
    tolerations = [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
        {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
    ]
    if host_network:
        tolerations.append({"key": "node.kubernetes.io/network-unavailable", "operator": "Exists",
                            "effect": "NoSchedule"})
    return tolerations


def with_default_tolerations(pod_spec: dict) -> list[dict]:
    """The pod's tolerations plus the defaults; a default replaces a toleration with the
    same key, operator and effect (AddOrUpdateTolerationInPodSpec)."""
    tolerations = [dict(t) for t in pod_spec.get("tolerations") or []]
    for default in default_tolerations(bool(pod_spec.get("hostNetwork"))):
        same = [i for i, t in enumerate(tolerations)
                if (t.get("key", ""), t.get("operator") or "Equal", t.get("effect", "")) ==
                (default["key"], default["operator"], default["effect"])]
        if same:
            tolerations[same[0]] = default
        else:
            tolerations.append(default)
    return tolerations


def tolerates(toleration: dict, taint: dict) -> bool:
    effect = toleration.get("effect", "")
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key", "")
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and toleration.get("value", "") == taint.get("value", "")


def untolerated_taints(taints: list[dict], tolerations: list[dict], effects: tuple[str, ...]) -> list[dict]:
    return [t for t in taints if t.get("effect") in effects
            and not any(tolerates(tol, t) for tol in tolerations)]


def _requirement_matches(expr: dict, value: str | None) -> bool:
    operator, values = expr.get("operator"), expr.get("values") or []
    if operator == "In":
        return value is not None and value in values
    if operator == "NotIn":
        return value is None or value not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    if operator in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            have, bound = int(value), int(values[0])
        except ValueError:
            return False
        return have > bound if operator == "Gt" else have < bound
    return False


def node_selector_term_matches(term: dict, node: dict) -> bool:
    expressions, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not expressions and not fields:
        return False  # an empty term selects nothing
    labels = node["metadata"].get("labels") or {}
    node_fields = {"metadata.name": node["metadata"]["name"]}
    return all(_requirement_matches(e, labels.get(e.get("key"))) for e in expressions) and \
        all(_requirement_matches(f, node_fields.get(f.get("key"))) for f in fields)


def node_affinity_matches(pod_spec: dict, node: dict) -> bool:
    """spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution."""
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if required is None:
        return True
    return any(node_selector_term_matches(t, node) for t in required.get("nodeSelectorTerms") or [])


def node_should_run(ds: dict, node: dict) -> tuple[bool, bool]:
    """(should run a daemon pod here, should keep one already running here): a
    NoSchedule taint stops new pods; only a NoExecute one removes running pods."""
    spec = (ds["spec"].get("template") or {}).get("spec") or {}
    if spec.get("nodeName") and spec["nodeName"] != node["metadata"]["name"]:
        return False, False
    if not node_affinity_matches(spec, node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    tolerations = with_default_tolerations(spec)
    if untolerated_taints(taints, tolerations, ("NoSchedule", "NoExecute")):
        return False, not untolerated_taints(taints, tolerations, ("NoExecute",))
    return True, True


# ---------------------------------------------------------------- pods
def target_node(pod: dict) -> str:
    """The node a daemon pod is bound to, or pinned to by its node affinity."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("operator") == "In" and \
                    len(field.get("values") or []) == 1:
                return field["values"][0]
    return ""


def template_generation(ds: dict) -> str:
    annotations = ds["metadata"].get("annotations") or {}
    return str(annotations.get(TEMPLATE_GENERATION_ANNOTATION) or ds["metadata"].get("generation", 1))


def new_daemon_pod(ds: dict, node_name: str, hash_: str) -> dict:
    template = ds["spec"].get("template") or {}
    template_meta = template.get("metadata") or {}
    labels = dict(template_meta.get("labels") or {})
    labels[POD_REVISION_LABEL] = hash_
    labels[TEMPLATE_GENERATION_LABEL] = template_generation(ds)
    meta: dict = {"generateName": f"{ds['metadata']['name']}-",
                  "namespace": ds["metadata"]["namespace"], "labels": labels,
                  "ownerReferences": [controller_ref({**ds, "kind": "DaemonSet", "apiVersion": "apps/v1"})]}
    if template_meta.get("annotations"):
        meta["annotations"] = dict(template_meta["annotations"])
    spec = copy.deepcopy(template.get("spec") or {})
    spec["tolerations"] = with_default_tolerations(spec)
    # pin to the node: the scheduler binds it there (the node already passed the rest)
    affinity = spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def is_updated(pod: dict, hash_: str) -> bool:
    return (pod["metadata"].get("labels") or {}).get(POD_REVISION_LABEL) == hash_


def _by_age(pods: list[dict]) -> list[dict]:
    return sorted(pods, key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))


def _phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase", "")


def pods_by_node(pods: list[dict]) -> dict[str, list[dict]]:
    """Daemon pods grouped by target node, terminal pods already being deleted left out."""
    grouped: dict[str, list[dict]] = {}
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp") and _phase(pod) in ("Failed", "Succeeded"):
            continue
        node = target_node(pod)
        if node:
            grouped.setdefault(node, []).append(pod)
    return grouped


# ---------------------------------------------------------------- decisions
def allows_surge(ds: dict) -> bool:
    return max_surge_and_unavailable(ds, 1)[0] > 0


def _scaled(value: object, total: int) -> int:
    """An int-or-percent against `total`, percentages rounded up as upstream does here."""
    if isinstance(value, str) and value.endswith("%"):
        percent = int(value[:-1])
        return -(-percent * total // 100)
    return int(value or 0)


def max_surge_and_unavailable(ds: dict, desired: int) -> tuple[int, int]:
    strategy = ds["spec"].get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0, 1
    rolling = strategy.get("rollingUpdate") or {}
    surge = _scaled(rolling.get("maxSurge", 0), desired)
    unavailable = _scaled(rolling.get("maxUnavailable", 1), desired)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # never stall: upstream's safety floor
    return surge, unavailable


def plan_manage(ds: dict, nodes: list[dict], by_node: dict[str, list[dict]], hash_: str,
                now: datetime) -> tuple[list[str], list[dict]]:
    """(nodes needing a daemon pod, pods to delete): missing pods, pods on nodes they
    may no longer run on, failed pods, and extra pods on one node."""
    min_ready = ds["spec"].get("minReadySeconds") or 0
    surge = allows_surge(ds)
    create: list[str] = []
    delete: list[dict] = []
    for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        name = node["metadata"]["name"]
        pods = by_node.get(name, [])
        should_run, should_continue = node_should_run(ds, node)
        if should_run and not pods:
            create.append(name)
        elif should_continue:
            running = []
            for pod in pods:
                if pod["metadata"].get("deletionTimestamp"):
                    continue
                if _phase(pod) in ("Failed", "Succeeded"):
                    delete.append(pod)
                else:
                    running.append(pod)
            running = _by_age(running)
            if len(running) <= 1:
                continue
            if not surge:
                delete.extend(running[1:])  # keep the oldest
                continue
            # with surge: at most the oldest new pod and, while it is not yet
            # available, the oldest old pod that is still ready
            oldest_new = next((p for p in running if is_updated(p, hash_)), None)
            oldest_old = next((p for p in running if not is_updated(p, hash_)), None)
            delete.extend(p for p in running if p is not oldest_new and p is not oldest_old)
            if oldest_new is not None and oldest_old is not None and (
                    not is_ready(oldest_old) or is_available(oldest_new, min_ready, now)):
                delete.append(oldest_old)
        elif pods:
            delete.extend(p for p in pods if not p["metadata"].get("deletionTimestamp"))
    return create, delete


def updated_and_old(pods: list[dict], hash_: str) -> tuple[dict | None, dict | None, bool]:
    """(new pod, old pod, ok) on one node; not ok when there are two of either kind."""
    new = old = None
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        if is_updated(pod, hash_):
            if new is not None:
                return None, None, False
            new = pod
        else:
            if old is not None:
                return None, None, False
            old = pod
    return new, old, True


def plan_rolling_update(ds: dict, nodes: list[dict], by_node: dict[str, list[dict]], hash_: str,
                        now: datetime) -> tuple[list[str], list[dict]]:
    """(nodes to surge a new pod onto, old pods to delete) for one step of a rolling
    update: old pods are replaced while at most maxUnavailable daemon pods are
    unavailable, or new pods surge beside old ones up to maxSurge."""
    min_ready = ds["spec"].get("minReadySeconds") or 0
    eligible = [n["metadata"]["name"] for n in sorted(nodes, key=lambda n: n["metadata"]["name"])
                if node_should_run(ds, n)[0]]
    max_surge, max_unavailable = max_surge_and_unavailable(ds, len(eligible))
    if max_surge == 0:
        unavailable, replace, candidates = 0, [], []
        for name in eligible:
            new, old, ok = updated_and_old(by_node.get(name, []), hash_)
            if not ok or (new is None) == (old is None):
                unavailable += 1  # missing or doubled: the manage step handles it
            elif new is not None:
                if not is_available(new, min_ready, now):
                    unavailable += 1
            elif not is_available(old, min_ready, now):
                replace.append(old)  # replacing an unavailable pod costs nothing
            elif unavailable < max_unavailable:
                candidates.append(old)
        room = max(0, min(max_unavailable - unavailable, len(candidates)))
        return [], replace + candidates[:room]
    surging, allowed, candidates, delete = 0, [], [], []
    for name in eligible:
        new, old, ok = updated_and_old(by_node.get(name, []), hash_)
        if not ok or old is None:
            continue
        if new is None:
            if not is_available(old, min_ready, now):
                allowed.append(name)
            elif surging < max_surge:
                candidates.append(name)
        elif not is_available(new, min_ready, now):
            surging += 1
        else:
            delete.append(old)
    room = max(0, min(max_surge - surging, len(candidates)))
    return allowed + candidates[:room], delete


def compute_status(ds: dict, nodes: list[dict], by_node: dict[str, list[dict]], hash_: str,
                   now: datetime) -> dict:
    min_ready = ds["spec"].get("minReadySeconds") or 0
    status = {"observedGeneration": ds["metadata"].get("generation", 1),
              "desiredNumberScheduled": 0, "currentNumberScheduled": 0, "numberMisscheduled": 0,
              "numberReady": 0, "updatedNumberScheduled": 0, "numberAvailable": 0,
              "numberUnavailable": 0}
    for node in nodes:
        pods = _by_age(by_node.get(node["metadata"]["name"], []))
        should_run, _ = node_should_run(ds, node)
        if should_run:
            status["desiredNumberScheduled"] += 1
            if pods:
                status["currentNumberScheduled"] += 1
                pod = pods[0]
                if is_ready(pod):
                    status["numberReady"] += 1
                    if is_available(pod, min_ready, now):
                        status["numberAvailable"] += 1
                if is_updated(pod, hash_):
                    status["updatedNumberScheduled"] += 1
        elif pods:
            status["numberMisscheduled"] += 1
    status["numberUnavailable"] = status["desiredNumberScheduled"] - status["numberAvailable"]
    return status


# ---------------------------------------------------------------- the controller
def _selector(ds: dict):
    try:
        return selector_from_label_selector_object(ds["spec"].get("selector"))
    except SelectorError:
        return None


def _scheduling_view(node: dict | None) -> object:
    if node is None:
        return None
    return ((node["metadata"].get("labels") or {}), (node.get("spec") or {}).get("taints"),
            (node.get("spec") or {}).get("unschedulable"))


class DaemonSetController(Controller):
    name = "daemonset"
    workers = 2

    def setup(self) -> None:
        self.sets = self.informer(DAEMON_SETS)
        self.pods = self.informer(PODS)
        self.nodes = self.informer(NODES)
        self.revisions = self.informer(CONTROLLER_REVISIONS)
        self.history = RevisionHistory(self.client)
        self._expected: dict[str, tuple[set, set, float]] = {}
        self.enqueue_on_change(self.sets)
        self.enqueue_on_change(self.pods, self._keys_for_pod)
        self.enqueue_on_change(self.revisions, owner_keys("DaemonSet", "apps/"))
        self.nodes.add_handler(self._node_changed)

    def _keys_for_pod(self, pod: dict) -> list[str]:
        keys = owner_keys("DaemonSet", "apps/")(pod)
        if keys or controller_of(pod):
            return keys
        namespace = pod["metadata"].get("namespace")
        labels = pod["metadata"].get("labels") or {}
        return [f"{namespace}/{ds['metadata']['name']}" for ds in self.sets.list(namespace)
                if (sel := _selector(ds)) is not None and not sel.matches_nothing() and sel.matches(labels)]

    def _node_changed(self, kind: str, old: dict | None, new: dict | None) -> None:
        # heartbeats change only status: only what decides placement requeues every set
        if kind == "MODIFIED" and _scheduling_view(old) == _scheduling_view(new):
            return
        for ds in self.sets.list():
            self.enqueue(ds)

    async def reconcile(self, key: str) -> None:
        ds = self.sets.get(key)
        if ds is None:
            return
        ds = {**ds, "kind": "DaemonSet", "apiVersion": "apps/v1"}
        namespace, name = ds["metadata"]["namespace"], ds["metadata"]["name"]
        selector = _selector(ds)
        if selector is None or selector.matches_nothing():
            return
        raw_selector = ds["spec"].get("selector") or {}
        if not raw_selector.get("matchLabels") and not raw_selector.get("matchExpressions"):
            self.recorder.event(ds, "Warning", "SelectingAll",
                                "This daemon set is selecting all pods. A non-empty selector is required.")
            return
        pods = await self._claim_pods(ds, selector)
        if not self._expectations_met(key):
            # our own recent writes are not in the cache yet: acting now would double them
            self.queue.add_after(key, 0.5)
            return
        revisions = owned_revisions(self.revisions.list(namespace), ds)
        try:
            current, update, collisions = await self.history.current_and_update(
                ds, revisions, hash_label=POD_REVISION_LABEL)
        except RevisionCollision:
            count = ((ds.get("status") or {}).get("collisionCount") or 0) + 1
            await self.client.update_status(DAEMON_SETS, {
                **ds, "status": {**(ds.get("status") or {}), "collisionCount": count}})
            raise
        hash_ = update["metadata"]["labels"][POD_REVISION_LABEL]
        nodes = self.nodes.list()
        now = datetime.now(timezone.utc)
        by_node = pods_by_node(pods)
        if not ds["metadata"].get("deletionTimestamp"):
            create, delete = plan_manage(ds, nodes, by_node, hash_, now)
            strategy = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
            if not create and not delete and strategy == "RollingUpdate":
                create, delete = plan_rolling_update(ds, nodes, by_node, hash_, now)
            await self._sync_nodes(ds, create, delete, hash_)
        status = compute_status(ds, nodes, by_node, hash_, now)
        if collisions:
            status["collisionCount"] = collisions
        await self._write_status(ds, status)
        live = {update["metadata"]["name"]}
        live |= {f"{name}-{(p['metadata'].get('labels') or {}).get(POD_REVISION_LABEL, '')}" for p in pods}
        await self.history.prune(revisions + ([update] if update not in revisions else []),
                                 live, ds["spec"].get("revisionHistoryLimit", 10))
        min_ready = ds["spec"].get("minReadySeconds") or 0
        if min_ready and status["numberReady"] != status["numberAvailable"]:
            self.queue.add_after(key, float(min_ready))

    def _expectations_met(self, key: str) -> bool:
        """Have the pods this controller created and deleted for `key` reached the cache?
        (upstream's ControllerExpectations, which give up after five minutes)"""
        expected = self._expected.get(key)
        if expected is None:
            return True
        created, deleted, since = expected
        namespace = key.split("/", 1)[0]
        seen_created = all(self.pods.get_by(namespace, n) is not None for n in created)
        seen_deleted = all((p := self.pods.get_by(namespace, n)) is None or
                           p["metadata"].get("uid") != uid or p["metadata"].get("deletionTimestamp")
                           for n, uid in deleted)
        if (seen_created and seen_deleted) or time.monotonic() - since > 300:
            del self._expected[key]
            return True
        return False

    async def _claim_pods(self, ds: dict, selector) -> list[dict]:
        uid = ds["metadata"]["uid"]
        deleting = bool(ds["metadata"].get("deletionTimestamp"))
        owned = []
        for pod in self.pods.list(ds["metadata"]["namespace"]):
            ref = controller_of(pod)
            matches = selector.matches(pod["metadata"].get("labels") or {})
            if ref is not None and ref.get("uid") == uid:
                if matches or deleting:
                    owned.append(pod)
                    continue
                refs = [r for r in pod["metadata"]["ownerReferences"] if r.get("uid") != uid]
            elif ref is None and matches and not deleting and not pod["metadata"].get("deletionTimestamp"):
                refs = list(pod["metadata"].get("ownerReferences") or []) + [controller_ref(ds)]
            else:
                continue
            try:
                patched = await self.client.patch(PODS, pod["metadata"]["name"], {"metadata": {
                    "ownerReferences": refs, "resourceVersion": pod["metadata"]["resourceVersion"]}},
                    pod["metadata"]["namespace"])
            except ApiError as exc:
                if exc.code not in (404, 409):
                    raise
                continue
            if ref is None:
                owned.append(patched)
        return owned

    async def _sync_nodes(self, ds: dict, create: list[str], delete: list[dict], hash_: str) -> None:
        namespace = ds["metadata"]["namespace"]
        created: set[str] = set()
        deleted: set[tuple[str, str]] = set()
        if create or delete:
            self._expected[f"{namespace}/{ds['metadata']['name']}"] = (created, deleted, time.monotonic())
        for pod in delete:
            if _phase(pod) == "Failed":
                self.recorder.event(ds, "Warning", "FailedDaemonPod",
                                    f"Found failed daemon pod {namespace}/{pod['metadata']['name']} "
                                    f"on node {target_node(pod)}, will try to kill it")
            try:
                await self.client.delete(PODS, pod["metadata"]["name"], namespace, uid=pod["metadata"]["uid"])
                deleted.add((pod["metadata"]["name"], pod["metadata"]["uid"]))
            except ApiError as exc:
                if exc.code in (404, 409):
                    continue
                self.recorder.event(ds, "Warning", "FailedDelete", f"Error deleting: {exc.message}")
                raise
            self.recorder.event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")
        for node_name in create:
            try:
                pod = await self.client.create(PODS, new_daemon_pod(ds, node_name, hash_), namespace)
                created.add(pod["metadata"]["name"])
            except ApiError as exc:
                self.recorder.event(ds, "Warning", "FailedCreate", f"Error creating: {exc.message}")
                if exc.code == 403 and "forbidden" in exc.message and "namespace" in exc.message:
                    return  # the namespace is terminating
                raise
            self.recorder.event(ds, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")

    async def _write_status(self, ds: dict, status: dict) -> None:
        old = ds.get("status") or {}
        if all(old.get(k, 0) == v for k, v in status.items()):
            return
        try:
            # an update, as upstream's (the controller's role may update status, not patch it)
            await self.client.update_status(DAEMON_SETS, {**ds, "status": {**old, **status}})
        except ApiError as exc:
            if exc.code != 404:
                raise


CONTROLLERS = [DaemonSetController]
