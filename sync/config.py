"""Khet's configuration: one TOML file plus `KHET_…` environment variables, and a checker that explains problems.

Every setting is listed once in `SETTINGS` (TOML section, name, environment variable, type, default); loading,
environment overrides, the example file and `khet config check` are all driven by that table.

Decisions where the issue is silent:
- The file is `KHET_CONFIG` if set, else `khet.toml` in the current directory; no file at all is allowed (every
  setting can come from the environment), an explicitly named file that does not exist is an error.
- Relative paths in the file are relative to the file's folder (so a scheduled task started elsewhere finds
  them); relative paths from environment variables are relative to the current directory.
- `GOOGLE_APPLICATION_CREDENTIALS` is used as the key file when neither the file nor `KHET_KEY_FILE` names one.
- The key file's contents are never loaded into `Config` and never printed: only its path is kept.
- A Drive or Sheets URL pasted where an ID belongs (`…/spreadsheets/d/ID/edit`, `…/drive/folders/ID`,
  `…/file/d/ID`, `…?id=ID`) is reduced to its ID when the configuration is loaded, so every command sees the
  same ID; `khet config check` says so (a warning). Any other text with characters an ID cannot have is an
  error, and every command that needs Google refuses to start on it (`require_ready`).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbook.errors import KhetError

DEFAULT_FILE = "khet.toml"
TIMEZONE = "Asia/Bangkok"


@dataclass(frozen=True)
class Setting:
    section: str
    name: str
    type: type  # str, int, float or Path
    default: Any
    help_th: str
    help_en: str
    attr: str = ""  # Config attribute when it differs from the TOML name
    env_name: str = ""  # environment variable when it differs from KHET_<NAME>

    @property
    def env(self) -> str:
        # Section names are not part of the variable: names are unique across sections.
        return self.env_name or "KHET_" + self.name.upper()

    @property
    def key(self) -> str:
        return self.attr or self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("google", "key_file", Path, None, "ไฟล์กุญแจบัญชีบริการ (service account) ของ Google",
            "Google service-account key file (JSON)"),
    Setting("google", "endpoint", str, None, "ว่าง = Google จริง, \"emulator\" = โปรแกรมจำลองในตัว หรือ URL ของโปรแกรมจำลอง",
            "empty = real Google, \"emulator\" = embedded emulator, or an emulator URL"),
    Setting("google", "drive_folder_id", str, "", "รหัสโฟลเดอร์ Google Drive ของเขตที่เก็บชีตโรงเรียน",
            "Drive folder ID holding the school spreadsheets"),
    Setting("google", "district_spreadsheet_id", str, "", "รหัสสเปรดชีตสรุปผลของเขต",
            "district output spreadsheet ID"),
    Setting("google", "template_spreadsheet_id", str, "", "รหัสสเปรดชีตแม่แบบของโรงเรียน (สร้างด้วย khet schools template)",
            "school template spreadsheet ID (made by `khet schools template`)"),
    Setting("schedule", "time", str, "02:00", "เวลาประมวลผลรายคืน (ชม:นาที เวลาประเทศไทย)",
            "nightly run time (HH:MM, Asia/Bangkok)", attr="schedule_time", env_name="KHET_SCHEDULE"),
    Setting("paths", "data_dir", Path, Path(".khet"), "โฟลเดอร์ข้อมูลของ Khet", "Khet data folder"),
    Setting("paths", "history_db", Path, Path(".khet/history.sqlite"), "ฐานข้อมูลประวัติ (SQLite)",
            "history database (SQLite)"),
    Setting("paths", "history_backups", int, 7, "จำนวนสำเนาสำรองประวัติรายคืนที่เก็บไว้ใน data_dir/backups (0 = ไม่สำรอง)",
            "nightly history backups kept in data_dir/backups (0 = none)"),
    Setting("paths", "registry", Path, None, "ทะเบียนโรงเรียน (.xlsx/.xlsm/.csv)", "school registry (.xlsx/.xlsm/.csv)"),
    Setting("paths", "staff_workbook", Path, None,
            "สมุดงานเขตที่มีแท็บคำขอรับบริการและติดตามข้อเสนอแนะผู้ตรวจ (ว่าง = ใช้ไฟล์ทะเบียนถ้าเป็น .xlsx/.xlsm)",
            "staff workbook holding the service-request and inspection follow-up tabs (empty = the registry file "
            "when it is an .xlsx/.xlsm)"),
    Setting("paths", "settings", Path, None, "ค่าตั้งของเขต: สมุดงานเขต หรือไฟล์ .xlsx ที่มีแท็บตั้งค่าชุดเดียวกัน (ว่าง = ค่าเริ่มต้น)",
            "district settings: the staff workbook, or an .xlsx holding the same settings tabs (empty = defaults)"),
    Setting("paths", "log_dir", Path, Path(".khet/logs"), "โฟลเดอร์บันทึกการทำงาน", "log folder"),
    Setting("paths", "report_dir", Path, Path("out"), "โฟลเดอร์รายงานผล", "report output folder"),
    Setting("remind", "remind_days_before", str, "3",
            "แจ้งเตือนล่วงหน้ากี่วันทำการก่อนกำหนดส่ง (คั่นด้วยจุลภาค เช่น 5,1) นอกจากวันครบกำหนดและทุกสัปดาห์ที่เกินกำหนด",
            "working days before a due date to remind (comma-separated, e.g. 5,1), besides the due day and "
            "weekly while overdue"),
    Setting("remind", "remind_quiet_hours", str, "20:00-07:00", "ช่วงเวลางดส่งแจ้งเตือน (เวลาประเทศไทย)",
            "quiet hours: no reminder is sent (Asia/Bangkok)"),
    Setting("smtp", "smtp_host", str, "", "เซิร์ฟเวอร์ SMTP สำหรับอีเมลแจ้งเตือน (ว่าง = ไม่ส่งอีเมล)",
            "SMTP server for reminder e-mail (empty = no e-mail)"),
    Setting("smtp", "smtp_port", int, 587, "พอร์ต SMTP (587 STARTTLS, 465 SSL)", "SMTP port (587 STARTTLS, 465 SSL)"),
    Setting("smtp", "smtp_security", str, "starttls", "starttls, ssl หรือ none", "starttls, ssl or none"),
    Setting("smtp", "smtp_sender", str, "", "อีเมลผู้ส่ง", "sender address"),
    Setting("smtp", "smtp_user", str, "", "ผู้ใช้ SMTP (รหัสผ่านอยู่ในตัวแปร KHET_SMTP_PASSWORD เท่านั้น)",
            "SMTP user (the password only in KHET_SMTP_PASSWORD)"),
    Setting("smtp", "smtp_cafile", Path, None, "ใบรับรอง CA ของเซิร์ฟเวอร์ SMTP ภายใน (ถ้ามี)",
            "CA certificate of a private SMTP relay (optional)"),
    Setting("line", "line_endpoint", str, "",
            "ว่าง = LINE จริง (token อยู่ในตัวแปร KHET_LINE_TOKEN, channel secret ใน KHET_LINE_SECRET) หรือ URL ของโปรแกรมจำลอง",
            "empty = real LINE (token in KHET_LINE_TOKEN, channel secret in KHET_LINE_SECRET), or an emulator URL"),
    Setting("quota", "reads_per_minute", int, 60, "โควตาการอ่านต่อนาที (Google ให้ 60 ต่อบัญชี)",
            "Sheets reads per minute (Google allows 60 per account)"),
    Setting("quota", "writes_per_minute", int, 60, "โควตาการเขียนต่อนาที", "Sheets writes per minute"),
    Setting("retry", "max_tries", int, 5, "จำนวนครั้งที่ลองสูงสุดต่อคำขอ", "maximum tries per request"),
    Setting("retry", "base_delay", float, 1.0, "เวลารอเริ่มต้นก่อนลองใหม่ (วินาที)", "first backoff delay (s)"),
    Setting("retry", "max_delay", float, 32.0, "เวลารอสูงสุดก่อนลองใหม่ (วินาที)", "backoff cap (s)"),
    Setting("retry", "timeout", float, 60.0, "หมดเวลารอคำตอบต่อคำขอ (วินาที)", "per-request timeout (s)"),
    # One office, many staff PCs (sync/control): how often the job host looks at the staff requests, and how
    # a staff PC signs in with its own Google account.
    Setting("office", "poll_minutes", float, 2.0, "ตรวจคำขอของเจ้าหน้าที่ทุกกี่นาทีในเวลาราชการ",
            "minutes between request polls in office hours"),
    Setting("office", "off_hours_poll_minutes", float, 30.0, "ตรวจคำขอทุกกี่นาทีนอกเวลาราชการ",
            "minutes between request polls outside office hours", attr="off_hours_poll_minutes"),
    Setting("office", "heartbeat_minutes", float, 10.0, "เขียนสถานะเครื่องประมวลผลอย่างน้อยทุกกี่นาที",
            "minutes between host status writes at the least"),
    Setting("office", "hours", str, "08:00-17:00", "เวลาราชการ (วันทำการ เวลาประเทศไทย)",
            "office hours on working days (Asia/Bangkok)", attr="office_hours", env_name="KHET_OFFICE_HOURS"),
    Setting("office", "account", str, "", "บัญชี Google ของเจ้าหน้าที่ที่ใช้เครื่องนี้ (เครื่องเจ้าหน้าที่)",
            "the staff member's Google account on this PC (staff PCs)", attr="staff_account",
            env_name="KHET_STAFF_ACCOUNT"),
    Setting("office", "oauth_client", Path, None, "ไฟล์ OAuth client (Desktop app) สำหรับให้เจ้าหน้าที่ลงชื่อเข้าใช้",
            "OAuth client file (Desktop app) for staff sign-in"),
    Setting("office", "token_dir", Path, None, "โฟลเดอร์เก็บการลงชื่อเข้าใช้ของผู้ใช้ (ค่าเริ่มต้น: โฟลเดอร์ของผู้ใช้ Windows)",
            "where the staff sign-in is kept (default: the user's own profile folder)"),
)
_BY_KEY = {(s.section, s.name): s for s in SETTINGS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration, explained in Thai and English."""

    code: str
    setting: str  # "section.name" or "" for the file itself
    severity: str  # "error" | "warning"
    message_th: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ("code", "setting", "severity", "message_th", "message_en")}

    def __str__(self) -> str:
        where = f"[{self.setting}] " if self.setting else ""
        return f"{self.severity.upper()}: {where}{self.message_th} / {self.message_en}"


class ConfigError(KhetError):
    """The configuration cannot be used (file missing or not TOML, a setting that is an error): each problem
    names its setting."""

    code = "config"

    def __init__(self, problems: list[Problem]):
        settings = ", ".join(p.setting for p in problems if p.setting)
        super().__init__(problems[0].code if len(problems) == 1 else None,
                         "; ".join(p.message_th for p in problems), "; ".join(p.message_en for p in problems),
                         **({"settings": settings} if settings else {}))
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "problems": [p.as_dict() for p in self.problems]}


_DEFAULT = {s.key: s.default for s in SETTINGS}  # the defaults are written once, in SETTINGS


@dataclass
class Config:
    key_file: Path | None = _DEFAULT["key_file"]
    endpoint: str | None = _DEFAULT["endpoint"]
    drive_folder_id: str = _DEFAULT["drive_folder_id"]
    district_spreadsheet_id: str = _DEFAULT["district_spreadsheet_id"]
    template_spreadsheet_id: str = _DEFAULT["template_spreadsheet_id"]
    schedule_time: str = _DEFAULT["schedule_time"]
    data_dir: Path = _DEFAULT["data_dir"]
    history_db: Path = _DEFAULT["history_db"]
    history_backups: int = _DEFAULT["history_backups"]
    registry: Path | None = _DEFAULT["registry"]
    staff_workbook: Path | None = _DEFAULT["staff_workbook"]
    settings: Path | None = _DEFAULT["settings"]
    log_dir: Path = _DEFAULT["log_dir"]
    report_dir: Path = _DEFAULT["report_dir"]
    remind_days_before: str = _DEFAULT["remind_days_before"]
    remind_quiet_hours: str = _DEFAULT["remind_quiet_hours"]
    smtp_host: str = _DEFAULT["smtp_host"]
    smtp_port: int = _DEFAULT["smtp_port"]
    smtp_security: str = _DEFAULT["smtp_security"]
    smtp_sender: str = _DEFAULT["smtp_sender"]
    smtp_user: str = _DEFAULT["smtp_user"]
    smtp_cafile: Path | None = _DEFAULT["smtp_cafile"]
    line_endpoint: str = _DEFAULT["line_endpoint"]
    reads_per_minute: int = _DEFAULT["reads_per_minute"]
    writes_per_minute: int = _DEFAULT["writes_per_minute"]
    max_tries: int = _DEFAULT["max_tries"]
    base_delay: float = _DEFAULT["base_delay"]
    max_delay: float = _DEFAULT["max_delay"]
    timeout: float = _DEFAULT["timeout"]
    poll_minutes: float = _DEFAULT["poll_minutes"]
    off_hours_poll_minutes: float = _DEFAULT["off_hours_poll_minutes"]
    heartbeat_minutes: float = _DEFAULT["heartbeat_minutes"]
    office_hours: str = _DEFAULT["office_hours"]
    staff_account: str = _DEFAULT["staff_account"]
    oauth_client: Path | None = _DEFAULT["oauth_client"]
    token_dir: Path | None = _DEFAULT["token_dir"]
    source: Path | None = None  # the TOML file read, if any
    origins: dict[str, str] = field(default_factory=dict)  # setting -> "file" | "env" | "default"
    load_problems: list[Problem] = field(default_factory=list)

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            if f.name in ("origins", "load_problems"):
                continue
            value = getattr(self, f.name)
            if f.name == "endpoint" and value:
                value = redact_url(value)
            shown.append(f"{f.name}={value!r}")
        return "Config(" + ", ".join(shown) + ")"

    def describe(self) -> list[tuple[str, str, str]]:
        """(setting, value as text, origin) for `khet config show`; never a secret."""
        rows = []
        for s in SETTINGS:
            value = getattr(self, s.key)
            if s.name == "endpoint" and value:
                value = redact_url(value)
            rows.append((f"{s.section}.{s.name}", "" if value is None else str(value),
                         self.origins.get(s.key, "default")))
        return rows


def redact_url(url: str) -> str:
    """Drop user:password and query strings (which may carry tokens) from a URL before it is shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


ID_SETTINGS = ("drive_folder_id", "district_spreadsheet_id", "template_spreadsheet_id")
_URL_ID = re.compile(r"/(?:spreadsheets/d|file/d|folders|document/d)/([A-Za-z0-9_-]+)|[?&]id=([A-Za-z0-9_-]+)")


def id_from_url(text: str) -> str | None:
    """The file or folder ID inside a pasted Google Drive/Sheets URL, or None when `text` is not such a URL."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not (parts.hostname or "").endswith("google.com"):
        return None
    m = _URL_ID.search(text)
    return (m.group(1) or m.group(2)) if m else None


def _convert(setting: Setting, raw: Any, base: Path) -> Any:
    """Convert a file/env value to the setting's type; raises ValueError with a short reason."""
    if setting.type is Path:
        text = str(raw).strip()
        if not text:
            return None
        p = Path(os.path.expanduser(text))
        return p if p.is_absolute() else base / p
    if setting.type is str:
        text = str(raw).strip()
        if setting.name == "endpoint":
            return text or None
        return text
    if isinstance(raw, bool):
        raise ValueError("boolean")
    if setting.type is int:
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError("not a whole number")
        return int(str(raw).strip()) if isinstance(raw, str) else int(raw)
    return float(str(raw).strip()) if isinstance(raw, str) else float(raw)


def _bad_value(setting: Setting, raw: Any, origin: str) -> Problem:
    kind = {int: ("จำนวนเต็ม", "a whole number"), float: ("ตัวเลข", "a number")}.get(setting.type, ("ข้อความ", "text"))
    where = setting.env if origin == "env" else f"{setting.section}.{setting.name}"
    return Problem("value.invalid", f"{setting.section}.{setting.name}", "error",
                   f"ค่า {where} = {raw!r} ไม่ถูกต้อง ต้องเป็น{kind[0]} (ใช้ค่าเริ่มต้น {setting.default!r} แทน)",
                   f"{where} = {raw!r} is not {kind[1]} (using the default {setting.default!r})")


def find_config_file(path: str | Path | None, env: os._Environ | dict) -> tuple[Path | None, bool]:
    """(file to read, whether it was asked for explicitly)."""
    if path:
        return Path(path), True
    if env.get("KHET_CONFIG"):
        return Path(env["KHET_CONFIG"]), True
    default = Path(DEFAULT_FILE)
    return (default if default.is_file() else None), False


def load_config(path: str | Path | None = None, env=os.environ) -> Config:
    """Read the TOML file (if any) then apply `KHET_…` overrides. Bad values are kept as problems, not raised."""
    cfg = Config()
    problems: list[Problem] = []
    file, explicit = find_config_file(path, env)
    data: dict[str, Any] = {}
    if file is not None:
        if not file.is_file():
            if explicit:
                raise ConfigError([Problem("file.missing", "", "error", f"ไม่พบไฟล์ตั้งค่า {file}",
                                           f"configuration file {file} not found")])
        else:
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError([Problem("file.invalid", "", "error",
                                           f"ไฟล์ตั้งค่า {file} ไม่ใช่ TOML ที่ถูกต้อง: {exc}",
                                           f"{file} is not valid TOML: {exc}")]) from exc
            cfg.source = file.resolve()
    base = cfg.source.parent if cfg.source else Path.cwd()

    for section, values in data.items():
        if not isinstance(values, dict):
            problems.append(Problem("setting.unknown", section, "warning",
                                    f"ไม่รู้จักค่า '{section}' (ต้องอยู่ในหัวข้อ [google], [paths] …)",
                                    f"unknown top-level setting '{section}' (settings live in sections)"))
            continue
        for name, raw in values.items():
            setting = _BY_KEY.get((section, name))
            if setting is None:
                problems.append(Problem("setting.unknown", f"{section}.{name}", "warning",
                                        f"ไม่รู้จักค่า {section}.{name} (สะกดผิดหรือไม่)",
                                        f"unknown setting {section}.{name} (a typo?)"))
                continue
            try:
                setattr(cfg, setting.key, _convert(setting, raw, base))
                cfg.origins[setting.key] = "file"
            except (ValueError, TypeError):
                problems.append(_bad_value(setting, raw, "file"))
                continue
            problems += _reduce_url(cfg, setting)

    for setting in SETTINGS:
        raw = env.get(setting.env)
        if raw is None and setting.name == "key_file" and cfg.key_file is None:
            raw = env.get("GOOGLE_APPLICATION_CREDENTIALS")
        if raw is None:
            continue
        try:
            setattr(cfg, setting.key, _convert(setting, raw, Path.cwd()))
            cfg.origins[setting.key] = "env"
        except (ValueError, TypeError):
            problems.append(_bad_value(setting, raw, "env"))
            continue
        problems += _reduce_url(cfg, setting)
    cfg.load_problems = problems
    return cfg


def _reduce_url(cfg: Config, setting: Setting) -> list[Problem]:
    """A pasted URL in an ID setting becomes the ID it holds (one warning); anything else is left for the check."""
    value = getattr(cfg, setting.key)
    if setting.name not in ID_SETTINGS or not value or (found := id_from_url(value)) is None:
        return []
    setattr(cfg, setting.key, found)
    name = f"{setting.section}.{setting.name}"
    return [Problem(f"{setting.name}.url", name, "warning",
                    f"{name} เป็น URL ระบบใช้รหัส {found} ที่อยู่ใน URL (ใส่เฉพาะรหัสก็ได้)",
                    f"{name} is a URL; using the ID it holds, {found} (the ID alone is enough)")]


def require_ready(cfg: Config, *, ignore: tuple[str, ...] = ()) -> list[Problem]:
    """`khet config check` before any work: every error it reports stops the command (ConfigError, exit 2 in
    the CLI); the warnings are returned for the command to show. `ignore`: settings a command's own option
    replaces (`--registry`)."""
    problems = [p for p in check_config(cfg) if p.setting not in ignore]
    if errors := [p for p in problems if p.severity == "error"]:
        raise ConfigError(errors)
    return problems


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def _p(code: str, setting: str, severity: str, th: str, en: str) -> Problem:
    return Problem(code, setting, severity, th, en)


def check_key_file(path: Path | None) -> list[Problem]:
    s = "google.key_file"
    if path is None:
        return [_p("key_file.missing", s, "error", "ยังไม่ได้ระบุไฟล์กุญแจบัญชีบริการ (key_file หรือ KHET_KEY_FILE)",
                   "no service-account key file set (key_file or KHET_KEY_FILE)")]
    if not path.is_file():
        return [_p("key_file.not_found", s, "error", f"ไม่พบไฟล์กุญแจ {path}", f"key file {path} not found")]
    try:
        info = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError:
        return [_p("key_file.unreadable", s, "error", f"อ่านไฟล์กุญแจ {path} ไม่ได้ (สิทธิ์ไฟล์?)",
                   f"cannot read key file {path} (permissions?)")]
    except (ValueError, UnicodeDecodeError):
        # The contents are a secret: never echo them, only say where parsing failed.
        return [_p("key_file.not_json", s, "error", f"ไฟล์กุญแจ {path} ไม่ใช่ JSON", f"key file {path} is not JSON")]
    if not isinstance(info, dict) or info.get("type") != "service_account":
        return [_p("key_file.not_service_account", s, "error",
                   f"ไฟล์ {path} ไม่ใช่กุญแจบัญชีบริการ (type ต้องเป็น service_account)",
                   f"{path} is not a service-account key (type must be service_account)")]
    problems = []
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if missing:
        problems.append(_p("key_file.incomplete", s, "error", f"ไฟล์กุญแจขาดข้อมูล: {', '.join(missing)}",
                           f"key file lacks: {', '.join(missing)}"))
    elif not _private_key_loads(info["private_key"]):
        problems.append(_p("key_file.bad_private_key", s, "error", "กุญแจส่วนตัวในไฟล์เสียหาย อ่านไม่ได้",
                           "the private key in the key file cannot be loaded"))
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        problems.append(_p("key_file.readable_by_others", s, "warning",
                           f"ผู้ใช้อื่นอ่านไฟล์กุญแจได้ ควรตั้งสิทธิ์เป็น 600 (chmod 600 {path})",
                           f"the key file is readable by other users; chmod 600 {path}"))
    return problems


def _private_key_loads(pem: str) -> bool:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return False
    return True


def check_config(cfg: Config) -> list[Problem]:
    """Everything missing or wrong, errors first; an empty list means ready to run."""
    # The embedded emulator issues its own key and holds only this district's files: a trial needs neither.
    # Any emulator holds only this district's files: listing everything visible is the district folder.
    embedded = cfg.endpoint == "emulator"
    problems = list(cfg.load_problems) + ([] if embedded and cfg.key_file is None else check_key_file(cfg.key_file))
    for name, sev, th, en in (
        ("drive_folder_id", "warning" if cfg.endpoint else "error", "ยังไม่ได้ระบุโฟลเดอร์ Drive ของเขต",
         "no Drive folder ID set"),
        ("district_spreadsheet_id", "warning", "ยังไม่ได้ระบุสเปรดชีตสรุปผลของเขต (งานรายคืนจะเขียนไม่ได้)",
         "no district output spreadsheet set (the nightly job cannot write its summary)"),
        ("template_spreadsheet_id", "warning", "ยังไม่มีแม่แบบ: khet schools template จะสร้างให้",
         "no template set: `khet schools template` creates one"),
    ):
        value = getattr(cfg, name)
        if not value:
            problems.append(_p(f"{name}.missing", f"google.{name}", sev, th, en))
        elif not _ID.match(value):
            problems.append(_p(f"{name}.invalid", f"google.{name}", "error",
                               f"รหัส {name} '{value}' มีอักขระที่ไม่ถูกต้อง (คัดลอกมาทั้ง URL หรือไม่)",
                               f"{name} '{value}' has invalid characters (pasted a whole URL?)"))
    if cfg.endpoint and cfg.endpoint != "emulator":
        parts = urlsplit(cfg.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(_p("endpoint.invalid", "google.endpoint", "error",
                               f"endpoint '{redact_url(cfg.endpoint)}' ไม่ถูกต้อง: เว้นว่าง, emulator หรือ URL",
                               f"endpoint '{redact_url(cfg.endpoint)}' is invalid: empty, emulator or a URL"))
    if not _TIME.match(cfg.schedule_time or ""):
        problems.append(_p("schedule.invalid", "schedule.time", "error",
                           f"เวลา '{cfg.schedule_time}' ไม่ถูกต้อง ใช้รูปแบบ ชม:นาที เช่น 02:00",
                           f"time '{cfg.schedule_time}' is invalid; use HH:MM, e.g. 02:00"))
    for name in ("reads_per_minute", "writes_per_minute"):
        value = getattr(cfg, name)
        if value < 1:
            problems.append(_p("quota.invalid", f"quota.{name}", "error", f"{name} ต้องมากกว่า 0",
                               f"{name} must be above 0"))
        elif value > 60:
            problems.append(_p("quota.above_google", f"quota.{name}", "warning",
                               f"{name} = {value} เกินโควตาของ Google (60 ต่อนาทีต่อบัญชี) จะเจอข้อผิดพลาด 429",
                               f"{name} = {value} is above Google's 60 per minute per account: expect 429s"))
    if cfg.history_backups < 0:
        problems.append(_p("history_backups.invalid", "paths.history_backups", "error",
                           "history_backups ต้องเป็น 0 ขึ้นไป", "history_backups must be 0 or more"))
    if not 1 <= cfg.max_tries <= 20:
        problems.append(_p("retry.invalid", "retry.max_tries", "error", "max_tries ต้องอยู่ระหว่าง 1 ถึง 20",
                           "max_tries must be 1 to 20"))
    problems += _above_zero(cfg, "retry", ("base_delay", "max_delay", "timeout"))
    if cfg.registry is None:
        problems.append(_p("registry.missing", "paths.registry", "warning", "ยังไม่ได้ระบุไฟล์ทะเบียนโรงเรียน",
                           "no school registry file set"))
    elif cfg.registry.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        problems.append(_p("registry.type", "paths.registry", "error",
                           "ทะเบียนโรงเรียนต้องเป็นไฟล์ .xlsx, .xlsm หรือ .csv",
                           "the registry must be an .xlsx, .xlsm or .csv file"))
    elif not cfg.registry.is_file():
        problems.append(_p("registry.not_found", "paths.registry", "error", f"ไม่พบไฟล์ทะเบียน {cfg.registry}",
                           f"registry file {cfg.registry} not found"))
    if cfg.settings is not None and (cfg.settings.suffix.lower() not in (".xlsx", ".xlsm")
                                     or not cfg.settings.is_file()):
        problems.append(_p("settings.not_found", "paths.settings", "error",
                           f"ไม่พบไฟล์ตั้งค่า {cfg.settings} (.xlsx/.xlsm) — ตรวจเนื้อหาด้วย khet settings check",
                           f"settings file {cfg.settings} (.xlsx/.xlsm) not found — check its content with "
                           "khet settings check"))
    problems += check_office(cfg)
    for name in ("data_dir", "log_dir", "report_dir"):
        problems += _not_writable(getattr(cfg, name), f"paths.{name}")
    return sorted(problems, key=lambda p: p.severity != "error")


def _above_zero(cfg: Config, section: str, names: tuple[str, ...], unit_th: str = "", unit_en: str = "") -> list[Problem]:
    return [_p(f"{section}.invalid", f"{section}.{name}", "error", f"{name} ต้องมากกว่า 0{unit_th}",
               f"{name} must be above 0{unit_en}")
            for name in names if not getattr(cfg, name) > 0]


def _not_writable(path: Path, setting: str) -> list[Problem]:
    """A folder that exists and cannot be written, or whose nearest existing parent cannot (it is made later)."""
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        return [_p("path.not_writable", setting, "error", f"เขียนโฟลเดอร์ {path} ไม่ได้", f"folder {path} is not writable")]
    return []


_HOURS = re.compile(r"^\s*([01]\d|2[0-3]):[0-5]\d\s*-\s*([01]\d|2[0-3]):[0-5]\d\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_office(cfg: Config) -> list[Problem]:
    """[office]: the job host's poll and heartbeat, office hours, and a staff PC's sign-in (sync/control)."""
    problems = _above_zero(cfg, "office", ("poll_minutes", "off_hours_poll_minutes", "heartbeat_minutes"),
                           " นาที", " minutes")
    if cfg.poll_minutes > 0 and cfg.heartbeat_minutes > 0 and cfg.heartbeat_minutes < cfg.poll_minutes:
        problems.append(_p("office.heartbeat_short", "office.heartbeat_minutes", "warning",
                           "heartbeat_minutes สั้นกว่ารอบตรวจคำขอ สถานะจะเขียนได้แค่ทุกรอบตรวจ",
                           "heartbeat_minutes is shorter than the poll: the status is written once a poll at most"))
    hours = cfg.office_hours or ""
    match = _HOURS.match(hours)
    if not match or hours.split("-")[0].strip() >= hours.split("-")[1].strip():
        problems.append(_p("office.hours_invalid", "office.hours", "error",
                           f"เวลาราชการ '{hours}' ไม่ถูกต้อง ใช้รูปแบบ ชม:นาที-ชม:นาที เช่น 08:00-17:00 (เริ่มก่อนเลิก)",
                           f"office hours '{hours}' are invalid; use HH:MM-HH:MM, e.g. 08:00-17:00 (start before end)"))
    if cfg.staff_account and not _EMAIL.match(cfg.staff_account.strip()):
        problems.append(_p("office.account_invalid", "office.account", "error",
                           f"บัญชีเจ้าหน้าที่ '{cfg.staff_account}' ไม่ใช่อีเมลบัญชี Google",
                           f"staff account '{cfg.staff_account}' is not a Google account e-mail"))
    client = cfg.oauth_client
    if client is not None:
        try:
            kind = next(iter(json.loads(Path(client).read_text(encoding="utf-8"))), "")
        except FileNotFoundError:
            kind = None
            problems.append(_p("office.oauth_client_missing", "office.oauth_client", "error",
                               f"ไม่พบไฟล์ OAuth client {client}", f"OAuth client file {client} not found"))
        except (OSError, ValueError, TypeError, StopIteration):
            kind = ""
        if kind is not None and kind != "installed":
            problems.append(_p("office.oauth_client_invalid", "office.oauth_client", "error",
                               f"{client} ไม่ใช่ไฟล์ OAuth client ชนิด Desktop app (ต้องมีส่วน \"installed\")",
                               f"{client} is not a Desktop-app OAuth client file (it needs an \"installed\" section)"))
    if cfg.token_dir is not None:
        problems += _not_writable(Path(cfg.token_dir), "office.token_dir")
    return problems


def example_toml() -> str:
    """The commented example file, generated from SETTINGS (khet.example.toml is this text)."""
    out = ["# Khet configuration (ตั้งค่า Khet). Every value can be overridden by an environment variable",
           "# shown after it. Relative paths are relative to this file."]
    section = None
    for s in SETTINGS:
        if s.section != section:
            section = s.section
            out += ["", f"[{section}]"]
        out.append(f"# {s.help_th} / {s.help_en} ({s.env})")
        default = s.default
        if default is None:
            value = '""'
        elif isinstance(default, (int, float)):
            value = repr(default)
        else:
            value = json.dumps(str(default), ensure_ascii=False)
        if s.name == "key_file":
            value = '"secrets/khet-sync.json"'
        elif s.name == "registry":
            value = '"registry.xlsx"'
        out.append(f"{s.name} = {value}")
    return "\n".join(out) + "\n"
