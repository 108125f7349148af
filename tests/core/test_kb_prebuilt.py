"""A desktop bundle's pre-built knowledge base: copied when it matches, ignored otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kapdesk.kb.store as store
from kapdesk.content.kinds import content_hash
from kapdesk.kb.store import ensure_kb, prebuilt_kb_path
from kapdesk.paths import AppPaths, resources_dir


@pytest.fixture
def bundle_root(tmp_path: Path, built_data_dir: Path) -> Path:
    """A resources root laid out like the bundle's: content plus a matching pre-built KB."""
    root = tmp_path / "resources"
    shutil.copytree(resources_dir(), root)
    prebuilt = prebuilt_kb_path(root)
    prebuilt.parent.mkdir(parents=True)
    shutil.copyfile(AppPaths(built_data_dir).kb_path, prebuilt)
    return root


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every build from the sources (and still do it)."""
    calls: list[Path] = []
    real_build = store.build

    def recording_build(content, target, progress=None):
        calls.append(target)
        return real_build(content, target, progress)

    monkeypatch.setattr(store, "build", recording_build)
    return calls


def test_matching_prebuilt_is_copied_instead_of_built(
    tmp_path: Path, bundle_root: Path, builds: list[Path]
) -> None:
    paths = AppPaths(tmp_path / "user")
    kb, built = ensure_kb(paths, resources_root=bundle_root)
    with kb:
        assert built and builds == []
        assert kb.path == paths.kb_path
        assert kb.version.content_hash == content_hash(bundle_root)
        assert kb.modality("emdr").name
    assert paths.kb_path.read_bytes() == prebuilt_kb_path(bundle_root).read_bytes()
    assert [p.name for p in paths.data_dir.iterdir()] == [paths.kb_path.name]
    kb, built = ensure_kb(paths, resources_root=bundle_root)
    kb.close()
    assert not built and builds == []


def test_prebuilt_from_other_content_is_ignored(
    tmp_path: Path, bundle_root: Path, builds: list[Path]
) -> None:
    edited = bundle_root / "content" / "modalities" / "cbt.toml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    paths = AppPaths(tmp_path / "user")
    kb, built = ensure_kb(paths, resources_root=bundle_root)
    with kb:
        assert built and builds == [paths.kb_path]
        assert kb.version.content_hash == content_hash(bundle_root)


def test_unreadable_prebuilt_is_ignored(
    tmp_path: Path, bundle_root: Path, builds: list[Path]
) -> None:
    prebuilt_kb_path(bundle_root).write_bytes(b"not a database" * 100)
    paths = AppPaths(tmp_path / "user")
    kb, built = ensure_kb(paths, resources_root=bundle_root)
    with kb:
        assert built and builds == [paths.kb_path]
        assert kb.verify() == []


def test_force_builds_from_the_sources(
    tmp_path: Path, bundle_root: Path, builds: list[Path]
) -> None:
    paths = AppPaths(tmp_path / "user")
    kb, built = ensure_kb(paths, resources_root=bundle_root, force=True)
    kb.close()
    assert built and builds == [paths.kb_path]


def test_stale_user_kb_is_replaced_by_the_prebuilt(
    tmp_path: Path, bundle_root: Path, builds: list[Path]
) -> None:
    paths = AppPaths(tmp_path / "user").ensure()
    paths.kb_path.write_bytes(b"left over from an older version" * 100)
    kb, built = ensure_kb(paths, resources_root=bundle_root)
    with kb:
        assert built and builds == []
        assert kb.version.content_hash == content_hash(bundle_root)


def test_data_dir_with_uri_characters_opens(tmp_path: Path, built_data_dir: Path) -> None:
    """Install and profile paths may hold '#', '?', '%' or spaces (read-only URI open)."""
    data_dir = tmp_path / "Clinic #2? 100%20 files"
    data_dir.mkdir()
    shutil.copyfile(AppPaths(built_data_dir).kb_path, AppPaths(data_dir).kb_path)
    kb, built = ensure_kb(AppPaths(data_dir))
    with kb:
        assert not built and kb.stats()["modalities"] == 16
