"""What the nightly run proves before any work: that Google accepts the key and that the account can see the
Drive folder, the district sheet and the template — one cheap `files.get` each, so a wrong ID, a pasted URL or
a folder never shared fails at the start with the setting named, not after a night of "success" that read
nothing (or a 404 on the district sheet after all the work)."""

from __future__ import annotations

from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError
from requests import RequestException

from sync.gclient import get_file
from sync.google_template import SPREADSHEET_MIME
from sync.http import RequestFailed
from workbook.errors import KhetError

FOLDER_MIME = "application/vnd.google-apps.folder"


def account_email(client) -> str:
    auth = getattr(client.http_client, "auth", None)
    return getattr(auth, "service_account_email", "") or getattr(auth, "signer_email", "") or "?"


def probe_google(client, *, folder_id: str | None = None, district_spreadsheet_id: str | None = None,
                 template_spreadsheet_id: str | None = None) -> int:
    """Raise a KhetError naming the setting when one of the configured files cannot be used; returns the number
    of requests made (one per configured ID)."""
    wanted = [("google.drive_folder_id", folder_id, FOLDER_MIME, "โฟลเดอร์", "folder"),
              ("google.district_spreadsheet_id", district_spreadsheet_id, SPREADSHEET_MIME, "สเปรดชีต", "spreadsheet"),
              ("google.template_spreadsheet_id", template_spreadsheet_id, SPREADSHEET_MIME, "สเปรดชีต",
               "spreadsheet")]
    asked = 0
    for setting, file_id, mime, kind_th, kind_en in wanted:
        if not file_id:
            continue
        asked += 1
        try:
            meta = get_file(client, file_id, "id,name,mimeType,trashed")
        except RefreshError as exc:
            raise KhetError("google.auth_refused",
                            "Google ปฏิเสธกุญแจบัญชีบริการ (ถูกเพิกถอน ลบ หรือเวลาเครื่องผิด) ตรวจด้วย khet config check",
                            "Google refused the service-account key (revoked, deleted, or a wrong clock); "
                            "see khet config check", reason=str(exc)[:200]) from None
        except APIError as exc:
            if isinstance(exc, RequestFailed) or exc.response.status_code not in (403, 404):
                raise _unreachable(exc) from None
            email = account_email(client)
            raise KhetError("google.not_visible",
                            f"บัญชี {email} มองไม่เห็น{kind_th} {setting} = '{file_id}' (รหัสผิด หรือยังไม่ได้แชร์ให้บัญชีนี้) "
                            f"แก้ค่าใน khet.toml หรือแชร์{kind_th}ให้ {email}",
                            f"the account {email} cannot see the {kind_en} {setting} = '{file_id}' (a wrong ID, or "
                            f"not shared with this account); fix khet.toml or share it with {email}",
                            setting=setting, id=file_id, status=exc.response.status_code) from None
        except (RequestFailed, RequestException) as exc:
            raise _unreachable(exc) from None
        if meta.get("trashed"):
            raise KhetError("google.trashed", f"{kind_th} {setting} = '{file_id}' อยู่ในถังขยะของ Drive กู้คืนก่อน",
                            f"the {kind_en} {setting} = '{file_id}' is in the Drive trash; restore it first",
                            setting=setting, id=file_id)
        if meta.get("mimeType") != mime:
            raise KhetError("google.wrong_kind",
                            f"{setting} = '{file_id}' ไม่ใช่{kind_th} ('{meta.get('name', '')}' เป็น {meta.get('mimeType')})",
                            f"{setting} = '{file_id}' is not a {kind_en} ('{meta.get('name', '')}' is "
                            f"{meta.get('mimeType')})", setting=setting, id=file_id)
    return asked


def _unreachable(exc: Exception) -> KhetError:
    return KhetError("google.unreachable", "ติดต่อ Google ไม่ได้ (เครือข่าย หรือ Google ขัดข้อง) งานคืนนี้ไม่ได้เริ่ม",
                     f"cannot reach Google ({type(exc).__name__}); tonight's run did not start",
                     reason=str(exc)[:200])
