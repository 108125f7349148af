"""Check that Qt's X11 (xcb) platform plugin can load, and say how to fix it if not.

    python packaging/check_desktop.py            # make run: install (root) or print the fix
    python packaging/check_desktop.py --report   # CI: only report, always exit 0

Qt's own error names only libxcb-cursor0, but the plugin links against a dozen X11
libraries that a fresh Debian/Ubuntu or Fedora desktop may lack. This runs ``ldd`` on
the plugin bundled with PySide6, maps every library reported "not found" to its
Debian/Ubuntu and Fedora package, and then installs them with apt-get when run as
root on a Debian-like system, or prints the one ``sudo apt-get install …`` (or
``sudo dnf install …``) line that fixes it. Exit codes: 0 ready (or --report), 1 missing
libraries that were not installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package)
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
}
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def plugin_path() -> Path | None:
    """libqxcb.so of the PySide6 this Python would import (without importing Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries ``ldd`` reports "not found" for ``plugin`` (deduplicated)."""
    output = subprocess.run(
        ["ldd", str(plugin)], capture_output=True, text=True, check=False
    ).stdout
    return list(dict.fromkeys(NOT_FOUND.findall(output)))


def packages_for(libraries: list[str], family: str) -> tuple[list[str], list[str]]:
    """(packages that provide ``libraries`` on ``family`` "debian"/"fedora", unknown sonames)."""
    column = 0 if family == "debian" else 1
    known = [PACKAGES[lib][column] for lib in libraries if lib in PACKAGES]
    return list(dict.fromkeys(known)), [lib for lib in libraries if lib not in PACKAGES]


def system_family() -> str:
    """ "debian" when apt-get is available, "fedora" when dnf is, else ""."""
    if shutil.which("apt-get"):
        return "debian"
    if shutil.which("dnf"):
        return "fedora"
    return ""


def fix_command(family: str, packages: list[str]) -> list[str]:
    if family == "fedora":
        return ["dnf", "install", "-y", *packages]
    return ["apt-get", "install", "-y", "--no-install-recommends", *packages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report", action="store_true", help="only report; always exit 0")
    args = parser.parse_args(argv)
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform not in ("", "xcb") or (not platform and os.environ.get("WAYLAND_DISPLAY")):
        args.report = True  # another platform plugin is in use: xcb is only a fallback
    if not sys.platform.startswith("linux"):
        print("desktop check: not Linux, nothing to check")
        return 0
    plugin = plugin_path()
    if plugin is None:
        print("desktop check: PySide6's xcb plugin was not found (is the venv set up?)")
        return 0 if args.report else 1
    if not shutil.which("ldd"):
        print("desktop check: ldd is not available; cannot check the xcb plugin")
        return 0
    missing = missing_libraries(plugin)
    if not missing:
        print("desktop check: the Qt xcb platform plugin has every library it needs")
        return 0
    family = system_family() or "debian"
    packages, unknown = packages_for(missing, family)
    print(f"desktop check: Qt's xcb plugin cannot load; missing: {', '.join(missing)}")
    if unknown:
        print(f"  no package known for: {', '.join(unknown)} (search your package manager)")
    if not packages:
        return 0 if args.report else 1
    command = fix_command(family, packages)
    if args.report:
        print(f"  fix: sudo {' '.join(command)}")
        return 0
    if os.geteuid() == 0 and system_family():
        print(f"  installing: {' '.join(command)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if family == "debian":
            subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        done = subprocess.run(command, check=False, env=env).returncode == 0
        if done and not missing_libraries(plugin):
            print("desktop check: installed; the xcb plugin can load now")
            return 0
        print("desktop check: the installation did not fix it; see the messages above")
        return 1
    print("  run this once, then `make run` again:")
    print(f"  sudo {' '.join(command)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
