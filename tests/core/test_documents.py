"""The document frame: escaping, letterhead on every page, page n of N, glyph checks."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from kapdesk.documents.markup import escape, undrawable
from kapdesk.documents.modality_sheet import write_modality_sheet
from kapdesk.errors import UserInputError
from kapdesk.profile import ClinicProfile

HOSTILE_NAME = 'Clinic <b>Bold</b> &amp; <img src="/etc/passwd"/> 😀'
HOSTILE_NOTE = (
    'Take <b>care</b> &amp; rest. <img src="/etc/passwd"/> <font color="red">x</font> "quotes" '
    "'single' 😀 "
)


def pdf_text(data: bytes) -> tuple[list[str], PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages], reader


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def hostile_pdf(kb) -> bytes:
    profile = ClinicProfile(
        clinic_name=HOSTILE_NAME, phone="555-0100", after_hours="555-0199 <on call>"
    )
    note = (HOSTILE_NOTE * 80)[:5000]
    assert len(note) == 5000
    out = io.BytesIO()
    write_modality_sheet(
        out, kb, kb.modality("ketamine-iv"), profile=profile, note=note, invariant=True
    )
    return out.getvalue()


def test_hostile_text_prints_literally(hostile_pdf: bytes) -> None:
    pages, _ = pdf_text(hostile_pdf)
    whole = squash("".join(pages))
    assert squash('<img src="/etc/passwd"/>') in whole
    assert squash("<b>care</b> &amp; rest.") in whole
    assert squash('<font color="red">x</font>') in whole
    assert "😀" in whole


def test_letterhead_and_page_numbers_on_every_page(hostile_pdf: bytes) -> None:
    pages, _ = pdf_text(hostile_pdf)
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, 1):
        flat = squash(text)
        assert squash(HOSTILE_NAME) in flat, f"letterhead missing on page {number}"
        assert squash("555-0199 <on call>") in flat
        assert squash(f"Page {number} of {total}") in flat
        assert "decisionaid,notasubstituteforclinicaljudgement" in flat
        assert "Knowledgebase" in flat


def test_no_file_was_read_for_the_img_tag(kb, monkeypatch) -> None:
    import builtins

    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    write_modality_sheet(
        io.BytesIO(),
        kb,
        kb.modality("emdr"),
        profile=ClinicProfile(clinic_name=HOSTILE_NAME),
        note=HOSTILE_NOTE,
    )
    assert not any("passwd" in path for path in opened)


def test_output_is_deterministic_with_invariant(kb) -> None:
    def build() -> bytes:
        out = io.BytesIO()
        write_modality_sheet(
            out, kb, kb.modality("cbt"), profile=ClinicProfile(clinic_name="A"), invariant=True
        )
        return out.getvalue()

    assert build() == build()


def test_undrawable_character_is_reported_with_its_position(kb) -> None:
    with pytest.raises(UserInputError, match=r"note: character '中' \(U\+4E2D\) at position 4"):
        write_modality_sheet(
            io.BytesIO(), kb, kb.modality("emdr"), profile=ClinicProfile(), note="abc中文"
        )
    assert undrawable("ñáé€✓😀") == []


def test_escape_is_the_only_markup_path() -> None:
    assert escape('<b>&amp;"x"\n') == "&lt;b&gt;&amp;amp;&quot;x&quot;<br/>"


def test_note_longer_than_the_limit_is_refused(kb) -> None:
    with pytest.raises(UserInputError, match="note: 5001 characters; at most 5000"):
        write_modality_sheet(
            io.BytesIO(), kb, kb.modality("emdr"), profile=ClinicProfile(), note="x" * 5001
        )
