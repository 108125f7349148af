"""The ``kapdesk`` entry point: start the app at once, or hand over to the full CLI.

Starting the app is the common case and must be as fast as an empty window, so this
module imports nothing beyond ``sys``: only a command line that does more than start
the app (``kapdesk kb info``, ``kapdesk --version``, …) loads the parser in
:mod:`kapdesk.cli`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def gui_arguments(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """(data dir, quit after show) when ``argv`` only starts the app, else None."""
    data_dir: str | None = None
    rest = list(argv)
    if rest[:1] == ["--data-dir"] and len(rest) >= 2 and not rest[1].startswith("-"):
        data_dir, rest = rest[1], rest[2:]
    elif rest[:1] and rest[0].startswith("--data-dir="):
        data_dir, rest = rest[0].split("=", 1)[1], rest[1:]
    if rest and rest[0] == "gui":
        rest = rest[1:]
    elif rest:
        return None
    if rest in ([], ["--quit-after-show"]) and data_dir != "" and _usable(data_dir):
        return data_dir, bool(rest)
    return None


def _usable(data_dir: str | None) -> bool:
    """True when the data folder plainly works (an existing, writable folder).

    Anything else goes through the full CLI, whose check names the problem and exits 2.
    """
    import os

    path = data_dir or os.environ.get("KAPDESK_DATA_DIR")
    if path is None:
        from kapdesk.paths import default_data_dir

        path = str(default_data_dir())
    path = os.path.expanduser(path)
    return os.path.isdir(path) and os.access(path, os.R_OK | os.W_OK | os.X_OK)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kapdesk`` with ``argv`` (default: the process's arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)
    gui = gui_arguments(args)
    if gui is not None:
        from kapdesk.ui.app import run

        return run(data_dir=gui[0], quit_after_show=gui[1])
    from kapdesk.cli import main as cli_main

    return cli_main(args)
