"""The clinic profile: what the clinic entered, kept in its own SQLite database.

This file is the clinic's data and must never be lost: it is separate from the
knowledge base (which is rebuilt at will), every save is one transaction, and a
schema migration first copies the file to a dated backup beside it. No patient data
is ever stored here.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.errors import DataError, UserInputError, escape_controls, quote
from kapdesk.paths import AppPaths

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 2
# PRAGMA application_id of every clinic profile ("kapd"): a SQLite file at the profile
# path without it (and without the tables of a profile made before it was set) is not
# kapdesk's and is never changed.
APPLICATION_ID = 0x6B617064
# Seconds to wait for another kapdesk window's transaction; one retry after that.
BUSY_TIMEOUT = 5.0
IN_USE = "the clinic profile is in use by another kapdesk window; close it and try again"

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
# A phone number: digits, spaces, + - ( ) and an optional extension ("ext 12", "ext. 12").
PHONE = re.compile(r"\+?[\d\s()\-]*\d[\d\s()\-]*(?:\s*ext\.?\s*\d+)?", re.IGNORECASE)
# The after-hours line may describe who answers, but must hold a number to call.
PHONE_FIELDS = ("phone", "after_hours", "after_hours_es")
PHONE_IN_TEXT = re.compile(r"\d[\d\s()\-]*\d")


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


def phone_problem(name: str, text: str) -> str | None:
    """Why ``text`` is not acceptable for phone field ``name``, or None if it is (or empty).

    ``phone`` takes digits, spaces, + - ( ) and "ext"; ``after_hours`` must contain a
    number to call and may add who answers, e.g. "555-0199 (on-call nurse)".
    """
    text = text.strip()
    if not text or name not in PHONE_FIELDS:
        return None
    label = LIMITS[name][0]
    if name == "phone" and not PHONE.fullmatch(text):
        return (
            f'{name}: {label} "{text}" is not a phone number; use digits, spaces, + - ( ) and "ext"'
        )
    if name != "phone" and not PHONE_IN_TEXT.search(text):
        return f'{name}: {label} "{text}" holds no phone number; add the number to call'
    return None


def validate(profile: ClinicProfile, known_modalities: list[str] | None = None) -> ClinicProfile:
    """Return a cleaned copy of ``profile`` or raise UserInputError naming the field."""
    cleaned = {name: _clean(name, getattr(profile, name)) for name in LIMITS}
    for name in PHONE_FIELDS:
        problem = phone_problem(name, cleaned[name])
        if problem:
            raise UserInputError(problem)
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


class ProfileInUseError(UserInputError):
    """Another kapdesk window holds the profile's lock past the busy timeout."""

    def __init__(self) -> None:
        super().__init__(IN_USE)


class ForeignProfileError(UserInputError):
    """The file at the profile path is a SQLite database that is not kapdesk's."""


def _locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


# Tables and columns of a profile written before the application_id was set.
_LEGACY_TABLES = {"clinic", "offered_modalities"}
_LEGACY_CLINIC_COLUMNS = {"id", "clinic_name", "address", "phone", "after_hours"}


def _check_ours(conn: sqlite3.Connection, path: Path) -> int:
    """The file's application_id; ForeignProfileError if the file is not a profile."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return app_id
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if app_id == 0 and not tables:
        return app_id  # a new or empty file: ours to set up
    columns = {row[1] for row in conn.execute("PRAGMA table_info(clinic)")}
    if app_id == 0 and tables <= _LEGACY_TABLES and columns >= _LEGACY_CLINIC_COLUMNS:
        return app_id  # made by kapdesk before the application_id was set
    what = f"application id {app_id}" if app_id else "tables " + ", ".join(sorted(tables))
    raise ForeignProfileError(
        f"profile: {quote(path)} is a SQLite database that is not a kapdesk clinic profile "
        f"({escape_controls(what)}); kapdesk has not changed it. Move it away, or choose "
        "another data folder"
    )


class ProfileStore:
    """Open (creating or migrating as needed) the clinic profile database.

    The file must be kapdesk's (``PRAGMA application_id``, or the tables of an older
    profile); anything else is refused untouched. Reads run in one transaction, so a
    load never mixes two saves; a lock held by another window past ``BUSY_TIMEOUT``
    (after one retry) is :class:`ProfileInUseError`, never a raw OperationalError.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
            self.conn = conn
            with self._reading():
                self.app_id = _check_ours(conn, path)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.execute("PRAGMA quick_check").fetchone()
        except ForeignProfileError:
            conn.close()
            raise
        except ProfileInUseError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise DataError(
                f"The clinic profile at {path} cannot be read ({exc}). kapdesk has not changed "
                "it. Restore it from a backup beside it, or move it away to start a new profile."
            ) from exc
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise DataError(
                f"The clinic profile at {path} was written by a newer kapdesk "
                f"(schema {version}); update kapdesk to open it."
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for migrations and saves only.

        Reading a profile (every printout does) needs plain sqlite3, so printing does not
        import sqlite-utils.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """One read transaction (one snapshot); a lock past the timeout is "in use"."""
        conn = self.conn
        conn.execute("BEGIN")  # deferred: the shared lock is taken by the first read
        try:
            yield
        except sqlite3.OperationalError as exc:
            conn.rollback()
            if _locked(exc):
                raise ProfileInUseError() from None
            raise
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.rollback()  # nothing was written: end the snapshot

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction taken up front (BEGIN IMMEDIATE), retried once if busy."""
        conn = self.conn
        for attempt in (1, 2):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if not _locked(exc):
                    raise
                if attempt == 2:
                    raise ProfileInUseError() from None
        try:
            if self.app_id != APPLICATION_ID:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            yield
            conn.execute("COMMIT")
            self.app_id = APPLICATION_ID
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.rollback()
            if _locked(exc):
                raise ProfileInUseError() from None
            raise
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    def _migrate(self, current: int) -> None:
        if current > 0 or self.db.table_names():
            self.backup(f"before-v{SCHEMA_VERSION}")
        with self._writing(), self.db.atomic():
            for target in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](self.db)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def backup(self, label: str) -> Path:
        """Copy the database to a dated file beside it (SQLite's online backup)."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}.{label}.{stamp}.sqlite3")
        serial = 1
        while target.exists():  # two backups in one second get distinct names
            serial += 1
            target = self.path.with_name(f"{self.path.stem}.{label}.{stamp}-{serial}.sqlite3")
        partial = target.with_name(f".{target.name}.part")
        try:
            dest = sqlite3.connect(partial)
            try:
                self.conn.backup(dest)
            finally:
                dest.close()
            os.replace(partial, target)  # complete, or not there at all
        finally:
            partial.unlink(missing_ok=True)
        return target

    def load(self) -> ClinicProfile:
        """The stored profile, read in one transaction (never half of two saves)."""
        with self._reading():
            return self._load()

    def _load(self) -> ClinicProfile:
        row = self.conn.execute(f"SELECT {', '.join(LIMITS)} FROM clinic WHERE id = 1").fetchone()
        offered = tuple(
            r[0]
            for r in self.conn.execute("SELECT modality_id FROM offered_modalities ORDER BY rowid")
        )
        if row is None:
            return ClinicProfile(offered=offered)
        return ClinicProfile(*(value or "" for value in row), offered=offered)

    def save(
        self, profile: ClinicProfile, known_modalities: list[str] | None = None
    ) -> ClinicProfile:
        """Validate and store ``profile`` in one transaction; return what was stored."""
        clean = validate(profile, known_modalities)
        with self._writing(), self.db.atomic():
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
        self.conn.close()

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
