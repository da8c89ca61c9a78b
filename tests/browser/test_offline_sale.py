"""The walking skeleton, end to end, in real Chromium against real processes on 127.0.0.1.

First load online; the relay process is killed and the browser restarted offline; the app boots from
the service worker; three sales are rung up (by barcode and by tap) and survive a reload; the relay
comes back and the network returns; the three orders reach the sandbox exactly once, with the totals
computed in the browser, and the pending count on screen returns to 0.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from processes import wait_for

from .helpers import (
    add_by_scan,
    add_by_tap,
    browser_profile,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    sandbox_orders,
)

pytestmark = pytest.mark.browser


def test_three_offline_sales_reach_odoo_exactly_once(
    tmp_path, sandbox, relay, pairing_code, products
):
    profile = tmp_path / "profile"
    with browser_profile(profile) as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        assert pending_count(page) == 0

    relay.kill()
    with browser_profile(profile, offline=True) as context:
        page = open_till(context, relay.url)
        first, second, third = products[0], products[1], products[2]

        add_by_scan(page, first["barcode"])
        add_by_scan(page, first["barcode"])
        pay_cash_and_validate(page)

        add_by_tap(page, second["id"])
        add_by_scan(page, third["barcode"])
        pay_cash_and_validate(page, tendered="100000")

        add_by_tap(page, third["id"])
        # Mid-sale reload: the open cart comes back.
        page.reload()
        page = open_till(context, None, page=page)
        assert page.locator("#cart-lines .line").count() == 1
        add_by_tap(page, first["id"])
        pay_cash_and_validate(page)

        assert pending_count(page) == 3
        page.reload()
        page = open_till(context, None, page=page)
        assert pending_count(page) == 3
        orders = orders_in_browser(page)
        assert len(orders) == 3

        relay.start()
        context.set_offline(False)
        wait_for(lambda: pending_count(page) == 0, "the pending count to return to 0", timeout=60)

    booked = wait_for(
        lambda: (
            (rows := sandbox_orders(sandbox, [o["uuid"] for o in orders]))
            and len(rows) >= 3
            and rows
        ),
        "the three orders in the sandbox",
        timeout=60,
    )
    assert sorted(row["uuid"] for row in booked) == sorted(o["uuid"] for o in orders)
    by_uuid = {row["uuid"]: row for row in booked}
    for order in orders:
        row = by_uuid[order["uuid"]]
        assert Decimal(str(row["amount_total"])) == Decimal(order["amount_total"])
        assert Decimal(str(row["amount_tax"])) == Decimal(order["amount_tax"])
        assert row["pos_reference"] == order["name"]
    # Sales by barcode: the first order has one line of two units of the first product.
    first_order = min(orders, key=lambda o: o["seq"])
    assert [(line["product_id"], Decimal(line["qty"])) for line in first_order["lines"]] == [
        (products[0]["id"], Decimal(2))
    ]
