"""Dates in words: the formats compiled into the knowledge base print what Babel prints."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date as babel_format

from kapdesk import dates
from kapdesk.content.model import LANGUAGES
from kapdesk.kb.catalog import current

DAYS = [date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]
DAYS += [date(1999, 12, 31), date(2030, 2, 28)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_formats_match_babel_on_every_month(lang: str) -> None:
    compiled = current().dates[lang]  # what the knowledge base holds
    assert compiled == dates.compile_format(lang)
    for day in DAYS:
        expected = babel_format(day, "long", locale=dates.BABEL_LOCALE[lang])
        assert compiled.format(day) == expected
        assert dates.format_date(day, lang) == expected


def test_the_open_knowledge_base_formats_without_babel(monkeypatch) -> None:
    import babel.dates

    def refuse(*args, **kwargs):
        raise AssertionError("Babel was asked at print time")

    monkeypatch.setattr(babel.dates, "format_date", refuse)
    assert dates.format_date(date(2026, 11, 21), "es") == "21 de noviembre de 2026"
    assert dates.format_date(date(2026, 11, 21), "en") == "November 21, 2026"


def test_without_a_knowledge_base_babel_formats(monkeypatch) -> None:
    monkeypatch.setattr(dates, "_installed", {})
    assert dates.format_date(date(2026, 3, 5), "es") == "5 de marzo de 2026"


def test_a_pattern_with_other_fields_is_refused(monkeypatch) -> None:
    import babel

    real = babel.Locale.parse

    class Weekday:
        pattern = "EEEE, d MMMM y"

    def parse(identifier):
        locale = real(identifier)
        monkeypatch.setattr(type(locale), "date_formats", property(lambda self: {"long": Weekday}))
        return locale

    monkeypatch.setattr(babel.Locale, "parse", staticmethod(parse))
    with pytest.raises(ValueError, match="EEEE"):
        dates.compile_format("en")
