"""`kapdesk check`: the JSON shape, text, PDF, stdin, and exit 2 for every kind of bad input."""

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
from kapdesk.content.kinds import load_rules
from tests.cli.harness import call as run
from tests.cli.harness import write_json

ANSWERS = {
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": True,
    "intracerebral_hemorrhage_history": False,
    "hypersensitivity": False,
    "bp_rise_serious_hazard": False,
    "systolic_bp": 130,
    "diastolic_bp": 85,
    "psychosis_history": False,
    "bipolar_disorder": False,
    "substance_use_disorder": False,
    "pregnant": False,
    "has_escort_home": True,
    "can_avoid_driving_until_next_day": True,
    "maoi": True,
    "cerebrovascular_insult_history": False,
    "untreated_hyperthyroidism": False,
    "preeclampsia_or_eclampsia": False,
    "age_years": 45,
    "breastfeeding": False,
    "hepatic_impairment": "none",
    "heart_disease": False,
    "benzodiazepines": False,
    "other_cns_depressants": False,
    "psychostimulants": False,
    "lamotrigine": False,
    "theophylline": False,
    "sympathomimetics_or_vasopressin": False,
    "informed_consent_obtained": True,
}


def write(tmp_path: Path, data: Any) -> str:
    return write_json(tmp_path, data, "answers.json")


def test_json_shape(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, data_dir, "check", write(tmp_path, ANSWERS), "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert {"tier", "findings", "missing", "kb_version"} <= set(doc)
    assert doc["tier"] == "contraindicated" and doc["missing"] == []
    assert doc["kb_version"] and isinstance(doc["kb_version"], str)
    for finding in doc["findings"]:
        assert set(finding) == {"criterion", "tier", "message", "sources"}
        assert finding["sources"] and all(isinstance(s, str) for s in finding["sources"])
    assert [f["criterion"] for f in doc["findings"]] == ["arteriovenous-malformation", "maoi"]
    assert [f["tier"] for f in doc["findings"]] == ["contraindicated", "eligible_with_cautions"]
    assert any(note["id"] == "off-label" for note in doc["notes"])


def test_missing_keys_in_json(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, data_dir, "check", write(tmp_path, {"maoi": True}), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["tier"] == "incomplete"
    assert doc["missing"][:2] == ["aneurysmal_vascular_disease", "arteriovenous_malformation"]


def test_text_output(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, data_dir, "check", write(tmp_path, ANSWERS))
    assert code == 0
    assert out.startswith("Eligibility: Contraindicated")
    assert "arteriovenous-malformation" in out and "Sources: spravato-uspi" in out


def test_reads_stdin(capsys, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({**ANSWERS, "maoi": False})))
    code, out, _ = run(capsys, data_dir, "check", "-", "--json")
    assert code == 0 and json.loads(out)["tier"] == "contraindicated"


def test_pdf(capsys, data_dir: Path, tmp_path: Path) -> None:
    out_pdf = tmp_path / "summary.pdf"
    code, _, err = run(
        capsys, data_dir, "check", write(tmp_path, ANSWERS), "--pdf", str(out_pdf),
        "--patient", "Ana Ruiz",
    )  # fmt: skip
    assert code == 0 and "Wrote" in err
    text = "".join(page.extract_text() for page in PdfReader(out_pdf).pages)
    assert "Contraindicated" in text and "Ana Ruiz" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{\n  "maoi": true,\n  "pregnant": yes\n}',
            "ANSWERS: not valid JSON at line 3, column 15",
        ),
        ('{"maoi": true', "ANSWERS: not valid JSON at line 1, column 14"),
        ({"agee_years": 50}, "agee_years: unknown answer key (value 50); did you mean age_years?"),
        ({"maoi": "yes"}, 'maoi: "yes" is not allowed; allowed: true or false'),
        ({"age_years": 130}, "age_years: 130 is out of range; allowed: a whole number from 0"),
        ({"route": "rectal"}, 'route: "rectal" is not allowed; allowed: one of "iv", "im"'),
        (
            {"systolic_bp": 90, "diastolic_bp": 95},
            "diastolic_bp: 95 is not below systolic_bp 90",
        ),
        ([], "answers: [] is not allowed; the answers must be a JSON object"),
        ('{"weight_kg": NaN}', "NaN is not allowed"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys, data_dir: Path, tmp_path: Path, content: Any, expected: str
) -> None:
    code, out, err = run(capsys, data_dir, "check", write(tmp_path, content), "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err


def test_missing_file_exits_2(capsys, data_dir: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, data_dir, "check", str(tmp_path / "nope.json"))
    assert code == 2 and "ANSWERS: " in err and "cannot be read" in err


def test_unwritable_pdf_exits_2(capsys, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "x.pdf"
    code, _, err = run(capsys, data_dir, "check", write(tmp_path, ANSWERS), "--pdf", str(target))
    assert code == 2 and "--pdf:" in err and err.count("\n") == 1


# --- any JSON value either evaluates or is refused with exit 2 ------------------------------

KEYS = list(load_rules().questions)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["iv", "esketamine", "racemic", "mdd", "severe"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
ANSWER_OBJECTS = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=12), JSON_VALUES)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=ANSWER_OBJECTS | JSON_VALUES)
def test_any_json_evaluates_or_exits_2(built_data_dir: Path, document: Any) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(json.dumps(document))
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["--data-dir", str(built_data_dir), "check", "-", "--json"])
    finally:
        sys.stdin = saved
    assert code in (0, 2), stderr.getvalue()
    if code == 0:
        assert json.loads(stdout.getvalue())["tier"]
    else:
        assert stderr.getvalue().count("\n") == 1 and stdout.getvalue() == ""
