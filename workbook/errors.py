"""The one error type for everything a user may see.

Every error a user can meet (a bad date, a broken configuration, a registry the job cannot read, a history that
is locked) derives from `KhetError`, so the CLI catches it in one place and prints it in both languages (or as
`{"error": {...}}` with `--json`) with exit 2, and never a traceback. It lives in `workbook/`, the lowest layer,
so `addin/` and `sync/` can both raise it.
"""

from __future__ import annotations


class KhetError(Exception):
    """A problem the user can act on: a stable English `code`, a Thai and an English message.

    `details` carries the values the message quotes (a setting, a path, a cell) for `--json` and run reports.
    """

    code: str = "error"

    def __init__(self, code: str | None = None, message_th: str = "", message_en: str = "", **details):
        self.code = code or type(self).code
        self.message_th = message_th
        self.message_en = message_en
        self.details = details
        super().__init__(f"{message_th} / {message_en}" if message_th and message_en else message_th or message_en)

    def __reduce__(self):  # picklable across processes (xdist, multiprocessing)
        return (_rebuild, (type(self), self.__dict__.copy()))

    def to_dict(self) -> dict:
        out = {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}
        if self.details:
            out["details"] = {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
                              for k, v in self.details.items()}
        return out


def _rebuild(cls, state: dict):
    obj = cls.__new__(cls)
    Exception.__init__(obj, f"{state.get('message_th', '')} / {state.get('message_en', '')}")
    obj.__dict__.update(state)
    return obj
