"""Thin helpers between an xlwings Book and the rules: find a sheet, read it as the user left it, write back,
tell the user in Thai.

Tables are located by their hidden key row (row 2 of the template) or, if a user deleted it, by the Thai
headers, so rows added, columns moved and extra columns all work. Everything here works on both the COM
engine (Excel on Windows/macOS) and the remote engine the tests use (`xw.Book(json=…)`).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlwings as xw

from addin.cells import is_blank, safe_text
from addin.validation import validate_table  # noqa: F401 - the buttons and KHET_VALIDATEROW take it from here
from addin.validation.files import sheet_for_key_row, sheet_for_title
from addin.validation.headers import HEADER_SCAN_ROWS, find_layout
from addin.validation.normalize import FORMULA_PREFIXES
from workbook.errors import KhetError
from workbook.schema import SheetDef
from workbook.sheets import get_sheet

log = logging.getLogger("khet.addin")


@dataclass
class Table:
    """Where a sheet's table sits in a worksheet: its header row and each known column's position."""

    sheet: xw.Sheet
    definition: SheetDef
    grid: list[list]
    header_row: int  # 1-based row of the Thai headers (or of the keys when the headers are gone)
    first_data_row: int  # 1-based
    columns: dict[str, int] = field(default_factory=dict)  # key -> 1-based column

    def records(self) -> list[dict]:
        """One dict per data row down to the last non-blank row ({key: raw value}, plus "_row": the row
        number the user sees)."""
        out = []
        for i, row in enumerate(self.grid[self.first_data_row - 1 : self.last_row()]):
            rec = {key: (row[c - 1] if c - 1 < len(row) else None) for key, c in self.columns.items()}
            rec["_row"] = self.first_data_row + i
            out.append(rec)
        return out

    def last_row(self) -> int:
        """The last row holding anything (at least the header/key rows)."""
        for i in range(len(self.grid) - 1, self.first_data_row - 2, -1):
            if any(not is_blank(v) for v in self.grid[i]):
                return i + 1
        return self.first_data_row - 1

    def write_column(self, key: str, values: list, first_row: int | None = None) -> None:
        """Write one column of values downwards from the first data row (or `first_row`)."""
        if key not in self.columns or not values:
            return
        row = self.first_data_row if first_row is None else first_row
        self.sheet.range((row, self.columns[key])).value = [[_cell(v)] for v in values]


def _cell(value):
    """A value Excel stores as the user expects: dates as dates, None/NaN/NaT as empty, and text that starts
    like a formula (school text pulled from the summary, a finding's raw value) kept as text by a leading
    apostrophe, which Excel hides. Text passes the output-safety step (addin.cells.safe_text) first."""
    if isinstance(value, str):
        value = safe_text(value)
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return value


def read_grid(sheet: xw.Sheet) -> list[list]:
    """The sheet's cells from A1 to the end of the used range, as a rectangular list of rows."""
    used = sheet.used_range
    last = used.last_cell
    if last.row == 1 and last.column == 1 and is_blank(sheet.range("A1").value):
        return [[None]]
    # err_to_str: through COM, Excel hands cell errors (#REF!, #N/A) over as None unless asked — validation
    # must see them to report them.
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return [list(r) for r in values]


def locate(sheet: xw.Sheet, definition: SheetDef, grid: list[list] | None = None) -> Table | None:
    """Find the definition's table in a worksheet exactly as validation does (addin.validation.headers: the
    key row, else the Thai headers, aliases or English captions), so a button writes to the columns the check
    reads. Fewer than a third of the definition's columns found is not this table: a renamed tab is
    recognised only by a clear match."""
    grid = read_grid(sheet) if grid is None else grid
    layout = find_layout(definition, grid[:HEADER_SCAN_ROWS], max((len(r) for r in grid), default=0))
    if not layout.found or len(layout.columns) < max(2, len(definition.columns) // 3):
        return None
    return Table(sheet, definition, grid, layout.header_index + 1, layout.data_start + 1,
                 {key: j + 1 for key, j in layout.columns.items()})


def table(book: xw.Book, key: str) -> Table | None:
    """The table of sheet `key` in the book: on the tab titled for it (Thai title or English key, spacing
    ignored), else on a renamed tab where it is clearly found; a tab titled for another definition is never
    taken. Each worksheet is read once."""
    definition = get_sheet(key)
    titled = {s.name: sheet_for_title(s.name) for s in book.sheets}
    for s in book.sheets:
        if titled[s.name] is definition:
            return locate(s, definition)
    for s in book.sheets:
        if titled[s.name] is None and s.name != "xlwings.conf" and (found := locate(s, definition)) is not None:
            return found
    return None


def definition_of(sheet: xw.Sheet) -> SheetDef | None:
    """The definition a worksheet follows, recognised as a file's tab is: by title or key, else by its key
    row."""
    return sheet_for_title(sheet.name) or sheet_for_key_row(read_grid(sheet))


def replace_rows(tab: Table, rows: list[dict]) -> None:
    """Replace the table's data rows with `rows` ({key: value}), keeping the user's column order; columns
    the user added are cleared with the old rows (only Khet-written sheets use this)."""
    old_last = tab.last_row()
    width = max([len(r) for r in tab.grid] + list(tab.columns.values()))
    if old_last >= tab.first_data_row:
        tab.sheet.range((tab.first_data_row, 1), (old_last, width)).clear_contents()
    if not rows:
        return
    block = [[""] * width for _ in rows]
    for i, rec in enumerate(rows):
        for key, col in tab.columns.items():
            block[i][col - 1] = _cell(rec.get(key))
    tab.sheet.range((tab.first_data_row, 1)).value = block


# --- the district settings as the open workbook holds them ---------------------------------------------------

_SETTINGS_CACHE: dict[str, object] = {}


def settings_tabs(book: xw.Book) -> dict[str, list[list]]:
    """The settings tabs of the open workbook as they are now (unsaved edits included), by sheet key: tabs
    titled for them, and — only when some are missing — a renamed tab recognised by its key row."""
    from addin.settings import match_tabs
    from workbook.settings import SETTINGS_SHEETS, settings_sheet

    titled = [s for s in book.sheets if settings_sheet(s.name) is not None]
    found, _ = match_tabs([(s.name, read_grid(s)) for s in titled])
    if len(found) < len(SETTINGS_SHEETS):
        others = [s for s in book.sheets if s not in titled and s.name != "xlwings.conf"
                  and sheet_for_title(s.name) is None]
        more, _ = match_tabs([(s.name, read_grid(s)) for s in others])
        found = {**more, **found}
    return found


def book_settings(book: xw.Book):
    """The district settings the buttons and worksheet functions follow: the open workbook's settings tabs, read
    with the one settings reader (addin.settings). A workbook without any settings tab (built before they
    existed) follows the shipped defaults, as it always did; settings with errors are a UserError naming the
    cells (fix them, or press "ตรวจชีตนี้" on the settings tab) — nothing runs on a half-read configuration."""
    import hashlib
    import json

    from addin.settings import jsonable_cell, settings_from_tabs
    from workbook.settings import DistrictSettings

    tabs = settings_tabs(book)
    if not tabs:
        return DistrictSettings.default()
    key = hashlib.sha256(json.dumps({k: [[jsonable_cell(v) for v in r] for r in g] for k, g in tabs.items()},
                                    ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
    if key not in _SETTINGS_CACHE:
        settings, findings = settings_from_tabs(tabs, "สมุดงานนี้")
        if settings is None:
            errors = [f for f in findings if f.severity == "error"]
            cells = "; ".join((f"{f.sheet}!{f.cell}: " if f.cell else f"{f.sheet}: ") + f.message_th
                              for f in errors[:5])
            raise UserError(f"ค่าตั้งของเขตในสมุดงานนี้มีข้อผิดพลาด {len(errors)} จุด: {cells} — แก้ก่อน (กด “ตรวจชีตนี้” "
                            "ที่แท็บตั้งค่าเพื่อดูทุกจุด)",
                            f"The district settings in this workbook have {len(errors)} error(s); fix them first.",
                            findings=[f.as_dict() for f in errors])
        if len(_SETTINGS_CACHE) > 8:
            _SETTINGS_CACHE.clear()
        _SETTINGS_CACHE[key] = settings
    return _SETTINGS_CACHE[key]


# --- telling the user ----------------------------------------------------------------------------------


def tell(book: xw.Book, message_th: str, message_en: str = "", title: str = "Khet (เขต)") -> None:
    """A message box in the workbook: Thai first, English below."""
    text = message_th if not message_en else f"{message_th}\n\n{message_en}"
    log.info("%s | %s", message_th, message_en)
    book.app.alert(text, title=title)


def log_path() -> Path:
    base = os.environ.get("KHET_LOG_DIR") or (
        Path(os.environ["LOCALAPPDATA"]) / "Khet" / "logs" if os.environ.get("LOCALAPPDATA")
        else Path.home() / ".khet" / "logs")
    return Path(base) / "addin.log"


def _log_exception(name: str) -> Path | None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat(timespec='seconds')} {name}\n{traceback.format_exc()}\n")
        return path
    except OSError:
        return None


class UserError(KhetError):
    """A problem the user can fix (a missing sheet, no data): shown as is, no log needed."""

    code = "workbook.user"

    def __init__(self, message_th: str, message_en: str, **details):
        super().__init__(None, message_th, message_en, **details)


def run_button(name: str, run: Callable[[xw.Book], object], book: xw.Book | None = None) -> None:
    """Run a button handler; any problem becomes a Thai message in the workbook, never a traceback."""
    try:
        book = book if book is not None else xw.Book.caller()
        run(book)
    except UserError as e:
        if book is not None:
            tell(book, e.message_th, e.message_en)
    except Exception as e:  # noqa: BLE001 - the user must get a message, whatever broke
        where = _log_exception(name)
        th = f"ปุ่ม “{name}” ทำงานไม่สำเร็จ: {type(e).__name__}: {e}"
        if where:
            th += f"\nบันทึกรายละเอียดไว้ที่ {where} (ส่งไฟล์นี้ให้ผู้ดูแลระบบ)"
        en = f"The '{name}' button failed ({type(e).__name__}); details were logged for IT."
        if book is not None:
            tell(book, th, en, title="Khet (เขต) — ผิดพลาด")
        else:
            print(th, en, file=sys.stderr)


# --- the khet command line (the add-in never imports sync: workbook <- addin <- sync) -----------------------

KHET_TIMEOUT = 60 * 30  # a full sync of 200 schools on a slow line


def workbook_folder(book: xw.Book) -> Path | None:
    """The folder of the workbook file: a khet.toml beside it configures the buttons (else KHET_CONFIG)."""
    try:
        folder = Path(book.fullname).parent
    except Exception:  # noqa: BLE001 - a new, never saved workbook has no folder
        return None
    return folder if str(folder) not in ("", ".") and folder.is_dir() else None


def run_khet(book: xw.Book, args: list[str], *, json_file: bool = False) -> dict | list:
    """Run `khet <args>` in a fresh Python and return the JSON it prints (`args` carry the command's own
    --json flag) or, with `json_file`, writes to the file given after an added --json. Failures become a
    UserError in Thai and English with the command's own message."""
    import json
    import subprocess
    import tempfile

    command = [sys.executable, "-m", "sync.cli", *args]
    out_path = None
    if json_file:
        handle, out_path = tempfile.mkstemp(prefix="khet-", suffix=".json")
        os.close(handle)
        command += ["--json", out_path]
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing on Windows
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    shown = "khet " + " ".join(args)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace",
                              timeout=KHET_TIMEOUT, cwd=workbook_folder(book), env=env, creationflags=flags)
    except subprocess.TimeoutExpired:
        raise UserError(f"คำสั่ง {shown} ใช้เวลานานเกิน {KHET_TIMEOUT // 60} นาที จึงหยุดรอ",
                        f"'{shown}' took longer than {KHET_TIMEOUT // 60} minutes") from None
    try:
        text = Path(out_path).read_text(encoding="utf-8") if out_path else proc.stdout
    except OSError:
        text = ""
    finally:
        if out_path:
            Path(out_path).unlink(missing_ok=True)
    err = (proc.stderr or "").strip()
    if proc.returncode == 2 and ("ไม่รู้จักคำสั่ง" in err or "invalid choice" in err
                                 or "unrecognized arguments" in err or "No module named" in err):
        raise UserError(f"โปรแกรม Khet ที่ติดตั้งยังไม่มีคำสั่ง “{shown}” ให้ผู้ดูแลระบบปรับรุ่นโปรแกรม",
                        f"The installed Khet has no '{shown}' command yet; ask IT to update it.")
    try:
        data = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        data = None
    if data is None:
        last = err.splitlines()[-3:] if err else ["(ไม่มีข้อความ / no message)"]
        raise UserError(f"คำสั่ง {shown} ทำงานไม่สำเร็จ (รหัส {proc.returncode}):\n" + "\n".join(last),
                        f"'{shown}' failed with exit code {proc.returncode}.")
    return data
