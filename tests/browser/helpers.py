"""Driving the till in real Chromium the way a cashier does: scan, tap, pay, validate."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = os.environ.get("KASIR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_MS = 60_000
# The till's day open is sent and booked: nothing unsent, nothing waiting at the relay.
DAY_SETTLED = (
    "document.querySelector('#pending-count')?.dataset.count === '0'"
    " && !document.querySelector('#relay-count')"
)
DAY_SETTLED_MS = 10_000


@contextlib.contextmanager
def browser_profile(
    path: Path, *, offline: bool = False, **options: Any
) -> Iterator[BrowserContext]:
    """A browser started on a persistent profile and closed at the end: a real browser restart.

    `options` go to Playwright's launch_persistent_context (e.g. service_workers="block" for a
    test that routes requests: Playwright cannot route what a service worker fetches)."""
    with browser_profiles(path, offline=offline, **options) as (context,):
        yield context


@contextlib.contextmanager
def browser_profiles(
    *paths: Path, offline: bool = False, **options: Any
) -> Iterator[list[BrowserContext]]:
    """One browser per profile, open together (two tablets of one shop): Playwright's sync API
    runs once per thread, so they share one of it."""
    with sync_playwright() as p, contextlib.ExitStack() as stack:
        contexts = []
        for path in paths:
            context = p.chromium.launch_persistent_context(
                str(path), executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options
            )
            stack.callback(context.close)
            if offline:
                context.set_offline(True)
            contexts.append(context)
        yield contexts


def browser_pid(profile: Path) -> int:
    """The main process of the browser running on `profile` (Playwright starts it as the leader
    of a process group of its own: the group is exactly that browser)."""
    flag = f"--user-data-dir={profile}".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if flag in args and not any(arg.startswith(b"--type=") for arg in args):
            if os.getpgid(int(pid)) != int(pid) or int(pid) == os.getpgrp():
                raise RuntimeError(f"browser {pid} is not the leader of a group of its own")
            return int(pid)
    raise RuntimeError(f"no browser runs on {profile}")


def kill_browser(context: BrowserContext, pid: int) -> None:
    """SIGKILL the browser of `context` (its `browser_pid`), all its processes at once
    (renderers, the storage service): a crash where nothing gets to save or close. Returns once
    Playwright has seen it go (closing the context after that is a no-op)."""
    with context.expect_event("close"):
        os.killpg(pid, signal.SIGKILL)


def open_till(
    context: BrowserContext,
    url: str | None,
    *,
    page: Page | None = None,
    service_worker: bool = False,
    open_day: bool = True,
) -> Page:
    """Open (or wait for, after a reload) the till until it is ready to scan. A till with no
    day open starts on the open-day screen: `open_day` opens it with an empty drawer (Rp 0) and,
    online, sends that at once, so the tests of selling start as before (False: stop there)."""
    page = page or (context.pages[0] if context.pages else context.new_page())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if url:
        page.goto(url)
    try:
        page.wait_for_function("window.kasirReadyAt !== undefined", timeout=READY_MS)
    except Exception:
        boot = page.locator("#boot").inner_text() if page.locator("#boot").count() else ""
        raise AssertionError(f"the till did not become ready: {boot!r} {errors}") from None
    page.locator("#scan, #open-day-submit").first.wait_for()
    if not open_day and page.locator("#open-day-submit").count():
        return page
    if page.locator("#open-day-submit").count():
        page.locator("#open-day-submit").click()
        settle(page)
        if page.evaluate("navigator.onLine"):
            page.locator("#sync-now").click()
            settle(page)
            # Until Odoo has the open, sync news repaints the screen under the test's feet; a
            # relay that is down (some tests start so) keeps it in the outbox like a sale.
            with contextlib.suppress(PlaywrightError):
                page.wait_for_function(DAY_SETTLED, timeout=DAY_SETTLED_MS)
    page.locator("#scan").wait_for()
    if service_worker:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=READY_MS)
    return page


def settle(page: Page) -> None:
    """Wait until every dispatched action has been handled by Python and painted.

    An action may hand over to a new app version, which reloads the page: that also counts as settled.
    """
    evaluate_across_reload(page, "window.kasirTill ? window.kasirTill.settled() : true")


def add_by_scan(page: Page, code: str) -> None:
    # A wedge scanner types fast and ends with Enter.
    page.locator("#scan").press_sequentially(code, delay=5)
    page.locator("#scan").press("Enter")
    settle(page)


def sync_now_if_offered(page: Page) -> None:
    """Tap the day screen's Sync now, just back online. The till also sends by itself when the
    network comes back: on a quick machine it has sent before the tap, and the button has gone
    with the last unsent record."""
    try:
        page.locator("#day-sync").click(timeout=3000)
    except PlaywrightTimeoutError:
        assert page.locator("#day-sync").count() == 0


def add_by_tap(page: Page, product_id: int) -> None:
    page.locator(f'.tile[data-product-id="{product_id}"]').first.click()
    settle(page)


def pay_cash_and_validate(
    page: Page, tendered: str | None = None, *, next_sale: bool = True
) -> None:
    """Pay in cash (exactly what is due, or `tendered`) and validate; then the next sale, unless
    the test reads the receipt first (`next_sale=False`)."""
    if page.locator("#pay").count():  # a refund comes to the pay screen by itself
        page.locator("#pay").click()
        settle(page)
    if tendered is None:
        page.locator('[data-action="pay-exact"]').first.click()
    else:
        page.locator("#tendered").fill(tendered)
        page.locator("#tendered").press("Enter")
    settle(page)
    page.locator("#validate").click()
    settle(page)
    page.locator("#receipt").wait_for()
    if not next_sale:
        return
    page.locator("#new-sale").click()
    settle(page)
    page.locator("#scan").wait_for()


def downloaded_json(page: Page, button: Locator, folder: Path) -> tuple[Path, Any]:
    """Click `button`, which saves a JSON file (the recovery export): the file, kept in `folder`
    under the name the page gave it, and what it holds."""
    with page.expect_download() as info:
        button.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path, json.loads(path.read_text())


def pending_count(page: Page) -> int:
    return int(page.locator("#pending-count").get_attribute("data-count"))


def stored(page: Page, store: str, *, count: bool = False) -> Any:
    """Everything in one IndexedDB store of the till (or, `count`, how many records it holds)."""
    return page.evaluate(
        """([store, count]) => new Promise((resolve, reject) => {
            const open = indexedDB.open("kasir");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const records = open.result.transaction(store).objectStore(store);
                const req = count ? records.count() : records.getAll();
                req.onsuccess = () => resolve(req.result);
                req.onerror = () => reject(req.error);
            };
        })""",
        [store, count],
    )


def orders_in_browser(page: Page) -> list[dict[str, Any]]:
    return stored(page, "orders")


def sandbox_orders(sandbox: Any, uuids: list[str]) -> list[dict[str, Any]]:
    fields = ["uuid", "name", "pos_reference", "amount_total", "amount_tax", "state"]
    return sandbox.rpc("pos.order", "search_read", [[["uuid", "in", uuids]]], {"fields": fields})


def evaluate_across_reload(page: Page, expression: str) -> Any:
    """page.evaluate that answers None while the page is navigating instead of raising."""
    try:
        return page.evaluate(expression)
    except PlaywrightError as exc:
        if "context was destroyed" in str(exc) or "navigat" in str(exc):
            return None
        raise
