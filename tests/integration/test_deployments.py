# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Deployments and ReplicaSets against a running `kybernetes server`, driven with the
real kubectl. There is no kubelet here: `FakeKubelet` plays one by marking the
namespace's pods Running and Ready through pods/status, and nothing else."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example/web:v1
"""


class FakeKubelet:
    """Marks every pod of a namespace Running and Ready (status only), in a thread."""

    def __init__(self, api_client, namespace: str) -> None:
        from kubernetes import client
        self.core = client.CoreV1Api(api_client)
        self.namespace = namespace
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self) -> "FakeKubelet":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def run(self) -> None:
        from kubernetes.client.rest import ApiException
        while not self.stopping.is_set():
            for pod in self.core.list_namespaced_pod(self.namespace).items:
                ready = any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])
                if ready or pod.metadata.deletion_timestamp:
                    continue
                now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                try:
                    self.core.patch_namespaced_pod_status(pod.metadata.name, self.namespace, {
                        "status": {"phase": "Running", "conditions": [
                            {"type": "Ready", "status": "True", "lastTransitionTime": now}]}})
                except ApiException as exc:
                    if exc.status not in (404, 409):
                        raise
            self.stopping.wait(0.2)


def pods(k: Kubectl, namespace: str, selector: str = "app=web") -> list[dict]:
    return k.json("get", "pods", "-n", namespace, "-l", selector)["items"]


def deployment(k: Kubectl, namespace: str, name: str = "web") -> dict:
    return k.json("get", "deployment", name, "-n", namespace)


def images(k: Kubectl, namespace: str) -> list[str]:
    return sorted(p["spec"]["containers"][0]["image"] for p in pods(k, namespace)
                  if not p["metadata"].get("deletionTimestamp"))


def test_deployment_creates_owned_pods_and_rolls_out(cluster_kubectl: Kubectl, cluster_namespace: str,
                                                    cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=DEPLOYMENT)
    rs_list = wait_for(lambda: [rs for rs in k.json("get", "rs", "-n", ns)["items"]
                                if rs["status"].get("replicas") == 3])
    rs = rs_list[0]
    template_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{template_hash}"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "3"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "4"
    owner = rs["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"], owner["blockOwnerDeletion"]) == \
        ("Deployment", "web", True, True)
    created = wait_for(lambda: len(pods(k, ns)) == 3 and pods(k, ns))
    for pod in created:
        ref = pod["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == \
            ("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["uid"], True)
        assert pod["metadata"]["name"].startswith(f"web-{template_hash}-")
        assert pod["metadata"]["labels"]["pod-template-hash"] == template_hash
    status = k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=2s", check=False)
    assert status.returncode != 0  # nothing is ready without a kubelet
    with FakeKubelet(cluster_api, ns):
        out = k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=90s").stdout
        assert 'deployment "web" successfully rolled out' in out
        d = deployment(k, ns)
        assert d["status"]["availableReplicas"] == 3 and d["status"]["readyReplicas"] == 3
        conditions = {c["type"]: c for c in d["status"]["conditions"]}
        assert conditions["Available"]["reason"] == "MinimumReplicasAvailable"
        assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
        assert conditions["Progressing"]["message"] == \
            f'ReplicaSet "web-{template_hash}" has successfully progressed.'
        events = k.run("get", "events", "-n", ns).stdout
        assert f"Scaled up replica set web-{template_hash} from 0 to 3" in events
        assert f"Created pod: web-{template_hash}-" in events

        # set image: v1 -> v2 without going below replicas - maxUnavailable ready pods
        finish = watch_pods(cluster_api, ns, lambda: k.run(
            "set", "image", "deployment/web", "web=registry.example/web:v2", "-n", ns))
        out = k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=120s").stdout
        assert 'successfully rolled out' in out
        assert images(k, ns) == ["registry.example/web:v2"] * 3
        assert min(sum(ready for _, ready in snap) for snap in finish()) >= 3 - 1
        d = deployment(k, ns)
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
        assert d["status"]["updatedReplicas"] == 3

        history = k.run("rollout", "history", "deployment/web", "-n", ns).stdout
        assert "REVISION" in history and "1 " in history and "2 " in history
        revision_one = k.run("rollout", "history", "deployment/web", "-n", ns, "--revision=1").stdout
        assert "registry.example/web:v1" in revision_one

        # undo goes back to v1's ReplicaSet, which becomes revision 3
        out = k.run("rollout", "undo", "deployment/web", "-n", ns).stdout
        assert "rolled back" in out
        k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=120s")
        wait_for(lambda: images(k, ns) == ["registry.example/web:v1"] * 3)
        old = k.json("get", "rs", f"web-{template_hash}", "-n", ns)
        assert old["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
        assert old["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
        assert old["spec"]["replicas"] == 3

        # and --to-revision picks v2 again
        k.run("rollout", "undo", "deployment/web", "-n", ns, "--to-revision=2")
        k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=120s")
        wait_for(lambda: images(k, ns) == ["registry.example/web:v2"] * 3)
        assert len(k.json("get", "rs", "-n", ns)["items"]) == 2


def watch_pods(api_client, ns: str, action):
    """Run `action` while a pod watch records, after every event, the (image, ready) of
    each pod not being deleted; return a function that stops and gives those snapshots."""
    from kubernetes import client, watch
    core = client.CoreV1Api(api_client)
    listed = core.list_namespaced_pod(ns)
    state = {p.metadata.name: p for p in listed.items}
    snapshots: list[list[tuple[str, bool]]] = []
    stop = threading.Event()

    def snapshot() -> None:
        snapshots.append([(p.spec.containers[0].image, any(
            c.type == "Ready" and c.status == "True" for c in p.status.conditions or []))
            for p in state.values() if not p.metadata.deletion_timestamp])

    def follow() -> None:
        version = listed.metadata.resource_version
        while not stop.is_set():
            stream = watch.Watch()
            for event in stream.stream(core.list_namespaced_pod, ns, resource_version=version,
                                       timeout_seconds=2):
                pod = event["object"]
                version = pod.metadata.resource_version
                if event["type"] == "DELETED":
                    state.pop(pod.metadata.name, None)
                else:
                    state[pod.metadata.name] = pod
                snapshot()
    snapshot()
    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    action()

    def finish() -> list[list[tuple[str, bool]]]:
        stop.set()
        thread.join(timeout=30)
        return snapshots
    return finish


def test_scale_pause_and_resume(cluster_kubectl: Kubectl, cluster_namespace: str, cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=DEPLOYMENT)
    with FakeKubelet(cluster_api, ns):
        k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=90s")
        for size in (5, 1):
            k.run("scale", "deployment/web", f"--replicas={size}", "-n", ns)
            wait_for(lambda: len(images(k, ns)) == size and
                     deployment(k, ns)["status"].get("availableReplicas") == size)
            (rs,) = k.json("get", "rs", "-n", ns)["items"]
            assert rs["spec"]["replicas"] == size
            assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == str(size)
        events = k.run("get", "events", "-n", ns, "--field-selector", "involvedObject.kind=Deployment").stdout
        assert "from 3 to 5" in events and "from 5 to 1" in events

        k.run("rollout", "pause", "deployment/web", "-n", ns)
        k.run("set", "image", "deployment/web", "web=registry.example/web:v2", "-n", ns)
        paused = wait_for(lambda: (lambda d: d["status"].get("observedGeneration") ==
                                   d["metadata"]["generation"] and d)(deployment(k, ns)))
        progressing = {c["type"]: c for c in paused["status"]["conditions"]}["Progressing"]
        assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentPaused")
        assert len(k.json("get", "rs", "-n", ns)["items"]) == 1
        assert images(k, ns) == ["registry.example/web:v1"]

        k.run("rollout", "resume", "deployment/web", "-n", ns)
        k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=90s")
        wait_for(lambda: images(k, ns) == ["registry.example/web:v2"])
        k.run("rollout", "restart", "deployment/web", "-n", ns)
        k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=90s")
        restarted = deployment(k, ns)
        assert "kubectl.kubernetes.io/restartedAt" in restarted["spec"]["template"]["metadata"]["annotations"]
        assert restarted["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_progress_deadline_exceeded(cluster_kubectl: Kubectl, cluster_namespace: str):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=DEPLOYMENT.replace(
        "  replicas: 3\n", "  replicas: 2\n  progressDeadlineSeconds: 2\n"))
    out = k.run("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s", check=False)
    assert out.returncode != 0 and 'deployment "web" exceeded its progress deadline' in out.stderr
    conditions = {c["type"]: c for c in deployment(k, ns)["status"]["conditions"]}
    assert conditions["Progressing"]["reason"] == "ProgressDeadlineExceeded"
    assert conditions["Available"]["reason"] == "MinimumReplicasUnavailable"


REPLICA_SET = """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: keeper
spec:
  replicas: 2
  selector:
    matchLabels: {app: keeper}
  template:
    metadata:
      labels: {app: keeper}
    spec:
      containers:
      - name: c
        image: registry.example/keeper:v1
"""


def test_replica_set_adopts_orphans_and_releases_strays(cluster_kubectl: Kubectl, cluster_namespace: str):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("run", "orphan", "--image=registry.example/keeper:v1", "--labels=app=keeper", "-n", ns)
    k.run("apply", "-n", ns, "-f", "-", input=REPLICA_SET)
    rs = k.json("get", "rs", "keeper", "-n", ns)
    owned = wait_for(lambda: (lambda items: len(items) == 2 and all(
        p["metadata"].get("ownerReferences") for p in items) and items)(pods(k, ns, "app=keeper")))
    names = {p["metadata"]["name"] for p in owned}
    assert "orphan" in names  # adopted, so only one pod was created
    orphan = next(p for p in owned if p["metadata"]["name"] == "orphan")
    assert orphan["metadata"]["ownerReferences"] == [{
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "keeper", "uid": rs["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True}]
    status = wait_for(lambda: (lambda s: s.get("replicas") == 2 and s.get("observedGeneration") == 1 and s)(
        k.json("get", "rs", "keeper", "-n", ns)["status"]))
    assert status["fullyLabeledReplicas"] == 2

    # a pod relabelled out of the selector is released and replaced
    k.run("label", "pod", "orphan", "app=stray", "--overwrite", "-n", ns)
    wait_for(lambda: not k.json("get", "pod", "orphan", "-n", ns)["metadata"].get("ownerReferences"))
    wait_for(lambda: len(pods(k, ns, "app=keeper")) == 2 and "orphan" not in
             {p["metadata"]["name"] for p in pods(k, ns, "app=keeper")})

    # scaling down deletes, and says so
    k.run("scale", "rs", "keeper", "--replicas=0", "-n", ns)
    wait_for(lambda: not pods(k, ns, "app=keeper"))
    events = k.run("get", "events", "-n", ns, "--field-selector", "involvedObject.name=keeper").stdout
    assert "SuccessfulCreate" in events and "Deleted pod: keeper-" in events


def test_replication_controller_keeps_replicas(cluster_kubectl: Kubectl, cluster_namespace: str):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input="""
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: c, image: registry.example/legacy:v1}]}
""")
    first = wait_for(lambda: (lambda items: len(items) == 2 and items)(pods(k, ns, "app=legacy")))
    assert all(p["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController" for p in first)
    k.run("delete", "pod", first[0]["metadata"]["name"], "-n", ns)
    wait_for(lambda: (lambda items: len(items) == 2 and first[0]["metadata"]["name"] not in
                      {p["metadata"]["name"] for p in items})(pods(k, ns, "app=legacy")))
    status = wait_for(lambda: (lambda s: s.get("replicas") == 2 and s)(
        k.json("get", "rc", "legacy", "-n", ns)["status"]))
    assert status["observedGeneration"] == 1


def test_recreate_scales_old_down_before_new_up(cluster_kubectl: Kubectl, cluster_namespace: str,
                                                cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=DEPLOYMENT.replace(
        "    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}\n", "    type: Recreate\n"))
    wait_for(lambda: len(pods(k, ns)) == 3)
    finish = watch_pods(cluster_api, ns, lambda: k.run(
        "set", "image", "deployment/web", "web=registry.example/web:v2", "-n", ns))
    wait_for(lambda: images(k, ns) == ["registry.example/web:v2"] * 3)
    snapshots = finish()
    # never old and new pods at once
    assert all(len({image for image, _ in snap}) <= 1 for snap in snapshots)
    sizes = {rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs["spec"]["replicas"]
             for rs in k.json("get", "rs", "-n", ns)["items"]}
    assert sizes == {"1": 0, "2": 3}
