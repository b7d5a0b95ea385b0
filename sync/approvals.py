"""Approvals and returns in the history, and what the nightly run does with them.

The decisions arrive as control-channel requests (``sync.control.approvals``); the rules are
:mod:`addin.approvals`. Here:

- the ``decisions`` table: every decision, append-only — who, when (the staff member's time), why, the state
  the report was in before, the correction deadline of a return, and the last run whose data it was made on;
- the ``protections`` table: every time the run locked or unlocked an approved report's rows in the school's
  sheet (which protected ranges, which decision);
- :func:`attach` — the night's approval state of every school × report into the summary's status frame, and the
  approval tables of the summary (per report, per network, every decision);
- :func:`apply_protection` — the nightly writer: an approved report's rows (and its confirmation row) protected
  in the school's spreadsheet against the school's edits through protectedRanges, the protection removed once it
  is unapproved. Only pairs whose protection must change cost requests: one metadata read and one batchUpdate
  per school that has any.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from addin import approvals as A
from addin.ontime import bangkok
from addin.thaidate import format_thai_date
from sync import aggregate as agg
from sync import protection
from sync.history import History, iso, parse_iso, utcnow
from workbook.sheets import SUBMISSION

log = logging.getLogger("khet.sync.approvals")

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    decision_id INTEGER PRIMARY KEY,
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    action TEXT NOT NULL,              -- approve | return | unapprove
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,          -- the staff account (the requests tab it came from proves it)
    decided_at TEXT NOT NULL,          -- when the staff member decided (the request's time, UTC)
    recorded_at TEXT NOT NULL,         -- when the job host recorded it
    request_id TEXT NOT NULL UNIQUE,
    previous_state TEXT NOT NULL,      -- addin.approvals state before this decision
    correction_due TEXT,               -- a return: the last day to correct (Bangkok date)
    data_run_id INTEGER NOT NULL       -- the last completed run when it was decided (0: none yet)
);
CREATE TABLE IF NOT EXISTS protections (
    protection_id INTEGER PRIMARY KEY,
    school_code TEXT NOT NULL,
    report_key TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    action TEXT NOT NULL,              -- protect | unprotect
    decision_id INTEGER NOT NULL REFERENCES decisions(decision_id),
    ranges_json TEXT NOT NULL,         -- the protected ranges added or removed (ids, sheetId, rows)
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL
);
""" + "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t} BEGIN "
    f"SELECT RAISE(ABORT, 'khet history is append-only: {t} rows are never updated'); END;\n"
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t} BEGIN "
    f"SELECT RAISE(ABORT, 'khet history is append-only: {t} rows are never deleted'); END;\n"
    for t in ("decisions", "protections"))

PROTECT, UNPROTECT = "protect", "unprotect"
TAG = "khet:approved:"
SUBMITTED = {str(s) for s in agg.SUBMITTED}


def tag_for(report_key: str, fiscal_year: int) -> str:
    return f"{TAG}{fiscal_year}:{report_key}"


def bangkok_day(at: str | None) -> dt.date | None:
    ts = parse_iso(at)
    return None if ts is None else bangkok(ts).date()


class DecisionStore:
    """The decisions and protections tables of a History."""

    def __init__(self, history: History):
        self.history = history
        self.db = history.db
        self.db.executescript(SCHEMA)

    # -- decisions ------------------------------------------------------------------------------------------
    def record(self, *, school_code: str, report_key: str, fiscal_year: int, action: str, reason: str,
               decided_by: str, decided_at: str, request_id: str, previous_state: str,
               correction_due: dt.date | None = None) -> int:
        last = self.history.last_completed_run()
        cur = self.db.execute(
            "INSERT INTO decisions (school_code, report_key, fiscal_year, action, reason, decided_by, decided_at,"
            " recorded_at, request_id, previous_state, correction_due, data_run_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (school_code, report_key, fiscal_year, action, reason, decided_by, decided_at, iso(utcnow()), request_id,
             previous_state, None if correction_due is None else correction_due.isoformat(),
             int(last["run_id"]) if last else 0))
        return int(cur.lastrowid)

    def decisions(self, fiscal_year: int | None = None, school_code: str | None = None) -> list[dict]:
        """Every decision, oldest first (the audit the summary shows)."""
        where, params = self.history._where(fiscal_year=fiscal_year, school_code=school_code)
        return self.history._dicts("SELECT * FROM decisions" + where + " ORDER BY decision_id", params)

    def latest(self, fiscal_year: int) -> dict[tuple[str, str], dict]:
        """(school, report) → its newest decision row."""
        return {(r["school_code"], r["report_key"]): r for r in self.decisions(fiscal_year)}

    def changed_since(self, fiscal_year: int, latest: Mapping[tuple[str, str], dict]) -> set[tuple[str, str]]:
        """Pairs whose report the school changed after their latest decision: a report version first seen in a
        run after the decision's data. A decision made before the report's first version was ever read takes
        that first version as what it decided on."""
        out = set()
        for (code, key), d in latest.items():
            before, after = self.db.execute(
                "SELECT SUM(run_id <= ?), SUM(run_id > ?) FROM report_versions"
                " WHERE school_code=? AND report_key=? AND fiscal_year=?",
                (d["data_run_id"], d["data_run_id"], code, key, fiscal_year)).fetchone()
            if (after or 0) - (0 if before else 1) > 0:
                out.add((code, key))
        return out

    def states(self, fiscal_year: int, sent: set[tuple[str, str]], pairs: Iterable[tuple[str, str]],
               today: dt.date) -> dict[tuple[str, str], A.ApprovalState]:
        latest = self.latest(fiscal_year)
        changed = self.changed_since(fiscal_year, latest)
        return {p: A.current_state(p in sent, decision_of(latest.get(p)), changed_since=p in changed, today=today)
                for p in pairs}

    def state(self, code: str, key: str, fiscal_year: int, *, sent: bool, today: dt.date) -> A.ApprovalState:
        return self.states(fiscal_year, {(code, key)} if sent else set(), [(code, key)], today)[(code, key)]

    # -- protections ----------------------------------------------------------------------------------------
    def record_protection(self, run_id: int, code: str, key: str, fiscal_year: int, action: str, decision_id: int,
                          ranges: list[dict]) -> None:
        self.db.execute(
            "INSERT INTO protections (school_code, report_key, fiscal_year, action, decision_id, ranges_json, run_id,"
            " at) VALUES (?,?,?,?,?,?,?,?)",
            (code, key, fiscal_year, action, decision_id, json.dumps(ranges), run_id, iso(utcnow())))

    def protections(self, fiscal_year: int | None = None) -> list[dict]:
        sql, params = "SELECT * FROM protections", ()
        if fiscal_year is not None:
            sql, params = sql + " WHERE fiscal_year=?", (fiscal_year,)
        return self.history._dicts(sql + " ORDER BY protection_id", params)

    def protected(self, fiscal_year: int) -> dict[tuple[str, str], dict]:
        """(school, report) → its newest protection row."""
        return {(r["school_code"], r["report_key"]): r for r in self.protections(fiscal_year)}


def decision_of(row: dict | None) -> A.Decision | None:
    if row is None:
        return None
    return A.Decision(row["action"], row["decided_by"], row["decided_at"], row["reason"],
                      dt.date.fromisoformat(row["correction_due"]) if row["correction_due"] else None,
                      row["request_id"], row["previous_state"])


def sent_pairs(h: History, fiscal_year: int) -> set[tuple[str, str]]:
    """(school, report) pairs the last run judged sent (on time or late), and those a staff override dates."""
    run = h.db.execute("SELECT MAX(run_id) FROM statuses WHERE fiscal_year=?", (fiscal_year,)).fetchone()[0]
    out = {(r["school_code"], r["report_key"]) for r in h.statuses(run_id=run) if r["status"] in SUBMITTED} \
        if run is not None else set()
    return out | set(h.active_overrides(fiscal_year))


def returned_now(h: History, fiscal_year: int, statuses: pd.DataFrame, today: dt.date) -> dict[tuple[str, str], Any]:
    """(school, report) → correction deadline of every report returned and not corrected yet, for the reminders
    (``statuses``: a run's plain status table, which says what counts as sent)."""
    store = DecisionStore(h)
    latest = store.latest(fiscal_year)
    pairs = [p for p in zip(statuses["school_code"], statuses["report_key"], strict=True) if p in latest]
    sent = {p for p, st in zip(zip(statuses["school_code"], statuses["report_key"], strict=True), statuses["status"],
                               strict=True) if st in SUBMITTED}
    return {p: st.correction_due for p, st in store.states(fiscal_year, sent, pairs, today).items()
            if st.state in (A.RETURNED, A.CORRECTION_OVERDUE)}


# --- the night: states into the summary --------------------------------------------------------------------------

STATUS_COLUMNS = ("approval", "approval_th", "approval_by", "approval_at", "approval_reason", "correction_due",
                  "changed_after_decision")


@dataclass
class Night:
    states: dict[tuple[str, str], A.ApprovalState]
    decisions: list[dict]


def attach(summary: agg.Summary, h: History, fiscal_year: int, today: dt.date,
           schools: pd.DataFrame | None = None) -> Night:
    """Each school × report's approval state as columns of ``summary.status``, the summary's approval tables
    (``approvals_by_report``, ``approvals_by_network``, ``decisions``), and returned reports past their correction
    deadline at the end of the follow-up list (with the school's contacts from ``schools``)."""
    store = DecisionStore(h)
    s = summary.status
    pairs = list(zip(s["school_code"], s["report_key"], strict=True))
    sent = {p for p, st in zip(pairs, s["status"], strict=True) if st in SUBMITTED}
    states = store.states(fiscal_year, sent, pairs, today)
    rows = [states[p] for p in pairs]
    summary.status = s.assign(
        approval=[r.state for r in rows], approval_th=[r.th for r in rows],
        approval_by=[r.last.decided_by if r.last else "" for r in rows],
        approval_at=[bangkok_day(r.last.decided_at) if r.last else None for r in rows],
        approval_reason=[r.last.reason if r.last else "" for r in rows],
        correction_due=[r.correction_due for r in rows],
        changed_after_decision=[bool(r.changed_since and r.last is not None) for r in rows])
    decisions = store.decisions(fiscal_year)
    summary.approvals_by_report, summary.approvals_by_network = approval_tables(summary.status)
    summary.decisions = decisions_frame(decisions, summary.status)
    summary.follow_up = _with_overdue_corrections(summary.follow_up, summary.status, schools)
    return Night(states, decisions)


OVERDUE_TH = "เกินกำหนดแก้ไขตามที่เขตส่งกลับ"


def _with_overdue_corrections(follow_up: pd.DataFrame, status: pd.DataFrame,
                              schools: pd.DataFrame | None) -> pd.DataFrame:
    late = status[status["approval"] == A.CORRECTION_OVERDUE]
    if not len(late):
        return follow_up
    contacts = {} if schools is None else {r.school_code: r for r in schools.itertuples()}
    rows = [{"network": r.network, "school_code": r.school_code, "school_name": r.school_name,
             "kind": A.CORRECTION_OVERDUE, "kind_th": OVERDUE_TH, "report_th": r.report_th, "due": r.correction_due,
             "errors": r.errors, "detail_th": f"ส่งกลับเมื่อ {_d(r.approval_at)}: {r.approval_reason}",
             "contact_email": getattr(contacts.get(r.school_code), "contact_email", ""),
             "phone": getattr(contacts.get(r.school_code), "phone", "")} for r in late.itertuples()]
    extra = pd.DataFrame(rows).reindex(columns=list(follow_up.columns) or list(rows[0]))
    return pd.concat([follow_up, extra], ignore_index=True) if len(follow_up) else extra


GROUPS = (A.APPROVED, A.RETURNED, A.WAITING)
GROUP_TH = {A.APPROVED: "อนุมัติแล้ว", A.RETURNED: "ส่งกลับแก้ไข", A.WAITING: "รอพิจารณา"}


def approval_tables(status: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sent reports by approval group (approved / returned / waiting), per report and per network; of the
    returned, those past their correction deadline; of the waiting, those corrected after a return."""
    sent = status[status["approval"] != A.NOT_SENT].assign(group=lambda f: f["approval"].map(A.GROUP_OF))

    def table(by: list[str]) -> pd.DataFrame:
        if not len(sent):
            return pd.DataFrame(columns=[*by, "sent", *GROUPS, A.CORRECTION_OVERDUE, A.CORRECTED, "approved_pct"])
        t = pd.crosstab([sent[c] for c in by], sent["group"]).reindex(columns=list(GROUPS), fill_value=0)
        for state in (A.CORRECTION_OVERDUE, A.CORRECTED):  # within returned, within waiting
            t[state] = sent.groupby(by)["approval"].apply(
                lambda x, state=state: int((x == state).sum())).reindex(t.index, fill_value=0)
        t.insert(0, "sent", t[list(GROUPS)].sum(axis=1))
        t["approved_pct"] = (100 * t[A.APPROVED] / t["sent"]).round(1)
        return t.reset_index()

    by_report = table(["report_key", "report_th"])
    order = {k: i for i, k in enumerate(dict.fromkeys(status["report_key"]))}
    by_report = by_report.sort_values("report_key", key=lambda k: k.map(order)).reset_index(drop=True)
    by_network = table(["network"]) if "network" in sent.columns else pd.DataFrame()
    return by_report.drop(columns="report_key"), by_network


def decisions_frame(decisions: list[dict], status: pd.DataFrame) -> pd.DataFrame:
    """Every decision of the year, newest first, with the school's name and the report's title."""
    names = dict(zip(status["school_code"], status["school_name"], strict=True))
    titles = dict(zip(status["report_key"], status["report_th"], strict=False))
    rows = [{"decided_on": bangkok_day(d["decided_at"]), "school_code": d["school_code"],
             "school_name": names.get(d["school_code"], ""), "report_th": titles.get(d["report_key"], d["report_key"]),
             "action_th": A.ACTION_TH[d["action"]], "decision_reason": d["reason"], "decided_by": d["decided_by"],
             "previous_th": A.STATE_TH.get(d["previous_state"], d["previous_state"]),
             "correction_due": dt.date.fromisoformat(d["correction_due"]) if d["correction_due"] else None,
             "decision_request": d["request_id"]} for d in reversed(decisions)]
    return pd.DataFrame(rows, columns=["decided_on", "school_code", "school_name", "report_th", "action_th",
                                       "decision_reason", "decided_by", "previous_th", "correction_due",
                                       "decision_request"])


# --- the night: the school's feedback ---------------------------------------------------------------------------

TOPIC = "ผลการพิจารณาของเขต"


def _d(value) -> str:
    return format_thai_date(value) if isinstance(value, dt.date) else ""


def feedback_line(r) -> tuple[str, str, str] | None:
    """(status, message, what to do) of a report's approval in the school's feedback; None when undecided."""
    state = getattr(r, "approval", None)
    if not isinstance(state, str) or state in (A.NOT_SENT, "") or not getattr(r, "approval_by", ""):
        return None
    on, why, due = _d(r.approval_at), r.approval_reason, r.correction_due
    if state == A.APPROVED:
        msg = f"เขตอนุมัติรายงานนี้แล้วเมื่อ {on} แถวของรายงานนี้ในชีตถูกล็อกไว้ แก้ไขไม่ได้"
        act = ""
        if r.changed_after_decision:
            msg += "; มีข้อมูลของรายงานนี้เปลี่ยนไปหลังการอนุมัติ เขตบันทึกไว้"
            act = "หากต้องแก้รายงานที่อนุมัติแล้ว ติดต่อเขตให้ยกเลิกการอนุมัติ"
        return A.STATE_TH[state], msg, act
    if state == A.WAITING:  # unapproved
        return A.STATE_TH[state], f"เขตยกเลิกการอนุมัติเมื่อ {on} เหตุผล: {why} แก้ไขรายงานได้อีกครั้ง", \
            "แก้ไขตามเหตุผลแล้วยืนยันการส่งอีกครั้ง"
    if state == A.CORRECTED:
        return A.STATE_TH[state], f"แก้ไขแล้ว รอเขตพิจารณาอีกครั้ง (ส่งกลับเมื่อ {on} เหตุผล: {why})", ""
    msg = f"เขตส่งกลับให้แก้ไขเมื่อ {on} เหตุผล: {why}"
    if state == A.CORRECTION_OVERDUE:
        return A.STATE_TH[state], f"{msg} — เลยกำหนดแก้ไข {_d(due)} แล้ว", "แก้ไขโดยเร็ว แล้วแจ้งกลุ่มนโยบายและแผนของเขต"
    return A.STATE_TH[state], msg, f"แก้ไขตามเหตุผลภายใน {_d(due)}"


# --- the night: protection in the school's sheet ----------------------------------------------------------------

def report_rows(d: agg.District, report, code: str, fiscal_year: int) -> dict[str, list[int]]:
    """Sheet key → the school's rows of ``report`` (clean and rejected) and its confirmation rows."""
    out: dict[str, list[int]] = {}
    for frame in (d.tables.get(report.sheet), d.rejected.get(report.sheet)):
        if frame is not None and len(frame) and "_row" in frame.columns:
            mine = agg._report_rows(frame[frame["school_code"] == code], report)
            out.setdefault(report.sheet, []).extend(int(r) for r in mine["_row"])
    sub = d.table("submission")
    if len(sub):
        mine = sub[(sub["school_code"] == code) & (sub["report"].astype(str) == report.title_th)
                   & (agg.norm_col(sub["fiscal_year"]) == str(fiscal_year))]
        if len(mine):
            out.setdefault(SUBMISSION.key, []).extend(int(r) for r in mine["_row"])
    return out


@dataclass
class Change:
    code: str
    report: Any
    action: str
    decision_id: int


def changes(store: DecisionStore, states: Mapping[tuple[str, str], A.ApprovalState], fiscal_year: int,
            reports: Mapping[str, Any]) -> list[Change]:
    """What protection must change tonight: approved and not locked yet, or locked and no longer approved."""
    latest, done = store.latest(fiscal_year), store.protected(fiscal_year)
    out = []
    for (code, key), st in states.items():
        locked = done.get((code, key), {}).get("action") == PROTECT
        want = st.state == A.APPROVED
        if want != locked and key in reports and (code, key) in latest:
            out.append(Change(code, reports[key], PROTECT if want else UNPROTECT, latest[(code, key)]["decision_id"]))
    return out


def apply_protection(client, store: DecisionStore, run_id: int, d: agg.District, todo: list[Change],
                     spreadsheet_ids: Mapping[str, str], editor: str, fiscal_year: int,
                     sheet_titles: Mapping[str, str]) -> dict[str, str]:
    """Lock / unlock tonight's changes school by school (school → done / failed / no_sheet); each school's failure
    is its own and is tried again next night (nothing is recorded for it)."""
    by_school: dict[str, list[Change]] = {}
    for c in todo:
        by_school.setdefault(c.code, []).append(c)
    state: dict[str, str] = {}
    for code, items in by_school.items():
        sid = spreadsheet_ids.get(code)
        if not sid:
            state[code] = "no_sheet"
            continue
        try:
            found = protection.read(client, sid)
            reqs, plan = [], []
            for c in items:
                tag = tag_for(c.report.key, fiscal_year)
                gone = protection.unprotect(found, tag)  # never two locks for one report
                adds = []
                if c.action == PROTECT:
                    text = (f"เขตอนุมัติรายงาน “{c.report.title_th}” ปีงบประมาณ {fiscal_year} แล้ว ห้ามแก้ไข / "
                            f"approved by the district, locked")
                    for key, rows in report_rows(d, c.report, code, fiscal_year).items():
                        title = sheet_titles.get(key)
                        if title in found.sheet_ids:
                            adds += protection.protect_rows(found.sheet_ids[title], rows, tag=tag, text=text,
                                                            editors=[editor])
                reqs += gone + adds
                plan.append((c, len(gone), len(adds), found.by_tag.get(tag, [])))
            replies = client.http_client.batch_update(sid, {"requests": reqs}).get("replies", []) if reqs else []
        except Exception as exc:  # noqa: BLE001 - one school's sheet never stops the night
            log.warning("protection %s failed (nothing recorded: locked at the next run once the sheet answers): %s",
                        code, exc)
            state[code] = "failed"
            continue
        i = 0
        for c, n_gone, n_add, old in plan:
            added = [r.get("addProtectedRange", {}).get("protectedRange", {}) for r in replies[i + n_gone:i + n_gone + n_add]]
            i += n_gone + n_add
            store.record_protection(run_id, code, c.report.key, fiscal_year, c.action, c.decision_id,
                                    protection.spans_of(added if c.action == PROTECT else old))
        state[code] = "done"
    return state


def protect_night(client, h: History, run_id: int, d: agg.District, states: Mapping[tuple[str, str], A.ApprovalState],
                  fiscal_year: int, reports: Iterable, spreadsheet_ids: Mapping[str, str],
                  sheets: Iterable) -> dict[str, Any]:
    """The nightly writer: tonight's lock / unlock changes (see :func:`changes`), per school."""
    store = DecisionStore(h)
    todo = changes(store, states, fiscal_year, {r.key: r for r in reports})
    if not todo:
        return {"changes": 0}
    editor = getattr(getattr(client.http_client, "auth", None), "service_account_email", None)
    if not editor:
        raise RuntimeError("locking approved rows needs the service-account key (the editor of the locks)")
    by_school = apply_protection(client, store, run_id, d, todo, spreadsheet_ids, editor, fiscal_year,
                                 {sh.key: sh.title_th for sh in sheets})
    return {"changes": len(todo), "schools": by_school,
            "failed": sorted(c for c, v in by_school.items() if v == "failed")}
