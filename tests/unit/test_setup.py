"""scripts/setup: what the machine lacks is installed with apt-get, or named in one line.

Each case runs the script with a PATH of its own: only bash, id, the Python that makes the venv and
what the case puts there (stand-ins for node and npm, a fake apt-get that logs what it is asked).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="apt-get is only tried as root")


def machine(tmp_path: Path, *tools: str, apt: str | None = None) -> Path:
    """A bin folder with bash and id, stand-ins for `tools` and, if given, an apt-get that runs
    `apt` (shell) after logging its arguments to apt.log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for real in ("bash", "id"):
        (bin_dir / real).symlink_to(shutil.which(real))
    for tool in tools:
        stand_in(bin_dir, tool)
    if apt is not None:
        script = f'#!/bin/bash\necho "$@" >> {tmp_path}/apt.log\n{apt}\n'
        (bin_dir / "apt-get").write_text(script)
        (bin_dir / "apt-get").chmod(0o755)
    return bin_dir


def stand_in(bin_dir: Path, tool: str) -> None:
    (bin_dir / tool).write_text("#!/bin/bash\nexit 0\n")
    (bin_dir / tool).chmod(0o755)


def setup(bin_dir: Path, *needs: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "bash"), str(ROOT / "scripts" / "setup"), *needs],
        env={"PATH": str(bin_dir), "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_nothing_missing_says_nothing(tmp_path: Path) -> None:
    chromium = tmp_path / "chromium"
    stand_in(tmp_path, "chromium")
    done = setup(machine(tmp_path, "node", "npm"), "chromium", KASIR_CHROMIUM=str(chromium))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_missing_chromium_without_apt_is_one_line_naming_the_package(tmp_path: Path) -> None:
    done = setup(machine(tmp_path, "node", "npm"), "chromium", KASIR_CHROMIUM="/nowhere/chromium")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "kasir: KASIR_CHROMIUM=/nowhere/chromium is missing: point it at a Chromium, or unset it "
        "and install Debian's chromium (apt-get install chromium)"
    ]


def test_make_run_does_not_need_chromium(tmp_path: Path) -> None:
    done = setup(machine(tmp_path, "node", "npm"), KASIR_CHROMIUM="/nowhere/chromium")
    assert done.returncode == 0, done.stderr


def test_missing_node_without_apt_stops_at_once_with_one_line(tmp_path: Path) -> None:
    done = setup(machine(tmp_path, "npm"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "kasir: node is missing: install Debian's nodejs (apt-get install nodejs)"
    ]


@as_root
def test_apt_get_that_fails_is_one_line_and_status_1(tmp_path: Path) -> None:
    done = setup(machine(tmp_path, apt="exit 100"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "kasir: apt-get could not install nodejs npm: install them by hand "
        "(apt-get install nodejs npm)"
    )
    assert (tmp_path / "apt.log").read_text().splitlines() == ["update -qq"]


@as_root
def test_missing_tools_are_installed_from_debian_as_root(tmp_path: Path) -> None:
    bin_dir = machine(tmp_path, apt="")
    done = setup(bin_dir, "postgresql")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "kasir: installing nodejs npm postgresql with apt-get\n"
    assert (tmp_path / "apt.log").read_text().splitlines() == [
        "update -qq",
        "install -y -qq nodejs npm postgresql",
    ]
