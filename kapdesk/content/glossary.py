"""The Spanish medical glossary (resources/glossary.toml) and its check (issue 11).

Each fixed medical term has one Spanish rendering; its forbidden variants must not appear
in any Spanish text kapdesk shows: handouts, the knowledge base's plain and grid texts and
Spanish names, the integration plan's and the comparison's Spanish wording, and the
Spanish labels. :func:`check_spanish` is a pure function over (where, text) pairs;
:func:`check_parts` runs it inside the content step (``check_resources``), so that
``kapdesk kb build`` and ``kapdesk kb verify`` fail on a forbidden variant, naming the file
and key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapdesk.errors import ContentError
from kapdesk.paths import resources_dir

GLOSSARY_FILE = "glossary.toml"
TERM_KEYS = frozenset({"en", "es", "forbidden", "patterns", "note"})


@dataclass(frozen=True)
class Term:
    """One fixed term: its Spanish rendering and what must not be written instead."""

    en: str
    es: str
    forbidden: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...] = ()
    note: str = ""

    def matchers(self) -> Iterator[tuple[str, re.Pattern[str]]]:
        """(shown variant, compiled pattern): whole words at both ends, any case."""
        for variant in self.forbidden:
            yield variant, re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)
        for pattern in self.patterns:
            yield pattern.pattern, pattern


def parse_glossary(raw: dict[str, Any]) -> tuple[Term, ...]:
    """Validate the parsed glossary; ContentError lists every problem as file: key: what."""
    problems: list[str] = []

    def add(key: str, message: str) -> None:
        problems.append(f"{GLOSSARY_FILE}: {key}: {message}")

    for unknown in sorted(set(raw) - {"reviewed", "term"}):
        add(unknown, "unknown key (allowed: reviewed, term)")
    entries = raw.get("term")
    if not isinstance(entries, list) or not entries:
        add("term", "must be a non-empty array of tables ([[term]])")
        entries = []
    terms = []
    for index, entry in enumerate(entries):
        key = f"term[{index}]"
        if not isinstance(entry, dict):
            add(key, "must be a table")
            continue
        for unknown in sorted(set(entry) - TERM_KEYS):
            add(f"{key}.{unknown}", f"unknown key (allowed: {', '.join(sorted(TERM_KEYS))})")
        for name in ("en", "es"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                add(f"{key}.{name}", "missing or empty text")
        forbidden = entry.get("forbidden", [])
        raw_patterns = entry.get("patterns", [])
        if not isinstance(forbidden, list) or not all(
            isinstance(v, str) and v.strip() for v in forbidden
        ):
            add(f"{key}.forbidden", "must be a list of non-empty texts")
            forbidden = []
        patterns = []
        for number, pattern in enumerate(raw_patterns if isinstance(raw_patterns, list) else [0]):
            try:
                patterns.append(re.compile(pattern))
            except (re.error, TypeError) as exc:
                add(f"{key}.patterns[{number}]", f"not a regular expression ({exc})")
        if not forbidden and not patterns:
            add(key, "needs forbidden variants or patterns")
        rendering = entry.get("es", "")
        for variant in forbidden:
            if variant.lower() in str(rendering).lower():
                add(f"{key}.forbidden", f"'{variant}' is part of the rendering itself")
        terms.append(
            Term(
                en=str(entry.get("en", "")).strip(),
                es=str(rendering).strip(),
                forbidden=tuple(v.strip() for v in forbidden),
                patterns=tuple(patterns),
                note=str(entry.get("note", "")),
            )
        )
    if problems:
        raise ContentError(problems)
    return tuple(terms)


def load_glossary(root: Path | None = None) -> tuple[Term, ...]:
    """Read and validate resources/glossary.toml (``root`` defaults to resources/)."""
    path = (root or resources_dir()) / GLOSSARY_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError([f"{GLOSSARY_FILE}: (file): cannot be read: {exc}"]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError([f"{GLOSSARY_FILE}: (file): not valid TOML: {exc}"]) from exc
    return parse_glossary(raw)


def check_spanish(texts: Iterable[tuple[Any, str]], terms: Iterable[Term]) -> list[tuple[Any, str]]:
    """(where, message) for every forbidden variant found in (where, text) pairs; pure."""
    terms = tuple(terms)
    literal = [(t, v, v.lower(), m) for t in terms for v, m in t.matchers() if v in t.forbidden]
    regexes = [(t, p.pattern, p) for t in terms for p in t.patterns]
    found_all = []
    for where, text in texts:
        low = text.lower()
        # A substring test first: the whole-word expression runs only where it may match.
        hits = [(t, v, m) for t, v, lowered, m in literal if lowered in low] + regexes
        for term, shown, pattern in hits:
            found = pattern.search(text)
            if found:
                found_all.append(
                    (
                        where,
                        f"'{found.group(0)}' is a forbidden variant of '{term.en}' "
                        f"(glossary: {shown!r}); use '{term.es}'",
                    )
                )
    return found_all


def _statement_texts(rel: str, key: str, statement: Any) -> Iterator[tuple[str, str, str]]:
    for name in ("plain_es", "grid_es"):
        text = getattr(statement, name, None)
        if text:
            yield rel, f"{key}.{name}", text


def content_texts(modalities: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Spanish texts of the knowledge base: names, plain summaries, plain and grid texts."""
    for mid, modality in modalities.items():
        rel = f"content/modalities/{mid}.toml"
        yield rel, "name_es", modality.name_es
        yield rel, "short_name_es", modality.short_name_es
        yield rel, "plain_summary.es", modality.plain_summary.plain_es or ""
        for section, statements in modality.sections.items():
            for index, statement in enumerate(statements):
                yield from _statement_texts(rel, f"{section}[{index}]", statement)
        for condition, strength in modality.strengths.items():
            yield from _statement_texts(rel, f"strength.{condition}", strength.statement)


def handout_texts(handouts: Any) -> Iterator[tuple[str, str, str]]:
    """Spanish handout texts: title, purpose and every block's text and list items."""
    for handout_id in handouts.ids:
        if "es" not in handouts.languages(handout_id):
            continue
        handout = handouts.get(handout_id, "es")
        rel = f"handouts/es/{handout_id}.toml"
        yield rel, "title", handout.title
        yield rel, "purpose", handout.purpose
        for index, block in enumerate(handout.blocks):
            if block.text:
                yield rel, f"blocks[{index}].text", block.text
            for field in ("items", "clinic", "emergency"):
                for number, item in enumerate(getattr(block, field)):
                    yield rel, f"blocks[{index}].{field}[{number}]", item


def table_texts(rel: str, value: Any, key: str = "es") -> Iterator[tuple[str, str, str]]:
    """Every string under ``key`` of a parsed wording table (plan, comparison)."""
    if isinstance(value, str):
        yield rel, key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from table_texts(rel, item, f"{key}.{name}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from table_texts(rel, item, f"{key}[{index}]")


def label_texts(labels: Any) -> Iterator[tuple[str, str, str]]:
    """The Spanish display labels (content/labels.toml)."""
    for group, entries in labels.raw.items():
        for name, entry in entries.items():
            for key, text in entry.items():
                if key.endswith("es") and isinstance(text, str):
                    yield "content/labels.toml", f"{group}.{name}.{key}", text


def spanish_texts(parts: dict[str, Any], root: Path) -> list[tuple[str, str, str]]:
    """(file, key, text) for every Spanish text of the resources read by the content step."""
    texts: list[tuple[str, str, str]] = []
    if parts.get("modalities"):
        texts += content_texts(parts["modalities"])
    if parts.get("handouts"):
        texts += handout_texts(parts["handouts"])
    if parts.get("labels"):
        texts += label_texts(parts["labels"])
    for rel in ("documents/integration_plan.toml", "documents/comparison.toml"):
        try:
            raw = tomllib.loads((root / rel).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue  # the file's own loader reports why
        texts += table_texts(rel, raw.get("es", {}))
    return texts


def check_parts(root: Path, problems: Any, parts: dict[str, Any]) -> None:
    """The content step's glossary check: glossary problems and forbidden variants."""
    try:
        terms = load_glossary(root)
    except ContentError as exc:
        for item in exc.problems:
            file, key, message = [*item.split(": ", 2), "", ""][:3]
            problems.add(file, key, message, "glossary")
        return
    texts = spanish_texts(parts, root)
    pairs = [((file, key), text) for file, key, text in texts]
    for (file, key), message in check_spanish(pairs, terms):
        problems.add(file, key, message, "glossary")


def is_glossary_problem(item: str) -> bool:
    """A problem the glossary check found (in the glossary or in a Spanish text)."""
    return item.startswith(GLOSSARY_FILE) or "is a forbidden variant of" in item
