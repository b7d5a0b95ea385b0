"""The history store: every nightly run and every school's data as it changed, in SQLite.

Nothing here is ever updated in place or deleted (append-only): a run row gets its end written once, every
other table only receives inserts. "Current" data is always derived — the newest snapshot of each school's tab
— so a school that cannot be read tonight keeps its last good data, with the age of that data.

The schema is plain SQL (TEXT / INTEGER, ISO-8601 UTC timestamps as TEXT, JSON as TEXT, composite primary keys)
so it runs unchanged on PostgreSQL: only ``INTEGER PRIMARY KEY`` (SQLite's row id) becomes
``BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`` and ``INSERT OR IGNORE`` becomes
``INSERT … ON CONFLICT DO NOTHING`` (the only two dialect spots; see ``_ignore``).

The store is also the reader's ``ReadState`` (see :mod:`sync.reader`): when each school last read fine, the
Drive modifiedTime of that read, and the last good tab contents.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,              -- running | success | partial | failed (running forever = killed)
    trigger TEXT NOT NULL,             -- cron | daemon | manual | demo | test
    fiscal_year INTEGER,
    schools_total INTEGER,
    schools_read INTEGER,
    schools_unchanged INTEGER,
    schools_failed INTEGER,
    rows_clean INTEGER,
    rows_rejected INTEGER,
    findings_count INTEGER,
    exit_code INTEGER,
    report_json TEXT
);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id INTEGER PRIMARY KEY,
    school_code TEXT NOT NULL,
    sheet_key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    raw_json TEXT NOT NULL,            -- the tab's grid exactly as read (list of rows of cells)
    first_run_id INTEGER NOT NULL REFERENCES runs(run_id),
    first_seen_at TEXT NOT NULL,
    UNIQUE (school_code, sheet_key, content_hash)
);
CREATE TABLE IF NOT EXISTS reads (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    school_code TEXT NOT NULL,
    spreadsheet_id TEXT,
    outcome TEXT NOT NULL,             -- read | unchanged | failed | not_provisioned
    reason TEXT,                       -- not_shared | deleted | tab_missing | quota | columns_changed | …
    detail TEXT,
    drive_modified TEXT,
    read_at TEXT NOT NULL,
    PRIMARY KEY (run_id, school_code)
);
CREATE TABLE IF NOT EXISTS read_tabs (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    school_code TEXT NOT NULL,
    sheet_key TEXT NOT NULL,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id),
    PRIMARY KEY (run_id, school_code, sheet_key)
);
CREATE TABLE IF NOT EXISTS validated_rows (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id),
    row_no INTEGER NOT NULL,
    valid INTEGER NOT NULL,            -- 1 clean, 0 rejected
    data_json TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, row_no)
);
CREATE TABLE IF NOT EXISTS findings (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id),
    seq INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    row_no INTEGER,
    column_name TEXT,
    cell TEXT,
    raw TEXT,
    message_th TEXT,
    message_en TEXT,
    PRIMARY KEY (snapshot_id, seq)
);
CREATE TABLE IF NOT EXISTS submissions (
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    submitted_on TEXT NOT NULL,        -- the Bangkok date of the night it was first seen confirmed and valid
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    seen_at TEXT NOT NULL,             -- evidence: run time (UTC)
    drive_modified TEXT,               -- evidence: Drive modifiedTime of the sheet read that night
    PRIMARY KEY (school_code, report_key, fiscal_year)
);
CREATE TABLE IF NOT EXISTS report_versions (
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    seen_on TEXT NOT NULL,
    drive_modified TEXT,
    after_due INTEGER NOT NULL,        -- 1 when this version appeared after the due date of the report
    PRIMARY KEY (school_code, report_key, fiscal_year, content_hash)
);
CREATE TABLE IF NOT EXISTS statuses (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    due TEXT,
    submitted_on TEXT,
    status TEXT NOT NULL,
    valid INTEGER,
    edited_after_due INTEGER,
    errors INTEGER,
    PRIMARY KEY (run_id, school_code, report_key)
);
CREATE TABLE IF NOT EXISTS feedback_writes (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    school_code TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    rows_written INTEGER NOT NULL,     -- height of the area written (the next write blanks down to it)
    written_at TEXT NOT NULL,
    sheet_hash TEXT,                   -- exact content written (sync.repair compares the sheet with it)
    PRIMARY KEY (run_id, school_code)
);
CREATE TABLE IF NOT EXISTS evidence (
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    kind TEXT NOT NULL,                -- with_data (a: confirmed, rows, no sheet-level error) | valid (b)
    evidence_at TEXT NOT NULL,         -- earliest provable time (UTC): Drive modifiedTime of the version read
    source TEXT NOT NULL,              -- drive_modified | run (no usable modifiedTime: the run time)
    drive_modified TEXT,               -- modifiedTime seen after the read
    seen_at TEXT NOT NULL,             -- secondary evidence: the run time
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    PRIMARY KEY (school_code, report_key, fiscal_year, kind, evidence_at)
);
CREATE TABLE IF NOT EXISTS overrides (
    override_id INTEGER PRIMARY KEY,
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    action TEXT NOT NULL,              -- apply | withdraw (the staff row was removed from the tab)
    submitted_on TEXT,                 -- the Bangkok date staff recorded (apply)
    channel TEXT,
    reference TEXT,
    reason TEXT,
    recorded_by TEXT,
    recorded_on TEXT,
    row_hash TEXT NOT NULL,            -- the staff row's content: one row is applied once
    previous_json TEXT,                -- what the report showed before: submitted time, basis, status
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS year_events (
    event_id INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    action TEXT NOT NULL,              -- open | close | reopen | tracking_start
    at TEXT NOT NULL,
    by_whom TEXT,
    reason TEXT,
    detail_json TEXT
);
CREATE TABLE IF NOT EXISTS year_sheets (
    entry_id INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    spreadsheet_id TEXT NOT NULL,      -- the school's spreadsheet for that fiscal year (sync/years.py)
    source TEXT NOT NULL,              -- registry (the registry's column, first seen) | open (khet year open)
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS template_versions (
    event_id INTEGER PRIMARY KEY,
    school_code TEXT NOT NULL,
    spreadsheet_id TEXT NOT NULL,
    version TEXT NOT NULL,             -- sync.update.template_version the sheet is on (its [khet:template:] tag)
    previous TEXT,                     -- the tag it had before ("" = none: provisioned before tags)
    action TEXT NOT NULL,              -- provision | update | seen (already on it when update looked)
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reads_school ON reads (school_code, run_id);
CREATE INDEX IF NOT EXISTS read_tabs_school ON read_tabs (school_code, sheet_key, run_id);
"""

# Append-only in the schema, not by convention: evidence is never updated or deleted, whoever connects. A run's
# row gets its end written once (UPDATE only while ended_at is empty); the first night a submission or a report
# version was seen is kept even against INSERT OR REPLACE. Rows of the same run recorded again (a school whose
# record is retried within one run: reads, read_tabs, statuses, feedback_writes) are the only replacements.
EVIDENCE_TABLES = ("snapshots", "reads", "read_tabs", "validated_rows", "findings", "submissions",
                   "report_versions", "statuses", "feedback_writes", "year_sheets", "year_events",
                   "template_versions")
APPEND_ONLY = "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t} BEGIN "
    f"SELECT RAISE(ABORT, 'khet history is append-only: {t} rows are never updated'); END;\n"
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t} BEGIN "
    f"SELECT RAISE(ABORT, 'khet history is append-only: {t} rows are never deleted'); END;\n"
    for t in EVIDENCE_TABLES) + """
CREATE TRIGGER IF NOT EXISTS runs_end_once BEFORE UPDATE ON runs WHEN OLD.ended_at IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'khet history is append-only: a finished run is never changed'); END;
CREATE TRIGGER IF NOT EXISTS runs_no_delete BEFORE DELETE ON runs BEGIN
    SELECT RAISE(ABORT, 'khet history is append-only: runs are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS submissions_first_seen BEFORE INSERT ON submissions WHEN EXISTS (
    SELECT 1 FROM submissions WHERE school_code=NEW.school_code AND report_key=NEW.report_key
    AND fiscal_year=NEW.fiscal_year) BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER IF NOT EXISTS report_versions_first_seen BEFORE INSERT ON report_versions WHEN EXISTS (
    SELECT 1 FROM report_versions WHERE school_code=NEW.school_code AND report_key=NEW.report_key
    AND fiscal_year=NEW.fiscal_year AND content_hash=NEW.content_hash) BEGIN SELECT RAISE(IGNORE); END;
"""

GOOD_OUTCOMES = ("read", "unchanged")


def _private_file(path: Path) -> None:
    """School personal data at rest: the folder 0700 when Khet makes it, the database 0600 (SQLite gives its WAL
    files the database's mode)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif os.name == "posix" and path.stat().st_mode & 0o077:
        try:
            path.chmod(0o600)
        except PermissionError:
            pass  # another user's file: reading it is still allowed


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime | None) -> str | None:
    """UTC RFC 3339 with milliseconds, the way Drive writes modifiedTime: "2026-05-24T19:00:00.000Z" (a naive
    time is taken as UTC). The history, the read state and Drive queries all use it."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _jsonable(value: Any) -> Any:
    """Cells as JSON: datetimes/dates/Decimals become tagged text so a grid round-trips exactly."""
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if hasattr(value, "as_tuple"):  # Decimal
        return {"$dec": str(value)}
    if isinstance(value, float) and value != value:  # NaN never equals itself
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        return _jsonable(value.item())
    return value


def _unjson(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$dec" in value:
            from decimal import Decimal

            return Decimal(value["$dec"])
    return value


def dumps_grid(grid: Iterable[Iterable[Any]]) -> str:
    """A grid as JSON text, exactly as read. A lone surrogate (a broken emoji pasted into a cell) cannot be
    stored as UTF-8: that grid is written with \\u escapes instead, which read back to the same text."""
    cells = [[_jsonable(c) for c in row] for row in grid]
    text = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(cells, ensure_ascii=True, separators=(",", ":"))
    return text


def loads_grid(text: str) -> list[list[Any]]:
    return [[_unjson(c) for c in row] for row in json.loads(text)]


def content_hash(grid: Iterable[Iterable[Any]]) -> str:
    """Hash of a tab's content. Trailing blanks are ignored: Sheets drops them, a re-read must not 'change'."""
    rows = [list(r) for r in grid]
    for r in rows:
        while r and r[-1] in (None, ""):
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return hashlib.sha256(dumps_grid(rows).encode("utf-8")).hexdigest()


@dataclass
class TabData:
    """One school tab as last read: raw grid plus where it came from."""

    sheet_key: str
    grid: list[list[Any]]
    snapshot_id: int
    run_id: int
    first_seen_at: datetime


@dataclass
class SchoolState:
    """What the history knows of one school now: the last good read and the newest attempt."""

    school_code: str
    spreadsheet_id: str | None = None
    last_good_at: datetime | None = None        # last read (or unchanged check) that succeeded
    last_good_modified: str | None = None       # Drive modifiedTime of the data we hold
    last_attempt_at: datetime | None = None
    last_outcome: str | None = None
    last_reason: str | None = None
    tabs: dict[str, TabData] = field(default_factory=dict)


class History:
    """SQLite history. ``History(path)``; ``":memory:"`` for throw-away use."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0):
        self.path = str(path)
        if self.path != ":memory:":
            _private_file(Path(self.path))
        # The daemon's scheduler thread and the reader's worker threads may touch it; sqlite3 serialises.
        # `timeout`: the bounded wait for a lock another program holds, then sqlite3's "database is locked".
        self.db = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA + APPEND_ONLY)
        self._add_missing_columns()
        self._ignore("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", ("schema_version", str(SCHEMA_VERSION)))
        self.year: int | None = None  # a year's view (for_year): the read state of that year's runs only

    def for_year(self, fiscal_year: int) -> History:
        """The same store seen as one fiscal year's: what was read, held, written as feedback and when the last
        run finished — only that year's runs count (each year has its own school sheets: sync/years.py).
        Everything else (evidence, overrides, statuses) is keyed by fiscal year already. Shares the connection."""
        view = copy.copy(self)
        view.year = int(fiscal_year)
        return view

    def _of_year(self, column: str = "run_id") -> str:
        """SQL: ``AND <column> is a run of this view's year`` ('' for the whole store)."""
        return "" if self.year is None else (
            f" AND {column} IN (SELECT run_id FROM runs WHERE fiscal_year={int(self.year)})")

    # Columns added after a table first shipped: an older history gains them (NULL in its earlier rows).
    ADDED_COLUMNS = (("feedback_writes", "sheet_hash", "TEXT"),)

    def _add_missing_columns(self) -> None:
        for table, column, decl in self.ADDED_COLUMNS:
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

    # -- plumbing -------------------------------------------------------------------------------------------
    @staticmethod
    def _where(**filters: Any) -> tuple[str, tuple]:
        """`` WHERE col=? AND …`` and its parameters for the filters given (None: not filtered); '' for none."""
        given = {k: v for k, v in filters.items() if v is not None}
        if not given:
            return "", ()
        return " WHERE " + " AND ".join(f"{k}=?" for k in given), tuple(given.values())

    def _ignore(self, sql: str, params: tuple) -> int:
        cur = self.db.execute(sql, params)
        return cur.rowcount

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    class _Tx:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self):
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, *_):
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def transaction(self) -> History._Tx:
        return History._Tx(self.db)

    # -- runs -----------------------------------------------------------------------------------------------
    def begin_run(self, *, trigger: str = "manual", fiscal_year: int | None = None,
                  started_at: datetime | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (run_id, started_at, status, trigger, fiscal_year) VALUES ("
            " MAX((SELECT COALESCE(MAX(run_id), 0) + 1 FROM runs),"
            "     (SELECT COALESCE(MAX(CAST(value AS INTEGER)), 1) FROM meta WHERE key='run_ids_from')),"
            " ?, 'running', ?, ?)",
            (iso(started_at or utcnow()), trigger, fiscal_year))
        return int(cur.lastrowid)

    def number_runs_from(self, first: int) -> None:
        """Run IDs of this history start at `first`: a history started over in a data folder that ran before
        goes on from the last run report's number, so no report (runs/run-NNNNNN.json) is overwritten."""
        self._ignore("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", ("run_ids_from", str(int(first))))

    def end_run(self, run_id: int, *, status: str, exit_code: int, counts: Mapping[str, int] | None = None,
                report: Mapping | None = None, ended_at: datetime | None = None) -> None:
        counts = dict(counts or {})
        self.db.execute(
            "UPDATE runs SET ended_at=?, status=?, exit_code=?, schools_total=?, schools_read=?,"
            " schools_unchanged=?, schools_failed=?, rows_clean=?, rows_rejected=?, findings_count=?,"
            " report_json=? WHERE run_id=? AND ended_at IS NULL",
            (iso(ended_at or utcnow()), status, exit_code, counts.get("schools_total"), counts.get("schools_read"),
             counts.get("schools_unchanged"), counts.get("schools_failed"), counts.get("rows_clean"),
             counts.get("rows_rejected"), counts.get("findings"),
             json.dumps(report, ensure_ascii=False, default=str) if report is not None else None, run_id))

    def runs(self, limit: int | None = None) -> list[dict]:
        sql = "SELECT * FROM runs ORDER BY run_id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        cur = self.db.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def run(self, run_id: int) -> dict | None:
        cur = self.db.execute("SELECT * FROM runs WHERE run_id=?", (run_id,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def last_completed_run(self, fiscal_year: int | None = None) -> dict | None:
        """The last run that finished (fully or partly), of this view's year and, when given, of `fiscal_year`."""
        year, params = ("", ()) if fiscal_year is None else (" AND fiscal_year=?", (fiscal_year,))
        rows = self._dicts("SELECT * FROM runs WHERE ended_at IS NOT NULL AND status IN ('success','partial')"
                           + self._of_year() + year + " ORDER BY run_id DESC LIMIT 1", params)
        return rows[0] if rows else None

    def last_completed_runs(self) -> list[dict]:
        """The last finished run of each open fiscal year, oldest year first (the whole store's last one when no
        year was ever recorded: a history from before years were kept)."""
        runs = [run for fy in self.open_years() if (run := self.last_completed_run(fy)) is not None]
        if not runs and (last := self.last_completed_run()) is not None:
            runs.append(last)
        return runs

    # -- ReadState (what the reader needs between nights) ---------------------------------------------------
    def last_success_time(self) -> datetime | None:
        """Start of the last run that finished (fully or partly): Drive changes after it are 'new'."""
        run = self.last_completed_run()
        return parse_iso(run["started_at"]) if run else None

    def last_modified(self, school_code: str) -> str | None:
        """Drive modifiedTime of the newest data we hold for the school (None: never read)."""
        row = self.db.execute(
            "SELECT drive_modified FROM reads WHERE school_code=? AND outcome='read'" + self._of_year()
            + " ORDER BY run_id DESC LIMIT 1", (school_code,)).fetchone()
        return row[0] if row else None

    def last_modified_all(self) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT r.school_code, r.drive_modified FROM reads r JOIN (SELECT school_code, MAX(run_id) AS run_id"
            " FROM reads WHERE outcome='read'" + self._of_year() + " GROUP BY school_code) m"
            " ON m.school_code=r.school_code AND m.run_id=r.run_id").fetchall()
        return {code: mod for code, mod in rows}

    def failed_codes(self) -> set[str]:
        """Schools whose newest read failed or had a problem: re-read next night even if Drive shows no change
        (sharing restored, a tab renamed back and quota failures do not always move modifiedTime)."""
        rows = self.db.execute(
            "SELECT r.school_code FROM reads r JOIN (SELECT school_code, MAX(run_id) AS run_id FROM reads"
            " WHERE 1=1" + self._of_year() + " GROUP BY school_code) m ON m.school_code=r.school_code AND m.run_id=r.run_id"
            " WHERE r.outcome='failed' OR r.reason IS NOT NULL").fetchall()
        return {r[0] for r in rows}

    def last_good(self, school_code: str) -> dict[str, list[list[Any]]]:
        """The school's last good grid per tab key ({} if never read)."""
        return {k: t.grid for k, t in self.school_tabs(school_code).items()}

    # -- recording reads ------------------------------------------------------------------------------------
    def record_read(self, run_id: int, school_code: str, *, outcome: str, spreadsheet_id: str | None = None,
                    reason: str | None = None, detail: str | None = None, drive_modified: str | None = None,
                    tabs: Mapping[str, list[list[Any]]] | None = None,
                    validated: Mapping[str, Any] | None = None, read_at: datetime | None = None) -> dict[str, bool]:
        """Record one school's outcome tonight, in one transaction (a kill leaves the school wholly in or out).

        ``tabs``: sheet key → raw grid (only the tabs actually read). ``validated``: sheet key → a
        ``ValidationResult`` (rows + rejected + findings) stored once per new snapshot.
        Returns sheet key → True when that tab's content is new (changed since any earlier night).
        """
        now = iso(read_at or utcnow())
        changed: dict[str, bool] = {}
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO reads (run_id, school_code, spreadsheet_id, outcome, reason, detail,"
                " drive_modified, read_at) VALUES (?,?,?,?,?,?,?,?)",
                (run_id, school_code, spreadsheet_id, outcome, reason, detail, drive_modified, now))
            for key, grid in (tabs or {}).items():
                h = content_hash(grid)
                row = db.execute("SELECT snapshot_id FROM snapshots WHERE school_code=? AND sheet_key=? AND"
                                 " content_hash=?", (school_code, key, h)).fetchone()
                if row:
                    snap = row[0]
                    prev = db.execute("SELECT snapshot_id FROM read_tabs WHERE school_code=? AND sheet_key=?"
                                      + self._of_year() + " ORDER BY run_id DESC LIMIT 1",
                                      (school_code, key)).fetchone()
                    changed[key] = prev is None or prev[0] != snap
                else:
                    snap = db.execute(
                        "INSERT INTO snapshots (school_code, sheet_key, content_hash, raw_json, first_run_id,"
                        " first_seen_at) VALUES (?,?,?,?,?,?)",
                        (school_code, key, h, dumps_grid(grid), run_id, now)).lastrowid
                    changed[key] = True
                    if validated and key in validated:
                        self._store_validation(db, snap, validated[key])
                db.execute("INSERT OR REPLACE INTO read_tabs (run_id, school_code, sheet_key, snapshot_id)"
                           " VALUES (?,?,?,?)", (run_id, school_code, key, snap))
        return changed

    @staticmethod
    def _store_validation(db: sqlite3.Connection, snap: int, result: Any) -> None:
        rows = []
        for valid, frame in ((1, getattr(result, "rows", None)), (0, getattr(result, "rejected", None))):
            if frame is None or len(frame) == 0:
                continue
            for rec in frame.to_dict("records"):
                row_no = rec.get("_row")
                data = {str(k): _jsonable(v) for k, v in rec.items() if k != "_row"}
                rows.append((snap, int(row_no) if row_no is not None else len(rows), valid,
                             json.dumps(data, ensure_ascii=False, default=str)))
        db.executemany("INSERT OR IGNORE INTO validated_rows (snapshot_id, row_no, valid, data_json)"
                       " VALUES (?,?,?,?)", rows)
        db.executemany(
            "INSERT OR IGNORE INTO findings (snapshot_id, seq, severity, code, row_no, column_name, cell, raw,"
            " message_th, message_en) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(snap, i, f.severity, f.code, f.row, f.column, f.cell, None if f.raw is None else str(f.raw),
              f.message_th, f.message_en) for i, f in enumerate(getattr(result, "findings", []) or [])])

    # -- reading back ---------------------------------------------------------------------------------------
    def school_tabs(self, school_code: str) -> dict[str, TabData]:
        return self.all_school_tabs([school_code]).get(school_code, {})

    def all_school_tabs(self, school_codes: Iterable[str] | None = None) -> dict[str, dict[str, TabData]]:
        """Newest snapshot of every (school, tab) — the last good data, whatever happened tonight."""
        rows = self.db.execute(
            "SELECT rt.school_code, rt.sheet_key, s.snapshot_id, s.raw_json, rt.run_id, s.first_seen_at"
            " FROM read_tabs rt JOIN (SELECT school_code, sheet_key, MAX(run_id) AS run_id FROM read_tabs"
            " WHERE 1=1" + self._of_year() + " GROUP BY school_code, sheet_key) m ON m.school_code=rt.school_code AND m.sheet_key=rt.sheet_key"
            " AND m.run_id=rt.run_id JOIN snapshots s ON s.snapshot_id=rt.snapshot_id").fetchall()
        wanted = set(school_codes) if school_codes is not None else None
        out: dict[str, dict[str, TabData]] = {}
        for code, key, snap, raw, run_id, seen in rows:
            if wanted is not None and code not in wanted:
                continue
            out.setdefault(code, {})[key] = TabData(key, loads_grid(raw), snap, run_id, parse_iso(seen))
        return out

    def school_states(self) -> dict[str, SchoolState]:
        states: dict[str, SchoolState] = {}
        for code, sid, outcome, reason, read_at, mod in self.db.execute(
                "SELECT school_code, spreadsheet_id, outcome, reason, read_at, drive_modified FROM reads"
                " WHERE 1=1" + self._of_year() + " ORDER BY run_id"):
            st = states.setdefault(code, SchoolState(code))
            st.spreadsheet_id = sid or st.spreadsheet_id
            st.last_attempt_at, st.last_outcome, st.last_reason = parse_iso(read_at), outcome, reason
            if outcome in GOOD_OUTCOMES:
                st.last_good_at = parse_iso(read_at)
            if outcome == "read":
                st.last_good_modified = mod
        return states

    def school_reads(self, school_code: str) -> list[dict]:
        cur = self.db.execute("SELECT r.*, u.started_at FROM reads r JOIN runs u ON u.run_id=r.run_id"
                              " WHERE r.school_code=? ORDER BY r.run_id", (school_code,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def tab_versions(self, school_code: str) -> list[dict]:
        """Every distinct content of each tab in the order first seen: the school's change history."""
        cur = self.db.execute(
            "SELECT s.snapshot_id, s.sheet_key, s.content_hash, s.raw_json, s.first_run_id, s.first_seen_at"
            " FROM snapshots s WHERE s.school_code=? ORDER BY s.first_run_id, s.sheet_key, s.snapshot_id",
            (school_code,))
        return [{"snapshot_id": a, "sheet_key": b, "content_hash": c, "grid": loads_grid(d), "run_id": e,
                 "first_seen_at": f} for a, b, c, d, e, f in cur.fetchall()]

    def snapshot_findings(self, snapshot_id: int) -> list[dict]:
        cur = self.db.execute("SELECT * FROM findings WHERE snapshot_id=? ORDER BY seq", (snapshot_id,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def validated_rows(self, snapshot_id: int, *, valid: bool | None = True) -> list[dict]:
        sql = "SELECT row_no, valid, data_json FROM validated_rows WHERE snapshot_id=?"
        params: tuple = (snapshot_id,)
        if valid is not None:
            sql += " AND valid=?"
            params += (1 if valid else 0,)
        return [{"_row": r, "_valid": bool(v), **{k: _unjson(x) for k, x in json.loads(d).items()}}
                for r, v, d in self.db.execute(sql + " ORDER BY row_no", params)]

    # -- submissions, report versions, statuses -------------------------------------------------------------
    def record_submission(self, run_id: int, school_code: str, report_key: str, fiscal_year: int, *,
                          submitted_on: date, seen_at: datetime, drive_modified: str | None) -> bool:
        """First night a report is seen confirmed and valid; later nights never move the date. True if new."""
        return self._ignore(
            "INSERT OR IGNORE INTO submissions (school_code, report_key, fiscal_year, submitted_on, run_id,"
            " seen_at, drive_modified) VALUES (?,?,?,?,?,?,?)",
            (school_code, report_key, fiscal_year, submitted_on.isoformat(), run_id, iso(seen_at),
             drive_modified)) > 0

    def submissions(self, fiscal_year: int | None = None) -> list[dict]:
        sql, params = "SELECT * FROM submissions", ()
        if fiscal_year is not None:
            sql, params = sql + " WHERE fiscal_year=?", (fiscal_year,)
        cur = self.db.execute(sql + " ORDER BY school_code, report_key", params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def record_report_version(self, run_id: int, school_code: str, report_key: str, fiscal_year: int,
                              content: str, *, seen_on: date, drive_modified: str | None, after_due: bool) -> bool:
        return self._ignore(
            "INSERT OR IGNORE INTO report_versions (school_code, report_key, fiscal_year, content_hash, run_id,"
            " seen_on, drive_modified, after_due) VALUES (?,?,?,?,?,?,?,?)",
            (school_code, report_key, fiscal_year, content, run_id, seen_on.isoformat(), drive_modified,
             1 if after_due else 0)) > 0

    def edited_after_due(self, fiscal_year: int) -> set[tuple[str, str]]:
        """(school, report) pairs whose content changed after its due date, once a first version existed."""
        rows = self.db.execute(
            "SELECT v.school_code, v.report_key FROM report_versions v WHERE v.fiscal_year=? AND v.after_due=1"
            " AND EXISTS (SELECT 1 FROM report_versions p WHERE p.school_code=v.school_code AND"
            " p.report_key=v.report_key AND p.fiscal_year=v.fiscal_year AND p.run_id < v.run_id)",
            (fiscal_year,)).fetchall()
        return {(a, b) for a, b in rows}

    def record_statuses(self, run_id: int, rows: Iterable[Mapping[str, Any]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO statuses (run_id, school_code, report_key, fiscal_year, due, submitted_on,"
                " status, valid, edited_after_due, errors) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(run_id, r["school_code"], r["report_key"], int(r["fiscal_year"]), _date_text(r.get("due")),
                  _date_text(r.get("submitted_on")), str(r["status"]), _int_or_none(r.get("valid")),
                  _int_or_none(r.get("edited_after_due")), _int_or_none(r.get("errors"))) for r in rows])

    def statuses(self, run_id: int | None = None, school_code: str | None = None) -> list[dict]:
        where, params = self._where(run_id=run_id, school_code=school_code)
        return self._dicts("SELECT * FROM statuses" + where + " ORDER BY run_id, school_code, report_key", params)

    # -- evidence of submission (issue: a whole fiscal year, told truthfully) -------------------------------
    def record_evidence(self, run_id: int, fiscal_year: int, records: Iterable[tuple], *,
                        seen_at: datetime) -> int:
        """Keep each proof (school, report, kind, at, source, drive_modified) that is earlier than what is known,
        in one transaction. Append-only: an earlier proof is a new row, a later one is ignored — a night, missed
        or not, never moves a time. Returns how many improved."""
        known = self.evidence(fiscal_year)
        rows = []
        for code, key, kind, at, source, modified in records:
            have = known.get((code, key), {}).get(kind)
            if have is None or at < have:
                known.setdefault((code, key), {})[kind] = at
                rows.append((code, key, fiscal_year, kind, iso(at), source, modified, iso(seen_at), run_id))
        if rows:
            with self.transaction() as db:
                db.executemany("INSERT INTO evidence (school_code, report_key, fiscal_year, kind, evidence_at,"
                               " source, drive_modified, seen_at, run_id) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    def evidence(self, fiscal_year: int) -> dict[tuple[str, str], dict[str, datetime]]:
        """(school, report) → kind → earliest evidence time (aware UTC)."""
        out: dict[tuple[str, str], dict[str, datetime]] = {}
        for code, key, kind, at in self.db.execute(
                "SELECT school_code, report_key, kind, MIN(evidence_at) FROM evidence WHERE fiscal_year=?"
                " GROUP BY school_code, report_key, kind", (fiscal_year,)):
            out.setdefault((code, key), {})[kind] = parse_iso(at)
        return out

    def evidence_rows(self, school_code: str | None = None) -> list[dict]:
        where, params = self._where(school_code=school_code)
        order = " ORDER BY fiscal_year, school_code, report_key, kind, evidence_at"
        return self._dicts("SELECT * FROM evidence" + where + order, params)

    def record_override(self, run_id: int, *, school_code: str, report_key: str, fiscal_year: int, action: str,
                        row_hash: str, applied_at: datetime, previous: Mapping | None = None,
                        submitted_on: date | None = None, channel: str | None = None, reference: str | None = None,
                        reason: str | None = None, recorded_by: str | None = None,
                        recorded_on: date | None = None) -> None:
        self.db.execute(
            "INSERT INTO overrides (school_code, report_key, fiscal_year, action, submitted_on, channel, reference,"
            " reason, recorded_by, recorded_on, row_hash, previous_json, run_id, applied_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (school_code, report_key, fiscal_year, action, _date_text(submitted_on), channel, reference, reason,
             recorded_by, _date_text(recorded_on), row_hash,
             None if previous is None else json.dumps(previous, ensure_ascii=False, default=str), run_id,
             iso(applied_at)))

    def overrides(self, fiscal_year: int | None = None) -> list[dict]:
        """The audit: every override applied or withdrawn, oldest first."""
        where, params = self._where(fiscal_year=fiscal_year)
        return self._dicts("SELECT * FROM overrides" + where + " ORDER BY override_id", params)

    def active_overrides(self, fiscal_year: int) -> dict[tuple[str, str], dict]:
        """(school, report) → the override in force: the newest applied one not withdrawn since."""
        out: dict[tuple[str, str], dict] = {}
        for row in self.overrides(fiscal_year):
            pair = (row["school_code"], row["report_key"])
            if row["action"] == "apply":
                out[pair] = row
            elif out.get(pair, {}).get("row_hash") == row["row_hash"]:
                del out[pair]
        return out

    def record_template_version(self, school_code: str, spreadsheet_id: str, version: str, *, previous: str = "",
                                action: str = "update", at: datetime | None = None) -> None:
        """A school sheet brought to (or found on) a template version: provisioning and `khet schools update`
        record it, the summary lists the latest per school."""
        self.db.execute("INSERT INTO template_versions (school_code, spreadsheet_id, version, previous, action, at)"
                        " VALUES (?,?,?,?,?,?)",
                        (school_code, spreadsheet_id, version, previous, action, iso(at or utcnow())))

    def template_versions(self) -> dict[str, dict]:
        """Spreadsheet ID -> its latest template-version record (school_code, version, action, at): one school
        has a spreadsheet per fiscal year, each on its own version."""
        rows = self._dicts("SELECT * FROM template_versions ORDER BY event_id", ())
        return {r["spreadsheet_id"]: r for r in rows}

    def record_year_event(self, fiscal_year: int, action: str, *, at: datetime | None = None,
                          by: str | None = None, reason: str | None = None, detail: Mapping | None = None) -> None:
        self.db.execute("INSERT INTO year_events (fiscal_year, action, at, by_whom, reason, detail_json)"
                        " VALUES (?,?,?,?,?,?)",
                        (fiscal_year, action, iso(at or utcnow()), by, reason,
                         None if detail is None else json.dumps(detail, ensure_ascii=False, default=str)))

    def year_events(self, fiscal_year: int | None = None) -> list[dict]:
        where, params = self._where(fiscal_year=fiscal_year)
        return self._dicts("SELECT * FROM year_events" + where + " ORDER BY event_id", params)

    def year_state(self, fiscal_year: int) -> str | None:
        """open | closed | None (never opened): the newest open/close/reopen event decides."""
        state = None
        for e in self.year_events(fiscal_year):
            if e["action"] in ("open", "reopen"):
                state = "open"
            elif e["action"] == "close":
                state = "closed"
        return state

    def open_years(self) -> list[int]:
        years = {e["fiscal_year"] for e in self.year_events()}
        return sorted(y for y in years if self.year_state(y) == "open")

    def record_year_sheets(self, fiscal_year: int, sheets: Mapping[str, str], *, source: str,
                           at: datetime | None = None) -> None:
        """school code → spreadsheet ID for a fiscal year (a newer row for the same school wins; one already
        in force is not recorded again)."""
        held = self.year_sheets(fiscal_year)
        self.db.executemany("INSERT INTO year_sheets (fiscal_year, school_code, spreadsheet_id, source,"
                            " recorded_at) VALUES (?,?,?,?,?)",
                            [(fiscal_year, code, sid, source, iso(at or utcnow())) for code, sid in sheets.items()
                             if sid and held.get(code) != sid])

    def year_sheets(self, fiscal_year: int) -> dict[str, str]:
        """school code → its spreadsheet for the year (the newest recorded)."""
        return {code: sid for code, sid in self.db.execute(
            "SELECT school_code, spreadsheet_id FROM year_sheets WHERE fiscal_year=? ORDER BY entry_id", (fiscal_year,))}

    def sheet_years(self) -> dict[str, int]:
        """spreadsheet ID → the fiscal year it was recorded for."""
        return {sid: fy for sid, fy in self.db.execute("SELECT spreadsheet_id, fiscal_year FROM year_sheets")}

    def tracking_start(self, fiscal_year: int) -> date | None:
        """The date staff set as the start of tracking for a year (None: the first night)."""
        days = [e["detail_json"] for e in self.year_events(fiscal_year) if e["action"] == "tracking_start"]
        return date.fromisoformat(json.loads(days[-1])["date"]) if days else None

    def first_run_time(self) -> datetime | None:
        row = self.db.execute("SELECT MIN(started_at) FROM runs WHERE 1=1" + self._of_year()).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def first_read_times(self) -> dict[str, datetime]:
        """school → the first time its sheet was read (a school that joined mid-year)."""
        return {code: parse_iso(at) for code, at in self.db.execute(
            "SELECT school_code, MIN(read_at) FROM reads WHERE outcome='read'" + self._of_year()
            + " GROUP BY school_code")}

    def _dicts(self, sql: str, params: tuple = ()) -> list[dict]:
        cur = self.db.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    # -- feedback -------------------------------------------------------------------------------------------
    def last_feedback(self) -> dict[str, tuple[str, int]]:
        """school → (content hash, rows written) of the newest feedback write."""
        rows = self.db.execute(
            "SELECT f.school_code, f.content_hash, f.rows_written FROM feedback_writes f JOIN (SELECT school_code,"
            " MAX(run_id) AS run_id FROM feedback_writes WHERE 1=1" + self._of_year()
            + " GROUP BY school_code) m ON m.school_code=f.school_code"
            " AND m.run_id=f.run_id").fetchall()
        return {code: (h, n) for code, h, n in rows}

    def last_feedback_sheets(self) -> dict[str, str | None]:
        """school → the exact hash of its newest feedback write (None: written before Khet kept it)."""
        rows = self.db.execute(
            "SELECT f.school_code, f.sheet_hash FROM feedback_writes f JOIN (SELECT school_code,"
            " MAX(run_id) AS run_id FROM feedback_writes WHERE 1=1" + self._of_year()
            + " GROUP BY school_code) m ON m.school_code=f.school_code AND m.run_id=f.run_id").fetchall()
        return dict(rows)

    def record_feedback(self, run_id: int, school_code: str, content: str, rows_written: int,
                        written_at: datetime | None = None, sheet_hash: str | None = None) -> None:
        self.db.execute("INSERT OR REPLACE INTO feedback_writes (run_id, school_code, content_hash, rows_written,"
                        " written_at, sheet_hash) VALUES (?,?,?,?,?,?)",
                        (run_id, school_code, content, rows_written, iso(written_at or utcnow()), sheet_hash))

    # -- comparison (tests, `khet history`) -----------------------------------------------------------------
    def logical_state(self) -> dict:
        """Everything the history knows that does not depend on how many runs it took: for comparing a
        killed-and-resumed night with an uninterrupted one."""
        snaps = sorted(self.db.execute("SELECT school_code, sheet_key, content_hash FROM snapshots").fetchall())
        current = sorted((c, k, t.snapshot_id and self._hash_of(t.snapshot_id))
                         for c, tabs in self.all_school_tabs().items() for k, t in tabs.items())
        subs = sorted(self.db.execute(
            "SELECT school_code, report_key, fiscal_year, submitted_on, drive_modified FROM submissions").fetchall())
        versions = sorted(self.db.execute(
            "SELECT school_code, report_key, fiscal_year, content_hash, after_due FROM report_versions").fetchall())
        rows = sorted(self.db.execute(
            "SELECT s.content_hash, v.row_no, v.valid, v.data_json FROM validated_rows v JOIN snapshots s"
            " ON s.snapshot_id=v.snapshot_id").fetchall())
        evidence = sorted(self.db.execute(
            "SELECT school_code, report_key, fiscal_year, kind, MIN(evidence_at) FROM evidence"
            " GROUP BY school_code, report_key, fiscal_year, kind").fetchall())
        return {"snapshots": snaps, "current": current, "submissions": subs, "report_versions": versions,
                "validated_rows": rows, "evidence": evidence}

    def _hash_of(self, snapshot_id: int) -> str:
        return self.db.execute("SELECT content_hash FROM snapshots WHERE snapshot_id=?", (snapshot_id,)).fetchone()[0]


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "date") and callable(value.date):
        try:
            import pandas as pd

            if value is pd.NaT:
                return None
        except ImportError:  # pragma: no cover
            pass
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)


def _int_or_none(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return int(bool(value)) if isinstance(value, bool) else int(value)
