"""The bundled DejaVu Sans family, registered once with reportlab."""

from __future__ import annotations

import io
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from kapdesk.errors import InstallationError
from kapdesk.paths import resources_dir

FAMILY = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
# No printout sets text in italics (patient documents must not: CONTENT.md), so only the
# regular and bold faces are loaded; an italic request falls back to them upright.
FONT_FILES = {
    FAMILY: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
}


_reportlab_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16.

    reportlab writes such a character (an emoji, say) as five hex digits, which PDF
    readers reject: the glyph prints, but the text cannot be copied, searched or read
    aloud. The PDF specification wants the UTF-16BE surrogate pair.
    """
    cmap = _reportlab_cmap(fontname, subset)
    for index, code in enumerate(subset):
        if code > 0xFFFF:
            utf16 = chr(code).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>", 1)
    return cmap


def load_fonts() -> dict[str, TTFont]:
    """Read and parse the bundled font files.

    A missing, unreadable or corrupt file is an :class:`InstallationError` ("the
    installation is damaged: reinstall"), never a crash half-way through a document.
    """
    font_dir = resources_dir() / "fonts"
    fonts: dict[str, TTFont] = {}
    for name, filename in FONT_FILES.items():
        try:
            data = io.BytesIO((font_dir / filename).read_bytes())
            fonts[name] = TTFont(name, data)
        except OSError as exc:
            raise InstallationError(
                f"font {filename} cannot be read: {exc.strerror or exc}"
            ) from None
        except Exception as exc:  # reportlab's TTFError and whatever a damaged file raises
            raise InstallationError(f"font {filename} is corrupt: {type(exc).__name__}") from None
    return fonts


def font_problems() -> list[str]:
    """For `kb verify`: the bundled fonts' problems as report lines (empty when fine)."""
    try:
        load_fonts()
    except InstallationError as exc:
        return [f"fonts: {exc}"]
    return []


@cache
def register_fonts() -> str:
    """Register regular, bold, oblique and bold-oblique as one family; return its name."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    for font in load_fonts().values():
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=BOLD, italic=FAMILY, boldItalic=BOLD)
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, FAMILY)
    addMapping(FAMILY, 1, 1, BOLD)
    return FAMILY


@cache
def _glyph_map(font_name: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def can_draw(char: str, font_name: str = FAMILY) -> bool:
    return ord(char) in _glyph_map(font_name)
