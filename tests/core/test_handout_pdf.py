"""Handout PDFs from the neutral fixture texts: frame, call box, checklist, large print,
patient details printed literally, bundles with a contents list, metadata."""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from kapdesk.content.handouts import HandoutLibrary, load_library
from kapdesk.documents.handout import HandoutOptions, render_handouts
from kapdesk.documents.notices import profile_warnings
from kapdesk.errors import UserInputError
from kapdesk.profile import ClinicProfile
from tests.handout_fixtures import (
    CLINIC,
    KB_VERSION,
    body_runs,
    body_text,
    build_handout_root,
    page_texts,
    squash,
    text_runs,
)

HOSTILE = (
    'Take <b>care</b> &amp; rest. <img src="/etc/passwd"/> <font color="red">x</font> '
    "\"double\" 'single' 😀 "
)


@pytest.fixture
def library(tmp_path: Path) -> HandoutLibrary:
    return load_library(build_handout_root(tmp_path / "resources"))


def render(library: HandoutLibrary, ids=("after-your-session",), profile=CLINIC, **options):
    return render_handouts(
        library,
        list(ids),
        options=HandoutOptions(**options),
        profile=profile,
        kb_version=KB_VERSION,
        invariant=True,
    )


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("large_print", [False, True])
def test_every_page_has_letterhead_phone_and_after_hours(
    library: HandoutLibrary, lang: str, large_print: bool
) -> None:
    rendered = render(library, lang=lang, large_print=large_print)
    pages = page_texts(rendered.pdf)
    assert rendered.pages == len(pages) >= 2
    page_word = "Página" if lang == "es" else "Page"
    for number, text in enumerate(pages, 1):
        flat = squash(text)
        assert "ValleVerdeClinic" in flat and "555-0100" in flat
        assert squash("555-0199 (on-call nurse)") in flat, f"after-hours missing on {number}"
        assert squash(f"{page_word} {number}") in flat


@pytest.mark.parametrize("lang", ["en", "es"])
def test_everything_measured_is_printed(library: HandoutLibrary, lang: str) -> None:
    """The readability score is the score of the printed text: every unit is in the PDF."""
    whole = squash("".join(page_texts(render(library, lang=lang).pdf)))
    for unit in library.printed_units(library.get("after-your-session", lang)):
        assert squash(unit) in whole


def test_call_box_has_the_clinic_numbers_and_crisis_text(library: HandoutLibrary) -> None:
    whole = squash("".join(page_texts(render(library, lang="es").pdf)))
    assert squash("Llame a la clínica si:") in whole
    assert squash("Teléfono de la clínica: 555-0100") in whole
    assert squash("Fuera de horario: 555-0199 (on-call nurse)") in whole
    assert squash("Llame al 911 o vaya a la sala de emergencias más cercana si:") in whole
    assert squash(CLINIC.crisis_text_es) in whole
    assert squash(CLINIC.crisis_text_en) not in whole  # never English in a Spanish box


def test_spanish_document_without_a_spanish_crisis_text_prints_only_its_own(
    library: HandoutLibrary,
) -> None:
    english_only = replace(CLINIC, crisis_text_es="")
    whole = squash("".join(page_texts(render(library, lang="es", profile=english_only).pdf)))
    assert squash("Llame al 911 o vaya a la sala de emergencias más cercana si:") in whole
    assert squash(CLINIC.crisis_text_en) not in whole
    assert profile_warnings(english_only, "es") and not profile_warnings(english_only, "en")


@pytest.mark.parametrize(
    ("lang", "call"),
    [
        ("en", "Call your care team at the number they gave you."),
        ("es", "Llame a su equipo de salud al número que le dieron."),
    ],
)
def test_without_a_profile_the_call_box_says_call_your_care_team(
    library: HandoutLibrary, lang: str, call: str
) -> None:
    whole = squash("".join(page_texts(render(library, lang=lang, profile=ClinicProfile()).pdf)))
    assert squash(call) in whole
    # Nothing meant for staff: no blanks to fill in, no menu path, no "not set".
    for staff in ("____", "Settings", "Configuración", "not set", "sin configurar"):
        assert staff not in whole
    assert profile_warnings(ClinicProfile(), lang)  # the CLI and GUI warn before printing


def test_steps_are_a_checklist_with_boxes(library: HandoutLibrary) -> None:
    runs = text_runs(render(library).pdf)
    boxes = [r for r in runs if r.text.strip() == "☐"]
    steps = library.get("after-your-session", "en").blocks[9].items
    assert len(boxes) == len(steps) == 3


def test_large_print_body_is_18pt_bold_with_line_spacing_1_5(library: HandoutLibrary) -> None:
    runs = body_runs(render(library, lang="es", large_print=True, note="Una nota.").pdf)
    assert runs
    assert min(r.size for r in runs) >= 18
    assert all("Bold" in r.font and "Oblique" not in r.font for r in runs)
    for page in {r.page for r in runs}:
        lines = sorted({round(r.y, 2) for r in runs if r.page == page}, reverse=True)
        gaps = [upper - lower for upper, lower in itertools.pairwise(lines)]
        assert min(gaps) >= 18 * 1.5 - 0.01
    assert all(r.x >= 43 for r in runs)  # left aligned from the margin


def test_no_italics_and_no_capitals_in_any_edition(library: HandoutLibrary) -> None:
    for large_print in (False, True):
        runs = text_runs(render(library, large_print=large_print).pdf)
        assert not any("Oblique" in r.font for r in runs)
        assert not any(r.text.isupper() and len(r.text.strip()) > 3 for r in runs)


def test_standard_edition_body_is_at_least_12pt(library: HandoutLibrary) -> None:
    runs = body_runs(render(library).pdf)
    text = [r for r in runs if not r.text.startswith("This sheet was last checked")]
    assert len(text) < len(runs) and min(r.size for r in text) >= 12


def test_patient_details_first_page_only_and_literal(library: HandoutLibrary) -> None:
    rendered = render(library, patient="Ana <b>Ruiz</b>", appointment="Tue & 10:00", note=HOSTILE)
    pages = [squash(t) for t in page_texts(rendered.pdf)]
    assert squash("For: Ana <b>Ruiz</b>") in pages[0]
    assert squash("Your next appointment: Tue & 10:00") in pages[0]
    assert squash(HOSTILE) in pages[0]
    assert not any("AnaRuiz" in page or "Ruiz</b>" in page for page in pages[1:])


@pytest.mark.parametrize("large_print", [False, True])
def test_hostile_5000_character_note_and_name_print_literally(
    library: HandoutLibrary, large_print: bool
) -> None:
    note = (HOSTILE * 80)[:5000]
    name = ('<img src="x"/> &amp; "Zoë" 😀 ' * 200)[:5000]
    rendered = render(library, note=note, patient=name, large_print=large_print)
    whole = body_text(rendered.pdf)
    assert squash(note) in whole
    assert squash(name) in whole


def test_img_tag_in_a_note_opens_no_file(library: HandoutLibrary, monkeypatch) -> None:
    import builtins

    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    render(library, note=HOSTILE, patient='<img src="/etc/passwd"/>')
    assert not any("passwd" in path for path in opened)


@pytest.mark.parametrize("field", ["patient", "note", "appointment"])
def test_undrawable_character_is_reported_with_its_position(
    library: HandoutLibrary, field: str
) -> None:
    with pytest.raises(
        UserInputError, match=rf"{field}: character '中' \(U\+4E2D\) at position 4 cannot"
    ):
        render(library, **{field: "abc中文"})


def test_over_long_details_are_refused(library: HandoutLibrary) -> None:
    with pytest.raises(UserInputError, match="note: 5001 characters; at most 5000"):
        render(library, note="x" * 5001)


def test_bundle_has_a_contents_page_with_true_page_numbers(library: HandoutLibrary) -> None:
    rendered = render(library, ids=("after-your-session", "emdr"), lang="es", patient="Ana")
    pages = [squash(t) for t in page_texts(rendered.pdf)]
    assert "Sushojasinformativas" in pages[0] and squash("¿Qué hay en este paquete?") in pages[0]
    assert "Para:Ana" in pages[0] and not any("Para:Ana" in p for p in pages[1:])
    for number, hid in enumerate(("after-your-session", "emdr"), 1):
        title = squash(library.get(hid, "es").title)
        starts = next(i for i, page in enumerate(pages[1:], 2) if page.find(title) != -1)
        assert squash(f"{number}. {library.get(hid, 'es').title}página{starts}") in pages[0]
    assert rendered.suggested_name == "handouts-2-es.pdf"


def test_readability_and_pemat_are_stored_in_the_metadata(library: HandoutLibrary) -> None:
    rendered = render(library, lang="es", large_print=True)
    meta = PdfReader(io.BytesIO(rendered.pdf)).metadata
    score = library.readability(library.get("after-your-session", "es")).score
    assert meta.title == "Hoja de prueba: después de su visita"
    assert f"Fernández-Huerta {score:.1f} (target ≥ 70)" in meta.subject
    assert f"after-your-session fernandez_huerta={score:.1f}" in meta["/Keywords"]
    assert "after-your-session pemat-understandability=92" in meta["/Keywords"]
    assert "large print" in meta["/Keywords"]
    assert rendered.suggested_name == "after-your-session-es-large-print.pdf"


def test_patient_details_stay_out_of_the_metadata(library: HandoutLibrary) -> None:
    rendered = render(library, patient="Zed Quorra", note="Private note")
    meta = PdfReader(io.BytesIO(rendered.pdf)).metadata
    assert not any("Quorra" in str(v) or "Private" in str(v) for v in meta.values())


def test_unknown_topic_and_language(library: HandoutLibrary) -> None:
    with pytest.raises(UserInputError, match="topic: 'x' is not a handout; valid topics"):
        render(library, ids=("x",))
    with pytest.raises(UserInputError, match="lang: 'de' is not a handout language"):
        render(library, lang="de")


def test_output_is_deterministic_with_invariant(library: HandoutLibrary) -> None:
    assert render(library, patient="A").pdf == render(library, patient="A").pdf
