"""The editable words of a generated document: a UTF-8 TOML file with {placeholders}.

The shipped text is ``sync/reporting/<name>_template.toml``; ``khet report template annual --out FILE`` copies
it for a district to edit, and ``--template FILE`` uses the edited copy. A placeholder the report does not know,
a missing section or a file that is not TOML is a clear Thai/English error naming the file and the section —
never a report with "{typo}" printed in it.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from workbook.errors import KhetError


class TemplateError(KhetError):
    code = "report.template"


def default_text(name: str) -> str:
    return resources.files("sync.reporting").joinpath(f"{name}_template.toml").read_text(encoding="utf-8")


def load_template(name: str, path: Path | None = None) -> dict:
    """The template as a dict; sections the edited file lacks come from the shipped text."""
    base = tomllib.loads(default_text(name))
    if path is None:
        return base
    try:
        edited = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise TemplateError(message_th=f"ไม่พบไฟล์ข้อความรายงาน {path}", message_en=f"template not found: {path}",
                            path=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(message_th=f"อ่านไฟล์ข้อความรายงาน {path} ไม่ได้: {exc}",
                            message_en=f"cannot read template {path}: {exc}", path=str(path)) from None
    for key, value in edited.items():
        if key == "sections" and isinstance(value, dict):
            for sec, body in value.items():
                if sec not in base["sections"]:
                    raise TemplateError(
                        message_th=f"ไฟล์ {path}: ไม่รู้จักส่วน [sections.{sec}] (มี {', '.join(base['sections'])})",
                        message_en=f"{path}: unknown section [sections.{sec}]", path=str(path), section=sec)
                base["sections"][sec].update(body)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key].update(value)
        else:
            base[key] = value
    base["_path"] = str(path)
    return base


class _Strict(dict):
    def __init__(self, values: dict, where: str):
        super().__init__(values)
        self.where = where

    def __missing__(self, key):
        raise TemplateError(
            message_th=f"{self.where}: ไม่รู้จักตัวแปร {{{key}}} (ใช้ได้: {', '.join(sorted(self))})",
            message_en=f"{self.where}: unknown placeholder {{{key}}}", placeholder=key)


def fill(text: str, values: dict, where: str) -> str:
    """``text`` with every {placeholder} replaced; an unknown one is a TemplateError naming ``where``."""
    try:
        return text.format_map(_Strict(values, where))
    except (ValueError, IndexError) as exc:  # a lone "{" or "}" in edited text
        raise TemplateError(message_th=f"{where}: วงเล็บปีกกาไม่ครบคู่ ({exc}) ใช้ {{{{ หรือ }}}} ถ้าต้องการพิมพ์วงเล็บ",
                            message_en=f"{where}: unbalanced braces ({exc})") from None
