"""One error type for everything a user may see, caught once by the CLI: Thai and English, exit 2, `--json` as an
`{"error": {...}}` object, and argparse's own usage errors in Thai too."""

from __future__ import annotations

import json
import pickle

import pytest

from addin.excel import UserError
from addin.thaidate import ThaiDateError, parse_date
from addin.timing.model import TimingError
from addin.timing.work_calendar import WorkCalendarFileError
from addin.workdays import ExtraHolidaysError
from sync.cli import main as khet
from sync.commands import usage_error_th
from sync.config import ConfigError, Problem
from sync.lock import LockHeld, RunLock
from sync.provision import ProvisionError
from sync.registry import RegistryError
from workbook.errors import KhetError


def test_every_user_facing_error_is_a_khet_error():
    samples = [
        ThaiDateError("x", "date.invalid", "วันที่ไม่ถูกต้อง", "not a date"),
        TimingError("ภายใน", "timing.unknown", "อ่านไม่ได้", "cannot read"),
        WorkCalendarFileError("ไม่พบไฟล์", "file not found"),
        ExtraHolidaysError("extra.csv", ["บรรทัด 2 / line 2"]),
        UserError("ไม่พบชีต", "sheet missing"),
        LockHeld("sync.lock", {"pid": 1}),
        ConfigError([Problem("quota.invalid", "quota.writes_per_minute", "error", "ต้องมากกว่า 0", "must be above 0")]),
        ProvisionError("ไม่พบแม่แบบ", "no template"),
        RegistryError("อ่านทะเบียนไม่ได้", "cannot read the registry"),
    ]
    for exc in samples:
        assert isinstance(exc, KhetError), type(exc)
        assert exc.message_th and exc.message_en and exc.code != "error", type(exc)
        again = pickle.loads(pickle.dumps(exc))
        assert (type(again), again.message_th, again.message_en) == (type(exc), exc.message_th, exc.message_en)
    # The old bases stay: code that caught ValueError still does.
    with pytest.raises(ValueError):
        parse_date("ไม่ใช่วันที่")


def test_config_error_names_its_setting():
    exc = ConfigError([Problem("quota.invalid", "quota.writes_per_minute", "error", "ต้องมากกว่า 0", "must be above 0")])
    d = exc.to_dict()
    assert d["code"] == "quota.invalid" and d["details"] == {"settings": "quota.writes_per_minute"}
    assert d["problems"][0]["setting"] == "quota.writes_per_minute"


def test_lock_held_is_said_once_by_the_cli(tmp_path, capsys, monkeypatch):
    """A KhetError raised anywhere under a command: Thai + English on stderr, exit 2, no traceback."""
    import sync.commands.config as config_cmd

    def boom(argv):
        raise LockHeld(tmp_path / "sync.lock", {"pid": 42, "host": "h", "started_at": "t"})

    monkeypatch.setattr(config_cmd, "main", boom)
    assert khet(["config", "check"]) == 2
    err = capsys.readouterr().err
    assert "มีงานประมวลผลอีกชุดกำลังทำงานอยู่ (pid 42" in err and "another run holds the lock (pid 42" in err
    assert "Traceback" not in err
    assert khet(["config", "check", "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["error"]["code"] == "lock.held" and out["error"]["message_en"].startswith("another run holds")
    assert out["error"]["details"]["path"].endswith("sync.lock")


def test_missing_config_file_as_json(tmp_path, capsys):
    missing = tmp_path / "missing.toml"
    assert khet(["config", "check", "--config", str(missing), "--json"]) == 2
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["code"] == "file.missing"
    assert err["message_th"] == f"ไม่พบไฟล์ตั้งค่า {missing}" and err["message_en"] == f"configuration file {missing} not found"


def test_work_calendar_file_error_reaches_the_cli(tmp_path, capsys):
    assert khet(["calendar", "--file", str(tmp_path / "none.csv"), "--json"]) == 2
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["code"] == "work_calendar.file" and "not found" in err["message_en"]


def test_real_lock_contention_message(tmp_path):
    with RunLock(tmp_path / "l"), pytest.raises(LockHeld) as info:
        RunLock(tmp_path / "l").acquire()
    assert info.value.to_dict()["code"] == "lock.held"


@pytest.mark.parametrize("argv, th", [
    (["sync"], "ต้องระบุ: action"),
    (["sync", "run", "--bogus"], "ไม่รู้จักตัวเลือก: --bogus"),
    (["history", "nonsense"], "ไม่มีตัวเลือก 'nonsense'"),
    (["sync", "--config"], "--config: ต้องมีค่าตามหลังหนึ่งค่า"),
    (["history", "runs", "--limit", "many"], "--limit: ค่า 'many' ไม่ถูกต้อง (ต้องเป็น int)"),
])
def test_usage_errors_in_thai_and_english(argv, th, capsys):
    with pytest.raises(SystemExit) as exit_:
        khet(argv)
    assert exit_.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "ข้อผิดพลาด / error:" in last and th in last, last
    assert " / " in last.split("error: ", 1)[1]  # the English follows the Thai


def test_every_argparse_message_shape_has_thai():
    assert usage_error_th("the following arguments are required: code") == "ต้องระบุ: code"
    assert usage_error_th("argument --at: expected one argument") == "--at: ต้องมีค่าตามหลังหนึ่งค่า"
    assert usage_error_th("ambiguous option: --f could match --full, --fy") == "ตัวเลือก --f กำกวม (อาจเป็น --full, --fy)"
    assert usage_error_th("something else") is None
