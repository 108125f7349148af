"""Page counts of every printout, printed as one JSON document (figures, not assertions).

    .venv/bin/python benchmarks/page_counts.py [--out-dir DIR]

Every handout in both languages, regular and large print; bundles of 2–4 handouts; the
integration plan for every picker candidate; the picker and chart summaries; the
clinician comparison for 3 and 4 options and the patient comparison. With ``--out-dir``
the PDFs are kept there (turn them into PNG pages with ``pdftoppm -r 60 -png``).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kapdesk.paths import AppPaths  # noqa: E402
from kapdesk.profile import ClinicProfile  # noqa: E402

PROFILE = ClinicProfile(
    clinic_name="Harbour Clinic",
    address="12 Quay Street\nPort Town, CA 90000",
    phone="555-0100",
    after_hours="555-0199",
)
ANSWERS = {
    "route": "iv",
    "weight_kg": 80,
    "condition": "trd",
    "failed_adequate_trials": 1,
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_hemorrhage_history": False,
    "hypersensitivity": False,
    "bp_rise_serious_hazard": False,
    "systolic_bp": 150,
    "diastolic_bp": 92,
    "psychosis_history": False,
    "bipolar_disorder": True,
    "benzodiazepines": True,
    "has_escort_home": True,
    "can_avoid_driving_until_next_day": True,
}
PRESENTATION = {"trauma_origin": True, "intrusive_imagery": True, "condition": "ptsd"}
BUNDLES = (
    ("what-is-kap", "after-your-session"),
    ("preparing-for-your-session", "after-your-session", "side-effects-and-safety"),
    ("what-is-kap", "is-kap-right-for-me", "integration-sessions", "emdr"),
)


def main() -> None:
    """Render every printout and print the page counts as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, help="keep the PDFs here")
    args = parser.parse_args()
    from kapdesk.decide.compare import compare
    from kapdesk.decide.eligibility import evaluate, load_context
    from kapdesk.decide.integration import parse_presentation, pick
    from kapdesk.documents.comparison import comparison_pdf
    from kapdesk.documents.handout import HandoutOptions, render_handouts
    from kapdesk.documents.picker_sheet import picker_sheet_bytes
    from kapdesk.documents.plan_sheet import plan_pdf
    from kapdesk.documents.screening import screening_pdf
    from kapdesk.kb.catalog import library
    from kapdesk.kb.store import ensure_kb

    out_dir = args.out_dir
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)

    def keep(name: str, data: bytes) -> None:
        if out_dir:
            (out_dir / name).write_bytes(data)

    figures: dict[str, dict[str, int]] = {
        "handouts": {},
        "bundles": {},
        "plans": {},
        "clinician": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        kb, _ = ensure_kb(AppPaths(Path(tmp)))
        with kb:
            lib = library()
            for hid in lib.ids:
                for lang in ("en", "es"):
                    for large in (False, True):
                        options = HandoutOptions(lang=lang, large_print=large)
                        doc = render_handouts(
                            lib, [hid], options=options, profile=PROFILE, kb_version=kb.version
                        )
                        figures["handouts"][doc.suggested_name[:-4]] = doc.pages
                        keep(doc.suggested_name, doc.pdf)
            for bundle in BUNDLES:
                for lang in ("en", "es"):
                    for large in (False, True):
                        options = HandoutOptions(lang=lang, large_print=large)
                        doc = render_handouts(
                            lib, bundle, options=options, profile=PROFILE, kb_version=kb.version
                        )
                        name = f"bundle-{len(bundle)}-{lang}{'-large-print' if large else ''}"
                        figures["bundles"][name] = doc.pages
                        keep(name + ".pdf", doc.pdf)
            result = pick(kb, parse_presentation(PRESENTATION))
            for candidate in result.ranked:
                if candidate.blocked:
                    continue
                for lang in ("en", "es"):
                    for large in (False, True):
                        options = HandoutOptions(lang=lang, large_print=large)
                        _, doc = plan_pdf(
                            kb,
                            result,
                            profile=PROFILE,
                            modality=candidate.modality,
                            options=options,
                        )
                        figures["plans"][doc.suggested_name[:-4]] = doc.pages
                        keep(doc.suggested_name, doc.pdf)
            data = picker_sheet_bytes(kb, result, profile=PROFILE)
            figures["clinician"]["picker-summary"] = _pages(data)
            keep("picker-summary.pdf", data)
            context = load_context(kb)
            data = screening_pdf(context, evaluate(ANSWERS, context), profile=PROFILE)
            figures["clinician"]["chart-summary"] = _pages(data)
            keep("chart-summary.pdf", data)
            for ids in (
                ("ketamine-iv", "esketamine", "emdr"),
                ("ketamine-iv", "esketamine", "emdr", "cbt"),
            ):
                comparison = compare(kb, list(ids), audience="clinician", lang="en")
                data, pages = comparison_pdf(kb, comparison, profile=PROFILE)
                figures["clinician"][f"comparison-clinician-{len(ids)}"] = pages
                keep(f"comparison-clinician-{len(ids)}.pdf", data)
                comparison = compare(kb, list(ids), audience="patient", lang="es", condition="ptsd")
                data, pages = comparison_pdf(kb, comparison, profile=PROFILE)
                figures["clinician"][f"comparison-patient-es-{len(ids)}"] = pages
                keep(f"comparison-patient-es-{len(ids)}.pdf", data)
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


if __name__ == "__main__":
    main()
