"""The school registry: which schools the district tracks, their contact account and their spreadsheet ID.

It is the staff workbook's `school_registry` tab (row 1 Thai headers, row 2 English keys, data from row 3) or a
stand-alone .xlsx/.xlsm/.csv in the same columns (the key row is optional there: columns are found by their
Thai header, an alias, the English caption or the key). Rows are validated with the sheet definition, so a bad
school code or e-mail is reported with sheet, row, column and cell, and that school is left out until fixed.

Writing back (provisioning fills `spreadsheet_id`) touches only those cells: the registry sheet's XML part is
edited in place (addin.package — every other part and relationship of the .xlsm, its ribbon and VBA included,
is copied byte for byte), saved to a temporary file next to it and moved over the original in one step, so a
crash never leaves half a file. A CSV is rewritten as UTF-8 with BOM (so Excel opens Thai correctly) with every other cell unchanged.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook.errors import KhetError
from workbook.schema import NO_TH
from workbook.sheets import SheetDef, get_sheet

SHEET: SheetDef = get_sheet("school_registry")


class RegistryError(KhetError):
    """The registry cannot be read or written at all; message in Thai and English."""

    code = "registry"

    def __init__(self, message_th: str, message_en: str, **details):
        super().__init__(None, message_th, message_en, **details)


@dataclass
class School:
    code: str
    name: str
    contact_email: str
    network: str = ""
    spreadsheet_id: str = ""
    size: str = ""  # ขนาดโรงเรียน: some reports and KPI targets go by size
    active: bool = True
    remind: bool = True     # reminders by e-mail/LINE (the registry's opt-out column)
    row: int | None = None  # the row in the registry as the user sees it
    sheet_name: str = ""    # the name its spreadsheet gets in Drive when not the usual (a year's: sync.year_ops)

    @property
    def file_name(self) -> str:
        """The spreadsheet's name in Drive: `<code> <school name>` (or `sheet_name`)."""
        return self.sheet_name or f"{self.code} {self.name}"


@dataclass
class Registry:
    schools: list[School]
    path: Path | None = None
    findings: list = field(default_factory=list)  # addin.validate Finding objects for bad registry rows

    def by_code(self) -> dict[str, School]:
        return {s.code: s for s in self.schools}

    def active(self) -> list[School]:
        return [s for s in self.schools if s.active]

    def save_spreadsheet_ids(self, updates: Mapping[str, str]) -> None:
        """Set `spreadsheet_id` for the given school codes, in memory and (if loaded from a file) on disk."""
        by_code = self.by_code()
        rows: dict[int, str] = {}
        for code, sid in updates.items():
            school = by_code[code]
            school.spreadsheet_id = sid
            if school.row is not None:
                rows[school.row] = sid
        if self.path is not None and rows:
            write_column(self.path, "spreadsheet_id", rows)


def _text(value: Any) -> str:
    """A clean registry cell as text: what the validator's text reading gives (1048000001.0 → "1048000001")."""
    from addin.cells import is_blank
    from addin.validation.normalize import as_text

    return "" if is_blank(value) else as_text(value).strip()


def registry_from_grid(grid: list[list[Any]], path: Path | None = None) -> Registry:
    """Validate a registry grid (from row 1) and build the school list from its clean rows."""
    from addin.validate import validate_table

    result = validate_table(SHEET, grid, first_row=1)
    schools = []
    for rec in result.rows.to_dict("records"):
        schools.append(School(
            code=_text(rec.get("school_code")), name=_text(rec.get("school_name")),
            contact_email=_text(rec.get("contact_email")).lower(), network=_text(rec.get("network")),
            size=_text(rec.get("size")),
            spreadsheet_id=_text(rec.get("spreadsheet_id")),
            # the validator normalises yes/no to ใช่ / ไม่ใช่; blank means active
            active=rec.get("active") != NO_TH, remind=rec.get("reminders") != NO_TH, row=int(rec["_row"])))
    return Registry(schools, path, list(result.findings))


def read_grid(path: Path) -> list[list[Any]]:
    """The registry's cells from row 1, from a .csv or the registry tab of an .xlsx/.xlsm."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise RegistryError(f"ไม่พบไฟล์ทะเบียนโรงเรียน {path}", f"registry file {path} not found")
    if suffix == ".csv":
        from addin.cells import read_csv_text

        try:  # UTF-8, or TIS-620 as Excel on a Thai Windows saves "CSV (Comma delimited)"
            text = read_csv_text(path)
        except UnicodeDecodeError:
            raise RegistryError(f"อ่านทะเบียน {path.name} ไม่ได้: ไม่ใช่ UTF-8 หรือ TIS-620",
                                f"cannot decode {path.name}: neither UTF-8 nor TIS-620") from None
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    if suffix in (".xlsx", ".xlsm"):
        from zipfile import BadZipFile

        from openpyxl.utils.exceptions import InvalidFileException

        from addin.validation.files import open_workbook, tab_cells

        try:
            with open_workbook(path) as wb:
                return tab_cells(_registry_sheet(wb, path))
        except (BadZipFile, InvalidFileException, KeyError) as exc:  # renamed or damaged, not a workbook
            raise RegistryError(f"อ่านทะเบียน {path.name} ไม่ได้: ไม่ใช่ไฟล์ Excel ที่สมบูรณ์",
                                f"cannot read {path.name}: not a valid Excel workbook ({exc})") from None
    raise RegistryError(f"ทะเบียนโรงเรียนต้องเป็นไฟล์ .xlsx .xlsm หรือ .csv ({path.name})",
                        f"the registry must be .xlsx, .xlsm or .csv ({path.name})")


def _registry_sheet(wb, path: Path):
    for name in (SHEET.title_th, SHEET.key, SHEET.title_en):
        if name in wb.sheetnames:
            return wb[name]
    if len(wb.sheetnames) == 1:
        return wb[wb.sheetnames[0]]
    raise RegistryError(f"ไม่พบแท็บ '{SHEET.title_th}' ใน {path.name}",
                        f"no '{SHEET.title_th}' ({SHEET.key}) tab in {path.name}")


def load_registry(path: str | Path) -> Registry:
    path = Path(path)
    return registry_from_grid(read_grid(path), path)


def write_column(path: Path, key: str, values_by_row: Mapping[int, str]) -> None:
    """Write text values into one registry column (found by header/key; added at the right if missing)."""
    try:
        if path.suffix.lower() == ".csv":
            _write_csv(path, key, values_by_row)
        else:
            _write_xlsx(path, key, values_by_row)
    except PermissionError as exc:
        raise RegistryError(
            f"บันทึกทะเบียน {path.name} ไม่ได้ (เปิดค้างไว้ใน Excel หรือไม่) ปิดไฟล์แล้วสั่งใหม่ ชีตที่สร้างแล้วจะถูกพบและใช้ต่อ",
            f"cannot save {path.name} (open in Excel?); close it and re-run — sheets already made are found again",
        ) from exc


def _column_index(head: list[list[Any]], key: str) -> tuple[int | None, int, int | None]:
    """(0-based column of `key`, header row, key row or None) — the validator's own header matching."""
    from addin.validation.headers import find_layout

    layout = find_layout(SHEET, head, max((len(r) for r in head), default=0))
    if not layout.found:
        raise RegistryError("ไม่พบแถวหัวตารางของทะเบียนโรงเรียน", "the registry has no header row")
    key_row = None if layout.key_index is None else layout.key_index + 1
    return layout.columns.get(key), layout.header_index + 1, key_row


def _write_csv(path: Path, key: str, values_by_row: Mapping[int, str]) -> None:
    grid = read_grid(path)
    idx, header_row, key_row = _column_index(grid[:10], key)
    if idx is None:
        idx = max((len(r) for r in grid[:10]), default=0)
        _put(grid, header_row, idx, SHEET.column(key).header_th)
        if key_row:
            _put(grid, key_row, idx, key)
    for row, value in values_by_row.items():
        _put(grid, row, idx, value)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(grid)
    atomic_write(path, buf.getvalue().encode("utf-8-sig"))


def _put(grid: list[list[Any]], row: int, col: int, value: Any) -> None:
    while len(grid) < row:
        grid.append([])
    line = grid[row - 1]
    while len(line) <= col:
        line.append("")
    line[col] = value


def _write_xlsx(path: Path, key: str, values_by_row: Mapping[int, str]) -> None:
    from addin.package import set_cells
    from addin.validation.files import open_workbook, tab_cells

    with open_workbook(path) as wb:
        ws = _registry_sheet(wb, path)
        title, grid = ws.title, tab_cells(ws)
    idx, header_row, key_row = _column_index(grid[:10], key)
    cells: dict[tuple[int, int], str] = {}
    if idx is None:
        idx = max((len(r) for r in grid), default=0)
        cells[(header_row, idx + 1)] = SHEET.column(key).header_th
        if key_row:
            cells[(key_row, idx + 1)] = key
    # Inline strings: an ID is text by construction, never a number or a formula.
    cells.update({(row, idx + 1): str(value) for row, value in values_by_row.items()})
    atomic_write(path, set_cells(path.read_bytes(), title, cells))


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_registry(path: str | Path, schools: Iterable[School]) -> Path:
    """A new registry .csv in the standard layout (headers, keys, one row per school) — for tests and demos."""
    path = Path(path)
    cols = SHEET.keys()
    rows = [SHEET.headers_th(), cols]
    for s in schools:
        values = {"school_code": s.code, "school_name": s.name, "network": s.network,
                  "contact_email": s.contact_email, "spreadsheet_id": s.spreadsheet_id, "size": s.size}
        rows.append([values.get(k, "") for k in cols])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    atomic_write(path, buf.getvalue().encode("utf-8-sig"))
    return path
