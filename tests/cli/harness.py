"""One in-process harness for calling the CLI, shared by the fuzz and regression tests.

``run_cli`` calls ``kapdesk.cli.main`` with its own standard streams: bytes in, bytes
out, and a chosen (possibly strict, non-UTF-8) encoding on stdout and stderr, as a
Windows console or ``PYTHONIOENCODING=ascii:strict`` would give. ``failing_writes``
makes every file write run out of space half-way, as a full disk does.
"""

from __future__ import annotations

import contextlib
import errno
import io
import itertools
import json
import os
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapdesk.cli import main


@dataclass(frozen=True)
class Outcome:
    """What one CLI call did: exit code and the raw bytes on stdout and stderr."""

    code: int
    out_bytes: bytes
    err_bytes: bytes

    @property
    def out(self) -> str:
        return self.out_bytes.decode("utf-8")  # strict: the output is always UTF-8

    @property
    def err(self) -> str:
        return self.err_bytes.decode("utf-8")


def call(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:
    """``kapdesk --data-dir DATA_DIR ARGS…`` in process: exit code, stdout and stderr as
    pytest's ``capsys`` captured them."""
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def write_json(tmp_path: Path, data: Any, name: str) -> str:
    """Write ``data`` (JSON, or text as given) to ``tmp_path/name``; return the path."""
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def run_cli(argv: Sequence[str], *, stdin: bytes = b"", encoding: str = "utf-8") -> Outcome:
    """Run ``kapdesk argv`` in this process; never raises for what the CLI does."""
    out, err = io.BytesIO(), io.BytesIO()
    streams = (sys.stdin, sys.stdout, sys.stderr)
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding=encoding, errors="strict", newline="\n")
    sys.stderr = io.TextIOWrapper(err, encoding=encoding, errors="strict", newline="\n")
    try:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: usage errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        sys.stdout.flush()
        sys.stderr.flush()
        return Outcome(code, out.getvalue(), err.getvalue())
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams


def control_characters(text: str) -> list[str]:
    """Control and format characters in ``text`` other than the line ends."""
    return [
        c
        for c in text
        if c != "\n" and unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
    ]


def assert_contract(outcome: Outcome, *, json_out: bool = False) -> None:
    """The CLI contract every fuzzed call must keep."""
    assert outcome.code in (0, 2), (outcome.code, outcome.err_bytes[:500])
    err = outcome.err  # valid UTF-8, whatever the terminal's encoding was
    out = outcome.out
    assert "Traceback" not in err
    assert not control_characters(err), repr(err[:300])
    if outcome.code == 2:
        assert err.endswith("\n") and err.count("\n") == 1, repr(err[:300])
        assert err.startswith("kapdesk"), repr(err[:300])
        assert out == "", "nothing on stdout after a refusal"
        assert "Wrote " not in err
    elif json_out:
        json.loads(out)


def new_files(folder: Path, before: set[str]) -> set[str]:
    """Names in ``folder`` that were not in ``before`` (temporary files included)."""
    return {p.name for p in folder.iterdir()} - before


@contextlib.contextmanager
def failing_writes(after_bytes: int = 1000, files_ok: int = 0) -> Iterator[None]:
    """Files kapdesk writes through :mod:`kapdesk.fsio` hit "No space left on device"
    after ``after_bytes`` bytes, as on a full disk, leaving a cut-off temporary file
    behind for the helper to clean up. The first ``files_ok`` files are written whole."""
    import kapdesk.fsio as fsio

    real = fsio._open_fd
    opened = itertools.count()

    class Full(io.RawIOBase):
        def __init__(self, fd: int) -> None:
            self.handle = real(fd, "wb")
            self.written = 0
            self.limit = after_bytes if next(opened) >= files_ok else 1 << 40

        def write(self, data) -> int:
            room = max(0, self.limit - self.written)
            self.handle.write(bytes(data[:room]))
            self.handle.flush()
            self.written += min(room, len(data))
            if len(data) > room:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return len(data)

        def writable(self) -> bool:
            return True

        def fileno(self) -> int:
            return self.handle.fileno()

        def flush(self) -> None:
            self.handle.flush()

        def close(self) -> None:
            if not self.closed:
                super().close()
                self.handle.close()

    fsio._open_fd = lambda fd, mode="wb": Full(fd)
    try:
        yield
    finally:
        fsio._open_fd = real
