"""The emulator's data: Drive files (with their spreadsheets), service accounts and the changes feed.

Everything lives in memory; with `db=` every change is also written to an SQLite file, one row per Drive file
and one per sheet, so only what a request touched is rewritten (flushed once per request, in one transaction).
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from .values import Cell

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 3, "organizer": 3, "owner": 4}


def rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_rfc3339(text: str) -> int:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(round(dt.timestamp() * 1000))


def permission_id(kind: str, who: str | None) -> str:
    if kind == "anyone":
        return "anyoneWithLink"
    digest = int(hashlib.sha256(f"{kind}:{(who or '').lower()}".encode()).hexdigest()[:16], 16)
    return f"{digest:020d}"[:20] + ("k" if kind == "domain" else "")


class Sheet:
    __slots__ = (
        "props",
        "rows",
        "protected",
        "merges",
        "conditional",
        "basic_filter",
        "row_meta",
        "col_meta",
        "extra",
    )

    def __init__(self, props: dict):
        self.props = props
        self.rows: dict[int, dict[int, Cell]] = {}
        self.protected: list[dict] = []
        self.merges: list[dict] = []
        self.conditional: list[dict] = []
        self.basic_filter: dict | None = None
        self.row_meta: dict[int, dict] = {}
        self.col_meta: dict[int, dict] = {}
        self.extra: dict = {}

    @property
    def id(self) -> int:
        return self.props["sheetId"]

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def grid(self) -> dict:
        return self.props.setdefault("gridProperties", {"rowCount": 1000, "columnCount": 26})

    @property
    def row_count(self) -> int:
        return self.grid["rowCount"]

    @property
    def col_count(self) -> int:
        return self.grid["columnCount"]

    def cell(self, r: int, c: int, create: bool = False) -> Cell | None:
        row = self.rows.get(r)
        if row is None:
            if not create:
                return None
            row = self.rows[r] = {}
        cell = row.get(c)
        if cell is None and create:
            cell = row[c] = Cell()
        return cell

    def drop_if_empty(self, r: int, c: int) -> None:
        row = self.rows.get(r)
        if row and c in row and row[c].empty():
            del row[c]
            if not row:
                del self.rows[r]

    def copy(self, new_id: int | None = None, title: str | None = None) -> Sheet:
        out = Sheet(json.loads(json.dumps(self.props)))
        if new_id is not None:
            out.props["sheetId"] = new_id
        if title is not None:
            out.props["title"] = title
        out.rows = {r: {c: cell.copy() for c, cell in row.items()} for r, row in self.rows.items()}
        sid = out.id
        out.protected = [_with_sheet(p, sid) for p in self.protected]
        out.merges = [dict(m, sheetId=sid) for m in self.merges]
        out.conditional = json.loads(json.dumps(self.conditional))
        out.basic_filter = json.loads(json.dumps(self.basic_filter)) if self.basic_filter else None
        out.row_meta = dict(self.row_meta)
        out.col_meta = dict(self.col_meta)
        out.extra = json.loads(json.dumps(self.extra))
        return out

    def to_json(self) -> dict:
        return {
            "props": self.props,
            "cells": [[r, c, *cell.to_json()] for r, row in self.rows.items() for c, cell in row.items()],
            "protected": self.protected,
            "merges": self.merges,
            "conditional": self.conditional,
            "basic_filter": self.basic_filter,
            "row_meta": list(self.row_meta.items()),
            "col_meta": list(self.col_meta.items()),
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict) -> Sheet:
        sheet = cls(data["props"])
        for r, c, *rest in data["cells"]:
            sheet.rows.setdefault(r, {})[c] = Cell.from_json(rest)
        sheet.protected, sheet.merges = data["protected"], data["merges"]
        sheet.conditional, sheet.basic_filter = data["conditional"], data["basic_filter"]
        sheet.row_meta = {int(k): v for k, v in data["row_meta"]}
        sheet.col_meta = {int(k): v for k, v in data["col_meta"]}
        sheet.extra = data["extra"]
        return sheet


def _with_sheet(protected: dict, sheet_id: int) -> dict:
    out = json.loads(json.dumps(protected))
    if "range" in out:
        out["range"]["sheetId"] = sheet_id
    for rng in out.get("unprotectedRanges", []):
        rng["sheetId"] = sheet_id
    return out


class Spreadsheet:
    def __init__(self, props: dict, sheets: list[Sheet]):
        self.props = props
        self.sheets = sheets
        self.named_ranges: list[dict] = []
        self.next_protected_id = 1

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        lower = title.lower()  # Sheets matches tab names case-insensitively
        return next((s for s in self.sheets if s.title.lower() == lower), None)

    def reindex(self) -> None:
        for i, s in enumerate(self.sheets):
            s.props["index"] = i

    @property
    def locale(self) -> str:
        return self.props.get("locale", "en_US")


class File:
    def __init__(self, id: str, name: str, mime: str, owner: str, now_ms: int, parents: list[str]):
        self.id, self.name, self.mime, self.owner = id, name, mime, owner
        self.parents = parents
        self.created = self.modified = now_ms
        self.trashed = False
        self.description: str | None = None
        self.version = 1
        self.permissions: list[dict] = [
            {
                "kind": "drive#permission",
                "id": permission_id("user", owner),
                "type": "user",
                "role": "owner",
                "emailAddress": owner,
            }
        ]
        self.spreadsheet: Spreadsheet | None = None
        self.seq = 0  # creation order, Drive's default listing order here

    def role_of(self, email: str) -> int:
        """Rank of the best role `email` holds on this file (0 = no access)."""
        best = 0
        domain = email.rpartition("@")[2].lower()
        for p in self.permissions:
            kind = p["type"]
            if (
                (kind in ("user", "group") and p.get("emailAddress", "").lower() == email.lower())
                or kind == "anyone"
                or (kind == "domain" and p.get("domain", "").lower() == domain)
            ):
                best = max(best, ROLE_RANK.get(p["role"], 0))
        return best

    def meta_json(self) -> dict:
        ss = self.spreadsheet
        return {
            "id": self.id,
            "name": self.name,
            "mime": self.mime,
            "owner": self.owner,
            "parents": self.parents,
            "created": self.created,
            "modified": self.modified,
            "trashed": self.trashed,
            "description": self.description,
            "version": self.version,
            "seq": self.seq,
            "permissions": self.permissions,
            "ss": None
            if ss is None
            else {
                "props": ss.props,
                "named": ss.named_ranges,
                "next_protected_id": ss.next_protected_id,
                "order": [s.id for s in ss.sheets],
            },
        }


class Store:
    """All state, guarded by one lock; handlers call `mark()` for what they changed and `flush()` at the
    end.
    """

    def __init__(self, db: str | Path | None = None, seed: int = 0, clock=time.time):
        self.lock = threading.RLock()
        self.seed = seed
        self._clock = clock
        self.offset = 0.0
        self.file_clock_ms: int | None = None  # file timestamps only (created/modifiedTime): a simulated calendar
        self.files: dict[str, File] = {}
        self.keys: dict[str, dict[str, bytes]] = {}  # client_email -> {key id -> public key PEM}
        self.change_seq = 0
        self.changes: list[tuple[int, str, int, bool]] = []  # (change id, file id, time ms, removed)
        self.latest_change: dict[str, int] = {}
        self.id_counter = 0
        self.file_seq = 0
        self._dirty_files: set[str] = set()
        self._dirty_sheets: set[tuple[str, int]] = set()
        self._deleted: set[str] = set()
        self._new_changes: list[tuple[int, str, int, bool]] = []
        self._new_keys: list[tuple[str, str, bytes]] = []
        self.db = None
        if db is not None:
            self._open(Path(db))

    # -- clock and ids ------------------------------------------------------------------------------------
    def now(self) -> float:
        return self._clock() + self.offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def file_now_ms(self) -> int:
        """The time files are stamped with: the clock, or a simulated moment (``Emulator.set_file_clock``)."""
        return self.now_ms() if self.file_clock_ms is None else self.file_clock_ms

    def new_id(self) -> str:
        self.id_counter += 1
        rng = random.Random(f"{self.seed}:{self.id_counter}")
        return "1" + "".join(rng.choice(ID_ALPHABET) for _ in range(43))

    def new_sheet_id(self, ss: Spreadsheet) -> int:
        rng = random.Random(f"{self.seed}:sheet:{self.id_counter}:{len(ss.sheets)}")
        taken = {s.id for s in ss.sheets}
        while True:
            candidate = rng.randrange(1, 2**31 - 1)
            if candidate not in taken:
                return candidate

    # -- changes ------------------------------------------------------------------------------------------
    def touch(self, f: File, content: bool = True) -> None:
        """Record a change to `f`; content changes also move modifiedTime (strictly increasing per file)."""
        if content:
            f.modified = max(self.file_now_ms(), f.modified + 1)
        f.version += 1
        self._record(f.id, removed=False)
        self._dirty_files.add(f.id)

    def _record(self, file_id: str, removed: bool) -> None:
        self.change_seq += 1
        entry = (self.change_seq, file_id, self.now_ms(), removed)
        self.changes.append(entry)
        self.latest_change[file_id] = self.change_seq
        self._new_changes.append(entry)

    def mark_sheet(self, f: File, sheet: Sheet) -> None:
        self._dirty_sheets.add((f.id, sheet.id))

    def mark_all_sheets(self, f: File, also: set[int] = frozenset()) -> None:
        """Every sheet of `f` (and the ids in `also`, e.g. deleted sheets) gets rewritten at the next
        flush.
        """
        for sid in [s.id for s in (f.spreadsheet.sheets if f.spreadsheet else [])] + list(also):
            self._dirty_sheets.add((f.id, sid))

    def add_file(self, f: File) -> None:
        self.file_seq += 1
        f.seq = self.file_seq
        self.files[f.id] = f
        self.mark_all_sheets(f)
        self._record(f.id, removed=False)
        self._dirty_files.add(f.id)

    def delete_file(self, f: File) -> None:
        del self.files[f.id]
        self._deleted.add(f.id)
        self._record(f.id, removed=True)

    def add_key(self, email: str, key_id: str, public_pem: bytes) -> None:
        self.keys.setdefault(email, {})[key_id] = public_pem
        self._new_keys.append((email, key_id, public_pem))

    # -- persistence --------------------------------------------------------------------------------------
    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, meta TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sheets (file_id TEXT, sheet_id INTEGER, data TEXT NOT NULL,
                                       PRIMARY KEY (file_id, sheet_id));
    CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY, file_id TEXT, time_ms INTEGER,
                                        removed INTEGER);
    CREATE TABLE IF NOT EXISTS keys (email TEXT, key_id TEXT, public_pem BLOB, PRIMARY KEY (email, key_id));
    CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
    """

    def _open(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(self._SCHEMA)
        sheets: dict[str, dict[int, Sheet]] = {}
        for file_id, sheet_id, data in self.db.execute("SELECT file_id, sheet_id, data FROM sheets"):
            sheets.setdefault(file_id, {})[sheet_id] = Sheet.from_json(json.loads(data))
        for (meta,) in self.db.execute("SELECT meta FROM files"):
            m = json.loads(meta)
            f = File(m["id"], m["name"], m["mime"], m["owner"], m["created"], m["parents"])
            f.modified, f.trashed, f.description = m["modified"], m["trashed"], m["description"]
            f.version, f.permissions, f.seq = m["version"], m["permissions"], m["seq"]
            if m["ss"] is not None:
                own = sheets.get(f.id, {})
                f.spreadsheet = Spreadsheet(m["ss"]["props"], [own[i] for i in m["ss"]["order"] if i in own])
                f.spreadsheet.named_ranges = m["ss"]["named"]
                f.spreadsheet.next_protected_id = m["ss"]["next_protected_id"]
            self.files[f.id] = f
            self.file_seq = max(self.file_seq, f.seq)
        for cid, fid, t, removed in self.db.execute(
            "SELECT id, file_id, time_ms, removed FROM changes ORDER BY id"
        ):
            self.changes.append((cid, fid, t, bool(removed)))
            self.latest_change[fid] = cid
            self.change_seq = cid
        for email, key_id, pem in self.db.execute("SELECT email, key_id, public_pem FROM keys"):
            self.keys.setdefault(email, {})[key_id] = bytes(pem)
        row = self.db.execute("SELECT v FROM meta WHERE k='id_counter'").fetchone()
        self.id_counter = int(row[0]) if row else 0

    def flush(self) -> None:
        """Write what changed since the last flush, in one transaction (no-op in memory mode)."""
        if self.db is None:
            self._clear_dirty()
            return
        if not (
            self._dirty_files or self._dirty_sheets or self._deleted or self._new_changes or self._new_keys
        ):
            return
        cur = self.db.cursor()
        cur.execute("BEGIN")
        try:
            for fid in self._deleted:
                cur.execute("DELETE FROM files WHERE id=?", (fid,))
                cur.execute("DELETE FROM sheets WHERE file_id=?", (fid,))
            for fid in self._dirty_files:
                f = self.files.get(fid)
                if f is not None:
                    cur.execute(
                        "INSERT OR REPLACE INTO files VALUES (?, ?)", (fid, json.dumps(f.meta_json()))
                    )
            for fid, sid in self._dirty_sheets:
                f = self.files.get(fid)
                sheet = f.spreadsheet.sheet_by_id(sid) if f is not None and f.spreadsheet else None
                if sheet is None:
                    cur.execute("DELETE FROM sheets WHERE file_id=? AND sheet_id=?", (fid, sid))
                else:
                    cur.execute(
                        "INSERT OR REPLACE INTO sheets VALUES (?, ?, ?)",
                        (fid, sid, json.dumps(sheet.to_json(), ensure_ascii=False)),
                    )
            cur.executemany(
                "INSERT INTO changes VALUES (?, ?, ?, ?)",
                [(c, f, t, int(r)) for c, f, t, r in self._new_changes],
            )
            cur.executemany("INSERT OR REPLACE INTO keys VALUES (?, ?, ?)", self._new_keys)
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('id_counter', ?)", (str(self.id_counter),))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._clear_dirty()

    def _clear_dirty(self) -> None:
        self._dirty_files.clear()
        self._dirty_sheets.clear()
        self._deleted.clear()
        self._new_changes.clear()
        self._new_keys.clear()

    def close(self) -> None:
        if self.db is not None:
            with self.lock:
                self.flush()
                self.db.close()
                self.db = None
