"""`kapdesk pick`: JSON shape, text report, PDF, clinic profile default, one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile, ProfileStore
from tests.cli.harness import call as run
from tests.cli.harness import write_json


def write(tmp_path: Path, data) -> str:
    return write_json(tmp_path, data, "presentation.json")


def test_pick_json_shape(capsys, data_dir: Path, tmp_path: Path) -> None:
    source = write(tmp_path, {"trauma_origin": True, "condition": "ptsd", "offered": ["cbt"]})
    code, out, err = run(capsys, data_dir, "pick", source, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["kb_version"] and len(doc["ranked"]) == 6
    first = doc["ranked"][0]
    assert {"modality", "score", "fit", "cautions", "blocked", "evidence", "available"} <= set(
        first
    )
    # Dissociation not given = unknown: EMDR and ART are blocked until assessed
    # (modalities.md §16 line 459), so trauma-focused CBT (strong for PTSD) comes first.
    assert first["modality"] == "cbt" and first["evidence"] == "strong"
    assert first["available"] is True and first["blocked"] is False
    assert first["fit"][0].startswith("Rooted in past adverse events: ")
    emdr = next(r for r in doc["ranked"] if r["modality"] == "emdr")
    assert emdr["blocked"] is True and emdr["available"] is False
    assert "Screen for dissociation first" in emdr["blocked_reason"]
    assert [r["modality"] for r in doc["ranked"] if r["available"]] == ["cbt"]
    assert any(t["hypothesis"] for t in doc["timing"])


def test_pick_reads_stdin_and_prints_a_report(capsys, data_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"acute_suicidality_or_crisis": true}'))
    code, out, _ = run(capsys, data_dir, "pick", "-")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("!! Stabilisation and safety first")
    assert out.count("BLOCKED") == 3 and "Timing of integration sessions" in out


def test_pick_uses_the_clinic_profiles_offered_list(capsys, data_dir: Path, tmp_path) -> None:
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        store.save(ClinicProfile(clinic_name="Valle Verde", offered=("ifs", "cbt")))
    code, out, _ = run(capsys, data_dir, "pick", write(tmp_path, {}), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["offered_from"] == "clinic profile"
    available = {r["modality"] for r in doc["ranked"] if r["available"]}
    assert available == {"ifs", "cbt"}


def test_pick_pdf(capsys, data_dir: Path, tmp_path: Path) -> None:
    out_pdf = tmp_path / "pick.pdf"
    source = write(tmp_path, {"self_criticism_or_parts": True, "condition": "depression"})
    code, out, err = run(capsys, data_dir, "pick", source, "--pdf", str(out_pdf))
    assert code == 0 and out == "" and "Wrote" in err
    text = " ".join(page.extract_text() for page in PdfReader(out_pdf).pages)
    assert "Internal Family Systems (IFS)" in text and "References" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"trauma_origin": tru', "presentation: not valid JSON"),
        ('{"colour": "red"}', 'unknown key "colour"; allowed keys: trauma_origin'),
        ('{"nightmares": "often"}', 'nightmares: "often" (text) is not allowed; allowed: true'),
        ('{"dissociation": "some"}', "allowed: low, moderate, high, unknown"),
        ('{"condition": "ocd"}', 'condition: "ocd" is not allowed; allowed: depression'),
        ('{"offered": ["emdr", "reiki"]}', 'offered[1]: "reiki" is not a modality id'),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, data_dir, tmp_path, content, expected) -> None:
    code, out, err = run(capsys, data_dir, "pick", write(tmp_path, content), "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_missing_file_exits_2(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, data_dir, "pick", str(tmp_path / "nope.json"))
    assert (
        code == 2 and err.count("\n") == 1 and "PRESENTATION: " in err and "cannot be read" in err
    )
