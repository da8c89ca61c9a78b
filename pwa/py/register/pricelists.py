"""Pricelists: the price of a product for a quantity at a moment, as Odoo's `product.pricelist`.

Rule selection follows Odoo 18's server (`_get_applicable_rules` + `_is_applicable_for`): the
rules are ordered like `product.pricelist.item._order` ("applied_on, min_quantity desc,
categ_id desc, id desc") and the first that applies wins:

1. scope: rules on the variant, then on the template, then on a category of the product or one
   of its ancestors, then global rules (Odoo's `applied_on` 0..3);
2. inside a scope: the biggest `min_quantity` first, then (categories) the nearest category
   first, as `categ_id desc` sorts by complete name and a child's name extends its parent's,
   then the newest rule (highest id);
3. a rule applies when quantity >= min_quantity (a min_quantity of 0 always does) and
   date_start <= when <= date_end (either bound may be missing).

The formula is Odoo's `_compute_price`: fixed price; a percentage off the base; or a formula
(discount, then `price_round` to a multiple of that value HALF-UP, then surcharge, then the
min/max margins over the base). The base is the list price, the cost, or the price of the same
product in another pricelist (recursively). With no applicable rule the price is the product's
own list price. Prices are not rounded (Odoo rounds them later to "Product Price" digits); ask
for `precision` to get them rounded.

Rules are indexed by product, template and category when the pricelist is built, so a call costs
a few dict lookups and a short scan whatever the size of the pricelist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .catalog import Product
from .money import CONTEXT, float_round, to_decimal
from .odoo_values import many2one_id, moment, number

__all__ = ["Pricelist", "PricelistItem", "load_pricelists"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
COMPUTE_PRICES = ("fixed", "percentage", "formula")
BASES = ("list_price", "standard_price", "pricelist")
APPLIED_ON = ("0_product_variant", "1_product", "2_product_category", "3_global")


@dataclass(frozen=True, eq=False)
class PricelistItem:
    """One product.pricelist.item; its scope follows from product_id / product_tmpl_id / categ_id."""

    id: int
    _: KW_ONLY
    compute_price: str = "fixed"
    base: str = "list_price"
    base_pricelist: Pricelist | int | None = None
    fixed_price: Decimal = ZERO
    percent_price: Decimal = ZERO
    price_discount: Decimal = ZERO
    price_surcharge: Decimal = ZERO
    price_round: Decimal = ZERO
    price_min_margin: Decimal = ZERO
    price_max_margin: Decimal = ZERO
    min_quantity: Decimal = ZERO
    date_start: datetime | None = None
    date_end: datetime | None = None
    product_id: int | None = None
    product_tmpl_id: int | None = None
    categ_id: int | None = None
    applied_on: str = field(init=False)

    def __post_init__(self) -> None:
        if self.compute_price not in COMPUTE_PRICES:
            raise ValueError(f"unknown compute_price {self.compute_price!r}")
        if self.base not in BASES:
            raise ValueError(f"unknown pricelist base {self.base!r}")
        for name in (
            "fixed_price",
            "percent_price",
            "price_discount",
            "price_surcharge",
            "price_round",
            "price_min_margin",
            "price_max_margin",
            "min_quantity",
        ):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))
        if self.price_round < 0:
            raise ValueError(f"price_round must not be negative, got {self.price_round}")
        object.__setattr__(self, "date_start", moment(self.date_start))
        object.__setattr__(self, "date_end", moment(self.date_end))
        if self.product_id is not None:
            applied_on = "0_product_variant"
        elif self.product_tmpl_id is not None:
            applied_on = "1_product"
        elif self.categ_id is not None:
            applied_on = "2_product_category"
        else:
            applied_on = "3_global"
        object.__setattr__(self, "applied_on", applied_on)

    def __repr__(self) -> str:
        return f"<PricelistItem {self.id} {self.applied_on} {self.compute_price}>"

    @classmethod
    def from_bootstrap(cls, data: Mapping[str, Any]) -> PricelistItem:
        """Build from a bootstrap item dict (Odoo field names; many2one as id, [id, name] or null).

        An explicit `applied_on` clears the ids that do not belong to that scope, as Odoo's
        create/write do, so a rule means the same here as in Odoo.
        """
        product_id = many2one_id(data.get("product_id"))
        product_tmpl_id = many2one_id(data.get("product_tmpl_id"))
        categ_id = many2one_id(data.get("categ_id"))
        applied_on = data.get("applied_on")
        if applied_on == "3_global":
            product_id = product_tmpl_id = categ_id = None
        elif applied_on == "2_product_category":
            product_id = product_tmpl_id = None
        elif applied_on == "1_product":
            product_id = categ_id = None
        elif applied_on == "0_product_variant":
            categ_id = None
        elif applied_on:
            raise ValueError(f"unknown applied_on {applied_on!r}")
        return cls(
            int(data["id"]),
            compute_price=data.get("compute_price") or "fixed",
            base=data.get("base") or "list_price",
            base_pricelist=many2one_id(data.get("base_pricelist_id")),
            fixed_price=number(data.get("fixed_price")),
            percent_price=number(data.get("percent_price")),
            price_discount=number(data.get("price_discount")),
            price_surcharge=number(data.get("price_surcharge")),
            price_round=number(data.get("price_round")),
            price_min_margin=number(data.get("price_min_margin")),
            price_max_margin=number(data.get("price_max_margin")),
            min_quantity=number(data.get("min_quantity")),
            date_start=moment(data.get("date_start")),
            date_end=moment(data.get("date_end")),
            product_id=product_id,
            product_tmpl_id=product_tmpl_id,
            categ_id=categ_id,
        )

    def applies(self, quantity: Decimal, when: datetime) -> bool:
        """Quantity and date conditions (the scope is checked by the pricelist's index)."""
        if self.min_quantity and quantity < self.min_quantity:
            return False
        if self.date_start is not None and when < self.date_start:
            return False
        return not (self.date_end is not None and when > self.date_end)


def _order(item: PricelistItem) -> tuple[Decimal, int]:
    """Odoo's order inside one scope: min_quantity desc, id desc."""
    return (-item.min_quantity, -item.id)


class Pricelist:
    """A product.pricelist with its rules indexed by scope."""

    def __init__(
        self,
        id: int,
        name: str,
        items: Iterable[PricelistItem] = (),
        *,
        by_id: dict[int, Pricelist] | None = None,
    ) -> None:
        self.id = int(id)
        self.name = name
        self.items: tuple[PricelistItem, ...] = tuple(items)
        # Pricelists a rule may be based on, shared by all pricelists of one bootstrap; this one
        # registers itself so the others can find it.
        self._by_id: dict[int, Pricelist] = by_id if by_id is not None else {}
        self._by_id[self.id] = self
        by_product: dict[int, list[PricelistItem]] = {}
        by_template: dict[int, list[PricelistItem]] = {}
        by_category: dict[int, list[PricelistItem]] = {}
        everywhere: list[PricelistItem] = []
        for item in self.items:
            if item.applied_on == "0_product_variant":
                by_product.setdefault(item.product_id, []).append(item)  # type: ignore[arg-type]
            elif item.applied_on == "1_product":
                by_template.setdefault(item.product_tmpl_id, []).append(item)  # type: ignore[arg-type]
            elif item.applied_on == "2_product_category":
                by_category.setdefault(item.categ_id, []).append(item)  # type: ignore[arg-type]
            else:
                everywhere.append(item)
        self._by_product = {k: sorted(v, key=_order) for k, v in by_product.items()}
        self._by_template = {k: sorted(v, key=_order) for k, v in by_template.items()}
        self._by_category = {k: sorted(v, key=_order) for k, v in by_category.items()}
        self._global = sorted(everywhere, key=_order)
        self._chains: dict[tuple[int, ...], list[PricelistItem]] = {}

    def __repr__(self) -> str:
        return f"<Pricelist {self.id} {self.name!r} items={len(self.items)}>"

    @classmethod
    def from_bootstrap(
        cls, data: Mapping[str, Any], by_id: dict[int, Pricelist] | None = None
    ) -> Pricelist:
        """Build from a bootstrap "pricelists" entry; pass one `by_id` dict to all of them so a
        rule based on another pricelist finds it (in any order: lookups happen at price time)."""
        raw_items = data.get("items")
        if raw_items is None:
            raw_items = data.get("item_ids") or ()
        items = [PricelistItem.from_bootstrap(x) for x in raw_items if isinstance(x, Mapping)]
        return cls(int(data["id"]), data.get("name") or "", items, by_id=by_id)

    # -- rule selection ----------------------------------------------------------------------

    def _category_rules(self, category_ids: tuple[int, ...]) -> list[PricelistItem]:
        """Rules on the product's categories, in Odoo's order; cached per category chain."""
        rules = self._chains.get(category_ids)
        if rules is None:
            ranked = []
            for distance, categ_id in enumerate(category_ids):
                for item in self._by_category.get(categ_id, ()):
                    ranked.append(((-item.min_quantity, distance, -item.id), item))
            ranked.sort(key=lambda pair: pair[0])
            rules = [item for _, item in ranked]
            self._chains[category_ids] = rules
        return rules

    def rule_for(
        self, product: Product, quantity: Any = 1, when: Any = None
    ) -> PricelistItem | None:
        """The rule Odoo would apply to `quantity` of `product` at `when`, or None."""
        return self._rule(product, to_decimal(quantity), _now(when))

    def _rule(self, product: Product, quantity: Decimal, when: datetime) -> PricelistItem | None:
        for item in self._by_product.get(product.id, ()):
            if item.product_tmpl_id is not None and item.product_tmpl_id != product.template_id:
                continue  # a variant rule names its template too; Odoo's domain checks both
            if item.applies(quantity, when):
                return item
        if product.template_id is not None:
            for item in self._by_template.get(product.template_id, ()):
                if item.applies(quantity, when):
                    return item
        if self._by_category and product.category_ids:
            for item in self._category_rules(product.category_ids):
                if item.applies(quantity, when):
                    return item
        for item in self._global:
            if item.applies(quantity, when):
                return item
        return None

    # -- price -------------------------------------------------------------------------------

    def price_for(
        self, product: Product, quantity: Any = 1, when: Any = None, *, precision: Any = None
    ) -> Decimal:
        """The unit price of `product` for `quantity` at `when` (aware datetime; default now,
        UTC; a naive one is taken as UTC like Odoo's). Not rounded unless `precision` is given
        (e.g. Decimal("0.01") for Odoo's "Product Price" digits), then HALF-UP to it."""
        price = self._price(product, to_decimal(quantity), _now(when), ())
        if precision is not None:
            price = float_round(price, precision)
        return price

    def _price(
        self, product: Product, quantity: Decimal, when: datetime, seen: tuple[int, ...]
    ) -> Decimal:
        rule = self._rule(product, quantity, when)
        if rule is None:
            return product.list_price
        if rule.compute_price == "fixed":
            return rule.fixed_price
        base = self._base_price(rule, product, quantity, when, (*seen, self.id))
        if rule.compute_price == "percentage":
            return _less_percent(base, rule.percent_price)
        price = _less_percent(base, rule.price_discount)
        if rule.price_round:
            price = float_round(price, rule.price_round)
        if rule.price_surcharge:
            price = CONTEXT.add(price, rule.price_surcharge)
        if rule.price_min_margin:
            price = max(price, CONTEXT.add(base, rule.price_min_margin))
        if rule.price_max_margin:
            price = min(price, CONTEXT.add(base, rule.price_max_margin))
        return price

    def _base_price(
        self,
        rule: PricelistItem,
        product: Product,
        quantity: Decimal,
        when: datetime,
        seen: tuple[int, ...],
    ) -> Decimal:
        if rule.base == "pricelist" and rule.base_pricelist is not None:
            other = rule.base_pricelist
            if not isinstance(other, Pricelist):
                found = self._by_id.get(int(other))
                if found is None:
                    raise ValueError(
                        f"pricelist {self.name or self.id} (rule {rule.id}) is based on "
                        f"pricelist {other}, which this terminal does not have"
                    )
                other = found
            if other.id in seen:
                chain = " -> ".join(str(i) for i in (*seen, other.id))
                raise ValueError(f"pricelists are based on each other in a loop: {chain}")
            return other._price(product, quantity, when, seen)
        if rule.base == "standard_price":
            return product.standard_price
        return product.list_price


def _less_percent(price: Decimal, percent: Decimal) -> Decimal:
    """price - price x percent / 100 (a negative percent is a mark-up), exact."""
    if not percent:
        return price
    return CONTEXT.subtract(price, CONTEXT.divide(CONTEXT.multiply(price, percent), HUNDRED))


def _now(when: Any) -> datetime:
    if when is None:
        return datetime.now(UTC)
    at = moment(when)
    assert at is not None
    return at


def load_pricelists(entries: Iterable[Mapping[str, Any]]) -> dict[int, Pricelist]:
    """All pricelists of a bootstrap, linked to each other; by id."""
    by_id: dict[int, Pricelist] = {}
    for entry in entries:
        Pricelist.from_bootstrap(entry, by_id)
    return by_id
