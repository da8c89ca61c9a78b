"""Money as Decimal, rounded the way Odoo rounds (`float_round`), and shown the way a shop shows it.

Odoo stores floats and fights binary error with an epsilon; we keep exact decimals end to end, so
HALF-UP here is plain "half away from zero" on the true value.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import InvalidAmount

__all__ = ["AmountError", "Currency", "float_round", "money_str", "parse_money", "to_decimal"]

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

    @property
    def separators(self) -> tuple[str, str]:
        """(thousands separator, decimal mark): (".", ",") for IDR, (",", ".") else."""
        return (".", ",") if self.name.upper() == "IDR" else (",", ".")

    @property
    def label(self) -> str:
        """What the cashier calls the currency in a message: its symbol, else its name."""
        return self.symbol or self.name

    def format_number(self, x: Any) -> str:
        """The rounded amount with the shop's separators and no symbol: "12.500", "1,234.50"."""
        amount = self.round(x)
        thousands, point = self.separators
        text = format(abs(amount), "f")
        whole, _, fraction = text.partition(".")
        number = _group(whole, thousands) + (point + fraction if fraction else "")
        return ("-" if amount < 0 else "") + number

    def format(self, x: Any) -> str:
        """Amount for people: "Rp 12.500" for IDR (Indonesian separators), "$ 1,234.50" else."""
        amount = self.round(x)
        number = self.format_number(abs(amount))
        sign = "-" if amount < 0 else ""
        if not self.symbol:
            return sign + number
        if self.position == "after":
            return f"{sign}{number} {self.symbol}"
        return f"{sign}{self.symbol} {number}"


# -- what a cashier types ------------------------------------------------------------------------

MAX_AMOUNT_TEXT = 32  # characters: more than any real amount, however it is written
MAX_AMOUNT = Decimal(10) ** 15  # Rp 1.000.000.000.000.000: beyond this it is not money but a slip
# Words a cashier puts after a number, Indonesian and English: "28rb", "28 ribu", "28k", "1,5jt".
MULTIPLIERS = {"k": 1000, "rb": 1000, "ribu": 1000, "jt": 1_000_000, "juta": 1_000_000}
_NUMBER = re.compile(r"(?P<number>[0-9.,]+)(?: ?(?P<word>[a-z]+))?", re.ASCII)


class AmountError(InvalidAmount, ValueError):
    """Typed text that is not an amount; `.message` says so in words a cashier understands."""


def _ungroup(text: str, sep: str) -> str | None:
    """The digits of `text` ("1.250.000" → "1250000") if `sep` groups it in thousands, else None.

    Proper groups: a first group of 1-3 digits not starting with 0, then groups of exactly 3.
    """
    head, *groups = text.split(sep)
    if not 1 <= len(head) <= 3 or head.startswith("0") or any(len(g) != 3 for g in groups):
        return None
    return head + "".join(groups)


def _markers(currency: Currency) -> list[str]:
    """The currency's names a cashier may type around the number, longest first ("rp.", "idr")."""
    names = {currency.symbol.lower(), currency.name.lower()}
    if currency.name.upper() == "IDR":
        names |= {"rp", "rp."}
    names |= {name + "." for name in names if name and not name.endswith(".")}
    return sorted((n for n in names if n), key=len, reverse=True)


def parse_money(text: str, currency: Currency) -> Decimal:
    """What the cashier means by `text` as an amount of `currency`, never negative.

    Separators follow the shop's locale (`Currency.separators`): in IDR "." groups thousands and ","
    marks decimals; elsewhere the other way round. The result has the currency's decimal places
    (IDR at 0: "28.000" → 28000; USD: "12,50" → 12.50); it is not rounded to the currency's
    `rounding` (callers round).

    - A currency marker may come first or last: its symbol or name ("Rp 28.000", "Rp28.000",
      "IDR 28000", "$ 20"), any case; "Rp." too.
    - A word may follow the number, after at most one space: "k", "rb", "ribu" (×1.000), "jt",
      "juta" (×1.000.000); "28rb", "28 ribu", "28K", "1,5jt", "1.5jt", "1jt".
    - Both separators in one number: the last one is the decimal mark and occurs once, the other
      groups thousands properly ("28.000,00" → 28000, "1,234.56" → 1234.56).
    - One kind of separator, several times: thousands groups ("1.250.000"); badly grouped is refused.
    - The locale's thousands separator once: a thousands group when 3 digits follow and 1-3
      digits (not starting with 0) precede ("28.000" → 28000); otherwise it cannot be a group and
      is read as the decimal mark ("2.5" → 2.5, "1.5jt" → 1500000, ".50" → 0.50).
    - The locale's decimal mark once, between 1-3 digits (not starting with 0) and exactly 3, in a
      currency with fewer than 3 decimals ("28,000" in IDR) is refused as ambiguous: read the
      Indonesian way it is Rp 28, which nobody types with three zeros; the cashier most likely
      means 28.000 (English separators), but guessing wrong moves money by a factor of 1000, so
      the message asks them to type 28.000.
      Otherwise it marks decimals (",50" → 0.50, "12,5" → 12.5).
    - Decimals the currency does not have are refused unless they are zeros ("28.000,00" in a
      0-decimal IDR is 28000; "2,5" there is refused: "Rp has no decimals").
    - Refused with a message: empty text, a minus anywhere ("-5000": "An amount cannot be
      negative"; "5000-"), a plus, spaces inside the number ("28 000"), digits other than ASCII
      0-9, other words, more than MAX_AMOUNT_TEXT characters, MAX_AMOUNT or more.
    """
    raw = text.strip() if isinstance(text, str) else ""
    example = f"28{currency.separators[0]}000"
    if not raw:
        raise AmountError("Type an amount such as {example} or 28rb.", example=example)
    if len(raw) > MAX_AMOUNT_TEXT:
        raise AmountError("That amount is too long.")
    not_an_amount = AmountError(
        "“{text}” is not an amount: type one such as {example} or 28rb.", text=raw, example=example
    )
    rest = raw.lower()
    negative = False
    if rest.startswith("-"):
        negative, rest = True, rest[1:]
    for marker in _markers(currency):
        if rest.startswith(marker):
            rest = rest[len(marker) :].lstrip(" ")
            break
        if rest.endswith(marker):
            rest = rest[: -len(marker)].rstrip(" ")
            break
    if rest.startswith("-"):  # "Rp -5.000", as Currency.format would show a negative "-Rp 5.000"
        negative, rest = True, rest[1:]
    if any(ch.isdigit() and not ch.isascii() for ch in rest):
        raise AmountError("“{text}”: type the amount with the digits 0-9.", text=raw)
    match = _NUMBER.fullmatch(rest)
    if match is None:
        raise not_an_amount
    number, word = match["number"], match["word"]
    multiplier = 1
    if word is not None:
        if word not in MULTIPLIERS:
            raise not_an_amount
        multiplier = MULTIPLIERS[word]
    if not any(ch.isdigit() for ch in number):
        raise not_an_amount
    thousands, point = currency.separators
    whole: str | None
    if "." in number and "," in number:
        last = max(number.rfind("."), number.rfind(","))
        mark = number[last]
        group = "," if mark == "." else "."
        whole, fraction = number[:last], number[last + 1 :]
        whole = _ungroup(whole, group) if mark not in whole and fraction else None
    elif "." in number or "," in number:
        sep = "." if "." in number else ","
        if number.count(sep) > 1:
            whole, fraction = _ungroup(number, sep), ""
        else:
            whole, fraction = number.split(sep)
            if sep == thousands and len(fraction) == 3 and _ungroup(number, sep) is not None:
                whole, fraction = whole + fraction, ""
            elif (
                sep == point
                and len(fraction) == 3
                and currency.decimal_places < 3
                and _ungroup(number, sep) is not None
            ):
                meant = _group(whole + fraction, thousands)
                raise AmountError(
                    "“{text}” is unclear: type {meant} for thousands; "
                    "in {currency} “{point}” marks the decimals.",
                    text=raw,
                    meant=meant,
                    currency=currency.label,
                    point=point,
                )
            elif not fraction:  # "28." or "28,"
                whole = None
            else:
                whole = whole or "0"
    else:
        whole, fraction = number, ""
    if whole is None:
        raise not_an_amount
    amount = Decimal(f"{whole}.{fraction}" if fraction else whole) * multiplier
    if negative:
        raise AmountError("An amount cannot be negative.")
    if amount >= MAX_AMOUNT:
        raise AmountError("{amount} is too large an amount.", amount=currency.format_number(amount))
    quantum = Decimal(1).scaleb(-currency.decimal_places)
    exact = amount.quantize(quantum, rounding=decimal.ROUND_DOWN, context=CONTEXT)
    if exact != amount:
        if currency.decimal_places == 0:
            raise AmountError("{currency} has no decimals.", currency=currency.label)
        raise AmountError(
            "{currency} has no more than {decimals} decimals.",
            currency=currency.label,
            decimals=str(currency.decimal_places),
        )
    return exact
