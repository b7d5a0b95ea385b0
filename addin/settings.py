"""Reading the district's settings tabs — the one way settings are read, by the staff workbook, the nightly job
and (through issue 16's control channel) the job host's copy: `load_settings(path) -> (settings, findings)`.

Each settings tab is validated like school input (Thai digits, BE dates, stray spaces, header aliases: the
validation engine), then turned into the pydantic models of workbook/settings.py, then checked as a whole: a
report pointing at an unknown tab, an unreadable timing phrase, a KPI without a direction or a target, a
duplicate code, an unknown window or column. Every problem is a finding at its settings cell, in Thai and
English. With any error the settings are None: nothing runs on a half-read configuration.

Decisions:
- A file with none of the settings tabs is an error (`settings.none`), never the defaults in disguise.
- The district tab and the tabs every school sheet needs (strategies, OBEC policy areas, budget sources,
  reports) are required; the others (networks, e-MES windows, KPIs, per-school targets, captions) may be
  absent, which is a warning saying it was read as empty.
- `fiscal_year` given: only rows for that year and rows with a blank year are kept (`for_year`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from datetime import date, datetime, time
from pathlib import Path

from pydantic import ValidationError

from addin.calendar import fiscal_year
from addin.status import today_in_thailand
from addin.timing import TimingError, occurrences, parse_rule, report_occurrence
from addin.validation.engine import Finding, safe_raw, validate_table
from addin.validation.files import open_workbook, tab_cells
from addin.validation.headers import HEADER_SCAN_ROWS, header_key
from addin.validation.normalize import as_text, is_blank, squeeze
from workbook import settings as W
from workbook.errors import KhetError
from workbook.schema import SheetDef
from workbook.sheets import SCHOOL_SIZES, SHEETS

REQUIRED = (W.DISTRICT, W.STRATEGIES, W.POLICIES, W.BUDGET_SOURCES, W.REPORTS_TAB)


class SettingsError(KhetError):
    """Settings with errors: the job does not run on them (exit 2), and says which cells."""

    def __init__(self, path, findings: list[Finding]):
        errors = [f for f in findings if f.severity == "error"]
        cells = ", ".join(f"{f.sheet}!{f.cell}" if f.cell else f.sheet for f in errors[:10])
        more = f" (+{len(errors) - 10})" if len(errors) > 10 else ""
        super().__init__("settings.invalid",
                         f"ไฟล์ตั้งค่า {path} มีข้อผิดพลาด {len(errors)} จุด: {cells}{more} — แก้แล้วรันใหม่",
                         f"the settings file {path} has {len(errors)} errors: {cells}{more} — fix them and run again",
                         path=str(path), findings=[f.as_dict() for f in errors])
        self.findings = findings


class _Tab:
    """One settings tab as read: its rows (normalised, with their row numbers) and where its columns are."""

    def __init__(self, sheet: SheetDef, values: list[list], findings: list[Finding]):
        self.sheet = sheet
        result = validate_table(sheet, values)
        findings += result.findings
        self.rows = result.rows.to_dict("records")
        # Rows refused cell by cell (already findings): their codes still exist, so nothing that names them
        # gets a second, misleading "unknown code" finding.
        self.refused = result.rejected.to_dict("records")
        self.letters: dict[str, str] = {}
        if result.header_row is not None:
            header = values[result.header_row - 1]
            for key, text in result.columns_found.items():
                j = next((j for j, v in enumerate(header) if not is_blank(v) and as_text(v) == text), None)
                if j is not None:
                    self.letters[key] = _letter(j)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


class _Checker:
    def __init__(self, findings: list[Finding]):
        self.findings = findings

    def unique(self, tab: _Tab, rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
        """The rows whose keys repeat no earlier row of the same year (a blank year is every year); each
        repeat is a finding at its first key cell."""
        seen: dict[tuple, list[tuple[int | None, int]]] = {}
        out = []
        for row in rows:
            k = tuple(_text(row, c) for c in keys)
            year = _opt_int(row, "fiscal_year")
            first = next((n for y, n in seen.get(k, ()) if year is None or y is None or y == year), None)
            if first is not None:
                cols = ", ".join(tab.sheet.column(c).header_th for c in keys)
                self.error(tab, row, keys[0], "rule.duplicate", f"ซ้ำกับแถว {first} ({cols})",
                           f"repeats row {first} ({', '.join(keys)})", "แก้รหัสให้ไม่ซ้ำ หรือลบแถวที่ซ้ำ")
                continue
            seen.setdefault(k, []).append((year, row["_row"]))
            out.append(row)
        return out

    def error(self, tab: _Tab, row: dict | None, key: str | None, code: str, th: str, en: str, fix: str,
              severity: str = "error") -> None:
        col = tab.sheet.column(key) if key else None
        letter = tab.letters.get(key) if key else None
        n = row["_row"] if row else None
        self.findings.append(Finding(
            tab.sheet.title_th, tab.sheet.key, n, col.header_th if col else None,
            f"{letter}{n}" if letter and n else None, safe_raw(row.get(key)) if row and key else None,
            severity, code, th, en, fix))

    def model(self, tab: _Tab, row: dict, cls, mapping: dict[str, str], **values):
        """cls(**values), a pydantic error reported at the cell of the field (mapping: field -> column key)."""
        try:
            return cls(**values)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                key = mapping.get(field) or next(iter(mapping.values()))
                self.error(tab, row, key, f"settings.{cls.__name__.lower()}",
                           f"ค่าที่ตั้งไม่ถูกต้อง: {_th(err)}", f"invalid setting: {err['msg']}",
                           "แก้ค่าในเซลล์นี้ตามคำอธิบายที่หัวคอลัมน์")
            return None


def _th(err: dict) -> str:
    msg = str(err.get("msg", ""))
    if "exactly one of due and window" in msg:
        return "ต้องระบุกำหนดส่ง หรือกรอบเวลาระบบ อย่างใดอย่างหนึ่ง"
    if "applies_values" in msg:
        return "ระบุเครือข่าย/ขนาด/รหัสโรงเรียนที่ต้องส่ง"
    if "no target" in msg:
        return "ตัวชี้วัดไม่มีค่าเป้าหมาย (ทั้งเขต ตามขนาด หรือรายโรงเรียน)"
    if "closes_on before opens_on" in msg:
        return "วันระบบปิดอยู่ก่อนวันระบบเปิด"
    if "pattern" in msg:
        return "รหัสรายงานใช้ได้เฉพาะ A–Z a–z 0–9 และ _"
    return msg


def _text(row: dict, key: str) -> str:
    v = row.get(key)
    return "" if v is None or is_blank(v) else as_text(v).strip()


def _opt_int(row: dict, key: str) -> int | None:
    v = row.get(key)
    return None if v is None or is_blank(v) else int(v)


def _opt_float(row: dict, key: str) -> float | None:
    v = row.get(key)
    return None if v is None or is_blank(v) else float(v)


def _school_tab(text: str) -> SheetDef | None:
    wanted = squeeze(text)
    return next((s for s in SHEETS.values() if s.audience == "school" and not s.read_only
                 and wanted in (squeeze(s.title_th), squeeze(s.key))), None)


def _any_tab(text: str) -> SheetDef | None:
    wanted = squeeze(text)
    return next((s for s in SHEETS.values() if wanted in (squeeze(s.title_th), squeeze(s.key))), None)


def read_tabs(path: str | Path) -> tuple[dict[str, list[list]], list[str]]:
    """The settings tabs of a workbook by sheet key (matched by title, or by the hidden key row of a renamed
    tab), and the titles of its other tabs."""
    with open_workbook(path) as wb:
        grids = [(ws.title, tab_cells(ws)) for ws in wb.worksheets]
    return match_tabs(grids)


def match_tabs(grids: list[tuple[str, list[list]]]) -> tuple[dict[str, list[list]], list[str]]:
    """(title, cells) of every tab -> the settings tabs by sheet key, and the titles of the other tabs. The
    staff workbook's buttons give it the open book's tabs (addin.excel.settings_tabs), read_tabs a file's."""
    found: dict[str, list[list]] = {}
    others = []
    for title, values in grids:
        sheet = W.settings_sheet(title) or _by_key_row(values)
        if sheet and sheet.key not in found:
            found[sheet.key] = values
        else:
            others.append(title)
    return found, others


def _by_key_row(values: list[list]) -> SheetDef | None:
    for row in values[:HEADER_SCAN_ROWS]:
        cells = {header_key(as_text(v)) for v in row if not is_blank(v)}
        for sheet in W.SETTINGS_SHEETS:
            keys = {header_key(k) for k in sheet.keys()}
            if cells and keys <= cells | {header_key("fiscal_year")} and len(cells & keys) >= 2:
                return sheet
    return None


def load_settings(path: str | Path, fiscal_year: int | None = None) -> tuple[W.DistrictSettings | None, list[Finding]]:
    """The district settings in an .xlsx/.xlsm (the staff workbook or a settings file), and every finding.
    Settings are None when any finding is an error."""
    path = Path(path)
    try:
        grids, _ = read_tabs(path)
    except FileNotFoundError:
        raise KhetError("settings.not_found", f"ไม่พบไฟล์ตั้งค่า {path}", f"settings file not found: {path}",
                        path=str(path)) from None
    except Exception as exc:  # not a workbook, damaged zip…
        raise KhetError("settings.unreadable", f"เปิดไฟล์ตั้งค่า {path} ไม่ได้ ({exc})",
                        f"cannot open the settings file {path} ({exc})", path=str(path)) from exc
    return settings_from_tabs(grids, path.name, fiscal_year)


def settings_from_tabs(grids: dict[str, list[list]], source: str, fiscal_year: int | None = None
                       ) -> tuple[W.DistrictSettings | None, list[Finding]]:
    """The settings in the tabs' cells (sheet key -> grid from A1, as `match_tabs` gives them), and every
    finding — the one reading of settings, whether from a file, the open workbook or a settings-change request.
    `source` names where the tabs came from in a finding."""
    findings: list[Finding] = []
    if not grids:
        findings.append(Finding("", "", None, None, None, None, "error", "settings.none",
                                f"ไม่พบแท็บตั้งค่าใน {source} (เช่น '{W.DISTRICT.title_th}')",
                                f"no settings tabs in {source} (e.g. '{W.DISTRICT.title_th}')",
                                "ใช้สมุดงานเขตที่สร้างด้วย khet workbook build หรือไฟล์ตั้งค่าเริ่มต้น"))
        return None, findings
    tabs: dict[str, _Tab] = {}
    for sheet in W.SETTINGS_SHEETS:
        if sheet.key in grids:
            tabs[sheet.key] = _Tab(sheet, grids[sheet.key], findings)
            continue
        required = sheet in REQUIRED
        findings.append(Finding(
            sheet.title_th, sheet.key, None, None, None, None, "error" if required else "warning",
            "settings.tab_missing", f"ไม่พบแท็บ '{sheet.title_th}'" + ("" if required else " ถือว่าไม่มีรายการ"),
            f"tab '{sheet.title_th}' ({sheet.key}) not found" + ("" if required else "; read as empty"),
            "คัดลอกแท็บนี้จากไฟล์ตั้งค่าเริ่มต้น"))
        tabs[sheet.key] = _Tab(sheet, [sheet.headers_th(), sheet.keys()], [])
    settings = _build(tabs, _Checker(findings), fiscal_year)
    if any(f.severity == "error" for f in findings):
        return None, findings
    return settings, findings


REMIND_FIELDS = ("remind_days_before", "remind_at", "remind_quiet_hours")  # Identity fields = their column keys


def _build(tabs: dict[str, _Tab], ck: _Checker, fiscal_year: int | None) -> W.DistrictSettings | None:
    def fy(row):
        return _opt_int(row, "fiscal_year")

    def kept(rows):
        return [r for r in rows if fiscal_year is None or fy(r) in (None, fiscal_year)]

    t = tabs[W.DISTRICT.key]
    identity = None
    for row in t.rows[:1]:
        identity = ck.model(t, row, W.Identity, {"name": "district_name", "office_type": "office_type",
                                                 **{k: k for k in REMIND_FIELDS}},
                            name=_text(row, "district_name"), code=_text(row, "district_code"),
                            office_type=_text(row, "office_type"), province=_text(row, "province"),
                            grace_days=_opt_int(row, "grace_days") or 0,
                            soon_days=3 if _opt_int(row, "soon_days") is None else _opt_int(row, "soon_days"),
                            on_time_policy=W.ON_TIME_POLICIES.get(_text(row, "on_time_policy"), "data"),
                            correction_workdays=_opt_int(row, "correction_workdays") or 5,
                            # The reminder policy: a blank cell keeps the model's default (one definition).
                            **{k: v for k in REMIND_FIELDS if (v := _text(row, k))})
    if identity is None and not t.rows and not t.refused:  # a refused row is already a finding at its cell
        ck.error(t, None, None, "settings.district_missing", "ยังไม่ได้กรอกข้อมูลเขต (แถวที่ 3)",
                 "the district row (row 3) is empty", "กรอกชื่อสำนักงานเขตพื้นที่และประเภท")

    def named(sheet, cls=W.Named, *extra):
        tab = tabs[sheet.key]
        return [m for row in ck.unique(tab, kept(tab.rows), ("code",)) if (m := ck.model(
            tab, row, cls, {"code": "code", "name": "name"}, code=_text(row, "code"), name=_text(row, "name"),
            fiscal_year=fy(row), **{k: _text(row, k) for k in extra})) is not None]

    networks, policies = named(W.NETWORKS), named(W.POLICIES)
    strategies = named(W.STRATEGIES, W.Strategy, "national_strategy", "master_plan")
    t = tabs[W.BUDGET_SOURCES.key]
    sources = [_text(r, "name") for r in ck.unique(t, kept(t.rows), ("name",))]
    for sheet, rows in ((W.STRATEGIES, strategies), (W.POLICIES, policies), (W.BUDGET_SOURCES, sources)):
        if not rows:
            ck.error(tabs[sheet.key], None, None, "settings.empty", f"แท็บ '{sheet.title_th}' ไม่มีรายการ",
                     f"tab '{sheet.title_th}' has no rows", "เพิ่มอย่างน้อยหนึ่งรายการ (โรงเรียนต้องมีตัวเลือก)")
    windows = _windows(tabs[W.WINDOWS.key], ck, kept)
    reports = _reports(tabs[W.REPORTS_TAB.key], ck, kept, windows, {n.name for n in networks},
                       {_text(r, "window") for r in tabs[W.WINDOWS.key].refused})
    kpis = _kpis(tabs, ck, kept)
    captions = _captions(tabs[W.CAPTIONS.key], ck)
    if identity is None:
        return None
    try:
        out = W.DistrictSettings(identity=identity, networks=tuple(networks), strategies=tuple(strategies),
                                 policies=tuple(policies), budget_sources=tuple(sources), reports=tuple(reports),
                                 windows=tuple(windows), kpis=tuple(kpis), captions=tuple(captions),
                                 fiscal_year=fiscal_year)
    except ValidationError:
        return None  # an empty required tab, already a finding
    return out


def _phrase_error(ck: _Checker, tab: _Tab, row: dict, key: str, exc: TimingError) -> None:
    ck.error(tab, row, key, exc.code, exc.message_th, exc.message_en,
             "เขียนกำหนดเวลาแบบคู่มือ เช่น ภายในเดือนพฤษภาคม, ไตรมาสละครั้ง, ภายใน 15 วันหลังสิ้นไตรมาส")


def _windows(tab: _Tab, ck: _Checker, kept) -> list[W.Window]:
    out = []
    for row in kept(tab.rows):
        w = ck.model(tab, row, W.Window, {"closes_on": "closes_on", "code": "window"},
                     code=_text(row, "window"), system=_text(row, "system"), round=_text(row, "round"),
                     opens_on=row["opens_on"], closes_on=row["closes_on"],
                     internal_due=_text(row, "internal_due") or None, fiscal_year=_opt_int(row, "fiscal_year"))
        if w is None:
            continue
        if w.internal_due:
            try:
                occurrences(w.internal_due, w.fiscal_year, ref=w.closes_on)
            except TimingError as exc:
                _phrase_error(ck, tab, row, "internal_due", exc)
                continue
        out.append(w)
    return out


def _reports(tab: _Tab, ck: _Checker, kept, windows: list[W.Window], networks: set[str],
             windows_refused: set[str]) -> list[W.ReportSetting]:
    out = []
    known_windows = {w.code for w in windows}
    for row in ck.unique(tab, kept(tab.rows), ("report_key",)):
        sheet = _school_tab(_text(row, "sheet"))
        if sheet is None:
            ck.error(tab, row, "sheet", "settings.unknown_tab", f"ไม่รู้จักแท็บของโรงเรียน '{_text(row, 'sheet')}'",
                     f"unknown school tab '{_text(row, 'sheet')}'",
                     "ใช้ชื่อแท็บของแม่แบบโรงเรียน: " + ", ".join(
                         s.title_th for s in SHEETS.values() if s.audience == "school" and not s.read_only))
            continue
        row_filter = None
        if _text(row, "filter_column"):
            col = next((c for c in sheet.columns if _text(row, "filter_column") in c.accepted_headers()), None)
            if col is None:
                ck.error(tab, row, "filter_column", "settings.unknown_column",
                         f"แท็บ '{sheet.title_th}' ไม่มีคอลัมน์ '{_text(row, 'filter_column')}'",
                         f"tab '{sheet.title_th}' has no column '{_text(row, 'filter_column')}'",
                         "ใช้หัวคอลัมน์ของแท็บนั้น เช่น " + sheet.columns[0].header_th)
                continue
            value = _text(row, "filter_value")
            if col.choices and value not in col.choices:
                ck.error(tab, row, "filter_value", "settings.unknown_value",
                         f"'{value}' ไม่ใช่ค่าของคอลัมน์ '{col.header_th}' ({', '.join(col.choices)})",
                         f"'{value}' is not a value of column '{col.header_th}' ({', '.join(col.choices)})",
                         "เลือกค่าจากรายการของคอลัมน์นั้น")
                continue
            row_filter = (col.key, value)
        values = tuple(v.strip() for v in _text(row, "applies_values").replace("،", ",").split(",") if v.strip())
        applies = W.APPLIES_KEYS.get(_text(row, "applies_to"), "all")
        r = ck.model(tab, row, W.ReportSetting,
                     {"key": "report_key", "title_th": "title_th", "due": "due", "window": "window",
                      "applies_values": "applies_values", "occurrence": "occurrence"},
                     key=_text(row, "report_key"), title_th=_text(row, "title_th"), title_en=_text(row, "title_en"),
                     sheet=sheet.key, row_filter=row_filter, due=_text(row, "due") or None,
                     occurrence=_opt_int(row, "occurrence"), window=_text(row, "window") or None,
                     grace_days=_opt_int(row, "grace_days"), applies_to=applies, applies_values=values,
                     fiscal_year=_opt_int(row, "fiscal_year"))
        if r is None:
            continue
        if r.window and r.window not in known_windows and r.window not in windows_refused:
            ck.error(tab, row, "window", "settings.unknown_window", f"ไม่พบกรอบเวลา '{r.window}'",
                     f"no window '{r.window}'", f"เพิ่มกรอบเวลานี้ในแท็บ '{W.WINDOWS.title_th}' หรือแก้รหัส")
            continue
        if r.due and not _due_readable(ck, tab, row, r):
            continue
        bad = [v for v in values if (applies == "network" and networks and v not in networks)
               or (applies == "size" and v not in SCHOOL_SIZES)]
        if bad:
            where = "เครือข่าย" if applies == "network" else "ขนาดโรงเรียน"
            ck.error(tab, row, "applies_values", "settings.unknown_value", f"ไม่รู้จัก{where}: {', '.join(bad)}",
                     f"unknown {'network' if applies == 'network' else 'school size'}: {', '.join(bad)}",
                     f"ใช้ชื่อจากแท็บ '{W.NETWORKS.title_th}'" if applies == "network" else
                     "ใช้ " + ", ".join(SCHOOL_SIZES))
            continue
        out.append(r)
    return out


def _due_readable(ck: _Checker, tab: _Tab, row: dict, r: W.ReportSetting) -> bool:
    try:
        rule = parse_rule(r.due)
        if rule.kind == "relative":
            raise TimingError(r.due, "ref.required",
                              f"'{r.due}' นับจากวันอ้างอิง ใส่รหัสกรอบเวลาระบบในคอลัมน์ 'กรอบเวลาระบบ' แทน",
                              f"'{r.due}' counts from a reference date; name a system window instead")
        # Occurrences a year do not depend on the year (weeks aside); a row for every year is checked on this one.
        n = len(occurrences(rule, r.fiscal_year or fiscal_year(today_in_thailand())))
    except TimingError as exc:
        _phrase_error(ck, tab, row, "due", exc)
        return False
    if r.occurrence and r.occurrence > n:
        ck.error(tab, row, "occurrence", "settings.occurrence", f"กำหนดส่งนี้มี {n} ครั้งต่อปี ไม่มีครั้งที่ {r.occurrence}",
                 f"this due phrase has {n} occurrences a year, not {r.occurrence}", f"ใส่ 1–{n} หรือเว้นว่าง")
        return False
    return True


def _kpis(tabs: dict[str, _Tab], ck: _Checker, kept) -> list[W.Kpi]:
    tab, targets_tab = tabs[W.KPIS.key], tabs[W.KPI_TARGETS.key]
    per_school: dict[str, dict[str, float]] = {}
    rows = ck.unique(tab, kept(tab.rows), ("kpi_code",))
    codes = {_text(r, "kpi_code") for r in rows}
    refused = {_text(r, "kpi_code") for r in tab.refused}
    for row in ck.unique(targets_tab, kept(targets_tab.rows), ("kpi_code", "school_code")):
        code = _text(row, "kpi_code")
        if code in refused and code not in codes:
            continue  # its KPI row is already a finding
        if code not in codes:
            ck.error(targets_tab, row, "kpi_code", "settings.unknown_kpi", f"ไม่พบตัวชี้วัดรหัส '{code}'",
                     f"no KPI with code '{code}'", f"เพิ่มตัวชี้วัดนี้ในแท็บ '{W.KPIS.title_th}' หรือแก้รหัส")
            continue
        per_school.setdefault(code, {})[_text(row, "school_code")] = float(row["target"])
    out = []
    for row in rows:
        by_size = {size: v for key, size in zip(W.SIZE_TARGET_KEYS, SCHOOL_SIZES, strict=True)
                   if (v := _opt_float(row, key)) is not None}
        k = ck.model(tab, row, W.Kpi, {"code": "kpi_code", "direction": "direction", "target": "target"},
                     code=_text(row, "kpi_code"), name=_text(row, "kpi_name"), unit=_text(row, "unit"),
                     direction=_text(row, "direction"), target=_opt_float(row, "target"), by_size=by_size,
                     per_school=per_school.get(_text(row, "kpi_code"), {}), fiscal_year=_opt_int(row, "fiscal_year"))
        if k is not None:
            out.append(k)
    return out


def _captions(tab: _Tab, ck: _Checker) -> list[W.Caption]:
    out = []
    for row in tab.rows:
        sheet = _any_tab(_text(row, "sheet"))
        if sheet is None:
            ck.error(tab, row, "sheet", "settings.unknown_tab", f"ไม่รู้จักแท็บ '{_text(row, 'sheet')}'",
                     f"unknown tab '{_text(row, 'sheet')}'", "ใช้ชื่อแท็บของ Khet เช่น แผนปฏิบัติการ")
            continue
        name = _text(row, "column")
        col = next((c for c in sheet.columns if name in (c.header_th, c.key, c.header_en)), None)
        if col is None:
            ck.error(tab, row, "column", "settings.unknown_column", f"แท็บ '{sheet.title_th}' ไม่มีคอลัมน์ '{name}'",
                     f"tab '{sheet.title_th}' has no column '{name}'", "ใช้หัวคอลัมน์ของ Khet หรือรหัสภาษาอังกฤษ")
            continue
        clash = next((c for c in sheet.columns if c is not col and _text(row, "caption") in c.accepted_headers()),
                     None)
        if clash is not None:
            ck.error(tab, row, "caption", "settings.caption_clash",
                     f"'{_text(row, 'caption')}' เป็นชื่อของคอลัมน์ '{clash.header_th}' อยู่แล้ว",
                     f"'{_text(row, 'caption')}' already names column '{clash.header_th}'", "ใช้ชื่ออื่น")
            continue
        out.append(W.Caption(sheet=sheet.key, column=col.key, caption=_text(row, "caption")))
    return out


# --- what the settings mean for one fiscal year ----------------------------------------------------------------

def report_dues(settings: W.DistrictSettings, fiscal_year: int) -> dict[str, date]:
    """Each report's due date (addin.timing.report_occurrence: its phrase, or its system window)."""
    return {r.key: report_occurrence(r.key, fiscal_year, settings).due for r in settings.reports}


def expected_reports(settings: W.DistrictSettings, schools) -> set[tuple[str, str]]:
    """(school code, report key) for every report each school must send (schools: registry School objects)."""
    return {(s.code, r.key) for s in schools for r in settings.reports
            if r.applies({"school_code": s.code, "network": s.network, "size": getattr(s, "size", "")})}


def grace_days(settings: W.DistrictSettings) -> dict[str, int]:
    default = settings.identity.grace_days
    return {r.key: default if r.grace_days is None else r.grace_days for r in settings.reports}


def job_inputs(settings: W.DistrictSettings, schools) -> dict:
    """What the nightly summary takes from the settings (aggregate.summarize's by_settings)."""
    fy = settings.fiscal_year
    schools = list(schools)
    targets = {(s.code, k.code): t for s in schools for k in settings.kpis
               if (t := k.target_for(s.code, getattr(s, "size", ""))) is not None}
    return {"reports": settings.report_defs(), "dues": report_dues(settings, fy), "grace": grace_days(settings),
            "expected": expected_reports(settings, schools), "soon_days": settings.identity.soon_days,
            "kpis": settings.kpis, "kpi_targets": targets}


def settings_or_fail(path: str | Path | None, fiscal_year: int | None = None) -> W.DistrictSettings:
    """The settings at `path` (`[paths] settings`), the shipped defaults when no file is set; a SettingsError
    (exit 2, naming the cells) when the file has errors — never a half-read configuration."""
    if path is None:
        return W.DistrictSettings.default()
    settings, findings = load_settings(path, fiscal_year)
    if settings is None:
        raise SettingsError(path, findings)
    return settings


# --- the settings tabs as a request carries them (issue 16's control channel) ------------------------------------

PACKED_MAX = 45_000  # characters: a Google Sheets cell holds 50,000, the request's other fields need some


def jsonable_cell(v):
    """A cell as JSON: a date (or a midnight datetime, as Excel hands dates over) as ISO text, which the
    validation engine reads back as the same date; NaN as empty."""
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    return v


def pack_tabs(grids: dict[str, list[list]]) -> dict[str, str]:
    """The settings tabs (sheet key -> grid) as a request payload: zlib-compressed JSON in base64 (a district's
    per-school targets run to thousands of rows; a Sheets cell holds 50,000 characters), with its SHA-256 so a
    cut or edited payload is refused instead of half-read."""
    text = json.dumps({k: [[jsonable_cell(v) for v in row] for row in g] for k, g in grids.items()},
                      ensure_ascii=False, sort_keys=True)
    packed = base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
    if len(packed) > PACKED_MAX:
        raise KhetError("settings.too_large",
                        f"แท็บตั้งค่ามีข้อมูลมากเกินกว่าจะส่งในคำขอเดียว ({len(packed):,} ตัวอักษรหลังบีบอัด เกิน "
                        f"{PACKED_MAX:,}) ให้ผู้ดูแลวางไฟล์ตั้งค่าที่เครื่องประมวลผลโดยตรง",
                        f"the settings tabs are too large for one request ({len(packed):,} characters compressed, "
                        f"over {PACKED_MAX:,}); have IT copy the settings file to the job host")
    return {"packed": packed, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def unpack_tabs(packed: str, sha256: str) -> dict[str, list[list]]:
    """The grids of `pack_tabs`; ValueError when the payload is damaged or its checksum does not match."""
    try:
        raw = zlib.decompress(base64.b64decode(packed, validate=True))
    except (binascii.Error, zlib.error) as exc:
        raise ValueError(f"not a packed settings payload ({exc})") from None
    if hashlib.sha256(raw).hexdigest() != sha256.strip().lower():
        raise ValueError("checksum mismatch")
    grids = json.loads(raw.decode("utf-8"))
    if not isinstance(grids, dict) or not all(isinstance(g, list) for g in grids.values()):
        raise ValueError("not a mapping of tabs")
    return {str(k): [list(r) if isinstance(r, list) else [r] for r in g] for k, g in grids.items()}
