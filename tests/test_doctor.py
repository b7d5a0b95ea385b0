"""`khet doctor` on the workbook `khet workbook build` ships: versions against the workbook's pin, the conf
sheet's interpreter, the configuration; the Windows-only checks say "skipped" off Windows; the pure parts
(%VAR% expansion, Zone.Identifier, Trusted Locations) tested here on any OS."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from addin import doctor
from addin.doctor import OK, PROBLEM, SKIPPED, diagnose, expand_windows, trusted_by, zone_id
from addin.package import set_cells
from addin.vba.ovba import VbaModule, build_vba_project
from addin.xlsm import BASE_WORKBOOK, CONF_SHEET
from sync.cli import main as khet

WINDOWS_ONLY = {"office_bitness", "mark_of_the_web", "trusted_location"}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert khet(["workbook", "build", "--out", str(out)]) == 0
    (out / "khet.toml").write_text("[paths]\n", encoding="utf-8")
    return out / "khet-staff.xlsm"


def statuses(checks) -> dict[str, str]:
    return {c.key: c.status for c in checks}


def test_a_freshly_built_workbook_on_this_pc(shipped):
    checks = diagnose(shipped, env={})
    got = statuses(checks)
    assert got["python"] == got["addin"] == got["xlwings"] == got["config"] == OK
    if not doctor.WINDOWS:  # the platform test: these are never claimed to pass here
        assert {k for k, v in got.items() if v == SKIPPED} == WINDOWS_ONLY | {"interpreter"}
        interp = next(c for c in checks if c.key == "interpreter")
        assert "%LOCALAPPDATA%\\Khet\\venv\\Scripts\\pythonw.exe" in interp.th and "Windows" in interp.en
    assert all(c.th and c.en for c in checks)


def test_problems_are_named_with_what_to_do_and_exit_1(shipped, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KHET_CONFIG", raising=False)
    book = tmp_path / "khet-staff.xlsm"
    # No Interpreter_Win key (someone cleared A1 of the conf sheet), no khet.toml beside it.
    book.write_bytes(set_cells(shipped.read_bytes(), CONF_SHEET, {(1, 1): ""}))
    checks = {c.key: c for c in diagnose(book, env={})}
    assert checks["interpreter"].status == checks["config"].status == PROBLEM
    assert "xlwings.conf" in checks["interpreter"].fix_th and "column B" in checks["interpreter"].fix_en
    assert khet(["doctor", "--workbook", str(book)]) == 1
    out = capsys.readouterr().out
    assert "ทำอย่างไร:" in out and "what to do:" in out and "พบปัญหา 2 เรื่อง" in out
    assert khet(["doctor", "--workbook", str(tmp_path / "missing.xlsm"), "--json"]) == 1
    keys = {c["key"]: c["status"] for c in json.loads(capsys.readouterr().out)}
    assert keys["workbook"] == PROBLEM


def test_a_workbook_built_for_another_xlwings(shipped, tmp_path):
    """The VBA's XLWINGS_VERSION must equal the installed xlwings (error 53 / DLL not found otherwise)."""
    with zipfile.ZipFile(BASE_WORKBOOK) as z:
        base = z.read("xl/vbaProject.bin")
    old = build_vba_project(base, ["Dictionary"], [VbaModule(
        "xlwings", 'Attribute VB_Name = "xlwings"\nPublic Const XLWINGS_VERSION As String = "0.30.10"\n')])
    out = io.BytesIO()
    with zipfile.ZipFile(shipped) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, old if item.filename == "xl/vbaProject.bin" else src.read(item.filename))
    book = tmp_path / "old.xlsm"
    book.write_bytes(out.getvalue())
    (tmp_path / "khet.toml").write_text("", encoding="utf-8")
    check = next(c for c in diagnose(book, env={}) if c.key == "xlwings")
    assert check.status == PROBLEM and "0.30.10" in check.th and "never upgrade xlwings alone" in check.fix_en


def test_windows_paths_zone_identifier_and_trusted_locations():
    env = {"LocalAppData": r"C:\Users\kru\AppData\Local"}
    assert expand_windows(r"%LOCALAPPDATA%\Khet\venv\Scripts\pythonw.exe", env) == (
        r"C:\Users\kru\AppData\Local\Khet\venv\Scripts\pythonw.exe")
    assert expand_windows(r"%NOPE%\x", env) == r"%NOPE%\x"
    assert zone_id("[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.example/\r\n") == 3
    assert zone_id(None) is None and zone_id("[ZoneTransfer]\n") is None
    locations = [(r"%APPDATA%\Microsoft\Templates", False), (r"D:\Khet", True)]
    assert trusted_by(r"D:\Khet\2570\khet-staff.xlsm", locations, env) == r"D:\Khet"
    assert trusted_by(r"d:\khet\khet-staff.xlsm", locations, env) == r"D:\Khet"
    assert trusted_by(r"D:\Khet2\khet-staff.xlsm", locations, env) is None
    assert trusted_by(r"C:\Users\kru\Downloads\khet-staff.xlsm", locations, env) is None
