"""Cancelling long work from another thread (the GUI's Cancel button).

The GUI's core worker runs one job at a time; it installs the job's check with
:func:`checking` and the document frame calls :func:`raise_if_cancelled` before
every page it keeps, so a long render stops within one page of the request.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

_local = threading.local()


class Cancelled(Exception):
    """The user cancelled the work in progress."""


@contextlib.contextmanager
def checking(is_cancelled: Callable[[], bool]) -> Iterator[None]:
    """Run the block with ``is_cancelled`` as this thread's cancel check."""
    previous = getattr(_local, "check", None)
    _local.check = is_cancelled
    try:
        yield
    finally:
        _local.check = previous


def raise_if_cancelled() -> None:
    """Raise :class:`Cancelled` if this thread's current work was cancelled."""
    check = getattr(_local, "check", None)
    if check is not None and check():
        raise Cancelled()
