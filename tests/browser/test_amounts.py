"""Amounts and quantities typed the way an Indonesian cashier types them, into the real fields.

The cashier types at human speed (120 ms a key) so the scanner capture never takes it for a scan;
refused input stays in its field, marked and explained; big decisions are asked about first.
"""

from __future__ import annotations

import pytest
from kasir.sandbox.demo import WEIGHED_BARCODE
from playwright.sync_api import Page, expect

from . import axe
from .helpers import browser_profile, open_till, pending_count, settle

pytestmark = pytest.mark.browser


def cashier_types(page: Page, selector: str, text: str) -> None:
    """Click a field, select what is in it and type over it, then Enter."""
    page.locator(selector).click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=120)
    page.keyboard.press("Enter")
    settle(page)


def scanner_scans(page: Page, code: str) -> None:
    page.locator("#scan").focus()
    page.keyboard.type(code, delay=6)
    page.keyboard.press("Enter")
    settle(page)


def expect_refused(page: Page, selector: str, typed: str, message: str) -> None:
    field = page.locator(selector)
    expect(field).to_have_value(typed)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    note = page.locator("#" + field.get_attribute("aria-describedby"))
    expect(note).to_contain_text(message)


def test_tendered_amounts_are_read_as_a_cashier_means_them(tmp_path, relay, pairing_code, products):
    first = products[0]  # Rp 3.500 in the demo shop
    found: list[str] = []  # what axe-core finds serious or critical on the states below
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        scanner_scans(page, first["barcode"])
        page.locator("#pay").click()
        settle(page)
        expect(page.locator("#due")).to_have_text("Rp 3.500")

        cashier_types(page, "#tendered", "-5000")
        expect_refused(page, "#tendered", "-5000", "An amount cannot be negative.")
        expect(page.locator("#tendered-total")).to_have_text("Rp 0")
        found += axe.check(page, "refused amount")

        cashier_types(page, "#tendered", "28.000,00")
        expect(page.locator("#tendered-total")).to_have_text("Rp 28.000")
        expect(page.locator("#tendered")).not_to_have_attribute("aria-invalid", "true")
        page.locator("#payments [data-action=remove-payment]").click()
        settle(page)

        cashier_types(page, "#tendered", "50rb")
        expect(page.locator("#tendered-total")).to_have_text("Rp 50.000")
        expect(page.locator("#change")).to_have_text("Rp 46.500")
        page.locator("#payments [data-action=remove-payment]").click()
        settle(page)

        # What a scan into the amount field once made of a small sale: asked, not taken.
        cashier_types(page, "#tendered", "8.996.252.907.438")
        expect(page.locator("#confirm-tender-text")).to_have_text(
            "Rp 8.996.252.907.438 is more than 100 times what is due (Rp 3.500). Take it?"
        )
        expect(page.locator("#tendered-total")).to_have_text("Rp 0")
        expect(page.locator("#validate")).to_be_disabled()
        found += axe.check(page, "amount question")
        page.locator("#confirm-change").click()
        settle(page)
        expect(page.locator("#tendered")).to_have_value("8.996.252.907.438")
        expect(page.locator("#tendered-total")).to_have_text("Rp 0")

        page.locator("#tendered").press("Enter")  # asked again; Enter on the question takes it
        settle(page)
        expect(page.locator("#confirm-tender-yes")).to_be_focused()
        page.keyboard.press("Enter")
        settle(page)
        expect(page.locator("#tendered-total")).to_have_text("Rp 8.996.252.907.438")
        expect(page.locator("#confirm-tender")).to_have_count(0)
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)


def test_quantities_removal_and_the_line_editor_keep_what_was_typed(
    tmp_path, relay, pairing_code, products
):
    first = products[0]
    found: list[str] = []
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        scanner_scans(page, first["barcode"])
        line = page.locator("#cart-lines .line").first
        qty = line.locator("input.qty")
        qty_id = qty.get_attribute("id")

        cashier_types(page, f"[id='{qty_id}']", "1.5")  # a product sold by the unit
        expect_refused(
            page,
            f"[id='{qty_id}']",
            "1.5",
            f"{first['name']} is sold by the unit: type a whole number.",
        )
        expect(page.locator(f"[id='{qty_id}']")).to_have_value("1.5")
        found += axe.check(page, "refused quantity")

        # The scale's form, with a decimal comma: half a kilo of loose rice (Rp 14.000 a kg).
        cashier_types(page, "#scan", f"0,5*{WEIGHED_BARCODE}")
        rice = page.locator("#cart-lines .line", has_text="Beras curah")
        expect(rice.locator("input.qty")).to_have_value("0.5")
        expect(rice.locator(".line-amount")).to_have_text("Rp 7.000")

        # 0 asks; Keep keeps the line as it was.
        cashier_types(page, f"[id='{qty_id}']", "0")
        expect(page.locator("#confirm-remove-text")).to_have_text(
            f"Remove {first['name']} from the sale?"
        )
        expect(page.locator("#confirm-remove-yes")).to_be_focused()
        found += axe.check(page, "remove question")
        page.locator("#confirm-keep").click()
        settle(page)
        expect(page.locator("#confirm-remove")).to_have_count(0)
        expect(page.locator("#cart-lines .line")).to_have_count(2)
        expect(page.locator(f"[id='{qty_id}']")).to_have_value("1")
        line.locator("[data-action=dec]").click()  # − at 1 asks too; Escape keeps
        settle(page)
        expect(page.locator("#confirm-remove-yes")).to_be_focused()
        page.keyboard.press("Escape")
        settle(page)
        expect(page.locator("#confirm-remove")).to_have_count(0)
        expect(page.locator("#cart-lines .line")).to_have_count(2)

        # The line editor: a discount without a reason is refused and stays typed...
        line.locator("[data-action=edit-line]").click()
        settle(page)
        cashier_types(page, "#line-discount", "10")
        expect(page.locator("#line-discount")).to_have_value("10")
        expect_refused(page, "#line-reason", "", "Say why the discount is given (reason).")
        found += axe.check(page, "refused line editor")
        # ...and once the reason is typed, Apply applies it.
        page.keyboard.type("kemasan rusak", delay=120)
        page.locator("#line-apply").click()
        settle(page)
        expect(page.locator("#line-editor")).to_have_count(0)
        expect(line.locator(".discount")).to_have_text("-10%")
        expect(line.locator(".line-amount")).to_have_text("Rp 3.150")

        # Void asks first; Enter voids the whole sale, and a reload does not bring it back.
        page.locator("#void").click()
        settle(page)
        expect(page.locator("#confirm-void-yes")).to_be_focused()
        found += axe.check(page, "void question")
        page.keyboard.press("Enter")
        settle(page)
        expect(page.locator("#cart-lines .line")).to_have_count(0)
        expect(page.locator("#flash")).to_have_text("The sale was voided.")
        page.reload()
        open_till(context, None, page=page)
        expect(page.locator("#cart-lines .line")).to_have_count(0)
        assert pending_count(page) == 0  # nothing of it was sent
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
