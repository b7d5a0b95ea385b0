"""Protected ranges Khet keeps in a school's spreadsheet, through the Sheets API's real protectedRanges.

Every range Khet adds carries a ``[khet:…]`` tag at the end of its description (the same convention as
provisioning's header and read-only tabs, ``sync.google_template``), so Khet finds its own ranges again in one
metadata read and never touches anyone else's. Only the editors listed on a range (the district's service
account; Google adds the spreadsheet's owner) may change it, so a school cannot take Khet's protection off.

- :func:`read` — one ``spreadsheets.get``: tab title → sheetId, and tag → the ranges carrying it;
- :func:`protect_rows` / :func:`unprotect` — the batchUpdate requests to add row ranges under a tag, or to drop
  every range of a tag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

FIELDS = "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description,range,editors))"


def tag_of(description: str | None) -> str | None:
    """The ``khet:…`` tag a description ends with, or None."""
    text = description or ""
    if "[khet:" not in text:
        return None
    return text.rsplit("[", 1)[1].rstrip("]")


@dataclass
class Protections:
    sheet_ids: dict[str, int] = field(default_factory=dict)             # tab title -> sheetId
    by_tag: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # tag -> protected ranges


def read(client, spreadsheet_id: str) -> Protections:
    """The spreadsheet's tabs and Khet's protected ranges, in one read."""
    meta = client.http_client.fetch_sheet_metadata(spreadsheet_id, params={"fields": FIELDS})
    out = Protections()
    for sh in meta.get("sheets", []):
        props = sh.get("properties", {})
        out.sheet_ids[props.get("title")] = props.get("sheetId", 0)
        for pr in sh.get("protectedRanges", []) or []:
            tag = tag_of(pr.get("description"))
            if tag is not None:
                out.by_tag.setdefault(tag, []).append(pr)
    return out


def row_spans(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sheet row numbers (1-based) as runs of consecutive rows: [(first, last), …]."""
    spans: list[tuple[int, int]] = []
    for r in sorted({int(r) for r in rows}):
        if spans and r == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], r)
        else:
            spans.append((r, r))
    return spans


def protect_rows(sheet_id: int, rows: Iterable[int], *, tag: str, text: str, editors: list[str]) -> list[dict]:
    """addProtectedRange requests covering whole rows ``rows`` of one tab, one per run of consecutive rows."""
    return [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet_id, "startRowIndex": first - 1, "endRowIndex": last},
        "description": f"{text} [{tag}]", "warningOnly": False, "editors": {"users": list(editors)}}}}
        for first, last in row_spans(rows)]


def unprotect(found: Protections, tag: str) -> list[dict]:
    """deleteProtectedRange requests for every range carrying ``tag``."""
    return [{"deleteProtectedRange": {"protectedRangeId": pr["protectedRangeId"]}} for pr in found.by_tag.get(tag, [])]


def spans_of(ranges: Iterable[dict]) -> list[dict]:
    """Protected ranges as the history keeps them: id, sheetId and 1-based first/last row."""
    out = []
    for pr in ranges:
        rng = pr.get("range", {})
        out.append({"id": pr.get("protectedRangeId"), "sheet_id": rng.get("sheetId", 0),
                    "first_row": rng.get("startRowIndex", 0) + 1, "last_row": rng.get("endRowIndex")})
    return out
