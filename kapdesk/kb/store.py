"""Read access to the built knowledge base, and keeping it up to date."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

import sqlite_utils

from kapdesk.errors import DataError, UserInputError, quote
from kapdesk.kb.build import SCHEMA_VERSION, Progress, build
from kapdesk.kb.loader import content_hash, load_content
from kapdesk.kb.model import (
    EVIDENCE_TYPES,
    STRENGTHS,
    KBVersion,
    Labels,
    Modality,
    Reference,
)
from kapdesk.kb.search import SearchResult, run_search
from kapdesk.paths import AppPaths, resources_dir

PREBUILT_KB = Path("prebuilt") / "knowledge-base.sqlite3"


class KnowledgeBase:
    """A read-only connection to a built knowledge base.

    A connection belongs to the thread that opened it; the GUI opens and uses its
    knowledge base on one worker thread.
    """

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path) -> KnowledgeBase:
        if not path.is_file():
            raise DataError(f"{path}: no knowledge base here; run `kapdesk kb build`")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            kb = cls(sqlite_utils.Database(conn), path)
            meta = kb._meta
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{path}: the knowledge base cannot be read ({exc})") from exc
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            kb.close()
            raise DataError(f"{path}: knowledge base has an unknown schema version")
        return kb

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def _meta(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self.db.execute("SELECT key, value FROM meta")}

    @property
    def version(self) -> KBVersion:
        return KBVersion(self._meta["content_hash"], date.fromisoformat(self._meta["reviewed"]))

    @cached_property
    def labels(self) -> Labels:
        return Labels(json.loads(self._meta["labels"]))

    @cached_property
    def _modalities(self) -> dict[str, Modality]:
        rows = self.db.execute("SELECT id, data FROM modalities ORDER BY position")
        return {mid: Modality.from_dict(json.loads(data)) for mid, data in rows}

    def modalities(self) -> list[Modality]:
        return list(self._modalities.values())

    def modality_ids(self) -> list[str]:
        return list(self._modalities)

    def modality(self, modality_id: str) -> Modality:
        try:
            return self._modalities[modality_id]
        except KeyError:
            raise UserInputError(
                f"modality: '{modality_id}' is not known; valid ids: " + ", ".join(self._modalities)
            ) from None

    @cached_property
    def _references(self) -> dict[str, Reference]:
        rows = self.db.execute(
            "SELECT id, citation, year, doi, pmid, pmcid, sheet_keys FROM refs"
        ).fetchall()
        return {
            r[0]: Reference(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6] or "[]")))
            for r in rows
        }

    def reference(self, ref_id: str) -> Reference:
        return self._references[ref_id]

    def references_for(self, modality: Modality) -> list[Reference]:
        return [self._references[ref] for ref in modality.source_ids()]

    def search(self, text: str, limit: int = 20) -> SearchResult:
        return run_search(self.db, text, limit)

    def stats(self) -> dict[str, int]:
        def count(table: str) -> int:
            return self.db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]

        return {
            "modalities": count("modalities"),
            "statements": count("statements"),
            "references": count("refs"),
            "documents": count("docs"),
        }

    def verify(self) -> list[str]:
        """Problems found in the built database itself (not the sources)."""
        problems: list[str] = []
        name = self.path.name
        result = self.db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            problems.append(f"{name}: (database): integrity check failed: {result}")
        checks = [
            (
                "SELECT modality_id, key FROM statements WHERE id NOT IN "
                "(SELECT statement_id FROM statement_sources)",
                "statement has no sources",
            ),
            (
                "SELECT s.modality_id, s.key || ' -> ' || ss.ref_id FROM statement_sources ss "
                "JOIN statements s ON s.id = ss.statement_id WHERE ss.ref_id NOT IN "
                "(SELECT id FROM refs)",
                "source does not resolve to a reference",
            ),
            (
                "SELECT modality_id, key FROM statements WHERE reviewed IS NULL OR reviewed = ''",
                "review date missing",
            ),
            (
                "SELECT modality_id, key || ' = ' || evidence FROM statements "
                f"WHERE evidence NOT IN ({','.join('?' * len(EVIDENCE_TYPES))})",
                "evidence type not in the vocabulary",
            ),
            (
                "SELECT modality_id, key || ' = ' || rating FROM statements "
                f"WHERE rating IS NOT NULL AND rating NOT IN ({','.join('?' * len(STRENGTHS))})",
                "strength not in the vocabulary",
            ),
        ]
        for sql, message in checks:
            params: tuple[str, ...] = ()
            if "evidence NOT IN" in sql:
                params = EVIDENCE_TYPES
            elif "rating NOT IN" in sql:
                params = STRENGTHS
            for modality_id, key in self.db.execute(sql, params).fetchall():
                problems.append(f"{name}: {modality_id}: {key}: {message}")
        return problems


def ensure_kb(
    paths: AppPaths,
    *,
    resources_root: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[KnowledgeBase, bool]:
    """Open the user's knowledge base, rebuilding it when the content changed.

    Returns the knowledge base and whether it was (re)built. The knowledge base is
    derived data: an unreadable file is rebuilt, never repaired. A desktop bundle ships
    one built at package time (``prebuilt_kb_path``); it is copied instead of building
    when its content hash matches. ``force`` always builds from the sources.
    """
    expected = content_hash(resources_root)
    target = paths.kb_path
    if not force and target.exists():
        kb = _open_current(target, expected)
        if kb is not None:
            return kb, False
    try:
        paths.ensure()
        set_aside(target)
        if force or not _install_prebuilt(prebuilt_kb_path(resources_root), target, expected):
            build(load_content(resources_root), target, progress)
    except (OSError, sqlite3.OperationalError) as exc:
        # A read-only or full data folder: the user's to fix, never an exit-1 loop.
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UserInputError(
            f"data-dir: the knowledge base cannot be written in {quote(paths.data_dir)} "
            f"({reason}); give a writable folder with free space"
        ) from None
    return KnowledgeBase.open(target), True


# What reading a damaged knowledge base raises: it is then rebuilt, never served.
_DAMAGE = (DataError, sqlite3.Error, OSError, KeyError, ValueError, TypeError, AttributeError)


def _open_current(target: Path, expected: str) -> KnowledgeBase | None:
    """The knowledge base at ``target`` if it opens, is current and every row decodes."""
    try:
        kb = KnowledgeBase.open(target)
    except _DAMAGE:
        return None
    try:
        if kb.version.content_hash == expected:
            # Decode what most commands read, so damage shows here, not mid-command
            # (about 1.5 ms; the modality rows are only checked to be JSON).
            _ = kb.labels, kb._references
            bad = kb.db.execute(
                "SELECT count(*) FROM modalities WHERE NOT json_valid(data)"
            ).fetchone()[0]
            if not bad:
                return kb
    except _DAMAGE:
        pass
    kb.close()
    return None


def set_aside(target: Path) -> Path | None:
    """Move something that is not a regular file (a folder, say) away from ``target``.

    A regular file is replaced by the build's rename; anything else would make every
    build fail. The thing is renamed beside it, never deleted. Returns its new name.
    """
    try:
        if not target.exists() and not target.is_symlink():
            return None
        if target.is_file() and not target.is_symlink():
            return None
    except OSError:
        pass
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    aside = target.with_name(f"{target.name}.damaged-{stamp}")
    os.replace(target, aside)
    return aside


def discard_damaged(paths: AppPaths) -> Path | None:
    """Set a knowledge base that failed mid-read aside, so the next start rebuilds it."""
    target = paths.kb_path
    try:
        if not target.exists():
            return None
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside = target.with_name(f"{target.name}.damaged-{stamp}")
        os.replace(target, aside)
        return aside
    except OSError:
        return None


def prebuilt_kb_path(resources_root: Path | None = None) -> Path:
    """Where a bundle carries the knowledge base built at package time."""
    return (resources_root or resources_dir()) / PREBUILT_KB


def _install_prebuilt(source: Path, target: Path, expected_hash: str) -> bool:
    """Copy the packaged knowledge base to ``target`` if it was built from this content.

    A clinic's first start then needs no build. Anything else about the file (missing,
    unreadable, other content or schema) means: build from the sources instead.
    """
    if not source.is_file():
        return False
    try:
        with KnowledgeBase.open(source) as packaged:
            if packaged.version.content_hash != expected_hash:
                return False
    except DataError:
        return False
    fd, tmp_name = tempfile.mkstemp(prefix=".kb-copy-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp_name)
        os.replace(tmp_name, target)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return True
