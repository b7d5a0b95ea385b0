"""Write an OLE compound file (MS-CFB version 3) from a flat {"Storage/Stream": bytes} mapping.

olefile can read these files but cannot create them or grow a stream, so the staff workbook's
`vbaProject.bin` is written here. Streams under 4096 bytes live in the mini stream, as the format requires.
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


class _Node:
    def __init__(self, name: str, kind: int, data: bytes = b""):
        self.name, self.kind, self.data = name, kind, data
        self.children: dict[str, _Node] = {}
        self.index = 0
        self.left = self.right = self.child = NOSTREAM
        self.color = _BLACK
        self.start, self.size = ENDOFCHAIN, 0


def _sort_key(name: str) -> tuple[int, str]:
    # The compound-file order: shorter names first, then by upper-case name.
    return (len(name), name.upper())


def _balance(nodes: list[_Node], depth: int, max_depth: int) -> int:
    """Link sorted siblings into a red-black tree.

    Splitting at the middle keeps every empty link at depth max_depth or max_depth + 1, so colouring the
    deepest level red and the rest black gives every path the same number of black nodes.
    """
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    node = nodes[mid]
    node.color = _RED if depth == max_depth > 0 else _BLACK
    node.left = _balance(nodes[:mid], depth + 1, max_depth)
    node.right = _balance(nodes[mid + 1 :], depth + 1, max_depth)
    return node.index


def _depth(count: int) -> int:
    return count.bit_length() - 1  # middle split: the larger half has count // 2 nodes


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    root = _Node("Root Entry", _ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            node = node.children.setdefault(part, _Node(part, _STORAGE))
        node.children[parts[-1]] = _Node(parts[-1], _STREAM, bytes(data))

    order: list[_Node] = []

    def number(node: _Node) -> None:
        node.index = len(order)
        order.append(node)
        for child in node.children.values():
            number(child)

    number(root)
    for node in order:
        kids = sorted(node.children.values(), key=lambda n: _sort_key(n.name))
        if kids:
            node.child = _balance(kids, 0, _depth(len(kids)))

    # Mini stream for small streams, regular sectors for the rest.
    mini = bytearray()
    minifat: list[int] = []
    large: list[_Node] = []
    for node in order:
        if node.kind != _STREAM:
            continue
        node.size = len(node.data)
        if node.size == 0:
            node.start = ENDOFCHAIN
        elif node.size < MINI_CUTOFF:
            first = len(minifat)
            count = -(-node.size // MINI_SECTOR)
            minifat.extend([0] * count)
            _chain(minifat, first, count)
            node.start = first
            mini += node.data + b"\0" * (count * MINI_SECTOR - node.size)
        else:
            large.append(node)

    def sectors(n: int) -> int:
        return -(-n // SECTOR)

    mini_sectors = sectors(len(mini))
    minifat_sectors = sectors(len(minifat) * 4)
    dir_sectors = sectors(len(order) * 128)
    data_sectors = sum(sectors(n.size) for n in large) + mini_sectors + minifat_sectors + dir_sectors
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < data_sectors + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file too large for a header-only DIFAT")

    fat = [FREESECT] * (fat_sectors * (SECTOR // 4))
    for i in range(fat_sectors):
        fat[i] = FATSECT
    body = bytearray()
    cursor = fat_sectors

    def place(data: bytes) -> int:
        nonlocal cursor
        count = sectors(len(data))
        if count == 0:
            return ENDOFCHAIN
        first = cursor
        _chain(fat, first, count)
        body.extend(data + b"\0" * (count * SECTOR - len(data)))
        cursor += count
        return first

    for node in large:
        node.start = place(node.data)
    root.start = place(bytes(mini)) if mini else ENDOFCHAIN
    root.size = len(mini)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) + b"\xff" * (
        minifat_sectors * SECTOR - 4 * len(minifat)
    )
    first_minifat = place(minifat_bytes) if minifat else ENDOFCHAIN
    entries = b"".join(_entry(n) for n in order)
    entries += _empty_entry() * (dir_sectors * 4 - len(order))
    first_dir = place(entries)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        first_dir,
        0,
        MINI_CUTOFF,
        first_minifat,
        minifat_sectors if minifat else 0,
        ENDOFCHAIN,
        0,
    )
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    return header + struct.pack(f"<{len(fat)}I", *fat) + bytes(body)


def _entry(node: _Node) -> bytes:
    name = node.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"compound-file name too long: {node.name}")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name) + 2,
        node.kind,
        node.color,
        node.left,
        node.right,
        node.child,
        b"\0" * 16,
        0,
        0,
        0,
        node.start if node.kind != _STORAGE else 0,
        node.size,
    )


def _empty_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
