"""The Linux bundle's smaller ICU data library answers the ICU calls Qt makes.

Builds it from PySide6's own libicudata with packaging/slim_icu.py, loads PySide6's ICU
libraries beside it and calls what Qt Core calls: collation, time zones, codecs, case
mapping. Skipped where PySide6 ships no ICU (Windows, macOS) or no C compiler is there.
"""

from __future__ import annotations

import ctypes
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
from slim_icu import _entries, slim_library  # noqa: E402

PYSIDE_LIB = Path(str(__import__("PySide6").__file__)).parent / "Qt" / "lib"


@pytest.fixture(scope="module")
def icu(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    found = sorted(PYSIDE_LIB.glob("libicudata.so.*"))
    if not found or not (shutil.which("gcc") or shutil.which("cc")):
        pytest.skip("no ICU in PySide6 or no C compiler")
    src = found[0]
    version = src.name.rsplit(".", 1)[-1]
    folder = tmp_path_factory.mktemp("icu")
    for lib in ("libicuuc", "libicui18n"):
        shutil.copy2(PYSIDE_LIB / f"{lib}.so.{version}", folder)
    summary = slim_library(src, folder / src.name)
    assert "left out" in summary, summary
    assert (folder / src.name).stat().st_size < src.stat().st_size / 3
    return folder, version


def _items(path: Path, version: str) -> set[str]:
    from slim_icu import _elf_symbol

    data = path.read_bytes()
    offset, size = _elf_symbol(data, f"icudt{version}_dat")
    return {name.split("/", 1)[1] for name, _ in _entries(data[offset:offset + size])[1]}


def test_keeps_what_qt_reads_and_leaves_out_the_rest(icu: tuple[Path, str]) -> None:
    folder, version = icu
    items = _items(folder / f"libicudata.so.{version}", version)
    for kept in ("coll/root.res", "coll/sv.res", "coll/ucadata.icu", "coll/res_index.res",
                 "zoneinfo64.res", "metaZones.res", "timezoneTypes.res", "supplementalData.res",
                 "root.res", "en.res", "zone/root.res", "zone/en.res", "cnvalias.icu",
                 "ibm-5348_P100-1997.cnv"):
        assert kept in items, kept
    for gone in ("lang/en.res", "brkitr/root.res", "curr/en.res", "translit/root.res",
                 "unames.icu", "de.res", "zone/de.res", "ibm-943_P15A-2003.cnv"):
        assert gone not in items, gone


def test_answers_the_icu_calls_qt_makes(icu: tuple[Path, str]) -> None:
    folder, version = icu
    uc = ctypes.CDLL(str(folder / f"libicuuc.so.{version}"))
    i18n = ctypes.CDLL(str(folder / f"libicui18n.so.{version}"))

    def fn(lib: ctypes.CDLL, name: str, res: Any, *args: Any) -> Any:
        f = getattr(lib, f"{name}_{version}")
        f.restype, f.argtypes = res, list(args)
        return f

    err = ctypes.c_int(0)
    perr = ctypes.POINTER(ctypes.c_int)
    u16 = ctypes.c_char_p
    ucol_open = fn(i18n, "ucol_open", ctypes.c_void_p, ctypes.c_char_p, perr)
    ucol_strcoll = fn(i18n, "ucol_strcoll", ctypes.c_int, ctypes.c_void_p, u16, ctypes.c_int32,
                      u16, ctypes.c_int32)
    ucol_close = fn(i18n, "ucol_close", None, ctypes.c_void_p)

    def compare(locale: bytes, a: str, b: str) -> int:
        err.value = 0
        coll = ucol_open(locale, ctypes.byref(err))
        assert coll and err.value <= 0, (locale, err.value)
        try:
            return int(ucol_strcoll(coll, a.encode("utf-16-le"), len(a), b.encode("utf-16-le"),
                                    len(b)))
        finally:
            ucol_close(coll)

    # locale tailorings: Swedish sorts "ä" after "z", German before it
    assert compare(b"sv_SE", "ä", "z") == 1
    assert compare(b"de_DE", "ä", "z") == -1

    ucal_open = fn(i18n, "ucal_open", ctypes.c_void_p, u16, ctypes.c_int32, ctypes.c_char_p,
                   ctypes.c_int, perr)
    display = fn(i18n, "ucal_getTimeZoneDisplayName", ctypes.c_int32, ctypes.c_void_p,
                 ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int32, perr)
    err.value = 0
    cal = ucal_open("Europe/Berlin\0".encode("utf-16-le"), -1, b"en_US", 0, ctypes.byref(err))
    assert cal and err.value <= 0, err.value
    buf = ctypes.create_string_buffer(256)
    n = display(cal, 0, b"en_US", buf, 100, ctypes.byref(err))
    assert buf.raw[:2 * n].decode("utf-16-le") == "Central European Standard Time"

    ucnv_open = fn(uc, "ucnv_open", ctypes.c_void_p, ctypes.c_char_p, perr)
    for codec in (b"ISO-8859-1", b"ISO-8859-15", b"KOI8-R", b"UTF-16"):
        err.value = 0
        assert ucnv_open(codec, ctypes.byref(err)) and err.value <= 0, codec

    upper = fn(uc, "u_strToUpper", ctypes.c_int32, ctypes.c_char_p, ctypes.c_int32, u16,
               ctypes.c_int32, ctypes.c_char_p, perr)
    out = ctypes.create_string_buffer(64)
    err.value = 0
    n = upper(out, 30, "straße".encode("utf-16-le"), 6, b"en", ctypes.byref(err))
    assert out.raw[:2 * n].decode("utf-16-le") == "STRASSE"
