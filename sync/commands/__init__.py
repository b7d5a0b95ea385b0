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
