"""Customers in real Chromium against the real relay and sandbox: a loyalty card scanned chooses the
demo customer; offline, a customer is created (refused first with the field named, nothing typed
lost) and sold to; back online, the sandbox holds that customer once and the order names them, and
the till lists them once, no longer pending."""

from __future__ import annotations

from typing import Any

import pytest
from processes import wait_for

from . import axe
from .helpers import (
    add_by_scan,
    browser_profile,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    settle,
    stored,
)

pytestmark = pytest.mark.browser

SARI_CARD = "0420000000013"  # the demo's Ibu Sari Wulandari (server/sandbox/demo.py)


def partners_in_browser(page) -> list[dict[str, Any]]:
    return stored(page, "partners")


def scan(page, code: str) -> None:
    """A wedge scanner: a fast burst of keys and Enter, wherever the focus is."""
    page.keyboard.type(code, delay=6)
    page.keyboard.press("Enter")
    settle(page)


def cashier_types(page, selector: str, text: str) -> None:
    field = page.locator(selector)
    field.click()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text, delay=120)


def refreshed_customers(page) -> list[dict[str, Any]]:
    """Refresh catalog (and customers) until the relay's mirror has the demo's customers."""

    def pulled():
        page.locator("#refresh").click()
        settle(page)
        partners = partners_in_browser(page)
        return partners if len(partners) >= 3 else None

    return wait_for(pulled, "the demo customers on the till", timeout=60)


def test_card_scan_and_a_customer_made_offline_reach_odoo_once(
    tmp_path, sandbox, relay, pairing_code, products
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        refreshed_customers(page)

        scan(page, SARI_CARD)
        assert page.locator("#customer").inner_text().strip() == "Ibu Sari Wulandari"
        assert page.locator("#flash").inner_text().strip() == "Customer: Ibu Sari Wulandari"
        # Odoo's balance as the relay read it, as of the card's last change; her own pricelist
        points = page.locator("#customer-points").inner_text().strip()
        assert points.startswith("Poin Sumber Rejeki: 250 points, as of "), points
        assert page.locator('#pricelists [aria-pressed="true"]').inner_text() == "Member 5%"
        assert page.locator("#cart-lines .line").count() == 0  # a card sells nothing

        context.set_offline(True)
        page.locator("#customer").click()
        settle(page)
        cashier_types(page, "#customer-q", "Dewi")
        wait_for(
            lambda: (
                page.locator("#customer-list").count() == 0
                and "No customer matches" in page.locator(".customers-screen").inner_text()
            ),
            "the search to find no Dewi",
            timeout=10,
        )
        page.locator("#customer-new").click()
        settle(page)
        assert page.locator("#customer-name").input_value() == "Dewi"
        page.locator("#customer-name").press("End")
        page.locator("#customer-name").press_sequentially(" Lestari", delay=120)
        cashier_types(page, "#customer-phone", "0857 2222 3333")
        cashier_types(page, "#customer-email", "dewi.example.com")
        page.locator("#customer-save").click()
        settle(page)
        email = page.locator("#customer-email")
        assert email.get_attribute("aria-invalid") == "true"
        assert (
            page.locator("#customer-email-error").inner_text()
            == "“dewi.example.com” is not an e-mail address."
        )
        assert page.locator("#customer-name").input_value() == "Dewi Lestari"
        assert page.locator("#customer-phone").input_value() == "0857 2222 3333"
        assert email.input_value() == "dewi.example.com"

        cashier_types(page, "#customer-email", "dewi@example.com")
        page.locator("#customer-email").press("Enter")  # Enter saves too
        settle(page)
        assert page.locator("#customer .pending-tag").inner_text().strip().lower() == "pending"
        assert page.locator("#customer").inner_text().startswith("Dewi Lestari")

        add_by_scan(page, products[0]["barcode"])
        assert page.locator("#cart-lines .line").count() == 1, page.locator("#flash").inner_text()
        pay_cash_and_validate(page, next_sale=False)
        assert page.locator("#receipt-customer").inner_text() == "Customer: Dewi Lestari"
        assert "Points earned" in page.locator("#receipt-loyalty").inner_text()
        page.locator("#new-sale").click()
        settle(page)
        assert pending_count(page) == 2  # the customer, then the sale that names them

        [order] = orders_in_browser(page)
        made = [p for p in partners_in_browser(page) if p["name"] == "Dewi Lestari"]
        assert len(made) == 1 and made[0]["pending"] is True
        assert order["partner"] == {"uuid": made[0]["uuid"], "name": "Dewi Lestari"}

        context.set_offline(False)
        wait_for(lambda: pending_count(page) == 0, "the pending count to return to 0", timeout=60)

        def booked():
            rows = sandbox.rpc(
                "pos.order", "search_read", [[["uuid", "=", order["uuid"]]]],
                {"fields": ["partner_id"]},
            )  # fmt: skip
            return rows or None

        [row] = wait_for(booked, "the order in the sandbox", timeout=60)
        customers = sandbox.rpc(
            "res.partner", "search_read", [[["name", "=", "Dewi Lestari"]]],
            {"fields": ["id", "email", "phone", "ref"]},
        )  # fmt: skip
        assert len(customers) == 1
        [customer] = customers
        assert (customer["email"], customer["phone"]) == ("dewi@example.com", "0857 2222 3333")
        assert customer["ref"] == f"kasir:{made[0]['uuid']}"
        assert row["partner_id"][0] == customer["id"]

        def kept_once():
            dewi = [p for p in partners_in_browser(page) if p["name"] == "Dewi Lestari"]
            return dewi if len(dewi) == 1 and dewi[0]["id"] == customer["id"] else None

        [kept] = wait_for(kept_once, "the customer under Odoo's id on the till", timeout=60)
        assert "pending" not in kept
        refreshed_customers(page)  # Odoo's own copy comes under the same id: still one
        wait_for(kept_once, "one Dewi after a refresh", timeout=30)

        page.locator("#customer").click()
        settle(page)
        cashier_types(page, "#customer-q", "dewi")
        wait_for(
            lambda: page.locator("#customer-list .customer-row").count() == 1,
            "one Dewi in the list",
            timeout=10,
        )
        assert page.locator("#customer-list .pending-tag").count() == 0
        page.locator("#customer-q").fill("085722223333")  # the phone's digits, without spaces
        wait_for(
            lambda: (
                page.locator("#customer-list .customer-row .o-name").all_inner_texts()
                == ["Dewi Lestari"]
            ),
            "Dewi found by phone",
            timeout=10,
        )


def test_customer_screens_pass_axe(tmp_path, relay, pairing_code):
    """axe-core finds nothing serious on the customer bar, the search and the form with a refusal."""
    found: list[str] = []
    with browser_profile(tmp_path / "profile", bypass_csp=True) as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        refreshed_customers(page)
        scan(page, SARI_CARD)
        found += axe.check(page, "sell, customer chosen")
        page.locator("#customer").click()
        settle(page)
        page.locator("#customer-list").wait_for()
        found += axe.check(page, "customers")
        page.locator("#customer-new").click()
        settle(page)
        cashier_types(page, "#customer-email", "not an e-mail")
        page.locator("#customer-save").click()
        settle(page)
        assert page.locator("#customer-name-error").inner_text() == "A customer needs a name."
        assert page.locator("#customer-email-error").count() == 0  # one field at a time
        found += axe.check(page, "customer form, refused")
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
