"""`kapdesk session` and `kapdesk interactions`: JSON shapes, PDFs, and exit 2 with one line
naming the field for every kind of bad input."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from kapdesk.cli import main
from tests.cli.harness import call as run
from tests.cli.harness import write_json

SESSION = {
    "product": "esketamine",
    "dose_mg": 84,
    "lot": "LOT-7781",
    "start_time": "09:30",
    "medications": ["diazepam", "ibuprofen"],
    "readings": [
        {"minutes": 0, "systolic": 150, "diastolic": 95, "heart_rate": 81, "spo2": 98},
        {"minutes": 41, "systolic": 162, "diastolic": 99, "heart_rate": 88, "spo2": 96},
        {"minutes": 118, "systolic": 134, "diastolic": 86, "heart_rate": 76, "spo2": 97},
    ],
    "observations": {
        "sedation": True,
        "dissociation": True,
        "respiratory_depression": False,
        "nausea_vomiting": False,
        "other": "brief headache",
    },
    "ready_to_leave_minutes": 80,
    "discharge_minutes": 100,
    "escort_present": False,
    "checklist": {"clinically-stable": True, "bp-decreasing": True, "no-driving": True},
}


def write(tmp_path: Path, data: Any) -> str:
    return write_json(tmp_path, data, "session.json")


def test_session_json_shape(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, data_dir, "session", write(tmp_path, SESSION), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert {
        "product",
        "route",
        "flags",
        "due",
        "discharge_ready",
        "missing",
        "interactions",
    } <= set(doc)
    assert doc["kb_version"] and doc["product"] == "esketamine" and doc["route"] == "intranasal"
    assert {f["id"] for f in doc["flags"]} == {
        "pre-dose-bp-above-140-90",
        "reading-missed",  # no reading in the 10 minutes before discharge at 100
        "discharge-before-2-hours",
        "escort-missing",
    }
    assert all(f["sources"] for f in doc["flags"])
    assert [d["label"] for d in doc["due"]] == ["Pre-dose", "40-minute", "Before-discharge"]
    assert [d["done"] for d in doc["due"]] == [True, True, False]
    assert doc["discharge_ready"] is False
    assert "No validated in-session abort threshold" in doc["no_abort_threshold"]
    assert doc["unknown_medications"] == ["ibuprofen"]


def test_session_text_and_stdin(capsys, data_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(SESSION)))
    code, out, _ = run(capsys, data_dir, "session", "-")
    assert code == 0
    assert "Ready for discharge: no" in out and "150/95 mmHg" in out


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_session_pdf_holds_every_reading_and_flag(capsys, data_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "record.pdf"
    args = ("--patient", "Ana Pérez", "--dob", "1980-02-03", "--record-number", "R-118")
    code, _, err = run(
        capsys, data_dir, "session", write(tmp_path, SESSION), "--pdf", str(pdf), *args
    )
    assert code == 0, err
    pages, text = _pdf_text(pdf)
    flat = " ".join(text.split())
    assert pages == 1
    for reading in SESSION["readings"]:
        assert f"{reading['systolic']}/{reading['diastolic']}" in flat
        assert str(reading["heart_rate"]) in flat and str(reading["spo2"]) in flat
    code, out, _ = run(capsys, data_dir, "session", write(tmp_path, SESSION), "--json")
    for flag in json.loads(out)["flags"]:
        assert " ".join(flag["message"].split()) in flat, flag["id"]
    for text_piece in ("Ana Pérez", "1980-02-03", "R-118", "LOT-7781", "brief headache"):
        assert text_piece in flat
    assert "No validated in-session abort threshold" in flat
    assert "Ready for discharge: no" in flat


@pytest.mark.parametrize(
    ("product", "extra", "expected"),
    [
        ("esketamine", (), "40-minute"),
        ("racemic", ("--schedule", "iv-gdansk"), "90-minute"),
        ("racemic", ("--schedule", "iv-emory"), "40-minute"),
        ("racemic", ("--route", "oral-sl"), "Oral or sublingual"),
    ],
)
def test_blank_form_is_one_page(
    capsys, data_dir: Path, tmp_path: Path, product: str, extra: tuple, expected: str
) -> None:
    pdf = tmp_path / "blank.pdf"
    code, _, err = run(
        capsys, data_dir, "session", "--blank", "--product", product, *extra, "--pdf", str(pdf)
    )
    assert code == 0, err
    pages, text = _pdf_text(pdf)
    assert pages == 1
    assert expected in text and "monitoring form" in text
    assert "No validated in-session abort threshold" in " ".join(text.split())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--blank", "--product", "esketamine"), "--pdf"),
        (("--blank", "--pdf", "x.pdf"), "--product"),
        (("--blank", "--product", "ketamine", "--pdf", "x.pdf"), "--product"),
        (
            ("--blank", "--product", "esketamine", "--schedule", "iv-yale", "--pdf", "x.pdf"),
            "--schedule",
        ),
        ((), "SESSION.json"),
    ],
)
def test_bad_options_exit_2(capsys, data_dir: Path, tmp_path: Path, args, field: str) -> None:
    code, _, err = run(capsys, data_dir, "session", *args)
    assert code == 2
    assert err.count("\n") == 1 and f"error: {field}:" in err


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"readings": [{"minutes": 0, "systolic": 400, "diastolic": 20}]}, "readings[0].systolic"),
        ({"readings": [{"minutes": 5, "systolic": 90, "diastolic": 110}]}, "readings[0].diastolic"),
        ({"readings": [{"minutes": -10, "systolic": 120, "diastolic": 80}]}, "readings[0].minutes"),
        ({"readings": [{"minutes": 10, "spo2": 120}]}, "readings[0].spo2"),
        ({"product": "esketamine", "heart": 80}, "heart"),
        ({"escort_present": "yes"}, "escort_present"),
        ("[1, 2", "SESSION"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys, data_dir: Path, tmp_path: Path, document: Any, field: str
) -> None:
    code, out, err = run(capsys, data_dir, "session", write(tmp_path, document), "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"kapdesk: error: {field}:")


READING = st.fixed_dictionaries(
    {"minutes": st.integers(-30, 1500)},
    optional={
        "systolic": st.integers(0, 450),
        "diastolic": st.integers(0, 250),
        "heart_rate": st.integers(0, 300) | st.none(),
        "spo2": st.integers(0, 130) | st.floats(allow_nan=False, allow_infinity=False),
    },
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
SESSION_OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        "product": st.sampled_from(["esketamine", "racemic", "ketamine"]),
        "route": st.sampled_from(["iv", "im", "oral-sl", "intranasal", "rectal"]),
        "weight_kg": st.integers(0, 400),
        "dose_mg": st.sampled_from([56, 84, 35, 28, -1, 5000]),
        "schedule": st.sampled_from(["esketamine-rems", "iv-emory", "iv-yale", "iv-gdansk", "x"]),
        "medications": st.lists(st.text(max_size=12), max_size=3),
        "readings": st.lists(READING, max_size=4),
        "observations": st.dictionaries(
            st.sampled_from(["sedation", "dissociation", "other", "mood"]),
            st.booleans() | st.text(max_size=5),
            max_size=2,
        ),
        "discharge_minutes": st.integers(-5, 300),
        "escort_present": st.booleans() | st.just("no"),
        "checklist": st.dictionaries(
            st.sampled_from(["clinically-stable", "bp-decreasing", "no-driving", "x"]),
            st.booleans(),
            max_size=2,
        ),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=SESSION_OBJECTS | JSON_VALUES)
def test_any_json_evaluates_or_exits_2(built_data_dir: Path, document: Any) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(json.dumps(document))
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["--data-dir", str(built_data_dir), "session", "-", "--json"])
    finally:
        sys.stdin = saved
    assert code in (0, 2), stderr.getvalue()
    if code == 0:
        doc = json.loads(stdout.getvalue())
        assert isinstance(doc["discharge_ready"], bool) and isinstance(doc["due"], list)
    else:
        assert stderr.getvalue().count("\n") == 1 and stdout.getvalue() == ""


# --- interactions ---------------------------------------------------------------------------


def test_interactions_json_shape(capsys, data_dir: Path) -> None:
    code, out, err = run(
        capsys, data_dir, "interactions", "Aminophylline", "lithium", "ibuprofen", "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"product", "matches", "unknown", "scope"}
    levels = {(m["drug"], m["level"]) for m in doc["matches"]}
    # ketamine.md §3.7: theophylline/aminophylline "do not co-administer" (Ketalar);
    # lithium "no significant interaction reported" [R52].
    assert ("aminophylline", "do-not-coadminister") in levels
    assert ("lithium", "no-interaction-reported") in levels
    assert doc["unknown"] == ["ibuprofen"]
    for match in doc["matches"]:
        assert set(match) >= {
            "query",
            "drug",
            "class",
            "level",
            "effect",
            "recommendation",
            "products",
            "sources",
        }


def test_interactions_text_says_not_in_list_and_scope(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "interactions", "ibuprofen", "--product", "esketamine")
    assert code == 0
    assert "ibuprofen: not in kapdesk's list" in out
    assert "not a general drug-interaction checker" in out


def test_interactions_without_a_drug_lists_the_table(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "interactions", "--json")
    doc = json.loads(out)
    assert code == 0 and len(doc["table"]) >= 15 and doc["scope"]


def test_interactions_bad_product_exits_2(capsys, data_dir: Path) -> None:
    code, _, err = run(capsys, data_dir, "interactions", "lithium", "--product", "ketamine")
    assert code == 2 and err.count("\n") == 1 and "error: --product:" in err


def test_both_commands_work_in_a_fresh_process(built_data_dir: Path, tmp_path: Path) -> None:
    # No test fixture activates the knowledge base here: each command opens it itself.
    import subprocess

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    from kapdesk.paths import AppPaths

    kb_file = AppPaths(built_data_dir).kb_path
    (data_dir / kb_file.name).write_bytes(kb_file.read_bytes())
    base = [sys.executable, "-m", "kapdesk", "--data-dir", str(data_dir)]
    session = subprocess.run(
        [*base, "session", "-", "--json"],
        input=json.dumps(SESSION),
        capture_output=True,
        text=True,
        check=False,
    )
    assert session.returncode == 0, session.stderr
    assert json.loads(session.stdout)["discharge_ready"] is False
    lookup = subprocess.run(
        [*base, "interactions", "lithium"], capture_output=True, text=True, check=False
    )
    assert lookup.returncode == 0 and "No significant interaction reported" in lookup.stdout
