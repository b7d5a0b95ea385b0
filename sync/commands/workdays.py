"""`khet workdays START END` counts Thai working days; `khet workdays START +N` (or -N) finds the N-th working
day after (before) START. Dates in any Thai form; quotes are optional when the split is unambiguous
(`khet workdays 1 ต.ค. 68 +7`). Counting follows addin.workdays: the start day is not counted."""

from __future__ import annotations

import json
import re
import sys
from datetime import date

from addin.thaidate import ThaiDateError, format_thai_date, parse_date
from addin.workdays import (
    MAX_SHIFT,
    add_workdays,
    holidays_between,
    workdays_between,
    workdays_in_range,
)
from sync.commands import KhetArgumentParser
from sync.textwidth import pad

_OFFSET = re.compile(r"^[+-]\d+$")


class _Usage(Exception):
    def __init__(self, code: str, th: str, en: str):
        super().__init__(f"{th} / {en}")
        self.error = {"code": code, "message_th": th, "message_en": en}


def _two_dates(words: list[str]) -> tuple[date, date]:
    """Split the words into START and END; with more than two words, the one split where both parse."""
    if len(words) < 2:
        raise _Usage("missing_argument", "ต้องมีวันเริ่มและวันสิ้นสุด หรือ +N",
                     "give START and END, or START and +N")
    if len(words) == 2:
        return parse_date(words[0]), parse_date(words[1])
    found = []
    for i in range(1, len(words)):
        try:
            found.append((parse_date(" ".join(words[:i])), parse_date(" ".join(words[i:]))))
        except ThaiDateError:
            continue
    if len(found) != 1:
        raise _Usage("ambiguous_arguments", "แยกวันเริ่มและวันสิ้นสุดไม่ได้ — ใส่แต่ละวันในเครื่องหมายคำพูด",
                     'cannot tell START from END — put each date in quotes, e.g. "1 ต.ค. 68" "31 ต.ค. 68"')
    return found[0]


def _holiday_rows(a: date, b: date) -> list[dict]:
    lo, hi = min(a, b), max(a, b)
    return [{"date": d.isoformat(), "thai": format_thai_date(d), "name": n} for d, n in holidays_between(lo, hi).items()]


def compute(words: list[str]) -> dict:
    """The --json result for the command's words (raises ThaiDateError / _Usage)."""
    if words and _OFFSET.match(words[-1]):
        start, n = parse_date(" ".join(words[:-1]) if len(words) > 1 else ""), int(words[-1])
        if abs(n) > MAX_SHIFT:
            raise _Usage("too_many_days", f"จำนวนวันทำการมากเกินไป (ไม่เกิน {MAX_SHIFT:,})",
                         f"too many working days (at most {MAX_SHIFT:,})")
        result = add_workdays(start, n)
        return {"ok": True, "mode": "add", "start": start.isoformat(), "start_thai": format_thai_date(start),
                "n": n, "result": result.isoformat(), "result_thai": format_thai_date(result),
                "calendar_days": (result - start).days, "holidays": _holiday_rows(start, result)}
    start, end = _two_dates(words)
    return {"ok": True, "mode": "between", "start": start.isoformat(), "start_thai": format_thai_date(start),
            "end": end.isoformat(), "end_thai": format_thai_date(end),
            "workdays": workdays_between(start, end), "workdays_inclusive": workdays_in_range(start, end),
            "calendar_days": (end - start).days, "holidays": _holiday_rows(start, end)}


def _text(r: dict) -> str:
    if r["mode"] == "add":
        direction = "หลัง / after" if r["n"] >= 0 else "ก่อน / before"
        lines = [f"วันทำการที่ {abs(r['n'])} {direction} {r['start_thai']}: {r['result_thai']}  ({r['result']})",
                 f"วันตามปฏิทิน / calendar days: {r['calendar_days']}"]
    else:
        lines = [f"{r['start_thai']} → {r['end_thai']}",
                 f"วันทำการ (ไม่นับวันเริ่ม) / working days after the start day: {r['workdays']}",
                 f"วันทำการนับทั้งสองวัน / working days counting both ends: {r['workdays_inclusive']}",
                 f"วันตามปฏิทิน / calendar days: {r['calendar_days']}"]
    if r["holidays"]:
        lines.append("วันหยุดในช่วงนี้ / holidays in the range:")
        lines += [f"  {pad(h['thai'], 14)} {h['name']}" for h in r["holidays"]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(
        prog="khet workdays",
        description="นับวันทำการ: START END  หรือบวกวันทำการ: START +N / count working days or add N of them",
    )
    p.add_argument("words", nargs="+", metavar="START END|+N", help='เช่น "1 ต.ค. 68" "31 ต.ค. 68"  หรือ  "1/10/68" +7')
    p.add_argument("--json", action="store_true", help="ผลแบบ JSON / machine-readable output")
    args = p.parse_args(argv)
    raw = " ".join(args.words)
    try:
        result = compute(args.words)
    except (ThaiDateError, _Usage) as e:
        error = e.to_dict() if isinstance(e, ThaiDateError) else e.error
        if args.json:
            print(json.dumps({"ok": False, "input": raw, "error": error}, ensure_ascii=False, indent=2))
        else:
            print(str(e), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else _text(result))
    return 0
