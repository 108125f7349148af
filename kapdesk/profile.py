"""The clinic profile: what the clinic entered, kept in its own SQLite database.

This file is the clinic's data and must never be lost: it is separate from the
knowledge base (which is rebuilt at will), every save is one transaction, and a
schema migration first copies the file to a dated backup beside it. No patient data
is ever stored here.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.errors import DataError, UserInputError
from kapdesk.paths import AppPaths

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 2

# field name -> (label, maximum length), in the order the profile is shown
LIMITS: dict[str, tuple[str, int]] = {
    "clinic_name": ("Clinic name", 120),
    "address": ("Address", 300),
    "phone": ("Phone", 40),
    "after_hours": ("After-hours line (English)", 120),
    "crisis_text_en": ("Crisis and emergency text (English)", 600),
    "crisis_text_es": ("Crisis and emergency text (Spanish)", 600),
    "after_hours_es": ("After-hours line (Spanish)", 120),
}
MULTILINE = {"address", "crisis_text_en", "crisis_text_es"}


@dataclass(frozen=True)
class ClinicProfile:
    """What the clinic entered: printed on every document, never any patient data."""

    clinic_name: str = ""
    address: str = ""
    phone: str = ""
    after_hours: str = ""
    crisis_text_en: str = ""
    crisis_text_es: str = ""
    after_hours_es: str = ""
    offered: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def crisis_text(self, lang: str) -> str:
        """The clinic's crisis text in ``lang``; empty when none was set in that language
        (a document then prints only its own emergency wording)."""
        return self.crisis_text_es if lang == "es" else self.crisis_text_en


def _clean(name: str, value: object) -> str:
    label, limit = LIMITS[name]
    if not isinstance(value, str):
        raise UserInputError(f"{name}: {label} must be text")
    text = value.strip()
    bad = [
        c
        for c in text
        if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"}
        and not (name in MULTILINE and c == "\n")
    ]
    if bad:
        raise UserInputError(
            f"{name}: {label} contains a control character (U+{ord(bad[0]):04X}); "
            "only printable text is allowed"
        )
    if len(text) > limit:
        raise UserInputError(
            f"{name}: {label} is {len(text)} characters long; at most {limit} are allowed"
        )
    return text


def validate(profile: ClinicProfile, known_modalities: list[str] | None = None) -> ClinicProfile:
    """Return a cleaned copy of ``profile`` or raise UserInputError naming the field."""
    cleaned = {name: _clean(name, getattr(profile, name)) for name in LIMITS}
    offered = tuple(dict.fromkeys(profile.offered))
    if known_modalities is not None:
        unknown = [m for m in offered if m not in known_modalities]
        if unknown:
            raise UserInputError(
                f"offered: '{unknown[0]}' is not a modality id; valid ids: "
                + ", ".join(known_modalities)
            )
    return replace(profile, **cleaned, offered=offered)


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    db["clinic"].create(
        {
            "id": int,
            "clinic_name": str,
            "address": str,
            "phone": str,
            "after_hours": str,
            "crisis_text": str,
            "updated": str,
        },
        pk="id",
    )
    db["offered_modalities"].create({"modality_id": str}, pk="modality_id")


def _migrate_to_2(db: sqlite_utils.Database) -> None:
    """Crisis and after-hours texts per language: the one crisis text becomes English."""
    db.execute("ALTER TABLE clinic RENAME COLUMN crisis_text TO crisis_text_en")
    db.execute("ALTER TABLE clinic ADD COLUMN crisis_text_es TEXT")
    db.execute("ALTER TABLE clinic ADD COLUMN after_hours_es TEXT")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _migrate_to_1,
    2: _migrate_to_2,
}


class ProfileStore:
    """Open (creating or migrating as needed) the clinic profile database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        import sqlite_utils  # imported here: the GUI shows its window before needing it

        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite_utils.Database(sqlite3.connect(path))
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            self.db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DataError(
                f"The clinic profile at {path} cannot be read ({exc}). kapdesk has not changed "
                "it. Restore it from a backup beside it, or move it away to start a new profile."
            ) from exc
        if version > SCHEMA_VERSION:
            self.db.close()
            raise DataError(
                f"The clinic profile at {path} was written by a newer kapdesk "
                f"(schema {version}); update kapdesk to open it."
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _migrate(self, current: int) -> None:
        if current > 0 or self.db.table_names():
            self.backup(f"before-v{SCHEMA_VERSION}")
        with self.db.atomic():
            for target in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](self.db)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def backup(self, label: str) -> Path:
        """Copy the database to a dated file beside it (SQLite's online backup)."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}.{label}.{stamp}.sqlite3")
        with sqlite3.connect(target) as dest:
            self.db.conn.backup(dest)
        dest.close()
        return target

    def load(self) -> ClinicProfile:
        row = self.db.execute(f"SELECT {', '.join(LIMITS)} FROM clinic WHERE id = 1").fetchone()
        offered = tuple(
            r[0]
            for r in self.db.execute("SELECT modality_id FROM offered_modalities ORDER BY rowid")
        )
        if row is None:
            return ClinicProfile(offered=offered)
        return ClinicProfile(*(value or "" for value in row), offered=offered)

    def save(
        self, profile: ClinicProfile, known_modalities: list[str] | None = None
    ) -> ClinicProfile:
        """Validate and store ``profile`` in one transaction; return what was stored."""
        clean = validate(profile, known_modalities)
        with self.db.atomic():
            self.db["clinic"].upsert(
                {
                    "id": 1,
                    **{name: getattr(clean, name) for name in LIMITS},
                    "updated": datetime.now().isoformat(timespec="seconds"),
                },
                pk="id",
            )
            self.db.execute("DELETE FROM offered_modalities")
            self.db["offered_modalities"].insert_all({"modality_id": m} for m in clean.offered)
        return clean

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ProfileStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_profile(paths: AppPaths) -> ClinicProfile:
    """The stored profile, or an empty one when none was saved yet."""
    if not paths.profile_path.exists():
        return ClinicProfile()
    with ProfileStore(paths.profile_path) as store:
        return store.load()
