"""The patient's "Your integration plan": the chosen integration therapy, in plain words.

The picker (kapdesk.decide.integration) ranks the therapies for the clinician; this
module turns one choice into the plan a patient takes home, in English or Spanish. The
wording is data (kapdesk.content.plan_wording); the plan's readability was measured when the
knowledge base was built. No reportlab, no textstat and no Qt are imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kapdesk.content.handouts import Handout, HandoutLibrary, PematScore, Readability
from kapdesk.content.plan_wording import PlanTexts, plan_handout, plan_key
from kapdesk.decide.integration import PickResult, Ranked
from kapdesk.errors import UserInputError
from kapdesk.kb.catalog import library, plan_texts

if TYPE_CHECKING:
    from kapdesk.kb.store import KnowledgeBase


# --- choosing -----------------------------------------------------------------------------


def plan_choice(result: PickResult, modality: str | None = None) -> Ranked:
    """The candidate the plan is about: ``modality``, or by default the top-ranked
    unblocked candidate the clinic offers (the top unblocked one if none is offered).

    A blocked candidate is refused: a plan must never describe a therapy the picker
    has just said not to start. UserInputError names the choice and what is allowed.
    """
    unblocked = [r for r in result.ranked if not r.blocked]
    allowed = ", ".join(r.modality for r in unblocked) or "none"
    if modality is None:
        if not unblocked:
            raise UserInputError(
                "choose: every candidate is blocked for this presentation; no plan can be made"
            )
        return next((r for r in unblocked if r.available), unblocked[0])
    chosen = next((r for r in result.ranked if r.modality == modality), None)
    if chosen is None:
        raise UserInputError(f"choose: {modality!r} is not a picker candidate; allowed: {allowed}")
    if chosen.blocked:
        reason = chosen.blocks[0].line
        raise UserInputError(
            f"choose: '{modality}' is blocked for this presentation ({reason}); allowed: {allowed}"
        )
    return chosen


# --- composing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IntegrationPlan:
    """A composed plan: the handout-shaped text, what it is about and how readable it is."""

    handout: Handout
    modality: str
    short_name: str
    available: bool
    readability: Readability
    pemat: PematScore

    @property
    def lang(self) -> str:
        return self.handout.lang

    def source_ids(self) -> list[str]:
        """Every reference the plan cites, in first-cited order."""
        return self.handout.source_ids()

    def to_dict(self) -> dict[str, Any]:
        return {
            "modality": self.modality,
            "lang": self.lang,
            "available": self.available,
            "readability": self.readability.to_dict(),
            "pemat": self.pemat.to_dict(),
            "sources": self.source_ids(),
        }


def compose_plan(
    kb: KnowledgeBase,
    result: PickResult,
    modality: str | None = None,
    lang: str = "en",
    *,
    texts: PlanTexts | None = None,
    handouts: HandoutLibrary | None = None,
) -> IntegrationPlan:
    """The plan for ``modality`` (default: see plan_choice) in ``lang``, measured and scored.

    Raises UserInputError for a blocked or unknown modality or an unknown language.
    """
    handouts = handouts or library()
    lang = handouts.check_lang(lang)
    chosen = plan_choice(result, modality)
    texts = texts or plan_texts()
    entry = kb.modality(chosen.modality)
    handout = plan_handout(texts, handouts, entry, lang, chosen.available)
    return IntegrationPlan(
        handout=handout,
        modality=chosen.modality,
        short_name=entry.display_short_name(lang),
        available=chosen.available,
        readability=texts.readability[plan_key(chosen.modality, lang, chosen.available)],
        pemat=handouts.pemat(handout),
    )
