"""`khet report annual | cards | template` and `khet export emes | emenscr` — the documents the district sends
up, from the history of the nightly job (see ``sync/reporting/``). Options shared by both commands are defined
once in :func:`add_source_options`; a KhetError (no run for the year, a bad template) is shown by the CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sync.commands import KhetArgumentParser, fiscal_year_arg


def add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="ไฟล์ตั้งค่า (ค่าเริ่มต้น khet.toml) / configuration file")
    p.add_argument("--fy", type=fiscal_year_arg, help="ปีงบประมาณ (ค่าเริ่มต้น: ของวันนี้) / fiscal year (BE)")
    p.add_argument("--db", type=Path, help="ฐานข้อมูลประวัติ (แทน [paths] history_db) / history database")
    p.add_argument("--registry", type=Path, help="ทะเบียนโรงเรียน (แทน [paths] registry) / school registry")
    p.add_argument("--workbook", type=Path,
                   help="สมุดงานของเขตที่มีแท็บโครงการของเขต ติดตามข้อเสนอแนะผู้ตรวจ คำขอรับบริการ (ค่าเริ่มต้น [paths] "
                        "staff_workbook หรือทะเบียนถ้าเป็น .xlsx/.xlsm) / staff workbook with the district tabs")
    p.add_argument("--settings", type=Path,
                   help="ค่าตั้งของเขต ชุดเดียวกับที่งานประมวลผลใช้ (แทน [paths] settings) / the district settings the "
                        "job uses")
    p.add_argument("--district-name", default="", help="ชื่อสำนักงานเขตพื้นที่ (ค่าเริ่มต้น: จากแท็บ 'ตั้งค่า ข้อมูลเขต' "
                                                      "ของ [paths] settings) / the district office's name")
    p.add_argument("--out", type=Path, help="ไฟล์หรือโฟลเดอร์ผลลัพธ์ (ค่าเริ่มต้น [paths] report_dir) / output file")


def figures(args):
    """The figures for the command's options (config paths unless given)."""
    from sync.config import load_config
    from sync.reporting.figures import load_figures
    from sync.trackers import staff_workbook_path

    cfg = load_config(args.config)
    registry = args.registry or cfg.registry
    if registry is None:
        from sync.reporting.figures import ReportDataError

        raise ReportDataError(message_th="ไม่ได้ระบุทะเบียนโรงเรียน ([paths] registry หรือ --registry)",
                              message_en="no school registry ([paths] registry or --registry)")
    workbook = staff_workbook_path(args.workbook or cfg.staff_workbook, registry)
    fig = load_figures(history_db=args.db or cfg.history_db, registry=registry, fiscal_year=args.fy,
                       workbook=workbook, district_name=args.district_name,
                       settings_path=args.settings or cfg.settings)
    return fig, Path(cfg.report_dir)


def out_path(args, report_dir: Path, name: str) -> Path:
    if args.out is None:
        return report_dir / name
    return args.out / name if args.out.is_dir() else args.out


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet report", description="รายงานของเขต / the district's documents")
    sub = p.add_subparsers(dest="action", required=True)
    annual = sub.add_parser("annual", help="รายงานผลการดำเนินงานประจำปี (.docx) / the annual report")
    add_source_options(annual)
    annual.add_argument("--template", type=Path, help="ไฟล์ข้อความรายงานที่เขตแก้ไข (.toml) / edited report text")
    cards = sub.add_parser("cards", help="บัตรรายงานผลรายโรงเรียน หน้าละโรง (.docx) / one-page report card per school")
    add_source_options(cards)
    tmpl = sub.add_parser("template", help="คัดลอกข้อความรายงานเพื่อแก้ไข / copy the report text for editing")
    tmpl.add_argument("name", choices=["annual"])
    tmpl.add_argument("--out", type=Path, help="ไฟล์ที่จะเขียน (ค่าเริ่มต้น: พิมพ์ออกหน้าจอ) / file to write")
    args = p.parse_args(argv)

    if args.action == "template":
        from sync.reporting.template import default_text

        text = default_text(args.name)
        if args.out:
            if args.out.exists():
                print(f"มีไฟล์ {args.out} อยู่แล้ว ไม่เขียนทับ / {args.out} exists: not overwritten", file=sys.stderr)
                return 2
            args.out.write_text(text, encoding="utf-8")
            print(args.out)
        else:
            print(text)
        return 0
    fig, report_dir = figures(args)
    if args.action == "annual":
        from sync.reporting.annual import default_name, write_annual

        path = write_annual(fig, out_path(args, report_dir, default_name(fig.fiscal_year)), template=args.template)
    else:
        from sync.reporting.cards import default_name, write_cards

        path = write_cards(fig, out_path(args, report_dir, default_name(fig.fiscal_year)))
    print(f"เขียนแล้ว / written: {path.resolve()}")
    for note in fig.notes:
        print(f"  หมายเหตุ / note: {note}")
    return 0
