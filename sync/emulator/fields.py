"""Partial responses: Google's `fields` parameter (`files(id,name),nextPageToken`,
`sheets.properties.title`).
"""

from __future__ import annotations

from .errors import bad_request


def parse_fields(text: str) -> dict:
    """`a/b,c(d,e)` → {"a": {"b": None}, "c": {"d": None, "e": None}}; None means "all of it"."""
    pos = 0

    def items() -> dict:
        nonlocal pos
        out: dict = {}
        while pos < len(text):
            start = pos
            while pos < len(text) and text[pos] not in ",()":
                pos += 1
            path = [p for p in text[start:pos].strip().replace(".", "/").split("/") if p]
            sub = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = items()
                if pos >= len(text) or text[pos] != ")":
                    raise bad_request(f"Invalid field selection {text}")
                pos += 1
            if path:
                node = out
                for name in path[:-1]:
                    nxt = node.get(name, {})
                    node[name] = nxt if nxt is not None else None
                    if node[name] is None:
                        break
                    node = node[name]
                else:
                    _merge(node, path[-1], sub)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            break
        return out

    tree = items()
    if pos != len(text):
        raise bad_request(f"Invalid field selection {text}")
    return tree


def _merge(node: dict, name: str, sub: dict | None) -> None:
    if name in node and node[name] is not None and sub is not None:
        for k, v in sub.items():
            _merge(node[name], k, v)
    elif name in node and sub is not None and node[name] is None:
        return
    else:
        node[name] = sub


def apply_fields(value, mask: dict | None):
    if mask is None:
        return value
    if isinstance(value, list):
        return [apply_fields(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    if "*" in mask:
        return value
    out = {}
    for key, sub in mask.items():
        if key in value:
            out[key] = apply_fields(value[key], sub)
    return out


def select(value, fields: str | None):
    return value if not fields else apply_fields(value, parse_fields(fields))
