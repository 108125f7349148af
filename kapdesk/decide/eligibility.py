"""The eligibility checklist for ketamine and esketamine: answers in, a tiered result out.

Everything here is a pure function of the answers and an :class:`EligibilityContext`
(the validated rules plus the few knowledge-base objects they refer to), so the GUI
can re-evaluate on every keystroke without touching the database, and the CLI, the
GUI and the printout always agree. Answers are checked strictly -- an unknown key, a
wrong type or an out-of-range value is an error that names the key, the value and what
is allowed -- because a typo that silently drops a risk factor would be worse than no
checklist. Patient answers are never written anywhere by this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from difflib import get_close_matches
from typing import Any

from kapdesk.content.eligibility import (
    TIERS,
    EligibilityRules,
    Question,
    fill,
)
from kapdesk.content.model import KBVersion, Labels, Modality, Reference
from kapdesk.errors import DataError, UserInputError
from kapdesk.jsonin import parse_json, read_source
from kapdesk.kb.catalog import eligibility_rules
from kapdesk.kb.store import KnowledgeBase

UNANSWERED = "–"
PLAIN_KEY = re.compile(r"[A-Za-z0-9_.-]{1,60}")
SHOWN_VALUE_MAX = 60


class AnswerError(UserInputError):
    """A bad answer; ``key`` is the answer it concerns, so a form can mark that field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.detail = message


@dataclass(frozen=True)
class EligibilityContext:
    """Everything an evaluation needs, loaded once on the knowledge-base thread."""

    rules: EligibilityRules
    modalities: Mapping[str, Modality]
    labels: Labels
    references: Mapping[str, Reference]
    kb_version: KBVersion

    def cited(self, ref_ids: list[str]) -> list[Reference]:
        return [self.references[ref] for ref in ref_ids]


@dataclass(frozen=True)
class Finding:
    """One criterion that applies: its tier, a message to act on, and its sources."""

    criterion: str
    tier: str
    message: str
    sources: tuple[str, ...]
    keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "tier": self.tier,
            "message": self.message,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Note:
    """Information that changes no tier (off-label status, REMS, evidence, reference dose)."""

    id: str
    text: str
    sources: tuple[str, ...]
    rating: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text, "sources": list(self.sources)}
        if self.rating:
            out["rating"] = self.rating
        return out


@dataclass(frozen=True)
class EligibilityResult:
    """The outcome of one screening; held in memory only."""

    tier: str
    tier_label: str
    tier_summary: str
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    notes: tuple[Note, ...]
    answers: Mapping[str, Any]
    kb_version: str
    rules_version: str
    dose_mg: float | None = None

    def source_ids(self) -> list[str]:
        """Every reference cited by a finding or a note, in first-cited order."""
        items = [*self.findings, *self.notes]
        return list(dict.fromkeys(ref for item in items for ref in item.sources))

    def to_dict(self) -> dict[str, Any]:
        """The ``check`` JSON shape of DESIGN.md, plus labels, notes and the answers."""
        return {
            "tier": self.tier,
            "tier_label": self.tier_label,
            "findings": [f.to_dict() for f in self.findings],
            "missing": list(self.missing),
            "notes": [n.to_dict() for n in self.notes],
            "answers": dict(self.answers),
            "reference_dose_mg": self.dose_mg,
            "kb_version": self.kb_version,
            "rules_version": self.rules_version,
        }


# --- context ------------------------------------------------------------------------------


def load_context(kb: KnowledgeBase, rules: EligibilityRules | None = None) -> EligibilityContext:
    """Read the rules and the knowledge-base objects they name (run on the KB thread)."""
    rules = rules or eligibility_rules()
    modalities = {mid: kb.modality(mid) for mid in rules.modality_ids()}
    ref_ids = list(rules.source_ids())
    for modality in modalities.values():
        for strength in modality.strengths.values():
            ref_ids.extend(strength.statement.sources)
    references: dict[str, Reference] = {}
    for ref in dict.fromkeys(ref_ids):
        try:
            references[ref] = kb.reference(ref)
        except KeyError:
            raise DataError(f"the knowledge base lacks reference '{ref}'; rebuild it") from None
    return EligibilityContext(rules, modalities, kb.labels, references, kb.version)


# --- reading answers ----------------------------------------------------------------------


def shown(value: Any) -> str:
    """A value as the user wrote it (JSON spelling), shortened for a one-line message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE_MAX else text[: SHOWN_VALUE_MAX - 1] + "…"


def answers_from_json(text: str, name: str = "answers") -> Any:
    """Parse JSON text under the one input policy (see :mod:`kapdesk.jsonin`)."""
    return parse_json(text, name)


def _value_problem(question: Question, value: Any) -> str | None:
    """Why ``value`` is not a valid answer to ``question`` (None if it is)."""
    if question.type == "boolean":
        return None if isinstance(value, bool) else "is not allowed"
    if question.type == "choice":
        valid = isinstance(value, str) and any(c.value == value for c in question.choices)
        return None if valid else "is not allowed"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "is not a number"
    if question.type == "integer" and not isinstance(value, int):
        return "is not a whole number"
    if not question.minimum <= value <= question.maximum:
        return "is out of range"
    return None


def check_value(question: Question, value: Any) -> Any:
    """``value`` if it answers ``question``; otherwise an AnswerError saying what is allowed."""
    problem = _value_problem(question, value)
    if problem:
        raise AnswerError(question.key, f"{shown(value)} {problem}; allowed: {question.allowed()}")
    return value


def parse_text(question: Question, text: str) -> int | float | None:
    """A number typed into a form field; empty text means not answered."""
    text = text.strip()
    if not text:
        return None
    try:
        value: int | float = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise AnswerError(
                question.key, f'"{text}" is not a number; allowed: {question.allowed()}'
            ) from None
    if isinstance(value, float) and value.is_integer() and question.type == "integer":
        value = int(value)
    if isinstance(value, float) and value != value:  # NaN never compares in range
        raise AnswerError(question.key, f'"{text}" is not a number; allowed: {question.allowed()}')
    return check_value(question, value)


def _unknown_key(key: str, value: Any, rules: EligibilityRules) -> AnswerError:
    close = get_close_matches(key, list(rules.questions), n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return AnswerError(
        key if PLAIN_KEY.fullmatch(key) else shown(key),
        f"unknown answer key (value {shown(value)}); {hint}"
        f"allowed keys: {', '.join(rules.questions)}",
    )


def validate_answers(raw: Any, rules: EligibilityRules) -> dict[str, Any]:
    """A checked copy of ``raw`` with defaults filled in; ``null`` means not asked.

    Raises AnswerError (a UserInputError) for the first bad answer, naming the key, the
    value and what is allowed.
    """
    if not isinstance(raw, dict):
        raise UserInputError(
            f"answers: {shown(raw)} is not allowed; the answers must be a JSON object "
            'of answer keys, such as {"age_years": 45}'
        )
    for key, value in raw.items():
        if key not in rules.questions:
            raise _unknown_key(key, value, rules)
    answers: dict[str, Any] = {}
    for key, question in rules.questions.items():
        value = raw.get(key)
        if value is None:
            value = question.default
        answers[key] = None if value is None else check_value(question, value)
    for key, question in rules.questions.items():
        condition = question.applies_when
        if answers[key] is not None and condition is not None and not condition.holds(answers):
            raise AnswerError(
                key, f"{shown(answers[key])} is not allowed here; {question.not_applicable}"
            )
    for rule in rules.below:
        low, high = answers[rule.lower], answers[rule.upper]
        if low is not None and high is not None and low >= high:
            raise AnswerError(
                rule.lower,
                f"{shown(low)} is not below {rule.upper} {shown(high)}; {rule.message}",
            )
    return answers


# --- evaluating ---------------------------------------------------------------------------


def _decimal_text(value: Decimal | float | int) -> str:
    """A number without a needless trailing .0, rounded to 0.1 (half up)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".removesuffix(".0")


def answer_text(question: Question, value: Any) -> str:
    """An answer in words, as the checklist and the printout show it."""
    if value is None:
        return "Not asked"
    if question.type == "boolean":
        return "Yes" if value else "No"
    if question.type == "choice":
        return question.choice_label(value)
    number = _value_text(value)
    if not question.unit:
        return number
    text = f"{number}{'' if question.unit.startswith('/') else ' '}{question.unit}"
    if question.unit == "kg" and isinstance(value, int | float):
        text += f" ({_decimal_text(round(kg_to_lb(value), 1))} lb)"
    return text


# The international avoirdupois pound (exact, by definition).
KG_PER_LB = 0.45359237


def lb_to_kg(pounds: float) -> float:
    """Pounds to kilograms, rounded to 0.1 kg."""
    return round(pounds * KG_PER_LB, 1)


def kg_to_lb(kilograms: float) -> float:
    """Kilograms to pounds."""
    return kilograms / KG_PER_LB


def parse_weight_text(question: Question, text: str, unit: str) -> int | float | None:
    """A weight typed in ``unit`` ("kg" or "lb"), as the kilograms the rules expect."""
    if unit != "lb" or not text.strip():
        return parse_text(question, text)
    try:
        pounds = float(text.strip())
    except ValueError:
        raise AnswerError(
            question.key, f'"{text.strip()}" is not a number; allowed: a number of pounds'
        ) from None
    if pounds != pounds:
        raise AnswerError(question.key, f'"{text.strip()}" is not a number')
    kilograms = lb_to_kg(pounds)
    try:
        return check_value(question, kilograms)
    except AnswerError as exc:
        low, high = (round(kg_to_lb(v)) for v in (question.minimum, question.maximum))
        raise AnswerError(
            question.key, f"{_decimal_text(pounds)} lb is outside {low}–{high} lb"
        ) from exc


def plain_summary(result: EligibilityResult, context: EligibilityContext, when: str) -> str:
    """The result as plain text for a note in the health record: tier, findings with
    their numbered sources, what is still missing, the references and the date."""
    rules = context.rules
    refs = context.cited(result.source_ids())
    number = {ref.id: index for index, ref in enumerate(refs, 1)}

    def cite(sources: tuple[str, ...]) -> str:
        return f" [{', '.join(str(number[s]) for s in sources)}]" if sources else ""

    lines = [
        f"Ketamine/esketamine eligibility screening ({when}): {result.tier_label}",
        result.tier_summary,
    ]
    if result.findings:
        lines.append("Findings:")
        lines += [
            f"- {rules.tiers[f.tier].label}: {f.message}{cite(f.sources)}" for f in result.findings
        ]
    if result.missing:
        lines.append("Not answered yet (required):")
        lines += [f"- {rules.questions[key].label}" for key in result.missing]
    if result.notes:
        lines.append("Notes:")
        lines += [f"- {n.text}{cite(n.sources)}" for n in result.notes]
    if refs:
        lines.append("Sources:")
        lines += [f"{number[r.id]}. {r.full_citation()}" for r in refs]
    version = context.kb_version
    lines.append(
        f"kapdesk knowledge base {version.short}; eligibility rules {rules.version}. "
        "Decision aid, not a substitute for clinical judgement."
    )
    return "\n".join(lines)


def _value_text(value: Any) -> str:
    if value is None:
        return UNANSWERED
    return _decimal_text(value) if isinstance(value, float) else str(value)


def _placeholder_values(answers: Mapping[str, Any]) -> dict[str, str]:
    return {key: _value_text(value) for key, value in answers.items()}


def _findings(answers: Mapping[str, Any], rules: EligibilityRules) -> list[Finding]:
    values = _placeholder_values(answers)
    found = [
        Finding(c.id, c.tier, fill(c.message, values), c.sources, c.when.answer_keys())
        for c in rules.criteria
        if c.when.holds(answers)
    ]
    return sorted(found, key=lambda f: TIERS.index(f.tier))


def _evidence_note(answers: Mapping[str, Any], context: EligibilityContext) -> Note | None:
    """Evidence strength for the chosen condition, from the knowledge base."""
    rules, mapping = context.rules, context.rules.evidence
    condition = answers.get("condition")
    if condition is None:
        return None
    condition_label = rules.questions["condition"].choice_label(condition)
    if answers.get("product") == "esketamine":
        modality_id = mapping.esketamine
    else:
        route = answers.get("route")
        if route is None:
            return Note(mapping.id, "Evidence strength: choose the route to see it.", ())
        if route in mapping.no_rating:
            entry = mapping.no_rating[route]
            return Note(mapping.id, f"Evidence strength: {entry.text}", entry.sources)
        modality_id = mapping.routes[route]
    if condition not in mapping.conditions:
        entry = mapping.no_rating[condition]
        return Note(mapping.id, f"Evidence strength: {entry.text}", entry.sources)
    modality = context.modalities[modality_id]
    kb_condition = mapping.conditions[condition]
    head = f"Evidence strength ({modality.short_name}, {condition_label})"
    strength = modality.strengths.get(kb_condition)
    if strength is None:
        reason = modality.missing.get(f"strength.{kb_condition}", "")
        return Note(mapping.id, f"{head}: no rating. {reason}".strip(), ())
    rating = context.labels.strength(strength.rating)
    body = strength.statement.text
    text = f"{head}: {body}" if body.startswith(f"{rating}.") else f"{head}: {rating}. {body}"
    return Note(mapping.id, text, strength.statement.sources, strength.rating)


def _regimen_note(answers: Mapping[str, Any], rules: EligibilityRules) -> tuple[Note, float] | None:
    """The IV research regimen worked out in mg for the weight: a reference, not an order."""
    regimen = rules.regimen
    weight = answers.get("weight_kg")
    if answers.get("product") != "racemic" or answers.get("route") != regimen.route:
        return None
    if weight is None:
        return None
    dose = Decimal(str(weight)) * Decimal(str(regimen.mg_per_kg))
    text = fill(
        regimen.text,
        {
            "mg_per_kg": _decimal_text(regimen.mg_per_kg),
            "minutes": str(regimen.minutes),
            "weight_kg": _decimal_text(weight),
            "dose_mg": _decimal_text(dose),
        },
    )
    return Note(regimen.id, text, regimen.sources), float(_decimal_text(dose))


def _notes(
    answers: Mapping[str, Any], context: EligibilityContext
) -> tuple[list[Note], float | None]:
    values = _placeholder_values(answers)
    notes = [
        Note(n.id, fill(n.text, values), n.sources)
        for n in context.rules.notes
        if n.when.holds(answers)
    ]
    evidence = _evidence_note(answers, context)
    if evidence:
        notes.append(evidence)
    regimen = _regimen_note(answers, context.rules)
    if regimen:
        notes.append(regimen[0])
    return notes, regimen[1] if regimen else None


def decide_tier(findings: list[Finding] | tuple[Finding, ...], missing: tuple[str, ...]) -> str:
    """Most severe wins; unanswered required items count as ``incomplete``."""
    tiers = [f.tier for f in findings] + (["incomplete"] if missing else [])
    return min(tiers, key=TIERS.index, default="eligible")


def evaluate(raw_answers: Any, context: EligibilityContext) -> EligibilityResult:
    """Check ``raw_answers`` strictly and screen them against the rules."""
    rules = context.rules
    answers = validate_answers(raw_answers, rules)
    findings = tuple(_findings(answers, rules))
    missing = tuple(key for key in rules.required if answers[key] is None)
    notes, dose = _notes(answers, context)
    tier = decide_tier(findings, missing)
    return EligibilityResult(
        tier=tier,
        tier_label=rules.tiers[tier].label,
        tier_summary=rules.tiers[tier].summary,
        findings=findings,
        missing=missing,
        notes=tuple(notes),
        answers=answers,
        kb_version=context.kb_version.short,
        rules_version=rules.version,
        dose_mg=dose,
    )


def answer_rows(
    result: EligibilityResult, rules: EligibilityRules
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(group label, [(question label, answer in words)]) in checklist order."""
    for group, group_label in rules.groups.items():
        rows = [
            (q.label, answer_text(q, result.answers.get(q.key)))
            for q in rules.questions.values()
            if q.group == group
        ]
        if rows:
            yield group_label, rows


def read_input(source: str, name: str) -> str:
    """The text of file ``source``, or of standard input when ``source`` is ``-``."""
    return read_source(source, name)


def text_report(result: EligibilityResult, context: EligibilityContext) -> str:
    """The result as plain text for the terminal, with sources as reference ids."""
    rules = context.rules
    lines = [f"Eligibility: {result.tier_label}", f"  {result.tier_summary}"]
    if result.findings:
        lines.append("\nFindings")
        for finding in result.findings:
            lines.append(f"  [{rules.tiers[finding.tier].label}] {finding.criterion}")
            lines.append(f"    {finding.message}")
            lines.append(f"    Sources: {', '.join(finding.sources)}")
    if result.missing:
        lines.append("\nNot answered yet (required)")
        lines += [f"  - {key}: {rules.questions[key].label}" for key in result.missing]
    if result.notes:
        lines.append("\nNotes")
        for note in result.notes:
            lines.append(f"  - {note.text}")
            if note.sources:
                lines.append(f"    Sources: {', '.join(note.sources)}")
    version = context.kb_version
    lines.append(
        f"\nKnowledge base {version.short} (reviewed {version.reviewed.isoformat()}); "
        f"eligibility rules {rules.version} (reviewed {rules.reviewed.isoformat()})"
    )
    return "\n".join(lines)
