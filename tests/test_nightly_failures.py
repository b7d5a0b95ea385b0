"""The nightly job never fails silently and no single school (or output) stops the district: each failure of
issue 10's "Why", reproduced on the emulator, with what the person on call sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sync.demo import FY, NIGHT_1, generate_district, setup_district
from sync.emulator import Emulator
from sync.history import History
from sync.job import JobSettings, run_once
from sync.runreport import EXIT_FAILED


@pytest.fixture
def district(tmp_path):
    with Emulator(user_quota=10**6, project_quota=10**6, seed=5) as emu:
        dd = setup_district(emu, tmp_path, generate_district(3, 1, seed=5), seed=5)
        dd.type_as_of(NIGHT_1)
        yield dd


def night(dd, history: History, *, day: dt.date = NIGHT_1, **kw) -> object:
    read, write = dd.job_clients(tries=kw.pop("tries", 2), timeout=10)
    fields = dict(history=history, registry=dd.registry, read_client=read, write_client=write,
                  district_spreadsheet_id=dd.district_id, report_dir=Path(history.path).parent / "out",
                  fiscal_year=FY, today=day, trigger="test")
    return run_once(JobSettings(**{**fields, **kw}))


def test_a_failed_district_sheet_leaves_the_xlsx_and_every_feedback_written(district, tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        rep = night(district, h, district_spreadsheet_id="nosuchspreadsheet")
    assert rep.exit_code == EXIT_FAILED
    assert rep.writers["district_sheet"]["ok"] is False and "404" in rep.writers["district_sheet"]["error"]
    assert rep.writers["xlsx"]["ok"] and rep.writers["feedback"]["ok"]
    assert rep.outputs["feedback_written"] == 3
    openpyxl.load_workbook(rep.outputs["xlsx"])
    assert "district_sheet" in rep.message_en and "district_sheet" in rep.message_th
