"""The frame every kapdesk printout shares, and its keep-together and page-fill rules.

Every page carries the clinic letterhead (name, address, phone, after-hours line in the
document's language), measured before layout so that it wraps to as many lines as it
needs and pushes the body down; clinician records add a patient identifier block under
it. The footer says "Page n of N" and, in the document's language, when the content was
reviewed and when it was printed; patient documents give the content version in a short
human form, clinician documents the knowledge-base hash and the decision-aid line.

Layout rules for every document kind: headings keep with what follows (their styles set
``keepWithNext``), boxes and cards are kept whole when they fit on a page
(:class:`KeepIfItFits`), and :class:`KeepTail` never lets a document end on a page that
holds only its trailing box or a few lines. :func:`render` records what lands on each
page from the doc template's hooks (:class:`Layout`), checks it (:func:`layout_problems`)
and, when the story is given as a function of a spacing factor, lays it out again with
tighter spacing when that avoids a problem or saves a page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
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
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
)
from reportlab.platypus.doctemplate import FrameBreak, NullActionFlowable

from kapdesk.cancel import raise_if_cancelled
from kapdesk.content.model import KBVersion
from kapdesk.dates import format_date
from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts
from kapdesk.documents.markup import check_drawable, escape
from kapdesk.errors import UserInputError
from kapdesk.fsio import atomic_write
from kapdesk.kb.catalog import frame_strings
from kapdesk.profile import ClinicProfile

MARGIN = 0.6 * inch
HEADER_TOP = 0.33 * inch  # from the top edge to the letterhead's first line
RULE_GAP = 0.08 * inch  # letterhead → rule
BODY_GAP = 0.1 * inch  # rule → body frame
FOOTER_MIN = 0.6 * inch
GREY = colors.HexColor("#4d4d4d")
RULE = colors.HexColor("#9a9a9a")
PATIENT, CLINICIAN = "patient", "clinician"
PDF_LANG = {"en": "en-US", "es": "es-US"}
IDENTIFIER_MAX = 120
BLANK = "_" * 18
MIN_BODY_LINES = 5  # a page after the first holds at least this many lines of body
SPACINGS = (1.0, 0.8, 0.6)  # spacing factors tried, loosest first
# Roles of flowables that :func:`layout_problems` knows about.
HEADING, TRAILER, CLINIC_BOX, EMERGENCY_BOX = "heading", "trailer", "clinic-box", "emergency-box"
TRAILER_ROLES = {
    TRAILER,
    CLINIC_BOX,
    EMERGENCY_BOX,
    CLINIC_BOX + "+",
    EMERGENCY_BOX + "+",
    "KeepIfItFits",
}


# The most pages a document of each kind may have: about twice the longest one
# today's content makes. A longer layout is refused (the note or the patient details
# are too long), so no input can keep a worker busy for minutes.
MAX_PAGES = {
    "modality sheet": 25,
    "chart summary": 12,
    "picker summary": 12,
    "integration plan": 20,
    "comparison": 40,
    "handout topic": 20,  # per topic, plus HANDOUT_EXTRA_PAGES for contents and notes
}
HANDOUT_EXTRA_PAGES = 6
DEFAULT_MAX_PAGES = 40


class DocumentTooLongError(UserInputError):
    """The layout ran past the page limit of its kind."""


def strings(lang: str) -> dict[str, str]:
    """The frame's fixed wording in ``lang``, from the knowledge base."""
    return frame_strings(lang)


def content_version(version: KBVersion) -> str:
    """The content version in a short human form: the review year and month, "2026.11"."""
    return f"{version.reviewed.year}.{version.reviewed.month:02d}"


@dataclass(frozen=True)
class PatientIdentifiers:
    """Who a clinician record is about, typed for one printout and never stored.

    Every field is optional; an empty one prints as a line to write on.
    """

    name: str = ""
    birth_date: str = ""
    record: str = ""

    def validated(
        self, names: tuple[str, str, str] = ("patient", "dob", "record")
    ) -> PatientIdentifiers:
        """A cleaned copy; UserInputError names the field (too long, undrawable) by
        ``names`` (name, date of birth, record), e.g. the CLI's option names."""
        cleaned = {}
        for name, flag in zip(("name", "birth_date", "record"), names, strict=True):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise UserInputError(f"{flag}: must be text")
            value = " ".join(value.split())
            if len(value) > IDENTIFIER_MAX:
                raise UserInputError(
                    f"{flag}: {len(value)} characters; at most {IDENTIFIER_MAX} are allowed"
                )
            cleaned[name] = check_drawable(value, flag)
        return replace(self, **cleaned)


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
    audience: str = CLINICIAN
    identifiers: PatientIdentifiers | None = None  # clinician records: block on every page
    kind: str = "document"
    max_pages: int = DEFAULT_MAX_PAGES


def body_styles(large_print: bool = False, spacing: float = 1.0) -> dict[str, ParagraphStyle]:
    """Paragraph styles for document bodies; large print uses bold 18 pt at 1.5 spacing.

    ``spacing`` scales the space around paragraphs (never the line spacing); headings
    keep with the flowable after them.
    """
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
            spaceAfter=size * 0.6 * spacing,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=size * 1.3,
            leading=size * 1.7,
            spaceBefore=size * 0.9 * spacing,
            spaceAfter=size * 0.3 * spacing,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=BOLD,
            fontSize=size * 1.05,
            leading=leading,
            spaceBefore=size * 0.5 * spacing,
            spaceAfter=size * 0.15 * spacing,
            keepWithNext=1,
        ),
        "bullet": ParagraphStyle(
            "bullet",
            parent=base,
            leftIndent=size * 1.3,
            bulletIndent=size * 0.3,
            spaceAfter=size * 0.25 * spacing,
        ),
    }


def mark(flowable: Flowable, role: str) -> Flowable:
    """Tag ``flowable`` with a layout role (heading, trailer, clinic-box, emergency-box)."""
    flowable._kd_role = role
    return flowable


# --- keep-together rules ----------------------------------------------------------------


def _usable_height(flowable: Flowable) -> float | None:
    frame = getattr(flowable, "_frame", None)
    if frame is None:
        return None
    return frame._height - frame._topPadding - frame._bottomPadding


class KeepIfItFits(KeepTogether):
    """KeepTogether that starts a new page only when that helps: content taller than a
    whole page (a long "call" box in large print) flows on from where it is instead of
    leaving the rest of this page empty."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        usable = _usable_height(self)
        if usable is not None and usable < self._H:
            return [NullActionFlowable(), *self._content]
        return super().split(available_width, available_height)


def _height(flowable: Flowable, width: float, canv) -> float:
    _, h = flowable.wrapOn(canv, width, 0xFFFFFF)
    if isinstance(flowable, KeepTogether):
        h = flowable._H  # its wrap answers "too tall" on purpose, to be split
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


class KeepTail(KeepTogether):
    """The end of a document (or of one handout in a bundle): its body, then a trailer
    (the "call" box and the review line) that must not stand alone on the last page.

    Laid out as usual, except that when what is left fits on one page, the last page
    receives the trailer *and* at least ``min_body`` points of the body before it:
    blocks are moved forward from the page before rather than leaving a page that holds
    only the box or a line or two.
    """

    def __init__(self, body: Sequence[Flowable], trailer: Flowable, min_body: float) -> None:
        super().__init__([*body, trailer])
        self._body = list(body)
        self._trailer = trailer
        self._min_body = min_body

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        # reportlab draws the first piece of a split without splitting it again: lead
        # with an action that does nothing, so a first piece may itself be a group.
        return [NullActionFlowable(), *self._split(available_width, available_height)]

    def _split(self, available_width: float, available_height: float) -> list[Flowable]:
        body, trailer = list(self._body), self._trailer
        while body and _role(body[-1]) in ("Spacer", "CondPageBreak"):
            body.pop()  # nothing to keep apart from the trailer
        frame = getattr(self, "_frame", None)
        at_top = bool(frame is not None and getattr(frame, "_atTop", False))
        if not body:
            return [trailer]
        canv = self.canv
        minimum = self._min_body
        heights = [_height(f, available_width, canv) for f in body]
        trailer_h = _height(trailer, available_width, canv)
        usable = _usable_height(self) or available_height
        if sum(heights) + trailer_h <= available_height or trailer_h > usable:
            # All fits here; or the trailer is taller than a page and flows on by itself
            # (it splits so that its parts still touch), so nothing need move forward.
            return [*body, trailer]
        # Body that can share the last page with the trailer; a trailer that leaves less
        # than the minimum stands alone on its page (it fills it).
        share = usable - trailer_h if usable - trailer_h >= minimum else 0.0
        # What fits on this page, counted in whole blocks, never ending on a heading.
        fits, used = 0, 0.0
        while fits < len(heights) and used + heights[fits] <= available_height:
            used += heights[fits]
            fits += 1
        while fits and _role(body[fits - 1]) in (HEADING, "CondPageBreak", "Spacer"):
            fits -= 1
            used -= heights[fits]

        def rest_needs(left: float) -> float:
            """Body the pages after this one need so that none of them is short."""
            if left <= share:
                return minimum if share else 0.0  # the last page: body and trailer
            return minimum + (minimum if share else 0.0)  # a body page, then the last

        def forward(cut: int, need: float) -> list[Flowable] | None:
            """Move blocks from this page to the next until the rest holds ``need``."""
            while cut > 0 and sum(heights[cut:]) < need:
                cut -= 1
            while cut and _role(body[cut - 1]) in (HEADING, "CondPageBreak", "Spacer"):
                cut -= 1
            if cut == 0 and at_top:
                return None  # nothing can move: lay out as it comes
            return [*body[:cut], FrameBreak(), KeepTail(body[cut:], trailer, minimum)]

        left = sum(heights[fits:])
        if left == 0 and not share:
            return [*body, trailer]  # the body ends here; the trailer fills its own page
        if left <= share:
            # The rest makes the last page with the trailer: give it enough body.
            if left >= minimum:
                return [*body[:fits], FrameBreak(), *body[fits:], trailer]
            moved = forward(fits, minimum)
            return moved if moved is not None else [*body, trailer]
        if left <= usable + share and left < rest_needs(left):
            moved = forward(fits, rest_needs(left))
            if moved is not None:
                return moved
        if fits == len(body):
            return [*body, trailer]  # the trailer stands alone on the next page
        # More than the last page is left: fill this page (splitting the next block as
        # usual, unless what it leaves over would make a short page) and decide again.
        head, remaining = body[:fits], body[fits:]
        if _role(remaining[0]) != HEADING:
            parts = remaining[0].splitOn(canv, available_width, available_height - used)
            if len(parts) == 2:
                rest = _height(parts[1], available_width, canv) + sum(heights[fits + 1 :])
                if rest > usable + share or rest >= rest_needs(rest):
                    head = [*head, parts[0]]
                    remaining = [parts[1], *remaining[1:]]
        if not head:
            if at_top:
                return [*body, trailer]
            return [FrameBreak(), KeepTail(body, trailer, minimum)]
        return [*head, KeepTail(remaining, trailer, minimum)]


def reference_list(heading: str, citations: Sequence[str], styles: dict) -> list[Flowable]:
    """The numbered references that end a clinician document: the heading never ends a
    page, no citation is split across pages, and the last page is never just a line or
    two of the list (citations move forward from the page before)."""
    if not citations:
        return []
    paragraphs = [
        Paragraph(escape(citation), styles["bullet"], bulletText=f"{number}.")
        for number, citation in enumerate(citations, 1)
    ]
    items = [KeepIfItFits([paragraph]) for paragraph in paragraphs]
    title = mark(Paragraph(escape(heading), styles["h2"]), HEADING)
    # (a group inside a group would measure as "too tall": the first citation plain)
    body = [KeepTogether([title, paragraphs[0]]), *items[1:-1]]
    if len(items) == 1:
        return body
    return [KeepTail(body, items[-1], MIN_BODY_LINES * styles["body"].leading)]


# --- layout record ----------------------------------------------------------------------


@dataclass
class Placed:
    """One flowable as laid out: its role, a little of its text and its extent."""

    role: str
    text: str
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass
class PageRecord:
    """Everything the doc template placed on one page, top to bottom."""

    number: int
    frame_top: float
    frame_bottom: float
    placed: list[Placed] = field(default_factory=list)

    @property
    def used(self) -> float:
        """Body height used: from the frame top to the lowest flowable's foot."""
        drawn = [p for p in self.placed if p.height > 0.5]
        return self.frame_top - min(p.bottom for p in drawn) if drawn else 0.0

    def roles(self) -> list[str]:
        """The roles of what was drawn, top to bottom (spacers left out)."""
        return [p.role for p in self.placed if p.height > 0.5 and p.role != "Spacer"]


@dataclass
class Layout:
    """What landed on each page, recorded from the doc template's hooks."""

    body_leading: float
    pages: list[PageRecord] = field(default_factory=list)
    letterhead_bottom: float = 0.0
    page_height: float = 0.0


_captures: ContextVar[list[Layout] | None] = ContextVar("kapdesk_layouts", default=None)


@contextmanager
def capture_layouts() -> Iterator[list[Layout]]:
    """Collect the :class:`Layout` of every document rendered inside the ``with`` block
    (only the layout that was written out, not the attempts)."""
    layouts: list[Layout] = []
    token = _captures.set(layouts)
    try:
        yield layouts
    finally:
        _captures.reset(token)


def layout_problems(layout: Layout) -> list[str]:
    """What breaks the page-fill and keep-together rules, one line per problem."""
    problems = []
    minimum = MIN_BODY_LINES * layout.body_leading
    for page in layout.pages:
        roles = page.roles()
        if not roles:
            if page.number > 1:
                problems.append(f"page {page.number}: empty")
            continue
        if roles[-1] == HEADING:
            problems.append(f"page {page.number}: ends with a heading")
        if page.number == 1:
            continue
        whole = not any(role.endswith("+") for role in roles)
        small = page.used < 0.6 * (page.frame_top - page.frame_bottom)
        if set(roles) <= TRAILER_ROLES and whole and small:
            # A box that fills most of its page stands well alone, and so does the end
            # of a box taller than a page; a small whole box alone means a bad break.
            problems.append(f"page {page.number}: holds only the trailing box or review line")
        elif page.used < minimum:
            problems.append(
                f"page {page.number}: {page.used / layout.body_leading:.1f} lines of body"
            )
    # Boxes are split only when a unit is taller than a page; pieces after the first
    # carry the role with a "+". The emergency box is never split, and always shares a
    # page with (the end of) the clinic box.
    for page in layout.pages:
        roles = page.roles()
        if EMERGENCY_BOX + "+" in roles:
            problems.append(f"page {page.number}: the emergency box is split")
        if EMERGENCY_BOX in roles and not {CLINIC_BOX, CLINIC_BOX + "+"} & set(roles):
            problems.append(f"page {page.number}: emergency box without the clinic box")
    return problems


def _role(flowable: Flowable) -> str:
    role = getattr(flowable, "_kd_role", None)
    if role:
        return role
    style = getattr(flowable, "style", None)
    if isinstance(flowable, Paragraph) and getattr(style, "keepWithNext", 0):
        return HEADING
    return type(flowable).__name__


class _Doc(BaseDocTemplate):
    """BaseDocTemplate that records where each flowable lands."""

    def __init__(self, *args, layout: Layout, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.layout = layout
        self._top = 0.0

    def handle_pageBegin(self) -> None:
        super().handle_pageBegin()
        frame = self.pageTemplate.frames[0]
        top = frame._y2 - frame._topPadding
        self.layout.pages.append(PageRecord(self.page, top, frame._y1 + frame._bottomPadding))
        self._top = top

    def afterFlowable(self, flowable: Flowable) -> None:
        frame = getattr(self, "frame", None)
        if frame is None or not self.layout.pages or hasattr(flowable, "frameAction"):
            return
        bottom = frame._y
        top = self._top
        if frame._atTop and getattr(frame, "_prevASpace", 0) == 0:
            top = frame._y2 - frame._topPadding
        text = flowable.getPlainText()[:60] if isinstance(flowable, Paragraph) else ""
        page = self.layout.pages[-1]
        # A flowable's space before is not its height: measure from the previous foot.
        page.placed.append(Placed(_role(flowable), text, top, bottom))
        self._top = bottom


# --- drawing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sizes:
    name: float
    line: float
    foot: float


def _sizes(large: bool) -> _Sizes:
    return _Sizes(16, 13, 12) if large else _Sizes(12, 9, 7.5)


def after_hours_for(profile: ClinicProfile, lang: str) -> str:
    """The after-hours line in ``lang``; the English one when no other was set."""
    if lang == "es" and profile.after_hours_es:
        return profile.after_hours_es
    return profile.after_hours


def _letterhead(info: DocumentInfo) -> list[tuple[str, bool]]:
    """The letterhead's paragraphs as (markup, is the clinic name)."""
    text = strings(info.lang)
    profile = info.profile
    lines: list[tuple[str, bool]] = []
    if profile.clinic_name:
        lines.append((escape(profile.clinic_name), True))
    elif info.audience == CLINICIAN:  # staff may be told where to set it; patients never
        lines.append((escape(text["no_clinic"]), True))
    if profile.address:
        parts = [" ".join(line.split()) for line in profile.address.splitlines() if line.strip()]
        lines.append((escape("   ·   ".join(parts)), False))
    contact = []
    if profile.phone:
        contact.append(f"<b>{escape(text['phone'])}:</b> {escape(profile.phone)}")
    after_hours = after_hours_for(profile, info.lang)
    if after_hours:
        contact.append(f"<b>{escape(text['after_hours'])}:</b> {escape(after_hours)}")
    if contact:
        lines.append(("   ·   ".join(contact), False))
    if info.identifiers is not None:
        ids = info.identifiers
        parts = [
            f"<b>{escape(text['patient_name'])}:</b> {escape(ids.name or BLANK)}",
            f"<b>{escape(text['birth_date'])}:</b> {escape(ids.birth_date or BLANK)}",
            f"<b>{escape(text['record'])}:</b> {escape(ids.record or BLANK)}",
        ]
        lines.append(("   ".join(parts), False))
    return lines


def _letterhead_paragraphs(info: DocumentInfo) -> list[Paragraph]:
    sizes = _sizes(info.large_print)
    name_style = ParagraphStyle(
        "lh-name", fontName=BOLD, fontSize=sizes.name, leading=sizes.name * 1.2
    )
    line_style = ParagraphStyle(
        "lh-line",
        fontName=BOLD if info.large_print else FAMILY,
        fontSize=sizes.line,
        leading=sizes.line * 1.25,
        spaceBefore=sizes.line * 0.15,
    )
    return [Paragraph(m, name_style if is_name else line_style) for m, is_name in _letterhead(info)]


def _page_size(info: DocumentInfo) -> tuple[float, float]:
    return to_landscape(letter) if info.landscape else letter


def _footer_lines(info: DocumentInfo) -> list[str]:
    text = strings(info.lang)
    reviewed = format_date(info.kb_version.reviewed, info.lang)
    printed = text["printed"].format(date=format_date(info.printed, info.lang))
    if info.audience == PATIENT:
        return [
            text["patient_footer"].format(
                reviewed=reviewed, version=content_version(info.kb_version), printed=printed
            )
        ]
    version = text["kb_version"].format(version=info.kb_version.short, reviewed=reviewed)
    return [text["disclaimer"], f"{version}   ·   {printed}"]


def _footer_paragraph(info: DocumentInfo) -> Paragraph:
    sizes = _sizes(info.large_print)
    style = ParagraphStyle(
        "foot",
        fontName=BOLD if info.large_print else FAMILY,
        fontSize=sizes.foot,
        leading=sizes.foot * 1.3,
        textColor=colors.black if info.large_print else GREY,
    )
    return Paragraph("<br/>".join(escape(line) for line in _footer_lines(info)), style)


def _page_label_width(info: DocumentInfo) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    label = strings(info.lang)["page"].format(n=888, total=888)
    return stringWidth(label, BOLD, _sizes(info.large_print).foot * 1.1)


@dataclass(frozen=True)
class _Geometry:
    """Where the letterhead, the rules and the body frame go on every page."""

    width: float
    height: float
    letterhead: list[tuple[Paragraph, float]]  # paragraph, height
    rule_y: float
    body_top: float
    foot_top: float
    footer: Paragraph
    footer_height: float


def _geometry(info: DocumentInfo) -> _Geometry:
    register_fonts()
    width, height = _page_size(info)
    inner = width - 2 * MARGIN
    measured = []
    used = 0.0
    for index, para in enumerate(_letterhead_paragraphs(info)):
        _, h = para.wrap(inner, height)
        extra = para.style.spaceBefore if index else 0.0
        measured.append((para, h + extra))
        used += h + extra
    rule_y = height - HEADER_TOP - used - RULE_GAP
    footer = _footer_paragraph(info)
    gap = _sizes(info.large_print).foot
    _, foot_h = footer.wrap(inner - _page_label_width(info) - gap, height)
    foot_top = max(MARGIN + FOOTER_MIN - 0.1 * inch, MARGIN * 0.6 + foot_h + gap * 0.6)
    return _Geometry(width, height, measured, rule_y, rule_y - BODY_GAP, foot_top, footer, foot_h)


def _draw_frame(canvas: Canvas, info: DocumentInfo, geo: _Geometry, number: int, total: int):
    text = strings(info.lang)
    sizes = _sizes(info.large_print)
    canvas.saveState()
    top = geo.height - HEADER_TOP
    for para, h in geo.letterhead:
        para.wrap(geo.width - 2 * MARGIN, geo.height)  # wrap again: drawing needs it
        para.drawOn(canvas, MARGIN, top - h)
        top -= h
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, geo.rule_y, geo.width - MARGIN, geo.rule_y)
    canvas.line(MARGIN, geo.foot_top, geo.width - MARGIN, geo.foot_top)
    gap = sizes.foot
    footer = geo.footer
    footer.wrap(geo.width - 2 * MARGIN - _page_label_width(info) - gap, geo.height)
    y = geo.foot_top - gap * 0.5 - geo.footer_height
    footer.drawOn(canvas, MARGIN, y)
    canvas.setFillColor(colors.black if info.large_print else GREY)
    canvas.setFont(BOLD, sizes.foot * 1.1)
    page_text = text["page"].format(n=number, total=total)
    canvas.drawRightString(geo.width - MARGIN, geo.foot_top - gap * 1.4, page_text)
    canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds every page until the end so that each can say "Page n of N"."""

    def __init__(self, *args, info: DocumentInfo, geometry: _Geometry, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._info = info
        self._geometry = geometry
        self._pages: list[dict] = []

    def showPage(self) -> None:
        raise_if_cancelled()  # the GUI's Cancel stops a long render within a page
        if len(self._pages) >= self._info.max_pages:
            raise DocumentTooLongError(
                f"document: the {self._info.kind} would be longer than "
                f"{self._info.max_pages} pages; shorten the note or the patient details, "
                "or choose fewer topics"
            )
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            _draw_frame(self, self._info, self._geometry, self._pageNumber, total)
            super().showPage()
        super().save()


def _check_profile(info: DocumentInfo) -> None:
    profile = info.profile
    bold = info.large_print
    check_drawable(profile.clinic_name, "clinic_name", bold=True)
    for name in ("address", "phone", "after_hours", "after_hours_es"):
        check_drawable(getattr(profile, name), name, bold=bold)


def _build(story: Sequence[Flowable], info: DocumentInfo, invariant: bool) -> tuple[bytes, Layout]:
    geo = _geometry(info)
    frame = Frame(
        MARGIN,
        geo.foot_top + 0.1 * inch,
        geo.width - 2 * MARGIN,
        geo.body_top - geo.foot_top - 0.1 * inch,
        id="body",
        leftPadding=0,
        rightPadding=0,
    )
    leading = 27.0 if info.large_print else 13.0
    layout = Layout(body_leading=leading, letterhead_bottom=geo.rule_y, page_height=geo.height)
    buffer = io.BytesIO()
    doc = _Doc(
        buffer,
        layout=layout,
        pagesize=(geo.width, geo.height),
        title=info.title,
        author=info.profile.clinic_name or "kapdesk",
        subject=info.subject,
        keywords=list(info.keywords),
        creator=f"kapdesk (knowledge base {info.kb_version.short})",
        invariant=1 if invariant else 0,
        lang=PDF_LANG.get(info.lang, info.lang),
        displayDocTitle=1,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=geo.height - geo.body_top,
        bottomMargin=geo.foot_top,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def make_canvas(*args, **kwargs) -> _NumberedCanvas:
        kwargs.setdefault("invariant", 1 if invariant else 0)
        return _NumberedCanvas(*args, info=info, geometry=geo, **kwargs)

    doc.build(list(story), canvasmaker=make_canvas)
    return buffer.getvalue(), layout


StoryFactory = Callable[[float], Sequence[Flowable]]


@dataclass
class Rendered:
    """A laid-out document: the PDF, its page count, the spacing used and its layout."""

    pdf: bytes
    pages: int
    spacing: float
    layout: Layout


def render_document(
    story: Sequence[Flowable] | StoryFactory, info: DocumentInfo, *, invariant: bool = False
) -> Rendered:
    """Lay out ``story`` inside the frame, in memory.

    ``story`` may be a function of a spacing factor (1.0 as designed, less is tighter):
    then the layout is tried again with tighter spacing when the first breaks a page-fill
    rule or leaves its last page less than a third full, and the layout with the fewest
    problems, then the fewest pages, is kept.
    """
    register_fonts()
    _check_profile(info)
    attempts: list[tuple[int, int, Rendered]] = []
    spacings = SPACINGS if callable(story) else (1.0,)
    for spacing in spacings:
        flowables = story(spacing) if callable(story) else story
        data, layout = _build(flowables, info, invariant)
        problems = len(layout_problems(layout))
        attempts.append(
            (problems, len(layout.pages), Rendered(data, len(layout.pages), spacing, layout))
        )
        last = layout.pages[-1]
        roomy = len(layout.pages) == 1 or last.used > (last.frame_top - last.frame_bottom) / 3
        if not problems and roomy:
            break
    chosen = min(attempts, key=lambda a: (a[0], a[1]))[2]
    captured = _captures.get()
    if captured is not None:
        captured.append(chosen.layout)
    return chosen


def render(
    out: Path | BinaryIO,
    story: Sequence[Flowable] | StoryFactory,
    info: DocumentInfo,
    *,
    invariant: bool = False,
) -> int:
    """Lay out ``story`` (see :func:`render_document`), write the PDF to ``out``; return
    the page count."""
    rendered = render_document(story, info, invariant=invariant)
    if isinstance(out, Path):  # laid out in memory; on disk only when complete
        atomic_write(out, rendered.pdf)
    else:
        out.write(rendered.pdf)
    return rendered.pages


__all__ = [
    "CLINICIAN",
    "PATIENT",
    "DocumentInfo",
    "KeepIfItFits",
    "KeepTail",
    "Layout",
    "PageBreak",
    "PatientIdentifiers",
    "body_styles",
    "capture_layouts",
    "format_date",
    "layout_problems",
    "mark",
    "reference_list",
    "render",
    "render_document",
    "strings",
]
