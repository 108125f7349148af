"""The comparison grid: rows, cells, sources, `differs`, validation and the chart data."""

from __future__ import annotations

import itertools

import pytest

from kapdesk.content.model import CONDITIONS, MODALITY_IDS, SECTIONS
from kapdesk.content.wording import validate_wording
from kapdesk.decide.compare import ATTRIBUTES, STRENGTH, compare, text_report
from kapdesk.decide.timeline import (
    TimeRange,
    build_axis,
    chart_bars,
    format_duration,
    format_range,
    visible_tick_labels,
)
from kapdesk.errors import UserInputError
from kapdesk.kb.catalog import wording

NO_INFORMATION = {"en": "No information", "es": "Sin información"}


def test_rows_are_the_sections_plus_the_evidence_row(kb) -> None:
    grid = compare(kb, ["kap", "cbt"], condition="gad")
    assert [r.attribute for r in grid.rows] == list(ATTRIBUTES)
    assert set(ATTRIBUTES) == {*SECTIONS, STRENGTH}
    assert [r.label for r in grid.rows][:2] == [
        kb.labels.section("mechanism"),
        kb.labels.section("onset"),
    ]


def test_patient_rows_are_questions_with_short_plain_answers(kb) -> None:
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", condition="gad")
    assert grid.row("onset").label == "How soon might I feel better?"
    kap = kb.modality("kap")
    onset = kap.sections["onset"][0]
    cell = grid.row("onset").cell("kap")
    assert cell.text == onset.grid_en and cell.parts[0].detail == onset.plain_en
    spanish = compare(kb, ["kap", "cbt"], audience="patient", lang="es", condition="gad")
    assert spanish.row("onset").label == "¿Cuándo podría sentirme mejor?"
    assert spanish.row("onset").cell("kap").text == onset.grid_es
    assert spanish.row("onset").cell("kap").parts[0].detail == onset.plain_es
    assert spanish.names["kap"] == kap.name_es


def test_differs_is_false_when_no_option_has_information(kb) -> None:
    # Neither CBT nor exposure therapy has a sourced cost or onset in the content.
    grid = compare(kb, ["cbt", "exposure"])
    for attribute in ("cost", "onset"):
        row = grid.row(attribute)
        assert all(cell.missing for cell in row.cells)
        assert row.differs is False
    assert grid.row("mechanism").differs is True
    assert [r.attribute for r in grid.differing_rows()] == [
        r.attribute for r in grid.rows if r.differs
    ]


def test_differs_compares_ratings_on_the_evidence_row(kb) -> None:
    ratings = {m.id: m.strengths["gad"].rating for m in kb.modalities() if "gad" in m.strengths}
    same = next((a, b) for a, b in itertools.combinations(ratings, 2) if ratings[a] == ratings[b])
    different = next(
        (a, b) for a, b in itertools.combinations(ratings, 2) if ratings[a] != ratings[b]
    )
    assert compare(kb, list(same), condition="gad").row(STRENGTH).differs is False
    row = compare(kb, list(different), condition="gad").row(STRENGTH)
    assert row.differs is True
    assert {c.rating for c in row.cells} == {ratings[different[0]], ratings[different[1]]}


def test_a_missing_cell_says_no_information_and_keeps_the_reason(kb) -> None:
    cbt = kb.modality("cbt")
    clinician = compare(kb, ["kap", "cbt"]).row("cost").cell("cbt")
    assert clinician.missing and clinician.missing_reason == cbt.missing["cost"]
    assert clinician.text == f"No information: {cbt.missing['cost']}"
    patient = compare(kb, ["kap", "cbt"], audience="patient", lang="es").row("cost").cell("cbt")
    assert patient.text.startswith("Sin información")
    assert patient.missing_reason == cbt.missing["cost"]


@pytest.mark.parametrize(
    ("audience", "lang"), [("clinician", "en"), ("patient", "en"), ("patient", "es")]
)
def test_every_pair_gives_a_complete_grid_whose_sources_resolve(kb, audience, lang) -> None:
    for condition in (None, *CONDITIONS):
        for pair in itertools.combinations(MODALITY_IDS, 2):
            grid = compare(kb, list(pair), audience=audience, lang=lang, condition=condition)
            assert len(grid.rows) == len(ATTRIBUTES)
            for row in grid.rows:
                assert row.label.strip()
                for cell in row.cells:
                    where = f"{pair} {condition} {row.attribute} {cell.modality}"
                    assert cell.text.strip(), where
                    if cell.missing:
                        assert NO_INFORMATION[lang] in cell.text, where
                        assert cell.missing_reason and cell.missing_reason.strip(), where
                    else:
                        assert cell.sources, where
                    for ref in cell.sources:
                        assert kb.reference(ref).citation, where


def test_without_a_condition_the_evidence_row_lists_every_condition(kb) -> None:
    cell = compare(kb, ["kap", "cbt"]).row(STRENGTH).cell("kap")
    assert [p.condition for p in cell.parts] == list(CONDITIONS)
    assert "Generalized anxiety disorder: None" in cell.text


@pytest.mark.parametrize(
    ("ids", "options", "message"),
    [
        (["kap"], {}, "modalities: 1 given (kap); compare 2 to 4"),
        (["kap", "cbt", "ect", "emdr", "ifs"], {}, "modalities: 5 given"),
        (["kap", "cbt", "kap"], {}, "'kap' is given more than once"),
        (["kap", "nope"], {}, "'nope' is not known; valid ids: ketamine-iv,"),
        (["kap", "cbt"], {"condition": "ocd"}, "valid conditions: depression, trd, gad"),
        (["kap", "cbt"], {"lang": "fr"}, "language: 'fr' is not supported; valid languages: en"),
        (["kap", "cbt"], {"audience": "family"}, "valid audiences: clinician, patient"),
        (["kap", "cbt"], {"lang": "es"}, "for the patient audience only"),
    ],
)
def test_bad_requests_name_the_field_and_the_allowed_values(kb, ids, options, message) -> None:
    with pytest.raises(UserInputError) as info:
        compare(kb, ids, **options)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_json_shape_follows_the_design(kb) -> None:
    data = compare(kb, ["kap", "ssri-snri"], audience="patient", condition="gad").to_dict()
    assert {"modalities", "audience", "rows", "kb_version"} <= set(data)
    assert data["modalities"] == ["kap", "ssri-snri"] and data["audience"] == "patient"
    assert data["kb_version"] == kb.version.short
    for row in data["rows"]:
        assert {"attribute", "label", "values", "differs", "sources"} <= set(row)
        assert set(row["values"]) == {"kap", "ssri-snri"}
        assert isinstance(row["differs"], bool)


def test_timeline_uses_only_reported_ranges(kb) -> None:
    grid = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", condition="gad")
    lines = {t.modality: t for t in grid.timelines}
    assert (lines["kap"].onset.low, lines["kap"].onset.high) == (0.083, 1.0)
    assert lines["cbt"].onset is None and lines["cbt"].course is None
    texts = [(b.modality, b.kind, b.text) for b in chart_bars(grid.timelines, "en")]
    assert ("kap", "onset", "2 hours to 1 day") in texts
    assert ("ssri-snri", "onset", "1 week") in texts
    assert ("cbt", "onset", "not reported") in texts and ("cbt", "course", "not reported") in texts
    assert "sin datos" in [b.text for b in chart_bars(grid.timelines, "es")]


def test_course_weeks_become_days_and_read_back_as_weeks(kb) -> None:
    line = compare(kb, ["esketamine", "ect"]).timelines
    esketamine = next(t for t in line if t.modality == "esketamine")
    assert esketamine.course.low == 28.0 and esketamine.course.high == 56.0
    assert format_range(esketamine.course, "en") == "4 to 8 weeks"
    assert format_range(esketamine.course, "es") == "4 a 8 semanas"


@pytest.mark.parametrize(
    ("days", "en", "es"),
    [
        (0.01, "15 minutes", "15 minutos"),
        (1 / 24, "1 hour", "1 hora"),
        (0.083, "2 hours", "2 horas"),
        (1.0, "1 day", "1 día"),
        (0.71 * 7, "5 days", "5 días"),
        (14.0, "2 weeks", "2 semanas"),
        (1.5, "1.5 days", "1,5 días"),
    ],
)
def test_durations_are_given_in_words(days, en, es) -> None:
    assert format_duration(days, "en") == en
    assert format_duration(days, "es") == es


def test_axis_widens_to_fit_every_bar(kb) -> None:
    # IM ketamine's onset (about 1 hour) to exposure's course (8–15 weeks). Benzodiazepines
    # give no onset range any more: the sheet says "minutes to hours" only (issue 11).
    grid = compare(kb, ["ketamine-im", "exposure"])
    axis = build_axis(grid.timelines, "en")
    spans = [s for t in grid.timelines for s in (t.onset, t.course) if s]
    assert axis.low <= min(s.low for s in spans) and axis.high >= max(s.high for s in spans)
    assert axis.ticks[0][1] == "1 hour"
    assert axis.position(axis.low) == 0.0 and axis.position(axis.high) == pytest.approx(1.0)
    assert 0.0 < axis.position(TimeRange(1, 1, ()).low) < 1.0


def test_tick_labels_that_would_touch_are_left_out() -> None:
    ticks = [(0.0, "start"), (50.0, "a"), (52.0, "b"), (100.0, "end")]
    shown = visible_tick_labels(ticks, lambda text: 10.0, gap=2.0)
    assert shown == {"start", "a", "end"}


def test_text_report_lists_every_row(kb) -> None:
    grid = compare(kb, ["kap", "cbt"], audience="patient", condition="gad")
    report = text_report(grid)
    for row in grid.rows:
        assert row.label in report
    assert "KAP: " in report and grid.kb_version in report


def test_wording_file_is_complete_and_checked() -> None:
    assert wording("es")["questions_title"] == "Preguntas para hacer"
    broken = {
        "en": {**wording("en"), "range": "{low} to", "extra": "x"},
        "es": {k: v for k, v in wording("es").items() if k != "matters_title"},
    }
    problems = validate_wording(broken)
    assert "en.range: placeholders must be exactly {high}, {low}" in problems
    assert "en.extra: unknown key" in problems
    assert "es.matters_title: missing or empty text" in problems
