"""The column reference `docs/sheets.md`, generated from the definitions (`khet workbook docs` rewrites it; a
test fails when the committed file is not what the definitions produce)."""

from __future__ import annotations

from pathlib import Path

from workbook.schema import TYPE_LABEL_TH, Column, SheetDef, TableRule
from workbook.services import SERVICES
from workbook.settings import SETTINGS_SHEETS, DistrictSettings
from workbook.sheets import SCHOOL_SHEETS, STAFF_SHEETS

DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "sheets.md"


def _cell(text: str) -> str:
    """Markdown table cell text: pipes escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(keys: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def column_row(sheet: SheetDef, col: Column) -> str:
    allowed = "; ".join(col.allowed_values())
    limits = col.limits_th()
    rule_text = "; ".join(t for t in (allowed, limits) if t)
    kind = f"{col.type.value} ({TYPE_LABEL_TH[col.type]})"
    required = "ต้องกรอก" if col.required else ("ระบบเติม" if col.computed else "")
    names = "; ".join(col.aliases)
    cells = (sheet.letter(col.key), col.header_th, f"`{col.key}`", col.header_en, kind, required, rule_text,
             names, col.help_th)
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def rule_text(rule: TableRule) -> str:
    cols = rule.columns
    match rule.kind:
        case "unique":
            what = f"ห้ามซ้ำ / unique: {_code(cols)}"
        case "end_not_before_start":
            what = f"`{cols[1]}` ≥ `{cols[0]}`"
        case "not_more_than":
            what = f"`{cols[0]}` ≤ `{cols[1]}`"
        case "sum_equals":
            what = " + ".join(f"`{c}`" for c in cols) + f" = `{rule.total}`"
        case _:
            what = f"`{cols[1]}` เทียบ / vs `{cols[0]}` ตามทิศทางใน / by direction in `{rule.direction_column}`"
    return f"- {what} — {rule.severity}, `{rule.code}`: {rule.message_th} / {rule.message_en}"


def sheet_section(sheet: SheetDef) -> list[str]:
    flags = [f"key `{sheet.key}`", f"audience: {sheet.audience}"]
    if sheet.read_only:
        flags.append("read-only (อ่านอย่างเดียว)")
    if sheet.max_rows:
        flags.append(f"{sheet.max_rows} data row(s)")
    lines = [
        f"### {sheet.title_th} — {sheet.title_en}",
        "",
        f"{sheet.description_th}",
        "",
        " · ".join(flags) + f" · Sheets range `{sheet.a1_range()}`",
        "",
        "| col | หัวคอลัมน์ | key | English | ชนิด / type | ต้องกรอก | ค่าที่รับ / ขอบเขต | ชื่ออื่นที่รับได้ | คำอธิบาย |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *(column_row(sheet, c) for c in sheet.columns),
        "",
    ]
    if sheet.rules:
        lines += ["Rules / กฎของตาราง:", "", *(rule_text(r) for r in sheet.rules), ""]
    return lines


def render_sheets_md(settings: DistrictSettings | None = None) -> str:
    """The column reference for a district's settings (the defaults: docs/sheets.md as shipped)."""
    settings = settings or DistrictSettings.default()
    lines = [
        "# Sheets / ชีตข้อมูล",
        "",
        "<!-- Generated from workbook/sheets.py by `khet workbook docs`. Do not edit by hand. -->",
        "",
        "Every tab: row 1 Thai headers (bold, frozen, protected), row 2 the English keys (hidden — the machine",
        "anchor), data from row 3. A column is found by its Thai header, any accepted alias, or its English key.",
        "Money is baht with satang (2 decimals, exact); percent is 0–100 (75 means 75 %); dates display in",
        "Buddhist Era (`[$-107041E]d mmm yyyy`).",
        "",
        "## School workbook / สมุดงานของโรงเรียน (Google Sheets)",
        "",
    ]
    for sheet in SCHOOL_SHEETS:
        lines += sheet_section(settings.sheet(sheet))
    lines += ["## Staff workbook / สมุดงานของเขต (Excel)", ""]
    for sheet in STAFF_SHEETS:
        lines += sheet_section(settings.sheet(sheet))
    lines += ["## District settings / แท็บตั้งค่าของเขต (staff workbook)", ""]
    for sheet in SETTINGS_SHEETS:
        lines += sheet_section(sheet)
    lines += [
        "## Reports / รายงานที่โรงเรียนส่ง",
        "",
        "| key | รายงาน | sheet | rows | กำหนดส่ง (timing phrase) | occurrence |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in settings.reports:
        rows = f"`{r.row_filter[0]}` = {r.row_filter[1]}" if r.row_filter else "all"
        cells = (f"`{r.key}`", r.title_th, f"`{r.sheet}`", rows, r.due or f"window `{r.window}`", r.occurrence or "")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Service standards / มาตรฐานการให้บริการ (seed 004)", ""]
    for service in SERVICES:
        lines += [f"### {service.title_th} — {service.title_en} (`{service.key}`, {service.work_th})", "",
                  "| step | ขั้นตอน | มาตรฐาน | ช่องทาง | ค่าธรรมเนียม |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {n} | {_cell(s.title_th)} | {_cell(s.standard_th)} | {_cell(', '.join(s.channels))} | {s.fee_th} |"
                  for n, s in enumerate(service.steps, start=1)]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_docs(path: str | Path = DOCS_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_sheets_md(), encoding="utf-8")
    return path


def docs_are_current(path: str | Path = DOCS_PATH) -> bool:
    path = Path(path)
    return path.exists() and path.read_text(encoding="utf-8") == render_sheets_md()
