"""The shipped handout texts: every one loads, meets its readability and PEMAT-P targets,
and prints in both languages and in large print with its headings and the clinic's
numbers on every page."""

from __future__ import annotations

import tomllib

import pytest

from kapdesk.content.handouts import HandoutLibrary
from kapdesk.content.model import LANGUAGES
from kapdesk.documents.handout import HandoutOptions, render_handouts
from kapdesk.kb.catalog import library
from kapdesk.paths import resources_dir
from tests.handout_fixtures import CLINIC, KB_VERSION, body_runs, page_texts, squash

with (resources_dir() / "handouts" / "library.toml").open("rb") as _fh:
    HANDOUT_IDS = [entry["id"] for entry in tomllib.load(_fh)["handouts"]]
CASES = [(hid, lang) for hid in HANDOUT_IDS for lang in LANGUAGES]


@pytest.fixture(scope="module")
def shipped() -> HandoutLibrary:
    return library()


def test_the_ten_handouts_are_listed() -> None:
    assert HANDOUT_IDS == [
        "what-is-kap",
        "is-kap-right-for-me",
        "preparing-for-your-session",
        "after-your-session",
        "side-effects-and-safety",
        "esketamine-spravato",
        "emdr",
        "art",
        "ifs",
        "integration-sessions",
    ]


@pytest.mark.parametrize(("handout_id", "lang"), CASES)
def test_readability_target_holds(shipped: HandoutLibrary, handout_id: str, lang: str) -> None:
    handout = shipped.get(handout_id, lang)
    readability = shipped.readability(handout)
    assert readability.meets_target, (
        f"{handout.file}: {readability} misses its target {readability.target.description}"
    )


@pytest.mark.parametrize(("handout_id", "lang"), CASES)
def test_pemat_target_holds(shipped: HandoutLibrary, handout_id: str, lang: str) -> None:
    handout = shipped.get(handout_id, lang)
    score = shipped.pemat(handout)
    assert score.meets_target, f"{handout.file}: PEMAT-P {score} below {score.target:.0f}%"


@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
@pytest.mark.parametrize(("handout_id", "lang"), CASES)
def test_renders_with_headings_and_clinic_numbers(
    shipped: HandoutLibrary, handout_id: str, lang: str, large_print: bool
) -> None:
    handout = shipped.get(handout_id, lang)
    rendered = render_handouts(
        shipped,
        [handout_id],
        options=HandoutOptions(lang=lang, large_print=large_print),
        profile=CLINIC,
        kb_version=KB_VERSION,
        invariant=True,
    )
    pages = [squash(text) for text in page_texts(rendered.pdf)]
    whole = "".join(pages)
    assert squash(handout.title) in whole
    for block in handout.blocks:
        if block.type == "heading":
            assert squash(block.text) in whole, f"heading missing: {block.text}"
    assert squash("555-0100") in whole  # the call box
    for number, page in enumerate(pages, 1):
        assert squash(CLINIC.phone) in page and squash(CLINIC.after_hours) in page, (
            f"{handout.file}: letterhead numbers missing on page {number}"
        )
    if large_print:
        assert min(run.size for run in body_runs(rendered.pdf)) >= 18
