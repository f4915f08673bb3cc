"""Worker processes for the gates that read every file of a province-size site."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def in_workers(fn, tasks: list, workers: int | None, initializer=None, initargs=()) -> list:
    """[fn(task) for task in tasks], in worker processes (one per core by default); results in
    task order, so the report does not depend on timing. Forked, as the site build's workers
    (plugins/disclosure/render.py): nothing to import again, and they only read files."""
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        if initializer:
            initializer(*initargs)
        return [fn(task) for task in tasks]
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=initializer, initargs=initargs
    ) as pool:
        return list(pool.map(fn, tasks))


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]
