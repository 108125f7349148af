"""The document frame on every document kind: keep-together and page-fill rules (read
from the doc template's hooks), the letterhead that grows without overlapping (read from
text positions in the PDF), footers and dates in the document's language, PDF metadata,
and the clinician records' identifier block."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from kapdesk.content.model import LANGUAGES
from kapdesk.decide.compare import compare
from kapdesk.decide.eligibility import evaluate, load_context
from kapdesk.decide.integration import parse_presentation, pick
from kapdesk.decide.scales import PreviousTotal, cited_references, get_scale, score
from kapdesk.decide.session import evaluate as evaluate_session
from kapdesk.decide.session import read_record
from kapdesk.documents.comparison import comparison_pdf
from kapdesk.documents.frame import (
    PatientIdentifiers,
    capture_layouts,
    layout_problems,
)
from kapdesk.documents.handout import HandoutOptions, render_handouts
from kapdesk.documents.markup import check_drawable
from kapdesk.documents.modality_sheet import write_modality_sheet
from kapdesk.documents.picker_sheet import picker_sheet_bytes
from kapdesk.documents.plan_sheet import plan_pdf
from kapdesk.documents.scale_sheet import summary_pdf
from kapdesk.documents.screening import ScreeningDetails, screening_pdf
from kapdesk.documents.session_sheet import blank_form_pdf, session_record_pdf
from kapdesk.errors import UserInputError
from kapdesk.kb.catalog import library
from kapdesk.kb.store import KnowledgeBase
from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from tests.handout_fixtures import frame_rules, page_texts, squash, text_runs

PROFILE = ClinicProfile(
    clinic_name="Harbour Clinic",
    address="12 Quay Street\nPort Town, CA 90000",
    phone="555-0100",
    after_hours="555-0199",
    crisis_text_en="Crisis line: call or text 555-0111.",
    crisis_text_es="Línea de crisis: llame o envíe un texto al 555-0111.",
    after_hours_es="555-0199 (en español)",
)
LONG_NAME = (
    "Harbour Valley Integrated Behavioral Health and Ketamine-Assisted Psychotherapy "
    "Collaborative of Port Town"
)[:120]
BIG = ClinicProfile(
    clinic_name=LONG_NAME,
    address="Suite 400, Harbour Medical Arts Building\n1200 Quay Street North\n"
    "Port Town, CA 90000-1234",
    phone="(555) 010-0100",
    after_hours="on-call nurse (555) 010-0199 · answering service (555) 010-0188",
)
ANSWERS = {
    "route": "iv",
    "weight_kg": 80,
    "condition": "trd",
    "failed_adequate_trials": 1,
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_hemorrhage_history": False,
    "hypersensitivity": False,
    "bp_rise_serious_hazard": False,
    "systolic_bp": 150,
    "diastolic_bp": 92,
    "psychosis_history": False,
    "bipolar_disorder": True,
    "benzodiazepines": True,
    "has_escort_home": True,
    "can_avoid_driving_until_next_day": True,
}
# Every handout appears in a bundle of each size.
BUNDLES = (
    ("what-is-kap", "after-your-session"),
    ("is-kap-right-for-me", "preparing-for-your-session"),
    ("side-effects-and-safety", "esketamine-spravato"),
    ("emdr", "art", "ifs"),
    ("integration-sessions", "what-is-kap", "side-effects-and-safety"),
    ("preparing-for-your-session", "after-your-session", "emdr", "esketamine-spravato"),
    ("is-kap-right-for-me", "art", "ifs", "integration-sessions"),
)


@pytest.fixture(scope="module")
def kb_module(built_data_dir: Path):
    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        yield kb


def render_layout(func, *args, **kwargs):
    """Call a document function; return its result and the layout the frame recorded."""
    with capture_layouts() as layouts:
        result = func(*args, **kwargs)
    assert layouts  # a bundle is laid out until its contents page numbers settle
    return result, layouts[-1]


def handout(kb, ids, lang="en", large=False, profile=PROFILE):
    options = HandoutOptions(lang=lang, large_print=large)
    return render_layout(
        render_handouts, library(), ids, options=options, profile=profile, kb_version=kb.version
    )


# --- keep-together and page-fill rules ------------------------------------------------


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_handout_keeps_its_boxes_together_and_fills_its_pages(kb_module, lang, large):
    for handout_id in library().ids:
        rendered, layout = handout(kb_module, [handout_id], lang, large)
        assert layout_problems(layout) == [], (handout_id, lang, large)
        roles = [role for page in layout.pages for role in page.roles()]
        assert {"clinic-box", "clinic-box+"} & set(roles) and roles.count("emergency-box") == 1
        assert rendered.pages == len(layout.pages)


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_bundles_of_two_to_four_follow_the_rules(kb_module, lang, large):
    for bundle in BUNDLES:
        _, layout = handout(kb_module, list(bundle), lang, large)
        assert layout_problems(layout) == [], (bundle, lang, large)
        emergency = [r for page in layout.pages for r in page.roles() if r == "emergency-box"]
        assert len(emergency) == len(bundle)  # one whole call unit per handout


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plan_follows_the_rules(kb_module, lang, large):
    result = pick(kb_module, parse_presentation({"trauma_origin": True, "condition": "ptsd"}))
    chosen = [c.modality for c in result.ranked if not c.blocked]
    assert len(chosen) >= 4
    for modality in chosen:
        options = HandoutOptions(lang=lang, large_print=large)
        _, layout = render_layout(
            plan_pdf, kb_module, result, profile=PROFILE, modality=modality, options=options
        )
        assert layout_problems(layout) == [], (modality, lang, large)


def test_summaries_and_reference_sheets_follow_the_rules(kb_module, tmp_path: Path):
    result = pick(
        kb_module,
        parse_presentation({"trauma_origin": True, "intrusive_imagery": True, "condition": "ptsd"}),
    )
    _, layout = render_layout(picker_sheet_bytes, kb_module, result, profile=PROFILE)
    assert layout_problems(layout) == []
    context = load_context(kb_module)
    _, layout = render_layout(screening_pdf, context, evaluate(ANSWERS, context), profile=PROFILE)
    assert layout_problems(layout) == []
    for modality in ("esketamine", "emdr", "ketamine-iv"):
        _, layout = render_layout(
            write_modality_sheet,
            tmp_path / f"{modality}.pdf",
            kb_module,
            kb_module.modality(modality),
            profile=PROFILE,
            note="Check blood pressure before each dose. " * 12,
        )
        assert layout_problems(layout) == [], modality
    # The PHQ-9 summary with a trend ends with its references: no stub last page.
    result = score(
        get_scale("phq9"),
        [1, 2, 3, 2, 1, 0, 2, 1, 1],
        previous=(PreviousTotal(date(2026, 10, 5), 18), PreviousTotal(date(2026, 11, 2), 15)),
    )
    (pdf, pages), layout = render_layout(
        summary_pdf,
        result,
        profile=PROFILE,
        kb_version=kb_module.version,
        references=cited_references(kb_module, result),
        patient=PatientIdentifiers("Ana Pérez", "1980-02-03", "MRN-1"),
    )
    assert pages >= 2 and layout_problems(layout) == []
    citations = [t for t in page_texts(pdf) if "References" in t]
    assert len(citations) == 1 and "1.SimonGE" in squash(citations[0])
    # The dosing-session record and its blank form: one page each, identifiers on it.
    record = evaluate_session(
        read_record(
            {
                "product": "esketamine",
                "dose_mg": 56,
                "readings": [{"minutes": 0, "systolic": 150, "diastolic": 95}],
                "medications": ["diazepam"],
            }
        )
    )
    patient = PatientIdentifiers("Ana Pérez", "1980-02-03", "MRN-1")
    for make in (session_record_pdf, blank_form_pdf):
        pdf, layout = render_layout(make, kb_module, record, profile=PROFILE, patient=patient)
        assert layout_problems(layout) == [] and len(layout.pages) == 1, make.__name__
        assert "MRN-1" in page_texts(pdf)[0]


# --- letterhead ---------------------------------------------------------------------


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
def test_long_letterhead_grows_and_never_overlaps(kb_module, large):
    rendered, _ = handout(kb_module, ["what-is-kap"], "en", large, profile=BIG)
    rules = frame_rules(rendered.pdf)
    runs = text_runs(rendered.pdf)
    for number, (top_rule, _) in enumerate(rules, 1):
        page = [r for r in runs if r.page == number]
        head = sorted((r for r in page if r.y > top_rule), key=lambda r: -r.y)
        body = [r for r in page if r.y < top_rule]
        head_text = squash("".join(r.text for r in head))
        for part in (LONG_NAME, "1200 Quay Street North", "(555) 010-0100", "(555) 010-0188"):
            assert squash(part) in head_text, (number, part)
        # Every letterhead line sits above the rule by at least its descent; lines do
        # not overlap one another; the body (the title on page 1) starts below the rule.
        baselines = sorted({round(r.y, 1) for r in head}, reverse=True)
        assert len(baselines) >= 4  # the name wraps, the address and contacts follow
        for upper, lower in itertools.pairwise(baselines):
            size = max(r.size for r in head if round(r.y, 1) == lower)
            assert upper - lower >= size * 0.95
        assert min(r.y - 0.25 * r.size for r in head) > top_rule
        assert body and max(r.y + r.size for r in body) < top_rule
    assert "Settings" not in "".join(page_texts(rendered.pdf))


def test_clinician_record_has_the_identifier_block_on_every_page(kb_module):
    context = load_context(kb_module)
    details = ScreeningDetails(
        PatientIdentifiers("Ana Ruiz", "1980-02-03", "MRN-0077"),
        screener="J. Park, RN",
        vitals_time="09:40",
    )
    pdf, _ = render_layout(
        screening_pdf, context, evaluate(ANSWERS, context), profile=BIG, details=details
    )
    pages = page_texts(pdf)
    assert len(pages) >= 2
    rules = frame_rules(pdf)
    runs = text_runs(pdf)
    for number in range(1, len(pages) + 1):
        head = squash(
            "".join(r.text for r in runs if r.page == number and r.y > rules[number - 1][0])
        )
        for part in ("Patient: Ana Ruiz", "Date of birth: 1980-02-03", "Record no.: MRN-0077"):
            assert squash(part) in head, (number, part)
    whole = squash(" ".join(pages))
    assert squash("Screened by: J. Park, RN") in whole and squash("Vitals taken at: 09:40") in whole
    assert whole.index("Clinicianreview") < whole.index("References")  # signatures first


def test_identifiers_left_empty_print_lines_to_write_on(kb_module):
    result = pick(kb_module, parse_presentation({"trauma_origin": True}))
    pdf = picker_sheet_bytes(kb_module, result, profile=PROFILE)
    for page in page_texts(pdf):
        assert re.search(r"Patient:\s*_{6,}", page) and re.search(r"Record no\.:\s*_{6,}", page)


# --- footers, dates and metadata ---------------------------------------------------------


def test_patient_footer_speaks_the_documents_language(kb_module):
    rendered, _ = handout(kb_module, ["emdr"], "es")
    printed = date.today()
    months = (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    )
    month = months.split()[printed.month - 1]
    for page in page_texts(rendered.pdf):
        assert squash(f"Impreso el {printed.day} de {month} de {printed.year}") in squash(page)
        assert "Contenido revisado el" in page and "(versión " in page
        assert not re.search(r"\d{4}-\d{2}-\d{2}", page)  # no ISO dates
        assert kb_module.version.short not in page and "decision aid" not in page
        assert "ayuda para decidir" not in page  # the staff line stays off patient pages


def test_clinician_footer_keeps_the_hash_and_the_decision_aid_line(kb_module):
    result = pick(kb_module, parse_presentation({"trauma_origin": True}))
    for page in page_texts(picker_sheet_bytes(kb_module, result, profile=PROFILE)):
        assert kb_module.version.short in page
        assert "decision aid, not a substitute for clinical judgement" in page


@pytest.mark.parametrize(("lang", "tag"), [("en", "en-US"), ("es", "es-US")])
def test_pdf_lang_title_and_display_doc_title(kb_module, lang, tag):
    rendered, _ = handout(kb_module, ["what-is-kap"], lang)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == tag
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] is True or str(
        root["/ViewerPreferences"]["/DisplayDocTitle"]
    ).lower() in {"true", "1"}
    assert reader.metadata.title == rendered.title == library().get("what-is-kap", lang).title


# --- clinician comparison ----------------------------------------------------------------


@pytest.mark.parametrize(
    "ids", [("ketamine-iv", "esketamine", "emdr"), ("ketamine-iv", "esketamine", "emdr", "cbt")]
)
def test_clinician_comparison_repeats_its_header_and_continued_labels(kb_module, ids):
    comparison = compare(kb_module, list(ids), audience="clinician", lang="en")
    pdf, _ = comparison_pdf(kb_module, comparison, profile=PROFILE)
    texts = page_texts(pdf)
    grid_pages = [t for t in texts if "References" not in t or "Attribute" in t]
    continued = 0
    for text in grid_pages:
        if "Attribute" not in text:
            continue
        assert text.count("Attribute") == 1  # one header row, at the top of the page
        continued += text.count("(continued)")
    assert continued >= 1  # some rows are taller than a page and say so
    for text in texts:
        assert "))" not in text.replace("(PTSD))", "")


# --- right-to-left text ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["שלום", "مرحبا", "Note: שלום"])
def test_right_to_left_text_is_refused_like_other_undrawable_characters(text):
    with pytest.raises(UserInputError) as error:
        check_drawable(text, "note")
    message = str(error.value)
    assert message.startswith("note: character ") and "cannot be printed" in message
    assert "\n" not in message
