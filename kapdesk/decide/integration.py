"""The integration-modality picker: from a patient's presentation to a ranked, explained list.

Pure functions. The picker table (modalities.md §16) is data in
resources/rules/integration.toml; the evidence strength by condition and the clinician
training come from the knowledge base. Every candidate is always returned:

- each present feature gives points to the modalities its row suggests, the
  first-listed the most, so a single feature ranks its row's first modality first;
- the evidence strength for the chosen condition lifts better-evidenced options and
  breaks ties, because every KAP pairing rests on thin combined-treatment evidence;
- a caution lowers a candidate but never hides it; a block ranks it below every
  unblocked candidate and says why (two blocks rank lower than one); a block that stops
  only some rows' suggestion of a modality (``as_suggested_by``) lowers it instead when
  another active row suggests it too;
- a modality the clinic does not offer stays in the list, marked "refer out".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kapdesk.content.integration import (
    BOOLEAN_FEATURES,
    DISSOCIATION_LEVELS,
    PRESENTATION_CONDITIONS,
    Caution,
    IntegrationRules,
    Row,
    Sourced,
    Timing,
)
from kapdesk.content.model import MODALITY_IDS, KBVersion, Labels, Modality
from kapdesk.errors import UserInputError
from kapdesk.jsonin import parse_json, read_source
from kapdesk.kb.catalog import integration_rules

if TYPE_CHECKING:
    from kapdesk.kb.store import KnowledgeBase

PRESENTATION_KEYS = (*BOOLEAN_FEATURES, "dissociation", "condition", "offered")
MAX_INPUT_CHARS = 100_000


# --- presentation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Presentation:
    """What the clinician ticked. ``offered`` None means "use the clinic profile"."""

    features: frozenset[str] = frozenset()
    dissociation: str = "unknown"
    condition: str | None = None
    offered: tuple[str, ...] | None = None

    def value(self, key: str) -> Any:
        if key == "dissociation":
            return self.dissociation
        if key == "condition":
            return self.condition
        return key in self.features

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {f: f in self.features for f in BOOLEAN_FEATURES}
        data["dissociation"] = self.dissociation
        if self.condition is not None:
            data["condition"] = self.condition
        if self.offered is not None:
            data["offered"] = list(self.offered)
        return data


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "number", float: "number", str: "text", list: "list"}.get(
        type(value), "null" if value is None else "object"
    )


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def parse_presentation(raw: Any) -> Presentation:
    """Validate a presentation; a UserInputError names the key, the value and what is allowed."""
    if not isinstance(raw, dict):
        raise UserInputError(
            f"presentation: expected a JSON object {{…}}, got {_kind(raw)} {_shown(raw)}"
        )
    for key in raw:
        if key not in PRESENTATION_KEYS:
            raise UserInputError(
                f"presentation: unknown key {_shown(key)}; allowed keys: "
                + ", ".join(PRESENTATION_KEYS)
            )
    features = set()
    for key in BOOLEAN_FEATURES:
        if key in raw:
            if not isinstance(raw[key], bool):
                raise UserInputError(
                    f"{key}: {_shown(raw[key])} ({_kind(raw[key])}) is not allowed; "
                    "allowed: true or false"
                )
            if raw[key]:
                features.add(key)
    dissociation = raw.get("dissociation", "unknown")
    if dissociation not in DISSOCIATION_LEVELS or not isinstance(dissociation, str):
        raise UserInputError(
            f"dissociation: {_shown(dissociation)} is not allowed; allowed: "
            + ", ".join(DISSOCIATION_LEVELS)
        )
    condition = raw.get("condition")
    if "condition" in raw and (
        not isinstance(condition, str) or condition not in PRESENTATION_CONDITIONS
    ):
        raise UserInputError(
            f"condition: {_shown(condition)} is not allowed; allowed: "
            + ", ".join(PRESENTATION_CONDITIONS)
        )
    return Presentation(frozenset(features), dissociation, condition, _offered(raw))


def _offered(raw: Mapping[str, Any]) -> tuple[str, ...] | None:
    if "offered" not in raw:
        return None
    offered = raw["offered"]
    if not isinstance(offered, list):
        raise UserInputError(
            f"offered: {_shown(offered)} ({_kind(offered)}) is not allowed; allowed: a list of "
            'modality ids such as ["emdr", "cbt"]'
        )
    for index, item in enumerate(offered):
        if not isinstance(item, str) or item not in MODALITY_IDS:
            raise UserInputError(
                f"offered[{index}]: {_shown(item)} is not a modality id; allowed: "
                + ", ".join(MODALITY_IDS)
            )
    return tuple(dict.fromkeys(offered))


def presentation_from_json(text: str) -> Presentation:
    """Parse and validate a presentation given as JSON text (the one input policy)."""
    return parse_presentation(parse_json(text, "presentation"))


def read_presentation(source: str) -> Presentation:
    """Read a presentation from a JSON file, or from standard input when ``source`` is "-"."""
    return presentation_from_json(read_source(source, "PRESENTATION"))


# --- facts from the knowledge base ------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Evidence strength of one candidate for one condition, from the knowledge base."""

    condition: str
    rating: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CandidateFacts:
    """What the picker needs to know about one candidate from the knowledge base."""

    id: str
    name: str
    short_name: str
    evidence: Mapping[str, Evidence]
    missing: Mapping[str, str]
    training: tuple[Sourced, ...]
    training_missing: str | None


def candidate_facts(modality: Modality, rules: IntegrationRules) -> CandidateFacts:
    """The evidence by condition and the clinician training of one modality."""
    evidence = {
        condition: Evidence(condition, s.rating, s.statement.text, s.statement.sources)
        for condition, s in modality.strengths.items()
    }
    training = tuple(
        Sourced(s.text, s.sources, s.evidence)
        for s in modality.sections.get("burden", ())
        if any(term in s.text.lower() for term in rules.training_terms)
    )
    # A modality without a training statement says why (the KB's reason, or a plain note).
    training_missing = None if training else modality.missing.get("burden") or rules.training_none
    return CandidateFacts(
        modality.id,
        modality.name,
        modality.short_name,
        evidence,
        dict(modality.missing),
        training,
        training_missing,
    )


@dataclass(frozen=True, repr=False)
class PickerContext:
    """Everything the ranking reads, gathered once from the knowledge base and the rules."""

    rules: IntegrationRules
    facts: Mapping[str, CandidateFacts]
    labels: Labels
    kb_version: KBVersion

    def __repr__(self) -> str:
        return f"PickerContext(rules {self.rules.version}, knowledge base {self.kb_version})"


def load_context(kb: KnowledgeBase, rules: IntegrationRules | None = None) -> PickerContext:
    """Read the candidates' facts once, so that every re-ranking is pure and instant."""
    rules = rules or integration_rules()
    facts = {mid: candidate_facts(kb.modality(mid), rules) for mid in rules.candidates}
    return PickerContext(rules, facts, kb.labels, kb.version)


# --- the result -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """A line on a card, naming the presentation feature (row) it answers."""

    feature: str
    label: str
    text: str
    sources: tuple[str, ...]

    @property
    def line(self) -> str:
        return f"{self.label}: {self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "label": self.label,
            "text": self.text,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Ranked:
    """One candidate's place in the ranking, and everything its card shows."""

    modality: str
    name: str
    short_name: str
    rank: int
    score: float
    fit: tuple[Reason, ...]
    cautions: tuple[Reason, ...]
    blocks: tuple[Reason, ...]
    evidence: str | None
    evidence_label: str
    evidence_text: str
    evidence_note: str | None
    evidence_sources: tuple[str, ...]
    weak_evidence: bool
    available: bool
    availability: str
    training: tuple[Sourced, ...]
    training_missing: str | None

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def blocked_reason(self) -> str | None:
        return " ".join(b.line for b in self.blocks) or None

    def source_ids(self) -> list[str]:
        """Every reference the card cites, in first-cited order."""
        groups: list[Iterable[str]] = [r.sources for r in (*self.fit, *self.cautions, *self.blocks)]
        groups.append(self.evidence_sources)
        groups.extend(t.sources for t in self.training)
        return list(dict.fromkeys(s for group in groups for s in group))

    def to_dict(self) -> dict[str, Any]:
        return {
            "modality": self.modality,
            "name": self.name,
            "rank": self.rank,
            "score": self.score,
            "fit": [r.line for r in self.fit],
            "cautions": [r.line for r in self.cautions],
            "blocked": self.blocked,
            "blocked_reason": self.blocked_reason,
            "evidence": self.evidence,
            "evidence_label": self.evidence_label,
            "evidence_text": self.evidence_text,
            "evidence_note": self.evidence_note,
            "weak_evidence": self.weak_evidence,
            "available": self.available,
            "availability": self.availability,
            "training": [t.text for t in self.training] or [self.training_missing],
            "reasons": [r.to_dict() for r in self.fit],
            "caution_details": [r.to_dict() for r in self.cautions],
            "block_details": [r.to_dict() for r in self.blocks],
            "sources": self.source_ids(),
        }


@dataclass(frozen=True)
class PickResult:
    """The ranked candidates with the safety alerts, notes and timing that go with them."""

    presentation: Presentation
    ranked: tuple[Ranked, ...]
    alerts: tuple[Reason, ...]
    notes: tuple[Reason, ...]
    general: tuple[Sourced, ...]
    timing: tuple[Timing, ...]
    offered_from: str
    condition_label: str | None
    dissociation_label: str
    kb_version: KBVersion
    rules_version: str
    feature_labels: Mapping[str, str] = field(default_factory=dict)

    def by_id(self, modality: str) -> Ranked:
        return next(r for r in self.ranked if r.modality == modality)

    def source_ids(self) -> list[str]:
        """Every reference the result cites, in first-cited order."""
        groups: list[Iterable[str]] = [r.sources for r in (*self.alerts, *self.notes)]
        groups.extend(r.source_ids() for r in self.ranked)
        groups.extend(g.sources for g in self.general)
        groups.extend(t.statement.sources for t in self.timing)
        return list(dict.fromkeys(s for group in groups for s in group))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranked": [r.to_dict() for r in self.ranked],
            "kb_version": self.kb_version.short,
            "kb_reviewed": self.kb_version.reviewed.isoformat(),
            "rules_version": self.rules_version,
            "presentation": self.presentation.to_dict(),
            "offered_from": self.offered_from,
            "alerts": [a.to_dict() for a in self.alerts],
            "notes": [n.to_dict() for n in self.notes],
            "general": [
                {"text": g.text, "sources": list(g.sources), "evidence": g.evidence}
                for g in self.general
            ],
            "timing": [
                {
                    "id": t.id,
                    "text": t.statement.text,
                    "sources": list(t.statement.sources),
                    "evidence": t.statement.evidence,
                    "hypothesis": t.hypothesis,
                    "evidence_strength": t.evidence_strength,
                }
                for t in self.timing
            ],
        }


# --- ranking ------------------------------------------------------------------------------


def _holds(when: Mapping[str, Any], presentation: Presentation) -> bool:
    for key, wanted in when.items():
        value = presentation.value(key)
        if isinstance(wanted, tuple | list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def active_rows(rules: IntegrationRules, presentation: Presentation) -> list[Row]:
    """The table rows the presentation switches on, in the table's order."""
    return [row for row in rules.rows if _holds(row.when, presentation)]


def _reason(row: Row, statement: Sourced) -> Reason:
    return Reason(row.id, row.label, statement.text, statement.sources)


def _caution_reason(row: Row, caution: Caution) -> Reason:
    """A caution or block line, labelled by what it warns about (its own label, or the row's)."""
    return Reason(
        caution.id or row.id,
        caution.label or row.label,
        caution.statement.text,
        caution.statement.sources,
    )


def _add_once(reasons: list[Reason], reason: Reason) -> bool:
    """Append ``reason`` unless the card already shows the same line; True if appended."""
    if reason in reasons:
        return False
    reasons.append(reason)
    return True


def _offered_set(
    presentation: Presentation, profile_offered: Sequence[str]
) -> tuple[frozenset[str] | None, str]:
    if presentation.offered is not None:
        return frozenset(presentation.offered), "presentation"
    if profile_offered:
        return frozenset(profile_offered), "clinic profile"
    return None, "all (no offered list set)"


def _evidence(
    facts: CandidateFacts, condition: str | None, context: PickerContext
) -> tuple[str | None, str, str, str | None, tuple[str, ...], bool]:
    """(rating, label, text, plain-words note, sources, weak) for the chosen condition."""
    rules, labels = context.rules, context.labels
    if condition is None:
        return None, "No condition chosen", rules.text["no_condition"], None, (), False
    if condition == "other":
        return None, "No rating", rules.text["other_condition"], None, (), True
    condition_label = labels.condition(condition)
    found = facts.evidence.get(condition)
    if found is None:
        text = facts.missing.get(f"strength.{condition}", rules.text["no_rating"])
        note = rules.text["weak"].format(
            condition=condition_label, plain=labels.strength_plain("insufficient")
        )
        return None, "No rating", text, note, (), True
    weak = found.rating in rules.weak_ratings
    note = (
        rules.text["weak"].format(
            condition=condition_label, plain=labels.strength_plain(found.rating)
        )
        if weak
        else None
    )
    return found.rating, labels.strength(found.rating), found.text, note, found.sources, weak


def rank(
    presentation: Presentation, context: PickerContext, profile_offered: Sequence[str] = ()
) -> PickResult:
    """Rank every candidate for ``presentation``; see the module docstring for the rules."""
    rules = context.rules
    rows = active_rows(rules, presentation)
    fit: dict[str, list[Reason]] = {m: [] for m in rules.candidates}
    cautions: dict[str, list[Reason]] = {m: [] for m in rules.candidates}
    blocks: dict[str, list[Reason]] = {m: [] for m in rules.candidates}
    points = dict.fromkeys(rules.candidates, 0.0)
    suggested_by: dict[str, set[str]] = {m: set() for m in rules.candidates}
    for row in rows:
        for suggestion in row.suggest:
            suggested_by[suggestion.modality].add(row.id)
    for row in rows:
        for index, suggestion in enumerate(row.suggest):
            points[suggestion.modality] += rules.points_for_position(index)
            fit[suggestion.modality].append(_reason(row, suggestion.reason))
        for caution in row.cautions:
            if _holds(caution.when, presentation):
                for modality in caution.modalities:
                    if _add_once(cautions[modality], _caution_reason(row, caution)):
                        points[modality] -= caution.lower
        for block in row.blocks:
            if _holds(block.when, presentation):
                for modality in block.modalities:
                    reason = _caution_reason(row, block)
                    if block.as_suggested_by and suggested_by[modality] - set(
                        block.as_suggested_by
                    ):
                        # Suggested for other work too: that stays open, so only lower it.
                        if _add_once(cautions[modality], reason):
                            points[modality] -= rules.caution_lower
                        continue
                    # The same block reached through two of its conditions counts once.
                    _add_once(blocks[modality], reason)
    offered, offered_from = _offered_set(presentation, profile_offered)
    entries = []
    for order, modality in enumerate(rules.candidates):
        facts = context.facts[modality]
        rating, label, text, note, sources, weak = _evidence(facts, presentation.condition, context)
        lift = rules.evidence_points[rating] if rating else 0.0
        score = round(points[modality] + lift, 2)
        available = offered is None or modality in offered
        # Blocked below unblocked, and a further block never lifts a candidate.
        key = (len(blocks[modality]), -score, -lift, order)
        entries.append(
            (
                key,
                dict(
                    modality=modality,
                    name=facts.name,
                    short_name=facts.short_name,
                    score=score,
                    fit=tuple(fit[modality]),
                    cautions=tuple(cautions[modality]),
                    blocks=tuple(blocks[modality]),
                    evidence=rating,
                    evidence_label=label,
                    evidence_text=text,
                    evidence_note=note,
                    evidence_sources=sources,
                    weak_evidence=weak,
                    available=available,
                    availability=rules.text["offered" if available else "refer_out"],
                    training=facts.training,
                    training_missing=facts.training_missing,
                ),
            )
        )
    entries.sort(key=lambda entry: entry[0])
    ranked = tuple(Ranked(rank=i, **data) for i, (_, data) in enumerate(entries, 1))
    condition = presentation.condition
    return PickResult(
        presentation=presentation,
        ranked=ranked,
        alerts=tuple(_reason(row, a) for row in rows for a in row.alerts),
        notes=tuple(_reason(row, n) for row in rows for n in row.notes),
        general=rules.general,
        timing=rules.timing,
        offered_from=offered_from,
        condition_label=(
            rules.text["other_label"]
            if condition == "other"
            else context.labels.condition(condition)
            if condition
            else None
        ),
        dissociation_label=rules.dissociation_labels[presentation.dissociation],
        kb_version=context.kb_version,
        rules_version=f"{rules.version} (reviewed {rules.reviewed.isoformat()})",
        feature_labels={k: f.label for k, f in rules.features.items()},
    )


def pick(
    kb: KnowledgeBase,
    presentation: Presentation,
    profile_offered: Sequence[str] = (),
    rules: IntegrationRules | None = None,
) -> PickResult:
    """Rank the candidates for ``presentation`` against the knowledge base ``kb``."""
    return rank(presentation, load_context(kb, rules), profile_offered)


def text_report(result: PickResult) -> str:
    """The result as plain text for the terminal, safety alerts first."""
    lines = [f"Integration picker · knowledge base {result.kb_version}"]
    lines += [f"!! {alert.text}" for alert in result.alerts]
    condition = result.condition_label or "not chosen"
    lines.append(f"Condition: {condition} · offered list: {result.offered_from}")
    for r in result.ranked:
        state = "BLOCKED" if r.blocked else r.availability
        if r.blocked and not r.available:
            state += f"; {r.availability}"
        lines.append("")
        lines.append(f"{r.rank}. {r.short_name}  (score {r.score:g}) · {state}")
        lines.append(
            f"   Evidence: {r.evidence_label}"
            + (f" · {r.evidence_note}" if r.evidence_note else "")
        )
        lines += [f"   x {b.line}" for b in r.blocks]
        lines += [f"   + {f.line}" for f in r.fit]
        lines += [f"   ! {c.line}" for c in r.cautions]
        training = [t.text for t in r.training] or [r.training_missing or ""]
        lines += [f"   Training: {t}" for t in training]
    lines.append("")
    lines.append("Notes")
    lines += [f" - {g.text}" for g in result.general]
    lines += [f" - {n.line}" for n in result.notes]
    lines.append("Timing of integration sessions")
    for t in result.timing:
        prefix = f"Hypothesis (evidence {t.evidence_strength}): " if t.hypothesis else ""
        lines.append(f" - {prefix}{t.statement.text}")
    return "\n".join(lines)
