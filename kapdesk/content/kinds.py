"""Every kind of file under ``resources/``, and the one compile step that reads them all.

A file kind declares which paths it claims and what it is; :func:`compile_resources`
reads every file with one problem collector, so ``kapdesk kb verify`` reports every
problem of every file in one run, each as ``file: key: what is wrong``. A file under
``resources/`` that no kind claims (and that is not a font, an icon, a licence or a
README) is a problem too: nothing reaches the program unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from kapdesk import paths
from kapdesk.content.eligibility import EligibilityRules, load_eligibility
from kapdesk.content.files import (  # noqa: F401 (the file kinds are part of this API)
    ALLOWED_OTHER,
    FILE_KINDS,
    FileKind,
    content_files,
    content_hash,
    kind_of,
    source_stamp,
    unclaimed_files,
)
from kapdesk.content.handouts import (
    HandoutLibrary,
    ScoreBook,
    measurable,
    read_library,
)
from kapdesk.content.integration import IntegrationRules, load_integration
from kapdesk.content.interactions import InteractionTable, load_interactions
from kapdesk.content.modalities import load_labels, load_modalities, load_references
from kapdesk.content.model import LANGUAGES, KBVersion, Labels, Modality, Reference, Release
from kapdesk.content.plan_wording import PlanTexts, load_plan
from kapdesk.content.problems import Problems
from kapdesk.content.release import load_release
from kapdesk.content.scales import ScaleLibrary, load_scales
from kapdesk.content.session import SessionRules, load_session
from kapdesk.content.strings import load_strings
from kapdesk.content.wording import load_wording
from kapdesk.dates import DateFormat, compile_format
from kapdesk.errors import ContentError

T = TypeVar("T")


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
    session: SessionRules
    interactions: InteractionTable
    scales: ScaleLibrary
    release: Release
    version: KBVersion
    # Each language's long date, from Babel's CLDR data (see kapdesk.dates).
    dates: dict[str, DateFormat] = field(default_factory=dict)
    stamp: str = ""
    # Readability scores by score_key: a later build measures only texts that changed.
    scores: dict[str, float] = field(default_factory=dict)


def _check_session_classes(
    session: SessionRules | None, table: InteractionTable | None, problems: Problems
) -> None:
    """The session rules' medication classes are classes of the interaction table."""
    if session is None or table is None:
        return
    known = {c.id for c in table.classes}
    for product in session.products.values():
        for class_id in product.medication_classes:
            if class_id not in known:
                problems.add(
                    "rules/session.toml",
                    f"products.{product.id}.medication_classes",
                    f"'{class_id}' is not a class of rules/interactions.toml",
                    "session",
                )


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
    parts["release"] = load_release(base, problems)
    parts["modalities"] = load_modalities(base, problems, references)
    parts["eligibility"] = load_eligibility(base, problems, ref_ids)
    parts["integration"] = load_integration(base, problems, ref_ids)
    parts["session"] = load_session(base, problems, ref_ids)
    parts["interactions"] = load_interactions(base, problems, ref_ids)
    _check_session_classes(parts["session"], parts["interactions"], problems)
    parts["wording"] = load_wording(base, problems)
    parts["strings"] = load_strings(base, problems)
    parts["handouts"] = read_library(base, problems, ref_ids)
    parts["plan"] = load_plan(base, problems, ref_ids, parts["integration"], parts["handouts"])
    parts["scales"] = load_scales(base, problems, ref_ids)
    # Issue 11: no forbidden variant of a glossary term in any Spanish text.
    from kapdesk.content.glossary import check_parts

    check_parts(base, problems, parts)
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
        + [parts["session"].reviewed, parts["interactions"].reviewed]
        + [h.reviewed for h in handouts.texts.values()]
        + [scale.reviewed for scale in parts["scales"].scales.values()]
    )
    return Compiled(
        **{**parts, "handouts": handouts, "plan": plan},
        version=KBVersion(content_hash(base), latest),
        dates={lang: compile_format(lang) for lang in LANGUAGES},
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

    from kapdesk.content.plan_wording import plan_handout, plan_key

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


def verify_glossary(root: Path | None = None) -> list[str]:
    """Every glossary problem of a resources tree, as ``file: key: what is wrong``."""
    from kapdesk.content.glossary import is_glossary_problem

    problems, _ = check_resources(root or paths.resources_dir())
    return [item for item in problems.items if is_glossary_problem(item)]
