"""Benchmark: the nightly read of 1,000 schools on the emulator, against the naive gspread loop (issue 5).

Three nights on the same data: a full first read, a night where 50 schools changed, a night where none changed.
Counted by the emulator's request counters. The emulator enforces Google's quota (60 reads per minute per user,
300 per project) with 150 ms latency on every request; the "minute" is scaled (`--minute-seconds`, default 6 s,
so a 1,000-school night takes ~100 s instead of ~17 min — every ratio is the same as on a real minute).

Baseline, in the same process and on the same spreadsheets: the common gspread loop —
`open_by_key(id)` → `worksheet(title)` → `get_all_records()` for each tab of each school, every night (it has no
way to know what changed). It runs with the quota lifted (it would take hours under it) and its time under the
quota is computed from its request count.

Targets: ≤ 1.05 Sheets reads per changed school; ≤ 2 requests for a night with no change; ≥ 10× fewer requests
than the naive loop over the three nights; the full read within 10 % of the time the quota allows.

    .venv/bin/python benchmarks/bench_read.py [--schools 1000] [--changed 50] [--minute-seconds 6] [--workers 4]

Setup shortcut (not measured): school spreadsheets are copied from a lean template (tabs and header rows
without the 500-row formats of `khet schools template`), because the emulator copies formatted cells one by
one; the reader neither knows nor cares.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import parser

from sync.emulator import Emulator
from sync.gclient import SCOPES_PROVISION, SCOPES_READ, connect, drive_url
from sync.google_template import grid_size, input_sheets
from sync.http import Pacing, RetryPolicy, paced_client
from sync.reader import MemoryReadState, read_all
from sync.registry import Registry, School
from workbook.schema import DIRECTIONS
from workbook.sheets import SCHOOL_SHEETS

FOLDER_MIME = "application/vnd.google-apps.folder"


def sample_rows(sheet, school_no: int, version: int) -> list[list]:
    """A few plausible rows per tab (values only need to be typical, not valid)."""
    n = {"school_profile": 1, "submission": 1, "requests": 2, "kpi": 4}.get(sheet.key, 6)
    rows = []
    for r in range(n):
        values = {"project_code": f"P{r + 1:02d}", "project_name": f"โครงการที่ {r + 1} ฉบับ {version}",
                  "school_code": f"10200{school_no:05d}", "school_name": f"โรงเรียนบ้าน {school_no}",
                  "budget_total": 10000 * (r + 1), "budget_operating": 10000 * (r + 1), "target": 80,
                  "result": 75 + r, "direction": DIRECTIONS[0], "quarter": str(r % 4 + 1), "spent": 5000 * r,
                  "progress_pct": 25 * (r % 4 + 1), "status": "กำลังดำเนินการ", "round": "6 เดือน",
                  "indicator_code": f"K{r + 1}", "indicator": "ร้อยละนักเรียนอ่านออกเขียนได้", "quality_level": 4,
                  "request_no": f"R{r + 1}", "amount": 1500.5 * (r + 1), "fiscal_year": 2569}
        rows.append([values.get(k, f"ข้อมูล {k} {version}" if k.endswith(("name", "responsible")) else "")
                     for k in sheet.keys()])
    return rows


def build_district(emu: Emulator, key: Path, n: int) -> tuple[str, Registry]:
    gc = connect(key, SCOPES_PROVISION, endpoint=emu.url)
    http = gc.http_client
    folder = http.request("post", drive_url("files"), json={"name": "เขต", "mimeType": FOLDER_MIME}).json()["id"]
    lean = http.request("post", drive_url("files"), json={
        "name": "lean template", "mimeType": "application/vnd.google-apps.spreadsheet"}).json()["id"]
    first = http.fetch_sheet_metadata(lean)["sheets"][0]["properties"]["sheetId"]
    http.batch_update(lean, {"requests": [{"addSheet": {"properties": {"title": s.title_th, "gridProperties": dict(
        zip(("rowCount", "columnCount"), grid_size(s), strict=True))}}} for s in SCHOOL_SHEETS]
        + [{"deleteSheet": {"sheetId": first}}]})
    http.values_batch_update(lean, body={"valueInputOption": "RAW", "data": [
        {"range": f"'{s.title_th}'!A1", "values": s.grid_header()} for s in SCHOOL_SHEETS]})

    def make(i: int) -> School:
        s = School(f"10200{i:05d}", f"โรงเรียนบ้าน {i}", f"school{i}@obec.example")
        s.spreadsheet_id = http.request("post", drive_url(f"files/{lean}/copy"), json={
            "name": s.file_name, "parents": [folder]}).json()["id"]
        write_version(gc, s.spreadsheet_id, i, 1)
        return s

    with ThreadPoolExecutor(8) as pool:
        schools = list(pool.map(make, range(1, n + 1)))
    return folder, Registry(schools)


def write_version(gc, sid: str, school_no: int, version: int) -> None:
    gc.http_client.values_batch_update(sid, body={"valueInputOption": "RAW", "data": [
        {"range": f"'{s.title_th}'!A3", "values": sample_rows(s, school_no, version)} for s in input_sheets()]})


def sheets_reads(c: dict) -> int:
    return sum(v for k, v in c["by_endpoint"].items() if " sheets." in k and k.startswith("GET "))


def naive_night(gc, registry: Registry) -> None:
    for s in registry.schools:
        sh = gc.open_by_key(s.spreadsheet_id)
        for sheet in input_sheets():
            sh.worksheet(sheet.title_th).get_all_records()


def main() -> int:
    ap = parser(__doc__, "bench_read")
    ap.add_argument("--schools", type=int, default=1000)
    ap.add_argument("--changed", type=int, default=50)
    ap.add_argument("--minute-seconds", type=float, default=6.0)
    ap.add_argument("--latency", type=float, default=0.15)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--naive-nights", type=int, default=3)
    args = ap.parse_args()
    m = args.minute_seconds

    with tempfile.TemporaryDirectory() as tmp, Emulator(seed=1, minute_seconds=m, key_dir=tmp) as emu:
        key = emu.service_account()
        emu.configure(user_quota=10**9, project_quota=10**9)  # setup is not measured
        t0 = time.perf_counter()
        folder, registry = build_district(emu, key, args.schools)
        print(f"setup: {args.schools} schools × {len(input_sheets())} tabs in {time.perf_counter() - t0:.1f} s")

        reader = connect(key, SCOPES_READ, endpoint=emu.url, http_client=paced_client(
            Pacing(60, 60, minute_seconds=m), RetryPolicy(5, 0.5 * m / 60, 8 * m / 60, 30), seed=1))
        state = MemoryReadState()
        emu.configure(user_quota=60, project_quota=300, latency=args.latency)
        emu.advance(m)  # start on a fresh quota window

        def night(label: str, expected_reads: int) -> dict:
            emu.reset_counters()
            t = time.perf_counter()
            result = read_all(reader, registry, state, folder_id=folder, workers=args.workers)
            elapsed = time.perf_counter() - t
            state.commit(result)
            c = emu.counters()
            reads = sheets_reads(c)
            per = reads / expected_reads if expected_reads else 0.0
            print(f"{label}: {result.counts()} requests total {c['total']} (Sheets reads {reads}, "
                  f"Drive lists {c['by_endpoint'].get('GET drive.files.list', 0)}, token "
                  f"{c['by_endpoint'].get('POST oauth2.token', 0)}), 429s {c['rate_limited']}, "
                  f"reads per changed school {per:.3f}, {elapsed:.1f} s")
            return {"total": c["total"], "reads": reads, "elapsed": elapsed, "limited": c["rate_limited"]}

        n1 = night("night 1 (first full read)", args.schools)
        emu.configure(user_quota=10**9, project_quota=10**9, latency=0)
        writer = connect(key, SCOPES_PROVISION, endpoint=emu.url)
        for s in registry.schools[:: max(1, args.schools // args.changed)][: args.changed]:
            write_version(writer, s.spreadsheet_id, int(s.code[-5:]), 2)
        emu.configure(user_quota=60, project_quota=300, latency=args.latency)
        emu.advance(m)
        n2 = night(f"night 2 ({args.changed} changed)", args.changed)
        n3 = night("night 3 (no change)", 0)

        emu.configure(user_quota=10**9, project_quota=10**9, latency=0)
        naive = connect(key, SCOPES_READ, endpoint=emu.url)
        emu.reset_counters()
        t = time.perf_counter()
        for _ in range(args.naive_nights):
            naive_night(naive, registry)
        naive_elapsed = time.perf_counter() - t
        c = emu.counters()
        naive_total = c["total"] * 3 // args.naive_nights
        per_school = sheets_reads(c) / args.naive_nights / args.schools
        print(f"naive gspread loop: {naive_total} requests over 3 nights ({per_school:.1f} Sheets reads per school "
              f"per night), {naive_elapsed:.1f} s with the quota lifted; under 60 reads/min it would need "
              f"{naive_total / 60:.0f} quota minutes")

        ours = n1["total"] + n2["total"] + n3["total"]
        allowed = args.schools / 60 * m
        print("--- figures ---")
        print(f"Sheets reads per changed school: night 1 {n1['reads'] / args.schools:.3f}, "
              f"night 2 {n2['reads'] / args.changed:.3f}  (target ≤ 1.05)")
        print(f"requests on the no-change night: {n3['total']}  (target ≤ 2)")
        print(f"requests over three nights: Khet {ours} vs naive {naive_total} = {naive_total / ours:.1f}× fewer "
              f"(target ≥ 10×)")
        print(f"full read: {n1['elapsed']:.1f} s vs {allowed:.1f} s the quota allows ({args.schools} reads at 60 per "
              f"{m:g}-second minute) = {n1['elapsed'] / allowed:.3f}  (target ≤ 1.10); 429s served: "
              f"{n1['limited'] + n2['limited'] + n3['limited']}")
        print(f"real-minute equivalent: {n1['elapsed'] / m:.1f} min for {args.schools} schools "
              f"(naive: {naive_total / 3 / 60:.0f} min per night)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
