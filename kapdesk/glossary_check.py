"""The Spanish medical glossary (resources/glossary.toml) and its check (issue 11).

Each fixed medical term has one Spanish rendering; its forbidden variants must not appear
in any Spanish text kapdesk shows: handouts, the knowledge base's plain and grid texts and
Spanish names, the integration plan's and the comparison's Spanish wording, and the
Spanish labels. :func:`check_spanish` is a pure function over (where, text) pairs;
:func:`verify_glossary` gathers the shipped texts and runs it (``kapdesk kb verify``).
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


def check_spanish(texts: Iterable[tuple[str, str]], terms: Iterable[Term]) -> list[str]:
    """Every forbidden variant found, as ``where: 'variant' … (use 'rendering')``; pure."""
    matchers = [(term, shown, pattern) for term in terms for shown, pattern in term.matchers()]
    problems = []
    for where, text in texts:
        for term, shown, pattern in matchers:
            found = pattern.search(text)
            if found:
                problems.append(
                    f"{where}: '{found.group(0)}' is a forbidden variant of '{term.en}' "
                    f"(glossary: {shown!r}); use '{term.es}'"
                )
    return problems


def _statement_texts(where: str, statement: Any) -> Iterator[tuple[str, str]]:
    for key in ("plain_es", "grid_es"):
        text = getattr(statement, key, None)
        if text:
            yield f"{where}.{key}", text


def content_texts(content: Any) -> Iterator[tuple[str, str]]:
    """Spanish texts of the knowledge base: names, plain summaries, plain and grid texts."""
    for mid, modality in content.modalities.items():
        rel = f"content/modalities/{mid}.toml"
        yield f"{rel}: name_es", modality.name_es
        yield f"{rel}: short_name_es", modality.short_name_es
        yield f"{rel}: plain_summary.es", modality.plain_summary.plain_es or ""
        for section, statements in modality.sections.items():
            for index, statement in enumerate(statements):
                yield from _statement_texts(f"{rel}: {section}[{index}]", statement)
        for condition, strength in modality.strengths.items():
            yield from _statement_texts(f"{rel}: strength.{condition}", strength.statement)


def handout_texts(handouts: Any) -> Iterator[tuple[str, str]]:
    """Spanish handout texts: title, purpose and every block's text and list items."""
    for handout_id in handouts.ids:
        handout = handouts.get(handout_id, "es")
        rel = f"handouts/es/{handout_id}.toml"
        yield f"{rel}: title", handout.title
        yield f"{rel}: purpose", handout.purpose
        for index, block in enumerate(handout.blocks):
            if block.text:
                yield f"{rel}: blocks[{index}].text", block.text
            for field in ("items", "clinic", "emergency"):
                for number, item in enumerate(getattr(block, field)):
                    yield f"{rel}: blocks[{index}].{field}[{number}]", item


def table_texts(rel: str, value: Any, key: str = "es") -> Iterator[tuple[str, str]]:
    """Every string under ``key`` of a parsed wording file (plan, comparison, labels)."""
    if isinstance(value, str):
        yield f"{rel}: {key}", value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from table_texts(rel, item, f"{key}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from table_texts(rel, item, f"{key}[{index}]")


def shipped_spanish_texts(root: Path | None = None) -> list[tuple[str, str]]:
    """Every Spanish text of the shipped resources, each with its file and key."""
    from kapdesk.handouts import load_library
    from kapdesk.kb.loader import load_content

    base = root or resources_dir()
    texts = [*content_texts(load_content(base)), *handout_texts(load_library(base))]
    for rel in ("documents/integration_plan.toml", "documents/comparison.toml"):
        raw = tomllib.loads((base / rel).read_text(encoding="utf-8"))
        texts += table_texts(rel, raw.get("es", {}))
    labels = tomllib.loads((base / "content" / "labels.toml").read_text(encoding="utf-8"))
    for group, entries in labels.items():
        for name, entry in entries.items():
            for key, text in entry.items():
                if key.endswith("es") and isinstance(text, str):
                    texts.append((f"content/labels.toml: {group}.{name}.{key}", text))
    return texts


def verify_glossary(root: Path | None = None) -> list[str]:
    """The glossary's own problems, or every forbidden variant in the shipped Spanish text."""
    try:
        terms = load_glossary(root)
    except ContentError as exc:
        return list(exc.problems)
    return check_spanish(shipped_spanish_texts(root), terms)
