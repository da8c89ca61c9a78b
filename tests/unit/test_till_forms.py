"""Forms keep what was typed and say which field is wrong; quantities follow the product's unit;
0 asks before removing a line; an amount far above the due asks before it is taken."""

from __future__ import annotations

import copy
import json

from test_till import (
    BOOTSTRAP,
    CATALOG,
    FakeDevice,
    Node,
    act,
    dom,
    flash_text,
    line_uuids,
    product,
    ring_up_two_indomie,
    sell_three_indomie_offline,
    started,
)

BERAS = {**product(104, "Beras curah", "14000", "2100000000012", "BRS-CURAH", 1), "uom": "kg"}
BERAS["uom_decimals"] = 3


def refused(page: Node, input_id: str) -> str:
    """The message beside a field marked wrong (and fails when it is not marked)."""
    field = page.one(input_id)
    assert field.attrs.get("aria-invalid") == "true"
    note = page.one(field.attrs["aria-describedby"])
    assert "field-error" in note.attrs["class"]
    return note.text


def not_refused(page: Node, input_id: str) -> None:
    field = page.one(input_id)
    assert "aria-invalid" not in field.attrs and "aria-describedby" not in field.attrs


def test_quantities_follow_the_unit_and_a_refused_one_stays_typed():
    till = started(FakeDevice(catalog=[*CATALOG, BERAS]))
    (indomie,) = line_uuids(act(till, "scan", code="8998866200011"))
    page = act(till, "qty", arg=indomie, qty="1.5")
    assert page.one(f"qty-{indomie}").attrs["value"] == "1.5"
    assert refused(page, f"qty-{indomie}") == (
        "Indomie Goreng 85 g is sold by the unit: type a whole number."
    )
    assert till.cart.lines[0].qty == 1
    page = act(till, "qty", arg=indomie, qty="2")  # the next action clears the mark
    not_refused(page, f"qty-{indomie}")
    assert page.one(f"qty-{indomie}").attrs["value"] == "2"

    page = act(till, "scan", code="0,5*2100000000012")  # the scale's form, decimal comma
    rice = till.cart.lines[1]
    assert (rice.name, str(rice.qty)) == ("Beras curah", "0.5")
    assert page.one(f"qty-{rice.uuid}").attrs["value"] == "0.5"
    page = act(till, "qty", arg=rice.uuid, qty="1,255")
    assert str(till.cart.lines[1].qty) == "1.255" and page.one("total").text == "Rp 24.570"
    page = act(till, "qty", arg=rice.uuid, qty="1,2555")
    assert refused(page, f"qty-{rice.uuid}") == "Beras curah is sold by kg, in steps of 0.001."
    assert page.one(f"qty-{rice.uuid}").attrs["value"] == "1,2555"
    # The other line's field shows its own quantity, unmarked.
    not_refused(page, f"qty-{indomie}")
    assert page.one(f"qty-{indomie}").attrs["value"] == "2"


def test_zero_or_minus_at_one_asks_before_removing_the_line():
    till = ring_up_two_indomie()
    (uuid,) = line_uuids(dom(till))
    page = act(till, "qty", arg=uuid, qty="0")
    ask = page.one("confirm-remove")
    assert ask.attrs["data-action"] == "remove" and ask.attrs["role"] == "alertdialog"
    assert page.one("confirm-remove-text").text == "Remove Indomie Goreng 85 g from the sale?"
    assert ask.find_all("input")[0].attrs["value"] == uuid
    yes = page.one("confirm-remove-yes")
    assert yes.attrs["type"] == "submit" and "autofocus" in yes.attrs  # Enter removes
    assert page.one("confirm-keep").attrs["data-action"] == "keep"
    assert till.cart.lines[0].qty == 2  # nothing changed yet

    page = act(till, "keep")
    assert page.by_id("confirm-remove") is None and till.cart.lines[0].qty == 2

    act(till, "qty", arg=uuid, qty="1")
    page = act(till, "dec", arg=uuid)
    assert page.by_id("confirm-remove") is not None
    page = act(till, "escape")  # Escape keeps the line and stays on the sale
    assert page.by_id("confirm-remove") is None and till.screen == "sell"
    assert till.cart.lines[0].qty == 1

    act(till, "dec", arg=uuid)
    page = act(till, "scan", code="8886008101053")  # doing something else answers "no"
    assert page.by_id("confirm-remove") is None and len(till.cart.lines) == 2

    act(till, "qty", arg=uuid, qty="0")
    page = act(till, "remove", arg=uuid)  # the dialog's submit
    assert [line.name for line in till.cart.lines] == ["Teh Botol Sosro 450 ml"]
    assert page.by_id("confirm-remove") is None


def test_an_amount_far_above_the_due_is_asked_about_before_it_is_taken():
    till = ring_up_two_indomie()  # Rp 7.000 due
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="8.996.252.907.438")
    assert page.one("confirm-tender-text").text == (
        "Rp 8.996.252.907.438 is more than 100 times what is due (Rp 7.000). Take it?"
    )
    assert page.by_id("tendered") is None  # the question stands in place of the field
    assert till.cart.payments == [] and page.one("tendered-total").text == "Rp 0"
    assert "autofocus" in page.one("confirm-tender-yes").attrs

    page = act(till, "tender-change")
    assert page.by_id("confirm-tender") is None and till.cart.payments == []
    assert page.one("tendered").attrs["value"] == "8.996.252.907.438"
    not_refused(page, "tendered")

    act(till, "tender", method_id="1", amount="800.000")
    page = act(till, "escape")  # Escape is Change
    assert page.one("tendered").attrs["value"] == "800.000" and till.screen == "pay"

    page = act(till, "tender", method_id="1", amount="800.000")
    hidden = {
        n.attrs["name"]: n.attrs["value"] for n in page.one("confirm-tender").find_all("input")
    }
    assert hidden == {"amount": "800.000", "method_id": "1", "confirmed": "1"}
    page = act(till, "tender", **hidden)  # Take it
    assert page.one("tendered-total").text == "Rp 800.000"
    assert page.one("change").text == "Rp 793.000"

    # Up to 100 times is taken at once.
    till = ring_up_two_indomie()
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="700rb")
    assert page.by_id("confirm-tender") is None and page.one("change").text == "Rp 693.000"


def test_the_factor_comes_from_the_shop_configuration():
    bootstrap = copy.deepcopy(BOOTSTRAP)
    bootstrap["config"]["tender_confirm_factor"] = "10"
    till = ring_up_two_indomie(FakeDevice(bootstrap=bootstrap))
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="100.000")
    assert "more than 10 times" in page.one("confirm-tender-text").text
    page = act(till, "tender", method_id="1", amount="50.000")
    assert page.by_id("confirm-tender") is None and till.cart.payments[0].amount == 50000


def test_a_refused_amount_stays_typed_beside_its_message():
    till = ring_up_two_indomie()
    act(till, "pay")
    page = act(till, "tender", method_id="2", amount="-5000")
    assert page.one("tendered").attrs["value"] == "-5000"
    assert refused(page, "tendered") == "An amount cannot be negative."
    assert till.cart.payments == []
    selected = [o for o in page.find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["2"]  # the method chosen stays chosen too
    page = act(till, "tender", method_id="1", amount="28.000,00")
    not_refused(page, "tendered")
    assert page.one("tendered").attrs["value"] == ""
    assert page.one("tendered-total").text == "Rp 28.000"


def test_line_editor_keeps_what_was_typed_and_applies_it_once_the_reason_is_there():
    till = ring_up_two_indomie()
    uuid = till.cart.lines[0].uuid
    act(till, "edit-line", arg=uuid)
    page = act(till, "line-edit", arg=uuid, price="3.500", discount="10", reason="")
    assert page.by_id("line-editor") is not None  # still open
    assert page.one("line-discount").attrs["value"] == "10"  # not reset to 0
    assert refused(page, "line-reason") == "Say why the discount is given (reason)."
    not_refused(page, "line-discount")
    assert till.cart.lines[0].discount == 0

    page = act(till, "line-edit", arg=uuid, price="3.500", discount="10", reason="dented")
    assert page.by_id("line-editor") is None and till.cart.lines[0].discount == 10
    assert page.one("total").text == "Rp 6.300"

    act(till, "edit-line", arg=uuid)
    page = act(till, "line-edit", arg=uuid, price="3.000", discount="15", reason="")
    assert (page.one("line-price").attrs["value"], page.one("line-discount").attrs["value"]) == (
        "3.000",
        "15",
    )
    page = act(till, "line-edit", arg=uuid, price="3.000", discount="150", reason="r")
    assert "between 0 and 100" in refused(page, "line-discount")
    assert page.one("line-reason").attrs["value"] == "r"
    page = act(till, "line-edit", arg=uuid, price="-1", discount="15", reason="r")
    assert refused(page, "line-price") == "An amount cannot be negative."
    line = till.cart.lines[0]
    assert (line.discount, line.price_manually_set) == (10, False)  # nothing half-applied
    page = act(till, "line-edit", arg=uuid, price="3.000", discount="15", reason="r")
    line = till.cart.lines[0]
    assert (line.price_unit, line.discount) == (3000, 15)


def test_order_discount_refund_and_pairing_forms_keep_what_was_typed():
    till = ring_up_two_indomie()
    act(till, "order-discount-open")
    page = act(till, "order-discount", percent="15", reason="")
    assert page.one("order-discount-percent").attrs["value"] == "15"
    assert refused(page, "order-discount-reason") == "Say why the discount is given (reason)."
    page = act(till, "order-discount", percent="15", reason="langganan")
    assert page.by_id("order-discount-form") is None and till.cart.order_discount is not None

    device, till = sell_three_indomie_offline()
    sale = device.orders[0]
    sold = sale["lines"][0]["uuid"]
    act(till, "orders")
    act(till, "refund", arg=sale["uuid"])
    page = act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sold}": "5"})
    assert page.one(f"refund-qty-{sold}").attrs["value"] == "5"
    assert refused(page, f"refund-qty-{sold}") == (
        "Only 3 of Indomie Goreng 85 g can still be refunded."
    )
    assert till.cart.is_empty() and till.screen == "refund"

    till = started(FakeDevice(bootstrap=None, catalog=[], terminal=None))
    page = act(till, "pair", code="WRONG")
    assert page.one("pair-code").attrs["value"] == "WRONG"
    assert "Pairing failed" in refused(page, "pair-code")
    assert flash_text(page) == ""  # said once, beside the field


def test_a_refusal_about_no_field_of_the_form_is_said_at_the_top():
    till = ring_up_two_indomie()
    act(till, "pay")
    page = act(till, "tender", method_id="99", amount="5000")  # no such method
    assert flash_text(page) == "Unknown payment method: 99"
    assert page.one("tendered").attrs["value"] == "5000"  # still kept
    not_refused(page, "tendered")
    page = act(till, "tender", arg="-5")  # a button, not the field: said at the top
    assert flash_text(page) == "An amount cannot be negative."
    not_refused(page, "tendered")


def test_void_asks_then_drops_the_whole_sale_and_its_draft():
    device = FakeDevice()
    till = started(device)
    page = act(till, "void")
    assert flash_text(page) == "There is no sale to void."
    assert "disabled" in page.one("void").attrs
    act(till, "scan", code="8998866200011")
    act(till, "scan", code="8998866200011")
    page = act(till, "tender", amount="1.000")
    lines, payments = len(till.cart.lines), len(till.cart.payments)
    assert lines and payments

    page = act(till, "void")  # from the pay screen too: back to the sale, with the question
    assert till.screen == "sell"
    ask = page.one("confirm-void")
    assert ask.attrs["data-action"] == "void-sale" and ask.attrs["role"] == "alertdialog"
    assert page.one("confirm-void-text").text == (
        "Void this sale? Its line and any payment are dropped; nothing is booked."
    )
    page = act(till, "escape")  # Escape (or Keep) keeps the sale as it was
    assert page.by_id("confirm-void") is None
    assert (len(till.cart.lines), len(till.cart.payments)) == (lines, payments)
    act(till, "void")
    page = act(till, "keep")
    assert page.by_id("confirm-void") is None and len(till.cart.lines) == lines

    act(till, "scan", code="8886008101053")
    act(till, "void")
    page = act(till, "void-sale")
    assert flash_text(page) == "The sale was voided."
    assert till.cart.is_empty() and not till.cart.payments
    assert json.loads(device.draft) == till.cart.to_dict()  # a reload does not bring it back
    assert device.finish_calls == [] and device.outbox == []  # nothing of it leaves the till
