"""Customers at the till: search as you type, choose one for the sale (their pricelist and fiscal
position with them), a loyalty card scanned, a customer made or changed with no network (refused
with the field named, kept as typed), the pending mark, and loyalty points on the sale and receipt.
"""

from __future__ import annotations

import copy
import json

import pytest
from register.errors import RegisterError
from register.partners import check_value, terms_for
from register.shop import Shop
from test_till import BOOTSTRAP, NOW, FakeDevice, act, dom, flash_text, started
from till.app import Till

INDOMIE = "8998866200011"
SARI_CARD, BUDI_CARD = "0420000000013", "0420000000020"
SARI = {
    "id": 7, "name": "Ibu Sari Wulandari", "email": "sari@example.co.id", "phone": "0812 3456 7890",
    "street": "Jl. Melati 3", "city": "Bandung", "zip": "40111", "country_code": "ID", "vat": "",
    "barcode": SARI_CARD, "active": True, "pricelist_id": 2, "fiscal_position_id": 7,
}  # fmt: skip
BUDI = {
    "id": 8, "name": "Pak Budi Santoso", "email": "", "phone": "0813-1111-2222", "street": "",
    "city": "", "zip": "", "country_code": "", "vat": "", "barcode": BUDI_CARD, "active": True,
}  # fmt: skip
# A loyalty programme as the bootstrap carries it (register/loyalty.py): 1 point per Rp 1.000.
PROGRAM = {
    "id": 1, "name": "Poin", "rules": [{"mode": "money", "points": "0.001"}],
    "rewards": [{"id": 1, "name": "Rp 5.000 off", "required_points": "100",
                 "discount_mode": "per_order", "discount": "5000", "discount_product_id": 900}],
}  # fmt: skip


def with_customers(bootstrap: dict | None = None, *partners: dict) -> tuple[FakeDevice, Till]:
    device = FakeDevice(bootstrap=bootstrap or BOOTSTRAP)
    for partner in partners or (SARI, BUDI):
        device.partners[partner["id"]] = copy.deepcopy(partner)
    return device, started(device)


def listed(page) -> list[str]:
    return [row.find_all(cls="o-name")[0].text for row in page.find_all("li", cls="customer-row")]


def new_customer(till: Till, **typed: str):
    act(till, "customers")
    act(till, "customer-new")
    return act(till, "customer-save", arg="", **typed)


def field_note(page, name: str) -> str:
    field = page.one(f"customer-{name}")
    assert field.attrs.get("aria-invalid") == "true", f"{name} is not marked"
    return page.one(f"customer-{name}-error").text


# -- finding and choosing ---------------------------------------------------------------------------


def test_search_by_name_phone_email_or_card():
    till = with_customers()[1]
    page = act(till, "customers")
    assert till.screen == "customers" and listed(page) == ["Ibu Sari Wulandari", "Pak Budi Santoso"]
    assert "autofocus" in page.one("customer-q").attrs
    assert listed(act(till, "customer-search", q="sari")) == ["Ibu Sari Wulandari"]
    assert listed(act(till, "customer-search", q="budi SANTOSO")) == ["Pak Budi Santoso"]
    assert listed(act(till, "customer-search", q="081234567890")) == ["Ibu Sari Wulandari"]
    assert listed(act(till, "customer-search", q="0813 1111")) == ["Pak Budi Santoso"]
    assert listed(act(till, "customer-search", q="example.co")) == ["Ibu Sari Wulandari"]
    assert listed(act(till, "customer-search", q=BUDI_CARD)) == ["Pak Budi Santoso"]
    page = act(till, "customer-search", q="nobody")
    assert listed(page) == [] and "No customer matches “nobody”." in page.text
    page = act(till, "escape")
    assert till.screen == "sell" and page.one("customer").text == "Customer"


def test_choosing_a_customer_sells_with_their_pricelist_and_fiscal_position():
    device, till = with_customers()
    act(till, "scan", code=INDOMIE)
    assert dom(till).one("total").text == "Rp 3.500"
    act(till, "customers")
    page = act(till, "customer-pick", arg="7")
    assert till.screen == "sell"
    assert till.cart.partner == {"id": 7, "name": "Ibu Sari Wulandari"}
    assert page.one("customer").text == "Ibu Sari Wulandari"
    # Grosir prices Indomie at 3000; Bebas PPN maps PPN 11 % included to 0 %: 3000 / 1.11
    assert page.one("total").text == "Rp 2.703" and page.one("tax").text == "Rp 0"
    assert json.loads(device.draft)["partner"] == {"id": 7, "name": "Ibu Sari Wulandari"}

    page = act(till, "customer-clear")  # their terms go with them
    assert till.cart.partner is None and page.one("total").text == "Rp 3.500"
    assert page.one("customer").text == "Customer" and page.by_id("customer-clear") is None


def test_a_customer_record_without_terms_leaves_the_cashiers_choice():
    till = with_customers()[1]
    act(till, "scan", code=INDOMIE)
    act(till, "pricelist", arg="2")
    act(till, "customers")
    page = act(till, "customer-pick", arg="8")  # Budi's record names no pricelist
    assert till.cart.partner["id"] == 8 and page.one("total").text == "Rp 3.000"
    page = act(till, "customer-clear")
    assert page.one("total").text == "Rp 3.000"


def test_switching_to_a_customer_without_terms_drops_the_last_ones():
    till = with_customers()[1]
    act(till, "scan", code=INDOMIE)
    act(till, "customers")
    act(till, "customer-pick", arg="7")  # Sari: Grosir and Bebas PPN
    act(till, "customers")
    page = act(till, "customer-pick", arg="8")  # Budi names none: the till's own again
    assert till.cart.partner["id"] == 8 and page.one("total").text == "Rp 3.500"


def test_terms_follow_odoo_for_unknown_pricelists_and_no_customer():
    shop = Shop.from_bootstrap(BOOTSTRAP)
    assert terms_for(shop, {"pricelist_id": [2, "Grosir"], "fiscal_position_id": False}) == (
        2,
        None,
    )
    assert terms_for(shop, {"pricelist_id": 99, "fiscal_position_id": 7}) == (1, 7)
    assert terms_for(shop, {"name": "no terms"}) is None
    assert terms_for(shop, None) == (1, None)


def test_a_scanned_card_chooses_its_customer_and_products_come_first():
    till = with_customers()[1]
    page = act(till, "scan", code=SARI_CARD)
    assert till.cart.partner["id"] == 7 and flash_text(page) == "Customer: Ibu Sari Wulandari"
    assert till.cart.is_empty()
    act(till, "scan", code=INDOMIE)
    assert len(till.cart.lines) == 1 and till.cart.partner["id"] == 7
    page = act(till, "scan", code="0420000000999")
    assert flash_text(page) == "Unknown code: 0420000000999" and till.cart.partner["id"] == 7
    act(till, "customers")  # a card scanned on the customer screen chooses too, and goes back
    act(till, "scan", code=BUDI_CARD)
    assert till.screen == "sell" and till.cart.partner["id"] == 8


def test_the_sale_names_its_customer_and_a_reload_keeps_them():
    device, till = with_customers()
    act(till, "scan", code=SARI_CARD)
    act(till, "scan", code=INDOMIE)
    reloaded = started(device)
    assert dom(reloaded).one("customer").text == "Ibu Sari Wulandari"
    assert reloaded.customers.chosen["id"] == 7
    act(reloaded, "pay")
    act(reloaded, "pay-exact", arg="1")
    act(reloaded, "validate")
    assert device.orders[-1]["partner"] == {"id": 7, "name": "Ibu Sari Wulandari"}
    assert device.orders[-1]["pricelist_id"] == 2 and device.orders[-1]["fiscal_position_id"] == 7
    assert dom(reloaded).one("receipt-customer").text == "Customer: Ibu Sari Wulandari"


# -- creating and changing --------------------------------------------------------------------------


def test_a_new_customer_is_queued_once_marked_pending_and_chosen():
    device, till = with_customers()
    act(till, "scan", code=INDOMIE)
    act(till, "customers")
    act(till, "customer-search", q="Dewi")
    page = act(till, "customer-new")  # what was searched for fills the name
    assert page.one("customer-name").attrs["value"] == "Dewi"
    page = act(
        till, "customer-save", arg="", name=" Dewi Lestari ", phone="0857 2222 3333",
        email="dewi@example.com", barcode="0420000000031", street="", city="Bogor", zip="",
        vat="",
    )  # fmt: skip
    assert till.screen == "sell"
    assert flash_text(page) == "Dewi Lestari is saved and chosen for this sale."
    [item] = device.outbox
    record = item["record"]
    assert record["kind"] == "partner" and record["op"] == "create" and record["seq"] == 1
    assert record["terminal"] == "kasir-1" and "id" not in record
    assert record["created_at"] == NOW.isoformat()
    assert record["values"] == {
        "name": "Dewi Lestari", "phone": "0857 2222 3333", "email": "dewi@example.com",
        "barcode": "0420000000031", "city": "Bogor",
    }  # fmt: skip
    stored = device.partners[record["uuid"]]
    assert stored["pending"] is True and stored["name"] == "Dewi Lestari"
    assert till.cart.partner == {"uuid": record["uuid"], "name": "Dewi Lestari"}
    assert page.one("customer").text == "Dewi Lestaripending"
    assert page.find_all(cls="pending-tag")
    assert page.one("pending-count").text == "1"  # it waits in the outbox like a sale

    page = act(till, "customers")  # listed first, marked pending, not editable yet
    assert listed(page)[0] == "Dewi Lestari"
    row = page.find_all("li", cls="customer-row")[0]
    assert row.find_all(cls="pending-tag")
    page = act(till, "customer-edit", arg=record["uuid"])
    assert flash_text(page) == "Dewi Lestari is not in Odoo yet; it can be changed once it is."

    act(till, "scan", code="0420000000031")  # its card chooses it, as for Odoo's customers
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    order = device.orders[-1]
    assert order["seq"] == 2 and order["partner"] == {
        "uuid": record["uuid"],
        "name": "Dewi Lestari",
    }
    assert [i["record"]["kind"] for i in device.outbox] == ["partner", "order"]


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": "   "}, "name", "A customer needs a name."),
        ({"email": "dewi.example.com"}, "email", "“dewi.example.com” is not an e-mail address."),
        ({"email": "dewi@ex ample.com"}, "email", "“dewi@ex ample.com” is not an e-mail address."),
        (
            {"phone": "0857-CALL-ME"},
            "phone",
            "A phone number holds digits, spaces and + ( ) . / - only.",
        ),
        ({"barcode": SARI_CARD}, "barcode", "Ibu Sari Wulandari has this card already."),
        ({"barcode": INDOMIE}, "barcode", "This barcode is the product Indomie Goreng 85 g's."),
        ({"city": "B" * 129}, "city", "At most 128 characters."),
    ],
)
def test_a_bad_customer_is_refused_with_the_field_named_and_kept_as_typed(typed, field, message):
    device, till = with_customers()
    entered = {
        "name": "Dewi Lestari", "phone": "0857 2222 3333", "email": "dewi@example.com",
        "barcode": "", "street": "Jl. Kenanga 9", "city": "Bogor", "zip": "16111", "vat": "",
    }  # fmt: skip
    entered.update(typed)
    page = new_customer(till, **entered)
    assert till.screen == "customers" and device.outbox == [] and len(device.partners) == 2
    assert field_note(page, field) == message
    for name, value in entered.items():  # nothing typed is lost
        assert page.one(f"customer-{name}").attrs["value"] == value
    page = act(till, "customer-save", arg="", **{**entered, field: "", "name": "Dewi Lestari"})
    assert till.screen == "sell" and len(device.outbox) == 1


def test_a_customer_the_till_cannot_keep_stays_as_typed():
    device, till = with_customers()
    device.partner_error = RuntimeError("QuotaExceededError")
    page = new_customer(till, name="Dewi Lestari", phone="0857", email="", barcode="", street="",
                        city="", zip="", vat="")  # fmt: skip
    assert "QuotaExceededError" in page.one("customer-form-error").text
    assert page.one("customer-name").attrs["value"] == "Dewi Lestari" and device.outbox == []


def test_a_change_to_an_odoo_customer_sends_only_what_changed():
    device, till = with_customers()
    act(till, "customers")
    page = act(till, "customer-edit", arg="8")
    assert page.one("customer-name").attrs["value"] == "Pak Budi Santoso"
    assert page.one("customer-barcode").attrs["value"] == BUDI_CARD
    values = {k: BUDI[k] for k in ("name", "phone", "email", "barcode", "street", "city", "zip")}
    page = act(till, "customer-save", arg="8", **{**values, "vat": "", "email": "budi@example.com"})
    [item] = device.outbox
    assert item["record"]["op"] == "update" and item["record"]["id"] == 8
    assert item["record"]["values"] == {"email": "budi@example.com"}
    assert device.partners[8]["email"] == "budi@example.com" and "pending" not in device.partners[8]
    assert till.cart.partner == {"id": 8, "name": "Pak Budi Santoso"}

    act(till, "customers")  # saved again unchanged: nothing to send, the customer is chosen
    act(till, "customer-edit", arg="8")
    act(till, "customer-save", arg="8", **{**values, "vat": "", "email": "budi@example.com"})
    assert len(device.outbox) == 1 and till.screen == "sell"


def test_the_relays_checks_are_the_tills():
    assert check_value("name", "  Dewi ") == "Dewi"
    assert check_value("country_code", "id") == "ID"
    assert check_value("email", "") == ""
    with pytest.raises(RegisterError, match="2 letters"):
        check_value("country_code", "IDN")


# -- loyalty ----------------------------------------------------------------------------------------


def loyal_shop() -> dict:
    bootstrap = copy.deepcopy(BOOTSTRAP)
    bootstrap["loyalty_programs"] = [PROGRAM]
    bootstrap["tz"] = "Asia/Jakarta"  # times shown in the shop's zone, whatever the machine's
    return bootstrap


def test_the_balance_is_shown_as_of_odoos_figure_and_the_receipt_shows_points():
    sari = {
        **SARI,
        "loyalty": [{"program_id": 1, "points": "250", "as_of": "2026-11-23T01:00:00Z"}],
    }
    device, till = with_customers(loyal_shop(), sari, BUDI)
    page = act(till, "scan", code=SARI_CARD)
    assert page.one("customer-points").text == "Poin: 250 points, as of 23-11-2026 08:00"
    page = act(till, "customers")
    assert (
        "Poin: 250 points, as of 23-11-2026 08:00"
        in page.find_all("li", cls="customer-row")[0].text
    )
    act(till, "scan", code=INDOMIE)
    act(till, "scan", code=INDOMIE)
    act(till, "scan", code=INDOMIE)
    act(till, "scan", code=INDOMIE)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    page = act(till, "validate")
    # 4 x Rp 3.000 (Grosir, no tax under Bebas PPN) = Rp 10.812 -> 10.81 points
    assert device.orders[-1]["loyalty"] == [
        {"program_id": 1, "points_earned": "10.81", "points_spent": "0"}
    ]
    assert page.one("receipt-loyalty").text == "Poin: Points earned10.81"

    page = act(till, "scan", code=BUDI_CARD)  # the relay sent no balance for Budi
    assert page.one("customer-points").text == "Poin: points not known on this till"


def test_no_loyalty_block_without_points():
    till = with_customers()[1]
    act(till, "scan", code=INDOMIE)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    page = act(till, "validate")
    assert page.by_id("receipt-loyalty") is None


def test_points_buy_a_reward_and_the_receipt_shows_them_spent():
    sari = {
        **SARI,
        "loyalty": [{"program_id": 1, "points": "150", "as_of": "2026-11-23T01:00:00Z"}],
    }
    device, till = with_customers(loyal_shop(), sari, BUDI)
    act(till, "scan", code=INDOMIE)
    act(till, "scan", code=INDOMIE)
    page = act(till, "scan", code=SARI_CARD)
    offer = page.one("customer-rewards").find_all("button")
    assert [(b.text, b.attrs["data-arg"]) for b in offer] == [
        ("Use 100 points: Rp 5.000 off", "1:1")
    ]
    page = act(till, "customer-reward", arg="1:1")
    assert page.by_id("customer-rewards") is None  # taken; 50 points left buy nothing more
    assert [line.kind for line in till.cart.lines] == ["product", "reward"]
    assert page.one("total").text == "Rp 405"  # 2 x 2703 (Grosir under Bebas PPN) - 5000
    page = act(till, "customer-reward", arg="1:1")
    assert "Not enough points" in flash_text(page)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    page = act(till, "validate")
    [entry] = device.orders[-1]["loyalty"]
    assert (entry["points_spent"], entry["reward_ids"]) == ("100", [1])
    assert "Poin: Points spent100" in page.one("receipt-loyalty").text

    act(till, "new-sale")
    page = act(till, "scan", code=SARI_CARD)  # this till spent 100 since Odoo's figure
    assert page.one("customer-points").text == "Poin: 50 points, as of 23-11-2026 08:00"
    page = act(till, "scan", code=BUDI_CARD)  # no balance known: no reward offered or taken
    assert page.by_id("customer-rewards") is None
    page = act(till, "customer-reward", arg="1:1")
    assert flash_text(page) == "The customer's points are not known on this till."
