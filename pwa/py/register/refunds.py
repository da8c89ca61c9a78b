"""What is left to refund, from the terminal's own order history.

A terminal may refund a sale it made offline and has not even sent yet, so the relay cannot be
asked. The ledger reads the order records the terminal keeps (sales and earlier refunds, sent or
not) and knows, per sold line, how much was sold and how much refund lines already gave back
(`refunded_line_uuid`). `Cart.refund_of(order, {line_uuid: qty}, ledger)` refuses more than that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .money import to_decimal

__all__ = ["RefundLedger"]

ZERO = Decimal(0)


class RefundLedger:
    """Sold and refunded quantities per order line, from order records (each counted once)."""

    def __init__(self, orders: Iterable[Mapping[str, Any]] = ()) -> None:
        self._orders: dict[str, Mapping[str, Any]] = {}
        self._sold: dict[str, Decimal] = {}
        self._refunded: dict[str, Decimal] = {}
        for order in orders:
            self.add(order)

    def add(self, order: Mapping[str, Any]) -> None:
        """Take one order record into account (adding the same uuid again changes nothing)."""
        order_uuid = order["uuid"]
        if order_uuid in self._orders:
            return
        self._orders[order_uuid] = order
        for line in order.get("lines") or ():
            qty = to_decimal(line["qty"])
            original = line.get("refunded_line_uuid")
            if original:
                self._refunded[original] = self._refunded.get(original, ZERO) - qty
            elif qty > 0:
                self._sold[line["uuid"]] = qty

    def order(self, order_uuid: str) -> Mapping[str, Any] | None:
        return self._orders.get(order_uuid)

    def sold(self, line_uuid: str) -> Decimal:
        return self._sold.get(line_uuid, ZERO)

    def refunded(self, line_uuid: str) -> Decimal:
        return self._refunded.get(line_uuid, ZERO)

    def left(self, line_uuid: str) -> Decimal:
        """What can still be refunded of a sold line (never negative)."""
        return max(self.sold(line_uuid) - self.refunded(line_uuid), ZERO)

    def get(self, line_uuid: str, default: Any = ZERO) -> Decimal:
        """The quantity already refunded (so the ledger reads like {line uuid: qty})."""
        return self._refunded.get(line_uuid, to_decimal(default))

    def refundable(self, order: Mapping[str, Any] | str) -> dict[str, Decimal]:
        """Line uuid -> quantity still refundable, for the lines of an order that have some."""
        if isinstance(order, str):
            found = self._orders.get(order)
            if found is None:
                return {}
            order = found
        result = {}
        for line in order.get("lines") or ():
            left = self.left(line["uuid"])
            if left > 0:
                result[line["uuid"]] = left
        return result
