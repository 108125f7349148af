"""`kapdesk compare`: JSON shape, text, PDF and one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.harness import call


def run(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:
    return call(capsys, data_dir, "compare", *args)


def test_json_has_the_design_shape(capsys, data_dir: Path) -> None:
    code, out, err = run(
        capsys, data_dir, "kap", "ssri-snri", "cbt", "--audience", "patient", "--json"
    )
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["modalities"] == ["kap", "ssri-snri", "cbt"] and doc["audience"] == "patient"
    assert doc["kb_version"]
    assert len(doc["rows"]) == 10
    for row in doc["rows"]:
        assert {"attribute", "label", "values", "differs", "sources"} <= set(row)
        assert list(row["values"]) == ["kap", "ssri-snri", "cbt"]


def test_spanish_condition_json(capsys, data_dir: Path) -> None:
    code, out, _ = run(
        capsys, data_dir, "kap", "cbt", "--audience", "patient", "--lang", "es",
        "--condition", "gad", "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["condition"] == "gad" and doc["language"] == "es"
    labels = [row["label"] for row in doc["rows"]]
    assert "¿Cuándo podría sentirme mejor?" in labels


def test_text_output_lists_rows_and_options(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "esketamine", "ect")
    assert code == 0
    assert "Time to first benefit" in out and "Esketamine: " in out and "ECT: " in out
    assert "Knowledge base" in out


def test_pdf_is_written(capsys, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "sheet.pdf"
    code, out, err = run(
        capsys, data_dir, "kap", "ssri-snri", "cbt", "--audience", "patient",
        "--condition", "gad", "--pdf", str(target),
    )  # fmt: skip
    assert code == 0 and out == ""
    assert len(PdfReader(target).pages) == 1
    assert "Wrote" in err and "(1 page)" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["kap"], "compare 2 to 4 modality ids"),
        (["kap", "cbt", "ect", "emdr", "ifs"], "5 given"),
        (["kap", "kap"], "'kap' is given more than once"),
        (["kap", "ketamine"], "valid ids: ketamine-iv, ketamine-im"),
        (["kap", "cbt", "--condition", "ocd"], "valid conditions: depression, trd"),
        (["kap", "cbt", "--lang", "de"], "valid languages: en, es"),
        (["kap", "cbt", "--audience", "x"], "valid audiences: clinician, patient"),
        (["kap", "cbt", "--pdf", "/nonexistent-dir/x.pdf"], "--pdf: cannot write"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, data_dir: Path, args, expected) -> None:
    code, out, err = run(capsys, data_dir, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err
