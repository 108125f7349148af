"""Details typed for one clinician record or plan (identifiers, screener, vitals time,
therapist, session dates) reach only the PDF asked for: nothing else on disk."""

from __future__ import annotations

import io
import json
import tempfile
import time
import uuid
from pathlib import Path

from pypdf import PdfReader

from kapdesk.cli import main
from tests.cli.test_handout_cli import _traces
from tests.handout_fixtures import squash

ANSWERS = {"route": "iv", "weight_kg": 70, "systolic_bp": 150, "diastolic_bp": 90}


def test_typed_details_leave_no_trace(capsys, data_dir: Path, tmp_path: Path, monkeypatch):
    private_temp = tmp_path / "tmp"
    private_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_temp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_temp))
    marker = uuid.uuid4().hex[:12]
    typed = {
        "--patient": f"Zyqa {marker}",
        "--dob": f"DOB{marker}",
        "--record": f"MRN{marker}",
    }
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    presentation = tmp_path / "presentation.json"
    presentation.write_text(json.dumps({"trauma_origin": True}), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    started = time.time()
    check = [str(answers), "--pdf", str(out / "chart.pdf"), "--screener", f"RN{marker}"]
    check += ["--vitals-time", f"T{marker}", *[a for pair in typed.items() for a in pair]]
    assert main(["--data-dir", str(data_dir), "check", *check]) == 0
    pick = [str(presentation), "--pdf", str(out / "summary.pdf")]
    pick += ["--plan-pdf", str(out / "plan.pdf"), "--therapist", f"Dr{marker}"]
    pick += ["--first-session", f"S{marker}", "--frequency", f"F{marker}"]
    pick += [a for pair in typed.items() for a in pair]
    assert main(["--data-dir", str(data_dir), "pick", *pick]) == 0
    stdout, stderr = capsys.readouterr()
    assert marker not in stdout + stderr
    for name in ("chart.pdf", "summary.pdf", "plan.pdf"):
        pages = PdfReader(io.BytesIO((out / name).read_bytes())).pages
        assert marker in squash(pages[0].extract_text()), name
    texts = [*typed.values(), f"RN{marker}", f"T{marker}", f"Dr{marker}", f"S{marker}"]
    needles = [t.encode(e) for t in (marker, *texts) for e in ("utf-8", "utf-16-le")]
    skip = {out / name for name in ("chart.pdf", "summary.pdf", "plan.pdf")}
    assert _traces(data_dir, needles, started, set()) == []
    assert _traces(private_temp, needles, started, skip) == []
