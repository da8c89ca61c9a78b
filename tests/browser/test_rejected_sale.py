"""A sale the relay rejects stays on the terminal: shown as rejected with the relay's reason, never
"All sales are in Odoo.", exported to a file, and after the cause is gone Retry sends the same record,
which reaches Odoo exactly once.

The relay rejects malformed records only, and the till makes none; so something on the way mangles
one field of every sale the till sends (as a broken proxy would), and the real relay refuses it.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from processes import wait_for

from .helpers import (
    browser_profile,
    downloaded_json,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    settle,
)

pytestmark = pytest.mark.browser

ALL_SENT = "All sales are in Odoo."  # said only once every sale is booked there

# Every text #flash showed, recorded in the page, so "never said" covers what no check looked at.
WATCH_FLASH = """() => {
    window.kasirFlashes = [];
    const app = document.getElementById("app");
    new MutationObserver(() => {
        const text = document.getElementById("flash")?.textContent.trim();
        if (text && window.kasirFlashes.at(-1) !== text) window.kasirFlashes.push(text);
    }).observe(app, {childList: true, subtree: true, characterData: true});
}"""


def badge(page, element_id: str) -> int:
    node = page.locator(f"#{element_id}")
    return int(node.get_attribute("data-count")) if node.count() else 0


def flash(page) -> str:
    return page.locator("#flash").inner_text().strip()


def scan(page, code: str) -> None:
    """A wedge scanner: a key every 6 ms, then Enter, into whatever has focus."""
    page.keyboard.type(code, delay=6)
    page.keyboard.press("Enter")
    settle(page)


def sell(page, code: str) -> None:
    scan(page, code)
    pay_cash_and_validate(page, next_sale=False)
    page.locator("#new-sale").click()
    settle(page)


def sync_now(page) -> str:
    page.locator("#sync-now").click()
    settle(page)
    return flash(page)


def test_a_sale_the_relay_rejects_stays_exported_and_retried_once(
    tmp_path, sandbox, relay, pairing_code, products
):
    mangle: dict[str, str] = {"where": "line", "value": "12,5 rupiah"}
    relay_saw: list[dict] = []

    def mangled_sync(route) -> None:
        """Between the till and the relay: one field of every sale made malformed."""
        if route.request.method != "POST":
            route.continue_()
            return
        body = json.loads(route.request.post_data)
        for item in body["items"]:
            if mangle["where"] == "line":
                item["lines"][0]["price_unit"] = mangle["value"]
            else:
                item["payments"][0]["amount"] = mangle["value"]
            relay_saw.append(item)
        route.continue_(post_data=json.dumps(body))

    with browser_profile(tmp_path / "profile", service_workers="block") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        page.evaluate(WATCH_FLASH)
        context.route("**/api/v1/sync", mangled_sync)

        sell(page, products[0]["barcode"])
        wait_for(lambda: badge(page, "failed-count") == 1, "the sale to be shown as rejected", 30)
        (order,) = orders_in_browser(page)
        assert relay_saw and relay_saw[0]["uuid"] == order["uuid"]

        # "Sync now" says what is wrong, never that everything is sent.
        assert sync_now(page) == "1 sale needs attention: 1 rejected by the relay."
        assert pending_count(page) == 0
        page.locator("#sync-panel summary").click()
        settle(page)
        row = page.locator(f'.outbox-item[data-uuid="{order["uuid"]}"]')
        assert row.get_attribute("data-state") == "rejected"
        text = row.inner_text()
        assert order["name"] in text and "Rejected by the relay" in text
        assert "lines[0].price_unit must be a decimal string" in text and "12,5 rupiah" in text
        assert row.locator("button.retry-sale").inner_text() == "Retry"

        # Export: every record not in Odoo yet, as one file named after the terminal and the day.
        path, dump = downloaded_json(page, page.locator("#export-outbox"), tmp_path)
        assert path.name == f"kasir-kasir-1-{date.today().isoformat()}.json"
        assert dump["terminal"]["name"] == "kasir-1" and dump["exported_at"]
        assert dump["records"] == [order]
        (state,) = dump["states"]
        assert (state["uuid"], state["state"]) == (order["uuid"], "rejected")
        assert "lines[0].price_unit" in state["error"]
        settle(page)
        assert flash(page).startswith("Exported 1 record not in Odoo yet to kasir-kasir-1-")

        # Retry while the record is still mangled (another way): rejected again, the new reason.
        mangle.update(where="payment", value="lots")
        page.locator(f'.outbox-item[data-uuid="{order["uuid"]}"] button.retry-sale').click()
        settle(page)
        assert flash(page).startswith(f"{order['name']} was rejected again: payments[0].amount")
        text = page.locator(f'.outbox-item[data-uuid="{order["uuid"]}"]').inner_text()
        assert "payments[0].amount must be a decimal string" in text and "price_unit" not in text
        assert badge(page, "failed-count") == 1 and pending_count(page) == 0

        # Nothing reached Odoo so far; the sale is still on the terminal.
        assert sandbox.orders([order["uuid"]]) == []
        assert [o["uuid"] for o in orders_in_browser(page)] == [order["uuid"]]

        # The cause is gone: Retry sends the same record (same uuid) and the relay accepts it.
        context.unroute("**/api/v1/sync", mangled_sync)
        page.locator(f'.outbox-item[data-uuid="{order["uuid"]}"] button.retry-sale').click()
        settle(page)
        assert flash(page) == f"{order['name']} was sent again and the relay accepted it."
        assert badge(page, "failed-count") == 0 and pending_count(page) == 0
        booked = wait_for(lambda: sandbox.orders([order["uuid"]]), "the sale in Odoo", 60)
        assert [row["uuid"] for row in booked] == [order["uuid"]]

        # Odoo may hold it a moment before the relay has journaled that: asked until it has.
        wait_for(lambda: sync_now(page) == ALL_SENT, "the till to learn the sale is in Odoo", 30)
        flashes = page.evaluate("window.kasirFlashes")
        assert flashes.index(ALL_SENT) == len(flashes) - 1, flashes  # only at the very end
        # Exactly once, also after one more sync.
        assert sync_now(page) == ALL_SENT
        assert len(sandbox.orders([order["uuid"]])) == 1
