"""The frame every kapdesk printout shares.

Each page carries the clinic letterhead (name, phone, after-hours line), "Page n of
N" in the bottom-right corner, the knowledge-base version and review date, the date
printed, and the decision-aid disclaimer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import landscape as to_landscape
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from kapdesk.content.model import KBVersion
from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts
from kapdesk.documents.markup import check_drawable, escape
from kapdesk.kb.catalog import frame_strings
from kapdesk.profile import ClinicProfile

MARGIN = 0.6 * inch
HEADER_HEIGHT = 0.75 * inch
FOOTER_HEIGHT = 0.6 * inch
GREY = colors.HexColor("#4d4d4d")
RULE = colors.HexColor("#9a9a9a")


def strings(lang: str) -> dict[str, str]:
    """The frame's fixed wording in ``lang``, from the knowledge base."""
    return frame_strings(lang)


@dataclass(frozen=True)
class DocumentInfo:
    """What the frame needs to know about a document."""

    title: str
    kb_version: KBVersion
    profile: ClinicProfile
    lang: str = "en"
    subject: str = ""
    printed: date = field(default_factory=date.today)
    landscape: bool = False
    large_print: bool = False
    keywords: tuple[str, ...] = ()


def body_styles(large_print: bool = False) -> dict[str, ParagraphStyle]:
    """Paragraph styles for document bodies; large print uses bold 18 pt at 1.5 spacing."""
    register_fonts()
    size = 18 if large_print else 10
    font = BOLD if large_print else FAMILY
    leading = size * (1.5 if large_print else 1.3)
    base = ParagraphStyle("body", fontName=font, fontSize=size, leading=leading, alignment=TA_LEFT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=size * 0.85, leading=leading * 0.85),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=BOLD,
            fontSize=size * 1.8,
            leading=size * 2.2,
            spaceAfter=size * 0.6,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=size * 1.3,
            leading=size * 1.7,
            spaceBefore=size * 0.9,
            spaceAfter=size * 0.3,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=BOLD,
            fontSize=size * 1.05,
            leading=leading,
            spaceBefore=size * 0.5,
            spaceAfter=size * 0.15,
        ),
        "bullet": ParagraphStyle(
            "bullet",
            parent=base,
            leftIndent=size * 1.3,
            bulletIndent=size * 0.3,
            spaceAfter=size * 0.25,
        ),
    }


def _letterhead_lines(profile: ClinicProfile, text: dict[str, str]) -> tuple[str, str]:
    name = profile.clinic_name or text["no_clinic"]
    contact = []
    if profile.phone:
        contact.append(f"{text['phone']}: {profile.phone}")
    if profile.after_hours:
        contact.append(f"{text['after_hours']}: {profile.after_hours}")
    return name, "   ·   ".join(contact)


class _NumberedCanvas(Canvas):
    """Holds every page until the end so that each can say "Page n of N"."""

    def __init__(self, *args, info: DocumentInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._info = info
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            _draw_frame(self, self._info, self._pageNumber, total)
            super().showPage()
        super().save()


def _draw_frame(canvas: Canvas, info: DocumentInfo, number: int, total: int) -> None:
    text = strings(info.lang)
    width, height = canvas._pagesize
    large = info.large_print
    name_size, line_size, foot_size = (16, 13, 12) if large else (12, 9, 7.5)
    name_font = BOLD
    line_font = BOLD if large else FAMILY
    name, contact = _letterhead_lines(info.profile, text)
    canvas.saveState()
    # Letterhead: paragraphs, so clinic text is escaped and wrapped, never parsed.
    name_style = ParagraphStyle(
        "lh", fontName=name_font, fontSize=name_size, leading=name_size * 1.2
    )
    line_style = ParagraphStyle(
        "lh2", fontName=line_font, fontSize=line_size, leading=line_size * 1.25
    )
    top = height - MARGIN * 0.55
    for para_text, style in ((name, name_style), (contact, line_style)):
        if not para_text:
            continue
        para = Paragraph(escape(para_text), style)
        _, h = para.wrap(width - 2 * MARGIN, HEADER_HEIGHT)
        para.drawOn(canvas, MARGIN, top - h)
        top -= h
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    rule_y = height - MARGIN - HEADER_HEIGHT + 0.12 * inch
    canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)
    # Footer.
    foot_top = MARGIN + FOOTER_HEIGHT - 0.1 * inch
    canvas.line(MARGIN, foot_top, width - MARGIN, foot_top)
    canvas.setFillColor(GREY if not large else colors.black)
    canvas.setFont(line_font, foot_size)
    version = text["kb_version"].format(
        version=info.kb_version.short, reviewed=info.kb_version.reviewed.isoformat()
    )
    printed = text["printed"].format(date=info.printed.isoformat())
    y = foot_top - foot_size * 1.4
    page_text = text["page"].format(n=number, total=total)
    page_width = canvas.stringWidth(page_text, BOLD, foot_size * 1.1)
    # Wrapped beside the page number: a large-print or Spanish footer never runs under it.
    foot_style = ParagraphStyle(
        "foot",
        fontName=line_font,
        fontSize=foot_size,
        leading=foot_size * 1.3,
        textColor=colors.black if large else GREY,
    )
    footer = Paragraph(
        escape(text["disclaimer"]) + "<br/>" + escape(f"{version}   ·   {printed}"), foot_style
    )
    _, foot_height = footer.wrap(width - 2 * MARGIN - page_width - foot_size, MARGIN)
    footer.drawOn(canvas, MARGIN, y + foot_size - foot_height)
    canvas.setFont(BOLD, foot_size * 1.1)
    canvas.drawRightString(width - MARGIN, y, page_text)
    canvas.restoreState()


def render(
    out: Path | BinaryIO,
    story: Sequence[Flowable],
    info: DocumentInfo,
    *,
    invariant: bool = False,
) -> int:
    """Lay out ``story`` inside the frame, write the PDF to ``out``; return the page count."""
    register_fonts()
    name, _ = _letterhead_lines(info.profile, strings(info.lang))
    check_drawable(name, "clinic_name", bold=True)
    for field_name in ("phone", "after_hours"):
        check_drawable(getattr(info.profile, field_name), field_name)
    pagesize = to_landscape(letter) if info.landscape else letter
    width, height = pagesize
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER_HEIGHT,
        width - 2 * MARGIN,
        height - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT,
        id="body",
        leftPadding=0,
        rightPadding=0,
    )
    target = str(out) if isinstance(out, Path) else out
    doc = BaseDocTemplate(
        target,
        pagesize=pagesize,
        title=info.title,
        author=info.profile.clinic_name or "kapdesk",
        subject=info.subject,
        keywords=list(info.keywords),
        creator=f"kapdesk (knowledge base {info.kb_version.short})",
        invariant=1 if invariant else 0,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    pages: list[int] = []

    def make_canvas(*args, **kwargs) -> _NumberedCanvas:
        kwargs.setdefault("invariant", 1 if invariant else 0)
        canvas = _NumberedCanvas(*args, info=info, **kwargs)
        pages.append(0)
        return canvas

    doc.build(list(story), canvasmaker=make_canvas)
    return doc.page
