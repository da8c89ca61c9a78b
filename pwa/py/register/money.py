"""Money as Decimal, rounded the way Odoo rounds (`float_round`), and shown the way a shop shows it.

Odoo stores floats and fights binary error with an epsilon; we keep exact decimals end to end, so
HALF-UP here is plain "half away from zero" on the true value.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Currency", "float_round", "money_str", "to_decimal"]

# Generous precision for the intermediate arithmetic (division by 1.11 etc.); the default context
# (28 digits) would do, but a local one keeps us independent of whoever changed the global context.
CONTEXT = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)

_METHODS = {
    "HALF-UP": decimal.ROUND_HALF_UP,  # half away from zero, like Odoo
    "UP": decimal.ROUND_UP,  # away from zero
    "DOWN": decimal.ROUND_DOWN,  # toward zero
    "HALF-DOWN": decimal.ROUND_HALF_DOWN,
    "HALF-EVEN": decimal.ROUND_HALF_EVEN,
}


def to_decimal(value: Any) -> Decimal:
    """Turn Decimal, int or a decimal string into a finite Decimal.

    Floats are refused: a float has already lost the amount the cashier meant.
    """
    if type(value) is Decimal:  # the common case first: money is already Decimal
        if value.is_finite():
            return value
        raise ValueError(f"not a finite number: {value!r}")
    if isinstance(value, (bool, float)):
        raise TypeError(f"money must not be a {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise TypeError(f"cannot use {type(value).__name__} as a decimal: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def float_round(value: Any, precision_rounding: Any, rounding_method: str = "HALF-UP") -> Decimal:
    """Round `value` to a multiple of `precision_rounding` (e.g. 1, 0.01, 0.05), Odoo semantics.

    The result carries the exponent of the precision, so rounding 6305.63 to 1 gives 6306 (not
    6.306E+3) and to 0.01 gives two decimals.
    """
    value = to_decimal(value)
    precision = to_decimal(precision_rounding)
    if precision <= 0:
        raise ValueError(f"precision_rounding must be > 0, got {precision}")
    try:
        mode = _METHODS[rounding_method]
    except KeyError:
        raise ValueError(f"unknown rounding method {rounding_method!r}") from None
    _sign, digits, exponent = precision.as_tuple()
    if digits == (1,) and exponent <= 0:  # type: ignore[operator]
        # A power of ten (1, 0.01...), the usual currency: one quantize gives the same value
        # with the same exponent as the general way below, several times faster.
        result = value.quantize(precision, rounding=mode, context=CONTEXT)
        return abs(result) if result.is_zero() else result
    steps = CONTEXT.divide(value, precision).to_integral_value(rounding=mode)
    result = CONTEXT.multiply(steps, precision)
    # Exact division drops trailing zeros (10 / 0.01 = 1E+3); give the result the precision's
    # exponent back so 10 rounded to 0.01 reads "10.00".
    exponent = min(precision.as_tuple().exponent, 0)
    result = result.quantize(Decimal(1).scaleb(exponent), context=CONTEXT)
    if result.is_zero():
        # -0 would print as "-0"; a zero amount has no sign.
        result = abs(result)
    return result


def money_str(d: Decimal) -> str:
    """Canonical text of a Decimal in records: no exponent, no "-0" (e.g. "6306", "12500.50")."""
    if not isinstance(d, Decimal):
        d = to_decimal(d)
    if d.is_zero():
        d = abs(d)
    return format(d, "f")


def _group(digits: str, sep: str) -> str:
    """Insert a thousands separator into a string of digits."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


@dataclass(frozen=True)
class Currency:
    """The shop's currency (res.currency): how amounts are rounded and printed."""

    name: str
    rounding: Decimal
    decimal_places: int
    symbol: str = ""
    position: str = "before"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rounding", to_decimal(self.rounding))
        object.__setattr__(self, "decimal_places", int(self.decimal_places))
        if self.rounding <= 0:
            raise ValueError(f"currency rounding must be > 0, got {self.rounding}")

    @classmethod
    def from_bootstrap(cls, data: dict) -> Currency:
        """Build from the bootstrap's "currency" object (or from the whole bootstrap)."""
        if "currency" in data and isinstance(data["currency"], dict):
            data = data["currency"]
        return cls(
            name=data["name"],
            rounding=to_decimal(data.get("rounding", "0.01")),
            decimal_places=int(data.get("decimal_places", 2)),
            symbol=data.get("symbol") or "",
            position=data.get("position") or "before",
        )

    @property
    def _quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimal_places)

    def round(self, x: Any) -> Decimal:
        """Round HALF-UP to the currency's rounding, with exactly `decimal_places` decimals."""
        rounded = float_round(x, self.rounding)
        return rounded.quantize(self._quantum, rounding=decimal.ROUND_HALF_UP, context=CONTEXT)

    def is_zero(self, x: Any) -> bool:
        """True when `x` rounds to nothing in this currency."""
        return self.round(x).is_zero()

    def format(self, x: Any) -> str:
        """Amount for people: "Rp 12.500" for IDR (Indonesian separators), "$ 1,234.50" else."""
        amount = self.round(x)
        thousands, point = (".", ",") if self.name.upper() == "IDR" else (",", ".")
        text = format(abs(amount), "f")
        whole, _, fraction = text.partition(".")
        number = _group(whole, thousands) + (point + fraction if fraction else "")
        sign = "-" if amount < 0 else ""
        if not self.symbol:
            return sign + number
        if self.position == "after":
            return f"{sign}{number} {self.symbol}"
        return f"{sign}{self.symbol} {number}"
