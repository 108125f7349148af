"""`kapdesk pack …`: every refusal is exit 2 with one line; the cycle works end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kapdesk.kb import pack
from kapdesk.kb.build import SCHEMA_VERSION
from tests.cli.harness import call as run
from tests.pack_helpers import PackFactory, flip_byte, header_length, later

pytestmark = pytest.mark.usefixtures("trust_publisher")


def refused(capsys, data_dir: Path, *args: str) -> str:
    """Run a command that must be refused; return its one stderr line."""
    code, out, err = run(capsys, data_dir, *args)
    assert code == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kapdesk: error: "), err
    assert "Traceback" not in err
    return lines[0]


def refused_everywhere(capsys, data_dir: Path, path: Path) -> str:
    """verify, diff and install all refuse ``path`` with the same line; nothing changes."""
    line = refused(capsys, data_dir, "pack", "verify", str(path))
    assert refused(capsys, data_dir, "pack", "diff", str(path)) == line
    assert refused(capsys, data_dir, "pack", "install", str(path)) == line
    status = json.loads(run(capsys, data_dir, "pack", "status", "--json")[1])
    assert status["active"]["origin"] == "bundled" and status["installed_pack"] is None
    return line


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("database", "database signature does not match"),
        ("database-start", "database signature does not match"),
        ("manifest", "manifest signature does not match"),
        # a flipped base64 character may decode to other bytes or not decode at all
        ("signature", "(the pack was altered"),
        ("global-signature", "(the pack was altered"),
    ],
)
def test_tampered_byte_is_refused(
    capsys, data_dir: Path, make_pack: PackFactory, where: str, message: str
) -> None:
    path = make_pack(2)
    data = path.read_bytes()
    offset = header_length(path)
    lines = data[:offset].split(b"\n")
    starts = [sum(len(line) + 1 for line in lines[:i]) for i in range(5)]
    target = {
        "database": offset + (len(data) - offset) // 2,
        "database-start": offset + 100,
        # inside the manifest JSON: the digit of the content version
        "manifest": data.index(b'"content_version":2') + len(b'"content_version":'),
        "signature": starts[2] + 20,
        "global-signature": starts[4] + 10,
    }[where]
    flip_byte(path, target)
    line = refused_everywhere(capsys, data_dir, path)
    assert message in line and "v2.kpack" in line


def test_pack_signed_by_another_key_is_refused(
    capsys, data_dir: Path, make_pack: PackFactory, stranger
) -> None:
    path = make_pack(2, signer=stranger)
    line = refused_everywhere(capsys, data_dir, path)
    unknown = pack.key_id_text(stranger.key.key_id)
    assert f"signed by unknown key {unknown}; trusted keys: test " in line


def test_replayed_older_pack_is_refused(capsys, data_dir: Path, make_pack: PackFactory) -> None:
    v2, v3 = make_pack(2), make_pack(3)
    assert run(capsys, data_dir, "pack", "install", str(v3))[0] == 0
    line = refused(capsys, data_dir, "pack", "install", str(v2))
    assert "content version 2 is not newer than version 3, installed before" in line
    code, out, _ = run(capsys, data_dir, "pack", "verify", str(v2))  # authentic, only old
    assert code == 0 and "content version 2" in out


def test_equal_version_is_refused(capsys, data_dir: Path, make_pack: PackFactory) -> None:
    v2 = make_pack(2)
    assert run(capsys, data_dir, "pack", "install", str(v2))[0] == 0
    assert "content version 2 is already installed" in refused(
        capsys, data_dir, "pack", "install", str(v2)
    )
    bundled_equal = make_pack(1, name="v1")
    other = data_dir.parent / "other"
    other.mkdir()
    (other / "knowledge-base.sqlite3").write_bytes(
        (data_dir / "knowledge-base.sqlite3").read_bytes()
    )
    assert "not newer than the active bundled content version 1" in refused(
        capsys, other, "pack", "install", str(bundled_equal)
    )


def test_newer_schema_is_refused(capsys, data_dir: Path, make_pack: PackFactory) -> None:
    newer = SCHEMA_VERSION + 1
    path = make_pack(2, meta={"schema_version": newer})
    line = refused_everywhere(capsys, data_dir, path)
    assert (
        f"kb_schema: the pack has knowledge-base schema {newer}; "
        f"this kapdesk reads schema {SCHEMA_VERSION}"
    ) in line
    assert "update kapdesk first" in line


def test_pack_for_a_newer_program_is_refused(
    capsys, data_dir: Path, make_pack: PackFactory
) -> None:
    line = refused_everywhere(capsys, data_dir, make_pack(2, meta={"min_program": "9.0"}))
    assert "min_program: the pack needs kapdesk 9.0 or newer; this is" in line


def test_expired_pack_is_warned_and_installed_only_when_newer(
    capsys, data_dir: Path, make_pack: PackFactory
) -> None:
    stale = make_pack(2, expires=later(-1))
    code, out, err = run(capsys, data_dir, "pack", "verify", str(stale))
    assert code == 0 and out.startswith("OK: ")
    assert err.startswith("kapdesk: warning: content version 2 expired on ")
    code, out, err = run(capsys, data_dir, "pack", "install", str(stale))
    assert code == 0 and "Installed content pack version 2" in out and "expired on" in err
    code, out, _ = run(capsys, data_dir, "pack", "status")
    assert code == 0 and "Active:    content pack version 2" in out and "DUE FOR REVIEW" in out
    assert run(capsys, data_dir, "pack", "install", str(make_pack(3)))[0] == 0
    line = refused(capsys, data_dir, "pack", "install", str(make_pack(1, expires=later(-9))))
    assert "not newer than version 3" in line and "expired on" in line


@pytest.mark.parametrize("keep", [0, 10, 60, 200, "header", "header+100", "half", "last-byte"])
def test_truncated_pack_is_refused(
    capsys, data_dir: Path, make_pack: PackFactory, keep: int | str
) -> None:
    path = make_pack(2)
    data = path.read_bytes()
    offset = header_length(path)
    size = {
        "header": offset,
        "header+100": offset + 100,
        "half": len(data) // 2,
        "last-byte": len(data) - 1,
    }.get(keep, keep)
    path.write_bytes(data[:size])
    line = refused_everywhere(capsys, data_dir, path)
    assert "truncated" in line


def test_two_gigabyte_sparse_file_is_refused_unread(
    capsys, data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    big = tmp_path / "big.kpack"
    with open(big, "wb") as handle:
        handle.truncate(2 * 1024**3)
    opened: list[str] = []

    def no_reading(*args, **kwargs):
        opened.append(str(args[0]))
        raise AssertionError("the pack was opened")

    monkeypatch.setattr(pack, "open", no_reading, raising=False)
    for command in ("verify", "install", "diff"):
        line = refused(capsys, data_dir, "pack", command, str(big))
        assert "2.1 GB is over the size limit for a content pack (250.0 MB); refused unread" in line
    assert opened == []


def test_integrity_failure_is_refused_by_the_cli(
    capsys, data_dir: Path, make_pack: PackFactory, tmp_path: Path
) -> None:
    import shutil
    import sqlite3

    db = tmp_path / "broken.sqlite3"
    shutil.copyfile(data_dir / "knowledge-base.sqlite3", db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE manifest SET value = '2' WHERE key = 'content_version'")
        conn.execute("CREATE TABLE t (a, b)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, -i) for i in range(50)])
        conn.execute("CREATE INDEX t_a ON t(a)")
    conn.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX t_a ON t(b)' WHERE name = 't_a'")
    conn.close()
    line = refused_everywhere(capsys, data_dir, make_pack(2, db=db, name="broken"))
    assert "integrity_check failed" in line and "the publisher built a damaged pack" in line


def test_full_cycle(capsys, data_dir: Path, make_pack: PackFactory) -> None:
    v2, v3 = make_pack(2), make_pack(3)
    code, out, _ = run(capsys, data_dir, "pack", "verify", str(v3), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["valid"] and doc["manifest"]["content_version"] == 3
    assert doc["key"]["name"] == "test" and doc["warnings"] == []
    code, out, _ = run(capsys, data_dir, "pack", "diff", str(v3), "--json")
    diff = json.loads(out)
    assert code == 0 and diff["from"]["origin"] == "bundled" and diff["to"]["content_version"] == 3
    assert diff["unchanged"] is True  # same statements, only the release differs
    for path in (v2, v3):
        assert run(capsys, data_dir, "pack", "install", str(path))[0] == 0
    status = json.loads(run(capsys, data_dir, "pack", "status", "--json")[1])
    assert status["active"] == status["active"] | {"origin": "pack", "content_version": 3}
    assert status["previous_pack"]["content_version"] == 2 and status["highest_installed"] == 3
    code, out, _ = run(capsys, data_dir, "kb", "info", "--json")
    info = json.loads(out)
    assert code == 0 and (info["content_origin"], info["content_version"]) == ("pack", 3)
    code, out, _ = run(capsys, data_dir, "pack", "rollback")
    assert code == 0 and "active now: content pack version 2" in out
    code, out, _ = run(capsys, data_dir, "pack", "rollback")
    assert code == 0 and "active now: bundled content version 1" in out
    line = refused(capsys, data_dir, "pack", "rollback")
    assert "no content pack is installed" in line
    code, out, _ = run(capsys, data_dir, "search", "Spravato", "--json")
    assert code == 0 and json.loads(out)["results"]


def test_no_option_or_environment_variable_adds_a_key(capsys, monkeypatch) -> None:
    from kapdesk.cli import build_parser

    parser = build_parser()
    pack_parser = parser._subparsers._group_actions[0].choices["pack"]
    options = {
        option
        for action in pack_parser._subparsers._group_actions[0].choices.values()
        for sub in action._actions
        for option in sub.option_strings
    }
    assert options == {"-h", "--help", "--json", "--secret-key", "--out"}
    from kapdesk.kb import pack_state

    for module in (pack, pack_state):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "os.environ" not in source and "getenv" not in source
