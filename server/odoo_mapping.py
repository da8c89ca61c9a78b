"""The ONE place where kasir records meet Odoo's shapes, both ways.

Outbound: an order record (shared contract) becomes the Odoo 18 payload of
`pos.order.sync_from_ui`. Inbound: `search_read` rows (many2one as [id, name], empty as false,
floats read as Decimal) become the bootstrap document and the catalog records terminals consume.
Pure functions, no I/O, so every field is unit-tested.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# The fields the mirror reads, per model (Odoo 18 names).
# What a receipt prints under the shop's name (with its vat as the NPWP).
COMPANY_ADDRESS_FIELDS = ("street", "street2", "city", "zip", "phone", "email")
COMPANY_FIELDS = [
    "id",
    "name",
    "currency_id",
    "country_code",
    "vat",
    "tax_calculation_rounding_method",
    *COMPANY_ADDRESS_FIELDS,
    "nomenclature_id",  # barcodes: how the POS reads weight and price labels
]
CURRENCY_FIELDS = ["id", "name", "symbol", "rounding", "decimal_places", "position"]
CONFIG_FIELDS = [
    "id",
    "name",
    "company_id",
    "currency_id",
    "payment_method_ids",
    "pricelist_id",
    "available_pricelist_ids",
    "current_session_id",
    "cash_rounding",
    "rounding_method",
    "only_round_cash_method",
    "receipt_header",
    "receipt_footer",
    "fiscal_position_ids",
    "default_fiscal_position_id",
    "discount_product_id",
    "module_pos_discount",
    # pos_hr: which employees log in to this register, and which of them are managers
    "module_pos_hr",
    "basic_employee_ids",
    "advanced_employee_ids",
    "group_pos_manager_id",
    "current_user_id",
]
EMPLOYEE_FIELDS = ["id", "name", "user_id"]
SESSION_FIELDS = ["id", "name", "config_id", "state", "start_at"]
TAX_FIELDS = [
    "id",
    "name",
    "amount_type",
    "amount",
    "price_include",
    "include_base_amount",
    "is_base_affected",
    "sequence",
    "children_tax_ids",
    "type_tax_use",
    "active",
]
PAYMENT_METHOD_FIELDS = ["id", "name", "is_cash_count", "type", "sequence", "active"]
# color: Odoo 18's index into its palette (0 none, 1-11), the POS's tint of a category's tiles
POS_CATEGORY_FIELDS = ["id", "name", "parent_id", "sequence", "color"]
PRODUCT_CATEGORY_FIELDS = ["id", "name", "parent_id", "complete_name"]
PRICELIST_FIELDS = ["id", "name", "currency_id", "item_ids"]
PRICELIST_ITEM_FIELDS = [
    "id",
    "pricelist_id",
    "product_tmpl_id",
    "product_id",
    "categ_id",
    "applied_on",
    "min_quantity",
    "base",
    "base_pricelist_id",
    "compute_price",
    "fixed_price",
    "percent_price",
    "price_discount",
    "price_round",
    "price_surcharge",
    "price_min_margin",
    "price_max_margin",
    "date_start",
    "date_end",
]
FISCAL_POSITION_FIELDS = ["id", "name"]
FISCAL_POSITION_TAX_FIELDS = ["id", "position_id", "tax_src_id", "tax_dest_id"]
CASH_ROUNDING_FIELDS = ["id", "name", "rounding", "rounding_method"]
UOM_FIELDS = ["id", "rounding", "category_id"]  # Odoo 19 has neither: 3 decimals, as Odoo's
UNIT_CATEGORY = "Unit"  # uom.product_uom_categ_unit: counted things, sold whole
QTY_DECIMALS = 3  # the catalog's quantity precision ("Product Unit of Measure")
PRODUCT_FIELDS = [
    "id",
    "display_name",
    "name",
    "lst_price",
    "standard_price",
    "categ_id",
    "pos_categ_ids",
    "taxes_id",
    "barcode",
    "default_code",
    "product_tmpl_id",
    "uom_id",
    "active",
    "available_in_pos",
    "write_date",
]
# The image a product shows in the POS: image_128 (its variant's own, else its template's; Odoo
# computes it and cannot search it), read apart from the catalog, a few products per call.
PRODUCT_IMAGE_FIELDS = ["id", "image_128", "write_date"]
HAS_IMAGE = ["|", ["image_variant_128", "!=", False], ["product_tmpl_id.image_128", "!=", False]]
PARTNER_FIELDS = [
    "id",
    "name",
    "email",
    "phone",
    "street",
    "city",
    "zip",
    "country_id",
    "vat",
    "barcode",
    "active",
    "write_date",
    # the customer's terms, as Odoo's POS loads them: the pricelist is computed (a customer
    # without one of their own gets the first pricelist), the fiscal position company-dependent
    "property_product_pricelist",
    "property_account_position_id",
]
COUNTRY_FIELDS = ["id", "code"]
# A customer's balance in a program: the card's points, and when they were last written.
LOYALTY_CARD_FIELDS = ["id", "partner_id", "program_id", "points", "write_date"]
# pos_loyalty (Odoo 18): the parts of a program the register computes points and rewards with.
LOYALTY_PROGRAM_FIELDS = [
    "id",
    "name",
    "program_type",
    "pos_ok",
    "pos_config_ids",
    "date_from",
    "date_to",
    "active",
]
LOYALTY_RULE_FIELDS = [
    "id",
    "program_id",
    "reward_point_mode",
    "reward_point_amount",
    "product_ids",
    "product_category_id",
    "minimum_amount",
    "minimum_qty",
]
LOYALTY_REWARD_FIELDS = [
    "id",
    "program_id",
    "reward_type",
    "description",
    "required_points",
    "discount_mode",
    "discount",
    "discount_line_product_id",
    "active",
]
# barcodes (Odoo 18): the company's nomenclature and its rules, as Odoo's POS loads them
# (BarcodeParser.fetchNomenclature); is_gs1_nomenclature comes with barcodes_gs1_nomenclature.
BARCODE_NOMENCLATURE_FIELDS = ["id", "name", "upc_ean_conv", "is_gs1_nomenclature"]
BARCODE_RULE_FIELDS = [
    "id",
    "name",
    "sequence",
    "type",
    "encoding",
    "pattern",
    "alias",
    "barcode_nomenclature_id",
]
# kasir owns this value of res.partner.ref on the customers it creates: "kasir:" + the record's
# uuid. A create retried after an unknown outcome first looks for it, so it never makes a twin.
PARTNER_REF_PREFIX = "kasir:"
PARTNER_TEXT = ("name", "email", "phone", "street", "city", "zip", "vat", "barcode")


# -- small conversions -----------------------------------------------------------------------


def money(value: Any) -> str:
    """An Odoo number (read as Decimal or int) as a contract decimal string: 3500.0 -> "3500"."""
    if value is None or value is False:
        return "0"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def decimal_of(text: str) -> Decimal:
    """A contract decimal string as the Decimal that travels to Odoo as a JSON number."""
    return Decimal(text)


def m2o_id(value: Any) -> int | None:
    """many2one [id, "name"] (or a bare id with load=False, or false) -> id or None."""
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def m2o_name(value: Any) -> str | None:
    if isinstance(value, list | tuple) and len(value) > 1:
        return str(value[1])
    return None


def text(value: Any) -> str:
    """Odoo's empty char is false; the contract's is ""."""
    return "" if value is None or value is False else str(value)


def optional_text(value: Any) -> str | None:
    return None if value is None or value is False or value == "" else str(value)


def ids(value: Any) -> list[int]:
    return [int(v) for v in value or [] if isinstance(v, int) and not isinstance(v, bool)]


def odoo_datetime(iso: str) -> str:
    """An ISO-8601 moment with its zone -> Odoo's "YYYY-MM-DD HH:MM:SS" in UTC."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


# -- kasir -> Odoo ---------------------------------------------------------------------------


def order_to_odoo(
    record: dict[str, Any],
    partner_id: int | None = None,
    *,
    session_id: int | None = None,
    refunded_line_ids: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The sync_from_ui payload of an order record (shared contract, "Odoo 18 payload").

    The forwarder resolves what only Odoo knows, and the stored record never changes:
    `partner_id` for a customer the order names by local uuid, `session_id` the register's open
    session (the record's own is what the till knew), `refunded_line_ids` Odoo's ids of the sold
    lines a refund's lines name by uuid (refunded_orderline_id: Odoo's refunded_qty)."""
    refunded = refunded_line_ids or {}
    date_order = odoo_datetime(record["created_at"])
    partner = record.get("partner")
    if partner_id is None and isinstance(partner, dict) and "id" in partner:
        partner_id = partner["id"]
    lines = [
        [
            0,
            0,
            {
                "uuid": line["uuid"],
                "product_id": line["product_id"],
                "qty": decimal_of(line["qty"]),
                "price_unit": decimal_of(line["price_unit"]),
                "discount": decimal_of(line["discount"]),
                "tax_ids": [[6, 0, list(line.get("tax_ids") or [])]],
                "price_subtotal": decimal_of(line["price_subtotal"]),
                "price_subtotal_incl": decimal_of(line["price_subtotal_incl"]),
                "full_product_name": line.get("full_product_name") or "",
                **(
                    {"refunded_orderline_id": refunded[line["refunded_line_uuid"]]}
                    if line.get("refunded_line_uuid")
                    else {}
                ),
            },
        ]
        for line in record["lines"]
    ]
    payments = [
        [
            0,
            0,
            {
                "uuid": payment["uuid"],
                "payment_method_id": payment["method_id"],
                "amount": decimal_of(payment["amount"]),
                "payment_date": date_order,
            },
        ]
        for payment in record["payments"]
        if not payment.get("is_change")
    ]
    return {
        **cashier_to_odoo(record.get("cashier")),
        "uuid": record["uuid"],
        "name": record["name"],
        "pos_reference": record["name"],
        "session_id": session_id if session_id is not None else record.get("session") or False,
        "partner_id": partner_id or False,
        "pricelist_id": record.get("pricelist_id") or False,
        "fiscal_position_id": record.get("fiscal_position_id") or False,
        "sequence_number": record["seq"],
        "date_order": date_order,
        "state": "paid",
        "amount_total": decimal_of(record["amount_total"]),
        "amount_tax": decimal_of(record["amount_tax"]),
        "amount_paid": decimal_of(record["amount_paid"]),
        "amount_return": decimal_of(record["amount_return"]),
        "to_invoice": False,
        "lines": lines,
        "payment_ids": payments,
    }


def cashier_to_odoo(cashier: Any) -> dict[str, int]:
    """Who sold, as Odoo 18's sync_from_ui takes it: pos_hr's `employee_id` (Odoo then names the
    order's cashier after the employee), else `user_id`; nothing for an order without a cashier
    (an older till, a shop without cashiers), which Odoo books as the relay's own user."""
    if not isinstance(cashier, dict):
        return {}
    if cashier.get("employee_id"):
        return {"employee_id": int(cashier["employee_id"])}
    if cashier.get("user_id"):
        return {"user_id": int(cashier["user_id"])}
    return {}


def synced_order(answer: dict[str, Any], uuid: str) -> dict[str, Any] | None:
    """The pos.order entry with this uuid in sync_from_ui's answer, or None."""
    for row in answer.get("pos.order") or []:
        if isinstance(row, dict) and row.get("uuid") == uuid:
            return row
    return None


def order_line_ids(answer: dict[str, Any]) -> dict[int, dict[str, int]]:
    """Odoo's line ids by line uuid, per Odoo order id, from a sync_from_ui answer."""
    lines: dict[int, dict[str, int]] = {}
    for row in answer.get("pos.order.line") or []:
        order_id = m2o_id(row.get("order_id")) if isinstance(row, dict) else None
        if order_id is not None and isinstance(row.get("uuid"), str):
            lines.setdefault(order_id, {})[row["uuid"]] = int(row["id"])
    return lines


def partner_ref(uuid: str) -> str:
    """The res.partner.ref kasir sets on a customer it creates (its idempotency key in Odoo)."""
    return PARTNER_REF_PREFIX + uuid


def session_notes(record: dict[str, Any]) -> str:
    """The opening notes of a session kasir opens: the cashier's note, then kasir's key, by
    which a retried open finds the session its lost answer made."""
    note = (record.get("note") or "").strip()
    return f"{note}\n{partner_ref(record['uuid'])}" if note else partner_ref(record["uuid"])


def cash_move_to_odoo(record: dict[str, Any], session_id: int) -> list[Any]:
    """pos.session.try_cash_in_out's arguments, as Odoo's POS sends them, kasir's key at the
    end of the reason: Odoo keeps "<session>-<type>-<reason>" as the statement line's
    payment_ref, where a retried move looks for it. `extras` must carry translatedType (Odoo
    18 reads it unchecked)."""
    kind = record["type"]
    reason = f"{record['reason'].strip()} {partner_ref(record['uuid'])}"
    extras = {"translatedType": kind, "formattedAmount": record["amount"]}
    return [[session_id], kind, Decimal(record["amount"]), reason, extras]


def loyalty_points(record: dict[str, Any]) -> dict[int, Decimal]:
    """The points a sale moves on its customer's card, per program: earned less spent (Odoo's
    POS books the net, as one history line of "issued" or "used" points). Programs the sale
    moves no points in are left out."""
    net: dict[int, Decimal] = {}
    for entry in record.get("loyalty") or ():
        program = int(entry["program_id"])
        points = Decimal(entry.get("points_earned") or 0) - Decimal(entry.get("points_spent") or 0)
        net[program] = net.get(program, Decimal(0)) + points
    return {program: points for program, points in net.items() if points}


def loyalty_history_line(record: dict[str, Any], order_id: int, points: Decimal) -> dict[str, Any]:
    """The loyalty.history line a sale's points make on the card, as pos_loyalty's
    add_loyalty_history_lines makes it (the pos.order it came from; the net as issued or used),
    kasir's key ending the description: the line is how a booking is found again."""
    return {
        "description": f"Onsite {record['name']} {partner_ref(record['uuid'])}",
        "order_model": "pos.order",
        "order_id": order_id,
        "issued": points if points > 0 else Decimal(0),
        "used": -points if points < 0 else Decimal(0),
    }


def partner_country_codes(record: dict[str, Any]) -> list[str]:
    """The country codes a partner record needs resolved to res.country ids (0 or 1)."""
    code = (record.get("values") or {}).get("country_code")
    return [code.strip().upper()] if isinstance(code, str) and code.strip() else []


def partner_to_odoo(record: dict[str, Any], countries: dict[str, int]) -> dict[str, Any]:
    """A partner record's values as res.partner create/write values.

    Only the fields the terminal sent are written (an update leaves the others alone); empty or
    null clears a field (Odoo's false). `countries` maps ISO codes to res.country ids; a code it
    lacks raises KeyError. A create also carries kasir's ref (see PARTNER_REF_PREFIX)."""
    values = record.get("values") or {}
    odoo: dict[str, Any] = {}
    for name in PARTNER_TEXT:
        if name in values:
            value = values[name]
            odoo[name] = value.strip() if isinstance(value, str) and value.strip() else False
    if "country_code" in values:
        codes = partner_country_codes(record)
        odoo["country_id"] = countries[codes[0]] if codes else False
    if record.get("op") == "create":
        odoo["ref"] = partner_ref(record["uuid"])
    return odoo


# -- Odoo -> kasir: catalog ------------------------------------------------------------------


def category_ancestors(categories: list[dict[str, Any]]) -> dict[int, list[int]]:
    """product.category id -> [itself, parent, grandparent, ...] (the contract's category_ids)."""
    parents = {int(c["id"]): m2o_id(c.get("parent_id")) for c in categories}
    chains: dict[int, list[int]] = {}
    for category_id in parents:
        chain: list[int] = []
        current: int | None = category_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[category_id] = chain
    return chains


def removed_product(product_id: int) -> dict[str, Any]:
    """What terminals get for an archived, deleted or no-longer-sold product."""
    return {"id": product_id, "active": False}


def uom_decimals(uoms: list[dict[str, Any]]) -> dict[int, int]:
    """uom.uom id -> the decimals a quantity in it may have: 0 in the Unit category, else as
    its rounding says (0.001 -> 3), never more than the catalog's 3."""
    decimals = {}
    for row in uoms:
        rounding = row.get("rounding")
        if m2o_name(row.get("category_id")) == UNIT_CATEGORY:
            places = 0
        elif rounding:
            places = -Decimal(str(rounding)).normalize().as_tuple().exponent
        else:
            places = QTY_DECIMALS
        decimals[int(row["id"])] = min(max(int(places), 0), QTY_DECIMALS)
    return decimals


def image_version(write_date: Any) -> str:
    """A product image's version: its product's write_date ("2026-11-30 02:44:47" ->
    "20261130024447"), which Odoo moves with any change to the product or its template, the
    image included (Odoo's own POS puts it in its image URLs too)."""
    return re.sub(r"\D", "", text(write_date)) or "0"


def product_to_record(
    row: dict[str, Any],
    ancestors: dict[int, list[int]],
    decimals: dict[int, int] | None = None,
    *,
    has_image: bool = False,
) -> dict[str, Any]:
    """A product.product search_read row -> the contract's catalog record (`decimals`: what
    `uom_decimals` made of the units; a unit not in it is counted whole). `has_image`: Odoo has
    an image for it; the record then names its version (`image`), a product without one has no
    `image` key, which keeps a catalog of 100,000 products as small as it was."""
    if not row.get("active", True) or row.get("available_in_pos") is False:
        return removed_product(int(row["id"]))
    categ_id = m2o_id(row.get("categ_id"))
    pos_categ_ids = ids(row.get("pos_categ_ids"))
    image = {"image": image_version(row.get("write_date"))} if has_image else {}
    return {
        **image,
        "id": int(row["id"]),
        "template_id": m2o_id(row.get("product_tmpl_id")),
        "name": text(row.get("name") or row.get("display_name")),
        "barcode": optional_text(row.get("barcode")),
        "default_code": optional_text(row.get("default_code")),
        "list_price": money(row.get("lst_price")),
        "standard_price": money(row.get("standard_price")),
        "tax_ids": ids(row.get("taxes_id")),
        "categ_id": categ_id,
        "category_ids": ancestors.get(categ_id, [categ_id]) if categ_id else [],
        "pos_categ_id": pos_categ_ids[0] if pos_categ_ids else None,
        "uom": m2o_name(row.get("uom_id")) or "Units",
        "uom_decimals": (decimals or {}).get(m2o_id(row.get("uom_id")) or 0, 0),
        "active": True,
    }


def removed_partner(partner_id: int) -> dict[str, Any]:
    """What terminals get for an archived or deleted customer."""
    return {"id": partner_id, "active": False}


def partner_to_record(
    row: dict[str, Any],
    country_codes: dict[int, str],
    cards: list[dict[str, Any]] | None = None,
    program_ids: list[int] | None = None,
) -> dict[str, Any]:
    """A res.partner search_read row -> the partner record terminals hold (archived: removal).

    `pricelist_id` / `fiscal_position_id` only when this Odoo has the fields (absent, the till
    leaves a sale's terms alone). `loyalty` only when the relay reads cards (`cards` is the
    customer's, `program_ids` the register's programs): see loyalty_balances."""
    if not row.get("active", True):
        return removed_partner(int(row["id"]))
    country_id = m2o_id(row.get("country_id"))
    terms = {
        key: m2o_id(row.get(field))
        for key, field in (
            ("pricelist_id", "property_product_pricelist"),
            ("fiscal_position_id", "property_account_position_id"),
        )
        if field in row
    }
    loyalty = (
        {"loyalty": loyalty_balances(row, cards or [], program_ids)}
        if program_ids is not None
        else {}
    )
    return {
        "id": int(row["id"]),
        "name": text(row.get("name")),
        "email": text(row.get("email")),
        "phone": text(row.get("phone")),
        "street": text(row.get("street")),
        "city": text(row.get("city")),
        "zip": text(row.get("zip")),
        "country_code": country_codes.get(country_id, "") if country_id else "",
        "vat": text(row.get("vat")),
        "barcode": optional_text(row.get("barcode")),
        **terms,
        **loyalty,
        "active": True,
    }


def loyalty_balances(
    partner: dict[str, Any], cards: list[dict[str, Any]], program_ids: list[int]
) -> list[dict[str, Any]]:
    """A customer's points per program, as register/loyalty.py reads them.

    `as_of` is the card's write_date, not the time of the read: every change of points writes
    the card, so its write_date is the moment from which on nothing is in the figure yet (the
    till takes off what it spent since then); and it stays the same from one read to the next,
    so a customer comes again in the feed only when their points change. A customer with no card
    in a program has 0 points there, as Odoo's POS shows, as of the customer's own write_date
    (a card made since would be read with them). The card Odoo credits comes first: the
    lowest id (pos_loyalty's _check_existing_loyalty_cards takes the first)."""
    first: dict[int, dict[str, Any]] = {}
    for card in sorted(cards, key=lambda card: int(card["id"])):
        first.setdefault(m2o_id(card.get("program_id")) or 0, card)
    balances = []
    for program_id in program_ids:
        card = first.get(program_id)
        stamp = (card or partner).get("write_date")
        balances.append(
            {
                "program_id": program_id,
                "points": money((card or {}).get("points")),
                "as_of": iso_utc(stamp) if isinstance(stamp, str) else None,
            }
        )
    return balances


def iso_utc(odoo_stamp: str) -> str:
    """Odoo's "YYYY-MM-DD HH:MM:SS" (UTC) -> ISO-8601 with its zone, "2026-11-30T03:08:08Z"."""
    return odoo_stamp.strip().replace(" ", "T", 1) + "Z"


# -- Odoo -> kasir: bootstrap ----------------------------------------------------------------


def company_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "country_code": text(row.get("country_code")),
        "vat": text(row.get("vat")),
        **{key: text(row.get(key)) for key in COMPANY_ADDRESS_FIELDS},
    }


def currency_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "symbol": text(row.get("symbol")),
        "rounding": money(row.get("rounding")),
        "decimal_places": int(row.get("decimal_places") or 0),
        "position": text(row.get("position")) or "after",
    }


def config_record(
    config: dict[str, Any], company: dict[str, Any], session: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": config["id"],
        "name": text(config.get("name")),
        "session_id": session["id"] if session else None,
        "pricelist_id": m2o_id(config.get("pricelist_id")),
        "payment_method_ids": ids(config.get("payment_method_ids")),
        "tax_calculation_rounding_method": text(company.get("tax_calculation_rounding_method"))
        or "round_per_line",
        "cash_rounding": bool(config.get("cash_rounding")),
        "rounding_method_id": m2o_id(config.get("rounding_method")),
        "only_round_cash_method": bool(config.get("only_round_cash_method")),
        "receipt_header": text(config.get("receipt_header")),
        "receipt_footer": text(config.get("receipt_footer")),
        "fiscal_position_ids": ids(config.get("fiscal_position_ids")),
        "default_fiscal_position_id": m2o_id(config.get("default_fiscal_position_id")),
        "discount_product_id": m2o_id(config.get("discount_product_id"))
        if config.get("module_pos_discount", True)
        else None,
    }


def cashier_records(
    employees: list[dict[str, Any]],
    hashed: list[dict[str, Any]],
    manager_users: set[int],
    advanced_ids: list[int],
) -> list[dict[str, Any]]:
    """pos_hr's employees as a till logs them in (hr.employee._load_pos_data in Odoo 18):
    `pin` is the SHA-1 hex digest of the PIN as get_barcodes_and_pin_hashed gives it (None: no
    PIN, Odoo's POS asks none), never the PIN itself; `manager` when the employee is among the
    config's advanced employees or its user is in the config's POS manager group."""
    pins = {row.get("id"): row.get("pin") for row in hashed if isinstance(row, dict)}
    cashiers = []
    for row in employees:
        user_id = m2o_id(row.get("user_id"))
        pin = pins.get(row["id"])
        cashiers.append(
            {
                "employee_id": row["id"],
                "name": text(row.get("name")),
                "user_id": user_id,
                "pin": pin if isinstance(pin, str) and pin else None,
                "manager": row["id"] in advanced_ids or user_id in manager_users,
            }
        )
    return cashiers


def tax_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "amount_type": text(row.get("amount_type")),
        "amount": money(row.get("amount")),
        "price_include": bool(row.get("price_include")),
        "include_base_amount": bool(row.get("include_base_amount")),
        "is_base_affected": bool(row.get("is_base_affected")),
        "sequence": int(row.get("sequence") or 0),
        "children_tax_ids": ids(row.get("children_tax_ids")),
    }


def payment_method_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "is_cash_count": bool(row.get("is_cash_count")),
        "type": text(row.get("type")) or "bank",
    }


def category_record(row: dict[str, Any]) -> dict[str, Any]:
    """A category; a POS category also has its `color` (0: none) when this Odoo has the field."""
    record = {
        "id": row["id"],
        "name": text(row.get("name")),
        "parent_id": m2o_id(row.get("parent_id")),
    }
    if "color" in row:
        record["color"] = row["color"] if isinstance(row["color"], int) else 0
    return record


_ITEM_MONEY = (
    "min_quantity",
    "fixed_price",
    "percent_price",
    "price_discount",
    "price_round",
    "price_surcharge",
    "price_min_margin",
    "price_max_margin",
)
_ITEM_IDS = ("product_tmpl_id", "product_id", "categ_id", "base_pricelist_id")


def pricelist_item_record(row: dict[str, Any]) -> dict[str, Any]:
    """Odoo 18 pricelist item fields: many2one -> id or null, numbers -> decimal strings."""
    item: dict[str, Any] = {"id": row["id"]}
    for name in _ITEM_IDS:
        item[name] = m2o_id(row.get(name))
    for name in _ITEM_MONEY:
        item[name] = money(row.get(name))
    for name in ("applied_on", "base", "compute_price"):
        item[name] = optional_text(row.get(name))
    for name in ("date_start", "date_end"):
        item[name] = optional_text(row.get(name))
    return item


def pricelist_record(row: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    wanted = set(ids(row.get("item_ids")))
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "currency_id": m2o_id(row.get("currency_id")),
        "items": [
            pricelist_item_record(i)
            for i in items
            if i["id"] in wanted or m2o_id(i.get("pricelist_id")) == row["id"]
        ],
    }


def fiscal_position_record(row: dict[str, Any], mappings: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract's {"id", "name", "tax_map": {"<src tax id>": [dest tax ids]}}: Odoo's
    account.fiscal.position.tax rows of this position, a source without destination mapped to []
    (the tax is removed), several rows for one source adding up."""
    tax_map: dict[str, list[int]] = {}
    for m in mappings:
        src = m2o_id(m.get("tax_src_id"))
        if m2o_id(m.get("position_id")) != row["id"] or src is None:
            continue
        dests = tax_map.setdefault(str(src), [])
        dest = m2o_id(m.get("tax_dest_id"))
        if dest is not None and dest not in dests:
            dests.append(dest)
    return {"id": row["id"], "name": text(row.get("name")), "tax_map": tax_map}


def loyalty_program_record(
    program: dict[str, Any], rules: list[dict[str, Any]], rewards: list[dict[str, Any]]
) -> dict[str, Any]:
    """A loyalty.program as the register's loyalty.py reads it: rules by Odoo's point mode,
    discount rewards only (the register books no free-product or gift-card rewards)."""
    mine = program["id"]
    return {
        "id": mine,
        "name": text(program.get("name")),
        "date_from": optional_text(program.get("date_from")),
        "date_to": optional_text(program.get("date_to")),
        "rules": [
            {
                "mode": text(rule.get("reward_point_mode")) or "order",
                "points": money(rule.get("reward_point_amount")),
                "product_ids": ids(rule.get("product_ids")) or None,
                "minimum_amount": money(rule.get("minimum_amount")),
            }
            for rule in rules
            if m2o_id(rule.get("program_id")) == mine
        ],
        "rewards": [
            {
                "id": reward["id"],
                "name": text(reward.get("description")),
                "required_points": money(reward.get("required_points")),
                "discount_mode": text(reward.get("discount_mode")) or "per_order",
                "discount": money(reward.get("discount")),
                "discount_product_id": m2o_id(reward.get("discount_line_product_id")),
            }
            for reward in rewards
            if m2o_id(reward.get("program_id")) == mine
            and reward.get("reward_type", "discount") == "discount"
            and reward.get("active", True)
        ],
    }


def cash_rounding_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "rounding": money(row.get("rounding")),
        "rounding_method": text(row.get("rounding_method")) or "HALF-UP",
    }


def nomenclature_record(
    row: dict[str, Any] | None, rules: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The company's barcode nomenclature for the till (register/barcodes.py), rules in Odoo's
    order (sequence, id); None without one, and for a GS1 nomenclature, which the till does
    not read (plain barcodes only)."""
    if not row or row.get("is_gs1_nomenclature"):
        return None
    return {
        "id": row["id"],
        "name": text(row.get("name")),
        "upc_ean_conv": text(row.get("upc_ean_conv")) or "always",
        "rules": [
            {
                "name": text(rule.get("name")),
                "sequence": int(rule.get("sequence") or 0),
                "type": text(rule.get("type")),
                "encoding": text(rule.get("encoding")) or "any",
                "pattern": text(rule.get("pattern")),
                "alias": text(rule.get("alias")),
            }
            for rule in sorted(rules, key=lambda rule: (rule.get("sequence") or 0, rule["id"]))
        ],
    }


def bootstrap_document(
    *,
    company: dict[str, Any],
    currency: dict[str, Any],
    config: dict[str, Any],
    session: dict[str, Any] | None,
    taxes: list[dict[str, Any]],
    fiscal_positions: list[dict[str, Any]],
    fiscal_position_taxes: list[dict[str, Any]],
    pricelists: list[dict[str, Any]],
    pricelist_items: list[dict[str, Any]],
    payment_methods: list[dict[str, Any]],
    cash_roundings: list[dict[str, Any]],
    pos_categories: list[dict[str, Any]],
    product_categories: list[dict[str, Any]],
    catalog_version: int | str,
    loyalty: dict[str, list[dict[str, Any]]] | None = None,
    lang: str = "",
    tz: str = "UTC",
    nomenclature: dict[str, Any] | None = None,
    barcode_rules: list[dict[str, Any]] | None = None,
    cashiers: list[dict[str, Any]] | None = None,
    manager_pin: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The contract's bootstrap from the rows the mirror read; `lang` is the shop's language
    as Odoo names it ("id_ID"), which a till speaks unless its cashier chose another; `tz` the
    shop's time zone (IANA, "Asia/Jakarta"), which its receipts show times in; `cashiers` who
    log in to the till (`cashier_records`; none: the till asks no one), `manager_pin` the relay's
    {"manager_pin_for", "discount_limit"}: what those who are not managers need a manager for."""
    return {
        "lang": lang,
        "tz": tz,
        "company": company_record(company),
        "currency": currency_record(currency),
        "config": {**config_record(config, company, session), **(manager_pin or {})},
        "cashiers": cashiers or [],
        "taxes": [tax_record(t) for t in taxes],
        "fiscal_positions": [
            fiscal_position_record(fp, fiscal_position_taxes) for fp in fiscal_positions
        ],
        "pricelists": [pricelist_record(p, pricelist_items) for p in pricelists],
        "payment_methods": [payment_method_record(m) for m in payment_methods],
        "cash_roundings": [cash_rounding_record(r) for r in cash_roundings],
        "categories": [category_record(c) for c in pos_categories],
        "product_categories": [category_record(c) for c in product_categories],
        "loyalty_programs": [
            loyalty_program_record(p, loyalty["rules"], loyalty["rewards"])
            for p in loyalty["programs"]
        ]
        if loyalty
        else [],
        "barcode_nomenclature": nomenclature_record(nomenclature, barcode_rules or []),
        "catalog_version": str(catalog_version),
    }
