"""Content packs in the core: format, keys, active content, install, rollback, diff."""

from __future__ import annotations

import base64
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kapdesk.content.kinds import compile_resources
from kapdesk.content.problems import Problems
from kapdesk.content.release import load_release
from kapdesk.errors import DataError
from kapdesk.kb import pack, pack_state
from kapdesk.kb.build import SCHEMA_VERSION, content_digest
from kapdesk.kb.diff import diff_kbs, text_report
from kapdesk.kb.store import KnowledgeBase, open_active_kb
from kapdesk.paths import AppPaths, resources_dir
from kapdesk.profile import ClinicProfile, ProfileStore
from tests.pack_helpers import PackFactory, Signer, header_length, later

pytestmark = pytest.mark.usefixtures("trust_publisher")


def active(paths: AppPaths) -> tuple[str, int]:
    with open_active_kb(paths) as kb:
        return kb.origin, kb.release.content_version


# --- keys and format ----------------------------------------------------------------------


def test_pinned_keys_are_two_distinct_minisign_keys(monkeypatch) -> None:
    monkeypatch.undo()  # the keys the program ships, not the test key
    keys = pack.trusted_keys()
    assert sorted(k.name for k in keys.values()) == ["backup", "release"]
    assert len({k.raw for k in keys.values()}) == 2 and all(len(k.raw) == 32 for k in keys.values())


def test_secret_key_round_trip_plain_and_encrypted(tmp_path: Path) -> None:
    plain = pack.write_keypair(tmp_path / "a.key", tmp_path / "a.pub")
    assert pack.read_secret_key(tmp_path / "a.key") == plain
    assert (tmp_path / "a.key").stat().st_mode & 0o077 == 0
    # Cheap scrypt parameters for the test; minisign's defaults take seconds and 1 GB.
    encrypted = pack.write_keypair(
        tmp_path / "b.key",
        tmp_path / "b.pub",
        password="s3cret",
        opslimit=1 << 15,
        memlimit=1 << 20,
    )
    assert pack.read_secret_key(tmp_path / "b.key", lambda: "s3cret") == encrypted
    with pytest.raises(pack.PackError, match="wrong password"):
        pack.read_secret_key(tmp_path / "b.key", lambda: "guess")
    public = pack.PublicKey.parse("b", (tmp_path / "b.pub").read_text())
    assert public == encrypted.public("b")


def test_pack_is_header_then_the_database(make_pack: PackFactory, built_data_dir: Path) -> None:
    path = make_pack(2)
    offset = header_length(path)
    lines = path.read_bytes()[:offset].decode().splitlines()
    assert lines[0] == "kapdesk-content-pack 1"
    assert lines[1].startswith("untrusted comment: ")
    assert base64.b64decode(lines[2])[:2] == b"ED"
    assert lines[3].startswith("trusted comment: kapdesk-pack {")
    assert path.read_bytes()[offset : offset + 16] == b"SQLite format 3\x00"
    manifest = pack.verify_pack(path).manifest
    assert manifest.content_version == 2 and manifest.kb_schema == SCHEMA_VERSION
    assert manifest.db_bytes == path.stat().st_size - offset


@pytest.mark.skipif(shutil.which("minisign") is None, reason="minisign is not installed")
def test_minisign_verifies_the_database_part(make_pack: PackFactory, publisher, tmp_path) -> None:
    path = make_pack(2)
    data = path.read_bytes()
    offset = header_length(path)
    (tmp_path / "kb.sqlite3").write_bytes(data[offset:])
    sig = b"\n".join(data[:offset].split(b"\n")[1:5]) + b"\n"
    (tmp_path / "kb.sqlite3.minisig").write_bytes(sig)
    (tmp_path / "test.pub").write_text(publisher.public_text)
    result = subprocess.run(
        ["minisign", "-V", "-m", "kb.sqlite3", "-p", "test.pub"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert '"content_version":2' in result.stdout


def test_build_pack_from_resources(tmp_path: Path, publisher: Signer) -> None:
    manifest, key = pack.build_pack(publisher.secret_path, tmp_path / "out.kpack")
    content = compile_resources()
    assert key.name == "test"
    assert manifest.content_version == content.release.content_version
    assert manifest.content_hash == content.version.content_hash
    assert manifest.reviewed == content.version.reviewed
    assert pack.verify_pack(tmp_path / "out.kpack").manifest == manifest


def test_build_refuses_content_already_expired(tmp_path: Path, publisher: Signer) -> None:
    expires = load_release(resources_dir(), Problems()).expires
    with pytest.raises(pack.PackError, match=r"^expires: .* is not after today"):
        pack.build_pack(publisher.secret_path, tmp_path / "x.kpack", today=expires)
    assert not (tmp_path / "x.kpack").exists()


# --- install, the active content, rollback --------------------------------------------


@pytest.fixture
def paths(data_dir: Path) -> AppPaths:
    """A data directory with the bundled knowledge base and a clinic profile."""
    paths = AppPaths(data_dir)
    with ProfileStore(paths.profile_path) as store:
        store.save(ClinicProfile(clinic_name="Clínica Norte", phone="555-0100"))
    return paths


def test_install_switches_to_the_newer_pack_and_never_touches_the_profile(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    profile = paths.profile_path.read_bytes()
    assert active(paths) == ("bundled", 1)
    outcome = pack.install_pack(paths, make_pack(2))
    assert "Installed content pack version 2" in outcome.message and not outcome.warnings
    assert active(paths) == ("pack", 2)
    status = pack.pack_status(paths)
    assert status["active"]["origin"] == "pack" and status["installed_pack"]["intact"]
    assert status["rollback_to"] == "bundled content version 1"
    assert paths.profile_path.read_bytes() == profile


def test_bundled_content_newer_than_the_pack_is_active(
    paths: AppPaths, make_pack: PackFactory, monkeypatch
) -> None:
    pack.install_pack(paths, make_pack(2))
    assert active(paths) == ("pack", 2)
    # A program update ships content version 5: it wins over the installed pack 2.
    real_open = KnowledgeBase.open

    def bundled_v5(path, **options):
        kb = real_open(path, **options)
        if kb.origin == "bundled":
            kb.__dict__["release"] = kb.release.__class__(5, kb.release.expires, "0.1.0")
        return kb

    monkeypatch.setattr(KnowledgeBase, "open", staticmethod(bundled_v5))
    assert active(paths) == ("bundled", 5)
    assert pack.pack_status(paths)["active"]["origin"] == "bundled"


def test_replayed_older_and_equal_versions_are_refused(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    pack.install_pack(paths, make_pack(3))
    with pytest.raises(pack.PackError, match="content version 2 is not newer than version 3"):
        pack.install_pack(paths, make_pack(2))
    with pytest.raises(pack.PackError, match="content version 3 is already installed"):
        pack.install_pack(paths, make_pack(3, name="v3-other", meta={"reviewed": "2026-12-01"}))
    with pytest.raises(pack.PackError, match="not newer than the active bundled content"):
        fresh = AppPaths(paths.data_dir.parent / "fresh")
        fresh.ensure()
        shutil.copyfile(paths.kb_path, fresh.kb_path)
        pack.install_pack(fresh, make_pack(1))
    assert active(paths) == ("pack", 3)


def test_highest_version_is_remembered_across_rollback(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    v2, v3, v4 = make_pack(2), make_pack(3), make_pack(4)
    pack.install_pack(paths, v2)
    pack.install_pack(paths, v4)
    pack.rollback_pack(paths)  # back to 2; 4 is remembered
    assert active(paths) == ("pack", 2)
    with pytest.raises(pack.PackError, match="content version 3 is not newer than version 4"):
        pack.install_pack(paths, v3)


def test_rollback_then_install_the_same_newer_pack_again(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    v2, v3 = make_pack(2), make_pack(3)
    pack.install_pack(paths, v2)
    pack.install_pack(paths, v3)
    assert pack.pack_status(paths)["rollback_to"] == "content pack version 2"
    outcome = pack.rollback_pack(paths)
    assert "content pack version 3 removed; active now: content pack version 2" in outcome.message
    assert active(paths) == ("pack", 2)
    pack.install_pack(paths, v3)
    assert active(paths) == ("pack", 3)
    # Another pack that merely claims version 3 is still refused.
    pack.rollback_pack(paths)
    impostor = make_pack(3, name="v3-impostor", meta={"reviewed": "2026-12-02"})
    with pytest.raises(pack.PackError, match="differs from the pack of that version"):
        pack.install_pack(paths, impostor)
    assert active(paths) == ("pack", 2)
    # Back to the bundled content, then nothing left to roll back.
    assert "active now: bundled content version 1" in pack.rollback_pack(paths).message
    with pytest.raises(pack.PackError, match="no content pack is installed"):
        pack.rollback_pack(paths)
    assert active(paths) == ("bundled", 1)
    assert sorted(p.name for p in pack.packs_dir(paths).iterdir()) == ["state.json"]


def test_only_active_and_previous_packs_are_kept(paths: AppPaths, make_pack: PackFactory) -> None:
    for version in (2, 3, 4):
        pack.install_pack(paths, make_pack(version))
    folders = sorted(p.name.split("-")[0] for p in pack.packs_dir(paths).iterdir() if p.is_dir())
    assert folders == ["v3", "v4"]


def test_expired_pack_installs_with_a_warning_only_if_newer(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    stale = make_pack(2, expires=later(-3))
    warning = pack.verify_pack(stale).warnings
    assert len(warning) == 1 and "expired on" in warning[0] and "due for review" in warning[0]
    outcome = pack.install_pack(paths, stale)
    assert outcome.warnings == warning
    status = pack.pack_status(paths)
    assert status["active"]["origin"] == "pack" and status["active"]["expired"] is True
    pack.install_pack(paths, make_pack(3))
    with pytest.raises(pack.PackError, match=r"not newer than version 3.*expired on"):
        pack.install_pack(paths, make_pack(1, expires=later(-3), name="old-stale"))


def test_damaged_installed_pack_falls_back_to_bundled(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    pack.install_pack(paths, make_pack(2))
    state = pack.load_state(paths)
    db = pack.packs_dir(paths) / state.active.folder / pack.DB_NAME
    data = bytearray(db.read_bytes())
    data[-100] ^= 0xFF
    db.write_bytes(bytes(data))
    assert active(paths) == ("bundled", 1)
    assert pack.pack_status(paths)["installed_pack"]["intact"] is False


def test_opening_an_installed_pack_does_not_load_cryptography(
    paths: AppPaths, make_pack: PackFactory
) -> None:
    pack.install_pack(paths, make_pack(2))
    code = (
        "import sys\n"
        "from kapdesk.kb.store import open_active_kb\n"
        "from kapdesk.paths import AppPaths\n"
        f"kb = open_active_kb(AppPaths.resolve({str(paths.data_dir)!r}))\n"
        "print(kb.origin, kb.release.content_version, 'cryptography' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["pack", "2", "False"], result.stderr


# --- the database inside a validly signed pack ------------------------------------------


def test_database_failing_integrity_check_is_refused(
    tmp_path: Path, built_data_dir: Path, make_pack: PackFactory, paths: AppPaths
) -> None:
    db = tmp_path / "broken.sqlite3"
    shutil.copyfile(AppPaths(built_data_dir).kb_path, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE manifest SET value = '2' WHERE key = 'content_version'")
        conn.execute("CREATE INDEX statements_by_key ON statements(key)")
    conn.close()
    with sqlite3.connect(db) as conn:  # the index now claims another column: corrupt
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX statements_by_key ON statements(text)' "
            "WHERE name = 'statements_by_key'"
        )
    conn.close()
    broken = make_pack(2, db=db, name="broken")
    with pytest.raises(pack.PackError, match=r"integrity_check failed.*publisher built a damaged"):
        pack.verify_pack(broken)
    with pytest.raises(pack.PackError, match="integrity_check failed"):
        pack.install_pack(paths, broken)
    assert active(paths) == ("bundled", 1)
    assert not [p for p in pack.packs_dir(paths).iterdir() if p.is_dir()]


def test_database_that_contradicts_its_manifest_is_refused(kb: KnowledgeBase) -> None:
    """A publisher bug: the signed manifest names other content than the database holds."""
    honest = pack.Manifest(
        content_version=kb.release.content_version,
        reviewed=kb.version.reviewed,
        built=kb.version.reviewed,
        expires=kb.release.expires,
        kb_schema=kb.schema_version,
        min_program=kb.release.min_program,
        content_hash=kb.version.content_hash,
        db_bytes=kb.path.stat().st_size,
    )
    pack.check_database(kb.path, honest, "x.kpack")
    for field_name, value, message in (
        ("content_hash", "0" * 64, "content hash in the database does not match"),
        ("content_version", 7, "content version in the database does not match"),
    ):
        wrong = pack.Manifest(**{**honest.__dict__, field_name: value})
        with pytest.raises(pack.PackError, match=message):
            pack.check_database(kb.path, wrong, "x.kpack")


# --- the diff ---------------------------------------------------------------------------


def edited_resources(root: Path, version: int) -> tuple[str, str]:
    """Copy resources/ with one statement's text changed and a new content version."""
    shutil.copytree(resources_dir(), root, ignore=shutil.ignore_patterns("prebuilt"))
    release = root / "content" / "release.toml"
    release.write_text(
        re.sub(r"content_version = \d+", f"content_version = {version}", release.read_text())
    )
    modality = root / "content" / "modalities" / "cbt.toml"
    text = modality.read_text(encoding="utf-8")
    at = text.index("[[mechanism]]")
    match = re.compile(r'text = "([^"]+)"').search(text, at)
    old = match.group(1)
    new = old.replace(" ", " clearly ", 1)
    modality.write_text(text[: match.start(1)] + new + text[match.end(1) :], encoding="utf-8")
    return old, new


def test_diff_of_one_changed_statement_shows_exactly_that_statement(
    tmp_path: Path, publisher: Signer, paths: AppPaths
) -> None:
    old, new = edited_resources(tmp_path / "resources", 2)
    out = tmp_path / "v2.kpack"
    pack.build_pack(publisher.secret_path, out, resources_root=tmp_path / "resources")
    with open_active_kb(paths) as current:
        _, diff = pack.preview_pack(out, current)
    assert diff.tables == []
    assert [m.id for m in diff.modalities] == ["cbt"]
    (change,) = diff.modalities[0].statements
    assert (change.change, change.key, change.fields) == ("changed", "mechanism", ("text",))
    assert (change.old["text"], change.new["text"]) == (old, new)
    assert change.new["sources"] == change.old["sources"] and change.new["reviewed"]
    report = text_report(diff)
    assert f"was: {old}" in report and f"now: {new}" in report
    assert "words: +“clearly”" in report
    assert "From bundled content version 1" in report and "to content pack version 2" in report
    assert report.count("Changed —") == 1


def test_diff_lists_added_removed_and_rating_changes(kb: KnowledgeBase, tmp_path: Path) -> None:
    from dataclasses import replace

    from kapdesk.kb.build import build

    content = compile_resources()
    cbt = content.modalities["cbt"]
    strength = next(iter(cbt.strengths.values()))
    rating = "none" if strength.rating != "none" else "limited"
    first_section = next(iter(cbt.sections))
    edited = replace(
        cbt,
        sections={**cbt.sections, first_section: cbt.sections[first_section][1:]},
        strengths={**cbt.strengths, strength.condition: replace(strength, rating=rating)},
    )
    changed = replace(content, modalities={**content.modalities, "cbt": edited})
    with KnowledgeBase.open(build(changed, tmp_path / "kb.sqlite3"), activate_catalog=False) as new:
        diff = diff_kbs(kb, new)
    changes = {(c.change, c.key, c.fields) for c in diff.modalities[0].statements}
    assert changes == {
        ("removed", first_section, ()),
        ("changed", f"strength.{strength.condition}", ("rating",)),
    }
    assert diff.parts == [] and diff.tables == []
    assert f"rating: {strength.rating} → {rating}" in text_report(diff)


def test_diff_shows_a_changed_rule_threshold(
    tmp_path: Path, publisher: Signer, paths: AppPaths
) -> None:
    root = tmp_path / "resources"
    edited_resources(root, 2)
    rules = root / "rules" / "eligibility.toml"
    text = rules.read_text(encoding="utf-8")
    at = text.index('id = "bp-above-140-90"')
    at = text.index('answer = "systolic_bp", above = 140', at)
    rules.write_text(text[:at] + text[at:].replace("above = 140", "above = 150", 1))
    out = tmp_path / "v2.kpack"
    pack.build_pack(publisher.secret_path, out, resources_root=root)
    with open_active_kb(paths) as current:
        _, diff = pack.preview_pack(out, current)
    (part,) = diff.parts
    threshold = [c for c in part.changes if c[1:] == (140, 150)]
    assert part.part == "eligibility" and len(threshold) == 1
    assert "[bp-above-140-90]" in threshold[0][0]
    assert f"{threshold[0][0]}: 140 → 150" in text_report(diff)
    assert "Eligibility rules:" in text_report(diff)


def test_json_changes_match_ids_and_ignore_set_order() -> None:
    from kapdesk.kb.diff import json_changes

    old = {"criteria": [{"id": "a", "above": 140}, {"id": "b", "above": 90}], "weak": ["x", "y"]}
    new = {"criteria": [{"id": "b", "above": 90}, {"id": "a", "above": 150}], "weak": ["y", "x"]}
    assert json_changes(old, new) == [("criteria[a].above", 140, 150)]
    new["criteria"].append({"id": "c", "above": 1})
    assert json_changes(old, new)[-1] == ("criteria[c]", None, {"id": "c", "above": 1})


def test_diff_compares_other_tables_row_by_row(kb: KnowledgeBase, tmp_path: Path) -> None:
    db = tmp_path / "kb.sqlite3"
    shutil.copyfile(kb.path, db)
    with sqlite3.connect(db) as conn:
        # The first reference that has a year (the sheets give none for some, e.g. [S48]).
        ref_id, year = conn.execute(
            "SELECT id, year FROM refs WHERE year IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE refs SET year = ? WHERE id = ?", (year + 1, ref_id))
        conn.execute("CREATE TABLE rule_thresholds (id TEXT PRIMARY KEY, systolic INTEGER)")
        conn.execute(
            "UPDATE manifest SET value = ? WHERE key = 'content_digest'", (content_digest(conn),)
        )
    conn.close()
    with KnowledgeBase.open(db, activate_catalog=False) as new:
        diff = diff_kbs(kb, new)
    assert diff.modalities == []
    by_table = {t.table: t for t in diff.tables}
    assert by_table["rule_thresholds"].status == "added"
    (row,) = by_table["refs"].changed
    assert row == {"key": {"id": ref_id}, "columns": {"year": {"old": year, "new": year + 1}}}
    assert f"id={ref_id}: year: {year} → {year + 1}" in text_report(diff)


def test_state_file_that_cannot_be_read_is_reported(paths: AppPaths) -> None:
    pack.packs_dir(paths).mkdir()
    (pack.packs_dir(paths) / pack_state.STATE_FILE).write_text("{not json")
    with pytest.raises(DataError, match="content-pack state cannot be read"):
        pack.load_state(paths)
    assert active(paths) == ("bundled", 1)  # the app still opens
