"""Rating scales (resources/scales/): PHQ-9, GAD-7, PCL-5, the derived PHQ-2 and GAD-2,
the registry of scales kapdesk does not ship, and the printed forms' fixed wording.

Item texts, options, scores, bands, cut-offs, licences and the item-9 prompt are data
taken from ``shared/clinical/scales-monitoring.md``; every text carries its provenance and
every clinical statement its sources and evidence type. The loader checks every key and
reports each problem as ``file: key: what is wrong`` (keys by scale, language, band,
cut-off or flag id), all at once. The objects are frozen dataclasses of plain types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.content.model import LANGUAGES, Sourced
from kapdesk.content.problems import Problems, Reader, join, parity, read_toml

KIND = "scales"
FOLDER = "scales"
SHIPPED = ("phq9", "gad7", "pcl5", "phq2", "gad2")
REGISTRY_FILE = "not_shipped.toml"
FORMS_FILE = "forms.toml"
FORM_KEYS = ("name", "date", "office_coding", "column_total", "total_score", "item_number")

SCALE_KEYS = {
    "id",
    "short_name",
    "name",
    "reviewed",
    "languages",
    "scores",
    "scoring",
    "bands",
    "band",
    "cutoff",
    "item_flag",
    "cluster",
    "provisional",
    "licence",
    "lang",
}
DERIVED_KEYS = {"id", "short_name", "name", "reviewed", "parent", "items", "scoring", "cutoff"}
STATEMENT_KEYS = {"text", "sources", "evidence"}
LANG_KEYS = {
    "title",
    "instruction",
    "stem",
    "options",
    "items",
    "function_question",
    "function_options",
    "footer",
    "provenance",
    "sources",
}
LICENCE_KEYS = {"statement", "statement_source", "attribution", "sources"}


@dataclass(frozen=True)
class Band:
    """A severity band ``low``–``high`` (inclusive); an empty label is shown by its range."""

    low: int
    high: int
    label: str

    @property
    def display(self) -> str:
        """The label, or the range ("0–4") where the sources give no standard name."""
        return self.label or f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Cutoff:
    """A total at or above ``at_least`` (up to ``up_to`` for a cut-point range)."""

    id: str
    at_least: int
    up_to: int | None
    text: str
    within: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class ItemFlag:
    """Raised when item ``item`` is answered between ``low`` and ``high`` (inclusive)."""

    id: str
    item: int
    low: int
    high: int
    safety: bool
    text: str
    detail: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Cluster:
    """Items ``first``–``last``; the provisional rule needs ``need`` of them endorsed."""

    id: str
    label: str
    first: int
    last: int
    need: int

    @property
    def items(self) -> tuple[int, ...]:
        """The item numbers of this cluster."""
        return tuple(range(self.first, self.last + 1))


@dataclass(frozen=True)
class Provisional:
    """The PCL-5 provisional DSM-5 rule: an item at ``endorsed_at`` or more counts."""

    endorsed_at: int
    text: str
    positive: str
    unknown: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Licence:
    """The licence statement (verbatim, with where it was read) and the attribution."""

    statement: str
    statement_source: str
    attribution: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ScaleText:
    """One language's text of a scale, verbatim from the copy named in ``provenance``."""

    lang: str
    title: str
    instruction: str
    stem: str
    options: tuple[str, ...]
    items: tuple[str, ...]
    function_question: str
    function_options: tuple[str, ...]
    footer: str
    provenance: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Scale:
    """A shipped scale; a derived one (PHQ-2, GAD-2) names its ``parent`` and items."""

    id: str
    short_name: str
    name: str
    reviewed: date
    scores: tuple[int, ...]
    scoring: Sourced
    bands: tuple[Band, ...]
    bands_note: Sourced | None
    cutoffs: tuple[Cutoff, ...]
    item_flags: tuple[ItemFlag, ...]
    clusters: tuple[Cluster, ...]
    provisional: Provisional | None
    licence: Licence
    texts: dict[str, ScaleText]
    parent: str | None = None
    parent_items: tuple[int, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this scale ships in."""
        return tuple(self.texts)

    @property
    def item_count(self) -> int:
        """The number of scored items."""
        return len(next(iter(self.texts.values())).items)

    @property
    def max_score(self) -> int:
        """The highest answer to one item."""
        return self.scores[-1]

    @property
    def max_total(self) -> int:
        """The highest possible total."""
        return self.max_score * self.item_count

    def band_for(self, total: int) -> Band | None:
        """The band holding ``total``, or None for a scale without bands."""
        return next((b for b in self.bands if b.low <= total <= b.high), None)


@dataclass(frozen=True)
class NotShipped:
    """A scale kapdesk does not ship, with the reason from the sheets."""

    id: str
    short_name: str
    name: str
    status: str
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ScaleLibrary:
    """Everything under resources/scales/."""

    scales: dict[str, Scale]
    not_shipped: tuple[NotShipped, ...]
    forms: dict[str, dict[str, str]]

    def source_ids(self) -> tuple[str, ...]:
        """Every reference id cited by the scales and the registry, in first-use order."""
        ids: list[str] = []
        for scale in self.scales.values():
            ids += scale.scoring.sources
            if scale.bands_note:
                ids += scale.bands_note.sources
            for part in (*scale.cutoffs, *scale.item_flags):
                ids += part.sources
            if scale.provisional:
                ids += scale.provisional.sources
            ids += scale.licence.sources
            for text in scale.texts.values():
                ids += text.sources
        for entry in self.not_shipped:
            ids += entry.sources
        return tuple(dict.fromkeys(ids))


# --- reading ------------------------------------------------------------------------------


class _ScaleReader(Reader):
    """The shared checks plus the few a scale file needs."""

    def whole(self, raw: Mapping[str, Any], key: str, where: str, low: int, high: int) -> int:
        value = self.number(raw, key, where, minimum=low, maximum=high, integer=True)
        return int(value) if value is not None else low

    def strings(self, raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        return self.texts(raw, key, where)

    def tables(self, raw: Mapping[str, Any], key: str) -> list[Any]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            self.add(key, "must be a list of tables ([[" + key + "]])")
            return []
        return value


def _scores(reader: _ScaleReader, raw: Mapping[str, Any]) -> tuple[int, ...]:
    value = raw.get("scores")
    if (
        not isinstance(value, list)
        or len(value) < 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or value != list(range(len(value)))
    ):
        reader.add("scores", "must be the option scores 0, 1, 2, … in order (e.g. [0, 1, 2, 3])")
        return (0, 1, 2, 3)
    return tuple(value)


def _text(reader: _ScaleReader, raw: Any, lang: str, scores: tuple[int, ...]) -> ScaleText | None:
    where = f"lang.{lang}"
    table = reader.table(raw, where)
    if table is None:
        return None
    reader.keys(table, where, LANG_KEYS, {"title", "instruction", "options", "items", "provenance"})
    options = reader.strings(table, "options", where)
    if options and len(options) != len(scores):
        reader.add(
            join(where, "options"),
            f"{len(options)} options for {len(scores)} scores: one option per score",
        )
    function_question = reader.text(table, "function_question", where, optional=True)
    function_options: tuple[str, ...] = ()
    if function_question:
        function_options = reader.strings(table, "function_options", where)
    elif "function_options" in table:
        reader.add(join(where, "function_options"), "only with a function_question")
    footer = table.get("footer", "")
    if not isinstance(footer, str):
        reader.add(join(where, "footer"), 'must be text ("" for none)')
        footer = ""
    return ScaleText(
        lang=lang,
        title=reader.text(table, "title", where),
        instruction=reader.text(table, "instruction", where),
        stem=reader.text(table, "stem", where, optional=True),
        options=options,
        items=reader.strings(table, "items", where),
        function_question=function_question,
        function_options=function_options,
        footer=footer.strip(),
        provenance=reader.text(table, "provenance", where),
        sources=reader.sources(table, where),
    )


def _bands(reader: _ScaleReader, raw: Mapping[str, Any], max_total: int) -> tuple[Band, ...]:
    bands: list[Band] = []
    for entry in reader.tables(raw, "band"):
        where = f"band.{entry.get('low', '?')}" if isinstance(entry, dict) else "band"
        table = reader.table(entry, where)
        if table is None:
            continue
        reader.keys(table, where, {"low", "high", "label"}, {"low", "high", "label"})
        label = table.get("label")
        if not isinstance(label, str):
            reader.add(join(where, "label"), 'must be text ("" to show the band by its range)')
            label = ""
        low = reader.whole(table, "low", where, 0, max_total)
        high = reader.whole(table, "high", where, 0, max_total)
        if high < low:
            reader.add(join(where, "high"), f"{high} is below low {low}")
        bands.append(Band(low, high, label.strip()))
    if bands:
        expected = 0
        for band in bands:
            if band.low != expected:
                reader.add(
                    f"band.{band.low}.low", f"bands must run on without gaps: expected {expected}"
                )
            expected = band.high + 1
        if expected != max_total + 1:
            reader.add(f"band.{bands[-1].low}.high", f"the last band must end at {max_total}")
    return tuple(bands)


def _cutoffs(
    reader: _ScaleReader, raw: Mapping[str, Any], max_total: int, seen: set[str]
) -> tuple[Cutoff, ...]:
    cutoffs: list[Cutoff] = []
    for entry in reader.tables(raw, "cutoff"):
        table = reader.table(entry, "cutoff")
        if table is None:
            continue
        ident = reader.identifier(table, "cutoff", seen)
        where = f"cutoff.{ident or '?'}"
        reader.keys(
            table,
            where,
            {"id", "at_least", "up_to", "within", *STATEMENT_KEYS},
            {"id", "at_least", *STATEMENT_KEYS},
        )
        at_least = reader.whole(table, "at_least", where, 1, max_total)
        up_to = None
        within = ""
        if "up_to" in table:
            up_to = reader.whole(table, "up_to", where, at_least, max_total)
            within = reader.text(table, "within", where)
            reader.placeholders(within, {"total"}, join(where, "within"))
        elif "within" in table:
            reader.add(join(where, "within"), "only with up_to (a cut-point range)")
        statement = reader.sourced(table, where, extra=("id", "at_least", "up_to", "within"))
        if statement:
            reader.placeholders(statement.text, {"total"}, join(where, "text"))
            cutoffs.append(
                Cutoff(
                    ident,
                    at_least,
                    up_to,
                    statement.text,
                    within,
                    statement.sources,
                    statement.evidence,
                )
            )
    return tuple(cutoffs)


def _item_flags(
    reader: _ScaleReader, raw: Mapping[str, Any], items: int, max_score: int, seen: set[str]
) -> tuple[ItemFlag, ...]:
    flags: list[ItemFlag] = []
    for entry in reader.tables(raw, "item_flag"):
        table = reader.table(entry, "item_flag")
        if table is None:
            continue
        ident = reader.identifier(table, "item_flag", seen)
        where = f"item_flag.{ident or '?'}"
        fixed = ("id", "item", "from", "to", "safety", "detail")
        reader.keys(table, where, {*fixed, *STATEMENT_KEYS}, {*fixed, *STATEMENT_KEYS})
        item = reader.whole(table, "item", where, 1, max(items, 1))
        low = reader.whole(table, "from", where, 0, max_score)
        high = reader.whole(table, "to", where, low, max_score)
        safety = table.get("safety")
        if not isinstance(safety, bool):
            reader.add(join(where, "safety"), "must be true or false")
        detail = reader.text(table, "detail", where)
        statement = reader.sourced(table, where, extra=fixed)
        if statement:
            reader.placeholders(statement.text, {"answer"}, join(where, "text"))
            flags.append(
                ItemFlag(
                    ident,
                    item,
                    low,
                    high,
                    bool(safety),
                    statement.text,
                    detail,
                    statement.sources,
                    statement.evidence,
                )
            )
    return tuple(flags)


def _clusters(reader: _ScaleReader, raw: Mapping[str, Any], items: int) -> tuple[Cluster, ...]:
    clusters: list[Cluster] = []
    seen: set[str] = set()
    for entry in reader.tables(raw, "cluster"):
        table = reader.table(entry, "cluster")
        if table is None:
            continue
        ident = table.get("id")
        if not isinstance(ident, str) or not ident.isalpha() or ident in seen:
            reader.add("cluster.id", f"{ident!r} is not a unique cluster letter")
            continue
        seen.add(ident)
        where = f"cluster.{ident}"
        needed = {"id", "label", "first", "last", "need"}
        reader.keys(table, where, needed, needed)
        first = reader.whole(table, "first", where, 1, max(items, 1))
        last = reader.whole(table, "last", where, first, max(items, 1))
        need = reader.whole(table, "need", where, 1, last - first + 1)
        clusters.append(Cluster(ident, reader.text(table, "label", where), first, last, need))
    if clusters:
        expected = 1
        for cluster in clusters:
            if cluster.first != expected:
                reader.add(
                    f"cluster.{cluster.id}.first",
                    f"clusters must cover the items in order: expected {expected}",
                )
            expected = cluster.last + 1
        if expected != items + 1:
            reader.add(f"cluster.{clusters[-1].id}.last", f"the last cluster must end at {items}")
    return tuple(clusters)


def _provisional(
    reader: _ScaleReader, raw: Mapping[str, Any], max_score: int, has_clusters: bool
) -> Provisional | None:
    if "provisional" not in raw:
        return None
    if not has_clusters:
        reader.add("provisional", "needs [[cluster]] tables")
    fixed = ("endorsed_at", "positive", "unknown")
    table = reader.table(raw["provisional"], "provisional")
    if table is None:
        return None
    reader.keys(table, "provisional", {*fixed, *STATEMENT_KEYS}, {*fixed, *STATEMENT_KEYS})
    endorsed_at = reader.whole(table, "endorsed_at", "provisional", 1, max_score)
    positive = reader.text(table, "positive", "provisional")
    unknown = reader.text(table, "unknown", "provisional")
    statement = reader.sourced(table, "provisional", extra=fixed)
    if statement is None:
        return None
    return Provisional(
        endorsed_at, statement.text, positive, unknown, statement.sources, statement.evidence
    )


def _licence(reader: _ScaleReader, raw: Mapping[str, Any]) -> Licence:
    table = reader.table(raw.get("licence"), "licence") or {}
    reader.keys(table, "licence", LICENCE_KEYS, LICENCE_KEYS)
    return Licence(
        reader.text(table, "statement", "licence"),
        reader.text(table, "statement_source", "licence"),
        reader.text(table, "attribution", "licence"),
        reader.sources(table, "licence"),
    )


def _languages(reader: _ScaleReader, raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = raw.get("languages")
    if (
        not isinstance(value, list)
        or not value
        or any(v not in LANGUAGES for v in value)
        or len(set(value)) != len(value)
    ):
        reader.add(
            "languages", f"must be a list of language codes (allowed: {', '.join(LANGUAGES)})"
        )
        return ()
    return tuple(value)


def _head(reader: _ScaleReader, raw: Mapping[str, Any], file_id: str) -> tuple[str, str, str, date]:
    ident = raw.get("id")
    if ident != file_id:
        reader.add("id", f"{ident!r} must equal the file name ('{file_id}')")
    reviewed = reader.date(raw, "reviewed", "")
    return (
        file_id,
        reader.text(raw, "short_name", ""),
        reader.text(raw, "name", ""),
        reviewed or date.min,
    )


def _scale(reader: _ScaleReader, raw: dict[str, Any], file_id: str) -> Scale:
    reader.keys(
        raw,
        "",
        SCALE_KEYS,
        {
            "id",
            "short_name",
            "name",
            "reviewed",
            "languages",
            "scores",
            "scoring",
            "licence",
            "lang",
        },
    )
    ident, short_name, name, reviewed = _head(reader, raw, file_id)
    scores = _scores(reader, raw)
    languages = _languages(reader, raw)
    lang_tables = raw.get("lang") if isinstance(raw.get("lang"), dict) else {}
    for extra in sorted(set(lang_tables) - set(languages)):
        reader.add(f"lang.{extra}", "a language table not listed in languages")
    texts: dict[str, ScaleText] = {}
    for lang in languages:
        if lang not in lang_tables:
            reader.add(f"lang.{lang}", "missing: every listed language needs its text")
            continue
        text = _text(reader, lang_tables[lang], lang, scores)
        if text:
            texts[lang] = text
    counts = {lang: len(t.items) for lang, t in texts.items() if t.items}
    if len(set(counts.values())) > 1:
        reader.add(
            "lang",
            "languages give different numbers of items: "
            + ", ".join(f"{lang} {n}" for lang, n in counts.items()),
        )
    items = max(counts.values(), default=0)
    max_total = items * scores[-1]
    seen: set[str] = set()
    bands = _bands(reader, raw, max_total)
    bands_note = reader.sourced(raw["bands"], "bands") if "bands" in raw else None
    if bands and bands_note is None:
        reader.add("bands", "missing: bands need a [bands] statement with their sources")
    clusters = _clusters(reader, raw, items)
    return Scale(
        id=ident,
        short_name=short_name,
        name=name,
        reviewed=reviewed,
        scores=scores,
        scoring=reader.sourced(raw.get("scoring"), "scoring") or Sourced("", (), ""),
        bands=bands,
        bands_note=bands_note,
        cutoffs=_cutoffs(reader, raw, max_total, seen),
        item_flags=_item_flags(reader, raw, items, scores[-1], seen),
        clusters=clusters,
        provisional=_provisional(reader, raw, scores[-1], bool(clusters)),
        licence=_licence(reader, raw),
        texts=texts,
    )


def _derived(
    reader: _ScaleReader, raw: dict[str, Any], file_id: str, parents: Mapping[str, Scale]
) -> Scale | None:
    reader.keys(raw, "", DERIVED_KEYS, DERIVED_KEYS - {"cutoff"})
    ident, short_name, name, reviewed = _head(reader, raw, file_id)
    parent = parents.get(str(raw.get("parent")))
    if parent is None:
        reader.add("parent", f"{raw.get('parent')!r} is not a shipped scale file")
        return None
    chosen = raw.get("items")
    if (
        not isinstance(chosen, list)
        or not chosen
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in chosen)
        or any(not 1 <= i <= parent.item_count for i in chosen)
        or len(set(chosen)) != len(chosen)
    ):
        reader.add("items", f"must be a list of {parent.short_name} item numbers")
        return None
    max_total = parent.max_score * len(chosen)
    texts = {
        lang: ScaleText(
            lang=lang,
            title=short_name,
            instruction=text.instruction,
            stem=text.stem,
            options=text.options,
            items=tuple(text.items[i - 1] for i in chosen),
            function_question="",
            function_options=(),
            footer="",
            provenance=f"Items {', '.join(map(str, chosen))} of the {parent.short_name} "
            f"({text.provenance})",
            sources=text.sources,
        )
        for lang, text in parent.texts.items()
    }
    return Scale(
        id=ident,
        short_name=short_name,
        name=name,
        reviewed=reviewed,
        scores=parent.scores,
        scoring=reader.sourced(raw.get("scoring"), "scoring") or Sourced("", (), ""),
        bands=(),
        bands_note=None,
        cutoffs=_cutoffs(reader, raw, max_total, set()),
        item_flags=(),
        clusters=(),
        provisional=None,
        licence=parent.licence,
        texts=texts,
        parent=parent.id,
        parent_items=tuple(chosen),
    )


def _registry(
    reader: _ScaleReader, raw: dict[str, Any], shipped: set[str]
) -> tuple[NotShipped, ...]:
    reader.keys(raw, "", {"reviewed", "scale"}, {"reviewed", "scale"})
    reader.date(raw, "reviewed", "")
    entries: list[NotShipped] = []
    seen: set[str] = set()
    needed = {"id", "short_name", "name", "status", "reason", "sources"}
    for entry in reader.tables(raw, "scale"):
        table = reader.table(entry, "scale")
        if table is None:
            continue
        ident = reader.identifier(table, "scale", seen)
        where = f"scale.{ident or '?'}"
        reader.keys(table, where, needed, needed)
        if ident in shipped:
            reader.add(join(where, "id"), "a shipped scale cannot be listed as not shipped")
        status = reader.text(table, "status", where)
        if status and not status.startswith("not shipped"):
            reader.add(join(where, "status"), "must say why it is not shipped ('not shipped: …')")
        entries.append(
            NotShipped(
                ident,
                reader.text(table, "short_name", where),
                reader.text(table, "name", where),
                status,
                reader.text(table, "reason", where),
                reader.sources(table, where),
            )
        )
    return tuple(entries)


def _forms(reader: _ScaleReader, raw: dict[str, Any]) -> dict[str, dict[str, str]]:
    reader.keys(raw, "", LANGUAGES, LANGUAGES)
    forms: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        table = reader.table(raw.get(lang, {}), lang) or {}
        reader.keys(table, lang, FORM_KEYS, FORM_KEYS)
        forms[lang] = {key: reader.text(table, key, lang) for key in FORM_KEYS}
    if all(isinstance(raw.get(lang), dict) for lang in LANGUAGES):
        parity(reader, "", raw["en"], raw["es"])
    return forms


def load_scales(root: Path, problems: Problems, references: set[str]) -> ScaleLibrary | None:
    """Read and check every file under ``root``/scales; None when any problem was found."""
    folder = root / FOLDER
    start = len(problems)

    def read(name: str) -> tuple[_ScaleReader, dict[str, Any] | None]:
        rel = f"{FOLDER}/{name}"
        reader = _ScaleReader(problems, rel, KIND, references)
        return reader, read_toml(folder / name, rel, problems, KIND)

    known = {f"{name}.toml" for name in SHIPPED} | {REGISTRY_FILE, FORMS_FILE}
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            if path.name not in known:
                problems.add(
                    f"{FOLDER}/{path.name}",
                    "(file)",
                    f"not a scales file (known: {', '.join(sorted(known))})",
                    KIND,
                )
    scales: dict[str, Scale] = {}
    for name in SHIPPED:
        reader, raw = read(f"{name}.toml")
        if raw is None:
            continue
        if "parent" in raw:
            scale = _derived(reader, raw, name, scales)
        else:
            scale = _scale(reader, raw, name)
        if scale is not None:
            scales[name] = scale
    reader, raw = read(REGISTRY_FILE)
    registry = _registry(reader, raw, set(SHIPPED)) if raw is not None else ()
    reader, raw = read(FORMS_FILE)
    forms = _forms(reader, raw) if raw is not None else {}
    if len(problems) > start:
        return None
    return ScaleLibrary(scales, registry, forms)
