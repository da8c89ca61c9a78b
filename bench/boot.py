"""Boot times of the till in real Chromium, to "ready to scan", medians of 5.

- cold first load: a new browser profile, the relay on loopback, pairing and the first catalog included;
- warm reload: the same profile, relay up, service worker installed;
- offline reload: the relay process killed and the browser offline, everything from the service worker
  and Python restored from the snapshot the first start kept (static/js/snapshot.js).

Budgets on this machine: offline reload <= 300 ms (issue 11), cold first load <= 3 s.
Prints figures only; it never fails on a time (these machines are noisy).
Usage: python bench/boot.py [--runs 5] [--dist DIR]  (--dist: another build, e.g. a baseline's)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
# The bench drives Chromium and processes exactly as the tests do.
sys.path.insert(0, str(ROOT / "tests"))
from browser.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from processes import free_port  # noqa: E402

READY_TIMEOUT_MS = 60_000


class Demo:
    """`kasir demo` in its own process, started and killed like a real relay."""

    def __init__(self, var: Path, port: int, dist: Path) -> None:
        self.var, self.port, self.dist = var, port, dist
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "kasir.cli", "demo", "--port", str(self.port)]
        cmd += ["--var", str(self.var), "--dist", str(self.dist)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("kasir demo did not come up")

    def kill(self) -> None:
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def pairing_code(self, name: str) -> str:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "kasir.cli",
                "terminal",
                "add",
                name,
                "--db",
                str(self.var / "kasir.db"),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return out.strip().splitlines()[-1].strip()


async def ready_ms(page) -> float:
    await page.wait_for_function("window.kasirReadyAt !== undefined", timeout=READY_TIMEOUT_MS)
    return await page.evaluate("window.kasirReadyAt")


async def snapshot_kept(page) -> None:
    """The first start's snapshot is in Cache Storage, so the reloads can restore it (a build
    without snapshots, e.g. a baseline's, has nothing to wait for)."""
    await page.wait_for_function(
        "!window.kasirSnapshot || window.kasirSnapshot.kept", timeout=READY_TIMEOUT_MS
    )


async def restored(page) -> bool:
    return bool(await page.evaluate("window.kasirSnapshot?.restored"))


async def service_worker_in_control(page) -> None:
    await page.evaluate("navigator.serviceWorker.ready")
    await page.wait_for_function(
        "navigator.serviceWorker.controller !== null", timeout=READY_TIMEOUT_MS
    )


def summary(name: str, values: list[float], budget: float | None) -> str:
    median = statistics.median(values)
    line = f"{name:<22} median {median:7.0f} ms   runs " + " ".join(f"{v:.0f}" for v in values)
    if budget:
        line += f"   budget {budget:.0f} ms ({median / budget:.2f} of budget)"
    return line


async def bench(runs: int, dist: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="kasir-bench-") as tmp:
        demo = Demo(Path(tmp) / "var", free_port(), dist)
        demo.start()
        cold, warm, offline = [], [], []
        from_snapshot = 0
        async with async_playwright() as p:
            for i in range(runs):
                code = demo.pairing_code(f"bench-cold-{i}")
                ctx = await p.chromium.launch_persistent_context(
                    str(Path(tmp) / f"cold-{i}"), executable_path=CHROMIUM, args=CHROMIUM_ARGS
                )
                page = ctx.pages[0] if ctx.pages else await ctx.new_page()
                await page.goto(f"{demo.url}/?pair={code}")
                cold.append(await ready_ms(page))
                await ctx.close()

            code = demo.pairing_code("bench-warm")
            ctx = await p.chromium.launch_persistent_context(
                str(Path(tmp) / "warm"), executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            page = ctx.pages[0] if ctx.pages else await ctx.new_page()
            await page.goto(f"{demo.url}/?pair={code}")
            await ready_ms(page)
            await service_worker_in_control(page)
            await snapshot_kept(page)
            for _ in range(runs):
                await page.reload()
                warm.append(await ready_ms(page))
            demo.kill()
            await ctx.set_offline(True)
            for _ in range(runs):
                await page.reload()
                offline.append(await ready_ms(page))
                from_snapshot += await restored(page)
            await ctx.close()
        print(f"kasir boot to ready-to-scan, {runs} runs each (Chromium, loopback relay)")
        print(summary("cold first load", cold, 3000))
        print(summary("warm reload", warm, None))
        print(summary("offline reload", offline, 300))
        print(f"offline reloads from the snapshot {from_snapshot}/{runs}")
        print(f"ratio offline/cold {statistics.median(offline) / statistics.median(cold):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    asyncio.run(bench(args.runs, args.dist.resolve()))


if __name__ == "__main__":
    main()
