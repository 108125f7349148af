"""Building, rebuilding and verifying the knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kapdesk.content.kinds import content_hash
from kapdesk.content.model import MODALITY_IDS
from kapdesk.errors import DataError, UserInputError
from kapdesk.kb.store import KnowledgeBase, ensure_kb
from kapdesk.paths import AppPaths, resources_dir


def test_every_statement_cites_resolvable_sources(kb) -> None:
    assert kb.verify() == []
    for modality in kb.modalities():
        for key, statement in modality.statements():
            assert statement.sources, (modality.id, key)
            for ref in statement.sources:
                assert kb.reference(ref).citation


def test_sixteen_modalities_with_exact_ids(kb) -> None:
    assert kb.modality_ids() == list(MODALITY_IDS)


def test_unknown_modality_lists_valid_ids(kb) -> None:
    with pytest.raises(UserInputError, match="valid ids: ketamine-iv, ketamine-im"):
        kb.modality("ketamine-nasal")


def test_version_is_content_hash_and_latest_review(kb) -> None:
    assert kb.version.content_hash == content_hash()
    # The latest review date over every compiled part (kapdesk.content.kinds.compile_resources).
    catalog = kb.catalog
    dates = [s.reviewed for m in kb.modalities() for _, s in m.statements()]
    dates += [catalog.eligibility.reviewed, catalog.integration.reviewed, catalog.plan.reviewed]
    dates += [catalog.session.reviewed, catalog.interactions.reviewed]
    dates += [h.reviewed for h in catalog.handouts.texts.values()]
    dates += [scale.reviewed for scale in catalog.scales.scales.values()]
    assert kb.version.reviewed == max(dates)


def test_racemic_ketamine_is_said_to_be_off_label(kb) -> None:
    for mid in ("ketamine-iv", "ketamine-im", "ketamine-oral-sl", "kap"):
        regulatory = " ".join(s.text for s in kb.modality(mid).sections["regulatory"]).lower()
        assert "off-label" in regulatory, mid


def test_kb_lives_in_the_data_dir_and_is_reused(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "user")
    kb, built = ensure_kb(paths)
    kb.close()
    assert built and paths.kb_path.is_file()
    assert not str(paths.kb_path).startswith(str(resources_dir()))
    kb, built = ensure_kb(paths)
    kb.close()
    assert not built


def test_content_change_triggers_rebuild(tmp_path: Path) -> None:
    root = tmp_path / "res"
    shutil.copytree(resources_dir(), root)
    paths = AppPaths(tmp_path / "user")
    kb, _ = ensure_kb(paths, resources_root=root)
    first = kb.version
    kb.close()
    path = root / "content" / "modalities" / "cbt.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    kb, built = ensure_kb(paths, resources_root=root)
    with kb:
        assert built and kb.version.content_hash != first.content_hash


def test_corrupt_database_is_rebuilt(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "user").ensure()
    paths.kb_path.write_bytes(b"this is not a database" * 100)
    kb, built = ensure_kb(paths)
    with kb:
        assert built and kb.modality("emdr").name


def test_a_database_changed_after_its_build_is_refused(data_dir: Path) -> None:
    import sqlite3

    path = AppPaths(data_dir).kb_path
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM statement_sources WHERE statement_id = 1")
    conn.close()
    with pytest.raises(DataError, match="does not match its manifest"):
        KnowledgeBase.open(path)


def _change_dose(path: Path) -> None:
    """One byte of one stored statement: 0.5 mg/kg becomes 5.5 mg/kg (issue 17, item 1)."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        for table, column in (("statements", "text"), ("modalities", "data")):
            conn.execute(
                f"UPDATE {table} SET {column} = replace({column}, '0.5 mg/kg', '5.5 mg/kg')"
            )
    conn.close()


def test_one_changed_byte_is_never_served_and_the_kb_heals(data_dir: Path) -> None:
    paths = AppPaths(data_dir)
    with KnowledgeBase.open(paths.kb_path) as kb:
        assert "0.5 mg/kg" in kb.modality("ketamine-iv").summary.text + str(
            [s.text for _, s in kb.modality("ketamine-iv").statements()]
        )
    _change_dose(paths.kb_path)
    with pytest.raises(DataError):
        KnowledgeBase.open(paths.kb_path)
    kb, built = ensure_kb(paths)
    with kb:
        texts = " ".join(s.text for _, s in kb.modality("ketamine-iv").statements())
        assert built and "5.5 mg/kg" not in texts and "0.5 mg/kg" in texts
        assert kb.verify() == []


@pytest.mark.parametrize(
    "damage",
    [
        "directory",
        "no-digest",
        "no-compiled-part",
        "garbage-json",
    ],
)
def test_damaged_kb_is_rebuilt_never_an_exit_1_loop(data_dir: Path, damage: str) -> None:
    import shutil
    import sqlite3

    paths = AppPaths(data_dir)
    if damage == "directory":
        paths.kb_path.unlink()
        paths.kb_path.mkdir()
        (paths.kb_path / "x").write_text("y")
    else:
        with sqlite3.connect(paths.kb_path) as conn:
            if damage == "no-digest":
                conn.execute("DELETE FROM manifest WHERE key = 'content_digest'")
            elif damage == "no-compiled-part":
                conn.execute("DELETE FROM compiled WHERE part = 'eligibility'")
            else:
                conn.execute("UPDATE compiled SET data = '{' WHERE part = 'handouts'")
        conn.close()
    kb, built = ensure_kb(paths)
    with kb:
        assert built and kb.catalog.eligibility.criteria and kb.catalog.handouts.ids
    if damage == "directory":
        kept = [p for p in data_dir.iterdir() if p.name.startswith(paths.kb_path.name + ".damaged")]
        assert len(kept) == 1 and (kept[0] / "x").read_text() == "y"
        shutil.rmtree(kept[0])
