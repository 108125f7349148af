"""Session evaluation and the interaction lookup: the issue's vignettes, each traced to
the sheet line it rests on."""

from __future__ import annotations

import pytest

from kapdesk.decide.interactions import check, listing, questions_for_classes, resolve
from kapdesk.decide.interactions import interaction_table as table
from kapdesk.decide.session import evaluate, read_record
from kapdesk.errors import UserInputError


def _esketamine(**extra) -> dict:
    return {"product": "esketamine", "dose_mg": 56, **extra}


def _flag_ids(raw: dict, **kwargs) -> list[str]:
    return [f.id for f in evaluate(read_record(raw), **kwargs).flags]


def test_pre_dose_bp_150_95_gives_the_140_90_flag() -> None:
    # ketamine.md §3.1 "Pre-dose BP elevated (label example >140/90 mmHg) | Flag: weigh
    # risk vs benefit | Spravato"; §6 "Before dosing … if BP is elevated (label example
    # >140/90), weigh the short-term BP rise against benefit".
    raw = _esketamine(readings=[{"minutes": 0, "systolic": 150, "diastolic": 95}])
    result = evaluate(read_record(raw))
    flag = next(f for f in result.flags if f.id == "pre-dose-bp-above-140-90")
    assert "150/95" in flag.message and "spravato-uspi" in flag.sources
    # 138/88 is not above the example: no flag.
    calm = _esketamine(readings=[{"minutes": 0, "systolic": 138, "diastolic": 88}])
    assert "pre-dose-bp-above-140-90" not in _flag_ids(calm)


def test_racemic_pre_dose_above_180_100_flag() -> None:
    # ketamine.md §3.1 "Untreated/poorly controlled hypertension >180/100 mmHg at rest …
    # Hard stop in a non-US (Swiss) ketamine label | Racemic | [R64]".
    raw = {
        "product": "racemic",
        "route": "iv",
        "readings": [{"minutes": 0, "systolic": 185, "diastolic": 95}],
    }
    assert _flag_ids(raw) == ["pre-dose-bp-above-180-100"]
    raw["readings"][0] = {"minutes": 0, "systolic": 150, "diastolic": 95}
    assert _flag_ids(raw) == []


def test_no_reading_near_40_minutes_is_flagged_missing() -> None:
    # ketamine.md §6 "During and after (esketamine): BP at ~40 min after dosing and again
    # before discharge"; scales-monitoring.md §5.1 "40 mins post-administration __/__".
    raw = _esketamine(
        readings=[
            {"minutes": 0, "systolic": 128, "diastolic": 80},
            {"minutes": 120, "systolic": 126, "diastolic": 78},
        ]
    )
    result = evaluate(read_record(raw))
    messages = [f.message for f in result.flags if f.id == "reading-missed"]
    assert messages and messages[0].startswith("40-minute reading missing")
    forty = next(d for d in result.due if d.id == "40-minute")
    assert forty.done is False and forty.state == "missed"
    # A reading at 42 minutes counts as the "about 40 minutes" reading.
    raw["readings"].insert(1, {"minutes": 42, "systolic": 140, "diastolic": 85})
    assert "reading-missed" not in _flag_ids(raw)


def test_esketamine_discharge_at_90_minutes_is_not_ready() -> None:
    # ketamine.md §1.8 "Spravato: at least 2 hours of observation after every dose";
    # §6 "observe ≥2 h"; scales-monitoring.md §5.1 "Patient must be monitored for at
    # least 2 hours".
    ticks = {"clinically-stable": True, "bp-decreasing": True, "no-driving": True}
    readings = [
        {"minutes": 0, "systolic": 128, "diastolic": 80},
        {"minutes": 40, "systolic": 138, "diastolic": 86},
        {"minutes": 88, "systolic": 126, "diastolic": 78},
    ]
    early = _esketamine(
        readings=readings, discharge_minutes=90, escort_present=True, checklist=ticks
    )
    result = evaluate(read_record(early))
    assert result.discharge_ready is False
    assert "discharge-before-2-hours" in [f.id for f in result.flags]
    # The same session discharged at 125 minutes, with a reading just before, is ready.
    on_time = {
        **early,
        "discharge_minutes": 125,
        "readings": [*readings, {"minutes": 122, "systolic": 124, "diastolic": 76}],
    }
    assert evaluate(read_record(on_time)).discharge_ready is True


def test_missing_escort_blocks_discharge() -> None:
    # ketamine.md §6 "Discharge: … patient leaves with an escort and does not drive until
    # the next day after restful sleep. [R1][R2]".
    raw = {
        "product": "racemic",
        "route": "iv",
        "schedule": "iv-yale",
        "readings": [{"minutes": m, "systolic": 125, "diastolic": 80} for m in (0, 10, 20, 30, 40)],
        "escort_present": False,
        "checklist": {"clinically-stable": True, "no-driving": True},
    }
    result = evaluate(read_record(raw))
    assert [f.id for f in result.flags] == ["escort-missing"]
    assert result.discharge_ready is False
    raw["escort_present"] = True
    assert evaluate(read_record(raw)).discharge_ready is True


def test_racemic_iv_15_minute_schedule_gives_its_due_times() -> None:
    # ketamine.md §6 "During and after (IV racemic) — published protocols vary: … at 0,
    # 15, 30, 45, 60, 90 min (Gdańsk) [R48]".
    raw = {
        "product": "racemic",
        "route": "iv",
        "schedule": "iv-gdansk",
        "start_time": "09:00",
        "readings": [{"minutes": 0, "systolic": 120, "diastolic": 80}],
    }
    result = evaluate(read_record(raw))
    timed = [(d.minutes, d.clock) for d in result.due if d.minutes is not None]
    assert timed == [
        (0, "09:00"),
        (15, "09:15"),
        (30, "09:30"),
        (45, "09:45"),
        (60, "10:00"),
        (90, "10:30"),
    ]
    assert result.next_due is not None and result.next_due.minutes == 15


def test_emory_schedule_every_10_during_and_15_after() -> None:
    # ketamine.md §1.8 "one academic protocol checked BP every 10 min during and every 15
    # min after" (infusion typically 40 minutes) [R12][R46].
    raw = {"product": "racemic", "route": "iv", "schedule": "iv-emory", "discharge_minutes": 90}
    minutes = [d.minutes for d in evaluate(read_record(raw)).due]
    assert minutes == [0, 10, 20, 30, 40, 55, 70, 85, 90]


def test_due_state_follows_the_clock() -> None:
    raw = {
        "product": "esketamine",
        "readings": [{"minutes": 0, "systolic": 120, "diastolic": 80}],
    }
    record = read_record(raw)
    assert evaluate(record, now=20).next_due.state == "upcoming"
    assert evaluate(record, now=35).next_due.state == "due"
    late = evaluate(record, now=55)
    assert late.next_due.id == "40-minute" and late.next_due.state == "late"


def test_mg_per_kg_is_shown_with_a_weight() -> None:
    raw = {"product": "racemic", "route": "iv", "dose_mg": 35, "weight_kg": 70}
    assert evaluate(read_record(raw)).mg_per_kg == 0.5


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"readings": [{"minutes": 0, "systolic": 400, "diastolic": 20}]}, "readings[0].systolic"),
        ({"readings": [{"minutes": 0, "systolic": 90, "diastolic": 120}]}, "readings[0].diastolic"),
        ({"readings": [{"minutes": -5, "systolic": 120, "diastolic": 80}]}, "readings[0].minutes"),
        ({"readings": [{"minutes": 0, "spo2": 120}]}, "readings[0].spo2"),
        ({"pulse": 80}, "pulse"),
        ({"product": "esketamine", "dose_mg": 35}, "dose_mg"),
        ({"product": "esketamine", "schedule": "iv-emory"}, "schedule"),
        ({"observations": {"sedation": "mild"}}, "observations.sedation"),
    ],
)
def test_bad_input_names_the_field(raw: dict, field: str) -> None:
    with pytest.raises(UserInputError) as error:
        read_record(raw)
    message = str(error.value)
    assert message.startswith(f"{field}:") and "\n" not in message


def test_the_28_mg_esketamine_dose_for_adults_65_and_over_is_recorded() -> None:
    # ketamine.md §2 (line 57): adults ≥65 start at 28 mg, then 28, 56 or 84 mg [R1].
    assert read_record({"product": "esketamine", "dose_mg": 28}).dose_mg == 28


# --- interactions --------------------------------------------------------------------------


def _levels(name: str, product: str | None = None) -> set[tuple[str, str]]:
    return {(m.drug_class, m.level) for m in check([name], product).matches}


def test_benzodiazepine_monitor_closely_for_both_products() -> None:
    # scales-monitoring.md §6: "CNS depressants (e.g., benzodiazepines …) | Spravato |
    # … 'Closely monitor for sedation' | B" and "Benzodiazepines, opioid analgesics, other
    # CNS depressants | Ketalar | … | B (monitor)". The issue's vignette drug, lorazepam,
    # is not named in any sheet, so diazepam (ketamine.md §3.7, "diazepam-equivalent")
    # stands in and lorazepam is reported as not in the list rather than guessed.
    result = check(["Diazepam"])
    benzo = [m for m in result.matches if m.drug_class == "benzodiazepines"]
    assert {p for m in benzo if m.level == "monitor-closely" for p in m.products} == {
        "esketamine",
        "racemic",
    }
    assert check(["lorazepam"]).unknown == ("lorazepam",)


def test_psychostimulants_by_name_and_prefix() -> None:
    # scales-monitoring.md §6 "Psychostimulants (amphetamines, methylphenidate, modafinil,
    # armodafinil) | Spravato | 'may increase blood pressure' | 'Closely monitor blood
    # pressure' | B". The brand name Adderall is in no sheet, so it is not guessed.
    assert _levels("amphetamine", "esketamine") == {("psychostimulants", "monitor-closely")}
    assert {m.drug for m in check(["METHYLPHEN"]).matches} == {"methylphenidate"}
    assert check(["Adderall"]).unknown == ("Adderall",)


def test_aminophylline_with_racemic_do_not_coadminister() -> None:
    # ketamine.md §3.7 "Theophylline / aminophylline: do not co-administer with Ketalar";
    # scales-monitoring.md §6 "'Do not co-administer with ketamine hydrochloride' | A".
    assert _levels("aminophylline", "racemic") == {("theophyllines", "do-not-coadminister")}
    assert _levels("aminoph", "racemic") == {("theophyllines", "do-not-coadminister")}
    # Not in any esketamine label retrieved: listed for racemic only.
    result = check(["aminophylline"], "esketamine")
    assert not result.matches and result.other_product[0].products == ("racemic",)


def test_lithium_no_significant_interaction_reported() -> None:
    # ketamine.md §3.7 "Lithium: no significant interaction reported. [R52] MA".
    assert _levels("Lithium") == {("lithium", "no-interaction-reported")}
    # One match per drug and class, however the name is written.
    assert len(check(["lithium"]).matches) == len(check(["Lithium"]).matches) == 1


def test_ibuprofen_is_not_in_the_list_and_the_scope_is_stated() -> None:
    result = check(["ibuprofen"])
    assert result.unknown == ("ibuprofen",) and not result.matches
    data = result.to_dict()
    assert data["unknown_text"] == "not in kapdesk's list"
    assert "not a general drug-interaction checker" in data["scope"]


def test_accents_and_case_do_not_matter() -> None:
    assert resolve("TRANYLCYPROMINÉ", table()) == [("tranylcypromine", "maois")]
    assert resolve("Théophylline", table()) == [("theophylline", "theophyllines")]
    # Too short a prefix matches nothing rather than everything.
    assert resolve("am", table()) == []


def test_listing_has_every_class_and_the_scope() -> None:
    data = listing()
    assert {row["class"] for row in data["table"]} == {c.id for c in table().classes}
    assert "ketamine-specific" in data["scope"]
    esketamine_only = listing("esketamine")
    assert "theophyllines" not in {row["class"] for row in esketamine_only["table"]}


def test_drug_names_answer_eligibility_medication_questions() -> None:
    found = check(["diazepam", "modafinil", "aminophylline"]).classes
    assert questions_for_classes(found) == ["benzodiazepines", "psychostimulants", "theophylline"]


def test_session_carries_the_interactions_of_its_medications() -> None:
    raw = {"product": "esketamine", "medications": ["psychostimulants", "ibuprofen"]}
    result = evaluate(read_record(raw))
    assert [m.level for m in result.interactions.matches] == ["monitor-closely"]
    assert result.to_dict()["unknown_medications"] == ["ibuprofen"]


@pytest.mark.parametrize("name", ["clarithromycin", "rifampin"])
def test_cyp3a4_drugs_are_not_placed_in_a_class_by_inference(name: str) -> None:
    # scales-monitoring.md §7 (line 457): the esketamine clarithromycin/rifampin row is
    # UNVERIFIED; lines 461–462 name no drug for racemic ketamine's CYP3A4 sentences, and
    # line 468 forbids applying them by inference. So the name is not in kapdesk's list.
    for product in ("esketamine", "racemic"):
        result = check([name], product)
        assert not result.matches and result.unknown == (name,)
