"""Scoring the scales. Each vignette is traced to its line in scales-monitoring.md."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kapdesk.decide.scales import (
    PreviousTotal,
    check_lang,
    crisis_text,
    get_scale,
    read_answers,
    reference_lines,
    score,
    text_summary,
    trend_points,
)
from kapdesk.errors import UserInputError
from kapdesk.profile import ClinicProfile

TODAY = date(2026, 12, 7)
PROFILE = ClinicProfile(clinic_name="Test Clinic", crisis_text_en="Call 988 or 911 now.")


def answers_for(total: int, items: int, top: int) -> list[int]:
    """Answers summing to ``total`` (filled from the first item); item 9 stays as given."""
    out = []
    for _ in range(items):
        value = min(top, total)
        out.append(value)
        total -= value
    assert total == 0
    return out


def phq9(total: int, item9: int | None = None) -> list[int]:
    """PHQ-9 answers summing to ``total``; item 9 is 0 unless the total needs more."""
    item9 = max(0, total - 24) if item9 is None else item9
    return [*answers_for(total - item9, 8, 3), item9]


# --- PHQ-9 bands ---------------------------------------------------------------------------
# §1.3 "Bands for encoding: 0–4 / 5–9 mild / 10–14 moderate / 15–19 moderately severe /
# 20–27 severe" [S3]; 0–4 has no standard label (§1.3), so it is shown by its range.


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "0–4"),
        (4, "0–4"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    result = score(get_scale("phq9"), phq9(total), today=TODAY)
    assert result.total == total and result.complete
    assert result.band is not None and result.band.display == band
    assert result.to_dict()["band"] == band


def test_phq9_cut_off_at_10() -> None:
    # §1.3 "Score ≥10: major depression sensitivity 88 %, specificity 88 %" [S3].
    below = score(get_scale("phq9"), phq9(9), today=TODAY)
    at = score(get_scale("phq9"), phq9(10), today=TODAY)
    assert "phq9-cutoff-10" not in [f.id for f in below.flags]
    assert "phq9-cutoff-10" in [f.id for f in at.flags]


# --- GAD-7 bands ---------------------------------------------------------------------------
# §2.2 "Bands for encoding: 0–4 … / 5–9 mild / 10–14 moderate / 15–21 severe" [S17][S19];
# "a recommended cutpoint for further evaluation is a score of 10 or greater" [S17].


@pytest.mark.parametrize(
    ("total", "band"),
    [(4, "0–4"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"), (15, "Severe")],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    result = score(get_scale("gad7"), answers_for(total, 7, 3), today=TODAY)
    assert result.band is not None and result.band.display == band
    assert ("gad7-cutoff-10" in [f.id for f in result.flags]) == (total >= 10)


# --- PHQ-9 item 9 --------------------------------------------------------------------------


def test_item9_of_1_with_total_1_raises_the_safety_prompt() -> None:
    # §1.4 "item 9 > 0 → flag for a clinician-led suicide-risk assessment" [S8][S9][S11][S12];
    # S49 "regardless of the overall total". Total 1, band 0–4, prompt still raised.
    result = score(get_scale("phq9"), phq9(1, item9=1), profile=PROFILE, today=TODAY)
    assert result.total == 1 and result.band.display == "0–4"
    assert result.safety is not None
    assert "clinician-led suicide-risk assessment" in result.safety.message
    assert "“Several days (1)”" in result.safety.message
    assert result.safety.crisis_text == "Call 988 or 911 now."
    assert result.flags[0].id == "phq9-item9-positive" and result.flags[0].safety
    assert result.flags[0].sources
    assert "phq9-item9-zero" not in [f.id for f in result.flags]


def test_item9_of_0_with_total_27_has_no_prompt_but_is_never_no_risk() -> None:
    # Total 27 with item 9 = 0 is impossible (9 × 3 = 27 needs item 9 = 3), so this is the
    # highest total with item 9 at 0: 24. §1.4: item 9 = 0 "must not be displayed as 'no
    # suicide risk'"; VA "71.6 % of suicides occurred … 'not at all'" [S9].
    result = score(get_scale("phq9"), phq9(24, item9=0), profile=PROFILE, today=TODAY)
    assert result.safety is None
    zero = [f for f in result.flags if f.id == "phq9-item9-zero"]
    assert zero and "does not replace a suicide-risk assessment" in zero[0].message
    assert "71.6 %" in zero[0].message
    summary = text_summary(result).lower()
    assert "no risk" not in summary and "no suicide risk" not in summary
    assert "does not replace a suicide-risk assessment" in summary


def test_item9_prompt_even_when_incomplete() -> None:
    # §1.4: item 9 > 0 is significant "regardless of the overall total" [S49].
    answers: list[int | None] = [None] * 8 + [2]
    result = score(get_scale("phq9"), answers, profile=PROFILE, today=TODAY)
    assert not result.complete and result.safety is not None


def test_crisis_text_in_the_chosen_language() -> None:
    # CamCOPS #382 [S2]: clinic-specific crisis text, one per language. A Spanish result
    # never shows the English text; without a Spanish one it says none is set.
    assert crisis_text(PROFILE, "en") == "Call 988 or 911 now."
    assert crisis_text(PROFILE, "es") == ""
    both = ClinicProfile(crisis_text_en="Call 988.", crisis_text_es="Llame al 988.")
    assert crisis_text(both, "es") == "Llame al 988."
    assert crisis_text(both, "en") == "Call 988."
    empty = score(get_scale("phq9"), phq9(3, item9=3), "es", profile=ClinicProfile())
    assert empty.safety is not None and empty.safety.crisis_text == ""
    assert "Spanish" in empty.safety.crisis_missing


# --- PCL-5 ---------------------------------------------------------------------------------
# §3.3 "treating each item rated as 2 = "Moderately" or higher as a symptom endorsed …
# at least: 1 B item (questions 1-5), 1 C item (questions 6-7), 2 D items (questions 8-14),
# 2 E items (questions 15-20)" [S21][S22].

PROVISIONAL_YES = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}


def pcl5(values: dict[int, int | None], default: int | None = 0) -> list[int | None]:
    return [values.get(i, default) for i in range(1, 21)]


def test_pcl5_provisional_yes() -> None:
    result = score(get_scale("pcl5"), pcl5(PROVISIONAL_YES), today=TODAY)
    assert result.provisional is True and result.total == 12
    assert result.clusters == {"B": 2, "C": 2, "D": 4, "E": 4}
    assert "pcl5-provisional-positive" in [f.id for f in result.flags]


def test_pcl5_provisional_no_with_one_e_item_at_1() -> None:
    result = score(get_scale("pcl5"), pcl5({**PROVISIONAL_YES, 16: 1}), today=TODAY)
    assert result.provisional is False
    assert result.to_dict()["provisional_diagnosis"] is False


def test_pcl5_total_33_is_probable_ptsd_at_the_cut_off() -> None:
    # §3.3 "a cut-point score of 31-33" [S22]; "between 31-33 is indicative of probable
    # PTSD" [S24]. 33 items' worth: sixteen items at 2 and one at 1.
    answers = pcl5({i: 2 for i in range(1, 17)} | {17: 1})
    result = score(get_scale("pcl5"), answers, today=TODAY)
    assert result.total == 33
    flag = next(f for f in result.flags if f.id == "pcl5-cutoff-31-33")
    assert "probable PTSD" in flag.message and "at or above" in flag.message
    below = score(get_scale("pcl5"), pcl5({i: 2 for i in range(1, 16)}), today=TODAY)
    assert below.total == 30 and "pcl5-cutoff-31-33" not in [f.id for f in below.flags]
    within = score(get_scale("pcl5"), pcl5({i: 2 for i in range(1, 16)} | {16: 1}), today=TODAY)
    assert within.total == 31
    assert "within the 31–33" in next(f.message for f in within.flags if f.id.startswith("pcl5-c"))


def test_missing_items_make_the_result_incomplete_without_proration() -> None:
    # §4: CamCOPS requires all items (q1–q9, all 7, all 20) [S1]; no proration.
    answers: list[int | None] = phq9(12)
    answers[2] = None
    answers[6] = None
    result = score(get_scale("phq9"), answers, today=TODAY)
    assert not result.complete and result.missing == (3, 7)
    assert result.total is None and result.band is None
    assert result.to_dict()["missing"] == [3, 7] and result.to_dict()["complete"] is False
    assert "phq9-cutoff-10" not in [f.id for f in result.flags]
    assert "incomplete" in [f.id for f in result.flags]


def test_pcl5_unknown_when_missing_items_could_still_decide() -> None:
    # §4: CamCOPS hasPtsd() "returns unknown (null) when missing items could still satisfy
    # B/C/D/E" [S1]. E has one endorsed item and item 16 is missing: undecided.
    undecided = score(get_scale("pcl5"), pcl5({**PROVISIONAL_YES, 16: None}), today=TODAY)
    assert undecided.provisional is None and not undecided.complete
    assert undecided.clusters["E"] is None and undecided.clusters["B"] == 2
    assert "pcl5-provisional-unknown" in [f.id for f in undecided.flags]
    assert undecided.to_dict()["provisional_diagnosis"] is None
    # C has no endorsed item and nothing missing: no, whatever the missing E item says.
    decided = score(get_scale("pcl5"), pcl5({**PROVISIONAL_YES, 6: 1, 16: None}), today=TODAY)
    assert decided.provisional is False
    # Every cluster met despite a missing item: yes.
    met = score(get_scale("pcl5"), pcl5({**PROVISIONAL_YES, 20: None}), today=TODAY)
    assert met.provisional is True and not met.complete


# --- derived scales ------------------------------------------------------------------------


def test_phq2_and_gad2_cut_offs() -> None:
    # §1.7 PHQ-2 cut-point ≥3 [S4]; §2.4 GAD-2 cut-off ≥3 [S20].
    for scale_id in ("phq2", "gad2"):
        scale = get_scale(scale_id)
        assert score(scale, [1, 1], today=TODAY).flags == ()
        three = score(scale, [2, 1], today=TODAY)
        assert three.total == 3 and three.band is None
        assert [f.id for f in three.flags] == [f"{scale_id}-cutoff-3"]


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        ({"items": [4, 0, 0, 0, 0, 0, 0, 0, 0]}, "items: item 1 is 4; PHQ-9 answers are 0–3"),
        ({"items": [0] * 8}, "items: 8 answers given; PHQ-9 has 9 items"),
        ({"items": ["1"] + [0] * 8}, 'items: item 1 is "1"'),
        ({"items": [True] + [0] * 8}, "items: item 1 is true"),
        ({"items": "0,0,0"}, "items: "),
        ({"items": [0] * 9, "previous": [{"date": "2027-01-01", "total": 3}]}, "previous[0].date"),
        ({"items": [0] * 9, "previous": [{"date": "02/11/2026", "total": 3}]}, "previous[0].date"),
        (
            {"items": [0] * 9, "previous": [{"date": "2026-11-02", "total": 28}]},
            "previous[0].total",
        ),
        ({"items": [0] * 9, "extra": 1}, 'ANSWERS: unknown key "extra"'),
        ([0] * 9, "ANSWERS: "),
    ],
)
def test_bad_answers_are_refused(raw: object, start: str) -> None:
    with pytest.raises(UserInputError) as info:
        read_answers(get_scale("phq9"), raw, today=TODAY)
    assert str(info.value).startswith(start)
    assert "\n" not in str(info.value)


def test_unknown_scale_and_language_are_refused() -> None:
    with pytest.raises(UserInputError, match=r"not a shipped scale \(not shipped: permission"):
        get_scale("madrs")
    with pytest.raises(UserInputError, match="allowed: phq9, gad7, pcl5, phq2, gad2"):
        get_scale("bdi")
    with pytest.raises(UserInputError, match=r"not available for GAD-7 \(allowed: en\)"):
        check_lang(get_scale("gad7"), "es")


def test_trend_points_and_reference_lines() -> None:
    items, previous = read_answers(
        get_scale("phq9"),
        {
            "items": phq9(8),
            "previous": [{"date": "2026-11-30", "total": 12}, {"date": "2026-11-02", "total": 18}],
        },
        today=TODAY,
    )
    result = score(get_scale("phq9"), items, previous=previous, today=TODAY)
    points = trend_points(result)
    assert [(p.date.isoformat(), p.total, p.current) for p in points] == [
        ("2026-11-02", 18, False),
        ("2026-11-30", 12, False),
        ("2026-12-07", 8, True),
    ]
    assert [v for v, _ in reference_lines(get_scale("phq9"))] == [5, 10, 15, 20]
    assert [v for v, _ in reference_lines(get_scale("pcl5"))] == [31, 33]
    incomplete = replace(result, total=None)
    assert [p.current for p in trend_points(incomplete)] == [False, False]
    assert PreviousTotal(TODAY, 3).to_dict() == {"date": "2026-12-07", "total": 3}
