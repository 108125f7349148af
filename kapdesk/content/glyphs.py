"""Which characters the bundled fonts can draw, read from the font files themselves.

Content is checked with this at build time, so a text that would print as empty boxes
never reaches the knowledge base. reportlab's TrueType parser reads the character map;
it is imported only when a check runs.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from kapdesk.paths import resources_dir

# Regular and bold: body text and headings both print every content text.
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# Variation selectors and the zero-width joiner change how a glyph looks, not what it is.
IGNORABLE = frozenset({"\ufe0e", "\ufe0f", "\u200d"})


def normalise(text: str) -> str:
    """NFC-normalise and drop invisible presentation selectors."""
    return "".join(c for c in unicodedata.normalize("NFC", text) if c not in IGNORABLE)


@cache
def drawable(font_file: str, root: Path | None = None) -> frozenset[int]:
    """The code points ``font_file`` (under resources/fonts) has a glyph for."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    path = (root or resources_dir()) / "fonts" / font_file
    return frozenset(TTFontFile(str(path)).charToGlyph)


def undrawable(text: str, root: Path | None = None) -> list[tuple[int, str]]:
    """(1-based position, character) for each character a bundled font cannot draw."""
    problems = []
    fonts = [drawable(name, root) for name in FONT_FILES]
    for index, char in enumerate(normalise(text), start=1):
        if char in "\n\r\t":
            continue
        if unicodedata.category(char) in {"Cc", "Cf"} or not all(ord(char) in f for f in fonts):
            problems.append((index, char))
    return problems
