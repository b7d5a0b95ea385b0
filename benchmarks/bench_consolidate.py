"""Benchmark: the nightly consolidation of 1,000 schools × 200 rows — validate, aggregate, write the .xlsx.

API waits are excluded: the read results are generated in-process and fed to the consolidation directly
(what ``sync.reader.read_all`` would hand over), the summary workbook is written to a real file. Target: ≤ 10 s
on a 2-core machine. Baseline in the same run: validating school by school (one ``validate_table`` call per
school and tab, the obvious loop) over the first 100 schools, extrapolated per row.
Also printed: recording the night in the history (SQLite) and writing the district sheet to the emulator
(latency 0), measured separately.

    .venv/bin/python benchmarks/bench_consolidate.py [--schools 1000] [--rows 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from addin.thaidate import format_thai_date
from addin.validate import validate_table
from sync import aggregate as agg
from sync.job import consolidate, report_fingerprints
from sync.summary import write_xlsx
from workbook.reports import REPORTS_BY_KEY
from workbook.sheets import BUDGET_SOURCES, DISTRICT_STRATEGIES, OBEC_POLICIES, SHEETS

FY, TODAY = 2569, dt.date(2026, 7, 20)
HIGHER = "มากกว่าหรือเท่ากับดีกว่า"


def school_grids(i: int, rows: int, rng: random.Random) -> dict[str, list[list]]:
    """One school's tabs as read (header rows + data): ~20% plan, ~60% progress, ~10% KPI, the rest requests."""
    code = f"1048{i:06d}"
    n_plan = max(1, rows // 5)
    n_kpi = max(1, rows // 10)
    n_req = max(0, rows - n_plan - 3 * n_plan - n_kpi - 1 - 4)
    out = {k: SHEETS[k].grid_header() for k in ("school_profile", "action_plan", "progress", "kpi", "requests",
                                                   "submission")}

    def add(key, values):
        out[key].append([values.get(k, "") for k in SHEETS[key].keys()])

    add("school_profile", {"school_code": code, "school_name": f"โรงเรียนบ้านทดสอบ {i}", "network": f"เครือข่าย {i % 10}",
                           "contact_name": "นางสาวสมศรี ทองดี", "contact_email": f"s{i}@school.example",
                           "fiscal_year": FY})
    for j in range(n_plan):
        op, eq = rng.randrange(100_000, 6_000_000) / 100, rng.randrange(0, 3_000_000) / 100
        total = round(op + eq, 2) if rng.random() > 0.02 else round(op + eq + 1, 2)  # 2 % do not add up
        add("action_plan", {"project_code": f"P{j + 1:03d}", "project_name": f"โครงการที่ {j + 1}",
                            "obec_policy": rng.choice(OBEC_POLICIES), "district_strategy": rng.choice(DISTRICT_STRATEGIES),
                            "budget_source": rng.choice(BUDGET_SOURCES), "budget_operating": op, "budget_equipment": eq,
                            "budget_total": total, "responsible": "นายสมชาย ศรีสุข",
                            "start_date": format_thai_date(dt.date(2025, 10, 1)),
                            "end_date": "31/02/2569" if rng.random() < 0.01 else "30/09/2569",
                            "indicator": "ร้อยละความสำเร็จ", "unit": "ร้อยละ", "direction": HIGHER, "target": 80})
        for q in (1, 2, 3):
            add("progress", {"project_code": f"P{j + 1:03d}", "quarter": str(q), "status": "กำลังดำเนินการ",
                             "progress_pct": 25 * q, "budget_total": total, "spent": round(total * q / 5, 2),
                             "indicator_result": 20 * q, "reported_on": 46000 + 90 * q})
    for k in range(n_kpi):
        add("kpi", {"round": "6 เดือน", "indicator_code": f"K{k + 1}", "indicator": f"ตัวชี้วัดที่ {k + 1}",
                    "direction": HIGHER, "target": 80, "result": rng.randint(60, 100), "quality_level": rng.randint(1, 5)})
    for r in range(n_req):
        add("requests", {"request_no": f"R{r + 1}", "request_type": "คำขอรับงบประมาณ", "item": "ครุภัณฑ์",
                         "amount": rng.randrange(100_000, 50_000_000) / 100, "source": "สพฐ./เขตพื้นที่",
                         "reason": "จำเป็น"})
    for key in ("action_plan", "progress_q1", "progress_q2", "kpi_6m"):
        add("submission", {"report": REPORTS_BY_KEY[key].title_th, "fiscal_year": FY, "submitted_by": "ครูสมศรี",
                           "submitted_on": "15/05/2569", "confirmed": "ใช่"})
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--schools", type=int, default=1000)
    p.add_argument("--rows", type=int, default=200)
    p.add_argument("--baseline-schools", type=int, default=100)
    args = p.parse_args()
    rng = random.Random(0)
    tabs = {f"1048{i:06d}": school_grids(i, args.rows, rng) for i in range(args.schools)}
    n_rows = sum(len(g) - 2 for t in tabs.values() for g in t.values())
    schools = pd.DataFrame({"school_code": list(tabs), "school_name": [f"โรงเรียนบ้านทดสอบ {i}" for i in range(len(tabs))],
                            "network": [f"เครือข่าย {i % 10}" for i in range(len(tabs))],
                            "contact_email": [f"s{i}@school.example" for i in range(len(tabs))], "phone": ""})
    print(f"consolidation benchmark: {args.schools} schools, {n_rows:,} data rows "
          f"({n_rows / args.schools:.0f} per school), fiscal year {FY}, as of {TODAY}")

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        con = consolidate(schools, tabs)
        t1 = time.perf_counter()
        d = con.district
        checks = agg.submittable(agg.report_checks(d), agg.confirmed_reports(d, FY))
        ok = checks[checks["confirmed"] & checks["valid"]]
        sent = dt.datetime(2026, 5, 15, 15, 0, tzinfo=dt.UTC)
        evidence = {(c, k): {"with_data": sent, "valid": sent}
                    for c, k in zip(ok["school_code"], ok["report_key"], strict=True)}
        report_fingerprints(d)
        summary = agg.summarize(d, FY, TODAY, evidence=evidence)
        t2 = time.perf_counter()
        path = write_xlsx(summary, Path(tmp) / "summary.xlsx", as_of=dt.datetime(2026, 7, 20, 2, 0))
        t3 = time.perf_counter()
        total = t3 - t0
        print(f"  validate + stack : {t1 - t0:6.2f} s  ({n_rows / (t1 - t0):,.0f} rows/s; clean {con.rows_clean:,},"
              f" rejected {con.rows_rejected:,}, findings {len(d.findings):,})")
        print(f"  aggregate        : {t2 - t1:6.2f} s  (status {len(summary.status):,} school×report rows,"
              f" follow-up {len(summary.follow_up):,}, outliers {len(summary.outliers):,})")
        print(f"  write .xlsx      : {t3 - t2:6.2f} s  ({path.stat().st_size / 1e6:.1f} MB, charts included)")
        print(f"  TOTAL            : {total:6.2f} s  = {n_rows / total:,.0f} rows/s   target ≤ 10 s: "
              f"{'met' if total <= 10 else 'NOT met'}")

        base = dict(list(tabs.items())[:args.baseline_schools])
        b_rows = sum(len(g) - 2 for t in base.values() for g in t.values())
        t4 = time.perf_counter()
        for t in base.values():
            for key, grid in t.items():
                validate_table(SHEETS[key], grid)
        t5 = time.perf_counter()
        loop_rate = b_rows / (t5 - t4)
        stacked_rate = n_rows / (t1 - t0)
        print(f"  baseline: school-by-school validation of {args.baseline_schools} schools ({b_rows:,} rows): "
              f"{t5 - t4:.2f} s = {loop_rate:,.0f} rows/s → {n_rows / loop_rate:.1f} s for all; stacked validation "
              f"is {stacked_rate / loop_rate:.1f}× faster")

        from sync.history import History

        h = History(Path(tmp) / "h.sqlite")
        run = h.begin_run(trigger="bench")
        t6 = time.perf_counter()
        for code, t in tabs.items():
            h.record_read(run, code, outcome="read", tabs=t)
        t7 = time.perf_counter()
        print(f"  (separately) history record of the night (raw snapshots, one transaction per school): "
              f"{t7 - t6:.2f} s ({args.schools / (t7 - t6):,.0f} schools/s)")
        h.close()

        from sync.emulator import Emulator
        from sync.gclient import SCOPES_PROVISION, SCOPES_WRITE, connect
        from sync.summary import write_google

        with Emulator(user_quota=10**6, project_quota=10**6) as emu:
            key = emu.service_account()
            sid = connect(key, SCOPES_PROVISION, endpoint=emu.url).create("district").id
            client = connect(key, SCOPES_WRITE, endpoint=emu.url)
            t8 = time.perf_counter()
            out = write_google(client, sid, summary, as_of=dt.datetime(2026, 7, 20, 2, 0))
            t9 = time.perf_counter()
        print(f"  (separately) district sheet on the emulator, latency 0: {t9 - t8:.2f} s for {out['cells']:,} cells in "
              f"{out['requests']} requests (atomic swap)")


if __name__ == "__main__":
    main()
