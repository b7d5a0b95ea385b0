"""`khet calendar`: the district work calendar of a fiscal year with statuses, one timing phrase's dates
(`--rule`), or a chain of service steps (`--steps`). Text for people, `--json` for machines (shapes in the
README, section "Work calendar and timing phrases").

Exit codes: 0 done (rows of the data file whose timing cannot be read are listed, not fatal; `--strict` makes
them exit 1), 1 an unreadable phrase or date given on the command line, 2 the data file itself is unusable.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

import pandas as pd

from addin.calendar import fiscal_year, fiscal_year_bounds
from addin.status import LABEL_TH, status, today_in_thailand
from addin.thaidate import ThaiDateError, format_thai_date, parse_date
from addin.timing import TimingError, chain_steps, deadline, occurrences, parse_duration, parse_rule
from addin.timing.work_calendar import ERROR, NO_DATE, calendar_path, work_calendar
from sync.commands import KhetArgumentParser, fiscal_year_arg
from sync.textwidth import fit

# Tasks with more occurrences than this (weekly, monthly) show only the current one unless --all.
COLLAPSE_OVER = 6


def _d(d) -> str:
    return "—" if d is None or pd.isna(d) else format_thai_date(d, "short")


def _iso(d) -> str | None:
    return None if d is None or pd.isna(d) else pd.Timestamp(d).date().isoformat()


# --- the calendar -------------------------------------------------------------------------------------------


def visible_rows(frame: pd.DataFrame, today: date, show_all: bool) -> pd.DataFrame:
    """Collapse tasks with many occurrences (weekly work) to the one open today, or the next one."""
    if show_all:
        return frame
    keep = []
    for _, rows in frame.groupby("task_id", sort=False):
        if len(rows) <= COLLAPSE_OVER:
            keep.extend(rows.index)
            continue
        due = pd.to_datetime(rows["due_date"])
        upcoming = rows[due >= pd.Timestamp(today)]
        keep.append(upcoming.index[0] if len(upcoming) else rows.index[-1])
    return frame.loc[sorted(keep)]


def calendar_json(frame: pd.DataFrame, fy: int, today: date, source: str) -> dict:
    ok = frame[frame["status"] != ERROR]
    items = [{
        "task_id": r.task_id, "task": r.task, "group": r.group, "timing": r.timing, "responsible": r.responsible,
        "kind": r.kind, "occurrence": r.occurrence, "start": _iso(r.start_date), "due": _iso(r.due_date),
        "status": r.status, "status_th": r.status_th,
        "days_left": None if pd.isna(r.days_left) else int(r.days_left), "phase": r.phase,
        "working_days": bool(r.working_days), "report_key": r.report_key or None, "anchor": r.anchor or None,
        "source": r.source, "note": r.note,
    } for r in ok.itertuples()]
    errors = [{"task_id": r.task_id, "line": None if pd.isna(r.line) else int(r.line), "timing": r.timing,
               "code": r.error_code, "message_th": r.error_th, "message_en": r.error_en}
              for r in frame[frame["status"] == ERROR].itertuples()]
    lo, hi = fiscal_year_bounds(fy)
    return {"fiscal_year": fy, "fiscal_year_start": lo.isoformat(), "fiscal_year_end": hi.isoformat(),
            "today": today.isoformat(), "source": source,
            "counts": {k: int(v) for k, v in ok["status"].value_counts().items()},
            "items": items, "errors": errors}


def calendar_text(frame: pd.DataFrame, fy: int, today: date, show_all: bool = False) -> str:
    lo, hi = fiscal_year_bounds(fy)
    ok = frame[frame["status"] != ERROR]
    counts = ok["status"].value_counts()
    labels = {**{s.value: th for s, th in LABEL_TH.items()}, NO_DATE: "ไม่มีกำหนดวัน"}
    lines = [
        f"ปฏิทินการปฏิบัติงาน ปีงบประมาณ {fy} ({_d(lo)} – {_d(hi)})  วันนี้ {_d(today)}",
        f"District work calendar, fiscal year {fy}: {ok['task_id'].nunique()} tasks, {len(ok)} dated items",
        "สรุป: " + ", ".join(f"{labels.get(k, k)} {v}" for k, v in counts.items()),
        "",
    ]
    widths = (46, 22, 13, 13, 16, 10)
    head = ("งาน / task", "ครั้ง/รอบ", "เริ่ม", "กำหนดเสร็จ", "สถานะ", "เหลือ(วัน)")
    rule_line = "-" * (sum(widths) + len(widths) - 1)
    shown = visible_rows(ok, today, show_all)
    for group, rows in shown.groupby("group", sort=False):
        lines += [f"■ {group or '-'}", " ".join(fit(h, w) for h, w in zip(head, widths, strict=True)), rule_line]
        for r in rows.itertuples():
            total = (ok["task_id"] == r.task_id).sum()
            occ = r.occurrence if show_all or total <= COLLAPSE_OVER else f"{r.occurrence} (จาก {total})"
            left = "" if pd.isna(r.days_left) else str(int(r.days_left))
            cells = (r.task, occ, _d(r.start_date), _d(r.due_date), r.status_th, left)
            lines.append(" ".join(fit(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
        lines.append("")
    if any(r.working_days for r in shown.itertuples()) or (ok["status"] == NO_DATE).any():
        lines.append("หมายเหตุ: ระยะเวลาเป็น 'วัน' ของมาตรฐานการให้บริการนับเป็นวันทำการ (เว้นเสาร์-อาทิตย์และวันหยุดราชการ) "
                     "/ service-standard day counts are working days")
    errors = frame[frame["status"] == ERROR]
    if len(errors):
        lines += ["", f"⚠ แถวที่อ่านกำหนดเวลาไม่ได้ {len(errors)} แถว / {len(errors)} row(s) whose timing cannot be read:"]
        for r in errors.itertuples():
            lines += [f"  - {r.task_id}: '{r.timing}'", f"    {r.error_th}", f"    {r.error_en}"]
    return "\n".join(lines).rstrip() + "\n"


# --- one phrase ----------------------------------------------------------------------------------------------


def rule_json(phrase: str, fy: int, ref: date | None, today: date) -> dict:
    rule = parse_rule(phrase)
    occ = occurrences(rule, fy, ref)
    dur = rule.duration
    try:
        final = deadline(rule, fy, ref).isoformat()
    except TimingError:
        final = None
    return {
        "ok": True, "phrase": phrase, "fiscal_year": fy, "ref": ref.isoformat() if ref else None,
        "today": today.isoformat(), "kind": rule.kind,
        "duration": None if dur is None else {"amount": dur.amount, "unit": dur.unit,
                                              "working_days": dur.working_days, "text_th": dur.text_th},
        "deadline": final,
        "occurrences": [{
            "label_th": o.label_th, "start": _iso(o.start), "due": _iso(o.due), "note_th": o.note_th,
            "working_days": o.working_days,
            "status": status(o.due, today=today).value if o.due else None,
        } for o in occ],
    }


def rule_text(info: dict) -> str:
    lines = [f"วลี '{info['phrase']}' ปีงบประมาณ {info['fiscal_year']} — ชนิด {info['kind']}"
             + (f", อ้างอิง {_d(date.fromisoformat(info['ref']))}" if info["ref"] else "")]
    for o in info["occurrences"]:
        start = _d(date.fromisoformat(o["start"])) if o["start"] else "—"
        due = _d(date.fromisoformat(o["due"])) if o["due"] else "—"
        st = LABEL_TH[o["status"]] if o["status"] else ""
        lines.append(f"  {fit(o['label_th'], 26)} {fit(start, 13)} → {fit(due, 13)} {fit(st, 16)} {o['note_th']}".rstrip())
    if info["deadline"]:
        lines.append(f"กำหนดเสร็จสุดท้าย / final due: {_d(date.fromisoformat(info['deadline']))}")
    if info["duration"] and info["duration"]["working_days"]:
        lines.append("นับเป็นวันทำการ / counted in working days")
    return "\n".join(lines) + "\n"


def steps_json(steps: list[str], start: date) -> dict:
    dues = chain_steps(steps, start)
    out = []
    for text, due in zip(steps, dues, strict=True):
        d = parse_duration(text)
        out.append({"duration": text, "amount": d.amount, "unit": d.unit, "working_days": d.working_days,
                    "due": due.isoformat()})
    return {"ok": True, "start": start.isoformat(), "steps": out, "final_due": dues[-1].isoformat() if dues else None}


def steps_text(info: dict) -> str:
    lines = [f"เริ่ม (วันรับเรื่อง) {_d(date.fromisoformat(info['start']))}"]
    for i, s in enumerate(info["steps"], 1):
        unit = " (วันทำการ)" if s["working_days"] else ""
        lines.append(f"  ขั้นที่ {i:<2} {fit(s['duration'] + unit, 20)} เสร็จภายใน {_d(date.fromisoformat(s['due']))}")
    return "\n".join(lines) + "\n"


# --- command -------------------------------------------------------------------------------------------------


def parser(prog: str = "khet calendar") -> argparse.ArgumentParser:
    p = KhetArgumentParser(prog=prog, description="ปฏิทินการปฏิบัติงานของเขต หรือวันที่ของวลีกำหนดเวลา / "
                                "the district work calendar, or the dates of one timing phrase")
    p.add_argument("--fy", type=fiscal_year_arg,
                   help="ปีงบประมาณ พ.ศ. เช่น 2568 (ค่าเริ่มต้น: ปีงบประมาณของวันนี้) / fiscal year (BE)")
    p.add_argument("--today", help="วันนี้ (YYYY-MM-DD หรือวันที่แบบไทย) สำหรับคำนวณสถานะ / today for statuses")
    p.add_argument("--rule", help='วลีเดียว เช่น "ภายในเดือนพฤษภาคม ของทุกปี" / one timing phrase')
    p.add_argument("--ref", help="วันอ้างอิงของวลีแบบสัมพัทธ์ (วันปิดระบบ) หรือวันเริ่มของระยะเวลา / reference date")
    p.add_argument("--steps", nargs="+", metavar="DURATION", help='ขั้นตอนต่อเนื่อง เช่น "๑ วัน" "๔ วัน" (ใช้กับ --start)')
    p.add_argument("--start", help="วันรับเรื่อง/วันเริ่มของ --steps / the day the process starts")
    p.add_argument("--file", help="ไฟล์ปฏิทิน (ค่าเริ่มต้น addin/data/work_calendar.csv หรือ $KHET_WORK_CALENDAR)")
    p.add_argument("--all", action="store_true", help="แสดงทุกครั้ง (รายสัปดาห์ด้วย) / show every occurrence")
    p.add_argument("--strict", action="store_true", help="จบด้วยรหัส 1 ถ้ามีแถวที่อ่านไม่ได้ / exit 1 on unreadable rows")
    p.add_argument("--json", action="store_true", help="ผลแบบ JSON / machine-readable output")
    return p


def _fail(args, error: dict, text: str) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": error}, ensure_ascii=False, indent=2))
    else:
        print(text, file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    try:
        today = parse_date(args.today) if args.today else today_in_thailand()
        ref = parse_date(args.ref) if args.ref else None
        start = parse_date(args.start) if args.start else None
    except ThaiDateError as e:
        return _fail(args, e.to_dict(), str(e))
    fy = args.fy or fiscal_year(today)
    out = sys.stdout
    try:
        if args.steps:
            if start is None:
                return _fail(args, {"code": "start.required", "message_th": "--steps ต้องใช้คู่กับ --start",
                                    "message_en": "--steps needs --start"},
                             "--steps ต้องใช้คู่กับ --start / --steps needs --start")
            info = steps_json(args.steps, start)
            out.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n" if args.json else steps_text(info))
            return 0
        if args.rule is not None:
            info = rule_json(args.rule, fy, ref, today)
            out.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n" if args.json else rule_text(info))
            return 0
    except TimingError as e:
        return _fail(args, e.as_dict(), str(e))
    frame = work_calendar(fy, today, path=args.file)
    source = str(args.file or calendar_path())
    if args.json:
        out.write(json.dumps(calendar_json(frame, fy, today, source), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(calendar_text(frame, fy, today, args.all))
    return 1 if args.strict and (frame["status"] == ERROR).any() else 0


def main(argv: list[str]) -> int:
    return run(parser().parse_args(argv))
