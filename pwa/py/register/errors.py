"""Errors the register raises for things a cashier can do wrong (the till shows `.message`)."""

from __future__ import annotations

from typing import Any


class RegisterError(Exception):
    """Base of every register error; `.message` is meant for the cashier's screen.

    The register does not speak the cashier's language: it keeps the English `template` and its
    `values` (already text), so the till can look the template up in its catalog and fill it in.
    """

    def __init__(self, template: str, **values: Any) -> None:
        message = template.format(**values) if values else template
        super().__init__(message)
        self.template = template
        self.values = values
        self.message = message


class UnknownProduct(RegisterError):
    """A scanned or typed code matches no product in the catalog."""


class UnknownLine(RegisterError):
    """A line or payment uuid that is not (or no longer) in the cart."""


class InvalidQuantity(RegisterError):
    """A quantity that is not a positive number with at most 3 decimals."""


class InvalidAmount(RegisterError):
    """A payment amount that is not a positive amount of the shop's currency."""


class NotPaid(RegisterError):
    """The cart cannot become an order yet: money is still owed or the change is not covered."""


class EmptyCart(RegisterError):
    """An order needs at least one line."""
