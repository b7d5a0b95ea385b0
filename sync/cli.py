"""The `khet` command: a dispatcher to one module per sub-command.

Sub-commands are imported only when used, so `khet date` stays fast and a broken optional part
never takes the whole CLI down. Every user-facing error (`workbook.errors.KhetError`) is caught here, once.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

from workbook.errors import KhetError

# name -> (module, one-line help in Thai / English)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("sync.commands.demo", "สาธิตทั้งระบบบนโปรแกรมจำลอง Google / run the whole job on the embedded emulator"),
    "calendar": ("sync.commands.calendar", "ปฏิทินการปฏิบัติงานของเขต / the district work calendar, or one timing phrase"),
    "date": ("sync.commands.date", "อ่านวันที่แบบไทย / parse a Thai date"),
    "workdays": ("sync.commands.workdays", "นับ/บวกวันทำการ / count or add Thai working days"),
    "validate": ("sync.commands.validate", "ตรวจสอบไฟล์ Excel / validate a workbook file"),
    "workbook": ("sync.commands.workbook", "สร้างสมุดงาน / build the staff workbook and school template"),
    "emulator": ("sync.commands.emulator", "โปรแกรมจำลอง Google Sheets/Drive / the local Google emulator"),
    "schools": ("sync.commands.schools", "สร้างและอ่านชีตของโรงเรียน / provision and read school sheets"),
    "settings": ("sync.commands.settings", "ค่าตั้งของเขต / check or write the district settings"),
    "config": ("sync.commands.config", "ตรวจการตั้งค่า / check the configuration"),
    "sync": ("sync.commands.sync", "งานประมวลผลรายคืน / the nightly consolidation"),
    "history": ("sync.commands.history", "ประวัติข้อมูล / what changed between runs"),
    "year": ("sync.commands.year", "เปิด/ปิดปีงบประมาณ วันเริ่มติดตาม / a fiscal year's open, close, tracking start"),
    "remind": ("sync.commands.remind", "แจ้งเตือนโรงเรียนทางอีเมลและ LINE / remind schools by e-mail and LINE"),
    "line": ("sync.commands.line", "ตั้งค่ากลุ่ม LINE และข้อความประกาศ / LINE group setup and announcement texts"),
    "office": ("sync.commands.office", "คำขอจากเครื่องเจ้าหน้าที่ถึงเครื่องประมวลผล / staff requests to the job host"),
    "report": ("sync.commands.report", "รายงานประจำปีและบัตรรายงานโรงเรียน (.docx) / annual report, school cards"),
    "export": ("sync.commands.export", "ไฟล์สำหรับกรอก e-MES / eMENSCR (.xlsx) / e-MES and eMENSCR exports"),
    "doctor": ("sync.commands.doctor", "ตรวจความพร้อมของเครื่องเจ้าหน้าที่ / is this staff PC ready for the workbook"),
}


def usage() -> str:
    lines = ["usage: khet <command> [options]", "", "commands:"]
    width = max(len(n) for n in COMMANDS)
    for name, (_, text) in COMMANDS.items():
        lines.append(f"  {name.ljust(width)}  {text}")
    lines.append("")
    lines.append("khet <command> --help  for a command's options")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # `khet calendar … | head`: the reader left early. Stop quietly like other command-line tools, and
        # point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        # Thai text on a Windows console or a pipe with a legacy encoding must not crash the CLI.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"ไม่รู้จักคำสั่ง '{name}' / unknown command '{name}'\n", file=sys.stderr)
        print(usage(), file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except KhetError as exc:  # the one place a user-facing error is shown: never a traceback
        return say_error(exc, as_json="--json" in rest)


def say_error(exc: KhetError, *, as_json: bool = False) -> int:
    """A user-facing error in Thai and English on stderr (or `{"error": {...}}` on stdout with --json): exit 2."""
    if as_json:
        print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, indent=2))
    else:
        print(str(exc), file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
