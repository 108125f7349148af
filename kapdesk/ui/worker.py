"""One background thread that owns the knowledge-base connection.

Every knowledge-base call from the GUI goes through :class:`CoreWorker`, so the
window never waits on SQLite or reportlab, and the SQLite connection stays on the
thread that opened it. Results come back as Qt signals, delivered on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from kapdesk.paths import AppPaths

if TYPE_CHECKING:  # the thread pool is made on first use, after the window shows
    from concurrent.futures import Future, ThreadPoolExecutor


def _log_error(message: str, *args: object) -> None:
    import logging

    logging.getLogger("kapdesk.ui").error(message, *args)


def _frames(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_tb(exc.__traceback__))


class CoreWorker(QObject):
    """Runs core calls on one thread; emits ``done(tag, result)`` or ``failed(tag, message)``."""

    ready = Signal(object)  # KnowledgeBase (use only through submit)
    reloaded = Signal(object)  # the active knowledge base after a content update
    progress = Signal(int, int, str)
    done = Signal(str, object)
    failed = Signal(str, str)
    cancelled = Signal(str)

    def __init__(self, paths: AppPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.kb = None
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()

    @property
    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kapdesk-core")
        return self._executor

    def start(self) -> Future:
        return self._pool.submit(self._open)

    def _open(self) -> None:
        try:
            from kapdesk.kb.store import open_active_kb

            kb = open_active_kb(
                self.paths, progress=lambda n, total, what: self.progress.emit(n, total, what)
            )
            self.kb = kb
            self.ready.emit(kb)
        except Exception as exc:  # shown to the user, never swallowed
            _log_error("knowledge base failed to open: %s", _frames(exc))
            self.failed.emit("open", str(exc))

    def reopen(self) -> Future:
        """Close the knowledge base and open the active one again (after a content update).

        Runs after every job already submitted; ``reloaded(kb)`` or ``failed("reopen", …)``.
        """

        def job() -> None:
            try:
                from kapdesk.kb.store import open_active_kb

                if self.kb is not None:
                    self.kb.close()
                    self.kb = None
                self.kb = open_active_kb(self.paths)
                self.reloaded.emit(self.kb)
            except Exception as exc:
                _log_error("knowledge base failed to reopen: %s", type(exc).__name__)
                self.failed.emit("reopen", str(exc))

        if self._closed:
            return Future()
        return self._pool.submit(job)

    def when_ready(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(kb)`` once the knowledge base is open (now, if it already is).

        Pages built after start-up (on first visit) use this instead of ``ready``.
        """
        if self.kb is not None:
            callback(self.kb)
        else:
            self.ready.connect(callback)

    def submit(self, tag: str, func: Callable[[Any], Any]) -> Future:
        """Run ``func(kb)`` on the worker thread; the result arrives as ``done(tag, result)``."""

        def job() -> None:
            from kapdesk.cancel import Cancelled, checking

            try:
                with checking(lambda: self._is_cancelled(tag)):
                    if self._is_cancelled(tag):
                        raise Cancelled()
                    result = func(self.kb)
            except Cancelled:
                self._forget(tag)
                self.cancelled.emit(tag)
                return
            except Exception as exc:
                from kapdesk.errors import KapdeskError

                if not isinstance(exc, KapdeskError):
                    _log_error("core call %s failed: %s", tag, _frames(exc))
                self._forget(tag)
                self.failed.emit(tag, str(exc))
                return
            self._forget(tag)
            self.done.emit(tag, result)

        if self._closed:
            from concurrent.futures import Future

            return Future()
        return self._pool.submit(job)

    def cancel(self, tag: str) -> None:
        """Stop the job ``tag``: before it starts, or within a page if it is rendering.

        The job then emits ``cancelled(tag)`` instead of ``done`` or ``failed``.
        """
        with self._lock:
            self._cancelled.add(tag)

    def _is_cancelled(self, tag: str) -> bool:
        with self._lock:
            return tag in self._cancelled

    def _forget(self, tag: str) -> None:
        with self._lock:
            self._cancelled.discard(tag)

    def shutdown(self) -> None:
        """Close the knowledge base on its thread and stop the thread; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._executor is None:
            return

        def close() -> None:
            if self.kb is not None:
                self.kb.close()
                self.kb = None

        self._pool.submit(close)
        self._pool.shutdown(wait=True)
