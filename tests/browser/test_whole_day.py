"""A whole day of a shop with two tablets, in real Chromium against the real relay and an Odoo
sandbox whose register uses pos_hr's cashiers (issue 10's done-when).

kasir-1 opens the day as Ani with the drawer counted, sells, goes offline, makes a customer and
sells to them (the loyalty programme's points and an order discount on the sale), parks a sale,
sells another, resumes and pays the parked one, voids one; Budi (a manager) takes over, takes cash
out with a reason and, online, refunds the sale kasir-2 rang up, found through the Orders search;
offline again a last sale keeps the day from closing (Sync now and Export offered); online, the day
closes Rp 5.000 short, with a note. kasir-2 sold once and closed its day exactly. Odoo then holds
one session opened and closed with that difference, each sale once with its cashier, the cash
move once, the customer once and named on their sale, and the refund tied to kasir-2's line.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from kasir.odoo_mapping import partner_ref
from kasir.sandbox.demo import CASHIER_ANI, CASHIER_BUDI
from playwright.sync_api import BrowserContext, Page, expect
from processes import add_terminal, wait_for
from register.drawer import IDR_DENOMINATIONS

from .helpers import (
    browser_profiles,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    settle,
    sync_now_if_offered,
)
from .test_cashiers import (
    ANI,
    BUDI,
    latest_order,
    log_in,
    pay_exact_and_validate,
    scan,
)
from .test_customers import cashier_types, partners_in_browser
from .test_order_states import open_orders, search
from .test_parked import park
from .test_session_day import TYPING_MS, outbox_records, type_count

pytestmark = pytest.mark.browser

# The sandbox whose register uses Ani and Budi, and its relay (fixtures of the cashiers' test).

SHORT = Decimal(5000)  # what kasir-1's drawer is short at the close


def paired_and_logged_in(context: BrowserContext, url: str, who: str, pin: str) -> Page:
    """A new tablet paired by its link, on the lock screen until the cashier types their PIN."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.kasirReadyAt !== undefined", timeout=60_000)
    page.locator(".cashier-tile").first.wait_for()
    log_in(page, who, pin)
    page.locator("#open-day-submit").wait_for()
    return page


def rupiah(text: str) -> Decimal:
    """ "Rp 123.500" as the till shows it -> 123500."""
    return Decimal(text.replace("Rp", "").replace(".", "").strip())


def pieces_for(amount: Decimal) -> dict[str, str]:
    """The fewest banknotes and coins that make `amount`, as the count grid's fields."""
    counts = {}
    for value in sorted(IDR_DENOMINATIONS, reverse=True):
        number, amount = divmod(amount, value)
        if number:
            counts[f"n{value}"] = str(number)
    assert amount == 0, f"Rp {amount} cannot be counted in rupiah pieces"
    return counts


def to_close_day(page: Page) -> Decimal:
    """Day, then Close the day; the cash the till expects in the drawer."""
    page.locator("#day-button").click()
    settle(page)
    page.locator("#close-day").click()
    settle(page)
    return rupiah(page.locator("#close-day-expected").inner_text())


def synced(page: Page) -> None:
    """Sync now until the till says all of it is in Odoo: nothing unsent, at the relay, held
    or failed."""

    def all_in_odoo() -> bool:
        page.locator("#sync-now").click()
        settle(page)
        return page.locator("#all-in-odoo").count() == 1

    wait_for(all_in_odoo, "“All in Odoo” on the till", timeout=60, interval=0.5)


def test_a_whole_day_of_two_tills_reaches_odoo_once(tmp_path, hr_sandbox, hr_relay):
    sandbox, relay = hr_sandbox, hr_relay
    answer = httpx.post(f"{sandbox.url}/sandbox/control", json={"action": "close_session"})
    assert answer.status_code == 200, answer.text  # the day starts with no session open in Odoo
    before = {
        row["id"] for row in sandbox.rpc("pos.session", "search_read", [[]], {"fields": ["id"]})
    }
    goods = sandbox.rpc(
        "product.product", "search_read",
        [[["barcode", "!=", False], ["available_in_pos", "=", True]]],
        {"fields": ["id", "barcode", "lst_price"], "order": "id", "limit": 40},
    )  # fmt: skip
    noodle, *items = goods[:6]
    # Dewi's two, 5 % off, come to whole hundreds: the count grid has no Rp 50 coin.
    treat = next(p for p in goods if Decimal(str(p["lst_price"])) % 1000 == 0)
    one_code, two_code = add_terminal(relay, "kasir-1"), add_terminal(relay, "kasir-2")

    with browser_profiles(tmp_path / "kasir-1", tmp_path / "kasir-2") as (one, two):
        # kasir-1: Ani opens the day with the drawer counted on the grid.
        page = paired_and_logged_in(one, f"{relay.url}/?pair={one_code}", ANI, CASHIER_ANI[2])
        assert page.locator("#open-day-cashier").input_value() == "Ani"
        type_count(page, "open-day", {"n100000": "1", "n50000": "1"})
        expect(page.locator("#open-day-total")).to_have_text("Rp 150.000")
        page.locator("#open-day-note").press_sequentially("Pagi", delay=TYPING_MS)
        page.locator("#open-day-note").press("Enter")
        settle(page)
        page.locator("#scan").wait_for()
        synced(page)  # the register's session is opened in Odoo: kasir-2 joins it

        # kasir-2: Budi sells once and closes his day with the drawer exactly as expected.
        other = paired_and_logged_in(two, f"{relay.url}/?pair={two_code}", BUDI, CASHIER_BUDI[2])
        other = open_till(two, None, page=other)
        scan(other, noodle["barcode"])
        scan(other, noodle["barcode"])
        assert pay_exact_and_validate(other) == "Cashier: Budi"
        their_sale = latest_order(other)
        synced(other)
        their_expected = to_close_day(other)
        type_count(other, "close-day", pieces_for(their_expected))
        other.locator("#close-day-submit").click()
        settle(other)
        expect(other.locator("#day-difference")).to_have_text("Rp 0")
        synced(other)
        [their_close] = [r for r in outbox_records(other, "session") if r["op"] == "close"]

        # kasir-1: a sale online, then offline a new customer and a sale to them.
        # Every sale's uuid -> who rang it up (pos_hr's employee), as Odoo must book it.
        sold: dict[str, tuple[int, str, str]] = {}
        scan(page, items[0]["barcode"])
        assert pay_exact_and_validate(page) == "Cashier: Ani"
        sold[latest_order(page)["uuid"]] = CASHIER_ANI
        one.set_offline(True)
        page.locator("#customer").click()
        settle(page)
        page.locator("#customer-new").click()
        settle(page)
        cashier_types(page, "#customer-name", "Dewi Lestari")
        cashier_types(page, "#customer-phone", "0857 2222 3333")
        page.locator("#customer-phone").press("Enter")
        settle(page)
        assert page.locator("#customer").inner_text().startswith("Dewi Lestari")
        scan(page, treat["barcode"])
        scan(page, treat["barcode"])
        # The reward this till gives offline: an order discount (pos_discount), within Ani's
        # limit; the loyalty programme's points are earned on the sale (spending points needs a
        # balance the relay does not send yet).
        page.locator("#order-discount").click()
        settle(page)
        cashier_types(page, "#order-discount-percent", "5")
        cashier_types(page, "#order-discount-reason", "Pelanggan baru")
        page.locator("#order-discount-reason").press("Enter")
        settle(page)
        expect(page.locator("#order-discount-form")).to_have_count(0)
        pay_cash_and_validate(page, next_sale=False)
        assert page.locator("#receipt-customer").inner_text() == "Customer: Dewi Lestari"
        assert "Pelanggan baru" in page.locator("#receipt-order-discount").inner_text()
        dewi_sale = latest_order(page)
        # The demo's programme: a point per Rp 1.000 paid, to 0.01 of a point.
        points = (Decimal(dewi_sale["amount_total"]) / 1000).quantize(Decimal("0.01"))
        assert [
            (entry["program_id"], Decimal(entry["points_earned"])) for entry in dewi_sale["loyalty"]
        ] == [(1, points)]
        expect(page.locator("#receipt-loyalty")).to_contain_text("Points earned")
        page.locator("#new-sale").click()
        settle(page)
        sold[dewi_sale["uuid"]] = CASHIER_ANI
        [dewi] = [p for p in partners_in_browser(page) if p["name"] == "Dewi Lestari"]
        assert dewi_sale["partner"] == {"uuid": dewi["uuid"], "name": "Dewi Lestari"}

        # A sale parked, another sold, the parked one resumed and paid; one voided.
        scan(page, items[2]["barcode"])
        park(page, "Bu Rina")
        scan(page, items[3]["barcode"])
        assert pay_exact_and_validate(page) == "Cashier: Ani"
        sold[latest_order(page)["uuid"]] = CASHIER_ANI
        page.locator("#parked").click()
        settle(page)
        page.locator(".parked-row .resume", has_text="Bu Rina").click()
        settle(page)
        assert pay_exact_and_validate(page) == "Cashier: Ani"
        resumed = latest_order(page)
        assert [line["product_id"] for line in resumed["lines"]] == [items[2]["id"]]
        sold[resumed["uuid"]] = CASHIER_ANI
        scan(page, items[4]["barcode"])
        page.locator("#void").click()
        settle(page)
        page.keyboard.press("Enter")  # Void sale? Void
        settle(page)
        expect(page.locator("#flash")).to_have_text("The sale was voided.")

        # Budi takes over and takes cash out, with a reason (a manager: no second PIN).
        page.locator("#cashier-switch").click()
        settle(page)
        log_in(page, BUDI, CASHIER_BUDI[2])
        expect(page.locator("#cashier-name")).to_have_text("Budi")
        page.locator("#day-button").click()
        settle(page)
        page.locator("#cash-move-amount").press_sequentially("20000", delay=TYPING_MS)
        page.locator("#cash-move-reason").press_sequentially("Beli es batu", delay=TYPING_MS)
        page.locator("#cash-move-submit").click()
        settle(page)
        expect(page.locator("#flash")).to_have_text("Cash out recorded: Rp 20.000.")
        assert page.locator("#manager-pin-form").count() == 0
        page.locator("#back").click()
        settle(page)

        # Online: kasir-2's sale, found through the Orders search, refunded here.
        one.set_offline(False)
        synced(page)
        open_orders(page)
        search(page, their_sale["name"])
        row = page.locator(f'#other-tills .order-row[data-order-uuid="{their_sale["uuid"]}"]')
        assert "kasir-2" in row.inner_text()
        row.locator(".refund-open").click()
        settle(page)
        page.locator("#refund-all").click()
        settle(page)
        assert pay_exact_and_validate(page) == "Cashier: Budi"
        refund = latest_order(page)
        sold[refund["uuid"]] = CASHIER_BUDI
        [their_line] = their_sale["lines"]
        assert [(x["refunded_line_uuid"], x["qty"]) for x in refund["lines"]] == [
            (their_line["uuid"], "-2")
        ]

        # Offline again: a last sale, and the day does not close while it is unsent.
        one.set_offline(True)
        scan(page, items[0]["barcode"])
        assert pay_exact_and_validate(page) == "Cashier: Budi"
        sold[latest_order(page)["uuid"]] = CASHIER_BUDI
        assert pending_count(page) == 1
        expected = to_close_day(page)
        type_count(page, "close-day", pieces_for(expected - SHORT))
        expect(page.locator("#close-day-difference")).to_have_text("-Rp 5.000")
        page.locator("#close-day-note").press_sequentially("Kurang 5rb", delay=TYPING_MS)
        page.locator("#close-day-submit").click()
        settle(page)
        expect(page.locator("#flash")).to_have_text(
            "The day cannot close while records of this till are not sent (1): press Sync "
            "now, or Export them to a file for the manager."
        )
        expect(page.locator("#day-sync")).to_have_text("Sync now")
        expect(page.locator("#day-export")).to_have_text("Export")
        assert all(r["op"] == "open" for r in outbox_records(page, "session"))

        # Online: Sync now, then the day closes as counted, short, with the note.
        one.set_offline(False)
        sync_now_if_offered(page)
        settle(page)
        wait_for(lambda: pending_count(page) == 0, "the last sale sent", timeout=30)
        page.locator("#close-day-submit").click()
        settle(page)
        assert page.locator("#receipt").get_attribute("data-report") == "Z report"
        expect(page.locator("#day-difference")).to_have_text("-Rp 5.000")
        synced(page)
        ours = orders_in_browser(page)
        [opened, closed] = sorted(outbox_records(page, "session"), key=lambda r: r["seq"])
        [moved] = outbox_records(page, "cash_move")
    sold[their_sale["uuid"]] = CASHIER_BUDI

    assert sorted(o["uuid"] for o in ours) == sorted(u for u in sold if u != their_sale["uuid"])
    assert (Decimal(closed["cash"]), closed["note"]) == (expected - SHORT, "Kurang 5rb")
    fields = ["id", "state", "cash_register_balance_start", "cash_register_balance_end_real",
              "cash_register_difference", "opening_notes"]  # fmt: skip

    def closed_in_odoo() -> list[dict] | None:
        rows = sandbox.rpc("pos.session", "search_read", [[]], {"fields": fields})
        made = [row for row in rows if row["id"] not in before]
        return made if made and all(row["state"] == "closed" for row in made) else None

    [session] = wait_for(closed_in_odoo, "the day's session closed in the sandbox", timeout=60)
    assert session["opening_notes"] == f"Pagi\n{partner_ref(opened['uuid'])}"
    assert Decimal(str(session["cash_register_balance_start"])) == 150000
    counted = Decimal(closed["cash"]) + Decimal(their_close["cash"])
    assert Decimal(str(session["cash_register_balance_end_real"])) == counted
    assert Decimal(str(session["cash_register_difference"])) == -SHORT

    # Each sale once, in that session, with its cashier and its total to the cent.
    booked = sandbox.rpc(
        "pos.order", "search_read", [[["uuid", "in", list(sold)]]],
        {"fields": ["uuid", "session_id", "employee_id", "cashier", "partner_id", "amount_total"]},
    )  # fmt: skip
    assert sorted(row["uuid"] for row in booked) == sorted(sold)
    sellers = {row["uuid"]: (row["employee_id"][0], row["cashier"]) for row in booked}
    assert sellers == {uuid: (employee, name) for uuid, (employee, name, _pin) in sold.items()}
    assert {row["session_id"][0] for row in booked} == {session["id"]}
    totals = {o["uuid"]: Decimal(o["amount_total"]) for o in [*ours, their_sale]}
    assert {row["uuid"]: Decimal(str(row["amount_total"])) for row in booked} == totals

    # The customer made offline: once in Odoo, and named on their sale (and only there).
    [customer] = sandbox.rpc(
        "res.partner", "search_read", [[["name", "=", "Dewi Lestari"]]],
        {"fields": ["id", "ref", "phone"]},
    )  # fmt: skip
    assert (customer["ref"], customer["phone"]) == (f"kasir:{dewi['uuid']}", "0857 2222 3333")
    named = {row["uuid"] for row in booked if row["partner_id"]}
    assert named == {dewi_sale["uuid"]}
    [dewi_row] = [row for row in booked if row["uuid"] == dewi_sale["uuid"]]
    assert dewi_row["partner_id"][0] == customer["id"]

    # The cash out once, on the session.
    lines = sandbox.rpc(
        "account.bank.statement.line", "search_read",
        [[["payment_ref", "ilike", partner_ref(moved["uuid"])]]],
        {"fields": ["amount", "pos_session_id"]},
    )  # fmt: skip
    assert [(Decimal(str(r["amount"])), r["pos_session_id"][0]) for r in lines] == [
        (Decimal(-20000), session["id"])
    ]

    # The refund is booked against kasir-2's line: both of its units are back.
    [sold_line] = sandbox.rpc(
        "pos.order.line", "search_read", [[["uuid", "=", their_line["uuid"]]]],
        {"fields": ["id", "refunded_qty"]},
    )  # fmt: skip
    [refund_line] = sandbox.rpc(
        "pos.order.line", "search_read", [[["uuid", "=", refund["lines"][0]["uuid"]]]],
        {"fields": ["refunded_orderline_id"]},
    )  # fmt: skip
    assert refund_line["refunded_orderline_id"][0] == sold_line["id"]
    assert Decimal(str(sold_line["refunded_qty"])) == 2
