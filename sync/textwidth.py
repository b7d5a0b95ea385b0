"""Thai text in a terminal: how many columns a string takes, and padding, cutting and plain tables built on
that, for every command that lines text up (demo summary, calendar, workdays, progress bars).

Python's `len` and f-string alignment count code points, but Thai vowel and tone marks above and below the line
(U+0E31, U+0E34–U+0E3A, U+0E47–U+0E4E: category Mn) stack on the consonant before them and take no column, so
`f"{text:<20}"` on Thai text comes out short. SARA AM (U+0E33) does take a column. East Asian wide characters
take two, which keeps a school name typed with full-width digits from breaking a table too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

# Non-spacing and enclosing marks, and format characters (zero-width space, joiners, BOM).
_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    if unicodedata.category(ch) in _ZERO_WIDTH_CATEGORIES:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: Any) -> int:
    """Terminal columns `text` takes (None is blank)."""
    text = "" if text is None else str(text)
    if text.isascii():  # fast path: most cells are numbers and codes
        return len(text)
    return _thai_width(text)


@lru_cache(maxsize=65536)
def _thai_width(text: str) -> int:
    # The summary sizes its columns from every cell each night: the same school names and statuses, millions of
    # characters (a tenth of the demo's year), so widths are remembered.
    return sum(char_width(ch) for ch in text)


def cut(text: Any, w: int) -> str:
    """`text` as is if it fits in `w` columns, otherwise cut to `w - 1` columns and "…" (marks stay with their
    consonant: a cut never strands a tone mark on the next cell)."""
    text = "" if text is None else str(text)
    if width(text) <= w:
        return text
    out, used = [], 0
    for ch in text:
        cw = char_width(ch)
        if used + cw > w - 1:
            break
        out.append(ch)
        used += cw
    return "".join(out) + "…"


def pad(text: Any, w: int, right: bool = False) -> str:
    """`text` in exactly `w` columns when it fits (right-aligned for numbers); longer text is left whole."""
    text = "" if text is None else str(text)
    gap = " " * max(0, w - width(text))
    return gap + text if right else text + gap


def fit(text: Any, w: int) -> str:
    """`text` in exactly `w` columns, cut if need be: a cell of a fixed-width layout."""
    return pad(cut(text, w), w)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str], right: Iterable[int] = (),
          indent: str = "  ") -> list[str]:
    """Lines of a plain table: the header, a rule, then the rows; columns as wide as their widest cell, two
    spaces between them, `right` the column indexes aligned right. Lines carry no trailing spaces."""
    right = set(right)
    widths = [max(width(x) for x in [h, *(r[i] for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[Any]) -> str:
        return (indent + "  ".join(pad(v, w, i in right) for i, (v, w) in
                                   enumerate(zip(cells, widths, strict=True)))).rstrip()

    return [line(header), indent + "  ".join("─" * w for w in widths), *(line(r) for r in rows)]
