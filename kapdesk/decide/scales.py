"""Scoring the rating scales: totals, bands, clusters, the PCL-5 provisional rule and flags.

Pure functions over the scales read from ``resources/scales/`` (through the one accessor
:func:`scale_library`). An unanswered item makes the result incomplete: no total and no
band are given (no proration) and the missing items are listed; PCL-5's provisional
diagnosis is "unknown" (None) while the missing items could still decide it. A PHQ-9
item 9 above 0 raises the safety prompt with the clinic's crisis text in the chosen
language; an item 9 of 0 says that it does not replace a risk assessment, never "no
risk". Answers and earlier totals live only in memory: nothing here writes anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kapdesk.content.scales import Band, Scale, ScaleLibrary
from kapdesk.errors import UserInputError
from kapdesk.jsonin import read_json
from kapdesk.profile import ClinicProfile

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
INCOMPLETE_FLAG = "incomplete"
NO_CRISIS_TEXT = (
    "No crisis text in {language} is set in the clinic profile: add it under File › Settings…"
)
ANSWER_KEYS = ("items", "previous")
PREVIOUS_KEYS = ("date", "total")
SHOWN_MAX = 40


# --- the one accessor -------------------------------------------------------------------


def scale_library() -> ScaleLibrary:
    """The scales of the open knowledge base (compiled from resources/scales/)."""
    from kapdesk.kb.catalog import scale_library as compiled

    return compiled()


def crisis_text(profile: ClinicProfile, lang: str) -> str:
    """The clinic's crisis text in ``lang`` from the profile (``crisis_text_en`` or
    ``crisis_text_es``); empty when none is set in that language."""
    return profile.crisis_text(lang).strip()


# --- choosing a scale and a language -----------------------------------------------------


def get_scale(scale_id: str, library: ScaleLibrary | None = None) -> Scale:
    """The shipped scale ``scale_id``; UserInputError naming the allowed ids otherwise."""
    library = library or scale_library()
    if scale_id not in library.scales:
        refused = {n.id: n for n in library.not_shipped}
        why = f" ({refused[scale_id].status})" if scale_id in refused else ""
        raise UserInputError(
            f"SCALE: {_shown(scale_id)} is not a shipped scale{why} "
            f"(allowed: {', '.join(library.scales)})"
        )
    return library.scales[scale_id]


def check_lang(scale: Scale, lang: str) -> str:
    """``lang`` if ``scale`` ships in it; UserInputError naming the allowed ones otherwise."""
    if lang not in scale.texts:
        raise UserInputError(
            f"--lang: {_shown(lang)} is not available for {scale.short_name} "
            f"(allowed: {', '.join(scale.languages)})"
        )
    return lang


# --- reading answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousTotal:
    """An earlier total typed from the chart, with its date (never stored)."""

    date: date
    total: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"date": self.date.isoformat(), "total": self.total}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_answers(scale: Scale, items: Any) -> tuple[int | None, ...]:
    """One answer per item (None when unanswered); UserInputError naming the bad one."""
    allowed = f"{scale.scores[0]}–{scale.max_score} or null when unanswered"
    if not isinstance(items, list):
        raise UserInputError(
            f"items: {_shown(items)} is not a list; give one answer per item ({allowed})"
        )
    if len(items) != scale.item_count:
        raise UserInputError(
            f"items: {len(items)} answers given; {scale.short_name} has {scale.item_count} "
            f"items (one answer per item, {allowed})"
        )
    for number, value in enumerate(items, 1):
        if value is not None and (not _whole(value) or value not in scale.scores):
            raise UserInputError(
                f"items: item {number} is {_shown(value)}; {scale.short_name} answers are {allowed}"
            )
    return tuple(items)


def check_previous(
    scale: Scale, previous: Any, today: date | None = None
) -> tuple[PreviousTotal, ...]:
    """Earlier totals with their dates, oldest first; UserInputError naming the bad one."""
    today = today or date.today()
    if previous is None:
        return ()
    if not isinstance(previous, list):
        raise UserInputError(
            f'previous: {_shown(previous)} is not a list of {{"date", "total"}} objects'
        )
    out: list[PreviousTotal] = []
    for index, entry in enumerate(previous):
        where = f"previous[{index}]"
        if not isinstance(entry, dict) or set(entry) != set(PREVIOUS_KEYS):
            raise UserInputError(
                f'{where}: {_shown(entry)} must be an object with exactly "date" and "total"'
            )
        raw_date, total = entry["date"], entry["total"]
        try:
            when = date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            when = None
        if when is None or len(raw_date) != 10:
            raise UserInputError(
                f"{where}.date: {_shown(raw_date)} is not a date such as 2026-11-02"
            )
        if when > today:
            raise UserInputError(
                f"{where}.date: {raw_date} is in the future; earlier totals are dated up to "
                f"today ({today.isoformat()})"
            )
        if not _whole(total) or not 0 <= total <= scale.max_total:
            raise UserInputError(
                f"{where}.total: {_shown(total)} is not a {scale.short_name} total "
                f"(allowed: whole numbers 0–{scale.max_total})"
            )
        out.append(PreviousTotal(when, total))
    return tuple(sorted(out, key=lambda p: p.date))


def read_answers(
    scale: Scale, raw: Any, today: date | None = None
) -> tuple[tuple[int | None, ...], tuple[PreviousTotal, ...]]:
    """The answers document ``{"items": [...], "previous": [...]}``, checked."""
    if not isinstance(raw, dict):
        raise UserInputError(
            f"ANSWERS: {_shown(raw)} is not a JSON object such as "
            '{"items": [0, 1, …], "previous": [{"date": "2026-11-02", "total": 18}]}'
        )
    unknown = sorted(set(raw) - set(ANSWER_KEYS))
    if unknown:
        raise UserInputError(
            f"ANSWERS: unknown key {_shown(unknown[0])} (allowed: {', '.join(ANSWER_KEYS)})"
        )
    if "items" not in raw:
        raise UserInputError("items: missing; give one answer per item (null when unanswered)")
    return check_answers(scale, raw["items"]), check_previous(scale, raw.get("previous"), today)


def read_input(source: str, label: str = "ANSWERS") -> Any:
    """Parse JSON from a file path or ``-`` (stdin) under the one input policy."""
    return read_json(source, label)


# --- the result --------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """Something the clinician should see, with its sources."""

    id: str
    message: str
    sources: tuple[str, ...]
    detail: str = ""
    safety: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``detail`` and ``safety`` are added fields)."""
        return {
            "id": self.id,
            "message": self.message,
            "sources": list(self.sources),
            "detail": self.detail,
            "safety": self.safety,
        }


@dataclass(frozen=True)
class SafetyPrompt:
    """Shown at the top of the result and of every printout when a safety flag is raised."""

    message: str
    detail: str
    crisis_text: str
    crisis_missing: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "message": self.message,
            "detail": self.detail,
            "crisis_text": self.crisis_text,
            "crisis_missing": self.crisis_missing,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class ScaleResult:
    """The scored answers of one scale (held in memory only)."""

    scale: Scale
    language: str
    answers: tuple[int | None, ...]
    total: int | None
    answered_total: int
    band: Band | None
    missing: tuple[int, ...]
    flags: tuple[Flag, ...]
    clusters: dict[str, int | None]
    provisional: bool | None
    safety: SafetyPrompt | None
    previous: tuple[PreviousTotal, ...] = ()
    kb_version: str = ""
    today: date = field(default_factory=date.today)

    @property
    def complete(self) -> bool:
        """Every item answered."""
        return not self.missing

    @property
    def band_text(self) -> str:
        """The band in words with its range ("Moderate (10–14)", or "0–4"), or ""."""
        if self.band is None:
            return ""
        if not self.band.label:
            return self.band.display
        return f"{self.band.label} ({self.band.low}–{self.band.high})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``kapdesk score --json``."""
        return {
            "scale": self.scale.id,
            "language": self.language,
            "total": self.total,
            "band": self.band.display if self.band else None,
            "complete": self.complete,
            "missing": list(self.missing),
            "flags": [f.to_dict() for f in self.flags],
            "clusters": dict(self.clusters),
            "provisional_diagnosis": self.provisional,
            "kb_version": self.kb_version,
            "answers": list(self.answers),
            "answered_total": self.answered_total,
            "max_total": self.scale.max_total,
            "safety_prompt": self.safety.to_dict() if self.safety else None,
            "previous": [p.to_dict() for p in self.previous],
        }


def _option(scale: Scale, lang: str, value: int) -> str:
    return f"{scale.texts[lang].options[value]} ({value})"


def _provisional(scale: Scale, answers: Sequence[int | None]) -> bool | None:
    """True, False, or None when unanswered items could still decide the rule."""
    rule = scale.provisional
    if rule is None:
        return None
    undecided = False
    for cluster in scale.clusters:
        values = [answers[i - 1] for i in cluster.items]
        endorsed = sum(1 for v in values if v is not None and v >= rule.endorsed_at)
        missing = sum(1 for v in values if v is None)
        if endorsed >= cluster.need:
            continue
        if endorsed + missing >= cluster.need:
            undecided = True
        else:
            return False
    return None if undecided else True


def _cutoff_flags(scale: Scale, total: int) -> list[Flag]:
    flags = []
    for cutoff in scale.cutoffs:
        if cutoff.up_to is not None and cutoff.at_least <= total < cutoff.up_to:
            text = cutoff.within
        elif total >= (cutoff.up_to if cutoff.up_to is not None else cutoff.at_least):
            text = cutoff.text
        else:
            continue
        flags.append(Flag(cutoff.id, text.format(total=total), cutoff.sources))
    return flags


def score(
    scale: Scale,
    answers: Sequence[int | None],
    lang: str = "en",
    *,
    previous: Sequence[PreviousTotal] = (),
    profile: ClinicProfile | None = None,
    kb_version: str = "",
    today: date | None = None,
) -> ScaleResult:
    """Score checked ``answers`` (see :func:`check_answers`) of ``scale`` in ``lang``."""
    check_lang(scale, lang)
    answers = check_answers(scale, list(answers))
    profile = profile or ClinicProfile()
    missing = tuple(i for i, v in enumerate(answers, 1) if v is None)
    answered_total = sum(v for v in answers if v is not None)
    total = None if missing else answered_total
    flags: list[Flag] = []
    safety: SafetyPrompt | None = None
    for item_flag in scale.item_flags:
        value = answers[item_flag.item - 1]
        if value is None or not item_flag.low <= value <= item_flag.high:
            continue
        message = item_flag.text.format(answer=_option(scale, lang, value))
        flag = Flag(item_flag.id, message, item_flag.sources, item_flag.detail, item_flag.safety)
        flags.append(flag)
        if item_flag.safety and safety is None:
            crisis = crisis_text(profile, lang)
            missing_text = (
                "" if crisis else NO_CRISIS_TEXT.format(language=LANGUAGE_NAMES.get(lang, lang))
            )
            safety = SafetyPrompt(message, item_flag.detail, crisis, missing_text, flag.sources)
    if missing:
        numbers = ", ".join(map(str, missing))
        flags.append(
            Flag(
                INCOMPLETE_FLAG,
                f"Incomplete: item{'s' if len(missing) > 1 else ''} {numbers} unanswered. "
                f"No total or band is given (no proration); the answered items sum to "
                f"{answered_total}.",
                ("camcops",),
            )
        )
    else:
        flags.extend(_cutoff_flags(scale, answered_total))
    clusters: dict[str, int | None] = {}
    for cluster in scale.clusters:
        values = [answers[i - 1] for i in cluster.items]
        clusters[cluster.id] = None if None in values else sum(v for v in values if v is not None)
    provisional = _provisional(scale, answers)
    rule = scale.provisional
    if rule is not None and provisional is not False:
        text = rule.positive if provisional else rule.unknown
        flag_id = f"{scale.id}-provisional-{'positive' if provisional else 'unknown'}"
        flags.append(Flag(flag_id, text, rule.sources))
    # The safety flag comes first, as the prompt does on every printout.
    flags.sort(key=lambda f: not f.safety)
    return ScaleResult(
        scale=scale,
        language=lang,
        answers=answers,
        total=total,
        answered_total=answered_total,
        band=scale.band_for(total) if total is not None else None,
        missing=missing,
        flags=tuple(flags),
        clusters=clusters,
        provisional=provisional,
        safety=safety,
        previous=tuple(sorted(previous, key=lambda p: p.date)),
        kb_version=kb_version,
        today=today or date.today(),
    )


# --- the trend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One total on the trend chart; ``current`` marks today's score."""

    date: date
    total: int
    current: bool = False


def trend_points(result: ScaleResult) -> tuple[TrendPoint, ...]:
    """Earlier totals, oldest first, then today's total when the result is complete."""
    points = [TrendPoint(p.date, p.total) for p in result.previous]
    if result.total is not None:
        points.append(TrendPoint(result.today, result.total, current=True))
    return tuple(points)


def reference_lines(scale: Scale) -> tuple[tuple[int, str], ...]:
    """Horizontal lines for the trend chart: band starts, or the cut-point range (the
    range's lower line carries no label, so the two labels never overlap)."""
    lines = [(band.low, band.display) for band in scale.bands if band.low > 0]
    for cutoff in scale.cutoffs:
        if not scale.bands:
            if cutoff.up_to is not None:
                lines.append((cutoff.at_least, ""))
                lines.append((cutoff.up_to, f"{cutoff.at_least}–{cutoff.up_to} cut-off"))
            else:
                lines.append((cutoff.at_least, f"cut-off {cutoff.at_least}"))
    return tuple(lines)


# --- words -------------------------------------------------------------------------------


def provisional_text(result: ScaleResult) -> str:
    """The provisional DSM-5 diagnosis in words ("" for scales without the rule)."""
    if result.scale.provisional is None:
        return ""
    return {True: "yes", False: "no", None: "unknown"}[result.provisional]


def total_text(result: ScaleResult) -> str:
    """ "12 of 27", or what is known of an incomplete result."""
    if result.total is not None:
        return f"{result.total} of {result.scale.max_total}"
    count = len(result.missing)
    return f"incomplete ({count} item{'s' if count != 1 else ''} unanswered)"


def answer_rows(result: ScaleResult) -> list[tuple[int, str, str]]:
    """(item number, item text, answer in words) in the result's language."""
    text = result.scale.texts[result.language]
    return [
        (number, item, "—" if value is None else _option(result.scale, result.language, value))
        for number, (item, value) in enumerate(zip(text.items, result.answers, strict=True), 1)
    ]


def cluster_rows(result: ScaleResult) -> list[tuple[str, str]]:
    """(cluster heading, sum or "incomplete") for the scale's clusters."""
    rows = []
    for cluster in result.scale.clusters:
        value = result.clusters.get(cluster.id)
        heading = f"{cluster.id} ({cluster.label}), items {cluster.first}–{cluster.last}"
        rows.append((heading, "incomplete" if value is None else str(value)))
    return rows


def licence_line(scale: Scale) -> str:
    """The licence statement (with where it was read) and the attribution."""
    licence = scale.licence
    return f"{licence.attribution} “{licence.statement}” ({licence.statement_source})."


def text_summary(result: ScaleResult) -> str:
    """The plain-text summary for the terminal and the clipboard (for the EHR)."""
    scale = result.scale
    lines: list[str] = []
    if result.safety:
        lines.append(f"SAFETY PROMPT: {result.safety.message}")
        crisis = result.safety.crisis_text or result.safety.crisis_missing
        lines.append(f"Clinic crisis text: {crisis}")
    language = LANGUAGE_NAMES.get(result.language, result.language)
    lines.append(f"{scale.short_name} ({scale.name}), {language} text, {result.today.isoformat()}")
    lines.append(f"Total: {total_text(result)}")
    if result.band is not None:
        lines.append(f"Band: {result.band_text}")
    for heading, value in cluster_rows(result):
        lines.append(f"Cluster {heading}: {value}")
    if scale.provisional is not None:
        lines.append(f"Provisional DSM-5 diagnosis: {provisional_text(result)}")
    answers = "; ".join(f"{n}: {'—' if v is None else v}" for n, v in enumerate(result.answers, 1))
    lines.append(f"Answers: {answers}")
    for flag in result.flags:
        if flag.safety:
            continue
        lines.append(f"- {flag.message}")
    if result.previous:
        earlier = "; ".join(f"{p.date.isoformat()} {p.total}" for p in result.previous)
        lines.append(f"Earlier totals: {earlier}")
    lines.append(f"Licence: {licence_line(scale)}")
    if result.kb_version:
        lines.append(f"kapdesk knowledge base {result.kb_version}")
    return "\n".join(lines)


def scale_rows(library: ScaleLibrary | None = None) -> list[dict[str, Any]]:
    """The licence registry: shipped scales with languages and licence, then the refused."""
    library = library or scale_library()
    rows: list[dict[str, Any]] = [
        {
            "id": scale.id,
            "short_name": scale.short_name,
            "name": scale.name,
            "shipped": True,
            "status": "shipped",
            "languages": list(scale.languages),
            "items": scale.item_count,
            "range": [0, scale.max_total],
            "derived_from": scale.parent,
            "licence": scale.licence.statement,
            "licence_source": scale.licence.statement_source,
            "attribution": scale.licence.attribution,
            "provenance": {lang: t.provenance for lang, t in scale.texts.items()},
            "sources": list(scale.licence.sources),
        }
        for scale in library.scales.values()
    ]
    rows += [
        {
            "id": entry.id,
            "short_name": entry.short_name,
            "name": entry.name,
            "shipped": False,
            "status": entry.status,
            "reason": entry.reason,
            "languages": [],
            "sources": list(entry.sources),
        }
        for entry in library.not_shipped
    ]
    return rows


def describe(rows: Sequence[Mapping[str, Any]]) -> str:
    """The registry as text, one scale per line."""
    lines = []
    for row in rows:
        if row["shipped"]:
            derived = f", from {row['derived_from']}" if row["derived_from"] else ""
            lines.append(
                f"{row['id']:<6} {row['short_name']:<7} {'/'.join(row['languages']):<6} "
                f"0–{row['range'][1]}{derived}. Licence: {row['licence']}"
            )
        else:
            lines.append(f"{row['id']:<6} {row['short_name']:<7} {row['status']}. {row['reason']}")
    return "\n".join(lines)


@dataclass(frozen=True)
class TrendLayout:
    """The trend chart in unit coordinates (0–1 both ways, y up), for the PDF and the GUI."""

    points: tuple[tuple[float, float, TrendPoint], ...]
    lines: tuple[tuple[float, int, str], ...]
    max_total: int


def trend_layout(result: ScaleResult) -> TrendLayout:
    """Where each total and each reference line goes: x by date, y by total."""
    points = trend_points(result)
    top = result.scale.max_total
    if points:
        first, last = points[0].date.toordinal(), points[-1].date.toordinal()
        span = last - first
        placed = tuple(
            (
                (p.date.toordinal() - first) / span if span else 0.5,
                p.total / top,
                p,
            )
            for p in points
        )
    else:
        placed = ()
    lines = tuple((value / top, value, label) for value, label in reference_lines(result.scale))
    return TrendLayout(placed, lines, top)


def source_ids(result: ScaleResult) -> tuple[str, ...]:
    """Every reference id the summary of ``result`` may cite, in first-use order."""
    scale = result.scale
    ids: list[str] = [source for flag in result.flags for source in flag.sources]
    if scale.bands_note:
        ids += scale.bands_note.sources
    ids += scale.licence.sources
    for text in scale.texts.values():
        ids += text.sources
    return tuple(dict.fromkeys(ids))


def cited_references(kb: Any, result: ScaleResult) -> dict[str, str]:
    """(reference id → full citation) from the knowledge base, for the summary."""
    return {ref: kb.reference(ref).full_citation() for ref in source_ids(result)}
