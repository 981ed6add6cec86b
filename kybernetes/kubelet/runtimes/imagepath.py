# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Finding a command inside an image's files from the host, resolving symlinks as the
container would see them (an absolute link points into the image, not the host)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def resolve_in_layers(layers: list[Path], path: str, depth: int = 0) -> Path | None:
    """The host file an absolute in-image `path` names, following symlinks inside the
    union of `layers` (lowest first, so searched from the top)."""
    if depth > 40:
        return None
    parts = [p for p in path.split("/") if p and p != "."]
    current = ""
    for index, part in enumerate(parts):
        if part == "..":
            current = current.rsplit("/", 1)[0]
            continue
        candidate = f"{current}/{part}"
        for layer in reversed(layers):
            host = layer / candidate.lstrip("/")
            if host.is_symlink():
                target = os.readlink(host)
                base = target if target.startswith("/") else f"{current}/{target}"
                rest = "/".join(parts[index + 1:])
                return resolve_in_layers(layers, f"{base}/{rest}" if rest else base,
                                         depth + 1)
            if host.exists():
                break
        else:
            return None
        current = candidate
    for layer in reversed(layers):
        host = layer / current.lstrip("/")
        if host.exists():
            return host
    return None


def find_executable(argv0: str, layers: list[Path], env_path: str,
                    host_fallback: bool = True) -> str | None:
    """The host path to run for `argv0`: in the image's layers, else (with
    `host_fallback`) on the host."""
    if "/" in argv0:
        candidates = [argv0 if argv0.startswith("/") else "/" + argv0]
    else:
        candidates = [f"{d.rstrip('/')}/{argv0}" for d in env_path.split(":") if d]
    for candidate in candidates:
        host = resolve_in_layers(layers, candidate) if layers else None
        if host is not None and host.is_file() and os.access(host, os.X_OK):
            return str(host)
    if not host_fallback:
        return None
    if "/" in argv0:
        return argv0 if os.access(argv0, os.X_OK) and os.path.isfile(argv0) else None
    return shutil.which(argv0, path=env_path)
