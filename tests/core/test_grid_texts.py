"""Grid answers: the short patient texts of the comparison grid, in the content and in use."""

from __future__ import annotations

import dataclasses

import pytest
import textstat

from kapdesk.content.kinds import load_content
from kapdesk.content.modalities import GRID_MAX
from kapdesk.content.model import MODALITY_IDS, SECTIONS, Modality, Statement
from kapdesk.decide.compare import STRENGTH, compare

CONTENT = load_content()
# English Flesch–Kincaid grade at most; Spanish Fernández-Huerta at least (CONTENT.md).
FK_GRADE_MAX = 7
FERNANDEZ_HUERTA_MIN = 70


def grid_statements(modality: Modality) -> list[tuple[str, Statement]]:
    return [(key, s) for key, s in modality.statements() if s.grid_en or s.grid_es]


@pytest.mark.parametrize("mid", MODALITY_IDS)
def test_every_section_has_a_statement_with_grid_answers(mid: str) -> None:
    modality = CONTENT.modalities[mid]
    for section in SECTIONS:
        statements = modality.sections[section]
        if statements:
            assert any(s.grid_en and s.grid_es for s in statements), (mid, section)


@pytest.mark.parametrize("mid", MODALITY_IDS)
def test_long_ratings_have_grid_answers(mid: str) -> None:
    for condition, strength in CONTENT.modalities[mid].strengths.items():
        plain = strength.statement
        if max(len(plain.plain_en or ""), len(plain.plain_es or "")) > GRID_MAX:
            assert plain.grid_en and plain.grid_es, (mid, condition)


@pytest.mark.parametrize("mid", MODALITY_IDS)
def test_grid_answers_are_short_and_shorten_their_plain_text(mid: str) -> None:
    statements = grid_statements(CONTENT.modalities[mid])
    assert statements
    for key, statement in statements:
        for lang in ("en", "es"):
            short, plain = statement.grid(lang), statement.plain(lang)
            assert short and plain, (mid, key, lang)
            assert len(short) <= GRID_MAX, (mid, key, lang)
            assert len(short) <= len(plain), (mid, key, lang)


@pytest.mark.parametrize("mid", MODALITY_IDS)
def test_grid_answers_are_easy_to_read(mid: str) -> None:
    statements = [s for _, s in grid_statements(CONTENT.modalities[mid])]
    textstat.set_lang("en")
    grade = textstat.flesch_kincaid_grade(" ".join(s.grid_en for s in statements))
    textstat.set_lang("es")
    ease = textstat.fernandez_huerta(" ".join(s.grid_es for s in statements))
    textstat.set_lang("en")
    assert grade <= FK_GRADE_MAX, (mid, grade)
    assert ease >= FERNANDEZ_HUERTA_MIN, (mid, ease)


def test_patient_cells_show_grid_answers_with_the_plain_text_as_detail(kb) -> None:
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", lang="es", condition="gad")
    for row in grid.rows:
        for cell in row.cells:
            if cell.missing:
                continue
            (part,) = cell.parts
            assert part.detail and len(part.text) <= GRID_MAX, (row.attribute, cell.modality)
            assert part.text in cell.text
    rating = grid.row(STRENGTH).cell("kap")
    assert rating.text == f"Ninguna. {kb.modality('kap').strengths['gad'].statement.grid_es}"


def test_the_first_statement_with_grid_answers_answers_the_row(kb) -> None:
    """A section's patient cell is the first statement that has a grid answer (not always
    the section's first statement: e.g. EMDR's first caution is not "who should not")."""
    skipped = 0
    for modality in kb.modalities():
        other = "kap" if modality.id != "kap" else "cbt"
        grid = compare(kb, [modality.id, other], audience="patient")
        for section, statements in modality.sections.items():
            answering = next((s for s in statements if s.grid_en), None)
            if answering is None:
                continue
            skipped += statements.index(answering) > 0
            cell = grid.row(section).cell(modality.id)
            assert cell.text == answering.grid_en, (modality.id, section)
            assert cell.sources == answering.sources, (modality.id, section)
    assert skipped, "some section should answer from a later statement"


def test_clinician_cells_keep_every_full_statement(kb) -> None:
    cell = compare(kb, ["ssri-snri", "kap"]).row("regulatory").cell("ssri-snri")
    texts = [s.text for s in kb.modality("ssri-snri").sections["regulatory"]]
    assert [p.text for p in cell.parts] == texts and all(p.detail is None for p in cell.parts)


def test_without_grid_answers_a_cell_falls_back_to_the_lead_plain_text(kb, monkeypatch) -> None:
    def without_grid(modality: Modality) -> Modality:
        def strip(s: Statement) -> Statement:
            return dataclasses.replace(s, grid_en=None, grid_es=None)

        sections = {k: tuple(strip(s) for s in v) for k, v in modality.sections.items()}
        strengths = {
            k: dataclasses.replace(v, statement=strip(v.statement))
            for k, v in modality.strengths.items()
        }
        return dataclasses.replace(modality, sections=sections, strengths=strengths)

    real = kb.modality
    monkeypatch.setattr(kb, "modality", lambda mid: without_grid(real(mid)))
    grid = compare(kb, ["ssri-snri", "kap"], audience="patient", lang="es", condition="gad")
    ssri = real("ssri-snri")
    cell = grid.row("regulatory").cell("ssri-snri")
    assert cell.text == ssri.sections["regulatory"][0].plain_es
    assert cell.parts[0].detail is None
    strength = grid.row(STRENGTH).cell("kap")
    assert strength.text.endswith(real("kap").strengths["gad"].statement.plain_es)


def test_json_carries_the_detail_of_each_short_answer(kb) -> None:
    data = compare(kb, ["kap", "cbt"], audience="patient", condition="gad").to_dict()
    onset = next(row for row in data["rows"] if row["attribute"] == "onset")
    kap = kb.modality("kap").sections["onset"][0]
    assert onset["values"]["kap"] == kap.grid_en
    assert onset["cells"]["kap"]["parts"][0]["detail"] == kap.plain_en
