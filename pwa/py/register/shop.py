"""Everything the till needs from the relay's bootstrap, parsed once into typed values.

Optional parts of the bootstrap (the demo sends empty lists; all default to "not used"):
- `pricelists`: [{"id", "name", "items": [product.pricelist.item fields]}] (see pricelists.py);
  the config's `pricelist_id` is the till's default pricelist.
- `fiscal_positions`: [{"id", "name", "tax_map": {"<src tax id>": [dest tax ids]}}] -- a source
  mapped to [] is removed; Odoo's account.fiscal.position.tax lines under `tax_ids`
  ([{"tax_src_id", "tax_dest_id"}]) are accepted too. The config's `default_fiscal_position_id`
  (Odoo's pos.config.default_fiscal_position_id) is the till's default, null for none.
- `cash_roundings`: [{"id", "name", "rounding", "rounding_method"}]; used when the config says
  `cash_rounding: true` with `rounding_method_id`, and `only_round_cash_method` as in Odoo.
- config `discount_product_id`: the product of Odoo's pos_discount order-wide discount lines.
- config `price_rounding`: the "Product Price" precision unit prices are kept at ("0.01").
- `loyalty_programs`: see loyalty.py.
- `tz`: the shop's time zone (IANA, "Asia/Jakarta"), which receipts show times in; absent (an
  older relay): the device's own zone.
- company `street`, `street2`, `city`, `zip`, `phone`, `email`: what a receipt prints under the
  shop's name (with `vat`); absent: left off the receipt.
- `barcode_nomenclature`: {"upc_ean_conv", "rules": [barcode.rule fields]} (see barcodes.py), how
  a scale's weight or price label reads; absent (an older relay): plain barcodes only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .barcodes import Nomenclature
from .cash_rounding import CashRounding
from .catalog import Product
from .fiscal_positions import FiscalPosition
from .loyalty import LoyaltyProgram
from .money import Currency, to_decimal
from .odoo_values import many2one_id
from .pricelists import Pricelist, load_pricelists
from .taxes import Tax

__all__ = ["Company", "PaymentMethod", "Shop"]


ROUNDING_METHODS = ("round_per_line", "round_globally")
PALETTE = 12  # Odoo's category colours: 0 none, 1 to 11 its palette ($o-colors)


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
class Company:
    """The res.company a receipt names: its address and tax number (`vat`: the NPWP in
    Indonesia, which `country_code` "ID" tells)."""

    name: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    zip: str = ""
    phone: str = ""
    email: str = ""
    vat: str = ""
    country_code: str = ""

    @classmethod
    def from_bootstrap(cls, data: dict[str, Any] | None) -> Company:
        data = data or {}
        return cls(**{key: str(data.get(key) or "") for key in cls.__dataclass_fields__})


@dataclass(frozen=True, kw_only=True)
class Shop:
    """The company, currency, taxes and POS config a terminal sells under."""

    currency: Currency
    company: Company = field(default_factory=Company)
    timezone: str = ""  # IANA ("Asia/Jakarta"), the shop's; "": the device's own
    config_id: int | None = None
    session_id: int | None = None
    pricelist_id: int | None = None
    rounding_method: str = "round_per_line"
    taxes: dict[int, Tax] = field(default_factory=dict)
    payment_methods: list[PaymentMethod] = field(default_factory=list)
    categories: list[tuple[int, str]] = field(default_factory=list)
    category_colors: dict[int, int] = field(default_factory=dict)  # Odoo's palette index, 1-11
    receipt_header: str = ""
    receipt_footer: str = ""
    catalog_version: str = ""
    pricelists: dict[int, Pricelist] = field(default_factory=dict)
    fiscal_positions: dict[int, FiscalPosition] = field(default_factory=dict)
    fiscal_position_id: int | None = None  # the default one
    cash_rounding: CashRounding | None = None  # None: cash is not rounded
    only_round_cash_method: bool = False
    discount_product_id: int | None = None
    price_rounding: Decimal = Decimal("0.01")
    loyalty_programs: list[LoyaltyProgram] = field(default_factory=list)
    nomenclature: Nomenclature | None = None  # None: plain barcodes only

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
        roundings = {int(r["id"]): r for r in data.get("cash_roundings") or ()}
        cash_rounding = None
        rounding_id = many2one_id(config.get("rounding_method_id"))
        if config.get("cash_rounding") and rounding_id is not None:
            if rounding_id not in roundings:
                raise ValueError(f"cash rounding {rounding_id} is missing from the bootstrap")
            cash_rounding = CashRounding.from_bootstrap(roundings[rounding_id])
        fiscal_positions = {
            int(f["id"]): FiscalPosition.from_bootstrap(f)
            for f in data.get("fiscal_positions") or ()
        }
        price_rounding = config.get("price_rounding")
        return cls(
            currency=Currency.from_bootstrap(data["currency"]),
            company=Company.from_bootstrap(data.get("company")),
            timezone=str(data.get("tz") or ""),
            config_id=config.get("id"),
            session_id=config.get("session_id"),
            pricelist_id=config.get("pricelist_id"),
            rounding_method=config.get("tax_calculation_rounding_method") or "round_per_line",
            taxes=taxes,
            payment_methods=methods,
            categories=[(int(c["id"]), c.get("name") or "") for c in data.get("categories") or ()],
            category_colors={
                int(c["id"]): c["color"]
                for c in data.get("categories") or ()
                if isinstance(c.get("color"), int) and 0 < c["color"] < PALETTE
            },
            receipt_header=config.get("receipt_header") or "",
            receipt_footer=config.get("receipt_footer") or "",
            catalog_version=str(data.get("catalog_version") or ""),
            pricelists=load_pricelists(data.get("pricelists") or ()),
            fiscal_positions=fiscal_positions,
            fiscal_position_id=many2one_id(config.get("default_fiscal_position_id")),
            cash_rounding=cash_rounding,
            only_round_cash_method=bool(config.get("only_round_cash_method")),
            discount_product_id=many2one_id(config.get("discount_product_id")),
            price_rounding=to_decimal(price_rounding) if price_rounding else Decimal("0.01"),
            loyalty_programs=[
                LoyaltyProgram.from_bootstrap(p) for p in data.get("loyalty_programs") or ()
            ],
            nomenclature=Nomenclature.from_bootstrap(data.get("barcode_nomenclature")),
        )

    @property
    def company_name(self) -> str:
        return self.company.name

    @property
    def pricelist(self) -> Pricelist | None:
        """The till's default pricelist (None: products sell at their own price)."""
        return self.pricelists.get(self.pricelist_id) if self.pricelist_id is not None else None

    @property
    def fiscal_position(self) -> FiscalPosition | None:
        """The till's default fiscal position, or None."""
        if self.fiscal_position_id is None:
            return None
        return self.fiscal_positions.get(self.fiscal_position_id)

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
