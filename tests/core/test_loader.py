"""The loader rejects malformed content with a `file: key: what is wrong` message."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from kapdesk.content.kinds import content_hash, load_content
from kapdesk.content.model import CONDITIONS, MODALITY_IDS, SECTIONS, Modality
from kapdesk.errors import ContentError
from kapdesk.paths import resources_dir
from tests.tomlwrite import dumps


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    root = tmp_path / "res"
    shutil.copytree(resources_dir() / "content", root / "content")
    return root


def edit_modality(root: Path, mid: str, change: Callable[[dict], None]) -> None:
    path = root / "content" / "modalities" / f"{mid}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dumps(data), encoding="utf-8")


def test_shipped_content_is_valid() -> None:
    content = load_content()
    assert list(content.modalities) == list(MODALITY_IDS)
    for modality in content.modalities.values():
        for section in SECTIONS:
            assert modality.sections[section] or section in modality.missing, (modality.id, section)
        for condition in CONDITIONS:
            assert condition in modality.strengths or f"strength.{condition}" in modality.missing


def test_round_trip_of_the_fixture_writer_keeps_content_valid(content_root: Path) -> None:
    edit_modality(content_root, "emdr", lambda d: None)
    assert load_content(content_root).modalities["emdr"] == load_content().modalities["emdr"]


def _drop_summary_sources(d: dict) -> None:
    del d["summary"]["sources"]


MALFORMED: list[tuple[str, Callable[[dict], None], str]] = [
    (
        "no sources",
        _drop_summary_sources,
        "content/modalities/emdr.toml: summary.sources: no sources",
    ),
    (
        "unresolved source",
        lambda d: d["summary"].__setitem__("sources", ["nobody-2099"]),
        "content/modalities/emdr.toml: "
        "summary.sources: 'nobody-2099' is not in content/references.toml",
    ),
    (
        "evidence not in vocabulary",
        lambda d: d["mechanism"][0].__setitem__("evidence", "anecdote"),
        "content/modalities/emdr.toml: mechanism[0].evidence: 'anecdote' is not an evidence type",
    ),
    (
        "strength not in vocabulary",
        lambda d: d["strength"]["ptsd"].__setitem__("rating", "excellent"),
        "content/modalities/emdr.toml: strength.ptsd.rating: 'excellent' is not a strength",
    ),
    (
        "review date missing",
        lambda d: d["mechanism"][0].pop("reviewed"),
        "content/modalities/emdr.toml: mechanism[0].reviewed: missing review date",
    ),
    (
        "review date as text",
        lambda d: d["summary"].__setitem__("reviewed", "last week"),
        "content/modalities/emdr.toml: summary.reviewed: must be a date",
    ),
    (
        "unknown key (typo)",
        lambda d: d["summary"].__setitem__("sorces", ["who-2013"]),
        "content/modalities/emdr.toml: summary.sorces: unknown key",
    ),
    (
        "id differs from the file name",
        lambda d: d.__setitem__("id", "emdr2"),
        "content/modalities/emdr.toml: id: 'emdr2' must equal the file name 'emdr'",
    ),
    (
        "unknown category",
        lambda d: d.__setitem__("category", "magic"),
        "content/modalities/emdr.toml: category: 'magic' is not a category",
    ),
    (
        "empty section without a reason",
        lambda d: (d.__setitem__("burden", []), d.get("missing", {}).pop("burden", None)),
        "content/modalities/emdr.toml: burden: no statements and no reason under [missing]",
    ),
    (
        "condition without rating or reason",
        lambda d: d["strength"].pop("depression"),
        "content/modalities/emdr.toml: "
        "strength.depression: no rating and no reason under [missing]",
    ),
    (
        "plain text missing where the patient view needs it",
        lambda d: d["mechanism"][0].pop("plain_es"),
        "content/modalities/emdr.toml: mechanism[0].plain_es: missing",
    ),
    (
        "Spanish summary missing",
        lambda d: d["plain_summary"].pop("es"),
        "content/modalities/emdr.toml: plain_summary.es: missing or empty text",
    ),
    (
        "bad onset range",
        lambda d: d["serious_risks"][0].__setitem__("days", [5, 1]),
        "content/modalities/emdr.toml: serious_risks[0].days: unknown key",
    ),
    (
        "grid answer too long for the patient sheet",
        lambda d: d["mechanism"][0].__setitem__("grid_en", "Word " * 22 + "end."),
        "content/modalities/emdr.toml: "
        "mechanism[0].grid_en: 114 characters; a grid answer has at most 110",
    ),
    (
        "Spanish grid answer too long",
        lambda d: d["strength"]["ptsd"].__setitem__("grid_es", "x" * 111),
        "content/modalities/emdr.toml: "
        "strength.ptsd.grid_es: 111 characters; a grid answer has at most",
    ),
    (
        "grid answer in one language only",
        lambda d: d["mechanism"][1].__setitem__("grid_en", "A short answer."),
        "content/modalities/emdr.toml: mechanism[1].grid_es: missing: grid_en is given; give both",
    ),
    (
        "empty grid answer",
        lambda d: d["mechanism"][0].__setitem__("grid_es", " "),
        "content/modalities/emdr.toml: mechanism[0].grid_es: must be non-empty text",
    ),
    (
        "grid answer without the plain text it shortens",
        lambda d: d["burden"][2].update(grid_en="Short.", grid_es="Corto."),
        "content/modalities/emdr.toml: burden[2].grid_en: needs plain_en: a grid answer shortens",
    ),
]


@pytest.mark.parametrize(
    "change,expected", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_modality_is_rejected_with_file_and_key(
    content_root: Path, change: Callable[[dict], None], expected: str
) -> None:
    edit_modality(content_root, "emdr", change)
    with pytest.raises(ContentError) as info:
        load_content(content_root)
    assert any(expected in problem for problem in info.value.problems), info.value.problems


def test_bad_onset_range_is_rejected(content_root: Path) -> None:
    edit_modality(content_root, "ketamine-iv", lambda d: d["onset"][0].__setitem__("days", [5, 1]))
    with pytest.raises(ContentError) as info:
        load_content(content_root)
    assert (
        "content/modalities/ketamine-iv.toml: onset[0].days: "
        "must be two numbers [low, high], 0 ≤ low ≤ high" in info.value.problems
    )


def test_toml_syntax_error_names_the_file(content_root: Path) -> None:
    path = content_root / "content" / "modalities" / "art.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\nthis is = = not toml\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(content_root)
    assert any(
        p.startswith("content/modalities/art.toml: (file): not valid TOML")
        for p in info.value.problems
    )


def test_missing_modality_file_is_reported(content_root: Path) -> None:
    (content_root / "content" / "modalities" / "ect.toml").unlink()
    with pytest.raises(ContentError) as info:
        load_content(content_root)
    assert (
        "content/modalities/ect.toml: (file): missing: every modality needs a file"
        in info.value.problems
    )


def test_reference_without_citation_is_rejected(content_root: Path) -> None:
    path = content_root / "content" / "references.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n[lonely-2020]\nyear = 2020\n", encoding="utf-8"
    )
    with pytest.raises(ContentError) as info:
        load_content(content_root)
    assert (
        "content/references.toml: lonely-2020.citation: missing or empty text"
        in info.value.problems
    )


def test_all_problems_are_reported_at_once(content_root: Path) -> None:
    edit_modality(content_root, "emdr", _drop_summary_sources)
    edit_modality(content_root, "ifs", lambda d: d.__setitem__("category", "magic"))
    with pytest.raises(ContentError) as info:
        load_content(content_root)
    files = {p.split(":")[0] for p in info.value.problems}
    assert {"content/modalities/emdr.toml", "content/modalities/ifs.toml"} <= files


def test_content_hash_changes_with_any_byte(content_root: Path) -> None:
    before = content_hash(content_root)
    path = content_root / "content" / "modalities" / "cbt.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# reviewed again\n", encoding="utf-8")
    assert content_hash(content_root) != before


def test_grid_answers_load_and_survive_the_database_form(content_root: Path) -> None:
    """A grid answer added anywhere a plain text is (here a non-lead statement) is kept."""

    def add(d: dict) -> None:
        d["mechanism"][1].update(grid_en="How it works is not known.", grid_es="No se sabe.")

    edit_modality(content_root, "emdr", add)
    emdr = load_content(content_root).modalities["emdr"]
    statement = emdr.sections["mechanism"][1]
    assert (statement.grid("en"), statement.grid("es")) == (
        "How it works is not known.",
        "No se sabe.",
    )
    assert Modality.from_dict(emdr.to_dict()) == emdr
    assert emdr.sections["mechanism"][2].grid("es") is None
