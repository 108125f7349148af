"""A crash at any point of an install leaves the old or the new content and a working app.

A child process installs a pack and is killed (SIGKILL, no clean-up) when it reaches
the N-th executed line of ``kapdesk/kb/pack.py`` or ``pack_state.py``; the loop moves N
across the whole install. After each kill the data directory must open with the old or
the new content, search and show a modality, keep the clinic profile byte for byte, and
accept the install again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kapdesk.kb import pack, pack_state
from kapdesk.kb.store import open_active_kb
from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile, ProfileStore
from tests.pack_helpers import PackFactory, Signer

pytestmark = [
    pytest.mark.usefixtures("trust_publisher"),
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL"),
]

# The child trusts the test key in-process, as the tests do, and kills itself at a line.
CHILD = """
import os, signal, sys
from pathlib import Path
from kapdesk.kb import pack, pack_state
from kapdesk.paths import AppPaths

data_dir, pack_path, public_key, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pack.PUBLISHER_KEYS = {"test": public_key}
targets = {pack.__file__, pack_state.__file__}
count = 0

def tracer(frame, event, arg):
    global count
    if frame.f_code.co_filename not in targets:
        return None
    if event == "line":
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    return tracer

sys.settrace(tracer)
pack.install_pack(AppPaths(Path(data_dir)), Path(pack_path))
sys.settrace(None)
print(count)
"""


def run_child(data_dir: Path, pack_path: Path, publisher: Signer, kill_at: int):
    return subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(data_dir),
            str(pack_path),
            publisher.public_text,
            str(kill_at),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kill_during_install_leaves_old_or_new_content(
    tmp_path: Path, data_dir: Path, make_pack: PackFactory, publisher: Signer
) -> None:
    template = AppPaths(data_dir)
    with ProfileStore(template.profile_path) as store:
        store.save(ClinicProfile(clinic_name="Clínica Norte", phone="555-0100"))
    pack.install_pack(template, make_pack(2))  # old content: pack 2, kept for rollback after
    new_pack = make_pack(3)
    profile = template.profile_path.read_bytes()

    # A run without a kill counts the lines an install executes.
    counting = tmp_path / "counting"
    shutil.copytree(data_dir, counting)
    result = run_child(counting, new_pack, publisher, kill_at=0)
    assert result.returncode == 0, result.stderr
    total = int(result.stdout)
    assert total > 100

    # Every point near the end (state switch, clean-up), and spread over the rest.
    points = sorted({*range(max(1, total - 20), total + 1), *range(1, total, max(1, total // 25))})
    outcomes: dict[int, int] = {}
    for kill_at in points:
        work = tmp_path / f"kill-{kill_at}"
        shutil.copytree(data_dir, work)
        result = run_child(work, new_pack, publisher, kill_at)
        assert result.returncode == -signal.SIGKILL, (kill_at, result.stderr)
        paths = AppPaths(work)
        with open_active_kb(paths) as kb:
            version = kb.release.content_version
            assert kb.origin == "pack" and version in (2, 3), kill_at
            assert kb.search("ketamine").hits and kb.modality("esketamine").name
        state = json.loads((pack.packs_dir(paths) / pack_state.STATE_FILE).read_text())
        assert state["active"]["manifest"]["content_version"] == version
        assert paths.profile_path.read_bytes() == profile
        outcomes[kill_at] = version
        # The app works on: the install can be run again (or is already done).
        if version == 2:
            pack.install_pack(paths, new_pack)
        else:
            with pytest.raises(pack.PackError, match="already installed"):
                pack.install_pack(paths, new_pack)
        with open_active_kb(paths) as kb:
            assert kb.release.content_version == 3
        folders = [p for p in pack.packs_dir(paths).iterdir() if p.is_dir()]
        assert len(folders) == 2  # active and previous; crash leftovers were collected
        shutil.rmtree(work)
    # The loop crossed the switch: some kills left the old content, later ones the new.
    assert set(outcomes.values()) == {2, 3}
    switch = min(k for k, v in outcomes.items() if v == 3)
    assert all(v == 2 for k, v in outcomes.items() if k < switch)
    assert all(v == 3 for k, v in outcomes.items() if k >= switch)
