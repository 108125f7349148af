"""The kinds of file under ``resources/`` and which paths each claims (no loading here).

Kept apart from the loaders so that start-up can check whether the knowledge base is
up to date (names, sizes and times of the content files) without importing them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatch, translate
from functools import cached_property
from pathlib import Path

from kapdesk import paths


@dataclass(frozen=True)
class FileKind:
    """One kind of resource file: the paths it claims and what it holds."""

    name: str
    patterns: tuple[str, ...]
    description: str

    @cached_property
    def matcher(self) -> re.Pattern[str]:
        """One compiled pattern for all of ``patterns`` (``fnmatch`` rules, ``*`` spans /)."""
        return re.compile("|".join(translate(pattern) for pattern in self.patterns))


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind("content", ("content/modalities/*.toml",), "one treatment modality's statements"),
    FileKind("references", ("content/references.toml",), "full citations by reference id"),
    FileKind("labels", ("content/labels.toml",), "display labels of the vocabularies"),
    FileKind(
        "release",
        ("content/release.toml",),
        "the content release: version, expiry date, oldest program",
    ),
    FileKind(
        "rules",
        ("rules/*.toml",),
        "eligibility, integration-picker, session-monitoring and interaction rules",
    ),
    FileKind(
        "wording",
        (
            "documents/comparison.toml",
            "documents/integration_plan.toml",
            "documents/strings.toml",
            "documents/handout_strings.toml",
        ),
        "fixed wording of printouts, in English and Spanish",
    ),
    FileKind(
        "handout",
        (
            "handouts/library.toml",
            "handouts/pemat.toml",
            "handouts/en/*.toml",
            "handouts/es/*.toml",
        ),
        "patient handouts, their list, targets and PEMAT-P items",
    ),
    FileKind(
        "glossary",
        ("glossary.toml",),
        "Spanish medical glossary: one rendering per term and its forbidden variants",
    ),
    FileKind(
        "scales",
        ("scales/*.toml",),
        "rating scales (PHQ-9, GAD-7, PCL-5, PHQ-2, GAD-2), licence registry, form wording",
    ),
)
# Files that travel with the program but hold no content: read by path at run time.
ALLOWED_OTHER: tuple[str, ...] = (
    "fonts/*.ttf",
    "fonts/LICENSE-*",
    "icons/*",
    "*README.md",
    "prebuilt/*",
    "help/*.md",  # the built-in user guide (F1): how to use the app, no clinical content
)


def kind_of(rel: str) -> FileKind | None:
    """The kind that claims ``rel`` (a path relative to resources/), if any."""
    for kind in FILE_KINDS:
        if kind.matcher.match(rel):
            return kind
    return None


def _all_files(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found += [prefix + name for name in files]
    return sorted(found)


def content_files(root: Path | None = None) -> list[str]:
    """Every file a kind claims, relative to resources/, in a stable order."""
    return [rel for rel in _all_files(root or paths.resources_dir()) if kind_of(rel)]


def unclaimed_files(root: Path | None = None) -> list[str]:
    """Files under resources/ that are neither content nor on the allow-list."""
    return [
        rel
        for rel in _all_files(root or paths.resources_dir())
        if kind_of(rel) is None and not any(fnmatch(rel, p) for p in ALLOWED_OTHER)
    ]


def content_hash(root: Path | None = None) -> str:
    """SHA-256 over every content file's relative path and bytes."""
    base = root or paths.resources_dir()
    digest = hashlib.sha256()
    for rel in content_files(base):
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update((base / rel).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def source_stamp(root: Path | None = None) -> str:
    """A fingerprint of the content files from their names, sizes and times (no reads).

    Start-up compares it with the one recorded at build time; only when it differs is
    the content hash computed, which reads the files.
    """
    base = root or paths.resources_dir()
    digest = hashlib.sha256()
    for rel in content_files(base):
        info = (base / rel).stat()
        digest.update(f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()
