"""The CLI contract: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kapdesk import __version__
from kapdesk.cli import main
from kapdesk.content.model import MODALITY_IDS
from tests.cli.harness import call as run


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"kapdesk {__version__}"


def test_modalities_json(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "modalities", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == list(MODALITY_IDS)
    assert all(set(r) >= {"id", "name"} for r in rows)


def test_search_json_shape(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "search", "Spravato", "--limit", "5", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["query"] == "Spravato"
    assert 1 <= len(doc["results"]) <= 5
    first = doc["results"][0]
    assert set(first) == {"id", "kind", "title", "snippet", "score"}
    assert first["id"] == "esketamine" and first["kind"] == "modality"


def test_show_json_has_references_and_version(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "show", "emdr", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["id"] == "emdr" and doc["kb_version"]
    assert doc["references"] and all(r["full"] for r in doc["references"])


def test_show_text(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "show", "esketamine")
    assert code == 0 and "References" in out and "Evidence strength" in out


def test_show_pdf(capsys, data_dir: Path, tmp_path: Path) -> None:
    out_pdf = tmp_path / "s.pdf"
    code, _, _ = run(capsys, data_dir, "show", "ect", "--pdf", str(out_pdf), "--note", "<b>hi</b>")
    assert code == 0 and out_pdf.read_bytes().startswith(b"%PDF")


def test_kb_info_json(capsys, data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "kb", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["modalities"] == 16 and info["references"] > 100
    assert set(info) >= {"path", "version", "content_hash", "reviewed", "statements"}


def test_kb_build_and_verify(capsys, tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    code, out, _ = run(capsys, data, "kb", "build")
    assert code == 0 and out.startswith("Built knowledge base")
    code, out, _ = run(capsys, data, "kb", "build")
    assert code == 0 and out.startswith("Up to date")
    code, out, _ = run(capsys, data, "kb", "verify")
    assert code == 0 and out.startswith("OK: 16 modalities")


def test_kb_verify_reports_problems_with_exit_2(
    capsys, data_dir: Path, monkeypatch, tmp_path
) -> None:
    import shutil

    from kapdesk import paths

    root = tmp_path / "res"
    shutil.copytree(paths.resources_dir(), root)
    target = root / "content" / "modalities" / "art.toml"
    target.write_text(
        target.read_text(encoding="utf-8").replace('evidence = "rct"', 'evidence = "hearsay"', 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "resources_dir", lambda: root)
    code, _, err = run(capsys, data_dir, "kb", "verify")
    assert code == 2
    assert "modalities/art.toml:" in err and "'hearsay' is not an evidence type" in err


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["show", "nope"], "modality: 'nope' is not known; valid ids: ketamine-iv"),
        (["search", "x", "--limit", "0"], "0 is outside 1–200"),
        (["search", "x", "--limit", "many"], "'many' is not a whole number"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["show", "emdr", "--pdf", "/tmp/x.pdf", "--note", "中"], "note: character '中'"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, data_dir: Path, args, fragment) -> None:
    try:
        code = main(["--data-dir", str(data_dir), *args])
    except SystemExit as exc:  # argparse errors
        code = exc.code
    _, err = capsys.readouterr()
    assert code == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_subprocess_entry_point_never_prints_a_traceback(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kapdesk", "--data-dir", str(data_dir), "show", "nope"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_internal_error_is_one_line_and_logged_without_personal_text(
    capsys, data_dir: Path, monkeypatch
) -> None:
    import kapdesk.kb.store as store

    secret = "note for " + "Jane Doe"  # built at run time: not on a source line

    def boom(*args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr(store.KnowledgeBase, "search", boom)
    code, out, err = run(capsys, data_dir, "search", "ketamine")
    assert code == 1 and out == ""
    assert err.startswith("kapdesk: internal error: RuntimeError") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    log = (data_dir / "kapdesk.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "Jane Doe" not in log


def test_broken_pipe_exits_quietly(data_dir: Path) -> None:
    producer = subprocess.Popen(
        [sys.executable, "-m", "kapdesk", "--data-dir", str(data_dir), "show", "ketamine-iv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert producer.stdout is not None
    producer.stdout.read(10)
    producer.stdout.close()
    _, err = producer.communicate()
    assert producer.returncode == 0 and b"Traceback" not in err and b"Exception ignored" not in err


def test_kb_verify_checks_the_rules_files_too(
    capsys, data_dir: Path, monkeypatch, tmp_path
) -> None:
    import shutil

    from kapdesk import paths

    root = tmp_path / "res"
    shutil.copytree(paths.resources_dir(), root)
    target = root / "rules" / "eligibility.toml"
    target.write_text(target.read_text(encoding="utf-8") + "\n[[[broken\n", encoding="utf-8")
    for module in ("kapdesk.paths", "kapdesk.content.modalities", "kapdesk.content.eligibility"):
        monkeypatch.setattr(f"{module}.resources_dir", lambda: root, raising=False)
    code, _, err = run(capsys, data_dir, "kb", "verify")
    assert code == 2 and "eligibility.toml: (file): not valid TOML" in err
