"""What changes between two knowledge bases, told for a clinician.

Modalities are compared statement by statement through ``kb.modalities()``: statements
added, removed and changed (old text → new text, with their sources and review dates)
and evidence ratings changed. The compiled parts (eligibility and integration rules,
handouts, plan and printout wording, labels) are compared value by value, with list
items matched by their ``id``, so a changed threshold reads
``criteria[bp-above-140-90].threshold: 140 → 150``. Any other table (references today)
is compared row by row on its primary key.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from kapdesk.content.model import Modality
from kapdesk.kb.store import KnowledgeBase

# Tables the modality diff covers, or derived data (search index): not diffed row by row.
SEMANTIC_TABLES = {
    "manifest",
    "meta",
    "compiled",
    "modalities",
    "statements",
    "statement_sources",
    "docs",
}
STATEMENT_FIELDS = (
    "text",
    "sources",
    "evidence",
    "reviewed",
    "plain_en",
    "plain_es",
    "grid_en",
    "grid_es",
    "days",
    "weeks",
)
MAX_ROWS_SHOWN = 50
# The compiled parts, by what a clinician calls them.
PART_LABELS = {
    "eligibility": "Eligibility rules",
    "integration": "Integration-picker rules",
    "handouts": "Patient handouts",
    "plan": "Integration plan wording",
    "wording": "Comparison wording",
    "strings": "Printout wording",
    "labels": "Display labels",
}
_MISSING = object()


@dataclass(frozen=True)
class StatementChange:
    """One statement added, removed or changed under a modality's key."""

    change: str  # added | removed | changed
    key: str  # summary, plain_summary, a section, or strength.<condition>
    label: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "key": self.key,
            "label": self.label,
            "old": self.old,
            "new": self.new,
            "changed_fields": list(self.fields),
        }


@dataclass
class ModalityDiff:
    """Everything that changed about one modality."""

    id: str
    name: str
    status: str = "changed"  # added | removed | changed
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    statements: list[StatementChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "fields": {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()},
            "statements": [s.to_dict() for s in self.statements],
        }


@dataclass
class TableDiff:
    """Rows added, removed and changed in one compiled table."""

    table: str
    status: str = "changed"  # added | removed | changed
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "status": self.status,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
        }


@dataclass
class PartDiff:
    """Values changed in one compiled part (rules, handouts, wording): path, old, new."""

    part: str
    label: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "label": self.label,
            "changes": [
                {
                    "path": path,
                    "change": "added" if old is None else "removed" if new is None else "changed",
                    "old": old,
                    "new": new,
                }
                for path, old, new in self.changes
            ],
        }


@dataclass
class ContentDiff:
    """The difference from one knowledge base (``old``) to another (``new``)."""

    old: dict[str, Any]
    new: dict[str, Any]
    modalities: list[ModalityDiff]
    tables: list[TableDiff]
    parts: list[PartDiff] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.modalities and not self.tables and not self.parts

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.old,
            "to": self.new,
            "modalities": [m.to_dict() for m in self.modalities],
            "parts": [p.to_dict() for p in self.parts],
            "tables": [t.to_dict() for t in self.tables],
            "unchanged": self.empty,
        }


def _keyed(modality: Modality) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for key, statement in modality.statements():
        data = statement.to_dict()
        if key.startswith("strength."):
            data["rating"] = modality.strengths[key.split(".", 1)[1]].rating
        out.setdefault(key, []).append(data)
    return out


def _label(kb: KnowledgeBase, key: str) -> str:
    labels = kb.labels
    if key == "summary":
        return "Summary"
    if key == "plain_summary":
        return "Patient summary"
    if key.startswith("strength."):
        return "Evidence strength: " + labels.condition(key.split(".", 1)[1])
    try:
        return labels.section(key)
    except KeyError:
        return key


def _pair(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Match statements of one key: identical first, then the most similar texts."""
    old_left = [s for s in old if s not in new]
    new_left = [s for s in new if s not in old]
    pairs: list[tuple[dict, dict]] = []
    candidates = sorted(
        (
            (difflib.SequenceMatcher(None, o["text"], n["text"]).ratio(), i, j)
            for i, o in enumerate(old_left)
            for j, n in enumerate(new_left)
        ),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for ratio, i, j in candidates:
        if ratio < 0.4 or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((old_left[i], new_left[j]))
    removed = [s for i, s in enumerate(old_left) if i not in used_old]
    added = [s for j, s in enumerate(new_left) if j not in used_new]
    return pairs, removed, added


def _diff_modality(old_kb: KnowledgeBase, old: Modality, new: Modality) -> ModalityDiff:
    result = ModalityDiff(new.id, new.name)
    for name in ("name", "short_name", "name_es", "short_name_es", "category"):
        if getattr(old, name) != getattr(new, name):
            result.fields[name] = (getattr(old, name), getattr(new, name))
    if old.aliases != new.aliases:
        result.fields["aliases"] = (list(old.aliases), list(new.aliases))
    if old.missing != new.missing:
        result.fields["missing"] = (dict(old.missing), dict(new.missing))
    old_keyed, new_keyed = _keyed(old), _keyed(new)
    for key in dict.fromkeys([*old_keyed, *new_keyed]):
        label = _label(old_kb, key)
        pairs, removed, added = _pair(old_keyed.get(key, []), new_keyed.get(key, []))
        for o, n in pairs:
            changed = tuple(f for f in (*STATEMENT_FIELDS, "rating") if o.get(f) != n.get(f))
            result.statements.append(StatementChange("changed", key, label, o, n, changed))
        result.statements.extend(StatementChange("removed", key, label, s, None) for s in removed)
        result.statements.extend(StatementChange("added", key, label, None, s) for s in added)
    return result


def _tables(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Compiled tables (not virtual tables or their shadows) with their key columns."""
    rows = kb.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    out: dict[str, list[str]] = {}
    for name, _ in rows:
        if name.startswith("sqlite_") or name in virtual or name in SEMANTIC_TABLES:
            continue
        if any(name.startswith(v + "_") for v in virtual):
            continue
        info = kb.db.execute(f"PRAGMA table_info([{name}])").fetchall()
        pk = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        out[name] = pk or [row[1] for row in info]
    return out


def _rows(kb: KnowledgeBase, table: str, key: list[str]) -> dict[tuple, dict[str, Any]]:
    cursor = kb.db.execute(f"SELECT * FROM [{table}]")
    columns = [d[0] for d in cursor.description]
    rows = (dict(zip(columns, row, strict=True)) for row in cursor.fetchall())
    return {tuple(row[k] for k in key): row for row in rows}


def _diff_table(old_kb: KnowledgeBase, new_kb: KnowledgeBase, table: str, key: list[str]):
    old_rows = _rows(old_kb, table, key)
    new_rows = _rows(new_kb, table, key)
    result = TableDiff(table)
    result.added = [new_rows[k] for k in new_rows if k not in old_rows][:MAX_ROWS_SHOWN]
    result.removed = [old_rows[k] for k in old_rows if k not in new_rows][:MAX_ROWS_SHOWN]
    for k, old in old_rows.items():
        new = new_rows.get(k)
        if new is not None and new != old:
            columns = sorted(c for c in {*old, *new} if old.get(c) != new.get(c))
            result.changed.append(
                {
                    "key": dict(zip(key, k, strict=True)),
                    "columns": {c: {"old": old.get(c), "new": new.get(c)} for c in columns},
                }
            )
    result.changed = result.changed[:MAX_ROWS_SHOWN]
    return result if (result.added or result.removed or result.changed) else None


def _by_id(items: list[Any]) -> dict[str, Any] | None:
    """List items keyed by their ``id`` when every item has a distinct one."""
    if not items or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        return None
    keyed = {i["id"]: i for i in items}
    return keyed if len(keyed) == len(items) else None


def json_changes(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every value that differs between two JSON trees, as (path, old, new).

    A value only on one side is None on the other. List items with ids are matched by
    id; lists of equal length of tables by position; other lists compare whole, and
    lists of plain values that differ only in order count as unchanged (a set is
    stored in no fixed order).
    """
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in dict.fromkeys([*old, *new]):
            where = f"{path}.{key}" if path else str(key)
            out += json_changes(old.get(key, _MISSING), new.get(key, _MISSING), where)
        return out
    if isinstance(old, list) and isinstance(new, list):
        old_ids, new_ids = _by_id(old), _by_id(new)
        if old_ids is not None and new_ids is not None:
            out = []
            for key in dict.fromkeys([*old_ids, *new_ids]):
                out += json_changes(
                    old_ids.get(key, _MISSING), new_ids.get(key, _MISSING), f"{path}[{key}]"
                )
            return out
        scalars = (str, int, float, bool, type(None))
        if all(isinstance(v, scalars) for v in (*old, *new)) and sorted(old, key=repr) == sorted(
            new, key=repr
        ):
            # The same items in another order: sets are stored in no fixed order.
            return []
        if len(old) == len(new) and all(isinstance(v, dict | list) for v in (*old, *new)):
            out = []
            for index, (o, n) in enumerate(zip(old, new, strict=True)):
                out += json_changes(o, n, f"{path}[{index}]")
            return out
    return [(path, None if old is _MISSING else old, None if new is _MISSING else new)]


def _compiled(kb: KnowledgeBase) -> dict[str, Any]:
    tables = {row[0] for row in kb.db.execute("SELECT name FROM sqlite_master")}
    if "compiled" not in tables:
        return {}
    rows = kb.db.execute("SELECT part, data FROM compiled").fetchall()
    return {part: json.loads(data) for part, data in rows}


def _diff_parts(old: KnowledgeBase, new: KnowledgeBase) -> list[PartDiff]:
    old_parts, new_parts = _compiled(old), _compiled(new)
    out: list[PartDiff] = []
    for part in dict.fromkeys([*new_parts, *old_parts]):
        changes = json_changes(old_parts.get(part), new_parts.get(part))
        if changes:
            out.append(PartDiff(part, PART_LABELS.get(part, part), changes[:MAX_ROWS_SHOWN]))
    return out


def diff_kbs(old: KnowledgeBase, new: KnowledgeBase) -> ContentDiff:
    """What changes for a clinician when ``new`` replaces ``old``."""
    modalities: list[ModalityDiff] = []
    old_mods = {m.id: m for m in old.modalities()}
    new_mods = {m.id: m for m in new.modalities()}
    for mid in dict.fromkeys([*new_mods, *old_mods]):
        if mid not in old_mods:
            modalities.append(ModalityDiff(mid, new_mods[mid].name, "added"))
        elif mid not in new_mods:
            modalities.append(ModalityDiff(mid, old_mods[mid].name, "removed"))
        else:
            change = _diff_modality(old, old_mods[mid], new_mods[mid])
            if change.fields or change.statements:
                modalities.append(change)
    tables: list[TableDiff] = []
    old_tables, new_tables = _tables(old), _tables(new)
    for table in dict.fromkeys([*new_tables, *old_tables]):
        if table not in old_tables:
            tables.append(TableDiff(table, "added"))
        elif table not in new_tables:
            tables.append(TableDiff(table, "removed"))
        elif old_tables[table] == new_tables[table]:
            change = _diff_table(old, new, table, new_tables[table])
            if change:
                tables.append(change)
        else:
            tables.append(TableDiff(table, "changed shape"))
    return ContentDiff(
        old.content_info(), new.content_info(), modalities, tables, _diff_parts(old, new)
    )


# --- text for a clinician ---------------------------------------------------------------


def _statement_lines(change: StatementChange) -> list[str]:
    lines: list[str] = []
    old, new = change.old or {}, change.new or {}
    if change.change == "changed":
        lines.append(f"  Changed — {change.label}")
        if "text" in change.fields:
            lines += [f"    was: {old['text']}", f"    now: {new['text']}"]
            lines.append(f"    words: {word_changes(old['text'], new['text'])}")
        else:
            lines.append(f"    {new['text']}")
        if "rating" in change.fields:
            lines.append(f"    rating: {old.get('rating')} → {new.get('rating')}")
        for name in ("plain_en", "plain_es", "grid_en", "grid_es", "days", "weeks"):
            if name in change.fields:
                lines.append(f"    {name}: {old.get(name)} → {new.get(name)}")
        if "sources" in change.fields:
            lines.append(f"    sources: {', '.join(old['sources'])} → {', '.join(new['sources'])}")
        else:
            lines.append(f"    sources: {', '.join(new['sources'])}")
        if "evidence" in change.fields:
            lines.append(f"    evidence: {old['evidence']} → {new['evidence']}")
        if "reviewed" in change.fields:
            lines.append(f"    reviewed: {old['reviewed']} → {new['reviewed']}")
        else:
            lines.append(f"    reviewed: {new['reviewed']}")
    else:
        data = new if change.change == "added" else old
        lines.append(f"  {change.change.capitalize()} — {change.label}")
        lines.append(f"    {data['text']}")
        if data.get("rating"):
            lines.append(f"    rating: {data['rating']}")
        lines.append(f"    sources: {', '.join(data['sources'])}; reviewed: {data['reviewed']}")
    return lines


def word_changes(old: str, new: str) -> str:
    """The words removed (−) and added (+) from ``old`` to ``new``, in reading order."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            parts.append("−“" + " ".join(a[i1:i2]) + "”")
        if tag in ("insert", "replace"):
            parts.append("+“" + " ".join(b[j1:j2]) + "”")
    return ", ".join(parts)


def _origin(info: dict[str, Any]) -> str:
    what = "content pack" if info["origin"] == "pack" else "bundled content"
    return f"{what} version {info['content_version']}"


def text_report(diff: ContentDiff) -> str:
    """The diff as plain text, modality by modality, then other tables."""
    old, new = diff.old, diff.new
    lines = [
        f"From {_origin(old)} (reviewed {old['reviewed']}, expires {old['expires']})",
        f"  to {_origin(new)} (reviewed {new['reviewed']}, expires {new['expires']})",
    ]
    if diff.empty:
        lines.append("")
        lines.append("No clinical content changes.")
        return "\n".join(lines)
    for modality in diff.modalities:
        lines.append("")
        if modality.status != "changed":
            lines.append(f"{modality.name}: modality {modality.status}")
            continue
        count = len(modality.statements)
        lines.append(f"{modality.name}: {count} statement{'s' if count != 1 else ''} changed")
        for name, (o, n) in modality.fields.items():
            lines.append(f"  {name}: {o} → {n}")
        for change in modality.statements:
            lines.extend(_statement_lines(change))
    for part in diff.parts:
        lines.append("")
        lines.append(
            f"{part.label}: {len(part.changes)} change{'s' if len(part.changes) != 1 else ''}"
        )
        for path, old_value, new_value in part.changes:
            if old_value is None:
                lines.append(f"  added {path}: {_value(new_value)}")
            elif new_value is None:
                lines.append(f"  removed {path}: {_value(old_value)}")
            else:
                lines.append(f"  {path}: {_value(old_value)} → {_value(new_value)}")
    for table in diff.tables:
        lines.append("")
        if table.status != "changed":
            lines.append(f"Table {table.table}: {table.status}")
            continue
        lines.append(
            f"Table {table.table}: {len(table.added)} added, {len(table.removed)} removed, "
            f"{len(table.changed)} changed"
        )
        for row in table.changed:
            key = ", ".join(f"{k}={v}" for k, v in row["key"].items())
            for column, values in row["columns"].items():
                lines.append(f"  {key}: {column}: {values['old']} → {values['new']}")
        for row in table.added:
            lines.append(f"  added: {_row_text(row)}")
        for row in table.removed:
            lines.append(f"  removed: {_row_text(row)}")
    return "\n".join(lines)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:299] + "…"


def _row_text(row: dict[str, Any]) -> str:
    text = "; ".join(f"{k}={v}" for k, v in row.items() if v not in (None, ""))
    return text if len(text) <= 200 else text[:199] + "…"
