"""Look drug names up in kapdesk's ketamine interaction table (pure functions).

Names match case- and accent-insensitively, by member, alias, class name or id, and by
prefix ("loraz" would find lorazepam, "methylphen" finds methylphenidate) once the query
has at least ``PREFIX_MIN`` characters. A name the table does not hold is reported as
"not in kapdesk's list", and every answer carries the table's scope sentence: this is a
ketamine-specific list, not a general interaction checker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kapdesk.content.interactions import (
    PRODUCTS,
    DrugClass,
    Interaction,
    InteractionTable,
    normalize,
)
from kapdesk.errors import UserInputError

PREFIX_MIN = 3
QUERY_MAX = 80


def interaction_table() -> InteractionTable:
    """The interaction table of the open knowledge base (the one accessor)."""
    from kapdesk.kb import catalog

    return catalog.interaction_table()


@dataclass(frozen=True)
class Match:
    """One drug name matched to one class and one of that class's interactions."""

    query: str
    drug: str
    drug_class: str
    class_name: str
    level: str
    level_label: str
    effect: str
    recommendation: str
    products: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str
    note: str
    interaction: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``class`` is the class id)."""
        return {
            "query": self.query,
            "drug": self.drug,
            "class": self.drug_class,
            "class_name": self.class_name,
            "level": self.level,
            "level_label": self.level_label,
            "effect": self.effect,
            "recommendation": self.recommendation,
            "products": list(self.products),
            "sources": list(self.sources),
            "evidence": self.evidence,
            "note": self.note,
            "interaction": self.interaction,
        }


@dataclass(frozen=True)
class OtherProduct:
    """A name found in a class whose interactions concern only the other product."""

    query: str
    drug: str
    drug_class: str
    class_name: str
    products: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "query": self.query,
            "drug": self.drug,
            "class": self.drug_class,
            "class_name": self.class_name,
            "products": list(self.products),
        }


@dataclass(frozen=True)
class InteractionCheck:
    """What the table says about the names asked for."""

    product: str | None
    matches: tuple[Match, ...]
    unknown: tuple[str, ...]
    other_product: tuple[OtherProduct, ...]
    scope: str
    unknown_text: str
    classes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the CLI contract."""
        return {
            "product": self.product,
            "matches": [m.to_dict() for m in self.matches],
            "unknown": list(self.unknown),
            "unknown_text": self.unknown_text,
            "other_product": [o.to_dict() for o in self.other_product],
            "scope": self.scope,
        }


def _names(drug_class: DrugClass) -> Iterable[tuple[str, str]]:
    """(name to match, drug it stands for) for one class."""
    for member in drug_class.members:
        yield member, member
    for alias, target in drug_class.aliases.items():
        yield alias, target or drug_class.name
    yield drug_class.name, drug_class.name
    yield drug_class.id.replace("-", " "), drug_class.name


def name_index(table: InteractionTable) -> dict[str, list[tuple[str, str]]]:
    """Normalized name → [(drug, class id)], in table order."""
    index: dict[str, list[tuple[str, str]]] = {}
    for drug_class in table.classes:
        for name, drug in _names(drug_class):
            bucket = index.setdefault(normalize(name), [])
            # One entry per drug and class: "lithium" the member and "Lithium" the class.
            if all((normalize(d), c) != (normalize(drug), drug_class.id) for d, c in bucket):
                bucket.append((drug, drug_class.id))
    return index


def resolve(name: str, table: InteractionTable) -> list[tuple[str, str]]:
    """The (drug, class id) pairs a typed name stands for; [] when it is not in the list."""
    query = normalize(name)
    if not query:
        return []
    index = name_index(table)
    if query in index:
        return list(index[query])
    if len(query) < PREFIX_MIN:
        return []
    found: list[tuple[str, str]] = []
    for key, entries in index.items():
        if key.startswith(query):
            seen = {(normalize(d), c) for d, c in found}
            found += [e for e in entries if (normalize(e[0]), e[1]) not in seen]
    return found


def check_product(product: str | None) -> str | None:
    """``product`` if it is one the table knows; else a UserInputError naming the field."""
    if product is None or product in PRODUCTS:
        return product
    raise UserInputError(
        f"--product: {product!r} is not a product (allowed: {', '.join(PRODUCTS)})"
    )


def check(
    names: Sequence[str], product: str | None = None, table: InteractionTable | None = None
) -> InteractionCheck:
    """Every interaction the table lists for ``names`` (for one product, or both)."""
    table = table or interaction_table()
    product = check_product(product)
    matches: list[Match] = []
    unknown: list[str] = []
    other: list[OtherProduct] = []
    classes: list[str] = []
    for name in names:
        if len(name) > QUERY_MAX:
            raise UserInputError(f"DRUG: {len(name)} characters; at most {QUERY_MAX} are allowed")
        found = resolve(name, table)
        if not found:
            unknown.append(name)
            continue
        for drug, class_id in found:
            drug_class = table.drug_class(class_id)
            classes.append(class_id)
            entries = [i for i in table.interactions if class_id in i.classes]
            chosen = [i for i in entries if product is None or product in i.products]
            if not chosen:
                products = tuple(dict.fromkeys(p for i in entries for p in i.products))
                other.append(OtherProduct(name, drug, class_id, drug_class.name, products))
            matches += [_match(table, name, drug, drug_class, i) for i in chosen]
    return InteractionCheck(
        product=product,
        matches=tuple(matches),
        unknown=tuple(unknown),
        other_product=tuple(other),
        scope=table.scope,
        unknown_text=table.unknown,
        classes=tuple(dict.fromkeys(classes)),
    )


def _match(
    table: InteractionTable, query: str, drug: str, drug_class: DrugClass, item: Interaction
) -> Match:
    return Match(
        query=query,
        drug=drug,
        drug_class=drug_class.id,
        class_name=drug_class.name,
        level=item.level,
        level_label=table.levels[item.level],
        effect=item.effect,
        recommendation=item.recommendation,
        products=item.products,
        sources=item.sources,
        evidence=item.evidence,
        note=item.note or drug_class.note,
        interaction=item.id,
    )


def listing(product: str | None = None, table: InteractionTable | None = None) -> dict[str, Any]:
    """The whole table as JSON (for one product, or both), with the scope sentence."""
    table = table or interaction_table()
    product = check_product(product)
    rows = []
    for drug_class in table.classes:
        entries = [
            i
            for i in table.interactions
            if drug_class.id in i.classes and (product is None or product in i.products)
        ]
        if not entries:
            continue
        rows.append(
            {
                "class": drug_class.id,
                "class_name": drug_class.name,
                "members": list(drug_class.members),
                "aliases": sorted(drug_class.aliases),
                "interactions": [
                    _match(table, "", drug_class.name, drug_class, i).to_dict() for i in entries
                ],
            }
        )
    return {"product": product, "matches": [], "unknown": [], "table": rows, "scope": table.scope}


def classes_for_question(question: str, table: InteractionTable | None = None) -> tuple[str, ...]:
    """The interaction classes an eligibility medication question stands for."""
    table = table or interaction_table()
    return table.eligibility_questions.get(question, ())


def questions_for_classes(
    class_ids: Iterable[str], table: InteractionTable | None = None
) -> list[str]:
    """The eligibility medication questions that the given classes answer "yes"."""
    table = table or interaction_table()
    wanted = set(class_ids)
    return [q for q, ids in table.eligibility_questions.items() if wanted & set(ids)]


def text_report(result: InteractionCheck) -> str:
    """The check as plain text for the terminal, with sources as reference ids."""
    lines = [result.scope, ""]
    if result.product:
        lines.insert(0, f"Product: {result.product}")
    for match in result.matches:
        lines.append(f"{match.query} → {match.drug} ({match.class_name}): {match.level_label}")
        lines.append(f"  Effect: {match.effect}")
        lines.append(f"  Recommendation: {match.recommendation}")
        lines.append(f"  Products: {', '.join(match.products)}")
        if match.note:
            lines.append(f"  Note: {match.note}")
        lines.append(f"  Sources: {', '.join(match.sources)}")
    for other in result.other_product:
        lines.append(
            f"{other.query} → {other.drug} ({other.class_name}): listed only for "
            f"{', '.join(other.products)}"
        )
    for name in result.unknown:
        lines.append(f"{name}: {result.unknown_text}")
    return "\n".join(lines).rstrip()
