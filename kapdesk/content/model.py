"""Typed, immutable objects for the knowledge base, and their JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

EVIDENCE_TYPES = (
    "label",
    "regulator",
    "guideline",
    "meta-analysis",
    "rct",
    "observational",
    "practice",
)
STRENGTHS = ("strong", "moderate", "limited", "very-limited", "none", "insufficient")
CONDITIONS = ("depression", "trd", "gad", "panic", "social-anxiety", "ptsd")
SECTIONS = (
    "mechanism",
    "onset",
    "course",
    "adverse_common",
    "serious_risks",
    "contraindications",
    "burden",
    "cost",
    "regulatory",
)
CATEGORIES = ("ketamine", "medication", "psychotherapy", "neuromodulation")
MODALITY_IDS = (
    "ketamine-iv",
    "ketamine-im",
    "ketamine-oral-sl",
    "esketamine",
    "kap",
    "emdr",
    "art",
    "ifs",
    "cbt",
    "exposure",
    "somatic",
    "ssri-snri",
    "benzodiazepines",
    "beta-blockers",
    "ect",
    "rtms",
)
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class Sourced:
    """A sentence of a rule or wording file with its reference ids and evidence type."""

    text: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Statement:
    """One clinical statement with its provenance."""

    text: str
    sources: tuple[str, ...]
    evidence: str
    reviewed: date
    plain_en: str | None = None
    plain_es: str | None = None
    days: tuple[float, float] | None = None
    weeks: tuple[float, float] | None = None
    # The plain text shortened for one cell of the patient comparison grid.
    grid_en: str | None = None
    grid_es: str | None = None
    # The conditions this statement answers for (empty: every condition). The patient
    # grid prefers, for a chosen condition, the statement written for it.
    conditions: tuple[str, ...] = ()
    # True: also the patient's answer in the evidence row for these conditions, which
    # have no rating (what is approved, never a rating).
    unrated: bool = False

    def answers(self, condition: str | None) -> bool:
        """Whether this statement is written for ``condition`` (an untagged one is not)."""
        return condition is not None and condition in self.conditions

    def plain(self, lang: str) -> str | None:
        return self.plain_es if lang == "es" else self.plain_en

    def grid(self, lang: str) -> str | None:
        """The short patient-grid answer in ``lang``, where the content gives one."""
        return self.grid_es if lang == "es" else self.grid_en

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "reviewed": self.reviewed.isoformat(),
        }
        for key in ("plain_en", "plain_es", "grid_en", "grid_es"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        for key in ("days", "weeks", "conditions"):
            if getattr(self, key):
                d[key] = list(getattr(self, key))
        if self.unrated:
            d["unrated"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Statement:
        return cls(
            text=d["text"],
            sources=tuple(d["sources"]),
            evidence=d["evidence"],
            reviewed=date.fromisoformat(d["reviewed"]),
            plain_en=d.get("plain_en"),
            plain_es=d.get("plain_es"),
            days=tuple(d["days"]) if d.get("days") else None,
            weeks=tuple(d["weeks"]) if d.get("weeks") else None,
            grid_en=d.get("grid_en"),
            grid_es=d.get("grid_es"),
            conditions=tuple(d.get("conditions", ())),
            unrated=bool(d.get("unrated", False)),
        )


@dataclass(frozen=True)
class Strength:
    """Evidence strength of a modality for one condition."""

    condition: str
    rating: str
    statement: Statement

    def to_dict(self) -> dict[str, Any]:
        return {"condition": self.condition, "rating": self.rating, **self.statement.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Strength:
        return cls(d["condition"], d["rating"], Statement.from_dict(d))


@dataclass(frozen=True)
class Modality:
    id: str
    name: str
    short_name: str
    name_es: str
    short_name_es: str
    aliases: tuple[str, ...]
    category: str
    summary: Statement
    plain_summary: Statement
    sections: dict[str, tuple[Statement, ...]]
    strengths: dict[str, Strength]
    missing: dict[str, str] = field(default_factory=dict)

    def display_name(self, lang: str = "en") -> str:
        return self.name_es if lang == "es" else self.name

    def display_short_name(self, lang: str = "en") -> str:
        return self.short_name_es if lang == "es" else self.short_name

    def statements(self) -> list[tuple[str, Statement]]:
        """Every statement with the key it stands under, in reading order."""
        out: list[tuple[str, Statement]] = [
            ("summary", self.summary),
            ("plain_summary", self.plain_summary),
        ]
        for section in SECTIONS:
            out.extend((section, s) for s in self.sections.get(section, ()))
        for condition in CONDITIONS:
            if condition in self.strengths:
                out.append((f"strength.{condition}", self.strengths[condition].statement))
        return out

    def source_ids(self) -> list[str]:
        """Every reference id the modality cites, in first-cited order."""
        seen: dict[str, None] = {}
        for _, statement in self.statements():
            for ref in statement.sources:
                seen.setdefault(ref, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "short_name": self.short_name,
            "name_es": self.name_es,
            "short_name_es": self.short_name_es,
            "aliases": list(self.aliases),
            "category": self.category,
            "summary": self.summary.to_dict(),
            "plain_summary": self.plain_summary.to_dict(),
            "sections": {k: [s.to_dict() for s in v] for k, v in self.sections.items()},
            "strengths": {k: v.to_dict() for k, v in self.strengths.items()},
            "missing": dict(self.missing),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Modality:
        return cls(
            id=d["id"],
            name=d["name"],
            short_name=d["short_name"],
            name_es=d["name_es"],
            short_name_es=d["short_name_es"],
            aliases=tuple(d["aliases"]),
            category=d["category"],
            summary=Statement.from_dict(d["summary"]),
            plain_summary=Statement.from_dict(d["plain_summary"]),
            sections={
                k: tuple(Statement.from_dict(s) for s in v) for k, v in d["sections"].items()
            },
            strengths={k: Strength.from_dict(v) for k, v in d["strengths"].items()},
            missing=dict(d.get("missing", {})),
        )


# Words a reviewer's note uses about a reference (issue 11). They belong in the
# reference's `note`, which is kept with the content and never shown to a user.
REVIEWER_NOTE_MARKERS = (
    "[weak]",
    "not read in full",
    "UNVERIFIED",
    "recalled",
    "authors not captured",
    "PMID from an aggregator",
    "not confirmed",
    "from memory",
)


@dataclass(frozen=True)
class Reference:
    """A citation as shown to users; ``note`` is the reviewer's note, never shown."""

    id: str
    citation: str
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    sheet_keys: tuple[str, ...] = ()
    note: str | None = field(default=None, compare=False)

    def full_citation(self) -> str:
        """The citation with its identifiers, each given once."""
        parts = [self.citation]
        if self.pmid and self.pmid not in self.citation:
            parts.append(f"PMID {self.pmid}.")
        if self.doi and self.doi.lower() not in self.citation.lower():
            parts.append(f"doi:{self.doi}.")
        if self.pmcid and self.pmcid not in self.citation:
            parts.append(f"{self.pmcid}.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "citation": self.citation,
            "year": self.year,
            "doi": self.doi,
            "pmid": self.pmid,
            "pmcid": self.pmcid,
            "sheet_keys": list(self.sheet_keys),
        }


@dataclass(frozen=True)
class Labels:
    """Display labels for vocabularies, read from resources/content/labels.toml."""

    raw: dict[str, dict[str, dict[str, str]]]

    def section(self, section: str, audience: str = "clinician", lang: str = "en") -> str:
        entry = self.raw["sections"][section]
        return entry["clinician"] if audience == "clinician" else entry[f"patient_{lang}"]

    def condition(self, condition: str, lang: str = "en") -> str:
        return self.raw["conditions"][condition][lang]

    def strength(self, rating: str, lang: str = "en") -> str:
        return self.raw["strengths"][rating][lang]

    def strength_plain(self, rating: str, lang: str = "en") -> str:
        return self.raw["strengths"][rating][f"plain_{lang}"]

    def evidence(self, evidence: str) -> str:
        return self.raw["evidence"][evidence]["en"]

    def category(self, category: str, lang: str = "en") -> str:
        return self.raw["categories"][category][lang]


@dataclass(frozen=True)
class KBVersion:
    """What identifies a knowledge base: its content hash and its latest review date."""

    content_hash: str
    reviewed: date

    def __str__(self) -> str:
        return f"{self.content_hash[:10]} (reviewed {self.reviewed.isoformat()})"

    @property
    def short(self) -> str:
        return self.content_hash[:10]


@dataclass(frozen=True)
class Release:
    """The publisher's numbering of the content (resources/content/release.toml).

    ``content_version`` orders releases (bundled content and content packs alike);
    from ``expires`` on the app says the content is due for review; ``min_program`` is
    the oldest kapdesk that can read it.
    """

    content_version: int
    expires: date
    min_program: str

    def expired(self, today: date) -> bool:
        """Whether the content is due for review on ``today``."""
        return today >= self.expires
