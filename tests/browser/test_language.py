"""Two languages on the till, in real Chromium: the cashier's switch, the language kept across a
reload and a new build (offline), a catalog that cannot be fetched, and the shop's language set in
Odoo. The words checked are the catalog's own, so the test follows the catalog, not a copy of it."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from playwright.sync_api import Page
from processes import ROOT, add_terminal, start_relay, wait_for

from . import axe
from .helpers import browser_profile, evaluate_across_reload, open_till, settle
from .test_update import CACHES, publish_new_version

pytestmark = pytest.mark.browser

ID = json.loads((ROOT / "pwa" / "static" / "i18n" / "id.json").read_text(encoding="utf-8"))

# Every text node and every text-bearing attribute in the till, trimmed.
SHOWN_TEXTS = """() => {
    const app = document.getElementById("app");
    const texts = [];
    const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) texts.push(walker.currentNode.nodeValue.trim());
    for (const el of app.querySelectorAll("[placeholder], [title], [aria-label]")) {
        for (const name of ["placeholder", "title", "aria-label"]) {
            if (el.hasAttribute(name)) texts.push(el.getAttribute(name).trim());
        }
    }
    return texts.filter(Boolean);
}"""


def english_left(page: Page) -> list[str]:
    """Texts on screen that are an English message the catalog translates differently."""
    return sorted({t for t in page.evaluate(SHOWN_TEXTS) if ID.get(t) and ID[t] != t})


def speaks_indonesian(page: Page) -> None:
    assert page.evaluate("document.documentElement.lang") == "id"
    words = {"#sync-now": "Sync now", "#settings > summary": "Settings"}
    for selector, english in words.items():
        assert ID[english] and ID[english] != english
        assert page.locator(selector).inner_text().strip() == ID[english]
    placeholder = "Scan or type a barcode or code"
    assert page.locator("#scan").get_attribute("placeholder") == ID[placeholder]
    assert english_left(page) == []


def speaks_english(page: Page) -> None:
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#sync-now").inner_text().strip() == "Sync now"
    assert page.locator("#settings > summary").inner_text().strip() == "Settings"


def choose_language(page: Page, code: str) -> None:
    page.locator("#settings > summary").click()
    settle(page)
    page.locator(f"#language-{code}").click()
    settle(page)


def watch_errors(page: Page) -> list[Any]:
    errors: list[Any] = []
    page.on("pageerror", lambda error: errors.append(error))
    return errors


def test_switching_to_indonesian_speaks_it_at_once_and_after_a_reload(
    tmp_path, sandbox, relay, pairing_code
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        errors = watch_errors(page)
        speaks_english(page)

        choose_language(page, "id")
        speaks_indonesian(page)
        assert page.locator("#language-id").get_attribute("aria-pressed") == "true"
        assert axe.check(page, "settings panel, in Indonesian") == []

        page.reload()
        page = open_till(context, None, page=page)
        speaks_indonesian(page)

        choose_language(page, "en")
        speaks_english(page)
        page.reload()
        page = open_till(context, None, page=page)
        speaks_english(page)
        assert errors == []


def test_after_a_new_build_the_till_starts_offline_in_its_language(tmp_path, sandbox):
    dist = tmp_path / "dist"
    shutil.copytree(ROOT / "dist", dist)
    (tmp_path / "relay").mkdir()
    relay = start_relay(tmp_path / "relay", sandbox.url, dist=dist)
    profile = tmp_path / "profile"
    try:
        code = add_terminal(relay, "kasir-1")
        with browser_profile(profile) as context:
            page = open_till(context, f"{relay.url}/?pair={code}", service_worker=True)
            choose_language(page, "id")
            speaks_indonesian(page)
            (old_cache,) = page.evaluate(CACHES)

            new_version = publish_new_version(dist)
            page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
            # No sale is open: the new version takes over at once (the page reloads into it).
            wait_for(
                lambda: evaluate_across_reload(page, CACHES) == [f"kasir-{new_version}"],
                "the new version's cache to replace the old one",
            )
            assert old_cache != f"kasir-{new_version}"
            page = open_till(context, None, page=page, service_worker=True)
            speaks_indonesian(page)
            assert page.evaluate("caches.has('kasir-i18n')") is True
    finally:
        relay.kill()

    # The relay is gone and the tablet is offline: the words come from the worker's cache.
    with browser_profile(profile, offline=True) as context:
        page = open_till(context, relay.url)
        errors = watch_errors(page)
        speaks_indonesian(page)
        assert errors == []


def test_a_catalog_that_cannot_be_fetched_leaves_the_till_in_english(
    tmp_path, sandbox, relay, pairing_code
):
    # Playwright cannot route what a service worker fetches: the page fetches for itself here.
    with browser_profile(tmp_path / "profile", service_workers="block") as context:
        context.route("**/i18n/*", lambda route: route.abort())
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        errors = watch_errors(page)

        choose_language(page, "id")
        speaks_english(page)
        assert page.locator("#flash").inner_text().strip()  # it says why, in English
        assert page.locator("#language-id").get_attribute("aria-pressed") == "false"

        # The choice is kept; the next start tries again, fails again, and still starts.
        page.reload()
        page = open_till(context, None, page=page)
        speaks_english(page)
        assert page.locator("#boot").is_hidden()
        assert errors == []


def test_a_shop_set_to_indonesian_in_odoo_starts_a_fresh_till_in_indonesian(tmp_path, sandbox):
    sandbox.rpc("res.users", "write", [[2], {"lang": "id_ID"}])
    (tmp_path / "relay").mkdir()
    relay = start_relay(tmp_path / "relay", sandbox.url)
    try:
        code = add_terminal(relay, "kasir-1")
        with browser_profile(tmp_path / "profile") as context:
            page = open_till(context, f"{relay.url}/?pair={code}")
            speaks_indonesian(page)
            assert page.locator("#language-id").get_attribute("aria-pressed") == "true"
    finally:
        relay.stop()


def test_scanner_settings_typed_in_the_panel_are_used_at_once_and_after_a_reload(
    tmp_path, sandbox, relay, pairing_code, products
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        page.locator("#settings > summary").click()
        settle(page)
        page.locator("#setting-threshold_ms").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("5000", delay=120)  # a cashier's typing, not a scan
        page.keyboard.press("Enter")
        settle(page)
        assert page.locator("#setting-threshold_ms").input_value() == "5000"
        assert page.locator("#setting-threshold_ms-error").is_visible()
        assert axe.check(page, "scanner settings refused") == []

        page.locator("#setting-threshold_ms").fill("30")
        page.locator("#setting-prefix").click()
        page.keyboard.type("]E0", delay=120)
        page.keyboard.press("Enter")
        settle(page)
        assert page.locator("#settings").get_attribute("open") is None

        # Now, and after a reload (the settings are kept on the tablet).
        for product in products[:2]:
            lines = page.locator("#cart-lines .line").count()
            page.keyboard.type("]E0" + product["barcode"], delay=6)  # the prefix comes first
            page.keyboard.press("Enter")
            settle(page)
            assert page.locator("#cart-lines .line").count() == lines + 1
            assert page.locator(".flash-error").count() == 0
            page.reload()
            page = open_till(context, None, page=page)
            page.locator("#settings > summary").click()
            settle(page)
            assert page.locator("#setting-prefix").input_value() == "]E0"
            page.keyboard.press("Escape")
            settle(page)
