"""A1 notation: parse `'Sheet name'!A1:B2`-style ranges into 0-based half-open boxes and format them back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import bad_request

_CELL = re.compile(r"^([A-Za-z]{0,3})(\d{0,7})$", re.A)
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Box:
    """A grid range: rows/cols 0-based, end exclusive; None = unbounded on that side."""

    r0: int | None = None
    c0: int | None = None
    r1: int | None = None
    c1: int | None = None

    def clip(self, rows: int, cols: int) -> tuple[int, int, int, int]:
        return (
            self.r0 or 0,
            self.c0 or 0,
            rows if self.r1 is None else self.r1,
            cols if self.c1 is None else self.c1,
        )

    def to_grid_range(self, sheet_id: int) -> dict:
        out: dict = {"sheetId": sheet_id}
        for key, val in (
            ("startRowIndex", self.r0),
            ("endRowIndex", self.r1),
            ("startColumnIndex", self.c0),
            ("endColumnIndex", self.c1),
        ):
            if val is not None:
                out[key] = val
        return out

    @classmethod
    def from_grid_range(cls, gr: dict) -> Box:
        return cls(
            gr.get("startRowIndex"),
            gr.get("startColumnIndex"),
            gr.get("endRowIndex"),
            gr.get("endColumnIndex"),
        )


def col_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell(part: str) -> tuple[int | None, int | None] | None:
    m = _CELL.match(part.strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    col = col_index(m.group(1)) if m.group(1) else None
    if m.group(2) and int(m.group(2)) == 0:
        return None
    row = int(m.group(2)) - 1 if m.group(2) else None
    return row, col


def parse_box(text: str) -> Box | None:
    """`A1`, `A1:B2`, `A:B`, `2:5`, `A2:C` → Box, or None if `text` is not A1 notation."""
    start, sep, end = text.partition(":")
    a = _cell(start)
    if a is None:
        return None
    if not sep:
        if a[0] is None or a[1] is None:
            # a lone column "A" or row "3" is not a range in Sheets' grammar
            return None
        return Box(a[0], a[1], a[0] + 1, a[1] + 1)
    b = _cell(end)
    if b is None:
        return None
    (ra, ca), (rb, cb) = a, b
    if (ra is None) != (rb is None) and ra is None:
        return None  # "A:B5" is not valid in Sheets
    r0 = min(ra, rb) if ra is not None and rb is not None else ra
    r1 = (max(ra, rb) + 1) if ra is not None and rb is not None else None
    c0 = min(ca, cb) if ca is not None and cb is not None else ca
    c1 = (max(ca, cb) + 1) if ca is not None and cb is not None else None
    if ra is None:  # "A:B"
        r0, r1 = None, None
    if ca is None and cb is None:  # "2:5"
        c0, c1 = None, None
    return Box(r0, c0, r1, c1)


def split_sheet(text: str) -> tuple[str | None, str]:
    """Split `'It''s'!A1` → ("It's", "A1"); `Data` → (None, "Data")."""
    text = text.strip()
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(title), ""
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                raise bad_request(f"Unable to parse range: {text}")
            title.append(ch)
            i += 1
        raise bad_request(f"Unable to parse range: {text}")
    if "!" in text:
        title, _, rest = text.rpartition("!")
        return title, rest
    return None, text


def quote_title(title: str) -> str:
    if _PLAIN_TITLE.match(title) and parse_box(title) is None:
        return title
    return "'" + title.replace("'", "''") + "'"


def format_box(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """Bounded box → `Sheet1!A1:B2` (a single cell as `Sheet1!A1`)."""
    start = f"{col_letters(c0)}{r0 + 1}"
    end = f"{col_letters(c1 - 1)}{r1}"
    return f"{quote_title(title)}!{start}" + ("" if start == end else f":{end}")
