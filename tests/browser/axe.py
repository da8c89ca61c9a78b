"""axe-core in the browser tests: a pinned release, verified, run on the page as a cashier sees it.

axe-core is fetched once with `npm pack` into .cache/ (the way build.py fetches Pyodide) and its
tarball is checked against the pinned integrity before a byte of it runs in a page.
"""

from __future__ import annotations

import functools
import io
import tarfile
from typing import Any

from playwright.sync_api import Page

from build import npm_tarball

AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
BLOCKING = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    """The text of axe.min.js from the pinned, verified axe-core tarball."""
    data = npm_tarball("axe-core", AXE_VERSION, AXE_INTEGRITY)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.extractfile("package/axe.min.js").read().decode()


def violations(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (all rules axe runs by default)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)"
    )


def blocking(found: list[dict[str, Any]], where: str) -> list[str]:
    """One line per serious or critical violation: where, rule id, impact, target and summary."""
    return [
        f"{where}: {rule['id']} ({rule['impact']}) {node['target']}: "
        f"{(node.get('failureSummary') or rule['help']).splitlines()[-1].strip()}"
        for rule in found
        if rule.get("impact") in BLOCKING
        for node in rule["nodes"]
        if node.get("impact") in BLOCKING or node.get("impact") is None
    ]


def check(page: Page, where: str) -> list[str]:
    """The serious and critical violations of the page now, for a test to collect and report."""
    return blocking(violations(page), where)
