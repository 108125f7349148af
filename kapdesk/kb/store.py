"""Read access to the built knowledge base, and keeping it up to date."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import tempfile
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kapdesk.content.files import content_hash, source_stamp
from kapdesk.content.model import (
    EVIDENCE_TYPES,
    STRENGTHS,
    KBVersion,
    Labels,
    Modality,
    Reference,
    Release,
)
from kapdesk.errors import DataError, UserInputError, quote
from kapdesk.kb.catalog import Catalog, activate
from kapdesk.kb.digest import SCHEMA_VERSION, Progress, content_digest
from kapdesk.paths import AppPaths, resources_dir

log = logging.getLogger("kapdesk.kb")

PREBUILT_KB = Path("prebuilt") / "knowledge-base.sqlite3"


class KnowledgeBase:
    """A read-only connection to a built knowledge base.

    A connection belongs to the thread that opened it; the GUI opens and uses its
    knowledge base on one worker thread.
    """

    def __init__(self, db: sqlite3.Connection, path: Path, origin: str = "bundled") -> None:
        self.db = db
        self.path = path
        # "bundled" (built from the program's resources/) or "pack" (an installed content pack)
        self.origin = origin
        self.catalog: Catalog

    @classmethod
    def open(
        cls, path: Path, *, activate_catalog: bool = True, origin: str = "bundled"
    ) -> KnowledgeBase:
        """Open read-only and verify it against its manifest; DataError if it does not match.

        The content digest recorded at build time is recomputed from the rows, so a
        database changed after its build (one byte of one statement) is never served.
        """
        if not path.is_file():
            raise DataError(f"{path}: no knowledge base here; run `kapdesk kb build`")
        conn = None
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute("PRAGMA trusted_schema = OFF")
            kb = cls(conn, path, origin)
            meta = kb._meta
            if meta.get("schema_version") != str(SCHEMA_VERSION):
                raise DataError(f"{path}: knowledge base has an unknown schema version")
            for key in ("content_hash", "reviewed", "content_digest"):
                if not meta.get(key):
                    raise DataError(f"{path}: knowledge base manifest has no {key}")
            if content_digest(conn) != meta["content_digest"]:
                raise DataError(
                    f"{path}: knowledge base does not match its manifest (changed after its build)"
                )
            parts = dict(conn.execute("SELECT part, data FROM compiled").fetchall())
            kb.catalog = Catalog(parts, kb.version)
        except (sqlite3.Error, ValueError) as exc:
            if conn is not None:
                conn.close()
            raise DataError(f"{path}: the knowledge base cannot be read ({exc})") from exc
        except DataError:
            conn.close()
            raise
        if activate_catalog:
            activate(kb.catalog)
        return kb

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def _meta(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self.db.execute("SELECT key, value FROM manifest")}

    @property
    def version(self) -> KBVersion:
        return KBVersion(self._meta["content_hash"], date.fromisoformat(self._meta["reviewed"]))

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the manifest."""
        return int(self._meta["schema_version"])

    @cached_property
    def release(self) -> Release:
        """The publisher's content version, expiry date and oldest program that reads it."""
        try:
            return Release(
                int(self._meta["content_version"]),
                date.fromisoformat(self._meta["expires"]),
                self._meta["min_program"],
            )
        except (KeyError, ValueError) as exc:
            raise DataError(
                f"{self.path}: the knowledge base has no valid release ({exc})"
            ) from exc

    def content_info(self) -> dict[str, Any]:
        """Where the content comes from (bundled or a pack) and its versions, as JSON."""
        release = self.release
        return {
            "origin": self.origin,
            "content_version": release.content_version,
            "reviewed": self.version.reviewed.isoformat(),
            "expires": release.expires.isoformat(),
            "kb_version": self.version.short,
        }

    @property
    def labels(self) -> Labels:
        """Display labels of the vocabularies."""
        return self.catalog.labels

    def manifest(self) -> dict[str, str]:
        """The manifest: schema version, content hash and digest, review and build dates."""
        return dict(self._meta)

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
        from kapdesk.kb.search import run_search  # not loaded by printing and the CLI

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
        if content_digest(self.db) != self._meta.get("content_digest"):
            problems.append(f"{name}: (database): content does not match the manifest digest")
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


def build(content: Compiled, target: Path, progress: Progress | None = None) -> Path:
    """Build the knowledge base (kapdesk.kb.build is imported only when a build runs)."""
    from kapdesk.kb.build import build as build_database

    return build_database(content, target, progress)


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
    target = paths.kb_path
    stamp = source_stamp(resources_root)
    expected = None
    known_scores: dict[str, float] = {}
    if target.exists():
        try:
            kb = KnowledgeBase.open(target)
            # Same names, sizes and times as at the build: up to date without reading.
            if not force and kb.manifest().get("source_stamp") == stamp:
                return kb, False
            expected = content_hash(resources_root)
            if not force and kb.version.content_hash == expected:
                return kb, False
            known_scores = kb.catalog.scores
            kb.close()
        except _DAMAGE:  # unreadable in any way: rebuilt, never served, never a loop
            pass
    expected = expected or content_hash(resources_root)
    try:
        paths.ensure()
        if target.exists() and not target.is_file():
            # Not a file we could have written: keep it aside, never delete it, and rebuild.
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            target.rename(target.with_name(f"{target.name}.damaged-{stamp}"))
        if force or not _install_prebuilt(prebuilt_kb_path(resources_root), target, expected):
            from kapdesk.content.kinds import compile_resources

            build(compile_resources(resources_root, known_scores), target, progress)
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


def open_active_kb(
    paths: AppPaths,
    *,
    resources_root: Path | None = None,
    progress: Progress | None = None,
) -> KnowledgeBase:
    """The knowledge base the app reads: the bundled content or an installed content pack.

    Whichever has the higher content version is active (``kb.origin`` says which) and
    its catalog (rules, wording, handouts) is the one activated. The installed pack is
    checked against the digest recorded when it was installed; a pack that fails the
    check is ignored (and logged), never opened. This is the one place that chooses;
    the GUI, the CLI and the pack commands all go through it.
    """
    bundled, _ = ensure_kb(paths, resources_root=resources_root, progress=progress)
    from kapdesk.kb.pack_state import installed_kb_path

    pack_path = installed_kb_path(paths)
    if pack_path is None:
        return bundled
    try:
        pack = KnowledgeBase.open(pack_path, activate_catalog=False, origin="pack")
        newer = pack.release.content_version > bundled.release.content_version
    except DataError as exc:
        log.warning("installed content pack not used: %s", exc)
        return bundled
    if not newer:
        pack.close()
        return bundled
    bundled.close()
    activate(pack.catalog)
    return pack


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
        with KnowledgeBase.open(source, activate_catalog=False) as packaged:
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


if TYPE_CHECKING:
    from kapdesk.content.kinds import Compiled
    from kapdesk.kb.search import SearchResult
