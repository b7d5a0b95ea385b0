"""Requests and their outcomes in the job host's history database (the staff PCs never open it).

Append-only like the rest of the history: a request is inserted once under its ID (the idempotency key), each
outcome it reaches (accepted, waiting, done, refused, failed) once. A request with a final outcome is never
applied again, whatever the sheet says later.
"""

from __future__ import annotations

import json
from typing import Any

from sync.control.kinds import FINAL, Outcome, Request
from sync.history import History, iso, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS control_requests (
    request_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,             -- the staff account that made the request
    requested_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    source TEXT NOT NULL,              -- the requests tab and row it came from, or "direct"
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS control_outcomes (
    request_id TEXT NOT NULL REFERENCES control_requests(request_id),
    status TEXT NOT NULL,              -- accepted | waiting | done | refused | failed
    message_th TEXT NOT NULL,
    message_en TEXT NOT NULL,
    result_json TEXT,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (request_id, status)
);
-- Rows refused before they became a request (a field missing, a row in another account's tab, an account without
-- rights, a request ID another request already uses): no request to attach them to, yet kept, once per row and
-- reason, with what the row said — the history knows every refusal, not only those of accepted requests.
CREATE TABLE IF NOT EXISTS control_refusals (
    source TEXT NOT NULL,              -- the requests tab and row, or "direct"
    request_id TEXT NOT NULL,          -- as the row gave it ('' when missing)
    account TEXT NOT NULL,             -- the account whose tab it is (or who asked, direct)
    kind TEXT NOT NULL,
    row_json TEXT NOT NULL,            -- the row's cells as read
    code TEXT NOT NULL,
    message_th TEXT NOT NULL,
    message_en TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (source, request_id, code)
);
"""


class RequestStore:
    def __init__(self, history: History):
        self.history = history
        self.db = history.db
        self.db.executescript(SCHEMA)

    def known(self, request_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM control_requests WHERE request_id = ?", (request_id,)).fetchone()
        if row is None:
            return None
        cols = [d[0] for d in self.db.execute("SELECT * FROM control_requests LIMIT 0").description]
        return dict(zip(cols, row, strict=True))

    def receive(self, req: Request, source: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO control_requests (request_id, account, requested_at, kind, payload_json, source,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (req.request_id, req.account, req.requested_at, req.kind,
             json.dumps(req.payload, ensure_ascii=False, sort_keys=True), source, iso(utcnow())))

    def record(self, request_id: str, outcome: Outcome) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO control_outcomes (request_id, status, message_th, message_en, result_json,"
            " decided_at) VALUES (?, ?, ?, ?, ?, ?)",
            (request_id, outcome.status, outcome.message_th, outcome.message_en,
             None if outcome.result is None else json.dumps(outcome.result, ensure_ascii=False, default=str),
             iso(utcnow())))

    def refuse_unreceived(self, source: str, request_id: str, account: str, kind: str, row: dict[str, Any],
                          code: str, message_th: str, message_en: str) -> None:
        """A refusal before acceptance, recorded once per source row, request ID and reason."""
        self.db.execute(
            "INSERT OR IGNORE INTO control_refusals (source, request_id, account, kind, row_json, code, message_th,"
            " message_en, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source, request_id or "", account or "", kind or "",
             json.dumps(row, ensure_ascii=False, sort_keys=True, default=str), code, message_th, message_en,
             iso(utcnow())))

    def refusals(self) -> list[dict[str, Any]]:
        """Every refusal before acceptance, oldest first (`khet office requests`, audits)."""
        cur = self.db.execute("SELECT source, request_id, account, kind, row_json, code, message_th, message_en,"
                              " decided_at FROM control_refusals ORDER BY rowid")
        names = [d[0] for d in cur.description]
        return [{**dict(zip(names, r, strict=True)), "row": json.loads(r[4])} for r in cur.fetchall()]

    def outcome(self, request_id: str) -> dict | None:
        """The latest outcome of a request (a final one wins over accepted/waiting)."""
        rows = self.db.execute(
            "SELECT status, message_th, message_en, result_json, decided_at FROM control_outcomes"
            " WHERE request_id = ? ORDER BY decided_at, rowid", (request_id,)).fetchall()
        if not rows:
            return None
        final = [r for r in rows if r[0] in FINAL]
        status, th, en, result, at = (final or rows)[-1]
        return {"status": status, "message_th": th, "message_en": en,
                "result": json.loads(result) if result else None, "decided_at": at}

    def is_final(self, request_id: str) -> bool:
        placeholders = ",".join("?" * len(FINAL))
        return self.db.execute(
            f"SELECT 1 FROM control_outcomes WHERE request_id = ? AND status IN ({placeholders})",
            (request_id, *FINAL)).fetchone() is not None

    def requests(self, *, kind: str | None = None, account: str | None = None) -> list[dict[str, Any]]:
        """Every request received, oldest first, with its latest outcome — for `khet office requests` and for
        handlers that must see earlier decisions (two staff approving the same report)."""
        where, params = History._where(kind=kind or None, account=account or None)
        sql = "SELECT request_id, account, requested_at, kind, payload_json, source, received_at FROM control_requests"
        sql += where
        out = []
        for rid, acc, at, k, payload, source, received in self.db.execute(sql + " ORDER BY rowid", params):
            out.append({"request_id": rid, "account": acc, "requested_at": at, "kind": k,
                        "payload": json.loads(payload), "source": source, "received_at": received,
                        "outcome": self.outcome(rid)})
        return out
