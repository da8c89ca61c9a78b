"""Parked sales: put the open sale aside, list, resume and discard them; they survive a reload and
never leave the till. Also what the sell screen does around them: search across every category and
the changed line marked for the cart to show."""

from __future__ import annotations

import json

from test_till import FakeDevice, act, dom, flash_text, line_uuids, product, said, started
from till.app import Till

INDOMIE, TEH = "8998866200011", "8886008101053"


def ring_up(till: Till, *codes: str) -> None:
    for code in codes:
        act(till, "scan", code=code)


def park(till: Till, note: str = "") -> None:
    act(till, "park")
    act(till, "park-sale", note=note)


def parked_rows(page) -> dict[str, str]:
    """note label -> the row's text, as the parked sales screen lists them (in its order)."""
    rows = page.find_all("li", cls="parked-row")
    return {row.find_all(cls="o-name")[0].text: " ".join(row.text.split()) for row in rows}


def parked_keys(page) -> dict[str, str]:
    """note label -> the parked sale's key."""
    rows = page.find_all("li", cls="parked-row")
    return {row.find_all(cls="o-name")[0].text: row.attrs["data-parked-key"] for row in rows}


def test_park_asks_for_a_note_then_starts_an_empty_sale():
    device = FakeDevice()
    till = started(device)
    page = dom(till)
    assert "disabled" in page.one("park").attrs
    assert page.one("parked").text == "Parked (0)" and "disabled" in page.one("parked").attrs
    page = act(till, "park")
    assert flash_text(page) == "There is no sale to park."

    ring_up(till, INDOMIE, INDOMIE, TEH)
    sale = till.cart.to_dict()
    page = act(till, "park")
    form = page.one("park-form")
    assert form.attrs["data-action"] == "park-sale"
    assert (
        "autofocus" in page.one("park-note").attrs and page.one("park-note").attrs["name"] == "note"
    )
    page = act(till, "escape")  # Escape (or Keep selling) leaves the sale as it was
    assert page.by_id("park-form") is None and till.cart.to_dict() == sale

    page = act(till, "park")
    page = act(till, "park-sale", note="  Bu   Ani ")
    assert flash_text(page) == "The sale is parked."
    assert till.cart.is_empty() and page.one("total").text == "Rp 0"
    assert page.one("parked").text == "Parked (1)" and "disabled" not in page.one("parked").attrs
    assert json.loads(device.draft) == till.cart.to_dict()  # the open sale is the new, empty one
    [kept] = [json.loads(text) for text in device.parked.values()]
    assert kept["key"] == f"parked:{sale['uuid']}" and kept["draft"] == sale
    assert (kept["note"], kept["lines"], kept["total"]) == ("Bu Ani", 2, "12000")
    assert device.finish_calls == [] and device.outbox == []  # a parked sale is not a sale


def test_resume_from_the_list_parks_the_open_sale_in_its_place():
    device = FakeDevice()
    till = started(device)
    ring_up(till, INDOMIE, INDOMIE)
    first = till.cart.uuid
    park(till, "Pak Budi")
    ring_up(till, TEH)
    second = till.cart.uuid

    page = act(till, "parked")
    assert till.screen == "parked"
    rows = parked_rows(page)
    assert list(rows) == ["Pak Budi"]
    assert "1 line" in rows["Pak Budi"] and "Rp 7.000" in rows["Pak Budi"]
    resume = page.find_all("button", cls="resume")[0]
    assert (resume.attrs["data-action"], resume.attrs["data-arg"]) == ("resume", f"parked:{first}")

    page = act(till, "resume", arg=f"parked:{first}")
    assert till.screen == "sell" and till.cart.uuid == first
    assert flash_text(page) == "The parked sale is back; the open one is parked in its place."
    assert page.one("total").text == "Rp 7.000"
    assert page.one("cart-lines").attrs["data-reveal"] == line_uuids(page)[-1]
    assert json.loads(device.draft)["uuid"] == first
    assert list(device.parked) == [f"parked:{second}"]  # the open sale waits, nothing lost
    page = act(till, "parked")
    assert list(parked_rows(page)) == ["No note"]

    # An empty open sale is simply replaced.
    act(till, "void")
    act(till, "void-sale")
    page = act(till, "resume", arg=f"parked:{second}")
    assert flash_text(page) == "The parked sale is back."
    assert till.cart.uuid == second and device.parked == {}
    assert page.one("parked").text == "Parked (0)"
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    assert [order["uuid"] for order in device.orders] == [second]


def test_parked_sales_survive_a_reload_and_are_restored_through_the_register():
    device = FakeDevice()
    till = started(device)
    ring_up(till, INDOMIE)
    park(till, "meja 4")
    ring_up(till, TEH, TEH)
    park(till, "meja 7")
    ring_up(till, INDOMIE)  # the open sale, saved as the draft

    reloaded = started(device)  # a reload: a new till on the same storage
    page = dom(reloaded)
    assert page.one("parked").text == "Parked (2)" and len(reloaded.cart.lines) == 1
    page = act(reloaded, "parked")
    assert list(parked_rows(page)) == ["meja 4", "meja 7"]
    act(reloaded, "resume", arg=parked_keys(page)["meja 7"])
    assert [line.qty for line in reloaded.cart.lines] == [2]
    act(reloaded, "add", arg="102")  # a restored sale still prices from the catalog
    assert reloaded.cart.lines[0].qty == 3 and dom(reloaded).one("total").text == "Rp 15.000"


def test_discard_is_asked_first_and_drops_only_that_sale():
    device = FakeDevice()
    till = started(device)
    ring_up(till, INDOMIE)
    park(till, "A")
    ring_up(till, TEH)
    park(till, "B")
    page = act(till, "parked")
    a_key = parked_keys(page)["A"]

    page = act(till, "discard-parked", arg=a_key)
    ask = page.one("confirm-discard")
    assert ask.attrs["data-action"] == "discard-parked-sale"
    assert page.one("confirm-discard-text").text == (
        "Discard the parked sale “A”? Its line is dropped; nothing is booked."
    )
    page = act(till, "keep")
    assert page.by_id("confirm-discard") is None and len(device.parked) == 2
    act(till, "discard-parked", arg=a_key)
    page = act(till, "escape")
    assert page.by_id("confirm-discard") is None and till.screen == "parked"

    act(till, "discard-parked", arg=a_key)
    page = act(till, "discard-parked-sale", arg=a_key)
    assert flash_text(page) == "The parked sale was discarded."
    assert list(parked_rows(page)) == ["B"] and a_key not in device.parked
    assert device.outbox == [] and device.finish_calls == []
    page = act(till, "escape")  # Escape goes back to the sale
    assert till.screen == "sell" and page.one("parked").text == "Parked (1)"


def test_a_sale_with_payments_or_a_refund_cannot_be_parked():
    device = FakeDevice()
    till = started(device)
    ring_up(till, INDOMIE)
    park(till, "later")
    ring_up(till, TEH)
    act(till, "tender", amount="1.000")  # paid in part
    act(till, "back")
    page = dom(till)
    assert "disabled" in page.one("park").attrs
    page = act(till, "park-sale", note="x")
    assert said(page) == (
        "A sale with payments cannot be parked: finish it, or remove its payments first."
    )
    key = next(iter(device.parked))
    page = act(till, "resume", arg=key)  # the open sale would have to be parked: refused too
    assert "cannot be parked" in said(page) and till.cart.payments and len(device.parked) == 1

    act(till, "void")
    act(till, "void-sale")
    act(till, "resume", arg=key)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    act(till, "orders")
    act(till, "refund", arg=device.orders[-1]["uuid"])
    act(till, "refund-all", arg=device.orders[-1]["uuid"])
    act(till, "back")
    page = act(till, "park")
    assert said(page) == "A refund cannot be parked: finish it or void it."


def test_a_parked_sale_gone_or_broken_is_said_and_nothing_is_lost():
    device = FakeDevice()
    till = started(device)
    ring_up(till, INDOMIE)
    park(till, "gone")
    act(till, "parked")
    key = next(iter(device.parked))
    device.parked.clear()  # resumed in another tab meanwhile
    ring_up(till, TEH)
    page = act(till, "resume", arg=key)
    assert said(page) == "That sale is no longer parked." and till.cart.lines[0].product_id == 102

    broken = {"key": "parked:broken", "parked_at": "2026-11-23T20:00:00+00:00", "note": "rusak",
              "lines": 1, "total": "3500", "draft": {"lines": []}}  # fmt: skip
    device.parked[broken["key"]] = json.dumps(broken)
    act(till, "parked")
    page = act(till, "resume", arg="parked:broken")
    assert "could not be restored" in said(page)
    assert "parked:broken" in device.parked and till.cart.lines[0].product_id == 102

    device.save_error = OSError("quota exceeded")
    page = act(till, "park-sale", note="")
    assert "quota exceeded" in said(page)
    assert till.cart.lines[0].product_id == 102 and list(device.parked) == ["parked:broken"]


def test_search_looks_in_every_category_and_shows_all():
    catalog = [product(2000 + i, f"Kopi {i}", "1000", None, f"K-{i}", 1 + i % 2) for i in range(6)]
    till = started(FakeDevice(catalog=catalog))
    page = act(till, "category", arg="2")
    assert {t.attrs["data-product-id"] for t in page.find_all(cls="tile")} == {
        "2001",
        "2003",
        "2005",
    }
    page = act(till, "search", q="kopi")  # typed while category 2 was on: every category
    assert len(page.find_all(cls="tile")) == 6
    categories = page.find_all("nav", cls="categories")[0]
    active = categories.find_all(cls="chip", aria_pressed="true")
    assert [chip.attrs["data-arg"] for chip in active] == ["all"]


def test_the_line_an_action_changed_is_marked_for_the_cart_to_show():
    till = started()
    page = act(till, "scan", code=INDOMIE)
    first = line_uuids(page)[0]
    assert page.one("cart-lines").attrs["data-reveal"] == first
    page = act(till, "scan", code=TEH)
    assert page.one("cart-lines").attrs["data-reveal"] == line_uuids(page)[1]
    page = act(till, "outbox-changed", counts={})  # a background repaint moves nothing
    assert "data-reveal" not in page.one("cart-lines").attrs
    page = act(till, "inc", arg=first)  # the same line again: shown again
    assert page.one("cart-lines").attrs["data-reveal"] == first
