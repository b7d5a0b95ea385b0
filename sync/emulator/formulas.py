"""A small formula evaluator, so a formula a school types reads back as Sheets would show it.

Covered: numbers, "text", TRUE/FALSE, cell references and ranges (also `'Other sheet'!A1`, `$A$1`), operators
`+ - * / ^ & % = <> < > <= >=` with Sheets' precedence, and SUM AVERAGE MIN MAX COUNT COUNTA IF AND OR NOT
ROUND ABS LEN CONCATENATE UPPER LOWER TRIM. Anything else (IMPORTXML, HYPERLINK, …) is `#NAME?`: the emulator
never fetches or links anything.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from . import a1

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
            \$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?(?![\w(.]))
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<op><>|<=|>=|[-+*/^&%=<>(),;])
)""",
    re.X | re.A,
)


class Err:
    """A formula error value (#DIV/0!, #VALUE!, …) with the errorValue type Sheets reports."""

    TYPES = {
        "#DIV/0!": "DIVIDE_BY_ZERO",
        "#VALUE!": "VALUE",
        "#REF!": "REF",
        "#NAME?": "NAME",
        "#ERROR!": "ERROR",
        "#N/A": "N_A",
        "#NUM!": "NUM",
    }

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message

    def to_json(self) -> dict:
        return {"type": self.TYPES[self.code], "message": self.message}

    def __eq__(self, other) -> bool:
        return isinstance(other, Err) and other.code == self.code

    def __repr__(self) -> str:
        return self.code


class _Fail(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.err = Err(code, message)


class _Range:
    def __init__(self, values: list):
        self.values = values


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise _Fail("#ERROR!", f"Formula parse error at '{text[pos : pos + 10]}'")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _number(v) -> float:
    if isinstance(v, Err):
        raise _Fail(v.code, v.message)
    if v is None or v == "":
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return v
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        raise _Fail(
            "#VALUE!", f"Function expects a number, but '{v}' is text and cannot be coerced."
        ) from None


def _text(v) -> str:
    if isinstance(v, Err):
        raise _Fail(v.code, v.message)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def _flat(args, numbers_only: bool) -> list:
    out = []
    for a in args:
        if isinstance(a, _Range):
            for v in a.values:
                if isinstance(v, Err):
                    raise _Fail(v.code, v.message)
                if numbers_only and isinstance(v, int | float) and not isinstance(v, bool):
                    out.append(v)
                elif not numbers_only and v not in (None, ""):
                    out.append(v)
        elif numbers_only:
            out.append(_number(a))
        elif a is not None:
            out.append(a)
    return out


def _round(args):
    value, digits = _number(args[0]), int(_number(args[1])) if len(args) > 1 else 0
    # decimal, half away from zero like Sheets: ROUND(2.675, 2) is 2.68 although the float is 2.67499…
    out = float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    return int(out) if out == int(out) else out


def _average(args):
    nums = _flat(args, True)
    if not nums:
        raise _Fail("#DIV/0!", "Evaluation of function AVERAGE caused a divide by zero error.")
    return sum(nums) / len(nums)


FUNCTIONS = {
    "SUM": lambda a: sum(_flat(a, True)),
    "AVERAGE": _average,
    "MIN": lambda a: min(_flat(a, True), default=0),
    "MAX": lambda a: max(_flat(a, True), default=0),
    "COUNT": lambda a: len(
        [v for v in _flat(a, False) if isinstance(v, int | float) and not isinstance(v, bool)]
    ),
    "COUNTA": lambda a: len(_flat(a, False)),
    "AND": lambda a: all(bool(_number(v)) for v in _flat(a, False)),
    "OR": lambda a: any(bool(_number(v)) for v in _flat(a, False)),
    "NOT": lambda a: not bool(_number(a[0])),
    "ROUND": _round,
    "ABS": lambda a: abs(_number(a[0])),
    "LEN": lambda a: len(_text(a[0])),
    "CONCATENATE": lambda a: "".join(_text(v) for v in _flat(a, False)),
    "UPPER": lambda a: _text(a[0]).upper(),
    "LOWER": lambda a: _text(a[0]).lower(),
    "TRIM": lambda a: " ".join(_text(a[0]).split()),
}


# functions that take ranges; the others take single values
AGGREGATES = {"SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "AND", "OR", "CONCATENATE"}


class Evaluator:
    """Evaluates formula cells of one spreadsheet for one read, remembering results (and catching cycles)."""

    def __init__(self, ss):
        self.ss = ss
        self.memo: dict[tuple[int, int, int], object] = {}
        self.active: set[tuple[int, int, int]] = set()

    def value_of(self, sheet, r: int, c: int):
        """The effective value of a cell: None for empty, else number/str/bool/Err."""
        cell = sheet.cell(r, c)
        if cell is None or cell.kind is None:
            return None
        if cell.kind != "f":
            return cell.value
        key = (sheet.id, r, c)
        if key not in self.memo:
            if key in self.active:
                return Err("#REF!", "Circular dependency detected.")
            self.active.add(key)
            try:
                self.memo[key] = self.evaluate(cell.value, sheet)
            finally:
                self.active.discard(key)
        return self.memo[key]

    def evaluate(self, formula: str, sheet):
        try:
            parser = _Parser(_tokens(formula[1:]), self, sheet)
            value = parser.expr()
            if parser.i != len(parser.toks):
                raise _Fail("#ERROR!", "Formula parse error.")
            if isinstance(value, _Range):
                if len(value.values) != 1:
                    raise _Fail("#VALUE!", "An array value could not be found.")
                value = value.values[0]
            if value is None:
                return 0  # =A9 of an empty cell shows 0
            if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
                raise _Fail("#NUM!", "The result is not a finite number.")
            return value
        except _Fail as f:
            return f.err
        except RecursionError:
            return Err("#ERROR!", "Formula too deeply nested.")
        except (OverflowError, ZeroDivisionError, ValueError):
            return Err("#NUM!", "The result is not a finite number.")


class _Parser:
    def __init__(self, toks, ev: Evaluator, sheet):
        self.toks, self.i, self.ev, self.sheet = toks, 0, ev, sheet

    def peek(self, *ops):
        if self.i < len(self.toks) and self.toks[self.i][0] == "op" and self.toks[self.i][1] in ops:
            return self.toks[self.i][1]
        return None

    def take(self, op):
        if not self.peek(op):
            raise _Fail("#ERROR!", "Formula parse error.")
        self.i += 1

    def expr(self):
        left = self.concat()
        while op := self.peek("=", "<>", "<", ">", "<=", ">="):
            self.i += 1
            right = self.concat()
            left = _compare(op, _scalar(left), _scalar(right))
        return left

    def concat(self):
        left = self.additive()
        while self.peek("&"):
            self.i += 1
            left = _text(_scalar(left)) + _text(_scalar(self.additive()))
        return left

    def additive(self):
        left = self.term()
        while op := self.peek("+", "-"):
            self.i += 1
            a, b = _number(_scalar(left)), _number(_scalar(self.term()))
            left = a + b if op == "+" else a - b
        return left

    def term(self):
        left = self.power()
        while op := self.peek("*", "/"):
            self.i += 1
            a, b = _number(_scalar(left)), _number(_scalar(self.power()))
            if op == "/" and b == 0:
                raise _Fail("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.")
            left = a * b if op == "*" else a / b
        return left

    def power(self):
        left = self.unary()
        while self.peek("^"):
            self.i += 1
            # floats, so =2^100000000 overflows at once instead of building a huge integer
            left = float(_number(_scalar(left))) ** float(_number(_scalar(self.unary())))
            if isinstance(left, complex):  # (-8)^0.5
                raise _Fail("#NUM!", "The result is not a real number.")
            if left == int(left) and abs(left) < 1e15:
                left = int(left)
        return left

    def unary(self):
        if op := self.peek("-", "+"):
            self.i += 1
            value = _number(_scalar(self.unary()))
            return -value if op == "-" else value
        value = self.primary()
        while self.peek("%"):
            self.i += 1
            value = _number(_scalar(value)) / 100
        return value

    def primary(self):
        if self.i >= len(self.toks):
            raise _Fail("#ERROR!", "Formula parse error.")
        kind, text = self.toks[self.i]
        self.i += 1
        if kind == "num":
            value = float(text)
            return int(value) if value == int(value) and "e" not in text.lower() else value
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            upper = text.upper()
            if self.peek("("):
                self.i += 1
                args = []
                if not self.peek(")"):
                    args.append(self.expr())
                    while self.peek(",", ";"):
                        self.i += 1
                        args.append(self.expr())
                self.take(")")
                return self.call(upper, args)
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            named = next((n for n in self.ev.ss.named_ranges if n["name"] == text), None)
            if named is not None:
                return self.grid(named["range"])
            raise _Fail("#NAME?", f"Unknown range name: '{text}'.")
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        raise _Fail("#ERROR!", "Formula parse error.")

    def call(self, name: str, args: list):
        if name == "IF":
            if not 2 <= len(args) <= 3:
                raise _Fail("#N/A", "Wrong number of arguments to IF.")
            return args[1] if bool(_number(_scalar(args[0]))) else (args[2] if len(args) == 3 else False)
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise _Fail("#NAME?", f"Unknown function: '{name}'.")
        if not args and name not in ("AND", "OR"):
            raise _Fail("#N/A", f"Wrong number of arguments to {name}.")
        if name not in AGGREGATES:
            args = [_scalar(a) for a in args]
        return fn(args)

    def reference(self, text: str):
        title, part = a1.split_sheet(text) if "!" in text else (None, text)
        sheet = self.sheet if title is None else self.ev.ss.sheet_by_title(title)
        box = a1.parse_box(part.replace("$", ""))
        if sheet is None or box is None:
            raise _Fail("#REF!", f"Unresolved sheet name '{title}'.")
        return self.grid(box.to_grid_range(sheet.id))

    def grid(self, gr: dict):
        sheet = self.ev.ss.sheet_by_id(gr.get("sheetId", 0))
        r0, c0 = gr.get("startRowIndex", 0), gr.get("startColumnIndex", 0)
        r1, c1 = gr.get("endRowIndex", sheet.row_count), gr.get("endColumnIndex", sheet.col_count)
        if r1 > sheet.row_count or c1 > sheet.col_count:
            raise _Fail("#REF!", "Reference does not exist.")
        if (r1 - r0) * (c1 - c0) == 1:
            return _Range([self.ev.value_of(sheet, r0, c0)])
        # only the cells that exist: an empty cell counts for nothing in SUM/COUNT/COUNTA
        return _Range(
            [
                self.ev.value_of(sheet, r, c)
                for r in sorted(sheet.rows)
                if r0 <= r < r1
                for c in sorted(sheet.rows[r])
                if c0 <= c < c1
            ]
        )


def _scalar(v):
    if isinstance(v, _Range):
        if len(v.values) != 1:
            raise _Fail("#VALUE!", "An array value could not be found.")
        v = v.values[0]
    if isinstance(v, Err):
        raise _Fail(v.code, v.message)
    return v


def _compare(op: str, a, b) -> bool:
    def key(v):
        if v is None:
            return (0, 0)
        if isinstance(v, bool):
            return (2, int(v))
        if isinstance(v, str):
            return (1, v.lower())
        return (0, v)

    ka, kb = key(a), key(b)
    if a is None and isinstance(b, str):
        ka = (1, "")
    if b is None and isinstance(a, str):
        kb = (1, "")
    return {"=": ka == kb, "<>": ka != kb, "<": ka < kb, ">": ka > kb, "<=": ka <= kb, ">=": ka >= kb}[op]
