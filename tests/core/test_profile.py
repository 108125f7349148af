"""The clinic profile: transactional, validated, migrated with a backup, never lost."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from kapdesk.errors import DataError, UserInputError
from kapdesk.profile import APPLICATION_ID, SCHEMA_VERSION, ClinicProfile, ProfileStore

PROFILE = ClinicProfile(
    clinic_name="Valle Verde Clinic",
    address="12 Main St\nSpringfield",
    phone="555-0100",
    after_hours="555-0199 (on-call clinician)",
    crisis_text_en="In an emergency call 911 or go to the nearest emergency room.",
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


@pytest.mark.parametrize(
    "phone", ["555-0100", "+1 (555) 010-0100", "555 0100 ext 12", "555-0100 ext. 3"]
)
def test_phone_numbers_are_accepted(phone: str) -> None:
    from kapdesk.profile import phone_problem

    assert phone_problem("phone", phone) is None


@pytest.mark.parametrize("phone", ["call us maybe", "555-0100!", "ext 12", "()"])
def test_text_that_is_not_a_phone_number_is_refused(phone: str) -> None:
    from kapdesk.profile import ClinicProfile, phone_problem, validate

    assert "is not a phone number" in phone_problem("phone", phone)
    with pytest.raises(UserInputError, match=r"^phone: Phone"):
        validate(ClinicProfile(phone=phone))


def test_after_hours_line_needs_a_number_and_may_say_who_answers() -> None:
    from kapdesk.profile import phone_problem

    assert phone_problem("after_hours", "555-0199 (on-call nurse)") is None
    assert "no phone number" in phone_problem("after_hours", "ask the front desk")


def test_version_1_profile_is_migrated_to_per_language_texts_after_a_backup(
    tmp_path: Path,
) -> None:
    """A clinic's schema-1 profile keeps every value; its one crisis text becomes English."""
    path = tmp_path / "p.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE clinic (id INTEGER PRIMARY KEY, clinic_name TEXT, address TEXT, "
            "phone TEXT, after_hours TEXT, crisis_text TEXT, updated TEXT)"
        )
        conn.execute("CREATE TABLE offered_modalities (modality_id TEXT PRIMARY KEY)")
        conn.execute(
            "INSERT INTO clinic VALUES (1, 'Harbour Clinic', '12 Quay St', '555-0100', "
            "'555-0199', 'Call 911.', '2026-01-01T00:00:00')"
        )
        conn.execute("INSERT INTO offered_modalities VALUES ('emdr')")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with ProfileStore(path) as store:
        profile = store.load()
    assert profile == ClinicProfile(
        clinic_name="Harbour Clinic",
        address="12 Quay St",
        phone="555-0100",
        after_hours="555-0199",
        crisis_text_en="Call 911.",
        offered=("emdr",),
    )
    assert profile.crisis_text("es") == "" and profile.crisis_text("en") == "Call 911."
    backups = list(tmp_path.glob("p.before-v2.*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT crisis_text FROM clinic").fetchone() == ("Call 911.",)
    old.close()
    with ProfileStore(path) as store:  # saving the new fields works after the migration
        store.save(replace(profile, crisis_text_es="Llame al 911.", after_hours_es="555-0198"))
        again = store.load()
    assert again.crisis_text("es") == "Llame al 911." and again.after_hours_es == "555-0198"
