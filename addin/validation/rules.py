"""Table rules (`SheetDef.rules`, `Column.unique`): checks across the columns of a row or across rows.

A rule looks only at cells that are present and valid; a cell that is already wrong has its own finding, and
a rule over a wrong value would only repeat it. Each check returns `RuleHit`s naming the row, the column whose
cell the finding points at, and the message parameters. Decisions:
- unique: a row is checked when every part of its key is filled; the first occurrence stays, every later
  one is the finding (it names the first row).
- result_vs_target: not meeting a target is information for the district, not an input error — its
  severity comes from the rule (the definitions make it a warning), and the row stays clean.
- sum_equals: exact to the satang for money (integer satang arithmetic); blank parts count as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from addin.validation.normalize import display
from workbook.schema import DIRECTION_HIGHER_BETTER, DIRECTION_LOWER_BETTER, ColType, SheetDef, TableRule


@dataclass
class Table:
    """Typed values and error codes of the non-blank rows, by column key (missing columns are all None)."""

    sheet: SheetDef
    values: dict[str, np.ndarray]
    filled_ok: dict[str, np.ndarray]  # bool per row: the cell is filled and has no error
    error: dict[str, np.ndarray]  # bool per row: the cell has an error
    rownums: np.ndarray
    headers: dict[str, str]  # column key -> header as found (or the expected Thai header)
    partition: np.ndarray | None = None  # a group label per row: unique keys hold within a group only

    def usable(self, *keys: str) -> np.ndarray:
        """Rows where every one of `keys` is filled and valid."""
        mask = np.ones(len(self.rownums), dtype=bool)
        for k in keys:
            mask &= self.filled_ok[k]
        return mask

    def valid(self, key: str) -> np.ndarray:
        """Rows where `key` has no error (it may be empty)."""
        return ~self.error[key]


@dataclass
class RuleHit:
    row: int  # position among the table's rows
    key: str  # the column the finding points at
    params: dict


def duplicates(table: Table, keys: tuple[str, ...]) -> list[RuleHit]:
    mask = table.usable(*keys)
    pos = np.flatnonzero(mask)
    if len(pos) < 2:
        return []
    frame = pd.DataFrame({k: table.values[k][pos] for k in keys})
    by = list(keys)
    if table.partition is not None:
        frame["\0partition"] = table.partition[pos]
        by.append("\0partition")
    dup = frame.duplicated(keep="first").to_numpy()
    if not dup.any():
        return []
    group = frame.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    _, first_index = np.unique(group, return_index=True)
    first_of_group = dict(zip(group[first_index], pos[first_index], strict=True))
    headers = ", ".join(table.headers[k] for k in keys)
    return [RuleHit(int(p), keys[0], {"first_row": int(table.rownums[first_of_group[g]]), "headers": headers})
            for p, g in zip(pos[dup], group[dup], strict=True)]


def _pair(table: Table, a: str, b: str, bad) -> list[RuleHit]:
    """Rows where bad(value_a, value_b) holds; the finding points at column `a`."""
    pos = np.flatnonzero(table.usable(a, b))
    if not len(pos):
        return []
    va, vb = table.values[a][pos], table.values[b][pos]
    hits = np.flatnonzero(bad(va, vb))
    return [RuleHit(int(pos[i]), a, {"header": table.headers[a], "value": display(va[i]),
                                     "other_header": table.headers[b], "other_value": display(vb[i])})
            for i in hits]


def _amounts(table: Table, key: str, rows: np.ndarray) -> np.ndarray:
    """Exact numbers for summing: integer satang for money, floats otherwise; blank = 0."""
    vals = table.values[key][rows]
    if table.sheet.column(key).type is ColType.MONEY:
        return np.fromiter((0 if v is None else int(v.scaleb(2)) for v in vals), dtype=object, count=len(vals))
    return np.fromiter((0.0 if v is None else float(v) for v in vals), dtype=float, count=len(vals))


def sum_mismatches(table: Table, parts: tuple[str, ...], total: str) -> list[RuleHit]:
    rows = table.usable(total)
    for k in parts:  # a wrong part has its own finding
        rows &= table.valid(k)
    pos = np.flatnonzero(rows)
    if not len(pos):
        return []
    sums = sum(_amounts(table, k, pos) for k in parts)
    totals = _amounts(table, total, pos)
    if totals.dtype == object:
        bad = sums != totals
    else:
        bad = ~np.isclose(sums.astype(float), totals, rtol=1e-9, atol=1e-9)
    money = table.sheet.column(total).type is ColType.MONEY
    headers = " + ".join(table.headers[k] for k in parts)
    hits = []
    for i in np.flatnonzero(bad):
        other = display(Decimal(int(sums[i])).scaleb(-2)) if money else display(float(sums[i]))
        hits.append(RuleHit(int(pos[i]), total, {"header": table.headers[total],
                                                 "value": display(table.values[total][pos[i]]),
                                                 "other_value": other, "headers": headers}))
    return hits


def targets_missed(table: Table, target: str, result: str, direction: str) -> list[RuleHit]:
    pos = np.flatnonzero(table.usable(target, result, direction))
    hits = []
    for p in pos:
        t, r, d = table.values[target][p], table.values[result][p], table.values[direction][p]
        if (d == DIRECTION_HIGHER_BETTER and r < t) or (d == DIRECTION_LOWER_BETTER and r > t):
            hits.append(RuleHit(int(p), result, {"header": table.headers[result], "value": display(r),
                                                 "other_value": display(t), "direction": d}))
    return hits


def check(table: Table, rule: TableRule) -> list[RuleHit]:
    if rule.kind == "unique":
        return duplicates(table, rule.columns)
    if rule.kind == "end_not_before_start":
        start, end = rule.columns
        return _pair(table, end, start, lambda e, s: e < s)
    if rule.kind == "not_more_than":
        value, limit = rule.columns
        return _pair(table, value, limit, lambda v, lim: v > lim)
    if rule.kind == "sum_equals":
        return sum_mismatches(table, rule.columns, rule.total)
    if rule.kind == "result_vs_target":
        target, result = rule.columns
        return targets_missed(table, target, result, rule.direction_column)
    raise ValueError(f"unknown rule kind {rule.kind!r}")  # pragma: no cover - TableRule refuses it


def rule_code(rule: TableRule) -> str:
    return rule.code or f"rule.{rule.kind}"
