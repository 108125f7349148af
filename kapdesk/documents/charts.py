"""The onset chart: time to first benefit and typical course length, as horizontal bars.

Times run from minutes (a benzodiazepine) to months (a course of psychotherapy), so
the axis is logarithmic, labelled in words ("1 hour", "1 week"), and every bar
carries its range in words, so nobody has to read a value off the scale. A modality
whose content gives no range shows "not reported" and never a guessed bar.

The scale and the wording below are plain Python, shared by the PDF (drawn with
reportlab.graphics, imported only when a chart is drawn) and the GUI's chart widget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kapdesk.decide.compare import Timeline, TimeRange
from kapdesk.decide.compare_wording import wording

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
ONSET_COLOR = "#2e7fb8"
COURSE_COLOR = "#7a5195"
AXIS_COLOR = "#9a9a9a"
MUTED_COLOR = "#5c5c5c"
MIN_BAR = 3.0  # points (or pixels on screen): the narrowest bar drawn
PLOT_SHARE_MIN = 0.2  # of the chart's width, at least, for the bars themselves
NAME_SHARE_MAX = 0.4  # of the chart's width, at most, for the options' names


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


# --- the reportlab drawing ----------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    width: float
    font_size: float
    name_w: float
    plot_w: float
    line_h: float
    legend_x: float
    legend_lines: int
    axis_h: float
    rows: int

    @property
    def legend_h(self) -> float:
        return self.font_size * (0.2 + 1.4 * self.legend_lines)

    @property
    def height(self) -> float:
        return self.legend_h + self.rows * self.line_h + self.axis_h

    @property
    def plot_x(self) -> float:
        return self.name_w

    @property
    def text_x(self) -> float:
        return self.name_w + self.plot_w + self.font_size * 0.6

    @property
    def top(self) -> float:
        return self.height - self.legend_h

    def row_y(self, index: int) -> float:
        return self.top - (index + 1) * self.line_h

    def x(self, axis: Axis, days: float) -> float:
        return self.plot_x + axis.position(days) * self.plot_w


def min_chart_width(timelines: Sequence[Timeline], lang: str, font_size: float) -> float:
    """The narrowest drawing whose rows fit: name, the smallest plot, "2 hours to 1 day".

    A layout that gives the chart less would run the bar labels into whatever stands to
    the right of the chart (the legend wraps instead).
    """
    from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts

    register_fonts()
    names = max((_width(t.name, BOLD, font_size) for t in timelines), default=0.0) + font_size
    texts = max((_width(b.text, FAMILY, font_size) for b in chart_bars(timelines, lang)), default=0)
    # Wide enough for the rows, and for the names within their share of the width (a
    # chart whose bars say only "not reported" is narrow, its names are not).
    return max((names + texts + font_size * 1.6) / (1 - PLOT_SHARE_MIN), names / NAME_SHARE_MAX)


def _legend_place(
    words: dict[str, Any], font_size: float, name_w: float, width: float
) -> tuple[float, int]:
    """Where the legend starts and on how many lines: over the plot, else from the left
    edge, else one item a line."""
    from kapdesk.documents.fonts import FAMILY

    labels = [_width(words[f"chart_{kind}"], FAMILY, font_size) for kind in ("onset", "course")]
    # Swatch, gap, label; then the same again after a gap (as _draw_legend sets them).
    one_line = font_size * (3.4 + 2.1) + sum(labels)
    if name_w + one_line <= width:
        return name_w, 1
    return 0.0, 1 if one_line <= width else 2


def timeline_drawing(
    timelines: Sequence[Timeline],
    lang: str,
    width: float,
    *,
    font_size: float = 7.5,
    cite: dict[str, str] | None = None,
    line_spacing: float = 1.35,
) -> Any:
    """The chart as a reportlab Drawing ``width`` points wide.

    ``cite`` maps a modality id to citation text ("[4, 7]") printed after its ranges
    on clinician sheets; ``line_spacing`` (times ``font_size``) sets the height of each
    bar's line, so that a one-page sheet can set the chart closer.
    """
    from reportlab.graphics.shapes import Drawing

    from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts

    register_fonts()
    axis = build_axis(timelines, lang)
    bars = chart_bars(timelines, lang)
    widest = max((_width(t.name, BOLD, font_size) for t in timelines), default=0.0)
    name_w = min(widest + font_size, width * NAME_SHARE_MAX)
    texts = [f"{b.text} {(cite or {}).get(b.modality, '')}" for b in bars]
    text_w = max((_width(t, FAMILY, font_size) for t in texts), default=0.0) + font_size
    words = wording(lang)
    legend_x, legend_lines = _legend_place(words, font_size, name_w, width)
    layout = _Layout(
        width=width,
        font_size=font_size,
        name_w=name_w,
        plot_w=max(width - name_w - text_w, width * PLOT_SHARE_MIN),
        line_h=font_size * line_spacing,
        legend_x=legend_x,
        legend_lines=legend_lines,
        axis_h=font_size * 2.0,
        rows=len(bars),
    )
    drawing = Drawing(width, layout.height)
    _draw_legend(drawing, layout, words)
    _draw_grid(drawing, layout, axis)
    for index, bar in enumerate(bars):
        _draw_bar(drawing, layout, axis, index, bar, (cite or {}).get(bar.modality, ""))
    return drawing


def _draw_legend(drawing: Any, layout: _Layout, words: dict[str, Any]) -> None:
    from reportlab.graphics.shapes import Rect, String
    from reportlab.lib import colors

    from kapdesk.documents.fonts import FAMILY

    size = layout.font_size
    y = layout.height - size * 1.2
    x = layout.legend_x
    for kind, colour in (("onset", ONSET_COLOR), ("course", COURSE_COLOR)):
        drawing.add(
            Rect(x, y, size * 1.6, size * 0.8, fillColor=colors.HexColor(colour), strokeColor=None)
        )
        label = words[f"chart_{kind}"]
        drawing.add(String(x + size * 2.1, y, label, fontName=FAMILY, fontSize=size))
        if layout.legend_lines == 1:
            x += size * 3.4 + _width(label, FAMILY, size)
        else:
            y -= size * 1.4


def _draw_grid(drawing: Any, layout: _Layout, axis: Axis) -> None:
    from reportlab.graphics.shapes import Line, String
    from reportlab.lib import colors

    from kapdesk.documents.fonts import FAMILY

    size = layout.font_size
    axis_colour = colors.HexColor(AXIS_COLOR)
    y = layout.axis_h
    end = layout.plot_x + layout.plot_w
    drawing.add(Line(layout.plot_x, y, end, y, strokeColor=axis_colour, strokeWidth=0.6))
    labelled = visible_tick_labels(
        [(layout.x(axis, days), label) for days, label in axis.ticks],
        lambda text: _width(text, FAMILY, size * 0.9),
        gap=size * 0.5,
    )
    for days, label in axis.ticks:
        x = layout.x(axis, days)
        drawing.add(
            Line(x, y, x, layout.top, strokeColor=colors.HexColor("#dedede"), strokeWidth=0.4)
        )
        drawing.add(Line(x, y - 2, x, y, strokeColor=axis_colour, strokeWidth=0.6))
        if label not in labelled:
            continue
        drawing.add(
            String(
                x,
                y - size * 1.25,
                label,
                fontName=FAMILY,
                fontSize=size * 0.9,
                textAnchor="middle",
                fillColor=colors.HexColor(MUTED_COLOR),
            )
        )


def _draw_bar(
    drawing: Any, layout: _Layout, axis: Axis, index: int, bar: ChartBar, cite: str
) -> None:
    from reportlab.graphics.shapes import Line, Rect, String
    from reportlab.lib import colors

    from kapdesk.documents.fonts import BOLD, FAMILY

    size = layout.font_size
    y = layout.row_y(index)
    baseline = y + layout.line_h * 0.3
    if bar.kind == "onset":
        drawing.add(String(0, baseline, bar.name, fontName=BOLD, fontSize=size))
        if index:
            top = y + layout.line_h
            drawing.add(
                Line(
                    0,
                    top,
                    layout.width,
                    top,
                    strokeColor=colors.HexColor("#c8c8c8"),
                    strokeWidth=0.4,
                )
            )
    if bar.span is None:
        drawing.add(
            String(
                layout.text_x,
                baseline,
                bar.text,
                fontName=FAMILY,
                fontSize=size,
                fillColor=colors.HexColor(MUTED_COLOR),
            )
        )
        return
    start = layout.x(axis, bar.span.low)
    end = layout.x(axis, bar.span.high)
    if end - start < MIN_BAR:  # a single value: a short mark centred on it
        start, end = (start + end - MIN_BAR) / 2, (start + end + MIN_BAR) / 2
    thickness = layout.line_h * 0.55
    colour = ONSET_COLOR if bar.kind == "onset" else COURSE_COLOR
    drawing.add(
        Rect(
            start,
            y + (layout.line_h - thickness) / 2,
            end - start,
            thickness,
            fillColor=colors.HexColor(colour),
            strokeColor=None,
        )
    )
    text = f"{bar.text} {cite}" if cite else bar.text
    drawing.add(String(layout.text_x, baseline, text, fontName=FAMILY, fontSize=size))


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)
