"""A clinician's reference sheet for one modality: every section, ratings and references."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from kapdesk.content.model import CONDITIONS, SECTIONS, Modality
from kapdesk.documents.frame import (
    MAX_PAGES,
    DocumentInfo,
    body_styles,
    reference_list,
    render,
    strings,
)
from kapdesk.documents.markup import bounded_text, escape
from kapdesk.kb.store import KnowledgeBase
from kapdesk.palette import NO_RATING_COLOR, STRENGTH_COLORS
from kapdesk.profile import ClinicProfile

NOTE_MAX = 5000
NOTE_MAX_LINES = 40


def modality_story(
    kb: KnowledgeBase, modality: Modality, note: str = "", spacing: float = 1.0
) -> list:
    """The reference sheet's flowables: summary, note, evidence table, sections, references."""
    labels = kb.labels
    text = strings("en")
    styles = body_styles(spacing=spacing)
    refs = kb.references_for(modality)
    number = {ref.id: index for index, ref in enumerate(refs, 1)}

    def cite(sources) -> str:
        nums = sorted({number[s] for s in sources})
        return f" <super>[{', '.join(str(n) for n in nums)}]</super>"

    story: list = [
        Paragraph(escape(modality.name), styles["title"]),
        Paragraph(
            escape(
                f"{labels.category(modality.category)} · "
                f"also known as: {', '.join(modality.aliases)}"
            ),
            styles["small"],
        ),
        Spacer(1, 6),
        Paragraph(escape(modality.summary.text) + cite(modality.summary.sources), styles["body"]),
    ]
    if note:
        story += [
            Paragraph(escape(text["clinician_note"]), styles["h2"]),
            Paragraph(escape(note), styles["body"]),
        ]
    story.append(Paragraph("Evidence strength by condition", styles["h2"]))
    rows = []
    table_style = [
        ("FONT", (0, 0), (-1, -1), "DejaVuSans", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#cccccc")),
    ]
    for row_index, condition in enumerate(CONDITIONS):
        strength = modality.strengths.get(condition)
        if strength:
            rating = labels.strength(strength.rating)
            detail = escape(strength.statement.text) + cite(strength.statement.sources)
            color = STRENGTH_COLORS[strength.rating]
        else:
            rating = text["no_information"]
            detail = escape(modality.missing.get(f"strength.{condition}", ""))
            color = NO_RATING_COLOR
        rows.append(
            [
                Paragraph(escape(labels.condition(condition)), styles["small"]),
                Paragraph(f'<font color="#ffffff"><b>{escape(rating)}</b></font>', styles["small"]),
                Paragraph(detail, styles["small"]),
            ]
        )
        table_style.append(("BACKGROUND", (1, row_index), (1, row_index), colors.HexColor(color)))
    table = Table(rows, colWidths=[110, 70, None], repeatRows=0)
    table.setStyle(TableStyle(table_style))
    story.append(table)
    for section in SECTIONS:
        block = [Paragraph(escape(labels.section(section)), styles["h2"])]
        for statement in modality.sections.get(section, ()):
            block.append(
                Paragraph(
                    escape(statement.text) + cite(statement.sources),
                    styles["bullet"],
                    bulletText="•",
                )
            )
        if section in modality.missing:
            block.append(
                Paragraph(
                    f"<b>{escape(text['no_information'])}:</b> {escape(modality.missing[section])}",
                    styles["bullet"],
                    bulletText="•",
                )
            )
        story.append(KeepTogether(block[:2]))
        story.extend(block[2:])
    story += reference_list(text["references"], [ref.full_citation() for ref in refs], styles)
    return story


def write_modality_sheet(
    out: Path | BinaryIO,
    kb: KnowledgeBase,
    modality: Modality,
    *,
    profile: ClinicProfile,
    note: str = "",
    invariant: bool = False,
) -> int:
    """Write the reference sheet; return its page count. Raises UserInputError on a bad note."""
    note = bounded_text(note, "note", max_chars=NOTE_MAX, max_lines=NOTE_MAX_LINES)
    info = DocumentInfo(
        title=f"{modality.name} — clinician reference",
        kb_version=kb.version,
        profile=profile,
        subject="kapdesk modality reference sheet",
        keywords=("kapdesk", modality.id),
        kind="modality sheet",
        max_pages=MAX_PAGES["modality sheet"],
    )
    return render(
        out, lambda spacing: modality_story(kb, modality, note, spacing), info, invariant=invariant
    )
