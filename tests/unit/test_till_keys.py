"""The till's side of the keyboard: the keys help, Escape, and the markup keys.js relies on."""

from __future__ import annotations

from test_till import act, dom, started


def test_help_opens_and_escape_closes_it_first():
    till = started()
    act(till, "scan", code="8998866200011")
    act(till, "edit-line", arg=till.cart.lines[0].uuid)
    page = act(till, "help")
    help_dialog = page.one("help")
    assert help_dialog.attrs["role"] == "dialog" and help_dialog.attrs["aria-modal"] == "true"
    assert "autofocus" in page.one("help-close").attrs
    # Under the help the screen is inert: Tab stays in the dialog.
    assert "inert" in page.find_all(cls="till")[0].attrs
    page = act(till, "escape")
    assert page.by_id("help") is None and page.by_id("line-editor") is not None
    page = act(till, "escape")
    assert page.by_id("line-editor") is None and till.screen == "sell"
    assert len(till.cart.lines) == 1


def test_escape_closes_the_discount_form_then_the_sync_panel_then_nothing():
    till = started()
    act(till, "scan", code="8998866200011")
    act(till, "order-discount-open")
    page = act(till, "escape")
    assert page.by_id("order-discount-form") is None
    act(till, "sync-panel")
    assert "open" in dom(till).one("sync-panel").attrs
    page = act(till, "escape")
    assert "open" not in page.one("sync-panel").attrs
    page = act(till, "escape")
    assert till.screen == "sell" and len(till.cart.lines) == 1


def test_escape_goes_back_to_the_sale_from_pay_receipt_and_orders():
    till = started()
    act(till, "scan", code="8998866200011")
    act(till, "pay")
    act(till, "escape")
    assert till.screen == "sell" and len(till.cart.lines) == 1
    act(till, "pay")
    act(till, "pay-exact", arg=till.shop.cash_method().id)
    act(till, "validate")
    assert till.screen == "receipt"
    act(till, "escape")
    assert till.screen == "sell" and till.cart.is_empty()
    act(till, "orders")
    act(till, "escape")
    assert till.screen == "sell"


def test_another_action_closes_the_help():
    till = started()
    act(till, "help")
    page = act(till, "scan", code="8998866200011")
    assert page.by_id("help") is None and len(till.cart.lines) == 1


def test_markup_for_the_shortcuts_and_the_tab_order():
    till = started()
    act(till, "scan", code="8998866200011")
    page = dom(till)
    # The product grid and each row of chips are one Tab stop each.
    tiles = page.find_all("button", cls="tile")
    assert "tabindex" not in tiles[0].attrs
    assert all(t.attrs.get("tabindex") == "-1" for t in tiles[1:])
    rows = [
        page.find_all(cls="categories")[0],
        page.one("pricelists"),
        page.one("fiscal-positions"),
    ]
    for row in rows:
        assert "data-roving" in row.attrs
        assert sum("tabindex" not in chip.attrs for chip in row.find_all("button")) == 1
    assert page.one("pay").attrs["aria-keyshortcuts"] == "F9"
    page = act(till, "pay")
    exact = page.one("exact-cash")
    assert exact.attrs["data-arg"] == str(till.shop.cash_method().id)
    assert exact.attrs["aria-keyshortcuts"] == "F8"
    assert "F12" in page.one("validate").attrs["aria-keyshortcuts"]
