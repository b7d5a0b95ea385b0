"""`khet schools update`: a settings change reaches every live school sheet — new KPI rows, new dropdown lists,
the template version — idempotent, resumable, counted in requests, and never changing a cell a school typed
(property test over random typed content)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.emulator import Emulator
from sync.gclient import SCOPES_PROVISION, connect
from sync.google_template import ensure_template
from sync.provision import provision
from sync.registry import School, load_registry, write_csv_registry
from sync.update import plan_school, template_version, update_schools
from workbook import settings as W
from workbook.settings import DistrictSettings
from workbook.sheets import ACTION_PLAN, KPI, SCHOOL_SHEETS

FY = 2569
HIGHER = "มากกว่าหรือเท่ากับดีกว่า"


def with_kpis(*codes: str, strategies=("ยกระดับคุณภาพผู้เรียน",)) -> DistrictSettings:
    d = DistrictSettings.default()
    return d.model_copy(update={
        "strategies": tuple(W.Strategy(code=f"S{i}", name=n) for i, n in enumerate(strategies, 1)),
        "kpis": tuple(W.Kpi(code=c, name=f"ตัวชี้วัด {c}", unit="ร้อยละ", direction=HIGHER, target=80,
                            by_size={"ขนาดเล็ก": 70}) for c in codes)})


# --- the plan: a pure function, checked over random typed content ---------------------------------------------

typed_value = st.one_of(st.none(), st.just(""), st.text(max_size=8), st.integers(-5, 500),
                        st.sampled_from(["6 เดือน", "12 เดือน", "K1", "K2", "K3", "=HYPERLINK(1)"]))


def grid_for(sheet, rows: list[list]) -> list[list]:
    return [sheet.headers_th(), sheet.keys(), *rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kpi_rows=st.lists(st.lists(typed_value, max_size=12), max_size=8),
       plan_rows=st.lists(st.lists(typed_value, max_size=24), max_size=5),
       codes=st.lists(st.sampled_from(["K1", "K2", "K3", "K4"]), min_size=1, max_size=4, unique=True),
       drop=st.sets(st.sampled_from(ACTION_PLAN.keys()), max_size=2))
def test_an_update_never_plans_a_write_into_a_typed_cell(kpi_rows, plan_rows, codes, drop):
    plan_grid = grid_for(ACTION_PLAN, plan_rows)
    # A sheet from an older template: some columns missing from the key row (their headers too).
    plan_grid[0] = [h if k not in drop else None for h, k in zip(plan_grid[0], plan_grid[1], strict=True)]
    plan_grid[1] = [k if k not in drop else None for k in plan_grid[1]]
    grids = {KPI.key: grid_for(KPI, kpi_rows), ACTION_PLAN.key: plan_grid}
    school = School("1048000001", "ก", "a@x.th", size="ขนาดเล็ก")
    plan = plan_school(grids, with_kpis(*codes), school)
    for c in plan.cells:
        grid = grids[c.sheet]
        typed = grid[c.row - 1][c.col - 1] if c.row - 1 < len(grid) and c.col - 1 < len(grid[c.row - 1]) else None
        assert typed is None or (isinstance(typed, str) and not typed.strip()), (c, typed)
    assert len({(c.sheet, c.row, c.col) for c in plan.cells}) == len(plan.cells)
    # Every district KPI and round is there afterwards, once.
    after = [list(r) for r in grids[KPI.key]]
    for c in plan.cells:
        if c.sheet == KPI.key:
            while len(after) < c.row:
                after.append([])
            after[c.row - 1] += [None] * (c.col - len(after[c.row - 1]))
            after[c.row - 1][c.col - 1] = c.value
    pairs = [(str(r[0]).strip(), str(r[1]).strip()) for r in after[2:] if len(r) > 1 and r[0] not in (None, "")
             and r[1] not in (None, "") and str(r[0]).strip() and str(r[1]).strip()]
    for rnd in ("6 เดือน", "12 เดือน"):
        for code in codes:
            assert (rnd, code) in pairs
    # The missing columns get their header and key right of everything used.
    used = max(len(r) for r in plan_grid)
    added = sorted(c.col for c in plan.cells if c.sheet == ACTION_PLAN.key and c.row == 2)
    assert added == list(range(used + 1, used + 1 + len(drop)))


def test_the_version_follows_what_a_sheet_holds():
    base = template_version(DistrictSettings.default())
    assert base == template_version(DistrictSettings.default())
    assert template_version(with_kpis("K1")) != base
    assert template_version(with_kpis("K1")) != template_version(with_kpis("K1", strategies=("อื่น",)))
    # A per-school target is not part of it: it changes no cell of a sheet once written.
    d = with_kpis("K1")
    t = d.model_copy(update={"kpis": (d.kpis[0].model_copy(update={"target": 95}),)})
    assert template_version(t) == template_version(d)


def test_an_update_fills_a_profiles_empty_fiscal_year_only():
    """Sheets provisioned before the profile's fiscal year was pre-filled get it (the row the district typed is
    there); a typed year and an empty profile are left alone."""
    from workbook.sheets import get_sheet

    profile = get_sheet("school_profile")
    col = profile.keys().index("fiscal_year")
    school = School("1048000001", "โรงเรียน 1", "s1@x.th", network="n")
    settings_fy = with_kpis().for_year(FY)
    row = ["1048000001", "โรงเรียน 1", "n"]
    plan = plan_school({profile.key: grid_for(profile, [row])}, settings_fy, school)
    assert [(c.sheet, c.row, c.col, c.value) for c in plan.cells] == [(profile.key, 3, col + 1, FY)]
    typed = row + [""] * (col - len(row)) + [2570]
    assert plan_school({profile.key: grid_for(profile, [typed])}, settings_fy, school).cells == []
    assert plan_school({profile.key: grid_for(profile, [])}, settings_fy, school).cells == []
    assert plan_school({profile.key: grid_for(profile, [row])}, with_kpis(), school).cells == []  # no year set


# --- against the emulator -------------------------------------------------------------------------------------

def test_a_mid_year_change_reaches_every_sheet_without_touching_typed_cells(tmp_path):
    with Emulator() as emu:
        admin = connect(emu.service_account(path=tmp_path / "key.json"), SCOPES_PROVISION, endpoint=emu.url)
        template_id, _ = ensure_template(admin, None)
        reg_path = write_csv_registry(tmp_path / "reg.csv", [
            School(f"104800000{i}", f"โรงเรียน {i}", f"s{i}@x.th", network="n", size="ขนาดเล็ก") for i in (1, 2, 3)])
        start = with_kpis("K1")
        provision(admin, load_registry(reg_path), template_id=template_id, folder_id=None, settings=start)
        registry = load_registry(reg_path)
        s1 = registry.active()[0]
        ws = admin.open_by_key(s1.spreadsheet_id).worksheet(KPI.title_th)
        # The school typed its result for K1 (6 months) and a row of its own below.
        ws.update([[91, 4, "https://drive.google.com/x"]], "G3:I3", raw=True)
        ws.update([["6 เดือน", "OWN", "ตัวชี้วัดของโรงเรียนเอง"]], "A7:C7", raw=True)
        before = ws.get("A1:J20", value_render_option="UNFORMATTED_VALUE")

        # Mid-year: a new KPI and a renamed strategy.
        later = with_kpis("K1", "K2", strategies=("ยกระดับคุณภาพผู้เรียน", "โรงเรียนคุณธรรม"))
        emu.reset_counters()
        dry = update_schools(admin, registry, later, dry_run=True)
        assert [o.status for o in dry] == ["would_update"] * 3
        by = emu.counters()["by_endpoint"]
        assert set(by) <= {"GET sheets.spreadsheets.get", "GET sheets.values.batchGet", "GET drive.files.list"}
        assert any("K2" in n for n in dry[0].notes_en)

        emu.reset_counters()
        done = update_schools(admin, registry, later)
        assert [o.status for o in done] == ["updated"] * 3
        by = emu.counters()["by_endpoint"]
        # Per school: metadata, one read, one values write, one batchUpdate.
        assert by.get("POST sheets.values.batchUpdate") == 3 and by.get("POST sheets.spreadsheets.batchUpdate") == 3
        assert sum(o.requests for o in done) == 12
        after = ws.get("A1:J20", value_render_option="UNFORMATTED_VALUE")
        for r, row in enumerate(before):
            for c, v in enumerate(row):
                if v not in ("", None):
                    assert after[r][c] == v, (r, c)
        new_rows = [row[:6] for row in after[7:]]
        assert new_rows == [["6 เดือน", "K2", "ตัวชี้วัด K2", "ร้อยละ", HIGHER, 70],
                            ["12 เดือน", "K2", "ตัวชี้วัด K2", "ร้อยละ", HIGHER, 70]]
        # The strategy dropdown offers the new name.
        meta = admin.http_client.fetch_sheet_metadata(s1.spreadsheet_id, params={
            "ranges": f"'{ACTION_PLAN.title_th}'!{ACTION_PLAN.letter('district_strategy')}3",
            "includeGridData": "true"})
        rule = meta["sheets"][0]["data"][0]["rowData"][0]["values"][0]["dataValidation"]
        assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == ["ยกระดับคุณภาพผู้เรียน",
                                                                                  "โรงเรียนคุณธรรม"]

        # Idempotent: a second run only reads each sheet's metadata.
        emu.reset_counters()
        again = update_schools(admin, registry, later)
        assert [o.status for o in again] == ["current"] * 3
        assert emu.counters()["by_endpoint"] == {"GET sheets.spreadsheets.get": 3, "GET drive.files.list": 1} or \
            set(emu.counters()["by_endpoint"]) <= {"GET sheets.spreadsheets.get", "GET drive.files.list"}
        assert sum(o.requests for o in again) == 3
        assert len(ws.get("A1:J20")) == len(after)
    assert date  # (dates are not part of an update)


def test_a_sheet_missing_a_tab_is_reported_and_the_others_go_on(tmp_path):
    with Emulator() as emu:
        admin = connect(emu.service_account(path=tmp_path / "key.json"), SCOPES_PROVISION, endpoint=emu.url)
        template_id, _ = ensure_template(admin, None)
        reg_path = write_csv_registry(tmp_path / "reg.csv", [
            School(f"104800000{i}", f"โรงเรียน {i}", f"s{i}@x.th", network="n") for i in (1, 2)])
        provision(admin, load_registry(reg_path), template_id=template_id, folder_id=None)
        registry = load_registry(reg_path)
        book = admin.open_by_key(registry.active()[0].spreadsheet_id)
        book.del_worksheet(book.worksheet(SCHOOL_SHEETS[-1].title_th))  # the feedback tab, where the version lives
        out = update_schools(admin, registry, with_kpis("K1"))
        assert [o.status for o in out] == ["failed", "updated"]
