"""`khet date "<text>"`: read one date the way a Thai office writes it and show it every way the office needs
(ISO, Thai styles, serial, fiscal year and quarter, academic year and semester, working day or holiday) — or
say exactly why it is not a date (exit 1)."""

from __future__ import annotations

import json
import sys
from datetime import date

from addin.calendar import academic_year, fiscal_quarter, fiscal_year, semester
from addin.thaidate import WEEKDAYS_EN, WEEKDAYS_TH, ThaiDateError, format_thai_date, parse_date, to_serial
from addin.workdays import holiday_name, is_workday
from sync.commands import KhetArgumentParser


def describe(d: date) -> dict:
    """Everything `khet date --json` prints for a date (the shape is documented in the README)."""
    return {
        "iso": d.isoformat(),
        "serial": to_serial(d),
        "thai": {
            "short": format_thai_date(d, "short"),
            "long": format_thai_date(d, "long"),
            "numeric": format_thai_date(d, "numeric"),
            "official": format_thai_date(d, "official"),
            "long_thai_digits": format_thai_date(d, "long", thai_digits=True),
        },
        "weekday": {"th": WEEKDAYS_TH[d.weekday()], "en": WEEKDAYS_EN[d.weekday()]},
        "year_be": d.year + 543,
        "fiscal_year": fiscal_year(d),
        "fiscal_quarter": fiscal_quarter(d),
        "academic_year": academic_year(d),
        "semester": semester(d),
        "workday": is_workday(d),
        "holiday": holiday_name(d),
    }


def _text(info: dict) -> str:
    t = info["thai"]
    sem = f"ภาคเรียนที่ {info['semester']}" if info["semester"] else "ปิดภาคเรียน / between semesters"
    day_kind = "วันทำการ / working day" if info["workday"] else (
        f"วันหยุด: {info['holiday']} / holiday" if info["holiday"] else "วันหยุดสุดสัปดาห์ / weekend")
    return "\n".join([
        f"{t['official']}  (วัน{info['weekday']['th']} / {info['weekday']['en']})",
        f"ISO            {info['iso']}",
        f"แบบย่อ short    {t['short']}",
        f"แบบเต็ม long    {t['long']}",
        f"ตัวเลข numeric  {t['numeric']}   เลขไทย {t['long_thai_digits']}",
        f"serial         {info['serial']}",
        f"ปีงบประมาณ      {info['fiscal_year']} ไตรมาส {info['fiscal_quarter']} / fiscal year, quarter",
        f"ปีการศึกษา      {info['academic_year']} {sem}",
        f"วัน            {day_kind}",
    ])


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(
        prog="khet date",
        description="อ่านวันที่แบบไทย เช่น \"14 ก.พ. 66\" / parse a Thai date (quotes optional)",
    )
    p.add_argument("text", nargs="+", help='วันที่ เช่น "14 ก.พ. 66", "๑๔/๐๒/๒๕๖๖", 2023-02-14, 45931')
    p.add_argument("--json", action="store_true", help="ผลแบบ JSON / machine-readable output")
    args = p.parse_args(argv)
    raw = " ".join(args.text)
    try:
        info = {"ok": True, "input": raw, **describe(parse_date(raw))}
    except ThaiDateError as e:
        if args.json:
            print(json.dumps({"ok": False, "input": raw, "error": e.to_dict()}, ensure_ascii=False, indent=2))
        else:
            print(str(e), file=sys.stderr)
        return 1
    print(json.dumps(info, ensure_ascii=False, indent=2) if args.json else _text(info))
    return 0
