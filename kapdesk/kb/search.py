"""Turn whatever a clinician types into a safe FTS5 query, and run it.

User text is never passed to FTS5 as syntax: it is split into words, each word is
quoted, and the last word becomes a prefix so results appear while typing. Quotes,
parentheses, ``AND``/``OR``/``NEAR``, ``*``, ``-``, emoji and very long input are
all just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_TERMS = 16
MAX_QUERY_CHARS = 512
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
# Title and aliases weigh more than body text.
RANK_FUNCTION = "bm25(10.0, 8.0, 1.0)"
_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(text: str) -> list[str]:
    """The words of a user's query, at most MAX_TERMS of them."""
    return _WORD.findall(text[:MAX_QUERY_CHARS])[:MAX_TERMS]


def fts_query(text: str, *, prefix: bool = True, any_term: bool = False) -> str | None:
    """An FTS5 MATCH expression for user text, or None when it holds no words."""
    terms = query_terms(text)
    if not terms:
        return None
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if prefix:
        quoted[-1] += "*"
    return (" OR " if any_term else " ").join(quoted)


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: str
    title: str
    segments: tuple[tuple[str, bool], ...]
    score: float

    @property
    def snippet(self) -> str:
        """Snippet text with matches marked as «match»."""
        return "".join(f"«{text}»" if hit else text for text, hit in self.segments)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "snippet": self.snippet,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[SearchHit, ...]

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "results": [h.to_dict() for h in self.hits]}


def split_highlights(snippet: str) -> tuple[tuple[str, bool], ...]:
    """Split an FTS5 snippet with start/end markers into (text, highlighted) parts."""
    parts: list[tuple[str, bool]] = []
    for chunk in re.split(f"({HIGHLIGHT_START}.*?{HIGHLIGHT_END})", snippet, flags=re.S):
        if not chunk:
            continue
        if chunk.startswith(HIGHLIGHT_START):
            parts.append((chunk[1:-1], True))
        else:
            parts.append((chunk.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, ""), False))
    return tuple(parts)


_RANK_SQL = """
SELECT rowid, rank FROM docs_fts WHERE docs_fts MATCH :query ORDER BY rank LIMIT :limit
"""
# Snippets only for the rows shown: in the ranking query a snippet would be computed
# for every match before the sort.
_ROW_SQL = f"""
SELECT docs.key, docs.kind, docs.title,
       snippet(docs_fts, 2, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 14)
FROM docs_fts JOIN docs ON docs.id = docs_fts.rowid
WHERE docs_fts MATCH :query AND docs_fts.rowid = :rowid
"""


def configure_rank(db: Any) -> None:
    """Persist the column weights so that ``ORDER BY rank`` uses them."""
    db.execute(f"INSERT INTO docs_fts(docs_fts, rank) VALUES('rank', '{RANK_FUNCTION}')")


def _ranked(db: Any, expression: str, limit: int) -> list[tuple[int, float]]:
    rows = db.execute(_RANK_SQL, {"query": expression, "limit": limit}).fetchall()
    return [(rowid, rank) for rowid, rank in rows]


def _top(db: Any, expression: str, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` (rowid, rank) pairs for an FTS5 expression.

    Documents whose title or aliases match come first: with their tenfold weight they
    outrank body-only matches anyway, and there are few of them, so a common word
    does not make FTS5 score every document in a large base. Body-only matches are
    ranked only when the title and alias matches do not fill the page.
    """
    title_hits = _ranked(db, f"{{title aliases}} : ({expression})", limit)
    if len(title_hits) >= limit:
        return title_hits
    seen = {rowid for rowid, _ in title_hits}
    rest = [hit for hit in _ranked(db, expression, limit + len(seen)) if hit[0] not in seen]
    return title_hits + rest[: limit - len(title_hits)]


def run_search(db: Any, text: str, limit: int = 20) -> SearchResult:
    """Ranked hits for user text; every word must match, else any word may."""
    limit = max(1, min(int(limit), 200))
    hits: list[SearchHit] = []
    for any_term in (False, True):
        expression = fts_query(text, any_term=any_term)
        if expression is None:
            break
        hits = []
        for rowid, rank in _top(db, expression, limit):
            key, kind, title, snip = db.execute(
                _ROW_SQL, {"query": expression, "rowid": rowid}
            ).fetchone()
            hits.append(SearchHit(key, kind, title, split_highlights(snip or ""), -float(rank)))
        if hits or len(query_terms(text)) < 2:
            break
    return SearchResult(text, tuple(hits))
