"""Where a scan takes the cashier: to the sale, from every screen that can sell (scanner.js asks)."""

from __future__ import annotations

from test_till import FakeDevice, act, line_uuids, sell_three_indomie_offline, started
from till.app import Till


def test_a_scan_can_sell_on_every_screen_but_pairing_and_loading():
    assert not Till(FakeDevice()).can_scan  # loading: nothing to sell with yet
    unpaired = started(FakeDevice(terminal=None))
    assert unpaired.screen == "pair" and not unpaired.can_scan  # a pairing code is typed here

    till = started()
    assert till.screen == "sell" and till.can_scan
    act(till, "scan", code="8998866200011")
    act(till, "pay")
    assert till.can_scan
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    assert till.screen == "receipt" and till.can_scan
    act(till, "orders")
    assert till.can_scan


def test_a_scan_on_the_pay_screen_adds_the_item_and_goes_back_to_the_sale():
    till = started()
    act(till, "scan", code="8998866200011")
    act(till, "pay")
    page = act(till, "scan", code="MNM-0001")
    assert till.screen == "sell" and len(line_uuids(page)) == 2
    assert till.cart.payments == []


def test_a_scan_on_the_receipt_starts_the_next_sale_with_that_item():
    device, till = sell_three_indomie_offline()
    act(till, "orders")
    act(till, "show-order", arg=device.orders[0]["uuid"])
    assert till.screen == "receipt"
    page = act(till, "scan", code="MNM-0001")
    assert till.screen == "sell" and till.order is None
    assert [line.product_id for line in till.cart.lines] == [102]
    assert len(line_uuids(page)) == 1


def test_a_scan_on_the_refund_screen_sells_and_shows_the_sale():
    device, till = sell_three_indomie_offline()
    act(till, "orders")
    act(till, "refund", arg=device.orders[0]["uuid"])
    assert till.screen == "refund"
    page = act(till, "scan", code="MNM-0001")
    assert till.screen == "sell" and len(line_uuids(page)) == 1
