"""Reviewer notes on references are kept in the data and never shown to a user (issue 11).

A reference's `citation` is what the app, the CLI and every PDF print; the reviewer's
note ([weak], UNVERIFIED, "not read in full", …) lives in `note`, which only
`kapdesk kb verify --notes` lists.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from kapdesk.content.kinds import load_content
from kapdesk.content.model import MODALITY_IDS
from kapdesk.errors import ContentError
from kapdesk.paths import resources_dir
from tests.cli.harness import call as run

# The markers the issue names, as a reviewer writes them.
MARKERS = (
    "[weak]",
    "not read in full",
    "UNVERIFIED",
    "recalled",
    "authors not captured",
    "PMID from an aggregator",
)
ANSWERS = {"hypersensitivity": True, "pregnant": True, "maoi": True, "route": "iv"}


def assert_clean(text: str, where: str) -> None:
    found = [m for m in MARKERS if m.lower() in text.lower()]
    assert not found, f"{where} shows a reviewer note: {found}"


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def test_notes_are_kept_with_the_references_but_not_in_what_they_show() -> None:
    content = load_content()
    noted = {ref_id: ref for ref_id, ref in content.references.items() if ref.note}
    # safety-addendum.md §C (f): the still-unconfirmed references keep their notes.
    for ref_id in ("spravato-uspi", "fda-2023-compounded-ketamine-warning", "yale-bp-2024",
                   "singh-2016", "false-memory-practice-consensus"):  # fmt: skip
        assert ref_id in noted, ref_id
    assert any(m in " ".join(r.note or "" for r in noted.values()) for m in MARKERS)
    for ref in content.references.values():
        assert_clean(ref.full_citation(), ref.id)
        assert "note" not in ref.to_dict()
    # §C (e): the unused aggregator entry is gone.
    assert "clinical-dossier-secondary" not in content.references


def test_a_citation_holding_a_reviewer_note_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "resources"
    shutil.copytree(resources_dir() / "content", root / "content")
    refs = root / "content" / "references.toml"
    text = refs.read_text(encoding="utf-8")
    refs.write_text(text.replace("10 October 2023.", "10 October 2023 [weak].", 1), "utf-8")
    with pytest.raises(ContentError) as info:
        load_content(root)
    assert any(
        "fda-2023-compounded-ketamine-warning.citation: '[weak]' is a reviewer's note" in p
        for p in info.value.problems
    ), info.value.problems


def test_kb_verify_lists_notes_only_when_asked(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "kb", "verify")
    assert code == 0 and out.startswith("OK:")
    assert_clean(out, "kb verify")
    code, out, _ = run(capsys, data_dir, "kb", "verify", "--notes")
    assert code == 0 and "Reviewer notes (" in out
    assert "spravato-uspi: [weak]" in out and "not read in full" in out


@pytest.mark.parametrize("modality", MODALITY_IDS)
def test_show_prints_no_reviewer_note(capsys, data_dir: Path, modality: str) -> None:
    code, out, _ = run(capsys, data_dir, "show", modality)
    assert code == 0
    assert_clean(out, f"show {modality}")
    code, out, _ = run(capsys, data_dir, "show", modality, "--json")
    assert code == 0 and json.loads(out)["references"]
    assert_clean(out, f"show {modality} --json")


def test_printouts_show_no_reviewer_note(capsys, data_dir: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    presentation = tmp_path / "presentation.json"
    presentation.write_text(json.dumps({"trauma_origin": True, "avoidance": True}), "utf-8")
    commands = {
        "modality sheet (ketamine-iv)": ["show", "ketamine-iv", "--pdf"],
        "modality sheet (esketamine)": ["show", "esketamine", "--pdf"],
        "clinician comparison": ["compare", "kap", "esketamine", "ketamine-iv", "--pdf"],
        "screening summary": ["check", str(answers), "--pdf"],
        "picker summary": ["pick", str(presentation), "--pdf"],
        "blank session record": ["session", "--blank", "--product", "racemic", "--pdf"],
    }
    for name, args in commands.items():
        out_pdf = tmp_path / f"{len(list(tmp_path.iterdir()))}.pdf"
        code, _, err = run(capsys, data_dir, *args, str(out_pdf))
        assert code == 0, (name, err)
        text = pdf_text(out_pdf)
        assert_clean(text, name)
    for args in (["check", str(answers), "--json"], ["interactions", "theophylline", "--json"]):
        code, out, _ = run(capsys, data_dir, *args)
        assert code == 0
        assert_clean(out, " ".join(args))
