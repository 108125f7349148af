"""Side-by-side comparison of 2–4 modalities: one row per attribute, one cell per option.

The grid follows the Option Grid and IPDAS standards: the same rows for every
option, each cell with its sources, and an honest "No information" (with the
content's reason) where the fact sheets give nothing. Clinician cells hold every
statement of a section. Patient cells hold one short answer per section, as Option
Grid does: the grid text (``grid_en``/``grid_es``) of the first statement that has
one, which the content places on the statement that best answers the row's question;
where a section has none, the lead statement's plain text, which the content rules
guarantee in both languages. Each part keeps the statement's full plain text as its
``detail`` for the screen's tooltip, so a short answer never hides the longer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kapdesk.content.model import CONDITIONS, LANGUAGES, SECTIONS, Labels, Modality, Statement
from kapdesk.decide.timeline import Timeline, chart_bars, timeline
from kapdesk.errors import DataError, UserInputError
from kapdesk.kb.catalog import wording

if TYPE_CHECKING:
    from kapdesk.kb.store import KnowledgeBase

AUDIENCES = ("clinician", "patient")
MIN_MODALITIES = 2
MAX_MODALITIES = 4
STRENGTH = "strength"
# The evidence row stands where a patient asks about it: after "how soon" and "how long".
ATTRIBUTES = (
    *SECTIONS[: SECTIONS.index("course") + 1],
    STRENGTH,
    *SECTIONS[SECTIONS.index("course") + 1 :],
)


@dataclass(frozen=True)
class Part:
    """One statement (or one condition's rating) inside a cell."""

    text: str
    sources: tuple[str, ...] = ()
    evidence: str | None = None
    rating: str | None = None
    condition: str | None = None
    detail: str | None = None  # the full plain text where ``text`` is its grid answer


@dataclass(frozen=True)
class Cell:
    """What one option says about one attribute."""

    modality: str
    text: str
    parts: tuple[Part, ...]
    missing_reason: str | None = None

    @property
    def missing(self) -> bool:
        return self.missing_reason is not None

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref for part in self.parts for ref in part.sources))

    @property
    def rating(self) -> str | None:
        """The strength rating when the cell rates one condition."""
        return self.parts[0].rating if len(self.parts) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sources": list(self.sources),
            "missing": self.missing,
            "reason": self.missing_reason,
            "rating": self.rating,
            "parts": [
                {
                    "text": p.text,
                    "sources": list(p.sources),
                    "evidence": p.evidence,
                    "rating": p.rating,
                    "condition": p.condition,
                    "detail": p.detail,
                }
                for p in self.parts
            ],
        }


@dataclass(frozen=True)
class Row:
    attribute: str
    label: str
    cells: tuple[Cell, ...]
    differs: bool

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ref for cell in self.cells for ref in cell.sources))

    def cell(self, modality_id: str) -> Cell:
        return next(c for c in self.cells if c.modality == modality_id)


@dataclass(frozen=True)
class Comparison:
    modalities: tuple[str, ...]
    names: dict[str, str]
    short_names: dict[str, str]
    audience: str
    lang: str
    condition: str | None
    rows: tuple[Row, ...]
    timelines: tuple[Timeline, ...]
    kb_version: str

    def row(self, attribute: str) -> Row:
        return next(r for r in self.rows if r.attribute == attribute)

    def differing_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.differs)

    def source_ids(self) -> list[str]:
        """Every reference the grid and the chart cite, in first-cited order."""
        refs: dict[str, None] = {}
        for row in self.rows:
            refs.update(dict.fromkeys(row.sources))
        for line in self.timelines:
            for span in (line.onset, line.course):
                if span:
                    refs.update(dict.fromkeys(span.sources))
        return list(refs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md (``compare``), with extra fields for tools."""
        return {
            "modalities": list(self.modalities),
            "audience": self.audience,
            "language": self.lang,
            "condition": self.condition,
            "names": dict(self.names),
            "rows": [
                {
                    "attribute": row.attribute,
                    "label": row.label,
                    "values": {c.modality: c.text for c in row.cells},
                    "differs": row.differs,
                    "sources": list(row.sources),
                    "cells": {c.modality: c.to_dict() for c in row.cells},
                }
                for row in self.rows
            ],
            "timeline": [
                {
                    "modality": t.modality,
                    "onset_days": [t.onset.low, t.onset.high] if t.onset else None,
                    "course_days": [t.course.low, t.course.high] if t.course else None,
                }
                for t in self.timelines
            ],
            "kb_version": self.kb_version,
        }


# --- validation ---------------------------------------------------------------------------


def validate_request(
    kb: KnowledgeBase,
    modality_ids: list[str] | tuple[str, ...],
    audience: str,
    lang: str,
    condition: str | None,
) -> list[Modality]:
    """The requested modalities, or UserInputError naming the field and what is allowed."""
    if audience not in AUDIENCES:
        raise UserInputError(
            f"audience: '{audience}' is not known; valid audiences: {', '.join(AUDIENCES)}"
        )
    if lang not in LANGUAGES:
        raise UserInputError(
            f"language: '{lang}' is not supported; valid languages: {', '.join(LANGUAGES)}"
        )
    if audience == "clinician" and lang != "en":
        raise UserInputError(
            f"language: '{lang}' is available for the patient audience only (the clinician "
            "texts are in English); use audience 'patient' or language 'en'"
        )
    if condition is not None and condition not in CONDITIONS:
        raise UserInputError(
            f"condition: '{condition}' is not known; valid conditions: {', '.join(CONDITIONS)}"
        )
    count = len(modality_ids)
    if not MIN_MODALITIES <= count <= MAX_MODALITIES:
        given = ", ".join(modality_ids) or "none"
        raise UserInputError(
            f"modalities: {count} given ({given}); compare {MIN_MODALITIES} to "
            f"{MAX_MODALITIES} modality ids"
        )
    seen: set[str] = set()
    for modality_id in modality_ids:
        if modality_id in seen:
            raise UserInputError(
                f"modalities: '{modality_id}' is given more than once; "
                "each modality can be compared once"
            )
        seen.add(modality_id)
    return [kb.modality(modality_id) for modality_id in modality_ids]


# --- cells --------------------------------------------------------------------------------


def _statement_part(statement: Statement, text: str, **extra: Any) -> Part:
    return Part(text=text, sources=statement.sources, evidence=statement.evidence, **extra)


def _missing_cell(modality: Modality, key: str, audience: str, lang: str) -> Cell:
    reason = modality.missing.get(key)
    if not reason:
        raise DataError(f"{modality.id}: {key}: no statements and no reason under [missing]")
    words = wording(lang)
    if audience == "patient":
        text = words["no_information_patient"]
    else:
        text = f"{words['no_information']}: {reason}"
    return Cell(modality.id, text, (Part(text=text),), missing_reason=reason)


def _patient_part(statement: Statement, lang: str, **extra: Any) -> Part:
    """The grid answer where the statement has one (its plain text as the detail)."""
    plain = statement.plain(lang) or ""
    short = statement.grid(lang)
    if short:
        return _statement_part(statement, short, detail=plain, **extra)
    return _statement_part(statement, plain, **extra)


def _patient_answer(statements: tuple[Statement, ...], lang: str, condition: str | None):
    """The statement that answers the row for the patient.

    A statement written for the chosen condition (``conditions``) comes first; then the
    first untagged statement with a grid answer; then the first untagged statement.
    """
    general = [s for s in statements if not s.conditions] or list(statements)
    return next(
        (s for s in statements if s.answers(condition) and s.grid(lang)),
        next((s for s in general if s.grid(lang)), general[0]),
    )


def _section_cell(
    modality: Modality, section: str, audience: str, lang: str, condition: str | None = None
) -> Cell:
    statements = modality.sections.get(section, ())
    if not statements:
        return _missing_cell(modality, section, audience, lang)
    if audience == "patient":
        part = _patient_part(_patient_answer(statements, lang, condition), lang)
        return Cell(modality.id, part.text, (part,))
    parts = tuple(_statement_part(s, s.text) for s in statements)
    return Cell(modality.id, "\n\n".join(p.text for p in parts), parts)


def _strength_cell(
    modality: Modality, condition: str, audience: str, lang: str, labels: Labels
) -> Cell:
    strength = modality.strengths.get(condition)
    if strength is None:
        unrated = next(
            (
                s
                for s in modality.sections.get("regulatory", ())
                if s.unrated and s.answers(condition)
            ),
            None,
        )
        if unrated is None or audience != "patient":
            return _missing_cell(modality, f"strength.{condition}", audience, lang)
        # No rating: what is approved, said as such (safety-addendum.md §D), never a rating.
        part = _patient_part(unrated, lang, condition=condition)
        return Cell(modality.id, f"{wording(lang)['not_rated']}. {part.text}", (part,))
    statement = strength.statement
    extra = {"rating": strength.rating, "condition": condition}
    if audience == "patient":
        part = _patient_part(statement, lang, **extra)
    else:
        part = _statement_part(statement, statement.text, **extra)
    word = labels.strength(strength.rating, lang)
    return Cell(modality.id, f"{word}. {part.text}", (part,))


def _strength_summary_cell(modality: Modality, lang: str, labels: Labels) -> Cell:
    """Without a chosen condition: each condition's rating in words."""
    words = wording(lang)
    parts = []
    for condition in CONDITIONS:
        strength = modality.strengths.get(condition)
        rating = labels.strength(strength.rating, lang) if strength else words["no_information"]
        text = words["strength_item"].format(
            condition=labels.condition(condition, lang), rating=rating
        )
        if strength:
            parts.append(
                _statement_part(
                    strength.statement, text, rating=strength.rating, condition=condition
                )
            )
        else:
            parts.append(Part(text=text, condition=condition))
    return Cell(modality.id, "\n".join(p.text for p in parts), tuple(parts))


def _comparison_key(attribute: str, cell: Cell) -> tuple:
    """What must be equal for a row not to differ.

    Cells without information are alike whatever the reason; the evidence row compares
    ratings, because the ratings are what the row is for.
    """
    if cell.missing:
        return ("missing",)
    if attribute == STRENGTH:
        return tuple((p.condition, p.rating) for p in cell.parts)
    return ("text", cell.text)


def _row_label(
    attribute: str, audience: str, lang: str, condition: str | None, labels: Labels
) -> str:
    if attribute != STRENGTH:
        return labels.section(attribute, audience, lang)
    words = wording(lang)
    if condition is None:
        return words[f"strength_{audience}"]
    return words[f"strength_{audience}_condition"].format(
        condition=labels.condition(condition, lang)
    )


# --- the grid -----------------------------------------------------------------------------


def compare(
    kb: KnowledgeBase,
    modality_ids: list[str] | tuple[str, ...],
    *,
    audience: str = "clinician",
    lang: str = "en",
    condition: str | None = None,
) -> Comparison:
    """The comparison grid of 2–4 modalities; UserInputError on a bad request."""
    modalities = validate_request(kb, modality_ids, audience, lang, condition)
    labels = kb.labels
    rows = []
    for attribute in ATTRIBUTES:
        if attribute != STRENGTH:
            cells = [_section_cell(m, attribute, audience, lang, condition) for m in modalities]
        elif condition is None:
            cells = [_strength_summary_cell(m, lang, labels) for m in modalities]
        else:
            cells = [_strength_cell(m, condition, audience, lang, labels) for m in modalities]
        keys = {_comparison_key(attribute, cell) for cell in cells}
        rows.append(
            Row(
                attribute=attribute,
                label=_row_label(attribute, audience, lang, condition, labels),
                cells=tuple(cells),
                differs=len(keys) > 1,
            )
        )
    return Comparison(
        modalities=tuple(m.id for m in modalities),
        names={m.id: m.display_name(lang) for m in modalities},
        short_names={m.id: m.display_short_name(lang) for m in modalities},
        audience=audience,
        lang=lang,
        condition=condition,
        rows=tuple(rows),
        timelines=tuple(timeline(m, lang) for m in modalities),
        kb_version=kb.version.short,
    )


def text_report(comparison: Comparison) -> str:
    """The comparison as plain text for a terminal: one block per row, one line per option."""
    words = wording(comparison.lang)
    short = comparison.short_names
    lines = [" | ".join(comparison.names[mid] for mid in comparison.modalities)]
    for row in comparison.rows:
        same = "" if row.differs else "  (same for all)"
        lines += ["", f"{row.label}{same}"]
        for cell in row.cells:
            refs = f"  [{', '.join(cell.sources)}]" if cell.sources else ""
            text = cell.text.replace("\n\n", " ").replace("\n", "; ")
            lines.append(f"  {short[cell.modality]}: {text}{refs}")
    lines += ["", words["chart_title"]]
    for bar in chart_bars(comparison.timelines, comparison.lang):
        lines.append(f"  {bar.name}: {words[f'chart_{bar.kind}']}: {bar.text}")
    lines += ["", f"Knowledge base {comparison.kb_version}"]
    return "\n".join(lines)
