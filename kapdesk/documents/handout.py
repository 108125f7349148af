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

import io
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

from kapdesk.content.handouts import Block, Handout, HandoutLibrary
from kapdesk.content.model import KBVersion
from kapdesk.documents.fonts import BOLD, FAMILY, register_fonts
from kapdesk.documents.frame import DocumentInfo, render
from kapdesk.documents.markup import check_drawable, escape
from kapdesk.errors import UserInputError
from kapdesk.profile import ClinicProfile

PERSONAL_MAX = 5000
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
    """What the clinician chose for this printout. Patient details live only here."""

    lang: str = "en"
    large_print: bool = False
    patient: str = ""
    note: str = ""
    appointment: str = ""

    def validated(self) -> HandoutOptions:
        """A cleaned copy; UserInputError names the field, e.g. an undrawable character."""
        cleaned = {}
        for name in ("patient", "note", "appointment"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise UserInputError(f"{name}: must be text")
            value = value.strip()
            if len(value) > PERSONAL_MAX:
                raise UserInputError(
                    f"{name}: {len(value)} characters; at most {PERSONAL_MAX} are allowed"
                )
            cleaned[name] = check_drawable(value, name, bold=self.large_print)
        return replace(self, **cleaned)


@dataclass(frozen=True)
class RenderedHandouts:
    """A finished PDF in memory and what to call it."""

    pdf: bytes
    pages: int
    title: str
    suggested_name: str
    handout_ids: tuple[str, ...]


def handout_styles(large_print: bool) -> dict[str, ParagraphStyle]:
    """Handout styles: 12 pt for the standard edition (patients read it, not clinicians);
    large print 18 pt bold with line spacing 1.5 in every style. All left aligned."""
    register_fonts()
    size = LARGE_SIZE if large_print else STANDARD_SIZE
    font = BOLD if large_print else FAMILY
    spacing = 1.5 if large_print else 1.35
    body = ParagraphStyle(
        "body", fontName=font, fontSize=size, leading=size * spacing, alignment=TA_LEFT
    )

    def style(name: str, scale: float = 1.0, **extra) -> ParagraphStyle:
        return ParagraphStyle(
            name, parent=body, fontSize=size * scale, leading=size * scale * spacing, **extra
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
        "reviewed": style("reviewed", 1.0 if large_print else 0.85),
    }


class _KeepIfItFits(KeepTogether):
    """KeepTogether that starts a new page only when that helps: content taller than a
    whole page (a long "call" box in large print) flows on from where it is instead of
    leaving the rest of this page empty."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        frame = getattr(self, "_frame", None)
        if frame is not None:
            usable = frame._height - frame._topPadding - frame._bottomPadding
            if usable < self._H:
                return list(self._content)
        return super().split(available_width, available_height)


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


def personal_block(options: HandoutOptions, text: dict, styles: dict) -> list[Flowable]:
    """Patient name, next appointment and the clinician's note, printed literally."""
    story: list[Flowable] = []
    if not (options.patient or options.appointment or options.note):
        return story
    rule = HRFlowable(width="100%", thickness=1, color=RULE, spaceBefore=4, spaceAfter=8)
    story.append(rule)
    if options.patient:
        story.append(_labelled(text["patient"], options.patient, styles["body"]))
    if options.appointment:
        story.append(_labelled(text["appointment"], options.appointment, styles["body"]))
    if options.note:
        story.append(Paragraph(escape(text["note"]), styles["label"]))
        story.append(Paragraph(escape(options.note), styles["body"]))
    story.append(HRFlowable(width="100%", thickness=1, color=RULE, spaceBefore=0, spaceAfter=4))
    return story


def _box(rows: list[list[Flowable]], tint: colors.Color, pad: float) -> Table:
    """One part of the "when to call" box: a tinted, thick-ruled table, one row a line."""
    table = Table(rows, colWidths=["100%"], splitByRow=1)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2, BOX_LINE),
                ("BACKGROUND", (0, 0), (-1, -1), tint),
                ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad * 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.5),
                ("TOPPADDING", (0, 0), (-1, 0), pad * 1.5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 1.5),
            ]
        )
    )
    return table


def _call_box(
    block: Block, profile: ClinicProfile, text: dict, styles: dict, heading: list[Flowable]
) -> list[Flowable]:
    """The "when to call" box: clinic reasons and numbers, then emergency reasons.

    Each part is kept on one page when it fits (the clinic part with the heading before
    it), so a patient sees the reasons and the number to call together; the two parts
    touch, so they read as one box.
    """
    cell, item = styles["cell"], styles["cell_item"]
    clinic = [[Paragraph(escape(text["call_clinic"]), styles["label"])]]
    clinic += [[Paragraph(escape(reason), item, bulletText="•")] for reason in block.clinic]
    numbers = [
        _labelled(text["clinic_phone"], profile.phone or text["write_in"], cell),
        _labelled(text["after_hours"], profile.after_hours or text["write_in"], cell),
    ]
    clinic.append([numbers])  # one row: a page break never parts the two numbers
    emergency = [[Paragraph(escape(text["call_emergency"]), styles["label"])]]
    emergency += [[Paragraph(escape(reason), item, bulletText="•")] for reason in block.emergency]
    if profile.crisis_text:
        emergency.append([Paragraph(escape(profile.crisis_text), cell)])
    pad = cell.fontSize * 0.45
    return [
        _KeepIfItFits([*heading, Spacer(1, pad), _box(clinic, CLINIC_TINT, pad)]),
        _KeepIfItFits([_box(emergency, EMERGENCY_TINT, pad)]),
    ]


def _heading_room(styles: dict) -> float:
    """Space a heading needs at the foot of a page: itself on two lines and two more lines."""
    h2 = styles["h2"]
    return h2.spaceBefore + 2 * h2.leading + h2.spaceAfter + 2 * styles["body"].leading


def _block(block: Block, profile: ClinicProfile, text: dict, styles: dict) -> list[Flowable]:
    after_list = Spacer(1, styles["body"].fontSize * 0.4)
    if block.type == "heading":
        heading = Paragraph(escape(block.text), styles["h2"])
        return [CondPageBreak(_heading_room(styles)), heading]
    if block.type == "paragraph":
        return [Paragraph(escape(block.text), styles["body"])]
    if block.type == "bullets":
        items = [Paragraph(escape(i), styles["bullet"], bulletText="•") for i in block.items]
        return [*items, after_list]
    if block.type == "steps":
        items = [Paragraph(escape(i), styles["check"], bulletText=CHECKBOX) for i in block.items]
        return [*items, after_list]
    return _call_box(block, profile, text, styles, [])


def handout_story(
    library: HandoutLibrary,
    handout: Handout,
    profile: ClinicProfile,
    styles: dict,
    personal: list[Flowable],
) -> list[Flowable]:
    text = library.strings[handout.lang]
    story: list[Flowable] = [
        Paragraph(escape(handout.title), styles["title"]),
        Paragraph(escape(handout.purpose), styles["purpose"]),
        Spacer(1, styles["body"].fontSize * 0.5),
        *personal,
    ]
    blocks = handout.blocks
    for index, block in enumerate(blocks):
        if block.type == "heading" and index + 1 < len(blocks) and blocks[index + 1].type == "call":
            continue  # printed with the box, so it never stands alone at a page foot
        if block.type == "call" and index and blocks[index - 1].type == "heading":
            heading = [Paragraph(escape(blocks[index - 1].text), styles["h2"])]
            story += _call_box(block, profile, text, styles, heading)
        else:
            story += _block(block, profile, text, styles)
    story.append(Spacer(1, styles["body"].fontSize))
    story.append(Paragraph(escape(library.reviewed_line(handout)), styles["reviewed"]))
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
) -> list[Flowable]:
    """Contents page first (with the patient section), then each handout on a new page."""
    styles = handout_styles(options.large_print)
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
    check_drawable(profile.crisis_text, "crisis_text", bold=options.large_print)
    title, subject, keywords = _metadata(library, handouts, options)
    info = DocumentInfo(
        title=title,
        kb_version=kb_version,
        profile=profile,
        lang=options.lang,
        subject=subject,
        keywords=keywords,
        large_print=options.large_print,
    )
    pages: dict[str, int] = {}
    for _ in range(MAX_LAYOUT_PASSES):
        before = dict(pages)
        out = io.BytesIO()
        count = render(
            out,
            _bundle_story(library, handouts, options, profile, pages),
            info,
            invariant=invariant,
        )
        if pages == before:
            break
    ids = tuple(h.id for h in handouts)
    return RenderedHandouts(out.getvalue(), count, title, suggested_name(ids, options), ids)
