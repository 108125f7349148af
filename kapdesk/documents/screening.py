"""The printable chart summary of an eligibility screening.

It records what the clinician answered, what the checklist concluded and why (each
finding with its sources), the notes, lines for the clinician's signature and date, then
the references, so the pages can go into the patient's chart. Every page carries the
patient identifier block (name, date of birth, record number: each typed for this
printout only, or a line to write on); the screener's name and the time the vitals were
taken are printed under the title. kapdesk never stores any of them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from kapdesk.decide.eligibility import EligibilityContext, EligibilityResult, answer_rows
from kapdesk.documents.frame import (
    MAX_PAGES,
    DocumentInfo,
    KeepIfItFits,
    PatientIdentifiers,
    body_styles,
    reference_list,
    render,
    strings,
)
from kapdesk.documents.markup import bounded_text, escape
from kapdesk.errors import UserInputError
from kapdesk.fsio import atomic_write
from kapdesk.palette import TIER_COLORS
from kapdesk.profile import ClinicProfile

TITLE = "Ketamine eligibility screening"
SUBTITLE = "Chart summary from the kapdesk eligibility checklist. A decision aid, not an order."
PATIENT_MAX = 120
PATIENT_MAX_LINES = 2
BLANK_LINE = "_" * 34


@dataclass(frozen=True)
class ScreeningDetails:
    """Typed for one chart summary and never stored: who the patient is, who screened,
    and when the vitals were taken."""

    identifiers: PatientIdentifiers = field(default_factory=PatientIdentifiers)
    screener: str = ""
    vitals_time: str = ""

    def validated(self) -> ScreeningDetails:
        """A cleaned copy; UserInputError names the field."""
        cleaned = {}
        for name, flag in (("screener", "screener"), ("vitals_time", "vitals-time")):
            value = " ".join(getattr(self, name).split())
            cleaned[name] = bounded_text(value, flag, max_chars=PATIENT_MAX, max_lines=1)
        return replace(self, identifiers=self.identifiers.validated(), **cleaned)


GRID = colors.HexColor("#cccccc")
SHADE = colors.HexColor("#f2f2f2")


def _badge(label: str, style) -> Paragraph:
    """A tier in words, white on the tier's colour (the cell supplies the colour)."""
    return Paragraph(f'<font color="#ffffff"><b>{escape(label)}</b></font>', style)


def _result_banner(result: EligibilityResult, styles) -> Table:
    head = Paragraph(
        f'<font color="#ffffff" size="14"><b>Result: {escape(result.tier_label)}</b></font>',
        styles["body"],
    )
    table = Table([[head], [Paragraph(escape(result.tier_summary), styles["body"])]])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, 0), colors.HexColor(TIER_COLORS[result.tier])),
                ("BACKGROUND", (0, 1), (0, 1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _findings_table(result: EligibilityResult, context: EligibilityContext, cite, styles):
    rows, style = (
        [],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )
    for index, finding in enumerate(result.findings):
        label = context.rules.tiers[finding.tier].label
        message = Paragraph(escape(finding.message) + cite(finding.sources), styles["small"])
        rows.append([_badge(label, styles["small"]), message])
        color = colors.HexColor(TIER_COLORS[finding.tier])
        style.append(("BACKGROUND", (0, index), (0, index), color))
    table = Table(rows, colWidths=[105, None])
    table.setStyle(TableStyle(style))
    return table


def _answers_tables(result: EligibilityResult, context: EligibilityContext, styles) -> list:
    story: list[Flowable] = []
    heading = [Paragraph("Answers recorded", styles["h2"])]
    for group_label, rows in answer_rows(result, context.rules):
        cells = [
            [Paragraph(escape(label), styles["small"]), Paragraph(escape(answer), styles["small"])]
            for label, answer in rows
        ]
        table = Table(cells, colWidths=[330, None])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        block = [*heading, Paragraph(escape(group_label), styles["h3"]), table]
        story.append(KeepIfItFits(block))
        heading = []
    return story


def _signature_block(styles) -> KeepIfItFits:
    lines = [
        Paragraph("Clinician review", styles["h2"]),
        Paragraph(
            "I have reviewed this screening and the findings above with the patient's record.",
            styles["body"],
        ),
        Spacer(1, 18),
        Paragraph(f"Clinician name: {BLANK_LINE}", styles["body"]),
        Spacer(1, 16),
        Paragraph(f"Signature: {BLANK_LINE}      Date: {'_' * 16}", styles["body"]),
    ]
    return KeepIfItFits(lines)


def screening_story(
    context: EligibilityContext,
    result: EligibilityResult,
    details: ScreeningDetails | None = None,
    spacing: float = 1.0,
) -> list[Flowable]:
    """The body of the chart summary, every text escaped (the identifier block is the
    frame's, on every page)."""
    details = details or ScreeningDetails()
    styles = body_styles(spacing=spacing)
    refs = context.cited(result.source_ids())
    number = {ref.id: index for index, ref in enumerate(refs, 1)}

    def cite(sources: tuple[str, ...]) -> str:
        if not sources:
            return ""
        nums = sorted({number[s] for s in sources})
        return f" <super>[{', '.join(str(n) for n in nums)}]</super>"

    rules = context.rules
    story: list[Flowable] = [
        Paragraph(escape(TITLE), styles["title"]),
        Paragraph(
            escape(SUBTITLE),
            styles["small"],
        ),
        Spacer(1, 6),
        Paragraph(
            f"<b>Screened by:</b> {escape(details.screener or BLANK_LINE)}      "
            f"<b>Vitals taken at:</b> {escape(details.vitals_time or '_' * 16)}",
            styles["body"],
        ),
        Spacer(1, 8),
        _result_banner(result, styles),
        Paragraph(f"Findings ({len(result.findings)})", styles["h2"]),
    ]
    if result.findings:
        story.append(_findings_table(result, context, cite, styles))
    else:
        story.append(Paragraph("No criterion applies to the answers given.", styles["body"]))
    if result.missing:
        story.append(Paragraph("Required questions not answered", styles["h2"]))
        story += [
            Paragraph(escape(rules.questions[key].label), styles["bullet"], bulletText="•")
            for key in result.missing
        ]
    if result.notes:
        story.append(Paragraph("Notes", styles["h2"]))
        story += [
            Paragraph(escape(note.text) + cite(note.sources), styles["bullet"], bulletText="•")
            for note in result.notes
        ]
    story += _answers_tables(result, context, styles)
    story.append(
        Paragraph(
            escape(f"Eligibility rules {rules.version}, reviewed {rules.reviewed.isoformat()}."),
            styles["small"],
        )
    )
    story.append(_signature_block(styles))  # signatures before the references
    story += reference_list(
        strings("en")["references"], [ref.full_citation() for ref in refs], styles
    )
    return story


def screening_pdf(
    context: EligibilityContext,
    result: EligibilityResult,
    *,
    profile: ClinicProfile,
    patient: str = "",
    details: ScreeningDetails | None = None,
    invariant: bool = False,
) -> bytes:
    """The chart summary as PDF bytes. Raises UserInputError for an unprintable or
    over-long detail. ``patient`` is a shorthand for the identifier block's name."""
    details = details or ScreeningDetails()
    if patient:
        patient = bounded_text(
            patient, "patient", max_chars=PATIENT_MAX, max_lines=PATIENT_MAX_LINES
        )
        details = replace(details, identifiers=replace(details.identifiers, name=patient))
    details = details.validated()
    info = DocumentInfo(
        title=f"{TITLE} — {result.tier_label}",
        kb_version=context.kb_version,
        profile=profile,
        subject="kapdesk eligibility chart summary",
        keywords=("kapdesk", "eligibility", result.tier),
        identifiers=details.identifiers,
        kind="chart summary",
        max_pages=MAX_PAGES["chart summary"],
    )
    out = io.BytesIO()

    def story(spacing: float) -> list[Flowable]:
        return screening_story(context, result, details, spacing)

    render(out, story, info, invariant=invariant)
    return out.getvalue()


def save_screening_summary(
    path: Path,
    context: EligibilityContext,
    result: EligibilityResult,
    *,
    profile: ClinicProfile,
    patient: str = "",
    details: ScreeningDetails | None = None,
) -> None:
    """Write the chart summary to ``path``; an unwritable path is the user's to fix."""
    pdf = screening_pdf(context, result, profile=profile, patient=patient, details=details)
    try:
        atomic_write(path, pdf)
    except OSError as exc:
        raise UserInputError(
            f"--pdf: '{path}' cannot be written ({exc.strerror or exc}); "
            "give a file path in a folder you can write to"
        ) from None
