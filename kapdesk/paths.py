"""The one place that knows where kapdesk's files live.

Resources (content, rules, fonts, icons) are read-only and travel with the program:
a source checkout keeps them at ``<repo>/resources``, a wheel at
``kapdesk/_resources`` and a PyInstaller bundle at ``<_MEIPASS>/resources``.
User data (the knowledge-base database, the clinic profile, settings, logs) lives in
a per-user directory and never next to the program.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "kapdesk"
DATA_DIR_ENV = "KAPDESK_DATA_DIR"


def resources_dir() -> Path:
    """Return the directory holding kapdesk's bundled resources."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "_resources"
    if installed.is_dir():
        return installed
    return package_dir.parent / "resources"


def default_data_dir() -> Path:
    """Per-user data directory, following each platform's convention."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_NAME


@dataclass(frozen=True)
class AppPaths:
    """Where one running kapdesk keeps its user files."""

    data_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        return cls(Path(data_dir).expanduser() if data_dir else default_data_dir())

    @property
    def kb_path(self) -> Path:
        return self.data_dir / "knowledge-base.sqlite3"

    @property
    def profile_path(self) -> Path:
        return self.data_dir / "clinic-profile.sqlite3"

    @property
    def settings_path(self) -> Path:
        return self.data_dir / "settings.ini"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "kapdesk.log"

    def ensure(self) -> AppPaths:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self
