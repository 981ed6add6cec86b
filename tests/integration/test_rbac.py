# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""RBAC end to end: a real `kybernetes server` (Node,RBAC by default), users made with
`kybernetes kubeconfig user`, and the real kubectl."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server, make_user
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")


@pytest.fixture(scope="module")
def rbac_cluster(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("rbac"), extra_args=["--anonymous-auth", "true"],
                 command="server").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(rbac_cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(rbac_cluster, tmp_path_factory.mktemp("rbac-kubectl"))


def as_user(admin: Kubectl, kubeconfig: Path, *args: str, check: bool = False,
            input: str | None = None):
    return admin.run(*args, env={"KUBECONFIG": str(kubeconfig)}, check=check, input=input)


@pytest.fixture
def ns(admin) -> str:
    name = f"rbac-{uuid.uuid4().hex[:8]}"
    admin.run("create", "namespace", name)
    yield name
    admin.run("delete", "namespace", name, "--wait=false", check=False)


def _view_is_aggregated(admin: Kubectl) -> bool:
    role = admin.json("get", "clusterrole", "view")
    return any("pods" in (rule.get("resources") or []) for rule in role.get("rules") or [])


def test_view_user_reads_but_cannot_delete(admin, rbac_cluster, ns):
    user = f"viewer-{uuid.uuid4().hex[:6]}"
    kubeconfig = make_user(rbac_cluster, user, "dev")
    admin.run("create", "deployment", "web", "--image=nginx", "-n", ns)
    denied = as_user(admin, kubeconfig, "get", "deployments", "-n", ns)
    assert denied.returncode != 0
    assert (f'Error from server (Forbidden): deployments.apps is forbidden: User "{user}" cannot '
            f'list resource "deployments" in API group "apps" in the namespace "{ns}"') in denied.stderr
    admin.run("create", "rolebinding", "viewers", "--clusterrole=view", f"--user={user}", "-n", ns)
    wait_for(lambda: _view_is_aggregated(admin))
    listed = as_user(admin, kubeconfig, "get", "deployments", "-n", ns, "-o", "name", check=True)
    assert "deployment.apps/web" in listed.stdout
    as_user(admin, kubeconfig, "get", "deployment", "web", "-n", ns, check=True)
    deleted = as_user(admin, kubeconfig, "delete", "deployment", "web", "-n", ns)
    assert deleted.returncode != 0
    assert (f'Error from server (Forbidden): deployments.apps "web" is forbidden: User "{user}" '
            f'cannot delete resource "deployments" in API group "apps" in the namespace "{ns}"'
            ) in deleted.stderr
    # the RoleBinding grants nothing outside its namespace
    other = as_user(admin, kubeconfig, "get", "pods", "-n", "kube-system")
    assert (f'pods is forbidden: User "{user}" cannot list resource "pods" in API group "" in '
            f'the namespace "kube-system"') in other.stderr
    everywhere = as_user(admin, kubeconfig, "get", "pods", "--all-namespaces")
    assert (f'pods is forbidden: User "{user}" cannot list resource "pods" in API group "" at '
            f'the cluster scope') in everywhere.stderr
    # a group binding counts the same
    assert as_user(admin, kubeconfig, "get", "secrets", "-n", ns).returncode != 0
    admin.run("create", "rolebinding", "dev-secrets", "--clusterrole=edit", "--group=dev", "-n", ns)
    wait_for(lambda: as_user(admin, kubeconfig, "get", "secrets", "-n", ns).returncode == 0)


def test_admin_and_cluster_admin_binding(admin, rbac_cluster):
    kubeconfig = make_user(rbac_cluster, f"root-{uuid.uuid4().hex[:6]}", "system:masters")
    as_user(admin, kubeconfig, "get", "nodes", check=True)
    as_user(admin, kubeconfig, "auth", "can-i", "*", "*", check=True)


def test_aggregated_cluster_role_picks_up_a_labelled_role(admin, rbac_cluster, ns):
    user = f"agg-{uuid.uuid4().hex[:6]}"
    kubeconfig = make_user(rbac_cluster, user)
    admin.run("create", "rolebinding", "viewers", "--clusterrole=view", f"--user={user}", "-n", ns)
    assert as_user(admin, kubeconfig, "get", "podtemplates", "-n", ns).returncode != 0
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": f"podtemplates-view-{user}",
                         "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
            "rules": [{"apiGroups": [""], "resources": ["podtemplates"], "verbs": ["get", "list"]}]}
    admin.run("apply", "-f", "-", input=json.dumps(role))
    try:
        wait_for(lambda: any("podtemplates" in (r.get("resources") or [])
                             for r in admin.json("get", "clusterrole", "view").get("rules") or []))
        # view aggregates into edit and admin too
        wait_for(lambda: any("podtemplates" in (r.get("resources") or [])
                             for r in admin.json("get", "clusterrole", "admin").get("rules") or []))
        wait_for(lambda: as_user(admin, kubeconfig, "get", "podtemplates", "-n", ns).returncode == 0)
    finally:
        admin.run("delete", "clusterrole", role["metadata"]["name"])
    wait_for(lambda: not any("podtemplates" in (r.get("resources") or [])
                             for r in admin.json("get", "clusterrole", "view").get("rules") or []))
    wait_for(lambda: as_user(admin, kubeconfig, "get", "podtemplates", "-n", ns).returncode != 0)


def test_auth_can_i(admin, rbac_cluster, ns):
    user = f"cani-{uuid.uuid4().hex[:6]}"
    kubeconfig = make_user(rbac_cluster, user)
    admin.run("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods", "-n", ns)
    admin.run("create", "rolebinding", "pod-reader", "--role=pod-reader", f"--user={user}", "-n", ns)
    yes = as_user(admin, kubeconfig, "auth", "can-i", "list", "pods", "-n", ns)
    assert (yes.returncode, yes.stdout.strip()) == (0, "yes")
    no = as_user(admin, kubeconfig, "auth", "can-i", "delete", "pods", "-n", ns)
    assert (no.returncode, no.stdout.strip()) == (1, "no")
    no_elsewhere = as_user(admin, kubeconfig, "auth", "can-i", "list", "pods", "-n", "default")
    assert no_elsewhere.stdout.strip() == "no"
    listing = as_user(admin, kubeconfig, "auth", "can-i", "--list", "-n", ns, check=True).stdout
    lines = {" ".join(line.split()) for line in listing.splitlines()}
    assert "pods [] [] [get list watch]" in lines
    assert "selfsubjectaccessreviews.authorization.k8s.io [] [] [create]" in lines
    assert any(line.startswith("[/version] [] [get]") for line in lines)
    # a SubjectAccessReview asks about someone else (components and webhooks do this)
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
              "spec": {"user": user, "resourceAttributes": {
                  "namespace": ns, "verb": "get", "resource": "pods"}}}
    answer = json.loads(admin.run("create", "-f", "-", "-o", "json", input=json.dumps(review)).stdout)
    assert answer["status"]["allowed"] is True
    review["spec"]["resourceAttributes"]["verb"] = "delete"
    answer = json.loads(admin.run("create", "-f", "-", "-o", "json", input=json.dumps(review)).stdout)
    assert answer["status"]["allowed"] is False
    # ... and needs rights of its own
    refused = as_user(admin, kubeconfig, "create", "-f", "-", input=json.dumps(review))
    assert (f'subjectaccessreviews.authorization.k8s.io is forbidden: User "{user}" cannot create '
            f'resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster '
            f'scope') in refused.stderr


def test_impersonation(admin, rbac_cluster, ns):
    user = f"imp-{uuid.uuid4().hex[:6]}"
    target = f"target-{uuid.uuid4().hex[:6]}"
    kubeconfig = make_user(rbac_cluster, user)
    admin.run("create", "rolebinding", "t-edit", "--clusterrole=edit", f"--user={target}", "-n", ns)
    # the admin may impersonate anyone: `kubectl --as` is how RBAC is tried out
    yes = admin.run("auth", "can-i", "create", "deployments", "-n", ns, f"--as={target}", check=False)
    assert yes.stdout.strip() == "yes"
    no = admin.run("auth", "can-i", "create", "rolebindings", "-n", ns, f"--as={target}", check=False)
    assert no.stdout.strip() == "no"
    denied = admin.run("get", "pods", "-n", "kube-system", f"--as={target}", check=False)
    assert (f'pods is forbidden: User "{target}" cannot list resource "pods" in API group "" in '
            f'the namespace "kube-system"') in denied.stderr
    # an ordinary user may not
    refused = as_user(admin, kubeconfig, "get", "pods", "-n", ns, f"--as={target}")
    assert (f'users "{target}" is forbidden: User "{user}" cannot impersonate resource "users" in '
            f'API group "" at the cluster scope') in refused.stderr
    admin.run("create", "clusterrole", f"impersonate-{user}", "--verb=impersonate",
              "--resource=users", f"--resource-name={target}")
    admin.run("create", "clusterrolebinding", f"impersonate-{user}",
              f"--clusterrole=impersonate-{user}", f"--user={user}")
    try:
        as_user(admin, kubeconfig, "get", "pods", "-n", ns, f"--as={target}", check=True)
        whoami = json.loads(as_user(admin, kubeconfig, "auth", "whoami", f"--as={target}",
                                    "-o", "json", check=True).stdout)
        assert whoami["status"]["userInfo"]["username"] == target
        # groups need their own grant
        grouped = as_user(admin, kubeconfig, "get", "pods", "-n", ns, f"--as={target}",
                          "--as-group=system:masters")
        assert (f'groups "system:masters" is forbidden: User "{user}" cannot impersonate resource '
                f'"groups" in API group "" at the cluster scope') in grouped.stderr
    finally:
        admin.run("delete", "clusterrolebinding", f"impersonate-{user}")
        admin.run("delete", "clusterrole", f"impersonate-{user}")


def test_escalation_is_refused(admin, rbac_cluster, ns):
    user = f"esc-{uuid.uuid4().hex[:6]}"
    kubeconfig = make_user(rbac_cluster, user)
    admin.run("create", "rolebinding", "ns-admin", "--clusterrole=admin", f"--user={user}", "-n", ns)
    wait_for(lambda: as_user(admin, kubeconfig, "auth", "can-i", "create", "roles",
                             "-n", ns).stdout.strip() == "yes")
    # what the user holds may be handed on
    as_user(admin, kubeconfig, "create", "role", "reader", "--verb=get", "--resource=pods",
            "-n", ns, check=True)
    as_user(admin, kubeconfig, "create", "rolebinding", "reader", "--role=reader", "--user=x",
            "-n", ns, check=True)
    # what it does not hold may not
    refused = as_user(admin, kubeconfig, "create", "role", "node-reader", "--verb=get",
                      "--resource=nodes", "-n", ns)
    assert refused.returncode != 0
    assert (f'roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "{user}" '
            f'(groups=["system:authenticated"]) is attempting to grant RBAC permissions not '
            f'currently held:\n{{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}}') in refused.stderr
    bound = as_user(admin, kubeconfig, "create", "rolebinding", "root", "--clusterrole=cluster-admin",
                    f"--user={user}", "-n", ns)
    assert bound.returncode != 0
    assert "is attempting to grant RBAC permissions not currently held" in bound.stderr
    # the `bind` verb on that role lifts the check for bindings
    admin.run("create", "role", "may-bind", "--verb=bind", "--resource=clusterroles",
              "--resource-name=cluster-admin", "-n", ns)
    admin.run("create", "rolebinding", "may-bind", "--role=may-bind", f"--user={user}", "-n", ns)
    wait_for(lambda: as_user(admin, kubeconfig, "create", "rolebinding", "root",
                             "--clusterrole=cluster-admin", "--user=someone-else",
                             "-n", ns).returncode == 0)


def _https_get(cluster: Server, path: str) -> tuple[int, dict | str]:
    context = ssl.create_default_context(cafile=str(cluster.data_dir / "pki" / "ca.crt"))
    try:
        with urllib.request.urlopen(cluster.url + path, context=context, timeout=30) as response:
            body = response.read().decode()
            code = response.status
    except urllib.error.HTTPError as exc:
        body, code = exc.read().decode(), exc.code
    try:
        return code, json.loads(body)
    except ValueError:
        return code, body


def test_anonymous_requests(rbac_cluster):
    code, body = _https_get(rbac_cluster, "/version")
    assert code == 200 and body["major"] == "1"
    assert _https_get(rbac_cluster, "/healthz")[0] == 200
    code, body = _https_get(rbac_cluster, "/api/v1/pods")
    assert code == 403
    assert body["message"] == ('pods is forbidden: User "system:anonymous" cannot list resource '
                               '"pods" in API group "" at the cluster scope')
    assert body["reason"] == "Forbidden" and body["details"] == {"kind": "pods"}
    # discovery is for authenticated users only (1.32's system:discovery binding)
    code, body = _https_get(rbac_cluster, "/apis")
    assert code == 403
    assert body["message"] == 'forbidden: User "system:anonymous" cannot get path "/apis"'


def test_components_run_with_their_own_identities(admin, ns):
    """The in-process controller manager and scheduler are not system:masters, yet
    a Deployment still gets its pods created and scheduled on the server's node."""
    bindings = admin.json("get", "clusterrolebindings")["items"]
    subjects = {b["metadata"]["name"]: [s.get("name") for s in b.get("subjects") or []]
                for b in bindings}
    assert subjects["system:kube-scheduler"] == ["system:kube-scheduler"]
    assert subjects["system:kube-controller-manager"] == ["system:kube-controller-manager"]
    assert subjects["cluster-admin"] == ["system:masters"]
    denied = admin.run("auth", "can-i", "create", "secrets", "-n", ns,
                       "--as=system:kube-scheduler", check=False)
    assert denied.stdout.strip() == "no"
    admin.run("create", "deployment", "cm-check", "--image=nginx", "--replicas=2", "-n", ns)
    wait_for(lambda: admin.json("get", "deployment", "cm-check", "-n", ns).get(
        "status", {}).get("replicas") == 2)
