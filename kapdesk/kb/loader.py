"""Read and validate the knowledge-base content under resources/content.

Every problem is reported as ``file: key: what is wrong`` and all problems are
collected before anything is raised, so one run of ``kapdesk kb verify`` lists
them all.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.errors import ContentError
from kapdesk.kb.model import (
    CATEGORIES,
    CONDITIONS,
    EVIDENCE_TYPES,
    MODALITY_IDS,
    REVIEWER_NOTE_MARKERS,
    SECTIONS,
    STRENGTHS,
    KBVersion,
    Labels,
    Modality,
    Reference,
    Statement,
    Strength,
)
from kapdesk.paths import resources_dir

STATEMENT_KEYS = {
    "text",
    "sources",
    "evidence",
    "reviewed",
    "plain_en",
    "plain_es",
    "grid_en",
    "grid_es",
}
RANGE_KEYS = {"onset": "days", "course": "weeks"}
# Optional on section statements: the conditions a statement answers for (patient grid).
TAG_KEYS = frozenset({"conditions", "unrated"})
MODALITY_KEYS = {
    "id",
    "name",
    "short_name",
    "name_es",
    "short_name_es",
    "aliases",
    "category",
    "summary",
    "plain_summary",
    "strength",
    "missing",
    *SECTIONS,
}
REFERENCE_KEYS = {"citation", "year", "doi", "pmid", "pmcid", "sheet_keys", "note"}
SHORT_NAME_MAX = 20
# A patient-grid answer: about three lines of a column on the one-page patient sheet.
GRID_MAX = 110


@dataclass(frozen=True)
class Content:
    """Validated knowledge-base content."""

    modalities: dict[str, Modality]
    references: dict[str, Reference]
    labels: Labels
    version: KBVersion


def content_dir(root: Path | None = None) -> Path:
    return (root or resources_dir()) / "content"


def content_files(root: Path | None = None) -> list[Path]:
    """The files whose bytes define the knowledge base, in a stable order."""
    base = content_dir(root)
    return sorted(p for p in base.rglob("*.toml") if p.is_file())


def content_hash(root: Path | None = None) -> str:
    """SHA-256 over every content file's relative path and bytes."""
    base = content_dir(root)
    digest = hashlib.sha256()
    for path in content_files(root):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


class ContentProblems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, key: str, message: str) -> None:
        self.items.append(f"{file}: {key}: {message}")


def read_toml(path: Path, rel: str, problems: ContentProblems) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.add(rel, "(file)", f"not valid TOML: {exc}")
    except OSError as exc:
        problems.add(rel, "(file)", f"cannot be read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        problems.add(rel, "(file)", "not valid UTF-8 text")
    return None


def nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _statement(
    raw: Any,
    rel: str,
    key: str,
    problems: ContentProblems,
    references: dict[str, Reference],
    *,
    text_keys: tuple[str, ...] = ("text",),
    extra_keys: frozenset[str] = frozenset(),
    range_key: str | None = None,
    need_plain: bool = False,
) -> Statement | None:
    if not isinstance(raw, dict):
        problems.add(rel, key, "must be a table of text, sources, evidence and reviewed")
        return None
    allowed = (STATEMENT_KEYS - {"text"}) | set(text_keys) | extra_keys
    if range_key:
        allowed.add(range_key)
    ok = True
    for unknown in sorted(set(raw) - allowed):
        problems.add(
            rel, f"{key}.{unknown}", f"unknown key (allowed: {', '.join(sorted(allowed))})"
        )
        ok = False
    for text_key in text_keys:
        if not nonempty_str(raw.get(text_key)):
            problems.add(rel, f"{key}.{text_key}", "missing or empty text")
            ok = False
    sources = raw.get("sources")
    if sources is None or sources == []:
        problems.add(rel, f"{key}.sources", "no sources: every statement needs at least one")
        ok = False
    elif not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        problems.add(rel, f"{key}.sources", "must be a list of reference ids")
        ok = False
    else:
        for source in sources:
            if source not in references:
                problems.add(rel, f"{key}.sources", f"'{source}' is not in references.toml")
                ok = False
    evidence = raw.get("evidence")
    if evidence is None:
        problems.add(rel, f"{key}.evidence", "missing evidence type")
        ok = False
    elif evidence not in EVIDENCE_TYPES:
        problems.add(
            rel,
            f"{key}.evidence",
            f"'{evidence}' is not an evidence type (allowed: {', '.join(EVIDENCE_TYPES)})",
        )
        ok = False
    reviewed = raw.get("reviewed")
    if reviewed is None:
        problems.add(rel, f"{key}.reviewed", "missing review date")
        ok = False
    elif not isinstance(reviewed, date) or hasattr(reviewed, "hour"):
        problems.add(rel, f"{key}.reviewed", "must be a date such as 2026-11-21 (no quotes)")
        ok = False
    elif reviewed > date.today():
        problems.add(rel, f"{key}.reviewed", f"{reviewed.isoformat()} is in the future")
        ok = False
    plain = {}
    for lang in ("en", "es"):
        name = f"plain_{lang}"
        value = raw.get(name)
        if value is not None and not nonempty_str(value):
            problems.add(rel, f"{key}.{name}", "must be non-empty text")
            ok = False
        elif need_plain and value is None and "en" not in text_keys:
            problems.add(rel, f"{key}.{name}", "missing: the patient view needs plain text here")
            ok = False
        plain[name] = value
    grid = _grid_texts(raw, rel, key, problems, plain)
    ok = ok and grid is not None
    span = None
    if range_key and range_key in raw:
        value = raw[range_key]
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or value[0] < 0
            or value[0] > value[1]
        ):
            problems.add(
                rel, f"{key}.{range_key}", "must be two numbers [low, high], 0 ≤ low ≤ high"
            )
            ok = False
        else:
            span = (float(value[0]), float(value[1]))
    conditions, unrated = _condition_tags(raw, rel, key, problems)
    ok = ok and conditions is not None
    if not ok:
        return None
    if text_keys == ("en", "es"):
        return Statement(
            text=raw["en"],
            sources=tuple(sources),
            evidence=evidence,
            reviewed=reviewed,
            plain_en=raw["en"],
            plain_es=raw["es"],
        )
    return Statement(
        text=raw["text"],
        sources=tuple(sources),
        evidence=evidence,
        reviewed=reviewed,
        plain_en=plain["plain_en"],
        plain_es=plain["plain_es"],
        days=span if range_key == "days" else None,
        weeks=span if range_key == "weeks" else None,
        grid_en=grid["grid_en"],
        grid_es=grid["grid_es"],
        conditions=conditions or (),
        unrated=unrated,
    )


def _condition_tags(
    raw: dict[str, Any], rel: str, key: str, problems: ContentProblems
) -> tuple[tuple[str, ...] | None, bool]:
    """The optional ``conditions`` a section statement answers for, and ``unrated``."""
    conditions, unrated = raw.get("conditions", []), raw.get("unrated", False)
    if not isinstance(conditions, list) or not all(c in CONDITIONS for c in conditions):
        problems.add(
            rel, f"{key}.conditions", f"must be a list of conditions from {', '.join(CONDITIONS)}"
        )
        return None, False
    if not isinstance(unrated, bool) or (unrated and not conditions):
        problems.add(rel, f"{key}.unrated", "must be true or false, and true only with conditions")
        return None, False
    return tuple(conditions), unrated


def _grid_texts(
    raw: dict[str, Any],
    rel: str,
    key: str,
    problems: ContentProblems,
    plain: dict[str, str | None],
) -> dict[str, str | None] | None:
    """The optional short answers for the patient grid; None when they are malformed.

    They come in both languages or not at all (a Spanish sheet must never show a long
    cell beside short ones), each shortens the plain text of the same statement, and
    each fits the one-page patient sheet.
    """
    grid: dict[str, str | None] = {"grid_en": raw.get("grid_en"), "grid_es": raw.get("grid_es")}
    if all(value is None for value in grid.values()):
        return grid
    ok = True
    for lang in ("en", "es"):
        name, other = f"grid_{lang}", f"grid_{'es' if lang == 'en' else 'en'}"
        value = grid[name]
        if value is None:
            problems.add(rel, f"{key}.{name}", f"missing: {other} is given; give both or neither")
            ok = False
        elif not nonempty_str(value):
            problems.add(rel, f"{key}.{name}", "must be non-empty text")
            ok = False
        elif len(value) > GRID_MAX:
            problems.add(
                rel,
                f"{key}.{name}",
                f"{len(value)} characters; a grid answer has at most {GRID_MAX}",
            )
            ok = False
        elif not plain.get(f"plain_{lang}"):
            problems.add(
                rel,
                f"{key}.{name}",
                f"needs plain_{lang}: a grid answer shortens the statement's plain text",
            )
            ok = False
    return grid if ok else None


def _load_references(path: Path, rel: str, problems: ContentProblems) -> dict[str, Reference]:
    raw = read_toml(path, rel, problems)
    if raw is None:
        return {}
    refs: dict[str, Reference] = {}
    for ref_id, entry in raw.items():
        if not isinstance(entry, dict):
            problems.add(rel, ref_id, "must be a table with a citation")
            continue
        for unknown in sorted(set(entry) - REFERENCE_KEYS):
            problems.add(rel, f"{ref_id}.{unknown}", "unknown key")
        if not nonempty_str(entry.get("citation")):
            problems.add(rel, f"{ref_id}.citation", "missing full citation")
            continue
        year = entry.get("year")
        if year is not None and (not isinstance(year, int) or not 1900 <= year <= 2100):
            problems.add(rel, f"{ref_id}.year", f"{year!r} is not a year")
            continue
        note = entry.get("note")
        if note is not None and not nonempty_str(note):
            problems.add(rel, f"{ref_id}.note", "must be non-empty text (the reviewer's note)")
            continue
        marker = next((m for m in REVIEWER_NOTE_MARKERS if m in entry["citation"]), None)
        if marker:
            problems.add(
                rel,
                f"{ref_id}.citation",
                f"'{marker}' is a reviewer's note: move it to `note` (never shown to users)",
            )
            continue
        refs[ref_id] = Reference(
            id=ref_id,
            citation=entry["citation"].strip(),
            year=year,
            doi=entry.get("doi"),
            pmid=entry.get("pmid"),
            pmcid=entry.get("pmcid"),
            sheet_keys=tuple(entry.get("sheet_keys", ())),
            note=note.strip() if note else None,
        )
    return refs


def _load_modality(
    path: Path, rel: str, problems: ContentProblems, references: dict[str, Reference]
) -> Modality | None:
    raw = read_toml(path, rel, problems)
    if raw is None:
        return None
    before = len(problems.items)
    for unknown in sorted(set(raw) - MODALITY_KEYS):
        problems.add(rel, unknown, "unknown key")
    mid = raw.get("id")
    if mid != path.stem:
        problems.add(rel, "id", f"{mid!r} must equal the file name '{path.stem}'")
    for key in ("name", "short_name", "name_es", "short_name_es"):
        if not nonempty_str(raw.get(key)):
            problems.add(rel, key, "missing or empty")
        elif key.startswith("short") and len(raw[key]) > SHORT_NAME_MAX:
            problems.add(rel, key, f"longer than {SHORT_NAME_MAX} characters")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(nonempty_str(a) for a in aliases):
        problems.add(rel, "aliases", "must be a list of non-empty names")
        aliases = []
    category = raw.get("category")
    if category not in CATEGORIES:
        problems.add(
            rel, "category", f"{category!r} is not a category (allowed: {', '.join(CATEGORIES)})"
        )
    missing = raw.get("missing", {})
    if not isinstance(missing, dict) or not all(nonempty_str(v) for v in missing.values()):
        problems.add(rel, "missing", "must be a table of key = reason")
        missing = {}
    allowed_missing = set(SECTIONS) | {f"strength.{c}" for c in CONDITIONS}
    for key in sorted(set(missing) - allowed_missing):
        problems.add(rel, f"missing.{key}", "not a section or strength.<condition>")

    summary = None
    if "summary" not in raw:
        problems.add(rel, "summary", "missing clinician summary")
    else:
        summary = _statement(raw["summary"], rel, "summary", problems, references)
    plain_summary = None
    if "plain_summary" not in raw:
        problems.add(rel, "plain_summary", "missing plain-language summary (en and es)")
    else:
        plain_summary = _statement(
            raw["plain_summary"], rel, "plain_summary", problems, references, text_keys=("en", "es")
        )

    sections: dict[str, tuple[Statement, ...]] = {}
    for section in SECTIONS:
        items = raw.get(section, [])
        if not isinstance(items, list):
            problems.add(rel, section, "must be an array of tables ([[section]])")
            continue
        if not items and section not in missing:
            problems.add(rel, section, "no statements and no reason under [missing]")
        if items and section in missing:
            problems.add(rel, f"missing.{section}", "section has statements; remove the reason")
        parsed = []
        for index, item in enumerate(items):
            statement = _statement(
                item,
                rel,
                f"{section}[{index}]",
                problems,
                references,
                extra_keys=TAG_KEYS,
                range_key=RANGE_KEYS.get(section),
                need_plain=index == 0,
            )
            if statement:
                parsed.append(statement)
                if statement.unrated and section != "regulatory":
                    problems.add(
                        rel, f"{section}[{index}].unrated", "only a regulatory statement can be"
                    )
                for condition in statement.conditions if statement.unrated else ():
                    if f"strength.{condition}" not in missing:
                        problems.add(
                            rel,
                            f"{section}[{index}].unrated",
                            f"{condition} has a rating (or no reason under [missing]); an "
                            "unrated answer stands only where there is no rating",
                        )
        sections[section] = tuple(parsed)

    strengths: dict[str, Strength] = {}
    raw_strengths = raw.get("strength", {})
    if not isinstance(raw_strengths, dict):
        problems.add(rel, "strength", "must be a table of conditions")
        raw_strengths = {}
    for condition in sorted(set(raw_strengths) - set(CONDITIONS)):
        problems.add(
            rel,
            f"strength.{condition}",
            f"unknown condition (allowed: {', '.join(CONDITIONS)})",
        )
    for condition in CONDITIONS:
        key = f"strength.{condition}"
        entry = raw_strengths.get(condition)
        if entry is None:
            if key not in missing:
                problems.add(rel, key, "no rating and no reason under [missing]")
            continue
        if key in missing:
            problems.add(rel, f"missing.{key}", "condition has a rating; remove the reason")
        rating = entry.get("rating") if isinstance(entry, dict) else None
        if rating not in STRENGTHS:
            problems.add(
                rel,
                f"{key}.rating",
                f"{rating!r} is not a strength (allowed: {', '.join(STRENGTHS)})",
            )
        statement = _statement(
            entry,
            rel,
            key,
            problems,
            references,
            extra_keys=frozenset({"rating"}),
            need_plain=True,
        )
        if statement and rating in STRENGTHS:
            strengths[condition] = Strength(condition, rating, statement)

    if len(problems.items) > before or summary is None or plain_summary is None:
        return None
    return Modality(
        id=mid,
        name=raw["name"].strip(),
        short_name=raw["short_name"].strip(),
        name_es=raw["name_es"].strip(),
        short_name_es=raw["short_name_es"].strip(),
        aliases=tuple(a.strip() for a in aliases),
        category=category,
        summary=summary,
        plain_summary=plain_summary,
        sections=sections,
        strengths=strengths,
        missing=dict(missing),
    )


def _load_labels(path: Path, rel: str, problems: ContentProblems) -> Labels:
    raw = read_toml(path, rel, problems) or {}
    expectations = {
        "sections": (SECTIONS, ("clinician", "patient_en", "patient_es")),
        "conditions": (CONDITIONS, ("en", "es")),
        "strengths": (STRENGTHS, ("en", "es", "plain_en", "plain_es")),
        "evidence": (EVIDENCE_TYPES, ("en",)),
        "categories": (CATEGORIES, ("en", "es")),
    }
    for group, (names, fields) in expectations.items():
        for name in names:
            entry = raw.get(group, {}).get(name)
            for field_name in fields:
                if not isinstance(entry, dict) or not nonempty_str(entry.get(field_name)):
                    problems.add(rel, f"{group}.{name}.{field_name}", "missing label")
    return Labels(raw)


def load_content(root: Path | None = None) -> Content:
    """Load and validate all content; raise ContentError listing every problem."""
    base = content_dir(root)
    problems = ContentProblems()
    references = _load_references(base / "references.toml", "references.toml", problems)
    labels = _load_labels(base / "labels.toml", "labels.toml", problems)
    modalities: dict[str, Modality] = {}
    mod_dir = base / "modalities"
    files = {p.stem: p for p in sorted(mod_dir.glob("*.toml"))} if mod_dir.is_dir() else {}
    for unexpected in sorted(set(files) - set(MODALITY_IDS)):
        problems.add(f"modalities/{unexpected}.toml", "id", "not one of the 16 modality ids")
    for mid in MODALITY_IDS:
        rel = f"modalities/{mid}.toml"
        if mid not in files:
            problems.add(rel, "(file)", "missing: every modality needs a file")
            continue
        modality = _load_modality(files[mid], rel, problems, references)
        if modality:
            modalities[mid] = modality
    if problems.items:
        raise ContentError(problems.items)
    latest = max(statement.reviewed for m in modalities.values() for _, statement in m.statements())
    ordered = {mid: modalities[mid] for mid in MODALITY_IDS}
    return Content(ordered, references, labels, KBVersion(content_hash(root), latest))
