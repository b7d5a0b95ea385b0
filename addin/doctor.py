"""`khet doctor`: is this PC ready for the staff workbook? The things xlwings users trip over most — Python and
xlwings versions against the workbook's pin, the interpreter path in the workbook's xlwings.conf sheet, the
xlwings DLL, a workbook blocked as "downloaded from the internet" (Mark of the Web) or outside Excel's Trusted
Locations — each with what to do, in Thai and English.

Checks that only mean something on Windows (Office bitness, the DLL, %LOCALAPPDATA% paths, the Zone.Identifier
stream, the Trusted Locations in the registry) say "skipped" elsewhere, by a platform test, never pretend to
pass. The pure parts (reading the workbook, expanding %VARS%, reading a Zone.Identifier, matching a trusted
folder) are plain functions, tested on any OS.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import struct
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PureWindowsPath

OK, PROBLEM, SKIPPED = "ok", "problem", "skipped"
WINDOWS = sys.platform == "win32"
MIN_PYTHON = (3, 11)


@dataclass
class Check:
    key: str
    status: str          # ok | problem | skipped
    th: str
    en: str
    fix_th: str = ""
    fix_en: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# --- the workbook ----------------------------------------------------------------------------------------------

def workbook_conf(path: Path) -> dict[str, str]:
    """The xlwings.conf sheet's settings (keys in A, values in B), as xlwings reads them."""
    from addin.validation.files import open_workbook, tab_cells
    from addin.xlsm import CONF_SHEET

    with open_workbook(path) as wb:
        if CONF_SHEET not in wb.sheetnames:
            return {}
        rows = tab_cells(wb[CONF_SHEET])
    return {str(r[0]).strip(): "" if len(r) < 2 or r[1] is None else str(r[1]).strip() for r in rows if r and r[0]}


def workbook_xlwings_version(path: Path) -> str | None:
    """XLWINGS_VERSION of the xlwings VBA module embedded in the workbook."""
    from addin.vba.ovba import read_modules

    with zipfile.ZipFile(path) as z:
        if "xl/vbaProject.bin" not in z.namelist():
            return None
        modules = read_modules(z.read("xl/vbaProject.bin"))
    m = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', modules.get("xlwings", ""))
    return m.group(1) if m else None


def expand_windows(value: str, env: dict[str, str]) -> str:
    """%VAR% expanded as Windows does (names case-insensitive; an unknown one stays as typed)."""
    upper = {k.upper(): v for k, v in env.items()}
    return re.sub(r"%([^%]+)%", lambda m: upper.get(m.group(1).upper(), m.group(0)), value)


def zone_id(text: str | None) -> int | None:
    """The ZoneId of a Zone.Identifier stream ([ZoneTransfer] ZoneId=3 = the internet); None without one."""
    if not text:
        return None
    m = re.search(r"^\s*ZoneId\s*=\s*(\d+)", text, re.M | re.I)
    return int(m.group(1)) if m else None


def trusted_by(path: str, locations: list[tuple[str, bool]], env: dict[str, str]) -> str | None:
    """The Trusted Location (folder, subfolders allowed) holding `path`, or None."""
    target = PureWindowsPath(path)
    for folder, subfolders in locations:
        base = PureWindowsPath(expand_windows(folder, env))
        parent = target.parent
        if str(parent).lower() == str(base).lower().rstrip("\\"):
            return folder
        if subfolders and str(parent).lower().startswith(str(base).lower().rstrip("\\") + "\\"):
            return folder
    return None


# --- Windows only ----------------------------------------------------------------------------------------------

def _office_bitness() -> str | None:
    import winreg

    for key in (r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration", r"SOFTWARE\Microsoft\Office\16.0\Outlook"):
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as k:
                name = "Platform" if "ClickToRun" in key else "Bitness"
                return str(winreg.QueryValueEx(k, name)[0]).lower()
        except OSError:
            continue
    return None


def _trusted_locations() -> list[tuple[str, bool]]:
    import winreg

    out = []
    root = r"Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations"
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, root) as k:
            for i in range(winreg.QueryInfoKey(k)[0]):
                with winreg.OpenKey(k, winreg.EnumKey(k, i)) as loc:
                    try:
                        folder = str(winreg.QueryValueEx(loc, "Path")[0])
                    except OSError:
                        continue
                    try:
                        sub = bool(winreg.QueryValueEx(loc, "AllowSubfolders")[0])
                    except OSError:
                        sub = False
                    out.append((folder, sub))
    except OSError:
        pass
    return out


def _zone_text(path: Path) -> str | None:
    try:
        return Path(f"{path}:Zone.Identifier").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


# --- the checks --------------------------------------------------------------------------------------------------

def _skipped(key: str, what_th: str, what_en: str) -> Check:
    return Check(key, SKIPPED, f"{what_th}: ตรวจได้บน Windows เท่านั้น", f"{what_en}: checked on Windows only")


def check_python() -> list[Check]:
    version = ".".join(map(str, sys.version_info[:3]))
    bits = struct.calcsize("P") * 8
    out = [Check("python", OK, f"Python {version} ({bits} บิต)", f"Python {version} ({bits}-bit)")
           if sys.version_info[:2] >= MIN_PYTHON else
           Check("python", PROBLEM, f"Python {version} เก่าเกินไป (ต้อง 3.11 ขึ้นไป)", f"Python {version} is too old (3.11+)",
                 "ติดตั้ง Python 3.11 ขึ้นไปจาก python.org (ไม่ต้องใช้สิทธิ์ผู้ดูแล: เลือก Install for me only)",
                 "install Python 3.11+ from python.org (no admin rights: 'Install just for me')")]
    if not WINDOWS:
        out.append(_skipped("office_bitness", "บิตของ Office เทียบกับ Python", "Office vs Python bitness"))
        return out
    office = _office_bitness()
    want = "x64" if bits == 64 else "x86"
    if office is None:
        out.append(Check("office_bitness", SKIPPED, "ไม่พบข้อมูลบิตของ Office ในรีจิสทรี", "Office bitness not found"))
    elif office.replace("64bit", "x64").replace("32bit", "x86") != want:
        out.append(Check("office_bitness", PROBLEM, f"Office เป็น {office} แต่ Python เป็น {bits} บิต",
                         f"Office is {office} but Python is {bits}-bit",
                         "ติดตั้ง Python ให้ตรงกับบิตของ Office (File → Account → About Excel)",
                         "install the Python matching Office's bitness (File → Account → About Excel)"))
    else:
        out.append(Check("office_bitness", OK, f"Office {office} ตรงกับ Python", f"Office {office} matches Python"))
    return out


def check_xlwings(workbook: Path | None) -> list[Check]:
    try:
        installed = importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    pin = next((r.split("==")[1].split(";")[0].strip() for r in importlib.metadata.requires("khet") or []
                if r.replace(" ", "").startswith("xlwings==")), None)
    in_book = workbook_xlwings_version(workbook) if workbook else None
    if installed is None:
        return [Check("xlwings", PROBLEM, "ไม่ได้ติดตั้ง xlwings", "xlwings is not installed",
                      "ติดตั้ง Khet ตามคู่มือ ขั้นที่ 2 (pip install ในโฟลเดอร์ของ Khet)",
                      "install Khet as in step 2 of the guide (pip install)")]
    wanted = {v for v in (pin, in_book) if v}
    if wanted and wanted != {installed}:
        return [Check("xlwings", PROBLEM,
                      f"xlwings ที่ติดตั้ง {installed} ไม่ตรงกับสมุดงาน ({in_book or '-'}) / Khet ({pin or '-'})",
                      f"installed xlwings {installed} differs from the workbook ({in_book or '-'}) / Khet ({pin or '-'})",
                      "ติดตั้ง Khet ใหม่ทั้งชุด (ห้ามอัปเกรด xlwings แยก) หรือใช้สมุดงานที่สร้างจาก Khet รุ่นนี้",
                      "reinstall Khet as a whole (never upgrade xlwings alone) or use a workbook built by this Khet")]
    return [Check("xlwings", OK, f"xlwings {installed} ตรงกับสมุดงานและ Khet", f"xlwings {installed} matches")]


def check_interpreter(conf: dict[str, str], env: dict[str, str]) -> list[Check]:
    key = "Interpreter_Win"
    configured = conf.get(key, "")
    if not configured:
        return [Check("interpreter", PROBLEM, f"แผ่นงาน xlwings.conf ไม่มีค่า {key}", f"xlwings.conf has no {key}",
                      "ยกเลิกซ่อนแผ่นงาน xlwings.conf แล้วใส่ตำแหน่ง pythonw.exe ในคอลัมน์ B",
                      "unhide the xlwings.conf sheet and put the pythonw.exe path in column B")]
    if not WINDOWS:
        return [Check("interpreter", SKIPPED, f"{key} = {configured}: ตรวจได้บน Windows เท่านั้น",
                      f"{key} = {configured}: checked on Windows only")]
    path = Path(expand_windows(configured, env))
    if not path.is_file():
        return [Check("interpreter", PROBLEM, f"ไม่พบ {path} (ค่า {key} ใน xlwings.conf)", f"{path} not found ({key})",
                      "สร้าง venv ตามคู่มือ ขั้นที่ 2 หรือแก้ค่า Interpreter_Win ให้ชี้ไปที่ pythonw.exe ที่มีอยู่",
                      "create the venv as in step 2, or point Interpreter_Win at an existing pythonw.exe")]
    dll_name = f"xlwings{struct.calcsize('P') * 8}-{importlib.metadata.version('xlwings')}.dll"
    folders = [path.parent, path.parent.parent]
    if not any((f / dll_name).is_file() for f in folders):
        return [Check("interpreter", PROBLEM, f"ไม่พบ {dll_name} ข้าง {path}", f"{dll_name} not found beside {path}",
                      "ติดตั้ง Khet ใหม่ใน venv นี้ (pip install) ซึ่งจะวาง DLL ของ xlwings ให้",
                      "reinstall Khet into this venv (pip install), which puts xlwings' DLL there")]
    return [Check("interpreter", OK, f"{key}: {path} พร้อมใช้", f"{key}: {path} ready")]


def check_addin() -> list[Check]:
    if importlib.util.find_spec("addin.udfs") is None:
        return [Check("addin", PROBLEM, "Python นี้ import addin ไม่ได้", "this Python cannot import addin",
                      "ตั้งค่า PYTHONPATH ใน xlwings.conf ให้ชี้ไปที่โฟลเดอร์ Khet", "set PYTHONPATH in xlwings.conf")]
    return [Check("addin", OK, "โมดูลของ Khet (addin) import ได้", "Khet's add-in modules import")]


def check_file_trust(workbook: Path, env: dict[str, str]) -> list[Check]:
    if not WINDOWS:
        return [_skipped("mark_of_the_web", "เครื่องหมาย “ดาวน์โหลดจากอินเทอร์เน็ต”", "Mark of the Web"),
                _skipped("trusted_location", "โฟลเดอร์ที่เชื่อถือ (Trusted Location)", "Trusted Location")]
    out = []
    zone = zone_id(_zone_text(workbook))
    if zone is not None and zone >= 3:
        out.append(Check("mark_of_the_web", PROBLEM, f"{workbook.name} ถูกทำเครื่องหมายว่ามาจากอินเทอร์เน็ต: Excel จะปิดกั้นแมโคร",
                         f"{workbook.name} carries the Mark of the Web: Excel blocks its macros",
                         "คลิกขวาที่ไฟล์ → Properties → ติ๊ก Unblock → OK (หรือย้ายไปโฟลเดอร์ที่เชื่อถือ)",
                         "right-click the file → Properties → tick Unblock → OK (or keep it in a Trusted Location)"))
    else:
        out.append(Check("mark_of_the_web", OK, "ไฟล์ไม่มีเครื่องหมายดาวน์โหลดจากอินเทอร์เน็ต", "no Mark of the Web"))
    folder = trusted_by(str(workbook.resolve()), _trusted_locations(), env)
    out.append(Check("trusted_location", OK, f"อยู่ในโฟลเดอร์ที่เชื่อถือ {folder}", f"in Trusted Location {folder}")
               if folder else
               Check("trusted_location", PROBLEM, f"{workbook.parent} ไม่ใช่โฟลเดอร์ที่เชื่อถือ",
                     f"{workbook.parent} is not a Trusted Location",
                     "Excel → File → Options → Trust Center → Trust Center Settings → Trusted Locations → Add new "
                     "location (ไม่ต้องใช้สิทธิ์ผู้ดูแล)", "add the folder under Trust Center → Trusted Locations"))
    return out


def check_config(workbook: Path | None, env: dict[str, str]) -> list[Check]:
    given = env.get("KHET_CONFIG")
    beside = workbook.parent / "khet.toml" if workbook else Path("khet.toml")
    path = Path(given) if given else beside
    if path.is_file():
        return [Check("config", OK, f"ไฟล์ตั้งค่า {path}", f"configuration {path}")]
    return [Check("config", PROBLEM, f"ไม่พบไฟล์ตั้งค่า {path}: ปุ่มดึงข้อมูล/ประมวลผลจะใช้ไม่ได้",
                  f"no configuration at {path}: the data buttons cannot work",
                  "วาง khet.toml ไว้ข้างสมุดงาน หรือตั้งตัวแปร KHET_CONFIG (ขอไฟล์จากผู้ดูแลระบบ)",
                  "put khet.toml beside the workbook or set KHET_CONFIG (ask IT for the file)")]


def diagnose(workbook: Path | None, env: dict[str, str] | None = None) -> list[Check]:
    env = dict(os.environ if env is None else env)
    checks = check_python() + check_addin()
    if workbook is None or not workbook.is_file():
        name = workbook or "khet-staff.xlsm"
        return checks + check_xlwings(None) + [Check(
            "workbook", PROBLEM, f"ไม่พบสมุดงาน {name}", f"workbook {name} not found",
            "ระบุไฟล์: khet doctor --workbook <ไฟล์ .xlsm>", "name it: khet doctor --workbook <file.xlsm>")]
    try:
        conf = workbook_conf(workbook)
    except Exception as exc:  # noqa: BLE001 - a damaged or non-Excel file is a finding, not a traceback
        return checks + [Check("workbook", PROBLEM, f"อ่าน {workbook.name} ไม่ได้ ({exc})", f"cannot read {workbook.name}",
                               "ใช้สมุดงานที่สร้างด้วย khet workbook build", "use a workbook from khet workbook build")]
    checks += check_xlwings(workbook) + check_interpreter(conf, env) + check_file_trust(workbook, env)
    return checks + check_config(workbook, env)
