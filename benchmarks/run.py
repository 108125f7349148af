"""Performance figures for kapdesk, printed as one JSON document.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run.py [--runs N]

Measures, in one run on this machine:
- startup: median wall time and peak RSS of ``kapdesk gui --quit-after-show`` and of a
  bare PySide6 window doing the same, and their ratios (targets: ≤ 1.5 and ≤ 1.6);
- search latency p50/p95 over a fixed list of queries, on the shipped knowledge base
  (target p95 ≤ 5 ms) and on a synthetic one of 100,000 documents (≤ 30 ms);
- the knowledge-base build time: from scratch (every file validated, every handout and
  plan measured) and a rebuild after a content edit (scores of unchanged texts reused);
- printing a handout: the CLI (`kapdesk handout what-is-kap --out X.pdf`) against a bare
  reportlab script building the same paragraphs in a fresh process, alternated, as a
  ratio (target ≤ 1.5);
- in-process (the GUI's path), a warm handout preview (target ≤ 150 ms) and a warm
  patient comparison sheet (≤ 300 ms).
- rating scales: validating resources/scales/ (what kb build does), scoring a PCL-5
  (p50/p95 per call, what the Scales page does on every key), and laying out a PHQ-9
  summary with a trend.
Timings are figures, never test assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1180, 760)
window.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""

SHIPPED_QUERIES = [
    "ketamine",
    "Spravato",
    "lozenge",
    "trauma",
    "bladder",
    "blood pressure",
    "esk",
    "dep",
    "EMDR",
    "dissociation",
    "off-label",
    "REMS",
    "depresion",
    "ansiedad",
    "memory",
    "insurance",
    "PTSD",
    "panic",
    "CPT",
    "WET",
    "pregnancy",
    "psychosis",
    "k",
    "rtms",
    "sexual dysfunction",
]


def measure_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def startup(runs: int) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory() as data:
        app = [sys.executable, "-m", "kapdesk", "--data-dir", data, "gui", "--quit-after-show"]
        bare = [sys.executable, "-c", BARE_WINDOW]
        measure_process(app, env)  # warm the OS file cache for both
        measure_process(bare, env)
        app_runs, bare_runs = [], []
        for _ in range(runs):  # interleave so that machine noise hits both alike
            app_runs.append(measure_process(app, env))
            bare_runs.append(measure_process(bare, env))
    app_wall = statistics.median(w for w, _ in app_runs)
    bare_wall = statistics.median(w for w, _ in bare_runs)
    app_rss = max(r for _, r in app_runs)
    bare_rss = max(r for _, r in bare_runs)
    return {
        "runs": runs,
        "app_median_s": round(app_wall, 4),
        "bare_median_s": round(bare_wall, 4),
        "ratio": round(app_wall / bare_wall, 3),
        "app_peak_rss_mib": round(app_rss, 1),
        "bare_peak_rss_mib": round(bare_rss, 1),
        "rss_ratio": round(app_rss / bare_rss, 3),
    }


BARE_PRINT = """
import io, json, sys
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate
from xml.sax.saxutils import escape
units, fonts, out = json.load(open(sys.argv[1]))
for name, path in fonts.items():
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(open(path, "rb").read())))
body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=12, leading=16)
head = ParagraphStyle("head", fontName="DejaVuSans-Bold", fontSize=15, leading=19)
story = [Paragraph(escape(u), head if i % 5 == 0 else body) for i, u in enumerate(units)]
SimpleDocTemplate(out, pagesize=letter).build(story)
"""


def printing(data_dir: str, runs: int) -> dict[str, float]:
    """The CLI printing a handout against bare reportlab with the same text, alternated."""
    from kapdesk.kb.catalog import library
    from kapdesk.kb.store import ensure_kb
    from kapdesk.paths import AppPaths, resources_dir

    ensure_kb(AppPaths(Path(data_dir)))[0].close()
    lib = library()
    units = lib.printed_units(lib.get("what-is-kap", "en"))
    fonts = {
        "DejaVuSans": str(resources_dir() / "fonts" / "DejaVuSans.ttf"),
        "DejaVuSans-Bold": str(resources_dir() / "fonts" / "DejaVuSans-Bold.ttf"),
    }
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "units.json"
        spec.write_text(json.dumps([units, fonts, str(Path(tmp) / "bare.pdf")]))
        cli = [sys.executable, "-m", "kapdesk", "--data-dir", data_dir, "handout"]
        cli += ["what-is-kap", "--out", str(Path(tmp) / "cli.pdf")]
        bare = [sys.executable, "-c", BARE_PRINT, str(spec)]
        measure_process(cli, env)
        measure_process(bare, env)
        pairs = [(measure_process(cli, env)[0], measure_process(bare, env)[0]) for _ in range(runs)]
    return {
        "runs": runs,
        "cli_median_s": round(statistics.median(c for c, _ in pairs), 4),
        "bare_reportlab_median_s": round(statistics.median(b for _, b in pairs), 4),
        "pair_ratio_median": round(statistics.median(c / b for c, b in pairs), 3),
    }


def previews(data_dir: str, repeat: int = 10) -> dict[str, float]:
    """Warm in-process renders, as the GUI's worker does them (median of ``repeat``)."""
    from kapdesk.decide.compare import compare
    from kapdesk.documents.comparison import comparison_pdf
    from kapdesk.documents.handout import HandoutOptions, render_handouts
    from kapdesk.kb.catalog import library
    from kapdesk.kb.store import ensure_kb
    from kapdesk.paths import AppPaths
    from kapdesk.profile import ClinicProfile

    kb, _ = ensure_kb(AppPaths(Path(data_dir)))
    profile = ClinicProfile(clinic_name="Valle Verde Clinic", phone="555-0100")

    def handout() -> None:
        render_handouts(
            library(),
            ["what-is-kap"],
            options=HandoutOptions(),
            profile=profile,
            kb_version=kb.version,
        )

    def sheet() -> None:
        comparison = compare(kb, ["kap", "ssri-snri", "cbt"], audience="patient", lang="es")
        comparison_pdf(kb, comparison, profile=profile)

    out = {}
    for name, action in (("handout_preview_ms", handout), ("patient_comparison_ms", sheet)):
        action()  # warm: fonts registered, knowledge base decoded
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            action()
            samples.append((time.perf_counter() - start) * 1000)
        out[name] = round(statistics.median(samples), 1)
    kb.close()
    return out


def latency(db, queries: list[str], repeat: int) -> dict[str, float]:
    from kapdesk.kb.search import run_search

    for query in queries:  # warm-up
        run_search(db, query)
    samples = []
    for _ in range(repeat):
        for query in queries:
            start = time.perf_counter()
            run_search(db, query, limit=30)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "queries": len(queries),
        "samples": len(samples),
        "p50_ms": round(samples[len(samples) // 2], 3),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
        "max_ms": round(samples[-1], 3),
    }


def synthetic_kb(path: Path, documents: int) -> tuple[object, list[str]]:
    """A knowledge base with ``documents`` generated documents of clinical-looking text."""
    import sqlite_utils

    from kapdesk.kb.build import create_schema, insert_docs

    rng = random.Random(20261121)
    syllables = ["ka", "ta", "mi", "ne", "ro", "su", "li", "de", "pra", "xo", "ve", "tor", "zan"]
    vocabulary = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 5))) for _ in range(60_000)}
    )
    rng.shuffle(vocabulary)  # frequency rank independent of spelling
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like: rank 0 is commonest

    def words(n: int) -> str:
        return " ".join(rng.choices(vocabulary, weights=weights, k=n))

    db = sqlite_utils.Database(path)
    with db.atomic():
        create_schema(db)
        db.execute("DROP TRIGGER docs_ai")  # bulk load, then index once
        insert_docs(
            db,
            (
                {
                    "kind": "synthetic",
                    "key": f"doc-{i}",
                    "title": words(4),
                    "aliases": words(3),
                    "body": words(120),
                }
                for i in range(documents)
            ),
        )
    db.execute("INSERT INTO docs_fts(docs_fts) VALUES('rebuild')")
    db.execute("INSERT INTO docs_fts(docs_fts) VALUES('optimize')")
    # Typical queries span the frequency ranks a clinical term has (rank 20 = a word in
    # about a third of documents); the five commonest words behave like stopwords
    # ("the", "and") and are measured separately as the worst case.
    ranks = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
    words_at = [vocabulary[r] for r in ranks]
    typical = (
        words_at
        + [w[:4] for w in words_at[1:8:2]]
        + [f"{a} {b}" for a, b in zip(words_at[:5], words_at[5:], strict=True)]
        + ['"' + words_at[3], "AND", "😀", "x" * 300]
    )
    return db, typical, vocabulary[:5]


def session_timing(kb, repeat: int = 200) -> dict[str, float]:
    """Evaluate a typical session record and look drug names up (ms, p50/p95); one PDF."""
    from kapdesk.decide.interactions import check
    from kapdesk.decide.session import evaluate, read_record
    from kapdesk.documents.session_sheet import session_record_pdf
    from kapdesk.profile import ClinicProfile

    raw = {
        "product": "racemic",
        "route": "iv",
        "schedule": "iv-emory",
        "start_time": "09:00",
        "medications": ["diazepam", "modafinil", "lithium"],
        "readings": [
            {"minutes": m, "systolic": 120 + m // 5, "diastolic": 80, "heart_rate": 75, "spo2": 98}
            for m in (0, 10, 20, 30, 40, 55, 70, 85)
        ],
        "discharge_minutes": 90,
        "escort_present": True,
    }
    evaluate(read_record(raw))  # load the rules once
    times, lookups = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        result = evaluate(read_record(raw))
        times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        check(["loraz", "aminoph", "Théophylline", "ibuprofen"])
        lookups.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    session_record_pdf(kb, result, profile=ClinicProfile())
    pdf_ms = (time.perf_counter() - start) * 1000
    times.sort()
    lookups.sort()
    return {
        "evaluate_p50_ms": round(statistics.median(times), 3),
        "evaluate_p95_ms": round(times[int(len(times) * 0.95)], 3),
        "lookup_p50_ms": round(statistics.median(lookups), 3),
        "lookup_p95_ms": round(lookups[int(len(lookups) * 0.95)], 3),
        "record_pdf_ms": round(pdf_ms, 1),
    }


def scales() -> dict[str, float]:
    """Load the scales, score a PCL-5 per keystroke, lay out a PHQ-9 summary with a trend."""
    from datetime import date

    from kapdesk.content.modalities import load_references
    from kapdesk.content.model import KBVersion
    from kapdesk.content.problems import Problems
    from kapdesk.content.scales import load_scales
    from kapdesk.decide.scales import PreviousTotal, score
    from kapdesk.documents.scale_sheet import summary_pdf
    from kapdesk.paths import resources_dir
    from kapdesk.profile import ClinicProfile

    problems = Problems()
    references = set(load_references(resources_dir(), problems))
    start = time.perf_counter()
    library = load_scales(resources_dir(), problems, references)
    load_ms = (time.perf_counter() - start) * 1000
    assert library is not None and not problems, problems.items
    pcl5 = library.scales["pcl5"]
    answers = [2, 1, 0, 3, 2, 2, 1, 2, 2, 0, 1, 3, 2, 1, 2, 2, 0, 1, None, None]
    times = []
    for _ in range(500):
        start = time.perf_counter()
        score(pcl5, answers)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    phq9 = library.scales["phq9"]
    previous = [PreviousTotal(date(2026, 9, 14), 21), PreviousTotal(date(2026, 10, 12), 17)]
    result = score(phq9, [2, 2, 1, 1, 2, 1, 1, 0, 1], previous=previous)
    version = KBVersion("0" * 64, date(2026, 12, 7))
    references = {ref: ref for ref in references}
    summary_pdf(result, profile=ClinicProfile(), kb_version=version, references=references)
    start = time.perf_counter()  # the second layout: fonts are registered by the first
    summary_pdf(result, profile=ClinicProfile(), kb_version=version, references=references)
    return {
        "load_ms": round(load_ms, 1),
        "score_pcl5_p50_ms": round(times[len(times) // 2], 3),
        "score_pcl5_p95_ms": round(times[int(len(times) * 0.95)], 3),
        "summary_pdf_ms": round((time.perf_counter() - start) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="startup runs per program")
    parser.add_argument("--documents", type=int, default=100_000)
    args = parser.parse_args()

    from kapdesk.content.kinds import compile_resources
    from kapdesk.kb.build import build
    from kapdesk.kb.store import KnowledgeBase

    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "kb.sqlite3"
        build_env = dict(os.environ)
        kb_cmd = [sys.executable, "-m", "kapdesk", "--data-dir", tmp, "kb", "build"]
        results["kb_build_s"] = round(measure_process(kb_cmd, build_env)[0], 3)
        results["kb_rebuild_s"] = round(measure_process([*kb_cmd, "--force"], build_env)[0], 3)
        start = time.perf_counter()
        build(compile_resources(), target)
        results["kb_build_in_process_s"] = round(time.perf_counter() - start, 3)
        results["printing"] = printing(tmp, args.runs)
        results["previews"] = previews(tmp)
        with KnowledgeBase.open(target) as kb:
            results["search_shipped"] = latency(kb.db, SHIPPED_QUERIES, repeat=40)
            results["session"] = session_timing(kb)
        start = time.perf_counter()
        db, queries, stopwords = synthetic_kb(Path(tmp) / "synthetic.sqlite3", args.documents)
        results["synthetic_build_s"] = round(time.perf_counter() - start, 1)
        results["search_synthetic_stopwords"] = latency(db, stopwords, repeat=2)
        results["search_synthetic"] = {
            "documents": args.documents,
            **latency(db, queries, repeat=5),
        }
        db.close()
    results["scales"] = scales()
    results["startup"] = startup(args.runs)
    results["targets"] = {
        "startup_ratio_max": 1.5,
        "rss_ratio_max": 1.6,
        "search_shipped_p95_ms_max": 5,
        "search_synthetic_p95_ms_max": 30,
        "printing_ratio_max": 1.5,
        "handout_preview_ms_max": 150,
        "patient_comparison_ms_max": 300,
    }
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
