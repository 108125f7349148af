"""The integration picker's clinician summary: presentation, ranked options, references.

One printable page set per result: safety alerts first, then the presentation, every
candidate in rank order with why it fits (each reason naming the feature it answers),
its cautions or block, the evidence strength for the chosen condition in words and
colour, the clinician training it needs and whether the clinic offers it; then the
timing of integration sessions and the numbered references.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from kapdesk.content.integration import BOOLEAN_FEATURES
from kapdesk.decide.integration import PickResult, Ranked
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
from kapdesk.documents.markup import escape
from kapdesk.kb.store import KnowledgeBase
from kapdesk.palette import NO_RATING_COLOR, STRENGTH_COLORS
from kapdesk.profile import ClinicProfile

TITLE = "Integration-modality picker — clinician summary"
ALERT_RED = colors.HexColor("#9b1c1c")
ALERT_BACKGROUND = colors.HexColor("#fdecec")
LINE = colors.HexColor("#cccccc")


class _Citations:
    """Numbers references in the order the document first cites them."""

    def __init__(self, order: list[str]) -> None:
        self.number = {ref: index for index, ref in enumerate(order, 1)}

    def __call__(self, sources: Iterable[str]) -> str:
        nums = sorted({self.number[s] for s in sources})
        return f" <super>[{', '.join(str(n) for n in nums)}]</super>" if nums else ""


def _presentation_rows(result: PickResult, styles) -> list:
    presentation = result.presentation
    ticked = [result.feature_labels[f] for f in BOOLEAN_FEATURES if f in presentation.features]
    offered = (
        ", ".join(presentation.offered)
        if presentation.offered is not None
        else f"from the {result.offered_from}"
    )
    rows = [
        ("Features", "; ".join(ticked) or "None ticked"),
        ("Dissociation", result.dissociation_label),
        ("Condition", result.condition_label or "Not chosen"),
        ("Offered", offered),
    ]
    return [
        [Paragraph(f"<b>{escape(k)}</b>", styles["small"]), Paragraph(escape(v), styles["small"])]
        for k, v in rows
    ]


def _badge(candidate: Ranked, result: PickResult, styles) -> Table:
    if result.condition_label:
        words = f"Evidence for {result.condition_label}: {candidate.evidence_label}"
    else:
        words = f"Evidence (no condition chosen): {candidate.evidence_label}"
    color = STRENGTH_COLORS.get(candidate.evidence or "", NO_RATING_COLOR)
    cell = Paragraph(f'<font color="#ffffff"><b>{escape(words)}</b></font>', styles["small"])
    badge = Table([[cell]])
    badge.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(color))]))
    return badge


def _card(candidate: Ranked, result: PickResult, cite: _Citations, styles) -> list:
    heading = f"{candidate.rank}. {candidate.name}"
    status = "BLOCKED" if candidate.blocked else candidate.availability
    if candidate.blocked and not candidate.available:
        status += f" · {candidate.availability}"
    head = Table(
        [
            [
                Paragraph(escape(heading), styles["h3"]),
                Paragraph(f"<b>{escape(status)}</b>", styles["small"]),
            ]
        ],
        colWidths=[None, 150],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    block: list = [head, _badge(candidate, result, styles)]

    def bullets(title: str, lines: list[tuple[str, str, Iterable[str]]]) -> None:
        if not lines:
            return
        block.append(Paragraph(f"<b>{escape(title)}</b>", styles["small"]))
        for label, text, sources in lines:
            prefix = f"<b>{escape(label)}:</b> " if label else ""
            block.append(
                Paragraph(prefix + escape(text) + cite(sources), styles["bullet"], bulletText="•")
            )

    bullets("Blocked", [(b.label, b.text, b.sources) for b in candidate.blocks])
    bullets("Why it fits", [(r.label, r.text, r.sources) for r in candidate.fit])
    bullets("Cautions", [(c.label, c.text, c.sources) for c in candidate.cautions])
    evidence = [("", candidate.evidence_note, ())] if candidate.evidence_note else []
    if candidate.evidence:
        evidence.append(("", candidate.evidence_text, candidate.evidence_sources))
    bullets("Evidence", evidence)
    training = [("", t.text, t.sources) for t in candidate.training] or [
        ("", candidate.training_missing or "", ())
    ]
    bullets("Clinician training", training)
    # A card is never split when it fits on a page; a taller one keeps its head whole.
    return [KeepIfItFits([KeepTogether(block[:4]), *block[4:]]), Spacer(1, 8)]


def picker_story(kb: KnowledgeBase, result: PickResult, spacing: float = 1.0) -> list:
    """The flowables of the clinician summary (references resolved through ``kb``)."""
    styles = body_styles(spacing=spacing)
    refs = [kb.reference(ref) for ref in result.source_ids()]
    cite = _Citations([r.id for r in refs])
    story: list = [Paragraph(escape(TITLE), styles["title"])]
    if result.alerts:
        cells = [
            [Paragraph(f"<b>{escape(a.text)}</b>{cite(a.sources)}", styles["body"])]
            for a in result.alerts
        ]
        box = Table(cells, colWidths=["100%"])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, ALERT_RED),
                    ("BACKGROUND", (0, 0), (-1, -1), ALERT_BACKGROUND),
                ]
            )
        )
        story += [box, Spacer(1, 6)]
    story.append(Paragraph("Presentation", styles["h2"]))
    table = Table(_presentation_rows(result, styles), colWidths=[90, None])
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE)]
        )
    )
    story.append(table)
    story.append(Paragraph("Ranked options", styles["h2"]))
    story.append(
        Paragraph(
            escape(
                "Every candidate is listed. Blocked options rank below every unblocked one; "
                "cautions lower an option but never remove it."
            ),
            styles["small"],
        )
    )
    story.append(Spacer(1, 4))
    for candidate in result.ranked:
        story += _card(candidate, result, cite, styles)
    notes = [(g.text, g.sources) for g in result.general] + [
        (f"{n.label}: {n.text}", n.sources) for n in result.notes
    ]
    story.append(Paragraph("Notes", styles["h2"]))
    for text, sources in notes:
        story.append(Paragraph(escape(text) + cite(sources), styles["bullet"], bulletText="•"))
    story.append(Paragraph("Timing of integration sessions", styles["h2"]))
    for item in result.timing:
        prefix = (
            f"<b>{escape(f'Hypothesis (evidence {item.evidence_strength}):')}</b> "
            if item.hypothesis
            else ""
        )
        story.append(
            Paragraph(
                prefix + escape(item.statement.text) + cite(item.statement.sources),
                styles["bullet"],
                bulletText="•",
            )
        )
    story += reference_list(
        strings("en")["references"], [ref.full_citation() for ref in refs], styles
    )
    story.append(Spacer(1, 6))
    story.append(Paragraph(escape(f"Picker rules {result.rules_version}."), styles["small"]))
    return story


def write_picker_sheet(
    out: Path | BinaryIO,
    kb: KnowledgeBase,
    result: PickResult,
    *,
    profile: ClinicProfile,
    identifiers: PatientIdentifiers | None = None,
    invariant: bool = False,
) -> int:
    """Write the clinician summary PDF; return its page count. The patient identifier
    block (typed for this printout, never stored) is on every page."""
    info = DocumentInfo(
        title=TITLE,
        kb_version=kb.version,
        profile=profile,
        subject="kapdesk integration-modality picker",
        keywords=("kapdesk", "integration", *(r.modality for r in result.ranked)),
        identifiers=(identifiers or PatientIdentifiers()).validated(),
        kind="picker summary",
        max_pages=MAX_PAGES["picker summary"],
    )
    return render(out, lambda spacing: picker_story(kb, result, spacing), info, invariant=invariant)


def picker_sheet_bytes(
    kb: KnowledgeBase,
    result: PickResult,
    *,
    profile: ClinicProfile,
    identifiers: PatientIdentifiers | None = None,
    invariant: bool = False,
) -> bytes:
    """The clinician summary as PDF bytes (for the in-app preview)."""
    buffer = io.BytesIO()
    write_picker_sheet(
        buffer, kb, result, profile=profile, identifiers=identifiers, invariant=invariant
    )
    return buffer.getvalue()
