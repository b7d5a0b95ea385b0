"""The vocabulary for describing a sheet: column types, columns, table rules and sheet definitions.

A `SheetDef` is the single source of truth for one tab (school or staff): the validation engine, the pydantic
models, both workbook templates, the Google provisioning and the docs all read these objects and never list
columns themselves.

Layout convention of every tab: row 1 Thai headers (bold, frozen, protected), row 2 the English keys (a hidden
row: the machine anchor that survives renamed or moved headers), data from row 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openpyxl.utils import get_column_letter


class ColType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # decimal indicator values (targets, results)
    MONEY = "money"  # baht with satang, kept exact (Decimal, 2 places)
    PERCENT = "percent"  # 0–100: a cell holding 75 means 75 %
    DATE = "date"
    CHOICE = "choice"
    SCHOOL_CODE = "school_code"  # 10-digit text, leading zeros kept
    URL = "url"
    EMAIL = "email"
    YESNO = "yesno"


# The values a YESNO column offers in dropdowns and stores after normalisation.
YES_TH = "ใช่"
NO_TH = "ไม่ใช่"
YES_NO = (YES_TH, NO_TH)

# Indicator direction (result_vs_target): the two values of a direction column.
DIRECTION_HIGHER_BETTER = "มากกว่าหรือเท่ากับดีกว่า"
DIRECTION_LOWER_BETTER = "น้อยกว่าหรือเท่ากับดีกว่า"
DIRECTIONS = (DIRECTION_HIGHER_BETTER, DIRECTION_LOWER_BETTER)

SCHOOL_CODE_PATTERN = r"^\d{10}$"

# Display formats shared by the Excel template and the Google provisioning. Percent is stored 0–100 (the
# Thai "ร้อยละ" convention), so it gets a plain number format, never Excel's "0%" (which would show 7500%).
# Text-like columns get "@" so Excel keeps "0010200805" and a quarter typed as 1 stays the text "1".
# Buddhist Era dates in the LCID form Excel itself writes: [$-<numerals><calendar><locale>], calendar 07 = Thai
# Buddhist, locale 041E = Thai. LibreOffice shows it as "31 พ.ค. 2569" too; the "[$-th-TH,107]" form it showed
# as a serial number (46173).
DATE_FORMAT_BE = "[$-107041E]d mmm yyyy"
NUMBER_FORMATS: dict[ColType, str] = {
    ColType.TEXT: "@",
    ColType.INTEGER: "#,##0",
    ColType.NUMBER: "#,##0.##",
    ColType.MONEY: "#,##0.00",
    ColType.PERCENT: "0.00",
    ColType.DATE: DATE_FORMAT_BE,
    ColType.CHOICE: "@",
    ColType.SCHOOL_CODE: "@",
    ColType.URL: "@",
    ColType.EMAIL: "@",
    ColType.YESNO: "@",
}

# Default Excel column widths (characters) per type, used when a column does not set its own.
DEFAULT_WIDTHS: dict[ColType, float] = {
    ColType.TEXT: 28,
    ColType.INTEGER: 12,
    ColType.NUMBER: 14,
    ColType.MONEY: 16,
    ColType.PERCENT: 12,
    ColType.DATE: 14,
    ColType.CHOICE: 20,
    ColType.SCHOOL_CODE: 14,
    ColType.URL: 32,
    ColType.EMAIL: 28,
    ColType.YESNO: 10,
}

TYPE_LABEL_TH: dict[ColType, str] = {
    ColType.TEXT: "ข้อความ",
    ColType.INTEGER: "จำนวนเต็ม",
    ColType.NUMBER: "ตัวเลข",
    ColType.MONEY: "จำนวนเงิน (บาท.สตางค์)",
    ColType.PERCENT: "ร้อยละ (0–100)",
    ColType.DATE: "วันที่",
    ColType.CHOICE: "เลือกจากรายการ",
    ColType.SCHOOL_CODE: "รหัสโรงเรียน 10 หลัก",
    ColType.URL: "ลิงก์ (URL)",
    ColType.EMAIL: "อีเมล",
    ColType.YESNO: "ใช่/ไม่ใช่",
}


@dataclass(frozen=True)
class Column:
    key: str
    header_th: str
    type: ColType
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    min: float | int | None = None
    max: float | int | None = None
    max_length: int | None = None
    unique: bool = False
    help_th: str = ""
    width: float | None = None
    header_en: str = ""
    # Filled by Khet (the add-in, the nightly job or provisioning), not typed by people.
    computed: bool = False
    # A display format other than the type's (a year is an integer shown without a thousands separator).
    display_format: str | None = None

    def accepted_headers(self) -> tuple[str, ...]:
        """Every header text that names this column: Thai header, aliases, the English key and caption."""
        names = [self.header_th, *self.aliases, self.key]
        if self.header_en:
            names.append(self.header_en)
        return tuple(dict.fromkeys(names))

    def allowed_values(self) -> tuple[str, ...]:
        """The dropdown values: the choices, or ใช่/ไม่ใช่ for a yes/no column."""
        if self.type is ColType.YESNO:
            return YES_NO
        return self.choices

    @property
    def number_format(self) -> str:
        return self.display_format or NUMBER_FORMATS[self.type]

    @property
    def excel_width(self) -> float:
        return self.width if self.width is not None else DEFAULT_WIDTHS[self.type]

    def limits_th(self) -> str:
        """The column's limits in Thai words, for docs and input messages ("" if none)."""
        parts = []
        if self.min is not None and self.max is not None:
            parts.append(f"{_num(self.min)}–{_num(self.max)}")
        elif self.min is not None:
            parts.append(f"ไม่น้อยกว่า {_num(self.min)}")
        elif self.max is not None:
            parts.append(f"ไม่เกิน {_num(self.max)}")
        if self.max_length is not None:
            parts.append(f"ไม่เกิน {self.max_length} ตัวอักษร")
        if self.unique:
            parts.append("ห้ามซ้ำ")
        return "; ".join(parts)


def _num(value: float | int) -> str:
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)  # years (2569) read better without a comma
    return f"{value:,.2f}"


RULE_KINDS = ("unique", "end_not_before_start", "not_more_than", "sum_equals", "result_vs_target")


@dataclass(frozen=True)
class TableRule:
    """A rule over several columns of a row (or over all rows, for "unique").

    kinds and how `columns` reads:
    - unique: the combination of `columns` appears on at most one row (blank combinations are skipped).
    - end_not_before_start: columns = (start, end); end ≥ start when both are present.
    - not_more_than: columns = (value, limit); value ≤ limit when both are present (e.g. spent ≤ budget).
    - sum_equals: columns = the parts, `total` = the column they must add up to (exact, to the satang).
      Blank parts count as 0; checked only when the total is present.
    - result_vs_target: columns = (target, result); `direction_column` holds DIRECTION_HIGHER_BETTER or
      DIRECTION_LOWER_BETTER; a result on the wrong side of the target is a finding (normally a warning:
      missing a target is information, not an input error).
    """

    kind: str
    columns: tuple[str, ...]
    total: str | None = None
    direction_column: str | None = None
    severity: str = "error"
    code: str = ""  # stable finding code, e.g. "rule.spent_over_budget"
    message_th: str = ""
    message_en: str = ""

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}")
        if self.severity not in ("error", "warning"):
            raise ValueError(f"unknown severity {self.severity!r}")

    def referenced_keys(self) -> tuple[str, ...]:
        """Every column key the rule reads."""
        extra = tuple(k for k in (self.total, self.direction_column) if k)
        return self.columns + extra


@dataclass(frozen=True)
class SheetDef:
    key: str
    title_th: str
    title_en: str
    audience: str  # "school" | "staff"
    columns: tuple[Column, ...]
    rules: tuple[TableRule, ...] = ()
    read_only: bool = False
    description_th: str = ""
    header_row: int = 1
    key_row: int = 2
    first_data_row: int = 3
    # Rows of data the template prepares (dropdowns, formats); None = the template default.
    max_rows: int | None = None
    _index: dict[str, Column] = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.key: c for c in self.columns})

    def column(self, key: str) -> Column:
        try:
            return self._index[key]
        except KeyError:
            raise KeyError(f"sheet {self.key!r} has no column {key!r}") from None

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def headers_th(self) -> list[str]:
        return [c.header_th for c in self.columns]

    def letter(self, key: str) -> str:
        """The Excel column letter of `key` in the template layout ("A" for the first column)."""
        return get_column_letter(self.keys().index(key) + 1)

    def grid_width(self) -> int:
        """Columns a Google tab is made with: wider than the definition (at least to Z), room for columns a
        school adds at the right."""
        return max(26, len(self.columns) + 10)

    def a1_range(self) -> str:
        """The tab by its title alone, for one Sheets batchGet range: Sheets answers with the tab's whole used
        area however wide, so a required column a school pushed past Z (columns inserted before it) is still
        read, and a narrowed grid is never asked beyond its limits. A fixed `A1:Z` once cut such a column off
        and lost the school's rows."""
        title = self.title_th.replace("'", "''")
        return f"'{title}'"

    def grid_header(self) -> list[list[str]]:
        """Rows 1–2 of the tab: Thai headers, then English keys."""
        return [self.headers_th(), self.keys()]

    def model(self) -> Any:
        """The pydantic model of one row (built once and cached)."""
        from workbook.models import model_for

        return model_for(self)


def sheet_grid_header(sheet: SheetDef) -> list[list[str]]:
    """Rows 1–2 of a tab (Thai headers, English keys) — what provisioning writes before any data."""
    return sheet.grid_header()
