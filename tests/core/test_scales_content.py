"""The scales loader: the shipped files are valid and verbatim; every mistake is reported."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from kapdesk.content.problems import Problems
from kapdesk.content.scales import ScaleLibrary, load_scales
from kapdesk.paths import resources_dir


def references(root: Path) -> set[str]:
    with (root / "content" / "references.toml").open("rb") as fh:
        return set(tomllib.load(fh))


def load(root: Path) -> tuple[ScaleLibrary | None, list[str]]:
    problems = Problems()
    library = load_scales(root, problems, references(root))
    return library, problems.items


@pytest.fixture(scope="module")
def library() -> ScaleLibrary:
    lib, problems = load(resources_dir())
    assert problems == []
    assert lib is not None
    return lib


# --- the shipped text is the sheet's ------------------------------------------------------

# scales-monitoring.md §1.6, "Verbatim text from S6", items 1–9.
SPANISH_PHQ9_ITEMS = (
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con "
    "usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario – muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
)


def test_spanish_phq9_items_equal_the_sheet(library: ScaleLibrary) -> None:
    spanish = library.scales["phq9"].texts["es"]
    assert spanish.items == SPANISH_PHQ9_ITEMS
    # §1.6 Options: "Ningún día" 0, "Varios días" 1, "Más de la mitad de los días" 2,
    # "Casi todos los días" 3; Stem without the garbled tick-glyph line.
    assert spanish.options == (
        "Ningún día",
        "Varios días",
        "Más de la mitad de los días",
        "Casi todos los días",
    )
    assert spanish.instruction == (
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
        "siguientes problemas?"
    )
    assert "S6" in spanish.provenance and "phq9-spanish-form" in spanish.sources


def test_gad7_option_zero_reads_not_at_all(library: ScaleLibrary) -> None:
    # §2.1 Zorowitz 2021: the lowest option must read "Not at all", never "Not at all sure".
    assert library.scales["gad7"].texts["en"].options[0] == "Not at all"


def test_phq9_item_9_english_is_the_camcops_string(library: ScaleLibrary) -> None:
    # §1.1 table, item 9 (S1); the comma variant of S52 is not used.
    item9 = library.scales["phq9"].texts["en"].items[8]
    assert item9 == "Thoughts that you would be better off dead or of hurting yourself in some way"


def test_unverified_texts_are_not_shipped(library: ScaleLibrary) -> None:
    # §2.3 (no Spanish GAD-7), §3.5 (no Spanish PCL-5), §5.3/§7 (CADSS, MADRS, MOAA/S, RASS).
    assert library.scales["gad7"].languages == ("en",)
    assert library.scales["pcl5"].languages == ("en",)
    assert library.scales["gad2"].languages == ("en",)
    assert set(library.scales) == {"phq9", "gad7", "pcl5", "phq2", "gad2"}
    assert {n.id for n in library.not_shipped} == {"cadss", "madrs", "moaas", "rass"}
    for entry in library.not_shipped:
        assert entry.status == "not shipped: permission required" and entry.reason
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in (resources_dir() / "scales").glob("*.toml")
    )
    for unverified in ("Se ha sentido nervioso", "Nunca", "Tener problemas para recordar"):
        assert unverified not in text


def test_pcl5_clusters_and_rule(library: ScaleLibrary) -> None:
    # §3.2: B items 1–5, C 6–7, D 8–14, E 15–20; §3.3: at least 1 B, 1 C, 2 D, 2 E at ≥ 2.
    pcl5 = library.scales["pcl5"]
    assert [(c.id, c.first, c.last, c.need) for c in pcl5.clusters] == [
        ("B", 1, 5, 1),
        ("C", 6, 7, 1),
        ("D", 8, 14, 2),
        ("E", 15, 20, 2),
    ]
    assert pcl5.provisional is not None and pcl5.provisional.endorsed_at == 2
    assert pcl5.item_count == 20 and pcl5.max_total == 80
    assert pcl5.texts["en"].options == (
        "Not at all",
        "A little bit",
        "Moderately",
        "Quite a bit",
        "Extremely",
    )


def test_derived_scales_take_their_parents_first_two_items(library: ScaleLibrary) -> None:
    # §1.7: PHQ-2 = PHQ-9 items 1 and 2; §2.4: GAD-2 = GAD-7 items 1 and 2; totals 0–6.
    for child, parent in (("phq2", "phq9"), ("gad2", "gad7")):
        scale = library.scales[child]
        assert scale.parent == parent and scale.max_total == 6
        for lang, text in scale.texts.items():
            assert text.items == library.scales[parent].texts[lang].items[:2]


def test_every_statement_is_sourced(library: ScaleLibrary) -> None:
    for scale in library.scales.values():
        assert scale.scoring.sources and scale.licence.sources and scale.licence.statement
        for part in (*scale.cutoffs, *scale.item_flags):
            assert part.sources and part.evidence
        for text in scale.texts.values():
            assert text.provenance and text.sources
    assert library.source_ids()


# --- mistakes are reported as file: key: message ------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    shutil.copy(resources_dir() / "content" / "references.toml", tmp_path / "content")
    shutil.copytree(resources_dir() / "scales", tmp_path / "scales")
    return tmp_path


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "scales" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def broken(root: Path) -> list[str]:
    library, problems = load(root)
    assert library is None
    return problems


def test_copied_files_load(root: Path) -> None:
    library, problems = load(root)
    assert problems == [] and library is not None


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("phq9.toml", 'id = "phq9"', 'id = "phq-9"', "scales/phq9.toml: id: 'phq-9' must equal"),
        (
            "gad7.toml",
            '"Not at all", "Several',
            '"Several',
            "scales/gad7.toml: lang.en.options: 3 options for 4 scores",
        ),
        (
            "phq9.toml",
            "low = 10\nhigh = 14",
            "low = 11\nhigh = 14",
            "scales/phq9.toml: band.11.low: bands must run on without gaps: expected 10",
        ),
        (
            "phq9.toml",
            "low = 20\nhigh = 27",
            "low = 20\nhigh = 26",
            "scales/phq9.toml: band.20.high: the last band must end at 27",
        ),
        (
            "phq9.toml",
            'sources = ["kroenke-2001"]\nevidence = "observational"',
            'sources = ["kroenke-2099"]\nevidence = "observational"',
            "scales/phq9.toml: cutoff.phq9-cutoff-10.sources: 'kroenke-2099' is not in",
        ),
        (
            "phq9.toml",
            "item = 9\nfrom = 1",
            "item = 10\nfrom = 1",
            "scales/phq9.toml: item_flag.phq9-item9-positive.item: 10 is outside 1–9",
        ),
        (
            "phq9.toml",
            "was answered “{answer}”. Any",
            "was answered “{answr}”. Any",
            "scales/phq9.toml: item_flag.phq9-item9-positive.text: placeholder {answr}",
        ),
        (
            "pcl5.toml",
            'id = "C"\nlabel = "avoidance"\nfirst = 6',
            'id = "C"\nlabel = "avoidance"\nfirst = 7',
            "scales/pcl5.toml: cluster.C.first: clusters must cover the items in order",
        ),
        (
            "pcl5.toml",
            'evidence = "meta-analysis"',
            'evidence = "consensus"',
            "scales/pcl5.toml: cutoff.pcl5-cutoff-31-33.evidence: 'consensus' is not an "
            "evidence type",
        ),
        (
            "gad7.toml",
            'languages = ["en"]',
            'languages = ["en", "es"]',
            "scales/gad7.toml: lang.es: missing: every listed language needs its text",
        ),
        (
            "phq9.toml",
            '    "Poco interés o placer en hacer cosas",\n',
            "",
            "scales/phq9.toml: lang: languages give different numbers of items: en 9, es 8",
        ),
        (
            "phq2.toml",
            "items = [1, 2]",
            "items = [1, 12]",
            "scales/phq2.toml: items: must be a list of PHQ-9 item numbers",
        ),
        (
            "phq9.toml",
            "reviewed = 2026-12-07",
            "reviewed = 2999-01-01",
            "scales/phq9.toml: reviewed: 2999-01-01 is in the future",
        ),
        (
            "not_shipped.toml",
            'status = "not shipped: permission required"\nreason = "© RCPsych',
            'status = "shipped"\nreason = "© RCPsych',
            "scales/not_shipped.toml: scale.madrs.status: must say why it is not shipped",
        ),
        (
            "not_shipped.toml",
            'id = "rass"',
            'id = "pcl5"',
            "scales/not_shipped.toml: scale.pcl5.id: a shipped scale cannot be listed",
        ),
        (
            "forms.toml",
            'item_number = "N.º"',
            'item_numbr = "N.º"',
            "scales/forms.toml: es.item_numbr: unknown key",
        ),
        (
            "pcl5.toml",
            "[licence]",
            "[licence]\ncolour = 1",
            "scales/pcl5.toml: licence.colour: unknown key",
        ),
    ],
)
def test_mistakes_are_reported(root: Path, name: str, old: str, new: str, expected: str) -> None:
    edit(root, name, old, new)
    problems = broken(root)
    assert any(p.startswith(expected) for p in problems), problems


def test_stray_file_and_bad_toml_are_reported(root: Path) -> None:
    (root / "scales" / "madrs.toml").write_text('id = "madrs"\n', encoding="utf-8")
    (root / "scales" / "gad2.toml").write_text("id = \n", encoding="utf-8")
    problems = broken(root)
    assert any(p.startswith("scales/madrs.toml: (file): not a scales file") for p in problems)
    assert any(p.startswith("scales/gad2.toml: (file): not valid TOML") for p in problems)


def test_every_problem_of_a_run_is_reported_together(root: Path) -> None:
    edit(root, "phq9.toml", 'id = "phq9"', 'id = "x"')
    edit(root, "gad7.toml", 'short_name = "GAD-7"', 'short_name = ""')
    problems = broken(root)
    assert any(p.startswith("scales/phq9.toml: id:") for p in problems)
    assert any(p.startswith("scales/gad7.toml: short_name:") for p in problems)


def test_knowledge_base_holds_the_same_scales(kb, library: ScaleLibrary) -> None:
    # Compiled into the knowledge base as JSON and decoded back to the same dataclasses.
    assert kb.catalog.scales == library
    assert kb.catalog.scales.scales["phq9"].band_for(10).label == "Moderate"
