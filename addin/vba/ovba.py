"""MS-OVBA: the VBA project inside `vbaProject.bin` — source compression and the project streams.

`build_vba_project(base, modules)` keeps the base project's references and the modules named in `keep`,
drops the others and adds new modules as compressed source with no p-code (MODULEOFFSET 0). The
`_VBA_PROJECT` stream of the base carries no performance cache, so Excel compiles every module from
source on open: this is how the xlwings standalone quickstart itself ships its `xlwings` module.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import olefile

from addin.vba.cfb import write_compound_file

CHUNK = 4096
DOCUMENT, PROCEDURAL = "document", "procedural"


@dataclass(frozen=True)
class VbaModule:
    name: str  # ASCII: VBA identifiers and stream names
    source: str  # without the "Attribute VB_Name" line for procedural modules (added here)
    kind: str = PROCEDURAL  # DOCUMENT for ThisWorkbook / sheet modules


# --- compression (MS-OVBA 2.4.1) ---------------------------------------------------------------


def _copy_token_layout(difference: int) -> tuple[int, int]:
    bits = max((difference - 1).bit_length(), 4)
    return bits, (0xFFFF >> bits) + 3  # offset bit count, maximum match length


def _compress_chunk(data: bytes) -> bytes:
    out = bytearray()
    pos, end = 0, len(data)
    heads: dict[bytes, list[int]] = {}
    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= end:
                bits, max_len = _copy_token_layout(pos)
                limit = min(max_len, end - pos)
                for cand in reversed(heads.get(data[pos : pos + 3], [])[-64:]):
                    length = 3
                    while length < limit and data[cand + length] == data[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_len
            else:
                out.append(data[pos])
                step = 1
            for i in range(pos, min(pos + step, end - 2)):
                heads.setdefault(data[i : i + 3], []).append(i)
            pos += step
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        raw = data[start : start + CHUNK]
        packed = _compress_chunk(raw)
        if len(packed) > CHUNK and len(raw) == CHUNK:
            out += struct.pack("<H", 0x3FFF & (CHUNK + 2 - 3) | 0x3000) + raw  # stored uncompressed
            continue
        if len(packed) + 2 > CHUNK + 2:
            raise ValueError("VBA source chunk does not compress")  # only for binary-like input
        out += struct.pack("<H", (len(packed) + 2 - 3) | 0x3000 | 0x8000) + packed
    return bytes(out)


# --- the dir stream ------------------------------------------------------------------------------


def _records(data: bytes) -> list[tuple[int, int, int]]:
    """(id, start, end) of each dir record; PROJECTVERSION's size field does not count its data."""
    out, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        length = 6 + (6 if rid == 0x0009 else size)
        out.append((rid, pos, pos + length))
        pos += length
    return out


def _record(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _module_record(module: VbaModule, codepage: str) -> bytes:
    name, uname = module.name.encode(codepage), module.name.encode("utf-16-le")
    return b"".join(
        [
            _record(0x0019, name),
            _record(0x0047, uname),
            _record(0x001A, name),
            _record(0x0032, uname),
            _record(0x001C, b""),
            _record(0x0048, b""),
            _record(0x0031, struct.pack("<I", 0)),  # source starts at 0: no p-code
            _record(0x001E, struct.pack("<I", 0)),
            _record(0x002C, struct.pack("<H", 0xFFFF)),
            _record(0x0022 if module.kind == DOCUMENT else 0x0021, b""),
            _record(0x002B, b""),
        ]
    )


def _split_dir(data: bytes) -> tuple[bytes, dict[str, bytes], str]:
    """The dir stream's information and references part, each module's record block, the code page."""
    recs = _records(data)
    codepage = "cp1252"
    for rid, start, _end in recs:
        if rid == 0x0003:
            codepage = f"cp{struct.unpack_from('<H', data, start + 6)[0]}"
    first = next(i for i, r in enumerate(recs) if r[0] == 0x000F)
    modules: dict[str, bytes] = {}
    i = first + 2  # past PROJECTMODULES and PROJECTCOOKIE
    while recs[i][0] == 0x0019:
        j = next(k for k in range(i, len(recs)) if recs[k][0] == 0x002B)
        name = data[recs[i][1] + 6 : recs[i][2]].decode(codepage)
        modules[name] = data[recs[i][1] : recs[j][2]]
        i = j + 1
    return data[: recs[first][1]], modules, codepage


# --- the project ---------------------------------------------------------------------------------


def _project_text(base_text: str, kept: list[str], added: list[VbaModule]) -> str:
    """The PROJECT stream: module list, project properties and window layout, one line each."""
    lines = base_text.replace("\r\n", "\n").split("\n")
    members = {m.group(2): line for line in lines if (m := re.match(r"(Document|Module|Class|BaseClass)=([^/]+)", line))}
    props = [line for line in lines[: lines.index("")] if not re.match(r"(Document|Module|Class|BaseClass|Package)=", line)]
    body = [members[name] for name in kept]
    body += [f"Document={m.name}/&H00000000" if m.kind == DOCUMENT else f"Module={m.name}" for m in added]
    rest = lines[lines.index("") :]
    workspace = rest.index("[Workspace]")
    layout = [f"{name}=0, 0, 0, 0, C" for name in kept + [m.name for m in added]]
    out = [props[0], *body, *props[1:], *rest[: workspace + 1], *layout, "", ""]
    return "\r\n".join(out)


def build_vba_project(base: bytes, keep: list[str], added: list[VbaModule]) -> bytes:
    """A new vbaProject.bin: the base project's references and `keep` modules, plus `added` modules."""
    ole = olefile.OleFileIO(base)
    from oletools.olevba import decompress_stream  # the reader side is oletools' job

    dir_data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    head, blocks, codepage = _split_dir(dir_data)
    missing = [name for name in keep if name not in blocks]
    if missing:
        raise ValueError(f"base VBA project lacks modules {missing}")
    names = keep + [m.name for m in added]
    if len(set(n.lower() for n in names)) != len(names):
        raise ValueError(f"duplicate VBA module names in {names}")

    module_blocks = [blocks[name] for name in keep] + [_module_record(m, codepage) for m in added]
    new_dir = (
        head
        + _record(0x000F, struct.pack("<H", len(module_blocks)))
        + _record(0x0013, struct.pack("<H", 0xFFFF))
        + b"".join(module_blocks)
        + _record(0x0010, b"")
    )
    streams = {
        "VBA/_VBA_PROJECT": ole.openstream("VBA/_VBA_PROJECT").read()[:7],  # header only, no cache
        "VBA/dir": compress(new_dir),
    }
    for name in keep:
        streams[f"VBA/{name}"] = ole.openstream(f"VBA/{name}").read()
    for module in added:
        streams[f"VBA/{module.name}"] = compress(module_text(module).encode(codepage))
    base_text = ole.openstream("PROJECT").read().decode(codepage)
    streams["PROJECT"] = _project_text(base_text, keep, added).encode(codepage)
    streams["PROJECTwm"] = (
        b"".join(n.encode(codepage) + b"\0" + n.encode("utf-16-le") + b"\0\0" for n in names) + b"\0\0"
    )
    return write_compound_file(streams)


def module_text(module: VbaModule) -> str:
    """The module source as stored: attribute lines first, CRLF line ends."""
    text = module.source
    if not text.startswith("Attribute VB_Name"):
        text = f'Attribute VB_Name = "{module.name}"\n' + text
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def read_modules(vba_project: bytes) -> dict[str, str]:
    """Module name -> source text, read back with oletools (what the static checks rely on)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser("vbaProject.bin", data=vba_project)
    return {stream.split("/")[-1]: code for _f, stream, _n, code in parser.extract_macros()}
