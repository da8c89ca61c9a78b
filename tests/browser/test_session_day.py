"""A register's day in real Chromium against the real relay and sandbox: open with a count typed
by the cashier, a sale, cash out with a reason, a sale offline, closing refused while it is unsent
(Sync now and Export offered), back online, closed with a difference. The sandbox then holds the
session opened and closed once, the cash move once and each sale once."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from kasir.odoo_mapping import partner_ref
from processes import wait_for

from . import axe
from .helpers import (
    add_by_scan,
    browser_profile,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    sandbox_orders,
    settle,
    stored,
    sync_now_if_offered,
)
from .test_layout import SIZES, _check_controls

pytestmark = pytest.mark.browser

TYPING_MS = 120  # a cashier's fingers


def type_count(page, form: str, counts: dict[str, str]) -> None:
    for field, pieces in counts.items():
        page.locator(f"#{form}-{field}").press_sequentially(pieces, delay=TYPING_MS)


def outbox_records(page, kind: str) -> list[dict]:
    return [item["record"] for item in stored(page, "outbox") if item["record"]["kind"] == kind]


def test_a_day_opened_counted_moved_and_closed_reaches_odoo_once(
    tmp_path, sandbox, relay, pairing_code, products
):
    answer = httpx.post(f"{sandbox.url}/sandbox/control", json={"action": "close_session"})
    assert answer.status_code == 200, answer.text  # the day starts with no session open in Odoo
    fields = ["id", "state", "cash_register_balance_start", "cash_register_balance_end_real",
              "cash_register_difference", "opening_notes"]  # fmt: skip
    before = {
        row["id"] for row in sandbox.rpc("pos.session", "search_read", [[]], {"fields": ["id"]})
    }
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", open_day=False)
        assert page.locator("#open-day-submit").is_visible()
        type_count(page, "open-day", {"n100000": "1", "n50000": "1"})
        wait_for(
            lambda: page.locator("#open-day-total").inner_text().startswith("Rp 150.000"),
            "the running total",
            timeout=10,
        )
        page.locator("#open-day-note").press_sequentially("Pagi", delay=TYPING_MS)
        page.locator("#open-day-note").press("Enter")
        settle(page)
        page.locator("#scan").wait_for()

        add_by_scan(page, products[0]["barcode"])
        pay_cash_and_validate(page)

        page.locator("#day-button").click()
        settle(page)
        assert page.locator("#receipt").get_attribute("data-report") == "X report"
        assert page.locator("#cash-move-type").input_value() == "out"
        page.locator("#cash-move-amount").press_sequentially("20000", delay=TYPING_MS)
        page.locator("#cash-move-reason").press_sequentially("Beli es batu", delay=TYPING_MS)
        page.locator("#cash-move-submit").click()
        settle(page)
        assert "Rp 20.000" in page.locator("#flash").inner_text()
        page.locator("#back").click()
        settle(page)

        context.set_offline(True)
        add_by_scan(page, products[1]["barcode"])
        pay_cash_and_validate(page)
        assert pending_count(page) >= 1
        page.locator("#day-button").click()
        settle(page)
        page.locator("#close-day").click()
        settle(page)
        type_count(page, "close-day", {"n100000": "1", "n20000": "1", "n10000": "1"})
        page.locator("#close-day-note").press_sequentially("Kurang", delay=TYPING_MS)
        page.locator("#close-day-submit").click()
        settle(page)
        assert "cannot close" in page.locator("#flash").inner_text()
        assert page.locator("#day-sync").is_visible() and page.locator("#day-export").is_visible()
        assert outbox_records(page, "session")[-1]["op"] != "close"

        context.set_offline(False)
        sync_now_if_offered(page)
        settle(page)
        wait_for(lambda: pending_count(page) == 0, "every record sent", timeout=30)
        assert page.locator("#close-day-n20000").input_value() == "1"  # still as counted
        page.locator("#close-day-submit").click()
        settle(page)
        assert page.locator("#receipt").get_attribute("data-report") == "Z report"
        page.screenshot(path=str(tmp_path / "z-report.png"))
        assert page.locator("#day-difference").inner_text().startswith("-Rp")
        sold = orders_in_browser(page)
        [opened, closed] = sorted(outbox_records(page, "session"), key=lambda r: r["seq"])
        [moved] = outbox_records(page, "cash_move")
        page.locator("#sync-now").click()
        settle(page)
        wait_for(lambda: pending_count(page) == 0, "the close sent", timeout=30)

    assert len(sold) == 2 and {o["session_uuid"] for o in sold} == {opened["uuid"]}
    takings = sum(Decimal(o["amount_total"]) for o in sold)
    assert Decimal(closed["expected"]) == 150000 + takings - 20000
    assert Decimal(closed["cash"]) == 130000

    def closed_in_odoo() -> dict | None:
        rows = sandbox.rpc("pos.session", "search_read", [[]], {"fields": fields})
        made = [row for row in rows if row["id"] not in before]
        return made if made and made[0]["state"] == "closed" else None

    [session] = wait_for(closed_in_odoo, "the session closed in the sandbox", timeout=60)
    assert session["opening_notes"] == f"Pagi\n{partner_ref(opened['uuid'])}"
    assert Decimal(str(session["cash_register_balance_start"])) == 150000
    assert Decimal(str(session["cash_register_balance_end_real"])) == 130000
    assert Decimal(str(session["cash_register_difference"])) == -takings
    lines = sandbox.rpc(
        "account.bank.statement.line",
        "search_read",
        [[["payment_ref", "ilike", partner_ref(moved["uuid"])]]],
        {"fields": ["amount", "pos_session_id"]},
    )
    assert [(Decimal(str(r["amount"])), r["pos_session_id"][0]) for r in lines] == [
        (Decimal(-20000), session["id"])
    ]
    booked = sandbox_orders(sandbox, [o["uuid"] for o in sold])
    assert sorted(row["uuid"] for row in booked) == sorted(o["uuid"] for o in sold)
    sessions_of = sandbox.rpc(
        "pos.order", "search_read", [[["uuid", "in", [o["uuid"] for o in sold]]]],
        {"fields": ["session_id"]},
    )  # fmt: skip
    assert {row["session_id"][0] for row in sessions_of} == {session["id"]}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_days_screens_fit_a_tablet_and_a_phone(tmp_path, relay, pairing_code, products, size):
    """Nothing cut off or too small to tap on the open-day, day and close-day screens, and
    nothing axe-core calls serious."""
    problems: list[str] = []
    where = f"{size['width']}x{size['height']}"
    with browser_profile(tmp_path / "profile", viewport=size) as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", open_day=False)
        _check_controls(page, f"{where} open-day", problems)
        problems += axe.check(page, f"{where} open-day")
        page.locator("#open-day-submit").click()
        settle(page)
        _check_controls(page, f"{where} sell", problems)
        page.locator("#day-button").click()
        settle(page)
        _check_controls(page, f"{where} day", problems)
        problems += axe.check(page, f"{where} day")
        page.locator("#close-day").click()
        settle(page)
        _check_controls(page, f"{where} close-day", problems)
        problems += axe.check(page, f"{where} close-day")
        page.screenshot(path=str(tmp_path / f"close-day-{where}.png"), full_page=True)
    assert not problems, "\n".join(problems)
