"""Static checks of the shipped staff workbook (.xlsm) as `khet workbook build` writes it: the VBA project is
well-formed and carries the pinned xlwings, every ribbon button calls a macro that exists, every RunPython
target imports, the UDF wrappers match addin.udfs, the xlwings.conf sheet holds the expected keys."""

from __future__ import annotations

import importlib
import inspect
import re
import struct
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings as xw
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from addin import udfs
from addin.buttons import BUTTONS
from addin.dashboard import TITLE as DASHBOARD
from addin.vba.cfb import write_compound_file
from addin.vba.ovba import compress, read_modules
from addin.xlsm import CONF, CONF_SHEET
from sync.cli import main as khet

ROOT = Path(__file__).resolve().parents[1]
CUSTOMUI_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
THAI = re.compile(r"[\u0e00-\u0e7f]")


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert khet(["workbook", "build", "--out", str(out)]) == 0
    return out / "khet-staff.xlsm"


@pytest.fixture(scope="module")
def package(xlsm) -> zipfile.ZipFile:
    return zipfile.ZipFile(xlsm)


@pytest.fixture(scope="module")
def vba(package) -> dict[str, str]:
    return {name: code.replace("\r\n", "\n") for name, code in read_modules(package.read("xl/vbaProject.bin")).items()}


def _subs(vba: dict[str, str]) -> dict[str, str]:
    """Procedure name -> body, over every module."""
    out = {}
    for code in vba.values():
        for m in re.finditer(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\((.*?)^End (?:Sub|Function)", code,
                             re.M | re.S):
            out[m.group(1)] = m.group(0)
    return out


def test_package_is_a_macro_enabled_workbook(xlsm, package):
    assert xlsm.name.isascii() and xlsm.suffix == ".xlsm"
    names = package.namelist()
    assert "xl/vbaProject.bin" in names and "customUI/customUI.xml" in names
    types = package.read("[Content_Types].xml").decode()
    assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"' in types
    assert 'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    rels = package.read("xl/_rels/workbook.xml.rels").decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"' in rels
    root_rels = package.read("_rels/.rels").decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"' in root_rels
    assert 'Target="customUI/customUI.xml"' in root_rels
    ids = re.findall(r'Id="(rId\d+)"', rels)
    assert len(ids) == len(set(ids))


def test_vba_xlwings_version_equals_the_pinned_package(vba):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = next(d.split("==")[1] for d in pyproject["project"]["dependencies"] if d.startswith("xlwings=="))
    found = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', vba["xlwings"]).group(1)
    assert found == pinned == xw.__version__


def test_vba_project_modules(vba, xlsm):
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    sheet_codes = [ws.sheet_properties.codeName for ws in wb.worksheets]
    assert sheet_codes == [f"Sheet{i}" for i in range(1, len(wb.worksheets) + 1)]
    assert wb.code_name == "ThisWorkbook"
    expected = {"xlwings", "Dictionary", "ThisWorkbook", "Khet", "xlwings_udfs", *sheet_codes}
    assert set(vba) == expected
    assert all(name.isascii() for name in vba) and all(b.module.isascii() and b.macro.isascii() for b in BUTTONS)
    for name, code in vba.items():
        assert code.startswith(f'Attribute VB_Name = "{name}"'), name
    assert "Private Sub Workbook_Open()" in vba["ThisWorkbook"]


def test_every_ribbon_button_calls_an_existing_macro_with_an_importable_target(package, vba):
    ui = ET.fromstring(package.read("customUI/customUI.xml"))
    buttons = list(ui.iter(f"{CUSTOMUI_NS}button"))
    subs = _subs(vba)
    assert [b.get("onAction") for b in buttons] == [b.macro for b in BUTTONS] + ["KhetImportFunctions"]
    targets = []
    for button in buttons:
        assert button.get("id").isascii() and THAI.search(button.get("label")), button.attrib
        body = subs[button.get("onAction")]
        assert re.match(r"Public Sub \w+\(control As IRibbonControl\)", body)
        for command in re.findall(r'RunPython "([^"]+)"', body):
            m = re.fullmatch(r"import ([\w.]+); \1\.main\(\)", command)
            assert m, command
            module = importlib.import_module(m.group(1))
            assert callable(module.main) and callable(module.run)
            params = list(inspect.signature(module.run).parameters.values())
            assert params[0].name == "book" and all(p.default is not p.empty for p in params[1:])
            targets.append(m.group(1))
    assert targets == [f"addin.buttons.{b.key}" for b in BUTTONS]
    # The import button runs xlwings' own importer, then registers the Thai help.
    assert "ImportPythonUDFs" in subs and "ImportPythonUDFs" in subs["KhetImportFunctions"]
    assert "KhetDescribeFunctions" in subs
    tab = ui.find(f".//{CUSTOMUI_NS}tab")
    assert tab.get("label") == "เขต Khet"


def test_udf_wrappers_match_the_python_functions(vba):
    wrappers = {m.group(1): [a.replace("Optional ", "") for a in m.group(2).split(", ")]
                for m in re.finditer(r"^Function (\w+)\((.*)\)$", vba["xlwings_udfs"], re.M)}
    names = [info.name for info in udfs.UDFS]
    assert names == ["KHET_FY", "KHET_QUARTER", "KHET_THAIDATE", "KHET_PARSEDATE", "KHET_WORKDAYS",
                     "KHET_ADDWORKDAYS", "KHET_DEADLINE", "KHET_STATUS", "KHET_VALIDATEROW", "KHET_REPORTDUE",
                     "KHET_KPITARGET"]
    assert list(wrappers) == names
    for name, args in wrappers.items():
        params = list(inspect.signature(getattr(udfs, name)).parameters)
        # xlwings' reserved `caller` is not an Excel argument: the wrapper sends Nothing in its place, as
        # xlwings' own importer writes it.
        assert args == [p for p in params if p != "caller"], name
        sent = args + ["Nothing"] * (params[-1] == "caller")
        assert f'XLPy.CallUDF("addin.udfs", "{name}", Array({", ".join(sent)}), ThisWorkbook' in vba["xlwings_udfs"]
    assert "Application.Volatile" not in vba["xlwings_udfs"]  # non-volatile
    for info in udfs.UDFS:
        assert THAI.search(info.help) and all(THAI.search(doc) for _n, doc, _o in info.args), info.name
        assert f"'!{info.name}\", Description:=d" in vba["Khet"]


def test_help_text_survives_the_code_page(vba):
    """Thai help goes through KhetText hex: decoding the VBA literal gives back the Python docstring."""
    first = re.search(r'd = KhetText\("([0-9A-F]+)"\)', vba["Khet"]).group(1)
    text = "".join(chr(int(first[i : i + 4], 16)) for i in range(0, len(first), 4))
    assert text == " ".join(udfs.KHET_FY.__doc__.split())[:len(text)]
    assert all(line.isascii() for line in vba["Khet"].splitlines())
    assert max(len(line) for code in vba.values() for line in code.splitlines()) < 1023


def test_conf_sheet(xlsm):
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    ws = wb[CONF_SHEET]
    rows = [(r[0], r[1]) for r in ws.iter_rows(min_row=1, max_col=2, values_only=True)]
    assert rows == [(k, v) for k, v, _note in CONF]
    conf = dict(rows)
    assert conf["UDF Modules"] == "addin.udfs" and importlib.import_module(conf["UDF Modules"]) is udfs
    assert conf["Interpreter_Win"] == r"%LOCALAPPDATA%\Khet\venv\Scripts\pythonw.exe"
    assert conf["PYTHONPATH"] == r"%LOCALAPPDATA%\Khet\app"
    assert conf["Show Console"] is False and conf["Use UDF Server"] is False
    assert all(ws.cell(r, 3).value is None for r in range(1, len(CONF) + 1))  # xlwings reads A:B only
    assert ws.sheet_state == "hidden"
    assert wb.sheetnames[-1] == CONF_SHEET


RED, BLACK = 0, 1  # MS-CFB directory entry colours


def _check_red_black(ole: olefile.OleFileIO) -> None:
    entries = ole.direntries

    def black_height(sid: int, parent_red: bool) -> int:
        if sid == olefile.NOSTREAM:
            return 1
        e = entries[sid]
        red = e.color == RED
        assert not (red and parent_red), f"red node {e.name} under a red parent"
        left, right = black_height(e.sid_left, red), black_height(e.sid_right, red)
        assert left == right, f"unbalanced black height under {e.name}"
        return left + (0 if red else 1)

    for e in entries:
        if e is not None and e.sid_child != olefile.NOSTREAM:
            assert entries[e.sid_child].color == BLACK
            black_height(e.sid_child, False)


def test_vba_project_is_a_valid_compound_file(package):
    data = package.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    streams = {"/".join(p) for p in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT", "VBA/Khet", "VBA/xlwings_udfs"} <= streams
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x01\x00"  # no p-code cache
    _check_red_black(ole)
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Module=Khet\r\n" in project and "Module=xlwings_udfs\r\n" in project
    assert "Document=ThisWorkbook/&H00000000\r\n" in project and "Class=Dictionary\r\n" in project


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Sub ", "End Sub\r\n", "RunPython ", '"', "x", "ก", "  ", "\r\n", "1234"]),
                max_size=3000))
def test_compression_round_trips_through_oletools(parts):
    data = "".join(parts).encode("utf-8")
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.text("ABCDEFGHIJ_", min_size=1, max_size=12), st.binary(max_size=9000), min_size=1,
                       max_size=25))
def test_compound_file_round_trips_through_olefile(streams):
    files = {f"S/{name}": data for name, data in streams.items()}
    ole = olefile.OleFileIO(write_compound_file(files), raise_defects=olefile.DEFECT_INCORRECT)
    assert {"/".join(p): ole.openstream(p).read() for p in ole.listdir()} == files
    _check_red_black(ole)
    assert struct.unpack("<H", write_compound_file(files)[0x1A:0x1C])[0] == 3  # version 3, 512-byte sectors


def test_the_xlsm_keeps_everything_the_template_had(xlsm):
    xlsx = openpyxl.load_workbook(xlsm.with_name("khet-staff.xlsx"))
    xlsm_wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    first, *rest = xlsx.sheetnames
    assert xlsm_wb.sheetnames == [first, DASHBOARD, *rest, CONF_SHEET]  # the dashboard after the instructions
    for ws in xlsx.worksheets:
        other = xlsm_wb[ws.title]
        assert len(other.data_validations.dataValidation) == len(ws.data_validations.dataValidation), ws.title
        assert (other.protection.sheet, other.freeze_panes, other.sheet_state) == (
            ws.protection.sheet, ws.freeze_panes, ws.sheet_state)
        assert [c.value for c in other[2]] == [c.value for c in ws[2]]  # the key row
    assert list(xlsm_wb.defined_names.keys()) == list(xlsx.defined_names.keys())


def test_dashboard_charts_and_status_colours(xlsm):
    """The dashboard's three charts read the fixed cells the pull fills (axes visible, every label); each
    staff tab with a status column colours it by the status palette."""
    from addin import dashboard
    from addin.status import COLOURS, LABEL_TH, Status
    from workbook.sheets import STAFF_SHEETS

    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    ws = wb[DASHBOARD]
    charts = ws._charts
    assert len(charts) == len(dashboard.CHARTED)
    for chart, key in zip(charts, dashboard.CHARTED, strict=True):
        row, col = dashboard.BLOCK_CELLS[key]
        ref = chart.series[0].cat.numRef or chart.series[0].cat.strRef
        letter = openpyxl.utils.get_column_letter(col)
        assert ref.f.endswith(f"!${letter}${row + 2}:${letter}${row + 1 + dashboard.BLOCK_ROWS[key]}"), ref.f
        assert chart.x_axis.delete is False and chart.y_axis.delete is False and chart.x_axis.tickLblSkip == 1
    coloured = 0
    for sheet in STAFF_SHEETS:
        if "status" not in sheet.keys():
            continue
        rules = [r for cf in wb[sheet.title_th].conditional_formatting for r in cf.rules]
        by_text = {r.formula[0].strip('"'): r.dxf.fill.fgColor.rgb[-6:] for r in rules if r.type == "cellIs"}
        assert by_text == {LABEL_TH[s]: COLOURS[s][0] for s in Status}, sheet.key
        coloured += 1
    assert coloured >= 3
