"""Shared fixtures: offscreen Qt, no network, an isolated data directory."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from kapdesk.paths import AppPaths

# Test keys and packs for the content-pack tests (fixtures).
pytest_plugins = ["tests.pack_helpers"]


def pytest_configure(config: pytest.Config) -> None:
    # Before pytest-qt creates the QApplication: no display is needed.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class NetworkAccessError(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise NetworkAccessError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data directory."""
    monkeypatch.setenv("KAPDESK_DATA_DIR", str(tmp_path / "default-data"))


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a knowledge base built once for the session."""
    from kapdesk.kb.store import ensure_kb

    data_dir = tmp_path_factory.mktemp("data")
    kb, _ = ensure_kb(AppPaths(data_dir))
    kb.close()
    return data_dir


@pytest.fixture(autouse=True)
def active_catalog(built_data_dir: Path) -> None:
    """The session's knowledge base is the active one, as after the app opened it."""
    from kapdesk.kb.catalog import activate
    from kapdesk.kb.store import KnowledgeBase

    global _CATALOG
    if _CATALOG is None:
        with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
            _CATALOG = kb.catalog
    activate(_CATALOG)


_CATALOG = None


@pytest.fixture
def data_dir(built_data_dir: Path, tmp_path: Path) -> Path:
    """A fresh data directory with a copy of the session's knowledge base."""
    target = tmp_path / "data"
    target.mkdir()
    source = AppPaths(built_data_dir).kb_path
    (target / source.name).write_bytes(source.read_bytes())
    return target


@pytest.fixture
def kb(built_data_dir: Path):
    from kapdesk.kb.store import KnowledgeBase

    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        yield kb
