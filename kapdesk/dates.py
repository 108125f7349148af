"""Dates in words of a document's language, from Babel's CLDR data.

Babel knows each language's long date ("November 21, 2026", "21 de noviembre de 2026").
Loading it costs a printout about 20 ms (the package and two locale files), so the
knowledge-base build asks Babel once for each language's long-date pattern, parsed by
Babel into named fields, and its month names (:func:`compile_format`); the app then
prints dates from those compiled formats (:func:`install`, done when a knowledge base
opens). Without an open knowledge base — while one is built — Babel formats directly.
A test holds both ways to the same text for every month in every language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

BABEL_LOCALE = {"en": "en_US", "es": "es_US"}
# The fields a compiled pattern may use: day, month name, year (CLDR letters).
FIELDS = frozenset({"d", "MMMM", "y"})


@dataclass(frozen=True)
class DateFormat:
    """One language's long date: a %-format with named CLDR fields, and month names."""

    pattern: str  # e.g. "%(MMMM)s %(d)s, %(y)s", from babel.dates.parse_pattern
    months: tuple[str, ...]  # January … December, in the format (not stand-alone) form

    def format(self, day: date) -> str:
        """``day`` in this format."""
        return self.pattern % {"d": day.day, "MMMM": self.months[day.month - 1], "y": day.year}


def compile_format(lang: str) -> DateFormat:
    """``lang``'s long date from Babel (at build time); ValueError if its pattern needs a
    field other than day, month name and year."""
    from babel import Locale
    from babel.dates import parse_pattern

    locale = Locale.parse(BABEL_LOCALE.get(lang, "en_US"))
    pattern = parse_pattern(locale.date_formats["long"].pattern).format
    fields = set(re.findall(r"%\((\w+)\)s", pattern))
    if not fields <= FIELDS:
        raise ValueError(f"{lang}: long date needs fields {sorted(fields - FIELDS)}")
    months = tuple(locale.months["format"]["wide"][month] for month in range(1, 13))
    return DateFormat(pattern, months)


_installed: dict[str, DateFormat] = {}


def install(formats: Mapping[str, DateFormat]) -> None:
    """Print dates from ``formats`` (the open knowledge base's) from now on."""
    _installed.clear()
    _installed.update(formats)


def format_date(day: date, lang: str) -> str:
    """``day`` in words of ``lang``: "November 21, 2026", "21 de noviembre de 2026"."""
    compiled = _installed.get(lang)
    if compiled is not None:
        return compiled.format(day)
    from babel.dates import format_date as babel_format

    return babel_format(day, "long", locale=BABEL_LOCALE.get(lang, "en_US"))
