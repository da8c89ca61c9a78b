"""With no kasir page open, the service worker alone delivers a sale rung up offline (Background Sync)."""

from __future__ import annotations

import pytest
from processes import wait_for

from .helpers import (
    add_by_tap,
    browser_profile,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
)

pytestmark = pytest.mark.browser


def test_the_worker_flushes_the_outbox_with_no_page_open(
    tmp_path, sandbox, relay, pairing_code, products
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        relay.kill()
        add_by_tap(page, products[0]["id"])
        pay_cash_and_validate(page)
        assert pending_count(page) == 1
        (order,) = orders_in_browser(page)

        # A DevTools session on the till's tab sees the worker's registration ...
        cdp = context.new_cdp_session(page)
        registrations: list[dict] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        for _ in range(50):  # Playwright delivers CDP events only while it is called: pump it
            if any(not r["isDeleted"] for r in registrations):
                break
            page.wait_for_timeout(100)
        registration = next(r for r in registrations if not r["isDeleted"])
        # ... and stays when the cashier leaves the till: no kasir page is open any more.
        page.goto("about:blank")
        assert all(relay.url not in p.url for p in context.pages)

        relay.start()
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": relay.url,
                "registrationId": registration["registrationId"],
                "tag": "kasir-outbox",
                "lastChance": False,
            },
        )
        booked = wait_for(lambda: sandbox.orders([order["uuid"]]), "the sale in Odoo", timeout=60)
        assert [row["uuid"] for row in booked] == [order["uuid"]]

        # The till, opened again, agrees: nothing left to send.
        page = open_till(context, relay.url, page=page)
        wait_for(lambda: pending_count(page) == 0, "the pending count to be 0")
