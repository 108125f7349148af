"""The rules loader: the shipped file is valid, and every mistake is reported precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kapdesk.content.eligibility import RULES_FILE, AnswerTest, Combination
from kapdesk.content.kinds import load_rules
from kapdesk.errors import ContentError
from kapdesk.paths import resources_dir


def test_shipped_rules_are_valid_and_sourced() -> None:
    rules = load_rules()
    assert len(rules.questions) == 41 and len(rules.criteria) >= 36
    for criterion in rules.criteria:
        assert criterion.sources and criterion.evidence and criterion.message
    for note in rules.notes:
        assert note.sources
    assert set(rules.required) <= set(rules.questions)
    assert rules.questions["product"].default == "racemic"


def _keys(condition) -> set[str]:
    if isinstance(condition, AnswerTest):
        return {condition.key}
    assert isinstance(condition, Combination)
    return set().union(*(_keys(part) for part in condition.parts))


def test_unverified_heart_rate_limit_is_not_a_rule() -> None:
    # ketamine.md §3.3: "heart rate exceeds 110/min" could not be matched to any source.
    rules = load_rules()
    assert all("heart_rate" not in _keys(c.when) for c in rules.criteria)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A resources root with the real references and a copy of the rules to break."""
    (tmp_path / "content").mkdir()
    (tmp_path / "rules").mkdir()
    shutil.copy(resources_dir() / "content" / "references.toml", tmp_path / "content")
    shutil.copy(resources_dir() / RULES_FILE, tmp_path / RULES_FILE)
    return tmp_path


def edit(root: Path, old: str, new: str) -> None:
    path = root / RULES_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_rules(root)
    return info.value.problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'sources = ["swiss-ketamine-pi"]',
            'sources = ["swiss-label"]',
            "rules/eligibility.toml: criterion.cerebrovascular-insult-racemic.sources: "
            "'swiss-label' is not in content/references.toml",
        ),
        (
            'sources = ["swiss-ketamine-pi"]',
            "sources = []",
            "criterion.cerebrovascular-insult-racemic.sources: no sources",
        ),
        (
            'when = { answer = "maoi", is = true }',
            'when = { answer = "mao_inhibitor", is = true }',
            "criterion.maoi.when.answer: 'mao_inhibitor' is not a question key",
        ),
        (
            'when = { answer = "maoi", is = true }',
            'when = { answer = "maoi", above = 1 }',
            "criterion.maoi.when.above: 'above' needs a number question; 'maoi' is boolean",
        ),
        (
            'when = { answer = "maoi", is = true }',
            'when = "maoi == true"',
            "criterion.maoi.when: must be a table",
        ),
        (
            'when = { answer = "maoi", is = true }',
            'when = { answer = "maoi", is = "yes" }',
            "criterion.maoi.when.is: must be true or false",
        ),
        (
            'when = { answer = "hepatic_impairment", is = "severe" }',
            'when = { answer = "hepatic_impairment", is = "very-severe" }',
            "criterion.severe-hepatic-impairment.when.is: 'very-severe' is not one of",
        ),
        (
            'id = "maoi"\ntier = "eligible_with_cautions"',
            'id = "maoi"\ntier = "caution"',
            "criterion.maoi.tier: 'caution' is not one of",
        ),
        (
            "Age {age_years}, under 18",
            "Age {age}, under 18",
            "criterion.age-under-18.message: placeholder {age} is not one of",
        ),
        (
            'id = "lamotrigine"\ntier',
            'id = "lamotrigine"\nthreshold = 3\ntier',
            "criterion.lamotrigine.threshold: unknown key",
        ),
        (
            'evidence = "meta-analysis"\nwhen = { answer = "lamotrigine"',
            'evidence = "review"\nwhen = { answer = "lamotrigine"',
            "criterion.lamotrigine.evidence: 'review' is not an evidence type",
        ),
        (
            "reviewed = 2026-12-07",
            'reviewed = "2026-12-07"',
            "rules/eligibility.toml: reviewed: must be a date",
        ),
        (
            'iv = "ketamine-iv"',
            'iv = "ketamine-drip"',
            "evidence.routes.iv: 'ketamine-drip' is not one of",
        ),
        (
            "mg_per_kg = 0.5",
            "mg_per_kg = -0.5",
            "reference_regimen.mg_per_kg: must be a positive number",
        ),
        (
            '{ value = "mild", label = "Mild (Child-Pugh A)" },',
            '{ value = "moderate", label = "Mild (Child-Pugh A)" },',
            "question.hepatic_impairment.choices[2].value: 'moderate' is listed twice",
        ),
    ],
)
def test_each_mistake_is_named(root: Path, old: str, new: str, expected: str) -> None:
    edit(root, old, new)
    found = problems(root)
    assert any(expected in problem for problem in found), found


def test_all_problems_are_collected(root: Path) -> None:
    edit(root, 'sources = ["swiss-ketamine-pi"]', 'sources = ["nope"]')
    edit(root, 'when = { answer = "maoi", is = true }', 'when = { answer = "x", is = true }')
    assert len(problems(root)) == 2


def test_broken_toml_is_reported_with_its_file(root: Path) -> None:
    (root / RULES_FILE).write_text("required = [", encoding="utf-8")
    assert problems(root)[0].startswith("rules/eligibility.toml: (file): not valid TOML")
