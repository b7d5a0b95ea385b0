"""The words of every validation finding: one entry per stable code, in Thai and English, with a suggested fix.

Codes are stable keys other parts (the feedback tab, the history, tests) rely on; the wording may improve
freely. Templates take named parameters ({header}, {raw}, {min}, …); a missing parameter renders as "?"
instead of raising, because a message must never be the reason a report fails.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    th: str
    en: str
    fix_th: str


M = Message

CATALOGUE: dict[str, Message] = {
    # --- the sheet and its headers ----------------------------------------------------------------------
    "header.not_found": M(
        "ไม่พบแถวหัวตารางของชีต \"{sheet}\" ในช่วง {scan} แถวแรก จึงอ่านข้อมูลไม่ได้ ({rows} แถวไม่ผ่าน: แถว {span})",
        "no header row found for sheet \"{sheet}\" in the first {scan} rows, so no data could be read "
        "({rows} rows rejected: rows {span})",
        "คัดลอกแถวหัวตาราง (แถว 1–2) จากแม่แบบกลับมาไว้เหนือข้อมูล"),
    "header.missing_column": M(
        "ไม่พบคอลัมน์ที่ต้องกรอก \"{header}\" — ทุกแถว ({rows} แถว: แถว {span}) จึงไม่ผ่าน",
        "required column \"{header}\" ({key}) is missing — all {rows} rows are rejected (rows {span})",
        "เพิ่มคอลัมน์ \"{header}\" กลับเข้ามา (คัดลอกหัวคอลัมน์จากแม่แบบ) แล้วกรอกข้อมูล"),
    "header.missing_optional": M(
        "ไม่พบคอลัมน์ \"{header}\" (ไม่บังคับ) ระบบถือว่าว่างทุกแถว",
        "optional column \"{header}\" ({key}) is missing; it is read as empty",
        "ถ้าต้องการส่งข้อมูลนี้ ให้เพิ่มคอลัมน์ \"{header}\" จากแม่แบบ"),
    "header.extra_column": M(
        "คอลัมน์ \"{header}\" ไม่อยู่ในแม่แบบ ระบบเก็บข้อมูลไว้แต่ไม่นำไปใช้",
        "column \"{header}\" is not in the template; its data is kept but not used",
        "ถ้าเป็นคอลัมน์ของแม่แบบที่เปลี่ยนชื่อ ให้ใช้ชื่อเดิม ถ้าไม่ใช่ ย้ายข้อมูลไปไว้ในหมายเหตุ"),
    "header.duplicate_column": M(
        "คอลัมน์ \"{header}\" ซ้ำกับคอลัมน์ {first} ระบบใช้คอลัมน์แรกและเก็บคอลัมน์นี้ไว้เป็นข้อมูลเพิ่มเติม",
        "column \"{header}\" repeats column {first}; the first one is used, this one is kept as extra data",
        "ลบคอลัมน์ที่ซ้ำออก หรือย้ายข้อมูลไปไว้ในคอลัมน์แรก"),
    "header.moved": M(
        "หัวตารางอยู่ที่แถว {found} (แม่แบบกำหนดไว้ที่แถว {expected}) ระบบอ่านได้ แต่ควรแก้ให้ตรงแม่แบบ",
        "the header row is row {found} (the template has it on row {expected}); read anyway",
        "ลบแถวที่แทรกไว้เหนือหัวตาราง"),
    # --- any cell -----------------------------------------------------------------------------------------
    "required.missing": M(
        "ยังไม่ได้กรอก \"{header}\" (ต้องกรอก)",
        "\"{header}\" is required but empty",
        "กรอก{header}"),
    "cell.formula_error": M(
        "เซลล์มีค่าผิดพลาดจากสูตร {raw}",
        "the cell holds a formula error {raw}",
        "แก้สูตรในเซลล์นี้ หรือพิมพ์ค่าลงไปแทนสูตร"),
    "cell.too_long": M(
        "ข้อความยาว {length:,} ตัวอักษร เกินที่เซลล์หนึ่งรับได้ ({limit:,} ตัวอักษร)",
        "the text is {length:,} characters long, more than a cell can hold ({limit:,})",
        "ตัดข้อความให้สั้นลง หรือแนบเป็นไฟล์แล้วใส่ลิงก์แทน"),
    "unique.duplicate": M(
        "\"{header}\" ซ้ำกับแถว {first_row}",
        "\"{header}\" repeats row {first_row}",
        "แก้ให้ไม่ซ้ำกัน หรือลบแถวที่ซ้ำ"),
    # --- text ---------------------------------------------------------------------------------------------
    "text.unsafe_character": M(
        "มีอักขระที่ระบบเขียนลงรายงานไม่ได้ ({characters}) มักติดมาจากการคัดลอกจาก Word หรือ PDF "
        "ระบบแทนด้วย \"�\" แล้ว",
        "the text holds characters no report can carry ({characters}), usually pasted from Word or a PDF; "
        "they were replaced by \"�\"",
        "พิมพ์ข้อความในเซลล์นี้ใหม่ (อย่าวางจาก Word/PDF) หรือวางแบบข้อความล้วน"),
    "text.too_long": M(
        "ข้อความยาว {length:,} ตัวอักษร เกินที่กำหนด ({max_length:,} ตัวอักษร)",
        "the text is {length:,} characters long; at most {max_length:,} allowed",
        "ย่อข้อความให้ไม่เกิน {max_length:,} ตัวอักษร"),
    "text.formula_like": M(
        "ข้อความขึ้นต้นด้วย \"{first}\" ซึ่งโปรแกรมตารางอาจอ่านเป็นสูตร ระบบเก็บไว้เป็นข้อความเท่านั้น",
        "the text starts with \"{first}\", which a spreadsheet may read as a formula; kept as plain text",
        "ถ้าไม่ได้ตั้งใจ ให้ลบเครื่องหมายนำหน้าออก"),
    # --- numbers ------------------------------------------------------------------------------------------
    "integer.invalid": M(
        "\"{header}\" ต้องเป็นจำนวนเต็ม แต่พบ {raw}",
        "\"{header}\" must be a whole number, found {raw}",
        "พิมพ์เป็นตัวเลขจำนวนเต็ม เช่น 120"),
    "integer.not_whole": M(
        "\"{header}\" ต้องเป็นจำนวนเต็ม แต่พบทศนิยม {raw}",
        "\"{header}\" must be a whole number, found the decimal {raw}",
        "ปัดเป็นจำนวนเต็ม"),
    "number.invalid": M(
        "\"{header}\" ต้องเป็นตัวเลข แต่พบ {raw}",
        "\"{header}\" must be a number, found {raw}",
        "พิมพ์เป็นตัวเลข เช่น 85.5 (ไม่ต้องใส่หน่วย)"),
    "number.below_min": M(
        "\"{header}\" ต้องไม่น้อยกว่า {min} แต่พบ {value}",
        "\"{header}\" must be at least {min}, found {value}",
        "ตรวจตัวเลขอีกครั้ง (ต่ำสุด {min})"),
    "number.above_max": M(
        "\"{header}\" ต้องไม่เกิน {max} แต่พบ {value}",
        "\"{header}\" must be at most {max}, found {value}",
        "ตรวจตัวเลขอีกครั้ง (สูงสุด {max})"),
    "money.invalid": M(
        "\"{header}\" ต้องเป็นจำนวนเงิน แต่พบ {raw}",
        "\"{header}\" must be an amount of money, found {raw}",
        "พิมพ์จำนวนเงินเป็นตัวเลข เช่น 1,234.50"),
    "money.negative": M(
        "\"{header}\" ติดลบไม่ได้ แต่พบ {value}",
        "\"{header}\" cannot be negative, found {value}",
        "พิมพ์จำนวนเงินเป็นค่าบวก"),
    "money.too_large": M(
        "\"{header}\" มากเกินจริง (ตั้งแต่ล้านล้านบาทขึ้นไป) พบ {raw}",
        "\"{header}\" is implausibly large (a trillion baht or more), found {raw}",
        "ตรวจจำนวนเงินอีกครั้ง (อาจพิมพ์เลขศูนย์เกิน หรือวางตัวเลขผิดช่อง)"),
    "money.too_many_decimals": M(
        "\"{header}\" มีทศนิยมเกิน 2 ตำแหน่ง (สตางค์) พบ {raw}",
        "\"{header}\" has more than 2 decimal places (satang), found {raw}",
        "ปัดเศษเป็น 2 ตำแหน่ง เช่น =ROUND(สูตรเดิม, 2)"),
    "percent.invalid": M(
        "\"{header}\" ต้องเป็นร้อยละ (ตัวเลข 0–100) แต่พบ {raw}",
        "\"{header}\" must be a percentage (a number 0–100), found {raw}",
        "พิมพ์ตัวเลข 0–100 เช่น 75 หรือ 75%"),
    "percent.out_of_range": M(
        "\"{header}\" ต้องอยู่ระหว่าง {min}–{max} แต่พบ {value}",
        "\"{header}\" must be between {min} and {max}, found {value}",
        "พิมพ์ร้อยละ {min}–{max}"),
    "percent.fraction_like": M(
        "\"{header}\" เป็น {raw} ระบบอ่านว่าร้อยละ {raw} (ไม่ใช่ร้อยละ {as_percent})",
        "\"{header}\" is {raw}, read as {raw} % (not {as_percent} %)",
        "ถ้าหมายถึงร้อยละ {as_percent} ให้พิมพ์ {as_percent}"),
    # --- dates (the detail comes from the Thai date parser) ---------------------------------------------
    "date.invalid": M(
        "\"{header}\": {detail_th}",
        "\"{header}\": {detail_en}",
        "พิมพ์วันที่แบบ 14 ก.พ. 2566 หรือ 14/02/2566"),
    # --- choices and codes --------------------------------------------------------------------------------
    "choice.invalid": M(
        "\"{header}\" ต้องเป็นค่าใดค่าหนึ่งในรายการ ({choices}) แต่พบ {raw}",
        "\"{header}\" must be one of the listed values ({choices}), found {raw}",
        "เลือกจากรายการในเซลล์ (ลูกศรดรอปดาวน์)"),
    "yesno.invalid": M(
        "\"{header}\" ต้องเป็น ใช่ หรือ ไม่ใช่ แต่พบ {raw}",
        "\"{header}\" must be yes (ใช่) or no (ไม่ใช่), found {raw}",
        "เลือก ใช่ หรือ ไม่ใช่"),
    "school_code.invalid": M(
        "รหัสโรงเรียนต้องเป็นตัวเลข 10 หลักเท่านั้น แต่พบ {raw}",
        "the school code must be 10 digits only, found {raw}",
        "พิมพ์รหัส 10 หลักของ สพฐ. เช่น 1020080005 (ไม่มีตัวอักษร ช่องว่าง หรือสัญลักษณ์)"),
    "school_code.length": M(
        "รหัสโรงเรียนต้องมี 10 หลัก แต่พบ {digits} หลัก ({raw})",
        "the school code must have 10 digits, found {digits} ({raw})",
        "ตรวจรหัสอีกครั้ง ถ้ารหัสขึ้นต้นด้วย 0 ให้จัดรูปแบบเซลล์เป็นข้อความก่อนพิมพ์"),
    "url.invalid": M(
        "\"{header}\" ไม่ใช่ลิงก์ที่ใช้ได้: {raw}",
        "\"{header}\" is not a usable link: {raw}",
        "คัดลอกลิงก์จากแถบที่อยู่ของเบราว์เซอร์ (ขึ้นต้นด้วย https://)"),
    "url.scheme_added": M(
        "ลิงก์ไม่มี https:// ระบบเติมให้เป็น {value}",
        "the link has no https://; read as {value}",
        "พิมพ์ลิงก์ให้ครบ ขึ้นต้นด้วย https://"),
    "email.invalid": M(
        "\"{header}\" ไม่ใช่อีเมลที่ใช้ได้: {raw}",
        "\"{header}\" is not a valid e-mail address: {raw}",
        "พิมพ์อีเมลแบบ name@example.com (ตัวอักษรภาษาอังกฤษ ไม่มีช่องว่าง)"),
    # --- rules over several columns (defaults; a TableRule may bring its own wording) -------------------
    "rule.unique": M(
        "ข้อมูลซ้ำกับแถว {first_row} ({headers})",
        "duplicate of row {first_row} ({headers})",
        "แก้ให้ไม่ซ้ำกัน หรือลบแถวที่ซ้ำ"),
    "rule.end_not_before_start": M(
        "\"{header}\" ({value}) อยู่ก่อน \"{other_header}\" ({other_value})",
        "\"{header}\" ({value}) is before \"{other_header}\" ({other_value})",
        "ตรวจวันที่ทั้งสองช่อง"),
    "rule.not_more_than": M(
        "\"{header}\" ({value}) มากกว่า \"{other_header}\" ({other_value})",
        "\"{header}\" ({value}) is more than \"{other_header}\" ({other_value})",
        "ตรวจตัวเลขทั้งสองช่อง"),
    "rule.sum_equals": M(
        "\"{header}\" ({value}) ไม่เท่ากับผลรวม {headers} ({other_value})",
        "\"{header}\" ({value}) does not equal the sum of {headers} ({other_value})",
        "แก้ยอดรวมหรือยอดแต่ละหมวดให้ตรงกันถึงหลักสตางค์"),
    "rule.result_vs_target": M(
        "ผล {value} ไม่บรรลุค่าเป้าหมาย {other_value} ({direction})",
        "result {value} does not meet the target {other_value} ({direction})",
        "ไม่ใช่ข้อผิดพลาดในการกรอก: ตรวจว่าตัวเลขถูกต้อง และอธิบายสาเหตุในหมายเหตุ"),
}

# What the rule adds after the rule's own wording (when the TableRule carries message_th/message_en).
RULE_DETAIL: dict[str, tuple[str, str]] = {
    "unique": ("ซ้ำกับแถว {first_row}", "same as row {first_row}"),
    "end_not_before_start": ("{header} {value}, {other_header} {other_value}",
                             "{header} {value}, {other_header} {other_value}"),
    "not_more_than": ("{header} {value}, {other_header} {other_value}",
                      "{header} {value}, {other_header} {other_value}"),
    "sum_equals": ("ยอดรวม {value}, ผลรวมหมวด {other_value}", "total {value}, sum of parts {other_value}"),
    "result_vs_target": ("ผล {value}, เป้าหมาย {other_value}", "result {value}, target {other_value}"),
}


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _fill(template: str, params: dict) -> str:
    try:
        return template.format_map(_Params(params))
    except (ValueError, TypeError):  # a "{length:,}" given "?": fall back to plain substitution
        return template.replace(":,", "").format_map(_Params({k: str(v) for k, v in params.items()}))


def render(code: str, params: dict) -> tuple[str, str, str]:
    """(message_th, message_en, fix_th) for a finding code. Unknown codes fall back to the family's entry
    ("date.impossible" → "date.invalid") and then to a plain statement of the code."""
    entry = CATALOGUE.get(code) or CATALOGUE.get(code.split(".")[0] + ".invalid")
    if entry is None:
        return (f"ข้อมูลไม่ถูกต้อง ({code})", f"invalid data ({code})", "ตรวจข้อมูลในเซลล์นี้")
    return _fill(entry.th, params), _fill(entry.en, params), _fill(entry.fix_th, params)


def render_rule(kind: str, code: str, message_th: str, message_en: str, params: dict) -> tuple[str, str, str]:
    """A rule finding: the rule's own wording (from the sheet definition) plus the values involved, or the
    generic wording of its kind."""
    generic = CATALOGUE[f"rule.{kind}"]
    fix = _fill(generic.fix_th, params)
    if message_th or message_en:
        th_detail, en_detail = RULE_DETAIL[kind]
        # The rule's own words are used as they are (never formatted: cell values must not be re-read as
        # templates); the values involved follow in brackets.
        th = f"{message_th or _fill(generic.th, params)} ({_fill(th_detail, params)})"
        en = f"{message_en or _fill(generic.en, params)} ({_fill(en_detail, params)})"
        return th, en, fix
    return _fill(generic.th, params), _fill(generic.en, params), fix
