# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pulling from a real registry (Debian's docker-registry on loopback) with images the
tests build: the seeds' images through a docker.io mirror, layer sharing, manifest lists,
policies, the registry's reasons in ErrImagePull, Basic auth with imagePullSecrets and
registries.yaml, whiteouts stacking in overlayfs, and the nginx image serving HTTP."""
from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess

import pytest

from kybernetes.kubelet.images import ImagePullError, ImageService, RegistriesConfig
from kybernetes.kubelet.images import service as service_module
from tests.support.image_builder import LayerBuilder, busybox_available, nginx_available
from tests.support.registry import (busybox_image, free_port, nginx_image, push_image, registry_available,
                                    seeded_registry, start_registry, write_registries_yaml)

pytestmark = [
    pytest.mark.skipif(not registry_available(), reason="needs /usr/bin/docker-registry"),
    pytest.mark.skipif(not busybox_available(), reason="needs busybox-static"),
    pytest.mark.skipif(not nginx_available(), reason="needs Debian's nginx"),
]
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="overlay mounts and chroot need root")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeded = seeded_registry(tmp_path_factory.mktemp("registry"))
    yield seeded
    seeded.registry.stop()


def _service(tmp_path, registries_yaml) -> ImageService:
    # no fallback to registry-1.docker.io: this machine is offline, and tests stay on loopback
    return ImageService(tmp_path / "images", RegistriesConfig.load(registries_yaml, disable_default_endpoint=True))


def _pull_error(service: ImageService, image: str, **kwargs) -> ImagePullError:
    with pytest.raises(ImagePullError) as info:
        asyncio.run(service.ensure(image, **kwargs))
    return info.value


def test_seed_images_through_the_docker_io_mirror(seeded, tmp_path):
    service = _service(tmp_path, seeded.registries_yaml)
    busybox = asyncio.run(service.ensure("busybox"))
    nginx = asyncio.run(service.ensure("nginx:1.7.9"))
    alpine = asyncio.run(service.ensure("alpine"))
    assert busybox.ref == "docker.io/library/busybox:latest"
    # busybox is pushed as a manifest list (arm64 listed first): amd64 was chosen
    assert service.store.image_config(busybox.id)["architecture"] == "amd64"
    expected = seeded.registry.push("library/busybox", "latest", busybox_image(), index=True)
    assert busybox.repo_digest == f"docker.io/library/busybox@{expected}"
    assert busybox.config["Cmd"] == ["sh"]
    assert nginx.config["Cmd"] == ["nginx", "-g", "daemon off;"]
    assert nginx.config["Entrypoint"] == ["/docker-entrypoint.sh"]
    assert nginx.config["ExposedPorts"] == {"80/tcp": {}}
    assert alpine.config["Cmd"] == ["/bin/sh"]
    assert (alpine.layers[-1] / "etc/alpine-release").exists()
    assert (busybox.layers[0] / "bin/busybox").stat().st_size > 100_000
    assert os.readlink(busybox.layers[0] / "bin/sh") == "/bin/busybox"
    assert (nginx.layers[-1] / "usr/share/nginx/html/index.html").read_text().count("Welcome to nginx!") == 2
    # the busybox layer is unpacked once and shared by all three images
    assert busybox.layers[0] == nginx.layers[0] == alpine.layers[0]
    assert len(list((service.root / "layers").iterdir())) == 1 + 2 + 1
    # other tags the seeds use resolve to the same content
    assert asyncio.run(service.ensure("nginx:1.9.1")).id == nginx.id
    assert asyncio.run(service.ensure("busybox:1.28")).id == busybox.id
    assert {t for i in service.list() for t in i.tags} >= {
        "docker.io/library/busybox:latest", "docker.io/library/busybox:1.28", "docker.io/library/nginx:1.7.9",
        "docker.io/library/nginx:1.9.1", "docker.io/library/alpine:latest"}
    # a digest reference finds the same image without pulling
    assert service.lookup(busybox.repo_digest).id == busybox.id


def test_pull_policies_follow_the_registry(seeded, tmp_path):
    registry = seeded.registry
    service = _service(tmp_path, seeded.registries_yaml)
    first = LayerBuilder().file("version", "1").build()
    push_image(registry.url, "library/moving", "1", [first], {"Cmd": ["cat", "/version"]})
    v1 = asyncio.run(service.ensure("moving:1"))
    push_image(registry.url, "library/moving", "1", [LayerBuilder().file("version", "2").build()],
               {"Cmd": ["cat", "/version"]})
    assert asyncio.run(service.ensure("moving:1", policy="IfNotPresent")).id == v1.id
    assert asyncio.run(service.ensure("moving:1", policy="Never")).id == v1.id
    v2 = asyncio.run(service.ensure("moving:1", policy="Always"))
    assert v2.id != v1.id and (v2.layers[0] / "version").read_text() == "2"
    # the old image lost its tag but is still there, named by its digest
    old = service.lookup(v1.id)
    assert old.tags == [] and old.repo_digest.startswith("docker.io/library/moving@sha256:")


def test_missing_images_give_the_registry_reason(seeded, tmp_path):
    service = _service(tmp_path, seeded.registries_yaml)
    error = _pull_error(service, "nope:1")
    assert error.reason == "ErrImagePull"
    assert error.message == ('failed to pull and unpack image "docker.io/library/nope:1": failed to resolve '
                             'reference "docker.io/library/nope:1": docker.io/library/nope:1: not found')
    ref = f"{seeded.registry.host}/library/busybox:no-such-tag"
    assert _pull_error(service, ref).message.endswith(f'"{ref}": {ref}: not found')
    assert service.list() == []


def test_unreachable_registry(tmp_path):
    port = free_port()  # nothing listens there
    error = _pull_error(ImageService(tmp_path / "images"), f"127.0.0.1:{port}/library/busybox:1")
    assert error.reason == "ErrImagePull"
    assert error.message.startswith(f'failed to pull and unpack image "127.0.0.1:{port}/library/busybox:1": '
                                    f'failed to resolve reference')
    assert (f'failed to do request: Get "http://127.0.0.1:{port}/v2/library/busybox/manifests/1": '
            f'dial tcp 127.0.0.1:{port}: connect: connection refused') in error.message


def test_concurrent_ensures_pull_once(seeded, tmp_path, monkeypatch):
    service = _service(tmp_path, seeded.registries_yaml)
    pulls = []
    real_pull = service_module.pull_image

    async def counting_pull(*args, **kwargs):
        pulls.append(str(args[2]))
        return await real_pull(*args, **kwargs)

    monkeypatch.setattr(service_module, "pull_image", counting_pull)

    async def many():
        return await asyncio.gather(*(service.ensure("nginx:latest") for _ in range(6)))

    images = asyncio.run(many())
    assert pulls == ["docker.io/library/nginx:latest"]
    assert len({image.id for image in images}) == 1


def test_chunked_upload_and_oci_manifest(seeded, tmp_path):
    registry = seeded.registry
    payload = os.urandom(300_000)
    layer = LayerBuilder().file("data/blob.bin", payload, 0o640).build()
    push_image(registry.url, "team/chunky", "v1", [layer], {"Cmd": ["true"]}, oci=True, chunk_size=65536)
    service = _service(tmp_path, seeded.registries_yaml)
    image = asyncio.run(service.ensure(f"{registry.host}/team/chunky:v1"))
    assert (image.layers[0] / "data/blob.bin").read_bytes() == payload
    assert oct((image.layers[0] / "data/blob.bin").stat().st_mode & 0o777) == oct(0o640)


def _mount_overlay(lower: list, mountpoint, upper=None, work=None) -> None:
    options = "lowerdir=" + ":".join(str(p) for p in reversed(lower))  # top layer first
    if upper:
        options += f",upperdir={upper},workdir={work}"
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(mountpoint)], check=True)


@needs_root
def test_whiteouts_stack_as_overlay_lowerdirs(seeded, tmp_path):
    registry = seeded.registry
    base = (LayerBuilder().file("etc/group", "root:x:0:\n").file("etc/keep", "k")
            .file("var/cache/old", "o").build())
    top = LayerBuilder().whiteout("etc/group").opaque("var/cache").file("var/cache/new", "n").build()
    push_image(registry.url, "team/whiteouts", "1", [base, top], {"Cmd": ["sh"]})
    service = _service(tmp_path, seeded.registries_yaml)
    image = asyncio.run(service.ensure(f"{registry.host}/team/whiteouts:1"))
    mountpoint = tmp_path / "rootfs"
    mountpoint.mkdir()
    _mount_overlay(image.layers, mountpoint)
    try:
        assert not (mountpoint / "etc/group").exists()
        assert (mountpoint / "etc/keep").read_text() == "k"
        assert sorted(os.listdir(mountpoint / "var/cache")) == ["new"]
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True)


@needs_root
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare (util-linux)")
def test_nginx_image_serves_http(seeded, tmp_path):
    """Run the image's Entrypoint+Cmd chrooted into its layers (overlay with a writable
    upper dir, /dev and /proc as a runtime provides them), in fresh mount, network and PID namespaces
    so that every mount and process goes away with them; fetch the page with wget."""
    service = _service(tmp_path, seeded.registries_yaml)
    image = asyncio.run(service.ensure("nginx"))
    rootfs, upper, work = tmp_path / "rootfs", tmp_path / "upper", tmp_path / "work"
    for directory in (rootfs, upper, work):
        directory.mkdir()
    lower = ":".join(str(p) for p in reversed(image.layers))
    command = " ".join(f"'{arg}'" for arg in image.config["Entrypoint"] + image.config["Cmd"])
    # the script sits in the writable layer, so it is in the container's root
    (upper / "serve-and-fetch.sh").write_text(
        f"ip link set lo up\n{command} &\n"
        "for i in $(seq 100); do wget -qO- http://127.0.0.1:80/ && sleep 1 && exit 0; sleep 0.1; done\nexit 1\n")
    outside = (f"mount -t overlay overlay -o lowerdir={lower},upperdir={upper},workdir={work} {rootfs} && "
               f"mount --bind /dev {rootfs}/dev && mount -t proc proc {rootfs}/proc && exec chroot {rootfs} /bin/sh /serve-and-fetch.sh")
    result = subprocess.run(["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "/bin/sh", "-c",
                             outside], capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    assert result.returncode == 0, "\n".join(line for line in result.stderr.splitlines() if "wget" not in line)
    assert "<h1>Welcome to nginx!</h1>" in result.stdout
    assert '"GET / HTTP/1.1" 200' in result.stdout + result.stderr  # the access log goes to stdout
    assert not os.path.ismount(rootfs)


# ------------------------------------------------------------------ auth
@pytest.fixture(scope="module")
def private_registry(tmp_path_factory):
    try:
        registry = start_registry(tmp_path_factory.mktemp("private"), users={"alice": "wonderland"})
    except RuntimeError as exc:
        pytest.skip(f"htpasswd registry unavailable: {exc}")
    registry.push("private/busybox", "1", busybox_image())
    yield registry
    registry.stop()


def _pull_secret(host: str, user: str, password: str, legacy: bool = False) -> dict:
    auth = {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
    if legacy:
        return {"type": "kubernetes.io/dockercfg",
                "data": {".dockercfg": base64.b64encode(json.dumps({host: auth}).encode()).decode()}}
    return {"type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(json.dumps({"auths": {host: auth}}).encode()).decode()}}


def test_basic_auth_registry(private_registry, tmp_path):
    registry = private_registry
    ref = f"{registry.host}/private/busybox:1"
    service = ImageService(tmp_path / "images")
    denied = _pull_error(service, ref)
    assert denied.reason == "ErrImagePull"
    assert "pull access denied, repository does not exist or may require authorization" in denied.message
    assert "UNAUTHORIZED" in denied.message
    wrong = _pull_secret(registry.host, "alice", "guess")
    assert "pull access denied" in _pull_error(service, ref, pull_secrets=[wrong]).message
    # the kubelet tries each matching credential: a wrong one first does not stop the right one
    image = asyncio.run(service.ensure(ref, pull_secrets=[wrong, _pull_secret(registry.host, "alice", "wonderland")]))
    assert image.tags == [ref]


def test_legacy_dockercfg_secret(private_registry, tmp_path):
    registry = private_registry
    service = ImageService(tmp_path / "images")
    secret = _pull_secret(f"http://{registry.host}", "alice", "wonderland", legacy=True)
    assert asyncio.run(service.ensure(f"{registry.host}/private/busybox:1", pull_secrets=[secret])).config["Cmd"] == ["sh"]


def test_registries_yaml_credentials_for_a_mirror(private_registry, tmp_path):
    registry = private_registry
    registry.push("library/secretbox", "1", busybox_image())
    yaml_path = write_registries_yaml(tmp_path / "registries.yaml", registry.url, credentials=("alice", "wonderland"))
    service = _service(tmp_path, yaml_path)
    assert asyncio.run(service.ensure("secretbox:1")).ref == "docker.io/library/secretbox:1"


# ------------------------------------------------------------------ bearer tokens
@pytest.fixture(scope="module")
def token_registry(tmp_path_factory):
    from tests.support.token_auth import TokenServer
    directory = tmp_path_factory.mktemp("token")
    tokens = TokenServer(directory, users={"bob": "builder"})
    try:
        registry = start_registry(directory, token_server=tokens)
    except BaseException:
        tokens.stop()
        raise
    try:
        registry.push("public/busybox", "1", busybox_image())
        registry.push("private/nginx", "1", nginx_image())
        yield registry, tokens
    finally:
        registry.stop()
        tokens.stop()


def test_bearer_token_dance(token_registry, tmp_path):
    registry, tokens = token_registry
    service = ImageService(tmp_path / "images")
    tokens.requests.clear()
    # anonymous token, as Docker Hub gives for public images
    public = asyncio.run(service.ensure(f"{registry.host}/public/busybox:1"))
    assert public.config["Cmd"] == ["sh"]
    assert tokens.requests[0] == {"service": "kybernetes-test-registry", "scope": "repository:public/busybox:pull",
                                  "account": "", "basic": False}
    # the token is reused for the config and layer blobs: one dance per pull
    assert len(tokens.requests) == 1
    # an anonymous token does not open a private repository
    denied = _pull_error(service, f"{registry.host}/private/nginx:1")
    assert denied.reason == "ErrImagePull"
    assert "pull access denied, repository does not exist or may require authorization" in denied.message
    # credentials from a pull secret go to the token endpoint as Basic auth
    tokens.requests.clear()
    secret = _pull_secret(registry.host, "bob", "builder")
    private = asyncio.run(service.ensure(f"{registry.host}/private/nginx:1", pull_secrets=[secret]))
    assert private.config["ExposedPorts"] == {"80/tcp": {}}
    assert tokens.requests[0]["account"] == "bob" and tokens.requests[0]["basic"]
    # wrong credentials: the token endpoint's refusal is the reason
    wrong = _pull_error(service, f"{registry.host}/private/nginx:1", policy="Always",
                        pull_secrets=[_pull_secret(registry.host, "bob", "nope")])
    assert f"failed to fetch oauth token: unexpected status from GET request to {tokens.url}: 401" in wrong.message


def test_identity_token_uses_the_oauth_refresh_grant(token_registry, tmp_path):
    registry, tokens = token_registry
    service = ImageService(tmp_path / "images")
    payload = {"auths": {registry.host: {"identitytoken": "refresh-token-of-bob"}}}
    secret = {"type": "kubernetes.io/dockerconfigjson",
              "data": {".dockerconfigjson": base64.b64encode(json.dumps(payload).encode()).decode()}}
    tokens.requests.clear()
    image = asyncio.run(service.ensure(f"{registry.host}/private/nginx:1", pull_secrets=[secret]))
    assert image.config["Cmd"] == ["nginx", "-g", "daemon off;"]
    assert tokens.requests[0]["grant"] == "refresh_token"
    assert tokens.requests[0]["scope"] == "repository:private/nginx:pull"


# ------------------------------------------------------------------ HTTPS
@pytest.fixture(scope="module")
def https_registry(tmp_path_factory):
    registry = start_registry(tmp_path_factory.mktemp("https"), tls=True)
    try:
        registry.push("library/busybox", "tls", busybox_image())
        yield registry
    finally:
        registry.stop()


def test_https_mirror_with_its_ca(https_registry, tmp_path):
    registry = https_registry
    assert registry.url.startswith("https://")
    trusted = write_registries_yaml(tmp_path / "trusted.yaml", registry.url, ca_file=registry.ca_file)
    image = asyncio.run(_service(tmp_path / "a", trusted).ensure("busybox:tls"))
    assert image.config["Cmd"] == ["sh"]
    # no CA configured: the certificate is refused, and the event says so
    untrusted = write_registries_yaml(tmp_path / "untrusted.yaml", registry.url)
    error = _pull_error(_service(tmp_path / "b", untrusted), "busybox:tls")
    assert f'failed to do request: Get "{registry.url}/v2/library/busybox/manifests/tls"' in error.message
    assert error.message.endswith("tls: failed to verify certificate: x509: certificate signed by unknown authority")
    # insecure_skip_verify, as k3s's tls settings allow
    insecure = write_registries_yaml(tmp_path / "insecure.yaml", registry.url, insecure_skip_verify=True)
    assert asyncio.run(_service(tmp_path / "c", insecure).ensure("busybox:tls")).id == image.id


def test_corrupt_blob_is_refused(tmp_path):
    """A registry serving bytes that do not match their digest (here: its storage
    tampered with) fails the pull; nothing of the image becomes visible."""
    registry = start_registry(tmp_path / "corrupt")
    try:
        layer = LayerBuilder().file("payload", os.urandom(4096)).build()
        push_image(registry.url, "team/corrupt", "1", [layer], {"Cmd": ["true"]})
        from tests.support.image_builder import gzip_layer, sha256
        digest = sha256(gzip_layer(layer)).split(":")[1]
        data = registry.directory / f"storage/docker/registry/v2/blobs/sha256/{digest[:2]}/{digest}/data"
        original = data.read_bytes()
        data.write_bytes(bytes(b ^ 0xFF for b in original[:64]) + original[64:])  # same size
        service = ImageService(tmp_path / "images")
        error = _pull_error(service, f"{registry.host}/team/corrupt:1")
        assert error.reason == "ErrImagePull"
        assert f"failed to copy: digest mismatch: sha256:{digest}" in error.message
        assert service.list() == []
        assert list((service.root / "layers").iterdir()) == []
    finally:
        registry.stop()
