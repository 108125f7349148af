"""Installed content packs: which is active, which is kept, the highest version installed.

Kept apart from :mod:`kapdesk.kb.pack` so that choosing the active knowledge base at
start-up (``kapdesk.kb.store.open_active_kb``) needs neither ``cryptography`` nor the
pack reader: an installed pack's signature was checked when it was installed; here its
database is checked against the digest recorded then.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kapdesk.errors import DataError, UserInputError
from kapdesk.paths import AppPaths

log = logging.getLogger("kapdesk.kb")

FORMAT = 1
CHUNK = 1024 * 1024
PACKS_DIR = "content-packs"
STATE_FILE = "state.json"
DB_NAME = "knowledge-base.sqlite3"


class PackError(UserInputError):
    """A pack that must not be installed or read: the message is one line for the user."""


# --- manifest ---------------------------------------------------------------------------


def program_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts + [0] * (3 - len(parts)))


@dataclass(frozen=True)
class Manifest:
    """What a pack says about its content; signed with it."""

    content_version: int
    reviewed: date
    built: date
    expires: date
    kb_schema: int
    min_program: str
    content_hash: str
    db_bytes: int
    format: int = FORMAT

    def to_json(self) -> str:
        data = {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.to_json())

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            data = json.loads(text)
            manifest = cls(
                content_version=_int(data["content_version"]),
                reviewed=date.fromisoformat(data["reviewed"]),
                built=date.fromisoformat(data["built"]),
                expires=date.fromisoformat(data["expires"]),
                kb_schema=_int(data["kb_schema"]),
                min_program=str(data["min_program"]),
                content_hash=str(data["content_hash"]),
                db_bytes=_int(data["db_bytes"]),
                format=_int(data["format"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise PackError(f"manifest: cannot be read ({exc}); ask the publisher") from None
        if manifest.format != FORMAT:
            raise PackError(
                f"manifest: pack format {manifest.format}; this kapdesk reads format {FORMAT}"
            )
        return manifest

    def expired(self, today: date) -> bool:
        """Whether the content is due for review on ``today``."""
        return today >= self.expires


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def file_digest(path: Path) -> str:
    """BLAKE2b-512 of a file, hex (the hash minisign signs)."""
    digest = hashlib.blake2b()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- installed packs --------------------------------------------------------------------


@dataclass(frozen=True)
class InstalledPack:
    """A pack copied into the data directory: its folder, manifest and database digest."""

    folder: str
    manifest: Manifest
    db_digest: str
    key: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "manifest": self.manifest.to_dict(),
            "db_digest": self.db_digest,
            "key": self.key,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstalledPack:
        return cls(
            str(data["folder"]),
            Manifest.from_json(json.dumps(data["manifest"])),
            str(data["db_digest"]),
            str(data["key"]),
        )


@dataclass(frozen=True)
class PackState:
    """Which pack is active, which is kept for rollback, the highest version ever installed.

    ``withdrawn`` is the pack last rolled back from: it alone may be installed again
    although its version is not above ``highest_installed``.
    """

    active: InstalledPack | None = None
    previous: InstalledPack | None = None
    highest_installed: int = 0
    withdrawn: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "active": self.active.to_dict() if self.active else None,
            "previous": self.previous.to_dict() if self.previous else None,
            "highest_installed": self.highest_installed,
            "withdrawn": self.withdrawn,
        }


def packs_dir(paths: AppPaths) -> Path:
    """Where installed packs live in the data directory."""
    return paths.data_dir / PACKS_DIR


def load_state(paths: AppPaths) -> PackState:
    """The installed-pack state; an absent file means no pack was ever installed."""
    path = packs_dir(paths) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PackState()
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: the content-pack state cannot be read ({exc})") from exc
    try:
        return PackState(
            active=InstalledPack.from_dict(data["active"]) if data.get("active") else None,
            previous=InstalledPack.from_dict(data["previous"]) if data.get("previous") else None,
            highest_installed=int(data.get("highest_installed", 0)),
            withdrawn=data.get("withdrawn"),
        )
    except (KeyError, TypeError, ValueError, PackError) as exc:
        raise DataError(f"{path}: the content-pack state cannot be read ({exc})") from exc


def fsync_dir(path: Path) -> None:
    if os.name == "posix":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_state(paths: AppPaths, state: PackState) -> None:
    """Replace the state file atomically: this one rename switches the active content."""
    folder = packs_dir(paths)
    tmp = folder / f".{STATE_FILE}.{secrets.token_hex(4)}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(state.to_dict(), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / STATE_FILE)
    fsync_dir(folder)


def collect_garbage(paths: AppPaths, state: PackState) -> None:
    """Remove folders and temporary files no state refers to (left by a crash or a switch)."""
    folder = packs_dir(paths)
    if not folder.is_dir():
        return
    keep = {p.folder for p in (state.active, state.previous) if p} | {STATE_FILE}
    for entry in folder.iterdir():
        if entry.name not in keep:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)  # in use on Windows: next time
            else:
                with suppress(OSError):
                    entry.unlink()


def installed_kb_path(paths: AppPaths) -> Path | None:
    """The active pack's database if it still has the digest recorded at install, else None.

    Needs no ``cryptography``: the signature was checked when the pack was installed.
    """
    try:
        state = load_state(paths)
    except DataError as exc:
        log.warning("%s", exc)
        return None
    if state.active is None:
        return None
    path = packs_dir(paths) / state.active.folder / DB_NAME
    try:
        if file_digest(path) == state.active.db_digest:
            return path
    except OSError as exc:
        log.warning("installed content pack unreadable: %s", exc)
        return None
    log.warning("installed content pack %s does not match its digest; not used", path)
    return None


def installed_digest_ok(paths: AppPaths, pack: InstalledPack) -> bool:
    """Whether an installed pack's database still has the digest it was installed with."""
    try:
        return file_digest(packs_dir(paths) / pack.folder / DB_NAME) == pack.db_digest
    except OSError:
        return False
