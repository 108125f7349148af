"""What identifies a compiled knowledge base: its schema version and content digest.

Light on purpose (sqlite3 only): opening the knowledge base at start-up verifies the
digest without importing the build machinery.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 5  # 4: docs.body holds English lines, LANGUAGE_BREAK, then Spanish;
# 5: the compiled part "dates" (each language's long date from Babel, kapdesk.dates)
Progress = Callable[[int, int, str], None]
# Tables whose rows make up the content digest, each in a stable order.
DIGEST_TABLES = {
    "refs": "id",
    "modalities": "id",
    "statements": "id",
    "statement_sources": "statement_id, ref_id",
    "docs": "id",
    "compiled": "part",
}


def content_digest(db: Any) -> str:
    """SHA-256 over every row of the content tables, in a stable order.

    Recorded in the manifest at build time and recomputed whenever the database is
    opened, so a changed byte in any stored statement is found before it is shown.
    ``db`` is a sqlite3 connection or a sqlite-utils Database.
    """
    conn: sqlite3.Connection = getattr(db, "conn", db)
    digest = hashlib.sha256()
    for table, order in DIGEST_TABLES.items():
        digest.update(table.encode())
        for row in conn.execute(f"SELECT * FROM [{table}] ORDER BY {order}"):
            # Fields joined by the unit separator, NULL as NUL: no value can imitate another.
            fields = ("\x00" if value is None else str(value) for value in row)
            digest.update("\x1f".join(fields).encode())
            digest.update(b"\x1e")
    return digest.hexdigest()
