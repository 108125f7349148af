"""The handout loader: every rule of the format reported as ``file: key: what is wrong``;
readability measured offline with textstat; PEMAT-P scores."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kapdesk.content.handouts import load_library, measurable, measure
from kapdesk.errors import ContentError, UserInputError
from tests.handout_fixtures import FIXTURE_IDS, build_handout_root
from tests.tomlwrite import dumps


@pytest.fixture
def handout_root(tmp_path: Path) -> Path:
    return build_handout_root(tmp_path / "resources")


def edit(root: Path, rel: str, change) -> None:
    """Rewrite one fixture file after ``change(data)`` modified its parsed TOML."""
    path = root / "handouts" / rel
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dumps(data) + "\n", encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_library(root)
    return info.value.problems


def test_fixture_library_loads(handout_root: Path) -> None:
    library = load_library(handout_root)
    assert library.ids == FIXTURE_IDS
    assert library.languages("emdr") == ["en", "es"]
    assert library.for_modality("emdr") == "emdr"
    assert library.for_modality("cbt") is None
    handout = library.get("after-your-session", "es")
    assert handout.title.startswith("Hoja de prueba")
    assert [b.type for b in handout.blocks].count("call") == 1
    assert handout.source_ids() == ["spravato-uspi"]


def test_unknown_topic_and_language_list_the_valid_ones(handout_root: Path) -> None:
    library = load_library(handout_root)
    with pytest.raises(
        UserInputError,
        match="topic: 'nope' is not a handout; valid topics: after-your-session, emdr",
    ):
        library.get("nope")
    with pytest.raises(UserInputError, match=r"lang: 'fr' .*valid languages: en, es"):
        library.get("emdr", "fr")


@pytest.mark.parametrize(
    ("rel", "change", "expected"),
    [
        (
            "es/emdr.toml",
            lambda d: d.update(lang="en"),
            "handouts/es/emdr.toml: lang: 'en' must equal the folder 'es'",
        ),
        (
            "en/emdr.toml",
            lambda d: d.update(id="other"),
            "handouts/en/emdr.toml: id: 'other' must equal the file name 'emdr'",
        ),
        (
            "es/emdr.toml",
            lambda d: d["blocks"].__setitem__(1, {"type": "bullets", "items": ["Sí."]}),
            "handouts/es/emdr.toml: blocks[1].type: 'bullets' where handouts/en/emdr.toml "
            "has 'paragraph'",
        ),
        (
            "es/emdr.toml",
            lambda d: d["blocks"].pop(1),
            "handouts/es/emdr.toml: blocks: 3 blocks where handouts/en/emdr.toml has 4",
        ),
        (
            "en/after-your-session.toml",
            lambda d: d["blocks"][1].update(sources=["no-such-ref"]),
            "handouts/en/after-your-session.toml: blocks[1].sources: 'no-such-ref' is not in "
            "content/references.toml",
        ),
        (
            "es/after-your-session.toml",
            lambda d: d["blocks"][1].update(sources=["spravato-rems"]),
            "handouts/es/after-your-session.toml: blocks[1].sources: ['spravato-rems'] where "
            "handouts/en/after-your-session.toml has ['spravato-uspi']",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"].append(dict(d["blocks"][3])),
            "handouts/en/emdr.toml: blocks: 2 call blocks; exactly one is needed",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"].pop(2),
            "handouts/en/emdr.toml: blocks: no steps block; at least one is needed",
        ),
        (
            "en/emdr.toml",
            lambda d: d["pemat"].pop("a4"),
            "handouts/en/emdr.toml: pemat.a4: missing answer",
        ),
        (
            "en/emdr.toml",
            lambda d: d["pemat"].update(u3=2),
            'handouts/en/emdr.toml: pemat.u3: 2 is not 1, 0 or "na"',
        ),
        (
            "en/emdr.toml",
            lambda d: d["pemat"].update(u99=1),
            "handouts/en/emdr.toml: pemat.u99: not a PEMAT-P item in pemat.toml",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"][0].update(text="This is a short sheet."),
            "handouts/en/emdr.toml: blocks[0].text: headings are questions a patient asks",
        ),
        (
            "es/emdr.toml",
            lambda d: d["blocks"][0].update(text="Es esta una hoja corta?"),
            "handouts/es/emdr.toml: blocks[0].text: headings are questions a patient asks (¿…?)",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"][1].update(text="DO NOT DRIVE today."),
            "handouts/en/emdr.toml: blocks[1].text: 'DO NOT DRIVE' is in capitals",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"][2].update(items=["Look 中 here."]),
            "handouts/en/emdr.toml: blocks[2].items[0]: character U+4E2D at position 6 cannot "
            "be printed",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"][1].update(type="table"),
            "handouts/en/emdr.toml: blocks[1].type: 'table' is not a block type",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"][1].update(items=["x"]),
            "handouts/en/emdr.toml: blocks[1].items: unknown key (allowed: sources, text, type)",
        ),
        (
            "en/emdr.toml",
            lambda d: d["blocks"][3].update(emergency=[]),
            "handouts/en/emdr.toml: blocks[3].emergency: must be a non-empty list",
        ),
        (
            "en/emdr.toml",
            lambda d: d.update(reviewed="2026-01-01"),
            "handouts/en/emdr.toml: reviewed: must be a date",
        ),
    ],
)
def test_each_rule_is_reported_with_file_and_key(
    handout_root: Path, rel: str, change, expected: str
) -> None:
    edit(handout_root, rel, change)
    found = problems(handout_root)
    assert any(p.startswith(expected) for p in found), found


def test_missing_and_unlisted_files_are_reported(handout_root: Path) -> None:
    (handout_root / "handouts" / "es" / "emdr.toml").unlink()
    (handout_root / "handouts" / "en" / "extra.toml").write_text('id = "extra"\n')
    found = problems(handout_root)
    assert "handouts/es/emdr.toml: (file): missing: every handout needs an en and an es text" in (
        found
    )
    assert "handouts/en/extra.toml: id: not listed in library.toml" in found


def test_all_problems_are_listed_at_once(handout_root: Path) -> None:
    edit(handout_root, "en/emdr.toml", lambda d: d.update(title=""))
    edit(handout_root, "es/after-your-session.toml", lambda d: d["pemat"].pop("u1"))
    found = problems(handout_root)
    assert "handouts/en/emdr.toml: title: missing or empty text" in found
    assert any(p.startswith("handouts/es/after-your-session.toml: pemat.u1") for p in found)


def test_pemat_score_is_agree_over_applicable(handout_root: Path) -> None:
    library = load_library(handout_root)
    score = library.pemat(library.get("emdr", "en"))
    # Fixture: u1–u10 and u12 agree, u11 disagrees, u13–u17 n/a; a1–a4 agree, a7 no.
    assert score.understandability == pytest.approx(100 * 11 / 12)
    assert score.actionability == pytest.approx(100 * 4 / 5)
    assert score.meets_target  # 80 % target from library.toml
    assert str(score) == "understandable 92%, actionable 80%"


def test_units_without_end_punctuation_count_as_sentences() -> None:
    assert measurable(["A title", "A question?", "Call us if:"]) == (
        "A title.\nA question?\nCall us if:."
    )


def test_readability_uses_textstat_and_matches_set_lang(handout_root: Path) -> None:
    """Our per-language instance gives what ``textstat.set_lang('es')`` gives, offline."""
    import textstat

    library = load_library(handout_root)
    handout = library.get("after-your-session", "es")
    text = measurable(library.printed_units(handout))
    try:
        textstat.set_lang("es")
        expected = textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")
    ours = library.readability(handout)
    assert ours.score == round(expected, 1)
    assert ours.target.metric == "fernandez_huerta" and ours.meets_target
    english = library.readability(library.get("after-your-session", "en"))
    assert english.target.metric == "flesch_kincaid_grade"
    assert english.score == round(
        textstat.flesch_kincaid_grade(
            measurable(library.printed_units(library.get("after-your-session", "en")))
        ),
        1,
    )


def test_readability_target_direction() -> None:
    from kapdesk.content.handouts import ReadabilityTarget

    grade = ReadabilityTarget("en", "flesch_kincaid_grade", "F–K", "en_US", maximum=7)
    ease = ReadabilityTarget("es", "fernandez_huerta", "F-H", "es", minimum=70)
    assert measure("Hard multisyllabic institutional terminology predominates.", grade).score > 7
    assert not measure(
        "Hard multisyllabic institutional terminology predominates.", grade
    ).meets_target
    assert measure("Usted lee. Es fácil.", ease).meets_target
    assert grade.description == "≤ 7" and ease.description == "≥ 70"


def test_printed_units_include_box_labels_and_review_line(handout_root: Path) -> None:
    library = load_library(handout_root)
    units = library.printed_units(library.get("emdr", "es"))
    assert units[0] == "Hoja de prueba: una corta"
    assert "Llame a la clínica si:" in units
    assert (
        units[2] == "Esta hoja se revisó por última vez el 15 de enero de 2026."
    )  # under the purpose
