"""Issue 11: the clinical corrections to content, handouts and the comparison grid.

Each test names the sheet line it checks (shared/clinical/: ketamine.md, modalities.md,
safety-addendum.md). Texts are read from the shipped resources and the built knowledge
base, never from a copy kept here.
"""

from __future__ import annotations

import pytest

from kapdesk.content.handouts import HandoutLibrary
from kapdesk.content.kinds import load_content, load_integration_rules
from kapdesk.content.model import LANGUAGES
from kapdesk.decide.compare import compare
from kapdesk.kb.catalog import library

CONTENT = load_content()
EMERGENCY_HANDOUTS = [
    "after-your-session",
    "side-effects-and-safety",
    "esketamine-spravato",
    "integration-sessions",
]
# safety-addendum.md §A.3 / "Candidate patient text": the AHA 911 list [A2] plus
# Cleveland Clinic's severe headache [A6], the 180/120 figure, and "do not wait".
WARNING_SIGNS = {
    "en": ["180/120", "chest pain", "trouble breathing", "back pain", "numbness", "weakness",
           "a change in vision", "trouble speaking", "a severe headache", "Call 911 now",
           "Do not wait"],
    "es": ["180/120", "dolor en el pecho", "dificultad para respirar", "dolor de espalda",
           "entumecimiento", "debilidad", "cambios en la visión", "dificultad para hablar",
           "dolor de cabeza fuerte", "Llame al 911 ahora", "No espere"],
}  # fmt: skip


@pytest.fixture(scope="module")
def shipped() -> HandoutLibrary:
    return library()


def statement(modality: str, key: str):
    """A statement by its file key, e.g. ("ketamine-iv", "serious_risks[1]")."""
    entry = CONTENT.modalities[modality]
    if key == "plain_summary":
        return entry.plain_summary
    if key.startswith("strength."):
        return entry.strengths[key.split(".", 1)[1]].statement
    section, index = key.rstrip("]").split("[")
    return entry.sections[section][int(index)]


def every_plain_text() -> list[tuple[str, str, str]]:
    out = []
    for mid, entry in CONTENT.modalities.items():
        items = [entry.plain_summary, *(s for ss in entry.sections.values() for s in ss)]
        items += [s.statement for s in entry.strengths.values()]
        for s in items:
            for lang in LANGUAGES:
                out += [(mid, lang, t) for t in (s.plain(lang), s.grid(lang)) if t]
    return out


# --- handouts -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("handout_id", EMERGENCY_HANDOUTS)
def test_emergency_box_names_the_blood_pressure_warning_signs(shipped, handout_id, lang) -> None:
    # safety-addendum.md §A.2: "If your blood pressure is 180/120 or higher and you have
    # any warning sign, call 911 now. Do not wait to recheck."
    call = next(b for b in shipped.get(handout_id, lang).blocks if b.type == "call")
    box = " ".join(call.emergency)
    for phrase in WARNING_SIGNS[lang]:
        assert phrase in box, (handout_id, lang, phrase)
    assert {"aha-bp-911", "cleveland-bp-emergency"} <= set(call.sources)
    # §A.1: "do not apply the 180/120 rule to pregnant patients" (Cleveland: 140/90).
    assert any("140/90" in reason for reason in call.clinic)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_normal_headache_and_vision_lines_point_to_the_911_box(shipped, lang) -> None:
    words = {
        "en": ("mild and goes away", "911 box"),
        "es": ("leve que se quita", "recuadro del 911"),
    }
    after = shipped.get("after-your-session", lang)
    lines = [i for b in after.blocks for i in b.items if "blurry" in i or "borrosa" in i]
    assert lines and all(all(w in line for w in words[lang]) for line in lines)
    side = shipped.get("side-effects-and-safety", lang)
    text = " ".join(b.text for b in side.blocks)
    assert words[lang][1] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pregnancy_is_not_listed_as_a_spravato_contraindication(shipped, lang) -> None:
    # ketamine.md §3.1 note: pregnancy is "not recommended", not a contraindication.
    blocks = shipped.get("esketamine-spravato", lang).blocks
    heading = next(
        i for i, b in enumerate(blocks) if b.text.startswith(("Who should not", "¿Quién"))
    )
    listed = " ".join(blocks[heading + 1].items)
    assert "embaraz" not in listed and "pregnan" not in listed and "unborn" not in listed
    assert "bebé" not in listed
    note = blocks[heading + 2].text
    assert ("not advised" in note) if lang == "en" else ("no se aconseja" in note)


def test_exclusions_are_attributed_to_the_spravato_label(shipped) -> None:
    # ketamine.md §3.1: aneurysm/AVM/ICH are Spravato hard stops, applied by analogy.
    text = " ".join(b.text for b in shipped.get("is-kap-right-for-me", "en").blocks)
    assert "drug labels for ketamine and Spravato" not in text
    assert "The Spravato label lists health problems that rule it out" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_preparing_names_the_ketalar_nil_by_mouth_statement(shipped, lang) -> None:
    # ketamine.md §3.8: "Ketalar (anesthetic use): not recommended in patients who have not
    # followed nil-by-mouth guidance."
    block = next(
        b for b in shipped.get("preparing-for-your-session", lang).blocks if "30 minut" in b.text
    )
    assert "ketalar-pi" in block.sources
    assert ("label for surgery" in block.text) if lang == "en" else ("para cirugía" in block.text)
    assert "no set food and drink rules" not in block.text


# --- knowledge-base statements --------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [("ketamine-iv", "serious_risks[1]"), ("ketamine-im", "serious_risks[1]"),
     ("ketamine-oral-sl", "serious_risks[4]")],
)  # fmt: skip
def test_persistent_psychiatric_events_are_not_called_rare(key) -> None:
    # ketamine.md §3.2: "Psychiatric adverse events have occurred or persisted days to weeks".
    s = statement(*key)
    assert "days to weeks" in s.plain_en and "Rarely" not in s.plain_en
    assert "Pocas veces" not in s.plain_es


def test_no_suicidal_ideation_wording_says_sudden() -> None:
    # safety-addendum.md §D: "current" (acute) suicidal thoughts, never "sudden".
    for mid, _lang, text in every_plain_text():
        assert "sudden thoughts" not in text and "repentinas de suicidio" not in text, mid
        assert "de repente ideas" not in text, mid


@pytest.mark.parametrize(
    "key", [("esketamine", "plain_summary"), ("esketamine", "course[1]"),
            ("esketamine", "regulatory[0]"), ("ssri-snri", "regulatory[6]")],
)  # fmt: skip
def test_suicidal_ideation_indication_keeps_not_shown_to_prevent_suicide(key) -> None:
    s = statement(*key)
    assert "current thoughts of suicide" in s.plain_en
    assert "not been shown to prevent suicide" in s.plain_en
    assert "ideas actuales de suicidio" in s.plain_es and "evite el suicidio" in s.plain_es


def test_monotherapy_approval_is_for_trd_only() -> None:
    # safety-addendum.md §D: the 2025 monotherapy approval is for TRD (>= 2 failed ADs).
    s = statement("esketamine", "regulatory[0]")
    assert "without a pill. That use is only for depression that did not improve" in s.plain_en
    assert "solo en la depresión que no mejoró con al menos 2 antidepresivos" in s.plain_es


def test_evidence_types_match_their_sources() -> None:
    # modalities.md §2: ART guidelines are cited because they do not recommend it -> rct.
    assert CONTENT.modalities["art"].summary.evidence == "rct"
    assert statement("art", "strength.ptsd").evidence == "rct"
    # ketamine.md §1.3: the IM data are an open randomized study and a pilot RCT.
    assert statement("ketamine-im", "strength.depression").evidence == "rct"
    # The FDA 2023 warning is a safety report; efficacy rests on the PTSD meta-analysis.
    assert statement("ketamine-oral-sl", "strength.ptsd").evidence == "meta-analysis"
    # One source, one type: every single-source statement types its source alike.
    seen: dict[str, set[str]] = {}
    for entry in CONTENT.modalities.values():
        items = [*(s for ss in entry.sections.values() for s in ss)]
        items += [s.statement for s in entry.strengths.values()]
        for s in items:
            if len(s.sources) == 1:
                seen.setdefault(s.sources[0], set()).add(s.evidence)
    assert {ref: types for ref, types in seen.items() if len(types) > 1} == {}


def test_unverified_and_unsourced_ratings_are_gone() -> None:
    # modalities.md §2: the memory-distortion caution rests on an UNVERIFIED source.
    art = CONTENT.modalities["art"]
    assert all(
        "false-memory-practice-consensus" not in s.sources for s in art.sections["serious_risks"]
    )
    # modalities.md §5: "GAD: Moderate … UNVERIFIED nuance" has no source.
    assert CONTENT.modalities["exposure"].strengths["gad"].rating == "insufficient"
    # modalities.md §8: PTSD "Limited/insufficient" (n = 19), not "none".
    assert CONTENT.modalities["beta-blockers"].strengths["ptsd"].rating == "insufficient"
    # modalities.md §7: benzodiazepines act in "minutes–hours"; no days range is given.
    assert all(s.days is None for s in CONTENT.modalities["benzodiazepines"].sections["onset"])


def test_figures_are_said_as_the_sheets_give_them() -> None:
    # modalities.md §11: median 18 days "after up to 6 infusions" — among those who responded.
    assert "half of those who got better" in statement("ketamine-iv", "course[2]").plain_en
    # ketamine.md §5: Singh 2016's >= 20% list has no blurred vision.
    plain = statement("ketamine-iv", "adverse_common[0]").plain_en
    counted = plain.split("In 1 study")[0]
    assert "blurred" not in counted.lower() and "Blurred vision can happen too" in plain
    # modalities.md §2: a mean of 3.7 ± 1.1 sessions.
    assert "3 or 4 sessions on average" in statement("art", "course[0]").plain_en
    # modalities.md §1: bilateral stimulation, usually eye movements (no "light or hand").
    assert "light" not in statement("emdr", "mechanism[0]").plain_en
    # ketamine.md §1.6: weeks 1–8 before maintenance from week 9.
    assert statement("esketamine", "course[0]").weeks == (8.0, 8.0)


def test_social_anxiety_is_fear_of_being_judged() -> None:
    for mid in ("kap", "emdr", "art", "ifs"):
        s = statement(mid, "strength.social-anxiety")
        assert "being judged" in s.plain_en and "fear of other people" not in s.plain_en, mid
        assert "juzguen" in s.plain_es, mid


def test_somatic_note_gives_route_specific_blood_pressure_figures() -> None:
    # ketamine.md §5: IV 3 mmHg (Emory) vs 16/11 (Yale); SC about 10 mmHg; esketamine 8–19%.
    row = next(r for r in load_integration_rules().rows if r.id == "somatic_dominant")
    note = next(n.text for n in row.notes if "blood pressure" in n.text)
    for figure in ("3 mmHg", "16/11", "Subcutaneous 1 mg/kg: about 10 mmHg", "8–19%"):
        assert figure in note
    # ketamine.md §5 (line 249): with its comparator and time frame.
    assert "(vs 1–4% with placebo)" in note and "in the first 1.5 h after a dose" in note
    assert "by about 10 mmHg." not in note


def test_ect_escort_driving_and_fda_status() -> None:
    # safety-addendum.md §E.1 (escort; driving rules differ) and §E.2 (FDA 2018 class II).
    ect = CONTENT.modalities["ect"]
    burden = " ".join(s.plain_en for s in ect.sections["burden"])
    assert "adult to take you home" in burden and "2 weeks after the last treatment" in burden
    regulatory = ect.sections["regulatory"][0]
    assert "class II" in regulatory.text and "aged 13 and older" in regulatory.text
    assert regulatory.sources == ("fda-ect-2018",) and "regulatory" not in ect.missing
    assert "contraindications" not in ect.missing


# --- the comparison grid ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [("depression", "FDA-approved for depression"), ("gad", "for GAD"),
     ("panic", "for panic"), ("social-anxiety", "for social anxiety"),
     ("ptsd", "FDA-approved for PTSD"), (None, "FDA-approved for depression")],
)  # fmt: skip
def test_ssri_approval_cell_answers_for_the_chosen_condition(kb, condition, expected) -> None:
    # safety-addendum.md §B: one patient sentence per condition.
    grid = compare(kb, ["ssri-snri", "cbt"], audience="patient", condition=condition)
    assert expected in grid.row("regulatory").cell("ssri-snri").text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_esketamine_depression_evidence_cell_says_what_is_approved(kb, lang) -> None:
    # safety-addendum.md §D: not "No information"; what is approved, other depression not
    # rated, and never a rating of its own.
    grid = compare(
        kb, ["esketamine", "ssri-snri"], audience="patient", lang=lang, condition="depression"
    )
    cell = grid.row("strength").cell("esketamine")
    assert cell.rating is None and not cell.missing
    if lang == "en":
        assert cell.text.startswith("Not rated. Only approved for depression")
        assert "current suicidal thoughts" in cell.text
    else:
        assert cell.text.startswith("Sin calificación. Solo aprobado")
    clinician = compare(kb, ["esketamine", "ssri-snri"], condition="depression")
    assert clinician.row("strength").cell("esketamine").missing  # the reason, for clinicians
    trd = compare(kb, ["esketamine", "ssri-snri"], audience="patient", condition="trd")
    assert trd.row("strength").cell("esketamine").rating == "moderate"
