"""The onset chart: time to first benefit and typical course length, as horizontal bars.

Times run from minutes (a benzodiazepine) to months (a course of psychotherapy), so
the axis is logarithmic, labelled in words ("1 hour", "1 week"), and every bar
carries its range in words, so nobody has to read a value off the scale. A modality
whose content gives no range shows "not reported" and never a guessed bar.

The scale and the wording below are plain Python, shared by the PDF (drawn with
reportlab.graphics, imported only when a chart is drawn) and the GUI's chart widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kapdesk.decide.timeline import (
    MIN_BAR,
    NAME_SHARE_MAX,
    PLOT_SHARE_MIN,
    Axis,
    ChartBar,
    Timeline,
    build_axis,
    chart_bars,
    visible_tick_labels,
)
from kapdesk.kb.catalog import wording
from kapdesk.palette import AXIS_COLOR, COURSE_COLOR, MUTED_COLOR, ONSET_COLOR

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
