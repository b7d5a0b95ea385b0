"""The validation engine: a grid of raw cells for one sheet → typed clean rows, rejected rows and findings.

No row is ever lost: every non-blank row below the header is either in `rows` (clean) or in `rejected`
(with at least one error finding naming it, or the sheet-level finding that rejects every row). Blank rows
are counted. Unknown columns are kept (under their header) and reported. Rows above the header row (a title
a user inserted) are not data: they are outside `input_rows`, and the "header.moved" warning names them.

Decisions where the issue is silent:
- A missing REQUIRED column is one sheet-level error ("header.missing_column") and rejects every row (each
  row lacks a required value); no per-row "required.missing" is repeated for it. A missing optional column
  is a warning and reads as empty.
- No header row at all ("header.not_found"): every non-blank row of the grid is rejected, raw values kept
  under the column letters.
- A cell has at most one error (the first problem found) and, only when it has no error, a warning.
- Findings are ordered: sheet-level first, then by row and column as the user reads the sheet.
"""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import numpy as np
import pandas as pd

from addin.cells import UNSAFE_CHARACTERS, safe_text, unsafe_characters
from addin.validation.headers import HEADER_SCAN_ROWS, Layout, find_layout, letter
from addin.validation.messages import render, render_rule
from addin.validation.normalize import Factorized, Outcome, factorize, normalize_column
from addin.validation.rules import Table, check, duplicates, rule_code
from workbook.schema import ColType, SheetDef

ROW = "_row"
ERRORS = "_errors"
GROUP = "_group"
RAW_LIMIT = 200  # characters of a raw value kept in a finding


def safe_raw(value):
    """A raw cell value fit for JSON and for a message: long text shortened, NaN as None, dates as ISO."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, np.bool_ | np.integer):  # cells from a numpy/pandas grid
        return value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        if len(value) > RAW_LIMIT:
            return f"{value[:RAW_LIMIT]}… ({len(value):,} ตัวอักษร/characters)"
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    text = repr(value)
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def _quoted(params: dict | None) -> dict | None:
    """The values a message quotes, JSON-safe."""
    return None if params is None else {k: safe_raw(v) for k, v in params.items() if v is not None}


def _raw_param(value) -> str:
    raw = safe_raw(value)
    if isinstance(raw, str):
        return f"\"{raw if len(raw) <= 60 else raw[:60] + '…'}\""
    return "ว่าง" if raw is None else str(raw)


@dataclass(frozen=True)
class Finding:
    sheet: str  # Thai tab title
    sheet_key: str
    row: int | None  # row number as the user sees it; None = the whole sheet
    column: str | None  # header as found in the file, or the expected Thai header when it is missing
    cell: str | None  # A1 reference, e.g. "D7"
    raw: object  # the raw value (JSON-safe, long text shortened)
    severity: str  # "error" | "warning"
    code: str
    message_th: str
    message_en: str
    fix_th: str
    # Which school (the group of a stacked validation: the nightly job validates every school's tab in one call),
    # and the values the message quotes, as fields: a finding is never re-read from its text.
    school_code: str | None = None
    params: dict | None = field(default=None, compare=False, hash=False)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ValidationResult:
    sheet: SheetDef
    rows: pd.DataFrame
    rejected: pd.DataFrame
    findings: list[Finding]
    stats: dict
    header_row: int | None = None  # the header row as the user sees it; None = not found
    columns_found: dict[str, str] = field(default_factory=dict)  # column key -> header as found

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def findings_frame(self) -> pd.DataFrame:
        columns = list(Finding.__dataclass_fields__)
        return pd.DataFrame([f.as_dict() for f in self.findings], columns=columns)


# --- the grid ----------------------------------------------------------------------------------------------


def _columns(values: list) -> list[np.ndarray]:
    """The grid as one object array per column (ragged rows padded with None: the Sheets API drops
    trailing empty cells)."""
    n = len(values)
    if not n:
        return []
    lengths = set(map(len, values))
    width = max(lengths)
    grid = None
    if len(lengths) == 1:
        grid = np.array(values, dtype=object)  # one C pass when every row has the same length
        if grid.shape != (n, width):  # a cell holding a sequence: numpy went one level deeper
            grid = None
    if grid is None:
        grid = np.full((n, width), None, dtype=object)
        for i, row in enumerate(values):
            try:
                grid[i, :len(row)] = row
            except (ValueError, TypeError):  # a cell holding a sequence: place the cells one by one
                for j, v in enumerate(row):
                    grid[i, j] = v
    return [np.ascontiguousarray(grid[:, j]) for j in range(width)]


_TYPED_DTYPES = {ColType.INTEGER: "Int64", ColType.NUMBER: "Float64", ColType.PERCENT: "Float64"}


def _typed_series(values: np.ndarray, col_type: ColType) -> pd.Series:
    dtype = _TYPED_DTYPES.get(col_type)
    if dtype is None:
        return pd.Series(values, dtype=object)
    return pd.Series(pd.array(values.tolist(), dtype=dtype))


class _Builder:
    """Collects findings for one sheet with the context every finding needs."""

    def __init__(self, sheet: SheetDef):
        self.sheet = sheet
        self.sheet_level: list[Finding] = []
        self.cells: list[tuple[int, int, Finding]] = []  # (row, grid column, finding) for sorting
        self.error_codes: dict[int, list[str]] = {}  # row position -> codes of its errors

    def add_sheet(self, code: str, severity: str, column: str | None = None, **params) -> None:
        th, en, fix = render(code, {"sheet": self.sheet.title_th, **params})
        self.sheet_level.append(Finding(self.sheet.title_th, self.sheet.key, None, column, None, None,
                                        severity, code, th, en, fix, params=_quoted(params)))

    def add_cell(self, pos: int, row: int, j: int | None, column: str, raw, severity: str, code: str,
                 messages: tuple[str, str, str], params: dict | None = None, group=None) -> None:
        if severity == "error":
            self.error_codes.setdefault(pos, []).append(code)
        cell = f"{letter(j)}{row}" if j is not None else None
        finding = Finding(self.sheet.title_th, self.sheet.key, row, column, cell, safe_raw(raw), severity, code,
                          *messages, school_code=None if group is None else str(group), params=_quoted(params))
        self.cells.append((row, -1 if j is None else j, finding))

    def findings(self) -> list[Finding]:
        self.cells.sort(key=lambda t: (t[0], t[1]))
        return self.sheet_level + [f for _, _, f in self.cells]


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    taken.add(candidate)
    return candidate


@contextmanager
def _no_gc():
    """The cyclic GC off while a big grid is processed: the engine builds no cycles, and each collection
    would walk every cell object of the grid again (a third of the time on 500,000 rows)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate_table(sheet: SheetDef | str, values: list[list], *, first_row: int = 1, row_numbers=None,
                   groups=None) -> ValidationResult:
    """Validate one sheet's grid of raw cells (`values[0]` is row `first_row` of the sheet).

    For validating many schools' tabs in one call (the nightly job stacks them under one header):
    `row_numbers` gives each row of `values` its own row number (instead of first_row + index) and `groups`
    a label per row of `values`; unique keys are then checked within each group only."""
    if isinstance(sheet, str):
        from workbook.sheets import get_sheet

        sheet = get_sheet(sheet)
    with _no_gc():
        return _validate(sheet, values, first_row, row_numbers, groups)


def _layout_findings(out: _Builder, sheet: SheetDef, layout: Layout, first_row: int, width: int,
                     has_data, n: int, span: str = "-") -> dict[int, str]:
    """Sheet-level findings; returns the grid columns kept outside the definition, by their output name.
    `span`: the rows a header problem rejects ("3–14"), so the finding names them."""
    taken = set(sheet.keys()) | {ROW, ERRORS, GROUP}
    extras: dict[int, str] = {}
    if not layout.found:
        for j in range(width):
            extras[j] = _unique_name(f"column_{letter(j)}", taken)
        out.add_sheet("header.not_found", "error", scan=HEADER_SCAN_ROWS, rows=n, span=span)
        return extras
    header_row = first_row + layout.header_index
    if header_row != sheet.header_row:
        out.add_sheet("header.moved", "warning", found=header_row, expected=sheet.header_row)
    mapped = set(layout.columns.values())
    for j in range(width):
        if j in layout.duplicates:
            extras[j] = _unique_name(layout.captions[j], taken)
            out.add_sheet("header.duplicate_column", "warning", column=layout.captions[j],
                          header=layout.captions[j], first=letter(layout.columns[layout.duplicates[j]]))
        elif j in layout.unknown or (j not in mapped and has_data(j)):
            extras[j] = _unique_name(layout.captions.get(j) or f"column_{letter(j)}", taken)
            out.add_sheet("header.extra_column", "warning", column=extras[j], header=extras[j])
    for key in layout.missing:
        col = sheet.column(key)
        if col.required:
            out.add_sheet("header.missing_column", "error", column=col.header_th, header=col.header_th,
                          key=key, rows=n, span=span)
        else:
            out.add_sheet("header.missing_optional", "warning", column=col.header_th, header=col.header_th,
                          key=key)
    return extras


def _safe_grid(values: list[list]) -> tuple[list[list], list[tuple[int, int, str]]]:
    """The grid with every refused character replaced (addin.cells.safe_text), and where each was:
    (row index, column index, original text). Rows without such text are the same objects (no copy)."""
    found: list[tuple[int, int, str]] = []
    out = values
    for i, row in enumerate(values):
        bad = [j for j, v in enumerate(row) if isinstance(v, str) and UNSAFE_CHARACTERS.search(v)]
        if not bad:
            continue
        if out is values:
            out = list(values)
        out[i] = row = list(row)
        for j in bad:
            found.append((i, j, row[j]))
            row[j] = safe_text(row[j])
    return out, found


def _validate(sheet: SheetDef, values: list[list], first_row: int, row_numbers=None,
              groups=None) -> ValidationResult:
    values = [r if r is not None else () for r in values]
    # Before anything reads a cell: no character an output refuses goes further than this, and each is a finding
    # at the school's own cell (one pasted control character once stopped every district night).
    values, unsafe = _safe_grid(values)
    columns = _columns(values)
    width = len(columns)
    layout = find_layout(sheet, values[:HEADER_SCAN_ROWS], width)
    out = _Builder(sheet)
    start = layout.data_start
    fzs: list[Factorized] = [factorize(c[start:]) for c in columns]
    n_area = max(len(values) - start, 0)
    blank = np.ones(n_area, dtype=bool)
    for fz in fzs:
        blank &= fz.blank()
    keep = np.flatnonzero(~blank)
    rownums = first_row + start + keep if row_numbers is None else np.asarray(row_numbers)[start + keep]
    labels = None if groups is None else np.asarray(groups, dtype=object)[start + keep]
    n = len(keep)
    first, last = (int(rownums.min()), int(rownums.max())) if n else (0, 0)
    span = "-" if not n else str(first) if first == last else f"{first}–{last}"
    extras = _layout_findings(out, sheet, layout, first_row, width,
                              lambda j: not fzs[j].blank()[keep].all(), n, span)
    for i, j, text in unsafe:
        header = layout.captions.get(j) or f"column_{letter(j)}"
        row = first_row + i if row_numbers is None else int(np.asarray(row_numbers)[i])
        out.add_cell(-1, row, j, header, safe_text(text), "warning", "text.unsafe_character",
                     render("text.unsafe_character", {"characters": ", ".join(unsafe_characters(text)[:5])}))

    def raw(j: int, rows):
        """Raw cells of grid column j at row positions `rows` (positions among the non-blank rows)."""
        return columns[j][start + keep[rows]]

    headers = {c.key: layout.captions.get(layout.columns.get(c.key)) or c.header_th for c in sheet.columns}
    typed: dict[str, np.ndarray] = {}
    usable: dict[str, np.ndarray] = {}  # filled and valid: what table rules may look at
    error: dict[str, np.ndarray] = {}
    reject = np.zeros(n, dtype=bool)
    if not layout.found or any(sheet.column(k).required for k in layout.missing):
        reject[:] = True

    for col in sheet.columns:
        j = layout.columns.get(col.key)
        if j is None:
            typed[col.key], usable[col.key] = np.full(n, None, dtype=object), np.zeros(n, dtype=bool)
            error[col.key] = np.zeros(n, dtype=bool)
            continue
        res = normalize_column(fzs[j], keep, col)
        if col.required and res.empty.any():
            for p in np.flatnonzero(res.empty).tolist():
                res.problems[p] = Outcome(error="required.missing")
            res.error |= res.empty
        typed[col.key], usable[col.key], error[col.key] = res.values, ~res.empty & ~res.error, res.error
        for p, outcome in res.problems.items():
            cell = raw(j, p)
            code = outcome.error or outcome.warning
            params = {"header": headers[col.key], "raw": _raw_param(cell), "key": col.key,
                      "max_length": col.max_length, **(outcome.params or {})}
            out.add_cell(p, int(rownums[p]), j, headers[col.key], cell, "error" if outcome.error else "warning",
                         code, render(code, params), params, None if labels is None else labels[p])
        reject |= res.error

    table = Table(sheet, typed, usable, error, rownums, headers, labels)
    unique_cols = [c.key for c in sheet.columns if c.unique and c.key in layout.columns]
    checks = [(None, (k,)) for k in unique_cols] + [(r, None) for r in sheet.rules]
    for rule, keys in checks:
        for hit in duplicates(table, keys) if rule is None else check(table, rule):
            j = layout.columns[hit.key]
            cell = raw(j, hit.row)
            params = {"header": headers[hit.key], "raw": _raw_param(cell), **hit.params}
            if rule is None:
                code, severity, messages = "unique.duplicate", "error", render("unique.duplicate", params)
            else:
                code, severity = rule_code(rule), rule.severity
                messages = render_rule(rule.kind, code, rule.message_th, rule.message_en, params)
            out.add_cell(hit.row, int(rownums[hit.row]), j, headers[hit.key], cell, severity, code, messages, params,
                         None if labels is None else labels[hit.row])
            if severity == "error":
                reject[hit.row] = True

    findings = out.findings()
    clean = ~reject
    clean_pos, reject_pos = np.flatnonzero(clean), np.flatnonzero(reject)
    rows = pd.DataFrame({c.key: _typed_series(typed[c.key][clean], c.type) for c in sheet.columns})
    rows[ROW] = rownums[clean]
    rejected = pd.DataFrame({c.key: pd.Series(raw(layout.columns[c.key], reject_pos) if c.key in layout.columns
                                              else [None] * len(reject_pos), dtype=object)
                             for c in sheet.columns})
    rejected[ROW] = rownums[reject]
    for j, name in extras.items():
        rows[name] = pd.Series(raw(j, clean_pos), dtype=object)
        rejected[name] = pd.Series(raw(j, reject_pos), dtype=object)
    if labels is not None:  # a stacked validation: whose row each one is
        rows[GROUP], rejected[GROUP] = labels[clean], labels[reject]
    sheet_wide = [f.code for f in out.sheet_level if f.severity == "error"]
    rejected[ERRORS] = ["; ".join(dict.fromkeys(sheet_wide + out.error_codes.get(p, []))) for p in reject_pos]

    stats = {
        "input_rows": n_area,
        "blank_rows": int(blank.sum()),
        "clean_rows": int(clean.sum()),
        "rejected_rows": int(reject.sum()),
        "extra_columns": len(extras),
        "missing_columns": len(layout.missing),
    }
    return ValidationResult(sheet, rows, rejected, findings, stats,
                            header_row=None if not layout.found else first_row + layout.header_index,
                            columns_found={k: headers[k] for k in layout.columns})
