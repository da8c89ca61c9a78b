"""What a first install downloads, and how long it takes: a fresh browser profile opens the till on a
loopback relay (`kasir demo`), pairs, and waits until the service worker has precached the build and
the till is ready to scan. Prints the bytes over the wire (encoded, page and worker together) against
the 6 MB budget, the largest files, and the time at loopback speed and, from the bytes, at 10 Mbps.

Prints figures only; it never fails. Usage: python bench/install.py [--runs 3] [--dist DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from boot import Demo  # noqa: E402
from browser.first_install import BUDGET, first_install  # noqa: E402
from browser.helpers import browser_profile  # noqa: E402
from processes import free_port  # noqa: E402

TEN_MBPS = 10e6 / 8  # bytes per second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kasir-install-") as tmp:
        demo = Demo(Path(tmp) / "var", free_port(), args.dist.resolve())
        demo.start()
        try:
            installs = []
            for i in range(args.runs):
                code = demo.pairing_code(f"install-{i}")
                with browser_profile(Path(tmp) / f"profile-{i}") as context:
                    installs.append(first_install(context, f"{demo.url}/?pair={code}"))
        finally:
            demo.kill()
    total = statistics.median(i.total for i in installs)
    seconds = [i.seconds for i in installs]
    print(f"kasir first install, {args.runs} fresh profiles (Chromium, loopback relay)")
    print(
        f"first install bytes    {total / 1e6:7.2f} MB   budget {BUDGET / 1e6:.0f} MB "
        f"({total / BUDGET:.2f} of budget)"
    )
    print(
        f"cold first load        median {statistics.median(seconds) * 1000:7.0f} ms   runs "
        + " ".join(f"{s * 1000:.0f}" for s in seconds)
        + f"   at 10 Mbps ~{total / TEN_MBPS:.1f} s"
    )
    for path, size in installs[-1].wire.most_common(6):
        print(f"  {size / 1e6:7.3f} MB  {path}")


if __name__ == "__main__":
    main()
