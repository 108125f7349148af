"""The one problem collector and the checks every content file kind shares.

Every file under ``resources/`` is read by one TOML reader and checked with these
helpers, so a problem always reads ``file: key: what is wrong``, keys are named by id
(``criterion.bp-above-140-90.tier``) where the file gives ids, and all problems of a
run are reported together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.content.model import EVIDENCE_TYPES, Sourced

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Three or more words in capitals in a row read as shouting and are hard to read.
CAPITALS = re.compile(r"\b[A-ZÁÉÍÓÚÑÜ]{2,}(?:\s+[A-ZÁÉÍÓÚÑÜ]{2,}\b){2,}")


class Problems:
    """Collects ``file: key: what is wrong`` lines, with the kind of each file."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.kinds: dict[str, str] = {}

    def add(self, file: str, key: str, message: str, kind: str | None = None) -> None:
        """Record one problem."""
        self.items.append(f"{file}: {key}: {message}")
        if kind:
            self.kinds.setdefault(kind, file)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def read_toml(path: Path, rel: str, problems: Problems, kind: str) -> dict[str, Any] | None:
    """Parse one TOML file; on failure record why and return None."""
    import tomllib  # only building the knowledge base reads TOML, never a printout

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.add(rel, "(file)", f"not valid TOML: {exc}", kind)
    except UnicodeDecodeError:
        problems.add(rel, "(file)", "not valid UTF-8 text", kind)
    except OSError as exc:
        problems.add(rel, "(file)", f"cannot be read: {exc.strerror or exc}", kind)
    return None


def nonempty_str(value: Any) -> bool:
    """True for a string with something other than white space in it."""
    return isinstance(value, str) and value.strip() != ""


def join(where: str, key: str) -> str:
    """``where.key``, or ``key`` at the top of a file."""
    return f"{where}.{key}" if where else key


class Reader:
    """The shared checks, bound to one file of one kind.

    ``references`` are the ids of ``references.toml``; ``today`` bounds review dates.
    Each check records its problem and returns a usable value (or None) so that one
    pass over a file finds every problem in it.
    """

    def __init__(
        self,
        problems: Problems,
        file: str,
        kind: str,
        references: Iterable[str] = (),
        today: date | None = None,
    ) -> None:
        self.problems = problems
        self.file = file
        self.kind = kind
        self.references = frozenset(references)
        self.today = today or date.today()
        self.count_at_start = len(problems)

    def add(self, key: str, message: str) -> None:
        """Record a problem at ``key`` of this file."""
        self.problems.add(self.file, key or "(file)", message, self.kind)

    @property
    def clean(self) -> bool:
        """No problem was recorded for this file since the reader was made."""
        return len(self.problems) == self.count_at_start

    def table(self, raw: Any, where: str, what: str = "a table") -> dict[str, Any] | None:
        """``raw`` if it is a table; else a problem."""
        if isinstance(raw, dict):
            return raw
        self.add(where, f"must be {what}")
        return None

    def keys(
        self,
        raw: Mapping[str, Any],
        where: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> bool:
        """Unknown and missing keys of one table; True when there are none."""
        allowed = set(allowed) | set(required)
        ok = True
        for unknown in sorted(set(raw) - allowed):
            self.add(join(where, unknown), f"unknown key (allowed: {', '.join(sorted(allowed))})")
            ok = False
        for name in required:
            if name not in raw:
                self.add(join(where, name), "missing")
                ok = False
        return ok

    def text(self, raw: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> str:
        """A non-empty string at ``key`` (stripped); "" and a problem otherwise."""
        value = raw.get(key)
        if value is None and optional:
            return ""
        if not nonempty_str(value):
            self.add(join(where, key), "missing or empty text")
            return ""
        return value.strip()

    def texts(self, raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        """A non-empty list of non-empty strings."""
        value = raw.get(key)
        if not isinstance(value, list) or not value or not all(nonempty_str(v) for v in value):
            self.add(join(where, key), "must be a non-empty list of texts")
            return ()
        return tuple(v.strip() for v in value)

    def choice(
        self, raw: Mapping[str, Any], key: str, where: str, allowed: Iterable[str], what: str
    ) -> str:
        """One of ``allowed`` at ``key``."""
        allowed = tuple(allowed)
        value = raw.get(key)
        if value not in allowed:
            self.add(join(where, key), f"{value!r} is not {what} (allowed: {', '.join(allowed)})")
            return ""
        return value

    def number(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
    ) -> float | int | None:
        """A number (not a boolean) within the bounds given."""
        value = raw.get(key)
        kinds = int if integer else (int, float)
        if not isinstance(value, kinds) or isinstance(value, bool):
            self.add(
                join(where, key), f"{value!r} is not {'a whole number' if integer else 'a number'}"
            )
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            low = "" if minimum is None else f"{minimum:g}"
            high = "" if maximum is None else f"{maximum:g}"
            self.add(join(where, key), f"{value:g} is outside {low}–{high}")
            return None
        return value

    def date(self, raw: Mapping[str, Any], key: str, where: str) -> date | None:
        """A review date: a TOML date (not a date-time), not in the future."""
        value = raw.get(key)
        if value is None:
            self.add(join(where, key), "missing review date")
            return None
        if not isinstance(value, date) or hasattr(value, "hour"):
            self.add(join(where, key), "must be a date such as 2026-11-21 (no quotes)")
            return None
        if value > self.today:
            self.add(join(where, key), f"{value.isoformat()} is in the future")
            return None
        return value

    def sources(
        self,
        raw: Mapping[str, Any],
        where: str,
        *,
        key: str = "sources",
        may_be_empty: bool = False,
    ) -> tuple[str, ...]:
        """Reference ids that resolve to ``references.toml``."""
        value = raw.get(key)
        if value is None and may_be_empty:
            return ()
        if value is None:
            self.add(join(where, key), "no sources: every statement needs at least one")
            return ()
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            self.add(join(where, key), "must be a list of reference ids")
            return ()
        if not value and not may_be_empty:
            self.add(join(where, key), "no sources: every statement needs at least one")
        for source in value:
            if source not in self.references:
                self.add(join(where, key), f"'{source}' is not in content/references.toml")
        return tuple(value)

    def evidence(self, raw: Mapping[str, Any], where: str) -> str:
        """An evidence type from the vocabulary."""
        if "evidence" not in raw:
            self.add(join(where, "evidence"), "missing evidence type")
            return ""
        return self.choice(raw, "evidence", where, EVIDENCE_TYPES, "an evidence type")

    def sourced(
        self, raw: Any, where: str, *, text_key: str = "text", extra: Iterable[str] = ()
    ) -> Sourced | None:
        """A table of text, sources and evidence (and the ``extra`` keys its kind allows)."""
        if self.table(raw, where, f"a table with {text_key}, sources and evidence") is None:
            return None
        before = len(self.problems)
        self.keys(raw, where, {text_key, "sources", "evidence", *extra})
        found = Sourced(
            self.text(raw, text_key, where), self.sources(raw, where), self.evidence(raw, where)
        )
        return found if len(self.problems) == before else None

    def placeholders(self, template: str, allowed: Iterable[str], where: str) -> set[str]:
        """The ``{name}`` placeholders of a wording template; unknown names are problems."""
        allowed = set(allowed)
        found = set(PLACEHOLDER.findall(template))
        stray = template.replace("{{", "").replace("}}", "")
        stray = PLACEHOLDER.sub("", stray)
        if "{" in stray or "}" in stray:
            self.add(where, "unbalanced { or }: write {name} for a placeholder")
        for name in sorted(found - allowed):
            allowed_text = ", ".join(sorted(allowed)) or "none"
            self.add(where, f"placeholder {{{name}}} is not one of: {allowed_text}")
        return found

    def identifier(self, raw: Mapping[str, Any], where: str, seen: set[str]) -> str:
        """A unique lower-case id (``a-z``, ``0-9``, ``-``) at ``id``."""
        value = raw.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.add(join(where, "id"), f"{value!r} is not an id (a-z, 0-9 and -)")
            return ""
        if value in seen:
            self.add(join(where, "id"), f"'{value}' is used twice")
            return ""
        seen.add(value)
        return value

    def question_heading(self, text: str, where: str, lang: str = "en") -> None:
        """Patient headings are questions a patient asks (¿…? in Spanish)."""
        if text and (not text.endswith("?") or (lang == "es" and "¿" not in text)):
            mark = "¿…?" if lang == "es" else "…?"
            self.add(where, f"headings are questions a patient asks ({mark})")

    def printable(self, text: str, where: str) -> str:
        """Text a patient reads: no run of words in capitals, every character drawable."""
        from kapdesk.content.glyphs import undrawable

        shouting = CAPITALS.search(text)
        if shouting:
            self.add(where, f"'{shouting.group()}' is in capitals; write it in lower case")
        bad = undrawable(text)
        if bad:
            position, char = bad[0]
            self.add(
                where,
                f"character U+{ord(char):04X} at position {position} cannot be printed "
                "with the bundled font",
            )
        return text


def parity(
    reader: Reader,
    where: str,
    english: Mapping[str, Any],
    spanish: Mapping[str, Any],
) -> None:
    """English and Spanish wording tables have the same keys and the same placeholders."""
    for key in sorted(set(english) ^ set(spanish)):
        side = "es" if key in english else "en"
        reader.add(join(where, key), f"missing in {side}: English and Spanish need the same keys")
    for key in sorted(set(english) & set(spanish)):
        a, b = english[key], spanish[key]
        if isinstance(a, str) and isinstance(b, str):
            if set(PLACEHOLDER.findall(a)) != set(PLACEHOLDER.findall(b)):
                reader.add(join(where, key), "English and Spanish use different placeholders")
        elif isinstance(a, dict) and isinstance(b, dict):
            parity(reader, join(where, key), a, b)
