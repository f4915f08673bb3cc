"""Dataset kinds: one module per kind (= target table), each with the same entry point

    normalize(fields: dict[str, str], ctx: Context) -> dict[str, list[dict]]

taking the mapped source strings and returning rows per table (the kind's own table first,
child tables after), or raising Reject with the reason. Found by module name (spec.kind).
"""

from __future__ import annotations

import importlib


def kind_module(kind: str):
    return importlib.import_module(f"etl.datasets.{kind}")
