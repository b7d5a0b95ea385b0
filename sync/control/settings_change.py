"""Request kind "settings_change" (เปลี่ยนค่าตั้งของเขต): staff change the settings tabs of their workbook and
press "ส่งค่าตั้งให้งานประมวลผล"; the request carries the tabs (``addin.settings.pack_tabs``); the job host reads
them with the one settings reader (``addin.settings.settings_from_tabs``) and

- with any error, refuses the request, the findings at their cells (tab, row, column, cell; Thai and English)
  in the outcome, and keeps its settings as they were;
- else writes the new settings file (``[paths] settings``, replaced atomically) and keeps every version in
  ``<data_dir>/settings-versions/`` (``v0000-original.xlsx`` = the file before the first change, then
  ``vNNNN-<UTC time>-<account>.xlsx``); the request and its outcome, with the staff account, are in the
  history (``sync.control.store``) like every request;
- with ``update_schools``, then brings every school sheet to the new template and settings (``khet schools
  update``) and answers with its counts.

Decisions:
- **A change that arrives during a run** applies from the next run: the run in progress read its settings
  when it started and keeps them (the job reads ``[paths] settings`` once, before it takes the lock); the
  outcome says so. The file is replaced with ``os.replace``, so a run starting at that moment reads the old
  file or the new one, never half of one; where the file is held open (Windows), the request waits for the
  next poll and nothing has been written.
- ``[paths] settings`` empty (the shipped defaults): refused, saying what to set — the host never starts
  reading a file nobody configured.
- ``[paths] settings`` is the staff workbook itself (.xlsm, a single-PC district): the workbook is not
  overwritten; the version is kept and the outcome says to save the workbook (the job reads it as saved).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from pathlib import Path

from pydantic import Field

from addin.settings import PACKED_MAX, settings_from_tabs, unpack_tabs
from sync.control.kinds import ACCEPTED, Outcome, Payload, Refused, Request, request_kind

FINDINGS_SHOWN = 10   # in the outcome's message; the result carries up to FINDINGS_KEPT
FINDINGS_KEPT = 60


class SettingsChange(Payload):
    packed: str = Field(min_length=1, max_length=PACKED_MAX)  # addin.settings.pack_tabs
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    note: str = Field("", max_length=500)  # why, in the staff member's words (kept with the version)
    update_schools: bool = False  # then push the change into every school sheet (khet schools update)


@request_kind("settings_change", "เปลี่ยนค่าตั้งของเขต", SettingsChange,
              help_th="ส่งแท็บตั้งค่าของสมุดงานให้เครื่องประมวลผลตรวจและใช้ตั้งแต่รอบถัดไป (เลือกได้: ปรับชีตโรงเรียนทุกแห่งด้วย)")
def settings_change(ctx, req: Request, p: SettingsChange) -> Outcome:
    try:
        grids = unpack_tabs(p.packed, p.sha256)
    except ValueError as exc:
        raise Refused(f"ข้อมูลค่าตั้งในคำขอเสียหายหรือไม่ครบ ({exc}) ให้กดส่งใหม่จากสมุดงาน",
                      f"the settings in the request are damaged or cut ({exc}); send them again from the workbook",
                      code="settings.payload") from None
    settings, findings = settings_from_tabs(grids, f"คำขอ {req.request_id}")
    if settings is None:
        return refused_with_findings(findings)
    target = ctx.cfg.settings
    if target is None:
        raise Refused("เครื่องประมวลผลยังไม่ได้กำหนดไฟล์ค่าตั้ง ([paths] settings ใน khet.toml) จึงใช้ค่าเริ่มต้นอยู่: ให้ผู้ดูแล"
                      "ตั้งเป็นไฟล์ .xlsx (เช่น khet settings example --out district-settings.xlsx) แล้วส่งใหม่",
                      "the job host has no settings file ([paths] settings in khet.toml) and runs on the defaults: "
                      "have IT set one (.xlsx, e.g. khet settings example --out district-settings.xlsx) and send "
                      "again", code="settings.no_file")
    target = Path(target)
    in_workbook = target.suffix.lower() == ".xlsm"
    versions = Path(ctx.cfg.data_dir) / "settings-versions"
    from workbook.templates import save_settings_file

    with tempfile.TemporaryDirectory(prefix="khet-settings-", dir=_temp_dir(target, in_workbook)) as tmp:
        new = save_settings_file(Path(tmp) / "new.xlsx", settings)
        if not in_workbook:
            keep_original(versions, target)
            try:
                os.replace(new, target)
            except PermissionError:
                return Outcome.waiting("ไฟล์ค่าตั้งของเครื่องประมวลผลถูกเปิดใช้อยู่ จะลองใหม่ในรอบตรวจถัดไป",
                                       "the host's settings file is in use; tried again at the next poll")
            new = target
        kept = keep_version(versions, new, req.account)
    version = int(kept.name[1:5])
    th = f"รับค่าตั้งใหม่แล้ว (รุ่นที่ {version}: {kept.name})"
    en = f"new settings accepted (version {version}: {kept.name})"
    if in_workbook:
        th += f" — งานประมวลผลอ่านค่าตั้งจากสมุดงาน {target.name} โดยตรง: บันทึกสมุดงาน (Ctrl+S) แล้วจึงมีผล"
        en += f" — the job reads the settings from the workbook {target.name} itself: save it (Ctrl+S) to apply them"
    elif ctx.run_in_progress():
        th += " — งานประมวลผลรอบที่กำลังทำอยู่ใช้ค่าตั้งเดิมจนจบรอบ ค่าตั้งใหม่มีผลตั้งแต่รอบถัดไป"
        en += " — the run in progress keeps the settings it started with; the new ones apply from the next run"
    else:
        th += " มีผลตั้งแต่รอบประมวลผลถัดไป"
        en += "; they apply from the next run"
    warnings = [f for f in findings if f.severity != "error"]
    result = {"version": version, "file": str(kept), "settings": str(target), "warnings": len(warnings),
              "findings": [f.as_dict() for f in warnings[:FINDINGS_KEPT]]}
    if not p.update_schools:
        return Outcome.done(th, en, result)
    done = Outcome.done(th, en, result)
    return Outcome(ACCEPTED, th + " กำลังปรับชีตโรงเรียน…", en + "; updating the school sheets…",
                   result, then=lambda: push_to_schools(ctx, settings, done))


def refused_with_findings(findings) -> Outcome:
    errors = [f for f in findings if f.severity == "error"]
    th = "; ".join(_where(f) + f.message_th for f in errors[:FINDINGS_SHOWN])
    en = "; ".join(_where(f) + f.message_en for f in errors[:FINDINGS_SHOWN])
    more = len(errors) - FINDINGS_SHOWN
    if more > 0:
        th += f" (และอีก {more} จุด)"
        en += f" (and {more} more)"
    return Outcome.refused(f"ค่าตั้งมีข้อผิดพลาด {len(errors)} จุด ไม่ได้นำไปใช้ (ค่าตั้งเดิมยังใช้อยู่): {th}",
                           f"the settings have {len(errors)} error(s) and were not applied (the current settings "
                           f"stay): {en}",
                           {"errors": len(errors), "findings": [f.as_dict() for f in errors[:FINDINGS_KEPT]]})


def _where(f) -> str:
    if f.cell:
        return f"{f.sheet}!{f.cell} "
    return f"{f.sheet}: " if f.sheet else ""


def _temp_dir(target: Path, in_workbook: bool) -> Path | None:
    # Beside the target, so os.replace never crosses file systems.
    if in_workbook or not target.parent.is_dir():
        return None
    return target.parent


def keep_original(versions: Path, current: Path) -> None:
    """Before the first change, the settings file as IT configured it becomes version 0."""
    versions.mkdir(parents=True, exist_ok=True)
    if current.is_file() and not any(versions.glob("v*.xlsx")):
        shutil.copy2(current, versions / "v0000-original.xlsx")


def keep_version(versions: Path, new: Path, account: str) -> Path:
    """Copy `new` into the versions folder as the next version; the file name carries its number, the UTC time
    and the account that asked."""
    versions.mkdir(parents=True, exist_ok=True)
    numbers = [int(m.group(1)) for f in versions.glob("v*.xlsx") if (m := re.match(r"v(\d{4})-", f.name))]
    number = max(numbers, default=0) + 1
    who = re.sub(r"[^A-Za-z0-9._-]", "_", account.split("@")[0])[:40] or "staff"
    name = f"v{number:04d}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{who}.xlsx"
    shutil.copy2(new, versions / name)
    return versions / name


def push_to_schools(ctx, settings, done: Outcome) -> Outcome:
    """`khet schools update` with the new settings, on the host's own provisioning client."""
    from addin.calendar import fiscal_year
    from addin.status import today_in_thailand
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google
    from sync.registry import load_registry
    from sync.update import record_versions, update_schools

    cfg = ctx.cfg
    if cfg.registry is None:
        return Outcome.done(done.message_th + " แต่ยังไม่ได้ปรับชีตโรงเรียน: ไม่มีทะเบียนโรงเรียน ([paths] registry)",
                            done.message_en + " but the school sheets were not updated: no registry ([paths] registry)",
                            done.result)
    year = settings.for_year(fiscal_year(today_in_thailand()))
    with open_google(cfg, SCOPES_PROVISION) as client:
        outcomes = update_schools(client, load_registry(cfg.registry), year)
    record_versions(ctx.store.history, outcomes)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("updated", "current", "failed", "no_sheet")}
    th = (f"{done.message_th} ปรับชีตโรงเรียนแล้ว {counts['updated']} แห่ง เป็นปัจจุบันอยู่แล้ว {counts['current']} แห่ง"
          + (f" ไม่สำเร็จ {counts['failed']} แห่ง (ดูผลลัพธ์)" if counts["failed"] else ""))
    en = (f"{done.message_en}; school sheets updated {counts['updated']}, already current {counts['current']}"
          + (f", failed {counts['failed']} (see the result)" if counts["failed"] else ""))
    failed = [{"code": o.code, "name": o.name, "error": o.error} for o in outcomes if o.status == "failed"]
    return Outcome.done(th, en, {**(done.result or {}), "schools": counts, "failed_schools": failed[:20]})
