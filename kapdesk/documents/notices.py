"""What a patient document will lack because of the clinic profile.

Kept free of reportlab so that the GUI can ask before printing without loading it.
"""

from __future__ import annotations

from kapdesk.profile import ClinicProfile


def profile_warnings(profile: ClinicProfile, lang: str) -> list[str]:
    """What a patient document in ``lang`` will lack because of the clinic profile, one
    sentence each (the CLI prints them on stderr, the GUI before printing)."""
    warnings = []
    if not profile.phone:
        warnings.append(
            "the clinic phone is not set: patients will not see a clinic phone number "
            "(set it with `kapdesk profile set phone=...` or File > Settings)"
        )
    if lang == "es" and profile.crisis_text_en and not profile.crisis_text_es:
        warnings.append(
            "the clinic's crisis text is set in English only: Spanish documents print the "
            "handout's own Spanish emergency wording (set crisis_text_es to add the clinic's)"
        )
    return warnings
