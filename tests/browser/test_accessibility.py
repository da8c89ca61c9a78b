"""axe-core finds nothing serious or critical on any screen, on a landscape tablet and on a phone."""

from __future__ import annotations

import httpx
import pytest
from processes import start_relay

from . import axe
from .helpers import add_by_scan, browser_profile, open_till, settle

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 800}, {"width": 390, "height": 844})
ADMIN_TOKEN = "a11y-admin-token"


def _audit(page, where: str, found: list[str]) -> None:
    """axe on the page as it is, at every size; what it finds is added to `found`."""
    for size in SIZES:
        page.set_viewport_size(size)
        found += axe.check(page, f"{where} @{size['width']}x{size['height']}")
    page.set_viewport_size(SIZES[0])


def _click(page, selector: str) -> None:
    page.locator(selector).first.click()
    settle(page)


def test_every_till_screen_passes_axe(tmp_path, relay, pairing_code, products):
    found: list[str] = []
    with browser_profile(tmp_path / "profile", viewport=SIZES[0], bypass_csp=True) as context:
        page = context.new_page()
        page.goto(relay.url)
        page.locator("#pair-code").wait_for()
        _audit(page, "pairing", found)
        page.locator("#pair-code").fill(pairing_code)
        page.locator("#pair-code").press("Enter")
        page = open_till(context, None, page=page)
        _audit(page, "sell, empty", found)

        add_by_scan(page, products[0]["barcode"])
        add_by_scan(page, products[1]["barcode"])
        _audit(page, "sell, two lines", found)
        _click(page, "#cart-lines .line button.edit")
        page.locator("#line-editor").wait_for()
        _audit(page, "sell, line editor", found)
        page.keyboard.press("Escape")
        settle(page)
        _click(page, "#order-discount")
        page.locator("#order-discount-form").wait_for()
        _audit(page, "sell, order discount", found)
        _click(page, "#sync-panel summary")
        page.locator("#sync-panel[open]").wait_for()
        _audit(page, "sell, sync panel", found)
        page.locator("#scan").fill("0000000000")
        page.locator("#scan").press("Enter")
        settle(page)
        page.locator("#flash.flash-error").wait_for()
        _audit(page, "sell, flash", found)
        page.keyboard.press("F1")
        settle(page)
        page.locator("#help").wait_for()
        _audit(page, "help overlay", found)
        page.keyboard.press("Escape")
        settle(page)

        _click(page, "#pay")
        _audit(page, "pay", found)
        _click(page, '[data-action="pay-exact"]')
        _click(page, "#validate")
        page.locator("#receipt").wait_for()
        _audit(page, "receipt", found)
        _click(page, "#new-sale")
        _click(page, "#orders")
        page.locator(".orders").wait_for()
        _audit(page, "recent sales", found)
        _click(page, ".refund-open")
        page.locator("#refund-form").wait_for()
        _audit(page, "refund", found)
        page.locator(".refund-qty").first.fill("1")
        _click(page, "#refund-selected")
        page.locator("#refund-banner").wait_for()
        _audit(page, "pay, refund", found)
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)


def test_relay_pages_pass_axe(tmp_path, sandbox):
    found: list[str] = []
    relay = start_relay(tmp_path, sandbox.url, env={"KASIR_ADMIN_TOKEN": ADMIN_TOKEN})
    try:
        httpx.get(f"{relay.url}/healthz", timeout=5).raise_for_status()
        with browser_profile(tmp_path / "profile", viewport=SIZES[0], bypass_csp=True) as context:
            page = context.new_page()
            page.goto(f"{relay.url}/offline")
            _audit(page, "/offline", found)
            page.goto(f"{relay.url}/admin")
            page.locator('input[name="token"]').wait_for()
            _audit(page, "/admin login", found)
            page.locator('input[name="token"]').fill(ADMIN_TOKEN)
            page.locator('input[name="token"]').press("Enter")
            page.wait_for_url(f"{relay.url}/admin")
            page.locator('form[action="/admin/logout"]').wait_for()
            _audit(page, "/admin", found)
    finally:
        relay.stop(timeout=5)
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
