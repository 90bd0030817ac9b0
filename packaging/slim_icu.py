"""A smaller ICU data library for the Linux bundle (PySide6 ships the full 32 MB one).

    python packaging/slim_icu.py SRC/libicudata.so.NN DEST/libicudata.so.NN

Qt 6 Core calls ICU for four things only: case mapping (u_strToUpper/Lower: code and data
built into libicuuc), collation (ucol_*: `coll/`), time zones (ucal_*: `zone/`, the
zoneinfo/metaZones/timezoneTypes tables and the locale tree for calendar data) and legacy
text codecs (ucnv_*). It never uses ICU's break iterators, transliterators, spelled-out
numbers, or the display names of languages, regions, currencies and units, which are most
of the data (libQt6Core's ICU imports: `nm -D --undefined-only libQt6Core.so.6`). Time
zones go through ICU only for `QTimeZone::displayName` (Linux reads the tz database
itself), which the app does not call: those names and the locale tree stay in English
(other locales fall back to the root locale's "GMT+01:00" forms). Collation keeps every
locale: Qt sorts file names and locale-aware strings with it.

The library holds one symbol, `icudtNN_dat`: an ICU common data package (a header, a
table of contents of item names and offsets, then the items). This keeps the items Qt can
reach, writes a new package in the same format and links it into a shared object with the
same SONAME and symbol (gcc). Without gcc the original library is copied unchanged.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

#: item folders no ICU call of Qt reads
DROP_TREES = ("brkitr/", "curr/", "lang/", "rbnf/", "region/", "translit/", "unit/")
#: top-level items no ICU call of Qt reads (character names, spoof checks)
DROP_ITEMS = ("unames.icu", "confusables.cfu")
#: the trees whose per-locale bundles are kept in English only ("" is the top level)
ENGLISH_ONLY = ("", "zone/")
#: a locale bundle's name: language, then script/region/variant parts
LOCALE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]*)*\.res")
#: bundles every tree needs whatever the locale (index, shared strings, fallback)
TREE_FILES = ("res_index.res", "pool.res", "root.res")
#: multi-byte CJK/EBCDIC converter tables over this size are left out (legacy codecs Qt
#: would only use if asked for them by name); the single-byte ones stay
MAX_CONVERTER = 64 * 1024


def _elf_symbol(data: bytes, name: str) -> tuple[int, int]:
    """File offset and size of the dynamic symbol `name` in a 64-bit little-endian ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    dynsym = next(s for s in sections if s[1] == 11)  # SHT_DYNSYM
    strtab = sections[dynsym[6]]  # sh_link: its string table
    for off in range(dynsym[4], dynsym[4] + dynsym[5], dynsym[9]):
        st_name, _info, _other, st_shndx, st_value, st_size = struct.unpack_from(
            "<IBBHQQ", data, off)
        start = strtab[4] + st_name
        if data[start:data.index(b"\0", start)].decode() == name:
            section = sections[st_shndx]  # sh_addr -> sh_offset
            return st_value - section[3] + section[4], st_size
    raise ValueError(f"symbol {name} not found")


def _entries(package: bytes) -> tuple[int, list[tuple[str, bytes]]]:
    """(header size, [(item name, item bytes)]) of an ICU common data package."""
    header_size = struct.unpack_from("<H", package, 0)[0]
    if package[2:4] != b"\xda\x27" or package[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    count = struct.unpack_from("<I", package, header_size)[0]
    toc = [struct.unpack_from("<II", package, header_size + 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in toc[1:]] + [len(package) - header_size]
    items = []
    for (name_at, data_at), end in zip(toc, ends, strict=True):
        start = header_size + name_at
        name = package[start:package.index(b"\0", start)].decode("ascii")
        items.append((name, package[header_size + data_at:header_size + end]))
    return header_size, items


def _package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package: names and items in the given (sorted) order, items
    16-byte aligned, offsets counted from the start of the table of contents."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    data_start = (toc_size + len(names) + 15) & ~15
    entries, blobs, name_at, data_at = [], [], toc_size, data_start
    for name, blob in items:
        entries.append(struct.pack("<II", name_at, data_at))
        name_at += len(name) + 1
        padded = blob + b"\0" * (-len(blob) % 16)
        blobs.append(padded)
        data_at += len(padded)
    toc = struct.pack("<I", len(items)) + b"".join(entries) + names
    return header + toc + b"\0" * (data_start - len(toc)) + b"".join(blobs)


def keep(item: str, blob: bytes) -> bool:
    """Whether Qt can reach this item (`item` without the package's "icudtNNl/" prefix)."""
    if item.startswith(DROP_TREES) or item in DROP_ITEMS:
        return False
    tree, _, name = item.rpartition("/")
    tree = tree + "/" if tree else ""
    if (tree in ENGLISH_ONLY and name not in TREE_FILES and LOCALE.fullmatch(name)
            and not re.match(r"en(_|\.)", name)):
        return False
    return not (item.endswith(".cnv") and len(blob) > MAX_CONVERTER)


def slim_package(package: bytes) -> tuple[bytes, list[str]]:
    """The package with only the items Qt can reach, and the names of those left out."""
    header_size, items = _entries(package)
    kept: list[tuple[str, bytes]] = []
    dropped: list[tuple[str, bytes]] = []
    for name, blob in items:
        (kept if keep(name.split("/", 1)[-1], blob) else dropped).append((name, blob))
    if sorted(n for n, _ in kept) != [n for n, _ in kept]:
        raise ValueError("table of contents is not sorted")  # ICU searches it by bisection
    return _package(package[:header_size], kept), [n for n, _ in dropped]


def slim_library(src: Path, dest: Path) -> str:
    """Write the slimmed `src` to `dest`; a one-line summary of what was done."""
    match = re.match(r"libicudata\.so\.(\d+)", src.name)
    if not match:
        raise ValueError(f"{src.name} is not libicudata.so.NN")
    symbol = f"icudt{match.group(1)}_dat"
    data = src.read_bytes()
    offset, size = _elf_symbol(data, symbol)
    package, dropped = slim_package(data[offset:offset + size])
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        shutil.copy2(src, dest)
        return f"{src.name}: kept whole (no gcc to link a smaller one)"
    with tempfile.TemporaryDirectory(prefix="slim-icu-") as tmp:
        blob = Path(tmp) / "icudt.dat"
        blob.write_bytes(package)
        asm = Path(tmp) / "icudt.S"
        asm.write_text(
            f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n'
            f'\t.balign 16\n{symbol}:\n\t.incbin "{blob}"\n\t.size {symbol}, .-{symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
        subprocess.run([gcc, "-shared", "-nostdlib", "-Wl,-soname," + src.name,
                        "-Wl,-z,noexecstack", "-o", str(dest), str(asm)], check=True)
    return (f"{src.name}: {len(data) / 1e6:.1f} MB -> {dest.stat().st_size / 1e6:.1f} MB "
            f"({len(dropped)} data items left out)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[2].strip())
    print(slim_library(Path(sys.argv[1]), Path(sys.argv[2])))
