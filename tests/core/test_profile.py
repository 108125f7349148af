"""The clinic profile: transactional, validated, migrated with a backup, never lost."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kapdesk.errors import DataError, UserInputError
from kapdesk.profile import APPLICATION_ID, SCHEMA_VERSION, ClinicProfile, ProfileStore

PROFILE = ClinicProfile(
    clinic_name="Valle Verde Clinic",
    address="12 Main St\nSpringfield",
    phone="555-0100",
    after_hours="555-0199 (on-call clinician)",
    crisis_text="In an emergency call 911 or go to the nearest emergency room.",
    offered=("emdr", "cbt"),
)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with ProfileStore(path) as store:
        store.save(PROFILE, ["emdr", "cbt", "ifs"])
    with ProfileStore(path) as store:
        assert store.load() == PROFILE


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"clinic_name": "x" * 121},
            "clinic_name: Clinic name is 121 characters long; at most 120",
        ),
        ({"phone": "555\x07"}, "phone: Phone contains a control character (U+0007)"),
        ({"offered": ("emdr", "reiki")}, "offered: 'reiki' is not a modality id"),
    ],
)
def test_invalid_profile_is_rejected_and_nothing_is_lost(tmp_path: Path, change, message) -> None:
    path = tmp_path / "p.sqlite3"
    with ProfileStore(path) as store:
        store.save(PROFILE, ["emdr", "cbt"])
        bad = ClinicProfile(**{**PROFILE.__dict__, **change})
        with pytest.raises(UserInputError, match=re.escape(message)):
            store.save(bad, ["emdr", "cbt"])
        assert store.load() == PROFILE


def test_corrupt_profile_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    garbage = b"not a database at all" * 200
    path.write_bytes(garbage)
    with pytest.raises(DataError, match="cannot be read"):
        ProfileStore(path)
    assert path.read_bytes() == garbage


def test_migration_from_an_older_schema_backs_up_first(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE legacy (x)")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # ours, an older schema
        conn.execute("PRAGMA user_version = 0")
    conn.close()
    with ProfileStore(path) as store:
        assert store.load() == ClinicProfile()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()
    backups = list(tmp_path.glob("p.before-v*.sqlite3"))
    assert len(backups) == 1
    legacy = sqlite3.connect(backups[0])
    assert legacy.execute("SELECT name FROM sqlite_master").fetchall() == [("legacy",)]
    legacy.close()


def test_backup_copies_the_data(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with ProfileStore(path) as store:
        store.save(PROFILE)
        backup = store.backup("manual")
    with ProfileStore(backup) as copy:
        assert copy.load() == PROFILE


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with ProfileStore(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DataError, match="newer kapdesk"):
        ProfileStore(path)
