"""The session and interaction loaders: the shipped files are valid and every mistake is
reported as ``file: key: message``."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from kapdesk.content.interactions import load_interactions
from kapdesk.content.problems import Problems
from kapdesk.content.session import load_session
from kapdesk.paths import resources_dir


def _references(root: Path) -> set[str]:
    with (root / "content" / "references.toml").open("rb") as fh:
        return set(tomllib.load(fh))


def test_shipped_files_are_valid_and_sourced() -> None:
    root = resources_dir()
    problems = Problems()
    session = load_session(root, problems, _references(root))
    table = load_interactions(root, problems, _references(root))
    assert problems.items == []
    assert session is not None and table is not None
    assert {s.id for s in session.schedules} >= {"esketamine-rems", "iv-emory", "iv-yale"}
    for flag in session.flags:
        assert flag.sources and flag.message
    for item in table.interactions:
        assert item.sources and item.level
    # Every REMS medication class of the session rules is a class of the interaction table.
    class_ids = {c.id for c in table.classes}
    for product in session.products.values():
        assert set(product.medication_classes) <= class_ids


def test_no_abort_threshold_is_encoded() -> None:
    # ketamine.md §6 "Hold/abort thresholds": no single validated threshold exists; the
    # "APA" 180/100 and 110/min in-session numbers are UNVERIFIED (§3.3).
    root = resources_dir()
    session = load_session(root, Problems(), _references(root))
    assert session is not None
    assert "No validated in-session abort threshold" in session.no_abort_threshold.text
    assert {f.check for f in session.flags} == {
        "pre-dose-bp",
        "reading-missed",
        "discharge-before-minimum",
        "escort-missing",
    }
    assert all("heart rate" not in f.message.lower() for f in session.flags)
    thresholds = [f for f in session.flags if f.systolic_above or f.diastolic_above]
    assert {(f.systolic_above, f.diastolic_above) for f in thresholds} == {(140, 90), (180, 100)}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(resources_dir() / "rules", tmp_path / "rules")
    shutil.copytree(resources_dir() / "content", tmp_path / "content")
    return tmp_path


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "rules" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    problems = Problems()
    load_session(root, problems, _references(root))
    load_interactions(root, problems, _references(root))
    return problems.items


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "interactions.toml",
            'level = "do-not-coadminister"',
            'level = "avoid"',
            "rules/interactions.toml: interaction.theophylline-racemic.level: "
            "'avoid' is not a level",
        ),
        (
            "interactions.toml",
            'id = "lithium"\nclasses',
            'id = "lithium"\nseverity = "low"\nclasses',
            "rules/interactions.toml: interaction.lithium.severity: unknown key",
        ),
        (
            "interactions.toml",
            'sources = ["szarmach-2020"]\nevidence = "observational"',
            'sources = ["nobody-2020"]\nevidence = "observational"',
            "rules/interactions.toml: interaction.ssri-bp-peaks.sources: "
            "'nobody-2020' is not in content/references.toml",
        ),
        (
            "interactions.toml",
            'classes = ["lithium"]',
            'classes = ["lithum"]',
            "rules/interactions.toml: interaction.lithium.classes: 'lithum' is not a [[class]] id",
        ),
        (
            "interactions.toml",
            'amphetamine = "amphetamines"',
            'amphetamine = "dexamphetamine"',
            "rules/interactions.toml: class.psychostimulants.aliases.amphetamine: "
            "'dexamphetamine' is not one of this class's members",
        ),
        (
            "interactions.toml",
            'products = ["esketamine", "racemic"]\neffect = "No significant',
            'products = ["ketamine"]\neffect = "No significant',
            "rules/interactions.toml: interaction.lithium.products: 'ketamine' is not a product",
        ),
        (
            "session.toml",
            'check = "escort-missing"',
            'check = "escort-missing"\nthreshold = 3',
            "rules/session.toml: flag.escort-missing.threshold: unknown key",
        ),
        (
            "session.toml",
            'sources = ["swiss-ketamine-pi"]',
            'sources = ["swiss-label"]',
            "rules/session.toml: flag.pre-dose-bp-above-180-100.sources: "
            "'swiss-label' is not in content/references.toml",
        ),
        (
            "session.toml",
            'check = "reading-missed"',
            'check = "reading-late"',
            "rules/session.toml: flag.reading-missed.check: 'reading-late' is not a flag check",
        ),
        (
            "session.toml",
            "Discharge at {minutes} min",
            "Discharge at {minute} min",
            "rules/session.toml: flag.discharge-before-2-hours.message: "
            "placeholder {minute} is not one of",
        ),
        (
            "session.toml",
            'default_schedule = "esketamine-rems"',
            'default_schedule = "iv-emory"',
            "rules/session.toml: products.esketamine.default_schedule: "
            "'iv-emory' is not a schedule for esketamine",
        ),
        (
            "session.toml",
            'kind = "infusion"',
            'kind = "continuous"',
            "rules/session.toml: schedule.iv-emory.kind: 'continuous' is not a schedule kind",
        ),
        (
            "session.toml",
            'from = "escort"',
            'from = "guess"',
            "rules/session.toml: checklist.escort-present.from: 'guess' is not a checklist source",
        ),
    ],
)
def test_each_mistake_is_reported_by_file_and_key(
    root: Path, name: str, old: str, new: str, expected: str
) -> None:
    _edit(root, name, old, new)
    problems = _problems(root)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_broken_file_is_one_problem_not_a_crash(root: Path) -> None:
    (root / "rules" / "session.toml").write_text("reviewed = [", encoding="utf-8")
    problems = Problems()
    assert load_session(root, problems, _references(root)) is None
    assert problems.items[0].startswith("rules/session.toml: (file): not valid TOML")


def test_eligibility_question_mapping_names_real_questions() -> None:
    from kapdesk.kb import catalog

    root = resources_dir()
    table = load_interactions(root, Problems(), _references(root))
    questions = catalog.eligibility_rules().questions
    assert table is not None and table.eligibility_questions
    for key in table.eligibility_questions:
        assert questions[key].type == "boolean" and questions[key].group == "medications"


def test_the_knowledge_base_holds_the_same_rules_as_the_files() -> None:
    from kapdesk.kb import catalog

    root = resources_dir()
    assert catalog.session_rules() == load_session(root, Problems(), _references(root))
    assert catalog.interaction_table() == load_interactions(root, Problems(), _references(root))


def test_a_session_medication_class_must_be_an_interaction_class(root: Path) -> None:
    from kapdesk.content.kinds import check_resources

    shutil.copytree(resources_dir(), root, dirs_exist_ok=True)
    _edit(root, "session.toml", '"opioids", "cns-depressants"]', '"opioids", "sleepers"]')
    problems, _ = check_resources(root)
    assert (
        "rules/session.toml: products.esketamine.medication_classes: 'sleepers' is not a "
        "class of rules/interactions.toml"
    ) in problems.items
