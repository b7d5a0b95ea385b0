"""The two workbooks built from the sheet definitions (openpyxl): the staff workbook and the school template.

Every tab follows the layout convention: row 1 Thai headers (bold, frozen, locked), row 2 the English keys
(hidden, locked — the anchor the validation and the add-in find columns by), data from row 3. Each data
column gets its number format, its width and a data validation (dropdown for choices and yes/no, limits for
numbers, dates and text length), and the header carries a comment with the column's help.

Decisions:
- Sheet protection has no password: it guards against accidents (typing over a header), not people; staff
  can unprotect from the Review tab. Data cells stay unlocked, rows can be inserted and deleted, columns
  resized, sorting and filters used.
- Computed columns (filled by Khet) get a grey header but stay unlocked, so the add-in can write them without
  unprotecting the sheet. The staff workbook's read-only tabs (written by the add-in and the nightly job) get
  an orange header and tab but unlocked data for the same reason; the school's read-only feedback tab is
  locked entirely (in Google, provisioning protects it too).
- No autofilter is set: sorting a range that starts at row 1 would move the hidden key row.
- Choice lists live on a hidden `_lists` tab referenced by defined names, because an inline Excel list is
  limited to 255 characters and breaks on commas.
- Date validation is a warning, not a stop: the validation engine also reads dates typed as text
  (`14 ก.พ. 66`), which Excel's own date check would otherwise refuse.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workbook.printing import print_setup
from workbook.schema import TYPE_LABEL_TH, ColType, Column, SheetDef
from workbook.settings import SETTINGS_SHEETS, DistrictSettings, settings_rows
from workbook.sheets import SCHOOL_SHEETS, SHEETS, STAFF_SHEETS

# How many data rows get formats and validations. Beyond them the column style still carries the format and
# the unlocked protection, so a longer table works; only the dropdown has to be extended (Excel does that
# automatically when a row is inserted inside the range).
DEFAULT_DATA_ROWS = 500

LISTS_SHEET = "_lists"
INSTRUCTIONS_TITLE = "คำแนะนำ"
SCHOOL_TEMPLATE_FILE = "khet-school-template.xlsx"
STAFF_XLSX_FILE = "khet-staff.xlsx"
STAFF_XLSM_FILE = "khet-staff.xlsm"

HEADER_FILL = {"school": "FFD9EAD3", "staff": "FFDDEBF7"}
COMPUTED_FILL = "FFE7E6E6"
READ_ONLY_FILL = "FFFCE4D6"
KEY_FONT = Font(color="FF808080", size=9)
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_HEIGHT = 36
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2700, 12, 31)  # years past 2400 are BE typed by mistake


def data_rows(sheet: SheetDef) -> int:
    return sheet.max_rows or DEFAULT_DATA_ROWS


def _stable_list_names(sheets: tuple[SheetDef, ...]) -> dict[tuple[str, ...], str]:
    """One defined name per distinct choice list, named after the first column that uses it; `hash` is salted
    per process, so names are made from the order of the definitions instead."""
    names: dict[tuple[str, ...], str] = {}
    used: set[str] = set()
    for sheet in sheets:
        for col in sheet.columns:
            values = col.allowed_values()
            if not values or values in names:
                continue
            name, n = f"list_{col.key}", 2
            while name in used:
                name, n = f"list_{col.key}_{n}", n + 1
            names[values] = name
            used.add(name)
    return names


def _write_lists(wb: Workbook, names: dict[tuple[str, ...], str]) -> None:
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    for idx, (values, name) in enumerate(names.items(), start=1):
        letter = ws.cell(row=1, column=idx).column_letter
        ws.cell(row=1, column=idx, value=name).font = HEADER_FONT
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=idx, value=value).number_format = "@"
        ref = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        ws.column_dimensions[letter].width = 30
    ws.protection.sheet = True


def _messages(col: Column) -> tuple[str, str]:
    """(prompt, error) shown by Excel for a column: Thai first, English after."""
    prompt = TYPE_LABEL_TH[col.type]
    if col.limits_th():
        prompt += f" ({col.limits_th()})"
    if col.help_th:
        prompt += f" — {col.help_th}"
    if col.allowed_values():
        error = f"เลือกจากรายการเท่านั้น / choose a value from the list ({col.header_en or col.key})"
    else:
        error = f"ค่าไม่ถูกต้อง: {prompt} / invalid value for {col.header_en or col.key}"
    return prompt[:255], error[:225]


def data_validation(col: Column, names: dict[tuple[str, ...], str]) -> DataValidation | None:
    """The Excel data validation that matches a column's definition (None if the column has no constraint)."""
    values = col.allowed_values()
    if values:
        # OOXML formulas carry no leading "=" (Excel repairs a file whose validation formula has one).
        dv = DataValidation(type="list", formula1=names[values], allow_blank=True)
    elif col.type is ColType.INTEGER:
        dv = DataValidation(type="whole", operator="between", allow_blank=True,
                            formula1=str(int(col.min if col.min is not None else -(10**9))),
                            formula2=str(int(col.max if col.max is not None else 10**12)))
    elif col.type in (ColType.MONEY, ColType.NUMBER, ColType.PERCENT) and (col.min is not None or col.max is not None):
        dv = DataValidation(type="decimal", operator="between", allow_blank=True,
                            formula1=str(col.min if col.min is not None else -(10**12)),
                            formula2=str(col.max if col.max is not None else 10**12))
    elif col.type is ColType.DATE:
        dv = DataValidation(type="date", operator="between", allow_blank=True, errorStyle="warning",
                            formula1=f"DATE({DATE_MIN.year},{DATE_MIN.month},{DATE_MIN.day})",
                            formula2=f"DATE({DATE_MAX.year},{DATE_MAX.month},{DATE_MAX.day})")
    elif col.type is ColType.SCHOOL_CODE:
        dv = DataValidation(type="textLength", operator="equal", formula1="10", allow_blank=True)
    elif col.max_length is not None:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(col.max_length),
                            allow_blank=True)
    else:
        return None
    dv.prompt, dv.error = _messages(col)
    dv.promptTitle = col.header_th[:32]
    dv.errorTitle = "ข้อมูลไม่ถูกต้อง / Invalid"
    dv.showInputMessage = True
    dv.showErrorMessage = True
    return dv


def locks_data(sheet: SheetDef) -> bool:
    """Whether the data cells of `sheet` are locked in its template (only a school's read-only tab)."""
    return sheet.read_only and sheet.audience == "school"


def write_sheet(wb: Workbook, sheet: SheetDef, names: dict[tuple[str, ...], str]) -> Worksheet:
    """Add one tab laid out from its definition."""
    ws = wb.create_sheet(sheet.title_th)
    first, last = sheet.first_data_row, sheet.first_data_row + data_rows(sheet) - 1
    header_fill = PatternFill("solid", fgColor=READ_ONLY_FILL if sheet.read_only else HEADER_FILL[sheet.audience])
    computed_fill = PatternFill("solid", fgColor=COMPUTED_FILL)
    data_protection = Protection(locked=locks_data(sheet))
    locked = Protection(locked=True)
    for idx, col in enumerate(sheet.columns, start=1):
        head = ws.cell(row=sheet.header_row, column=idx, value=col.header_th)
        head.font, head.alignment, head.protection = HEADER_FONT, HEADER_ALIGNMENT, locked
        head.fill = computed_fill if col.computed and not sheet.read_only else header_fill
        note = col.header_en or col.key
        if col.help_th:
            note = f"{col.help_th}\n{note}"
        if col.computed:
            note = f"ระบบเติมให้ (ไม่ต้องกรอก)\n{note}"
        head.comment = Comment(note, "Khet", width=260, height=110)
        key = ws.cell(row=sheet.key_row, column=idx, value=col.key)
        key.font, key.protection = KEY_FONT, locked
        letter = head.column_letter
        dim = ws.column_dimensions[letter]
        dim.width = col.excel_width
        dim.number_format = col.number_format
        dim.protection = data_protection
        for row in range(first, last + 1):
            cell = ws.cell(row=row, column=idx)
            cell.number_format = col.number_format
            cell.protection = data_protection
        dv = data_validation(col, names)
        if dv is not None and not sheet.read_only:
            dv.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(dv)
    ws.row_dimensions[sheet.header_row].height = HEADER_HEIGHT
    ws.row_dimensions[sheet.key_row].hidden = True
    ws.freeze_panes = f"A{first}"
    ws.protection.sheet = True
    if not sheet.read_only:
        for flag in ("formatColumns", "formatRows", "insertRows", "deleteRows", "sort", "autoFilter"):
            setattr(ws.protection, flag, False)
    if sheet.read_only:
        ws.sheet_properties.tabColor = "C00000"
    print_setup(ws, header_left=wb.properties.title or "Khet", header_right=sheet.title_th,
                title_rows=f"{sheet.header_row}:{sheet.key_row}")
    return ws


def _instructions(wb: Workbook, audience: str, sheets: tuple[SheetDef, ...]) -> None:
    ws = wb.active
    ws.title = INSTRUCTIONS_TITLE
    lines = INSTRUCTIONS_SCHOOL if audience == "school" else INSTRUCTIONS_STAFF
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    row = 1
    for text in lines:
        cell = ws.cell(row=row, column=1, value=text)
        if row == 1:
            cell.font = Font(bold=True, size=16)
        elif text.startswith("■"):
            cell.font = Font(bold=True, size=12)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="■ ชีตในสมุดงานนี้").font = Font(bold=True, size=12)
    for sheet in sheets:
        row += 1
        ws.cell(row=row, column=1, value=sheet.title_th).font = HEADER_FONT
        suffix = " (อ่านอย่างเดียว)" if sheet.read_only else ""
        ws.cell(row=row, column=2, value=f"{sheet.description_th}{suffix}").alignment = Alignment(wrap_text=True)
    ws.protection.sheet = True
    print_setup(ws, header_left=wb.properties.title or "Khet", header_right=INSTRUCTIONS_TITLE, title_rows=None)


INSTRUCTIONS_SCHOOL = (
    "คำแนะนำการกรอกข้อมูล (สำหรับโรงเรียน)",
    "",
    "■ วิธีกรอก",
    "1. กรอกข้อมูลตั้งแต่แถวที่ 3 ลงไป หนึ่งแถวต่อหนึ่งรายการ ห้ามแก้ไขหัวตาราง (แถวที่ 1)",
    "2. แถวที่ 2 ถูกซ่อนไว้ เป็นรหัสคอลัมน์ภาษาอังกฤษที่ระบบใช้อ่านข้อมูล ห้ามลบ",
    "3. คอลัมน์ที่มีรายการให้เลือก ให้เลือกจากรายการ (ลูกศรท้ายเซลล์) ชี้ที่หัวคอลัมน์เพื่ออ่านคำอธิบาย",
    "4. จำนวนเงินกรอกเป็นบาท มีสตางค์ได้ 2 ตำแหน่ง เช่น 12500.50 (ไม่ต้องพิมพ์ 'บาท')",
    "5. ร้อยละกรอกเป็นตัวเลข 0–100 เช่น 75 (พิมพ์ 75% ก็ได้)",
    "6. รหัสโรงเรียนกรอก 10 หลัก รวมเลข 0 ด้านหน้า",
    "",
    "■ รูปแบบวันที่ที่รับได้ (ปี พ.ศ. หรือ ค.ศ. ก็ได้ ระบบแปลงให้)",
    "14 ก.พ. 2566  ·  14 กุมภาพันธ์ 2566  ·  14 ก.พ. 66  ·  ๑๔ ก.พ. ๒๕๖๖  ·  14/02/2566  ·  14-02-2566  ·  2023-02-14",
    "วันมาก่อนเดือนเสมอ ปี 2 หลักถือเป็น พ.ศ. (66 = 2566) ตัวเลขไทยใช้ได้",
    "",
    "■ เมื่อกรอกเสร็จ",
    f"เพิ่มหนึ่งแถวในชีต '{SHEETS['submission'].title_th}' สำหรับรายงานที่ส่ง ระบุชื่อผู้ส่งและวันที่ส่ง",
    "",
    "■ ข้อเสนอแนะจากเขต",
    f"สำนักงานเขตพื้นที่ตรวจข้อมูลทุกคืน และเขียนผลในชีต '{SHEETS['feedback'].title_th}' (อ่านอย่างเดียว):",
    "กำหนดส่ง สถานะรายงาน และจุดที่ต้องแก้ไข ระบุชีต แถว และคอลัมน์ แก้ไขในชีตเดิมแล้วระบบจะตรวจใหม่ในคืนถัดไป",
)

INSTRUCTIONS_STAFF = (
    "สมุดงานติดตามของสำนักงานเขตพื้นที่การศึกษา (Khet)",
    "",
    "■ การใช้งาน",
    "1. ทุกชีต: แถวที่ 1 เป็นหัวตาราง แถวที่ 2 (ซ่อน) เป็นรหัสคอลัมน์ที่ระบบใช้ ข้อมูลเริ่มแถวที่ 3",
    "2. คอลัมน์หัวสีเทา ระบบคำนวณและเติมให้ (กำหนดเสร็จ สถานะ จำนวนวันคงเหลือ) ไม่ต้องกรอก",
    "3. ชีตหัวสีส้ม (การส่งรายงาน ข้อค้นพบ สรุปภาพรวม) งานประมวลผลรายคืนเขียนทับทุกครั้ง อย่าแก้ไขในชีตเหล่านี้",
    "4. ระยะเวลาในปฏิทินการปฏิบัติงานเขียนแบบคู่มือได้ เช่น 'ภายในเดือนพฤษภาคม ของทุกปี', 'ตุลาคม - พฤศจิกายน'",
    "5. หัวตารางถูกป้องกันไว้กันพิมพ์ทับโดยไม่ตั้งใจ (ไม่มีรหัสผ่าน: ยกเลิกได้ที่แท็บ รีวิว > ยกเลิกการป้องกันแผ่นงาน)",
    "",
    "■ วันที่",
    "แสดงเป็นปี พ.ศ. (รูปแบบ [$-107041E]d mmm yyyy) ค่าในเซลล์เป็นวันที่ของ Excel ตามปกติ",
    "พิมพ์ได้ทั้ง 14/02/2566, 14 ก.พ. 66 หรือ 2023-02-14 ปุ่มตรวจสอบจะรายงานวันที่ที่อ่านไม่ได้",
)


def build_school_template(settings: DistrictSettings | None = None) -> Workbook:
    """The school workbook (uploaded to Google Sheets as every school's template), with the district's
    dropdowns and captions."""
    settings = settings or DistrictSettings.default()
    return _build("school", tuple(settings.sheet(s) for s in SCHOOL_SHEETS))


def build_staff_workbook(settings: DistrictSettings | None = None) -> Workbook:
    """The staff workbook without VBA (addin.xlsm.finish_staff_workbook turns it into the .xlsm): the
    tracking tabs, then the settings tabs filled with `settings` (the defaults: today's behaviour)."""
    settings = settings or DistrictSettings.default()
    return _build("staff", tuple(settings.sheet(s) for s in STAFF_SHEETS) + SETTINGS_SHEETS,
                  settings_rows(settings))


def build_settings_file(settings: DistrictSettings | None = None) -> Workbook:
    """The settings tabs alone (`[paths] settings` on a job host that keeps its own copy)."""
    settings = settings or DistrictSettings.default()
    return _build("staff", SETTINGS_SHEETS, settings_rows(settings))


def _build(audience: str, sheets: tuple[SheetDef, ...], rows: dict[str, list[dict]] | None = None) -> Workbook:
    wb = Workbook()
    wb.properties.title = "Khet — " + ("แบบกรอกข้อมูลโรงเรียน" if audience == "school" else "สมุดงานเขตพื้นที่")
    _instructions(wb, audience, sheets)
    names = _stable_list_names(sheets)
    for sheet in sheets:
        ws = write_sheet(wb, sheet, names)
        for i, row in enumerate((rows or {}).get(sheet.key, ())):
            for j, col in enumerate(sheet.columns, start=1):
                if row.get(col.key) not in (None, ""):
                    ws.cell(row=sheet.first_data_row + i, column=j, value=row[col.key])
    _write_lists(wb, names)
    wb.active = 0
    wb.properties.creator = "Khet"
    return wb


def save_school_template(path: str | Path, settings: DistrictSettings | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_school_template(settings).save(path)
    return path


def save_staff_workbook(path: str | Path, settings: DistrictSettings | None = None) -> Path:
    """Write the staff workbook as .xlsx (no macros)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_staff_workbook(settings).save(path)
    return path


def save_settings_file(path: str | Path, settings: DistrictSettings | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_settings_file(settings).save(path)
    return path
