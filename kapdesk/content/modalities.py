"""The content file kinds: modalities, references and labels under resources/content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kapdesk.content.model import (
    CATEGORIES,
    CONDITIONS,
    EVIDENCE_TYPES,
    LANGUAGES,
    MODALITY_IDS,
    REVIEWER_NOTE_MARKERS,
    SECTIONS,
    STRENGTHS,
    Labels,
    Modality,
    Reference,
    Statement,
    Strength,
)
from kapdesk.content.problems import Problems, Reader, nonempty_str, read_toml

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


def _statement(
    raw: Any,
    r: Reader,
    key: str,
    *,
    text_keys: tuple[str, ...] = ("text",),
    extra_keys: frozenset[str] = frozenset(),
    range_key: str | None = None,
    need_plain: bool = False,
) -> Statement | None:
    if r.table(raw, key, "a table of text, sources, evidence and reviewed") is None:
        return None
    before = len(r.problems)
    allowed = (STATEMENT_KEYS - {"text"}) | set(text_keys) | extra_keys
    if range_key:
        allowed.add(range_key)
    r.keys(raw, key, allowed)
    texts = {name: r.text(raw, name, key) for name in text_keys}
    sources = r.sources(raw, key)
    evidence = r.evidence(raw, key)
    reviewed = r.date(raw, "reviewed", key)
    plain: dict[str, str | None] = {}
    for lang in LANGUAGES:
        name = f"plain_{lang}"
        value = raw.get(name)
        if value is not None and not nonempty_str(value):
            r.add(f"{key}.{name}", "must be non-empty text")
        elif need_plain and value is None and "en" not in text_keys:
            r.add(f"{key}.{name}", "missing: the patient view needs plain text here")
        plain[name] = value
    grid = _grid_texts(raw, r, key, plain)
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
            r.add(f"{key}.{range_key}", "must be two numbers [low, high], 0 ≤ low ≤ high")
        else:
            span = (float(value[0]), float(value[1]))
    conditions, unrated = _condition_tags(raw, r, key)
    if len(r.problems) > before or reviewed is None:
        return None
    if text_keys == ("en", "es"):
        return Statement(texts["en"], sources, evidence, reviewed, texts["en"], texts["es"])
    return Statement(
        text=texts["text"],
        sources=sources,
        evidence=evidence,
        reviewed=reviewed,
        plain_en=plain["plain_en"],
        plain_es=plain["plain_es"],
        days=span if range_key == "days" else None,
        weeks=span if range_key == "weeks" else None,
        grid_en=grid["grid_en"],
        grid_es=grid["grid_es"],
        conditions=conditions,
        unrated=unrated,
    )


def _condition_tags(raw: dict[str, Any], r: Reader, key: str) -> tuple[tuple[str, ...], bool]:
    """The optional ``conditions`` a section statement answers for, and ``unrated``."""
    conditions, unrated = raw.get("conditions", []), raw.get("unrated", False)
    if not isinstance(conditions, list) or not all(c in CONDITIONS for c in conditions):
        r.add(f"{key}.conditions", f"must be a list of conditions from {', '.join(CONDITIONS)}")
        return (), False
    if not isinstance(unrated, bool) or (unrated and not conditions):
        r.add(f"{key}.unrated", "must be true or false, and true only with conditions")
        return (), False
    return tuple(conditions), unrated


def _grid_texts(
    raw: dict[str, Any], r: Reader, key: str, plain: dict[str, str | None]
) -> dict[str, str | None]:
    """The optional short answers for the patient grid.

    They come in both languages or not at all (a Spanish sheet must never show a long
    cell beside short ones), each shortens the plain text of the same statement, and
    each fits the one-page patient sheet.
    """
    grid: dict[str, str | None] = {"grid_en": raw.get("grid_en"), "grid_es": raw.get("grid_es")}
    if all(value is None for value in grid.values()):
        return grid
    for lang in LANGUAGES:
        name, other = f"grid_{lang}", f"grid_{'es' if lang == 'en' else 'en'}"
        value = grid[name]
        if value is None:
            r.add(f"{key}.{name}", f"missing: {other} is given; give both or neither")
        elif not nonempty_str(value):
            r.add(f"{key}.{name}", "must be non-empty text")
        elif len(value) > GRID_MAX:
            r.add(f"{key}.{name}", f"{len(value)} characters; a grid answer has at most {GRID_MAX}")
        elif not plain.get(f"plain_{lang}"):
            r.add(
                f"{key}.{name}",
                f"needs plain_{lang}: a grid answer shortens the statement's plain text",
            )
    return grid


def load_references(root: Path, problems: Problems) -> dict[str, Reference]:
    """``content/references.toml``: full citations by id."""
    rel = "content/references.toml"
    raw = read_toml(root / rel, rel, problems, "references")
    if raw is None:
        return {}
    r = Reader(problems, rel, "references")
    refs: dict[str, Reference] = {}
    for ref_id, entry in raw.items():
        if r.table(entry, ref_id, "a table with a citation") is None:
            continue
        r.keys(entry, ref_id, REFERENCE_KEYS)
        citation = r.text(entry, "citation", ref_id)
        if not citation:
            continue
        note = entry.get("note")
        if note is not None and not nonempty_str(note):
            r.add(f"{ref_id}.note", "must be non-empty text (the reviewer's note)")
            continue
        marker = next((m for m in REVIEWER_NOTE_MARKERS if m in citation), None)
        if marker:
            r.add(
                f"{ref_id}.citation",
                f"'{marker}' is a reviewer's note: move it to `note` (never shown to users)",
            )
            continue
        year = entry.get("year")
        if (
            year is not None
            and r.number(entry, "year", ref_id, minimum=1900, maximum=2100, integer=True) is None
        ):
            continue
        refs[ref_id] = Reference(
            id=ref_id,
            citation=citation,
            year=year,
            doi=entry.get("doi"),
            pmid=entry.get("pmid"),
            pmcid=entry.get("pmcid"),
            sheet_keys=tuple(entry.get("sheet_keys", ())),
            note=note.strip() if note else None,
        )
    return refs


def _load_modality(path: Path, rel: str, r: Reader) -> Modality | None:
    raw = read_toml(path, rel, r.problems, "content")
    if raw is None:
        return None
    r.keys(raw, "", MODALITY_KEYS)
    mid = raw.get("id")
    if mid != path.stem:
        r.add("id", f"{mid!r} must equal the file name '{path.stem}'")
    names = {
        key: r.text(raw, key, "") for key in ("name", "short_name", "name_es", "short_name_es")
    }
    for key in ("short_name", "short_name_es"):
        if len(names[key]) > SHORT_NAME_MAX:
            r.add(key, f"longer than {SHORT_NAME_MAX} characters")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(nonempty_str(a) for a in aliases):
        r.add("aliases", "must be a list of non-empty names")
        aliases = []
    category = r.choice(raw, "category", "", CATEGORIES, "a category")
    missing = raw.get("missing", {})
    if not isinstance(missing, dict) or not all(nonempty_str(v) for v in missing.values()):
        r.add("missing", "must be a table of key = reason")
        missing = {}
    allowed_missing = set(SECTIONS) | {f"strength.{c}" for c in CONDITIONS}
    for key in sorted(set(missing) - allowed_missing):
        r.add(f"missing.{key}", "not a section or strength.<condition>")

    summary = plain_summary = None
    if "summary" not in raw:
        r.add("summary", "missing clinician summary")
    else:
        summary = _statement(raw["summary"], r, "summary")
    if "plain_summary" not in raw:
        r.add("plain_summary", "missing plain-language summary (en and es)")
    else:
        plain_summary = _statement(raw["plain_summary"], r, "plain_summary", text_keys=("en", "es"))

    sections: dict[str, tuple[Statement, ...]] = {}
    for section in SECTIONS:
        items = raw.get(section, [])
        if not isinstance(items, list):
            r.add(section, "must be an array of tables ([[section]])")
            continue
        if not items and section not in missing:
            r.add(section, "no statements and no reason under [missing]")
        if items and section in missing:
            r.add(f"missing.{section}", "section has statements; remove the reason")
        parsed = [
            _statement(
                item,
                r,
                f"{section}[{index}]",
                extra_keys=TAG_KEYS,
                range_key=RANGE_KEYS.get(section),
                need_plain=index == 0,
            )
            for index, item in enumerate(items)
        ]
        for index, statement in enumerate(parsed):
            if statement is None or not statement.unrated:
                continue
            if section != "regulatory":
                r.add(f"{section}[{index}].unrated", "only a regulatory statement can be")
            for condition in statement.conditions:
                if f"strength.{condition}" not in missing:
                    r.add(
                        f"{section}[{index}].unrated",
                        f"{condition} has a rating (or no reason under [missing]); an unrated "
                        "answer stands only where there is no rating",
                    )
        sections[section] = tuple(s for s in parsed if s)

    strengths: dict[str, Strength] = {}
    raw_strengths = r.table(raw.get("strength", {}), "strength", "a table of conditions") or {}
    for condition in sorted(set(raw_strengths) - set(CONDITIONS)):
        r.add(f"strength.{condition}", f"unknown condition (allowed: {', '.join(CONDITIONS)})")
    for condition in CONDITIONS:
        key = f"strength.{condition}"
        entry = raw_strengths.get(condition)
        if entry is None:
            if key not in missing:
                r.add(key, "no rating and no reason under [missing]")
            continue
        if key in missing:
            r.add(f"missing.{key}", "condition has a rating; remove the reason")
        rating = entry.get("rating") if isinstance(entry, dict) else None
        if rating not in STRENGTHS:
            r.add(
                f"{key}.rating", f"{rating!r} is not a strength (allowed: {', '.join(STRENGTHS)})"
            )
        statement = _statement(entry, r, key, extra_keys=frozenset({"rating"}), need_plain=True)
        if statement and rating in STRENGTHS:
            strengths[condition] = Strength(condition, rating, statement)

    if not r.clean or summary is None or plain_summary is None:
        return None
    return Modality(
        id=mid,
        name=names["name"],
        short_name=names["short_name"],
        name_es=names["name_es"],
        short_name_es=names["short_name_es"],
        aliases=tuple(a.strip() for a in aliases),
        category=category,
        summary=summary,
        plain_summary=plain_summary,
        sections=sections,
        strengths=strengths,
        missing=dict(missing),
    )


def load_labels(root: Path, problems: Problems) -> Labels:
    """``content/labels.toml``: display labels for every vocabulary."""
    rel = "content/labels.toml"
    raw = read_toml(root / rel, rel, problems, "labels")
    if raw is None:
        return Labels({})
    r = Reader(problems, rel, "labels")
    expectations = {
        "sections": (SECTIONS, ("clinician", "patient_en", "patient_es")),
        "conditions": (CONDITIONS, ("en", "es")),
        "strengths": (STRENGTHS, ("en", "es", "plain_en", "plain_es")),
        "evidence": (EVIDENCE_TYPES, ("en",)),
        "categories": (CATEGORIES, ("en", "es")),
    }
    r.keys(raw, "", expectations)
    for group, (names, fields) in expectations.items():
        table = raw.get(group, {})
        if isinstance(table, dict):
            r.keys(table, group, names)
        for name in names:
            entry = table.get(name) if isinstance(table, dict) else None
            for field_name in fields:
                if not isinstance(entry, dict) or not nonempty_str(entry.get(field_name)):
                    r.add(f"{group}.{name}.{field_name}", "missing label")
    return Labels(raw)


def load_modalities(
    root: Path, problems: Problems, references: dict[str, Reference]
) -> dict[str, Modality]:
    """The 16 modality files under ``content/modalities/``, in the standard order."""
    modalities: dict[str, Modality] = {}
    mod_dir = root / "content" / "modalities"
    files = {p.stem: p for p in sorted(mod_dir.glob("*.toml"))} if mod_dir.is_dir() else {}
    for unexpected in sorted(set(files) - set(MODALITY_IDS)):
        problems.add(
            f"content/modalities/{unexpected}.toml",
            "id",
            "not one of the 16 modality ids",
            "content",
        )
    for mid in MODALITY_IDS:
        rel = f"content/modalities/{mid}.toml"
        if mid not in files:
            problems.add(rel, "(file)", "missing: every modality needs a file", "content")
            continue
        modality = _load_modality(files[mid], rel, Reader(problems, rel, "content", references))
        if modality:
            modalities[mid] = modality
    return modalities
