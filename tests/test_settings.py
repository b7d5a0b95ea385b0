"""District settings: the default file is today's behaviour, settings round-trip (sheet → models → template →
school sheet → validation), every bad setting is a finding at its cell, and the job refuses settings with errors."""

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from addin.settings import expected_reports, grace_days, load_settings, report_dues
from addin.timing import work_calendar
from addin.validation import validate_table
from sync.aggregate import report_dues as default_dues
from sync.cli import main as khet
from sync.registry import School
from workbook import settings as W
from workbook.settings import DistrictSettings
from workbook.sheets import SCHOOL_SHEETS, STAFF_SHEETS
from workbook.templates import build_school_template, save_settings_file, save_staff_workbook

FY = 2569


def district() -> DistrictSettings:
    """A district that is not the default: its own strategies and policies, networks, an e-MES window, KPIs with
    targets by size and per school, a report for two networks only, and its own captions."""
    d = DistrictSettings.default()
    return d.model_copy(update={
        "identity": W.Identity(name="สำนักงานเขตพื้นที่การศึกษาประถมศึกษานครพนม เขต 1", code="4801",
                               office_type="สพป.", province="นครพนม", grace_days=2, soon_days=5),
        "networks": (W.Named(code="N1", name="เครือข่ายริมโขง"), W.Named(code="N2", name="เครือข่ายพระธาตุ"),
                     W.Named(code="N3", name="เครือข่ายศรีโคตรบูรณ์")),
        "strategies": (W.Strategy(code="ST1", name="ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"),
                       W.Strategy(code="ST2", name="โรงเรียนปลอดภัย ผู้เรียนมีความสุข",
                                  national_strategy="ยุทธศาสตร์ชาติด้านความมั่นคง",
                                  master_plan="แผนแม่บทภายใต้ยุทธศาสตร์ชาติ ประเด็น (1) ความมั่นคง")),
        "policies": (W.Named(code="P1", name="ด้านความปลอดภัย", fiscal_year=FY),
                     W.Named(code="P2", name="ด้านโอกาสและความเสมอภาค", fiscal_year=FY),
                     W.Named(code="P9", name="ด้านเก่า", fiscal_year=2568)),
        "windows": (W.Window(code="emes_6m", system="e-MES", round="รอบ 6 เดือน", opens_on=date(2026, 3, 16),
                             closes_on=date(2026, 4, 10), internal_due="ก่อนระบบปิดอย่างน้อย ๓ วัน", fiscal_year=FY),),
        "reports": d.reports[:5] + (
            W.ReportSetting(key="kpi_6m", title_th="ประเมินตนเอง KPI รอบ 6 เดือน", sheet="kpi",
                            row_filter=("round", "6 เดือน"), window="emes_6m"),
            W.ReportSetting(key="reading", title_th="รายงานการอ่านออกเขียนได้", sheet="progress",
                            due="ภายใน 15 วันหลังสิ้นภาคเรียน", occurrence=2, grace_days=0,
                            applies_to="network", applies_values=("เครือข่ายริมโขง", "เครือข่ายพระธาตุ"))),
        "kpis": (W.Kpi(code="K01", name="ร้อยละนักเรียนอ่านออกเขียนได้", unit="ร้อยละ",
                       direction="มากกว่าหรือเท่ากับดีกว่า", by_size={"ขนาดเล็ก": 80, "ขนาดกลาง": 85}, target=90),
                 W.Kpi(code="K02", name="อัตราการออกกลางคัน", unit="ร้อยละ", direction="น้อยกว่าหรือเท่ากับดีกว่า",
                       target=1, per_school={"1048000001": 0.5})),
        "captions": (W.Caption(sheet="action_plan", column="project_name", caption="ชื่อโครงการ/กิจกรรม"),),
    })


def test_the_default_settings_file_is_todays_behaviour(tmp_path):
    path = save_settings_file(tmp_path / "settings.xlsx")
    settings, findings = load_settings(path)
    assert findings == []
    assert settings == DistrictSettings.default()
    assert report_dues(settings, FY) == default_dues(FY)
    staff = save_staff_workbook(tmp_path / "staff.xlsx")  # the staff workbook carries the same tabs
    assert load_settings(staff) == (settings, [])
    # The school template's dropdowns and the docs' sheets are the shipped ones.
    assert all(settings.sheet(s) is s for s in SCHOOL_SHEETS + STAFF_SHEETS)


def test_round_trip_sheet_models_template_school_sheet_validation(tmp_path):
    ours = district()
    path = save_staff_workbook(tmp_path / "staff.xlsx", ours)
    settings, findings = load_settings(path)
    assert findings == []
    assert settings == ours
    assert settings.for_year(FY).policies == ours.policies[:2]  # 2568's policy is not offered in 2569
    # The school template offers the district's strategies.
    year = settings.for_year(FY)
    template = build_school_template(year)
    lists = template["_lists"]
    offered = {c.value for row in lists.iter_rows() for c in row if c.value}
    assert {"ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล", "ด้านโอกาสและความเสมอภาค"} <= offered
    assert "กลยุทธ์ที่ 1" not in offered and "ด้านเก่า" not in offered
    # A school sheet typed with the district's caption and strategy validates; the old name does not.
    plan = year.sheet("action_plan")
    header = [("ชื่อโครงการ/กิจกรรม" if c.key == "project_name" else c.header_th) for c in plan.columns]
    row = {"project_code": "P01", "project_name": "ห้องสมุดมีชีวิต", "obec_policy": "ด้านความปลอดภัย",
           "district_strategy": "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล", "budget_source": "เงินอุดหนุนรายหัว",
           "budget_operating": 1000, "budget_total": 1000, "responsible": "ครูสมศรี", "start_date": "1 พ.ย. 68",
           "end_date": "30 ก.ย. 69", "indicator": "ร้อยละผู้อ่าน", "unit": "ร้อยละ",
           "direction": "มากกว่าหรือเท่ากับดีกว่า", "target": 80}
    good = [row.get(c.key) for c in plan.columns]
    old = [{"district_strategy": "กลยุทธ์ที่ 1", "project_code": "P02"}.get(c.key, v)
           for c, v in zip(plan.columns, good, strict=True)]
    result = validate_table(plan, [header, plan.keys(), good, old])
    assert list(result.rows["district_strategy"]) == ["ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"]
    bad = [f for f in result.findings if f.severity == "error"]
    assert [(f.cell, f.code) for f in bad] == [(f"{plan.letter('district_strategy')}4", "choice.invalid")]
    assert not any(f.code.startswith("header.") for f in result.findings)


def test_due_dates_grace_and_which_schools_follow_the_settings():
    year = district().for_year(FY)
    dues = report_dues(year, FY)
    assert dues["kpi_6m"] == date(2026, 4, 7)  # three days before e-MES closes on 10 April
    assert dues["reading"] == date(2026, 4, 16)  # 15 days after semester 2/2568 ends (1 April)
    assert grace_days(year)["action_plan"] == 2 and grace_days(year)["reading"] == 0
    schools = [School("1048000001", "ก", "a@x.th", network="เครือข่ายริมโขง"),
               School("1048000002", "ข", "b@x.th", network="เครือข่ายศรีโคตรบูรณ์")]
    expected = expected_reports(year, schools)
    assert ("1048000001", "reading") in expected and ("1048000002", "reading") not in expected
    assert ("1048000002", "kpi_6m") in expected
    cal = work_calendar(FY, date(2026, 1, 5), settings=year)
    row = cal[cal["report_key"] == "kpi_6m"].iloc[0]
    assert row["due_date"] == date(2026, 4, 7) and "e-MES" in row["occurrence"]


def _bad_file(tmp_path):
    """The default settings file with one mistake per kind, typed as staff type (Thai digits, BE dates…)."""
    path = save_staff_workbook(tmp_path / "staff.xlsx", district())
    wb = load_workbook(path)

    def put(title, cell, value):
        wb[title][cell] = value
    reports = wb[W.REPORTS_TAB.title_th]
    col = {c.value: c.column_letter for c in reports[2]}
    put(W.REPORTS_TAB.title_th, f"{col['due']}3", "เมื่อผู้อำนวยการสะดวก")            # unreadable phrase
    put(W.REPORTS_TAB.title_th, f"{col['sheet']}4", "แผนงานโครงการ")                 # unknown tab
    put(W.REPORTS_TAB.title_th, f"{col['window']}8", "emes_12m")                     # unknown window
    put(W.REPORTS_TAB.title_th, f"{col['grace_days']}5", "๓")                        # Thai digits: fine
    kpis = {c.value: c.column_letter for c in wb[W.KPIS.title_th][2]}
    put(W.KPIS.title_th, f"{kpis['direction']}4", None)                               # KPI without direction
    strategies = wb[W.STRATEGIES.title_th]
    put(W.STRATEGIES.title_th, "A4", strategies["A3"].value)                         # duplicate code
    windows = {c.value: c.column_letter for c in wb[W.WINDOWS.title_th][2]}
    put(W.WINDOWS.title_th, f"{windows['closes_on']}3", "10 เม.ย. 2569")              # BE date: fine
    put(W.CAPTIONS.title_th, "B3", "ชื่อกิจกรรมหลัก")                                  # unknown column
    wb.save(path)
    return path, col, kpis


def test_every_bad_setting_is_a_finding_at_its_cell(tmp_path):
    path, col, kpis = _bad_file(tmp_path)
    settings, findings = load_settings(path)
    assert settings is None  # never a half-read configuration
    got = {(f.sheet, f.cell, f.code) for f in findings if f.severity == "error"}
    assert got == {
        (W.REPORTS_TAB.title_th, f"{col['due']}3", "phrase.unreadable"),
        (W.REPORTS_TAB.title_th, f"{col['sheet']}4", "settings.unknown_tab"),
        (W.REPORTS_TAB.title_th, f"{col['window']}8", "settings.unknown_window"),
        (W.KPIS.title_th, f"{kpis['direction']}4", "required.missing"),
        (W.STRATEGIES.title_th, "A4", "rule.duplicate"),
        (W.CAPTIONS.title_th, "B3", "settings.unknown_column"),
    }
    for f in findings:
        assert f.message_th and f.message_en and f.row
    by_code = {f.code: f for f in findings}
    assert by_code["settings.unknown_tab"].message_en == "unknown school tab 'แผนงานโครงการ'"
    assert by_code["settings.unknown_tab"].raw == "แผนงานโครงการ"


def test_a_file_without_settings_tabs_is_an_error_not_the_defaults(tmp_path):
    wb_path = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    Workbook().save(wb_path)
    settings, findings = load_settings(wb_path)
    assert settings is None and [f.code for f in findings] == ["settings.none"]


def test_khet_settings_check_names_the_cells(tmp_path, capsys):
    path, col, _ = _bad_file(tmp_path)
    assert khet(["settings", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{W.REPORTS_TAB.title_th}!{col['due']}3: อ่านกำหนดเวลา 'เมื่อผู้อำนวยการสะดวก' ไม่ได้" in out
    good = save_settings_file(tmp_path / "good.xlsx", district())
    assert khet(["settings", "check", str(good), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["settings"]["identity"]["province"] == "นครพนม"


def test_the_job_refuses_settings_with_errors(tmp_path, capsys, monkeypatch):
    from sync.config import SETTINGS

    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    path, col, _ = _bad_file(tmp_path)
    (tmp_path / "reg.csv").write_text("รหัสโรงเรียน,ชื่อโรงเรียน,อีเมลติดต่อ\n1020080005,บ้านหนองบัว,a@school.example\n",
                                      encoding="utf-8")
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nendpoint = "emulator"\n[paths]\nregistry = "reg.csv"\nsettings = "{path.name}"\n'
                   f'data_dir = "{tmp_path / "d"}"\nhistory_db = "{tmp_path / "d" / "h.sqlite"}"\n', encoding="utf-8")
    assert khet(["sync", "run", "--config", str(cfg), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 2
    assert f"{W.REPORTS_TAB.title_th}!{col['due']}3" in report["message_th"]
    assert "6 errors" in report["message_en"]
    assert not (tmp_path / "d" / "h.sqlite").exists()  # nothing ran


@pytest.mark.parametrize("title", [t.title_th for t in W.SETTINGS_SHEETS])
def test_tab_titles_fit_excel(title):
    assert len(title) <= 31


# --- district KPIs ----------------------------------------------------------------------------------------------

def test_each_school_gets_the_districts_kpis_with_its_own_targets(tmp_path):
    from sync.emulator import Emulator
    from sync.gclient import SCOPES_PROVISION, connect
    from sync.google_template import ensure_template
    from sync.provision import provision
    from sync.registry import load_registry, write_csv_registry
    from workbook.sheets import KPI

    year = district().for_year(FY)
    with Emulator() as emu:
        client = connect(emu.service_account(path=tmp_path / "key.json"), SCOPES_PROVISION, endpoint=emu.url)
        template_id, _ = ensure_template(client, None)
        registry = load_registry(write_csv_registry(tmp_path / "reg.csv", [
            School("1048000001", "ก", "a@x.th", network="เครือข่ายริมโขง", size="ขนาดเล็ก"),
            School("1048000002", "ข", "b@x.th", network="เครือข่ายพระธาตุ", size="ขนาดกลาง")]))
        provision(client, registry, template_id=template_id, folder_id=None, settings=year)
        grids = {s.code: client.open_by_key(s.spreadsheet_id).worksheet(KPI.title_th).get(
            "A3:J20", value_render_option="UNFORMATTED_VALUE") for s in load_registry(tmp_path / "reg.csv").active()}
    cols = KPI.keys()
    grids = {code: [r + [""] * (len(cols) - len(r)) for r in rows] for code, rows in grids.items()}
    got = {code: [(r[cols.index("round")], r[cols.index("indicator_code")], r[cols.index("target")],
                   r[cols.index("result")]) for r in rows] for code, rows in grids.items()}
    # Small school: K01's size target (80), K02's own target (0.5); medium school: 85 and the district's 1.
    assert got["1048000001"] == [("6 เดือน", "K01", 80, ""), ("6 เดือน", "K02", 0.5, ""),
                                 ("12 เดือน", "K01", 80, ""), ("12 เดือน", "K02", 0.5, "")]
    assert [t for *_, t, _ in got["1048000002"]] == [85, 1, 85, 1]


def test_attainment_per_kpi_per_school_network_and_district_against_the_districts_targets():
    import pandas as pd

    from sync import aggregate as agg
    from sync.feedback import feedback_rows

    year = district().for_year(FY)
    schools = [School("1048000001", "ก", "a@x.th", network="เครือข่ายริมโขง", size="ขนาดเล็ก"),
               School("1048000002", "ข", "b@x.th", network="เครือข่ายพระธาตุ", size="ขนาดกลาง"),
               School("1048000003", "ค", "c@x.th", network="เครือข่ายพระธาตุ", size="ขนาดกลาง")]
    targets = {(s.code, k.code): k.target_for(s.code, s.size) for s in schools for k in year.kpis}
    frame = pd.DataFrame({"school_code": [s.code for s in schools],
                          "school_name": [s.name for s in schools], "network": [s.network for s in schools]})
    # School 1 typed a target of 50 for K01 (its own): the district's 80 counts, so 70 does not meet it.
    kpi = pd.DataFrame([
        {"school_code": "1048000001", "round": "6 เดือน", "indicator_code": "K01", "target": 50, "result": 70},
        {"school_code": "1048000001", "round": "6 เดือน", "indicator_code": "K02", "target": 1, "result": 0.4},
        {"school_code": "1048000002", "round": "6 เดือน", "indicator_code": "K01", "target": 85, "result": 90},
        {"school_code": "1048000002", "round": "6 เดือน", "indicator_code": "K02", "target": 1, "result": 2},
    ]).assign(_row=3)
    d = agg.District(schools=frame, tables={"kpi": kpi})
    levels, per_school = agg.district_kpi_attainment(d, year.kpis, targets)
    six = levels[levels["round"] == "6 เดือน"].set_index(["network", "indicator_code"])
    assert six.loc[("ทั้งเขต", "K01"), ["expected", "met", "not_met", "no_data"]].tolist() == [3, 1, 1, 1]
    assert six.loc[("เครือข่ายพระธาตุ", "K02"), ["expected", "met", "not_met", "no_data"]].tolist() == [2, 0, 1, 1]
    assert six.loc[("เครือข่ายริมโขง", "K02"), "pct_met"] == 100.0
    one = per_school[(per_school["school_code"] == "1048000001") & (per_school["round"] == "6 เดือน")]
    assert one[["indicator_code", "target", "result", "status_th"]].values.tolist() == [
        ["K01", 80, 70, "ไม่บรรลุ"], ["K02", 0.5, 0.4, "บรรลุ"]]
    rows = feedback_rows(pd.DataFrame(columns=["school_code"]), pd.DataFrame(), today=date(2026, 5, 1),
                         last_read_at=None, kpis=per_school[per_school["school_code"] == "1048000001"])
    kpi_rows = [r for r in rows if r[1] == "ตัวชี้วัดของเขต"]
    assert kpi_rows[0][2:] == ["รอบ 6 เดือน K01 ร้อยละนักเรียนอ่านออกเขียนได้", "", "ไม่บรรลุ", "",
                               "ผล 70 ร้อยละ เป้าหมายของเขต 80 ร้อยละ", ""]
    assert kpi_rows[2][4] == "ยังไม่มีผล" and "กรอกผลการดำเนินงาน" in kpi_rows[2][7]


def test_the_nightly_job_follows_the_settings(tmp_path):
    import datetime as dt

    from sync.emulator import Emulator
    from sync.gclient import SCOPES_PROVISION, SCOPES_READ, SCOPES_WRITE, connect
    from sync.google_template import ensure_template
    from sync.history import History
    from sync.job import JobSettings, run_locked
    from sync.provision import provision
    from sync.registry import load_registry, write_csv_registry
    from workbook.sheets import ACTION_PLAN, FEEDBACK, KPI, SUBMISSION

    ours = district()
    with Emulator() as emu:
        key = emu.service_account(path=tmp_path / "key.json")
        admin = connect(key, SCOPES_PROVISION, endpoint=emu.url)
        template_id, _ = ensure_template(admin, None)
        reg = write_csv_registry(tmp_path / "reg.csv", [
            School("1048000001", "บ้านหนองบัว", "a@x.th", network="เครือข่ายริมโขง", size="ขนาดเล็ก"),
            School("1048000002", "บ้านโนนสูง", "b@x.th", network="เครือข่ายศรีโคตรบูรณ์", size="ขนาดกลาง")])
        provision(admin, load_registry(reg), template_id=template_id, folder_id=None, settings=ours.for_year(FY))
        registry = load_registry(reg)
        book = admin.open_by_key(registry.active()[0].spreadsheet_id)
        book.worksheet(KPI.title_th).update([[70, 3], [0.4, 4]], "G3:H4", raw=True)  # 6-month results
        plan = {"project_code": "P01", "project_name": "ห้องสมุดมีชีวิต", "obec_policy": "ด้านความปลอดภัย",
                "district_strategy": "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล", "budget_source": "เงินอุดหนุนรายหัว",
                "budget_operating": 1000, "budget_total": 1000, "responsible": "ครูสมศรี", "start_date": "1 พ.ย. 68",
                "end_date": "30 ก.ย. 69", "indicator": "ร้อยละผู้อ่าน", "unit": "ร้อยละ",
                "direction": "มากกว่าหรือเท่ากับดีกว่า", "target": 80}
        book.worksheet(ACTION_PLAN.title_th).update([[plan.get(k, "") for k in ACTION_PLAN.keys()]], "A3", raw=True)
        book.worksheet(SUBMISSION.title_th).update(
            [["แผนปฏิบัติการประจำปี", FY, "ครูสมศรี", "ครู", "20 พ.ค. 2569", "ใช่"]], "A3", raw=True)
        with History(tmp_path / "h.sqlite") as h:
            rep = run_locked(JobSettings(
                history=h, registry=registry, read_client=connect(key, SCOPES_READ, endpoint=emu.url),
                write_client=connect(key, SCOPES_WRITE, endpoint=emu.url), report_dir=tmp_path / "out",
                fiscal_year=FY, today=dt.date(2026, 5, 25), trigger="test", settings=ours),
                lock_path=tmp_path / "lock", json_dir=tmp_path / "runs")
        feedback = book.worksheet(FEEDBACK.title_th).get_all_values()
    assert rep.exit_code == 0
    s = rep.summary
    st = s.status.set_index(["school_code", "report_key"])
    assert st.loc[("1048000001", "kpi_6m"), "due"] == date(2026, 4, 7)  # the e-MES window, 3 days before close
    assert ("1048000002", "reading") not in st.index and ("1048000001", "reading") in st.index
    assert st.loc[("1048000001", "action_plan"), "status"] == "on_time"
    f = s.findings
    assert not len(f[(f["sheet_key"] == "action_plan") & (f["code"] == "choice.invalid")])
    assert not len(f[(f["sheet_key"] == "kpi") & (f["severity"] == "error")])  # pre-filled rows are not errors
    k = s.kpi.set_index(["network", "round", "indicator_code"])
    assert k.loc[("ทั้งเขต", "6 เดือน", "K01"), ["expected", "met", "not_met", "no_data"]].tolist() == [2, 0, 1, 1]
    assert k.loc[("เครือข่ายริมโขง", "6 เดือน", "K02"), "pct_met"] == 100.0
    lines = [r for r in feedback if len(r) > 6 and r[1] == "ตัวชี้วัดของเขต"]
    assert lines[0][2:7] == ["รอบ 6 เดือน K01 ร้อยละนักเรียนอ่านออกเขียนได้", "", "ไม่บรรลุ", "",
                             "ผล 70 ร้อยละ เป้าหมายของเขต 80 ร้อยละ"]
    assert len(lines) == 4
