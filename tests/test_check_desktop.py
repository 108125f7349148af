"""packaging/check_desktop.py: which system packages Qt's xcb plugin still needs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "packaging" / "check_desktop.py"


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("check_desktop", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_desktop"] = module
    spec.loader.exec_module(module)
    return module


LDD = """\
\tlinux-vdso.so.1 (0x00007ffc)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibweird.so.9 => not found
"""


def test_ldd_not_found_lines_map_to_debian_and_fedora_packages(check, monkeypatch) -> None:
    monkeypatch.setattr(check.subprocess, "run", lambda *a, **k: type("R", (), {"stdout": LDD})())
    missing = check.missing_libraries(Path("libqxcb.so"))
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libweird.so.9"]
    assert check.packages_for(missing, "debian") == (
        ["libxcb-icccm4", "libxcb-keysyms1"],
        ["libweird.so.9"],
    )
    assert check.packages_for(missing, "fedora")[0] == ["xcb-util-wm", "xcb-util-keysyms"]


def test_report_mode_never_fails_and_prints_the_sudo_line(check, monkeypatch, capsys) -> None:
    monkeypatch.setattr(check, "plugin_path", lambda: Path("/x/libqxcb.so"))
    monkeypatch.setattr(check, "missing_libraries", lambda _p: ["libxcb-icccm.so.4"])
    monkeypatch.setattr(check, "system_family", lambda: "debian")
    monkeypatch.setattr(check.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert check.main(["--report"]) == 0
    assert (
        "sudo apt-get install -y --no-install-recommends libxcb-icccm4" in capsys.readouterr().out
    )
    monkeypatch.setattr(check.os, "geteuid", lambda: 1000)  # not root: print the fix, fail
    assert check.main([]) == 1
    assert "sudo apt-get install" in capsys.readouterr().out


def test_the_plugin_of_this_environment_is_found(check) -> None:
    path = check.plugin_path()
    assert path is not None and path.name == "libqxcb.so"
