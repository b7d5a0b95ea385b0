"""Benchmark: Thai date parsing, working-day arithmetic and statuses on big columns (issue 2).

Targets: parse_dates over 500,000 cells well above 100,000 cells/s; status_series ≥ 1,000,000 rows/s.
Baselines, in the same process: the per-value functions in a Python loop (parse_date with its cache cleared,
workdays_between, status) on a slice, extrapolated to a rate.

    .venv/bin/python benchmarks/bench_dates.py [--cells 500000] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from addin import thaidate
from addin.status import status, status_series
from addin.thaidate import ThaiDateError, format_thai_date, parse_date, parse_dates, to_serial
from addin.workdays import workdays_between, workdays_between_array


def make_cells(n: int, seed: int = 7) -> list:
    """A date column as a district gets it: Thai styles with Arabic or Thai digits, serials, datetimes,
    blanks and about 0.5 % bad cells, over ~3 fiscal years of distinct days."""
    rnd = random.Random(seed)
    day0 = date(2023, 10, 1)
    cells: list = []
    for _ in range(n):
        d = day0 + timedelta(days=rnd.randrange(1096))
        r = rnd.random()
        if r < 0.03:
            cells.append(None if r < 0.015 else "")
        elif r < 0.035:
            cells.append(rnd.choice(["31/02/2567", "14/13/67", "ก.พ. 67", "2/3", "ยังไม่ส่ง"]))
        elif r < 0.25:
            cells.append(float(to_serial(d)))
        elif r < 0.35:
            cells.append(datetime(d.year, d.month, d.day))
        else:
            style = rnd.choice(["short", "long", "numeric", "numeric", "iso"])
            text = format_thai_date(d, style, thai_digits=rnd.random() < 0.1)
            if style == "numeric" and rnd.random() < 0.5:
                text = f"{d.day}/{d.month}/{(d.year + 543) % 100}"  # 1/10/68
            cells.append(text)
    return cells


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}/s"


def bench_parse(n: int) -> None:
    cells = make_cells(n)
    series = pd.Series(cells, dtype=object)
    thaidate._parse_text.cache_clear()
    t = time.perf_counter()
    out = parse_dates(series)
    fast = time.perf_counter() - t
    errors = int(out["error"].notna().sum())

    base_n = min(n, 50_000)
    thaidate._parse_text.cache_clear()
    t = time.perf_counter()
    for v in cells[:base_n]:
        thaidate._parse_text.cache_clear()  # the naive way: every cell parsed from scratch
        try:
            thaidate.parse_date_or_none(v)
        except ThaiDateError:
            pass
    slow = time.perf_counter() - t

    distinct = [format_thai_date(date(1900, 1, 1) + timedelta(days=i), "short") for i in range(100_000)]
    thaidate._parse_text.cache_clear()
    t = time.perf_counter()
    parse_dates(pd.Series(distinct))
    uniq = time.perf_counter() - t

    print(f"parse_dates      {n:>9,} cells  {fast:7.3f} s {rate(n, fast)}   ({errors:,} errors found)")
    print(f"  baseline loop  {base_n:>9,} cells  {slow:7.3f} s {rate(base_n, slow)}   "
          f"speed-up ×{(n / fast) / (base_n / slow):.1f}")
    print(f"  all distinct   {len(distinct):>9,} cells  {uniq:7.3f} s {rate(len(distinct), uniq)}")


def bench_workdays_and_status(n: int) -> None:
    rng = np.random.default_rng(7)
    due = np.datetime64("2024-10-01") + rng.integers(0, 500, n).astype("timedelta64[D]")
    sent = np.where(rng.random(n) < 0.6, due + rng.integers(-15, 15, n).astype("timedelta64[D]"),
                    np.datetime64("NaT"))
    today = np.datetime64("2025-10-20")  # FY 2568 closed: every status occurs
    start = due - rng.integers(0, 120, n).astype("timedelta64[D]")
    workdays_between_array(start[:10], due[:10])  # warm the holiday tables: both sides start equal
    status_series(pd.Series(due[:10]), pd.Series(sent[:10]), today)

    t = time.perf_counter()
    workdays_between_array(start, due)
    fast = time.perf_counter() - t
    base_n = min(n, 20_000)
    s_list, d_list = start[:base_n].tolist(), due[:base_n].tolist()
    t = time.perf_counter()
    for a, b in zip(s_list, d_list, strict=True):
        workdays_between(a, b)
    slow = time.perf_counter() - t
    print(f"workdays_between_array {n:>9,} rows  {fast:7.3f} s {rate(n, fast)}")
    print(f"  baseline loop        {base_n:>9,} rows  {slow:7.3f} s {rate(base_n, slow)}   "
          f"speed-up ×{(n / fast) / (base_n / slow):.1f}")

    due_s, sent_s = pd.Series(due), pd.Series(sent)
    t = time.perf_counter()
    codes = status_series(due_s, sent_s, today)
    fast = time.perf_counter() - t
    today_d = parse_date(today)
    sent_list = [None if np.isnat(x) else x.astype(date) for x in sent[:base_n]]
    t = time.perf_counter()
    for d, s in zip(d_list, sent_list, strict=True):
        status(d, s, today_d)
    slow = time.perf_counter() - t
    counts = codes.value_counts().to_dict()
    print(f"status_series          {n:>9,} rows  {fast:7.3f} s {rate(n, fast)}   {counts}")
    print(f"  baseline loop        {base_n:>9,} rows  {slow:7.3f} s {rate(base_n, slow)}   "
          f"speed-up ×{(n / fast) / (base_n / slow):.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", type=int, default=500_000)
    p.add_argument("--rows", type=int, default=1_000_000)
    args = p.parse_args()
    bench_parse(args.cells)
    bench_workdays_and_status(args.rows)


if __name__ == "__main__":
    main()
