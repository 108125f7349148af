"""Scale printouts: the blank patient form and the clinician score summary.

The form prints the scale's text exactly as the data gives it (English; Spanish for
PHQ-9), in normal or large print, inside the shared frame with the clinic letterhead.
The summary has the frame's patient identifier block on every page (typed for this
printout only; kapdesk never stores it); it starts with the safety prompt when one is
raised, then the total,
band, clusters, flags, the trend chart when earlier totals were typed, the answers, and
the licence and attribution line. Every text reaches reportlab through ``escape``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from kapdesk.content.model import KBVersion
from kapdesk.content.scales import Scale
from kapdesk.decide.scales import (
    LANGUAGE_NAMES,
    ScaleResult,
    answer_rows,
    cluster_rows,
    licence_line,
    provisional_text,
    scale_library,
    total_text,
    trend_layout,
)
from kapdesk.documents.fonts import BOLD, FAMILY
from kapdesk.documents.frame import (
    DocumentInfo,
    PatientIdentifiers,
    body_styles,
    reference_list,
    render,
    strings,
)
from kapdesk.documents.markup import escape
from kapdesk.profile import ClinicProfile

GRID = colors.HexColor("#b3b3b3")
SHADE = colors.HexColor("#f2f2f2")
ALERT = colors.HexColor("#a4161a")
ALERT_SHADE = colors.HexColor("#fbe9e9")
LINE_COLOR = colors.HexColor("#2e7fb8")
BAND_COLOR = colors.HexColor("#8c8c8c")
BLANK = "_" * 30
CHECKBOX = "☐"


# --- the blank form ----------------------------------------------------------------------


def _form_table(scale: Scale, lang: str, styles) -> Table:
    text = scale.texts[lang]
    head_style = styles["small"]
    header = [
        Paragraph("", head_style),
        Paragraph(escape(text.stem), head_style),
        *[Paragraph(escape(option), head_style) for option in text.options],
    ]
    rows = [header]
    for number, item in enumerate(text.items, 1):
        rows.append(
            [
                Paragraph(f"{number}.", styles["body"]),
                Paragraph(escape(item), styles["body"]),
                *[Paragraph(f"<b>{value}</b>", styles["body"]) for value in scale.scores],
            ]
        )
    options = len(text.options)
    option_width = 52 if options <= 4 else 60
    table = Table(rows, colWidths=[26, None, *([option_width] * options)], repeatRows=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 1), (-1, -1), "CENTER"),
        ("LEFTPADDING", (2, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (0, -1), 2),
        ("RIGHTPADDING", (2, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
    ]
    style += [("BACKGROUND", (0, row), (-1, row), SHADE) for row in range(2, len(rows), 2)]
    table.setStyle(TableStyle(style))
    return table


def _form_large(scale: Scale, lang: str, styles) -> list[Flowable]:
    """One block per item: the item, then each option on its own line with a box."""
    text = scale.texts[lang]
    story: list[Flowable] = []
    if text.stem:
        story.append(Paragraph(escape(text.stem), styles["body"]))
    for number, item in enumerate(text.items, 1):
        block: list[Flowable] = [Paragraph(escape(f"{number}. {item}"), styles["h3"])]
        block += [
            Paragraph(escape(f"{CHECKBOX}  {option} ({value})"), styles["bullet"])
            for value, option in zip(scale.scores, text.options, strict=True)
        ]
        story.append(KeepTogether(block))
    return story


def _office_box(scale: Scale, words: dict[str, str], styles) -> Table:
    sums = " + ".join("____" for _ in scale.scores[1:])
    cells = [
        [Paragraph(f"<b>{escape(words['office_coding'])}</b>", styles["small"])],
        [
            Paragraph(
                escape(f"0 + {sums}  =  {words['total_score']}: ______"),
                styles["body"],
            )
        ],
    ]
    box = Table(cells, colWidths=[None])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def form_story(scale: Scale, lang: str, large_print: bool = False) -> list[Flowable]:
    """The blank patient form of ``scale`` in ``lang``."""
    styles = body_styles(large_print)
    text = scale.texts[lang]
    words = scale_library().forms[lang]
    title_style = styles["title"] if large_print else styles["h2"]
    story: list[Flowable] = [
        Paragraph(
            f"<font size='{title_style.fontSize + 2}'>{escape(text.title)}</font>", title_style
        ),
        Paragraph(
            escape(f"{words['name']}: {BLANK}")
            + ("<br/>" if large_print else "&nbsp;" * 4)
            + escape(f"{words['date']}: {'_' * 14}"),
            styles["body"],
        ),
        Spacer(1, 8),
        Paragraph(escape(text.instruction), styles["body"]),
        Spacer(1, 6),
    ]
    if large_print:
        story += _form_large(scale, lang, styles)
    else:
        story.append(_form_table(scale, lang, styles))
    story += [Spacer(1, 8), _office_box(scale, words, styles)]
    if text.function_question:
        block: list[Flowable] = [
            Spacer(1, 8),
            Paragraph(escape(text.function_question), styles["body"]),
        ]
        if large_print:
            block += [
                Paragraph(escape(f"{CHECKBOX}  {option}"), styles["bullet"])
                for option in text.function_options
            ]
        else:
            boxes = "&nbsp;&nbsp;&nbsp;&nbsp;".join(
                escape(f"{CHECKBOX} {option}") for option in text.function_options
            )
            block.append(Paragraph(boxes, styles["body"]))
        story.append(KeepTogether(block))
    story.append(Spacer(1, 10))
    if text.footer:
        story.append(Paragraph(escape(text.footer), styles["small"]))
    else:
        story.append(Paragraph(escape(licence_line(scale)), styles["small"]))
    return story


def form_pdf(
    scale: Scale,
    lang: str,
    *,
    profile: ClinicProfile,
    kb_version: KBVersion,
    large_print: bool = False,
    invariant: bool = False,
) -> tuple[bytes, int]:
    """The blank form as PDF bytes and its page count."""
    text = scale.texts[lang]
    info = DocumentInfo(
        title=text.title,
        kb_version=kb_version,
        profile=profile,
        lang=lang,
        subject=f"{scale.short_name} patient form",
        large_print=large_print,
        keywords=("kapdesk", scale.id, "form", lang),
    )
    out = io.BytesIO()
    pages = render(out, form_story(scale, lang, large_print), info, invariant=invariant)
    return out.getvalue(), pages


# --- the clinician summary ---------------------------------------------------------------


def _safety_box(result: ScaleResult, styles, cited: str = "") -> Table:
    safety = result.safety
    assert safety is not None
    language = LANGUAGE_NAMES.get(result.language, result.language)
    crisis = safety.crisis_text or safety.crisis_missing
    cells = [
        [Paragraph('<font color="#ffffff"><b>Safety prompt</b></font>', styles["h3"])],
        [Paragraph(f"<b>{escape(safety.message)}</b>{cited}", styles["body"])],
        [Paragraph(escape(safety.detail), styles["small"])],
        [Paragraph(f"<b>Clinic crisis text ({escape(language)}):</b>", styles["body"])],
        [Paragraph(escape(crisis), styles["body"])],
    ]
    table = Table(cells, colWidths=[None])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ALERT),
                ("BACKGROUND", (0, 1), (-1, -1), ALERT_SHADE),
                ("BOX", (0, 0), (-1, -1), 1.2, ALERT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _result_table(result: ScaleResult, styles) -> Table:
    language = LANGUAGE_NAMES.get(result.language, result.language)
    rows = [
        ("Total", total_text(result)),
        ("Band", result.band_text or ("—" if result.scale.bands else "no bands for this scale")),
    ]
    rows += [(f"Cluster {heading}", value) for heading, value in cluster_rows(result)]
    if result.scale.provisional is not None:
        rows.append(("Provisional DSM-5 diagnosis", provisional_text(result)))
    rows += [("Scored", result.today.isoformat()), ("Text answered", language)]
    if result.missing:
        rows.append(("Unanswered items", ", ".join(map(str, result.missing))))
    cells = [
        [
            Paragraph(f"<b>{escape(label)}</b>", styles["body"]),
            Paragraph(escape(value), styles["body"]),
        ]
        for label, value in rows
    ]
    table = Table(cells, colWidths=[190, None])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("BACKGROUND", (0, 0), (-1, 1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def trend_drawing(result: ScaleResult, width: float = 500, height: float = 160):
    """The trend chart (reportlab.graphics): totals by date, band or cut-off lines."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String

    layout = trend_layout(result)
    left, right, bottom, top = 34, 120, 30, 12
    plot_w, plot_h = width - left - right, height - bottom - top
    drawing = Drawing(width, height)

    def xy(ux: float, uy: float) -> tuple[float, float]:
        return left + 10 + ux * (plot_w - 20), bottom + uy * plot_h

    drawing.add(Line(left, bottom, left, bottom + plot_h, strokeColor=colors.black))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.black))
    for value in (0, layout.max_total):
        _, y = xy(0, value / layout.max_total)
        drawing.add(
            String(left - 4, y - 3, str(value), fontName=FAMILY, fontSize=7, textAnchor="end")
        )
    for uy, value, label in layout.lines:
        _, y = xy(0, uy)
        drawing.add(
            Line(
                left,
                y,
                left + plot_w,
                y,
                strokeColor=BAND_COLOR,
                strokeDashArray=[3, 2],
                strokeWidth=0.6,
            )
        )
        if not label:
            continue
        drawing.add(
            String(left - 4, y - 3, str(value), fontName=FAMILY, fontSize=7, textAnchor="end")
        )
        drawing.add(
            String(
                left + plot_w + 4,
                y - 3,
                label,
                fontName=FAMILY,
                fontSize=7,
                fillColor=BAND_COLOR,
            )
        )
    coords = [xy(ux, uy) for ux, uy, _ in layout.points]
    if len(coords) > 1:
        drawing.add(
            PolyLine(
                [c for point in coords for c in point], strokeColor=LINE_COLOR, strokeWidth=1.4
            )
        )
    for (x, y), (_, _, point) in zip(coords, layout.points, strict=True):
        fill = colors.black if point.current else LINE_COLOR
        drawing.add(Circle(x, y, 3.2 if point.current else 2.6, fillColor=fill, strokeColor=fill))
        drawing.add(
            String(
                x,
                y + 6,
                str(point.total),
                fontName=BOLD,
                fontSize=8,
                textAnchor="middle",
            )
        )
        label = point.date.isoformat() + (" (today)" if point.current else "")
        drawing.add(
            String(x, bottom - 12, label, fontName=FAMILY, fontSize=6.5, textAnchor="middle")
        )
    return drawing


def _answers_table(result: ScaleResult, styles) -> Table:
    rows = [
        [
            Paragraph("<b>No.</b>", styles["small"]),
            Paragraph("<b>Item</b>", styles["small"]),
            Paragraph("<b>Answer</b>", styles["small"]),
        ]
    ]
    rows += [
        [
            Paragraph(str(number), styles["small"]),
            Paragraph(escape(item), styles["small"]),
            Paragraph(escape(answer), styles["small"]),
        ]
        for number, item, answer in answer_rows(result)
    ]
    table = Table(rows, colWidths=[30, None, 150], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def summary_story(
    result: ScaleResult, references: Mapping[str, str], spacing: float = 1.0
) -> list[Flowable]:
    """The clinician score summary, every text escaped; ``references`` maps id → citation."""
    styles = body_styles(spacing=spacing)
    scale = result.scale
    cited: list[str] = []

    def cite(sources: tuple[str, ...]) -> str:
        for source in sources:
            if source not in cited:
                cited.append(source)
        nums = sorted(cited.index(s) + 1 for s in set(sources))
        return f" <super>[{', '.join(map(str, nums))}]</super>" if nums else ""

    story: list[Flowable] = []
    if result.safety:
        story += [_safety_box(result, styles, cite(result.safety.sources)), Spacer(1, 8)]
    story += [
        Paragraph(escape(f"{scale.short_name} score summary"), styles["title"]),
        Paragraph(
            escape(f"{scale.name}. Clinician summary from kapdesk; a decision aid, not an order."),
            styles["small"],
        ),
        Spacer(1, 6),  # the patient identifier block is the frame's, on every page
        Paragraph("Result", styles["h2"]),
        _result_table(result, styles),
    ]
    other = [f for f in result.flags if not f.safety]
    if other:
        story.append(Paragraph("Flags", styles["h2"]))
        for flag in other:
            text = escape(flag.message) + cite(flag.sources)
            if flag.detail:
                text += "<br/>" + escape(flag.detail)
            story.append(Paragraph(text, styles["bullet"], bulletText="•"))
    if result.band is not None and scale.bands_note:
        story.append(
            Paragraph(
                escape(scale.bands_note.text) + cite(scale.bands_note.sources), styles["small"]
            )
        )
    story += [Paragraph("Answers", styles["h2"]), _answers_table(result, styles)]
    if result.previous:
        story.append(
            KeepTogether(
                [
                    Paragraph("Trend", styles["h2"]),
                    Paragraph(
                        escape(
                            "Earlier totals as typed from the chart (not stored by kapdesk), "
                            "with today's total; dashed lines mark the "
                            + ("band starts." if scale.bands else "cut-off.")
                        ),
                        styles["small"],
                    ),
                    trend_drawing(result),
                ]
            )
        )
    text = scale.texts[result.language]
    story += [
        Paragraph("Licence and attribution", styles["h2"]),
        Paragraph(escape(licence_line(scale)) + cite(scale.licence.sources), styles["small"]),
        Paragraph(escape(f"Text: {text.provenance}") + cite(text.sources), styles["small"]),
    ]
    citations = [references.get(ref, ref) for ref in cited]
    return story + reference_list(strings("en")["references"], citations, styles)


def summary_pdf(
    result: ScaleResult,
    *,
    profile: ClinicProfile,
    kb_version: KBVersion,
    references: Mapping[str, str],
    patient: PatientIdentifiers | None = None,
    invariant: bool = False,
) -> tuple[bytes, int]:
    """The clinician score summary as PDF bytes and its page count.

    ``references`` maps each cited reference id to its full citation
    (:func:`kapdesk.decide.scales.cited_references`).
    """
    band = f" — {result.band.display}" if result.band else ""
    info = DocumentInfo(
        title=f"{result.scale.short_name} score summary{band}",
        kb_version=kb_version,
        profile=profile,
        subject="kapdesk scale score summary",
        keywords=("kapdesk", result.scale.id, "summary"),
        identifiers=(patient or PatientIdentifiers()).validated(),
    )
    out = io.BytesIO()

    def story(spacing: float) -> list[Flowable]:
        return summary_story(result, references, spacing)

    pages = render(out, story, info, invariant=invariant)
    return out.getvalue(), pages
