"""Receipts a shop can hand over: the company block (address, NPWP), cashier and customer, REFUND,
taxes per rate that add up to the order's tax as Odoo books it, the shop's time zone, and the
paper and automatic print settings (the printing itself: tests/browser/test_receipt.py)."""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from register.cart import Cart
from register.catalog import Catalog
from register.receipts import tax_summary
from register.shop import Shop
from test_till import BOOTSTRAP, CATALOG, INDOMIE, NOW, FakeDevice, act, product, started
from till.app import Till

PB1 = {
    "id": 2, "name": "PB1 10%", "amount_type": "percent", "amount": "10", "price_include": False,
    "include_base_amount": False, "is_base_affected": True, "sequence": 5, "children_tax_ids": [],
}  # fmt: skip
ADDRESS = {
    "street": "Jl. Raya Cibubur No. 17",
    "street2": "Ruko Blok B",
    "city": "Jakarta Timur",
    "zip": "13720",
    "phone": "(021) 555-0123",
    "email": "halo@sumberrejeki.example",
    "vat": "01.234.567.8-901.000",
}
NASI = {**product(201, "Nasi Goreng", "25000", "2000000000026", "MKN-0201", 1), "tax_ids": [2]}
# PPN 11 % included and PB1 10 % on the price without it, on one line
PAKET = {**product(202, "Paket Hemat", "18500", "2000000000033", "MKN-0202", 1), "tax_ids": [1, 2]}


def shop_bootstrap(**changes: Any) -> dict[str, Any]:
    """The till tests' shop with PB1 10 % (price excluded), its company's address and NPWP."""
    bootstrap = copy.deepcopy(BOOTSTRAP)
    bootstrap["taxes"].append(copy.deepcopy(PB1))
    bootstrap["company"].update(ADDRESS)
    bootstrap.update(changes)
    return bootstrap


def sell(till: Till, *product_ids: int) -> dict[str, Any]:
    """Ring up the products, pay the exact amount by card, validate: the order record."""
    for product_id in product_ids:
        act(till, "add", arg=str(product_id))
    act(till, "pay")
    act(till, "pay-exact", arg="2")
    act(till, "validate")
    assert till.screen == "receipt"
    return till.order


def till_for(bootstrap: dict[str, Any] | None = None, **device: Any) -> tuple[FakeDevice, Till]:
    fake = FakeDevice(
        bootstrap=bootstrap or shop_bootstrap(), catalog=[*CATALOG, NASI, PAKET], **device
    )
    return fake, started(fake)


def words(node: Any) -> str:
    return " ".join(node.text.split())


# -- taxes per rate, in the register --------------------------------------------------------------


def record_of(shop: Shop, *lines: tuple[dict, str]) -> dict[str, Any]:
    catalog = Catalog()
    catalog.apply(copy.deepcopy([p for p, _qty in lines]))
    cart = Cart(shop, catalog=catalog)
    for raw, qty in lines:
        cart.add(catalog.get(raw["id"]), qty)
    cart.add_payment(2, cart.totals().amount_total)  # by card
    return cart.order_record(
        terminal="kasir-1", session=1, seq=1, created_at=NOW, catalog_version="1"
    )


def test_two_rates_each_get_their_base_and_tax_summing_to_the_order_tax():
    shop = Shop.from_bootstrap(shop_bootstrap())
    record = record_of(shop, (INDOMIE, "2"), (NASI, "1"))
    sums = tax_summary(shop, record)
    # 2 x 3,500 with 11 % included: base 6,306, tax 694; 25,000 with 10 % on top: 2,500
    assert [(s.tax_id, s.base, s.amount) for s in sums] == [
        (1, Decimal(6306), Decimal(694)),
        (2, Decimal(25000), Decimal(2500)),
    ]
    assert sum(s.amount for s in sums) == Decimal(record["amount_tax"]) == Decimal(3194)


def test_a_line_with_two_taxes_gives_each_its_own_row():
    shop = Shop.from_bootstrap(shop_bootstrap())
    record = record_of(shop, (PAKET, "1"))
    sums = tax_summary(shop, record)
    # 18,500 includes 11 %: base 16,667 and PPN 1,833; PB1 10 % of that base is 1,667
    assert [(s.tax_id, s.base, s.amount) for s in sums] == [
        (1, Decimal(16667), Decimal(1833)),
        (2, Decimal(16667), Decimal(1667)),
    ]
    assert sum(s.amount for s in sums) == Decimal(record["amount_tax"])


def test_round_globally_sums_per_tax_as_odoo_books_them_not_the_lines_own_cents():
    bootstrap = shop_bootstrap()
    bootstrap["config"]["tax_calculation_rounding_method"] = "round_globally"
    shop = Shop.from_bootstrap(bootstrap)
    teh = {**INDOMIE, "id": 301, "list_price": "4000", "barcode": "2000000000040"}
    record = record_of(shop, (teh, "1"), ({**teh, "id": 302}, "1"), ({**teh, "id": 303}, "1"))
    lines_tax = sum(
        Decimal(x["price_subtotal_incl"]) - Decimal(x["price_subtotal"]) for x in record["lines"]
    )
    # Each line alone: 4,000 - 3,604 = 396; the order: round(3 x 396.40) = 1,189
    assert lines_tax == Decimal(1188) and record["amount_tax"] == "1189"
    (ppn,) = tax_summary(shop, record)
    assert (ppn.base, ppn.amount) == (Decimal(10811), Decimal(1189))


# -- the receipt on screen ------------------------------------------------------------------------


def test_the_company_block_names_the_shop_once_with_address_and_npwp():
    bootstrap = shop_bootstrap()
    # shops often type their name in the receipt header too: it is printed once
    bootstrap["config"]["receipt_header"] = "TOKO SUMBER REJEKI\nSelamat datang"
    _device, till = till_for(bootstrap)
    sell(till, 101)
    page = act(till, "print")
    receipt = page.one("receipt")
    assert words(receipt).casefold().count("toko sumber rejeki") == 1
    assert [words(div) for div in page.one("receipt-address").find_all("div")] == [
        "Jl. Raya Cibubur No. 17",
        "Ruko Blok B",
        "Jakarta Timur 13720",
        "Tel. (021) 555-0123",
        "halo@sumberrejeki.example",
    ]
    assert words(page.one("receipt-vat")) == "NPWP: 01.234.567.8-901.000"
    assert "Selamat datang" in words(receipt.find_all(cls="r-header")[0])
    assert words(receipt.find_all(cls="r-cashier")[0]) == "Cashier: kasir-1"


def test_outside_indonesia_the_tax_number_is_a_tax_id_and_missing_parts_are_left_out():
    bootstrap = shop_bootstrap()
    bootstrap["company"] = {"id": 1, "name": "Corner Shop", "country_code": "US", "vat": "12-345"}
    _device, till = till_for(bootstrap)
    sell(till, 101)
    page = act(till, "print")
    assert words(page.one("receipt-vat")) == "Tax ID: 12-345"
    assert page.by_id("receipt-address") is None


def test_the_receipt_shows_taxes_per_rate_that_add_up_to_the_order_tax():
    device, till = till_for()
    order = sell(till, 101, 101, 201)
    page = act(till, "print")
    assert device.printed == 1
    rows = page.one("receipt-taxes").find_all("tr", cls="r-tax-rate")
    assert [[words(td) for td in row.find_all("td")] for row in rows] == [
        ["PPN 11%", "Rp 6.306", "Rp 694"],
        ["PB1 10%", "Rp 25.000", "Rp 2.500"],
    ]
    assert order["amount_tax"] == "3194"


def test_taxes_the_shop_no_longer_knows_leave_the_order_tax_alone():
    _device, till = till_for()
    order = sell(till, 201)
    changed = shop_bootstrap()
    changed["taxes"] = [t for t in changed["taxes"] if t["id"] != 2]  # PB1 removed since
    till.use(changed, "[]")
    till.order = order
    page = act(till, "print")
    assert page.by_id("receipt-taxes") is None
    assert "Rp 2.500" in words(page.one("receipt").find_all("tr", cls="r-tax")[0])


def test_a_customer_is_named_when_the_order_knows_the_name():
    _device, till = till_for()
    till.cart.partner = {"id": 7, "name": "Budi Santoso"}
    sell(till, 101)
    page = act(till, "print")
    assert words(page.one("receipt-customer")) == "Customer: Budi Santoso"
    till.order = {**till.order, "partner": {"id": 7}}  # an id alone: no name to print
    page = act(till, "print")
    assert page.by_id("receipt-customer") is None


def test_a_refund_says_refund_first_names_the_sale_and_drops_the_no_exchange_line():
    bootstrap = shop_bootstrap()
    bootstrap["config"]["receipt_footer"] = (
        "Terima kasih atas kunjungan Anda.\nBarang yang sudah dibeli tidak dapat ditukar."
    )
    _device, till = till_for(bootstrap)
    sale = sell(till, 101)
    page = act(till, "print")
    assert "tidak dapat ditukar" in words(page.one("receipt").find_all("footer")[0])
    act(till, "new-sale")
    act(till, "orders")
    act(till, "refund", arg=sale["uuid"])
    act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sale['lines'][0]['uuid']}": "1"})
    act(till, "pay-exact", arg="2")
    page = act(till, "validate")
    receipt = page.one("receipt")
    first = next(child for child in receipt.children if not isinstance(child, str))
    assert first.attrs.get("id") == "receipt-refund"
    assert words(first) == f"REFUND of {sale['name']}"
    assert words(receipt.find_all("footer")[0]) == "Terima kasih atas kunjungan Anda."
    rows = page.one("receipt-taxes").find_all("tr", cls="r-tax-rate")
    assert [words(td) for td in rows[0].find_all("td")] == ["PPN 11%", "-Rp 3.153", "-Rp 347"]


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Jakarta", "24-11-2026 03:41"), ("Asia/Makassar", "24-11-2026 04:41"), ("UTC", None)],
)
def test_times_are_in_the_shops_time_zone(zone: str, shown: str | None):
    _device, till = till_for(shop_bootstrap(tz=zone))
    sell(till, 101)
    page = act(till, "print")
    assert words(page.one("receipt").find_all(cls="r-time")[0]) == (shown or "23-11-2026 20:41")


def test_a_zone_the_device_does_not_know_shows_the_devices_own_time():
    _device, till = till_for(shop_bootstrap(tz="Mars/Olympus_Mons"))
    sell(till, 101)
    page = act(till, "print")
    expected = datetime.fromisoformat(till.order["created_at"]).astimezone()
    assert words(page.one("receipt").find_all(cls="r-time")[0]) == expected.strftime(
        "%d-%m-%Y %H:%M"
    )


# -- the paper and printing after each sale --------------------------------------------------------


def test_the_paper_and_printing_after_each_sale_are_tablet_settings():
    device, till = till_for()
    page = act(till, "settings-panel")
    assert page.one("paper-80").attrs["aria-pressed"] == "true"
    assert page.one("auto-print").attrs["aria-pressed"] == "false"
    page = act(till, "receipt-paper", arg="58")
    assert device.settings == {"receipt_paper": "58"} and till.settings_open
    assert page.one("paper-58").attrs["aria-pressed"] == "true"
    page = act(till, "receipt-paper", arg="57")
    assert "Unknown receipt paper: 57" in words(page.one("flash"))
    assert device.settings == {"receipt_paper": "58"}

    sell(till, 101)
    assert device.printed == 0  # off: the cashier presses Print
    act(till, "new-sale")
    page = act(till, "auto-print")
    assert device.settings == {"receipt_paper": "58", "auto_print": True}
    assert page.one("auto-print").attrs["aria-pressed"] == "true"
    sell(till, 101)
    assert device.printed == 1 and till.screen == "receipt"
    act(till, "new-sale")
    act(till, "auto-print")
    sell(till, 101)
    assert device.printed == 1 and device.settings["auto_print"] is False
