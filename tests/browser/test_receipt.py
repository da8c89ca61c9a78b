"""The receipt in real Chromium: the shop's address and NPWP, taxes per rate, times in the shop's
zone (the browser's Intl; Pyodide has none), and printing: only the receipt, on a page as wide as
the tablet's paper (58 or 80 mm, a setting), automatically after each sale when chosen, and
again from Recent sales.

window.print is replaced in the page by a counter that notes which receipt was on screen: a real
print dialog would block the test. Chromium's own PDF output (page.pdf) then prints the page with
the page size the till asked for.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from kasir.sandbox.demo import TAX_ZERO_ID
from playwright.sync_api import Page, expect
from processes import add_terminal, start_relay

from .helpers import browser_profile, open_till, orders_in_browser, pay_cash_and_validate, settle

pytestmark = pytest.mark.browser

ZONE = "Asia/Jakarta"
MM = 96 / 25.4  # CSS px per mm
PT = 72 / 25.4  # PDF points per mm
# Note each print and the receipt on screen when it happened.
STUB_PRINT = """() => {
    window.printed = [];
    window.print = () => window.printed.push(document.getElementById("receipt")?.dataset.orderName);
}"""
# Anything of the till printed besides the receipt (and the boxes that hold it).
PRINTED_BESIDES = """() => {
    const receipt = document.getElementById("receipt");
    return [...document.querySelectorAll("body *")]
        .filter((el) => !receipt.contains(el) && !el.contains(receipt))
        .filter((el) => el.checkVisibility({visibilityProperty: true}))
        .map((el) => el.id || el.className || el.tagName);
}"""


def scanner_scans(page: Page, code: str) -> None:
    page.locator("#scan").focus()
    page.keyboard.type(code, delay=6)
    page.keyboard.press("Enter")
    settle(page)


def sell(page: Page, *codes: str) -> dict[str, Any]:
    """Scan, take the exact cash, validate: the order record the till kept."""
    for code in codes:
        scanner_scans(page, code)
    pay_cash_and_validate(page, next_sale=False)
    expect(page.locator("#receipt")).to_be_visible()
    name = page.locator("#receipt").get_attribute("data-order-name")
    (order,) = [o for o in orders_in_browser(page) if o["name"] == name]
    return order


def printed_pages(page: Page, tmp_path: Path) -> list[tuple[float, float]]:
    """Print with Chromium (as the print dialog would, with the till's page size): each page's
    width and height in mm."""
    pdf = page.pdf(path=tmp_path / "receipt.pdf", prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w) / PT, float(h) / PT) for w, h in boxes]


def check_print(page: Page, tmp_path: Path, paper_mm: int) -> None:
    page.emulate_media(media="print")
    try:
        box = page.locator("#receipt").bounding_box()
        assert box is not None and box["width"] <= paper_mm * MM + 0.5
        assert page.evaluate(PRINTED_BESIDES) == []
        ((width, height),) = printed_pages(page, tmp_path)  # one page: the whole receipt
        assert abs(width - paper_mm) < 0.5
        assert height * MM >= box["height"]
    finally:
        page.emulate_media(media="screen")


def ppn_included(price: Decimal) -> tuple[Decimal, Decimal]:
    base = (price / Decimal("1.11")).quantize(Decimal(1), ROUND_HALF_UP)
    return base, price - base


def idr(amount: Decimal) -> str:
    return "Rp " + f"{amount:,.0f}".replace(",", ".")


def test_a_receipt_with_two_rates_prints_alone_on_the_chosen_paper(tmp_path, sandbox, products):
    taxed, exempt = products[0], products[1]
    # A manager makes the second product exempt (PPN 0 %) before the relay mirrors the shop.
    answer = httpx.post(
        f"{sandbox.url}/sandbox/control",
        json={"action": "set_taxes", "id": exempt["id"], "taxes_id": [TAX_ZERO_ID]},
        timeout=5,
    )
    answer.raise_for_status()
    (tmp_path / "relay").mkdir()
    relay = start_relay(tmp_path / "relay", sandbox.url, env={"KASIR_TIMEZONE": ZONE})
    try:
        code = add_terminal(relay, "kasir-1")
        # The tablet's clock is in another zone than the shop's: the receipt shows the shop's.
        with browser_profile(tmp_path / "profile", timezone_id="America/New_York") as context:
            page = open_till(context, f"{relay.url}/?pair={code}")
            page.evaluate(STUB_PRINT)
            order = sell(page, taxed["barcode"], exempt["barcode"])
            receipt = page.locator("#receipt")
            text = receipt.inner_text()
            assert text.count("Toko Sumber Rejeki") == 1
            expect(page.locator("#receipt-address")).to_contain_text("Jl. Raya Cibubur No. 17")
            expect(page.locator("#receipt-address")).to_contain_text("Jakarta Timur 13720")
            expect(page.locator("#receipt-vat")).to_have_text("NPWP: 01.234.567.8-901.000")
            expect(receipt.locator(".r-cashier")).to_have_text("Cashier: kasir-1")

            base, tax = ppn_included(Decimal(taxed["list_price"]))
            rows = page.locator("#receipt-taxes tr.r-tax-rate")
            expect(rows).to_have_count(2)
            expect(rows.nth(0).locator("td")).to_have_text(["PPN 11%", idr(base), idr(tax)])
            expected = ["PPN 0%", idr(Decimal(exempt["list_price"])), idr(Decimal(0))]
            expect(rows.nth(1).locator("td")).to_have_text(expected)
            assert Decimal(order["amount_tax"]) == tax

            sold_at = datetime.fromisoformat(order["created_at"]).astimezone(ZoneInfo(ZONE))
            expect(receipt.locator(".r-time")).to_have_text(sold_at.strftime("%d-%m-%Y %H:%M"))
            assert page.evaluate("window.printed") == []  # no automatic print yet

            page.locator("#print").click()
            settle(page)
            assert page.evaluate("window.printed") == [order["name"]]
            check_print(page, tmp_path, 80)  # the paper when none was chosen

            page.locator('summary[data-action="settings-panel"]').click()
            settle(page)
            page.locator("#paper-58").click()
            settle(page)
            page.locator("#auto-print").click()
            settle(page)
            expect(page.locator("#auto-print")).to_have_attribute("aria-pressed", "true")
            page.locator("#new-sale").click()
            settle(page)
            second = sell(page, taxed["barcode"])
            assert page.evaluate("window.printed") == [order["name"], second["name"]]
            check_print(page, tmp_path, 58)

            page.reload()  # the paper and the automatic print are the tablet's, kept
            page = open_till(context, None, page=page)
            page.evaluate(STUB_PRINT)
            third = sell(page, exempt["barcode"])
            assert page.evaluate("window.printed") == [third["name"]]
            check_print(page, tmp_path, 58)

            # A reprint of the first sale from Recent sales
            page.locator("#new-sale").click()
            settle(page)
            page.locator("#orders").click()
            settle(page)
            page.locator(f'[data-action="show-order"][data-arg="{order["uuid"]}"]').click()
            settle(page)
            expect(page.locator("#receipt")).to_have_attribute("data-order-name", order["name"])
            expect(page.locator("#receipt-taxes tr.r-tax-rate")).to_have_count(2)
            page.locator("#print").click()
            settle(page)
            assert page.evaluate("window.printed") == [third["name"], order["name"]]
    finally:
        relay.stop(timeout=5)
