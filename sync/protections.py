"""The protections Khet keeps on a school's sheet, and putting back any that a school removed or loosened.

A protection is known by the `[khet:…]` tag at the end of its description. `school_protections` lists what a
school sheet must carry (each input tab's header rows, the whole of each read-only tab such as the district's
feedback); provisioning and `khet schools update` add them from that list, and the nightly job calls `restore`
for a school that shows a sign of tampering. `restore` costs one `spreadsheets.get` and, only when something is
wrong, one `batchUpdate`: a missing protection is added again, one turned into a mere warning or moved to
another range is set back. It takes any list of wanted protections, so other parts that protect a school's rows
(approved reports, issue 14) use it with their own `Protection`s.

Decisions:
- Editors: only the district's service account is named (the owner can always edit). A school that owns its
  sheet can still remove a protection — Google lets the owner — so it is put back and reported, never assumed.
- A Khet-tagged protection with an unknown tag (a tab the district no longer has) is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbook.sheets import SCHOOL_SHEETS, SheetDef

TAG_HEADER = "khet:header:"
TAG_READONLY = "khet:readonly:"
META_FIELDS = ("sheets(properties(sheetId,title),"
               "protectedRanges(protectedRangeId,description,range,warningOnly,editors))")
RANGE_KEYS = ("sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")


@dataclass(frozen=True)
class Protection:
    tag: str
    range: Mapping[str, int]   # a GridRange (sheetId and the indices that bound it)
    description: str           # ends with "[tag]"

    def add_request(self, editors: Sequence[str]) -> dict[str, Any]:
        return {"addProtectedRange": {"protectedRange": {
            "range": dict(self.range), "description": self.description, "warningOnly": False,
            "editors": {"users": list(editors)}}}}

    def fix_request(self, protected_range_id: int, editors: Sequence[str]) -> dict[str, Any]:
        return {"updateProtectedRange": {"protectedRange": {
            "protectedRangeId": protected_range_id, "range": dict(self.range), "description": self.description,
            "warningOnly": False, "editors": {"users": list(editors)}},
            "fields": "range,description,warningOnly,editors"}}


def tagged(tag: str, text: str) -> str:
    return f"{text} [{tag}]"


def tag_of(description: str) -> str | None:
    """The `[khet:…]` tag of a protected range's description, if it has one."""
    if "[khet:" not in description:
        return None
    return description.rsplit("[", 1)[1].rstrip("]")


def khet_tags(protected_ranges: Iterable[Mapping]) -> set[str]:
    """The `[khet:…]` tags found in a spreadsheet's protected-range descriptions."""
    return {t for pr in protected_ranges if (t := tag_of(pr.get("description", ""))) is not None}


def _grid(sheet_id: int, r0: int | None = None, r1: int | None = None) -> dict[str, int]:
    out = {"sheetId": sheet_id}
    if r0 is not None:
        out["startRowIndex"] = r0
    if r1 is not None:
        out["endRowIndex"] = r1
    return out


def school_protections(sheet_ids: Mapping[str, int], sheets: Sequence[SheetDef] = SCHOOL_SHEETS) -> list[Protection]:
    """Each tab's header rows; the whole of every read-only tab (the feedback). Tabs not in `sheet_ids` (a tab
    the school deleted or renamed) are skipped: there is nothing to protect until it is back."""
    out = []
    for sheet in sheets:
        if sheet.key not in sheet_ids:
            continue
        sid = sheet_ids[sheet.key]
        if sheet.read_only:
            tag = TAG_READONLY + sheet.key
            out.append(Protection(tag, _grid(sid), tagged(
                tag, "เขตพื้นที่เขียนแท็บนี้ โรงเรียนอ่านอย่างเดียว / written by the district, read-only")))
        else:
            tag = TAG_HEADER + sheet.key
            out.append(Protection(tag, _grid(sid, 0, sheet.first_data_row - 1),
                                  tagged(tag, "หัวตาราง ห้ามแก้ไข / header rows, do not edit")))
    return out


@dataclass
class SheetProtections:
    """What a spreadsheet carries: tab key → sheetId (by Thai title) and Khet tag → its protected range."""

    ids: dict[str, int] = field(default_factory=dict)
    by_tag: dict[str, dict] = field(default_factory=dict)

    @property
    def tags(self) -> set[str]:
        return set(self.by_tag)


def read_protections(client, spreadsheet_id: str, sheets: Sequence[SheetDef] = SCHOOL_SHEETS) -> SheetProtections:
    """One spreadsheets.get: the tabs and the Khet-tagged protected ranges."""
    meta = client.http_client.fetch_sheet_metadata(spreadsheet_id, params={"fields": META_FIELDS})
    by_title = {s.title_th: s.key for s in sheets}
    out = SheetProtections()
    for sh in meta.get("sheets", []):
        props = sh.get("properties", {})
        if (key := by_title.get(props.get("title"))) is not None:
            out.ids[key] = props.get("sheetId", 0)
        for pr in sh.get("protectedRanges", []):
            if (tag := tag_of(pr.get("description", ""))) is not None:
                out.by_tag.setdefault(tag, pr)
    return out


def _loosened(current: Mapping, wanted: Protection) -> bool:
    """A protection turned into a mere warning, or moved/narrowed to another range."""
    rng = current.get("range") or {}
    return bool(current.get("warningOnly")) or any(rng.get(k) != wanted.range.get(k) for k in RANGE_KEYS)


@dataclass
class Restored:
    """What `restore` found and did (tags), and the requests it cost."""

    added: list[str] = field(default_factory=list)      # missing: added again
    tightened: list[str] = field(default_factory=list)  # a warning only, or another range: set back
    requests: int = 0

    @property
    def changed(self) -> list[str]:
        return self.added + self.tightened


def restore(client, spreadsheet_id: str, editors: Sequence[str],
            wanted: Callable[[Mapping[str, int]], list[Protection]] = school_protections,
            *, current: SheetProtections | None = None) -> Restored:
    """Put back what `wanted(sheet_ids)` lists and the spreadsheet lacks or carries loosened (module doc)."""
    out = Restored()
    if current is None:
        current = read_protections(client, spreadsheet_id)
        out.requests += 1
    reqs = []
    for p in wanted(current.ids):
        have = current.by_tag.get(p.tag)
        if have is None:
            reqs.append(p.add_request(editors))
            out.added.append(p.tag)
        elif _loosened(have, p):
            reqs.append(p.fix_request(have["protectedRangeId"], editors))
            out.tightened.append(p.tag)
    if reqs:
        client.http_client.batch_update(spreadsheet_id, {"requests": reqs})
        out.requests += 1
    return out
