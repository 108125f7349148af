"""Dates in words of a document's language, through Babel's CLDR data.

Babel is imported only when a date is formatted, so start-up never pays for it.
"""

from __future__ import annotations

from datetime import date

BABEL_LOCALE = {"en": "en_US", "es": "es_US"}


def format_date(day: date, lang: str, pattern: str = "long") -> str:
    """``day`` in words of ``lang``: "November 21, 2026", "21 de noviembre de 2026"."""
    from babel.dates import format_date as babel_format

    return babel_format(day, pattern, locale=BABEL_LOCALE.get(lang, "en_US"))
