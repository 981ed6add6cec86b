# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Server-side table printing: what `kubectl get` shows for every kind.

`column_definitions` and `row_cells` give a kind's Table columns and one object's cells
as kube-apiserver 1.32 prints them (always the wide form; kubectl hides priority > 0
columns unless `-o wide`). Kinds without an upstream printer get the default table:
Name and Created At. `custom_columns` does the same for a CRD's additionalPrinterColumns.
"""
from __future__ import annotations

from datetime import datetime

from . import cluster, network, storage, workloads  # noqa: F401  (they register printers)
from .columns import PRINTERS, Printer
from .custom import DEFAULT_COLUMNS, custom_columns, default_cells
from .formatting import human_duration
from .workloads import pod_status_summary

__all__ = ["column_definitions", "row_cells", "row_conditions", "custom_columns",
           "human_duration", "has_printer", "pod_status_summary"]

_POD_FINISHED_CONDITIONS = {
    "Succeeded": [{"type": "Completed", "status": "True", "reason": "Succeeded",
                   "message": "The pod has completed successfully."}],
    "Failed": [{"type": "Completed", "status": "True", "reason": "Failed",
                "message": "The pod failed."}],
}


def _printer(group: str, kind: str) -> Printer | None:
    return PRINTERS.get((group, kind))


def has_printer(group: str, kind: str) -> bool:
    return _printer(group, kind) is not None


def column_definitions(group: str, kind: str) -> list[dict]:
    """The Table columnDefinitions for group/kind (a fresh copy the caller may keep)."""
    printer = _printer(group, kind)
    columns = printer.columns if printer is not None else DEFAULT_COLUMNS
    return [dict(c) for c in columns]


def row_cells(group: str, kind: str, obj: dict, now: datetime) -> list:
    """One object's cells, formatted as the server sends them, in column order."""
    printer = _printer(group, kind)
    if printer is None:
        return default_cells(obj, now)
    return printer.cells(obj, now)


def row_conditions(group: str, kind: str, obj: dict) -> list[dict] | None:
    """The row's `conditions`, which upstream sets only on finished pods (type Completed)."""
    if group == "" and kind == "Pod":
        conditions = _POD_FINISHED_CONDITIONS.get((obj.get("status") or {}).get("phase", ""))
        return [dict(c) for c in conditions] if conditions else None
    return None
