"""The relay's check of an incoming order: recompute it from its lines and say what differs.

The terminal and the relay run the same register code, so an order whose totals do not come out
of its own lines was tampered with or made by a till with another configuration; posting it
would book figures Odoo and the till disagree on. Prices are taken as given (a manual price or an
old pricelist is legitimate), taxes by id from the relay's bootstrap, the line discount, the
shop's rounding method and cash rounding; then line subtotals, amount_tax, amount_total,
rounding_applied and the payments' arithmetic are compared. Messages are written for a cashier.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .cart import Line, compute_lines, line_amounts, order_document
from .cash_rounding import rounded_total
from .catalog import Catalog
from .money import to_decimal
from .shop import Shop

__all__ = ["check_order"]

ZERO = Decimal(0)


def _amount(value: Any) -> Decimal | None:
    try:
        return to_decimal(value)
    except (TypeError, ValueError):
        return None


def check_order(record: Mapping[str, Any], shop: Shop, catalog: Catalog | None = None) -> list[str]:
    """Every problem with the order's amounts, or [] when they are what the register computes.

    `catalog` only names products in the messages (a product archived since the sale is fine).
    """
    money = shop.currency.format
    problems: list[str] = []
    order_name = record.get("name") or record.get("uuid") or "The order"
    if record.get("currency") not in (None, shop.currency.name):
        return [
            f"{order_name} is in {record.get('currency')}, the shop sells in {shop.currency.name}."
        ]

    lines: list[Line] = []
    labels: list[str] = []
    for index, raw in enumerate(record.get("lines") or ()):
        name = raw.get("full_product_name") or ""
        if not name and catalog is not None:
            product = catalog.get(raw.get("product_id"))
            name = product.name if product is not None else ""
        label = f"Line {index + 1}" + (f" ({name})" if name else "")
        values = {k: _amount(raw.get(k)) for k in ("qty", "price_unit", "discount")}
        bad = [k for k, v in values.items() if v is None]
        if bad:
            problems.append(f"{label}: {', '.join(bad)} is not a number.")
            continue
        if values["qty"] == 0:
            problems.append(f"{label}: the quantity is 0.")
        if not ZERO <= values["discount"] <= 100:
            problems.append(f"{label}: a discount of {values['discount']} % is not possible.")
        unknown = [t for t in raw.get("tax_ids") or () if t not in shop.taxes]
        if unknown:
            ids = ", ".join(str(t) for t in unknown)
            problems.append(f"{label}: tax {ids} is not known to this shop.")
        lines.append(
            Line(
                uuid=raw.get("uuid") or "",
                product_id=int(raw.get("product_id") or 0),
                name=name,
                qty=values["qty"],
                price_unit=values["price_unit"],
                discount=values["discount"],
                tax_ids=tuple(int(t) for t in raw.get("tax_ids") or ()),
            )
        )
        labels.append(label)
    if problems:
        return problems

    currency = shop.currency
    results = compute_lines(shop, lines)
    raws = list(record.get("lines") or ())
    for label, raw, result in zip(labels, raws, results, strict=True):
        subtotal, subtotal_incl = line_amounts(shop, result)
        given = _amount(raw.get("price_subtotal"))
        if given != subtotal:
            problems.append(
                f"{label}: the amount without tax is {_shown(money, given)}, "
                f"but its price, quantity and taxes give {money(subtotal)}."
            )
        given = _amount(raw.get("price_subtotal_incl"))
        if given != subtotal_incl:
            problems.append(
                f"{label}: the amount with tax is {_shown(money, given)}, "
                f"but its price, quantity and taxes give {money(subtotal_incl)}."
            )
    # The order's tax and total are the document's (round_globally rounds per tax over the
    # whole order), not the sums of the lines' own amounts.
    _, document = order_document(shop, lines, results)
    total, tax = document.total_amount, document.tax_amount
    _compare(problems, "The total", record.get("amount_total"), total, money)
    _compare(problems, "The tax", record.get("amount_tax"), tax, money)

    payments = list(record.get("payments") or ())
    tendered = cash = ZERO
    for payment in payments:
        amount = _amount(payment.get("amount"))
        method = shop.payment_method(payment.get("method_id"))
        if amount is None:
            problems.append("A payment amount is not a number.")
            continue
        if method is None:
            problems.append(f"Payment method {payment.get('method_id')} is not known to this shop.")
            continue
        tendered += amount
        if method.is_cash:
            cash += amount
    paid_in_cash = any(
        (m := shop.payment_method(p.get("method_id"))) is not None and m.is_cash for p in payments
    )
    to_pay = rounded_total(
        total,
        shop.cash_rounding,
        only_cash=shop.only_round_cash_method,
        paid_in_cash=paid_in_cash,
        precision_rounding=currency.rounding,
    )
    _compare(problems, "The cash rounding", record.get("rounding_applied"), to_pay - total, money)

    paid = _amount(record.get("amount_paid"))
    change = _amount(record.get("amount_return"))
    if paid is None or change is None:
        problems.append("The amount paid or the change is not a number.")
        return problems
    if change < 0:
        problems.append(f"The change {money(change)} is negative.")
    if to_pay < 0 and change:
        problems.append("A refund gives no change, but the order has some.")
    if change > 0 and change > cash:
        problems.append(
            f"Change of {money(change)} is more than the cash tendered ({money(cash)}); "
            "only cash gives change."
        )
    if currency.round(tendered - change) != paid:
        problems.append(
            f"The payments come to {money(tendered)} with {money(change)} change, "
            f"so {money(tendered - change)} was paid, not {money(paid)}."
        )
    if paid != to_pay:
        problems.append(f"The order costs {money(to_pay)} but {money(paid)} was paid.")
    return problems


def _shown(money: Any, value: Decimal | None) -> str:
    return "missing" if value is None else money(value)


def _compare(problems: list[str], what: str, given: Any, expected: Decimal, money: Any) -> None:
    value = _amount(given)
    if value != expected:
        problems.append(f"{what} is {_shown(money, value)}, but the lines give {money(expected)}.")
