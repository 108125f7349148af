"""The integration-modality picker: rules file, ranking, blocks, cautions, input checks."""

from __future__ import annotations

import copy
import itertools
import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.content.integration import (
    BOOLEAN_FEATURES,
    DISSOCIATION_LEVELS,
    PRESENTATION_CONDITIONS,
    RULES_FILE,
    parse_rules,
)
from kapdesk.content.kinds import load_integration_rules
from kapdesk.content.model import MODALITY_IDS
from kapdesk.decide.integration import (
    PRESENTATION_KEYS,
    Presentation,
    load_context,
    parse_presentation,
    presentation_from_json,
    rank,
)
from kapdesk.errors import ContentError, UserInputError
from kapdesk.paths import resources_dir

CANDIDATES = {"emdr", "art", "ifs", "cbt", "exposure", "somatic"}
TRAUMA_PROCESSING = {"emdr", "art", "exposure"}

# The first-listed modality of each §16 row, read off the table by hand (None: the row
# suggests none of the six candidates). Self-criticism lists CBT first: §16 (modalities.md
# line 463) calls CBT "the evidence-based default" and IFS "a preference-based choice".
FIRST_CHOICE = {
    "trauma_origin": "emdr",
    "intrusive_imagery": "art",
    "nightmares": "emdr",
    "self_criticism_or_parts": "cbt",
    "rumination_rigid_beliefs": "cbt",
    "avoidance": "exposure",
    "somatic_dominant": "exposure",
    "wants_brief_format": "art",
    "prefers_not_to_narrate": "emdr",
    "acute_suicidality_or_crisis": None,
    "active_psychosis_or_mania": None,
    "substance_use_disorder": None,
}


@pytest.fixture(scope="module")
def context(built_data_dir: Path):
    from kapdesk.kb.store import KnowledgeBase
    from kapdesk.paths import AppPaths

    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        return load_context(kb)


def ranking(result) -> list[str]:
    return [r.modality for r in result.ranked]


def run(context, **raw):
    return rank(parse_presentation(raw), context)


# --- the rules file -------------------------------------------------------------------


def raw_rules() -> dict:
    with (resources_dir() / RULES_FILE).open("rb") as fh:
        return tomllib.load(fh)


def reference_ids() -> set[str]:
    with (resources_dir() / "content" / "references.toml").open("rb") as fh:
        return set(tomllib.load(fh))


def test_bundled_rules_are_valid_and_cover_the_table() -> None:
    rules = load_integration_rules()
    assert set(rules.candidates) == CANDIDATES
    assert set(rules.features) == set(BOOLEAN_FEATURES)
    rows = {row.id: row for row in rules.rows}
    for feature, first in FIRST_CHOICE.items():
        suggest = rows[feature].suggest
        assert (suggest[0].modality if suggest else None) == first, feature
    every = [s.reason for row in rules.rows for s in row.suggest]
    every += [c.statement for row in rules.rows for c in (*row.cautions, *row.blocks)]
    every += [t.statement for t in rules.timing] + list(rules.general)
    assert every and all(s.sources and s.evidence for s in every)
    assert all("UNVERIFIED" not in s.text for s in every)


def test_plasticity_window_is_a_hypothesis_with_low_evidence() -> None:
    window = [t for t in load_integration_rules().timing if "plasticity" in t.statement.text]
    assert len(window) == 1
    assert window[0].hypothesis and window[0].evidence_strength == "low"
    assert "hypothesis" in window[0].statement.text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["rows"][0]["suggest"][0].update(sources=["nope-2099"]),
            "rules/integration.toml: rows.trauma_origin.suggest[0].sources: "
            "'nope-2099' is not in content/references.toml",
        ),
        (
            lambda r: r["rows"][0]["suggest"][0].update(modality="ssri-snri"),
            "rows.trauma_origin.suggest[0].modality: 'ssri-snri' is not a candidate",
        ),
        (
            lambda r: r["rows"][0].update(when={"trauma": True}),
            "rows.trauma_origin.when.trauma: not a presentation key",
        ),
        (
            lambda r: r["rows"][0].update(when={"dissociation": "severe"}),
            "rows.trauma_origin.when.dissociation: 'severe' is not allowed",
        ),
        (
            lambda r: r["rows"][0]["suggest"][0].update(evidence="anecdote"),
            "rows.trauma_origin.suggest[0].evidence: 'anecdote' is not an evidence type",
        ),
        (lambda r: r.update(colour="red"), "rules/integration.toml: colour: unknown key"),
        (
            lambda r: r["timing"][2].pop("evidence_strength"),
            "timing.plasticity-window.evidence_strength: "
            "a hypothesis must state its evidence strength",
        ),
        (
            lambda r: r["scoring"].update(position_points=[1.0, 3.0]),
            "scoring.position_points: must be a non-empty list of numbers ≥ 0, non-increasing",
        ),
        (
            lambda r: r["features"].pop("nightmares"),
            "features.nightmares: needs a label and help text",
        ),
        (
            lambda r: next(x for x in r["rows"] if x["id"] == "acute_suicidality_or_crisis")[
                "block"
            ][1].update(as_suggested_by=["trauma"]),
            "rows.acute_suicidality_or_crisis.block: as_suggested_by: 'trauma' is not a row id",
        ),
    ],
)
def test_loader_names_file_key_and_problem(change, expected: str) -> None:
    raw = copy.deepcopy(raw_rules())
    change(raw)
    with pytest.raises(ContentError) as info:
        parse_rules(raw, reference_ids(), "test")
    assert any(expected in problem for problem in info.value.problems), info.value.problems
    assert all(p.startswith("rules/integration.toml: ") for p in info.value.problems)


def test_loader_reports_unreadable_toml(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "integration.toml").write_text("candidates = [", encoding="utf-8")
    with pytest.raises(ContentError, match=r"rules/integration.toml: \(file\): not valid TOML"):
        load_integration_rules(tmp_path)


# --- ranking --------------------------------------------------------------------------


def test_every_candidate_is_always_returned(context) -> None:
    result = run(context)
    assert set(ranking(result)) == CANDIDATES
    assert [r.rank for r in result.ranked] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("feature", BOOLEAN_FEATURES)
def test_a_single_feature_ranks_its_rows_first_listed_modality_first(context, feature) -> None:
    # Dissociation screened low: unscreened dissociation blocks EMDR/ART (tested below).
    result = run(context, dissociation="low", **{feature: True})
    first = result.ranked[0]
    assert not first.blocked
    if FIRST_CHOICE[feature]:
        assert first.modality == FIRST_CHOICE[feature]
        assert any(r.feature == feature for r in first.fit)
    assert len(result.ranked) == 6


def test_high_dissociation_alone_ranks_stabilisation_cbt_first(context) -> None:
    result = run(context, dissociation="high")
    assert ranking(result)[0] == "cbt"
    assert any(r.feature == "dissociation_high" for r in result.ranked[0].fit)


def test_each_reason_names_the_feature_it_answers(context) -> None:
    result = run(context, trauma_origin=True, nightmares=True, dissociation="low")
    emdr = result.by_id("emdr")
    assert [r.feature for r in emdr.fit] == ["trauma_origin", "nightmares"]
    assert emdr.to_dict()["fit"][0].startswith("Rooted in past adverse events: ")


def test_high_dissociation_blocks_emdr_and_art_and_cautions_ifs(context) -> None:
    result = run(context, trauma_origin=True, intrusive_imagery=True, dissociation="high")
    order = ranking(result)
    assert set(order[-2:]) == {"emdr", "art"}
    for mid in ("emdr", "art"):
        blocked = result.by_id(mid)
        assert blocked.blocked and "DES-II" in blocked.blocked_reason
        # The block says why for this state (high), not "until assessed" as if unscreened.
        assert "because dissociation is high" in blocked.blocked_reason
        assert "Screen for dissociation first" not in blocked.blocked_reason
    ifs = result.by_id("ifs")
    assert not ifs.blocked
    assert any("splitting" in c.text for c in ifs.cautions)
    assert not result.alerts


# modalities.md §16 line 469 (active suicidality: "Block elective trauma processing
# initiation") and line 459 (trauma row: "current high suicide risk or plan, active
# psychosis/mania … defer trauma processing"); cbt.toml contraindications[0] defers CPT.
TRAUMA_FOCUSED = TRAUMA_PROCESSING | {"cbt"}


@pytest.mark.parametrize("feature", ["acute_suicidality_or_crisis", "active_psychosis_or_mania"])
def test_crisis_or_psychosis_blocks_trauma_processing_with_a_safety_message(
    context, feature
) -> None:
    # Vignette: acute suicidality (or psychosis) + trauma origin, screened dissociation →
    # no trauma-processing therapy is left unblocked, trauma-focused CBT included.
    result = run(
        context,
        trauma_origin=True,
        prefers_not_to_narrate=True,
        dissociation="low",
        condition="ptsd",
        **{feature: True},
    )
    assert set(ranking(result)[-4:]) == TRAUMA_FOCUSED
    assert all(result.by_id(m).blocked for m in TRAUMA_FOCUSED)
    assert "trauma-focused CBT (CPT)" in result.by_id("cbt").blocked_reason
    assert not any(result.by_id(m).blocked for m in CANDIDATES - TRAUMA_FOCUSED)
    alert = result.alerts[0].text
    assert "safety first" in alert
    for name in ("EMDR", "ART", "exposure", "trauma-focused CBT"):
        assert name in alert
    assert result.to_dict()["alerts"][0]["sources"]


def test_crisis_blocks_trauma_focused_cbt_once_and_only_when_cbt_is_trauma_focused(
    context,
) -> None:
    # §16 line 469 blocks elective *trauma processing*: CBT offered for rumination alone
    # (line 464) is not trauma processing, so it stays open in a crisis.
    rumination = run(context, acute_suicidality_or_crisis=True, rumination_rigid_beliefs=True)
    assert not rumination.by_id("cbt").blocked
    both = run(context, acute_suicidality_or_crisis=True, trauma_origin=True, nightmares=True)
    assert len(both.by_id("cbt").blocks) == 1  # reached through two rows, shown once


@pytest.mark.parametrize("feature", ["acute_suicidality_or_crisis", "active_psychosis_or_mania"])
def test_crisis_defers_cpt_but_leaves_cbt_open_for_other_work(context, feature) -> None:
    # modalities.md §16: the crisis rows (lines 469, 459) defer *trauma processing*; the
    # high-dissociation row (line 466) suggests "CBT/skills" for stabilisation and the
    # rumination row (line 464) CBT: not trauma processing. So with those ticked as well,
    # CPT's deferral only lowers CBT, and CBT is not outranked by IFS, which the
    # dissociation row cautions against ("splitting"), nor by options no row suggests.
    result = run(
        context,
        trauma_origin=True,
        rumination_rigid_beliefs=True,
        dissociation="high",
        condition="depression",
        **{feature: True},
    )
    cbt = result.by_id("cbt")
    assert not cbt.blocked
    assert any("trauma-focused CBT (CPT)" in c.text for c in cbt.cautions)
    assert ranking(result)[0] == "cbt"
    assert ranking(result).index("cbt") < ranking(result).index("ifs")
    assert all(result.by_id(m).blocked for m in ("emdr", "art"))  # still stopped
    # CBT suggested only as CPT (trauma origin alone) stays blocked, as before.
    only_cpt = run(context, trauma_origin=True, dissociation="low", **{feature: True})
    assert only_cpt.by_id("cbt").blocked


def test_blocked_candidates_keep_their_reasons(context) -> None:
    emdr = run(context, trauma_origin=True, acute_suicidality_or_crisis=True).by_id("emdr")
    assert emdr.blocked and emdr.fit and emdr.to_dict()["blocked"] is True


def test_unknown_dissociation_blocks_reprocessing_until_assessed(context) -> None:
    # Vignette: trauma origin + PTSD + dissociation unknown (the default). modalities.md
    # §16 line 459: "Unscreened or high dissociation (block standard EMDR/ART reprocessing
    # until assessed)" → EMDR and ART blocked; CBT or exposure first.
    result = run(context, trauma_origin=True, condition="ptsd")
    assert result.presentation.dissociation == "unknown"
    for mid in ("emdr", "art"):
        blocked = result.by_id(mid)
        assert blocked.blocked and blocked.fit  # blocked, not hidden: the reasons stay
        assert "screen for dissociation first (des-ii plus a structured interview)" in (
            blocked.blocked_reason.lower()
        )
        assert "until assessed" in blocked.blocked_reason
        assert "because dissociation is high" not in blocked.blocked_reason
    assert ranking(result)[0] in {"cbt", "exposure"}
    assert set(ranking(result)[-2:]) == {"emdr", "art"}
    # Once screened low, EMDR is open again and first for trauma-rooted PTSD (line 459).
    screened = run(context, trauma_origin=True, condition="ptsd", dissociation="low")
    assert not screened.by_id("emdr").blocked and ranking(screened)[0] == "emdr"


@pytest.mark.parametrize("level", ["low", "moderate"])
def test_screened_dissociation_does_not_block_reprocessing(context, level) -> None:
    result = run(context, trauma_origin=True, intrusive_imagery=True, dissociation=level)
    assert not result.by_id("emdr").blocked and not result.by_id("art").blocked


def test_without_a_condition_cbt_ranks_above_ifs_for_self_criticism(context) -> None:
    # §16 line 463: "CBT for depression as the evidence-based default"; IFS "a
    # preference-based choice, not an evidence-based one".
    result = run(context, self_criticism_or_parts=True)
    assert ranking(result).index("cbt") < ranking(result).index("ifs")
    ifs = result.by_id("ifs")
    assert ifs.fit[0].text.startswith("A preference-based choice")
    assert any("preference-based choice" in c.text for c in ifs.cautions)


def test_high_dissociation_is_not_both_a_fit_and_a_caution_on_exposure(context) -> None:
    # §16 line 467: PE "only after thorough assessment" — said once, as a caution with its
    # own label, while "High dissociation" is why PE can fit.
    exposure = run(context, dissociation="high").by_id("exposure")
    fits = {r.label for r in exposure.fit}
    cautions = {r.label for r in exposure.cautions}
    assert "High dissociation" in fits and "High dissociation" not in cautions
    assert any("DES-II" in c.text for c in exposure.cautions)


def test_substance_use_cautions_every_candidate(context) -> None:
    result = run(context, substance_use_disorder=True, dissociation="low")
    for candidate in result.ranked:
        text = " ".join(c.text for c in candidate.cautions)
        assert "addiction-informed care" in text and "take-home dosing" in text
        assert not candidate.blocked


def test_non_ptsd_anxiety_lowers_emdr_for_trauma(context) -> None:
    ptsd = run(context, trauma_origin=True, condition="ptsd", dissociation="low")
    gad = run(context, trauma_origin=True, condition="gad", dissociation="low")
    assert ranking(ptsd)[0] == "emdr"
    assert ranking(gad).index("emdr") > ranking(gad).index("cbt")
    assert any("insufficient" in c.text for c in gad.by_id("emdr").cautions)


def test_offered_list_marks_refer_out(context) -> None:
    result = run(context, trauma_origin=True, offered=["cbt", "exposure"], dissociation="low")
    emdr = result.by_id("emdr")
    assert emdr.available is False and "refer out" in emdr.availability
    assert emdr.rank == 1  # not offered: still ranked, not hidden
    assert result.by_id("cbt").available is True
    assert result.offered_from == "presentation"


def test_clinic_profile_offered_list_is_the_default(context) -> None:
    result = rank(parse_presentation({}), context, profile_offered=("emdr",))
    assert result.offered_from == "clinic profile"
    assert [r.modality for r in result.ranked if r.available] == ["emdr"]
    everything = rank(parse_presentation({}), context)
    assert all(r.available for r in everything.ranked)
    overridden = rank(parse_presentation({"offered": ["art"]}), context, ("emdr",))
    assert [r.modality for r in overridden.ranked if r.available] == ["art"]


def test_evidence_for_the_condition_lifts_better_evidenced_options(context) -> None:
    result = run(context, dissociation="low", condition="ptsd")
    ratings = [r.evidence for r in result.ranked]
    points = [context.rules.evidence_points[r] for r in ratings]
    assert points == sorted(points, reverse=True)
    assert set(ranking(result)[:3]) == {"cbt", "exposure", "emdr"}  # all rated strong
    parts = run(context, self_criticism_or_parts=True, condition="depression")
    assert ranking(parts)[:2] == ["cbt", "ifs"]  # the evidence-based default lifts above IFS


def test_evidence_breaks_a_tie_in_points(context) -> None:
    raw = copy.deepcopy(raw_rules())
    raw["candidates"] = ["ifs", "cbt", "exposure", "emdr", "art", "somatic"]  # IFS wins ties
    raw["scoring"]["position_points"] = [2.0, 1.0]
    raw["scoring"]["evidence_points"] = {**raw["scoring"]["evidence_points"], "strong": 2.0}
    raw["scoring"]["evidence_points"]["limited"] = 1.0
    rows = [r for r in raw["rows"] if r["id"] == "self_criticism_or_parts"]
    rows[0]["caution"][0]["lower"] = 0.0
    rows[0]["suggest"].reverse()  # IFS listed first again, so the points tie
    rules = parse_rules(raw, reference_ids(), "test")
    tied = type(context)(rules, context.facts, context.labels, context.kb_version)
    result = run(tied, self_criticism_or_parts=True, condition="depression")
    ifs, cbt = result.by_id("ifs"), result.by_id("cbt")
    assert ifs.score == cbt.score == 3.0  # IFS 2 + limited 1; CBT 1 + strong 2
    assert ranking(result)[:2] == ["cbt", "ifs"]


def test_weak_evidence_is_said_in_plain_words(context) -> None:
    result = run(context, intrusive_imagery=True, condition="ptsd")
    art = result.by_id("art")
    assert art.evidence == "limited" and art.weak_evidence
    assert "We are not sure how well it works" in art.evidence_note
    assert result.by_id("emdr").evidence_note is None
    somatic = run(context, condition="gad").by_id("somatic")
    assert somatic.evidence is None and somatic.evidence_label == "No rating"
    assert somatic.evidence_note and somatic.weak_evidence
    assert run(context).by_id("emdr").evidence_label == "No condition chosen"


def test_training_comes_from_the_knowledge_base_burden_section(context) -> None:
    result = run(context)
    assert "EMDRIA" in result.by_id("emdr").training[0].text
    assert "3-day" in result.by_id("art").training[0].text
    assert len(result.by_id("ifs").training) == 2
    assert result.by_id("cbt").training == ()
    assert "no clinician-training" in result.by_id("cbt").training_missing
    assert "training" in result.by_id("somatic").training_missing


def test_timing_guidance_is_part_of_every_result(context) -> None:
    timing = run(context).to_dict()["timing"]
    text = " ".join(t["text"] for t in timing)
    assert "same day" in text and "1–3 days" in text and "non-dosing days" in text
    window = [t for t in timing if t["hypothesis"]]
    assert window and window[0]["evidence_strength"] == "low"


def test_json_shape(context) -> None:
    doc = run(context, trauma_origin=True, condition="ptsd").to_dict()
    assert {"ranked", "kb_version"} <= set(doc)
    for row in doc["ranked"]:
        assert {"modality", "score", "fit", "cautions", "blocked", "evidence", "available"} <= set(
            row
        )
        assert isinstance(row["fit"], list) and isinstance(row["blocked"], bool)
    json.dumps(doc)


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"trauma": True}, 'presentation: unknown key "trauma"; allowed keys: trauma_origin'),
        ({"nightmares": "yes"}, 'nightmares: "yes" (text) is not allowed; allowed: true or false'),
        ({"nightmares": 1}, "nightmares: 1 (number) is not allowed; allowed: true or false"),
        ({"dissociation": "severe"}, 'dissociation: "severe" is not allowed; allowed: low,'),
        ({"condition": "ocd"}, 'condition: "ocd" is not allowed; allowed: depression, trd'),
        ({"condition": None}, "condition: null is not allowed"),
        ({"offered": "emdr"}, 'offered: "emdr" (text) is not allowed; allowed: a list'),
        ({"offered": ["emdr", "reiki"]}, 'offered[1]: "reiki" is not a modality id; allowed:'),
        ([True], "presentation: expected a JSON object"),
    ],
)
def test_bad_presentation_names_key_value_and_allowed(raw, expected: str) -> None:
    with pytest.raises(UserInputError) as info:
        parse_presentation(raw)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_malformed_json_is_one_line() -> None:
    with pytest.raises(UserInputError, match=r"^presentation: not valid JSON at line 1, column "):
        presentation_from_json('{"trauma_origin": tru}')


# --- properties -----------------------------------------------------------------------

VALUES = st.one_of(
    st.booleans(),
    st.none(),
    st.integers(),
    st.sampled_from([*DISSOCIATION_LEVELS, *PRESENTATION_CONDITIONS, "severe"]),
    st.lists(st.sampled_from([*MODALITY_IDS, "reiki"]), max_size=4),
)
KEYS = st.sampled_from([*PRESENTATION_KEYS, "trauma", "Condition"])
VALID = st.fixed_dictionaries(
    {},
    optional={
        **{f: st.booleans() for f in BOOLEAN_FEATURES},
        "dissociation": st.sampled_from(DISSOCIATION_LEVELS),
        "condition": st.sampled_from(PRESENTATION_CONDITIONS),
        "offered": st.lists(st.sampled_from(MODALITY_IDS), max_size=6),
    },
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.one_of(VALID, st.dictionaries(KEYS, VALUES, max_size=6), st.text(max_size=30)))
def test_every_input_ranks_all_six_or_is_refused(context, raw) -> None:
    text = raw if isinstance(raw, str) else json.dumps(raw)
    try:
        presentation = presentation_from_json(text)
    except UserInputError as exc:
        assert "\n" not in str(exc) and ":" in str(exc)
        return
    result = rank(presentation, context)
    assert sorted(ranking(result)) == sorted(CANDIDATES)
    unblocked = [r for r in result.ranked if not r.blocked]
    assert result.ranked[: len(unblocked)] == tuple(unblocked)  # blocks rank last


BLOCKS = [
    {"acute_suicidality_or_crisis": True},
    {"active_psychosis_or_mania": True},
    {"dissociation": "high"},
]


@PROPERTY
@given(VALID, st.sampled_from(BLOCKS))
def test_adding_a_block_never_raises_a_blocked_candidates_rank(context, raw, block) -> None:
    """Adding a blocking state never lifts the candidate it blocks."""
    before = rank(parse_presentation(raw), context)
    after = rank(parse_presentation({**raw, **block}), context)
    for candidate in after.ranked:
        old = before.by_id(candidate.modality)
        if len(candidate.blocks) > len(old.blocks):
            assert candidate.rank >= old.rank


@PROPERTY
@given(VALID)
def test_equal_scores_are_ordered_by_evidence(context, raw) -> None:
    result = rank(parse_presentation(raw), context)
    points = context.rules.evidence_points
    for first, second in itertools.pairwise(result.ranked):
        if len(first.blocks) == len(second.blocks) and first.score == second.score:
            assert points.get(first.evidence or "none", 0) >= points.get(
                second.evidence or "none", 0
            )


def test_presentation_round_trips_through_its_dict() -> None:
    presentation = Presentation(frozenset({"nightmares"}), "low", "ptsd", ("emdr",))
    assert parse_presentation(presentation.to_dict()) == presentation


@PROPERTY
@given(VALID)
def test_no_card_lists_one_feature_as_a_fit_and_a_caution(context, raw) -> None:
    # Issue 11: a feature never appears both under "Why it fits" and "Cautions" (or
    # "Blocked") on one card; every such line names what it is about.
    for card in rank(parse_presentation(raw), context).ranked:
        fits = {r.label for r in card.fit}
        assert not fits & {r.label for r in (*card.cautions, *card.blocks)}, card.modality
        assert len(card.blocks) == len(set(card.blocks))


def test_loader_refuses_a_caution_that_reuses_the_rows_feature() -> None:
    raw = copy.deepcopy(raw_rules())
    row = next(r for r in raw["rows"] if r["id"] == "dissociation_high")
    caution = next(c for c in row["caution"] if c["modalities"] == ["exposure"])
    del caution["id"], caution["label"]
    with pytest.raises(ContentError) as info:
        parse_rules(raw, reference_ids(), "test")
    assert any(
        "rows.dissociation_high.caution[1]: this row also suggests exposure" in problem
        for problem in info.value.problems
    ), info.value.problems
