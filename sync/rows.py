"""A DataFrame's rows as tuples, fast. pandas 2's `itertuples` slices every column on every call (~40 µs a
column): the nightly job walks thousands of small frames (each school's feedback, each summary tab), and that
was a tenth of the demo year's run. One conversion to objects per frame is ~5× faster and gives the values
`itertuples` gives (Timestamp, NaT, nan, None, bool), except that nullable integers come as int."""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

import pandas as pd


def tuples(frame: pd.DataFrame) -> list[tuple]:
    """As ``list(frame.itertuples(index=False, name=None))``."""
    return list(map(tuple, frame.to_numpy(dtype=object))) if len(frame) else []


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]):
    return namedtuple("Row", ["Index", *columns], rename=True)  # pandas' names: invalid ones become _1, _2 …


def named(frame: pd.DataFrame) -> list[tuple]:
    """As ``list(frame.itertuples())``: named rows with the index first (``r.Index``, ``r.column``)."""
    if not len(frame):
        return []
    row = _row_type(tuple(map(str, frame.columns)))
    return [row(i, *values) for i, values in zip(frame.index, frame.to_numpy(dtype=object), strict=True)]
