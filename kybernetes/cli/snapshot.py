# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes snapshot save|restore FILE`: back up and restore a cluster's store.

SQLite (the default store, <data-dir>/state.db): `save` uses SQLite's online backup API,
which reads a consistent copy of the database (WAL mode: the running server keeps
writing meanwhile), and writes a self-contained file (rollback journal, no -wal beside
it). `restore` copies a snapshot into a data dir whose state.db does not exist yet.

etcd (`--datastore etcd --etcd-servers URL` or `--etcd-servers URL`): `save` runs
`etcdctl snapshot save` against one member; `restore` runs `etcdctl snapshot restore`
into a new etcd data dir (`--etcd-data-dir`) and prints how to start etcd on it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from kybernetes.cli.errors import UsageError

SQLITE_MAGIC = b"SQLite format 3\x00"


def add_store_flags(parser: argparse.ArgumentParser) -> None:
    """The store flags of `kybernetes server|apiserver`, with the same meaning."""
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the server's data dir (its state.db is the SQLite store)")
    parser.add_argument("--datastore", default="",
                        help="sqlite (default, <data-dir>/state.db), sqlite:PATH, "
                             "or etcd (with --etcd-servers) / etcd:URL[,URL]")
    parser.add_argument("--etcd-servers", default="",
                        help="etcd client URLs, comma separated (implies --datastore etcd)")
    parser.add_argument("--etcd-cafile", default=None)
    parser.add_argument("--etcd-certfile", default=None)
    parser.add_argument("--etcd-keyfile", default=None)
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)


def add_snapshot_flags(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="snapshot_action", metavar="ACTION")
    save = actions.add_parser(
        "save", help="write a snapshot of the store to FILE (safe while the server runs)")
    save.add_argument("file", metavar="FILE", type=Path)
    add_store_flags(save)
    restore = actions.add_parser(
        "restore", help="restore FILE into a fresh data dir (SQLite) or a new etcd data dir")
    restore.add_argument("file", metavar="FILE", type=Path)
    add_store_flags(restore)
    restore.add_argument("--etcd-data-dir", type=Path, default=None,
                         help="etcd: the NEW member data dir to restore into (must not exist)")
    restore.add_argument("--etcd-name", default="default",
                         help="etcd: the restored member's name (etcd --name)")
    restore.add_argument("--etcd-initial-advertise-peer-urls", default="http://localhost:2380",
                         help="etcd: the restored member's peer URL")
    restore.add_argument("--etcd-initial-cluster", default="",
                         help="etcd: NAME=PEER_URL[,...] (default: the restored member alone)")


def _data_dir(args: argparse.Namespace) -> Path:
    from kybernetes.cli.main import default_data_dir
    return (args.data_dir or default_data_dir()).expanduser().resolve()


def _spec(args: argparse.Namespace) -> str:
    from kybernetes.cli.serve import datastore_spec
    return datastore_spec(args, _data_dir(args))


# ---------------------------------------------------------------- SQLite

def _check_kine(conn: sqlite3.Connection, what: str) -> int:
    """The revision of a kybernetes SQLite database; UsageError when it is not one."""
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise UsageError(f"{what} is damaged: {ok}")
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'kine'").fetchone():
            raise UsageError(f"{what} is not a kybernetes database (no kine table)")
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'kine'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{what} is not a SQLite database: {exc}") from None
    return row[0] if row else 0


def sqlite_save(source: Path, target: Path) -> int:
    if not source.is_file():
        raise UsageError(f"{source} does not exist: nothing to save (is --data-dir right?)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # A plain connection (read-only mode cannot open a WAL database whose -shm is gone);
    # the backup only reads.
    src = sqlite3.connect(source)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent read transaction
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            revision = _check_kine(dst, str(source))
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)
    return revision


def sqlite_restore(snapshot: Path, target: Path) -> int:
    existing = [p for p in (target, Path(f"{target}-wal"), Path(f"{target}-shm")) if p.exists()]
    if existing:
        raise UsageError(f"{existing[0]} exists: restore only into a data dir without a "
                         f"database (move it away or use a fresh --data-dir)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        revision = _check_kine(src, str(snapshot))
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the store runs it
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)
    return revision


# ---------------------------------------------------------------- etcd

def _etcdctl(args: argparse.Namespace, *command: str, endpoint: str | None = None
             ) -> subprocess.CompletedProcess:
    binary = shutil.which("etcdctl")
    if binary is None:
        raise UsageError("etcdctl is not on PATH (Debian: apt install etcd-client)")
    argv = [binary]
    if endpoint:
        argv += ["--endpoints", endpoint]
        for flag, value in (("--cacert", args.etcd_cafile), ("--cert", args.etcd_certfile),
                            ("--key", args.etcd_keyfile)):
            if value:
                argv += [flag, str(value)]
    argv += list(command)
    return subprocess.run(argv, capture_output=True, text=True,
                          env=dict(os.environ, ETCDCTL_API="3"))


def etcd_save(args: argparse.Namespace, endpoints: list[str], target: Path) -> str:
    """`etcdctl snapshot save` talks to one member: the first healthy one. (The health
    check is bounded; the snapshot itself is not, since a large one takes a while, and
    etcdctl would otherwise wait forever on an unreachable endpoint.)"""
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for endpoint in endpoints:
        health = _etcdctl(args, "--dial-timeout=3s", "--command-timeout=10s", "endpoint",
                          "health", endpoint=endpoint)
        if health.returncode != 0:
            errors.append(f"{endpoint}: not healthy")
            continue
        result = _etcdctl(args, "--dial-timeout=3s", "snapshot", "save", str(target),
                          endpoint=endpoint)
        if result.returncode == 0:
            return endpoint
        Path(f"{target}.part").unlink(missing_ok=True)
        lines = (result.stderr or result.stdout).strip().splitlines()
        errors.append(f"{endpoint}: {lines[-1] if lines else 'failed'}")
    raise UsageError("etcd snapshot failed: " + "; ".join(errors))


def etcd_restore(args: argparse.Namespace, snapshot: Path) -> None:
    data_dir: Path = args.etcd_data_dir.expanduser().resolve()
    if data_dir.exists():
        raise UsageError(f"--etcd-data-dir {data_dir} exists: etcd restores into a new data dir")
    peer = args.etcd_initial_advertise_peer_urls
    cluster = args.etcd_initial_cluster or f"{args.etcd_name}={peer}"
    result = _etcdctl(args, "snapshot", "restore", str(snapshot), "--data-dir", str(data_dir),
                      "--name", args.etcd_name, "--initial-advertise-peer-urls", peer,
                      "--initial-cluster", cluster)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise UsageError("etcdctl snapshot restore failed: " + (lines[-1] if lines else "?"))
    print(f"restored {snapshot} into etcd data dir {data_dir}; start etcd on it with:\n"
          f"  etcd --name {args.etcd_name} --data-dir {data_dir} \\\n"
          f"    --listen-client-urls http://127.0.0.1:2379 "
          f"--advertise-client-urls http://127.0.0.1:2379 \\\n"
          f"    --listen-peer-urls {peer.split(',')[0]} --initial-advertise-peer-urls {peer} "
          f"--initial-cluster {cluster}\n"
          f"then: kybernetes server --etcd-servers http://127.0.0.1:2379")


# ---------------------------------------------------------------- the command

def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


async def snapshot_main(args: argparse.Namespace) -> int:
    if args.snapshot_action is None:
        raise UsageError("snapshot needs an action: save FILE or restore FILE")
    if args.snapshot_action == "restore":
        if not args.file.is_file():
            raise UsageError(f"{args.file} does not exist")
        etcd_wanted = args.etcd_data_dir is not None
        if not etcd_wanted and (args.etcd_servers or args.datastore.startswith("etcd")):
            raise UsageError("an etcd snapshot restores into a new etcd member: give "
                             "--etcd-data-dir DIR")
        if etcd_wanted:
            if _is_sqlite(args.file):
                raise UsageError(f"{args.file} is a SQLite snapshot: restore it with --data-dir "
                                 f"(or --datastore sqlite:PATH), not --etcd-data-dir")
            etcd_restore(args, args.file)
            return 0
        if not _is_sqlite(args.file):
            raise UsageError(f"{args.file} is not a SQLite snapshot (an etcd one restores with "
                             f"--etcd-data-dir DIR)")
        spec = _spec(args)
        if not spec.startswith("sqlite:"):
            raise UsageError(f"cannot restore into {spec!r}: use sqlite or --etcd-data-dir")
        target = Path(spec.split(":", 1)[1])
        revision = sqlite_restore(args.file, target)
        print(f"restored {args.file} (revision {revision}) into {target}")
        return 0
    spec = _spec(args)
    scheme, _, rest = spec.partition(":")
    if scheme == "sqlite":
        revision = sqlite_save(Path(rest), args.file)
        print(f"saved {rest} (revision {revision}) to {args.file}")
        return 0
    if scheme == "etcd":
        endpoint = etcd_save(args, [u.strip() for u in rest.split(",") if u.strip()], args.file)
        print(f"saved etcd snapshot of {endpoint} to {args.file}")
        return 0
    raise UsageError(f"cannot snapshot {spec!r}: the memory store keeps nothing to save")
