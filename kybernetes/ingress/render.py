# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A Model as a complete nginx.conf: everything nginx writes (pid, error log, temp
files) under the controller's directory, so it runs beside any other nginx; the
proxy settings are ingress-nginx's defaults."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kybernetes.ingress.model import CATCH_ALL, HEALTHZ_PATH, Location, Model, Server


@dataclass(frozen=True)
class Layout:
    """Where the nginx instance keeps its files, and what it listens on."""
    directory: Path
    http_port: int = 80
    https_port: int = 443
    bind_address: str = ""  # "" listens on every address
    worker_processes: str = "auto"

    @property
    def config(self) -> Path:
        return self.directory / "nginx.conf"

    @property
    def pid_file(self) -> Path:
        return self.directory / "nginx.pid"

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    @property
    def certificates(self) -> Path:
        return self.directory / "certs"

    @property
    def default_certificate(self) -> Path:
        return self.directory / "default-fake-certificate.pem"

    @property
    def temp(self) -> Path:
        return self.directory / "tmp"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _listen(layout: Layout, port: int, *options: str) -> str:
    address = f"{layout.bind_address}:{port}" if layout.bind_address else str(port)
    return f"        listen {' '.join((address, *options))};"


def _location(location: Location) -> list[str]:
    match = f"= {quote(location.path)}" if location.exact else quote(location.path)
    body = (f"            proxy_pass http://{location.upstream};" if location.upstream
            else "            return 503;")
    return [f"        location {match} {{", f"            # {location.source}", body, "        }"]


def _server(server: Server, layout: Layout) -> list[str]:
    default = server.host == CATCH_ALL
    flags = ("default_server",) if default else ()
    certificate = (layout.certificates / server.certificate if server.certificate
                   else layout.default_certificate)
    lines = ["    server {", f"        server_name {server.host};",
             _listen(layout, layout.http_port, *flags),
             _listen(layout, layout.https_port, *flags, "ssl", "http2"),
             f"        ssl_certificate {quote(str(certificate))};",
             f"        ssl_certificate_key {quote(str(certificate))};"]
    if server.ssl_redirect:
        # ingress-nginx's ssl-redirect default for hosts with TLS: 308 keeps the method
        port = "" if layout.https_port == 443 else f":{layout.https_port}"
        lines += ['        if ($scheme = "http") {',
                  f"            return 308 https://$host{port}$request_uri;", "        }"]
    taken = set(server.locations)
    for location in server.ordered():
        lines += _location(location)
    if server.healthz and (True, HEALTHZ_PATH) not in taken:
        lines += [f"        location = {HEALTHZ_PATH} {{", "            access_log off;",
                  "            default_type text/plain;", "            return 200 \"ok\\n\";",
                  "        }"]
    if (False, "/") not in taken:  # the controller's default backend: 404 for the rest
        lines += ["        location / {", "            return 404;", "        }"]
    lines.append("    }")
    return lines


def render(model: Model, layout: Layout) -> str:
    temp = layout.temp
    lines = [
        "# Written by the kybernetes ingress controller from Ingress objects; do not edit.",
        "daemon off;",
        "master_process on;",
        f"worker_processes {layout.worker_processes};",
        f"pid {quote(str(layout.pid_file))};",
        f"error_log {quote(str(layout.error_log))} notice;",
        "worker_rlimit_nofile 65535;",
        "worker_shutdown_timeout 240s;",
        "events {",
        "    worker_connections 16384;",
        "    multi_accept on;",
        "}",
        "http {",
        "    default_type text/html;",
        "    access_log off;",
        "    sendfile on;",
        "    tcp_nodelay on;",
        "    keepalive_timeout 75s;",
        "    keepalive_requests 1000;",
        "    server_tokens off;",
        "    client_max_body_size 1m;",
        "    server_names_hash_max_size 4096;",
        "    server_names_hash_bucket_size 128;",
        "    map_hash_bucket_size 128;",
        f"    client_body_temp_path {quote(str(temp / 'client-body'))};",
        f"    proxy_temp_path {quote(str(temp / 'proxy'))};",
        f"    fastcgi_temp_path {quote(str(temp / 'fastcgi'))};",
        f"    uwsgi_temp_path {quote(str(temp / 'uwsgi'))};",
        f"    scgi_temp_path {quote(str(temp / 'scgi'))};",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        "    ssl_session_cache shared:SSL:10m;",
        "    ssl_session_timeout 10m;",
        "    ssl_prefer_server_ciphers on;",
        "    map $http_upgrade $connection_upgrade {",
        "        default upgrade;",
        "        '' '';",
        "    }",
        "    proxy_http_version 1.1;",
        "    proxy_set_header Upgrade $http_upgrade;",
        "    proxy_set_header Connection $connection_upgrade;",
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Real-IP $remote_addr;",
        # ingress-nginx's default (use-forwarded-headers off): what the client claims is not trusted
        "    proxy_set_header X-Forwarded-For $remote_addr;",
        "    proxy_set_header X-Forwarded-Host $host;",
        "    proxy_set_header X-Forwarded-Port $server_port;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Scheme $scheme;",
        "    proxy_connect_timeout 5s;",
        "    proxy_send_timeout 60s;",
        "    proxy_read_timeout 60s;",
        "    proxy_buffering off;",
        "    proxy_next_upstream error timeout;",
        "    proxy_next_upstream_tries 3;",
        "    proxy_redirect off;",
    ]
    for upstream in model.upstreams.values():
        lines.append(f"    upstream {upstream.name} {{")
        lines += [f"        server {server} max_fails=0;" for server in upstream.servers]
        lines += ["        keepalive 32;", "    }"]
    lines += _server(model.default_server, layout)
    for server in model.servers:
        lines += _server(server, layout)
    lines.append("}")
    return "\n".join(lines) + "\n"
