"""Atomic file output: the one way kapdesk writes a file.

Every file the program writes (PDFs, exports, settings, backups) goes through
:func:`atomic_write` or :func:`write_all`: the bytes go to a temporary file in the
target's folder, are flushed to disk, and only then renamed over the target. A failure
at any point removes the temporary file, so a reader never finds a cut-off document
where a complete one was expected.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".kapdesk-"
TEMP_SUFFIX = ".part"

# How a temporary file's descriptor becomes a file object (tests replace it with one
# that runs out of space, as a full disk does).
_open_fd = os.fdopen


class WriteError(OSError):
    """A file could not be written; ``written`` lists the files completed before it."""

    def __init__(self, path: Path, cause: OSError, written: Sequence[Path] = ()) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause), str(path))
        self.path = path
        self.cause = cause
        self.written = tuple(written)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path | str) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces ``path`` in one rename.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with _open_fd(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    with atomic_writer(path) as handle:
        handle.write(data)


def write_all(files: Sequence[tuple[Path, bytes]]) -> list[Path]:
    """Write several files so that either all are written or none is new.

    Every file is first written in full to a temporary file beside its target; only
    when all are complete are they renamed into place. Raises :class:`WriteError` for
    the first file that failed, with ``written`` naming those already in place (only
    possible when a rename itself fails, which is rare).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files:
            try:
                fd, tmp_name = tempfile.mkstemp(
                    prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent
                )
            except OSError as exc:
                raise WriteError(target, exc) from exc
            tmp = Path(tmp_name)
            staged.append((tmp, target))
            try:
                with _open_fd(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                with contextlib.suppress(OSError):
                    os.chmod(tmp, _default_mode())
            except OSError as exc:
                raise WriteError(target, exc) from exc
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    written: list[Path] = []
    for index, (tmp, target) in enumerate(staged):
        try:
            os.replace(tmp, target)
        except OSError as exc:
            for rest, _ in staged[index:]:
                rest.unlink(missing_ok=True)
            raise WriteError(target, exc, written) from exc
        written.append(target)
    for folder in {target.parent for _, target in staged}:
        _fsync_dir(folder)
    return written


def _default_mode() -> int:
    """The mode a newly created file gets under the current umask (mkstemp uses 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
