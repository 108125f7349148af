"""`kapdesk scales list`, `kapdesk score` and `kapdesk form`: JSON, PDFs and exit 2."""

from __future__ import annotations

import io
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile, ProfileStore
from tests.cli.harness import call as run
from tests.cli.harness import write_json

PHQ9_ITEM9 = [2, 2, 1, 1, 2, 1, 1, 0, 1]  # total 11, item 9 = 1


def write(tmp_path: Path, data: Any, name: str = "answers.json") -> str:
    return write_json(tmp_path, data, name)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_scales_list_is_the_licence_registry(capsys, data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "scales", "list", "--json")
    assert code == 0 and err == ""
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["phq9"]["languages"] == ["en", "es"] and rows["phq9"]["shipped"]
    assert rows["gad7"]["languages"] == ["en"] and rows["pcl5"]["languages"] == ["en"]
    assert "no permission is required" in rows["gad7"]["licence"]
    assert "public domain" in rows["pcl5"]["licence"]
    for refused in ("cadss", "madrs", "moaas", "rass"):
        assert rows[refused]["status"] == "not shipped: permission required"
        assert rows[refused]["reason"] and not rows[refused]["shipped"]
    code, out, _ = run(capsys, data_dir, "scales", "list")
    assert code == 0 and "MADRS" in out and "not shipped: permission required" in out


def test_score_json_shape(capsys, data_dir: Path, tmp_path: Path) -> None:
    answers = write(tmp_path, {"items": PHQ9_ITEM9, "previous": []})
    code, out, err = run(capsys, data_dir, "score", "phq9", answers, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert {
        "scale",
        "language",
        "total",
        "band",
        "complete",
        "missing",
        "flags",
        "clusters",
        "provisional_diagnosis",
        "kb_version",
    } <= set(doc)
    assert (doc["scale"], doc["language"], doc["total"], doc["band"]) == (
        "phq9",
        "en",
        11,
        "Moderate",
    )
    assert doc["complete"] is True and doc["missing"] == [] and doc["clusters"] == {}
    assert doc["provisional_diagnosis"] is None and doc["kb_version"]
    assert doc["flags"][0]["id"] == "phq9-item9-positive"
    for flag in doc["flags"]:
        assert {"id", "message", "sources"} <= set(flag) and flag["sources"]


def test_score_pcl5_from_stdin(capsys, data_dir: Path, monkeypatch) -> None:
    # scales-monitoring.md §3.3: 1 B, 1 C, 2 D, 2 E items at 2 → provisional yes.
    items = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, None]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"items": items})))
    code, out, _ = run(capsys, data_dir, "score", "pcl5", "-", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["complete"] is False and doc["missing"] == [20]
    assert doc["total"] is None and doc["provisional_diagnosis"] is True
    assert doc["clusters"] == {"B": 2, "C": 2, "D": 4, "E": None}


def test_score_text(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, data_dir, "score", "gad2", write(tmp_path, {"items": [2, 1]}))
    assert code == 0 and "Total: 3 of 6" in out and "GAD-2" in out


@pytest.mark.parametrize(
    ("args", "data", "needle"),
    [
        (("phq9",), {"items": [4, 0, 0, 0, 0, 0, 0, 0, 0]}, "items: item 1 is 4"),
        (("phq9",), {"items": [0] * 8}, "items: 8 answers given; PHQ-9 has 9 items"),
        (("phq9",), {"items": ["a"] + [0] * 8}, 'items: item 1 is "a"'),
        (("phq9",), '"just a string"', "ANSWERS: "),
        (
            ("phq9",),
            {
                "items": [0] * 9,
                "previous": [{"date": (date.today() + timedelta(days=2)).isoformat(), "total": 5}],
            },
            "previous[0].date",
        ),
        (("bdi",), {"items": [0] * 9}, 'SCALE: "bdi" is not a shipped scale'),
        (("phq9", "--lang", "fr"), {"items": [0] * 9}, '--lang: "fr" is not available'),
        (("gad7", "--lang", "es"), {"items": [0] * 7}, '--lang: "es" is not available for GAD-7'),
        (("phq9",), "{not json", "ANSWERS: not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys, data_dir: Path, tmp_path: Path, args: tuple[str, ...], data: Any, needle: str
) -> None:
    answers = write(tmp_path, data)
    code, out, err = run(capsys, data_dir, "score", args[0], answers, *args[1:])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err, err
    assert "Traceback" not in err


def test_summary_pdf_holds_total_band_and_prompt(capsys, data_dir: Path, tmp_path: Path) -> None:
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        store.save(ClinicProfile(clinic_name="Harbor Clinic", crisis_text_en="Call 988 now."))
    answers = write(
        tmp_path,
        {"items": PHQ9_ITEM9, "previous": [{"date": "2026-11-02", "total": 18}]},
    )
    out_pdf = tmp_path / "summary.pdf"
    code, _, err = run(
        capsys,
        data_dir,
        "score",
        "phq9",
        answers,
        "--pdf",
        str(out_pdf),
        "--patient",
        "Ana Pérez",
        "--record",
        "MRN-77",
    )
    assert code == 0 and "Wrote" in err
    text = pdf_text(out_pdf)
    assert "11 of 27" in text and "Moderate (10–14)" in text
    assert "Safety prompt" in text and "clinician-led suicide-risk assessment" in text
    assert "Call 988 now." in text and "Ana Pérez" in text and "MRN-77" in text
    assert "2026-11-02" in text  # the trend's earlier total
    assert text.index("Safety prompt") < text.index("PHQ-9 score summary")


def test_identity_needs_a_pdf(capsys, data_dir: Path, tmp_path: Path) -> None:
    answers = write(tmp_path, {"items": [0] * 9})
    code, _, err = run(capsys, data_dir, "score", "phq9", answers, "--patient", "X")
    assert code == 2 and err.count("\n") == 1


def test_blank_forms(capsys, data_dir: Path, tmp_path: Path) -> None:
    spanish = tmp_path / "phq9-es.pdf"
    code, _, _ = run(capsys, data_dir, "form", "phq9", "--lang", "es", "--pdf", str(spanish))
    assert code == 0
    text = pdf_text(spanish)
    assert "CUESTIONARIO SOBRE LA SALUD DEL PACIENTE-9" in text and "Ningún día" in text
    gad7 = tmp_path / "gad7.pdf"
    assert run(capsys, data_dir, "form", "gad7", "--large-print", "--pdf", str(gad7))[0] == 0
    assert "Not at all" in pdf_text(gad7)
    code, _, err = run(capsys, data_dir, "form", "pcl5", "--lang", "es", "--pdf", "x.pdf")
    assert code == 2 and "not available for PCL-5" in err
    code, _, err = run(capsys, data_dir, "form", "phq2", "--pdf", "x.pdf")
    assert code == 2 and "no form of its own" in err
    code, _, err = run(capsys, data_dir, "form", "gad7")
    assert code == 2 and "--pdf" in err
