"""Patient handouts as PDF: one handout or a bundle, English or Spanish, large print.

Every page carries the document frame (clinic letterhead with phone and after-hours
line, "Page n of N", knowledge-base version, date printed). The "call" block becomes
a box with the clinic's phone, after-hours line and crisis text; action steps become
a checklist with boxes to tick. A patient name, an appointment and a clinician's note
are optional, printed literally on the first page only, and never leave this function
except inside the returned PDF bytes: nothing is written to disk here.

The large-print edition follows the large-print guidance in the shared standards:
body text 18 pt in bold sans-serif, line spacing 1.5 for every style, left aligned, no
italics, no capitals, page numbers in a fixed corner (the frame's bottom right).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import FrameBreak, NullActionFlowable

from kapdesk.content.handouts import Block, Handout, HandoutLibrary
from kapdesk.content.model import KBVersion
from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts
from kapdesk.documents.frame import (
    CLINIC_BOX,
    EMERGENCY_BOX,
    HANDOUT_EXTRA_PAGES,
    HEADING,
    MAX_PAGES,
    MIN_BODY_LINES,
    PATIENT,
    TRAILER,
    DocumentInfo,
    KeepIfItFits,
    KeepTail,
    after_hours_for,
    mark,
    render_document,
)
from kapdesk.documents.markup import bounded_text, check_drawable, escape
from kapdesk.errors import UserInputError
from kapdesk.profile import ClinicProfile

PERSONAL_MAX = 5000
PERSONAL_FIELDS = ("patient", "note", "appointment", "therapist", "first_session", "frequency")
# (characters, lines) for each detail the clinician types for one printout.
PERSONAL_LIMITS = {
    "patient": (PERSONAL_MAX, 2),
    "appointment": (PERSONAL_MAX, 4),
    "note": (PERSONAL_MAX, 40),
    "therapist": (200, 2),
    "first_session": (200, 2),
    "frequency": (200, 2),
}
STANDARD_SIZE = 12
LARGE_SIZE = 18
CHECKBOX = "☐"
CLINIC_TINT = colors.HexColor("#eaf2fb")
EMERGENCY_TINT = colors.HexColor("#fdeceb")
BOX_LINE = colors.HexColor("#1f1f1f")
RULE = colors.HexColor("#9a9a9a")
MAX_LAYOUT_PASSES = 4


@dataclass(frozen=True)
class HandoutOptions:
    """What the clinician chose for this printout. Patient details live only here.

    ``therapist``, ``first_session`` and ``frequency`` are printed on integration plans.
    """

    lang: str = "en"
    large_print: bool = False
    patient: str = ""
    note: str = ""
    appointment: str = ""
    therapist: str = ""
    first_session: str = ""
    frequency: str = ""

    def validated(self) -> HandoutOptions:
        """A cleaned copy; UserInputError names the field, e.g. an undrawable character."""
        cleaned = {}
        for name in PERSONAL_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str):
                raise UserInputError(f"{name}: must be text")
            max_chars, max_lines = PERSONAL_LIMITS[name]
            cleaned[name] = bounded_text(
                value, name, max_chars=max_chars, max_lines=max_lines, bold=self.large_print
            )
        return replace(self, **cleaned)


@dataclass(frozen=True)
class RenderedHandouts:
    """A finished PDF in memory and what to call it."""

    pdf: bytes
    pages: int
    title: str
    suggested_name: str
    handout_ids: tuple[str, ...]


def handout_styles(large_print: bool, spacing: float = 1.0) -> dict[str, ParagraphStyle]:
    """Handout styles: 12 pt for the standard edition (patients read it, not clinicians);
    large print 18 pt bold with line spacing 1.5 in every style. All left aligned.

    ``spacing`` scales the space between paragraphs (never the line spacing), so that
    the frame can tighten a layout that would leave a nearly empty page.
    """
    register_fonts()
    size = LARGE_SIZE if large_print else STANDARD_SIZE
    font = BOLD if large_print else FAMILY
    line = 1.5 if large_print else 1.35
    body = ParagraphStyle(
        "body", fontName=font, fontSize=size, leading=size * line, alignment=TA_LEFT
    )

    def style(name: str, scale: float = 1.0, **extra) -> ParagraphStyle:
        for key in ("spaceBefore", "spaceAfter"):
            if key in extra:
                extra[key] *= spacing
        return ParagraphStyle(
            name, parent=body, fontSize=size * scale, leading=size * scale * line, **extra
        )

    # reportlab draws bullets in Helvetica unless told: use the bold face, a little larger.
    bullet = {
        "bulletFontName": BOLD,
        "bulletFontSize": size * 1.2,
        "leftIndent": size * 1.7,
        "bulletIndent": size * 0.3,
    }
    return {
        "title": style("title", 1.7, fontName=BOLD, spaceAfter=size * 0.5),
        "purpose": style("purpose", 1.12, spaceAfter=size * 0.3),
        "h2": style("h2", 1.3, fontName=BOLD, spaceBefore=size, spaceAfter=size * 0.3),
        "body": style("para", spaceAfter=size * 0.7),
        "label": style("label", 1.08, fontName=BOLD, spaceAfter=size * 0.2),
        "bullet": style("item", spaceAfter=size * 0.35, **bullet),
        "check": style(
            "check",
            leftIndent=size * 2,
            bulletIndent=0,
            bulletFontName=BOLD,
            bulletFontSize=size * 1.35,
            spaceAfter=size * 0.5,
        ),
        "cell": style("cell"),
        "cell_item": style("cell_item", **bullet),
        "contents": style("contents"),
        "reviewed": style("reviewed", 1.0 if large_print else 0.85, spaceAfter=size * 0.3),
        "gap": style("gap", spaceAfter=size * 0.4),  # only its spaceAfter is used
    }


class _PageMark(Flowable):
    """Takes no space; remembers the page it lands on (for the bundle's contents list)."""

    def __init__(self, key: str, pages: dict[str, int]) -> None:
        super().__init__()
        self.key = key
        self.pages = pages

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.pages[self.key] = self.canv.getPageNumber()


def _labelled(label: str, value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", style)


def personal_block(
    options: HandoutOptions, text: dict, styles: dict, *, plan: bool = False
) -> list[Flowable]:
    """Patient name, next appointment and the clinician's note, printed literally.

    On an integration plan (``plan``) the patient, therapist, first session and how
    often always appear, with a line to write on where nothing was typed.
    """
    story: list[Flowable] = []
    rows = [("patient", options.patient), ("appointment", options.appointment)]
    if plan:
        rows = [
            ("patient", options.patient),
            ("therapist", options.therapist),
            ("first_session", options.first_session),
            ("frequency", options.frequency),
            ("appointment", options.appointment),
        ]
        rows = [
            (key, value or (text["write_in"] if key != "appointment" else ""))
            for key, value in rows
        ]
    rows = [(key, value) for key, value in rows if value]
    if not (rows or options.note):
        return story
    story.append(HRFlowable(width="100%", thickness=1, color=RULE, spaceBefore=4, spaceAfter=8))
    for key, value in rows:
        story.append(_labelled(text[key], value, styles["body"]))
    if options.note:
        story.append(Paragraph(escape(text["note"]), styles["label"]))
        story.append(Paragraph(escape(options.note), styles["body"]))
    story.append(HRFlowable(width="100%", thickness=1, color=RULE, spaceBefore=0, spaceAfter=4))
    return story


class _Box(Table):
    """One part of the "when to call" box: a tinted, thick-ruled table, one row a line.

    Its layout role survives a split (reportlab rebuilds pieces with ``self.__class__``).
    """

    _kd_role = ""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        parts = super().split(available_width, available_height)
        if len(parts) > 1:  # every piece of a split box says so
            for part in parts:
                part._kd_role = self._kd_role.rstrip("+") + "+"
        return parts


class _ClinicBox(_Box):
    _kd_role = CLINIC_BOX


class _EmergencyBox(_Box):
    _kd_role = EMERGENCY_BOX


class _CallUnit(KeepTogether):
    """The "when to call" heading, clinic box and emergency box as one unit.

    It moves whole to the next page when it does not fit where it is. A unit taller
    than a page (a long box in large print) starts where it is and splits the clinic
    box between its rows so that the clinic box's end (its numbers) and the whole
    emergency box share the next page: the two boxes always touch on one page.
    """

    def __init__(self, heading: list[Flowable], clinic: Table, emergency: Table) -> None:
        super().__init__([*heading, clinic, emergency])
        self._heading, self._clinic, self._emergency = heading, clinic, emergency

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        canv = self.canv
        frame = getattr(self, "_frame", None)
        usable = frame._height - frame._topPadding - frame._bottomPadding if frame else 1e9
        at_top = bool(frame is not None and getattr(frame, "_atTop", False))

        def height(f: Flowable) -> float:
            return f.wrapOn(canv, available_width, 0xFFFFFF)[1] + f.getSpaceBefore()

        head = sum(height(f) for f in self._heading)
        clinic, emergency = height(self._clinic), height(self._emergency)
        whole = [*self._heading, self._clinic, self._emergency]
        if head + clinic + emergency <= available_height:
            return [NullActionFlowable(), *whole]
        if head + clinic + emergency <= usable:
            return [FrameBreak(), *whole]
        # Taller than a page: the clinic box's first rows here, the rest with the
        # emergency box on the next page.
        least = clinic + emergency - usable  # the first part must hold at least this
        room = available_height - head
        if room >= least:
            # Never the whole box here: at least its last row (the numbers) goes on.
            parts = self._clinic.splitOn(canv, available_width, min(room, clinic - 1))
            if len(parts) == 2:
                rest = KeepIfItFits([parts[1], self._emergency])
                return [NullActionFlowable(), *self._heading, parts[0], rest]
        if at_top:
            return [NullActionFlowable(), *whole]
        return [FrameBreak(), _CallUnit(self._heading, self._clinic, self._emergency)]


def _box(kind: type[_Box], rows: list[list[Flowable]], tint: colors.Color, pad: float) -> Table:
    table = kind(rows, colWidths=["100%"], splitByRow=1)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2, BOX_LINE),
                ("BACKGROUND", (0, 0), (-1, -1), tint),
                ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad * 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.3),
                ("TOPPADDING", (0, 0), (-1, 0), pad * 1.2),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 1.2),
            ]
        )
    )
    return table


def call_box_rows(
    block: Block, profile: ClinicProfile, text: dict, lang: str
) -> tuple[list[str], list[str]]:
    """The plain text of the clinic part and the emergency part, line by line.

    Without a clinic phone the box tells the patient to call their care team, never
    staff to fill something in. The crisis text is the clinic's in the document's
    language; without one, only the handout's own emergency wording is printed.
    """
    clinic = [text["call_clinic"], *block.clinic]
    after_hours = after_hours_for(profile, lang)
    if profile.phone:
        clinic.append(f"{text['clinic_phone']}: {profile.phone}")
    else:
        clinic.append(text["no_phone"])
    if after_hours:
        clinic.append(f"{text['after_hours']}: {after_hours}")
    emergency = [text["call_emergency"], *block.emergency]
    if profile.crisis_text(lang):
        emergency.append(profile.crisis_text(lang))
    return clinic, emergency


def _call_unit(
    block: Block, profile: ClinicProfile, text: dict, styles: dict, lang: str, heading: str
) -> list[Flowable]:
    """The "when to call" heading, the clinic box and the emergency box: one unit."""
    cell, item = styles["cell"], styles["cell_item"]
    after_hours = after_hours_for(profile, lang)
    clinic = [[Paragraph(escape(text["call_clinic"]), styles["label"])]]
    clinic += [[Paragraph(escape(reason), item, bulletText="•")] for reason in block.clinic]
    if profile.phone:
        numbers = [_labelled(text["clinic_phone"], profile.phone, cell)]
    else:
        numbers = [Paragraph(f"<b>{escape(text['no_phone'])}</b>", cell)]
    if after_hours:
        numbers.append(_labelled(text["after_hours"], after_hours, cell))
    clinic.append([numbers])  # one row: a page break never parts the numbers
    emergency = [[Paragraph(escape(text["call_emergency"]), styles["label"])]]
    emergency += [[Paragraph(escape(reason), item, bulletText="•")] for reason in block.emergency]
    if profile.crisis_text(lang):
        emergency.append([Paragraph(escape(profile.crisis_text(lang)), cell)])
    pad = cell.fontSize * 0.45 * max(styles["gap"].spaceAfter / (cell.fontSize * 0.4), 0.6)
    unit: list[Flowable] = []
    if heading:
        unit.append(mark(Paragraph(escape(heading), styles["h2"]), TRAILER))
        unit.append(Spacer(1, pad))
    boxes = (
        _box(_ClinicBox, clinic, CLINIC_TINT, pad),
        _box(_EmergencyBox, emergency, EMERGENCY_TINT, pad),
    )
    return [_CallUnit(unit, *boxes)]


def _heading_room(styles: dict) -> float:
    """Space a heading needs at the foot of a page: itself on two lines and two more lines."""
    h2 = styles["h2"]
    return h2.spaceBefore + 2 * h2.leading + h2.spaceAfter + 2 * styles["body"].leading


def _block(block: Block, styles: dict) -> list[Flowable]:
    after_list = Spacer(1, styles["gap"].spaceAfter)
    if block.type == "heading":
        heading = mark(Paragraph(escape(block.text), styles["h2"]), HEADING)
        return [CondPageBreak(_heading_room(styles)), heading]
    if block.type == "paragraph":
        return [Paragraph(escape(block.text), styles["body"])]
    if block.type == "bullets":
        items = [Paragraph(escape(i), styles["bullet"], bulletText="•") for i in block.items]
        return [*items, after_list]
    # A checklist item never splits across pages (a box to tick beside half a sentence).
    items = [
        KeepIfItFits([Paragraph(escape(i), styles["check"], bulletText=CHECKBOX)])
        for i in block.items
    ]
    return [*items, after_list]


def handout_story(
    library: HandoutLibrary,
    handout: Handout,
    profile: ClinicProfile,
    styles: dict,
    personal: list[Flowable],
) -> list[Flowable]:
    """The handout's flowables: title, purpose and review line, its blocks, then the
    "when to call" unit as a trailer that never stands alone on the last page."""
    text = library.strings[handout.lang]
    reviewed = Paragraph(escape(library.reviewed_line(handout)), styles["reviewed"])
    story: list[Flowable] = [
        Paragraph(escape(handout.title), styles["title"]),
        Paragraph(escape(handout.purpose), styles["purpose"]),
        reviewed,  # on page 1, where it is seen and can never be stranded
        Spacer(1, styles["body"].fontSize * 0.5),
        *personal,
    ]
    body: list[Flowable] = []
    sections: list[int] = []  # where each heading starts in ``body``
    trailer: list[Flowable] = []
    blocks = handout.blocks
    for index, block in enumerate(blocks):
        if block.type == "heading" and index + 1 < len(blocks) and blocks[index + 1].type == "call":
            continue  # printed with the box, so it never stands alone at a page foot
        if block.type == "call":
            previous = blocks[index - 1] if index else None
            heading = previous.text if previous and previous.type == "heading" else ""
            trailer += _call_unit(block, profile, text, styles, handout.lang, heading)
            continue
        if block.type == "heading":
            sections.append(len(body))
        body += _block(block, styles)
    # The last two sections travel with the trailer so the last page is never just a box.
    start = sections[-2] if len(sections) >= 2 else (sections[-1] if sections else 0)
    min_body = MIN_BODY_LINES * styles["body"].leading
    story += body[:start]
    story.append(KeepTail(body[start:], trailer[0] if trailer else Spacer(1, 0), min_body))
    return story


def _contents(
    handouts: Sequence[Handout], pages: dict[str, int], text: dict, styles: dict
) -> list[Flowable]:
    rows = [
        [
            Paragraph(f"{number}. {escape(h.title)}", styles["contents"]),
            Paragraph(
                escape(text["contents_page"].format(page=pages.get(h.id, 0))), styles["contents"]
            ),
        ]
        for number, h in enumerate(handouts, 1)
    ]
    size = styles["contents"].fontSize
    table = Table(rows, colWidths=[None, size * 6], splitByRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), size * 0.3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.3),
            ]
        )
    )
    return [Paragraph(escape(text["contents"]), styles["h2"]), table]


def _bundle_story(
    library: HandoutLibrary,
    handouts: Sequence[Handout],
    options: HandoutOptions,
    profile: ClinicProfile,
    pages: dict[str, int],
    spacing: float = 1.0,
) -> list[Flowable]:
    """Contents page first (with the patient section), then each handout on a new page."""
    styles = handout_styles(options.large_print, spacing)
    text = library.strings[options.lang]
    personal = personal_block(options, text, styles)
    if len(handouts) == 1:
        return handout_story(library, handouts[0], profile, styles, personal)
    story: list[Flowable] = [
        Paragraph(escape(text["bundle_title"]), styles["title"]),
        *personal,
        KeepTogether(_contents(handouts, pages, text, styles)),
    ]
    for handout in handouts:
        story += [PageBreak(), _PageMark(handout.id, pages)]
        story += handout_story(library, handout, profile, styles, [])
    return story


def _metadata(library: HandoutLibrary, handouts: Sequence[Handout], options: HandoutOptions):
    """Title, subject and keywords: the reading level and PEMAT scores go into the PDF."""
    text = library.strings[options.lang]
    scores = []
    keywords = ["kapdesk", "patient handout", f"lang={options.lang}"]
    if options.large_print:
        keywords.append("large print")
    for h in handouts:
        readability = library.readability(h)
        pemat = library.pemat(h)
        scores.append(
            f"{h.id}: {readability} (target {readability.target.description}); PEMAT-P {pemat}"
        )
        keywords += [
            h.id,
            f"{h.id} {readability.target.metric}={readability.score:.1f}",
            f"{h.id} pemat-understandability={_percent(pemat.understandability)}",
            f"{h.id} pemat-actionability={_percent(pemat.actionability)}",
        ]
    if len(handouts) == 1:
        title = handouts[0].title
    else:
        title = f"{text['bundle_title']}: " + "; ".join(h.title for h in handouts)
    return title, "Patient handout · " + " · ".join(scores), tuple(keywords)


def _percent(score: float | None) -> str:
    return "na" if score is None else f"{score:.0f}"


def check_crisis_texts(profile: ClinicProfile, options: HandoutOptions) -> None:
    """UserInputError when the clinic's crisis text in the document's language cannot be
    printed with the bundled font."""
    name = "crisis_text_es" if options.lang == "es" else "crisis_text_en"
    check_drawable(profile.crisis_text(options.lang), name, bold=options.large_print)


def suggested_name(handout_ids: Sequence[str], options: HandoutOptions) -> str:
    """A file name that says what is inside, e.g. ``emdr-es-large-print.pdf``; never the
    patient's name, so a saved file does not disclose who it was for."""
    stem = handout_ids[0] if len(handout_ids) == 1 else f"handouts-{len(handout_ids)}"
    return f"{stem}-{options.lang}{'-large-print' if options.large_print else ''}.pdf"


def render_handouts(
    library: HandoutLibrary,
    handout_ids: Sequence[str],
    *,
    options: HandoutOptions,
    profile: ClinicProfile,
    kb_version: KBVersion,
    invariant: bool = False,
) -> RenderedHandouts:
    """Lay out the handouts (one, or a bundle with a contents list) as PDF bytes in memory.

    Raises UserInputError for an unknown topic or language, an over-long or undrawable
    patient detail, or an undrawable character in the clinic's crisis text.
    """
    if not handout_ids:
        raise UserInputError("topic: none chosen; valid topics: " + ", ".join(library.ids))
    options = options.validated()
    handouts = [library.get(hid, options.lang) for hid in dict.fromkeys(handout_ids)]
    check_crisis_texts(profile, options)
    title, subject, keywords = _metadata(library, handouts, options)
    info = DocumentInfo(
        title=title,
        kb_version=kb_version,
        profile=profile,
        lang=options.lang,
        subject=subject,
        keywords=keywords,
        large_print=options.large_print,
        audience=PATIENT,
        kind="handout",
        max_pages=MAX_PAGES["handout topic"] * len(handouts) + HANDOUT_EXTRA_PAGES,
    )
    # The contents list needs the page each handout starts on: lay out until stable,
    # one record per spacing the frame may try.
    marks: dict[float, dict[str, int]] = {}

    def story(spacing: float) -> list[Flowable]:
        pages = marks.setdefault(spacing, {})
        return _bundle_story(library, handouts, options, profile, pages, spacing)

    for _ in range(MAX_LAYOUT_PASSES):
        before = {key: dict(value) for key, value in marks.items()}
        rendered = render_document(story, info, invariant=invariant)
        if len(handouts) == 1 or marks.get(rendered.spacing) == before.get(rendered.spacing):
            break
    out, count = rendered.pdf, rendered.pages
    ids = tuple(h.id for h in handouts)
    return RenderedHandouts(out, count, title, suggested_name(ids, options), ids)
