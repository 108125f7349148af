"""The printable comparison sheet: the grid, the onset chart and, for patients, room to think.

The patient sheet follows Option Grid: one page (landscape for four options), the
patients' questions as rows, a "Questions to ask" box and a "What matters most to
me" box with lines to write on. To stay on one page it is set in the largest type
size, from 9 pt down to 6.5 pt, at which the whole grid fits; it never shortens or
drops a cell, so when even the smallest size cannot hold the content, the sheet
runs on to a second page. The clinician sheet gives every statement, its evidence
type and numbered citations, and ends with the reference list.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from kapdesk.decide.compare import Cell, Comparison, Part
from kapdesk.decide.compare_wording import wording
from kapdesk.documents.charts import timeline_drawing
from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts
from kapdesk.documents.frame import MARGIN, DocumentInfo, render, strings
from kapdesk.documents.markup import escape
from kapdesk.kb.store import KnowledgeBase
from kapdesk.presentation import NO_RATING_COLOR, STRENGTH_COLORS
from kapdesk.profile import ClinicProfile

PATIENT_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.75, 6.5, 6.25, 6.0)
CLINICIAN_SIZE = 8.0
LABEL_WIDTH = 0.9 * inch  # at least; widened so that no word of a row label is broken
HEADER_FILL = colors.HexColor("#e6e6e6")
BAND_FILL = colors.HexColor("#f4f4f4")
LINE = colors.HexColor("#b3b3b3")
MUTED = "#5c5c5c"


@dataclass(frozen=True)
class _Styles:
    size: float
    body: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    bullet: ParagraphStyle
    numbered: ParagraphStyle

    @classmethod
    def at(cls, size: float, leading: float = 1.17) -> _Styles:
        """Styles at ``size`` points; superscript citations need a looser ``leading``."""
        register_fonts()
        body = ParagraphStyle(
            "cmp-body",
            fontName=FAMILY,
            fontSize=size,
            leading=size * leading,
            spaceAfter=size * 0.4,
        )
        return cls(
            size=size,
            body=body,
            bold=ParagraphStyle("cmp-bold", parent=body, fontName=BOLD),
            small=ParagraphStyle(
                "cmp-small", parent=body, fontSize=size * 0.88, leading=size * 1.06
            ),
            title=ParagraphStyle(
                "cmp-title", parent=body, fontName=BOLD, fontSize=size * 1.7, leading=size * 2.0
            ),
            subtitle=ParagraphStyle(
                "cmp-subtitle",
                parent=body,
                fontName=BOLD,
                fontSize=size * 1.15,
                leading=size * 1.45,
            ),
            heading=ParagraphStyle(
                "cmp-heading",
                parent=body,
                fontName=BOLD,
                fontSize=size * 1.1,
                leading=size * 1.4,
                spaceAfter=size * 0.3,
            ),
            bullet=ParagraphStyle(
                "cmp-bullet",
                parent=body,
                leftIndent=size * 1.1,
                bulletIndent=0,
                bulletFontName=FAMILY,
                bulletFontSize=size,
                spaceAfter=1,
            ),
            numbered=ParagraphStyle(
                "cmp-numbered",
                parent=body,
                leftIndent=size * 2.2,
                bulletIndent=0,
                bulletFontName=FAMILY,
                bulletFontSize=size,
                spaceAfter=size * 0.25,
            ),
        )


class _Citations:
    """Reference numbers in first-cited order across the whole sheet."""

    def __init__(self, ref_ids: Sequence[str]) -> None:
        self.number = {ref: index for index, ref in enumerate(ref_ids, 1)}

    def numbers(self, sources: Sequence[str]) -> str:
        nums = sorted({self.number[s] for s in sources})
        return f"[{', '.join(str(n) for n in nums)}]" if nums else ""

    def markup(self, sources: Sequence[str]) -> str:
        text = self.numbers(sources)
        return f" <super>{text}</super>" if text else ""


def _badge(rating: str | None, word: str) -> str:
    colour = STRENGTH_COLORS.get(rating or "", NO_RATING_COLOR)
    return f'<span backcolor="{colour}" color="#ffffff"><b>\u00a0{escape(word)}\u00a0</b></span>'


def _part_markup(
    part: Part, comparison: Comparison, kb: KnowledgeBase, cites: _Citations | None
) -> str:
    labels = kb.labels
    text = escape(part.text)
    if part.rating and part.condition and comparison.condition is None:
        # Summary of every condition: the rating word is the badge.
        template = escape(wording(comparison.lang)["strength_item"])
        text = template.format(
            condition=escape(labels.condition(part.condition, comparison.lang)),
            rating=_badge(part.rating, labels.strength(part.rating, comparison.lang)),
        )
    elif part.rating:
        text = _badge(part.rating, labels.strength(part.rating, comparison.lang)) + " " + text
    if cites is None:
        return text
    text += cites.markup(part.sources)
    if part.evidence:
        kind = wording("en")["evidence"].format(type=labels.evidence(part.evidence))
        text += f' <font color="{MUTED}" size="{CLINICIAN_SIZE * 0.85}">{escape(kind)}</font>'
    return text


def _cell_paragraphs(
    cell: Cell,
    comparison: Comparison,
    kb: KnowledgeBase,
    styles: _Styles,
    cites: _Citations | None,
) -> list[Flowable]:
    if cell.missing:
        return [Paragraph(f'<font color="{MUTED}">{escape(cell.text)}</font>', styles.body)]
    # Statements are set apart; the one-line-per-condition summary is not.
    gap = 0 if comparison.condition is None and cell.parts[0].condition else styles.size * 0.45
    flowables: list[Flowable] = []
    for part in cell.parts:
        if flowables and gap:
            flowables.append(Spacer(1, gap))
        flowables.append(Paragraph(_part_markup(part, comparison, kb, cites), styles.body))
    return flowables


def _grid(
    comparison: Comparison,
    kb: KnowledgeBase,
    styles: _Styles,
    width: float,
    cites: _Citations | None,
) -> Table:
    """One table row per attribute; a row taller than a page breaks between lines."""
    words = wording(comparison.lang)
    corner = words["question_column" if comparison.audience == "patient" else "attribute_column"]
    # Patients read the full names in the introduction; the columns carry the short ones.
    names = comparison.short_names if comparison.audience == "patient" else comparison.names
    header = [Paragraph(escape(corner), styles.bold)] + [
        Paragraph(escape(names[mid]), styles.bold) for mid in comparison.modalities
    ]
    data: list[list[Any]] = [header]
    style: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("BOX", (0, 0), (-1, -1), 0.6, LINE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.3, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), styles.size * 0.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), styles.size * 0.3),
        ("LEFTPADDING", (0, 0), (-1, -1), styles.size * 0.4),
        ("RIGHTPADDING", (0, 0), (-1, -1), styles.size * 0.4),
    ]
    for index, row in enumerate(comparison.rows, 1):
        label = Paragraph(escape(row.label), styles.bold)
        cells = [_cell_paragraphs(cell, comparison, kb, styles, cites) for cell in row.cells]
        data.append([label, *cells])
        style.append(("LINEBELOW", (0, index), (-1, index), 0.5, LINE))
        if index % 2 == 0:
            style.append(("BACKGROUND", (0, index), (-1, index), BAND_FILL))
    count = len(comparison.modalities)
    label_width = _label_width(comparison, styles)
    column = (width - label_width) / count
    # Clinician cells can be taller than a page and break inside; patient rows stay whole.
    table = Table(
        data,
        colWidths=[label_width] + [column] * count,
        repeatRows=1,
        splitInRow=int(cites is not None),
    )
    table.setStyle(TableStyle(style))
    return table


def _label_width(comparison: Comparison, styles: _Styles) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words = [word for row in comparison.rows for word in row.label.split()]
    widest = max(stringWidth(word, BOLD, styles.size) for word in words)
    return max(LABEL_WIDTH, widest + styles.size * 0.8 + 1)


def _title_block(comparison: Comparison, kb: KnowledgeBase, styles: _Styles) -> list[Flowable]:
    words = wording(comparison.lang)
    story: list[Flowable] = [Paragraph(escape(words[f"title_{comparison.audience}"]), styles.title)]
    if comparison.condition:
        condition = kb.labels.condition(comparison.condition, comparison.lang)
        line = words["condition_line"].format(condition=condition)
        story.append(Paragraph(escape(line), styles.subtitle))
    elif comparison.audience == "clinician":
        story.append(Paragraph(escape(words["all_conditions_line"]), styles.body))
    if comparison.audience == "patient":
        # Names may contain "and" or commas themselves: list them with semicolons.
        names = [comparison.names[mid] for mid in comparison.modalities]
        options = f"{'; '.join(names[:-1])}; {words['and']} {names[-1]}"
        intro = words["intro_patient"].format(options=options)
    else:
        intro = words["intro_clinician"]
    story += [Paragraph(escape(intro), styles.body), Spacer(1, styles.size * 0.6)]
    return story


def _chart_block(
    comparison: Comparison, styles: _Styles, width: float, cites: _Citations | None
) -> list[Flowable]:
    words = wording(comparison.lang)
    chart_cites = None
    if cites is not None:
        chart_cites = {}
        for line in comparison.timelines:
            sources = [ref for span in (line.onset, line.course) if span for ref in span.sources]
            chart_cites[line.modality] = cites.numbers(sources)
    drawing = timeline_drawing(
        comparison.timelines, comparison.lang, width, font_size=styles.size, cite=chart_cites
    )
    return [
        Paragraph(escape(words["chart_title"]), styles.heading),
        drawing,
        Spacer(1, styles.size * 0.3),
        Paragraph(f'<font color="{MUTED}">{escape(words["chart_note"])}</font>', styles.small),
    ]


def _writing_lines(width: float, count: int, gap: float) -> Flowable:
    from reportlab.graphics.shapes import Drawing, Line

    drawing = Drawing(width, gap * count)
    for index in range(count):
        y = gap * (count - index - 1) + 1
        drawing.add(Line(0, y, width, y, strokeColor=LINE, strokeWidth=0.6))
    return drawing


def _patient_band(comparison: Comparison, styles: _Styles, width: float) -> Table:
    """The chart beside the two boxes, so the grid keeps most of the page."""
    words = wording(comparison.lang)
    pad = styles.size * 0.6
    chart_w, box_w = width * 0.5, width * 0.25
    questions = [Paragraph(escape(words["questions_title"]), styles.heading)] + [
        Paragraph(escape(q), styles.bullet, bulletText="•") for q in words["questions"]
    ]
    matters = [
        Paragraph(escape(words["matters_title"]), styles.heading),
        Paragraph(f'<font color="{MUTED}">{escape(words["matters_prompt"])}</font>', styles.small),
        _writing_lines(box_w - 2 * pad, words["matters_lines"], styles.size * 2.3),
    ]
    chart = _chart_block(comparison, styles, chart_w - 2 * pad, None)
    band = Table([[chart, questions, matters]], colWidths=[chart_w, box_w, width - chart_w - box_w])
    band.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.8, LINE),
                ("BOX", (2, 0), (2, 0), 0.8, LINE),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ]
        )
    )
    return band


def _references(kb: KnowledgeBase, ref_ids: Sequence[str], styles: _Styles) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(escape(strings("en")["references"]), styles.heading)]
    for index, ref_id in enumerate(ref_ids, 1):
        citation = kb.reference(ref_id).full_citation()
        story.append(Paragraph(escape(citation), styles.numbered, bulletText=f"{index}."))
    return story


def _frame_width(landscape: bool) -> float:
    from reportlab.lib.pagesizes import landscape as to_landscape
    from reportlab.lib.pagesizes import letter

    page_width = (to_landscape(letter) if landscape else letter)[0]
    return page_width - 2 * MARGIN


def comparison_story(
    kb: KnowledgeBase, comparison: Comparison, *, font_size: float | None = None
) -> list[Flowable]:
    """The sheet's content, laid out for the page the comparison needs."""
    landscape = len(comparison.modalities) == 4
    width = _frame_width(landscape)
    patient = comparison.audience == "patient"
    if patient:
        styles = _Styles.at(font_size or PATIENT_SIZES[0])
    else:
        styles = _Styles.at(font_size or CLINICIAN_SIZE, leading=1.35)
    if patient:
        return [
            *_title_block(comparison, kb, styles),
            _grid(comparison, kb, styles, width, None),
            Spacer(1, styles.size * 0.9),
            _patient_band(comparison, styles, width),
        ]
    ref_ids = comparison.source_ids()
    cites = _Citations(ref_ids)
    chart = _chart_block(comparison, styles, width * 0.8, cites)
    return [
        *_title_block(comparison, kb, styles),
        _grid(comparison, kb, styles, width, cites),
        Spacer(1, styles.size),
        KeepTogether(chart),
        Spacer(1, styles.size),
        *_references(kb, ref_ids, styles),
    ]


def _info(comparison: Comparison, kb: KnowledgeBase, profile: ClinicProfile) -> DocumentInfo:
    words = wording(comparison.lang)
    names = " · ".join(comparison.short_names[mid] for mid in comparison.modalities)
    return DocumentInfo(
        title=f"{words[f'title_{comparison.audience}']}: {names}",
        kb_version=kb.version,
        profile=profile,
        lang=comparison.lang,
        subject="kapdesk comparison sheet",
        landscape=len(comparison.modalities) == 4,
        keywords=("kapdesk", "comparison", *comparison.modalities),
    )


def comparison_pdf(
    kb: KnowledgeBase,
    comparison: Comparison,
    *,
    profile: ClinicProfile,
    invariant: bool = False,
) -> tuple[bytes, int]:
    """The sheet as PDF bytes and its page count.

    A patient sheet is set in the largest size that fits on one page; when no size
    does, in the largest size that needs the fewest pages.
    """
    info = _info(comparison, kb, profile)
    sizes = PATIENT_SIZES if comparison.audience == "patient" else (CLINICIAN_SIZE,)
    tried: list[tuple[int, bytes]] = []
    for size in sizes:
        buffer = io.BytesIO()
        story = comparison_story(kb, comparison, font_size=size)
        pages = render(buffer, story, info, invariant=invariant)
        if pages == 1:
            return buffer.getvalue(), pages
        tried.append((pages, buffer.getvalue()))
    fewest = min(pages for pages, _ in tried)
    return next(data for pages, data in tried if pages == fewest), fewest


def write_comparison(
    out: Path | BinaryIO,
    kb: KnowledgeBase,
    comparison: Comparison,
    *,
    profile: ClinicProfile,
    invariant: bool = False,
) -> int:
    """Write the sheet to ``out``; return its page count."""
    data, pages = comparison_pdf(kb, comparison, profile=profile, invariant=invariant)
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)
    return pages
