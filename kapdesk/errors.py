"""Errors the user can act on, kept apart from bugs."""

from __future__ import annotations


class KapdeskError(Exception):
    """Base class for errors kapdesk reports to the user."""


class UserInputError(KapdeskError):
    """Bad input from the user: the message names the field, the value and what is allowed."""


class DataError(KapdeskError):
    """A file kapdesk depends on is unreadable: a corrupt database or tampered content."""


class InstallationError(DataError):
    """A file shipped with kapdesk (a bundled font, say) is missing or corrupt."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the installation is damaged: reinstall kapdesk ({what})")
        self.what = what


class ContentError(DataError):
    """Content files under resources/ failed validation; ``problems`` lists each one."""

    def __init__(self, problems: list[str], kinds: list[str] | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        where = ", ".join(kinds) + " files" if kinds else "resource files"
        head = f"{count} problem{'s' if count != 1 else ''} in the {where}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


# Characters that must never reach a terminal raw: C0/C1 controls (newline, ESC, BEL…),
# format characters (bidirectional overrides), line and paragraph separators.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def escape_controls(text: str) -> str:
    """``text`` on one line with every control or format character shown escaped.

    A newline becomes ``\\n``, ESC ``\\x1b``, a bidirectional override ``\\u202e``: the
    result can be echoed to a terminal without starting a new line or driving it.
    """
    import unicodedata

    out = []
    for char in text:
        if char in _NAMED_ESCAPES and char != "\\":
            out.append(_NAMED_ESCAPES[char])
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES:
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return "".join(out)


def quote(value: object, limit: int = 80) -> str:
    """A user's value for a one-line message: in quotes, escaped, shortened past ``limit``."""
    text = escape_controls(str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def one_line(message: str) -> str:
    """The whole message as one safe line (the last guard before stderr)."""
    return escape_controls(message)
