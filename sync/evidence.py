"""Evidence of submission: when a school's content provably existed, and which reports it proves.

The proof of a school's content is the Drive ``modifiedTime`` of the version Khet read (the content has been the
file's state since then). Only the time seen *after* the read is safe — a listing made before the
``values.batchGet`` can be older than the content when the school edits in between — so each night, after the
reads, the job lists the folder once more (one Drive request per 1,000 files) and uses that listing:
- a school read tonight: its modifiedTime after the read, when that is not later than the read itself; otherwise
  (the school edited during the night) the read time (``source = run``);
- a school unchanged tonight: the modifiedTime of the content held (tonight's listing shows it unchanged, which
  proves no edit since);
- a school that failed tonight proves nothing new.
The listing comes before tonight's feedback writes, so Khet's own writes never date a school's content; an
earlier night's feedback write can only give a *later* time, and the history keeps the earliest (see
:meth:`sync.history.History.record_evidence`).

Which reports a proof covers (``checks``, one row per school × report): (a) ``with_data`` — confirmed, rows
present, no sheet-level error on its tab; (b) ``valid`` — confirmed, rows present, no error at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from addin.ontime import bangkok
from sync.history import parse_iso

KIND_WITH_DATA = "with_data"
KIND_VALID = "valid"
SOURCE_DRIVE = "drive_modified"
SOURCE_RUN = "run"


@dataclass(frozen=True)
class Proof:
    """A school's content existed at ``at``."""

    at: datetime
    source: str                  # drive_modified | run
    drive_modified: str | None


def proof_of(outcome: str, *, modified_after: str | None, held_modified: str | None,
             read_at: datetime) -> Proof | None:
    """The proof one school's outcome tonight gives (module docstring)."""
    if outcome == "read":
        after = parse_iso(modified_after)
        if after is not None and after <= read_at:
            return Proof(after, SOURCE_DRIVE, modified_after)
        return Proof(read_at, SOURCE_RUN, modified_after)
    if outcome == "unchanged" and held_modified:
        held = parse_iso(held_modified)
        return Proof(min(held, read_at), SOURCE_DRIVE if held <= read_at else SOURCE_RUN, held_modified)
    return None


def proofs(outcomes: Iterable, modified_after: Mapping[str, object], held: Mapping[str, str],
           read_at: datetime) -> dict[str, Proof]:
    """school code → proof, from the reader's outcomes, the after-read listing (spreadsheet id → DriveFile)
    and the modifiedTime of the data held (school code → modifiedTime)."""
    out = {}
    for o in outcomes:
        listed = modified_after.get(o.school.spreadsheet_id or "")
        p = proof_of(o.outcome, modified_after=getattr(listed, "modified_time", listed),
                     held_modified=held.get(o.school.code) or o.drive_modified, read_at=read_at)
        if p is not None:
            out[o.school.code] = p
    return out


def evidence_records(checks: pd.DataFrame, school_proofs: Mapping[str, Proof]) -> list[tuple]:
    """(school, report, kind, at, source, drive_modified) for every report tonight's proofs cover."""
    out = []
    for code, key, with_data, valid in zip(checks["school_code"], checks["report_key"],
                                           checks["confirmed"] & checks["with_data"],
                                           checks["confirmed"] & checks["valid"], strict=True):
        p = school_proofs.get(code)
        if p is None:
            continue
        if with_data:
            out.append((code, key, KIND_WITH_DATA, p.at, p.source, p.drive_modified))
        if valid:
            out.append((code, key, KIND_VALID, p.at, p.source, p.drive_modified))
    return out


def list_after_read(client, folder_id: str | None) -> dict[str, object]:
    """Spreadsheet id → ``sync.reader.DriveFile`` (modifiedTime, createdTime), listed after tonight's reads
    (every file: one request per 1,000)."""
    from sync.reader import list_spreadsheets

    return {f.id: f for f in list_spreadsheets(client, folder_id)}


def sheets_since(registry_schools: Iterable, listing: Mapping[str, object]) -> dict[str, date]:
    """school code → the Bangkok date its spreadsheet was created (a school that joined mid-year)."""
    out = {}
    for s in registry_schools:
        f = listing.get(s.spreadsheet_id or "")
        created = parse_iso(getattr(f, "created_time", "") or None)
        if created is not None:
            out[s.code] = bangkok(created).date()
    return out
