"""Typed row models (pydantic) generated from the sheet definitions — one model per sheet, never written by hand.

A model describes one *normalised* row (what the validation engine hands on: dates as `date`, money as
`Decimal`, choices as their Thai value). It accepts a field by its English key, its Thai header or an alias,
ignores unknown fields (the engine keeps a school's extra columns beside the known ones), and enforces the
row-level table rules whose severity is "error" (end ≥ start, spent ≤ budget, categories add up to the
total). Rules across rows (unique) and warnings (result vs target) belong to the validation engine.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic import model_validator as _model_validator

from workbook.schema import (
    DIRECTION_LOWER_BETTER,
    NO_TH,
    SCHOOL_CODE_PATTERN,
    YES_TH,
    ColType,
    Column,
    SheetDef,
    TableRule,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def _check_email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(f"not an e-mail address: {value!r}")
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or any(ch.isspace() for ch in value):
        raise ValueError(f"not an http(s) link: {value!r}")
    return value


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text == YES_TH:
            return True
        if text == NO_TH:
            return False
    return value


def _python_type(col: Column) -> Any:
    """The annotated Python type of one column (without optionality)."""
    limits: dict[str, Any] = {}
    if col.min is not None:
        limits["ge"] = col.min
    if col.max is not None:
        limits["le"] = col.max
    match col.type:
        case ColType.TEXT:
            return Annotated[str, Field(min_length=1 if col.required else 0, max_length=col.max_length)]
        case ColType.INTEGER:
            return Annotated[int, Field(strict=False, **limits)]
        case ColType.NUMBER | ColType.PERCENT:
            return Annotated[float, Field(allow_inf_nan=False, **limits)]
        case ColType.MONEY:
            # Exact baht and satang: a third decimal is an input error, never rounded away silently.
            return Annotated[Decimal, Field(decimal_places=2, allow_inf_nan=False, **limits)]
        case ColType.DATE:
            return date
        case ColType.CHOICE:
            return Literal[col.choices]
        case ColType.SCHOOL_CODE:
            return Annotated[str, Field(pattern=SCHOOL_CODE_PATTERN)]
        case ColType.URL:
            return Annotated[str, Field(max_length=2000), AfterValidator(_check_url)]
        case ColType.EMAIL:
            return Annotated[str, AfterValidator(_check_email)]
        case ColType.YESNO:
            return Annotated[bool, BeforeValidator(_yes_no)]
    raise TypeError(f"no model type for {col.type!r}")  # pragma: no cover - every ColType is matched above


def rule_holds(rule: TableRule, row: dict[str, Any]) -> bool:
    """Whether one row satisfies a row-level rule. Rules are only checked when their values are present;
    a missing value is the business of the "required" check, not of the rule."""
    values = [row.get(k) for k in rule.columns]
    if rule.kind == "end_not_before_start" or rule.kind == "not_more_than":
        low, high = values
        return low is None or high is None or low <= high
    if rule.kind == "sum_equals":
        total = row.get(rule.total)
        return total is None or sum((Decimal(v) for v in values if v is not None), Decimal(0)) == Decimal(total)
    if rule.kind == "result_vs_target":
        target, result = values
        direction = row.get(rule.direction_column)
        if target is None or result is None or direction is None:
            return True
        return result <= target if direction == DIRECTION_LOWER_BETTER else result >= target
    return True  # "unique" spans rows: the engine checks it


def _row_rule_validator(rules: tuple[TableRule, ...]):
    checked = tuple(r for r in rules if r.severity == "error" and r.kind != "unique")

    def check(self: BaseModel) -> BaseModel:
        row = self.__dict__
        for rule in checked:
            if not rule_holds(rule, row):
                raise ValueError(f"{rule.code}: {rule.message_en} / {rule.message_th}")
        return self

    return check


def _class_name(sheet: SheetDef) -> str:
    return "".join(part.title() for part in sheet.key.split("_")) + "Row"


@cache
def model_for(sheet: SheetDef) -> type[BaseModel]:
    """Build (once per sheet) the pydantic model of one row of `sheet`."""
    fields: dict[str, Any] = {}
    for col in sheet.columns:
        annotation = _python_type(col)
        if not col.required:
            annotation = annotation | None
        fields[col.key] = (
            annotation,
            Field(
                ... if col.required else None,
                # The key first: error locations and the JSON schema then name the English key.
                validation_alias=AliasChoices(col.key, *(h for h in col.accepted_headers() if h != col.key)),
                title=col.header_th,
                description=col.help_th or None,
            ),
        )
    validators = {}
    if any(r.severity == "error" and r.kind != "unique" for r in sheet.rules):
        validators["row_rules"] = _model_validator(mode="after")(_row_rule_validator(sheet.rules))
    return create_model(
        _class_name(sheet),
        __config__=ConfigDict(extra="ignore", populate_by_name=True, frozen=True, title=sheet.title_th),
        __doc__=f"{sheet.title_en} ({sheet.title_th}): one row.",
        __validators__=validators,
        **fields,
    )
