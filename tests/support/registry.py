# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A real image registry for the tests: Debian's `docker-registry` on loopback, images
pushed to it over the distribution API, and a registries.yaml sending docker.io there.

    registry = start_registry(tmp_path)          # or the `registry` fixture helper
    seed_registry(registry)                      # busybox, nginx, alpine under their seed tags
    write_registries_yaml(data_dir / "registries.yaml", registry.url)
    ...
    registry.stop()

The image builders live in tests/support/image_builder.py (re-exported here).
"""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from tests.support.image_builder import (Image, alpine_image, busybox_image, busybox_layer,  # noqa: F401
                                         gzip_layer, nginx_image, sha256)

DOCKER_REGISTRY = "/usr/bin/docker-registry"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

# The tags the seeds' YAML uses (grep `image:` in /work/shared/seeds) and the usual ones.
SEED_TAGS = {
    "busybox": ["latest", "1.28", "1.35", "1.36"],
    "nginx": ["latest", "1.7.9", "1.9.1", "1.14.2", "1.25", "alpine"],
    "alpine": ["latest", "3", "3.19"],
}


def registry_available() -> bool:
    return os.access(DOCKER_REGISTRY, os.X_OK)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bcrypt_htpasswd_line(user: str, password: str) -> str | None:
    """`user:$2b$...` (the only hash docker-registry's htpasswd accepts), from glibc's
    libxcrypt through the crypt module; None when neither it nor `bcrypt` can."""
    try:
        import bcrypt  # type: ignore[import-not-found]
        return f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()}"
    except ImportError:
        pass
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        salt = base64.b64encode(os.urandom(16)).decode()[:22].replace("+", ".")
        hashed = crypt.crypt(password, f"$2b$05${salt}")
    except (ImportError, OSError):
        return None
    return f"{user}:{hashed}" if hashed and hashed.startswith("$2b$") else None


@dataclass
class Registry:
    url: str  # http://127.0.0.1:PORT
    directory: Path
    process: subprocess.Popen | None = None
    credentials: tuple[str, str] | None = None  # (user, password) when htpasswd auth is on
    log: Path | None = None
    ca_file: Path | None = None  # the certificate to trust, when serving HTTPS

    @property
    def host(self) -> str:
        """127.0.0.1:PORT, as image references name it."""
        return urlsplit(self.url).netloc

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def push(self, repo: str, tag: str, image: Image, **options) -> str:
        return push_image(self.url, repo, tag, image.layers, image.config, auth=self.credentials,
                          extra=image.extra, **options)


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A serving certificate for 127.0.0.1 and localhost (it is its own CA)."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kybernetes test registry")])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "registry.crt", directory / "registry.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def start_registry(tmp_path: Path, users: dict[str, str] | None = None, token_server=None,
                   tls: bool = False) -> Registry:
    """Start docker-registry with storage under tmp_path; with `users`, htpasswd auth
    (Basic); with `token_server` (tests/support/token_auth.py), Bearer token auth as
    Docker Hub's; with `tls`, HTTPS with a self-signed certificate (Registry.ca_file).
    Waits until /v2/ answers."""
    directory = Path(tmp_path) / f"registry-{free_port()}"
    (directory / "storage").mkdir(parents=True)
    port = free_port()
    auth_section = ""
    credentials = None
    if users and token_server is None:
        lines = [bcrypt_htpasswd_line(user, password) for user, password in users.items()]
        if None in lines:
            raise RuntimeError("cannot make bcrypt password hashes here")
        (directory / "htpasswd").write_text("\n".join(lines) + "\n")
        auth_section = (f"auth:\n  htpasswd:\n    realm: kybernetes-test\n"
                        f"    path: {directory / 'htpasswd'}\n")
        credentials = next(iter(users.items()))
    if token_server is not None:
        auth_section = token_server.registry_auth_section()
        credentials = next(iter(token_server.users.items()))
    tls_section, scheme, ca_file = "", "http", None
    if tls:
        ca_file, key_file = _self_signed_certificate(directory)
        tls_section, scheme = f"  tls:\n    certificate: {ca_file}\n    key: {key_file}\n", "https"
    (directory / "config.yml").write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {directory / 'storage'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: kybernetes-test-{port}\n"
        + tls_section + auth_section)
    log = directory / "registry.log"
    if ca_file:
        _CA_FILES[f"127.0.0.1:{port}"] = ca_file
    with open(log, "wb") as out:
        process = subprocess.Popen([DOCKER_REGISTRY, "serve", str(directory / "config.yml")],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    registry = Registry(url=f"{scheme}://127.0.0.1:{port}", directory=directory, process=process,
                        credentials=credentials, log=log, ca_file=ca_file)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"docker-registry exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{registry.url}/v2/", timeout=2, context=_ssl_context(ca_file)).close()
            return registry
        except urllib.error.HTTPError as exc:  # 401 with auth on: it is up
            if exc.code == 401:
                return registry
        except OSError:
            pass
        if time.monotonic() > deadline:
            registry.stop()
            raise RuntimeError("docker-registry did not answer /v2/")
        time.sleep(0.05)


# ------------------------------------------------------------------ pushing
def _ssl_context(ca_file: Path | None):
    import ssl
    return ssl.create_default_context(cafile=str(ca_file)) if ca_file else None


# CA files of the HTTPS registries started here, by host: pushes trust them.
_CA_FILES: dict[str, Path] = {}


def _send(method: str, url: str, data: bytes | None, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    context = _ssl_context(_CA_FILES.get(urlsplit(url).netloc)) if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _bearer_token(challenge: str, auth: tuple[str, str]) -> str | None:
    """Answer a `Bearer realm=...,service=...,scope=...` challenge with a token."""
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    if "realm" not in params:
        return None
    query = urlencode({k: v for k, v in params.items() if k in ("service", "scope")})
    basic = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    status, _, body = _send("GET", f"{params['realm']}?{query}", None, {"Authorization": basic})
    return json.loads(body)["token"] if status == 200 else None


# Bearer tokens by (registry host, repository): a request with a body must carry one up
# front, since the registry refuses it before reading the body.
_TOKENS: dict[tuple[str, str], str] = {}


def _request(method: str, url: str, data: bytes | None = None, headers: dict | None = None,
             auth: tuple[str, str] | None = None) -> tuple[int, dict, bytes]:
    """One request; with `auth`, Basic credentials, or a token when the registry asks
    for the Bearer dance (token auth mode)."""
    headers = dict(headers or {})
    match = re.match(r"/v2/(.+?)/(?:blobs|manifests)/", urlsplit(url).path)
    key = (urlsplit(url).netloc, match.group(1) if match else "")
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        if key in _TOKENS:
            headers["Authorization"] = f"Bearer {_TOKENS[key]}"
    status, answer_headers, body = _send(method, url, data, headers)
    challenge = _header(answer_headers, "WWW-Authenticate")
    if status == 401 and auth and challenge.lower().startswith("bearer"):
        token = _bearer_token(challenge, auth)
        if token:
            _TOKENS[key] = token
            headers["Authorization"] = f"Bearer {token}"
            status, answer_headers, body = _send(method, url, data, headers)
    return status, answer_headers, body


def _header(headers: dict, name: str) -> str:
    """A response header by name, whatever case the server wrote it in (Go: Www-Authenticate)."""
    return {k.lower(): v for k, v in headers.items()}.get(name.lower(), "")


def push_blob(registry_url: str, repo: str, data: bytes, auth=None, chunk_size: int = 0) -> str:
    """Upload a blob (skipped when the registry has it): one monolithic PUT, or PATCH
    chunks of `chunk_size` then the closing PUT."""
    digest = sha256(data)
    status, _, _ = _request("HEAD", f"{registry_url}/v2/{repo}/blobs/{digest}", auth=auth)
    if status == 200:
        return digest
    status, headers, body = _request("POST", f"{registry_url}/v2/{repo}/blobs/uploads/", b"", auth=auth)
    if status != 202:
        raise RuntimeError(f"starting an upload to {repo}: {status} {body[:300]!r}")
    location = urljoin(registry_url, _header(headers, "Location"))
    if chunk_size:
        offset = 0
        while offset < len(data):
            chunk = data[offset:offset + chunk_size]
            status, headers, body = _request(
                "PATCH", location, chunk, {"Content-Type": "application/octet-stream",
                                           "Content-Range": f"{offset}-{offset + len(chunk) - 1}"}, auth=auth)
            if status != 202:
                raise RuntimeError(f"uploading a chunk to {repo}: {status} {body[:300]!r}")
            location = urljoin(registry_url, _header(headers, "Location"))
            offset += len(chunk)
        data = b""
    separator = "&" if "?" in location else "?"
    status, _, body = _request("PUT", f"{location}{separator}digest={digest}", data,
                               {"Content-Type": "application/octet-stream"}, auth=auth)
    if status != 201:
        raise RuntimeError(f"finishing an upload to {repo}: {status} {body[:300]!r}")
    return digest


def push_manifest(registry_url: str, repo: str, reference: str, manifest: dict, auth=None) -> str:
    body = json.dumps(manifest, indent=3).encode()
    status, _, answer = _request("PUT", f"{registry_url}/v2/{repo}/manifests/{reference}", body,
                                 {"Content-Type": manifest["mediaType"]}, auth=auth)
    if status != 201:
        raise RuntimeError(f"pushing manifest {repo}:{reference}: {status} {answer[:500]!r}")
    return sha256(body)


def push_image(registry_url: str, repo: str, tag: str, layers: list[bytes], config: dict, *,
               auth: tuple[str, str] | None = None, oci: bool = False, index: bool = False,
               chunk_size: int = 0, extra: dict | None = None) -> str:
    """Push an image (uncompressed layer tars, lowest first; the image config's `config`)
    as a Docker schema2 manifest, or OCI with `oci`; with `index`, under a manifest
    list / OCI index naming it for linux/amd64 beside a linux/arm64 variant. Returns the
    digest `tag` now points at."""
    image = Image(layers=list(layers), config=config, extra=dict(extra or {}))
    manifest_type, config_type, layer_type, index_type = (
        (OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, OCI_INDEX) if oci
        else (DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST_LIST))
    layer_descriptors = []
    for layer in layers:
        compressed = gzip_layer(layer)
        push_blob(registry_url, repo, compressed, auth, chunk_size)
        layer_descriptors.append({"mediaType": layer_type, "size": len(compressed), "digest": sha256(compressed)})

    def manifest_for(architecture: str) -> dict:
        config_bytes = json.dumps(image.image_config(architecture)).encode()
        push_blob(registry_url, repo, config_bytes, auth)
        return {"schemaVersion": 2, "mediaType": manifest_type,
                "config": {"mediaType": config_type, "size": len(config_bytes), "digest": sha256(config_bytes)},
                "layers": layer_descriptors}

    if not index:
        return push_manifest(registry_url, repo, tag, manifest_for("amd64"), auth)
    entries = []
    for architecture in ("arm64", "amd64"):  # amd64 second: choosing must not take the first
        manifest = manifest_for(architecture)
        body = json.dumps(manifest, indent=3).encode()
        digest = push_manifest(registry_url, repo, sha256(body), manifest, auth)
        platform = {"architecture": architecture, "os": "linux"}
        if architecture == "arm64":
            platform["variant"] = "v8"
        entries.append({"mediaType": manifest_type, "size": len(body), "digest": digest, "platform": platform})
    return push_manifest(registry_url, repo, tag, {"schemaVersion": 2, "mediaType": index_type,
                                                   "manifests": entries}, auth)


def seed_registry(registry: Registry) -> None:
    """busybox, nginx and alpine under every tag in SEED_TAGS, as docker.io's library/
    repositories (what a docker.io mirror serves). Kinds vary as on Docker Hub: busybox
    as a manifest list, nginx as Docker schema2, alpine as an OCI index."""
    builders = {"busybox": (busybox_image, {"index": True}),
                "nginx": (nginx_image, {}),
                "alpine": (alpine_image, {"oci": True, "index": True})}
    for name, tags in SEED_TAGS.items():
        build, options = builders[name]
        for tag in tags:
            registry.push(f"library/{name}", tag, build(), **options)


def write_registries_yaml(path: Path, registry_url: str, credentials: tuple[str, str] | None = None,
                          ca_file: Path | None = None, insecure_skip_verify: bool = False) -> Path:
    """A k3s registries.yaml mirroring docker.io to the test registry (with its
    credentials and TLS settings when given)."""
    host = urlsplit(registry_url).netloc
    text = f'mirrors:\n  "docker.io":\n    endpoint:\n      - "{registry_url}"\n'
    config = ""
    if credentials:
        config += f'    auth:\n      username: "{credentials[0]}"\n      password: "{credentials[1]}"\n'
    if ca_file or insecure_skip_verify:
        config += "    tls:\n" + (f'      ca_file: "{ca_file}"\n' if ca_file else "")
        config += "      insecure_skip_verify: true\n" if insecure_skip_verify else ""
    if config:
        text += f'configs:\n  "{host}":\n' + config
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ------------------------------------------------------------------ archives
def save_docker_archive(path: Path, images: dict[str, Image]) -> Path:
    """A `docker save` tarball: manifest.json, <id>.json configs, <layer>/layer.tar."""
    import io
    import tarfile
    entries, files = [], {}
    for tag, image in images.items():
        config_bytes = json.dumps(image.image_config()).encode()
        config_name = sha256(config_bytes).split(":")[1] + ".json"
        files[config_name] = config_bytes
        layer_names = []
        for layer in image.layers:
            name = sha256(layer).split(":")[1] + "/layer.tar"
            files[name] = layer
            layer_names.append(name)
        entries.append({"Config": config_name, "RepoTags": [tag], "Layers": layer_names})
    files["manifest.json"] = json.dumps(entries).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return Path(path)


def save_oci_archive(path: Path, images: dict[str, Image]) -> Path:
    """An OCI image layout archive (oci-layout, index.json, blobs/sha256/...), gzip
    layers, each image named by containerd's io.containerd.image.name annotation."""
    import io
    import tarfile
    blobs: dict[str, bytes] = {}
    manifests = []
    for name, image in images.items():
        layer_descriptors = []
        for layer in image.layers:
            compressed = gzip_layer(layer)
            blobs[sha256(compressed)] = compressed
            layer_descriptors.append({"mediaType": OCI_LAYER, "size": len(compressed), "digest": sha256(compressed)})
        config_bytes = json.dumps(image.image_config()).encode()
        blobs[sha256(config_bytes)] = config_bytes
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                               "config": {"mediaType": OCI_CONFIG, "size": len(config_bytes),
                                          "digest": sha256(config_bytes)},
                               "layers": layer_descriptors}).encode()
        blobs[sha256(manifest)] = manifest
        manifests.append({"mediaType": OCI_MANIFEST, "size": len(manifest), "digest": sha256(manifest),
                          "annotations": {"io.containerd.image.name": name,
                                          "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}})
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).encode()}
    files.update({f"blobs/sha256/{digest.split(':')[1]}": data for digest, data in blobs.items()})
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return Path(path)


@dataclass
class SeededRegistry:
    """What `seeded_registry()` gives a session: the registry and a registries.yaml."""
    registry: Registry
    registries_yaml: Path
    extra: dict = field(default_factory=dict)


def seeded_registry(tmp_dir: Path) -> SeededRegistry:
    """Start, seed and describe a registry (a session fixture's body); stop() it after."""
    registry = start_registry(tmp_dir)
    try:
        seed_registry(registry)
    except BaseException:
        registry.stop()
        raise
    return SeededRegistry(registry=registry,
                          registries_yaml=write_registries_yaml(Path(tmp_dir) / "registries.yaml", registry.url))

