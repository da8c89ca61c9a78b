"""The register at scale, in CPython and in Pyodide in Chromium, side by side.

Runs bench/register_work.py (one body, the same source in both) on a 100,000-product catalog:
catalog load+index, barcode lookup, name search, scan to totals on a 50-line cart with three taxes
and a 1,000-rule pricelist. Pyodide comes from the build (dist/build.json "boot": the built
Pyodide, our lock file and wheels), served from 127.0.0.1 with `application/wasm` and
cross-origin isolation headers (so the browser's clock steps 5 us, not 100 us), and loads the
`register` wheel with loadPackage, as the till does.

Budgets in Pyodide on this machine (issue 3): catalog ready <= 1.0 s; scan to totals p95 <= 2 ms;
name search p95 <= 20 ms. Prints figures only; it never fails on a time.
Usage: python bench/register.py [--products 100000] [--skip-cpython] [--skip-pyodide]
Run `python build.py` first (the Makefile's bench target does).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = Path(__file__).resolve().parent / "register_work.py"
# This file is bench/register.py: with bench/ on the path, `import register` would find it
# instead of the register package, so bench/ leaves the path and the body is loaded by file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != WORK.parent]
sys.path.insert(0, str(ROOT / "pwa" / "py"))
sys.path.insert(0, str(ROOT / "tests"))
from browser.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def _load_work() -> Any:
    spec = importlib.util.spec_from_file_location("register_work", WORK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["register_work"] = module
    spec.loader.exec_module(module)
    return module


register_work = _load_work()

HARNESS_PATH = "/__bench_register__.html"
RUN_TIMEOUT_MS = 600_000

# The page loads Pyodide exactly as boot.js does (absolute URLs from build.json, the build's
# lock file, loadPackage with errors treated as fatal), then waits for the bench source.
HARNESS = """<!doctype html><meta charset="utf-8"><title>register bench</title>
<script type="module">
const boot = await (await fetch("/build.json", {cache: "no-store"})).json();
const abs = (path) => new URL(path, location.origin).href;
const { loadPyodide } = await import(abs(boot.boot.indexURL + "pyodide.mjs"));
const pyodide = await loadPyodide({
  indexURL: abs(boot.boot.indexURL),
  lockFileURL: abs(boot.boot.lockFileURL),
  packageBaseUrl: abs(boot.boot.packageBaseUrl),
  convertNullToNone: true,
});
const errors = [];
await pyodide.loadPackage(["register"], { errorCallback: (m) => errors.push(m) });
if (errors.length) throw new Error("loadPackage: " + errors.join("; "));
window.runBench = (source, products) => {
  pyodide.FS.writeFile("/home/pyodide/register_work.py", source);
  pyodide.globals.set("bench_products", products);
  return pyodide.runPython(`
import json, sys
sys.path.insert(0, "/home/pyodide")
import register_work
json.dumps({"python": sys.version.split()[0], **register_work.run(bench_products)})
`);
};
window.benchReady = { isolated: self.crossOriginIsolated, version: pyodide.version };
</script>"""


class DistHandler(SimpleHTTPRequestHandler):
    """dist/ with the right types, isolation headers (fine timers) and the bench page."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".zip": "application/zip",
        ".whl": "application/zip",
    }

    def end_headers(self) -> None:
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self.path == HARNESS_PATH:
            body = HARNESS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_dist() -> ThreadingHTTPServer:
    """dist/ on a free loopback port, in a daemon thread."""
    handler = functools.partial(DistHandler, directory=str(DIST))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_pyodide(products: int) -> dict[str, Any]:
    """The bench body in Pyodide in headless Chromium; its figures."""
    from playwright.sync_api import sync_playwright

    if not (DIST / "build.json").exists():
        raise SystemExit("dist/build.json is missing: run `python build.py` first")
    server = serve_dist()
    url = f"http://127.0.0.1:{server.server_address[1]}{HARNESS_PATH}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda exc: problems.append(str(exc)))
                page.goto(url)
                try:
                    page.wait_for_function("window.benchReady !== undefined", timeout=60_000)
                except Exception:
                    raise SystemExit(f"Pyodide did not start: {problems}") from None
                ready = page.evaluate("window.benchReady")
                page.set_default_timeout(RUN_TIMEOUT_MS)
                answer = page.evaluate(
                    "([source, n]) => window.runBench(source, n)",
                    [WORK.read_text(), products],
                )
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    figures = json.loads(answer)
    figures["cross_origin_isolated"] = ready["isolated"]
    figures["pyodide"] = ready["version"]
    return figures


def side_by_side(cpython: dict[str, Any] | None, pyodide: dict[str, Any] | None) -> str:
    """One table: CPython, Pyodide, Pyodide/CPython, budget (Pyodide) and its share."""
    any_run = cpython or pyodide
    assert any_run is not None
    head = (
        f"kasir register bench: {any_run['products']:,} products "
        f"({any_run['catalog_json_bytes'] / 1e6:.1f} MB of catalog JSON), "
        "50-line cart, 3 taxes, 1,000-rule pricelist"
    )
    out = [head]
    if cpython:
        out.append(
            f"CPython {sys.version.split()[0]}, timer step {cpython['timer_resolution'] * 1e6:.2f} us"
        )
    if pyodide:
        out.append(
            f"Pyodide {pyodide['pyodide']} (Python {pyodide['python']}) in Chromium, "
            f"cross-origin isolated: {pyodide['cross_origin_isolated']}, "
            f"timer step {pyodide['timer_resolution'] * 1e6:.2f} us"
        )
    out.append(f"{'':<30}{'CPython':>12}{'Pyodide':>12}{'ratio':>8}{'budget':>12}  in Pyodide")
    labels = register_work.rows(any_run)
    c_rows = register_work.rows(cpython) if cpython else [None] * len(labels)
    p_rows = register_work.rows(pyodide) if pyodide else [None] * len(labels)
    for (label, _, budget), c, p in zip(labels, c_rows, p_rows, strict=True):
        c_ms = f"{c[1] * 1000:9.3f} ms" if c else f"{'-':>12}"
        p_ms = f"{p[1] * 1000:9.3f} ms" if p else f"{'-':>12}"
        ratio = f"{p[1] / c[1]:7.2f}x" if c and p and c[1] > 0 else f"{'':>8}"
        line = f"{label:<30}{c_ms}{p_ms}{ratio}"
        if budget:
            line += f"{budget * 1000:9.0f} ms"
            if p:
                verdict = "within" if p[1] <= budget else "OVER"
                line += f"  {verdict} ({p[1] / budget:.2f} of budget)"
        out.append(line)
    totals = {
        name: f["cart_total"] for name, f in (("CPython", cpython), ("Pyodide", pyodide)) if f
    }
    same = len(set(totals.values())) == 1
    out.append(
        "cart total "
        + ", ".join(f"{k} Rp {v}" for k, v in totals.items())
        + ("" if same else "   MISMATCH between CPython and Pyodide")
    )
    for name, f in (("CPython", cpython), ("Pyodide", pyodide)):
        if f:
            pause = f["gc_during_scans"]
            out.append(
                f"{name}: GC during the {f['scans']} scans: {pause['collections']} collections, "
                f"{pause['seconds'] * 1000:.1f} ms; {f['gc_frozen']:,} objects frozen after load"
            )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--skip-cpython", action="store_true")
    parser.add_argument("--skip-pyodide", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    cpython = None if args.skip_cpython else register_work.run(args.products)
    pyodide = None if args.skip_pyodide else run_pyodide(args.products)
    print(side_by_side(cpython, pyodide))
    if args.json:
        print(json.dumps({"cpython": cpython, "pyodide": pyodide}, indent=1))


if __name__ == "__main__":
    main()
