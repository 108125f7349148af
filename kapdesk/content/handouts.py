"""The patient handout library: texts validated, measured for readability, PEMAT-scored.

Handout texts are data: one TOML file per handout and language under
``resources/handouts/{en,es}/`` (format in ``resources/handouts/README.md``), listed
and given their targets in ``resources/handouts/library.toml``. The loader reports
every problem as ``file: key: what is wrong`` before any text is used, so a broken
text never reaches a patient.

Readability is measured with textstat on exactly the text the renderer prints (title,
purpose, blocks, the fixed box labels and the review line; not the clinic's own
details), so the score shown in the app and stored in the PDF is the score of what
the patient reads. No reportlab and no Qt are imported here at load time: the GUI
lists the library on its worker without either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from kapdesk.content.model import LANGUAGES, MODALITY_IDS
from kapdesk.content.problems import Problems, Reader, nonempty_str
from kapdesk.content.problems import read_toml as _read_toml
from kapdesk.errors import UserInputError

BLOCK_KEYS: dict[str, frozenset[str]] = {
    "heading": frozenset({"text"}),
    "paragraph": frozenset({"text", "sources"}),
    "bullets": frozenset({"items", "sources"}),
    "steps": frozenset({"items", "sources"}),
    "call": frozenset({"clinic", "emergency", "sources"}),
}
HANDOUT_KEYS = frozenset({"id", "lang", "title", "purpose", "reviewed", "blocks", "pemat"})
METRICS = ("flesch_kincaid_grade", "fernandez_huerta")
PEMAT_SCALES = ("understandability", "actionability")
PEMAT_NA = "na"
STRING_KEYS = (
    "language",
    "bundle_title",
    "contents",
    "contents_page",
    "patient",
    "appointment",
    "note",
    "call_clinic",
    "clinic_phone",
    "after_hours",
    "call_emergency",
    "write_in",
    "reviewed",
    "no_phone",
    "therapist",
    "first_session",
    "frequency",
)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SENTENCE_END = (".", "!", "?")


@dataclass(frozen=True)
class Block:
    """One block of a handout, in reading order."""

    type: str
    text: str = ""
    items: tuple[str, ...] = ()
    clinic: tuple[str, ...] = ()
    emergency: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Handout:
    """One handout in one language."""

    id: str
    lang: str
    title: str
    purpose: str
    reviewed: date
    blocks: tuple[Block, ...]
    pemat: tuple[tuple[str, int | None], ...]  # (item id, 1 agree / 0 disagree / None n/a)
    file: str

    def source_ids(self) -> list[str]:
        """Every reference id the handout cites, in first-cited order."""
        return list(dict.fromkeys(ref for block in self.blocks for ref in block.sources))


@dataclass(frozen=True)
class ReadabilityTarget:
    """The readability formula and target for one language."""

    lang: str
    metric: str
    label: str
    textstat_lang: str
    maximum: float | None = None
    minimum: float | None = None

    def met_by(self, score: float) -> bool:
        if self.maximum is not None:
            return score <= self.maximum
        return self.minimum is not None and score >= self.minimum

    @property
    def description(self) -> str:
        if self.maximum is not None:
            return f"≤ {self.maximum:g}"
        return f"≥ {self.minimum:g}"


@dataclass(frozen=True)
class Readability:
    """A measured score (one decimal, as shown) against its target."""

    score: float
    target: ReadabilityTarget

    @property
    def meets_target(self) -> bool:
        return self.target.met_by(self.score)

    def __str__(self) -> str:
        return f"{self.target.label} {self.score:.1f}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.target.metric,
            "label": self.target.label,
            "score": self.score,
            "target": self.target.description,
            "meets_target": self.meets_target,
        }


@dataclass(frozen=True)
class PematScore:
    """PEMAT-P percentages: agree ÷ applicable items × 100 (None when nothing applies)."""

    understandability: float | None
    actionability: float | None
    target: float

    @property
    def meets_target(self) -> bool:
        return all(
            score is not None and score >= self.target
            for score in (self.understandability, self.actionability)
        )

    @staticmethod
    def percent(score: float | None) -> str:
        return "n/a" if score is None else f"{score:.0f}%"

    def __str__(self) -> str:
        return (
            f"understandable {self.percent(self.understandability)}, "
            f"actionable {self.percent(self.actionability)}"
        )

    def to_dict(self) -> dict[str, Any]:
        def rounded(score: float | None) -> float | None:
            return None if score is None else round(score, 1)

        return {
            "understandability": rounded(self.understandability),
            "actionability": rounded(self.actionability),
            "target": self.target,
            "meets_target": self.meets_target,
        }


@cache
def _textstat(textstat_lang: str):
    """One textstat instance per language, so no call ever changes another's language."""
    from textstat.textstat import textstatistics

    stats = textstatistics()
    stats.set_lang(textstat_lang)
    return stats


def score_key(text: str, target: ReadabilityTarget) -> str:
    """The key of a measured score: the formula and the exact text measured."""
    return hashlib.sha256(f"{target.metric}\0{text}".encode()).hexdigest()[:24]


class ScoreBook:
    """Readability scores by :func:`score_key`: an earlier build's, and this build's.

    A text measured by an earlier build is not measured again (loading the English
    pronouncing dictionary is most of a build's time); ``used`` is what this build kept.
    """

    def __init__(self, known: dict[str, float] | None = None) -> None:
        self.known = dict(known or {})
        self.used: dict[str, float] = {}

    def measure(self, text: str, target: ReadabilityTarget) -> Readability:
        """The score of ``text``, measured only if no earlier build measured it."""
        key = score_key(text, target)
        score = self.known.get(key)
        if score is None:
            score = measure(text, target).score
        self.used[key] = score
        return Readability(score, target)


def measure(text: str, target: ReadabilityTarget) -> Readability:
    """Score ``text`` with the target's formula (textstat, offline)."""
    stats = _textstat(target.textstat_lang)
    formula = {
        "flesch_kincaid_grade": stats.flesch_kincaid_grade,
        "fernandez_huerta": stats.fernandez_huerta,
    }[target.metric]
    return Readability(round(formula(text), 1), target)


def measurable(units: list[str]) -> str:
    """Join printed units as sentences: a unit without end punctuation ends there anyway.

    Every title, heading, list item and box label is read as a unit of its own; without
    a full stop textstat would run a list into one endless sentence.
    """
    return "\n".join(u if u.endswith(_SENTENCE_END) else u + "." for u in units)


def text_key(handout_id: str, lang: str) -> str:
    """The key of one handout text in one language."""
    return f"{handout_id}/{lang}"


@dataclass(frozen=True)
class HandoutLibrary:
    """Every handout in every language, with the targets and printed wording."""

    ids: tuple[str, ...]
    texts: dict[str, Handout]  # by text_key(id, lang)
    modalities: dict[str, tuple[str, ...]]
    targets: dict[str, ReadabilityTarget]
    pemat_items: dict[str, dict[str, str]]  # scale -> item id -> wording
    pemat_target: float
    strings: dict[str, dict[str, Any]]
    # Measured when the knowledge base is built, by text_key(id, lang).
    scores: dict[str, Readability] = field(default_factory=dict)

    def check_lang(self, lang: str) -> str:
        """``lang`` if handouts exist in it; else UserInputError listing the languages."""
        if lang not in LANGUAGES:
            raise UserInputError(
                f"lang: '{lang}' is not a handout language; valid languages: "
                + ", ".join(LANGUAGES)
            )
        return lang

    def check_topic(self, handout_id: str) -> str:
        """``handout_id`` if it is a handout; else UserInputError listing the topics."""
        if handout_id not in self.ids:
            raise UserInputError(
                f"topic: '{handout_id}' is not a handout; valid topics: " + ", ".join(self.ids)
            )
        return handout_id

    def get(self, handout_id: str, lang: str = "en") -> Handout:
        """The handout, or UserInputError listing the valid topics or languages."""
        return self.texts[text_key(self.check_topic(handout_id), self.check_lang(lang))]

    def languages(self, handout_id: str) -> list[str]:
        """The languages this handout is written in, in the standard order."""
        return [lang for lang in LANGUAGES if text_key(handout_id, lang) in self.texts]

    def for_modality(self, modality_id: str) -> str | None:
        """The handout that explains a modality, if there is one."""
        return next((hid for hid in self.ids if modality_id in self.modalities[hid]), None)

    def format_date(self, day: date, lang: str) -> str:
        """``day`` in words of ``lang`` (Babel's CLDR data, not a hand-written table)."""
        from kapdesk.dates import format_date

        return format_date(day, lang)

    def reviewed_line(self, handout: Handout) -> str:
        date_text = self.format_date(handout.reviewed, handout.lang)
        return self.strings[handout.lang]["reviewed"].format(date=date_text)

    def printed_units(self, handout: Handout) -> list[str]:
        """The handout's own printed text, unit by unit, in reading order.

        The renderer prints exactly these strings (plus the clinic's details and the
        optional patient section, which are not the handout's text).
        """
        text = self.strings[handout.lang]
        units = [handout.title, handout.purpose, self.reviewed_line(handout)]
        for block in handout.blocks:
            if block.type in ("heading", "paragraph"):
                units.append(block.text)
            elif block.type in ("bullets", "steps"):
                units.extend(block.items)
            else:
                units += [text["call_clinic"], *block.clinic]
                units += [text["call_emergency"], *block.emergency]
        return units

    def readability(self, handout: Handout) -> Readability:
        """The score measured when the knowledge base was built."""
        return self.scores[text_key(handout.id, handout.lang)]

    def measured(self, book: ScoreBook | None = None) -> HandoutLibrary:
        """This library with every text's readability measured (build time only)."""
        book = book or ScoreBook()
        scores = {
            key: book.measure(measurable(self.printed_units(handout)), self.targets[handout.lang])
            for key, handout in self.texts.items()
        }
        return replace(self, scores=scores)

    def pemat(self, handout: Handout) -> PematScore:
        answers = dict(handout.pemat)
        scores = []
        for scale in PEMAT_SCALES:
            applicable = [
                answers[item] for item in self.pemat_items[scale] if answers[item] is not None
            ]
            scores.append(100 * sum(applicable) / len(applicable) if applicable else None)
        return PematScore(scores[0], scores[1], self.pemat_target)

    def describe(self, handout_id: str) -> str:
        """One line for a terminal: id, languages, reading level and PEMAT-P by language."""
        parts = [f"{handout_id:<28}", ", ".join(self.languages(handout_id))]
        for lang in self.languages(handout_id):
            handout = self.texts[text_key(handout_id, lang)]
            readability = self.readability(handout)
            flag = "" if readability.meets_target else f" (target {readability.target.description})"
            parts.append(f"{lang}: {readability}{flag}, PEMAT-P {self.pemat(handout)}")
        return "  ".join(parts)

    def summary(self) -> list[dict[str, Any]]:
        """One row per handout: titles, languages, readability and PEMAT by language."""
        rows = []
        for hid in self.ids:
            langs = self.languages(hid)
            texts = {lang: self.texts[text_key(hid, lang)] for lang in langs}
            rows.append(
                {
                    "id": hid,
                    "title": texts[langs[0]].title,
                    "languages": langs,
                    "titles": {lang: t.title for lang, t in texts.items()},
                    "modalities": list(self.modalities[hid]),
                    "reviewed": {lang: t.reviewed.isoformat() for lang, t in texts.items()},
                    "readability": {
                        lang: self.readability(t).to_dict() for lang, t in texts.items()
                    },
                    "pemat": {lang: self.pemat(t).to_dict() for lang, t in texts.items()},
                }
            )
        return rows


# --- loading ------------------------------------------------------------------------------


def read_toml(path: Path, rel: str, problems: Problems) -> dict[str, Any] | None:
    """A handout-kind file, parsed (problems recorded)."""
    return _read_toml(path, rel, problems, "handout")


def check_text(text: str, rel: str, key: str, problems: Problems) -> None:
    """Plain-language rules the code can check, and that the bundled fonts can draw it."""
    Reader(problems, rel, "handout").printable(text, key)


def _block(raw: Any, r: Reader, key: str, lang: str) -> Block | None:
    if r.table(raw, key, "a table ([[blocks]])") is None:
        return None
    kind = r.choice(raw, "type", key, BLOCK_KEYS, "a block type")
    if not kind:
        return None
    r.keys(raw, key, BLOCK_KEYS[kind] | {"type"})
    fields: dict[str, Any] = {"type": kind}
    for name in sorted(BLOCK_KEYS[kind] - {"sources"}):
        if name == "text":
            fields["text"] = r.printable(r.text(raw, "text", key), f"{key}.text")
        else:
            items = r.texts(raw, name, key)
            fields[name] = tuple(
                r.printable(item, f"{key}.{name}[{i}]") for i, item in enumerate(items)
            )
    if kind == "heading":
        r.question_heading(fields["text"], f"{key}.text", lang)
    fields["sources"] = r.sources(raw, key, may_be_empty=True)
    return Block(**fields)


def pemat_answers(
    raw: Any, rel: str, items: dict[str, dict[str, str]], problems: Problems
) -> tuple[tuple[str, int | None], ...]:
    if not isinstance(raw, dict):
        problems.add(rel, "pemat", "missing: the PEMAT-P self-audit (u1 … u17, a1 … a7)")
        return ()
    expected = [item for scale in PEMAT_SCALES for item in items.get(scale, {})]
    for unknown in sorted(set(raw) - set(expected)):
        problems.add(rel, f"pemat.{unknown}", "not a PEMAT-P item in pemat.toml")
    answers = []
    for item in expected:
        value = raw.get(item)
        if value is None:
            problems.add(rel, f"pemat.{item}", 'missing answer (1, 0 or "na")')
        elif isinstance(value, bool) or value not in (0, 1, PEMAT_NA):
            problems.add(rel, f"pemat.{item}", f'{value!r} is not 1, 0 or "na"')
        else:
            answers.append((item, None if value == PEMAT_NA else int(value)))
    return tuple(answers)


def _load_handout(
    path: Path,
    rel: str,
    lang: str,
    references: set[str],
    pemat_items: dict[str, dict[str, str]],
    problems: Problems,
) -> Handout | None:
    raw = read_toml(path, rel, problems)
    if raw is None:
        return None
    r = Reader(problems, rel, "handout", references)
    r.keys(raw, "", HANDOUT_KEYS)
    if raw.get("id") != path.stem:
        r.add("id", f"{raw.get('id')!r} must equal the file name '{path.stem}'")
    if raw.get("lang") != lang:
        r.add("lang", f"{raw.get('lang')!r} must equal the folder '{lang}'")
    title = r.printable(r.text(raw, "title", ""), "title")
    purpose = r.printable(r.text(raw, "purpose", ""), "purpose")
    reviewed = r.date(raw, "reviewed", "")
    raw_blocks = raw.get("blocks")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        r.add("blocks", "missing: a handout needs its blocks ([[blocks]])")
        raw_blocks = []
    found = [_block(item, r, f"blocks[{i}]", lang) for i, item in enumerate(raw_blocks)]
    blocks = tuple(block for block in found if block)
    kinds = [b.type for b in blocks]
    if raw_blocks and kinds.count("call") != 1:
        r.add("blocks", f"{kinds.count('call')} call blocks; exactly one is needed")
    if raw_blocks and "steps" not in kinds:
        r.add("blocks", "no steps block; at least one is needed (what to do)")
    pemat = pemat_answers(raw.get("pemat"), rel, pemat_items, problems)
    if not r.clean or reviewed is None:
        return None
    return Handout(raw["id"], lang, title, purpose, reviewed, blocks, pemat, rel)


def _compare_pair(first: Handout, other: Handout, problems: Problems) -> None:
    """Both languages carry the same blocks in the same order, citing the same sources."""
    if len(first.blocks) != len(other.blocks):
        problems.add(
            other.file,
            "blocks",
            f"{len(other.blocks)} blocks where {first.file} has {len(first.blocks)}; "
            "both languages need the same blocks in the same order",
        )
    for index, (a, b) in enumerate(zip(first.blocks, other.blocks, strict=False)):
        if a.type != b.type:
            problems.add(
                other.file,
                f"blocks[{index}].type",
                f"'{b.type}' where {first.file} has '{a.type}'; "
                "both languages need the same blocks in the same order",
            )
        elif set(a.sources) != set(b.sources):
            problems.add(
                other.file,
                f"blocks[{index}].sources",
                f"{sorted(b.sources)} where {first.file} has {sorted(a.sources)}; "
                "both languages state the same facts",
            )


def _load_targets(raw: dict[str, Any], rel: str, problems: Problems):
    targets: dict[str, ReadabilityTarget] = {}
    for lang in LANGUAGES:
        entry = raw.get("readability", {}).get(lang)
        key = f"readability.{lang}"
        if not isinstance(entry, dict):
            problems.add(rel, key, "missing: every language needs a readability target")
            continue
        if entry.get("metric") not in METRICS:
            problems.add(
                rel, f"{key}.metric", f"{entry.get('metric')!r} is not one of " + ", ".join(METRICS)
            )
            continue
        bounds = [b for b in ("max", "min") if isinstance(entry.get(b), int | float)]
        if len(bounds) != 1 or not all(
            nonempty_str(entry.get(k)) for k in ("label", "textstat_lang")
        ):
            problems.add(rel, key, "needs label, textstat_lang and exactly one of max or min")
            continue
        targets[lang] = ReadabilityTarget(
            lang,
            entry["metric"],
            entry["label"],
            entry["textstat_lang"],
            maximum=entry.get("max"),
            minimum=entry.get("min"),
        )
    return targets


def _load_list(raw: dict[str, Any], rel: str, problems: Problems) -> dict[str, tuple[str, ...]]:
    listed: dict[str, tuple[str, ...]] = {}
    entries = raw.get("handouts")
    if not isinstance(entries, list) or not entries:
        problems.add(rel, "handouts", "missing: list the handouts as [[handouts]]")
        return listed
    for index, entry in enumerate(entries):
        key = f"handouts[{index}]"
        hid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(hid, str) or not _ID.match(hid):
            problems.add(rel, f"{key}.id", f"{hid!r} is not an id (lower case words and hyphens)")
            continue
        if hid in listed:
            problems.add(rel, f"{key}.id", f"'{hid}' is listed twice")
        modalities = entry.get("modalities", [])
        unknown = (
            [m for m in modalities if m not in MODALITY_IDS]
            if isinstance(modalities, list)
            else [modalities]
        )
        if unknown:
            problems.add(rel, f"{key}.modalities", f"{unknown[0]!r} is not a modality id")
            continue
        listed[hid] = tuple(modalities)
    return listed


def _load_pemat_items(path: Path, rel: str, problems: Problems) -> dict[str, dict[str, str]]:
    raw = read_toml(path, rel, problems)
    if raw is None:
        return {}
    items: dict[str, dict[str, str]] = {}
    for scale in PEMAT_SCALES:
        table = raw.get(scale)
        if not isinstance(table, dict) or not table:
            problems.add(rel, scale, "missing: the PEMAT-P items of this scale")
            continue
        items[scale] = {
            item: entry.get("text", "") if isinstance(entry, dict) else ""
            for item, entry in table.items()
        }
    return items


def _load_strings(path: Path, rel: str, problems: Problems) -> dict[str, dict[str, Any]]:
    raw = read_toml(path, rel, problems)
    if raw is None:
        return {}
    for lang in LANGUAGES:
        table = raw.get(lang, {})
        for key in STRING_KEYS:
            if not nonempty_str(table.get(key)):
                problems.add(rel, f"{lang}.{key}", "missing wording")
    return raw


def read_library(root: Path, problems: Problems, references: set[str]) -> HandoutLibrary | None:
    """Every handout under ``handouts/``, its list, targets, PEMAT items and fixed wording."""
    before = len(problems)
    config = read_toml(root / "handouts" / "library.toml", "handouts/library.toml", problems)
    if config is None:
        return None
    listed = _load_list(config, "handouts/library.toml", problems)
    targets = _load_targets(config, "handouts/library.toml", problems)
    pemat_target = config.get("pemat", {}).get("target")
    if not isinstance(pemat_target, int | float) or not 0 <= pemat_target <= 100:
        problems.add("handouts/library.toml", "pemat.target", "must be a percentage 0–100")
    pemat_items = _load_pemat_items(
        root / "handouts" / "pemat.toml", "handouts/pemat.toml", problems
    )
    strings = _load_strings(
        root / "documents" / "handout_strings.toml", "documents/handout_strings.toml", problems
    )
    texts: dict[str, Handout] = {}
    for lang in LANGUAGES:
        folder = root / "handouts" / lang
        files = {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}
        for stray in sorted(set(files) - set(listed)):
            problems.add(f"handouts/{lang}/{stray}.toml", "id", "not listed in library.toml")
        for hid in listed:
            rel = f"handouts/{lang}/{hid}.toml"
            if hid not in files:
                problems.add(rel, "(file)", "missing: every handout needs an en and an es text")
                continue
            handout = _load_handout(files[hid], rel, lang, references, pemat_items, problems)
            if handout:
                texts[text_key(hid, lang)] = handout
    for hid in listed:
        pair = [texts.get(text_key(hid, lang)) for lang in LANGUAGES]
        if all(pair):
            _compare_pair(pair[0], pair[1], problems)
    if len(problems) > before:
        return None
    return HandoutLibrary(
        ids=tuple(listed),
        texts=texts,
        modalities=listed,
        targets=targets,
        pemat_items=pemat_items,
        pemat_target=float(pemat_target),
        strings=strings,
    )


def load_library(root: Path | None = None, *, measured: bool = True) -> HandoutLibrary:
    """The handouts of a resources tree on their own; ContentError listing every problem."""
    from kapdesk.content.modalities import load_references
    from kapdesk.errors import ContentError
    from kapdesk.paths import resources_dir

    base = root or resources_dir()
    problems = Problems()
    library = read_library(base, problems, set(load_references(base, problems)))
    if problems or library is None:
        raise ContentError(problems.items)
    return library.measured() if measured else library
