"""The open sale: lines, payments, totals, and the order record it becomes once paid.

A cart is plain data plus rules; it never does I/O. The till keeps it as a draft through
`to_dict`/`from_dict` so a reload restores it, and hands `order_record` to storage when paid.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .catalog import Catalog, Product
from .errors import (
    EmptyCart,
    InvalidAmount,
    InvalidQuantity,
    NotPaid,
    RegisterError,
    UnknownLine,
    UnknownProduct,
)
from .money import money_str, to_decimal
from .shop import Shop
from .taxes import compute_taxes

__all__ = ["Cart", "Line", "LineTotals", "Payment", "Totals"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
QTY_QUANTUM = Decimal("0.001")
DRAFT_VERSION = 1


def _new_uuid() -> str:
    return str(uuidlib.uuid4())


def _quantity(value: Any) -> Decimal:
    """A positive quantity with at most 3 decimals, in its shortest form ("2.500" -> 2.5)."""
    try:
        qty = to_decimal(value)
    except ValueError:
        raise InvalidQuantity(f"Quantity {value!r} is not a number.") from None
    if qty <= 0:
        raise InvalidQuantity(f"Quantity must be more than 0 (got {money_str(qty)}).")
    if qty != qty.quantize(QTY_QUANTUM):
        raise InvalidQuantity(f"Quantity {money_str(qty)} has more than 3 decimals.")
    # normalize() may give an exponent (10 -> 1E+1); rebuilding from fixed text avoids it.
    return Decimal(format(qty.normalize(), "f"))


@dataclass
class Line:
    """One product line of the cart."""

    uuid: str
    product_id: int
    name: str
    qty: Decimal
    price_unit: Decimal
    discount: Decimal = ZERO  # percent
    tax_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "product_id": self.product_id,
            "name": self.name,
            "qty": money_str(self.qty),
            "price_unit": money_str(self.price_unit),
            "discount": money_str(self.discount),
            "tax_ids": list(self.tax_ids),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Line:
        return cls(
            uuid=d["uuid"],
            product_id=int(d["product_id"]),
            name=d.get("name") or "",
            qty=to_decimal(d["qty"]),
            price_unit=to_decimal(d["price_unit"]),
            discount=to_decimal(d.get("discount", "0")),
            tax_ids=tuple(int(t) for t in d.get("tax_ids") or ()),
        )


@dataclass
class Payment:
    """Money tendered with one payment method (the change is not a payment line)."""

    uuid: str
    method_id: int
    amount: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "method_id": self.method_id, "amount": money_str(self.amount)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Payment:
        return cls(uuid=d["uuid"], method_id=int(d["method_id"]), amount=to_decimal(d["amount"]))


@dataclass(frozen=True)
class LineTotals:
    """A line's amounts in the currency, without and with tax."""

    uuid: str
    price_subtotal: Decimal
    price_subtotal_incl: Decimal


@dataclass(frozen=True)
class Totals:
    """The cart's amounts; amount_total is what the customer pays."""

    lines: list[LineTotals]
    amount_untaxed: Decimal
    amount_tax: Decimal
    amount_total: Decimal


class Cart:
    """A sale in progress on one terminal."""

    def __init__(self, shop: Shop, uuid: str | None = None) -> None:
        self.shop = shop
        self.uuid = uuid or _new_uuid()
        self.lines: list[Line] = []
        self.payments: list[Payment] = []

    def __repr__(self) -> str:
        return f"<Cart {self.uuid} lines={len(self.lines)} payments={len(self.payments)}>"

    # -- lines -------------------------------------------------------------------------------

    def add(self, product: Product, qty: Any = 1) -> Line:
        """Add `qty` of a product, onto its existing plain line when there is one."""
        quantity = _quantity(qty)
        for line in self.lines:
            if (
                line.product_id == product.id
                and line.discount == 0
                and line.price_unit == product.list_price
            ):
                line.qty = _quantity(line.qty + quantity)
                return line
        line = Line(
            uuid=_new_uuid(),
            product_id=product.id,
            name=product.name,
            qty=quantity,
            price_unit=product.list_price,
            discount=ZERO,
            tax_ids=tuple(product.tax_ids),
        )
        self.lines.append(line)
        return line

    def scan(self, catalog: Catalog, code: str) -> Line:
        """Add one of the product with this barcode (or, failing that, internal reference)."""
        code = (code or "").strip()
        product = (catalog.by_barcode(code) or catalog.by_code(code)) if code else None
        if product is None:
            raise UnknownProduct(f"No product with barcode or code {code!r}.")
        return self.add(product)

    def line(self, line_uuid: str) -> Line:
        """The line with this uuid; UnknownLine if it is not in the cart."""
        for line in self.lines:
            if line.uuid == line_uuid:
                return line
        raise UnknownLine(f"No line {line_uuid} in this sale.")

    def set_qty(self, line_uuid: str, qty: Any) -> Line:
        """Change a line's quantity (> 0, at most 3 decimals; remove the line to drop it)."""
        line = self.line(line_uuid)
        line.qty = _quantity(qty)
        return line

    def remove(self, line_uuid: str) -> None:
        """Take a line out of the cart."""
        self.lines.remove(self.line(line_uuid))

    def is_empty(self) -> bool:
        return not self.lines

    # -- totals ------------------------------------------------------------------------------

    def line_totals(self, line: Line) -> LineTotals:
        """One line through the shop's taxes, rounded to the currency."""
        currency = self.shop.currency
        price = line.price_unit
        if line.discount:
            price = price * (1 - line.discount / HUNDRED)
        result = compute_taxes(
            self.shop.taxes_by_ids(line.tax_ids),
            price,
            line.qty,
            precision_rounding=currency.rounding,
            rounding_method=self.shop.rounding_method,
        )
        return LineTotals(
            line.uuid, currency.round(result.total_excluded), currency.round(result.total_included)
        )

    def totals(self) -> Totals:
        """All line totals and their sums (tax = total - untaxed, as Odoo for round_per_line)."""
        lines = [self.line_totals(line) for line in self.lines]
        currency = self.shop.currency
        untaxed = currency.round(sum((t.price_subtotal for t in lines), ZERO))
        total = currency.round(sum((t.price_subtotal_incl for t in lines), ZERO))
        return Totals(lines, untaxed, currency.round(total - untaxed), total)

    # -- payments ----------------------------------------------------------------------------

    def add_payment(self, method_id: int, amount: Any) -> Payment:
        """Record money tendered; the amount is rounded to the currency and must be > 0."""
        if self.shop.payment_method(method_id) is None:
            raise RegisterError(f"Payment method {method_id} is not available on this till.")
        try:
            value = self.shop.currency.round(to_decimal(amount))
        except ValueError:
            raise InvalidAmount(f"Amount {amount!r} is not a number.") from None
        if value <= 0:
            raise InvalidAmount(f"Amount must be more than 0 (got {amount!r}).")
        payment = Payment(uuid=_new_uuid(), method_id=method_id, amount=value)
        self.payments.append(payment)
        return payment

    def remove_payment(self, payment_uuid: str) -> None:
        """Take a tendered amount back out."""
        for payment in self.payments:
            if payment.uuid == payment_uuid:
                self.payments.remove(payment)
                return
        raise UnknownLine(f"No payment {payment_uuid} in this sale.")

    @property
    def amount_tendered(self) -> Decimal:
        return self.shop.currency.round(sum((p.amount for p in self.payments), ZERO))

    @property
    def cash_tendered(self) -> Decimal:
        """The part of the tendered money that is cash (the only money that can give change)."""
        cash = ZERO
        for payment in self.payments:
            method = self.shop.payment_method(payment.method_id)
            if method is not None and method.is_cash:
                cash += payment.amount
        return self.shop.currency.round(cash)

    @property
    def amount_due(self) -> Decimal:
        """What the customer still owes (never negative)."""
        return max(self.totals().amount_total - self.amount_tendered, ZERO)

    @property
    def change(self) -> Decimal:
        """Overpayment to hand back (never negative); only valid if cash covers it."""
        return max(self.amount_tendered - self.totals().amount_total, ZERO)

    def _unpaid_reason(self) -> str | None:
        total = self.totals().amount_total
        tendered = self.amount_tendered
        currency = self.shop.currency
        if tendered < total:
            return f"{currency.format(total - tendered)} is still due."
        change = tendered - total
        if change > self.cash_tendered:
            return (
                f"Overpaid by {currency.format(change)}, but change can only be given from cash "
                f"({currency.format(self.cash_tendered)} tendered in cash). "
                "Lower the card or other non-cash payment."
            )
        return None

    def is_paid(self) -> bool:
        """True when the lines are covered and any change comes out of cash."""
        return not self.is_empty() and self._unpaid_reason() is None

    # -- drafts and orders -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe draft (decimals as strings) so an open sale survives a reload."""
        return {
            "version": DRAFT_VERSION,
            "uuid": self.uuid,
            "lines": [line.to_dict() for line in self.lines],
            "payments": [payment.to_dict() for payment in self.payments],
        }

    @classmethod
    def from_dict(cls, shop: Shop, d: dict[str, Any]) -> Cart:
        """Restore a draft written by to_dict."""
        cart = cls(shop, uuid=d["uuid"])
        cart.lines = [Line.from_dict(x) for x in d.get("lines") or ()]
        cart.payments = [Payment.from_dict(x) for x in d.get("payments") or ()]
        return cart

    def order_record(
        self, *, terminal: str, session: int, seq: int, created_at: datetime, catalog_version: str
    ) -> dict[str, Any]:
        """The order record of the shared contract; EmptyCart / NotPaid when not ready."""
        if self.is_empty():
            raise EmptyCart("Add at least one product before finishing the sale.")
        reason = self._unpaid_reason()
        if reason is not None:
            raise NotPaid(f"The sale is not paid: {reason}")
        if created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware (the record is in UTC)")
        totals = self.totals()
        change = self.change
        lines = []
        for line, line_totals in zip(self.lines, totals.lines, strict=True):
            lines.append(
                {
                    "uuid": line.uuid,
                    "product_id": line.product_id,
                    "full_product_name": line.name,
                    "qty": money_str(line.qty),
                    "price_unit": money_str(line.price_unit),
                    "discount": money_str(line.discount),
                    "tax_ids": list(line.tax_ids),
                    "price_subtotal": money_str(line_totals.price_subtotal),
                    "price_subtotal_incl": money_str(line_totals.price_subtotal_incl),
                }
            )
        return {
            "uuid": self.uuid,
            "kind": "order",
            "terminal": terminal,
            "session": session,
            "seq": seq,
            "name": f"{terminal}-{seq:06d}",
            "created_at": created_at.astimezone(UTC).isoformat(),
            "currency": self.shop.currency.name,
            "pricelist_id": self.shop.pricelist_id,
            "fiscal_position_id": None,
            "partner": None,
            "lines": lines,
            "payments": [payment.to_dict() for payment in self.payments],
            "amount_total": money_str(totals.amount_total),
            "amount_tax": money_str(totals.amount_tax),
            "amount_paid": money_str(self.amount_tendered - change),
            "amount_return": money_str(change),
            "rounding_applied": money_str(ZERO),
            "catalog_version": str(catalog_version),
        }
