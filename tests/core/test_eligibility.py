"""The eligibility checklist: tiers per criterion, precedence, missing answers, notes, bad input.

Every vignette's expected tier was set from shared/clinical/ketamine.md and issue 4,
not from the code's output; the comment on each row says where it comes from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.content.eligibility import TIERS
from kapdesk.content.kinds import load_rules
from kapdesk.decide.eligibility import (
    AnswerError,
    EligibilityContext,
    Finding,
    answers_from_json,
    decide_tier,
    evaluate,
    load_context,
    parse_text,
)
from kapdesk.errors import UserInputError
from kapdesk.kb.store import KnowledgeBase
from kapdesk.paths import AppPaths

# Every required item answered with its "no risk" value: the eligible baseline.
CLEAN: dict[str, Any] = {
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_hemorrhage_history": False,
    "hypersensitivity": False,
    "bp_rise_serious_hazard": False,
    "systolic_bp": 120,
    "diastolic_bp": 80,
    "psychosis_history": False,
    "bipolar_disorder": False,
    "substance_use_disorder": False,
    "pregnant": False,
    "has_escort_home": True,
    "can_avoid_driving_until_next_day": True,
    # Required since issue 11 (ketamine.md §3.1 Swiss-label row, §3.2 Medication Guide
    # questions, §3.7 interactions, §3.8 consent).
    "cerebrovascular_insult_history": False,
    "untreated_hyperthyroidism": False,
    "preeclampsia_or_eclampsia": False,
    "age_years": 45,
    "breastfeeding": False,
    "hepatic_impairment": "none",
    "heart_disease": False,
    "benzodiazepines": False,
    "other_cns_depressants": False,
    "psychostimulants": False,
    "maoi": False,
    "lamotrigine": False,
    "theophylline": False,
    "sympathomimetics_or_vasopressin": False,
    "informed_consent_obtained": True,
}
# The 13 answers that were required before issue 11.
OLD_REQUIRED = (
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_hemorrhage_history",
    "hypersensitivity",
    "bp_rise_serious_hazard",
    "systolic_bp",
    "diastolic_bp",
    "psychosis_history",
    "bipolar_disorder",
    "substance_use_disorder",
    "pregnant",
    "has_escort_home",
    "can_avoid_driving_until_next_day",
)

# (name, changes to CLEAN, expected tier, expected criterion ids)
VIGNETTES: list[tuple[str, dict[str, Any], str, set[str]]] = [
    # Issue 4 "Tiers": nothing flagged, everything required answered.
    ("clean", {}, "eligible", set()),
    # ketamine.md §3.1: aneurysmal vascular disease, Spravato hard stop [R1].
    (
        "aneurysm",
        {"aneurysmal_vascular_disease": True},
        "contraindicated",
        {"aneurysmal-vascular-disease"},
    ),
    # §3.1: arteriovenous malformation, Spravato hard stop [R1].
    (
        "avm",
        {"arteriovenous_malformation": True},
        "contraindicated",
        {"arteriovenous-malformation"},
    ),
    # §3.1: history of intracerebral hemorrhage, Spravato hard stop [R1].
    (
        "ich",
        {"intracerebral_hemorrhage_history": True},
        "contraindicated",
        {"intracerebral-hemorrhage"},
    ),
    # §3.1: hypersensitivity, hard stop in Spravato and Ketalar [R1][R3].
    ("hypersensitivity", {"hypersensitivity": True}, "contraindicated", {"hypersensitivity"}),
    # §3.1: a significant BP rise would be a serious hazard, Ketalar hard stop [R3].
    ("bp hazard", {"bp_rise_serious_hazard": True}, "contraindicated", {"bp-rise-serious-hazard"}),
    # §3.1: psychosis (current or history) flag, Spravato label [R1]; issue: specialist review.
    ("psychosis history", {"psychosis_history": True}, "specialist_review", {"psychosis"}),
    ("current psychosis", {"current_psychotic_symptoms": True}, "specialist_review", {"psychosis"}),
    # §3.6: bipolar disorder, small trials and manic switch [R60][R61]; issue: specialist review.
    ("bipolar", {"bipolar_disorder": True}, "specialist_review", {"bipolar-disorder"}),
    # §3.1: history of substance use disorder incl. alcohol, Spravato flag [R1].
    ("sud", {"substance_use_disorder": True}, "specialist_review", {"substance-use-disorder"}),
    # §3.6: misuse risk, boxed warning [R1]; issue: ketamine misuse history -> specialist review.
    ("misuse", {"ketamine_misuse_history": True}, "specialist_review", {"ketamine-misuse"}),
    # §3.1: pregnancy is a flag ("not recommended"), not a contraindication [R1].
    ("pregnant", {"pregnant": True}, "specialist_review", {"pregnancy"}),
    # §3.1: breastfeeding not recommended [R1].
    ("breastfeeding", {"breastfeeding": True}, "specialist_review", {"breastfeeding"}),
    # §3.1: severe hepatic impairment (Child-Pugh C) not recommended [R1].
    (
        "severe hepatic",
        {"hepatic_impairment": "severe"},
        "specialist_review",
        {"severe-hepatic-impairment"},
    ),
    # §3.1: moderate hepatic impairment may need longer monitoring [R1]; issue: caution.
    (
        "moderate hepatic",
        {"hepatic_impairment": "moderate"},
        "eligible_with_cautions",
        {"moderate-hepatic-impairment"},
    ),
    # Mild hepatic impairment is not a criterion in §3.1.
    ("mild hepatic", {"hepatic_impairment": "mild"}, "eligible", set()),
    # §3.1 / §3.6: elevated intracranial pressure [R3][R1].
    (
        "raised icp",
        {"raised_intracranial_pressure": True},
        "specialist_review",
        {"raised-intracranial-pressure"},
    ),
    # §3.1: raised intraocular pressure, Ketalar [R3].
    (
        "raised iop",
        {"raised_intraocular_pressure": True},
        "specialist_review",
        {"raised-intraocular-pressure"},
    ),
    # §3.1: age <18, Spravato not approved [R1].
    ("age 17", {"age_years": 17}, "specialist_review", {"age-under-18"}),
    ("age 18", {"age_years": 18}, "eligible", set()),
    # §3.7 (ketamine.md line 169): "Theophylline / aminophylline: do not co-administer with
    # Ketalar" [R3] -> contraindicated while taken; the default product is racemic.
    ("theophylline", {"theophylline": True}, "contraindicated", {"theophylline-racemic"}),
    # §3.1 Swiss-label row (ketamine.md line 106) [R64]: hard stops for racemic ketamine.
    (
        "racemic iv prior stroke",
        {"route": "iv", "cerebrovascular_insult_history": True},
        "contraindicated",
        {"cerebrovascular-insult-racemic"},
    ),
    (
        "racemic hyperthyroidism",
        {"untreated_hyperthyroidism": True},
        "contraindicated",
        {"untreated-hyperthyroidism-racemic"},
    ),
    (
        "racemic pre-eclampsia",
        {"preeclampsia_or_eclampsia": True},
        "contraindicated",
        {"preeclampsia-racemic"},
    ),
    # §3.2 (line 129): the Spravato Medication Guide asks about a prior stroke -> caution
    # for esketamine, not a hard stop (the Swiss label is a racemic-ketamine label).
    (
        "esketamine prior stroke",
        {"product": "esketamine", "condition": "trd", "cerebrovascular_insult_history": True},
        "eligible_with_cautions",
        {"prior-stroke-esketamine"},
    ),
    # The Swiss hard stops are scoped to racemic ketamine (§3.1 "Scope: Racemic").
    (
        "esketamine hyperthyroidism",
        {"product": "esketamine", "condition": "trd", "untreated_hyperthyroidism": True},
        "eligible",
        set(),
    ),
    # §3.7 (line 168): sympathomimetics and vasopressin -> monitor vital signs closely
    # with Ketalar [R3].
    (
        "sympathomimetics",
        {"sympathomimetics_or_vasopressin": True},
        "eligible_with_cautions",
        {"sympathomimetics-vasopressin-racemic"},
    ),
    # §3.2 (line 129): the Medication Guide asks about heart attack, slow/fast heartbeat,
    # valve disease or heart failure [R1] -> caution, for both products.
    ("heart disease", {"heart_disease": True}, "eligible_with_cautions", {"heart-disease"}),
    (
        "heart disease esketamine",
        {"product": "esketamine", "condition": "trd", "heart_disease": True},
        "eligible_with_cautions",
        {"heart-disease"},
    ),
    # §3.7 scopes the theophylline rule to Ketalar: no finding with esketamine for TRD.
    (
        "theophylline esketamine",
        {"theophylline": True, "product": "esketamine", "condition": "trd"},
        "eligible",
        set(),
    ),
    # §3.1 / §3.3: Swiss label hard stop >180/100 at rest [R64]; issue: defer.
    ("bp 181/100", {"systolic_bp": 181, "diastolic_bp": 100}, "defer", {"bp-above-180-100"}),
    ("bp 180/101", {"systolic_bp": 180, "diastolic_bp": 101}, "defer", {"bp-above-180-100"}),
    # Issue boundary: 180/100 itself is a caution (Spravato >140/90 example [R1]).
    (
        "bp 180/100",
        {"systolic_bp": 180, "diastolic_bp": 100},
        "eligible_with_cautions",
        {"bp-above-140-90"},
    ),
    # Issue boundary: 141/90 is flagged, 140/90 is not; 140/91 is flagged (§3.1 >140/90 [R1]).
    (
        "bp 141/90",
        {"systolic_bp": 141, "diastolic_bp": 90},
        "eligible_with_cautions",
        {"bp-above-140-90"},
    ),
    ("bp 140/90", {"systolic_bp": 140, "diastolic_bp": 90}, "eligible", set()),
    (
        "bp 140/91",
        {"systolic_bp": 140, "diastolic_bp": 91},
        "eligible_with_cautions",
        {"bp-above-140-90"},
    ),
    # §3.8: needs someone to drive them home [R1]; issue: defer.
    ("no escort", {"has_escort_home": False}, "defer", {"no-escort-home"}),
    # §3.8: no driving until the next day [R1]; issue: defer.
    ("driving", {"can_avoid_driving_until_next_day": False}, "defer", {"driving-next-day"}),
    # §3.8: consent and education [R2][R6][R7]; issue: consent not obtained -> defer.
    ("no consent", {"informed_consent_obtained": False}, "defer", {"consent-not-obtained"}),
    ("consent", {"informed_consent_obtained": True}, "eligible", set()),
    # §3.1: history of hypertensive encephalopathy -> more intensive BP monitoring [R1].
    (
        "hypertensive encephalopathy",
        {"hypertensive_encephalopathy_history": True},
        "eligible_with_cautions",
        {"hypertensive-encephalopathy"},
    ),
    # §3.1: cystitis or urinary symptoms -> monitor bladder [R1][R3].
    (
        "urinary",
        {"urinary_symptoms_or_cystitis": True},
        "eligible_with_cautions",
        {"urinary-symptoms"},
    ),
    # §3.7: CNS depressants (benzodiazepines, opioids, alcohol) [R1][R3].
    ("benzodiazepines", {"benzodiazepines": True}, "eligible_with_cautions", {"benzodiazepines"}),
    (
        "cns depressants",
        {"other_cns_depressants": True},
        "eligible_with_cautions",
        {"other-cns-depressants"},
    ),
    # §3.7: psychostimulants and MAOIs may raise BP with Spravato [R1].
    ("stimulants", {"psychostimulants": True}, "eligible_with_cautions", {"psychostimulants"}),
    ("maoi", {"maoi": True}, "eligible_with_cautions", {"maoi"}),
    # §3.7: lamotrigine may attenuate ketamine (low-quality evidence) [R52][R13].
    ("lamotrigine", {"lamotrigine": True}, "eligible_with_cautions", {"lamotrigine"}),
    # §3.6: separate ≥65 schedule [R1]; surges more likely with age [R47]; issue: 65 or over.
    ("age 65", {"age_years": 65}, "eligible_with_cautions", {"age-65-or-over"}),
    ("age 64", {"age_years": 64}, "eligible", set()),
    # §3.5: commonest TRD definition is ≥2 failed adequate trials [R10][R40].
    (
        "mdd 1 trial",
        {"condition": "mdd", "failed_adequate_trials": 1},
        "eligible_with_cautions",
        {"fewer-than-2-trials"},
    ),
    ("trd 2 trials", {"condition": "trd", "failed_adequate_trials": 2}, "eligible", set()),
    # The issue limits the trials rule to mdd and trd.
    ("gad 0 trials", {"condition": "gad", "failed_adequate_trials": 0}, "eligible", set()),
    # §2 / §1.6: Spravato is labelled for TRD and for MDD with acute suicidal ideation [R1].
    ("esketamine trd", {"product": "esketamine", "condition": "trd"}, "eligible", set()),
    (
        "esketamine mdd with suicidal ideation",
        {"product": "esketamine", "condition": "mdd", "active_suicidal_ideation": True},
        "eligible",
        set(),
    ),
    (
        "esketamine gad",
        {"product": "esketamine", "condition": "gad"},
        "eligible_with_cautions",
        {"esketamine-off-label"},
    ),
    (
        "esketamine mdd without suicidal ideation",
        {"product": "esketamine", "condition": "mdd", "active_suicidal_ideation": False},
        "eligible_with_cautions",
        {"esketamine-off-label"},
    ),
    # Precedence (issue): most severe wins, and every finding is still listed.
    (
        "hard stop beats review",
        {"arteriovenous_malformation": True, "pregnant": True, "maoi": True},
        "contraindicated",
        {"arteriovenous-malformation", "pregnancy", "maoi"},
    ),
    (
        "review beats defer",
        {"bipolar_disorder": True, "has_escort_home": False},
        "specialist_review",
        {"bipolar-disorder", "no-escort-home"},
    ),
    (
        "defer beats caution",
        {"systolic_bp": 200, "diastolic_bp": 95, "lamotrigine": True},
        "defer",
        {"bp-above-180-100", "lamotrigine"},
    ),
]


@pytest.fixture(scope="module")
def context(built_data_dir: Path) -> EligibilityContext:
    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        return load_context(kb)


def check(context: EligibilityContext, changes: dict[str, Any]):
    return evaluate({**CLEAN, **changes}, context)


@pytest.mark.parametrize(
    ("changes", "tier", "criteria"),
    [v[1:] for v in VIGNETTES],
    ids=[v[0] for v in VIGNETTES],
)
def test_vignette(
    context: EligibilityContext, changes: dict[str, Any], tier: str, criteria: set[str]
) -> None:
    result = check(context, changes)
    assert result.tier == tier
    assert {f.criterion for f in result.findings} == criteria
    assert result.missing == ()


def test_every_criterion_has_a_vignette(context: EligibilityContext) -> None:
    covered = set().union(*(v[3] for v in VIGNETTES))
    assert len(VIGNETTES) >= 25
    assert {c.id for c in context.rules.criteria} <= covered


def test_findings_carry_messages_and_resolvable_sources(context: EligibilityContext) -> None:
    result = check(
        context,
        {"pregnant": True, "benzodiazepines": True, "systolic_bp": 150, "diastolic_bp": 95},
    )
    for finding in result.findings:
        assert finding.message and finding.sources
        assert all(ref in context.references for ref in finding.sources)
    bp = next(f for f in result.findings if f.criterion == "bp-above-140-90")
    assert "150/95 mmHg" in bp.message
    pregnancy = next(f for f in result.findings if f.criterion == "pregnancy")
    assert "not a listed contraindication" in pregnancy.message  # §3.1 developer note


def test_findings_are_ordered_most_severe_first(context: EligibilityContext) -> None:
    result = check(context, {"maoi": True, "has_escort_home": False, "hypersensitivity": True})
    assert [f.tier for f in result.findings] == [
        "contraindicated",
        "defer",
        "eligible_with_cautions",
    ]


@pytest.mark.parametrize("higher", TIERS)
@pytest.mark.parametrize("lower", TIERS)
def test_precedence_order(higher: str, lower: str) -> None:
    def finding(tier: str) -> list[Finding]:
        return [] if tier in ("incomplete", "eligible") else [Finding("x", tier, "m", ("r",))]

    missing = ("pregnant",) if "incomplete" in (higher, lower) else ()
    expected = min(higher, lower, key=TIERS.index)
    assert decide_tier(finding(higher) + finding(lower), missing) == expected


def test_unanswered_required_items_make_it_incomplete(context: EligibilityContext) -> None:
    answers = {k: v for k, v in CLEAN.items() if k not in ("pregnant", "systolic_bp")}
    result = evaluate({**answers, "maoi": True}, context)
    assert result.tier == "incomplete"
    assert result.missing == ("systolic_bp", "pregnant")  # in the rules' order
    assert [f.criterion for f in result.findings] == ["maoi"]  # findings still shown


def test_null_means_not_asked(context: EligibilityContext) -> None:
    result = evaluate({**CLEAN, "pregnant": None}, context)
    assert result.tier == "incomplete" and result.missing == ("pregnant",)


def test_empty_answers_list_every_required_item(context: EligibilityContext) -> None:
    result = evaluate({}, context)
    assert result.tier == "incomplete"
    assert result.missing == context.rules.required
    assert len(result.missing) == 28


def test_esketamine_with_only_the_old_required_answers_is_incomplete(
    context: EligibilityContext,
) -> None:
    # Issue 11 vignette: esketamine for TRD with only the 13 answers required before →
    # incomplete, listing every newly required key (not "Eligible").
    answers = {k: CLEAN[k] for k in OLD_REQUIRED}
    result = evaluate({**answers, "product": "esketamine", "condition": "trd"}, context)
    assert result.tier == "incomplete"
    assert set(result.missing) == set(CLEAN) - set(OLD_REQUIRED)
    for key in ("age_years", "benzodiazepines", "theophylline", "breastfeeding"):
        assert key in result.missing
    for key in ("hepatic_impairment", "informed_consent_obtained", "preeclampsia_or_eclampsia"):
        assert key in result.missing


def test_racemic_findings_resting_on_the_spravato_label_say_so(
    context: EligibilityContext,
) -> None:
    # Issue 11: a finding for racemic ketamine whose only label basis is Spravato says
    # "applied from the Spravato label" (ketamine.md §3.1 "Scope: Spravato" rows).
    spravato_only = {"spravato-uspi", "spravato-rems", "spravato-hcp"}
    # Label, regulator and guideline sources written for racemic ketamine itself.
    labels_for_racemic = {
        "ketalar-pi",
        "swiss-ketamine-pi",
        "ketalar-uk-pil",
        "fda-2023-compounded-ketamine-warning",
        "sanacora-2017",
    }
    checked = 0
    for criterion in context.rules.criteria:
        racemic = evaluate(
            {**CLEAN, **_trigger(criterion.id), "product": "racemic"}, context
        ).findings
        if criterion.id not in {f.criterion for f in racemic}:
            continue
        label_sources = set(criterion.sources) & (spravato_only | labels_for_racemic)
        if label_sources and label_sources <= spravato_only:
            assert "applied from the Spravato label" in criterion.message, criterion.id
            checked += 1
    assert checked >= 10


def _trigger(criterion_id: str) -> dict[str, Any]:
    """The vignette answers that fire ``criterion_id`` (from VIGNETTES)."""
    for _, changes, _, ids in VIGNETTES:
        if criterion_id in ids and changes.get("product", "racemic") == "racemic":
            return {k: v for k, v in changes.items() if k != "product"}
    return {}


def test_iv_and_im_racemic_get_the_airway_and_monitoring_note(
    context: EligibilityContext,
) -> None:
    # ketamine.md §3.2 (line 128): Ketalar needs airway-experienced clinicians, continuous
    # vital-sign monitoring, emergency airway equipment [R3]; §6 (lines 267, 268): IV
    # protocols vary (Emory every 10 min during and 15 after [R46], Yale every 10 min
    # during [R47], Gdańsk at 0–90 min [R48]); a large rise can follow any dose.
    for route in ("iv", "im"):
        text = notes_by_id(check(context, {"route": route}))["iv-im-monitoring"]
        assert "airway management" in text and "emergency airway equipment" in text
        assert "continuous vital-sign monitoring" in text and "anaesthetic use" in text
        assert "every 10 minutes during and every 15 minutes after the infusion (Emory)" in text
        assert "(Yale)" in text and "at 0, 15, 30, 45, 60 and 90 minutes (Gdańsk)" in text
        assert "every 10 to 15 minutes" not in text and "any dose" in text
    for changes in ({"route": "oral-sl"}, {"product": "esketamine"}):
        assert "iv-im-monitoring" not in notes_by_id(check(context, changes))


def test_missing_items_do_not_hide_a_hard_stop(context: EligibilityContext) -> None:
    result = evaluate({"hypersensitivity": True}, context)
    assert result.tier == "contraindicated"
    assert "pregnant" in result.missing


def test_heart_rate_sets_no_tier(context: EligibilityContext) -> None:
    # The 110/min limit in §3.3 is UNVERIFIED: recorded, never a rule.
    for rate in (20, 111, 250):
        assert check(context, {"heart_rate": rate}).tier == "eligible"


# --- notes ----------------------------------------------------------------------------------


def notes_by_id(result) -> dict[str, str]:
    return {n.id: n.text for n in result.notes}


def test_off_label_note_for_racemic_only(context: EligibilityContext) -> None:
    assert "off-label" in notes_by_id(check(context, {}))
    assert "off-label" not in notes_by_id(check(context, {"product": "esketamine"}))


def test_rems_note_for_esketamine(context: EligibilityContext) -> None:
    text = notes_by_id(check(context, {"product": "esketamine"}))["esketamine-rems"]
    assert "2 hours" in text and "40 minutes" in text and "before discharge" in text


@pytest.mark.parametrize(("weight", "mg"), [(70, "35"), (72.5, "36.3"), (20, "10"), (350, "175")])
def test_iv_reference_regimen_in_mg(context: EligibilityContext, weight: float, mg: str) -> None:
    result = check(context, {"route": "iv", "weight_kg": weight})
    text = notes_by_id(result)["iv-reference-regimen"]
    assert f"is {mg} mg over 40 minutes" in text
    assert "0.5 mg/kg IV over 40 minutes" in text
    assert text.startswith("Research reference, not an order")
    assert result.dose_mg == float(mg)


@pytest.mark.parametrize(
    "changes",
    [
        {"route": "im", "weight_kg": 70},
        {"route": "iv"},
        {"product": "esketamine", "weight_kg": 70},
    ],
)
def test_no_reference_regimen_without_iv_and_weight(
    context: EligibilityContext, changes: dict[str, Any]
) -> None:
    result = check(context, changes)
    assert "iv-reference-regimen" not in notes_by_id(result) and result.dose_mg is None


def test_evidence_strength_comes_from_the_knowledge_base(
    context: EligibilityContext, kb: KnowledgeBase
) -> None:
    result = check(context, {"route": "iv", "condition": "ptsd"})
    note = next(n for n in result.notes if n.id == "evidence-strength")
    strength = kb.modality("ketamine-iv").strengths["ptsd"]
    assert note.rating == strength.rating
    assert kb.labels.strength(strength.rating) in note.text
    assert note.sources == strength.statement.sources


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"product": "esketamine", "condition": "mdd"}, "no rating"),
        ({"route": "intranasal", "condition": "trd"}, "Level 3–4"),
        ({"route": "iv", "condition": "bipolar-depression"}, "small trials"),
        ({"condition": "trd"}, "choose the route"),
    ],
)
def test_evidence_strength_without_a_rating(
    context: EligibilityContext, changes: dict[str, Any], expected: str
) -> None:
    assert expected in notes_by_id(check(context, changes))["evidence-strength"]


def test_compounded_and_suicidality_notes(context: EligibilityContext) -> None:
    notes = notes_by_id(check(context, {"route": "oral-sl", "active_suicidal_ideation": True}))
    assert "not FDA-approved" in notes["compounded-product"]
    assert "does not replace hospitalization" in notes["suicidal-ideation"]


def test_notes_change_no_tier(context: EligibilityContext) -> None:
    result = check(context, {"route": "iv", "weight_kg": 80, "condition": "trd"})
    assert result.tier == "eligible" and len(result.notes) >= 3


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"agee_years": 45}, ["agee_years", "45", "did you mean age_years", "allowed keys"]),
        ({"pregnant": "yes"}, ["pregnant", '"yes"', "true or false"]),
        ({"pregnant": 1}, ["pregnant", "1", "true or false"]),
        ({"age_years": "45"}, ["age_years", '"45"', "a whole number from 0 to 120"]),
        ({"age_years": 45.5}, ["age_years", "45.5", "not a whole number"]),
        ({"age_years": True}, ["age_years", "true", "not a number"]),
        ({"age_years": 121}, ["age_years", "121", "out of range", "0 to 120"]),
        ({"age_years": -1}, ["age_years", "-1", "0 to 120"]),
        ({"weight_kg": 19.9}, ["weight_kg", "19.9", "20 to 350 kg"]),
        ({"weight_kg": 350.1}, ["weight_kg", "350.1", "20 to 350 kg"]),
        ({"systolic_bp": 301}, ["systolic_bp", "301", "60 to 300"]),
        ({"systolic_bp": 59}, ["systolic_bp", "59", "60 to 300"]),
        ({"diastolic_bp": 29}, ["diastolic_bp", "29", "30 to 200"]),
        ({"diastolic_bp": 201}, ["diastolic_bp", "201", "30 to 200"]),
        ({"heart_rate": 251}, ["heart_rate", "251", "20 to 250"]),
        ({"failed_adequate_trials": 31}, ["failed_adequate_trials", "31", "0 to 30"]),
        ({"route": "oral"}, ["route", '"oral"', '"iv"', '"oral-sl"', '"intranasal"']),
        ({"product": "Spravato"}, ["product", '"Spravato"', '"racemic", "esketamine"']),
        ({"condition": "depression"}, ["condition", '"depression"', '"mdd"']),
        ({"hepatic_impairment": "bad"}, ["hepatic_impairment", '"bad"', '"severe"']),
        (
            {"systolic_bp": 120, "diastolic_bp": 120},
            ["diastolic_bp", "120", "not below systolic_bp 120", "lower than the systolic"],
        ),
        (
            {"product": "esketamine", "route": "iv"},
            ["route", '"iv"', "applies only to racemic ketamine"],
        ),
        ([1, 2], ["answers", "[1, 2]", "JSON object"]),
        ("text", ["answers", '"text"', "JSON object"]),
    ],
)
def test_bad_answers_name_key_value_and_what_is_allowed(
    context: EligibilityContext, answers: Any, expected: list[str]
) -> None:
    with pytest.raises(UserInputError) as info:
        evaluate(answers, context)
    message = str(info.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("age_years", 0, 120),
        ("weight_kg", 20, 350),
        ("systolic_bp", 60, 300),
        ("diastolic_bp", 30, 200),
        ("heart_rate", 20, 250),
        ("failed_adequate_trials", 0, 30),
    ],
)
def test_range_limits_are_inclusive(
    context: EligibilityContext, key: str, low: int, high: int
) -> None:
    for value in (low, high):
        answers = {key: value}
        if key == "diastolic_bp":
            answers["systolic_bp"] = 300
        if key == "systolic_bp":
            answers["diastolic_bp"] = 30 if value > 30 else None
        assert evaluate(answers, context).answers[key] == value


def test_malformed_json_gives_line_and_column() -> None:
    with pytest.raises(UserInputError) as info:
        answers_from_json('{\n  "pregnant": true,\n  "maoi": tru\n}', "ANSWERS")
    assert "ANSWERS: not valid JSON at line 3, column" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"weight_kg": NaN}', "NaN is not allowed"),
        ('{"weight_kg": Infinity}', "Infinity is not allowed"),
        ('{"maoi": true, "maoi": false}', "maoi: is given twice"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_would_slip_through_is_refused(text: str, expected: str) -> None:
    with pytest.raises(UserInputError) as info:
        answers_from_json(text)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("systolic_bp", "", None),
        ("weight_kg", " 72.5 ", 72.5),
        ("systolic_bp", "120", 120),
        ("systolic_bp", "120.0", 120),
    ],
)
def test_typed_numbers(context: EligibilityContext, key: str, text: str, value: Any) -> None:
    assert parse_text(context.rules.questions[key], text) == value


@pytest.mark.parametrize(("text", "problem"), [("12a", "not a number"), ("nan", "not a number")])
def test_typed_text_that_is_not_a_number(
    context: EligibilityContext, text: str, problem: str
) -> None:
    with pytest.raises(AnswerError) as info:
        parse_text(context.rules.questions["systolic_bp"], text)
    assert info.value.key == "systolic_bp" and problem in str(info.value)


# --- properties -----------------------------------------------------------------------------

RULES = load_rules()
RISK_FLAGS = [
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_hemorrhage_history",
    "hypersensitivity",
    "bp_rise_serious_hazard",
    "psychosis_history",
    "current_psychotic_symptoms",
    "bipolar_disorder",
    "substance_use_disorder",
    "ketamine_misuse_history",
    "pregnant",
    "breastfeeding",
    "raised_intracranial_pressure",
    "raised_intraocular_pressure",
    "hypertensive_encephalopathy_history",
    "urinary_symptoms_or_cystitis",
    "benzodiazepines",
    "other_cns_depressants",
    "psychostimulants",
    "maoi",
    "lamotrigine",
    "theophylline",
]
SAFETY_FLAGS = ["has_escort_home", "can_avoid_driving_until_next_day", "informed_consent_obtained"]


def _value(question) -> st.SearchStrategy:
    if question.type == "boolean":
        return st.booleans()
    if question.type == "choice":
        return st.sampled_from([c.value for c in question.choices])
    if question.type == "integer":
        return st.integers(question.minimum, question.maximum)
    return st.floats(question.minimum, question.maximum, allow_nan=False)


@st.composite
def valid_answers(draw) -> dict[str, Any]:
    answers = {key: draw(st.none() | _value(question)) for key, question in RULES.questions.items()}
    if answers["product"] == "esketamine":
        answers["route"] = None
    low, high = answers["diastolic_bp"], answers["systolic_bp"]
    if low is not None and high is not None and low >= high:
        answers["diastolic_bp"] = None
    return {k: v for k, v in answers.items() if v is not None}


def severity(tier: str) -> int:
    return len(TIERS) - TIERS.index(tier)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=valid_answers(), flag=st.sampled_from(RISK_FLAGS + SAFETY_FLAGS))
def test_adding_a_finding_never_lowers_the_tier(
    context: EligibilityContext, answers: dict[str, Any], flag: str
) -> None:
    safe_value = flag in SAFETY_FLAGS
    without = evaluate({**answers, flag: safe_value}, context)
    with_finding = evaluate({**answers, flag: not safe_value}, context)
    assert severity(with_finding.tier) >= severity(without.tier)
    assert {f.criterion for f in without.findings} <= {f.criterion for f in with_finding.findings}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=valid_answers())
def test_tier_is_the_most_severe_of_findings_and_missing(
    context: EligibilityContext, answers: dict[str, Any]
) -> None:
    result = evaluate(answers, context)
    candidates = [f.tier for f in result.findings] + (["incomplete"] if result.missing else [])
    expected = max(candidates, key=severity, default="eligible")
    assert result.tier == expected
    assert set(result.missing) == {k for k in RULES.required if k not in answers}
