"""The printable comparison sheet: the grid, the onset chart and, for patients, room to think.

The patient sheet follows Option Grid: one page (landscape for four options), the
patients' questions as rows, a "Questions to ask" box and a "What matters most to
me" box with lines to write on. Its cells are the content's short grid answers, and
its layout (question column, chart and boxes) is chosen to leave the grid the most
room, so that it fits on one page at a size patients can read: the largest size from
10 pt down to 9 pt that fits. Only when 9 pt cannot hold the content on one page does
the sheet go down to 8 pt, and below that it runs on to a second page at 9 pt rather
than shrink out of reach. It never shortens or drops a cell. The clinician sheet gives
every statement, its evidence type and numbered citations, and ends with the
reference list, on as many pages as that takes.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from kapdesk.decide.compare import STRENGTH, Cell, Comparison, Part, Row
from kapdesk.documents.charts import min_chart_width, timeline_drawing
from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts
from kapdesk.documents.frame import (
    CLINICIAN,
    MARGIN,
    MAX_PAGES,
    PATIENT,
    DocumentInfo,
    render,
    strings,
)
from kapdesk.documents.markup import escape
from kapdesk.fsio import atomic_write
from kapdesk.kb.catalog import wording
from kapdesk.kb.store import KnowledgeBase
from kapdesk.palette import NO_RATING_COLOR, STRENGTH_COLORS
from kapdesk.profile import ClinicProfile

# Patient type sizes, largest first. 9 pt is the size patients can read; a sheet goes
# down to 8 pt only to stay on one page, and otherwise runs on to a second page at 9 pt.
PATIENT_SIZES = (10.0, 9.5, 9.0)
PATIENT_FALLBACK_SIZES = (8.5, 8.0)
PATIENT_LEADING = 1.15  # line height in sizes: as close as DejaVu Sans sets without touching
CLINICIAN_SIZE = 7.5
CLINICIAN_LEADING = 1.22  # room for superscript citations, no more
LABEL_WIDTH = 0.9 * inch  # at least; widened so that no word of a row label is broken
LABEL_STEP, LABEL_STEPS = 0.1 * inch, 7  # wider question columns tried on patient sheets
# (chart, questions box) shares of the width tried for the patient band; the rest is
# the "what matters" box.
BAND_SPLITS = ((0.5, 0.25), (0.46, 0.3), (0.42, 0.33), (0.44, 0.34), (0.52, 0.27), (0.48, 0.3))
UNBOUNDED = 1e6
CHART_LINE_SPACING = 1.2  # the patient chart's bars, a little closer than the clinician's
SUBTITLE_SCALE = 1.15  # the condition beside the title, in body sizes
HEADER_FILL = colors.HexColor("#e6e6e6")
BAND_FILL = colors.HexColor("#f4f4f4")
LINE = colors.HexColor("#b3b3b3")
MUTED = "#5c5c5c"


@dataclass(frozen=True)
class _Styles:
    size: float
    body: ParagraphStyle
    cell: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    box_heading: ParagraphStyle
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
        # Inside the grid the cell padding spaces the rows; no space after the text.
        cell = ParagraphStyle("cmp-cell", parent=body, spaceAfter=0)
        return cls(
            size=size,
            body=body,
            cell=cell,
            bold=ParagraphStyle("cmp-bold", parent=cell, fontName=BOLD),
            small=ParagraphStyle(
                "cmp-small", parent=body, fontSize=size * 0.88, leading=size * 1.06
            ),
            title=ParagraphStyle(
                "cmp-title", parent=body, fontName=BOLD, fontSize=size * 1.6, leading=size * 1.9
            ),
            heading=ParagraphStyle(
                "cmp-heading",
                parent=body,
                fontName=BOLD,
                fontSize=size * 1.1,
                leading=size * 1.4,
                spaceAfter=size * 0.3,
            ),
            box_heading=ParagraphStyle(
                "cmp-box-heading", parent=body, fontName=BOLD, spaceAfter=size * 0.3
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
        return [Paragraph(f'<font color="{MUTED}">{escape(cell.text)}</font>', styles.cell)]
    # Statements are set apart; the one-line-per-condition summary is not.
    gap = 0 if comparison.condition is None and cell.parts[0].condition else styles.size * 0.3
    flowables: list[Flowable] = []
    for part in cell.parts:
        if flowables and gap:
            flowables.append(Spacer(1, gap))
        flowables.append(Paragraph(_part_markup(part, comparison, kb, cites), styles.cell))
    return flowables


class _ClinicianGrid(Table):
    """The clinician grid: a row moves whole to the next page when it fits there, and
    is split between lines only when it is taller than a page; each page repeats the
    header row, and a row continued from the page before repeats its label with
    "(continued)"."""

    CONTINUED = "continued"
    _continuation = False  # a piece after a page break: starts at the top of a page

    def _usable(self, available_height: float) -> float:
        frame = getattr(self, "_frame", None)
        if frame is None:
            return available_height
        return frame._height - frame._topPadding - frame._bottomPadding

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        usable = self._usable(available_height)
        if self._continuation and available_height < usable - 1:
            return []  # never a second header row in the middle of a page
        self.splitInRow = 0
        parts = super().split(available_width, available_height)
        if not parts:
            frame = getattr(self, "_frame", None)
            heights = (
                self._rowHeights if self._rowHeights and None not in self._rowHeights else None
            )
            if heights is None:
                self.wrap(available_width, available_height)
                heights = self._rowHeights
            row = self.repeatRows
            needed = sum(heights[: row + 1]) if row < len(heights) else 0
            if needed > usable or getattr(frame, "_atTop", False):
                self.splitInRow = 1
                parts = super().split(available_width, available_height)
                self.splitInRow = 0
        for before, after in itertools.pairwise(parts):
            self._label_continued(before, after)
            after._continuation = True
        return parts

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width, height = super().wrap(available_width, available_height)
        if self._continuation and available_height < self._usable(available_height) - 1:
            return width, max(height, available_height + 1)  # go to the next page
        return width, height

    def _label_continued(self, before: Table, after: Table) -> None:
        row = after.repeatRows
        if row >= len(after._cellvalues) or _has_text(after._cellvalues[row][0]):
            return
        label = _first_paragraph(before._cellvalues[-1][0])
        if label is None:
            return
        text = label.getPlainText().replace(f" ({self.CONTINUED})", "")
        after._cellvalues[row][0] = Paragraph(escape(f"{text} ({self.CONTINUED})"), label.style)


def _has_text(cell: Any) -> bool:
    if isinstance(cell, list | tuple):
        return any(_has_text(c) for c in cell)
    if isinstance(cell, Paragraph):
        return bool(cell.getPlainText().strip())
    return bool(str(cell or "").strip())


def _first_paragraph(cell: Any) -> Paragraph | None:
    if isinstance(cell, list | tuple):
        return next((p for p in cell if isinstance(p, Paragraph)), None)
    return cell if isinstance(cell, Paragraph) else None


def _grid(
    comparison: Comparison,
    kb: KnowledgeBase,
    styles: _Styles,
    width: float,
    cites: _Citations | None,
    label_width: float | None = None,
    cells_made: dict[int, list[list[Flowable]]] | None = None,
) -> Table:
    """One table row per attribute; a row taller than a page breaks between lines.

    ``cells_made`` keeps each row's answer cells for the next grid at the same size (a
    paragraph is parsed once and wrapped again at each width tried).
    """
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
        ("TOPPADDING", (0, 0), (-1, -1), styles.size * 0.1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), styles.size * 0.25),
        ("LEFTPADDING", (0, 0), (-1, -1), styles.size * 0.4),
        ("RIGHTPADDING", (0, 0), (-1, -1), styles.size * 0.4),
    ]
    label_width = label_width or _label_width(comparison, styles)
    text_width = label_width - 2 * styles.size * 0.4
    for index, row in enumerate(comparison.rows, 1):
        printed = _printed_label(row, comparison)
        label = Paragraph(_label_markup(printed, text_width, styles.size), styles.bold)
        if cells_made is not None and index in cells_made:
            cells = cells_made[index]
        else:
            cells = [_cell_paragraphs(cell, comparison, kb, styles, cites) for cell in row.cells]
            if cells_made is not None:
                cells_made[index] = cells
        data.append([label, *cells])
        style.append(("LINEBELOW", (0, index), (-1, index), 0.5, LINE))
        if index % 2 == 0:
            style.append(("BACKGROUND", (0, index), (-1, index), BAND_FILL))
    count = len(comparison.modalities)
    column = (width - label_width) / count
    # Clinician rows taller than a page break inside; patient rows stay whole.
    kind = _ClinicianGrid if cites is not None else Table
    table = kind(data, colWidths=[label_width] + [column] * count, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _printed_label(row: Row, comparison: Comparison) -> str:
    """The row's label as printed: a patient sheet names its condition once, by the title.

    "How well does it work? (Post-traumatic stress disorder (PTSD))" would take six
    lines of the question column beside four-line answers; the title line already says
    which condition the sheet is for.
    """
    if comparison.audience == "patient" and comparison.condition and row.attribute == STRENGTH:
        return wording(comparison.lang)["strength_patient"]
    return row.label


def _label_pieces(label: str) -> list[str]:
    """The label's words, a hyphenated word split after each hyphen ("Treatment-", ...)."""
    return [piece for word in label.split() for piece in re.findall(r"[^-]+-?|-", word)]


def _label_markup(label: str, width: float, size: float) -> str:
    """The row label broken into lines no wider than ``width``, also after a hyphen.

    reportlab breaks lines only at spaces and cuts a word that does not fit anywhere,
    so a long compound such as "(Treatment-resistant" would force a wide question
    column; breaking it after its hyphen keeps the answers' columns wide.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for piece in _label_pieces(label):
        if lines:
            joined = lines[-1] + ("" if lines[-1].endswith("-") else " ") + piece
            if stringWidth(joined, BOLD, size) <= width:
                lines[-1] = joined
                continue
        lines.append(piece)
    return "<br/>".join(escape(line) for line in lines)


def _label_width(comparison: Comparison, styles: _Styles) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pieces = [piece for row in comparison.rows for piece in _label_pieces(row.label)]
    widest = max(stringWidth(piece, BOLD, styles.size) for piece in pieces)
    return max(LABEL_WIDTH, widest + styles.size * 0.8 + 1)


def _shortest(candidates: Sequence[Flowable], width: float) -> Flowable:
    """The candidate layout that needs the least height at ``width``."""
    return min(candidates, key=lambda flowable: flowable.wrap(width, UNBOUNDED)[1])


def _patient_grid(
    comparison: Comparison,
    kb: KnowledgeBase,
    styles: _Styles,
    width: float,
    label_em: list[float] | None = None,
) -> Flowable:
    """The grid with the question column as wide as makes the grid shortest.

    A narrow question column wraps the questions onto more lines than the answers
    beside them; a wide one squeezes the answers. Which balance is best depends on the
    language and the options, so a few widths are tried. The best width, in ems, is
    left in ``label_em`` so that the same sheet at another size reuses it.
    """
    least = _label_width(comparison, styles)
    widths = [least + step * LABEL_STEP for step in range(LABEL_STEPS)]
    grids: dict[int, tuple[float, Flowable]] = {}
    cells_made: dict[int, list[list[Flowable]]] = {}

    def height(step: int) -> float:
        if step not in grids:
            grid = _grid(
                comparison, kb, styles, width, None, label_width=widths[step], cells_made=cells_made
            )
            grids[step] = (grid.wrap(width, UNBOUNDED)[1], grid)
        return grids[step][0]

    if label_em:
        # Start where the best width was at the size tried before, and walk downhill.
        ems = [w / styles.size for w in widths]
        step = min(range(LABEL_STEPS), key=lambda i: abs(ems[i] - label_em[-1]))
        while True:
            around = [i for i in (step - 1, step + 1) if 0 <= i < LABEL_STEPS]
            better = [i for i in around if height(i) < height(step)]
            if not better:
                break
            step = min(better, key=height)
    else:
        step = min(range(LABEL_STEPS), key=height)
    if label_em is not None:
        label_em.append(widths[step] / styles.size)
    return grids[step][1]


def _title_block(comparison: Comparison, kb: KnowledgeBase, styles: _Styles) -> list[Flowable]:
    words = wording(comparison.lang)
    title = escape(words[f"title_{comparison.audience}"])
    if comparison.condition:
        # The condition stands beside the title (below it only when the line is full),
        # so that the grid keeps the room.
        condition = kb.labels.condition(comparison.condition, comparison.lang)
        line = escape(words["condition_line"].format(condition=condition))
        title += f'<font size="{styles.size * SUBTITLE_SCALE}">\u2003{line}</font>'
    story: list[Flowable] = [Paragraph(title, styles.title)]
    if not comparison.condition and comparison.audience == "clinician":
        story.append(Paragraph(escape(words["all_conditions_line"]), styles.body))
    if comparison.audience == "patient":
        # Names may contain "and" or commas themselves: list them with semicolons.
        names = [comparison.names[mid] for mid in comparison.modalities]
        options = f"{'; '.join(names[:-1])}; {words['and']} {names[-1]}"
        intro = words["intro_patient"].format(options=options)
    else:
        intro = words["intro_clinician"]
    story += [Paragraph(escape(intro), styles.body), Spacer(1, styles.size * 0.3)]
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
        comparison.timelines,
        comparison.lang,
        width,
        font_size=styles.size,
        cite=chart_cites,
        line_spacing=CHART_LINE_SPACING if cites is None else 1.35,
    )
    heading = styles.heading if cites is not None else styles.box_heading
    return [
        Paragraph(escape(words["chart_title"]), heading),
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


def _patient_band(comparison: Comparison, styles: _Styles, width: float) -> Flowable:
    """The chart beside the two boxes, split so that the band is as low as it can be
    while the chart keeps room for its legend and labels."""
    pad = styles.size * 0.6
    needed = min_chart_width(comparison.timelines, comparison.lang, styles.size) + 2 * pad
    splits = [(c, b) for c, b in BAND_SPLITS if width * c >= needed] or [max(BAND_SPLITS)]
    bands = [_band(comparison, styles, width, width * chart, width * box) for chart, box in splits]
    return _shortest(bands, width)


def _band(
    comparison: Comparison, styles: _Styles, width: float, chart_w: float, box_w: float
) -> Table:
    """The chart (``chart_w`` wide), the questions (``box_w``) and what matters (the rest)."""
    words = wording(comparison.lang)
    pad = styles.size * 0.6
    questions = [Paragraph(escape(words["questions_title"]), styles.box_heading)] + [
        Paragraph(escape(q), styles.bullet, bulletText="•") for q in words["questions"]
    ]
    matters_w = width - chart_w - box_w
    matters = [
        Paragraph(escape(words["matters_title"]), styles.box_heading),
        Paragraph(f'<font color="{MUTED}">{escape(words["matters_prompt"])}</font>', styles.small),
        _writing_lines(matters_w - 2 * pad, words["matters_lines"], styles.size * 2.0),
    ]
    chart = _chart_block(comparison, styles, chart_w - 2 * pad, None)
    band = Table([[chart, questions, matters]], colWidths=[chart_w, box_w, matters_w])
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


def _landscape(comparison: Comparison) -> bool:
    """Four options go on a landscape page."""
    count = len(comparison.modalities)
    return count == 4


def comparison_story(
    kb: KnowledgeBase,
    comparison: Comparison,
    *,
    font_size: float | None = None,
    label_em: list[float] | None = None,
) -> list[Flowable]:
    """The sheet's content, laid out for the page the comparison needs."""
    landscape = _landscape(comparison)
    width = _frame_width(landscape)
    patient = comparison.audience == "patient"
    if patient:
        styles = _Styles.at(font_size or PATIENT_SIZES[0], leading=PATIENT_LEADING)
    else:
        styles = _Styles.at(font_size or CLINICIAN_SIZE, leading=CLINICIAN_LEADING)
    if patient:
        return [
            *_title_block(comparison, kb, styles),
            _patient_grid(comparison, kb, styles, width, label_em),
            Spacer(1, styles.size * 0.4),
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
        landscape=_landscape(comparison),
        keywords=("kapdesk", "comparison", *comparison.modalities),
        audience=PATIENT if comparison.audience == "patient" else CLINICIAN,
        kind="comparison",
        max_pages=MAX_PAGES["comparison"],
    )


def comparison_pdf(
    kb: KnowledgeBase,
    comparison: Comparison,
    *,
    profile: ClinicProfile,
    invariant: bool = False,
) -> tuple[bytes, int]:
    """The sheet as PDF bytes and its page count.

    A patient sheet is set in the largest size from 10 pt to 9 pt that fits on one
    page; failing that, in 8.5 or 8 pt if that keeps it on one page; failing that, in
    9 pt on as many pages as it needs, because a sheet the patient cannot read helps
    no one. The clinician sheet has one size and as many pages as its content needs.
    """
    info = _info(comparison, kb, profile)
    label_em: list[float] = []  # the question column's best width, found once

    def rendered(size: float) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        story = comparison_story(kb, comparison, font_size=size, label_em=label_em)
        pages = render(buffer, story, info, invariant=invariant)
        return buffer.getvalue(), pages

    if comparison.audience != "patient":
        return rendered(CLINICIAN_SIZE)
    for size in PATIENT_SIZES:
        data, pages = rendered(size)
        if pages == 1:
            return data, pages
    readable = (data, pages)  # at 9 pt
    for size in PATIENT_FALLBACK_SIZES:
        smaller = rendered(size)
        if smaller[1] == 1:
            return smaller
    return readable


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
        atomic_write(out, data)
    else:
        out.write(data)
    return pages
