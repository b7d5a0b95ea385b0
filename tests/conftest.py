"""Shared pytest fixtures."""

import os

# xlwings registers its remote engine (xw.Book(json=...), used by tests/test_buttons.py) only if the key is set
# when it is first imported. PolyForm Noncommercial: use by educational/government institutions is permitted.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from sync.emulator.testing import *  # noqa: F401,F403
