"""Drive API v3: files list/get/create/copy/update/delete, permissions, the changes feed, and the `q`
language.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from .batch_update import copy_spreadsheet
from .errors import drive_error, drive_forbidden, drive_invalid, drive_not_found
from .fields import select
from .sheets import create_spreadsheet_file, flag, one
from .state import FOLDER_MIME, ROLE_RANK, SHEETS_MIME, File, Store, parse_rfc3339, permission_id, rfc3339

DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"


def root_id(email: str) -> str:
    """Each account's 'My Drive' folder id (stable, so `'root' in parents` works across restarts)."""
    return "0A" + hashlib.sha256(email.lower().encode()).hexdigest()[:17].upper() + "Uk9PVA"


def user_json(email: str, caller: str) -> dict:
    return {
        "kind": "drive#user",
        "displayName": email.partition("@")[0],
        "emailAddress": email,
        "me": email.lower() == caller.lower(),
        "permissionId": permission_id("user", email),
    }


def file_json(f: File, caller: str) -> dict:
    role = f.role_of(caller)
    out = {
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime,
        "parents": list(f.parents),
        "starred": False,
        "trashed": f.trashed,
        "explicitlyTrashed": f.trashed,
        "version": str(f.version),
        "createdTime": rfc3339(f.created),
        "modifiedTime": rfc3339(f.modified),
        "owners": [user_json(f.owner, caller)],
        "ownedByMe": f.owner.lower() == caller.lower(),
        "shared": len(f.permissions) > 1,
        "webViewLink": _link(f),
        "capabilities": {
            "canEdit": role >= ROLE_RANK["writer"],
            "canShare": role >= ROLE_RANK["writer"],
            "canCopy": True,
            "canDelete": role == ROLE_RANK["owner"],
            "canTrash": role == ROLE_RANK["owner"],
            "canListChildren": f.mime == FOLDER_MIME,
        },
    }
    if f.description is not None:
        out["description"] = f.description
    if role >= ROLE_RANK["writer"]:  # like Drive, only editors see who else has access
        out["permissions"] = [dict(p) for p in f.permissions]
        out["permissionIds"] = [p["id"] for p in f.permissions]
    return out


def _link(f: File) -> str:
    if f.mime == SHEETS_MIME:
        return f"https://docs.google.com/spreadsheets/d/{f.id}/edit?usp=drivesdk"
    if f.mime == FOLDER_MIME:
        return f"https://drive.google.com/drive/folders/{f.id}"
    return f"https://drive.google.com/file/d/{f.id}/view?usp=drivesdk"


def visible(store: Store, file_id: str, email: str, need: str = "reader") -> File:
    f = store.files.get(file_id)
    if f is None or f.role_of(email) == 0:
        raise drive_not_found(file_id)
    if f.role_of(email) < ROLE_RANK[need]:
        raise drive_forbidden()
    return f


# -- the q language ---

_TOKEN = re.compile(
    r"\s*(?:('(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\")|(!=|<=|>=|=|<|>|\(|\))|([A-Za-z_][\w.]*))"
)


def _tokens(q: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        m = _TOKEN.match(q, pos)
        if not m:
            raise drive_invalid("Invalid Value", "q")
        if m.group(1) is not None:
            out.append(("str", re.sub(r"\\(.)", r"\1", m.group(1)[1:-1])))
        elif m.group(2) is not None:
            out.append(("op", m.group(2)))
        else:
            out.append(("word", m.group(3)))
        pos = m.end()
    return out


class Query:
    """Parses Drive's `q` into a predicate over (file, caller)."""

    TIME_FIELDS = ("modifiedTime", "createdTime")
    LIST_FIELDS = ("parents", "owners", "writers", "readers")

    def __init__(self, q: str):
        self.toks = _tokens(q)
        self.i = 0
        self.pred = self._or() if self.toks else (lambda f, me: True)
        if self.i != len(self.toks):
            raise drive_invalid("Invalid Value", "q")

    def _peek(self, kind=None, value=None):
        if self.i < len(self.toks):
            k, v = self.toks[self.i]
            if (kind is None or k == kind) and (value is None or v.lower() == value):
                return self.toks[self.i]
        return None

    def _take(self, kind=None, value=None):
        tok = self._peek(kind, value)
        if tok is None:
            raise drive_invalid("Invalid Value", "q")
        self.i += 1
        return tok

    def _chain(self, word, operand, join):
        """`operand (word operand)*`, folded left with `join` (or binds looser than and)."""
        left = operand()
        while self._peek("word", word):
            self.i += 1
            left = join(left, operand())
        return left

    def _or(self):
        return self._chain("or", self._and, lambda a, b: lambda f, me: a(f, me) or b(f, me))

    def _and(self):
        return self._chain("and", self._not, lambda a, b: lambda f, me: a(f, me) and b(f, me))

    def _not(self):
        if self._peek("word", "not"):
            self.i += 1
            inner = self._not()
            return lambda f, me: not inner(f, me)
        if self._peek("op", "("):
            self.i += 1
            inner = self._or()
            self._take("op", ")")
            return inner
        return self._term()

    def _term(self):
        kind, value = self._take()
        if kind == "str":  # 'X' in parents
            self._take("word", "in")
            field = self._take("word")[1]
            return self._membership(field, value)
        if value == "sharedWithMe":
            return lambda f, me: f.owner.lower() != me.lower()
        field = value
        if self._peek("word", "in"):  # parents in 'X' (gspread writes it this way round)
            self.i += 1
            return self._membership(field, self._take("str")[1])
        if self._peek("word", "contains"):
            self.i += 1
            needle = self._take("str")[1].lower()
            if field in ("name", "fullText"):
                return lambda f, me: needle in f.name.lower()
            raise drive_invalid("Invalid Value", "q")
        op = self._take("op")[1]
        kind, raw = self._take()
        if field in ("trashed", "starred"):
            if kind != "word" or raw.lower() not in ("true", "false") or op not in ("=", "!="):
                raise drive_invalid("Invalid Value", "q")
            want = raw.lower() == "true"
            attr = (lambda f: f.trashed) if field == "trashed" else (lambda f: False)
            return lambda f, me: (attr(f) == want) == (op == "=")
        if kind != "str":
            raise drive_invalid("Invalid Value", "q")
        if field in self.TIME_FIELDS:
            try:
                bound = parse_rfc3339(raw)
            except ValueError as exc:
                raise drive_invalid("Invalid Value", "q") from exc
            get = (lambda f: f.modified) if field == "modifiedTime" else (lambda f: f.created)
            return _compare(get, op, bound)
        if field in ("name", "mimeType"):
            if op not in ("=", "!="):
                raise drive_invalid("Invalid Value", "q")
            get = (lambda f: f.name) if field == "name" else (lambda f: f.mime)
            return lambda f, me: (get(f) == raw) == (op == "=")
        raise drive_invalid("Invalid Value", "q")

    def _membership(self, field: str, value: str):
        if field == "parents":
            return lambda f, me: (root_id(me) if value == "root" else value) in f.parents
        if field == "owners":
            return lambda f, me: f.owner.lower() == (me if value == "me" else value).lower()
        if field in ("writers", "readers"):
            need = ROLE_RANK["writer"] if field == "writers" else ROLE_RANK["reader"]
            return lambda f, me: f.role_of(me if value == "me" else value) >= need
        raise drive_invalid("Invalid Value", "q")


def _compare(get, op: str, bound: int):
    ops = {
        "=": lambda a: a == bound,
        "!=": lambda a: a != bound,
        "<": lambda a: a < bound,
        "<=": lambda a: a <= bound,
        ">": lambda a: a > bound,
        ">=": lambda a: a >= bound,
    }
    test = ops[op]
    return lambda f, me: test(get(f))


# -- files --------------------------------------------------------------------------------------------------


def _page_size(params: dict, default: int) -> int:
    raw = one(params, "pageSize", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise drive_invalid(f"Invalid value '{raw}'. Values must be within the range: [1, 1000]", "pageSize")
    return int(raw)


def _sort_key(order_by: str):
    keys = []
    for part in filter(None, (p.strip() for p in order_by.split(","))):
        name, _, direction = part.partition(" ")
        getter = {
            "createdTime": lambda f: f.created,
            "modifiedTime": lambda f: f.modified,
            "name": lambda f: f.name.lower(),
            "name_natural": lambda f: f.name.lower(),
            "folder": lambda f: f.mime != FOLDER_MIME,
        }.get(name)
        if getter is None:
            raise drive_invalid("Invalid Value", "orderBy")
        keys.append((getter, direction.strip().lower() == "desc"))
    return keys


def files_list(store: Store, email: str, params: dict) -> dict:
    q = one(params, "q", "") or ""
    order_by = one(params, "orderBy", "") or ""
    size = _page_size(params, 100)
    pred = Query(q).pred
    matches = [f for f in store.files.values() if f.role_of(email) and pred(f, email)]
    # Stable default order (creation order) so page tokens stay valid while files change.
    matches.sort(key=lambda f: f.seq)
    for getter, desc in reversed(_sort_key(order_by)):
        matches.sort(key=getter, reverse=desc)
    digest = hashlib.sha1(f"{q}|{order_by}|{email}".encode()).hexdigest()[:8]
    offset = 0
    token = one(params, "pageToken")
    if token:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            offset, ok = int(data["o"]), data["h"] == digest
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise drive_invalid("Invalid Value", "pageToken")
    page = matches[offset : offset + size]
    out: dict = {
        "kind": "drive#fileList",
        "incompleteSearch": False,
        "files": [file_json(f, email) for f in page],
    }
    if offset + size < len(matches):
        out["nextPageToken"] = base64.urlsafe_b64encode(
            json.dumps({"o": offset + size, "h": digest}).encode()
        ).decode()
    fields = one(params, "fields") or "kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)"
    return select(out, fields)


def files_get(store: Store, email: str, file_id: str, params: dict) -> dict:
    if one(params, "alt") == "media":
        raise drive_error(
            403,
            "fileNotDownloadable",
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
        )
    f = visible(store, file_id, email)
    return select(file_json(f, email), one(params, "fields") or DEFAULT_FILE_FIELDS)


def _parents(store: Store, email: str, given: list[str] | None) -> list[str]:
    out = []
    for pid in given or ["root"]:
        if pid in ("root", root_id(email)):
            out.append(root_id(email))
            continue
        parent = store.files.get(pid)
        if parent is None or parent.mime != FOLDER_MIME or parent.role_of(email) == 0:
            raise drive_not_found(pid)
        if parent.role_of(email) < ROLE_RANK["writer"]:
            raise drive_forbidden()
        out.append(pid)
    return out


def files_create(store: Store, email: str, params: dict, body: dict) -> dict:
    name = body.get("name") or "Untitled"
    mime = body.get("mimeType") or "application/octet-stream"
    parents = _parents(store, email, body.get("parents"))
    if mime == SHEETS_MIME:
        f = create_spreadsheet_file(store, email, name, parents)
    else:
        f = File(store.new_id(), name, mime, email, store.file_now_ms(), parents)
    f.description = body.get("description")
    store.add_file(f)
    return select(file_json(f, email), one(params, "fields") or DEFAULT_FILE_FIELDS)


def files_copy(store: Store, email: str, file_id: str, params: dict, body: dict) -> dict:
    """A copy owned by the caller: every sheet with values, formulas, formats, validation, protected ranges
    and
    named ranges. Permissions, comments and revision history are not copied (as in Drive)."""
    source = visible(store, file_id, email)
    if source.mime == FOLDER_MIME:
        raise drive_error(403, "fileNotCopyable", "This file cannot be copied by the user.")
    if "parents" in body:
        parents = _parents(store, email, body["parents"])
    else:
        parents = [
            p
            for p in source.parents
            if p == root_id(email)
            or (p in store.files and store.files[p].role_of(email) >= ROLE_RANK["writer"])
        ] or [root_id(email)]
    f = File(
        store.new_id(),
        body.get("name") or f"Copy of {source.name}",
        source.mime,
        email,
        store.file_now_ms(),
        parents,
    )
    f.description = body.get("description", source.description)
    if source.spreadsheet is not None:
        f.spreadsheet = copy_spreadsheet(source.spreadsheet)
    store.add_file(f)
    return select(file_json(f, email), one(params, "fields") or DEFAULT_FILE_FIELDS)


def files_update(store: Store, email: str, file_id: str, params: dict, body: dict) -> dict:
    f = visible(store, file_id, email, "writer")
    content = False
    trash = "trashed" in body and bool(body["trashed"]) != f.trashed
    if trash and f.role_of(email) < ROLE_RANK["owner"]:
        raise drive_forbidden()
    add = (
        _parents(store, email, [p for p in (one(params, "addParents") or "").split(",") if p] or None)
        if one(params, "addParents")
        else []
    )
    remove = [p for p in (one(params, "removeParents") or "").split(",") if p]
    if trash:
        f.trashed = bool(body["trashed"])
    if "name" in body and body["name"] != f.name:
        f.name, content = body["name"], True
    if "description" in body:
        f.description = body["description"]
    f.parents += [p for p in add if p not in f.parents]
    if remove:
        f.parents = [p for p in f.parents if p not in remove]
    store.touch(f, content=content)
    return select(file_json(f, email), one(params, "fields") or DEFAULT_FILE_FIELDS)


def files_delete(store: Store, email: str, file_id: str) -> None:
    f = visible(store, file_id, email)
    if f.role_of(email) < ROLE_RANK["owner"]:
        raise drive_forbidden()
    doomed = [f]
    while doomed:  # deleting a folder deletes what its owner keeps inside it, like Drive
        item = doomed.pop()
        if item.id in store.files:
            store.delete_file(item)
        if item.mime == FOLDER_MIME:
            doomed += [c for c in store.files.values() if item.id in c.parents and c.owner == item.owner]


# -- permissions ---

PERMISSION_DEFAULT_FIELDS = "kind,id,type,role"
PERMISSION_TYPES = ("user", "group", "domain", "anyone")


def permissions_create(store: Store, email: str, file_id: str, params: dict, body: dict) -> dict:
    f = visible(store, file_id, email, "writer")
    kind, role = body.get("type"), body.get("role")
    if kind not in PERMISSION_TYPES:
        raise drive_error(
            400,
            "required" if not kind else "invalid",
            "The permission type field is required." if not kind else f"Invalid type: {kind}",
            locationType="other",
            location="permission.type",
        )
    if role not in ROLE_RANK:
        raise drive_error(
            400,
            "required" if not role else "invalid",
            "The permission role field is required." if not role else f"Invalid role: {role}",
            locationType="other",
            location="permission.role",
        )
    who = body.get("emailAddress") if kind in ("user", "group") else body.get("domain")
    if kind != "anyone" and not who:
        raise drive_error(
            400,
            "invalidSharingRequest",
            'Bad Request. User message: "You must specify an email address or domain."',
        )
    if role == "owner":
        if f.role_of(email) < ROLE_RANK["owner"]:
            raise drive_forbidden()
        if not flag(params, "transferOwnership") or kind != "user":
            raise drive_error(
                403,
                "forbidden",
                "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            )
    pid = permission_id(kind, who)
    perm = {"kind": "drive#permission", "id": pid, "type": kind, "role": role}
    if kind in ("user", "group"):
        perm["emailAddress"] = who
        perm["displayName"] = who.partition("@")[0]
    elif kind == "domain":
        perm["domain"] = who
    if kind in ("anyone", "domain"):
        perm["allowFileDiscovery"] = bool(body.get("allowFileDiscovery", False))
    if role == "owner":
        for p in f.permissions:
            if p["role"] == "owner":
                p["role"] = "writer"  # the previous owner keeps edit access
        f.owner = who
    f.permissions = [p for p in f.permissions if p["id"] != pid] + [perm]
    store.touch(f, content=False)
    return select(dict(perm), one(params, "fields") or PERMISSION_DEFAULT_FIELDS)


def permissions_list(store: Store, email: str, file_id: str, params: dict) -> dict:
    f = visible(store, file_id, email, "writer")
    out = {"kind": "drive#permissionList", "permissions": [dict(p) for p in f.permissions]}
    fields = one(params, "fields") or "kind,permissions(kind,id,type,role)"
    return select(out, fields)


def _permission(f: File, perm_id: str) -> dict:
    perm = next((p for p in f.permissions if p["id"] == perm_id), None)
    if perm is None:
        raise drive_error(
            404,
            "notFound",
            f"Permission not found: {perm_id}.",
            locationType="parameter",
            location="permissionId",
        )
    return perm


def permissions_get(store: Store, email: str, file_id: str, perm_id: str, params: dict) -> dict:
    f = visible(store, file_id, email)
    perm = _permission(f, perm_id)
    return select(dict(perm), one(params, "fields") or PERMISSION_DEFAULT_FIELDS)


def permissions_update(store: Store, email: str, file_id: str, perm_id: str, params: dict, body: dict) -> dict:
    """Only the role changes (Drive's permissions.update); an owner's role is changed by a transfer only."""
    f = visible(store, file_id, email, "writer")
    perm = _permission(f, perm_id)
    role = body.get("role")
    if role not in ROLE_RANK or role == "owner":
        raise drive_error(400, "invalid", f"Invalid role: {role}", locationType="other", location="permission.role")
    if perm["role"] == "owner":
        raise drive_error(403, "cannotModifyOwner", "The owner's role cannot be changed.")
    perm["role"] = role
    store.touch(f, content=False)
    return select(dict(perm), one(params, "fields") or PERMISSION_DEFAULT_FIELDS)


def permissions_delete(store: Store, email: str, file_id: str, perm_id: str) -> None:
    f = visible(store, file_id, email, "writer")
    perm = _permission(f, perm_id)
    if perm["role"] == "owner":
        raise drive_error(403, "cannotRemoveOwner", "The owner of a file cannot be removed.")
    f.permissions.remove(perm)
    store.touch(f, content=False)


# -- changes ---


def changes_start(store: Store) -> dict:
    return {"kind": "drive#startPageToken", "startPageToken": str(store.change_seq + 1)}


def changes_list(store: Store, email: str, params: dict) -> dict:
    token = one(params, "pageToken")
    if not token or not token.isdigit():
        raise (
            drive_invalid("Invalid Value", "pageToken")
            if token
            else drive_error(
                400,
                "required",
                "Required parameter: pageToken",
                locationType="parameter",
                location="pageToken",
            )
        )
    size = _page_size(params, 100)
    include_removed = (one(params, "includeRemoved", "true") or "true").lower() == "true"
    start = int(token)
    # changes[] is ordered by id, ids are dense from 1: the entry with id n is at index n - 1 (or earlier if
    # the log was loaded from a database that started mid-way; scan from the nearest position).
    idx = max(0, min(start - 1, len(store.changes)))
    while idx > 0 and store.changes[idx - 1][0] >= start:
        idx -= 1
    out_changes, next_token = [], None
    for cid, fid, t, _removed in store.changes[idx:]:
        if cid < start or store.latest_change.get(fid) != cid:
            continue  # Drive reports each file once, at its latest change
        f = store.files.get(fid)
        if f is not None and f.role_of(email) == 0:
            continue
        if f is None and not include_removed:
            continue
        if len(out_changes) == size:
            next_token = str(cid)
            break
        item = {
            "kind": "drive#change",
            "changeType": "file",
            "type": "file",
            "time": rfc3339(t),
            "removed": f is None,
            "fileId": fid,
        }
        if f is not None:
            item["file"] = file_json(f, email)
        out_changes.append(item)
    out: dict = {"kind": "drive#changeList", "changes": out_changes}
    if next_token:
        out["nextPageToken"] = next_token
    else:
        out["newStartPageToken"] = str(store.change_seq + 1)
    return select(out, one(params, "fields"))


def comments_list(params: dict) -> dict:
    return {"kind": "drive#commentList", "comments": []}
