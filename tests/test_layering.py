"""The core never imports Qt: every non-ui module imports without PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import kapdesk


def core_modules() -> list[str]:
    names = ["kapdesk"]
    for info in pkgutil.walk_packages(kapdesk.__path__, "kapdesk."):
        if not info.name.startswith("kapdesk.ui") and info.name != "kapdesk.__main__":
            names.append(info.name)
    return names


def test_core_modules_never_load_pyside6() -> None:
    modules = core_modules()
    assert "kapdesk.kb.store" in modules and "kapdesk.documents.frame" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"core modules loaded Qt: {result.stdout}"


def test_cli_without_gui_command_does_not_load_pyside6(tmp_path) -> None:
    code = (
        "import sys\n"
        "from kapdesk.cli import build_parser\n"
        "build_parser()\n"
        "print(any(m.startswith('PySide6') for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_window_start_up_loads_no_heavy_module() -> None:
    """The window appears before the knowledge base, PDFs or readability are needed."""
    code = (
        "import sys\n"
        "from kapdesk.cli import build_parser\n"
        "import kapdesk.ui.app, kapdesk.ui.main_window\n"
        "heavy = ('sqlite_utils', 'reportlab', 'textstat', 'PySide6.QtPdf', 'kapdesk.decide')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_layer_contract_holds() -> None:
    """import-linter: no import runs back up the layers and no room has a cycle.

    The contracts are in pyproject.toml ([tool.importlinter]).
    """
    from pathlib import Path

    script = Path(sys.executable).with_name("lint-imports")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [str(script), "--config", str(root / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout
