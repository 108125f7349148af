"""`kapdesk profile`: the clinic profile from the command line.

For the IT person who sets up several workstations the same way:

    kapdesk profile show [--json]
    kapdesk profile set KEY=VALUE ...      (clinic_name, address, phone, after_hours,
                                            crisis_text_en, crisis_text_es, after_hours_es,
                                            offered = comma-separated modality ids)
    kapdesk profile export FILE.json
    kapdesk profile import FILE.json

Values are validated as a whole, exactly as the Settings dialog does (the same
``kapdesk.profile.validate``, the same known modality ids): a bad value exits 2 with one
line naming the key, and nothing is changed. Opening the store runs the same
backup-first schema migration as the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from kapdesk.errors import UserInputError
from kapdesk.paths import AppPaths

TEXT_KEYS = (
    "clinic_name",
    "address",
    "phone",
    "after_hours",
    "crisis_text_en",
    "crisis_text_es",
    "after_hours_es",
)
KEYS = (*TEXT_KEYS, "offered")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `profile show | set | export | import`."""
    profile = sub.add_parser("profile", help="show, set, export or import the clinic profile")
    actions = profile.add_subparsers(
        dest="profile_command", parser_class=type(profile), metavar="ACTION"
    )
    actions.required = True
    show = actions.add_parser("show", help="print the clinic profile")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(func=cmd_show)
    set_ = actions.add_parser(
        "set", help="set one or more fields: KEY=VALUE ... (keys: " + ", ".join(KEYS) + ")"
    )
    set_.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    set_.set_defaults(func=cmd_set)
    export = actions.add_parser("export", help="write the profile to a JSON file")
    export.add_argument("file", metavar="FILE.json")
    export.set_defaults(func=cmd_export)
    import_ = actions.add_parser("import", help="replace the profile with a JSON file's")
    import_.add_argument("file", metavar="FILE.json")
    import_.set_defaults(func=cmd_import)


def _store(args: argparse.Namespace):
    from kapdesk.profile import ProfileStore

    return ProfileStore(AppPaths.resolve(args.data_dir).profile_path)


def _known_ids(args: argparse.Namespace) -> list[str]:
    from kapdesk.kb.store import ensure_kb

    kb, _ = ensure_kb(AppPaths.resolve(args.data_dir))
    with kb:
        return kb.modality_ids()


def _to_dict(profile) -> dict[str, Any]:
    data: dict[str, Any] = {key: getattr(profile, key) for key in TEXT_KEYS}
    data["offered"] = list(profile.offered)
    return data


def _offered(value: Any, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise UserInputError(
        f"offered: {value!r} in {source} is not a list of modality ids; "
        "give a comma-separated list such as emdr,cbt"
    )


def _apply(profile, values: dict[str, Any], source: str, known: list[str] | None):
    """``profile`` with ``values`` applied and validated as a whole (nothing is saved)."""
    from kapdesk.profile import validate

    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in KEYS:
            raise UserInputError(
                f"{key}: not a profile key in {source}; valid keys: " + ", ".join(KEYS)
            )
        if key == "offered":
            changes[key] = _offered(value, source)
        elif not isinstance(value, str):
            raise UserInputError(f"{key}: {value!r} in {source} is not text; give a string")
        else:
            changes[key] = value.replace("\\n", "\n") if source == "the command line" else value
    return validate(replace(profile, **changes), known)


def cmd_show(args: argparse.Namespace) -> int:
    """Print the profile (``--json``: one object with every key)."""
    with _store(args) as store:
        data = _to_dict(store.load())
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(key) for key in KEYS)
    for key, value in data.items():
        shown = ", ".join(value) if key == "offered" else value
        shown = shown.replace("\n", " / ") if shown else "(not set)"
        print(f"{key:<{width}}  {shown}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    """Set KEY=VALUE pairs, validated together; one bad value changes nothing."""
    values: dict[str, str] = {}
    for assignment in args.assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise UserInputError(f"{assignment}: not KEY=VALUE; valid keys: " + ", ".join(KEYS))
        values[key.strip()] = value
    known = _known_ids(args) if "offered" in values else None
    with _store(args) as store:
        # offered is checked against the knowledge base only when it is being set.
        profile = _apply(store.load(), values, "the command line", known)
        store.save(profile, known)
    print(f"Saved {', '.join(values)} to the clinic profile", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the profile as JSON (temporary file, then rename)."""
    with _store(args) as store:
        data = _to_dict(store.load())
    target = Path(args.file)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        raise UserInputError(f"FILE.json: cannot write '{target}': {exc.strerror or exc}") from None
    print(f"Wrote {target}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Replace the profile with a JSON file's, validated as a whole first."""
    from kapdesk.profile import ClinicProfile

    source = Path(args.file)
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserInputError(f"FILE.json: cannot read '{source}': {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserInputError(f"FILE.json: '{source}' is not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise UserInputError(f"FILE.json: '{source}' must hold one JSON object of profile keys")
    known = _known_ids(args)
    profile = _apply(ClinicProfile(), raw, source.name, known)
    with _store(args) as store:
        store.save(profile, known)
    print(f"Imported the clinic profile from {source}", file=sys.stderr)
    return 0
