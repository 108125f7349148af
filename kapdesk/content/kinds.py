"""Every kind of file under ``resources/``, and the one compile step that reads them all.

A file kind declares which paths it claims and what it is; :func:`compile_resources`
reads every file with one problem collector, so ``kapdesk kb verify`` reports every
problem of every file in one run, each as ``file: key: what is wrong``. A file under
``resources/`` that no kind claims (and that is not a font, an icon, a licence or a
README) is a problem too: nothing reaches the program unchecked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, TypeVar

from kapdesk import paths
from kapdesk.content.eligibility import EligibilityRules, load_eligibility
from kapdesk.content.handouts import (
    HandoutLibrary,
    ScoreBook,
    measurable,
    read_library,
)
from kapdesk.content.integration import IntegrationRules, load_integration
from kapdesk.content.modalities import load_labels, load_modalities, load_references
from kapdesk.content.model import KBVersion, Labels, Modality, Reference
from kapdesk.content.plan import PlanTexts, load_plan
from kapdesk.content.problems import Problems
from kapdesk.content.strings import load_strings
from kapdesk.content.wording import load_wording
from kapdesk.errors import ContentError


@dataclass(frozen=True)
class FileKind:
    """One kind of resource file: the paths it claims and what it holds."""

    name: str
    patterns: tuple[str, ...]
    description: str


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind("content", ("content/modalities/*.toml",), "one treatment modality's statements"),
    FileKind("references", ("content/references.toml",), "full citations by reference id"),
    FileKind("labels", ("content/labels.toml",), "display labels of the vocabularies"),
    FileKind("rules", ("rules/*.toml",), "eligibility and integration-picker rules"),
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
)
# Files that travel with the program but hold no content: read by path at run time.
ALLOWED_OTHER: tuple[str, ...] = (
    "fonts/*.ttf",
    "fonts/LICENSE-*",
    "icons/*",
    "*README.md",
    "prebuilt/*",
)
T = TypeVar("T")


def kind_of(rel: str) -> FileKind | None:
    """The kind that claims ``rel`` (a path relative to resources/), if any."""
    for kind in FILE_KINDS:
        if any(fnmatch(rel, pattern) for pattern in kind.patterns):
            return kind
    return None


def _all_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


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


@dataclass(frozen=True)
class Compiled:
    """Everything under resources/, validated and measured: what the knowledge base holds."""

    modalities: dict[str, Modality]
    references: dict[str, Reference]
    labels: Labels
    eligibility: EligibilityRules
    integration: IntegrationRules
    wording: dict[str, dict[str, Any]]
    handouts: HandoutLibrary
    plan: PlanTexts
    strings: dict[str, dict[str, str]]
    version: KBVersion
    stamp: str = ""
    # Readability scores by score_key: a later build measures only texts that changed.
    scores: dict[str, float] = field(default_factory=dict)


def check_resources(root: Path | None = None) -> tuple[Problems, dict[str, Any]]:
    """Read and validate every file; return the problems and what could be read."""
    base = root or paths.resources_dir()
    problems = Problems()
    for rel in unclaimed_files(base):
        kinds = ", ".join(kind.name for kind in FILE_KINDS)
        problems.add(rel, "(file)", f"not a known kind of resource file ({kinds})")
    references = load_references(base, problems)
    ref_ids = set(references)
    parts: dict[str, Any] = {"references": references}
    parts["labels"] = load_labels(base, problems)
    parts["modalities"] = load_modalities(base, problems, references)
    parts["eligibility"] = load_eligibility(base, problems, ref_ids)
    parts["integration"] = load_integration(base, problems, ref_ids)
    parts["wording"] = load_wording(base, problems)
    parts["strings"] = load_strings(base, problems)
    parts["handouts"] = read_library(base, problems, ref_ids)
    parts["plan"] = load_plan(base, problems, ref_ids, parts["integration"], parts["handouts"])
    return problems, parts


def compile_resources(
    root: Path | None = None, known_scores: dict[str, float] | None = None
) -> Compiled:
    """Every file under resources/, validated and measured; ContentError lists all problems.

    Readability is measured here (textstat is imported only on this path), so that
    nothing the app does at run time measures or validates again.
    """
    base = root or paths.resources_dir()
    problems, parts = check_resources(base)
    if problems:
        raise ContentError(problems.items, _kinds(problems.items))
    book = ScoreBook(known_scores)
    handouts = parts["handouts"].measured(book)
    plan = _measure_plans(parts["plan"], handouts, parts["modalities"], parts["integration"], book)
    latest = max(
        [s.reviewed for m in parts["modalities"].values() for _, s in m.statements()]
        + [parts["eligibility"].reviewed, parts["integration"].reviewed, plan.reviewed]
        + [h.reviewed for h in handouts.texts.values()]
    )
    return Compiled(
        **{**parts, "handouts": handouts, "plan": plan},
        version=KBVersion(content_hash(base), latest),
        stamp=source_stamp(base),
        scores=book.used,
    )


def _measure_plans(
    plan: PlanTexts,
    handouts: HandoutLibrary,
    modalities: dict[str, Modality],
    rules: IntegrationRules,
    book: ScoreBook,
) -> PlanTexts:
    from dataclasses import replace

    from kapdesk.content.plan import plan_handout, plan_key

    scores = {}
    for mid in rules.candidates:
        for lang in plan.wording:
            for available in (True, False):
                text = plan_handout(plan, handouts, modalities[mid], lang, available)
                units = measurable(handouts.printed_units(text))
                scores[plan_key(mid, lang, available)] = book.measure(units, handouts.targets[lang])
    return replace(plan, readability=scores)


def _kinds(items: list[str]) -> list[str]:
    names = []
    for item in items:
        kind = kind_of(item.split(":", 1)[0])
        names.append(kind.name if kind else "resource")
    return list(dict.fromkeys(names))


# --- one kind at a time (for tools and tests that check a single file kind) ---------------


@dataclass(frozen=True)
class Content:
    """The modality content of a resources tree, validated."""

    modalities: dict[str, Modality]
    references: dict[str, Reference]
    labels: Labels
    version: KBVersion


def _strict(load: Callable[[Problems], T | None]) -> T:
    problems = Problems()
    value = load(problems)
    if problems or value is None:
        raise ContentError(
            problems.items or ["(resources): could not be read"], _kinds(problems.items)
        )
    return value


def load_content(root: Path | None = None) -> Content:
    """Modalities, references and labels; ContentError listing every problem."""
    base = root or paths.resources_dir()

    def load(problems: Problems) -> Content:
        references = load_references(base, problems)
        labels = load_labels(base, problems)
        modalities = load_modalities(base, problems, references)
        dates = [s.reviewed for m in modalities.values() for _, s in m.statements()]
        version = KBVersion(content_hash(base), max(dates, default=date.min))
        return Content(modalities, references, labels, version)

    return _strict(load)


def load_rules(root: Path | None = None) -> EligibilityRules:
    """The eligibility rules of a resources tree; ContentError listing every problem."""
    base = root or paths.resources_dir()
    return _strict(lambda p: load_eligibility(base, p, load_references(base, p)))


def load_integration_rules(root: Path | None = None) -> IntegrationRules:
    """The integration-picker rules of a resources tree; ContentError on any problem."""
    base = root or paths.resources_dir()
    return _strict(lambda p: load_integration(base, p, load_references(base, p)))


def load_plan_texts(root: Path | None = None) -> PlanTexts:
    """The integration plan's wording of a resources tree, measured like a build does."""
    compiled = compile_resources(root)
    return compiled.plan
