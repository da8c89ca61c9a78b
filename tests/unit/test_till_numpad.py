"""The numpad: a line's quantity, discount and price typed with taps, through the line's own
actions, so every rule of those fields holds (the unit's decimals, a reason, the manager's PIN),
and a refused number stays on the pad, never in a field that would call up the OS keyboard."""

from __future__ import annotations

from test_till import act, dom, flash_text, said, started
from test_till_cashiers import ANI, ANI_PIN, BUDI_PIN, log_in, shop_device
from till.app import Till

INDOMIE, TEH = "8998866200011", "8886008101053"  # Rp 3.500 and Rp 5.000, sold by the unit


def taps(till: Till, *keys: str):
    """Keys of the pad, one tap each; the page after the last."""
    page = None
    for key in keys:
        page = act(till, "numpad", arg=key)
    return page


def two_lines(till: Till) -> tuple[str, str]:
    act(till, "scan", code=INDOMIE)
    act(till, "scan", code=TEH)
    return till.cart.lines[0].uuid, till.cart.lines[1].uuid


def test_qty_3_on_the_tapped_line():
    till = started()
    first, _second = two_lines(till)
    page = dom(till)
    assert page.by_id("numpad") is None  # closed until a line is tapped
    line = page.find_all("li", data_line_uuid=first)[0]
    assert line.attrs["data-action"] == "numpad-select" and line.attrs["data-arg"] == first
    page = act(till, "numpad-select", arg=first)
    pad = page.one("numpad")
    # The pad holds the focus, not the scan box: no text field, so no OS keyboard.
    assert "autofocus" in pad.attrs and "autofocus" not in page.one("scan").attrs
    assert not pad.find_all("input") and not pad.find_all("textarea")
    assert "Indomie" in page.one("numpad-display").text
    assert page.one("numpad-qty").attrs["aria-pressed"] == "true"
    assert "last" in page.find_all("li", data_line_uuid=first)[0].attrs["class"].split()
    page = taps(till, "3")
    assert page.one("numpad-text").text == "3" and till.cart.lines[0].qty == 1
    page = taps(till, "enter")
    assert [line.qty for line in till.cart.lines] == [3, 1]
    assert page.one(f"qty-{first}").attrs["value"] == "3" and page.one("total").text == "Rp 15.500"
    assert page.by_id("numpad-text") is None and "autofocus" in page.one("numpad").attrs


def test_the_newest_line_is_selected_after_a_scan_and_a_scan_drops_what_was_typed():
    till = started()
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    taps(till, "7")
    page = act(till, "scan", code=TEH)  # the same product again: its line is the selected one
    assert page.by_id("numpad-text") is None and "Teh" in page.one("numpad-display").text
    assert "autofocus" in page.one("scan").attrs and "autofocus" not in page.one("numpad").attrs
    taps(till, "5", "enter")
    assert [line.qty for line in till.cart.lines] == [1, 5]


def test_a_price_typed_the_indonesian_way_asks_for_a_reason_to_tap():
    till = started()
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    page = taps(till, "price", "2", "8", "000")
    assert page.one("numpad-price").attrs["aria-pressed"] == "true"
    assert page.one("numpad-text").text == "28.000"
    page = taps(till, "enter")  # a price needs a reason, as in the line editor: asked on the pad
    assert page.one("numpad-why-text").text == "Why does the price change?"
    assert "Damaged" in page.one("numpad-why").text
    assert page.by_id("line-editor") is None and till.cart.lines[0].price_unit == 3500
    assert page.one("numpad-text").text == "28.000"
    page = act(till, "numpad-reason", arg="Damaged")
    line = till.cart.lines[0]
    assert line.price_unit == 28000 and line.price_reason == "Damaged" and line.price_manually_set
    assert line.price_by == "kasir-1" and page.by_id("numpad-why") is None
    # A keyboard's "27.500,00" on the pad is read as the field reads it; the line's reason stays,
    # as in the line editor (it opens with it).
    taps(till, *"27.500,00", "enter")
    assert till.cart.lines[0].price_unit == 27500 and till.cart.lines[0].price_reason == "Damaged"


def test_other_reason_opens_the_line_editor_as_typed():
    till = started()
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    taps(till, "discount", "5", "enter")
    page = act(till, "numpad-other")
    assert page.one("line-editor") is not None and page.one("line-discount").attrs["value"] == "5"
    assert page.one("line-reason").attrs["aria-invalid"] == "true"  # the field to type, focused
    assert "autofocus" not in page.one("numpad").attrs
    act(till, "line-edit", arg=first, price="3.500", discount="5", reason="kemasan penyok")
    assert till.cart.lines[0].discount == 5


def test_a_discount_over_the_limit_asks_a_managers_pin():
    till = started(shop_device(discount_limit="10"))
    log_in(till, ANI, ANI_PIN)
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    taps(till, "discount", "1", "5", "enter")
    page = act(till, "numpad-reason", arg="Near expiry")
    assert page.one("manager-pin-text").text == "A manager's PIN is needed for a discount over 10%."
    assert till.cart.lines[0].discount == 0
    page = act(till, "manager-pin", pin=ANI_PIN)
    assert "That is not a manager's PIN." in said(page) and till.cart.lines[0].discount == 0
    act(till, "manager-pin", pin=BUDI_PIN)
    line = till.cart.lines[0]
    assert line.discount == 15 and line.discount_reason == "Near expiry"
    assert line.approved_by == {"employee_id": 2, "name": "Budi"} and line.discount_by == "Ani"
    # Up to the limit no one is asked.
    act(till, "numpad-select", arg=till.cart.lines[1].uuid)
    taps(till, "discount", "1", "0", "enter")
    page = act(till, "numpad-reason", arg="Promotion")
    assert page.by_id("manager-pin-form") is None and till.cart.lines[1].discount == 10


def test_wrong_input_is_refused_on_the_pad_and_kept():
    till = started()
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    page = taps(till, "1", ",", "5", "enter")  # sold by the unit
    assert page.one("numpad-error").text == (
        "Indomie Goreng 85 g is sold by the unit: type a whole number."
    )
    assert page.one("numpad-text").text == "1,5" and till.cart.lines[0].qty == 1
    qty = page.one(f"qty-{first}")  # the line's field is left alone: its focus calls the keyboard
    assert qty.attrs["value"] == "1" and "aria-invalid" not in qty.attrs
    assert "autofocus" in page.one("numpad").attrs
    page = taps(till, "price")  # a mode is taken only once the number went through
    assert page.one("numpad-qty").attrs["aria-pressed"] == "true" and page.by_id("numpad-error")
    page = taps(till, "back", "back")
    assert page.one("numpad-text").text == "1" and page.by_id("numpad-error") is None
    taps(till, "price", "2", ",", "5", "enter")
    page = act(till, "numpad-reason", arg="Damaged")
    assert page.one("numpad-error").text == "Rp has no decimals."
    assert page.one("numpad-text").text == "2,5" and till.cart.lines[0].price_unit == 3500
    page = taps(till, "discount")  # the refused price stays typed: the mode waits
    assert page.one("numpad-price").attrs["aria-pressed"] == "true"
    page = act(till, "numpad", arg="x")
    assert flash_text(page) == "Unknown numpad key: x" and page.one("numpad-text").text == "2,5"


def test_a_mode_change_enters_what_is_typed_and_0_asks_first():
    till = started()
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    page = taps(till, "2", "discount")
    assert till.cart.lines[0].qty == 2 and page.one("numpad-discount").attrs["aria-pressed"]
    page = taps(till, "qty", "0", "enter")
    assert page.one("confirm-remove-text").text == "Remove Indomie Goreng 85 g from the sale?"
    page = act(till, "keep")
    assert len(till.cart.lines) == 2 and "autofocus" in page.one("numpad").attrs


def test_a_refund_line_takes_only_its_quantity():
    till = started()
    act(till, "scan", code=INDOMIE)
    act(till, "qty", arg=till.cart.lines[0].uuid, qty="3")
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    sale = till.order
    act(till, "new-sale")
    act(till, "refund", arg=sale["uuid"])
    act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sale['lines'][0]['uuid']}": "1"})
    act(till, "back")
    line = till.cart.lines[0]
    page = act(till, "numpad-select", arg=line.uuid)
    assert "disabled" in page.one("numpad-price").attrs
    assert "disabled" in page.one("numpad-discount").attrs
    taps(till, "2", "enter")  # how many come back
    assert till.cart.lines[0].qty == -2 and till.cart.lines[0].price_unit == 3500
    page = taps(till, "4", "enter")  # no more than was sold
    assert page.one("numpad-error").text == "Only 3 of Indomie Goreng 85 g can still be refunded."
    assert till.cart.lines[0].qty == -2


def test_escape_and_close_put_the_pad_away_and_the_scan_box_takes_the_focus():
    till = started()
    first, _second = two_lines(till)
    act(till, "numpad-select", arg=first)
    taps(till, "4")
    page = act(till, "escape")
    assert page.by_id("numpad") is None and "autofocus" in page.one("scan").attrs
    act(till, "edit-line", arg=first)
    page = act(till, "numpad-select", arg=first)  # the pad takes over from the line editor
    assert page.by_id("line-editor") is None and "autofocus" in page.one("numpad").attrs
    page = act(till, "numpad-close")
    assert page.by_id("numpad") is None and till.cart.lines[0].qty == 1
    page = act(till, "numpad", arg="7")  # a tap that came late: the pad stays shut
    assert page.by_id("numpad") is None and "autofocus" in page.one("scan").attrs
