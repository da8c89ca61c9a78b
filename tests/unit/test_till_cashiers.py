"""Cashiers on the till: log in with a PIN checked offline against Odoo's hash, five wrong PINs
lock that cashier for a minute (kept over a reload), Switch keeps the open sale, a manager's PIN
for a price, a discount over the limit and a refund, and who sold and approved on the order."""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta

from test_till import BOOTSTRAP, NOW, FakeDevice, act, dom, flash_text, run, said, started
from till.app import Till

INDOMIE = "8998866200011"  # Rp 3.500
ANI_PIN, BUDI_PIN = "1234", "5678"
# The bootstrap's cashiers as the relay mirrors them (server/odoo_mapping.cashier_records).
CASHIERS = [
    {"employee_id": 1, "name": "Ani", "user_id": None, "manager": False,
     "pin": hashlib.sha1(ANI_PIN.encode()).hexdigest()},
    {"employee_id": 2, "name": "Budi", "user_id": None, "manager": True,
     "pin": hashlib.sha1(BUDI_PIN.encode()).hexdigest()},
    {"employee_id": 3, "name": "Cici", "user_id": 7, "manager": False, "pin": None},
]  # fmt: skip
ANI, BUDI, CICI = "employee:1", "employee:2", "employee:3"


def shop_device(**config: object) -> FakeDevice:
    bootstrap = copy.deepcopy(BOOTSTRAP)
    bootstrap["cashiers"] = copy.deepcopy(CASHIERS)
    bootstrap["config"].update(config)
    return FakeDevice(bootstrap=bootstrap)


def log_in(till: Till, who: str, pin: str | None = None) -> None:
    act(till, "cashier-pick", arg=who)
    if pin is not None:
        act(till, "cashier-pin", pin=pin)


def sell_for_cash(till: Till) -> dict:
    act(till, "scan", code=INDOMIE)
    act(till, "pay")
    act(till, "tender", method_id="1", amount="5000")
    act(till, "validate")
    order = till.order
    act(till, "new-sale")
    return order


def test_a_shop_with_cashiers_starts_locked_and_lists_them():
    till = started(shop_device())
    page = dom(till)
    assert till.screen == "cashiers" and not till.can_scan
    tiles = [n.attrs["data-arg"] for n in page.find_all("button", cls="cashier-tile")]
    assert tiles == [ANI, BUDI, CICI]
    assert page.by_id("scan") is None and page.by_id("cashier-switch") is None
    page = act(till, "pay")  # a shortcut cannot get past the lock
    assert flash_text(page) == "Pick who is at the till first." and till.screen == "cashiers"


def test_a_shop_without_cashiers_sells_as_before():
    till = started(FakeDevice())
    assert till.screen == "sell" and till.can_scan
    assert dom(till).by_id("cashier-switch") is None
    order = sell_for_cash(till)
    assert "cashier" not in order and till.who() == "kasir-1"


def test_the_right_pin_logs_in_a_wrong_one_says_how_many_tries_are_left():
    device = shop_device()
    till = started(device)
    act(till, "cashier-pick", arg=ANI)
    page = dom(till)
    field = page.one("cashier-pin")
    assert field.attrs["type"] == "password" and field.attrs["inputmode"] == "numeric"
    assert [n.attrs["data-pin-key"] for n in page.find_all("button", cls="pin-key")] == [
        *"123456789", "back", "0"
    ]  # fmt: skip
    page = act(till, "cashier-pin", pin="9999")
    assert flash_text(page) == "Wrong PIN for Ani: 4 tries left." and till.screen == "cashiers"
    assert page.one("cashier-pin").attrs.get("value") is None  # a PIN is never painted back
    page = act(till, "cashier-pin", pin=ANI_PIN)
    assert till.screen == "sell" and page.one("cashier-name").text == "Ani"
    assert device.cashiers == {"current": ANI, "tries": {}}  # the wrong try is forgotten


def test_a_cashier_without_a_pin_logs_in_with_a_tap():
    till = started(shop_device())
    act(till, "cashier-pick", arg=CICI)
    assert till.screen == "sell" and till.who() == "Cici"


def test_five_wrong_pins_lock_that_cashier_for_a_minute_even_over_a_reload():
    device = shop_device()
    till = started(device)
    act(till, "cashier-pick", arg=ANI)
    for left in (4, 3, 2, 1):
        assert (
            said(act(till, "cashier-pin", pin="0000")) == f"Wrong PIN for Ani: {left} tries left."
        )
    page = act(till, "cashier-pin", pin="0000")
    assert said(page) == "Wrong PIN for Ani. Locked for a minute."
    page = act(till, "cashier-pin", pin=ANI_PIN)  # even the right PIN waits
    assert said(page) == "Too many wrong PINs: try again in 60 s." and till.screen == "cashiers"
    till = started(device)  # a reload does not unlock
    device.clock = NOW + timedelta(seconds=45)
    page = act(till, "cashier-pick", arg=ANI)
    assert page.one("cashier-pin-form").find_all(cls="pin-locked")[0].text == (
        "Ani is locked for 15 more seconds."
    )
    assert said(act(till, "cashier-pin", pin=ANI_PIN)) == "Too many wrong PINs: try again in 15 s."
    log_in(till, BUDI, BUDI_PIN)  # the others are not locked
    assert till.who() == "Budi"
    act(till, "cashier-switch")
    device.clock = NOW + timedelta(seconds=61)
    log_in(till, ANI, ANI_PIN)
    assert till.screen == "sell" and till.who() == "Ani"


def test_switch_keeps_the_open_sale_and_the_next_cashier_sells_it():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    act(till, "scan", code=INDOMIE)
    act(till, "pay")
    page = act(till, "cashier-switch")
    assert till.screen == "cashiers" and page.by_id("cashier-name") is None
    assert len(till.cart.lines) == 1
    till = started(device)  # a reload on the lock screen: still locked, the sale still there
    assert till.screen == "cashiers" and len(till.cart.lines) == 1
    log_in(till, BUDI, BUDI_PIN)
    assert till.screen == "sell"
    act(till, "pay")
    act(till, "tender", method_id="1", amount="5000")
    act(till, "validate")
    assert device.orders[-1]["cashier"] == {"employee_id": 2, "name": "Budi"}
    page = dom(till)
    assert page.find_all(cls="r-cashier")[0].text == "Cashier: Budi"


def test_the_logged_in_cashier_survives_a_reload():
    device = shop_device()
    log_in(started(device), ANI, ANI_PIN)
    till = started(device)
    assert till.screen == "sell" and till.who() == "Ani"


def test_the_order_records_who_sold_it():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    sell_for_cash(till)
    assert device.orders[-1]["cashier"] == {"employee_id": 1, "name": "Ani"}
    assert "approved_by" not in device.orders[-1]


def price_editor(till: Till) -> str:
    act(till, "scan", code=INDOMIE)
    uuid = till.cart.lines[0].uuid
    act(till, "edit-line", arg=uuid)
    return uuid


def test_a_price_override_by_a_cashier_needs_a_manager_pin():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    uuid = price_editor(till)
    page = act(till, "line-edit", arg=uuid, price="3000", discount="0", reason="dented")
    dialog = page.one("manager-pin-form")
    assert dialog.attrs["role"] == "dialog" and dialog.attrs["aria-modal"] == "true"
    assert page.one("manager-pin-text").text == "A manager's PIN is needed to change a price."
    assert till.cart.lines[0].price_unit == 3500  # nothing changed yet
    assert page.one("line-price").attrs["value"] == "3000"  # the editor keeps what was typed
    page = act(till, "manager-pin", pin=ANI_PIN)  # a cashier's PIN is not a manager's
    assert "That is not a manager's PIN." in said(page)
    assert page.by_id("manager-pin-form") is not None and till.cart.lines[0].price_unit == 3500
    act(till, "manager-pin", pin=BUDI_PIN)
    line = till.cart.lines[0]
    assert line.price_unit == 3000 and line.price_by == "Ani"
    assert line.approved_by == {"employee_id": 2, "name": "Budi"}
    assert dom(till).by_id("manager-pin-form") is None
    act(till, "pay")
    act(till, "tender", method_id="1", amount="3000")
    act(till, "validate")
    [sold] = device.orders[-1]["lines"]
    assert sold["price_by"] == "Ani" and sold["approved_by"] == {"employee_id": 2, "name": "Budi"}


def test_escape_or_cancel_leaves_the_price_as_it_was():
    till = started(shop_device())
    log_in(till, ANI, ANI_PIN)
    uuid = price_editor(till)
    act(till, "line-edit", arg=uuid, price="3000", discount="0", reason="dented")
    act(till, "escape")
    assert till.cashiers.asking is None and till.cart.lines[0].price_unit == 3500
    assert till.editing == uuid  # Escape closed the question only
    act(till, "line-edit", arg=uuid, price="3000", discount="0", reason="dented")
    act(till, "keep")
    assert till.cashiers.asking is None and till.cart.lines[0].price_unit == 3500


def test_a_manager_changes_prices_without_a_second_pin():
    till = started(shop_device())
    log_in(till, BUDI, BUDI_PIN)
    uuid = price_editor(till)
    act(till, "line-edit", arg=uuid, price="3000", discount="0", reason="dented")
    line = till.cart.lines[0]
    assert till.cashiers.asking is None and line.price_unit == 3000 and line.approved_by is None


def test_a_discount_up_to_the_limit_needs_no_manager_over_it_does():
    till = started(shop_device(discount_limit="10"))
    log_in(till, ANI, ANI_PIN)
    uuid = price_editor(till)
    act(till, "line-edit", arg=uuid, price="3.500", discount="10", reason="loyal")
    assert till.cashiers.asking is None and till.cart.lines[0].discount == 10
    act(till, "edit-line", arg=uuid)
    page = act(till, "line-edit", arg=uuid, price="3.500", discount="15", reason="loyal")
    assert page.one("manager-pin-text").text == (
        "A manager's PIN is needed for a discount over 10%."
    )
    act(till, "manager-pin", pin=BUDI_PIN)
    assert till.cart.lines[0].discount == 15
    page = act(till, "order-discount", percent="20", reason="opening day")
    assert page.by_id("manager-pin-form") is not None and till.cart.order_discount is None
    act(till, "manager-pin", pin=BUDI_PIN)
    assert till.cart.order_discount.percent == 20
    assert till.cart.approved_by == {"employee_id": 2, "name": "Budi"}


def test_the_shop_decides_what_needs_a_manager():
    till = started(shop_device(manager_pin_for=["refund"]))
    log_in(till, ANI, ANI_PIN)
    uuid = price_editor(till)
    act(till, "line-edit", arg=uuid, price="3000", discount="50", reason="dented")
    assert till.cashiers.asking is None and till.cart.lines[0].price_unit == 3000


def test_five_wrong_manager_pins_lock_the_question_for_a_minute():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    uuid = price_editor(till)
    act(till, "line-edit", arg=uuid, price="3000", discount="0", reason="dented")
    for _ in range(5):
        act(till, "manager-pin", pin="0000")
    page = act(till, "manager-pin", pin=BUDI_PIN)
    assert "Too many wrong PINs: try again in 60 s." in said(page)
    assert till.cart.lines[0].price_unit == 3500
    device.clock = NOW + timedelta(minutes=1, seconds=1)
    act(till, "manager-pin", pin=BUDI_PIN)
    assert till.cart.lines[0].price_unit == 3000


def test_a_refund_by_a_cashier_needs_a_manager_and_records_who_approved():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    sale = sell_for_cash(till)
    act(till, "refund", arg=sale["uuid"])
    page = act(till, "refund-all", arg=sale["uuid"])
    assert page.one("manager-pin-text").text == "A manager's PIN is needed for a refund."
    assert till.screen == "refund" and till.cart.is_empty()
    act(till, "manager-pin", pin=BUDI_PIN)
    assert till.screen == "pay" and len(till.cart.lines) == 1
    act(till, "tender", method_id="1", amount="3500")
    act(till, "validate")
    refund = device.orders[-1]
    assert refund["cashier"] == {"employee_id": 1, "name": "Ani"}
    assert refund["approved_by"] == {"employee_id": 2, "name": "Budi"}


def test_a_manager_refunds_without_a_second_pin():
    device = shop_device()
    till = started(device)
    log_in(till, BUDI, BUDI_PIN)
    sale = sell_for_cash(till)
    act(till, "refund", arg=sale["uuid"])
    act(till, "refund-all", arg=sale["uuid"])
    assert till.screen == "pay" and till.cashiers.asking is None
    assert till.cart.approved_by is None


def test_a_refresh_that_drops_the_cashier_locks_the_till():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    device.relay_bootstrap = copy.deepcopy(device.bootstrap)
    device.relay_bootstrap["cashiers"] = [c for c in CASHIERS if c["name"] != "Ani"]
    run(till.handle("refresh", {}))
    assert till.screen == "cashiers" and till.cashiers.current is None


def test_cash_out_by_a_cashier_needs_a_manager_cash_in_does_not():
    device = shop_device()
    till = started(device)
    log_in(till, ANI, ANI_PIN)
    act(till, "cash-move", type="in", amount="50.000", reason="Kembalian")
    assert till.cashiers.asking is None
    page = act(till, "cash-move", type="out", amount="20.000", reason="Beli es batu")
    assert page.one("manager-pin-text").text == "A manager's PIN is needed to take cash out."
    moves = [i["record"] for i in device.outbox if i["record"]["kind"] == "cash_move"]
    assert [m["type"] for m in moves] == ["in"]
    act(till, "manager-pin", pin=BUDI_PIN)
    moves = [i["record"] for i in device.outbox if i["record"]["kind"] == "cash_move"]
    assert [m["type"] for m in moves] == ["in", "out"]
    assert "approved_by" not in moves[0]
    assert moves[1]["approved_by"] == {"employee_id": 2, "name": "Budi"}
