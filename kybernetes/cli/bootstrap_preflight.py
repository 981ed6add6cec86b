# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes init`'s preflight checks, named and worded as kubeadm's so that
`--ignore-preflight-errors=Swap,Port-6443` (or `all`) works the same way. Each check
looks at the host and returns an error message or None; `run_preflight` turns ignored
errors into warnings and the rest into one fatal report."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Callable

from kybernetes.cli.errors import UsageError

Check = tuple[str, Callable[[], str | None]]


def port_free(port: int, address: str = "0.0.0.0") -> Check:
    def check() -> str | None:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((address, port))
            except OSError:
                return f"Port {port} is in use"
        return None
    return f"Port-{port}", check


def swap_off(swaps: Path = Path("/proc/swaps")) -> Check:
    def check() -> str | None:
        try:
            lines = swaps.read_text().splitlines()[1:]
        except OSError:
            return None
        return "running with swap on is not supported. Please disable swap" if any(l.strip() for l in lines) else None
    return "Swap", check


def file_content(path: Path, wanted: str) -> Check:
    name = "FileContent-" + str(path).replace("/", "-")

    def check() -> str | None:
        try:
            if path.read_text().strip() != wanted:
                return f"{path} contents are not set to {wanted}"
        except OSError:
            return f"{path} does not exist"
        return None
    return name, check


def file_available(path: Path) -> Check:
    return ("FileAvailable-" + str(path).replace("/", "-"),
            lambda: f"{path} already exists" if path.exists() else None)


def file_existing(binary: str) -> Check:
    return (f"FileExisting-{binary}",
            lambda: None if shutil.which(binary) else f"{binary} not found in system path")


def privileged_user() -> Check:
    return "IsPrivilegedUser", lambda: None if os.geteuid() == 0 else "user is not running as root"


def run_preflight(checks: list[Check], ignored: set[str]) -> list[str]:
    """Warnings for ignored failures; UsageError listing the fatal ones."""
    ignore_all = "all" in {i.lower() for i in ignored}
    lowered = {i.lower() for i in ignored}
    warnings, errors = [], []
    for name, check in checks:
        problem = check()
        if problem is None:
            continue
        if ignore_all or name.lower() in lowered:
            warnings.append(f"\t[WARNING {name}]: {problem}")
        else:
            errors.append(f"\t[ERROR {name}]: {problem}")
    if errors:
        raise UsageError("error execution phase preflight: [preflight] Some fatal errors occurred:\n"
                         + "\n".join(errors) + "\n[preflight] If you know what you are doing, you can make a "
                         "check non-fatal with `--ignore-preflight-errors=...`")
    return warnings
