# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Authentication against a real server: static tokens, bootstrap tokens, client
certificates (good, forged, expired), anonymous requests, TokenReview, driven with the
real kubectl and plain HTTPS."""
from __future__ import annotations

import base64
import datetime
import json
import subprocess
import uuid
from pathlib import Path

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.integration.conftest import KUBECTL_DIR, Kubectl, Server

pytestmark = pytest.mark.skipif(not (KUBECTL_DIR / "kubectl.1.32").exists(),
                                reason="kubectl 1.32 is not installed")

STATIC_TOKEN = "s3cr3t-" + uuid.uuid4().hex
BOOTSTRAP_ID, BOOTSTRAP_SECRET = "k7x2pq", "0123456789abcdef"


@pytest.fixture(scope="module")
def authn_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("authn")
    tokens = data / "tokens.csv"
    tokens.write_text(f'{STATIC_TOKEN},alice,uid-alice,"devs,ops"\n')
    srv = Server(data / "srv", ["--token-auth-file", str(tokens)], command="server").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(authn_server, tmp_path_factory) -> Kubectl:
    return Kubectl(authn_server, tmp_path_factory.mktemp("authn-cache"))


def token_kubeconfig(server: Server, path: Path, token: str | None) -> Path:
    ca = base64.b64encode((server.data_dir / "pki" / "ca.crt").read_bytes()).decode()
    user = json.dumps({"token": token} if token else {})
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {{server: "{server.url}", certificate-authority-data: {ca}}}
users:
- name: u
  user: {user}
contexts:
- name: x
  context: {{cluster: c, user: u}}
current-context: x
""")
    return path


def as_token(admin: Kubectl, tmp_path: Path, token: str, *args: str) -> subprocess.CompletedProcess:
    config = token_kubeconfig(admin.server, tmp_path / f"k-{uuid.uuid4().hex[:6]}", token)
    return admin.run(*args, env={"KUBECONFIG": str(config)}, check=False)


def whoami(admin: Kubectl, tmp_path: Path, token: str) -> dict:
    result = as_token(admin, tmp_path, token, "auth", "whoami", "-o", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["status"]["userInfo"]


def https(server: Server, cert: tuple[Path, Path] | None = None) -> urllib3.PoolManager:
    ca = str(server.data_dir / "pki" / "ca.crt")
    if cert is None:
        return urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=ca)
    return urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=ca,
                               cert_file=str(cert[0]), key_file=str(cert[1]))


SELF_REVIEW = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})


def self_review(pool: urllib3.PoolManager, server: Server, headers: dict | None = None):
    response = pool.request("POST", server.url + "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                            body=SELF_REVIEW, headers={"Content-Type": "application/json", **(headers or {})})
    return response.status, json.loads(response.data)


def test_static_token_user(admin, tmp_path):
    assert whoami(admin, tmp_path, STATIC_TOKEN) == {
        "username": "alice", "uid": "uid-alice", "groups": ["devs", "ops", "system:authenticated"]}


def test_unknown_token_is_401(admin, tmp_path):
    result = as_token(admin, tmp_path, "not-a-token", "get", "namespaces")
    assert result.returncode == 1
    assert "You must be logged in to the server" in result.stderr
    status, body = self_review(https(admin.server), admin.server, {"Authorization": "Bearer nope"})
    assert status == 401 and body["reason"] == "Unauthorized" and body["kind"] == "Status"


def _bootstrap_secret(token_id: str, secret: str, expiration: str | None = None) -> str:
    data = {"token-id": token_id, "token-secret": secret, "usage-bootstrap-authentication": "true",
            "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token"}
    if expiration:
        data["expiration"] = expiration
    return json.dumps({"apiVersion": "v1", "kind": "Secret", "type": "bootstrap.kubernetes.io/token",
                       "metadata": {"name": f"bootstrap-token-{token_id}", "namespace": "kube-system"},
                       "stringData": data})


def test_bootstrap_token(admin, tmp_path):
    admin.run("apply", "-f", "-", input=_bootstrap_secret(BOOTSTRAP_ID, BOOTSTRAP_SECRET))
    try:
        assert whoami(admin, tmp_path, f"{BOOTSTRAP_ID}.{BOOTSTRAP_SECRET}") == {
            "username": f"system:bootstrap:{BOOTSTRAP_ID}",
            "groups": ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token",
                       "system:authenticated"]}
        wrong = as_token(admin, tmp_path, f"{BOOTSTRAP_ID}.ffffffffffffffff", "get", "namespaces")
        assert "You must be logged in" in wrong.stderr
    finally:
        admin.run("delete", "secret", "-n", "kube-system", f"bootstrap-token-{BOOTSTRAP_ID}")
    gone = as_token(admin, tmp_path, f"{BOOTSTRAP_ID}.{BOOTSTRAP_SECRET}", "get", "namespaces")
    assert "You must be logged in" in gone.stderr


def test_expired_bootstrap_token_is_401(admin, tmp_path):
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
    admin.run("apply", "-f", "-", input=_bootstrap_secret("old123", BOOTSTRAP_SECRET,
                                                         past.strftime("%Y-%m-%dT%H:%M:%SZ")))
    try:
        result = as_token(admin, tmp_path, f"old123.{BOOTSTRAP_SECRET}", "get", "namespaces")
        assert result.returncode == 1 and "You must be logged in" in result.stderr
    finally:
        admin.run("delete", "secret", "-n", "kube-system", "bootstrap-token-old123",
                  "--ignore-not-found")


def test_anonymous_requests_under_rbac(admin):
    """Anonymous requests are system:anonymous; RBAC's system:public-info-viewer lets them
    read only /version and the health checks."""
    pool = https(admin.server)
    for path in ("/version", "/healthz", "/livez", "/readyz"):
        assert pool.request("GET", admin.server.url + path).status == 200, path
    response = pool.request("GET", admin.server.url + "/api/v1/namespaces")
    body = json.loads(response.data)
    assert response.status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == ('namespaces is forbidden: User "system:anonymous" cannot list '
                               'resource "namespaces" in API group "" at the cluster scope')
    status, body = self_review(pool, admin.server)
    assert status == 403 and 'User "system:anonymous"' in body["message"]


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("always-allow"), ["--authorization-mode=AlwaysAllow"]).start()
    yield srv
    srv.stop()


def test_anonymous_whoami_without_rbac(open_server):
    status, body = self_review(https(open_server), open_server)
    assert status == 201
    assert body["status"]["userInfo"] == {"username": "system:anonymous",
                                          "groups": ["system:unauthenticated"]}


def _client_cert(tmp_path: Path, name: str, issuer_cert: x509.Certificate, issuer_key,
                 not_before: datetime.datetime, not_after: datetime.datetime) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(issuer_key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _cluster_ca(server: Server):
    pki = server.data_dir / "pki"
    cert = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())
    key = serialization.load_pem_private_key((pki / "ca.key").read_bytes(), password=None)
    return cert, key


def test_client_certificates(admin, tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_cert, ca_key = _cluster_ca(admin.server)
    good = _client_cert(tmp_path, "carol", ca_cert, ca_key, now - datetime.timedelta(hours=1),
                        now + datetime.timedelta(days=1))
    status, body = self_review(https(admin.server, good), admin.server)
    assert status == 201
    fingerprint = x509.load_pem_x509_certificate(good[0].read_bytes()).fingerprint(hashes.SHA256())
    assert body["status"]["userInfo"] == {
        "username": "carol", "groups": ["system:masters", "system:authenticated"],
        "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=" + fingerprint.hex()]}}

    expired = _client_cert(tmp_path, "expired", ca_cert, ca_key, now - datetime.timedelta(days=2),
                           now - datetime.timedelta(days=1))
    status, body = self_review(https(admin.server, expired), admin.server)
    assert status == 401 and body["reason"] == "Unauthorized"

    from kybernetes.pki import certs
    other_ca = certs.new_ca()
    forged = _client_cert(tmp_path, "admin", other_ca.certificate(), other_ca.private_key(),
                          now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1))
    status, body = self_review(https(admin.server, forged), admin.server)
    assert status == 401 and body["reason"] == "Unauthorized"
    # as upstream's union of authenticators: a good token still counts beside a bad certificate
    status, body = self_review(https(admin.server, forged), admin.server,
                               {"Authorization": f"Bearer {STATIC_TOKEN}"})
    assert status == 201 and body["status"]["userInfo"]["username"] == "alice"


def test_forged_certificate_refused_by_kubectl(admin, tmp_path):
    from kybernetes.pki import certs, kubeconfig
    other_ca = certs.new_ca()
    forged = certs.new_client_cert(other_ca, "admin", ["system:masters"])
    config = tmp_path / "forged.kubeconfig"
    kubeconfig.write_kubeconfig(config, kubeconfig.kubeconfig_yaml(
        admin.server.url, (admin.server.data_dir / "pki" / "ca.crt").read_bytes(), client=forged))
    result = admin.run("get", "namespaces", env={"KUBECONFIG": str(config)}, check=False)
    assert result.returncode == 1
    assert "You must be logged in to the server" in result.stderr


def test_token_review(admin, tmp_path):
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
              "spec": {"token": STATIC_TOKEN}}
    answer = json.loads(admin.run("create", "-f", "-", "-o", "json", input=json.dumps(review)).stdout)
    assert answer["status"]["authenticated"] is True
    assert answer["status"]["user"] == {"username": "alice", "uid": "uid-alice",
                                        "groups": ["devs", "ops", "system:authenticated"]}
    review["spec"]["token"] = "wrong"
    answer = json.loads(admin.run("create", "-f", "-", "-o", "json", input=json.dumps(review)).stdout)
    assert answer["status"]["authenticated"] is False


@pytest.fixture(scope="module")
def closed_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("no-anon"), ["--anonymous-auth=false"]).start()
    yield srv
    srv.stop()


def test_anonymous_auth_false_is_401(closed_server):
    status, body = self_review(https(closed_server), closed_server)
    assert status == 401 and body["reason"] == "Unauthorized"
    response = https(closed_server).request("GET", closed_server.url + "/api/v1/namespaces")
    assert response.status == 401
    # the kubectl dispatcher still learns the version
    assert https(closed_server).request("GET", closed_server.url + "/version").status == 200


@pytest.fixture(scope="module")
def legacy_key_server(tmp_path_factory):
    """A seed-000-style unit: --service-account-key-file names another key pair's public
    half; the server still accepts what it signs itself."""
    from kybernetes.pki import certs
    data = tmp_path_factory.mktemp("legacy-key")
    private_pem, public_pem = certs.new_service_account_key()
    (data / "service-account-key.pem").write_bytes(private_pem)
    (data / "service-account.pem").write_bytes(public_pem)
    srv = Server(data / "srv", ["--service-account-key-file", str(data / "service-account.pem"),
                                "--service-account-max-token-expiration", "30m"]).start()
    yield srv, data / "service-account-key.pem"
    srv.stop()


def test_both_the_listed_key_and_the_signing_key_verify(legacy_key_server, tmp_path):
    from kybernetes.apiserver.authn import serviceaccount as sa_tokens
    from kybernetes.pki import jwt
    srv, legacy_key_path = legacy_key_server
    k = Kubectl(srv, tmp_path / "cache")
    k.run("create", "serviceaccount", "robot")
    issued = k.run("create", "token", "robot").stdout.strip()
    assert whoami(k, tmp_path, issued)["username"] == "system:serviceaccount:default:robot"
    account = k.json("get", "serviceaccount", "robot")
    claims = sa_tokens.bound_claims(issuer=sa_tokens.DEFAULT_ISSUER,
                                    audiences=[sa_tokens.DEFAULT_ISSUER], service_account=account,
                                    now=int(datetime.datetime.now().timestamp()),
                                    expiration_seconds=3600)
    by_listed_key = jwt.sign(claims, jwt.load_private_key(legacy_key_path.read_bytes()))
    assert whoami(k, tmp_path, by_listed_key)["username"] == "system:serviceaccount:default:robot"


def test_websocket_token_subprotocol(admin):
    """Websocket clients that cannot set headers send the token as the subprotocol
    base64url.bearer.authorization.k8s.io.<token>."""
    import asyncio
    import ssl

    import aiohttp

    async def upgrade(token: str) -> tuple[int, str]:
        encoded = base64.urlsafe_b64encode(token.encode()).rstrip(b"=").decode()
        context = ssl.create_default_context(cafile=str(admin.server.data_dir / "pki" / "ca.crt"))
        url = admin.server.url + "/api"  # discovery: for authenticated users only
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url, ssl=context, protocols=(
                        f"base64url.bearer.authorization.k8s.io.{encoded}", "v5.channel.k8s.io")):
                    return 101, ""
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status, exc.message

    assert asyncio.run(upgrade("wrong"))[0] == 401
    assert asyncio.run(upgrade(""))[0] == 403  # anonymous: system:discovery is not theirs
    # alice is authenticated: discovery answers (200, which is no websocket upgrade)
    assert asyncio.run(upgrade(STATIC_TOKEN))[0] == 200


def test_max_token_expiration_shortens_requests(legacy_key_server, tmp_path):
    from kybernetes.pki import jwt
    srv, _ = legacy_key_server
    k = Kubectl(srv, tmp_path / "cache")
    k.run("create", "serviceaccount", "brief")
    result = k.run("create", "token", "brief", "--duration", "2h")
    claims = jwt.unverified_claims(result.stdout.strip())
    assert claims["exp"] - claims["iat"] == 1800
    assert "requested expiration of 7200 seconds shortened to 1800 seconds" in result.stderr
