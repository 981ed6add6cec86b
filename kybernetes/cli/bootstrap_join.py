# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes join SERVER --token T --discovery-token-ca-cert-hash sha256:H`, as kubeadm
joins a node: read kube-public/cluster-info without trusting the server yet, check its
JWS signature with the token and pin its CA by hash, then, authenticated by the token,
ask for a kubelet client certificate (a CertificateSigningRequest the controllers
approve and sign), write DATA_DIR/kubelet.kubeconfig and run the agent."""
from __future__ import annotations

import argparse
import asyncio
import base64
import secrets
import ssl
import time
from pathlib import Path

from kybernetes.cli.errors import UsageError

CLUSTER_INFO_PATH = "/api/v1/namespaces/kube-public/configmaps/cluster-info"
KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"
KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client"
KUBE_PROXY_USER = "system:kube-proxy"


class JoinError(Exception):
    """Discovery or TLS bootstrap refused: the message is kubeadm's."""


def add_join_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("endpoint", metavar="SERVER", help="API server, host:port or https://host:port")
    parser.add_argument("--token", required=True, help="bootstrap token <6>.<16> (for discovery and TLS bootstrap)")
    parser.add_argument("--discovery-token-ca-cert-hash", dest="ca_cert_hashes", action="append", default=[],
                        help="sha256:<hex> of the CA's public key to pin (repeatable)")
    parser.add_argument("--discovery-token-unsafe-skip-ca-verification", dest="skip_ca_verification",
                        action="store_true", help="trust the cluster-info CA without pinning it")
    parser.add_argument("--node-name", default="", help="this node's name (default: the host name)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where kubelet.kubeconfig is written (default /var/lib/kybernetes as root)")
    parser.add_argument("--discovery-timeout", default="5m", help="how long to wait for a signed cluster-info")
    parser.add_argument("--tls-bootstrap-timeout", default="5m",
                        help="how long to wait for the certificate to be approved and signed")
    from kybernetes.kubelet.flags import add_agent_flags
    add_agent_flags(parser)
    for action in parser._actions:  # join writes the kubeconfig the agent then uses
        if action.dest == "kubeconfig":
            action.required, action.default = False, None
            action.help = argparse.SUPPRESS


# --- pure steps ---------------------------------------------------------------------------

def endpoint_url(endpoint: str) -> str:
    text = endpoint.strip().rstrip("/")
    if not text:
        raise UsageError("the API server endpoint (SERVER) must not be empty")
    if text.startswith("http://"):
        raise UsageError(f"{endpoint}: the API server is reached over HTTPS")
    return text if text.startswith("https://") else f"https://{text}"


def check_discovery_flags(hashes_: list[str], skip: bool) -> list[str]:
    if not hashes_ and not skip:
        raise UsageError('discovery.bootstrapToken: Invalid value: "": using token-based discovery without '
                         'caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm '
                         'config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue')
    for item in hashes_:
        kind, _, digest = item.partition(":")
        if kind != "sha256" or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise UsageError(f'invalid hash "{item}", expected "sha256:" followed by 64 hex characters')
    return [h.lower() for h in hashes_]


def trusted_cluster_info(configmap: dict, token_id: str, token_secret: str, pinned: list[str],
                         skip_ca_verification: bool) -> tuple[str, bytes]:
    """(server URL, CA PEM) of a cluster-info ConfigMap signed by the token, with its CA
    pinned. Raises JoinError with kubeadm's messages."""
    import yaml
    from kybernetes.pki.certs import ca_hash
    from kybernetes.pki.jws import verify_detached
    data = configmap.get("data") or {}
    payload = data.get("kubeconfig")
    if payload is None:
        raise JoinError("there is no kubeconfig key in the cluster-info ConfigMap")
    signature = data.get(f"jws-kubeconfig-{token_id}")
    if signature is None:
        raise JoinError(f'token id "{token_id}" is invalid for this cluster or it has expired. Use '
                        f'"kybernetes token create" on the control-plane node to create a new valid token')
    if not verify_detached(signature, payload.encode(), token_id, token_secret):
        raise JoinError("failed to verify JWS signature of received cluster info object, can't trust this "
                        "API Server")
    try:
        config = yaml.safe_load(payload) or {}
        cluster = (config.get("clusters") or [{}])[0].get("cluster") or {}
        ca_pem = base64.b64decode(cluster["certificate-authority-data"])
        found = ca_hash(ca_pem)
    except (ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise JoinError(f"the cluster-info kubeconfig has no usable CA: {exc}") from None
    if not skip_ca_verification and found not in pinned:
        raise JoinError(f'cluster CA found in cluster-info ConfigMap is invalid: none of the public keys '
                        f'"{found}" are pinned')
    return cluster.get("server", ""), ca_pem


def client_csr(common_name: str, groups: list[str]) -> tuple[bytes, bytes]:
    """(private key PEM, CSR PEM) of an ECDSA P-256 key for user `common_name` in `groups`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, group) for group in groups]
    request = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name(names + [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
               .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return key_pem, request.public_bytes(serialization.Encoding.PEM)


def node_csr(node_name: str) -> tuple[bytes, bytes]:
    """(private key PEM, CSR PEM) for system:node:<name> in system:nodes."""
    return client_csr(f"system:node:{node_name}", ["system:nodes"])


def csr_object(node_name: str, csr_pem: bytes, signer: str = KUBELET_CLIENT_SIGNER,
               prefix: str = "node-csr") -> dict:
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": f"{prefix}-{node_name}-{secrets.token_hex(4)}"},
            "spec": {"request": base64.b64encode(csr_pem).decode(), "signerName": signer,
                     "usages": ["digital signature", "client auth"]}}


def csr_outcome(csr: dict) -> bytes | None:
    """The signed certificate PEM, None while pending; JoinError when denied or failed."""
    status = csr.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("type") in ("Denied", "Failed") and condition.get("status", "True") == "True":
            raise JoinError(f"certificate signing request {csr['metadata']['name']} was "
                            f"{condition['type'].lower()}: {condition.get('reason', '')} "
                            f"{condition.get('message', '')}".rstrip())
    if status.get("certificate"):
        return base64.b64decode(status["certificate"])
    return None


# --- I/O ----------------------------------------------------------------------------------

async def _fetch_cluster_info(server: str, context: ssl.SSLContext | bool) -> dict | None:
    from kybernetes.apiserver.errors import ApiError
    from kybernetes.client.rest import Client
    client = Client(server, ssl_context=context, user_agent="kybernetes-join")
    try:
        return await client.request("GET", CLUSTER_INFO_PATH)
    except ApiError as exc:
        if exc.code in (401, 403, 404):
            return None
        raise
    finally:
        await client.close()


async def discover(server: str, token_id: str, token_secret: str, pinned: list[str], skip: bool,
                   timeout: float) -> bytes:
    """The cluster CA, trusted through the signed cluster-info (retried while unsigned)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            configmap = await _fetch_cluster_info(server, False)
            if configmap is None:
                raise JoinError(f"the cluster-info ConfigMap is not readable at {server}")
            _, ca_pem = trusted_cluster_info(configmap, token_id, token_secret, pinned, skip)
            break
        except JoinError as exc:
            # an unsigned cluster-info may be signed shortly (a token created just now)
            if "invalid for this cluster" not in str(exc) and "not readable" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise JoinError(f"cannot reach {server}: {exc}") from None
        await asyncio.sleep(1.0)
    # read it again over TLS verified with the pinned CA: the server holds the CA's key
    context = ssl.create_default_context(cadata=ca_pem.decode())
    configmap = await _fetch_cluster_info(server, context)
    if configmap is None:
        raise JoinError("the cluster-info ConfigMap vanished during discovery")
    trusted_cluster_info(configmap, token_id, token_secret, pinned, skip)
    return ca_pem


async def request_certificate(server: str, ca_pem: bytes, token: str, csr: dict,
                              timeout: float) -> bytes:
    """The certificate PEM a CSR made with the bootstrap token gets once approved and signed."""
    from kybernetes.apiserver.errors import ApiError
    from kybernetes.client.rest import Client, resource
    csrs = resource("certificatesigningrequests.certificates.k8s.io")
    client = Client(server, ssl_context=ssl.create_default_context(cadata=ca_pem.decode()), token=token,
                    user_agent="kubelet")
    try:
        try:
            created = await client.create(csrs, csr)
        except ApiError as exc:
            if exc.code == 401:
                raise JoinError("the API server refused the bootstrap token (401 Unauthorized): it is "
                                "unknown, expired or not usable for authentication") from None
            raise JoinError(f"cannot create the certificate signing request: {exc}") from None
        name = created["metadata"]["name"]
        deadline = time.monotonic() + timeout
        while True:
            cert_pem = csr_outcome(await client.get(csrs, name))
            if cert_pem is not None:
                return cert_pem
            if time.monotonic() >= deadline:
                raise JoinError(f"timed out waiting for certificate signing request {name} to be "
                                f"approved and signed (`kubectl certificate approve {name}`)")
            await asyncio.sleep(0.5)
    finally:
        await client.close()


async def tls_bootstrap(server: str, ca_pem: bytes, token: str, node_name: str, timeout: float) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for system:node:<node_name>, via a CSR made with the token."""
    key_pem, csr_pem = node_csr(node_name)
    return await request_certificate(server, ca_pem, token, csr_object(node_name, csr_pem), timeout), key_pem


async def kube_proxy_credential(server: str, ca_pem: bytes, token: str, node_name: str,
                                timeout: float) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for system:kube-proxy, the identity of the node's proxy,
    NetworkPolicy and host-gw routes (seed 000 gives kube-proxy its own certificate too)."""
    key_pem, csr_pem = client_csr(KUBE_PROXY_USER, [])
    csr = csr_object(node_name, csr_pem, signer=KUBE_APISERVER_CLIENT_SIGNER, prefix="kube-proxy-csr")
    return await request_certificate(server, ca_pem, token, csr, timeout), key_pem


async def join_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.main import default_data_dir, parse_duration
    from kybernetes.kubelet.agent import agent_main
    from kybernetes.kubelet.kubelet import local_node_name
    from kybernetes.pki.tokens import TokenError, parse_token
    server = endpoint_url(args.endpoint)
    try:
        token_id, token_secret = parse_token(args.token)
    except TokenError as exc:
        raise UsageError(str(exc)) from None
    pinned = check_discovery_flags(args.ca_cert_hashes, args.skip_ca_verification)
    node_name = local_node_name(args.node_name or args.hostname_override)
    data_dir = (args.data_dir or default_data_dir()).expanduser()
    kubeconfig_path = data_dir / "kubelet.kubeconfig"
    if kubeconfig_path.exists():
        raise UsageError(f"[preflight] {kubeconfig_path} already exists: this node has joined; run "
                         f"`kybernetes agent --kubeconfig {kubeconfig_path}`, or remove it to join again")
    try:
        ca_pem = await discover(server, token_id, token_secret, pinned, args.skip_ca_verification,
                                parse_duration(args.discovery_timeout))
        print(f"[discovery] cluster-info verified with token {token_id}; CA pinned", flush=True)
        cert_pem, key_pem = await tls_bootstrap(server, ca_pem, args.token, node_name,
                                                parse_duration(args.tls_bootstrap_timeout))
        proxy_cert_pem, proxy_key_pem = await kube_proxy_credential(
            server, ca_pem, args.token, node_name, parse_duration(args.tls_bootstrap_timeout))
    except JoinError as exc:
        raise UsageError(str(exc)) from None
    # as the kubelet after TLS bootstrap: the pair in <cert-dir>/kubelet-client-current.pem,
    # which the kubeconfig names and certificate rotation replaces
    from kybernetes.kubelet.certrotation import cert_dir, write_bootstrapped
    write_bootstrapped(kubeconfig_path, cert_dir(args), server, ca_pem, cert_pem, key_pem)
    # the node's proxy, NetworkPolicy and routes run as system:kube-proxy, not as the node
    from kybernetes.pki.certs import CertPair
    from kybernetes.pki.kubeconfig import kubeconfig_yaml, write_kubeconfig
    proxy_kubeconfig = data_dir / "kube-proxy.kubeconfig"
    write_kubeconfig(proxy_kubeconfig, kubeconfig_yaml(server, ca_pem, client=CertPair(
        proxy_cert_pem, proxy_key_pem), user_name=KUBE_PROXY_USER, context_name="default"))
    if getattr(args, "proxy_kubeconfig", None) is None:
        args.proxy_kubeconfig = proxy_kubeconfig
    print(f"[kubelet-start] wrote {kubeconfig_path} for system:node:{node_name}; starting the agent\n\n"
          "This node has joined the cluster:\n"
          "* Certificate signing request was sent to apiserver and a response was received.\n\n"
          "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.", flush=True)
    args.kubeconfig = kubeconfig_path
    args.hostname_override = node_name
    return await agent_main(args)


async def kubelet_tls_bootstrap(bootstrap_kubeconfig: Path, kubeconfig_path: Path, node_name: str,
                                timeout: float = 300.0, pki_dir: Path | None = None) -> None:
    """The kubelet's --bootstrap-kubeconfig: a certificate for system:node:<name> obtained
    with the bootstrap kubeconfig's token, written to `kubeconfig_path` (with `pki_dir`:
    stored there as kubelet-client-current.pem, which the kubeconfig names)."""
    from kybernetes.pki.certs import CertPair
    from kybernetes.pki.kubeconfig import KubeconfigError, kubeconfig_yaml, load_kubeconfig, write_kubeconfig
    try:
        config = load_kubeconfig(bootstrap_kubeconfig)
        server, ca_pem, token = config.server(), config.ca_pem(), config.token()
    except KubeconfigError as exc:
        raise JoinError(f"{bootstrap_kubeconfig}: {exc}") from None
    if not ca_pem or not token:
        raise JoinError(f"{bootstrap_kubeconfig} needs the cluster's CA and a bootstrap token")
    cert_pem, key_pem = await tls_bootstrap(server, ca_pem, token, node_name, timeout)
    if pki_dir is not None:
        from kybernetes.kubelet.certrotation import write_bootstrapped
        write_bootstrapped(kubeconfig_path, pki_dir, server, ca_pem, cert_pem, key_pem)
        return
    write_kubeconfig(kubeconfig_path, kubeconfig_yaml(server, ca_pem, client=CertPair(cert_pem, key_pem),
                                                      user_name=f"system:node:{node_name}", context_name="default"))
