"""Cashiers in real Chromium against the real relay and a sandbox whose register uses pos_hr's
employees: Ani logs in with her PIN typed at a person's speed (a wrong one tapped on the pad
first), sells, and needs Budi's PIN to refund; Switch brings Budi in with the sale kept, and he
refunds with no second PIN. Odoo then holds each order with its own cashier."""

from __future__ import annotations

import pytest
from kasir.sandbox.demo import CASHIER_ANI, CASHIER_BUDI
from playwright.sync_api import Page, expect
from processes import add_terminal, wait_for

from .helpers import browser_profile, open_till, orders_in_browser, pay_cash_and_validate, settle
from .test_layout import _check_controls

pytestmark = pytest.mark.browser

SCANNER_MS = 6
CASHIER_MS = 120  # a cashier's fingers
ANI, BUDI = f"employee:{CASHIER_ANI[0]}", f"employee:{CASHIER_BUDI[0]}"
# A phone, and a landscape tablet: the lock screen and the manager's PIN fit both.
SIZES = ({"width": 390, "height": 844}, {"width": 1280, "height": 800})


def scan(page: Page, code: str) -> None:
    """A wedge scanner: a burst of keys into whatever has focus, then Enter."""
    page.keyboard.type(code, delay=SCANNER_MS)
    page.keyboard.press("Enter")
    settle(page)


def log_in(page: Page, who: str, pin: str) -> None:
    """Tap the cashier, type the PIN on the keyboard at a person's speed, Enter."""
    page.locator(f'.cashier-tile[data-arg="{who}"]').click()
    settle(page)
    expect(page.locator("#cashier-pin")).to_be_focused()
    page.keyboard.type(pin, delay=CASHIER_MS)
    page.keyboard.press("Enter")
    settle(page)


def latest_order(page: Page) -> dict:
    """The order this till finished last (its highest sequence number)."""
    return max(orders_in_browser(page), key=lambda order: order["seq"])


def pay_exact_and_validate(page: Page) -> str:
    """Pay what is due in cash, validate; the receipt's cashier line."""
    pay_cash_and_validate(page, next_sale=False)
    cashier = page.locator("#receipt .r-cashier").inner_text()
    page.locator("#new-sale").click()
    settle(page)
    return cashier


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_two_cashiers_sell_refund_and_reach_odoo_each_with_their_name(
    tmp_path, hr_sandbox, hr_relay, size
):
    code = add_terminal(hr_relay, "kasir-1")
    [product] = hr_sandbox.rpc(
        "product.product", "search_read", [[["barcode", "!=", False], ["available_in_pos", "=", True]]],
        {"fields": ["barcode"], "order": "id", "limit": 1},
    )  # fmt: skip
    with browser_profile(tmp_path / "profile", viewport=size) as context:
        page = context.new_page()
        page.goto(f"{hr_relay.url}/?pair={code}")
        page.wait_for_function("window.kasirReadyAt !== undefined", timeout=60_000)
        page.locator(".cashier-tile").first.wait_for()
        assert page.locator("#scan").count() == 0  # locked: no one sells before logging in
        # Text, not the laid-out inner text: that put the role on a line of its own only sometimes.
        assert page.locator(".cashier-tile").all_text_contents() == ["Ani", "BudiManager"]
        assert page.locator(".cashier-tile .role").all_text_contents() == ["Manager"]

        # A wrong PIN tapped on the pad: masked, refused, the tries left said.
        page.locator(f'.cashier-tile[data-arg="{ANI}"]').click()
        settle(page)
        assert page.locator("#cashier-pin").get_attribute("type") == "password"
        problems: list[str] = []
        _check_controls(page, "lock screen", problems)
        for digit in "9999":
            page.locator(f'.pin-key[data-pin-key="{digit}"]').click()
        expect(page.locator("#cashier-pin")).to_have_value("9999")
        expect(page.locator("#cashier-pin")).to_be_focused()
        page.locator(".pin-ok").click()
        settle(page)
        expect(page.locator("#flash")).to_have_text("Wrong PIN for Ani: 4 tries left.")

        page.keyboard.type(CASHIER_ANI[2], delay=CASHIER_MS)
        page.keyboard.press("Enter")
        settle(page)
        page = open_till(context, None, page=page)  # opens the register's day, as every test
        expect(page.locator("#cashier-name")).to_have_text("Ani")

        scan(page, product["barcode"])
        scan(page, product["barcode"])
        assert pay_exact_and_validate(page) == "Cashier: Ani"
        sale = latest_order(page)

        # Ani refunds one: Budi's PIN is asked (a manager), typed by Budi on the pad.
        page.locator("#orders").click()
        settle(page)
        page.locator(f'[data-action="refund"][data-arg="{sale["uuid"]}"]').click()
        settle(page)
        line = sale["lines"][0]["uuid"]
        page.locator(f"#refund-qty-{line}").press_sequentially("1", delay=CASHIER_MS)
        page.locator("#refund-selected").click()
        settle(page)
        dialog = page.locator("#manager-pin-form")
        expect(dialog).to_contain_text("A manager's PIN is needed for a refund.")
        expect(page.locator("#manager-pin")).to_be_focused()
        _check_controls(page, "manager's PIN", problems)
        assert not problems, "\n".join(problems)
        for digit in CASHIER_BUDI[2]:
            page.locator(f'#manager-pin-form .pin-key[data-pin-key="{digit}"]').click()
        page.locator("#manager-pin-form .pin-ok").click()
        settle(page)
        expect(dialog).to_have_count(0)
        assert pay_exact_and_validate(page) == "Cashier: Ani"
        ani_refund = latest_order(page)
        assert ani_refund["approved_by"] == {"employee_id": CASHIER_BUDI[0], "name": "Budi"}

        # Switch mid-sale: the sale stays for Budi, who refunds the other one with no PIN.
        scan(page, product["barcode"])
        page.locator("#cashier-switch").click()
        settle(page)
        assert page.locator("#scan").count() == 0
        log_in(page, BUDI, CASHIER_BUDI[2])
        expect(page.locator("#cashier-name")).to_have_text("Budi")
        assert page.locator("#cart-lines li.line").count() == 1
        page.locator("#void").click()
        settle(page)
        page.keyboard.press("Enter")  # Void sale? Void
        settle(page)
        page.locator("#orders").click()
        settle(page)
        page.locator(f'[data-action="refund"][data-arg="{sale["uuid"]}"]').click()
        settle(page)
        page.locator("#refund-all").click()
        settle(page)
        assert page.locator("#manager-pin-form").count() == 0
        assert pay_exact_and_validate(page) == "Cashier: Budi"
        budi_refund = latest_order(page)
        assert "approved_by" not in budi_refund

        # Odoo books each with the cashier who rang it up.
        uuids = [sale["uuid"], ani_refund["uuid"], budi_refund["uuid"]]
        page.locator("#sync-now").click()
        settle(page)

        def booked() -> dict[str, str] | None:
            rows = hr_sandbox.rpc(
                "pos.order", "search_read", [[["uuid", "in", uuids]]],
                {"fields": ["uuid", "employee_id", "cashier"]},
            )  # fmt: skip
            return {r["uuid"]: r["cashier"] for r in rows} if len(rows) == 3 else None

        cashiers = wait_for(booked, "the three orders in Odoo")
        assert [cashiers[u] for u in uuids] == ["Ani", "Ani", "Budi"]
