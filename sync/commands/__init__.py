"""One module per `khet` sub-command, each exposing `main(argv) -> int`; argument types they share."""

import argparse

# Fiscal years whose days all lie inside the accepted date range (BE 2400–2700, see addin.thaidate).
FISCAL_YEARS_BE = range(2401, 2701)


def fiscal_year_arg(text: str) -> int:
    """argparse type for `--fy`: a Buddhist Era fiscal year; a CE year gets its BE equivalent suggested."""
    try:
        fy = int(text)
    except ValueError:
        fy = None
    if fy in FISCAL_YEARS_BE:
        return fy
    hint_th = hint_en = ""
    if fy is not None and fy + 543 in FISCAL_YEARS_BE:
        hint_th, hint_en = f" — ค.ศ. {fy} คือ พ.ศ. {fy + 543}", f" — CE {fy} is BE {fy + 543}"
    raise argparse.ArgumentTypeError(
        f"ปีงบประมาณต้องเป็นปี พ.ศ. {FISCAL_YEARS_BE[0]}–{FISCAL_YEARS_BE[-1]} เช่น 2569{hint_th} / "
        f"the fiscal year must be a Buddhist Era year {FISCAL_YEARS_BE[0]}–{FISCAL_YEARS_BE[-1]}, "
        f"e.g. 2569{hint_en}: {text!r}")


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
