"""`kapdesk handout`: list, one PDF or one per topic, exit 2 on bad input, and no trace of
the patient anywhere but the PDF asked for."""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.harness import call
from tests.handout_fixtures import body_text, build_handout_root, squash, use_library_at


@pytest.fixture
def fixtures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return use_library_at(build_handout_root(tmp_path / "resources"), monkeypatch)


def run(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:
    return call(capsys, data_dir, "handout", *args)


def test_list_json_shape_for_the_shipped_library(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 10 and rows[0]["id"] == "what-is-kap"
    for row in rows:
        assert set(row) >= {"id", "title", "languages", "readability", "pemat"}
        assert row["languages"] == ["en", "es"]
        assert row["readability"]["en"]["metric"] == "flesch_kincaid_grade"
        assert row["readability"]["es"]["metric"] == "fernandez_huerta"
        assert 0 <= row["pemat"]["es"]["actionability"] <= 100


def test_list_text(capsys, data_dir: Path, fixtures) -> None:
    code, out, _ = run(capsys, data_dir, "list")
    lines = out.splitlines()
    assert code == 0 and [line.split()[0] for line in lines] == ["after-your-session", "emdr"]
    assert "Flesch–Kincaid grade" in lines[0] and "Fernández-Huerta" in lines[0]
    assert "PEMAT-P understandable 92%, actionable 80%" in lines[0]


def test_out_bundles_every_topic_into_one_pdf(
    capsys, data_dir: Path, fixtures, tmp_path: Path
) -> None:
    target = tmp_path / "bundle.pdf"
    code, _, err = run(
        capsys, data_dir, "emdr", "after-your-session", "--lang", "es", "--large-print",
        "--appointment", "Martes 10:00", "--out", str(target),
    )  # fmt: skip
    assert code == 0 and f"Wrote {target}" in err
    reader = PdfReader(target)
    first = squash(reader.pages[0].extract_text())
    assert squash("¿Qué hay en este paquete?") in first
    assert squash("Su próxima cita: Martes 10:00") in first
    assert "large print" in reader.metadata["/Keywords"]


def test_out_dir_writes_one_pdf_per_topic(capsys, data_dir: Path, fixtures, tmp_path: Path) -> None:
    out_dir = tmp_path / "new" / "dir"
    code, _, err = run(capsys, data_dir, "emdr", "after-your-session", "--out-dir", str(out_dir))
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "after-your-session-en.pdf",
        "emdr-en.pdf",
    ]
    assert err.count("Wrote") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nope", "--out", "x.pdf"],
            "topic: 'nope' is not a handout; valid topics: after-your-session, emdr",
        ),
        (
            ["emdr", "--lang", "fr", "--out", "x.pdf"],
            "lang: 'fr' is not a handout language; valid languages: en, es",
        ),
        (["emdr"], "--out: missing; give --out FILE.pdf (one PDF) or --out-dir DIR"),
        (["emdr", "--json", "--out", "x.pdf"], "--json: only `kapdesk handout list --json`"),
        (
            ["emdr", "--note", "abc中文", "--out", "x.pdf"],
            "note: character '中' (U+4E2D) at position 4 cannot be printed",
        ),
        (["emdr", "--patient", "x" * 5001, "--out", "x.pdf"], "patient: 5001 characters"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys, data_dir: Path, fixtures, tmp_path: Path, monkeypatch, args, message
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, data_dir, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert not (tmp_path / "x.pdf").exists()


def test_out_and_out_dir_are_exclusive(capsys, data_dir: Path) -> None:
    with pytest.raises(SystemExit) as info:
        run(capsys, data_dir, "emdr", "--out", "a.pdf", "--out-dir", "d")
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_unwritable_target_is_bad_input(capsys, data_dir: Path, fixtures, tmp_path) -> None:
    code, _, err = run(capsys, data_dir, "emdr", "--out", str(tmp_path / "no" / "x.pdf"))
    assert code == 2 and "--out: cannot write" in err


def test_hostile_note_prints_literally(capsys, data_dir: Path, fixtures, tmp_path) -> None:
    note = '<b>bold?</b> &amp; <img src="/etc/passwd"/> "quoted" 😀'
    target = tmp_path / "h.pdf"
    code, _, _ = run(capsys, data_dir, "emdr", "--note", note, "--patient", "<i>Al</i>",
                     "--out", str(target))  # fmt: skip
    assert code == 0
    text = body_text(target.read_bytes())
    assert squash(note) in text and squash("For: <i>Al</i>") in text


def _traces(root: Path, needles: list[bytes], since: float, skip: set[Path]) -> list[str]:
    """Files under ``root`` changed since ``since`` whose name or bytes hold a needle."""
    found = []
    for folder, _, files in os.walk(root, onerror=lambda _: None):
        for name in files:
            path = Path(folder, name)
            try:
                if path in skip or path.stat().st_mtime < since - 1:
                    continue
                if path.stat().st_size > 50_000_000:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if any(n in data or n in name.encode() for n in needles):
                found.append(str(path))
    return found


def test_patient_name_and_note_leave_no_trace(
    capsys, data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    """Only the requested PDF holds them: not the data directory, not the temp dir."""
    system_temp = Path(tempfile.gettempdir())
    private_temp = tmp_path / "tmp"
    private_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_temp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_temp))
    marker = uuid.uuid4().hex[:12]
    name, note = f"Zyqa Privacy{marker}", f"Secret note {marker}"
    target = tmp_path / "out" / "handout.pdf"
    target.parent.mkdir()
    started = time.time()
    code, out, err = run(
        capsys, data_dir, "after-your-session", "--patient", name, "--note", note,
        "--out", str(target),
    )  # fmt: skip
    assert code == 0
    assert marker not in out + err
    assert marker in squash(PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text())
    needles = [
        text.encode(encoding)
        for text in (marker, name, note)
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    ]
    assert _traces(data_dir, needles, started, set()) == []
    assert list(private_temp.iterdir()) == []
    assert _traces(system_temp, needles, started, {target}) == []
