"""Turn whatever a clinician types into a safe FTS5 query, and run it.

User text is never passed to FTS5 as syntax: it is split into words, each word is
quoted, and the last word becomes a prefix so results appear while typing. Quotes,
parentheses, ``AND``/``OR``/``NEAR``, ``*``, ``-``, emoji and very long input are
all just text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_TERMS = 16
MAX_QUERY_CHARS = 512
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


_RANK_SQL = """
SELECT rowid, rank FROM docs_fts WHERE docs_fts MATCH :query ORDER BY rank LIMIT :limit
"""
# Body-only matches are re-ranked among this many more than are shown, so that an entry
# that discusses the word can overtake one that only repeats a shared sentence.
RERANK_EXTRA = 20
# A sentence that appears word for word in this many matching entries is boilerplate
# (such as the regulatory sentence many entries repeat): it counts as a mention but not
# as discussing the word.
BOILERPLATE_DOCS = 3
# In a document body, English lines come first; Spanish lines follow this line.
LANGUAGE_BREAK = "\f"
SNIPPET_TOKENS = 14


def configure_rank(db: Any) -> None:
    """Persist the column weights so that ``ORDER BY rank`` uses them."""
    db.execute(f"INSERT INTO docs_fts(docs_fts, rank) VALUES('rank', '{RANK_FUNCTION}')")


def _ranked(db: Any, expression: str, limit: int) -> list[tuple[int, float]]:
    rows = db.execute(_RANK_SQL, {"query": expression, "limit": limit}).fetchall()
    return [(rowid, rank) for rowid, rank in rows]


def _fold(text: str) -> str:
    """Lower case without accents, as the FTS5 tokenizer (remove_diacritics) sees it."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class _Matcher:
    """Which words of a text match the query, the way the FTS5 expression does."""

    terms: tuple[str, ...]
    prefix: bool

    @classmethod
    def for_text(cls, text: str, prefix: bool = True) -> _Matcher:
        return cls(tuple(_fold(t) for t in query_terms(text)), prefix)

    def term_of(self, word: str) -> int | None:
        """Index of the query term ``word`` matches, or None."""
        folded = _fold(word)
        last = len(self.terms) - 1
        for index, term in enumerate(self.terms):
            if folded == term or (self.prefix and index == last and folded.startswith(term)):
                return index
        return None

    def matched_terms(self, line: str) -> set[int]:
        found = (self.term_of(m.group()) for m in _WORD.finditer(line))
        return {index for index in found if index is not None}


@dataclass
class _Candidate:
    rowid: int
    rank: float
    tier: float  # 0 title, 0.5 inside a title word, 1 alias, 2 body only
    key: str = ""
    kind: str = ""
    title: str = ""
    body: str = ""
    discussed: int = 0  # body lines that match and are not boilerplate


def _candidates(db: Any, expression: str, limit: int) -> list[_Candidate]:
    """Title matches, then alias matches, then body-only matches, best first in each tier.

    Title and alias matches are few, so a common word does not make FTS5 score every
    document of a large base; body-only matches are ranked only when the title and
    alias matches do not fill the page.
    """
    found: list[_Candidate] = []
    seen: set[int] = set()
    for tier, column in enumerate(("title", "aliases")):
        for rowid, rank in _ranked(db, f"{{{column}}} : ({expression})", limit):
            if rowid not in seen:
                seen.add(rowid)
                found.append(_Candidate(rowid, rank, tier))
    if len(found) < limit:
        for rowid, rank in _ranked(db, expression, limit + len(seen) + RERANK_EXTRA):
            if rowid not in seen:
                found.append(_Candidate(rowid, rank, 2))
    return found


def _fill(db: Any, candidates: list[_Candidate]) -> None:
    rows = {}
    for start in range(0, len(candidates), 500):
        chunk = [c.rowid for c in candidates[start : start + 500]]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            f"SELECT id, key, kind, title, body FROM docs WHERE id IN ({marks})", chunk
        ):
            rows[row[0]] = row[1:]
    for candidate in candidates:
        candidate.key, candidate.kind, candidate.title, body = rows[candidate.rowid]
        candidate.body = body or ""


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")


def _sentences(text: str, matcher: _Matcher) -> set[str]:
    """The sentences of ``text`` that match the query, folded for comparison."""
    return {
        _fold(sentence)
        for line in text.splitlines()
        for sentence in _SENTENCE_END.split(line)
        if matcher.matched_terms(sentence)
    }


def _inside_title_word(candidate: _Candidate, matcher: _Matcher) -> bool:
    """Whether a query word of 4+ letters is part of a title word ("ketamine" in
    "Esketamine"): such an entry is named after the word, more than an alias mention."""
    words = [_fold(w) for w in _WORD.findall(candidate.title)]
    return any(len(t) >= 4 and any(t in w for w in words) for t in matcher.terms)


def _order(candidates: list[_Candidate], matcher: _Matcher) -> list[_Candidate]:
    """Title, then title-word, then alias matches; then body-only matches, those that
    discuss the words before those that only repeat a sentence many entries share."""
    sentences_of = {c.rowid: _sentences(c.body, matcher) for c in candidates}
    shared: dict[str, int] = {}
    for sentences in sentences_of.values():
        for sentence in sentences:
            shared[sentence] = shared.get(sentence, 0) + 1
    for candidate in candidates:
        candidate.discussed = sum(
            shared[s] < BOILERPLATE_DOCS for s in sentences_of[candidate.rowid]
        )
        if candidate.tier > 0 and _inside_title_word(candidate, matcher):
            candidate.tier = 0.5
    return sorted(
        candidates,
        key=lambda c: (c.tier, -min(c.discussed, 1) if c.tier == 2 else 0, c.rank, len(c.title)),
    )


def snippet_segments(body: str, matcher: _Matcher) -> tuple[tuple[str, bool], ...]:
    """A short extract around the best-matching line, English lines before Spanish ones."""
    english, _, spanish = body.partition(f"\n{LANGUAGE_BREAK}\n")
    best: tuple[int, str] | None = None
    for part in (english, spanish):
        for line in part.splitlines():
            score = len(matcher.matched_terms(line))
            if score and (best is None or score > best[0]):
                best = (score, line)
        if best:
            break
    line = best[1] if best else english.split("\n", 1)[0]
    words = list(_WORD.finditer(line))
    if not words:
        return ((line, False),) if line else ()
    hits = [i for i, m in enumerate(words) if matcher.term_of(m.group()) is not None]
    first = max(0, hits[0] - 3) if hits else 0
    last = min(len(words), first + SNIPPET_TOKENS)
    parts: list[tuple[str, bool]] = [("…", False)] if first else []
    position = words[first].start()
    for index in range(first, last):
        word = words[index]
        if index in hits:
            if word.start() > position:
                parts.append((line[position : word.start()], False))
            parts.append((word.group(), True))
            position = word.end()
    end = words[last - 1].end() if last < len(words) else len(line)
    if end > position:
        parts.append((line[position:end], False))
    if last < len(words):
        parts.append(("…", False))
    merged: list[tuple[str, bool]] = []
    for text, hit in parts:
        if merged and not hit and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + text, False)
        else:
            merged.append((text, hit))
    return tuple(merged)


def run_search(db: Any, text: str, limit: int = 20) -> SearchResult:
    """Ranked hits for user text; every word must match, else any word may.

    Entries whose title matches come first, then those whose aliases match, then those
    that only mention the words in their text (entries that discuss the words before
    those that only repeat a sentence shared by many entries).
    """
    limit = max(1, min(int(limit), 200))
    hits: list[SearchHit] = []
    matcher = _Matcher.for_text(text)
    for any_term in (False, True):
        expression = fts_query(text, any_term=any_term)
        if expression is None:
            break
        candidates = _candidates(db, expression, limit)
        _fill(db, candidates)
        hits = [
            SearchHit(c.key, c.kind, c.title, snippet_segments(c.body, matcher), -float(c.rank))
            for c in _order(candidates, matcher)[:limit]
        ]
        if hits or len(query_terms(text)) < 2:
            break
    return SearchResult(text, tuple(hits))
