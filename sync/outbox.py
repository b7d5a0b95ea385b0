"""Every reminder message and every attempt to send it, in the history database (append-only, like the rest of
the history): what was sent to whom and when, what failed and why, what is still to send.

A message's id is a UUID derived from (channel, target, day) — and the school, for an e-mail: the same digest
for the same school or group on the same day is one message however often `khet remind` runs — never twice a
day. The id is also the LINE
``X-Line-Retry-Key`` (LINE itself refuses a second push with an accepted key) and the e-mail ``Message-ID``.
A message's state is its newest attempt: none yet or ``failed`` → it is sent on the next run; ``sent`` or
``already_sent`` → done; ``superseded`` → a newer digest for the same target replaced it (yesterday's failed
reminder is not sent on top of today's).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sync.history import History, iso, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT PRIMARY KEY,       -- uuid5(channel|target|day): LINE retry key, e-mail Message-ID
    channel TEXT NOT NULL,             -- email | line
    target TEXT NOT NULL,              -- e-mail address or LINE group ID
    target_name TEXT,                  -- school name or group name, for people reading the history
    schools_json TEXT NOT NULL,        -- school codes the digest is about
    day TEXT NOT NULL,                 -- the Bangkok date it is for
    subject TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS message_attempts (
    message_id TEXT NOT NULL REFERENCES messages(message_id),
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,             -- sent | already_sent | failed | superseded
    reason TEXT,                       -- failed: auth | quota | group_left | refused | connection | server
    detail TEXT,                       -- the server's words (never a credential)
    PRIMARY KEY (message_id, attempt)
);
CREATE INDEX IF NOT EXISTS messages_target ON messages (channel, target, day);
"""
NAMESPACE = uuid.UUID("6f1c3e0a-9d51-4c55-9a44-4b6865740001")
DONE = ("sent", "already_sent", "superseded")


@dataclass
class Message:
    channel: str
    target: str
    target_name: str
    schools: tuple[str, ...]
    day: date
    subject: str
    body: str

    @property
    def message_id(self) -> str:
        # An e-mail is one school's digest (two schools sharing an address still get one each); a LINE group
        # gets one push a day whatever schools it covers.
        who = f"{self.target}|{','.join(self.schools)}" if self.channel == "email" else self.target
        return str(uuid.uuid5(NAMESPACE, f"{self.channel}|{who}|{self.day.isoformat()}"))


class Outbox:
    def __init__(self, history: History):
        self.db = history.db
        self.db.executescript(SCHEMA)

    def add(self, m: Message, *, now: datetime | None = None) -> bool:
        """Record a message to send; False when that (channel, target, day) already has one."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO messages (message_id, channel, target, target_name, schools_json, day, subject,"
            " body, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (m.message_id, m.channel, m.target, m.target_name, json.dumps(list(m.schools)), m.day.isoformat(),
             m.subject, m.body, iso(now or utcnow())))
        return cur.rowcount > 0

    def record(self, message_id: str, outcome: str, *, reason: str | None = None, detail: str | None = None,
               now: datetime | None = None) -> None:
        n = self.db.execute("SELECT COUNT(*) FROM message_attempts WHERE message_id=?", (message_id,)).fetchone()[0]
        self.db.execute("INSERT INTO message_attempts (message_id, attempt, at, outcome, reason, detail)"
                        " VALUES (?,?,?,?,?,?)", (message_id, n + 1, iso(now or utcnow()), outcome, reason, detail))

    def messages(self, *, day: date | None = None) -> list[dict]:
        """Every message with its state (newest attempt) and number of attempts, oldest first."""
        sql = ("SELECT m.*, (SELECT COUNT(*) FROM message_attempts a WHERE a.message_id=m.message_id) AS attempts,"
               " (SELECT outcome FROM message_attempts a WHERE a.message_id=m.message_id ORDER BY attempt DESC"
               " LIMIT 1) AS state, (SELECT reason FROM message_attempts a WHERE a.message_id=m.message_id"
               " ORDER BY attempt DESC LIMIT 1) AS reason FROM messages m")
        params: tuple = ()
        if day is not None:
            sql, params = sql + " WHERE m.day=?", (day.isoformat(),)
        cur = self.db.execute(sql + " ORDER BY m.day, m.channel, m.target", params)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            r["schools"] = json.loads(r.pop("schools_json"))
        return rows

    def to_send(self, *, now: datetime | None = None) -> list[dict]:
        """Messages not sent yet; an older unsent one whose target has a newer message is superseded first."""
        rows = [r for r in self.messages() if r["state"] not in DONE]
        newest: dict[tuple[str, str], str] = {}
        for r in self.messages():
            key = (r["channel"], r["target"])
            newest[key] = max(newest.get(key, r["day"]), r["day"])
        out = []
        for r in rows:
            if r["day"] < newest[(r["channel"], r["target"])]:
                self.record(r["message_id"], "superseded", now=now)
            else:
                out.append(r)
        return out
