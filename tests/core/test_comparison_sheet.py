"""The printable comparison sheet, read back with pypdf."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from kapdesk.decide.compare import compare
from kapdesk.documents.comparison import comparison_pdf, write_comparison
from kapdesk.kb.catalog import wording
from kapdesk.profile import ClinicProfile

PROFILE = ClinicProfile(clinic_name="Valle Verde Clinic", phone="555-0100", after_hours="555-0199")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read(data: bytes) -> tuple[list[str], PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages], reader


@pytest.fixture(scope="module")
def patient_gad(built_data_dir):
    from kapdesk.kb.store import KnowledgeBase
    from kapdesk.paths import AppPaths

    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", condition="gad")
        data, pages = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
        yield grid, data, pages


def test_patient_sheet_for_three_options_is_one_page(patient_gad) -> None:
    _, data, pages = patient_gad
    _, reader = read(data)
    assert pages == len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width < height  # portrait


def printed_label(row, lang: str) -> str:
    """A patient sheet for one condition names the condition once, beside its title."""
    return wording(lang)["strength_patient"] if row.attribute == "strength" else row.label


def test_patient_sheet_names_every_option_and_row(patient_gad) -> None:
    grid, data, _ = patient_gad
    whole = squash("".join(read(data)[0]))
    for mid in grid.modalities:
        assert squash(grid.names[mid]) in whole, mid
    for row in grid.rows:
        assert squash(printed_label(row, "en")) in whole, row.attribute
    assert squash("For: Generalized anxiety disorder") in whole


def test_patient_sheet_has_the_chart_the_boxes_and_the_frame(patient_gad) -> None:
    _, data, _ = patient_gad
    whole = squash("".join(read(data)[0]))
    words = wording("en")
    for text in (
        words["chart_title"],
        "2 hours to 1 day",
        "not reported",
        words["questions_title"],
        *words["questions"],
        words["matters_title"],
        "Valle Verde Clinic",
        "555-0199",
        "Page 1 of 1",
        "Content reviewed",
    ):
        assert squash(text) in whole, text
    # A patient sheet: the staff's decision-aid line and the hash stay on clinician pages.
    assert "decisionaid" not in whole and "Knowledgebase" not in whole


def test_spanish_sheet_has_the_spanish_row_labels(kb) -> None:
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", lang="es", condition="gad")
    data, _ = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    whole = squash("".join(read(data)[0]))
    for section in ("mechanism", "onset", "cost", "regulatory"):
        assert squash(kb.labels.section(section, "patient", "es")) in whole
    for row in grid.rows:
        assert squash(printed_label(row, "es")) in whole
    assert squash("¿Qué tan bien funciona?") in whole
    assert squash("Para: Trastorno de ansiedad generalizada") in whole
    assert squash("Lo que más me importa") in whole and "Página1de" in whole


def test_four_options_print_in_landscape(kb) -> None:
    grid = compare(kb, ["cbt", "ect", "somatic", "beta-blockers"], audience="patient")
    data, pages = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    texts, reader = read(data)
    assert pages == len(reader.pages)
    for page in reader.pages:
        assert page.mediabox.width > page.mediabox.height
    whole = squash("".join(texts))
    for mid in grid.modalities:
        assert squash(grid.names[mid]) in whole
    assert squash(wording("en")["matters_title"]) in squash(texts[-1])


def test_clinician_sheet_adds_ratings_evidence_and_numbered_references(kb, tmp_path) -> None:
    grid = compare(kb, ["kap", "esketamine"], condition="trd")
    out = tmp_path / "clinician.pdf"
    pages = write_comparison(out, kb, grid, profile=PROFILE, invariant=True)
    texts, reader = read(out.read_bytes())
    assert pages == len(reader.pages)
    whole = squash("".join(texts))
    for mid in grid.modalities:
        assert squash(grid.names[mid]) in whole
    for row in grid.rows:
        assert squash(row.label) in whole
    assert "Evidence:Druglabel" in whole
    for mid in grid.modalities:
        rating = grid.row("strength").cell(mid).rating
        assert squash(kb.labels.strength(rating)) in whole
    refs = grid.source_ids()
    assert "References" in whole
    first, last = kb.reference(refs[0]), kb.reference(refs[-1])
    assert squash(f"1. {first.citation}"[:60]) in whole
    assert squash(f"{len(refs)}. {last.citation}"[:60]) in whole
    for number, text in enumerate(texts, 1):
        assert squash(f"Page {number} of {pages}") in squash(text)


def test_content_prints_literally_and_reads_no_file(kb, monkeypatch) -> None:
    import builtins

    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    grid = compare(kb, ["kap", "cbt"], audience="patient", condition="gad")
    hostile = ClinicProfile(clinic_name='Clinic <img src="/etc/passwd"/> & Co')
    monkeypatch.setattr(builtins, "open", spy)
    data, _ = comparison_pdf(kb, grid, profile=hostile, invariant=True)
    assert not any("passwd" in path for path in opened)
    assert squash('<img src="/etc/passwd"/> & Co') in squash(read(data)[0][0])
