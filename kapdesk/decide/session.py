"""Evaluate a dosing-session record (pure functions, no Qt, nothing stored).

``read_record`` turns JSON-like input into a validated ``SessionRecord`` (bad input is a
``UserInputError`` whose one line names the field, the value and what is allowed);
``evaluate`` gives the due readings, the flags the sources support, the discharge
checklist, ``discharge_ready`` and what is missing. No in-session abort threshold is
computed: the sources give none, and the result says so beside the vitals.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from kapdesk.content.session import (
    OBSERVATION_KEYS,
    PRODUCTS,
    FlagRule,
    Schedule,
    SessionRules,
)
from kapdesk.decide.interactions import InteractionCheck, check, interaction_table
from kapdesk.errors import UserInputError

INPUT_KEYS = (
    "product",
    "route",
    "weight_kg",
    "dose_mg",
    "lot",
    "start_time",
    "schedule",
    "medications",
    "readings",
    "observations",
    "ready_to_leave_minutes",
    "discharge_minutes",
    "escort_present",
    "checklist",
)
READING_KEYS = ("minutes", "systolic", "diastolic", "heart_rate", "spo2")
# Typing-error ranges for values that are not vitals (not clinical limits).
WEIGHT_RANGE = (20, 350)
DAY_MINUTES = 24 * 60
TEXT_MAX = 500
LOT_MAX = 40
MEDICATIONS_MAX = 40
READINGS_MAX = 200
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def session_rules() -> SessionRules:
    """The session rules of the open knowledge base (the one accessor)."""
    from kapdesk.kb import catalog

    return catalog.session_rules()


# --- the record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One timestamped vitals row; ``minutes`` after the first dose (0 = just before it)."""

    minutes: int
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None

    @property
    def has_bp(self) -> bool:
        """Both blood-pressure values are recorded."""
        return self.systolic is not None and self.diastolic is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {key: getattr(self, key) for key in READING_KEYS}


@dataclass(frozen=True)
class SessionRecord:
    """A validated session record (lives only in memory)."""

    product: str | None = None
    route: str | None = None
    weight_kg: float | None = None
    dose_mg: float | None = None
    lot: str = ""
    start_time: str = ""
    schedule: str | None = None
    medications: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    observations: dict[str, Any] = field(default_factory=dict)
    ready_to_leave_minutes: int | None = None
    discharge_minutes: int | None = None
    escort_present: bool | None = None
    checklist: dict[str, bool] = field(default_factory=dict)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _fail(where: str, value: Any, allowed: str) -> UserInputError:
    return UserInputError(f"{where}: {_shown(value)} is not allowed; {allowed}")


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _whole(value: Any, where: str, low: int, high: int, unit: str = "") -> int:
    if not _is_number(value) or float(value) != int(value):
        raise _fail(where, value, f"give a whole number from {low} to {high}{unit}")
    number = int(value)
    if not low <= number <= high:
        raise UserInputError(f"{where}: {number} is outside {low}–{high}{unit}")
    return number


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, value, "give true or false")
    return value


def _text(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _fail(where, value, "give text")
    if len(value) > limit:
        raise UserInputError(f"{where}: {len(value)} characters; at most {limit} are allowed")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise UserInputError(f"{where}: control characters are not allowed")
    return value.strip()


def _reading(raw: Any, index: int, rules: SessionRules) -> Reading:
    where = f"readings[{index}]"
    if not isinstance(raw, dict):
        raise _fail(where, raw, 'give an object such as {"minutes": 0, "systolic": 128, ...}')
    for key in raw:
        if key not in READING_KEYS:
            raise UserInputError(f"{where}.{key}: unknown key (allowed: {', '.join(READING_KEYS)})")
    if "minutes" not in raw:
        raise UserInputError(f"{where}.minutes: missing; give minutes after the first dose")
    minutes = raw["minutes"]
    if _is_number(minutes) and minutes < 0:
        raise UserInputError(
            f"{where}.minutes: {_shown(minutes)} is before the dose; give minutes after the "
            "first dose (0 = just before it, up to 1440)"
        )
    values: dict[str, Any] = {
        "minutes": _whole(minutes, f"{where}.minutes", 0, DAY_MINUTES, " minutes after the dose")
    }
    for key in READING_KEYS[1:]:
        if raw.get(key) is None:
            continue
        spec = rules.field(key)
        values[key] = _whole(
            raw[key], f"{where}.{key}", spec.minimum, spec.maximum, f" {spec.unit}"
        )
    if ("systolic" in values) != ("diastolic" in values):
        missing = "diastolic" if "systolic" in values else "systolic"
        raise UserInputError(f"{where}.{missing}: missing; give both systolic and diastolic BP")
    if "systolic" in values and values["diastolic"] >= values["systolic"]:
        raise UserInputError(
            f"{where}.diastolic: {values['diastolic']} is not below the systolic "
            f"{values['systolic']}; give diastolic lower than systolic"
        )
    return Reading(**values)


def read_record(raw: Any, rules: SessionRules | None = None) -> SessionRecord:
    """Validate JSON-like input; raise UserInputError naming the first bad field."""
    rules = rules or session_rules()
    if not isinstance(raw, dict):
        raise _fail("SESSION", raw, 'give a JSON object such as {"product": "esketamine"}')
    for key in raw:
        if key not in INPUT_KEYS:
            raise UserInputError(f"{key}: unknown key (allowed: {', '.join(INPUT_KEYS)})")
    values: dict[str, Any] = {}
    product = raw.get("product")
    if product is not None:
        if product not in PRODUCTS:
            raise _fail("product", product, f"give one of: {', '.join(PRODUCTS)}")
        values["product"] = product
    spec = rules.products.get(product) if product else None
    route = raw.get("route")
    if route is not None:
        allowed = spec.routes if spec else tuple(rules.routes)
        if route not in allowed:
            raise _fail("route", route, f"give one of: {', '.join(allowed)}")
        values["route"] = route
    elif spec and len(spec.routes) == 1:
        values["route"] = spec.routes[0]
    if raw.get("weight_kg") is not None:
        weight = raw["weight_kg"]
        low, high = WEIGHT_RANGE
        if not _is_number(weight) or not low <= weight <= high:
            raise _fail("weight_kg", weight, f"give a number from {low} to {high} kg")
        values["weight_kg"] = float(weight)
    if raw.get("dose_mg") is not None:
        values["dose_mg"] = _dose(raw["dose_mg"], spec)
    if raw.get("lot") is not None:
        values["lot"] = _text(raw["lot"], "lot", LOT_MAX)
    if raw.get("start_time") is not None:
        start = raw["start_time"]
        if not isinstance(start, str) or not CLOCK.match(start.strip()):
            raise _fail("start_time", start, 'give a clock time such as "09:30"')
        values["start_time"] = start.strip()
    if raw.get("schedule") is not None:
        values["schedule"] = _schedule_id(raw["schedule"], product, values.get("route"), rules)
    if raw.get("medications") is not None:
        meds = raw["medications"]
        if not isinstance(meds, list) or len(meds) > MEDICATIONS_MAX:
            raise _fail("medications", meds, f"give a list of up to {MEDICATIONS_MAX} names")
        values["medications"] = tuple(_text(m, f"medications[{i}]", 80) for i, m in enumerate(meds))
    if raw.get("readings") is not None:
        readings = raw["readings"]
        if not isinstance(readings, list) or len(readings) > READINGS_MAX:
            raise _fail("readings", readings, f"give a list of up to {READINGS_MAX} readings")
        parsed = [_reading(r, i, rules) for i, r in enumerate(readings)]
        values["readings"] = tuple(sorted(parsed, key=lambda r: r.minutes))
    if raw.get("observations") is not None:
        values["observations"] = _observations(raw["observations"])
    for key in ("ready_to_leave_minutes", "discharge_minutes"):
        if raw.get(key) is not None:
            values[key] = _whole(raw[key], key, 0, DAY_MINUTES, " minutes after the dose")
    if raw.get("escort_present") is not None:
        values["escort_present"] = _bool(raw["escort_present"], "escort_present")
    if raw.get("checklist") is not None:
        values["checklist"] = _ticks(raw["checklist"], rules)
    return SessionRecord(**values)


def _dose(value: Any, spec) -> float:
    if spec is not None and spec.doses_mg:
        if value not in spec.doses_mg or isinstance(value, bool):
            doses = ", ".join(str(d) for d in spec.doses_mg)
            raise _fail("dose_mg", value, f"give one of {doses} mg for {spec.id}")
        return float(value)
    high = spec.dose_max_mg if spec else 2000
    if not _is_number(value) or not 0 < value <= high:
        raise _fail("dose_mg", value, f"give a number of mg above 0, up to {high:g}")
    return float(value)


def _schedule_id(value: Any, product: str | None, route: str | None, rules: SessionRules) -> str:
    ids = [s.id for s in rules.schedules]
    if value not in ids:
        raise _fail("schedule", value, f"give one of: {', '.join(ids)}")
    schedule = rules.schedule(value)
    if product and product not in schedule.products:
        fitting = [s.id for s in rules.schedules if product in s.products]
        raise _fail("schedule", value, f"for {product} give one of: {', '.join(fitting)}")
    if route and route not in schedule.routes:
        raise _fail("schedule", value, f"it is for route {', '.join(schedule.routes)}")
    return value


def _observations(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail("observations", raw, f"give an object with: {', '.join(OBSERVATION_KEYS)}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"observations.{key}"
        if key not in OBSERVATION_KEYS:
            raise UserInputError(f"{where}: unknown key (allowed: {', '.join(OBSERVATION_KEYS)})")
        if value is None:
            continue
        out[key] = _text(value, where, TEXT_MAX) if key == "other" else _bool(value, where)
    return out


def _ticks(raw: Any, rules: SessionRules) -> dict[str, bool]:
    ids = [c.id for c in rules.checklist if c.source == "tick"]
    if not isinstance(raw, dict):
        raise _fail("checklist", raw, f"give an object with: {', '.join(ids)}")
    out: dict[str, bool] = {}
    for key, value in raw.items():
        if key not in ids:
            raise UserInputError(f"checklist.{key}: unknown key (allowed: {', '.join(ids)})")
        if value is not None:
            out[key] = _bool(value, f"checklist.{key}")
    return out


# --- evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One reading the schedule asks for and whether the record holds it."""

    id: str
    label: str
    minutes: int | None
    window: int
    done: bool
    state: str  # done | upcoming | due | late | missed | pending
    clock: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "label": self.label,
            "minutes": self.minutes,
            "clock": self.clock or None,
            "done": self.done,
            "state": self.state,
        }


@dataclass(frozen=True)
class Flag:
    """A flag the sources support, in the data's wording."""

    id: str
    message: str
    sources: tuple[str, ...]
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "message": self.message,
            "sources": list(self.sources),
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class CheckItem:
    """One discharge-checklist item and whether it is satisfied."""

    id: str
    text: str
    done: bool | None
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``done`` is null when not answered)."""
        return {"id": self.id, "text": self.text, "done": self.done, "sources": list(self.sources)}


@dataclass(frozen=True)
class SessionResult:
    """Everything the page, the printout and the CLI show about one session."""

    record: SessionRecord
    schedule: Schedule | None
    due: tuple[Due, ...]
    next_due: Due | None
    flags: tuple[Flag, ...]
    checklist: tuple[CheckItem, ...]
    discharge_ready: bool
    missing: tuple[str, ...]
    interactions: InteractionCheck | None
    mg_per_kg: float | None
    no_abort_threshold: str
    no_abort_sources: tuple[str, ...]
    notes: tuple[str, ...]
    kb_version: str = ""

    def source_ids(self) -> list[str]:
        """Every reference the result cites, in first-cited order."""
        lists = [self.no_abort_sources] + [f.sources for f in self.flags]
        lists += [c.sources for c in self.checklist]
        if self.schedule:
            lists.append(self.schedule.sources)
        if self.interactions:
            lists += [m.sources for m in self.interactions.matches]
        return list(dict.fromkeys(ref for refs in lists for ref in refs))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the CLI contract."""
        record = self.record
        return {
            "product": record.product,
            "route": record.route,
            "schedule": self.schedule.id if self.schedule else None,
            "dose_mg": record.dose_mg,
            "mg_per_kg": self.mg_per_kg,
            "lot": record.lot or None,
            "start_time": record.start_time or None,
            "flags": [f.to_dict() for f in self.flags],
            "due": [d.to_dict() for d in self.due],
            "next_due": self.next_due.to_dict() if self.next_due else None,
            "discharge_ready": self.discharge_ready,
            "checklist": [c.to_dict() for c in self.checklist],
            "missing": list(self.missing),
            "interactions": [m.to_dict() for m in self.interactions.matches]
            if self.interactions
            else [],
            "unknown_medications": list(self.interactions.unknown) if self.interactions else [],
            "readings": [r.to_dict() for r in record.readings],
            "observations": dict(record.observations),
            "ready_to_leave_minutes": record.ready_to_leave_minutes,
            "total_monitored_minutes": record.discharge_minutes,
            "no_abort_threshold": self.no_abort_threshold,
            "notes": list(self.notes),
            "kb_version": self.kb_version,
        }


def clock_at(start: str, minutes: int | None) -> str:
    """The clock time ``minutes`` after ``start`` ("HH:MM"); "" without both."""
    if not start or minutes is None:
        return ""
    match = CLOCK.match(start)
    if not match:
        return ""
    total = (int(match.group(1)) * 60 + int(match.group(2)) + minutes) % DAY_MINUTES
    return f"{total // 60:02d}:{total % 60:02d}"


def chosen_schedule(record: SessionRecord, rules: SessionRules) -> Schedule | None:
    """The record's schedule, or the product's default when it fits the route."""
    if record.schedule:
        return rules.schedule(record.schedule)
    if not record.product:
        return None
    default = rules.schedule(rules.products[record.product].default_schedule)
    if record.route is None or record.route in default.routes:
        return default if record.route else None
    fitting = [
        s for s in rules.schedules if record.product in s.products and record.route in s.routes
    ]
    return fitting[0] if fitting else None


def _slot_times(schedule: Schedule, horizon: int) -> list[int]:
    if schedule.kind == "fixed":
        return list(schedule.at)
    times = list(range(schedule.during_every, schedule.infusion_minutes + 1, schedule.during_every))
    if schedule.after_every:
        moment = schedule.infusion_minutes + schedule.after_every
        while moment <= min(horizon, DAY_MINUTES):
            times.append(moment)
            moment += schedule.after_every
    return times


def _state(
    done: bool, minutes: int, window: int, now: int | None, known: int, taken_after: bool
) -> str:
    """done, upcoming, due, late (window passed, nothing taken since) or missed."""
    if done:
        return "done"
    moment = known if now is None else now
    if moment > minutes + window:
        return "missed" if now is None or taken_after else "late"
    if moment >= minutes - window:
        return "due"
    return "upcoming"


def due_readings(
    record: SessionRecord,
    schedule: Schedule,
    rules: SessionRules,
    now: int | None = None,
) -> list[Due]:
    """The readings ``schedule`` asks for, each with whether and when it was taken.

    ``now`` is the minutes since the dose (the page's clock); without it the latest time
    the record knows (last reading or discharge) stands in, so only what the record
    proves is called missed.
    """
    bp = [r.minutes for r in record.readings if r.has_bp]
    known = max([*bp, record.discharge_minutes or 0], default=0)
    if record.discharge_minutes is not None:
        horizon = record.discharge_minutes
    else:
        horizon = max(known, now or 0) + schedule.after_every
    labels = rules.reading_labels
    window = schedule.window_minutes
    start = record.start_time
    out: list[Due] = []
    if schedule.pre_dose:
        done = 0 in bp
        if done:
            state = "done"
        elif known > 0:
            state = "missed"
        else:
            state = "late" if (now or 0) > 0 else "due"
        out.append(Due("pre-dose", labels["pre_dose"], 0, 0, done, state, clock_at(start, 0)))
    for minutes in _slot_times(schedule, horizon):
        if record.discharge_minutes is not None and minutes > record.discharge_minutes:
            break
        done = any(abs(m - minutes) <= window for m in bp)
        taken_after = any(m > minutes + window for m in bp)
        state = _state(done, minutes, window, now, known, taken_after)
        label = labels["minute"].replace("{minutes}", str(minutes))
        out.append(
            Due(f"{minutes}-minute", label, minutes, window, done, state, clock_at(start, minutes))
        )
    if schedule.before_discharge:
        at = record.discharge_minutes
        label = labels["before_discharge"]
        if at is None:
            product = rules.products.get(record.product or "")
            minimum = product.minimum_observation_minutes if product else 0
            out.append(
                Due(
                    "before-discharge",
                    label,
                    minimum or None,
                    window,
                    False,
                    "pending",
                    clock_at(start, minimum) if minimum else "",
                )
            )
        else:
            done = any(at - window <= m <= at for m in bp)
            state = "done" if done else "missed"
            out.append(Due("before-discharge", label, at, window, done, state, clock_at(start, at)))
    return out


def _fill(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def _flags(
    record: SessionRecord, rules: SessionRules, schedule: Schedule | None, due: list[Due]
) -> list[Flag]:
    out: list[Flag] = []
    product = record.product
    pre = next((r for r in record.readings if r.minutes == 0 and r.has_bp), None)
    for rule in rules.flags:
        if product not in rule.products:
            continue
        out += _flag(rule, record, rules, schedule, due, pre)
    return out


def _flag(
    rule: FlagRule,
    record: SessionRecord,
    rules: SessionRules,
    schedule: Schedule | None,
    due: list[Due],
    pre: Reading | None,
) -> list[Flag]:
    def make(**values: Any) -> Flag:
        return Flag(rule.id, _fill(rule.message, values), rule.sources, rule.evidence)

    if rule.check == "pre-dose-bp":
        if pre is None:
            return []
        above = (rule.systolic_above is not None and pre.systolic > rule.systolic_above) or (
            rule.diastolic_above is not None and pre.diastolic > rule.diastolic_above
        )
        return [make(systolic=pre.systolic, diastolic=pre.diastolic)] if above else []
    if rule.check == "reading-missed":
        name = schedule.name if schedule else ""
        return [
            make(label=d.label, minutes=d.minutes, schedule=name)
            for d in due
            if d.state in ("missed", "late")
        ]
    if rule.check == "discharge-before-minimum":
        minimum = rules.products[record.product].minimum_observation_minutes
        at = record.discharge_minutes
        return [make(minutes=at)] if minimum and at is not None and at < minimum else []
    if rule.check == "escort-missing":
        return [make()] if record.escort_present is False else []
    return []


def _checklist(
    record: SessionRecord, rules: SessionRules, discharge_at: int | None
) -> list[CheckItem]:
    items: list[CheckItem] = []
    minimum = rules.products[record.product].minimum_observation_minutes
    for item in rules.checklist:
        if record.product not in item.products:
            continue
        if item.source == "discharge-minutes":
            done = None if discharge_at is None else discharge_at >= minimum
        elif item.source == "escort":
            done = record.escort_present
        else:
            done = record.checklist.get(item.id)
        items.append(CheckItem(item.id, item.text, done, item.sources))
    return items


def evaluate(
    record: SessionRecord,
    rules: SessionRules | None = None,
    *,
    now: int | None = None,
    kb_version: str = "",
) -> SessionResult:
    """Due readings, flags, the discharge checklist and readiness for one record."""
    rules = rules or session_rules()
    schedule = chosen_schedule(record, rules)
    due = due_readings(record, schedule, rules, now) if schedule else []
    notes: list[str] = []
    missing: list[str] = []
    if record.product is None:
        missing.append("product")
    if record.product == "racemic" and record.route is None:
        missing.append("route")
    if record.product and schedule is None and record.route:
        notes.append(rules.products[record.product].no_schedule)
    if schedule:
        notes.append(schedule.text)
    if record.product == "racemic" and rules.checklist_note.get("racemic"):
        notes.append(rules.checklist_note["racemic"])
    if not any(r.has_bp for r in record.readings):
        missing.append("readings")
    flags = _flags(record, rules, schedule, due) if record.product else []
    checklist: list[CheckItem] = []
    ready = False
    if record.product:
        bp = [r.minutes for r in record.readings if r.has_bp]
        discharge_at = record.discharge_minutes
        if discharge_at is None:
            discharge_at = now if now is not None else (max(bp) if bp else None)
        checklist = _checklist(record, rules, discharge_at)
        if record.escort_present is None:
            missing.append("escort_present")
        missing += [
            f"checklist.{c.id}"
            for c in checklist
            if c.done is None and c.id in {i.id for i in rules.checklist if i.source == "tick"}
        ]
        before = next((d for d in due if d.id == "before-discharge"), None)
        before_ok = (
            before is None
            or before.done
            or (
                record.discharge_minutes is None
                and discharge_at is not None
                and any(
                    discharge_at - (schedule.window_minutes if schedule else 0) <= m <= discharge_at
                    for m in bp
                )
            )
        )
        blocking = {f.id for f in flags} & {
            r.id for r in rules.flags if r.check in ("discharge-before-minimum", "escort-missing")
        }
        ready = all(c.done for c in checklist) and before_ok and not blocking and bool(bp)
    mg_per_kg = None
    if record.dose_mg is not None and record.weight_kg:
        mg_per_kg = round(record.dose_mg / record.weight_kg, 2)
    interactions = check(list(record.medications), record.product) if record.medications else None
    return SessionResult(
        record=record,
        schedule=schedule,
        due=tuple(due),
        next_due=next_due(due),
        flags=tuple(flags),
        checklist=tuple(checklist),
        discharge_ready=ready,
        missing=tuple(missing),
        interactions=interactions,
        mg_per_kg=mg_per_kg,
        no_abort_threshold=rules.no_abort_threshold.text,
        no_abort_sources=rules.no_abort_threshold.sources,
        notes=tuple(notes),
        kb_version=kb_version,
    )


def next_due(due: list[Due]) -> Due | None:
    """The first reading still to take (late, due or upcoming), in schedule order."""
    return next((d for d in due if d.state in ("late", "due", "upcoming", "pending")), None)


def medications_for_session(table_classes: list[str]) -> list[str]:
    """Class ids carried over from the eligibility page, in table order, once each."""
    table = interaction_table()
    known = {c.id for c in table.classes}
    return [c for c in dict.fromkeys(table_classes) if c in known]


def text_report(result: SessionResult) -> str:
    """The evaluation as plain text for the terminal, with sources as reference ids."""
    record = result.record
    lines = [
        f"Session: {record.product or 'product not given'}"
        + (f", {record.route}" if record.route else "")
    ]
    if result.schedule:
        lines.append(f"Schedule: {result.schedule.name}")
    if record.dose_mg is not None:
        dose = f"Dose: {record.dose_mg:g} mg"
        if result.mg_per_kg is not None:
            dose += f" ({result.mg_per_kg:g} mg/kg)"
        lines.append(dose)
    lines.append("\nReadings (minutes after the dose: BP, heart rate, SpO₂)")
    for r in record.readings:
        bp = f"{r.systolic}/{r.diastolic} mmHg" if r.has_bp else "BP —"
        hr = f"{r.heart_rate}/min" if r.heart_rate is not None else "HR —"
        sp = f"{r.spo2}%" if r.spo2 is not None else "SpO₂ —"
        lines.append(f"  {r.minutes:>4} min  {bp}  {hr}  {sp}")
    lines.append(f"  {result.no_abort_threshold}")
    lines.append("\nDue readings")
    for d in result.due:
        at = "at discharge" if d.minutes is None else f"{d.minutes} min"
        lines.append(f"  [{d.state}] {d.label} ({at}{', ' + d.clock if d.clock else ''})")
    if result.flags:
        lines.append("\nFlags")
        for f in result.flags:
            lines.append(f"  - {f.message} [{', '.join(f.sources)}]")
    lines.append("\nDischarge checklist")
    for c in result.checklist:
        mark = {True: "x", False: " ", None: "?"}[c.done]
        lines.append(f"  [{mark}] {c.text}")
    lines.append(f"Ready for discharge: {'yes' if result.discharge_ready else 'no'}")
    if result.missing:
        lines.append(f"Missing: {', '.join(result.missing)}")
    if result.interactions:
        from kapdesk.decide.interactions import text_report as interactions_report

        lines.append("\nInteractions of the medications")
        lines.append(interactions_report(result.interactions))
    for note in result.notes:
        lines.append(f"\nNote: {note}")
    return "\n".join(lines)


def blank_record(
    product: str, route: str | None = None, schedule: str | None = None
) -> SessionRecord:
    """The empty record a blank paper form is printed for (racemic defaults to IV)."""
    rules = session_rules()
    if product not in PRODUCTS:
        raise _fail("--product", product, f"give one of: {', '.join(PRODUCTS)}")
    if route is None and product == "racemic":
        route = "iv"
    raw = {"product": product, "route": route, "schedule": schedule}
    try:
        return read_record({k: v for k, v in raw.items() if v is not None}, rules)
    except UserInputError as exc:
        raise UserInputError(f"--{exc}") from None
