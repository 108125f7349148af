"""The Spanish medical glossary: the data, the pure check and the shipped Spanish texts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kapdesk.content.glossary import (
    check_spanish,
    load_glossary,
    parse_glossary,
    spanish_texts,
)
from kapdesk.content.kinds import check_resources, verify_glossary
from kapdesk.errors import ContentError
from kapdesk.paths import resources_dir

TERMS = load_glossary()


def by_en(fragment: str):
    return next(t for t in TERMS if fragment in t.en)


def test_the_issue_terms_are_seeded_with_one_rendering_each() -> None:
    # Issue 11, "Spanish": every term named there, and the terms the handouts share.
    expected = {
        "aneurysm": "aneurisma (una arteria dilatada o abultada)",
        "arteriovenous malformation": "malformación arteriovenosa",
        "off-label": "fuera de indicación",
        "infusion": "infusión",
        "nasal spray": "aerosol nasal",
        "blood pressure": "presión arterial",
        "dissociation": "disociación",
        "session": "sesión",
        "integration": "integración",
        "spray (one actuation": "pulverización",
        "escort": "un adulto que le lleve a casa",
    }
    for en, es in expected.items():
        assert by_en(en).es == es, en
    ens = [t.en for t in TERMS]
    assert len(ens) == len(set(ens))
    for variant in ("vaso sanguíneo inflamado", "vaso de sangre", "disparos", "suman sueño",
                    "suma riesgos", "hace más lenta su atención", "cambian la dosis",
                    "fuera de lo aprobado", "estadía", "con permiso", "se desmayó menos de",
                    "vendedores", "lo puede despertar", "tenga permiso", "sumar la terapia",
                    "le mira"):  # fmt: skip
        assert any(variant in t.forbidden for t in TERMS), variant


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Tiene un vaso sanguíneo inflamado en el cerebro.", "vaso sanguíneo inflamado"),
        ("Es un Vaso de Sangre dilatado.", "Vaso de Sangre"),
        ("Cada aparato da 2 disparos.", "disparos"),
        ("Las benzodiacepinas suman sueño.", "suman sueño"),
        ("La ketamina se usa fuera de lo aprobado.", "fuera de lo aprobado"),
        ("Nadie lo puede despertar.", "lo puede despertar"),
        ("Unas 3 o 4 de cada 1,000 personas.", "1,000"),
        ("No reemplaza una estadía en el hospital.", "estadía"),
        # The usted-object "lo" forms the literal list missed (audit handouts-spanish.md
        # items 1-9, glossary.toml "you (usted) as the object of a verb").
        ("Un adulto lo debe llevar a casa.", "adulto lo debe llevar"),
        ("La clínica lo inscribe en el programa.", "lo inscribe"),
        ("La meta es usar las menos dosis que lo mantengan bien.", "que lo mantengan bien"),
        ("Algunas partes tratan de protegerlo.", "tratan de protegerlo"),
        ("Su terapeuta no debe llevarlo hacia recuerdos.", "llevarlo hacia"),
        ("Su equipo de salud lo puede enviar a un terapeuta.", "equipo de salud lo puede enviar"),
        ("Es sentirse separado de lo que lo rodea.", "lo que lo rodea"),
        ("El personal le mira todo el tiempo.", "le mira"),  # audit item 19
        ("Una clínica que tenga permiso del programa.", "tenga permiso"),  # audit item 10
        ("No halló mejora al sumar la terapia.", "sumar la terapia"),  # audit item 11
        # The same forms in the modality texts (content/modalities/*.toml plain_es).
        ("Otra persona debe llevarlo a casa.", "debe llevarlo a casa"),
        ("No hay personal de la clínica para vigilarlo.", "vigilarlo"),
        ("Algunas partes tratan de cuidarlo.", "cuidarlo"),
        ("Algunas partes lo protegen.", "partes lo protegen"),
        ("Cambia ideas y hábitos que lo frenan.", "hábitos que lo frenan"),
        ("No está claro si sumar terapia ayuda.", "sumar terapia"),
    ],
)
def test_a_forbidden_variant_is_found_and_named(text: str, found: str) -> None:
    problems = check_spanish([("handouts/es/x.toml: blocks[3].text", text)], TERMS)
    assert len(problems) == 1
    where, message = problems[0]
    assert where == "handouts/es/x.toml: blocks[3].text"
    assert message.startswith(f"'{found}' is a forbidden variant") and "; use '" in message


@pytest.mark.parametrize(
    "text",
    [
        "Un aneurisma (una arteria dilatada o abultada) es un riesgo.",
        "Es un nudo de vasos sanguíneos.",  # "vasos sanguíneos" is not "vasos de sangre"
        "Duró 1,5 días.",  # a decimal comma is not a thousands separator
        "Unas 3 o 4 de cada 1000 personas.",
        "Nunca se lo lleva a casa.",  # "lo" is the spray here, not the patient
        "No lo puede llevar a casa.",  # the spray again
        "Su equipo puede ponerlo en días en que usted no recibe una dosis.",  # exposure work
        "La etiqueta de la ketamina también lo dice.",
        "Un adulto le debe llevar a casa. La clínica le inscribe en el programa.",
        "Es sentirse separado de lo que le rodea. El personal le vigila.",
        "Varias sesiones de integración.",
        "Es un miedo fuerte a que los demás lo juzguen.",  # a person in general, not usted
    ],
)
def test_correct_spanish_passes(text: str) -> None:
    assert check_spanish([("x", text)], TERMS) == []


def test_every_shipped_spanish_text_follows_the_glossary() -> None:
    problems, parts = check_resources()
    texts = spanish_texts(parts, resources_dir())
    wheres = " ".join(f"{file}: {key}" for file, key, _ in texts)
    for part in ("handouts/es/", "plain_es", "grid_es", "name_es", "integration_plan.toml: es",
                 "comparison.toml: es", "labels.toml"):  # fmt: skip
        assert part in wheres, part
    assert check_spanish([((f, k), t) for f, k, t in texts], TERMS) == []
    assert not problems.items


def test_verify_reports_a_forbidden_variant_with_its_file_and_key(tmp_path: Path) -> None:
    root = tmp_path / "resources"
    shutil.copytree(resources_dir(), root)
    handout = root / "handouts" / "es" / "esketamine-spravato.toml"
    text = handout.read_text(encoding="utf-8")
    handout.write_text(text.replace("es un aerosol para la nariz", "da disparos", 1), "utf-8")
    problems = verify_glossary(root)
    assert problems and all(
        p.startswith("handouts/es/esketamine-spravato.toml: ") for p in problems
    )
    assert "'disparos' is a forbidden variant of 'spray" in problems[0]
    # The content step itself fails, so `kb build` and `kb verify` refuse the text.
    found, _ = check_resources(root)
    assert any("is a forbidden variant" in item for item in found.items)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"term": [{"en": "x", "es": "y"}]}, "term[0]: needs forbidden variants or patterns"),
        ({"term": [{"en": "x", "es": "y", "forbidden": ["y"]}]}, "part of the rendering"),
        ({"term": [{"en": "x", "es": "y", "patterns": ["("]}]}, "not a regular expression"),
        ({"term": [{"es": "y", "forbidden": ["z"], "colour": 1}]}, "term[0].colour: unknown"),
        ({}, "term: must be a non-empty array"),
    ],
)
def test_glossary_mistakes_are_named(raw, expected: str) -> None:
    with pytest.raises(ContentError) as info:
        parse_glossary(raw)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert all(p.startswith("glossary.toml: ") for p in info.value.problems)
