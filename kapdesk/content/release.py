"""The release file kind: ``content/release.toml``, the publisher's numbering of the content.

``content_version`` orders every release (bundled with the program or shipped as a
signed content pack), ``expires`` is the date from which the app says the content is
due for review, and ``min_program`` the oldest kapdesk that can read it. A content pack
carries these in its signed manifest (docs/content-packs-publisher.md).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from kapdesk.content.model import Release
from kapdesk.content.problems import Problems, Reader, read_toml

RELEASE_FILE = "content/release.toml"
PROGRAM_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


def load_release(root: Path, problems: Problems) -> Release:
    """``content/release.toml``: content version, expiry date and oldest program."""
    raw = read_toml(root / RELEASE_FILE, RELEASE_FILE, problems, "release")
    if raw is None:
        return Release(0, date.min, "0")
    r = Reader(problems, RELEASE_FILE, "release")
    r.keys(raw, "", (), required=("content_version", "expires", "min_program"))
    number = raw.get("content_version")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        r.add("content_version", f"{number!r} is not a whole number of 1 or more")
        number = 0
    # Not Reader.date: an expiry date lies in the future by design.
    expires = raw.get("expires")
    if not isinstance(expires, date) or isinstance(expires, datetime):
        r.add("expires", f"{expires!r} is not a TOML date such as 2027-11-21")
        expires = date.min
    program = raw.get("min_program")
    if not isinstance(program, str) or not PROGRAM_VERSION.match(program):
        r.add("min_program", f'{program!r} is not a program version such as "0.1.0"')
        program = "0"
    return Release(number, expires, program)
