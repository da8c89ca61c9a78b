"""Barcode nomenclature: kasir reads every recorded code as Odoo 18 does, and the cart sells by it.

tests/fixtures/odoo18/parse_barcode.json holds, for each code, the answer of Odoo's
`barcode.nomenclature.parse_barcode` (the server) and of Odoo's POS parser (what an Odoo till does
with a scan), under Odoo's default nomenclature and a second one with UPC-A, EAN-8, alias and
whole-rupiah price rules. kasir must give the POS's answer for each; it gives the server's too,
except in the corners listed in SERVER_DIFFERS, each of which must really differ.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from register.barcodes import BarcodeRule, Nomenclature, check_digit, is_encoded
from register.cart import Cart
from register.catalog import Catalog, Product
from register.errors import InvalidQuantity, UnknownProduct
from register.shop import Shop

D = Decimal
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18" / "parse_barcode.json"
RECORDED = json.loads(FIXTURE.read_text(), parse_float=Decimal)
CASES = RECORDED["cases"]

# (nomenclature id, code) -> the key where Odoo's server answers otherwise than its POS.
SERVER_DIFFERS = {
    # The server keeps the scanned check digit in an EAN-8 base code; the POS makes it right.
    (3, "27012345"): "base_code",
    # upc_ean_conv "always": the POS reads a UPC-A (and a 0-led EAN-13) as the EAN-13 of the
    # "00" rule; the server checks the encoding on the code as scanned and skips that rule.
    (3, "036000291452"): "code",
    (3, "0036000291452"): "encoding",
}


def nomenclature(nomenclature_id: int) -> Nomenclature:
    """A nomenclature as the relay's bootstrap carries it, from the recorded rows."""
    [row] = [n for n in RECORDED["nomenclatures"] if n["id"] == nomenclature_id]
    rules = [r for r in RECORDED["rules"] if r["barcode_nomenclature_id"][0] == nomenclature_id]
    return Nomenclature.from_bootstrap({**row, "rules": rules})


def parsed(nomenclature_id: int, code: str) -> dict[str, Any]:
    answer = nomenclature(nomenclature_id).parse(code)
    return {
        "type": answer.type,
        "code": answer.code,
        "base_code": answer.base_code,
        "value": answer.value,
        "encoding": answer.encoding,
    }


def case_id(case: dict[str, Any]) -> str:
    [nomenclature_id], code = case["call"]["args"]
    return f"{nomenclature_id}-{code}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_reads_each_code_as_odoos_pos(case: dict[str, Any]) -> None:
    [nomenclature_id], code = case["call"]["args"]
    assert parsed(nomenclature_id, code) == case["pos"], case["what"]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_reads_each_code_as_odoos_server_but_in_known_corners(case: dict[str, Any]) -> None:
    [nomenclature_id], code = case["call"]["args"]
    ours, server = parsed(nomenclature_id, code), case["answer"]
    differs = SERVER_DIFFERS.get((nomenclature_id, code))
    if differs is None:
        assert ours == server, case["what"]
    else:
        assert ours[differs] != server[differs], f"{case['what']}: no longer differs"


def test_the_recording_covers_weight_price_and_plain_codes() -> None:
    types = {case["pos"]["type"] for case in CASES}
    assert {"weight", "price", "product", "discount", "client", "cashier", "lot"} <= types
    encodings = {case["pos"]["encoding"] for case in CASES}
    assert {"ean13", "ean8", "upca", "any"} <= encodings


def test_values_are_decimals_of_the_digits() -> None:
    default = nomenclature(1)
    weight = default.parse("2100003012340")
    assert (weight.type, weight.value, weight.base_code) == ("weight", D("1.234"), "2100003000002")
    assert isinstance(weight.value, Decimal)
    assert default.parse("2300004012503").value == D("12.50")
    assert default.parse("8991234567891").value == 0


def test_check_digits_and_encodings() -> None:
    assert check_digit("2100003000000") == 2
    assert check_digit("96385070") == 4  # the last digit is where the check digit goes
    assert is_encoded("96385074", "ean8") and not is_encoded("96385075", "ean8")
    assert is_encoded("036000291452", "upca") and not is_encoded("036000291452", "ean13")
    assert not is_encoded("21000030123AB", "ean13")
    assert is_encoded("anything", "any")


def test_no_conversion_when_the_nomenclature_says_never() -> None:
    rules = [
        BarcodeRule("UPC-A read as EAN-13", 60, "product", "ean13", "00"),
        BarcodeRule("Product Barcodes", 90, "product", "any", ".*"),
    ]
    assert Nomenclature.of(rules, "always").parse("036000291452").encoding == "ean13"
    assert Nomenclature.of(rules, "none").parse("036000291452").encoding == "any"


def test_an_alias_that_no_rule_takes_stays_an_alias() -> None:
    rules = [BarcodeRule("Old label", 10, "alias", "any", "OLD", alias="8991234567891")]
    answer = Nomenclature.of(rules).parse("OLD-1")
    assert (answer.type, answer.code, answer.base_code) == ("alias", "8991234567891", "OLD-1")


def test_letters_where_a_rule_wants_digits_do_not_match() -> None:
    rules = [BarcodeRule("Discount Barcodes", 20, "discount", "any", "22{NN}")]
    assert Nomenclature.of(rules).parse("22AB").type == "error"
    assert Nomenclature.of(rules).parse("2215").value == 15


def test_a_bootstrap_without_a_nomenclature_reads_plain_barcodes_only(bootstrap: dict) -> None:
    assert Shop.from_bootstrap(bootstrap).nomenclature is None
    bootstrap["barcode_nomenclature"] = None
    assert Shop.from_bootstrap(bootstrap).nomenclature is None


# -- the cart sells by the nomenclature ---------------------------------------------------------

BERAS = Product(
    id=301, name="Beras curah", list_price="14000", barcode="2100003000002", tax_ids=(1,),
    uom="kg", uom_decimals=2,
)  # fmt: skip
TELUR = Product(
    id=302, name="Telur ayam curah", list_price="29000", barcode="2300004000005", tax_ids=(1,),
    uom="kg", uom_decimals=2,
)  # fmt: skip
GULA = Product(id=303, name="Gula pasir", list_price="17500", barcode="8991234567891", tax_ids=(1,))
LOT_CODED = Product(id=304, name="Kopi bubuk", list_price="9000", barcode="10123456", tax_ids=(1,))


@pytest.fixture
def scale_shop(bootstrap: dict) -> Shop:
    """The demo shop with the recorded whole-rupiah nomenclature (id 3)."""
    [row] = [n for n in RECORDED["nomenclatures"] if n["id"] == 3]
    rules = [r for r in RECORDED["rules"] if r["barcode_nomenclature_id"][0] == 3]
    bootstrap["barcode_nomenclature"] = {**row, "rules": rules}
    return Shop.from_bootstrap(bootstrap)


@pytest.fixture
def shelf() -> Catalog:
    return Catalog([BERAS, TELUR, GULA, LOT_CODED])


def test_a_weight_label_sells_its_weight_rounded_to_the_unit(scale_shop: Shop, shelf: Catalog):
    cart = Cart(scale_shop)
    line = cart.scan(shelf, "2100003012340")  # 1.234 kg, kg in steps of 0.01
    assert (line.product_id, line.qty, line.price_unit) == (BERAS.id, D("1.23"), D("14000"))
    assert not line.price_manually_set
    assert cart.totals().amount_total == D("17220")
    again = cart.scan(shelf, "2100003005007")  # a second bag is a line of its own
    assert again is not line and again.qty == D("0.5")
    assert len(cart.lines) == 2


def test_a_price_label_sells_one_at_its_price(scale_shop: Shop, shelf: Catalog):
    cart = Cart(scale_shop)
    line = cart.scan(shelf, "2300004125005")  # Rp 12,500 under "23.....{NNNNN}"
    assert (line.product_id, line.qty, line.price_unit) == (TELUR.id, 1, D("12500"))
    assert line.price_manually_set  # a pricelist does not reprice it
    assert cart.totals().amount_total == D("12500")
    assert cart.scan(shelf, "2300004125005") is not line


def test_a_products_own_barcode_wins_over_the_rules(scale_shop: Shop, shelf: Catalog):
    cart = Cart(scale_shop)
    assert cart.scan(shelf, "2100003000002").qty == 1  # the base code itself: one kg
    assert cart.scan(shelf, "10123456").product_id == LOT_CODED.id  # not a lot code
    assert cart.scan(shelf, "BERAS").product_id == GULA.id  # the alias's product


def test_labels_of_unknown_products_and_empty_weights_are_refused(scale_shop, shelf):
    cart = Cart(scale_shop)
    with pytest.raises(UnknownProduct):
        cart.scan(shelf, "2100009012344")  # a weight label, but no product has its base code
    with pytest.raises(UnknownProduct):
        cart.scan(shelf, "2100003012341")  # bad check digit: a plain code nobody has
    with pytest.raises(InvalidQuantity):
        cart.scan(shelf, "2100003000040")  # 0.004 kg is 0 in steps of 0.01
    assert cart.lines == []


def test_without_a_nomenclature_a_label_is_unknown(shop: Shop, shelf: Catalog):
    with pytest.raises(UnknownProduct):
        Cart(shop).scan(shelf, "2100003012340")
