"""A resources tree holding the neutral test handouts, for tests of the handout code.

The real PEMAT items, targets, references and printed wording are copied in, so the
tests exercise the shipped rules on texts that do not change under them.
"""

from __future__ import annotations

import io
import re
import shutil
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from kapdesk.content.model import KBVersion
from kapdesk.paths import resources_dir
from kapdesk.profile import ClinicProfile
from tests.tomlwrite import dumps

FIXTURES = Path(__file__).parent / "fixtures" / "handouts"
FIXTURE_IDS = ("after-your-session", "emdr")
COPIED = (
    "handouts/pemat.toml",
    "content/references.toml",
    "documents/handout_strings.toml",
)


def build_handout_root(target: Path) -> Path:
    """Write a resources tree with the fixture handouts under ``target``; return it."""
    real = resources_dir()
    for rel in COPIED:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real / rel, target / rel)
    with (real / "handouts" / "library.toml").open("rb") as fh:
        config = tomllib.load(fh)
    modalities = {entry["id"]: entry["modalities"] for entry in config["handouts"]}
    config["handouts"] = [{"id": hid, "modalities": modalities[hid]} for hid in FIXTURE_IDS]
    (target / "handouts" / "library.toml").write_text(dumps(config) + "\n", encoding="utf-8")
    for lang in ("en", "es"):
        shutil.copytree(FIXTURES / lang, target / "handouts" / lang)
    return target


def use_library_at(root: Path, monkeypatch: pytest.MonkeyPatch):
    """Make the program's handout library (CLI, GUI, renderer) the one under ``root``."""
    from kapdesk.content.handouts import load_library
    from kapdesk.kb.catalog import Catalog

    library = load_library(root)
    monkeypatch.setattr(Catalog, "handouts", property(lambda self: library))
    return library


# --- reading generated PDFs -----------------------------------------------------------------

CLINIC = ClinicProfile(
    clinic_name="Valle Verde Clinic",
    phone="555-0100",
    after_hours="555-0199 (on-call nurse)",
    crisis_text_en="Crisis line: call or text 555-0111 at any hour.",
    crisis_text_es="Línea de crisis: llame o envíe un texto al 555-0111 a cualquier hora.",
)
KB_VERSION = KBVersion("0123456789abcdef", date(2026, 1, 1))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@dataclass(frozen=True)
class Run:
    """One run of text as drawn: its page, font, size and baseline position."""

    page: int
    text: str
    font: str
    size: float
    x: float
    y: float


def text_runs(pdf: bytes) -> list[Run]:
    """Every text run with its effective font size (Tf size × text-matrix scale)."""
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1):

        def visit(text, cm, tm, font, size, number=number) -> None:
            if not text.strip() or font is None:
                return
            scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            runs.append(Run(number, text, str(font.get("/BaseFont")), size * scale, x, y))

        page.extract_text(visitor_text=visit)
    return runs


_LINE = re.compile(rb"([-\d.]+) ([-\d.]+) m ([-\d.]+) ([-\d.]+) l")


def frame_rules(pdf: bytes) -> list[tuple[float, float]]:
    """(letterhead rule y, footer rule y) of each page: the highest and the lowest
    horizontal line drawn across the text width (the letterhead grows, so the body's
    top is read from the page, not from a constant)."""
    from kapdesk.documents.frame import MARGIN

    rules = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        width = float(page.mediabox.width)
        ys = [
            float(y1)
            for x1, y1, x2, y2 in _LINE.findall(page.get_contents().get_data())
            if y1 == y2
            and abs(float(x1) - MARGIN) < 0.5
            and abs(float(x2) - (width - MARGIN)) < 0.5
        ]
        rules.append((max(ys), min(ys)))
    return rules


def body_runs(pdf: bytes) -> list[Run]:
    """Runs between the letterhead rule and the footer rule (the handout's own text)."""
    rules = frame_rules(pdf)
    return [r for r in text_runs(pdf) if rules[r.page - 1][1] < r.y < rules[r.page - 1][0]]


def body_text(pdf: bytes) -> str:
    """The handout's own text across pages, without letterheads and footers, squashed."""
    return squash("".join(run.text for run in body_runs(pdf)))
