"""Requests per day of the control channel's poll (sync/control), counted by the emulator.

One simulated working day and one weekend day on the daemon's own schedule ([office] defaults: every 2
minutes 08:00–17:00 on Thai working days, every 30 minutes otherwise, host status at least every 10 minutes,
the staff list hourly), for an office of `--staff` accounts, with `--requests` requests spread over the
working day. Baseline in the same process: a naive poll that reads each requests tab on its own and writes the
host status every time. Google's Sheets quota is per minute (60 reads and 60 writes per user); there is no
daily cap, so the figure to watch is the share of a minute's quota one poll takes.

    .venv/bin/python benchmarks/bench_control_poll.py [--staff 8] [--requests 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from contextlib import ExitStack
from pathlib import Path

from sync.config import Config
from sync.control import channel
from sync.control.host import ControlHost, HostContext, OfficeSchedule
from sync.control.office import submit
from sync.control.store import RequestStore
from sync.emulator import Emulator
from sync.emulator.testing import connect_as
from sync.gclient import AUTH, SCOPES_PROVISION, SCOPES_WRITE, connect, drive_url
from sync.history import History
from workbook.control import HOST_STATUS, requests_title

BANGKOK = dt.timezone(dt.timedelta(hours=7))


def day_times(day: dt.date, schedule: OfficeSchedule) -> list[dt.datetime]:
    t = dt.datetime.combine(day, dt.time(0, 0), BANGKOK)
    end = t + dt.timedelta(days=1)
    out = []
    while t < end:
        out.append(t.astimezone(dt.UTC))
        t += dt.timedelta(seconds=schedule.interval(t))
    return out


def naive_poll(client, sid: str, staff: list[str], now: dt.datetime) -> None:
    for a in staff:
        client.http_client.values_get(sid, channel.requests_range(requests_title(a)))
    client.http_client.values_update(sid, channel.status_range(), params={"valueInputOption": "RAW"},
                                     body={"values": channel.status_cells({"host_seen_at": now.isoformat()})["values"]})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--staff", type=int, default=8)
    ap.add_argument("--requests", type=int, default=20)
    args = ap.parse_args()
    schedule = OfficeSchedule()
    work_day, weekend = dt.date(2026, 12, 8), dt.date(2026, 12, 12)  # a Tuesday and a Saturday
    staff = [f"staff{i:02d}@district.go.th" for i in range(args.staff)]
    with Emulator(user_quota=10**6, project_quota=10**6) as emu, tempfile.TemporaryDirectory() as tmp:
        key = emu.service_account()
        admin = connect(key, SCOPES_PROVISION, endpoint=emu.url)
        sid = admin.create("district").id
        for a in staff:
            admin.http_client.request("post", drive_url(f"files/{sid}/permissions"),
                                      json={"type": "user", "role": "writer", "emailAddress": a})
        host_client = connect(key, SCOPES_WRITE, endpoint=emu.url)
        clients = {a: connect_as(emu, a, (AUTH + "spreadsheets",)) for a in staff[:2]}
        cfg = Config(key_file=key, endpoint=emu.url, district_spreadsheet_id=sid, data_dir=Path(tmp))
        clock = {"now": dt.datetime.now(dt.UTC)}
        with ExitStack() as stack:
            history = History(Path(tmp) / "history.sqlite")
            stack.callback(history.close)
            ctx = HostContext(cfg, RequestStore(history), run_job=lambda *a, **k: None)
            host = ControlHost(ctx, host_client, sid, host_account=emu.DEFAULT_ACCOUNT, schedule=schedule,
                               clock=lambda: clock["now"])
            figures = {}
            for label, day in (("working day", work_day), ("weekend day", weekend)):
                times = day_times(day, schedule)
                asks = set(times[len(times) // 3: len(times) // 3 + args.requests * 3: 3]) if day == work_day else set()
                emu.reset_counters()
                polls = 0
                for t in times:
                    clock["now"] = t
                    if t in asks:  # a staff request arrives (its append is the staff PC's request, not the host's)
                        # a registry row the host refuses (bad code): answered like any request, nothing provisioned
                        who = staff[polls % 2]
                        submit(cfg, "provision", {"schools": [{"school_code": "x"}]}, client=clients[who], account=who)
                    host.poll()
                    polls += 1
                c = emu.counters()
                by = c["by_endpoint"]
                host_reads = by.get("GET sheets.values.batchGet", 0) + by.get("GET sheets.spreadsheets.get", 0)
                host_writes = by.get("POST sheets.values.batchUpdate", 0) + by.get("POST sheets.spreadsheets.batchUpdate", 0)
                figures[label] = (polls, host_reads, host_writes, by.get("GET drive.permissions.list", 0),
                                  by.get("POST sheets.values.append", 0))
                print(f"{label}: {polls} polls — host Sheets reads {host_reads}, writes {host_writes}, "
                      f"Drive permission lists {by.get('GET drive.permissions.list', 0)}; staff appends "
                      f"{by.get('POST sheets.values.append', 0)}; total requests {c['total']}")
            emu.reset_counters()
            for t in day_times(work_day, schedule):
                naive_poll(host_client, sid, staff, t)
            naive = emu.counters()["total"]
        polls, reads, writes, lists, _ = figures["working day"]
        ours = reads + writes + lists
        print(f"naive poll (one read per tab + a status write each time), working day: {naive} requests")
        print(f"Khet: {ours} host requests on a working day = {naive / ours:.1f}x fewer; "
              f"Sheets reads per poll {(reads - 24) / polls:.3f} + 2 requests an hour for the staff list (target: 1 per poll); "
              f"peak per minute: 1 read + at most 1 write of the 60 + 60 Google allows")
        print(f"host status tab: {HOST_STATUS.title_th}")


if __name__ == "__main__":
    main()
