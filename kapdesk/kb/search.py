"""Turn whatever a clinician types into a safe FTS5 query, and run it.

User text is never passed to FTS5 as syntax: it is split into words, each word is
quoted, and the last word becomes a prefix so results appear while typing. Quotes,
parentheses, ``AND``/``OR``/``NEAR``, ``*``, ``-``, emoji and very long input are
all just text.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass, field
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


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Lower case without accents, as the FTS5 tokenizer (remove_diacritics) sees it."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


@dataclass(frozen=True)
class _Matcher:
    """Which words of a text match the query, the way the FTS5 expression does."""

    terms: tuple[str, ...]
    prefix: bool
    pattern: re.Pattern[str] | None = None  # over folded text; group tN is term N
    # One pattern per term: a lone literal lets the regex engine skip ahead fast, where an
    # alternation of several scans character by character.
    term_patterns: tuple[re.Pattern[str], ...] = ()
    # Matches found in a body during this search (one matcher per search).
    found: dict[tuple[str, int], list[tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def for_text(cls, text: str, prefix: bool = True) -> _Matcher:
        terms = tuple(dict.fromkeys(_fold(t) for t in query_terms(text)))
        if not terms:
            return cls(terms, prefix)
        last = len(terms) - 1
        whole_word = r"(?!\w)"
        alternatives = [
            f"(?P<t{i}>{re.escape(t)}{'' if prefix and i == last else whole_word})"
            for i, t in enumerate(terms)
        ]
        # No leading look-behind, so the regex engine can scan for the literal terms; the
        # word start is checked on each candidate match instead.
        pattern = re.compile("|".join(alternatives))
        singles = tuple(
            re.compile(f"{re.escape(t)}{'' if prefix and i == last else whole_word}")
            for i, t in enumerate(terms)
        )
        return cls(terms, prefix, pattern, singles)

    def find(self, folded: str, limit: int = 1000) -> list[tuple[int, int]]:
        """(offset, term index) of the first ``limit`` word matches in folded text."""
        if self.pattern is None:
            return []
        key = (folded, limit)  # a str hashes once: the key costs nothing after that
        if key in self.found:
            return self.found[key]
        found = []
        for index, pattern in enumerate(self.term_patterns):
            taken = 0
            for match in pattern.finditer(folded):
                start = match.start()
                if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                    continue
                found.append((start, index))
                taken += 1
                if taken >= limit:
                    break
        found.sort()
        # The same offset can match two terms (a term that is a prefix of another): the
        # alternation reported the first term; so does this.
        unique = [item for i, item in enumerate(found) if i == 0 or item[0] != found[i - 1][0]]
        self.found[key] = unique[:limit]
        return self.found[key]

    def term_of(self, word: str) -> int | None:
        """Index of the query term ``word`` matches, or None."""
        folded = _fold(word)
        last = len(self.terms) - 1
        for index, term in enumerate(self.terms):
            if folded == term or (self.prefix and index == last and folded.startswith(term)):
                return index
        return None


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


_NEWLINE = re.compile("\n")
_SENTENCE_END = re.compile(r"[.;:!?]\s+|\n")
# Sentences cut out per document at most (a one-letter prefix matches thousands of words).
MAX_SENTENCE_MATCHES = 200


@functools.lru_cache(maxsize=256)
def _prepared(text: str) -> tuple[str, tuple[int, ...], tuple[tuple[int, int], ...]]:
    """A document body folded (see _fold), its newline offsets and its sentence breaks.

    Bodies are long and the knowledge base does not change while it is open, so this is
    done once per body, not once per keystroke.
    """
    folded = _fold(text)
    breaks = tuple(m.start() for m in _NEWLINE.finditer(folded))
    ends = tuple(
        (m.start() + (m.group()[0] != "\n"), m.end()) for m in _SENTENCE_END.finditer(folded)
    )
    return folded, breaks, ends


def _sentences(text: str, matcher: _Matcher) -> set[str]:
    """The sentences of ``text`` that match the query, folded for comparison.

    One pass of the query pattern over the whole text; only the sentences around its
    matches are cut out (bodies are long, matches few).
    """
    folded, _breaks, ends = _prepared(text)
    starts = [start for start, _term in matcher.find(folded, MAX_SENTENCE_MATCHES)]
    found = set()
    for position in starts:
        index = bisect.bisect_right(ends, (position, position))
        begin = ends[index - 1][1] if index else 0
        end = ends[index][0] if index < len(ends) else len(folded)
        found.add(folded[begin:end])
    return found


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
    lines = body.split("\n")
    folded, breaks, _ends = _prepared(body)  # folding keeps newlines: rows match ``lines``
    spanish_from = lines.index(LANGUAGE_BREAK) if LANGUAGE_BREAK in lines else len(lines)
    terms_in: dict[int, set[int]] = {}
    for start, term in matcher.find(folded, MAX_SENTENCE_MATCHES):
        terms_in.setdefault(bisect.bisect_left(breaks, start), set()).add(term)
    best: tuple[int, int] | None = None  # (English first, more terms, earlier line)
    for row, terms in terms_in.items():
        key = (row < spanish_from, len(terms), -row)
        if best is None or key > best[0]:
            best = (key, row)
    line = lines[best[1]] if best else lines[0]
    words = list(_WORD.finditer(line))
    if not words:
        return ((line, False),) if line else ()
    first_hit = next(
        (i for i, m in enumerate(words) if matcher.term_of(m.group()) is not None), None
    )
    first = max(0, first_hit - 3) if first_hit is not None else 0
    last = min(len(words), first + SNIPPET_TOKENS)
    hits = {i for i in range(first, last) if matcher.term_of(words[i].group()) is not None}
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
