"""Read and validate the ketamine interaction table in resources/rules/interactions.toml.

The table is data a clinician can review: classes with the member drugs the fact sheets
place in them, and interactions with the effect and recommendation in the label's words,
a level taken from the label's verb, the products they apply to and their sources.
Every problem is recorded as ``file: key: message`` with keys named by id.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.content.problems import Problems, Reader, join, read_toml

FILE = "rules/interactions.toml"
KIND = "interactions"
LEVELS = (
    "do-not-coadminister",
    "monitor-closely",
    "dose-change",
    "evidence-only",
    "no-interaction-reported",
)
PRODUCTS = ("esketamine", "racemic")
TOP_KEYS = {
    "reviewed",
    "scope",
    "unknown",
    "products",
    "eligibility_questions",
    "levels",
    "class",
    "interaction",
}
CLASS_KEYS = {"id", "name", "members", "aliases", "note", "sources"}
INTERACTION_KEYS = {
    "id",
    "classes",
    "products",
    "effect",
    "recommendation",
    "level",
    "note",
    "sources",
    "evidence",
}


@dataclass(frozen=True)
class DrugClass:
    """A class of drugs and the member names the sheets place in it.

    ``aliases`` maps another spelling (or brand name) to a member, or to "" for the class.
    """

    id: str
    name: str
    members: tuple[str, ...]
    aliases: dict[str, str]
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Interaction:
    """One sourced interaction of one or more classes with one or both products."""

    id: str
    classes: tuple[str, ...]
    products: tuple[str, ...]
    effect: str
    recommendation: str
    level: str
    note: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class InteractionTable:
    """The validated interaction table."""

    reviewed: date
    scope: str
    unknown: str
    products: dict[str, str]
    levels: dict[str, str]
    eligibility_questions: dict[str, tuple[str, ...]]
    classes: tuple[DrugClass, ...]
    interactions: tuple[Interaction, ...]

    def drug_class(self, class_id: str) -> DrugClass:
        """The class with id ``class_id`` (KeyError if there is none)."""
        for item in self.classes:
            if item.id == class_id:
                return item
        raise KeyError(class_id)

    def source_ids(self) -> list[str]:
        """Every reference id the table cites, in first-cited order."""
        lists = [c.sources for c in self.classes] + [i.sources for i in self.interactions]
        return list(dict.fromkeys(ref for refs in lists for ref in refs))


def _name_list(read: Reader, raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        read.add(join(where, key), "must be a list of names")
        return ()
    return tuple(v.strip() for v in value)


def _class(read: Reader, raw: Any, index: int, seen: set[str]) -> DrugClass | None:
    table = read.table(raw, f"class[{index}]")
    if table is None:
        return None
    ident = read.identifier(table, f"class[{index}]", seen)
    if not ident:
        return None
    where = f"class.{ident}"
    read.keys(table, where, CLASS_KEYS, required=("id", "name", "sources"))
    name = read.text(table, "name", where)
    members = _name_list(read, table, "members", where)
    aliases_raw = table.get("aliases", {})
    aliases: dict[str, str] = {}
    if not isinstance(aliases_raw, dict):
        read.add(join(where, "aliases"), 'must be a table of alias = member (or "")')
    else:
        for alias, target in aliases_raw.items():
            if not isinstance(target, str) or (target and target not in members):
                read.add(
                    join(where, f"aliases.{alias}"),
                    f'{target!r} is not one of this class\'s members (or "" for the class)',
                )
            else:
                aliases[alias] = target
    note = read.text(table, "note", where, optional=True)
    sources = read.sources(table, where)
    return DrugClass(ident, name, members, aliases, note, sources)


def _interaction(
    read: Reader, raw: Any, index: int, seen: set[str], class_ids: set[str]
) -> Interaction | None:
    table = read.table(raw, f"interaction[{index}]")
    if table is None:
        return None
    ident = read.identifier(table, f"interaction[{index}]", seen)
    if not ident:
        return None
    where = f"interaction.{ident}"
    read.keys(
        table,
        where,
        INTERACTION_KEYS,
        required=("id", "classes", "products", "effect", "recommendation", "level", "sources"),
    )
    classes = _name_list(read, table, "classes", where)
    if not classes:
        read.add(join(where, "classes"), "must name at least one class")
    for class_id in classes:
        if class_id not in class_ids:
            read.add(join(where, "classes"), f"'{class_id}' is not a [[class]] id")
    products = _name_list(read, table, "products", where)
    if not products:
        read.add(join(where, "products"), "must name at least one product")
    for product in products:
        if product not in PRODUCTS:
            read.add(
                join(where, "products"),
                f"'{product}' is not a product (allowed: {', '.join(PRODUCTS)})",
            )
    effect = read.text(table, "effect", where)
    recommendation = read.text(table, "recommendation", where)
    level = read.choice(table, "level", where, LEVELS, "a level")
    note = read.text(table, "note", where, optional=True)
    sources = read.sources(table, where)
    evidence = read.evidence(table, where)
    return Interaction(
        ident, classes, products, effect, recommendation, level, note, sources, evidence
    )


def load_interactions(
    root: Path, problems: Problems, references: set[str]
) -> InteractionTable | None:
    """Read ``rules/interactions.toml`` under ``root``; None when it has problems."""
    raw = read_toml(root / FILE, FILE, problems, KIND)
    if raw is None:
        return None
    read = Reader(problems, FILE, KIND, references)
    read.keys(raw, "", TOP_KEYS, required=("reviewed", "scope", "unknown", "levels"))
    reviewed = read.date(raw, "reviewed", "")
    scope = read.text(raw, "scope", "")
    unknown = read.text(raw, "unknown", "")
    products: dict[str, str] = {}
    raw_products = read.table(raw.get("products"), "products") or {}
    for product in PRODUCTS:
        products[product] = read.text(raw_products, product, "products")
    levels: dict[str, str] = {}
    raw_levels = read.table(raw.get("levels"), "levels") or {}
    read.keys(raw_levels, "levels", LEVELS)
    for level in LEVELS:
        entry = read.table(raw_levels.get(level), f"levels.{level}", "a table with a label")
        if entry is not None:
            read.keys(entry, f"levels.{level}", {"label"}, required=("label",))
            levels[level] = read.text(entry, "label", f"levels.{level}")
    seen: set[str] = set()
    raw_classes = raw.get("class", [])
    if not isinstance(raw_classes, list) or not raw_classes:
        read.add("class", "missing: the table needs [[class]] entries")
        raw_classes = []
    classes = [_class(read, item, i, seen) for i, item in enumerate(raw_classes)]
    class_ids = {c.id for c in classes if c}
    _check_names(read, [c for c in classes if c])
    raw_interactions = raw.get("interaction", [])
    if not isinstance(raw_interactions, list) or not raw_interactions:
        read.add("interaction", "missing: the table needs [[interaction]] entries")
        raw_interactions = []
    seen_interactions: set[str] = set()
    interactions = [
        _interaction(read, item, i, seen_interactions, class_ids)
        for i, item in enumerate(raw_interactions)
    ]
    questions: dict[str, tuple[str, ...]] = {}
    raw_questions = read.table(raw.get("eligibility_questions", {}), "eligibility_questions") or {}
    for key, ids in raw_questions.items():
        where = f"eligibility_questions.{key}"
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            read.add(where, "must be a non-empty list of class ids")
            continue
        for class_id in ids:
            if class_id not in class_ids:
                read.add(where, f"'{class_id}' is not a [[class]] id")
        questions[key] = tuple(ids)
    for drug_class in classes:
        if drug_class and not any(i and drug_class.id in i.classes for i in interactions):
            read.add(f"class.{drug_class.id}", "no [[interaction]] names this class")
    if not read.clean or reviewed is None:
        return None
    return InteractionTable(
        reviewed=reviewed,
        scope=scope,
        unknown=unknown,
        products=products,
        levels=levels,
        eligibility_questions=questions,
        classes=tuple(c for c in classes if c),
        interactions=tuple(i for i in interactions if i),
    )


def normalize(name: str) -> str:
    """A name for matching: case-folded, accents removed, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def _check_names(read: Reader, classes: list[DrugClass]) -> None:
    """Every name must have letters or digits to match on."""
    for drug_class in classes:
        names = [*drug_class.members, *drug_class.aliases, drug_class.name]
        for name in names:
            if not normalize(name):
                read.add(f"class.{drug_class.id}", f"{name!r} has no letters to match")
