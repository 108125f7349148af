"""Scale printouts read back with pypdf: the prompt, the 'not a risk assessment' line,
the answers, the trend and the verbatim form text."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from kapdesk.content.model import KBVersion
from kapdesk.decide.scales import PreviousTotal, cited_references, get_scale, score
from kapdesk.documents.frame import PatientIdentifiers
from kapdesk.documents.scale_sheet import form_pdf, summary_pdf
from kapdesk.profile import ClinicProfile

VERSION = KBVersion("0123456789abcdef", date(2026, 12, 7))
PROFILE = ClinicProfile(clinic_name="Harbor Clinic", crisis_text_en="Call 988 now.")
TODAY = date(2026, 12, 7)


def text_of(pdf: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", raw)


def test_item9_zero_summary_has_no_prompt_and_never_says_no_risk(kb) -> None:
    # scales-monitoring.md §1.4: item 9 = 0 must not read as "no suicide risk" [S9].
    result = score(get_scale("phq9"), [3, 3, 3, 3, 3, 3, 3, 3, 0], profile=PROFILE, today=TODAY)
    pdf, pages = summary_pdf(
        result,
        profile=PROFILE,
        kb_version=VERSION,
        references=cited_references(kb, result),
        invariant=True,
    )
    text = text_of(pdf)
    assert pages >= 1 and "Safety prompt" not in text and "Call 988 now." not in text
    assert "does not replace a suicide-risk assessment" in text
    assert "24 of 27" in text and "Severe (20–27)" in text
    assert "no risk" not in text.lower()


def test_summary_with_prompt_trend_and_identity(kb) -> None:
    # §1.4: item 9 > 0 → prompt at the top of every printout, with the clinic's crisis text.
    result = score(
        get_scale("phq9"),
        [0, 0, 0, 0, 0, 0, 0, 0, 1],
        profile=PROFILE,
        previous=(PreviousTotal(date(2026, 10, 5), 14), PreviousTotal(date(2026, 11, 2), 9)),
        today=TODAY,
    )
    patient = PatientIdentifiers("Ana Pérez", "1980-02-03", "MRN-1")
    references = cited_references(kb, result)
    pdf, _ = summary_pdf(
        result,
        profile=PROFILE,
        kb_version=VERSION,
        references=references,
        patient=patient,
        invariant=True,
    )
    text = text_of(pdf)
    assert text.index("Safety prompt") < text.index("PHQ-9 score summary")
    assert "Call 988 now." in text and "1 of 27" in text and "0–4" in text
    # the identifier block is the frame's: on every page, not only the first
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    assert all("Ana Pérez" in p and "1980-02-03" in p and "MRN-1" in p for p in pages)
    assert "Trend" in text and "2026-10-05" in text and "2026-12-07 (today)" in text
    assert "no permission is required to reproduce" in text
    # every cited source is listed with its full citation from the knowledge base
    assert "References" in text and "Simon GE" in text and "Uebelacker LA" in text


def test_pcl5_summary_lists_clusters_and_provisional(kb) -> None:
    answers = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    result = score(get_scale("pcl5"), answers, today=TODAY)
    references = cited_references(kb, result)
    pdf, _ = summary_pdf(result, profile=PROFILE, kb_version=VERSION, references=references)
    text = text_of(pdf)
    assert "Provisional DSM-5 diagnosis yes" in text
    assert "B (intrusion symptoms), items 1–5 2" in text
    assert "Weathers" in text and "public domain" in text


def test_spanish_form_prints_the_sheet_text() -> None:
    scale = get_scale("phq9")
    for large in (False, True):
        pdf, _ = form_pdf(scale, "es", profile=PROFILE, kb_version=VERSION, large_print=large)
        text = text_of(pdf)
        for item in scale.texts["es"].items:
            assert item[:30] in text
        assert "No se requiere permiso para reproducir" in text
        assert "FOR OFFICE CODING" in text


def test_english_forms_print_options_and_licence() -> None:
    for scale_id in ("phq9", "gad7", "pcl5"):
        scale = get_scale(scale_id)
        pdf, pages = form_pdf(scale, "en", profile=PROFILE, kb_version=VERSION, invariant=True)
        text = text_of(pdf)
        assert pages <= 2 and scale.texts["en"].title in text
        assert all(option in text for option in scale.texts["en"].options)
        assert scale.licence.attribution[:25] in text
