# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A volume made group-owned by the pod's fsGroup, as upstream's SetVolumeOwnership does:
every file and directory gets the group, read (and, unless the volume is read-only,
write) for the group, and directories get setgid and group search so that what the
containers create there inherits the group. Symlinks get the group but no mode change.

fsGroupChangePolicy OnRootMismatch skips the walk when the volume's root already has
the group, setgid and the group bits; Always (the default) walks every time.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("kybernetes.kubelet.volumes")

READ_WRITE_MASK = 0o660
READ_ONLY_MASK = 0o440
EXEC_MASK = 0o110


def owned_mode(mode: int, is_dir: bool, readonly: bool) -> int:
    """The permission bits a file of `mode` gets under an fsGroup."""
    mask = READ_ONLY_MASK if readonly else READ_WRITE_MASK
    if is_dir:
        mask |= stat.S_ISGID | EXEC_MASK
    return (mode & 0o7777) | mask


def needs_change(root_gid: int, root_mode: int, fs_group: int, readonly: bool) -> bool:
    """OnRootMismatch's test on the volume's root directory."""
    bits = READ_ONLY_MASK if readonly else READ_WRITE_MASK
    return root_gid != fs_group or not root_mode & stat.S_ISGID or root_mode & bits != bits


def set_volume_ownership(root: Path, fs_group: int | None, *, readonly: bool = False,
                         policy: str | None = None) -> bool:
    """Apply `fs_group` to everything under `root` (not following symlinks); returns
    whether it walked. Errors on single files are logged, as upstream does."""
    if fs_group is None:
        return False
    fs_group = int(fs_group)
    if policy == "OnRootMismatch":
        info = os.stat(root)
        if not needs_change(info.st_gid, info.st_mode, fs_group, readonly):
            return False
    for directory, dirs, files in os.walk(root):
        _own(directory, fs_group, readonly)
        for name in dirs + files:
            path = os.path.join(directory, name)
            if name in dirs and not os.path.islink(path):
                continue  # walked as its own `directory`
            _own(path, fs_group, readonly)
    return True


def _own(path: str, fs_group: int, readonly: bool) -> None:
    try:
        info = os.lstat(path)
        os.lchown(path, -1, fs_group)
        if stat.S_ISLNK(info.st_mode):
            return
        os.chmod(path, owned_mode(info.st_mode, stat.S_ISDIR(info.st_mode), readonly))
    except OSError as error:
        log.warning("setting fsGroup %d on %s: %s", fs_group, path, error)
