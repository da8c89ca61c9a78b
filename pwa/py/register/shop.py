"""Everything the till needs from the relay's bootstrap, parsed once into typed values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .catalog import Product
from .money import Currency
from .taxes import Tax

__all__ = ["PaymentMethod", "Shop"]

ROUNDING_METHODS = ("round_per_line", "round_globally")


@dataclass(frozen=True)
class PaymentMethod:
    """A pos.payment.method; only cash may give change."""

    id: int
    name: str
    is_cash: bool = False

    @classmethod
    def from_bootstrap(cls, data: dict[str, Any]) -> PaymentMethod:
        is_cash = bool(data.get("is_cash_count")) or data.get("type") == "cash"
        return cls(int(data["id"]), data.get("name") or "", is_cash)


@dataclass(frozen=True, kw_only=True)
class Shop:
    """The company, currency, taxes and POS config a terminal sells under."""

    currency: Currency
    company_name: str = ""
    config_id: int | None = None
    session_id: int | None = None
    pricelist_id: int | None = None
    rounding_method: str = "round_per_line"
    taxes: dict[int, Tax] = field(default_factory=dict)
    payment_methods: list[PaymentMethod] = field(default_factory=list)
    categories: list[tuple[int, str]] = field(default_factory=list)
    receipt_header: str = ""
    receipt_footer: str = ""
    catalog_version: str = ""

    def __post_init__(self) -> None:
        if self.rounding_method not in ROUNDING_METHODS:
            raise ValueError(f"unknown tax rounding method {self.rounding_method!r}")

    @classmethod
    def from_bootstrap(cls, data: dict[str, Any]) -> Shop:
        """Build from GET /api/v1/bootstrap (see the shared contract)."""
        config = data.get("config") or {}
        raw_taxes = {int(t["id"]): t for t in data.get("taxes") or ()}
        taxes = {tax_id: Tax.from_bootstrap(raw, raw_taxes) for tax_id, raw in raw_taxes.items()}
        methods_by_id = {
            int(m["id"]): PaymentMethod.from_bootstrap(m) for m in data.get("payment_methods") or ()
        }
        # The config decides which methods this till offers, and in which order.
        wanted = config.get("payment_method_ids")
        if wanted:
            methods = [methods_by_id[i] for i in wanted if i in methods_by_id]
        else:
            methods = list(methods_by_id.values())
        return cls(
            currency=Currency.from_bootstrap(data["currency"]),
            company_name=(data.get("company") or {}).get("name") or "",
            config_id=config.get("id"),
            session_id=config.get("session_id"),
            pricelist_id=config.get("pricelist_id"),
            rounding_method=config.get("tax_calculation_rounding_method") or "round_per_line",
            taxes=taxes,
            payment_methods=methods,
            categories=[(int(c["id"]), c.get("name") or "") for c in data.get("categories") or ()],
            receipt_header=config.get("receipt_header") or "",
            receipt_footer=config.get("receipt_footer") or "",
            catalog_version=str(data.get("catalog_version") or ""),
        )

    def taxes_by_ids(self, tax_ids: Iterable[int]) -> list[Tax]:
        """The known taxes among `tax_ids`; ids the bootstrap did not send are left out."""
        return [self.taxes[i] for i in tax_ids if i in self.taxes]

    def taxes_for(self, product: Product) -> list[Tax]:
        """The taxes a product is sold with."""
        return self.taxes_by_ids(product.tax_ids)

    def payment_method(self, method_id: int) -> PaymentMethod | None:
        """The payment method with this id, or None."""
        for method in self.payment_methods:
            if method.id == method_id:
                return method
        return None

    def cash_method(self) -> PaymentMethod | None:
        """The first cash method (for the "exact cash" button), or None."""
        for method in self.payment_methods:
            if method.is_cash:
                return method
        return None
