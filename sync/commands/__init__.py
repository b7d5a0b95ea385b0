"""One module per `khet` sub-command, each exposing `main(argv) -> int`; the argument parser and argument
types they share."""

import argparse
import re
import sys

# argparse's own English messages (Python 3.11–3.13), each with its Thai.
_ARGPARSE_TH = (
    (re.compile(r"the following arguments are required: (.+)"), "ต้องระบุ: {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "ไม่รู้จักตัวเลือก: {0}"),
    (re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"),
     "{0}: ไม่มีตัวเลือก {1} (เลือกจาก {2})"),
    (re.compile(r"argument (\S+): expected one argument"), "{0}: ต้องมีค่าตามหลังหนึ่งค่า"),
    (re.compile(r"argument (\S+): expected (.+) arguments?"), "{0}: ต้องมีค่าตามหลัง ({1})"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "{0}: ค่า {2} ไม่ถูกต้อง (ต้องเป็น {1})"),
    (re.compile(r"argument (\S+): not allowed with argument (.+)"), "{0}: ใช้คู่กับ {1} ไม่ได้"),
    (re.compile(r"ambiguous option: (\S+) could match (.+)"), "ตัวเลือก {0} กำกวม (อาจเป็น {1})"),
)


def usage_error_th(message: str) -> str | None:
    """The Thai of one of argparse's usage errors, or None (our own argument types are bilingual already)."""
    for pattern, th in _ARGPARSE_TH:
        if m := pattern.fullmatch(message):
            return th.format(*m.groups())
    return None


class KhetArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors in Thai and English (exit 2, as argparse does)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        th = usage_error_th(message)
        if th is None and " / " in message:  # an argument type's own Thai / English message
            text = message
        else:
            text = f"{th or 'ตัวเลือกไม่ถูกต้อง'} / {message}"
        self.exit(2, f"{self.prog}: ข้อผิดพลาด / error: {text}\n")


def fiscal_year_arg(text: str) -> int:
    """argparse type for `--fy`: a Buddhist Era fiscal year whose every day the date parser accepts
    (BE 2401–2700); a CE year gets its BE equivalent suggested."""
    from addin.calendar import ce_to_be, fiscal_year
    from addin.thaidate import MAX_DATE, MIN_DATE

    years = range(fiscal_year(MIN_DATE) + 1, fiscal_year(MAX_DATE))  # FYs starting and ending inside the range
    try:
        fy = int(text)
    except ValueError:
        fy = None
    if fy in years:
        return fy
    hint_th = hint_en = ""
    if fy is not None and ce_to_be(fy) in years:
        hint_th, hint_en = f" — ค.ศ. {fy} คือ พ.ศ. {ce_to_be(fy)}", f" — CE {fy} is BE {ce_to_be(fy)}"
    raise argparse.ArgumentTypeError(
        f"ปีงบประมาณต้องเป็นปี พ.ศ. {years[0]}–{years[-1]} เช่น 2569{hint_th} / "
        f"the fiscal year must be a Buddhist Era year {years[0]}–{years[-1]}, e.g. 2569{hint_en}: {text!r}")


def date_arg(text: str):
    """argparse type for a date option: every form `khet date` reads (2026-07-20, 20 ก.ค. 69, 20/07/2569…)."""
    from addin.thaidate import ThaiDateError, parse_date

    try:
        return parse_date(text)
    except ThaiDateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def clock_time(text: str) -> str | None:
    """`HH:MM` (00:00–23:59) normalised to two-digit hours, or None when it is not a time of day."""
    hours, sep, minutes = text.strip().partition(":")
    if sep and hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit() \
            and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60:
        return f"{int(hours):02d}:{minutes}"
    return None


def clock_time_arg(text: str) -> str:
    """argparse type for `--at`."""
    if (value := clock_time(text)) is None:
        raise argparse.ArgumentTypeError(f"เวลา '{text}' ไม่ถูกต้อง ใช้รูปแบบ ชม:นาที เช่น 02:00 / "
                                         f"time '{text}' is invalid; use HH:MM, e.g. 02:00")
    return value
