"""The only path from text to reportlab Paragraph markup.

reportlab's Paragraph parses an XML-like mini-language: unescaped ``<b>`` turns
bold, ``&amp;`` collapses, ``<img src=…>`` opens a file or URL. Every piece of text
that reaches a Paragraph -- content, clinic profile, clinician notes, patient names --
goes through :func:`escape`, so it prints literally and nothing is read from disk or
network. Characters the bundled font cannot draw are reported, never printed as boxes.
Right-to-left scripts (Hebrew, Arabic) are reported the same way: reportlab lays text
out left to right without bidi reordering or Arabic shaping, so it would print them
reversed and unjoined.
"""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape as _xml_escape

from kapdesk.content.glyphs import normalise
from kapdesk.documents.fonts import BOLD, FAMILY, can_draw
from kapdesk.errors import UserInputError

_ENTITIES = {'"': "&quot;", "'": "&#39;"}
# Unicode bidirectional classes of right-to-left letters and Arabic digits.
_RIGHT_TO_LEFT = {"R", "AL", "AN"}


def escape(text: str) -> str:
    """Escape ``text`` so a Paragraph prints it literally; newlines become line breaks."""
    escaped = _xml_escape(normalise(text), _ENTITIES)
    return escaped.replace("\r\n", "\n").replace("\n", "<br/>").replace("\t", "    ")


def undrawable(text: str, font_name: str = FAMILY) -> list[tuple[int, str]]:
    """(position, character) for each character the font cannot draw; position is 1-based."""
    problems = []
    for index, char in enumerate(normalise(text), start=1):
        if char in "\n\r\t":
            continue
        if (
            unicodedata.category(char) in {"Cc", "Cf"}
            or unicodedata.bidirectional(char) in _RIGHT_TO_LEFT
            or not can_draw(char, font_name)
        ):
            problems.append((index, char))
    return problems


def check_drawable(text: str, field: str, *, bold: bool = False) -> str:
    """Return normalised ``text`` or raise UserInputError naming the first bad character."""
    problems = undrawable(text, BOLD if bold else FAMILY)
    if problems:
        position, char = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        shown = char if unicodedata.category(char)[0] not in "CZ" else ""
        raise UserInputError(
            f"{field}: character {shown!r} (U+{ord(char):04X}) at position {position} "
            f"cannot be printed with the bundled font{more}; remove or replace it"
        )
    return normalise(text)


def bounded_text(
    text: str, field: str, *, max_chars: int, max_lines: int, bold: bool = False
) -> str:
    """Free text (a note, a name, an appointment) cleaned and bounded for printing.

    Line ends are unified, trailing spaces dropped and runs of blank lines collapsed to
    one; then the text may have at most ``max_lines`` lines and ``max_chars``
    characters, and every character must be drawable. UserInputError names ``field``.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    cleaned = "\n".join(kept).strip()
    if len(cleaned) > max_chars:
        raise UserInputError(f"{field}: {len(cleaned)} characters; at most {max_chars} are allowed")
    count = cleaned.count("\n") + 1 if cleaned else 0
    if count > max_lines:
        raise UserInputError(f"{field}: {count} lines; at most {max_lines} are allowed")
    return check_drawable(cleaned, field, bold=bold)
