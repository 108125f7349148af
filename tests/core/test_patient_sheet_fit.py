"""The patient comparison sheet: one page for three options, at a size patients can read.

The triples are the tightest fits found by printing every three options for every
condition in both languages, plus the comparison the issue names (KAP, SSRIs/SNRIs
and CBT for GAD).
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kapdesk.decide.compare import Comparison, compare
from kapdesk.documents.comparison import comparison_pdf
from kapdesk.profile import ClinicProfile
from tests.handout_fixtures import Run, squash, text_runs

PROFILE = ClinicProfile(clinic_name="Valle Verde Clinic", phone="555-0100", after_hours="555-0199")
READABLE = 9.0

TRIPLES = [
    (("kap", "ssri-snri", "cbt"), "gad", "en"),
    (("kap", "ssri-snri", "cbt"), "gad", "es"),
    (("ketamine-oral-sl", "cbt", "ssri-snri"), "trd", "es"),
    (("kap", "emdr", "ssri-snri"), "social-anxiety", "es"),
    (("ketamine-im", "exposure", "ssri-snri"), "trd", "en"),
    (("ketamine-iv", "esketamine", "ect"), "trd", "en"),
    (("emdr", "exposure", "cbt"), "ptsd", "es"),
    (("benzodiazepines", "beta-blockers", "ssri-snri"), "panic", "en"),
    (("ketamine-oral-sl", "kap", "ifs"), "depression", "es"),
    (("ketamine-oral-sl", "exposure", "ssri-snri"), "social-anxiety", "es"),
    (("ketamine-oral-sl", "exposure", "benzodiazepines"), "gad", "en"),
]


def answer_runs(grid: Comparison, runs: list[Run]) -> dict[tuple[str, str], list[Run]]:
    """The printed runs of each answer cell (runs long enough to belong to that cell only)."""
    found: dict[tuple[str, str], list[Run]] = {}
    for row in grid.rows:
        for cell in row.cells:
            if cell.missing:
                continue
            text = squash(cell.text)
            found[(row.attribute, cell.modality)] = [
                r for r in runs if len(squash(r.text)) >= 8 and squash(r.text) in text
            ]
    return found


@pytest.mark.parametrize(("ids", "condition", "lang"), TRIPLES)
def test_three_options_fit_one_page_at_nine_points(kb, ids, condition, lang) -> None:
    grid = compare(kb, list(ids), audience="patient", lang=lang, condition=condition)
    data, pages = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    reader = PdfReader(io.BytesIO(data))
    assert pages == len(reader.pages) == 1
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height
    cells = answer_runs(grid, text_runs(data))
    for where, runs in cells.items():
        assert runs, f"{where} is not printed"
        assert min(r.size for r in runs) >= READABLE, where


def test_every_answer_is_printed_whole(kb) -> None:
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", lang="es", condition="gad")
    data, _ = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    whole = squash(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    for row in grid.rows:
        for cell in row.cells:
            for part in cell.parts:
                assert squash(part.text) in whole, (row.attribute, cell.modality)


def test_a_sheet_too_full_for_one_page_at_nine_points_may_go_down_to_eight(kb) -> None:
    # Without a condition the evidence row lists six ratings per option.
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", lang="es")
    data, pages = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    assert pages == 1
    sizes = [r.size for runs in answer_runs(grid, text_runs(data)).values() for r in runs]
    assert 8.0 <= min(sizes) < READABLE


def test_a_sheet_that_cannot_fit_one_page_stays_readable_on_two(kb) -> None:
    grid = compare(kb, ["cbt", "ect", "somatic", "beta-blockers"], audience="patient")
    data, pages = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    reader = PdfReader(io.BytesIO(data))
    assert pages == len(reader.pages) == 2
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    sizes = [r.size for runs in answer_runs(grid, text_runs(data)).values() for r in runs]
    assert min(sizes) >= READABLE


def test_the_clinician_sheet_may_run_long(kb) -> None:
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], condition="gad")
    _, pages = comparison_pdf(kb, grid, profile=PROFILE, invariant=True)
    assert pages > 1


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_chart_keeps_its_words_inside_its_width(kb, lang) -> None:
    """At the narrowest width a sheet gives it, no legend or label runs past the chart."""
    from reportlab.graphics.shapes import Line, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from kapdesk.documents.charts import min_chart_width, timeline_drawing

    ids = ["ketamine-oral-sl", "exposure", "benzodiazepines"]
    grid = compare(kb, ids, audience="patient", lang=lang, condition="gad")
    width = min_chart_width(grid.timelines, lang, READABLE)
    drawing = timeline_drawing(grid.timelines, lang, width, font_size=READABLE)
    strings = [item for item in drawing.contents if isinstance(item, String)]
    assert {"Benzodiazepines", "Benzodiazepinas"} & {item.text for item in strings}
    # The axis is the one horizontal line that starts where the bars do.
    axis = next(i for i in drawing.contents if isinstance(i, Line) and i.y1 == i.y2 and i.x1 > 0)
    for item in strings:
        if item.fontName.endswith("Bold"):  # an option's name, left of the bars
            assert stringWidth(item.text, item.fontName, item.fontSize) <= axis.x1, item.text
        left = {"start": 0.0, "middle": 0.5, "end": 1.0}[item.textAnchor]
        extent = stringWidth(item.text, item.fontName, item.fontSize)
        assert item.x - left * extent >= -0.5, item.text
        assert item.x + (1 - left) * extent <= width + 0.5, item.text
