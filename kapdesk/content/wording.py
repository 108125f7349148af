"""The fixed wording of the comparison (resources/documents/comparison.toml).

The comparison's labels, the patient prompts ("Questions to ask", "What matters most
to me") and the chart's units are reviewed text, so they live in a data file in both
languages. The file is validated as a whole and every problem is reported as
``file: key: what is wrong``; a placeholder the code fills in must be present, and no
other placeholder may appear, so a typo cannot crash a printout half-way.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from kapdesk.content.model import LANGUAGES
from kapdesk.content.problems import Problems, read_toml

FILE = Path("documents") / "comparison.toml"
TICK_KEYS = ("10m", "1h", "1d", "1w", "1mo", "6mo", "1y")
UNIT_KEYS = ("minute", "hour", "day", "week")
# key -> the placeholders it must contain (and may contain)
TEXT_KEYS: dict[str, frozenset[str]] = {
    "title_patient": frozenset(),
    "title_clinician": frozenset(),
    "condition_line": frozenset({"condition"}),
    "all_conditions_line": frozenset(),
    "intro_patient": frozenset({"options"}),
    "intro_clinician": frozenset(),
    "and": frozenset(),
    "question_column": frozenset(),
    "attribute_column": frozenset(),
    "strength_patient": frozenset(),
    "strength_patient_condition": frozenset({"condition"}),
    "strength_clinician": frozenset(),
    "strength_clinician_condition": frozenset({"condition"}),
    "strength_item": frozenset({"condition", "rating"}),
    "no_information": frozenset(),
    "no_information_patient": frozenset(),
    "not_rated": frozenset(),
    "evidence": frozenset({"type"}),
    "chart_title": frozenset(),
    "chart_onset": frozenset(),
    "chart_course": frozenset(),
    "chart_not_reported": frozenset(),
    "chart_note": frozenset(),
    "range": frozenset({"low", "high"}),
    "questions_title": frozenset(),
    "matters_title": frozenset(),
    "matters_prompt": frozenset(),
}
MATTERS_LINES = range(1, 11)


def _placeholders(text: str) -> set[str] | None:
    """The ``{names}`` in ``text``, or None when the braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _check_text(value: Any, key: str, needed: frozenset[str], problems: list[str]) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key}: missing or empty text")
        return
    found = _placeholders(value)
    if found is None:
        problems.append(f"{key}: unbalanced braces")
    elif found != needed:
        want = ", ".join(f"{{{n}}}" for n in sorted(needed)) or "no placeholders"
        problems.append(f"{key}: placeholders must be exactly {want}")


def _check_language(table: Any, lang: str) -> list[str]:
    if not isinstance(table, dict):
        return [f"{lang}: missing table [{lang}]"]
    problems: list[str] = []
    for key, needed in TEXT_KEYS.items():
        _check_text(table.get(key), f"{lang}.{key}", needed, problems)
    for key in UNIT_KEYS:
        pair = table.get(key)
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(w, str) and w for w in pair)
        ):
            problems.append(f"{lang}.{key}: must be [singular, plural]")
    questions = table.get("questions")
    if not (isinstance(questions, list) and questions):
        problems.append(f"{lang}.questions: must be a non-empty list of questions")
    else:
        for index, question in enumerate(questions):
            _check_text(question, f"{lang}.questions[{index}]", frozenset(), problems)
    lines = table.get("matters_lines")
    if not isinstance(lines, int) or isinstance(lines, bool) or lines not in MATTERS_LINES:
        problems.append(f"{lang}.matters_lines: must be a whole number from 1 to 10")
    ticks = table.get("ticks")
    if not isinstance(ticks, dict):
        problems.append(f"{lang}.ticks: missing table [{lang}.ticks]")
    else:
        for key in TICK_KEYS:
            _check_text(ticks.get(key), f"{lang}.ticks.{key}", frozenset(), problems)
    known = {*TEXT_KEYS, *UNIT_KEYS, "questions", "matters_lines", "ticks"}
    problems.extend(f"{lang}.{key}: unknown key" for key in sorted(set(table) - known))
    return problems


def validate_wording(data: dict[str, Any]) -> list[str]:
    """Every problem in the parsed file, as ``key: what is wrong``."""
    problems: list[str] = []
    for lang in LANGUAGES:
        problems.extend(_check_language(data.get(lang), lang))
    return problems


def load_wording(root: Path, problems: Problems) -> dict[str, dict[str, Any]] | None:
    """``documents/comparison.toml`` by language; None (problems recorded) when broken."""
    rel = FILE.as_posix()
    data = read_toml(root / FILE, rel, problems, "wording")
    if data is None:
        return None
    found = validate_wording(data)
    for lang in sorted(set(data) - set(LANGUAGES)):
        found.append(f"{lang}: not a language (allowed: {', '.join(LANGUAGES)})")
    for problem in found:
        key, _, message = problem.partition(": ")
        problems.add(rel, key, message, "wording")
    return None if found else {lang: data[lang] for lang in LANGUAGES}
