# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes migrate --from STORE --to STORE`: copy a cluster's state between stores
(SQLite to etcd, etcd to SQLite, or between two of the same kind).

Every key under /registry/ is read from the source in one range (one revision, so a
consistent cut) and created in the target, whose /registry/ must be empty. Values are
copied byte for byte (uids, generations, data stay); resourceVersions do not survive,
because a resourceVersion is the store's revision of the write and the target numbers its
writes itself. Clients re-list after the move as after any restore.
"""
from __future__ import annotations

import argparse
import asyncio
import time

from kybernetes.cli.errors import UsageError
from kybernetes.storage.interface import StorageError

PREFIX = "/registry/"
PARALLEL = 64  # creates in flight at once (SQLite groups them, etcd pipelines them)

DESCRIPTION = """Copy every object (every key under /registry/) from one store to another.
Stop the API servers first. The target must be empty. Objects keep their uids and
contents, but resourceVersions change: they are the target store's revisions, numbered
afresh by the target as it stores each object (clients and controllers re-list)."""


def add_migrate_flags(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.add_argument("--from", dest="source", required=True, metavar="STORE",
                        help="sqlite:PATH or etcd:URL[,URL]")
    parser.add_argument("--to", dest="target", required=True, metavar="STORE",
                        help="sqlite:PATH or etcd:URL[,URL] (must hold nothing under /registry/)")
    parser.add_argument("--etcd-cafile", default=None, help="TLS for the etcd side(s)")
    parser.add_argument("--etcd-certfile", default=None)
    parser.add_argument("--etcd-keyfile", default=None)
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)


def _open(spec: str, args: argparse.Namespace, flag: str, must_exist: bool):
    from pathlib import Path

    from kybernetes.storage import open_store
    scheme, _, rest = spec.partition(":")
    if scheme not in ("sqlite", "etcd") or not rest:
        raise UsageError(f"{flag}: {spec!r} is not sqlite:PATH or etcd:URL[,URL]")
    if scheme == "sqlite" and must_exist and not Path(rest).is_file():
        raise UsageError(f"{flag}: {rest} does not exist")
    return open_store(spec, ca_file=args.etcd_cafile, cert_file=args.etcd_certfile,
                      key_file=args.etcd_keyfile)


async def migrate_main(args: argparse.Namespace) -> int:
    if args.source == args.target:
        raise UsageError("--from and --to are the same store")
    source = _open(args.source, args, "--from", must_exist=True)
    try:
        target = _open(args.target, args, "--to", must_exist=False)
    except BaseException:
        await source.close()
        raise
    try:
        return await _copy(args, source, target)
    except StorageError as exc:  # an unreachable or failing store: one line, exit 1
        raise OSError(f"migrate: {exc}") from None
    finally:
        await target.close()
        await source.close()


async def _copy(args: argparse.Namespace, source, target) -> int:
    existing = await target.count(PREFIX)
    if existing:
        raise UsageError(f"--to {args.target} is not empty ({existing} keys under {PREFIX}); "
                         f"migrate only into an empty store")
    started = time.monotonic()
    items, revision = await source.range(PREFIX)
    semaphore = asyncio.Semaphore(PARALLEL)

    async def copy(kv) -> None:
        async with semaphore:
            await target.create(kv.key, kv.value)

    await asyncio.gather(*(copy(kv) for kv in items))
    copied = await target.count(PREFIX)
    if copied != len(items):
        raise UsageError(f"copied {len(items)} keys but the target holds {copied}")
    print(f"migrated {len(items)} keys from {args.source} (revision {revision}) to "
          f"{args.target} (now at revision {await target.current_revision()}) in "
          f"{time.monotonic() - started:.2f}s; resourceVersions are the target's revisions")
    return 0
