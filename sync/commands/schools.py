"""`khet schools`: make the school template, provision one sheet per school, read every changed school.

    khet schools template                         # find or create the template in the district folder
    khet schools provision --registry FILE [--notify]
    khet schools read [--full] [--json OUT]       # the nightly read on its own (state in data_dir)

Exit codes: 0 all fine, 1 some schools failed (each reported with its reason), 2 cannot start (configuration,
registry or template problem).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from google.auth.exceptions import GoogleAuthError, RefreshError
from gspread.exceptions import APIError
from requests import RequestException

from sync.commands import KhetArgumentParser
from sync.config import Config, ConfigError, load_config, require_ready
from sync.http import RequestFailed

if TYPE_CHECKING:
    from sync.registry import Registry

# Failures that mean Google cannot be used at all (per-school failures never get here).
GOOGLE_ERRORS = (GoogleAuthError, APIError, RequestFailed, RequestException, ConfigError, ValueError, OSError)


def _config(args) -> Config:
    """The configuration, checked as `khet config check` checks it: an error stops here (exit 2); warnings about
    values replaced by defaults are said and the command carries on. The registry is this command's own
    `--registry` when given (and `schools template` needs none)."""
    cfg = load_config(args.config)
    own_registry = args.action == "template" or getattr(args, "registry", None)
    for p in require_ready(cfg, ignore=("paths.registry",) if own_registry else ()):
        if p in cfg.load_problems:
            print(p, file=sys.stderr)
    return cfg


def _config_and_registry(args) -> tuple[Config, Registry] | None:
    """The configuration and the school registry (`--registry` or paths.registry), or None once told why not."""
    from sync.registry import load_registry

    cfg = _config(args)
    target = Path(args.registry) if args.registry else cfg.registry
    if target is None:
        print("ยังไม่ได้ระบุทะเบียนโรงเรียน (--registry หรือ paths.registry) / no registry given", file=sys.stderr)
        return None
    registry = load_registry(target)
    for f in registry.findings:
        if f.severity == "error":
            where = f"{f.sheet} {f.cell or f.row or ''}".strip()
            print(f"ทะเบียน/registry {where}: {f.message_th} / {f.message_en}", file=sys.stderr)
    return cfg, registry


def _template(client, cfg: Config) -> tuple[str, bool]:
    from sync.google_template import ensure_template

    return ensure_template(client, cfg.drive_folder_id or None, cfg.template_spreadsheet_id or None)


def _google_trouble(exc: Exception) -> int:
    """Say in Thai and English why Google could not be used at all (never a traceback, never a secret)."""
    if isinstance(exc, RefreshError):
        th, en = "Google ปฏิเสธกุญแจบัญชีบริการ (ถูกเพิกถอนหรือผิดไฟล์?)", "Google refused the service-account key"
    elif isinstance(exc, ConfigError):  # the key file: missing, unreadable, not a service-account key
        th, en = exc.message_th, exc.message_en
    elif isinstance(exc, APIError):
        th, en = f"Google ตอบข้อผิดพลาด {exc.code}", f"Google answered {exc.code}: {exc.error.get('message', '')}"
    else:
        th, en = "ติดต่อ Google ไม่ได้", f"cannot reach Google: {exc}"
    print(f"{th} / {en} — khet config check", file=sys.stderr)
    return 2


def cmd_template(args) -> int:
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google

    cfg = _config(args)
    try:
        with open_google(cfg, SCOPES_PROVISION) as client:
            sid, created = _template(client, cfg)
    except GOOGLE_ERRORS as exc:
        return _google_trouble(exc)
    print(f"แม่แบบ / template: {sid} ({'สร้างใหม่ / created' if created else 'มีอยู่แล้ว / existing'})")
    if created or not cfg.template_spreadsheet_id:
        print(f"ใส่ใน khet.toml / put in khet.toml:  [google] template_spreadsheet_id = \"{sid}\"")
    return 0


def cmd_provision(args) -> int:
    from addin.settings import settings_or_fail
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google
    from sync.provision import provision

    loaded = _config_and_registry(args)
    if loaded is None:
        return 2
    cfg, registry = loaded
    try:
        settings = settings_or_fail(cfg.settings)
        with open_google(cfg, SCOPES_PROVISION) as client:
            template_id, _ = _template(client, cfg)
            result = provision(client, registry, template_id=template_id, folder_id=cfg.drive_folder_id or None,
                               notify=args.notify, settings=settings)
    except GOOGLE_ERRORS as exc:
        return _google_trouble(exc)
    from sync.update import record_in_history

    record_in_history(cfg.history_db, result.outcomes)  # which sheet is on which template (the summary lists it)
    for o in result.outcomes:
        if o.status in ("created", "resumed", "failed"):
            print(f"{o.code} {o.name}: {o.status} {o.spreadsheet_id} — {o.message_th} / {o.message_en}")
    counts = {s: result.count(s) for s in ("created", "resumed", "already", "inactive", "failed")}
    print("สรุป / summary: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if args.json:
        Path(args.json).write_text(json.dumps([o.as_dict() for o in result.outcomes], ensure_ascii=False,
                                              indent=2), encoding="utf-8")
    # Rejected registry rows are schools left without a sheet: exit 1 like a school that failed.
    bad_rows = sum(f.severity == "error" for f in registry.findings)
    if bad_rows:
        print(f"ทะเบียนมีข้อผิดพลาด {bad_rows} รายการ (ด้านบน) โรงเรียนเหล่านั้นยังไม่ได้ชีตจนกว่าจะแก้ / "
              f"{bad_rows} registry error(s) above: those schools get no sheet until fixed", file=sys.stderr)
    return 0 if result.ok and not bad_rows else 1


def cmd_read(args) -> int:
    from sync.gclient import SCOPES_READ
    from sync.http import open_google
    from sync.reader import JsonReadState, read_all

    loaded = _config_and_registry(args)
    if loaded is None:
        return 2
    cfg, registry = loaded
    state = JsonReadState(Path(args.state) if args.state else Path(cfg.data_dir) / "read_state.json")
    try:
        with open_google(cfg, SCOPES_READ) as client:
            result = read_all(client, registry, state, folder_id=cfg.drive_folder_id or None, full=args.full)
            stats = client.http_client.stats.as_dict()
    except GOOGLE_ERRORS as exc:
        return _google_trouble(exc)
    state.commit(result)
    for o in result.schools:
        if o.outcome == "failed" or (o.read and o.read.problems):
            print(f"{o.school.code} {o.school.name}: {o.outcome} [{o.reason}] {o.message_th} / {o.message_en}")
    counts = result.counts()
    print("สรุป / summary: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f"; Drive listed {result.listed}; Sheets reads {result.read_requests}; retries {stats.get('retries', 0)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"counts": counts, "http": stats,
                                               "schools": [o.as_dict() for o in result.schools]},
                                              ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if counts["failed"] else 0


def cmd_update(args) -> int:
    from dataclasses import asdict

    from addin.calendar import fiscal_year
    from addin.settings import settings_or_fail
    from addin.status import today_in_thailand
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google
    from sync.update import record_in_history, template_version, update_schools

    loaded = _config_and_registry(args)
    if loaded is None:
        return 2
    cfg, registry = loaded
    settings = settings_or_fail(cfg.settings).for_year(args.fy or fiscal_year(today_in_thailand()))

    def say(o) -> None:
        if o.status in ("updated", "would_update", "failed"):
            print(f"{o.code} {o.name}: {o.status} {o.error}".rstrip())
            for th, en in zip(o.notes_th, o.notes_en, strict=True):
                print(f"    {th} / {en}")

    try:
        with open_google(cfg, SCOPES_PROVISION) as client:
            outcomes = update_schools(client, registry, settings, dry_run=args.dry_run, on_school=say)
            stats = client.http_client.stats.as_dict()
    except GOOGLE_ERRORS as exc:
        return _google_trouble(exc)
    record_in_history(cfg.history_db, outcomes)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("current", "updated", "would_update", "failed",
                                                                "no_sheet")}
    print(f"รุ่นแม่แบบ / template version {template_version(settings)}"
          + (" (ทดลอง ไม่เขียน / dry run, nothing written)" if args.dry_run else ""))
    print("สรุป / summary: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f"; requests {sum(o.requests for o in outcomes)}; retries {stats.get('retries', 0)}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=2),
                                   encoding="utf-8")
    return 1 if counts["failed"] else 0


def main(argv: list[str]) -> int:
    parser = KhetArgumentParser(prog="khet schools",
                                     description="สร้างและอ่านชีตของโรงเรียน / provision and read school sheets")
    sub = parser.add_subparsers(dest="action", required=True)
    p_t = sub.add_parser("template", help="หาหรือสร้างแม่แบบ / find or create the school template")
    p_p = sub.add_parser("provision", help="สร้างชีตให้ทุกโรงเรียน / one sheet per school")
    p_p.add_argument("--registry", help="ทะเบียนโรงเรียน .xlsx/.xlsm/.csv (default: paths.registry)")
    p_p.add_argument("--notify", action="store_true", help="ส่งอีเมลแจ้งโรงเรียน / e-mail each school")
    p_r = sub.add_parser("read", help="อ่านโรงเรียนที่เปลี่ยนแปลง / read changed schools")
    p_r.add_argument("--registry", help="ทะเบียนโรงเรียน (default: paths.registry)")
    p_r.add_argument("--full", action="store_true", help="อ่านทุกโรงเรียน / read every school")
    p_r.add_argument("--state", help="ไฟล์สถานะการอ่าน / read-state file (default: data_dir/read_state.json)")
    p_u = sub.add_parser("update", help="ปรับชีตโรงเรียนที่มีอยู่ให้ตรงแม่แบบและค่าตั้ง / bring existing sheets to the "
                                        "current template and settings")
    p_u.add_argument("--registry", help="ทะเบียนโรงเรียน (default: paths.registry)")
    p_u.add_argument("--dry-run", action="store_true", help="แสดงสิ่งที่จะเปลี่ยน ไม่เขียน / print what would change")
    p_u.add_argument("--fy", type=int, help="ปีงบประมาณของค่าตั้ง / fiscal year of the settings (default: this one)")
    for p in (p_t, p_p, p_r, p_u):
        p.add_argument("--config", help="ไฟล์ตั้งค่า / configuration file")
    for p in (p_p, p_r, p_u):
        p.add_argument("--json", help="บันทึกผลเป็น JSON / write the outcome as JSON")
    args = parser.parse_args(argv)
    return {"template": cmd_template, "provision": cmd_provision, "read": cmd_read,
            "update": cmd_update}[args.action](args)
