"""The demo shop the Odoo sandbox starts with: an Indonesian minimart, "Toko Sumber Rejeki".

Everything is generated from a fixed random seed, so the same `products=N` always gives the same
catalog (same names, prices, codes and barcodes) on every machine: tests and benchmarks can name
product ids and expect the same product behind them. Records are written in the sandbox's stored
form (money as decimal strings, many2one as an id, x2many as a list of ids).

Besides the shelves (products 1..N) the shop has what a real Indonesian Odoo shop configures and
a relay must read right: a tax-exempt fiscal position ("Bebas PPN": PPN 11 % -> 0 %), a purchase
tax the tills must never sell with, pos_discount's global discount product, and a pos_loyalty
programme (points per rupiah spent, a discount reward) with three customers, two of them holding
its card; two pricelists (Umum, and "Member 5%", Ibu Sari's own), and Pak Budi's own fiscal
position (Bebas PPN). Their ids are fixed, whatever N is.

Its cashiers are pos_hr employees: Ani (PIN 1234, basic access) and Budi (PIN 5678, manager
access). The register uses them only when seeded with `cashiers=True` (`kasir demo`, `kasir
sandbox --cashiers`): otherwise its config leaves module_pos_hr off and a till asks no one.

A few products have an image (image_128 on their template, as Odoo keeps a product's picture):
small PNGs drawn here, the same bytes on every run; the others have none (false), as in Odoo. The
POS categories have Odoo's palette colours, all but Rokok, which has none (0).
"""

from __future__ import annotations

import base64
import random
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import SANDBOX_UID

if TYPE_CHECKING:  # the sandbox's server imports nothing from here, and vice versa
    from .orm import SandboxStore

SEED = 20261123
COMPANY_ID = 1
CURRENCY_ID = 12  # IDR's id in the contract's example
TAX_PPN_ID = 1
TAX_ZERO_ID = 2  # PPN 0 %, what "Bebas PPN" maps PPN 11 % to
TAX_PURCHASE_ID = 3  # a purchase tax: in Odoo, never on a till
FISCAL_POSITION_BEBAS_PPN_ID = 1
CASH_METHOD_ID = 1
CARD_METHOD_ID = 2
TRANSFER_METHOD_ID = 3  # not in the config's payment_method_ids
PRICELIST_ID = 1
MEMBER_PRICELIST_ID = 2  # "Member 5%": 5 % off everything, Ibu Sari's pricelist
CONFIG_ID = 1
SESSION_ID = 1
UOM_UNITS_ID = 1
UOM_KG_ID = 2
UOM_CATEGORY_UNIT_ID = 1
UOM_CATEGORY_WEIGHT_ID = 2
MAX_PRODUCTS = 100_000
DISCOUNT_PRODUCT_ID = 100_001  # pos_discount's global discount product (not sold by itself)
LOYALTY_PRODUCT_ID = 100_002  # the product the loyalty reward's discount line is booked on
WEIGHED_PRODUCT_ID = 100_003  # "Beras curah", sold by the kg from the sack
# The base code of the weight rule "21.....{NNDDD}" for item 00003: the scale prints the weight
# where the zeros are (2100003007506 is 0.750 kg). GS1 prefix 2: a code of the shop's own.
WEIGHED_BARCODE = "2100003000002"
PRICED_PRODUCT_ID = 100_004  # "Buah potong", packed and priced in the shop
PRICED_BARCODE = "2300004000005"  # under "23.....{NNNNN}": 2300004185009 is Rp 18,500
DEFAULT_NOMENCLATURE_ID = 1  # Odoo's own "Default Nomenclature", as barcodes, pos, stock make it
SHOP_NOMENCLATURE_ID = 2  # the shop's copy of it, with prices in whole rupiah
LOYALTY_PROGRAM_ID = 1
LOYALTY_RULE_ID = 1
LOYALTY_REWARD_ID = 1
# Customers with a loyalty card: (id, name, phone, e-mail, city, card barcode, points). A card's
# barcode falls under the "Customer Barcodes" rule (042...), so a scan at the till chooses them.
DEMO_CUSTOMERS = (
    (11, "Ibu Sari Wulandari", "0812-3456-7890", "sari@example.id", "Bandung", "0420000000013", 250),
    (12, "Pak Budi Santoso", "0813-1111-2222", "", "Bogor", "0420000000020", 40),
    (13, "Rina Kurniawati", "0857-2222-3333", "rina@example.com", "Depok", "", 0),
)  # fmt: skip
# Their own terms in Odoo (res.partner property_product_pricelist / property_account_position_id):
# Ibu Sari buys at the member pricelist, Pak Budi's shop is exempt from PPN.
CUSTOMER_TERMS = {
    11: {"property_product_pricelist": MEMBER_PRICELIST_ID},
    12: {"property_account_position_id": FISCAL_POSITION_BEBAS_PPN_ID},
}
POS_MANAGER_GROUP_ID = 1  # point_of_sale's "Point of Sale / Administrator" group
# pos_hr's employees: (id, name, PIN); the first has basic access, the second manager access.
CASHIER_ANI = (1, "Ani", "1234")
CASHIER_BUDI = (2, "Budi", "5678")
LOWEST_PRICE = 500
HIGHEST_PRICE = 150_000
# Products with an image, and the colour of its disc.
PICTURED = {1: (200, 40, 40), 2: (230, 150, 30), 3: (40, 110, 200), 4: (40, 150, 90)}
IMAGE_SIZE = 64


def ean13_check_digit(first12: str) -> str:
    """The GS1 check digit of an EAN-13 whose first 12 digits are given (weights 1,3,1,3,...)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"an EAN-13 needs 12 digits before its check digit, got {first12!r}")
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(barcode: str) -> bool:
    """True for 13 digits whose last one is the right check digit."""
    return (
        len(barcode) == 13 and barcode.isdigit() and ean13_check_digit(barcode[:12]) == barcode[12]
    )


@dataclass(frozen=True)
class Aisle:
    """One shelf group: a pos.category (the till's grid) and its product.category and code prefix."""

    pos_categ_id: int
    name: str
    prefix: str
    color: int  # pos.category.color: Odoo's palette index, 0 for none
    # (brand and product, variants, [(size, price in rupiah)])
    lines: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, int], ...]], ...]


AISLES: tuple[Aisle, ...] = (
    Aisle(
        1,
        "Makanan",
        "MKN",
        2,
        (
            (
                "Indomie",
                ("Goreng", "Soto", "Ayam Bawang", "Kari Ayam", "Goreng Rendang"),
                (("85 g", 3500), ("5 x 85 g", 16500)),
            ),
            (
                "Mie Sedaap",
                ("Goreng", "Soto", "Kari Spesial"),
                (("90 g", 3300), ("5 x 90 g", 15800)),
            ),
            ("Sarimi", ("Isi 2 Ayam Kecap", "Soto Koya"), (("115 g", 4200),)),
            ("Roma", ("Kelapa", "Malkist Abon"), (("300 g", 11500), ("135 g", 6500))),
            ("Sari Roti", ("Tawar", "Sobek Coklat", "Roti Kasur"), (("370 g", 17500),)),
            ("Beras Ramos", ("Setra", "Pandan Wangi"), (("5 kg", 74500), ("10 kg", 145000))),
            ("Telur Ayam", ("Negeri",), (("1 kg", 29000), ("10 butir", 21000))),
            ("Sardines ABC", ("Saus Tomat", "Saus Cabai"), (("155 g", 11900), ("425 g", 24500))),
        ),
    ),
    Aisle(
        2,
        "Minuman",
        "MNM",
        4,
        (
            ("Aqua", ("Air Mineral",), (("600 ml", 3500), ("1.5 L", 6500), ("330 ml", 2500))),
            ("Le Minerale", ("Air Mineral",), (("600 ml", 3500), ("1.5 L", 6000))),
            ("Teh Botol Sosro", ("Original", "Less Sugar"), (("450 ml", 5500), ("250 ml", 4000))),
            ("Teh Pucuk Harum", ("Melati",), (("350 ml", 3800),)),
            ("Good Day", ("Cappuccino", "Mocacinno", "Vanilla Latte"), (("250 ml", 7200),)),
            (
                "Ultra Milk",
                ("Coklat", "Full Cream", "Stroberi"),
                (("250 ml", 6900), ("1 L", 19800)),
            ),
            ("Pocari Sweat", ("Original",), (("500 ml", 7900), ("350 ml", 6200))),
            (
                "Kopi Kapal Api",
                ("Special Mix", "Special"),
                (("10 x 24 g", 15500), ("165 g", 14500)),
            ),
        ),
    ),
    Aisle(
        3,
        "Makanan Ringan",
        "SNK",
        3,
        (
            ("Chitato", ("Sapi Panggang", "Keju Supreme"), (("68 g", 11500), ("35 g", 6500))),
            (
                "Qtela",
                ("Singkong Original", "Tempe Cabai Rawit"),
                (("185 g", 15000), ("60 g", 6000)),
            ),
            ("Taro Net", ("Seaweed", "BBQ"), (("65 g", 7500),)),
            ("Oreo", ("Vanilla", "Chocolate", "Strawberry"), (("133 g", 9500), ("27.6 g", 2500))),
            ("SilverQueen", ("Cashew", "Almond"), (("58 g", 16500), ("25 g", 8500))),
            ("Beng-Beng", ("Original", "Maxx"), (("20 g", 2500),)),
        ),
    ),
    Aisle(
        4,
        "Bumbu Dapur",
        "BMB",
        1,
        (
            ("Kecap Bango", ("Manis",), (("550 ml", 24500), ("220 ml", 11000))),
            ("Saus Sambal ABC", ("Extra Pedas", "Asli"), (("335 ml", 13500), ("135 ml", 6900))),
            ("Royco", ("Ayam", "Sapi"), (("100 g", 6500), ("8 x 9 g", 4000))),
            ("Masako", ("Ayam", "Sapi"), (("250 g", 12500),)),
            ("Minyak Goreng Bimoli", ("Klasik",), (("2 L", 38500), ("1 L", 20500))),
            ("Gula Pasir Gulaku", ("Putih", "Premium"), (("1 kg", 18500), ("500 g", 9800))),
        ),
    ),
    Aisle(
        5,
        "Kebutuhan Rumah",
        "RMH",
        7,
        (
            ("Rinso", ("Anti Noda", "Molto"), (("770 g", 26500), ("1.8 kg", 52500))),
            ("Sunlight", ("Jeruk Nipis", "Lime"), (("755 ml", 15900), ("400 ml", 9500))),
            ("So Klin Pewangi", ("Lavender", "Sakura"), (("900 ml", 14500),)),
            ("Baygon", ("Aerosol Lavender", "Citrus"), (("600 ml", 42500),)),
            ("Tissue Paseo", ("Smart", "Facial"), (("250 sheet", 15500), ("50 sheet", 5500))),
            ("Stella", ("Pengharum Ruangan Jeruk",), (("225 ml", 28500),)),
        ),
    ),
    Aisle(
        6,
        "Perawatan Diri",
        "PRW",
        9,
        (
            ("Lifebuoy", ("Sabun Batang Merah", "Mild Care"), (("110 g", 4500),)),
            (
                "Pepsodent",
                ("Pencegah Gigi Berlubang", "Herbal"),
                (("190 g", 13900), ("75 g", 6500)),
            ),
            ("Sunsilk", ("Black Shine", "Hijab Refresh"), (("170 ml", 25500), ("70 ml", 11500))),
            ("Clear", ("Men Cool Sport Menthol",), (("160 ml", 32500),)),
            ("Rexona", ("Men Ice Cool", "Women Free Spirit"), (("45 ml", 19500),)),
            ("Ponds", ("Bright Beauty", "Men Energy Charge"), (("100 g", 34500), ("50 g", 21500))),
        ),
    ),
    Aisle(
        7,
        "Rokok",
        "RKK",
        0,
        (
            ("Gudang Garam", ("Filter", "Surya 12", "Surya 16"), (("12 batang", 26500),)),
            ("Sampoerna", ("A Mild", "Kretek"), (("16 batang", 33500), ("12 batang", 24000))),
            ("Djarum", ("Super", "76 Filter"), (("12 batang", 25000),)),
            ("Marlboro", ("Red", "Filter Black"), (("20 batang", 44500),)),
        ),
    ),
)

PACKS = ("", "Isi 2", "Isi 3", "Isi 6", "Isi 12", "1 Dus")
PACK_FACTOR = {"": 1, "Isi 2": 2, "Isi 3": 3, "Isi 6": 6, "Isi 12": 12, "1 Dus": 24}


def _round_price(rupiah: int, rng: random.Random) -> int:
    """A shelf price: whole rupiah, mostly ending in 00 (often 500), kept within the shop's range."""
    step = rng.choice((100, 100, 100, 500, 500))
    rounded = max(step, (rupiah + step // 2) // step * step)
    return min(max(rounded, LOWEST_PRICE), HIGHEST_PRICE)


def _catalog_names() -> list[tuple[Aisle, str, int]]:
    """Every (aisle, name, base price) the shop can stock, in a fixed order, single items first."""
    names: list[tuple[Aisle, str, int]] = []
    for pack in PACKS:
        for aisle in AISLES:
            for brand, variants, sizes in aisle.lines:
                for variant in variants:
                    for size, price in sizes:
                        name = f"{brand} {variant} {size}" + (f" {pack}" if pack else "")
                        names.append((aisle, name, price * PACK_FACTOR[pack]))
    return names


def generate_products(count: int) -> Iterator[dict[str, Any]]:
    """`count` product.product records (ids 1..count), deterministic for a given count.

    Names cycle through brand x variant x size x pack; once the combinations run out the shop
    stocks the same goods again from other suppliers (same name, its own code and barcode).
    """
    rng = random.Random(SEED)
    catalog = _catalog_names()
    # Unique barcodes: 899 (GS1 Indonesia) + 9 random but distinct digits + the check digit.
    item_numbers = rng.sample(range(10**9), count)
    per_prefix: dict[str, int] = {}
    for index in range(count):
        aisle, name, base_price = catalog[index % len(catalog)]
        # Shops round and shade prices a little; a repeated name gets its own price.
        shaded = base_price * rng.randint(90, 112) // 100 if index >= len(catalog) else base_price
        price = _round_price(shaded, rng)
        cost = max(1, price * rng.randint(68, 88) // 100)
        number = per_prefix.get(aisle.prefix, 0) + 1
        per_prefix[aisle.prefix] = number
        first12 = f"899{item_numbers[index]:09d}"
        yield {
            "id": index + 1,
            "name": name,
            "default_code": f"{aisle.prefix}-{number:04d}",
            "barcode": first12 + ean13_check_digit(first12),
            "lst_price": str(price),
            "standard_price": str(cost),
            "categ_id": product_category_id(aisle),
            "pos_categ_ids": [aisle.pos_categ_id],
            "taxes_id": [TAX_PPN_ID],
            "product_tmpl_id": index + 1,
            "uom_id": UOM_UNITS_ID,
            "type": "consu",
            "sale_ok": True,
            "available_in_pos": True,
            "active": True,
        }


def product_category_id(aisle: Aisle) -> int:
    """product.category ids: 1 All, 2 All / Saleable, then one per aisle under Saleable."""
    return 2 + aisle.pos_categ_id


def seed(store: SandboxStore, products: int = 200, *, cashiers: bool = False) -> bool:
    """Fill an empty sandbox with the demo shop; a store that already has data is left alone.
    `cashiers`: the register uses pos_hr's employees (Ani and Budi log in with their PIN).

    Returns True when it seeded, False when the store was not empty (so seeding is idempotent).
    """
    if not 0 <= products <= MAX_PRODUCTS:
        raise ValueError(f"products must be between 0 and {MAX_PRODUCTS}")
    with store.transaction() as tx:
        if not tx.is_empty():
            return False
        tx.insert("res.currency", CURRENCY_ID, _currency())
        for nomenclature_id, values in _nomenclatures():
            tx.insert("barcode.nomenclature", nomenclature_id, values)
        for rule_id, values in _barcode_rules():
            tx.insert("barcode.rule", rule_id, values)
        tx.insert("res.company", COMPANY_ID, _company())
        # The user kasir calls Odoo as: its language is the shop's (English keeps tests' texts).
        tx.insert("res.groups", POS_MANAGER_GROUP_ID, {"name": "Point of Sale / Administrator"})
        tx.insert(
            "res.users",
            SANDBOX_UID,
            {
                "name": "Administrator",
                "login": "admin",
                "lang": "en_US",
                "groups_id": [POS_MANAGER_GROUP_ID],
                "active": True,
            },
        )
        for employee_id, name, pin in (CASHIER_ANI, CASHIER_BUDI):
            tx.insert("hr.employee", employee_id, _employee(name, pin))
        for categ_id, values in _uom_categories():
            tx.insert("uom.category", categ_id, values)
        for uom_id, values in _uoms():
            tx.insert("uom.uom", uom_id, values)
        for tax_id, values in _taxes():
            tx.insert("account.tax", tax_id, values)
        tx.insert("account.fiscal.position", FISCAL_POSITION_BEBAS_PPN_ID, _bebas_ppn())
        tx.insert("account.fiscal.position.tax", 1, _bebas_ppn_mapping())
        for method_id, values in _payment_methods():
            tx.insert("pos.payment.method", method_id, values)
        tx.insert("product.pricelist", PRICELIST_ID, _pricelist())
        tx.insert("product.pricelist", MEMBER_PRICELIST_ID, _member_pricelist())
        tx.insert("product.pricelist.item", 1, _member_discount())
        for categ_id, values in _pos_categories():
            tx.insert("pos.category", categ_id, values)
        for categ_id, values in _product_categories():
            tx.insert("product.category", categ_id, values)
        tx.insert("pos.config", CONFIG_ID, {**_config(), "module_pos_hr": cashiers})
        tx.insert("pos.session", SESSION_ID, _session(tx.now()))
        tx.set_sequence("pos.session", 2)
        batch: list[dict[str, Any]] = []
        for product in generate_products(products):
            batch.append(product)
            if len(batch) >= 5000:
                _insert_products(tx, batch)
                batch = []
        _insert_products(tx, batch)
        _insert_products(tx, _special_products())
        _insert_products(tx, [_weighed_product(), _priced_product()])
        tx.insert("loyalty.program", LOYALTY_PROGRAM_ID, _loyalty_program())
        tx.insert("loyalty.rule", LOYALTY_RULE_ID, _loyalty_rule())
        tx.insert("loyalty.reward", LOYALTY_REWARD_ID, _loyalty_reward())
        for partner_id, partner, card in _customers():
            tx.insert("res.partner", partner_id, partner)
            if card is not None:
                tx.insert("loyalty.card", None, card)
    return True


def _insert_products(tx: Any, products: list[dict[str, Any]]) -> None:
    """product.product and its product.template (one template per product in this shop)."""
    if not products:
        return
    tx.insert_many("product.product", products)
    tx.insert_many(
        "product.template",
        [
            {
                "id": p["product_tmpl_id"],
                "name": p["name"],
                "default_code": p["default_code"],
                "barcode": p["barcode"],
                "list_price": p["lst_price"],
                "standard_price": p["standard_price"],
                "categ_id": p["categ_id"],
                "pos_categ_ids": p["pos_categ_ids"],
                "taxes_id": p["taxes_id"],
                "uom_id": p["uom_id"],
                "type": p["type"],
                "sale_ok": p["sale_ok"],
                "available_in_pos": p["available_in_pos"],
                "image_128": demo_image(PICTURED[p["id"]]) if p["id"] in PICTURED else False,
                "active": True,
            }
            for p in products
        ],
    )


def demo_image(rgb: tuple[int, int, int]) -> str:
    """A product picture as Odoo's image_128 holds one (base64 PNG): a disc of `rgb` on white,
    IMAGE_SIZE pixels square, drawn here so nothing is downloaded."""
    half = IMAGE_SIZE / 2
    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes(rgb) if (x + 0.5 - half) ** 2 + (y + 0.5 - half) ** 2 < (half - 6) ** 2
            else b"\xff\xff\xff"
            for x in range(IMAGE_SIZE)
        )
        for y in range(IMAGE_SIZE)
    )  # fmt: skip

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", IMAGE_SIZE, IMAGE_SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode("ascii")


def _currency() -> dict[str, Any]:
    return {
        "name": "IDR",
        "symbol": "Rp",
        "rounding": "1",
        "decimal_places": 0,
        "position": "before",
        "active": True,
    }


def _company() -> dict[str, Any]:
    return {
        "name": "Toko Sumber Rejeki",
        "currency_id": CURRENCY_ID,
        "country_code": "ID",
        "vat": "01.234.567.8-901.000",  # the NPWP, as l10n_id keeps it in vat
        "tax_calculation_rounding_method": "round_per_line",
        "nomenclature_id": SHOP_NOMENCLATURE_ID,
        "street": "Jl. Raya Cibubur No. 17",
        "street2": "",
        "city": "Jakarta Timur",
        "zip": "13720",
        "phone": "(021) 555-0123",
        "email": "halo@sumberrejeki.example",
    }


def _tax(name: str, amount: str, use: str, *, included: bool, sequence: int) -> dict[str, Any]:
    return {
        "name": name,
        "amount_type": "percent",
        "amount": amount,
        "price_include": included,
        "include_base_amount": False,
        "is_base_affected": True,
        "sequence": sequence,
        "children_tax_ids": [],
        "type_tax_use": use,
        "company_id": COMPANY_ID,
        "active": True,
    }


def _taxes() -> list[tuple[int, dict[str, Any]]]:
    return [
        (TAX_PPN_ID, _tax("PPN 11%", "11", "sale", included=True, sequence=1)),
        (TAX_ZERO_ID, _tax("PPN 0%", "0", "sale", included=False, sequence=2)),
        (TAX_PURCHASE_ID, _tax("PPN Masukan 11%", "11", "purchase", included=False, sequence=3)),
    ]


def _bebas_ppn() -> dict[str, Any]:
    return {"name": "Bebas PPN", "tax_ids": [1], "active": True}


def _bebas_ppn_mapping() -> dict[str, Any]:
    return {
        "position_id": FISCAL_POSITION_BEBAS_PPN_ID,
        "tax_src_id": TAX_PPN_ID,
        "tax_dest_id": TAX_ZERO_ID,
    }


def _uom_categories() -> list[tuple[int, dict[str, Any]]]:
    return [(UOM_CATEGORY_UNIT_ID, {"name": "Unit"}), (UOM_CATEGORY_WEIGHT_ID, {"name": "Weight"})]


def _uoms() -> list[tuple[int, dict[str, Any]]]:
    """Odoo's Units (rounding 0.01, yet counted whole: its category is Unit) and kg (0.01, as
    Odoo 18 makes every unit: tests/fixtures/odoo18/search_read_uom_uom.json)."""
    return [
        (
            UOM_UNITS_ID,
            {"name": "Units", "category_id": UOM_CATEGORY_UNIT_ID, "rounding": "0.01"},
        ),
        (UOM_KG_ID, {"name": "kg", "category_id": UOM_CATEGORY_WEIGHT_ID, "rounding": "0.01"}),
    ]


def _weighed_product() -> dict[str, Any]:
    """Loose rice weighed at the counter: a price per kg, quantities such as 0,5 kg."""
    rice = AISLES[0]
    return {
        "id": WEIGHED_PRODUCT_ID,
        "product_tmpl_id": WEIGHED_PRODUCT_ID,
        "name": "Beras curah",
        "default_code": "BRS-CURAH",
        "barcode": WEIGHED_BARCODE,
        "lst_price": "14000",
        "standard_price": "11500",
        "categ_id": product_category_id(rice),
        "pos_categ_ids": [rice.pos_categ_id],
        "taxes_id": [TAX_PPN_ID],
        "uom_id": UOM_KG_ID,
        "type": "consu",
        "sale_ok": True,
        "available_in_pos": True,
        "active": True,
    }


def _priced_product() -> dict[str, Any]:
    """Cut fruit packed in the shop: each pack is weighed once and labelled with its price."""
    return {
        **_weighed_product(),
        "id": PRICED_PRODUCT_ID,
        "product_tmpl_id": PRICED_PRODUCT_ID,
        "name": "Buah potong",
        "default_code": "BUAH-POTONG",
        "barcode": PRICED_BARCODE,
        "lst_price": "15000",
        "standard_price": "9000",
        "uom_id": UOM_UNITS_ID,
    }


# Odoo 18's default rules (barcodes, point_of_sale and stock's data; Odoo's ids): (id, name,
# sequence, type, encoding, pattern). tests/fixtures/odoo18/search_read_barcode_rule.json
ODOO_BARCODE_RULES = (
    (38, "Price Barcodes 2 Decimals", 14, "price", "ean13", "23.....{NNNDD}"),
    (37, "Discount Barcodes", 20, "discount", "any", "22{NN}"),
    (31, "Weight Barcodes 3 Decimals", 36, "weight", "ean13", "21.....{NNDDD}"),
    (36, "Customer Barcodes", 40, "client", "any", "042"),
    (35, "Cashier Barcodes", 50, "cashier", "any", "041"),
    (34, "Location barcodes", 60, "location", "any", "414"),
    (32, "Package barcodes", 70, "package", "any", "PACK"),
    (33, "Lot barcodes", 80, "lot", "any", "10"),
    (1, "Product Barcodes", 90, "product", "any", ".*"),
)
# The shop's rules: Odoo's, but a price label carries whole rupiah (Rp 0 to 99,999), which
# two decimals of a 5-digit price (up to 999.99) cannot.
SHOP_PRICE_RULE = ("Price Barcodes in Rupiah", 14, "price", "ean13", "23.....{NNNNN}")
SHOP_RULE_IDS = 100  # the shop's copies are 100 + Odoo's id


def _nomenclatures() -> list[tuple[int, dict[str, Any]]]:
    common = {"upc_ean_conv": "always", "is_gs1_nomenclature": False}
    return [
        (
            DEFAULT_NOMENCLATURE_ID,
            {
                **common,
                "name": "Default Nomenclature",
                "rule_ids": [r[0] for r in ODOO_BARCODE_RULES],
            },
        ),
        (
            SHOP_NOMENCLATURE_ID,
            {
                **common,
                "name": "Toko Sumber Rejeki",
                "rule_ids": [SHOP_RULE_IDS + r[0] for r in ODOO_BARCODE_RULES],
            },
        ),
    ]


def _barcode_rules() -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for rule_id, *rule in ODOO_BARCODE_RULES:
        rows.append((rule_id, _barcode_rule(DEFAULT_NOMENCLATURE_ID, *rule)))
        shop_rule = SHOP_PRICE_RULE if rule[2] == "price" else rule
        rows.append((SHOP_RULE_IDS + rule_id, _barcode_rule(SHOP_NOMENCLATURE_ID, *shop_rule)))
    return rows


def _barcode_rule(
    nomenclature_id: int, name: str, sequence: int, kind: str, encoding: str, pattern: str
) -> dict[str, Any]:
    return {
        "name": name,
        "barcode_nomenclature_id": nomenclature_id,
        "sequence": sequence,
        "type": kind,
        "encoding": encoding,
        "pattern": pattern,
        "alias": "0",
    }


def _special_products() -> list[dict[str, Any]]:
    """Products Odoo makes for a feature, never on a shelf: available_in_pos is false, as in
    pos_discount's own data and for the products loyalty creates for its discount lines."""
    base = {
        "standard_price": "0",
        "lst_price": "0",
        "categ_id": 1,
        "pos_categ_ids": [],
        "uom_id": UOM_UNITS_ID,
        "barcode": False,
        "available_in_pos": False,
        "active": True,
    }
    return [
        {
            **base,
            "id": DISCOUNT_PRODUCT_ID,
            "product_tmpl_id": DISCOUNT_PRODUCT_ID,
            "name": "Diskon",
            "default_code": "DISC",
            "taxes_id": [TAX_PPN_ID],
            "type": "consu",
            "sale_ok": True,
        },
        {
            **base,
            "id": LOYALTY_PRODUCT_ID,
            "product_tmpl_id": LOYALTY_PRODUCT_ID,
            "name": "Potongan Rp 5.000",
            "default_code": False,
            "taxes_id": [],
            "type": "service",
            "sale_ok": False,
        },
    ]


def _customers() -> list[tuple[int, dict[str, Any], dict[str, Any] | None]]:
    """The demo customers, each with its loyalty card (and balance) when it has a barcode."""
    rows = []
    for partner_id, name, phone, email, city, barcode, points in DEMO_CUSTOMERS:
        partner = {"name": name, "phone": phone, "email": email or False, "city": city}
        partner.update(barcode=barcode or False, active=True, **CUSTOMER_TERMS.get(partner_id, {}))
        card = {"program_id": LOYALTY_PROGRAM_ID, "partner_id": partner_id, "code": barcode}
        card.update(points=str(points), active=True)
        rows.append((partner_id, partner, card if barcode else None))
    return rows


def _loyalty_program() -> dict[str, Any]:
    """A loyalty card for this shop's till: 1 point per Rp 1.000 spent, kept for later."""
    return {
        "name": "Poin Sumber Rejeki",
        "active": True,
        "sequence": 1,
        "company_id": COMPANY_ID,
        "currency_id": CURRENCY_ID,
        "program_type": "loyalty",
        "trigger": "auto",
        "applies_on": "both",
        "pricelist_ids": [],
        "date_from": False,
        "date_to": False,
        "limit_usage": False,
        "max_usage": 0,
        "is_nominative": True,
        "portal_visible": True,
        "portal_point_name": "Poin",
        "trigger_product_ids": [],
        "rule_ids": [LOYALTY_RULE_ID],
        "reward_ids": [LOYALTY_REWARD_ID],
        "pos_ok": True,
        "pos_config_ids": [CONFIG_ID],
    }


def _loyalty_rule() -> dict[str, Any]:
    return {
        "program_id": LOYALTY_PROGRAM_ID,
        "active": True,
        "product_ids": [],
        "product_category_id": False,
        "valid_product_ids": [],  # any product (Odoo leaves it empty then)
        "any_product": True,
        "currency_id": CURRENCY_ID,
        "reward_point_amount": "0.001",
        "reward_point_split": False,
        "reward_point_mode": "money",
        "minimum_qty": 0,
        "minimum_amount": "0",
        "minimum_amount_tax_mode": "incl",
        "mode": "auto",
        "code": False,
    }


def _loyalty_reward() -> dict[str, Any]:
    """100 points buy Rp 5.000 off the order."""
    return {
        "program_id": LOYALTY_PROGRAM_ID,
        "active": True,
        "description": "Potongan Rp 5.000",
        "reward_type": "discount",
        "required_points": "100",
        "clear_wallet": False,
        "currency_id": CURRENCY_ID,
        "discount": "5000",
        "discount_mode": "per_order",
        "discount_applicability": "order",
        "all_discount_product_ids": [],
        "is_global_discount": True,
        "discount_max_amount": "0",
        "discount_line_product_id": LOYALTY_PRODUCT_ID,
        "tax_ids": [],
        "reward_product_id": False,
        "multi_product": False,
        "reward_product_ids": [],
        "reward_product_qty": 1,
        "reward_product_uom_id": False,
        "reward_product_domain": "null",
    }


def _payment_methods() -> list[tuple[int, dict[str, Any]]]:
    return [
        (
            CASH_METHOD_ID,
            {"name": "Tunai", "is_cash_count": True, "type": "cash", "sequence": 1, "active": True},
        ),
        (
            CARD_METHOD_ID,
            {
                "name": "Kartu",
                "is_cash_count": False,
                "type": "bank",
                "sequence": 2,
                "active": True,
            },
        ),
        (
            TRANSFER_METHOD_ID,  # exists, but is not in the config (Odoo refuses it on an order)
            {
                "name": "Transfer",
                "is_cash_count": False,
                "type": "bank",
                "sequence": 3,
                "active": True,
            },
        ),
    ]


def _pricelist() -> dict[str, Any]:
    return {
        "name": "Umum",
        "sequence": 1,
        "currency_id": CURRENCY_ID,
        "item_ids": [],
        "active": True,
    }


def _member_pricelist() -> dict[str, Any]:
    return {
        "name": "Member 5%",
        "sequence": 2,
        "currency_id": CURRENCY_ID,
        "item_ids": [1],
        "active": True,
    }


def _member_discount() -> dict[str, Any]:
    """5 % off every product, as Odoo stores a global percentage rule."""
    return {
        "pricelist_id": MEMBER_PRICELIST_ID,
        "product_tmpl_id": False,
        "product_id": False,
        "categ_id": False,
        "applied_on": "3_global",
        "min_quantity": "0",
        "base": "list_price",
        "base_pricelist_id": False,
        "compute_price": "percentage",
        "fixed_price": "0",
        "percent_price": "5",
        "price_discount": "0",
        "price_round": "0",
        "price_surcharge": "0",
        "price_min_margin": "0",
        "price_max_margin": "0",
        "date_start": False,
        "date_end": False,
        "company_id": False,
        "currency_id": CURRENCY_ID,
        "active": True,
    }


def _pos_categories() -> list[tuple[int, dict[str, Any]]]:
    return [
        (
            aisle.pos_categ_id,
            {
                "name": aisle.name,
                "parent_id": False,
                "sequence": aisle.pos_categ_id,
                "color": aisle.color,
            },
        )
        for aisle in AISLES
    ]


def _product_categories() -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = [
        (1, {"name": "All", "parent_id": False, "complete_name": "All"}),
        (2, {"name": "Saleable", "parent_id": 1, "complete_name": "All / Saleable"}),
    ]
    for aisle in AISLES:
        rows.append(
            (
                product_category_id(aisle),
                {
                    "name": aisle.name,
                    "parent_id": 2,
                    "complete_name": f"All / Saleable / {aisle.name}",
                },
            )
        )
    return rows


def _employee(name: str, pin: str) -> dict[str, Any]:
    return {
        "name": name,
        "user_id": False,
        "company_id": COMPANY_ID,
        "work_contact_id": False,
        "pin": pin,
        "barcode": False,
        "active": True,
    }


def _config() -> dict[str, Any]:
    return {
        "name": "Kasir 1",
        "company_id": COMPANY_ID,
        "currency_id": CURRENCY_ID,
        "payment_method_ids": [CASH_METHOD_ID, CARD_METHOD_ID],
        "pricelist_id": PRICELIST_ID,
        "available_pricelist_ids": [PRICELIST_ID, MEMBER_PRICELIST_ID],
        "current_session_id": SESSION_ID,
        "cash_rounding": False,
        "rounding_method": False,
        "only_round_cash_method": False,
        "receipt_header": "Buka setiap hari 07.00-22.00",
        "receipt_footer": "Terima kasih atas kunjungan Anda.\nBarang yang sudah dibeli tidak dapat ditukar.",
        "fiscal_position_ids": [FISCAL_POSITION_BEBAS_PPN_ID],
        "default_fiscal_position_id": False,
        "module_pos_discount": True,
        "iface_discount": True,
        "discount_pc": "10",
        "discount_product_id": DISCOUNT_PRODUCT_ID,
        "module_pos_hr": False,
        "basic_employee_ids": [CASHIER_ANI[0]],
        "advanced_employee_ids": [CASHIER_BUDI[0]],
        "group_pos_manager_id": POS_MANAGER_GROUP_ID,
        "current_user_id": False,
        "active": True,
    }


def _session(now: str) -> dict[str, Any]:
    return {
        "name": "POS/00001",
        "config_id": CONFIG_ID,
        "state": "opened",
        "start_at": now,
        "stop_at": False,
    }
