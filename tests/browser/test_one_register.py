"""One register per device: two pages of one browser profile are two tabs of one tablet.

Odoo's own POS loses orders to a second tab on the same session (odoo/odoo#152259). Here the
second tab opens read-only and says why, and a scan there is refused on screen with nothing stored;
"Use this tab instead" moves the register (the first tab turns read-only and says it was taken
over; the second sells, with the open sale the first saved); and both tabs selling at once, with a
take-over in the middle, store only the register's sales, numbered 1..n with no gap or repeat,
each booked in the sandbox once.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from processes import wait_for

from . import axe
from .helpers import (
    add_by_scan,
    browser_profile,
    open_till,
    pay_cash_and_validate,
    pending_count,
    sandbox_orders,
    settle,
    stored,
)

pytestmark = pytest.mark.browser

ELSEWHERE = "open in another tab or window of this browser"
TAKEN_OVER = "took over this register"

# A cashier's sales driven from inside the page, so two tabs really sell at the same time (the
# test's own calls run one after another): for each code scan, pay the exact amount with `method`,
# validate, next sale; before the sale numbered `takeOverAt`, take the register over.
# Resolves with the uuids of the receipts this tab showed: the sales it made.
SELL = """async ({ codes, method, takeOverAt }) => {
  const till = window.kasirTill;
  const made = [];
  for (const [i, code] of codes.entries()) {
    if (i === takeOverAt) await till.dispatch("take-over");
    await till.dispatch("scan", { code });
    await till.dispatch("pay");
    await till.dispatch("pay-exact", { arg: method });
    await till.dispatch("validate");
    const receipt = document.querySelector("#receipt");
    if (receipt) made.push(receipt.dataset.orderUuid);
    await till.dispatch("new-sale");
  }
  return made;
}"""


# The robbed tab's storage module, used as a sale on its way before the tab learnt would: it must
# not take a sequence number (the database names the register's tab). Resolves with the refusal.
LATE_SALE = """async () => {
  const url = performance.getEntriesByType("resource").map((entry) => entry.name)
    .find((name) => /\\/storage\\.[0-9a-f]+\\.js$/.test(name));
  const storage = await import(url);
  const order = { uuid: crypto.randomUUID(), kind: "order", lines: [] };
  try {
    await storage.finishSale(order, await storage.nextSeq());
  } catch (err) {
    return err.message;
  }
  return null;
}"""


def second_tab(context: BrowserContext, url: str) -> Page:
    """Another tab of the same browser on the till."""
    return open_till(context, url, page=context.new_page())


def scan_with_scanner(page: Page, code: str) -> None:
    """A wedge scanner: fast keys, then Enter, wherever the focus is."""
    page.keyboard.type(code, delay=6)
    page.keyboard.press("Enter")
    settle(page)


def cash_method(page: Page) -> int:
    """The shop's cash payment method, from the bootstrap stored on the device."""
    [bootstrap] = [
        row for row in stored(page, "meta") if isinstance(row, dict) and "payment_methods" in row
    ]
    methods = bootstrap["payment_methods"]
    return next(
        (m for m in methods if m.get("is_cash_count") or m.get("type") == "cash"), methods[0]
    )["id"]


def outbox_seqs(page: Page) -> list[int]:
    return sorted(item["seq"] for item in stored(page, "outbox"))


def sold(page: Page) -> list[dict[str, Any]]:
    """The sales in the outbox (the day's records left out), by seq."""
    items = sorted(stored(page, "outbox"), key=lambda item: item["seq"])
    return [item for item in items if item["kind"] == "order"]


def test_a_second_tab_only_shows_the_register(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        first = open_till(context, f"{relay.url}/?pair={pairing_code}")
        assert first.locator("#read-only").count() == 0
        second = second_tab(context, relay.url)

        banner = second.locator("#read-only")
        assert ELSEWHERE in banner.inner_text()
        assert second.locator("#take-over").is_visible()
        assert not axe.check(second, "the read-only tab")
        outbox, draft = stored(second, "outbox"), stored(second, "drafts")

        # A scan in the tab that only shows the register is refused, visibly, and stores nothing.
        scan_with_scanner(second, products[0]["barcode"])
        assert ELSEWHERE in second.locator("#flash").inner_text()
        assert second.locator("#cart-lines .line").count() == 0
        second.locator(f'.tile[data-product-id="{products[1]["id"]}"]').first.click()
        settle(second)
        assert second.locator("#cart-lines .line").count() == 0
        assert ELSEWHERE in second.locator("#flash").inner_text()
        # Looking at the sales is not refused.
        second.locator('[data-action="orders"]').first.click()
        settle(second)
        assert second.locator("#flash").is_hidden()
        assert stored(second, "outbox") == outbox
        assert stored(second, "drafts") == draft

        # The register's tab sells on, numbered right after the day's open (seq 1); offline,
        # its sale stays unsent, and the read-only tab's count follows.
        context.set_offline(True)
        add_by_scan(first, products[0]["barcode"])
        pay_cash_and_validate(first)
        assert outbox_seqs(first) == [1, 2]
        assert len(stored(first, "orders")) == 1
        assert pending_count(first) == 1
        wait_for(lambda: pending_count(second) == 1, "the read-only tab to count the unsent sale")


def test_taking_over_moves_the_register_and_its_open_sale(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        first = open_till(context, f"{relay.url}/?pair={pairing_code}")
        second = second_tab(context, relay.url)
        # The first tab's open sale, saved on the device after each scan.
        add_by_scan(first, products[0]["barcode"])
        add_by_scan(first, products[1]["barcode"])

        second.locator("#take-over").click()
        settle(second)
        assert second.locator("#read-only").count() == 0
        # The sale the first tab left open comes over, as it saved it.
        assert second.locator("#cart-lines .line").count() == 2

        banner = first.locator("#read-only")
        banner.wait_for()
        assert TAKEN_OVER in banner.inner_text()
        assert banner.get_attribute("data-reason") == "taken-over"
        scan_with_scanner(first, products[2]["barcode"])
        assert TAKEN_OVER in first.locator("#flash").inner_text()
        assert len(stored(first, "drafts")[0]["lines"]) == 2
        assert "another tab or window" in (first.evaluate(LATE_SALE) or "")

        add_by_scan(second, products[2]["barcode"])
        pay_cash_and_validate(second)
        [sale] = sold(second)
        assert sale["seq"] == 2 and len(sale["record"]["lines"]) == 3
        assert outbox_seqs(second) == [1, 2]

        # And back: the first tab takes over again, with the second's new (empty) sale.
        first.locator("#take-over").click()
        settle(first)
        assert first.locator("#read-only").count() == 0
        assert first.locator("#cart-lines .line").count() == 0
        second.locator("#read-only").wait_for()
        add_by_scan(first, products[0]["barcode"])
        pay_cash_and_validate(first)
        assert outbox_seqs(first) == [1, 2, 3]


def test_two_tabs_selling_at_once_store_only_the_registers_sales(
    tmp_path, sandbox, relay, pairing_code, products
):
    codes = [p["barcode"] for p in products[:6]]
    with browser_profile(tmp_path / "profile") as context:
        first = open_till(context, f"{relay.url}/?pair={pairing_code}")
        second = second_tab(context, relay.url)
        method = cash_method(first)

        def at_once(take_over_at: int | None) -> tuple[list[str], list[str]]:
            """Both tabs sell at once (started together, then both awaited); the second takes
            the register over before its sale numbered `take_over_at`."""
            start = f"(args) => {{ window.selling = ({SELL})(args); return true; }}"
            first.evaluate(start, {"codes": codes, "method": method, "takeOverAt": None})
            second.evaluate(start, {"codes": codes, "method": method, "takeOverAt": take_over_at})
            return first.evaluate("window.selling"), second.evaluate("window.selling")

        # The second tab only shows the register: every one of its sales is refused.
        by_first, by_second = at_once(None)
        assert len(by_first) == len(codes)
        assert by_second == []

        # The second takes over while both sell: whoever made a sale showed its receipt, once.
        later_first, later_second = at_once(2)
        assert later_second, "the tab that took over sold nothing"
        by_first += later_first
        by_second += later_second
        assert not set(by_first) & set(by_second)
        first.locator("#read-only").wait_for()

        # Exactly the sales each tab made while it was the register are stored, numbered 1..n
        # (the day's open is 1) with no gap and no number taken twice.
        sales = sold(second)
        assert sorted(item["uuid"] for item in sales) == sorted(by_first + by_second)
        assert outbox_seqs(second) == list(range(1, len(sales) + 2))
        assert len(stored(second, "orders")) == len(sales)

        wait_for(lambda: pending_count(second) == 0, "every sale sent by the register's tab")
        uuids = [item["uuid"] for item in sales]
        booked = wait_for(
            lambda: (rows := sandbox_orders(sandbox, uuids)) and len(rows) >= len(uuids) and rows,
            "every sale in the sandbox",
            timeout=60,
        )
        assert sorted(row["uuid"] for row in booked) == sorted(uuids)
