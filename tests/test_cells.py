"""One definition of a blank cell, shared by the date parser, validation, the Excel layer and the UDFs."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from addin import udfs
from addin.cells import is_blank
from addin.thaidate import parse_date_or_none


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", "\u200b", " \ufeff\u3000 ", float("nan"),
                                   np.float64("nan"), pd.NaT, pd.NA, np.datetime64("NaT")])
def test_blank(value):
    assert is_blank(value) is True


@pytest.mark.parametrize("value", ["x", " x", "\u200bก", "0", 0, 0.0, False, date(2025, 1, 1),
                                   np.datetime64("2025-01-01")])
def test_not_blank(value):
    assert is_blank(value) is False


def test_every_reader_agrees_on_invisible_text():
    cells = [["\u200b"], ["\u00a0 "], [date(2024, 10, 1)]]
    assert parse_date_or_none("\u200b") is None
    assert udfs.KHET_FY(cells) == [[""], [""], [2568]]
    assert udfs.check_rows("submission", [["\u200b", None, " ", None, None, None, None]]) == [""]
