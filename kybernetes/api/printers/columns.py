# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Column definitions as Table wants them, and the registry the printers fill in.

A printer is a list of columns plus a function from (object, now) to the row's cells.
The server always prints the wide form (upstream calls its printers with Wide on);
kubectl hides the columns of priority > 0 unless `-o wide`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

Cells = Callable[[dict, datetime], list]

NAME_DESCRIPTION = "Name must be unique within a namespace."
AGE_DESCRIPTION = ("CreationTimestamp is a timestamp representing the server time when this "
                   "object was created.")
CONTAINERS_DESCRIPTION = "Names of each container in the template."
IMAGES_DESCRIPTION = "Images referenced by each container in the template."


def column(name: str, type_: str = "string", description: str = "", priority: int = 0,
           format_: str = "") -> dict:
    """One TableColumnDefinition; all five fields are always present on the wire."""
    return {"name": name, "type": type_, "format": format_,
            "description": description or name, "priority": priority}


def name_column(priority: int = 0) -> dict:
    return column("Name", description=NAME_DESCRIPTION, priority=priority, format_="name")


def age_column() -> dict:
    return column("Age", description=AGE_DESCRIPTION)


def wide(name: str, description: str = "", type_: str = "string") -> dict:
    return column(name, type_, description, priority=1)


def template_columns(with_selector: bool = True) -> list[dict]:
    """The wide Containers, Images (and Selector) columns of the workload printers."""
    columns = [wide("Containers", CONTAINERS_DESCRIPTION), wide("Images", IMAGES_DESCRIPTION)]
    if with_selector:
        columns.append(wide("Selector", "Label query over pods."))
    return columns


@dataclass(frozen=True)
class Printer:
    columns: list[dict]
    cells: Cells


# (group, kind) -> Printer; filled by the printer modules as they are imported
PRINTERS: dict[tuple[str, str], Printer] = {}


def printer(group: str, kind: str, columns: list[dict]) -> Callable[[Cells], Cells]:
    """Decorator registering `cells` as the row printer of group/kind."""
    def register(cells: Cells) -> Cells:
        PRINTERS[(group, kind)] = Printer(columns, cells)
        return cells
    return register
