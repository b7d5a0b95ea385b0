"""No school content can stop the run: every text passes one output-safety step before the .xlsx, the district
sheet, feedback or the staff workbook, and each replaced character is a finding at the school's cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from addin.cells import CELL_LIMIT, REPLACEMENT, safe_text
from addin.validate import validate_table
from sync.demo import FY, NIGHT_1, generate_district, setup_district
from sync.emulator import Emulator
from sync.google_template import input_sheets
from sync.history import History
from sync.job import JobSettings, run_once
from workbook.sheets import SHEETS

INPUT = input_sheets()


def test_safe_text_replaces_what_outputs_refuse():
    assert safe_text("งบ\x01ผิด") == f"งบ{REPLACEMENT}ผิด"
    assert safe_text("a\tb\nc\rd") == "a\tb\nc\rd"  # ordinary text in a cell
    assert safe_text("\x85\x9f\x7f\ud800\uffff") == REPLACEMENT * 5
    long = safe_text("ก" * 40_000)
    assert len(long) == CELL_LIMIT and long.endswith("cut to 32,767 characters]")


def test_validation_reports_the_cell_and_keeps_the_row():
    sheet = SHEETS["action_plan"]
    grid = [[c.header_th for c in sheet.columns], sheet.keys()]
    row = [""] * len(sheet.columns)
    j = sheet.keys().index("budget_source")
    row[sheet.keys().index("project_name")] = "โครงการ\x0bอ่าน"
    row[j] = "งบ\x01ผิด"
    res = validate_table(sheet, grid + [row], first_row=1)
    unsafe = [f for f in res.findings if f.code == "text.unsafe_character"]
    assert {f.cell for f in unsafe} == {f"{get_column_letter(j + 1)}3", f"{get_column_letter(sheet.keys().index('project_name') + 1)}3"}
    f = next(f for f in unsafe if f.column == "แหล่งงบประมาณ")
    assert f.raw == f"งบ{REPLACEMENT}ผิด" and "U+0001" in f.message_th and "U+0001" in f.message_en
    # The row is accounted for (clean or rejected), and nothing downstream holds the control character.
    assert len(res.rows) + len(res.rejected) == 1
    for frame in (res.rows, res.rejected):
        for v in frame.to_numpy().ravel():
            assert not (isinstance(v, str) and ("\x01" in v or "\x0b" in v))


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("safety")
    with Emulator(user_quota=10**6, project_quota=10**6, seed=9) as emu:
        dd = setup_district(emu, tmp, generate_district(2, 1, seed=9), seed=9)
        dd.type_as_of(NIGHT_1)
        yield dd


def _put(dd, code: str, sheet, row: int, col: int, value: str) -> None:
    """The school types `value` into one cell; into its protected header rows only the owner (the district
    account) can, as a school that removed the protection would."""
    rng = f"'{sheet.title_th}'!{get_column_letter(col + 1)}{row}"
    client = dd.clients[code] if row >= sheet.first_data_row else dd.job_clients()[1]
    client.http_client.values_update(dd.ids[code], rng, params={"valueInputOption": "RAW"},
                                     body={"values": [[value]]})


def _night(dd, history: History, out: Path):
    read, write = dd.job_clients(tries=2, timeout=20)
    return run_once(JobSettings(history=history, registry=dd.registry, read_client=read, write_client=write,
                                district_spreadsheet_id=dd.district_id, report_dir=out, fiscal_year=FY,
                                today=NIGHT_1, trigger="test"))


def _outputs_hold(dd, rep, n_schools: int) -> None:
    from python_calamine import CalamineWorkbook

    assert rep.exit_code in (0, 1), (rep.message_en, rep.errors)
    assert all(w["ok"] for w in rep.writers.values()), rep.writers
    assert set(rep.writers) == {"xlsx", "district_sheet", "protection", "feedback"}
    assert rep.outputs["feedback_written"] + rep.outputs.get("feedback_unchanged", 0) >= n_schools
    wb = openpyxl.load_workbook(rep.outputs["xlsx"])
    cal = CalamineWorkbook.from_path(rep.outputs["xlsx"])
    assert cal.sheet_names == wb.sheetnames
    for name in cal.sheet_names:
        cal.get_sheet_by_name(name).to_python()


def test_a_control_character_in_a_choice_cell_no_longer_stops_the_district(district, tmp_path):
    """Why #1: `งบ\\x01ผิด` in one choice cell made write_xlsx raise IllegalCharacterError: no summary, no
    district sheet, no feedback for anyone, every night, and the error named neither school nor cell."""
    dd = district
    code = dd.schools[0].code
    sheet = SHEETS["action_plan"]
    j = sheet.keys().index("budget_source")
    _put(dd, code, sheet, 3, j, "งบ\x01ผิด")
    _put(dd, code, sheet, 4, j, "อีโมจิ\ud83dหัก")  # half an emoji: a lone surrogate
    with History(tmp_path / "h.sqlite") as h:
        rep = _night(dd, h, tmp_path / "out")
        _outputs_hold(dd, rep, len(dd.schools))
        found = rep.summary.findings
        hit = found[(found["school_code"] == code) & (found["code"] == "text.unsafe_character")]
        assert list(hit["cell"]) == [f"{get_column_letter(j + 1)}3", f"{get_column_letter(j + 1)}4"]
        assert set(hit["sheet"]) == {sheet.title_th} and "U+D83D" in hit["message_en"].iloc[1]
    # The school sees it in its own feedback tab, at its cell.
    fb = dd.clients[code].http_client.values_get(dd.ids[code], f"'{SHEETS['feedback'].title_th}'!A3:H")["values"]
    assert any(f"เซลล์ {get_column_letter(j + 1)}3" in r[5] and "U+0001" in r[6] for r in fb if len(r) > 6)


TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.text(st.sampled_from("\x00\x01\x08\x0b\x0c\x1f\x7f\x85\x9f\ud800\udfff\ufffe\uffffงบ=+-@ \t\n"), max_size=20),
    st.builds(lambda n: "ก" * n, st.integers(32_000, 33_000)),
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(school=st.integers(0, 1), tab=st.integers(0, len(INPUT) - 1), row=st.integers(1, 12),
       col=st.integers(0, 21), text=TEXT)
def test_any_text_in_any_cell_never_stops_the_run(district, tmp_path_factory, school, tab, row, col, text):
    dd = district
    tmp = tmp_path_factory.mktemp("prop")
    sheet = INPUT[tab]
    if sheet.key == "school_profile":  # a one-record tab: its grid has three rows
        row = min(row, 3)
    _put(dd, dd.schools[school].code, sheet, row, col, text)
    with History(tmp / "h.sqlite") as h:
        rep = _night(dd, h, tmp / "out")
        _outputs_hold(dd, rep, len(dd.schools))
