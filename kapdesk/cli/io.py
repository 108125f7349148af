"""The command line's one input and output policy.

Every command goes through here for what it reads and writes:

- standard output and error are UTF-8 with unencodable characters replaced, on every
  platform (a cp1252 console or a strict ``PYTHONIOENCODING`` never stops a command
  half-way through its output);
- an error is one line: every value is quoted and its control characters escaped
  (``\\n``, ``\\x1b``), so a message can neither break in two nor drive the terminal;
- every path argument is checked before any work is done (a missing folder, a folder
  where a file is expected, a device, no permission, a name too long): exit 2 naming
  the argument;
- the data directory is checked the same way;
- files are written with :func:`kapdesk.fsio.write_all`: all of them, or none new;
- JSON input is read with :mod:`kapdesk.jsonin`.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from kapdesk.errors import UserInputError, one_line, quote
from kapdesk.fsio import WriteError, write_all
from kapdesk.jsonin import read_json  # noqa: F401 (the one JSON reader, re-exported)
from kapdesk.paths import DATA_DIR_ENV, default_data_dir

# SQLite refuses database paths past 512 bytes; leave room for the longest file name
# kapdesk puts in the data folder (a dated profile backup).
MAX_DATA_DIR_BYTES = 400
DEFAULT_NAME_MAX = 255
DEFAULT_PATH_MAX = 4096


def configure_streams() -> None:
    """Make stdout and stderr UTF-8 with replacement, whatever the platform's default."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            stream.flush()
            reconfigure(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            pass


def error_line(message: str) -> str:
    """The message as exactly one safe line, ending in a newline."""
    return one_line(message) + "\n"


def _encoded_len(text: str) -> int:
    return len(os.fsencode(text))


def _limits(folder: Path) -> tuple[int, int]:
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_NAME_MAX, DEFAULT_PATH_MAX


def _stat(path: Path, option: str) -> os.stat_result | None:
    """``os.stat`` of ``path``, None when it does not exist; other failures are exit 2."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise UserInputError(
            f"{option}: {quote(path)}: a part of the path is a file, not a folder"
        ) from None
    except OSError as exc:
        reason = "a symbolic link loops" if exc.errno == errno.ELOOP else exc.strerror or exc
        raise UserInputError(f"{option}: {quote(path)} cannot be used ({reason})") from None
    except ValueError:  # an embedded NUL
        raise UserInputError(f"{option}: {quote(path)} contains a NUL character") from None


def _check_text(value: str, option: str, what: str) -> Path:
    if not value:
        raise UserInputError(f"{option}: '' is empty; give {what}")
    if "\x00" in value:
        raise UserInputError(f"{option}: {quote(value)} contains a NUL character")
    return Path(value).expanduser()


def _is_dir_quietly(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _check_lengths(path: Path, option: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    existing = folder
    while not _is_dir_quietly(existing) and existing != existing.parent:
        existing = existing.parent
    name_max, path_max = _limits(existing)
    for part in path.parts:
        if _encoded_len(part) > name_max:
            raise UserInputError(
                f"{option}: the name {quote(part, 40)} is {_encoded_len(part)} bytes long; "
                f"at most {name_max} are allowed"
            )
    full = _encoded_len(str(path.absolute()))
    if full >= path_max:
        raise UserInputError(
            f"{option}: the path is {full} bytes long; at most {path_max - 1} are allowed"
        )


def _writable_folder(folder: Path, option: str, target: Path) -> None:
    info = _stat(folder, option)
    head = f"{option}: cannot write {quote(target)}"
    if info is None:
        raise UserInputError(f"{head}: the folder {quote(folder)} does not exist; create it first")
    if not stat.S_ISDIR(info.st_mode):
        raise UserInputError(f"{head}: {quote(folder)} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserInputError(f"{head}: no permission to write in the folder {quote(folder)}")


def check_output_file(value: str, option: str) -> Path:
    """Check a file argument that kapdesk will write; return it as a Path (exit 2 if bad)."""
    path = _check_text(value, option, "a file name such as summary.pdf")
    _check_lengths(path, option)
    info = _stat(path, option)
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UserInputError(f"{option}: {quote(value)} is a folder; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise UserInputError(
                f"{option}: {quote(value)} is not a regular file (a device or a pipe); "
                "give a file name"
            )
        if path.is_symlink():
            path = path.resolve()
    elif value.endswith(("/", os.sep)):
        raise UserInputError(f"{option}: {quote(value)} names a folder; give a file name")
    _writable_folder(path.parent if str(path.parent) else Path("."), option, path)
    return path


def check_output_dir(value: str, option: str) -> Path:
    """Check a folder argument that kapdesk will write into (creating it if needed)."""
    path = _check_text(value, option, "a folder")
    _check_lengths(path / "x", option)
    info = _stat(path, option)
    if info is not None:
        if not stat.S_ISDIR(info.st_mode):
            raise UserInputError(f"{option}: {quote(value)} is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UserInputError(
                f"{option}: cannot write in the folder {quote(value)} (permission denied)"
            )
        return path
    ancestor = path.parent
    while _stat(ancestor, option) is None and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    _writable_folder(ancestor, option, path)
    return path


def check_distinct(paths: dict[str, Path | None]) -> None:
    """Two output arguments naming the same file would overwrite one with the other."""
    seen: dict[Path, str] = {}
    for option, path in paths.items():
        if path is None:
            continue
        key = path.absolute()
        if key in seen:
            raise UserInputError(
                f"{option}: {quote(path)} is also given to {seen[key]}; give two different files"
            )
        seen[key] = option


def check_data_dir(value: str | None) -> Path:
    """Check the data folder (``--data-dir``, else $KAPDESK_DATA_DIR or the default)."""
    option = "--data-dir" if value is not None else DATA_DIR_ENV
    if value is None:
        path = default_data_dir()
    else:
        path = _check_text(value, option, "a folder, or leave the option out for the default")
    length = _encoded_len(str(path.absolute()))
    if length > MAX_DATA_DIR_BYTES:
        raise UserInputError(
            f"{option}: the path is {length} bytes long; at most {MAX_DATA_DIR_BYTES} are allowed"
        )
    _check_lengths(path / "x", option)
    info = _stat(path, option)
    if info is None:
        ancestor = path.parent
        while _stat(ancestor, option) is None and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        ancestor_info = _stat(ancestor, option)
        if ancestor_info is None or not stat.S_ISDIR(ancestor_info.st_mode):
            raise UserInputError(f"{option}: {quote(path)} cannot be created")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise UserInputError(
                f"{option}: {quote(path)} cannot be created in {quote(ancestor)} "
                "(permission denied)"
            )
        return path
    if not stat.S_ISDIR(info.st_mode):
        raise UserInputError(f"{option}: {quote(path)} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise UserInputError(
            f"{option}: the folder {quote(path)} cannot be read (permission denied)"
        )
    return path


def check_data_dir_writable(path: Path, option: str, why: str) -> None:
    """Refuse a data folder kapdesk must write to but cannot (exit 2 with the reason)."""
    if path.exists() and not os.access(path, os.W_OK | os.X_OK):
        raise UserInputError(f"{option}: the folder {quote(path)} is read-only; {why}")


def write_outputs(files: Sequence[tuple[Path, bytes, str]]) -> list[Path]:
    """Write (path, data, option) files: all of them, or none new; exit 2 names the option.

    The message says which files, if any, were already in place before the failure.
    """
    options = {path: option for path, _, option in files}
    try:
        return write_all([(path, data) for path, data, _ in files])
    except WriteError as exc:
        done = (
            "already written: " + ", ".join(quote(p) for p in exc.written)
            if exc.written
            else "nothing was written"
        )
        raise UserInputError(
            f"{options.get(exc.path, '--out')}: cannot write {quote(exc.path)} "
            f"({exc.cause.strerror or exc.cause}); {done}"
        ) from None
