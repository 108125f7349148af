"""The wording of the patient's "Your integration plan" (documents/integration_plan.toml),
and the plan's text composed from it (pure: no knowledge base, no measuring).

The picker (kapdesk.decide.integration) ranks the therapies for the clinician; this
module turns one choice into the plan a patient takes home, in English or Spanish: the
therapy explained, what its sessions look like, when they happen relative to ketamine
dosing, how little is known about pairing it with ketamine, a checklist and who to call.

Nothing here is written in Python: the wording is data
(``resources/documents/integration_plan.toml``, validated with ``file: key: problem``
messages), the therapy's explanation is the knowledge base's plain-language text, and
the "when to call" box is a handout's. The plan is composed as a handout
(kapdesk.content.handouts.Handout), so it is measured for readability, PEMAT-scored and laid
out exactly as the handouts are. No reportlab and no Qt are imported here.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.content.handouts import (
    Block,
    Handout,
    HandoutLibrary,
    Readability,
    pemat_answers,
)
from kapdesk.content.integration import IntegrationRules
from kapdesk.content.model import LANGUAGES, SECTIONS, Modality
from kapdesk.content.problems import Problems, Reader, nonempty_str, read_toml

PLAN_FILE = "documents/integration_plan.toml"
TOP_KEYS = frozenset(
    {"reviewed", "call_from_handout", "session_sections", "timing_only_for", "pemat", *LANGUAGES}
)
# Text fields of a language table and the placeholders each may use.
FIELDS: dict[str, frozenset[str]] = {
    "title": frozenset(),
    "purpose": frozenset({"short"}),
    "therapy": frozenset({"name"}),
    "refer_out": frozenset(),
    "no_course": frozenset(),
}
HEADINGS = ("what", "sessions", "when", "known", "do", "call")
LANG_KEYS = frozenset(
    {*FIELDS, "headings", "timing_intro", "timing", "with_ketamine", "known", "steps"}
)


@dataclass(frozen=True)
class PlanText:
    """A sourced text of the plan (one paragraph or one bullet)."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanWording:
    """Everything the plan says in one language, apart from the knowledge base's texts."""

    fields: dict[str, str]
    headings: dict[str, str]
    timing_intro: PlanText
    timing: dict[str, PlanText]  # by the picker rules' timing id, in their order
    with_ketamine: dict[str, PlanText]  # by candidate id
    known: tuple[PlanText, ...]
    steps: tuple[str, ...]  # the checklist, printed with boxes to tick
    steps_sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanTexts:
    """The validated plan file."""

    reviewed: date
    call_from: str
    session_sections: tuple[str, ...]
    pemat: tuple[tuple[str, int | None], ...]
    wording: dict[str, PlanWording]
    # Measured when the knowledge base is built, by plan_key(modality, lang, available).
    readability: dict[str, Readability] = field(default_factory=dict)
    # Timing texts printed only in the plans of these therapies (by timing id).
    timing_only_for: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def timing_for(self, lang: str, modality: str) -> list[PlanText]:
        """The timing texts of ``lang`` that belong in the plan of ``modality``."""
        return [
            text
            for timing_id, text in self.wording[lang].timing.items()
            if modality in self.timing_only_for.get(timing_id, (modality,))
        ]


# --- loading ------------------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    """The ``{names}`` a text uses; '' stands for a malformed or positional field."""
    try:
        return {name or "" for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {""}


class _Reader(Reader):
    """The shared checks for one language table of the plan (keys start with the language)."""

    def __init__(self, problems: Problems, references: set[str], lang: str) -> None:
        super().__init__(problems, PLAN_FILE, "wording", references)
        self.lang = lang

    def add(self, key: str, message: str) -> None:
        super().add(f"{self.lang}.{key}", message)

    def text(self, raw: Any, key: str, allowed: frozenset[str] = frozenset()) -> str:
        if not nonempty_str(raw):
            self.add(key, "missing or empty text")
            return ""
        bad = _placeholders(raw) - allowed
        if bad:
            shown = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
            self.add(
                key, f"placeholder {{{sorted(bad)[0]}}} is not allowed here (allowed: {shown})"
            )
        return self.printable(raw.strip(), key)

    def sources(self, raw: dict[str, Any], key: str, wanted: str) -> tuple[str, ...]:
        """The reference ids of a table holding ``wanted``; every fact cites a source."""
        self.keys(raw, key, (wanted, "sources"))
        return super().sources(raw, key)

    def sourced(self, raw: Any, key: str) -> PlanText | None:
        """A table with ``text`` and ``sources``."""
        if not isinstance(raw, dict):
            self.add(key, "must be a table with text and sources")
            return None
        sources = self.sources(raw, key, "text")
        return PlanText(self.text(raw.get("text"), f"{key}.text"), sources)

    def keyed(self, raw: Any, key: str, expected: tuple[str, ...]) -> dict[str, PlanText]:
        """A table of sourced texts with exactly the ``expected`` keys, in that order."""
        if not isinstance(raw, dict):
            self.add(key, "missing table")
            return {}
        self.keys(raw, key, expected)
        out = {}
        for name in expected:
            if name not in raw:
                self.add(f"{key}.{name}", "missing text")
                continue
            found = self.sourced(raw[name], f"{key}.{name}")
            if found:
                out[name] = found
        return out

    def headings(self, raw: Any) -> dict[str, str]:
        if not isinstance(raw, dict):
            self.add("headings", "missing table")
            return {}
        self.keys(raw, "headings", HEADINGS)
        out = {}
        for name in HEADINGS:
            out[name] = self.text(raw.get(name), f"headings.{name}")
            self.question_heading(out[name], f"headings.{name}", self.lang)
        return out

    def steps(self, raw: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The checklist items and their sources."""
        if not isinstance(raw, dict):
            self.add("steps", "must be a table with items and sources")
            return (), ()
        sources = self.sources(raw, "steps", "items")
        items = raw.get("items")
        if not isinstance(items, list) or not items:
            self.add("steps.items", "must be a non-empty list of action steps")
            return (), sources
        return tuple(self.text(item, f"steps.items[{i}]") for i, item in enumerate(items)), sources


def _wording(
    raw: Any, lang: str, references: set[str], rules: IntegrationRules, problems: Problems
) -> PlanWording | None:
    read = _Reader(problems, references, lang)
    if not isinstance(raw, dict):
        read.add("(table)", "missing: the plan needs its wording in every language")
        return None
    before = len(problems)
    for unknown in sorted(set(raw) - LANG_KEYS):
        read.add(unknown, "unknown key")
    fields = {name: read.text(raw.get(name), name, allowed) for name, allowed in FIELDS.items()}
    headings = read.headings(raw.get("headings"))
    intro = read.sourced(raw.get("timing_intro"), "timing_intro")
    timing_ids = tuple(t.id for t in rules.timing)
    timing = read.keyed(raw.get("timing"), "timing", timing_ids)
    for timing_id, plain in timing.items():
        rule = next(t for t in rules.timing if t.id == timing_id)
        extra = sorted(set(plain.sources) - set(rule.statement.sources))
        if extra:
            read.add(
                f"timing.{timing_id}.sources",
                f"'{extra[0]}' is not a source of the picker rule's timing statement "
                f"(allowed: {', '.join(rule.statement.sources)})",
            )
    with_ketamine = read.keyed(raw.get("with_ketamine"), "with_ketamine", rules.candidates)
    known_raw = raw.get("known")
    if not isinstance(known_raw, list) or not known_raw:
        read.add("known", "must be a non-empty array of tables ([[lang.known]])")
        known_raw = []
    known = [read.sourced(item, f"known[{i}]") for i, item in enumerate(known_raw)]
    steps, steps_sources = read.steps(raw.get("steps"))
    if len(problems) > before or intro is None:
        return None
    return PlanWording(
        fields,
        headings,
        intro,
        timing,
        with_ketamine,
        tuple(k for k in known if k),
        steps,
        steps_sources,
    )


def _compare(first: PlanWording, other: PlanWording, lang: str, problems: Problems) -> None:
    """Both languages state the same facts: the same sources text by text."""

    def check(key: str, a: PlanText, b: PlanText) -> None:
        if set(a.sources) != set(b.sources):
            problems.add(
                PLAN_FILE,
                f"{lang}.{key}.sources",
                f"{sorted(b.sources)} where {LANGUAGES[0]} has {sorted(a.sources)}; "
                "both languages state the same facts",
            )

    check("timing_intro", first.timing_intro, other.timing_intro)
    check("steps", PlanText("", first.steps_sources), PlanText("", other.steps_sources))
    for group in ("timing", "with_ketamine"):
        for key, text in getattr(first, group).items():
            check(f"{group}.{key}", text, getattr(other, group)[key])
    counts = {
        "known": (len(first.known), len(other.known)),
        "steps.items": (len(first.steps), len(other.steps)),
    }
    for key, (a, b) in counts.items():
        if a != b:
            problems.add(PLAN_FILE, f"{lang}.{key}", f"{b} entries where {LANGUAGES[0]} has {a}")
    for index, (a, b) in enumerate(zip(first.known, other.known, strict=False)):
        check(f"known[{index}]", a, b)


def _timing_only_for(
    raw: Any, rules: IntegrationRules, problems: Problems
) -> dict[str, tuple[str, ...]]:
    """``timing_only_for``: timing id → the therapies whose plan prints that timing text."""
    if raw is None:
        return {}
    r = Reader(problems, PLAN_FILE, "wording")
    ids = tuple(t.id for t in rules.timing)
    if not isinstance(raw, dict):
        r.add("timing_only_for", "must be a table of timing id = [therapies]")
        return {}
    out = {}
    for timing_id, modalities in raw.items():
        if timing_id not in ids:
            r.add(f"timing_only_for.{timing_id}", f"not a timing id (allowed: {', '.join(ids)})")
        elif (
            not isinstance(modalities, list)
            or not modalities
            or not set(modalities) <= set(rules.candidates)
        ):
            r.add(
                f"timing_only_for.{timing_id}",
                f"must be a non-empty list of candidates (allowed: {', '.join(rules.candidates)})",
            )
        else:
            out[timing_id] = tuple(modalities)
    return out


def _top(raw: dict[str, Any], handouts: HandoutLibrary, problems: Problems) -> dict[str, Any]:
    r = Reader(problems, PLAN_FILE, "wording")
    r.keys(raw, "", TOP_KEYS)
    reviewed = r.date(raw, "reviewed", "")
    call_from = raw.get("call_from_handout")
    if call_from not in handouts.ids:
        r.add(
            "call_from_handout",
            f"{call_from!r} is not a handout (allowed: {', '.join(handouts.ids)})",
        )
    sections = raw.get("session_sections")
    if not isinstance(sections, list) or not sections or not all(s in SECTIONS for s in sections):
        r.add(
            "session_sections",
            f"must be a non-empty list of knowledge-base sections (allowed: {', '.join(SECTIONS)})",
        )
        sections = []
    return {"reviewed": reviewed, "call_from": call_from, "session_sections": tuple(sections)}


def load_plan(
    root: Path,
    problems: Problems,
    references: set[str],
    rules: IntegrationRules | None,
    handouts: HandoutLibrary | None,
) -> PlanTexts | None:
    """``documents/integration_plan.toml``, validated against the rules and handouts."""
    raw = read_toml(root / PLAN_FILE, PLAN_FILE, problems, "wording")
    if raw is None or rules is None or handouts is None:
        return None
    before = len(problems)
    top = _top(raw, handouts, problems)
    top["timing_only_for"] = _timing_only_for(raw.get("timing_only_for"), rules, problems)
    pemat = pemat_answers(raw.get("pemat"), PLAN_FILE, handouts.pemat_items, problems)
    wording = {}
    for lang in LANGUAGES:
        found = _wording(raw.get(lang), lang, references, rules, problems)
        if found:
            wording[lang] = found
    if len(wording) == len(LANGUAGES):
        for lang in LANGUAGES[1:]:
            _compare(wording[LANGUAGES[0]], wording[lang], lang, problems)
    if len(problems) > before:
        return None
    return PlanTexts(wording=wording, pemat=pemat, **top)


def _session_blocks(
    modality: Modality, sections: tuple[str, ...], wording: PlanWording, lang: str
) -> tuple[list[Block], date]:
    """What sessions look like: the first plain statement of each chosen KB section."""
    items: list[str] = []
    sources: list[str] = []
    reviewed = modality.plain_summary.reviewed
    for section in sections:
        statement = next((s for s in modality.sections.get(section, ()) if s.plain(lang)), None)
        if statement is None:
            if section == "course":
                items.append(wording.fields["no_course"])
            continue
        text = statement.plain(lang) or ""
        if text not in items:
            items.append(text)
            sources += statement.sources
            reviewed = max(reviewed, statement.reviewed)
    return [Block("bullets", items=tuple(items), sources=tuple(dict.fromkeys(sources)))], reviewed


def _paragraph(text: PlanText) -> Block:
    return Block("paragraph", text=text.text, sources=text.sources)


def plan_handout(
    texts: PlanTexts,
    handouts: HandoutLibrary,
    entry: Modality,
    lang: str,
    available: bool,
) -> Handout:
    """The plan for one therapy in one language, shaped as a handout."""
    wording = texts.wording[lang]
    short, name = entry.display_short_name(lang), entry.display_name(lang)
    heading = wording.headings
    call_handout = handouts.get(texts.call_from, lang)
    call = next(b for b in call_handout.blocks if b.type == "call")
    summary = entry.plain_summary
    what = [
        Block("heading", text=heading["what"]),
        Block("paragraph", text=wording.fields["therapy"].format(name=name)),
        Block("paragraph", text=summary.plain(lang) or "", sources=summary.sources),
    ]
    if not available:
        what.append(Block("paragraph", text=wording.fields["refer_out"]))
    sessions, reviewed = _session_blocks(entry, texts.session_sections, wording, lang)
    timing = texts.timing_for(lang, entry.id)
    blocks = [
        *what,
        Block("heading", text=heading["sessions"]),
        *sessions,
        Block("heading", text=heading["when"]),
        _paragraph(wording.timing_intro),
        *(Block("bullets", items=(t.text,), sources=t.sources) for t in timing),
        Block("heading", text=heading["known"]),
        _paragraph(wording.with_ketamine[entry.id]),
        *(_paragraph(text) for text in wording.known),
        Block("heading", text=heading["do"]),
        Block("steps", items=wording.steps, sources=wording.steps_sources),
        Block("heading", text=heading["call"]),
        call,
    ]
    return Handout(
        id=f"integration-plan-{entry.id}",
        lang=lang,
        title=wording.fields["title"],
        purpose=wording.fields["purpose"].format(short=short),
        reviewed=max(texts.reviewed, reviewed, call_handout.reviewed),
        blocks=tuple(blocks),
        pemat=texts.pemat,
        file=PLAN_FILE,
    )


def plan_key(modality: str, lang: str, available: bool) -> str:
    """The key of a plan's measured readability in ``PlanTexts.readability``."""
    return f"{modality}/{lang}/{'offered' if available else 'refer-out'}"
