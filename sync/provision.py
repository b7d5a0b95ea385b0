"""Provisioning: one Google Sheet per school, copied from the template, shared, protected, recorded in the registry.

For each active school without a spreadsheet ID (`provision`):
1. find a spreadsheet named exactly `<code> <school name>` in the district folder (a run that died between the
   copy and the registry write left it there) — else copy the template into the folder under that name;
2. share it as writer with the school's contact account (no e-mail unless `notify`), unless already shared;
3. one atomic batchUpdate: protect the header rows and the feedback tab, set the dropdowns
   (`google_template.school_setup_requests`, protections already present are not added again);
4. a fresh copy gets the school's code, name, network, size and the fiscal year typed into its profile tab, and
   the district's KPIs with this school's targets into its KPI tab (RAW: school text is never parsed as a
   formula); the setup batch tags the copy with the template version (`sync.update.template_version`: what
   `khet schools update` and the summary compare);
5. the spreadsheet ID is written back to the registry (every `flush_every` schools and at the end, also when the
   run stops on an error).
A school that fails is reported with the reason and the run goes on. A second run changes nothing: schools
with an ID are skipped without a single request. Only provisioning uses the full Drive scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError
from openpyxl.utils import quote_sheetname

from addin.calendar import fiscal_year as fiscal_year_of
from addin.status import today_in_thailand
from sync.gclient import drive_url
from sync.google_template import school_setup_requests, sheet_metadata
from sync.http import RequestFailed
from sync.registry import Registry, School
from sync.update import TAG_VERSION, template_version, version_requests
from workbook.errors import KhetError
from workbook.settings import DistrictSettings
from workbook.sheets import SCHOOL_SHEETS, get_sheet

NOTIFY_MESSAGE = ("เขตพื้นที่การศึกษาแชร์ชีตรายงานของโรงเรียนให้แล้ว กรุณากรอกข้อมูลตามแท็บต่าง ๆ "
                  "/ Your district office has shared your school's reporting sheet.")


class ProvisionError(KhetError):
    """Provisioning cannot start (template missing or broken); Thai and English."""

    code = "provision"

    def __init__(self, message_th: str, message_en: str, **details):
        super().__init__(None, message_th, message_en, **details)


@dataclass
class ProvisionOutcome:
    code: str
    name: str
    status: str  # created | resumed | already | inactive | failed
    spreadsheet_id: str = ""
    reason: str = ""
    message_th: str = ""
    message_en: str = ""
    template_version: str = ""  # the version tag a sheet made or finished now carries

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ProvisionResult:
    template_id: str
    outcomes: list[ProvisionOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0


def _error_reason(exc: Exception) -> tuple[str, str, str]:
    """(reason, Thai, English) for a failed Google call."""
    if isinstance(exc, RequestFailed):
        return (exc.reason or "error", f"Google ไม่ตอบหลังลอง {exc.tries} ครั้ง ({exc.reason}) จะลองใหม่ในรอบหน้า",
                f"Google did not answer after {exc.tries} tries ({exc.reason}); the next run retries")
    if isinstance(exc, APIError):
        code = exc.response.status_code
        if code == 404:
            return ("not_found", "ไม่พบไฟล์ (แม่แบบหรือโฟลเดอร์ถูกลบ?)", "file not found (template or folder deleted?)")
        if code == 403:
            return ("permission", "บัญชีบริการไม่มีสิทธิ์ (โฟลเดอร์หรือแม่แบบไม่ได้แชร์ให้?)",
                    "the service account lacks permission (folder or template not shared with it?)")
        return ("api", f"Google ตอบข้อผิดพลาด {code}: {exc.error.get('message', '')}",
                f"Google answered {code}: {exc.error.get('message', '')}")
    return ("error", f"ข้อผิดพลาด: {exc}", f"error: {exc}")


def _service_account(client) -> str:
    auth = getattr(client.http_client, "auth", None)
    email = getattr(auth, "service_account_email", None)
    if not email:
        raise ProvisionError("การสร้างชีตต้องใช้กุญแจบัญชีบริการ", "provisioning needs a service-account key")
    return email


def list_folder_names(client, folder_id: str | None) -> dict[str, str]:
    """name → ID of the spreadsheets in the folder (the oldest wins when two share a name)."""
    from sync.reader import list_spreadsheets

    out: dict[str, str] = {}
    for f in sorted(list_spreadsheets(client, folder_id, include_trashed=False), key=lambda f: f.created_time):
        out.setdefault(f.name, f.id)
    return out


def _already_shared(client, spreadsheet_id: str, email: str) -> bool:
    for p in client.list_permissions(spreadsheet_id):
        if str(p.get("emailAddress", "")).lower() == email and p.get("role") in ("writer", "owner"):
            return True
    return False


def _grid_rows(sheet, rows: list[dict]) -> list[list]:
    out = []
    for values in rows:
        row = [values.get(k, "") for k in sheet.keys()]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


def _prefill(client, spreadsheet_id: str, school: School, settings: DistrictSettings, fiscal_year: int) -> None:
    """A fresh copy's profile row (code, name, network, size, fiscal year: what the district already knows, so
    the school is not asked for it — an empty fiscal year was a finding every night) and its KPI tab (the
    district's indicators and this school's targets), in one RAW request."""
    profile, kpi = get_sheet("school_profile"), get_sheet("kpi")
    data = [{"range": f"{quote_sheetname(profile.title_th)}!A{profile.first_data_row}",
             "values": _grid_rows(profile, [{"school_code": school.code, "school_name": school.name,
                                             "network": school.network, "size": school.size,
                                             "fiscal_year": fiscal_year}])}]
    if kpi_rows := settings.kpi_rows(school.code, school.size):
        data.append({"range": f"{quote_sheetname(kpi.title_th)}!A{kpi.first_data_row}",
                     "values": _grid_rows(kpi, kpi_rows)})
    client.http_client.values_batch_update(spreadsheet_id, body={"valueInputOption": "RAW", "data": data})


def provision_school(client, school: School, *, template_id: str, template_ids: dict[str, int],
                     folder_id: str | None, existing: dict[str, str], editor: str, notify: bool,
                     settings: DistrictSettings, fiscal_year: int, version: str) -> ProvisionOutcome:
    """Make (or finish) one school's spreadsheet; raises on a Google error (the caller records it)."""
    sid = existing.get(school.file_name)
    if sid is None:
        body = {"name": school.file_name, **({"parents": [folder_id]} if folder_id else {})}
        r = client.http_client.request("post", drive_url(f"files/{template_id}/copy"),
                                       params={"supportsAllDrives": True, "fields": "id,name,mimeType"}, json=body)
        sid = r.json()["id"]
        existing[school.file_name] = sid
        ids, tags, status = template_ids, set(), "created"
        _prefill(client, sid, school, settings, fiscal_year)
        shared = False
    else:
        ids, tags = sheet_metadata(client, sid)
        status = "resumed"
        shared = _already_shared(client, sid, school.contact_email)
        missing = [s for s in template_ids if s not in ids]
        if missing:
            raise ProvisionError(f"ชีตเดิมชื่อ '{school.file_name}' ขาดแท็บ {', '.join(missing)} ลบหรือเปลี่ยนชื่อไฟล์นั้นก่อน",
                                 f"existing '{school.file_name}' lacks tabs {', '.join(missing)}; remove or rename it")
    if not shared:
        client.insert_permission(sid, value=school.contact_email, perm_type="user", role="writer",
                                 notify=notify, email_message=NOTIFY_MESSAGE if notify else None)
    reqs = school_setup_requests(ids, [editor], tags, settings.school_sheets())
    tagged = next((t[len(TAG_VERSION):] for t in tags if t.startswith(TAG_VERSION)), None)
    if tagged is None:
        reqs += version_requests(ids, version, editor)
    if reqs:
        client.http_client.batch_update(sid, {"requests": reqs})
    th = "สร้างชีตและแชร์ให้โรงเรียนแล้ว" if status == "created" else "พบชีตที่สร้างค้างไว้ ตั้งค่าต่อจนครบแล้ว"
    en = "sheet created and shared" if status == "created" else "found a half-made sheet and finished it"
    return ProvisionOutcome(school.code, school.name, status, sid, "", th, en, tagged or version)


def provision(client, registry: Registry, *, template_id: str, folder_id: str | None, notify: bool = False,
              flush_every: int = 10, settings: DistrictSettings | None = None,
              fiscal_year: int | None = None) -> ProvisionResult:
    """Provision every active school without a spreadsheet ID (see the module docstring); the dropdowns and KPI
    rows are the district's `settings` for `fiscal_year` (None: the shipped defaults; this fiscal year)."""
    fiscal_year = fiscal_year or (settings.fiscal_year if settings else None) or fiscal_year_of(today_in_thailand())
    settings = (settings or DistrictSettings.default()).for_year(fiscal_year)
    version = template_version(settings)
    result = ProvisionResult(template_id)
    todo: list[School] = []
    for s in registry.schools:
        if not s.active:
            result.outcomes.append(ProvisionOutcome(s.code, s.name, "inactive", s.spreadsheet_id, "",
                                                    "ไม่ได้ใช้งาน ข้าม", "inactive, skipped"))
        elif s.spreadsheet_id:
            result.outcomes.append(ProvisionOutcome(s.code, s.name, "already", s.spreadsheet_id, "",
                                                    "มีชีตแล้ว", "already provisioned"))
        else:
            todo.append(s)
    if not todo:
        return result
    try:
        template_ids, _ = sheet_metadata(client, template_id)
    except (APIError, RequestFailed) as exc:
        _, th, en = _error_reason(exc)
        raise ProvisionError(f"เปิดแม่แบบ {template_id} ไม่ได้: {th}", f"cannot open template {template_id}: {en}") from exc
    expected = {s.key for s in SCHOOL_SHEETS}
    if missing := sorted(expected - set(template_ids)):
        raise ProvisionError(f"แม่แบบขาดแท็บ: {', '.join(missing)} (สร้างใหม่ด้วย khet schools template)",
                             f"the template lacks tabs: {', '.join(missing)} (rebuild: khet schools template)")
    editor = _service_account(client)
    existing = list_folder_names(client, folder_id)
    pending: dict[str, str] = {}
    try:
        for school in todo:
            try:
                outcome = provision_school(client, school, template_id=template_id, template_ids=template_ids,
                                           folder_id=folder_id, existing=existing, editor=editor, notify=notify,
                                           settings=settings, fiscal_year=fiscal_year, version=version)
            except RefreshError:
                raise  # the key itself is refused: every further school would fail the same way
            except (APIError, RequestFailed, ProvisionError) as exc:
                if isinstance(exc, ProvisionError):
                    reason, th, en = "conflict", exc.message_th, exc.message_en
                else:
                    reason, th, en = _error_reason(exc)
                result.outcomes.append(ProvisionOutcome(school.code, school.name, "failed", "", reason, th, en))
                continue
            result.outcomes.append(outcome)
            pending[school.code] = outcome.spreadsheet_id
            if len(pending) >= flush_every:
                registry.save_spreadsheet_ids(pending)
                pending = {}
    finally:
        if pending:
            registry.save_spreadsheet_ids(pending)
    return result

