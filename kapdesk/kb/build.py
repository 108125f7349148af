"""Compile validated content into the SQLite knowledge base.

The build writes a new file next to the target and renames it into place, so a
crash or a full disk never leaves a half-built knowledge base behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import sqlite_utils

from kapdesk import __version__
from kapdesk.content.model import SECTIONS, Modality
from kapdesk.errors import DataError
from kapdesk.kb.digest import SCHEMA_VERSION, Progress, content_digest
from kapdesk.kb.search import LANGUAGE_BREAK, configure_rank

if TYPE_CHECKING:
    from kapdesk.content.kinds import Compiled

TOKENIZER = "unicode61 remove_diacritics 2"
# The compiled objects other than modalities and references, one JSON row each.
COMPILED_PARTS = (
    "labels",
    "eligibility",
    "integration",
    "wording",
    "handouts",
    "plan",
    "strings",
    "scales",
    "scores",
    "session",
    "interactions",
    "dates",
)


def require_fts5() -> None:
    """Fail clearly when this SQLite lacks FTS5."""
    with sqlite3.connect(":memory:") as conn:
        options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        raise DataError(
            f"This Python's SQLite ({sqlite3.sqlite_version}) was built without FTS5; "
            "kapdesk needs it for search."
        )


def modality_doc(modality: Modality) -> dict[str, str]:
    """The searchable document for one modality: title, aliases and body text."""
    aliases = [
        modality.short_name,
        modality.name_es,
        modality.short_name_es,
        *modality.aliases,
    ]
    # English first, then a form-feed line, then Spanish: search shows a snippet from the
    # first part that matches, so an English query reads English (kapdesk.kb.search).
    body: list[str] = [modality.summary.text]
    spanish: list[str] = []
    for _, statement in modality.statements()[1:]:
        body.append(statement.text)
        if statement.plain_en and statement.plain_en != statement.text:
            body.append(statement.plain_en)
        if statement.plain_es and statement.plain_es != statement.text:
            spanish.append(statement.plain_es)
    if spanish:
        body += [LANGUAGE_BREAK, *spanish]
    return {
        "kind": "modality",
        "key": modality.id,
        "title": modality.name,
        "aliases": " · ".join(dict.fromkeys(aliases)),
        "body": "\n".join(body),
    }


def create_schema(db: sqlite_utils.Database) -> None:
    db["manifest"].create({"key": str, "value": str}, pk="key")
    db["compiled"].create({"part": str, "data": str}, pk="part")
    db["refs"].create(
        {
            "id": str,
            "citation": str,
            "year": int,
            "doi": str,
            "pmid": str,
            "pmcid": str,
            "sheet_keys": str,
        },
        pk="id",
    )
    db["modalities"].create(
        {
            "id": str,
            "position": int,
            "name": str,
            "short_name": str,
            "name_es": str,
            "short_name_es": str,
            "category": str,
            "data": str,
        },
        pk="id",
    )
    db["statements"].create(
        {
            "id": int,
            "modality_id": str,
            "key": str,
            "position": int,
            "rating": str,
            "text": str,
            "evidence": str,
            "reviewed": str,
        },
        pk="id",
        foreign_keys=[("modality_id", "modalities", "id")],
    )
    db["statement_sources"].create(
        {"statement_id": int, "ref_id": str},
        pk=("statement_id", "ref_id"),
        foreign_keys=[("statement_id", "statements", "id"), ("ref_id", "refs", "id")],
    )
    db["docs"].create(
        {"id": int, "kind": str, "key": str, "title": str, "aliases": str, "body": str},
        pk="id",
    )
    create_fts(db)
    configure_rank(db)


# sqlite-utils' enable_fts() has no option for FTS5 prefix indexes, which keep
# search-as-you-type fast on large bases, so the index and its triggers are declared
# here in the same shape enable_fts(create_triggers=True) produces.
FTS_SQL = f"""
CREATE VIRTUAL TABLE docs_fts USING fts5(
    title, aliases, body,
    content='docs', content_rowid='id',
    tokenize='{TOKENIZER}', prefix='2 3 4'
);
CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN
  INSERT INTO docs_fts (rowid, title, aliases, body)
  VALUES (new.id, new.title, new.aliases, new.body);
END;
CREATE TRIGGER docs_ad AFTER DELETE ON docs BEGIN
  INSERT INTO docs_fts (docs_fts, rowid, title, aliases, body)
  VALUES ('delete', old.id, old.title, old.aliases, old.body);
END;
CREATE TRIGGER docs_au AFTER UPDATE ON docs BEGIN
  INSERT INTO docs_fts (docs_fts, rowid, title, aliases, body)
  VALUES ('delete', old.id, old.title, old.aliases, old.body);
  INSERT INTO docs_fts (rowid, title, aliases, body)
  VALUES (new.id, new.title, new.aliases, new.body);
END;
"""


def create_fts(db: sqlite_utils.Database) -> None:
    """Full-text index over docs with triggers that keep it in step with the table."""
    db.executescript(FTS_SQL)


def insert_docs(db: sqlite_utils.Database, docs: Iterable[dict[str, str]]) -> None:
    db["docs"].insert_all(docs, batch_size=2000)


def build(content: Compiled, target: Path, progress: Progress | None = None) -> Path:
    """Build the knowledge base for ``content`` at ``target``; return ``target``."""
    require_fts5()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".kb-build-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    total = len(content.modalities) + 2
    try:
        db = sqlite_utils.Database(tmp)
        try:
            with db.atomic():
                create_schema(db)
                if progress:
                    progress(1, total, "references")
                db["refs"].insert_all(
                    {**r.to_dict(), "sheet_keys": json.dumps(list(r.sheet_keys))}
                    for r in content.references.values()
                )
                for position, modality in enumerate(content.modalities.values()):
                    _insert_modality(db, modality, position)
                    if progress:
                        progress(position + 2, total, modality.name)
                db["compiled"].insert_all(
                    {"part": part, "data": encode_part(content, part)} for part in COMPILED_PARTS
                )
                db["manifest"].insert_all(
                    [
                        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                        {"key": "content_hash", "value": content.version.content_hash},
                        {"key": "source_stamp", "value": content.stamp},
                        {"key": "reviewed", "value": content.version.reviewed.isoformat()},
                        {"key": "built", "value": datetime.now(UTC).isoformat(timespec="seconds")},
                        {"key": "program_version", "value": __version__},
                        # the publisher's release (resources/content/release.toml)
                        {"key": "content_version", "value": str(content.release.content_version)},
                        {"key": "expires", "value": content.release.expires.isoformat()},
                        {"key": "min_program", "value": content.release.min_program},
                        {"key": "content_digest", "value": content_digest(db)},
                    ]
                )
            db.execute("PRAGMA foreign_keys = ON")
            violations = list(db.execute("PRAGMA foreign_key_check").fetchall())
            if violations:
                raise DataError(f"knowledge-base build left dangling references: {violations[:3]}")
            db.execute("INSERT INTO docs_fts(docs_fts) VALUES('optimize')")
        finally:
            db.close()
        os.replace(tmp, target)
        if progress:
            progress(total, total, "done")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _insert_modality(db: sqlite_utils.Database, modality: Modality, position: int) -> None:
    db["modalities"].insert(
        {
            "id": modality.id,
            "position": position,
            "name": modality.name,
            "short_name": modality.short_name,
            "name_es": modality.name_es,
            "short_name_es": modality.short_name_es,
            "category": modality.category,
            "data": json.dumps(modality.to_dict(), ensure_ascii=False),
        }
    )
    counters = dict.fromkeys(("summary", "plain_summary", *SECTIONS), 0)
    for key, statement in modality.statements():
        position_in_key = counters.get(key, 0)
        counters[key] = position_in_key + 1
        rating = None
        if key.startswith("strength."):
            rating = modality.strengths[key.split(".", 1)[1]].rating
        statement_id = (
            db["statements"]
            .insert(
                {
                    "modality_id": modality.id,
                    "key": key,
                    "position": position_in_key,
                    "rating": rating,
                    "text": statement.text,
                    "evidence": statement.evidence,
                    "reviewed": statement.reviewed.isoformat(),
                }
            )
            .last_pk
        )
        db["statement_sources"].insert_all(
            {"statement_id": statement_id, "ref_id": ref}
            for ref in dict.fromkeys(statement.sources)
        )
    insert_docs(db, [modality_doc(modality)])


def encode_part(content: Compiled, part: str) -> str:
    """One compiled object as JSON (msgspec keeps dataclasses, tuples and dates typed)."""
    value = getattr(content, part)
    if part == "labels":
        value = value.raw
    return msgspec.json.encode(value).decode()
