"""The district work calendar: the tasks of the manuals (addin/data/work_calendar.csv, which staff edit without
code) and the school reports (workbook.reports.REPORTS, the one place their due rules live), each evaluated for
a fiscal year into dated occurrences with a status.

The data file's columns: id, task, group, timing, responsible, source, report_key, anchor.
- timing: the phrase as the manual writes it. Empty with a report_key: the report's own due rule.
- anchor: the id of the task this one is counted from. A duration ('15 วัน', '1 เดือน') starts the day after
  each due date of the anchor (steps chain); a relative phrase ('ก่อนระบบปิดอย่างน้อย ๓ วัน') is evaluated
  against each due date of the anchor (the e-MES round it refers to).
A row that cannot be evaluated (unreadable phrase, unknown anchor, unknown report) becomes an error row with
Thai and English messages naming the file line — the rest of the calendar is still computed.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from addin.cells import read_csv_text
from addin.status import LABEL_TH, status_series, today_in_thailand
from addin.thaidate import format_thai_date
from addin.timing.evaluate import deadline, effort_note, occurrences, step_due
from addin.timing.model import Occurrence, TimingError
from addin.timing.parse import parse_rule
from addin.workdays import workday_on_or_after
from workbook.errors import KhetError
from workbook.settings import DistrictSettings

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "work_calendar.csv"
ENV_PATH = "KHET_WORK_CALENDAR"
FIELDS = ("id", "task", "group", "timing", "responsible", "source", "report_key", "anchor")
REQUIRED_FIELDS = ("id", "task", "timing")
REPORT_GROUP_TH = "รายงานจากสถานศึกษา"

COLUMNS = ("task_id", "task", "group", "timing", "responsible", "fiscal_year", "occurrence", "start_date",
           "due_date", "status", "status_th", "days_left", "phase", "done_date", "report_key", "source", "note",
           "kind", "working_days", "anchor", "line", "error_code", "error_th", "error_en")

NO_DATE, ERROR = "no_date", "error"
EXTRA_STATUS_TH = {NO_DATE: "ไม่มีกำหนดวัน", ERROR: "อ่านกำหนดเวลาไม่ได้"}


class WorkCalendarFileError(KhetError, ValueError):
    """The data file as a whole cannot be used (missing, undecodable, required columns absent)."""

    code = "work_calendar.file"

    def __init__(self, message_th: str, message_en: str):
        super().__init__(None, message_th, message_en)


@dataclass(frozen=True)
class Task:
    id: str
    task: str
    group: str
    timing: str
    responsible: str
    source: str
    report_key: str
    anchor: str
    line: int  # line in the data file (header = 1), for messages


def calendar_path() -> Path:
    return Path(os.environ.get(ENV_PATH) or DEFAULT_PATH)


def _read_text(path: Path) -> str:
    try:
        return read_csv_text(path)
    except UnicodeDecodeError:
        raise WorkCalendarFileError(f"อ่านไฟล์ {path} ไม่ได้: ไม่ใช่ UTF-8 หรือ TIS-620",
                                    f"cannot decode {path}: neither UTF-8 nor TIS-620") from None


def load_tasks(path: Path | str | None = None) -> list[Task]:
    """The rows of the work-calendar file, blank lines skipped, cells stripped."""
    path = Path(path) if path else calendar_path()
    if not path.exists():
        raise WorkCalendarFileError(f"ไม่พบไฟล์ปฏิทินการปฏิบัติงาน {path}", f"work calendar file not found: {path}")
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [f for f in REQUIRED_FIELDS if f not in header]
    if missing:
        raise WorkCalendarFileError(f"ไฟล์ {path.name} ไม่มีคอลัมน์ {', '.join(missing)}",
                                    f"{path.name} lacks the column(s) {', '.join(missing)}")
    reader.fieldnames = header
    tasks = []
    for row in reader:
        cells = {f: (row.get(f) or "").strip() for f in FIELDS}
        if not any(cells.values()):
            continue
        tasks.append(Task(**cells, line=reader.line_num))
    return tasks


def report_occurrence(report_key: str, fy_be: int, settings: DistrictSettings | None = None) -> Occurrence:
    """The due occurrence of a school report in a fiscal year (progress_q2 -> the second quarter's), as the
    district's settings define the report (None: the shipped defaults). A report tied to an e-MES/EMENSCR
    window is due on the district's internal deadline counted from the day the system closes."""
    settings = settings or DistrictSettings.default()
    report = next((r for r in settings.reports if r.key == report_key), None)
    if report is None:
        raise KeyError(report_key)
    if report.window:
        w = settings.window(report.window)
        due = deadline(w.internal_due, fy_be, ref=w.closes_on) if w.internal_due else w.closes_on
        note = f"{w.system} {w.round}: ระบบเปิด {format_thai_date(w.opens_on)} ปิด {format_thai_date(w.closes_on)}"
        if w.internal_due:
            note += f"; กำหนดภายในของเขต: {w.internal_due}"
        return Occurrence(f"{w.system} {w.round}", w.opens_on, due, note)
    occ = occurrences(report.due, fy_be)
    if report.occurrence is None:
        return max((o for o in occ if o.due), key=lambda o: o.due)
    if not 1 <= report.occurrence <= len(occ):
        raise TimingError(report.due, "report.occurrence",
                          f"รายงาน {report_key}: วลี '{report.due}' มี {len(occ)} ครั้งต่อปี ไม่มีครั้งที่ {report.occurrence}",
                          f"report {report_key}: '{report.due}' has {len(occ)} occurrences a year, "
                          f"not #{report.occurrence}")
    return occ[report.occurrence - 1]


# --- evaluation ----------------------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, code: str, th: str, en: str):
        super().__init__(en)
        self.code, self.th, self.en = code, th, en


def _evaluate_tasks(tasks: list[Task], fy: int, settings: DistrictSettings) -> dict[str, list[dict] | _RowError]:
    """Occurrences of every task (dicts with occurrence/start/due/note/working_days/kind), or its error."""
    by_id: dict[str, Task] = {}
    for t in tasks:
        by_id.setdefault(t.id, t)  # a repeated id is an error row of its own (work_calendar)
    results: dict[str, list[dict] | _RowError] = {}

    def resolve(t: Task, trail: tuple[str, ...]) -> list[dict]:
        if t.id in results:
            r = results[t.id]
            if isinstance(r, _RowError):
                raise _RowError("anchor.error", f"งานที่นับต่อจาก ({t.id}) มีข้อผิดพลาด", f"the anchor task ({t.id}) has an error")
            return r
        if t.id in trail:
            raise _RowError("anchor.cycle", f"คอลัมน์ anchor วนกลับมาที่งานเดิม: {' → '.join((*trail, t.id))}",
                            f"the anchor column loops back: {' → '.join((*trail, t.id))}")
        try:
            out = _evaluate_one(t, fy, lambda a: resolve(by_id[a], (*trail, t.id)), by_id, settings)
        except _RowError as e:
            results[t.id] = e
            raise
        results[t.id] = out
        return out

    for t in by_id.values():
        if t.id in results:
            continue
        try:
            resolve(t, ())
        except _RowError as e:
            results.setdefault(t.id, e)
    return results


def _row(o: Occurrence, kind: str, note: str = "") -> dict:
    return {"occurrence": o.label_th, "start_date": o.start, "due_date": o.due, "kind": kind,
            "note": "; ".join(x for x in (o.note_th, note) if x), "working_days": o.working_days}


def _evaluate_one(t: Task, fy: int, anchor_rows, by_id: dict[str, Task], settings: DistrictSettings) -> list[dict]:
    if not t.id:
        raise _RowError("id.missing", "ไม่มีรหัสงาน (คอลัมน์ id)", "the task has no id")
    try:
        if t.report_key:
            keys = [r.key for r in settings.reports]
            report = next((r for r in settings.reports if r.key == t.report_key), None)
            if report is None:
                raise _RowError("report.unknown",
                                f"ไม่รู้จักรหัสรายงาน '{t.report_key}' (มี {', '.join(keys)})",
                                f"unknown report key '{t.report_key}' (known: {', '.join(keys)})")
            if not t.timing:
                o = report_occurrence(report.key, fy, settings)
                kind = "deadline" if report.window else parse_rule(report.due).kind
                return [_row(o, kind, f"รายงานจากสถานศึกษา ({report.key})")]
        rule = parse_rule(t.timing)
        if t.anchor and t.anchor not in by_id:
            raise _RowError("anchor.unknown", f"ไม่พบงานรหัส '{t.anchor}' ที่ระบุในคอลัมน์ anchor",
                            f"no task with id '{t.anchor}' (anchor column)")
        if rule.kind == "duration" and t.anchor:
            prevs = anchor_rows(t.anchor)
            rows = []
            for prev in prevs:
                label = f"ใช้เวลา {rule.duration.text_th}"
                if len(prevs) > 1:
                    label = f"{prev['occurrence']}: {label}"
                done = prev["due_date"]
                if done is None:  # the chain has no start date yet: durations only
                    rows.append({**_row(occurrences(rule, fy)[0], rule.kind, f"ต่อจากงาน {t.anchor}"),
                                 "occurrence": label})
                    continue
                first = done + timedelta(days=1)
                if rule.duration.working_days:
                    first = workday_on_or_after(first)
                o = Occurrence(label, first, step_due(done, rule.duration),
                               effort_note(rule.duration), rule.duration.working_days)
                rows.append(_row(o, rule.kind, f"ต่อจากงาน {t.anchor} (เสร็จ {format_thai_date(done)})"))
            return rows
        if rule.kind == "relative":
            if not t.anchor:
                # Without an anchor the reference date is unknown: say so, as the engine does.
                occurrences(rule, fy)
            rows = []
            for prev in anchor_rows(t.anchor):
                if prev["due_date"] is not None:
                    rows += [_row(o, rule.kind, f"อ้างอิง {prev['occurrence']} ของงาน {t.anchor}")
                             for o in occurrences(rule, fy, prev["due_date"])]
            return rows
        return [_row(o, rule.kind) for o in occurrences(rule, fy)]
    except TimingError as e:
        raise _RowError(e.code, e.message_th, e.message_en) from e


def _report_tasks(tasks: list[Task], settings: DistrictSettings) -> list[Task]:
    """School reports no data-file row stands for, as tasks of their own."""
    linked = {t.report_key for t in tasks if t.report_key and not t.timing}
    return [Task(f"report_{r.key}", r.title_th, REPORT_GROUP_TH, "", "สถานศึกษา", "ตั้งค่า รายงาน", r.key, "",
                 0) for r in settings.reports if r.key not in linked]


def work_calendar(fy_be: int, today: date | None = None, *, done: dict | None = None,
                  path: Path | str | None = None, settings: DistrictSettings | None = None) -> pd.DataFrame:
    """One row per task occurrence of fiscal year `fy_be` (columns COLUMNS), in data-file order, school
    reports last. `done` maps (task_id, occurrence) — or task_id for all its occurrences — to the date the
    work was done (the staff sheet's done_date), which turns the status into on time / late. Unreadable rows
    come out as rows with status "error" and the messages; rows without dates (a service standard with no
    start) have status "no_date"."""
    today = today or today_in_thailand()
    done = done or {}
    settings = (settings or DistrictSettings.default()).for_year(fy_be)
    reports = {r.key: r for r in settings.reports}
    tasks = load_tasks(path)
    tasks = tasks + _report_tasks(tasks, settings)
    results = _evaluate_tasks(tasks, fy_be, settings)
    records = []
    first_line: dict[str, int] = {}
    for t in tasks:
        base = {"task_id": t.id, "task": t.task, "group": t.group, "timing": t.timing, "responsible": t.responsible,
                "fiscal_year": fy_be, "report_key": t.report_key, "source": t.source, "anchor": t.anchor,
                "line": t.line or None}
        if not t.timing and t.report_key in reports:
            r = reports[t.report_key]
            base["timing"] = r.due or f"กรอบเวลา {r.window}"
        r = results[t.id]
        if t.id and t.id in first_line:
            r = _RowError("id.duplicate", f"รหัสงาน '{t.id}' ซ้ำกับบรรทัด {first_line[t.id]}",
                          f"task id '{t.id}' repeats line {first_line[t.id]}")
        first_line.setdefault(t.id, t.line)
        if isinstance(r, _RowError):
            where_th = f"ไฟล์ปฏิทินบรรทัด {t.line}: " if t.line else ""
            where_en = f"work calendar line {t.line}: " if t.line else ""
            records.append({**base, "occurrence": "", "start_date": None, "due_date": None, "kind": "",
                            "note": "", "working_days": False, "error_code": r.code,
                            "error_th": where_th + r.th, "error_en": where_en + r.en})
            continue
        for occ in r:
            finished = done.get((t.id, occ["occurrence"]), done.get(t.id))
            records.append({**base, **occ, "done_date": finished, "error_code": "", "error_th": "", "error_en": ""})
    frame = pd.DataFrame.from_records(records)
    for col in COLUMNS:
        if col not in frame:
            frame[col] = None
    return _with_status(frame, today)[list(COLUMNS)]


def _with_status(frame: pd.DataFrame, today: date) -> pd.DataFrame:
    due = pd.to_datetime(frame["due_date"])
    start = pd.to_datetime(frame["start_date"])
    codes = status_series(due, pd.to_datetime(frame["done_date"]), today).astype(object)
    is_error = frame["error_code"].astype(bool)
    codes = np.where(is_error, ERROR, np.where(due.isna(), NO_DATE, codes))
    frame["status"] = codes
    labels = {**{s.value: th for s, th in LABEL_TH.items()}, **EXTRA_STATUS_TH}
    frame["status_th"] = [labels[c] for c in codes]
    t = pd.Timestamp(today)
    frame["days_left"] = pd.array([None if pd.isna(d) else int((d - t).days) for d in due], dtype="Int64")
    frame["phase"] = np.select([due.isna(), start.notna() & (t < start), t <= due], ["", "upcoming", "open"],
                               default="past")
    frame["working_days"] = frame["working_days"].fillna(False).astype(bool)
    frame["done_date"] = frame["done_date"].astype(object).where(frame["done_date"].notna(), None)
    frame["line"] = pd.array(frame["line"], dtype="Int64")
    return frame
