"""Validation results kept between the nights of one process (the daemon, `khet demo --year`): a school's tab
whose grid has not changed since it was last validated is not validated again.

`validate_table(sheet, grid, first_row=1)` is a pure function of the sheet's definition (a frozen dataclass:
a changed setting is a different key) and the grid's cells, so its result is reused for an identical pair. Most
tabs of most schools do not change from one night to the next, yet each night re-validated every school's held
tabs (~10 ms each: 30 schools × 6 tabs × 70 nights of the demo's year were a minute of its run).

Bounded: least recently used results are dropped beyond `limit`. Every live tab is looked up every night, so
only superseded versions fall out; the default holds 200 schools × 7 tabs × 2 open years with room to spare.
Results are shared, so callers must not mutate them (none does: the job copies rows with `assign`)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from addin.validate import ValidationResult, validate_table


class ValidatedTabs:
    def __init__(self, limit: int = 6000) -> None:
        self.limit = limit
        self._results: OrderedDict[tuple, ValidationResult] = OrderedDict()
        self._lock = threading.Lock()  # the reader validates from several threads

    @staticmethod
    def _key(sheet, grid: list[list[Any]]) -> tuple:
        # repr keeps types apart (1, 1.0 and "1" are different cells to the validator).
        return sheet, hashlib.blake2b(repr(grid).encode(), digest_size=16).digest()

    def get(self, sheet, grid: list[list[Any]]) -> ValidationResult | None:
        key = self._key(sheet, grid)
        with self._lock:
            res = self._results.get(key)
            if res is not None:
                self._results.move_to_end(key)
            return res

    def put(self, sheet, grid: list[list[Any]], result: ValidationResult) -> None:
        key = self._key(sheet, grid)
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > self.limit:
                self._results.popitem(last=False)

    def validate(self, sheet, grid: list[list[Any]]) -> ValidationResult:
        """The tab's validation (as `validate_table(sheet, grid, first_row=1)`), computed once per content."""
        res = self.get(sheet, grid)
        if res is None:
            res = validate_table(sheet, grid, first_row=1)
            self.put(sheet, grid, res)
        return res


# One per process: the reader fills it with what it validated tonight, the consolidation reuses it for the tabs
# held from earlier nights.
VALIDATED = ValidatedTabs()
