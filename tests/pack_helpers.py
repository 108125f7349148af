"""Test keys and test packs for the content-pack tests.

A test key is generated here and trusted in-process only (monkeypatching the pinned
keys); nothing outside the test process learns it.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest

from kapdesk.kb import pack, store
from kapdesk.paths import AppPaths


@dataclass(frozen=True)
class Signer:
    """A generated minisign key pair."""

    key: pack.SecretKey
    secret_path: Path
    public_text: str


def _signer(folder: Path) -> Signer:
    folder.mkdir(parents=True, exist_ok=True)
    key = pack.write_keypair(folder / "test.key", folder / "test.pub")
    return Signer(key, folder / "test.key", (folder / "test.pub").read_text())


@pytest.fixture(scope="session")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    """The test publisher key (trusted through ``trust_publisher``)."""
    return _signer(tmp_path_factory.mktemp("publisher-key"))


@pytest.fixture(scope="session")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    """A key nobody pinned."""
    return _signer(tmp_path_factory.mktemp("stranger-key"))


@pytest.fixture
def trust_publisher(monkeypatch: pytest.MonkeyPatch, publisher: Signer) -> None:
    """Trust only the test publisher key, in this process."""
    monkeypatch.setattr(pack, "PUBLISHER_KEYS", {"test": publisher.public_text})


def later(days: int) -> date:
    return date.today() + timedelta(days=days)


def kb_variant(source: Path, target: Path, **meta: str | int) -> Path:
    """A copy of a built knowledge base with some ``meta`` values replaced."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as conn:
        for key, value in meta.items():
            conn.execute("UPDATE manifest SET value = ? WHERE key = ?", (str(value), key))
    conn.close()
    return target


PackFactory = Callable[..., Path]


@pytest.fixture
def make_pack(tmp_path: Path, built_data_dir: Path, publisher: Signer) -> PackFactory:
    """``make_pack(version, expires=..., signer=..., meta=..., db=...)`` → a pack file.

    The database is the session's knowledge base with ``content_version`` (and any other
    ``meta``) replaced, or ``db`` if given.
    """
    folder = tmp_path / "packs"
    folder.mkdir()
    source = AppPaths(built_data_dir).kb_path

    def make(
        version: int,
        *,
        expires: date | None = None,
        signer: Signer | None = None,
        meta: dict[str, str | int] | None = None,
        db: Path | None = None,
        name: str | None = None,
    ) -> Path:
        label = name or f"v{version}"
        if db is None:
            values = {"content_version": version, "expires": (expires or later(365)).isoformat()}
            db = kb_variant(source, folder / f"{label}.sqlite3", **values, **(meta or {}))
        out = folder / f"{label}.kpack"
        # A newer schema is signed as a newer kapdesk would: it reads its own schema.
        schema = int((meta or {}).get("schema_version", store.SCHEMA_VERSION))
        with mock.patch.object(store, "SCHEMA_VERSION", schema):
            pack.sign_kb_file(db, (signer or publisher).key, out)
        return out

    return make


def flip_byte(path: Path, offset: int) -> None:
    """Change one byte of ``path`` in place (negative offsets count from the end)."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def header_length(path: Path) -> int:
    """Bytes before the database part: the pack line and the four signature lines."""
    data = path.read_bytes()
    end = 0
    for _ in range(5):
        end = data.index(b"\n", end) + 1
    return end
