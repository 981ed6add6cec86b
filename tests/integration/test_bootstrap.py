# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kubeadm-style bootstrap against a real `kybernetes server`: bootstrap tokens, the
signed cluster-info, CSR approval and signing (also with `kubectl certificate`), `kybernetes
join` of a node with the fake runtime, and `kybernetes certs`."""
from __future__ import annotations

import base64
import json
import re
import signal
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kybernetes.pki import certs, jws
from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")
TOKEN = re.compile(r"^[a-z0-9]{6}\.[a-z0-9]{16}$")


def kybernetes(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", *args], capture_output=True,
                            text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"kybernetes {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("bootstrap"), command="server").start()  # --disable-agent
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def kubectl(cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(cluster, tmp_path_factory.mktemp("bootstrap-kubectl"))


def data_dir_args(cluster: Server) -> list[str]:
    return ["--data-dir", str(cluster.data_dir)]


def create_token(cluster: Server, *extra: str) -> str:
    return kybernetes("token", "create", *data_dir_args(cluster), *extra).stdout.strip()


def anonymous_cluster_info(cluster: Server) -> dict:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    url = f"{cluster.url}/api/v1/namespaces/kube-public/configmaps/cluster-info"
    with urllib.request.urlopen(url, context=context, timeout=10) as response:
        return json.loads(response.read())


def test_token_create_list_delete(cluster, kubectl) -> None:
    token = create_token(cluster, "--description", "for the test", "--ttl", "2h")
    assert TOKEN.match(token)
    token_id, secret_half = token.split(".")
    secret = kubectl.json("-n", "kube-system", "get", "secret", f"bootstrap-token-{token_id}")
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert secret["type"] == "bootstrap.kubernetes.io/token"
    assert data["token-id"] == token_id and data["token-secret"] == secret_half
    assert data["usage-bootstrap-authentication"] == data["usage-bootstrap-signing"] == "true"
    assert data["auth-extra-groups"] == "system:bootstrappers:kubeadm:default-node-token"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", data["expiration"])
    listed = kybernetes("token", "list", *data_dir_args(cluster)).stdout.splitlines()
    assert listed[0].split() == ["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA", "GROUPS"]
    row = next(line for line in listed if line.startswith(token))
    assert "for the test" in row and row.split()[1] in ("1h", "2h", "119m", "120m")
    again = kybernetes("token", "create", *data_dir_args(cluster), token, check=False)
    assert again.returncode == 2 and f'a token with id "{token_id}" already exists' in again.stderr
    assert kybernetes("token", "delete", *data_dir_args(cluster), token_id).stdout.strip() == \
        f'bootstrap token "{token_id}" deleted'
    assert token not in kybernetes("token", "list", *data_dir_args(cluster)).stdout
    missing = kybernetes("token", "delete", *data_dir_args(cluster), token_id, check=False)
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_print_join_command_has_the_ca_hash(cluster) -> None:
    line = create_token(cluster, "--print-join-command")
    ca_hash = certs.ca_hash((cluster.data_dir / "pki" / "ca.crt").read_bytes())
    match = re.match(r"^kybernetes join 127\.0\.0\.1:(\d+) --token (\S+) --discovery-token-ca-cert-hash (\S+)$", line)
    assert match, line
    assert int(match.group(1)) == cluster.port and TOKEN.match(match.group(2)) and match.group(3) == ca_hash


def test_cluster_info_is_signed_and_public(cluster) -> None:
    token = create_token(cluster)
    token_id, secret_half = token.split(".")

    def signed():
        data = anonymous_cluster_info(cluster)["data"]
        return data if f"jws-kubeconfig-{token_id}" in data else None
    data = wait_for(signed)
    assert jws.verify_detached(data[f"jws-kubeconfig-{token_id}"], data["kubeconfig"].encode(), token_id, secret_half)
    config = yaml.safe_load(data["kubeconfig"])
    assert base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]) == \
        (cluster.data_dir / "pki" / "ca.crt").read_bytes()
    assert not config.get("users")
    kybernetes("token", "delete", *data_dir_args(cluster), token_id)
    wait_for(lambda: f"jws-kubeconfig-{token_id}" not in anonymous_cluster_info(cluster)["data"])


def test_expired_tokens_are_cleaned(cluster, kubectl) -> None:
    token_id = create_token(cluster, "--ttl", "2s").split(".")[0]
    wait_for(lambda: kubectl.run("-n", "kube-system", "get", "secret", f"bootstrap-token-{token_id}",
                                 check=False).returncode != 0)


def _csr_yaml(name: str, cn: str, orgs: list[str], signer: str, usages: list[str], seconds: int | None = None) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, hashes.SHA256())
    spec = {"request": base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode(),
            "signerName": signer, "usages": usages}
    if seconds:
        spec["expirationSeconds"] = seconds
    return yaml.safe_dump({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                           "metadata": {"name": name}, "spec": spec})


def test_kubectl_certificate_approve_and_deny(cluster, kubectl) -> None:
    kubectl.run("apply", "-f", "-", input=_csr_yaml("jane", "jane", ["devs"], "kubernetes.io/kube-apiserver-client",
                                                     ["digital signature", "client auth"], seconds=3600))
    kubectl.run("apply", "-f", "-", input=_csr_yaml("mallory", "mallory", [], "kubernetes.io/kube-apiserver-client",
                                                     ["client auth"]))
    listed = kubectl.run("get", "csr").stdout
    assert re.search(r"^jane\s.*kubernetes\.io/kube-apiserver-client\s+admin\s+60m\s+Pending$", listed, re.M), listed
    assert kubectl.json("get", "csr", "jane")["spec"]["username"] == "admin"
    kubectl.run("certificate", "approve", "jane")
    kubectl.run("certificate", "deny", "mallory")
    issued = wait_for(lambda: kubectl.json("get", "csr", "jane").get("status", {}).get("certificate"))
    pem = base64.b64decode(issued)
    assert certs.is_signed_by(pem, (cluster.data_dir / "pki" / "ca.crt").read_bytes())
    cert = x509.load_pem_x509_certificate(pem)
    assert cert.subject.rfc4514_string() == "CN=jane,O=devs"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime.total_seconds() <= 3600 + 5 * 60  # backdated five minutes, as upstream
    assert "Approved,Issued" in kubectl.run("get", "csr", "jane").stdout
    assert re.search(r"^mallory\s.*Denied$", kubectl.run("get", "csr").stdout, re.M)
    assert not kubectl.json("get", "csr", "mallory").get("status", {}).get("certificate")


def test_invalid_request_for_the_signer_fails(cluster, kubectl) -> None:
    # a kubelet client request for a non-node subject: approved by hand, refused by the signer
    kubectl.run("apply", "-f", "-", input=_csr_yaml("not-a-node", "bob", ["system:nodes"],
                                                     "kubernetes.io/kube-apiserver-client-kubelet",
                                                     ["digital signature", "client auth"]))
    kubectl.run("certificate", "approve", "not-a-node")

    def failed():
        conditions = kubectl.json("get", "csr", "not-a-node").get("status", {}).get("conditions") or []
        return next((c for c in conditions if c["type"] == "Failed"), None)
    condition = wait_for(failed)
    assert condition["reason"] == "SignerValidationFailure" and "system:node:" in condition["message"]


@pytest.fixture
def join_dir(tmp_path) -> Path:
    return tmp_path / "node"


def _join(cluster: Server, token: str, ca_hash: str, node: str, data_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kybernetes.cli.main", "join", f"127.0.0.1:{cluster.port}", "--token", token,
            "--discovery-token-ca-cert-hash", ca_hash, "--runtime", "fake", "--node-name", node,
            "--data-dir", str(data_dir), "--root-dir", str(data_dir / "kubelet"), "--port", "0", *extra]


def test_join_a_node(cluster, kubectl, join_dir, tmp_path) -> None:
    token = create_token(cluster)
    ca_hash = certs.ca_hash((cluster.data_dir / "pki" / "ca.crt").read_bytes())
    log = open(tmp_path / "join.log", "wb")
    process = subprocess.Popen(_join(cluster, token, ca_hash, "joined-1", join_dir), stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def ready():
            if process.poll() is not None:
                raise AssertionError((tmp_path / "join.log").read_text())
            result = kubectl.run("get", "node", "joined-1", "-o", "json", check=False)
            if result.returncode != 0:
                return False
            conditions = json.loads(result.stdout)["status"].get("conditions") or []
            return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)
        wait_for(ready)
        csrs = kubectl.json("get", "csr")["items"]
        ours = {c["spec"]["signerName"]: c for c in csrs
                if c["spec"]["username"] == f"system:bootstrap:{token.split('.')[0]}"}
        # the kubelet's certificate, and the credential of the node's kube-proxy
        assert sorted(ours) == ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet"]
        for signer, what in (("kubernetes.io/kube-apiserver-client-kubelet", "kubelet"),
                             ("kubernetes.io/kube-apiserver-client", "kube-proxy")):
            approved = next(c for c in ours[signer]["status"]["conditions"] if c["type"] == "Approved")
            assert approved["reason"] == "AutoApproved"
            assert approved["message"] == f"Auto approving {what} client certificate after SubjectAccessReview."
        proxy = Kubectl(cluster, tmp_path / "proxy-kubectl")
        proxy_env = {"KUBECONFIG": str(join_dir / "kube-proxy.kubeconfig")}
        who = json.loads(proxy.run("auth", "whoami", "-o", "json", env=proxy_env).stdout)["status"]["userInfo"]
        assert who["username"] == "system:kube-proxy"
        kubelet_config = join_dir / "kubelet.kubeconfig"
        node = Kubectl(cluster, tmp_path / "node-kubectl")
        env = {"KUBECONFIG": str(kubelet_config)}
        whoami = json.loads(node.run("auth", "whoami", "-o", "json", env=env).stdout)["status"]["userInfo"]
        assert whoami["username"] == "system:node:joined-1" and "system:nodes" in whoami["groups"]
        # NodeRestriction: the joined node may label itself but not another node
        kubectl.run("apply", "-f", "-", input=yaml.safe_dump(
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "someone-else"}}))
        refused = node.run("label", "node", "someone-else", "x=y", env=env, check=False)
        assert refused.returncode != 0 and "Forbidden" in refused.stderr + refused.stdout
        # joining again over an existing kubelet.kubeconfig is refused
        again = kybernetes(*_join(cluster, token, ca_hash, "joined-1", join_dir)[3:], check=False)
        assert again.returncode == 2 and "already exists" in again.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        kubectl.run("delete", "node", "joined-1", "someone-else", "--ignore-not-found", check=False)


def test_join_refuses_a_wrong_ca_hash_or_token(cluster, join_dir) -> None:
    token = create_token(cluster)
    ca_hash = certs.ca_hash((cluster.data_dir / "pki" / "ca.crt").read_bytes())
    wrong_hash = "sha256:" + "0" * 64
    result = kybernetes(*_join(cluster, token, wrong_hash, "nope", join_dir)[3:], check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f'kybernetes: error: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys '
        f'"{ca_hash}" are pinned']
    forged = token.split(".")[0] + ".0000000000000000"
    result = kybernetes(*_join(cluster, forged, ca_hash, "nope", join_dir)[3:], check=False)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "failed to verify JWS signature" in result.stderr
    unknown = "zzzzzz.0000000000000000"
    result = kybernetes(*_join(cluster, unknown, ca_hash, "nope", join_dir)[3:], "--discovery-timeout", "2s",
                        check=False)
    assert result.returncode == 2 and 'token id "zzzzzz" is invalid for this cluster' in result.stderr
    assert not (join_dir / "kubelet.kubeconfig").exists()


def test_certs_check_expiration_and_renew(cluster) -> None:
    report = kybernetes("certs", "check-expiration", *data_dir_args(cluster)).stdout
    first, second = report.split("\n\n")
    header = first.splitlines()[0]
    assert re.split(r"\s{2,}", header) == ["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY",
                                           "EXTERNALLY MANAGED"]
    names = {line.split()[0]: line for line in first.splitlines()[1:]}
    assert {"admin.kubeconfig", "apiserver", "apiserver-kubelet-client", "front-proxy-client"} <= set(names)
    assert re.search(r"\s364d\s+ca\s+no$", names["apiserver"])
    assert re.search(r"\sfront-proxy-ca\s+no$", names["front-proxy-client"])
    cas = {line.split()[0]: line for line in second.splitlines()[1:]}
    assert re.search(r"\s9y\s+no$", cas["ca"]) and "front-proxy-ca" in cas
    pki = cluster.data_dir / "pki"
    before = (pki / "apiserver.crt").read_bytes()
    out = kybernetes("certs", "renew", "apiserver", *data_dir_args(cluster)).stdout
    assert "certificate apiserver renewed" in out
    after = (pki / "apiserver.crt").read_bytes()
    assert after != before and certs.is_signed_by(after, (pki / "ca.crt").read_bytes())
    assert certs.cert_sans(after) == certs.cert_sans(before)
    old, new = x509.load_pem_x509_certificate(before), x509.load_pem_x509_certificate(after)
    assert new.subject == old.subject and new.public_key().public_numbers() == old.public_key().public_numbers()
    unknown = kybernetes("certs", "renew", "nonsense", *data_dir_args(cluster), check=False)
    assert unknown.returncode == 2 and 'unknown certificate "nonsense"' in unknown.stderr


def test_agent_bootstrap_kubeconfig(cluster, kubectl, tmp_path) -> None:
    from kybernetes.pki.kubeconfig import kubeconfig_yaml, write_kubeconfig
    token = create_token(cluster)
    bootstrap = tmp_path / "bootstrap-kubelet.conf"
    write_kubeconfig(bootstrap, kubeconfig_yaml(cluster.url, (cluster.data_dir / "pki" / "ca.crt").read_bytes(),
                                                token=token, user_name="tls-bootstrap-token-user"))
    kubelet_conf = tmp_path / "kubelet.conf"
    log = open(tmp_path / "agent.log", "wb")
    agent = subprocess.Popen([sys.executable, "-m", "kybernetes.cli.main", "agent", "--bootstrap-kubeconfig",
                              str(bootstrap), "--kubeconfig", str(kubelet_conf), "--runtime", "fake",
                              "--hostname-override", "boot-1", "--root-dir", str(tmp_path / "kubelet"),
                              "--port", "0"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def ready():
            assert agent.poll() is None, (tmp_path / "agent.log").read_text()
            result = kubectl.run("get", "node", "boot-1", "-o", "json", check=False)
            return result.returncode == 0 and any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in json.loads(result.stdout)["status"].get("conditions") or [])
        wait_for(ready)
        from kybernetes.pki.kubeconfig import load_kubeconfig
        cert = x509.load_pem_x509_certificate(load_kubeconfig(kubelet_conf).client_cert_pem())
        assert cert.subject.rfc4514_string() == "CN=system:node:boot-1,O=system:nodes"
    finally:
        agent.terminate()
        try:
            agent.wait(timeout=20)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
        log.close()
        kubectl.run("delete", "node", "boot-1", "--ignore-not-found", check=False)
