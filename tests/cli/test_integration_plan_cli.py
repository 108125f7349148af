"""`kapdesk pick … --plan-pdf`: the patient's plan from the command line, and its refusals."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile, ProfileStore
from tests.cli.harness import call as run
from tests.handout_fixtures import page_texts, squash

CLINIC = ClinicProfile(
    clinic_name="Valle Verde Clinic",
    phone="555-0100",
    after_hours="555-0199",
    crisis_text_en="Crisis line: text 555-0111.",
    crisis_text_es="Línea de crisis: envíe un texto al 555-0111.",
    offered=("cbt", "emdr", "exposure"),
)


@pytest.fixture
def clinic_dir(data_dir: Path) -> Path:
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        store.save(CLINIC)
    return data_dir


def presentation(tmp_path: Path, **raw) -> str:
    path = tmp_path / "presentation.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("lang", "timing"),
    [("en", "within 1 to 3 days after the dose"), ("es", "dentro de 1 a 3 días después")],
)
def test_plan_for_the_default_choice(capsys, clinic_dir, tmp_path, lang, timing) -> None:
    out = tmp_path / "plan.pdf"
    source = presentation(tmp_path, avoidance=True, condition="panic")
    code, stdout, err = run(
        capsys, clinic_dir, "pick", source, "--plan-pdf", str(out), "--lang", lang
    )
    assert code == 0 and stdout == ""
    assert err.strip() == f"Wrote {out} (plan for exposure, {lang})"
    text = squash(" ".join(page_texts(out.read_bytes())))
    name = "Terapia de exposición" if lang == "es" else "Exposure therapy"
    assert squash(name) in text and squash(timing) in text
    assert "555-0100" in text and "555-0111" in text


def test_plan_for_a_chosen_therapy_with_json(capsys, clinic_dir, tmp_path) -> None:
    out = tmp_path / "plan.pdf"
    source = presentation(tmp_path, trauma_origin=True)
    code, stdout, _ = run(
        capsys, clinic_dir, "pick", source, "--json", "--plan-pdf", str(out), "--choose", "ifs"
    )
    doc = json.loads(stdout)
    assert code == 0 and len(doc["ranked"]) == 6
    assert doc["plan"]["modality"] == "ifs" and doc["plan"]["available"] is False
    assert doc["plan"]["readability"]["meets_target"] is True
    text = squash(" ".join(page_texts(out.read_bytes())))
    assert squash("Internal Family Systems (IFS)") in text
    assert squash("Our clinic does not offer this therapy.") in text


def test_a_blocked_choice_exits_2_and_writes_nothing(capsys, clinic_dir, tmp_path) -> None:
    out, summary = tmp_path / "plan.pdf", tmp_path / "summary.pdf"
    source = presentation(tmp_path, trauma_origin=True, dissociation="high")
    code, stdout, err = run(
        capsys, clinic_dir, "pick", source, "--pdf", str(summary),
        "--plan-pdf", str(out), "--choose", "emdr",
    )  # fmt: skip
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("kapdesk: error: choose: 'emdr' is blocked for this presentation")
    assert "High dissociation" in err and "allowed: cbt" in err
    assert not out.exists() and not summary.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan-pdf", "PLAN", "--choose", "ketamine-iv"], "choose: 'ketamine-iv' is not a"),
        (["--plan-pdf", "PLAN", "--lang", "fr"], "lang: 'fr' is not a handout language"),
        (["--choose", "cbt"], "--choose: only used with --plan-pdf"),
        (["--lang", "es"], "--lang: only used with --plan-pdf"),
        (["--large-print"], "--large-print: only used with --plan-pdf"),
        (["--plan-pdf", "/no/such/dir/plan.pdf"], "--plan-pdf: cannot write '/no/such/dir/"),
    ],
)
def test_bad_plan_options_exit_2_with_one_line(capsys, clinic_dir, tmp_path, args, message):
    out = tmp_path / "plan.pdf"
    args = [str(out) if a == "PLAN" else a for a in args]
    code, _, err = run(capsys, clinic_dir, "pick", presentation(tmp_path), *args)
    assert code == 2 and err.startswith(f"kapdesk: error: {message}"), err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_unconfigured_profile_warns_once_and_succeeds(capsys, data_dir, tmp_path) -> None:
    out = tmp_path / "plan.pdf"
    source = presentation(tmp_path, avoidance=True, condition="panic")
    code, _, err = run(capsys, data_dir, "pick", source, "--plan-pdf", str(out), "--lang", "es")
    assert code == 0 and out.exists()
    warnings = [line for line in err.splitlines() if line.startswith("kapdesk: warning:")]
    assert len(warnings) == 1 and "clinic phone is not set" in warnings[0]
    text = squash(" ".join(page_texts(out.read_bytes())))
    assert squash("Llame a su equipo de salud al número que le dieron.") in text


def test_english_only_crisis_text_is_said_once_for_spanish(capsys, data_dir, tmp_path) -> None:
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        store.save(replace(CLINIC, crisis_text_es=""))
    out = tmp_path / "plan.pdf"
    source = presentation(tmp_path, avoidance=True, condition="panic")
    code, _, err = run(capsys, data_dir, "pick", source, "--plan-pdf", str(out), "--lang", "es")
    assert code == 0
    warnings = [line for line in err.splitlines() if line.startswith("kapdesk: warning:")]
    assert len(warnings) == 1 and "crisis_text_es" in warnings[0]
    assert "555-0111" not in squash(" ".join(page_texts(out.read_bytes())))


def test_plan_details_print_on_page_one(capsys, clinic_dir, tmp_path) -> None:
    out = tmp_path / "plan.pdf"
    source = presentation(tmp_path, avoidance=True, condition="panic")
    details = {
        "--patient": "Ana Ruiz",
        "--therapist": "Dr. Lee",
        "--first-session": "March 3",
        "--frequency": "Every week",
    }
    args = [arg for pair in details.items() for arg in pair]
    code, _, _ = run(capsys, clinic_dir, "pick", source, "--plan-pdf", str(out), *args)
    assert code == 0
    first = squash(page_texts(out.read_bytes())[0])
    for label, value in zip(
        ("For", "Your therapist", "First session", "How often"), details.values(), strict=True
    ):
        assert squash(f"{label}: {value}") in first
