"""A wedge scanner's burst is a scan wherever focus is; a cashier's typing stays where it was typed.

The scanner types at 5 ms per key and presses Enter (or Tab); the cashier types at 120 ms per key.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page

from .helpers import READY_MS, browser_profile, open_till, settle

pytestmark = pytest.mark.browser

SCANNER_MS = 5
CASHIER_MS = 120


def scan(page: Page, code: str, end: str = "Enter") -> None:
    """The scanner: a burst of keys into whatever has focus, then Enter (or Tab); no waiting."""
    page.keyboard.type(code, delay=SCANNER_MS)
    page.keyboard.press(end)


def cashier_types(page: Page, text: str) -> None:
    page.keyboard.type(text, delay=CASHIER_MS)
    page.keyboard.press("Enter")
    settle(page)


def cart_lines(page: Page) -> list[tuple[str, str]]:
    """(product name, quantity) of each line of the open sale, in order."""
    rows = page.eval_on_selector_all(
        "#cart-lines li.line",
        "lines => lines.map(l => [l.querySelector('.line-name').textContent,"
        " l.querySelector('input.qty').value])",
    )
    return [tuple(row) for row in rows]


def flash(page: Page) -> str:
    box = page.locator("#flash")
    return "" if box.get_attribute("hidden") is not None else box.inner_text()


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def one_each(products: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(p["name"], "1") for p in products]


def test_a_scan_lands_in_the_sale_wherever_focus_is(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = context.new_page()
        page.goto(f"{relay.url}/")
        # The pairing screen is no place for scans: a pairing code typed by a scanner pairs.
        page.locator("#pair-code").wait_for(timeout=READY_MS)
        page.locator("#pair-code").focus()
        scan(page, pairing_code)
        open_till(context, None, page=page)  # paired: the day opens, then the sale
        assert focused_id(page) == "scan"

        scan(page, products[0]["barcode"])
        settle(page)
        assert cart_lines(page) == one_each(products[:1])

        # A line's quantity field: the scan adds the product, the quantity stays.
        qty = page.locator("#cart-lines input.qty").first
        qty.click()
        scan(page, products[1]["barcode"])
        settle(page)
        assert cart_lines(page) == one_each(products[:2])
        assert flash(page) == ""

        # The search field: the scan lands in the sale and the search the cashier typed stays.
        query = products[2]["name"].split()[0]
        page.locator("#search").click()
        cashier_types(page, query)
        assert focused_id(page) == "search"
        scan(page, products[2]["barcode"])
        settle(page)
        assert cart_lines(page) == one_each(products[:3])
        assert page.locator("#search").input_value() == query
        assert flash(page) == ""

        # The amount field of the pay screen: the scan sells one more and tenders nothing.
        page.locator("#pay").click()
        settle(page)
        assert focused_id(page) == "tendered"
        scan(page, products[3]["barcode"])
        settle(page)
        assert cart_lines(page) == one_each(products[:4])
        page.locator("#pay").click()
        settle(page)
        assert page.locator("#tendered").input_value() == ""
        assert page.locator("#payments li").count() == 0
        assert page.locator("#validate").is_disabled()

        # The cashier's own typing in the same field, at human speed, still tenders.
        assert focused_id(page) == "tendered"
        cashier_types(page, "28.000")
        assert flash(page) == ""
        assert digits(page.locator("#tendered-total").inner_text()) == "28000"
        assert page.locator("#payments li").count() == 1
        total = int(digits(page.locator("#pay-total").inner_text()))
        assert digits(page.locator("#due").inner_text()) == str(total - 28000)
        page.locator('[data-action="pay-exact"]').first.click()  # the rest, by the first method
        settle(page)
        page.locator("#validate").click()
        settle(page)

        # The receipt: the next customer's first scan starts the next sale with that item.
        page.locator("#receipt").wait_for()
        assert focused_id(page) == "new-sale"
        scan(page, products[4]["barcode"])
        settle(page)
        assert page.locator("#receipt").count() == 0
        assert cart_lines(page) == one_each(products[4:5])
        assert flash(page) == ""

        # Keys typed by hand, a tap, then a scan at once (well within the 300 ms after which no
        # key before can belong to a scan): the tap ends the typing, the scan is its own code.
        page.locator("#search").click()
        page.keyboard.type("sa", delay=CASHIER_MS)
        page.locator("#scan").click()
        scan(page, products[5]["barcode"])
        settle(page)
        assert flash(page) == ""
        assert cart_lines(page) == one_each(products[4:6])


def write_settings(page: Page, settings: dict[str, Any]) -> None:
    """Store scanner settings in IndexedDB meta "settings", as the settings form does."""
    page.evaluate(
        """(settings) => new Promise((resolve, reject) => {
            const open = indexedDB.open("kasir");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const tx = open.result.transaction("meta", "readwrite");
                const meta = tx.objectStore("meta");
                const read = meta.get("settings");
                read.onsuccess = () => meta.put({...(read.result || {}), ...settings}, "settings");
                tx.oncomplete = () => { open.result.close(); resolve(true); };
                tx.onerror = () => reject(tx.error);
            };
        })""",
        settings,
    )


def test_back_to_back_scans_tab_and_scanner_settings(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")

        # Ten codes with no pause: every repaint lands in the middle of the next burst.
        for product in products[:10]:
            scan(page, product["barcode"])
        settle(page)
        assert cart_lines(page) == one_each(products[:10])
        assert flash(page) == ""

        # Tab ends a scan as well, and focus stays where it was.
        scan(page, products[10]["barcode"], end="Tab")
        settle(page)
        assert cart_lines(page) == one_each(products[:11])
        assert focused_id(page) == "scan"

        # The scan box by hand: a count typed before a scan multiplies it; a whole code typed
        # and entered is a scan too.
        page.keyboard.type("3*", delay=CASHIER_MS)
        page.wait_for_timeout(500)  # the cashier picks up the scanner
        scan(page, products[13]["barcode"])
        settle(page)
        cashier_types(page, products[14]["barcode"])
        # With nothing focused, typing goes to the scan box.
        page.evaluate("document.activeElement.blur()")
        cashier_types(page, products[15]["barcode"])
        hand = [(products[13]["name"], "3"), *one_each(products[14:16])]
        assert cart_lines(page) == one_each(products[:11]) + hand
        assert flash(page) == ""

        # A scanner that sends a prefix and a suffix, and is slower than the default threshold.
        write_settings(
            page,
            {
                "scan_prefix": "]E0",
                "scan_suffix": "~",
                "scan_min_length": 3,
                "scan_threshold_ms": 80,
            },
        )
        page.reload()
        open_till(context, None, page=page)
        scan(page, f"]E0{products[11]['barcode']}~")
        settle(page)
        assert cart_lines(page) == one_each(products[:11]) + hand + one_each(products[11:12])
        assert flash(page) == ""
        # A burst of the prefix alone is no code.
        scan(page, "]E0")
        settle(page)
        assert cart_lines(page) == one_each(products[:11]) + hand + one_each(products[11:12])
        assert flash(page) == ""
        assert page.locator("#scan").input_value() == ""
        # At 40 ms per key into the search field: a scan with a threshold of 80 ms (the form's most).
        page.locator("#search").click()
        page.keyboard.type(f"]E0{products[12]['barcode']}~", delay=40)
        page.keyboard.press("Enter")
        settle(page)
        assert cart_lines(page) == one_each(products[:11]) + hand + one_each(products[11:13])
        assert page.locator("#search").input_value() == ""
        assert flash(page) == ""
