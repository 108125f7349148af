"""The integration-picker rules (resources/rules/integration.toml): typed and validated.

The picker table of modalities.md §16 is data, not code: which presentation features
suggest which modalities (in the table's order), what lowers or blocks a suggestion,
and when integration sessions fit around dosing. The loader checks every key and
every source and reports each problem as ``file: key: what is wrong``, all at once.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.content.model import CONDITIONS, MODALITY_IDS, STRENGTHS, Sourced
from kapdesk.content.problems import Problems, Reader, nonempty_str, read_toml
from kapdesk.errors import ContentError

RULES_FILE = "rules/integration.toml"

# The presentation a clinician describes (issue 5): the keys are the API, fixed here.
BOOLEAN_FEATURES = (
    "trauma_origin",
    "intrusive_imagery",
    "nightmares",
    "self_criticism_or_parts",
    "rumination_rigid_beliefs",
    "avoidance",
    "somatic_dominant",
    "wants_brief_format",
    "prefers_not_to_narrate",
    "acute_suicidality_or_crisis",
    "active_psychosis_or_mania",
    "substance_use_disorder",
)
DISSOCIATION_LEVELS = ("low", "moderate", "high", "unknown")
PRESENTATION_CONDITIONS = (*CONDITIONS, "other")
TIMING_STRENGTHS = ("high", "moderate", "low", "very-low")

TOP_KEYS = {
    "reviewed",
    "candidates",
    "scoring",
    "training",
    "text",
    "dissociation",
    "features",
    "general",
    "rows",
    "timing",
}
TEXT_KEYS = (
    "no_condition",
    "other_condition",
    "no_rating",
    "weak",
    "offered",
    "refer_out",
    "other_label",
)
ROW_KEYS = {"id", "label", "when", "suggest", "caution", "block", "alert", "note"}
STATEMENT_KEYS = {"text", "sources", "evidence"}


@dataclass(frozen=True)
class Suggestion:
    modality: str
    reason: Sourced


@dataclass(frozen=True)
class Caution:
    """Lowers (caution) or blocks a candidate; ``when`` adds to its row's condition.

    ``id`` and ``label`` (optional) name what the caution warns about when that is not the
    row's own feature: a row that suggests a modality must label its cautions for that
    modality, so that one feature never appears both as a fit and as a caution on a card.
    ``as_suggested_by`` (blocks only) names the rows whose suggestion the block stops: when
    another active row suggests the modality too, the block only lowers it, as a caution
    does (CPT deferred in a crisis leaves CBT open for rumination or stabilisation skills).
    """

    modalities: tuple[str, ...]
    statement: Sourced
    lower: float
    when: Mapping[str, Any]
    id: str | None = None
    label: str | None = None
    as_suggested_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One row of the picker table, switched on by ``when``."""

    id: str
    label: str
    when: Mapping[str, Any]
    suggest: tuple[Suggestion, ...]
    cautions: tuple[Caution, ...]
    blocks: tuple[Caution, ...]
    alerts: tuple[Sourced, ...]
    notes: tuple[Sourced, ...]


@dataclass(frozen=True)
class Timing:
    id: str
    statement: Sourced
    hypothesis: bool
    evidence_strength: str | None


@dataclass(frozen=True)
class Feature:
    label: str
    help: str


@dataclass(frozen=True)
class IntegrationRules:
    candidates: tuple[str, ...]
    position_points: tuple[float, ...]
    evidence_points: Mapping[str, float]
    caution_lower: float
    weak_ratings: tuple[str, ...]  # sorted: the compiled bytes do not depend on set order
    training_terms: tuple[str, ...]
    training_none: str
    text: Mapping[str, str]
    dissociation_labels: Mapping[str, str]
    features: Mapping[str, Feature]
    general: tuple[Sourced, ...]
    rows: tuple[Row, ...]
    timing: tuple[Timing, ...]
    reviewed: date
    version: str

    def points_for_position(self, index: int) -> float:
        """Points for the ``index``-th suggestion of a row (later ones get the last value)."""
        return self.position_points[min(index, len(self.position_points) - 1)]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _when(raw: Any, key: str, p: Reader) -> dict[str, Any]:
    """A condition: presentation keys with the value (or any of the values) that must hold."""
    if not isinstance(raw, dict) or not raw:
        p.add(key, "must be a non-empty table of presentation key = value")
        return {}
    allowed = (*BOOLEAN_FEATURES, "dissociation", "condition")
    choices = {"dissociation": DISSOCIATION_LEVELS, "condition": PRESENTATION_CONDITIONS}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in allowed:
            p.add(f"{key}.{name}", f"not a presentation key (allowed: {', '.join(allowed)})")
        elif name in choices:
            values = value if isinstance(value, list) else [value]
            bad = [v for v in values if v not in choices[name]]
            if not values or bad:
                p.add(
                    f"{key}.{name}",
                    f"{value!r} is not allowed (allowed: {', '.join(choices[name])})",
                )
            else:
                out[name] = tuple(values)
        elif not isinstance(value, bool):
            p.add(f"{key}.{name}", f"{value!r} must be true or false")
        else:
            out[name] = value
    return out


def _modalities(raw: Any, key: str, p: Reader, candidates: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        p.add(key, "must be a non-empty list of candidate ids")
        return ()
    bad = [m for m in raw if m not in candidates]
    if bad:
        p.add(key, f"{bad[0]!r} is not a candidate (allowed: {', '.join(candidates)})")
        return ()
    return tuple(dict.fromkeys(raw))


def _cautions(
    raw: Any, key: str, p: Reader, rules: dict[str, Any], *, block: bool
) -> tuple[Caution, ...]:
    if not isinstance(raw, list):
        p.add(key, "must be an array of tables")
        return ()
    out = []
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        extra = ("modalities", "when", "id", "label")
        extra = (*extra, "as_suggested_by") if block else (*extra, "lower")
        statement = p.sourced(item, where, extra=extra)
        if statement is None:
            continue
        mods = _modalities(item.get("modalities"), f"{where}.modalities", p, rules["candidates"])
        when = _when(item["when"], f"{where}.when", p) if "when" in item else {}
        lower = item.get("lower", rules["caution_lower"])
        own_id, own_label = item.get("id"), item.get("label")
        if not _number(lower):
            p.add(f"{where}.lower", f"{lower!r} must be a number ≥ 0")
            continue
        if (own_id is None) != (own_label is None) or not all(
            nonempty_str(v) for v in (own_id, own_label) if v is not None
        ):
            p.add(where, "id and label go together, both non-empty text")
            continue
        suggested_by = item.get("as_suggested_by", [])
        if not isinstance(suggested_by, list) or not all(map(nonempty_str, suggested_by)):
            p.add(f"{where}.as_suggested_by", "must be a list of row ids")
            continue
        if mods:
            out.append(
                Caution(
                    mods,
                    statement,
                    float(lower),
                    when,
                    own_id,
                    own_label,
                    tuple(suggested_by),
                )
            )
    return tuple(out)


def _statements(raw: Any, key: str, p: Reader) -> tuple[Sourced, ...]:
    if not isinstance(raw, list):
        p.add(key, "must be an array of tables")
        return ()
    items = (p.sourced(item, f"{key}[{i}]") for i, item in enumerate(raw))
    return tuple(s for s in items if s)


def _row(raw: Any, key: str, p: Reader, rules: dict[str, Any]) -> Row | None:
    if not isinstance(raw, dict):
        p.add(key, "must be a table")
        return None
    p.keys(raw, key, ROW_KEYS)
    if not nonempty_str(raw.get("id")) or not nonempty_str(raw.get("label")):
        p.add(key, "needs a non-empty id and label")
        return None
    key = f"rows.{raw['id']}"
    when = _when(raw.get("when"), f"{key}.when", p)
    suggest = []
    seen: set[str] = set()
    raw_suggest = raw.get("suggest", [])
    if not isinstance(raw_suggest, list):
        p.add(f"{key}.suggest", "must be an array of tables")
        raw_suggest = []
    for index, item in enumerate(raw_suggest):
        where = f"{key}.suggest[{index}]"
        reason = p.sourced(item, where, text_key="reason", extra=("modality",))
        if reason is None:
            continue
        modality = item.get("modality")
        if modality not in rules["candidates"]:
            p.add(
                f"{where}.modality",
                f"{modality!r} is not a candidate (allowed: {', '.join(rules['candidates'])})",
            )
        elif modality in seen:
            p.add(f"{where}.modality", f"'{modality}' is suggested twice in this row")
        else:
            seen.add(modality)
            suggest.append(Suggestion(modality, reason))
    cautions = _cautions(raw.get("caution", []), f"{key}.caution", p, rules, block=False)
    blocks = _cautions(raw.get("block", []), f"{key}.block", p, rules, block=True)
    # A card never lists one feature both under "Why it fits" and under "Cautions"/"Blocked":
    # a caution on a modality this row suggests must say what it is about (its own label).
    for kind, items in (("caution", cautions), ("block", blocks)):
        for index, item in enumerate(items):
            both = seen & set(item.modalities)
            if both and item.label is None:
                p.add(
                    f"{key}.{kind}[{index}]",
                    f"this row also suggests {', '.join(sorted(both))}: give the {kind} its own "
                    "id and label (what it warns about), not the row's feature",
                )
            elif item.label is not None and item.label.strip() == raw["label"].strip():
                p.add(f"{key}.{kind}[{index}].label", "must differ from the row's label")
    return Row(
        id=raw["id"],
        label=raw["label"].strip(),
        when=when,
        suggest=tuple(suggest),
        cautions=cautions,
        blocks=blocks,
        alerts=_statements(raw.get("alert", []), f"{key}.alert", p),
        notes=_statements(raw.get("note", []), f"{key}.note", p),
    )


def _timing(raw: Any, p: Reader) -> tuple[Timing, ...]:
    if not isinstance(raw, list) or not raw:
        p.add("timing", "must be a non-empty array of tables")
        return ()
    out = []
    for index, item in enumerate(raw):
        ident = item.get("id") if isinstance(item, dict) else None
        where = f"timing.{ident}" if nonempty_str(ident) else f"timing[{index}]"
        extra = ("id", "hypothesis", "evidence_strength")
        statement = p.sourced(item, where, extra=extra)
        if statement is None:
            continue
        hypothesis = item.get("hypothesis", False)
        strength = item.get("evidence_strength")
        if not nonempty_str(item.get("id")):
            p.add(f"{where}.id", "missing or empty")
        elif not isinstance(hypothesis, bool):
            p.add(f"{where}.hypothesis", f"{hypothesis!r} must be true or false")
        elif strength is not None and strength not in TIMING_STRENGTHS:
            p.add(
                f"{where}.evidence_strength",
                f"{strength!r} is not allowed (allowed: {', '.join(TIMING_STRENGTHS)})",
            )
        elif hypothesis and strength is None:
            p.add(f"{where}.evidence_strength", "a hypothesis must state its evidence strength")
        else:
            out.append(Timing(item["id"], statement, hypothesis, strength))
    return tuple(out)


def _scoring(raw: Any, p: Reader) -> dict[str, Any]:
    out: dict[str, Any] = {
        "position_points": (1.0,),
        "evidence_points": dict.fromkeys(STRENGTHS, 0.0),
        "caution_lower": 0.0,
        "weak_ratings": (),
    }
    if not isinstance(raw, dict):
        p.add("scoring", "missing table")
        return out
    p.keys(raw, "scoring", {"position_points", "evidence_points", "caution_lower", "weak_ratings"})
    points = raw.get("position_points")
    if (
        not isinstance(points, list)
        or not points
        or not all(_number(v) for v in points)
        or any(a < b for a, b in itertools.pairwise(points))
    ):
        p.add("scoring.position_points", "must be a non-empty list of numbers ≥ 0, non-increasing")
    else:
        out["position_points"] = tuple(float(v) for v in points)
    evidence = raw.get("evidence_points")
    if not isinstance(evidence, dict) or set(evidence) != set(STRENGTHS):
        p.add("scoring.evidence_points", f"must give a number for each of {', '.join(STRENGTHS)}")
    elif not all(_number(v) for v in evidence.values()):
        p.add("scoring.evidence_points", "every value must be a number ≥ 0")
    else:
        out["evidence_points"] = {k: float(v) for k, v in evidence.items()}
    lower = raw.get("caution_lower")
    if not _number(lower):
        p.add("scoring.caution_lower", f"{lower!r} must be a number ≥ 0")
    else:
        out["caution_lower"] = float(lower)
    weak = raw.get("weak_ratings")
    if not isinstance(weak, list) or not set(weak) <= set(STRENGTHS):
        p.add("scoring.weak_ratings", f"must be a list of ratings from {', '.join(STRENGTHS)}")
    else:
        out["weak_ratings"] = tuple(sorted(set(weak)))
    return out


def _labels(raw: Any, key: str, names: tuple[str, ...], p: Reader) -> dict[str, str]:
    if not isinstance(raw, dict):
        p.add(key, "missing table")
        return {}
    p.keys(raw, key, set(names))
    for name in names:
        if not nonempty_str(raw.get(name)):
            p.add(f"{key}.{name}", "missing or empty text")
    return {name: raw[name] for name in names if nonempty_str(raw.get(name))}


def _features(raw: Any, p: Reader) -> dict[str, Feature]:
    if not isinstance(raw, dict):
        p.add("features", "missing table")
        return {}
    p.keys(raw, "features", set(BOOLEAN_FEATURES))
    out = {}
    for name in BOOLEAN_FEATURES:
        entry = raw.get(name)
        if not isinstance(entry, dict) or not all(
            nonempty_str(entry.get(k)) for k in ("label", "help")
        ):
            p.add(f"features.{name}", "needs a label and help text")
            continue
        p.keys(entry, f"features.{name}", {"label", "help"})
        out[name] = Feature(entry["label"], entry["help"])
    return out


def _parse_rules(raw: Mapping[str, Any], p: Reader, version: str) -> IntegrationRules | None:
    """Validate parsed TOML; None (with every problem recorded) when it is broken."""
    p.keys(raw, "", TOP_KEYS)
    reviewed = p.date(raw, "reviewed", "")
    candidates = raw.get("candidates")
    if (
        not isinstance(candidates, list)
        or not candidates
        or len(set(candidates)) != len(candidates)
        or not set(candidates) <= set(MODALITY_IDS)
    ):
        p.add("candidates", "must be a list of distinct modality ids")
        candidates = []
    rules: dict[str, Any] = {"candidates": tuple(candidates), **_scoring(raw.get("scoring"), p)}
    training = raw.get("training")
    if (
        not isinstance(training, dict)
        or not isinstance(training.get("terms"), list)
        or not training["terms"]
        or not all(nonempty_str(t) for t in training["terms"])
        or not nonempty_str(training.get("none_text"))
    ):
        p.add("training", "needs terms (a list of words) and none_text")
        training = {"terms": [], "none_text": ""}
    rows_raw = raw.get("rows")
    if not isinstance(rows_raw, list) or not rows_raw:
        p.add("rows", "must be a non-empty array of tables")
        rows_raw = []
    rows = [_row(item, f"rows[{i}]", p, rules) for i, item in enumerate(rows_raw)]
    ids = [row.id for row in rows if row]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        p.add(f"rows.{duplicate}", "id used twice")
    for row in filter(None, rows):
        for item in (*row.cautions, *row.blocks):
            if item.id is not None and item.id in ids:
                p.add(f"rows.{row.id}", f"caution or block id '{item.id}' is also a row id")
            for row_id in item.as_suggested_by:
                if row_id not in ids:
                    p.add(f"rows.{row.id}.block", f"as_suggested_by: '{row_id}' is not a row id")
    result = IntegrationRules(
        candidates=rules["candidates"],
        position_points=rules["position_points"],
        evidence_points=rules["evidence_points"],
        caution_lower=rules["caution_lower"],
        weak_ratings=rules["weak_ratings"],
        training_terms=tuple(t.lower() for t in training["terms"]),
        training_none=training["none_text"],
        text=_labels(raw.get("text"), "text", TEXT_KEYS, p),
        dissociation_labels=_labels(
            raw.get("dissociation"), "dissociation", DISSOCIATION_LEVELS, p
        ),
        features=_features(raw.get("features"), p),
        general=_statements(raw.get("general", []), "general", p),
        rows=tuple(row for row in rows if row),
        timing=_timing(raw.get("timing"), p),
        reviewed=reviewed if isinstance(reviewed, date) else date.min,
        version=version,
    )
    return result if p.clean else None


def load_integration(
    root: Path, problems: Problems, references: Iterable[str]
) -> IntegrationRules | None:
    """``rules/integration.toml``, validated; None (with the problems recorded) if broken."""
    raw = read_toml(root / RULES_FILE, RULES_FILE, problems, "rules")
    if raw is None:
        return None
    version = hashlib.sha256((root / RULES_FILE).read_bytes()).hexdigest()[:10]
    return _parse_rules(raw, Reader(problems, RULES_FILE, "rules", references), version)


def parse_rules(
    raw: Mapping[str, Any], references: Iterable[str], version: str
) -> IntegrationRules:
    """Validate already-parsed rules; ContentError listing every problem."""
    problems = Problems()
    rules = _parse_rules(raw, Reader(problems, RULES_FILE, "rules", references), version)
    if problems or rules is None:
        raise ContentError(problems.items)
    return rules
