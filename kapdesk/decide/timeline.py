"""The onset chart's model: a logarithmic time axis labelled in words, and its bars.

Plain Python shared by the PDF (kapdesk.documents.charts draws it with reportlab) and
the GUI's chart widget, so both say exactly the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kapdesk.content.model import Modality, Statement
from kapdesk.kb.catalog import wording

MINUTES_PER_DAY = 24 * 60
# Candidate axis ticks: key into the wording's [ticks] table, and position in days.
TICKS: tuple[tuple[str, float], ...] = (
    ("10m", 10 / MINUTES_PER_DAY),
    ("1h", 1 / 24),
    ("1d", 1.0),
    ("1w", 7.0),
    ("1mo", 30.0),
    ("6mo", 182.5),
    ("1y", 365.0),
)
# The axis always spans at least this much, so short and long options read alike.
DEFAULT_SPAN = (1 / 24, 30.0)
MIN_BAR = 3.0  # points (or pixels on screen): the narrowest bar drawn
PLOT_SHARE_MIN = 0.2  # of the chart's width, at least, for the bars themselves
NAME_SHARE_MAX = 0.4  # of the chart's width, at most, for the options' names


@dataclass(frozen=True)
class TimeRange:
    """A time span in days, with the statements' sources that give it."""

    low: float
    high: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Timeline:
    """Time to first benefit and typical course length of one option, where reported."""

    modality: str
    name: str
    onset: TimeRange | None
    course: TimeRange | None


def _span(statements: tuple[Statement, ...], key: str, scale: float) -> TimeRange | None:
    """The envelope of every range the section's statements give, in days."""
    ranged = [s for s in statements if getattr(s, key)]
    if not ranged:
        return None
    low = min(getattr(s, key)[0] for s in ranged) * scale
    high = max(getattr(s, key)[1] for s in ranged) * scale
    sources = tuple(dict.fromkeys(ref for s in ranged for ref in s.sources))
    return TimeRange(low, high, sources)


def timeline(modality: Modality, lang: str = "en") -> Timeline:
    """Onset and course as reported (``days``/``weeks`` ranges); None where not reported."""
    return Timeline(
        modality=modality.id,
        name=modality.display_short_name(lang),
        onset=_span(modality.sections.get("onset", ()), "days", 1.0),
        course=_span(modality.sections.get("course", ()), "weeks", 7.0),
    )


@dataclass(frozen=True)
class Axis:
    """A logarithmic time axis in days, with its labelled ticks."""

    low: float
    high: float
    ticks: tuple[tuple[float, str], ...]

    def position(self, days: float) -> float:
        """Where ``days`` falls on the axis, from 0 (left) to 1 (right)."""
        days = min(max(days, self.low), self.high)
        return math.log(days / self.low) / math.log(self.high / self.low)


def _spans(timelines: Iterable[Timeline]) -> list[TimeRange]:
    return [span for t in timelines for span in (t.onset, t.course) if span is not None]


def build_axis(timelines: Sequence[Timeline], lang: str) -> Axis:
    """An axis from the last tick at or below the shortest time to the first tick above
    the longest; it widens to fit any reported value, so no bar is ever cut short."""
    spans = _spans(timelines)
    positives = [s.low for s in spans if s.low > 0] + [s.high for s in spans if s.high > 0]
    shortest = min([*positives, DEFAULT_SPAN[0]])
    longest = max([*positives, DEFAULT_SPAN[1]])
    below = [days for _, days in TICKS if days <= shortest]
    above = [days for _, days in TICKS if days >= longest]
    low = below[-1] if below else shortest
    high = above[0] if above else longest
    labels = wording(lang)["ticks"]
    ticks = tuple((days, labels[key]) for key, days in TICKS if low <= days <= high)
    return Axis(low, high, ticks)


def _number(value: float, lang: str) -> str:
    text = f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
    return text.replace(".", ",") if lang == "es" else text


def _amount(days: float) -> tuple[float, str]:
    """``days`` in the unit a person would use: minutes, hours, days or whole weeks."""
    minutes = days * MINUTES_PER_DAY
    if minutes < 59.5:
        return (round(minutes / 5) * 5 if minutes >= 10 else round(minutes)), "minute"
    if days * 24 < 23.5:
        return days * 24, "hour"
    weeks = days / 7
    if weeks >= 1 and abs(weeks - round(weeks)) < 0.05:
        return round(weeks), "week"
    return days, "day"


def format_duration(days: float, lang: str) -> str:
    value, unit = _amount(days)
    singular, plural = wording(lang)[unit]
    number = _number(value, lang)
    return f"{number} {singular if number == '1' else plural}"


def format_range(span: TimeRange, lang: str) -> str:
    """A range in words: "2 hours to 1 day", "4 to 8 weeks", "7 days"."""
    low, high = format_duration(span.low, lang), format_duration(span.high, lang)
    if low == high:
        return low
    low_value, low_unit = _amount(span.low)
    _, high_unit = _amount(span.high)
    if low_unit == high_unit:
        low = _number(low_value, lang)
    return wording(lang)["range"].format(low=low, high=high)


def visible_tick_labels(
    ticks: Sequence[tuple[float, str]], width_of: Callable[[str], float], gap: float
) -> set[str]:
    """The tick labels that can be printed centred under their ticks without touching.

    The first and last ticks are kept (they say where the scale starts and ends); a
    label in between that would touch a kept neighbour is left out (its gridline stays).
    """
    if len(ticks) <= 2:
        return {label for _, label in ticks}

    def span(tick: tuple[float, str]) -> tuple[float, float]:
        x, label = tick
        half = width_of(label) / 2
        return x - half, x + half

    kept = [ticks[0]]
    last_left = span(ticks[-1])[0]
    for tick in ticks[1:-1]:
        left, right = span(tick)
        if left >= span(kept[-1])[1] + gap and right + gap <= last_left:
            kept.append(tick)
    kept.append(ticks[-1])
    return {label for _, label in kept}


@dataclass(frozen=True)
class ChartBar:
    """One line of the chart: an option's onset or course, or "not reported"."""

    modality: str
    name: str
    kind: str  # "onset" or "course"
    span: TimeRange | None
    text: str


def chart_bars(timelines: Sequence[Timeline], lang: str) -> list[ChartBar]:
    """Two lines per option, in the order of the comparison's columns."""
    words = wording(lang)
    bars = []
    for line in timelines:
        for kind, span in (("onset", line.onset), ("course", line.course)):
            text = format_range(span, lang) if span else words["chart_not_reported"]
            bars.append(ChartBar(line.modality, line.name, kind, span, text))
    return bars
