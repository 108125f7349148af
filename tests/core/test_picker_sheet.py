"""The picker's clinician summary PDF: ranked names, reasons, alerts, references, frame."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from kapdesk.decide.integration import parse_presentation, pick
from kapdesk.documents.picker_sheet import picker_sheet_bytes
from kapdesk.profile import ClinicProfile

PROFILE = ClinicProfile(clinic_name="Valle Verde <Clinic> & Co", phone="555-0100")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def render(kb, **raw) -> tuple[str, list[str], object]:
    result = pick(kb, parse_presentation(raw))
    data = picker_sheet_bytes(kb, result, profile=PROFILE, invariant=True)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return squash(" ".join(pages)), pages, result


def test_pdf_lists_every_ranked_option_with_its_reasons(kb) -> None:
    text, pages, result = render(
        kb, trauma_origin=True, intrusive_imagery=True, condition="ptsd", offered=["cbt"]
    )
    positions = [text.index(squash(f"{r.rank}. {r.name}")) for r in result.ranked]
    assert positions == sorted(positions)  # printed in rank order
    for candidate in result.ranked:
        for reason in candidate.fit:
            assert squash(f"{reason.label}: {reason.text}") in text
    assert squash("Not offered here: refer out") in text
    assert squash("Evidence for Post-traumatic stress disorder (PTSD): Strong") in text
    assert "))" not in text  # no doubled brackets
    # Dissociation unknown blocks EMDR/ART until assessed (modalities.md §16 line 459).
    assert squash("Screen for dissociation first (DES-II plus a structured interview)") in text
    assert squash("Hypothesis (evidence low):") in text
    assert squash("Valle Verde <Clinic> & Co") in squash(pages[0])
    assert all(f"of {len(pages)}" in page for page in pages)
    for ref in result.source_ids():
        assert squash(kb.reference(ref).citation[:40]) in text


def test_pdf_puts_the_safety_message_first_and_marks_blocks(kb) -> None:
    text, _, result = render(kb, trauma_origin=True, active_psychosis_or_mania=True)
    alert = text.index(squash(result.alerts[0].text))
    assert alert < text.index("Presentation") < text.index("Rankedoptions")
    assert text.count("BLOCKED") == 4  # EMDR, ART, exposure and trauma-focused CBT
    assert squash("Active psychosis or mania: Defer trauma processing") in text
