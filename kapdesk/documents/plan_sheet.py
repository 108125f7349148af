"""The patient's "Your integration plan" as PDF, laid out exactly as a handout.

The plan is composed by kapdesk.decide.plan as a handout; this module prints it
with the handout's own building blocks (styles, headings, checklist with boxes, the
"when to call" box with the clinic's phone, after-hours line and crisis text) inside the
document frame (letterhead, "Page n of N", knowledge-base version, date printed). The
reading level and PEMAT-P scores go into the PDF's subject and keywords, as for handouts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.content.handouts import HandoutLibrary
from kapdesk.content.model import KBVersion
from kapdesk.decide.plan import IntegrationPlan, compose_plan
from kapdesk.documents.frame import MAX_PAGES, PATIENT, DocumentInfo, render_document
from kapdesk.documents.handout import (
    HandoutOptions,
    RenderedHandouts,
    check_crisis_texts,
    handout_story,
    handout_styles,
    personal_block,
)
from kapdesk.errors import UserInputError
from kapdesk.fsio import atomic_write
from kapdesk.kb.catalog import library
from kapdesk.profile import ClinicProfile

if TYPE_CHECKING:
    from kapdesk.decide.integration import PickResult
    from kapdesk.kb.store import KnowledgeBase


def suggested_name(plan: IntegrationPlan, large_print: bool = False) -> str:
    """E.g. ``integration-plan-emdr-es.pdf``: what is inside, never who it is for."""
    return f"{plan.handout.id}-{plan.lang}{'-large-print' if large_print else ''}.pdf"


def render_plan(
    plan: IntegrationPlan,
    *,
    profile: ClinicProfile,
    kb_version: KBVersion,
    options: HandoutOptions | None = None,
    handouts: HandoutLibrary | None = None,
    invariant: bool = False,
) -> RenderedHandouts:
    """Lay out the plan as PDF bytes in memory (nothing is written to disk here).

    ``options`` may add large print and the patient's name, therapist, first session,
    frequency, appointment or a note (printed literally on the first page only, lines
    to write on where nothing was typed); its language must be the plan's.
    Raises UserInputError for an undrawable character in those details or in the
    clinic's crisis text.
    """
    handouts = handouts or library()
    options = (options or HandoutOptions(lang=plan.lang)).validated()
    if options.lang != plan.lang:
        raise UserInputError(
            f"lang: '{options.lang}' differs from the plan's language '{plan.lang}'"
        )
    check_crisis_texts(profile, options)

    def story(spacing: float) -> list:
        styles = handout_styles(options.large_print, spacing)
        personal = personal_block(options, handouts.strings[plan.lang], styles, plan=True)
        return handout_story(handouts, plan.handout, profile, styles, personal)

    title = f"{plan.handout.title}: {plan.short_name}"
    readability, pemat = plan.readability, plan.pemat
    info = DocumentInfo(
        title=title,
        kb_version=kb_version,
        profile=profile,
        lang=plan.lang,
        subject=(
            f"Patient integration plan · {readability} "
            f"(target {readability.target.description}); PEMAT-P {pemat}"
        ),
        keywords=(
            "kapdesk",
            "integration plan",
            plan.modality,
            f"lang={plan.lang}",
            f"{readability.target.metric}={readability.score:.1f}",
            *(["large print"] if options.large_print else []),
        ),
        large_print=options.large_print,
        audience=PATIENT,
        kind="integration plan",
        max_pages=MAX_PAGES["integration plan"],
    )
    rendered = render_document(story, info, invariant=invariant)
    name = suggested_name(plan, options.large_print)
    return RenderedHandouts(rendered.pdf, rendered.pages, title, name, (plan.handout.id,))


def save_plan(path: Path, rendered: RenderedHandouts, field: str = "--plan-pdf") -> None:
    """Write a rendered plan; an unwritable path is the user's to fix, named by ``field``."""
    try:
        atomic_write(path, rendered.pdf)
    except OSError as exc:
        raise UserInputError(f"{field}: cannot write '{path}': {exc.strerror or exc}") from None


def plan_pdf(
    kb: KnowledgeBase,
    result: PickResult,
    *,
    profile: ClinicProfile,
    modality: str | None = None,
    options: HandoutOptions | None = None,
    invariant: bool = False,
) -> tuple[IntegrationPlan, RenderedHandouts]:
    """Compose and lay out the plan for ``modality`` (default: the picker's top unblocked,
    offered candidate) in the options' language; the CLI and the GUI both call this."""
    options = options or HandoutOptions()
    plan = compose_plan(kb, result, modality, options.lang)
    rendered = render_plan(
        plan, profile=profile, kb_version=kb.version, options=options, invariant=invariant
    )
    return plan, rendered
