"""Benchmark: what faults and repairs cost the nightly job (issue 10) — the same nights with and without them.

A generated district (default 40 schools) on two emulators holding the same sheets; the same nights (one every
12 days of the fiscal year, the schools typing as the demo's year does) run twice in this process:
- baseline: no fault;
- faulty: every request may meet a 429 (`--e429`, default 0.15), a 500/503 (`--e5xx`, 0.06), a dropped
  connection (`--drop`, 0.03) or a 1 s stall (`--stall`, 0.01); a night ending 1 or 2 is run again at once
  without faults (what the person on call does on the alert) and both runs count;
- then one night on the faulty path where `--tampered` schools (default 5) had their feedback overwritten and its
  protection removed: the cost of noticing (nothing: the feedback tab comes in the read's one batchGet) and of
  repairing (a protections read and write per tampered school, and its feedback rewritten).
Printed per path: seconds per night, requests per night (the emulator's counters: all, Sheets reads, writes),
the client's retries, schools failed; and the ratios faulty / baseline. Targets: no row lost (the two paths
hold the same data at the end), requests ≤ 1.5× the baseline's, a repair ≤ 3 requests per tampered school.

    .venv/bin/python benchmarks/bench_faults.py [--schools 40] [--nights 8] [--seed 0]
"""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

from common import counted, emulated, parser, run_night

from sync.demo import FY, YEAR_START, generate_district, setup_district
from sync.history import History
from sync.protections import TAG_READONLY, read_protections
from workbook.sheets import SHEETS

FEEDBACK = SHEETS["feedback"]


def night(dd, history_path: Path, out: Path, day: dt.date, *, tries: int = 3, timeout: float = 10.0):
    read, write = dd.job_clients(tries=tries, timeout=timeout)
    with History(history_path) as h:
        rep = run_night(dd, h, out, day, fiscal_year=FY, clients=(read, write), workers=4)
    stats = [read.http_client.stats.as_dict(), write.http_client.stats.as_dict()]
    return rep, sum(int(s.get("retries", 0)) for s in stats)


def night_and_rerun(emu, dd, folder: Path, day: dt.date, faulty: bool) -> list:
    """A night (faults on, when configured), then — if it ended 1 or 2 — the same night again without them."""
    try:
        runs = [night(dd, folder / "history.sqlite", folder / "out", day, tries=3,
                      timeout=0.8 if faulty else 10.0)]
    finally:
        emu.configure(error_429=0, error_500=0, error_503=0, drop_probability=0, stall_probability=0)
    if runs[0][0].exit_code != 0:
        runs.append(night(dd, folder / "history.sqlite", folder / "out", day))
    return runs


def main() -> None:
    ap = parser(__doc__, "bench_faults")
    ap.add_argument("--schools", type=int, default=40)
    ap.add_argument("--nights", type=int, default=8)
    ap.add_argument("--e429", type=float, default=0.15)
    ap.add_argument("--e5xx", type=float, default=0.06)
    ap.add_argument("--drop", type=float, default=0.03)
    ap.add_argument("--stall", type=float, default=0.01)
    ap.add_argument("--tampered", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    days = [YEAR_START + dt.timedelta(days=12 * i + 5) for i in range(1, args.nights + 1)]
    schools = generate_district(args.schools, max(1, args.schools // 10), seed=args.seed)
    with emulated(2, seed=args.seed) as (tmp, (e1, e2)):
        paths = {"baseline": (e1, setup_district(e1, tmp / "a", schools, seed=args.seed), tmp / "a"),
                 "faulty": (e2, setup_district(e2, tmp / "b", schools, seed=args.seed), tmp / "b")}
        figures = {name: {"seconds": [], "all": [], "reads": [], "writes": [], "retries": 0, "failed": 0,
                          "reruns": 0} for name in paths}
        for day in days:
            for name, (emu, dd, folder) in paths.items():
                dd.type_as_of(day)
                f = figures[name]
                faulty = name == "faulty"
                if faulty:
                    emu.configure(error_429=args.e429, error_500=args.e5xx / 2, error_503=args.e5xx / 2,
                                  drop_probability=args.drop, stall_probability=args.stall, stall_seconds=1.0)

                runs, seconds, c = counted(emu, night_and_rerun, emu, dd, folder, day, faulty)
                f["seconds"].append(seconds)
                for k in ("all", "reads", "writes"):
                    f[k].append(c[k])
                f["retries"] += sum(r for _, r in runs)
                f["failed"] += runs[0][0].counts.get("schools_failed", 0)
                f["reruns"] += len(runs) - 1
        # Both paths hold the same data after the same nights (faults cost requests and time, never rows).
        with History(paths["baseline"][2] / "history.sqlite") as h1, \
                History(paths["faulty"][2] / "history.sqlite") as h2:
            same = h1.logical_state()["current"] == h2.logical_state()["current"]
        # The tampering night (faulty path, no faults): forged feedback, protections removed.
        emu, dd, folder = paths["faulty"]
        owner = dd.job_clients()[1]
        for s in dd.schools[:args.tampered]:
            sid = dd.ids[s.code]
            pr = read_protections(owner, sid).by_tag[TAG_READONLY + "feedback"]
            owner.http_client.batch_update(sid, {"requests": [
                {"deleteProtectedRange": {"protectedRangeId": pr["protectedRangeId"]}}]})
            dd.clients[s.code].open_by_key(sid).worksheet(FEEDBACK.title_th).update(
                [["ส่งครบแล้ว (ปลอม)"]], "G3", raw=True)
        quiet, q_seconds, q_c = counted(emu, night, dd, folder / "history.sqlite", folder / "out", days[-1])
        # …and the same night on the baseline path, where nobody tampered: what the repair adds.
        emu_a, dd_a, folder_a = paths["baseline"]
        for s in dd_a.schools[:args.tampered]:  # the same edits' Drive effect: the school touched its sheet
            dd_a.clients[s.code].open_by_key(dd_a.ids[s.code]).worksheet(SHEETS["school_profile"].title_th).update(
                [["หมายเหตุ"]], "Z3", raw=True)
        _, b_seconds, b_c = counted(emu_a, night, dd_a, folder_a / "history.sqlite", folder_a / "out", days[-1])
        rep = quiet[0]

    print(f"nightly job, {args.schools} schools, {args.nights} nights (every 12 days of FY {FY}); faults per "
          f"request: 429 {args.e429:.0%}, 5xx {args.e5xx:.0%}, dropped {args.drop:.0%}, 1 s stall {args.stall:.0%}")
    print(f"{'':10} {'s/night':>8} {'req/night':>10} {'reads':>7} {'writes':>7} {'retries':>8} "
          f"{'failed':>7} {'re-runs':>8}")
    for name, f in figures.items():
        print(f"{name:10} {statistics.mean(f['seconds']):8.2f} {statistics.mean(f['all']):10.1f} "
              f"{statistics.mean(f['reads']):7.1f} {statistics.mean(f['writes']):7.1f} {f['retries']:8d} "
              f"{f['failed']:7d} {f['reruns']:8d}")
    a, b = figures["baseline"], figures["faulty"]
    print(f"faulty / baseline: time {sum(b['seconds']) / sum(a['seconds']):.2f}×, requests "
          f"{sum(b['all']) / sum(a['all']):.2f}× (target ≤ 1.5×); same data held at the end: {same}")
    extra = q_c["all"] - b_c["all"]
    print(f"tampering night: {args.tampered} schools forged their feedback with its protection removed → "
          f"feedback_tampered {rep.counts.get('feedback_tampered')}, protections_restored "
          f"{rep.counts.get('protections_restored')}; requests {q_c['all']} against {b_c['all']} on the same "
          f"night untampered: {extra / max(1, args.tampered):.1f} per tampered school (target ≤ 3); "
          f"{q_seconds:.2f} s against {b_seconds:.2f} s")


if __name__ == "__main__":
    main()
