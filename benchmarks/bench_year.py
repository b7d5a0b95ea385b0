"""Benchmark: how a night's cost grows with the history (issue 11) — many simulated nights of the real job.

A generated district (default 200 schools) on the emulator, one night per day at 02:00 Bangkok on a simulated
calendar from 1 October; each day a share of the schools edit their sheet in the afternoon (`--edit-rate`,
default 5 %: a school updates its profile tab, a content change the job must read, record and judge). Printed:
- each night's run time and requests (the emulator's counters: all requests, and Sheets reads), every
  `--every` nights and the last;
- the ratio of the last night's run time to the first ordinary night's (night 3: night 1 reads every school
  for the first time, night 2 re-reads them once because Khet's own feedback writes moved their modifiedTime).
  Target ≤ 1.3×: a night's cost must not grow with the length of the history;
- the history's size on disk per school-year;
- a deadline day under the daemon's tight schedule: 24 hourly runs on a due date while 10 % of the schools
  confirm during the day — the requests of that whole day.

    .venv/bin/python benchmarks/bench_year.py [--schools 200] [--nights 250] [--edit-rate 0.05] [--every 25]
"""

from __future__ import annotations

import datetime as dt
import random
import time

from common import emulated, parser, run_night

from addin.status import TIMEZONE
from addin.thaidate import format_thai_date
from sync.demo import FY, YEAR_START, _write_school, generate_district, setup_district
from sync.history import History


def main() -> None:
    ap = parser(__doc__, "bench_year")
    ap.add_argument("--schools", type=int, default=200)
    ap.add_argument("--nights", type=int, default=250)
    ap.add_argument("--edit-rate", type=float, default=0.05)
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with emulated() as (tmp, (emu,)):
        t0 = time.perf_counter()
        dd = setup_district(emu, tmp, generate_district(args.schools, 10, seed=args.seed))
        # What every school had typed by the start of the year's reporting (its plan and profile).
        emu.set_file_clock(dt.datetime.combine(YEAR_START, dt.time(10, 0), TIMEZONE))
        dd.type_as_of(dt.date(2026, 5, 10))
        history = History(tmp / "history.sqlite")
        read, write = dd.job_clients()
        print(f"setup: {args.schools} schools provisioned and typed in {time.perf_counter() - t0:.1f} s")

        def night(moment: dt.datetime, trigger: str = "bench"):
            emu.set_file_clock(moment)
            emu.reset_counters()
            rep = run_night(dd, history, tmp / "out", moment.date(), fiscal_year=FY, now=moment, trigger=trigger,
                            clients=(read, write))
            c = emu.counters()
            reads = sum(v for k, v in c["by_kind"].items() if "read" in k)
            return rep, rep.phases["total"], c["total"], reads

        def edit(s, day: dt.date) -> None:
            profile = [list(r) for r in s.grids(dt.date(2026, 5, 10))["school_profile"]]
            profile[0][-1] = format_thai_date(day)  # updated_on: a change of content
            _write_school(dd.clients[s.code], dd.ids[s.code], {"school_profile": profile}, {})

        def edits(day: dt.date, share: float) -> int:
            who = [s for s in dd.schools if rng.random() < share]
            emu.set_file_clock(dt.datetime.combine(day, dt.time(15, 0), TIMEZONE))
            for s in who:
                edit(s, day)
            return len(who)

        first_day = dt.date(2026, 5, 11)
        times, rows = [], []
        for n in range(args.nights):
            day = first_day + dt.timedelta(days=n)
            edited = edits(day - dt.timedelta(days=1), args.edit_rate) if n else 0
            rep, secs, total, reads = night(dt.datetime.combine(day, dt.time(2, 0), TIMEZONE))
            assert rep.exit_code == 0, (rep.message_en, rep.errors)
            times.append(secs)
            rows.append((n + 1, day, edited, rep.counts["schools_read"], secs, total, reads))
            if n == 0 or (n + 1) % args.every == 0 or n == args.nights - 1:
                print(f"night {n + 1:4d} {day}: {edited:3d} schools edited, {rep.counts['schools_read']:3d} read,"
                      f" {secs:6.2f} s, {total:4d} requests ({reads} Sheets reads)")
        size = (tmp / "history.sqlite").stat().st_size + sum(
            p.stat().st_size for p in tmp.glob("history.sqlite-*"))
        ordinary = times[2:]
        if ordinary:
            print(f"\nrun time, last night / first ordinary night (night 3): {times[-1]:.2f} / {ordinary[0]:.2f} s ="
                  f" {times[-1] / ordinary[0]:.2f}×  (target ≤ 1.3×)")
        if len(ordinary) >= 10:
            head, tail = ordinary[:5], ordinary[-5:]
            print(f"mean of 5 nights, last / first ordinary: {sum(tail) / 5:.2f} / {sum(head) / 5:.2f} s ="
                  f" {sum(tail) / sum(head):.2f}×")
        per_night = [r[5] for r in rows[2:]]
        if per_night:
            print(f"requests per ordinary night: mean {sum(per_night) / len(per_night):.1f}, max {max(per_night)}")
        print(f"history: {size / 1e6:.1f} MB after {args.nights} nights = {size / args.schools / 1024:.1f} KiB"
              f" per school-year")

        # A deadline day under the tight schedule: hourly runs; 10 % of the schools confirm during the day.
        due = first_day + dt.timedelta(days=args.nights)
        total_day, runs = 0, 0
        for hour in range(24):
            moment = dt.datetime.combine(due, dt.time(hour, 0), TIMEZONE)
            if 8 <= hour <= 20:
                edits_at = moment - dt.timedelta(minutes=30)
                emu.set_file_clock(edits_at)
                for s in dd.schools:
                    if rng.random() < 0.1 / 13:
                        edit(s, due)
            _, _, total, _ = night(moment, "deadline")
            total_day += total
            runs += 1
        print(f"deadline day, {runs} hourly runs for {args.schools} schools: {total_day} requests"
              f" ({total_day / runs:.1f} per run)")
        history.close()


if __name__ == "__main__":
    main()
