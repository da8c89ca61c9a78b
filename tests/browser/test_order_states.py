"""Where each sale is, seen on the sales screen of a real till against the real relay and the
Odoo sandbox: saved on the till while offline, booked in Odoo under Odoo's name, failed with
Odoo's reason, waiting at the relay while the register has no open session; the top bar counts
each apart; the search finds an old sale among ten thousand by number and by amount; and another
till's sale, which the relay knows, is refunded here no further than what is left of it."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest
from processes import TerminalClient, make_order, pair, wait_for

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

MANY = 10_000

# Ten thousand older-looking sales of another till, put in IndexedDB as finishSale would
# (history and outbox), all booked in Odoo: what a till holds after months of selling.
SEED = """(count) => new Promise((resolve, reject) => {
    const open = indexedDB.open("kasir");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const tx = open.result.transaction(["orders", "outbox"], "readwrite");
        for (let n = 0; n < count; n++) {
            const uuid = `seeded-${n}`;
            const record = {
                uuid, kind: "order", terminal: "kasir-9", seq: 100 + n, name: `kasir-9-${100 + n}`,
                created_at: new Date(Date.UTC(2025, 0, 1, 8, 0, n % 60)).toISOString(),
                currency: "IDR", partner: null, lines: [], payments: [],
                amount_total: `${1000000 + n}.00`, amount_tax: "0.00",
            };
            tx.objectStore("orders").put(record);
            tx.objectStore("outbox").put({
                uuid, seq: 100 + n, kind: "order", record, state: "posted", error: null,
                odoo_id: 5000 + n, odoo_name: `Old/${n}`,
            });
        }
        tx.oncomplete = () => resolve(count);
        tx.onerror = () => reject(tx.error);
    };
})"""


def count(page, element_id: str) -> int:
    node = page.locator(f"#{element_id}")
    return int(node.get_attribute("data-count")) if node.count() else 0


def open_orders(page) -> None:
    page.locator("#orders").click()
    settle(page)
    page.locator(".orders-screen").wait_for()


def hop(page, order: dict) -> str:
    return page.locator(f'.order-row[data-order-uuid="{order["uuid"]}"] .o-hop').inner_text()


def back(page) -> None:
    page.locator("#back").click()
    settle(page)


def rupiah(amount: str) -> str:
    """An amount typed the way an Indonesian cashier types it: 28000.00 -> 28.000."""
    return f"{int(Decimal(amount)):,}".replace(",", ".")


def search(page, words: str) -> float:
    """Type a search as a cashier does and press Enter; the milliseconds until it is painted."""
    field = page.locator("#orders-q")
    field.fill("")
    field.press_sequentially(words, delay=120)
    started = page.evaluate("performance.now()")
    field.press("Enter")
    settle(page)
    return page.evaluate("performance.now()") - started


def newest(page) -> dict:
    """The sale rung up last."""
    return max(orders_in_browser(page), key=lambda order: order["seq"])


def listed(page) -> list[str]:
    return page.locator(".order-row").evaluate_all("(rows) => rows.map((r) => r.dataset.orderUuid)")


def test_each_sale_says_where_it_is_and_search_finds_old_ones(
    tmp_path, sandbox, relay, pairing_code, products
):
    doomed = products[2]
    with browser_profile(tmp_path / "profile", service_workers="block") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")

        # Offline: the sale is saved on this till, and says so.
        context.set_offline(True)
        add_by_scan(page, products[0]["barcode"])
        pay_cash_and_validate(page)
        (first,) = orders_in_browser(page)
        assert pending_count(page) == 1
        open_orders(page)
        assert hop(page, first) == "○ Saved on this till"
        back(page)

        # Online again: it reaches Odoo, and the till names it as Odoo does.
        context.set_offline(False)
        page.locator("#sync-now").click()
        settle(page)
        booked = wait_for(lambda: sandbox.orders([first["uuid"]]), "the sale in Odoo", 60)
        odoo_name = booked[0]["name"]
        assert odoo_name and odoo_name != first["name"]

        def first_booked() -> bool:
            page.locator("#sync-now").click()
            settle(page)
            return page.locator("#all-in-odoo").count() == 1

        wait_for(first_booked, "the till to learn the sale is in Odoo", 30)
        assert page.locator("#flash").inner_text() == "All sales are in Odoo."
        open_orders(page)
        assert hop(page, first) == f"✓ Booked in Odoo · {odoo_name}"
        page.locator(f'.order-row[data-order-uuid="{first["uuid"]}"] .order-open').click()
        settle(page)
        assert page.locator("#order-hop").inner_text() == f"✓ Booked in Odoo · {odoo_name}"
        page.locator("#new-sale").click()
        settle(page)

        # Odoo refuses a sale of a product deleted after the till loaded its catalog.
        answer = httpx.post(
            f"{sandbox.url}/sandbox/control", json={"action": "delete_product", "id": doomed["id"]}
        )
        answer.raise_for_status()
        add_by_scan(page, doomed["barcode"])
        pay_cash_and_validate(page)
        wait_for(lambda: count(page, "failed-count") == 1, "the refused sale counted as failed", 60)
        failed = newest(page)

        # No open session in Odoo: the relay keeps the next sale, and the till says why.
        answer = httpx.post(f"{sandbox.url}/sandbox/control", json={"action": "close_session"})
        answer.raise_for_status()
        add_by_scan(page, products[1]["barcode"])
        pay_cash_and_validate(page)
        waiting = newest(page)

        def at_relay_with_reason() -> bool:
            page.locator("#sync-now").click()
            settle(page)
            panel = page.locator(".waiting-reasons")
            return count(page, "relay-count") == 1 and panel.count() == 1

        wait_for(at_relay_with_reason, "the sale at the relay with the relay's reason", 60)
        # The top bar: nothing unsent, one at the relay, one failed; never "all".
        assert count(page, "pending-count") == 0
        assert count(page, "relay-count") == 1 and count(page, "failed-count") == 1
        assert page.locator("#all-in-odoo").count() == 0
        assert page.locator("#flash").inner_text() == "1 sale needs attention: 1 failed in Odoo."
        assert sandbox.orders([waiting["uuid"]]) == []

        open_orders(page)
        assert hop(page, first) == f"✓ Booked in Odoo · {odoo_name}"
        failed_hop = hop(page, failed)
        assert failed_hop.startswith("✗ Failed: ") and "deleted" in failed_hop
        waiting_hop = hop(page, waiting)
        assert waiting_hop.startswith("→ At the relay · waiting: ") and "session" in waiting_hop
        assert listed(page) == [waiting["uuid"], failed["uuid"], first["uuid"]]

        # Months of selling later: the first sale is found among ten thousand.
        back(page)
        assert page.evaluate(SEED, MANY) == MANY
        open_orders(page)
        assert len(listed(page)) == 50 and page.locator("#more-orders").count() == 1
        assert listed(page)[0] == "seeded-9999"
        page.locator("#more-orders").click()
        settle(page)
        assert len(listed(page)) == 100 and listed(page)[50] == "seeded-9949"

        by_name = search(page, first["name"])
        assert listed(page) == [first["uuid"]]
        assert hop(page, first) == f"✓ Booked in Odoo · {odoo_name}"
        by_odoo_name = search(page, odoo_name)
        assert listed(page) == [first["uuid"]]
        by_amount = search(page, rupiah(first["amount_total"]))
        same_amount = [
            o["uuid"]
            for o in sorted(orders_in_browser(page), key=lambda o: o["seq"], reverse=True)
            if o["amount_total"] == first["amount_total"]
        ]
        assert first["uuid"] in same_amount and listed(page) == same_amount
        # The day as the list shows it ("30-11-2026 10:41"): today's three sales, none seeded.
        day = page.locator(f'.order-row[data-order-uuid="{first["uuid"]}"] .o-time').inner_text()
        by_day = search(page, day.split()[0])
        assert listed(page) == [waiting["uuid"], failed["uuid"], first["uuid"]]
        search(page, "Old/9998")
        assert listed(page) == ["seeded-9998"]
        search(page, "nothing-like-it")
        assert listed(page) == [] and "No sale matches" in page.locator(".empty").inner_text()

        # The figures (typing excluded): the search walks every sale kept, newest first.
        started = time.monotonic()
        page.evaluate("window.kasirTill.dispatch('orders')")
        settle(page)
        opened = (time.monotonic() - started) * 1000
        print(
            f"\nsearch among {MANY + 3} sales: by number {by_name:.0f} ms, by Odoo name "
            f"{by_odoo_name:.0f} ms, by amount {by_amount:.0f} ms, by day {by_day:.0f} ms; "
            f"opening the list {opened:.0f} ms"
        )


def test_a_sale_of_another_till_is_refunded_here_no_further_than_is_left(
    tmp_path, sandbox, relay, pairing_code
):
    # Till kasir-2 sold three and gave one back; the relay holds both, Odoo booked both.
    other = TerminalClient(relay, *pair(relay, "kasir-2"))
    sale = make_order("kasir-2", 1, [(1, "3500", 3)])
    given_back = make_order("kasir-2", 2, [(1, "3500", -1)])
    line = sale["lines"][0]["uuid"]
    given_back["lines"][0]["refunded_line_uuid"] = line
    assert [r["status"] for r in other.sync([sale, given_back])["results"]] == ["accepted"] * 2
    odoo_name = other.wait_settled([sale["uuid"], given_back["uuid"]])[sale["uuid"]]["odoo_name"]

    with browser_profile(tmp_path / "profile", service_workers="block") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        open_orders(page)
        search(page, sale["name"])
        row = page.locator(f'#other-tills .order-row[data-order-uuid="{sale["uuid"]}"]')
        assert "kasir-2" in row.inner_text()
        assert row.locator(".o-hop").inner_text() == f"✓ Booked in Odoo · {odoo_name}"
        row.locator(".refund-open").click()
        settle(page)
        assert page.locator(f"#refund-left-{line}").inner_text() == "2"
        page.locator("#refund-all").click()
        settle(page)
        page.locator('[data-action="pay-exact"]').first.click()
        settle(page)
        page.locator("#validate").click()
        settle(page)
        page.locator("#receipt").wait_for()
        refund = newest(page)
        assert [(x["refunded_line_uuid"], x["qty"]) for x in refund["lines"]] == [(line, "-2")]
        page.locator("#sync-now").click()
        settle(page)

        # Odoo books the refund against kasir-2's line: all three are back, none more.
        wait_for(lambda: sandbox.orders([refund["uuid"]]), "the refund in Odoo", 60)
        (sold,) = sandbox.rpc(
            "pos.order.line", "search_read", [[["uuid", "=", line]]], {"fields": ["refunded_qty"]}
        )
        assert Decimal(str(sold["refunded_qty"])) == 3

        # Nothing is left to refund of it now, from this till either.
        page.locator("#new-sale").click()
        settle(page)
        open_orders(page)
        search(page, sale["name"])
        page.locator(
            f'#other-tills .order-row[data-order-uuid="{sale["uuid"]}"] .refund-open'
        ).click()
        settle(page)
        assert page.locator(f"#refund-left-{line}").inner_text() == "0"
        assert page.locator("#refund-all").count() == 0
