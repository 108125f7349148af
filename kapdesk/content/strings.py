"""The frame's fixed wording (resources/documents/strings.toml), by language.

Every key the document frame prints is declared here with the placeholders it must
carry, so a missing key or a broken placeholder is a build problem, never a printout
that dies half-way.
"""

from __future__ import annotations

from pathlib import Path

from kapdesk.content.model import LANGUAGES
from kapdesk.content.problems import Problems, Reader, read_toml

FILE = "documents/strings.toml"
# key -> the placeholders it must contain
FRAME_KEYS: dict[str, frozenset[str]] = {
    "disclaimer": frozenset(),
    "page": frozenset({"n", "total"}),
    "kb_version": frozenset({"version", "reviewed"}),
    "printed": frozenset({"date"}),
    "no_clinic": frozenset(),
    "phone": frozenset(),
    "after_hours": frozenset(),
    "references": frozenset(),
    "note": frozenset(),
    "clinician_note": frozenset(),
    "no_information": frozenset(),
    "patient_footer": frozenset({"reviewed", "version", "printed"}),
    "patient_name": frozenset(),
    "birth_date": frozenset(),
    "record": frozenset(),
}


def load_strings(root: Path, problems: Problems) -> dict[str, dict[str, str]] | None:
    """The frame's wording in every language; None (problems recorded) when broken."""
    raw = read_toml(root / FILE, FILE, problems, "wording")
    if raw is None:
        return None
    r = Reader(problems, FILE, "wording")
    r.keys(raw, "", LANGUAGES, required=LANGUAGES)
    out: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        table = r.table(raw.get(lang, {}), lang) or {}
        r.keys(table, lang, FRAME_KEYS, required=FRAME_KEYS)
        out[lang] = {}
        for key, needed in FRAME_KEYS.items():
            text = r.text(table, key, lang) if key in table else ""
            found = r.placeholders(text, needed, f"{lang}.{key}")
            if text and found != needed:
                want = ", ".join(f"{{{n}}}" for n in sorted(needed)) or "no placeholders"
                r.add(f"{lang}.{key}", f"placeholders must be exactly {want}")
            out[lang][key] = text
    return out if r.clean else None
