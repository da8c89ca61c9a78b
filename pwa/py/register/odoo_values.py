"""Reading values the way Odoo's JSON gives them: ids as [id, name], false for empty, floats for numbers.

The bootstrap carries Odoo rows almost as search_read answers them; every reader in the register goes
through these three functions so the conventions are handled in one place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from .money import to_decimal

__all__ = ["many2one_id", "moment", "number"]


def many2one_id(value: Any) -> int | None:
    """An id from an int, [id, name], or null/false (Odoo's empty many2one)."""
    if value is None or value is False:
        return None
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    return int(value)


def number(value: Any) -> Decimal:
    """A Decimal from a Decimal, int, decimal string, or Odoo's float; empty (null/false) is 0."""
    if value is None or value is False:
        return Decimal(0)
    if isinstance(value, float):
        # Odoo stores these as floats; the shortest repr is what the user typed (0.1, not 0.1000…1).
        return to_decimal(repr(value))
    return to_decimal(value)


def moment(value: Any) -> datetime | None:
    """An aware UTC datetime from a datetime, a date, or Odoo/ISO text; naive means UTC (Odoo)."""
    if value is None or value is False or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().replace(" ", "T", 1)
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        # A date is its midnight, as Odoo compares a date with a Datetime field.
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise TypeError(f"not a date or datetime: {value!r}")
