"""What a receipt adds up from an order record: the taxes per rate, as Odoo books them.

A receipt is printed (and reprinted from Recent sales) from the record as it was sold, not from a
cart: the lines' prices, quantities, discounts and taxes are the record's. Each line's taxes are
computed again with the register's engine and the order's document step (`order_document`), so
under round_globally too the amounts per tax are those Odoo books, and they add up to the
record's amount_tax to the cent. A line with two taxes gives each its own row, on the base Odoo
computes it on (a tax that affects the base of the next shifts that base, as in Odoo).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .cart import Line, compute_lines, order_document
from .money import CONTEXT
from .shop import Shop

__all__ = ["TaxSum", "tax_summary"]


@dataclass(frozen=True)
class TaxSum:
    """One tax of an order: the base it was computed on and its amount, over every line."""

    tax_id: int
    base: Decimal
    amount: Decimal


def tax_summary(shop: Shop, record: Mapping[str, Any]) -> list[TaxSum]:
    """Per tax the order's lines used (in the order the taxes first appear): base and amount.

    The amounts sum to what the shop's configuration books for these lines; a caller that holds
    the record's amount_tax compares the two (taxes changed since the sale cannot be
    recomputed, and the record's figure is then the only true one).
    """
    lines = [Line.from_dict(raw) for raw in record.get("lines") or ()]
    document, _ = order_document(shop, lines, compute_lines(shop, lines))
    sums: dict[int, tuple[Decimal, Decimal]] = {}
    for result in document:
        for tax in result.taxes:
            base, amount = sums.get(tax.tax_id, (Decimal(0), Decimal(0)))
            sums[tax.tax_id] = (CONTEXT.add(base, tax.base), CONTEXT.add(amount, tax.amount))
    currency = shop.currency
    return [
        TaxSum(tax_id, currency.round(base), currency.round(amount))
        for tax_id, (base, amount) in sums.items()
    ]
