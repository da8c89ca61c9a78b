"""A scale's labels, scanned: the weight or the price printed in the barcode is what is sold.

The demo shop reads labels with Odoo's rules as its relay mirrored them: "21.....{NNDDD}" (weight
in kg) and its own "23.....{NNNNN}" (price in whole rupiah). The scanner types the label's code
fast and ends with Enter, as a wedge scanner does; the sale then reaches the sandbox as sold.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from kasir.sandbox.demo import PRICED_PRODUCT_ID, WEIGHED_PRODUCT_ID
from playwright.sync_api import Page, expect
from processes import wait_for

from .helpers import browser_profile, open_till, orders_in_browser, pay_cash_and_validate, settle

pytestmark = pytest.mark.browser

RICE_750_G = "2100003007506"  # Beras curah (Rp 14.000 a kg), 0.750 kg
RICE_1234_G = "2100003012340"  # 1.234 kg: kg is sold in steps of 0.01, so 1.23 kg
FRUIT_AT_18500 = "2300004185009"  # Buah potong (Rp 15.000 on the shelf), labelled Rp 18.500


def scanner_scans(page: Page, code: str) -> None:
    page.locator("#scan").focus()
    page.keyboard.type(code, delay=6)
    page.keyboard.press("Enter")
    settle(page)


def test_weight_and_price_labels_sell_what_they_carry(tmp_path, sandbox, relay, pairing_code):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        lines = page.locator("#cart-lines .line")

        scanner_scans(page, RICE_750_G)
        expect(lines).to_have_count(1)
        expect(lines.nth(0)).to_contain_text("Beras curah")
        expect(lines.nth(0).locator("input.qty")).to_have_value("0.75")
        expect(lines.nth(0).locator(".line-amount")).to_have_text("Rp 10.500")

        scanner_scans(page, RICE_1234_G)  # a second bag: a line of its own
        expect(lines).to_have_count(2)
        expect(lines.nth(1).locator("input.qty")).to_have_value("1.23")
        expect(lines.nth(1).locator(".line-amount")).to_have_text("Rp 17.220")

        scanner_scans(page, FRUIT_AT_18500)
        expect(lines).to_have_count(3)
        expect(lines.nth(2)).to_contain_text("Buah potong")
        expect(lines.nth(2).locator("input.qty")).to_have_value("1")
        expect(lines.nth(2).locator(".line-amount")).to_have_text("Rp 18.500")
        expect(page.locator("#flash")).not_to_contain_text("Unknown code")

        pay_cash_and_validate(page)
        [order] = orders_in_browser(page)

    rows = wait_for(
        lambda: sandbox.rpc(
            "pos.order.line",
            "search_read",
            [[["order_id.uuid", "=", order["uuid"]]]],
            {"fields": ["product_id", "qty", "price_unit"], "order": "id"},
        ),
        "the sale in the sandbox",
    )
    sold = [(row["product_id"][0], Decimal(row["qty"]), Decimal(row["price_unit"])) for row in rows]
    assert sold == [
        (WEIGHED_PRODUCT_ID, Decimal("0.75"), Decimal(14000)),
        (WEIGHED_PRODUCT_ID, Decimal("1.23"), Decimal(14000)),
        (PRICED_PRODUCT_ID, Decimal(1), Decimal(18500)),
    ]
