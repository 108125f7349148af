"""`kapdesk profile show | set | export | import`: the Settings dialog's validation, whole
-file checks, exit 2 naming the key with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile, ProfileStore
from tests.cli.harness import call


def run(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:
    return call(capsys, data_dir, "profile", *args)


def stored(data_dir: Path) -> ClinicProfile:
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        return store.load()


def test_set_then_show_json(capsys, data_dir: Path) -> None:
    code, _, _ = run(
        capsys,
        data_dir,
        "set",
        "clinic_name=Harbour Clinic",
        "phone=555-0100",
        "crisis_text_es=Llame al 911.",
        "offered=emdr, cbt",
    )
    assert code == 0
    code, out, err = run(capsys, data_dir, "show", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {
        "clinic_name",
        "address",
        "phone",
        "after_hours",
        "crisis_text_en",
        "crisis_text_es",
        "after_hours_es",
        "offered",
    }
    assert data["clinic_name"] == "Harbour Clinic" and data["offered"] == ["emdr", "cbt"]
    assert data["crisis_text_es"] == "Llame al 911." and data["crisis_text_en"] == ""
    code, out, _ = run(capsys, data_dir, "show")
    assert code == 0 and "Harbour Clinic" in out and "emdr, cbt" in out


@pytest.mark.parametrize(
    ("assignment", "key"),
    [
        ("phone=" + "9" * 41, "phone"),
        ("offered=emdr,not-a-therapy", "offered"),
        ("colour=blue", "colour"),
        ("clinic_name=Bad\u0007Bell", "clinic_name"),
    ],
)
def test_bad_value_exits_2_naming_the_key_and_changes_nothing(
    capsys, data_dir: Path, assignment: str, key: str
) -> None:
    run(capsys, data_dir, "set", "clinic_name=Harbour Clinic", "phone=555-0100")
    before = stored(data_dir)
    code, out, err = run(capsys, data_dir, "set", "after_hours=555-0199", assignment)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"kapdesk: error: {key}:")
    assert "Traceback" not in err
    assert stored(data_dir) == before  # after_hours was not saved either


def test_export_import_round_trip(capsys, data_dir: Path, tmp_path: Path) -> None:
    run(
        capsys,
        data_dir,
        "set",
        "clinic_name=Harbour Clinic",
        "address=12 Quay St\\nPort Town",
        "after_hours_es=555-0199 (español)",
        "offered=ifs",
    )
    exported = tmp_path / "profile.json"
    code, _, _ = run(capsys, data_dir, "export", str(exported))
    assert code == 0
    other = tmp_path / "other-workstation"
    other.mkdir()
    (other / AppPaths(data_dir).kb_path.name).write_bytes(AppPaths(data_dir).kb_path.read_bytes())
    code, _, _ = run(capsys, other, "import", str(exported))
    assert code == 0
    assert stored(other) == stored(data_dir)
    assert stored(other).address == "12 Quay St\nPort Town"


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ({"clinic_name": "New name", "phone": 5550100}, "phone"),
        ({"clinic_name": "New name", "offered": ["emdr", "nope"]}, "offered"),
        ({"clinic_name": "New name", "fax": "555"}, "fax"),
        (["not", "an", "object"], "FILE.json"),
    ],
)
def test_import_is_validated_as_a_whole(
    capsys, data_dir: Path, tmp_path: Path, content, key: str
) -> None:
    run(capsys, data_dir, "set", "clinic_name=Harbour Clinic")
    source = tmp_path / "profile.json"
    source.write_text(json.dumps(content), encoding="utf-8")
    code, _, err = run(capsys, data_dir, "import", str(source))
    assert code == 2 and err.startswith(f"kapdesk: error: {key}:")
    assert len(err.strip().splitlines()) == 1
    assert stored(data_dir).clinic_name == "Harbour Clinic"


def test_malformed_json_exits_2(capsys, data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, data_dir, "import", str(source))
    assert code == 2 and "not valid JSON" in err
