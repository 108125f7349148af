"""The one JSON reader for everything a user hands to kapdesk.

Every command that takes JSON (answers, a presentation, later a session or an import)
parses it here, so the rules and the messages are the same everywhere: a UTF-8 byte
order mark is accepted, a key given twice is refused, nesting depth, size and the
length of numbers are bounded, and NaN or Infinity are refused.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from kapdesk.errors import UserInputError, escape_controls, quote

MAX_JSON_CHARS = 200_000
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class DuplicateKeyError(UserInputError):
    """A JSON object gives the same key twice; ``key`` is that key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{escape_controls(key)}: is given twice; give each key once")
        self.key = key


def _depth(text: str) -> int:
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(key)
        out[key] = value
    return out


def parse_json(text: str, name: str) -> Any:
    """Parse ``text`` under the input policy; UserInputError names ``name`` and the problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_JSON_CHARS:
        raise UserInputError(
            f"{name}: {len(text)} characters of JSON; at most {MAX_JSON_CHARS} are allowed"
        )
    if _depth(text) > MAX_DEPTH:
        raise UserInputError(
            f"{name}: the JSON is nested too deeply; at most {MAX_DEPTH} levels are allowed"
        )

    def number(literal: str, kind: type) -> Any:
        if len(literal) > MAX_NUMBER_CHARS:
            raise UserInputError(
                f"{name}: the number {quote(literal, 24)} is too long; "
                f"at most {MAX_NUMBER_CHARS} characters are allowed"
            )
        value = kind(literal)
        if isinstance(value, float) and not math.isfinite(value):
            raise UserInputError(f"{name}: the number {quote(literal)} is not finite")
        return value

    def constant(literal: str) -> Any:
        raise UserInputError(f"{name}: {literal} is not allowed; numbers must be finite")

    try:
        return json.loads(
            text,
            object_pairs_hook=_unique,
            parse_int=lambda s: number(s, int),
            parse_float=lambda s: number(s, float),
            parse_constant=constant,
        )
    except json.JSONDecodeError as exc:
        raise UserInputError(
            f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:  # the depth scan makes this unreachable; kept as a guard
        raise UserInputError(f"{name}: the JSON is nested too deeply") from None


def read_source(source: str, name: str) -> str:
    """The UTF-8 text (BOM allowed) of file ``source``, or of standard input for ``-``."""
    limit = MAX_JSON_CHARS * 4 + 4
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes (tests, embedded use)
            text = sys.stdin.read(limit + 1)
            return text
        data = stream.read(limit + 1)
    else:
        try:
            with Path(source).open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            raise UserInputError(
                f"{name}: {quote(source)} cannot be read ({exc.strerror or exc}); "
                "give a JSON file, or - to read standard input"
            ) from None
    if len(data) > limit:
        raise UserInputError(
            f"{name}: {quote(source)} is too large; at most {MAX_JSON_CHARS} characters of JSON "
            "are allowed"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserInputError(
            f"{name}: {quote(source)} is not UTF-8 text; give a JSON file in UTF-8"
        ) from None


def read_json(source: str, name: str) -> Any:
    """Read and parse JSON from a file or standard input under the one input policy."""
    return parse_json(read_source(source, name), name)
