"""Customers a terminal creates or changes, and what choosing one does to a sale.

A customer made at the till travels as a partner record (DESIGN.md "Records that leave a
terminal"): `values` holds the fields below as text. The relay refuses a record whose name is
missing, whose e-mail or phone does not look like one, or whose text is too long
(server/records.py); the till checks the same here first, one field at a time, so the cashier is
told which field to fix before anything is queued.

Choosing a customer sells with their pricelist and fiscal position, as Odoo's POS does
(`updatePricelistAndFiscalPosition`): the customer's pricelist when this till offers it, else the
till's; the customer's fiscal position, else the till's default. A partner record that says
nothing about either (`pricelist_id` / `fiscal_position_id` absent) leaves the sale as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import RegisterError
from .odoo_values import many2one_id
from .shop import Shop

__all__ = ["FIELDS", "MAX_TEXT", "changed_values", "check_value", "terms_for"]

# The customer fields a terminal may set, as the relay's PARTNER_VALUES lists them.
FIELDS = ("name", "email", "phone", "street", "city", "zip", "country_code", "vat", "barcode")
MAX_TEXT = 128  # the relay's MAX_PARTNER_TEXT
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
PHONE = re.compile(r"[0-9+()./\- ]{3,}")
COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


def check_value(name: str, value: Any) -> str:
    """One field as typed -> the text the record carries (trimmed; "" clears it); RegisterError
    with what is wrong, for the till to show beside that field."""
    if name not in FIELDS:
        raise ValueError(f"not a customer field: {name!r}")
    text = str(value if value is not None else "").strip()
    if name == "name" and not text:
        raise RegisterError("A customer needs a name.")
    if len(text) > MAX_TEXT:
        raise RegisterError("At most {limit} characters.", limit=str(MAX_TEXT))
    if not text:
        return text
    if name == "email" and not EMAIL.fullmatch(text):
        raise RegisterError("“{value}” is not an e-mail address.", value=text)
    if name == "phone" and not PHONE.fullmatch(text):
        raise RegisterError("A phone number holds digits, spaces and + ( ) . / - only.")
    if name == "country_code":
        if not COUNTRY_CODE.fullmatch(text):
            raise RegisterError("A country code is 2 letters, such as ID.")
        return text.upper()
    return text


def changed_values(old: Mapping[str, Any], new: Mapping[str, str]) -> dict[str, str]:
    """The fields of `new` that differ from the stored customer `old`: an update carries only
    what the cashier changed, so it never overwrites what someone else changed in Odoo."""
    return {
        name: value
        for name, value in new.items()
        if name in FIELDS and value != str(old.get(name) or "").strip()
    }


def terms_for(
    shop: Shop, partner: Mapping[str, Any] | None
) -> tuple[int | None, int | None] | None:
    """(pricelist id, fiscal position id) a sale to `partner` is made with, as Odoo's POS sets
    them; None when the record says nothing about either (the sale keeps its own).

    No customer (None) gives the till's defaults, as when Odoo's POS drops the customer."""
    if (
        partner is not None
        and "pricelist_id" not in partner
        and "fiscal_position_id" not in partner
    ):
        return None
    pricelist_id = many2one_id((partner or {}).get("pricelist_id"))
    if pricelist_id not in shop.pricelists:
        pricelist_id = shop.pricelist_id
    position_id = many2one_id((partner or {}).get("fiscal_position_id"))
    if position_id not in shop.fiscal_positions:
        position_id = shop.fiscal_position_id
    return pricelist_id, position_id
