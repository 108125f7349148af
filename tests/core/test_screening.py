"""The eligibility chart summary: tier, every finding, notes, answers, references, signature."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from kapdesk.decide.eligibility import EligibilityContext, evaluate, load_context
from kapdesk.documents.screening import screening_pdf
from kapdesk.errors import UserInputError
from kapdesk.kb.store import KnowledgeBase
from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile

PROFILE = ClinicProfile(clinic_name="Harbour Clinic", phone="555-0100", after_hours="555-0199")
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
    "cerebrovascular_insult_history": False,
    "untreated_hyperthyroidism": False,
    "preeclampsia_or_eclampsia": False,
    "age_years": 45,
    "breastfeeding": False,
    "hepatic_impairment": "none",
    "heart_disease": False,
    "other_cns_depressants": False,
    "psychostimulants": False,
    "lamotrigine": False,
    "maoi": False,
    "theophylline": False,
    "sympathomimetics_or_vasopressin": False,
    "informed_consent_obtained": True,
}


@pytest.fixture(scope="module")
def context(built_data_dir: Path) -> EligibilityContext:
    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        return load_context(kb)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_summary_holds_tier_findings_notes_and_missing(context: EligibilityContext) -> None:
    result = evaluate(ANSWERS, context)
    assert result.tier == "specialist_review" and len(result.findings) == 4
    pages = pdf_pages(screening_pdf(context, result, profile=PROFILE, invariant=True))
    whole = squash("".join(pages))
    assert squash("Result: Specialist review") in whole
    for finding in result.findings:
        assert squash(finding.message) in whole, finding.criterion
    assert squash("Research reference, not an order") in whole
    assert squash("for 80 kg is 40 mg over 40 minutes") in whole
    assert squash("Required questions not answered") in whole
    assert squash("Pregnant or planning pregnancy") in whole  # a missing item, by its label
    assert squash("Bipolar disorder") in whole and "Yes" in whole
    assert squash("Clinician name:") in whole and squash("Signature:") in whole
    assert "References" in whole and "Gaynes" in whole


def test_every_page_has_the_frame(context: EligibilityContext) -> None:
    result = evaluate(ANSWERS, context)
    pages = pdf_pages(screening_pdf(context, result, profile=PROFILE, invariant=True))
    for number, text in enumerate(pages, 1):
        flat = squash(text)
        assert "HarbourClinic" in flat and "555-0199" in flat
        assert f"Page{number}of{len(pages)}" in flat
        assert squash("not a substitute for clinical judgement") in flat
        assert context.kb_version.short in flat


def test_patient_name_only_when_typed(context: EligibilityContext) -> None:
    result = evaluate(ANSWERS, context)
    named = squash(
        "".join(
            pdf_pages(screening_pdf(context, result, profile=PROFILE, patient="Ana <b>Ruiz</b>"))
        )
    )
    assert squash("Patient: Ana <b>Ruiz</b>") in named  # printed literally, never parsed
    blank = squash("".join(pdf_pages(screening_pdf(context, result, profile=PROFILE))))
    assert "Patient:____" in blank and "Ruiz" not in blank


def test_eligible_summary_says_no_criterion_applies(context: EligibilityContext) -> None:
    clean = {**ANSWERS, "bipolar_disorder": False, "benzodiazepines": False}
    clean.update({"failed_adequate_trials": 2, "systolic_bp": 120, "diastolic_bp": 80})
    clean.update({"pregnant": False, "substance_use_disorder": False})
    result = evaluate(clean, context)
    assert result.tier == "eligible"
    whole = squash("".join(pdf_pages(screening_pdf(context, result, profile=PROFILE))))
    assert squash("Result: Eligible") in whole
    assert squash("No criterion applies to the answers given.") in whole


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ana \x07", "patient: character"), ("x" * 121, "patient: 121 characters")],
)
def test_unprintable_patient_name_is_refused(
    context: EligibilityContext, name: str, expected: str
) -> None:
    result = evaluate(ANSWERS, context)
    with pytest.raises(UserInputError) as info:
        screening_pdf(context, result, profile=PROFILE, patient=name)
    assert expected in str(info.value)
