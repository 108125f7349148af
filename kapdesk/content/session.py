"""Read and validate the session-monitoring rules in resources/rules/session.toml.

Schedules, vitals fields, flags and the discharge checklist are data with sources; the
code knows only the small vocabulary of schedule kinds, flag checks and checklist
sources. Every problem is recorded as ``file: key: message`` with keys named by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.content.model import Sourced
from kapdesk.content.problems import Problems, Reader, join, read_toml

FILE = "rules/session.toml"
KIND = "session"
PRODUCTS = ("esketamine", "racemic")
ROUTES = ("iv", "im", "oral-sl", "intranasal")
SCHEDULE_KINDS = ("fixed", "infusion")
FLAG_CHECKS = ("pre-dose-bp", "reading-missed", "discharge-before-minimum", "escort-missing")
CHECKLIST_FROM = ("tick", "discharge-minutes", "escort")
FIELD_IDS = ("systolic", "diastolic", "heart_rate", "spo2")
OBSERVATION_KEYS = (
    "sedation",
    "dissociation",
    "respiratory_depression",
    "nausea_vomiting",
    "other",
)
# The placeholders each flag check fills in.
FLAG_PLACEHOLDERS = {
    "pre-dose-bp": {"systolic", "diastolic"},
    "reading-missed": {"label", "minutes", "schedule"},
    "discharge-before-minimum": {"minutes"},
    "escort-missing": set(),
}
TOP_KEYS = {
    "reviewed",
    "no_abort_threshold",
    "observations_note",
    "products",
    "reading_labels",
    "routes",
    "schedule",
    "field",
    "observations",
    "flag",
    "checklist",
    "checklist_note",
}
PRODUCT_KEYS = {
    "name",
    "routes",
    "doses_mg",
    "dose_max_mg",
    "minimum_observation_minutes",
    "default_schedule",
    "medication_classes",
    "no_schedule",
    "sources",
    "evidence",
}
SCHEDULE_KEYS = {
    "id",
    "name",
    "products",
    "routes",
    "kind",
    "pre_dose",
    "at",
    "infusion_minutes",
    "during_every",
    "after_every",
    "before_discharge",
    "window_minutes",
    "text",
    "sources",
    "evidence",
}
FIELD_KEYS = {"id", "label", "unit", "min", "max"}
FLAG_KEYS = {
    "id",
    "check",
    "products",
    "systolic_above",
    "diastolic_above",
    "message",
    "sources",
    "evidence",
}
CHECKLIST_KEYS = {"id", "text", "products", "from", "sources", "evidence"}


@dataclass(frozen=True)
class Product:
    """A product as the session record knows it."""

    id: str
    name: str
    routes: tuple[str, ...]
    doses_mg: tuple[int, ...]
    dose_max_mg: float
    minimum_observation_minutes: int
    default_schedule: str
    medication_classes: tuple[str, ...]
    no_schedule: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Schedule:
    """When readings are due, from one label or published protocol."""

    id: str
    name: str
    products: tuple[str, ...]
    routes: tuple[str, ...]
    kind: str
    pre_dose: bool
    at: tuple[int, ...]
    infusion_minutes: int
    during_every: int
    after_every: int
    before_discharge: bool
    window_minutes: int
    text: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Field:
    """One vitals column and its plausible input range (typing errors, not clinical limits)."""

    id: str
    label: str
    unit: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class FlagRule:
    """A flag the code checks by ``check``, with its numbers, wording and sources."""

    id: str
    check: str
    products: tuple[str, ...]
    systolic_above: int | None
    diastolic_above: int | None
    message: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class ChecklistItem:
    """One discharge-checklist item: ticked by the clinician or following from the record."""

    id: str
    text: str
    products: tuple[str, ...]
    source: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class SessionRules:
    """The validated session-monitoring rules."""

    reviewed: date
    no_abort_threshold: Sourced
    observations_note: Sourced
    products: dict[str, Product]
    reading_labels: dict[str, str]
    routes: dict[str, str]
    schedules: tuple[Schedule, ...]
    fields: tuple[Field, ...]
    observations: dict[str, str]
    flags: tuple[FlagRule, ...]
    checklist: tuple[ChecklistItem, ...]
    checklist_note: dict[str, str]

    def schedule(self, schedule_id: str) -> Schedule:
        """The schedule with id ``schedule_id`` (KeyError if there is none)."""
        for item in self.schedules:
            if item.id == schedule_id:
                return item
        raise KeyError(schedule_id)

    def field(self, field_id: str) -> Field:
        """The vitals field with id ``field_id`` (KeyError if there is none)."""
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)

    def source_ids(self) -> list[str]:
        """Every reference id the rules cite, in first-cited order."""
        lists = [self.no_abort_threshold.sources, self.observations_note.sources]
        lists += [p.sources for p in self.products.values()]
        lists += [s.sources for s in self.schedules] + [f.sources for f in self.flags]
        lists += [c.sources for c in self.checklist]
        return list(dict.fromkeys(ref for refs in lists for ref in refs))


def _choices(
    read: Reader, raw: dict[str, Any], key: str, where: str, allowed: tuple[str, ...], what: str
) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value:
        read.add(join(where, key), f"must be a non-empty list of {what}s")
        return ()
    for item in value:
        if item not in allowed:
            read.add(join(where, key), f"{item!r} is not a {what} (allowed: {', '.join(allowed)})")
    return tuple(v for v in value if v in allowed)


def _whole(read: Reader, raw: dict[str, Any], key: str, where: str, low: int = 0) -> int:
    value = read.number(raw, key, where, minimum=low, maximum=24 * 60, integer=True)
    return int(value) if value is not None else 0


def _flag_bool(read: Reader, raw: dict[str, Any], key: str, where: str) -> bool:
    value = raw.get(key)
    if not isinstance(value, bool):
        read.add(join(where, key), f"{value!r} is not true or false")
        return False
    return value


def _sourced(read: Reader, raw: Any, where: str) -> Sourced:
    return read.sourced(raw, where) or Sourced("", (), "")


def _product(read: Reader, ident: str, raw: Any) -> Product:
    where = f"products.{ident}"
    table = read.table(raw, where) or {}
    read.keys(table, where, PRODUCT_KEYS, required=("name", "routes", "default_schedule"))
    doses = table.get("doses_mg", [])
    if not isinstance(doses, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in doses
    ):
        read.add(join(where, "doses_mg"), "must be a list of whole numbers of mg")
        doses = []
    classes = table.get("medication_classes", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        read.add(join(where, "medication_classes"), "must be a list of interaction class ids")
        classes = []
    dose_max = read.number(table, "dose_max_mg", where, minimum=1)
    return Product(
        id=ident,
        name=read.text(table, "name", where),
        routes=_choices(read, table, "routes", where, ROUTES, "route"),
        doses_mg=tuple(doses),
        dose_max_mg=float(dose_max or 0),
        minimum_observation_minutes=_whole(read, table, "minimum_observation_minutes", where),
        default_schedule=read.text(table, "default_schedule", where),
        medication_classes=tuple(classes),
        no_schedule=read.text(table, "no_schedule", where, optional=True),
        sources=read.sources(table, where),
        evidence=read.evidence(table, where),
    )


def _schedule(read: Reader, raw: Any, index: int, seen: set[str]) -> Schedule | None:
    table = read.table(raw, f"schedule[{index}]")
    ident = read.identifier(table, f"schedule[{index}]", seen) if table is not None else ""
    if not ident:
        return None
    where = f"schedule.{ident}"
    read.keys(table, where, SCHEDULE_KEYS, required=("kind", "window_minutes", "sources"))
    kind = read.choice(table, "kind", where, SCHEDULE_KINDS, "a schedule kind")
    at: tuple[int, ...] = ()
    infusion = during = after = 0
    if kind == "fixed":
        values = table.get("at")
        if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values
        ):
            read.add(join(where, "at"), "must be a list of minutes after the dose (whole, > 0)")
        elif list(values) != sorted(set(values)):
            read.add(join(where, "at"), "minutes must rise, each once")
        else:
            at = tuple(values)
        for key in ("infusion_minutes", "during_every", "after_every"):
            if key in table:
                read.add(join(where, key), "belongs only to an infusion schedule")
    elif kind == "infusion":
        if "at" in table:
            read.add(join(where, "at"), "belongs only to a fixed schedule")
        infusion = _whole(read, table, "infusion_minutes", where, 1)
        during = _whole(read, table, "during_every", where, 1)
        after = _whole(read, table, "after_every", where)
    return Schedule(
        id=ident,
        name=read.text(table, "name", where),
        products=_choices(read, table, "products", where, PRODUCTS, "product"),
        routes=_choices(read, table, "routes", where, ROUTES, "route"),
        kind=kind,
        pre_dose=_flag_bool(read, table, "pre_dose", where),
        at=at,
        infusion_minutes=infusion,
        during_every=during,
        after_every=after,
        before_discharge=_flag_bool(read, table, "before_discharge", where),
        window_minutes=_whole(read, table, "window_minutes", where),
        text=read.text(table, "text", where),
        sources=read.sources(table, where),
        evidence=read.evidence(table, where),
    )


def _field(read: Reader, raw: Any, index: int, seen: set[str]) -> Field | None:
    table = read.table(raw, f"field[{index}]")
    if table is None:
        return None
    ident = table.get("id")
    if ident not in FIELD_IDS:
        read.add(
            f"field[{index}].id", f"{ident!r} is not a field (allowed: {', '.join(FIELD_IDS)})"
        )
        return None
    where = f"field.{ident}"
    if ident in seen:
        read.add(join(where, "id"), f"'{ident}' is used twice")
        return None
    seen.add(ident)
    read.keys(table, where, FIELD_KEYS, required=FIELD_KEYS)
    low = read.number(table, "min", where, minimum=0, integer=True)
    high = read.number(table, "max", where, minimum=0, integer=True)
    if low is not None and high is not None and low >= high:
        read.add(where, "min must be below max")
    return Field(
        ident,
        read.text(table, "label", where),
        read.text(table, "unit", where),
        low or 0,
        high or 0,
    )


def _flag(read: Reader, raw: Any, index: int, seen: set[str]) -> FlagRule | None:
    table = read.table(raw, f"flag[{index}]")
    ident = read.identifier(table, f"flag[{index}]", seen) if table is not None else ""
    if not ident:
        return None
    where = f"flag.{ident}"
    read.keys(table, where, FLAG_KEYS, required=("check", "message", "sources", "evidence"))
    check = read.choice(table, "check", where, FLAG_CHECKS, "a flag check")
    systolic = diastolic = None
    if check == "pre-dose-bp":
        systolic = read.number(table, "systolic_above", where, minimum=0, integer=True)
        diastolic = read.number(table, "diastolic_above", where, minimum=0, integer=True)
    else:
        for key in ("systolic_above", "diastolic_above"):
            if key in table:
                read.add(join(where, key), "belongs only to a pre-dose-bp flag")
    message = read.text(table, "message", where)
    if check:
        read.placeholders(message, FLAG_PLACEHOLDERS[check], join(where, "message"))
    return FlagRule(
        id=ident,
        check=check,
        products=_choices(read, table, "products", where, PRODUCTS, "product"),
        systolic_above=systolic,
        diastolic_above=diastolic,
        message=message,
        sources=read.sources(table, where),
        evidence=read.evidence(table, where),
    )


def _checklist(read: Reader, raw: Any, index: int, seen: set[str]) -> ChecklistItem | None:
    table = read.table(raw, f"checklist[{index}]")
    ident = read.identifier(table, f"checklist[{index}]", seen) if table is not None else ""
    if not ident:
        return None
    where = f"checklist.{ident}"
    read.keys(table, where, CHECKLIST_KEYS, required=CHECKLIST_KEYS)
    return ChecklistItem(
        id=ident,
        text=read.text(table, "text", where),
        products=_choices(read, table, "products", where, PRODUCTS, "product"),
        source=read.choice(table, "from", where, CHECKLIST_FROM, "a checklist source"),
        sources=read.sources(table, where),
        evidence=read.evidence(table, where),
    )


def _text_table(read: Reader, raw: Any, where: str, keys: tuple[str, ...]) -> dict[str, str]:
    table = read.table(raw, where) or {}
    read.keys(table, where, keys, required=keys)
    return {key: read.text(table, key, where) for key in keys}


def _entries(read: Reader, raw: dict[str, Any], name: str, make) -> list:
    items = raw.get(name, [])
    if not isinstance(items, list) or not items:
        read.add(name, f"missing: the rules need [[{name}]] tables")
        return []
    seen: set[str] = set()
    return [x for x in (make(read, item, i, seen) for i, item in enumerate(items)) if x]


def load_session(root: Path, problems: Problems, references: set[str]) -> SessionRules | None:
    """Read ``rules/session.toml`` under ``root``; None when it has problems."""
    raw = read_toml(root / FILE, FILE, problems, KIND)
    if raw is None:
        return None
    read = Reader(problems, FILE, KIND, references)
    read.keys(raw, "", TOP_KEYS, required=TOP_KEYS - {"checklist_note"})
    reviewed = read.date(raw, "reviewed", "")
    raw_products = read.table(raw.get("products"), "products") or {}
    read.keys(raw_products, "products", PRODUCTS, required=PRODUCTS)
    products = {p: _product(read, p, raw_products.get(p)) for p in PRODUCTS}
    schedules = _entries(read, raw, "schedule", _schedule)
    fields = _entries(read, raw, "field", _field)
    flags = _entries(read, raw, "flag", _flag)
    checklist = _entries(read, raw, "checklist", _checklist)
    schedule_ids = {s.id: s for s in schedules}
    for product in products.values():
        schedule = schedule_ids.get(product.default_schedule)
        if product.default_schedule and schedule is None:
            read.add(
                f"products.{product.id}.default_schedule",
                f"'{product.default_schedule}' is not a [[schedule]] id",
            )
        elif schedule is not None and product.id not in schedule.products:
            read.add(
                f"products.{product.id}.default_schedule",
                f"'{schedule.id}' is not a schedule for {product.id}",
            )
    missing_fields = [f for f in FIELD_IDS if f not in {x.id for x in fields}]
    if missing_fields:
        read.add("field", f"missing: {', '.join(missing_fields)}")
    labels = _text_table(
        read,
        raw.get("reading_labels"),
        "reading_labels",
        ("pre_dose", "minute", "before_discharge"),
    )
    read.placeholders(labels.get("minute", ""), {"minutes"}, "reading_labels.minute")
    rules = SessionRules(
        reviewed=reviewed or date.min,
        no_abort_threshold=_sourced(read, raw.get("no_abort_threshold"), "no_abort_threshold"),
        observations_note=_sourced(read, raw.get("observations_note"), "observations_note"),
        products=products,
        reading_labels=labels,
        routes=_text_table(read, raw.get("routes"), "routes", ROUTES),
        schedules=tuple(schedules),
        fields=tuple(fields),
        observations=_text_table(read, raw.get("observations"), "observations", OBSERVATION_KEYS),
        flags=tuple(flags),
        checklist=tuple(checklist),
        checklist_note=_text_table(
            read, raw.get("checklist_note", {"racemic": ""}), "checklist_note", ("racemic",)
        )
        if "checklist_note" in raw
        else {},
    )
    return rules if read.clean else None
