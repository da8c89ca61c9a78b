"""Fiscal positions: which taxes a sale carries for a given customer, and the price that follows.

Odoo's `account.fiscal.position.map_tax` replaces each tax that has mapping lines by the
destination taxes of those lines (a line without a destination maps the tax to nothing) and
keeps every other tax. When the product's price includes a tax that the position maps away or
replaces, Odoo adapts the unit price (`account.tax._adapt_price_unit_to_another_taxes`): take
the price without the old included taxes, then add the new included taxes on top. So a Rp 11,100
shelf price with PPN 11 % included becomes Rp 10,000 for a customer exempt from PPN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .money import CONTEXT, to_decimal
from .odoo_values import many2one_id
from .taxes import Tax, compute_taxes, flatten_taxes

__all__ = ["FiscalPosition", "adapt_price"]


@dataclass(frozen=True, eq=False)
class FiscalPosition:
    """An account.fiscal.position: source tax id -> destination tax ids (empty = no tax)."""

    id: int
    name: str
    tax_map: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clean = {int(src): tuple(int(d) for d in dests) for src, dests in self.tax_map.items()}
        object.__setattr__(self, "tax_map", clean)

    @classmethod
    def from_bootstrap(cls, data: dict[str, Any]) -> FiscalPosition:
        """Build from a bootstrap "fiscal_positions" entry.

        Accepts the mapping as a dict `tax_map` / `tax_mapping_by_ids` ({src: [dest, ...]}, keys
        may be strings as JSON makes them) or as Odoo's account.fiscal.position.tax lines under
        `tax_ids` or `tax_map` ([{"tax_src_id": 1, "tax_dest_id": 2 | false}, ...], many2one as
        id or [id, name]). A map in any other shape is an error, never an empty map. Several lines for one source add up; a line without destination removes it.
        """
        mapping: dict[int, list[int]] = {}
        raw_map = data.get("tax_map")
        if raw_map is None:
            raw_map = data.get("tax_mapping_by_ids")
        lines = list(data.get("tax_ids") or ())
        if isinstance(raw_map, Mapping):
            for src, dests in raw_map.items():
                mapping.setdefault(int(src), []).extend(int(d) for d in dests or ())
        elif isinstance(raw_map, list):
            lines += raw_map  # Odoo's lines under tax_map (what relays before 0.2 sent)
        elif raw_map is not None:
            raise ValueError(f"fiscal position {data.get('id')}: tax_map must be an object")
        for line in lines:
            if not isinstance(line, Mapping):
                continue  # plain ids of account.fiscal.position.tax: nothing to map with
            src = many2one_id(line.get("tax_src_id"))
            if src is None:
                continue
            dests = mapping.setdefault(src, [])
            dest = many2one_id(line.get("tax_dest_id"))
            if dest is not None:
                dests.append(dest)
        tax_map = {src: tuple(dict.fromkeys(dests)) for src, dests in mapping.items()}
        return cls(int(data["id"]), data.get("name") or "", tax_map)

    def map_tax_ids(self, tax_ids: Iterable[int]) -> tuple[int, ...]:
        """The tax ids after mapping, in order, each once (Odoo's recordset union)."""
        result: dict[int, None] = {}
        for tax_id in tax_ids:
            dests = self.tax_map.get(tax_id)
            for dest in (tax_id,) if dests is None else dests:
                result[dest] = None
        return tuple(result)

    def map_taxes(self, taxes: Iterable[Tax], by_id: Mapping[int, Tax]) -> list[Tax]:
        """The taxes after mapping; destinations are looked up in `by_id` (all shop taxes).

        A destination the terminal does not know is an error: selling with a guessed tax would
        give a total Odoo does not book.
        """
        result: dict[int, Tax] = {}
        for tax in taxes:
            dests = self.tax_map.get(tax.id)
            if dests is None:
                result.setdefault(tax.id, tax)
                continue
            for dest_id in dests:
                dest = by_id.get(dest_id)
                if dest is None:
                    raise ValueError(
                        f"fiscal position {self.name or self.id} maps tax {tax.id} to tax "
                        f"{dest_id}, which this terminal does not have"
                    )
                result.setdefault(dest_id, dest)
        return list(result.values())

    def apply(
        self, price_unit: Any, taxes: Iterable[Tax], by_id: Mapping[int, Tax]
    ) -> tuple[Decimal, list[Tax]]:
        """Price and taxes of a line under this position: mapped taxes, adapted price."""
        original = list(taxes)
        mapped = self.map_taxes(original, by_id)
        return adapt_price(price_unit, original, mapped), mapped


def adapt_price(price_unit: Any, from_taxes: Iterable[Tax], to_taxes: Iterable[Tax]) -> Decimal:
    """The unit price under `to_taxes` of a price set under `from_taxes` (Odoo's adaptation).

    Nothing changes when the taxes are the same or when any original tax is price-excluded
    (the price then is a net price already). Otherwise the old included taxes come out of the
    price and the new included taxes go in: 109 with 21 % + 6 % included becomes
    109 / 1.27 x 1.15 = 98.7007874... with 15 % included. The result is not rounded.
    """
    price = to_decimal(price_unit)
    original = list(from_taxes)
    new = list(to_taxes)
    if {t.id for t in original} == {t.id for t in new}:
        return price
    if any(not t.price_include for t in original):
        return price
    excluded = compute_taxes(original, price, 1, rounding_method="round_globally").total_excluded
    included = {t.id for t in flatten_taxes(new) if t.price_include}
    if not included:
        return excluded
    result = compute_taxes(
        new, excluded, 1, rounding_method="round_globally", special_mode="total_excluded"
    )
    delta = Decimal(0)
    for line in result.taxes:
        if line.tax_id in included:
            delta = CONTEXT.add(delta, line.amount)
    return CONTEXT.add(excluded, delta)
