"""Where each sale is, on the sales screen and in the top bar, and the search over every sale kept
on the till: the real screens (`Till.render`) on the fake device of test_till, whose outbox plays
outbox.js (states, the relay's answers, findOrders)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from register.shop import Shop
from test_till import FakeDevice, Node, act, flash_text, said, sell_one, started
from till import orders, texts
from till.app import Till
from till.orders import order_query

NO_SESSION = "no open session in Odoo for this register; the sales wait on the relay"


def rows(page: Node) -> dict[str, Node]:
    """The sales screen's rows of this till's sales by receipt number."""
    listed = page.by_id("orders-list")
    found = listed.find_all(cls="order-row") if listed is not None else []
    return {row.find_all(cls="o-name")[0].text: row for row in found}


def hop_of(row: Node) -> tuple[str, str]:
    (hop,) = row.find_all(cls="o-hop")
    return hop.attrs["data-hop"], hop.text.strip()


@pytest.mark.parametrize(
    ("state", "hop", "text"),
    [
        ({"state": "pending"}, "pending", "Saved on this till"),
        (None, "pending", "Saved on this till"),
        ({"state": "sent"}, "sent", "At the relay"),
        ({"state": "sent", "error": NO_SESSION}, "sent", f"At the relay · waiting: {NO_SESSION}"),
        ({"state": "posted", "odoo_name": "Minimart/0007"}, "posted",
         "Booked in Odoo · Minimart/0007"),
        ({"state": "posted"}, "posted", "Booked in Odoo"),
        ({"state": "held", "error": "totals differ"}, "held", "Held: totals differ"),
        ({"state": "held"}, "held", "Held: No reason given."),
        ({"state": "failed", "error": "Product 101 is archived"}, "failed",
         "Failed: Product 101 is archived"),
        ({"state": "failed", "error": "discarded by the manager: test"}, "discarded",
         "Failed: discarded by the manager: test"),
        ({"state": "rejected", "error": "lines must be a list"}, "rejected",
         "Refused: lines must be a list"),
    ],
)  # fmt: skip
def test_each_hop_state_has_its_words_and_a_sign(state, hop, text):
    kind, icon, words = texts.hop(state)
    assert (kind, words) == (hop, text)
    assert icon and icon not in words  # the sign is extra, the words say it all


def test_the_hop_signs_differ_so_colour_is_never_the_only_clue():
    signs = {texts.hop({"state": s, "error": "x"})[1] for s in texts.HOP_ICONS if s != "discarded"}
    assert len(signs) == len(texts.HOP_ICONS) - 1


def test_each_sale_on_the_sales_screen_says_where_it_is():
    device = FakeDevice(relay_up=False)  # rung up offline: the relay sees them at the sync
    till = started(device)
    saved, waiting, booked, held, failed, refused = (sell_one(till) for _ in range(6))
    device.relay_up = True
    device.relay_rejects[refused["uuid"]] = "lines[0].qty must be a decimal string"
    device.relay_states.update({
        waiting["uuid"]: {"status": "queued", "error": NO_SESSION},
        booked["uuid"]: {"status": "posted", "odoo_id": 41, "odoo_name": "Minimart/0041"},
        held["uuid"]: {"status": "held", "error": "totals differ from the shop's configuration"},
        failed["uuid"]: {"status": "failed", "error": "Product 101 is archived"},
    })  # fmt: skip
    act(till, "sync")
    # The first sale was rung up after the sync: still on the till.
    device.outbox[0]["state"] = "pending"

    page = act(till, "orders")
    found = {name: hop_of(row) for name, row in rows(page).items()}
    assert found == {
        saved["name"]: ("pending", "○ Saved on this till"),
        waiting["name"]: ("sent", f"→ At the relay · waiting: {NO_SESSION}"),
        booked["name"]: ("posted", "✓ Booked in Odoo · Minimart/0041"),
        held["name"]: ("held", "⏸ Held: totals differ from the shop's configuration"),
        failed["name"]: ("failed", "✗ Failed: Product 101 is archived"),
        refused["name"]: ("rejected", "⊘ Refused: lines[0].qty must be a decimal string"),
    }
    # Newest first.
    assert list(rows(page)) == [o["name"] for o in (refused, failed, held, booked, waiting, saved)]

    # The sale opened from the list says it too, beside the receipt (never printed).
    page = act(till, "show-order", arg=booked["uuid"])
    hop = page.one("order-hop")
    assert hop.text.strip() == "✓ Booked in Odoo · Minimart/0041"
    assert hop.parent.find_all(tag="article")[0].attrs["id"] == "receipt"
    assert not page.one("receipt").find_all(cls="o-hop")


def test_the_top_bar_counts_unsent_at_the_relay_and_attention_apart():
    device = FakeDevice(relay_up=False)
    till = started(device)
    first, second, third = (sell_one(till) for _ in range(3))
    page = act(till, "outbox-changed")
    assert page.one("pending-count").attrs["data-count"] == "3"
    assert page.by_id("relay-count") is None and page.by_id("all-in-odoo") is None

    device.relay_up = True
    device.relay_states[first["uuid"]] = {"status": "queued", "error": NO_SESSION}
    page = act(till, "sync")
    assert page.one("pending-count").attrs["data-count"] == "0"
    assert page.one("relay-count").attrs["data-count"] == "3"
    assert page.by_id("all-in-odoo") is None
    assert flash_text(page) == "All sales reached the relay; 3 wait there for Odoo."
    # The panel says why the relay holds one back.
    page = act(till, "sync-panel")
    (waiting,) = page.find_all(cls="waiting-reasons")
    assert first["name"] in waiting.text and NO_SESSION in waiting.text

    device.relay_states.update({
        first["uuid"]: {"status": "posted", "odoo_id": 1, "odoo_name": "S/1"},
        second["uuid"]: {"status": "failed", "error": "Product 101 is archived"},
        third["uuid"]: {"status": "held", "error": "totals differ"},
    })  # fmt: skip
    page = act(till, "sync")
    assert page.one("failed-count").text == "1" and page.one("held-count").text == "1"
    assert page.by_id("relay-count") is None and page.by_id("all-in-odoo") is None
    assert "All" not in flash_text(page)

    device.relay_states.update({
        second["uuid"]: {"status": "posted", "odoo_id": 2},
        third["uuid"]: {"status": "posted", "odoo_id": 3},
    })  # fmt: skip
    for item in device.outbox[1:]:
        item["state"] = "sent"  # the manager retried and approved them on the relay
    page = act(till, "sync")
    assert page.one("all-in-odoo").text == "All in Odoo"
    assert flash_text(page) == "All sales are in Odoo."


def test_unknown_counts_never_claim_all_in_odoo():
    device = FakeDevice()
    till = started(device)
    page = act(till, "outbox-changed", counts={})
    assert page.by_id("all-in-odoo") is None


def test_search_finds_sales_by_number_amount_and_day():
    device = FakeDevice()
    till = started(device)
    sold = [sell_one(till, "101" if n % 3 else "102") for n in range(7)]  # the tea: 1st, 4th, 7th
    device.relay_states[sold[0]["uuid"]] = {"status": "posted", "odoo_id": 9, "odoo_name": "Mm/09"}
    act(till, "sync")
    act(till, "orders")

    page = act(till, "find-orders", q=sold[3]["name"])
    assert list(rows(page)) == [sold[3]["name"]]
    assert page.one("orders-q").attrs["value"] == sold[3]["name"]
    page = act(till, "find-orders", q="mm/09")  # Odoo's name, any case
    assert list(rows(page)) == [sold[0]["name"]]
    # Money as the cashier types it; Rp 5.000 is the tea, sold 1st, 4th and 7th.
    teas = [o["name"] for o in reversed(sold) if o["amount_total"] == "5000"]
    assert len(teas) == 3
    for typed in ("5.000", "5000", "Rp 5.000", "5rb"):
        page = act(till, "find-orders", q=typed)
        assert list(rows(page)) == teas, typed
    # The day as the list shows it ("23-11-2026 20:41").
    day = rows(page)[sold[0]["name"]].find_all(cls="o-time")[0].text.split()[0]
    page = act(till, "find-orders", q=day)
    assert len(rows(page)) == 7
    page = act(till, "find-orders", q="01-01-2020")
    assert rows(page) == {}
    assert page.find_all(cls="empty")[0].text == "No sale matches “01-01-2020”."
    page = act(till, "find-orders", q="  ")
    assert len(rows(page)) == 7 and page.by_id("more-orders") is None


def test_more_lists_the_next_page_until_every_sale_is_listed():
    device = FakeDevice()
    till = started(device)
    sold = [sell_one(till) for _ in range(55)]
    page = act(till, "orders")
    assert list(rows(page)) == [o["name"] for o in reversed(sold)][:50]
    page = act(till, "more-orders")
    assert list(rows(page)) == [o["name"] for o in reversed(sold)]
    assert page.by_id("more-orders") is None
    page = act(till, "more-orders")
    assert flash_text(page) == "Every matching sale is listed."
    # A search keeps its words for More.
    page = act(till, "find-orders", q="3.500")
    assert len(rows(page)) == 50
    page = act(till, "more-orders")
    assert len(rows(page)) == 55 and till.orders_query == "3.500"


def test_the_query_reads_amounts_and_days_as_the_cashier_types_them():
    shop = Shop.from_bootstrap(FakeDevice().bootstrap)
    today = date(2026, 11, 30)
    assert order_query("", shop, today) == {}
    assert order_query("28.000", shop, today) == {"text": "28.000", "amount": "28000"}
    assert order_query("kasir-1-000002", shop, today) == {"text": "kasir-1-000002"}
    for typed in ("30-11", "30/11/2026", "2026-11-30", "30.11.2026"):
        query = order_query(typed, shop, today)
        start = datetime(2026, 11, 30).astimezone()
        assert datetime.fromisoformat(query["from"]) == start, typed
        assert (datetime.fromisoformat(query["to"]) - start).total_seconds() == 86400, typed
        assert query["from"].endswith("+00:00")  # compared as text with created_at (UTC)
    assert "from" not in order_query("31-02-2026", shop, today)  # no such day
    # In the shop's zone (Jakarta, UTC+7), as the list shows times: its day starts at 17:00 UTC.
    jakarta = timezone(timedelta(hours=7))
    assert order_query("30-11-2026", shop, today, jakarta) == {
        "text": "30-11-2026",
        "from": "2026-11-29T17:00:00+00:00",
        "to": "2026-11-30T17:00:00+00:00",
    }


# -- another till's sales, and old ones, refunded here ----------------------------------------------


def sell_indomie(till: Till, qty: int) -> dict:
    for _ in range(qty):
        act(till, "add", arg="101")
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    order = till.order
    act(till, "new-sale")
    return order


def give_back(till: Till, sale: dict, qty: str) -> dict:
    """A refund of `qty` of the sale's first line, paid back in cash."""
    act(till, "refund", arg=sale["uuid"])
    line = sale["lines"][0]["uuid"]
    act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{line}": qty})
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    refund = till.order
    act(till, "new-sale")
    return refund


def at_relay(terminal: str, *records: dict) -> list[dict]:
    return [{"terminal": terminal, "record": r, "status": "posted", "odoo_name": "Shop/0007"}
            for r in records]  # fmt: skip


def test_another_till_s_sale_is_refunded_here_no_further_than_is_left():
    theirs = started(FakeDevice(terminal="kasir-2"))
    sale = sell_indomie(theirs, 3)
    their_refund = give_back(theirs, sale, "1")
    line = sale["lines"][0]["uuid"]
    device = FakeDevice()
    device.shop_sales = at_relay("kasir-2", sale, their_refund)
    till = started(device)

    page = act(till, "find-orders", q=sale["name"])
    assert rows(page) == {}  # not a sale of this till
    (row,) = page.one("other-tills").find_all(cls="order-row")
    assert row.attrs["data-order-uuid"] == sale["uuid"]
    assert "kasir-2" in row.text and "✓ Booked in Odoo · Shop/0007" in row.text
    # Their refund is listed too, and cannot be refunded.
    page = act(till, "find-orders", q=their_refund["name"])
    (row,) = page.one("other-tills").find_all(cls="order-row")
    assert row.find_all(cls="refund-open") == []

    act(till, "find-orders", q=sale["name"])
    page = act(till, "refund", arg=sale["uuid"])
    assert page.one(f"refund-left-{line}").text == "2"  # 3 sold, 1 given back on kasir-2
    page = act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{line}": "3"})
    assert "Only 2 of Indomie Goreng 85 g can still be refunded." in said(page)
    act(till, "refund-all", arg=sale["uuid"])
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    mine = till.order
    assert [(x["refunded_line_uuid"], Decimal(x["qty"])) for x in mine["lines"]] == [
        (line, Decimal(-2))
    ]
    act(till, "new-sale")

    # Nothing is left: this till's refund (not at the relay yet) and kasir-2's both count.
    act(till, "find-orders", q=sale["name"])
    page = act(till, "refund", arg=sale["uuid"])
    assert "Everything in this sale was refunded already." in page.one("refund-form").text


def test_other_tills_are_not_asked_about_amounts_and_offline_it_says_so():
    device = FakeDevice()
    device.shop_sales = at_relay(
        "kasir-2", sell_indomie(started(FakeDevice(terminal="kasir-2")), 1)
    )
    till = started(device)
    page = act(till, "find-orders", q="3.500")
    assert page.by_id("other-tills") is None and page.by_id("other-tills-note") is None
    device.relay_up = False
    page = act(till, "find-orders", q="kasir-2")
    assert page.one("other-tills-note").text == (
        "Other tills' sales could not be searched: relay unreachable"
    )
    assert page.find_all(cls="empty")[0].text == "No sale matches “kasir-2”."


def test_an_old_sale_found_by_search_counts_the_refunds_the_relay_knows(monkeypatch):
    device = FakeDevice()
    till = started(device)
    sale = sell_indomie(till, 2)
    refund = give_back(till, sale, "1")
    sell_indomie(till, 1)
    sell_indomie(till, 1)
    device.shop_sales = at_relay("kasir-1", sale, refund)
    # This till's recent history no longer reaches back to the sale or its refund.
    monkeypatch.setattr(orders, "REFUND_HISTORY", 2)
    line = sale["lines"][0]["uuid"]

    act(till, "find-orders", q=sale["name"])
    device.relay_up = False
    page = act(till, "refund", arg=sale["uuid"])
    assert said(page) == (
        f"What was refunded of {sale['name']} is known to the relay, which cannot be reached "
        "(relay unreachable); try again online."
    )
    device.relay_up = True
    page = act(till, "refund", arg=sale["uuid"])
    assert page.one(f"refund-left-{line}").text == "1"


def test_own_sale_pruned_from_this_tablet_is_found_at_the_relay_and_refunded():
    # Odoo booked it more than 30 days ago: storage.js pruned it here, the relay still has it.
    sale = sell_indomie(started(FakeDevice()), 2)
    line = sale["lines"][0]["uuid"]
    device = FakeDevice()
    device.shop_sales = at_relay("kasir-1", sale)
    till = started(device)
    page = act(till, "find-orders", q=sale["name"])
    assert rows(page) == {}
    (row,) = page.one("other-tills").find_all(cls="order-row")
    assert row.attrs["data-order-uuid"] == sale["uuid"] and "kasir-1" in row.text
    page = act(till, "refund", arg=sale["uuid"])
    assert page.one(f"refund-left-{line}").text == "2"


def test_own_sale_still_kept_here_is_not_listed_twice():
    device = FakeDevice()
    till = started(device)
    sale = sell_indomie(till, 1)
    device.shop_sales = at_relay("kasir-1", sale)
    page = act(till, "find-orders", q=sale["name"])
    assert list(rows(page)) == [sale["name"]] and page.by_id("other-tills") is None
