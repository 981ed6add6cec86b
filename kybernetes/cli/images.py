# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes images import FILE.tar | list | rm IMAGE...`: the node's image store
(DATA_DIR/images), as `crictl images`/`crictl rmi` and `ctr images import` show it."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kybernetes.kubelet.images.reference import InvalidReference, parse_reference


def add_images_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the node's data dir; images live in DATA_DIR/images "
                             "(default /var/lib/kybernetes as root, ~/.local/share/kybernetes otherwise)")
    actions = parser.add_subparsers(dest="images_command", metavar="ACTION")
    do_import = actions.add_parser("import", help="import images from docker-save or OCI archives")
    do_import.add_argument("files", nargs="+", metavar="FILE.tar")
    do_list = actions.add_parser("list", aliases=["ls"], help="list images (as `crictl images`)")
    do_list.add_argument("-q", "--quiet", action="store_true", help="only show image IDs")
    do_list.add_argument("--digests", action="store_true", help="show digests")
    do_remove = actions.add_parser("rm", aliases=["rmi"], help="remove images by name or ID")
    do_remove.add_argument("images", nargs="+", metavar="IMAGE")
    for sub in (do_import, do_list, do_remove):  # --data-dir after the action works too
        sub.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def human_size(size: int) -> str:
    """Decimal units with three significant digits, as crictl prints sizes (1.04MB)."""
    units = ["B", "kB", "MB", "GB", "TB", "PB"]
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value /= 1000
        unit += 1
    return f"{value:.3g}{units[unit]}"


def _table(rows: list[list[str]]) -> str:
    """crictl's tabwriter: columns at least 20 wide, 3 spaces of padding."""
    widths = [max(20, max(len(row[i]) for row in rows) + 3) for i in range(len(rows[0]))]
    return "\n".join("".join(cell.ljust(widths[i]) if i < len(row) - 1 else cell
                             for i, cell in enumerate(row)) for row in rows)


def _repo_and_tag(name: str) -> tuple[str, str]:
    try:
        parsed = parse_reference(name)
    except InvalidReference:
        return name, "<none>"
    return parsed.name, parsed.tag or "<none>"


def _list(service, args: argparse.Namespace) -> int:
    images = service.list()
    if args.quiet:
        for image in images:
            print(image.id)
        return 0
    header = ["IMAGE", "TAG"] + (["DIGEST"] if args.digests else []) + ["IMAGE ID", "SIZE"]
    rows = [header]
    for image in images:
        short_id = image.id.split(":", 1)[1][:13]
        digest = image.repo_digest.split("@", 1)[1].split(":", 1)[1][:13] if image.repo_digest else "<none>"
        if image.tags:
            names = [_repo_and_tag(tag) for tag in image.tags]
        elif image.repo_digest:  # pulled by digest, or its tag moved on: <none>
            names = [(image.repo_digest.split("@", 1)[0], "<none>")]
        else:
            names = [("<none>", "<none>")]
        for repo, tag in names:
            rows.append([repo, tag] + ([digest] if args.digests else []) + [short_id, human_size(image.size)])
    print(_table(rows))
    return 0


def _import(service, args: argparse.Namespace) -> int:
    from kybernetes.kubelet.images.archive import ArchiveError
    for path in args.files:
        try:
            images = service.import_archive(path)
        except ArchiveError as exc:
            print(f"kybernetes: error: {exc}", file=sys.stderr)
            return 1
        for image in images:
            for name in image.tags or ["<none>"]:
                print(f"imported {name} ({image.id})")
    return 0


def _remove(service, args: argparse.Namespace) -> int:
    from kybernetes.kubelet.images import ImageNotFoundError
    status = 0
    for name in args.images:
        image = service.lookup(name)
        try:
            service.remove(name)
        except ImageNotFoundError as exc:
            print(f"kybernetes: error: {exc}", file=sys.stderr)
            status = 1
            continue
        for tag in image.tags or [image.id]:
            print(f"Deleted: {tag}")
    return status


def images_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.main import default_data_dir
    from kybernetes.kubelet.images.service import ImageService
    if not args.images_command:
        print("kybernetes: error: images needs an action: import FILE.tar, list or rm IMAGE",
              file=sys.stderr)
        return 2
    data_dir = args.data_dir or default_data_dir()
    try:
        service = ImageService(data_dir / "images")
        action = {"import": _import, "list": _list, "ls": _list, "rm": _remove, "rmi": _remove}
        return action[args.images_command](service, args)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"kybernetes: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
