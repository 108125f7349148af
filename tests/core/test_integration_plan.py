"""The patient's "Your integration plan": choice, sources, readability, PDF, loader errors."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from kapdesk.content.kinds import load_integration_rules as bundled_rules
from kapdesk.content.kinds import load_plan_texts
from kapdesk.content.model import LANGUAGES
from kapdesk.content.plan_wording import PLAN_FILE
from kapdesk.decide.integration import parse_presentation, pick
from kapdesk.decide.plan import compose_plan, plan_choice
from kapdesk.documents.handout import HandoutOptions
from kapdesk.documents.plan_sheet import plan_pdf
from kapdesk.errors import ContentError, UserInputError
from kapdesk.paths import resources_dir
from tests.handout_fixtures import CLINIC, body_runs, page_texts, squash
from tests.tomlwrite import dumps

CANDIDATES = bundled_rules().candidates
# What the timing guidance says, in each language (the rules' [[timing]], in plain words).
TIMING = {
    "en": [
        "later the same day",
        "within 1 to 3 days",
        "days when you do not get a dose",
        "it is a hypothesis",
    ],
    "es": [
        "más tarde el mismo día",
        "dentro de 1 a 3 días",
        "días en que usted no recibe una dosis",
        "es una hipótesis",
    ],
}


# The exposure-days timing text belongs only in the exposure plan (issue 11).
EXPOSURE_ONLY = {
    "en": {"days when you do not get a dose"},
    "es": {"días en que usted no recibe una dosis"},
}


def result_for(kb, **raw):
    return pick(kb, parse_presentation(raw))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("modality", CANDIDATES)
def test_every_plan_meets_its_readability_and_pemat_targets(kb, modality, lang) -> None:
    # Dissociation screened low, so that EMDR and ART are not blocked (§16 line 459).
    plan = compose_plan(kb, result_for(kb, dissociation="low"), modality, lang)
    assert plan.readability.meets_target, f"{modality}/{lang}: {plan.readability}"
    expected = "fernandez_huerta" if lang == "es" else "flesch_kincaid_grade"
    assert plan.readability.target.metric == expected
    assert plan.pemat.meets_target, f"{modality}/{lang}: PEMAT-P {plan.pemat}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("modality", CANDIDATES)
def test_every_clinical_statement_cites_a_source(kb, modality, lang) -> None:
    result = result_for(kb, offered=["cbt"], dissociation="low")
    plan = compose_plan(kb, result, modality, lang)
    wording = load_plan_texts().wording[lang]
    name = kb.modality(modality).display_name(lang)
    # The therapy's name and "refer out" are not clinical statements.
    unsourced = {wording.fields["refer_out"], wording.fields["therapy"].format(name=name)}
    for block in plan.handout.blocks:
        if block.type == "heading" or block.text in unsourced:
            continue
        assert block.sources, f"{modality}/{lang}: no sources for {block}"
    known = set(tomllib.loads((resources_dir() / "content" / "references.toml").read_text()))
    assert set(plan.source_ids()) <= known


def test_default_is_the_top_unblocked_candidate_the_clinic_offers(kb) -> None:
    result = result_for(kb, trauma_origin=True, offered=["cbt", "ifs"], dissociation="low")
    assert result.ranked[0].modality == "emdr" and not result.ranked[0].available
    assert plan_choice(result).modality == "cbt"
    # Nothing unblocked is offered: the top unblocked candidate, to refer out.
    result = result_for(kb, trauma_origin=True, dissociation="high", offered=["emdr"])
    chosen = plan_choice(result)
    assert not chosen.blocked and not chosen.available
    assert chosen is next(r for r in result.ranked if not r.blocked)


def test_a_blocked_or_unknown_choice_is_refused_with_a_clear_message(kb) -> None:
    result = result_for(kb, trauma_origin=True, acute_suicidality_or_crisis=True)
    with pytest.raises(UserInputError) as blocked:
        compose_plan(kb, result, "exposure", "en")
    message = str(blocked.value)
    assert message.startswith("choose: 'exposure' is blocked for this presentation")
    assert "Acute suicidality or crisis" in message and "\n" not in message
    assert "allowed: " in message and "exposure" not in message.split("allowed: ")[1]
    with pytest.raises(UserInputError, match="'ssri-snri' is not a picker candidate"):
        plan_choice(result, "ssri-snri")
    with pytest.raises(UserInputError, match="lang: 'fr'"):
        compose_plan(kb, result, "cbt", "fr")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_names_the_therapy_the_timing_and_who_to_call(kb, lang) -> None:
    result = result_for(kb, intrusive_imagery=True, offered=["art", "cbt"], dissociation="low")
    plan, rendered = plan_pdf(
        kb, result, profile=CLINIC, options=HandoutOptions(lang=lang), invariant=True
    )
    assert plan.modality == "art" == result.ranked[0].modality
    pages = page_texts(rendered.pdf)
    text = squash(" ".join(pages))
    art = kb.modality("art")
    assert squash(art.display_name(lang)) in text and squash(art.plain_summary.plain(lang)) in text
    for phrase in TIMING[lang]:
        if phrase in EXPOSURE_ONLY[lang]:
            assert squash(phrase) not in text, phrase  # exposure-days: the exposure plan only
        else:
            assert squash(phrase) in text, phrase
    assert squash(load_plan_texts().wording[lang].with_ketamine["art"].text) in text
    assert squash(CLINIC.crisis_text(lang)) in text
    for page in pages:  # the letterhead's numbers on every page, the call box's too
        assert "555-0100" in page and "555-0199" in page
    title = "Su plan de integración" if lang == "es" else "Your integration plan"
    assert rendered.title == f"{title}: ART" and squash(title) in squash(pages[0])
    assert rendered.suggested_name == f"integration-plan-art-{lang}.pdf"
    assert text.count("555-0100") == len(pages) + 1  # letterheads + the call box
    assert (
        squash("Nuestra clínica no ofrece" if lang == "es" else "Our clinic does not") not in text
    )


def test_refer_out_and_large_print(kb) -> None:
    result = result_for(kb, self_criticism_or_parts=True, offered=["cbt"])
    plan, rendered = plan_pdf(
        kb,
        result,
        profile=CLINIC,
        modality="ifs",
        options=HandoutOptions(lang="en", large_print=True),
        invariant=True,
    )
    assert not plan.available
    text = squash(" ".join(page_texts(rendered.pdf)))
    assert squash("Our clinic does not offer this therapy.") in text
    sizes = {round(run.size) for run in body_runs(rendered.pdf)}
    assert min(sizes) >= 18 and rendered.suggested_name.endswith("-large-print.pdf")


# --- the loader ---------------------------------------------------------------------------


@pytest.fixture
def plan_root(tmp_path: Path) -> Path:
    root = tmp_path / "resources"
    shutil.copytree(resources_dir(), root)
    return root


def rewrite(root: Path, change) -> None:
    path = root / PLAN_FILE
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(dumps(raw) + "\n", encoding="utf-8")


def test_the_shipped_plan_texts_cover_the_rules_timing_and_candidates() -> None:
    texts = load_plan_texts()
    for lang in LANGUAGES:
        assert list(texts.wording[lang].timing) == [t.id for t in bundled_rules().timing]
        assert list(texts.wording[lang].with_ketamine) == list(CANDIDATES)


def test_loader_names_file_key_and_problem(plan_root: Path) -> None:
    def break_it(raw: dict) -> None:
        del raw["en"]["timing"]["plasticity-window"]
        raw["en"]["timing"]["when"]["sources"] = ["li-2011"]
        raw["en"]["headings"]["do"] = "What you can do"
        raw["en"]["therapy"] = "Your therapy: {short}"
        raw["es"]["with_ketamine"]["emdr"]["sources"] = ["no-such-ref"]
        raw["es"]["steps"]["items"].append("LLAME AHORA MISMO")
        raw["call_from_handout"] = "nope"

    rewrite(plan_root, break_it)
    with pytest.raises(ContentError) as caught:
        load_plan_texts(plan_root)
    problems = caught.value.problems
    expected = [
        "en.timing.plasticity-window: missing text",
        "en.timing.when.sources: 'li-2011' is not a source of the picker rule's timing",
        "en.headings.do: headings are questions",
        "en.therapy: placeholder {short} is not allowed here (allowed: {name})",
        "es.with_ketamine.emdr.sources: 'no-such-ref' is not in content/references.toml",
        "es.steps.items[6]: 'LLAME AHORA MISMO' is in capitals",
        "call_from_handout: 'nope' is not a handout",
    ]
    for fragment in expected:
        assert any(p.startswith(f"{PLAN_FILE}: {fragment}") for p in problems), fragment


def test_loader_requires_both_languages_to_cite_the_same_sources(plan_root: Path) -> None:
    rewrite(plan_root, lambda raw: raw["es"]["known"][0].update(sources=["kew-2023"]))
    with pytest.raises(ContentError, match=r"es\.known\[0\]\.sources: \['kew-2023'\] where en"):
        load_plan_texts(plan_root)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exposure_timing_is_only_in_the_exposure_plan(kb, lang) -> None:
    # Issue 11: the CBT plan printed an "Exposure work…" bullet. modalities.md §16 (timing):
    # "WET sessions after the first 4 infusions, on non-infusion days" is about exposure.
    exposure_text = load_plan_texts().wording[lang].timing["exposure-days"].text
    result = result_for(kb, dissociation="low")
    for modality in CANDIDATES:
        plan = compose_plan(kb, result, modality, lang)
        texts = [item for block in plan.handout.blocks for item in (block.text, *block.items)]
        assert (exposure_text in texts) == (modality == "exposure"), modality
