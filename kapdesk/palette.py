"""Presentation constants shared by the GUI and the documents (no Qt, no reportlab).

Evidence strength is always shown as words *and* colour, never colour alone; the
colours are dark enough for white text and distinct for common colour-vision types.
"""

from __future__ import annotations

STRENGTH_COLORS: dict[str, str] = {
    "strong": "#1a6b3c",
    "moderate": "#2e7fb8",
    "limited": "#a05a00",
    "very-limited": "#8c3b2e",
    "none": "#5c5c5c",
    "insufficient": "#5c5c5c",
}
NO_RATING_COLOR = "#5c5c5c"

# Eligibility tiers (most severe first), always shown with their label in words.
TIER_COLORS: dict[str, str] = {
    "contraindicated": "#a4161a",
    "specialist_review": "#6a3d9a",
    "defer": "#b34700",
    "incomplete": "#5c5c5c",
    "eligible_with_cautions": "#806000",
    "eligible": "#1a6b3c",
}

# Interaction levels (most severe first), always shown with their label in words.
LEVEL_COLORS: dict[str, str] = {
    "do-not-coadminister": "#a4161a",
    "monitor-closely": "#b34700",
    "dose-change": "#806000",
    "evidence-only": "#2e5f8a",
    "no-interaction-reported": "#1a6b3c",
}

# The onset chart (PDF and screen).
ONSET_COLOR = "#2e7fb8"
COURSE_COLOR = "#7a5195"
AXIS_COLOR = "#9a9a9a"
MUTED_COLOR = "#5c5c5c"
