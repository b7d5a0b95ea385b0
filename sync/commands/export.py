"""`khet export emes --round 6|12` and `khet export emenscr` — copy-ready .xlsx for the national systems that
have no import (see ``sync/reporting/exports.py``)."""

from __future__ import annotations

from sync.commands import KhetArgumentParser
from sync.commands.report import add_source_options, figures, out_path


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet export", description="ไฟล์สำหรับกรอกระบบ e-MES / eMENSCR")
    sub = p.add_subparsers(dest="action", required=True)
    emes = sub.add_parser("emes", help="ผลตัวชี้วัดรอบ 6/12 เดือน สำหรับ e-MES / indicator results for e-MES")
    add_source_options(emes)
    emes.add_argument("--round", type=int, choices=(6, 12), required=True, help="รอบ 6 หรือ 12 เดือน / round")
    emenscr = sub.add_parser("emenscr", help="โครงการของเขต สำหรับ eMENSCR / projects for eMENSCR")
    add_source_options(emenscr)
    args = p.parse_args(argv)
    fig, report_dir = figures(args)
    from sync.reporting.exports import write_emenscr, write_emes

    if args.action == "emes":
        path = write_emes(fig, args.round, out_path(args, report_dir, f"khet-emes-{fig.fiscal_year}-{args.round}m.xlsx"))
    else:
        path = write_emenscr(fig, out_path(args, report_dir, f"khet-emenscr-{fig.fiscal_year}.xlsx"))
    print(f"เขียนแล้ว / written: {path.resolve()}")
    return 0
