# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Container images built in pure Python for the tests (there is no internet to pull
real ones): layer tars with tarfile, from Debian's own binaries.

- busybox_image(): busybox-static and a symlink per applet, /etc/passwd and /etc/group.
- nginx_image(): Debian's /usr/sbin/nginx with the shared libraries ldd names, a config
  that serves /usr/share/nginx/html in the foreground; three layers, the lowest being
  busybox's layer itself (so images share a layer, as real images share a base).
- alpine_image(): NOT Alpine: busybox's layer plus /etc/alpine-release, so seed YAML that
  says `image: alpine` runs a busybox shell with the same applets Alpine's has.

Builds are cached per test session (a process): every call returns the same bytes.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

BUSYBOX = shutil.which("busybox") or "/bin/busybox"
NGINX = "/usr/sbin/nginx"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_MTIME = 1700000000  # fixed, so the same build gives the same digests


def busybox_available() -> bool:
    return os.path.exists(BUSYBOX)


def nginx_available() -> bool:
    return os.path.exists(NGINX) and os.path.exists("/etc/nginx/mime.types")


class LayerBuilder:
    """An uncompressed layer tar, entry by entry, with root ownership by default."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._tar = tarfile.open(fileobj=self._buffer, mode="w", format=tarfile.PAX_FORMAT)
        self._dirs: set[str] = set()

    def _info(self, path: str, kind: bytes, mode: int, uid: int = 0, gid: int = 0) -> tarfile.TarInfo:
        info = tarfile.TarInfo(path.lstrip("/"))
        info.type, info.mode, info.uid, info.gid, info.mtime = kind, mode, uid, gid, _MTIME
        info.uname = info.gname = "root" if uid == 0 else ""
        return info

    def _parents(self, path: str) -> None:
        parts = path.strip("/").split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            self.dir("/".join(parts[:depth]))

    def dir(self, path: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> "LayerBuilder":
        path = path.strip("/")
        if path in self._dirs:
            return self
        self._parents(path)
        self._dirs.add(path)
        self._tar.addfile(self._info(path + "/", tarfile.DIRTYPE, mode, uid, gid))
        return self

    def file(self, path: str, data: bytes | str, mode: int = 0o644, uid: int = 0, gid: int = 0) -> "LayerBuilder":
        data = data.encode() if isinstance(data, str) else data
        self._parents(path)
        info = self._info(path, tarfile.REGTYPE, mode, uid, gid)
        info.size = len(data)
        self._tar.addfile(info, io.BytesIO(data))
        return self

    def symlink(self, path: str, target: str) -> "LayerBuilder":
        self._parents(path)
        info = self._info(path, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self._tar.addfile(info)
        return self

    def hardlink(self, path: str, target: str) -> "LayerBuilder":
        self._parents(path)
        info = self._info(path, tarfile.LNKTYPE, 0o644)
        info.linkname = target.lstrip("/")
        self._tar.addfile(info)
        return self

    def whiteout(self, path: str) -> "LayerBuilder":
        """Delete `path` from the layers below (OCI `.wh.<name>`)."""
        parent, _, name = path.strip("/").rpartition("/")
        return self.file(f"{parent}/.wh.{name}" if parent else f".wh.{name}", b"", 0o600)

    def opaque(self, directory: str) -> "LayerBuilder":
        """Hide everything the layers below have in `directory` (OCI `.wh..wh..opq`)."""
        return self.file(f"{directory.strip('/')}/.wh..wh..opq", b"", 0o600)

    def raw(self, info: tarfile.TarInfo, data: bytes = b"") -> "LayerBuilder":
        """An entry exactly as given (for hostile-tar tests)."""
        info.size = len(data)
        self._tar.addfile(info, io.BytesIO(data) if data else None)
        return self

    def build(self) -> bytes:
        self._tar.close()
        return self._buffer.getvalue()


@dataclass
class Image:
    layers: list[bytes]  # uncompressed layer tars, lowest first
    config: dict  # the image config's "config" (Cmd, Env, ...)
    extra: dict = field(default_factory=dict)  # other image-config fields

    def image_config(self, architecture: str = "amd64") -> dict:
        """The whole image config document, as `docker build` writes it."""
        return {
            "architecture": architecture, "os": "linux", "created": "2023-11-14T22:13:20Z",
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": [sha256(layer) for layer in self.layers]},
            "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "tests/support/image_builder.py"}
                        for _ in self.layers],
            **self.extra,
        }


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=64)
def gzip_layer(layer: bytes) -> bytes:
    """Deterministic gzip (mtime 0), computed once per layer per session."""
    return gzip.compress(layer, compresslevel=6, mtime=0)


def _passwd(extra_users: str = "", extra_groups: str = "") -> tuple[str, str]:
    passwd = ("root:x:0:0:root:/root:/bin/sh\n" + extra_users
              + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    group = "root:x:0:\n" + extra_groups + "nogroup:x:65534:\nnobody:x:65534:\n"
    return passwd, group


@functools.lru_cache(maxsize=None)
def busybox_layer() -> bytes:
    """A root filesystem of busybox-static: /bin/busybox and its applets."""
    layer = LayerBuilder()
    for directory in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "home", "var",
                      "proc", "sys", "dev", "run"):
        layer.dir(directory, 0o700 if directory == "root" else 0o755)
    layer.dir("tmp", 0o1777)
    layer.file("bin/busybox", Path(BUSYBOX).read_bytes(), 0o755)
    applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    for applet in sorted(applets):
        if applet != "bin/busybox":
            layer.symlink(applet, "/bin/busybox")
    passwd, group = _passwd()
    layer.file("etc/passwd", passwd).file("etc/group", group)
    layer.file("etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n")
    return layer.build()


@functools.lru_cache(maxsize=None)
def busybox_image() -> Image:
    return Image(layers=[busybox_layer()], config={"Env": [PATH_ENV], "Cmd": ["sh"]})


@functools.lru_cache(maxsize=None)
def alpine_image() -> Image:
    """Busybox-based (see the module docstring): Alpine's /etc/alpine-release and
    os-release over busybox's layer; Cmd /bin/sh as Alpine's."""
    release = LayerBuilder()
    release.file("etc/alpine-release", "3.19.1\n")
    release.file("etc/os-release", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n'
                 'PRETTY_NAME="Alpine Linux v3.19 (busybox-based test image)"\n')
    return Image(layers=[busybox_layer(), release.build()], config={"Env": [PATH_ENV], "Cmd": ["/bin/sh"]})


def _shared_libraries(binary: str) -> list[str]:
    """The absolute paths `ldd` resolves for `binary` (the dynamic loader included)."""
    output = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in output.splitlines():
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            paths.append(match.group(1))
    return paths


NGINX_CONF = """\
user  nginx;
worker_processes  1;

error_log  stderr notice;
pid        /run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';
    access_log  /dev/stdout  main;
    sendfile        on;
    keepalive_timeout  65;

    server {
        listen       80;
        listen  [::]:80;
        server_name  localhost;
        location / {
            root   /usr/share/nginx/html;
            index  index.html index.htm;
        }
        error_page   500 502 503 504  /50x.html;
        location = /50x.html {
            root   /usr/share/nginx/html;
        }
    }
}
"""

INDEX_HTML = """\
<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working.</p>
</body>
</html>
"""

ENTRYPOINT = """\
#!/bin/sh
# As the official image's: run nothing extra, then exec the command.
set -e
exec "$@"
"""


@functools.lru_cache(maxsize=None)
def nginx_libraries_layer() -> bytes:
    layer = LayerBuilder()
    for library in _shared_libraries(NGINX):
        # ldd names the path the loader finds; the file there may be a symlink to a
        # versioned name: store the real bytes under the name the loader looks for.
        layer.file(library, Path(library).resolve().read_bytes(), 0o755)
    return layer.build()


@functools.lru_cache(maxsize=None)
def nginx_layer() -> bytes:
    layer = LayerBuilder()
    layer.file("usr/sbin/nginx", Path(NGINX).read_bytes(), 0o755)
    layer.file("etc/nginx/nginx.conf", NGINX_CONF)
    layer.file("etc/nginx/mime.types", Path("/etc/nginx/mime.types").read_bytes())
    layer.dir("etc/nginx/conf.d")
    layer.file("usr/share/nginx/html/index.html", INDEX_HTML)
    layer.file("usr/share/nginx/html/50x.html", "<html><body><h1>An error occurred.</h1></body></html>\n")
    passwd, group = _passwd("nginx:x:101:101:nginx user:/nonexistent:/bin/false\n", "nginx:x:101:\n")
    layer.file("etc/passwd", passwd).file("etc/group", group)
    for directory in ("var/log/nginx", "var/cache/nginx", "var/lib/nginx", "var/lib/nginx/body",
                      "var/lib/nginx/proxy", "var/lib/nginx/fastcgi", "var/lib/nginx/uwsgi",
                      "var/lib/nginx/scgi", "run", "var/lock"):
        layer.dir(directory)
    layer.file("docker-entrypoint.sh", ENTRYPOINT, 0o755)
    return layer.build()


@functools.lru_cache(maxsize=None)
def nginx_image() -> Image:
    """Debian's nginx, honestly packaged: busybox base, shared-library layer, nginx layer.
    `daemon off;` comes from Cmd's -g as in the official image (nginx refuses the
    directive twice, so nginx.conf does not repeat it)."""
    return Image(
        layers=[busybox_layer(), nginx_libraries_layer(), nginx_layer()],
        config={"Env": [PATH_ENV, "NGINX_VERSION=1.22.1"], "Entrypoint": ["/docker-entrypoint.sh"],
                "Cmd": ["nginx", "-g", "daemon off;"], "ExposedPorts": {"80/tcp": {}},
                "StopSignal": "SIGQUIT"})
