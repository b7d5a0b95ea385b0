"""The request kinds Khet ships: "process now" (ประมวลผลตอนนี้) and "provision these schools" (สร้างชีตโรงเรียน)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from pydantic import Field

from sync.control.kinds import (
    ACCEPTED,
    FAILED,
    Outcome,
    Payload,
    Refused,
    Request,
    request_kind,
)
from sync.registry import atomic_write, read_grid, registry_from_grid
from sync.runreport import EXIT_FAILED, EXIT_LOCKED
from workbook.sheets import get_sheet

REGISTRY = get_sheet("school_registry")


class ProcessNow(Payload):
    full: bool = False  # read every school, not only the changed ones


@request_kind("process_now", "ประมวลผลตอนนี้", ProcessNow,
              help_th="อ่านชีตของโรงเรียนและประมวลผลทันที ไม่ต้องรอรอบกลางคืน")
def process_now(ctx, req: Request, p: ProcessNow) -> Outcome:
    if ctx.run_in_progress():
        return Outcome.waiting("เครื่องประมวลผลกำลังทำงานอีกรอบอยู่ จะเริ่มรอบใหม่ให้เมื่อรอบนั้นเสร็จ",
                               "another run is in progress; a new run starts for this request when it ends")
    return Outcome(ACCEPTED, "รับคำขอแล้ว กำลังประมวลผล", "accepted: the run is starting",
                   then=lambda: run_outcome(ctx.run_once(full=p.full)))


class DistrictReport(Payload):
    full: bool = False  # read every school, not only the changed ones


@request_kind("district_report", "สร้างรายงานเขต", DistrictReport,
              help_th="สร้างไฟล์สรุปของเขต (พร้อมกราฟ) จากข้อมูลล่าสุดของโรงเรียน ไม่เขียนแท็บข้อเสนอแนะของโรงเรียน")
def district_report(ctx, req: Request, p: DistrictReport) -> Outcome:
    """The run "ประมวลผลตอนนี้" makes, without rewriting the schools' feedback (a report request is not a reply
    to the schools); a run this poll already made (with feedback) answers it too."""
    if ctx.run_in_progress():
        return Outcome.waiting("เครื่องประมวลผลกำลังทำงานอีกรอบอยู่ จะสร้างรายงานให้เมื่อรอบนั้นเสร็จ",
                               "another run is in progress; the report is made when it ends")
    return Outcome(ACCEPTED, "รับคำขอแล้ว กำลังสร้างรายงานเขต", "accepted: the district report is being made",
                   then=lambda: run_outcome(ctx.run_once(full=p.full, feedback=False)))


def run_outcome(rep) -> Outcome:
    # What the button shows of the run: its message, counts and the schools that could not be read.
    result = {"run_id": rep.run_id, "status": rep.status, "exit_code": int(rep.exit_code),
              "started_at": rep.started_at, "ended_at": rep.ended_at, "message_th": rep.message_th,
              "message_en": rep.message_en, "counts": dict(rep.counts or {}),
              "outputs": {k: v for k, v in (rep.outputs or {}).items() if k in ("xlsx", "district_sheet")},
              "schools": [{"school_code": s.school_code, "name": s.name, "outcome": s.outcome, "reason": s.reason}
                          for s in rep.failed_schools()][:20]}
    if rep.exit_code == EXIT_LOCKED:
        return Outcome.waiting("เครื่องประมวลผลกำลังทำงานอีกรอบอยู่ จะลองใหม่ในรอบตรวจถัดไป",
                               "another run holds the lock; tried again at the next poll")
    if rep.exit_code == EXIT_FAILED:
        return Outcome(FAILED, f"ประมวลผลไม่สำเร็จ (รอบที่ {rep.run_id}): {rep.message_th}",
                       f"the run failed (run {rep.run_id}): {rep.message_en}", result)
    return Outcome.done(f"ประมวลผลแล้ว รอบที่ {rep.run_id}: {rep.message_th}",
                        f"processed: run {rep.run_id}: {rep.message_en}", result)


class Provision(Payload):
    # Registry rows by the registry sheet's keys. At most 100 per request, so one request fits in a cell
    # (Sheets holds 50,000 characters per cell); the button sends a long registry as several requests.
    schools: list[dict[str, Any]] = Field(min_length=1, max_length=100)


@request_kind("provision", "สร้างชีตโรงเรียน", Provision,
              help_th="เพิ่ม/ปรับแถวในทะเบียนโรงเรียนของเครื่องประมวลผล แล้วสร้าง Google Sheet ให้โรงเรียนที่ยังไม่มี")
def provision(ctx, req: Request, p: Provision) -> Outcome:
    keys = REGISTRY.keys()
    unknown = sorted({k for row in p.schools for k in row} - set(keys))
    if unknown:
        raise Refused(f"ทะเบียนที่ส่งมามีคอลัมน์ที่ไม่รู้จัก: {', '.join(unknown)}",
                      f"unknown registry columns: {', '.join(unknown)}", code="provision.unknown_columns")
    sent = registry_from_grid([REGISTRY.headers_th(), keys, *[[r.get(k) for k in keys] for r in p.schools]])
    rejected = [{"cell": f.cell, "message_th": f.message_th, "message_en": f.message_en}
                for f in sent.findings if f.severity == "error"]
    if not sent.schools:
        raise Refused("ไม่มีแถวที่ถูกต้องในทะเบียนที่ส่งมา: " + "; ".join(r["message_th"] for r in rejected[:5]),
                      "no valid row in the registry sent: " + "; ".join(r["message_en"] for r in rejected[:5]),
                      code="provision.no_valid_rows")
    clean = {s.code for s in sent.schools}
    rows = [r for r in p.schools if _code(r) in clean]
    path = ctx.cfg.registry
    if path is not None and Path(path).suffix.lower() == ".csv":
        # A job host keeps its own copy of the registry: the rows sent are merged into it.
        result = ctx.provision(merge_registry(Path(path), rows))
    else:
        # Single PC: the registry is the staff workbook itself (or none is set) — provision the rows as sent;
        # the IDs go back in the result and the button writes them into the registry sheet.
        with tempfile.TemporaryDirectory(prefix="khet-provision-") as tmp:
            result = ctx.provision(merge_registry(Path(tmp) / "registry.csv", rows))
    mine = [o for o in result.outcomes if o.code in clean]
    ids = {o.code: o.spreadsheet_id for o in mine if o.status in ("created", "resumed", "already")}
    failed = [{"code": o.code, "message_th": o.message_th, "message_en": o.message_en}
              for o in mine if o.status == "failed"]
    made = sum(o.status in ("created", "resumed") for o in mine)
    th = f"ทะเบียนรับ {len(clean)} โรงเรียน สร้างชีตใหม่ {made} โรงเรียน"
    en = f"registry took {len(clean)} schools; {made} sheets made"
    if failed:
        th += f", สร้างไม่สำเร็จ {len(failed)}"
        en += f", {len(failed)} failed"
    if rejected:
        th += f", แถวที่ไม่รับ {len(rejected)}: " + "; ".join(r["message_th"] for r in rejected[:3])
        en += f", {len(rejected)} rows rejected: " + "; ".join(r["message_en"] for r in rejected[:3])
    return Outcome.done(th, en, {"spreadsheet_ids": ids, "failed": failed, "rejected": rejected,
                                 "outcomes": [o.as_dict() for o in mine]})


def _code(row: dict) -> str:
    from sync.registry import _text

    return _text(row.get("school_code")).zfill(10) if _text(row.get("school_code")) else ""


def merge_registry(path: Path, rows: list[dict]) -> Path:
    """Upsert `rows` into the host's registry .csv by school code (never deleting a school: retiring one is
    ใช้งาน = ไม่ใช่). A spreadsheet ID the host already knows is kept — a staff copy of the registry may lag."""
    keys = REGISTRY.keys()
    current: list[dict] = []
    if path.is_file():
        grid = read_grid(path)
        head = [str(k).strip() for k in grid[1]] if len(grid) > 1 else keys
        current = [dict(zip(head, r, strict=False)) for r in grid[2:] if any(str(v).strip() for v in r)]
    by_code = {_code(r): i for i, r in enumerate(current)}
    for row in rows:
        code = _code(row)
        new = {k: row.get(k, "") for k in keys}
        new["school_code"] = code
        if code in by_code:
            old = current[by_code[code]]
            if str(old.get("spreadsheet_id") or "").strip():
                new["spreadsheet_id"] = old["spreadsheet_id"]
            current[by_code[code]] = new
        else:
            by_code[code] = len(current)
            current.append(new)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerows([REGISTRY.headers_th(), keys])
    w.writerows([["" if r.get(k) is None else r.get(k) for k in keys] for r in current])
    atomic_write(path, buf.getvalue().encode("utf-8-sig"))
    return path
