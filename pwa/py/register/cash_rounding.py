"""Cash rounding as Odoo's `account.cash.rounding`: the smallest coin decides what cash can pay.

A shop that has no coins below Rp 100 (or 0.05 in CHF) rounds what a customer pays in cash to that
step; the difference is booked as a rounding line. Odoo rounds with `float_round` to the step using
the configured method: "UP" (away from zero), "DOWN" (toward zero) or "HALF-UP" (half away from
zero). `difference` is Odoo's `compute_difference`: what must be added to an amount to reach its
rounded value, after both are rounded to the currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .money import float_round, to_decimal

__all__ = ["CashRounding", "rounded_total"]

ROUNDING_METHODS = ("UP", "DOWN", "HALF-UP")


@dataclass(frozen=True)
class CashRounding:
    """One account.cash.rounding: a step (e.g. 100, 0.05) and how to reach it."""

    id: int
    name: str
    rounding: Decimal
    rounding_method: str = "HALF-UP"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rounding", to_decimal(self.rounding))
        if self.rounding <= 0:
            raise ValueError(f"cash rounding step must be > 0, got {self.rounding}")
        if self.rounding_method not in ROUNDING_METHODS:
            raise ValueError(f"unknown cash rounding method {self.rounding_method!r}")

    @classmethod
    def from_bootstrap(cls, data: dict[str, Any]) -> CashRounding:
        """Build from a bootstrap "cash_roundings" entry (Odoo field names).

        Odoo sends the step as a number; a float is read through its shortest text (0.05, not
        0.05000000000000000277), which is what was typed into Odoo.
        """
        rounding = data.get("rounding")
        if isinstance(rounding, float):
            rounding = repr(rounding)
        return cls(
            id=int(data["id"]),
            name=data.get("name") or "",
            rounding=to_decimal(rounding),
            rounding_method=data.get("rounding_method") or "HALF-UP",
        )

    def round(self, amount: Any) -> Decimal:
        """`amount` rounded to a multiple of the step with the configured method."""
        return float_round(amount, self.rounding, self.rounding_method)

    def difference(self, amount: Any, precision_rounding: Any = None) -> Decimal:
        """What to add to `amount` to reach the rounded amount (negative when rounding down).

        With the currency's `precision_rounding` the amount is first rounded to the currency and
        the difference too, as Odoo's `compute_difference(currency, amount)`.
        """
        amount = to_decimal(amount)
        if precision_rounding is not None:
            amount = float_round(amount, precision_rounding)
        difference = self.round(amount) - amount
        if precision_rounding is not None:
            difference = float_round(difference, precision_rounding)
        elif difference.is_zero():
            difference = abs(difference)
        return difference


def rounded_total(
    total: Any,
    rounding: CashRounding | None,
    *,
    only_cash: bool = False,
    paid_in_cash: bool = True,
    precision_rounding: Any = None,
) -> Decimal:
    """What the payments of an order must come to, as Odoo's POS checks it.

    Odoo (`pos.order._get_rounded_amount`) rounds the order total when the config has cash
    rounding and either rounds every payment method or (only_round_cash_method) the order has
    a cash payment; otherwise the total is paid as it is. The rounding of a refund follows the
    same float_round, mirrored around zero (HALF-UP and UP go away from zero).
    """
    total = to_decimal(total)
    if rounding is None or (only_cash and not paid_in_cash):
        return total
    return total + rounding.difference(total, precision_rounding)
