"""Read and validate the eligibility rules in resources/rules/eligibility.toml.

The rules are data a clinician can review: questions, criteria, notes, thresholds and
their sources. Conditions are small tables (``{answer = KEY, above = 140}``, ``{all =
[...]}``), never expressions, so nothing in the file can run code. Every problem is
reported as ``file: key: what is wrong`` and all problems are collected before anything
is raised, like the content loader.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from kapdesk.content.model import CONDITIONS, MODALITY_IDS
from kapdesk.content.problems import ID_PATTERN, PLACEHOLDER, Problems, Reader, read_toml

RULES_FILE = "rules/eligibility.toml"
# Most severe first: the precedence. `incomplete` and `eligible` come from the
# evaluator (missing answers, no finding), never from a criterion.
TIERS = (
    "contraindicated",
    "specialist_review",
    "defer",
    "incomplete",
    "eligible_with_cautions",
    "eligible",
)
CRITERION_TIERS = ("contraindicated", "specialist_review", "defer", "eligible_with_cautions")
QUESTION_TYPES = ("boolean", "integer", "number", "choice")
NUMERIC_TYPES = ("integer", "number")
COMPARISONS = ("above", "below", "at_least", "at_most")
OPERATORS = ("is", "in", "answered", *COMPARISONS)
COMBINATORS = ("all", "any", "none")
REGIMEN_PLACEHOLDERS = frozenset({"mg_per_kg", "minutes", "weight_kg", "dose_mg"})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

TOP_KEYS = {
    "reviewed",
    "required",
    "below",
    "tiers",
    "groups",
    "question",
    "criterion",
    "note",
    "evidence",
    "reference_regimen",
}
QUESTION_KEYS = {
    "key",
    "group",
    "type",
    "label",
    "unit",
    "min",
    "max",
    "choices",
    "default",
    "applies_when",
    "not_applicable",
}
CRITERION_KEYS = {"id", "tier", "message", "sources", "evidence", "when"}
NOTE_KEYS = {"id", "text", "sources", "evidence", "when"}
REGIMEN_KEYS = {"id", "route", "mg_per_kg", "minutes", "text", "sources", "evidence"}


# --- conditions ---------------------------------------------------------------------------


class AnswerTest(msgspec.Struct, frozen=True, tag=True):
    """One test of one answer; an unanswered key fails every test but ``answered = false``."""

    key: str
    op: str
    value: Any

    def holds(self, answers: Mapping[str, Any]) -> bool:
        given = answers.get(self.key)
        if self.op == "answered":
            return (given is not None) == self.value
        if given is None:
            return False
        if self.op == "is":
            return given == self.value and isinstance(given, bool) == isinstance(self.value, bool)
        if self.op == "in":
            return given in self.value
        if self.op == "above":
            return given > self.value
        if self.op == "below":
            return given < self.value
        if self.op == "at_least":
            return given >= self.value
        return given <= self.value

    def answer_keys(self) -> tuple[str, ...]:
        return (self.key,)


class Combination(msgspec.Struct, frozen=True, tag=True):
    """``all``, ``any`` or ``none`` of its parts."""

    kind: str
    parts: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        results = (part.holds(answers) for part in self.parts)
        if self.kind == "all":
            return all(results)
        if self.kind == "any":
            return any(results)
        return not any(results)

    def answer_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(key for part in self.parts for key in part.answer_keys()))


Condition = AnswerTest | Combination


# --- the rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One answer key: its type, range or choices, and how the checklist shows it."""

    key: str
    group: str
    type: str
    label: str
    unit: str = ""
    minimum: int | float | None = None
    maximum: int | float | None = None
    choices: tuple[Choice, ...] = ()
    default: str | None = None
    applies_when: Condition | None = None
    not_applicable: str = ""

    def allowed(self) -> str:
        """What this key accepts, in words, for error messages."""
        if self.type == "boolean":
            return "true or false"
        if self.type == "choice":
            return "one of " + ", ".join(f'"{c.value}"' for c in self.choices)
        kind = "a whole number" if self.type == "integer" else "a number"
        unit = f" {self.unit}" if self.unit and not self.unit.startswith("/") else self.unit
        return f"{kind} from {_number(self.minimum)} to {_number(self.maximum)}{unit}"

    def choice_label(self, value: str) -> str:
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class Criterion:
    """A rule that, when its condition holds, gives a finding of its tier."""

    id: str
    tier: str
    message: str
    sources: tuple[str, ...]
    evidence: str
    when: Condition


@dataclass(frozen=True)
class NoteRule:
    """Text that changes no tier, shown when its condition holds."""

    id: str
    text: str
    sources: tuple[str, ...]
    evidence: str
    when: Condition


@dataclass(frozen=True)
class NoRating:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceMap:
    """Where the knowledge base keeps the evidence strength for a product, route and condition."""

    id: str
    esketamine: str
    routes: Mapping[str, str]
    conditions: Mapping[str, str]
    no_rating: Mapping[str, NoRating]


@dataclass(frozen=True)
class Regimen:
    """The research reference regimen, worked out per kilogram (a reference, not an order)."""

    id: str
    route: str
    mg_per_kg: float
    minutes: int
    text: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class BelowRule:
    lower: str
    upper: str
    message: str


@dataclass(frozen=True)
class TierText:
    label: str
    summary: str


@dataclass(frozen=True)
class EligibilityRules:
    """Validated eligibility rules."""

    questions: Mapping[str, Question]
    groups: Mapping[str, str]
    tiers: Mapping[str, TierText]
    required: tuple[str, ...]
    below: tuple[BelowRule, ...]
    criteria: tuple[Criterion, ...]
    notes: tuple[NoteRule, ...]
    evidence: EvidenceMap
    regimen: Regimen
    reviewed: date
    content_hash: str

    @property
    def version(self) -> str:
        return self.content_hash[:10]

    def source_ids(self) -> list[str]:
        """Every reference id the rules cite, in first-cited order."""
        lists = [c.sources for c in self.criteria] + [n.sources for n in self.notes]
        lists += [r.sources for r in self.evidence.no_rating.values()]
        lists.append(self.regimen.sources)
        return list(dict.fromkeys(ref for sources in lists for ref in sources))

    def modality_ids(self) -> list[str]:
        return list(dict.fromkeys([self.evidence.esketamine, *self.evidence.routes.values()]))


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``{key}`` in ``template``; keys were checked when the rules were loaded."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def _number(value: int | float | None) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- loading ------------------------------------------------------------------------------


class _Reader(Reader):
    """The shared checks plus the rules' own: questions, conditions, criteria, notes."""

    def __init__(self, problems: Problems, references: Iterable[str]) -> None:
        super().__init__(problems, RULES_FILE, "rules", references)
        self.questions: dict[str, Question] = {}

    # --- conditions
    def condition(self, raw: Any, where: str) -> Condition | None:
        if not isinstance(raw, dict):
            self.add(where, "must be a table such as {answer = KEY, is = true}")
            return None
        combinators = [k for k in COMBINATORS if k in raw]
        if combinators:
            if len(raw) != 1:
                self.add(where, f"'{combinators[0]}' must stand alone in its table")
                return None
            kind = combinators[0]
            items = raw[kind]
            if not isinstance(items, list) or not items:
                self.add(f"{where}.{kind}", "must be a non-empty list of conditions")
                return None
            parts = [self.condition(item, f"{where}.{kind}[{i}]") for i, item in enumerate(items)]
            if any(part is None for part in parts):
                return None
            return Combination(kind, tuple(parts))
        return self.answer_test(raw, where)

    def answer_test(self, raw: dict[str, Any], where: str) -> AnswerTest | None:
        ops = [k for k in raw if k != "answer"]
        key = raw.get("answer")
        if not isinstance(key, str) or key not in self.questions:
            self.add(f"{where}.answer", f"{key!r} is not a question key")
            return None
        if len(ops) != 1 or ops[0] not in OPERATORS:
            self.add(where, f"needs exactly one operator besides 'answer': {', '.join(OPERATORS)}")
            return None
        op, value = ops[0], raw[ops[0]]
        problem = _operand_problem(self.questions[key], op, value)
        if problem:
            self.add(f"{where}.{op}", problem)
            return None
        return AnswerTest(key, op, tuple(value) if op == "in" else value)

    # --- sections
    def question(self, raw: Any, index: int, groups: Mapping[str, str]) -> None:
        where = f"question[{index}]"
        if not isinstance(raw, dict):
            self.add(where, "must be a table")
            return
        self.keys(raw, where, QUESTION_KEYS)
        key = raw.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            self.add(f"{where}.key", f"{key!r} must be a snake_case answer key")
            return
        where = f"question.{key}"
        if key in self.questions:
            self.add(where, "defined twice")
            return
        kind = raw.get("type")
        if kind not in QUESTION_TYPES:
            self.add(f"{where}.type", f"{kind!r} is not one of: {', '.join(QUESTION_TYPES)}")
            return
        group = raw.get("group")
        if not isinstance(group, str) or group not in groups:
            self.add(f"{where}.group", f"{group!r} is not a group under [groups]")
        label = self.text(raw, "label", where)
        unit = raw.get("unit", "")
        if not isinstance(unit, str):
            self.add(f"{where}.unit", "must be text")
            unit = ""
        minimum, maximum = raw.get("min"), raw.get("max")
        choices: tuple[Choice, ...] = ()
        if kind in NUMERIC_TYPES:
            if not (_is_number(minimum) and _is_number(maximum)) or minimum > maximum:
                self.add(where, "min and max must be numbers with min ≤ max")
        elif minimum is not None or maximum is not None:
            self.add(where, "min and max belong only to integer and number questions")
        if kind == "choice":
            choices = self.choices(raw.get("choices"), where)
        elif "choices" in raw:
            self.add(f"{where}.choices", "only choice questions have choices")
        default = raw.get("default")
        if default is not None and default not in [c.value for c in choices]:
            self.add(f"{where}.default", f"{default!r} is not one of its choices")
        applies_when, not_applicable = None, ""
        if "applies_when" in raw:
            applies_when = self.condition(raw["applies_when"], f"{where}.applies_when")
            not_applicable = self.text(raw, "not_applicable", where)
        self.questions[key] = Question(
            key=key,
            group=group,
            type=kind,
            label=label,
            unit=unit,
            minimum=minimum,
            maximum=maximum,
            choices=choices,
            default=default,
            applies_when=applies_when,
            not_applicable=not_applicable,
        )

    def choices(self, raw: Any, where: str) -> tuple[Choice, ...]:
        if not isinstance(raw, list) or not raw:
            self.add(f"{where}.choices", "must be a non-empty list of {value, label}")
            return ()
        out: list[Choice] = []
        for index, item in enumerate(raw):
            if not isinstance(item, dict) or set(item) != {"value", "label"}:
                self.add(f"{where}.choices[{index}]", "must be {value = ..., label = ...}")
                continue
            value, label = item["value"], item["label"]
            if not isinstance(value, str) or not ID_PATTERN.match(value):
                self.add(f"{where}.choices[{index}].value", f"{value!r} must be a lower-case id")
            elif value in {c.value for c in out}:
                self.add(f"{where}.choices[{index}].value", f"'{value}' is listed twice")
            elif not isinstance(label, str) or not label.strip():
                self.add(f"{where}.choices[{index}].label", "missing or empty text")
            else:
                out.append(Choice(value, label.strip()))
        return tuple(out)

    def identified(
        self, raw: Any, kind: str, index: int, keys: set[str], seen: set[str], example: str = ""
    ) -> str | None:
        """The id of the ``index``-th ``kind`` table, checked for shape, form and reuse."""
        where = f"{kind}[{index}]"
        if not isinstance(raw, dict):
            self.add(where, "must be a table")
            return None
        ident = raw.get("id")
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            self.add(f"{where}.id", f"{ident!r} must be a lower-case id{example}")
            return None
        where = f"{kind}.{ident}"
        if ident in seen:
            self.add(where, "id used twice")
        seen.add(ident)
        self.keys(raw, where, keys)
        return ident

    def criterion(self, raw: Any, index: int, seen: set[str]) -> Criterion | None:
        example = " such as 'bp-above-140-90'"
        ident = self.identified(raw, "criterion", index, CRITERION_KEYS, seen, example)
        if ident is None:
            return None
        where = f"criterion.{ident}"
        tier = raw.get("tier")
        if tier not in CRITERION_TIERS:
            self.add(f"{where}.tier", f"{tier!r} is not one of: {', '.join(CRITERION_TIERS)}")
        message = self.text(raw, "message", where)
        self.placeholders(message, set(self.questions), f"{where}.message")
        sources = self.sources(raw, where)
        evidence = self.evidence(raw, where)
        when = self.condition(raw.get("when"), f"{where}.when")
        if when is None or tier not in CRITERION_TIERS:
            return None
        return Criterion(ident, tier, message, sources, evidence, when)

    def note(self, raw: Any, index: int, seen: set[str]) -> NoteRule | None:
        ident = self.identified(raw, "note", index, NOTE_KEYS, seen)
        if ident is None:
            return None
        where = f"note.{ident}"
        text = self.text(raw, "text", where)
        self.placeholders(text, set(self.questions), f"{where}.text")
        sources = self.sources(raw, where)
        evidence = self.evidence(raw, where)
        when = self.condition(raw.get("when"), f"{where}.when")
        return NoteRule(ident, text, sources, evidence, when) if when else None

    def evidence_map(self, raw: Any) -> EvidenceMap:
        where = "evidence"
        if not isinstance(raw, dict):
            self.add(where, "missing table [evidence]")
            raw = {}
        self.keys(raw, where, {"id", "esketamine", "routes", "conditions", "no_rating"})
        route_q, condition_q = self.questions.get("route"), self.questions.get("condition")
        routes = {c.value for c in route_q.choices} if route_q else set()
        conditions = {c.value for c in condition_q.choices} if condition_q else set()
        esketamine = raw.get("esketamine")
        if esketamine not in MODALITY_IDS:
            self.add(f"{where}.esketamine", f"{esketamine!r} is not a modality id")
        route_map = self.mapping(raw.get("routes"), f"{where}.routes", routes, MODALITY_IDS)
        condition_map = self.mapping(
            raw.get("conditions"), f"{where}.conditions", conditions, CONDITIONS
        )
        no_rating: dict[str, NoRating] = {}
        raw_none = raw.get("no_rating", {})
        for name, entry in raw_none.items() if isinstance(raw_none, dict) else ():
            key = f"{where}.no_rating.{name}"
            if name not in (routes | conditions) - set(route_map) - set(condition_map):
                self.add(key, "must name a route or condition that has no mapping above")
            if not isinstance(entry, dict):
                self.add(key, "must be a table of text and sources")
                continue
            self.keys(entry, key, {"text", "sources"})
            text = self.text(entry, "text", key)
            no_rating[name] = NoRating(text, self.sources(entry, key, may_be_empty=True))
        for name in sorted((routes - set(route_map)) | (conditions - set(condition_map))):
            if name not in no_rating:
                self.add(
                    f"{where}.no_rating", f"'{name}' has neither a mapping nor a no_rating text"
                )
        ident = raw.get("id") if isinstance(raw.get("id"), str) else "evidence-strength"
        return EvidenceMap(ident, str(esketamine), route_map, condition_map, no_rating)

    def mapping(self, raw: Any, where: str, keys: set[str], targets: tuple[str, ...]) -> dict:
        if not isinstance(raw, dict):
            self.add(where, "must be a table")
            return {}
        out = {}
        for key, value in raw.items():
            if key not in keys:
                self.add(f"{where}.{key}", f"not one of: {', '.join(sorted(keys))}")
            elif value not in targets:
                self.add(f"{where}.{key}", f"{value!r} is not one of: {', '.join(targets)}")
            else:
                out[key] = value
        return out

    def regimen(self, raw: Any) -> Regimen | None:
        where = "reference_regimen"
        if not isinstance(raw, dict):
            self.add(where, "missing table [reference_regimen]")
            return None
        self.keys(raw, where, REGIMEN_KEYS)
        route_q = self.questions.get("route")
        route = raw.get("route")
        if route_q is None or route not in [c.value for c in route_q.choices]:
            self.add(f"{where}.route", f"{route!r} is not a route choice")
        mg_per_kg, minutes = raw.get("mg_per_kg"), raw.get("minutes")
        if not _is_number(mg_per_kg) or mg_per_kg <= 0:
            self.add(f"{where}.mg_per_kg", "must be a positive number")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            self.add(f"{where}.minutes", "must be a positive whole number")
        text = self.text(raw, "text", where)
        self.placeholders(text, REGIMEN_PLACEHOLDERS, f"{where}.text")
        sources = self.sources(raw, where)
        evidence = self.evidence(raw, where)
        ident = raw.get("id") if isinstance(raw.get("id"), str) else "reference-regimen"
        return Regimen(ident, str(route), mg_per_kg, minutes, text, sources, evidence)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _operand_problem(question: Question, op: str, value: Any) -> str | None:
    """Why ``value`` cannot be compared with ``question``'s answers by ``op`` (None if it can)."""
    values = [c.value for c in question.choices]
    if op == "answered":
        return None if isinstance(value, bool) else "must be true or false"
    if op in COMPARISONS:
        if question.type not in NUMERIC_TYPES:
            return f"'{op}' needs a number question; '{question.key}' is {question.type}"
        return None if _is_number(value) else "must be a number"
    if op == "in":
        if not isinstance(value, list) or not value:
            return "must be a non-empty list"
        if question.type != "choice" or not all(item in values for item in value):
            return f"every item must be one of {question.key}'s choices"
        return None
    if question.type == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if question.type == "choice":
        return None if value in values else f"{value!r} is not one of {question.key}'s choices"
    return None if _is_number(value) else "must be a number"


def _table(raw: dict[str, Any], name: str, reader: _Reader) -> dict[str, Any]:
    value = raw.get(name)
    if not isinstance(value, dict):
        reader.add(name, f"missing table [{name}]")
        return {}
    return value


def _parse(raw: dict[str, Any], reader: _Reader) -> dict[str, Any]:
    """Every part of the rules file, validated; problems go to ``reader``."""
    reader.keys(raw, "", TOP_KEYS)
    reviewed = reader.date(raw, "reviewed", "")
    groups: dict[str, str] = {}
    for name, entry in _table(raw, "groups", reader).items():
        label = entry.get("label") if isinstance(entry, dict) else None
        if not isinstance(label, str) or not label.strip():
            reader.add(f"groups.{name}.label", "missing or empty text")
        else:
            groups[name] = label.strip()
    tiers: dict[str, TierText] = {}
    raw_tiers = _table(raw, "tiers", reader)
    reader.keys(raw_tiers, "tiers", set(TIERS))
    for tier in TIERS:
        entry = raw_tiers.get(tier)
        if not isinstance(entry, dict):
            reader.add(f"tiers.{tier}", "missing: every tier needs a label and a summary")
            continue
        where = f"tiers.{tier}"
        tiers[tier] = TierText(
            reader.text(entry, "label", where), reader.text(entry, "summary", where)
        )
    raw_questions = raw.get("question")
    if not isinstance(raw_questions, list) or not raw_questions:
        reader.add("question", "missing: the rules need [[question]] tables")
        raw_questions = []
    for index, entry in enumerate(raw_questions):
        reader.question(entry, index, groups)
    required = raw.get("required")
    if not isinstance(required, list) or not all(
        isinstance(k, str) and k in reader.questions for k in required
    ):
        reader.add("required", "must be a list of question keys")
        required = []
    below: list[BelowRule] = []
    for index, entry in enumerate(raw.get("below", [])):
        where = f"below[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"lower", "upper", "message"}:
            reader.add(where, "must be {lower, upper, message}")
            continue
        pair = [reader.questions.get(str(entry[end])) for end in ("lower", "upper")]
        if not all(q is not None and q.type in NUMERIC_TYPES for q in pair):
            reader.add(where, "lower and upper must be number question keys")
            continue
        below.append(
            BelowRule(entry["lower"], entry["upper"], reader.text(entry, "message", where))
        )
    seen: set[str] = set()
    criteria = [reader.criterion(item, i, seen) for i, item in enumerate(raw.get("criterion", []))]
    notes = [reader.note(item, i, seen) for i, item in enumerate(raw.get("note", []))]
    if not criteria:
        reader.add("criterion", "missing: the rules need [[criterion]] tables")
    return {
        "questions": dict(reader.questions),
        "groups": groups,
        "tiers": tiers,
        "required": tuple(required),
        "below": tuple(below),
        "criteria": tuple(c for c in criteria if c),
        "notes": tuple(n for n in notes if n),
        "evidence": reader.evidence_map(raw.get("evidence")),
        "regimen": reader.regimen(raw.get("reference_regimen")),
        "reviewed": reviewed,
    }


def load_eligibility(
    root: Path, problems: Problems, references: Iterable[str]
) -> EligibilityRules | None:
    """``rules/eligibility.toml``, validated; None (with the problems recorded) if broken."""
    raw = read_toml(root / RULES_FILE, RULES_FILE, problems, "rules")
    if raw is None:
        return None
    reader = _Reader(problems, references)
    parts = _parse(raw, reader)
    if not reader.clean:
        return None
    data = (root / RULES_FILE).read_bytes()
    return EligibilityRules(**parts, content_hash=hashlib.sha256(data).hexdigest())
