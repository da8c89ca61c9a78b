"""The open sale: lines, payments, totals, and the order record it becomes once paid.

A cart is plain data plus rules; it never does I/O. The till keeps it as a draft through
`to_dict`/`from_dict` so a reload restores it, and hands `order_record` to storage when paid.

Prices follow Odoo's POS: a product line costs what the cart's pricelist says for its quantity
(re-priced when the quantity, the pricelist or the fiscal position changes), unless the cashier
set the price by hand. Under a fiscal position the line carries the mapped taxes and the adapted
price (price_unit in the record is the price the mapped taxes apply to, so Odoo recomputes the
same totals from it). Unit prices are kept at the shop's "Product Price" precision (0.01).

Generated lines (kind "discount" for the order-wide discount of Odoo's pos_discount, "reward"
for a loyalty reward) are rebuilt after every change: one line per distinct tax set, on the
discount product, price = -share x the base of the lines with that tax set (the price without
tax, plus the included taxes when the set has any), as pos_discount's `apply_discount`.

Refund lines (`refund_of`) have negative quantities, point at the line they give back
(`refunded_line_uuid`) and keep its price, discount and taxes. A refund is paid back with
negative payment lines and gives no change.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .cash_rounding import rounded_total
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
from .fiscal_positions import FiscalPosition
from .loyalty import AppliedReward, LoyaltyProgram, LoyaltyReward, PointsBalance
from .money import CONTEXT, float_round, money_str, to_decimal
from .pricelists import Pricelist
from .shop import Shop
from .taxes import (
    DocumentTotals,
    TaxResult,
    compute_taxes,
    document_totals,
    flatten_taxes,
    round_document,
)

__all__ = [
    "Cart",
    "Line",
    "LineTotals",
    "OrderDiscount",
    "Payment",
    "Totals",
    "compute_lines",
    "line_amounts",
    "net_price",
    "order_document",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
QTY_DECIMALS = 3  # the most a record carries (Odoo's "Product Unit of Measure" precision)
DRAFT_VERSION = 1
PRODUCT, DISCOUNT, REWARD = "product", "discount", "reward"
# The nomenclature's rule types a scan sells by (an alias ends in one of them). Odoo's POS also
# reads discount, customer and cashier codes; a till of kasir does not take those from a scan.
LABELS = ("product", "weight", "price")
KINDS = (PRODUCT, DISCOUNT, REWARD)


def _new_uuid() -> str:
    return str(uuidlib.uuid4())


def _quantity(value: Any, product: Product | None = None) -> Decimal:
    """A positive quantity in its shortest form ("2.500" -> 2.5), with no more decimals than the
    product's unit allows (whole numbers for units; at most 3, the record's precision)."""
    try:
        qty = to_decimal(value)
    except ValueError:
        raise InvalidQuantity("Quantity {value} is not a number.", value=repr(value)) from None
    if qty <= 0:
        raise InvalidQuantity("Quantity must be more than 0 (got {qty}).", qty=money_str(qty))
    decimals = QTY_DECIMALS if product is None else min(product.uom_decimals, QTY_DECIMALS)
    step = Decimal(1).scaleb(-decimals)
    if qty != qty.quantize(step):
        if product is None:
            raise InvalidQuantity("Quantity {qty} has more than 3 decimals.", qty=money_str(qty))
        if decimals == 0:
            raise InvalidQuantity(
                "{name} is sold by the unit: type a whole number.", name=product.name
            )
        raise InvalidQuantity(
            "{name} is sold by {uom}, in steps of {step}.",
            name=product.name,
            uom=product.uom,
            step=str(step),
        )
    return _short(qty)


def _short(value: Decimal) -> Decimal:
    """The same number without trailing zeros and without exponent ("3500.00" -> 3500)."""
    # normalize() may give an exponent (10 -> 1E+1); rebuilding from fixed text avoids it.
    return Decimal(format(value.normalize(), "f"))


def _percent(value: Any, order_wide: bool = False) -> Decimal:
    """A discount in percent, 0-100; the messages name a line's or the order's discount."""
    try:
        percent = to_decimal(value)
    except ValueError:
        if order_wide:
            raise InvalidAmount(
                "An order discount {value} is not a number.", value=repr(value)
            ) from None
        raise InvalidAmount("A discount {value} is not a number.", value=repr(value)) from None
    if percent < 0 or percent > HUNDRED:
        shown = money_str(percent)
        if order_wide:
            raise InvalidAmount(
                "An order discount must be between 0 and 100 % (got {percent}).", percent=shown
            )
        raise InvalidAmount(
            "A discount must be between 0 and 100 % (got {percent}).", percent=shown
        )
    return _short(percent)


def net_price(price_unit: Decimal, discount: Decimal) -> Decimal:
    """The unit price after the line discount (Odoo: price_unit x (1 - discount / 100))."""
    if not discount:
        return price_unit
    share = CONTEXT.subtract(1, CONTEXT.divide(discount, HUNDRED))
    return CONTEXT.multiply(price_unit, share)


def compute_lines(
    shop: Shop, lines: Iterable[Any], *, cache: dict[str, TaxResult] | None = None
) -> list[TaxResult]:
    """Each line's own tax result (anything with tax_ids, price_unit, discount, qty).

    Odoo's POS computes every line alone with the shop's rounding method: under round_per_line
    the results are rounded, under round_globally they are not, and the line shows and sends
    its own totals rounded (`line_amounts`). The document step that makes the order's tax add
    up is `order_document`. The cart and the relay's `check_order` both use these.

    `cache` (a dict kept by the caller for one shop) remembers each line's own result by what
    it depends on, so a scan on a 50-line cart computes one line, not 50. The key holds the
    exact text of the numbers, so a cached result is the very result the line would get.
    """
    rounding = shop.currency.rounding
    method = shop.rounding_method
    results = []
    used: dict[str, TaxResult] = {}
    for line in lines:
        key = None
        if cache is not None:
            # A string, not a tuple: strings are not tracked by the cyclic GC, and a scan that
            # allocates few tracked objects triggers few collections.
            key = f"{tuple(line.tax_ids)}|{line.price_unit}|{line.discount}|{line.qty}"
            result = cache.get(key)
            if result is not None:
                used[key] = result
                results.append(result)
                continue
        result = compute_taxes(
            shop.taxes_by_ids(line.tax_ids),
            net_price(line.price_unit, line.discount),
            line.qty,
            precision_rounding=rounding,
            rounding_method=method,
        )
        if cache is not None:
            used[key] = result
        results.append(result)
    if cache is not None:
        # Keep only what these lines use: the cache does not grow scan after scan, so the
        # cyclic GC (which costs milliseconds on a big heap in Pyodide) has nothing to chase.
        cache.clear()
        cache.update(used)
    return results


def line_amounts(shop: Shop, result: TaxResult) -> tuple[Decimal, Decimal]:
    """A line's price_subtotal and price_subtotal_incl: its own totals, rounded.

    Odoo 18's POS (`PosOrderline.get_all_prices`) computes each line alone, so these never carry
    the order's rounding difference: 4,000 with PPN 11 % included is 4,000.00 on every line.
    """
    currency = shop.currency
    return currency.round(result.total_excluded), currency.round(result.total_included)


def order_document(
    shop: Shop, lines: Sequence[Any], results: Sequence[TaxResult]
) -> tuple[list[TaxResult], DocumentTotals]:
    """The order's per-line tax detail and its totals, as Odoo 18 books them.

    `results` are the lines' own results (`compute_lines`). Under round_globally the document
    step runs as pos.order's `_compute_prices` runs it on the server, which sets the booked
    amount_tax and amount_total: a line is a refund line when qty x price_unit < 0, and an
    order whose total is negative is computed with its quantities negated. Under
    round_per_line everything is already rounded and the totals are plain sums.
    """
    if shop.rounding_method == "round_globally":
        is_refund = [CONTEXT.multiply(line.qty, line.price_unit) < 0 for line in lines]
        document = round_document(
            results, shop.currency.rounding, is_refund=is_refund, refund_order=None
        )
    else:
        document = list(results)
    totals = document_totals(document)
    currency = shop.currency
    return document, DocumentTotals(
        currency.round(totals.base_amount),
        currency.round(totals.tax_amount),
        currency.round(totals.total_amount),
    )


@dataclass
class Line:
    """One line of the cart: a product, a refund of a sold line, or a generated discount."""

    uuid: str
    product_id: int
    name: str
    qty: Decimal
    price_unit: Decimal
    discount: Decimal = ZERO  # percent
    tax_ids: tuple[int, ...] = ()
    price_manually_set: bool = False
    price_reason: str = ""
    price_by: str = ""
    discount_reason: str = ""
    discount_by: str = ""
    refunded_line_uuid: str | None = None
    refund_limit: Decimal | None = None  # most this refund line may give back
    kind: str = PRODUCT
    reward_id: int | None = None
    approved_by: dict[str, Any] | None = None  # the manager who let its price or discount be

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "uuid": self.uuid,
            "product_id": self.product_id,
            "name": self.name,
            "qty": money_str(self.qty),
            "price_unit": money_str(self.price_unit),
            "discount": money_str(self.discount),
            "tax_ids": list(self.tax_ids),
        }
        d.update(self.extras())
        if self.refund_limit is not None:
            d["refund_limit"] = money_str(self.refund_limit)
        if self.kind != PRODUCT:
            d["kind"] = self.kind
        if self.reward_id is not None:
            d["reward_id"] = self.reward_id
        return d

    def extras(self) -> dict[str, Any]:
        """Keys beyond the contract's line, only when they say something (who/why, refunds)."""
        d: dict[str, Any] = {}
        if self.price_manually_set:
            d["price_manually_set"] = True
            d["price_reason"] = self.price_reason
            d["price_by"] = self.price_by
        if self.discount and (self.discount_reason or self.discount_by):
            d["discount_reason"] = self.discount_reason
            d["discount_by"] = self.discount_by
        if self.refunded_line_uuid is not None:
            d["refunded_line_uuid"] = self.refunded_line_uuid
        if self.approved_by:
            d["approved_by"] = self.approved_by
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Line:
        limit = d.get("refund_limit")
        return cls(
            uuid=d["uuid"],
            product_id=int(d["product_id"]),
            name=d.get("name") or d.get("full_product_name") or "",
            qty=to_decimal(d["qty"]),
            price_unit=to_decimal(d["price_unit"]),
            discount=to_decimal(d.get("discount", "0")),
            tax_ids=tuple(int(t) for t in d.get("tax_ids") or ()),
            price_manually_set=bool(d.get("price_manually_set", False)),
            price_reason=d.get("price_reason") or "",
            price_by=d.get("price_by") or "",
            discount_reason=d.get("discount_reason") or "",
            discount_by=d.get("discount_by") or "",
            refunded_line_uuid=d.get("refunded_line_uuid"),
            refund_limit=to_decimal(limit) if limit is not None else None,
            kind=d.get("kind") or PRODUCT,
            reward_id=d.get("reward_id"),
            approved_by=d.get("approved_by") or None,
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


@dataclass
class OrderDiscount:
    """The order-wide discount the cashier gave: a percentage, why, and who."""

    percent: Decimal
    reason: str = ""
    by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"percent": money_str(self.percent), "reason": self.reason, "by": self.by}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OrderDiscount:
        return cls(to_decimal(d["percent"]), d.get("reason") or "", d.get("by") or "")


@dataclass(frozen=True)
class LineTotals:
    """A line's amounts in the currency, without and with tax."""

    uuid: str
    price_subtotal: Decimal
    price_subtotal_incl: Decimal


@dataclass(frozen=True)
class Totals:
    """The cart's amounts; amount_total is what the order costs (before cash rounding).

    Under round_globally amount_untaxed and amount_total may differ by a cent from the sum of
    the lines' own amounts, as in Odoo; amount_total is always amount_untaxed + amount_tax.
    """

    lines: list[LineTotals]
    amount_untaxed: Decimal
    amount_tax: Decimal
    amount_total: Decimal


class Cart:
    """A sale (or a refund, or both) in progress on one terminal."""

    def __init__(
        self, shop: Shop, uuid: str | None = None, *, catalog: Catalog | None = None
    ) -> None:
        self.shop = shop
        self.uuid = uuid or _new_uuid()
        self.catalog = catalog
        self.lines: list[Line] = []
        self.payments: list[Payment] = []
        self.partner: dict[str, Any] | None = None
        self.order_discount: OrderDiscount | None = None
        self.rewards: list[AppliedReward] = []
        # The manager who let the whole sale be (an order discount over the limit, a refund).
        self.approved_by: dict[str, Any] | None = None
        self.pricing_time: datetime | None = None  # None: now (pricelist dates)
        self._pricelist_id = shop.pricelist_id
        self._fiscal_position_id = shop.fiscal_position_id
        self._products: dict[str, Product] = {}  # line uuid -> the product it was priced from
        # Per-line tax results and their rounded totals, for the shop they were computed with.
        self._line_cache: dict[str, TaxResult] = {}
        self._rounded: dict[str, tuple[TaxResult, LineTotals]] = {}  # line uuid ->
        self._cache_shop: Shop | None = None

    def __repr__(self) -> str:
        return f"<Cart {self.uuid} lines={len(self.lines)} payments={len(self.payments)}>"

    # -- pricelist and fiscal position -------------------------------------------------------

    @property
    def pricelist(self) -> Pricelist | None:
        """The pricelist the product lines are priced with (default: the till's)."""
        if self._pricelist_id is None:
            return None
        return self.shop.pricelists.get(self._pricelist_id)

    @pricelist.setter
    def pricelist(self, value: Pricelist | int | None) -> None:
        self.set_pricelist(value)

    def set_pricelist(self, value: Pricelist | int | None) -> None:
        """Sell with another pricelist; lines without a manual price are priced again."""
        pricelist_id = value.id if isinstance(value, Pricelist) else value
        if pricelist_id is not None and pricelist_id not in self.shop.pricelists:
            raise RegisterError(
                "Pricelist {id} is not available on this till.", id=str(pricelist_id)
            )
        self._pricelist_id = pricelist_id
        self._reprice_all()

    @property
    def fiscal_position(self) -> FiscalPosition | None:
        """The fiscal position mapping the lines' taxes (default: the till's), or None."""
        if self._fiscal_position_id is None:
            return None
        return self.shop.fiscal_positions.get(self._fiscal_position_id)

    @fiscal_position.setter
    def fiscal_position(self, value: FiscalPosition | int | None) -> None:
        self.set_fiscal_position(value)

    def set_fiscal_position(self, value: FiscalPosition | int | None) -> None:
        """Apply another fiscal position: taxes mapped again, prices adapted (unless manual)."""
        position_id = value.id if isinstance(value, FiscalPosition) else value
        if position_id is not None and position_id not in self.shop.fiscal_positions:
            raise RegisterError(
                "Fiscal position {id} is not available on this till.", id=str(position_id)
            )
        self._fiscal_position_id = position_id
        self._reprice_all()

    def _product_of(self, line: Line) -> Product | None:
        product = self._products.get(line.uuid)
        if product is None and self.catalog is not None:
            product = self.catalog.get(line.product_id)
        return product

    def _price_value(self, price: Decimal) -> Decimal:
        return _short(float_round(price, self.shop.price_rounding))

    def _tax_ids_for(self, product: Product) -> tuple[int, ...]:
        position = self.fiscal_position
        ids = tuple(product.tax_ids)
        return position.map_tax_ids(ids) if position is not None else ids

    def auto_price(self, product: Product, qty: Any = 1) -> Decimal:
        """What `qty` of `product` costs per unit here: pricelist, then fiscal position."""
        qty = abs(to_decimal(qty))
        pricelist = self.pricelist
        if pricelist is not None:
            price = pricelist.price_for(product, qty, self.pricing_time)
        else:
            price = product.list_price
        position = self.fiscal_position
        if position is not None:
            try:
                price, _ = position.apply(price, self.shop.taxes_for(product), self.shop.taxes)
            except ValueError as exc:
                raise RegisterError(str(exc)) from None
        return self._price_value(price)

    def _reprice(self, line: Line) -> None:
        if line.kind != PRODUCT or line.refunded_line_uuid is not None:
            return
        product = self._product_of(line)
        if product is None:
            return  # a restored draft without its catalog: keep what it had
        line.tax_ids = self._tax_ids_for(product)
        if not line.price_manually_set:
            line.price_unit = self.auto_price(product, line.qty)

    def _reprice_all(self) -> None:
        for line in self.lines:
            self._reprice(line)
        self._refresh()

    # -- lines -------------------------------------------------------------------------------

    def add(self, product: Product, qty: Any = 1) -> Line:
        """Add `qty` of a product, onto its existing plain line when there is one."""
        quantity = _quantity(qty, product)
        for line in self.lines:
            if (
                line.kind == PRODUCT
                and line.product_id == product.id
                and line.refunded_line_uuid is None
                and not line.discount
                and not line.price_manually_set
                and self._same_product(line, product)
            ):
                line.qty = _quantity(line.qty + quantity, product)
                self._reprice(line)
                self._refresh()
                return line
        return self._new_line(product, quantity)

    def _new_line(self, product: Product, qty: Decimal, price: Decimal | None = None) -> Line:
        """A line of its own; `price` fixes its unit price (a price label), as set by hand."""
        line = Line(
            uuid=_new_uuid(),
            product_id=product.id,
            name=product.name,
            qty=qty,
            price_unit=self.auto_price(product, qty) if price is None else self._price_value(price),
            discount=ZERO,
            tax_ids=self._tax_ids_for(product),
            price_manually_set=price is not None,
        )
        self._products[line.uuid] = product
        self.lines.append(line)
        self._refresh()
        return line

    def _same_product(self, line: Line, product: Product) -> bool:
        known = self._products.get(line.uuid)
        if known is not None:
            return known == product
        return line.price_unit == self.auto_price(product, line.qty)

    def scan(self, catalog: Catalog, code: str) -> Line:
        """Add one of the product with this barcode (or, failing that, internal reference).

        A code no product has is read with the shop's barcode nomenclature, as Odoo's POS reads
        it: a weight label (2100003012340: 1.234 kg) adds the product of its base code
        (2100003000002) at that weight, rounded to the product's unit, on a line of its own as
        Odoo's POS keeps weighed goods; a price label adds one at that price, which pricelists
        then leave alone (Odoo's manual price). A product's own barcode always wins, so a code
        that happens to fit a rule (the lot rule "10", the discount rule "22") still sells it.
        """
        code = (code or "").strip()
        product = (catalog.by_barcode(code) or catalog.by_code(code)) if code else None
        if product is not None:
            return self.add(product)
        nomenclature = self.shop.nomenclature
        label = nomenclature.parse(code) if code and nomenclature is not None else None
        if label is not None and label.type in LABELS:
            product = catalog.by_barcode(label.base_code)
            if product is not None and label.type == "weight":
                weight = float_round(label.value, Decimal(1).scaleb(-product.uom_decimals))
                return self._new_line(product, _quantity(weight, product))
            if product is not None and label.type == "price":
                return self._new_line(product, Decimal(1), label.value)
            if product is not None:
                return self.add(product)
        raise UnknownProduct("No product with barcode or code {code}.", code=repr(code))

    def line(self, line_uuid: str) -> Line:
        """The line with this uuid; UnknownLine if it is not in the cart."""
        for line in self.lines:
            if line.uuid == line_uuid:
                return line
        raise UnknownLine("No line {uuid} in this sale.", uuid=str(line_uuid))

    def _product_line(self, line_uuid: str, action: str) -> Line:
        line = self.line(line_uuid)
        if line.kind != PRODUCT:
            raise RegisterError(
                "The {name} line follows the discount; change the discount, not the line.",
                name=line.name,
            )
        if line.refunded_line_uuid is not None and action != "qty":
            raise RegisterError("A refund line keeps the price and discount of the sale.")
        return line

    def set_qty(self, line_uuid: str, qty: Any) -> Line:
        """Change a line's quantity (> 0, at most 3 decimals; remove the line to drop it).

        On a refund line the quantity is how many come back (given positive or negative), at
        most what is left to refund.
        """
        line = self._product_line(line_uuid, "qty")
        if line.refunded_line_uuid is not None:
            try:
                back = _quantity(abs(to_decimal(qty)), self._product_of(line))
            except ValueError:
                raise InvalidQuantity(
                    "Quantity {value} is not a number.", value=repr(qty)
                ) from None
            if line.refund_limit is not None and back > line.refund_limit:
                raise InvalidQuantity(
                    "Only {qty} of {name} can still be refunded.",
                    qty=money_str(line.refund_limit),
                    name=line.name,
                )
            line.qty = -back
        else:
            line.qty = _quantity(qty, self._product_of(line))
            self._reprice(line)
        self._refresh()
        return line

    def remove(self, line_uuid: str) -> None:
        """Take a line out of the cart (a discount line takes its discount or reward along)."""
        line = self.line(line_uuid)
        if line.kind == DISCOUNT:
            self.order_discount = None
        elif line.kind == REWARD:
            self.rewards = [r for r in self.rewards if r.reward_id != line.reward_id]
        self.lines.remove(line)
        self._products.pop(line.uuid, None)
        self._refresh()

    def is_empty(self) -> bool:
        return not self.lines

    def set_discount(
        self,
        line_uuid: str,
        percent: Any,
        *,
        reason: str = "",
        by: str = "",
        approved_by: dict[str, Any] | None = None,
    ) -> Line:
        """Give a line a discount in percent (0-100), saying why, who gave it and the manager
        who approved it (when one had to)."""
        line = self._product_line(line_uuid, "discount")
        line.discount = _percent(percent)
        line.discount_reason, line.discount_by = (reason, by) if line.discount else ("", "")
        line.approved_by = approved_by or line.approved_by
        self._refresh()
        return line

    def set_price(
        self,
        line_uuid: str,
        price: Any,
        *,
        reason: str = "",
        by: str = "",
        approved_by: dict[str, Any] | None = None,
    ) -> Line:
        """Override a line's unit price by hand; pricelists no longer touch it."""
        line = self._product_line(line_uuid, "price")
        try:
            value = to_decimal(price)
        except ValueError:
            raise InvalidAmount("Price {value} is not a number.", value=repr(price)) from None
        if value < 0:
            raise InvalidAmount("A price cannot be negative; use a refund.")
        line.price_unit = self._price_value(value)
        line.price_manually_set = True
        line.price_reason, line.price_by = reason, by
        line.approved_by = approved_by or line.approved_by
        self._refresh()
        return line

    def reset_price(self, line_uuid: str) -> Line:
        """Back to the pricelist's price after a manual override."""
        line = self._product_line(line_uuid, "price")
        line.price_manually_set = False
        line.price_reason = line.price_by = ""
        self._reprice(line)
        self._refresh()
        return line

    # -- order-wide discount and rewards ---------------------------------------------------

    def set_order_discount(self, percent: Any, *, reason: str = "", by: str = "") -> None:
        """An order-wide discount in percent, as Odoo's pos_discount gives it (0 removes it)."""
        if self.shop.discount_product_id is None:
            raise RegisterError(
                "This till has no discount product, so it cannot give an order-wide discount. "
                "Set one in Odoo (Point of Sale settings, Global Discounts) and reload the till."
            )
        value = _percent(percent, order_wide=True)
        self.order_discount = OrderDiscount(value, reason, by) if value else None
        self._refresh()

    def clear_order_discount(self) -> None:
        self.order_discount = None
        self._refresh()

    def _program(self, program_id: int) -> LoyaltyProgram:
        for program in self.shop.loyalty_programs:
            if program.id == program_id:
                return program
        raise RegisterError(
            "Loyalty program {id} is not available on this till.", id=str(program_id)
        )

    def points_spent(self, program_id: int) -> Decimal:
        """Points the rewards in this cart take from the customer's balance."""
        return sum((r.points for r in self.rewards if r.program_id == program_id), ZERO)

    def apply_reward(
        self,
        program_id: int,
        reward_id: int,
        balance: PointsBalance | Any,
        *,
        points: Any = None,
        by: str = "",
    ) -> AppliedReward:
        """Spend points on a reward; refused beyond `balance` (a PointsBalance or a number)."""
        if not self.partner:
            raise RegisterError("Choose the customer first: points belong to a customer.")
        program = self._program(program_id)
        try:
            reward = program.reward(reward_id)
        except KeyError:
            raise RegisterError(
                "Reward {id} is not part of {program}.", id=str(reward_id), program=program.name
            ) from None
        self._discount_product(reward)
        cost = reward.cost(points)
        if cost <= 0 or cost < reward.required_points:
            raise RegisterError(
                "{reward} needs at least {points} points.",
                reward=reward.name,
                points=money_str(reward.required_points),
            )
        available = balance.points if isinstance(balance, PointsBalance) else to_decimal(balance)
        wanted = self.points_spent(program_id) + cost
        if wanted > available:
            shown = balance.text() if isinstance(balance, PointsBalance) else money_str(available)
            values = {"reward": reward.name, "cost": money_str(cost), "balance": shown}
            if wanted == cost:
                raise RegisterError(
                    "Not enough points for {reward}: it needs {cost}, the customer has {balance}.",
                    **values,
                )
            raise RegisterError(
                "Not enough points for {reward}: it needs {cost}, the customer has {balance} "
                "and {used} are already used in this sale.",
                used=money_str(wanted - cost),
                **values,
            )
        applied = AppliedReward(program_id, reward_id, _short(cost), by)
        self.rewards.append(applied)
        self._refresh()
        return applied

    def remove_reward(self, reward_id: int) -> None:
        self.rewards = [r for r in self.rewards if r.reward_id != reward_id]
        self._refresh()

    def _discount_product(self, reward: LoyaltyReward | None = None) -> tuple[int, str]:
        product_id = reward.discount_product_id if reward is not None else None
        if product_id is None:
            product_id = self.shop.discount_product_id
        if product_id is None:
            raise RegisterError(
                "This till has no discount product for rewards; set one in Odoo and reload."
            )
        product = self.catalog.get(product_id) if self.catalog is not None else None
        if product is not None:
            return product_id, product.name
        if reward is not None and reward.name:
            return product_id, reward.name
        return product_id, "Discount"

    def _bases(self, lines: list[Line]) -> dict[tuple[int, ...], Decimal]:
        """Per distinct tax set, the amount a discount applies to (pos_discount's base)."""
        currency = self.shop.currency
        bases: dict[tuple[int, ...], Decimal] = {}
        results = compute_lines(self.shop, lines, cache=self._tax_cache())
        for line, result in zip(lines, results, strict=True):
            key = tuple(sorted(set(line.tax_ids)))
            taxes = self.shop.taxes_by_ids(key)
            included = {t.id for t in flatten_taxes(taxes) if t.price_include}
            # Odoo's calculate_base_amount: the line's own total with tax, less its own
            # rounded price-excluded taxes (each line alone, no document step).
            base = currency.round(result.total_included)
            for tax_line in result.taxes:
                if tax_line.tax_id not in included:
                    base -= currency.round(tax_line.amount)
            bases[key] = bases.get(key, ZERO) + base
        return bases

    def _discount_lines(
        self,
        kind: str,
        bases: dict[tuple[int, ...], Decimal],
        share: Decimal,
        product: tuple[int, str],
        old: dict[tuple[Any, ...], str],
        reward_id: int | None = None,
        why: tuple[str, str] = ("", ""),
    ) -> list[Line]:
        lines = []
        for key, base in bases.items():
            price = -self._price_value(CONTEXT.multiply(base, share))
            if price >= 0:
                continue  # nothing to discount on this tax set (as pos_discount: discount < 0)
            lines.append(
                Line(
                    uuid=old.get((kind, reward_id, key)) or _new_uuid(),
                    product_id=product[0],
                    name=product[1],
                    qty=Decimal(1),
                    price_unit=price,
                    tax_ids=key,
                    price_manually_set=True,
                    price_reason=why[0],
                    price_by=why[1],
                    kind=kind,
                    reward_id=reward_id,
                )
            )
        return lines

    def _refresh(self) -> None:
        """Rebuild the generated discount and reward lines from the product lines."""
        generated = [line for line in self.lines if line.kind != PRODUCT]
        if not generated and self.order_discount is None and not self.rewards:
            return
        old = {(x.kind, x.reward_id, x.tax_ids): x.uuid for x in generated}
        products = [line for line in self.lines if line.kind == PRODUCT]
        lines = list(products)
        if self.order_discount is not None and products:
            share = CONTEXT.divide(self.order_discount.percent, HUNDRED)
            bases = self._bases(products)
            why = (self.order_discount.reason, self.order_discount.by)
            product = self._discount_product()
            lines += self._discount_lines(DISCOUNT, bases, share, product, old, None, why)
        for applied in self.rewards:
            if len(lines) == 0:
                break
            reward = self._program(applied.program_id).reward(applied.reward_id)
            bases = self._bases(lines)
            total = sum(bases.values(), ZERO)
            if total <= 0:
                continue
            if reward.discount_mode == "percent":
                share = CONTEXT.divide(reward.discount, HUNDRED)
            else:
                amount = reward.discount
                if reward.discount_mode == "per_point":
                    amount = CONTEXT.multiply(reward.discount, applied.points)
                share = min(Decimal(1), CONTEXT.divide(amount, total))
            product = self._discount_product(reward)
            why = (reward.name, applied.by)
            lines += self._discount_lines(REWARD, bases, share, product, old, reward.id, why)
        self.lines = lines

    # -- totals ------------------------------------------------------------------------------

    def line_totals(self, line: Line) -> LineTotals:
        """One line through the shop's taxes, rounded to the currency (no document step)."""
        currency = self.shop.currency
        result = compute_taxes(
            self.shop.taxes_by_ids(line.tax_ids),
            net_price(line.price_unit, line.discount),
            line.qty,
            precision_rounding=currency.rounding,
            rounding_method=self.shop.rounding_method,
        )
        return LineTotals(
            line.uuid, currency.round(result.total_excluded), currency.round(result.total_included)
        )

    def totals(self) -> Totals:
        """Each line's own totals (as sent) and the order's untaxed, tax and total amounts.

        The order's amounts are Odoo's `_get_tax_totals_summary` over the document step
        (`order_document`), which pos.order books as amount_tax / amount_total.
        """
        results = compute_lines(self.shop, self.lines, cache=self._tax_cache())
        rounded, kept = self._rounded, {}
        lines = []
        for line, r in zip(self.lines, results, strict=True):
            # Cached results come back as the same objects: round each one once, and give
            # back the same (frozen) LineTotals, so an unchanged line allocates nothing.
            known = rounded.get(line.uuid)
            if known is None or known[0] is not r:
                known = (r, LineTotals(line.uuid, *line_amounts(self.shop, r)))
            kept[line.uuid] = known
            lines.append(known[1])
        self._rounded = kept  # only the current lines: no growth
        # The order's amounts come from the document step, not from the lines' own totals:
        # under round_globally they may differ by a cent, and Odoo books the document's.
        _, document = order_document(self.shop, self.lines, results)
        return Totals(lines, document.base_amount, document.tax_amount, document.total_amount)

    def _tax_cache(self) -> dict[str, TaxResult]:
        """The per-line cache of `compute_lines`, emptied when the cart's shop is replaced."""
        if self._cache_shop is not self.shop:
            self._line_cache.clear()
            self._rounded.clear()
            self._cache_shop = self.shop
        return self._line_cache

    # -- payments ----------------------------------------------------------------------------

    def _is_cash(self, method_id: int) -> bool:
        method = self.shop.payment_method(method_id)
        return method is not None and method.is_cash

    def _to_pay(self, total: Decimal, paid_in_cash: bool) -> Decimal:
        return rounded_total(
            total,
            self.shop.cash_rounding,
            only_cash=self.shop.only_round_cash_method,
            paid_in_cash=paid_in_cash,
            precision_rounding=self.shop.currency.rounding,
        )

    @property
    def paid_in_cash(self) -> bool:
        return any(self._is_cash(p.method_id) for p in self.payments)

    @property
    def amount_to_pay(self) -> Decimal:
        """The total after cash rounding (when it applies): what the payments must come to."""
        return self._to_pay(self.totals().amount_total, self.paid_in_cash)

    @property
    def rounding_applied(self) -> Decimal:
        """Cash rounding: amount_to_pay - amount_total (shown on the receipt, in the record)."""
        total = self.totals().amount_total
        return self._to_pay(total, self.paid_in_cash) - total

    def is_refund(self) -> bool:
        """True when the customer gets money back (the lines come to less than zero)."""
        return self.totals().amount_total < 0

    def add_payment(self, method_id: int, amount: Any) -> Payment:
        """Record money tendered, rounded to the currency.

        On a sale the amount must be > 0. On a refund the money goes back: the amount is stored
        negative whichever sign was typed.
        """
        if self.shop.payment_method(method_id) is None:
            raise RegisterError(
                "Payment method {id} is not available on this till.", id=str(method_id)
            )
        try:
            value = self.shop.currency.round(to_decimal(amount))
        except (ValueError, TypeError):
            raise InvalidAmount("Amount {value} is not a number.", value=repr(amount)) from None
        if self.is_refund():
            value = -abs(value)
            if value == 0:
                raise InvalidAmount("The amount paid back must be more than 0.")
        elif value <= 0:
            raise InvalidAmount("Amount must be more than 0 (got {value}).", value=repr(amount))
        payment = Payment(uuid=_new_uuid(), method_id=method_id, amount=value)
        self.payments.append(payment)
        return payment

    def remove_payment(self, payment_uuid: str) -> None:
        """Take a tendered amount back out."""
        for payment in self.payments:
            if payment.uuid == payment_uuid:
                self.payments.remove(payment)
                return
        raise UnknownLine("No payment {uuid} in this sale.", uuid=str(payment_uuid))

    @property
    def amount_tendered(self) -> Decimal:
        return self.shop.currency.round(sum((p.amount for p in self.payments), ZERO))

    @property
    def cash_tendered(self) -> Decimal:
        """The part of the tendered money that is cash (the only money that can give change)."""
        cash = sum((p.amount for p in self.payments if self._is_cash(p.method_id)), ZERO)
        return self.shop.currency.round(cash)

    @property
    def amount_remaining(self) -> Decimal:
        """Signed: still to pay (> 0), or still to pay back on a refund (< 0)."""
        return self.amount_to_pay - self.amount_tendered

    @property
    def amount_due(self) -> Decimal:
        """What the customer still owes (never negative)."""
        return max(self.amount_remaining, ZERO)

    def amount_due_for(self, method_id: int) -> Decimal:
        """What is left to pay (signed) if the rest is paid with this method: cash rounds."""
        paid_in_cash = self.paid_in_cash or self._is_cash(method_id)
        return self._to_pay(self.totals().amount_total, paid_in_cash) - self.amount_tendered

    @property
    def change(self) -> Decimal:
        """Overpayment to hand back (never negative; none on a refund)."""
        to_pay = self.amount_to_pay
        if to_pay < 0:
            return ZERO
        return max(self.amount_tendered - to_pay, ZERO)

    def _unpaid(self) -> NotPaid | None:
        """Why the payments do not settle the sale (the error to raise), or None."""
        to_pay = self.amount_to_pay
        tendered = self.amount_tendered
        money = self.shop.currency.format
        if to_pay < 0:
            if tendered > to_pay:
                return NotPaid(
                    "The sale is not paid: {amount} is still to be paid back.",
                    amount=money(tendered - to_pay),
                )
            if tendered < to_pay:
                return NotPaid(
                    "The sale is not paid: Paying back {amount} more than the refund.",
                    amount=money(to_pay - tendered),
                )
            return None
        if tendered < to_pay:
            return NotPaid(
                "The sale is not paid: {amount} is still due.", amount=money(to_pay - tendered)
            )
        change = tendered - to_pay
        if change > self.cash_tendered:
            return NotPaid(
                "The sale is not paid: Overpaid by {change}, but change can only be given from "
                "cash ({cash} tendered in cash). Lower the card or other non-cash payment.",
                change=money(change),
                cash=money(self.cash_tendered),
            )
        return None

    def is_paid(self) -> bool:
        """True when the lines are covered and any change comes out of cash."""
        return not self.is_empty() and self._unpaid() is None

    # -- refunds -----------------------------------------------------------------------------

    def refund_of(
        self,
        order: Mapping[str, Any],
        lines_qty: Mapping[str, Any],
        refunded_so_far: Mapping[str, Any] | None = None,
    ) -> list[Line]:
        """Add refund lines for `lines_qty` (original line uuid -> quantity back) of `order`.

        `refunded_so_far` (a refunds.RefundLedger or {line uuid: qty}) says what earlier
        refunds already gave back; refund lines already in this cart count too. A quantity
        beyond what is left is refused. The cart takes the order's customer, pricelist and
        fiscal position when it has no other lines yet.
        """
        if (order.get("currency") or self.shop.currency.name) != self.shop.currency.name:
            raise RegisterError(
                "This sale was made in another currency; it cannot be refunded here."
            )
        originals = {line["uuid"]: line for line in order.get("lines") or ()}
        if not self.lines:
            self.partner = order.get("partner")
            self._pricelist_id = order.get("pricelist_id")
            self._fiscal_position_id = order.get("fiscal_position_id")
        in_cart: dict[str, Decimal] = {}
        for line in self.lines:
            if line.refunded_line_uuid is not None:
                in_cart[line.refunded_line_uuid] = (
                    in_cart.get(line.refunded_line_uuid, ZERO) - line.qty
                )
        added: list[Line] = []
        for line_uuid, qty in lines_qty.items():
            original = originals.get(line_uuid)
            if original is None:
                raise UnknownLine(
                    "Order {order} has no line {uuid}.",
                    order=str(order.get("name")),
                    uuid=str(line_uuid),
                )
            name = original.get("full_product_name") or original.get("name") or ""
            catalog = self.catalog
            product = catalog.get(int(original["product_id"])) if catalog is not None else None
            back = _quantity(abs(to_decimal(qty)), product)
            sold = to_decimal(original["qty"])
            if sold <= 0:
                raise InvalidQuantity(
                    "{name} is itself a refund; it cannot be refunded.", name=name
                )
            before = to_decimal(refunded_so_far.get(line_uuid, 0)) if refunded_so_far else ZERO
            before += in_cart.get(line_uuid, ZERO)
            left = sold - before
            if back > left:
                raise InvalidQuantity(
                    "Only {qty} of {name} can still be refunded "
                    "({sold} sold, {before} already refunded).",
                    qty=money_str(max(left, ZERO)),
                    name=name,
                    sold=money_str(sold),
                    before=money_str(before),
                )
            line = Line(
                uuid=_new_uuid(),
                product_id=int(original["product_id"]),
                name=name,
                qty=-back,
                price_unit=to_decimal(original["price_unit"]),
                discount=to_decimal(original.get("discount") or "0"),
                tax_ids=tuple(int(t) for t in original.get("tax_ids") or ()),
                refunded_line_uuid=line_uuid,
                refund_limit=left,
            )
            self.lines.append(line)
            in_cart[line_uuid] = in_cart.get(line_uuid, ZERO) + back
            added.append(line)
        self._refresh()
        return added

    # -- loyalty -----------------------------------------------------------------------------

    def loyalty_entries(self, totals: Totals | None = None) -> list[dict[str, Any]]:
        """Points earned and spent per program, for the record (only with a customer)."""
        if not self.partner or not self.shop.loyalty_programs:
            return []
        totals = totals or self.totals()
        incl = {t.uuid: t.price_subtotal_incl for t in totals.lines}
        earning = [
            (line.product_id, line.qty, incl[line.uuid])
            for line in self.lines
            if line.kind != REWARD
        ]
        entries = []
        for program in self.shop.loyalty_programs:
            earned = program.points_earned(earning, totals.amount_total)
            spent = self.points_spent(program.id)
            if not earned and not spent:
                continue
            entry: dict[str, Any] = {
                "program_id": program.id,
                "points_earned": money_str(_short(earned)),
                "points_spent": money_str(_short(spent)),
            }
            rewards = [r.reward_id for r in self.rewards if r.program_id == program.id]
            if rewards:
                entry["reward_ids"] = rewards
            entries.append(entry)
        return entries

    # -- drafts and orders -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe draft (decimals as strings) so an open sale survives a reload."""
        d: dict[str, Any] = {
            "version": DRAFT_VERSION,
            "uuid": self.uuid,
            "lines": [line.to_dict() for line in self.lines],
            "payments": [payment.to_dict() for payment in self.payments],
        }
        if self._pricelist_id != self.shop.pricelist_id:
            d["pricelist_id"] = self._pricelist_id
        if self._fiscal_position_id != self.shop.fiscal_position_id:
            d["fiscal_position_id"] = self._fiscal_position_id
        if self.partner:
            d["partner"] = self.partner
        if self.order_discount is not None:
            d["order_discount"] = self.order_discount.to_dict()
        if self.rewards:
            d["rewards"] = [r.to_dict() for r in self.rewards]
        if self.approved_by:
            d["approved_by"] = self.approved_by
        return d

    @classmethod
    def from_dict(cls, shop: Shop, d: dict[str, Any], *, catalog: Catalog | None = None) -> Cart:
        """Restore a draft written by to_dict (with `catalog`, lines can be priced again)."""
        cart = cls(shop, uuid=d["uuid"], catalog=catalog)
        cart.lines = [Line.from_dict(x) for x in d.get("lines") or ()]
        cart.payments = [Payment.from_dict(x) for x in d.get("payments") or ()]
        cart._pricelist_id = d.get("pricelist_id", shop.pricelist_id)
        cart._fiscal_position_id = d.get("fiscal_position_id", shop.fiscal_position_id)
        cart.partner = d.get("partner")
        if d.get("order_discount"):
            cart.order_discount = OrderDiscount.from_dict(d["order_discount"])
        cart.rewards = [AppliedReward.from_dict(r) for r in d.get("rewards") or ()]
        cart.approved_by = d.get("approved_by") or None
        return cart

    def order_record(
        self,
        *,
        terminal: str,
        session: int | None,
        seq: int,
        created_at: datetime,
        catalog_version: str,
        cashier: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The order record of the shared contract; EmptyCart / NotPaid when not ready.
        `cashier` is who sold ({"employee_id" or "user_id", "name"}; None when the shop has no
        cashiers), and the manager who approved what needed one is kept as `approved_by`.
        `session` is what the till knows (None while Odoo has no open session): the sale is
        made all the same, and the relay books it into the session open when it forwards it."""
        if self.is_empty():
            raise EmptyCart("Add at least one product before finishing the sale.")
        unpaid = self._unpaid()
        if unpaid is not None:
            raise unpaid
        if created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware (the record is in UTC)")
        totals = self.totals()
        to_pay = self._to_pay(totals.amount_total, self.paid_in_cash)
        change = self.change
        lines = []
        for line, line_totals in zip(self.lines, totals.lines, strict=True):
            entry = {
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
            entry.update(line.extras())
            if line.kind == DISCOUNT:
                entry["is_order_discount"] = True
            elif line.kind == REWARD:
                entry["is_reward_line"] = True
                entry["reward_id"] = line.reward_id
            lines.append(entry)
        record: dict[str, Any] = {
            "uuid": self.uuid,
            "kind": "order",
            "terminal": terminal,
            "session": session,
            "seq": seq,
            "name": f"{terminal}-{seq:06d}",
            "created_at": created_at.astimezone(UTC).isoformat(),
            "currency": self.shop.currency.name,
            "pricelist_id": self._pricelist_id,
            "fiscal_position_id": self._fiscal_position_id,
            "partner": self.partner or None,
            "lines": lines,
            "payments": [payment.to_dict() for payment in self.payments],
            "amount_total": money_str(totals.amount_total),
            "amount_tax": money_str(totals.amount_tax),
            "amount_paid": money_str(self.amount_tendered - change),
            "amount_return": money_str(change),
            "rounding_applied": money_str(to_pay - totals.amount_total),
            "catalog_version": str(catalog_version),
        }
        if self.order_discount is not None:
            record["order_discount"] = self.order_discount.to_dict()
        if cashier:
            record["cashier"] = cashier
        if self.approved_by:
            record["approved_by"] = self.approved_by
        loyalty = self.loyalty_entries(totals)
        if loyalty:
            record["loyalty"] = loyalty
        return record
