"""A cashier with a keyboard only: shortcuts, Escape, arrow keys in the grid, few Tabs to Pay."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import add_by_scan, browser_profile, open_till, settle

pytestmark = pytest.mark.browser

CASHIER_MS = 120  # a person typing; a scanner types within a few ms (see scanner.js)


def _key(page, key: str) -> None:
    page.keyboard.press(key)
    settle(page)


def _focused(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def test_shortcuts_and_escape(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        lines = page.locator("#cart-lines .line")

        # F1 (or the Keys button) shows the shortcuts; the dialog takes the focus; Escape closes.
        _key(page, "F1")
        assert page.locator("#help").is_visible()
        expect(page.locator("#help-close")).to_be_focused()  # (a background sync may repaint)
        _key(page, "Escape")
        assert page.locator("#help").count() == 0
        expect(page.locator("#scan")).to_be_focused()  # (a background sync may repaint)
        page.locator("#keys-help").click()
        settle(page)
        assert page.locator("#help").is_visible()
        _key(page, "F1")
        assert page.locator("#help").count() == 0

        # F2 goes to the search; typed at a person's speed it finds the product.
        _key(page, "F2")
        expect(page.locator("#search")).to_be_focused()  # (a background sync may repaint)
        name = products[1]["name"]
        page.keyboard.type(name, delay=CASHIER_MS)
        _key(page, "Enter")
        assert page.locator(f'.tile[data-product-id="{products[1]["id"]}"]').count() == 1
        # The grid is one Tab stop; the arrow keys move inside it and Enter adds.
        page.locator("#search").press("Control+a")
        page.keyboard.press("Backspace")
        _key(page, "Enter")
        tiles = page.locator("#grid .tile")
        assert tiles.count() > 2
        # Out of a text field, "?" shows the keys too.
        tiles.first.focus()
        _key(page, "?")
        assert page.locator("#help").is_visible()
        _key(page, "Escape")
        tiles.first.focus()
        page.keyboard.press("ArrowRight")
        second = tiles.nth(1).get_attribute("data-product-id")
        assert page.evaluate("document.activeElement.dataset.productId") == second
        # Down goes to the tile under it.
        page.keyboard.press("ArrowDown")
        focused = page.locator("#grid .tile:focus")
        assert focused.bounding_box()["x"] == tiles.nth(1).bounding_box()["x"]
        assert focused.bounding_box()["y"] > tiles.nth(1).bounding_box()["y"]
        name = focused.locator(".tile-name").inner_text()
        _key(page, "Enter")
        assert lines.count() == 1 and name in lines.first.inner_text()

        # A scan (a burst of keys and Enter) still adds, whatever shortcuts exist.
        add_by_scan(page, products[0]["barcode"])
        assert lines.count() == 2

        # Escape closes the line editor, the order discount form and the sync panel.
        page.locator("#cart-lines .line button.edit").first.click()
        settle(page)
        assert page.locator("#line-editor").is_visible()
        _key(page, "Escape")
        assert page.locator("#line-editor").count() == 0
        page.locator("#order-discount").click()
        settle(page)
        assert page.locator("#order-discount-form").is_visible()
        _key(page, "Escape")
        assert page.locator("#order-discount-form").count() == 0
        page.locator("#sync-panel summary").click()
        settle(page)
        assert page.locator("#sync-panel[open]").count() == 1
        _key(page, "Escape")
        assert page.locator("#sync-panel[open]").count() == 0
        assert lines.count() == 2

        # F3 opens the customers, F6 parks the sale (Escape keeps it open).
        _key(page, "F3")
        expect(page.locator("#customer-q")).to_be_focused()
        _key(page, "Escape")
        _key(page, "F6")
        assert page.locator("#park-note").is_visible()
        _key(page, "Escape")
        assert page.locator("#park-note").count() == 0 and lines.count() == 2

        # F9 pays; Escape goes back to the sale; F8 tenders the exact cash; F12 validates.
        _key(page, "F9")
        assert page.locator("#validate").is_disabled()
        _key(page, "Escape")
        assert page.locator("#scan").is_visible() and lines.count() == 2
        _key(page, "F9")
        _key(page, "F8")
        assert page.locator("#payments .payment").count() == 1
        assert page.locator("#validate").is_enabled()
        _key(page, "F12")
        assert page.locator("#receipt").is_visible()
        # F4 starts the next sale.
        _key(page, "F4")
        assert page.locator("#scan").is_visible() and lines.count() == 0

        # Ctrl+Enter validates too; Escape leaves the receipt for the next sale.
        add_by_scan(page, products[2]["barcode"])
        _key(page, "F9")
        _key(page, "F8")
        _key(page, "Control+Enter")
        assert page.locator("#receipt").is_visible()
        _key(page, "Escape")
        assert page.locator("#scan").is_visible() and lines.count() == 0

        # Escape goes back to the sale from the recent sales and from a refund.
        page.locator("#orders").click()
        settle(page)
        assert page.locator(".orders .order-row").count() == 2
        _key(page, "Escape")
        assert page.locator("#scan").is_visible()
        page.locator("#orders").click()
        settle(page)
        page.locator(".refund-open").first.click()
        settle(page)
        assert page.locator("#refund-form").is_visible()
        _key(page, "Escape")
        assert page.locator("#scan").is_visible() and lines.count() == 0


def test_few_tabs_from_the_scan_box_to_pay(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        add_by_scan(page, products[0]["barcode"])
        page.locator("#scan").focus()
        tabs, path = 0, []
        while _focused(page) != "pay" and tabs < 60:
            page.keyboard.press("Tab")
            tabs += 1
            path.append(_focused(page) or page.evaluate("document.activeElement.className"))
        # scan -> search -> categories -> product grid -> catalog tools -> customer -> pickers
        # -> the line's 5 controls -> sale tools -> Pay (grid, chip rows and toolbars: one stop each)
        assert _focused(page) == "pay", f"Pay not reached in {tabs} Tabs"
        assert tabs <= 14, f"{tabs} Tabs from the scan box to Pay: {path}"
        # Enter on the focused Pay button pays.
        _key(page, "Enter")
        assert page.locator("#tendered").is_visible()
