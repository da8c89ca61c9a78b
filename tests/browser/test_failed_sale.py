"""A sale Odoo refuses stays on the terminal, counted as failed, with Odoo's reason in view."""

from __future__ import annotations

import httpx
import pytest
from processes import wait_for

from .helpers import (
    add_by_scan,
    browser_profile,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    settle,
)

pytestmark = pytest.mark.browser


def failed_count(page) -> int:
    badge = page.locator("#failed-count")
    return int(badge.get_attribute("data-count")) if badge.count() else 0


def test_a_sale_odoo_refuses_is_kept_with_its_reason(
    tmp_path, sandbox, relay, pairing_code, products
):
    doomed, fine = products[0], products[1]
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        # The product disappears from Odoo after the till loaded its catalog.
        answer = httpx.post(
            f"{sandbox.url}/sandbox/control", json={"action": "delete_product", "id": doomed["id"]}
        )
        answer.raise_for_status()

        add_by_scan(page, doomed["barcode"])
        pay_cash_and_validate(page)
        add_by_scan(page, fine["barcode"])
        pay_cash_and_validate(page)

        wait_for(lambda: failed_count(page) == 1, "the refused sale to be counted as failed", 60)
        wait_for(lambda: pending_count(page) == 0, "nothing left unsent", 30)
        # "Sync now" never says everything is sent while a sale failed.
        page.locator("#sync-now").click()
        settle(page)
        assert page.locator("#flash").inner_text() == "1 sale needs attention: 1 failed in Odoo."
        page.locator("details.failed summary").click()
        settle(page)
        reasons = page.locator(".failed-reasons").inner_text()
        # Odoo's own words about the deleted product ("... does not exist or has been deleted",
        # or PostgreSQL's "... another model requires the record being deleted ...").
        assert "deleted" in reasons
        # What Odoo refused is the manager's to retry, on the relay: the till says so.
        assert "Failed in Odoo" in reasons and "the manager retries it there" in reasons
        assert page.locator(".failed-reasons button").count() == 0

        # Both sales are still on the terminal; only the good one is in Odoo.
        orders = sorted(orders_in_browser(page), key=lambda o: o["seq"])
        assert [o["lines"][0]["product_id"] for o in orders] == [doomed["id"], fine["id"]]
        booked = sandbox.orders([o["uuid"] for o in orders])
        assert [row["uuid"] for row in booked] == [orders[1]["uuid"]]
