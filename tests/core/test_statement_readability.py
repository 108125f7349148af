"""Every patient text of the knowledge base meets its readability target on its own.

CONTENT.md: plain_en at Flesch–Kincaid grade ≤ 7 and plain_es at Fernández-Huerta ≥ 70
(the targets in resources/handouts/library.toml). Issue 11: not only whole handouts or
sets — each statement's plain text, each plain summary, and each plain rating label.
Grid answers are shortened forms of these texts (a fragment of a sentence or two) and
handouts are measured whole (tests/core/test_handout_texts.py); both are left out here.
"""

from __future__ import annotations

import pytest

from kapdesk.content.handouts import measure
from kapdesk.content.kinds import load_content
from kapdesk.content.model import LANGUAGES, MODALITY_IDS, STRENGTHS
from kapdesk.kb.catalog import library

CONTENT = load_content()


@pytest.fixture
def targets():
    """The readability targets of resources/handouts/library.toml (as compiled)."""
    return library().targets


def patient_texts(modality_id: str) -> list[tuple[str, str, str]]:
    """(file key, language, text) for every plain text of one modality."""
    entry = CONTENT.modalities[modality_id]
    statements = [("plain_summary", entry.plain_summary)]
    for section, items in entry.sections.items():
        statements += [(f"{section}[{i}]", s) for i, s in enumerate(items)]
    statements += [(f"strength.{c}", s.statement) for c, s in entry.strengths.items()]
    return [
        (key, lang, text)
        for key, statement in statements
        for lang in LANGUAGES
        if (text := statement.plain(lang))
    ]


@pytest.mark.parametrize("modality_id", MODALITY_IDS)
def test_each_plain_statement_meets_its_target(targets, modality_id: str) -> None:
    texts = patient_texts(modality_id)
    assert any(lang == "es" for _, lang, _ in texts) and any(lang == "en" for _, lang, _ in texts)
    misses = []
    for key, lang, text in texts:
        score = measure(text, targets[lang])
        if not score.meets_target:
            misses.append(f"{modality_id}:{key} plain_{lang}: {score} ({text[:60]}…)")
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("rating", STRENGTHS)
def test_each_plain_rating_label_meets_its_target(targets, rating: str, lang: str) -> None:
    # The picker prints these beside weak evidence; labels.toml plain_en / plain_es.
    text = CONTENT.labels.strength_plain(rating, lang)
    assert measure(text, targets[lang]).meets_target, text


def test_a_hard_text_is_caught(targets) -> None:
    # The measure this test relies on fails the sentence the issue found at grade 8.2.
    old = (
        "Generalized anxiety is constant worry that is hard to control. Many studies show "
        "that some of these pills help it. Some examples are sertraline and escitalopram."
    )
    assert not measure(old, targets["en"]).meets_target
