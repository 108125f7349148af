"""The printable chart summary of an eligibility screening.

It records what the clinician answered, what the checklist concluded and why (each
finding with its sources), the notes, the references, and lines for the clinician's
signature and date, so the page can go into the patient's chart. The patient's name
appears only if the clinician typed one for this printout; kapdesk never stores it.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from kapdesk.decide.eligibility import EligibilityContext, EligibilityResult, answer_rows
from kapdesk.documents.frame import DocumentInfo, body_styles, render, strings
from kapdesk.documents.markup import check_drawable, escape
from kapdesk.errors import UserInputError
from kapdesk.palette import TIER_COLORS
from kapdesk.profile import ClinicProfile

TITLE = "Ketamine eligibility screening"
SUBTITLE = "Chart summary from the kapdesk eligibility checklist. A decision aid, not an order."
PATIENT_MAX = 120
BLANK_LINE = "_" * 34
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
        story.append(KeepTogether(block))
        heading = []
    return story


def _signature_block(styles) -> KeepTogether:
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
    return KeepTogether(lines)


def screening_story(
    context: EligibilityContext, result: EligibilityResult, patient: str = ""
) -> list[Flowable]:
    """The body of the chart summary, every text escaped."""
    styles = body_styles()
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
        Paragraph(f"<b>Patient:</b> {escape(patient) if patient else BLANK_LINE}", styles["body"]),
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
    if refs:
        story.append(Paragraph(escape(strings("en")["references"]), styles["h2"]))
        story += [
            Paragraph(escape(ref.full_citation()), styles["bullet"], bulletText=f"{index}.")
            for index, ref in enumerate(refs, 1)
        ]
    story.append(_signature_block(styles))
    return story


def screening_pdf(
    context: EligibilityContext,
    result: EligibilityResult,
    *,
    profile: ClinicProfile,
    patient: str = "",
    invariant: bool = False,
) -> bytes:
    """The chart summary as PDF bytes. Raises UserInputError for an unprintable name."""
    patient = patient.strip()
    if len(patient) > PATIENT_MAX:
        raise UserInputError(
            f"patient: {len(patient)} characters; at most {PATIENT_MAX} are allowed"
        )
    patient = check_drawable(patient, "patient")
    info = DocumentInfo(
        title=f"{TITLE} — {result.tier_label}",
        kb_version=context.kb_version,
        profile=profile,
        subject="kapdesk eligibility chart summary",
        keywords=("kapdesk", "eligibility", result.tier),
    )
    out = io.BytesIO()
    render(out, screening_story(context, result, patient), info, invariant=invariant)
    return out.getvalue()


def save_screening_summary(
    path: Path,
    context: EligibilityContext,
    result: EligibilityResult,
    *,
    profile: ClinicProfile,
    patient: str = "",
) -> None:
    """Write the chart summary to ``path``; an unwritable path is the user's to fix."""
    pdf = screening_pdf(context, result, profile=profile, patient=patient)
    try:
        path.write_bytes(pdf)
    except OSError as exc:
        raise UserInputError(
            f"--pdf: '{path}' cannot be written ({exc.strerror or exc}); "
            "give a file path in a folder you can write to"
        ) from None
