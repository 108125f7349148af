"""Errors the user can act on, kept apart from bugs."""

from __future__ import annotations


class KapdeskError(Exception):
    """Base class for errors kapdesk reports to the user."""


class UserInputError(KapdeskError):
    """Bad input from the user: the message names the field, the value and what is allowed."""


class DataError(KapdeskError):
    """A file kapdesk depends on is unreadable: a corrupt database or tampered content."""


class ContentError(DataError):
    """Content files under resources/ failed validation; ``problems`` lists each one."""

    def __init__(self, problems: list[str], kinds: list[str] | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        where = ", ".join(kinds) + " files" if kinds else "resource files"
        head = f"{count} problem{'s' if count != 1 else ''} in the {where}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
