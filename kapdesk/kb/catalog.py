"""Run-time access to the compiled content: the objects the knowledge base holds.

After ``kb build`` the app reads its rules, wording, handouts and plan texts only from
the knowledge-base file, never from ``resources/``. Each part is stored as JSON and
decoded on first use into the same typed objects the content package built
(msgspec keeps dataclasses, tuples and dates typed), so nothing is validated or
measured again at run time. The catalog of the knowledge base opened last is the
active one; the getters below read it.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from kapdesk.dates import DateFormat
from kapdesk.dates import install as install_dates
from kapdesk.errors import DataError

if TYPE_CHECKING:
    from kapdesk.content.eligibility import EligibilityRules
    from kapdesk.content.handouts import HandoutLibrary
    from kapdesk.content.integration import IntegrationRules
    from kapdesk.content.interactions import InteractionTable
    from kapdesk.content.model import KBVersion, Labels
    from kapdesk.content.plan_wording import PlanTexts
    from kapdesk.content.scales import ScaleLibrary
    from kapdesk.content.session import SessionRules


class Catalog:
    """The compiled parts of one knowledge base, decoded on first use."""

    def __init__(self, parts: dict[str, str], version: KBVersion) -> None:
        self._parts = parts
        self.version = version

    def _decode(self, part: str, kind: Any) -> Any:
        import msgspec

        try:
            raw = self._parts[part]
        except KeyError:
            raise DataError(f"knowledge base: compiled part '{part}' is missing") from None
        try:
            return msgspec.json.decode(raw, type=kind)
        except msgspec.ValidationError as exc:
            raise DataError(f"knowledge base: compiled part '{part}' is damaged ({exc})") from exc

    @cached_property
    def labels(self) -> Labels:
        """Display labels of the vocabularies."""
        from kapdesk.content.model import Labels

        return Labels(self._decode("labels", dict[str, Any]))

    @cached_property
    def eligibility(self) -> EligibilityRules:
        """The eligibility rules."""
        from kapdesk.content.eligibility import EligibilityRules

        return self._decode("eligibility", EligibilityRules)

    @cached_property
    def integration(self) -> IntegrationRules:
        """The integration-picker rules."""
        from kapdesk.content.integration import IntegrationRules

        return self._decode("integration", IntegrationRules)

    @cached_property
    def handouts(self) -> HandoutLibrary:
        """The handout library, with the readability measured at build time."""
        from kapdesk.content.handouts import HandoutLibrary

        return self._decode("handouts", HandoutLibrary)

    @cached_property
    def plan(self) -> PlanTexts:
        """The integration plan's wording, with its measured readability."""
        from kapdesk.content.plan_wording import PlanTexts

        return self._decode("plan", PlanTexts)

    @cached_property
    def session(self) -> SessionRules:
        """The session-monitoring rules."""
        from kapdesk.content.session import SessionRules

        return self._decode("session", SessionRules)

    @cached_property
    def interactions(self) -> InteractionTable:
        """The ketamine interaction table."""
        from kapdesk.content.interactions import InteractionTable

        return self._decode("interactions", InteractionTable)

    @cached_property
    def wording(self) -> dict[str, dict[str, Any]]:
        """The comparison's fixed wording by language."""
        return self._decode("wording", dict[str, dict[str, Any]])

    @cached_property
    def scales(self) -> ScaleLibrary:
        """The rating scales, the licence registry and the forms' wording."""
        from kapdesk.content.scales import ScaleLibrary

        return self._decode("scales", ScaleLibrary)

    @cached_property
    def scores(self) -> dict[str, float]:
        """Readability scores by measured text (a later build reuses them)."""
        return self._decode("scores", dict[str, float])

    @cached_property
    def dates(self) -> dict[str, DateFormat]:
        """Each language's long date, compiled from Babel's data at build time."""
        return self._decode("dates", dict[str, DateFormat])

    @cached_property
    def strings(self) -> dict[str, dict[str, str]]:
        """The document frame's fixed wording by language."""
        return self._decode("strings", dict[str, dict[str, str]])


_active: Catalog | None = None


def activate(catalog: Catalog) -> None:
    """Make ``catalog`` the one the getters below read."""
    global _active
    _active = catalog
    install_dates(catalog.dates)


def current() -> Catalog:
    """The active catalog; DataError when no knowledge base has been opened."""
    if _active is None:
        raise DataError("no knowledge base is open; run `kapdesk kb build`")
    return _active


def library() -> HandoutLibrary:
    """The handout library of the active knowledge base."""
    return current().handouts


def plan_texts() -> PlanTexts:
    """The integration plan's wording of the active knowledge base."""
    return current().plan


def eligibility_rules() -> EligibilityRules:
    """The eligibility rules of the active knowledge base."""
    return current().eligibility


def integration_rules() -> IntegrationRules:
    """The integration-picker rules of the active knowledge base."""
    return current().integration


def wording(lang: str) -> dict[str, Any]:
    """The comparison's fixed wording in ``lang``."""
    return current().wording[lang]


def scale_library() -> ScaleLibrary:
    """The rating scales of the active knowledge base."""
    return current().scales


def frame_strings(lang: str) -> dict[str, str]:
    """The document frame's fixed wording in ``lang``."""
    return current().strings[lang]


def session_rules() -> SessionRules:
    """The session-monitoring rules of the active knowledge base."""
    return current().session


def interaction_table() -> InteractionTable:
    """The ketamine interaction table of the active knowledge base."""
    return current().interactions
