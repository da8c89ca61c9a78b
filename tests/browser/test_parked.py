"""Parked sales in real Chromium: park two, reload, resume one and pay it, the other still waits.
Search as you type, across every category; the newest of 30 lines stays in view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from processes import odoo_call

from . import axe
from .helpers import (
    add_by_scan,
    browser_profile,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    settle,
)
from .test_layout import _check_controls

pytestmark = pytest.mark.browser

SCANNER_MS = 6
CASHIER_MS = 120


def scan(page: Page, code: str) -> None:
    """A wedge scanner: a burst of keys into whatever has focus, then Enter."""
    page.keyboard.type(code, delay=SCANNER_MS)
    page.keyboard.press("Enter")
    settle(page)


def cart_names(page: Page) -> list[str]:
    return page.locator("#cart-lines li.line .line-name").all_inner_texts()


def park(page: Page, note: str) -> None:
    page.locator("#park").click()
    settle(page)
    expect(page.locator("#park-note")).to_be_focused()
    page.keyboard.type(note, delay=CASHIER_MS)
    page.keyboard.press("Enter")
    settle(page)


def parked_rows(page: Page) -> list[str]:
    return [
        " ".join(text.split()) for text in page.locator(".parked-row .resume").all_inner_texts()
    ]


def test_park_two_sales_reload_resume_one_and_pay_it(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        add_by_scan(page, products[0]["barcode"])
        add_by_scan(page, products[0]["barcode"])
        park(page, "Bu Ani")
        assert cart_names(page) == []
        expect(page.locator("#parked")).to_have_text("Parked (1)")
        add_by_scan(page, products[1]["barcode"])
        add_by_scan(page, products[2]["barcode"])
        park(page, "")
        expect(page.locator("#parked")).to_have_text("Parked (2)")

        page.reload()
        page = open_till(context, None, page=page)
        expect(page.locator("#parked")).to_have_text("Parked (2)")
        page.locator("#parked").click()
        settle(page)
        rows = parked_rows(page)
        assert len(rows) == 2
        assert rows[0].startswith("Bu Ani") and "1 line" in rows[0]
        assert rows[1].startswith("No note") and "2 lines" in rows[1]

        page.locator(".parked-row .resume", has_text="Bu Ani").click()
        settle(page)
        assert cart_names(page) == [products[0]["name"]]
        assert page.locator("#cart-lines input.qty").input_value() == "2"
        pay_cash_and_validate(page)
        [order] = orders_in_browser(page)  # the parked sales are no sales: only the paid one
        assert [line["product_id"] for line in order["lines"]] == [products[0]["id"]]

        expect(page.locator("#parked")).to_have_text("Parked (1)")
        page.locator("#parked").click()
        settle(page)
        [row] = parked_rows(page)
        assert row.startswith("No note") and "2 lines" in row
        page.locator(".parked-row .resume").click()
        settle(page)
        assert cart_names(page) == [products[1]["name"], products[2]["name"]]


def test_search_as_you_type_across_every_category(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        page.locator(".categories .chip", has_text="Minuman").click()
        settle(page)
        assert not any("Sarimi" in name for name in tile_names(page))

        page.locator("#search").click()
        page.keyboard.type("sarimi", delay=CASHIER_MS)  # no Enter
        page.wait_for_function(
            """() => {
                const names = [...document.querySelectorAll('#grid .tile-name')]
                    .map((n) => n.textContent);
                return names.length > 0 && names.every((n) => /sarimi/i.test(n));
            }"""
        )
        settle(page)
        expect(page.locator("#search")).to_be_focused()
        assert page.locator("#search").input_value() == "sarimi"
        active = page.locator(".categories .chip[aria-pressed=true]")
        expect(active).to_have_attribute("data-arg", "all")

        # A scanner's burst into the search field is a scan; the search stays as typed. (The
        # cashier takes up the scanner first: keys typed just before a burst may join it.)
        page.wait_for_timeout(1000)
        scan(page, products[3]["barcode"])
        assert cart_names(page) == [products[3]["name"]]
        assert page.locator("#search").input_value() == "sarimi"
        assert all(re.search("sarimi", name, re.I) for name in tile_names(page))


def tile_names(page: Page) -> list[str]:
    return page.locator("#grid .tile-name").all_inner_texts()


# The newest line is wholly in the view of what scrolls the lines, or, taller than it, from its top
# (name and amount), and that view is on screen.
NEWEST_IN_VIEW = """() => {
    const list = document.querySelector(".cart-body");
    const line = list.querySelector(".line.last");
    const box = list.getBoundingClientRect(), row = line.getBoundingClientRect();
    const head = line.querySelector(".line-head").getBoundingClientRect();
    const within = (r) => r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    const fits = row.height <= box.height;
    return (fits ? within(row) : within(head)) && box.bottom <= innerHeight;
}"""


# What scrolls the lines (with the customer and the pickers above them).
CART_PANE = 'document.querySelector(".cart-body")'


def barcoded(sandbox: Any, count: int) -> list[dict[str, Any]]:
    return odoo_call(
        sandbox.url,
        "product.product",
        "search_read",
        [[["barcode", "!=", False], ["available_in_pos", "=", True]]],
        {"fields": ["id", "name", "barcode"], "order": "id", "limit": count},
    )


@pytest.mark.parametrize(
    "size",
    ({"width": 390, "height": 844}, {"width": 800, "height": 1280}),
    ids=lambda s: f"{s['width']}x{s['height']}",
)
def test_the_newest_of_30_lines_is_in_view(tmp_path, sandbox, relay, pairing_code, size):
    where = f"{size['width']}x{size['height']}"
    with browser_profile(tmp_path / "profile", viewport=size) as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        for number, item in enumerate(barcoded(sandbox, 30), 1):
            scan(page, item["barcode"])
            assert page.locator("#cart-lines li.line").count() == number
            assert page.locator("#cart-lines .line.last .line-name").inner_text() == item["name"]
            assert page.evaluate(NEWEST_IN_VIEW), f"{where}: line {number} is out of view"
        assert page.evaluate(f"{CART_PANE}.scrollTop") > 0

        # A background repaint leaves the list where the cashier scrolled it.
        page.evaluate(f"{CART_PANE}.scrollTop = 0")
        page.evaluate("""() => window.kasirTill.dispatch("outbox-changed", {}, {aside: true})""")
        settle(page)
        assert page.evaluate(f"{CART_PANE}.scrollTop") == 0

        # Parking it and the list of parked sales fit this screen, and axe finds nothing serious.
        problems: list[str] = []
        page.locator("#park").click()
        settle(page)
        _check_controls(page, f"{where} park", problems)
        problems += axe.check(page, f"{where} park")
        page.keyboard.press("Enter")
        settle(page)
        page.locator("#parked").click()
        settle(page)
        page.locator(".parked-row .discard").click()
        settle(page)
        expect(page.locator("#confirm-discard-yes")).to_be_focused()
        _check_controls(page, f"{where} parked", problems)
        problems += axe.check(page, f"{where} parked")
        assert not problems, "\n".join(problems)
